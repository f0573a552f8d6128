"""The model: Hebbian couplings, energies, overlaps, fixed points, pattern helpers."""

import tracemalloc

import numpy as np
import pytest
from helpers import sk_couplings

import spinmem


def test_hebbian_couplings_follow_the_definition():
    xi = spinmem.random_patterns(7, 64, seed=3)
    net = spinmem.Hopfield.hebbian(xi)
    expected = np.einsum("mi,mj->ij", xi.astype(float), xi.astype(float)) / 64
    np.fill_diagonal(expected, 0)
    np.testing.assert_allclose(net.couplings, expected, rtol=0, atol=1e-15)
    assert np.all(net.couplings == net.couplings.T)
    assert net.alpha == 7 / 64
    # stored as exact small integers for the kernels
    C, scale = net.kernel_view().cp[0], net.kernel_view().cp[4]
    assert C.dtype == np.int8 and scale == 1 / 64
    np.testing.assert_array_equal(C * scale, net.couplings)


def test_energy_identity_for_hebbian_couplings():
    """H/N = -1/2 sum_mu (m^mu)^2 + alpha/2, exact as J_ii = 0 (docs/physics.md 1)."""
    p, n = 12, 300
    xi = spinmem.random_patterns(p, n, seed=5)
    net = spinmem.Hopfield.hebbian(xi)
    rng = np.random.default_rng(0)
    states = np.where(rng.random((50, n)) < 0.5, 1, -1).astype(np.int8)
    states = np.vstack([states, xi])
    m = net.overlaps(states)
    lhs = net.energy(states) / n
    rhs = -0.5 * np.sum(m**2, axis=1) + p / n / 2
    np.testing.assert_allclose(lhs, rhs, rtol=0, atol=1e-12)


def test_energy_and_fields_agree_with_flip_energy_differences():
    """dE_i = 2 s_i h_i for every single flip, with fields, on SK couplings."""
    n = 30
    rng = np.random.default_rng(1)
    net = spinmem.Hopfield(sk_couplings(n, 2), fields=rng.normal(0, 0.5, n))
    s = np.where(rng.random(n) < 0.5, 1, -1).astype(np.int8)
    h = net.local_fields(s)
    e0 = net.energy(s)
    for i in range(n):
        t = s.copy()
        t[i] *= -1
        assert net.energy(t) - e0 == pytest.approx(2 * s[i] * h[i], abs=1e-12)


def test_batch_and_single_state_agree(hebbian_small):
    net = hebbian_small
    states = net.patterns.copy()
    states[:, :7] *= -1
    for k, s in enumerate(states):
        assert net.energy(s) == pytest.approx(net.energy(states)[k])
        np.testing.assert_allclose(net.overlaps(s), net.overlaps(states)[k])
        np.testing.assert_allclose(net.local_fields(s), net.local_fields(states)[k])
        assert net.is_fixed_point(s) == net.is_fixed_point(states)[k]


def test_fixed_points_and_ties():
    # two ferromagnetically coupled spins: aligned states are fixed points
    net = spinmem.Hopfield([[0.0, 1.0], [1.0, 0.0]])
    assert list(net.is_fixed_point([[1, 1], [-1, -1], [1, -1]])) == [True, True, False]
    # a spin with zero field is kept: fixed point, but not strictly stable
    tie = spinmem.Hopfield(np.zeros((3, 3)))
    assert tie.is_fixed_point([1, -1, 1])
    assert not tie.is_fixed_point([1, -1, 1], strict=True)


def test_stability_parameters_sign_matches_fixed_points():
    xi = spinmem.random_patterns(40, 100, seed=8)  # alpha = 0.4: many unstable bits
    net = spinmem.Hopfield.hebbian(xi)
    delta = net.stability()
    assert delta.shape == (40, 100)
    np.testing.assert_array_equal(
        np.all(delta > 0, axis=1), net.is_fixed_point(xi, strict=True)
    )
    assert 0 < np.mean(delta < 0) < 0.2


