"""The plan of a sweep: its grid, seeds, identity, the coordinates and seed of every
point, and the assembly of the points' results into one Dataset.
"""

import functools
import importlib.util
import json
import sys
from collections.abc import Mapping
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import xarray as xr

from .. import _identity, _schema, storage
from .._version import package_version
from ..seeding import child, provenance

POINT = "point"


SEED_DIM = "seed"


class Plan:
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

    def adopt_legacy_name(self, stored: str | None) -> bool:
        """Take ``stored`` as the function's name when it is the name spinmem 0.1 gave
        this function (``__main__.f``), so that its stores and journals resume."""
        if stored != function_name(self.function, legacy=True):
            return False
        self.identity["sweep_function"] = stored
        return True

    @property
    def journal_identity(self) -> dict[str, str]:
        """What a journal records of its sweep: the identity and the root seed."""
        return journal_identity({**self.identity, **provenance(self.root)})

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

    def seed_at(self, point: Mapping) -> np.random.SeedSequence:
        """The seed :meth:`kwargs` gives the point with grid values and repetition
        index ``point`` (``{name: value, ..., "seed": r}``)."""
        missing = [name for name in (*self.names, SEED_DIM) if name not in point]
        if missing:
            raise ValueError(f"point must give {missing} (the grid's names and 'seed')")
        position = []
        for name in self.names:
            value = _plain(point[name], name)
            if value not in self.grid[name]:
                raise ValueError(
                    f"point[{name!r}] = {value!r} is not on the grid: {self.grid[name]}"
                )
            position.append(self.grid[name].index(value))
        r = point[SEED_DIM]
        if not isinstance(r, Integral) or not 0 <= r < self.seeds:
            raise ValueError(
                f"point['seed'] must be an integer in [0, {self.seeds}), got {r!r}"
            )
        g = int(np.ravel_multi_index(position, self.shape)) if self.shape else 0
        return child(self.root, g, int(r))

    def normalise(self, k: int, output) -> xr.Dataset:
        """The point's output as a Dataset, checked against the first point's layout,
        with units written in words by spinmem 0.1 in their UDUNITS form (so that a
        store resumed across versions has one set of units)."""
        ds = storage.upgrade(_as_dataset(output))
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
        function = self.function
        while isinstance(function, functools.partial):
            function = function.func
        return {
            "title": f"spinmem.sweep of {function_name(self.function)}",
            "summary": _schema.summary(function),
            **self.extra_attrs,
            **self.identity,
            **self.code,
            **provenance(self.root),
            "spinmem_version": package_version(),
        }


def function_name(function, *, legacy: bool = False) -> str:
    """A readable name for the sweep's function: module and qualified name (for a
    partial, also the names of its bound arguments; their values are compared through
    ``sweep_code``). A function of a script run as ``__main__`` is named after the
    script's module (``spinmem.studies.rules`` for ``spinmem run rules`` or ``python
    studies/rules.py``) or file; ``legacy``: as spinmem 0.1 named it, ``__main__``."""
    if isinstance(function, functools.partial):
        keywords = ", ".join(sorted(function.keywords))
        inner = function_name(function.func, legacy=legacy)
        return f"partial({inner}, {len(function.args)} args, keywords: {keywords})"
    module = getattr(function, "__module__", None) or type(function).__module__
    name = getattr(function, "__qualname__", None) or type(function).__qualname__
    if module == "__main__" and not legacy:
        module = _main_module()
    return f"{module}.{name}"


def _main_module() -> str:
    """The module name of the script running as ``__main__``."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name and spec.name != "__main__":
        return spec.name
    file = getattr(main, "__file__", None)
    if not file:
        return "__main__"
    path = Path(file).resolve()
    studies = importlib.util.find_spec("spinmem.studies")
    folders = {Path(p).resolve() for p in (studies.submodule_search_locations or [])}
    if path.parent in folders:
        return f"spinmem.studies.{path.stem}"
    return path.stem


def check_grid(grid) -> dict[str, list]:
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


_JOURNAL_IDENTITY = (
    "sweep_function",
    "sweep_grid",
    "sweep_seeds",
    "seed_entropy",
    "seed_spawn_key",
)


def journal_identity(attrs) -> dict[str, str]:
    return {key: str(attrs.get(key)) for key in _JOURNAL_IDENTITY}
