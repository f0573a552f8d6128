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

One idea, a population annealed and judged, in about 740 lines: the run (in all of
state space or confined to a region, from random states or a given sample), the
combination of independent runs with their free-energy weights, twin populations and
their overlaps, and the sweep of runs over processes or dask, each documented in full.
"""

import functools
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from . import _checks, _progress, _schema
from ._engine import check_model, result_attrs
from ._sweep import sweep
from .dynamics import evolve
from .model import SpinModel
from .seeding import SeedLike, child, generator, root_sequence, stream_states

__all__ = [
    "Region",
    "combine",
    "independent_runs",
    "population_anneal",
    "twin_anneal",
    "twin_moments",
]

_DYNAMICS = ("metropolis", "glauber")
RETRIEVED = 0.5  # a replica retrieves when some pattern has |m| above this


@dataclass(frozen=True)
class Region:
    r"""A region of state space set by the overlaps with the stored patterns, to
    confine a population to one branch of states.

    ``Region()`` holds the states with every :math:`|m_\mu| \le` ``threshold``: no
    pattern retrieved (paramagnetic, spin-glass and mixture states; the complement of
    the retrieval weight of :func:`~spinmem.population_anneal`).
    ``Region(pattern=nu)`` holds the states with :math:`m_\nu >` ``threshold``:
    pattern nu retrieved with its own sign. Without fields the energy is even in s,
    so the states with :math:`m_\nu < -` ``threshold`` have the same partition
    function, and the retrieval weight is
    :math:`\sum_\nu 2 Z_\nu / (Z_0 + \sum_\nu 2 Z_\nu)` from the partition functions
    of these regions (up to states that retrieve two patterns at once, which need two
    patterns to agree on more than half of the sites).

    Parameters
    ----------
    pattern : int or None
        The retrieved pattern nu (0-based), or None for no pattern retrieved.
    threshold : float
        In [0, 1); default ``RETRIEVED`` = 0.5.
    """

    pattern: int | None = None
    threshold: float = RETRIEVED

    def __post_init__(self):
        if self.pattern is not None and (
            isinstance(self.pattern, bool) or not isinstance(self.pattern, Integral)
        ):
            raise TypeError(f"pattern must be None or an integer, got {self.pattern!r}")
        if self.pattern is not None and self.pattern < 0:
            raise ValueError(f"pattern must be >= 0, got {self.pattern}")
        threshold = _checks.real("threshold", self.threshold, minimum=0.0)
        if threshold >= 1.0:
            raise ValueError(f"threshold must be < 1, got {threshold}")

    def __str__(self) -> str:
        if self.pattern is None:
            return f"every |m_mu| <= {self.threshold:g}"
        return f"m_{self.pattern} > {self.threshold:g}"

    def contains(self, model: SpinModel, states: ArrayLike) -> np.ndarray:
        """Whether each state lies in the region.

        Parameters
        ----------
        model : Hopfield or DenseMemory
            The model whose stored patterns define the overlaps.
        states : array_like
            +-1 states, one per row (shape (N,) or (M, N)).

        Returns
        -------
        numpy.ndarray of bool, shape (M,)
            True for the rows of ``states`` in the region.
        """
        m = np.atleast_2d(model.overlaps(states))
        if self.pattern is None:
            return np.abs(m).max(axis=1) <= self.threshold
        return m[:, self.pattern] > self.threshold


def population_anneal(
    model: SpinModel,
    betas: ArrayLike,
    *,
    replicas: int = 1000,
    sweeps_per_step: int = 10,
    dynamics: str = "metropolis",
    seed: SeedLike = None,
    progress: bool = True,
    region: Region | None = None,
    init: ArrayLike | None = None,
    log_z0: float | None = None,
) -> xr.Dataset:
    r"""Population annealing from infinite temperature along ``betas``, or from an
    equilibrium sample ``init`` at ``betas[0]`` in either direction, in all of state
    space or confined to a ``region``.

    Parameters
    ----------
    model : Hopfield or DenseMemory
    betas : array_like
        Inverse temperatures, coupling units; at least two. Without ``init``,
        :math:`0 = \beta_0 < \beta_1 < \dots < \beta_K`; with it, any strictly
        increasing or strictly decreasing sequence of values >= 0 (a decreasing one
        heats the population: the weights :math:`e^{-(\beta_{k+1} - \beta_k) E}` are
        the same formula).
    replicas : int
        Target population size R, >= 2 (the population fluctuates around it; a very
        small one can die out, every replica getting zero copies, and the run then
        stops with a ``ValueError``).
    sweeps_per_step : int
        Sweeps of every replica after each resampling, >= 1.
    dynamics : {"metropolis", "glauber"}
    seed : None, int, SeedSequence or Generator
        The same seed gives the same run.
    progress : bool
        Show a progress bar of the steps when the call lasts more than two seconds.
    region : spinmem.population.Region or None
        Confine the population to a region of state space (models with patterns): the
        random initial states outside it are dropped (:math:`\ln Z(0)` is then
        :math:`N \ln 2` plus the log of the fraction kept), and a replica whose block
        of ``sweeps_per_step`` sweeps ends outside goes back to its state before them.
        The sweeps (random site order) are a reversible kernel, so this rejection of
        the whole block leaves the Boltzmann distribution restricted to the region
        invariant, and ``log_z`` estimates the region's :math:`\ln Z_A(\beta)`.
    init : array_like or None
        Start from these +-1 states (shape (N,) or (M, N)), an equilibrium sample at
        ``betas[0]`` (all in ``region``): for example copies of a ground state at a
        low enough temperature that no excitation has weight. None: uniformly random
        states at :math:`\beta_0 = 0`.
    log_z0 : float or None
        :math:`\ln Z` at ``betas[0]`` with ``init`` (default 0, so that ``log_z`` is
        :math:`\ln Z(\beta) / Z(\beta_0)`); without ``init`` it must be None
        (:math:`N \ln 2`).

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
        ``population``, ``families`` (surviving families) and ``rho_t``; with a
        ``region``, ``rejected`` (the fraction of blocks of sweeps rejected for
        leaving it); ``state(replica, spin)`` and ``final_energy(replica)`` of the
        final population. Independent runs combine with
        :func:`spinmem.population.combine`.
    """
    model, betas, replicas, sweeps, dynamics = _settings(
        model, betas, replicas, sweeps_per_step, dynamics, start=init is not None
    )
    region = _region(model, region)
    start = _start(model, init, log_z0, region)
    root = root_sequence(seed)
    rows = []
    steps = _annealing(model, betas, replicas, sweeps, dynamics, root, region, start)
    with _progress.bar(betas.size - 1, "step", "population_anneal", progress) as bar:
        for k, (beta, log_z, states, energy, family, rejected) in enumerate(steps):
            overlaps = _overlaps(model, states)
            rows.append(_row(beta, log_z, energy, family, replicas, overlaps))
            if region is not None:
                rows[-1]["rejected"] = rejected
            bar.update(int(k > 0))
    settings = {"dynamics": dynamics, "replicas": replicas, "sweeps_per_step": sweeps}
    if region is not None:
        settings["region"] = str(region)
    if start is not None:
        settings["start"] = f"{start[0].shape[0]} given states at beta_0"
    return _dataset(model, root, rows, states, energy, settings)


def _settings(model, betas, replicas, sweeps_per_step, dynamics, start=False) -> tuple:
    """The checked arguments of a population-annealing run (``start``: from given
    states rather than random ones at beta = 0)."""
    return (
        check_model(model),
        _betas(betas, start),
        _checks.integer("replicas", replicas, minimum=2),
        _checks.integer("sweeps_per_step", sweeps_per_step, minimum=1),
        _checks.choice("dynamics", dynamics, _DYNAMICS),
    )


def _annealing(model, betas, replicas, sweeps, dynamics, root, region, start):
    """The population at every beta: yields ``(beta, ln Z, states, energies, families,
    rejected)`` after each step's resampling and sweeps, from random states at
    beta_0 = 0 or from ``start = (states, ln Z)``, confined to ``region`` unless it is
    None; ``rejected`` is the fraction of blocks of sweeps the step rejected."""
    n = model.n_spins
    if start is None:
        shape = (replicas, n)
        states = generator(root, 0).choice(np.array([-1, 1], np.int8), size=shape)
        log_z = n * np.log(2.0)
    else:
        states, log_z = start
    family = np.arange(states.shape[0])
    if region is not None and start is None:
        inside = region.contains(model, states)
        if not inside.any():
            raise ValueError(
                f"no random initial state lies in the region {region}; start from "
                "states inside it with init="
            )
        log_z += np.log(inside.mean())
        states, family = states[inside], family[inside]
    energy = np.atleast_1d(model.energy(states))
    yield betas[0], log_z, states, energy, family, 0.0
    for k in range(1, betas.size):
        step = betas[k] - betas[k - 1]
        ref = energy.min() if step > 0 else energy.max()
        log_w = -step * (energy - ref)
        log_q = np.log(np.mean(np.exp(log_w))) - step * ref
        copies = _copies(np.exp(log_w), replicas, generator(root, 1, k))
        if not copies.any():
            raise ValueError(
                f"the population died out at step {k} (beta = {betas[k]:g}): "
                "resampling gave every replica zero copies; use a larger population "
                f"(replicas = {replicas})"
            )
        states, family = np.repeat(states, copies, 0), np.repeat(family, copies)
        moved, energy_moved = _swept(model, states, betas[k], sweeps, dynamics, root, k)
        rejected = 0.0
        if region is not None:
            before = (states, np.repeat(energy, copies))
            rejected = _reject_outside(model, region, before, (moved, energy_moved))
        states, energy = moved, energy_moved
        log_z = log_z + log_q
        yield betas[k], log_z, states, energy, family, rejected


def _swept(model, states, beta, sweeps, dynamics, root, k):
    """Copies of ``states`` after ``sweeps`` sweeps at ``beta`` (replica r on stream r
    of ``child(root, 2, k)``, as :func:`spinmem.simulate` with that seed) and their
    energies."""
    moved = states.copy()
    rng = stream_states(child(root, 2, k), states.shape[0])
    end = np.array([sweeps])
    run = evolve(model, moved, rng, 1.0 / beta, end, dynamics, "random", False, False)
    return moved, run.energy[:, -1]


def _reject_outside(model, region, before, after) -> float:
    """Put the replicas whose sweeps ended outside ``region`` back as they were
    (``before`` and ``after`` are (states, energies); ``after`` changes in place);
    returns the fraction rejected."""
    out = ~region.contains(model, after[0])
    after[0][out], after[1][out] = before[0][out], before[1][out]
    return float(out.mean())


def _betas(betas, start: bool = False) -> np.ndarray:
    b = _checks.real_array("betas", betas, "a 1-D array of inverse temperatures")
    if b.ndim != 1 or b.size < 2:
        raise ValueError(f"betas must be a 1-D array of >= 2 values, got shape {b.shape}")
    shown = f"{b[:3].tolist()}{'...' if b.size > 3 else ''}"
    if not np.all(np.isfinite(b)) or np.any(b < 0):
        raise ValueError(f"betas must be finite and >= 0; got {shown}")
    if start:
        steps = np.diff(b)
        if not (np.all(steps > 0) or np.all(steps < 0)):
            raise ValueError(
                "betas must increase strictly or decrease strictly from the "
                f"temperature of init; got {shown}"
            )
    elif b[0] != 0 or np.any(np.diff(b) <= 0):
        raise ValueError(
            "betas must start at 0 (where random states are in equilibrium) and increase "
            f"strictly, finite; got {shown} (or give init, states in equilibrium at "
            "betas[0])"
        )
    return b


def _region(model, region) -> Region | None:
    """``region`` checked against the model (None passes)."""
    if region is None:
        return None
    if not isinstance(region, Region):
        raise TypeError(
            f"region must be a spinmem.population.Region or None, got {region!r}"
        )
    patterns = getattr(model, "patterns", None)
    if patterns is None:
        raise ValueError("region needs a model with stored patterns (overlaps)")
    p = np.shape(patterns)[0]
    if region.pattern is not None and region.pattern >= p:
        raise ValueError(
            f"region.pattern must be < {p}, the number of stored patterns; got "
            f"{region.pattern}"
        )
    return region


def _start(model, init, log_z0, region) -> tuple[np.ndarray, float] | None:
    """``(states, ln Z at betas[0])`` from ``init`` and ``log_z0``; None for random
    states at beta = 0."""
    if init is None:
        if log_z0 is not None:
            raise ValueError(
                "log_z0 is ln Z at betas[0] of the states init; without init the "
                f"population starts at beta = 0 with ln Z = N ln 2 (got log_z0={log_z0!r})"
            )
        return None
    states = np.atleast_2d(_checks.spins("init", init, n=model.n_spins))
    log_z = 0.0 if log_z0 is None else _checks.real("log_z0", log_z0)
    if region is not None:
        outside = np.flatnonzero(~region.contains(model, states))
        if outside.size:
            raise ValueError(
                f"init must lie in the region {region}; rows {outside[:5].tolist()} do not"
            )
    return states, log_z


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
    if "rejected" in rows[0]:
        per_step["rejected"] = (
            np.array([r["rejected"] for r in rows]),
            "fraction of blocks of sweeps rejected for leaving the region",
            "1",
        )
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
    runs = [
        _annealing(model, betas, replicas, sweeps, dynamics, r, None, None) for r in roots
    ]
    rows, moments = ([], []), []
    with _progress.bar(betas.size - 1, "step", "twin_anneal", progress) as bar:
        for steps in zip(*runs, strict=True):
            for kept, (beta, log_z, states, energy, family, _) in zip(
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
