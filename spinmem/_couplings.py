"""How a model keeps its couplings: dense, sparse (CSR) or pattern backed.

Each storage gives the kernels its storage tag ``tag`` and a coupling tuple ``(C,
indptr, indices, data, scale)`` with ``J = scale * C`` (see :mod:`spinmem.kernels`),
says how many bytes it holds, and answers the few whole-matrix questions the model asks
(largest row sum, row norms, the dense matrix) without forming an N x N array where it
can avoid it. The dense associative memories of :mod:`spinmem.memory` have no couplings
but run on the same kernels through a table of their energy function (:class:`Memory`).
"""

import numpy as np
import scipy.sparse

from . import _checks
from ._kernels import couplings

STORAGES = ("dense", "sparse", "patterns")
SYMMETRY_RTOL = 1e-10
"""Couplings count as symmetric when ``max|J - J^T| <= SYMMETRY_RTOL * max|J|``."""


def frozen(arr: np.ndarray) -> np.ndarray:
    arr = np.ascontiguousarray(arr)
    arr.flags.writeable = False
    return arr


def _empty(dtype, ndim: int = 1) -> np.ndarray:
    return frozen(np.zeros((0,) * ndim, dtype=dtype))


def no_patterns(n: int) -> np.ndarray:
    """The read-only (N, 0) pattern array of a model without patterns."""
    return frozen(np.zeros((n, 0), dtype=np.int8))


def dense_kernel(C: np.ndarray, scale: float) -> tuple:
    """The kernels' coupling tuple of dense couplings ``J = scale * C`` (read-only C)."""
    return (C, _empty(np.int64), _empty(np.int32), _empty(C.dtype), scale)


def _field_dtype(C: np.ndarray, largest_row: float):
    """Work dtype of ``g = C s``: exact integers for integer couplings, else float64."""
    if not np.issubdtype(C.dtype, np.integer):
        return np.float64
    return np.int32 if largest_row < np.iinfo(np.int32).max else np.int64


class Dense:
    """Float64 couplings ``J`` and their kernel form ``C`` (``J == scale * C``)."""

    kind = "dense"
    tag = couplings.tag(couplings.DENSE)

    def __init__(self, J: np.ndarray, C: np.ndarray, scale: float):
        self.J, self.C, self.scale = frozen(J), frozen(C), scale
        self.n = n = J.shape[0]
        self.kernel = dense_kernel(self.C, scale)
        largest = n * float(np.abs(C).max(initial=0)) if self.integer else 0.0
        self.g_dtype, self.g_width = _field_dtype(C, largest), n

    @property
    def integer(self) -> bool:
        return np.issubdtype(self.C.dtype, np.integer)

    @property
    def nbytes(self) -> int:
        return self.J.nbytes + (self.C.nbytes if self.C is not self.J else 0)

    def dense(self) -> np.ndarray:
        return self.J

    def sweep_work(self, p: int) -> int:
        """Operations of a sweep in which every attempt flips: N (field + row + p)."""
        return self.n * (1 + self.n + p)

    def field_rounding(self, exact: bool) -> float:
        """Scale of the rounding of a computed field: one product for exact integer
        couplings, else the largest possible field (see ``model.tie_threshold``)."""
        return self.scale if exact else self.largest_row_sum()

    def largest_row_sum(self) -> float:
        return largest_row_sum(self.J)

    def row_norms(self) -> np.ndarray:
        return np.concatenate([np.linalg.norm(b, axis=1) for b in row_blocks(self.J)])


