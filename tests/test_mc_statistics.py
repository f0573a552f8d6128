"""Monte Carlo statistics against processes with known answers, and equilibrium
observables against exact enumeration."""

import itertools

import numpy as np
import pytest
import scipy.signal
import scipy.stats
import xarray as xr

import spinmem
from spinmem import observables, stats

N_ENUM = 10
TEMPS = np.array([0.4, 0.6, 0.9, 1.3, 2.0])


def _ar1(phi: float, chains: int, n: int, seed: int) -> xr.DataArray:
    """Stationary AR(1) series x_t = phi x_{t-1} + e_t, tau_int = (1 + phi) / (1 - phi)."""
    rng = np.random.default_rng(seed)
    e = rng.normal(size=(chains, n))
    e[:, 0] /= np.sqrt(1.0 - phi**2)
    x = scipy.signal.lfilter([1.0], [1.0, -phi], e, axis=1)
    return xr.DataArray(x, dims=("chain", "sweep"), coords={"sweep": np.arange(n)})


def test_autocorrelation_time_of_ar1_is_recovered():
    """phi = 0.9 (tau = 19), 4 chains of 10^5: within 3 of Sokal's standard errors."""
    out = stats.autocorrelation_time(_ar1(0.9, 4, 100_000, seed=1))
    tau, err = float(out.tau), float(out.tau_stderr)
    assert 0.2 < err < 1.0
    assert abs(tau - 19.0) < 3 * err, (tau, err)
    assert bool(out.reliable)
    assert float(out.ess) == pytest.approx(4e5 / tau)


def test_tau_follows_the_time_coordinate():
    x = _ar1(0.5, 2, 20_000, seed=2)
    in_records = stats.autocorrelation_time(x)
    in_sweeps = stats.autocorrelation_time(x.assign_coords(sweep=10 * x.sweep))
    assert float(in_sweeps.tau) == pytest.approx(10 * float(in_records.tau))
    assert float(in_sweeps.ess) == pytest.approx(float(in_records.ess))


def test_standard_error_matches_the_scatter_of_independent_runs():
    """400 runs of AR(1), phi = 0.8 (tau = 9), 4000 records each: the scatter of their
    means against the mean reported error. The sample standard deviation of 400 values
    has a relative standard error 1/sqrt(2 * 399) = 3.5%; 4 of them is 14%."""
    x = _ar1(0.8, 400, 4000, seed=3).rename(chain="run")
    out = stats.time_average(x, chain_dim=None)
    assert out["mean"].dims == ("run",)
    scatter = float(out["mean"].std(ddof=1))
    reported = float(np.sqrt((out.stderr**2).mean()))
    assert abs(reported / scatter - 1) < 0.14, (reported, scatter)
    # the exact asymptotic value sigma^2 tau / n, sigma^2 = 1 / (1 - phi^2)
    assert reported == pytest.approx(np.sqrt(9.0 / 0.36 / 4000), rel=0.05)


def test_equilibration_checks_flag_trends_and_unmixed_chains():
    x = _ar1(0.5, 4, 4000, seed=4)
    fine = stats.time_average(x)
    assert abs(float(fine.drift)) < 3 and float(fine.rhat) < 1.01
    trend = x + xr.DataArray(np.linspace(0, 0.5, 4000), dims="sweep")
    assert float(stats.time_average(trend).drift) > 3
    # chains two standard deviations (sigma^2 = 4/3) apart
    apart = x + xr.DataArray([0.0, 0.0, 2.3, 2.3], dims="chain")
    assert float(stats.time_average(apart).rhat) > 1.1


def test_mixed_runs_pass_both_checks_at_their_thresholds():
    """A run mixed needs R-hat <= 1.1 and >= 10 round trips per chain, bounds
    included; NaN fails; the checks broadcast over their dimensions."""
    rhat = xr.DataArray([1.0, 1.1, 1.1000001, 1.02, np.nan], dims="sample")
    trips = xr.DataArray([[10.0], [0.0]], dims=("n", "x")).squeeze("x")
    ok = stats.mixed(rhat, trips)
    assert ok.dims == ("sample", "n")
    assert ok.values.tolist() == [
        [True, False],
        [True, False],
        [False, False],
        [True, False],
        [False, False],
    ]
    assert not bool(stats.mixed(1.0, 9.99))
    assert bool(stats.mixed(1.5, 0, max_rhat=1.5, min_round_trips=0))


