r"""Population annealing (``docs/physics.md`` section 9): a population of replicas
cooled along an increasing sequence of inverse temperatures, resampled at every step
by its Boltzmann weights, with the free energy as a by-product.

Hukushima and Iba (AIP Conf. Proc. 690, 200, 2003); Machta (Phys. Rev. E 82, 026704,
2010); Wang, Machta and Katzgraber (Phys. Rev. E 92, 063307, 2015). From
:math:`\beta_0 = 0`, where uniformly random states are an exact equilibrium sample and
:math:`\ln Z(0) = N \ln 2`, each step to :math:`\beta_{k+1}` weights replica r by
:math:`w_r = e^{-(\beta_{k+1} - \beta_k) E_r}`, so that
:math:`Q_k = \frac1R \sum_r w_r` estimates :math:`Z(\beta_{k+1}) / Z(\beta_k)`, gives it
a number of copies with mean :math:`R\, w_r / \sum_{r'} w_{r'}` (nearest-integer
resampling: the integer part, plus one with the probability of the fractional part; the
population size fluctuates around R), and runs the copies through ``sweeps_per_step``
sweeps at :math:`\beta_{k+1}`, each with its own random stream. Then
:math:`-\beta_K F(\beta_K) = \ln Z(\beta_K) = N \ln 2 + \sum_k \ln Q_k`.

The quality of a run is read from its families, the descendants of each initial
replica: the number that survive, and :math:`\rho_t = R \sum_i n_i^2` with :math:`n_i`
the fraction of the population in family i; averages are trustworthy when
:math:`R \gg \rho_t`.

One idea, a population annealed and judged, in about 550 lines: the run, the
combination of independent runs with their free-energy weights, twin populations and
their overlaps, and the sweep of runs over processes or dask, each documented in full.
"""

import functools

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from . import _checks, _progress, _schema
from ._engine import check_model, result_attrs
from ._sweep import sweep
from .dynamics import simulate
from .model import SpinModel
from .seeding import SeedLike, child, generator, root_sequence

__all__ = [
    "combine",
    "independent_runs",
    "population_anneal",
    "twin_anneal",
    "twin_moments",
]

_DYNAMICS = ("metropolis", "glauber")
RETRIEVED = 0.5  # a replica retrieves when some pattern has |m| above this


def population_anneal(
    model: SpinModel,
    betas: ArrayLike,
    *,
    replicas: int = 1000,
    sweeps_per_step: int = 10,
    dynamics: str = "metropolis",
    seed: SeedLike = None,
    progress: bool = True,
) -> xr.Dataset:
    r"""Population annealing from infinite temperature along ``betas``.

    Parameters
    ----------
    model : Hopfield or DenseMemory
    betas : array_like
        Inverse temperatures :math:`0 = \beta_0 < \beta_1 < \dots < \beta_K`, coupling
        units; at least two.
    replicas : int
        Target population size R, >= 2 (the population fluctuates around it).
    sweeps_per_step : int
        Sweeps of every replica after each resampling, >= 1.
    dynamics : {"metropolis", "glauber"}
    seed : None, int, SeedSequence or Generator
        The same seed gives the same run.
    progress : bool
        Show a progress bar of the steps when the call lasts more than two seconds.

    Returns
    -------
    xarray.Dataset
        Along ``step`` (one per beta): ``beta``, ``temperature`` (inf at beta = 0),
        ``log_z`` (:math:`\ln Z(\beta_k)`), ``free_energy``
        (:math:`F = -\ln Z / \beta`, total, coupling units; NaN at beta = 0),
        ``energy`` and ``energy_sq`` (population means of H and H^2); for models with
        patterns ``overlap(step, pattern)`` (population mean of :math:`|m_\mu|`),
        ``largest_overlap`` (population mean of :math:`\max_\mu |m_\mu|`) and
        ``retrieval`` (the fraction of the population with some
        :math:`|m_\mu| >` ``RETRIEVED`` = 0.5, the equilibrium retrieval weight);
        ``population``, ``families`` (surviving families) and ``rho_t``;
        ``state(replica, spin)`` and ``final_energy(replica)`` of the final
        population. Independent runs combine with :func:`spinmem.population.combine`.
    """
    model, betas, replicas, sweeps, dynamics = _settings(
        model, betas, replicas, sweeps_per_step, dynamics
    )
    root = root_sequence(seed)
    rows = []
    with _progress.bar(betas.size - 1, "step", "population_anneal", progress) as bar:
        for beta, log_z, states, energy, family in _annealing(
            model, betas, replicas, sweeps, dynamics, root
        ):
            overlaps = _overlaps(model, states)
            rows.append(_row(beta, log_z, energy, family, replicas, overlaps))
            bar.update(int(beta > 0))
    settings = {"dynamics": dynamics, "replicas": replicas, "sweeps_per_step": sweeps}
    return _dataset(model, root, rows, states, energy, settings)


