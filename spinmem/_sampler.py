"""dimod samplers running spinmem: :class:`SimulatedAnnealingSampler` and
:class:`ParallelTemperingSampler`.

This module imports dimod; :mod:`spinmem.interop` loads it on first use of a sampler.
"""

import dimod
import numpy as np
import scipy.sparse

from . import _checks, schedules
from .annealing import anneal
from .model import Hopfield
from .tempering import temper


class _Sampler(dimod.Sampler):
    """What spinmem's dimod samplers share: dimod's ``parameters`` (the keyword
    arguments of ``sample``, named in ``_PARAMETERS``) and ``properties``."""

    _PARAMETERS: tuple[str, ...] = ()

    @property
    def parameters(self) -> dict:
        """The keyword arguments of ``sample`` (dimod's ``Sampler.parameters``)."""
        return {name: [] for name in self._PARAMETERS}

    @property
    def properties(self) -> dict:
        """dimod's ``Sampler.properties``: the units of the energies."""
        return {"energy_units": "those of the BQM"}


class SimulatedAnnealingSampler(_Sampler):
    """Simulated annealing of any binary quadratic model with :func:`spinmem.anneal`.

    Each read is one replica annealed from a uniformly random state, one Metropolis
    sweep per temperature of a geometric schedule from ``t_start`` to ``t_end`` (in
    the BQM's energy units); the sample is its final state. The sample set keeps the
    BQM's variable labels and vartype, and its energies are the BQM's own (offset
    included). Problems of fewer than two variables are solved exactly.

    Examples
    --------
    >>> import dimod
    >>> from spinmem.interop import SimulatedAnnealingSampler
    >>> bqm = dimod.BinaryQuadraticModel({"a": 1.0}, {("a", "b"): -2.0}, 0.5, "SPIN")
    >>> best = SimulatedAnnealingSampler().sample(bqm, num_reads=4, seed=1).first
    >>> {v: int(s) for v, s in best.sample.items()}, float(best.energy)
    ({'a': -1, 'b': -1}, -2.5)
    """

    _PARAMETERS = ("num_reads", "num_sweeps", "t_start", "t_end", "seed")

    def sample(
        self,
        bqm,
        *,
        num_reads: int = 10,
        num_sweeps: int = 1000,
        t_start: float | None = None,
        t_end: float | None = None,
        seed=None,
        **parameters,
    ) -> dimod.SampleSet:
        """Anneal ``num_reads`` replicas of ``bqm`` (a dimod ``BinaryQuadraticModel``).

        Parameters
        ----------
        bqm : dimod.BinaryQuadraticModel
            SPIN or BINARY, any variable labels.
        num_reads : int
            Independent reads (replicas), >= 1.
        num_sweeps : int
            Sweeps (temperatures of the schedule), >= 1.
        t_start, t_end : float, optional
            Highest and lowest temperature, in the energy units of the SPIN form of
            ``bqm``. Defaults: twice the largest possible local field, so that almost
            every flip is accepted at first, and a tenth of the smallest nonzero
            coefficient, where a flip that costs it is accepted with probability
            ``exp(-20)``.
        seed : None, int or numpy.random.SeedSequence
            Seed of the random streams; the same seed gives the same samples.
        **parameters
            Keyword arguments of other samplers: ignored with a warning, as dimod's
            ``Sampler.remove_unknown_kwargs`` does.

        Returns
        -------
        dimod.SampleSet
            ``num_reads`` samples in ``bqm``'s labels and vartype, with their energies.
        """
        parameters = self.remove_unknown_kwargs(**parameters)
        reads = _checks.integer("num_reads", num_reads, minimum=1)
        sweeps = _checks.integer("num_sweeps", num_sweeps, minimum=1)

        def run(model: Hopfield) -> np.ndarray:
            hot, cold = _temperatures(model, t_start, t_end)
            ds = anneal(
                model,
                schedules.geometric(hot, cold, sweeps),
                dynamics="metropolis",
                replicas=reads,
                seed=seed,
                record_every=sweeps,
                progress=False,
            )
            return ds.state.values

        return _sample(bqm, reads, run)


