"""The dimod sampler against dimod's own sampler tests and exact enumeration."""

import unittest

import numpy as np
import pytest

dimod = pytest.importorskip("dimod")
from dimod.testing import (  # noqa: E402
    assert_sampler_api,
    assert_sampleset_energies,
    load_sampler_bqm_tests,
)

from spinmem.interop import (  # noqa: E402
    ParallelTemperingSampler,
    SimulatedAnnealingSampler,
)


@load_sampler_bqm_tests(SimulatedAnnealingSampler)
class TestDimodSamplerSuite(unittest.TestCase):
    """dimod's own sampler tests: empty, 1-, 2- and 3-variable BQMs of every BQM class,
    SPIN and BINARY, with tuple and string labels and offsets; the energies of every
    sample agree with the BQM's."""


@load_sampler_bqm_tests(ParallelTemperingSampler)
class TestDimodSamplerSuiteTempering(unittest.TestCase):
    """The same suite for the parallel-tempering sampler."""


def test_the_samplers_have_dimods_api():
    assert_sampler_api(SimulatedAnnealingSampler())
    assert_sampler_api(ParallelTemperingSampler())


def test_tempering_samples_the_boltzmann_distribution_of_a_small_problem():
    """A 5-spin BINARY problem with labels and an offset, at t_min = 1: the coldest
    replicas of 400 ladders (500 sweeps each, far beyond mixing for 32 states) sample
    exp(-E/T). The mean energy agrees with the exact Boltzmann mean (all 2^5 states)
    within 4 standard errors of 400 independent samples, and every sample's energy is
    the BQM's own."""
    bqm = dimod.BinaryQuadraticModel(
        {"x": 1.0, "y": -2.0, "z": 0.5, "w": -0.25, "v": 0.75},
        {("x", "y"): 1.5, ("y", "z"): -1.0, ("z", "w"): 2.0, ("w", "v"): -1.25},
        3.25,
        "BINARY",
    )
    samples = ParallelTemperingSampler().sample(
        bqm, num_reads=400, num_sweeps=500, num_temperatures=4, t_min=1.0, t_max=4.0, seed=7
    )
    assert samples.vartype is dimod.BINARY and set(samples.variables) == set(bqm.variables)
    assert_sampleset_energies(samples, bqm)
    exact = dimod.ExactSolver().sample(bqm).record.energy
    weights = np.exp(-(exact - exact.min()))
    mean = float((weights * exact).sum() / weights.sum())
    sd = float(np.sqrt((weights * (exact - mean) ** 2).sum() / weights.sum()))
    energies = np.repeat(samples.record.energy, samples.record.num_occurrences)
    assert abs(energies.mean() - mean) < 4 * sd / np.sqrt(energies.size)


def test_a_labelled_binary_problem_with_an_offset_comes_back_as_it_went():
    """String labels, the BINARY vartype and the offset survive; the lowest energy of
    the reads is the exact ground energy (all 2^5 states enumerated)."""
    bqm = dimod.BinaryQuadraticModel(
        {"x": 1.0, "y": -2.0, "z": 0.5, "w": -0.25, "v": 0.75},
        {("x", "y"): 1.5, ("y", "z"): -1.0, ("z", "w"): 2.0, ("w", "v"): -1.25},
        3.25,
        "BINARY",
    )
    samples = SimulatedAnnealingSampler().sample(bqm, num_reads=8, seed=1)
    assert set(samples.variables) == set(bqm.variables)
    assert samples.vartype is dimod.BINARY
    assert set(np.unique(samples.record.sample)) <= {0, 1}
    assert_sampleset_energies(samples, bqm)
    assert samples.first.energy == pytest.approx(
        dimod.ExactSolver().sample(bqm).first.energy, abs=1e-12
    )


def test_the_reads_reach_the_ground_state_of_a_spin_glass_and_repeat_with_a_seed():
    """A 14-spin Gaussian spin glass (16,384 states enumerated): the best of 20 reads
    of 1000 sweeps is the ground state; the same seed gives the same samples."""
    rng = np.random.default_rng(5)
    n = 14
    J = {(i, j): rng.normal() for i in range(n) for j in range(i + 1, n)}
    bqm = dimod.BinaryQuadraticModel.from_ising(
        {i: rng.normal(0, 0.3) for i in range(n)}, J
    )
    sampler = SimulatedAnnealingSampler()
    a = sampler.sample(bqm, num_reads=20, seed=3)
    b = sampler.sample(bqm, num_reads=20, seed=3)
    np.testing.assert_array_equal(a.record.sample, b.record.sample)
    ground = dimod.ExactSolver().sample(bqm).first.energy
    assert a.first.energy == pytest.approx(ground, abs=1e-9)


def test_bad_sampler_parameters_are_named():
    bqm = dimod.BinaryQuadraticModel.from_ising({0: 1.0, 1: 0.0}, {(0, 1): 1.0})
    sampler = SimulatedAnnealingSampler()
    with pytest.raises(ValueError, match="num_reads"):
        sampler.sample(bqm, num_reads=0)
    with pytest.raises(ValueError, match="t_end must be at most t_start"):
        sampler.sample(bqm, t_start=0.1, t_end=1.0)
    with pytest.warns(UserWarning, match="unknown"):  # dimod's warning
        sampler.sample(bqm, num_reads=1, num_sweeps=2, nonsense=3)
    tempering = ParallelTemperingSampler()
    with pytest.raises(ValueError, match="num_temperatures"):
        tempering.sample(bqm, num_temperatures=1)
    with pytest.raises(ValueError, match="t_min must be at most t_max"):
        tempering.sample(bqm, t_min=2.0, t_max=1.0)
