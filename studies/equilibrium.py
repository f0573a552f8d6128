"""Equilibrium by parallel tempering: spin-glass transitions and the retrieval line T_c.

Every point is one disorder sample (seed): a Sherrington-Kirkpatrick instance of N
spins, or a Hebbian network of N spins at load alpha, simulated by parallel tempering
(Metropolis, one exchange round per sweep) on a fixed temperature ladder (linear for
SK, geometric for the wider range of the Hopfield networks) with four chains started
at random. After discarding the first half of the run it records, per
temperature, the thermal moments <q^2>, <q^4> of the twin overlaps (chains 0-1, 2-3),
P(q), the energy and specific heat, and for Hebbian networks the fraction of records
in which some pattern has |m| > 0.5 (the retrieval weight); the split-chain R-hat of
q^2 and the round trips report whether the chains mixed. In the full settings a second
sweep (its own store, ``equilibrium-hopfield-long.h5``, and its own seed stream) runs
Hopfield networks at N = 400 and 800 and alpha <= 0.04 four times longer, where the
cold chains of the first sweep did not mix; its samples replace those points. A third
Hopfield sweep (``equilibrium-annealed.h5``) anneals the very networks of the long runs
(same grid, seeds and seed stream) by population annealing, two independent runs per
network, and records the retrieval weight at every temperature of its schedule: where
tempering did not mix, this decides the retrieval temperature, and where it did, the
two methods must agree. A fourth Hopfield sweep (``equilibrium-annealed-large.h5``)
anneals the same networks at the points where the population's family statistics were
marginal (full settings: alpha = 0.03 and 0.04, N = 800) again with ten times the
population, one run each: where both population sizes give the same crossing and the
larger one has R much larger than rho_t at it, the crossing does not depend on the
population. Where it is not (a population condenses onto the few replicas that entered
the retrieval states), a fifth sweep (``equilibrium-branches.h5``) gives the same
samples' retrieval weight from the free energies of the branches of states
(``spinmem.branches``: the states with no pattern retrieved cooled by population
annealing confined to them, each pattern's states heated from its zero-temperature
fixed point), two runs each. Each sample is decided by the annealing where R / rho_t
>= 10 at its crossing, else by the branches where their two runs agree and the
population with no pattern retrieved passes the same test, with few of its blocks
rejected at the branch boundary; the verdict of a point is the crossing of the
sample-mean retrieval weight of the deciding methods, and it is given only where
every sample is decided.

The figure shows the disorder-averaged Binder cumulant against T for several N (SK:
crossing near T = 1; Hopfield: near T_g = 1 + sqrt(alpha)), P(q) of SK at the lowest
temperature, and the temperature below which the retrieval states carry half the
equilibrium weight (tempering: circles, open where some sample did not mix; population
annealing: squares with bootstrap errors over samples; verdicts: black stars) against
the replica-symmetric T_c and T_M lines.

One idea, equilibrium from several samplers on the same networks; about 1100 lines
because the report prints the checks that say which sampler decided each point and
why.

Run: python studies/equilibrium.py [--quick] [--workers K]
"""

import functools
from dataclasses import dataclass

import numpy as np
import xarray as xr

import spinmem
from spinmem import branches, observables, plot, population, stats, study, theory
from spinmem.seeding import child

NAME = "equilibrium"
CHAINS = 4
LATTICE = 16  # P(q) bins centred on the overlaps of 16 spins
RETRIEVED = 0.5


def sk_point(n, *, temperatures, sweeps, seed):
    """One SK sample of N spins."""
    net = spinmem.Hopfield.sherrington_kirkpatrick(n, seed=child(seed, 0))
    return _tempered(net, temperatures, sweeps, child(seed, 1))


def hopfield_point(alpha, n, *, temperatures, sweeps, seed):
    """One Hebbian network of N spins at load alpha."""
    net = study.hebbian_network(alpha, n, seed)
    return _tempered(net, temperatures, sweeps, child(seed, 1))


