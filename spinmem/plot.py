"""Figures from result Datasets (so they can be redrawn from HDF5 later): a quick look
at any Dataset, and the helpers the studies' own figures are drawn with.

Each study module owns its figure (``spinmem.studies.NAME.figure``, drawn by
``spinmem plot`` from any of the study's stores). Every figure function takes Datasets
(as returned by a study or read with :func:`spinmem.load`), draws on the matplotlib
axes given as ``ax=`` (one panel) or ``axes=`` (several, in the layout the docstring
names), or on a new pyplot figure when none are given, and returns the axes it drew on
(``ax.figure`` is their figure); axes are labelled from the variables' ``long_name``
and ``units`` attributes. Titles of the whole figure and its layout are only set on
figures the function made itself.
"""

import importlib
import inspect
import warnings
from collections.abc import Sequence

import numpy as np
import xarray as xr

from .study import module_of

__all__ = [
    "REPETITIONS",
    "colormap",
    "colour_cycle",
    "finish",
    "for_dataset",
    "label",
    "max_n_locator",
    "panels",
    "quicklook",
    "require",
    "seed_averaged",
]

_MOVED = {
    "phase_diagram": ("phase_diagram", "figure"),
    "capacity": ("capacity", "figure"),
    "capacity_estimate": ("capacity", "estimate"),
    "unlearning": ("unlearning", "figure"),
    "mixtures": ("mixtures", "figure"),
    "annealing": ("annealing", "figure"),
    "equilibrium": ("equilibrium", "figure"),
    "rules": ("rules", "figure"),
}


def __getattr__(name: str):
    """The studies' figures, by their former names here (deprecated)."""
    if name not in _MOVED:
        raise AttributeError(f"module 'spinmem.plot' has no attribute {name!r}")
    module, function = _MOVED[name]
    warnings.warn(
        f"spinmem.plot.{name} is deprecated: use spinmem.studies.{module}.{function}",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module(f"spinmem.studies.{module}"), function)


def label(var: xr.DataArray) -> str:
    """Axis label ``long_name [units]`` of a variable or coordinate.

    Parameters
    ----------
    var : xarray.DataArray

    Returns
    -------
    str
        The long name (or the name), with the units in brackets unless they are
        ``"1"``.
    """
    name = var.attrs.get("long_name", var.name)
    units = var.attrs.get("units")
    return f"{name} [{units}]" if units and units != "1" else str(name)


def for_dataset(ds: xr.Dataset, variable: str | None = None, *, ax=None, axes=None):
    """The study's own figure when ``ds`` was written by a study whose figure needs
    this Dataset alone, else :func:`quicklook`; returns the axes drawn on.

    Parameters
    ----------
    ds : xarray.Dataset
    variable : str, optional
        Draw this variable with :func:`quicklook` instead of the study's figure.
    ax : matplotlib.axes.Axes, optional
        Draw on this Axes: a quick look, or a study figure of one panel.
    axes : array of matplotlib.axes.Axes, optional
        Draw a study figure of several panels on these (the layout its ``figure``
        docstring names).

    Returns
    -------
    matplotlib.axes.Axes or numpy.ndarray
        The axes drawn on.

    Notes
    -----
    ``spinmem plot`` also draws the figures that need a study's other stores, with
    :func:`spinmem.study.draw`.
    """
    module = module_of(ds.attrs.get("study"))
    if variable is None and module is not None:
        parameters = inspect.signature(module.figure).parameters
        needed = [
            p
            for p in parameters.values()
            if p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty
        ]
        if len(needed) == 1:
            if "ax" in parameters:
                return module.figure(ds, ax=ax if ax is not None else axes)
            if ax is not None:
                raise ValueError(
                    f"the {module.NAME} figure draws several panels: pass axes=... "
                    f"(see spinmem.studies.{module.NAME}.figure), or variable=... for "
                    "a quick look on ax"
                )
            return module.figure(ds, axes=axes)
    if axes is not None:
        raise ValueError("a quick look draws one panel: pass ax=..., not axes=...")
    return quicklook(ds, variable, ax=ax)


REPETITIONS = ("seed", "replica", "start", "point", "chain", "pair")
"""Dimensions that repeat one measurement: :func:`quicklook` averages them."""


def quicklook(
    ds: xr.Dataset,
    variable: str | None = None,
    *,
    average: Sequence[str] = (),
    ax=None,
):
    """One numeric variable as a bar, a line or a colour map.

    Parameters
    ----------
    ds : xarray.Dataset
    variable : str, optional
        The variable to draw; default the first numeric one.
    average : sequence of str
        Further dimensions to average over. Dimensions that repeat a measurement
        (``REPETITIONS``: seed, replica, start, point, chain, pair) are averaged
        anyway and dimensions of length 1 dropped; the title names them. Two
        dimensions are left to draw: with more, the call is refused, naming them
        (average some, or select with ``ds.sel``/``ds.isel`` first).
    ax : matplotlib.axes.Axes, optional
        Draw here instead of on a new figure.

    Returns
    -------
    matplotlib.axes.Axes
    """
    variable = _numeric_variable(ds, variable)
    var = ds[variable].astype(float)
    average = _dimensions(var, average)
    averaged = [d for d in var.dims if d in REPETITIONS or d in average]
    rest = [d for d in var.dims if d not in averaged and var.sizes[d] > 1]
    if len(rest) > 2:
        raise ValueError(
            f"a quick look draws two dimensions; {variable!r} has {rest}: pass "
            f"average=[...] naming those to average (spinmem plot --average DIM), or "
            "select one value of them with ds.sel/ds.isel first"
        )
    var = var.mean(averaged, keep_attrs=True) if averaged else var
    var = var.squeeze([d for d in var.dims if d not in rest])
    grid, own = panels(ax, (1, 1), "quick-look", figsize=(6, 4))
    ax = grid[0, 0]
    _draw_quicklook(ax, ds, variable, var, rest)
    if averaged:
        ax.set_title(f"{variable}, averaged over {', '.join(averaged)}", fontsize=9)
    finish(grid, own)
    return ax


