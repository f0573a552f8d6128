"""HDF5 storage and sweeps: round trips, resume after kill -9, executors, refusals."""

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

import spinmem
from spinmem import storage
from spinmem.sweep import SweepError

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
    # identical to what was written, the creation stamp aside (prepare() adds the
    # default long_name/units and the package version that save() writes)
    del back.attrs["created"]
    xr.testing.assert_identical(back, storage.prepare(ds))
    # also readable with plain xarray and h5py
    with xr.open_dataset(path, engine="h5netcdf") as plain:
        np.testing.assert_array_equal(plain.energy.values, ds.energy.values)
    with h5py.File(path, "r") as handle:
        assert set(ds.data_vars) <= set(handle)
        assert handle["energy"].attrs["units"] == "coupling units"
        np.testing.assert_array_equal(handle["state"][...], ds.state.values)
        assert np.asarray(handle.attrs["starts"]).item() == 20


def test_every_variable_gets_units_and_long_name(tmp_path):
    ds = xr.Dataset({"x": ("a", [1.0, 2.0])}, coords={"a": [0, 1]})
    back = spinmem.load(spinmem.save(ds, tmp_path / "x.h5"))
    for name in ("x", "a"):
        assert back[name].attrs["long_name"] == name
        assert back[name].attrs["units"] == "unspecified"


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
    assert ds.overlap.dims == ("n", "temperature", "seed", "time")
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


def test_same_results_with_workers_and_dask(tmp_path, monkeypatch):
    reference = spinmem.sweep(sf.retrieval, GRID, seeds=2, seed=3, progress=False)
    one = spinmem.sweep(sf.retrieval, GRID, seeds=2, seed=3, workers=1, progress=False)
    two = spinmem.sweep(sf.retrieval, GRID, seeds=2, seed=3, workers=2, progress=False)
    xr.testing.assert_identical(reference, one)
    xr.testing.assert_identical(reference, two)
    from dask.distributed import Client, LocalCluster

    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([TESTS, os.environ.get("PYTHONPATH", "")])
    )
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            local_directory=str(tmp_path / "dask"),
        ) as cluster,
        Client(cluster) as client,
    ):
        on_dask = spinmem.sweep(
            sf.retrieval,
            GRID,
            seeds=2,
            seed=3,
            client=client,
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


def _stored_points(path):
    try:
        ds = spinmem.load(path)
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
    partial = spinmem.load(store)  # readable after kill -9
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
