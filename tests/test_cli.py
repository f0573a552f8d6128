"""The spinmem command line."""

import subprocess
import sys
import time
from typing import ClassVar

import numpy as np
import pytest
import sweep_functions as sf
import xarray as xr

import spinmem
from spinmem import SweepError
from spinmem.cli import main


def test_help_lists_every_command(capsys):
    out = subprocess.run(
        [sys.executable, "-m", "spinmem.cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for command in ("run SCRIPT", "info FILE", "plot FILE"):
        assert command in out


def test_version_is_the_installed_distribution(capsys):
    """``spinmem --version`` and ``spinmem.__version__`` report the version recorded
    in the installed package metadata (the one results record too)."""
    from importlib.metadata import version

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"spinmem {version('spinmem')}"
    assert spinmem.__version__ == version("spinmem")
    net = spinmem.Hopfield.hebbian(np.ones((1, 4)))
    ds = spinmem.simulate(net, temperature=0.5, sweeps=1)
    assert ds.attrs["spinmem_version"] == spinmem.__version__


def test_import_does_not_load_pyplot():
    """pyplot (and its backend) are loaded only when a figure is drawn."""
    code = (
        "import sys, spinmem; "
        "print('matplotlib.pyplot' in sys.modules, 'matplotlib' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]


def test_info_reports_a_partial_sweep(tmp_path, capsys):
    store = tmp_path / "partial.h5"
    with pytest.raises(SweepError):
        spinmem.sweep(
            sf.fails_at_two, {"x": [1, 2, 3]}, seeds=2, store=store, progress=False
        )
    assert main(["info", str(store)]) == 0
    out = capsys.readouterr().out
    assert "sweep: partial, 4 of 6 points completed" in out
    assert "failed at {'x': 2, 'seed': 0}: RuntimeError: boom at x=2" in out
    assert "seed_entropy" in out


def test_plot_writes_an_image(tmp_path):
    ds = xr.Dataset(
        {
            "m": (
                ("alpha", "seed"),
                np.random.default_rng(0).random((3, 2)),
                {"long_name": "overlap", "units": "1"},
            )
        },
        coords={"alpha": [0.05, 0.1, 0.15]},
    )
    path = spinmem.save(ds, tmp_path / "r.h5")
    out = tmp_path / "r.png"
    assert main(["plot", str(path), "-o", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_errors_name_the_file(tmp_path, capsys):
    assert main(["info", str(tmp_path / "nope.h5")]) == 1
    assert "nope.h5" in capsys.readouterr().err
    assert main(["run", "no_such_study"]) == 1
    assert "phase_diagram" in capsys.readouterr().err  # the studies it knows


def test_run_finds_an_installed_study_and_writes_to_the_current_directory(
    tmp_path, monkeypatch
):
    """``spinmem run NAME`` runs spinmem.studies.NAME; without --out the results go to
    ./data of the current directory, which is not the package's."""
    monkeypatch.chdir(tmp_path)
    assert main(["run", "annealing", "--quick", "--no-progress"]) == 0
    ds = spinmem.load(tmp_path / "data" / "annealing-quick.h5")
    assert ds.attrs["study"] == "annealing" and ds.attrs["sweep_status"] == "complete"
    assert (tmp_path / "data" / "annealing-quick.png").exists()


class _RecordingBar:
    """Stands in for tqdm: records the total and the updates."""

    made: ClassVar[list] = []

    def __init__(self, total=None, **kwargs):
        self.total, self.kwargs, self.done = total, kwargs, 0
        _RecordingBar.made.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n=1):
        self.done += n


def test_long_calls_show_a_bar_that_reaches_its_total(monkeypatch):
    """simulate (in chunks of one sweep), anneal, temper and unlearn move a tqdm bar
    from 0 to their total, relax and census count sweeps, a sweep counts its points;
    progress=False and a sweep's points show none."""
    from spinmem import _engine, _progress

    monkeypatch.setattr(_progress, "_kind", lambda: (_RecordingBar, None))
    monkeypatch.setattr(_engine, "CHUNK_WORK", 1)  # one sweep per kernel call
    _RecordingBar.made.clear()
    net = spinmem.Hopfield.hebbian(spinmem.random_patterns(3, 30, seed=1))
    spinmem.simulate(net, temperature=0.5, sweeps=7, seed=1)
    spinmem.simulate(net, sweeps=5, dynamics="synchronous", seed=1)
    spinmem.anneal(net, [1.0, 0.5, 0.2], sweeps_per_step=3, seed=1)
    spinmem.temper(net, [0.5, 1.0], sweeps=6, swap_every=2, seed=1)
    spinmem.unlearn(net, dreams=4, epsilon=0.01, record_every=2, probes=2, seed=1)
    cues = spinmem.make_cues(net.patterns, 0.3, seed=2)
    relaxed = spinmem.relax(net, cues, seed=3)
    spinmem.census(net, starts=5, seed=4)
    made = [(b.total, b.done, b.kwargs["desc"]) for b in _RecordingBar.made]
    assert made[:5] == [
        (7, 7, "simulate"),
        (5, 5, "simulate"),
        (9, 9, "anneal"),
        (6, 6, "temper"),
        (4, 4, "unlearn"),
    ]
    # relaxations count the sweeps of the slowest replica (no total known in advance)
    assert made[5] == (None, int(relaxed.sweeps.max()), "relax")
    assert made[6][0] is None and made[6][1] >= 1 and made[6][2] == "relax"
    assert len(made) == 7
    assert all(b.kwargs["disable"] is None for b in _RecordingBar.made)  # tqdm decides
    _RecordingBar.made.clear()
    spinmem.simulate(net, temperature=0.5, sweeps=7, seed=1, progress=False)
    spinmem.sweep(sf.retrieval, {"n": [20], "temperature": [0.5]}, progress=False)
    assert _RecordingBar.made == []
    spinmem.sweep(sf.retrieval, {"n": [20], "temperature": [0.5, 1.0]}, seeds=2)
    (sweep_bar,) = _RecordingBar.made  # the points' simulate calls draw none
    assert (sweep_bar.total, sweep_bar.done, sweep_bar.kwargs["desc"]) == (4, 4, "sweep")


def test_python_dash_m_spinmem_is_the_spinmem_command():
    out = subprocess.run(
        [sys.executable, "-m", "spinmem", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0 and out.stdout.strip() == f"spinmem {spinmem.__version__}"


def test_import_spinmem_leaves_the_heavy_optional_modules_for_later():
    """emcee (with scipy.stats, about a second), scipy.optimize (spinmem.theory),
    dimod, dask and arviz load on first use, not with ``import spinmem``, which still
    makes ``spinmem.interop`` available."""
    heavy = ("emcee", "scipy.stats", "scipy.optimize", "dimod", "dask", "arviz")
    code = (
        "import sys, spinmem; spinmem.interop.from_sampleset; "
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def _import_seconds(*codes: str, repeat: int = 3) -> list[float]:
    """Best wall time of a fresh interpreter running each of ``codes``, the codes taking
    turns so that all meet the same load of a shared machine."""
    best = [float("inf")] * len(codes)
    for _ in range(repeat):
        for k, code in enumerate(codes):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
            best[k] = min(best[k], time.perf_counter() - start)
    return best


def test_import_spinmem_costs_little_beyond_its_three_big_dependencies():
    """``import spinmem`` needs xarray, numba and scipy.sparse (about 0.9 s together on
    the development machines); the package's own modules add about 15 % to that. The
    bound, 1.6 times theirs, is generous for noisy machines and still catches an eager
    import of scipy.stats/emcee (+60 %) or of matplotlib.pyplot."""
    floor, spinmem_s = _import_seconds(
        "import xarray, numba, scipy.sparse", "import spinmem"
    )
    assert spinmem_s < 1.6 * floor, (spinmem_s, floor)


def test_every_submodule_is_an_attribute_after_import_spinmem():
    """The submodules loaded on first use are attributes of spinmem all the same, in a
    fresh interpreter where nothing else imported them."""
    code = (
        "import spinmem; "
        "print([spinmem.plot.__name__, spinmem.study.__name__, spinmem.theory.__name__])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "['spinmem.plot',",
        "'spinmem.study',",
        "'spinmem.theory']",
    ]
