"""Parallel tempering against plain Glauber dynamics in the glassy phase.

An SK instance at a temperature well below T = 1: both methods get the same total
number of sweeps (parallel tempering: K replicas on a ladder from ``T_LOW`` to
``T_HIGH``; plain Glauber: K independent replicas at ``T_LOW``, all started at random).
Each estimates the mean energy per spin at ``T_LOW`` from the second half of its run.
The error of an estimate is measured, not trusted: ``R`` repetitions with independent
seeds give the root-mean-square deviation from a reference value (a parallel
tempering run 16 times longer with 4 chains), which includes the bias of runs stuck in
metastable valleys. The last column is the ratio of wall time x squared error
(Glauber over tempering): how many times longer plain Glauber needs for the same error.

A second table times the rounds themselves at small N, where a round (sweeps of every
replica, the exchanges, the records) is short: ``spinmem.temper`` with chain pairs in
threads, each running its rounds in one compiled call, against the same rounds made
one kernel call at a time from Python (the path ``temper`` takes with fewer chain
pairs than threads). Both give identical numbers.

Run: python benchmarks/bench_tempering.py [--quick]
"""

import argparse
import platform

import numpy as np
from _timing import timed

import spinmem
from spinmem import tempering as pt

T_LOW, T_HIGH, K = 0.3, 1.6, 16


def tempering(net, temps, sweeps, seed, chains=1):
    ds = spinmem.temper(
        net, temps, sweeps=sweeps, chains=chains, dynamics="glauber", seed=seed
    )
    late = ds.energy.isel(temperature=0, sweep=slice(ds.sizes["sweep"] // 2, None))
    return float(late.mean()) / net.n_spins


def glauber(net, sweeps, seed):
    ds = spinmem.simulate(
        net, temperature=T_LOW, sweeps=sweeps, replicas=K, seed=seed, dynamics="glauber"
    )
    late = ds.energy.isel(sweep=slice(ds.sizes["sweep"] // 2, None))
    return float(late.mean()) / net.n_spins


def round_by_round(net, temps, sweeps, chains, seed):
    """The rounds of ``spinmem.temper`` (swap_every = 1, recording every round) made
    one kernel call at a time."""
    root = spinmem.seeding.root_sequence(seed)
    n_rep = chains * temps.size
    rng = spinmem.seeding.stream_states(root, n_rep)
    swap_rng = spinmem.seeding.stream_states(root, chains, 1)
    states = spinmem._engine.initial_states(net, "random", n_rep, rng)
    ladder = pt._Ladder(net, states, rng, swap_rng, temps, chains, "metropolis", "random")
    rec = pt._Records(net, chains, temps.size, sweeps)
    for _ in range(sweeps):
        ladder._round(1)
        ladder.record(rec)
    return rec.buffers.energy


def round_costs(sizes, sweeps, chains=4, k=12):
    print(f"\nrounds: {chains} chains x K = {k}, swap_every = 1, {sweeps} rounds")
    print(
        f"{'N':>5} {'one call per pair [us/round]':>29} {'call per step':>14} {'ratio':>6}"
    )
    for n in sizes:
        net = spinmem.Hopfield.sherrington_kirkpatrick(n, seed=1)
        temps = np.geomspace(0.3, 2.0, k)
        round_by_round(net, temps, 2, chains, 0)  # compile
        spinmem.temper(net, temps, sweeps=2, chains=chains, seed=0, progress=False)
        t_pair, ds = timed(
            spinmem.temper, net, temps, sweeps=sweeps, chains=chains, seed=3,
            progress=False, repeat=3,
        )  # fmt: skip
        t_step, energy = timed(round_by_round, net, temps, sweeps, chains, 3, repeat=3)
        assert np.array_equal(ds.energy.values, energy)  # the same numbers
        us = 1e6 / sweeps
        print(f"{n:>5} {t_pair * us:>29.1f} {t_step * us:>14.1f} {t_step / t_pair:>6.1f}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="N = 64, fewer repetitions")
    args = p.parse_args()
    n, reps, budgets = (64, 8, [100, 400]) if args.quick else (128, 16, [100, 400, 1600])
    net = spinmem.Hopfield.sherrington_kirkpatrick(n, seed=2026)
    temps = np.geomspace(T_LOW, T_HIGH, K)
    reference = tempering(net, temps, 16 * budgets[-1], seed=99, chains=4)
    tempering(net, temps, 10, seed=0)  # compile
    glauber(net, 10, seed=0)
    print(f"SK N = {n}, T = {T_LOW}, K = {K} replicas each, {reps} repetitions")
    print(f"machine: {platform.machine()}, {platform.processor() or 'unknown cpu'}")
    print(f"reference e(T) = {reference:.5f} (tempering, 4 chains x {16 * budgets[-1]})")
    print(
        f"{'sweeps/replica':>14} {'PT rms err':>11} {'Glauber rms err':>16} "
        f"{'PT s':>7} {'Glauber s':>10} {'Glauber/PT time x err^2':>24}"
    )
    for sweeps in budgets:
        rows = {}
        for name, run in (
            ("pt", lambda s, seed: tempering(net, temps, s, seed)),
            ("glauber", lambda s, seed: glauber(net, s, seed)),
        ):
            seconds, values = timed(
                lambda run=run, s=sweeps: [run(s, r) for r in range(reps)]
            )
            err = np.sqrt(np.mean((np.array(values) - reference) ** 2))
            rows[name] = (err, seconds / reps)
        (e_pt, s_pt), (e_gl, s_gl) = rows["pt"], rows["glauber"]
        ratio = (s_gl * e_gl**2) / (s_pt * e_pt**2)
        print(
            f"{sweeps:>14} {e_pt:>11.5f} {e_gl:>16.5f} {s_pt:>7.3f} {s_gl:>10.3f} "
            f"{ratio:>24.1f}"
        )
    round_costs([16, 64, 256], 1000 if args.quick else 4000)


if __name__ == "__main__":
    main()
