"""Sweep stores under contention and replacement: the lock is exclusive, a journal is
never replayed into another sweep's store.

Each test names the item of the reliability audit (round three) it covers.
"""

import subprocess
import sys
import textwrap

import pytest
import sweep_functions as sf

import spinmem
from spinmem import _journal, storage

_CONTEND = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from spinmem import _journal
    store, inside, seconds = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    sections = overlaps = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            lock = _journal.Lock(store)
        except _journal.StoreLocked:
            continue
        try:
            fd = os.open(inside, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            overlaps += 1  # another process is inside its exclusive section too
        else:
            os.close(fd)
            sections += 1
            time.sleep(0.0005)
            os.unlink(inside)
        lock.release()
    print(sections, overlaps)
""")


def test_the_store_lock_is_exclusive_under_contention(tmp_path):
    """Item 5: four processes take and release the lock of one store as fast as they
    can for 4 s; inside the lock each one creates a marker file exclusively (O_EXCL),
    so two holders at once show as a failed creation. None may fail, and every
    process must get the lock many times (the lock is contended, not starved)."""
    store, inside = tmp_path / "s.h5", tmp_path / "inside"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _CONTEND, str(store), str(inside), "4"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    counts = [tuple(map(int, p.communicate(timeout=120)[0].split())) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    print(
        f"\nstore lock: {len(procs)} processes for 4 s, "
        f"{sum(sections for sections, _ in counts)} exclusive sections "
        f"({', '.join(str(c) for c, _ in counts)}), "
        f"{sum(overlap for _, overlap in counts)} overlapping"
    )
    assert sum(overlap for _, overlap in counts) == 0, counts
    assert all(sections >= 20 for sections, _ in counts), counts


def test_a_journal_is_not_replayed_into_another_sweeps_store(tmp_path):
    """Item 6: the journal of a crashed sweep with root seed 11, beside a store that
    was replaced by the same sweep started with seed 12, is refused, not read as
    points of seed 12."""
    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    grid = {"x": [1.0, 2.0, 3.0, 4.0]}
    _interrupted_sweep(a, grid, seed=11, stop_after=3)
    assert _journal.journal_path(a).exists()
    _interrupted_sweep(b, grid, seed=12, stop_after=0)
    b.replace(a)  # the store is replaced; seed 11's journal stays beside it
    with pytest.raises(storage.StorageError, match="journal .* another sweep"):
        spinmem.sweep(sf.slow_scalar, grid, seeds=2, store=a, progress=False)
    with pytest.raises(storage.StorageError, match="journal .* another sweep"):
        spinmem.read_store(a)
    # with the journal moved away the sweep resumes and computes with seed 12 only
    _journal.journal_path(a).rename(tmp_path / "old.journal")
    resumed = spinmem.sweep(sf.slow_scalar, grid, seeds=2, store=a, progress=False)
    fresh = spinmem.sweep(sf.slow_scalar, grid, seeds=2, seed=12, progress=False)
    assert resumed.identical(fresh)


def test_a_journal_of_the_same_sweep_is_still_resumed(tmp_path):
    """Item 6: the identity check lets the sweep's own journal through."""
    store = tmp_path / "a.h5"
    grid = {"x": [1.0, 2.0, 3.0, 4.0]}
    _interrupted_sweep(store, grid, seed=11, stop_after=3)
    partial = spinmem.read_store(store)
    assert partial.sizes["point"] == 3
    resumed = spinmem.sweep(sf.slow_scalar, grid, seeds=2, store=store, progress=False)
    fresh = spinmem.sweep(sf.slow_scalar, grid, seeds=2, seed=11, progress=False)
    assert resumed.identical(fresh)


_INTERRUPTED = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {tests!r})
    import spinmem, sweep_functions as sf
    from spinmem import _journal
    real_append = _journal.Writer.append
    count = 0
    def append(self, record):
        global count
        real_append(self, record)
        self.handle.flush()
        count += record[:4] == b"SPJ1"  # points, not the journal's identity record
        if count >= {stop_after}:
            os._exit(9)  # as kill -9: the journal keeps the finished points
    _journal.Writer.append = append
    if {stop_after} == 0:
        _journal.Writer.__init__ = lambda self, *a, **k: os._exit(9)
    spinmem.sweep(sf.slow_scalar, {grid!r}, seeds=2, seed={seed}, store={store!r},
                  progress=False)