class Sparse:
    """Symmetric CSR couplings; ``data == scale * C.data`` with integer ``C.data`` when
    the values allow it (exact fields), float64 otherwise."""

    kind = "sparse"
    tag = couplings.tag(couplings.SPARSE)

    def __init__(self, A: scipy.sparse.csr_array):
        self.A = A
        for arr in (A.data, A.indices, A.indptr):
            arr.flags.writeable = False
        self.n = A.shape[0]
        data, scale = integer_form(A.data, self.n)
        self.scale = scale
        # the kernel's arrays share scipy's wherever the dtype already fits
        self.data = frozen(data)
        self.indptr = frozen(A.indptr.astype(np.int64, copy=False))
        self.indices = frozen(A.indices.astype(np.int32, copy=False))
        self.kernel = (
            _empty(data.dtype, 2),
            self.indptr,
            self.indices,
            self.data,
            scale,
        )
        largest = self.largest_row_sum() / scale  # of |C|, for the field dtype
        self.g_dtype, self.g_width = _field_dtype(data, largest), self.n

    @property
    def integer(self) -> bool:
        return np.issubdtype(self.data.dtype, np.integer)

    @property
    def nbytes(self) -> int:
        arrays = (self.A.data, self.A.indices, self.A.indptr)
        arrays += (self.data, self.indices, self.indptr)
        return sum(a.nbytes for a in {id(a): a for a in arrays}.values())

    def sweep_work(self, p: int) -> int:
        """Operations of a sweep in which every attempt flips: N (field + p) + nnz."""
        return self.n * (1 + p) + self.indices.shape[0]

    def dense(self) -> np.ndarray:
        n = self.A.shape[0]
        _checks.memory("dense couplings", 8 * n * n, f"N x N = {n} x {n} float64")
        return frozen(self.A.toarray())

    field_rounding = Dense.field_rounding

    def largest_row_sum(self) -> float:
        return float(abs(self.A).sum(axis=1).max(initial=0.0))

    def row_norms(self) -> np.ndarray:
        return np.sqrt(np.asarray(self.A.multiply(self.A).sum(axis=1)).ravel())


class Patterns:
    """Hebbian couplings ``J = (1/N) xi^T xi`` with zero diagonal, kept as the
    (N, p) int8 array ``xi^T`` only."""

    kind = "patterns"
    tag = couplings.tag(couplings.PATTERNS)
    integer = True

    def field_rounding(self, exact: bool) -> float:
        """Scale of the rounding of a computed field: one product (exact integers)."""
        return self.scale

    def __init__(self, xi_t: np.ndarray):
        self.xi_t = xi_t
        self.n, self.p = xi_t.shape
        self.scale = 1.0 / self.n
        self.kernel = (
            _empty(np.int8, 2),
            _empty(np.int64),
            _empty(np.int32),
            _empty(np.int8),
            self.scale,
        )
        self.g_dtype, self.g_width = np.int32, 0

    @property
    def nbytes(self) -> int:
        return 0  # the patterns themselves are counted by the model

    def dense(self) -> np.ndarray:
        return frozen(hebbian_matrix(self.xi_t.T, "Hopfield.couplings"))

    def sweep_work(self, p: int) -> int:
        """Operations of a sweep in which every attempt flips: N (2 p + 1)."""
        return self.n * (1 + 2 * p)

    def row_norms(self) -> np.ndarray:
        """``||J_i|| = (1/N) sqrt(xi_i^T G xi_i - p^2)`` with the Gram matrix
        ``G = xi xi^T`` (O(N p^2), exact in float64)."""
        n, p = self.xi_t.shape
        _checks.memory("row norms", 8 * p * p + 16 * p * 4096, f"p x p = {p} x {p} Gram")
        G = np.zeros((p, p))
        for k in range(0, n, 4096):
            x = self.xi_t[k : k + 4096].astype(np.float64)
            G += x.T @ x
        out = np.empty(n)
        for k in range(0, n, 4096):
            x = self.xi_t[k : k + 4096].astype(np.float64)
            out[k : k + 4096] = np.einsum("ij,ij->i", x @ G, x) - p * p
        return np.sqrt(out) / n


