"""Storage of the couplings in the kernels: the storage codes and tags, the coupling
field of a site, the flip of a spin (fields, overlap counts) and the initial state of
the kept sums, for dense, sparse, pattern-backed couplings and dense associative
memories.
"""

import numpy as np
from numba import njit, prange

from .._jit import cached_njit, inner_njit
from .records import one

# Coupling storage codes: the number of dimensions of a storage tag.
DENSE = 1
SPARSE = 2
PATTERNS = 3
MEMORY = 4


def tag(code: int) -> np.ndarray:
    """The storage tag of a storage code: an empty int8 array with ``code`` dimensions."""
    return np.zeros((0,) * code, dtype=np.int8)


@inner_njit
def _coupling_field(tag, view, rep, i):
    """``sum_j C_ij s_j`` of site i of replica ``rep``: kept in ``g`` (dense, sparse)
    or, for pattern-backed couplings ``C = xi^T xi`` with zero diagonal,
    ``sum_mu xi_i^mu M_mu - p s_i`` from the overlap counts (O(p), exact integers); for
    a dense associative memory ``s_i sum_mu (F(M_mu) - F(M_mu - 2 xi_i^mu s_i))``
    (O(p))."""
    if tag.ndim == PATTERNS:
        row = view.patterns_t[i]
        acc = np.int64(0)
        for mu in range(row.shape[0]):
            acc += np.int64(row[mu]) * rep.counts[mu]
        return acc - np.int64(row.shape[0]) * rep.s[i]
    if tag.ndim == MEMORY:
        return _memory_field(view.cp[3], view.patterns_t[i], rep.s[i], rep.g, rep.counts)
    return rep.g[i]


@inner_njit
def _memory_field(table, row, si, g, counts):
    """``s_i sum_mu (F(M_mu) - F(M_mu - 2 xi_i^mu s_i))`` with ``F`` tabulated at
    ``table[N + M]``. Tables of integers (``g`` empty; int64, or float64 while every
    sum stays below 2^53) are summed directly, exactly. Tables of real values (``g``
    then has one entry per level, all zero) first count how many overlaps each level
    gains and loses, then sum count times ``F`` once per level: a flip that leaves the
    multiset of overlaps unchanged, an exact tie, gives exactly zero."""
    off = (table.shape[0] - 1) // 2
    if g.shape[0] == 0:
        return si * _exact_table_sum(table, off, row, si, counts)
    acc = table[0] - table[0]
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


@njit(no_cpython_wrapper=True, no_cfunc_wrapper=True, fastmath={"reassoc"})
def _exact_table_sum(table, off, row, si, counts):
    """``sum_mu (F(M_mu) - F(M_mu - 2 xi_i^mu s_i))`` for a table of integers, whose
    every partial sum is exact (:func:`_memory_field`): in any order the same number,
    so the sum may be reassociated and vectorised (about twice as fast)."""
    acc = table[0] - table[0]
    for mu in range(row.shape[0]):
        m = off + counts[mu]  # in 0..2N, and so is m -+ 2: unsigned, no wrap-around
        acc += table[np.uint64(m)] - table[np.uint64(m - 2 * np.int64(row[mu]) * si)]
    return acc


@inner_njit
def _field_of(view, rep, i):
    """Local field ``h_i = scale * sum_j C_ij s_j + theta_i`` of replica ``rep``."""
    return view.cp[4] * _coupling_field(view.tag, view, rep, i) + view.fields[i]


@cached_njit(parallel=True)
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


