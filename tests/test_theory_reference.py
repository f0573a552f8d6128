"""The replica-symmetric solver against the values of its 0.1.0 implementation.

tests/data/theory_reference.json holds results of the 0.1.0 solver (a 16,001-point
Gaussian grid inside fixed-point iterations, lines bisected to 1e-9) on a grid of
(alpha, T) covering the retrieval, spin-glass and paramagnetic phases, T = 0 and T down
to 0.002; tests/data/make_theory_reference.py wrote it. Every public function agrees
with it to 1e-6 (absolute; relative for values above 1, such as r = 6526 at
alpha = 1e-4, T = 0.005), except at the points listed in ``OLD_WRONG``, where an
independent adaptive quadrature (scipy.integrate.quad) shows that 0.1.0 was wrong and
the present solver right; those points are checked against the quadrature instead.
"""

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, optimize

from spinmem import theory

REF = json.loads((Path(__file__).parent / "data" / "theory_reference.json").read_text())
TOL = 1e-6

# Where 0.1.0 was wrong, and why:
# - (0, 1): it divided by zero at the critical point of the Curie-Weiss magnet;
# - spin-glass f at alpha = 0: it returned NaN instead of the paramagnet's -T ln 2;
# - r and c at T = 0.002: the grid spacing was close to the width T / sqrt(alpha r) of
#   tanh, so the fixed point of the gridded equations is off by up to 2e-4 in r;
# - alpha_c at four temperatures and t_m(1e-4): the fixed-point iteration slows down
#   near the saddle-node where the retrieval state disappears and gave up early.
OLD_WRONG_ALPHA_C = {0.216304347826, 0.302826086957, 0.648913043478, 0.692173913043}
OLD_WRONG_T_M = {1e-4}


def _close(got, want):
    if isinstance(want, float) and math.isnan(want):
        return math.isnan(got)
    return abs(got - want) <= TOL * max(1.0, abs(want))


def _old_wrong(kind, alpha, temperature, key):
    if alpha == 0.0 and key == "f" and kind == "solve_spin_glass":
        return True
    return temperature == 0.002 and key in ("r", "c")


@pytest.mark.parametrize("kind", ["solve_rs", "solve_spin_glass"])
def test_solutions_match_reference(kind):
    solve = getattr(theory, kind)
    bad, compared = [], 0
    for alpha, temperature, want in REF[kind]:
        sol = solve(alpha, temperature)
        if "error" in want:
            assert (alpha, temperature) == (0.0, 1.0), want
            continue
        for key, value in want.items():
            if _old_wrong(kind, alpha, temperature, key):
                continue
            compared += 1
            if not _close(getattr(sol, key), value):
                bad.append((alpha, temperature, key, getattr(sol, key), value))
    assert compared > 400
    assert not bad, f"{len(bad)} of {compared} values differ: {bad[:8]}"


@pytest.mark.parametrize("kind", ["alpha_c", "t_m", "t_c"])
def test_lines_match_reference(kind):
    line = getattr(theory, kind)
    skip = {"alpha_c": OLD_WRONG_ALPHA_C, "t_m": OLD_WRONG_T_M}.get(kind, set())
    ref = [(x, want) for x, want in REF[kind] if x not in skip]
    bad = [(x, line(x), want) for x, want in ref if not _close(line(x), want)]
    assert not bad, f"{len(bad)} of {len(ref)} values differ: {bad}"


def test_phase_lines_match_reference_lines():
    lines = theory.phase_lines()
    alpha_c = {round(t, 9): v for t, v in REF["alpha_c"] if t not in OLD_WRONG_ALPHA_C}
    t_c = {round(a, 9): v for a, v in REF["t_c"]}
    compared = 0
    for t, a in zip(lines["tm_t"], lines["tm_alpha"], strict=True):
        if round(float(t), 9) in alpha_c:
            compared += 1
            assert _close(a, alpha_c[round(float(t), 9)])
    for a, t in zip(lines["tc_alpha"], lines["tc_t"], strict=True):
        assert _close(t, t_c[round(float(a), 9)])
    assert compared >= 20
    np.testing.assert_allclose(lines["tg_t"], 1 + np.sqrt(lines["tg_alpha"]), atol=1e-15)


def test_free_energy_and_mixtures_match_reference():
    for m, q, r, alpha, temperature, want in REF["free_energy"]:
        assert _close(theory.free_energy(m, q, r, alpha, temperature), want)
    for n, temperature, want in REF["mixture_overlap"]:
        assert _close(theory.mixture_overlap(n, temperature), want)
    for n, want in REF["mixture_energy"]:
        assert _close(theory.mixture_energy(n), want)


