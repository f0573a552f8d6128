r"""Monte Carlo and zero-temperature dynamics: :func:`simulate` and :func:`relax`.

Update rules (``docs/physics.md`` section 2), chosen by the ``dynamics`` string:

``"glauber"``
    heat bath: set :math:`s_i = +1` with probability :math:`1 / (1 + e^{-2 \beta h_i})`.
``"metropolis"``
    flip with probability :math:`\min(1, e^{-\beta \Delta E_i})`, :math:`\Delta E_i = 2
    s_i h_i`.
``"zero"``
    zero-temperature asynchronous: :math:`s_i \leftarrow \mathrm{sign}(h_i)`, kept when
    :math:`h_i = 0`.
``"synchronous"``
    zero-temperature Little dynamics, all spins at once: :math:`s \leftarrow
    \mathrm{sign}(J s + \theta)`.

A sweep is N single-spin update attempts, at sites drawn uniformly at random
(``order="random"``) or visited 0..N-1 (``order="sequential"``); a synchronous step counts
as one sweep. Temperatures are in the units of the couplings, :math:`\beta = 1 / T`. Glauber
and Metropolis need ``T > 0`` (their T -> 0 limit is ambiguous at :math:`h_i = 0`); use
``dynamics="zero"`` for zero temperature.
"""

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from . import _checks, _schema, _updates
from ._engine import (
    ORDER_CODES,
    check_memory,
    check_model,
    check_temperature,
    initial_states,
    make_blocks,
    record_count,
    relax_states,
    resolve_replicas,
    result_attrs,
    run_blocks,
    sweep_limit,
    synchronous,
    trajectory_dataset,
)
from .model import SpinModel
from .seeding import SeedLike, root_sequence, stream_states

__all__ = ["DYNAMICS", "ORDERS", "relax", "simulate"]

DYNAMICS = _updates.names("simulate")
ORDERS = ("random", "sequential")


def simulate(
    model: SpinModel,
    *,
    temperature: float | None = None,
    sweeps: int,
    dynamics: str = "glauber",
    order: str = "random",
    init: str | ArrayLike = "random",
    replicas: int | None = None,
    seed: SeedLike = None,
    record_every: int = 1,
    record_states: bool = False,
    progress: bool = True,
) -> xr.Dataset:
    r"""Run independent replicas of a dynamics at fixed temperature.

    Parameters
    ----------
    model : Hopfield or DenseMemory
    temperature : float
        T > 0 for ``"glauber"``/``"metropolis"``; 0 or None for ``"zero"`` and
        ``"synchronous"``. In coupling units, :math:`\beta = 1/T`.
    sweeps : int
        Number of sweeps (N attempts each; one synchronous step counts as one), >= 1.
    dynamics : {"glauber", "metropolis", "zero", "synchronous"}
    order : {"random", "sequential"}
        Site order of the asynchronous rules (ignored by ``"synchronous"``).
    init : "random" or array_like
        ``"random"``: uniform random states, one per replica from its own stream.
        One state (N,) or (1, N): copied to every replica. A batch (R, N) (for example
        cues from :func:`spinmem.make_cues`): one per replica.
    replicas : int, optional
        Number of independent replicas R (default 1, or the batch size of ``init``).
    seed : None, int, SeedSequence or Generator
        Root seed; replica r uses the r-th child stream, so results do not depend on the
        number of threads.
    record_every : int
        Record energy and overlaps every this many sweeps (and after the last).
    record_states : bool
        Also record the full states at those times (``states(replica, sweep, spin)``).
    progress : bool
        Show a progress bar (in a terminal or a notebook) when the call lasts more
        than two seconds; never inside a sweep's points.

    Returns
    -------
    xarray.Dataset
        ``energy(replica, sweep)`` (total H, coupling units); ``overlap(replica, sweep,
        pattern)`` when the model knows its patterns; ``state(replica, spin)`` the final
        states; ``flips(replica)`` accepted flips; for ``"synchronous"``
        ``cycle_length(replica)`` (1: fixed point, 2: 2-cycle, 0: neither seen). The
        ``time`` coordinate counts sweeps done (0 = initial state). Attributes hold every
        parameter, the seed entropy and the package version.

    Examples
    --------
    >>> import spinmem
    >>> xi = spinmem.random_patterns(5, 200, seed=0)
    >>> net = spinmem.Hopfield.hebbian(xi)
    >>> cues = spinmem.make_cues(xi[0], 0.2, seed=1)
    >>> ds = spinmem.simulate(net, temperature=0.1, sweeps=10, init=cues, seed=2)
    >>> float(ds.overlap.isel(sweep=-1, pattern=0, replica=0)) > 0.95
    True
    """
    model = check_model(model)
    dynamics = _updates.checked("simulate", dynamics).name
    order = _checks.choice("order", order, ORDERS)
    t = check_temperature(dynamics, temperature)
    sweeps = _checks.integer("sweeps", sweeps, minimum=1, maximum=sweep_limit(model))
    record_every = _checks.integer("record_every", record_every, minimum=1)
    record_states = _checks.flag("record_states", record_states)
    n_rep = resolve_replicas(init, replicas)
    slots = 1 + record_count(sweeps, record_every)
    check_memory("simulate", model, n_rep, slots, record_states)
    root = root_sequence(seed)
    rng = stream_states(root, n_rep)
    states = initial_states(model, init, n_rep, rng)
    initial = states.copy()

    # records after every record_every sweeps and after the last: blocks of that length
    ends = np.append(np.arange(record_every, sweeps, record_every), sweeps)
    extra = {}
    if dynamics == "synchronous":
        energy, counts, rec_states, cycle = synchronous(
            model, states, sweeps, record_every, record_states, progress
        )
        extra["cycle_length"] = (
            ("replica",),
            cycle,
            _schema.meta("cycle_length"),
        )
    else:
        traj = evolve(model, states, rng, t, ends, dynamics, order, record_states, progress)
        energy, counts, rec_states = traj.energy, traj.counts, traj.states
        extra["flips"] = (
            ("replica",),
            traj.flips,
            _schema.meta("flips"),
        )
    times = np.concatenate([[0], ends])
    attrs = result_attrs(
        model,
        root,
        run=simulate,
        dynamics=dynamics,
        order=order if dynamics != "synchronous" else "parallel",
        temperature=t,
        sweeps=sweeps,
        record_every=record_every,
        replicas=n_rep,
        init=init if isinstance(init, str) else "given",
    )
    ds = trajectory_dataset(
        model, times, "sweep", energy, counts, rec_states, states, attrs
    )
    ds["initial_state"] = (
        ("replica", "spin"),
        initial,
        _schema.meta("initial_state"),
    )
    ds["sweep"].attrs.update(_schema.meta("sweeps_done"))
    for name, (dims, values, var_attrs) in extra.items():
        ds[name] = (dims, values, var_attrs)
    return ds


