"""Wall-clock timing shared by the benchmark scripts."""

import time

import numpy as np


def timed(fn, *args, repeat=1, **kwargs):
    """Best wall time of ``repeat`` calls of ``fn(*args, **kwargs)`` (seconds), and the
    last result."""
    best, out = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best, out
