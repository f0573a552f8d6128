"""Append-only journal of finished sweep points, and the lock on a sweep store.

A sweep store ``run.h5`` is written through two companions while a sweep runs:

- ``run.h5.journal``: one record per finished point, handed to the operating system
  before the point counts as finished, so that the end of the process, ``kill -9``
  included, cannot lose it; the file is synced to disk (``fdatasync``) at most once a
  second and when the sweep ends, so a crash of the whole machine can lose the points
  of the last second. A record is a fixed header (magic,
  payload length, CRC-32 of the payload) followed by the payload, so the cost of a
  commit does not depend on how many points came before. A record cut short by a crash
  fails its length or checksum test and is ignored with everything after it: a
  partially written point is never read back as finished.
- ``run.h5.lock``: held with an exclusive ``flock`` by the one process writing the
  store, and holding that process's id, host and start time. The operating system
  releases the lock when the process ends, however it ends, so a lock left by
  ``kill -9`` is free for the next run.

The first record of a journal names the sweep it belongs to: the store attributes
that identify a sweep (function, grid, seeds, root seed). A journal whose identity is
not that of the store beside it (a store replaced by another sweep's) is refused rather
than read into it.

A payload is a JSON header (the point's flat index, and for every variable and
coordinate its dimensions, dtype, shape and attributes) followed by the raw bytes of the
arrays, in the order of the header.
"""

import fcntl
import json
import os
import socket
import struct
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import xarray as xr

from .storage import StorageError

MAGIC = b"SPJ1"
HEADER_MAGIC = b"SPJH"  # the first record: the identity of the sweep the journal belongs to
_HEADER = struct.Struct("<4sQI")  # magic, payload length, CRC-32 of payload


class StoreLocked(RuntimeError):
    """Another process is writing the sweep store."""


def journal_path(store: Path) -> Path:
    return store.with_name(store.name + ".journal")


def lock_path(store: Path) -> Path:
    return store.with_name(store.name + ".lock")


# ------------------------------------------------------------------------- encoding


def encode(index: int, ds: xr.Dataset) -> bytes:
    """One point as a journal record (header and payload).

    Raises
    ------
    TypeError
        A variable or coordinate whose values cannot be stored as a fixed-size array
        (Python objects, integers beyond 64 bits, nested containers).
    """
    meta = {"index": int(index), "vars": [], "coords": []}
    blobs = []
    for kind, items in (("vars", ds.data_vars.items()), ("coords", ds.coords.items())):
        for name, var in items:
            values = _plain_array(str(name), var.values)
            meta[kind].append(
                {
                    "name": str(name),
                    "dims": list(var.dims),
                    "dtype": values.dtype.str,
                    "shape": list(values.shape),
                    "attrs": _json_attrs(str(name), var.attrs),
                }
            )
            blobs.append(values.tobytes())
    head = json.dumps(meta).encode()
    payload = struct.pack("<Q", len(head)) + head + b"".join(blobs)
    return _HEADER.pack(MAGIC, len(payload), zlib.crc32(payload)) + payload


def _plain_array(name: str, values) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype == object:
        try:
            arr = np.asarray(arr.tolist())
        except (TypeError, ValueError, OverflowError) as exc:
            raise TypeError(f"{name!r} holds values that cannot be stored: {exc}") from None
        if arr.dtype == object:
            raise TypeError(
                f"{name!r} holds Python objects ({_example(values)}), which cannot be "
                "stored; return numbers, booleans or strings"
            )
    if arr.dtype.kind not in "biufcUSMm":
        raise TypeError(f"{name!r} has dtype {arr.dtype}, which cannot be stored")
    return arr if arr.flags.c_contiguous else arr.copy(order="C")


def _example(values) -> str:
    flat = np.asarray(values, dtype=object).ravel()
    return f"e.g. {flat[0]!r}" if flat.size else "empty"


def _json_attrs(name: str, attrs: dict) -> dict:
    out = {}
    for key, value in attrs.items():
        if isinstance(value, np.ndarray):
            value = value.tolist()
        elif isinstance(value, np.generic):
            value = value.item()
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise TypeError(
                f"attribute {key!r} of {name!r} cannot be stored: {value!r}"
            ) from None
        out[key] = value
    return out


def decode(payload: bytes) -> tuple[int, xr.Dataset]:
    """The flat index and the Dataset of one record's payload."""
    (head_len,) = struct.unpack_from("<Q", payload)
    meta = json.loads(payload[8 : 8 + head_len])
    offset = 8 + head_len
    made = {}
    for kind in ("vars", "coords"):
        made[kind] = {}
        for item in meta[kind]:
            dtype = np.dtype(item["dtype"])
            count = int(np.prod(item["shape"], dtype=np.int64))
            values = np.frombuffer(payload, dtype=dtype, count=count, offset=offset)
            offset += count * dtype.itemsize
            made[kind][item["name"]] = xr.Variable(
                item["dims"], values.reshape(tuple(item["shape"])).copy(), item["attrs"]
            )
    return meta["index"], xr.Dataset(made["vars"], coords=made["coords"])


# ------------------------------------------------------------------------- the file


