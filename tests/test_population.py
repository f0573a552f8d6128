"""Population annealing against exact enumeration."""

import itertools

import numpy as np
import pytest
import xarray as xr

import spinmem
from spinmem import population

N = 12


@pytest.fixture(scope="module")
def exact():
    """An SK instance of 12 spins and its exact ln Z(beta) and <H>_beta (all 4096
    states enumerated)."""
    net = spinmem.Hopfield.sherrington_kirkpatrick(N, seed=3)
    states = np.array(list(itertools.product([-1, 1], repeat=N)), dtype=np.int8)
    energies = net.energy(states)

    def at(beta):
        w = -beta * energies
        log_z = w.max() + np.log(np.exp(w - w.max()).sum())
        return log_z, float((np.exp(w - log_z) * energies).sum())

    return net, at


BETAS = np.linspace(0.0, 2.0, 41)


def _runs(net, count=6, **kwargs):
    return [
        population.population_anneal(
            net, BETAS, replicas=1000, sweeps_per_step=1, seed=s, progress=False, **kwargs
        )
        for s in range(count)
    ]


@pytest.fixture(scope="module")
def runs(exact):
    """Six independent runs (R = 1000, 41 betas up to 2, 1 sweep per step: few
    enough that the resampling, not the sweeps, keeps the population in
    equilibrium)."""
    return _runs(exact[0])


def _agree(runs, at, steps=(20, 40), within=4.0) -> bool:
    """Whether the runs' mean ln Z and mean energy at ``steps`` (beta = 1 and 2 on
    BETAS) lie within ``within`` standard errors of the exact values ``at(beta)`` (the
    standard error from the spread of the independent runs; within a run the replicas
    are not independent)."""
    for k in steps:
        truth = at(float(runs[0].beta[k]))
        for name, value in zip(("log_z", "energy"), truth, strict=True):
            values = np.array([float(r[name][k]) for r in runs])
            stderr = values.std(ddof=1) / np.sqrt(values.size)
            if not abs(values.mean() - value) < within * stderr + 1e-12:
                return False
    return True


def test_free_energy_and_energy_agree_with_exact_enumeration(exact, runs):
    """The six runs' mean ln Z and energy at beta = 1 and 2 lie within 4 standard
    errors of exact enumeration; the bookkeeping of a run is consistent."""
    net, at = exact
    assert _agree(runs, at)
    first = runs[0]
    assert float(first.log_z[0]) == pytest.approx(N * np.log(2.0))
    assert np.isnan(float(first.free_energy[0])) and np.isinf(float(first.temperature[0]))
    np.testing.assert_allclose(
        first.free_energy[1:], -first.log_z[1:] / first.beta[1:], rtol=1e-15
    )
    assert np.all(np.abs(first.population - 1000) < 150)
    assert first.families.values[0] == 1000 and np.all(np.diff(first.families) <= 0)
    assert first.rho_t.values[0] == pytest.approx(1.0) and np.all(first.rho_t >= 1.0)
    np.testing.assert_allclose(first.final_energy, net.energy(first.state.values))


def test_wrong_resampling_weights_fail_the_exact_comparison(exact, monkeypatch):
    """Control: with every weight set equal (no resampling: plain annealing, one sweep
    per step), the same comparison with exact enumeration fails: the sweeps alone do
    not equilibrate, so the test above checks the resampling (its errors are 3 to 26
    standard errors here)."""
    net, at = exact
    right = population._copies
    monkeypatch.setattr(
        population, "_copies", lambda w, target, rng: right(np.ones_like(w), target, rng)
    )
    assert not _agree(_runs(net, count=3), at)


