"""Softmax (modern Hopfield) retrieval against its exact limits and its energy."""

import numpy as np
import pytest

import spinmem
from spinmem import dense


def test_beta_to_zero_gives_the_mean_pattern():
    """softmax of beta -> 0 is uniform: one update maps any query to mean_mu xi^mu."""
    xi = spinmem.random_patterns(5, 40, seed=1)
    query = np.random.default_rng(2).normal(size=40)
    x, steps = dense.softmax_retrieval(xi, query, 1e-12, max_iter=1)
    np.testing.assert_allclose(x, xi.mean(axis=0), atol=1e-9)
    assert steps == 1


def test_large_beta_retrieves_the_nearest_pattern_in_one_update():
    """N = 200, cues at overlap 0.6 of pattern 0: weights of other patterns are below
    exp(-beta (overlap gap) N) ~ exp(-40), so x equals xi^0 to machine precision."""
    xi = spinmem.random_patterns(10, 200, seed=3)
    cues = spinmem.make_cues(xi[:3], 0.2, seed=4).astype(float)
    x, steps = dense.softmax_retrieval(xi, cues, beta=1.0)
    np.testing.assert_allclose(x, xi[:3], atol=1e-12)
    assert np.all(steps <= 2)


def test_energy_never_increases_along_the_updates():
    """The update is a concave-convex step on E (Ramsauer et al. 2021, theorem 1):
    E is non-increasing; checked on 20 random queries at a beta where several patterns
    share the weight."""
    xi = spinmem.random_patterns(8, 30, seed=5)
    x = np.random.default_rng(6).normal(size=(20, 30))
    beta = 0.05
    energy = dense.softmax_energy(xi, x, beta)
    for _ in range(30):
        x, _ = dense.softmax_retrieval(xi, x, beta, max_iter=1)
        new = dense.softmax_energy(xi, x, beta)
        assert np.all(new <= energy + 1e-12)
        energy = new


def test_energy_formula_against_a_direct_sum():
    xi = spinmem.random_patterns(3, 6, seed=7).astype(float)
    x = np.random.default_rng(8).normal(size=6)
    beta = 0.7
    lse = np.log(np.sum(np.exp(beta * xi @ x))) / beta
    expected = -lse + x @ x / 2 + np.log(3) / beta + 6 / 2
    assert dense.softmax_energy(xi, x, beta) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"beta": 0.0}, "beta must be > 0"),
        ({"beta": 1.0, "max_iter": 0}, "max_iter"),
        ({"beta": 1.0, "queries": np.ones(5)}, "queries must have shape"),
        ({"beta": 1.0, "queries": np.full(6, np.nan)}, "finite"),
    ],
)
def test_bad_input_is_refused(kwargs, match):
    args = {"patterns": spinmem.random_patterns(2, 6, seed=0), "queries": np.ones(6)}
    with pytest.raises((ValueError, TypeError), match=match):
        dense.softmax_retrieval(**{**args, **kwargs})