def test_reentrant_maximum_of_the_retrieval_line():
    """alpha_M(T) peaks above alpha_c(0) = 0.13791 at low T, near T = 0.02."""
    temps = np.linspace(0.004, 0.06, 57)
    alphas = np.array([theory.alpha_c(t) for t in temps])
    peak = temps[np.argmax(alphas)]
    assert 0.01 <= peak <= 0.035
    assert alphas.max() > theory.alpha_c(0.0) + 2e-4
    assert theory.alpha_c(0.0) == pytest.approx(0.13791, abs=5e-6)


# ---- where 0.1.0 was wrong: adaptive quadrature, independent of the solver


def _gauss(f, centre=0.0):
    """<f(z)> over a standard Gaussian, by adaptive quadrature split at ``centre``."""

    def weighted(z):
        return f(z) * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)

    points = [centre] if abs(centre) < 12 else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        value, _ = integrate.quad(
            weighted, -12, 12, points=points, limit=500, epsabs=1e-14, epsrel=1e-13
        )
    return value


def _branch_alpha(m, temperature):
    """alpha of the RS retrieval solution with overlap m at T, from m's equation."""
    beta = 1 / temperature

    def m_residual(s):
        return _gauss(lambda z: np.tanh(beta * (m + s * z)), -m / s) - m

    s = optimize.brentq(m_residual, 1e-9, 50, xtol=1e-15)
    q = _gauss(lambda z: np.tanh(beta * (m + s * z)) ** 2, -m / s)
    r = q / (1 - beta * (1 - q)) ** 2
    return s * s / r


def _alpha_m(temperature):
    """alpha_M(T): the largest alpha on the retrieval branch, maximised over m."""
    m_cw = optimize.brentq(lambda m: np.tanh(m / temperature) - m, 1e-6, 1.0)
    ms = np.linspace(0.3 * m_cw, m_cw * (1 - 1e-7), 24)
    k = int(np.argmax([_branch_alpha(m, temperature) for m in ms]))
    best = optimize.minimize_scalar(
        lambda m: -_branch_alpha(m, temperature),
        bounds=(ms[max(k - 1, 0)], ms[min(k + 1, ms.size - 1)]),
        method="bounded",
        options={"xatol": 1e-9},
    )
    return -best.fun


@pytest.mark.parametrize("temperature", sorted(OLD_WRONG_ALPHA_C))
def test_alpha_c_where_old_solver_gave_up_early(temperature):
    want = _alpha_m(temperature)
    old = dict(REF["alpha_c"])[temperature]
    assert theory.alpha_c(temperature) == pytest.approx(want, abs=1e-8)
    assert want - old > 2e-5  # 0.1.0 stopped short of the line


def test_t_m_where_old_solver_gave_up_early():
    alpha = 1e-4
    t_m = theory.t_m(alpha)
    assert _alpha_m(t_m - 1e-6) > alpha > _alpha_m(t_m + 1e-6)
    assert t_m - dict(REF["t_m"])[alpha] > 1e-3


@pytest.mark.parametrize("alpha", [0.01, 0.1, 0.2])
def test_spin_glass_r_at_low_temperature_solves_the_equations(alpha):
    """At T = 0.002: r = q / (1 - beta (1 - q))^2, q = <tanh^2(beta sqrt(alpha r) z)>."""
    temperature = 0.002
    sol = theory.solve_spin_glass(alpha, temperature)
    s, beta = math.sqrt(alpha * sol.r), 1 / temperature
    q = _gauss(lambda z: np.tanh(beta * s * z) ** 2)
    assert sol.q == pytest.approx(q, abs=1e-12)
    assert sol.r == pytest.approx(q / (1 - beta * (1 - q)) ** 2, rel=1e-10)
    assert sol.c == pytest.approx(beta * (1 - q), rel=1e-10)


def test_critical_point_and_paramagnet_free_energy():
    """At alpha = 0 the paramagnet has f = -T ln 2; (0, 1) is the Curie point."""
    for temperature in (0.002, 0.3, 0.99, 1.0):
        sol = theory.solve_spin_glass(0.0, temperature)
        assert (sol.m, sol.q) == (0.0, 0.0)
        assert sol.f == pytest.approx(-temperature * math.log(2), rel=1e-14)
    sol = theory.solve_rs(0.0, 1.0)
    assert (sol.m, sol.c) == (0.0, 1.0)
