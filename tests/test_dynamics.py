"""Dynamics against exact results: enumeration, Curie-Weiss, zero-T laws, determinism."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import scipy.sparse
import xarray as xr
from helpers import boltzmann_chi_square, default_sigint, sk_couplings

import spinmem

# ---------------------------------------------------------------- exact enumeration


def _instances():
    n = 10
    rng = np.random.default_rng(7)
    gaussian = spinmem.Hopfield(sk_couplings(n, 3), fields=rng.normal(0, 0.3, n))
    # +-1 couplings are stored as int8 and run through the integer kernel path
    signs = np.triu(np.where(rng.random((n, n)) < 0.5, 1.0, -1.0), 1)
    pm1 = spinmem.Hopfield(signs + signs.T, fields=rng.normal(0, 0.3, n))
    assert pm1.kernel_view().cp[0].dtype == np.int8
    # a diluted Gaussian instance kept sparse, and Hebbian couplings kept as patterns
    keep = np.triu(rng.random((n, n)) < 0.4, 1)
    diluted = sk_couplings(n, 5) * (keep + keep.T)
    sparse = spinmem.Hopfield(scipy.sparse.csr_array(diluted), fields=rng.normal(0, 0.3, n))
    assert sparse.storage == "sparse"
    xi = spinmem.random_patterns(3, n, seed=8)
    patterns = spinmem.Hopfield.hebbian(
        xi, fields=rng.normal(0, 0.3, n), storage="patterns"
    )
    return {"gaussian": gaussian, "pm1": pm1, "sparse": sparse, "patterns": patterns}


def _dense_reference(net) -> np.ndarray:
    """The model's couplings as a dense matrix built independently of its storage."""
    if net.storage == "patterns":
        x = net.patterns.astype(np.float64)
        J = x.T @ x / net.n_spins
        np.fill_diagonal(J, 0.0)
        return J
    if net.storage == "sparse":
        return net.couplings.toarray()
    return np.array(net.couplings)


@pytest.mark.parametrize("coupling_kind", ["gaussian", "pm1", "sparse", "patterns"])
@pytest.mark.parametrize("order", ["random", "sequential"])
@pytest.mark.parametrize("dynamics", ["glauber", "metropolis"])
def test_samples_follow_boltzmann_distribution(dynamics, order, coupling_kind):
    """Final states of 40000 independent replicas against all 2**10 Boltzmann weights.

    Pearson chi-square over states with expected count >= 5 (the rest pooled); the test
    fails when p < 1e-4, a 1-in-10^4 event for a correct sampler.
    """
    net = _instances()[coupling_kind]
    # +-1 couplings are ~sqrt(N) times stronger: T = 4 keeps 100 sweeps far above the
    # mixing time, so every replica's final state is an independent Boltzmann sample
    temperature = 4.0 if coupling_kind == "pm1" else 1.0
    replicas = 40_000
    ds = spinmem.simulate(
        net,
        temperature=temperature,
        sweeps=100,
        dynamics=dynamics,
        order=order,
        replicas=replicas,
        seed=2024,
        record_every=100,
    )
    J = _dense_reference(net)
    chi2, p, dof = boltzmann_chi_square(net, temperature, ds.state.values, couplings=J)
    assert p > 1e-4, f"chi2={chi2:.1f} for {dof} dof, p={p:.2e}"


def test_chi_square_detects_the_wrong_temperature():
    """The enumeration test has power: samples at T = 1.25 fail against weights at T = 1."""
    net = _instances()["gaussian"]
    ds = spinmem.simulate(
        net, temperature=1.25, sweeps=60, replicas=40_000, seed=2024, record_every=60
    )
    _, p, _ = boltzmann_chi_square(net, 1.0, ds.state.values)
    assert p < 1e-10


# ---------------------------------------------------------------- Curie-Weiss


def _curie_weiss_m(temperature):
    from scipy.optimize import brentq

    if temperature >= 1:
        return 0.0
    return brentq(lambda m: m - np.tanh(m / temperature), 1e-6, 1.0)


def _batch_means(series, n_batches=20):
    """Mean and standard error of a correlated series by batch means."""
    batches = np.array_split(np.asarray(series), n_batches)
    means = np.array([b.mean() for b in batches])
    return means.mean(), means.std(ddof=1) / np.sqrt(n_batches)


