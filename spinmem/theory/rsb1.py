r"""One-step replica symmetry breaking (1RSB) of the Hopfield retrieval state,
``docs/physics.md`` section 7: :func:`solve_1rsb`, :func:`alpha_c_1rsb` and
:func:`line_1rsb`.

Two overlap levels :math:`q_1 > q_0` with Parisi parameter x and conjugates
:math:`r_1, r_0`. At T = 0, :math:`q_1 \to 1` with :math:`C = \beta (1 - q_1)` finite
and :math:`x \to 0` with :math:`\mu = \beta x` finite. With
:math:`\lambda_1 = 1 - C`, :math:`\lambda_2 = \lambda_1 - \mu (1 - q_0)`,
:math:`r_0 = q_0 / \lambda_2^2`, :math:`r_1 = r_0 + (1 - q_0) / (\lambda_1 \lambda_2)`
and the local field :math:`h = a + b z_1`, :math:`a = m + \sqrt{\alpha r_0}\, z_0`,
:math:`b = \sqrt{\alpha (r_1 - r_0)}`, the ground-state energy per spin of the branch is

.. math::

    E = \frac\alpha2 + \frac{m^2}2 + \frac\alpha{2\mu} \ln\frac{\lambda_2}{\lambda_1}
        - \frac{\alpha q_0}{2 \lambda_2} + \frac\alpha2 r_1 C
        + \frac{\alpha\mu}2 (r_1 - r_0 q_0)
        - \frac1\mu \int Dz_0 \ln Z(z_0),
    \qquad Z = \int Dz_1\, e^{\mu |h|},

stationary in m, q0, C at the solutions of :math:`m = \langle M/Z \rangle`,
:math:`q_0 = \langle (M/Z)^2 \rangle`, :math:`C = \langle 2 \varphi(a/b) / (b Z)
\rangle` (:math:`M = \int Dz_1\, e^{\mu |h|} \mathrm{sign}(h)`, averages over
:math:`z_0`), and in :math:`\mu` at the 1RSB saddle point (a maximum of E over
:math:`\mu`). The inner integrals are closed forms in the normal distribution; the
outer one is Gauss-Legendre on panels refined around :math:`a = 0`, where the
integrand bends on the scale :math:`b / \sqrt{\alpha r_0}`. At :math:`q_0 = 1` the
energy is the replica-symmetric one (to 1e-12 here).

At T > 0, :math:`q_1 = 1 - C/\beta` and :math:`x = \mu/\beta`, with the same
:math:`\lambda`'s and r's after :math:`1 - q_0 \to q_1 - q_0`; the free energy per spin

.. math::

    f = \frac\alpha2 + \frac{m^2}2 + \frac{\alpha}{2\beta} \ln\lambda_1
        + \frac\alpha{2\mu} \ln\frac{\lambda_2}{\lambda_1}
        - \frac{\alpha q_0}{2 \lambda_2} + \frac\alpha2 r_1 C
        + \frac{\alpha\mu}2 (r_1 q_1 - r_0 q_0)
        - \frac1\mu \int Dz_0 \ln \int Dz_1\, (2\cosh\beta h)^x

is stationary at :math:`m = \langle\langle \tanh\beta h\rangle\rangle`,
:math:`q_0 = \langle\langle\tanh\beta h\rangle^2 \rangle`,
:math:`C = \beta \langle\langle \mathrm{sech}^2\beta h\rangle\rangle` (inner averages
weighted by :math:`\cosh^x\beta h`). The inner integral is Gauss-Legendre on panels in
:math:`z_1` refined around the kink of :math:`|h|` on its scale :math:`1/(\beta b)`.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, special

from .. import _checks
from .rs import solve_rs

_GL_T0 = np.polynomial.legendre.leggauss(80)
_GL_FINITE_T = np.polynomial.legendre.leggauss(32)
_IN_X, _IN_W = np.polynomial.legendre.leggauss(12)
_GAUSS_EDGES = np.array([-12.0, -6.0, -3.0, -1.5, 0.0, 1.5, 3.0, 6.0, 12.0])
_KINK_EDGES = np.array([-30.0, -10.0, -3.0, -1.0, 0.0, 1.0, 3.0, 10.0, 30.0])

RETRIEVAL = 0.5
"""Smallest overlap of a retrieval solution at T = 0 (they have m > 0.96)."""


@dataclass(frozen=True)
class RSB1Solution:
    r"""A one-step RSB retrieval saddle point.

    Parameters
    ----------
    m : float
        Retrieval overlap.
    q0, q1 : float
        The two overlap levels, :math:`q_0 < q_1` (:math:`q_1 = 1` at T = 0).
    c : float
        :math:`C = \beta (1 - q_1)`.
    mu : float
        The breaking parameter :math:`\mu = \beta x`.
    x : float
        Parisi's block-size parameter, in (0, 1); 0 at T = 0, where :math:`\mu` stays
        finite.
    r0, r1 : float
        The noise variances conjugate to q0 and q1.
    energy : float
        Free energy per spin of the branch (its energy at T = 0), coupling units.
    alpha, temperature : float
        The load and the temperature.
    """

    m: float
    q0: float
    q1: float
    c: float
    mu: float
    x: float
    r0: float
    r1: float
    energy: float
    alpha: float
    temperature: float


def _nodes(center: float, width: float, rule=_GL_T0) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the standard Gaussian measure for integrands smooth except
    within about ``width`` of ``center``: Gauss-Legendre on panels refined there."""
    near = center + np.array([-10, -3, -1, 0, 1, 3, 10]) * width
    far = center + np.array([-14.0, -6.0, -2.0, -0.5, 0.5, 2.0, 6.0, 14.0])
    edges = np.unique(np.clip(np.concatenate([near, far]), -15.0, 15.0))
    lo, hi = edges[:-1, None], edges[1:, None]
    x = (0.5 * (hi - lo) * rule[0] + 0.5 * (hi + lo)).ravel()
    w = (0.5 * (hi - lo) * rule[1]).ravel()
    return x, w * np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


