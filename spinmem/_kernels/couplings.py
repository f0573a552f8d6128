"""Storage of the couplings in the kernels: the storage codes and tags, the coupling
field of a site, the flip of a spin (fields, overlap counts) and the initial state of
the kept sums, for dense, sparse, pattern-backed couplings and dense associative
memories.
"""

import numpy as np
from numba import njit, prange

# Coupling storage codes: the number of dimensions of a storage tag.
DENSE = 1
SPARSE = 2
PATTERNS = 3
MEMORY = 4


def tag(code: int) -> np.ndarray:
    """The storage tag of a storage code: an empty int8 array with ``code`` dimensions."""
    return np.zeros((0,) * code, dtype=np.int8)


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
