"""The store of a sweep: its header, resumption from the file and the journal, and
the consolidated file written at the end.
"""

import json
from pathlib import Path

import numpy as np
import xarray as xr

from .. import _identity, _journal, storage
from ..seeding import provenance, root_sequence
from .plan import POINT, Plan

_FILE_ONLY_ATTRS = ("created", "history", "sweep_status", "sweep_failures")


def resume(store: Path, plan: "Plan", seed, existing) -> dict[int, xr.Dataset]:
    """The points already finished (store and journal); writes a new store's header."""
    journal = _journal.journal_path(store)
    if existing is None:
        journal.unlink(missing_ok=True)  # left by a store that was deleted
        plan.root = root_sequence(seed)
        storage.write_atomic(for_file(plan.stack({}), "partial"), store)
        return {}
    plan.root = _root_from(existing)
    stored = unstack(existing)
    for k, ds in sorted(_journal.read(journal, plan.journal_identity).items()):
        if not 0 <= k < plan.size:
            raise storage.StorageError(f"{journal} holds point {k} outside this sweep")
        stored[k] = plan.normalise(k, ds)
    return stored


def consolidate(store: Path, plan, results, failures) -> None:
    """Rewrite the store with every finished point, then drop the journal."""
    storage.write_atomic(for_file(plan.stack(results), "partial", failures), store)
    _journal.journal_path(store).unlink(missing_ok=True)


def for_file(ds: xr.Dataset, status: str, failures=()) -> xr.Dataset:
    out = storage.stamp(storage.prepare(ds), f"spinmem.sweep ({status})")
    out.attrs["sweep_status"] = status
    if failures:
        out.attrs["sweep_failures"] = json.dumps(
            [{"coords": f["coords"], "error": f["error"]} for f in failures],
            default=str,
        )
    return out


def existing_store(path: Path, plan: Plan, seed, allow_changed) -> xr.Dataset | None:
    if not path.exists():
        return None
    ds = storage.load(path)
    if "sweep_status" not in ds.attrs:
        raise FileExistsError(
            f"{path} exists and is not a spinmem sweep store; choose another store path"
        )
    plan.adopt_legacy_name(ds.attrs.get("sweep_function"))
    for key, value in plan.identity.items():
        if ds.attrs.get(key) != value:
            raise FileExistsError(
                f"{path} holds a different sweep ({key} = {ds.attrs.get(key)!r}, this call "
                f"has {value!r}); use a new store path (combine the files afterwards with "
                "spinmem.analysis.combine) or delete the old store"
            )
    if seed is not None:
        wanted = root_sequence(seed)
        if provenance(wanted) != {k: ds.attrs.get(k) for k in provenance(wanted)}:
            raise FileExistsError(
                f"{path} was written with root seed entropy "
                f"{ds.attrs.get('seed_entropy')}, this call asks for {wanted.entropy}; "
                "pass seed=None to resume it"
            )
    _check_code(path, ds.attrs, plan, allow_changed)
    return ds


def _check_code(path: Path, attrs: dict, plan: Plan, allow_changed: bool) -> None:
    """Refuse a store whose points another version of the function computed."""
    stored = attrs.get("sweep_code")
    current = plan.code["sweep_code"]
    if stored == current:
        return
    if allow_changed:
        plan.extra_attrs["sweep_code_previous"] = str(stored)
        return
    if stored is None:
        what = ["the store records no code identity (written by spinmem 0.1)"]
    else:
        what = _identity.differences(json.loads(stored), json.loads(current))
    python = attrs.get("sweep_python")
    if python and python != plan.code["sweep_python"]:
        what.append(f"it was written under {python}, this is {plan.code['sweep_python']}")
    raise FileExistsError(
        f"{path} holds points computed by another version of the sweep function: "
        + "; ".join(what)
        + ". Use a new store path, or pass allow_changed_function=True to keep the "
        "stored points and compute only the missing ones with the function as it is now"
    )


def restamp(store: Path, plan: "Plan", existing: xr.Dataset) -> xr.Dataset:
    """A complete store kept under a changed function: same points, the current code
    identity, the previous one in ``sweep_code_previous``."""
    ds = existing.assign_attrs({**plan.extra_attrs, **plan.code})
    storage.write_atomic(for_file(ds, "complete"), store)
    return strip_file_attrs(storage.load(store))


def _root_from(ds: xr.Dataset) -> np.random.SeedSequence:
    from ..seeding import from_provenance

    return from_provenance(ds.attrs)


def unstack(stacked: xr.Dataset) -> dict[int, xr.Dataset]:
    if POINT not in stacked.dims or stacked.sizes[POINT] == 0:
        return {}
    extra = [name for name, c in stacked.coords.items() if c.dims == (POINT,)]
    base = stacked.drop_vars(extra)
    base.attrs = {}
    keys = stacked[POINT].values.tolist()
    return {k: base.isel({POINT: i}, drop=True) for i, k in enumerate(keys)}


def strip_file_attrs(ds: xr.Dataset) -> xr.Dataset:
    ds = ds.copy()
    for key in _FILE_ONLY_ATTRS:
        ds.attrs.pop(key, None)
    return ds
