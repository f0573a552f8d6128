"""Monte Carlo and zero-temperature dynamics: :func:`simulate` and :func:`relax`.

Update rules (``docs/physics.md`` section 2), chosen by the ``dynamics`` string:

``"glauber"``
    heat bath: set ``s_i = +1`` with probability ``1 / (1 + exp(-2 beta h_i))``.
``"metropolis"``
    flip with probability ``min(1, exp(-beta dE_i))``, ``dE_i = 2 s_i h_i``.
``"zero"``
    zero-temperature asynchronous: ``s_i <- sign(h_i)``, kept when ``h_i = 0``.
``"synchronous"``
    zero-temperature Little dynamics, all spins at once: ``s <- sign(J s + theta)``.

A sweep is N single-spin update attempts, at sites drawn uniformly at random
(``order="random"``) or visited 0..N-1 (``order="sequential"``); a synchronous step counts
as one sweep. Temperatures are in the units of the couplings, ``beta = 1 / T``. Glauber
and Metropolis need ``T > 0`` (their T -> 0 limit is ambiguous at ``h_i = 0``); use
``dynamics="zero"`` for zero temperature.
"""

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from . import _checks, _progress, kernels
from .model import Hopfield
from .seeding import SeedLike, provenance, root_sequence, stream_states

__all__ = ["DYNAMICS", "ORDERS", "RelaxResult", "relax", "simulate"]

DYNAMICS = ("glauber", "metropolis", "zero", "synchronous")
ORDERS = ("random", "sequential")
_RULES = {
    "glauber": kernels.GLAUBER,
    "metropolis": kernels.METROPOLIS,
    "zero": kernels.ZERO,
}
_ORDER_CODES = {"random": kernels.RANDOM_ORDER, "sequential": kernels.SEQUENTIAL_ORDER}


def package_version() -> str:
    """The installed spinmem version (``"unknown"`` when run from a bare source tree)."""
    try:
        return version("spinmem")
    except PackageNotFoundError:
        return "unknown"


def check_model(model) -> Hopfield:
    """``model`` must be a :class:`Hopfield` network."""
    if not isinstance(model, Hopfield):
        raise TypeError(f"model must be a spinmem.Hopfield, got {type(model).__name__}")
    return model


def initial_states(model: Hopfield, init, replicas, rng: np.ndarray) -> np.ndarray:
    """Starting states (R, N) int8 from ``init`` and ``replicas``.

    ``init="random"`` draws each replica's state from its own stream ``rng[r]`` (which
    advances); one state (N,) or (1, N) is copied to every replica; a batch (R, N) sets R.
    """
    n = model.n_spins
    if isinstance(init, str):
        _checks.choice("init", init, ("random",))
        states = np.empty((rng.shape[0], n), dtype=np.int8)
        for r in range(rng.shape[0]):
            kernels.random_spins(rng[r], states[r])
        return states
    states = _checks.spins("init", init, n=n)
    if states.ndim == 2 and states.shape[0] == 0:
        raise ValueError(f"init must hold at least one state, got shape {states.shape}")
    if states.ndim == 1 or states.shape[0] == 1:
        return np.repeat(states.reshape(1, n), rng.shape[0], axis=0)
    return states.copy()


def check_memory(
    what: str, model: Hopfield, replicas: int, slots: int, record_states: bool
) -> None:
    """Refuse a run whose states, work arrays and records (``slots`` recorded times,
    the initial one included) do not fit in free memory, before anything is allocated.

    Per replica: states, initial, best and output copies (4 N bytes), fields g (8 N)
    and the random state; per recorded time: energy (8 + 8 in the Dataset), overlap
    counts (4 p) and overlaps (8 p), and with ``record_states`` the state (N, twice);
    per block: its inverse temperature, length, end and record flag (25).
    """
    n, p = model.n_spins, model.n_patterns
    per_slot = 16 + 12 * p + (2 * n if record_states else 0)
    nbytes = replicas * (12 * n + 32 + 4 * p + slots * per_slot) + 25 * slots
    detail = (
        f"{replicas} replicas of N = {n} spins, {slots} recorded times of "
        f"{per_slot} bytes each (p = {p}"
        + (", record_states=True" if record_states else "")
        + ")"
    )
    _checks.memory(what, nbytes, detail)


