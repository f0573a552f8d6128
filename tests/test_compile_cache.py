"""Processes that share numba's on-disk cache never load each other's machine code."""

import os
import subprocess
import sys
import time

# Compiles ``transpose`` for one dtype with numba's cache steps pinned to wall-clock
# times, so that two such processes interleave exactly as in an unlucky race: both read
# the empty index before either writes it.
_COMPILE = """
import sys, time
import numpy as np
from numba.core import caching

start, dtype, index_at, data_at = float(sys.argv[1]), sys.argv[2], *map(float, sys.argv[3:])
cls = caching.IndexDataCacheFile
save_index, save_data = cls._save_index, cls._save_data

def wait(until):
    time.sleep(max(0.0, start + until - time.time()))

def late_index(self, overloads):
    wait(index_at)
    save_index(self, overloads)

def late_data(self, name, data):
    wait(data_at)
    save_data(self, name, data)

cls._save_index, cls._save_data = late_index, late_data
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
    """Process A compiles transpose for float64 and writes the cache index at 5 s and
    its code at 7 s; process B compiles it for int8 and writes the index at 5.5 s and
    its code at 6 s. Both read the index before A writes it. Without a lock both take
    data file 1, the index ends up naming B's signature and the file holds A's code, so
    a third process that calls transpose on int8 arrays runs the float64 code (numba
    refuses to unbox the arrays: TypeError). With the lock B waits for A and takes
    file 2; the third process loads both signatures from the cache and both are right.
    """
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    start = time.time()
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", _COMPILE, repr(start), dtype, index_at, data_at],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for dtype, index_at, data_at in (("float64", "5", "7"), ("int8", "5.5", "6"))
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
