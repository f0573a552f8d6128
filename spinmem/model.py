"""The Hopfield network as an Ising spin system, and pattern helpers.

Conventions (``docs/physics.md`` section 1): spins ``s_i in {-1, +1}``; symmetric couplings
with ``J_ii = 0``; fields ``theta_i``; local field ``h_i = sum_j J_ij s_j + theta_i``;
energy ``H(s) = -1/2 sum_{i != j} J_ij s_i s_j - sum_i theta_i s_i`` in the units of the
couplings (total, not per spin); overlap ``m^mu = (1/N) sum_i xi_i^mu s_i``.
"""

from dataclasses import dataclass, field

import numpy as np

from . import _checks
from .seeding import SeedLike, generator, root_sequence

__all__ = [
    "Hopfield",
    "from_binary",
    "make_cues",
    "random_patterns",
    "replica_overlaps",
    "to_binary",
]

SYMMETRY_RTOL = 1e-10
_ANY = tuple(range(1, 33))  # states may carry any leading batch dimensions
"""Couplings count as symmetric when ``max|J - J^T| <= SYMMETRY_RTOL * max|J|``."""


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr = np.ascontiguousarray(arr)
    arr.flags.writeable = False
    return arr


@dataclass(frozen=True, eq=False)
class Hopfield:
    """A network of N +-1 spins with symmetric couplings, fields and stored patterns.

    Parameters
    ----------
    couplings : array_like, shape (N, N)
        Symmetric, finite couplings ``J``. The diagonal must be zero: a non-zero
        diagonal is rejected (not silently dropped), because ``J_ii`` would only add a
        constant to the energy and change nothing else, which usually means the matrix
        was built with a different convention. Asymmetry up to ``SYMMETRY_RTOL`` times
        ``max|J|`` (rounding) is removed by symmetrising; more is rejected.
    fields : array_like, shape (N,), optional
        External fields (thresholds) ``theta``; zero by default.
    patterns : array_like, shape (p, N), optional
        Stored patterns in +-1, kept for overlaps and stability measurements.

    Notes
    -----
    Instances are immutable: their arrays are read-only, and operations that change the
    couplings (unlearning) return a new model. Build Hebbian networks with
    :meth:`Hopfield.hebbian`.

    Examples
    --------
    >>> import spinmem
    >>> xi = spinmem.random_patterns(3, 100, seed=1)
    >>> net = spinmem.Hopfield.hebbian(xi)
    >>> bool(net.is_fixed_point(xi[0]))
    True
    """

    couplings: np.ndarray
    fields: np.ndarray | None = None
    patterns: np.ndarray | None = None
    tie: float = field(init=False, repr=False)
    kernel_couplings: np.ndarray = field(init=False, repr=False)
    kernel_scale: float = field(init=False, repr=False)

    def __post_init__(self):
        J = _couplings(self.couplings)
        n = J.shape[0]
        theta = np.zeros(n) if self.fields is None else _fields(self.fields, n)
        xi = None if self.patterns is None else _patterns(self.patterns, n)
        self._set(J, theta, xi, *_integer_form(J))

    def _set(self, J, theta, xi, C, c_scale) -> None:
        """Store validated arrays (``J == c_scale * C`` exactly) and the tie threshold."""
        object.__setattr__(self, "couplings", _frozen(J))
        object.__setattr__(self, "fields", _frozen(theta))
        object.__setattr__(self, "patterns", None if xi is None else _frozen(xi))
        # |h| below this counts as an exact tie for zero-temperature rules
        scale = _largest_row_sum(J) + np.abs(theta).max()
        object.__setattr__(self, "tie", 1e-10 * float(scale))
        object.__setattr__(self, "kernel_couplings", _frozen(C))
        object.__setattr__(self, "kernel_scale", c_scale)

    @classmethod
    def hebbian(cls, patterns, fields=None) -> "Hopfield":
        """Hebbian couplings ``J_ij = (1/N) sum_mu xi_i^mu xi_j^mu``, ``J_ii = 0``.

        Parameters
        ----------
        patterns : array_like, shape (p, N)
            +-1 patterns, p >= 1 and N >= 2.
        fields : array_like, shape (N,), optional
            External fields ``theta``.
        """
        xi = _patterns(patterns)
        p, n = xi.shape
        theta = np.zeros(n) if fields is None else _fields(fields, n)
        _checks.memory(
            "Hopfield.hebbian",
            14 * n * n,
            f"N x N = {n} x {n} couplings at 14 bytes each while building",
        )
        exact = np.float32 if p < 2**24 else np.float64
        x = xi.astype(exact)
        C = x.T @ x  # exact integers
        np.fill_diagonal(C, 0.0)
        J = np.multiply(C, 1.0 / n, dtype=np.float64)  # = (float64 C) * (1/N), no copy
        del C
        model = object.__new__(cls)
        model._set(J, theta, xi, *_integer_form(J))
        return model

    def __repr__(self) -> str:
        return f"Hopfield(n_spins={self.n_spins}, n_patterns={self.n_patterns})"

    @property
    def n_spins(self) -> int:
        """Number of spins N."""
        return self.couplings.shape[0]

    @property
    def n_patterns(self) -> int:
        """Number of stored patterns p (0 when the model knows none)."""
        return 0 if self.patterns is None else self.patterns.shape[0]

    @property
    def alpha(self) -> float:
        """Load ``p / N``."""
        return self.n_patterns / self.n_spins

    def local_fields(self, states) -> np.ndarray:
        """Local fields ``h = J s + theta`` of one state (N,) or a batch (R, N)."""
        s = _checks.spins("states", states, n=self.n_spins, ndim=_ANY)
        return s.astype(np.float64) @ self.couplings + self.fields

    def energy(self, states) -> np.ndarray | float:
        """Energy ``H(s)`` (total, in coupling units) of one state or a batch (R,)."""
        s = _checks.spins("states", states, n=self.n_spins, ndim=_ANY).astype(np.float64)
        return -0.5 * np.sum((s @ self.couplings) * s, axis=-1) - s @ self.fields

    def overlaps(self, states) -> np.ndarray:
        """Overlaps ``m^mu = (1/N) xi^mu . s``: shape (p,) or (R, p)."""
        xi = self._require_patterns("overlaps")
        s = _checks.spins("states", states, n=self.n_spins, ndim=_ANY)
        return (s.astype(np.float64) @ xi.T.astype(np.float64)) / self.n_spins

    def is_fixed_point(self, states, *, strict: bool = False) -> np.ndarray | bool:
        """Whether each state is a fixed point of zero-temperature asynchronous dynamics.

        A state is a fixed point when no spin wants to flip: ``s_i h_i >= 0`` for all i
        (spins with ``h_i = 0`` are kept). With ``strict=True`` every spin must be
        aligned with a non-zero field, ``s_i h_i > 0`` (the usual definition of a stable
        stored pattern). Exact zero means ``|h_i| <= tie`` (``tie`` = 1e-10 times the
        largest row sum of ``|J|``), so rounding cannot decide stability.
        """
        s = _checks.spins("states", states, n=self.n_spins, ndim=_ANY)
        aligned = s * self.local_fields(s)
        if strict:
            return np.all(aligned > self.tie, axis=-1)
        return np.all(aligned >= -self.tie, axis=-1)

    def stability(self, states=None) -> np.ndarray:
        """Stability parameters ``Delta_i = s_i h_i / ||J_i||`` (``||J_i||`` row norm).

        Defaults to the stored patterns: shape (p, N). Positive everywhere means a
        fixed point; the minimum over sites measures how robust it is.
        """
        s = self._require_patterns("stability") if states is None else states
        s = _checks.spins("states", s, n=self.n_spins, ndim=_ANY)
        norms = np.linalg.norm(self.couplings, axis=1)
        norms[norms == 0] = 1.0
        return s * self.local_fields(s) / norms

    def _require_patterns(self, what: str) -> np.ndarray:
        if self.patterns is None:
            raise ValueError(
                f"{what} needs stored patterns; this model was built without any"
            )
        return self.patterns


