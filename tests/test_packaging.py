"""A wheel built from the checkout runs the studies from anywhere."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import spinmem

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_runs_a_study_from_an_unrelated_directory(tmp_path):
    """Build a wheel, install it (without dependencies, which this environment has)
    into a fresh folder, and from another folder run ``spinmem run phase_diagram
    --quick --out X``: the package and its studies come from the wheel, and the
    results land in X, nothing inside the installed package."""
    wheels, target, work = tmp_path / "wheels", tmp_path / "site", tmp_path / "work"
    work.mkdir()
    pip = [sys.executable, "-m", "pip", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", wheels, ROOT], check=True)
    (wheel,) = wheels.glob("spinmem-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", target, wheel], check=True)
    env = dict(os.environ, PYTHONPATH=str(target))
    code = (
        "import sys, spinmem.cli, spinmem.studies; print(spinmem.studies.__file__); "
        "sys.exit(spinmem.cli.main(sys.argv[1:]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, "run", "phase_diagram", "--quick", "--out", "X"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.splitlines()[0].startswith(str(target))
    ds = spinmem.load(work / "X" / "phase_diagram-quick.h5")
    assert ds.attrs["sweep_status"] == "complete"
    assert (work / "X" / "phase_diagram-quick.png").stat().st_size > 10_000
    installed = {p.name for p in (target / "spinmem").rglob("*")}
    assert not {"phase_diagram-quick.h5", "data"} & installed


def test_every_subpackage_is_installed():
    """The wheel's package list names every folder of the package that holds an
    ``__init__.py`` (a missing one installs a package that fails on import); the
    studies install as ``spinmem.studies``."""
    import tomllib

    setup = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    source = ROOT / "spinmem"
    found = {
        ".".join(("spinmem", *p.parent.relative_to(source).parts))
        for p in source.rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert set(setup["packages"]) == found | {"spinmem.studies"}
    assert setup["package-dir"] == {"spinmem.studies": "studies"}


def _imports(path, package):
    """The package modules a module imports, at module level and inside functions."""
    import ast

    tree = ast.parse(path.read_text())
    here = package.split(".")
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = ".".join(here[: len(here) - node.level + 1])
            target = f"{base}.{node.module}" if node.module else base
            names = [target] if node.module else [f"{base}.{a.name}" for a in node.names]
            inner = node.col_offset > 0
            for name in names:
                found[name] = found.get(name, True) and inner
    return found


def test_the_package_has_no_import_cycles():
    """The graph of the package's imports between its modules (relative imports,
    including those inside functions) has no cycle, and only the command line (to start
    fast) and the optional dimod sampler defer imports to function bodies."""
    source = ROOT / "spinmem"
    modules = {}
    for path in source.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        package = name if parts[-1] == "__init__" else name.rsplit(".", 1)[0]
        modules[name] = _imports(path, package)
    deferred = sorted(
        f"{m} -> {t}" for m, ts in modules.items() for t, inner in ts.items() if inner
    )
    # the command line starts fast; the dimod sampler loads dimod only when used
    allowed = ("spinmem.cli ", "spinmem.__init__", "spinmem.interop -> spinmem._sampler")
    assert all(d.startswith(allowed) for d in deferred), deferred
    graph = {m: {t for t in ts if t in modules} for m, ts in modules.items()}
    state = {}

    def visit(m, trail):
        if state.get(m) == "done":
            return
        assert state.get(m) != "open", " -> ".join([*trail, m])
        state[m] = "open"
        for t in graph[m]:
            if t != "spinmem" and not m.startswith(t + "."):  # a package's own __init__
                visit(t, [*trail, m])
        state[m] = "done"

    for m in graph:
        visit(m, [])
