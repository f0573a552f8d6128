"""Simulated annealing of SK spin glasses: energy against schedule length and size, and
the ground-state energy extrapolated in N^(-2/3).

Each instance is a Sherrington-Kirkpatrick spin glass (J_ij ~ N(0, 1/N)) of N spins,
the same for every schedule length so that lengths are compared on the same instances;
8 replicas anneal it with Glauber dynamics along a geometric schedule from T = 3 to
T = 0.05 with one sweep per step. Longer schedules reach lower energies. The lowest
energy per spin found for an instance by any schedule is its ground-state estimate (an
upper bound); their mean over instances at each N is fitted by e(N) = e_0 + a N^(-2/3)
(:func:`spinmem.analysis.finite_size_fit`), against the Parisi value e_0 = -0.763167
(Crisanti and Rizzo 2002). The study prints how much the longest schedule still lowered
the estimate, which says whether the annealing itself, not only N, limits it.

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
PARISI_GROUND_ENERGY = -0.763167
"""The SK ground-state energy per spin for N -> infinity (Crisanti and Rizzo 2002)."""
FINITE_SIZE_EXPONENT = 2 / 3


def sk_instance(n, instance, instance_seed):
    """SK couplings J_ij ~ N(0, 1/N), symmetric, zero diagonal, of a numbered instance
    (:meth:`spinmem.Hopfield.sherrington_kirkpatrick` from the seed ``[instance_seed,
    instance]``)."""
    seed = np.random.SeedSequence([instance_seed, instance])
    return spinmem.Hopfield.sherrington_kirkpatrick(n, seed=seed)


def point(n, steps, instance, *, replicas, instance_seed, seed):
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

    sizes: list  # N
    instances: int  # SK instances per size
    steps: list  # schedule lengths


QUICK = Settings(sizes=[50, 100, 200], instances=6, steps=[10, 30, 100, 300, 1000, 3000])
FULL = Settings(
    sizes=[200, 400, 800, 1600],
    instances=16,
    steps=[10, 30, 100, 300, 1000, 3000, 10000, 30000],
)


def main(argv=None):
    args = study.parser(__doc__.splitlines()[0], NAME).parse_args(argv)
    mode = QUICK if args.quick else FULL
    store, png = study.outputs(args, NAME)
    function = functools.partial(point, replicas=8, instance_seed=args.seed)
    ds = study.run(
        function,
        {"n": mode.sizes, "steps": mode.steps, "instance": list(range(mode.instances))},
        args,
        name=NAME,
        seeds=1,
        store=store,
        reference_energy=PARISI_GROUND_ENERGY,
    )
    report(ds)
    study.save_figure(figure(ds), png)
    return ds


def ground_estimates(ds: xr.Dataset) -> xr.Dataset:
    """Per size, the mean over instances of each instance's lowest energy per spin
    found by any schedule (``ground``, with ``ground_stderr``), and the mean amount by
    which the longest schedule lowered it below the best of the shorter ones
    (``last_gain``, with ``last_gain_stderr``)."""
    plot.require(ds, NAME, ("n", "steps", "instance", "best"))
    best = ds["best"].min("seed") if "seed" in ds.dims else ds["best"]
    lowest = best.min("steps")
    shorter = best.isel(steps=slice(None, -1)).min("steps")
    gain = shorter - lowest
    count = ds.sizes["instance"]
    return xr.Dataset(
        {
            "ground": lowest.mean("instance"),
            "ground_stderr": lowest.std("instance", ddof=1) / np.sqrt(count),
            "last_gain": gain.mean("instance"),
            "last_gain_stderr": gain.std("instance", ddof=1) / np.sqrt(count),
        }
    )


def estimate(ds: xr.Dataset) -> dict:
    """The fit e(N) = e_0 + a N^(-2/3) of :func:`ground_estimates` (the keys of
    :func:`spinmem.analysis.finite_size_fit`), with the estimates themselves under
    ``sizes``."""
    sizes = ground_estimates(ds)
    fit = spinmem.analysis.finite_size_fit(
        sizes["n"].values,
        sizes["ground"].values,
        sizes["ground_stderr"].values,
        nu=FINITE_SIZE_EXPONENT,
    )
    return {**fit, "sizes": sizes}


def report(ds: xr.Dataset) -> None:
    """Print the ground-state estimates per N and their extrapolation."""
    est = estimate(ds)
    sizes = est["sizes"]
    longest = int(ds["steps"].max())
    print(
        "lowest energy per spin found, mean over instances, and how much the "
        f"{longest}-step schedule lowered it:"
    )
    for n in sizes["n"].values:
        row = sizes.sel(n=n)
        print(
            f"  N = {int(n):5d}: {float(row.ground):.5f} +- {float(row.ground_stderr):.5f}"
            f"   gain {float(row.last_gain):.5f} +- {float(row.last_gain_stderr):.5f}"
        )
    print(
        f"fit e_0 + a N^-2/3: e_0 = {est['limit']:.4f} +- {est['limit_err']:.4f}, "
        f"a = {est['a']:.3f}, chi2/dof = {est['chi2']:.1f}/{est['dof']}"
    )
    print(f"Parisi (Crisanti and Rizzo 2002): e_0 = {PARISI_GROUND_ENERGY}")


def figure(ds: xr.Dataset, *, axes=None):
    """Best (filled) and final (open) energy per spin against schedule length for each
    N, averaged over instances with standard errors, and the ground-state estimates
    against N^(-2/3) with their fit (``axes``: 2 Axes)."""
    plot.require(ds, NAME, ("n", "steps", "instance", "final", "best"))
    est = estimate(ds)
    axes, own = plot.panels(axes, (1, 2), NAME, figsize=(11, 4.2))
    ax, fit_ax = axes[0]
    over = [d for d in ("instance", "seed") if d in ds.dims]
    reduced = spinmem.analysis.seed_mean(ds.stack(repetition=over), dim="repetition")
    steps = ds["steps"].values
    colours = plot.colormap("viridis")(np.linspace(0, 0.9, ds.sizes["n"]))
    for n, colour in zip(ds["n"].values, colours, strict=True):
        row = reduced.sel(n=n)
        for name, style in (
            ("best", {"marker": "s", "label": f"N = {n}"}),
            ("final", {"marker": "o", "mfc": "none", "ls": ":"}),
        ):
            ax.errorbar(
                steps,
                row[name].values,
                yerr=row[f"{name}_stderr"].values,
                ms=4,
                capsize=2,
                color=colour,
                **style,
            )
    reference = float(ds.attrs.get("reference_energy", PARISI_GROUND_ENERGY))
    for target in (ax, fit_ax):
        target.axhline(
            reference, color="k", ls="--", lw=1, label=f"Parisi $e_0$ = {reference:g}"
        )
    ax.set_xscale("log")
    ax.set_xlabel(plot.label(ds["steps"]) + " (1 sweep each)")
    ax.set_ylabel("energy per spin H/N")
    ax.set_title(
        f"SK annealing, {ds.sizes['instance']} instances per N: best (filled), "
        "final (open)",
        fontsize=10,
    )
    ax.legend(fontsize=7)
    sizes = est["sizes"]
    x = sizes["n"].values.astype(float) ** -FINITE_SIZE_EXPONENT
    fit_ax.errorbar(
        x,
        sizes["ground"].values,
        yerr=sizes["ground_stderr"].values,
        fmt="s",
        color="k",
        capsize=2,
        label="lowest found, mean over instances",
    )
    if np.isfinite(est["limit"]):
        line = np.linspace(0, x.max() * 1.1, 50)
        fit_ax.plot(
            line,
            est["limit"] + est["a"] * line,
            "-",
            color="tab:blue",
            lw=1.2,
            label=rf"fit: $e_0$ = {est['limit']:.4f} $\pm$ {est['limit_err']:.4f}"
            rf" ($\chi^2$ {est['chi2']:.1f}/{est['dof']})",
        )
    fit_ax.set_xlim(0, x.max() * 1.1)
    fit_ax.set_xlabel(r"$N^{-2/3}$")
    fit_ax.set_ylabel("ground-state energy per spin")
    fit_ax.set_title(r"extrapolation $e_0 + a N^{-2/3}$", fontsize=10)
    fit_ax.legend(fontsize=7)
    plot.finish(axes, own)
    return axes


if __name__ == "__main__":
    main()
