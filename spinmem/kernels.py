"""Compiled kernels on plain arrays.

Everything here is a ``numba.njit`` function on contiguous arrays with no Python objects
inside. The public API (``spinmem.dynamics``, ``spinmem.annealing``, ...) validates its
input, allocates, calls one of these kernels and wraps the result.

Conventions (see ``docs/physics.md``): spins are int8 in {-1, +1}; the couplings are
``J = scale * C`` with ``C`` symmetric with zero diagonal, passed as a storage tag ``kind``
and a coupling tuple ``cp = (C, indptr, indices, data, scale)``:

``DENSE``
    ``C`` is an (N, N) array, float64 (``scale = 1``) or a small integer type (Hebbian
    couplings: ``C = xi^T xi``, ``scale = 1/N``, eight times less memory traffic and
    exact integer fields);
``SPARSE``
    ``C`` in CSR form ``(indptr, indices, data)``, float64 or integer ``data``;
``PATTERNS``
    ``C = xi^T xi`` with zero diagonal, never formed: the coupling sum of site i is
    ``sum_mu xi_i^mu M_mu - p s_i`` from the pattern overlap counts ``M`` (section 8).
``MEMORY``
    not couplings but a dense associative memory, ``H = -2 scale sum_mu F(M_mu) -
    sum_i theta_i s_i`` (section 12), ``F`` tabulated in ``data`` over ``M = -N..N``
    (int64, exact, or float64, when ``g`` is scratch space of one entry per level);
    the field of site i is the one that decides its flip, ``h_i = (H(s_i = -1) -
    H(s_i = +1)) / 2``, so that ``dE_i = 2 s_i h_i`` below too.

The unused entries are empty arrays of the same dtype. The tag ``kind`` is an empty array
whose number of dimensions is the storage code (:func:`tag`): numba compiles a separate
version for each, in which the code is a constant and the other storages' branches are
optimised away, so that each storage compiles only its own loops, and only when used.
``theta`` holds the fields. The kernels keep ``g = C s`` (dense and sparse;
int32, int64 or float64), so the local field is ``h_i = scale * g_i + theta_i``; the
energy is ``H = -1/2 sum_ij J_ij s_i s_j - sum_i theta_i s_i``; flipping spin i changes it
by ``dE_i = 2 s_i h_i``. A sweep is N single-spin update attempts.

Per-replica state (``s``, ``g``, ``counts``, ``energy``, ``rng``) is updated in place:
coupling fields, pattern overlap counts ``counts[mu] = sum_i xi_i^mu s_i`` (exact
integers) and the energy are kept incrementally, so an attempt costs O(1) (O(p) pattern
backed) and a flip O(N + p) dense, O(degree + p) sparse, O(p) pattern backed.

Random numbers come from xoshiro256** (Blackman & Vigna 2018), one independent stream per
replica whose 4-word state lives in a uint64 array. A replica's numbers therefore never
depend on how replicas are distributed over threads.
"""

import math

import numpy as np
from numba import njit, prange

# Dynamics codes (validated strings in the API map to these).
GLAUBER = 0
METROPOLIS = 1
ZERO = 2
# Site-order codes.
RANDOM_ORDER = 0
SEQUENTIAL_ORDER = 1
# Coupling storage codes: the number of dimensions of a storage tag.
DENSE = 1
SPARSE = 2
PATTERNS = 3
MEMORY = 4

_U7 = np.uint64(7)
_U9 = np.uint64(9)
_U5 = np.uint64(5)
_U11 = np.uint64(11)
_U17 = np.uint64(17)
_U32 = np.uint64(32)
_U45 = np.uint64(45)
_U57 = np.uint64(57)
_U63 = np.uint64(63)
_U64 = np.uint64(64)
_MASK32 = np.uint64(0xFFFFFFFF)
_TWO32 = np.uint64(1 << 32)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53


def tag(code: int) -> np.ndarray:
    """The storage tag of a storage code: an empty int8 array with ``code`` dimensions."""
    return np.zeros((0,) * code, dtype=np.int8)


@njit(inline="always")
def _rotl(x, k):
    return (x << k) | (x >> (_U64 - k))


@njit(inline="always")
def _next(s0, s1, s2, s3):
    """One xoshiro256** step: returns the new state words and a uint64 output."""
    result = _rotl(s1 * _U5, _U7) * _U9
    t = s1 << _U17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, _U45)
    return s0, s1, s2, s3, result