def _settings(model, betas, replicas, sweeps_per_step, dynamics) -> tuple:
    """The checked arguments of a population-annealing run."""
    return (
        check_model(model),
        _betas(betas),
        _checks.integer("replicas", replicas, minimum=2),
        _checks.integer("sweeps_per_step", sweeps_per_step, minimum=1),
        _checks.choice("dynamics", dynamics, _DYNAMICS),
    )


def _annealing(model, betas, replicas, sweeps, dynamics, root):
    """The population at every beta, from beta_0 = 0: yields ``(beta, ln Z, states,
    energies, families)`` after each step's resampling and sweeps."""
    n = model.n_spins
    states = generator(root, 0).choice(np.array([-1, 1], np.int8), size=(replicas, n))
    family = np.arange(replicas)
    energy = np.atleast_1d(model.energy(states))
    log_z = n * np.log(2.0)
    yield betas[0], log_z, states, energy, family
    for k in range(1, betas.size):
        step = betas[k] - betas[k - 1]
        log_w = -step * (energy - energy.min())
        log_q = np.log(np.mean(np.exp(log_w))) - step * energy.min()
        copies = _copies(np.exp(log_w), replicas, generator(root, 1, k))
        states, family = np.repeat(states, copies, 0), np.repeat(family, copies)
        run = simulate(
            model,
            temperature=1.0 / betas[k],
            sweeps=sweeps,
            dynamics=dynamics,
            init=states,
            seed=child(root, 2, k),
            record_every=sweeps,
            progress=False,
        )
        states, energy = run.state.values, run.energy.isel(sweep=-1).values
        log_z = log_z + log_q
        yield betas[k], log_z, states, energy, family


def _betas(betas) -> np.ndarray:
    b = _checks.real_array("betas", betas, "a 1-D array of inverse temperatures")
    if b.ndim != 1 or b.size < 2:
        raise ValueError(f"betas must be a 1-D array of >= 2 values, got shape {b.shape}")
    if b[0] != 0 or np.any(np.diff(b) <= 0) or not np.all(np.isfinite(b)):
        raise ValueError(
            "betas must start at 0 (where random states are in equilibrium) and increase "
            f"strictly, finite; got {b[:3].tolist()}{'...' if b.size > 3 else ''}"
        )
    return b


def _copies(weights: np.ndarray, target: int, rng: np.random.Generator) -> np.ndarray:
    """Nearest-integer resampling: copies of each replica with mean ``target w / sum w``
    (integer part, plus one with the probability of the fractional part)."""
    mean = target * weights / weights.sum()
    whole = np.floor(mean)
    return (whole + (rng.random(mean.size) < mean - whole)).astype(np.int64)


def _overlaps(model, states) -> dict | None:
    """Population means of |m_mu| for each stored pattern, of the largest |m_mu| and
    of the retrieval indicator; None without patterns."""
    patterns = getattr(model, "patterns", None)
    if patterns is None:
        return None
    m = np.abs(np.atleast_2d(model.overlaps(states)))
    largest = m.max(axis=1)
    return {
        "overlap": m.mean(axis=0),
        "largest_overlap": float(largest.mean()),
        "retrieval": float(np.mean(largest > RETRIEVED)),
    }


