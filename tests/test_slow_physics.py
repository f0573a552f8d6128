"""Longer, tighter physics checks (deselected by default; run with pytest -m slow)."""

import numpy as np
import pytest
import xarray as xr
from helpers import boltzmann_chi_square, sk_couplings

import spinmem
from spinmem import theory

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("dynamics", ["glauber", "metropolis"])
def test_boltzmann_distribution_n12_many_samples(dynamics):
    """N = 12 SK couplings with fields at T = 0.8, 300000 independent replicas: chi-square
    against all 4096 Boltzmann weights (states with expected count >= 5, rest pooled);
    fails at p < 1e-4."""
    n, temperature, replicas = 12, 0.8, 300_000
    rng = np.random.default_rng(17)
    net = spinmem.Hopfield(sk_couplings(n, 18), fields=rng.normal(0, 0.3, n))
    ds = spinmem.simulate(
        net,
        temperature=temperature,
        sweeps=150,
        dynamics=dynamics,
        replicas=replicas,
        seed=99,
        record_every=150,
    )
    _, p, _ = boltzmann_chi_square(net, temperature, ds.state.values)
    assert p > 1e-4


def test_curie_weiss_large_n():
    """p = 1, N = 8000, T = 0.9 (m = 0.525430): 5 standard errors plus 4/N."""
    n, temperature = 8000, 0.9
    xi = spinmem.random_patterns(1, n, seed=0)
    net = spinmem.Hopfield.hebbian(xi)
    ds = spinmem.simulate(
        net, temperature=temperature, sweeps=2200, replicas=4, init=xi[0], seed=1
    )
    m = np.abs(ds.overlap.isel(pattern=0, sweep=slice(200, None))).values.mean(axis=0)
    batches = np.array([b.mean() for b in np.array_split(m, 20)])
    mean, se = batches.mean(), batches.std(ddof=1) / np.sqrt(20)
    assert abs(mean - 0.525430) < 5 * se + 4 / n, (mean, se)


def test_retrieval_near_capacity_large_n():
    """alpha = 0.12, T = 0.1, N = 6000: retrieval overlap against RS theory within
    5 standard errors + 0.01 (finite-size allowance, larger near alpha_c)."""
    alpha, temperature, n = 0.12, 0.1, 6000
    m_rs = theory.solve_rs(alpha, temperature).m
    xi = spinmem.random_patterns(round(alpha * n), n, seed=5)
    net = spinmem.Hopfield.hebbian(xi)
    ds = spinmem.simulate(
        net, temperature=temperature, sweeps=400, init=xi[:8], seed=6, record_every=5
    )
    m = np.array(
        [
            ds.overlap.isel(replica=k, pattern=k).sel(sweep=slice(100, None)).mean()
            for k in range(8)
        ]
    )
    se = m.std(ddof=1) / np.sqrt(8)
    assert abs(m.mean() - m_rs) < 5 * se + 0.01, (m.mean(), se, m_rs)


def _sk_moments(n, samples, temps, sweeps):
    """Thermal <q^2>, <q^4> of ``samples`` SK instances by parallel tempering (four
    chains, second half of the run)."""
    q2, q4 = [], []
    for k in range(samples):
        seed = np.random.SeedSequence([n, k])
        net = spinmem.Hopfield.sherrington_kirkpatrick(n, seed=seed.spawn(1)[0])
        ds = spinmem.temper(net, temps, sweeps=sweeps, chains=4, seed=seed, record_every=2)
        q = ds.q.isel(sweep=slice(ds.sizes["sweep"] // 2, None))
        q2.append((q**2).mean(("pair", "sweep")))
        q4.append((q**4).mean(("pair", "sweep")))
    return xr.concat(q2, "seed"), xr.concat(q4, "seed")


def test_sk_binder_cumulants_cross_near_t1():
    """SK, N = 32, 64, 128, 150 samples each, 4000 sweeps of 23 temperatures 0.05 apart
    (R-hat of q^2 below 1.02 at T = 0.5 for N = 128). The Binder curves of N = 64 and
    128 cross within 0.15 of T = 1, the N -> infinity transition. The crossings move up
    with N (finite-size drift): the 32-64 crossing lies near 0.82 (full study,
    data/equilibrium-sk.h5: 0.82 +- 0.07 and 0.89 +- 0.07; this test's settings gave
    0.816 +- 0.116 and 0.938 +- 0.056), so it is held to the same band widened by 3 of
    its jackknife errors, which must stay below 0.15 for the check to have power."""
    temps = np.round(np.linspace(0.5, 1.6, 23), 4)
    moments = {n: _sk_moments(n, 150, temps, 4000) for n in (32, 64, 128)}
    sizes = xr.Variable("n", list(moments))
    q2 = xr.concat([m[0] for m in moments.values()], sizes)
    q4 = xr.concat([m[1] for m in moments.values()], sizes)
    cross = spinmem.analysis.binder_crossings(spinmem.observables.binder_of_moments(q2, q4))
    x, err = cross.crossing.values, cross.crossing_stderr.values
    print("SK Binder crossings", x, "+-", err)
    assert np.all(np.isfinite(x)) and np.all(err < 0.15), (x, err)
    assert abs(x[1] - 1.0) < 0.15, (x, err)
    assert abs(x[0] - 1.0) < 0.15 + 3 * err[0], (x, err)
