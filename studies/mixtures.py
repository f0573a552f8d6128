"""Spurious states: census of end states against alpha and T, and mixture energies.

Census: random starts run Glauber dynamics at temperature T (none at T = 0), are
quenched to a zero-temperature fixed point and classified from their overlaps as
retrieval, reversed, mixture or spin-glass states (spinmem.classify).

Energies: the symmetric n-mixtures sign(xi^1 + ... + xi^n) of a network storing p = n
patterns, relaxed to their fixed point; energy per spin and overlap against the
finite-p theory (-n m^2/2 with m = 1/2, 3/8, 5/16 for n = 3, 5, 7; retrieval n = 1).

Run: python studies/mixtures.py [--quick] [--workers K]
"""

import functools
from dataclasses import dataclass

import numpy as np
import xarray as xr

import spinmem
from spinmem import plot, study, theory
from spinmem.seeding import child

NAME = "mixtures"


def census_point(alpha, temperature, *, n, starts, sweeps, seed):
    """Fractions of end states by class, and their mean energy per spin."""
    net = study.hebbian_network(alpha, n, seed)
    patterns = net.patterns
    if temperature == 0:  # uniform random states, relaxed directly
        begin = spinmem.random_patterns(starts, n, seed=child(seed, 1))
    else:
        begin = spinmem.simulate(
            net,
            temperature=temperature,
            sweeps=sweeps,
            replicas=starts,
            seed=child(seed, 1),
            record_every=sweeps,
        ).state.values
    end = spinmem.relax(net, begin, seed=child(seed, 2)).state.values
    labels = spinmem.classify(end, patterns)
    energy = net.energy(end) / n
    fraction = [np.mean(labels == c) for c in spinmem.LABELS]
    mean_energy = [
        energy[labels == c].mean() if np.any(labels == c) else np.nan
        for c in spinmem.LABELS
    ]
    return xr.Dataset(
        {
            "fraction": (
                "category",
                fraction,
                {"long_name": "fraction of end states", "units": "1"},
            ),
            "energy": (
                "category",
                mean_energy,
                {"long_name": "mean energy per spin H/N", "units": "1"},
            ),
        },
        coords={"category": list(spinmem.LABELS)},
    )


def energy_point(components, *, n, seed):
    """Energy per spin and overlap of the relaxed symmetric mixture of n patterns."""
    patterns = spinmem.random_patterns(components, n, seed=child(seed, 0))
    net = spinmem.Hopfield.hebbian(patterns)
    mix = np.sign(patterns.sum(axis=0)).astype(np.int8)
    end = spinmem.relax(net, mix, seed=child(seed, 1)).state.values[0]
    return study.scalars(
        energy=(float(net.energy(end)) / n, "energy per spin H/N", "1"),
        overlap=(float(net.overlaps(end).mean()), "mean overlap with the components", "1"),
        flipped=(float(np.mean(end != mix)), "fraction of spins changed by relaxing", "1"),
    )


@dataclass(frozen=True)
class Settings:
    """The settings of one mode (``--quick`` or full)."""

    n: int  # spins of the census networks
    starts: int  # random starts per network
    sweeps: int  # Glauber sweeps at T before the zero-temperature relaxation
    seeds: int  # networks per point
    n_mix: int  # spins of the mixture-energy networks
    alphas: list
    temperatures: list


