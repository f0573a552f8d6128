"""Parallel tempering against exact enumeration and the exchange rule itself."""

import numpy as np
import pytest
from helpers import boltzmann_chi_square, sk_couplings

import spinmem
from spinmem import kernels
from spinmem._engine import init_work
from spinmem._kernels import records
from spinmem.seeding import stream_states

TEMPS = np.array([0.35, 0.6, 1.0, 1.6])


def _models():
    n = 10
    rng = np.random.default_rng(11)
    sk = spinmem.Hopfield(sk_couplings(n, 12), fields=rng.normal(0, 0.2, n))
    xi = spinmem.random_patterns(2, n, seed=13)
    hebbian = spinmem.Hopfield.hebbian(xi, rng.normal(0, 0.1, n), storage="patterns")
    x = xi.astype(np.float64)
    J = x.T @ x / n
    np.fill_diagonal(J, 0.0)
    return {"sk": (sk, sk_couplings(n, 12)), "hebbian": (hebbian, J)}


@pytest.mark.parametrize("kind", ["sk", "hebbian"])
def test_every_temperature_samples_its_boltzmann_distribution(kind):
    """Final states of 20000 independent chains at each of 4 temperatures against all
    2**10 Boltzmann weights; each p-value must exceed 1e-4 / 4 (Bonferroni), a 1-in-10^4
    event for a correct sampler."""
    net, J = _models()[kind]
    ds = spinmem.temper(net, TEMPS, sweeps=40, chains=20_000, seed=5, record_every=40)
    for k, t in enumerate(TEMPS):
        chi2, p, dof = boltzmann_chi_square(net, t, ds.state.values[:, k], couplings=J)
        assert p > 1e-4 / TEMPS.size, f"T={t}: chi2={chi2:.1f} for {dof} dof, p={p:.2e}"
    assert np.all(ds.swap_acceptance > 0.05)


def _always_swap(ladder, energy):
    """A wrong exchange rule: every neighbouring pair swaps."""
    at = ladder.at
    for k in range(at.shape[1] - 1):
        at[:, [k, k + 1]] = at[:, [k + 1, k]]
        ladder.accepted[k] += at.shape[0]
        ladder.attempted[k] += at.shape[0]


def _ladder(betas, at, swap_rng):
    """A :class:`Ladder` record with no exchange or round trip counted yet."""
    k_temps, n_rep = at.shape[1], at.size
    return records.Ladder(
        betas, at, swap_rng,
        np.zeros(k_temps - 1, np.int64), np.zeros(k_temps - 1, np.int64),
        np.zeros(n_rep, np.int8), np.zeros(n_rep, np.int64),
    )  # fmt: skip


