"""Update drivers: the single-spin acceptance rules, sweeps of one replica, runs of
many replicas through blocks of sweeps, zero-temperature relaxation and synchronous
steps.
"""

import numpy as np
from numba import njit, prange

from .couplings import _field_of, _flip_of, init_state
from .xoshiro import _index, _uniform

# Dynamics codes (validated strings in the API map to these).
GLAUBER = 0
METROPOLIS = 1
ZERO = 2
# Site-order codes.
RANDOM_ORDER = 0
SEQUENTIAL_ORDER = 1


@njit(inline="always")
def _accept(rule, x, u):
    """Whether a proposed flip with ``x = beta * dE`` is accepted, given a uniform u.

    Glauber: probability 1 / (1 + exp(x)); Metropolis: min(1, exp(-x)). Both are
    bounded above by 1 / (1 + x + x**2 / 2) for x > 0, which rejects most proposals at
    low temperature without evaluating an exponential, and Glauber's is at least 1/2
    for x <= 0; the decision is the same as the exact comparison ``u < P``.
    """
    if rule == METROPOLIS:
        if x <= 0.0:
            return True
        if u * (1.0 + x + 0.5 * x * x) >= 1.0:
            return False
        return u < np.exp(-x)
    # Glauber (heat bath)
    if x > 0.0:
        if u * (1.0 + x + 0.5 * x * x) >= 1.0:
            return False
    elif u < 0.5:
        return True
    return u * (1.0 + np.exp(x)) < 1.0


@njit(cache=True)
def sweeps(
    kind, cp, fields, patterns_t, s, g, counts, rng, beta, n_sweeps, rule, order, tie
):
    """Run ``n_sweeps`` sweeps of one replica in place.

    Parameters
    ----------
    kind : ndarray
        Storage tag of ``cp`` (:func:`tag`).
    beta : float
        Inverse temperature; ignored by the zero-temperature rule.
    rule : int
        ``GLAUBER``, ``METROPOLIS`` or ``ZERO`` (``s_i <- sign(h_i)``, kept when
        ``|h_i| <= tie``).
    order : int
        ``RANDOM_ORDER`` (each attempt picks a uniform random site) or
        ``SEQUENTIAL_ORDER`` (sites 0..N-1 in turn).

    Returns
    -------
    (dE, flips)
        Energy change and number of accepted flips.
    """
    n = s.shape[0]
    s0, s1, s2, s3 = rng[0], rng[1], rng[2], rng[3]
    d_energy = 0.0
    flips = 0
    for _ in range(n_sweeps):
        for a in range(n):
            if order == RANDOM_ORDER:
                s0, s1, s2, s3, i = _index(s0, s1, s2, s3, n)
            else:
                i = a
            de = 2.0 * s[i] * _field_of(kind, cp, fields, patterns_t, s, g, counts, i)
            if rule == ZERO:
                flip = de < -2.0 * tie
            else:
                s0, s1, s2, s3, u = _uniform(s0, s1, s2, s3)
                flip = _accept(rule, beta * de, u)
            if flip:
                _flip_of(kind, cp, patterns_t, s, g, counts, i)
                d_energy += de
                flips += 1
    rng[0], rng[1], rng[2], rng[3] = s0, s1, s2, s3
    return d_energy, flips


@njit(cache=True)
def is_stuck(kind, cp, fields, patterns_t, s, g, counts, tie):
    """True when no spin can lower the energy by flipping: ``s_i h_i >= -tie`` for all i."""
    for i in range(s.shape[0]):
        if s[i] * _field_of(kind, cp, fields, patterns_t, s, g, counts, i) < -tie:
            return False
    return True


@njit(cache=True)
def _run_one(
    kind,
    cp,
    fields,
    patterns_t,
    s,
    g,
    counts,
    energy,
    rng,
    betas,
    block_sweeps,
    record,
    rule,
    order,
    tie,
    rec_energy,
    rec_counts,
    rec_states,
    first_slot,
    best_s,
    best_energy,
    flips,
):
    """Drive one replica through the blocks; see ``run_replicas``."""
    slot = first_slot
    for k in range(betas.shape[0]):
        for _ in range(block_sweeps[k]):
            de, nf = sweeps(
                kind,
                cp,
                fields,
                patterns_t,
                s,
                g,
                counts,
                rng,
                betas[k],
                1,
                rule,
                order,
                tie,
            )
            energy[0] += de
            flips[0] += nf
            if energy[0] < best_energy[0]:
                best_energy[0] = energy[0]
                best_s[:] = s
        if record[k]:
            rec_energy[slot] = energy[0]
            rec_counts[slot] = counts
            if rec_states.shape[0] > 0:
                rec_states[slot] = s
            slot += 1