class Memory:
    """A dense associative memory ``H = -c sum_mu F(xi^mu . s)``: the (N, p) int8
    patterns ``xi^T`` and ``F`` tabulated over the overlap counts ``-N..N``."""

    kind = "memory"
    tag = couplings.tag(couplings.MEMORY)

    def __init__(self, xi_t: np.ndarray, table: np.ndarray, c: float):
        self.xi_t, self.table = xi_t, frozen(table)
        self.n, self.p = xi_t.shape
        self.scale = c / 2  # h_i = scale * g_i with g_i = s_i sum_mu (F(M) - F(M'))
        self.kernel_table = _kernel_table(self.table, self.p)
        self.kernel = (
            _empty(self.kernel_table.dtype, 2),
            _empty(np.int64),
            _empty(np.int32),
            self.kernel_table,
            self.scale,
        )
        # float tables count level changes in g (see couplings._memory_field)
        self.g_dtype = self.kernel_table.dtype
        self.g_width = 0 if self.integer else table.shape[0]

    @property
    def integer(self) -> bool:
        return np.issubdtype(self.table.dtype, np.integer)

    @property
    def nbytes(self) -> int:
        extra = self.kernel_table.nbytes if self.kernel_table is not self.table else 0
        return self.table.nbytes + extra  # the patterns are counted by the model

    def dense(self) -> np.ndarray:
        raise ValueError(
            "a dense associative memory has no pairwise couplings J; couplings, "
            "storage conversion and unlearning apply to Hopfield models"
        )

    def sweep_work(self, p: int) -> int:
        """Operations of a sweep in which every attempt flips: N (2 p + 1)."""
        return self.n * (1 + 2 * p)

    def field_rounding(self, exact: bool) -> float:
        """Scale of the rounding of a computed field: one product for integer tables;
        none for float tables, whose ties compute as exactly zero (kernels count level
        changes before summing) and whose other fields, however small, are real."""
        return self.scale if self.integer else 0.0

    def row_norms(self) -> np.ndarray:
        """Ones: the stability of a site is then ``s_i h_i``, half its flip cost."""
        return np.ones(self.n)


def _kernel_table(table: np.ndarray, p: int) -> np.ndarray:
    """The table the kernels read: an integer table as float64 when every sum they
    form, at most ``2 p max|F|`` in magnitude, is below 2^53 and so exact in float64
    too (the same numbers, and one compiled version for every dense memory instead of
    one per table dtype); else the table itself."""
    if not np.issubdtype(table.dtype, np.integer):
        return table
    largest = max(abs(int(table.min())), abs(int(table.max())))
    if 2 * p * largest >= 2**53:
        return table
    return frozen(table.astype(np.float64))


def sparse_couplings(value) -> scipy.sparse.csr_array:
    """A validated, canonical, exactly symmetric CSR copy of a scipy.sparse matrix."""
    if value.ndim != 2 or value.shape[0] != value.shape[1]:
        raise ValueError(
            f"couplings must be a square (N, N) matrix, got shape {value.shape}"
        )
    n = value.shape[0]
    if n < 2:
        raise ValueError(f"couplings must describe N >= 2 spins, got N = {n}")
    if value.dtype.kind not in "biuf":
        raise TypeError(f"couplings must be real, got dtype {value.dtype}")
    _checks.memory(
        "Hopfield",
        40 * value.nnz + 16 * n,
        f"{value.nnz} stored couplings of N = {n} spins, about 40 bytes each",
    )
    A = scipy.sparse.csr_array(value, dtype=np.float64, copy=True)
    A.sum_duplicates()
    A.eliminate_zeros()
    if not np.all(np.isfinite(A.data)):
        raise ValueError("couplings must be finite; found NaN or infinity")
    diag = A.diagonal()
    if np.any(diag != 0):
        i = int(np.flatnonzero(diag)[0])
        raise ValueError(
            f"couplings must have a zero diagonal (J_ii = 0), found J[{i},{i}] = "
            f"{float(diag[i])}; remove it with J.setdiag(0) and J.eliminate_zeros()"
        )
    scale = float(np.abs(A.data).max(initial=0.0))
    asym = (A - A.T).tocsr()
    worst = float(np.abs(asym.data).max(initial=0.0))
    if worst > SYMMETRY_RTOL * scale:
        raise ValueError(
            f"couplings must be symmetric; max |J - J.T| = {worst:.3g} "
            f"exceeds {SYMMETRY_RTOL:g} * max |J|"
        )
    if worst > 0:
        A = ((A + A.T) * 0.5).tocsr()
        A.eliminate_zeros()
    A.sort_indices()
    largest = float(abs(A).sum(axis=1).max(initial=0.0))
    if not largest <= np.finfo(np.float64).max / n:
        raise ValueError(
            f"couplings are too large: the largest row sum of |J| is {largest:.3g}, so "
            f"fields and energies of {n} spins would overflow float64; rescale J"
        )
    return A


