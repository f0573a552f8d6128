r"""Hopfield-Feinstein-Palmer unlearning ("dreaming"), ``docs/physics.md`` section 4.

Hopfield, Feinstein & Palmer, "'Unlearning' has a stabilizing effect in collective
memories", Nature 304, 158 (1983). Repeat D times: draw a uniformly random state, relax
it with zero-temperature asynchronous dynamics to a fixed point :math:`s^*`, and set
:math:`J_{ij} \leftarrow J_{ij} - \frac\epsilon N\, s^*_i s^*_j` for :math:`i \ne j`.
The natural clock is :math:`t = \epsilon D / N`.
"""

import numpy as np
import xarray as xr

from . import _checks, _couplings, _progress, _schema
from ._engine import ORDER_CODES, check_model, relax_states, result_attrs
from ._kernels import dreaming
from ._kernels.records import KernelView
from .dynamics import ORDERS
from .model import Hopfield, dense_successor, make_cues
from .seeding import SeedLike, generator, root_sequence, stream_states
from .spurious import Thresholds, random_relaxations

__all__ = ["milestones", "unlearn"]


def unlearn(
    model: Hopfield,
    *,
    dreams: int,
    epsilon: float,
    seed: SeedLike = None,
    dream_temperature: float = 0.0,
    dream_sweeps: int = 20,
    record_every: int | None = None,
    probes: int = 100,
    cue_overlap: float = 0.8,
    order: str = "random",
    max_sweeps: int = 1000,
    retrieval_threshold: float = 0.75,
    significance: float | None = None,
    measure: str = "all",
    progress: bool = True,
) -> tuple[Hopfield, xr.Dataset]:
    r"""Unlearn spurious minima by dreaming; return the new model and a trace.

    Parameters
    ----------
    model : Hopfield
        Must know its patterns (the trace measures them).
    dreams : int
        Number of dreams D, >= 0.
    epsilon : float
        Unlearning strength, > 0 (around 0.01 is typical).
    seed : None, int, SeedSequence or Generator
    dream_temperature : float
        0 (default): the published algorithm, each dream relaxes to a fixed point at
        zero temperature. T > 0: an explicit variant in which each dream is the state
        after ``dream_sweeps`` Glauber sweeps at T from the random start.
    dream_sweeps : int
        Sweeps per dream of the finite-temperature variant.
    record_every : int, optional
        Measure after every this many dreams (and after the last); default D // 50.
    probes : int
        Random starts relaxed at each measurement to estimate the spurious fraction.
    cue_overlap : float
        Initial overlap ``m0`` of the cues whose relaxation gives ``retrieval_overlap``
        (one cue per pattern, ``round((1 - m0) N / 2)`` bits flipped), in [0, 1].
    order : {"random", "sequential"}
        Site order of every zero-temperature relaxation.
    max_sweeps : int
        Sweep limit of each relaxation.
    retrieval_threshold, significance : float
        Classification thresholds (see :func:`spinmem.classify`).
    measure : {"all", "stability"}
        What each record measures: everything below, or only ``stable_fraction`` and
        ``min_stability`` (``retrieval_overlap`` and ``spurious_fraction`` NaN), which
        skips the relaxations of the cues and random starts, as costly as the dreams
        themselves when records are dense.
    progress : bool
        Show a progress bar of the dreams (in a terminal or a notebook) when the call
        lasts more than two seconds; never inside a sweep's points.

    Returns
    -------
    model : Hopfield
        The couplings after D dreams (same fields and patterns). A pair rather than
        one Dataset because the first result is a model to simulate, not data.
    trace : xarray.Dataset
        Along ``dream`` (coordinate: dreams done, from 0, with :math:`t = \epsilon D / N`):
        ``stable_fraction`` (patterns that are strict fixed points, ``xi_i h_i > 0``
        for all i), ``min_stability`` (minimum over patterns and sites of
        ``xi_i h_i / ||J_i||``), ``retrieval_overlap`` (mean final overlap with the cued
        pattern), ``spurious_fraction`` (random starts ending neither in a retrieval nor
        in a reversed state), and ``unconverged_dreams`` (cumulative dreams that hit
        ``max_sweeps``).

    Notes
    -----
    The dreams run one after another in a compiled loop, because each uses the
    couplings left by the previous one; the measurements relax their cues and random
    starts in parallel threads.
    """
    model = check_model(model)
    xi = _checks.stored_patterns(model, "unlearn")
    dreams = _checks.integer("dreams", dreams, minimum=0)
    epsilon = _checks.real("epsilon", epsilon, positive=True)
    dream_temperature = _checks.real("dream_temperature", dream_temperature, minimum=0.0)
    dream_sweeps = _checks.integer("dream_sweeps", dream_sweeps, minimum=1)
    if record_every is None:
        record_every = max(1, dreams // 50)
    record_every = _checks.integer("record_every", record_every, minimum=1)
    probes = _checks.integer("probes", probes, minimum=1)
    cue_overlap = _checks.real("cue_overlap", cue_overlap, minimum=0.0, maximum=1.0)
    order = _checks.choice("order", order, ORDERS)
    max_sweeps = _checks.integer("max_sweeps", max_sweeps, minimum=1)
    limits = Thresholds.make(model.n_spins, retrieval_threshold, significance)
    measure = _checks.choice("measure", measure, ("all", "stability"))

    model = _dense(model)
    root = root_sequence(seed)
    dream_rng = stream_states(root, 1, 0)[0]
    J = np.array(model.couplings)
    view = _dream_view(model, J)
    beta = 0.0 if dream_temperature == 0 else 1.0 / dream_temperature
    blocks = [record_every] * (dreams // record_every)
    if dreams % record_every:
        blocks.append(dreams % record_every)
    probe = _Probe(xi, root, probes, cue_overlap, order, max_sweeps, limits)
    if measure == "stability":
        probe = probe.stability

    current = model
    rows = [probe(current, 0)]
    done, stuck = [0], [0]
    with _progress.bar(dreams, "dream", "unlearn", progress) as bar:
        for k, block in enumerate(blocks, start=1):
            with np.errstate(over="ignore"):
                stuck.append(
                    stuck[-1]
                    + dreaming.dream_block(
                        J,
                        view,
                        dream_rng,
                        block,
                        epsilon,
                        beta,
                        dream_sweeps,
                        ORDER_CODES[order],
                        max_sweeps,
                    )
                )
            _check_couplings(J, epsilon, done[-1] + block)
            current = dense_successor(model, J)
            done.append(done[-1] + block)
            rows.append(probe(current, k))
            bar.update(block)

    attrs = result_attrs(
        model,
        root,
        run=unlearn,
        dreams=dreams,
        epsilon=epsilon,
        dream_temperature=dream_temperature,
        dream_sweeps=dream_sweeps if dream_temperature > 0 else 0,
        record_every=record_every,
        probes=probes,
        cue_overlap=cue_overlap,
        order=order,
        measure=measure,
        alpha=model.alpha,
        reference="Hopfield, Feinstein & Palmer, Nature 304, 158 (1983)",
    )
    trace = _trace(rows, np.array(done), epsilon, model.n_spins, np.array(stuck), attrs)
    return current, trace


def _dream_view(model: Hopfield, J: np.ndarray) -> KernelView:
    """The kernels' view of the couplings ``J`` the dreams change in place, through a
    read-only view (so that the dynamics run the code compiled for a model's arrays);
    dreams make the couplings non-integer: the float tie rule, fixed."""
    reader = J.view()
    reader.flags.writeable = False
    return KernelView(
        _couplings.Dense.tag,
        _couplings.dense_kernel(reader, 1.0),
        model.fields,
        _couplings.no_patterns(model.n_spins),
        model.tie_threshold(exact=False),
    )


def milestones(trace: xr.Dataset) -> xr.Dataset:
    r"""The three milestones of unlearning (Benedetti, Ventura, Marinari, Ruocco and
    Zamponi, J. Chem. Phys. 156, 104107, 2022) in a trace of :func:`spinmem.unlearn`.

    ``d_in``: the first number of dreams after which every pattern is a fixed point
    (``stable_fraction`` 1); ``d_top``: the dreams at the largest minimum stability;
    ``d_fin``: the first dreams after ``d_top`` with some pattern no longer a fixed
    point. Each also on the clock :math:`t = \epsilon D / N` (``t_in``, ``t_top``,
    ``t_fin``). They are read on the trace's records, so they are exact with
    ``record_every=1`` and otherwise known to within ``record_every`` dreams
    (``docs/physics.md`` section 4).

    Parameters
    ----------
    trace : xarray.Dataset
        The trace of :func:`spinmem.unlearn` (``stable_fraction`` and
        ``min_stability`` along ``dream``).

    Returns
    -------
    xarray.Dataset
        ``d_in``, ``d_top``, ``d_fin`` (dreams) and ``t_in``, ``t_top``, ``t_fin``; NaN
        for a milestone the trace does not reach (``d_fin`` also when ``d_in`` is never
        reached, as the capacity counts only windows in which all patterns are stable).
    """
    for name in ("stable_fraction", "min_stability"):
        if not isinstance(trace, xr.Dataset) or name not in trace:
            raise ValueError(f"trace must be a Dataset of unlearn with {name!r}")
    stable = trace["stable_fraction"].values == 1.0
    dreams = trace["dream"].values.astype(np.float64)
    clock = trace["t"].values.astype(np.float64)
    top = int(np.argmax(trace["min_stability"].values))
    first_in = np.flatnonzero(stable)
    after_top = np.flatnonzero(~stable[top:]) + top
    k_in = first_in[0] if first_in.size else None
    k_fin = after_top[0] if after_top.size and k_in is not None else None

    def at(k, values):
        return np.nan if k is None else values[k]

    values = {
        "d_in": (at(k_in, dreams), "dreams until every pattern is a fixed point"),
        "d_top": (dreams[top], "dreams at the largest minimum stability"),
        "d_fin": (at(k_fin, dreams), "dreams until a pattern is unstable again"),
        "t_in": (at(k_in, clock), "unlearning time t_in = epsilon D_in / N"),
        "t_top": (clock[top], "unlearning time t_top = epsilon D_top / N"),
        "t_fin": (at(k_fin, clock), "unlearning time t_fin = epsilon D_fin / N"),
    }
    return xr.Dataset(
        {k: ((), v, {"long_name": name, "units": "1"}) for k, (v, name) in values.items()},
        attrs=dict(trace.attrs),
    )


def _trace(rows, done, epsilon, n, stuck, attrs) -> xr.Dataset:
    r"""The probes after each block of dreams (``rows``) against the dreams ``done``
    and the unlearning time :math:`t = \epsilon D / N`."""
    trace = xr.Dataset(
        {
            name: ("dream", np.array([row[name] for row in rows]), meta)
            for name, meta in _TRACE_VARIABLES.items()
        },
        coords={
            "dream": ("dream", done, _schema.meta("dreams")),
            "t": ("dream", epsilon * done / n, _schema.meta("unlearning_time")),
        },
        attrs=attrs,
    )
    trace["unconverged_dreams"] = ("dream", stuck, _schema.meta("unconverged_dreams"))
    return trace


def _check_couplings(J: np.ndarray, epsilon: float, dreams: int) -> None:
    """Refuse couplings that dreams made non-finite, or so large that fields of N spins
    overflow float64 (what :class:`Hopfield` checks of any couplings)."""
    if not _couplings.largest_row_sum(J) <= np.finfo(np.float64).max / J.shape[0]:
        raise ValueError(
            f"after {dreams} dreams of epsilon = {epsilon:g} the couplings overflow "
            "float64 (the fields of N spins would); choose a smaller epsilon"
        )


def _dense(model: Hopfield) -> Hopfield:
    """Unlearning changes every coupling by ``-epsilon/N s_i s_j``: the result is dense
    and no longer Hebbian, so sparse and pattern-backed models are converted to dense
    first, when N x N float64 couplings fit in memory."""
    if not isinstance(model, Hopfield):
        raise ValueError(
            f"unlearn needs pairwise couplings; a {type(model).__name__} has no pairwise "
            "couplings J to unlearn"
        )
    if model.storage == "dense":
        return model
    n = model.n_spins
    _checks.memory(
        "unlearn",
        26 * n * n,
        f"unlearning makes every coupling non-zero and non-Hebbian, so this "
        f"{model.storage!r} model needs dense N x N = {n} x {n} couplings (float64 model "
        "and work copies)",
    )
    return model.with_storage("dense")


_TRACE_VARIABLES = {
    name: _schema.meta(name)
    for name in (
        "stable_fraction",
        "min_stability",
        "retrieval_overlap",
        "spurious_fraction",
    )
}


class _Probe:
    """Measurements of a model along the unlearning trace (record k has its own streams)."""

    def __init__(self, xi, root, probes, cue_overlap, order, max_sweeps, limits):
        self.xi, self.root, self.probes = xi, root, probes
        self.flip = (1.0 - cue_overlap) / 2.0
        self.order, self.max_sweeps = order, max_sweeps
        self.limits = limits

    def stability(self, model: Hopfield, k: int) -> dict[str, float]:
        """The stabilities only; the relaxation measures NaN."""
        return {
            "stable_fraction": float(np.mean(model.is_fixed_point(self.xi, strict=True))),
            "min_stability": float(model.stability(self.xi).min()),
            "retrieval_overlap": np.nan,
            "spurious_fraction": np.nan,
        }

    def __call__(self, model: Hopfield, k: int) -> dict[str, float]:
        xi = self.xi
        delta = model.stability(xi)
        cues = make_cues(xi, self.flip, seed=generator(self.root, 1, k))
        relaxed = relax_states(
            model,
            cues,
            stream_states(self.root, len(xi), 2, k),
            self.order,
            self.max_sweeps,
        )
        recalled = np.einsum("ki,ki->k", relaxed.states.astype(float), xi) / model.n_spins
        starts = random_relaxations(
            model, self.probes, self.root, self.order, self.max_sweeps, 3, k
        )
        labels = self.limits.labels(model.overlaps(starts.states))
        return {
            "stable_fraction": float(np.mean(model.is_fixed_point(xi, strict=True))),
            "min_stability": float(delta.min()),
            "retrieval_overlap": float(recalled.mean()),
            "spurious_fraction": float(
                np.mean(~np.isin(labels, ["retrieval", "reversed"]))
            ),
        }
