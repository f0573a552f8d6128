"""Spurious-state statistics: classify states by their overlaps, census of fixed points.

``physics.md`` section 5. A state's overlap vector ``m^mu = (1/N) xi^mu . s`` decides its
label:

``"retrieval"``
    the largest ``|m^mu|`` is at least ``retrieval_threshold`` and that ``m^mu > 0``;
``"reversed"``
    the same with ``m^mu < 0`` (the "ghost" ``-xi^mu``, a minimum too by symmetry);
``"mixture"``
    otherwise, when at least one ``|m^mu|`` is clearly non-zero: above
    ``significance`` (the symmetric odd mixtures ``sign(xi^1 + xi^2 + xi^3)`` have
    ``|m| = 1/2`` with each component);
``"spin-glass"``
    every ``|m^mu| <= significance``: no pattern is visible beyond the ``1/sqrt(N)``
    overlap of an unrelated state.

Defaults: ``retrieval_threshold = 0.75`` (midway between a 3-mixture's 1/2 and 1) and
``significance = min(4 / sqrt(N), 0.2)``, four standard deviations of the overlap of an
unrelated random state, capped so that mixture components (>= 5/16 for the symmetric
mixtures up to n = 7) stay visible at small N.
"""

import numpy as np
import xarray as xr

from . import _checks
from .dynamics import ORDERS, check_model, package_version, relax_states
from .model import Hopfield, _patterns
from .seeding import SeedLike, provenance, root_sequence, stream_states

__all__ = ["LABELS", "census", "classify", "composition", "default_significance"]

LABELS = ("retrieval", "reversed", "mixture", "spin-glass")


def default_significance(n: int) -> float:
    """``min(4 / sqrt(N), 0.2)``: the |m| above which an overlap counts as non-zero."""
    return min(4.0 / np.sqrt(n), 0.2)


def _thresholds(n, retrieval_threshold, significance):
    retrieval_threshold = _checks.real(
        "retrieval_threshold", retrieval_threshold, positive=True, maximum=1.0
    )
    if significance is None:
        significance = default_significance(n)
    significance = _checks.real("significance", significance, positive=True)
    if significance >= retrieval_threshold:
        raise ValueError(
            f"significance ({significance}) must be below retrieval_threshold "
            f"({retrieval_threshold})"
        )
    return retrieval_threshold, significance


def _overlaps(states, patterns):
    xi = _patterns(patterns)
    s = _checks.spins("states", states, n=xi.shape[1])
    return s.astype(np.float64) @ xi.T.astype(np.float64) / xi.shape[1], xi.shape[1]


def classify(
    states,
    patterns,
    *,
    retrieval_threshold: float = 0.75,
    significance: float | None = None,
) -> np.ndarray:
    """Label each state ``"retrieval"``, ``"reversed"``, ``"mixture"`` or ``"spin-glass"``.

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
        ``min(4/sqrt(N), 0.2)``. Must be below ``retrieval_threshold``.

    Returns
    -------
    ndarray of str, shape () or (R,)
    """
    m, n = _overlaps(states, patterns)
    retrieval_threshold, significance = _thresholds(n, retrieval_threshold, significance)
    return _labels(m, retrieval_threshold, significance)


def _labels(m, retrieval_threshold, significance):
    biggest = np.take_along_axis(m, np.abs(m).argmax(axis=-1)[..., None], axis=-1)[..., 0]
    labels = np.where(np.any(np.abs(m) > significance, axis=-1), "mixture", "spin-glass")
    labels = np.where(
        np.abs(biggest) >= retrieval_threshold,
        np.where(biggest > 0, "retrieval", "reversed"),
        labels,
    )
    return labels.astype(object).astype(str)


