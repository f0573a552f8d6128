"""Every public entry point rejects bad input with a message naming the argument."""

import numpy as np
import pytest

import spinmem

XI = spinmem.random_patterns(3, 20, seed=0)
NET = spinmem.Hopfield.hebbian(XI)


def _raises(exc, match, fn, *args, **kwargs):
    with pytest.raises(exc, match=match):
        fn(*args, **kwargs)


# ---- model construction


def test_n_below_two_is_rejected():
    _raises(ValueError, "couplings must describe N >= 2", spinmem.Hopfield, [[0.0]])
    _raises(ValueError, "n must be an integer >= 2", spinmem.random_patterns, 3, 1)
    _raises(ValueError, "patterns must have N >= 2", spinmem.Hopfield.hebbian, [[1]])


def test_p_below_one_is_rejected():
    _raises(ValueError, "p must be an integer >= 1", spinmem.random_patterns, 0, 10)
    _raises(
        ValueError,
        "patterns must hold p >= 1",
        spinmem.Hopfield.hebbian,
        np.zeros((0, 10), np.int8),
    )
    _raises(TypeError, "p must be an integer", spinmem.random_patterns, 2.5, 10)


def test_patterns_must_be_pm1_and_well_shaped():
    _raises(
        ValueError,
        "patterns must contain only -1 and \\+1",
        spinmem.Hopfield.hebbian,
        [[1, 0, 1], [1, 1, -1]],
    )
    _raises(
        ValueError,
        "patterns must have 1 or 2 dimensions",
        spinmem.Hopfield.hebbian,
        np.ones((2, 2, 2)),
    )
    _raises(
        ValueError,
        "patterns must have length 20",
        spinmem.Hopfield,
        NET.couplings,
        None,
        np.ones((2, 19)),
    )
    _raises(
        TypeError,
        "patterns must be a numeric array",
        spinmem.Hopfield.hebbian,
        [["a", "b"]],
    )


def test_bias_out_of_range():
    _raises(ValueError, "bias must be <= 1.0", spinmem.random_patterns, 2, 10, bias=1.5)


def test_couplings_must_be_square_finite_symmetric_zero_diagonal():
    _raises(ValueError, "couplings must be a square", spinmem.Hopfield, np.zeros((2, 3)))
    bad = np.zeros((3, 3))
    bad[0, 1] = bad[1, 0] = np.nan
    _raises(ValueError, "couplings must be finite", spinmem.Hopfield, bad)
    asym = np.zeros((3, 3))
    asym[0, 1] = 1.0
    _raises(ValueError, "couplings must be symmetric", spinmem.Hopfield, asym)
    diag = np.eye(3)
    _raises(ValueError, "couplings must have a zero diagonal", spinmem.Hopfield, diag)
    _raises(
        ValueError,
        "fields must have shape \\(20,\\)",
        spinmem.Hopfield,
        NET.couplings,
        np.zeros(3),
    )
    _raises(
        ValueError,
        "fields must be finite",
        spinmem.Hopfield,
        NET.couplings,
        np.full(20, np.inf),
    )


def test_rounding_asymmetry_is_symmetrised():
    J = NET.couplings.copy()
    J[0, 1] += 1e-15
    assert np.array_equal(spinmem.Hopfield(J).couplings, spinmem.Hopfield(J).couplings.T)


def test_states_must_match_model():
    _raises(ValueError, "states must have length 20", NET.energy, np.ones(19))
    _raises(ValueError, "states must contain only -1 and \\+1", NET.overlaps, np.zeros(20))


def test_cue_fraction_out_of_range():
    _raises(ValueError, "flip_fraction must be <= 1.0", spinmem.make_cues, XI, 1.2)
    _raises(ValueError, "flip_fraction must be >= 0.0", spinmem.make_cues, XI, -0.1)


def test_binary_values():
    _raises(ValueError, "values must contain only 0 and 1", spinmem.from_binary, [0, 2])


# ---- simulate and relax


def _sim(**kwargs):
    args = {"temperature": 0.5, "sweeps": 2, "seed": 0}
    args.update(kwargs)
    return spinmem.simulate(NET, **args)


def test_temperature_rules():
    _raises(ValueError, "temperature must be >= 0.0", _sim, temperature=-1.0)
    _raises(ValueError, "temperature must be finite", _sim, temperature=float("nan"))
    _raises(
        ValueError, "temperature must be > 0 for dynamics='glauber'", _sim, temperature=0.0
    )
    _raises(
        ValueError,
        "temperature must be > 0 for dynamics='metropolis'",
        _sim,
        temperature=0.0,
        dynamics="metropolis",
    )
    _raises(
        ValueError,
        "dynamics='zero' is zero-temperature; temperature must be 0",
        _sim,
        dynamics="zero",
        temperature=0.5,
    )
    _raises(TypeError, "dynamics='glauber' needs a temperature", _sim, temperature=None)


def test_sweeps_below_one():
    _raises(ValueError, "sweeps must be an integer >= 1", _sim, sweeps=0)
    _raises(TypeError, "sweeps must be an integer", _sim, sweeps=2.0)
    _raises(ValueError, "record_every must be an integer >= 1", _sim, record_every=0)
    _raises(
        ValueError,
        "max_sweeps must be an integer >= 1",
        spinmem.relax,
        NET,
        XI,
        max_sweeps=0,
    )


def test_unknown_dynamics_and_order():
    _raises(
        ValueError,
        "dynamics must be one of 'glauber', 'metropolis', 'zero', "
        "'synchronous'; got 'heat'",
        _sim,
        dynamics="heat",
    )
    _raises(ValueError, "order must be one of 'random', 'sequential'", _sim, order="up")
    _raises(ValueError, "order must be one of", spinmem.relax, NET, XI, order="x")


def test_init_states():
    _raises(ValueError, "init must have length 20", _sim, init=np.ones(19))
    _raises(ValueError, "init must contain only -1 and \\+1", _sim, init=np.zeros(20))
    _raises(ValueError, "init must be one of 'random'", _sim, init="pattern")
    _raises(ValueError, "replicas=2 disagrees with init", _sim, init=XI, replicas=2)
    _raises(ValueError, "replicas must be an integer >= 1", _sim, replicas=0)
    _raises(ValueError, "states must have length 20", spinmem.relax, NET, np.ones(5))


def test_model_and_seed_types():
    _raises(
        TypeError,
        "model must be a spinmem.Hopfield",
        spinmem.simulate,
        NET.couplings,
        temperature=1.0,
        sweeps=1,
    )
    _raises(TypeError, "seed must be None, a non-negative int", _sim, seed="abc")
    _raises(ValueError, "seed must be a non-negative integer", _sim, seed=-3)


def test_patterns_needed_for_overlaps():
    net = spinmem.Hopfield(NET.couplings)
    _raises(ValueError, "overlaps needs stored patterns", net.overlaps, XI[0])
    # simulate still works without patterns, and records no overlaps
    ds = spinmem.simulate(net, temperature=1.0, sweeps=1, seed=0)
    assert "overlap" not in ds and ds.energy.shape == (1, 2)
