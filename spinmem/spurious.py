r"""Spurious-state statistics: classify states by their overlaps, census of fixed points.

``docs/physics.md`` section 5. A state's overlap vector :math:`m^\mu = \frac1N\, \xi^\mu
\cdot s` decides its label:

``"retrieval"``
    the largest :math:`|m^\mu|` is at least ``retrieval_threshold`` and that
    :math:`m^\mu > 0`;
``"reversed"``
    the same with :math:`m^\mu < 0` (the "ghost" :math:`-\xi^\mu`, a minimum too by
    symmetry);
``"mixture"``
    otherwise, when between 1 and ``max_components`` overlaps are clearly non-zero,
    :math:`|m^\mu| > \mathrm{significance}` (the symmetric odd mixtures
    :math:`\mathrm{sign}(\xi^1 + \xi^2 + \xi^3)` have ``|m| = 1/2`` with each of their
    components);
``"spin-glass"``
    no pattern is visible (every :math:`|m^\mu| \le \mathrm{significance}`, the
    :math:`1/\sqrt N` overlap of an unrelated state), or the overlaps are spread over
    more than ``max_components`` patterns, as in the spin-glass states at extensive
    load, whose many overlaps are each a few times :math:`1/\sqrt N`.

Defaults: ``retrieval_threshold = 0.75`` (midway between a 3-mixture's 1/2 and 1),
``significance = min(4 / sqrt(N), 0.2)``, four standard deviations of the overlap of an
unrelated random state, capped so that mixture components (>= 5/16 for the symmetric
mixtures up to n = 7) stay visible at small N, and ``max_components = 7``.
"""

import warnings
from dataclasses import dataclass

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from . import _checks, _schema
from ._engine import check_memory, check_model, relax_states, result_attrs, sweep_limit
from ._kernels import xoshiro
from .dynamics import ORDERS
from .model import SpinModel
from .seeding import SeedLike, root_sequence, stream_states

__all__ = [
    "LABELS",
    "Thresholds",
    "census",
    "classify",
    "composition",
    "default_significance",
]

LABELS = ("retrieval", "reversed", "mixture", "spin-glass")


def default_significance(n: int) -> float:
    r""":math:`\min(4 / \sqrt N, 0.2)`: the |m| above which an overlap counts as
    non-zero."""
    return min(4.0 / np.sqrt(n), 0.2)


@dataclass(frozen=True)
class Thresholds:
    """Validated classification thresholds (see the module notes)."""

    retrieval: float
    significance: float
    max_components: int

    @classmethod
    def make(cls, n, retrieval_threshold=0.75, significance=None, max_components=7):
        retrieval = _checks.real(
            "retrieval_threshold", retrieval_threshold, positive=True, maximum=1.0
        )
        if significance is None:
            significance = default_significance(n)
        significance = _checks.real("significance", significance, positive=True)
        if significance >= retrieval:
            raise ValueError(
                f"significance ({significance}) must be below retrieval_threshold "
                f"({retrieval})"
            )
        max_components = _checks.integer("max_components", max_components, minimum=1)
        return cls(retrieval, significance, max_components)

    def labels(self, m: np.ndarray) -> np.ndarray:
        """Labels of overlap vectors ``m`` (..., p)."""
        biggest = np.take_along_axis(m, np.abs(m).argmax(axis=-1)[..., None], axis=-1)
        biggest = biggest[..., 0]
        visible = np.sum(np.abs(m) > self.significance, axis=-1)
        mixture = (visible >= 1) & (visible <= self.max_components)
        labels = np.where(mixture, "mixture", "spin-glass")
        labels = np.where(
            np.abs(biggest) >= self.retrieval,
            np.where(biggest > 0, "retrieval", "reversed"),
            labels,
        )
        return labels.astype(object).astype(str)


def _overlaps(states, patterns):
    xi = _checks.patterns(patterns)
    s = _checks.spins("states", states, n=xi.shape[1])
    return s.astype(np.float64) @ xi.T.astype(np.float64) / xi.shape[1], xi.shape[1]


