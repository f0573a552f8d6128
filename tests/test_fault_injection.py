"""kill -9 at random moments, then resume: the store ends identical to an uninterrupted
run, and no point that was already stored is ever computed again.

Ten trials (five in-process, five with two worker processes) of a 60-point sweep whose
points take 5-40 ms; each trial kills the sweep at a random moment, resumes it, and
repeats until it completes, for 50 kills in all.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import sweep_functions as sf
import xarray as xr

import spinmem
from spinmem import read_store

TESTS = str(Path(__file__).parent)
GRID = {"x": list(range(60))}
KILLS = 50
KILLS_PER_TRIAL = 5

_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    import spinmem, sweep_functions as sf
    if __name__ == "__main__":
        spinmem.sweep(sf.jittery, {grid!r}, seed=4, store={store!r}, workers={workers},
                      progress=False)
""")


def _committed(store: Path) -> set[int]:
    try:
        ds = read_store(store)
    except FileNotFoundError:
        return set()
    if ds.attrs["sweep_status"] == "complete":
        return set(GRID["x"])
    return set(ds.x.values.tolist())


def _started(calls: Path) -> list[int]:
    if not calls.exists():
        return []
    return [int(line.split()[1]) for line in calls.read_text().splitlines()]


def _kill_while_running(proc, store: Path, delay: float) -> None:
    """SIGKILL ``proc`` ``delay`` seconds after its sweep took the store's lock (a
    random moment of the sweep itself, not of the interpreter's start-up)."""
    lock = store.with_name(store.name + ".lock")
    deadline = time.time() + 120
    while not lock.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        time.sleep(0.7)  # orphaned workers notice and exit


@pytest.mark.slow
def test_random_kills_never_lose_or_repeat_a_stored_point(tmp_path, monkeypatch):
    rng = np.random.default_rng(2026)
    spinmem.sweep(sf.jittery, GRID, seed=4, store=tmp_path / "ref.h5", progress=False)
    reference = spinmem.load(tmp_path / "ref.h5")
    reference.attrs = {}
    kills, trials, lost_in_flight = 0, 0, 0
    while kills < KILLS:
        workers = None if trials % 2 == 0 else 2
        store = tmp_path / f"trial{trials}.h5"
        script = tmp_path / f"trial{trials}.py"
        script.write_text(
            _SCRIPT.format(tests=TESTS, grid=GRID, store=str(store), workers=workers)
        )
        for attempt in range(KILLS_PER_TRIAL + 1):
            calls = tmp_path / f"calls{trials}-{attempt}.txt"
            before = _committed(store)
            env = dict(os.environ, SPINMEM_TEST_CALLS=str(calls))
            proc = subprocess.Popen([sys.executable, str(script)], env=env)
            if attempt < KILLS_PER_TRIAL and kills < KILLS:
                _kill_while_running(proc, store, rng.uniform(0.0, 0.8))
                kills += proc.returncode == -signal.SIGKILL
            else:
                assert proc.wait(timeout=300) == 0
            started = _started(calls)
            # nothing already stored was computed again
            assert not set(started) & before, (trials, sorted(set(started) & before))
            assert len(started) == len(set(started))
            after = _committed(store)
            assert before <= after  # nothing stored was lost
            lost_in_flight += len(set(started) - after)
            if proc.returncode == 0:
                break
        final = spinmem.load(store)
        assert final.attrs["sweep_status"] == "complete"
        final.attrs = {}
        xr.testing.assert_identical(final, reference)
        trials += 1
    print(
        f"fault injection: {kills} kill -9 in {trials} trials (half with 2 workers): "
        f"every final store identical to an uninterrupted run, no stored point computed "
        f"again, {lost_in_flight} point(s) in flight at a kill computed again"
    )
