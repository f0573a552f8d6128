"""Shared fixtures for the test suite (helpers live in ``helpers.py``)."""

import pytest

import spinmem


@pytest.fixture
def hebbian_small():
    xi = spinmem.random_patterns(5, 200, seed=11)
    return spinmem.Hopfield.hebbian(xi)