def evolve(model, states, rng, t, ends, dynamics, order, record_states, progress):
    """The asynchronous runs of :func:`simulate` on checked inputs, without the
    Dataset: ``states`` (R, N) and ``rng`` (R, 4) advance in place through blocks of
    sweeps at temperature ``t`` ending at the sweep counts ``ends``; returns the
    :class:`~spinmem._engine.Trajectory`."""
    return run_blocks(
        model,
        states,
        rng,
        make_blocks(
            np.full(ends.size, 0.0 if t == 0 else 1.0 / t),  # ignored by "zero"
            np.diff(ends, prepend=0).astype(np.int64),
            np.ones(ends.size, dtype=np.bool_),
        ),
        _updates.rule(dynamics).code,
        ORDER_CODES[order],
        record_states,
        progress=progress,
        desc="simulate",
    )


def relax(
    model: SpinModel,
    states: ArrayLike,
    *,
    order: str = "random",
    max_sweeps: int = 1000,
    seed: SeedLike = None,
    progress: bool = True,
) -> xr.Dataset:
    r"""Zero-temperature asynchronous dynamics from ``states`` to fixed points.

    Each replica runs sweeps of the rule :math:`s_i \leftarrow \mathrm{sign}(h_i)` (kept
    when :math:`h_i = 0`) until no spin can lower the energy; the energy never increases
    on the way.

    Parameters
    ----------
    model : Hopfield or DenseMemory
    states : array_like, shape (N,) or (R, N)
        Starting +-1 states (not modified).
    order : {"random", "sequential"}
    max_sweeps : int
        Give up after this many sweeps (``converged`` is then False), >= 1.
    seed : None, int, SeedSequence or Generator
        Root seed for the random site order (replica r uses child stream r).
    progress : bool
        Show a progress bar of the sweeps (in a terminal or a notebook) when the call
        lasts more than two seconds; never inside a sweep's points.

    Returns
    -------
    xarray.Dataset
        ``state(replica, spin)`` the final states (int8); ``sweeps(replica)`` the
        sweeps taken until no spin could lower the energy; ``converged(replica)``
        whether each replica reached a fixed point within ``max_sweeps``. Attributes
        hold every parameter, the seed entropy and the package version.

    Examples
    --------
    >>> import spinmem
    >>> xi = spinmem.random_patterns(5, 200, seed=0)
    >>> net = spinmem.Hopfield.hebbian(xi)
    >>> out = spinmem.relax(net, spinmem.make_cues(xi[0], 0.1, seed=1), seed=2)
    >>> bool(out.converged.all()), float(net.overlaps(out.state.values)[0, 0])
    (True, 1.0)
    """
    model = check_model(model)
    order = _checks.choice("order", order, ORDERS)
    max_sweeps = _checks.integer(
        "max_sweeps", max_sweeps, minimum=1, maximum=sweep_limit(model)
    )
    s = _checks.spins("states", states, n=model.n_spins)
    if s.ndim == 2 and s.shape[0] == 0:
        raise ValueError(f"states must hold at least one state, got shape {s.shape}")
    s = np.atleast_2d(s).copy()
    root = root_sequence(seed)
    out = relax_states(
        model, s, stream_states(root, s.shape[0]), order, max_sweeps, progress
    )
    attrs = result_attrs(
        model,
        root,
        run=relax,
        dynamics="zero",
        order=order,
        max_sweeps=max_sweeps,
        replicas=s.shape[0],
    )
    return xr.Dataset(
        {
            "state": (
                ("replica", "spin"),
                out.states,
                _schema.meta("final_state"),
            ),
            "sweeps": (
                ("replica",),
                out.sweeps,
                _schema.meta("sweeps_taken"),
            ),
            "converged": (
                ("replica",),
                out.converged,
                _schema.meta(
                    "converged", f"fixed point reached within {max_sweeps} sweeps"
                ),
            ),
        },
        coords={"replica": np.arange(s.shape[0])},
        attrs=attrs,
    )
