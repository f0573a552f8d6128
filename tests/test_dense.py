"""Dense associative memories: binary-spin models against direct computations,
enumeration and the Hopfield model; softmax retrieval against its exact limits."""

import json
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr
from helpers import boltzmann_chi_square

import spinmem
from spinmem import memory


def test_beta_to_zero_gives_the_mean_pattern():
    """softmax of beta -> 0 is uniform: one update maps any query to mean_mu xi^mu."""
    xi = spinmem.random_patterns(5, 40, seed=1)
    query = np.random.default_rng(2).normal(size=40)
    x, steps = memory.softmax_retrieval(xi, query, 1e-12, max_iter=1)
    np.testing.assert_allclose(x, xi.mean(axis=0), atol=1e-9)
    assert steps == 1


def test_large_beta_retrieves_the_nearest_pattern_in_one_update():
    """N = 200, cues at overlap 0.6 of pattern 0: weights of other patterns are below
    exp(-beta (overlap gap) N) ~ exp(-40), so x equals xi^0 to machine precision."""
    xi = spinmem.random_patterns(10, 200, seed=3)
    cues = spinmem.make_cues(xi[:3], 0.2, seed=4).astype(float)
    x, steps = memory.softmax_retrieval(xi, cues, beta=1.0)
    np.testing.assert_allclose(x, xi[:3], atol=1e-12)
    assert np.all(steps <= 2)


def test_energy_never_increases_along_the_updates():
    """The update is a concave-convex step on E (Ramsauer et al. 2021, theorem 1):
    E is non-increasing; checked on 20 random queries at a beta where several patterns
    share the weight."""
    xi = spinmem.random_patterns(8, 30, seed=5)
    x = np.random.default_rng(6).normal(size=(20, 30))
    beta = 0.05
    energy = memory.softmax_energy(xi, x, beta)
    for _ in range(30):
        x, _ = memory.softmax_retrieval(xi, x, beta, max_iter=1)
        new = memory.softmax_energy(xi, x, beta)
        assert np.all(new <= energy + 1e-12)
        energy = new


def test_energy_formula_against_a_direct_sum():
    xi = spinmem.random_patterns(3, 6, seed=7).astype(float)
    x = np.random.default_rng(8).normal(size=6)
    beta = 0.7
    lse = np.log(np.sum(np.exp(beta * xi @ x))) / beta
    expected = -lse + x @ x / 2 + np.log(3) / beta + 6 / 2
    assert memory.softmax_energy(xi, x, beta) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"beta": 0.0}, "beta must be > 0"),
        ({"beta": 1.0, "max_iter": 0}, "max_iter"),
        ({"beta": 1.0, "queries": np.ones(5)}, "queries must have shape"),
        ({"beta": 1.0, "queries": np.full(6, np.nan)}, "finite"),
    ],
)
def test_bad_input_is_refused(kwargs, match):
    args = {"patterns": spinmem.random_patterns(2, 6, seed=0), "queries": np.ones(6)}
    with pytest.raises((ValueError, TypeError), match=match):
        memory.softmax_retrieval(**{**args, **kwargs})


# ------------------------------------------------ binary dense associative memories


def _naive_energy(xi, states, interaction, degree=3, lam=1.0, fields=None):
    """``H = -c sum_mu F(xi^mu . s) - theta . s`` by numpy, in float64."""
    s = np.asarray(states, dtype=np.float64)
    n = xi.shape[1]
    M = s @ xi.T.astype(np.float64)
    if interaction == "power":
        e = -np.sum(M**degree, axis=-1) / (degree * float(n) ** (degree - 1))
    else:
        e = -np.sum(np.exp(lam * (M - n)), axis=-1) / lam
    return e if fields is None else e - s @ fields


