"""Learning rules: couplings from stored patterns, ``docs/physics.md`` section 11.

Every rule returns a :class:`~spinmem.Hopfield` model that keeps the patterns (for
overlaps and the census) and has a zero diagonal unless stated. The Hebbian rule
itself is :meth:`spinmem.Hopfield.hebbian`.
"""

from typing import NamedTuple

import numpy as np
import scipy.sparse
from numpy.typing import ArrayLike

from . import _checks, _couplings
from ._couplings import hebbian_matrix
from .model import DENSE_MAX_SPINS, Hopfield, _rebuild
from .seeding import SeedLike, generator, root_sequence

__all__ = [
    "Learned",
    "centred",
    "clipped",
    "diluted",
    "dreaming",
    "projection",
    "storkey",
    "symmetric_perceptron",
]


def projection(patterns: ArrayLike) -> Hopfield:
    r"""Projection (pseudo-inverse) rule, :math:`J = \frac1N\, \xi^T C^+ \xi` with zero
    diagonal.

    :math:`C_{\mu\nu} = \frac1N\, \xi^\mu \cdot \xi^\nu` is the pattern correlation
    matrix and :math:`C^+` its (Moore-Penrose) pseudo-inverse (Personnaz, Guyon and
    Dreyfus, J. Physique Lett. 46, L359, 1985; Kanter and Sompolinsky, Phys. Rev. A 35,
    380, 1987). Before the diagonal is removed J projects onto the span of the patterns,
    :math:`J \xi = \xi`; after, the field on pattern mu is :math:`(1 - J_{ii})\,
    \xi_i^\mu`, so every pattern is a fixed point while all ``J_ii < 1`` (``J_ii`` is
    about alpha: up to alpha near 1). At p = N, with patterns that span the space
    (``C`` of full rank), J is the identity less its diagonal: the couplings are exactly
    zero and so is every field.

    Parameters
    ----------
    patterns : array_like, shape (p, N)
        +-1 patterns, p <= N.

    Returns
    -------
    Hopfield
        Dense couplings, the patterns stored for overlaps.
    """
    xi = _rule_patterns(patterns, "projection")
    p, n = xi.shape
    if p > n:
        raise ValueError(f"projection needs p <= N patterns, got p = {p} > N = {n}")
    c = _correlation(xi)
    if p == n and _full_rank(c):
        # the patterns span the space: J is the identity less its diagonal, exactly 0
        # (computed, it would be rounding noise that the dynamics follow)
        return Hopfield(np.zeros((n, n)), patterns=xi)
    return _from_kernel(xi, np.linalg.pinv(c, hermitian=True))


def dreaming(patterns: ArrayLike, t: float) -> Hopfield:
    r"""Dreaming kernel, :math:`J(t) = \frac1N\, \xi^T (1 + t) (I + t C)^{-1} \xi`, zero
    diagonal.

    The closed form of Fachechi, Agliari and Barra (Neural Networks 112, 24, 2019):
    ``t = 0`` is the Hebbian rule, and as t grows J approaches the projection rule
    (:func:`projection`).

    Parameters
    ----------
    patterns : array_like, shape (p, N)
    t : float
        Dreaming time, >= 0.

    Returns
    -------
    Hopfield
        Dense couplings, the patterns stored for overlaps.
    """
    xi = _rule_patterns(patterns, "dreaming")
    t = _checks.real("t", t, minimum=0.0)
    p = xi.shape[0]
    kernel = (1.0 + t) * np.linalg.inv(np.eye(p) + t * _correlation(xi))
    return _from_kernel(xi, kernel)


def storkey(patterns: ArrayLike) -> Hopfield:
    r"""Storkey's incremental rule, applied pattern by pattern from J = 0.

    :math:`J_{ij} \mathrel{+}= \frac1N (\xi_i \xi_j - \xi_i h_{ji} - h_{ij} \xi_j)` with
    the local field :math:`h_{ij} = \sum_{k \ne i, j} J_{ik} \xi_k` of the couplings
    before the pattern is added (Storkey, ICANN 1997); zero diagonal throughout.

    Parameters
    ----------
    patterns : array_like, shape (p, N)
        +-1 patterns, added in their order.

    Returns
    -------
    Hopfield
        Dense couplings, the patterns stored for overlaps.
    """
    xi = _rule_patterns(patterns, "storkey", bytes_per_pair=48)
    n = xi.shape[1]
    J = np.zeros((n, n))
    for row in xi.astype(np.float64):
        h = J @ row  # J_ii = 0, so h_i = sum_{k != i} J_ik xi_k
        h_ij = h[:, None] - J * row[None, :]  # drop k = j
        J += (np.outer(row, row) - row[:, None] * h_ij.T - h_ij * row[None, :]) / n
        np.fill_diagonal(J, 0.0)
    return Hopfield(J, patterns=xi)  # symmetric up to rounding, which Hopfield removes