class ParallelTemperingSampler(_Sampler):
    """Parallel tempering of any binary quadratic model with :func:`spinmem.temper`.

    Each read is one independent ladder (chain) of ``num_temperatures`` replicas on a
    geometric ladder from ``t_min`` to ``t_max`` (in the BQM's energy units),
    Metropolis sweeps with an exchange round after each; the sample is the state at the
    coldest temperature after ``num_sweeps`` sweeps, a sample of the Boltzmann
    distribution at ``t_min`` once the ladder has mixed (check it with
    :func:`spinmem.temper` and :func:`spinmem.stats.mixed` on the model of
    :func:`spinmem.interop.from_bqm`). Labels, vartype and offset are kept as by
    :class:`SimulatedAnnealingSampler`; problems of fewer than two variables are
    solved exactly.

    Examples
    --------
    >>> import dimod
    >>> from spinmem.interop import ParallelTemperingSampler
    >>> bqm = dimod.BinaryQuadraticModel({"a": 1.0}, {("a", "b"): -2.0}, 0.5, "SPIN")
    >>> best = ParallelTemperingSampler().sample(bqm, num_reads=4, seed=1).first
    >>> {v: int(s) for v, s in best.sample.items()}, float(best.energy)
    ({'a': -1, 'b': -1}, -2.5)
    """

    _PARAMETERS = ("num_reads", "num_sweeps", "num_temperatures", "t_min", "t_max", "seed")

    def sample(
        self,
        bqm,
        *,
        num_reads: int = 10,
        num_sweeps: int = 1000,
        num_temperatures: int = 16,
        t_min: float | None = None,
        t_max: float | None = None,
        seed=None,
        **parameters,
    ) -> dimod.SampleSet:
        """Run ``num_reads`` independent ladders on ``bqm``.

        Parameters
        ----------
        bqm : dimod.BinaryQuadraticModel
            SPIN or BINARY, any variable labels.
        num_reads : int
            Independent ladders, >= 1.
        num_sweeps : int
            Sweeps of every replica, >= 1.
        num_temperatures : int
            Temperatures of the ladder, >= 2.
        t_min, t_max : float, optional
            Coldest and hottest temperature, in the energy units of the SPIN form of
            ``bqm``; defaults as ``t_end`` and ``t_start`` of
            :meth:`SimulatedAnnealingSampler.sample`.
        seed : None, int or numpy.random.SeedSequence
            Seed of the random streams; the same seed gives the same samples.
        **parameters
            Keyword arguments of other samplers: ignored with a warning, as dimod's
            ``Sampler.remove_unknown_kwargs`` does.

        Returns
        -------
        dimod.SampleSet
            ``num_reads`` samples (the coldest replica of each ladder) in ``bqm``'s
            labels and vartype, with their energies.
        """
        parameters = self.remove_unknown_kwargs(**parameters)
        reads = _checks.integer("num_reads", num_reads, minimum=1)
        sweeps = _checks.integer("num_sweeps", num_sweeps, minimum=1)
        size = _checks.integer("num_temperatures", num_temperatures, minimum=2)

        def run(model: Hopfield) -> np.ndarray:
            hot, cold = _temperatures(model, t_max, t_min, names=("t_max", "t_min"))
            ladder = schedules.geometric(hot, cold, size)[::-1].copy()
            ds = temper(
                model, ladder, sweeps=sweeps, chains=reads, seed=seed, progress=False
            )
            return ds.state.isel(temperature=0).values

        return _sample(bqm, reads, run)


def _sample(bqm, reads: int, run) -> dimod.SampleSet:
    """The sample set of ``reads`` states of ``bqm``: ``run(model)`` on its SPIN model,
    or the exact ground state of a BQM of fewer than two variables."""
    labels = list(bqm.variables)
    spin = bqm.change_vartype(dimod.SPIN, inplace=False)
    if len(labels) < 2:
        states = _exact(spin, labels, reads)
    else:
        states = run(Hopfield.from_bqm(spin))
    if bqm.vartype is dimod.BINARY:
        states = (states + 1) // 2
    return dimod.SampleSet.from_samples_bqm((states, labels), bqm)


def _exact(spin, labels, reads: int) -> np.ndarray:
    """The lowest-energy state of a SPIN BQM of 0 or 1 variables, ``reads`` times."""
    n = len(labels)
    states = np.array([[-1], [1]], dtype=np.int8) if n else np.zeros((1, 0), np.int8)
    best = states[np.argmin(spin.energies((states, labels)))]
    return np.repeat(best[None, :], reads, axis=0)


def _temperatures(
    model: Hopfield, t_start, t_end, names=("t_start", "t_end")
) -> tuple[float, float]:
    """The schedule's ends: given, or from the model's couplings and fields."""
    J = model.couplings
    coefficients = np.abs(J.data if scipy.sparse.issparse(J) else J[J != 0])
    largest = float((np.asarray(abs(J).sum(axis=1)).ravel() + abs(model.fields)).max())
    nonzero = np.concatenate([coefficients, np.abs(model.fields)])
    nonzero = nonzero[nonzero > 0]
    smallest = float(nonzero.min()) if nonzero.size else 1.0
    hot = 2.0 * largest if t_start is None else t_start
    cold = smallest / 10.0 if t_end is None else t_end
    hot = _checks.temperature(names[0], hot if hot > 0 else 1.0)
    cold = _checks.temperature(names[1], cold)
    if cold > hot:
        raise ValueError(f"{names[1]} must be at most {names[0]}, got {cold} > {hot}")
    return hot, cold