def test_combined_runs_are_the_weighted_average(exact, runs):
    """combine: at every step, weights proportional to each run's Z estimate; the
    energy is the weighted mean of the runs' energies; ln Z the log of their mean Z;
    rho_s = R var(ln Z); and the combination agrees with exact enumeration within 4 of
    its standard errors."""
    _, at = exact
    two = population.combine(runs[:2])
    z = np.exp(np.array([r.log_z.values for r in runs[:2]]))
    w = z / z.sum(axis=0)
    energies = np.array([r.energy.values for r in runs[:2]])
    np.testing.assert_allclose(two.weight.values, w, rtol=1e-12)
    np.testing.assert_allclose(two.energy.values, (w * energies).sum(0), rtol=1e-12)
    np.testing.assert_allclose(two.log_z.values, np.log(z.mean(axis=0)), rtol=1e-12)
    log_z = np.array([r.log_z.values for r in runs[:2]])
    np.testing.assert_allclose(two.rho_s.values, 1000 * log_z.var(axis=0, ddof=1))
    six = population.combine(runs)
    spread = np.array([r.log_z.values for r in runs]).std(axis=0, ddof=1) / np.sqrt(6)
    for k in (20, 40):
        log_z_exact, energy_exact = at(BETAS[k])
        assert abs(float(six.energy[k]) - energy_exact) < 4 * float(six.energy_stderr[k])
        assert abs(float(six.log_z[k]) - log_z_exact) < 4 * spread[k]
    assert float(six.rho_s[40]) < 1000
    per_step = [r.drop_dims(["replica", "spin"]) for r in runs[:2]]
    along = population.combine(xr.concat(per_step, "run"))
    np.testing.assert_allclose(along.energy.values, two.energy.values, rtol=1e-12)


def test_combine_refuses_what_it_cannot_combine(exact, runs):
    net, _ = exact
    with pytest.raises(ValueError, match="at least 2 runs"):
        population.combine(runs[:1])
    other = population.population_anneal(
        net, np.linspace(0.0, 1.0, 41), replicas=1000, seed=1, progress=False
    )
    with pytest.raises(ValueError, match="different schedules"):
        population.combine([runs[0], other])
    smaller = population.population_anneal(net, BETAS, replicas=50, seed=1, progress=False)
    with pytest.raises(ValueError, match="different target populations"):
        population.combine([runs[0], smaller])
    with pytest.raises(TypeError, match="population_anneal results"):
        population.combine([runs[0], xr.Dataset()])


def test_a_run_does_not_depend_on_the_thread_count(exact):
    """The same seed on 1 and on all threads gives the same run bit for bit: every
    replica has its own random stream."""
    import numba

    net, _ = exact
    threads = numba.get_num_threads()
    got = []
    for use in sorted({1, max(2, threads)} & set(range(1, threads + 1))) or [1]:
        numba.set_num_threads(use)
        try:
            got.append(
                population.population_anneal(
                    net, BETAS[:11], replicas=200, seed=4, progress=False
                )
            )
        finally:
            numba.set_num_threads(threads)
    for other in got[1:]:
        np.testing.assert_array_equal(other.state, got[0].state)
        np.testing.assert_array_equal(other.log_z, got[0].log_z)


def test_hebbian_runs_record_the_pattern_overlaps():
    """On a Hebbian network the population records the mean |m| of every pattern per
    step: at beta = 0 that of the random initial states, at the last step that of the
    final population (both computed directly), where (beta = 3, far below T = 1) each
    replica sits near one of the patterns."""
    xi = spinmem.random_patterns(2, 30, seed=1)
    net = spinmem.Hopfield.hebbian(xi)
    ds = population.population_anneal(
        net, np.linspace(0.0, 3.0, 31), replicas=300, seed=2, progress=False
    )
    assert ds.overlap.dims == ("step", "pattern") and ds.sizes["pattern"] == 2
    start = spinmem.seeding.generator(spinmem.seeding.root_sequence(2), 0).choice(
        np.array([-1, 1], np.int8), size=(300, 30)
    )
    np.testing.assert_allclose(ds.overlap[0], np.abs(net.overlaps(start)).mean(0))
    final = np.abs(net.overlaps(ds.state.values))
    np.testing.assert_allclose(ds.overlap[-1], final.mean(0))
    assert np.mean(final.max(axis=1) > 0.9) > 0.9
    largest = np.abs(net.overlaps(start)).max(1)
    assert float(ds.largest_overlap[0]) == pytest.approx(largest.mean())
    assert float(ds.retrieval[0]) == np.mean(largest > 0.5)
    assert float(ds.retrieval[-1]) == np.mean(final.max(1) > 0.5)