@njit(inline="always")
def _uniform(s0, s1, s2, s3):
    """A double uniform on [0, 1) with 53 random bits."""
    s0, s1, s2, s3, r = _next(s0, s1, s2, s3)
    return s0, s1, s2, s3, np.float64(r >> _U11) * _INV53


@njit(inline="always")
def _index(s0, s1, s2, s3, n):
    """An unbiased integer in [0, n) by Lemire's multiply-and-reject method (n < 2**32)."""
    nn = np.uint64(n)
    s0, s1, s2, s3, r = _next(s0, s1, s2, s3)
    m = (r >> _U32) * nn
    low = m & _MASK32
    if low < nn:
        threshold = (_TWO32 - nn) % nn
        while low < threshold:
            s0, s1, s2, s3, r = _next(s0, s1, s2, s3)
            m = (r >> _U32) * nn
            low = m & _MASK32
    return s0, s1, s2, s3, np.int64(m >> _U32)


@njit(cache=True)
def random_spins(rng, out):
    """Fill ``out`` (int8) with independent uniform +-1 spins from the stream ``rng``."""
    s0, s1, s2, s3 = rng[0], rng[1], rng[2], rng[3]
    for i in range(out.shape[0]):
        s0, s1, s2, s3, r = _next(s0, s1, s2, s3)
        out[i] = 1 if (r >> _U63) == np.uint64(1) else -1
    rng[0], rng[1], rng[2], rng[3] = s0, s1, s2, s3


@njit(inline="always")
def _coupling_field(kind, cp, patterns_t, s, g, counts, i):
    """``sum_j C_ij s_j`` of site i: kept in ``g`` (dense, sparse) or, for pattern-backed
    couplings ``C = xi^T xi`` with zero diagonal, ``sum_mu xi_i^mu M_mu - p s_i`` from
    the overlap counts (O(p), exact integers); for a dense associative memory
    ``s_i sum_mu (F(M_mu) - F(M_mu - 2 xi_i^mu s_i))`` (O(p)). ``kind`` is the storage
    tag."""
    if kind.ndim == PATTERNS:
        row = patterns_t[i]
        acc = np.int64(0)
        for mu in range(row.shape[0]):
            acc += np.int64(row[mu]) * counts[mu]
        return acc - np.int64(row.shape[0]) * s[i]
    if kind.ndim == MEMORY:
        return _memory_field(cp[3], patterns_t[i], s[i], g, counts)
    return g[i]


@njit(inline="always")
def _memory_field(table, row, si, g, counts):
    """``s_i sum_mu (F(M_mu) - F(M_mu - 2 xi_i^mu s_i))`` with ``F`` tabulated at
    ``table[N + M]``. Integer tables sum exactly. Float tables (``g`` then has one
    entry per level, all zero) first count how many overlaps each level gains and
    loses, then sum count times ``F`` once per level: a flip that leaves the multiset
    of overlaps unchanged, an exact tie, gives exactly zero."""
    off = (table.shape[0] - 1) // 2
    acc = table[0] - table[0]
    if g.shape[0] == 0:
        for mu in range(row.shape[0]):
            m = off + counts[mu]
            acc += table[m] - table[m - 2 * np.int64(row[mu]) * si]
        return si * acc
    for mu in range(row.shape[0]):
        m = off + counts[mu]
        g[m] += 1
        g[m - 2 * np.int64(row[mu]) * si] -= 1
    for mu in range(row.shape[0]):
        m = off + counts[mu]
        if g[m] != 0:
            acc += g[m] * table[m]
            g[m] = 0
        m -= 2 * np.int64(row[mu]) * si
        if g[m] != 0:
            acc += g[m] * table[m]
            g[m] = 0
    return si * acc


@njit(inline="always")
def _field_of(kind, cp, fields, patterns_t, s, g, counts, i):
    """Local field ``h_i = scale * sum_j C_ij s_j + theta_i``."""
    return cp[4] * _coupling_field(kind, cp, patterns_t, s, g, counts, i) + fields[i]