@pytest.mark.parametrize(("temperature", "published"), [(0.5, 0.957504), (0.8, 0.710412)])
def test_curie_weiss_magnetisation(temperature, published):
    """p = 1, N = 2000: <|m|> matches m = tanh(m/T) (docs/physics.md section 6).

    Allowed deviation: 5 standard errors (batch means over 4 replicas x 3000 sweeps) plus
    a finite-size allowance of 4/N = 0.002 for the O(1/N) shift of <|m|> at finite N.
    """
    assert _curie_weiss_m(temperature) == pytest.approx(published, abs=1e-6)
    n = 2000
    xi = spinmem.random_patterns(1, n, seed=0)
    net = spinmem.Hopfield.hebbian(xi)
    ds = spinmem.simulate(
        net, temperature=temperature, sweeps=3200, replicas=4, init=xi[0], seed=5
    )
    m = np.abs(ds.overlap.isel(pattern=0, sweep=slice(200, None))).values
    mean, se = _batch_means(m.mean(axis=0))
    assert abs(mean - published) < 5 * se + 4 / n, (mean, se)


def test_curie_weiss_paramagnet():
    """T = 1.5: m is Gaussian with variance T / (N (T - 1)), so <|m|> = sqrt(2 var / pi)."""
    n, temperature = 2000, 1.5
    xi = spinmem.random_patterns(1, n, seed=0)
    net = spinmem.Hopfield.hebbian(xi)
    ds = spinmem.simulate(net, temperature=temperature, sweeps=3200, replicas=4, seed=6)
    m = np.abs(ds.overlap.isel(pattern=0, sweep=slice(200, None))).values
    mean, se = _batch_means(m.mean(axis=0))
    theory = np.sqrt(2 / np.pi * temperature / (n * (temperature - 1)))
    assert theory == pytest.approx(0.0309, abs=1e-4)
    assert abs(mean - theory) < 5 * se + 0.05 * theory, (mean, se, theory)


# ---------------------------------------------------------------- zero temperature


@pytest.mark.parametrize("order", ["random", "sequential"])
def test_zero_temperature_energy_never_increases_and_ends_in_fixed_point(order):
    xi = spinmem.random_patterns(30, 400, seed=9)
    net = spinmem.Hopfield.hebbian(xi)
    ds = spinmem.simulate(
        net, temperature=0, dynamics="zero", order=order, sweeps=40, replicas=8, seed=3
    )
    steps = np.diff(ds.energy.values, axis=1)
    assert np.all(steps <= 1e-9)
    assert np.all(steps[:, 0] < 0)
    assert np.all(net.is_fixed_point(ds.state.values))
    np.testing.assert_allclose(
        ds.energy.values[:, -1], net.energy(ds.state.values), rtol=0, atol=1e-9
    )
    result = spinmem.relax(net, ds.initial_state.values, order=order, seed=3)
    assert result.converged.all() and np.all(result.sweeps < 40)
    assert np.all(net.is_fixed_point(result.state.values))
    assert np.all(net.energy(result.state.values) < net.energy(ds.initial_state.values))


def test_patterns_are_fixed_points_at_low_load():
    """alpha = 0.02: each bit is unstable with probability Phi(-1/sqrt(alpha)) ~ 1e-12."""
    xi = spinmem.random_patterns(20, 1000, seed=12)
    net = spinmem.Hopfield.hebbian(xi)
    assert np.all(net.is_fixed_point(xi, strict=True))
    result = spinmem.relax(net, xi, seed=0)
    np.testing.assert_array_equal(result.state, xi)
    assert np.all(result.sweeps == 0)


def test_retrieval_from_cues():
    xi = spinmem.random_patterns(20, 1000, seed=12)
    net = spinmem.Hopfield.hebbian(xi)
    cues = spinmem.make_cues(xi, 0.3, seed=1)
    result = spinmem.relax(net, cues, seed=2)
    np.testing.assert_array_equal(result.state, xi)


def test_synchronous_two_cycle_while_asynchronous_converges():
    net = spinmem.Hopfield([[0.0, 1.0], [1.0, 0.0]])
    ds = spinmem.simulate(net, dynamics="synchronous", sweeps=6, init=[1, -1])
    assert int(ds.cycle_length[0]) == 2
    assert ds.energy.values[0].tolist() == [1.0] * 7  # oscillates, never settles
    ds_async = spinmem.simulate(net, dynamics="zero", sweeps=6, init=[1, -1], seed=0)
    assert abs(int(ds_async.state.values[0].sum())) == 2
    assert ds_async.energy.values[0, -1] == -1.0
    fixed = spinmem.simulate(net, dynamics="synchronous", sweeps=3, init=[1, 1])
    assert int(fixed.cycle_length[0]) == 1


