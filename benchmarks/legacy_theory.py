"""The replica-symmetric solver of spinmem 0.1.0 (commit 05223bf), kept unchanged as the
reference that benchmarks/bench_theory.py times and tests/data/theory_reference.json
was computed with. Not part of the package.

Original docstring: Replica-symmetric theory of the Hopfield model.

Amit, Gutfreund & Sompolinsky, Phys. Rev. Lett. 55, 1530 (1985) and Ann. Phys. 173, 30
(1987): unbiased random patterns, Hebbian couplings, N -> infinity, load
``alpha = p / N``, temperature T (``beta = 1/T``), ``Dz`` the standard Gaussian measure.
Saddle-point equations of the retrieval state (one condensed pattern):

    m = int Dz tanh(beta (m + sqrt(alpha r) z))
    q = int Dz tanh^2(beta (m + sqrt(alpha r) z))
    r = q / (1 - beta (1 - q))^2

T = 0 limit (``C = beta (1 - q)`` finite): ``m = erf(m / sqrt(2 alpha r))``,
``C = sqrt(2 / (pi alpha r)) exp(-m^2 / (2 alpha r))``, ``r = 1 / (1 - C)^2``; with
``y = m / sqrt(2 alpha r)`` this is ``y (sqrt(2 alpha) + (2/sqrt(pi)) exp(-y^2)) = erf(y)``.

RS free energy per spin (stationary exactly at the equations above):

    f = alpha/2 + m^2/2 + alpha/(2 beta) [ln(d) - beta q / d] + alpha beta r (1 - q) / 2
        - T int Dz ln 2 cosh(beta (m + sqrt(alpha r) z)),    d = 1 - beta + beta q

Lines of the phase diagram: the retrieval line ``alpha_c(T)`` (``T_M``) where the
retrieval solution disappears; the spin-glass line ``T_g = 1 + sqrt(alpha)``; and
``T_c(alpha)`` below which retrieval states are global minima (their free energy
falls below the spin-glass one).
"""

import functools
from dataclasses import dataclass
from math import comb

import numpy as np
from scipy import optimize, special

from spinmem import _checks

__all__ = [
    "RSSolution",
    "alpha_c",
    "free_energy",
    "mixture_energy",
    "mixture_overlap",
    "phase_lines",
    "solve_rs",
    "solve_spin_glass",
    "t_c",
    "t_g",
    "t_m",
]

_M_MIN = 1e-4  # below this a "retrieval" solution counts as m = 0


@dataclass(frozen=True)
class RSSolution:
    """A replica-symmetric saddle point: overlap m, Edwards-Anderson q, noise r.

    At T = 0, ``q = 1`` and ``c = beta (1 - q)`` is reported separately. ``f`` is the RS
    free energy per spin (the energy per spin at T = 0).
    """

    m: float
    q: float
    r: float
    c: float
    f: float
    alpha: float
    temperature: float


# ---------------------------------------------------------------- Gaussian averages


_Z = np.linspace(-10.0, 10.0, 16001)
_W = np.exp(-0.5 * _Z**2) * (_Z[1] - _Z[0]) / np.sqrt(2 * np.pi)
_W[[0, -1]] *= 0.5  # trapezoid rule: spectrally accurate for smooth Gaussian integrands


def _gauss(fn, mean, sigma):
    """``int Dz fn(mean + sigma z)`` on a fine grid (spacing 0.00125, |z| <= 10), which
    resolves ``tanh(beta x)`` down to T ~ 0.002 for the noise levels of the model."""
    if sigma == 0:
        return float(fn(mean))
    return float(_W @ fn(mean + sigma * _Z))


def _mq(m, r, alpha, beta):
    sigma = np.sqrt(max(alpha * r, 0.0))
    m_new = _gauss(lambda x: np.tanh(beta * x), m, sigma)
    q_new = _gauss(lambda x: np.tanh(beta * x) ** 2, m, sigma)
    return m_new, q_new