def _tempered(net, temperatures, sweeps, seed) -> xr.Dataset:
    run = spinmem.temper(
        net, temperatures, sweeps=sweeps, chains=CHAINS, seed=seed, record_every=2
    )
    late = run.isel(sweep=slice(run.sizes["sweep"] // 2, None))
    q = late.q
    moments = {k: (q**k).mean(("pair", "sweep")) for k in (2, 4)}
    heat = observables.specific_heat(late.energy, net.n_spins)
    out = {
        "q2": (moments[2], "thermal <q^2>", "1"),
        "q4": (moments[4], "thermal <q^4>", "1"),
        "pq": (
            observables.overlap_distribution(q, bins=observables.lattice_bins(LATTICE)),
            "P(q)",
            "1",
        ),
        "energy": (
            late.energy.mean(("chain", "sweep")) / net.n_spins,
            "energy per spin",
            "1",
        ),
        "c": (heat.c, "specific heat per spin", "1"),
        "q2_rhat": (
            stats.time_average(q**2, chain_dim="pair").rhat,
            "split-chain R-hat of q^2",
            "1",
        ),
        "acceptance": (run.swap_acceptance, "exchange acceptance of pair k, k+1", "1"),
        "round_trips": (run.round_trips.sum(), "round trips, all replicas", "1"),
    }
    if net.n_patterns:
        best = observables.largest_overlap(late.overlap)
        out["m_max"] = (best.mean(("chain", "sweep")), "mean largest overlap |m|", "1")
        out["retrieval"] = (
            (best > RETRIEVED).mean(("chain", "sweep")),
            f"fraction of records with some |m| > {RETRIEVED}",
            "1",
        )
    return xr.Dataset(
        {
            name: value.assign_attrs(long_name=label, units=units)
            for name, (value, label, units) in out.items()
        }
    )


def annealed_point(alpha, n, *, temperature, steps, replicas, sweeps, runs, seed):
    """One Hebbian network of N spins at load alpha annealed by ``runs`` independent
    population-annealing runs (Metropolis) from T = infinity to ``temperature`` in
    ``steps`` steps linear in beta: per temperature (increasing), the combined and
    per-run retrieval weight, the energy and free energy per spin, and the family
    statistics."""
    net = study.hebbian_network(alpha, n, seed)
    return _annealed(net, temperature, steps, replicas, sweeps, runs, seed)


def certified_point(
    alpha, n, sample, *, networks, temperature, steps, replicas, sweeps, runs, seed
):
    """Sample ``sample`` of the long tempering runs at (alpha, n), annealed as
    :func:`annealed_point` does with its own runs (``networks``: the long sweep's grid,
    samples per point, root seed and seed stream)."""
    grid, samples, root, stream = networks
    point = {"alpha": alpha, "n": n, "seed": sample}
    network_seed = spinmem.point_seed(
        grid, point, seed=study.sweep_seed(root, stream), seeds=samples
    )
    net = study.hebbian_network(alpha, n, network_seed)
    return _annealed(net, temperature, steps, replicas, sweeps, runs, seed)


def branch_point(
    alpha,
    n,
    sample,
    *,
    networks,
    temperature,
    heat_from,
    steps,
    replicas,
    retrieval_replicas,
    ground_steps,
    sweeps,
    runs,
    seed,
):
    """Sample ``sample`` of the long tempering runs at (alpha, n) (``networks`` as for
    :func:`certified_point`): its retrieval weight from the free energies of its
    branches of states (:func:`spinmem.branches.branch_free_energies`, ``runs``
    independent runs, streams ``child(seed, run)``) at the temperatures of the
    annealing schedule from ``heat_from`` down to ``temperature``, with the runs'
    spread, the free energies per spin (of all states and of each kind of branch) and
    the fractions of blocks of sweeps rejected for leaving a branch."""
    net = _long_network(alpha, n, sample, networks)
    betas = np.linspace(0.0, 1.0 / temperature, steps + 1)
    done = [
        branches.branch_free_energies(
            net,
            betas,
            heat_to=1.0 / heat_from,
            replicas=replicas,
            retrieval_replicas=retrieval_replicas,
            ground_steps=ground_steps,
            sweeps_per_step=sweeps,
            seed=child(seed, run),
            progress=False,
        )
        for run in range(runs)
    ]
    hot = np.isfinite(done[0].retrieval.values)
    each = xr.concat([d.drop_dims("pattern") for d in done], "run").isel(step=hot)
    mean = each.retrieval.mean("run")
    error = (
        each.retrieval.std("run", ddof=1) / np.sqrt(runs)
        if runs > 1
        else xr.full_like(mean, np.nan)
    )
    out = {
        "retrieval": (mean, "retrieval weight, mean of the runs"),
        "retrieval_stderr": (error, "its error from the runs' spread"),
        "run_retrieval": (each.retrieval, "retrieval weight of each run"),
        "free_energy": (
            -(each.log_z / each.beta).mean("run") / n,
            "free energy per spin, mean of the runs",
        ),
        "free_energy_rest": (
            -(each.log_z_rest / each.beta).mean("run") / n,
            "free energy per spin of the states with no pattern retrieved",
        ),
        "free_energy_retrieval": (
            -(each.log_z_retrieval / each.beta).mean("run") / n,
            "free energy per spin of the retrieval states",
        ),
        "rejected_rest": (
            each.rejected_rest.max("run"),
            "largest fraction of rejected blocks, no pattern retrieved",
        ),
        "rejected_retrieval": (
            each.rejected_retrieval.max("run"),
            "largest fraction of rejected blocks, retrieval branches",
        ),
        "rho_t": (
            each.rho_t_rest.max("run"),
            "largest family measure rho_t, no pattern retrieved",
        ),
    }
    ds = xr.Dataset(
        {
            name: value.assign_attrs(long_name=label, units="1")
            for name, (value, label) in out.items()
        }
    )
    ds = ds.assign_coords(temperature=("step", done[0].temperature.values[hot]))
    return ds.swap_dims(step="temperature").drop_vars("step").sortby("temperature")


def _long_network(alpha, n, sample, networks):
    """The Hebbian network of sample ``sample`` of the long runs at (alpha, n)."""
    grid, samples, root, stream = networks
    point = {"alpha": alpha, "n": n, "seed": sample}
    network_seed = spinmem.point_seed(
        grid, point, seed=study.sweep_seed(root, stream), seeds=samples
    )
    return study.hebbian_network(alpha, n, network_seed)


def _annealed(net, temperature, steps, replicas, sweeps, runs, seed):
    """``net`` annealed by ``runs`` population-annealing runs (streams ``child(seed,
    2, run)``), as :func:`annealed_point` describes; with one run the errors from the
    runs' spread are NaN."""
    n = net.n_spins
    betas = np.linspace(0.0, 1.0 / temperature, steps + 1)
    done = [
        spinmem.population_anneal(
            net,
            betas,
            replicas=replicas,
            sweeps_per_step=sweeps,
            seed=child(seed, 2, run),
            progress=False,
        )
        for run in range(runs)
    ]
    per_run = xr.concat([d.drop_dims(["replica", "spin"]) for d in done], "run")
    if runs > 1:
        both = population.combine(done)
    else:  # one run is its own combination, with no spread to give an error
        both = per_run.isel(run=0)
        both["retrieval_stderr"] = xr.full_like(both.retrieval, np.nan)
    out = {
        "retrieval": (both.retrieval, f"retrieval weight (some |m| > {RETRIEVED})"),
        "retrieval_stderr": (both.retrieval_stderr, "its error from the runs' spread"),
        "run_retrieval": (per_run.retrieval, "retrieval weight of each run"),
        "energy": (both.energy / n, "energy per spin"),
        "free_energy": (both.free_energy / n, "free energy per spin"),
        "rho_t": (per_run.rho_t.max("run"), "largest family measure rho_t of the runs"),
        "families": (per_run.families.min("run"), "fewest surviving families"),
    }
    ds = xr.Dataset(
        {
            name: value.assign_attrs(long_name=label, units="1")
            for name, (value, label) in out.items()
        }
    )
    ds = ds.assign_coords(temperature=("step", both.temperature.values))
    ds = ds.isel(step=slice(1, None)).swap_dims(step="temperature").drop_vars("step")
    return ds.sortby("temperature")


@dataclass(frozen=True)
class Anneal:
    """The settings of the population-annealing sweep in one mode: the grid and
    networks of the long tempering runs, annealed instead."""

    replicas: int  # target population per run
    runs: int  # independent runs per network
    steps: int  # temperatures after T = infinity, linear in beta
    sweeps: int  # Metropolis sweeps per step
    temperature: float  # the last (lowest)


@dataclass(frozen=True)
class Part:
    """The settings of one of the study's sweeps in one mode (``--quick`` or full)."""

    n: list  # spins
    seeds: int  # disorder samples per point
    sweeps: int  # per replica
    t: tuple  # temperatures: (lowest, highest, how many, geometric spacing)
    alpha: list | None = None  # loads (Hopfield parts)

    def temperatures(self) -> np.ndarray:
        low, high, size, geometric = self.t
        spacing = np.geomspace if geometric else np.linspace
        return np.round(spacing(low, high, size), 4)

    def grid(self) -> dict:
        return ({} if self.alpha is None else {"alpha": self.alpha}) | {"n": self.n}


QUICK = {
    "sk": Part(n=[16, 32, 64], seeds=6, sweeps=1000, t=(0.5, 1.6, 12, False)),
    "hopfield": Part(
        n=[100, 200], seeds=2, sweeps=600, t=(0.3, 1.6, 14, True), alpha=[0.02, 0.04]
    ),
    "hopfield-long": Part(
        n=[200], seeds=2, sweeps=1200, t=(0.3, 1.6, 14, True), alpha=[0.02, 0.04]
    ),
}
FULL = {
    "sk": Part(n=[32, 64, 128], seeds=200, sweeps=8000, t=(0.5, 1.6, 23, False)),
    "hopfield": Part(
        n=[200, 400, 800],
        seeds=8,
        sweeps=4000,
        t=(0.2, 1.8, 33, True),
        alpha=[0.01, 0.02, 0.03, 0.04, 0.1],
    ),
    "hopfield-long": Part(
        n=[400, 800],
        seeds=8,
        sweeps=16000,
        t=(0.2, 1.8, 33, True),
        alpha=[0.01, 0.02, 0.03, 0.04],
    ),
}


ANNEAL = {
    "quick": Anneal(replicas=100, runs=2, steps=40, sweeps=5, temperature=0.3),
    "full": Anneal(replicas=500, runs=2, steps=100, sweeps=10, temperature=0.3),
}


@dataclass(frozen=True)
class Certify:
    """The settings of the larger-population sweep in one mode: some points of the
    long runs' grid, every sample of theirs annealed again with ``anneal``."""

    alpha: list
    n: list
    anneal: Anneal


CERTIFY = {
    "quick": Certify(
        alpha=[0.04],
        n=[200],
        anneal=Anneal(replicas=500, runs=1, steps=40, sweeps=5, temperature=0.3),
    ),
    "full": Certify(
        alpha=[0.03, 0.04],
        n=[800],
        anneal=Anneal(replicas=5000, runs=1, steps=100, sweeps=10, temperature=0.3),
    ),
}
LONG_STREAM = 1


@dataclass(frozen=True)
class Branches:
    """The settings of the branch sweep in one mode: every sample of the long runs at
    some points of their grid, each annealed schedule's temperatures from
    ``heat_from`` down given by the free energies of the branches of states."""

    alpha: list
    n: list
    replicas: int  # population of the branch with no pattern retrieved
    retrieval_replicas: int  # population of each pattern's branch
    ground_steps: int  # steps heating each pattern's branch from T = 1/20 to the lowest
    runs: int  # independent runs per network
    steps: int  # temperatures after T = infinity, linear in beta, as Anneal's
    sweeps: int  # Metropolis sweeps per step
    temperature: float  # the lowest
    heat_from: float  # the highest temperature the retrieval branches reach


BRANCHES = {
    "quick": Branches(
        alpha=[0.04],
        n=[200],
        replicas=200,
        retrieval_replicas=20,
        ground_steps=40,
        runs=2,
        steps=40,
        sweeps=5,
        temperature=0.3,
        heat_from=0.75,
    ),
    "full": Branches(
        alpha=[0.03, 0.04],
        n=[800],
        replicas=1000,
        retrieval_replicas=100,
        ground_steps=150,
        runs=2,
        steps=100,
        sweeps=10,
        temperature=0.3,
        heat_from=0.75,
    ),
}


PARTS = (  # store suffix, point function, seed stream
    ("sk", sk_point, None),
    ("hopfield", hopfield_point, None),
    ("hopfield-long", hopfield_point, LONG_STREAM),
)


def main(argv=None):
    args = study.parser(__doc__.splitlines()[0], NAME).parse_args(argv)
    plan = QUICK if args.quick else FULL
    results = {}
    for part, function, stream in PARTS:
        spec = plan[part]
        store, _ = study.outputs(args, f"{NAME}-{part}")
        results[part] = study.run(
            functools.partial(
                function, temperatures=spec.temperatures(), sweeps=spec.sweeps
            ),
            spec.grid(),
            args,
            name=f"{NAME}-{part}",
            seeds=spec.seeds,
            store=store,
            stream=stream,
            sweeps=spec.sweeps,
            chains=CHAINS,
            dynamics="metropolis",
        )
    mode = "quick" if args.quick else "full"
    annealed = _anneal(args, plan["hopfield-long"], ANNEAL[mode])
    certified = samples_of(_certify(args, plan["hopfield-long"], CERTIFY[mode]))
    branched = samples_of(_branches(args, plan["hopfield-long"], BRANCHES[mode]))
    hopfield = refine(results["hopfield"], results["hopfield-long"])
    report(results["sk"], hopfield)
    _print_replaced(results["hopfield"], results["hopfield-long"])
    report_annealed(hopfield, annealed)
    report_certified(annealed, certified)
    decision = decide(certified, branched)
    report_decided(decision)
    _, png = study.outputs(args, NAME)
    axes = figure(results["sk"], hopfield, annealed, certified, decision)
    study.save_figure(axes, png)
    return {
        "sk": results["sk"],
        "hopfield": hopfield,
        "annealed": annealed,
        "certified": certified,
        "branched": branched,
        "decision": decision,
    }


def _anneal(args, long: Part, spec: Anneal) -> xr.Dataset:
    """The population-annealing sweep: the long runs' grid, seeds and seed stream, so
    that every point anneals the very network a long tempering run simulated."""
    name = f"{NAME}-annealed"
    store, _ = study.outputs(args, name)
    return study.run(
        functools.partial(
            annealed_point,
            temperature=spec.temperature,
            steps=spec.steps,
            replicas=spec.replicas,
            sweeps=spec.sweeps,
            runs=spec.runs,
        ),
        long.grid(),
        args,
        name=name,
        seeds=long.seeds,
        store=store,
        stream=LONG_STREAM,
        dynamics="metropolis",
        replicas=spec.replicas,
        runs=spec.runs,
        sweeps_per_step=spec.sweeps,
    )


def _certify(args, long: Part, spec: Certify) -> xr.Dataset:
    """The larger-population sweep (:func:`certify_function`) with its own seed stream."""
    anneal = spec.anneal
    return _per_sample(
        args,
        long,
        spec,
        "annealed-large",
        certify_function(long, anneal, args.seed),
        stream=LONG_STREAM + 1,
        replicas=anneal.replicas,
        runs=anneal.runs,
        sweeps_per_step=anneal.sweeps,
    )


def _branches(args, long: Part, spec: Branches) -> xr.Dataset:
    """The branch sweep (:func:`branch_function`) with its own seed stream."""
    return _per_sample(
        args,
        long,
        spec,
        "branches",
        branch_function(long, spec, args.seed),
        stream=LONG_STREAM + 2,
        replicas=spec.replicas,
        retrieval_replicas=spec.retrieval_replicas,
        ground_steps=spec.ground_steps,
        runs=spec.runs,
        sweeps_per_step=spec.sweeps,
        heat_from=spec.heat_from,
    )


def _per_sample(args, long: Part, spec, part, function, stream, **settings):
    """The sweep of ``function`` over every sample of the long runs at the points of
    ``spec`` into the store of ``part``; ``seed`` has length 1, ``sample`` indexes the
    long runs' seeds; ``settings`` are recorded."""
    name = f"{NAME}-{part}"
    store, _ = study.outputs(args, name)
    return study.run(
        function,
        {"alpha": spec.alpha, "n": spec.n, "sample": list(range(long.seeds))},
        args,
        name=name,
        seeds=1,
        store=store,
        stream=stream,
        dynamics="metropolis",
        **settings,
    )


def certify_function(long: Part, anneal: Anneal, root: int) -> functools.partial:
    """:func:`certified_point` with the settings of ``anneal``, on the networks of the
    long runs ``long`` of root seed ``root``."""
    return functools.partial(
        certified_point,
        networks=(long.grid(), long.seeds, root, LONG_STREAM),
        temperature=anneal.temperature,
        steps=anneal.steps,
        replicas=anneal.replicas,
        sweeps=anneal.sweeps,
        runs=anneal.runs,
    )


def branch_function(long: Part, spec: Branches, root: int) -> functools.partial:
    """:func:`branch_point` with the settings of ``spec``, on the networks of the long
    runs ``long`` of root seed ``root``."""
    return functools.partial(
        branch_point,
        networks=(long.grid(), long.seeds, root, LONG_STREAM),
        temperature=spec.temperature,
        heat_from=spec.heat_from,
        steps=spec.steps,
        replicas=spec.replicas,
        retrieval_replicas=spec.retrieval_replicas,
        ground_steps=spec.ground_steps,
        sweeps=spec.sweeps,
        runs=spec.runs,
    )


def refine(short: xr.Dataset, long: xr.Dataset) -> xr.Dataset:
    """The Hopfield results with the longer runs' samples in place of the short runs'
    at the points both cover; ``sweeps(alpha, n)`` says which run each point is from."""
    if short.sizes["seed"] != long.sizes["seed"]:
        raise ValueError(
            f"the long runs have {long.sizes['seed']} samples per point and the short "
            f"runs {short.sizes['seed']}: they must be equal to replace one by the other"
        )
    if not np.array_equal(short.temperature, long.temperature):
        raise ValueError("the long and short runs must share their temperature ladder")
    ds = long.combine_first(short)
    ds["round_trips"] = ds.round_trips.astype(short.round_trips.dtype)
    sweeps = xr.full_like(ds.q2.isel(seed=0, temperature=0), short.attrs["sweeps"], int)
    sweeps.loc[{"alpha": long.alpha, "n": long.n}] = long.attrs["sweeps"]
    ds["sweeps"] = sweeps.assign_attrs(long_name="sweeps per run", units="1")
    ds.attrs = dict(short.attrs, sweeps_long=long.attrs["sweeps"])
    return ds


def report(sk: xr.Dataset, hopfield: xr.Dataset) -> None:
    """Print the numbers the README quotes: sampling checks, Binder cumulants and
    crossings, and the retrieval temperatures against the RS lines."""
    for name, ds in (("SK", sk), ("Hopfield", hopfield)):
        print(
            f"{name}: smallest swap acceptance {float(ds.acceptance.min()):.2f}, "
            f"largest split R-hat of q^2 {float(ds.q2_rhat.max()):.3f}"
        )
    g = observables.binder_of_moments(sk.q2, sk.q4)
    _print_binder("SK", g, at=[1.0])
    strongest = float(hopfield.alpha.max())
    hop = hopfield.sel(alpha=strongest)
    g = observables.binder_of_moments(hop.q2, hop.q4)
    hot = g.temperature.values[g.temperature.values >= 1.0]
    _print_binder(f"Hopfield alpha = {strongest:g}", g, at=hot)
    check = _mixed(hopfield)
    print(
        "T where some |m| > 0.5 in half the records (* some sample not "
        f"{check.attrs['long_name']}):"
    )
    _retrieval_table(
        hopfield,
        hopfield.alpha.values[hopfield.alpha.values < 0.052],
        hopfield.n.values,
        lambda alpha: f"; RS T_c {theory.t_c(alpha):.3f}, T_M {theory.t_m(alpha):.3f}",
    )
    _print_mixing(hopfield, check)


def report_annealed(hopfield: xr.Dataset, annealed: xr.Dataset) -> None:
    """Print, per point of the population-annealing sweep, the temperature where the
    sample-mean retrieval weight is 1/2 with its bootstrap error over samples, beside
    tempering's on the same networks; and the checks: how far the two methods' per-sample
    crossings lie apart on the samples whose tempering chains mixed, how far the
    independent annealing runs of one network lie apart, and the smallest R / rho_t
    at a sample's crossing (what the population holds below it does not enter)."""
    pt = hopfield.sel(alpha=annealed.alpha, n=annealed.n)
    t_pa = spinmem.analysis.crossings(annealed.retrieval.mean("seed"), 0.5, "temperature")
    t_pt = spinmem.analysis.crossings(pt.retrieval.mean("seed"), 0.5, "temperature")
    per_pa = spinmem.analysis.crossings(annealed.retrieval, 0.5, "temperature")
    per_pt = spinmem.analysis.crossings(pt.retrieval, 0.5, "temperature")
    per_run = spinmem.analysis.crossings(annealed.run_retrieval, 0.5, "temperature")
    mixed = _mixed(pt)
    spread = _bootstrap_crossing(annealed.retrieval)
    ratio = _families_at(annealed, per_pa).min("seed")
    print(
        f"Population annealing on the same networks (R = {annealed.attrs['replicas']}, "
        f"{annealed.attrs['runs']} runs per network, {annealed.sizes['temperature']} "
        "temperatures): T where the retrieval weight is 1/2 +- bootstrap error over "
        "samples; tempering's (* some sample not mixed); RS T_c; samples whose "
        "tempering mixed and the largest |PA - PT| of their crossings; largest "
        "|run 1 - run 2| of one network's crossings; smallest R / rho_t at the "
        "crossing:"
    )
    for alpha in annealed.alpha.values:
        for n in annealed.n.values:
            at = {"alpha": alpha, "n": n}
            ok = mixed.sel(at).values
            gap = np.abs(per_pa.sel(at) - per_pt.sel(at)).values[ok]
            runs = per_run.sel(at)
            apart = float((runs.max("run") - runs.min("run")).max())
            print(
                f"  alpha = {alpha:g}, N = {n}: {float(t_pa.sel(at)):.3f} +- "
                f"{float(spread.sel(at)):.3f}; PT {float(t_pt.sel(at)):.2f}"
                f"{' ' if ok.all() else '*'}; T_c {theory.t_c(alpha):.3f}; "
                f"{int(ok.sum())} mixed, |PA - PT| <= "
                f"{(f'{gap.max():.3f}' if gap.size else '-')}; runs {apart:.3f}; "
                f"{float(ratio.sel(at)):.0f}"
            )


def samples_of(certified: xr.Dataset) -> xr.Dataset:
    """The larger-population store with its ``sample`` axis as ``seed`` (the long
    runs' seed index, as in the other Hopfield stores)."""
    return certified.squeeze("seed", drop=True).rename(sample="seed")


def report_certified(annealed: xr.Dataset, certified: xr.Dataset) -> None:
    """Print, per point of the larger-population sweep, the temperature where the
    sample-mean retrieval weight is 1/2 with its bootstrap error, beside the smaller
    populations'; and per sample its crossing and R / rho_t at the crossing with both
    populations (the systematic error of population annealing falls as rho_t / R)."""
    small = annealed.sel(alpha=certified.alpha, n=certified.n)
    sizes = {}
    for key, ds in (("small", small), ("large", certified)):
        per = spinmem.analysis.crossings(ds.retrieval, 0.5, "temperature")
        sizes[key] = {
            "replicas": int(ds.attrs["replicas"]),
            "mean": spinmem.analysis.crossings(
                ds.retrieval.mean("seed"), 0.5, "temperature"
            ),
            "error": _bootstrap_crossing(ds.retrieval),
            "per": per,
            "ratio": _families_at(ds, per),
        }
    small, large = sizes["small"], sizes["large"]
    print(
        f"The same networks annealed with R = {large['replicas']} "
        f"({int(certified.attrs['runs'])} run per network) against R = "
        f"{small['replicas']}: T where the sample-mean retrieval weight is 1/2 +- "
        "bootstrap error; per sample, the crossing and R / rho_t at it, "
        f"R = {small['replicas']} -> {large['replicas']} (- : no crossing above "
        f"T = {float(certified.temperature.min()):g}):"
    )
    for alpha in certified.alpha.values:
        for n in certified.n.values:
            at = {"alpha": alpha, "n": n}
            print(
                f"  alpha = {alpha:g}, N = {n}: {float(large['mean'].sel(at)):.3f} +- "
                f"{float(large['error'].sel(at)):.3f} (R = {small['replicas']}: "
                f"{float(small['mean'].sel(at)):.3f} +- "
                f"{float(small['error'].sel(at)):.3f})"
            )
            for k in certified.seed.values:
                one = {**at, "seed": k}
                cells = [
                    _or_dash(size["per"].sel(one), "{:.3f}") for size in (small, large)
                ]
                ratios = [
                    _or_dash(size["ratio"].sel(one), "{:.0f}") for size in (small, large)
                ]
                print(
                    f"    sample {k}: T {cells[0]} -> {cells[1]}, "
                    f"R / rho_t {ratios[0]} -> {ratios[1]}"
                )


def report_decided(decision: xr.Dataset) -> None:
    """Print, per point of the branch sweep, the verdict of :func:`decide` and per
    sample both methods' crossings with the numbers that decide between them, and the
    largest |annealing - branches| over the samples where both would decide."""
    both = decision.annealing_passes & decision.branches_passes
    print(
        "Verdicts, each sample decided by annealing (R / rho_t >= "
        f"{ENOUGH_FAMILIES} at its crossing) or by the free energies of the branches "
        f"(runs within {BRANCH_RUNS}; in the branch with no pattern retrieved at "
        f"most {BRANCH_REJECTED:g} of the blocks rejected and R / rho_t >= "
        f"{ENOUGH_FAMILIES}): T where the sample-mean retrieval weight of the "
        "deciding methods is 1/2 +- bootstrap error; per sample the annealing's "
        "crossing and R / rho_t, the branches' crossing, runs' spread, rejected "
        "fraction and R / rho_t of the branch with no pattern retrieved, the largest "
        "rejected fraction of a retrieval branch, and the method:"
    )
    for alpha in decision.alpha.values:
        for n in decision.n.values:
            at = {"alpha": alpha, "n": n}
            row = decision.sel(at)
            gap = np.abs(row.t_annealing - row.t_branches).values[both.sel(at).values]
            print(
                f"  alpha = {alpha:g}, N = {n}: "
                f"{_or_dash(row.t_half, '{:.3f}')} +- "
                f"{_or_dash(row.t_half_stderr, '{:.3f}')}; both decide on "
                f"{gap.size} samples, |annealing - branches| <= "
                f"{(f'{gap.max():.3f}' if gap.size else '-')}"
            )
            for k in row.seed.values:
                one = row.sel(seed=k)
                cells = [
                    _or_dash(one.t_annealing, "{:.3f}"),
                    _or_dash(one.ratio_annealing, "{:.0f}"),
                    _or_dash(one.t_branches, "{:.3f}"),
                    _or_dash(one.runs_apart, "{:.3f}"),
                    _or_dash(one.rejected, "{:.2f}"),
                    _or_dash(one.ratio_branches, "{:.0f}"),
                    _or_dash(one.rejected_retrieval, "{:.2f}"),
                ]
                print(
                    f"    sample {k}: annealing T {cells[0]} (R / rho_t {cells[1]}); "
                    f"branches T {cells[2]} (runs {cells[3]}, rejected {cells[4]}, "
                    f"R / rho_t {cells[5]}; retrieval rejected {cells[6]}): "
                    f"{METHODS[int(one.method)]}"
                )


ENOUGH_FAMILIES = 10  # R / rho_t at a sample's crossing for the annealing to decide
BRANCH_REJECTED = 0.2  # largest rejected fraction at the crossing, no pattern retrieved
BRANCH_RUNS = 0.02  # largest spread of the branch runs' crossings for the branches
METHODS = ("open", "annealing", "branches")


def decide(certified: xr.Dataset, branched: xr.Dataset) -> xr.Dataset:
    """Which method decides each sample's retrieval temperature, and the point's
    verdict from the samples' curves of the deciding methods.

    Annealing decides where R / rho_t >= ``ENOUGH_FAMILIES`` at its crossing of 1/2;
    else the branches where at theirs every branch run crossed within ``BRANCH_RUNS``
    of the others and the population of the branch with no pattern retrieved had at
    most ``BRANCH_REJECTED`` of its blocks rejected and R / rho_t >=
    ``ENOUGH_FAMILIES``; else the sample is open. The retrieval branches start from
    one state each, so they have no family statistics; their check is the runs'
    agreement (their rejected fraction, the largest over the patterns, is that of the
    pattern nearest its own spinodal, whatever its weight, and is only reported).

    Both stores as :func:`samples_of` gives them; the curves are compared on the
    annealing's temperatures (the branches' are NaN above their ``heat_from``).
    Returns per sample ``t_annealing``, ``ratio_annealing``, ``t_branches``,
    ``runs_apart`` (NaN where some run does not cross), ``rejected`` and
    ``ratio_branches`` (of the branch with no pattern retrieved),
    ``rejected_retrieval``, ``annealing_passes`` and ``branches_passes`` (each
    method's checks), ``method`` (an index of ``METHODS``) and ``retrieval`` (the
    deciding method's curve, NaN where open); per point ``t_half`` (the crossing of
    the sample-mean curve at the temperatures where every sample has one, NaN where
    some sample is open) and ``t_half_stderr`` (bootstrap over samples)."""
    cross = spinmem.analysis.crossings
    pa = certified.sel(alpha=branched.alpha, n=branched.n)
    t_pa = cross(pa.retrieval, 0.5, "temperature")
    ratio_pa = _families_at(pa, t_pa)
    t_br = cross(branched.retrieval, 0.5, "temperature")
    runs = cross(branched.run_retrieval, 0.5, "temperature")
    apart = (runs.max("run") - runs.min("run")).where(runs.notnull().all("run"))
    at = t_br.fillna(branched.temperature[0])
    rejected, leaving = (
        branched[name].interp(temperature=at).where(t_br.notnull())
        for name in ("rejected_rest", "rejected_retrieval")
    )
    ratio_br = _families_at(branched, t_br)
    by_pa = ratio_pa >= ENOUGH_FAMILIES
    by_br = (
        (apart <= BRANCH_RUNS)
        & (rejected <= BRANCH_REJECTED)
        & (ratio_br >= ENOUGH_FAMILIES)
    )
    method = xr.where(by_pa, 1, xr.where(by_br, 2, 0))
    br_curve = branched.retrieval.reindex(
        temperature=pa.temperature, method="nearest", tolerance=1e-9
    )
    curve = xr.where(method == 1, pa.retrieval, br_curve).where(method > 0)
    common = curve.where(curve.notnull().all("seed"))  # all NaN where a sample is open
    return xr.Dataset(
        {
            "t_annealing": t_pa,
            "ratio_annealing": ratio_pa,
            "t_branches": t_br,
            "runs_apart": apart,
            "rejected": rejected,
            "rejected_retrieval": leaving,
            "ratio_branches": ratio_br,
            "annealing_passes": by_pa,
            "branches_passes": by_br,
            "method": method,
            "retrieval": curve,
            "t_half": cross(common.mean("seed"), 0.5, "temperature"),
            "t_half_stderr": _bootstrap_crossing(common),
        }
    )


def _families_at(annealed: xr.Dataset, temperature: xr.DataArray) -> xr.DataArray:
    """R / rho_t at each sample's ``temperature`` (linear in T), NaN where that is NaN
    (no crossing: interpolating at a NaN temperature gives a number)."""
    rho_t = annealed.rho_t.interp(temperature=temperature.fillna(annealed.temperature[0]))
    return (annealed.attrs["replicas"] / rho_t).where(temperature.notnull())


def _or_dash(value: xr.DataArray, form: str) -> str:
    value = float(value)
    return form.format(value) if np.isfinite(value) else "-"


def _bootstrap_crossing(retrieval: xr.DataArray, resamples: int = 1000) -> xr.DataArray:
    """Bootstrap standard error over samples (fixed seed) of the crossing of 1/2 of
    the sample-mean retrieval weight."""
    seeds = retrieval.sizes["seed"]
    picks = np.random.default_rng(0).integers(0, seeds, size=(resamples, seeds))
    drawn = retrieval.isel(seed=xr.DataArray(picks, dims=("resample", "pick")))
    means = drawn.mean("pick")
    return spinmem.analysis.crossings(means, 0.5, "temperature").std("resample", ddof=1)


def _mixed(ds: xr.Dataset) -> xr.DataArray:
    """Whether each sample's chains mixed (``stats.mixed``)."""
    return stats.mixed(ds.q2_rhat.max("temperature"), ds.round_trips / CHAINS)


def _retrieval_table(ds, alphas, sizes, tail=lambda alpha: "") -> None:
    """One row per alpha: the temperature where the retrieval weight crosses 1/2 for
    each N, starred where some sample did not mix."""
    t_half = spinmem.analysis.crossings(ds.retrieval.mean("seed"), 0.5, dim="temperature")
    mixed = _mixed(ds).all("seed")
    for alpha in alphas:
        cells = [
            f"{float(t_half.sel(alpha=alpha, n=n)):.2f}"
            + (" " if mixed.sel(alpha=alpha, n=n) else "*")
            for n in sizes
        ]
        print(
            f"  alpha = {alpha:g}: "
            + "  ".join(cells)
            + f"   (N = {[int(n) for n in sizes]})"
            + tail(alpha)
        )


def _print_replaced(short: xr.Dataset, long: xr.Dataset) -> None:
    """The retrieval temperatures of the short runs that the long runs replace."""
    print(f"the same with the {short.attrs['sweeps']}-sweep runs the long ones replace:")
    _retrieval_table(short, long.alpha.values, long.n.values)


def _print_mixing(hopfield: xr.Dataset, check: xr.DataArray) -> None:
    """Per Hopfield point: the sweeps, the samples not mixed, the fewest round trips
    per chain, the largest R-hat of q^2, and the lowest sample-mean exchange acceptance
    with its pair."""
    seeds = hopfield.sizes["seed"]
    trips = (hopfield.round_trips / CHAINS).min("seed")
    rhat = hopfield.q2_rhat.max(("seed", "temperature"))
    acceptance = hopfield.acceptance.mean("seed")
    t = hopfield.temperature.values
    print(
        f"Hopfield mixing: sweeps, samples not mixed of {seeds}, fewest round trips "
        "per chain, largest R-hat of q^2, lowest mean exchange acceptance (between "
        "T_k and T_k+1):"
    )
    for alpha in hopfield.alpha.values:
        for n in hopfield.n.values:
            at = {"alpha": alpha, "n": n}
            k = int(acceptance.sel(at).argmin("pair_k"))
            print(
                f"  alpha = {alpha:g}, N = {n}: {int(hopfield.sweeps.sel(at))}, "
                f"{int((~check.sel(at)).sum())}, {float(trips.sel(at)):.1f}, "
                f"{float(rhat.sel(at)):.2f}, "
                f"{float(acceptance.sel(at).isel(pair_k=k)):.2f} "
                f"({t[k]:g}-{t[k + 1]:g})"
            )


def _print_binder(name: str, g: xr.Dataset, at) -> None:
    cross = spinmem.analysis.binder_crossings(g)
    for pair, x, err in zip(
        cross.size_pair.values, cross.crossing, cross.crossing_stderr, strict=True
    ):
        print(f"{name} Binder crossing {pair}: {float(x):.2f} +- {float(err):.2f}")
    for t in at:
        row = g.sel(temperature=t, method="nearest")
        values = ", ".join(
            f"{float(row.g.sel(n=n)):.3f} +- {float(row.g_stderr.sel(n=n)):.3f}"
            for n in g.n.values
        )
        sizes = g.n.values.tolist()
        print(f"{name} g(T = {float(row.temperature):g}) for N = {sizes}: {values}")


def figure(
    sk: xr.Dataset,
    hopfield: xr.Dataset,
    annealed: xr.Dataset | None = None,
    certified: xr.Dataset | None = None,
    decision: xr.Dataset | None = None,
    *,
    axes=None,
):
    """The study's figure: disorder-averaged Binder cumulants of SK and Hopfield
    networks against T for several N, P(q) of SK at the lowest temperature, and where
    the retrieval states take over the equilibrium weight (by tempering, and by
    population annealing when ``annealed`` is given, with the larger populations of
    ``certified``, :func:`samples_of` the larger-population store, where given, and
    the verdicts of :func:`decide` from ``decision``) against the replica-symmetric T_c
    and T_M lines (``axes``: 2 x 2 Axes)."""
    plot.require(sk, NAME, ("n", "temperature", "q2", "q4", "pq"))
    plot.require(
        hopfield,
        NAME,
        ("alpha", "n", "retrieval", "q2", "q2_rhat", "round_trips"),
    )
    if "chains" not in hopfield.attrs:
        raise ValueError(
            "the equilibrium figure needs the Hopfield Dataset's 'chains' attribute "
            "(chains per run) to count round trips per chain"
        )
    axes, own = plot.panels(axes, (2, 2), NAME, figsize=(11, 8.4))
    g = observables.binder_of_moments(sk.q2, sk.q4)
    _binder_panel(axes[0, 0], g, sk, 1.0, "SK", "T_c")
    alpha = float(hopfield.alpha.values.max())
    ghop = observables.binder_of_moments(
        hopfield.q2.sel(alpha=alpha), hopfield.q4.sel(alpha=alpha)
    )
    tg = theory.t_g(alpha)
    _binder_panel(axes[0, 1], ghop, hopfield, tg, rf"Hopfield, $\alpha$ = {alpha:g}", "T_g")
    ax = axes[1, 0]
    t_low = float(sk.temperature.values.min())
    for n in sk.n.values:
        pq = plot.seed_averaged(sk.pq.sel(n=n, temperature=t_low))
        ax.plot(pq.q, pq, label=f"N = {n}")
    ax.set_xlabel("twin overlap q")
    ax.set_ylabel("P(q)")
    ax.set_title(f"SK overlap distribution at T = {t_low:g}", fontsize=10)
    ax.legend(fontsize=8)
    _retrieval_panel(axes[1, 1], hopfield, theory)
    if annealed is not None:
        plot.require(annealed, NAME, ("alpha", "n", "retrieval", "temperature"))
        _annealed_lines(axes[1, 1], annealed)
    if certified is not None:
        plot.require(certified, NAME, ("alpha", "n", "retrieval", "temperature"))
        _annealed_lines(axes[1, 1], certified, larger=True)
    if decision is not None:
        plot.require(decision, NAME, ("alpha", "n", "t_half", "t_half_stderr"))
        _verdicts(axes[1, 1], decision)
    methods = "parallel tempering" + (
        "" if annealed is None else " and population annealing"
    )
    if decision is not None:
        methods = methods.replace(" and ", ", ") + " and branch free energies"
    plot.finish(
        axes,
        own,
        f"Equilibrium by {methods}: SK {sk.sizes['seed']} samples, "
        f"Hopfield {hopfield.sizes['seed']} samples per point",
    )
    return axes


_RESOLVED = 0.15  # a crossing with a larger jackknife error (or NaN) is not shown


def _binder_panel(ax, g, ds, t_star, title, star_label):
    for n in g.n.values:
        ax.errorbar(
            g.temperature,
            g.g.sel(n=n),
            g.g_stderr.sel(n=n),
            marker=".",
            capsize=2,
            label=f"N = {n}",
        )
    ax.axvline(t_star, color="k", ls="--", lw=1, label=f"${star_label}$ = {t_star:.3g}")
    cross = spinmem.analysis.binder_crossings(g)
    text = ", ".join(
        f"{pair}: {x:.2f} ± {err:.2f}" if err < _RESOLVED else f"{pair}: none resolved"
        for pair, x, err in zip(
            cross.size_pair.values,
            cross.crossing.values,
            cross.crossing_stderr.values,
            strict=True,
        )
    )
    ax.set_title(f"{title} Binder cumulant\ncrossings {text}", fontsize=9)
    ax.set_xlabel(plot.label(ds["temperature"]))
    ax.set_ylabel("g = (3 - <q^4>/<q^2>^2) / 2")
    ax.legend(fontsize=8)


def _retrieval_panel(ax, hopfield, theory):
    weight = plot.seed_averaged(hopfield.retrieval)
    t_half = spinmem.analysis.crossings(weight, 0.5, dim="temperature")
    alphas = hopfield.alpha.values
    low = alphas[alphas < 0.052]
    grid = np.linspace(0.001, low.max() if low.size else 0.05, 60)
    ax.plot(grid, [theory.t_c(a) for a in grid], "k:", label="$T_c$ (RS)")
    ax.plot(grid, [theory.t_m(a) for a in grid], "k-", lw=1, label="$T_M$ (RS)")
    check = stats.mixed(
        hopfield.q2_rhat.max("temperature"),
        hopfield.round_trips / int(hopfield.attrs["chains"]),
    )
    every_sample = check.all("seed")
    for n in hopfield.n.values:
        (line,) = ax.plot(
            low, t_half.sel(n=n, alpha=low), "-", label=_sweeps_label(hopfield, n, low)
        )
        mixed = every_sample.sel(n=n, alpha=low).values
        for ok, face in ((mixed, line.get_color()), (~mixed, "white")):
            ax.plot(
                low[ok],
                t_half.sel(n=n, alpha=low).values[ok],
                "o",
                color=line.get_color(),
                markerfacecolor=face,
            )
    ax.text(
        0.98,
        0.98,
        f"open: some sample not {check.attrs['long_name']}",
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=8,
    )
    ax.set_xlabel(plot.label(hopfield["alpha"]))
    ax.set_ylabel(plot.label(hopfield["temperature"]))
    ax.set_title(
        "retrieval weight 1/2 (some |m| > 0.5), from random states",
        fontsize=9,
    )
    ax.legend(fontsize=8)


def _annealed_lines(ax, annealed: xr.Dataset, larger: bool = False) -> None:
    """Population annealing's retrieval temperatures with bootstrap errors: squares,
    or red diamonds for the ``larger`` populations."""
    t_half = spinmem.analysis.crossings(
        annealed.retrieval.mean("seed"), 0.5, dim="temperature"
    )
    spread = _bootstrap_crossing(annealed.retrieval)
    top = annealed.n.values.max()
    for n in annealed.n.values:
        ax.errorbar(
            annealed.alpha,
            t_half.sel(n=n),
            spread.sel(n=n),
            fmt="D" if larger else "s--",
            color="tab:red" if larger else "0.3" if n == top else "0.6",
            capsize=2,
            ms=4,
            label=f"N = {n}, population annealing"
            + (f", R = {annealed.attrs['replicas']}" if larger else ""),
        )
    ax.legend(fontsize=7)


def _verdicts(ax, decision: xr.Dataset) -> None:
    """The verdicts of :func:`decide` with bootstrap errors: filled black stars (none
    where some sample is open)."""
    for n in decision.n.values:
        ax.errorbar(
            decision.alpha,
            decision.t_half.sel(n=n),
            decision.t_half_stderr.sel(n=n),
            fmt="*",
            color="k",
            capsize=2,
            ms=9,
            label=f"N = {n}, verdict (annealing or branches per sample)",
        )
    ax.legend(fontsize=7)


def _sweeps_label(ds, n, alphas) -> str:
    """``N = n``, with the sweeps per run of those points when ``ds`` records them."""
    if "sweeps" not in ds:
        return f"N = {n}"
    low, high = np.unique(ds.sweeps.sel(n=n, alpha=alphas).values)[[0, -1]]
    return f"N = {n}, {low} sweeps" if low == high else f"N = {n}, {low}–{high} sweeps"


def draw(path, ds: xr.Dataset):
    """The figure from any of the study's stores read from ``path``, with the others
    beside it (for ``spinmem plot``; the population-annealing and branch stores when
    present)."""
    own = ds.attrs["study"]
    stores = {
        part: ds if own == f"{NAME}-{part}" else study.sibling(path, own, f"{NAME}-{part}")
        for part in ("sk", "hopfield", "hopfield-long")
    }
    annealed, certified, branched = (
        _optional_sibling(path, ds, f"{NAME}-{part}")
        for part in ("annealed", "annealed-large", "branches")
    )
    decision = None
    if certified is not None:
        certified = samples_of(certified)
        if branched is not None:
            decision = decide(certified, samples_of(branched))
    hopfield = refine(stores["hopfield"], stores["hopfield-long"])
    return figure(stores["sk"], hopfield, annealed, certified, decision)


def _optional_sibling(path, ds: xr.Dataset, name: str) -> xr.Dataset | None:
    """``ds`` itself when it is the store ``name``, else that sibling store of
    ``path``, or None when there is none."""
    own = ds.attrs["study"]
    if own == name:
        return ds
    try:
        return study.sibling(path, own, name)
    except FileNotFoundError:
        return None


if __name__ == "__main__":
    main()
