"""The netCDF layout of spinmem's files: CF 1.10 (no fill values on coordinates, string
labels as auxiliary coordinates, units on coordinates, title and summary), lossless
compression, lazy reading, files of spinmem 0.1, and compliance-checker on fresh
outputs of every public run."""

import json
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
import sweep_functions as sf
import xarray as xr

import spinmem


def _net(p=3, n=50):
    return spinmem.Hopfield.hebbian(spinmem.random_patterns(p, n, seed=1))


def _runs(tmp_path) -> dict[str, Path]:
    """Fresh outputs of simulate, anneal, temper, census, relax, unlearn and a sweep."""
    net = _net()
    starts = np.where(np.random.default_rng(0).random((3, 50)) < 0.5, -1, 1)
    runs = {
        "simulate": spinmem.simulate(
            net, temperature=0.5, sweeps=10, seed=2, replicas=2, record_states=True
        ),
        "anneal": spinmem.anneal(net, np.linspace(2, 0.1, 5), seed=2, replicas=2),
        "temper": spinmem.temper(net, [0.3, 0.5, 0.8], sweeps=20, chains=2, seed=3),
        "census": spinmem.census(net, starts=20, seed=4),
        "relax": spinmem.relax(net, starts.astype(np.int8), seed=5),
        "unlearn": spinmem.unlearn(net, dreams=10, epsilon=0.01, seed=6, probes=5)[1],
    }
    paths = {name: spinmem.save(ds, tmp_path / f"{name}.h5") for name, ds in runs.items()}
    paths["sweep"] = tmp_path / "sweep.h5"
    spinmem.sweep(sf.slow_scalar, {"x": [1, 2]}, store=paths["sweep"], progress=False)
    return paths


def _coordinate_variables(path):
    """(name, attribute names) of every netCDF coordinate variable in the file."""
    out = []
    with h5py.File(path, "r") as handle:
        for name, node in handle.items():
            if node.attrs.get("CLASS") == b"DIMENSION_SCALE" and "_Netcdf4Dimid" in (
                node.attrs
            ):
                out.append((name, set(node.attrs)))
    return out


def test_fresh_outputs_follow_cf_without_a_checker(tmp_path):
    """What compliance-checker asks, checked directly: no _FillValue on coordinate
    variables, units and long names on every numeric coordinate, a title and summary
    naming the producing call, no string coordinate variables."""
    for name, path in _runs(tmp_path).items():
        coords = _coordinate_variables(path)
        assert coords, name
        for coord, attrs in coords:
            assert "_FillValue" not in attrs, (name, coord)
        back = spinmem.load(path)
        for coord, var in back.coords.items():
            if var.dtype.kind in "biuf" and coord != "x":  # x: the sweep's own grid
                assert var.attrs.get("units") == "1", (name, coord)
                assert var.attrs["long_name"], (name, coord)
        title = back.attrs["title"]
        assert title.startswith("spinmem."), name
        assert name in title and back.attrs["summary"], name


def test_string_labels_round_trip_and_read_with_plain_xarray(tmp_path):
    ds = xr.Dataset(
        {"x": (("rule", "k"), np.arange(6.0).reshape(3, 2))},
        coords={"rule": ["hebbian", "storkey", "dreaming"], "k": [0, 1]},
    )
    path = spinmem.save(ds, tmp_path / "labels.h5")
    back = spinmem.load(path)
    assert list(back.rule.values) == ["hebbian", "storkey", "dreaming"]
    assert float(back.x.sel(rule="storkey", k=1)) == 3.0
    with h5py.File(path, "r") as handle:
        assert "rule" not in handle or handle["rule"].dtype.kind != "O"
        assert handle["rule_label"].attrs["label_of"] == "rule"
    with xr.open_dataset(path, engine="h5netcdf") as plain:
        assert float(plain.set_xindex("rule_label").x.sel(rule_label="dreaming", k=0)) == 4
    clash = ds.assign(rule_label=("k", [1.0, 2.0]))
    with pytest.raises(ValueError, match="rule_label"):
        spinmem.save(clash, tmp_path / "clash.h5")


