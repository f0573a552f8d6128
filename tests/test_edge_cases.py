"""Inputs at the edges of the domain: each gets the right result or a clear error that
names the argument, never a silently wrong or empty result."""

import os
import subprocess
import sys

import h5py
import numpy as np
import pytest
import xarray as xr

import spinmem
from spinmem import schedules, theory
from spinmem.cli import main

XI = spinmem.random_patterns(3, 40, seed=0)
NET = spinmem.Hopfield.hebbian(XI)


# ---- theory


@pytest.mark.parametrize("tol", [0.0, -1e-6, float("nan"), float("inf"), 0.5])
@pytest.mark.parametrize("line", [theory.alpha_c, theory.t_m, theory.t_c])
def test_line_tolerances_are_checked(line, tol):
    """tol = 0 used to bisect for ever, tol = nan to return the bracket's end."""
    with pytest.raises(ValueError, match="tol must be"):
        line(0.1, tol=tol)


# ---- runs


def test_zero_initial_states_are_refused():
    with pytest.raises(ValueError, match=r"init must hold at least one state"):
        spinmem.simulate(NET, temperature=0.5, sweeps=2, init=np.ones((0, 40)), replicas=3)
    with pytest.raises(ValueError, match=r"states must hold at least one state"):
        spinmem.relax(NET, np.ones((0, 40)))


@pytest.mark.parametrize("sweeps", [2**63, 2**62])
def test_sweep_counts_that_overflow_are_refused(sweeps):
    """sweeps * N attempts must fit a 64-bit counter (2**63 ran nothing before)."""
    with pytest.raises(ValueError, match=r"sweeps must be an integer <= "):
        spinmem.simulate(NET, temperature=0.5, sweeps=sweeps)
    with pytest.raises(ValueError, match=r"max_sweeps must be an integer <= "):
        spinmem.relax(NET, XI, max_sweeps=sweeps)
    with pytest.raises(ValueError, match=r"sweeps_per_step must be an integer <= "):
        spinmem.anneal(NET, schedule=[1.0, 0.5], sweeps_per_step=sweeps)


@pytest.mark.parametrize("value", ["no", 0, 1, None])
def test_record_states_must_be_a_bool(value):
    with pytest.raises(TypeError, match="record_states must be True or False"):
        spinmem.simulate(NET, temperature=0.5, sweeps=2, record_states=value)


def test_census_counts_only_converged_starts():
    """A start still moving after max_sweeps is not a fixed point. max_sweeps = 1 used
    to report 200 distinct fixed points with none converged (here no random start
    reaches a fixed point within two sweeps; six do within three)."""
    net = spinmem.Hopfield.hebbian(spinmem.random_patterns(10, 100, seed=1))
    with pytest.warns(RuntimeWarning, match=r"200 of 200 starts reached no fixed point"):
        none = spinmem.census(net, starts=200, seed=2, max_sweeps=1)
    assert none.attrs["n_converged"] == none.attrs["n_distinct_fixed_points"] == 0
    assert np.all(none.fixed_point.values == -1)
    assert np.all(np.isnan(none.label_fraction.values))
    with pytest.warns(RuntimeWarning, match=r"starts reached no fixed point"):
        ds = spinmem.census(net, starts=200, seed=2, max_sweeps=3)
    converged = ds.converged.values
    assert 0 < ds.attrs["n_converged"] == converged.sum() < 200
    assert np.all(ds.fixed_point.values[~converged] == -1)
    states = ds.state.values[converged] * ds.state.values[converged, :1]
    assert ds.attrs["n_distinct_fixed_points"] == len(np.unique(states, axis=0))
    # every counted state is a fixed point of zero-temperature dynamics (h_i = 0 keeps
    # s_i; the Hebbian fields are multiples of 1/N, so a tie is exactly 0 up to rounding)
    s = ds.state.values[converged]
    assert np.all(s * net.local_fields(s) > -1e-12)
    labels = ds.label.values[converged]
    for cls, fraction in zip(ds["category"].values, ds.label_fraction.values, strict=True):
        assert fraction == pytest.approx(np.mean(labels == cls))


# ---- couplings and fields


def test_complex_couplings_and_fields_are_refused():
    J = NET.couplings.astype(complex)
    with pytest.raises(TypeError, match=r"couplings must be a real .* complex128"):
        spinmem.Hopfield(J)
    with pytest.raises(TypeError, match=r"fields must be a real .* complex128"):
        spinmem.Hopfield(NET.couplings, fields=np.ones(40) * 1j)
    with pytest.raises(TypeError, match=r"couplings must be a real .* object"):
        spinmem.Hopfield(NET.couplings.astype(object))


@pytest.mark.parametrize("scale", [1e306, 1e308])
def test_couplings_that_overflow_are_refused(scale):
    """|J| = 1e306 made every field inf (every state a fixed point); 1e308 overflowed
    when symmetrised."""
    J = np.ones((40, 40)) * scale
    np.fill_diagonal(J, 0.0)
    with pytest.raises(ValueError, match="couplings are too large"):
        spinmem.Hopfield(J)
    large = spinmem.Hopfield(J / scale * 1e294)  # large but representable: accepted
    np.testing.assert_allclose(large.local_fields(np.ones(40)), 39e294, rtol=1e-15)


