"""Learning rules against direct computations of their formulas."""

import itertools
from math import comb

import numpy as np
import pytest
import scipy.sparse

import spinmem
from spinmem import rules


def _xi(p, n, seed=0):
    return spinmem.random_patterns(p, n, seed=seed)


def _hebbian(xi):
    x = xi.astype(np.float64)
    J = x.T @ x / xi.shape[1]
    np.fill_diagonal(J, 0)
    return J


def test_projection_matrix_projects_onto_the_patterns():
    """Before the diagonal is removed, J xi^mu = xi^mu; J equals the naive formula."""
    xi = _xi(30, 100)
    x = xi.astype(np.float64)
    C = x @ x.T / 100
    full = x.T @ np.linalg.inv(C) @ x / 100
    np.testing.assert_allclose(full @ x.T, x.T, atol=1e-9)
    J = rules.projection(xi).couplings
    np.fill_diagonal(full, 0)
    np.testing.assert_allclose(J, full, atol=1e-12)


@pytest.mark.parametrize("alpha", [0.3, 0.6, 0.9])
def test_projection_stores_every_pattern_up_to_alpha_near_one(alpha):
    """With the diagonal removed the field on pattern mu is (1 - J_ii) xi_i: all p
    patterns are fixed points as long as every J_ii < 1."""
    n = 200
    xi = _xi(round(alpha * n), n, seed=1)
    net = rules.projection(xi)
    x = xi.astype(np.float64)
    diag = np.diag(x.T @ np.linalg.inv(x @ x.T / n) @ x / n)
    assert diag.max() < 1
    assert np.all(net.is_fixed_point(xi))


def test_hebbian_fails_where_projection_succeeds():
    xi = _xi(60, 200, seed=1)  # alpha = 0.3, far above 0.138
    assert not np.all(spinmem.Hopfield.hebbian(xi).is_fixed_point(xi))
    assert np.all(rules.projection(xi).is_fixed_point(xi))


def test_dreaming_kernel_runs_from_hebbian_to_projection():
    xi = _xi(20, 100, seed=2)
    np.testing.assert_allclose(rules.dreaming(xi, 0.0).couplings, _hebbian(xi), atol=1e-14)
    proj = rules.projection(xi).couplings
    gaps = [np.abs(rules.dreaming(xi, t).couplings - proj).max() for t in (1, 10, 1e3, 1e6)]
    assert all(b < a for a, b in itertools.pairwise(gaps))
    assert gaps[-1] < 1e-5


def _storkey_naive(xi):
    p, n = xi.shape
    J = np.zeros((n, n))
    for mu in range(p):
        x = xi[mu].astype(np.float64)
        h = np.array(
            [
                [sum(J[i, k] * x[k] for k in range(n) if k not in (i, j)) for j in range(n)]
                for i in range(n)
            ]
        )
        new = J.copy()
        for i in range(n):
            for j in range(n):
                if i != j:
                    new[i, j] += (x[i] * x[j] - x[i] * h[j, i] - h[i, j] * x[j]) / n
        J = new
    return J


def test_storkey_matches_a_naive_loop():
    xi = _xi(4, 12, seed=3)
    np.testing.assert_allclose(rules.storkey(xi).couplings, _storkey_naive(xi), atol=1e-12)


def test_clipped_couplings_are_signs_with_exact_fields():
    xi = _xi(7, 60, seed=4)
    net = rules.clipped(xi)
    expected = np.sign(_hebbian(xi)) * np.sqrt(7) / 60
    np.testing.assert_allclose(net.couplings, expected, rtol=1e-15)
    s = _xi(3, 60, seed=5)
    np.testing.assert_allclose(net.local_fields(s), s @ expected, atol=1e-12)
    # signal on a stored pattern: each term sign(1 + S) with S a sum of p - 1 random
    # +-1, so <h_i xi_i> = sqrt(p) (N - 1)/N E[sign(1 + S)] exactly (0.813 here). The
    # N p = 420 values scatter with sd 0.33; the pair (i, j) enters h_i and h_j alike,
    # so the error of their mean is taken as sqrt(2) times the independent one, 0.023,
    # and 5 of those allowed.
    p, n = 7, 60
    sign_mean = sum(comb(p - 1, k) * np.sign(2 * k - p + 2) for k in range(p)) / 2 ** (
        p - 1
    )
    expected = np.sqrt(p) * (n - 1) / n * sign_mean
    values = net.local_fields(xi) * xi
    error = np.sqrt(2) * values.std() / np.sqrt(values.size)
    assert abs(values.mean() - expected) < 5 * error, (values.mean(), expected, error)


