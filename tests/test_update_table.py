"""The table of update rules decides what every run accepts."""

import numpy as np
import pytest

import spinmem
from spinmem import _updates

RUNS = {
    "simulate": lambda net, dynamics, t: spinmem.simulate(
        net, temperature=t, dynamics=dynamics, sweeps=2, seed=0
    ),
    "anneal": lambda net, dynamics, t: spinmem.anneal(
        net, np.array([max(t, 0.5), max(t, 0.5)]), dynamics=dynamics, seed=0
    ),
    "temper": lambda net, dynamics, t: spinmem.temper(
        net, [max(t, 0.5), 1.0], dynamics=dynamics, sweeps=2, seed=0
    ),
}


@pytest.mark.parametrize("row", _updates.TABLE, ids=lambda r: r.name)
@pytest.mark.parametrize("run", sorted(RUNS))
def test_each_run_takes_exactly_the_rules_the_table_gives_it(row, run):
    """A rule runs where its row says and is refused elsewhere, naming the allowed
    rules of that run in table order."""
    net = spinmem.Hopfield.sherrington_kirkpatrick(6, seed=1)
    t = 0.5 if row.thermal else 0.0
    if run in row.runs:
        RUNS[run](net, row.name, t)
    else:
        allowed = ", ".join(repr(name) for name in _updates.names(run))
        with pytest.raises(ValueError, match=f"dynamics must be one of {allowed}"):
            RUNS[run](net, row.name, t)


@pytest.mark.parametrize("row", _updates.TABLE, ids=lambda r: r.name)
def test_the_temperature_check_follows_the_table(row):
    """Thermal rules refuse T = 0; zero-temperature rules refuse T > 0."""
    net = spinmem.Hopfield.sherrington_kirkpatrick(6, seed=1)
    wrong = 0.0 if row.thermal else 0.5
    with pytest.raises(ValueError, match="temperature"):
        spinmem.simulate(net, temperature=wrong, dynamics=row.name, sweeps=2)
    assert spinmem.DYNAMICS == _updates.names("simulate")


def test_every_run_names_its_variables_from_the_schema():
    """One result schema: each variable a run writes with a long name carries the
    schema's name and units for its entry (a quantity written by two runs is named
    alike), and every schema entry is written by some run."""
    from spinmem import _schema

    xi = spinmem.random_patterns(3, 40, seed=1)
    net = spinmem.Hopfield.hebbian(xi)
    runs = [
        spinmem.simulate(net, temperature=0.5, sweeps=3, record_states=True, seed=1),
        spinmem.simulate(net, dynamics="synchronous", sweeps=3, seed=1),
        spinmem.relax(net, xi, seed=2),
        spinmem.anneal(net, [1.0, 0.5], seed=3),
        spinmem.temper(net, [0.5, 1.0], sweeps=2, chains=2, seed=4),
        spinmem.temperature_ladder(net, 0.5, 1.0, 3, pilot_sweeps=20, seed=5),
        spinmem.census(net, starts=4, seed=6),
        spinmem.unlearn(net, dreams=2, epsilon=0.01, probes=2, seed=7)[1],
        spinmem.sweep(_point, {"x": [1]}, seed=8, progress=False),
    ]
    by_name = {meta[0]: key for key, meta in _schema.SCHEMA.items()}
    used = set()
    for ds in runs:
        for name, var in ds.variables.items():
            label = var.attrs.get("long_name")
            if label is None or name in ("x", "value", "pattern", "replica", "spin"):
                continue
            key = by_name.get(label)
            if key is None and name == "converged":  # relax words it with max_sweeps
                key = "converged"
            assert key is not None, f"{name!r} is named {label!r}, which no entry has"
            assert var.attrs.get("units") == _schema.SCHEMA[key][1], name
            used.add(key)
    assert used == set(_schema.SCHEMA)


def _point(x, seed):
    return {"value": float(x)}


_TOY_ROW = '    UpdateRule("slow_metropolis", 3, True, _EVERY_RUN),\n'
_TOY_BRANCH = """    if rule == 3:  # Metropolis at half rate: a(x) = min(1, exp(-x)) / 2
        return 2.0 * u < min(1.0, np.exp(-x))
"""
_TOY_RUN = """
import json, sys
sys.path.insert(1, {tests!r})
import spinmem
from helpers import boltzmann_chi_square
assert spinmem.__file__.startswith({root!r}), spinmem.__file__
net = spinmem.Hopfield.sherrington_kirkpatrick(8, seed=3)
runs = {{
    rule: spinmem.simulate(net, temperature=1.0, dynamics=rule, sweeps=200,
                           replicas=20_000, seed=7, record_every=200)
    for rule in ("slow_metropolis", "metropolis")
}}
_, p, _ = boltzmann_chi_square(net, 1.0, runs["slow_metropolis"].state.values)
ratio = float(runs["slow_metropolis"].flips.sum() / runs["metropolis"].flips.sum())
print(json.dumps({{"p": p, "ratio": ratio, "dynamics": list(spinmem.DYNAMICS)}}))
"""


