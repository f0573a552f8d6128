"""HDF5 storage and sweeps: round trips, resume after kill -9, executors, refusals."""

import importlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import h5py
import numpy as np
import pytest
import sweep_functions as sf
import xarray as xr
from helpers import default_sigint

import spinmem
from spinmem import StoreLocked, SweepError, read_store, storage

TESTS = str(Path(__file__).parent)


@pytest.fixture
def calls(tmp_path, monkeypatch):
    path = tmp_path / "calls.txt"
    monkeypatch.setenv("SPINMEM_TEST_CALLS", str(path))

    def read():
        return path.read_text().splitlines() if path.exists() else []

    return read


# ---------------------------------------------------------------- storage


def test_save_load_round_trip_and_plain_h5py(tmp_path):
    xi = spinmem.random_patterns(3, 60, seed=0)
    net = spinmem.Hopfield.hebbian(xi)
    ds = spinmem.census(net, starts=20, seed=1)
    path = spinmem.save(ds, tmp_path / "census.h5")
    back = spinmem.load(path)
    assert "created" in back.attrs and back.attrs["spinmem_version"]
    # identical to what was written, the creation stamp and history aside (prepare()
    # adds the default long_name/units and the package version that save() writes)
    del back.attrs["created"], back.attrs["history"]
    xr.testing.assert_identical(back, storage.prepare(ds))
    # also readable with plain xarray and h5py
    with xr.open_dataset(path, engine="h5netcdf") as plain:
        np.testing.assert_array_equal(plain.energy.values, ds.energy.values)
    with h5py.File(path, "r") as handle:
        assert set(ds.data_vars) <= set(handle)
        assert handle["energy"].attrs["units"] == "1"
        np.testing.assert_array_equal(handle["state"][...], ds.state.values)
        assert np.asarray(handle.attrs["starts"]).item() == 20


def test_every_variable_gets_a_long_name_and_no_invented_units(tmp_path):
    ds = xr.Dataset({"x": ("a", [1.0, 2.0])}, coords={"a": [0, 1]})
    back = spinmem.load(spinmem.save(ds, tmp_path / "x.h5"))
    for name in ("x", "a"):
        assert back[name].attrs["long_name"] == name
        assert "units" not in back[name].attrs


def test_units_written_in_words_by_version_0_1_are_read_as_udunits(tmp_path):
    """Old files said "coupling units", "sweeps", "steps", "dreams" or "unspecified";
    load() gives "1" (no units for "unspecified") and leaves other units alone."""
    legacy = {"e": "coupling units", "t": "sweeps", "k": "steps", "d": "dreams"}
    ds = xr.Dataset(
        {name: ("a", [1.0], {"units": units}) for name, units in legacy.items()}
        | {
            "u": ("a", [1.0], {"units": "unspecified"}),
            "v": ("a", [1.0], {"units": "m s-1"}),
        }
    )
    ds.to_netcdf(tmp_path / "old.h5", engine="h5netcdf")
    back = spinmem.load(tmp_path / "old.h5")
    assert all(back[name].attrs["units"] == "1" for name in legacy)
    assert "units" not in back["u"].attrs
    assert back["v"].attrs["units"] == "m s-1"


def test_groups_and_overwrite_protection(tmp_path):
    path = tmp_path / "runs.h5"
    a = xr.Dataset({"x": ("t", [1.0, 2.0])}, attrs={"run": "a"})
    b = xr.Dataset({"x": ("t", [3.0, 4.0])}, attrs={"run": "b"})
    spinmem.save(a, path, group="first")
    spinmem.save(b, path, group="second")
    assert spinmem.load(path, group="first").attrs["run"] == "a"
    assert spinmem.load(path, group="second").attrs["run"] == "b"
    spinmem.save(a, path, group="first")  # the same run again: allowed, nothing changes
    with pytest.raises(FileExistsError, match="group 'first' of .* holds a different"):
        spinmem.save(b, path, group="first")
    single = tmp_path / "single.h5"
    spinmem.save(a, single)
    before = single.read_bytes()
    with pytest.raises(FileExistsError, match="already holds a different dataset"):
        spinmem.save(b, single)
    assert single.read_bytes() == before
    spinmem.save(b, single, overwrite=True)
    assert spinmem.load(single).attrs["run"] == "b"