def integer_form(values: np.ndarray, n: int) -> tuple[np.ndarray, float]:
    """``(C, scale)`` with ``values == scale * C`` exactly, C as small integers when
    possible.

    Integer values (scale 1) and multiples of 1/N such as Hebbian couplings (scale 1/N)
    become int8 or int16, which the kernels stream four to eight times faster than
    float64 and sum exactly; anything else stays float64, scale 1. ``values`` is a
    dense (N, N) matrix or the 1-D data of a sparse one, read a block of rows at a time
    (no full-size temporaries).
    """
    rows = np.atleast_2d(values)
    for scale in (1.0, 1.0 / n):
        largest = 0.0
        for block in row_blocks(rows):
            C = np.rint(block / scale)
            if not np.array_equal(C * scale, block):
                largest = np.inf
                break
            largest = max(largest, float(np.abs(C).max(initial=0.0)))
        if largest > np.iinfo(np.int16).max:
            continue
        dtype = np.int8 if largest <= np.iinfo(np.int8).max else np.int16
        C = np.empty(values.shape, dtype)
        out = np.atleast_2d(C)  # a view of C
        for k in row_slices(rows):
            out[k] = np.rint(rows[k] / scale)
        return C, scale
    return np.asarray(values, dtype=np.float64), 1.0


