r"""The retrieval weight of a Hopfield network from the free energies of its branches
of states (``docs/physics.md`` section 9).

At a first-order-like retrieval transition a population annealed from high temperature
condenses onto the few replicas that entered the retrieval states, and tempering chains
stop crossing between the branches. Here no population crosses: the states with no
pattern retrieved (every :math:`|m_\mu| \le` ``threshold``) are cooled from
:math:`\beta = 0` by population annealing confined to them, and the states of each
pattern :math:`\nu` (:math:`m_\nu >` ``threshold``) are heated from the pattern's
zero-temperature fixed point, confined to them. Without fields the energy is even in
s, so the retrieval weight is

.. math:: W = \frac{\sum_\nu 2 Z_\nu}{Z_0 + \sum_\nu 2 Z_\nu}.
"""

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from . import _checks, _progress
from ._engine import result_attrs
from .dynamics import relax
from .model import Hopfield
from .population import RETRIEVED, Region, _betas, population_anneal
from .seeding import SeedLike, child, root_sequence

__all__ = ["branch_free_energies"]


def branch_free_energies(
    model: Hopfield,
    betas: ArrayLike,
    *,
    heat_to: float,
    threshold: float = RETRIEVED,
    replicas: int = 1000,
    retrieval_replicas: int = 100,
    sweeps_per_step: int = 10,
    ground_beta: float = 20.0,
    ground_steps: int = 150,
    dynamics: str = "metropolis",
    seed: SeedLike = None,
    progress: bool = True,
) -> xr.Dataset:
    r"""Partition functions of the branches of states and the retrieval weight.

    Parameters
    ----------
    model : Hopfield
        With stored patterns and no fields.
    betas : array_like
        Inverse temperatures from 0, increasing (coupling units): the schedule of the
        branch with no pattern retrieved.
    heat_to : float
        The retrieval branches are heated down to the smallest of ``betas`` at or
        above ``heat_to`` (> 0), and are given at those betas (NaN at the others).
    threshold : float
        The overlap that separates the branches, in [0, 1).
    replicas : int
        Population of the branch with no pattern retrieved, >= 2.
    retrieval_replicas : int
        Population of each pattern's branch, >= 2.
    sweeps_per_step : int
        Sweeps after each resampling, >= 1.
    ground_beta : float
        The inverse temperature where the retrieval branches start, above
        ``betas[-1]``: there the population is copies of the pattern's fixed point
        :math:`s^\nu`, with :math:`\ln Z_\nu = -\beta H(s^\nu) + \sum_i \ln(1 +
        e^{-\beta \Delta E_i})` (single flips, :math:`\Delta E_i = 2 s_i h_i`).
    ground_steps : int
        Geometric steps from ``ground_beta`` down to ``betas[-1]``, >= 1.
    dynamics : {"metropolis", "glauber"}
    seed : None, int, SeedSequence or Generator
        Streams: ``child(root, 0)`` the spin-glass branch, ``child(root, 1, nu)`` the
        relaxation of pattern nu, ``child(root, 2, nu)`` its branch.
    progress : bool
        Show a progress bar of the branches when the call lasts more than two seconds.

    Returns
    -------
    xarray.Dataset
        Along ``step`` (one per beta): ``beta``, ``temperature``, ``log_z_rest``
        (:math:`\ln Z_0`), ``log_z_pattern(step, pattern)`` (:math:`\ln Z_\nu`),
        ``log_z_retrieval`` (:math:`\ln \sum_\nu 2 Z_\nu`), ``log_z`` (the sum of
        both), ``retrieval`` (W), ``rejected_rest`` and ``rejected_retrieval`` (the
        fractions of blocks of sweeps rejected for leaving the branch; the largest over
        patterns), ``rho_t_rest`` (the family measure of the branch with no pattern
        retrieved); per pattern ``ground_energy`` (:math:`H(s^\nu)`).
    """
    xi = _patterns(model)
    betas = _betas(betas)
    heat_to = _checks.real("heat_to", heat_to, positive=True, maximum=float(betas[-1]))
    ground_beta = _checks.real("ground_beta", ground_beta, minimum=0.0)
    if ground_beta <= betas[-1]:
        raise ValueError(
            f"ground_beta must be above betas[-1] = {betas[-1]}, got {ground_beta}"
        )
    steps = _checks.integer("ground_steps", ground_steps, minimum=1)
    hot = betas >= heat_to
    heating = np.concatenate(
        [np.geomspace(ground_beta, betas[-1], steps + 1)[:-1], betas[hot][::-1]]
    )
    root = root_sequence(seed)
    options = {"sweeps_per_step": sweeps_per_step, "dynamics": dynamics, "progress": False}
    p = xi.shape[0]
    with _progress.bar(p + 1, "branch", "branch_free_energies", progress) as bar:
        rest = population_anneal(
            model,
            betas,
            replicas=replicas,
            seed=child(root, 0),
            region=Region(threshold=threshold),
            **options,
        )
        bar.update(1)
        runs, grounds = [], []
        for nu in range(p):
            run, energy = _heated(
                model, xi, nu, heating, threshold, retrieval_replicas, root, options
            )
            runs.append(run)
            grounds.append(energy)
            bar.update(1)
    settings = {
        "threshold": threshold,
        "replicas": replicas,
        "retrieval_replicas": retrieval_replicas,
        "sweeps_per_step": sweeps_per_step,
        "dynamics": dynamics,
    }
    return _dataset(model, root, hot, rest, runs, grounds, settings)


