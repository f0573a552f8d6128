"""Blocks of replicas in concurrent threads: every block runs once, and none is still
running when the call returns, also when a block fails."""

import threading
import time

import pytest

from spinmem import _threads


def test_every_index_is_run_once_in_contiguous_blocks():
    seen, lock = [], threading.Lock()

    def fn(first, stop):
        with lock:
            seen.append((first, stop))

    _threads.in_blocks(fn, 10, 3)
    assert sorted(seen) == [(0, 3), (3, 6), (6, 10)]


@pytest.mark.parametrize("failing", ["first", "last"])
def test_no_block_outlives_a_failure(failing):
    """Two blocks: the one that fails raises at once, the other takes 0.3 s. When the
    error reaches the caller, the slow block has finished (it mutates shared arrays:
    returning earlier would leave a kernel writing into results being handled)."""
    finished = []

    def fn(first, stop):
        if (first == 0) == (failing == "first"):
            raise ValueError("block failed")
        time.sleep(0.3)
        finished.append(first)

    with pytest.raises(ValueError, match="block failed"):
        _threads.in_blocks(fn, 2, 2)
    assert len(finished) == 1
