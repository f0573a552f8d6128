"""Conversions to and from dimod and networkx (optional: ``pip install spinmem[interop]``).

Sign conventions (``docs/physics.md`` section 1): spinmem's energy is
``H(s) = -sum_{i<j} J_ij s_i s_j - sum_i theta_i s_i``, dimod's (``SPIN``) is
``E(s) = sum_{i<j} J^d_ij s_i s_j + sum_i h_i s_i + offset``. So ``J^d = -J`` and
``h = -theta``, and the energies of every state agree up to ``offset``, which a
:class:`~spinmem.Hopfield` model does not carry. A networkx edge weight is the
coupling ``J_ij`` itself (positive: ferromagnetic).
"""

from numbers import Real

import numpy as np
import scipy.sparse
from numpy.typing import ArrayLike

from . import _checks
from .model import Hopfield

__all__ = ["from_bqm", "from_networkx", "from_sampleset", "to_bqm", "to_sampleset"]

DENSE_ABOVE = 0.1
"""Models built here are kept dense when more than this fraction of the pairs interact
(sparse storage otherwise)."""


def _dimod():
    try:
        import dimod
    except ImportError:
        raise ImportError(
            "this conversion needs dimod: pip install 'spinmem[interop]'"
        ) from None
    return dimod


def from_bqm(bqm) -> Hopfield:
    """A model with the energies of a dimod ``BinaryQuadraticModel``, minus its offset.

    A ``BINARY`` model is converted to ``SPIN`` first (``x = (s + 1) / 2``). Spin i of
    the model is the i-th variable of ``bqm.variables``.
    """
    bqm = _spin(bqm, "BinaryQuadraticModel", "bqm")
    n = bqm.num_variables
    if n < 2:
        raise ValueError(f"bqm must have at least 2 variables, got {n}")
    linear, (row, col, quad), _ = bqm.to_numpy_vectors(list(bqm.variables))
    linear, quad = np.asarray(linear, np.float64), np.asarray(quad, np.float64)
    J = scipy.sparse.coo_array((-quad, (row, col)), shape=(n, n))
    return _model(J + J.T, -linear)


def to_bqm(model: Hopfield):
    """The dimod ``SPIN`` ``BinaryQuadraticModel`` of a model (variables 0..N-1, no
    offset), with the same energy for every state."""
    dimod = _dimod()
    _model_only(model, "to_bqm")
    J = model.couplings
    upper = scipy.sparse.triu(scipy.sparse.coo_array(J), k=1).tocoo()
    return dimod.BinaryQuadraticModel.from_numpy_vectors(
        -np.asarray(model.fields), (upper.row, upper.col, -upper.data), 0.0, dimod.SPIN
    )


def from_networkx(graph, weight: str = "weight") -> Hopfield:
    """A model with couplings ``J_ij`` = the ``weight`` attribute of edge (i, j).

    The graph must be undirected, without self-loops; spin i is the i-th node of
    ``graph.nodes``. Edges without the attribute have weight 1; no fields.
    """
    import networkx

    if not isinstance(graph, networkx.Graph):
        raise TypeError(f"graph must be a networkx graph, got {type(graph).__name__}")
    if graph.is_directed():
        raise ValueError("graph must be undirected: couplings are symmetric")
    if graph.is_multigraph():
        raise ValueError("graph must not be a multigraph: one coupling per pair")
    loops = list(networkx.selfloop_edges(graph))
    if loops:
        raise ValueError(f"graph must have no self-loops (J_ii = 0), found {loops[0]}")
    n = graph.number_of_nodes()
    if n < 2:
        raise ValueError(f"graph must have at least 2 nodes, got {n}")
    if not isinstance(weight, str):
        raise TypeError(f"weight must be the name of an edge attribute, got {weight!r}")
    for u, v, w in graph.edges(data=weight, default=1):
        if isinstance(w, bool) or not isinstance(w, Real) or not np.isfinite(w):
            raise ValueError(
                f"edge ({u!r}, {v!r}) has {weight}={w!r}; couplings must be finite real "
                "numbers"
            )
    J = networkx.to_scipy_sparse_array(
        graph, nodelist=list(graph.nodes), weight=weight, dtype=np.float64
    )
    return _model(J, np.zeros(n))


def to_sampleset(states: ArrayLike, model: Hopfield):
    """A dimod ``SampleSet`` of states (R, N) with their energies under ``model`` (the
    energies of :func:`to_bqm`'s model), variables 0..N-1."""
    dimod = _dimod()
    _model_only(model, "to_sampleset")
    s = _checks.spins("states", states, n=model.n_spins, ndim=(1, 2))
    s = np.atleast_2d(s)
    energy = np.atleast_1d(model.energy(s))
    return dimod.SampleSet.from_samples(
        (s, list(range(model.n_spins))), dimod.SPIN, energy=energy
    )


def from_sampleset(sampleset) -> np.ndarray:
    """The samples of a dimod ``SampleSet`` as int8 states (R, N), spin i from variable
    i (``BINARY`` samples mapped by ``s = 2 x - 1``)."""
    sampleset = _spin(sampleset, "SampleSet", "sampleset")
    n = len(sampleset.variables)
    labels = list(sampleset.variables)
    if sorted(labels) != list(range(n)):
        raise ValueError(
            f"sampleset variables must be the integers 0..{n - 1} (spin indices), got "
            f"{labels[:5]}{'...' if len(labels) > 5 else ''}"
        )
    position = {label: k for k, label in enumerate(labels)}
    order = [position[i] for i in range(n)]
    return np.ascontiguousarray(sampleset.record.sample[:, order], dtype=np.int8)


def _spin(obj, kind: str, name: str):
    """A dimod object of class ``kind``, checked, in the SPIN vartype."""
    dimod = _dimod()
    if not isinstance(obj, getattr(dimod, kind)):
        raise TypeError(f"{name} must be a dimod.{kind}, got {type(obj).__name__}")
    return (
        obj if obj.vartype is dimod.SPIN else obj.change_vartype(dimod.SPIN, inplace=False)
    )


def _model(J, theta: np.ndarray) -> Hopfield:
    n = J.shape[0]
    pairs = max(1, n * (n - 1))
    storage = "dense" if J.nnz > DENSE_ABOVE * pairs else "sparse"
    return Hopfield(scipy.sparse.csr_array(J), theta, storage=storage)


def _model_only(model, what: str) -> None:
    if not isinstance(model, Hopfield):
        raise TypeError(
            f"{what} needs a pairwise spinmem.Hopfield model, got {type(model).__name__}"
        )
