r"""One-step replica symmetry breaking (1RSB) of the Hopfield retrieval state at T = 0,
``docs/physics.md`` section 7: :func:`solve_1rsb` and :func:`alpha_c_1rsb`.

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
"""

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from .. import _checks
from .rs import solve_rs

_GL_X, _GL_W = np.polynomial.legendre.leggauss(80)

RETRIEVAL = 0.5
"""Smallest overlap of a retrieval solution at T = 0 (they have m > 0.96)."""


@dataclass(frozen=True)
class RSB1Solution:
    r"""A one-step RSB retrieval saddle point at T = 0.

    Parameters
    ----------
    m : float
        Retrieval overlap.
    q0 : float
        The lower overlap level (:math:`q_1 = 1` at T = 0).
    c : float
        :math:`C = \beta (1 - q_1)`.
    mu : float
        The breaking parameter :math:`\mu = \beta x`.
    r0, r1 : float
        The noise variances conjugate to q0 and q1.
    energy : float
        Ground-state energy per spin of the branch, coupling units.
    alpha : float
        The load.
    """

    m: float
    q0: float
    c: float
    mu: float
    r0: float
    r1: float
    energy: float
    alpha: float


def _nodes(center: float, width: float) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the standard Gaussian measure for integrands smooth except
    within about ``width`` of ``center``: Gauss-Legendre on panels refined there."""
    near = center + np.array([-10, -3, -1, 0, 1, 3, 10]) * width
    far = center + np.array([-14.0, -6.0, -2.0, -0.5, 0.5, 2.0, 6.0, 14.0])
    edges = np.unique(np.clip(np.concatenate([near, far]), -15.0, 15.0))
    lo, hi = edges[:-1, None], edges[1:, None]
    x = (0.5 * (hi - lo) * _GL_X + 0.5 * (hi + lo)).ravel()
    w = (0.5 * (hi - lo) * _GL_W).ravel()
    return x, w * np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


def _parts(m, q0, c, mu, alpha):
    """Per-node quantities of the outer integral, and lambda1, lambda2, r0, r1."""
    l1 = 1.0 - c
    l2 = l1 - mu * (1.0 - q0)
    r0 = q0 / l2**2
    r1 = r0 + (1.0 - q0) / (l1 * l2)
    b = np.sqrt(alpha * (r1 - r0))
    s0 = np.sqrt(alpha * r0)
    z, w = _nodes(-m / s0, max(b / s0, 1e-9))
    a = m + s0 * z
    plus = mu * a + special.log_ndtr(a / b + mu * b)
    minus = -mu * a + special.log_ndtr(-a / b + mu * b)
    log_z = 0.5 * (mu * b) ** 2 + np.logaddexp(plus, minus)
    ratio = np.tanh(0.5 * (plus - minus))  # M / Z
    density = np.exp(-0.5 * (a / b) ** 2 - np.log(b * np.sqrt(2.0 * np.pi)) - log_z)
    return w, ratio, density, log_z, l1, l2, r0, r1


def residuals(m, q0, c, mu, alpha) -> np.ndarray:
    """The three fixed-point equations (left minus right sides) at given mu."""
    w, ratio, density, *_ = _parts(m, q0, c, mu, alpha)
    return np.array([w @ ratio - m, w @ ratio**2 - q0, 2.0 * (w @ density) - c])


def energy(m, q0, c, mu, alpha) -> float:
    """The energy functional E of the module notes."""
    w, _, _, log_z, l1, l2, r0, r1 = _parts(m, q0, c, mu, alpha)
    return float(
        alpha / 2
        + m * m / 2
        + alpha / (2 * mu) * np.log(l2 / l1)
        - alpha / 2 * q0 / l2
        + alpha / 2 * r1 * c
        + alpha * mu / 2 * (r1 - r0 * q0)
        - (w @ log_z) / mu
    )


def _energy_slope(m, q0, c, mu, alpha) -> float:
    """dE/dmu at fixed m, q0, c (the total derivative at a solution)."""
    h = 1e-4 * mu
    return (energy(m, q0, c, mu + h, alpha) - energy(m, q0, c, mu - h, alpha)) / (2 * h)


def _at_m(m: float, start: np.ndarray) -> tuple[np.ndarray, float]:
    """The saddle point with overlap m: (alpha, q0, c, log mu), and the largest
    residual of its equations (the q0 equation and dE/dmu scaled to comparable size)."""

    def equations(v):
        alpha, q0, c, log_mu = v
        mu = np.exp(log_mu)
        e_m, e_q, e_c = residuals(m, q0, c, mu, alpha)
        return np.array([e_m, 1e3 * e_q, e_c, 1e6 * _energy_slope(m, q0, c, mu, alpha)])

    best = None
    for method, options in (("hybr", {"xtol": 1e-14}), ("lm", {"xtol": 1e-15})):
        found = optimize.root(equations, start, method=method, options=options)
        misfit = float(np.abs(equations(found.x)).max())
        if best is None or misfit < best[1]:
            best = (found.x, misfit)
    return best


def solution(m, q0, c, mu, alpha) -> RSB1Solution:
    """The record of a saddle point."""
    *_, r0, r1 = _parts(m, q0, c, mu, alpha)
    e = energy(m, q0, c, mu, alpha)
    values = (m, q0, c, mu, r0, r1, e, alpha)
    return RSB1Solution(*(float(v) for v in values))


def _fixed_mu(alpha, mu, start) -> tuple[np.ndarray, bool]:
    """(m, q0, c) at given mu, and whether a retrieval solution was found (converged,
    q0 < 1, 0 < c < 1, m above :data:`RETRIEVAL`)."""
    found = optimize.root(lambda v: residuals(*v, mu, alpha), start, method="hybr")
    m, q0, c = found.x
    ok = found.success and 0 < q0 < 1 - 1e-12 and 0 < c < 1 and m > RETRIEVAL
    return found.x, ok


@np.errstate(invalid="ignore", divide="ignore", over="ignore")
def start_at(alpha: float, m: float, c: float) -> np.ndarray:
    """A starting point (m, q0, c, log mu) at load alpha from the RS overlap m and C:
    the fixed-mu solutions on a grid of mu (continued from one to the next), the one of
    largest energy."""
    best, guess = None, np.array([m, 1.0 - 0.02 * c, c])
    for mu in np.geomspace(1.0, 400.0, 25):
        found, ok = _fixed_mu(alpha, mu, guess)
        if not ok:
            continue
        guess = found
        e = energy(*found, mu, alpha)
        if best is None or e > best[0]:
            best = (e, np.array([*found, np.log(mu)]))
    if best is None:
        raise RuntimeError(f"no 1RSB retrieval solution found near alpha = {alpha}")
    return best[1]


@np.errstate(invalid="ignore", divide="ignore", over="ignore")
def at_alpha(alpha: float, start: np.ndarray) -> RSB1Solution:
    """The 1RSB retrieval saddle point at load alpha, from ``start`` (m, q0, c, log mu):
    the fixed-mu solution whose energy is largest over mu (E is flat in mu near its
    maximum, so the maximum is found in log mu by Brent's method)."""
    guess = {"v": np.asarray(start[:3], dtype=float)}

    def minus_energy(log_mu):
        found, ok = _fixed_mu(alpha, np.exp(log_mu), guess["v"])
        if not ok:
            return np.inf
        guess["v"] = found
        return -energy(*found, np.exp(log_mu), alpha)

    lo, hi = start[3] - 1.5, start[3] + 1.5
    best = optimize.minimize_scalar(
        minus_energy, bounds=(lo, hi), method="bounded", options={"xatol": 1e-4}
    )
    found, ok = _fixed_mu(alpha, np.exp(best.x), guess["v"])
    if not ok or not np.isfinite(best.fun):
        raise RuntimeError(
            f"no 1RSB retrieval solution found at alpha = {alpha} (beyond alpha_c, or "
            "the replica-symmetric start is too far from it)"
        )
    return solution(*found, np.exp(best.x), alpha)


@np.errstate(invalid="ignore", divide="ignore", over="ignore")
def critical(start: RSB1Solution, tol: float = 1e-6) -> RSB1Solution:
    """The saddle-node of the retrieval branch, the largest alpha with a 1RSB retrieval
    solution: the maximum of alpha(m) along the branch, followed from ``start`` down in
    m (steps halved where the solver needs a closer start)."""
    last = {"v": np.array([start.alpha, start.q0, start.c, np.log(start.mu)])}
    solved = {}

    def alpha_at(m):
        found, misfit = _at_m(m, last["v"])
        if misfit > tol:
            return None
        last["v"] = solved[m] = found
        return found[0]

    m, step, alpha = start.m, 0.002, start.alpha
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
        options={"xatol": 1e-9},
    )
    if found.x not in solved:
        raise RuntimeError("the 1RSB equations did not converge at the saddle-node")
    alpha, q0, c, log_mu = solved[found.x]
    return solution(found.x, q0, c, np.exp(log_mu), alpha)


_ALPHA_RS_START = 0.1379
"""The RS retrieval solution that starts the 1RSB one (just below RS alpha_c)."""


def solve_1rsb(alpha: float) -> RSB1Solution:
    r"""The one-step RSB retrieval solution at load alpha and T = 0.

    The saddle point of the 1RSB energy of ``docs/physics.md`` section 7 (module notes):
    overlap levels :math:`q_0 < q_1 = 1`, breaking parameter
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
    return at_alpha(alpha, start_at(alpha, rs.m, rs.c))


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
    return critical(solve_1rsb(0.13))
