"""Seeding the replicas' random streams: vectorised against one SeedSequence each.

``spinmem.seeding.stream_states`` gives replica k the xoshiro256** state
``SeedSequence(entropy, spawn_key=key + (k,)).generate_state(4, uint64)``. It computes
all children at once with numpy; the reference derives one ``SeedSequence`` per child,
as numpy would. Both give identical states (checked here and in tests/test_seeding.py).

Run: python benchmarks/bench_seeding.py
"""

import os
import platform

import numpy as np
from _timing import timed

from spinmem.seeding import child, stream_states


def one_by_one(root, count):
    return np.array([child(root, k).generate_state(4, np.uint64) for k in range(count)])


def main():
    root = np.random.SeedSequence(2026)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"numpy {np.__version__}"
    )
    print(f"{'streams':>9}  {'one by one [s]':>14}  {'vectorised [s]':>14}  ratio")
    for count in (100, 10_000, 200_000):
        slow, expected = timed(one_by_one, root, count)
        fast, states = timed(stream_states, root, count, repeat=3)
        assert np.array_equal(states, expected)
        print(f"{count:>9}  {slow:>14.4f}  {fast:>14.5f}  {slow / fast:5.0f}")


if __name__ == "__main__":
    main()
