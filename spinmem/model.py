r"""The Hopfield network as an Ising spin system, and pattern helpers.

One idea, the spin model (``SpinModel``, its pairwise form ``Hopfield`` and what the
kernels see of it); about 600 lines because every constructor and method documents its
parameters and returns.

Conventions (``docs/physics.md`` section 1): spins ``s_i in {-1, +1}``; symmetric
couplings with :math:`J_{ii} = 0`; fields :math:`\theta_i`; local field :math:`h_i =
\sum_j J_{ij} s_j + \theta_i`; energy :math:`H(s) = -\frac12 \sum_{i \ne j} J_{ij} s_i
s_j - \sum_i \theta_i s_i` in the units of the couplings (total, not per spin); overlap
:math:`m^\mu = \frac1N \sum_i \xi_i^\mu s_i`.
"""

import html
from typing import NamedTuple

import numpy as np
import scipy.sparse
from numpy.typing import ArrayLike

from . import _checks, _couplings, _graphs, _threads
from ._kernels import couplings as coupling_kernels
from ._kernels.records import KernelView, Replicas
from .patterns import from_binary, make_cues, random_patterns, replica_overlaps, to_binary
from .seeding import SeedLike, generator, root_sequence

__all__ = [
    "Hopfield",
    "SpinModel",
    "from_binary",
    "make_cues",
    "random_patterns",
    "replica_overlaps",
    "to_binary",
]

_ANY = tuple(range(1, 33))  # states may carry any leading batch dimensions
DENSE_MAX_SPINS = 10_000
"""``Hopfield.hebbian(storage="auto")`` keeps Hebbian couplings dense up to this N (when
they fit in memory) and as patterns beyond it. Up to here dense storage is as fast or
faster for most runs (at N = 10,000: zero-temperature relaxation near a pattern at
alpha = 0.14 about 8x, Glauber at T = 0.5 about 1.4x), at up to 1 GB;
``benchmarks/bench_large.py`` measures it."""


class WorkLayout(NamedTuple):
    """The per-replica work array the kernels keep for a model, and a sweep's cost."""

    g_width: int
    """Columns of the work array ``g = C s`` (0 where fields come from the overlap
    counts)."""
    g_dtype: np.dtype
    """Its dtype: exact integers for integer couplings, else float64."""
    sweep_work: int
    """Coupling operations of a sweep in which every attempt flips."""


