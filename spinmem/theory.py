r"""Replica-symmetric theory of the Hopfield model (``docs/physics.md`` sections 6-7).

Amit, Gutfreund & Sompolinsky, Phys. Rev. Lett. 55, 1530 (1985) and Ann. Phys. 173, 30
(1987): unbiased random patterns, Hebbian couplings, N -> infinity, load :math:`\alpha =
p / N`, temperature T (:math:`\beta = 1/T`), ``Dz`` the standard Gaussian measure.
Saddle-point equations of the retrieval state (one condensed pattern):

    m = int Dz tanh(beta (m + sqrt(alpha r) z))
    q = int Dz tanh^2(beta (m + sqrt(alpha r) z))
    r = q / (1 - beta (1 - q))^2

T = 0 limit (:math:`C = \beta (1 - q)` finite): :math:`m = \mathrm{erf}(m / \sqrt{2
\alpha r})`, :math:`C = \sqrt{2 / (\pi \alpha r)}\, e^{-m^2 / (2 \alpha r)}`, :math:`r =
1 / (1 - C)^2`; with :math:`y = m / \sqrt{2 \alpha r}` this is :math:`y \left(\sqrt{2
\alpha} + \frac{2}{\sqrt\pi} e^{-y^2}\right) = \mathrm{erf}(y)`.

RS free energy per spin (stationary exactly at the equations above):

    f = alpha/2 + m^2/2 + alpha/(2 beta) [ln(d) - beta q / d] + alpha beta r (1 - q) / 2
        - T int Dz ln 2 cosh(beta (m + sqrt(alpha r) z)),    d = 1 - beta + beta q

Lines of the phase diagram: the retrieval line ``alpha_c(T)`` (``T_M``) where the
retrieval solution disappears; the spin-glass line :math:`T_g = 1 + \sqrt\alpha`; and
:math:`T_c(\alpha)` below which retrieval states are global minima (their free energy
falls below the spin-glass one).
"""

import functools
from dataclasses import dataclass
from fractions import Fraction
from math import comb

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, special

from . import _checks, _rs_quadrature, _rsb1
from ._rsb1 import RSB1Solution

__all__ = [
    "RSB1Solution",
    "RSSolution",
    "alpha_c",
    "alpha_c_1rsb",
    "free_energy",
    "gardner_capacity",
    "mixture_energy",
    "mixture_overlap",
    "phase_lines",
    "solve_1rsb",
    "solve_rs",
    "solve_spin_glass",
    "t_c",
    "t_g",
    "t_m",
]

_M_MIN = 1e-4  # below this a "retrieval" solution counts as m = 0
_ALPHA_RS_START = 0.1379  # the RS retrieval solution that starts the 1RSB one


@dataclass(frozen=True)
class RSSolution:
    r"""A replica-symmetric saddle point: overlap m, Edwards-Anderson q, noise r.

    At T = 0, ``q = 1`` and :math:`c = \beta (1 - q)` is reported separately. ``f`` is
    the RS free energy per spin (the energy per spin at T = 0).

    Parameters
    ----------
    m, q, r, c, f : float
        Retrieval overlap, Edwards-Anderson order parameter, noise variance of the
        other patterns, :math:`\beta (1 - q)` and the free energy per spin (coupling units).
    alpha, temperature : float
        The load and temperature of the saddle point.
    """

    m: float
    q: float
    r: float
    c: float
    f: float
    alpha: float
    temperature: float


# ---------------------------------------------------------------- the retrieval branch
#
# At T > 0 the retrieval branch is parametrised by the noise s = sqrt(alpha r): at fixed
# s the overlap equation m = E tanh(beta (m + s z)) has at most one positive root m(s)
# (_rs_quadrature.rs_overlap), which gives q(s) and the load
#     alpha(s) = s^2 (1 - beta (1 - q))^2 / q        (_rs_quadrature.rs_load).
# alpha(s) rises from 0 at s = 0 to its maximum alpha_M(T) at s*, then falls until m(s)
# vanishes at s0. The retrieval solution at load alpha is the root of alpha(s) = alpha
# on the rising part (the stable one: the solution that plain iteration from m = q = 1
# reaches), and the retrieval line alpha_c(T) is alpha_M(T).

