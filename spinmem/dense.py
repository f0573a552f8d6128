"""Dense associative memories, ``docs/physics.md`` section 12.

The continuous "modern Hopfield" retrieval of Ramsauer et al. (ICLR 2021, "Hopfield
networks is all you need"), for comparison with the binary-spin models.
"""

import numpy as np
import scipy.special
from numpy.typing import ArrayLike

from . import _checks
from .model import _patterns

__all__ = ["softmax_energy", "softmax_retrieval"]


def softmax_retrieval(
    patterns: ArrayLike,
    queries: ArrayLike,
    beta: float,
    *,
    max_iter: int = 100,
    tol: float = 1e-12,
) -> tuple[np.ndarray, np.ndarray]:
    """Iterate ``x <- xi^T softmax(beta xi x)`` to a fixed point.

    Parameters
    ----------
    patterns : array_like, shape (p, N)
        Stored +-1 patterns xi.
    queries : array_like, shape (N,) or (k, N)
        Real starting states (for example noisy patterns).
    beta : float
        Inverse temperature of the softmax, > 0, in units of the raw dot products
        ``xi^mu . x`` (of order N for a state near a pattern).
    max_iter : int
        Updates at most.
    tol : float
        Stop when no component moves by more than ``tol``.

    Returns
    -------
    states : ndarray, shape like ``queries``
        The states reached, each a convex combination of the patterns.
    iterations : ndarray of int, shape (k,) or ()
        Updates taken (``max_iter`` if not converged).
    """
    xi = _patterns(patterns).astype(np.float64)
    beta = _checks.real("beta", beta, positive=True)
    max_iter = _checks.integer("max_iter", max_iter, minimum=1)
    tol = _checks.real("tol", tol, positive=True)
    x = np.array(queries, dtype=np.float64, ndmin=1)
    single = x.ndim == 1
    x = np.atleast_2d(x)
    if x.ndim != 2 or x.shape[1] != xi.shape[1]:
        raise ValueError(
            f"queries must have shape (N,) or (k, N) with N = {xi.shape[1]}, "
            f"got {np.shape(queries)}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError("queries must be finite")
    steps = np.full(x.shape[0], max_iter)
    active = np.ones(x.shape[0], dtype=bool)
    for k in range(1, max_iter + 1):
        new = scipy.special.softmax(beta * x[active] @ xi.T, axis=1) @ xi
        moved = np.abs(new - x[active]).max(axis=1)
        x[active] = new
        done = np.flatnonzero(active)[moved <= tol]
        steps[done] = k
        active[done] = False
        if not active.any():
            break
    return (x[0], steps[0]) if single else (x, steps)


def softmax_energy(patterns: ArrayLike, states: ArrayLike, beta: float) -> np.ndarray:
    """``E(x) = -lse(beta, xi x) + x.x / 2 + log(p) / beta + M^2 / 2``, ``M`` the largest
    pattern norm; :func:`softmax_retrieval` never increases it."""
    xi = _patterns(patterns).astype(np.float64)
    beta = _checks.real("beta", beta, positive=True)
    x = np.asarray(states, dtype=np.float64)
    lse = scipy.special.logsumexp(beta * x @ xi.T, axis=-1) / beta
    p = xi.shape[0]
    big = np.max(np.sum(xi**2, axis=1))
    return -lse + 0.5 * np.sum(x**2, axis=-1) + np.log(p) / beta + 0.5 * big
