"""Gaussian averages of the replica-symmetric theory, compiled: the quadrature
behind :mod:`spinmem.theory` (``docs/physics.md`` section 7). Theory never runs a
simulation; these are plain functions of numbers.
"""

import math

import numpy as np
from numba import njit

from ._jit import cached_njit, inner_njit

# For x = m + s z with z standard normal, the replica-symmetric equations need
# E tanh(beta x), E sech^2(beta x) = 1 - E tanh^2(beta x) and E ln 2cosh(beta x).
# When beta s <= 1 the integrands are smooth on the scale of the Gaussian (their poles
# lie at least pi/2 from the real z axis) and Gauss-Hermite quadrature converges fast.
# When beta s > 1, tanh(beta x) is close to sign(x): the sign part is integrated in
# closed form (erf, E|x|) and the rest, which decays as exp(-2 beta |x|), by
# Gauss-Legendre in u = beta x on [0, U] and [-U, 0] (the kink at x = 0 is a node
# boundary), where the Gaussian density is smooth on the scale of the integrand.
_GH_Z, _GH_W = np.polynomial.hermite_e.hermegauss(120)
_GH_W = _GH_W / np.sqrt(2.0 * np.pi)
_GL_U_MAX = 24.0  # exp(-2 U) = 1.4e-21
_GL_X, _GL_W = np.polynomial.legendre.leggauss(96)
_GL_U = 0.5 * _GL_U_MAX * (_GL_X + 1.0)
_GL_W = 0.5 * _GL_U_MAX * _GL_W
_GL_E = np.exp(-2.0 * _GL_U)
_GL_ONE_MINUS_TANH = 2.0 * _GL_E / (1.0 + _GL_E)
_GL_SECH2 = 4.0 * _GL_E / (1.0 + _GL_E) ** 2
_GL_LOG1P = np.log1p(_GL_E)
_SQRT2 = np.sqrt(2.0)
_SQRT_2PI = np.sqrt(2.0 * np.pi)


@njit(inline="always")
def _tanh_parts(y):
    """(tanh y, sech^2 y, ln 2cosh y) from one exponential, accurate for large |y|."""
    a = abs(y)
    e = np.exp(-2.0 * a)
    t = (1.0 - e) / (1.0 + e)
    if y < 0:
        t = -t
    return t, 4.0 * e / ((1.0 + e) * (1.0 + e)), a + np.log1p(e)


@cached_njit()
def rs_averages(m, s, beta):
    """``(E tanh(beta x), E sech^2(beta x), E ln 2cosh(beta x))``, ``x = m + s z``.

    ``z`` is a standard normal variable, ``s >= 0``, ``beta > 0``. Absolute accuracy
    better than 1e-12 for all m, s and beta.
    """
    if s == 0.0:
        return _tanh_parts(beta * m)
    t1 = 0.0
    t2 = 0.0
    lc = 0.0
    if beta * s <= 1.0:
        for k in range(_GH_Z.size):
            t, sech2, l2c = _tanh_parts(beta * (m + s * _GH_Z[k]))
            t1 += _GH_W[k] * t
            t2 += _GH_W[k] * sech2
            lc += _GH_W[k] * l2c
        return t1, t2, lc
    a = m / (s * _SQRT2)
    erf_a = math.erf(a)
    mean_abs = m * erf_a + s * np.sqrt(2.0 / np.pi) * np.exp(-a * a)
    norm = 1.0 / (_SQRT_2PI * s * beta)
    for k in range(_GL_U.size):
        x = _GL_U[k] / beta
        zp = (x - m) / s
        zm = (x + m) / s
        wp = _GL_W[k] * norm * np.exp(-0.5 * zp * zp)
        wm = _GL_W[k] * norm * np.exp(-0.5 * zm * zm)
        t1 -= _GL_ONE_MINUS_TANH[k] * (wp - wm)
        t2 += _GL_SECH2[k] * (wp + wm)
        lc += _GL_LOG1P[k] * (wp + wm)
    return erf_a + t1, t2, beta * mean_abs + lc


@inner_njit
def _rs_tanh(m, s, beta):
    """``(E tanh(beta x), E sech^2(beta x))`` of :func:`rs_averages`, without the
    logarithm (for the overlap equation)."""
    if s == 0.0 or beta * s > 1.0:
        t1, t2, _ = rs_averages(m, s, beta)
        return t1, t2
    t1 = 0.0
    t2 = 0.0
    for k in range(_GH_Z.size):
        y = beta * (m + s * _GH_Z[k])
        e = np.exp(-2.0 * abs(y))
        t = (1.0 - e) / (1.0 + e)
        t1 += _GH_W[k] * (t if y >= 0 else -t)
        t2 += _GH_W[k] * 4.0 * e / ((1.0 + e) * (1.0 + e))
    return t1, t2


@cached_njit()
def rs_overlap(s, beta):
    """The largest solution m >= 0 of ``m = E tanh(beta (m + s z))`` at noise ``s``.

    Returns ``(m, E sech^2(beta x))``. The right-hand side is odd and concave in m > 0,
    so a positive root exists only when its slope at 0, ``beta E sech^2(beta s z)``,
    exceeds 1, and it is unique; Newton's method from m = 1 approaches it from above
    without overshooting.
    """
    t1, t2 = _rs_tanh(0.0, s, beta)
    if beta * t2 <= 1.0:
        return 0.0, t2
    m = 1.0
    last = np.inf
    for _ in range(400):
        t1, t2 = _rs_tanh(m, s, beta)
        slope = beta * t2 - 1.0
        if slope >= 0.0:  # only at the root itself, in rounding
            break
        step = (t1 - m) / slope
        if m - step <= 0.0:
            step = 0.5 * m
        if abs(step) >= last and abs(step) < 1e-12:  # rounding noise: converged
            break
        m -= step
        last = abs(step)
        if last <= 1e-16:
            break
    t1, t2 = _rs_tanh(m, s, beta)
    return m, t2


@cached_njit()
def rs_load(s, beta):
    """The load alpha at which noise ``s = sqrt(alpha r)`` solves the retrieval
    equations: ``alpha = s^2 (1 - beta (1 - q))^2 / q``; 0 where m = 0."""
    m, sech2 = rs_overlap(s, beta)
    if m <= 0.0:
        return 0.0
    q = 1.0 - sech2
    d = 1.0 - beta * sech2
    if d <= 0.0:
        return 0.0
    return s * s * d * d / q