_XTOL = 1e-15


def _gaussian_averages(m, s, beta):
    r""":math:`(\mathbb{E} \tanh(\beta x), \mathbb{E}\, \mathrm{sech}^2(\beta x),
    \mathbb{E} \ln 2\cosh(\beta x))` for ``x = m + s z``."""
    return _rs_quadrature.rs_averages(float(m), float(s), float(beta))


def _s_zero(beta):
    """The noise s0 above which only m = 0 solves the overlap equation (beta > 1)."""

    def slope(s):
        return beta * _gaussian_averages(0.0, s, beta)[1] - 1.0

    hi = 1.0
    while slope(hi) > 0:
        hi *= 2.0
    return optimize.brentq(slope, 0.0, hi, xtol=1e-300, rtol=1e-10)


def _scan(alpha, beta, start, factor):
    """Walk up alpha(s) from ``s = start`` (None: s0 / 16) in steps of ``factor``.

    Returns ``("root", lo, hi)`` with alpha(lo) < alpha <= alpha(hi), or ``("top", a, b,
    c)`` with alpha(b) >= alpha(a), alpha(c), so that the maximum of alpha(s) lies in
    [a, c]. alpha(s) is unimodal with alpha(0) = 0, so either bracket holds exactly one
    crossing or the maximum wherever the walk starts.
    """
    s0 = _s_zero(beta)
    previous, s = 0.0, min(start, 0.5 * s0) if start else s0 / 16
    value = _rs_quadrature.rs_load(s, beta)
    while True:
        if value >= alpha:
            return ("root", previous, s)
        following = min(factor * s, s0)
        following_value = _rs_quadrature.rs_load(following, beta) if following < s0 else 0.0
        if following_value <= value:
            return ("top", previous, s, following)
        previous, s, value = s, following, following_value


def _top(beta):
    """``(alpha_M, s*)``: the maximum of alpha(s) and where it lies."""
    a, b, c = _scan(np.inf, beta, None, 2.0)[1:]
    # alpha is quadratic about its maximum: s* to 1e-7 gives alpha_M to ~1e-14
    if a > 0:
        best = optimize.minimize_scalar(
            lambda s: -_rs_quadrature.rs_load(s, beta), bracket=(a, b, c), tol=1e-7
        )
    else:
        best = optimize.minimize_scalar(
            lambda s: -_rs_quadrature.rs_load(s, beta),
            bounds=(a, c),
            method="bounded",
            options={"xatol": 1e-9 * c},
        )
    return float(-best.fun), float(best.x)


@functools.lru_cache(maxsize=4096)
def _alpha_m(temperature):
    """alpha_M(T): the largest load with a retrieval solution at T > 0."""
    if temperature >= 1.0:
        return 0.0
    return _top(1.0 / temperature)[0]


def _retrieval_noise(alpha, beta):
    """The noise s of the retrieval solution at (alpha, beta); None without one."""
    scan = _scan(alpha, beta, np.sqrt(alpha), 1.5)
    if scan[0] == "root":
        lo, hi = scan[1:]
    else:
        top, s_top = _top(beta)
        if top < alpha:
            return None
        lo, hi = scan[1], s_top
    return optimize.brentq(
        lambda s: _rs_quadrature.rs_load(s, beta) - alpha, lo, hi, xtol=1e-300, rtol=_XTOL
    )


# ---------------------------------------------------------------- solvers