def _real_input(name: str, value, what: str) -> np.ndarray:
    """``value`` as an array (no copy) of a real dtype; complex, object or text input
    is refused."""
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be {what}: {exc}") from None
    if raw.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be {what}, got dtype {raw.dtype}")
    return raw


def _real_array(name: str, value, what: str) -> np.ndarray:
    """A float64 copy of a real array; complex, object or text input is refused."""
    return np.array(_real_input(name, value, what), dtype=np.float64)


def _couplings(value) -> np.ndarray:
    """Validated, exactly symmetrised float64 couplings, built a block of rows at a time
    (one N x N float64 array beyond the input, no full-size temporaries)."""
    raw = _real_input("couplings", value, "a real (N, N) array")
    if raw.ndim != 2 or raw.shape[0] != raw.shape[1]:
        raise ValueError(f"couplings must be a square (N, N) array, got shape {raw.shape}")
    n = raw.shape[0]
    if n < 2:
        raise ValueError(f"couplings must describe N >= 2 spins, got N = {n}")
    _checks.memory(
        "Hopfield",
        10 * n * n,
        f"N x N = {n} x {n} couplings at 10 bytes each (float64 and integer copies)",
    )

    J = np.empty((n, n))
    finite, largest_row, scale, asym = True, 0.0, 0.0, 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        for k in _row_slices(raw):
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


