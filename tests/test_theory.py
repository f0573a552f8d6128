"""Replica-symmetric theory against published values (docs/physics.md section 6)."""

import numpy as np
import pytest
from scipy import stats

from spinmem import theory


def test_capacity_at_zero_temperature():
    """alpha_c(0) = 0.13791 with m = 0.9674 there (AGS 1985)."""
    a = theory.alpha_c(0.0)
    assert a == pytest.approx(0.13791, abs=5e-6)
    at_edge = theory.solve_rs(a - 1e-9, 0.0)
    assert at_edge.m == pytest.approx(0.9674, abs=2e-4)
    assert theory.solve_rs(a + 1e-4, 0.0).m == 0.0


def test_retrieval_overlap_at_alpha_0_1():
    assert theory.solve_rs(0.1, 0.0).m == pytest.approx(0.99800, abs=5e-6)
    # the finite-T equations approach the T = 0 solution
    assert theory.solve_rs(0.1, 0.005).m == pytest.approx(0.99800, abs=1e-4)


def test_spin_glass_line():
    np.testing.assert_allclose(theory.t_g([0.0, 0.04, 0.25]), [1.0, 1.2, 1.5])
    assert theory.solve_spin_glass(0.1, 1.3).q > 0.0
    assert theory.solve_spin_glass(0.1, 1.33).q == 0.0  # T_g(0.1) = 1.316


def test_small_alpha_limit_is_curie_weiss():
    for temperature, m in [(0.5, 0.957504), (0.8, 0.710412), (0.9, 0.525430)]:
        assert theory.solve_rs(0.0, temperature).m == pytest.approx(m, abs=1e-6)
        assert theory.solve_rs(1e-7, temperature).m == pytest.approx(m, abs=1e-4)
    assert theory.solve_rs(0.0, 1.2).m == 0.0


def test_retrieval_line_is_reentrant_and_follows_small_alpha_law():
    """alpha_c(T) rises slightly above alpha_c(0) at low T; T_M ~ 1 - 1.955 sqrt(alpha)."""
    assert theory.alpha_c(0.01) > theory.alpha_c(0.0)
    assert theory.alpha_c(0.5) < theory.alpha_c(0.0)
    alpha = 1e-3
    assert theory.t_m(alpha) == pytest.approx(1 - 1.955 * np.sqrt(alpha), abs=2e-3)


def test_global_minima_line():
    """Retrieval states are global minima at T = 0 only for alpha < 0.0519."""
    gap = [
        theory.solve_rs(a, 0).f - theory.solve_spin_glass(a, 0).f for a in (0.051, 0.052)
    ]
    assert gap[0] < 0 < gap[1]
    assert np.isnan(theory.t_c(0.06))
    assert 0 < theory.t_c(0.05) < theory.t_c(0.01) < 1
    assert theory.t_c(0.01) < theory.t_m(0.01)


def test_energy_limits():
    # T = 0 retrieval energy at alpha -> 0 is -1/2, the spin-glass one is higher
    assert theory.solve_rs(1e-6, 0.0).f == pytest.approx(-0.5, abs=1e-5)
    # the free energy is continuous as T -> 0
    low = theory.solve_rs(0.05, 0.002).f
    assert low == pytest.approx(theory.solve_rs(0.05, 0.0).f, abs=1e-5)


def test_symmetric_mixtures():
    """m = 1/2, 3/8, 5/16 and energies -3/8, -0.35156, -0.34180 (AGS, PRA 1985)."""
    for n, m, e in [(3, 0.5, -0.375), (5, 0.375, -0.35156), (7, 0.3125, -0.34180)]:
        assert theory.mixture_overlap(n) == m
        assert theory.mixture_overlap(n, 0.01) == pytest.approx(m, abs=1e-9)
        assert theory.mixture_energy(n) == pytest.approx(e, abs=1e-5)
    assert theory.mixture_energy(1) == -0.5
    assert theory.mixture_overlap(3, 1.01) == 0.0


