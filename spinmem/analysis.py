"""Reductions and combinations of results: mean and standard error over seeds, merging
files of one study."""

import os
from collections.abc import Iterable

import numpy as np
import xarray as xr

from .storage import load

__all__ = ["combine", "seed_mean"]


def seed_mean(dataset: xr.Dataset, dim: str = "seed") -> xr.Dataset:
    """Mean over independent repetitions, with its standard error.

    Every numeric variable ``v`` with dimension ``dim`` becomes its mean ``v`` and
    ``v_stderr = std(v, ddof=1) / sqrt(n)`` (NaN where n = 1); other variables are
    kept as they are. The repetitions must be independent (distinct seeds), which is
    what :func:`spinmem.sweep` provides.
    """
    if dim not in dataset.dims:
        raise ValueError(
            f"dim {dim!r} is not a dimension of the dataset "
            f"(dimensions: {list(dataset.dims)})"
        )
    n = dataset.sizes[dim]
    out = {}
    for name, var in dataset.data_vars.items():
        if dim not in var.dims or var.dtype.kind not in "biuf":
            out[name] = var
            continue
        mean = var.mean(dim, keep_attrs=True)
        if n > 1:
            err = var.std(dim, ddof=1) / np.sqrt(n)
        else:
            err = xr.full_like(mean, np.nan, dtype=float)
        err.attrs = {
            "long_name": f"standard error of {var.attrs.get('long_name', name)}",
            "units": var.attrs.get("units", "unspecified"),
        }
        out[name] = mean
        out[f"{name}_stderr"] = err
    coords = {k: v for k, v in dataset.coords.items() if dim not in v.dims}
    return xr.Dataset(
        out, coords=coords, attrs={**dataset.attrs, "reduced_over": dim, "repetitions": n}
    )


def combine(sources: Iterable) -> xr.Dataset:
    """Merge results of one study stored in several files (or Datasets) by coordinates.

    Each source covers part of a grid (for example separate sweeps over different
    alpha); the result spans the union. Overlapping points must agree.

    Parameters
    ----------
    sources : iterable of str, os.PathLike or xarray.Dataset
        A list of files or Datasets (one path alone is refused: it is a string, not a
        list of sources).
    """
    if isinstance(sources, str | bytes | os.PathLike | xr.Dataset):
        raise TypeError(
            "sources must be a list of files or Datasets, got a single "
            f"{type(sources).__name__}; pass [path] for one file"
        )
    datasets = [load(s) if not isinstance(s, xr.Dataset) else s for s in sources]
    if not datasets:
        raise ValueError("sources must name at least one file or Dataset")
    return xr.combine_by_coords(
        datasets,
        combine_attrs="drop_conflicts",
        data_vars="all",
        coords="different",
        compat="no_conflicts",
        join="outer",
    )
