r"""The replica-symmetric (RS) solution of the Hopfield model at any temperature
(``docs/physics.md`` sections 6-7): the retrieval and spin-glass solutions and the
RS free energy. The equations are given in :mod:`spinmem.theory`.
"""

import functools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, special

from .. import _checks, _rs_quadrature

_M_MIN = 1e-4  # below this a "retrieval" solution counts as m = 0


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
