"""Shared fixtures and helpers for the test suite."""

import itertools

import numpy as np
import pytest

import spinmem


def all_states(n: int) -> np.ndarray:
    """All 2**n +-1 states (2**n, n), state k has bit j of k as spin j (1 -> +1)."""
    bits = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    return (2 * bits - 1).astype(np.int8)


def state_index(states: np.ndarray) -> np.ndarray:
    """Inverse of :func:`all_states`: the index of each +-1 state."""
    bits = (np.asarray(states) > 0).astype(np.int64)
    return bits @ (1 << np.arange(bits.shape[-1]))


def sk_couplings(n: int, seed: int) -> np.ndarray:
    """Sherrington-Kirkpatrick couplings J_ij ~ N(0, 1/n), symmetric, zero diagonal."""
    rng = np.random.default_rng(seed)
    a = rng.normal(0.0, 1.0 / np.sqrt(n), (n, n))
    J = np.triu(a, 1)
    return J + J.T


@pytest.fixture
def hebbian_small():
    xi = spinmem.random_patterns(5, 200, seed=11)
    return spinmem.Hopfield.hebbian(xi)


__all__ = ["all_states", "itertools", "sk_couplings", "state_index"]