def _parts(m, q0, c, mu, alpha, beta=np.inf):
    """Per-node quantities of the outer integral (weights, M/Z, the integrand of the C
    equation, ln Z), and lambda1, lambda2, r0, r1, q1."""
    q1 = 1.0 - c / beta
    l1 = 1.0 - c
    l2 = l1 - mu * (q1 - q0)
    r0 = q0 / l2**2
    r1 = r0 + (q1 - q0) / (l1 * l2)
    b = np.sqrt(alpha * (r1 - r0))
    s0 = np.sqrt(alpha * r0)
    if np.isinf(beta):
        z, w = _nodes(-m / s0, max(b / s0, 1e-9))
        a = m + s0 * z
        plus = mu * a + special.log_ndtr(a / b + mu * b)
        minus = -mu * a + special.log_ndtr(-a / b + mu * b)
        log_z = 0.5 * (mu * b) ** 2 + np.logaddexp(plus, minus)
        ratio = np.tanh(0.5 * (plus - minus))  # M / Z
        density = np.exp(-0.5 * (a / b) ** 2 - np.log(b * np.sqrt(2.0 * np.pi)) - log_z)
        return w, ratio, 2.0 * density, log_z, l1, l2, r0, r1, q1
    if not (b > 0 and s0 > 0 and l2 > 0):  # outside the physical region (or NaN)
        nan = np.full(1, np.nan)
        return nan, nan, nan, nan, l1, l2, r0, r1, q1
    z, w = _nodes(-m / s0, max(np.hypot(b, 1.0 / beta) / s0, 1e-9), _GL_FINITE_T)
    log_z, ratio, sech2 = _inner(m + s0 * z, b, beta, mu / beta)
    return w, ratio, beta * sech2, log_z, l1, l2, r0, r1, q1