def _numeric_variable(ds: xr.Dataset, variable: str | None) -> str:
    if variable is None:
        numeric = [n for n, v in ds.data_vars.items() if v.dtype.kind in "biuf" and v.size]
        if not numeric:
            raise ValueError("the dataset has no numeric variable to plot")
        return numeric[0]
    if variable not in ds.data_vars:
        raise ValueError(
            f"variable must be one of {sorted(ds.data_vars)}, got {variable!r}"
        )
    return variable


def _dimensions(var: xr.DataArray, average) -> list[str]:
    average = [average] if isinstance(average, str) else list(average)
    unknown = [d for d in average if d not in var.dims]
    if unknown:
        raise ValueError(
            f"average names {unknown}, not dimensions of {var.name!r} {list(var.dims)}"
        )
    return average


def _draw_quicklook(ax, ds, variable, var, rest) -> None:
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
        mesh = var.transpose(*rest).plot(ax=ax, add_colorbar=True)
        mesh.colorbar.set_label(label(ds[variable]))


def _subplots(*args, **kwargs):
    """``matplotlib.pyplot.subplots``, imported on first use so that ``import
    spinmem`` does not load pyplot."""
    import matplotlib.pyplot as plt

    return plt.subplots(*args, **kwargs)


def panels(axes, shape: tuple[int, int], figure: str, **figure_kw):
    """The axes a figure function draws on: the given ones, or a new figure's.

    Parameters
    ----------
    axes : array_like of matplotlib.axes.Axes or None
        The caller's axes (any nesting, ``shape[0] * shape[1]`` of them), or None for
        a new figure.
    shape : tuple of int
        Rows and columns of panels.
    figure : str
        The figure's name in error messages.
    **figure_kw
        For ``matplotlib.pyplot.subplots`` when a figure is made.

    Returns
    -------
    axes : numpy.ndarray
        The axes, of ``shape``.
    own : bool
        Whether the figure is new.
    """
    if axes is None:
        _, new = _subplots(*shape, squeeze=False, **figure_kw)
        return new, True
    given = np.asarray(axes, dtype=object)
    size = shape[0] * shape[1]
    if given.size != size or not all(hasattr(a, "plot") for a in given.flat):
        raise ValueError(
            f"axes must be {size} matplotlib Axes ({shape[0]} x {shape[1]}) for the "
            f"{figure} figure, got {given.size} object(s)"
        )
    return given.reshape(shape), False


def finish(axes, own: bool, title: str | None = None, fontsize: int = 11) -> None:
    """Title and tight layout of a figure the plot made itself.

    Parameters
    ----------
    axes : array_like of matplotlib.axes.Axes
    own : bool
        Whether the plot made the figure (else nothing is done).
    title : str, optional
    fontsize : int
    """
    if not own:
        return
    fig = np.ravel(axes)[0].figure
    if title:
        fig.suptitle(title, fontsize=fontsize)
    fig.tight_layout()


def colormap(name: str):
    """A matplotlib colormap by name (matplotlib loads on first use).

    Parameters
    ----------
    name : str

    Returns
    -------
    matplotlib.colors.Colormap
    """
    import matplotlib

    return matplotlib.colormaps[name]


def max_n_locator(n: int):
    """A tick locator with at most ``n`` intervals.

    Parameters
    ----------
    n : int

    Returns
    -------
    matplotlib.ticker.MaxNLocator
    """
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(n)


def colour_cycle() -> list:
    """The colours of matplotlib's current property cycle.

    Returns
    -------
    list of str
    """
    import matplotlib

    return matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]


def require(ds, study: str, names) -> None:
    """A clear error when ``ds`` is not the complete result of ``study`` that its
    figure draws: not a Dataset, a partial sweep store, or lacking any of ``names``.

    Parameters
    ----------
    ds : xarray.Dataset
    study : str
        The study's name, for the message.
    names : sequence of str
        The variables the figure needs.
    """
    where = f"the {study} figure (spinmem.studies.{study}.figure)"
    if not isinstance(ds, xr.Dataset):
        raise TypeError(f"{where} needs an xarray.Dataset, got {type(ds).__name__}")
    if "point" in ds.dims:
        raise ValueError(
            f"{where} needs a complete study result; this is a partial sweep store "
            f"({ds.sizes['point']} finished points stacked along 'point'). Rerun the "
            "study to finish it"
        )
    missing = [name for name in names if name not in ds.variables]
    if missing:
        raise ValueError(
            f"{where} draws the result of the {study} study and needs "
            f"{', '.join(names)}; this Dataset lacks {', '.join(missing)} "
            "(plot.quicklook draws any Dataset)"
        )


def seed_averaged(var: xr.DataArray) -> xr.DataArray:
    """The mean over the ``seed`` dimension, when there is one.

    Parameters
    ----------
    var : xarray.DataArray

    Returns
    -------
    xarray.DataArray
    """
    return var.mean("seed", keep_attrs=True) if "seed" in var.dims else var
