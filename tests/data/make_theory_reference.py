"""Writes theory_reference.json: values of the replica-symmetric solver of spinmem 0.1.0
(benchmarks/legacy_theory.py) on a grid covering the retrieval, spin-glass and
paramagnetic phases, T = 0 and T close to 0. The lines are bisected to 1e-9 so that
the stored values are the lines themselves, not the bisection's default tolerance.

Run from the repository root (about 15 minutes on 2 cores):
    python tests/data/make_theory_reference.py
"""

import json
import sys
from multiprocessing import Pool
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import legacy_theory as old  # noqa: E402

ALPHAS = [0.0, 1e-4, 1e-3, 0.01, 0.03, 0.05, 0.07, 0.1, 0.12, 0.13, 0.137, 0.14, 0.2]
TEMPERATURES = [0.0, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
TEMPERATURES += [0.8, 0.9, 0.95, 0.99, 1.0, 1.1, 1.3, 1.5]
LINE_T = sorted({*np.linspace(0.0, 0.995, 24).round(12), 0.002, 0.005, 0.01, 0.03, 0.99})
TM_ALPHA = [1e-4, 1e-3, 0.01, 0.03, 0.05, 0.08, 0.1, 0.12, 0.13, 0.135, 0.138]
TC_ALPHA = sorted({*np.linspace(0.0, 0.0518, 24).round(12), 0.001, 0.051, 0.06})
TOL = 1e-9


def _solution(sol):
    return {k: getattr(sol, k) for k in ("m", "q", "r", "c", "f")}


def job(task):
    try:
        return _job(task)
    except Exception as exc:  # recorded: the 0.1.0 solver failed at this point
        return task, {"error": f"{type(exc).__name__}: {exc}"}


def _job(task):
    kind, x, y = task
    if kind == "solve_rs":
        return task, _solution(old.solve_rs(x, y))
    if kind == "solve_spin_glass":
        return task, _solution(old.solve_spin_glass(x, y))
    if kind == "alpha_c":
        return task, old.alpha_c(x, tol=TOL)
    if kind == "t_m":
        return task, old.t_m(x, tol=TOL)
    if kind == "t_c":
        return task, old.t_c(x, tol=TOL)
    raise ValueError(kind)


def main():
    tasks = [("alpha_c", t, None) for t in LINE_T]
    tasks += [("t_c", a, None) for a in TC_ALPHA]
    tasks += [("t_m", a, None) for a in TM_ALPHA]
    tasks += [("solve_rs", a, t) for a in ALPHAS for t in TEMPERATURES]
    tasks += [("solve_spin_glass", a, t) for a in ALPHAS for t in TEMPERATURES]
    with Pool(2) as pool:
        results = pool.map(job, tasks, chunksize=1)
    out = {"tolerance_of_lines": TOL, "source": "spinmem 0.1.0 (commit 05223bf)"}
    for (kind, x, y), value in results:
        out.setdefault(kind, []).append([x, y, value] if y is not None else [x, value])
    out["free_energy"] = [
        [m, q, r, a, t, old.free_energy(m, q, r, a, t)]
        for m, q, r, a, t in [
            (0.9, 0.85, 1.3, 0.05, 0.3),
            (0.5, 0.4, 2.0, 0.1, 0.7),
            (0.0, 0.2, 0.5, 0.2, 1.2),
            (0.99, 0.999, 1.1, 0.1, 0.01),
        ]
    ]
    out["mixture_overlap"] = [
        [n, t, old.mixture_overlap(n, t)]
        for n in (1, 2, 3, 4, 5, 7, 9)
        for t in (0.0, 0.01, 0.1, 0.3, 0.5, 0.9, 1.1)
    ]
    out["mixture_energy"] = [[n, old.mixture_energy(n)] for n in (1, 3, 5, 7, 9)]
    path = Path(__file__).with_name("theory_reference.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
