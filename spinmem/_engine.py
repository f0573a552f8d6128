"""The run machinery behind the public dynamics: validated inputs, work arrays, chunked
kernel calls and the Datasets they fill (``docs/physics.md`` section 2).

Everything here works on validated plain arrays; :mod:`spinmem.dynamics`,
:mod:`spinmem.annealing`, :mod:`spinmem.tempering`, :mod:`spinmem.spurious` and
:mod:`spinmem.unlearning` check their arguments and call it.
"""

from dataclasses import dataclass

import numba
import numpy as np
import xarray as xr

from . import _checks, _progress, _schema, _threads, _updates
from ._kernels import couplings, updates, xoshiro
from ._kernels.records import Best, Blocks, Records, Replicas, Steps
from ._version import package_version
from .model import SpinModel
from .seeding import provenance

ORDER_CODES = {"random": updates.RANDOM_ORDER, "sequential": updates.SEQUENTIAL_ORDER}
"""Kernel codes of the site orders."""


def result_attrs(model: SpinModel, root: np.random.SeedSequence, run, **parameters) -> dict:
    """The attributes of every simulation result: a CF ``title`` and ``summary`` naming
    the public function ``run`` that made it and the model, its ``parameters``, then the
    model's size, storage and energy convention, the package version and the seed
    provenance."""
    return {
        "title": f"spinmem.{run.__name__} of {model!r}",
        "summary": _schema.summary(run),
        **parameters,
        "n_spins": model.n_spins,
        "n_patterns": model.n_patterns,
        "storage": model.storage,
        "energy_convention": model.energy_convention,
        "spinmem_version": package_version(),
        **provenance(root),
    }


def check_model(model) -> SpinModel:
    """``model`` must be a spinmem model (:class:`Hopfield` or ``DenseMemory``)."""
    if not isinstance(model, SpinModel):
        raise TypeError(
            "model must be a spinmem.Hopfield or spinmem.memory.DenseMemory, got "
            f"{type(model).__name__}"
        )
    return model


def initial_states(model: SpinModel, init, replicas, rng: np.ndarray) -> np.ndarray:
    """Starting states (R, N) int8 from ``init`` and ``replicas``.

    ``init="random"`` draws each replica's state from its own stream ``rng[r]`` (which
    advances); one state (N,) or (1, N) is copied to every replica; a batch (R, N) sets R.
    """
    n = model.n_spins
    if isinstance(init, str):
        _checks.choice("init", init, ("random",))
        states = np.empty((rng.shape[0], n), dtype=np.int8)
        for r in range(rng.shape[0]):
            xoshiro.random_spins(rng[r], states[r])
        return states
    states = _checks.spins("init", init, n=n)
    if states.ndim == 2 and states.shape[0] == 0:
        raise ValueError(f"init must hold at least one state, got shape {states.shape}")
    if states.ndim == 1 or states.shape[0] == 1:
        return np.repeat(states.reshape(1, n), rng.shape[0], axis=0)
    return states.copy()


def check_memory(
    what: str, model: SpinModel, replicas: int, slots: int, record_states: bool
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
        f"{replicas} replicas of N = {n} spins, {slots} recorded times (from sweeps "
        f"and record_every) of {per_slot} bytes each (p = {p}"
        + (", record_states=True" if record_states else "")
        + ")"
    )
    _checks.memory(what, nbytes, detail)


