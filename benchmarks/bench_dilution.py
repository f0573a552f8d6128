"""Diluted Hebbian couplings kept dense or sparse: which is faster at which dilution.

For ``spinmem.rules.diluted`` at connection probabilities c = 0.1 ... 0.6, N = 400
and N = 2000 (the kernels' couplings are integers where the values v / (c N) are exact
multiples of 1/N, float64 otherwise; the table names which), the same couplings stored
both ways run Glauber
dynamics at T = 1.5 (most attempts flip, so a sweep is mostly row updates), 8 replicas,
in one thread; the table gives the best of three timings of each and the ratio
sparse / dense (above 1: dense is faster). It sets
``spinmem.rules.DILUTED_DENSE_FROM``, the c from which ``storage="auto"`` keeps diluted
couplings dense.

Run: python benchmarks/bench_dilution.py [--quick]
"""

import argparse
import os
import platform

import numba
from _timing import timed

import spinmem
from spinmem import rules

DILUTIONS = (0.1, 0.2, 0.25, 1 / 3, 0.5, 0.6)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 400 only")
    args = parser.parse_args(argv)
    numba.set_num_threads(1)
    sizes = ((400, 40),) if args.quick else ((400, 40), (2000, 200))
    print(f"machine: {platform.node()} ({platform.machine()}), {os.cpu_count()} cores")
    print("    N     p       c  couplings   sparse [s]   dense [s]   sparse/dense")
    for n, p in sizes:
        xi = spinmem.random_patterns(p, n, seed=3)
        for c in DILUTIONS:
            times, dtype = [], None
            for storage in ("sparse", "dense"):
                net = rules.diluted(xi, c, seed=5, storage=storage)
                dtype = net.kernel_view().cp[3 if storage == "sparse" else 0].dtype
                options = dict(temperature=1.5, sweeps=10, replicas=8, seed=4)
                spinmem.simulate(net, **options, progress=False)  # compile, warm caches
                times.append(
                    timed(spinmem.simulate, net, **options, progress=False, repeat=3)[0]
                )
            print(
                f"{n:5d} {p:5d} {c:7.3f}  {dtype!s:9s}  {times[0]:11.3f} "
                f"{times[1]:11.3f} {times[0] / times[1]:14.2f}"
            )


if __name__ == "__main__":
    main()
