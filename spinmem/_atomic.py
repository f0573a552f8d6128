"""Atomic file writes: a temporary file beside the target, flushed to disk and renamed
over it, with Ctrl-C and SIGTERM held back until a clean stopping point
(``spinmem._signals``); checks of the target, the folder and the free disk space; and
the removal of temporary files that killed writers left behind.
"""

import contextlib
import errno
import glob
import os
import sys
import tempfile
import time
from pathlib import Path

from . import _checks, _signals


class StorageError(ValueError):
    """A file that is not a readable spinmem/netCDF HDF5 file, or a refused write."""

    __module__ = "spinmem.storage"  # its public home


_CHUNK = 2**26
"""Bytes written between checks for a held signal."""


def _write_bytes(path: Path, encode, write_file=None) -> None:
    """Atomically replace ``path`` by the bytes ``encode()`` returns (or by what
    ``write_file(tmp)`` writes), with signals held back until a clean stopping point."""
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent
    )
    handle = os.fdopen(fd, "wb", buffering=0)  # closing twice is harmless

    def remove():
        handle.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)

    try:
        with _signals.held(remove) as signals:
            os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; give what open() would
            if encode is not None:
                with _local_scheduler():
                    data = memoryview(encode()).cast("B")
                signals.check()
                for start in range(0, len(data), _CHUNK):
                    _write_all(handle, data[start : start + _CHUNK])
                    signals.check()
            else:
                write_file(tmp)
                signals.check()
            os.fsync(fd)
            handle.close()
            signals.check()
            os.replace(tmp, path)
    except BaseException:
        remove()
        raise
    _sync_folder(path.parent)


def _local_scheduler():
    """Encode in this process even when a Dask client is active: its distributed write
    locks are named after a file, and an in-memory file has no name."""
    if "dask" not in sys.modules:
        return contextlib.nullcontext()
    import dask

    return dask.config.set(scheduler="synchronous")


def _write_all(handle, data: memoryview) -> None:
    while data:
        data = data[handle.write(data) :]


def _sync_folder(folder: Path) -> None:
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _check_target(path: Path) -> None:
    """Refuse a path whose parent is a file, or that is a folder, with a clear error."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise StorageError(
                    f"path {path} cannot be written: {parent} is a file, not a folder"
                )
            break
    if path.is_dir():
        raise StorageError(f"path {path} is a folder; name a file to write")


def _make_parent(path: Path) -> None:
    _check_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)


def _check_disk(path: Path, nbytes: int) -> None:
    """Refuse, before writing, a file that would not fit on the disk of ``path``."""
    stats = os.statvfs(path.parent)
    free = stats.f_bavail * stats.f_frsize
    need = int(1.05 * nbytes) + 2**20
    if need > free:
        raise OSError(
            errno.ENOSPC,
            f"saving needs about {_checks.size(need)} on the disk of {path.parent}, "
            f"which has {_checks.size(free)} free",
        )


def _remove_stale_temporaries(path: Path) -> None:
    """Delete temporary files of earlier writes to ``path`` whose writer is gone."""
    prefix = f".{path.name}."
    for candidate in path.parent.glob(f"{glob.escape(prefix)}*.tmp"):
        middle = candidate.name[len(prefix) : -len(".tmp")]
        pid = middle.split(".", 1)[0]
        if "." in middle and pid.isdigit():
            stale = not _alive(int(pid))
        else:  # the unnamed temporaries of spinmem 0.1: stale when an hour old
            stale = time.time() - candidate.stat().st_mtime > 3600
        if stale:
            candidate.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # an earlier write of this process, interrupted
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
