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
import functools
import json
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import xarray as xr

from . import _checks, _identity, _journal, _progress, _schema, storage
from ._version import package_version
from .seeding import SeedLike, child, provenance, root_sequence

StoreLocked = _journal.StoreLocked

__all__ = ["PointTimeout", "StoreLocked", "SweepError", "read_store", "sweep"]

POINT = "point"
SEED_DIM = "seed"
_FILE_ONLY_ATTRS = ("created", "history", "sweep_status", "sweep_failures")


class SweepError(RuntimeError):
    """Some points of a sweep raised; the others finished (and were stored).

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
    grid = _check_grid(grid)
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
        _check_importable(function)
    timeout = _check_timeout(timeout, workers, client)
    if isinstance(seed, np.random.Generator):
        raise TypeError(
            "seed must be None, an int or a SeedSequence for a sweep, so that "
            "it can be recorded and resumed"
        )
    plan = _Plan(function, grid, seeds, dict(attrs or {}), dict(grid_attrs or {}))
    plan.timeout = timeout
    if store is None:
        plan.root = root_sequence(seed)
        return _run(plan, {}, workers, client, progress, None)
    store = Path(store)
    lock = _journal.Lock(store)
    try:
        existing = _read_store(store, plan, seed, allow_changed_function)
        if existing is not None and existing.attrs.get("sweep_status") == "complete":
            if "sweep_code_previous" in plan.extra_attrs:
                return _restamp(store, plan, existing)
            return _strip(existing)
        done = _resume(store, plan, seed, existing)
        return _run(plan, done, workers, client, progress, store)
    finally:
        lock.release()


def read_store(path) -> xr.Dataset:
    """Everything a sweep store holds, also while its sweep runs or after a crash.

    A complete store is its gridded Dataset (as :func:`spinmem.load` reads it). A partial
    one is every finished point, those in the file and those in its journal, stacked
    along ``point`` with their grid coordinates and ``seed``.

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
    points = _journal.read(_journal.journal_path(path), _journal_identity(ds.attrs))
    try:
        plan = _Plan(None, grid, seeds, {}, {})
        points = {**_unstack(ds), **points}
        return plan.stack_points(points).assign_attrs(ds.attrs)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ValueError(
            f"{path} is a damaged sweep store: its points do not fit its grid ({exc})"
        ) from None


def _resume(store: Path, plan: "_Plan", seed, existing) -> dict[int, xr.Dataset]:
    """The points already finished (store and journal); writes a new store's header."""
    journal = _journal.journal_path(store)
    if existing is None:
        journal.unlink(missing_ok=True)  # left by a store that was deleted
        plan.root = root_sequence(seed)
        storage.write_atomic(_for_file(plan.stack({}), "partial"), store)
        return {}
    plan.root = _root_from(existing)
    stored = _unstack(existing)
    for k, ds in sorted(_journal.read(journal, plan.journal_identity).items()):
        if not 0 <= k < plan.size:
            raise storage.StorageError(f"{journal} holds point {k} outside this sweep")
        stored[k] = plan.normalise(k, ds)
    return stored


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
            contextlib.closing(_execute(plan, todo, workers, client, finished)) as outcomes,
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
            with _sigint_ignored():
                for k, outcome in finished:
                    take(k, outcome)
                writer.close()
                _consolidate(store, plan, results, failures)
        raise
    if writer is not None:
        writer.close()
    if failures:
        if store is not None:
            _consolidate(store, plan, results, failures)
        raise SweepError(failures, plan.stack(results))
    final = storage.prepare(plan.assemble(results))
    if store is None:
        return final
    storage.write_atomic(_for_file(final, "complete"), store)
    _journal.journal_path(store).unlink(missing_ok=True)
    return _strip(storage.load(store))


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


def _consolidate(store: Path, plan, results, failures) -> None:
    """Rewrite the store with every finished point, then drop the journal."""
    storage.write_atomic(_for_file(plan.stack(results), "partial", failures), store)
    _journal.journal_path(store).unlink(missing_ok=True)


# ------------------------------------------------------------------------- the plan


