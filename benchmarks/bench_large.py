"""Large networks: dense, pattern-backed and sparse couplings across sizes, and peers.

Prints two tables.

1. Hebbian couplings at N = 1e3 ... 1e5 and alpha = 0.05, 0.14, stored dense (while
   N x N fits) and as patterns: model memory, build time, and single-spin update
   attempts per second for (a) zero-temperature relaxation from 16 stored patterns
   (2 above N = 1e4) towards their fixed points (at most 50 sweeps timed) and (b)
   Glauber dynamics at T = 0.5 started from two stored patterns, with the
   pattern-backed speed relative to dense. The crossover it shows sets
   ``spinmem.model.DENSE_MAX_SPINS`` (the ``storage="auto"`` rule).
2. A diluted instance, an Ising spin glass on a random graph (mean degree 20, Gaussian
   couplings), sampled at fixed beta by spinmem's sparse path, openjij's
   ``SASampler(sparse=True)`` and dwave-samplers' ``SimulatedAnnealingSampler``
   (constant-beta schedule, Gibbs acceptance), 16 replicas from random states, with
   the ratio to the best peer. Peers need ``pip install -e ".[bench]"``.

Times cover only the sampling call; compilation is warmed up on a small model first.
Replicas run in parallel threads, as a user's run would.

Run: python benchmarks/bench_large.py [--quick] [--part all|hebbian|diluted|goals]
"""

import argparse
import os
import platform

import numba
import numpy as np
import scipy.sparse
from _timing import timed

import spinmem

ALPHAS = (0.05, 0.14)


def warm_up() -> None:
    """Compile (or load from numba's cache) every kernel variant the tables use:
    int8 and int16 dense couplings (p < 128 and p >= 128), patterns, sparse float."""
    for p in (3, 130):
        xi = spinmem.random_patterns(p, 64, seed=0)
        for storage in ("dense", "patterns"):
            net = spinmem.Hopfield.hebbian(xi, storage=storage)
            spinmem.relax(net, xi[:2], seed=0)
            spinmem.simulate(net, temperature=0.5, sweeps=2, init=xi[:2], seed=0)
    net = spinmem.Hopfield(diluted(64, 4, 0))
    for order in ("random", "sequential"):
        spinmem.simulate(net, temperature=1.0, sweeps=2, replicas=2, seed=0, order=order)


def hebbian_rows(n: int, alpha: float, dense_ok: bool):
    p = max(1, round(alpha * n))
    xi = spinmem.random_patterns(p, n, seed=1)
    rows = []
    for storage in ("dense", "patterns"):
        if storage == "dense" and not dense_ok:
            rows.append((storage, 9 * n * n + 8 * n + n * p, None, None, None))
            continue
        build, net = timed(spinmem.Hopfield.hebbian, xi, storage=storage)
        # 16 starts and the best of 3 for small N, where one relaxation takes ms; above
        # capacity relaxations at large N take hundreds of sweeps: at most 50 are timed
        starts, repeat = (16, 3) if n <= 10_000 else (2, 1)
        seconds, res = timed(
            spinmem.relax, net, xi[:starts], seed=2, max_sweeps=50, repeat=repeat
        )
        relax_rate = n * float(np.sum(res.sweeps.values + 1)) / seconds
        # about 2e9 coupling operations per replica: a few seconds on either path
        work = n * (n if storage == "dense" else 2 * p)
        sweeps = max(1, round(2e9 / work))
        seconds, _ = timed(
            spinmem.simulate,
            net,
            temperature=0.5,
            sweeps=sweeps,
            init=xi[:2],
            seed=3,
            record_every=sweeps,
            repeat=2,
        )
        glauber_rate = 2 * n * sweeps / seconds
        rows.append((storage, net.nbytes, build, relax_rate, glauber_rate))
        del net
    return p, rows


def print_hebbian(sizes, dense_limit: int) -> None:
    print("Hebbian couplings; attempts/s of T = 0 relaxation from 16 stored patterns")
    print("(2 for N > 1e4; at most 50 sweeps) and of Glauber dynamics at T = 0.5 for")
    print("two replicas started from stored patterns")
    print(
        f"{'N':>7s} {'alpha':>5s} {'p':>6s} {'storage':>9s} {'memory':>10s} "
        f"{'build s':>8s} {'T=0 relax':>10s} {'Glauber .5':>10s} {'vs dense':>14s}"
    )
    for n in sizes:
        for alpha in ALPHAS:
            p, rows = hebbian_rows(n, alpha, n <= dense_limit)
            dense = rows[0]
            for storage, nbytes, build, relax_rate, glauber_rate in rows:
                mem = spinmem._checks.size(nbytes)
                if build is None:
                    print(
                        f"{n:7d} {alpha:5.2f} {p:6d} {storage:>9s} {mem:>10s}   (not run)"
                    )
                    continue
                ratio = ""
                if storage == "patterns" and dense[2] is not None:
                    ratio = f"{relax_rate / dense[3]:5.2f}x {glauber_rate / dense[4]:5.2f}x"
                print(
                    f"{n:7d} {alpha:5.2f} {p:6d} {storage:>9s} {mem:>10s} {build:8.2f} "
                    f"{relax_rate:10.3g} {glauber_rate:10.3g} {ratio:>14s}"
                )
    print()


