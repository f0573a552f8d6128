"""Results in HDF5: :func:`save` and :func:`load` through h5netcdf.

Files are plain netCDF4/HDF5: they open with ``xarray.open_dataset(path,
engine="h5netcdf")`` and with ``h5py``. Every variable carries a ``long_name`` (the
variable's name when a dataset lacks one) and the package's own variables UDUNITS
``units``: energies, temperatures and fields are in units of the couplings and sweeps
are counts, so all are ``"1"`` (the global ``energy_convention`` says which energy).
Every file carries provenance: the package version, the creation time (``created``, UTC,
ISO 8601), a ``history`` line per write and whatever the dataset's own attributes record
(parameters, seed entropy), with the CF global attributes ``Conventions``, ``source``
and ``references``.

Files written by spinmem 0.1 named their units in words (``"coupling units"``,
``"sweeps"``, ``"steps"``, ``"dreams"``) or wrote ``"unspecified"``, and called the
sweep axis of a trajectory ``time``; :func:`load` reads those units as ``"1"`` and as no
units (``LEGACY_UNITS``) and that axis as ``sweep`` (:func:`upgrade`), and so does a
sweep with the points it stores. The layout in the file (no fill values on
coordinates, string labels, compression) is described in ``spinmem._netcdf``.

Writes are atomic (``spinmem._atomic``), of whole files and of groups alike: the new
file goes to a temporary file beside the target, which is flushed to disk and then
renamed over it, so a crash, a full disk, Ctrl-C or SIGTERM leaves either the old file
or the new one, never a torn one. Writing a group replaces the whole group: nothing of
the dataset it held before is kept.
"""

import os
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import xarray as xr

from . import _checks, _netcdf, _schema
from ._atomic import (
    StorageError,
    _check_disk,
    _check_target,
    _make_parent,
    _remove_stale_temporaries,
    _write_bytes,
)
from ._version import package_version

__all__ = ["LEGACY_UNITS", "StorageError", "load", "rewrite", "save", "upgrade"]

ENGINE = "h5netcdf"

LEGACY_UNITS = {
    "coupling units": "1",
    "sweeps": "1",
    "steps": "1",
    "dreams": "1",
    "unspecified": None,
}
"""Units written in words by spinmem 0.1, and the UDUNITS units :func:`load` reads them
as (None: no units attribute)."""


