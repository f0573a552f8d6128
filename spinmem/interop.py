"""Conversions to and from dimod and networkx (optional: ``pip install spinmem[interop]``),
and :class:`SimulatedAnnealingSampler`, a ``dimod.Sampler``.

Sign conventions (``docs/physics.md`` section 1): spinmem's energy is
``H(s) = -sum_{i<j} J_ij s_i s_j - sum_i theta_i s_i``, dimod's (``SPIN``) is
``E(s) = sum_{i<j} J^d_ij s_i s_j + sum_i h_i s_i + offset``. So ``J^d = -J`` and
``h = -theta``, and the energies of every state agree up to ``offset``, which a
:class:`~spinmem.Hopfield` model does not carry. A networkx edge weight is the
coupling ``J_ij`` itself (positive: ferromagnetic).
"""

import numpy as np
from numpy.typing import ArrayLike

from . import _checks, _graphs
from ._graphs import DENSE_ABOVE  # noqa: F401
from .model import Hopfield

__all__ = [
    "SimulatedAnnealingSampler",  # noqa: F822 (loaded on use)
    "from_bqm",
    "from_networkx",
    "from_sampleset",
    "to_bqm",
    "to_networkx",
    "to_sampleset",
]


def __getattr__(name: str):
    if name == "SimulatedAnnealingSampler":  # a dimod.Sampler: loads dimod
        from ._sampler import SimulatedAnnealingSampler

        return SimulatedAnnealingSampler
    raise AttributeError(f"module 'spinmem.interop' has no attribute {name!r}")


def from_bqm(bqm) -> Hopfield:
    """A model with the energies of a dimod ``BinaryQuadraticModel``, minus its offset.

    A ``BINARY`` model is converted to ``SPIN`` first (``x = (s + 1) / 2``). Spin i of
    the model is the i-th variable of ``bqm.variables``. Kept dense when more than
    ``DENSE_ABOVE`` of the pairs interact, sparse otherwise.
    """
    return Hopfield.from_bqm(bqm)


def to_bqm(model: Hopfield):
    """The dimod ``SPIN`` ``BinaryQuadraticModel`` of a model (variables 0..N-1, no
    offset), with the same energy for every state."""
    _model_only(model, "to_bqm")
    return model.to_bqm()


def from_networkx(graph, weight: str = "weight") -> Hopfield:
    """A model with couplings ``J_ij`` = the ``weight`` attribute of edge (i, j).

    The graph must be undirected, without self-loops; spin i is the i-th node of
    ``graph.nodes``. Edges without the attribute have weight 1; no fields.
    """
    return Hopfield.from_networkx(graph, weight)


def to_networkx(model: Hopfield, weight: str = "weight"):
    """The couplings of a model as a networkx graph: nodes 0..N-1 with the field
    ``theta_i`` as node attribute ``field``, an edge (i, j) with attribute ``weight`` =
    ``J_ij`` for every nonzero coupling. :func:`from_networkx` gives the couplings back
    (the fields it does not read)."""
    _model_only(model, "to_networkx")
    if not isinstance(weight, str):
        raise TypeError(f"weight must be the name of an edge attribute, got {weight!r}")
    return _graphs.to_networkx(model.couplings, model.fields, weight)


def to_sampleset(states: ArrayLike, model: Hopfield):
    """A dimod ``SampleSet`` of states (R, N) with their energies under ``model`` (the
    energies of :func:`to_bqm`'s model), variables 0..N-1."""
    dimod = _graphs.dimod()
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
    sampleset = _graphs.spin(sampleset, "SampleSet", "sampleset")
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


def _model_only(model, what: str) -> None:
    if not isinstance(model, Hopfield):
        raise TypeError(
            f"{what} needs a pairwise spinmem.Hopfield model, got {type(model).__name__}"
        )