def test_the_retrieval_weight_agrees_with_exact_enumeration(hebbian):
    """A Hebbian network of 12 spins and 3 patterns: the equilibrium weight of the
    states with some |m| > 0.5 (exact, all 4096 states; 0.11 at beta = 0, 0.32, 0.68
    and 0.98 at beta = 0.5, 1, 2) against six runs' mean, within 4 standard errors of
    the runs' spread; the combination is the Z-weighted mean of the runs."""
    net, states, energies = hebbian
    retrieved = np.abs(net.overlaps(states)).max(1) > 0.5
    betas = np.linspace(0.0, 2.0, 21)
    runs = [
        population.population_anneal(
            net, betas, replicas=1000, sweeps_per_step=1, seed=s, progress=False
        )
        for s in range(6)
    ]
    combined = population.combine(runs)
    for k in (0, 5, 10, 20):
        w = np.exp(-betas[k] * (energies - energies.min()))
        truth = float(np.sum(w * retrieved) / w.sum())
        values = np.array([float(r.retrieval[k]) for r in runs])
        stderr = values.std(ddof=1) / np.sqrt(values.size)
        assert abs(values.mean() - truth) < 4 * stderr, (k, truth, values)
        assert float(combined.retrieval[k]) == pytest.approx(
            np.average(values, weights=combined.weight.values[:, k])
        )


@pytest.fixture(scope="module")
def hebbian():
    """A Hebbian network of 12 spins and 3 patterns, its 4096 states and energies."""
    net = spinmem.Hopfield.hebbian(spinmem.random_patterns(3, N, seed=4))
    states = np.array(list(itertools.product([-1, 1], repeat=N)), dtype=np.int8)
    return net, states, net.energy(states)


def _in_region(hebbian, region, beta) -> tuple[float, float]:
    """Exact ln Z_A(beta) and <H> over the states of ``region``."""
    net, states, energies = hebbian
    inside = energies[region.contains(net, states)]
    w = -beta * inside
    log_z = w.max() + np.log(np.exp(w - w.max()).sum())
    return log_z, float((np.exp(w - log_z) * inside).sum())


def _exact_in(hebbian, region):
    """``at(beta)`` for :func:`_agree`: the exact values over ``region``."""
    return lambda beta: _in_region(hebbian, region, beta)


def _confined(hebbian, betas, region, init=None, log_z0=None, count=6):
    """``count`` runs confined to ``region`` (R = 1000, 1 sweep per step); with
    ``init`` a callable of the run giving its initial states."""
    net = hebbian[0]
    return [
        population.population_anneal(
            net,
            betas,
            replicas=1000,
            sweeps_per_step=1,
            seed=s,
            progress=False,
            region=region,
            init=None if init is None else init(s),
            log_z0=log_z0,
        )
        for s in range(count)
    ]


HEATING = np.linspace(2.0, 0.6, 15)


def _exact_sample(hebbian, region, beta):
    """Initial states for run s: 1000 draws from the Boltzmann distribution at beta
    restricted to ``region`` (exact, from the enumeration)."""
    net, states, energies = hebbian
    w = np.exp(-beta * (energies - energies.min())) * region.contains(net, states)
    return lambda s: states[
        np.random.default_rng(s).choice(len(states), 1000, p=w / w.sum())
    ]


