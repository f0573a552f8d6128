"""The records the kernels take: a model's view, the state of replicas, a schedule of
blocks and the buffers of a run.

They are named tuples of arrays, which numba compiles as structures: a kernel takes a
handful of records instead of a long list of arrays, and adding a field (an observable
recorded during a run, say) changes the record and the code that reads it, not every
signature in between. Every array in a record of replicas has the replica on its first
axis; :func:`one` and friends take replica r's part, with 1-element views where a
replica's scalar (energy, best energy, flips) is updated in place.
"""

from typing import NamedTuple

import numpy as np

from .._jit import inner_njit


class KernelView(NamedTuple):
    """A model as the kernels take it (see :mod:`spinmem._kernels`)."""

    tag: np.ndarray
    """Storage tag: an empty array whose number of dimensions is the storage code."""
    cp: tuple
    """Coupling tuple ``(C, indptr, indices, data, scale)`` of the storage."""
    fields: np.ndarray
    """External fields theta (N,) float64."""
    patterns_t: np.ndarray
    """Stored patterns transposed, int8 (N, p)."""
    tie: float
    """Largest ``|h|`` counted as zero (a tie) by zero-temperature rules."""


class Replicas(NamedTuple):
    """The state of R replicas, kept up to date by the kernels (replica r: row r)."""

    s: np.ndarray
    """Spins (R, N) int8."""
    g: np.ndarray
    """Coupling fields ``g = C s`` (R, W), or scratch space (:mod:`spinmem._kernels`)."""
    counts: np.ndarray
    """Pattern overlap counts ``sum_i xi_i^mu s_i`` (R, p) int32."""
    energy: np.ndarray
    """Energies (R,) float64."""
    rng: np.ndarray
    """xoshiro256** states (R, 4) uint64, one stream per replica."""


class Blocks(NamedTuple):
    """A schedule of K blocks of sweeps."""

    betas: np.ndarray
    """Inverse temperature of each block (K,) float64."""
    sweeps: np.ndarray
    """Sweeps of each block (K,) int64."""
    record: np.ndarray
    """Whether the state is recorded after each block (K,) bool."""


class Records(NamedTuple):
    """What a run records in each slot, for R replicas (or, per replica, without the
    first axis)."""

    energy: np.ndarray
    """Energies (R, K) float64."""
    counts: np.ndarray
    """Overlap counts (R, K, p) int32."""
    states: np.ndarray
    """States (R, K, N) int8; a time axis of length 0 records no states."""


class Best(NamedTuple):
    """The lowest energy a replica has reached, its state, and its accepted flips."""

    s: np.ndarray
    """States (R, N) int8."""
    energy: np.ndarray
    """Energies (R,) float64."""
    flips: np.ndarray
    """Accepted flips (R,) int64."""


class Steps(NamedTuple):
    """Synchronous steps of one kernel call."""

    first: int
    """Steps taken before this call."""
    record: np.ndarray
    """Whether each step of this call is recorded (its length is the number of
    steps) (T,) bool."""


class Ladder(NamedTuple):
    """The temperature ladders of parallel tempering: C chains of K replicas each."""

    betas: np.ndarray
    """Inverse temperatures (K,), coldest first."""
    at: np.ndarray
    """``at[c, k]``: the replica at temperature k in chain c (C, K) int64."""
    swap_rng: np.ndarray
    """Each chain's stream for its exchange attempts (C, 4) uint64."""
    accepted: np.ndarray
    """Accepted exchanges of temperatures k, k + 1 (K - 1,) int64."""
    attempted: np.ndarray
    """Attempted exchanges (K - 1,) int64."""
    label: np.ndarray
    """Round-trip label of each replica (R,) int8 (``LAST_COLD``, ``LAST_HOT``)."""
    trips: np.ndarray
    """Round trips of each replica (R,) int64."""


class LadderRecords(NamedTuple):
    """What parallel tempering records in each slot: per chain and temperature."""

    energy: np.ndarray
    """Energies (C, K, T) float64."""
    counts: np.ndarray
    """Overlap counts (C, K, T, p) int32."""
    q: np.ndarray
    """Overlap of chains 2m and 2m + 1 at each temperature (C // 2, K, T) float64."""


@inner_njit
def one(reps, r):
    """Replica r of :class:`Replicas`: its rows, its energy as a 1-element view."""
    energy = reps.energy[r : r + 1]
    return Replicas(reps.s[r], reps.g[r], reps.counts[r], energy, reps.rng[r])


@inner_njit
def row(rec, r):
    """Replica r's part of :class:`Records` (its rows)."""
    return Records(rec.energy[r], rec.counts[r], rec.states[r])


@inner_njit
def copy(src, dst):
    """``dst[:] = src`` for 1-D arrays, as a loop (a slice assignment compiles numba's
    shape-mismatch error message, seconds of compilation per kernel)."""
    for k in range(src.shape[0]):
        dst[k] = src[k]