def test_compression_is_lossless_and_can_be_turned_off(tmp_path):
    ds = spinmem.simulate(
        _net(3, 400), temperature=0.5, sweeps=200, seed=1, replicas=4, record_states=True
    )
    small = spinmem.save(ds, tmp_path / "z.h5")
    plain = spinmem.save(ds, tmp_path / "plain.h5", compress=False)
    with h5py.File(small, "r") as handle:
        assert handle["states"].compression == "gzip"
    with h5py.File(plain, "r") as handle:
        assert handle["states"].compression is None
    assert small.stat().st_size < 0.5 * plain.stat().st_size
    a, b = spinmem.load(small), spinmem.load(plain)
    for name in ds.variables:
        np.testing.assert_array_equal(a[name].values, ds[name].values)
        np.testing.assert_array_equal(b[name].values, ds[name].values)


def test_load_with_chunks_reads_lazily(tmp_path):
    pytest.importorskip("dask")
    ds = spinmem.simulate(_net(), temperature=0.5, sweeps=20, seed=1, replicas=3)
    path = spinmem.save(ds, tmp_path / "run.h5")
    with spinmem.load(path, chunks={"replica": 1}) as lazy:
        assert lazy.energy.chunks is not None
        np.testing.assert_array_equal(lazy.energy.values, ds.energy.values)


def test_a_trajectory_of_version_0_1_reads_with_a_sweep_axis(tmp_path):
    """spinmem 0.1 called the sweep axis of a trajectory ``time`` (long name "sweeps
    done"); load() names it ``sweep`` so that 0.2's estimators take it. Any other
    ``time`` is left alone."""
    old = xr.Dataset(
        {"energy": (("replica", "time"), np.ones((2, 3)))},
        coords={"time": ("time", [0, 5, 10], {"long_name": "sweeps done"})},
        attrs={"spinmem_version": "0.1.0"},
    )
    old.to_netcdf(tmp_path / "old.h5", engine="h5netcdf")
    back = spinmem.load(tmp_path / "old.h5")
    assert back.energy.dims == ("replica", "sweep")
    np.testing.assert_array_equal(back.sweep.values, [0, 5, 10])
    other = old.assign_coords(time=("time", [0, 5, 10], {"long_name": "seconds"}))
    other.to_netcdf(tmp_path / "other.h5", engine="h5netcdf")
    assert spinmem.load(tmp_path / "other.h5").energy.dims == ("replica", "time")


def _checker(path: Path, tmp_path: Path) -> list[str]:
    """compliance-checker cf:1.10 problems (errors and warnings) in ``path``; the
    checker crashing on a check (as it does on string coordinate variables) fails."""
    report = tmp_path / f"{path.stem}.json"
    script = Path(sys.executable).with_name("compliance-checker")
    args = ["--test", "cf:1.10", "-f", "json_new", "-o", str(report), str(path)]
    out = subprocess.run([script, *args], capture_output=True, text=True, check=False)
    assert "exceptions occurred" not in out.stdout + out.stderr, out.stdout + out.stderr
    (result,) = json.loads(report.read_text()).values()
    problems = []
    for priority in ("high_priorities", "medium_priorities"):
        for check in result["cf:1.10"][priority]:
            if check["value"][0] < check["value"][1]:
                problems.extend(check["msgs"])
    return problems


@pytest.mark.slow
def test_compliance_checker_accepts_every_public_output(tmp_path):
    """compliance-checker (cf:1.10) finds nothing in fresh outputs of every public run
    and of a sweep but the suffix: the files are netCDF-4 but named ``.h5`` (they are
    HDF5 files that h5py and HDF5 tools open too)."""
    pytest.importorskip("compliance_checker")
    for name, path in _runs(tmp_path).items():
        problems = _checker(path, tmp_path)
        assert problems == [f'Dataset path {path} must end with ".nc"'], (name, problems)


@pytest.mark.slow
def test_compliance_checker_accepts_every_committed_file(tmp_path):
    pytest.importorskip("compliance_checker")
    data = Path(__file__).parent.parent / "data"
    for path in sorted(data.glob("*.h5")):
        assert _checker(path, tmp_path) == [f'Dataset path {path} must end with ".nc"'], (
            path
        )