def test_corrupt_and_foreign_files_are_named(tmp_path):
    good = tmp_path / "good.h5"
    spinmem.save(xr.Dataset({"x": ("t", np.arange(1000.0))}), good)
    truncated = tmp_path / "truncated.h5"
    truncated.write_bytes(good.read_bytes()[:700])
    foreign = tmp_path / "notes.h5"
    foreign.write_text("not an HDF5 file")
    for path in (truncated, foreign):
        with pytest.raises(storage.StorageError, match=str(path.name)):
            spinmem.load(path)
    with pytest.raises(FileNotFoundError, match="missing.h5"):
        spinmem.load(tmp_path / "missing.h5")
    with pytest.raises(storage.StorageError):
        spinmem.save(xr.Dataset({"y": 1.0}), foreign, group="g")
    assert foreign.read_text() == "not an HDF5 file"


# ---------------------------------------------------------------- sweeps

GRID = {"n": [50, 80], "temperature": [0.5, 1.5]}


def test_sweep_layout_and_seed_independence(tmp_path, calls):
    ds = spinmem.sweep(sf.retrieval, GRID, seeds=3, seed=11, progress=False)
    assert ds.overlap.dims == ("n", "temperature", "seed", "sweep")
    assert ds.overlap.shape == (2, 2, 3, 5)
    assert ds.n.values.tolist() == [50, 80] and ds.seed.values.tolist() == [0, 1, 2]
    assert len(calls()) == 12
    # each point is the same computation as a direct call with the spawned seed
    root = np.random.SeedSequence(11)
    direct = sf.retrieval(
        80, 0.5, seed=np.random.SeedSequence(root.entropy, spawn_key=(2, 1))
    )
    np.testing.assert_array_equal(
        ds.overlap.sel(n=80, temperature=0.5, seed=1), direct.overlap
    )
    # different seeds differ, same root seed reproduces
    assert not np.array_equal(ds.overlap.sel(seed=0), ds.overlap.sel(seed=1))
    again = spinmem.sweep(sf.retrieval, GRID, seeds=3, seed=11, progress=False)
    xr.testing.assert_identical(ds, again)


def test_same_results_with_workers_and_dask(tmp_path, dask_client):
    reference = spinmem.sweep(sf.retrieval, GRID, seeds=2, seed=3, progress=False)
    one = spinmem.sweep(sf.retrieval, GRID, seeds=2, seed=3, workers=1, progress=False)
    two = spinmem.sweep(sf.retrieval, GRID, seeds=2, seed=3, workers=2, progress=False)
    xr.testing.assert_identical(reference, one)
    xr.testing.assert_identical(reference, two)
    on_dask = spinmem.sweep(
        sf.retrieval,
        GRID,
        seeds=2,
        seed=3,
        client=dask_client,
        store=tmp_path / "dask.h5",
        progress=False,
    )
    xr.testing.assert_identical(reference.drop_attrs(), on_dask.drop_attrs())
    assert reference.attrs == on_dask.attrs


_KILL_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    import spinmem, sweep_functions as sf
    spinmem.sweep(sf.slow_scalar, {{"x": list(range(12))}}, seeds=2, seed=99,
                  store={store!r}, progress=False)
