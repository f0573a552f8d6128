"""Population annealing against exact enumeration."""

import itertools

import numpy as np
import pytest

import spinmem
from spinmem import population

N = 12


@pytest.fixture(scope="module")
def exact():
    """An SK instance of 12 spins and its exact ln Z(beta) and <H>_beta (all 4096
    states enumerated)."""
    net = spinmem.Hopfield.sherrington_kirkpatrick(N, seed=3)
    states = np.array(list(itertools.product([-1, 1], repeat=N)), dtype=np.int8)
    energies = net.energy(states)

    def at(beta):
        w = -beta * energies
        log_z = w.max() + np.log(np.exp(w - w.max()).sum())
        return log_z, float((np.exp(w - log_z) * energies).sum())

    return net, at


def test_free_energy_and_energy_agree_with_exact_enumeration(exact):
    """Six independent runs (R = 1000, 41 betas up to 2, 5 sweeps per step): their mean
    ln Z and mean energy at beta = 1 and 2 lie within 4 standard errors of the exact
    values, the standard error from the spread of the six runs (they are independent;
    within a run the replicas are not)."""
    net, at = exact
    betas = np.linspace(0.0, 2.0, 41)
    runs = [
        population.population_anneal(
            net, betas, replicas=1000, sweeps_per_step=5, seed=s, progress=False
        )
        for s in range(6)
    ]
    for k in (20, 40):
        log_z, energy = at(betas[k])
        for name, truth in (("log_z", log_z), ("energy", energy)):
            values = np.array([float(r[name][k]) for r in runs])
            stderr = values.std(ddof=1) / np.sqrt(values.size)
            assert abs(values.mean() - truth) < 4 * stderr + 1e-12, (name, k, values, truth)
    first = runs[0]
    assert float(first.log_z[0]) == pytest.approx(N * np.log(2.0))
    assert np.isnan(float(first.free_energy[0])) and np.isinf(float(first.temperature[0]))
    np.testing.assert_allclose(
        first.free_energy[1:], -first.log_z[1:] / first.beta[1:], rtol=1e-15
    )
    assert np.all(np.abs(first.population - 1000) < 150)
    assert first.families.values[0] == 1000 and np.all(np.diff(first.families) <= 0)
    assert first.rho_t.values[0] == pytest.approx(1.0) and np.all(first.rho_t >= 1.0)
    np.testing.assert_allclose(first.final_energy, net.energy(first.state.values))


def test_the_same_seed_gives_the_same_run(exact):
    net, _ = exact
    betas = np.linspace(0.0, 1.0, 6)
    a, b, c = (
        population.population_anneal(net, betas, replicas=50, seed=s, progress=False)
        for s in (1, 1, 2)
    )
    np.testing.assert_array_equal(a.state, b.state)
    np.testing.assert_array_equal(a.log_z, b.log_z)
    assert not np.array_equal(a.log_z, c.log_z)


def test_resampling_keeps_the_expected_copy_numbers():
    """Nearest-integer resampling: the mean number of copies of each replica over
    20,000 draws is R w / sum w within 5 standard errors (Bernoulli fractional parts)."""
    weights = np.array([0.1, 1.0, 2.5, 0.4, 3.0])
    target = 7
    rng = np.random.default_rng(0)
    draws = np.array([population._copies(weights, target, rng) for _ in range(20_000)])
    mean = target * weights / weights.sum()
    frac = mean - np.floor(mean)
    stderr = np.sqrt(frac * (1 - frac) / len(draws))
    assert np.all(np.abs(draws.mean(axis=0) - mean) < 5 * stderr + 1e-12)
    assert np.all((draws == np.floor(mean)) | (draws == np.floor(mean) + 1))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"betas": [0.1, 0.5]}, "betas must start at 0"),
        ({"betas": [0.0, 0.5, 0.5]}, "increase"),
        ({"betas": [0.0]}, ">= 2 values"),
        ({"replicas": 1}, "replicas"),
        ({"sweeps_per_step": 0}, "sweeps_per_step"),
        ({"dynamics": "zero"}, "dynamics"),
    ],
)
def test_bad_input_is_refused(exact, kwargs, match):
    net, _ = exact
    args = {"betas": [0.0, 0.5], **kwargs}
    with pytest.raises(ValueError, match=match):
        population.population_anneal(net, args.pop("betas"), progress=False, **args)
