r"""Symmetric mixture states at finite p (``docs/physics.md`` section 6)."""

from fractions import Fraction
from math import comb

import numpy as np

from .. import _checks
from .rs import _M_MIN


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
