"""Notebooks: progress without ipywidgets, and the rich display of models."""

import sys
import textwrap

import pytest

import spinmem
from spinmem import _progress


def test_a_notebook_without_ipywidgets_gets_a_text_bar(monkeypatch, capsys):
    """tqdm's notebook bar needs ipywidgets; without them spinmem draws a text bar on
    the notebook's stream (not a terminal, so tqdm would otherwise stay silent)."""
    monkeypatch.setattr(_progress, "in_notebook", lambda: True)
    monkeypatch.setattr(_progress, "_widgets", lambda: False)
    with _progress.bar(40, "sweep", "simulate", delay=0) as shown:
        shown.update(40)
    assert "simulate: 100%" in capsys.readouterr().err
    monkeypatch.setattr(_progress, "in_notebook", lambda: False)
    with _progress.bar(40, "sweep", "simulate", delay=0) as shown:
        shown.update(40)
    assert capsys.readouterr().err == ""  # captured stream, not a terminal: no bar


def test_a_notebook_with_ipywidgets_gets_the_widget(monkeypatch):
    monkeypatch.setattr(_progress, "in_notebook", lambda: True)
    monkeypatch.setattr(_progress, "_widgets", lambda: True)
    tqdm, disable = _progress._kind()
    assert tqdm.__module__ == "tqdm.notebook" and disable is None


def test_models_display_as_a_table():
    net = spinmem.Hopfield.hebbian(spinmem.random_patterns(6, 40, seed=0))
    html = net._repr_html_()
    for cell in ("<td style='text-align:left'>40</td>", ">6</td>", ">0.15</td>", "dense"):
        assert cell in html
    assert "storage=&#x27;dense&#x27;" in html  # escaped repr as caption
    memory = spinmem.memory.DenseMemory(spinmem.random_patterns(3, 20, seed=0))
    assert "DenseMemory" in memory._repr_html_()
    dimod = pytest.importorskip("dimod")
    bqm = dimod.BinaryQuadraticModel({"a": 1.0, "b": 0.0}, {("a", "b"): 2.0}, 1.5, "BINARY")
    # SPIN form of this BQM: offset 1.5 + 1/2 + 2/4 = 2.5
    assert "dimod BINARY BQM, offset 2.5" in spinmem.interop.from_bqm(bqm)._repr_html_()


@pytest.mark.slow
def test_a_long_simulate_in_a_notebook_without_ipywidgets_shows_a_text_bar():
    """A notebook executed by nbclient (what nbconvert --execute runs) with ipywidgets
    unavailable: the cell's stderr holds the text bar, and no TqdmWarning."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    code = textwrap.dedent(
        """
        import sys
        sys.modules["ipywidgets"] = None  # as if not installed
        import spinmem
        net = spinmem.Hopfield.sherrington_kirkpatrick(2000, seed=1)
        ds = spinmem.simulate(net, temperature=5.0, sweeps=6000, seed=2)  # ~6 s
        """
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3")
    client.execute()
    outputs = notebook.cells[0].outputs
    stderr = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
    assert "simulate" in stderr and "100%" in stderr, outputs
    assert "TqdmWarning" not in stderr
    assert sys.executable  # the kernel is this environment's python3