def _row(beta, log_z, energy, family, target, overlaps) -> dict:
    size = family.size
    counts = np.bincount(family)
    fractions = counts[counts > 0] / size
    return {
        "beta": beta,
        "log_z": log_z,
        "energy": float(energy.mean()),
        "energy_sq": float(np.mean(energy.astype(np.float64) ** 2)),
        "overlap": overlaps,
        "population": size,
        "families": int(fractions.size),
        "rho_t": float(target * np.sum(fractions**2)),
    }


def _dataset(model, root, rows, states, energy, settings) -> xr.Dataset:
    beta = np.array([r["beta"] for r in rows])
    log_z = np.array([r["log_z"] for r in rows])
    with np.errstate(divide="ignore"):
        temperature = 1.0 / beta
        free = np.where(beta > 0, -log_z / np.where(beta > 0, beta, 1.0), np.nan)
    per_step = {
        "beta": (beta, "inverse temperature beta", "1"),
        "temperature": (temperature, "temperature T", "1"),
        "log_z": (log_z, "ln Z, partition function estimate", "1"),
        "free_energy": (free, "free energy F = -ln Z / beta (total)", "1"),
        "energy": (np.array([r["energy"] for r in rows]), "population mean of H", "1"),
        "energy_sq": (
            np.array([r["energy_sq"] for r in rows]),
            "population mean of H^2",
            "1",
        ),
        "population": (np.array([r["population"] for r in rows]), "population size", "1"),
        "families": (np.array([r["families"] for r in rows]), "surviving families", "1"),
        "rho_t": (np.array([r["rho_t"] for r in rows]), "family measure rho_t", "1"),
    }
    data = {
        name: ("step", values, {"long_name": long_name, "units": units})
        for name, (values, long_name, units) in per_step.items()
    }
    if rows[0]["overlap"] is not None:
        data["overlap"] = (
            ("step", "pattern"),
            np.array([r["overlap"]["overlap"] for r in rows]),
            {"long_name": "population mean of |m|", "units": "1"},
        )
        for name, long_name in (
            ("largest_overlap", "population mean of the largest |m|"),
            ("retrieval", f"fraction of the population with some |m| > {RETRIEVED}"),
        ):
            values = np.array([r["overlap"][name] for r in rows])
            data[name] = ("step", values, {"long_name": long_name, "units": "1"})
    data["state"] = (("replica", "spin"), states, _schema.meta("final_state"))
    data["final_energy"] = ("replica", energy, _schema.meta("energy"))
    attrs = result_attrs(model, root, run=population_anneal, **settings, steps=beta.size)
    return xr.Dataset(data, coords={"step": np.arange(beta.size)}, attrs=attrs)


_AVERAGED = ("energy", "energy_sq", "overlap", "largest_overlap", "retrieval")