def classify(
    states: ArrayLike,
    patterns: ArrayLike,
    *,
    retrieval_threshold: float = 0.75,
    significance: float | None = None,
    max_components: int = 7,
) -> np.ndarray:
    r"""Label each state ``"retrieval"``, ``"reversed"``, ``"mixture"`` or ``"spin-glass"``.

    Parameters
    ----------
    states : array_like, shape (N,) or (R, N)
        +-1 states.
    patterns : array_like, shape (p, N)
        The stored +-1 patterns.
    retrieval_threshold : float
        Minimum largest ``|m|`` of a retrieval or reversed state, in (0, 1].
    significance : float, optional
        ``|m|`` above which an overlap counts as non-zero; default
        :math:`\min(4 / \sqrt N, 0.2)`. Must be below ``retrieval_threshold``.
    max_components : int
        Most patterns a mixture may show; overlaps spread over more patterns are a
        spin-glass state.

    Returns
    -------
    ndarray of str, shape () or (R,)
        One label per state given, like a numpy function of the states rather than a
        simulation result: there is nothing to record beyond the labels, and they
        index straight into the caller's arrays. :func:`census` returns them in a
        Dataset with the rest of a census.
    """
    m, n = _overlaps(states, patterns)
    return Thresholds.make(n, retrieval_threshold, significance, max_components).labels(m)


def composition(
    states: ArrayLike, patterns: ArrayLike, *, significance: float | None = None
) -> np.ndarray:
    r"""The patterns visible in each state, with signs, e.g. ``"+0+1-4"``.

    Lists every pattern index with :math:`|m^\mu| > \mathrm{significance}` in increasing
    order, each preceded by the sign of :math:`m^\mu`; the symmetric 3-mixture
    :math:`\mathrm{sign}(\xi^0 + \xi^1 + \xi^2)` reads ``"+0+1+2"``. Empty for
    spin-glass states.

    Parameters
    ----------
    states : array_like
        +-1 spins, shape (N,) or (R, N).
    patterns : array_like
        The stored patterns (p, N).
    significance : float, optional
        Smallest :math:`|m^\mu|` counted as visible, > 0; default :math:`\min(4 / \sqrt
        N, 0.2)`.

    Returns
    -------
    numpy.ndarray
        str, one per state, as :func:`classify` returns.
    """
    m, n = _overlaps(states, patterns)
    if significance is None:
        significance = default_significance(n)
    significance = _checks.real("significance", significance, positive=True)
    return _composition(m, significance)


def _composition(m, significance):
    flat = np.atleast_2d(m)
    out = np.array(
        [
            "".join(
                f"{'+' if v > 0 else '-'}{mu}"
                for mu, v in enumerate(row)
                if abs(v) > significance
            )
            for row in flat
        ],
        dtype=str,
    )
    return out.reshape(m.shape[:-1])