def _memories(n=40, p=30, seed=1):
    xi = spinmem.random_patterns(p, n, seed=seed)
    theta = np.random.default_rng(seed).normal(scale=0.1, size=n)
    return (
        xi,
        theta,
        {
            "power3": memory.DenseMemory(xi, "power", degree=3),
            "power4-fields": memory.DenseMemory(xi, "power", degree=4, fields=theta),
            "exp": memory.DenseMemory(xi, "exp", lam=0.5),
            "exp-fields": memory.DenseMemory(xi, "exp", lam=1.0, fields=theta),
        },
    )


_SETTINGS = {
    "power3": {"interaction": "power", "degree": 3},
    "power4-fields": {"interaction": "power", "degree": 4, "fields": True},
    "exp": {"interaction": "exp", "lam": 0.5},
    "exp-fields": {"interaction": "exp", "lam": 1.0, "fields": True},
}


def _naive(name, xi, theta, states):
    kw = dict(_SETTINGS[name])
    fields = theta if kw.pop("fields", False) else None
    return _naive_energy(xi, states, fields=fields, **kw)


@pytest.mark.parametrize("name", list(_SETTINGS))
def test_energy_and_flip_cost_match_a_direct_computation(name):
    """H(s) against the formula by numpy, and ``2 s_i h_i`` against H(flip_i s) - H(s)
    for every site of 20 random states and of the stored patterns."""
    xi, theta, models = _memories()
    net = models[name]
    states = np.concatenate([spinmem.random_patterns(20, 40, seed=9), xi[:5]])
    e = _naive(name, xi, theta, states)
    np.testing.assert_allclose(net.energy(states), e, rtol=1e-12, atol=1e-12)
    h = net.local_fields(states)
    for i in range(40):
        flipped = states.copy()
        flipped[:, i] *= -1
        cost = _naive(name, xi, theta, flipped) - e
        np.testing.assert_allclose(2 * states[:, i] * h[:, i], cost, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", list(_SETTINGS))
def test_kept_energy_equals_a_fresh_computation_after_many_flips(name):
    """Glauber at T = 2 (most attempts flip); after 1000 sweeps of 4 replicas (over
    1e4 flips each) the incrementally kept energy equals H of the final state."""
    xi, theta, models = _memories()
    net = models[name]
    ds = spinmem.simulate(net, temperature=2.0, sweeps=1000, replicas=4, seed=3)
    assert int(ds.flips.min()) > 10_000
    fresh = _naive(name, xi, theta, ds.state.values)
    np.testing.assert_allclose(ds.energy.isel(sweep=-1), fresh, rtol=1e-9, atol=1e-9)
    counts = ds.state.values.astype(np.int64) @ xi.T.astype(np.int64)
    np.testing.assert_array_equal(np.rint(ds.overlap.isel(sweep=-1).values * 40), counts)


@pytest.mark.parametrize(
    ("dynamics", "order"),
    [
        ("glauber", "random"),
        ("metropolis", "sequential"),
        ("zero", "random"),
        ("synchronous", "sequential"),
    ],
)
def test_degree_two_runs_the_hebbian_dynamics_bit_for_bit(dynamics, order):
    """n = 2 is the Hopfield model: same seed, identical states and overlaps in every
    record; energies differ by the constant p/2 of the diagonal terms."""
    xi = spinmem.random_patterns(12, 60, seed=4)
    runs = []
    for net in (spinmem.Hopfield.hebbian(xi), memory.DenseMemory(xi, degree=2)):
        runs.append(
            spinmem.simulate(
                net,
                temperature=0.0 if dynamics in ("zero", "synchronous") else 0.7,
                sweeps=40,
                dynamics=dynamics,
                order=order,
                replicas=3,
                seed=8,
                record_states=True,
            )
        )
    hebb, mem = runs
    np.testing.assert_array_equal(hebb.state.values, mem.state.values)
    np.testing.assert_array_equal(hebb.overlap.values, mem.overlap.values)
    np.testing.assert_allclose(hebb.energy - mem.energy, 6.0, rtol=0, atol=1e-10)
    assert bool((hebb.overlap.isel(sweep=0) != hebb.overlap.isel(sweep=-1)).any())


@pytest.mark.parametrize("name", ["power3", "exp-fields"])
def test_samples_follow_the_boltzmann_distribution(name):
    """N = 10, p = 6 (random patterns, weak random fields): final states of 20000
    replicas after 100 Glauber sweeps at T = 1 against all 2**10 Boltzmann weights of
    the directly computed energy; fails when the chi-square p-value < 1e-4."""
    xi = spinmem.random_patterns(6, 10, seed=2)
    theta = np.random.default_rng(2).normal(scale=0.1, size=10)
    kw = dict(_SETTINGS[name])
    fields = theta if kw.pop("fields", False) else None
    net = memory.DenseMemory(xi, fields=fields, **kw)
    ds = spinmem.simulate(net, temperature=1.0, sweeps=100, replicas=20_000, seed=5)
    chi2, p, dof = boltzmann_chi_square(
        net,
        1.0,
        ds.state.values,
        energy=lambda s: _naive_energy(xi, s, fields=fields, **kw),
    )
    assert p > 1e-4, f"chi2={chi2:.1f} for {dof} dof, p={p:.2e}"


@pytest.mark.parametrize("alpha3", [0.02, 0.05, 0.12])
def test_stable_pattern_fraction_for_degree_three_matches_numpy(alpha3):
    """n = 3, N = 100, p = alpha3 N^2 (around the error-free capacity N^2 / (6 ln N),
    alpha3 = 0.036): the fraction of stored patterns that are strict
    fixed points equals a direct count of ``sum_mu [(M_mu)^3 - (M_mu - 2 xi_i^mu
    xi_i^nu)^3] > 0`` at every site, computed by numpy."""
    n = 100
    p = round(alpha3 * n * n)
    xi = spinmem.random_patterns(p, n, seed=7)
    net = memory.DenseMemory(xi, degree=3)
    x = xi.astype(np.int64)
    stable = []
    for nu in range(p):
        M = x @ x[nu]  # (p,)
        cost = ((M[None, :] - 2 * x.T * x[nu][:, None]) ** 3 - M[None, :] ** 3).sum(1)
        stable.append(bool(np.all(cost < 0)))
    got = net.is_fixed_point(xi, strict=True)
    np.testing.assert_array_equal(got, stable)
    assert 0 < np.mean(stable) < 1  # 0.975, 0.61, 0.024: both outcomes are tested


def test_dense_memory_runs_in_relax_anneal_and_census():
    """Far above the Hebbian capacity (p = 2 N): relaxing cues at overlap 0.8 recovers
    the pattern exactly, annealing from random states ends in a stored pattern or its
    reverse, and the census finds the retrieval states among the fixed points."""
    xi = spinmem.random_patterns(160, 80, seed=3)
    net = memory.DenseMemory(xi, degree=3)
    cues = spinmem.make_cues(xi[:10], 0.1, seed=4)
    out = spinmem.relax(net, cues, seed=5)
    np.testing.assert_array_equal(out.state, xi[:10])
    annealed = spinmem.anneal(
        net,
        spinmem.schedules.geometric(1.0, 0.05, 30),
        sweeps_per_step=5,
        replicas=8,
        seed=6,
    )
    best = np.abs(annealed.overlap.isel(step=-1)).max("pattern")
    assert float(best.min()) == 1.0
    found = spinmem.census(net, starts=20, seed=7)
    assert "retrieval" in set(found["category"].values.tolist())


def test_dense_memory_survives_pickling():
    xi = spinmem.random_patterns(10, 30, seed=1)
    for net in (memory.DenseMemory(xi, degree=3), memory.DenseMemory(xi, "exp", lam=2.0)):
        back = pickle.loads(pickle.dumps(net))
        assert type(back) is memory.DenseMemory and repr(back) == repr(net)
        a = spinmem.simulate(net, temperature=0.5, sweeps=20, replicas=2, seed=1)
        b = spinmem.simulate(back, temperature=0.5, sweeps=20, replicas=2, seed=1)
        xr.testing.assert_identical(a, b)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"interaction": "cubic"}, ValueError, "interaction must be one of"),
        ({"degree": 1}, ValueError, "degree must be"),
        ({"degree": 2.5}, TypeError, "degree must be"),
        ({"interaction": "exp", "lam": 0.0}, ValueError, "lam must be > 0"),
        ({"degree": 12}, ValueError, "overflows the exact int64"),
        ({"fields": np.ones(5)}, ValueError, "fields"),
    ],
)
def test_bad_dense_memory_input_is_refused(kwargs, error, match):
    xi = spinmem.random_patterns(4, 40, seed=0)
    with pytest.raises(error, match=match):
        memory.DenseMemory(xi, **kwargs)