def test_constant_series_have_no_autocorrelation_time():
    x = xr.DataArray(np.ones((2, 100)), dims=("chain", "sweep"))
    out = stats.time_average(x)
    assert np.isnan(out.tau) and float(out.stderr) == 0 and float(out.rhat) == 1


def _enumerated(net):
    s = np.array(list(itertools.product([-1, 1], repeat=N_ENUM)), dtype=np.int8)
    return s, net.energy(s)


@pytest.fixture(scope="module")
def sk_run():
    net = spinmem.Hopfield.sherrington_kirkpatrick(N_ENUM, seed=3)
    ds = spinmem.temper(net, TEMPS, sweeps=20_000, chains=16, seed=1)
    return net, ds.sel(sweep=slice(2000, None))


def test_specific_heat_matches_enumeration(sk_run):
    """SK, N = 10, 16 chains of 18000 sweeps: every temperature within 5 jackknife
    errors (16 groups; P(|t_15| > 5) = 1.6e-4 per temperature)."""
    net, ds = sk_run
    _, energy = _enumerated(net)
    c = observables.specific_heat(ds.energy, N_ENUM)
    for k, t in enumerate(TEMPS):
        w = np.exp(-(energy - energy.min()) / t)
        w /= w.sum()
        exact = (w @ energy**2 - (w @ energy) ** 2) / (N_ENUM * t**2)
        got, err = float(c.c[k]), float(c.c_stderr[k])
        assert abs(got - exact) < 5 * err, (t, got, exact, err)
        assert err < 0.03 * exact


def test_binder_cumulant_matches_enumeration(sk_run):
    """Twin overlaps of chains 2j, 2j + 1 (8 pairs): g within 5 jackknife errors of
    the exact ``(3 - <q^4>/<q^2>^2) / 2`` of two independent Boltzmann replicas."""
    net, ds = sk_run
    s, energy = _enumerated(net)
    q = (s.astype(np.float64) @ s.T.astype(np.float64)) / N_ENUM
    g = observables.binder_cumulant(ds.q)
    for k, t in enumerate(TEMPS):
        w = np.exp(-(energy - energy.min()) / t)
        w /= w.sum()
        ww = np.outer(w, w)
        exact = 0.5 * (3 - (ww * q**4).sum() / (ww * q**2).sum() ** 2)
        got, err = float(g.g[k]), float(g.g_stderr[k])
        assert abs(got - exact) < 5 * err, (t, got, exact, err)


def test_overlap_distribution_matches_enumeration():
    """One q per pair of 20000 independent chains (10000 pairs) at T = 0.6 against the
    exact P(q) of two Boltzmann replicas: chi-square p > 1e-4."""
    net = spinmem.Hopfield.sherrington_kirkpatrick(N_ENUM, seed=3)
    ds = spinmem.temper(net, [0.6, 1.0, 1.6], sweeps=60, chains=20_000, seed=2)
    last = ds.q.isel(sweep=[-1])
    bins = N_ENUM + 1  # one bin per value q = -1, -0.8, ..., 1
    density = observables.overlap_distribution(last, bins=bins, symmetric=False)
    observed = density.sel(temperature=0.6).values * (2 / bins) * last.sizes["pair"]
    s, energy = _enumerated(net)
    w = np.exp(-(energy - energy.min()) / 0.6)
    w /= w.sum()
    q = np.rint((s.astype(np.int64) @ s.T.astype(np.int64) + N_ENUM) / 2).astype(int)
    exact = np.bincount(q.ravel(), weights=np.outer(w, w).ravel(), minlength=bins)
    expected = exact * observed.sum()
    chi2 = ((observed - expected) ** 2 / expected).sum()
    assert scipy.stats.chi2.sf(chi2, bins - 1) > 1e-4, chi2
    np.testing.assert_allclose(density.sum("q") * 2 / bins, 1.0)


def test_symmetric_histogram_counts_both_signs():
    q = xr.DataArray([[0.6, 0.6, -0.1, 0.9]], dims=("pair", "sweep"))
    p = observables.overlap_distribution(q, bins=4, symmetric=True)
    # bins [-1,-.5), [-.5,0), [0,.5), [.5,1]; values +-0.6, +-0.6, -+0.1, +-0.9
    np.testing.assert_allclose(p.values * 0.5 * 8, [3, 1, 1, 3])


