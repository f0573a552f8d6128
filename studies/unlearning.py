"""Hopfield-Feinstein-Palmer unlearning: stability and retrieval against dreams.

For each load alpha and unlearning strength epsilon, a Hebbian network of N spins
dreams (random start, zero-temperature relaxation, J -= epsilon/N s* s*) and is measured
along the way: fraction of stored patterns that are fixed points, mean overlap after
relaxing from cues at m0 = 0.8, and the fraction of random starts that end in spurious
states. Traces are indexed by the natural clock t = epsilon D / N.

Run: python studies/unlearning.py [--quick] [--workers K]
"""

import functools
from dataclasses import dataclass

import numpy as np
import xarray as xr

import spinmem
from spinmem import plot, study
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


@dataclass(frozen=True)
class Settings:
    """The settings of one mode (``--quick`` or full)."""

    n: int  # spins
    seeds: int  # networks per point
    probes: int  # cues and random starts per probe
    alphas: list
    epsilons: list


QUICK = Settings(n=200, seeds=2, probes=20, alphas=[0.15, 0.3], epsilons=[0.01, 0.02])
FULL = Settings(
    n=500,
    seeds=6,
    probes=50,
    alphas=[0.1, 0.2, 0.3, 0.4],
    epsilons=[0.001, 0.005, 0.01, 0.02],
)


def main(argv=None):
    args = study.parser(__doc__.splitlines()[0], NAME).parse_args(argv)
    mode = QUICK if args.quick else FULL
    store, png = study.outputs(args, NAME)
    ds = study.run(
        functools.partial(point, n=mode.n, t_max=0.45, dt=0.015, probes=mode.probes),
        {"alpha": mode.alphas, "epsilon": mode.epsilons},
        args,
        name=NAME,
        seeds=mode.seeds,
        store=store,
        n_spins=mode.n,
    )
    report(ds)
    study.save_figure(figure(ds), png)
    return ds


def report(ds: xr.Dataset) -> None:
    """Print, per load and epsilon, on the seed-mean traces: the first t where every
    pattern of every network is a fixed point, the first t after it where fewer than
    half are, and the overlap reached from cues at the first of them."""
    mean = ds[list(_VARIABLES)].mean("seed")
    t = ds["t"].values
    print(
        "alpha, epsilon: first t with every pattern stable (all networks), first t "
        "after it with under half stable, cue overlap at the first:"
    )
    for alpha in ds["alpha"].values:
        for eps in ds["epsilon"].values:
            row = mean.sel(alpha=alpha, epsilon=eps)
            stable = row.stable_fraction.values
            whole = np.flatnonzero(stable == 1.0)
            if whole.size == 0:
                print(f"  {alpha:g}, {eps:g}: never all stable up to t = {t[-1]:g}")
                continue
            first = whole[0]
            lost = np.flatnonzero((stable < 0.5) & (np.arange(t.size) > first))
            end = f"{t[lost[0]]:.3f}" if lost.size else f"> {t[-1]:g}"
            overlap = float(row.retrieval_overlap.values[first])
            print(f"  {alpha:g}, {eps:g}: {t[first]:.3f}, {end}, {overlap:.3f}")


_VARIABLES = ("stable_fraction", "retrieval_overlap", "spurious_fraction")


def figure(ds: xr.Dataset, *, axes=None):
    """Stable fraction, cue retrieval and spurious fraction against t = epsilon D / N
    (``axes``: 3 Axes)."""
    plot.require(
        ds,
        NAME,
        ("t", "alpha", "epsilon", *_VARIABLES),
    )
    names = _VARIABLES
    axes, own = plot.panels(axes, (1, 3), NAME, figsize=(13, 3.8), sharex=True)
    axes = axes[0]
    t = ds["t"].values
    for ax, name in zip(axes, names, strict=True):
        for alpha in ds["alpha"].values:
            for k, eps in enumerate(ds["epsilon"].values):
                var = ds[name].sel(alpha=alpha, epsilon=eps)
                mean = plot.seed_averaged(var).values
                ax.plot(
                    t,
                    mean,
                    ls=("-", "--", ":", "-.")[k % 4],
                    marker=".",
                    ms=3,
                    label=rf"$\alpha$={alpha:g}, $\epsilon$={eps:g}",
                )
        ax.set_xlabel(plot.label(ds["t"]))
        ax.set_ylabel(plot.label(ds[name]))
    axes[0].legend(fontsize=7)
    n = ds.attrs.get("n_spins", "?")
    plot.finish(axes, own, f"Hopfield-Feinstein-Palmer unlearning, N = {n}")
    return axes


if __name__ == "__main__":
    main()
