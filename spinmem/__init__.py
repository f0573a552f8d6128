"""spinmem: Hopfield networks as Ising spin systems.

Conventions (used everywhere in the package): spins are +-1 (int8); couplings are
symmetric with ``J_ii = 0``; the energy is
``H(s) = -1/2 sum_{i != j} J_ij s_i s_j - sum_i theta_i s_i`` (total, coupling units);
temperatures are in coupling units with ``beta = 1/T``; a sweep is N single-spin update
attempts.
"""

from . import (
    analysis,
    branches,
    interop,
    memory,
    observables,
    rules,
    schedules,
    stats,
)
from ._sweep import PointTimeout, StoreLocked, SweepError, point_seed, read_store, sweep
from ._version import package_version
from .annealing import anneal
from .dynamics import DYNAMICS, ORDERS, relax, simulate
from .memory import DenseMemory
from .model import (
    Hopfield,
    SpinModel,
    from_binary,
    make_cues,
    random_patterns,
    replica_overlaps,
    to_binary,
)
from .population import population_anneal
from .spurious import LABELS, census, classify, composition
from .storage import load, save
from .tempering import temper, temperature_ladder
from .unlearning import unlearn

__version__ = package_version()

__all__ = [
    "DYNAMICS",
    "LABELS",
    "ORDERS",
    "DenseMemory",
    "Hopfield",
    "PointTimeout",
    "SpinModel",
    "StoreLocked",
    "SweepError",
    "__version__",
    "analysis",
    "anneal",
    "branches",
    "census",
    "classify",
    "composition",
    "from_binary",
    "interop",
    "load",
    "make_cues",
    "memory",
    "observables",
    "plot",
    "point_seed",
    "population_anneal",
    "random_patterns",
    "read_store",
    "relax",
    "replica_overlaps",
    "rules",
    "save",
    "schedules",
    "simulate",
    "stats",
    "sweep",
    "temper",
    "temperature_ladder",
    "theory",
    "to_binary",
    "unlearn",
]


_LAZY = ("plot", "study", "theory", "dense")
"""Submodules loaded on first use (theory loads scipy.optimize, plot and study the
study scripts' plumbing; ``dense``, the former name of :mod:`spinmem.memory`, warns)."""


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'spinmem' has no attribute {name!r}")