def composition(states, patterns, *, significance: float | None = None) -> np.ndarray:
    """The patterns visible in each state, with signs, e.g. ``"+0+1-4"``.

    Lists every pattern index with ``|m^mu| > significance`` in increasing order, each
    preceded by the sign of ``m^mu``; the symmetric 3-mixture
    ``sign(xi^0 + xi^1 + xi^2)`` reads ``"+0+1+2"``. Empty for spin-glass states.
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
    model: Hopfield,
    *,
    starts: int,
    seed: SeedLike = None,
    order: str = "random",
    max_sweeps: int = 1000,
    retrieval_threshold: float = 0.75,
    significance: float | None = None,
) -> xr.Dataset:
    """Relax many random states at zero temperature and classify the fixed points.

    Parameters
    ----------
    model : Hopfield
        Must know its patterns.
    starts : int
        Number of uniformly random starting states, >= 1.
    seed : None, int, SeedSequence or Generator
        Start k and its site order use child stream k of the root seed.
    order : {"random", "sequential"}
    max_sweeps : int
        Sweeps allowed per start; ``converged`` tells which starts reached a fixed point.
    retrieval_threshold, significance : float
        As in :func:`classify`.

    Returns
    -------
    xarray.Dataset
        Per start (dimension ``start``): ``energy`` (total H), ``energy_per_spin``,
        ``overlap(start, pattern)``, ``label`` and ``composition`` (strings),
        ``fixed_point`` (index of the distinct fixed point, identified up to global
        sign), ``converged``, ``sweeps``, and the final ``state(start, spin)``. Summary:
        ``label_fraction(class)`` over the four labels (coordinate ``class``), and the
        attribute
        ``n_distinct_fixed_points``.
    """
    model = check_model(model)
    xi = model._require_patterns("census")
    starts = _checks.integer("starts", starts, minimum=1)
    order = _checks.choice("order", order, ORDERS)
    max_sweeps = _checks.integer("max_sweeps", max_sweeps, minimum=1)
    retrieval_threshold, significance = _thresholds(
        model.n_spins, retrieval_threshold, significance
    )
    root = root_sequence(seed)
    result = random_relaxations(model, starts, root, order, max_sweeps)
    s = result.states
    m = model.overlaps(s)
    labels = _labels(m, retrieval_threshold, significance)
    canonical = s * s[:, :1]  # identify s and -s
    _, fixed_point = np.unique(canonical, axis=0, return_inverse=True)
    fractions = np.array([np.mean(labels == lab) for lab in LABELS])
    energy = model.energy(s)
    ds = xr.Dataset(
        {
            "energy": (
                "start",
                energy,
                {"long_name": "energy H", "units": "coupling units"},
            ),
            "energy_per_spin": (
                "start",
                energy / model.n_spins,
                {"long_name": "energy per spin H/N", "units": "coupling units"},
            ),
            "overlap": (("start", "pattern"), m, {"long_name": "overlap m", "units": "1"}),
            "label": ("start", labels, {"long_name": "state class"}),
            "composition": (
                "start",
                _composition(m, significance),
                {"long_name": "visible patterns with signs"},
            ),
            "fixed_point": (
                "start",
                fixed_point.ravel(),
                {"long_name": "index of the distinct fixed point (up to sign)"},
            ),
            "converged": (
                "start",
                result.converged,
                {"long_name": "reached a fixed point"},
            ),
            "sweeps": (
                "start",
                result.sweeps,
                {"long_name": "sweeps taken", "units": "sweeps"},
            ),
            "state": (("start", "spin"), s, {"long_name": "fixed point", "units": "1"}),
            "label_fraction": (
                "class",
                fractions,
                {"long_name": "fraction of starts", "units": "1"},
            ),
        },
        coords={
            "start": np.arange(starts),
            "pattern": np.arange(xi.shape[0]),
            "class": list(LABELS),
        },
        attrs={
            "n_distinct_fixed_points": int(fixed_point.max()) + 1,
            "starts": starts,
            "order": order,
            "max_sweeps": max_sweeps,
            "retrieval_threshold": retrieval_threshold,
            "significance": significance,
            "n_spins": model.n_spins,
            "n_patterns": model.n_patterns,
            "spinmem_version": package_version(),
            **provenance(root),
        },
    )
    return ds


def random_relaxations(model, count, root, order, max_sweeps, *key):
    """Relax ``count`` uniformly random states (streams ``key + (k,)`` of ``root``)."""
    from . import kernels

    rng = stream_states(root, count, *key)
    s = np.empty((count, model.n_spins), dtype=np.int8)
    for k in range(count):
        kernels.random_spins(rng[k], s[k])
    return relax_states(model, s, rng, order, max_sweeps)
