"""The capacity of Hebbian unlearning: for which loads dreaming makes every pattern stable.

For each load alpha and size N, Hebbian networks dream (epsilon = 0.01) up to t = epsilon
D / N = t_max, measured every dt; the milestones of Benedetti et al. (2022) are read on
the trace (spinmem.unlearning.milestones): t_in, where every pattern first is a fixed
point, t_top, where the smallest stability is largest, and t_fin, where a pattern is
unstable again. A network has an all-stable window when t_in exists; the fraction of
networks with one falls from 1 to 0 with the load, and the load where it crosses one
half is the finite-size capacity alpha_c^HU(N) (about 0.6 in the literature). In the
full settings a second sweep (its own store, ``<name>-fine.h5``, and its own networks)
fills in the loads 0.61-0.64, between the last load where most networks have a window
and the first where few do.

Run: python studies/unlearning_capacity.py [--quick] [--workers K]
"""

import functools
import math
from dataclasses import dataclass

import numpy as np
import xarray as xr

import spinmem
from spinmem import analysis, plot, study
from spinmem.seeding import child

NAME = "unlearning_capacity"
EPSILON = 0.01


def point(alpha, n, *, t_max, dt, seed):
    """The milestones of one network's unlearning, on the clock t = epsilon D / N."""
    net = study.hebbian_network(alpha, n, seed)
    every = max(1, round(dt * n / EPSILON))
    _, trace = spinmem.unlearn(
        net,
        dreams=every * math.ceil(t_max / dt),
        epsilon=EPSILON,
        record_every=every,
        measure="stability",
        seed=child(seed, 1),
        progress=False,
    )
    found = spinmem.unlearning.milestones(trace)
    return study.scalars(
        window=(float(np.isfinite(found.d_in)), "has an all-stable window", "1"),
        t_in=(float(found.t_in), "t_in: every pattern stable first", "1"),
        t_top=(float(found.t_top), "t_top: largest minimum stability", "1"),
        t_fin=(float(found.t_fin), "t_fin: a pattern unstable again", "1"),
        top_stability=(
            float(trace.min_stability.max()),
            "largest minimum stability",
            "1",
        ),
    )


@dataclass(frozen=True)
class Settings:
    """The settings of one mode (``--quick`` or full)."""

    sizes: list  # N
    seeds: int  # networks per point
    alphas: list
    t_max: float  # unlearning time reached
    dt: float  # resolution of the milestones
    fine: list | None = None  # loads of the refining sweep


QUICK = Settings(sizes=[40, 80], seeds=4, alphas=[0.3, 0.45, 0.6, 0.75], t_max=0.9, dt=0.02)
FULL = Settings(
    sizes=[100, 200, 400, 800],
    seeds=8,
    alphas=[0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75],
    t_max=1.0,
    dt=0.005,
    fine=[0.61, 0.62, 0.63, 0.64],
)


def main(argv=None):
    args = study.parser(__doc__.splitlines()[0], NAME).parse_args(argv)
    mode = QUICK if args.quick else FULL
    store, png = study.outputs(args, NAME)
    ds = study.run_refined(
        functools.partial(point, t_max=mode.t_max, dt=mode.dt),
        {"alpha": mode.alphas, "n": mode.sizes},
        mode.fine,
        args,
        name=NAME,
        seeds=mode.seeds,
        store=store,
        epsilon=EPSILON,
        t_max=mode.t_max,
        dt=mode.dt,
    )
    report(ds)
    study.save_figure(figure(ds), png)
    return ds


def report(ds: xr.Dataset) -> None:
    """Print alpha_c^HU(N) with bootstrap errors and its extrapolation in 1/N."""
    errors = capacity_errors(ds)
    for n, alpha_c in capacities(ds).items():
        print(
            f"N = {n}: alpha_c^HU = {alpha_c:.3f} +- {errors[n]:.3f} "
            "(window fraction crosses 1/2; bootstrap over networks and grid)"
        )
    for key, fit in extrapolations(ds).items():
        if not fit["limit_err"] < 1:
            print(f"fit alpha_c + a N^-nu, {key}: not constrained by these sizes")
            continue
        print(
            f"fit alpha_c + a N^-nu, {key}: alpha_c = {fit['limit']:.3f} +- "
            f"{fit['limit_err']:.3f}, nu = {fit['nu']:.2f}, "
            f"chi2/dof = {fit['chi2']:.1f}/{fit['dof']}"
        )


