"""Hopfield-Feinstein-Palmer unlearning: stability and retrieval against dreams.

For each load alpha and unlearning strength epsilon, a Hebbian network of N spins
dreams (random start, zero-temperature relaxation, J -= epsilon/N s* s*) and is measured
along the way: fraction of stored patterns that are fixed points, mean overlap after
relaxing from cues at m0 = 0.8, and the fraction of random starts that end in spurious
states. Traces are indexed by the natural clock t = epsilon D / N.

Run: python studies/unlearning.py [--quick] [--workers K]
"""

import functools

import numpy as np

import spinmem
from spinmem import study
from spinmem.seeding import child

NAME = "unlearning"


def point(alpha, epsilon, *, n, t_max, dt, probes, seed):
    """The unlearning trace on the clock t = epsilon D / N."""
    net = study.hebbian_network(alpha, n, seed)
    every = round(dt * n / epsilon)
    steps = round(t_max / dt)
    _, trace = spinmem.unlearn(
        net,
        dreams=every * steps,
        epsilon=epsilon,
        record_every=every,
        probes=probes,
        seed=child(seed, 1),
    )
    trace = trace.assign_coords(
        t=("dream", np.round(np.arange(steps + 1) * dt, 10), trace.t.attrs)
    )
    trace = trace.swap_dims(dream="t").drop_vars("dream")
    return trace.drop_vars("unconverged_dreams")


def main(argv=None):
    args = study.parser(__doc__.splitlines()[0]).parse_args(argv)
    if args.quick:
        n, seeds, probes = 200, 2, 20
        alphas, epsilons = [0.15, 0.3], [0.01, 0.02]
    else:
        n, seeds, probes = 500, 6, 50
        alphas, epsilons = [0.1, 0.2, 0.3, 0.4], [0.001, 0.005, 0.01, 0.02]
    store, figure = study.outputs(args, NAME)
    ds = study.run(
        functools.partial(point, n=n, t_max=0.45, dt=0.015, probes=probes),
        {"alpha": alphas, "epsilon": epsilons},
        args,
        name=NAME,
        seeds=seeds,
        store=store,
        n_spins=n,
    )
    study.save_figure(spinmem.plot.unlearning(ds), figure)
    return ds


if __name__ == "__main__":
    main()
