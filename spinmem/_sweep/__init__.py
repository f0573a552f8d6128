"""Parameter sweeps that never lose a result.

:func:`sweep` runs ``function(**point, seed=...)`` over the Cartesian product of a grid
times independent repetitions, in-process, on local processes or on a Dask cluster, and
returns one Dataset with the grid names and ``seed`` as dimensions.

Seeds. The root seed (``seed=``) is recorded; the point at flat grid position g and
repetition r receives ``SeedSequence(root_entropy, spawn_key=root_key + (g, r))``. Results
therefore depend only on the root seed and the grid, not on the executor, the number of
workers or the order in which points finish.

Store. With ``store=path`` the sweep keeps an HDF5 file and never loses a finished
point. The file is written atomically (temporary file, fsync, rename) when the sweep
starts, with the sweep's identity and ``sweep_status = "partial"``, and again when it
ends, with the final gridded Dataset and ``sweep_status = "complete"`` (or, after
failures or an interrupt, every finished point stacked along a dimension ``point``, flat
index ``g * seeds + r``). In between, each finished point is appended to the journal
``path.journal`` and flushed to disk before it counts as finished, so a commit costs the
same at the last point as at the first, and a crash or ``kill -9`` at any moment keeps
every point finished before it (a record cut short is never read back). Running the
same call again reads the file and the journal and computes only the missing points (a
complete store is just read back). While a sweep writes a store it holds an exclusive
lock on it (``path.lock``, released by the operating system when the process ends): a
second sweep on the same store is refused with :class:`StoreLocked`. A store written by
a different function, grid, number of seeds or root seed is refused: sweeps are never
extended in place (write a new store and combine the files with
:func:`spinmem.analysis.combine`).

Failures. An exception inside one point, an output that cannot be stored, or a point
that runs past ``timeout`` is recorded with the point's coordinates; the other points
still run and are stored, and at the end :class:`SweepError` reports every
failure (its ``partial`` attribute holds the finished points). Rerunning the sweep
retries only the failed points.
"""

import contextlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import xarray as xr

from .. import _checks, _journal, _progress, storage
from ..seeding import SeedLike, root_sequence
from .executors import (
    PointTimeout,
    check_importable,
    check_timeout,
    execute,
    sigint_ignored,
)
from .plan import Plan, check_grid, journal_identity
from .store import (
    consolidate,
    existing_store,
    for_file,
    restamp,
    resume,
    strip_file_attrs,
    unstack,
)

StoreLocked = _journal.StoreLocked


__all__ = ["PointTimeout", "StoreLocked", "SweepError", "point_seed", "read_store", "sweep"]


class SweepError(RuntimeError):
    """Some points of a sweep raised; the others finished (and were stored).

    Parameters
    ----------
    failures : list of dict
        As the attribute.
    partial : xarray.Dataset
        As the attribute.

    Attributes
    ----------
    failures : list of dict
        One entry per failed point: its coordinates (grid values and ``seed``) and the
        formatted exception.
    partial : xarray.Dataset
        The finished points, stacked along ``point`` with their coordinates.
    """

    def __init__(self, failures: list[dict], partial: xr.Dataset):
        self.failures = failures
        self.partial = partial
        lines = [f"{len(failures)} sweep point(s) failed:"]
        for f in failures:
            where = ", ".join(f"{k}={v!r}" for k, v in f["coords"].items())
            last = f["error"].strip().splitlines()[-1]
            lines.append(f"  at {where}: {last}")
        super().__init__("\n".join(lines))