def _inner(a, b, beta, x):
    r"""The inner averages at T > 0 for each outer node (field mean ``a``, spread b):
    :math:`\ln \int Dz_1 (2\cosh\beta h)^x`, and the means of :math:`\tanh\beta h`
    and :math:`\mathrm{sech}^2\beta h` under the weight :math:`(2\cosh\beta h)^x`.
    Gauss-Legendre panels in :math:`z_1`, refined around the kink of
    :math:`|h|` at :math:`z_1 = -a/b` on its scale :math:`1/(\beta b)`."""
    kink = np.clip(-a[:, None] / b + _KINK_EDGES / (beta * b), -12.0, 12.0)
    gauss = np.broadcast_to(_GAUSS_EDGES, (a.size, _GAUSS_EDGES.size))
    edges = np.sort(np.concatenate([gauss, kink], axis=1), axis=1)
    half = 0.5 * np.diff(edges, axis=1)[:, :, None]
    mid = 0.5 * (edges[:, 1:] + edges[:, :-1])[:, :, None]
    z1 = (half * _IN_X + mid).reshape(a.size, -1)
    u = beta * (a[:, None] + b * z1)
    au = np.abs(u)
    e = np.exp(-2.0 * au)
    with np.errstate(divide="ignore"):  # empty panels: zero weight
        log_w = np.log((half * _IN_W).reshape(a.size, -1)) - 0.5 * z1 * z1
    log_w += x * (au + np.log1p(e))
    top = log_w.max(axis=1, keepdims=True)
    p = np.exp(log_w - top)
    norm = p.sum(axis=1)
    log_z = np.log(norm) + top[:, 0] - 0.5 * np.log(2.0 * np.pi)
    tanh = np.sign(u) * (1.0 - e) / (1.0 + e)
    sech2 = 4.0 * e / (1.0 + e) ** 2
    return log_z, (p * tanh).sum(axis=1) / norm, (p * sech2).sum(axis=1) / norm


def residuals(m, q0, c, mu, alpha, beta=np.inf) -> np.ndarray:
    """The three fixed-point equations (left minus right sides) at given mu."""
    w, ratio, c_term, *_ = _parts(m, q0, c, mu, alpha, beta)
    return np.array([w @ ratio - m, w @ ratio**2 - q0, w @ c_term - c])


def energy(m, q0, c, mu, alpha, beta=np.inf) -> float:
    """The free-energy functional f of the module notes (the energy E at T = 0)."""
    w, _, _, log_z, l1, l2, r0, r1, q1 = _parts(m, q0, c, mu, alpha, beta)
    return float(
        alpha / 2
        + m * m / 2
        + alpha / (2 * beta) * np.log(l1)
        + alpha / (2 * mu) * np.log(l2 / l1)
        - alpha / 2 * q0 / l2
        + alpha / 2 * r1 * c
        + alpha * mu / 2 * (r1 * q1 - r0 * q0)
        - (w @ log_z) / mu
    )


def _energy_slope(m, q0, c, mu, alpha, beta=np.inf) -> float:
    """df/dmu at fixed m, q0, c (the total derivative at a solution); the wider step
    at T > 0 keeps the quadrature's noise (1e-15 in f) out of the slope."""
    h = (1e-4 if np.isinf(beta) else 1e-3) * mu
    return (
        energy(m, q0, c, mu + h, alpha, beta) - energy(m, q0, c, mu - h, alpha, beta)
    ) / (2 * h)


