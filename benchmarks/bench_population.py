"""Population annealing against parallel tempering in the glassy phase of SK.

One SK instance at ``T_LOW`` = 0.5, well below T = 1. Each method makes estimates of the
energy per spin e(T) and of the Binder cumulant g = (3 - <q^4>/<q^2>^2)/2 of the twin
overlap at ``T_LOW``, every estimate with the same total number of sweeps:

- population annealing: two independent runs (R replicas, beta from 0 to 1/T_LOW in
  ``STEPS`` steps, ``SWEEPS_PER_STEP`` sweeps each); e from the two runs combined by
  their Z weights (``spinmem.population.combine``), q over all pairs of one replica of
  each run's final population;
- parallel tempering: two chains of K temperatures from T_LOW to 1.6, one exchange
  round per sweep; e and q (the two chains' twin overlap) from the second half.

The error of each method is measured, not trusted: ``R`` repetitions with independent
seeds give the root-mean-square deviation from a reference (parallel tempering, 4
chains, 4 times longer per chain), which includes any bias. The last columns are the
ratio of wall time x squared error (tempering over population annealing): how many
times longer tempering needs for the same error.

Run: python benchmarks/bench_population.py [--quick]
"""

import argparse
import platform

import numpy as np
from _timing import timed

import spinmem
from spinmem import population

T_LOW, T_HIGH, K = 0.5, 1.6, 16
STEPS, SWEEPS_PER_STEP = 64, 4


def binder(q2, q4):
    return 0.5 * (3.0 - q4 / q2**2)


def tempering(net, sweeps, seed, chains=2):
    """(e, g) at T_LOW from the second half of a tempering run."""
    temps = np.geomspace(T_LOW, T_HIGH, K)
    ds = spinmem.temper(
        net, temps, sweeps=sweeps, chains=chains, seed=seed, record_every=2, progress=False
    )
    late = slice(ds.sizes["sweep"] // 2, None)
    e = float(ds.energy.isel(temperature=0, sweep=late).mean()) / net.n_spins
    q = ds.q.isel(temperature=0, sweep=late).values.ravel()
    return e, binder(np.mean(q**2), np.mean(q**4))


def annealing(net, replicas, seed):
    """(e, g) at T_LOW from two independent population-annealing runs."""
    betas = np.linspace(0.0, 1.0 / T_LOW, STEPS + 1)
    runs = [
        population.population_anneal(
            net,
            betas,
            replicas=replicas,
            sweeps_per_step=SWEEPS_PER_STEP,
            seed=np.random.SeedSequence([seed, k]),
            progress=False,
        )
        for k in (0, 1)
    ]
    e = float(population.combine(runs).energy[-1]) / net.n_spins
    return e, float(population.twin_moments(*runs).g)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="N = 64, fewer repetitions")
    args = p.parse_args()
    n, reps, replicas = (64, 4, 250) if args.quick else (128, 8, 500)
    net = spinmem.Hopfield.sherrington_kirkpatrick(n, seed=2026)
    budget = 2 * replicas * STEPS * SWEEPS_PER_STEP  # replica-sweeps per estimate
    pt_sweeps = budget // (2 * K)
    tempering(net, 10, seed=0)  # compile
    annealing(net, 8, seed=0)
    e_ref, g_ref = tempering(net, 4 * pt_sweeps, seed=99, chains=4)
    print(f"SK N = {n}, T = {T_LOW}; {budget} replica-sweeps per estimate")
    print(f"machine: {platform.machine()}, {platform.processor() or 'unknown cpu'}")
    print(
        f"population annealing: 2 runs x R = {replicas}, {STEPS} steps x "
        f"{SWEEPS_PER_STEP} sweeps; tempering: 2 chains x K = {K}, {pt_sweeps} sweeps"
    )
    print(
        f"reference (tempering, 4 chains x {4 * pt_sweeps} sweeps): e = {e_ref:.5f}, "
        f"g = {g_ref:.4f}"
    )
    rows = {}
    for name, run in (
        ("tempering", lambda seed: tempering(net, pt_sweeps, seed)),
        ("population", lambda seed: annealing(net, replicas, seed)),
    ):
        seconds, values = timed(lambda run=run: [run(r + 1) for r in range(reps)])
        values = np.array(values)
        err = np.sqrt(np.mean((values - [e_ref, g_ref]) ** 2, axis=0))
        rows[name] = (values.mean(axis=0), err, seconds / reps)
    head = ("method", 11), ("mean e", 9), ("rms err e", 10), ("mean g", 7)
    print(" ".join(f"{t:>{w}}" for t, w in (*head, ("rms err g", 10), ("s", 6))))
    for name, (mean, err, s) in rows.items():
        print(
            f"{name:>11} {mean[0]:>9.5f} {err[0]:>10.5f} {mean[1]:>7.4f} "
            f"{err[1]:>10.4f} {s:>6.2f}"
        )
    (_, err_pt, s_pt), (_, err_pa, s_pa) = rows["tempering"], rows["population"]
    ratio = (s_pt * err_pt**2) / (s_pa * err_pa**2)
    print(
        f"tempering / population annealing, time x err^2: e {ratio[0]:.2f}, "
        f"g {ratio[1]:.2f} ({reps} repetitions each)"
    )


if __name__ == "__main__":
    main()
