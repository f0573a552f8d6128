"""The retrieval weight from the free energies of the branches, against enumeration."""

import itertools

import numpy as np
import pytest

import spinmem
from spinmem import branches

N = 12
BETAS = np.linspace(0.0, 2.0, 21)


@pytest.fixture(scope="module")
def network():
    """A Hebbian network of 12 spins and 3 patterns whose branches partition the states
    (no state has two |m| > 0.5; each pattern is its branch's unique ground state),
    its 4096 states and energies."""
    net = spinmem.Hopfield.hebbian(spinmem.random_patterns(3, N, seed=6))
    states = np.array(list(itertools.product([-1, 1], repeat=N)), dtype=np.int8)
    return net, states, net.energy(states)


@pytest.fixture(scope="module")
def runs(network):
    """Six runs: R = 1000 without a pattern, 200 per pattern, one sweep per step, 40
    steps from the ground states at beta = 20 down to beta = 2."""
    return [
        branches.branch_free_energies(
            network[0],
            BETAS,
            heat_to=0.5,
            replicas=1000,
            retrieval_replicas=200,
            sweeps_per_step=1,
            ground_steps=40,
            seed=s,
            progress=False,
        )
        for s in range(6)
    ]


def _exact(network, beta):
    """Exact ln Z and weight of the states with some |m| > 0.5."""
    net, states, energies = network
    w = -beta * energies
    log_z = w.max() + np.log(np.exp(w - w.max()).sum())
    retrieved = np.abs(net.overlaps(states)).max(1) > 0.5
    return log_z, float(np.exp(w - log_z)[retrieved].sum())


def test_the_branches_give_the_exact_retrieval_weight_and_free_energy(network, runs):
    """At beta = 0.5, 1, 1.5, 2 (retrieval weight 0.301, 0.593, 0.838, 0.951 exactly) the
    six runs' mean retrieval weight and ln Z lie within 4 standard errors (their spread)
    of enumeration; above the heating's end the retrieval columns are NaN."""
    net, states, _ = network
    assert not np.any((np.abs(net.overlaps(states)) > 0.5).sum(1) > 1)
    for k in (5, 10, 15, 20):
        log_z, weight = _exact(network, BETAS[k])
        for name, truth in (("log_z", log_z), ("retrieval", weight)):
            values = np.array([float(r[name][k]) for r in runs])
            stderr = values.std(ddof=1) / np.sqrt(values.size)
            assert abs(values.mean() - truth) < 4 * stderr, (k, name, truth, values)
    first = runs[0]
    assert np.all(np.isnan(first.retrieval[:5])) and np.all(
        np.isfinite(first.retrieval[5:])
    )
    np.testing.assert_allclose(first.ground_energy, net.energy(net.patterns), rtol=1e-12)
    assert np.all(np.isfinite(first.log_z_rest))
    assert first.attrs["threshold"] == 0.5 and first.attrs["retrieval_replicas"] == 200


def test_the_same_seed_gives_the_same_branches(network):
    net = network[0]
    a, b = (
        branches.branch_free_energies(
            net,
            BETAS[:6],
            heat_to=0.3,
            replicas=50,
            retrieval_replicas=20,
            ground_steps=10,
            seed=3,
            progress=False,
        )
        for _ in range(2)
    )
    for name in ("log_z", "retrieval", "log_z_pattern"):
        np.testing.assert_array_equal(a[name], b[name])


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"heat_to": 0.0}, ValueError, "heat_to must be > 0"),
        ({"heat_to": 3.0}, ValueError, "heat_to must be <= 2"),
        ({"ground_beta": 1.0}, ValueError, "ground_beta must be above"),
        ({"ground_steps": 0}, ValueError, "ground_steps"),
        ({"threshold": 1.0}, ValueError, "threshold must be < 1"),
        ({"betas": [0.5, 1.0]}, ValueError, "betas must start at 0"),
    ],
)
def test_bad_settings_are_refused(network, change, error, match):
    args = {"betas": BETAS, "heat_to": 0.5, **change}
    with pytest.raises(error, match=match):
        branches.branch_free_energies(network[0], args.pop("betas"), **args)


def test_models_without_patterns_or_with_fields_are_refused(network):
    net = network[0]
    with pytest.raises(TypeError, match="stored patterns"):
        branches.branch_free_energies(
            spinmem.Hopfield.sherrington_kirkpatrick(N, seed=1), BETAS, heat_to=0.5
        )
    fielded = spinmem.Hopfield.hebbian(net.patterns, fields=np.full(N, 0.1))
    with pytest.raises(ValueError, match="no fields"):
        branches.branch_free_energies(fielded, BETAS, heat_to=0.5)
