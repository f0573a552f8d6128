"""Simulated annealing: final energy against schedule length on SK spin glasses.

Each instance is a Sherrington-Kirkpatrick spin glass (J_ij ~ N(0, 1/N)), the same for
every schedule length so that lengths are compared on the same instances; 8 replicas
anneal it with Glauber dynamics along a geometric schedule from T = 3 to T = 0.05 with
one sweep per step. Longer schedules reach lower energies; the N -> infinity ground-state
energy per spin of the SK model is -0.7633 (Parisi).

Run: python studies/annealing.py [--quick] [--workers K]
"""

import functools

import numpy as np

import spinmem
from spinmem import study
from spinmem.seeding import child

NAME = "annealing"
PARISI_GROUND_ENERGY = -0.7633


def sk_instance(n, instance, instance_seed):
    """SK couplings J_ij ~ N(0, 1/N), symmetric, zero diagonal, of a numbered instance."""
    rng = np.random.default_rng([instance_seed, instance])
    upper = np.triu(rng.normal(0.0, 1.0 / np.sqrt(n), (n, n)), 1)
    return spinmem.Hopfield(upper + upper.T)


def point(steps, instance, *, n, replicas, instance_seed, seed):
    """Mean final and best energy per spin over the replicas."""
    net = sk_instance(n, instance, instance_seed)
    ds = spinmem.anneal(
        net,
        spinmem.schedules.geometric(3.0, 0.05, steps),
        replicas=replicas,
        seed=child(seed, 1),
        record_every=steps,
    )
    final = ds.energy.isel(step=-1).values / n
    return study.scalars(
        final=(float(final.mean()), "final energy per spin H/N", "1"),
        best=(
            float(ds.best_energy.min()) / n,
            "lowest energy per spin found",
            "1",
        ),
    )


def main(argv=None):
    args = study.parser(__doc__.splitlines()[0]).parse_args(argv)
    if args.quick:
        n, instances, steps = 200, 6, [10, 30, 100, 300, 1000, 3000]
    else:
        n, instances, steps = 800, 16, [10, 30, 100, 300, 1000, 3000, 10000, 30000]
    store, figure = study.outputs(args, NAME)
    function = functools.partial(point, n=n, replicas=8, instance_seed=args.seed)
    ds = study.run(
        function,
        {"steps": steps, "instance": list(range(instances))},
        args,
        name=NAME,
        seeds=1,
        store=store,
        n_spins=n,
        reference_energy=PARISI_GROUND_ENERGY,
    )
    study.save_figure(spinmem.plot.annealing(ds), figure)
    return ds


if __name__ == "__main__":
    main()
