"""Update drivers: the single-spin acceptance rules, sweeps of one replica, runs of
many replicas through blocks of sweeps, zero-temperature relaxation and synchronous
steps.
"""

import numpy as np
from numba import prange

from .._jit import cached_njit, inner_njit
from .couplings import _field_of, _flip_of, _init_state
from .records import KernelView, Replicas, copy, one, row
from .xoshiro import _index, _uniform

# Dynamics codes (validated strings in the API map to these).
GLAUBER = 0
METROPOLIS = 1
ZERO = 2
# Site-order codes.
RANDOM_ORDER = 0
SEQUENTIAL_ORDER = 1


@inner_njit
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


@inner_njit
def _sweeps(view, rep, beta, n_sweeps, rule, order):
    """Run ``n_sweeps`` sweeps of one replica ``rep`` in place (:func:`sweeps`, which
    Python calls; the drivers call this one, compiled without a Python wrapper).

    Parameters
    ----------
    view : KernelView
        The model (:class:`spinmem._kernels.records.KernelView`).
    rep : Replicas
        One replica (:func:`spinmem._kernels.records.one`); its energy is not updated.
    beta : float
        Inverse temperature; ignored by the zero-temperature rule.
    rule : int
        ``GLAUBER``, ``METROPOLIS`` or ``ZERO`` (``s_i <- sign(h_i)``, kept when
        ``|h_i| <= view.tie``).
    order : int
        ``RANDOM_ORDER`` (each attempt picks a uniform random site) or
        ``SEQUENTIAL_ORDER`` (sites 0..N-1 in turn).

    Returns
    -------
    (dE, flips)
        Energy change and number of accepted flips.
    """
    s, rng, tie = rep.s, rep.rng, view.tie
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
            de = 2.0 * s[i] * _field_of(view, rep, i)
            if rule == ZERO:
                flip = de < -2.0 * tie
            else:
                s0, s1, s2, s3, u = _uniform(s0, s1, s2, s3)
                flip = _accept(rule, beta * de, u)
            if flip:
                _flip_of(view, rep, i)
                d_energy += de
                flips += 1
    rng[0], rng[1], rng[2], rng[3] = s0, s1, s2, s3
    return d_energy, flips


@cached_njit()
def sweeps(view, rep, beta, n_sweeps, rule, order):
    """:func:`_sweeps` from Python: ``n_sweeps`` sweeps of one replica ``rep`` in
    place; returns the energy change and the number of accepted flips."""
    return _sweeps(view, rep, beta, n_sweeps, rule, order)


@cached_njit()
def is_stuck(view, rep):
    """True when no spin of ``rep`` can lower the energy by flipping: ``s_i h_i >=
    -tie`` for all i (:func:`relax_one` with no sweeps allowed)."""
    return _relax_one(view, rep, np.int64(0), np.int64(RANDOM_ORDER))[1]


@cached_njit(nogil=True)
def run_replicas(view, reps, blocks, rule, order, rec, first_slot, best, first, stop):
    """Run replicas ``first .. stop - 1`` through a schedule of blocks.

    Block k runs ``blocks.sweeps[k]`` sweeps at inverse temperature
    ``blocks.betas[k]``; after it the energy, overlap counts (and states, unless
    ``rec.states`` has a time axis of length 0) are recorded in the next slot of the
    :class:`Records` ``rec`` when ``blocks.record[k]``, starting at slot
    ``first_slot`` (whole record buffers are passed, never slices, so that every call
    has the same array layouts and compiles once). The lowest energy seen at the end of
    any sweep and its state are kept in ``best`` (:class:`Best`, which the caller
    initialises), with the accepted flips. Everything is updated in place, so a run may
    be split into consecutive calls with the same numbers. The GIL is released: blocks
    of replicas may run in concurrent threads.
    """
    keep_states = rec.states.shape[1] > 0
    for r in range(first, stop):
        rep = one(reps, r)
        energy = rep.energy
        rec_r = row(rec, r)
        slot = first_slot
        for k in range(blocks.betas.shape[0]):
            for _ in range(blocks.sweeps[k]):
                de, nf = _sweeps(view, rep, blocks.betas[k], np.int64(1), rule, order)
                energy[0] += de
                best.flips[r] += nf
                if energy[0] < best.energy[r]:
                    best.energy[r] = energy[0]
                    copy(rep.s, best.s[r])
            if blocks.record[k]:
                _record_slot(rep, rec_r, slot, keep_states)
                slot += 1


@cached_njit(parallel=True)
def sweep_replicas(view, reps, betas, n_sweeps, rule, order):
    """``n_sweeps`` sweeps of every replica r at its own inverse temperature
    ``betas[r]``, in parallel threads; ``reps.energy[r]`` follows the changes."""
    tag, (c, indptr, indices, data, scale), fields, xi_t, tie = view
    s, g, counts, energy, rng = reps
    for r in prange(s.shape[0]):
        _sweep_one(
            KernelView(tag, (c, indptr, indices, data, scale), fields, xi_t, tie),
            Replicas(s[r], g[r], counts[r], energy[r : r + 1], rng[r]),
            betas[r],
            n_sweeps,
            rule,
            order,
        )


@inner_njit
def _sweep_one(view, rep, beta, n_sweeps, rule, order):
    """:func:`sweeps` of one replica, its energy following the changes (here, not in
    the parallel loop: there, ``energy[r] += de`` next to the view ``energy[r : r +
    1]`` added wrong amounts)."""
    de, _ = _sweeps(view, rep, beta, n_sweeps, rule, order)
    rep.energy[0] += de