def _at_m(m: float, start: np.ndarray, beta=np.inf) -> tuple[np.ndarray, float]:
    """The saddle point with overlap m: (alpha, q0, c, log mu), and the largest
    residual of its equations (the q0 equation and df/dmu scaled to comparable size)."""

    def equations(v):
        alpha, q0, c, log_mu = v
        mu = np.exp(log_mu)
        e_m, e_q, e_c = residuals(m, q0, c, mu, alpha, beta)
        slope = _energy_slope(m, q0, c, mu, alpha, beta)
        return np.array([e_m, 1e3 * e_q, e_c, 1e6 * slope])

    best = None
    for method, options in (("hybr", {"xtol": 1e-14}), ("lm", {"xtol": 1e-15})):
        found = optimize.root(equations, start, method=method, options=options)
        misfit = float(np.nan_to_num(np.abs(equations(found.x)).max(), nan=np.inf))
        if best is None or misfit < best[1]:
            best = (found.x, misfit)
        if misfit < 1e-9:
            break
    return best


def solution(m, q0, c, mu, alpha, beta=np.inf) -> RSB1Solution:
    """The record of a saddle point."""
    *_, r0, r1, q1 = _parts(m, q0, c, mu, alpha, beta)
    f = energy(m, q0, c, mu, alpha, beta)
    values = (m, q0, q1, c, mu, mu / beta, r0, r1, f, alpha, 1.0 / beta)
    return RSB1Solution(*(float(v) for v in values))


def _broken(q0, c, mu, beta) -> bool:
    """Whether (q0, c, mu) is a genuine 1RSB point: q0 < q1, 0 < C < 1, 0 < x < 1."""
    q1 = 1.0 - c / beta
    return 0 < q0 < q1 - 1e-12 and 0 < c < 1 and 0 < mu < beta


def _fixed_mu(alpha, mu, start, beta=np.inf) -> tuple[np.ndarray, bool]:
    """(m, q0, c) at given mu, and whether a retrieval solution was found (converged,
    :func:`_broken`, m above :data:`RETRIEVAL`)."""
    found = optimize.root(lambda v: residuals(*v, mu, alpha, beta), start, method="hybr")
    m, q0, c = found.x
    ok = found.success and _broken(q0, c, mu, beta) and m > RETRIEVAL
    return found.x, ok


@np.errstate(invalid="ignore", divide="ignore", over="ignore")
def start_at(alpha: float, m: float, c: float, beta=np.inf) -> np.ndarray:
    """A starting point (m, q0, c, log mu) at load alpha from the RS overlap m and C:
    the fixed-mu solutions on a grid of mu (continued from one to the next), the one of
    largest free energy."""
    best, guess = None, np.array([m, 1.0 - c / beta - 0.02 * c, c])
    for mu in np.geomspace(1.0, min(400.0, 0.999 * beta), 25):
        found, ok = _fixed_mu(alpha, mu, guess, beta)
        if not ok:
            continue
        guess = found
        f = energy(*found, mu, alpha, beta)
        if best is None or f > best[0]:
            best = (f, np.array([*found, np.log(mu)]))
    if best is None:
        raise RuntimeError(
            f"no 1RSB retrieval solution found near alpha = {alpha}, T = {1 / beta:g}"
        )
    return best[1]


@np.errstate(invalid="ignore", divide="ignore", over="ignore")
def at_alpha(alpha: float, start: np.ndarray, beta=np.inf) -> RSB1Solution:
    """The 1RSB retrieval saddle point at load alpha, from ``start`` (m, q0, c, log mu):
    the fixed-mu solution whose free energy is largest over mu (f is flat in mu near
    its maximum, so the maximum is found in log mu by Brent's method)."""
    guess = {"v": np.asarray(start[:3], dtype=float)}

    def minus_energy(log_mu):
        found, ok = _fixed_mu(alpha, np.exp(log_mu), guess["v"], beta)
        if not ok:
            return np.inf
        guess["v"] = found
        return -energy(*found, np.exp(log_mu), alpha, beta)

    lo, hi = start[3] - 1.5, min(start[3] + 1.5, np.log(beta))
    best = optimize.minimize_scalar(
        minus_energy, bounds=(lo, hi), method="bounded", options={"xatol": 1e-4}
    )
    found, ok = _fixed_mu(alpha, np.exp(best.x), guess["v"], beta)
    if not ok or not np.isfinite(best.fun):
        raise RuntimeError(
            f"no 1RSB retrieval solution found at alpha = {alpha}, T = {1 / beta:g} "
            "(beyond alpha_c, or the replica-symmetric start is too far from it)"
        )
    return solution(*found, np.exp(best.x), alpha, beta)


