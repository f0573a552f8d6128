"""Storage capacity: final overlap after zero-temperature dynamics from a stored pattern.

For each load alpha and size N, a Hebbian network relaxes from some of its stored
patterns with zero-temperature asynchronous dynamics until it stops at a fixed point
(``max_sweeps`` is a cap far above the measured sweeps to convergence: the study prints
the largest number taken and the fraction of relaxations the cap stopped, which must
be zero); the mean final overlap ``m`` drops from ~1 to a remanent value of a few
tenths near alpha_c. A relaxation that retrieves its pattern stops within about 100
sweeps; one that loses it drifts for longer, about 300 sweeps at N = 16,000 and 700
at N = 32,000, so a small fixed cap stops those on the way down and biases m up.
For each seed, alpha_c(N) is where ``m`` crosses 0.8 (linear interpolation);
in the full settings a second sweep (its own store, ``<name>-fine.h5``) refines the
alpha grid between 0.14 and 0.15, where the curves fall at large N. The crossings'
mean and standard error over seeds are fitted by alpha_c(N) = alpha_c + a N^(-nu)
with nu fitted and fixed at 1 and 1/2 (:func:`spinmem.analysis.capacity_estimate`), to
compare with the replica-symmetric 0.1379 and the one-step RSB 0.1382.

Networks above ``spinmem.model.DENSE_MAX_SPINS`` spins keep their couplings as patterns
(``Hopfield.hebbian(storage="auto")``), which makes N = 64,000 fit in memory.

Run: python studies/capacity.py [--quick] [--max-n N] [--workers K]
"""

import functools
from dataclasses import dataclass

import numpy as np
import xarray as xr

import spinmem
from spinmem import plot, study
from spinmem.seeding import child

NAME = "capacity"
THRESHOLD = 0.8
FINE_ALPHAS = [0.141, 0.143, 0.145, 0.147, 0.149]
"""Full settings only: from N = 8000 on, m falls from above 0.87 to below 0.51 between
alpha = 0.14 and 0.15, so a second sweep fills that step in."""