@inner_njit
def _init_state(view, rep):
    """Compute the overlap counts, coupling fields ``g = C s`` (dense and sparse
    couplings) and the energy ``H(s)`` of one replica ``rep``; returns the energy and
    stores it in ``rep.energy[0]`` (:func:`init_state` from Python)."""
    tag, cp, fields, patterns_t = view.tag, view.cp, view.fields, view.patterns_t
    s, g, counts = rep.s, rep.g, rep.counts
    n = s.shape[0]
    p = patterns_t.shape[1]
    for mu in range(p):
        counts[mu] = 0
    for i in range(n):
        for mu in range(p):
            counts[mu] += patterns_t[i, mu] * s[i]
    scale = cp[4]
    energy = 0.0
    if tag.ndim == MEMORY:
        for k in range(g.shape[0]):
            g[k] = 0
        table = cp[3]
        off = (table.shape[0] - 1) // 2
        total = table[0] - table[0]
        for mu in range(p):
            total += table[off + counts[mu]]
        energy = -2.0 * scale * total
    for i in range(n):
        if tag.ndim == DENSE:
            row = cp[0][i]
            g[i] = 0
            for j in range(n):
                g[i] += row[j] * np.int32(s[j])
        elif tag.ndim == SPARSE:
            indptr, indices, data = cp[1], cp[2], cp[3]
            g[i] = 0
            for k in range(indptr[i], indptr[i + 1]):
                g[i] += data[k] * np.int32(s[indices[k]])
        if tag.ndim == MEMORY:
            energy -= s[i] * fields[i]
        else:
            gi = _coupling_field(tag, view, rep, i)
            energy -= s[i] * (0.5 * scale * gi + fields[i])
    rep.energy[0] = energy
    return energy


@cached_njit()
def init_state(view, rep):
    """:func:`_init_state` from Python: the energy of ``rep``, its overlap counts and
    coupling fields set."""
    return _init_state(view, rep)


@njit(inline="always")
def _flip_of(view, rep, i):
    """Flip spin i of replica ``rep`` and update its coupling fields (O(N) dense,
    O(degree) sparse) and overlap counts (O(p))."""
    tag, cp, s, g, counts = view.tag, view.cp, rep.s, rep.g, rep.counts
    new = -s[i]
    s[i] = new
    # constant factors, so that the integer loops vectorise; int32 so that int8
    # couplings cannot overflow when the kernel runs as plain Python (NUMBA_DISABLE_JIT)
    if tag.ndim == DENSE:
        row = cp[0][i]
        if new > 0:
            for k in range(g.shape[0]):
                g[k] += np.int32(2) * row[k]
        else:
            for k in range(g.shape[0]):
                g[k] -= np.int32(2) * row[k]
    elif tag.ndim == SPARSE:
        indptr, indices, data = cp[1], cp[2], cp[3]
        if new > 0:
            for k in range(indptr[i], indptr[i + 1]):
                g[indices[k]] += np.int32(2) * data[k]
        else:
            for k in range(indptr[i], indptr[i + 1]):
                g[indices[k]] -= np.int32(2) * data[k]
    row_xi = view.patterns_t[i]
    if new > 0:
        for mu in range(counts.shape[0]):
            counts[mu] += 2 * row_xi[mu]
    else:
        for mu in range(counts.shape[0]):
            counts[mu] -= 2 * row_xi[mu]


@cached_njit(nogil=True)
def local_fields(view, reps, h, first, stop):
    """Energies, overlap counts and coupling fields (:func:`init_state`) of replicas
    ``first .. stop - 1``, and their local fields ``h[r]`` unless ``h`` has no rows,
    with the same arithmetic as the dynamics (exact integer coupling sums for integer
    couplings). The GIL is released: blocks of replicas may run in concurrent
    threads."""
    for r in range(first, stop):
        rep = one(reps, r)
        _init_state(view, rep)
        if h.shape[0] > 0:
            for i in range(rep.s.shape[0]):
                h[r, i] = _field_of(view, rep, i)


_NO_FIELDS = np.empty((0, 0))


def init_replicas(view, reps, first, stop):
    """``init_state`` for replicas ``first .. stop - 1`` of ``reps``: :func:`local_fields`
    without the fields (one kernel fewer to compile per storage)."""
    local_fields(view, reps, _NO_FIELDS, first, stop)
