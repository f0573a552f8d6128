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

import numpy as np
import xarray as xr

import spinmem
from spinmem import study
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


def main(argv=None):
    args = study.parser(__doc__.splitlines()[0]).parse_args(argv)
    if args.quick:
        n, starts, sweeps, seeds, n_mix = 500, 100, 50, 2, 3000
        alphas, temps = [0.005, 0.01, 0.02, 0.05, 0.1, 0.14], [0.0, 0.2, 0.4, 0.6]
    else:
        n, starts, sweeps, seeds, n_mix = 2000, 400, 200, 4, 8000
        alphas = [0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.12, 0.14, 0.18]
        temps = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
    store, figure = study.outputs(args, NAME)
    census = study.run(
        functools.partial(census_point, n=n, starts=starts, sweeps=sweeps),
        {"alpha": alphas, "temperature": temps},
        args,
        name=NAME,
        seeds=seeds,
        store=store,
        n_spins=n,
        starts=starts,
        sweeps=sweeps,
    )
    energy_store = store.with_name(store.name.replace(NAME, f"{NAME}-energies"))
    energies = study.run(
        functools.partial(energy_point, n=n_mix),
        {"components": [1, 3, 5, 7]},
        args,
        name=f"{NAME}-energies",
        seeds=seeds,
        store=energy_store,
        n_spins=n_mix,
    )
    study.save_figure(spinmem.plot.mixtures(census, energies), figure)
    return census, energies


if __name__ == "__main__":
    main()