def test_validation():
    with pytest.raises(ValueError, match="alpha must be >= 0.0"):
        theory.solve_rs(-0.1, 0.5)
    with pytest.raises(ValueError, match="temperature must be finite"):
        theory.alpha_c(float("nan"))


def test_curie_weiss_point_at_zero_load():
    """alpha = 0, T = 1: the paramagnet with f = -T ln 2 (no 0 * infinity load term)."""
    sol = theory.solve_rs(0.0, 1.0)
    assert (sol.m, sol.q) == (0.0, 0.0)
    assert sol.f == pytest.approx(-np.log(2.0), abs=1e-15)


@pytest.mark.parametrize("temperature", [1e-300, 1e-12, 1e-8])
def test_tiny_temperatures_reach_the_zero_temperature_limit(temperature):
    """1 - q is below double precision, yet m, c = beta (1 - q), r and f are those of
    the T = 0 equations (the corrections are O(T^2) for m and O(T) for f)."""
    for solve in (theory.solve_rs, theory.solve_spin_glass):
        cold, zero = solve(0.1, temperature), solve(0.1, 0.0)
        for key in ("m", "q", "r", "c", "f"):
            assert getattr(cold, key) == pytest.approx(getattr(zero, key), abs=1e-7)


def test_mixtures_of_many_patterns():
    """At T = 0, m_n = P(S > 0) - P(S < 0) for S = 1 + (sum of n - 1 random signs)."""
    for n in (2000, 2001):
        k = n - 1
        # S > 0  <=>  more than (n - 2) / 2 of the k signs are +1
        want = stats.binom.sf((n - 2) // 2, k, 0.5) - stats.binom.cdf((n - 3) // 2, k, 0.5)
        assert theory.mixture_overlap(n) == pytest.approx(want, rel=1e-12)
        assert 0 < theory.mixture_overlap(n, 0.05) < want


# ---------------------------------------------------------------- one-step RSB, T = 0


@pytest.mark.parametrize("alpha", [0.05, 0.1, 0.13])
def test_the_1rsb_energy_is_the_rs_one_when_the_breaking_vanishes(alpha):
    """At q0 -> 1 (q1 = q0: no breaking) the 1RSB energy functional at the RS overlap
    and C is the RS ground-state energy, for any breaking parameter mu, to 1e-8."""
    from spinmem.theory import rsb1 as _rsb1

    rs = theory.solve_rs(alpha, 0.0)
    for mu in (1.0, 30.0, 300.0):
        e = _rsb1.energy(rs.m, 1.0 - 1e-11, rs.c, mu, alpha)
        assert e == pytest.approx(rs.f, abs=1e-8)


def test_the_1rsb_solution_at_alpha_013_is_a_saddle_point_above_rs():
    """At alpha = 0.13: every fixed-point equation holds to 1e-10, the energy is a
    maximum over mu (the 1RSB saddle), above the RS energy by less than 1e-5, with the
    breaking reported (q0 < 1, finite mu) and m within 1e-3 of the RS overlap."""
    from spinmem.theory import rsb1 as _rsb1

    sol = theory.solve_1rsb(0.13)
    rs = theory.solve_rs(0.13, 0.0)
    assert np.abs(_rsb1.residuals(sol.m, sol.q0, sol.c, sol.mu, 0.13)).max() < 1e-10
    assert 0.99 < sol.q0 < 1.0 and 1.0 < sol.mu < 1e4 and sol.r1 > sol.r0 > 0
    assert 0 < sol.energy - rs.f < 1e-5
    assert sol.m == pytest.approx(rs.m, abs=1e-3)
    for factor in (0.5, 2.0):  # other mu, each with its own fixed point: lower energy
        mu = factor * sol.mu
        v, ok = _rsb1._fixed_mu(0.13, mu, np.array([sol.m, sol.q0, sol.c]))
        assert ok and _rsb1.energy(*v, mu, 0.13) < sol.energy


@pytest.mark.parametrize(("alpha", "temperature"), [(0.05, 0.3), (0.13, 0.02), (0.1, 0.5)])
def test_the_1rsb_free_energy_at_t_above_0_is_the_rs_one_without_breaking(
    alpha, temperature
):
    """At q0 -> q1 the finite-T 1RSB free energy at the RS solution is the RS free
    energy, for any Parisi x in (0, 1], to 1e-8, and the three fixed-point equations
    hold there to 1e-9 (the RS equations)."""
    from spinmem.theory import rsb1 as _rsb1

    rs = theory.solve_rs(alpha, temperature)
    beta = 1.0 / temperature
    for x in (0.01, 0.3, 1.0):
        args = (rs.m, rs.q - 1e-11, rs.c, x * beta, alpha, beta)
        assert _rsb1.energy(*args) == pytest.approx(rs.f, abs=1e-8)
        assert np.abs(_rsb1.residuals(*args)).max() < 1e-9


def test_the_finite_t_1rsb_functional_tends_to_the_t0_one():
    """At the T = 0 solution for alpha = 0.13, the finite-T functional with q1 = 1 -
    C/beta and x = mu/beta approaches the T = 0 energy as 1/beta: within 3e-5/beta
    at beta = 1000, 4000, 16000 (the gap is 1.1e-9 at the last)."""
    from spinmem.theory import rsb1 as _rsb1

    sol = theory.solve_1rsb(0.13)
    for beta in (1000.0, 4000.0, 16000.0):
        args = (sol.m, sol.q0 - sol.c / beta, sol.c, sol.mu, 0.13, beta)
        assert abs(_rsb1.energy(*args) - sol.energy) < 3e-5 / beta


def test_1rsb_refuses_where_it_finds_no_retrieval_solution():
    with pytest.raises(RuntimeError, match="no 1RSB retrieval solution"):
        theory.solve_1rsb(0.2)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        theory.solve_1rsb(0.0)


@pytest.mark.slow
def test_the_1rsb_capacity_is_steffan_and_kuehns():
    """alpha_c^1RSB(T = 0) = 0.138186 (Steffan and Kühn, Z. Phys. B 95, 249, 1994)
    within 2e-6, above the RS 0.137905; the breaking parameters at alpha_c are those
    of a genuine 1RSB point (q0 < 1, finite mu)."""
    crit = theory.alpha_c_1rsb()
    assert crit.alpha == pytest.approx(0.138186, abs=2e-6)
    assert crit.alpha - theory.alpha_c(0.0) == pytest.approx(0.000281, abs=5e-6)
    assert 0.99 < crit.q0 < 1.0 and 1.0 < crit.mu < 1e3
    assert crit.m == pytest.approx(0.9668, abs=1e-3)
    assert crit.temperature == 0 and crit.q1 == 1 and crit.x == 0


@pytest.mark.slow
def test_the_1rsb_line_lies_above_the_rs_line_at_low_temperature():
    """Along the 1RSB retrieval line at T = 0, 0.005, 0.01: every point is a saddle
    point of the finite-T equations (residuals below 1e-9) with breaking (q0 < q1,
    0 < x < 1), alpha_c^1RSB(T) exceeds the RS alpha_c(T), and the gap shrinks as the
    re-entrant RS line rises towards it."""
    from spinmem.theory import rsb1 as _rsb1

    temps = [0.0, 0.005, 0.01]
    line = theory.line_1rsb(temps)
    gaps = []
    for t, sol in zip(temps, line, strict=True):
        assert sol is not None and sol.temperature == pytest.approx(t, abs=1e-15)
        beta = np.inf if t == 0 else 1.0 / t
        res = _rsb1.residuals(sol.m, sol.q0, sol.c, sol.mu, sol.alpha, beta)
        assert np.abs(res).max() < 1e-9
        assert sol.q0 < sol.q1 and (t == 0 or 0 < sol.x < 1)
        gaps.append(sol.alpha - theory.alpha_c(t))
    assert 0 < gaps[2] < gaps[1] < gaps[0]
