"""Module-level sweep functions for the tests (importable by worker processes)."""

import os
import time

import numpy as np

import spinmem


def _count_call(**point):
    path = os.environ.get("SPINMEM_TEST_CALLS")
    if path:
        with open(path, "a") as handle:
            handle.write(
                repr(sorted((k, v) for k, v in point.items() if k != "seed")) + "\n"
            )


def retrieval(n, temperature, seed):
    """Overlap and energy trace of a Curie-Weiss run (p = 1)."""
    _count_call(n=n, temperature=temperature)
    xi = spinmem.random_patterns(1, n, seed=seed)
    net = spinmem.Hopfield.hebbian(xi)
    ds = spinmem.simulate(
        net, temperature=temperature, sweeps=20, init=xi[0], seed=seed, record_every=5
    )
    return ds[["energy", "overlap"]].isel(replica=0, pattern=0)


def slow_scalar(x, seed):
    """A scalar per point, slowly: for the kill-and-resume test."""
    _count_call(x=x)
    time.sleep(float(os.environ.get("SPINMEM_TEST_SLEEP", "0")))
    rng = np.random.default_rng(seed)
    return {"value": x + rng.random(), "draws": rng.random(3)}


def fails_at_two(x, seed):
    if x == 2:
        raise RuntimeError("boom at x=2")
    return {"value": float(x)}


def ragged(x, seed):
    return {"value": np.zeros(x)}


def unstorable(x, seed):
    """A point whose output cannot be stored at x = 2 (an integer beyond 64 bits)."""
    return {"value": 2**70 if x == 2 else x}


def sleepy(x, seed):
    """One second per point; records its process id (for the Ctrl-C test)."""
    _count_call(x=x, pid=os.getpid())
    time.sleep(1.0)
    return {"value": float(x)}


def jittery(x, seed):
    """5-40 ms of work per point, with start and end marks (fault-injection test)."""
    path = os.environ.get("SPINMEM_TEST_CALLS")
    rng = np.random.default_rng(seed)
    if path:
        with open(path, "a") as handle:
            handle.write(f"start {x}\n")
    time.sleep(0.005 + 0.035 * rng.random())
    return {"value": x + rng.random(), "trace": rng.normal(size=8)}


def hangs_at_one(x, seed):
    """Returns x at once, except x = 1, which sleeps for a minute."""
    if x == 1:
        time.sleep(60.0)
    return {"value": float(x)}


def long_simulation(x, seed):
    """A kernel run of minutes for x = 1 (Glauber at N = 1000); quick otherwise."""
    net = spinmem.Hopfield.hebbian(spinmem.random_patterns(20, 1000, seed=0))
    ds = spinmem.simulate(net, temperature=0.5, sweeps=10**6 if x == 1 else 2, seed=seed)
    return {"value": float(ds.energy.values[0, -1])}


def marks_end(x, seed):
    """Returns x after marking its end in the calls file (the Ctrl-C salvage test)."""
    path = os.environ["SPINMEM_TEST_CALLS"]
    with open(path, "a") as handle:
        handle.write(f"end {x}\n")
    return {"value": float(x)}


def dies_at_two(x, seed):
    """The worker process ends abruptly at x = 2 (as a segmentation fault would)."""
    if x == 2:
        os._exit(139)
    return {"value": float(x)}