def solve_rs(alpha: float, temperature: float) -> RSSolution:
    """The retrieval solution (m, q, r) at load alpha and temperature T.

    Parameters
    ----------
    alpha : float
        Load p/N, >= 0.
    temperature : float
        T >= 0, in coupling units.

    Returns
    -------
    RSSolution
        The retrieval solution when it exists, else the m = 0 solution (spin glass
        below ``T_g``, paramagnet above).

    Examples
    --------
    >>> round(solve_rs(0.1, 0.0).m, 4)
    0.998
    """
    alpha = _checks.real("alpha", alpha, minimum=0.0)
    temperature = _checks.temperature("temperature", temperature, zero=True)
    sol = _retrieval(alpha, temperature)
    if sol is None:
        return solve_spin_glass(alpha, temperature)
    return sol


def _retrieval(alpha, temperature):
    if temperature == 0:
        return _retrieval_t0(alpha)
    if temperature >= 1.0:
        return None
    beta = 1.0 / temperature
    if alpha == 0:
        m = _curie_weiss(beta)
        if m < _M_MIN:
            return None
        return _finish(m, m * m, 0.0, alpha, temperature)
    s = _retrieval_noise(alpha, beta)
    if s is None:
        return None
    m, sech2 = _rs_quadrature.rs_overlap(s, beta)
    if m < _M_MIN:
        return None
    q, c = 1.0 - sech2, beta * sech2
    return _finish(m, q, q / (1.0 - c) ** 2, alpha, temperature, c=c)


def _curie_weiss(beta):
    if beta <= 1:
        return 0.0
    return optimize.brentq(lambda m: m - np.tanh(beta * m), 1e-12, 1.0, xtol=1e-15)


def _alpha_of_y(y):
    r"""The load at which :math:`y = m / \sqrt{2 \alpha r}` solves the T = 0 equations."""
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
    r"""The m = 0 solution: spin glass (q > 0) below :math:`T_g = 1 + \sqrt\alpha`,
    paramagnet (q = 0) above.

    Parameters
    ----------
    alpha : float
        Load p/N, >= 0.
    temperature : float
        T >= 0.

    Returns
    -------
    RSSolution
    """
    alpha = _checks.real("alpha", alpha, minimum=0.0)
    temperature = _checks.temperature("temperature", temperature, zero=True)
    if alpha == 0 or temperature >= t_g(alpha):  # paramagnet: q = r = 0
        if temperature == 0:
            return _finish(0.0, 1.0, 0.0, alpha, 0.0, c=0.0)
        return _finish(0.0, 0.0, 0.0, alpha, temperature)
    if temperature == 0:
        a = np.sqrt(2 / (np.pi * alpha))
        c = a / (1 + a)
        return _finish(0.0, 1.0, 1 / (1 - c) ** 2, alpha, 0.0, c=c)
    c = _spin_glass_c(alpha, temperature)
    if c is None:  # within rounding of T_g: q vanishes to double precision
        return _finish(0.0, 0.0, 0.0, alpha, temperature)
    q = 1.0 - c * temperature
    return _finish(0.0, q, q / (1.0 - c) ** 2, alpha, temperature, c=c)


def _spin_glass_c(alpha, temperature):
    r""":math:`c = \beta (1 - q)` of the spin-glass solution below ``T_g``.

    With ``q = 1 - c T`` and :math:`r = q / (1 - c)^2` the equations reduce to :math:`c
    = \beta\, \mathbb{E}\, \mathrm{sech}^2(\beta \sqrt{\alpha r}\, z)`, solved on
    :math:`0 < c < \min(1, \beta)` (:math:`c = \beta` is the paramagnet). Working in c
    rather than q keeps the solution resolved when ``1 - q`` is below double precision
    (T -> 0).
    """
    beta = 1.0 / temperature

    def gap(c):
        s = np.sqrt(alpha * (1.0 - c * temperature)) / (1.0 - c)
        return beta * _gaussian_averages(0.0, s, beta)[1] - c

    hi = min(1.0, beta) * (1.0 - 1e-12)
    if gap(hi) >= 0:
        return None
    return optimize.brentq(gap, 0.0, hi, xtol=1e-300, rtol=1e-15)