def _log_2cosh(x):
    """``ln(2 cosh x)`` without overflow."""
    x = np.abs(x)
    return x + np.log1p(np.exp(-2 * x))


# ---------------------------------------------------------------- solvers


def solve_rs(alpha: float, temperature: float) -> RSSolution:
    """The retrieval solution (m, q, r) at load alpha and temperature T.

    Returns the retrieval solution when it exists, else the m = 0 solution (spin glass
    below ``T_g``, paramagnet above).

    Examples
    --------
    >>> round(solve_rs(0.1, 0.0).m, 4)
    0.998
    """
    alpha = _checks.real("alpha", alpha, minimum=0.0)
    temperature = _checks.real("temperature", temperature, minimum=0.0)
    sol = _retrieval(alpha, temperature)
    if sol is None:
        return solve_spin_glass(alpha, temperature)
    return sol


def _retrieval(alpha, temperature):
    if temperature == 0:
        return _retrieval_t0(alpha)
    beta = 1.0 / temperature
    if alpha == 0:
        m = _curie_weiss(beta)
        if m < _M_MIN:
            return None
        return _finish(m, m * m, 0.0, alpha, temperature)
    # iterating from m = q = 1 descends to the retrieval branch (or to m = 0 without it);
    # near the retrieval line it slows down, and Newton's method finishes the job
    m, q = 1.0, 1.0
    converged = False
    for _ in range(300):
        r = q / (1.0 - beta * (1.0 - q)) ** 2
        m_new, q_new = _mq(m, r, alpha, beta)
        if m_new < _M_MIN:
            return None
        converged = abs(m_new - m) < 1e-12 and abs(q_new - q) < 1e-12
        m, q = m_new, q_new
        if converged:
            break
    polished = _polish(m, q, alpha, beta)
    if polished is None and not converged:
        return None
    m, q = polished or (m, q)
    if m < _M_MIN:
        return None
    return _finish(m, q, q / (1.0 - beta * (1.0 - q)) ** 2, alpha, temperature)


def _polish(m, q, alpha, beta):
    """Newton polish of (m, q); None when it does not converge."""

    def residual(x):
        r = x[1] / (1.0 - beta * (1.0 - x[1])) ** 2
        mm, qq = _mq(x[0], r, alpha, beta)
        return [mm - x[0], qq - x[1]]

    sol, info, ok, _ = optimize.fsolve(residual, [m, q], full_output=True, xtol=1e-13)
    if ok != 1 or np.max(np.abs(info["fvec"])) > 1e-10:
        return None
    return float(sol[0]), float(sol[1])


def _curie_weiss(beta):
    if beta <= 1:
        return 0.0
    return optimize.brentq(lambda m: m - np.tanh(beta * m), 1e-12, 1.0, xtol=1e-15)


def _alpha_of_y(y):
    """The load at which ``y = m / sqrt(2 alpha r)`` solves the T = 0 equations."""
    return 0.5 * (special.erf(y) / y - 2 / np.sqrt(np.pi) * np.exp(-y * y)) ** 2


def _y_star():
    """The y where alpha(y) is largest: alpha_c(0) = alpha(y*)."""
    best = optimize.minimize_scalar(
        lambda y: -_alpha_of_y(y), bracket=(1.0, 1.5, 2.5), tol=1e-12
    )
    return float(best.x)


def _retrieval_t0(alpha):
    if alpha == 0:
        return _finish(1.0, 1.0, 0.0, 0.0, 0.0, c=0.0)
    y_star = _y_star()
    if alpha > _alpha_of_y(y_star):
        return None
    # the retrieval branch is the root with y >= y*, where alpha(y) decreases
    y_hi = y_star
    while _alpha_of_y(y_hi) > alpha:
        y_hi *= 2
    y = optimize.brentq(lambda y: _alpha_of_y(y) - alpha, y_star, y_hi, xtol=1e-15)
    m = float(special.erf(y))
    c = 2 * y / np.sqrt(np.pi) * np.exp(-y * y) / m
    return _finish(m, 1.0, 1.0 / (1.0 - c) ** 2, alpha, 0.0, c=c)