def test_synchronous_runs_end_in_fixed_points_or_two_cycles():
    """Goles: symmetric couplings give period 1 or 2; the Lyapunov function
    -sum_i s_i(t+1) h_i(t) never increases."""
    xi = spinmem.random_patterns(40, 200, seed=1)
    net = spinmem.Hopfield.hebbian(xi)
    ds = spinmem.simulate(
        net, dynamics="synchronous", sweeps=200, replicas=16, seed=4, record_states=True
    )
    assert set(np.unique(ds.cycle_length.values)) <= {1, 2}
    assert np.any(ds.cycle_length.values > 0)
    s = ds.states.values.astype(float)
    lyap = -np.einsum("rti,ij,rtj->rt", s[:, 1:], net.couplings, s[:, :-1])
    assert np.all(np.diff(lyap, axis=1) <= 1e-9)


# ---------------------------------------------------------------- incremental bookkeeping


def test_recorded_energy_and_overlaps_match_recomputation():
    xi = spinmem.random_patterns(10, 300, seed=2)
    net = spinmem.Hopfield.hebbian(xi)
    ds = spinmem.simulate(
        net,
        temperature=0.7,
        sweeps=300,
        replicas=3,
        seed=8,
        record_every=50,
        record_states=True,
    )
    states = ds.states.values
    np.testing.assert_allclose(ds.energy.values, net.energy(states), rtol=0, atol=1e-9)
    np.testing.assert_allclose(ds.overlap.values, net.overlaps(states), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(ds.sweep.values, [0, 50, 100, 150, 200, 250, 300])
    np.testing.assert_array_equal(states[:, -1], ds.state.values)


# ---------------------------------------------------------------- determinism


def _run_small(seed=42):
    xi = spinmem.random_patterns(8, 120, seed=1)
    net = spinmem.Hopfield.hebbian(xi)
    return spinmem.simulate(
        net, temperature=0.6, sweeps=30, replicas=5, seed=seed, record_every=3
    )


def test_same_seed_same_dataset_different_seed_differs():
    a, b, c = _run_small(42), _run_small(42), _run_small(43)
    xr.testing.assert_identical(a, b)
    assert not np.array_equal(a.state.values, c.state.values)


def test_replicas_use_their_own_streams():
    """Replica r's trajectory does not depend on how many replicas run beside it."""
    xi = spinmem.random_patterns(8, 120, seed=1)
    net = spinmem.Hopfield.hebbian(xi)
    five = spinmem.simulate(net, temperature=0.6, sweeps=20, replicas=5, seed=9)
    two = spinmem.simulate(net, temperature=0.6, sweeps=20, replicas=2, seed=9)
    xr.testing.assert_identical(two.energy, five.energy.isel(replica=slice(0, 2)))


_SCRIPT = """
import json, sys
sys.path.insert(0, {tests!r})
from test_dynamics import _run_small
ds = _run_small()
print(json.dumps({{"energy": ds.energy.values.tolist(), "state": ds.state.values.tolist(),
                  "overlap": ds.overlap.values.tolist()}}))
"""


def _run_in_subprocess(env_extra):
    env = dict(os.environ, **env_extra)
    code = _SCRIPT.format(tests=os.path.dirname(__file__))
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_results_do_not_depend_on_thread_count():
    one = _run_in_subprocess({"NUMBA_NUM_THREADS": "1"})
    two = _run_in_subprocess({"NUMBA_NUM_THREADS": "2"})
    assert one == two
    here = _run_small()
    assert one["state"] == here.state.values.tolist()


def test_compiled_kernels_agree_with_pure_python_bit_for_bit():
    """NUMBA_DISABLE_JIT runs the same kernels as plain Python: the reference path."""
    pure = _run_in_subprocess({"NUMBA_DISABLE_JIT": "1"})
    here = _run_small()
    assert pure["state"] == here.state.values.tolist()
    assert pure["energy"] == here.energy.values.tolist()
    assert pure["overlap"] == here.overlap.values.tolist()


# ---------------------------------------------------------------- kernel chunks


def test_numbers_do_not_depend_on_kernel_chunks(monkeypatch):
    """Long runs are cut into kernel calls (for Ctrl-C); one sweep per call gives the
    same trajectories, records, best states and flips as the default chunks."""
    net = spinmem.Hopfield.hebbian(spinmem.random_patterns(5, 60, seed=1))
    schedule = spinmem.schedules.geometric(2.0, 0.2, 7)
    loaded = spinmem.Hopfield.hebbian(spinmem.random_patterns(20, 60, seed=1))

    def runs():
        sim = spinmem.simulate(
            net,
            temperature=0.4,
            sweeps=23,
            replicas=3,
            seed=2,
            record_every=5,
            record_states=True,
        )
        ann = spinmem.anneal(net, schedule=schedule, sweeps_per_step=3, replicas=2, seed=3)
        rel = spinmem.relax(net, spinmem.random_patterns(6, 60, seed=4), seed=5)
        syn = spinmem.simulate(
            loaded,
            dynamics="synchronous",
            sweeps=9,
            replicas=8,
            seed=6,
            record_every=2,
            record_states=True,
        )
        return sim, ann, rel, syn

    default = runs()
    assert spinmem._engine.chunk_sweeps(net, 3) > 23  # one call by default
    monkeypatch.setattr(spinmem._engine, "CHUNK_WORK", 1)
    assert spinmem._engine.chunk_sweeps(net, 3) == 1
    chunked = runs()
    xr.testing.assert_identical(default[0], chunked[0])
    xr.testing.assert_identical(default[1], chunked[1])
    xr.testing.assert_identical(default[2], chunked[2])
    assert default[2].sweeps.max() > 1
    xr.testing.assert_identical(default[3], chunked[3])
    # fixed points, 2-cycles and runs still moving, each found across chunk boundaries
    assert set(default[3].cycle_length.values.tolist()) == {0, 1, 2}


@pytest.mark.parametrize(
    "dynamics", ["dynamics='glauber', temperature=0.5", "dynamics='synchronous'"]
)
def test_ctrl_c_stops_a_long_run_within_a_second(dynamics):
    """SIGINT during a run of many kernel-seconds raises KeyboardInterrupt at the next
    chunk boundary, not when the whole run is over."""
    child = (
        "import sys, time, spinmem\n"
        "net = spinmem.Hopfield.hebbian(spinmem.random_patterns(20, 1000, seed=0))\n"
        f"spinmem.simulate(net, {dynamics}, sweeps=2, seed=0)  # compile\n"
        "print('running', flush=True)\n"
        f"spinmem.simulate(net, {dynamics}, sweeps=10**6, seed=0)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", child],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=default_sigint,
    )
    try:
        assert proc.stdout.readline() == b"running\n"
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        start = time.time()
        _, err = proc.communicate(timeout=30)
        assert b"KeyboardInterrupt" in err
        assert time.time() - start < 2.0
    finally:
        proc.kill()
        proc.wait()