def clipped(patterns: ArrayLike) -> Hopfield:
    r"""Clipped Hebbian rule, :math:`J_{ij} = \frac{\sqrt p}N\,
    \mathrm{sign}\left(\sum_\mu \xi_i^\mu \xi_j^\mu\right)`.

    Only the sign of each Hebbian sum is kept (:math:`\mathrm{sign}(0) = 0` for even p).
    The scale :math:`\sqrt p / N` (Sompolinsky, Phys. Rev. A 34, 2571, 1986) keeps the
    signal of a pattern, :math:`\sqrt{2/\pi}` per spin for large p, of the same order as
    the Hebbian one, so temperatures compare. The signs are kept as integers, so fields
    are exact.

    Parameters
    ----------
    patterns : array_like, shape (p, N)

    Returns
    -------
    Hopfield
        Dense int8 signs times the scale, the patterns stored for overlaps.
    """
    xi = _rule_patterns(patterns, "clipped")
    p, n = xi.shape
    signs = np.sign(hebbian_matrix(xi, "clipped")).astype(np.int8)
    scale = np.sqrt(p) / n
    store = _couplings.Dense(signs * scale, signs, scale)
    return _with_store(store, xi)


def diluted(
    patterns: ArrayLike, c: float, *, storage: str = "auto", seed: SeedLike = None
) -> Hopfield:
    r"""Randomly diluted Hebbian rule: each pair (i, j) keeps its Hebbian coupling with
    probability c (the same for J_ij and J_ji), rescaled by 1/c.

    :math:`J_{ij} = \frac{c_{ij}}{c N} \sum_\mu \xi_i^\mu \xi_j^\mu` with independent
    :math:`c_{ij} = c_{ji}` in {0, 1}, :math:`P(c_{ij} = 1) = c` (Sompolinsky 1986). The
    couplings are built row by row from the patterns, without the dense N x N Hebbian
    matrix.

    Parameters
    ----------
    patterns : array_like, shape (p, N)
    c : float
        Connection probability, 0 < c <= 1.
    storage : {"auto", "dense", "sparse"}
        ``"auto"``: dense for c >= ``DILUTED_DENSE_FROM`` = 1/2 up to
        ``DENSE_MAX_SPINS`` spins when the dense arrays fit in free memory (it is the
        faster form there); otherwise sparse when its arrays (12 bytes per non-zero)
        are smaller than the dense ones (9 bytes per pair). Both forms give the same
        numbers.
    seed : None, int, SeedSequence or Generator
        The kept pairs of row i are drawn from this stream, row by row.

    Returns
    -------
    Hopfield
        Couplings kept as ``storage`` says, the patterns stored for overlaps.
    """
    xi = _checks.patterns(patterns)
    c = _checks.real("c", c, positive=True, maximum=1.0)
    storage = _checks.choice("storage", storage, ("auto", "dense", "sparse"))
    n = xi.shape[1]
    dense = _dense_diluted(n, c, storage)
    _check_diluted_memory(n, c, dense)
    rng = generator(root_sequence(seed))
    x = np.ascontiguousarray(xi.T, dtype=np.float32)  # (N, p): exact integer sums
    rows, cols, vals = [], [], []
    for i in range(n - 1):
        j = i + 1 + np.flatnonzero(rng.random(n - 1 - i) < c)
        rows.append(np.full(j.size, i))
        cols.append(j)
        with np.errstate(invalid="ignore"):  # +-1 values: an invalid flag is BLAS's own
            vals.append(x[j] @ x[i])
    i, j = np.concatenate(rows), np.concatenate(cols)
    v = np.concatenate(vals).astype(np.float64) / (c * n)
    upper = scipy.sparse.coo_array((v, (i, j)), shape=(n, n))
    J = scipy.sparse.csr_array(upper + upper.T)
    J.eliminate_zeros()
    if storage == "auto":
        storage = "sparse" if not dense and _sparse_smaller(J.nnz, n) else "dense"
    return Hopfield(J, patterns=xi, storage=storage)


DILUTED_BYTES_PER_PAIR = 160
"""Peak bytes of :func:`diluted` per kept pair i < j (row lists, their concatenation,
the triangle and the symmetric CSR matrix), measured at N = 4000."""


