"""Dense, sparse and pattern-backed couplings: the same physics, the same bits."""

import numpy as np
import pytest
import scipy.sparse
import xarray as xr
from helpers import sk_couplings

import spinmem
from spinmem import kernels
from spinmem._kernels import records
from spinmem.seeding import stream_states


def _hebbian_pair(p, n, seed, with_fields):
    xi = spinmem.random_patterns(p, n, seed=seed)
    theta = None
    if with_fields:
        # multiples of 1/(2N): fields that can cancel integer coupling sums exactly
        theta = np.random.default_rng(seed).integers(-3, 4, n) / (2 * n)
    dense = spinmem.Hopfield.hebbian(xi, theta, storage="dense")
    patterns = spinmem.Hopfield.hebbian(xi, theta, storage="patterns")
    return dense, patterns


def _naive_hebbian(xi):
    x = np.asarray(xi, dtype=np.float64)
    J = x.T @ x / x.shape[1]
    np.fill_diagonal(J, 0.0)
    return J


def _diluted(n, degree, seed, integer=False):
    """A random symmetric matrix with about ``degree`` non-zeros per row."""
    rng = np.random.default_rng(seed)
    upper = scipy.sparse.random(
        n, n, density=degree / (2 * n), random_state=rng, format="coo"
    )
    upper = scipy.sparse.triu(upper, 1)
    values = rng.choice([-1.0, 1.0], upper.nnz) if integer else rng.normal(size=upper.nnz)
    upper = scipy.sparse.csr_array((values, (upper.row, upper.col)), shape=(n, n))
    return (upper + upper.T).tocsr()


RUNS = [
    ("glauber", 0.6, "random"),
    ("glauber", 0.6, "sequential"),
    ("metropolis", 0.4, "random"),
    ("metropolis", 0.4, "sequential"),
    ("zero", None, "random"),
    ("zero", None, "sequential"),
    ("synchronous", None, None),
]


@pytest.mark.parametrize(
    ("p", "n", "with_fields"), [(3, 64, False), (7, 151, True), (40, 200, False)]
)
@pytest.mark.parametrize(("dynamics", "temperature", "order"), RUNS)
def test_pattern_backed_trajectories_are_bit_identical_to_dense(
    p, n, with_fields, dynamics, temperature, order
):
    """Every recorded energy, overlap and state, the final state and the flip counts of
    a pattern-backed run equal those of the dense integer run with the same seed."""
    dense, patterns = _hebbian_pair(p, n, p + n, with_fields)
    kwargs = {"dynamics": dynamics, "temperature": temperature, "sweeps": 30}
    if order is not None:
        kwargs["order"] = order
    runs = [
        spinmem.simulate(net, replicas=4, seed=9, record_states=True, **kwargs)
        for net in (dense, patterns)
    ]
    assert runs[0].energy.size > 4
    for name in runs[0].data_vars:
        np.testing.assert_array_equal(runs[0][name].values, runs[1][name].values)


def test_pattern_backed_relax_anneal_and_census_equal_dense():
    dense, patterns = _hebbian_pair(30, 300, 5, True)
    cues = spinmem.make_cues(dense.patterns[:5], 0.3, seed=1)
    a, b = (spinmem.relax(net, cues, seed=2) for net in (dense, patterns))
    xr.testing.assert_equal(a, b)  # attrs differ: the storage
    temps = np.linspace(2.0, 0.1, 8)
    a, b = (
        spinmem.anneal(net, temps, sweeps_per_step=3, replicas=3, seed=4)
        for net in (dense, patterns)
    )
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values)
    a, b = (spinmem.census(net, starts=40, seed=6) for net in (dense, patterns))
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values)


def test_sparse_runs_agree_with_dense_on_a_diluted_matrix():
    """Float couplings: the same decisions (a rounding difference in a field would
    have to fall within 1e-16 of a uniform number) and energies to rounding."""
    A = _diluted(300, 12, 1)
    theta = np.random.default_rng(2).normal(0, 0.2, 300)
    sparse = spinmem.Hopfield(A, theta)
    dense = spinmem.Hopfield(A.toarray(), theta)
    assert (sparse.storage, dense.storage) == ("sparse", "dense")
    for dynamics, temperature, order in RUNS:
        kwargs = {"dynamics": dynamics, "temperature": temperature, "sweeps": 25}
        if order is not None:
            kwargs["order"] = order
        a, b = (
            spinmem.simulate(net, replicas=3, seed=3, record_states=True, **kwargs)
            for net in (dense, sparse)
        )
        np.testing.assert_array_equal(a.state.values, b.state.values)
        np.testing.assert_allclose(a.energy.values, b.energy.values, rtol=0, atol=1e-10)