class SpinModel:
    """What every model of N +-1 spins in spinmem offers: its fields and stored
    patterns, energies, local fields, overlaps, fixed points and stabilities, and the
    view the compiled kernels take of it. Every run (:func:`spinmem.simulate`,
    :func:`spinmem.relax`, :func:`spinmem.anneal`, :func:`spinmem.temper`,
    :func:`spinmem.census`) takes any of them: the pairwise :class:`Hopfield` network
    and the dense associative memory :class:`spinmem.memory.DenseMemory`.

    Instances are immutable: their arrays are read-only.
    """

    __slots__ = ("_store", "_tie", "_xi_t", "fields")

    def _init(self, store, theta, xi_t) -> None:
        if xi_t is None:
            xi_t = _couplings.no_patterns(theta.shape[0])
        object.__setattr__(self, "_store", store)
        object.__setattr__(self, "fields", _couplings.frozen(theta))
        object.__setattr__(self, "_xi_t", _couplings.frozen(xi_t))
        object.__setattr__(self, "_tie", tie_threshold(store, theta, store.integer))

    def __setattr__(self, name, value):
        raise AttributeError(f"spinmem models are immutable; cannot set {name!r}")

    def kernel_view(self) -> KernelView:
        """What the compiled kernels see of this model (for the package's run modules).

        Returns
        -------
        KernelView
            The numba record ``spinmem._kernels.records.KernelView``: storage tag,
            coupling tuple, fields, transposed patterns, tie threshold.
        """
        store = self._store
        return KernelView(store.tag, store.kernel, self.fields, self._xi_t, self._tie)

    def work_layout(self) -> WorkLayout:
        """The shape and cost of the kernels' per-replica work.

        Returns
        -------
        WorkLayout
            Width and dtype of the coupling-field array of a replica, and the cost of
            one sweep in coupling operations.
        """
        store = self._store
        return WorkLayout(store.g_width, store.g_dtype, store.sweep_work(self.n_patterns))

    def replicas(self, states: np.ndarray, rng: np.ndarray) -> Replicas:
        """The kernels' record of replicas in ``states``, with empty work arrays.

        Parameters
        ----------
        states : numpy.ndarray
            int8 spins (R, N), taken as they are (the kernels update them in place).
        rng : numpy.ndarray
            uint64 xoshiro256** states (R, 4), one stream per replica.

        Returns
        -------
        Replicas
            ``spinmem._kernels.records.Replicas`` with work arrays (coupling fields,
            overlap counts, energies) of this model's layout for the kernels to fill.
        """
        n_rep = states.shape[0]
        layout = self.work_layout()
        return Replicas(
            states,
            np.empty((n_rep, layout.g_width), dtype=layout.g_dtype),
            np.empty((n_rep, self.n_patterns), dtype=np.int32),
            np.empty(n_rep),
            rng,
        )

    def tie_threshold(self, *, exact: bool) -> float:
        """The largest ``|h|`` counted as a tie (zero) by zero-temperature rules.

        Parameters
        ----------
        exact : bool
            The fields are exact sums, as for integer couplings.

        Returns
        -------
        float
            1e-10 times the largest possible field (``docs/physics.md`` section 8).
        """
        return tie_threshold(self._store, self.fields, exact)

    @property
    def storage(self) -> str:
        """How the interactions are kept: couplings ``"dense"``, ``"sparse"`` or as their
        ``"patterns"``; ``"memory"`` for a dense associative memory."""
        return self._store.kind

    @property
    def nbytes(self) -> int:
        """Bytes held by the model's arrays (couplings in their storage, fields,
        patterns)."""
        return self._store.nbytes + self.fields.nbytes + self._xi_t.nbytes

    @property
    def patterns(self) -> np.ndarray | None:
        """The stored patterns (p, N) int8, read-only; None when the model has none."""
        return None if self.n_patterns == 0 else self._xi_t.T

    @property
    def n_spins(self) -> int:
        """Number of spins N."""
        return self.fields.shape[0]

    @property
    def n_patterns(self) -> int:
        """Number of stored patterns p (0 when the model knows none)."""
        return self._xi_t.shape[1]

    @property
    def origin(self):
        """What the model keeps of the dimod BQM it was built from
        (:func:`spinmem.interop.from_bqm`: labels, offset, vartype), or None."""
        return None

    @property
    def alpha(self) -> float:
        """Load ``p / N``."""
        return self.n_patterns / self.n_spins

    def _repr_html_(self) -> str:
        """A table of the model for Jupyter: size, load, storage, memory, fields and
        the energy convention."""
        rows = {
            "spins N": self.n_spins,
            "patterns p": self.n_patterns,
            "load alpha = p/N": f"{self.alpha:.4g}",
            "storage": self.storage,
            "memory": _checks.size(self.nbytes),
            "fields": "none" if not self.fields.any() else "theta_i (nonzero)",
            "energy": self.energy_convention,
        }
        origin = self.origin
        if origin is not None:
            rows["built from"] = (
                f"dimod {origin.vartype} BQM, offset {origin.offset:g} (SPIN form)"
            )
        cells = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
            for k, v in rows.items()
        )
        title = html.escape(repr(self))
        return f"<table><caption style='text-align:left'>{title}</caption>{cells}</table>"

    def local_fields(self, states: ArrayLike) -> np.ndarray:
        r"""Local fields :math:`h = J s + \theta` of one state or a batch.

        For pairwise couplings :math:`h = J s + \theta`; in general the field that decides
        each flip, :math:`h_i = (H(s_i = -1) - H(s_i = +1)) / 2`, so that flipping spin i
        changes the energy by ``2 s_i h_i``. Integer-valued couplings (Hebbian ones
        among them) give exact coupling sums, the numbers the dynamics use.

        Parameters
        ----------
        states : array_like
            +-1 spins, shape (N,) or (R, N).

        Returns
        -------
        numpy.ndarray
            float64 fields, the shape of ``states``, in coupling units.
        """
        s = _checks.spins("states", states, n=self.n_spins, ndim=_ANY)
        if self.storage == "dense" and not self._store.integer:
            return s.astype(np.float64) @ self._store.J + self.fields
        return self._kernel_fields(s)[0]

    def energy(self, states: ArrayLike) -> np.ndarray | float:
        """Energy ``H(s)`` of one state or a batch.

        Parameters
        ----------
        states : array_like
            +-1 spins, shape (N,) or (R, N).

        Returns
        -------
        float or numpy.ndarray
            The total energy (not per spin) in coupling units; shape (R,) for a batch.
        """
        s = _checks.spins("states", states, n=self.n_spins, ndim=_ANY)
        if self.storage == "dense" and not self._store.integer:
            s = s.astype(np.float64)
            return -0.5 * np.sum((s @ self._store.J) * s, axis=-1) - s @ self.fields
        energy = self._kernel_fields(s)[1]
        return energy if energy.ndim else float(energy)

    def _kernel_fields(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        batch = np.ascontiguousarray(s.reshape(-1, self.n_spins))
        r = batch.shape[0]
        reps = self.replicas(batch, np.empty((r, 0), dtype=np.uint64))
        h = np.empty(batch.shape)
        view = self.kernel_view()
        _threads.in_blocks(
            lambda first, stop: coupling_kernels.local_fields(view, reps, h, first, stop),
            r,
            _threads.count(r * self.work_layout().sweep_work),  # about a sweep per state
        )
        energy = reps.energy
        return h.reshape(s.shape), energy.reshape(s.shape[:-1])

    def overlaps(self, states: ArrayLike) -> np.ndarray:
        r"""Overlaps :math:`m^\mu = \frac1N \sum_i \xi_i^\mu s_i` with the stored patterns.

        Parameters
        ----------
        states : array_like
            +-1 spins, shape (N,) or (R, N).

        Returns
        -------
        numpy.ndarray
            Shape (p,) or (R, p). Raises ``ValueError`` for a model without patterns.
        """
        _checks.stored_patterns(self, "overlaps")
        s = _checks.spins("states", states, n=self.n_spins, ndim=_ANY)
        return _couplings.overlap_counts(s, self._xi_t) / self.n_spins

    def is_fixed_point(
        self, states: ArrayLike, *, strict: bool = False
    ) -> np.ndarray | bool:
        r"""Whether each state is a fixed point of zero-temperature asynchronous dynamics.

        A state is a fixed point when no spin wants to flip: ``s_i h_i >= 0`` for all i
        (spins with :math:`h_i = 0` are kept). With ``strict=True`` every spin must be
        aligned with a non-zero field, ``s_i h_i > 0`` (the usual definition of a stable
        stored pattern). Exact zero means ``|h_i| <= t``: for integer-valued couplings
        (exact fields) ``t`` is 1e-10 times :math:`\mathrm{scale} + \max|\theta|`,
        otherwise 1e-10 times the largest row sum of ``|J|`` plus :math:`\max|\theta|`,
        so rounding cannot decide stability.

        Parameters
        ----------
        states : array_like
            +-1 spins, shape (N,) or (R, N).
        strict : bool
            Require every spin aligned with a non-zero field.

        Returns
        -------
        bool or numpy.ndarray
            One bool per state, shape () or (R,).
        """
        s = _checks.spins("states", states, n=self.n_spins, ndim=_ANY)
        aligned = s * self.local_fields(s)
        if strict:
            return np.all(aligned > self._tie, axis=-1)
        return np.all(aligned >= -self._tie, axis=-1)

    def stability(self, states: ArrayLike | None = None) -> np.ndarray:
        """Stability parameters ``Delta_i = s_i h_i / ||J_i||`` (``||J_i||`` row norm).

        Positive everywhere means a fixed point; the minimum over sites measures how
        robust it is.

        Parameters
        ----------
        states : array_like, optional
            +-1 spins, shape (N,) or (R, N); default the stored patterns (p, N).

        Returns
        -------
        numpy.ndarray
            The stabilities, the shape of ``states``.
        """
        s = _checks.stored_patterns(self, "stability") if states is None else states
        s = _checks.spins("states", s, n=self.n_spins, ndim=_ANY)
        norms = self._store.row_norms()
        norms[norms == 0] = 1.0
        return s * self.local_fields(s) / norms


class Hopfield(SpinModel):
    """A network of N +-1 spins with symmetric couplings, fields and stored patterns.

    Parameters
    ----------
    couplings : array_like or scipy.sparse.sparray, shape (N, N)
        Symmetric, finite couplings ``J``. The diagonal must be zero: a non-zero
        diagonal is rejected (not silently dropped), because ``J_ii`` would only add a
        constant to the energy and change nothing else, which usually means the matrix
        was built with a different convention. Asymmetry up to ``SYMMETRY_RTOL`` times
        ``max|J|`` (rounding) is removed by symmetrising; more is rejected. A
        ``scipy.sparse`` matrix is kept sparse (CSR): a flip then updates only the
        fields of the flipped spin's neighbours.
    fields : array_like, shape (N,), optional
        External fields (thresholds) ``theta``; zero by default.
    patterns : array_like, shape (p, N), optional
        Stored patterns in +-1, kept for overlaps and stability measurements.
    storage : {"auto", "dense", "sparse"}
        How the couplings are kept: ``"auto"`` keeps the form they come in (an array
        dense, a scipy.sparse matrix sparse); ``"dense"`` and ``"sparse"`` convert.
        Hebbian couplings can also be kept as their patterns only:
        :meth:`Hopfield.hebbian` with ``storage="patterns"``.

    Notes
    -----
    Instances are immutable: their arrays are read-only, and operations that change the
    couplings (unlearning) return a new model. Every storage runs the same dynamics with
    the same random numbers; integer-valued couplings (Hebbian ones among them) give
    identical trajectories in every storage (``docs/physics.md`` section 8).

    Examples
    --------
    >>> import spinmem
    >>> xi = spinmem.random_patterns(3, 100, seed=1)
    >>> net = spinmem.Hopfield.hebbian(xi)
    >>> bool(net.is_fixed_point(xi[0]))
    True
    """

    __slots__ = ("_hebbian", "_origin")

    def __init__(
        self,
        couplings: ArrayLike,
        fields: ArrayLike | None = None,
        patterns: ArrayLike | None = None,
        *,
        storage: str = "auto",
    ):
        storage = _checks.choice(
            "storage", storage, ("auto", "dense", "sparse", "patterns")
        )
        if storage == "patterns":
            raise ValueError(
                "storage='patterns' keeps Hebbian couplings as their patterns; build "
                "such a model with Hopfield.hebbian(patterns, storage='patterns')"
            )
        if scipy.sparse.issparse(couplings):
            store = _couplings.Sparse(_couplings.sparse_couplings(couplings))
            if storage == "dense":
                store = _couplings.dense_store(store.dense())
        else:
            store = _couplings.dense_store(_couplings.dense_couplings(couplings))
            if storage == "sparse":
                store = _couplings.sparse_store(store.J)
        n = store.n
        theta = np.zeros(n) if fields is None else _checks.fields(fields, n)
        xi_t = (
            None
            if patterns is None
            else _couplings.transposed(_checks.patterns(patterns, n))
        )
        self._init(store, theta, xi_t, hebbian=False)

    def _init(self, store, theta, xi_t, *, hebbian: bool = False, origin=None) -> None:
        SpinModel._init(self, store, theta, xi_t)
        object.__setattr__(self, "_hebbian", hebbian)
        object.__setattr__(self, "_origin", origin)

    def __reduce__(self):
        state = (self._store, self.fields, self._xi_t, self._hebbian, self._origin)
        return (_rebuild, state)

    @classmethod
    def hebbian(
        cls, patterns: ArrayLike, fields: ArrayLike | None = None, *, storage: str = "auto"
    ) -> "Hopfield":
        r"""Hebbian couplings :math:`J_{ij} = \frac1N \sum_\mu \xi_i^\mu \xi_j^\mu`,
        :math:`J_{ii} = 0`.

        Parameters
        ----------
        patterns : array_like, shape (p, N)
            +-1 patterns, p >= 1 and N >= 2.
        fields : array_like, shape (N,), optional
            External fields ``theta``.
        storage : {"auto", "dense", "patterns"}
            ``"dense"`` forms the N x N couplings (about 9 bytes per pair: float64 and
            an int8 copy); ``"patterns"`` keeps only the patterns (N p bytes) and
            computes each field from the p pattern overlaps (O(p) per attempt and per
            flip, ``docs/physics.md`` section 8). Both give identical trajectories.
            ``"auto"`` picks dense for N <= ``DENSE_MAX_SPINS`` when it fits in free
            memory, patterns otherwise.
        """
        storage = _checks.choice("storage", storage, ("auto", "dense", "patterns"))
        xi = _checks.patterns(patterns)
        p, n = xi.shape
        theta = np.zeros(n) if fields is None else _checks.fields(fields, n)
        if storage == "auto":
            dense_fits = _checks.fits(_couplings.HEBBIAN_BUILD_BYTES * n * n + 2 * n * p)
            storage = "dense" if n <= DENSE_MAX_SPINS and dense_fits else "patterns"
        xi_t = _couplings.transposed(xi)
        if storage == "patterns":
            store = _couplings.Patterns(_couplings.frozen(xi_t))
        else:
            store = _couplings.dense_store(_couplings.hebbian_matrix(xi))
        model = object.__new__(cls)
        model._init(store, theta, xi_t, hebbian=True)
        return model

    @classmethod
    def sherrington_kirkpatrick(
        cls, n: int, *, couplings: str = "gaussian", seed: SeedLike = None
    ) -> "Hopfield":
        r"""A Sherrington-Kirkpatrick spin glass of ``n`` spins, no fields.

        Independent couplings :math:`J_{ij} = J_{ji}` (i < j) of mean 0 and variance
        ``1/N``: Gaussian, or :math:`\pm 1/\sqrt N` with equal probability
        (``"bimodal"``). The spin-glass transition of the infinite system is at T = 1
        (``docs/physics.md`` section 10).

        Parameters
        ----------
        n : int
            Number of spins N >= 2 (dense storage: N x N float64 couplings).
        couplings : {"gaussian", "bimodal"}
        seed : None, int, SeedSequence or Generator
            The upper triangle is drawn row by row from this stream.

        Returns
        -------
        Hopfield
        """
        n = _checks.integer("n", n, minimum=2)
        kind = _checks.choice("couplings", couplings, ("gaussian", "bimodal"))
        _checks.memory("Hopfield.sherrington_kirkpatrick", 8 * n * n, f"{n} x {n} float64")
        rng = generator(root_sequence(seed))
        J = np.zeros((n, n))
        for i in range(n - 1):
            m = n - 1 - i
            row = rng.normal(size=m) if kind == "gaussian" else rng.choice([-1.0, 1.0], m)
            J[i, i + 1 :] = row / np.sqrt(n)
        J += J.T
        return cls(J, storage="dense")

    @classmethod
    def from_bqm(cls, bqm) -> "Hopfield":
        """A model with the energies of a dimod ``BinaryQuadraticModel``.

        Parameters
        ----------
        bqm : dimod.BinaryQuadraticModel
            As for :func:`spinmem.interop.from_bqm`.

        Returns
        -------
        Hopfield
        """
        J, theta, origin = _graphs.from_bqm(bqm)
        model = cls(scipy.sparse.csr_array(J), theta, storage=_graphs.storage(J))
        object.__setattr__(model, "_origin", origin)
        return model

    @classmethod
    def from_networkx(cls, graph, weight: str = "weight") -> "Hopfield":
        """A model with the couplings of a weighted networkx graph.

        Parameters
        ----------
        graph : networkx.Graph
        weight : str
            As for :func:`spinmem.interop.from_networkx`.

        Returns
        -------
        Hopfield
        """
        J, theta = _graphs.from_networkx(graph, weight)
        return cls(scipy.sparse.csr_array(J), theta, storage=_graphs.storage(J))

    def to_bqm(self):
        """The dimod ``BinaryQuadraticModel`` with the same energies.

        Returns
        -------
        dimod.BinaryQuadraticModel
            As :func:`spinmem.interop.to_bqm` returns it.
        """
        return _graphs.to_bqm(self.couplings, self.fields, self._origin)

    @property
    def origin(self):
        """What the model keeps of the dimod BQM it was built from
        (:func:`spinmem.interop.from_bqm`: labels, offset, vartype), or None."""
        return self._origin

    def with_storage(self, storage: str) -> "Hopfield":
        """The same model with its couplings kept another way.

        Parameters
        ----------
        storage : {"dense", "sparse", "patterns"}
            ``"patterns"`` only for models built by :meth:`hebbian`. Converting a
            pattern-backed model to dense or sparse forms the N x N matrix (refused
            when it does not fit in memory).

        Returns
        -------
        Hopfield
            This model when it is already kept that way, else a new one.
        """
        storage = _checks.choice("storage", storage, _couplings.STORAGES)
        if storage == self.storage:
            return self
        if storage == "patterns":
            if not self._hebbian:
                raise ValueError(
                    "storage='patterns' needs Hebbian couplings of the stored patterns; "
                    "this model was not built by Hopfield.hebbian"
                )
            store = _couplings.Patterns(self._xi_t)
        elif storage == "dense":
            store = _couplings.dense_store(self._store.dense())
        else:
            store = _couplings.sparse_store(self._store.dense())
        model = object.__new__(type(self))
        model._init(
            store,
            np.array(self.fields),
            self._xi_t,
            hebbian=self._hebbian,
            origin=self._origin,
        )
        return model

    def __repr__(self) -> str:
        return (
            f"Hopfield(n_spins={self.n_spins}, n_patterns={self.n_patterns}, "
            f"storage={self.storage!r})"
        )

    @property
    def energy_convention(self) -> str:
        """The energy function, in words, as results record it."""
        return (
            "H = -1/2 sum_ij J_ij s_i s_j - sum_i theta_i s_i; total energy in "
            "coupling units, not per spin"
        )

    @property
    def couplings(self):
        """The couplings ``J``: a read-only (N, N) float64 array for dense storage, a
        ``scipy.sparse.csr_array`` for sparse storage, and for pattern-backed models a
        dense array formed on each access (refused when it does not fit in memory)."""
        if self.storage == "sparse":
            return self._store.A
        return self._store.dense()


def dense_successor(model: Hopfield, J: np.ndarray) -> Hopfield:
    """``Hopfield(J, model.fields, model.patterns)`` for float64 couplings ``J`` that are
    finite, exactly symmetric and zero on the diagonal with row sums of ``|J|`` that
    cannot overflow (as :func:`spinmem.unlearn` keeps them and checks), without
    validating ``J`` again: the same model (a copy of ``J``, its integer form found as
    for any dense model), for the unlearning trace, which builds one per record."""
    out = object.__new__(Hopfield)
    store = _couplings.dense_store(np.array(J, dtype=np.float64))
    out._init(store, np.array(model.fields), model._xi_t)
    return out


def tie_threshold(store, theta: np.ndarray, exact: bool) -> float:
    """``|h|`` at or below this counts as an exact tie for zero-temperature rules: the
    rounding of one product and one sum for exact integer couplings (``exact``), else
    1e-10 of the largest possible field (``docs/physics.md`` section 8)."""
    return 1e-10 * (store.field_rounding(exact) + float(np.abs(theta).max(initial=0.0)))


def _rebuild(store, theta, xi_t, hebbian, origin=None):
    model = object.__new__(Hopfield)
    model._init(store, theta, xi_t, hebbian=hebbian, origin=origin)
    return model