def combine(runs, dim: str = "run") -> xr.Dataset:
    r"""Independent population-annealing runs combined by weighted averaging.

    At each step run m gets the weight :math:`\omega_m = \tilde Z_m / \sum_{m'}
    \tilde Z_{m'}` (its partition-function estimate; Machta 2010, Wang, Machta and
    Katzgraber 2015), which makes the combination the same as one run of the
    summed population. ``energy``, ``energy_sq``, ``overlap``, ``largest_overlap`` and
    ``retrieval`` are weighted means (with ``<name>_stderr`` from the weighted spread
    of the runs, M/(M-1) corrected);
    :math:`\ln Z` is the log of the mean :math:`\tilde Z_m`; and
    :math:`\rho_s = R\, \mathrm{var}_m(\ln \tilde Z_m)` is the systematic family
    size, which says whether R is large enough for the free energy (it should be small
    compared with R).

    Parameters
    ----------
    runs : sequence of xarray.Dataset, or xarray.Dataset
        Results of :func:`~spinmem.population_anneal` on one model and one schedule
        with the same target population R, or one Dataset holding them along ``dim``
        (a sweep's ``seed`` axis, say).
    dim : str
        The dimension of the runs in a single Dataset.

    Returns
    -------
    xarray.Dataset
        Along ``step``: ``beta``, ``temperature``, ``log_z``, ``free_energy``,
        ``energy``, ``energy_sq`` (and ``overlap``, ``largest_overlap``,
        ``retrieval``) with standard errors, ``weight`` (run, step), ``rho_s``;
        attribute ``runs``.
    """
    ds = _stacked(runs, dim)
    count = ds.sizes[dim]
    if count < 2:
        raise ValueError(f"combine needs at least 2 runs along {dim!r}, got {count}")
    if not np.allclose(ds["beta"], ds["beta"].isel({dim: 0})):
        raise ValueError("the runs were annealed along different schedules (betas)")
    log_z = ds["log_z"]
    top = log_z.max(dim)
    weight = np.exp(log_z - top)
    weight = weight / weight.sum(dim)
    beta = ds["beta"].isel({dim: 0})
    mean_log_z = top + np.log(np.exp(log_z - top).mean(dim))
    out = {
        "beta": beta,
        "temperature": ds["temperature"].isel({dim: 0}),
        "log_z": mean_log_z,
        "free_energy": xr.where(beta > 0, -mean_log_z / beta.where(beta > 0), np.nan),
        "weight": weight,
        "rho_s": float(ds.attrs.get("replicas", np.nan)) * log_z.var(dim, ddof=1),
    }
    for name in _AVERAGED:
        if name not in ds:
            continue
        mean = (weight * ds[name]).sum(dim)
        spread = (weight**2 * (ds[name] - mean) ** 2).sum(dim) * count / (count - 1)
        out[name] = mean.assign_attrs(ds[name].attrs)
        out[f"{name}_stderr"] = np.sqrt(spread)
    result = xr.Dataset(out)
    result.attrs = {k: v for k, v in ds.attrs.items() if k not in ("seed",)}
    result.attrs["runs"] = count
    return result


def _stacked(runs, dim) -> xr.Dataset:
    if isinstance(runs, xr.Dataset):
        if dim not in runs.dims:
            raise ValueError(f"the Dataset has no dimension {dim!r} of runs")
        return runs
    runs = list(runs)
    missing = [k for k, r in enumerate(runs) if "log_z" not in getattr(r, "data_vars", {})]
    if missing:
        raise TypeError(
            f"runs must be population_anneal results; entries {missing} are not"
        )
    sizes = {r.attrs.get("replicas") for r in runs}
    if len(sizes) != 1:
        raise ValueError(
            f"the runs have different target populations R = {sorted(map(str, sizes))}; "
            "combine runs of one R"
        )
    per_step = [r.drop_dims(["replica", "spin"], errors="ignore") for r in runs]
    return xr.concat(per_step, dim, combine_attrs="drop_conflicts")