def sweep_limit(model: Hopfield) -> int:
    """The most sweeps one call can count: N attempts per sweep in a 64-bit integer."""
    return (2**62) // model.n_spins


def resolve_replicas(init, replicas) -> int:
    """The number of replicas implied by ``init`` and ``replicas`` (None = from init)."""
    batch = None
    if not isinstance(init, str):
        shape = np.shape(init)
        if len(shape) == 2 and shape[0] > 1:
            batch = shape[0]
    if replicas is None:
        return batch or 1
    replicas = _checks.integer("replicas", replicas, minimum=1)
    if batch is not None and replicas != batch:
        raise ValueError(
            f"replicas={replicas} disagrees with init, a batch of {batch} states; "
            "leave replicas at its default or make them equal"
        )
    return replicas


def check_temperature(dynamics: str, temperature) -> float:
    """Validated temperature: > 0 for stochastic rules, 0 (or None) for zero-T rules."""
    if dynamics in ("zero", "synchronous"):
        if temperature is None:
            return 0.0
        t = _checks.real("temperature", temperature, minimum=0.0)
        if t != 0.0:
            raise ValueError(
                f"dynamics={dynamics!r} is zero-temperature; temperature must be 0 or "
                f"None, got {t}. Use 'glauber' or 'metropolis' for T > 0"
            )
        return 0.0
    if temperature is None:
        raise TypeError(f"dynamics={dynamics!r} needs a temperature > 0")
    t = _checks.real("temperature", temperature, minimum=0.0)
    if t == 0.0:
        raise ValueError(
            f"temperature must be > 0 for dynamics={dynamics!r}, got 0; "
            "use dynamics='zero' for zero-temperature asynchronous dynamics"
        )
    return t


@dataclass(frozen=True)
class Trajectory:
    """Raw arrays of a run, before they are wrapped in a Dataset."""

    energy: np.ndarray  # (R, K) float64
    counts: np.ndarray  # (R, K, p) int32
    states: np.ndarray | None  # (R, K, N) int8
    final: np.ndarray  # (R, N) int8
    best_state: np.ndarray  # (R, N)
    best_energy: np.ndarray  # (R,)
    flips: np.ndarray  # (R,)


def run_blocks(
    model: Hopfield,
    states: np.ndarray,
    rng: np.ndarray,
    betas: np.ndarray,
    block_sweeps: np.ndarray,
    record: np.ndarray,
    rule: int,
    order: int,
    record_states: bool,
    progress: bool = False,
    desc: str = "sweeps",
) -> Trajectory:
    """Run replicas through blocks of sweeps at given inverse temperatures.

    ``states`` (R, N) and ``rng`` (R, 4) are updated in place. The kernel is called on
    chunks of about :data:`CHUNK_WORK` operations, so that Ctrl-C (and a sweep's point
    timeout) takes effect between chunks, and a progress bar (``progress``) moves; the
    numbers do not depend on the chunking.
    """
    n_rep = states.shape[0]
    p = model.n_patterns
    g, counts, energy = init_work(model, states)
    rec_energy, rec_counts, rec_states = _record_buffers(states, p, record, record_states)
    rec_energy[:, 0], rec_counts[:, 0] = energy, counts
    if record_states:
        rec_states[:, 0] = states
    best_s, best_e = states.copy(), energy.copy()
    flips = np.zeros(n_rep, dtype=np.int64)
    slot = 1
    chunks = _chunks(betas, block_sweeps, record, chunk_sweeps(model, n_rep))
    with _progress.bar(int(block_sweeps.sum()), "sweep", desc, progress) as bar:
        for chunk in chunks:
            _run_chunk(
                model,
                states,
                rng,
                g,
                counts,
                energy,
                chunk,
                rule,
                order,
                slot,
                (rec_energy, rec_counts, rec_states),
                (best_s, best_e, flips),
            )
            slot += int(np.count_nonzero(chunk[2]))
            bar.update(int(chunk[1].sum()))
    return Trajectory(
        rec_energy,
        rec_counts,
        rec_states if record_states else None,
        states,
        best_s,
        best_e,
        flips,
    )