def test_random_patterns_statistics():
    xi = spinmem.random_patterns(20, 5000, seed=1)
    assert xi.dtype == np.int8 and set(np.unique(xi)) == {-1, 1}
    # mean of 1e5 unbiased +-1 bits: standard error 1/sqrt(1e5) = 0.0032; allow 4 SE
    assert abs(xi.mean()) < 4 / np.sqrt(xi.size)
    biased = spinmem.random_patterns(20, 5000, bias=0.4, seed=1)
    assert abs(biased.mean() - 0.4) < 4 * np.sqrt(1 - 0.4**2) / np.sqrt(biased.size)
    np.testing.assert_array_equal(xi, spinmem.random_patterns(20, 5000, seed=1))
    assert not np.array_equal(xi, spinmem.random_patterns(20, 5000, seed=2))


def test_cues_have_the_requested_initial_overlap():
    xi = spinmem.random_patterns(3, 500, seed=4)
    cues = spinmem.make_cues(xi, 0.1, seed=5)
    m0 = np.sum(cues * xi, axis=1) / 500
    np.testing.assert_allclose(m0, 1 - 2 * 0.1)
    one = spinmem.make_cues(xi[0], 0.25, seed=5)
    assert one.shape == (500,) and np.sum(one != xi[0]) == 125


def test_binary_round_trip():
    v = np.array([[0, 1, 1], [1, 0, 0]])
    s = spinmem.from_binary(v)
    np.testing.assert_array_equal(s, [[-1, 1, 1], [1, -1, -1]])
    np.testing.assert_array_equal(spinmem.to_binary(s), v)
    np.testing.assert_array_equal(spinmem.from_binary(v.astype(bool)), s)


def test_replica_overlaps():
    s = np.array([[1, 1, 1, 1], [1, 1, -1, -1], [-1, -1, -1, -1]], dtype=np.int8)
    q = spinmem.replica_overlaps(s)
    np.testing.assert_allclose(q, [[1, 0, -1], [0, 1, 0], [-1, 0, 1]])


def test_model_is_immutable(hebbian_small):
    with pytest.raises(ValueError):
        hebbian_small.couplings[0, 1] = 3.0


@pytest.mark.parametrize(
    ("p", "n"),
    [(1, 2), (2, 2), (4, 2), (3, 50), (127, 200), (128, 200), (300, 150), (40000, 20)],
)
def test_hebbian_is_the_general_constructor_on_the_hebbian_matrix(p, n):
    """The direct Hebbian path (no N x N float64 temporaries) stores exactly what
    Hopfield(J) does: couplings, their integer kernel form and scale, tie threshold."""
    xi = spinmem.random_patterns(p, n, seed=p + n)
    theta = np.linspace(-0.1, 0.1, n)
    x = xi.astype(np.float64)
    C = x.T @ x
    np.fill_diagonal(C, 0.0)
    general = spinmem.Hopfield(C * (1.0 / n), theta, xi)
    direct = spinmem.Hopfield.hebbian(xi, fields=theta, storage="dense")
    for a, b in [
        (direct.couplings, general.couplings),
        (direct.kernel_view().cp[0], general.kernel_view().cp[0]),
        (direct.fields, general.fields),
        (direct.patterns, general.patterns),
    ]:
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    a, b = direct.kernel_view(), general.kernel_view()
    assert (a.cp[4], a.tie) == (b.cp[4], b.tie)


def test_hebbian_memory_peak():
    """About 14 bytes per coupling at the peak (float64 J, float32 product, int8 form),
    not the ~48 of six float64 N x N temporaries."""
    n = 1500
    xi = spinmem.random_patterns(10, n, seed=0)
    assert _peak_bytes(spinmem.Hopfield.hebbian, xi) / n**2 < 15