def sweep(
    function: Callable,
    grid: Mapping[str, object],
    *,
    seeds: int = 1,
    seed: SeedLike = None,
    store=None,
    workers: int | None = None,
    client=None,
    progress: bool = True,
    attrs: Mapping[str, object] | None = None,
    grid_attrs: Mapping[str, Mapping[str, str]] | None = None,
    allow_changed_function: bool = False,
    timeout: float | None = None,
) -> xr.Dataset:
    """Run ``function(**point, seed=...)`` over a grid times ``seeds`` repetitions.

    Parameters
    ----------
    function : callable
        Called with one keyword per grid name and ``seed`` (a
        ``numpy.random.SeedSequence``, accepted by every spinmem function). Returns an
        ``xarray.Dataset`` or a dict of scalars and arrays (an array's axes become
        dimensions ``<name>_dim0``, ``<name>_dim1``, ...). Every point must return the
        same variables with the same dimensions, shapes and coordinates. With
        ``workers`` or ``client`` it must be importable (a module-level function).
    grid : dict
        Coordinate name -> 1-D sequence of distinct values (numbers or strings). The
        names become dimensions, in this order; ``"seed"`` and ``"point"`` are reserved.
    seeds : int
        Independent repetitions of every grid point (dimension ``seed``), >= 1.
    seed : None, int or SeedSequence
        Root seed. None draws fresh entropy, or reuses the one recorded in ``store``.
    store : str or os.PathLike, optional
        HDF5 file that keeps every finished point (see the module notes).
    workers : int, optional
        Run on this many local processes (each with ``cores // workers`` numba
        threads). Default: in this process.
    client : dask.distributed.Client, optional
        Run the points as tasks on this Dask cluster (dask is an optional
        dependency: ``pip install "spinmem[dask]"``).
    progress : bool
        Show a progress bar (points done, rate, time left) in a terminal or a
        notebook. The points themselves show none.
    attrs : dict, optional
        Extra attributes for the result (for example the study's name and settings).
        They are recorded, not compared on resume: what must match on resume goes into
        the function (a ``functools.partial`` with fixed settings is compared in full).
    grid_attrs : dict, optional
        Attributes of the grid coordinates, e.g.
        ``{"alpha": {"long_name": "load p/N", "units": "1"}}``.
    allow_changed_function : bool
        Resume a store although the function's code, a partial's bound arguments or a
        closure variable differ from those that computed the stored points (see
        ``sweep_code``); the previous identity is kept in ``sweep_code_previous``.
        Without it such a store is refused. A complete store is rewritten with the
        current identity (and a ``history`` line), its points unchanged: for a
        function edited in ways that leave its numbers alone (names, units, labels).
    timeout : float, optional
        Seconds a point may run; one that runs longer is stopped and recorded as a
        failed point (:class:`PointTimeout`), and a rerun retries it. It is checked by
        an alarm signal in the process running the point, so it takes effect whenever
        Python code runs (spinmem's kernels return to Python at least every second),
        in-process (main thread only) or with ``workers``; not with ``client``.

    Returns
    -------
    xarray.Dataset
        Dimensions: the grid names (coordinates: their values), ``seed``
        (0..seeds-1), then the function's own. Attributes: the function, grid, seeds,
        root seed entropy and package version.

    Raises
    ------
    SweepError
        After all points ran, if any raised.
    FileExistsError
        ``store`` holds a different sweep.
    StoreLocked
        Another process is writing ``store``.
    """
    if not callable(function):
        raise TypeError(f"function must be callable, got {type(function).__name__}")
    grid = check_grid(grid)
    seeds = _checks.integer("seeds", seeds, minimum=1)
    if not isinstance(allow_changed_function, bool):
        raise TypeError(
            f"allow_changed_function must be True or False, got {allow_changed_function!r}"
        )
    if workers is not None:
        workers = _checks.integer("workers", workers, minimum=1)
    if workers is not None and client is not None:
        raise ValueError("pass either workers or client, not both")
    if workers is not None:
        check_importable(function)
    timeout = check_timeout(timeout, workers, client)
    if isinstance(seed, np.random.Generator):
        raise TypeError(
            "seed must be None, an int or a SeedSequence for a sweep, so that "
            "it can be recorded and resumed"
        )
    plan = Plan(function, grid, seeds, dict(attrs or {}), dict(grid_attrs or {}))
    plan.timeout = timeout
    if store is None:
        plan.root = root_sequence(seed)
        return _run(plan, {}, workers, client, progress, None)
    store = Path(store)
    lock = _journal.Lock(store)
    try:
        existing = existing_store(store, plan, seed, allow_changed_function)
        if existing is not None and existing.attrs.get("sweep_status") == "complete":
            if "sweep_code_previous" in plan.extra_attrs:
                return restamp(store, plan, existing)
            return strip_file_attrs(existing)
        done = resume(store, plan, seed, existing)
        return _run(plan, done, workers, client, progress, store)
    finally:
        lock.release()


def point_seed(
    grid: Mapping[str, object],
    point: Mapping[str, object],
    *,
    seed: int | np.random.SeedSequence,
    seeds: int = 1,
) -> np.random.SeedSequence:
    """The seed that :func:`sweep` passes to one point of its grid.

    With it one point's inputs (its network, its initial states) can be rebuilt outside
    the sweep, or simulated again by another sweep with other settings.

    Parameters
    ----------
    grid : dict
        The sweep's grid, as given to :func:`sweep`.
    point : dict
        The point: one value per grid name and ``"seed"``, the repetition index
        (0..seeds-1).
    seed : int or SeedSequence
        The sweep's root seed (recorded in its store as ``seed_entropy`` and
        ``seed_spawn_key``).
    seeds : int
        The sweep's repetitions per grid point.

    Returns
    -------
    numpy.random.SeedSequence
        The ``seed`` argument the sweep's function receives at ``point``.
    """
    if seed is None or isinstance(seed, np.random.Generator):
        raise TypeError(
            f"seed must be the sweep's root seed (an int or a SeedSequence), got {seed!r}"
        )
    plan = Plan(None, check_grid(grid), _checks.integer("seeds", seeds, minimum=1), {}, {})
    plan.root = root_sequence(seed)
    return plan.seed_at(point)


