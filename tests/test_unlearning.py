"""Hopfield-Feinstein-Palmer unlearning."""

import numpy as np
import pytest

import spinmem


@pytest.fixture(scope="module")
def dreaming():
    """N = 200, alpha = 0.3, epsilon = 0.01, 9000 dreams (t = epsilon D / N = 0.45)."""
    n = 200
    xi = spinmem.random_patterns(60, n, seed=1)
    net = spinmem.Hopfield.hebbian(xi)
    new, trace = spinmem.unlearn(
        net, dreams=9000, epsilon=0.01, seed=2, record_every=300, probes=20
    )
    return net, new, trace


def test_unlearning_rises_then_falls(dreaming):
    """Observed with these seeds: no pattern stable at t = 0, all stable from t ~ 0.13
    to t ~ 0.33, none again at t = 0.45 (docs/physics.md section 4: stable around 0.1-0.15,
    lost again near t ~ alpha = 0.3)."""
    _, _, trace = dreaming
    stable = trace.stable_fraction.values
    t = trace.t.values
    assert stable[0] == 0.0
    assert stable.max() == 1.0
    first_all = t[np.argmax(stable == 1.0)]
    last_all = t[len(stable) - 1 - np.argmax(stable[::-1] == 1.0)]
    assert 0.08 <= first_all <= 0.18, first_all
    assert 0.25 <= last_all <= 0.4, last_all
    assert stable[-1] < 0.1
    # retrieval from cues at m0 = 0.8 follows the same rise and fall
    recall = trace.retrieval_overlap.values
    assert recall[0] < 0.5 and recall[stable == 1.0].min() > 0.95 and recall[-1] < 0.5
    # the minimum stability is positive exactly when every pattern is a fixed point
    np.testing.assert_array_equal(trace.min_stability.values > 0, stable == 1.0)
    assert trace.unconverged_dreams.values[-1] == 0


def test_unlearned_couplings_follow_the_rule(dreaming):
    """J_final = J_hebb - (epsilon/N) sum_d s*_d s*_d^T: the change has zero diagonal,
    is symmetric, and its entries are multiples of epsilon/N bounded by D epsilon/N."""
    net, new, _ = dreaming
    delta = (new.couplings - net.couplings) / (0.01 / 200)
    assert np.all(np.diag(delta) == 0)
    np.testing.assert_array_equal(delta, delta.T)
    np.testing.assert_allclose(delta, np.rint(delta), atol=1e-6)
    assert np.abs(delta).max() <= 9000
    # every dream's fixed point has s_i^2 = 1, so off-diagonal entries have D's parity
    assert np.all((np.rint(delta[~np.eye(200, dtype=bool)]) % 2) == 0)


def test_unlearning_is_reproducible_and_zero_dreams_change_nothing():
    xi = spinmem.random_patterns(10, 60, seed=3)
    net = spinmem.Hopfield.hebbian(xi)
    a_net, a = spinmem.unlearn(net, dreams=50, epsilon=0.02, seed=4, probes=5)
    b_net, b = spinmem.unlearn(net, dreams=50, epsilon=0.02, seed=4, probes=5)
    assert a.identical(b)
    np.testing.assert_array_equal(a_net.couplings, b_net.couplings)
    same, trace = spinmem.unlearn(net, dreams=0, epsilon=0.02, seed=4, probes=5)
    np.testing.assert_array_equal(same.couplings, net.couplings)
    assert trace.dream.values.tolist() == [0]


def test_measuring_stability_only_leaves_the_dreams_and_stabilities_unchanged():
    """measure="stability" skips the relaxations of the records but not the dreams:
    the same couplings and the same stable fraction and minimum stability at every
    record as the full measurement, and NaN for the relaxation measures."""
    xi = spinmem.random_patterns(12, 60, seed=3)
    net = spinmem.Hopfield.hebbian(xi)
    full_net, full = spinmem.unlearn(net, dreams=300, epsilon=0.02, seed=4, probes=5)
    fast_net, fast = spinmem.unlearn(
        net, dreams=300, epsilon=0.02, seed=4, probes=5, measure="stability"
    )
    np.testing.assert_array_equal(fast_net.couplings, full_net.couplings)
    for name in ("stable_fraction", "min_stability", "unconverged_dreams"):
        np.testing.assert_array_equal(fast[name], full[name])
    assert np.all(np.isnan(fast.retrieval_overlap)) and np.all(
        np.isnan(fast.spurious_fraction)
    )
    assert fast.attrs["measure"] == "stability" and full.attrs["measure"] == "all"
    assert full.stable_fraction.values[-1] > full.stable_fraction.values[0]