class _Plan:
    """The grid, the seeds and the shape of the per-point results."""

    def __init__(self, function, grid, seeds, extra_attrs, grid_attrs):
        self.function = function
        self.timeout = None  # seconds per point, or None
        self.extra_attrs = extra_attrs
        unknown = set(grid_attrs) - set(grid)
        if unknown:
            raise ValueError(f"grid_attrs names {sorted(unknown)}, which are not in grid")
        self.grid_attrs = grid_attrs
        self.grid = grid
        self.seeds = seeds
        self.names = list(grid)
        self.shape = tuple(len(v) for v in grid.values())
        self.size = int(np.prod(self.shape, dtype=np.int64)) * seeds
        self.template: xr.Dataset | None = None
        self.root: np.random.SeedSequence | None = None

    @functools.cached_property
    def identity(self) -> dict[str, str]:
        """What must match on resume: function name, grid and seeds."""
        return {
            "sweep_function": function_name(self.function),
            "sweep_grid": json.dumps(self.grid),
            "sweep_seeds": str(self.seeds),
        }

    @property
    def journal_identity(self) -> dict[str, str]:
        """What a journal records of its sweep: the identity and the root seed."""
        return _journal_identity({**self.identity, **provenance(self.root)})

    @functools.cached_property
    def code(self) -> dict[str, str]:
        """What the function computes: hashes of its code and bound values."""
        return {
            "sweep_code": json.dumps(_identity.identity(self.function), sort_keys=True),
            "sweep_python": _identity.python_tag(),
        }

    def coords(self, k: int) -> dict:
        """Grid values and repetition index of flat point ``k`` (= g * seeds + r)."""
        g, r = divmod(k, self.seeds)
        position = np.unravel_index(g, self.shape) if self.shape else ()
        point = {
            name: self.grid[name][i] for name, i in zip(self.names, position, strict=True)
        }
        point[SEED_DIM] = r
        return point

    def kwargs(self, k: int) -> dict:
        """The function's arguments at point ``k``: grid values and the spawned seed."""
        point = self.coords(k)
        point["seed"] = child(self.root, k // self.seeds, point[SEED_DIM])
        return point

    def normalise(self, k: int, output) -> xr.Dataset:
        """The point's output as a Dataset, checked against the first point's layout,
        with units written in words by spinmem 0.1 in their UDUNITS form (so that a
        store resumed across versions has one set of units)."""
        ds = storage.upgrade_units(_as_dataset(output))
        clash = set(ds.dims) & (set(self.names) | {SEED_DIM, POINT})
        if clash:
            raise ValueError(f"function output uses reserved dimension(s) {sorted(clash)}")
        ds.attrs = {}
        if self.template is None:
            self.template = ds
        else:
            _check_consistent(self.template, ds, self.coords(k))
        return ds

    def stack(self, results: dict[int, xr.Dataset]) -> xr.Dataset:
        """Finished points along ``point`` (flat index), with their grid coordinates."""
        return self.stack_points(results).assign_attrs(self.attrs())

    def stack_points(self, results: dict[int, xr.Dataset]) -> xr.Dataset:
        """:meth:`stack` without the sweep's attributes."""
        keys = sorted(results)
        if not keys:  # no point yet: still the grid's coordinates, of length 0
            coords = {POINT: np.array([], dtype=np.int64)}
            for name in self.names:
                coords[name] = (POINT, np.asarray(self.grid[name])[:0])
            coords[SEED_DIM] = (POINT, np.array([], dtype=np.int64))
            return xr.Dataset(coords=coords)
        ds = xr.concat(
            [results[k] for k in keys],
            dim=POINT,
            coords="minimal",
            compat="override",
            join="exact",
            combine_attrs="override",
        )
        coords = {POINT: np.array(keys, dtype=np.int64)}
        points = [self.coords(k) for k in keys]
        for name in [*self.names, SEED_DIM]:
            coords[name] = (POINT, [point[name] for point in points])
        ds = ds.assign_coords(coords)
        ds.attrs = {}
        return ds

    def assemble(self, results: dict[int, xr.Dataset]) -> xr.Dataset:
        """All points on the grid: dimensions (*grid names, seed, *function dims)."""
        first = results[0]
        lead = (*self.shape, self.seeds)
        data = {}
        for name, var in first.data_vars.items():
            values = np.stack([results[k][name].values for k in range(self.size)])
            data[name] = (
                (*self.names, SEED_DIM, *var.dims),
                values.reshape(lead + var.shape),
                var.attrs,
            )
        coords = {
            name: (name, np.asarray(values), dict(self.grid_attrs.get(name, {})))
            for name, values in self.grid.items()
        }
        coords[SEED_DIM] = (
            (SEED_DIM,),
            np.arange(self.seeds),
            _schema.meta("repetition"),
        )
        for name, coord in first.coords.items():
            coords[name] = coord
        return xr.Dataset(data, coords=coords, attrs=self.attrs())

    def attrs(self) -> dict:
        return {
            **self.extra_attrs,
            **self.identity,
            **self.code,
            **provenance(self.root),
            "spinmem_version": package_version(),
        }


def function_name(function) -> str:
    """A readable name for the sweep's function: module and qualified name (for a
    partial, also the names of its bound arguments; their values are compared through
    ``sweep_code``)."""
    if isinstance(function, functools.partial):
        keywords = ", ".join(sorted(function.keywords))
        return (
            f"partial({function_name(function.func)}, {len(function.args)} args, "
            f"keywords: {keywords})"
        )
    module = getattr(function, "__module__", None) or type(function).__module__
    name = getattr(function, "__qualname__", None) or type(function).__qualname__
    return f"{module}.{name}"


def _check_grid(grid) -> dict[str, list]:
    if not isinstance(grid, Mapping):
        raise TypeError(f"grid must be a dict of name -> values, got {type(grid).__name__}")
    out = {}
    for name, values in grid.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"grid names must be identifiers, got {name!r}")
        if name in (SEED_DIM, POINT):
            raise ValueError(f"grid name {name!r} is reserved")
        arr = np.asarray(values, dtype=object)  # object: [1, "x"] keeps its types
        if arr.ndim != 1:
            raise ValueError(
                f"grid[{name!r}] must be a 1-D sequence of values, got shape {arr.shape}"
            )
        if arr.size == 0:
            raise ValueError(f"grid[{name!r}] is empty; give at least one value")
        items = [_plain(v, name) for v in arr.tolist()]
        if len({isinstance(v, str) for v in items}) > 1:
            raise TypeError(
                f"grid[{name!r}] mixes strings and numbers: {items}; "
                "use one kind per coordinate"
            )
        if len(set(items)) != len(items):
            raise ValueError(f"grid[{name!r}] has repeated values: {items}")
        out[name] = items
    return out