def test_pairwise_operations_are_refused_clearly():
    """A dense memory does not advertise what it cannot do: no couplings, no storage
    conversion, not a Hopfield network; unlearning and dimod refuse it by name."""
    net = memory.DenseMemory(spinmem.random_patterns(4, 20, seed=0), degree=3)
    assert not hasattr(net, "couplings") and not hasattr(net, "with_storage")
    assert isinstance(net, spinmem.SpinModel) and not isinstance(net, spinmem.Hopfield)
    assert net.storage == "memory"
    with pytest.raises(ValueError, match="no pairwise couplings"):
        spinmem.unlearn(net, dreams=1, epsilon=0.01, seed=1)
    from spinmem import interop

    with pytest.raises(TypeError, match="pairwise spinmem.Hopfield"):
        interop.to_bqm(net)


_PURE = """
import json
import spinmem
from spinmem import memory
xi = spinmem.random_patterns(8, 24, seed=1)
out = {}
for key, net in (("power", memory.DenseMemory(xi, degree=3)),
                 ("exp", memory.DenseMemory(xi, "exp", lam=0.7))):
    ds = spinmem.simulate(net, temperature=0.4, sweeps=15, replicas=2, seed=3)
    out[key] = [ds.state.values.tolist(), ds.energy.values.tolist()]
print(json.dumps(out))
"""


