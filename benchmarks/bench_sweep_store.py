"""Cost of committing sweep points to a store, against the number of finished points.

A sweep of ``--points`` points whose function takes about a millisecond runs in this
process into a fresh store. The function stamps the clock when it is called, so the
time between two calls, less the function's own time, is what the sweep spent on the
point it just finished: checking it, appending it to the journal with a flush to disk,
and the progress bookkeeping. The table gives that overhead near point 50 and near the
last point, and its total. For comparison, the store of spinmem 0.1.0, which rewrote
the whole file atomically after every point, is timed in the same run for a smaller
sweep (``--old-points``): its commit cost grows with the number of points.

Run: python benchmarks/bench_sweep_store.py [--points 2000] [--old-points 400]
"""

import argparse
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

import spinmem
from spinmem import storage
from spinmem._sweep.plan import Plan
from spinmem._sweep.store import for_file

WORK_S = 1e-3
_stamps: list[float] = []


def point(x, seed):
    _stamps.append(time.perf_counter())
    end = time.perf_counter() + WORK_S
    rng = np.random.default_rng(seed)
    while time.perf_counter() < end:
        pass
    return {"value": x + rng.random(), "trace": rng.random(16)}


def overheads(points: int, store: Path) -> np.ndarray:
    """Seconds between the end of one point and the start of the next."""
    _stamps.clear()
    start = time.perf_counter()
    spinmem.sweep(point, {"x": list(range(points))}, seed=1, store=store, progress=False)
    total = time.perf_counter() - start
    gaps = np.diff(_stamps) - WORK_S
    return gaps, total


def old_overheads(points: int, store: Path) -> np.ndarray:
    """The 0.1.0 commit: every finished point so far, rewritten atomically."""
    plan = Plan(point, {"x": list(range(points))}, 1, {}, {})
    plan.root = np.random.SeedSequence(1)
    results, gaps = {}, []
    for k in range(points):
        results[k] = plan.normalise(k, point(**plan.kwargs(k)))
        start = time.perf_counter()
        storage.write_atomic(for_file(plan.stack(results), "partial"), store)
        gaps.append(time.perf_counter() - start)
    return np.array(gaps)


def window(gaps: np.ndarray, at: int, half: int = 10) -> float:
    lo, hi = max(0, at - half), min(len(gaps), at + half)
    return float(np.median(gaps[lo:hi]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=2000)
    parser.add_argument("--old-points", type=int, default=400)
    args = parser.parse_args()
    print(f"machine: {platform.node()} ({platform.machine()}), 2 cores shared")
    with tempfile.TemporaryDirectory() as tmp:
        new, total = overheads(args.points, Path(tmp) / "new.h5")
        old = old_overheads(args.old_points, Path(tmp) / "old.h5")
    last = args.points - 12
    old_last = args.old_points - 12
    print(
        f"{'store':28s} {'points':>7s} {'commit @50 [ms]':>16s} "
        f"{'commit @end [ms]':>17s} {'end/50':>7s} {'all commits [s]':>16s}"
    )
    print(
        f"{'journal (now)':28s} {args.points:7d} {1e3 * window(new, 50):16.3f} "
        f"{1e3 * window(new, last):17.3f} {window(new, last) / window(new, 50):7.2f} "
        f"{new.sum():16.2f}"
    )
    print(
        f"{'whole-file rewrite (0.1.0)':28s} {args.old_points:7d} "
        f"{1e3 * window(old, 50):16.3f} {1e3 * window(old, old_last):17.3f} "
        f"{window(old, old_last) / window(old, 50):7.2f} {old.sum():16.2f}"
    )
    print(f"sweep of {args.points} points, wall time with the final write: {total:.2f} s")


if __name__ == "__main__":
    main()