# ---- schedules


def test_geometric_schedule_spanning_the_float_range():
    temps = schedules.geometric(1e308, 1e-308, 3)
    np.testing.assert_allclose(temps, [1e308, 1.0, 1e-308], rtol=1e-12)
    assert np.all(np.diff(temps) < 0)
    np.testing.assert_array_equal(schedules.linear_beta(2.0, 0.3, 7)[[0, -1]], [2.0, 0.3])
    with pytest.raises(ValueError, match="t_end must be >= "):
        schedules.geometric(1.0, 1e-310, 3)  # 1/T would overflow


# ---- sweeps


def test_grid_mixing_strings_and_numbers_is_refused(tmp_path):
    with pytest.raises(TypeError, match=r"grid\['a'\] mixes strings and numbers"):
        spinmem.sweep(lambda a, seed: {"v": 1.0}, {"a": [1, "x"]}, progress=False)


# ---- files left behind and files of the wrong kind


def test_temporaries_of_a_killed_save_are_removed_by_the_next_save(tmp_path):
    path = tmp_path / "r.h5"
    child = (
        "import os, sys, numpy as np, xarray as xr, spinmem\n"
        "from spinmem import storage\n"
        "real = storage.os.replace\n"
        "def die(*a): os._exit(9)  # killed between writing and renaming\n"
        "storage.os.replace = die\n"
        f"spinmem.save(xr.Dataset({{'x': ('t', np.arange(1e5))}}), {str(path)!r}, "
        "compress=False)\n"
    )
    subprocess.run([sys.executable, "-c", child], check=False)
    left = list(tmp_path.glob(".r.h5.*.tmp"))
    assert len(left) == 1 and left[0].stat().st_size > 8e5
    live = tmp_path / f".r.h5.{os.getppid()}.abc.tmp"  # a live writer's: kept
    live.write_bytes(b"x")
    spinmem.save(xr.Dataset({"x": ("t", [1.0])}), path)
    assert sorted(tmp_path.iterdir()) == sorted([path, live])


def test_load_of_a_file_with_only_groups_names_them(tmp_path):
    path = tmp_path / "g.h5"
    spinmem.save(xr.Dataset({"x": ("t", [1.0])}), path, group="first")
    spinmem.save(xr.Dataset({"x": ("t", [2.0])}), path, group="second")
    with pytest.raises(spinmem.storage.StorageError, match="only the groups first, second"):
        spinmem.load(path)
    assert spinmem.load(path, group="second").x.values.tolist() == [2.0]


def test_combine_refuses_a_single_path(tmp_path):
    path = spinmem.save(xr.Dataset({"x": ("t", [1.0])}), tmp_path / "f.h5")
    for single in (str(path), path, spinmem.load(path)):
        with pytest.raises(TypeError, match=r"sources must be a list .* pass \[path\]"):
            spinmem.analysis.combine(single)


# ---- the command line and study plots on the wrong file


def test_cli_info_on_a_store_without_its_grid(tmp_path, capsys):
    path = tmp_path / "odd.h5"
    spinmem.save(xr.Dataset({"x": ("t", [1.0])}, attrs={"sweep_status": "complete"}), path)
    assert main(["info", str(path)]) == 0
    assert "sweep: complete, ? of ? points completed" in capsys.readouterr().out
    with h5py.File(path, "a") as handle:
        handle.attrs["sweep_status"] = "partial"
    assert main(["info", str(path)]) == 1
    assert "sweep_grid" in capsys.readouterr().err


def test_cli_plot_refuses_a_partial_store(tmp_path, capsys):
    path = tmp_path / "partial.h5"
    ds = xr.Dataset({"x": ("point", [1.0])}, attrs={"sweep_status": "partial"})
    spinmem.save(ds, path)
    assert main(["plot", str(path), "-o", str(tmp_path / "p.png")]) == 1
    assert "is a partial sweep store" in capsys.readouterr().err


def test_cli_run_refuses_a_result_file(tmp_path, capsys):
    path = spinmem.save(xr.Dataset({"x": ("t", [1.0])}), tmp_path / "r.h5")
    assert main(["run", str(path)]) == 1
    assert "is not a Python script" in capsys.readouterr().err


def test_study_plots_name_what_they_need():
    from spinmem.studies import mixtures, unlearning

    census = spinmem.census(NET, starts=10, seed=0)
    with pytest.raises(ValueError, match=r"the mixtures figure .* draws the result of"):
        mixtures.figure(census)
    _, trace = spinmem.unlearn(NET, dreams=5, epsilon=0.01, seed=0)
    with pytest.raises(ValueError, match=r"the unlearning figure .* draws the result of"):
        unlearning.figure(trace)
    partial = xr.Dataset({"fraction": ("point", [0.5])})
    with pytest.raises(ValueError, match=r"this is a partial sweep store"):
        mixtures.figure(partial)