def test_confined_runs_agree_with_exact_enumeration_of_their_region(hebbian):
    """Confined to no pattern retrieved (every |m| <= 0.5, 4008 of the 4096 states)
    from beta = 0 to 2, and heated inside the region of pattern 0 (m_0 > 0.5) from an
    exact sample at beta = 2 down to 0.6: ln Z_A and the energy of six runs lie within
    4 standard errors of the region's exact values (the runs' spread; in 30 runs the
    deviations were at most 1.4 standard errors). The populations never leave their
    region, although the sweeps try to in 30-80 % of the blocks."""
    net = hebbian[0]
    low = population.Region()
    runs = _confined(hebbian, np.linspace(0.0, 2.0, 21), low)
    assert _agree(runs, _exact_in(hebbian, low), (0, 5, 10, 20))
    heated = population.Region(pattern=0)
    log_z0 = _in_region(hebbian, heated, HEATING[0])[0]
    start = _exact_sample(hebbian, heated, HEATING[0])
    hot = _confined(hebbian, HEATING, heated, init=start, log_z0=log_z0)
    assert _agree(hot, _exact_in(hebbian, heated), (0, 5, 10, 14))
    for region, done in ((low, runs), (heated, hot)):
        assert all(region.contains(net, r.state.values).all() for r in done)
        assert 0.3 < float(done[0].rejected[-1]) < 0.9 and done[0].rejected[0] == 0
    assert runs[0].attrs["region"] == "every |m_mu| <= 0.5"
    assert hot[0].attrs["region"] == "m_0 > 0.5"


def test_confined_runs_fail_without_the_rejection(hebbian, monkeypatch):
    """Control: when the blocks of sweeps that leave the region are kept, the same
    comparisons fail: the rejection is what confines the population."""
    monkeypatch.setattr(population, "_reject_outside", lambda *args: 0.0)
    low = population.Region()
    runs = _confined(hebbian, np.linspace(0.0, 2.0, 21), low, count=3)
    assert not _agree(runs, _exact_in(hebbian, low), (10, 20))
    heated = population.Region(pattern=0)
    log_z0 = _in_region(hebbian, heated, HEATING[0])[0]
    start = _exact_sample(hebbian, heated, HEATING[0])
    hot = _confined(hebbian, HEATING, heated, init=start, log_z0=log_z0, count=3)
    assert not _agree(hot, _exact_in(hebbian, heated), (10, 14))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"region": "low"}, TypeError, "region must be a spinmem.population.Region"),
        (
            {"region": population.Region(pattern=3)},
            ValueError,
            "region.pattern must be < 3",
        ),
        ({"region": population.Region(pattern=0)}, ValueError, "no random initial state"),
        ({"log_z0": 1.0}, ValueError, "log_z0 is ln Z at betas"),
        ({"init": np.ones(N + 1)}, ValueError, "init must have length 12"),
        ({"init": np.zeros(N)}, ValueError, "init must contain only -1 and \\+1"),
        ({"init": np.ones(N), "betas": [1.0, 2.0, 1.5]}, ValueError, "strictly"),
        ({"init": np.ones(N), "betas": [-1.0, 0.0]}, ValueError, ">= 0"),
        (
            {"init": -np.ones(N), "region": population.Region(pattern=0)},
            ValueError,
            "init must lie in the region m_0 > 0.5",
        ),
    ],
)
def test_bad_regions_and_starts_are_refused(hebbian, kwargs, error, match):
    """Refusals that name the argument; pattern 0 is all +1 here, and no state of the
    20 random ones (seed 0) has m_0 > 0.9 (only the all +1 state has)."""
    net = spinmem.Hopfield.hebbian(np.vstack([np.ones(N), hebbian[0].patterns[1:]]))
    args = {"betas": [0.0, 0.5], "seed": 0, **kwargs}
    if isinstance(args.get("region"), population.Region) and "init" not in args:
        args.setdefault("replicas", 20)
        if args["region"].pattern == 0:
            args["region"] = population.Region(pattern=0, threshold=0.9)
    with pytest.raises(error, match=match):
        population.population_anneal(net, args.pop("betas"), progress=False, **args)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"pattern": -1}, ValueError), ({"pattern": 1.5}, TypeError),
     ({"threshold": 1.0}, ValueError), ({"threshold": -0.1}, ValueError),
     ({"pattern": True}, TypeError)],
)  # fmt: skip
def test_bad_regions_are_refused(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs))):
        population.Region(**kwargs)