""")


def _seed_words(a, b, seed):
    return {"words": seed.generate_state(4).astype(np.int64)}


def test_point_seed_is_the_seed_each_point_received():
    grid = {"a": [0.03, 0.04, 0.1], "b": [400, 800]}
    root = np.random.SeedSequence(2026).spawn(2)[1]
    ds = spinmem.sweep(_seed_words, grid, seeds=3, seed=root, progress=False)
    for a in grid["a"]:
        for b in grid["b"]:
            for r in range(3):
                point = {"a": a, "b": b, "seed": r}
                seed = spinmem.point_seed(grid, point, seed=root, seeds=3)
                np.testing.assert_array_equal(
                    ds.words.sel(point).values, _seed_words(a, b, seed)["words"]
                )
    with pytest.raises(ValueError, match=r"point\['a'\] = 0.05 is not on the grid"):
        spinmem.point_seed(grid, {"a": 0.05, "b": 400, "seed": 0}, seed=root, seeds=3)
    with pytest.raises(ValueError, match=r"point\['seed'\] must be an integer in \[0, 3\)"):
        spinmem.point_seed(grid, {"a": 0.03, "b": 400, "seed": 3}, seed=root, seeds=3)
    with pytest.raises(ValueError, match=r"must give \['seed'\]"):
        spinmem.point_seed(grid, {"a": 0.03, "b": 400}, seed=root, seeds=3)
    with pytest.raises(TypeError, match="root seed"):
        spinmem.point_seed(grid, {"a": 0.03, "b": 400, "seed": 0}, seed=None)


def _stored_points(path):
    try:
        ds = read_store(path)
    except (FileNotFoundError, storage.StorageError):
        return 0
    return ds.sizes.get("point", 0)


def test_resume_after_kill_9_is_identical_and_computes_nothing_twice(tmp_path, calls):
    store = tmp_path / "killed.h5"
    env = dict(os.environ, SPINMEM_TEST_SLEEP="0.15")
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILL_SCRIPT.format(tests=TESTS, store=str(store))], env=env
    )
    deadline = time.time() + 300
    while _stored_points(store) < 5 and time.time() < deadline:
        assert proc.poll() is None, "the sweep ended before it could be killed"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = read_store(store)  # readable after kill -9
    done = partial.sizes["point"]
    assert 5 <= done < 24 and partial.attrs["sweep_status"] == "partial"
    before = len(calls())

    resumed = spinmem.sweep(
        sf.slow_scalar, {"x": list(range(12))}, seeds=2, store=store, progress=False
    )
    assert len(calls()) - before == 24 - done  # no point computed twice
    after_resume = len(calls())
    fresh = spinmem.sweep(
        sf.slow_scalar,
        {"x": list(range(12))},
        seeds=2,
        seed=99,
        store=tmp_path / "fresh.h5",
        progress=False,
    )
    xr.testing.assert_identical(resumed, fresh)
    # a complete store is read back without computing anything
    after_fresh = len(calls())
    assert after_fresh - after_resume == 24
    again = spinmem.sweep(
        sf.slow_scalar, {"x": list(range(12))}, seeds=2, store=store, progress=False
    )
    assert len(calls()) == after_fresh
    xr.testing.assert_identical(again, fresh)


def test_a_failing_point_does_not_stop_the_sweep(tmp_path):
    store = tmp_path / "fails.h5"
    with pytest.raises(
        SweepError,
        match=r"1 sweep point\(s\) failed:\n  at x=2, seed=0: "
        "RuntimeError: boom at x=2",
    ) as info:
        spinmem.sweep(sf.fails_at_two, {"x": [1, 2, 3]}, store=store, progress=False)
    assert info.value.failures[0]["coords"]["x"] == 2
    partial = info.value.partial
    assert partial.x.values.tolist() == [1, 3]
    stored = spinmem.load(store)
    assert stored.attrs["sweep_status"] == "partial" and stored.sizes["point"] == 2
    assert "boom at x=2" in stored.attrs["sweep_failures"]


def test_refusals(tmp_path):
    store = tmp_path / "s.h5"
    spinmem.sweep(sf.slow_scalar, {"x": [1, 2]}, seed=1, store=store, progress=False)
    with pytest.raises(FileExistsError, match="holds a different sweep .*sweep_grid"):
        spinmem.sweep(sf.slow_scalar, {"x": [1, 2, 3]}, store=store, progress=False)
    with pytest.raises(FileExistsError, match="holds a different sweep .*sweep_function"):
        spinmem.sweep(sf.fails_at_two, {"x": [1, 2]}, store=store, progress=False)
    with pytest.raises(FileExistsError, match="root seed entropy 1"):
        spinmem.sweep(sf.slow_scalar, {"x": [1, 2]}, seed=2, store=store, progress=False)
    corrupt = tmp_path / "corrupt.h5"
    corrupt.write_bytes(store.read_bytes()[:500])
    with pytest.raises(storage.StorageError, match="corrupt.h5"):
        spinmem.sweep(sf.slow_scalar, {"x": [1, 2]}, store=corrupt, progress=False)
    other = tmp_path / "other.h5"
    spinmem.save(xr.Dataset({"y": 1.0}), other)
    with pytest.raises(FileExistsError, match="not a spinmem sweep store"):
        spinmem.sweep(sf.slow_scalar, {"x": [1]}, store=other, progress=False)
    with pytest.raises(ValueError, match=r"grid\['x'\] is empty"):
        spinmem.sweep(sf.slow_scalar, {"x": []})
    with pytest.raises(ValueError, match=r"grid\['x'\] must be a 1-D sequence"):
        spinmem.sweep(sf.slow_scalar, {"x": [[1, 2], [3, 4]]})
    with pytest.raises(ValueError, match=r"grid\['x'\] has repeated values"):
        spinmem.sweep(sf.slow_scalar, {"x": [1, 1]})
    with pytest.raises(ValueError, match="grid name 'seed' is reserved"):
        spinmem.sweep(sf.slow_scalar, {"seed": [1]})
    with pytest.raises(ValueError, match="seeds must be an integer >= 1"):
        spinmem.sweep(sf.slow_scalar, {"x": [1]}, seeds=0)
    with pytest.raises(SweepError, match="inconsistent shapes across points: at x=3"):
        spinmem.sweep(sf.ragged, {"x": [2, 3]}, progress=False)


def test_seed_reduction_and_combining_files(tmp_path):
    a = spinmem.sweep(sf.slow_scalar, {"x": [1, 2]}, seeds=4, seed=1, progress=False)
    reduced = spinmem.analysis.seed_mean(a)
    values = a.value.values
    np.testing.assert_allclose(reduced.value, values.mean(axis=1))
    np.testing.assert_allclose(reduced.value_stderr, values.std(axis=1, ddof=1) / 2)
    assert reduced.value_stderr.attrs["long_name"].startswith("standard error")
    spinmem.save(a, tmp_path / "a.h5")
    b = spinmem.sweep(sf.slow_scalar, {"x": [3]}, seeds=4, seed=1, progress=False)
    spinmem.save(b, tmp_path / "b.h5")
    both = spinmem.analysis.combine([tmp_path / "a.h5", tmp_path / "b.h5"])
    assert both.x.values.tolist() == [1, 2, 3]
    np.testing.assert_array_equal(both.value.sel(x=3), b.value.sel(x=3))


# ---------------------------------------------------------------- the journal and the lock


def test_a_torn_journal_record_is_never_read_as_finished(tmp_path, calls):
    from spinmem import _journal

    store = tmp_path / "torn.h5"
    grid = {"x": list(range(6))}
    fresh = spinmem.sweep(sf.slow_scalar, grid, seed=5, progress=False)
    # a run that stopped after three points, the third one cut short
    plan_points = {k: fresh.isel(x=k, seed=0, drop=True) for k in range(3)}
    records = [_journal.encode(k, ds) for k, ds in plan_points.items()]
    journal = _journal.journal_path(store)
    # write the store header the way a sweep starts, then the journal by hand
    from spinmem._sweep.plan import Plan
    from spinmem._sweep.store import for_file

    plan = Plan(sf.slow_scalar, grid, 1, {}, {})
    plan.root = np.random.SeedSequence(5)
    storage.write_atomic(for_file(plan.stack({}), "partial"), store)
    head = _journal.encode_header(plan.journal_identity)
    journal.write_bytes(head + records[0] + records[1] + records[2][:-7])
    assert sorted(_journal.read(journal)) == [0, 1]
    assert read_store(store).sizes["point"] == 2
    corrupt = bytearray(head + records[0] + records[1] + records[2])
    corrupt[len(head) + len(records[0]) + 30] ^= 0xFF  # a flipped byte in the second
    journal.write_bytes(bytes(corrupt))
    assert sorted(_journal.read(journal)) == [0]
    journal.write_bytes(head + records[0] + records[1] + records[2][:-7])
    before = len(calls())
    resumed = spinmem.sweep(sf.slow_scalar, grid, store=store, progress=False)
    assert len(calls()) - before == 4  # points 2..5: the torn one is computed again
    xr.testing.assert_identical(resumed.drop_attrs(), fresh.drop_attrs())
    assert not journal.exists()


def test_journal_writer_drops_a_torn_tail(tmp_path):
    from spinmem import _journal

    path = tmp_path / "j.journal"
    one = _journal.encode(0, xr.Dataset({"v": ((), 1.5)}))
    two = _journal.encode(1, xr.Dataset({"v": ((), 2.5)}))
    path.write_bytes(one + two[:10])
    writer = _journal.Writer(path)
    writer.append(two)
    writer.close()
    back = _journal.read(path)
    assert sorted(back) == [0, 1] and float(back[1].v) == 2.5
    assert path.read_bytes() == one + two


def test_journal_round_trip_keeps_values_dtypes_and_attributes():
    from spinmem import _journal

    ds = xr.Dataset(
        {
            "e": (("t",), np.array([1.0, -2.5, 3e-300]), {"units": "1", "n": 3}),
            "k": ((), np.int64(2**62)),
            "s": (("t", "c"), np.ones((3, 2), dtype=np.int8)),
            "label": (("c",), np.array(["+0+1", "-2"])),
        },
        coords={"t": ("t", [0, 5, 10], {"long_name": "sweep"}), "c": ["a", "b"]},
    )
    index, back = _journal.decode(_journal.encode(7, ds)[16:])
    assert index == 7
    xr.testing.assert_identical(back, ds)
    assert back.k.dtype == np.int64 and back.s.dtype == np.int8


def test_an_unstorable_point_is_a_point_failure(tmp_path):
    store = tmp_path / "unstorable.h5"
    with pytest.raises(SweepError, match=r"at x=2, seed=0: TypeError: 'value' holds"):
        spinmem.sweep(sf.unstorable, {"x": [1, 2, 3]}, store=store, progress=False)
    stored = spinmem.load(store)
    assert stored.x.values.tolist() == [1, 3] and stored.value.values.tolist() == [1, 3]
    assert "x" in stored.attrs["sweep_failures"]


def test_a_second_sweep_on_a_store_in_use_is_refused(tmp_path):
    from spinmem import _journal

    store = tmp_path / "busy.h5"
    holder = _journal.Lock(store)
    try:
        with pytest.raises(StoreLocked, match=f"pid {os.getpid()}"):
            spinmem.sweep(sf.slow_scalar, {"x": [1]}, store=store, progress=False)
        assert not store.exists()
    finally:
        holder.release()
    done = spinmem.sweep(sf.slow_scalar, {"x": [1]}, seed=1, store=store, progress=False)
    assert done.value.shape == (1, 1)
    assert not _journal.lock_path(store).exists()


_INTERRUPT_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    import spinmem, sweep_functions as sf
    if __name__ == "__main__":
        spinmem.sweep(sf.sleepy, {{"x": list(range(18))}}, seed=1, store={store!r},
                      workers=2, progress=False)
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split()[2] == "Z")


def test_ctrl_c_stops_a_sweep_with_workers_promptly(tmp_path, calls):
    store = tmp_path / "interrupted.h5"
    script = tmp_path / "run.py"
    script.write_text(_INTERRUPT_SCRIPT.format(tests=TESTS, store=str(store)))
    proc = subprocess.Popen(
        [sys.executable, str(script)], stderr=subprocess.PIPE, preexec_fn=default_sigint
    )
    deadline = time.time() + 120
    while _stored_points(store) < 3 and time.time() < deadline:
        assert proc.poll() is None
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    start = time.time()
    _, err = proc.communicate(timeout=60)
    stopped = time.time() - start
    assert stopped < 5, f"took {stopped:.1f} s to stop"
    assert proc.returncode != 0 and b"KeyboardInterrupt" in err
    workers = {int(line.split("('pid', ")[1].split(")")[0]) for line in calls()}
    time.sleep(1.5)  # the workers' watchdog polls every 0.5 s
    assert not [pid for pid in workers if _alive(pid)], "a worker outlived the sweep"
    partial = spinmem.load(store)  # consolidated: every finished point in the file
    done = partial.sizes["point"]
    assert 3 <= done < 18
    started = len(calls())
    assert started - done <= 2  # only the two running points were lost
    before = len(calls())
    full = spinmem.sweep(sf.sleepy, {"x": list(range(18))}, store=store, progress=False)
    assert len(calls()) - before == 18 - done
    assert full.value.values.ravel().tolist() == [float(x) for x in range(18)]


def test_points_finished_when_ctrl_c_arrives_are_kept(tmp_path, monkeypatch, calls):
    """Ctrl-C while the first result is being stored (raised just after it is
    journalled, once the workers have finished all six points and half a second
    more): the five finished results waiting behind it are stored too, not lost."""
    sweep_module = importlib.import_module("spinmem._sweep")
    accept = sweep_module._accept

    def interrupted(*args):
        error = accept(*args)
        if interrupted.done:
            return error
        interrupted.done = True
        deadline = time.time() + 60
        while len(calls()) < 6 and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        raise KeyboardInterrupt

    interrupted.done = False
    monkeypatch.setattr(sweep_module, "_accept", interrupted)
    store = tmp_path / "s.h5"
    with pytest.raises(KeyboardInterrupt):
        spinmem.sweep(
            sf.marks_end, {"x": list(range(6))}, store=store, workers=2, progress=False
        )
    assert len(calls()) == 6
    assert sorted(read_store(store).x.values.tolist()) == list(range(6))


@pytest.mark.parametrize("workers", [None, 2])
def test_a_point_past_its_timeout_is_a_failed_point(tmp_path, workers):
    """A hanging point is stopped after `timeout` s and reported with its coordinates;
    the other points are stored, and the rerun retries only that point."""
    store = tmp_path / "t.h5"
    start = time.time()
    with pytest.raises(SweepError) as info:
        spinmem.sweep(
            sf.hangs_at_one,
            {"x": [0, 1, 2]},
            store=store,
            progress=False,
            workers=workers,
            timeout=1.0,
        )
    assert time.time() - start < 20  # the hanging point sleeps 60 s
    (failure,) = info.value.failures
    assert failure["coords"] == {"x": 1, "seed": 0}
    assert "PointTimeout: the point ran longer than timeout=1.0 s" in failure["error"]
    assert sorted(read_store(store).x.values.tolist()) == [0, 2]


def test_timeout_stops_a_long_kernel_run(tmp_path):
    """Kernels return to Python between chunks, so the alarm stops a long simulate."""
    sf.long_simulation(0, seed=0)  # compile outside the clock
    start = time.time()
    with pytest.raises(SweepError, match="PointTimeout"):
        spinmem.sweep(sf.long_simulation, {"x": [1]}, progress=False, timeout=1.0)
    assert time.time() - start < 4


def test_timeout_is_validated():
    for bad in (0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="timeout must be"):
            spinmem.sweep(sf.slow_scalar, {"x": [1]}, progress=False, timeout=bad)
    with pytest.raises(ValueError, match="timeout is not available with a Dask client"):
        spinmem.sweep(sf.slow_scalar, {"x": [1]}, client=object(), timeout=1.0)


def _trace(x, seed):
    return {"trace": np.full(1000, float(x))}


def test_results_too_large_for_memory_are_refused_after_the_first_point(
    tmp_path, monkeypatch
):
    """10 points of 8 kB each, held three times: 240 kB needed, 100 kB available."""
    monkeypatch.setattr(spinmem._checks, "available_memory", lambda: 100_000)
    store = tmp_path / "big.h5"
    with pytest.raises(MemoryError, match=r"sweep needs about 23\d KiB \(10 points"):
        spinmem.sweep(_trace, {"x": list(range(10))}, store=store, progress=False)
    kept = read_store(store)  # the finished point is stored, not lost
    assert kept.x.values.tolist() == [0] and kept.attrs["sweep_status"] == "partial"
    with pytest.raises(MemoryError):  # refused again on resume, before any computing
        spinmem.sweep(_trace, {"x": list(range(10))}, store=store, progress=False)
    assert read_store(store).x.values.tolist() == [0]
    monkeypatch.setattr(spinmem._checks, "available_memory", lambda: 10**9)
    done = spinmem.sweep(_trace, {"x": list(range(10))}, store=store, progress=False)
    assert done.trace.sum().item() == 1000 * sum(range(10))


def _fails(x, name, seed):
    raise RuntimeError("no result")


def test_a_store_without_finished_points_has_empty_grid_coordinates(tmp_path):
    """A store holding no finished point still has its grid coordinates, of length 0."""
    store = tmp_path / "empty.h5"
    grid = {"x": [1.5, 2.5], "name": ["a", "b"]}
    with pytest.raises(SweepError):
        spinmem.sweep(_fails, grid, seeds=2, store=store, progress=False)
    ds = read_store(store)
    assert ds.sizes["point"] == 0 and ds.attrs["sweep_status"] == "partial"
    assert ds.x.dtype == np.float64 and ds.name.values.tolist() == []
    assert ds.seed.values.tolist() == []


def test_files_carry_cf_global_attributes(tmp_path):
    """save and sweep stores write Conventions, source, references and a history line
    per write; rewriting the same run is still recognised as the same run."""
    ds = spinmem.simulate(
        spinmem.Hopfield.hebbian(spinmem.random_patterns(2, 20, seed=1)),
        temperature=0.5,
        sweeps=3,
        seed=1,
    )
    path = spinmem.save(ds, tmp_path / "run.h5")
    back = spinmem.load(path)
    assert back.attrs["Conventions"] == "CF-1.10"
    assert back.attrs["source"] == f"spinmem {spinmem.__version__}"
    assert "docs/physics.md" in back.attrs["references"]
    assert back.attrs["history"].endswith(
        f"written by spinmem.save (spinmem {spinmem.__version__})"
    )
    spinmem.save(ds, path)  # the same run: allowed, file unchanged
    assert spinmem.load(path).attrs["history"] == back.attrs["history"]
    resaved = spinmem.save(back, tmp_path / "again.h5")
    assert len(spinmem.load(resaved).attrs["history"].splitlines()) == 2
    store = tmp_path / "s.h5"
    spinmem.sweep(sf.slow_scalar, {"x": [1, 2]}, store=store, progress=False)
    attrs = spinmem.load(store).attrs
    assert attrs["Conventions"] == "CF-1.10"
    assert "spinmem.sweep (complete)" in attrs["history"]


def test_a_sweep_stores_one_set_of_udunits_units(tmp_path):
    """Points that name their units in the words of spinmem 0.1 (a store resumed
    across versions holds both kinds) are stored with the UDUNITS "1"."""

    def point(a, seed):
        return xr.Dataset(
            {
                "e": ((), float(a), {"units": "coupling units"}),
                "t": ((), 2.0 * a, {"units": "sweeps"}),
                "v": ((), 3.0 * a, {"units": "m s-1"}),
            }
        )

    ds = spinmem.sweep(point, {"a": [1, 2]}, seed=1, store=tmp_path / "s.h5")
    back = spinmem.load(tmp_path / "s.h5")
    for result in (ds, back):
        assert result.e.attrs["units"] == result.t.attrs["units"] == "1"
        assert result.v.attrs["units"] == "m s-1"
    with h5py.File(tmp_path / "s.h5", "r") as handle:
        assert handle["t"].attrs["units"] == "1"