def census(
    model: SpinModel,
    *,
    starts: int,
    seed: SeedLike = None,
    order: str = "random",
    max_sweeps: int = 1000,
    retrieval_threshold: float = 0.75,
    significance: float | None = None,
    max_components: int = 7,
    progress: bool = True,
) -> xr.Dataset:
    """Relax many random states at zero temperature and classify the fixed points.

    Parameters
    ----------
    model : Hopfield or DenseMemory
        Must know its patterns.
    starts : int
        Number of uniformly random starting states, >= 1.
    seed : None, int, SeedSequence or Generator
        Start k and its site order use child stream k of the root seed.
    order : {"random", "sequential"}
    max_sweeps : int
        Sweeps allowed per start; ``converged`` tells which starts reached a fixed point.
    retrieval_threshold, significance, max_components
        As in :func:`classify`.
    progress : bool
        Show a progress bar of the relaxation sweeps (in a terminal or a notebook)
        when the call lasts more than two seconds; never inside a sweep's points.

    Returns
    -------
    xarray.Dataset
        Per start (dimension ``start``): ``energy`` (total H), ``energy_per_spin``,
        ``overlap(start, pattern)``, ``label`` and ``composition`` (strings),
        ``fixed_point`` (index of the distinct fixed point, identified up to global
        sign; -1 for a start that did not converge), ``converged``, ``sweeps``, and the
        final ``state(start, spin)``. Summary over the converged starts:
        ``label_fraction(category)`` over the four labels (coordinate ``category``;
        NaN when none converged), and the attributes ``n_distinct_fixed_points`` and
        ``n_converged``. A ``RuntimeWarning`` says how many starts did not converge.
    """
    model = check_model(model)
    xi = _checks.stored_patterns(model, "census")
    starts = _checks.integer("starts", starts, minimum=1)
    order = _checks.choice("order", order, ORDERS)
    max_sweeps = _checks.integer(
        "max_sweeps", max_sweeps, minimum=1, maximum=sweep_limit(model)
    )
    check_memory("census", model, starts, 2, False)
    limits = Thresholds.make(
        model.n_spins, retrieval_threshold, significance, max_components
    )
    root = root_sequence(seed)
    result = random_relaxations(model, starts, root, order, max_sweeps, progress=progress)
    s = result.states
    m = model.overlaps(s)
    labels = limits.labels(m)
    converged = np.asarray(result.converged, dtype=bool)
    fixed_point, fractions = _distinct(s, labels, converged)
    if not converged.all():
        warnings.warn(
            f"census: {int((~converged).sum())} of {starts} starts reached no fixed point "
            f"within max_sweeps={max_sweeps}; they are left out of label_fraction and "
            "n_distinct_fixed_points (fixed_point = -1). Raise max_sweeps",
            RuntimeWarning,
            stacklevel=2,
        )
    variables = _census_variables(model, s, m, labels, limits.significance, result)
    ds = xr.Dataset(
        {
            **variables,
            "fixed_point": ("start", fixed_point, _schema.meta("fixed_point_index")),
            "label_fraction": ("category", fractions, _schema.meta("label_fraction")),
        },
        coords={
            "start": np.arange(starts),
            "pattern": np.arange(xi.shape[0]),
            "category": list(LABELS),
        },
        attrs=result_attrs(
            model,
            root,
            run=census,
            n_distinct_fixed_points=int(fixed_point.max()) + 1,
            n_converged=int(converged.sum()),
            starts=starts,
            order=order,
            max_sweeps=max_sweeps,
            retrieval_threshold=limits.retrieval,
            significance=limits.significance,
            max_components=limits.max_components,
        ),
    )
    return ds


def _distinct(s, labels, converged):
    """The index of each converged start's fixed point among the distinct ones (s and
    -s identified; -1 when not converged), and the fraction of each label among the
    converged starts (NaN when none converged)."""
    fixed_point = np.full(s.shape[0], -1, dtype=np.int64)
    if not converged.any():
        return fixed_point, np.full(len(LABELS), np.nan)
    canonical = s[converged] * s[converged, :1]  # identify s and -s
    _, index = np.unique(canonical, axis=0, return_inverse=True)
    fixed_point[converged] = index.ravel()
    return fixed_point, np.array([np.mean(labels[converged] == lab) for lab in LABELS])


def _census_variables(model, s, m, labels, significance, result) -> dict:
    """The per-start variables of a census."""
    energy = model.energy(s)
    return {
        "energy": ("start", energy, _schema.meta("energy")),
        "energy_per_spin": (
            "start",
            energy / model.n_spins,
            _schema.meta("energy_per_spin"),
        ),
        "overlap": (("start", "pattern"), m, _schema.meta("overlap")),
        "label": ("start", labels, _schema.meta("label")),
        "composition": (
            "start",
            _composition(m, significance),
            _schema.meta("composition"),
        ),
        "converged": ("start", result.converged, _schema.meta("converged")),
        "sweeps": ("start", result.sweeps, _schema.meta("sweeps_taken")),
        "state": (("start", "spin"), s, _schema.meta("fixed_point")),
    }


def random_relaxations(model, count, root, order, max_sweeps, *key, progress=False):
    """Relax ``count`` uniformly random states (streams ``key + (k,)`` of ``root``)."""
    rng = stream_states(root, count, *key)
    s = np.empty((count, model.n_spins), dtype=np.int8)
    for k in range(count):
        xoshiro.random_spins(rng[k], s[k])
    return relax_states(model, s, rng, order, max_sweeps, progress)
