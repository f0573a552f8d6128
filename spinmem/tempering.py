r"""Parallel tempering (replica exchange), ``docs/physics.md`` section 9.

One replica per temperature in each of ``chains`` independent chains. Every
``swap_every`` sweeps of Glauber or Metropolis dynamics, the replicas at neighbouring
temperatures k, k + 1 exchange temperatures with the Metropolis probability
:math:`\min\left(1, e^{(\beta_k - \beta_{k+1}) (E_k - E_{k+1})}\right)`, which leaves
the product of the Boltzmann distributions at the K temperatures stationary. Observables
are recorded per temperature (whichever replica is there), so each temperature's time
series samples its own Boltzmann distribution once equilibrated.
"""

import numba
import numpy as np
import xarray as xr
from numpy.typing import ArrayLike
from scipy.special import erfc

from . import _checks, _progress, _schema, _threads, _updates
from ._engine import (
    ORDER_CODES,
    check_memory,
    check_model,
    chunk_sweeps,
    init_work,
    initial_states,
    record_count,
    record_window,
    result_attrs,
    sweep_limit,
)
from ._kernels import exchange, updates
from ._kernels.records import Ladder, LadderRecords
from .dynamics import ORDERS
from .model import SpinModel
from .seeding import SeedLike, provenance, root_sequence, stream_states

__all__ = ["temper", "temperature_ladder"]


