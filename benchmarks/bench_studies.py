"""Every study's --quick settings from scratch, with the wall time split by activity.

Each study runs in a fresh process, into a fresh output folder and with an empty numba
cache (so compilation is included, as on a new install). The columns:

- compile: numba compilation (from numba's compile events, nested ones counted once);
- monte carlo: the sweep's point functions;
- commits: writing the store (journal appends and atomic file writes) and reading it
  back;
- theory: spinmem.theory calls (lines of the phase diagram, mixture energies);
- plot: spinmem.plot calls and writing the PNG;
- other: the rest (imports, argument parsing, setup).

Nested activities are counted once: compilation only in its own column, theory
calls inside a plot only under theory.

Run: python benchmarks/bench_studies.py [NAME ...]
"""

import argparse
import functools
import importlib
import json
import os
import platform
import runpy
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STUDIES = [
    "phase_diagram",
    "capacity",
    "annealing",
    "mixtures",
    "unlearning",
    "equilibrium",
    "rules",
]
COLUMNS = ["compile", "monte carlo", "commits", "theory", "plot", "other"]


class Clock:
    """Time intervals spent inside wrapped functions, per activity, outermost calls."""

    def __init__(self):
        self.intervals = {c: [] for c in COLUMNS}
        self.depth = dict.fromkeys(COLUMNS, 0)

    def wrap(self, activity, fn):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            self.depth[activity] += 1
            start = time.time()  # the clock of numba's compile events
            try:
                return fn(*args, **kwargs)
            finally:
                self.depth[activity] -= 1
                if self.depth[activity] == 0:
                    self.intervals[activity].append((start, time.time()))

        return timed

    def patch(self, activity, owner, *names):
        for name in names:
            setattr(owner, name, self.wrap(activity, getattr(owner, name)))


def merged(intervals) -> list[tuple[float, float]]:
    """The union of time intervals, as disjoint sorted intervals."""
    out = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def length(intervals) -> float:
    return sum(hi - lo for lo, hi in intervals)


def overlap(a, b) -> float:
    """Total length of the intersection of two unions of intervals."""
    return sum(
        max(0.0, min(hi, bhi) - max(lo, blo)) for lo, hi in merged(a) for blo, bhi in b
    )


def compile_intervals(events) -> list[tuple[float, float]]:
    """Wall-time intervals covered by numba compile events (nested ones merged)."""
    from numba.core.event import EventStatus

    intervals, starts = [], {}
    for stamp, ev in events:
        key = id(ev.data) if ev.data is not None else None
        if ev.status == EventStatus.START:
            starts.setdefault(key, []).append(stamp)
        elif starts.get(key):
            intervals.append((starts[key].pop(), stamp))
    return merged(intervals)


def one(name: str, out: str) -> dict:
    """Run one study in this process and return the seconds per activity."""
    from numba.core import event

    from spinmem import _journal, plot, storage, study, theory

    sweep = importlib.import_module("spinmem._sweep.executors")

    clock = Clock()
    clock.patch("theory", theory, *theory.__all__)
    clock.patch("plot", plot, *plot.__all__)
    clock.patch("plot", study, "save_figure")
    clock.patch("commits", _journal.Writer, "append")
    clock.patch("commits", storage, "write_atomic", "load")
    clock.patch("monte carlo", sweep, "run_point")
    sys.argv = [name, "--quick", "--out", out, "--no-progress"]
    start = time.perf_counter()
    with event.install_recorder("numba:compile") as recorder:
        runpy.run_path(str(ROOT / "studies" / f"{name}.py"), run_name="__main__")
    total = time.perf_counter() - start
    # nested activities (compilation inside a point, theory inside a plot) are counted
    # once, in the first of them in this order
    taken = compile_intervals(recorder.buffer)
    spent = {"compile": length(taken)}
    for activity in ["theory", "commits", "monte carlo", "plot"]:
        mine = merged(clock.intervals[activity])
        spent[activity] = length(mine) - overlap(mine, taken)
        taken = merged(taken + mine)
    spent["other"] = total - sum(v for k, v in spent.items() if k != "other")
    return {"total": total, **spent}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=STUDIES)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.out)))
        return
    print(f"machine: {platform.node()} ({platform.machine()}), 2 cores shared")
    columns = " ".join(f"{c:>12s}" for c in COLUMNS)
    print(f"{'study (--quick)':16s} {'total [s]':>10s} {columns}")
    for name in args.names:
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, NUMBA_CACHE_DIR=str(Path(tmp) / "numba-cache"))
            done = subprocess.run(
                [sys.executable, __file__, "--one", name, "--out", str(Path(tmp) / "out")],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
        if done.returncode != 0:
            print(f"{name}: failed\n{done.stderr}")
            continue
        row = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{name:16s} {row['total']:10.1f} "
            + " ".join(f"{row[c]:12.1f}" for c in COLUMNS)
        )


if __name__ == "__main__":
    main()
