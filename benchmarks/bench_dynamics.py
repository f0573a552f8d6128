"""Throughput of single-spin Monte Carlo on a dense Hopfield network, against references.

Prints a table of single-spin update attempts per second for N = 1000, p = 50 Hebbian
couplings at fixed T = 0.5 and T = 0.05, one replica and 16 replicas, for

- spinmem (Glauber and Metropolis, random site order),
- a straightforward numpy implementation (per-attempt Python loop, vectorised field
  update), run in this process,
- openjij's ``SASampler`` on a dense model and dwave-samplers'
  ``SimulatedAnnealingSampler`` with a constant-beta custom schedule and Gibbs
  acceptance, when installed (``pip install -e ".[bench]"``).

Every implementation starts from random states and does the same number of sweeps at the
same beta; its time includes only the sampling call (models are built beforehand,
compilation is warmed up). It also prints the measured cost of the two parts of the
physical floor - random numbers and comparison per attempt, one N-long field update per
accepted flip - and the throughput they would allow at spinmem's acceptance rate.

Run: python benchmarks/bench_dynamics.py [--quick]
"""

import argparse
import os
import platform

import numba
import numpy as np
from _timing import timed

import spinmem
from spinmem import kernels
from spinmem.kernels import Replicas

N, P = 1000, 50
TEMPERATURES = (0.5, 0.05)


def spinmem_rate(net, temperature, replicas, sweeps, dynamics):
    def run():
        return spinmem.simulate(
            net,
            temperature=temperature,
            sweeps=sweeps,
            dynamics=dynamics,
            replicas=replicas,
            seed=1,
            record_every=sweeps,
        )

    run()  # compile
    seconds, ds = timed(run, repeat=5)
    attempts = replicas * sweeps * N
    return attempts / seconds, float(ds.flips.sum()) / attempts


def numpy_rate(net, temperature, replicas, sweeps):
    """The loop a user writes by hand: numpy arrays, one Python iteration per attempt."""
    J = net.couplings
    beta = 1.0 / temperature
    rng = np.random.default_rng(0)

    def run():
        for _ in range(replicas):
            s = np.where(rng.random(N) < 0.5, 1.0, -1.0)
            h = J @ s
            for _ in range(sweeps):
                sites = rng.integers(0, N, N)
                u = rng.random(N)
                for i, x in zip(sites, u, strict=True):
                    if x * (1.0 + np.exp(beta * 2.0 * s[i] * h[i])) < 1.0:
                        s[i] = -s[i]
                        h += 2.0 * s[i] * J[i]

    seconds, _ = timed(run, repeat=1)
    return replicas * sweeps * N / seconds


def openjij_rate(net, temperature, replicas, sweeps):
    import openjij as oj

    bqm = net.to_bqm()
    sampler = oj.SASampler()
    schedule = [(1.0 / temperature, sweeps)]

    def run():
        return sampler.sample(
            bqm, schedule=schedule, num_reads=replicas, sparse=False, seed=1
        )

    run()
    seconds, _ = timed(run, repeat=5)
    return replicas * sweeps * N / seconds


def dwave_rate(net, temperature, replicas, sweeps):
    from dwave.samplers import SimulatedAnnealingSampler

    bqm = net.to_bqm()
    sampler = SimulatedAnnealingSampler()
    schedule = np.full(sweeps, 1.0 / temperature)

    def run():
        return sampler.sample(
            bqm,
            num_reads=replicas,
            beta_schedule_type="custom",
            beta_schedule=schedule,
            num_sweeps_per_beta=1,
            proposal_acceptance_criteria="Gibbs",
            seed=1,
        )

    run()
    seconds, _ = timed(run, repeat=5)
    return replicas * sweeps * N / seconds