def _patterns(model) -> np.ndarray:
    if not isinstance(model, Hopfield) or model.patterns is None:
        raise TypeError("model must be a Hopfield network with stored patterns")
    if np.any(model.fields != 0):
        raise ValueError(
            "model must have no fields: the retrieval weight counts each pattern's "
            "branch twice (m and -m), which needs an energy even in s"
        )
    return model.patterns


def _heated(model, xi, nu, heating, threshold, replicas, root, options):
    """Pattern nu's branch heated from its zero-temperature fixed point along
    ``heating``; the run and the fixed point's energy."""
    region = Region(pattern=nu, threshold=threshold)
    ground = relax(model, xi[nu], seed=child(root, 1, nu)).state.values.reshape(-1)
    if not region.contains(model, ground)[0]:
        raise ValueError(
            f"pattern {nu} relaxes at zero temperature to a state outside its branch "
            f"({region}): its branch cannot be heated from there"
        )
    energy = float(model.energy(ground))
    cost = 2.0 * ground * model.local_fields(ground)
    log_z0 = -heating[0] * energy + float(np.sum(np.log1p(np.exp(-heating[0] * cost))))
    run = population_anneal(
        model,
        heating,
        replicas=replicas,
        seed=child(root, 2, nu),
        region=region,
        init=ground,
        log_z0=log_z0,
        **options,
    )
    return run, energy


def _dataset(model, root, hot, rest, runs, grounds, settings) -> xr.Dataset:
    betas, threshold = rest.beta.values, settings["threshold"]
    size = int(hot.sum())
    per_pattern = np.full((betas.size, len(runs)), np.nan)
    rejected = np.full(betas.size, np.nan)
    per_pattern[hot] = np.array([r.log_z.values[::-1][:size] for r in runs]).T
    rejected[hot] = np.max([r.rejected.values[::-1][:size] for r in runs], axis=0)
    log_rest = rest.log_z.values
    log_ret, log_z, weight = (np.full(betas.size, np.nan) for _ in range(3))
    log_ret[hot] = np.log(2.0) + np.logaddexp.reduce(per_pattern[hot], axis=1)
    log_z[hot] = np.logaddexp(log_rest[hot], log_ret[hot])
    weight[hot] = 1.0 / (1.0 + np.exp(log_rest[hot] - log_ret[hot]))
    data = {
        "beta": (betas, "inverse temperature beta"),
        "temperature": (rest.temperature.values, "temperature T"),
        "log_z_rest": (log_rest, f"ln Z of the states with every |m| <= {threshold:g}"),
        "log_z_retrieval": (log_ret, "ln sum_nu 2 Z_nu, the retrieval branches"),
        "log_z": (log_z, "ln Z, both kinds of branch"),
        "retrieval": (
            weight,
            f"retrieval weight (some |m| > {threshold:g}) from the branches",
        ),
        "rejected_rest": (rest.rejected.values, "rejected blocks, no pattern retrieved"),
        "rejected_retrieval": (rejected, "rejected blocks, largest over the patterns"),
        "rho_t_rest": (rest.rho_t.values, "family measure rho_t, no pattern retrieved"),
    }
    out = xr.Dataset(
        {
            name: ("step", values, {"long_name": label, "units": "1"})
            for name, (values, label) in data.items()
        },
        coords={"step": np.arange(betas.size)},
    )
    out["log_z_pattern"] = (
        ("step", "pattern"),
        per_pattern,
        {"long_name": f"ln Z_nu of the states with m_nu > {threshold:g}", "units": "1"},
    )
    out["ground_energy"] = (
        "pattern",
        np.array(grounds),
        {
            "long_name": "energy H of the pattern's zero-temperature fixed point",
            "units": "1",
        },
    )
    out.attrs = result_attrs(model, root, run=branch_free_energies, **settings)
    return out