def capacities(ds: xr.Dataset) -> dict:
    """alpha_c^HU(N): where the fraction of networks with an all-stable window falls
    below one half, by linear interpolation (NaN when it does not on the grid)."""
    fraction = ds["window"].mean("seed")
    crossing = analysis.crossings(fraction, 0.5, dim="alpha")
    return {int(n): float(crossing.sel(n=n)) for n in ds["n"].values}


def capacity_errors(ds: xr.Dataset, resamples: int = 2000) -> dict:
    """The standard error of each alpha_c^HU(N): the spread of the crossing when the
    networks of every (alpha, N) are drawn again with replacement (a bootstrap with a
    fixed seed, so the same store gives the same errors), and in quadrature the
    resolution of the load grid, w / sqrt(12) for the bracket of width w that holds the
    crossing (a uniform spread over it: where every network has a window at one load
    and none at the next, the bootstrap spread is zero and the grid is the error)."""
    window = ds["window"].transpose("alpha", "n", "seed").values
    rng = np.random.default_rng(0)
    picks = rng.integers(0, window.shape[2], size=(resamples, *window.shape))
    fractions = np.take_along_axis(window[None], picks, axis=3).mean(axis=3)
    drawn = xr.DataArray(
        fractions,
        dims=("resample", "alpha", "n"),
        coords={"alpha": ds["alpha"].values, "n": ds["n"].values},
    )
    crossing = analysis.crossings(drawn, 0.5, dim="alpha")
    alphas = ds["alpha"].values
    errors = {}
    for n, found in capacities(ds).items():
        k = np.searchsorted(alphas, found)
        width = alphas[k] - alphas[k - 1] if 0 < k < alphas.size else np.nan
        spread = float(crossing.sel(n=n).std(ddof=1))
        errors[n] = float(np.hypot(spread, width / np.sqrt(12)))
    return errors


def extrapolations(ds: xr.Dataset) -> dict:
    """:func:`spinmem.analysis.finite_size_fit` of alpha_c^HU(N) with nu = 1 and, with
    four sizes or more, nu fitted."""
    found, errors = capacities(ds), capacity_errors(ds)
    sizes = np.array(sorted(found))
    values = np.array([found[n] for n in sizes])
    stderr = np.array([errors[n] for n in sizes])
    fits = {"nu=1": analysis.finite_size_fit(sizes, values, stderr, nu=1.0)}
    if sizes.size >= 4:
        fits["nu fitted"] = analysis.finite_size_fit(sizes, values, stderr)
    return fits


def figure(ds: xr.Dataset, *, axes=None):
    """The fraction of networks with an all-stable window against the load, per N,
    with alpha_c^HU(N); and the milestones t_in, t_top, t_fin against the load, mean
    over the networks that have them (``axes``: 2 Axes)."""
    plot.require(ds, NAME, ("alpha", "n", "window", "t_in", "t_top", "t_fin"))
    axes, own = plot.panels(axes, (1, 2), NAME, figsize=(11, 4))
    left, right = axes[0]
    alpha = ds["alpha"].values
    found = capacities(ds)
    for k, n in enumerate(ds["n"].values):
        colour = plot.colour_cycle()[k % 10]
        fraction = ds["window"].sel(n=n).mean("seed")
        label = f"N = {n}, " + r"$\alpha_c^{HU}$" + f" = {found[int(n)]:.3f}"
        left.plot(alpha, fraction, "o-", color=colour, ms=4, label=label)
        for name, style in (("t_in", "o-"), ("t_top", "s--"), ("t_fin", "^:")):
            mean = ds[name].sel(n=n).mean("seed", skipna=True)
            right.plot(alpha, mean, style, color=colour, ms=4, label=f"{name}, N = {n}")
    left.axhline(0.5, color="0.5", lw=0.8)
    left.set_xlabel(plot.label(ds["alpha"]))
    left.set_ylabel("fraction of networks with an all-stable window")
    left.legend(fontsize=8)
    right.plot(alpha, alpha, color="0.6", lw=0.8, label=r"$t = \alpha$")
    right.set_xlabel(plot.label(ds["alpha"]))
    right.set_ylabel(r"unlearning time $t = \epsilon D / N$")
    right.legend(fontsize=7, ncol=2)
    plot.finish(
        axes,
        own,
        rf"Capacity of Hebbian unlearning, $\epsilon$ = {ds.attrs.get('epsilon', '?')}",
    )
    return axes


if __name__ == "__main__":
    main()
