"""Hopfield-Feinstein-Palmer unlearning: blocks of dreams, each a relaxation from a
random state followed by the anti-Hebbian update of the couplings.
"""

import numpy as np

from .._jit import cached_njit
from .couplings import _init_state
from .records import Replicas
from .updates import GLAUBER, _relax_one, _sweeps
from .xoshiro import random_spins


@cached_njit()
def dream_block(
    couplings, view, rng, n_dreams, epsilon, beta, dream_sweeps, order, max_sweeps
):
    """Hopfield-Feinstein-Palmer unlearning: ``n_dreams`` dreams on float64 couplings.

    Each dream draws a uniform random state, relaxes it (zero-temperature asynchronous
    dynamics to a fixed point when ``beta == 0``; otherwise ``dream_sweeps`` Glauber
    sweeps at inverse temperature ``beta``) and subtracts ``epsilon / N s*_i s*_j`` from
    every off-diagonal coupling, in place. Dreams are sequential: each one sees the
    couplings left by the previous one. Returns the number of zero-temperature dreams
    that did not reach a fixed point within ``max_sweeps``.

    ``view`` describes the same couplings as dense (scale 1) through a read-only view,
    with a read-only (N, 0) pattern array: the dynamics read through it, so that they
    run the same compiled code as on a model's (read-only) arrays instead of compiling
    a second version for writable ones.
    """
    n = couplings.shape[0]
    rep = Replicas(
        np.empty(n, np.int8), np.empty(n), np.zeros(0, np.int32), np.empty(1), rng
    )
    s = rep.s
    step = epsilon / n
    stuck = 0
    for _ in range(n_dreams):
        random_spins(rng, s)
        _init_state(view, rep)
        if beta == 0.0:
            _, ok = _relax_one(view, rep, max_sweeps, order)
            stuck += not ok
        else:
            _sweeps(view, rep, beta, dream_sweeps, np.int64(GLAUBER), order)
        for i in range(n):
            row = couplings[i]
            c = step * s[i]
            for j in range(n):
                row[j] -= c * s[j]
            row[i] = 0.0
    return stuck