@njit(cache=True, parallel=True)
def run_replicas(
    kind,
    cp,
    fields,
    patterns_t,
    s,
    g,
    counts,
    energy,
    rng,
    betas,
    block_sweeps,
    record,
    rule,
    order,
    tie,
    rec_energy,
    rec_counts,
    rec_states,
    first_slot,
    best_s,
    best_energy,
    flips,
):
    """Run R independent replicas through a sequence of blocks, in parallel threads.

    Block k runs ``block_sweeps[k]`` sweeps at inverse temperature ``betas[k]``; after it
    the energy, overlap counts (and states, unless ``rec_states`` has a time axis of
    length 0) are recorded in the next slot of the records when ``record[k]``, starting
    at slot ``first_slot`` (whole record buffers are passed, never slices, so that
    every call has the same array layouts and compiles once). The lowest energy seen at
    the end of any sweep and its state are kept in ``best_energy``/``best_s`` (which the
    caller initialises); ``flips`` counts accepted flips. All arrays have the replica as
    their first axis and are updated in place, so a run may be split into consecutive
    calls with the same numbers.
    """
    for r in prange(s.shape[0]):
        _run_one(
            kind,
            cp,
            fields,
            patterns_t,
            s[r],
            g[r],
            counts[r],
            energy[r : r + 1],
            rng[r],
            betas,
            block_sweeps,
            record,
            rule,
            order,
            tie,
            rec_energy[r],
            rec_counts[r],
            rec_states[r],
            first_slot,
            best_s[r],
            best_energy[r : r + 1],
            flips[r : r + 1],
        )


@njit(cache=True, parallel=True)
def sweep_replicas(
    kind,
    cp,
    fields,
    patterns_t,
    s,
    g,
    counts,
    energy,
    rng,
    betas,
    n_sweeps,
    rule,
    order,
    tie,
):
    """``n_sweeps`` sweeps of every replica r at its own inverse temperature
    ``betas[r]``, in parallel threads; ``energy[r]`` follows the changes."""
    for r in prange(s.shape[0]):
        de, _ = sweeps(
            kind,
            cp,
            fields,
            patterns_t,
            s[r],
            g[r],
            counts[r],
            rng[r],
            betas[r],
            n_sweeps,
            rule,
            order,
            tie,
        )
        energy[r] += de


@njit(cache=True, parallel=True)
def relax_replicas(
    kind,
    cp,
    fields,
    patterns_t,
    s,
    g,
    counts,
    rng,
    max_sweeps,
    order,
    tie,
    sweeps_done,
    converged,
):
    """Zero-temperature asynchronous dynamics of every replica to a fixed point.

    Stops a replica as soon as no spin can lower the energy (checked after each sweep);
    ``sweeps_done[r]`` counts the sweeps it took, ``converged[r]`` says whether it ended
    in a fixed point within ``max_sweeps``.
    """
    for r in prange(s.shape[0]):
        sweeps_done[r], converged[r] = relax_one(
            kind,
            cp,
            fields,
            patterns_t,
            s[r],
            g[r],
            counts[r],
            rng[r],
            max_sweeps,
            order,
            tie,
        )


@njit(cache=True)
def relax_one(kind, cp, fields, patterns_t, s, g, counts, rng, max_sweeps, order, tie):
    """Zero-temperature sweeps of one state until no spin can lower the energy.

    Returns the sweeps taken and whether a fixed point was reached within
    ``max_sweeps``.
    """
    done = 0
    ok = is_stuck(kind, cp, fields, patterns_t, s, g, counts, tie)
    while not ok and done < max_sweeps:
        sweeps(kind, cp, fields, patterns_t, s, g, counts, rng, 0.0, 1, ZERO, order, tie)
        done += 1
        ok = is_stuck(kind, cp, fields, patterns_t, s, g, counts, tie)
    return done, ok


@njit(cache=True, parallel=True)
def synchronous_replicas(
    kind,
    cp,
    fields,
    patterns_t,
    s,
    prev,
    first_step,
    steps,
    record,
    first_slot,
    tie,
    g_template,
    rec_energy,
    rec_counts,
    rec_states,
    cycle,
):
    """Synchronous zero-temperature dynamics ``s <- sign(h)`` (kept when ``|h_i| <=
    tie``) for every replica, ``steps`` steps.

    ``cycle[r]`` is set to 1 when replica r reached a fixed point, 2 when it entered a
    2-cycle (the state two steps back recurs), and 0 otherwise. ``prev[r]`` holds the
    state one step before ``s[r]``. A run may be split into consecutive calls:
    ``first_step`` counts the steps already taken (the first call, with 0, records the
    initial state in slot 0 and resets ``cycle``), and records after each step with
    ``record[t]`` go to the next slot after ``first_slot - 1``, as in ``run_replicas``.
    ``g_template`` is a work array of the coupling fields' dtype and length.
    """
    n_rep, n = s.shape
    p = patterns_t.shape[1]
    keep_states = rec_states.shape[1] > 0
    for r in prange(n_rep):
        cur = s[r]
        nxt = np.empty(n, np.int8)
        g = np.empty_like(g_template)
        counts = np.empty(p, np.int32)
        slot = first_slot - 1
        energy = init_state(kind, cp, fields, patterns_t, cur, g, counts)
        if first_step == 0:
            cycle[r] = 0
            slot = 0
            rec_energy[r, 0] = energy
            rec_counts[r, 0] = counts
            if keep_states:
                rec_states[r, 0] = cur
        for t in range(steps):
            for i in range(n):
                h = _field_of(kind, cp, fields, patterns_t, cur, g, counts, i)
                if h > tie:
                    nxt[i] = 1
                elif h < -tie:
                    nxt[i] = -1
                else:
                    nxt[i] = cur[i]
            if cycle[r] == 0:
                if np.all(nxt == cur):
                    cycle[r] = 1
                elif first_step + t > 0 and np.all(nxt == prev[r]):
                    cycle[r] = 2
            prev[r] = cur
            cur[:] = nxt
            energy = init_state(kind, cp, fields, patterns_t, cur, g, counts)
            if record[t]:
                slot += 1
                rec_energy[r, slot] = energy
                rec_counts[r, slot] = counts
                if keep_states:
                    rec_states[r, slot] = cur