@cached_njit(nogil=True)
def relax_replicas(view, reps, max_sweeps, order, sweeps_done, converged, first, stop):
    """Zero-temperature asynchronous dynamics of replicas ``first .. stop - 1`` to a
    fixed point.

    Stops a replica as soon as no spin can lower the energy (checked before each
    sweep); ``sweeps_done[r]`` counts the sweeps it took, ``converged[r]`` says whether
    it ended in a fixed point within ``max_sweeps``. Energies are not kept. The GIL is
    released: blocks of replicas may run in concurrent threads.
    """
    for r in range(first, stop):
        rep = one(reps, r)
        done = 0
        while True:
            stuck = True  # no spin can lower the energy (is_stuck: this with no sweeps)
            for i in range(rep.s.shape[0]):
                if rep.s[i] * _field_of(view, rep, i) < -view.tie:
                    stuck = False
                    break
            if stuck or done >= max_sweeps:
                break
            _sweeps(view, rep, 0.0, np.int64(1), np.int64(ZERO), order)
            done += 1
        sweeps_done[r], converged[r] = done, stuck


@inner_njit
def _relax_one(view, rep, max_sweeps, order):
    """:func:`relax_replicas` of one replica ``rep`` (:func:`one`), through the same
    compiled code: returns the sweeps taken and whether a fixed point was reached within
    ``max_sweeps`` (:func:`relax_one` from Python)."""
    n, w, p = rep.s.shape[0], rep.g.shape[0], rep.counts.shape[0]
    reps = Replicas(
        rep.s.reshape((1, n)), rep.g.reshape((1, w)), rep.counts.reshape((1, p)),
        rep.energy, rep.rng.reshape((1, 4)),
    )  # fmt: skip
    done = np.zeros(1, np.int64)
    converged = np.zeros(1, np.bool_)
    relax_replicas(
        view, reps, max_sweeps, order, done, converged, np.int64(0), np.int64(1)
    )  # int64, not literals: the signature the Python callers compile
    return done[0], converged[0]


@cached_njit()
def relax_one(view, rep, max_sweeps, order):
    """:func:`_relax_one` from Python: the sweeps taken and whether ``rep`` reached a
    fixed point within ``max_sweeps``."""
    return _relax_one(view, rep, max_sweeps, order)


@cached_njit(nogil=True)
def synchronous_replicas(view, s, prev, steps, rec, first_slot, g_row, cycle, first, stop):
    """Synchronous zero-temperature dynamics ``s <- sign(h)`` (kept when ``|h_i| <=
    view.tie``) of replicas ``first .. stop - 1`` through the steps of ``steps``
    (:class:`spinmem._kernels.records.Steps`).

    ``cycle[r]`` is set to 1 when replica r reached a fixed point, 2 when it entered a
    2-cycle (the state two steps back recurs), and 0 otherwise. ``prev[r]`` holds the
    state one step before ``s[r]``. A run may be split into consecutive calls:
    ``steps.first`` counts the steps already taken (the first call, with 0, records the
    initial state in slot 0 and resets ``cycle``), and records after each step with
    ``steps.record[t]`` go to the next slot after ``first_slot - 1``, as in
    :func:`run_replicas`. ``g_row`` is a work array of the coupling fields' dtype and
    length. The GIL is released: blocks of replicas may run in concurrent threads.
    """
    n = s.shape[1]
    p = view.patterns_t.shape[1]
    for r in range(first, stop):
        rep = Replicas(
            s[r], np.empty_like(g_row), np.empty(p, np.int32), np.empty(1),
            np.empty(0, np.uint64),
        )  # fmt: skip
        rec_r = row(rec, r)
        _synchronous_one(
            view, rep, prev[r], np.empty(n, np.int8), steps, rec_r, first_slot,
            cycle[r : r + 1],
        )  # fmt: skip


@cached_njit()
def _synchronous_one(view, rep, prev, nxt, steps, rec, first_slot, cycle):
    """:func:`synchronous_replicas` for one replica (``cycle`` a 1-element view)."""
    cur, tie = rep.s, view.tie
    keep_states = rec.states.shape[0] > 0
    slot = first_slot - 1
    _init_state(view, rep)
    if steps.first == 0:
        cycle[0] = 0
        slot = 0
        _record_slot(rep, rec, slot, keep_states)
    for t in range(steps.record.shape[0]):
        for i in range(cur.shape[0]):
            h = _field_of(view, rep, i)
            if h > tie:
                nxt[i] = 1
            elif h < -tie:
                nxt[i] = -1
            else:
                nxt[i] = cur[i]
        if cycle[0] == 0:
            if _same(nxt, cur):
                cycle[0] = 1
            elif steps.first + t > 0 and _same(nxt, prev):
                cycle[0] = 2
        copy(cur, prev)
        copy(nxt, cur)
        _init_state(view, rep)
        if steps.record[t]:
            slot += 1
            _record_slot(rep, rec, slot, keep_states)


@inner_njit
def _record_slot(rep, rec, slot, keep_states):
    """Energy, overlap counts (and the state) of ``rep`` into slot ``slot`` of one
    replica's :class:`spinmem._kernels.records.Records`: the one place where runs
    record."""
    rec.energy[slot] = rep.energy[0]
    copy(rep.counts, rec.counts[slot])
    if keep_states:
        copy(rep.s, rec.states[slot])


@inner_njit
def _same(a, b):
    """Whether two 1-D arrays are equal element by element."""
    for k in range(a.shape[0]):
        if a[k] != b[k]:
            return False
    return True
