"""Simulation against replica theory, and the study scripts' quick runs."""

import fcntl
import importlib.util
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

import spinmem
from spinmem import theory

STUDIES = Path(__file__).resolve().parent.parent / "studies"


def _retrieval_overlap(alpha, temperature, n=2000, starts=8, sweeps=600, seed=3):
    """Time-averaged overlap with the starting pattern after 100 sweeps; mean over
    ``starts`` patterns and its standard error (patterns as independent samples)."""
    p = round(alpha * n)
    xi = spinmem.random_patterns(p, n, seed=seed)
    net = spinmem.Hopfield.hebbian(xi)
    ds = spinmem.simulate(
        net,
        temperature=temperature,
        sweeps=sweeps,
        init=xi[:starts],
        seed=seed + 1,
        record_every=5,
    )
    m = np.array(
        [
            ds.overlap.isel(replica=k, pattern=k).sel(sweep=slice(100, None)).mean()
            for k in range(starts)
        ]
    )
    return m.mean(), m.std(ddof=1) / np.sqrt(starts)


@pytest.mark.parametrize(("alpha", "temperature"), [(0.05, 0.3), (0.1, 0.2)])
def test_retrieval_overlap_matches_replica_symmetric_theory(alpha, temperature):
    """Inside the retrieval phase, N = 2000: |m_sim - m_RS| < 5 SE + 0.005.

    The allowance 0.005 bounds the finite-size shift (measured below 0.002 at N = 1000
    and 2000 for these points) and replica-symmetry breaking, which changes m by less
    than 1e-3 inside the retrieval phase (Steffan & Kuehn 1994)."""
    m_rs = theory.solve_rs(alpha, temperature).m
    mean, se = _retrieval_overlap(alpha, temperature)
    assert abs(mean - m_rs) < 5 * se + 0.005, (mean, se, m_rs)


def test_overlap_collapses_beyond_capacity():
    """alpha = 0.2 > alpha_c: started in a pattern, the overlap falls to a remanent value
    far below the smallest retrieval overlap of the theory (0.967 at alpha_c)."""
    assert theory.solve_rs(0.2, 0.05).m == 0.0
    mean, _ = _retrieval_overlap(0.2, 0.05, sweeps=300)
    assert mean < 0.6