def floor_costs(net, sweeps):
    """Seconds per attempt with no flip, and per N-long field update (one flip)."""
    # zero-temperature sweeps on a stored pattern: every attempt draws a site and
    # compares, nothing flips
    view, layout = net.kernel_view(), net.work_layout()
    rep = Replicas(
        net.patterns[0].copy(),
        np.empty(N, layout.g_dtype),
        np.empty(P, np.int32),
        np.empty(1),
        spinmem.seeding.stream_states(np.random.SeedSequence(0), 1)[0],
    )
    kernels.init_state(view, rep)

    def attempts():
        kernels.sweeps(view, rep, 1 / 0.05, sweeps, kernels.GLAUBER, kernels.RANDOM_ORDER)

    attempts()
    per_attempt = timed(attempts, repeat=5)[0] / (sweeps * N)
    sites = np.random.default_rng(0).integers(0, N, 200_000)
    _row_updates(view, rep, sites[:10])
    per_flip = timed(_row_updates, view, rep, sites, repeat=5)[0] / sites.size
    return per_attempt, per_flip


@numba.njit(cache=True)
def _row_updates(view, rep, sites):
    for i in sites:
        kernels._flip_of(view, rep, i)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sweeps")
    args = parser.parse_args()
    sweeps = 500 if args.quick else 4000

    xi = spinmem.random_patterns(P, N, seed=0)
    net = spinmem.Hopfield.hebbian(xi)
    threads = numba.get_num_threads()
    print(f"N = {N}, p = {P} Hebbian, random initial states, {sweeps} sweeps at fixed T")
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"numba {numba.__version__} with {threads} threads, numpy {np.__version__}"
    )
    print()
    print(
        f"{'implementation':38s} {'T':>5s} {'replicas':>8s} {'attempts/s':>11s} "
        f"{'vs best peer':>12s}"
    )
    rows = []
    for temperature in TEMPERATURES:
        peers = {}
        for name, fn in (
            ("openjij SASampler (dense)", openjij_rate),
            ("dwave-samplers SA (Gibbs)", dwave_rate),
        ):
            for replicas in (1, 16):
                try:
                    peers[name, replicas] = fn(net, temperature, replicas, sweeps)
                except ImportError:
                    break
        best = {
            r: max([v for (_, rr), v in peers.items() if rr == r], default=np.nan)
            for r in (1, 16)
        }
        for replicas in (1, 16):
            for dynamics in ("glauber", "metropolis"):
                rate, acc = spinmem_rate(net, temperature, replicas, sweeps, dynamics)
                rows.append(
                    (
                        f"spinmem {dynamics}",
                        temperature,
                        replicas,
                        rate,
                        rate / best[replicas],
                        acc,
                    )
                )
            if replicas == 16 and threads > 1:
                numba.set_num_threads(1)
                rate, _ = spinmem_rate(net, temperature, replicas, sweeps, "glauber")
                numba.set_num_threads(threads)
                rows.append(
                    (
                        "spinmem glauber, 1 thread",
                        temperature,
                        replicas,
                        rate,
                        rate / best[replicas],
                        None,
                    )
                )
            for (name, r), rate in peers.items():
                if r == replicas:
                    rows.append((name, temperature, r, rate, rate / best[r], None))
            if replicas == 1:
                rate = numpy_rate(net, temperature, 1, max(2, sweeps // 200))
                rows.append(("numpy loop", temperature, 1, rate, rate / best[1], None))
        for name, t, r, rate, ratio, _ in rows:
            if t == temperature:
                print(f"{name:38s} {t:5.2f} {r:8d} {rate:11.3g} {ratio:11.2f}x")
        print()

    per_attempt, per_flip = floor_costs(net, sweeps)
    print(
        f"floor parts: {per_attempt * 1e9:.2f} ns per attempt without a flip "
        f"(random site, uniform, comparison); {per_flip * 1e9:.1f} ns per flip "
        f"(N-long field update + p overlap counts)"
    )
    for name, t, r, rate, _, acc in rows:
        if acc is not None and r == 1 and name == "spinmem glauber":
            floor = 1.0 / (per_attempt + acc * per_flip)
            print(
                f"T = {t}: acceptance {acc:.4f}, floor {floor:.3g} attempts/s, "
                f"spinmem at {rate / floor:.0%} of it"
            )


if __name__ == "__main__":
    main()