def _run_chunk(model, states, rng, g, counts, energy, chunk, rule, order, slot, rec, best):
    """One kernel call of :func:`run_blocks`."""
    with np.errstate(over="ignore"):  # uint64 wrap-around is intended (pure Python)
        kernels.run_replicas(
            model._store.tag,
            model._store.kernel,
            model.fields,
            model._xi_t,
            states,
            g,
            counts,
            energy,
            rng,
            *chunk,
            rule,
            order,
            model._tie,
            *rec,
            slot,
            *best,
        )


CHUNK_WORK = 2 * 10**8
"""Coupling operations per kernel call (about 0.1-0.5 s): the interrupt latency."""


def chunk_sweeps(model: Hopfield, replicas: int) -> int:
    """Sweeps per kernel call: ``CHUNK_WORK`` over the worst-case work of one sweep
    (every attempt flips) for the replicas of one thread."""
    import numba

    per_thread = -(-replicas // numba.get_num_threads())
    return max(1, CHUNK_WORK // (per_thread * sweep_work(model)))


def sweep_work(model: Hopfield) -> int:
    """Coupling operations of one sweep in which every attempt flips (the storage's
    field and flip costs plus p for the overlaps)."""
    return model._store.sweep_work(model.n_patterns)


def _chunks(betas, block_sweeps, record, limit: int):
    """``(betas, block_sweeps, record)`` of consecutive kernel calls of at most
    ``limit`` sweeps each; a longer block is split, recording only after its end."""
    out_b, out_s, out_r, total = [], [], [], 0
    for beta, count, rec in zip(betas, block_sweeps, record, strict=True):
        count = int(count)
        while count > 0:
            take = min(count, limit - total)
            count -= take
            out_b.append(beta)
            out_s.append(take)
            out_r.append(bool(rec) and count == 0)
            total += take
            if total == limit:
                yield _chunk(out_b, out_s, out_r)
                out_b, out_s, out_r, total = [], [], [], 0
    if out_b:
        yield _chunk(out_b, out_s, out_r)


def _chunk(betas, sweeps, record):
    return (
        np.array(betas, dtype=np.float64),
        np.array(sweeps, dtype=np.int64),
        np.array(record, dtype=np.bool_),
    )


def _record_buffers(states, p, record, record_states):
    """Energy (R, K), overlap counts (R, K, p) and states (R, K or 0, N) for K = 1 +
    the recorded blocks (slot 0 holds the initial state)."""
    n_rep, n = states.shape
    slots = 1 + int(np.count_nonzero(record))
    return (
        np.empty((n_rep, slots)),
        np.empty((n_rep, slots, p), dtype=np.int32),
        np.empty((n_rep, slots if record_states else 0, n), dtype=np.int8),
    )


def init_work(model: Hopfield, states: np.ndarray):
    """Coupling fields, overlap counts and energies of ``states`` (R, N): the per-replica
    work arrays the kernels keep up to date."""
    n_rep = states.shape[0]
    g = _coupling_fields(model, n_rep)
    counts = np.empty((n_rep, model.n_patterns), dtype=np.int32)
    energy = np.empty(n_rep)
    store = model._store
    kernels.init_replicas(
        store.tag, store.kernel, model.fields, model._xi_t, states, g, counts, energy
    )
    return g, counts, energy


def _coupling_fields(model: Hopfield, n_rep: int) -> np.ndarray:
    """Work array for ``g = C s`` (exact integers for integer couplings, else float64;
    no columns for pattern-backed couplings, whose fields come from the overlaps)."""
    store = model._store
    return np.empty((n_rep, store.g_width), dtype=store.g_dtype)


def _synchronous(model, states, steps, record, record_states, progress=False):
    xi_t = model._xi_t
    rec_energy, rec_counts, rec_states = _record_buffers(
        states, xi_t.shape[1], record, record_states
    )
    cycle = np.zeros(states.shape[0], dtype=np.int8)
    prev = states.copy()
    # a step costs N^2 per replica, like a sweep where every attempt flips
    limit = chunk_sweeps(model, states.shape[0])
    g_template = _coupling_fields(model, 1)[0]
    done, slot = 0, 1
    with _progress.bar(steps, "step", "simulate", progress) as bar:
        while done < steps:
            take = min(limit, steps - done)
            _synchronous_chunk(
                model,
                states,
                prev,
                done,
                take,
                record,
                slot,
                cycle,
                g_template,
                (rec_energy, rec_counts, rec_states),
            )
            slot += int(np.count_nonzero(record[done : done + take]))
            done += take
            bar.update(take)
    return rec_energy, rec_counts, (rec_states if record_states else None), cycle


def _synchronous_chunk(model, states, prev, done, take, record, slot, cycle, g, rec):
    """One kernel call of :func:`_synchronous`: steps ``done .. done + take``."""
    kernels.synchronous_replicas(
        model._store.tag,
        model._store.kernel,
        model.fields,
        model._xi_t,
        states,
        prev,
        done,
        take,
        record[done : done + take],
        slot,
        model._tie,
        g,
        *rec,
        cycle,
    )


def record_mask(n_blocks: int, record_every: int) -> np.ndarray:
    """Record after every ``record_every``-th block and always after the last one."""
    mask = (np.arange(1, n_blocks + 1) % record_every) == 0
    mask[-1] = True
    return mask


def simulate(
    model: Hopfield,
    *,
    temperature: float | None = None,
    sweeps: int,
    dynamics: str = "glauber",
    order: str = "random",
    init: str | ArrayLike = "random",
    replicas: int | None = None,
    seed: SeedLike = None,
    record_every: int = 1,
    record_states: bool = False,
    progress: bool = True,
) -> xr.Dataset:
    """Run independent replicas of a dynamics at fixed temperature.

    Parameters
    ----------
    model : Hopfield
    temperature : float
        T > 0 for ``"glauber"``/``"metropolis"``; 0 or None for ``"zero"`` and
        ``"synchronous"``. In coupling units, ``beta = 1/T``.
    sweeps : int
        Number of sweeps (N attempts each; one synchronous step counts as one), >= 1.
    dynamics : {"glauber", "metropolis", "zero", "synchronous"}
    order : {"random", "sequential"}
        Site order of the asynchronous rules (ignored by ``"synchronous"``).
    init : "random" or array_like
        ``"random"``: uniform random states, one per replica from its own stream.
        One state (N,) or (1, N): copied to every replica. A batch (R, N) (for example
        cues from :func:`spinmem.make_cues`): one per replica.
    replicas : int, optional
        Number of independent replicas R (default 1, or the batch size of ``init``).
    seed : None, int, SeedSequence or Generator
        Root seed; replica r uses the r-th child stream, so results do not depend on the
        number of threads.
    record_every : int
        Record energy and overlaps every this many sweeps (and after the last).
    record_states : bool
        Also record the full states at those times (``states(replica, time, spin)``).
    progress : bool
        Show a progress bar (in a terminal or a notebook) when the call lasts more
        than two seconds; never inside a sweep's points.

    Returns
    -------
    xarray.Dataset
        ``energy(replica, time)`` (total H, coupling units); ``overlap(replica, time,
        pattern)`` when the model knows its patterns; ``state(replica, spin)`` the final
        states; ``flips(replica)`` accepted flips; for ``"synchronous"``
        ``cycle_length(replica)`` (1: fixed point, 2: 2-cycle, 0: neither seen). The
        ``time`` coordinate counts sweeps done (0 = initial state). Attributes hold every
        parameter, the seed entropy and the package version.

    Examples
    --------
    >>> import spinmem
    >>> xi = spinmem.random_patterns(5, 200, seed=0)
    >>> net = spinmem.Hopfield.hebbian(xi)
    >>> cues = spinmem.make_cues(xi[0], 0.2, seed=1)
    >>> ds = spinmem.simulate(net, temperature=0.1, sweeps=10, init=cues, seed=2)
    >>> float(ds.overlap.isel(time=-1, pattern=0, replica=0)) > 0.95
    True
    """
    model = check_model(model)
    dynamics = _checks.choice("dynamics", dynamics, DYNAMICS)
    order = _checks.choice("order", order, ORDERS)
    t = check_temperature(dynamics, temperature)
    sweeps = _checks.integer("sweeps", sweeps, minimum=1, maximum=sweep_limit(model))
    record_every = _checks.integer("record_every", record_every, minimum=1)
    record_states = _checks.flag("record_states", record_states)
    n_rep = resolve_replicas(init, replicas)
    slots = 1 + -(-sweeps // record_every)
    check_memory("simulate", model, n_rep, slots, record_states)
    root = root_sequence(seed)
    rng = stream_states(root, n_rep)
    states = initial_states(model, init, n_rep, rng)
    initial = states.copy()

    # records after every record_every sweeps and after the last: blocks of that length
    ends = np.append(np.arange(record_every, sweeps, record_every), sweeps)
    extra = {}
    if dynamics == "synchronous":
        record = np.zeros(sweeps, dtype=np.bool_)
        record[ends - 1] = True
        energy, counts, rec_states, cycle = _synchronous(
            model, states, sweeps, record, record_states, progress
        )
        extra["cycle_length"] = (
            ("replica",),
            cycle,
            {
                "long_name": "period of the attractor reached (1 fixed point, 2 two-cycle, "
                "0 none within the run)",
                "units": "steps",
            },
        )
    else:
        block_sweeps = np.diff(ends, prepend=0).astype(np.int64)
        traj = run_blocks(
            model,
            states,
            rng,
            np.full(ends.size, 0.0 if t == 0 else 1.0 / t),  # the zero rule ignores beta
            block_sweeps,
            np.ones(ends.size, dtype=np.bool_),
            _RULES[dynamics],
            _ORDER_CODES[order],
            record_states,
            progress=progress,
            desc="simulate",
        )
        energy, counts, rec_states = traj.energy, traj.counts, traj.states
        extra["flips"] = (
            ("replica",),
            traj.flips,
            {"long_name": "accepted flips", "units": "1"},
        )
    times = np.concatenate([[0], ends])
    attrs = {
        "dynamics": dynamics,
        "order": order if dynamics != "synchronous" else "parallel",
        "temperature": t,
        "sweeps": sweeps,
        "record_every": record_every,
        "replicas": n_rep,
        "n_spins": model.n_spins,
        "n_patterns": model.n_patterns,
        "init": init if isinstance(init, str) else "given",
        "energy_convention": model.energy_convention,
        "spinmem_version": package_version(),
        **provenance(root),
    }
    ds = trajectory_dataset(model, times, "time", energy, counts, rec_states, states, attrs)
    ds["initial_state"] = (
        ("replica", "spin"),
        initial,
        {"long_name": "initial state", "units": "1"},
    )
    ds["time"].attrs.update(long_name="sweeps done", units="sweeps")
    for name, (dims, values, var_attrs) in extra.items():
        ds[name] = (dims, values, var_attrs)
    return ds


def trajectory_dataset(model, coord, dim, energy, counts, rec_states, final, attrs):
    """Wrap recorded arrays in a Dataset with the documented names, units and attrs."""
    n_rep = energy.shape[0]
    data = {
        "energy": (
            ("replica", dim),
            energy,
            {"long_name": "energy H", "units": "coupling units"},
        ),
        "state": (("replica", "spin"), final, {"long_name": "final state", "units": "1"}),
    }
    if model.n_patterns:
        data["overlap"] = (
            ("replica", dim, "pattern"),
            counts / model.n_spins,
            {"long_name": "overlap m", "units": "1"},
        )
    if rec_states is not None:
        data["states"] = (
            ("replica", dim, "spin"),
            rec_states,
            {"long_name": "recorded state", "units": "1"},
        )
    coords = {
        "replica": np.arange(n_rep),
        dim: np.asarray(coord),
    }
    if model.n_patterns:
        coords["pattern"] = np.arange(model.n_patterns)
    return xr.Dataset(data, coords=coords, attrs=attrs)


@dataclass(frozen=True)
class RelaxResult:
    """Outcome of :func:`relax`.

    Attributes
    ----------
    states : ndarray of int8, shape (R, N)
        Final states.
    sweeps : ndarray of int64, shape (R,)
        Sweeps taken until no spin could lower the energy.
    converged : ndarray of bool, shape (R,)
        Whether each replica reached a fixed point within ``max_sweeps``.
    """

    states: np.ndarray
    sweeps: np.ndarray
    converged: np.ndarray


def relax(
    model: Hopfield,
    states: ArrayLike,
    *,
    order: str = "random",
    max_sweeps: int = 1000,
    seed: SeedLike = None,
    progress: bool = True,
) -> RelaxResult:
    """Zero-temperature asynchronous dynamics from ``states`` to fixed points.

    Each replica runs sweeps of the rule ``s_i <- sign(h_i)`` (kept when ``h_i = 0``)
    until no spin can lower the energy; the energy never increases on the way.

    Parameters
    ----------
    model : Hopfield
    states : array_like, shape (N,) or (R, N)
        Starting +-1 states (not modified).
    order : {"random", "sequential"}
    max_sweeps : int
        Give up after this many sweeps (``converged`` is then False), >= 1.
    seed : None, int, SeedSequence or Generator
        Root seed for the random site order (replica r uses child stream r).
    progress : bool
        Show a progress bar of the sweeps (in a terminal or a notebook) when the call
        lasts more than two seconds; never inside a sweep's points.

    Returns
    -------
    RelaxResult
    """
    model = check_model(model)
    order = _checks.choice("order", order, ORDERS)
    max_sweeps = _checks.integer(
        "max_sweeps", max_sweeps, minimum=1, maximum=sweep_limit(model)
    )
    s = _checks.spins("states", states, n=model.n_spins)
    if s.ndim == 2 and s.shape[0] == 0:
        raise ValueError(f"states must hold at least one state, got shape {s.shape}")
    s = np.atleast_2d(s).copy()
    rng = stream_states(root_sequence(seed), s.shape[0])
    return relax_states(model, s, rng, order, max_sweeps, progress)


def relax_states(
    model: Hopfield,
    s: np.ndarray,
    rng: np.ndarray,
    order: str,
    max_sweeps: int,
    progress: bool = False,
) -> RelaxResult:
    """:func:`relax` on validated arrays: ``s`` (R, N) and ``rng`` (R, 4), in place.
    ``progress`` shows a bar of the sweeps of the slowest replica (no total: the run
    stops when all have converged)."""
    kind, cp = model._store.tag, model._store.kernel
    theta, xi_t = model.fields, model._xi_t
    n_rep = s.shape[0]
    g, counts, _ = init_work(model, s)
    done = np.zeros(n_rep, dtype=np.int64)
    converged = np.zeros(n_rep, dtype=np.bool_)
    chunk_done = np.zeros(n_rep, dtype=np.int64)
    limit = chunk_sweeps(model, n_rep)
    # in chunks, so that Ctrl-C takes effect between them; a replica that has converged
    # stays put (is_stuck holds), so the numbers do not depend on the chunking
    with _progress.bar(None, "sweep", "relax", progress) as bar:
        while done.max() < max_sweeps and not converged.all():
            with np.errstate(over="ignore"):
                kernels.relax_replicas(
                    kind,
                    cp,
                    theta,
                    xi_t,
                    s,
                    g,
                    counts,
                    rng,
                    min(limit, max_sweeps - int(done.max())),
                    _ORDER_CODES[order],
                    model._tie,
                    chunk_done,
                    converged,
                )
            done += chunk_done
            bar.update(int(chunk_done.max()))
    return RelaxResult(s, done, converged)
