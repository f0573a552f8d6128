"""Processes that share numba's on-disk cache never load each other's machine code."""

import os
import subprocess
import sys
from pathlib import Path

# Compiles ``transpose`` for one dtype. Once compiled, the process waits at a barrier
# (a file per process in ``ready``) until the other has compiled too, then writes numba's
# cache index and data file at fixed delays after it, so that two such processes
# interleave exactly as in an unlucky race, however long compiling takes: both reach
# the save before either writes the index.
_COMPILE = """
import pathlib, sys, time
import numpy as np
from numba.core import caching

ready, dtype = pathlib.Path(sys.argv[1]), sys.argv[2]
index_at, data_at = map(float, sys.argv[3:])
start = None
cache, cls = caching.Cache, caching.IndexDataCacheFile
save_overload, save_index, save_data = cache.save_overload, cls._save_index, cls._save_data

def after_barrier(self, sig, data):
    global start
    (ready / dtype).touch()
    while len(list(ready.iterdir())) < 2:
        time.sleep(0.01)
    start = time.time()
    save_overload(self, sig, data)

def wait(until):
    time.sleep(max(0.0, start + until - time.time()))

def late_index(self, overloads):
    wait(index_at)
    save_index(self, overloads)

def late_data(self, name, data):
    wait(data_at)
    save_data(self, name, data)

cache.save_overload, cls._save_index, cls._save_data = after_barrier, late_index, late_data
from spinmem._kernels import couplings
src = np.arange(6).reshape(2, 3).astype(dtype)
dst = np.empty((3, 2), dtype)
couplings.transpose(src, dst)
assert (dst == src.T).all()
"""

_LOAD = """
import numpy as np
from spinmem._kernels import couplings
for dtype in ("float64", "int8"):
    src = np.arange(6).reshape(2, 3).astype(dtype)
    dst = np.zeros((3, 2), dtype)
    couplings.transpose(src, dst)
    assert (dst == src.T).all(), dtype
print(len(couplings.transpose.stats.cache_hits))
"""


def test_concurrent_compilations_of_two_signatures_keep_their_own_code(tmp_path):
    """Process A compiles transpose for float64, process B for int8; once both have
    compiled, A writes the cache index 0.5 s later and its code at 2 s, B the index at
    1 s and its code at 1.5 s. Both read the index before A writes it. Without a lock
    both take data file 1, the index ends up naming B's signature and the file holds
    A's code, so a third process that calls transpose on int8 arrays runs the float64
    code (numba refuses to unbox the arrays: TypeError). With the lock B waits for A
    and takes file 2; the third process loads both signatures from the cache and both
    are right.
    """
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"))
    ready = tmp_path / "ready"
    ready.mkdir()
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", _COMPILE, str(ready), dtype, index_at, data_at],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for dtype, index_at, data_at in (("float64", "0.5", "2"), ("int8", "1", "1.5"))
    ]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    load = subprocess.run(
        [sys.executable, "-c", _LOAD], env=env, capture_output=True, text=True
    )
    assert load.returncode == 0, load.stderr
    assert load.stdout.split() == ["2"]  # both signatures came from the cache


def test_every_cached_kernel_locks_its_cache():
    """A kernel decorated with plain ``numba.njit(cache=True)`` would reopen the race."""
    import importlib
    import pkgutil

    from numba.core.caching import NullCache
    from numba.core.dispatcher import Dispatcher

    import spinmem._kernels

    names = [
        f"spinmem._kernels.{m.name}"
        for m in pkgutil.iter_modules(spinmem._kernels.__path__)
    ]
    cached = []
    for name in [*names, "spinmem._rs_quadrature"]:
        for value in vars(importlib.import_module(name)).values():
            if isinstance(value, Dispatcher) and not isinstance(value._cache, NullCache):
                cached.append(value)
                assert value._cache._cache_file.save.__name__ == "locked_save", value
    assert len(cached) >= 20


def test_cached_code_is_stale_once_any_compiled_source_changes(tmp_path):
    """A driver's machine code holds the field and flip code it inlined from another
    file: every cached kernel compares the stamp of every source of compiled code (numba
    alone compares its own file's), and that stamp changes with any one of them."""
    import importlib
    import pkgutil

    from numba.core.caching import NullCache
    from numba.core.dispatcher import Dispatcher

    import spinmem._kernels
    from spinmem import _jit

    kernel_files = {
        Path(spinmem._kernels.__file__).with_name(m.name + ".py")
        for m in pkgutil.iter_modules(spinmem._kernels.__path__)
    }
    assert kernel_files <= {p.resolve() for p in _jit.SOURCES}
    stamp = _jit.sources_stamp(_jit.SOURCES)
    for name in ["spinmem._kernels.updates", "spinmem._rs_quadrature"]:
        for value in vars(importlib.import_module(name)).values():
            if isinstance(value, Dispatcher) and not isinstance(value._cache, NullCache):
                assert value._cache._cache_file._source_stamp == stamp, value
    files = tuple(tmp_path / f"{k}.py" for k in range(3))
    for f in files:
        f.write_text("x = 1\n")
        os.utime(f, (0, 1e9))
    before = _jit.sources_stamp(files)
    os.utime(files[1], (0, 2e9))  # one file's time alone
    touched = _jit.sources_stamp(files)
    assert touched != before
    files[2].write_text("x = 22\n")  # another file's size alone
    os.utime(files[2], (0, 1e9))
    assert _jit.sources_stamp(files) not in (before, touched)