def temper(
    model: SpinModel,
    temperatures: ArrayLike,
    *,
    sweeps: int,
    swap_every: int = 1,
    chains: int = 1,
    dynamics: str = "metropolis",
    order: str = "random",
    init: str | ArrayLike = "random",
    seed: SeedLike = None,
    record_every: int = 1,
    progress: bool = True,
) -> xr.Dataset:
    """Parallel tempering: ``chains`` independent ladders of K replicas.

    Parameters
    ----------
    model : Hopfield or DenseMemory
        Any couplings and storage.
    temperatures : array_like, shape (K,)
        Strictly increasing temperatures > 0, in coupling units; K >= 2.
    sweeps : int
        Sweeps of every replica, a multiple of ``swap_every``.
    swap_every : int
        Sweeps between two rounds of exchange attempts (one attempt per neighbouring
        pair and chain per round).
    chains : int
        Independent ladders (repetitions for error bars and twin overlaps).
    dynamics : {"metropolis", "glauber"}
    order : {"random", "sequential"}
    init : "random" or array_like, shape (N,) or (chains * K, N)
        Starting states; ``"random"`` draws each replica's own.
    seed : None, int, SeedSequence or Generator
        Root seed: replica r (= chain * K + starting temperature index) sweeps with
        child stream r, chain c swaps with child (1, c).
    record_every : int
        Record after every ``record_every``-th exchange round (and after the last).
    progress : bool
        Show a progress bar (in a terminal or a notebook) when the call lasts more
        than two seconds; never inside a sweep's points.

    Returns
    -------
    xarray.Dataset
        ``energy(chain, temperature, sweep)`` and, with patterns,
        ``overlap(chain, temperature, sweep, pattern)``; with ``chains >= 2`` the twin
        overlaps ``q(pair, temperature, sweep)`` of chains 2j and 2j + 1 at the same
        temperature (independent pairs); ``swap_acceptance(pair_k)`` of the pair of
        temperatures (k, k + 1); ``round_trips(chain, replica)``, the coldest ->
        hottest -> coldest journeys of each replica; ``state(chain, temperature,
        spin)`` at the end.
        ``time`` counts sweeps.
    """
    model = check_model(model)
    temps = _temperatures(temperatures)
    swap_every = _checks.integer("swap_every", swap_every, minimum=1)
    sweeps = _checks.integer(
        "sweeps", sweeps, minimum=swap_every, maximum=sweep_limit(model)
    )
    if sweeps % swap_every:
        raise ValueError(
            f"sweeps must be a multiple of swap_every={swap_every}, got {sweeps}"
        )
    chains = _checks.integer("chains", chains, minimum=1)
    dynamics = _updates.checked("temper", dynamics).name
    order = _checks.choice("order", order, ORDERS)
    record_every = _checks.integer("record_every", record_every, minimum=1)
    n_temps, rounds = temps.size, sweeps // swap_every
    n_rep = chains * n_temps
    if not isinstance(init, str):
        shape = np.shape(init)
        if len(shape) == 2 and shape[0] not in (1, n_rep):
            raise ValueError(
                f"init must be one state or chains * K = {n_rep} states, got shape {shape}"
            )
    slots = record_count(rounds, record_every)
    check_memory("temper", model, n_rep, slots, False)

    root = root_sequence(seed)
    rng = stream_states(root, n_rep)
    swap_rng = stream_states(root, chains, 1)
    states = initial_states(model, init, n_rep, rng)
    run = _Ladder(model, states, rng, swap_rng, temps, chains, dynamics, order)
    rec = _Records(model, chains, n_temps, slots)
    # rounds in kernel calls of about CHUNK_WORK operations: Ctrl-C and the progress
    # bar act between calls; the numbers do not depend on the chunking
    per_call = max(1, chunk_sweeps(model, n_rep) // swap_every)
    with _progress.bar(sweeps, "sweep", "temper", progress) as bar:
        for first in range(0, rounds, per_call):
            mask = record_window(first, min(first + per_call, rounds), rounds, record_every)
            run.rounds(swap_every, mask, rec)
            bar.update(mask.size * swap_every)
    attrs = result_attrs(
        model,
        root,
        run=temper,
        dynamics=dynamics,
        order=order,
        sweeps=sweeps,
        swap_every=swap_every,
        chains=chains,
        record_every=record_every,
        init=init if isinstance(init, str) else "given",
    )
    times = np.append(np.arange(record_every, rounds + 1, record_every), rounds)
    times = np.unique(times) * swap_every
    return rec.dataset(model, run, temps, times, attrs)


def temperature_ladder(
    model: SpinModel,
    t_min: float,
    t_max: float,
    size: int,
    *,
    pilot_sweeps: int = 2000,
    pilot_size: int | None = None,
    dynamics: str = "metropolis",
    seed: SeedLike = None,
) -> xr.Dataset:
    r"""A temperature ladder with about equal exchange acceptance, from a pilot run.

    For energy distributions of width :math:`\sigma(\beta)`, the exchange acceptance
    between inverse temperatures :math:`\beta` and :math:`\beta - d\beta` is about
    :math:`\mathrm{erfc}(d\beta\, \sigma / 2)` (``docs/physics.md`` section 9). A short
    parallel tempering run on a geometric ladder measures ``sigma`` at ``pilot_size``
    temperatures; the ladder puts ``size`` temperatures at equal steps of
    :math:`S(\beta) = \int \sigma\, d\beta` (``sigma`` interpolated linearly in beta),
    so every neighbouring pair has the same predicted acceptance. The prediction assumes
    Gaussian energy distributions; where only a few excitations are present (low T,
    small N) the distributions are skewed and the measured acceptances differ.

    Parameters
    ----------
    model : Hopfield or DenseMemory
    t_min, t_max : float
        Coldest and hottest temperature, ``0 < t_min < t_max``.
    size : int
        Number of temperatures K >= 2.
    pilot_sweeps : int
        Sweeps of the pilot run; its first half is discarded.
    pilot_size : int, optional
        Temperatures of the pilot ladder (default ``max(size, 8)``).
    dynamics : {"metropolis", "glauber"}
    seed : None, int, SeedSequence or Generator
        Seed of the pilot run.

    Returns
    -------
    xarray.Dataset
        ``temperatures`` (K,), increasing, for :func:`temper`;
        ``predicted_acceptance`` (K - 1,) of each neighbouring pair; and the pilot's
        ``pilot_sigma`` (energy standard deviation) and ``pilot_acceptance``.
    """
    t_min = _checks.temperature("t_min", t_min)
    t_max = _checks.temperature("t_max", t_max)
    if t_max <= t_min:
        raise ValueError(f"t_max must be > t_min={t_min}, got {t_max}")
    size = _checks.integer("size", size, minimum=2)
    pilot_sweeps = _checks.integer("pilot_sweeps", pilot_sweeps, minimum=20)
    pilot_size = max(size, 8) if pilot_size is None else pilot_size
    pilot_size = _checks.integer("pilot_size", pilot_size, minimum=2)
    model = check_model(model)
    record_every = max(1, pilot_sweeps // 1000)
    # the pilot's replicas and records, before any array of that size is made
    check_memory(
        "temperature_ladder (its pilot run, pilot_size = max(size, 8))",
        model,
        2 * pilot_size,
        record_count(pilot_sweeps, record_every),
        False,
    )
    root = root_sequence(seed)
    pilot = temper(
        model,
        np.geomspace(t_min, t_max, pilot_size),
        sweeps=pilot_sweeps,
        chains=2,
        dynamics=dynamics,
        seed=root,
        record_every=record_every,
    )
    late = pilot.energy.isel(sweep=slice(pilot.sizes["sweep"] // 2, None))
    sigma = late.std(("chain", "sweep")).values
    betas = 1.0 / pilot.temperature.values[::-1]
    fine = np.linspace(betas[0], betas[-1], 4096)
    width = np.interp(fine, betas, sigma[::-1])
    area = np.concatenate(
        [[0.0], np.cumsum(0.5 * (width[1:] + width[:-1]) * np.diff(fine))]
    )
    if area[-1] <= 0:
        raise ValueError(
            "the pilot run saw no energy fluctuations between t_min and t_max; "
            "raise t_max or pilot_sweeps"
        )
    chosen = np.interp(np.linspace(0.0, area[-1], size), area, fine)
    chosen[0], chosen[-1] = betas[0], betas[-1]
    temps = np.sort(1.0 / chosen)
    step = area[-1] / (size - 1)
    return xr.Dataset(
        {
            "temperatures": (
                "k",
                temps,
                _schema.meta("temperature"),
            ),
            "predicted_acceptance": (
                "pair_k",
                np.full(size - 1, erfc(step / 2.0)),
                _schema.meta("predicted_acceptance"),
            ),
            "pilot_sigma": (
                "pilot_temperature",
                sigma,
                _schema.meta("energy_sigma"),
            ),
            "pilot_acceptance": (
                "pilot_pair",
                pilot.swap_acceptance.values,
                _schema.meta("pilot_acceptance"),
            ),
        },
        coords={"pilot_temperature": pilot.temperature.values},
        attrs={"pilot_sweeps": pilot_sweeps, "dynamics": dynamics, **provenance(root)},
    )


def _temperatures(value) -> np.ndarray:
    what = "a 1-D list of K >= 2 real temperatures"
    if isinstance(value, dict | set | str):
        raise TypeError(f"temperatures must be {what}, got a {type(value).__name__}")
    temps = np.atleast_1d(_checks.real_array("temperatures", value, what))
    if temps.ndim != 1 or temps.size < 2:
        raise ValueError(f"temperatures must be {what}, got shape {temps.shape}")
    if not np.all(np.isfinite(temps)) or np.any(temps < _checks.T_MIN):
        raise ValueError(
            f"temperatures must be finite and > 0 with 1/T finite (T >= "
            f"{_checks.T_MIN:.3g}), got {temps}"
        )
    if np.any(np.diff(temps) <= 0):
        raise ValueError(f"temperatures must be strictly increasing, got {temps}")
    return temps


class _Ladder:
    """The replicas, their temperatures and the exchange statistics of a run."""

    def __init__(self, model, states, rng, swap_rng, temps, chains, dynamics, order):
        n_temps = temps.size
        n_rep = states.shape[0]
        self.view = model.kernel_view()
        self.rule, self.order = _updates.rule(dynamics).code, ORDER_CODES[order]
        self.reps = init_work(model, states, rng)
        self.ladder = Ladder(
            1.0 / temps,
            np.arange(n_rep, dtype=np.int64).reshape(chains, n_temps),
            swap_rng,
            np.zeros(n_temps - 1, dtype=np.int64),
            np.zeros(n_temps - 1, dtype=np.int64),
            np.zeros(n_rep, dtype=np.int8),
            np.zeros(n_rep, dtype=np.int64),
        )
        exchange.track_trips(self.ladder)

    def rounds(self, swap_every: int, record: np.ndarray, rec: "_Records") -> None:
        """``record.size`` rounds of ``swap_every`` sweeps and one exchange pass,
        recording into ``rec`` after the rounds that ``record`` marks: in one kernel
        call with a thread per chain pair when there are enough pairs to occupy the
        threads, else round by round with the replicas of a round across threads."""
        chains = self.ladder.at.shape[0]
        if (chains + 1) // 2 >= numba.get_num_threads():
            self._pairs(swap_every, record, rec)
            return
        for flag in record:
            self._round(swap_every)
            if flag:
                self.record(rec)

    def record(self, rec: "_Records") -> None:
        """Energies, overlap counts and twin overlaps of every chain into the next
        slot of ``rec``."""
        reps = self.reps
        for m in range((self.ladder.at.shape[0] + 1) // 2):
            exchange.record_pair(
                reps.s, reps.counts, reps.energy, self.ladder.at, rec.buffers, rec.slot, m
            )
        rec.slot += 1

    def _pairs(self, swap_every, record, rec) -> None:
        """Every chain pair through the rounds, blocks of pairs in concurrent
        threads."""
        n_pairs = (self.ladder.at.shape[0] + 1) // 2
        accepted = np.zeros((n_pairs, self.ladder.betas.size - 1), dtype=np.int64)
        attempted = np.zeros_like(accepted)

        def run(first, stop):
            for m in range(first, stop):
                own = self.ladder._replace(accepted=accepted[m], attempted=attempted[m])
                exchange.temper_pair(
                    self.view, self.reps, own, swap_every, self.rule, self.order,
                    record, rec.buffers, rec.slot, m,
                )  # fmt: skip

        with np.errstate(over="ignore"):
            _threads.in_blocks(run, n_pairs, numba.get_num_threads())
        self.ladder.accepted[:] += accepted.sum(axis=0)
        self.ladder.attempted[:] += attempted.sum(axis=0)
        rec.slot += int(np.count_nonzero(record))

    def _round(self, swap_every) -> None:
        beta_of = np.empty(self.reps.s.shape[0])
        beta_of[self.ladder.at] = self.ladder.betas[None, :]
        with np.errstate(over="ignore"):
            updates.sweep_replicas(
                self.view, self.reps, beta_of, swap_every, self.rule, self.order
            )
            exchange.swap_round(self.ladder, self.reps.energy)
        exchange.track_trips(self.ladder)


class _Records:
    def __init__(self, model, chains, n_temps, slots):
        n_pairs = chains // 2
        self.buffers = LadderRecords(
            np.empty((chains, n_temps, slots)),
            np.empty((chains, n_temps, slots, model.n_patterns), np.int32),
            np.empty((n_pairs, n_temps, slots)),
        )
        self.slot = 0

    def dataset(self, model, run, temps, times, attrs) -> xr.Dataset:
        ladder, buffers = run.ladder, self.buffers
        chains, n_temps = ladder.at.shape
        data = {
            "energy": (
                ("chain", "temperature", "sweep"),
                buffers.energy,
                _schema.meta("energy"),
            ),
            "swap_acceptance": (
                ("pair_k",),
                ladder.accepted / np.maximum(ladder.attempted, 1),
                _schema.meta("swap_acceptance"),
            ),
            "round_trips": (
                ("chain", "replica"),
                ladder.trips.reshape(chains, n_temps),
                _schema.meta("round_trips"),
            ),
            "state": (
                ("chain", "temperature", "spin"),
                run.reps.s[ladder.at],
                _schema.meta("ladder_state"),
            ),
        }
        coords = {
            "chain": np.arange(chains),
            "temperature": temps,
            "sweep": times,
            "pair_k": np.arange(n_temps - 1),
            "replica": np.arange(n_temps),
        }
        if model.n_patterns:
            data["overlap"] = (
                ("chain", "temperature", "sweep", "pattern"),
                buffers.counts / model.n_spins,
                _schema.meta("overlap"),
            )
            coords["pattern"] = np.arange(model.n_patterns)
        n_pairs = buffers.q.shape[0]
        if n_pairs:
            data["q"] = (
                ("pair", "temperature", "sweep"),
                buffers.q,
                _schema.meta("twin_overlap"),
            )
            coords["pair"] = np.arange(n_pairs)
            coords["pair_a"] = ("pair", 2 * np.arange(n_pairs))
            coords["pair_b"] = ("pair", 2 * np.arange(n_pairs) + 1)
        return xr.Dataset(data, coords=coords, attrs=attrs)
