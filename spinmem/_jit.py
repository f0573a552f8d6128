"""``cached_njit``: ``numba.njit(cache=True)`` whose on-disk cache processes can share;
``inner_njit``: ``numba.njit`` for helpers that only compiled code calls.

numba saves a newly compiled signature of a cached function by reading the function's
index file, taking the first data-file number the index does not use, and writing the
index back, with no lock between the read and the write. Two processes that compile
different signatures of one function at the same moment can both take number 1: the
index then names one signature while the data file holds the other's machine code, and
every later process that loads that signature runs code compiled for other argument
types (a TypeError when the item sizes differ, wrong numbers when they agree). spinmem
compiles its kernels for several storages and dtypes, and sweeps and the test suite run
several processes on one cache, so here each write holds an exclusive lock, and each
read a shared one, on a file beside the function's index (``fcntl.flock``; on platforms
without it, numba's own unlocked behaviour).

numba also keeps a cached function's machine code until the function's own source file
changes, though the code holds the helpers it inlined from other files: after an edit
of ``_kernels/couplings.py`` the drivers of ``_kernels/updates.py`` would still run the
old field and flip code. Here every cached function's code is stale once any source of
compiled code changes (:data:`SOURCES`).
"""

import contextlib
import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from numba import njit

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None


def cached_njit(**options) -> Callable[[Callable], Callable]:
    """Decorator: ``numba.njit(cache=True, **options)`` with locked cache reads and
    writes, cached code stale when any of :data:`SOURCES` changes, and without numba's
    C-function wrapper (the entry for first-class function
    values, which spinmem never passes; it is compiled for every signature otherwise).
    Under ``NUMBA_DISABLE_JIT`` the function is returned as plain Python."""

    def decorate(function: Callable) -> Callable:
        dispatcher = njit(cache=True, no_cfunc_wrapper=True, **options)(function)
        cache_file = getattr(getattr(dispatcher, "_cache", None), "_cache_file", None)
        if cache_file is not None:
            cache_file._source_stamp = _stamp()
            if fcntl is not None:
                _lock(cache_file)
        return dispatcher

    return decorate


_PACKAGE = Path(__file__).resolve().parent
SOURCES = (
    *sorted((_PACKAGE / "_kernels").glob("*.py")),
    _PACKAGE / "_rs_quadrature.py",
    Path(__file__).resolve(),
)
"""The files of every compiled function: a change of any of them makes every cached
function's machine code stale."""


def sources_stamp(paths: tuple[Path, ...]) -> tuple:
    """What numba compares to see whether cached code is stale (for one file it takes
    its modification time and size): the name, modification time and size of each of
    ``paths``."""
    stats = [(path.name, path.stat()) for path in paths]
    return tuple((name, st.st_mtime, st.st_size) for name, st in stats)


@functools.cache
def _stamp() -> tuple:
    """:func:`sources_stamp` of :data:`SOURCES`, read once per process."""
    return sources_stamp(SOURCES)


def inner_njit(function: Callable) -> Callable:
    """Decorator: ``numba.njit`` without the CPython wrapper, for a helper that only
    compiled code calls (LLVM inlines it). The wrapper, which unboxes records of arrays
    from Python objects, is much of a small function's compilation, once per storage;
    such a helper cannot be called from Python unless ``NUMBA_DISABLE_JIT`` is set."""
    return njit(no_cpython_wrapper=True, no_cfunc_wrapper=True)(function)


def _lock(cache_file) -> None:
    """Wrap one ``numba.core.caching.IndexDataCacheFile``'s ``save`` and ``load``."""
    path = cache_file._index_path + ".lock"
    save, load = cache_file.save, cache_file.load

    def locked_save(key, data):
        with _flock(path, fcntl.LOCK_EX):
            save(key, data)

    def locked_load(key):
        with _flock(path, fcntl.LOCK_SH):
            return load(key)

    cache_file.save, cache_file.load = locked_save, locked_load


@contextlib.contextmanager
def _flock(path: str, operation: int) -> Iterator[None]:
    """Hold ``flock(operation)`` on ``path`` (created if missing); no lock when its
    directory does not exist yet: then there is no cache to read."""
    try:
        handle = open(path, "a")
    except FileNotFoundError:
        if os.path.isdir(os.path.dirname(path)):
            raise
        handle = None
    if handle is None:
        yield
        return
    with handle:
        fcntl.flock(handle, operation)
        yield
