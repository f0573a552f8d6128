"""Simulated annealing along a temperature schedule (``docs/physics.md`` section 3)."""

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from . import _checks, _schema, _updates, schedules
from ._engine import (
    ORDER_CODES,
    check_memory,
    check_model,
    initial_states,
    make_blocks,
    record_mask,
    resolve_replicas,
    result_attrs,
    run_blocks,
    sweep_limit,
    trajectory_dataset,
)
from .dynamics import ORDERS
from .model import SpinModel
from .seeding import SeedLike, root_sequence, stream_states

__all__ = ["anneal"]


def anneal(
    model: SpinModel,
    schedule: ArrayLike,
    *,
    sweeps_per_step: int = 1,
    dynamics: str = "glauber",
    order: str = "random",
    replicas: int | None = None,
    seed: SeedLike = None,
    init: str | ArrayLike = "random",
    record_every: int = 1,
    progress: bool = True,
) -> xr.Dataset:
    """Simulated annealing: stochastic dynamics along a decreasing temperature schedule.

    Works on any symmetric couplings (Hebbian, SK, a user's Ising instance).

    Parameters
    ----------
    model : Hopfield or DenseMemory
    schedule : array_like
        Temperatures ``T_1 >= ... >= T_K > 0`` (see :mod:`spinmem.schedules`).
    sweeps_per_step : int
        Sweeps at each temperature, >= 1.
    dynamics : {"glauber", "metropolis"}
    order : {"random", "sequential"}
    replicas : int, optional
        Independent replicas (default 1, or the batch size of ``init``).
    seed : None, int, SeedSequence or Generator
    init : "random" or array_like
        As in :func:`spinmem.simulate`.
    record_every : int
        Record after every this many schedule steps (and after the last).
    progress : bool
        Show a progress bar (in a terminal or a notebook) when the call lasts more
        than two seconds; never inside a sweep's points.

    Returns
    -------
    xarray.Dataset
        Along dimension ``step`` (coordinate: steps done, 1..K, with ``temperature(step)``
        and cumulative ``sweep(step)``): ``energy(replica, step)`` and, when the model
        knows its patterns, ``overlap(replica, step, pattern)``. Per replica:
        ``initial_energy``, the final ``state(replica, spin)``, and the lowest-energy
        state met at the end of any sweep, ``best_state(replica, spin)``, with its
        energy ``best_energy(replica)``. Energies are the total ``H`` in coupling units,
        not per spin.

    Examples
    --------
    >>> import numpy as np, spinmem
    >>> xi = spinmem.random_patterns(3, 200, seed=0)
    >>> net = spinmem.Hopfield.hebbian(xi)
    >>> ds = spinmem.anneal(net, spinmem.schedules.geometric(2.0, 0.05, 50),
    ...                     sweeps_per_step=2, replicas=4, seed=1)
    >>> bool(np.all(ds.best_energy <= ds.energy.isel(step=-1)))
    True
    """
    model = check_model(model)
    temps = schedules.check(schedule)
    sweeps_per_step = _checks.integer(
        "sweeps_per_step",
        sweeps_per_step,
        minimum=1,
        maximum=max(1, sweep_limit(model) // temps.size),
    )
    dynamics = _updates.checked("anneal", dynamics).name
    order = _checks.choice("order", order, ORDERS)
    record_every = _checks.integer("record_every", record_every, minimum=1)
    n_rep = resolve_replicas(init, replicas)
    check_memory("anneal", model, n_rep, 1 + -(-temps.size // record_every), False)
    root = root_sequence(seed)
    rng = stream_states(root, n_rep)
    states = initial_states(model, init, n_rep, rng)

    record = record_mask(temps.size, record_every)
    block_sweeps = np.full(temps.size, sweeps_per_step, dtype=np.int64)
    traj = run_blocks(
        model,
        states,
        rng,
        make_blocks(1.0 / temps, block_sweeps, record),
        _updates.rule(dynamics).code,
        ORDER_CODES[order],
        False,
        progress=progress,
        desc="anneal",
    )
    steps = np.flatnonzero(record) + 1
    attrs = result_attrs(
        model,
        root,
        run=anneal,
        dynamics=dynamics,
        order=order,
        sweeps_per_step=sweeps_per_step,
        schedule_steps=temps.size,
        t_start=float(temps[0]),
        t_end=float(temps[-1]),
        record_every=record_every,
        replicas=n_rep,
        init=init if isinstance(init, str) else "given",
    )
    return _dataset(model, traj, steps, temps[steps - 1], steps * sweeps_per_step, attrs)


def _dataset(model, traj, steps, temperatures, sweeps, attrs) -> xr.Dataset:
    """The Dataset of an annealing run: the records after the steps ``steps`` (at
    ``temperatures``, after ``sweeps`` sweeps), the initial energies, the best states
    and the flips."""
    ds = trajectory_dataset(
        model, steps, "step", traj.energy[:, 1:], traj.counts[:, 1:], None,
        traj.final, attrs,
    )  # fmt: skip
    ds = ds.assign_coords(
        temperature=("step", temperatures, _schema.meta("temperature")),
        sweep=("step", sweeps, _schema.meta("sweeps_done")),
    )
    ds["step"].attrs.update(_schema.meta("steps_done"))
    ds["initial_energy"] = ("replica", traj.energy[:, 0], _schema.meta("initial_energy"))
    ds["best_state"] = (("replica", "spin"), traj.best_state, _schema.meta("best_state"))
    ds["best_energy"] = ("replica", traj.best_energy, _schema.meta("best_energy"))
    ds["flips"] = ("replica", traj.flips, _schema.meta("flips"))
    return ds
