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
