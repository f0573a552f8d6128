"""Replica exchange of parallel tempering: swap rounds along each ladder, round-trip
counting and the recording of twin overlaps.
"""

import numpy as np
from numba import njit

from .updates import sweeps
from .xoshiro import _uniform


@njit(cache=True)
def swap_round(betas, energy, at, rng, accepted, attempted):
    """One pass of replica-exchange attempts between neighbouring temperatures.

    ``betas`` (K,) are increasing in temperature order (``betas[0]`` coldest);
    ``at[c, k]`` is the replica at temperature k in chain c and ``rng[c]`` the chain's
    own stream. For k = 0..K-2 in turn, the replicas at k and k + 1 exchange
    temperatures with probability ``min(1, exp((beta_k - beta_{k+1}) (E_k -
    E_{k+1})))`` (``docs/physics.md`` section 9), which keeps
    ``prod_k exp(-beta_k E_k)`` stationary. ``accepted[k]`` and ``attempted[k]``
    count the attempts of pair (k, k + 1).
    """
    for c in range(at.shape[0]):
        _swap_chain(betas, energy, at, rng, accepted, attempted, c)


@njit(inline="always")
def _swap_chain(betas, energy, at, rng, accepted, attempted, c):
    """The exchange attempts of chain c (:func:`swap_round`)."""
    n_temps = at.shape[1]
    s0, s1, s2, s3 = rng[c, 0], rng[c, 1], rng[c, 2], rng[c, 3]
    for k in range(n_temps - 1):
        a, b = at[c, k], at[c, k + 1]
        x = (betas[k] - betas[k + 1]) * (energy[a] - energy[b])
        s0, s1, s2, s3, u = _uniform(s0, s1, s2, s3)
        attempted[k] += 1
        if x >= 0.0 or u < np.exp(x):
            at[c, k], at[c, k + 1] = b, a
            accepted[k] += 1
    rng[c, 0], rng[c, 1], rng[c, 2], rng[c, 3] = s0, s1, s2, s3


LAST_COLD, LAST_HOT = 1, 2
"""Round-trip labels of a tempering replica: last at the coldest / hottest temperature
(0: neither yet)."""


@njit(cache=True)
def track_trips(at, label, trips):
    """Count a round trip for each replica that reaches the coldest temperature after
    having been at the hottest since it was last coldest; update the labels."""
    for c in range(at.shape[0]):
        _track_chain(at, label, trips, c)


@njit(inline="always")
def _track_chain(at, label, trips, c):
    """:func:`track_trips` for chain c (its replicas are its own)."""
    r = at[c, 0]
    if label[r] == LAST_HOT:
        trips[r] += 1
    label[r] = LAST_COLD
    r = at[c, at.shape[1] - 1]
    if label[r] == LAST_COLD:
        label[r] = LAST_HOT


@njit(cache=True, nogil=True)
def temper_pair(
    kind, cp, fields, patterns_t, s, g, counts, energy, rng, betas, at, swap_rng,
    accepted, attempted, label, trips, swap_every, rule, order, tie, record, rec_energy,
    rec_counts, rec_q, first_slot, m,
):  # fmt: skip
    """Rounds of parallel tempering for chains 2m and 2m + 1 (or 2m alone).

    A round is ``swap_every`` sweeps of each replica at its temperature, then the
    chain's exchange attempts and round-trip labels, chain by chain. After round t
    with ``record[t]``, :func:`record_pair` writes slot ``first_slot``,
    ``first_slot + 1``, ... ``accepted`` and ``attempted`` (K - 1,) count this pair's
    attempts. Chains exchange nothing, so pairs may run in concurrent threads (the GIL
    is released); the arithmetic and streams are those of :func:`sweep_replicas`,
    :func:`swap_round` and :func:`track_trips` called round by round.
    """
    chains, n_temps = at.shape
    slot = first_slot
    for t in range(record.shape[0]):
        for c in range(2 * m, min(chains, 2 * m + 2)):
            for k in range(n_temps):
                r = at[c, k]
                de, _ = sweeps(
                    kind, cp, fields, patterns_t, s[r], g[r], counts[r], rng[r],
                    betas[k], swap_every, rule, order, tie,
                )  # fmt: skip
                energy[r] += de
            _swap_chain(betas, energy, at, swap_rng, accepted, attempted, c)
            _track_chain(at, label, trips, c)
        if record[t]:
            record_pair(s, counts, energy, at, rec_energy, rec_counts, rec_q, slot, m)
            slot += 1


@njit(cache=True, nogil=True)
def record_pair(s, counts, energy, at, rec_energy, rec_counts, rec_q, slot, m):
    """Record chains 2m and 2m + 1 (or 2m alone) at every temperature, and their twin
    overlap when both exist."""
    chains, n_temps = at.shape
    n = s.shape[1]
    for c in range(2 * m, min(chains, 2 * m + 2)):
        for k in range(n_temps):
            r = at[c, k]
            rec_energy[c, k, slot] = energy[r]
            for mu in range(counts.shape[1]):  # a loop: slice assignment compiles slowly
                rec_counts[c, k, slot, mu] = counts[r, mu]
    if 2 * m + 1 < chains:
        for k in range(n_temps):
            a, b = at[2 * m, k], at[2 * m + 1, k]
            acc = 0
            for i in range(n):
                acc += np.int64(s[a, i]) * s[b, i]
            rec_q[m, k, slot] = acc / n