def read(path: Path, identity: dict[str, str] | None = None) -> dict[int, xr.Dataset]:
    """Every whole record of the journal at ``path`` (none if it does not exist).

    With ``identity``, the journal must belong to that sweep: a journal that names
    another sweep, or none, is refused with :class:`~spinmem.storage.StorageError`.
    """
    if not path.exists():
        return {}
    header, points = None, {}
    for magic, payload, _ in _records(path.read_bytes()):
        if magic == HEADER_MAGIC:
            header = json.loads(payload)
        else:
            index, ds = decode(payload)
            points[index] = ds
    if identity is not None and (header is not None or points):
        _check_identity(path, header, identity)
    return points


def _check_identity(path: Path, header: dict | None, identity: dict[str, str]) -> None:

    if header is None:
        raise StorageError(
            f"the journal {path} records no sweep identity (written by spinmem 0.1), so "
            "its points cannot be checked against the store; move it away to compute "
            "those points again"
        )
    differ = [k for k in identity if header.get(k) != identity[k]]
    if differ:
        shown = "; ".join(
            f"{k} = {header.get(k)!r} there, {identity[k]!r} in the store" for k in differ
        )
        raise StorageError(
            f"the journal {path} belongs to another sweep than the store beside it "
            f"({shown}); it is not read into this store. Move it away (its points "
            "belong to the store it was written with) and run again"
        )


def encode_header(identity: dict[str, str]) -> bytes:
    """The journal's first record: the sweep ``identity``."""
    payload = json.dumps(identity, sort_keys=True).encode()
    return _HEADER.pack(HEADER_MAGIC, len(payload), zlib.crc32(payload)) + payload


def _records(data: bytes):
    """``(magic, payload, end offset)`` of each whole record, up to the first torn one."""
    offset = 0
    while offset + _HEADER.size <= len(data):
        magic, length, crc = _HEADER.unpack_from(data, offset)
        start = offset + _HEADER.size
        payload = data[start : start + length]
        if (
            magic not in (MAGIC, HEADER_MAGIC)
            or len(payload) != length
            or zlib.crc32(payload) != crc
        ):
            return  # a record cut short by a crash, and nothing valid after it
        offset = start + length
        yield magic, payload, offset


class Writer:
    """Appends records to a journal: each one is with the operating system when
    :meth:`append` returns, and on disk within ``sync_every`` seconds.

    Opening truncates a torn tail left by a crash, so new records follow the last whole
    one; a new (or empty) journal starts with the record of the sweep ``identity``.
    """

    def __init__(
        self, path: Path, identity: dict[str, str] | None = None, sync_every: float = 1.0
    ):
        self.path = path
        self.sync_every = sync_every
        valid = _valid_length(path)
        self.handle = open(path, "ab")
        if self.handle.tell() != valid:
            self.handle.truncate(valid)
            self.handle.seek(valid)
        self.synced = time.monotonic()
        if valid == 0 and identity is not None:
            self.append(encode_header(identity))

    def append(self, record: bytes) -> None:
        self.handle.write(record)
        self.handle.flush()
        if time.monotonic() - self.synced >= self.sync_every:
            self._sync()

    def _sync(self) -> None:
        os.fdatasync(self.handle.fileno())
        self.synced = time.monotonic()

    def close(self) -> None:
        if not self.handle.closed:
            self.handle.flush()
            self._sync()
            self.handle.close()


def _valid_length(path: Path) -> int:
    if not path.exists():
        return 0
    ends = [end for _, _, end in _records(path.read_bytes())]
    return ends[-1] if ends else 0


# ------------------------------------------------------------------------- the lock


class Lock:
    """An exclusive lock on a sweep store, held until :meth:`release` or process end.

    :meth:`release` removes the lock file before unlocking it, so a process that
    opened the old file and then obtained its lock holds a file that is no longer the
    store's lock: it checks, after locking, that its file is still the one at the lock
    path, and starts again on the new file when it is not. Only one process at a time
    can hold the file that is at the path.
    """

    def __init__(self, store: Path):
        self.path = lock_path(store)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            self.handle = open(self.path, "a+")
            try:
                fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = self._holder()
                raise StoreLocked(
                    f"{store} is being written by another sweep ({holder}); wait for it "
                    f"to finish or stop it. The lock is held by that process only while "
                    f"it runs, through {self.path}"
                ) from None
            if self._current():
                break
            self.handle.close()  # released and removed meanwhile: lock the new file
        self.handle.seek(0)
        self.handle.truncate()
        started = datetime.now(UTC).isoformat(timespec="seconds")
        self.handle.write(f"pid {os.getpid()} on {socket.gethostname()}, since {started}")
        self.handle.flush()

    def _holder(self) -> str:
        self.handle.seek(0)
        holder = self.handle.read().strip() or "unknown process"
        self.handle.close()
        return holder

    def _current(self) -> bool:
        """Whether the locked file is still the one at the lock path."""
        try:
            at_path = os.stat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(self.handle.fileno())
        return (at_path.st_dev, at_path.st_ino) == (mine.st_dev, mine.st_ino)

    def release(self) -> None:
        if self.handle.closed:
            return
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        fcntl.flock(self.handle.fileno(), fcntl.LOCK_UN)
        self.handle.close()