def test_largest_overlap_is_the_best_retrieved_pattern():
    xi = spinmem.random_patterns(3, 200, seed=5)
    net = spinmem.Hopfield.hebbian(xi)
    ds = spinmem.temper(net, [0.3, 0.8, 1.5], sweeps=50, chains=2, init=xi[1], seed=6)
    best = observables.largest_overlap(ds.overlap)
    naive = np.abs(net.overlaps(ds.state.values)).max(-1)
    np.testing.assert_allclose(best.isel(sweep=-1).values, naive)


def test_single_chain_errors_come_from_time_blocks(sk_run):
    _, ds = sk_run
    one = ds.energy.isel(chain=[0])
    c = observables.specific_heat(one, N_ENUM, blocks=10)
    all_chains = observables.specific_heat(ds.energy, N_ENUM)
    # one chain has 16 times fewer records: its error is about 4 times larger
    ratio = (c.c_stderr / all_chains.c_stderr).values
    assert np.all((ratio > 1.5) & (ratio < 10)), ratio
    # against a naive jackknife over 10 consecutive blocks of the series
    e = one.isel(chain=0).values  # (temperature, time)
    blocks = np.array_split(e[:, : e.shape[1] // 10 * 10], 10, axis=1)
    loo = []
    for k in range(10):
        rest = np.concatenate([b for j, b in enumerate(blocks) if j != k], axis=1)
        loo.append(rest.var(axis=1) / (N_ENUM * TEMPS**2))
    loo = np.array(loo)
    naive = np.sqrt(9 / 10 * ((loo - loo.mean(axis=0)) ** 2).sum(axis=0))
    np.testing.assert_allclose(c.c_stderr, naive, rtol=1e-10)


def test_temperature_ladder_places_free_spins_at_equal_acceptance():
    """Free spins in a field h: sigma(beta) = sqrt(N) h / cosh(beta h) exactly, so the
    equal-acceptance ladder is known in closed form; the pilot-run ladder is within 2%.
    With at least ~20 excited spins at the coldest temperature the energy distributions
    are close to Gaussian and the measured acceptances near the predicted one."""
    n, h = 200, 1.0
    free = spinmem.Hopfield(np.zeros((n, n)), fields=np.full(n, h))
    ladder = spinmem.temperature_ladder(
        free, 1.0, 4.0, 6, pilot_sweeps=4000, pilot_size=16, seed=3
    )
    b = np.linspace(1 / 4.0, 1 / 1.0, 100_001)
    sigma = np.sqrt(n) * h / np.cosh(b * h)
    area = np.concatenate([[0], np.cumsum(0.5 * (sigma[1:] + sigma[:-1]) * np.diff(b))])
    exact = np.sort(1 / np.interp(np.linspace(0, area[-1], 6), area, b))
    np.testing.assert_allclose(ladder.temperatures, exact, rtol=0.02)
    run = spinmem.temper(free, ladder.temperatures.values, sweeps=4000, chains=4, seed=4)
    np.testing.assert_allclose(run.swap_acceptance, ladder.predicted_acceptance, atol=0.05)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: stats.time_average(np.ones(10)), "DataArray"),
        (lambda: stats.time_average(xr.DataArray(np.ones(10), dims="t")), "dim 'sweep'"),
        (
            lambda: stats.time_average(
                xr.DataArray(np.ones(5), dims="sweep", coords={"sweep": [0, 1, 2, 4, 5]})
            ),
            "equally spaced",
        ),
        (
            lambda: observables.specific_heat(xr.DataArray(np.ones((2, 20))), 4),
            "temperature",
        ),
        (
            lambda: spinmem.temperature_ladder(
                spinmem.Hopfield.sherrington_kirkpatrick(8, seed=0), 1.0, 0.5, 4
            ),
            "t_max must be > t_min",
        ),
        (lambda: spinmem.Hopfield.sherrington_kirkpatrick(8, couplings="x"), "couplings"),
        (lambda: stats.mixed(1.0, 20, max_rhat=0.9), "max_rhat must be >= 1"),
        (lambda: stats.mixed(1.0, 20, min_round_trips=-1), "min_round_trips"),
    ],
)
def test_bad_input_is_refused(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_binder_of_moments_equals_pooled_binder_of_the_samples(sk_run):
    """Per-sample moments averaged over samples give the same g (and jackknife error)
    as the pooled estimator over the raw overlaps with samples as groups."""
    _, ds = sk_run
    q = ds.q.rename(pair="seed")  # 8 independent pairs stand in for 8 samples
    pooled = observables.binder_cumulant(q, dims=("seed", "sweep"), by="seed")
    moments = observables.binder_of_moments(
        (q**2).mean("sweep"), (q**4).mean("sweep"), by="seed"
    )
    np.testing.assert_allclose(moments.g, pooled.g, rtol=1e-12)
    np.testing.assert_allclose(moments.g_stderr, pooled.g_stderr, rtol=1e-12)


def _binder(curves, temps, noise=0.0):
    """A binder Dataset for exact curves g[n](T) with 20 leave-one-out copies."""
    g = xr.DataArray(
        np.array(curves),
        dims=("n", "temperature"),
        coords={"n": [32, 64], "temperature": temps},
    )
    shifts = xr.DataArray(np.linspace(-noise, noise, 20), dims="seed")
    return xr.Dataset(
        {
            "g": g,
            "g_stderr": xr.full_like(g, 0.01),
            "g_jackknife": g + shifts * xr.DataArray([0.0, 1.0], dims="n"),
        }
    )


def test_binder_crossing_of_straight_lines_and_its_jackknife_error():
    """g_32 = 0.5 - 0.5 (T - 1), g_64 = 0.5 - (T - 1) cross at T = 1 exactly; a tiny
    sign change in the hot tail (both near 0) is not taken for the crossing. Shifting
    g_64 by c moves the crossing by c / 0.5, so leave-one-out shifts spread over
    +-0.01 give the jackknife error sqrt(19/20 sum (2 c_k)^2)."""
    temps = np.array([0.55, 0.75, 0.95, 1.15, 1.35, 1.45, 1.55])
    small = 0.5 - 0.5 * (temps - 1)
    large = 0.5 - 1.0 * (temps - 1)
    large[-2:] = small[-2:] + np.array([0.001, -0.001])  # noise where curves merge
    out = spinmem.analysis.binder_crossings(_binder([small, large], temps, noise=0.01))
    assert out.crossing.item() == pytest.approx(1.0, abs=1e-12)
    c = np.linspace(-0.01, 0.01, 20)
    expected = np.sqrt(19 / 20 * np.sum((2 * c - np.mean(2 * c)) ** 2))
    assert out.crossing_stderr.item() == pytest.approx(expected, rel=1e-9)
    assert out.size_pair.item() == "32-64"


def test_lattice_bins_hold_equal_numbers_of_overlap_values():
    edges = observables.lattice_bins(16)
    for n in (16, 32, 64, 128):
        values = -1 + 2 * np.arange(n + 1) / n
        counts = np.histogram(values, bins=edges)[0]
        k = n // 16
        np.testing.assert_array_equal(counts[1:-1], k)
        assert counts[0] + counts[-1] == k + 1  # the end bins straddle -1 and 1


def test_records_go_to_arviz_with_chains_and_draws_in_place():
    """to_inference_data: chain -> chain, sweep -> draw, other dimensions kept, the
    values untouched; ArviZ's ESS of the records is its ESS of the same array."""
    az = pytest.importorskip("arviz")
    rng = np.random.default_rng(3)
    energy = rng.normal(size=(3, 2, 400))  # (chain, temperature, sweep)
    ds = xr.Dataset(
        {
            "energy": (("chain", "temperature", "sweep"), energy),
            "flips": ("chain", [1, 2, 3]),
        },
        coords={"temperature": [0.5, 1.0], "sweep": np.arange(400)},
    )
    idata = stats.to_inference_data(ds)
    post = idata.posterior
    assert set(post.data_vars) == {"energy"}  # no record along sweep: not a draw
    assert post.energy.dims == ("chain", "draw", "temperature")
    np.testing.assert_array_equal(post.energy.values, energy.transpose(0, 2, 1))
    np.testing.assert_array_equal(
        az.ess(idata).energy.values,
        [az.ess(energy[:, k, :]) for k in range(2)],
    )
    one = stats.to_inference_data(ds.energy.isel(chain=0), chain_dim=None)
    assert one.posterior.energy.shape == (1, 400, 2)
    with pytest.raises(ValueError, match="named DataArray"):
        stats.to_inference_data(xr.DataArray(energy, dims=("chain", "t", "sweep")))
    with pytest.raises(ValueError, match="dim 'time' is not a dimension"):
        stats.to_inference_data(ds, dim="time")