def _peak_bytes(fn, *args) -> int:
    """The most bytes numpy and Python held at once during ``fn(*args)``."""
    tracemalloc.start()
    try:
        fn(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_hebbian_beyond_free_memory_is_refused_before_allocating(monkeypatch):
    monkeypatch.setattr(spinmem._checks, "available_memory", lambda: 10**6)
    xi = spinmem.random_patterns(3, 1000, seed=0)
    with pytest.raises(
        MemoryError,
        match=r"Hopfield.hebbian needs about .* 1000 x 1000 .*storage='patterns' keeps "
        r"only the p x N = 3 x 1000 patterns \(2.93 KiB\)",
    ):
        spinmem.Hopfield.hebbian(xi, storage="dense")
    # "auto" chooses the storage that fits instead
    assert spinmem.Hopfield.hebbian(xi).storage == "patterns"


def _naive_general(J):
    """The whole-array construction: symmetrise, then the smallest exact integer form."""
    J = np.asarray(J, dtype=np.float64)
    sym = 0.5 * (J + J.T)
    n = J.shape[0]
    for scale in (1.0, 1.0 / n):
        C = np.rint(sym / scale)
        if np.array_equal(C * scale, sym) and np.abs(C).max() <= 32767:
            return sym, C, scale
    return sym, sym, 1.0


@pytest.mark.parametrize("kind", ["float", "int", "multiples of 1/N", "int16", "bool"])
def test_general_constructor_matches_whole_array_construction(kind):
    """Built a block of rows at a time (N = 700 spans several blocks), the couplings,
    their integer form and scale equal the whole-array construction exactly."""
    n = 700
    rng = np.random.default_rng(4)
    if kind == "float":
        J = rng.normal(size=(n, n))
        J = J + J.T + 1e-14 * rng.normal(size=(n, n))  # asymmetric within tolerance
    elif kind == "int":
        J = rng.integers(-5, 6, size=(n, n))
        J = J + J.T
    elif kind == "multiples of 1/N":
        J = rng.integers(-3, 4, size=(n, n))
        J = (J + J.T) / n
    elif kind == "int16":
        J = rng.integers(-300, 301, size=(n, n))
        J = J + J.T
    else:
        J = np.triu(rng.random((n, n)) < 0.3, 1)
        J = J | J.T
    np.fill_diagonal(J, 0)
    net = spinmem.Hopfield(J)
    sym, C, scale = _naive_general(J)
    np.testing.assert_array_equal(net.couplings, sym)
    assert net.kernel_view().cp[4] == scale
    np.testing.assert_array_equal(net.kernel_view().cp[0], C)
    if kind != "float":
        assert net.kernel_view().cp[0].dtype == (np.int16 if kind == "int16" else np.int8)


def test_general_constructor_peak_memory_is_one_float64_copy():
    """Hopfield(J) of float64 couplings allocates about 10 bytes per coupling (the
    float64 couplings, the int8 form, row blocks), not the ~40 of whole-array steps."""
    n = 1500
    J = np.rint(np.random.default_rng(0).normal(size=(n, n)) * 3)
    J = J + J.T
    np.fill_diagonal(J, 0)
    assert _peak_bytes(spinmem.Hopfield, J) / n**2 < 11


def test_general_constructor_beyond_free_memory_is_refused(monkeypatch):
    monkeypatch.setattr(spinmem._checks, "available_memory", lambda: 10**6)
    with pytest.raises(MemoryError, match=r"Hopfield needs about .* 1000 x 1000"):
        spinmem.Hopfield(np.zeros((1000, 1000)))


@pytest.mark.parametrize("kind", ["gaussian", "bimodal"])
def test_sherrington_kirkpatrick_couplings_have_variance_one_over_n(kind):
    """N = 400: 79800 independent couplings; their variance N * var(J) = 1 within 5
    standard errors (sqrt(2 / 79800) = 0.5% for Gaussian, 0 for +-1/sqrt(N))."""
    n = 400
    net = spinmem.Hopfield.sherrington_kirkpatrick(n, couplings=kind, seed=7)
    J = net.couplings
    assert np.array_equal(J, J.T) and not np.any(np.diag(J))
    upper = J[np.triu_indices(n, 1)] * np.sqrt(n)
    assert abs(upper.var() - 1) < 5 * np.sqrt(2 / upper.size)
    assert abs(upper.mean()) < 5 / np.sqrt(upper.size)
    if kind == "bimodal":
        np.testing.assert_array_equal(np.abs(upper), 1.0)
    again = spinmem.Hopfield.sherrington_kirkpatrick(n, couplings=kind, seed=7)
    np.testing.assert_array_equal(again.couplings, J)
