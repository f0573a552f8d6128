"""Conversions between dimod and networkx objects and coupling arrays, for
:class:`spinmem.Hopfield` and :mod:`spinmem.interop` (sign conventions there). dimod
and networkx load only when a conversion runs."""

from dataclasses import dataclass
from numbers import Real

import numpy as np
import scipy.sparse

from . import _checks

DENSE_ABOVE = 0.1
"""Models built from a graph or a BQM are kept dense when more than this fraction of the
pairs interact (sparse storage otherwise)."""


def dimod():
    """The dimod module, or an ImportError that says how to install it."""
    return _checks.optional("dimod", "this conversion", "interop")


@dataclass(frozen=True)
class Origin:
    """What a model built from a dimod BQM keeps of it beyond its energies."""

    variables: tuple
    """The BQM's variable labels: ``variables[i]`` is spin i."""
    offset: float
    """The offset of the BQM's SPIN form: its energy is the model's plus this."""
    vartype: str
    """``"SPIN"`` or ``"BINARY"``: the BQM's own vartype."""


def variables(origin: Origin | None, n: int) -> list:
    """The dimod labels of spins 0..n-1: the BQM's, or the integers."""
    return list(range(n)) if origin is None else list(origin.variables)


def spin(obj, kind: str, name: str):
    """A dimod object of class ``kind``, checked, in the SPIN vartype."""
    module = dimod()
    if not isinstance(obj, getattr(module, kind)):
        raise TypeError(f"{name} must be a dimod.{kind}, got {type(obj).__name__}")
    if obj.vartype is module.SPIN:
        return obj
    return obj.change_vartype(module.SPIN, inplace=False)


def from_bqm(bqm) -> tuple:
    """Couplings (sparse) and fields with the energies of a ``BinaryQuadraticModel``
    less its offset, and its :class:`Origin`."""
    spun = spin(bqm, "BinaryQuadraticModel", "bqm")
    vartype, bqm = bqm.vartype.name, spun  # "SPIN" or "BINARY"
    n = bqm.num_variables
    if n < 2:
        raise ValueError(f"bqm must have at least 2 variables, got {n}")
    linear, (row, col, quad), _ = bqm.to_numpy_vectors(list(bqm.variables))
    linear, quad = np.asarray(linear, np.float64), np.asarray(quad, np.float64)
    J = scipy.sparse.coo_array((-quad, (row, col)), shape=(n, n))
    origin = Origin(tuple(bqm.variables), float(bqm.offset), vartype)
    return J + J.T, -linear, origin


def to_bqm(couplings, fields: np.ndarray, origin: Origin | None):
    """The BQM of couplings (dense or sparse) and fields: in the labels, offset and
    vartype of ``origin``, else ``SPIN`` on variables 0..N-1 without offset."""
    module = dimod()
    upper = scipy.sparse.triu(scipy.sparse.coo_array(couplings), k=1).tocoo()
    offset = 0.0 if origin is None else origin.offset
    bqm = module.BinaryQuadraticModel.from_numpy_vectors(
        -np.asarray(fields), (upper.row, upper.col, -upper.data), offset, module.SPIN
    )
    if origin is None:
        return bqm
    bqm.relabel_variables(dict(enumerate(origin.variables)), inplace=True)
    return bqm.change_vartype(getattr(module, origin.vartype), inplace=False)


def from_networkx(graph, weight: str) -> tuple:
    """Couplings (sparse) from the ``weight`` attribute of the edges, and no fields."""
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
    return J, np.zeros(n)


def storage(J) -> str:
    """``"dense"`` when more than :data:`DENSE_ABOVE` of the pairs interact, else
    ``"sparse"``."""
    n = J.shape[0]
    return "dense" if J.nnz > DENSE_ABOVE * max(1, n * (n - 1)) else "sparse"


def to_networkx(couplings, fields: np.ndarray, weight: str):
    """A networkx graph of nodes 0..N-1 (attribute ``field``: theta_i) and an edge
    (i, j) with attribute ``weight`` = J_ij for every nonzero coupling."""
    import networkx

    upper = scipy.sparse.triu(scipy.sparse.coo_array(couplings), k=1).tocoo()
    graph = networkx.Graph()
    graph.add_nodes_from((i, {"field": float(t)}) for i, t in enumerate(fields))
    graph.add_weighted_edges_from(
        zip(upper.row.tolist(), upper.col.tolist(), upper.data.tolist(), strict=True),
        weight=weight,
    )
    return graph