def save(
    dataset: xr.Dataset,
    path: str | os.PathLike,
    *,
    group: str | None = None,
    overwrite: bool = False,
    compress: bool = True,
) -> Path:
    """Write ``dataset`` to HDF5 at ``path`` (optionally into ``group``).

    Parameters
    ----------
    dataset : xarray.Dataset
    path : str or os.PathLike
    group : str, optional
        HDF5 group to write into; other groups of an existing file are kept.
    overwrite : bool
        Replace a file (or group) that holds a different dataset. Without it, writing
        over a different run raises :class:`FileExistsError`; writing a dataset
        identical to the stored one is allowed and leaves the file as it is.
    compress : bool
        Compress numeric variables with zlib (lossless; a recorded state history is
        several times smaller). False writes them uncompressed, for readers without
        zlib or for the fastest writes.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    if not isinstance(dataset, xr.Dataset):
        raise TypeError(f"dataset must be an xarray.Dataset, got {type(dataset).__name__}")
    path = Path(path)
    if group is not None and (not isinstance(group, str) or not group.strip("/")):
        raise ValueError(f"group must be a non-empty string or None, got {group!r}")
    _check_target(path)
    prepared = prepare(dataset)
    if path.exists() and not overwrite:
        existing = _existing(path, group)
        if existing is not None:
            if _same_run(existing, prepared):
                return path
            where = f"group {group!r} of {path}" if group else str(path)
            raise FileExistsError(
                f"{where} already holds a different dataset; pass overwrite=True to "
                "replace it, or choose another path"
            )
    stamped = stamp(prepared, "spinmem.save")
    if group is None:
        write_atomic(stamped, path, compress=compress)
    else:
        write_group(stamped, path, group, compress=compress)
    return path


def load(
    path: str | os.PathLike,
    *,
    group: str | None = None,
    chunks: int | dict | str | None = None,
) -> xr.Dataset:
    """Read a dataset written by :func:`save` (or any netCDF4/HDF5 file).

    Parameters
    ----------
    path : str or os.PathLike
    group : str, optional
        HDF5 group to read (``spinmem info FILE`` lists them).
    chunks : int, dict or "auto", optional
        Read lazily, as Dask arrays in these chunks (as in
        :func:`xarray.open_dataset`; needs the ``dask`` extra): for stores larger than
        memory. The file stays open until the dataset is closed
        (``with spinmem.load(path, chunks="auto") as ds: ...``). Without ``chunks``
        everything is read into memory and the file is closed.

    Returns
    -------
    xarray.Dataset

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    StorageError
        The file is truncated, corrupt, not HDF5, lacks ``group``, or holds only
        groups there (the message lists them).
    """
    path = Path(path)
    ds = upgrade(_read(path, group, chunks))
    if not ds.variables and not ds.attrs:
        groups = _groups(path, group)
        if groups:
            where = f"group {group!r} of {path}" if group else str(path)
            raise StorageError(
                f"{where} holds no dataset of its own, only the groups "
                f"{', '.join(groups)}; pass group=... (spinmem info --group ...)"
            )
    return ds


def rewrite(
    path: str | os.PathLike, *, attrs: dict | None = None, compress: bool = True
) -> Path:
    """Rewrite the file at ``path`` (its own dataset and its top-level groups) in the
    layout this version writes: units and axis names of :func:`upgrade`, the CF layout
    of ``spinmem._netcdf``, compression. Numbers, dimensions and attributes are
    kept; ``history`` gains a line; the write is atomic.

    Parameters
    ----------
    path : str or os.PathLike
        A netCDF-4 file written by spinmem (any version) or by xarray.
    attrs : dict, optional
        Global attributes to add to (or replace in) the file's own dataset, for example
        a ``title`` that an earlier version did not write.
    compress : bool
        As for :func:`save`.

    Returns
    -------
    pathlib.Path
        The path rewritten.
    """
    path = Path(path)
    _check_netcdf(path)
    root = upgrade(_read(path, None)).assign_attrs(attrs or {})
    groups = {g: upgrade(_read(path, g)) for g in _groups(path, None)}
    writer = "spinmem.storage.rewrite"

    def encode():
        import io

        buffer = io.BytesIO()
        for group, dataset in {None: root, **groups}.items():
            encoded = stamp(prepare(dataset), writer)
            ds, encoding = _netcdf.encode(encoded, compress=compress)
            mode = "w" if group is None else "a"
            ds.to_netcdf(buffer, mode=mode, group=group, engine=ENGINE, encoding=encoding)
        return buffer.getbuffer()

    _checks.memory("rewrite", 3 * path.stat().st_size, f"the file {path}, in memory")
    _write_bytes(path, encode)
    return path


def upgrade(ds: xr.Dataset) -> xr.Dataset:
    """A dataset as spinmem 0.2 writes it.

    Units written in words by spinmem 0.1 (``LEGACY_UNITS``) become their UDUNITS
    form, in place, and a 0.1 trajectory's ``time`` axis (sweeps done) is renamed
    ``sweep``.

    Parameters
    ----------
    ds : xarray.Dataset

    Returns
    -------
    xarray.Dataset
        ``ds`` itself, or a renamed copy.
    """
    for var in ds.variables.values():
        units = var.attrs.get("units")
        if isinstance(units, str) and units in LEGACY_UNITS:
            if LEGACY_UNITS[units] is None:
                del var.attrs["units"]
            else:
                var.attrs["units"] = LEGACY_UNITS[units]
    legacy_axis = "time" in ds.dims and "sweep" not in ds.variables
    if legacy_axis and ds.variables.get("time", xr.Variable((), 0)).attrs.get(
        "long_name"
    ) in ("sweeps done", "sweeps"):
        ds = ds.rename({"time": "sweep"})
    return ds


def _read(path: Path, group: str | None, chunks=None) -> xr.Dataset:
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    if chunks is not None:
        _checks.optional("dask", "load(..., chunks=...)", "dask")
    try:
        if chunks is None:
            with xr.open_dataset(path, group=group, engine=ENGINE) as ds:
                ds = ds.load()
        else:
            ds = xr.open_dataset(path, group=group, engine=ENGINE, chunks=chunks)
    except (OSError, ValueError, KeyError) as exc:
        what = f"group {group!r} of {path}" if group else str(path)
        raise StorageError(
            f"{what} is not a readable netCDF4/HDF5 file (truncated, corrupt or foreign): "
            f"{exc}"
        ) from None
    return _netcdf.decode(ds)


def _groups(path: Path, group: str | None) -> list[str]:
    import h5py

    with h5py.File(path, "r") as handle:
        node = handle[group] if group else handle
        return sorted(k for k, v in node.items() if isinstance(v, h5py.Group))


CONVENTIONS = "CF-1.10"
REFERENCES = (
    "spinmem docs/physics.md (model, conventions, algorithms); D. J. Amit, H. "
    "Gutfreund and H. Sompolinsky, Ann. Phys. 173, 30 (1987)"
)


def stamp(dataset: xr.Dataset, writer: str) -> xr.Dataset:
    """The dataset with ``created`` (UTC) and a line added to ``history``."""
    created = datetime.now(UTC).isoformat(timespec="seconds")
    line = f"{created}: written by {writer} (spinmem {package_version()})"
    history = dataset.attrs.get("history")
    history = f"{history}\n{line}" if history else line
    return dataset.assign_attrs(created=created, history=history)


def prepare(dataset: xr.Dataset) -> xr.Dataset:
    """A copy whose coordinates have the long names and units of
    ``spinmem._schema.COORDINATES``, whose variables all have a ``long_name``, whose
    attributes are storable in HDF5 (booleans as 0/1, None dropped), with the package
    version and the global attributes ``Conventions``, ``source`` and ``references`` of
    the CF conventions."""
    ds = dataset.copy()
    _schema.describe(ds)
    for name, var in ds.variables.items():
        var.attrs.setdefault("long_name", str(name))
        var.attrs.update(_storable(var.attrs))
    ds.attrs = _storable(ds.attrs)
    ds.attrs.setdefault("spinmem_version", package_version())
    ds.attrs.setdefault("Conventions", CONVENTIONS)
    ds.attrs.setdefault("source", f"spinmem {ds.attrs['spinmem_version']}")
    ds.attrs.setdefault("references", REFERENCES)
    return ds


def _storable(attrs: dict) -> dict:
    out = {}
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, bool | np.bool_):
            value = int(value)
        out[key] = value
    return out


def write_atomic(dataset: xr.Dataset, path: Path, *, compress: bool = True) -> None:
    """Write ``dataset`` (laid out by ``spinmem._netcdf.encode``) to a temporary
    file beside ``path``, fsync, rename over it.

    The netCDF bytes are made in memory first (on disk only when they would not fit),
    so a full disk is a plain ``OSError`` from writing bytes, never a half-written HDF5
    handle. The temporary file is named ``.<name>.<pid>.<random>.tmp`` and removed on
    an exception, Ctrl-C or SIGTERM; one left behind by a process that was killed
    (``kill -9``) is removed by the next write to ``path``.
    """
    path = Path(path)
    _make_parent(path)
    _remove_stale_temporaries(path)
    nbytes = int(dataset.nbytes)
    ds, encoding = _netcdf.encode(dataset, compress=compress)
    if _checks.fits(3 * nbytes + 2**26):
        _write_bytes(path, lambda: ds.to_netcdf(engine=ENGINE, encoding=encoding))
    else:
        _check_disk(path, nbytes)
        _write_bytes(
            path, None, lambda tmp: ds.to_netcdf(tmp, engine=ENGINE, encoding=encoding)
        )


def write_group(
    dataset: xr.Dataset, path: Path, group: str, *, compress: bool = True
) -> None:
    """Put ``dataset`` into ``group`` of the netCDF file at ``path`` in place of what
    the group held (nothing of the old group is kept), other groups untouched; written
    like :func:`write_atomic`, so the old file survives any failure."""
    path = Path(path)
    _make_parent(path)
    _remove_stale_temporaries(path)
    ds, encoding = _netcdf.encode(dataset, compress=compress)
    if not path.exists():
        _write_bytes(
            path, lambda: ds.to_netcdf(group=group, engine=ENGINE, encoding=encoding)
        )
        return
    _check_netcdf(path)
    size = path.stat().st_size + int(dataset.nbytes)
    _checks.memory("save", 3 * size, f"the file {path} and the new group, in memory")

    def encode():
        import io

        import h5py

        buffer = io.BytesIO(path.read_bytes())
        with h5py.File(buffer, "r+") as handle:
            if group.strip("/") in handle:
                del handle[group.strip("/")]
        ds.to_netcdf(buffer, mode="a", group=group, engine=ENGINE, encoding=encoding)
        return buffer.getbuffer()

    _write_bytes(path, encode)


def _check_netcdf(path: Path) -> None:
    """Refuse to add a group to a file that is not a readable netCDF-4 file."""
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            foreign = "_NCProperties" not in handle.attrs
    except OSError:
        foreign = False  # not HDF5 at all, or damaged: _read names it
    if foreign:
        raise StorageError(
            f"{path} is an HDF5 file but not a netCDF-4 file (no _NCProperties "
            "attribute); spinmem adds groups only to netCDF-4 files, so choose "
            "another path"
        )
    _read(path, None)  # refuses corrupt, truncated and non-HDF5 files


def _existing(path: Path, group: str | None) -> xr.Dataset | None:
    """The dataset stored at ``path``/``group``, None when the group does not exist."""
    if group is not None:
        import h5py

        try:
            with h5py.File(path, "r") as handle:
                if group.strip("/") not in handle:
                    return None
        except OSError as exc:
            raise StorageError(f"{path} is not a readable HDF5 file: {exc}") from None
    return _read(path, group)


def _same_run(stored: xr.Dataset, new: xr.Dataset) -> bool:
    stored, new = stored.copy(), new.copy()
    for attrs in (stored.attrs, new.attrs):
        for key in _WRITE_ATTRS:
            attrs.pop(key, None)
    return stored.identical(new)


_WRITE_ATTRS = ("created", "history")
"""Attributes that record the writing of a file, not the run it holds."""
