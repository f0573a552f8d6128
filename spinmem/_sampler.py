"""A dimod sampler that anneals with spinmem (:class:`SimulatedAnnealingSampler`).

This module imports dimod; :mod:`spinmem.interop` loads it on first use of the sampler.
"""

import dimod
import numpy as np
import scipy.sparse

from . import _checks, schedules
from .annealing import anneal
from .model import Hopfield


class SimulatedAnnealingSampler(dimod.Sampler):
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

    @property
    def parameters(self) -> dict:
        """The keyword arguments of
        :meth:`~spinmem.interop.SimulatedAnnealingSampler.sample` (dimod's
        ``Sampler.parameters``)."""
        return {
            name: [] for name in ("num_reads", "num_sweeps", "t_start", "t_end", "seed")
        }

    @property
    def properties(self) -> dict:
        """dimod's ``Sampler.properties``: the units of the energies."""
        return {"energy_units": "those of the BQM"}

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
        labels = list(bqm.variables)
        spin = bqm.change_vartype(dimod.SPIN, inplace=False)
        if len(labels) < 2:
            states = _exact(spin, labels, reads)
        else:
            model = Hopfield.from_bqm(spin)
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
            states = ds.state.values
        if bqm.vartype is dimod.BINARY:
            states = (states + 1) // 2
        return dimod.SampleSet.from_samples_bqm((states, labels), bqm)


def _exact(spin, labels, reads: int) -> np.ndarray:
    """The lowest-energy state of a SPIN BQM of 0 or 1 variables, ``reads`` times."""
    n = len(labels)
    states = np.array([[-1], [1]], dtype=np.int8) if n else np.zeros((1, 0), np.int8)
    best = states[np.argmin(spin.energies((states, labels)))]
    return np.repeat(best[None, :], reads, axis=0)


def _temperatures(model: Hopfield, t_start, t_end) -> tuple[float, float]:
    """The schedule's ends: given, or from the model's couplings and fields."""
    J = model.couplings
    coefficients = np.abs(J.data if scipy.sparse.issparse(J) else J[J != 0])
    largest = float((np.asarray(abs(J).sum(axis=1)).ravel() + abs(model.fields)).max())
    nonzero = np.concatenate([coefficients, np.abs(model.fields)])
    nonzero = nonzero[nonzero > 0]
    smallest = float(nonzero.min()) if nonzero.size else 1.0
    hot = 2.0 * largest if t_start is None else t_start
    cold = smallest / 10.0 if t_end is None else t_end
    hot = _checks.temperature("t_start", hot if hot > 0 else 1.0)
    cold = _checks.temperature("t_end", cold)
    if cold > hot:
        raise ValueError(f"t_end must be at most t_start, got {cold} > {hot}")
    return hot, cold
