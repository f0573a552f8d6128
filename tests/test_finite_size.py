"""Finite-size analysis of the capacity: crossings and fits against exact numbers."""

import numpy as np
import pytest
import xarray as xr

from spinmem import analysis


def test_crossings_interpolate_between_the_points_around_the_threshold():
    alpha = [0.10, 0.12, 0.14, 0.16]
    m = xr.DataArray(
        [
            [1.0, 0.9, 0.6, 0.3],
            [0.5, 0.4, 0.3, 0.2],
            [1.0, 1.0, 0.95, 0.9],
            [0.9, 0.7, 0.9, 0.1],
        ],
        dims=("seed", "alpha"),
        coords={"alpha": alpha},
    )
    out = analysis.crossings(m, 0.8)
    # 0.12 + (0.9 - 0.8) / (0.9 - 0.6) * 0.02; starts below; never below; first fall
    expected = [0.12 + 0.02 / 3, np.nan, np.nan, 0.10 + 0.01]
    np.testing.assert_allclose(out.values, expected, rtol=1e-12)


def test_fit_recovers_exact_finite_size_forms():
    n = np.array([1000, 2000, 4000, 8000, 16000, 32000])
    err = np.full(n.size, 1e-4)
    for nu in (1.0, 0.5, 0.7):
        value = 0.138 + 0.9 * n ** (-nu)
        free = analysis.finite_size_fit(n, value, err)
        assert free["limit"] == pytest.approx(0.138, abs=1e-9)
        assert free["nu"] == pytest.approx(nu, abs=1e-6)
        assert free["chi2"] == pytest.approx(0.0, abs=1e-8) and free["dof"] == 3
        fixed = analysis.finite_size_fit(n, value, err, nu=nu)
        assert fixed["limit"] == pytest.approx(0.138, abs=1e-12)
        assert fixed["a"] == pytest.approx(0.9, rel=1e-9)


def test_fixed_exponent_uncertainty_is_the_weighted_least_squares_one():
    """Against the normal equations of the straight line in x = N^-nu."""
    rng = np.random.default_rng(0)
    n = np.array([1000.0, 2000, 4000, 8000, 16000])
    err = np.array([4e-3, 3e-3, 2e-3, 2e-3, 1e-3])
    value = 0.14 + 0.5 / np.sqrt(n) + err * rng.normal(size=n.size)
    fit = analysis.finite_size_fit(n, value, err, nu=0.5)
    X = np.column_stack([np.ones_like(n), n**-0.5])
    W = np.diag(1 / err**2)
    cov = np.linalg.inv(X.T @ W @ X)
    beta = cov @ X.T @ W @ value
    assert fit["limit"] == pytest.approx(beta[0], rel=1e-8)
    assert fit["limit_err"] == pytest.approx(np.sqrt(cov[0, 0]), rel=1e-6)
    resid = (value - X @ beta) / err
    assert fit["chi2"] == pytest.approx(resid @ resid, rel=1e-6)


def test_too_few_sizes_give_nan_not_a_fake_fit():
    fit = analysis.finite_size_fit([250, 500, 1000], [0.2, 0.18, 0.17], [0.01] * 3)
    assert np.isnan(fit["limit"]) and fit["dof"] == 0
    line = analysis.finite_size_fit([250, 500, 1000], [0.2, 0.18, 0.17], [0.01] * 3, nu=1)
    assert np.isfinite(line["limit"]) and line["dof"] == 1


def test_capacity_estimate_uses_seed_to_seed_scatter():
    alpha = np.array([0.10, 0.14, 0.18])
    # each seed's curve crosses 0.8 at a known alpha: m linear through (a_c, 0.8)
    crossing = np.array([[0.150, 0.154], [0.142, 0.146], [0.139, 0.141], [0.1385, 0.1395]])
    sizes = [1000, 4000, 16000, 64000]
    m = 0.8 - 5.0 * (alpha[None, None, :] - crossing[:, :, None])
    ds = xr.Dataset(
        {"m": (("n", "seed", "alpha"), m)},
        coords={"n": sizes, "seed": [0, 1], "alpha": alpha},
        attrs={"threshold": 0.8},
    )
    est = analysis.capacity_estimate(ds)
    np.testing.assert_allclose(est["alpha_n"], crossing.mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(
        est["alpha_n_err"], crossing.std(axis=1, ddof=1) / np.sqrt(2), rtol=1e-10
    )
    assert set(est["fits"]) == {"free", "nu=1", "nu=1/2"}
    assert est["alpha_inf"] == est["fits"]["nu=1"]["limit"]