def diluted(n: int, degree: float, seed: int) -> scipy.sparse.csr_array:
    """Symmetric Gaussian couplings on an Erdos-Renyi graph of mean degree ``degree``."""
    rng = np.random.default_rng(seed)
    m = round(n * degree / 2)
    i, j = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = i != j
    i, j = i[keep], j[keep]
    upper = scipy.sparse.coo_array(
        (rng.normal(size=i.size), (np.minimum(i, j), np.maximum(i, j))), shape=(n, n)
    )
    upper = upper.tocsr()  # duplicate edges are summed
    return (upper + upper.T).tocsr()


def peer_rates(A, beta: float, replicas: int, sweeps: int) -> dict:
    n = A.shape[0]
    out = {}
    try:
        import openjij as oj
    except ImportError:
        return out
    bqm = spinmem.Hopfield(A).to_bqm()
    sampler = oj.SASampler()
    run = lambda: sampler.sample(  # noqa: E731
        bqm, schedule=[(beta, sweeps)], num_reads=replicas, sparse=True, seed=1
    )
    run()
    out["openjij SASampler (sparse)"] = replicas * sweeps * n / timed(run)[0]
    try:
        from dwave.samplers import SimulatedAnnealingSampler
    except ImportError:
        return out
    dw = SimulatedAnnealingSampler()
    schedule = np.full(sweeps, beta)
    run = lambda: dw.sample(  # noqa: E731
        bqm,
        num_reads=replicas,
        beta_schedule_type="custom",
        beta_schedule=schedule,
        proposal_acceptance_criteria="Gibbs",
        seed=1,
    )
    run()
    out["dwave-samplers SA (Gibbs)"] = replicas * sweeps * n / timed(run)[0]
    return out


def print_diluted(n: int, sweeps: int) -> None:
    A = diluted(n, 20, 0)
    net = spinmem.Hopfield(A)
    replicas = 16
    print(
        f"diluted instance: N = {n}, mean degree {A.nnz / n:.1f}, Gaussian couplings, "
        f"{replicas} replicas, {sweeps} sweeps at fixed beta; attempts/s"
    )
    print("(spinmem: Glauber with random or sequential site order; the peers sweep")
    print("sites in sequence; dwave-samplers and openjij run single threaded)")
    print(f"{'implementation':36s} {'beta':>5s} {'attempts/s':>11s} {'vs best peer':>12s}")
    threads = numba.get_num_threads()
    for beta in (0.5, 2.0):
        peers = peer_rates(A, beta, replicas, sweeps)
        best = max(peers.values(), default=np.nan)
        rows = []
        for order in ("random", "sequential"):
            for k in sorted({1, threads}):
                numba.set_num_threads(k)
                run = lambda beta=beta, order=order: spinmem.simulate(  # noqa: E731
                    net,
                    temperature=1 / beta,
                    sweeps=sweeps,
                    replicas=replicas,
                    seed=1,
                    record_every=sweeps,
                    order=order,
                )
                rate = replicas * sweeps * n / timed(run, repeat=3)[0]
                label = f"spinmem sparse, {order[:3]}, {k} thread{'s' * (k > 1)}"
                rows.append((label, rate))
        numba.set_num_threads(threads)
        rows += list(peers.items())
        for name, rate in rows:
            print(f"{name:36s} {beta:5.1f} {rate:11.3g} {rate / best:11.2f}x")
    print()


def print_goals() -> None:
    """Zero-temperature relaxation from one stored pattern at N = 100,000, alpha = 0.1,
    and the memory of the N = 100,000, alpha = 0.14 model."""
    import resource

    n = 100_000
    xi = spinmem.random_patterns(round(0.1 * n), n, seed=4)
    build, net = timed(spinmem.Hopfield.hebbian, xi)
    seconds, res = timed(spinmem.relax, net, xi[0], seed=5)
    m = float(net.overlaps(res.state.values)[0, 0])
    print(
        f"N = {n}, alpha = 0.1 ({net.storage}, {spinmem._checks.size(net.nbytes)}): "
        f"model built in {build:.1f} s; relaxation from pattern 0 took {seconds:.1f} s, "
        f"{int(res.sweeps[0])} sweeps, final overlap {m:.4f}"
    )
    del net, xi, res
    xi = spinmem.random_patterns(round(0.14 * n), n, seed=6)
    net = spinmem.Hopfield.hebbian(xi)
    del xi  # the caller's patterns; the model keeps its own (N, p) copy
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        f"N = {n}, alpha = 0.14: model {spinmem._checks.size(net.nbytes)}; process "
        f"peak {spinmem._checks.size(rss)} (includes the "
        "caller's (p, N) patterns while the model copied them)"
    )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N up to 1e4 only")
    parser.add_argument(
        "--part",
        choices=("all", "hebbian", "diluted", "goals"),
        default="all",
        help="which table to print (default all)",
    )
    args = parser.parse_args()
    sizes = (1000, 3000, 10_000) if args.quick else (1000, 3000, 10_000, 30_000, 100_000)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"numba {numba.__version__} with {numba.get_num_threads()} threads, "
        f"numpy {np.__version__}"
    )
    print()
    warm_up()
    if args.part in ("all", "hebbian"):
        print_hebbian(sizes, dense_limit=10_000)
    if args.part in ("all", "diluted"):
        print_diluted(10_000 if args.quick else 100_000, 20 if args.quick else 50)
    if args.part in ("all", "goals") and not args.quick:
        print_goals()


if __name__ == "__main__":
    main()