def test_the_same_seed_gives_the_same_run(exact):
    net, _ = exact
    betas = np.linspace(0.0, 1.0, 6)
    a, b, c = (
        population.population_anneal(net, betas, replicas=50, seed=s, progress=False)
        for s in (1, 1, 2)
    )
    np.testing.assert_array_equal(a.state, b.state)
    np.testing.assert_array_equal(a.log_z, b.log_z)
    assert not np.array_equal(a.log_z, c.log_z)


def test_resampling_keeps_the_expected_copy_numbers():
    """Nearest-integer resampling: the mean number of copies of each replica over
    20,000 draws is R w / sum w within 5 standard errors (Bernoulli fractional parts)."""
    weights = np.array([0.1, 1.0, 2.5, 0.4, 3.0])
    target = 7
    rng = np.random.default_rng(0)
    draws = np.array([population._copies(weights, target, rng) for _ in range(20_000)])
    mean = target * weights / weights.sum()
    frac = mean - np.floor(mean)
    stderr = np.sqrt(frac * (1 - frac) / len(draws))
    assert np.all(np.abs(draws.mean(axis=0) - mean) < 5 * stderr + 1e-12)
    assert np.all((draws == np.floor(mean)) | (draws == np.floor(mean) + 1))


def test_a_population_that_dies_out_says_so():
    """Nearest-integer resampling can give every replica zero copies when the
    population is tiny (R = 2 on a 10-spin SK instance, seed 32, dies at some step of
    30): the run stops with an error that names the step and the population size,
    not with an error from deep inside the sweeps."""
    net = spinmem.Hopfield.sherrington_kirkpatrick(10, seed=1)
    with pytest.raises(ValueError, match=r"died out at step \d+ .*replicas = 2"):
        population.population_anneal(
            net, np.linspace(0, 5, 30), replicas=2, sweeps_per_step=1, seed=32
        )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"betas": [0.1, 0.5]}, "betas must start at 0"),
        ({"betas": [0.0, 0.5, 0.5]}, "increase"),
        ({"betas": [0.0]}, ">= 2 values"),
        ({"replicas": 1}, "replicas"),
        ({"sweeps_per_step": 0}, "sweeps_per_step"),
        ({"dynamics": "zero"}, "dynamics"),
    ],
)
def test_bad_input_is_refused(exact, kwargs, match):
    net, _ = exact
    args = {"betas": [0.0, 0.5], **kwargs}
    with pytest.raises(ValueError, match=match):
        population.population_anneal(net, args.pop("betas"), progress=False, **args)


@pytest.mark.slow
def test_independent_runs_are_the_same_in_process_on_workers_and_on_dask(
    exact, dask_client
):
    """independent_runs is a sweep over runs: in this process, on 2 worker processes
    and on a dask LocalCluster it gives identical numbers."""
    net, _ = exact
    betas = np.linspace(0.0, 2.0, 21)
    kwargs = {"replicas": 200, "seed": 5, "progress": False}
    here = population.independent_runs(net, betas, 3, **kwargs)
    pool = population.independent_runs(net, betas, 3, workers=2, **kwargs)
    xr.testing.assert_identical(here, pool)
    on_dask = population.independent_runs(net, betas, 3, client=dask_client, **kwargs)
    xr.testing.assert_identical(here.drop_attrs(), on_dask.drop_attrs())
    np.testing.assert_allclose(here.weight.sum("run"), 1.0, rtol=1e-12)
    assert here.attrs["runs"] == 3 and here.attrs["replicas"] == 200


