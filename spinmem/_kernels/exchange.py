"""Replica exchange of parallel tempering: swap rounds along each ladder, round-trip
counting and the recording of twin overlaps.
"""

import numpy as np

from .._jit import cached_njit, inner_njit
from .records import one
from .updates import _sweeps
from .xoshiro import _uniform


@cached_njit()
def swap_round(ladder, energy):
    """One pass of replica-exchange attempts between neighbouring temperatures.

    ``ladder`` is a :class:`spinmem._kernels.records.Ladder`: ``betas`` (K,) are
    increasing in temperature order (``betas[0]`` coldest); ``at[c, k]`` is the
    replica at temperature k in chain c and ``swap_rng[c]`` the chain's own stream.
    For k = 0..K-2 in turn, the replicas at k and k + 1 exchange temperatures with
    probability ``min(1, exp((beta_k - beta_{k+1}) (E_k - E_{k+1})))``
    (``docs/physics.md`` section 9), which keeps ``prod_k exp(-beta_k E_k)``
    stationary. ``accepted[k]`` and ``attempted[k]`` count the attempts of pair
    (k, k + 1); ``energy`` (R,) holds the replicas' energies.
    """
    for c in range(ladder.at.shape[0]):
        _swap_chain(ladder, energy, c)


@inner_njit
def _swap_chain(ladder, energy, c):
    """The exchange attempts of chain c (:func:`swap_round`)."""
    betas, at, rng = ladder.betas, ladder.at, ladder.swap_rng
    n_temps = at.shape[1]
    s0, s1, s2, s3 = rng[c, 0], rng[c, 1], rng[c, 2], rng[c, 3]
    for k in range(n_temps - 1):
        a, b = at[c, k], at[c, k + 1]
        x = (betas[k] - betas[k + 1]) * (energy[a] - energy[b])
        s0, s1, s2, s3, u = _uniform(s0, s1, s2, s3)
        ladder.attempted[k] += 1
        if x >= 0.0 or u < np.exp(x):
            at[c, k], at[c, k + 1] = b, a
            ladder.accepted[k] += 1
    rng[c, 0], rng[c, 1], rng[c, 2], rng[c, 3] = s0, s1, s2, s3


LAST_COLD, LAST_HOT = 1, 2
"""Round-trip labels of a tempering replica: last at the coldest / hottest temperature
(0: neither yet)."""


@cached_njit()
def track_trips(ladder):
    """Count a round trip for each replica that reaches the coldest temperature after
    having been at the hottest since it was last coldest; update the labels."""
    for c in range(ladder.at.shape[0]):
        _track_chain(ladder, c)


@inner_njit
def _track_chain(ladder, c):
    """:func:`track_trips` for chain c (its replicas are its own)."""
    at, label = ladder.at, ladder.label
    r = at[c, 0]
    if label[r] == LAST_HOT:
        ladder.trips[r] += 1
    label[r] = LAST_COLD
    r = at[c, at.shape[1] - 1]
    if label[r] == LAST_COLD:
        label[r] = LAST_HOT


@cached_njit(nogil=True)
def temper_pair(view, reps, ladder, swap_every, rule, order, record, rec, first_slot, m):
    """Rounds of parallel tempering for chains 2m and 2m + 1 (or 2m alone).

    A round is ``swap_every`` sweeps of each replica at its temperature, then the
    chain's exchange attempts and round-trip labels, chain by chain. After round t
    with ``record[t]``, :func:`record_pair` writes slot ``first_slot``,
    ``first_slot + 1``, ... of ``rec`` (:class:`spinmem._kernels.records.LadderRecords`);
    ``ladder.accepted`` and ``ladder.attempted`` count this pair's attempts. Chains
    exchange nothing, so pairs may run in concurrent threads (the GIL is released);
    the arithmetic and streams are those of :func:`sweep_replicas`, :func:`swap_round`
    and :func:`track_trips` called round by round.
    """
    chains, n_temps = ladder.at.shape
    slot = first_slot
    for t in range(record.shape[0]):
        for c in range(2 * m, min(chains, 2 * m + 2)):
            for k in range(n_temps):
                r = ladder.at[c, k]
                de, _ = _sweeps(
                    view, one(reps, r), ladder.betas[k], swap_every, rule, order
                )
                reps.energy[r] += de
            _swap_chain(ladder, reps.energy, c)
            _track_chain(ladder, c)
        if record[t]:
            _record_pair(reps.s, reps.counts, reps.energy, ladder.at, rec, slot, m)
            slot += 1


@cached_njit(nogil=True)
def record_pair(s, counts, energy, at, rec, slot, m):
    """:func:`_record_pair` from Python."""
    _record_pair(s, counts, energy, at, rec, slot, m)


@inner_njit
def _record_pair(s, counts, energy, at, rec, slot, m):
    """Record chains 2m and 2m + 1 (or 2m alone) at every temperature into slot
    ``slot`` of ``rec``, and their twin overlap when both exist, from the replicas'
    spins, overlap counts and energies (not their :class:`Replicas`, whose coupling
    fields' dtype would make a signature per storage)."""
    chains, n_temps = at.shape
    n = s.shape[1]
    for c in range(2 * m, min(chains, 2 * m + 2)):
        for k in range(n_temps):
            r = at[c, k]
            rec.energy[c, k, slot] = energy[r]
            for mu in range(counts.shape[1]):
                rec.counts[c, k, slot, mu] = counts[r, mu]
    if 2 * m + 1 < chains:
        for k in range(n_temps):
            a, b = at[2 * m, k], at[2 * m + 1, k]
            acc = 0
            for i in range(n):
                acc += np.int64(s[a, i]) * s[b, i]
            rec.q[m, k, slot] = acc / n
