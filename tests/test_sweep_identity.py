"""A store is resumed only by the computation that wrote it (its code and bound values)."""

import functools
import importlib
import sys
import textwrap

import numpy as np
import pytest

import spinmem


def weighted(a, seed, w):
    return {"value": float(a * w.sum())}


def test_a_changed_lambda_is_refused(tmp_path):
    store = tmp_path / "l.h5"
    spinmem.sweep(lambda a, seed: {"v": a}, {"a": [1, 2]}, seed=1, store=store)
    with pytest.raises(FileExistsError, match="code .*changed"):
        spinmem.sweep(lambda a, seed: {"v": 100 * a}, {"a": [1, 2]}, seed=1, store=store)


def test_a_partial_array_differing_in_one_element_is_refused(tmp_path):
    store = tmp_path / "p.h5"
    w1 = np.ones(5000)
    w2 = w1.copy()
    w2[2500] = 2.0
    point = functools.partial(weighted, w=w1)
    first = spinmem.sweep(point, {"a": [1, 2]}, seed=1, store=store)
    assert first.value.values.ravel().tolist() == [5000.0, 10000.0]
    with pytest.raises(FileExistsError, match="bound argument 'w' has a different value"):
        spinmem.sweep(functools.partial(weighted, w=w2), {"a": [1, 2]}, seed=1, store=store)
    # the same values in a new array are the same computation
    again = spinmem.sweep(
        functools.partial(weighted, w=w1.copy()), {"a": [1, 2]}, seed=1, store=store
    )
    assert again.value.values.ravel().tolist() == [5000.0, 10000.0]


def test_a_changed_closure_value_is_refused(tmp_path):
    store = tmp_path / "c.h5"

    def make(scale):
        def point(a, seed):
            return {"v": a * scale}

        return point

    spinmem.sweep(make(1.0), {"a": [1]}, seed=1, store=store)
    with pytest.raises(FileExistsError, match="closure variable 'scale'"):
        spinmem.sweep(make(2.0), {"a": [1]}, seed=1, store=store)


MODULE = textwrap.dedent(
    """
    STOP = None

    def helper(a):
        return {body}

    def point(a, seed):
        if a == STOP:
            raise KeyboardInterrupt  # stops a run part way
        return {{"v": helper(a)}}
    """
)


def _module(tmp_path, body, name):
    path = tmp_path / f"{name}.py"
    path.write_text(MODULE.format(body=body))
    sys.path.insert(0, str(tmp_path))
    try:
        sys.modules.pop(name, None)
        importlib.invalidate_caches()
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


def test_an_edited_function_body_is_refused_and_can_be_accepted(tmp_path):
    """The body of a function the point function calls changes between two runs."""
    store = tmp_path / "edited.h5"
    grid = {"a": [1, 2, 3, 4]}
    old = _module(tmp_path, "a", "edited_study")
    old.STOP = 3
    with pytest.raises(KeyboardInterrupt):
        spinmem.sweep(old.point, grid, seed=1, store=store, progress=False)
    assert spinmem.load(store).v.values.tolist() == [1, 2]
    new = _module(tmp_path, "100 * a", "edited_study")
    with pytest.raises(FileExistsError, match="the function's code .* changed"):
        spinmem.sweep(new.point, grid, seed=1, store=store, progress=False)
    assert spinmem.load(store).v.values.tolist() == [1, 2]  # nothing changed or lost
    # knowingly accepted: the stored points stay, the missing ones use the new code
    mixed = spinmem.sweep(
        new.point, grid, seed=1, store=store, progress=False, allow_changed_function=True
    )
    assert mixed.v.values.ravel().tolist() == [1, 2, 300, 400]
    assert "code" in mixed.attrs["sweep_code_previous"]


def test_a_complete_store_is_restamped_when_a_changed_function_is_accepted(tmp_path):
    """All points done by the old code: accepting the new code keeps them, records both
    identities and a history line; the new code then resumes the store unrefused."""
    store = tmp_path / "done.h5"
    grid = {"a": [1, 2]}
    old = _module(tmp_path, "a", "restamped_study")
    spinmem.sweep(old.point, grid, seed=1, store=store, progress=False)
    before = spinmem.load(store)
    new = _module(tmp_path, "a + 0", "restamped_study")
    with pytest.raises(FileExistsError, match="changed"):
        spinmem.sweep(new.point, grid, seed=1, store=store, progress=False)
    kept = spinmem.sweep(
        new.point, grid, seed=1, store=store, progress=False, allow_changed_function=True
    )
    assert kept.v.values.ravel().tolist() == [1, 2]
    after = spinmem.load(store)
    assert after.attrs["sweep_code_previous"] == before.attrs["sweep_code"]
    assert after.attrs["sweep_code"] != before.attrs["sweep_code"]
    assert after.attrs["history"].startswith(before.attrs["history"] + "\n")
    again = spinmem.sweep(new.point, grid, seed=1, store=store, progress=False)
    assert again.v.values.ravel().tolist() == [1, 2]


def test_a_script_names_its_function_by_its_module_and_resumes_0_1_stores(tmp_path):
    """A sweep run from a script records ``myscan.point``, not ``__main__.point``; a
    store of spinmem 0.1 that recorded ``__main__.point`` still resumes (nothing is
    computed again) and keeps its name, so its journal stays valid."""
    script = tmp_path / "myscan.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys
            import spinmem

            def point(a, seed):
                with open(sys.argv[2], "a") as calls:
                    calls.write(f"{a}\\n")
                return {"v": 2.0 * a}

            spinmem.sweep(point, {"a": [1, 2, 3]}, seed=1, store=sys.argv[1])
            """
        )
    )
    import subprocess

    def run(store):
        calls = tmp_path / f"{store.stem}.calls"
        subprocess.run([sys.executable, script, store, calls], check=True, cwd=tmp_path)
        return calls.read_text().split() if calls.exists() else []

    store = tmp_path / "new.h5"
    assert run(store) == ["1", "2", "3"]
    assert spinmem.load(store).attrs["sweep_function"] == "myscan.point"
    old = tmp_path / "old.h5"
    store.rename(old)
    spinmem.storage.rewrite(old, attrs={"sweep_function": "__main__.point"})
    assert run(old) == []
    back = spinmem.load(old)
    assert back.attrs["sweep_function"] == "__main__.point"
    assert back.v.values.ravel().tolist() == [2.0, 4.0, 6.0]
