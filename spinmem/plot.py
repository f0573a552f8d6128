"""Figures from result Datasets (so they can be redrawn from HDF5 later).

Every function takes a Dataset (as returned by a study or read with
:func:`spinmem.load`) and returns a ``matplotlib.figure.Figure``; axes are labelled from
the variables' ``long_name`` and ``units`` attributes.
"""

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

__all__ = ["for_dataset", "label", "quicklook"]

_AVERAGED = ("seed", "replica", "start", "point")


def label(var: xr.DataArray) -> str:
    """Axis label ``long_name [units]`` of a variable or coordinate."""
    name = var.attrs.get("long_name", var.name)
    units = var.attrs.get("units")
    return f"{name} [{units}]" if units and units not in ("1", "unspecified") else str(name)


def for_dataset(ds: xr.Dataset, variable: str | None = None):
    """The study's own figure when ``ds`` was written by a study, else :func:`quicklook`."""
    study = ds.attrs.get("study")
    if variable is None and study in _STUDY_PLOTS:
        return _STUDY_PLOTS[study](ds)
    return quicklook(ds, variable)


def quicklook(ds: xr.Dataset, variable: str | None = None):
    """One numeric variable, averaged over repetitions, as a line or a colour map.

    Dimensions ``seed``, ``replica``, ``start`` and ``point`` are averaged; of the rest,
    the first two are shown (the others averaged too, as the title says).
    """
    if variable is None:
        numeric = [n for n, v in ds.data_vars.items() if v.dtype.kind in "biuf" and v.size]
        if not numeric:
            raise ValueError("the dataset has no numeric variable to plot")
        variable = numeric[0]
    if variable not in ds.data_vars:
        raise ValueError(
            f"variable must be one of {sorted(ds.data_vars)}, got {variable!r}"
        )
    var = ds[variable].astype(float)
    averaged = [d for d in var.dims if d in _AVERAGED or var.sizes[d] == 1]
    rest = [d for d in var.dims if d not in averaged]
    averaged += rest[2:]
    var = var.mean(averaged, keep_attrs=True) if averaged else var
    fig, ax = plt.subplots(figsize=(6, 4))
    if var.ndim == 0:
        ax.bar([variable], [float(var)])
        ax.set_ylabel(label(ds[variable]))
    elif var.ndim == 1:
        dim = var.dims[0]
        x = ds[dim] if dim in ds.coords else xr.DataArray(np.arange(var.size), name=dim)
        ax.plot(x.values, var.values, marker="o", ms=3)
        ax.set_xlabel(label(x))
        ax.set_ylabel(label(ds[variable]))
    else:
        mesh = var.transpose(*rest[:2]).plot(ax=ax, add_colorbar=True)
        mesh.colorbar.set_label(label(ds[variable]))
    if averaged:
        ax.set_title(f"{variable}, averaged over {', '.join(averaged)}", fontsize=9)
    fig.tight_layout()
    return fig


_STUDY_PLOTS: dict = {}
