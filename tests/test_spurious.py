"""Classification of states and the census of zero-temperature fixed points."""

import numpy as np
import pytest

import spinmem


@pytest.fixture(scope="module")
def three_patterns():
    n = 4000
    xi = spinmem.random_patterns(3, n, seed=21)
    return spinmem.Hopfield.hebbian(xi)


def test_symmetric_three_mixture(three_patterns):
    """sign(xi1 + xi2 + xi3): m = 1/2 each, H/N = -3/8 + alpha/2 (AGS 1985).

    At N = 4000 each overlap has standard deviation sqrt(3/4)/sqrt(N) = 0.0137 about 1/2;
    the tolerance is 5 of them (0.068). The energy deviates from -3/8 + alpha/2 by
    -(1/2) sum_mu (m_mu - 1/2) to first order (standard deviation 0.0119): 5 of them is
    0.06. The energy must also equal -1/2 sum m^2 + alpha/2 exactly."""
    net = three_patterns
    xi = net.patterns
    n = net.n_spins
    mix = np.sign(xi.sum(axis=0)).astype(np.int8)
    m = net.overlaps(mix)
    np.testing.assert_allclose(m, 0.5, atol=0.068)
    energy = net.energy(mix) / n
    assert energy == pytest.approx(-0.5 * np.sum(m**2) + 3 / n / 2, abs=1e-12)
    assert energy == pytest.approx(-3 / 8 + 3 / n / 2, abs=0.06)
    # (nearly) a fixed point: relaxation changes almost nothing
    relaxed = spinmem.relax(net, mix, seed=0).state.values[0]
    assert np.mean(relaxed != mix) < 0.01
    assert spinmem.classify(mix, xi) == "mixture"
    assert spinmem.composition(mix, xi) == "+0+1+2"
    assert spinmem.composition(-mix, xi) == "-0-1-2"


def test_retrieval_reversed_and_spin_glass_labels(three_patterns):
    xi = three_patterns.patterns
    rng = np.random.default_rng(0)
    random_state = np.where(rng.random(xi.shape[1]) < 0.5, 1, -1)
    labels = spinmem.classify(np.vstack([xi[1], -xi[2], random_state]), xi)
    assert labels.tolist() == ["retrieval", "reversed", "spin-glass"]
    assert spinmem.composition(xi[1], xi) == "+1"


def test_thresholds_scale_with_n_and_can_be_overridden():
    assert spinmem.spurious.default_significance(10_000) == pytest.approx(0.04)
    assert spinmem.spurious.default_significance(100) == 0.2
    xi = spinmem.random_patterns(3, 100, seed=0)
    # a state with overlap 0.6 with pattern 0 and nothing else
    s = xi[0].copy()
    s[:20] *= -1
    assert spinmem.classify(s, xi) == "mixture"
    assert spinmem.classify(s, xi, retrieval_threshold=0.5) == "retrieval"
    with pytest.raises(
        ValueError, match="significance .* must be below retrieval_threshold"
    ):
        spinmem.classify(s, xi, retrieval_threshold=0.3, significance=0.4)
    with pytest.raises(ValueError, match="retrieval_threshold must be <= 1.0"):
        spinmem.classify(s, xi, retrieval_threshold=1.5)


def test_census_finds_patterns_and_mixtures_at_low_load():
    """p = 3, N = 1000: random starts end in the 6 retrieval/reversed states or in the
    8 symmetric 3-mixtures (+-xi1 +-xi2 +-xi3), identified up to sign: at most 3 + 4
    distinct fixed points, with energies -1/2 and about -3/8 per spin."""
    xi = spinmem.random_patterns(3, 1000, seed=5)
    net = spinmem.Hopfield.hebbian(xi)
    ds = spinmem.census(net, starts=400, seed=6)
    assert ds.converged.all()
    assert np.all(net.is_fixed_point(ds.state.values))
    fractions = dict(zip(ds["category"].values, ds.label_fraction.values, strict=True))
    assert fractions["spin-glass"] == 0
    assert fractions["retrieval"] + fractions["reversed"] > 0.5
    assert fractions["mixture"] > 0.05
    assert ds.attrs["n_distinct_fixed_points"] <= 7
    mixtures = ds.where(ds.label == "mixture", drop=True)
    assert set(
        np.char.count(mixtures.composition.values.astype(str), "+")
        + np.char.count(mixtures.composition.values.astype(str), "-")
    ) == {3}
    np.testing.assert_allclose(mixtures.energy_per_spin, -3 / 8, atol=0.03)
    # retrieval fixed points lie within a few flips of the pattern (energy -1/2 + alpha/2
    # exactly at the pattern; nearby fixed points are slightly lower at finite N)
    retrieved = ds.where(ds.label == "retrieval", drop=True)
    assert np.all(retrieved.overlap.max("pattern") >= 0.99)
    np.testing.assert_allclose(retrieved.energy_per_spin, -0.5 + 3 / 1000 / 2, atol=0.003)
    # one fixed-point index per distinct state up to sign
    canon = ds.state.values * ds.state.values[:, :1]
    for k in np.unique(ds.fixed_point):
        assert len(np.unique(canon[ds.fixed_point.values == k], axis=0)) == 1


def test_census_validation():
    xi = spinmem.random_patterns(3, 50, seed=5)
    net = spinmem.Hopfield.hebbian(xi)
    with pytest.raises(ValueError, match="starts must be an integer >= 1"):
        spinmem.census(net, starts=0)
    with pytest.raises(ValueError, match="census needs stored patterns"):
        spinmem.census(spinmem.Hopfield(net.couplings), starts=3)
