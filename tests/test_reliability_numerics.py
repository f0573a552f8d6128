"""Hostile inputs to the computing functions: refused before allocating, never a silent
wrong number, and errors in the package's own words naming the argument.

Each test names the item of the reliability audit (round three) it covers.
"""

import subprocess
import sys
import textwrap
import time

import networkx as nx
import numpy as np
import pytest
import xarray as xr

import spinmem
from spinmem import _engine, analysis, memory, observables, rules, stats, theory

_LIMITED = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
    import spinmem
    from spinmem import rules
    sk = spinmem.Hopfield.sherrington_kirkpatrick(16, seed=1)
    calls = {{
        "diluted": lambda: rules.diluted(spinmem.random_patterns(1, 300000, seed=1), c=1.0),
        "temper": lambda: spinmem.temper(sk, [0.5, 1.0], sweeps=3 * 10**9, progress=False),
        "ladder": lambda: spinmem.temperature_ladder(sk, 0.5, 2.0, size=10**8),
    }}
    try:
        calls[{call!r}]()
    except MemoryError as exc:
        print(exc)
""")


@pytest.mark.parametrize(
    ("call", "named"),
    [("diluted", "kept pairs"), ("temper", "sweeps"), ("ladder", "pilot_size")],
)
def test_requests_beyond_memory_are_refused_before_allocating(call, named):
    """Items 1 and 7: under a 3 GiB address-space limit, the package's own estimate
    refuses the request (naming what to reduce); an allocation attempted first would
    fail with numpy's message instead, or be killed."""
    proc = subprocess.run(
        [sys.executable, "-c", _LIMITED.format(call=call)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "needs about" in proc.stdout and named in proc.stdout, proc.stdout


_LONG_RUN = textwrap.dedent("""
    import resource, sys
    import spinmem
    net = spinmem.Hopfield.sherrington_kirkpatrick(8, seed=1)
    run = {{
        "simulate": lambda sweeps, every: spinmem.simulate(
            net, dynamics="synchronous", sweeps=sweeps, record_every=every,
            progress=False),
        "temper": lambda sweeps, every: spinmem.temper(
            net, [0.5, 1.0], sweeps=sweeps, record_every=every, progress=False),
    }}[{call!r}]
    run(20, 10)  # compile
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
    print("ready", flush=True)
    run(10**12, 10**12)
""")


@pytest.mark.parametrize("call", ["simulate", "temper"])
def test_a_long_run_recording_rarely_needs_memory_only_for_its_records(call):
    """Item 7: 10^12 sweeps recorded once start running within a 3 GiB limit (masks
    of one byte per sweep or step would need 1 TB and fail at once)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _LONG_RUN.format(call=call)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(3.0)
        assert proc.poll() is None, proc.stderr.read()[-2000:]
    finally:
        proc.kill()
        proc.communicate()


@pytest.mark.parametrize(("n_blocks", "every"), [(1, 1), (10, 3), (12, 4), (7, 10)])
def test_record_windows_are_the_slices_of_the_record_mask(n_blocks, every):
    """Item 7: the windows the runs use put together the whole mask: a record after
    every ``every``-th block and after the last, written out here block by block."""
    mask = np.array([k % every == 0 or k == n_blocks for k in range(1, n_blocks + 1)])
    np.testing.assert_array_equal(_engine.record_mask(n_blocks, every), mask)
    for step in (1, 2, 5):
        parts = [
            _engine.record_window(first, min(first + step, n_blocks), n_blocks, every)
            for first in range(0, n_blocks, step)
        ]
        np.testing.assert_array_equal(np.concatenate(parts), mask)
    assert _engine.record_count(n_blocks, every) == mask.sum()


@pytest.mark.parametrize("n", [20, 64])
def test_projection_and_dreaming_at_p_equal_n(n):
    """Item 10: at p = N the patterns span the space, so the projection rule gives
    J = I - diag = 0 and dreaming tends to it as t grows; both build, exactly
    symmetric, and dreaming at t = 0 is the Hebbian rule."""
    xi = spinmem.random_patterns(n, n, seed=3)
    projected = rules.projection(xi).couplings
    assert np.linalg.matrix_rank(xi) == n
    np.testing.assert_array_equal(projected, 0.0)
    hebbian = spinmem.Hopfield.hebbian(xi).couplings
    np.testing.assert_allclose(rules.dreaming(xi, 0.0).couplings, hebbian, atol=1e-12)
    far = rules.dreaming(xi, 1e12).couplings
    assert np.abs(far).max() < 1e-3 * np.abs(hebbian).max()
    np.testing.assert_array_equal(far, far.T)


def test_projection_at_p_equal_n_has_no_fields_to_follow():
    """At p = N (patterns spanning the space) the projection rule's couplings vanish,
    so every field is zero: relaxation keeps any cue as it is, no pattern is a strict
    fixed point and every stability is 0 (the limit sqrt((1 - alpha) / alpha) at alpha
    = 1). With couplings of rounding noise (about 1e-13) instead, cues drift to
    overlaps set by that noise, different on every CPU."""
    n = 40
    xi = spinmem.random_patterns(n, n, seed=5)
    net = rules.projection(xi)
    cues = spinmem.make_cues(xi[:10], 0.1, seed=6)
    out = spinmem.relax(net, cues, seed=7, max_sweeps=50)
    np.testing.assert_array_equal(out.state.values, cues)
    assert not net.is_fixed_point(xi, strict=True).any()
    np.testing.assert_array_equal(net.stability(xi), 0.0)


def test_the_nan_rule_is_propagation_everywhere():
    """Item 11: a NaN record makes the estimates that pool it NaN, with NaN errors,
    in every estimator; the other estimates are untouched."""
    rng = np.random.default_rng(0)
    energy = xr.DataArray(
        rng.normal(size=(4, 3, 60)),
        dims=("chain", "temperature", "sweep"),
        coords={"temperature": [0.5, 1.0, 2.0]},
    )
    energy[1, 0, 7] = np.nan
    c = observables.specific_heat(energy, 10)
    assert np.isnan(c.c[0]) and np.isnan(c.c_stderr[0])
    assert np.isfinite(c.c[1:]).all() and np.isfinite(c.c_stderr[1:]).all()
    q = xr.DataArray(
        rng.uniform(-1, 1, size=(3, 2, 60)), dims=("pair", "temperature", "sweep")
    )
    q[0, 1, 3] = np.nan
    g = observables.binder_cumulant(q)
    assert np.isnan(g.g[1]) and np.isnan(g.g_stderr[1]) and np.isfinite(g.g[0])
    p_q = observables.overlap_distribution(q, bins=10)
    assert np.isnan(p_q.isel(temperature=1)).all()
    assert np.isfinite(p_q.isel(temperature=0)).all()
    ds = xr.Dataset({"v": (("x", "seed"), [[1.0, 2.0, np.nan], [1.0, 2.0, 3.0]])})
    reduced = analysis.seed_mean(ds)
    assert np.isnan(reduced.v[0]) and np.isnan(reduced.v_stderr[0])
    assert reduced.v[1] == 2.0
    series = xr.DataArray(rng.normal(size=100), dims="sweep")
    series[10] = np.nan
    summary = stats.time_average(series)
    assert np.isnan(summary["mean"]) and np.isnan(summary.stderr) and not summary.reliable


def test_binder_cumulant_of_vanishing_overlaps_has_no_error_bar():
    """Item 11: all q = 0 gives g = 0/0: NaN, and its error NaN, not 0."""
    g = observables.binder_cumulant(xr.DataArray(np.zeros((3, 50)), dims=("pair", "sweep")))
    assert np.isnan(g.g) and np.isnan(g.g_stderr)


def test_overlaps_outside_their_range_are_refused():
    """Item 11: P(q) of values outside [-1, 1] would still integrate to 1: refused."""
    q = xr.DataArray([[0.5, 1.5, -0.2, 0.1]], dims=("pair", "sweep"))
    with pytest.raises(ValueError, match=r"q must lie in \[-1, 1\].*1.5"):
        observables.overlap_distribution(q)


def test_tau_respects_its_lower_bound_and_short_series_are_never_reliable():
    """Item 12: for 2000 random 4-record series and an alternating one, tau is NaN or
    >= 0 (the integrated autocorrelation time of a stationary series is >= 0), and
    none is reliable; a long AR(1) series still is."""
    rng = np.random.default_rng(12)
    short = xr.DataArray(rng.normal(size=(2000, 4)), dims=("series", "sweep"))
    out = stats.autocorrelation_time(short, chain_dim=None)
    assert not out.reliable.any()
    assert ((out.tau >= 0) | np.isnan(out.tau)).all()
    alternating = xr.DataArray(np.tile([1.0, -1.0], 200), dims="sweep")
    out = stats.time_average(alternating)
    assert np.isnan(out.tau) and not out.reliable
    assert out.ess == 400  # the error bar treats the records as independent
    x = np.zeros(20000)
    noise = rng.normal(size=x.size)
    for t in range(1, x.size):
        x[t] = 0.5 * x[t - 1] + noise[t]
    out = stats.autocorrelation_time(xr.DataArray(x, dims="sweep"))
    assert out.reliable and abs(float(out.tau) - 3.0) < 3 * float(out.tau_stderr)


def test_temperatures_whose_inverse_is_not_finite_are_refused_everywhere():
    """Item 13: below about 5.56e-309, beta = 1/T is infinite (at 1/DBL_MAX itself it
    rounds to inf) and zero-cost moves would be rejected; every entry point refuses
    such T, and at the smallest allowed T a Metropolis run of a model without
    couplings accepts every (zero-cost) move."""
    sk = spinmem.Hopfield.sherrington_kirkpatrick(8, seed=1)
    calls = [
        lambda: spinmem.simulate(sk, temperature=1e-310, dynamics="metropolis", sweeps=2),
        lambda: spinmem.temper(sk, [1e-310, 1.0], sweeps=2),
        lambda: spinmem.temperature_ladder(sk, 1e-310, 1.0, 4),
        lambda: theory.solve_rs(0.05, 1e-310),
        lambda: spinmem.schedules.geometric(1.0, 1.0 / np.finfo(np.float64).max, 5),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=r"1/T"):
            call()
    free = spinmem.Hopfield(np.zeros((4, 4)))
    t_min = spinmem._checks.T_MIN
    assert np.isfinite(1.0 / t_min) and 1.0 / float(np.nextafter(t_min, 0)) == np.inf
    run = spinmem.simulate(
        free, temperature=t_min, dynamics="metropolis", sweeps=100, seed=0
    )
    assert run.flips.values.tolist() == [400]


def test_complex_and_text_inputs_are_refused_with_type_errors():
    """Item 14 and poor messages: complex temperatures and queries, text and dicts."""
    sk = spinmem.Hopfield.sherrington_kirkpatrick(8, seed=1)
    xi = spinmem.random_patterns(3, 8, seed=1)
    calls = {
        "temperatures": lambda: spinmem.temper(sk, [0.5 + 1j, 1.0], sweeps=2),
        "temperatures ": lambda: spinmem.temper(sk, ["a", "b"], sweeps=2),
        "temperatures  ": lambda: spinmem.temper(sk, {"a": 1.0, "b": 2.0}, sweeps=2),
        "queries": lambda: memory.softmax_retrieval(xi, xi[0] + 0.5j, 1.0),
        "queries ": lambda: memory.softmax_retrieval(xi, "abc", 1.0),
        "progress": lambda: spinmem.temper(sk, [0.5, 1.0], sweeps=2, progress="yes"),
    }
    for name, call in calls.items():
        with pytest.raises(TypeError, match=name.strip()):
            call()


def test_exp_memory_fields_are_accurate_or_refused():
    """Item 15: at the smallest allowed rate the fields agree with the same fields
    computed with expm1 (no cancellation) to 1e-8 relative; smaller rates are
    refused."""
    xi = spinmem.random_patterns(5, 40, seed=2)
    s = spinmem.make_cues(xi[0], 0.1, seed=3)
    lam = memory.LAM_MIN
    net = memory.DenseMemory(xi, "exp", lam=lam)
    n = xi.shape[1]
    m = xi.astype(float) @ s
    exact = np.empty(n)
    for i in range(n):
        flipped = m - 2 * xi[:, i] * s[i]  # overlap counts with spin i flipped
        diff = np.exp(lam * (flipped - n)) * np.expm1(lam * (m - flipped))
        exact[i] = s[i] * diff.sum() / (2 * lam)
    np.testing.assert_allclose(net.local_fields(s), exact, rtol=1e-8)
    with pytest.raises(ValueError, match="lam must be >= 1e-06"):
        memory.DenseMemory(xi, "exp", lam=1e-17)


def test_softmax_retrieval_at_the_largest_beta_is_the_argmax_limit():
    """Item 16: beta = 1e308 returns the nearest pattern (no NaN)."""
    xi = spinmem.random_patterns(6, 60, seed=4)
    cues = np.array([spinmem.make_cues(x, 0.2, seed=k) for k, x in enumerate(xi)], float)
    states, steps = memory.softmax_retrieval(xi, cues, beta=1e308)
    np.testing.assert_array_equal(states, xi)
    assert (steps <= 2).all()
    tie = (xi[0] + xi[1]) / 2.0  # equally near both: the equal mixture
    state, _ = memory.softmax_retrieval(xi[:2], tie, beta=1e308, max_iter=1)
    np.testing.assert_array_equal(state, tie)


def test_finite_size_fit_refuses_sizes_and_lengths_it_cannot_fit():
    """Item 17 and poor messages."""
    with pytest.raises(ValueError, match="n must hold sizes N > 0"):
        analysis.finite_size_fit([0, 100, 200], [0.1, 0.12, 0.13], [0.01] * 3, nu=1.0)
    with pytest.raises(ValueError, match="same length"):
        analysis.finite_size_fit([100, 200], [0.1, 0.12, 0.13], [0.01] * 3, nu=1.0)
    fit = analysis.finite_size_fit([100, 200, 400], [0.1, 0.12, 0.13], [0.01] * 3, nu=1.0)
    assert abs(fit["limit"] - 0.14) < 1e-9  # exact line in 1/N: 0.14 - 4/N


def test_combine_refuses_overlapping_points_that_disagree():
    """Item 4: a point stored twice with different values raises; agreeing overlaps
    merge to one point."""
    a = xr.Dataset({"v": ("x", [1.0, 2.0])}, coords={"x": [0, 1]})
    clash = xr.Dataset({"v": ("x", [5.0, 3.0])}, coords={"x": [1, 2]})
    agree = xr.Dataset({"v": ("x", [2.0, 3.0])}, coords={"x": [1, 2]})
    with pytest.raises(ValueError, match="disagree where they overlap"):
        analysis.combine([a, clash])
    both = analysis.combine([a, agree])
    assert both.x.values.tolist() == [0, 1, 2] and both.v.values.tolist() == [1, 2, 3]


def test_poor_messages_now_name_the_argument():
    """Poor messages: each in the package's words, naming what is wrong."""
    rng = np.random.default_rng(0)
    text_time = xr.DataArray(
        rng.normal(size=10), dims="sweep", coords={"sweep": list("abcdefghij")}
    )
    cases = [
        (lambda: stats.time_average(text_time), TypeError, "'sweep' coordinate"),
        (lambda: stats.mixed([1.0, 1.2], [10, 20, 30]), ValueError, "matching shapes"),
        (lambda: stats.mixed(["a"], [10]), TypeError, "rhat must be numeric"),
        (lambda: observables.specific_heat(np.ones(10), 10), TypeError, "energy must be"),
        (
            lambda: observables.specific_heat(
                xr.DataArray(
                    np.ones((2, 20)),
                    dims=("temperature", "sweep"),
                    coords={"temperature": ["a", "b"]},
                ),
                10,
            ),
            TypeError,
            "temperature coordinate",
        ),
        (
            lambda: memory.softmax_energy(
                spinmem.random_patterns(2, 8, seed=0), np.ones(5), 1.0
            ),
            ValueError,
            "states must have shape",
        ),
        (lambda: rules.centred(np.ones((3, 10))), ValueError, "mean activity"),
        (
            lambda: analysis.seed_mean(xr.DataArray([1.0, 2.0], dims="seed")),
            TypeError,
            "dataset must be an xarray.Dataset",
        ),
    ]
    for call, error, words in cases:
        with pytest.raises(error, match=words):
            call()


@pytest.mark.parametrize("value", ["abc", None, float("nan")])
def test_from_networkx_names_the_edge_with_a_bad_weight(value):
    """Poor messages: a weight that is text, None or NaN names its edge."""
    graph = nx.Graph()
    graph.add_edge(0, 1, weight=value)
    graph.add_edge(1, 2, weight=0.5)
    with pytest.raises(ValueError, match=r"edge \(0, 1\) has weight="):
        spinmem.Hopfield.from_networkx(graph)


def test_from_sampleset_maps_any_order_of_labels():
    """Also (from_sampleset in linear time): a reversed and a shuffled labelling map
    back to spin order, as dimod's own per-variable lookup says."""
    dimod = pytest.importorskip("dimod")
    rng = np.random.default_rng(5)
    n = 2000
    states = rng.choice(np.array([-1, 1], np.int8), size=(3, n))
    for labels in (list(range(n))[::-1], rng.permutation(n).tolist()):
        ss = dimod.SampleSet.from_samples((states, labels), dimod.SPIN, energy=[0, 0, 0])
        back = spinmem.interop.from_sampleset(ss)
        for r, sample in enumerate(ss.samples()):
            expected = [sample[i] for i in range(n)]
            np.testing.assert_array_equal(back[r], expected)