def test_twin_moments_average_over_every_pair_of_replicas(exact, runs):
    """q2 and q4 are the means over all pairs of one replica from each run (checked
    with an explicit loop over pairs on 40 x 30 replicas); runs ending at different
    temperatures are refused."""
    a, b = runs[0].isel(replica=slice(40)), runs[1].isel(replica=slice(30))
    got = population.twin_moments(a, b)
    q = np.array(
        [
            [np.mean(sa * sb) for sb in b.state.values.astype(float)]
            for sa in a.state.values.astype(float)
        ]
    )
    assert float(got.q2) == pytest.approx(np.mean(q**2), rel=1e-12)
    assert float(got.q4) == pytest.approx(np.mean(q**4), rel=1e-12)
    assert float(got.g) == pytest.approx(0.5 * (3 - np.mean(q**4) / np.mean(q**2) ** 2))
    net, _ = exact
    warm = population.population_anneal(net, BETAS[:11], replicas=50, progress=False)
    with pytest.raises(ValueError, match="different temperatures"):
        population.twin_moments(runs[0], warm)


def _exact_twin_moments(net, betas):
    """<q^2> and <q^4> of two independent equilibrium copies at each beta, all
    4096^2 pairs of states of a 12-spin model weighted exactly."""
    states = np.array(list(itertools.product([-1, 1], repeat=N)), dtype=np.float64)
    energies = net.energy(states.astype(np.int8))
    p = np.exp(-np.outer(betas, energies - energies.min()))
    p /= p.sum(axis=1, keepdims=True)
    q2, q4 = np.zeros(len(betas)), np.zeros(len(betas))
    for block in np.array_split(np.arange(states.shape[0]), 8):
        q = states[block] @ states.T / N
        pair = p[:, block, None] * p[:, None, :]
        q2 += np.einsum("bij,ij->b", pair, q**2)
        q4 += np.einsum("bij,ij->b", pair, q**4)
    return q2, q4


def test_twin_overlaps_agree_with_exact_enumeration_at_every_temperature(exact):
    """Six pairs of runs (R = 500, 21 betas up to 2, three sweeps per step): the mean
    of <q^2> and <q^4> over pairs lies within 4 standard errors (the spread of the six
    independent pairs) of exact enumeration at beta = 0.5, 1, 1.5 and 2 (within 0.8
    with these seeds; with one sweep per step the populations lag enough to sit 1.4 to
    2 standard errors off); each run of a
    pair is population_anneal with the child seed, and the last step's moments are
    twin_moments of the two final populations."""
    net, _ = exact
    betas = BETAS[::2]
    twins = [
        population.twin_anneal(
            net, betas, replicas=500, sweeps_per_step=3, seed=s, progress=False
        )
        for s in range(6)
    ]
    at = [5, 10, 15, 20]
    exact_moments = _exact_twin_moments(net, betas[at])
    for name, truths in zip(("q2", "q4"), exact_moments, strict=True):
        for k, value in zip(at, truths, strict=True):
            values = np.array([float(t[name][k]) for t in twins])
            stderr = values.std(ddof=1) / np.sqrt(values.size)
            assert abs(values.mean() - value) < 4 * stderr, (k, name, value, values)
    root = spinmem.seeding.root_sequence(0)
    runs = [
        population.population_anneal(
            net,
            betas,
            replicas=500,
            sweeps_per_step=3,
            seed=spinmem.seeding.child(root, r),
            progress=False,
        )
        for r in (0, 1)
    ]
    for r, run in enumerate(runs):
        for name in ("log_z", "energy", "rho_t", "population"):
            np.testing.assert_array_equal(twins[0][name].isel(run=r), run[name])
    last = population.twin_moments(*runs)
    assert float(twins[0].q2[-1]) == pytest.approx(float(last.q2), rel=1e-12)
    assert float(twins[0].q4[-1]) == pytest.approx(float(last.q4), rel=1e-12)
    combined = population.combine(twins[0])
    np.testing.assert_allclose(combined.log_z, population.combine(runs).log_z)