def _plain(value, name):
    if isinstance(value, bool | str):
        return value
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        if not np.isfinite(value):
            raise ValueError(f"grid[{name!r}] values must be finite, got {value}")
        return float(value)
    raise TypeError(f"grid[{name!r}] values must be numbers or strings, got {value!r}")


def _as_dataset(output) -> xr.Dataset:
    if isinstance(output, xr.Dataset):
        return output.copy()
    if isinstance(output, Mapping):
        data = {}
        for name, value in output.items():
            arr = np.asarray(value)
            data[name] = ([f"{name}_dim{a}" for a in range(arr.ndim)], arr)
        return xr.Dataset(data)
    raise TypeError(
        f"function must return an xarray.Dataset or a dict, got {type(output).__name__}"
    )


def _check_consistent(template: xr.Dataset, ds: xr.Dataset, coords: dict) -> None:
    where = ", ".join(f"{k}={v!r}" for k, v in coords.items())
    if set(template.data_vars) != set(ds.data_vars):
        raise ValueError(
            f"function returned inconsistent variables across points: at {where} "
            f"{sorted(ds.data_vars)}, expected {sorted(template.data_vars)}"
        )
    for name, var in ds.data_vars.items():
        ref = template[name]
        if var.dims != ref.dims or var.shape != ref.shape:
            raise ValueError(
                f"function returned inconsistent shapes across points: at {where} "
                f"{name!r} has dims {var.dims} shape {var.shape}, expected dims "
                f"{ref.dims} shape {ref.shape}"
            )
    for name, coord in ds.coords.items():
        if name not in template.coords or not coord.equals(template.coords[name]):
            raise ValueError(
                f"function returned inconsistent coordinate {name!r} across points "
                f"(at {where})"
            )


# ------------------------------------------------------------------------- the store


_JOURNAL_IDENTITY = (
    "sweep_function",
    "sweep_grid",
    "sweep_seeds",
    "seed_entropy",
    "seed_spawn_key",
)


def _journal_identity(attrs) -> dict[str, str]:
    return {key: str(attrs.get(key)) for key in _JOURNAL_IDENTITY}


def _for_file(ds: xr.Dataset, status: str, failures=()) -> xr.Dataset:
    out = storage.stamp(storage.prepare(ds), f"spinmem.sweep ({status})")
    out.attrs["sweep_status"] = status
    if failures:
        out.attrs["sweep_failures"] = json.dumps(
            [{"coords": f["coords"], "error": f["error"]} for f in failures],
            default=str,
        )
    return out