@pytest.mark.parametrize("c", [0.1, 0.5, 1.0])
def test_diluted_keeps_a_symmetric_fraction_c_of_hebbian_couplings(c):
    """N = 300: kept pairs are a binomial fraction c of the 44850 pairs (within 5
    standard errors), each equal to the Hebbian value over c; c = 1 is Hebbian."""
    n = 300
    xi = _xi(5, n, seed=6)
    net = rules.diluted(xi, c, seed=7)
    J = net.couplings
    J = J.toarray() if scipy.sparse.issparse(J) else J
    assert np.array_equal(J, J.T)
    upper = np.triu_indices(n, 1)
    hebb = _hebbian(xi)
    kept = J[upper] != 0
    pairs = upper[0].size
    nonzero = hebb[upper] != 0
    frac = kept.sum() / nonzero.sum()
    assert abs(frac - c) <= 5 * np.sqrt(c * (1 - c) / nonzero.sum()) + 1e-12
    np.testing.assert_allclose(J[upper][kept], hebb[upper][kept] / c, rtol=1e-12)
    assert net.storage == ("sparse" if c < rules.DILUTED_DENSE_FROM else "dense")
    assert pairs == n * (n - 1) // 2


@pytest.mark.parametrize("n, p", [(200, 20), (300, 90)])
def test_diluted_couplings_run_the_same_dense_and_sparse(n, p):
    """At c = 0.5 "auto" keeps the couplings dense (the faster form there); relaxation
    and Glauber dynamics give the same states, energies and overlaps bit for bit as
    the same couplings kept sparse, for integer (p = 20) and float64 (p = 90: the
    values v / (c N) are not exact multiples of 1/N) kernel couplings."""
    xi = _xi(p, n, seed=11)
    auto = rules.diluted(xi, 0.5, seed=12)
    sparse = rules.diluted(xi, 0.5, seed=12, storage="sparse")
    assert auto.storage == "dense" and sparse.storage == "sparse"
    assert auto.kernel_view().cp[0].dtype == (np.int8 if p == 20 else np.float64)
    cues = spinmem.make_cues(xi[:10], 0.2, seed=13)
    a, b = (spinmem.relax(net, cues, seed=14, max_sweeps=100) for net in (auto, sparse))
    assert a.identical(b.assign_attrs(a.attrs))
    options = dict(temperature=0.4, sweeps=20, init=cues, seed=15, progress=False)
    a, b = (spinmem.simulate(net, **options) for net in (auto, sparse))
    assert a.identical(b.assign_attrs(a.attrs))


def test_diluted_is_reproducible_and_seed_dependent():
    xi = _xi(3, 100, seed=8)
    a = rules.diluted(xi, 0.2, seed=1).couplings
    b = rules.diluted(xi, 0.2, seed=1).couplings
    c = rules.diluted(xi, 0.2, seed=2).couplings
    assert (a != b).nnz == 0 and (a != c).nnz > 0


def test_centred_rule_removes_the_bias():
    xi = spinmem.random_patterns(5, 200, bias=0.4, seed=9)
    a = xi.mean()
    x = xi - a
    expected = x.T @ x / 200
    np.fill_diagonal(expected, 0)
    np.testing.assert_allclose(rules.centred(xi).couplings, expected, atol=1e-12)
    np.testing.assert_allclose(
        rules.centred(xi, bias=0.0).couplings, _hebbian(xi), atol=1e-12
    )