def test_integer_sparse_couplings_are_exact_and_bit_identical():
    """+-1 diluted couplings run through integer fields: identical trajectories."""
    A = _diluted(250, 8, 4, integer=True)
    sparse, dense = spinmem.Hopfield(A), spinmem.Hopfield(A.toarray())
    assert sparse.kernel_view().cp[3].dtype == np.int8
    a, b = (
        spinmem.simulate(
            net, temperature=1.5, sweeps=40, replicas=3, seed=1, record_states=True
        )
        for net in (dense, sparse)
    )
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values)


def _models():
    n = 200
    rng = np.random.default_rng(3)
    xi = spinmem.random_patterns(20, n, seed=4)
    theta = rng.normal(0, 0.2, n)
    A = _diluted(n, 10, 5)
    return {
        "dense float": (spinmem.Hopfield(sk_couplings(n, 4), theta), sk_couplings(n, 4)),
        "dense integer": (
            spinmem.Hopfield.hebbian(xi, theta, storage="dense"),
            _naive_hebbian(xi),
        ),
        "patterns": (
            spinmem.Hopfield.hebbian(xi, theta, storage="patterns"),
            _naive_hebbian(xi),
        ),
        "sparse float": (spinmem.Hopfield(A, theta), A.toarray()),
        "sparse integer": (
            spinmem.Hopfield(_diluted(n, 10, 6, integer=True), theta),
            _diluted(n, 10, 6, integer=True).toarray(),
        ),
    }


@pytest.mark.parametrize("kind", list(_models()))
def test_incremental_fields_and_energy_match_recomputation(kind):
    """After >= 1e5 accepted flips the kept fields, overlap counts and energy equal a
    fresh computation and a naive dense one."""
    net, J = _models()[kind]
    view, layout = net.kernel_view(), net.work_layout()
    rep = records.Replicas(
        np.ones(net.n_spins, np.int8),
        np.empty(layout.g_width, layout.g_dtype),
        np.empty(net.n_patterns, np.int32),
        np.empty(1),
        stream_states(np.random.SeedSequence(1), 1)[0],
    )
    energy = kernels.init_state(view, rep)
    # the scale of the fields: sqrt(degree) for the unnormalised sparse couplings
    temperature = 3.0 if kind.startswith("sparse") else 1.0
    de, flips = kernels.sweeps(
        view, rep, 1 / temperature, 3000, kernels.GLAUBER, kernels.RANDOM_ORDER
    )
    assert flips > 100_000
    s, g, counts = rep.s, rep.g, rep.counts
    fresh = rep._replace(g=np.empty_like(g), counts=np.empty_like(counts))
    e_fresh = kernels.init_state(view, fresh)
    fresh_g, fresh_counts = fresh.g, fresh.counts
    np.testing.assert_array_equal(counts, fresh_counts)
    if np.issubdtype(layout.g_dtype, np.integer):
        np.testing.assert_array_equal(g, fresh_g)
    if net.n_patterns:
        np.testing.assert_array_equal(counts, net.patterns.astype(np.int64) @ s)
    x = s.astype(np.float64)
    np.testing.assert_allclose(net.local_fields(s), J @ x + net.fields, rtol=0, atol=1e-11)
    naive = -0.5 * x @ J @ x - net.fields @ x
    assert energy + de == pytest.approx(e_fresh, abs=1e-9)
    assert e_fresh == pytest.approx(naive, abs=1e-9)
    assert float(net.energy(s)) == pytest.approx(naive, abs=1e-9)