@np.errstate(invalid="ignore", divide="ignore", over="ignore")
def critical(start: RSB1Solution, tol: float = 1e-6, step: float = 0.002) -> RSB1Solution:
    """The saddle-node of the retrieval branch at the temperature of ``start``, the
    largest alpha with a 1RSB retrieval solution: the maximum of alpha(m) along the
    branch, followed from ``start`` down in m (steps halved where the solver needs a
    closer start)."""
    beta = _beta(start.temperature)
    last = {"v": np.array([start.alpha, start.q0, start.c, np.log(start.mu)])}
    solved = {}

    def alpha_at(m):
        found, misfit = _at_m(m, last["v"], beta)
        alpha, q0, c, log_mu = found
        if misfit > tol or not _broken(q0, c, np.exp(log_mu), beta):
            return None
        last["v"] = solved[m] = found
        return alpha

    m, alpha = start.m, start.alpha
    above = m + step  # the last point above m on the branch (alpha(m) exceeds its alpha)
    while step > 1e-5:
        nxt = alpha_at(m - step)
        if nxt is None:
            step /= 2
            continue
        if nxt < alpha:  # past the maximum, which lies in (m - step, above)
            break
        above, m, alpha = m, m - step, nxt
    else:
        raise RuntimeError(f"the 1RSB retrieval branch could not be followed below m = {m}")
    found = optimize.minimize_scalar(
        lambda x: -(alpha_at(x) or 0.0),
        bounds=(m - step, above),
        method="bounded",
        options={"xatol": 1e-7},  # alpha is quadratic at its maximum: error < 1e-12
    )
    if found.x not in solved:
        raise RuntimeError("the 1RSB equations did not converge at the saddle-node")
    alpha, q0, c, log_mu = solved[found.x]
    return solution(found.x, q0, c, np.exp(log_mu), alpha, beta)


def _beta(temperature: float) -> float:
    return np.inf if temperature == 0 else 1.0 / temperature


_ALPHA_RS_START = 0.1379
"""The RS retrieval solution that starts the 1RSB one (just below RS alpha_c)."""
_STEP_T = 0.0003
"""Overlap step of the continuation of the saddle-node in temperature."""
_MAX_DT = 0.0025
"""Largest temperature step of that continuation."""


def solve_1rsb(alpha: float, temperature: float = 0.0) -> RSB1Solution:
    r"""The one-step RSB retrieval solution at load alpha and temperature T.

    The saddle point of the 1RSB free energy of ``docs/physics.md`` section 7 (module
    notes): overlap levels :math:`q_0 < q_1` (:math:`q_1 = 1` at T = 0), breaking
    parameter :math:`\mu = \beta x` at the maximum of the free energy over
    :math:`\mu`. At T = 0 the breaking shrinks fast with the load (at alpha = 0.1 its
    energy exceeds the RS one by 5e-9, with :math:`1 - q_0 = 2 \times 10^{-5}`); below
    about alpha = 0.1, and at T > 0 away from the retrieval line, no solution distinct
    from the replica-symmetric one is found, and the call says so.

    Parameters
    ----------
    alpha : float
        Load, 0 < alpha <= the 1RSB retrieval line (0.138186 at T = 0).
    temperature : float
        T >= 0, coupling units.

    Returns
    -------
    RSB1Solution
        m, q0, q1, C, mu, x, r0, r1, the free energy per spin, alpha and T.

    Raises
    ------
    RuntimeError
        No 1RSB retrieval solution found (beyond the line, or no breaking).
    """
    alpha = _checks.real("alpha", alpha, positive=True)
    temperature = _checks.temperature("temperature", temperature, zero=True)
    beta = _beta(temperature)
    rs = solve_rs(min(alpha, _ALPHA_RS_START), temperature)
    return at_alpha(alpha, start_at(alpha, rs.m, rs.c, beta), beta)