DILUTED_DENSE_FROM = 0.5
"""``diluted(storage="auto")`` keeps the couplings dense from this connection
probability c on (up to ``DENSE_MAX_SPINS`` spins, when they fit in free memory): a
flip then reads a dense row in order faster than the scattered sparse one, for float64
couplings too (below it, float64 couplings run faster sparse;
``benchmarks/bench_dilution.py``)."""


def _dense_diluted(n: int, c: float, storage: str) -> bool:
    """Whether :func:`diluted` keeps its couplings dense, decided before drawing them
    (for ``"auto"`` below ``DILUTED_DENSE_FROM`` the drawn couplings decide again)."""
    if storage != "auto":
        return storage == "dense"
    if not _sparse_smaller(2 * _kept_pairs(n, c), n):
        return True
    needed = _diluted_bytes(n, c, dense=True)
    return c >= DILUTED_DENSE_FROM and n <= DENSE_MAX_SPINS and _checks.fits(needed)


def _sparse_smaller(nonzeros: float, n: int) -> bool:
    """Whether sparse arrays (12 bytes per non-zero) are smaller than dense ones (9
    bytes per pair)."""
    return 12 * nonzeros < 9 * n * n


def _kept_pairs(n: int, c: float) -> float:
    """The expected number of kept pairs i < j, c N (N - 1) / 2."""
    return c * n * (n - 1) / 2


def _diluted_bytes(n: int, c: float, dense: bool) -> int:
    """Peak bytes of building diluted couplings, with the dense N x N arrays or not."""
    return int(DILUTED_BYTES_PER_PAIR * _kept_pairs(n, c) + (9 * n * n if dense else 0))


def _check_diluted_memory(n: int, c: float, dense: bool) -> None:
    """Refuse, before drawing, couplings whose expected non-zeros do not fit."""
    _checks.memory(
        "diluted",
        _diluted_bytes(n, c, dense),
        f"about c N (N - 1) / 2 = {_kept_pairs(n, c):.3g} kept pairs of N = {n} spins at "
        f"{DILUTED_BYTES_PER_PAIR} bytes each while building"
        + (", and the dense N x N couplings" if dense else ""),
    )


def centred(patterns: ArrayLike, bias: float | None = None) -> Hopfield:
    r"""Hebbian rule for biased patterns, :math:`J_{ij} = \frac1N \sum_\mu (\xi_i^\mu -
    a)(\xi_j^\mu - a)`.

    Parameters
    ----------
    patterns : array_like, shape (p, N)
    bias : float, optional
        Mean activity a in (-1, 1); default the mean of all pattern bits.

    Returns
    -------
    Hopfield
        Dense couplings, the patterns stored for overlaps.
    """
    xi = _rule_patterns(patterns, "centred")
    if bias is None:
        a = float(xi.mean())
        if not -1.0 < a < 1.0:
            raise ValueError(
                f"the patterns' mean activity is {a:g}: every bit is {a:+g}, so the "
                "centred patterns vanish; pass bias in (-1, 1) or patterns of both signs"
            )
    else:
        a = _checks.real("bias", bias)
    if not -1.0 < a < 1.0:
        raise ValueError(f"bias must lie in (-1, 1), got {a}")
    n = xi.shape[1]
    x = xi.astype(np.float64) - a
    J = x.T @ x / n
    np.fill_diagonal(J, 0.0)
    return Hopfield(J, patterns=xi)  # symmetric up to rounding, which Hopfield removes


class Learned(NamedTuple):
    """The outcome of a learning algorithm that may fail.

    Parameters
    ----------
    model : Hopfield
        The couplings learned (the last ones when it did not converge).
    converged : bool
        Whether every stability exceeds the margin.
    steps : int
        Learning steps taken (each corrects every unsatisfied site and pattern).
    min_stability : float
        The smallest stability of a stored pattern under the returned couplings.
    """

    model: Hopfield
    converged: bool
    steps: int
    min_stability: float