@pytest.mark.parametrize("kind", list(_models()))
def test_model_measurements_agree_with_the_naive_dense_matrix(kind):
    net, J = _models()[kind]
    s = spinmem.make_cues(np.ones((5, net.n_spins), np.int8), 0.4, seed=3)
    x = s.astype(np.float64)
    h = x @ J + net.fields
    np.testing.assert_allclose(net.local_fields(s), h, rtol=0, atol=1e-11)
    np.testing.assert_allclose(
        net.energy(s), -0.5 * np.sum((x @ J) * x, axis=1) - x @ net.fields, atol=1e-9
    )
    norms = np.linalg.norm(J, axis=1)
    norms[norms == 0] = 1.0  # isolated spins: the model's convention
    np.testing.assert_allclose(net.stability(s), s * h / norms, rtol=1e-12, atol=1e-12)
    dense = net.couplings if net.storage != "sparse" else net.couplings.toarray()
    np.testing.assert_allclose(dense, J, rtol=0, atol=1e-15)
    if net.n_patterns:
        np.testing.assert_array_equal(net.overlaps(s), x @ net.patterns.T / net.n_spins)


def test_storage_conversions_round_trip():
    dense, patterns = _hebbian_pair(6, 120, 2, True)
    assert patterns.with_storage("dense").storage == "dense"
    np.testing.assert_array_equal(patterns.with_storage("dense").couplings, dense.couplings)
    sparse = dense.with_storage("sparse")
    np.testing.assert_array_equal(sparse.couplings.toarray(), dense.couplings)
    back = sparse.with_storage("patterns")
    assert back.storage == "patterns"
    np.testing.assert_array_equal(back.patterns, dense.patterns)
    general = spinmem.Hopfield(dense.couplings, dense.fields, dense.patterns)
    with pytest.raises(ValueError, match="not built by Hopfield.hebbian"):
        general.with_storage("patterns")
    with pytest.raises(ValueError, match="storage must be one of"):
        dense.with_storage("csr")
    with pytest.raises(
        ValueError, match=r"Hopfield.hebbian\(patterns, storage='patterns'\)"
    ):
        spinmem.Hopfield(dense.couplings, storage="patterns")


def test_memory_use_is_reported_per_storage():
    p, n = 14, 1000
    xi = spinmem.random_patterns(p, n, seed=0)
    dense = spinmem.Hopfield.hebbian(xi, storage="dense")
    patterns = spinmem.Hopfield.hebbian(xi, storage="patterns")
    # float64 J and int8 C, fields, (N, p) patterns
    assert dense.nbytes == 9 * n * n + 8 * n + n * p
    assert patterns.nbytes == 8 * n + n * p
    A = _diluted(n, 20, 1)
    sparse = spinmem.Hopfield(A)
    # the kernel shares scipy's float64 data and int32 indices; it adds int64 row
    # pointers next to scipy's int32 ones; fields
    nnz = sparse.couplings.nnz
    assert sparse.couplings.indptr.dtype == np.int32
    assert sparse.nbytes == 12 * nnz + 4 * (n + 1) + 8 * (n + 1) + 8 * n


def test_auto_storage_follows_size_and_memory(monkeypatch):
    monkeypatch.setattr(spinmem.model, "DENSE_MAX_SPINS", 300)
    assert (
        spinmem.Hopfield.hebbian(spinmem.random_patterns(2, 300, seed=0)).storage == "dense"
    )
    large = spinmem.random_patterns(2, 301, seed=0)
    assert spinmem.Hopfield.hebbian(large).storage == "patterns"
    monkeypatch.setattr(spinmem._checks, "available_memory", lambda: 10**6)
    assert spinmem.Hopfield.hebbian(large[:, :290]).storage == "patterns"


def test_pattern_backed_model_past_free_memory_is_refused(monkeypatch):
    monkeypatch.setattr(spinmem._checks, "available_memory", lambda: 10**5)
    with pytest.raises(
        MemoryError, match=r"random_patterns needs about .*p x N = 100 x 2000"
    ):
        spinmem.random_patterns(100, 2000, seed=0)
    xi = spinmem.random_patterns(10, 2000, seed=0)
    net = spinmem.Hopfield.hebbian(xi, storage="patterns")
    with pytest.raises(MemoryError, match=r"Hopfield.couplings needs about .* 2000 x 2000"):
        net.couplings  # noqa: B018


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        (scipy.sparse.csr_array(np.array([[0.0, 1.0], [2.0, 0.0]])), "must be symmetric"),
        (
            scipy.sparse.csr_array(np.array([[1.0, 1.0], [1.0, 0.0]])),
            r"zero diagonal.*J\[0,0\]",
        ),
        (scipy.sparse.csr_array(np.array([[0.0, np.nan], [np.nan, 0.0]])), "finite"),
        (scipy.sparse.csr_array(np.zeros((2, 3))), "square"),
        (scipy.sparse.csr_array(np.zeros((1, 1))), "N >= 2"),
        (scipy.sparse.csr_array(np.array([[0, 1j], [1j, 0]])), "real"),
    ],
)
def test_bad_sparse_couplings_are_refused(matrix, message):
    with pytest.raises((ValueError, TypeError), match=message):
        spinmem.Hopfield(matrix)


