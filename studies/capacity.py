"""Storage capacity: final overlap after zero-temperature dynamics from a stored pattern.

For each load alpha and size N, a Hebbian network relaxes from some of its stored
patterns with zero-temperature asynchronous dynamics (at most ``max_sweeps`` sweeps);
the mean final overlap ``m`` drops from ~1 to a remanent value of a few tenths near
alpha_c. For each seed, alpha_c(N) is where ``m`` crosses 0.8 (linear interpolation);
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

import numpy as np
import xarray as xr

import spinmem
from spinmem import study
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
    )


def combine(coarse, fine):
    """The coarse and fine alpha grids as one Dataset, sorted by alpha (their networks
    are independent: the fine sweep has its own seed stream)."""
    ds = xr.concat([coarse, fine], "alpha", combine_attrs="override").sortby("alpha")
    ds.attrs["fine_alphas"] = list(fine["alpha"].values)
    return ds


def main(argv=None):
    parser = study.parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--max-n",
        type=int,
        default=64_000,
        help="largest N of the full settings (default 64000; sizes double from 1000)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        sizes, seeds, budget, max_sweeps = [250, 500, 1000], 4, 10**9, 500
        alphas = [round(a, 3) for a in np.arange(0.08, 0.221, 0.01)]
    else:
        sizes = [
            n for n in (1000, 2000, 4000, 8000, 16_000, 32_000, 64_000) if n <= args.max_n
        ]
        if len(sizes) < 4:
            parser.error("--max-n must be at least 8000: the fits need four sizes")
        seeds, budget, max_sweeps = 4, 120_000, 200
        alphas = [round(a, 3) for a in np.arange(0.12, 0.1901, 0.01)]
    store, figure = study.outputs(args, NAME)
    if not args.quick and args.max_n < 64_000:
        store = store.with_name(f"{NAME}-max{args.max_n}.h5")
        figure = figure.with_name(f"{NAME}-max{args.max_n}.png")
    function = functools.partial(point, probe_budget=budget, max_sweeps=max_sweeps)
    sweeps = [(alphas, store, None)]
    if not args.quick:
        sweeps.append((FINE_ALPHAS, store.with_name(f"{store.stem}-fine.h5"), 1))
    parts = [
        study.run(
            function,
            {"alpha": grid, "n": sizes},
            args,
            name=NAME,
            seeds=seeds,
            store=path,
            stream=stream,
            threshold=THRESHOLD,
        )
        for grid, path, stream in sweeps
    ]
    ds = parts[0] if len(parts) == 1 else combine(*parts)
    estimate = spinmem.plot.capacity_estimate(ds)
    print("alpha_c(N), mean and standard error over seeds:")
    for n, a, e in zip(
        estimate["n"], estimate["alpha_n"], estimate["alpha_n_err"], strict=True
    ):
        print(f"  N = {n:7g}: {a:.4f} +- {e:.4f}")
    for key, fit in estimate["fits"].items():
        print(
            f"fit alpha_c + a N^-nu, {key:6s}: alpha_c = {fit['limit']:.4f} +- "
            f"{fit['limit_err']:.4f}, nu = {fit['nu']:.2f} +- {fit['nu_err']:.2f}, "
            f"chi2/dof = {fit['chi2']:.1f}/{fit['dof']}"
        )
    print("theory: replica symmetric 0.1379, one-step RSB 0.1382")
    if len(parts) > 1:
        stuck = 1.0 - parts[1].converged.mean("seed")
        print(f"relaxations still moving after {max_sweeps} sweeps on the refined grid:")
        for n in sizes:
            row = stuck.sel(n=n).values
            print(f"  N = {n:7d}: {row.min():.0%} to {row.max():.0%}")
    study.save_figure(spinmem.plot.capacity(ds), figure)
    return ds


if __name__ == "__main__":
    main()