def _row_slices(A: np.ndarray, elements: int = 2**17):
    """Slices of consecutive rows of ``A``, about ``elements`` entries each."""
    rows = max(1, elements // max(1, A.shape[1]))
    for k in range(0, A.shape[0], rows):
        yield slice(k, k + rows)


def _row_blocks(A: np.ndarray, elements: int = 2**17):
    """Consecutive blocks of rows of ``A`` of about ``elements`` entries each."""
    for k in _row_slices(A, elements):
        yield A[k]


def _largest_row_sum(J: np.ndarray) -> float:
    """``max_i sum_j |J_ij|``, a block of rows at a time (no N x N temporary)."""
    return max(float(np.abs(block).sum(axis=1).max()) for block in _row_blocks(J))


def _integer_form(J: np.ndarray) -> tuple[np.ndarray, float]:
    """``(C, scale)`` with ``J == scale * C`` exactly, C as small integers when possible.

    Integer-valued couplings (scale 1) and multiples of 1/N such as Hebbian ones
    (scale 1/N) are stored as int8 or int16, which the kernels stream eight or four
    times faster than float64 and sum exactly. Anything else stays float64, scale 1.
    Works a block of rows at a time.
    """
    n = J.shape[0]
    for scale in (1.0, 1.0 / n):
        largest = 0.0
        for block in _row_blocks(J):
            C = np.rint(block / scale)
            if not np.array_equal(C * scale, block):
                largest = np.inf
                break
            largest = max(largest, float(np.abs(C).max()))
        if largest > np.iinfo(np.int16).max:
            continue
        dtype = np.int8 if largest <= np.iinfo(np.int8).max else np.int16
        C = np.empty(J.shape, dtype)
        for k in _row_slices(J):
            C[k] = np.rint(J[k] / scale)
        return C, scale
    return J, 1.0


def _fields(value, n: int) -> np.ndarray:
    theta = _real_array("fields", value, "a real array of length N")
    if theta.shape != (n,):
        raise ValueError(f"fields must have shape ({n},), got {theta.shape}")
    if not np.all(np.isfinite(theta)):
        raise ValueError("fields must be finite; found NaN or infinity")
    return theta


def _patterns(value, n: int | None = None) -> np.ndarray:
    xi = _checks.spins("patterns", value, n=n, ndim=(1, 2))
    if xi.ndim == 1:
        xi = xi[None, :]
    if xi.shape[0] < 1:
        raise ValueError(f"patterns must hold p >= 1 patterns, got shape {xi.shape}")
    if xi.shape[1] < 2:
        raise ValueError(f"patterns must have N >= 2 spins, got shape {xi.shape}")
    return xi


def random_patterns(
    p: int, n: int, *, bias: float = 0.0, seed: SeedLike = None
) -> np.ndarray:
    """Independent random +-1 patterns.

    Parameters
    ----------
    p : int
        Number of patterns, >= 1.
    n : int
        Number of spins N, >= 2.
    bias : float
        Mean activity ``a = <xi>`` in [-1, 1]: each bit is +1 with probability
        ``(1 + a) / 2``. 0 gives unbiased patterns.
    seed : None, int, SeedSequence or Generator

    Returns
    -------
    ndarray of int8, shape (p, n)
    """
    p = _checks.integer("p", p, minimum=1)
    n = _checks.integer("n", n, minimum=2)
    bias = _checks.real("bias", bias, minimum=-1.0, maximum=1.0)
    rng = generator(root_sequence(seed))
    up = rng.random((p, n)) < 0.5 * (1.0 + bias)
    return np.where(up, 1, -1).astype(np.int8)


def make_cues(patterns, flip_fraction: float, *, seed: SeedLike = None) -> np.ndarray:
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
    ndarray of int8 with the shape of ``patterns``
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


def from_binary(values) -> np.ndarray:
    """0/1 data (booleans, binary images) to +-1 spins: ``s = 2 v - 1``."""
    v = np.asarray(values)
    if v.dtype == bool:
        v = v.astype(np.int8)
    if v.size and not np.all((v == 0) | (v == 1)):
        raise ValueError("values must contain only 0 and 1 (or booleans)")
    return (2 * v.astype(np.int8) - 1).astype(np.int8)


def to_binary(states) -> np.ndarray:
    """+-1 spins to 0/1 (uint8): ``v = (s + 1) / 2``."""
    s = _checks.spins("states", states, ndim=tuple(range(1, 8)))
    return ((s + 1) // 2).astype(np.uint8)


def replica_overlaps(states) -> np.ndarray:
    """Replica overlap matrix ``q_ab = (1/N) sum_i s_i^a s_i^b`` of states (R, N).

    The diagonal is 1. Off-diagonal values near 0 with all pattern overlaps near 0 mean
    a paramagnet; non-zero ``|q_ab|`` with all ``m^mu ~ 0`` signals the spin-glass phase.
    """
    s = _checks.spins("states", states, ndim=(2,)).astype(np.float64)
    return s @ s.T / s.shape[1]