def _reference_temper(net, temps, *, sweeps, chains, seed, swap_every=1, swap=None):
    """Parallel tempering written out in Python around the one-step kernels (sweeps of
    all replicas, one exchange pass, the round-trip labels), recording every round:
    an independent statement of what :func:`spinmem.temper` computes."""
    swap = kernels.swap_round if swap is None else swap
    k_temps, n_rep = temps.size, chains * temps.size
    root = np.random.SeedSequence(seed)
    rng, swap_rng = stream_states(root, n_rep), stream_states(root, chains, 1)
    s = np.empty((n_rep, net.n_spins), dtype=np.int8)
    for r in range(n_rep):
        kernels.random_spins(rng[r], s[r])
    reps = init_work(net, s, rng)
    view = net.kernel_view()
    at = np.arange(n_rep, dtype=np.int64).reshape(chains, k_temps)
    ladder = _ladder(1.0 / temps, at, swap_rng)
    kernels.track_trips(ladder)
    energies = []
    for _ in range(sweeps // swap_every):
        beta_of = np.empty(n_rep)
        beta_of[at] = ladder.betas[None, :]
        kernels.sweep_replicas(
            view, reps, beta_of, swap_every, kernels.METROPOLIS, kernels.RANDOM_ORDER
        )
        swap(ladder, reps.energy)
        kernels.track_trips(ladder)
        energies.append(reps.energy[at])
    return {
        "state": s[at],
        "energy": np.stack(energies, axis=-1),
        "swap_acceptance": ladder.accepted / np.maximum(ladder.attempted, 1),
        "round_trips": ladder.trips.reshape(chains, k_temps),
    }


@pytest.mark.parametrize("kind", ["sk", "hebbian"])
@pytest.mark.parametrize("chains", [1, 2, 3])
def test_temper_equals_the_one_step_kernels_written_out(kind, chains):
    """The compiled round loop and the Python loop over the one-step kernels give the
    same numbers bit for bit, on one thread (whole chain pairs per thread) and on
    all of them (replicas of a round across threads when pairs are fewer)."""
    import numba

    net, _ = _models()[kind]
    want = _reference_temper(net, TEMPS, sweeps=60, chains=chains, seed=8, swap_every=2)
    threads = numba.get_num_threads()
    for use in sorted({1, threads}):
        numba.set_num_threads(use)
        try:
            got = spinmem.temper(net, TEMPS, sweeps=60, chains=chains, seed=8, swap_every=2)
        finally:
            numba.set_num_threads(threads)
        for name, value in want.items():
            np.testing.assert_array_equal(got[name].values, value, err_msg=name)
        if chains >= 2:
            s = got.state.values.astype(np.float64)
            q = np.sum(s[0] * s[1], -1) / net.n_spins
            np.testing.assert_array_equal(got.q.values[0, :, -1], q)


def test_chi_square_detects_a_wrong_exchange_rule():
    """The enumeration test has power: the same sampler with swaps always accepted
    sends the coldest temperature states that were just at the next one, and fails;
    with the exact rule it passes."""
    net, J = _models()["sk"]
    p_values = []
    for swap in (kernels.swap_round, _always_swap):
        out = _reference_temper(net, TEMPS, sweeps=40, chains=20_000, seed=5, swap=swap)
        p_values.append(
            boltzmann_chi_square(net, TEMPS[0], out["state"][:, 0], couplings=J)[1]
        )
    assert p_values[0] > 1e-4 and p_values[1] < 1e-10


def test_exchange_satisfies_detailed_balance():
    """For two fixed energies the measured exchange probabilities in both directions
    match min(1, exp(dbeta dE)) within 5 binomial standard errors, and
    pi(a, b) P(a, b -> b, a) = pi(b, a) P(b, a -> a, b)."""
    betas = np.array([2.0, 1.25])
    e_a, e_b = -3.0, -2.2
    chains = 200_000
    rates = []
    for first, second in ((e_a, e_b), (e_b, e_a)):
        energy = np.tile([first, second], chains)
        at = np.arange(2 * chains, dtype=np.int64).reshape(chains, 2)
        rng = stream_states(np.random.SeedSequence(3), chains)
        ladder = _ladder(betas, at, rng)
        kernels.swap_round(ladder, energy)
        acc, att = ladder.accepted, ladder.attempted
        assert att[0] == chains
        rate = acc[0] / chains
        exact = min(1.0, np.exp((betas[0] - betas[1]) * (first - second)))
        assert abs(rate - exact) < 5 * np.sqrt(exact * (1 - exact) / chains) + 1e-12
        rates.append(rate)
    weight_ab = np.exp(-betas[0] * e_a - betas[1] * e_b)
    weight_ba = np.exp(-betas[0] * e_b - betas[1] * e_a)
    flow, back = weight_ab * rates[0], weight_ba * rates[1]
    # rates[1] is exactly 1 here (the move downhill); the binomial relative error of
    # rates[0] sets the tolerance
    assert rates[1] == 1.0
    assert flow == pytest.approx(
        back, rel=5 * np.sqrt((1 - rates[0]) / (rates[0] * chains))
    )


def test_results_do_not_depend_on_threads_and_energies_stay_exact():
    import numba

    net, _ = _models()["hebbian"]
    kwargs = {"sweeps": 30, "chains": 3, "seed": 2, "swap_every": 3, "record_every": 2}
    a = spinmem.temper(net, TEMPS, **kwargs)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        b = spinmem.temper(net, TEMPS, **kwargs)
    finally:
        numba.set_num_threads(threads)
    for name in a.data_vars:
        np.testing.assert_array_equal(a[name].values, b[name].values)
    # the kept energies equal the model's energies of the final states
    np.testing.assert_allclose(
        a.energy.values[:, :, -1], net.energy(a.state.values), rtol=0, atol=1e-12
    )
    m = net.overlaps(a.state.values)
    np.testing.assert_allclose(a.overlap.values[:, :, -1], m, atol=1e-15)
    s = a.state.values.astype(float)
    np.testing.assert_allclose(a.q.values[0, :, -1], np.sum(s[0] * s[1], -1) / 10)
    assert a.sweep.values[-1] == 30 and a.sizes["pair"] == 1


def test_round_trips_are_counted_cold_hot_cold():
    """A ladder at temperatures that barely differ swaps almost always. With the pairs
    (0,1), (1,2), ... tried in turn, the coldest replica is carried to the hottest
    temperature within one round and every other one moves down one step per round:
    each replica cycles with period K rounds, one trip each, so the 2 chains of 4
    replicas make at most 2 * 400 trips in 400 rounds and nearly that many."""
    net, _ = _models()["sk"]
    temps = np.linspace(2.0, 2.02, 4)
    ds = spinmem.temper(net, temps, sweeps=400, chains=2, seed=1)
    assert np.all(ds.swap_acceptance > 0.9)
    trips = int(ds.round_trips.sum())
    assert 0.9 * 800 < trips <= 800


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"temperatures": [1.0]}, "K >= 2"),
        ({"temperatures": [1.0, 0.5]}, "strictly increasing"),
        ({"temperatures": [0.0, 0.5]}, "> 0"),
        ({"sweeps": 10, "swap_every": 3}, "multiple of swap_every"),
        ({"dynamics": "zero"}, "dynamics must be one of"),
        ({"chains": 0}, "chains"),
        ({"init": np.ones((3, 10), np.int8)}, "chains \\* K = 8"),
    ],
)
def test_bad_input_is_refused(kwargs, message):
    net, _ = _models()["sk"]
    args = {"temperatures": [0.5, 1.0], "sweeps": 12, "chains": 4, **kwargs}
    with pytest.raises((ValueError, TypeError), match=message):
        spinmem.temper(net, args.pop("temperatures"), **args)