def point(alpha, n, *, probe_budget, max_sweeps, seed):
    """Mean final overlap (and fraction recalled exactly) from stored patterns: up to 30
    of them, fewer at large N (``probe_budget // N``, at least 4), where one relaxation
    already averages over many spins."""
    net = study.hebbian_network(alpha, n, seed)
    probes = min(30, max(4, probe_budget // n))
    starts = net.patterns[:probes]
    result = spinmem.relax(net, starts, seed=child(seed, 1), max_sweeps=max_sweeps)
    m = np.einsum("ki,ki->k", result.state.values.astype(float), starts) / n
    return study.scalars(
        m=(float(m.mean()), "final overlap m", "1"),
        exact=(float(np.mean(m == 1.0)), "fraction of patterns recalled exactly", "1"),
        converged=(
            float(np.mean(result.converged.values)),
            f"fraction of relaxations at a fixed point within {max_sweeps} sweeps",
            "1",
        ),
        sweeps=(float(np.mean(result.sweeps.values)), "mean sweeps taken", "1"),
        sweeps_max=(float(np.max(result.sweeps.values)), "most sweeps taken", "1"),
    )


@dataclass(frozen=True)
class Settings:
    """The settings of one mode (``--quick`` or full)."""

    sizes: list  # N (the full mode's up to --max-n)
    seeds: int  # networks per point
    probe_budget: int  # spins times patterns probed per network
    max_sweeps: int  # of each zero-temperature relaxation
    alphas: list


QUICK = Settings(
    sizes=[250, 500, 1000],
    seeds=4,
    probe_budget=10**9,
    max_sweeps=500,
    alphas=[round(a, 3) for a in np.arange(0.08, 0.221, 0.01)],
)
FULL = Settings(
    sizes=[1000, 2000, 4000, 8000, 16_000, 32_000, 64_000],
    seeds=4,
    probe_budget=120_000,
    max_sweeps=10_000,
    alphas=[round(a, 3) for a in np.arange(0.12, 0.1701, 0.01)],
)


def main(argv=None):
    parser = study.parser(__doc__.splitlines()[0], NAME)
    parser.add_argument(
        "--max-n",
        type=int,
        default=64_000,
        help="largest N of the full settings (default 64000; sizes double from 1000)",
    )
    args = parser.parse_args(argv)
    mode = QUICK if args.quick else FULL
    sizes = mode.sizes if args.quick else [n for n in mode.sizes if n <= args.max_n]
    if len(sizes) < 4 and not args.quick:
        parser.error("--max-n must be at least 8000: the fits need four sizes")
    store, png = study.outputs(args, NAME)
    if not args.quick and args.max_n < 64_000:
        store = store.with_name(f"{NAME}-max{args.max_n}.h5")
        png = png.with_name(f"{NAME}-max{args.max_n}.png")
    function = functools.partial(
        point, probe_budget=mode.probe_budget, max_sweeps=mode.max_sweeps
    )
    ds = study.run_refined(
        function,
        {"alpha": mode.alphas, "n": sizes},
        None if args.quick else FINE_ALPHAS,
        args,
        name=NAME,
        seeds=mode.seeds,
        store=store,
        threshold=THRESHOLD,
    )
    est = estimate(ds)
    print("alpha_c(N), mean and standard error over seeds:")
    for n, a, e in zip(est["n"], est["alpha_n"], est["alpha_n_err"], strict=True):
        print(f"  N = {n:7g}: {a:.4f} +- {e:.4f}")
    for key, fit in est["fits"].items():
        print(
            f"fit alpha_c + a N^-nu, {key:6s}: alpha_c = {fit['limit']:.4f} +- "
            f"{fit['limit_err']:.4f}, nu = {fit['nu']:.2f} +- {fit['nu_err']:.2f}, "
            f"chi2/dof = {fit['chi2']:.1f}/{fit['dof']}"
        )
    print("theory: replica symmetric 0.1379, one-step RSB 0.1382")
    _print_convergence(ds, mode.max_sweeps)
    study.save_figure(figure(ds), png)
    return ds


def _print_convergence(ds: xr.Dataset, cap: int) -> None:
    """Per N: the most sweeps any relaxation took and the fraction the cap stopped (at
    one N every point relaxes the same number of patterns, so the mean of the points'
    ``converged`` is the fraction of relaxations)."""
    print(f"sweeps to a fixed point (cap {cap}): most taken, fraction stopped by the cap")
    for n in ds["n"].values:
        at = ds.sel(n=n)
        stuck = 1.0 - float(at.converged.mean())
        print(f"  N = {n:7d}: {int(at.sweeps_max.max()):6d}, {stuck:.1%}")


def estimate(ds: xr.Dataset) -> dict:
    """:func:`spinmem.analysis.capacity_estimate`, after checking the study kind."""
    plot.require(ds, NAME, ("alpha", "n", "m"))
    return spinmem.analysis.capacity_estimate(ds)


def figure(ds: xr.Dataset, *, axes=None):
    """Final overlap against alpha for several N, and the finite-size extrapolation of
    alpha_c(N) with nu fitted and fixed at 1 and 1/2 (``axes``: 2 Axes)."""
    est = estimate(ds)
    axes, own = plot.panels(
        axes, (1, 2), NAME, figsize=(11, 4.2), gridspec_kw={"width_ratios": [1.5, 1]}
    )
    axes = axes[0]
    ax, inset = axes
    reduced = spinmem.analysis.seed_mean(ds)
    colours = plot.colormap("viridis")(np.linspace(0, 0.9, ds.sizes["n"]))
    for n, colour in zip(ds["n"].values, colours, strict=True):
        ax.errorbar(
            ds["alpha"].values,
            reduced["m"].sel(n=n).values,
            yerr=reduced["m_stderr"].sel(n=n).values,
            marker="o",
            ms=3,
            capsize=2,
            color=colour,
            label=f"N = {n}",
        )
    ax.axvline(
        spinmem.analysis.RS_CAPACITY,
        color="k",
        ls="--",
        lw=1,
        label=r"RS $\alpha_c$ = 0.138",
    )
    ax.axhline(est["threshold"], color="0.6", ls=":", lw=1)
    ax.set_xlabel(plot.label(ds["alpha"]))
    ax.set_ylabel(plot.label(ds["m"]))
    ax.set_title("zero-temperature dynamics started in a stored pattern", fontsize=10)
    ax.legend(fontsize=7)
    x = 1.0 / est["n"]
    inset.errorbar(
        x,
        est["alpha_n"],
        yerr=est["alpha_n_err"],
        fmt="o",
        color="k",
        capsize=2,
        label=rf"$\alpha_c(N)$: m crosses {est['threshold']}",
    )
    sizes = np.geomspace(est["n"].min() / 1.2, 1e9, 200)
    for key, style in (("free", "-"), ("nu=1", "--"), ("nu=1/2", ":")):
        fit = est["fits"][key]
        if not np.isfinite(fit["limit"]):
            continue
        nu = rf"$\nu$ = {fit['nu']:.2f}" if key == "free" else key.replace("nu", r"$\nu$")
        inset.plot(
            1.0 / sizes,
            fit["limit"] + fit["a"] * sizes ** (-fit["nu"]),
            style,
            lw=1.2,
            label=rf"{nu}: $\alpha_c$ = {fit['limit']:.4f} $\pm$ {fit['limit_err']:.4f}",
        )
    inset.axhline(spinmem.analysis.RS_CAPACITY, color="tab:red", lw=0.8, label="RS 0.1379")
    inset.axhline(
        spinmem.analysis.RSB_CAPACITY,
        color="tab:purple",
        lw=0.8,
        ls="-.",
        label="1RSB 0.1382",
    )
    inset.set_xlabel("1/N")
    inset.set_ylabel(r"$\alpha_c(N)$")
    inset.set_xlim(0, x.max() * 1.1)
    inset.xaxis.set_major_locator(plot.max_n_locator(4))
    inset.ticklabel_format(axis="x", style="sci", scilimits=(0, 0))
    inset.legend(fontsize=7)
    inset.set_title(r"finite-size fits $\alpha_c + a N^{-\nu}$", fontsize=10)
    plot.finish(axes, own)
    return axes


if __name__ == "__main__":
    main()