def test_finite_temperature_dreams_are_a_variant():
    xi = spinmem.random_patterns(10, 60, seed=3)
    net = spinmem.Hopfield.hebbian(xi)
    _, zero = spinmem.unlearn(net, dreams=40, epsilon=0.02, seed=4, probes=5)
    _, warm = spinmem.unlearn(
        net,
        dreams=40,
        epsilon=0.02,
        seed=4,
        probes=5,
        dream_temperature=0.5,
        dream_sweeps=5,
    )
    assert warm.attrs["dream_temperature"] == 0.5 and warm.attrs["dream_sweeps"] == 5
    assert zero.attrs["dream_sweeps"] == 0
    assert not np.array_equal(zero.min_stability, warm.min_stability)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"epsilon": 0.0}, ValueError, "epsilon must be > 0"),
        ({"epsilon": -0.1}, ValueError, "epsilon must be > 0"),
        ({"dreams": -1}, ValueError, "dreams must be an integer >= 0"),
        ({"dreams": 1.5}, TypeError, "dreams must be an integer"),
        ({"dream_temperature": -1.0}, ValueError, "dream_temperature must be >= 0"),
        ({"record_every": 0}, ValueError, "record_every must be an integer >= 1"),
        ({"probes": 0}, ValueError, "probes must be an integer >= 1"),
        ({"cue_overlap": 1.5}, ValueError, "cue_overlap must be <= 1.0"),
        ({"measure": "overlaps"}, ValueError, "measure must be one of"),
    ],
)
def test_unlearning_validation(kwargs, error, message):
    net = spinmem.Hopfield.hebbian(spinmem.random_patterns(3, 20, seed=0))
    args = {"dreams": 10, "epsilon": 0.01}
    args.update(kwargs)
    with pytest.raises(error, match=message):
        spinmem.unlearn(net, **args)


def test_unlearning_that_overflows_the_couplings_names_epsilon():
    """epsilon = 1e308 at N = 20: after a few dreams the row sums of |J| exceed
    DBL_MAX / N; the error says which dreams and which epsilon did it."""
    net = spinmem.Hopfield.hebbian(spinmem.random_patterns(3, 20, seed=0))
    with pytest.raises(ValueError, match=r"dreams of epsilon = 1e\+308 .*smaller epsilon"):
        spinmem.unlearn(net, dreams=10, epsilon=1e308, seed=1, progress=False)


def test_the_milestones_are_where_the_couplings_say():
    """D_in, D_top and D_fin of a trace recorded after every dream, against a direct
    computation: the couplings after D dreams (the same seed replays the same first D
    dreams) have every pattern a fixed point at D_in and not at D_in - 1, their smallest
    stability is the trace's largest at D_top, and some pattern is unstable again at
    D_fin and not at D_fin - 1. N = 40, alpha = 0.3, epsilon = 0.02."""
    xi = spinmem.random_patterns(12, 40, seed=5)
    net = spinmem.Hopfield.hebbian(xi)
    _, trace = spinmem.unlearn(
        net, dreams=900, epsilon=0.02, seed=6, record_every=1, probes=1
    )
    found = spinmem.unlearning.milestones(trace)
    d_in, d_top, d_fin = (int(found[k]) for k in ("d_in", "d_top", "d_fin"))
    assert 0 < d_in <= d_top < d_fin < 900
    assert float(found.t_in) == pytest.approx(0.02 * d_in / 40)

    def after(d):
        return spinmem.unlearn(net, dreams=d, epsilon=0.02, seed=6, probes=1)[0]

    assert after(d_in).is_fixed_point(xi, strict=True).all()
    assert not after(d_in - 1).is_fixed_point(xi, strict=True).all()
    top = after(d_top).stability(xi).min()
    assert top == pytest.approx(float(trace.min_stability.max()), abs=1e-12)
    assert not after(d_fin).is_fixed_point(xi, strict=True).all()
    assert after(d_fin - 1).is_fixed_point(xi, strict=True).all()


def test_milestones_not_reached_are_nan():
    """A trace that never has every pattern stable has no D_in and no D_fin."""
    xi = spinmem.random_patterns(40, 40, seed=7)  # alpha = 1: never all stable
    _, trace = spinmem.unlearn(
        spinmem.Hopfield.hebbian(xi), dreams=60, epsilon=0.02, seed=8, probes=1
    )
    found = spinmem.unlearning.milestones(trace)
    assert np.isnan(float(found.d_in)) and np.isnan(float(found.d_fin))
    assert float(found.d_top) in trace.dream.values
    with pytest.raises(ValueError, match="stable_fraction"):
        spinmem.unlearning.milestones(trace.drop_vars("stable_fraction"))