def _finish(m, q, r, alpha, temperature, c=None):
    r"""The solution with its free energy; :math:`c = \beta (1 - q)` is computed when
    not given
    (the solvers pass it when ``1 - q`` is below double precision)."""
    if temperature == 0:
        m, r, c = float(m), float(r), float(c)
        return RSSolution(m, q, r, c, _energy_t0(m, c, alpha), alpha, temperature)
    if c is None:
        c = (1.0 - q) / temperature
    f = _free_energy(m, q, r, c, alpha, temperature)
    return RSSolution(m, q, r, c, f, alpha, temperature)


def free_energy(m: float, q: float, r: float, alpha: float, temperature: float) -> float:
    r"""RS free energy per spin of AGS (1987) at a point (m, q, r), T > 0.

    At :math:`\alpha = 0` the load terms vanish and this is the Curie-Weiss free energy
    :math:`m^2/2 - T \ln 2\cosh(m/T)` (also at T = 1, where the load terms alone would be
    0 * infinity).

    Parameters
    ----------
    m : float
        Retrieval overlap.
    q : float
        Edwards-Anderson order parameter, in [0, 1].
    r : float
        Noise variance of the other patterns, >= 0.
    alpha : float
        Load, >= 0.
    temperature : float
        T > 0.

    Returns
    -------
    float
        Free energy per spin, coupling units.

    Examples
    --------
    >>> round(free_energy(0.0, 0.0, 0.0, 0.0, 1.0), 6)  # -T ln 2
    -0.693147
    """
    m = _checks.real("m", m)
    q = _checks.real("q", q, minimum=0.0, maximum=1.0)
    r = _checks.real("r", r, minimum=0.0)
    alpha = _checks.real("alpha", alpha, minimum=0.0)
    temperature = _checks.temperature("temperature", temperature)
    return _free_energy(m, q, r, (1.0 - q) / temperature, alpha, temperature)