def solve_spin_glass(alpha: float, temperature: float) -> RSSolution:
    """The m = 0 solution: spin glass (q > 0) below ``T_g = 1 + sqrt(alpha)``,
    paramagnet (q = 0) above."""
    alpha = _checks.real("alpha", alpha, minimum=0.0)
    temperature = _checks.real("temperature", temperature, minimum=0.0)
    if alpha == 0 or temperature >= t_g(alpha):  # paramagnet: q = r = 0
        if temperature == 0:
            return _finish(0.0, 1.0, 0.0, alpha, 0.0, c=0.0)
        return _finish(0.0, 0.0, 0.0, alpha, temperature)
    if temperature == 0:
        a = np.sqrt(2 / (np.pi * alpha))
        c = a / (1 + a)
        return _finish(0.0, 1.0, 1 / (1 - c) ** 2, alpha, 0.0, c=c)
    beta = 1.0 / temperature

    def q_map(q):
        r = q / (1.0 - beta * (1.0 - q)) ** 2
        return _mq(0.0, r, alpha, beta)[1]

    # physical branch: 1 - beta (1 - q) > 0, i.e. q > 1 - T, where r is finite
    low = max(0.0, 1.0 - temperature) + 1e-12
    q = optimize.brentq(lambda q: q_map(q) - q, low, 1.0 - 1e-15, xtol=1e-15)
    return _finish(0.0, q, q / (1.0 - beta * (1.0 - q)) ** 2, alpha, temperature)


def _finish(m, q, r, alpha, temperature, c=None):
    if temperature == 0:
        f = _energy_t0(m, c, alpha)
        return RSSolution(m, q, r, c, f, alpha, temperature)
    beta = 1.0 / temperature
    c = beta * (1.0 - q)
    return RSSolution(
        m, q, r, c, free_energy(m, q, r, alpha, temperature), alpha, temperature
    )


def free_energy(m: float, q: float, r: float, alpha: float, temperature: float) -> float:
    """RS free energy per spin of AGS (1987) at a point (m, q, r), T > 0."""
    beta = 1.0 / temperature
    d = 1.0 - beta + beta * q
    sigma = np.sqrt(alpha * r)
    entropy_term = _gauss(lambda x: _log_2cosh(beta * x), m, sigma)
    return (
        alpha / 2
        + m * m / 2
        + alpha / (2 * beta) * (np.log(d) - beta * q / d)
        + alpha * beta * r * (1 - q) / 2
        - entropy_term / beta
    )


def _energy_t0(m, c, alpha):
    """T = 0 limit of the free energy: the ground-state energy per spin of the branch."""
    if alpha == 0:
        return -m * m / 2
    r = 1.0 / (1.0 - c) ** 2
    sigma = np.sqrt(alpha * r)
    mean_abs = m * special.erf(m / (sigma * np.sqrt(2))) + sigma * np.sqrt(
        2 / np.pi
    ) * np.exp(-m * m / (2 * sigma * sigma))
    return alpha / 2 + m * m / 2 + alpha / 2 * (2 * c - 1) / (1 - c) ** 2 - mean_abs


# ---------------------------------------------------------------- lines


def t_g(alpha):
    """Spin-glass transition ``T_g = 1 + sqrt(alpha)``."""
    return 1.0 + np.sqrt(np.asarray(alpha, dtype=float))


def alpha_c(temperature: float, *, tol: float = 1e-5) -> float:
    """The retrieval line: the largest alpha with a retrieval solution at T.

    ``alpha_c(0) = 0.13791`` (with m = 0.9674); it vanishes at T = 1.
    """
    temperature = _checks.real("temperature", temperature, minimum=0.0)
    if temperature >= 1.0:
        return 0.0
    if temperature == 0:
        return float(_alpha_of_y(_y_star()))
    return _bisect(lambda a: _retrieval(a, temperature) is not None, 0.0, 0.14, tol)


