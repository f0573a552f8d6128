"""Dense associative memories: zero-temperature relaxation and Metropolis sweeps.

A flip attempt of a dense memory costs O(p): the field of site i sums
``F(M_mu) - F(M_mu - 2 xi_i^mu s_i)`` over the patterns. For power memories of degree
n = 3 and 4 at p = r p_max (the error-free capacity N^(n-1) / (2 (2n-3)!! ln N)) and
the exponential memory, the table gives the best of three timings, in one thread, of
relaxing 20 cues at overlap 0.8 (at most 200 sweeps; ``sweeps``: those the 20
relaxations took in all) and of 20 Metropolis sweeps of 8 replicas at T = 0.5, and a
digest of the final states of both, so that two versions can be checked to compute the
same thing. Compare versions by running it in both, in one session.

Run: python benchmarks/bench_memory.py [--quick]
"""

import argparse
import hashlib
import os
import platform

import numba
from _timing import timed
from spinmem.studies.rules import p_max

import spinmem
from spinmem import memory

MODELS = (  # (F, degree, N, p_max multiple r or p for exp)
    ("power", 3, 80, 4.0),
    ("power", 4, 80, 2.0),
    ("power", 4, 80, 8.0),
    ("exp", None, 80, 160),
)


def digest(*arrays) -> str:
    h = hashlib.sha1()
    for a in arrays:
        h.update(a.tobytes())
    return h.hexdigest()[:8]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the first two models")
    args = parser.parse_args(argv)
    numba.set_num_threads(1)
    print(f"machine: {platform.node()} ({platform.machine()}), {os.cpu_count()} cores")
    print("memory      N       p   relax [s]  sweeps   metropolis [s]  states")
    for kind, degree, n, load in MODELS[:2] if args.quick else MODELS:
        if kind == "power":
            p = max(1, round(load * p_max(degree, n)))
            net = memory.DenseMemory(
                spinmem.random_patterns(p, n, seed=1), "power", degree=degree
            )
            name = f"power n={degree}"
        else:
            p = int(load)
            net = memory.DenseMemory(spinmem.random_patterns(p, n, seed=1), "exp")
            name = "exp"
        cues = spinmem.make_cues(net.patterns[:20], 0.1, seed=2)
        relax = dict(seed=3, max_sweeps=200)
        spinmem.relax(net, cues, **relax)  # compile
        t_relax, out = timed(spinmem.relax, net, cues, **relax, repeat=3)
        run = dict(temperature=0.5, sweeps=20, replicas=8, seed=4, progress=False)
        spinmem.simulate(net, **run)
        t_run, ds = timed(spinmem.simulate, net, **run, repeat=3)
        states = digest(out.state.values, ds.state.values)
        print(
            f"{name:10s} {n:3d} {p:7d} {t_relax:11.3f} {int(out.sweeps.sum()):7d} "
            f"{t_run:16.3f}  {states}"
        )


if __name__ == "__main__":
    main()