def _load_study(name):
    spec = importlib.util.spec_from_file_location(f"study_{name}", STUDIES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXPECTED = {
    "phase_diagram": ({"m", "q", "m_random"}, ("alpha", "temperature", "seed")),
    "capacity": ({"m", "exact"}, ("alpha", "n", "seed")),
    "unlearning": (
        {"stable_fraction", "retrieval_overlap", "spurious_fraction", "min_stability"},
        ("alpha", "epsilon", "seed", "t"),
    ),
    "mixtures": ({"fraction", "energy"}, ("alpha", "temperature", "seed", "category")),
    "annealing": ({"final", "best"}, ("n", "steps", "instance", "seed")),
    "unlearning_capacity": ({"window", "t_top", "top_stability"}, ("alpha", "n", "seed")),
}


@pytest.fixture(scope="module")
def quick_runs(tmp_path_factory, worker_id):
    """Each study's --quick run, once per test session in a temporary folder that the
    session's xdist workers share: the first worker to need a study runs it under a
    lock, the others wait for it and read its files."""
    base = tmp_path_factory.getbasetemp()
    out = (base if worker_id == "master" else base.parent) / "quick-studies"
    out.mkdir(exist_ok=True)

    def run(name):
        with open(out / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            done = out / f"{name}.done"
            if not done.exists():
                _load_study(name).main(["--quick", "--out", str(out), "--no-progress"])
                done.touch()
        return out

    return run


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_quick_study_writes_hdf5_and_figure(name, quick_runs):
    tmp_path = quick_runs(name)
    variables, dims = EXPECTED[name]
    ds = spinmem.load(tmp_path / f"{name}-quick.h5")
    assert ds.attrs["sweep_status"] == "complete" and ds.attrs["study"] == name
    assert variables <= set(ds.data_vars)
    for var in variables:
        assert ds[var].dims == dims
        if var != "energy":  # mean energy of a class no start ended in is NaN
            assert np.all(np.isfinite(ds[var].values))
        assert ds[var].attrs["units"] == "1"
    png = (tmp_path / f"{name}-quick.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_unlearning_capacity_quick_shows_the_window_closing(quick_runs):
    """Every network gets an all-stable window at alpha = 0.3, none at 0.75; the
    crossing of the window fraction (alpha_c^HU(N) for N = 40, 80) lies in [0.45, 0.75],
    around the literature's 0.6; where windows exist the collapse comes near t = alpha
    (docs/physics.md section 4: t_fin ~ alpha for alpha <= 0.5), within 0.1."""
    study_module = _load_study("unlearning_capacity")
    ds = spinmem.load(quick_runs("unlearning_capacity") / "unlearning_capacity-quick.h5")
    window = ds.window.mean("seed")
    assert np.all(window.sel(alpha=0.3) == 1.0) and np.all(window.sel(alpha=0.75) == 0.0)
    for n, alpha_c in study_module.capacities(ds).items():
        assert 0.45 <= alpha_c <= 0.75, (n, alpha_c)
    for alpha in (0.3, 0.45):
        t_fin = ds.t_fin.sel(alpha=alpha).values
        assert np.all(np.abs(t_fin - alpha) < 0.1), (alpha, t_fin)
    assert np.all(ds.t_in.sel(alpha=0.3) < ds.t_top.sel(alpha=0.3))


def test_annealing_estimates_the_ground_state_from_the_lowest_energy_per_instance(
    quick_runs,
):
    """The ground-state estimate is each instance's lowest energy over all schedules,
    averaged over instances (checked against a direct computation on the quick
    store); longer schedules find lower energies; the fit in N^(-2/3) is exact on
    data that lie on such a line."""
    annealing = _load_study("annealing")
    ds = spinmem.load(quick_runs("annealing") / "annealing-quick.h5")
    best = ds.best.isel(seed=0).values  # (n, steps, instance)
    sizes = annealing.ground_estimates(ds)
    lowest = best.min(axis=1)
    np.testing.assert_allclose(sizes.ground.values, lowest.mean(axis=1))
    np.testing.assert_allclose(
        sizes.ground_stderr.values, lowest.std(axis=1, ddof=1) / np.sqrt(best.shape[2])
    )
    gain = best[:, :-1].min(axis=1) - lowest
    np.testing.assert_allclose(sizes.last_gain.values, gain.mean(axis=1))
    mean = ds.best.mean(["instance", "seed"])
    assert np.all(mean.isel(steps=-1) < mean.isel(steps=0) - 0.02)
    line = ds.copy()
    n = line.n.values[:, None, None, None]
    line["best"] = -0.76 + 0.9 * n ** (-2 / 3) + 0.0 * line.best
    line["best"][dict(instance=0)] += 0.01  # instance spread: nonzero standard errors
    line["best"][dict(instance=1)] -= 0.01
    est = annealing.estimate(line)
    assert est["limit"] == pytest.approx(-0.76, abs=1e-9)
    assert est["a"] == pytest.approx(0.9, abs=1e-7)


def test_unlearning_capacity_errors_come_from_resampling_the_networks(quick_runs):
    """The error of alpha_c^HU(N) is the bootstrap spread over networks with the
    resolution of the load grid, (bracket width) / sqrt(12), added in quadrature: when
    every network at a load agrees the bootstrap spread is zero and the resolution is
    all that is left, so no size counts as exact; the same on every call; the nu = 1
    extrapolation of two sizes passes through both."""
    uc = _load_study("unlearning_capacity")
    ds = spinmem.load(quick_runs("unlearning_capacity") / "unlearning_capacity-quick.h5")
    errors = uc.capacity_errors(ds)
    assert errors == uc.capacity_errors(ds) and all(e > 0 for e in errors.values())
    agreeing = ds.copy()
    agreeing["window"] = ds.window.isel(seed=0).broadcast_like(ds.window)
    found = uc.capacities(agreeing)
    alphas = ds.alpha.values
    for n, e in uc.capacity_errors(agreeing).items():
        k = np.searchsorted(alphas, found[n])
        assert e == pytest.approx((alphas[k] - alphas[k - 1]) / np.sqrt(12), rel=1e-12)
        assert e**2 < errors[n] ** 2
    found = uc.capacities(ds)
    fit = uc.extrapolations(ds)["nu=1"]
    for n, value in found.items():
        assert fit["limit"] + fit["a"] / n == pytest.approx(value, abs=1e-9)


def test_phase_diagram_quick_shows_the_three_phases(quick_runs):
    """Retrieval at low alpha and T, spin glass at high alpha and low T, paramagnet
    above T_g, as in the AGS diagram."""
    ds = spinmem.load(quick_runs("phase_diagram") / "phase_diagram-quick.h5")
    m = ds.m.mean("seed")
    q = ds.q.mean("seed")
    assert float(m.sel(alpha=0.03, temperature=0.25)) > 0.9
    assert float(m.sel(alpha=0.18, temperature=0.1)) < 0.5
    assert float(q.sel(alpha=0.18, temperature=0.1)) > 0.7
    assert float(q.sel(alpha=0.09, temperature=1.45)) < 0.15


def test_equilibrium_quick_writes_both_stores_and_orders_the_phases(quick_runs):
    """SK and Hopfield stores, the figure, and the phases in order: twin overlaps far
    larger in the glass (SK, T = 0.5) than in the paramagnet (T = 1.6), the retrieval
    states holding the weight at T = 0.3 for alpha = 0.02 and losing it at T = 1.6."""
    out = quick_runs("equilibrium")
    sk = spinmem.load(out / "equilibrium-sk-quick.h5")
    hop = spinmem.load(out / "equilibrium-hopfield-quick.h5")
    for ds in (sk, hop):
        assert ds.attrs["sweep_status"] == "complete"
        for var in ("q2", "q4", "pq", "energy", "c", "q2_rhat", "acceptance"):
            assert np.all(np.isfinite(ds[var].values)), var
            assert ds[var].attrs["units"] == "1"
    q2 = sk.q2.mean("seed")
    assert np.all(q2.sel(temperature=0.5) > 4 * q2.sel(temperature=1.6))
    weight = hop.retrieval.mean("seed").sel(alpha=0.02)
    assert np.all(weight.isel(temperature=0) > 0.9)
    assert np.all(weight.isel(temperature=-1) < 0.1)
    png = (out / "equilibrium-quick.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_equilibrium_long_runs_replace_the_short_ones_where_both_exist(quick_runs):
    """The merged Hopfield result holds the long store's samples at its points, the
    short store's elsewhere, and says which with ``sweeps``."""
    out = quick_runs("equilibrium")
    short = spinmem.load(out / "equilibrium-hopfield-quick.h5")
    long = spinmem.load(out / "equilibrium-hopfield-long-quick.h5")
    ds = _load_study("equilibrium").refine(short, long)
    assert ds.sizes == short.sizes
    at = {"alpha": long.alpha.values, "n": long.n.values}
    elsewhere = {"n": [n for n in short.n.values if n not in long.n.values]}
    for name in ("q2", "pq", "retrieval", "round_trips"):
        assert ds[name].dtype == short[name].dtype, name
        assert ds[name].sel(at).identical(long[name].sel(at)), name
        assert ds[name].sel(elsewhere).identical(short[name].sel(elsewhere)), name
    assert not ds.q2.sel(at).equals(short.q2.sel(at))
    assert int(ds.sweeps.sel(alpha=0.04, n=200)) == long.attrs["sweeps"] == 1200
    assert int(ds.sweeps.sel(alpha=0.04, n=100)) == short.attrs["sweeps"] == 600
    assert int(ds.sweeps.sel(alpha=0.02, n=200)) == 1200
    with pytest.raises(ValueError, match="samples per point"):
        _load_study("equilibrium").refine(short, long.isel(seed=[0]))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sk = spinmem.load(out / "equilibrium-sk-quick.h5")
    axes = _load_study("equilibrium").figure(sk, ds)
    labels = [t.get_text() for t in axes[1, 1].get_legend().get_texts()]
    assert "N = 100, 600 sweeps" in labels and "N = 200, 1200 sweeps" in labels
    plt.close(axes[0, 0].figure)


def _ladder_step(t, crossing: xr.DataArray) -> xr.DataArray:
    """The width of the step of the temperature ladder ``t`` that holds ``crossing``."""
    return xr.apply_ufunc(lambda x: np.diff(t)[np.searchsorted(t, x) - 1], crossing)


def test_population_annealing_agrees_with_mixed_tempering_on_the_same_networks(
    quick_runs,
):
    """The annealed store covers the long runs' points with their networks: on every
    sample whose tempering chains mixed, the two methods put the retrieval weight's
    crossing of 1/2 within one step of the annealing ladder there (the resolution of
    its linear interpolation), while the independent annealing runs of one network
    agree with each other to the same resolution."""
    study = _load_study("equilibrium")
    out = quick_runs("equilibrium")
    long = spinmem.load(out / "equilibrium-hopfield-long-quick.h5")
    annealed = spinmem.load(out / "equilibrium-annealed-quick.h5")
    for name in ("seed_entropy", "seed_spawn_key"):
        assert annealed.attrs[name] == long.attrs[name]
    for name in ("alpha", "n", "seed"):
        np.testing.assert_array_equal(annealed[name], long[name])
    cross = spinmem.analysis.crossings
    per_pa = cross(annealed.retrieval, 0.5, "temperature")
    per_pt = cross(long.retrieval, 0.5, "temperature")
    step = _ladder_step(annealed.temperature.values, per_pa)
    mixed = study._mixed(long)
    assert int(mixed.sum()) >= 2
    assert bool(((abs(per_pa - per_pt) < step) | ~mixed).all())
    runs = cross(annealed.run_retrieval, 0.5, "temperature")
    assert bool(((runs.max("run") - runs.min("run")) < step).all())


def test_larger_populations_anneal_the_long_runs_networks(quick_runs):
    """The larger-population store rebuilds the long runs' networks from their seeds:
    its point function, given the seed the annealed store's point had, reproduces that
    store's numbers exactly; and on every sample the larger population puts the
    crossing of 1/2 within one step of the ladder of the smaller one's, with a larger
    R / rho_t at it (rho_t stays put as R grows)."""
    study = _load_study("equilibrium")
    out = quick_runs("equilibrium")
    annealed = spinmem.load(out / "equilibrium-annealed-quick.h5")
    certified = study.samples_of(spinmem.load(out / "equilibrium-annealed-large-quick.h5"))
    long, spec = study.QUICK["hopfield-long"], study.ANNEAL["quick"]
    root = spinmem.study.sweep_seed(2026, study.LONG_STREAM)
    point = {"alpha": 0.04, "n": 200, "seed": 1}
    network_seed = spinmem.point_seed(long.grid(), point, seed=root, seeds=long.seeds)
    again = study.certify_function(long, spec, 2026)(0.04, 200, 1, seed=network_seed)
    for name in ("retrieval", "free_energy", "rho_t"):
        np.testing.assert_array_equal(again[name], annealed[name].sel(point), name)
    small = annealed.sel(alpha=certified.alpha, n=certified.n)
    cross = spinmem.analysis.crossings
    per_small = cross(small.retrieval, 0.5, "temperature")
    per_large = cross(certified.retrieval, 0.5, "temperature")
    step = _ladder_step(certified.temperature.values, per_small)
    assert bool((abs(per_large - per_small) < step).all())
    ratios = [
        study._families_at(ds, per)
        for ds, per in ((small, per_small), (certified, per_large))
    ]
    assert bool((ratios[1] > ratios[0]).all())


def test_a_refining_sweep_slots_in_between_the_coarse_loads():
    """The refining sweep's points land between the coarse ones, each with its own
    values, and the combined Dataset says which loads it added."""
    coarse = xr.Dataset(
        {"window": (("alpha", "n"), [[1.0, 1.0], [0.0, 0.25]])},
        coords={"alpha": [0.6, 0.65], "n": [100, 200]},
        attrs={"epsilon": 0.01},
    )
    fine = xr.Dataset(
        {"window": (("alpha", "n"), [[0.75, 0.5], [0.5, 0.5]])},
        coords={"alpha": [0.63, 0.61], "n": [100, 200]},
    )
    ds = spinmem.study.refined(coarse, fine)
    assert ds.alpha.values.tolist() == [0.6, 0.61, 0.63, 0.65]
    np.testing.assert_array_equal(ds.window.sel(n=200), [1.0, 0.5, 0.5, 0.25])
    assert ds.attrs == {"epsilon": 0.01, "fine_alphas": [0.63, 0.61]}


def _annealed_like(retrieval, rho_t, replicas):
    t = np.linspace(0.3, 1.0, retrieval.shape[-1])
    dims = ("alpha", "n", "seed", "temperature")
    seeds = np.arange(retrieval.shape[0])
    coords = {"alpha": [0.04], "n": [800], "seed": seeds, "temperature": t}
    ds = xr.Dataset(
        {"retrieval": (dims, retrieval[None, None]), "rho_t": (dims, rho_t[None, None])},
        coords=coords,
    )
    return ds.assign_attrs(replicas=replicas, runs=1)


def test_family_ratio_is_not_read_where_a_sample_never_crosses(capsys):
    """A sample whose retrieval weight never reaches 1/2 has no crossing, so no
    R / rho_t at it: the report prints '-' (interpolating rho_t at a NaN temperature
    gave a number)."""
    study = _load_study("equilibrium")
    falling = np.linspace(1.0, 0.0, 8)
    retrieval = np.stack([falling, np.full(8, 0.1)])
    rho_t = np.tile(np.linspace(100.0, 10.0, 8), (2, 1))
    small = _annealed_like(retrieval, rho_t, 500)
    large = _annealed_like(retrieval, rho_t / 2, 5000)
    study.report_certified(small, large)
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2].strip().startswith("sample 0: T 0.650 -> 0.650, R / rho_t 9 -> 182")
    assert lines[-1].strip() == "sample 1: T - -> -, R / rho_t - -> -"


def _branched_like(retrieval, rejected, rho_t, replicas):
    """A branch store (as ``samples_of`` gives it) on the first 6 temperatures of
    :func:`_annealed_like`'s, two identical runs per sample."""
    t = np.linspace(0.3, 1.0, 8)[:6]
    dims = ("alpha", "n", "seed", "temperature")
    coords = {"alpha": [0.04], "n": [800], "seed": [0, 1, 2], "temperature": t}
    runs = np.stack([retrieval, retrieval], axis=1)
    ds = xr.Dataset(
        {
            "retrieval": (dims, retrieval[None, None]),
            "run_retrieval": ((*dims[:3], "run", *dims[3:]), runs[None, None]),
            "rejected_rest": (dims, rejected[None, None]),
            "rejected_retrieval": (dims, np.zeros_like(rejected)[None, None]),
            "rho_t": (dims, rho_t[None, None]),
        },
        coords=coords,
    )
    return ds.assign_attrs(replicas=replicas)


def test_each_sample_is_decided_by_the_method_whose_checks_it_passes():
    """Sample 0: annealing has R / rho_t = 50 at its crossing, it decides; sample 1:
    annealing has 5, the branches pass (runs agree, 5 % rejected, R / rho_t 100 in the
    branch with no pattern retrieved; 90 % of a retrieval branch's blocks rejected
    does not count), they decide; sample 2: annealing has 5 and half the branches'
    blocks were rejected, it is open, and so is the point. Without sample 2 the
    verdict is the crossing of the mean of sample 0's annealing curve and sample 1's
    branch curve, worked out by hand: 0.6 + 0.1 (0.5107 - 0.5) / (0.5107 - 0.3893)."""
    study = _load_study("equilibrium")
    t = np.linspace(0.3, 1.0, 8)
    falling = (1.0 - t) / 0.7  # crosses 1/2 at T = 0.65
    pa = np.stack([falling, falling, falling])
    rho_t = np.stack([np.full(8, 10.0), np.full(8, 100.0), np.full(8, 100.0)])
    certified = _annealed_like(pa, rho_t, 500)
    linear = 1.05 - t[:6]  # crosses 1/2 at T = 0.55
    branches = np.stack([linear, linear, linear])
    rejected = np.stack([np.zeros(6), np.full(6, 0.05), np.full(6, 0.5)])
    branched = _branched_like(branches, rejected, np.full((3, 6), 10.0), 1000)
    branched["rejected_retrieval"].loc[{"seed": 1}] = 0.9
    decision = study.decide(certified, branched).sel(alpha=0.04, n=800)
    assert decision.method.values.tolist() == [1, 2, 0]
    np.testing.assert_allclose(decision.t_annealing, 0.65)
    np.testing.assert_allclose(decision.t_branches, 0.55)
    assert np.isnan(float(decision.t_half))
    two = study.decide(certified.isel(seed=[0, 1]), branched.isel(seed=[0, 1]))
    at_06 = (falling[3] + linear[3]) / 2
    at_07 = (falling[4] + linear[4]) / 2
    expected = t[3] + (t[4] - t[3]) * (at_06 - 0.5) / (at_06 - at_07)
    np.testing.assert_allclose(float(two.t_half.squeeze()), expected, rtol=1e-12)
    assert abs(expected - 0.6088) < 1e-4


class _Built(Exception):
    """Stops a point function once it has built its network."""


def test_branch_points_rebuild_the_long_runs_networks(quick_runs, monkeypatch):
    """The branch store's point function, given the seed its point had, reproduces the
    store's numbers exactly; and it builds the network that the larger-population point
    function builds for the same sample (the one the annealed store's networks are
    checked against), and another one for another sample."""
    study = _load_study("equilibrium")
    out = quick_runs("equilibrium")
    branched = spinmem.load(out / "equilibrium-branches-quick.h5")
    long, spec = study.QUICK["hopfield-long"], study.BRANCHES["quick"]
    grid = {"alpha": spec.alpha, "n": spec.n, "sample": [0, 1]}
    point = {"alpha": 0.04, "n": 200, "sample": 1, "seed": 0}
    root = spinmem.study.sweep_seed(2026, study.LONG_STREAM + 2)
    seed = spinmem.point_seed(grid, point, seed=root, seeds=1)
    again = study.branch_function(long, spec, 2026)(0.04, 200, 1, seed=seed)
    for name in ("retrieval", "run_retrieval", "free_energy", "rejected_rest"):
        np.testing.assert_array_equal(again[name], branched[name].sel(point), name)
    built, build = [], spinmem.study.hebbian_network

    def record(*args):
        built.append(build(*args).patterns)
        raise _Built

    monkeypatch.setattr(spinmem.study, "hebbian_network", record)
    certify = study.certify_function(long, study.CERTIFY["quick"].anneal, 2026)
    branch = study.branch_function(long, spec, 2026)
    for function, sample in ((certify, 1), (branch, 1), (branch, 0)):
        with pytest.raises(_Built):
            function(0.04, 200, sample, seed=seed)
    np.testing.assert_array_equal(built[1], built[0])
    assert not np.array_equal(built[2], built[0])


def test_rules_quick_orders_the_capacities(quick_runs):
    """Both stores and the figure; at alpha = 0.3 the Hebbian, clipped and diluted
    rules store almost no pattern while the projection rule and the exponential memory
    keep every one (projection: a fixed point for every pattern below alpha = 1), the
    Storkey rule more than the Hebbian one at alpha = 0.15; the power memories keep
    almost every pattern at half their error-free capacity and almost none at 8
    times it."""
    out = quick_runs("rules")
    pair = spinmem.load(out / "rules-quick.h5")
    mem = spinmem.load(out / "rules-memories-quick.h5")
    for ds in (pair, mem):
        assert ds.attrs["sweep_status"] == "complete"
        for var in ("stable", "m", "recalled", "converged"):
            assert np.all(np.isfinite(ds[var].values)), var
    stable = pair.stable.mean("seed")
    for rule in ("hebbian", "clipped", "diluted"):
        assert np.all(stable.sel(rule=rule, alpha=0.3) < 0.1), rule
    assert np.all(stable.sel(rule=["projection", "exp"]) == 1.0)
    assert np.all(
        stable.sel(rule="storkey", alpha=0.15) > stable.sel(rule="hebbian", alpha=0.15)
    )
    power = mem.stable.mean("seed")
    assert np.all(power.sel(relative_load=0.5) > 0.9)
    assert np.all(power.sel(relative_load=8.0) < 0.1)
    png = (out / "rules-quick.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_rules_learned_couplings_meet_their_goals_where_they_should(quick_runs):
    """The learned-couplings store: a perceptron that met its goal has every stability
    above its margin, one that did not has some below; no perceptron stores beyond
    Gardner's bound for its margin; the projection rule stores every pattern below
    alpha = 1 and none beyond; unlearning's record at D_top has the largest minimum
    stability of its trace (checked against a direct run)."""
    rules = _load_study("rules")
    ds = spinmem.load(quick_runs("rules") / "rules-learned-quick.h5")
    for kappa in rules.KAPPAS:
        cell = ds.sel(learning=f"perceptron kappa={kappa:g}")
        met = cell.learned.values == 1
        assert np.all(cell.min_stability.values[met] > kappa)
        assert np.all(cell.min_stability.values[~met] <= kappa)
        beyond = cell.alpha > spinmem.theory.gardner_capacity(kappa)
        assert not np.any(cell.learned.where(beyond, 0).values)
    projection = ds.sel(learning="projection")
    assert np.all(projection.learned.sel(alpha=[0.2, 0.4, 0.6, 0.8]) == 1)
    assert np.all(projection.learned.sel(alpha=1.3) == 0)
    assert np.all(np.isnan(projection.m.sel(alpha=1.3)))
    n, alpha = 40, 0.4
    xi = spinmem.random_patterns(round(alpha * n), n, seed=3)
    net, met = rules._learned_model(
        "unlearning", xi, max_steps=1, seed=np.random.SeedSequence(4)
    )
    _, trace = spinmem.unlearn(
        spinmem.Hopfield.hebbian(xi),
        dreams=round(rules.UNLEARNING_T_MAX * n / rules.UNLEARNING_EPSILON),
        epsilon=rules.UNLEARNING_EPSILON,
        record_every=round(rules.UNLEARNING_DT * n / rules.UNLEARNING_EPSILON),
        seed=spinmem.seeding.child(np.random.SeedSequence(4), 4),
        measure="stability",
        progress=False,
    )
    assert float(net.stability(xi).min()) == pytest.approx(float(trace.min_stability.max()))
    assert met == float(np.any(trace.stable_fraction.values == 1.0))


_ON_AXES = {
    # study: (files its figure takes, layout)
    "phase_diagram": (["phase_diagram-quick.h5"], (1, 2)),
    "capacity": (["capacity-quick.h5"], (1, 2)),
    "unlearning": (["unlearning-quick.h5"], (1, 3)),
    "annealing": (["annealing-quick.h5"], (1, 2)),
    "mixtures": (["mixtures-quick.h5", "mixtures-energies-quick.h5"], None),
    "equilibrium": (["equilibrium-sk-quick.h5", "equilibrium-hopfield-quick.h5"], (2, 2)),
    "rules": (
        ["rules-quick.h5", "rules-memories-quick.h5", "rules-learned-quick.h5"],
        (3, 2),
    ),
    "unlearning_capacity": (["unlearning_capacity-quick.h5"], (1, 2)),
}


@pytest.mark.parametrize("name", sorted(_ON_AXES))
def test_every_plot_draws_on_the_axes_it_is_given(name, quick_runs):
    """Each study's figure draws on a user's axes (no new figure), returns exactly
    those axes, and puts data on every one of them; a wrong number of axes is
    refused."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    files, layout = _ON_AXES[name]
    out = quick_runs(name)
    data = [spinmem.load(out / f) for f in files]
    if layout is None:  # one panel per temperature, and the energies
        layout = (1, data[0].sizes["temperature"] + 1)
    fig, axes = plt.subplots(*layout, squeeze=False)
    figures = plt.get_fignums()
    plot = _load_study(name).figure
    keyword = "ax" if layout == (1, 1) else "axes"
    given = axes[0, 0] if layout == (1, 1) else axes
    drawn = plot(*data, **{keyword: given})
    assert plt.get_fignums() == figures
    assert [id(a) for a in np.ravel(drawn)] == [id(a) for a in axes.ravel()]
    for ax in axes.ravel():
        assert ax.lines or ax.collections or ax.patches or ax.images, ax
    with pytest.raises(ValueError, match="matplotlib Axes"):
        plot(*data, **{keyword: [axes[0, 0]] * (axes.size + 1)})
    plt.close(fig)


def test_quicklook_draws_on_a_given_ax(quick_runs):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ds = spinmem.load(quick_runs("capacity") / "capacity-quick.h5")
    fig, ax = plt.subplots()
    assert spinmem.plot.quicklook(ds, "m", ax=ax) is ax
    assert len(ax.collections) == 1  # the (alpha, n) colour map
    plt.close(fig)


def test_quicklook_refuses_to_average_a_meaningful_dimension_silently():
    """A P(q)-like variable over (temperature, q, n): a quick look shows two dimensions
    and refuses a third unless told to average it; repetitions are averaged anyway and
    the title says so; the mean it draws is the mean over what it names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    ds = xr.Dataset(
        {"p": (("temperature", "q", "n", "seed"), rng.random((3, 5, 2, 4)))},
        coords={"temperature": [0.2, 0.5, 0.8], "q": np.linspace(-1, 1, 5), "n": [8, 16]},
    )
    with pytest.raises(ValueError, match=r"\['temperature', 'q', 'n'\]: pass average"):
        spinmem.plot.quicklook(ds, "p")
    with pytest.raises(ValueError, match="not dimensions"):
        spinmem.plot.quicklook(ds, "p", average=["x"])
    fig, ax = plt.subplots()
    spinmem.plot.quicklook(ds, "p", average=["n"], ax=ax)
    assert ax.get_title() == "p, averaged over n, seed"
    (mesh,) = ax.collections
    expected = ds.p.mean(["n", "seed"]).transpose("temperature", "q").values
    np.testing.assert_allclose(np.asarray(mesh.get_array()).reshape(3, 5), expected)
    plt.close(fig)


def test_for_dataset_draws_on_given_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = Path(__file__).resolve().parents[1] / "data"
    phase = spinmem.load(data / "phase_diagram-quick.h5")
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="several panels: pass axes"):
        spinmem.plot.for_dataset(phase, ax=ax)
    fig2, axes = plt.subplots(1, 2)
    drawn = spinmem.plot.for_dataset(phase, axes=axes)
    assert [id(a) for a in np.ravel(drawn)] == [id(a) for a in axes]
    fig3, one = plt.subplots()
    assert spinmem.plot.for_dataset(phase, "m", ax=one) is one
    for f in (fig, fig2, fig3):
        plt.close(f)


COMMITTED = sorted((Path(__file__).resolve().parents[1] / "data").glob("*.h5"))


@pytest.mark.parametrize("path", COMMITTED, ids=[p.name for p in COMMITTED])
def test_committed_results_carry_cf_metadata(path):
    """Read raw (no upgrade by spinmem.load): every units attribute is the UDUNITS "1"
    (the package's quantities are in coupling units or counts), and the CF global
    attributes are there."""
    with h5py.File(path, "r") as handle:
        for key in ("Conventions", "history", "source", "references"):
            assert key in handle.attrs, key
        units = {}
        handle.visititems(lambda name, obj: units.update({name: obj.attrs.get("units")}))
    bad = {name: u for name, u in units.items() if u is not None and _text(u) != "1"}
    assert not bad


def _text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


@pytest.mark.parametrize("path", [p for p in COMMITTED if p.stem.endswith("-quick")])
def test_spinmem_plot_draws_the_study_figure_from_any_of_its_stores(path, tmp_path):
    """``spinmem plot`` draws the figure of the study that wrote a store, from that
    store and the study's others beside it (in the layout the figure has, data on
    every panel), for every committed quick store of the eight studies."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from spinmem.cli import main

    ds = spinmem.load(path)
    name = spinmem.study.module_of(ds.attrs["study"]).__name__.rsplit(".", 1)[-1]
    files, layout = _ON_AXES[name]
    if layout is None:
        census = spinmem.load(path.with_name(files[0]))
        layout = (1, census.sizes["temperature"] + 1)
    axes = np.ravel(spinmem.study.draw(path))
    assert len(axes) == layout[0] * layout[1]
    assert all(ax.lines or ax.collections or ax.patches or ax.images for ax in axes)
    plt.close("all")
    out = tmp_path / "figure.png"
    assert main(["plot", str(path), "-o", str(out)]) == 0
    assert out.stat().st_size > 10_000


def test_spinmem_plot_says_when_it_cannot_draw_a_study_figure(tmp_path, capsys):
    """A store without the other store its study's figure needs gets a line saying
    which store is missing, and a quick look: refused while it would have to average
    a dimension nobody named, drawn once one is named."""
    from spinmem.cli import main

    data = Path(__file__).resolve().parents[1] / "data"
    alone = tmp_path / "mixtures-quick.h5"
    alone.write_bytes((data / "mixtures-quick.h5").read_bytes())
    out = tmp_path / "look.png"
    assert main(["plot", str(alone), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "cannot draw the study's figure" in err
    assert "mixtures-energies-quick.h5" in err
    assert "['alpha', 'temperature', 'category']: pass average" in err
    assert main(["plot", str(alone), "-o", str(out), "--average", "category"]) == 0
    assert out.stat().st_size > 5_000


def test_former_plot_names_warn_and_give_the_study_figures():
    from spinmem.studies import capacity

    with pytest.warns(DeprecationWarning, match=r"spinmem.studies.capacity.figure"):
        assert spinmem.plot.capacity is capacity.figure
    with pytest.warns(DeprecationWarning, match=r"spinmem.studies.capacity.estimate"):
        assert spinmem.plot.capacity_estimate is capacity.estimate
    with pytest.raises(AttributeError):
        spinmem.plot.no_such_figure  # noqa: B018


_PARTS = ("sk", "hopfield", "hopfield-long", "annealed", "annealed-large", "branches")
_RESUMES = [  # (study, its arguments, committed stores it reads)
    ("phase_diagram", ["--quick"], ["phase_diagram-quick.h5"]),
    ("phase_diagram", [], ["phase_diagram.h5", "phase_diagram-1rsb.h5"]),
    ("capacity", ["--quick"], ["capacity-quick.h5"]),
    (
        "capacity",
        ["--max-n", "32000"],
        ["capacity-max32000.h5", "capacity-max32000-fine.h5"],
    ),
    ("capacity", [], ["capacity.h5", "capacity-fine.h5"]),
    ("unlearning", ["--quick"], ["unlearning-quick.h5"]),
    ("unlearning", [], ["unlearning.h5"]),
    ("unlearning_capacity", ["--quick"], ["unlearning_capacity-quick.h5"]),
    (
        "unlearning_capacity",
        [],
        ["unlearning_capacity.h5", "unlearning_capacity-fine.h5"],
    ),
    ("annealing", ["--quick"], ["annealing-quick.h5"]),
    ("annealing", [], ["annealing.h5"]),
    ("mixtures", ["--quick"], ["mixtures-quick.h5", "mixtures-energies-quick.h5"]),
    ("mixtures", [], ["mixtures.h5", "mixtures-energies.h5"]),
    (
        "rules",
        ["--quick"],
        ["rules-quick.h5", "rules-memories-quick.h5", "rules-learned-quick.h5"],
    ),
    ("rules", [], ["rules.h5", "rules-memories.h5", "rules-learned.h5"]),
    (
        "equilibrium",
        ["--quick"],
        [f"equilibrium-{p}-quick.h5" for p in _PARTS],
    ),
    (
        "equilibrium",
        [],
        [f"equilibrium-{p}.h5" for p in _PARTS],
    ),
]


@pytest.mark.parametrize(
    "name, files", [(name, files) for name, args, files in _RESUMES if args == ["--quick"]]
)
def test_quick_runs_reproduce_the_committed_quick_stores(name, files, quick_runs):
    """Same seed, same numbers: each study's --quick run writes the numbers of its
    committed quick stores, every variable and coordinate (a change of the code that
    changes a number has to regenerate them, and say so), up to the rounding of the CPU
    (:func:`_assert_same_numbers`)."""
    data = Path(__file__).resolve().parents[1] / "data"
    out = quick_runs(name)
    for f in files:
        before, after = spinmem.load(data / f), spinmem.load(out / f)
        assert set(after.variables) == set(before.variables), f
        for var in before.variables:
            _assert_same_numbers(after[var].values, before[var].values, f"{f}: {var}")


ROUNDING = 1e-10
"""Largest difference of a real number between CPUs, relative to the largest magnitude
of its variable. numpy picks its vectorised pow, exp and log by the CPU (AVX-512
versions round otherwise) and so do LAPACK and BLAS: a store written on one CPU differs
on another in the last bits, up to 2e-13 of the variable where a free-energy route
exponentiates ln Z of order N (the largest seen between an AVX-512 Xeon and an AMD
EPYC; this allows 500 times that). A change of the dynamics changes numbers by far
more."""


def _assert_same_numbers(actual, desired, message):
    """Equal arrays: integers, booleans and strings exactly, real numbers to
    :data:`ROUNDING` of the largest magnitude, NaN where ``desired`` has NaN."""
    actual, desired = np.asarray(actual), np.asarray(desired)
    if desired.dtype.kind != "f":
        np.testing.assert_array_equal(actual, desired, err_msg=message)
        return
    finite = np.abs(desired[np.isfinite(desired)])
    tolerance = ROUNDING * (finite.max() if finite.size else 0.0)
    np.testing.assert_allclose(actual, desired, rtol=0, atol=tolerance, err_msg=message)


@pytest.mark.slow
@pytest.mark.parametrize("name, args, files", _RESUMES, ids=lambda v: str(v))
def test_committed_stores_resume_with_the_current_code(name, args, files, tmp_path):
    """Every committed store is what the study's current code would write: rerun on a
    copy, the study finds every point done under the same identity and function code
    (a changed function is refused) and leaves the numbers as they were."""
    data = Path(__file__).resolve().parents[1] / "data"
    for f in files:
        (tmp_path / f).write_bytes((data / f).read_bytes())
    script = [sys.executable, str(STUDIES / f"{name}.py"), *args]
    run = subprocess.run(
        [*script, "--out", str(tmp_path), "--no-progress"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    for f in files:
        before, after = spinmem.load(data / f), spinmem.load(tmp_path / f)
        assert after.attrs.get("sweep_code") == before.attrs.get("sweep_code"), f
        for var in before.variables:
            np.testing.assert_array_equal(after[var].values, before[var].values, var)
