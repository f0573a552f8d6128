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