def test_rules_keep_their_patterns():
    xi = _xi(3, 50, seed=10)
    for net in (
        rules.projection(xi),
        rules.dreaming(xi, 2.0),
        rules.storkey(xi),
        rules.clipped(xi),
        rules.diluted(xi, 0.5, seed=0),
        rules.centred(xi),
    ):
        np.testing.assert_array_equal(net.patterns, xi)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: rules.projection(_xi(20, 10)), "p <= N"),
        (lambda: rules.dreaming(_xi(2, 10), -1.0), "t must be >= 0"),
        (lambda: rules.diluted(_xi(2, 10), 0.0), "c must be > 0"),
        (lambda: rules.diluted(_xi(2, 10), 1.5), "c must be <= 1"),
        (lambda: rules.diluted(_xi(2, 10), 0.5, storage="patterns"), "storage"),
        (lambda: rules.centred(_xi(2, 10), bias=1.0), "bias must lie in"),
        (lambda: rules.clipped(np.zeros((2, 10))), "patterns"),
        (lambda: rules.symmetric_perceptron(_xi(2, 10), -0.1), "kappa must be >= 0"),
        (lambda: rules.symmetric_perceptron(_xi(2, 10), start="random"), "start"),
        (lambda: rules.symmetric_perceptron(_xi(2, 10), max_steps=0), "max_steps"),
        (lambda: spinmem.theory.gardner_capacity(-1.0), "kappa must be finite and >= 0"),
    ],
)
def test_bad_input_is_refused(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


# ---------------------------------------------------------------- symmetric perceptron


def _feasible(xi: np.ndarray) -> bool:
    """Whether symmetric couplings with zero diagonal store every pattern with every
    spin aligned with a non-zero field: the linear program of docs/physics.md section
    11 in the N(N-1)/2 couplings, posed as the largest margin t with xi_i h_i >= t and
    |J_ij| <= 1 (bounded, so the solver always reaches an optimum): t > 0 when such
    couplings exist, t = 0 (J = 0) when not. No instance below is borderline."""
    from scipy.optimize import linprog

    p, n = xi.shape
    upper = np.triu_indices(n, 1)
    pairs = upper[0].size
    index = np.zeros((n, n), dtype=int)
    index[upper] = index[upper[::-1]] = np.arange(pairs)
    rows, cols, vals = [], [], []
    for k, (mu, i) in enumerate(itertools.product(range(p), range(n))):
        others = np.delete(np.arange(n), i)
        rows += [k] * (n - 1) + [k]
        cols += [*index[i, others], pairs]
        vals += [*(-xi[mu, i] * xi[mu, others]), 1.0]
    a = scipy.sparse.csr_array((vals, (rows, cols)), shape=(p * n, pairs + 1))
    cost = np.zeros(pairs + 1)
    cost[-1] = -1.0
    bounds = [(-1.0, 1.0)] * pairs + [(None, 1.0)]
    result = linprog(cost, A_ub=a, b_ub=np.zeros(p * n), bounds=bounds)
    assert result.status == 0, result.message
    margin = -result.fun
    assert margin < 1e-9 or margin > 1e-6, margin  # not a borderline instance
    return margin > 1e-6


def _against_the_linear_program(n, alphas, seeds):
    """The perceptron converges on every instance the program says is feasible and
    reports failure on every other; loads cross the program's own limit."""
    verdicts = []
    for alpha, s in itertools.product(alphas, range(seeds)):
        xi = spinmem.random_patterns(
            round(alpha * n), n, seed=np.random.SeedSequence([n, s, round(100 * alpha)])
        )
        learned = rules.symmetric_perceptron(xi, max_steps=10_000)
        feasible = _feasible(xi.astype(np.float64))
        assert learned.converged == feasible, (alpha, s, learned.min_stability)
        verdicts.append(feasible)
        if learned.converged:
            assert learned.model.is_fixed_point(xi, strict=True).all()
    assert any(verdicts) and not all(verdicts)


def test_symmetric_perceptron_finds_couplings_exactly_when_they_exist():
    _against_the_linear_program(20, (0.5, 1.0, 1.25, 1.5, 2.0), seeds=2)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("n", "alphas", "seeds"),
    [(40, (0.5, 1.0, 1.2, 1.4, 1.6, 2.0), 2), (60, (1.0, 1.6), 1)],  # N = 60: 2 min of LP
)
def test_symmetric_perceptron_against_the_linear_program_at_larger_n(n, alphas, seeds):
    _against_the_linear_program(n, alphas, seeds)


def test_learned_couplings_are_symmetric_with_the_margin_reported():
    """Symmetric, zero diagonal, integer multiples of 1/N; the reported smallest
    stability is the model's own, above kappa when converged, from either start."""
    xi = _xi(12, 60, seed=3)
    for kappa, start in ((0.0, "hebbian"), (0.4, "hebbian"), (0.4, "zero")):
        learned = rules.symmetric_perceptron(xi, kappa, start=start)
        J = learned.model.couplings
        assert learned.converged
        np.testing.assert_array_equal(J, J.T)
        assert not np.diag(J).any()
        np.testing.assert_allclose(J * 60, np.rint(J * 60), rtol=0, atol=1e-9)
        stability = learned.model.stability()
        assert learned.min_stability == pytest.approx(stability.min(), abs=1e-12)
        assert learned.min_stability > kappa
    unfinished = rules.symmetric_perceptron(_xi(90, 60, seed=4), max_steps=3)
    assert not unfinished.converged and unfinished.steps == 3
    assert unfinished.min_stability == pytest.approx(
        unfinished.model.stability().min(), abs=1e-12
    )


def test_gardner_capacity_against_its_integral():
    """alpha_c(kappa) = 1 / int_{-kappa}^inf Dt (t + kappa)^2, by quadrature; 2 at
    kappa = 0, 1/(1/2 + ...) decreasing in kappa."""
    from scipy import integrate, stats

    assert spinmem.theory.gardner_capacity(0.0) == 2.0
    kappas = np.array([0.25, 0.5, 1.0, 2.0])
    for k, closed in zip(kappas, spinmem.theory.gardner_capacity(kappas), strict=True):
        moment, _ = integrate.quad(
            lambda t, k=k: (t + k) ** 2 * stats.norm.pdf(t), -k, np.inf
        )
        assert closed == pytest.approx(1.0 / moment, rel=1e-10)
    assert np.all(np.diff(spinmem.theory.gardner_capacity(kappas)) < 0)
