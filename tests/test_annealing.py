"""Simulated annealing and schedules."""

import numpy as np
import pytest
from helpers import all_states, sk_couplings

import spinmem
from spinmem import schedules


def test_schedules_have_their_shapes():
    g = schedules.geometric(2.0, 0.02, 5)
    np.testing.assert_allclose(g, [2.0, 2.0 * 0.1**0.5, 0.2, 0.2 * 0.1**0.5, 0.02])
    np.testing.assert_allclose(
        schedules.linear_temperature(1.0, 0.2, 5), [1.0, 0.8, 0.6, 0.4, 0.2]
    )
    np.testing.assert_allclose(1 / schedules.linear_beta(1.0, 0.25, 4), [1, 2, 3, 4])
    assert schedules.geometric(1.0, 0.5, 1).tolist() == [0.5]
    np.testing.assert_array_equal(schedules.check([1.0, 1.0, 0.5]), [1.0, 1.0, 0.5])


def _ground_energy(net):
    return float(net.energy(all_states(net.n_spins)).min())


@pytest.mark.parametrize("instance", range(3))
def test_annealing_reaches_exact_ground_state(instance):
    """N = 16 SK instances with fields: ground state by enumerating all 2**16 states."""
    n = 16
    rng = np.random.default_rng(100 + instance)
    net = spinmem.Hopfield(sk_couplings(n, 200 + instance), fields=rng.normal(0, 0.2, n))
    ground = _ground_energy(net)
    ds = spinmem.anneal(
        net,
        schedules.geometric(3.0, 0.05, 200),
        sweeps_per_step=10,
        replicas=32,
        seed=instance,
    )
    hit = np.isclose(ds.best_energy.values, ground, atol=1e-9)
    assert hit.mean() >= 0.75, (hit.mean(), ground)
    np.testing.assert_allclose(
        net.energy(ds.best_state.values), ds.best_energy.values, atol=1e-9
    )
    assert np.all(ds.best_energy.values >= ground - 1e-9)
    assert np.all(ds.best_energy <= ds.energy.isel(step=-1) + 1e-12)


def test_annealing_on_hebbian_couplings_finds_the_stored_minima():
    """p = 3, N = 400: every replica ends next to a stored pattern or its negation (the
    global minima at low load) and at least as low as that pattern, whose energy per spin
    is -1/2 (1 + sum of its squared cross-overlaps) + alpha/2; at finite N a few flips
    can lower it further."""
    xi = spinmem.random_patterns(3, 400, seed=4)
    net = spinmem.Hopfield.hebbian(xi)
    ds = spinmem.anneal(
        net, schedules.linear_beta(2.0, 0.05, 60), sweeps_per_step=5, replicas=8, seed=5
    )
    m = np.abs(ds.overlap.isel(step=-1))
    assert np.all(m.max("pattern") >= 0.98)
    cross = net.overlaps(xi)
    pattern_energy = -0.5 * np.sum(cross**2, axis=1) + 3 / 400 / 2
    np.testing.assert_allclose(net.energy(xi) / 400, pattern_energy, atol=1e-12)
    nearest = m.argmax("pattern").values
    assert np.all(ds.best_energy.values / 400 <= pattern_energy[nearest] + 1e-12)


def test_slower_schedules_reach_lower_energies():
    """SK, N = 200, 32 replicas: 10 steps vs 1000 steps of the same geometric schedule.

    The mean final energy must drop by more than 5 standard errors of the difference."""
    net = spinmem.Hopfield(sk_couplings(200, 9))
    final = {}
    for steps in (10, 1000):
        ds = spinmem.anneal(
            net,
            schedules.geometric(2.0, 0.05, steps),
            replicas=32,
            seed=7,
            record_every=steps,
        )
        final[steps] = ds.energy.isel(step=-1).values
    diff = final[10].mean() - final[1000].mean()
    se = np.sqrt(final[10].var(ddof=1) / 32 + final[1000].var(ddof=1) / 32)
    assert diff > 5 * se, (diff, se)


def test_anneal_dataset_layout_and_reproducibility():
    xi = spinmem.random_patterns(2, 50, seed=0)
    net = spinmem.Hopfield.hebbian(xi)
    temps = schedules.geometric(1.0, 0.1, 7)
    ds = spinmem.anneal(net, temps, sweeps_per_step=3, replicas=2, seed=1, record_every=2)
    assert ds.step.values.tolist() == [2, 4, 6, 7]
    np.testing.assert_allclose(ds.temperature.values, temps[[1, 3, 5, 6]])
    assert ds.sweep.values.tolist() == [6, 12, 18, 21]
    np.testing.assert_allclose(
        ds.energy.isel(step=-1), net.energy(ds.state.values), atol=1e-12
    )
    again = spinmem.anneal(
        net, temps, sweeps_per_step=3, replicas=2, seed=1, record_every=2
    )
    assert ds.identical(again)


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ([1.0, 2.0], "schedule must be non-increasing, but rises from 1.0 to 2.0"),
        ([1.0, 0.0], "schedule temperatures must be > 0, got 0.0 at step 1"),
        ([1.0, -0.5], "schedule temperatures must be > 0"),
        ([1.0, np.nan], "schedule temperatures must be finite"),
        ([], "schedule must be a non-empty 1-D array"),
        ([[1.0]], "schedule must be a non-empty 1-D array"),
    ],
)
def test_bad_schedules_are_rejected(schedule, message):
    net = spinmem.Hopfield(sk_couplings(5, 0))
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        spinmem.anneal(net, schedule)


def test_bad_schedule_constructors_and_anneal_arguments():
    with pytest.raises(ValueError, match="t_end must be <= t_start"):
        schedules.geometric(0.1, 1.0, 5)
    with pytest.raises(ValueError, match="t_end must be > 0"):
        schedules.linear_beta(1.0, 0.0, 5)
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        schedules.linear_temperature(1.0, 0.5, 0)
    net = spinmem.Hopfield(sk_couplings(5, 0))
    with pytest.raises(ValueError, match="sweeps_per_step must be an integer >= 1"):
        spinmem.anneal(net, [1.0], sweeps_per_step=0)
    with pytest.raises(ValueError, match="dynamics must be one of 'glauber', 'metropolis'"):
        spinmem.anneal(net, [1.0], dynamics="zero")