def t_m(alpha: float, *, tol: float = 1e-5) -> float:
    """Temperature of the retrieval line at load alpha (inverse of :func:`alpha_c`):
    the highest T with a retrieval solution; 0 when alpha >= alpha_c(0). Near
    ``T = 0`` the line is re-entrant; this returns its upper branch."""
    alpha = _checks.real("alpha", alpha, minimum=0.0)
    if alpha == 0:
        return 1.0
    if _retrieval(alpha, 0.02) is None:  # beyond the re-entrant nose of the line
        return 0.0
    return _bisect(lambda t: _retrieval(alpha, t) is not None, 0.02, 1.0, tol)


def t_c(alpha: float, *, tol: float = 1e-5) -> float:
    """Temperature below which retrieval states are global minima (their RS free energy
    is below the spin-glass one); NaN when they never are (alpha > 0.0519)."""
    alpha = _checks.real("alpha", alpha, minimum=0.0)
    if alpha == 0:
        return 1.0

    def gap(temperature):
        ret = _retrieval(alpha, temperature)
        if ret is None:
            return np.inf
        return ret.f - solve_spin_glass(alpha, temperature).f

    if gap(0.0) >= 0:
        return float("nan")
    return _bisect(lambda t: gap(t) < 0, 0.0, 1.0, tol)


def _bisect(holds, lo, hi, tol):
    """The boundary of ``holds`` on [lo, hi], true at lo and false beyond: bisection."""
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if holds(mid):
            lo = mid
        else:
            hi = mid
    return lo


# ---------------------------------------------------------------- finite-p mixtures


def mixture_overlap(n: int, temperature: float = 0.0) -> float:
    """Overlap m of the symmetric n-mixture at finite p (alpha = 0), temperature T.

    Solves ``m = < xi^1 tanh(beta m sum_{mu<=n} xi^mu) >`` over the 2^n sign patterns
    (AGS, Phys. Rev. A 32, 1007, 1985): at T = 0, 1/2, 3/8, 5/16 for n = 3, 5, 7. Returns
    0 where only m = 0 solves it.
    """
    n = _checks.integer("n", n, minimum=1)
    temperature = _checks.real("temperature", temperature, minimum=0.0)
    j = np.arange(n)
    weights = np.array([comb(n - 1, int(k)) for k in j], dtype=float) / 2 ** (n - 1)
    field = 1.0 + 2.0 * j - (n - 1)  # xi^1 sum_mu xi^mu for xi^1 = +1

    if temperature == 0:
        return float(np.sum(weights * np.sign(field)))
    beta = 1.0 / temperature

    def rhs(m):
        return float(np.sum(weights * np.tanh(beta * m * field)))

    m = 1.0
    for _ in range(100_000):
        new = rhs(m)
        if abs(new - m) < 1e-14:
            break
        m = new
    return float(m) if m > _M_MIN else 0.0


def mixture_energy(n: int) -> float:
    """Energy per spin ``-n m^2 / 2`` of the symmetric n-mixture at T = 0, finite p."""
    m = mixture_overlap(n, 0.0)
    return -n * m * m / 2


@functools.lru_cache(maxsize=8)
def phase_lines(points: int = 24) -> dict[str, np.ndarray]:
    """The three lines of the AGS phase diagram, sampled for plotting.

    Returns arrays ``tm_alpha, tm_t`` (retrieval line alpha_c(T)), ``tc_alpha, tc_t``
    (global-minimum line T_c(alpha)) and ``tg_alpha, tg_t`` (T_g = 1 + sqrt(alpha)).
    """
    temps = np.linspace(0.0, 0.995, points)
    tm_alpha = np.array([alpha_c(t) for t in temps])
    tc_alpha = np.linspace(0.0, 0.0518, points)
    tc_t = np.array([t_c(a) for a in tc_alpha])
    tg_alpha = np.linspace(0.0, 0.25, points)
    return {
        "tm_alpha": tm_alpha,
        "tm_t": temps,
        "tc_alpha": tc_alpha,
        "tc_t": tc_t,
        "tg_alpha": tg_alpha,
        "tg_t": t_g(tg_alpha),
    }
