"""Stored patterns and states: random patterns, noisy cues, overlaps between replicas,
and the 0/1 <-> +-1 conversions (``docs/physics.md`` section 1)."""

import numpy as np
from numpy.typing import ArrayLike

from . import _checks
from .seeding import SeedLike, generator, root_sequence


def random_patterns(
    p: int, n: int, *, bias: float = 0.0, seed: SeedLike = None
) -> np.ndarray:
    r"""Independent random +-1 patterns.

    Parameters
    ----------
    p : int
        Number of patterns, >= 1.
    n : int
        Number of spins N, >= 2.
    bias : float
        Mean activity :math:`a = \langle \xi \rangle` in [-1, 1]: each bit is +1 with
        probability ``(1 + a) / 2``. 0 gives unbiased patterns.
    seed : None, int, SeedSequence or Generator

    Returns
    -------
    ndarray of int8, shape (p, n)
    """
    p = _checks.integer("p", p, minimum=1)
    n = _checks.integer("n", n, minimum=2)
    bias = _checks.real("bias", bias, minimum=-1.0, maximum=1.0)
    _checks.memory("random_patterns", p * n, f"p x N = {p} x {n} int8 patterns")
    rng = generator(root_sequence(seed))
    out = np.empty((p, n), dtype=np.int8)
    threshold = 0.5 * (1.0 + bias)
    rows = max(1, 2**20 // n)
    for k in range(0, p, rows):  # the same stream as one (p, n) draw, without temporaries
        block = out[k : k + rows]
        up = rng.random(block.shape) < threshold
        np.copyto(block, np.where(up, np.int8(1), np.int8(-1)))
    return out


def make_cues(
    patterns: ArrayLike, flip_fraction: float, *, seed: SeedLike = None
) -> np.ndarray:
    """Noisy copies of patterns: exactly ``round(f N)`` randomly chosen bits flipped.

    The initial overlap of each cue with its pattern is ``1 - 2 round(f N) / N``
    (``1 - 2f`` when ``f N`` is an integer).

    Parameters
    ----------
    patterns : array_like, shape (N,) or (k, N)
        +-1 patterns (or any states) to corrupt.
    flip_fraction : float
        Fraction f of bits to flip, in [0, 1].
    seed : None, int, SeedSequence or Generator

    Returns
    -------
    numpy.ndarray
        int8 cues, the shape of ``patterns``.
    """
    xi = _checks.spins("patterns", patterns)
    f = _checks.real("flip_fraction", flip_fraction, minimum=0.0, maximum=1.0)
    rng = generator(root_sequence(seed))
    batch = np.atleast_2d(xi).copy()
    n = batch.shape[1]
    k = round(f * n)
    for row in batch:
        row[rng.choice(n, size=k, replace=False)] *= -1
    return batch.reshape(xi.shape)


def from_binary(values: ArrayLike) -> np.ndarray:
    """0/1 data (booleans, binary images) to +-1 spins: ``s = 2 v - 1``.

    Parameters
    ----------
    values : array_like
        0/1 integers or booleans, any shape.

    Returns
    -------
    numpy.ndarray
        int8 spins, the shape of ``values``.
    """
    v = np.asarray(values)
    if v.dtype == bool:
        v = v.astype(np.int8)
    if v.size and not np.all((v == 0) | (v == 1)):
        raise ValueError("values must contain only 0 and 1 (or booleans)")
    return (2 * v.astype(np.int8) - 1).astype(np.int8)


def to_binary(states: ArrayLike) -> np.ndarray:
    """+-1 spins to 0/1: ``v = (s + 1) / 2``.

    Parameters
    ----------
    states : array_like
        +-1 spins, any shape with at least one dimension.

    Returns
    -------
    numpy.ndarray
        uint8 0/1 values, the shape of ``states``.
    """
    s = _checks.spins("states", states, ndim=tuple(range(1, 8)))
    return ((s + 1) // 2).astype(np.uint8)


def replica_overlaps(states: ArrayLike) -> np.ndarray:
    r"""Replica overlap matrix :math:`q_{ab} = \frac1N \sum_i s_i^a s_i^b` of states (R, N).

    The diagonal is 1. Off-diagonal values near 0 with all pattern overlaps near 0 mean
    a paramagnet; non-zero ``|q_ab|`` with all :math:`m^\mu \approx 0` signals the
    spin-glass phase.

    Parameters
    ----------
    states : array_like
        +-1 spins (R, N).

    Returns
    -------
    numpy.ndarray
        float64 (R, R).
    """
    s = _checks.spins("states", states, ndim=(2,)).astype(np.float64)
    return s @ s.T / s.shape[1]