QUICK = Settings(
    n=500,
    starts=100,
    sweeps=50,
    seeds=2,
    n_mix=3000,
    alphas=[0.005, 0.01, 0.02, 0.05, 0.1, 0.14],
    temperatures=[0.0, 0.2, 0.4, 0.6],
)
FULL = Settings(
    n=2000,
    starts=400,
    sweeps=200,
    seeds=4,
    n_mix=8000,
    alphas=[0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.12, 0.14, 0.18],
    temperatures=[0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
)


def main(argv=None):
    args = study.parser(__doc__.splitlines()[0], NAME).parse_args(argv)
    mode = QUICK if args.quick else FULL
    store, png = study.outputs(args, NAME)
    census = study.run(
        functools.partial(census_point, n=mode.n, starts=mode.starts, sweeps=mode.sweeps),
        {"alpha": mode.alphas, "temperature": mode.temperatures},
        args,
        name=NAME,
        seeds=mode.seeds,
        store=store,
        n_spins=mode.n,
        starts=mode.starts,
        sweeps=mode.sweeps,
    )
    energy_store = store.with_name(store.name.replace(NAME, f"{NAME}-energies"))
    energies = study.run(
        functools.partial(energy_point, n=mode.n_mix),
        {"components": [1, 3, 5, 7]},
        args,
        name=f"{NAME}-energies",
        seeds=mode.seeds,
        store=energy_store,
        n_spins=mode.n_mix,
    )
    report(census, energies)
    study.save_figure(figure(census, energies), png)
    return census, energies


def report(census: xr.Dataset, energies: xr.Dataset) -> None:
    """Print, per temperature, the fractions of mixture end states at the smallest
    load and the load where spin-glass end states pass one half; and the mixture
    energies against theory, with standard errors over seeds."""
    fraction = census["fraction"].mean("seed")
    alphas = census["alpha"].values
    print(f"end states from random starts (N = {census.attrs.get('n_spins', '?')}):")
    for temp in census["temperature"].values:
        at = fraction.sel(temperature=temp)
        mixture = float(at.sel(category="mixture", alpha=alphas[0]))
        glass = spinmem.analysis.crossings(
            1.0 - at.sel(category="spin-glass"), 0.5, "alpha"
        )
        print(
            f"  T = {temp:g}: mixtures {mixture:.3f} at alpha = {alphas[0]:g}; "
            f"spin-glass states pass 1/2 at alpha = {float(glass):.4f}"
        )
    reduced = spinmem.analysis.seed_mean(energies)
    print(f"symmetric mixtures (N = {energies.attrs.get('n_spins', '?')}):")
    for comps in energies["components"].values:
        row = reduced.sel(components=comps)
        expected = theory.mixture_energy(int(comps))
        print(
            f"  n = {int(comps)}: H/N = {float(row.energy):.5f} +- "
            f"{float(row.energy_stderr):.5f}, theory {expected:.5f}"
        )


def figure(census: xr.Dataset, energies: xr.Dataset | None = None, *, axes=None):
    """End-state fractions by class against alpha (one panel per temperature), and
    symmetric-mixture energies against finite-p theory (one more panel when
    ``energies`` is given); up to five panels a row, or the ``axes`` given, one per
    panel."""
    if "class" in census.dims:  # files written before the dimension was renamed
        census = census.rename({"class": "category"})
    plot.require(census, NAME, ("alpha", "temperature", "category", "fraction"))
    if energies is not None:
        plot.require(energies, NAME, ("components", "energy"))
    temps = census["temperature"].values
    panels = len(temps) + (energies is not None)
    if axes is None:  # at most five panels a row
        rows, cols = -(-panels // 5), min(panels, 5)
        grid, own = plot.panels(None, (rows, cols), NAME, figsize=(3.3 * cols, 3.6 * rows))
        for spare in grid.flat[panels:]:
            spare.set_visible(False)
        axes = grid.ravel()[:panels]
    else:
        axes, own = plot.panels(axes, (1, panels), NAME)
        axes = axes[0]
    fraction = plot.seed_averaged(census["fraction"])
    for ax, temp in zip(axes, temps, strict=False):
        for cls in census["category"].values:
            values = fraction.sel(temperature=temp, category=cls)
            ax.plot(census["alpha"].values, values, marker="o", ms=3, label=str(cls))
        ax.set_xscale("log")
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel(plot.label(census["alpha"]))
        ax.set_title(f"T = {temp:g}", fontsize=10)
    axes[0].set_ylabel(plot.label(census["fraction"]))
    axes[0].legend(fontsize=7)
    if energies is not None:
        ax = axes[-1]
        comps = energies["components"].values
        e = plot.seed_averaged(energies["energy"]).values
        ax.plot(comps, e, "o", label="simulation (relaxed mixture)")
        theory_e = [theory.mixture_energy(int(c)) for c in comps]
        ax.plot(comps, theory_e, "k_", ms=18, mew=2, label=r"theory $-n m^2/2$")
        ax.set_xlabel(plot.label(energies["components"]))
        ax.set_ylabel(plot.label(energies["energy"]))
        ax.set_xticks(comps)
        ax.legend(fontsize=7)
        ax.set_title(
            f"symmetric mixtures, N = {energies.attrs.get('n_spins', '?')}", fontsize=10
        )
    plot.finish(
        axes, own, "zero-temperature end states from random starts (after Glauber at T)"
    )
    return axes


def draw(path, ds: xr.Dataset):
    """The figure from either store (census or energies) read from ``path``, with the
    other one beside it (for ``spinmem plot``)."""
    if ds.attrs["study"] == f"{NAME}-energies":
        return figure(study.sibling(path, f"{NAME}-energies", NAME), ds)
    return figure(ds, study.sibling(path, NAME, f"{NAME}-energies"))


if __name__ == "__main__":
    main()