def sweep_limit(model: SpinModel) -> int:
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
    """Validated temperature: > 0 for thermal rules, 0 (or None) for zero-T rules."""
    if not _updates.rule(dynamics).thermal:
        if temperature is None:
            return 0.0
        t = _checks.temperature("temperature", temperature, zero=True)
        if t != 0.0:
            raise ValueError(
                f"dynamics={dynamics!r} is zero-temperature; temperature must be 0 or "
                f"None, got {t}. Use "
                + " or ".join(repr(r.name) for r in _updates.TABLE if r.thermal)
                + " for T > 0"
            )
        return 0.0
    if temperature is None:
        raise TypeError(f"dynamics={dynamics!r} needs a temperature > 0")
    t = _checks.temperature("temperature", temperature, zero=True)
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
    model: SpinModel,
    states: np.ndarray,
    rng: np.ndarray,
    blocks: Blocks,
    rule: int,
    order: int,
    record_states: bool,
    progress: bool = False,
    desc: str = "sweeps",
) -> Trajectory:
    """Run replicas through a schedule of blocks of sweeps (:class:`Blocks`).

    ``states`` (R, N) and ``rng`` (R, 4) are updated in place. The kernel is called on
    chunks of about :data:`CHUNK_WORK` operations, so that Ctrl-C (and a sweep's point
    timeout) takes effect between chunks, and a progress bar (``progress``) moves; the
    numbers do not depend on the chunking.
    """
    n_rep = states.shape[0]
    reps = init_work(model, states, rng)
    rec = record_buffers(
        states, model.n_patterns, int(np.count_nonzero(blocks.record)), record_states
    )
    rec.energy[:, 0], rec.counts[:, 0] = reps.energy, reps.counts
    if record_states:
        rec.states[:, 0] = states
    best = Best(states.copy(), reps.energy.copy(), np.zeros(n_rep, dtype=np.int64))
    view = model.kernel_view()
    slot = 1
    replica_sweep = n_rep * sweep_work(model)
    with _progress.bar(int(blocks.sweeps.sum()), "sweep", desc, progress) as bar:
        for chunk in _chunks(blocks, chunk_sweeps(model, n_rep)):

            def run(first, stop, chunk=chunk, slot=slot):
                updates.run_replicas(
                    view, reps, chunk, rule, order, rec, slot, best, first, stop
                )

            taken = int(chunk.sweeps.sum())
            with np.errstate(over="ignore"):  # uint64 wrap-around is intended (pure Python)
                _threads.in_blocks(run, n_rep, _threads.count(taken * replica_sweep))
            slot += int(np.count_nonzero(chunk.record))
            bar.update(taken)
    return Trajectory(
        rec.energy,
        rec.counts,
        rec.states if record_states else None,
        states,
        best.s,
        best.energy,
        best.flips,
    )


CHUNK_WORK = 2 * 10**8
"""Coupling operations per kernel call (about 0.1-0.5 s): the interrupt latency."""


