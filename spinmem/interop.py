r"""Conversions to and from dimod and networkx (optional: ``pip install spinmem[interop]``),
and two ``dimod.Sampler``: :class:`~spinmem.interop.SimulatedAnnealingSampler` and
:class:`~spinmem.interop.ParallelTemperingSampler`.

Sign conventions (``docs/physics.md`` section 1): spinmem's energy is :math:`H(s) =
-\sum_{i<j} J_{ij} s_i s_j - \sum_i \theta_i s_i`, dimod's (``SPIN``) is :math:`E(s) =
\sum_{i<j} J^d_{ij} s_i s_j + \sum_i h_i s_i + \mathrm{offset}`. So :math:`J^d = -J` and
:math:`h = -\theta`, and the energies of every state agree up to ``offset``. A networkx
edge weight is the coupling :math:`J_{ij}` itself (positive: ferromagnetic).

A model built by :func:`from_bqm` remembers the BQM's variable labels, offset and
vartype (not part of its energy ``H``): :func:`to_bqm` and :func:`to_sampleset` give
them back, and :func:`from_sampleset` orders a sample set's variables by its labels, so
that ``to_sampleset(anneal(from_bqm(bqm), ...).state, model)`` holds the BQM's own
samples and energies.
"""

import numpy as np
from numpy.typing import ArrayLike

from . import _checks, _graphs
from ._graphs import DENSE_ABOVE  # noqa: F401
from .model import Hopfield

__all__ = [
    "ParallelTemperingSampler",  # noqa: F822 (loaded on use)
    "SimulatedAnnealingSampler",  # noqa: F822 (loaded on use)
    "from_bqm",
    "from_networkx",
    "from_sampleset",
    "to_bqm",
    "to_networkx",
    "to_sampleset",
]


def __getattr__(name: str):
    if name in ("SimulatedAnnealingSampler", "ParallelTemperingSampler"):  # loads dimod
        from . import _sampler

        return getattr(_sampler, name)
    raise AttributeError(f"module 'spinmem.interop' has no attribute {name!r}")


def from_bqm(bqm) -> Hopfield:
    """A model with the energies of a dimod ``BinaryQuadraticModel``, minus its offset.

    Parameters
    ----------
    bqm : dimod.BinaryQuadraticModel
        ``SPIN`` or ``BINARY`` (converted to ``SPIN`` first, ``x = (s + 1) / 2``), any
        hashable variable labels, at least 2 variables.

    Returns
    -------
    Hopfield
        Spin i is the i-th variable of ``bqm.variables``; the model keeps the labels,
        the offset of the SPIN form and the vartype for :func:`to_bqm`,
        :func:`to_sampleset` and :func:`from_sampleset`. Dense when more than
        ``DENSE_ABOVE`` of the pairs interact, sparse otherwise.
    """
    return Hopfield.from_bqm(bqm)


def to_bqm(model: Hopfield):
    """The dimod ``BinaryQuadraticModel`` of a model, with the same energy for every
    state.

    Parameters
    ----------
    model : Hopfield

    Returns
    -------
    dimod.BinaryQuadraticModel
        For a model built by :func:`from_bqm`: in that BQM's labels, vartype and with
        its offset (equal to it up to rounding). Otherwise ``SPIN`` on variables
        0..N-1 without offset.
    """
    _model_only(model, "to_bqm")
    return model.to_bqm()


def from_networkx(graph, weight: str = "weight") -> Hopfield:
    r"""A model with couplings :math:`J_{ij}` = the ``weight`` attribute of edge (i, j).

    Parameters
    ----------
    graph : networkx.Graph
        Undirected, without self-loops, at least 2 nodes; spin i is the i-th node of
        ``graph.nodes``.
    weight : str
        The edge attribute holding the coupling; edges without it have weight 1.

    Returns
    -------
    Hopfield
        Without fields.
    """
    return Hopfield.from_networkx(graph, weight)


