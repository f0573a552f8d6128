"""Simulated annealing: final energy against schedule length on SK spin glasses.

Each instance is a Sherrington-Kirkpatrick spin glass (J_ij ~ N(0, 1/N)), the same for
every schedule length so that lengths are compared on the same instances; 8 replicas
anneal it with Glauber dynamics along a geometric schedule from T = 3 to T = 0.05 with
one sweep per step. Longer schedules reach lower energies; the N -> infinity ground-state
energy per spin of the SK model is -0.7633 (Parisi).

Run: python studies/annealing.py [--quick] [--workers K]
"""

import functools
from dataclasses import dataclass

import numpy as np
import xarray as xr

import spinmem
from spinmem import plot, study
from spinmem.seeding import child

NAME = "annealing"
PARISI_GROUND_ENERGY = -0.7633


def sk_instance(n, instance, instance_seed):
    """SK couplings J_ij ~ N(0, 1/N), symmetric, zero diagonal, of a numbered instance
    (:meth:`spinmem.Hopfield.sherrington_kirkpatrick` from the seed ``[instance_seed,
    instance]``)."""
    seed = np.random.SeedSequence([instance_seed, instance])
    return spinmem.Hopfield.sherrington_kirkpatrick(n, seed=seed)


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


@dataclass(frozen=True)
class Settings:
    """The settings of one mode (``--quick`` or full)."""

    n: int  # spins
    instances: int  # SK instances
    steps: list  # schedule lengths


QUICK = Settings(n=200, instances=6, steps=[10, 30, 100, 300, 1000, 3000])
FULL = Settings(n=800, instances=16, steps=[10, 30, 100, 300, 1000, 3000, 10000, 30000])


def main(argv=None):
    args = study.parser(__doc__.splitlines()[0], NAME).parse_args(argv)
    mode = QUICK if args.quick else FULL
    store, png = study.outputs(args, NAME)
    function = functools.partial(point, n=mode.n, replicas=8, instance_seed=args.seed)
    ds = study.run(
        function,
        {"steps": mode.steps, "instance": list(range(mode.instances))},
        args,
        name=NAME,
        seeds=1,
        store=store,
        n_spins=mode.n,
        reference_energy=PARISI_GROUND_ENERGY,
    )
    study.save_figure(figure(ds), png)
    return ds


def figure(ds: xr.Dataset, *, ax=None):
    """Final and best energy per spin against schedule length, averaged over instances
    (and seeds), with standard errors."""
    plot.require(ds, NAME, ("steps", "final", "best"))
    panels, own = plot.panels(ax, (1, 1), NAME, figsize=(6, 4))
    ax = panels[0, 0]
    steps = ds["steps"].values
    over = [d for d in ("instance", "seed") if d in ds.dims]
    count = int(np.prod([ds.sizes[d] for d in over]))
    reduced = spinmem.analysis.seed_mean(ds.stack(repetition=over), dim="repetition")
    for name, marker in (("final", "o"), ("best", "s")):
        ax.errorbar(
            steps,
            reduced[name].values,
            yerr=reduced[f"{name}_stderr"].values,
            marker=marker,
            ms=4,
            capsize=2,
            label=ds[name].attrs.get("long_name", name),
        )
    reference = ds.attrs.get("reference_energy")
    if reference is not None:
        ax.axhline(
            float(reference),
            color="k",
            ls="--",
            lw=1,
            label=f"SK ground state N→∞: {float(reference):g}",
        )
    ax.set_xscale("log")
    ax.set_xlabel(plot.label(ds["steps"]) + " (1 sweep each)")
    ax.set_ylabel("energy per spin H/N")
    ax.set_title(
        f"simulated annealing, SK model N = {ds.attrs.get('n_spins', '?')}, "
        f"{count} instances",
        fontsize=10,
    )
    ax.legend(fontsize=8)
    plot.finish(panels, own)
    return ax


if __name__ == "__main__":
    main()