@pytest.mark.slow
def test_a_new_rule_is_one_table_row_and_one_kernel_branch(tmp_path):
    """A copy of the package with one row added to the table and one branch to the
    kernels' acceptance (Metropolis slowed by 1/2, a(x) = exp(-x) a(-x)) samples the
    Boltzmann distribution of an N = 8 SK model (20,000 independent replicas after
    200 sweeps against all 2^8 weights, p > 1e-4) and flips half as often as
    Metropolis (ratio 0.5 within 0.01; about 10^7 flips each)."""
    import json
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    source = Path(spinmem.__file__).parent
    root = tmp_path / "copy"
    shutil.copytree(source, root / "spinmem", ignore=shutil.ignore_patterns("__pycache__"))
    table = root / "spinmem" / "_updates.py"
    text = table.read_text()
    anchor = '    UpdateRule("metropolis", updates.METROPOLIS, True, _EVERY_RUN),\n'
    assert anchor in text
    table.write_text(text.replace(anchor, anchor + _TOY_ROW))
    kernel = root / "spinmem" / "_kernels" / "updates.py"
    text = kernel.read_text()
    anchor = "    if rule == METROPOLIS:\n"
    assert text.count(anchor) == 1
    kernel.write_text(text.replace(anchor, _TOY_BRANCH + anchor))
    tests = str(Path(__file__).parent)
    proc = subprocess.run(
        [sys.executable, "-c", _TOY_RUN.format(tests=tests, root=str(root))],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "slow_metropolis" in out["dynamics"]
    assert out["p"] > 1e-4
    assert abs(out["ratio"] - 0.5) < 0.01


_STATES_FIELD = (
    '    """States (R, K, N) int8; a time axis of length 0 records no states."""\n'
)
_OBSERVABLE_FIELD = '''    magnetisation: np.ndarray
    """Total magnetisation sum_i s_i (R, K) int64."""
'''
_OBSERVABLE_RUN = """
import sys
import numpy as np
import spinmem
from spinmem._engine import init_work, make_blocks
from spinmem._kernels import records, updates
assert spinmem.__file__.startswith({root!r}), spinmem.__file__
net = spinmem.Hopfield.sherrington_kirkpatrick(30, seed=2)
rng = spinmem.seeding.stream_states(np.random.SeedSequence(4), 3)
s = np.ones((3, 30), np.int8)
reps = init_work(net, s, rng)
blocks = make_blocks([1.0] * 6, [2] * 6, [True, False, True, True, False, True])
rec = records.Records(
    np.empty((3, 5)), np.empty((3, 5, 0), np.int32), np.empty((3, 5, 30), np.int8),
    np.zeros((3, 5), np.int64),
)
best = records.Best(s.copy(), reps.energy.copy(), np.zeros(3, np.int64))
updates.run_replicas(net.kernel_view(), reps, blocks, 0, 0, rec, 1, best, 0, 3)
assert np.array_equal(rec.magnetisation[:, 1:], rec.states[:, 1:].sum(-1))
assert np.all(rec.magnetisation[:, 0] == 0) and np.ptp(rec.magnetisation[:, 1:]) > 0
print("ok")
"""


@pytest.mark.slow
def test_an_observable_is_one_record_field_and_one_line(tmp_path):
    """A copy of the package with a field added to the run records (and to the
    replica's part of them, :func:`records.row`) and, in the update kernels, one line
    where they record fills it in every recorded slot: the magnetisation written
    during the run equals the sum of the recorded states, slot by slot, for three
    replicas."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    source = Path(spinmem.__file__).parent
    root = tmp_path / "copy"
    shutil.copytree(source, root / "spinmem", ignore=shutil.ignore_patterns("__pycache__"))
    edits = {
        "records.py": {
            _STATES_FIELD: _STATES_FIELD + _OBSERVABLE_FIELD,
            "Records(rec.energy[r], rec.counts[r], rec.states[r])": (
                "Records(rec.energy[r], rec.counts[r], rec.states[r], rec.magnetisation[r])"
            ),
        },
        "updates.py": {
            "    rec.energy[slot] = rep.energy[0]\n": (
                "    rec.energy[slot] = rep.energy[0]\n"
                "    rec.magnetisation[slot] = rep.s.sum()\n"
            ),
        },
    }
    for name, changes in edits.items():
        path = root / "spinmem" / "_kernels" / name
        text = path.read_text()
        for old, new in changes.items():
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        path.write_text(text)
    proc = subprocess.run(
        [sys.executable, "-c", _OBSERVABLE_RUN.format(root=str(root))],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == "ok"