def to_networkx(model: Hopfield, weight: str = "weight"):
    r"""The couplings of a model as a networkx graph.

    :func:`from_networkx` gives the couplings back (the fields it does not read).

    Parameters
    ----------
    model : Hopfield
    weight : str
        The edge attribute to hold the couplings.

    Returns
    -------
    networkx.Graph
        Nodes 0..N-1 with the field :math:`\theta_i` as node attribute ``field``, an edge
        (i, j) with attribute ``weight`` = :math:`J_{ij}` for every nonzero coupling.
    """
    _model_only(model, "to_networkx")
    if not isinstance(weight, str):
        raise TypeError(f"weight must be the name of an edge attribute, got {weight!r}")
    return _graphs.to_networkx(model.couplings, model.fields, weight)


def to_sampleset(states: ArrayLike, model: Hopfield):
    """A dimod ``SampleSet`` of spin states with their energies under ``model``.

    Parameters
    ----------
    states : array_like
        Spin states (R, N) or (N,), entries +1/-1 (the ``state`` of a result, say).
    model : Hopfield

    Returns
    -------
    dimod.SampleSet
        The energies of :func:`to_bqm`'s BQM, variables in spin order. For a model
        built by :func:`from_bqm`: that BQM's labels and vartype (``BINARY`` samples
        are ``x = (s + 1) / 2``), the energies with its offset. Otherwise ``SPIN``
        samples on variables 0..N-1.
    """
    dimod = _graphs.dimod()
    _model_only(model, "to_sampleset")
    s = np.atleast_2d(_checks.spins("states", states, n=model.n_spins, ndim=(1, 2)))
    origin = model.origin
    energy = np.atleast_1d(model.energy(s)) + (0.0 if origin is None else origin.offset)
    labels = _graphs.variables(origin, model.n_spins)
    if origin is not None and origin.vartype == "BINARY":
        samples, vartype = ((s + 1) // 2, labels), dimod.BINARY
    else:
        samples, vartype = (s, labels), dimod.SPIN
    return dimod.SampleSet.from_samples(samples, vartype, energy=energy, sort_labels=False)


def from_sampleset(sampleset, model: Hopfield | None = None) -> np.ndarray:
    """The samples of a dimod ``SampleSet`` as spin states.

    Parameters
    ----------
    sampleset : dimod.SampleSet
        ``SPIN`` or ``BINARY`` (mapped by ``s = 2 x - 1``).
    model : Hopfield, optional
        Order the variables as spins of this model: by the labels of the BQM it was
        built from (:func:`from_bqm`), else as the integers 0..N-1. Without it,
        variables labelled 0..N-1 are spins 0..N-1 and any other labels are taken in
        the order of ``sampleset.variables``.

    Returns
    -------
    numpy.ndarray
        int8 states (R, N).
    """
    sampleset = _graphs.spin(sampleset, "SampleSet", "sampleset")
    labels = list(sampleset.variables)
    n = len(labels)
    if model is not None:
        _model_only(model, "from_sampleset")
        wanted = _graphs.variables(model.origin, model.n_spins)
    elif _integers(labels) and set(labels) == set(range(n)):
        wanted = list(range(n))
    else:
        wanted = labels
    if len(wanted) != n or set(wanted) != set(labels):
        missing = [v for v in wanted if v not in set(labels)][:5]
        raise ValueError(
            f"sampleset variables do not match the model's {len(wanted)} variables "
            f"(sampleset has {n}; model variables missing from it: {missing})"
        )
    position = {label: k for k, label in enumerate(labels)}
    order = [position[v] for v in wanted]
    return np.ascontiguousarray(sampleset.record.sample[:, order], dtype=np.int8)


def _integers(labels) -> bool:
    return all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in labels)


def _model_only(model, what: str) -> None:
    if not isinstance(model, Hopfield):
        raise TypeError(
            f"{what} needs a pairwise spinmem.Hopfield model, got {type(model).__name__}"
        )
