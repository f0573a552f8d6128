"""Kernel calls in concurrent Python threads, for the kernels that release the GIL and
take a range of replicas (or chain pairs): :func:`in_blocks` hands each thread a
contiguous block of them.

The kernels whose calls are few and long (runs through blocks of sweeps, synchronous
steps, the initial state of every replica, the rounds of a pair of tempering chains,
zero-temperature relaxation, the local fields of a batch) use these threads instead of
a numba parallel loop, which costs one to two seconds of compilation per kernel and
storage; only tempering's round-by-round sweeps, called once per exchange round, keep
a parallel loop, which starts in microseconds instead of these threads' 0.2 ms. A
replica's numbers come from its own stream, so they do not depend on the number of
threads or on how the replicas are divided among them.
"""

import itertools
import os
from concurrent.futures import ThreadPoolExecutor, wait
from functools import lru_cache

import numba
import numpy as np

THREAD_WORK = 10**7
"""Coupling operations below which a call stays in one thread (:func:`count`): handing
blocks to Python threads costs about 0.2 ms."""


def count(work: int) -> int:
    """Threads for a call of ``work`` coupling operations: numba's thread count
    (``numba.set_num_threads``, ``NUMBA_NUM_THREADS``), or 1 for small calls."""
    return numba.get_num_threads() if work > THREAD_WORK else 1


def in_blocks(fn, total: int, threads: int) -> None:
    """``fn(first, stop)`` over ``range(total)`` cut into ``threads`` contiguous blocks,
    in concurrent threads when more than one (``fn`` must release the GIL to gain)."""
    threads = max(1, min(threads, total))
    if threads == 1:
        fn(0, total)
        return
    edges = np.linspace(0, total, threads + 1).astype(int)
    pool = _pool(threads - 1, os.getpid())
    others = [pool.submit(fn, a, b) for a, b in itertools.pairwise(edges[:-1])]
    try:
        fn(edges[-2], edges[-1])  # the last block in this thread: one wake-up fewer
    finally:
        wait(others)  # no block still runs when this returns, even on Ctrl-C
    for future in others:
        future.result()


@lru_cache(maxsize=4)
def _pool(threads: int, pid: int) -> ThreadPoolExecutor:
    """A pool kept for the process ``pid`` (a forked child gets its own)."""
    return ThreadPoolExecutor(threads, thread_name_prefix="spinmem")