def _read_store(path: Path, plan: _Plan, seed, allow_changed) -> xr.Dataset | None:
    if not path.exists():
        return None
    ds = storage.load(path)
    if "sweep_status" not in ds.attrs:
        raise FileExistsError(
            f"{path} exists and is not a spinmem sweep store; choose another store path"
        )
    for key, value in plan.identity.items():
        if ds.attrs.get(key) != value:
            raise FileExistsError(
                f"{path} holds a different sweep ({key} = {ds.attrs.get(key)!r}, this call "
                f"has {value!r}); use a new store path (combine the files afterwards with "
                "spinmem.analysis.combine) or delete the old store"
            )
    if seed is not None:
        wanted = root_sequence(seed)
        if provenance(wanted) != {k: ds.attrs.get(k) for k in provenance(wanted)}:
            raise FileExistsError(
                f"{path} was written with root seed entropy "
                f"{ds.attrs.get('seed_entropy')}, this call asks for {wanted.entropy}; "
                "pass seed=None to resume it"
            )
    _check_code(path, ds.attrs, plan, allow_changed)
    return ds


def _check_code(path: Path, attrs: dict, plan: _Plan, allow_changed: bool) -> None:
    """Refuse a store whose points another version of the function computed."""
    stored = attrs.get("sweep_code")
    current = plan.code["sweep_code"]
    if stored == current:
        return
    if allow_changed:
        plan.extra_attrs["sweep_code_previous"] = str(stored)
        return
    if stored is None:
        what = ["the store records no code identity (written by spinmem 0.1)"]
    else:
        what = _identity.differences(json.loads(stored), json.loads(current))
    python = attrs.get("sweep_python")
    if python and python != plan.code["sweep_python"]:
        what.append(f"it was written under {python}, this is {plan.code['sweep_python']}")
    raise FileExistsError(
        f"{path} holds points computed by another version of the sweep function: "
        + "; ".join(what)
        + ". Use a new store path, or pass allow_changed_function=True to keep the "
        "stored points and compute only the missing ones with the function as it is now"
    )


def _restamp(store: Path, plan: "_Plan", existing: xr.Dataset) -> xr.Dataset:
    """A complete store kept under a changed function: same points, the current code
    identity, the previous one in ``sweep_code_previous``."""
    ds = existing.assign_attrs({**plan.extra_attrs, **plan.code})
    storage.write_atomic(_for_file(ds, "complete"), store)
    return _strip(storage.load(store))


def _root_from(ds: xr.Dataset) -> np.random.SeedSequence:
    from .seeding import from_provenance

    return from_provenance(ds.attrs)


def _unstack(stacked: xr.Dataset) -> dict[int, xr.Dataset]:
    if POINT not in stacked.dims or stacked.sizes[POINT] == 0:
        return {}
    extra = [name for name, c in stacked.coords.items() if c.dims == (POINT,)]
    base = stacked.drop_vars(extra)
    base.attrs = {}
    keys = stacked[POINT].values.tolist()
    return {k: base.isel({POINT: i}, drop=True) for i, k in enumerate(keys)}


def _strip(ds: xr.Dataset) -> xr.Dataset:
    ds = ds.copy()
    for key in _FILE_ONLY_ATTRS:
        ds.attrs.pop(key, None)
    return ds


# ------------------------------------------------------------------------- execution


class PointTimeout(TimeoutError):
    """A sweep point ran longer than the sweep's ``timeout``."""


def run_point(function, kwargs, timeout=None):
    """Call ``function(**kwargs)``; return ``("ok", result)`` or ``("error", text)``.

    With ``timeout`` (seconds) an alarm raises :class:`PointTimeout` inside the call
    when it runs longer (main thread of the process only).
    """
    try:
        with _alarm(timeout), _progress.silenced():
            return ("ok", function(**kwargs))
    except Exception:
        return ("error", traceback.format_exc())