def test_sparse_input_forms_are_equivalent():
    """COO, CSC, duplicates summed, explicit zeros dropped, rounding asymmetry removed."""
    A = _diluted(50, 6, 2)
    ref = spinmem.Hopfield(A)
    coo = A.tocoo()
    doubled = scipy.sparse.coo_array(
        (
            np.concatenate([coo.data / 2, coo.data / 2]),
            (np.concatenate([coo.row, coo.row]), np.concatenate([coo.col, coo.col])),
        ),
        shape=A.shape,
    )
    tiny = A.copy()
    tiny.data = tiny.data * (1 + 1e-13 * np.random.default_rng(0).random(tiny.nnz))
    for other in (A.tocsc(), scipy.sparse.csr_matrix(A), doubled, tiny):
        net = spinmem.Hopfield(other)
        np.testing.assert_allclose(net.couplings.toarray(), A.toarray(), rtol=1e-12)
        assert np.array_equal(net.couplings.toarray(), net.couplings.toarray().T)
    assert ref.couplings.nnz == A.nnz


def test_unlearning_a_pattern_backed_model_matches_dense():
    dense, patterns = _hebbian_pair(8, 100, 3, False)
    a_net, a = spinmem.unlearn(dense, dreams=20, epsilon=0.01, seed=1, probes=3)
    b_net, b = spinmem.unlearn(patterns, dreams=20, epsilon=0.01, seed=1, probes=3)
    assert b_net.storage == "dense"
    np.testing.assert_array_equal(a_net.couplings, b_net.couplings)
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values)


def test_unlearning_refuses_a_model_whose_dense_form_does_not_fit(monkeypatch):
    xi = spinmem.random_patterns(5, 3000, seed=0)
    net = spinmem.Hopfield.hebbian(xi, storage="patterns")
    monkeypatch.setattr(spinmem._checks, "available_memory", lambda: 10**7)
    with pytest.raises(MemoryError, match=r"unlearn needs .*'patterns' model needs dense"):
        spinmem.unlearn(net, dreams=1, epsilon=0.01, seed=0)


def test_models_survive_pickling_in_every_storage():
    """Process workers receive models by pickle: same storage, same trajectories."""
    import pickle

    dense, patterns = _hebbian_pair(5, 80, 1, True)
    for net in (dense, patterns, spinmem.Hopfield(_diluted(80, 6, 1))):
        copy = pickle.loads(pickle.dumps(net))
        assert copy.storage == net.storage
        assert copy.kernel_view().tie == net.kernel_view().tie
        a, b = (
            spinmem.simulate(m, temperature=0.7, sweeps=10, replicas=2, seed=1)
            for m in (net, copy)
        )
        np.testing.assert_array_equal(a.energy.values, b.energy.values)
        with pytest.raises(AttributeError, match="immutable"):
            copy.fields = None


def test_pattern_transpose_kernel_and_numpy_agree(monkeypatch):
    """Both routes of the kernels' (N, p) pattern layout give numpy's transpose, on
    shapes that are not multiples of the kernel's 64 x 64 tiles."""
    from spinmem import _couplings

    xi = spinmem.random_patterns(70, 131, seed=3)
    small = _couplings.transposed(xi)
    monkeypatch.setattr(_couplings, "TRANSPOSE_KERNEL_SIZE", 1)
    tiled = _couplings.transposed(xi)
    for out in (small, tiled):
        assert out.flags.c_contiguous and out.dtype == np.int8
        np.testing.assert_array_equal(out, xi.T)