def test_compiled_dense_memories_agree_with_pure_python_bit_for_bit():
    """NUMBA_DISABLE_JIT runs the kernels as plain Python: same states, same energies."""
    runs = []
    for extra in ({}, {"NUMBA_DISABLE_JIT": "1"}):
        out = subprocess.run(
            [sys.executable, "-c", _PURE],
            env=dict(os.environ, **extra),
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert out.returncode == 0, out.stderr
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    assert runs[0] == runs[1]


def test_exponential_ties_are_exactly_zero():
    """Pairs of patterns that differ only at site i, with ``xi_i = s_i`` in the first:
    flipping s_i swaps the two overlaps of each pair (M and M - 2), so the energy is
    unchanged; the float field at site i must be exactly 0 (a tie, kept by zero
    temperature dynamics), whatever order the pairs are stored in."""
    rng = np.random.default_rng(3)
    n, i = 30, 7
    s = rng.choice(np.array([-1, 1], np.int8), n)
    first = rng.choice(np.array([-1, 1], np.int8), (5, n))
    first[:, i] = s[i]
    second = first.copy()
    second[:, i] *= -1
    xi = np.concatenate([first, second])[rng.permutation(10)]
    net = memory.DenseMemory(xi, "exp", lam=0.37)
    assert net.local_fields(s)[i] == 0.0
    assert net.kernel_view().tie == 0.0
    flipped = s.copy()
    flipped[i] *= -1
    assert net.energy(flipped) == pytest.approx(net.energy(s), rel=1e-14)


def test_exponential_memory_retrieves_from_far_cues_with_tiny_fields():
    """N = 200, lam = 1: at a cue of overlap 0.8 the fields are about exp(-40), far
    below any rounding tolerance of the largest possible field; they are real energy
    differences and must drive the cue to its pattern."""
    xi = spinmem.random_patterns(50, 200, seed=2)
    net = memory.DenseMemory(xi, "exp", lam=1.0)
    cues = spinmem.make_cues(xi[:5], 0.1, seed=3)
    out = spinmem.relax(net, cues, seed=4)
    np.testing.assert_array_equal(out.state, xi[:5])


def test_the_former_module_name_warns_and_gives_the_same_objects():
    """``spinmem.dense`` (the old module name) imports with a DeprecationWarning and
    holds the objects of ``spinmem.memory``; a model pickled under the old name loads
    as the same model."""
    code = (
        "import pickle, warnings, spinmem\n"
        "with warnings.catch_warnings(record=True) as seen:\n"
        "    warnings.simplefilter('always')\n"
        "    from spinmem import dense\n"
        "assert any(issubclass(w.category, DeprecationWarning) for w in seen)\n"
        "assert dense.DenseMemory is spinmem.memory.DenseMemory is spinmem.DenseMemory\n"
        "assert dense.LAM_MIN == spinmem.memory.LAM_MIN\n"
        "net = spinmem.DenseMemory(spinmem.random_patterns(3, 12, seed=1), degree=3)\n"
        "old = pickle.dumps(net, protocol=0).replace(b'spinmem.memory', b'spinmem.dense')\n"
        "assert b'spinmem.dense' in old\n"
        "back = pickle.loads(old)\n"
        "s = spinmem.random_patterns(5, 12, seed=2)\n"
        "assert (back.energy(s) == net.energy(s)).all()\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"


@pytest.mark.parametrize("degree", [3, 4])
def test_integer_tables_run_as_float64_with_the_same_numbers(degree, monkeypatch):
    """The kernels read a power memory's integer table as float64 when every sum they
    form stays below 2^53: states, energies, overlaps, fields and relaxations are bit
    for bit those of the int64 table (forced here), with 60 patterns on 40 spins."""
    xi = spinmem.random_patterns(60, 40, seed=21)
    as_float = memory.DenseMemory(xi, degree=degree)
    assert as_float.kernel_view().cp[3].dtype == np.float64
    monkeypatch.setattr(spinmem._couplings, "_kernel_table", lambda table, p: table)
    as_int = memory.DenseMemory(xi, degree=degree)
    assert as_int.kernel_view().cp[3].dtype == np.int64
    for dynamics, temperature in (("glauber", 0.5), ("metropolis", 0.3), ("zero", 0.0)):
        a, b = (
            spinmem.simulate(
                net,
                temperature=temperature,
                dynamics=dynamics,
                sweeps=30,
                replicas=3,
                seed=5,
                record_states=True,
                progress=False,
            )
            for net in (as_float, as_int)
        )
        assert a.identical(b)
    cues = spinmem.make_cues(xi[:10], 0.3, seed=6)
    a, b = (spinmem.relax(net, cues, seed=7) for net in (as_float, as_int))
    assert a.identical(b)
    np.testing.assert_array_equal(as_float.local_fields(cues), as_int.local_fields(cues))
    np.testing.assert_array_equal(as_float.energy(cues), as_int.energy(cues))


def test_integer_tables_too_large_for_float64_stay_int64():
    """Degree 8 at N = 100: max |F| = 100^8 > 2^53, so the kernels keep the int64 table
    (exact), and the kept energy still equals a fresh computation."""
    xi = spinmem.random_patterns(4, 100, seed=22)
    net = memory.DenseMemory(xi, degree=8)
    assert net.kernel_view().cp[3].dtype == np.int64
    ds = spinmem.simulate(
        net, temperature=2.0, sweeps=50, replicas=2, seed=3, progress=False
    )
    fresh = _naive_energy(xi, ds.state.values, interaction="power", degree=8)
    np.testing.assert_allclose(ds.energy.isel(sweep=-1), fresh, rtol=1e-12)
