r"""The lines of the replica-symmetric phase diagram (``docs/physics.md`` section 6):
the retrieval line and the line below which retrieval states are global minima (the
spin-glass line :func:`~spinmem.theory.t_g` sits with the RS solution).
"""

import functools

import numpy as np
from scipy import optimize

from .. import _checks
from .rs import _alpha_m, _alpha_of_y, _retrieval, _y_star, solve_spin_glass, t_g


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