def independent_runs(
    model: SpinModel,
    betas: ArrayLike,
    runs: int,
    *,
    replicas: int = 1000,
    sweeps_per_step: int = 10,
    dynamics: str = "metropolis",
    seed: SeedLike = None,
    workers: int | None = None,
    client=None,
    store=None,
    progress: bool = True,
) -> xr.Dataset:
    """``runs`` independent :func:`~spinmem.population_anneal` runs as a sweep, combined.

    The runs are the points of :func:`spinmem.sweep` along a ``run`` axis, so they
    spread over local processes (``workers``) or a ``dask.distributed`` cluster
    (``client``), resume from ``store``, and give the same numbers however they are
    run: run k draws its streams from the sweep's seed for point k.

    Parameters
    ----------
    model : Hopfield or DenseMemory
    betas : array_like
        The schedule of :func:`~spinmem.population_anneal`.
    runs : int
        Independent runs, >= 2.
    replicas, sweeps_per_step, dynamics
        As for :func:`~spinmem.population_anneal`.
    seed : None, int or SeedSequence
        Root seed of the sweep.
    workers, client, store, progress
        As for :func:`spinmem.sweep`.

    Returns
    -------
    xarray.Dataset
        :func:`spinmem.population.combine` of the runs, with each run's ``log_z``
        and ``energy`` as ``run_log_z`` and ``run_energy`` (run, step).
    """
    runs = _checks.integer("runs", runs, minimum=2)
    one = functools.partial(
        _one_run,
        model=check_model(model),
        betas=tuple(_betas(betas)),
        replicas=_checks.integer("replicas", replicas, minimum=2),
        sweeps_per_step=_checks.integer("sweeps_per_step", sweeps_per_step, minimum=1),
        dynamics=_checks.choice("dynamics", dynamics, _DYNAMICS),
    )
    ds = sweep(
        one,
        {"run": list(range(runs))},
        seed=seed,
        workers=workers,
        client=client,
        store=store,
        progress=progress,
        attrs={"replicas": replicas},
    ).isel(seed=0, drop=True)
    out = combine(ds, dim="run")
    out.attrs.update(
        title=f"spinmem population annealing: {runs} independent runs combined",
        summary="population_anneal runs weighted by their partition-function estimates",
    )
    return out.assign(run_log_z=ds["log_z"], run_energy=ds["energy"])


def _one_run(run, *, model, betas, replicas, sweeps_per_step, dynamics, seed):
    """One run of :func:`spinmem.population.independent_runs`, per step only (the
    final states' sizes differ between runs)."""
    ds = population_anneal(
        model,
        np.asarray(betas),
        replicas=replicas,
        sweeps_per_step=sweeps_per_step,
        dynamics=dynamics,
        seed=seed,
        progress=False,
    )
    return ds.drop_dims(["replica", "spin"]).drop_attrs()


def twin_moments(first: xr.Dataset, second: xr.Dataset) -> xr.Dataset:
    r"""Moments of the twin overlap between the final populations of two independent
    runs at the same (last) temperature.

    Every replica of one run is paired with every replica of the other:
    :math:`q_{ab} = \frac1N \sum_i s_i^a s_i^b`, and :math:`\langle q^2 \rangle`,
    :math:`\langle q^4 \rangle` are means over all pairs (after resampling, every
    replica has the same weight). With several such pairs of runs (or samples),
    :func:`spinmem.observables.binder_of_moments` gives the Binder cumulant and its
    error.

    Parameters
    ----------
    first, second : xarray.Dataset
        Results of :func:`~spinmem.population_anneal` on one model ending at the same
        temperature, from different seeds.

    Returns
    -------
    xarray.Dataset
        Scalars ``q2``, ``q4`` and ``g`` (the Binder cumulant of these moments).
    """
    for name, run in (("first", first), ("second", second)):
        if not isinstance(run, xr.Dataset) or "state" not in run:
            raise TypeError(f"{name} must be a population_anneal result")
    a, b = (r["state"].values.astype(np.float64) for r in (first, second))
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"the runs have {a.shape[1]} and {b.shape[1]} spins")
    ends = [float(r["temperature"].values[-1]) for r in (first, second)]
    if ends[0] != ends[1]:
        raise ValueError(f"the runs end at different temperatures, {ends}")
    q2, q4 = _pair_moments(a, b)
    return xr.Dataset(
        {
            "q2": ((), q2, {"long_name": "mean of q^2 over pairs", "units": "1"}),
            "q4": ((), q4, {"long_name": "mean of q^4 over pairs", "units": "1"}),
            "g": (
                (),
                0.5 * (3.0 - q4 / q2**2),
                {"long_name": "Binder cumulant g", "units": "1"},
            ),
        }
    )