@njit(cache=True, parallel=True)
def transpose(src, dst):
    """``dst[:] = src.T`` for 2-D arrays, in 64 x 64 tiles (cache friendly; numpy's
    strided copy of a large (p, N) pattern array is several times slower)."""
    p, n = src.shape
    tile = 64
    for jb in prange((n + tile - 1) // tile):
        j0 = jb * tile
        j1 = min(n, j0 + tile)
        for i0 in range(0, p, tile):
            i1 = min(p, i0 + tile)
            for j in range(j0, j1):
                for i in range(i0, i1):
                    dst[j, i] = src[i, j]


@njit(cache=True)
def init_state(kind, cp, fields, patterns_t, s, g, counts):
    """Compute overlap counts, coupling fields ``g = C s`` (dense and sparse couplings)
    and the energy of ``s``; returns the energy ``H(s)``."""
    n = s.shape[0]
    p = patterns_t.shape[1]
    for mu in range(p):
        counts[mu] = 0
    for i in range(n):
        for mu in range(p):
            counts[mu] += patterns_t[i, mu] * s[i]
    scale = cp[4]
    energy = 0.0
    if kind.ndim == MEMORY:
        for k in range(g.shape[0]):
            g[k] = 0
        table = cp[3]
        off = (table.shape[0] - 1) // 2
        total = table[0] - table[0]
        for mu in range(p):
            total += table[off + counts[mu]]
        energy = -2.0 * scale * total
    for i in range(n):
        if kind.ndim == DENSE:
            row = cp[0][i]
            g[i] = 0
            for j in range(n):
                g[i] += row[j] * np.int32(s[j])
        elif kind.ndim == SPARSE:
            indptr, indices, data = cp[1], cp[2], cp[3]
            g[i] = 0
            for k in range(indptr[i], indptr[i + 1]):
                g[i] += data[k] * np.int32(s[indices[k]])
        if kind.ndim == MEMORY:
            energy -= s[i] * fields[i]
        else:
            gi = _coupling_field(kind, cp, patterns_t, s, g, counts, i)
            energy -= s[i] * (0.5 * scale * gi + fields[i])
    return energy


@njit(inline="always")
def _flip_of(kind, cp, patterns_t, s, g, counts, i):
    """Flip spin i and update the coupling fields (O(N) dense, O(degree) sparse) and
    the overlap counts (O(p))."""
    new = -s[i]
    s[i] = new
    # constant factors, so that the integer loops vectorise; int32 so that int8
    # couplings cannot overflow when the kernel runs as plain Python (NUMBA_DISABLE_JIT)
    if kind.ndim == DENSE:
        row = cp[0][i]
        if new > 0:
            for k in range(g.shape[0]):
                g[k] += np.int32(2) * row[k]
        else:
            for k in range(g.shape[0]):
                g[k] -= np.int32(2) * row[k]
    elif kind.ndim == SPARSE:
        indptr, indices, data = cp[1], cp[2], cp[3]
        if new > 0:
            for k in range(indptr[i], indptr[i + 1]):
                g[indices[k]] += np.int32(2) * data[k]
        else:
            for k in range(indptr[i], indptr[i + 1]):
                g[indices[k]] -= np.int32(2) * data[k]
    row_xi = patterns_t[i]
    if new > 0:
        for mu in range(counts.shape[0]):
            counts[mu] += 2 * row_xi[mu]
    else:
        for mu in range(counts.shape[0]):
            counts[mu] -= 2 * row_xi[mu]


@njit(inline="always")
def _accept(rule, x, u):
    """Whether a proposed flip with ``x = beta * dE`` is accepted, given a uniform u.

    Glauber: probability 1 / (1 + exp(x)); Metropolis: min(1, exp(-x)). Both are
    bounded above by 1 / (1 + x + x**2 / 2) for x > 0, which rejects most proposals at
    low temperature without evaluating an exponential, and Glauber's is at least 1/2
    for x <= 0; the decision is the same as the exact comparison ``u < P``.
    """
    if rule == METROPOLIS:
        if x <= 0.0:
            return True
        if u * (1.0 + x + 0.5 * x * x) >= 1.0:
            return False
        return u < np.exp(-x)
    # Glauber (heat bath)
    if x > 0.0:
        if u * (1.0 + x + 0.5 * x * x) >= 1.0:
            return False
    elif u < 0.5:
        return True
    return u * (1.0 + np.exp(x)) < 1.0


@njit(cache=True)
def sweeps(
    kind, cp, fields, patterns_t, s, g, counts, rng, beta, n_sweeps, rule, order, tie
):
    """Run ``n_sweeps`` sweeps of one replica in place.

    Parameters
    ----------
    kind : ndarray
        Storage tag of ``cp`` (:func:`tag`).
    beta : float
        Inverse temperature; ignored by the zero-temperature rule.
    rule : int
        ``GLAUBER``, ``METROPOLIS`` or ``ZERO`` (``s_i <- sign(h_i)``, kept when
        ``|h_i| <= tie``).
    order : int
        ``RANDOM_ORDER`` (each attempt picks a uniform random site) or
        ``SEQUENTIAL_ORDER`` (sites 0..N-1 in turn).

    Returns
    -------
    (dE, flips)
        Energy change and number of accepted flips.
    """
    n = s.shape[0]
    s0, s1, s2, s3 = rng[0], rng[1], rng[2], rng[3]
    d_energy = 0.0
    flips = 0
    for _ in range(n_sweeps):
        for a in range(n):
            if order == RANDOM_ORDER:
                s0, s1, s2, s3, i = _index(s0, s1, s2, s3, n)
            else:
                i = a
            de = 2.0 * s[i] * _field_of(kind, cp, fields, patterns_t, s, g, counts, i)
            if rule == ZERO:
                flip = de < -2.0 * tie
            else:
                s0, s1, s2, s3, u = _uniform(s0, s1, s2, s3)
                flip = _accept(rule, beta * de, u)
            if flip:
                _flip_of(kind, cp, patterns_t, s, g, counts, i)
                d_energy += de
                flips += 1
    rng[0], rng[1], rng[2], rng[3] = s0, s1, s2, s3
    return d_energy, flips


@njit(cache=True)
def is_stuck(kind, cp, fields, patterns_t, s, g, counts, tie):
    """True when no spin can lower the energy by flipping: ``s_i h_i >= -tie`` for all i."""
    for i in range(s.shape[0]):
        if s[i] * _field_of(kind, cp, fields, patterns_t, s, g, counts, i) < -tie:
            return False
    return True


@njit(cache=True)
def _run_one(
    kind,
    cp,
    fields,
    patterns_t,
    s,
    g,
    counts,
    energy,
    rng,
    betas,
    block_sweeps,
    record,
    rule,
    order,
    tie,
    rec_energy,
    rec_counts,
    rec_states,
    first_slot,
    best_s,
    best_energy,
    flips,
):
    """Drive one replica through the blocks; see ``run_replicas``."""
    slot = first_slot
    for k in range(betas.shape[0]):
        for _ in range(block_sweeps[k]):
            de, nf = sweeps(
                kind,
                cp,
                fields,
                patterns_t,
                s,
                g,
                counts,
                rng,
                betas[k],
                1,
                rule,
                order,
                tie,
            )
            energy[0] += de
            flips[0] += nf
            if energy[0] < best_energy[0]:
                best_energy[0] = energy[0]
                best_s[:] = s
        if record[k]:
            rec_energy[slot] = energy[0]
            rec_counts[slot] = counts
            if rec_states.shape[0] > 0:
                rec_states[slot] = s
            slot += 1


@njit(cache=True, parallel=True)
def run_replicas(
    kind,
    cp,
    fields,
    patterns_t,
    s,
    g,
    counts,
    energy,
    rng,
    betas,
    block_sweeps,
    record,
    rule,
    order,
    tie,
    rec_energy,
    rec_counts,
    rec_states,
    first_slot,
    best_s,
    best_energy,
    flips,
):
    """Run R independent replicas through a sequence of blocks, in parallel threads.

    Block k runs ``block_sweeps[k]`` sweeps at inverse temperature ``betas[k]``; after it
    the energy, overlap counts (and states, unless ``rec_states`` has a time axis of
    length 0) are recorded in the next slot of the records when ``record[k]``, starting
    at slot ``first_slot`` (whole record buffers are passed, never slices, so that
    every call has the same array layouts and compiles once). The lowest energy seen at
    the end of any sweep and its state are kept in ``best_energy``/``best_s`` (which the
    caller initialises); ``flips`` counts accepted flips. All arrays have the replica as
    their first axis and are updated in place, so a run may be split into consecutive
    calls with the same numbers.
    """
    for r in prange(s.shape[0]):
        _run_one(
            kind,
            cp,
            fields,
            patterns_t,
            s[r],
            g[r],
            counts[r],
            energy[r : r + 1],
            rng[r],
            betas,
            block_sweeps,
            record,
            rule,
            order,
            tie,
            rec_energy[r],
            rec_counts[r],
            rec_states[r],
            first_slot,
            best_s[r],
            best_energy[r : r + 1],
            flips[r : r + 1],
        )


@njit(cache=True, nogil=True)
def init_replicas(kind, cp, fields, patterns_t, s, g, counts, energy, first, stop):
    """``init_state`` for replicas ``first .. stop - 1`` (first axis). The GIL is
    released, so blocks of replicas can run in concurrent threads (a numba prange
    would cost seconds of compilation per coupling storage for a once-per-run step)."""
    for r in range(first, stop):
        energy[r] = init_state(kind, cp, fields, patterns_t, s[r], g[r], counts[r])


@njit(cache=True, parallel=True)
def local_fields(kind, cp, fields, patterns_t, s, g, counts, h, energy):
    """Local fields ``h[r]`` and energies of states ``s[r]``, with the same arithmetic
    as the dynamics (exact integer coupling sums for integer couplings)."""
    for r in prange(s.shape[0]):
        energy[r] = init_state(kind, cp, fields, patterns_t, s[r], g[r], counts[r])
        for i in range(s.shape[1]):
            h[r, i] = _field_of(kind, cp, fields, patterns_t, s[r], g[r], counts[r], i)


@njit(cache=True, parallel=True)
def sweep_replicas(
    kind,
    cp,
    fields,
    patterns_t,
    s,
    g,
    counts,
    energy,
    rng,
    betas,
    n_sweeps,
    rule,
    order,
    tie,
):
    """``n_sweeps`` sweeps of every replica r at its own inverse temperature
    ``betas[r]``, in parallel threads; ``energy[r]`` follows the changes."""
    for r in prange(s.shape[0]):
        de, _ = sweeps(
            kind,
            cp,
            fields,
            patterns_t,
            s[r],
            g[r],
            counts[r],
            rng[r],
            betas[r],
            n_sweeps,
            rule,
            order,
            tie,
        )
        energy[r] += de


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


@njit(cache=True, parallel=True)
def relax_replicas(
    kind,
    cp,
    fields,
    patterns_t,
    s,
    g,
    counts,
    rng,
    max_sweeps,
    order,
    tie,
    sweeps_done,
    converged,
):
    """Zero-temperature asynchronous dynamics of every replica to a fixed point.

    Stops a replica as soon as no spin can lower the energy (checked after each sweep);
    ``sweeps_done[r]`` counts the sweeps it took, ``converged[r]`` says whether it ended
    in a fixed point within ``max_sweeps``.
    """
    for r in prange(s.shape[0]):
        sweeps_done[r], converged[r] = relax_one(
            kind,
            cp,
            fields,
            patterns_t,
            s[r],
            g[r],
            counts[r],
            rng[r],
            max_sweeps,
            order,
            tie,
        )


@njit(cache=True)
def relax_one(kind, cp, fields, patterns_t, s, g, counts, rng, max_sweeps, order, tie):
    """Zero-temperature sweeps of one state until no spin can lower the energy.

    Returns the sweeps taken and whether a fixed point was reached within
    ``max_sweeps``.
    """
    done = 0
    ok = is_stuck(kind, cp, fields, patterns_t, s, g, counts, tie)
    while not ok and done < max_sweeps:
        sweeps(kind, cp, fields, patterns_t, s, g, counts, rng, 0.0, 1, ZERO, order, tie)
        done += 1
        ok = is_stuck(kind, cp, fields, patterns_t, s, g, counts, tie)
    return done, ok


@njit(cache=True, parallel=True)
def synchronous_replicas(
    kind,
    cp,
    fields,
    patterns_t,
    s,
    prev,
    first_step,
    steps,
    record,
    first_slot,
    tie,
    g_template,
    rec_energy,
    rec_counts,
    rec_states,
    cycle,
):
    """Synchronous zero-temperature dynamics ``s <- sign(h)`` (kept when ``|h_i| <=
    tie``) for every replica, ``steps`` steps.

    ``cycle[r]`` is set to 1 when replica r reached a fixed point, 2 when it entered a
    2-cycle (the state two steps back recurs), and 0 otherwise. ``prev[r]`` holds the
    state one step before ``s[r]``. A run may be split into consecutive calls:
    ``first_step`` counts the steps already taken (the first call, with 0, records the
    initial state in slot 0 and resets ``cycle``), and records after each step with
    ``record[t]`` go to the next slot after ``first_slot - 1``, as in ``run_replicas``.
    ``g_template`` is a work array of the coupling fields' dtype and length.
    """
    n_rep, n = s.shape
    p = patterns_t.shape[1]
    keep_states = rec_states.shape[1] > 0
    for r in prange(n_rep):
        cur = s[r]
        nxt = np.empty(n, np.int8)
        g = np.empty_like(g_template)
        counts = np.empty(p, np.int32)
        slot = first_slot - 1
        energy = init_state(kind, cp, fields, patterns_t, cur, g, counts)
        if first_step == 0:
            cycle[r] = 0
            slot = 0
            rec_energy[r, 0] = energy
            rec_counts[r, 0] = counts
            if keep_states:
                rec_states[r, 0] = cur
        for t in range(steps):
            for i in range(n):
                h = _field_of(kind, cp, fields, patterns_t, cur, g, counts, i)
                if h > tie:
                    nxt[i] = 1
                elif h < -tie:
                    nxt[i] = -1
                else:
                    nxt[i] = cur[i]
            if cycle[r] == 0:
                if np.all(nxt == cur):
                    cycle[r] = 1
                elif first_step + t > 0 and np.all(nxt == prev[r]):
                    cycle[r] = 2
            prev[r] = cur
            cur[:] = nxt
            energy = init_state(kind, cp, fields, patterns_t, cur, g, counts)
            if record[t]:
                slot += 1
                rec_energy[r, slot] = energy
                rec_counts[r, slot] = counts
                if keep_states:
                    rec_states[r, slot] = cur


@njit(cache=True)
def dream_block(
    couplings,
    kind,
    cp,
    fields,
    no_patterns,
    rng,
    n_dreams,
    epsilon,
    beta,
    dream_sweeps,
    order,
    tie,
    max_sweeps,
):
    """Hopfield-Feinstein-Palmer unlearning: ``n_dreams`` dreams on float64 couplings.

    Each dream draws a uniform random state, relaxes it (zero-temperature asynchronous
    dynamics to a fixed point when ``beta == 0``; otherwise ``dream_sweeps`` Glauber
    sweeps at inverse temperature ``beta``) and subtracts ``epsilon / N s*_i s*_j`` from
    every off-diagonal coupling, in place. Dreams are sequential: each one sees the
    couplings left by the previous one. Returns the number of zero-temperature dreams
    that did not reach a fixed point within ``max_sweeps``.

    ``kind``, ``cp`` describe the same couplings as dense (scale 1) through a read-only
    view and ``no_patterns`` is a read-only (N, 0) array: the dynamics read through
    them, so that they run the same compiled code as on a model's (read-only) arrays
    instead of compiling a second version for writable ones.
    """
    n = couplings.shape[0]
    s = np.empty(n, np.int8)
    g = np.empty(n)
    counts = np.zeros(0, np.int32)
    step = epsilon / n
    stuck = 0
    for _ in range(n_dreams):
        random_spins(rng, s)
        init_state(kind, cp, fields, no_patterns, s, g, counts)
        if beta == 0.0:
            _, ok = relax_one(
                kind, cp, fields, no_patterns, s, g, counts, rng, max_sweeps, order, tie
            )
            stuck += not ok
        else:
            sweeps(
                kind,
                cp,
                fields,
                no_patterns,
                s,
                g,
                counts,
                rng,
                beta,
                dream_sweeps,
                GLAUBER,
                order,
                tie,
            )
        for i in range(n):
            row = couplings[i]
            c = step * s[i]
            for j in range(n):
                row[j] -= c * s[j]
            row[i] = 0.0
    return stuck


# ------------------------------------------------- Gaussian averages of the RS theory
#
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


@njit(cache=True)
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


@njit(cache=True)
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


@njit(cache=True)
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


@njit(cache=True)
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
