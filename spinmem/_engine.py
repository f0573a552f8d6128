"""The run machinery behind the public dynamics: validated inputs, work arrays, chunked
kernel calls and the Datasets they fill (``docs/physics.md`` section 2).

Everything here works on validated plain arrays; :mod:`spinmem.dynamics`,
:mod:`spinmem.annealing`, :mod:`spinmem.tempering`, :mod:`spinmem.spurious` and
:mod:`spinmem.unlearning` check their arguments and call it.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numba
import numpy as np
import xarray as xr

from . import _checks, _progress, _schema, _updates
from ._kernels import couplings, updates, xoshiro
from ._version import package_version
from .model import SpinModel
from .seeding import provenance

ORDER_CODES = {"random": updates.RANDOM_ORDER, "sequential": updates.SEQUENTIAL_ORDER}
"""Kernel codes of the site orders."""


def result_attrs(model: SpinModel, root: np.random.SeedSequence, **parameters) -> dict:
    """The attributes of every simulation result: its ``parameters``, then the model's
    size, storage and energy convention, the package version and the seed provenance."""
    return {
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
            "model must be a spinmem.Hopfield or spinmem.dense.DenseMemory, got "
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
    rec_energy, rec_counts, rec_states = _record_buffers(
        states, p, int(np.count_nonzero(record)), record_states
    )
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
        view = model.kernel_view()
        updates.run_replicas(
            view.tag,
            view.cp,
            view.fields,
            view.patterns_t,
            states,
            g,
            counts,
            energy,
            rng,
            *chunk,
            rule,
            order,
            view.tie,
            *rec,
            slot,
            *best,
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
    return model.kernel_view().sweep_work


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


def _record_buffers(states, p, recorded: int, record_states):
    """Energy (R, K), overlap counts (R, K, p) and states (R, K or 0, N) for K = 1 +
    the ``recorded`` blocks (slot 0 holds the initial state)."""
    n_rep, n = states.shape
    slots = 1 + recorded
    return (
        np.empty((n_rep, slots)),
        np.empty((n_rep, slots, p), dtype=np.int32),
        np.empty((n_rep, slots if record_states else 0, n), dtype=np.int8),
    )


def init_work(model: SpinModel, states: np.ndarray):
    """Coupling fields, overlap counts and energies of ``states`` (R, N): the per-replica
    work arrays the kernels keep up to date."""
    n_rep = states.shape[0]
    g = _coupling_fields(model, n_rep)
    counts = np.empty((n_rep, model.n_patterns), dtype=np.int32)
    energy = np.empty(n_rep)
    view = model.kernel_view()

    def block(first, stop):
        couplings.init_replicas(
            view.tag, view.cp, view.fields, view.patterns_t, states, g, counts,
            energy, first, stop,
        )  # fmt: skip

    # threads only where the work (about one sweep's worth per replica) pays for them
    heavy = n_rep * sweep_work(model) > THREAD_WORK
    in_blocks(block, n_rep, numba.get_num_threads() if heavy else 1)
    return g, counts, energy


THREAD_WORK = 10**7
"""Coupling operations above which :func:`init_work` spreads replicas over threads."""


def in_blocks(fn, count: int, threads: int) -> None:
    """``fn(first, stop)`` over ``range(count)`` cut into ``threads`` contiguous blocks,
    in concurrent threads when more than one (``fn`` must release the GIL to gain)."""
    threads = max(1, min(threads, count))
    edges = np.linspace(0, count, threads + 1).astype(int)
    if threads == 1:
        fn(0, count)
        return
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(fn, edges[:-1], edges[1:]))


def _coupling_fields(model: SpinModel, n_rep: int) -> np.ndarray:
    """Work array for ``g = C s`` (exact integers for integer couplings, else float64;
    no columns for pattern-backed couplings, whose fields come from the overlaps)."""
    view = model.kernel_view()
    return np.empty((n_rep, view.g_width), dtype=view.g_dtype)


def synchronous(model, states, steps, record_every, record_states, progress=False):
    """Synchronous steps, recording after every ``record_every`` steps and the last."""
    rec_energy, rec_counts, rec_states = _record_buffers(
        states, model.n_patterns, record_count(steps, record_every), record_states
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
            record = record_window(done, done + take, steps, record_every)
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
            slot += int(np.count_nonzero(record))
            done += take
            bar.update(take)
    return rec_energy, rec_counts, (rec_states if record_states else None), cycle


def _synchronous_chunk(model, states, prev, done, take, record, slot, cycle, g, rec):
    """One kernel call of :func:`synchronous`: steps ``done .. done + take``."""
    view = model.kernel_view()
    updates.synchronous_replicas(
        view.tag,
        view.cp,
        view.fields,
        view.patterns_t,
        states,
        prev,
        done,
        take,
        record,
        slot,
        view.tie,
        g,
        *rec,
        cycle,
    )


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
                updates.relax_replicas(
                    view.tag,
                    view.cp,
                    view.fields,
                    view.patterns_t,
                    s,
                    g,
                    counts,
                    rng,
                    min(limit, max_sweeps - int(done.max())),
                    ORDER_CODES[order],
                    view.tie,
                    chunk_done,
                    converged,
                )
            done += chunk_done
            bar.update(int(chunk_done.max()))
    return Relaxed(s, done, converged)
