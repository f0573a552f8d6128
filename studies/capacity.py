"""Storage capacity: final overlap after zero-temperature dynamics from a stored pattern.

For each load alpha and size N, a Hebbian network relaxes from (up to 30 of) its stored
patterns with zero-temperature asynchronous dynamics; the mean final overlap ``m``
drops from ~1 to a remanent value of a few tenths near alpha_c. The finite-size
estimate alpha_c(N) is where the seed-averaged ``m`` crosses 0.8 (linear
interpolation); a straight-line fit of alpha_c(N) against 1/N gives the N -> infinity
value, to compare with the replica-symmetric 0.138 (0.138186 with one-step RSB).

Run: python studies/capacity.py [--quick] [--workers K]
"""

import functools

import numpy as np

import spinmem
from spinmem import study
from spinmem.seeding import child

NAME = "capacity"
THRESHOLD = 0.8


def point(alpha, n, *, probes, seed):
    """Mean final overlap (and fraction recalled exactly) from stored patterns."""
    net = study.hebbian_network(alpha, n, seed)
    patterns = net.patterns
    starts = patterns[:probes]
    result = spinmem.relax(net, starts, seed=child(seed, 1), max_sweeps=500)
    m = np.einsum("ki,ki->k", result.states.astype(float), starts) / n
    return study.scalars(
        m=(float(m.mean()), "final overlap m", "1"),
        exact=(float(np.mean(m == 1.0)), "fraction of patterns recalled exactly", "1"),
    )


def main(argv=None):
    args = study.parser(__doc__.splitlines()[0]).parse_args(argv)
    if args.quick:
        sizes, seeds = [250, 500, 1000], 4
        alphas = [round(a, 3) for a in np.arange(0.08, 0.221, 0.01)]
    else:
        sizes, seeds = [500, 1000, 2000, 4000], 8
        alphas = [round(a, 3) for a in np.arange(0.08, 0.2201, 0.005)]
    store, figure = study.outputs(args, NAME)
    ds = study.run(
        functools.partial(point, probes=30),
        {"alpha": alphas, "n": sizes},
        args,
        name=NAME,
        seeds=seeds,
        store=store,
        threshold=THRESHOLD,
    )
    estimate = spinmem.plot.capacity_estimate(ds)
    per_size = ", ".join(
        f"N={n:g}: {a:.4f}" for n, a in zip(estimate["n"], estimate["alpha_n"], strict=True)
    )
    print(
        f"finite-size alpha_c(N) ({per_size}); extrapolated to 1/N -> 0: "
        f"{estimate['alpha_inf']:.4f} (replica-symmetric theory 0.1379)"
    )
    study.save_figure(spinmem.plot.capacity(ds), figure)
    return ds


if __name__ == "__main__":
    main()