def chunk_sweeps(model: SpinModel, replicas: int) -> int:
    """Sweeps per kernel call: ``CHUNK_WORK`` over the worst-case work of one sweep
    (every attempt flips) for the replicas of one thread."""
    per_thread = -(-replicas // numba.get_num_threads())
    return max(1, CHUNK_WORK // (per_thread * sweep_work(model)))


def sweep_work(model: SpinModel) -> int:
    """Coupling operations of one sweep in which every attempt flips (the storage's
    field and flip costs plus p for the overlaps)."""
    return model.work_layout().sweep_work


def _chunks(blocks: Blocks, limit: int):
    """The :class:`Blocks` of consecutive kernel calls of at most ``limit`` sweeps
    each; a longer block is split, recording only after its end."""
    out_b, out_s, out_r, total = [], [], [], 0
    for beta, count, rec in zip(*blocks, strict=True):
        count = int(count)
        while count > 0:
            take = min(count, limit - total)
            count -= take
            out_b.append(beta)
            out_s.append(take)
            out_r.append(bool(rec) and count == 0)
            total += take
            if total == limit:
                yield make_blocks(out_b, out_s, out_r)
                out_b, out_s, out_r, total = [], [], [], 0
    if out_b:
        yield make_blocks(out_b, out_s, out_r)


def make_blocks(betas, sweeps, record) -> Blocks:
    """:class:`Blocks` of the inverse temperatures, sweeps and record flags given."""
    return Blocks(
        np.array(betas, dtype=np.float64),
        np.array(sweeps, dtype=np.int64),
        np.array(record, dtype=np.bool_),
    )


def record_buffers(states, p, recorded: int, record_states) -> Records:
    """Energy (R, K), overlap counts (R, K, p) and states (R, K or 0, N) for K = 1 +
    the ``recorded`` blocks (slot 0 holds the initial state)."""
    n_rep, n = states.shape
    slots = 1 + recorded
    return Records(
        np.empty((n_rep, slots)),
        np.empty((n_rep, slots, p), dtype=np.int32),
        np.empty((n_rep, slots if record_states else 0, n), dtype=np.int8),
    )


def init_work(model: SpinModel, states: np.ndarray, rng: np.ndarray) -> Replicas:
    """The :class:`Replicas` of ``states`` (R, N) and streams ``rng`` (R, 4): with
    their coupling fields, overlap counts and energies, the work arrays the kernels
    keep up to date."""
    reps = model.replicas(states, rng)
    view = model.kernel_view()
    _threads.in_blocks(
        lambda first, stop: couplings.init_replicas(view, reps, first, stop),
        states.shape[0],
        _threads.count(states.shape[0] * sweep_work(model)),
    )
    return reps


def synchronous(model, states, steps, record_every, record_states, progress=False):
    """Synchronous steps, recording after every ``record_every`` steps and the last."""
    n_rep = states.shape[0]
    rec = record_buffers(
        states, model.n_patterns, record_count(steps, record_every), record_states
    )
    cycle = np.zeros(n_rep, dtype=np.int8)
    prev = states.copy()
    view = model.kernel_view()
    layout = model.work_layout()
    g_row = np.empty(layout.g_width, dtype=layout.g_dtype)
    # a step costs N^2 per replica, like a sweep where every attempt flips
    limit = chunk_sweeps(model, n_rep)
    step_work = sweep_work(model)
    done, slot = 0, 1
    with _progress.bar(steps, "step", "simulate", progress) as bar:
        while done < steps:
            take = min(limit, steps - done)
            chunk = Steps(done, record_window(done, done + take, steps, record_every))

            def run(first, stop, chunk=chunk, slot=slot):
                updates.synchronous_replicas(
                    view, states, prev, chunk, rec, slot, g_row, cycle, first, stop
                )

            _threads.in_blocks(run, n_rep, _threads.count(take * n_rep * step_work))
            slot += int(np.count_nonzero(chunk.record))
            done += take
            bar.update(take)
    return rec.energy, rec.counts, (rec.states if record_states else None), cycle


def record_count(n_blocks: int, record_every: int) -> int:
    """How many blocks :func:`record_window` marks over a whole run."""
    return -(-n_blocks // record_every)


def record_window(first: int, stop: int, n_blocks: int, record_every: int) -> np.ndarray:
    """The part ``first .. stop - 1`` of :func:`record_mask`, made without the whole
    mask, so that a run of many blocks needs memory only for its records."""
    block = np.arange(first + 1, stop + 1)
    return ((block % record_every) == 0) | (block == n_blocks)


def record_mask(n_blocks: int, record_every: int) -> np.ndarray:
    """Record after every ``record_every``-th block and always after the last one."""
    return record_window(0, n_blocks, n_blocks, record_every)


def trajectory_dataset(model, coord, dim, energy, counts, rec_states, final, attrs):
    """Wrap recorded arrays in a Dataset with the documented names, units and attrs."""
    n_rep = energy.shape[0]
    data = {
        "energy": (
            ("replica", dim),
            energy,
            _schema.meta("energy"),
        ),
        "state": (("replica", "spin"), final, _schema.meta("final_state")),
    }
    if model.n_patterns:
        data["overlap"] = (
            ("replica", dim, "pattern"),
            counts / model.n_spins,
            _schema.meta("overlap"),
        )
    if rec_states is not None:
        data["states"] = (
            ("replica", dim, "spin"),
            rec_states,
            _schema.meta("recorded_state"),
        )
    coords = {
        "replica": np.arange(n_rep),
        dim: np.asarray(coord),
    }
    if model.n_patterns:
        coords["pattern"] = np.arange(model.n_patterns)
    return xr.Dataset(data, coords=coords, attrs=attrs)


@dataclass(frozen=True)
class Relaxed:
    """Raw outcome of :func:`relax_states`: final states (R, N) int8, sweeps taken (R,)
    and whether each replica reached a fixed point (R,)."""

    states: np.ndarray
    sweeps: np.ndarray
    converged: np.ndarray


def relax_states(
    model: SpinModel,
    s: np.ndarray,
    rng: np.ndarray,
    order: str,
    max_sweeps: int,
    progress: bool = False,
) -> Relaxed:
    """:func:`spinmem.relax` on validated arrays: ``s`` (R, N) and ``rng`` (R, 4), in place.
    ``progress`` shows a bar of the sweeps of the slowest replica (no total: the run
    stops when all have converged)."""
    view = model.kernel_view()
    n_rep = s.shape[0]
    reps = init_work(model, s, rng)
    done = np.zeros(n_rep, dtype=np.int64)
    converged = np.zeros(n_rep, dtype=np.bool_)
    chunk_done = np.zeros(n_rep, dtype=np.int64)
    limit = chunk_sweeps(model, n_rep)
    # in chunks, so that Ctrl-C takes effect between them; a replica that has converged
    # stays put (is_stuck holds), so the numbers do not depend on the chunking
    with _progress.bar(None, "sweep", "relax", progress) as bar:
        while done.max() < max_sweeps and not converged.all():
            take = min(limit, max_sweeps - int(done.max()))

            def run(first, stop, take=take):
                updates.relax_replicas(
                    view, reps, take, ORDER_CODES[order], chunk_done, converged,
                    first, stop,
                )  # fmt: skip

            # threads where a chunk's work (every attempt flipping) pays for them
            threads = _threads.count(take * n_rep * sweep_work(model))
            with np.errstate(over="ignore"):
                _threads.in_blocks(run, n_rep, threads)
            done += chunk_done
            bar.update(int(chunk_done.max()))
    return Relaxed(s, done, converged)
