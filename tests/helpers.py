"""Helpers shared by the test modules: enumeration of states and Boltzmann checks."""

import signal

import numpy as np
from scipy import stats


def default_sigint() -> None:
    """``preexec_fn`` of a child that the test sends Ctrl-C: SIGINT acts even when
    the test runs as a background job, whose children inherit it ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def all_states(n: int) -> np.ndarray:
    """All 2**n +-1 states (2**n, n), state k has bit j of k as spin j (1 -> +1)."""
    bits = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    return (2 * bits - 1).astype(np.int8)


def state_index(states: np.ndarray) -> np.ndarray:
    """Inverse of :func:`all_states`: the index of each +-1 state."""
    bits = (np.asarray(states) > 0).astype(np.int64)
    return bits @ (1 << np.arange(bits.shape[-1]))


def boltzmann_chi_square(
    net, temperature: float, states, couplings=None, energy=None
) -> tuple[float, float, int]:
    """Pearson chi-square of sampled states against all 2**N Boltzmann weights.

    The energies come from ``couplings`` (dense, with the model's fields) or from the
    function ``energy`` of a float (K, N) state array when given, else from
    ``net.energy``. States with expected count >= 5 are bins of their own,
    the rest are pooled into one. Returns (chi2, p-value, degrees of freedom).
    """
    s = all_states(net.n_spins).astype(np.float64)
    if energy is not None:
        e = energy(s)
    elif couplings is None:
        e = net.energy(s.astype(np.int8))
    else:
        e = -0.5 * np.einsum("ri,ij,rj->r", s, couplings, s) - s @ net.fields
    weights = np.exp(-(e - e.min()) / temperature)
    expected = len(states) * weights / weights.sum()
    observed = np.bincount(state_index(states), minlength=2**net.n_spins)
    big = expected >= 5
    obs, exp = observed[big], expected[big]
    if not big.all():  # the pooled bin, when there is one
        obs = np.append(obs, observed[~big].sum())
        exp = np.append(exp, expected[~big].sum())
    chi2, p = stats.chisquare(obs, exp)
    return float(chi2), float(p), len(obs) - 1


def sk_couplings(n: int, seed: int) -> np.ndarray:
    """Sherrington-Kirkpatrick couplings J_ij ~ N(0, 1/n), symmetric, zero diagonal."""
    rng = np.random.default_rng(seed)
    a = rng.normal(0.0, 1.0 / np.sqrt(n), (n, n))
    J = np.triu(a, 1)
    return J + J.T