def _pair_moments(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Means of q^2 and q^4 over every pair of a row of ``a`` and a row of ``b``
    (float64 states), with q = a_r . b_s / N."""
    n = a.shape[1]
    q2 = q4 = 0.0
    for rows in np.array_split(a, max(1, a.shape[0] // 1000)):
        square = rows @ b.T
        square *= square
        q2 += float(np.sum(square)) / n**2
        square *= square
        q4 += float(np.sum(square)) / n**4
    pairs = a.shape[0] * b.shape[0]
    return q2 / pairs, q4 / pairs


def twin_anneal(
    model: SpinModel,
    betas: ArrayLike,
    *,
    replicas: int = 1000,
    sweeps_per_step: int = 10,
    dynamics: str = "metropolis",
    seed: SeedLike = None,
    progress: bool = True,
) -> xr.Dataset:
    r"""Two independent population-annealing runs side by side, with the moments of
    their twin overlap at every temperature of the schedule.

    At each step every replica of one run is paired with every replica of the other
    (:math:`q_{ab} = \frac1N \sum_i s_i^a s_i^b`), as :func:`twin_moments` does for
    the final populations; the Binder cumulant
    :math:`g = \frac12 (3 - \langle q^4 \rangle / \langle q^2 \rangle^2)` follows.
    Run r is exactly :func:`~spinmem.population_anneal` with seed ``child(root, r)``
    of the root seed (:func:`spinmem.seeding.child`).

    Parameters
    ----------
    model : Hopfield or DenseMemory
    betas : array_like
        The schedule, as for :func:`~spinmem.population_anneal`.
    replicas, sweeps_per_step, dynamics
        As for :func:`~spinmem.population_anneal`, for each run.
    seed : None, int, SeedSequence or Generator
        The root seed of the pair.
    progress : bool
        Show a progress bar of the steps when the call lasts more than two seconds.

    Returns
    -------
    xarray.Dataset
        Along ``step``: ``q2``, ``q4`` (means over every pair of replicas) and ``g``;
        along ``run`` (2) and ``step``: each run's per-step variables of
        :func:`~spinmem.population_anneal` (``beta``, ``log_z``, ``energy``, ...),
        which :func:`combine` joins.
    """
    model, betas, replicas, sweeps, dynamics = _settings(
        model, betas, replicas, sweeps_per_step, dynamics
    )
    root = root_sequence(seed)
    roots = (child(root, 0), child(root, 1))
    runs = [_annealing(model, betas, replicas, sweeps, dynamics, r) for r in roots]
    rows, moments = ([], []), []
    with _progress.bar(betas.size - 1, "step", "twin_anneal", progress) as bar:
        for steps in zip(*runs, strict=True):
            for kept, (beta, log_z, states, energy, family) in zip(
                rows, steps, strict=True
            ):
                overlaps = _overlaps(model, states)
                kept.append(_row(beta, log_z, energy, family, replicas, overlaps))
            a, b = (step[2].astype(np.float64) for step in steps)
            moments.append(_pair_moments(a, b))
            bar.update(int(steps[0][0] > 0))
    settings = {"dynamics": dynamics, "replicas": replicas, "sweeps_per_step": sweeps}
    both = [
        _dataset(model, r, kept, step[2], step[3], settings).drop_dims(["replica", "spin"])
        for r, kept, step in zip(roots, rows, steps, strict=True)
    ]
    ds = xr.concat(both, "run", combine_attrs="drop_conflicts")
    q2, q4 = (np.array(column) for column in zip(*moments, strict=True))
    per_step = {
        "q2": (q2, "mean of q^2 over pairs of the two runs' replicas"),
        "q4": (q4, "mean of q^4 over pairs of the two runs' replicas"),
        "g": (0.5 * (3.0 - q4 / q2**2), "Binder cumulant g"),
    }
    for name, (values, long_name) in per_step.items():
        ds[name] = ("step", values, {"long_name": long_name, "units": "1"})
    ds.attrs = result_attrs(
        model, root, run=twin_anneal, **settings, steps=betas.size, runs=2
    )
    ds.attrs["seed_roles"] = "run r: population_anneal with seed child(root, r)"
    return ds