def _free_energy(m, q, r, c, alpha, temperature):
    r""":func:`free_energy` with :math:`c = \beta (1 - q)` given: ``d = 1 - c``."""
    beta = 1.0 / temperature
    entropy_term = _gaussian_averages(m, np.sqrt(alpha * r), beta)[2]
    f = m * m / 2 - entropy_term * temperature
    if alpha == 0:
        return float(f)
    d = 1.0 - c
    return float(
        f + alpha / 2 + alpha / 2 * (temperature * np.log(d) - q / d) + alpha * r * c / 2
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
    return float(alpha / 2 + m * m / 2 + alpha / 2 * (2 * c - 1) / (1 - c) ** 2 - mean_abs)


# ---------------------------------------------------------------- lines


def t_g(alpha: ArrayLike) -> np.ndarray | float:
    r"""Spin-glass transition :math:`T_g = 1 + \sqrt\alpha`.

    Parameters
    ----------
    alpha : array_like
        Loads, >= 0.

    Returns
    -------
    float or numpy.ndarray
        The shape of ``alpha``.
    """
    return 1.0 + np.sqrt(np.asarray(alpha, dtype=float))


def alpha_c(temperature: float, *, tol: float = 1e-10) -> float:
    """The retrieval line: the largest alpha with a retrieval solution at T.

    ``alpha_c(0) = 0.13791`` (with m = 0.9674); it vanishes at T = 1. The result is the
    maximum of the load over the retrieval branch (module notes), accurate to ``tol``
    or better.

    Parameters
    ----------
    temperature : float
        T >= 0.
    tol : float
        Absolute accuracy, > 0.

    Returns
    -------
    float
    """
    temperature = _checks.temperature("temperature", temperature, zero=True)
    _tolerance(tol)
    if temperature >= 1.0:
        return 0.0
    if temperature == 0:
        return float(_alpha_of_y(_y_star()))
    return _alpha_m(temperature)


def t_m(alpha: float, *, tol: float = 1e-10) -> float:
    """Temperature of the retrieval line at load alpha (inverse of :func:`alpha_c`).

    Near ``T = 0`` the line is re-entrant; this returns its upper branch.

    Parameters
    ----------
    alpha : float
        Load, >= 0.
    tol : float
        Absolute accuracy, > 0.

    Returns
    -------
    float
        The highest T with a retrieval solution; 0 when there is none at T = 0.02.
    """
    alpha = _checks.real("alpha", alpha, minimum=0.0)
    tol = _tolerance(tol)
    if alpha == 0:
        return 1.0
    if alpha > _alpha_m(0.02):  # beyond the re-entrant nose of the line
        return 0.0
    return optimize.brentq(lambda t: _alpha_m(t) - alpha, 0.02, 1.0, xtol=tol)


def t_c(alpha: float, *, tol: float = 1e-10) -> float:
    r"""Temperature below which retrieval states are global minima (their RS free energy
    is below the spin-glass one).

    Parameters
    ----------
    alpha : float
        Load, >= 0.
    tol : float
        Absolute accuracy, > 0.

    Returns
    -------
    float
        :math:`T_c(\alpha)`; NaN when retrieval states are never global minima
        (alpha > 0.0519).
    """
    alpha = _checks.real("alpha", alpha, minimum=0.0)
    tol = _tolerance(tol)
    if alpha == 0:
        return 1.0

    def gap(temperature):
        ret = _retrieval(alpha, temperature)
        if ret is None:  # above the retrieval line: counts as "not a minimum"
            return 1.0
        return ret.f - solve_spin_glass(alpha, temperature).f

    if gap(0.0) >= 0:
        return float("nan")
    return optimize.brentq(gap, 0.0, 1.0, xtol=tol)


def _tolerance(tol) -> float:
    return _checks.real("tol", tol, positive=True, maximum=0.01)


# ---------------------------------------------------------------- finite-p mixtures


def mixture_overlap(n: int, temperature: float = 0.0) -> float:
    """Overlap m of the symmetric n-mixture at finite p (alpha = 0), temperature T.

    Solves ``m = < xi^1 tanh(beta m sum_{mu<=n} xi^mu) >`` over the 2^n sign patterns
    (AGS, Phys. Rev. A 32, 1007, 1985): at T = 0, 1/2, 3/8, 5/16 for n = 3, 5, 7.

    Parameters
    ----------
    n : int
        Number of patterns in the mixture, >= 1 (odd: no ties in the sum).
    temperature : float
        T >= 0.

    Returns
    -------
    float
        The overlap with each of the n patterns; 0 where only m = 0 solves it.
    """
    n = _checks.integer("n", n, minimum=1)
    temperature = _checks.temperature("temperature", temperature, zero=True)
    j = np.arange(n)
    from scipy import stats  # on first use: a second of import time

    weights = stats.binom.pmf(j, n - 1, 0.5)
    field = 1.0 + 2.0 * j - (n - 1)  # xi^1 sum_mu xi^mu for xi^1 = +1

    if temperature == 0:  # exact: P(field > 0) - P(field < 0) in integers
        signed = sum(
            comb(n - 1, k) * (1 if 2 * k > n - 2 else -1)
            for k in range(n)
            if 2 * k != n - 2
        )
        return float(Fraction(signed, 2 ** (n - 1)))
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
    r"""Energy per spin :math:`-n m^2 / 2` of the symmetric n-mixture at T = 0, finite p.

    Parameters
    ----------
    n : int
        Number of patterns in the mixture, >= 1 (odd: no ties in the sum).

    Returns
    -------
    float
        Coupling units.
    """
    m = mixture_overlap(n, 0.0)
    return -n * m * m / 2


@functools.lru_cache(maxsize=8)
def phase_lines(points: int = 24) -> dict[str, np.ndarray]:
    """The three lines of the AGS phase diagram, sampled for plotting.

    Parameters
    ----------
    points : int
        Points per line.

    Returns
    -------
    dict
        Arrays ``tm_alpha, tm_t`` (retrieval line alpha_c(T)), ``tc_alpha, tc_t``
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


def gardner_capacity(kappa: ArrayLike) -> np.ndarray | float:
    r"""Gardner's storage capacity of unconstrained couplings with margin kappa.

    The largest load :math:`\alpha = p/N` at which couplings exist with every stability
    :math:`\Delta_i^\mu \ge \kappa`, each row of J chosen on its own (E. Gardner, J.
    Phys. A 21, 257, 1988):

    .. math::

        \alpha_c(\kappa) = \left[\int_{-\kappa}^\infty Dt\, (t + \kappa)^2\right]^{-1}
        = \left[(1 + \kappa^2) \Phi(\kappa) + \kappa \varphi(\kappa)\right]^{-1},

    with :math:`\Phi` and :math:`\varphi` the standard normal distribution and density;
    2 at kappa = 0. Symmetric couplings (``docs/physics.md`` section 11) can only store
    fewer.

    Parameters
    ----------
    kappa : array_like
        Margins, >= 0.

    Returns
    -------
    float or numpy.ndarray
        The capacity, the shape of ``kappa``.

    Examples
    --------
    >>> gardner_capacity(0.0)
    2.0
    """
    k = np.asarray(kappa, dtype=np.float64)
    if not np.all(np.isfinite(k)) or np.any(k < 0):
        raise ValueError(f"kappa must be finite and >= 0, got {kappa!r}")
    density = np.exp(-0.5 * k * k) / np.sqrt(2.0 * np.pi)
    out = 1.0 / ((1.0 + k * k) * special.ndtr(k) + k * density)
    return float(out) if out.ndim == 0 else out


def solve_1rsb(alpha: float) -> RSB1Solution:
    r"""The one-step RSB retrieval solution at load alpha and T = 0.

    The saddle point of the 1RSB energy of ``docs/physics.md`` section 7 (module
    ``spinmem._rsb1``): overlap levels :math:`q_0 < q_1 = 1`, breaking parameter
    :math:`\mu = \beta x` at the maximum of the energy over :math:`\mu`. The breaking
    shrinks fast with the load (at alpha = 0.1 its energy exceeds the RS one by 5e-9,
    with :math:`1 - q_0 = 2 \times 10^{-5}`); below about alpha = 0.1 no solution
    distinct from the replica-symmetric one is found, and the call says so.

    Parameters
    ----------
    alpha : float
        Load, 0 < alpha <= :func:`alpha_c_1rsb` (0.138186).

    Returns
    -------
    RSB1Solution
        m, q0, C, mu, r0, r1, the ground-state energy per spin and alpha.

    Raises
    ------
    RuntimeError
        No 1RSB retrieval solution found (beyond alpha_c, or at low load).
    """
    alpha = _checks.real("alpha", alpha, positive=True)
    rs = solve_rs(min(alpha, _ALPHA_RS_START), 0.0)
    return _rsb1.at_alpha(alpha, _rsb1.start_at(alpha, rs.m, rs.c))


def alpha_c_1rsb() -> RSB1Solution:
    r"""The one-step RSB retrieval line at T = 0: the largest load with a 1RSB
    retrieval solution, and that solution.

    Found as the maximum of the load along the 1RSB retrieval branch parametrised by
    m (a saddle-node, as for :func:`alpha_c`); 0.1381865 with m = 0.96678, against
    0.138186 of Steffan and Kühn (Z. Phys. B 95, 249, 1994) and 0.137905 for RS.
    Takes about 15 s.

    Returns
    -------
    RSB1Solution
        The solution at the saddle-node; its ``alpha`` is alpha_c.
    """
    return _rsb1.critical(solve_1rsb(0.13))
