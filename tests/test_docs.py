"""The documentation site builds from the docstrings and pages without a warning."""

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_docs_build_without_warnings(tmp_path):
    """A copy of docs/ with the changelog and figures it includes, built nitpicky with
    -W: every docstring parses, every cross-reference (to spinmem and, through the
    inventories in docs/_inventories, to Python, numpy, xarray, ...) and included figure
    resolves; every method has its page; the gallery shows all seven studies; the
    tutorials are executed (myst-nb) and hold their outputs."""
    pytest.importorskip("sphinx")
    shutil.copytree(
        ROOT / "docs",
        tmp_path / "docs",
        ignore=shutil.ignore_patterns("generated", "_build"),
    )
    shutil.copy(ROOT / "CHANGELOG.md", tmp_path)
    (tmp_path / "data").mkdir()
    for png in (ROOT / "data").glob("*.png"):
        shutil.copy(png, tmp_path / "data")
    out = tmp_path / "html"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-n",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            "docs",
            str(out),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    api = (out / "generated" / "spinmem.relax.html").read_text()
    assert "sweeps taken" in api  # the numpydoc Returns section made it to the page
    gallery = (out / "gallery.html").read_text()
    assert gallery.count("<img") >= 11  # eight studies, two full-scale, two quick extra
    hebbian = (out / "generated" / "spinmem.Hopfield.hebbian.html").read_text()
    assert "storage" in hebbian  # methods have pages, with their parameters
    assert (out / "generated" / "spinmem.Hopfield.to_bqm.html").exists()
    tutorial = (out / "tutorials" / "getting-started.html").read_text()
    assert "replica-symmetric theory m = 0.966" in tutorial  # executed at the build
    assert "identical: True" in (out / "tutorials" / "sweeps.html").read_text()
    simulate = (out / "generated" / "spinmem.simulate.html").read_text()
    assert "https://docs.xarray.dev/en/stable/generated/xarray.Dataset.html" in simulate


def test_the_gallery_code_redraws_every_figure_from_the_committed_files(monkeypatch):
    """The code block of the gallery runs from the checkout against the committed
    stores, and each study's figure draws on its own figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    page = (ROOT / "docs" / "gallery.md").read_text()
    (code,) = [
        b.split("\n", 1)[1] for b in page.split("```")[1::2] if b.startswith("python")
    ]
    monkeypatch.chdir(ROOT)
    plt.close("all")
    exec(compile(code.replace("plt.show()", ""), "gallery.md", "exec"), {})
    assert len(plt.get_fignums()) == 8
    for number in plt.get_fignums():
        axes = plt.figure(number).axes
        assert any(ax.lines or ax.collections or ax.patches for ax in axes)
    plt.close("all")


def test_the_readme_tour_runs_and_says_what_it_shows(tmp_path, monkeypatch):
    """The README's tour runs as written (in a scratch folder, where it saves run.h5)
    and its comment holds: the four cued patterns are recalled exactly."""
    text = (ROOT / "README.md").read_text()
    (code,) = [
        b.split("\n", 1)[1] for b in text.split("```")[1::2] if b.startswith("python")
    ]
    monkeypatch.chdir(tmp_path)
    scope = {}
    exec(compile(code, "README.md", "exec"), scope)
    net, fixed = scope["net"], scope["fixed"]
    np.testing.assert_array_equal(net.overlaps(fixed.state).diagonal(), [1.0] * 4)
    assert (tmp_path / "run.h5").exists()


def test_the_retrieval_example_recalls_its_patterns(capsys):
    """examples/retrieval.py runs against the current API, and at alpha = 0.05 the
    zero-temperature relaxation recalls all five cued patterns exactly."""
    import runpy

    runpy.run_path(str(ROOT / "examples" / "retrieval.py"), run_name="__main__")
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("after zero-temperature"))
    assert line.split(":", 1)[1].split() == ["[1.", "1.", "1.", "1.", "1.]"]
    assert "fixed points: True" in out