def alpha_c_1rsb(temperature: float = 0.0) -> RSB1Solution:
    r"""The one-step RSB retrieval line: the largest load with a 1RSB retrieval
    solution at temperature T, and that solution.

    Found as the maximum of the load along the 1RSB retrieval branch parametrised by
    m (a saddle-node, as for :func:`alpha_c`). At T = 0: 0.1381865 with m = 0.96678,
    against 0.138186 of Steffan and Kühn (Z. Phys. B 95, 249, 1994) and 0.137905 for
    RS (about 20 s). At T > 0 the saddle-node is continued from T = 0 in steps of at
    most 0.0025 (about 20 s each); the line rises to 0.138197 at T = 0.015 and ends on
    the re-entrant RS line near T = 0.024, where :math:`q_1 - q_0` vanishes: from
    there on the call raises.

    Parameters
    ----------
    temperature : float
        T >= 0, coupling units.

    Returns
    -------
    RSB1Solution
        The solution at the saddle-node; its ``alpha`` is alpha_c(T).

    Raises
    ------
    RuntimeError
        The continuation found no 1RSB solution at some temperature up to T.
    """
    temperature = _checks.temperature("temperature", temperature, zero=True)
    return line_1rsb([temperature])[-1]


def line_1rsb(temperatures: ArrayLike) -> list[RSB1Solution | None]:
    r"""The 1RSB retrieval line :func:`alpha_c_1rsb` at several temperatures, by one
    continuation from T = 0 through them in increasing order.

    Parameters
    ----------
    temperatures : array_like
        Temperatures T >= 0, increasing.

    Returns
    -------
    list
        The saddle-node solution at each temperature; None from the first temperature
        where the continuation finds no solution with breaking (:math:`q_0 < q_1`,
        0 < x < 1), and at every higher one.
    """
    temps = _checks.real_array("temperatures", temperatures, "temperatures T >= 0")
    if temps.ndim != 1 or temps.size == 0 or np.any(temps < 0):
        raise ValueError(f"temperatures must be a 1-D list of T >= 0, got {temperatures!r}")
    if np.any(np.diff(temps) <= 0):
        raise ValueError(f"temperatures must increase, got {temps.tolist()}")
    sol, reached = critical(solve_1rsb(0.13)), 0.0
    line: list[RSB1Solution | None] = []
    for temperature in temps:
        try:
            while reached < temperature:
                reached = min(reached + _MAX_DT, float(temperature))
                sol = _next_temperature(sol, reached)
        except RuntimeError:
            line += [None] * (temps.size - len(line))
            break
        line.append(sol)
    return line


@np.errstate(invalid="ignore", divide="ignore", over="ignore")
def _next_temperature(sol: RSB1Solution, temperature: float) -> RSB1Solution:
    """The saddle-node at a nearby higher temperature, continued from ``sol``."""
    beta = _beta(temperature)
    q0 = sol.q0 - sol.c * (temperature - sol.temperature)  # keep q0 below q1
    start = np.array([sol.alpha, q0, sol.c, np.log(sol.mu)])
    found, misfit = _at_m(sol.m + _STEP_T, start, beta)
    alpha, q0, c, log_mu = found
    if misfit > 1e-6 or not _broken(q0, c, np.exp(log_mu), beta):
        raise RuntimeError(f"no 1RSB retrieval solution found near T = {temperature:g}")
    return critical(
        solution(sol.m + _STEP_T, *found[1:3], np.exp(log_mu), alpha, beta), step=_STEP_T
    )