def row_slices(A: np.ndarray, elements: int = 2**17):
    """Slices of consecutive rows of ``A``, about ``elements`` entries each."""
    rows = max(1, elements // max(1, A.shape[1]))
    for k in range(0, A.shape[0], rows):
        yield slice(k, k + rows)


def largest_row_sum(J: np.ndarray) -> float:
    """The largest row sum of ``|J|`` of a dense (N, N) array, a block of rows at a
    time (no N x N temporary)."""
    return max(float(np.abs(b).sum(axis=1).max()) for b in row_blocks(J))


def row_blocks(A: np.ndarray, elements: int = 2**17):
    """Consecutive blocks of rows of ``A`` of about ``elements`` entries each."""
    for k in row_slices(A, elements):
        yield A[k]


def transposed(xi: np.ndarray) -> np.ndarray:
    """(N, p) C-contiguous copy of (p, N) patterns (the kernels' layout): numpy's copy
    below :data:`TRANSPOSE_KERNEL_SIZE` entries, where the tiled kernel's compilation
    (about a second) would cost more than it saves."""
    xi = np.ascontiguousarray(xi, dtype=np.int8)
    if xi.size < TRANSPOSE_KERNEL_SIZE:
        return np.ascontiguousarray(xi.T)
    out = np.empty(xi.shape[::-1], dtype=np.int8)
    couplings.transpose(xi, out)
    return out


TRANSPOSE_KERNEL_SIZE = 10**7
"""Pattern entries from which :func:`transposed` uses the tiled kernel."""


HEBBIAN_BUILD_BYTES = 14
"""Peak bytes per coupling while ``hebbian_matrix`` builds dense couplings."""


def hebbian_matrix(xi: np.ndarray, what: str = "Hopfield.hebbian") -> np.ndarray:
    """Dense Hebbian couplings ``(1/N) xi^T xi`` with zero diagonal, float64, from
    (p, N) patterns, with exact integer sums (float32 product); ``what`` names the
    caller in a memory refusal."""
    p, n = xi.shape
    _checks.memory(
        what,
        HEBBIAN_BUILD_BYTES * n * n,
        f"N x N = {n} x {n} couplings at {HEBBIAN_BUILD_BYTES} bytes each while "
        f"building; storage='patterns' keeps only the p x N = {p} x {n} patterns "
        f"({_checks.size(p * n)})",
    )
    exact = np.float32 if p < 2**24 else np.float64
    x = xi.astype(exact)
    C = x.T @ x  # exact integers
    np.fill_diagonal(C, 0.0)
    return np.multiply(C, 1.0 / n, dtype=np.float64)  # = (float64 C) * (1/N), no copy


def overlap_counts(s: np.ndarray, xi_t: np.ndarray) -> np.ndarray:
    """Exact integer overlaps ``xi^mu . s`` as float64, shape ``s.shape[:-1] + (p,)``,
    a block of sites at a time (float32 products are exact while N < 2**24)."""
    n, p = xi_t.shape
    batch = s.reshape(-1, n)
    exact = np.float32 if n < 2**24 else np.float64
    out = np.zeros((batch.shape[0], p))
    step = max(1, 2**22 // max(1, p + batch.shape[0]))
    for k in range(0, n, step):
        out += batch[:, k : k + step].astype(exact) @ xi_t[k : k + step].astype(exact)
    return out.reshape((*s.shape[:-1], p))


def dense_store(J: np.ndarray) -> "Dense":
    return Dense(J, *integer_form(J, J.shape[0]))


def sparse_store(J: np.ndarray) -> "Sparse":
    return Sparse(sparse_couplings(scipy.sparse.csr_array(J)))


def dense_couplings(value) -> np.ndarray:
    """Validated, exactly symmetrised float64 couplings, built a block of rows at a time
    (one N x N float64 array beyond the input, no full-size temporaries)."""
    raw = _checks.real_input("couplings", value, "a real (N, N) array")
    if raw.ndim != 2 or raw.shape[0] != raw.shape[1]:
        raise ValueError(f"couplings must be a square (N, N) array, got shape {raw.shape}")
    n = raw.shape[0]
    if n < 2:
        raise ValueError(f"couplings must describe N >= 2 spins, got N = {n}")
    _checks.memory(
        "Hopfield",
        10 * n * n,
        f"N x N = {n} x {n} couplings at 10 bytes each (float64 and integer copies); "
        "a scipy.sparse matrix keeps diluted couplings in O(nonzeros), and "
        "Hopfield.hebbian(patterns, storage='patterns') Hebbian ones in O(N p)",
    )

    J = np.empty((n, n))
    finite, largest_row, scale, asym = True, 0.0, 0.0, 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for k in row_slices(raw):
            block, mirror = raw[k].astype(np.float64), raw[:, k].T.astype(np.float64)
            finite = finite and bool(np.isfinite(block).all())
            largest_row = max(largest_row, np.abs(block).sum(axis=1).max())
            scale = max(scale, np.abs(block).max())
            asym = max(asym, float(np.abs(block - mirror).max()))
            J[k] = 0.5 * (block + mirror)
    if not finite:
        raise ValueError("couplings must be finite; found NaN or infinity")
    if np.any(np.diag(raw) != 0):
        i = int(np.flatnonzero(np.diag(raw))[0])
        raise ValueError(
            f"couplings must have a zero diagonal (J_ii = 0), found J[{i},{i}] = "
            f"{float(raw[i, i])}; set it with numpy.fill_diagonal(J, 0)"
        )
    if not largest_row <= np.finfo(np.float64).max / n:  # largest_row * n overflows
        raise ValueError(
            "couplings are too large: the largest row sum of |J| is "
            f"{largest_row:.3g}, "
            f"so fields and energies of {n} spins would overflow float64; "
            "rescale J (and the temperature with it)"
        )
    if asym > SYMMETRY_RTOL * scale:
        raise ValueError(
            f"couplings must be symmetric; max |J - J.T| = {asym:.3g} "
            f"exceeds {SYMMETRY_RTOL:g} * max |J|"
        )
    return J