""")


def _interrupted_sweep(store, grid, seed: int, stop_after: int) -> None:
    script = _INTERRUPTED.format(
        tests=str(sf.__file__.rsplit("/", 1)[0]),
        grid=grid,
        seed=seed,
        store=str(store),
        stop_after=stop_after,
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 9, proc.stderr[-2000:]


def test_cli_run_refuses_bad_arguments_before_creating_the_folder(tmp_path):
    """Item 9: --workers 0 and a negative seed are refused with the folder untouched."""
    for args in (["--workers", "0"], ["--seed", "-3"]):
        out = tmp_path / f"out{len(args[0])}{args[1]}"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "spinmem.cli",
                "run",
                "phase_diagram",
                "--quick",
                "--out",
                str(out),
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode != 0
        assert args[0] in proc.stderr
        assert not out.exists()


def test_cli_run_refuses_an_output_folder_that_is_a_file(tmp_path):
    """Poor messages: ``spinmem run --out <existing file>`` says so, no traceback, and
    leaves the file as it was."""
    plain = tmp_path / "results"
    plain.write_text("notes")
    proc = subprocess.run(
        [sys.executable, "-m", "spinmem.cli", "run", "phase_diagram", "--quick",
         "--out", str(plain)],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "is a file, not a folder" in proc.stderr and "Traceback" not in proc.stderr
    assert plain.read_text() == "notes"


def test_cli_names_a_damaged_partial_store_and_an_unwritable_figure(tmp_path):
    """Poor messages: ``spinmem info`` on a partial store whose points do not fit its
    grid, and ``spinmem plot -o`` where the figure cannot be written, answer in one
    line with exit status 1, no traceback."""
    store = tmp_path / "d.h5"
    with pytest.raises(spinmem.SweepError):
        spinmem.sweep(sf.fails_at_two, {"x": [1, 2, 3]}, store=store, progress=False)
    damaged = spinmem.load(store).assign_attrs(sweep_grid='{"x": [1, 2]}')
    storage.write_atomic(damaged, store)
    (tmp_path / "plain").write_text("a file")
    figure = spinmem.sweep(sf.slow_scalar, {"x": [1, 2]}, seed=0, progress=False)
    spinmem.save(figure, tmp_path / "ok.h5")
    for command in (
        ["info", str(store)],
        ["plot", str(tmp_path / "ok.h5"), "-o", str(tmp_path / "plain" / "f.png")],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "spinmem.cli", *command],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
    assert (
        "damaged sweep store"
        in subprocess.run(
            [sys.executable, "-m", "spinmem.cli", "info", str(store)],
            capture_output=True,
            text=True,
        ).stderr
    )


def test_a_worker_that_dies_fails_its_point_and_the_others_go_on(tmp_path):
    """Poor messages: a point whose worker process dies is recorded as failed with
    a message saying so; every other point is computed and stored."""
    store = tmp_path / "w.h5"
    grid = {"x": [1, 2, 3, 4, 5]}
    with pytest.raises(spinmem.SweepError, match="worker process died") as info:
        spinmem.sweep(sf.dies_at_two, grid, store=store, workers=2, progress=False)
    assert [f["coords"]["x"] for f in info.value.failures] == [2]
    assert sorted(spinmem.read_store(store).x.values.tolist()) == [1, 3, 4, 5]


def test_a_lambda_with_workers_is_refused_in_the_packages_words():
    """Poor messages: a function worker processes cannot import."""
    with pytest.raises(TypeError, match="must be importable for workers"):
        spinmem.sweep(lambda x, seed: {"v": x}, {"x": [1]}, workers=2, progress=False)
    scale = 2.0

    def closure(x, seed):
        return {"v": scale * x}

    with pytest.raises(TypeError, match="must be importable for workers"):
        spinmem.sweep(closure, {"x": [1]}, workers=2, progress=False)
