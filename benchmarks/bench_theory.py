"""Replica-symmetric solver: spinmem.theory against the solver of spinmem 0.1.0.

Times both in the same run, on the same points, and prints the largest difference of
their results. The 0.1.0 solver (benchmarks/legacy_theory.py) averages over a
16,001-point grid inside fixed-point iterations and bisections; its full ``phase_lines``
takes minutes, so by default it is timed on every fourth point of each line and the
total is scaled up (``--full`` times it on every point).

Run: python benchmarks/bench_theory.py [--full]
"""

import argparse
import platform
import time

import numpy as np
from _timing import timed
from legacy_theory import alpha_c as old_alpha_c
from legacy_theory import solve_rs as old_solve_rs
from legacy_theory import t_c as old_t_c

from spinmem import theory

POINTS = 24  # the resolution spinmem.plot draws the lines at


def solve_rs_rows():
    """Per-call time of solve_rs at T > 0 on a grid over both phases."""
    alphas = np.linspace(0.005, 0.2, 8)
    temperatures = np.linspace(0.05, 1.4, 8)
    points = [(a, t) for a in alphas for t in temperatures]
    theory.solve_rs(0.05, 0.5)  # compile
    new_s, new = timed(lambda: [theory.solve_rs(a, t) for a, t in points])
    old_s, old = timed(lambda: [old_solve_rs(a, t) for a, t in points])
    pairs = zip(new, old, strict=True)
    diff = max(abs(getattr(x, k) - getattr(y, k)) for x, y in pairs for k in "mqrf")
    n = len(points)
    return ("solve_rs, per call (T > 0)", old_s / n, new_s / n, diff)


def phase_lines_rows(full):
    theory.phase_lines.cache_clear()
    theory.rs._alpha_m.cache_clear()
    new_s, new = timed(theory.phase_lines, POINTS)
    step = 1 if full else 4
    temps = new["tm_t"][::step]
    alphas = new["tc_alpha"][::step]
    start = time.perf_counter()
    old_tm = np.array([old_alpha_c(t) for t in temps])
    old_tc = np.array([old_t_c(a) for a in alphas])
    old_s = (time.perf_counter() - start) * step
    # the 0.1.0 lines are bisected to their default tol = 1e-5
    ok = np.isfinite(old_tc)
    diff = max(
        np.max(np.abs(old_tm - new["tm_alpha"][::step])),
        np.max(np.abs(old_tc[ok] - new["tc_t"][::step][ok])),
    )
    label = f"phase_lines({POINTS}), all lines" + ("" if full else " (0.1.0: 1/4, scaled)")
    return (label, old_s, new_s, diff)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="time every 0.1.0 line point")
    args = parser.parse_args()
    print(f"machine: {platform.node()} ({platform.machine()}), 2 cores shared")
    rows = [solve_rs_rows(), phase_lines_rows(args.full)]
    header = ("0.1.0 [s]", "now [s]", "speedup", "max |diff|")
    print(f"{'task':48s} " + " ".join(f"{h:>11s}" for h in header))
    for label, old, new, diff in rows:
        print(f"{label:48s} {old:11.4g} {new:11.4g} {old / new:11.0f} {diff:11.2g}")


if __name__ == "__main__":
    main()
