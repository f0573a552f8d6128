"""Conversions between dimod and networkx objects and coupling arrays, for
:class:`spinmem.Hopfield` and :mod:`spinmem.interop` (sign conventions there). dimod
and networkx load only when a conversion runs."""

from numbers import Real

import numpy as np
import scipy.sparse

DENSE_ABOVE = 0.1
"""Models built from a graph or a BQM are kept dense when more than this fraction of the
pairs interact (sparse storage otherwise)."""


def dimod():
    """The dimod module, or an ImportError that says how to install it."""
    try:
        import dimod
    except ImportError:
        raise ImportError(
            "this conversion needs dimod: pip install 'spinmem[interop]'"
        ) from None
    return dimod


def spin(obj, kind: str, name: str):
    """A dimod object of class ``kind``, checked, in the SPIN vartype."""
    module = dimod()
    if not isinstance(obj, getattr(module, kind)):
        raise TypeError(f"{name} must be a dimod.{kind}, got {type(obj).__name__}")
    if obj.vartype is module.SPIN:
        return obj
    return obj.change_vartype(module.SPIN, inplace=False)


def from_bqm(bqm) -> tuple:
    """Couplings (sparse) and fields with the energies of a ``BinaryQuadraticModel``."""
    bqm = spin(bqm, "BinaryQuadraticModel", "bqm")
    n = bqm.num_variables
    if n < 2:
        raise ValueError(f"bqm must have at least 2 variables, got {n}")
    linear, (row, col, quad), _ = bqm.to_numpy_vectors(list(bqm.variables))
    linear, quad = np.asarray(linear, np.float64), np.asarray(quad, np.float64)
    J = scipy.sparse.coo_array((-quad, (row, col)), shape=(n, n))
    return J + J.T, -linear


def to_bqm(couplings, fields: np.ndarray):
    """The ``SPIN`` BQM of couplings (dense or sparse) and fields, no offset."""
    module = dimod()
    upper = scipy.sparse.triu(scipy.sparse.coo_array(couplings), k=1).tocoo()
    return module.BinaryQuadraticModel.from_numpy_vectors(
        -np.asarray(fields), (upper.row, upper.col, -upper.data), 0.0, module.SPIN
    )


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