def test_oversized_recording_is_refused_before_the_kernel_runs(monkeypatch):
    """The records (energy, overlaps) of 10**6 recorded times of 4 replicas need about
    0.5 GB; with 100 MB free the run is refused with the sizes, and no kernel runs."""
    net = spinmem.Hopfield.hebbian(spinmem.random_patterns(10, 100, seed=0))

    def kernel_called(*args):
        raise AssertionError("the kernel ran")

    monkeypatch.setattr(spinmem._checks, "available_memory", lambda: 10**8)
    monkeypatch.setattr(spinmem._kernels.updates, "run_replicas", kernel_called)
    msg = r"simulate needs about .*\(4 replicas of N = 100"
    with pytest.raises(MemoryError, match=msg):
        spinmem.simulate(net, temperature=0.5, sweeps=10**6, replicas=4, seed=0)
    with pytest.raises(MemoryError, match=r"anneal needs about"):
        spinmem.anneal(net, schedule=np.linspace(2, 0.1, 10**6), replicas=4)
    with pytest.raises(MemoryError, match=r"census needs about .*\(10000000 replicas"):
        spinmem.census(net, starts=10**7)


def test_every_simulation_records_the_same_provenance_block():
    """simulate, relax, anneal, temper, census and unlearn all record the model's size,
    storage and energy convention, the version and the seed; rerunning from the
    recorded seed entropy gives the same numbers."""
    xi = spinmem.random_patterns(3, 40, seed=1)
    net = spinmem.Hopfield.hebbian(xi, storage="patterns")
    results = {
        "simulate": spinmem.simulate(net, temperature=0.5, sweeps=3, seed=11),
        "relax": spinmem.relax(net, xi, seed=12),
        "anneal": spinmem.anneal(net, [1.0, 0.5], seed=13),
        "temper": spinmem.temper(net, [0.5, 1.0], sweeps=2, seed=14),
        "census": spinmem.census(net, starts=4, seed=15),
        "unlearn": spinmem.unlearn(net, dreams=2, epsilon=0.01, probes=2, seed=16)[1],
    }
    for seed, (name, ds) in enumerate(results.items(), start=11):
        assert ds.attrs["n_spins"] == 40 and ds.attrs["n_patterns"] == 3, name
        # unlearning dreams on dense couplings (it makes them non-Hebbian)
        assert ds.attrs["storage"] == ("dense" if name == "unlearn" else "patterns"), name
        assert ds.attrs["energy_convention"] == net.energy_convention, name
        assert ds.attrs["spinmem_version"] == spinmem.__version__, name
        assert ds.attrs["seed_entropy"] == str(seed), name
    again = spinmem.simulate(
        net, temperature=0.5, sweeps=3, seed=int(results["simulate"].attrs["seed_entropy"])
    )
    xr.testing.assert_identical(again, results["simulate"])