@contextlib.contextmanager
def _alarm(timeout):
    if timeout is None:
        yield
        return

    def expire(signum, frame):
        raise PointTimeout(f"the point ran longer than timeout={timeout} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _check_importable(function) -> None:
    """Refuse, before anything runs, a function that worker processes cannot import."""
    import pickle

    try:
        pickle.dumps(function)
    except Exception:
        raise TypeError(
            f"function {function_name(function)} must be importable for workers=...: a "
            "function defined at the top level of a module (not a lambda, a nested "
            "function or a closure), since each worker process imports it by name"
        ) from None


def _check_timeout(timeout, workers, client) -> float | None:
    if timeout is None:
        return None
    timeout = _checks.real("timeout", timeout, positive=True)
    if client is not None:
        raise ValueError("timeout is not available with a Dask client; use workers=...")
    if not hasattr(signal, "setitimer"):
        raise ValueError("timeout needs alarm signals, which this platform lacks")
    in_main = threading.current_thread() is threading.main_thread()
    if workers is None and not in_main:
        raise ValueError(
            "timeout in-process needs the main thread (alarm signals); use workers=..."
        )
    return timeout


def _execute(plan: _Plan, todo: list[int], workers, client, finished: list):
    """``(k, outcome)`` for every point of ``todo``, in the order they finish.

    When the consumer stops early (an exception, ``KeyboardInterrupt``), the points
    that had finished but were not yet handed over go to ``finished``, queued points
    are cancelled and running ones stopped before the exception goes on.
    """
    if client is not None:
        yield from _execute_dask(plan, todo, client, finished)
    elif workers is None:
        for k in todo:
            yield k, run_point(plan.function, plan.kwargs(k), plan.timeout)
    else:
        yield from _execute_processes(plan, todo, workers, finished)


def _execute_dask(plan, todo, client, finished):
    from dask.distributed import as_completed as dask_completed

    futures = {
        client.submit(run_point, plan.function, plan.kwargs(k), pure=False): k for k in todo
    }
    handed = set()
    try:
        for future in dask_completed(futures):
            handed.add(future)
            yield futures[future], future.result()
    except BaseException:
        with _sigint_ignored():
            for future, k in futures.items():
                if future not in handed and future.status == "finished":
                    finished.append((k, future.result()))
            client.cancel(list(futures))
        raise


def _execute_processes(plan, todo, workers, finished):
    """Points on a pool of worker processes. A worker that dies (a crash, a signal,
    ``os._exit``) breaks the pool; the points it left unfinished then run one at a
    time, so that the point that kills its worker is recorded as failed and every
    other point is still computed."""
    left = yield from _in_pool(plan, todo, workers, finished)
    if left:
        yield from _one_at_a_time(plan, left, finished)


WORKER_DIED = (
    "the worker process died while computing this point (a crash such as a "
    "segmentation fault, a signal, os._exit or running out of memory; or a fresh "
    "process could not import the function: it must be importable, and a script must "
    "start its sweep under if __name__ == '__main__':)"
)


def _pool(workers: int) -> ProcessPoolExecutor:
    import multiprocessing

    threads = max(1, (os.cpu_count() or 1) // workers)
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_worker_start,
        initargs=(threads, os.getpid()),
    )


def _in_pool(plan, todo, workers, finished):
    """``(k, outcome)`` as points finish; returns the points left when the pool broke."""
    pool = _pool(workers)
    futures, handed = {}, set()
    try:
        for k in todo:
            futures[pool.submit(run_point, plan.function, plan.kwargs(k), plan.timeout)] = k
        for future in as_completed(futures):
            if isinstance(future.exception(), BrokenProcessPool):
                break
            handed.add(future)
            yield futures[future], future.result()
        else:
            pool.shutdown(wait=True)
            return []
    except BaseException:
        finished.extend(_finished(futures, handed))
        _stop(pool)
        raise
    _stop(pool)
    done = _finished(futures, handed)
    for k, outcome in done:
        yield k, outcome
    return [k for f, k in futures.items() if f not in handed and k not in dict(done)]


def _finished(futures, handed) -> list:
    """The points that finished but were not handed over yet."""
    return [
        (k, future.result())
        for future, k in futures.items()
        if future not in handed
        and future.done()
        and not future.cancelled()
        and future.exception() is None
    ]


def _one_at_a_time(plan, todo, finished):
    """Each point alone on one worker; a point that kills its worker fails."""
    pool = None
    try:
        for k in todo:
            pool = pool or _pool(1)
            future = pool.submit(run_point, plan.function, plan.kwargs(k), plan.timeout)
            if isinstance(future.exception(), BrokenProcessPool):
                _stop(pool)
                pool = None
                yield k, ("error", WORKER_DIED)
            else:
                yield k, future.result()
    except BaseException:
        if pool is not None:
            _stop(pool)
        raise
    if pool is not None:
        pool.shutdown(wait=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel queued points and end the worker processes now, deaf to a second
    Ctrl-C while doing so."""
    with _sigint_ignored():
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)


class _sigint_ignored:
    """Ignore SIGINT inside the block (main thread only; elsewhere a no-op)."""

    def __enter__(self):
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        return self

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _worker_start(threads: int, parent: int) -> None:
    """Worker set-up: numba threads; Ctrl-C is the parent's to handle; exit when the
    parent is gone (killed), so that no worker outlives its sweep."""
    import numba

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