def symmetric_perceptron(
    patterns: ArrayLike,
    kappa: float = 0.0,
    *,
    start: str = "hebbian",
    max_steps: int = 10_000,
) -> Learned:
    r"""Symmetric couplings learned by the perceptron rule with margin kappa.

    A pattern is stable at site i with margin kappa when its stability
    :math:`\Delta_i^\mu = \xi_i^\mu h_i^\mu / |J_i| > \kappa` (:math:`|J_i|` the norm of
    row i). Each step finds every unsatisfied pair :math:`(i, \mu)` and adds, for each,
    :math:`\xi_i^\mu \xi_j^\mu / N` to both :math:`J_{ij}` and :math:`J_{ji}`
    (:math:`j \ne i`): the perceptron rule in the space of symmetric couplings, where the
    constraint of :math:`(i, \mu)` is linear, so the perceptron convergence theorem
    holds there. It stops when every stability exceeds kappa (``docs/physics.md``
    section 11; Benedetti, Ventura, Marinari, Ruocco and Zamponi, J. Chem. Phys. 156,
    104107, 2022, compare a symmetric perceptron with unlearning).

    The couplings stay integers in units of 1/N (the Hebbian start is one), so the
    stabilities, and whether a pattern is stable, are exact.

    Parameters
    ----------
    patterns : array_like, shape (p, N)
        +-1 patterns.
    kappa : float
        Margin, >= 0. At 0 every spin of every pattern must be aligned with a non-zero
        field: a solution exists exactly when the linear program of
        ``docs/physics.md`` section 11 is feasible.
    start : {"hebbian", "zero"}
        Initial couplings: Hebbian, or zero.
    max_steps : int
        Steps before giving up, >= 1.

    Returns
    -------
    Learned
        The model (zero diagonal, symmetric, patterns stored), whether it converged,
        the steps taken and the smallest stability reached.
    """
    xi = _rule_patterns(patterns, "symmetric_perceptron", bytes_per_pair=32)
    kappa = _checks.real("kappa", kappa, minimum=0.0)
    start = _checks.choice("start", start, ("hebbian", "zero"))
    max_steps = _checks.integer("max_steps", max_steps, minimum=1)
    x = xi.astype(np.float64)  # integers: every product and sum below is exact
    C = x.T @ x if start == "hebbian" else np.zeros((xi.shape[1],) * 2)
    np.fill_diagonal(C, 0.0)
    steps = 0
    while True:
        aligned, norms = x * (x @ C), np.sqrt((C * C).sum(axis=1))
        unsatisfied = aligned <= kappa * norms
        if not unsatisfied.any() or steps == max_steps:
            break
        update = (unsatisfied * x).T @ x
        update += update.T
        np.fill_diagonal(update, 0.0)
        C += update
        steps += 1
    stability = aligned / np.where(norms > 0, norms, 1.0)
    model = Hopfield(C / xi.shape[1], patterns=xi)
    return Learned(model, not unsatisfied.any(), steps, float(stability.min()))


def _rule_patterns(patterns, what: str, bytes_per_pair: int = 24) -> np.ndarray:
    """Validated patterns, after checking that the rule's N x N work arrays
    (``bytes_per_pair`` at their peak, the model's copies included) fit in memory."""
    xi = _checks.patterns(patterns)
    n = xi.shape[1]
    _checks.memory(
        what, bytes_per_pair * n * n, f"N x N = {n} x {n} couplings and work arrays"
    )
    return xi


def _full_rank(c: np.ndarray) -> bool:
    """Whether ``numpy.linalg.pinv`` of the symmetric ``c`` keeps every eigenvalue:
    all above its default cutoff, 1e-15 of the largest in magnitude."""
    s = np.abs(np.linalg.eigvalsh(c))
    return bool(s.min() > 1e-15 * s.max())


def _correlation(xi: np.ndarray) -> np.ndarray:
    x = xi.astype(np.float64)
    return x @ x.T / xi.shape[1]


def _from_kernel(xi: np.ndarray, K: np.ndarray) -> Hopfield:
    r""":math:`J = \frac1N\, \xi^T K \xi` with zero diagonal, for a symmetric p x p
    kernel K."""
    x = xi.astype(np.float64)
    J = x.T @ (K @ x) / xi.shape[1]
    J = _symmetrised(J)  # rounding differs between J_ij and J_ji; near p = N, J ~ 0
    np.fill_diagonal(J, 0.0)
    return Hopfield(J, patterns=xi)


def _symmetrised(J: np.ndarray) -> np.ndarray:
    r""":math:`(J + J^T) / 2` in place: a product computed in floating point is symmetric
    only up to rounding, which is not small relative to J when J itself nearly
    vanishes (the projection rule at p = N gives J = I - diag)."""
    J += J.T.copy()
    J *= 0.5
    return J


def _with_store(store, xi: np.ndarray) -> Hopfield:
    return _rebuild(store, np.zeros(store.n), _couplings.transposed(xi), False)