def read_store(path) -> xr.Dataset:
    """Everything a sweep store holds, also while its sweep runs or after a crash.

    A complete store is its gridded Dataset (as :func:`spinmem.load` reads it). A partial
    one is every finished point, those in the file and those in its journal, stacked
    along ``point`` with their grid coordinates and ``seed``.

    Parameters
    ----------
    path : str or os.PathLike
        The sweep's store.

    Returns
    -------
    xarray.Dataset

    Raises
    ------
    FileNotFoundError, spinmem.storage.StorageError
        No file, or not a readable HDF5 file.
    ValueError
        The file is not a sweep store.
    """
    path = Path(path)
    ds = storage.load(path)
    status = ds.attrs.get("sweep_status")
    if status not in ("partial", "complete"):
        raise ValueError(f"{path} is not a spinmem sweep store (no sweep_status)")
    if status == "complete":
        return ds
    try:
        grid, seeds = json.loads(ds.attrs["sweep_grid"]), int(ds.attrs["sweep_seeds"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(
            f"{path} is a damaged sweep store: its sweep_grid or sweep_seeds attribute "
            "is missing or unreadable"
        ) from None
    points = _journal.read(_journal.journal_path(path), journal_identity(ds.attrs))
    try:
        plan = Plan(None, grid, seeds, {}, {})
        points = {**unstack(ds), **points}
        return plan.stack_points(points).assign_attrs(ds.attrs)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ValueError(
            f"{path} is a damaged sweep store: its points do not fit its grid ({exc})"
        ) from None


def _run(plan, stored, workers, client, progress, store) -> xr.Dataset:
    """Compute the missing points, journal each one, consolidate the store at the end."""
    todo = [k for k in range(plan.size) if k not in stored]
    results: dict[int, xr.Dataset] = dict(stored)
    failures: list[dict] = []
    writer = None
    if store is not None:
        writer = _journal.Writer(_journal.journal_path(store), plan.journal_identity)
    finished: list = []  # points that finished when the loop stopped early

    def take(k, outcome) -> None:
        error = _accept(plan, k, outcome, results, writer)
        if error is not None:
            failures.append({"index": k, "coords": plan.coords(k), "error": error})

    try:
        with (
            _progress.bar(
                plan.size, "point", "sweep", progress, initial=len(stored), delay=0
            ) as bar,
            contextlib.closing(execute(plan, todo, workers, client, finished)) as outcomes,
        ):
            if results:
                _check_memory(plan, next(iter(results.values())))
            for k, outcome in outcomes:
                take(k, outcome)
                if len(results) == 1 and k in results:
                    _check_memory(plan, results[k])
                bar.update(1)
    except BaseException:
        if writer is not None:
            with sigint_ignored():
                for k, outcome in finished:
                    take(k, outcome)
                writer.close()
                consolidate(store, plan, results, failures)
        raise
    if writer is not None:
        writer.close()
    if failures:
        if store is not None:
            consolidate(store, plan, results, failures)
        raise SweepError(failures, plan.stack(results))
    final = storage.prepare(plan.assemble(results))
    if store is None:
        return final
    storage.write_atomic(for_file(final, "complete"), store)
    _journal.journal_path(store).unlink(missing_ok=True)
    return strip_file_attrs(storage.load(store))


def _accept(plan, k, outcome, results, writer) -> str | None:
    """Check, journal and keep one point's outcome; the error text when it failed."""
    if outcome[0] == "error":
        return outcome[1]
    try:
        ds = plan.normalise(k, outcome[1])
        record = _journal.encode(k, ds) if writer is not None else None
    except (TypeError, ValueError, OverflowError) as exc:
        return f"{type(exc).__name__}: {exc}"
    if writer is not None:
        writer.append(record)
    results[k] = ds
    return None


def _check_memory(plan, ds: xr.Dataset) -> None:
    """Refuse, after its first point, a sweep whose results cannot be held in memory:
    the points themselves, their stack and the gridded Dataset (three copies)."""
    _checks.memory(
        "sweep",
        3 * ds.nbytes * plan.size,
        f"{plan.size} points of {_checks.size(ds.nbytes)} each, held three times while "
        "assembling; the points finished so far are stored",
    )
