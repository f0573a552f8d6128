"""Shared plumbing of the study scripts in ``studies/``: options, output paths, figures.

A study is a sweep (:func:`spinmem.sweep`) of a point function over a grid, stored in
``data/<name>.h5`` (``data/<name>-quick.h5`` with ``--quick``) and drawn by the study's
own ``figure`` function into a PNG beside it. Rerunning a study resumes its store.
:func:`draw` redraws any study's figure from its stores.
"""

import argparse
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import numpy as np
import xarray as xr

from . import _schema, analysis
from ._sweep import sweep
from .model import Hopfield, random_patterns
from .seeding import child, root_sequence
from .storage import load

__all__ = [
    "LABELS",
    "describe",
    "draw",
    "hebbian_network",
    "module_of",
    "names",
    "outputs",
    "parser",
    "refined",
    "run",
    "run_refined",
    "save_figure",
    "scalars",
    "sibling",
    "sweep_seed",
]

DATA = Path("data")
"""Default output folder: ``data`` in the current directory (never inside the
installed package)."""


def parser(description: str, name: str | None = None) -> argparse.ArgumentParser:
    """Options every study takes.

    Parameters
    ----------
    description : str
        The study's one-line description, for ``--help``.
    name : str, optional
        The study's name, so that its usage reads ``spinmem run NAME`` (the study
        scripts also run as ``python studies/NAME.py``).

    Returns
    -------
    argparse.ArgumentParser
        With ``--quick``, ``--out``, ``--workers``, ``--seed``, ``--no-progress`` and
        ``--keep-changed``; a study adds its own.
    """
    prog = None if name is None else f"spinmem run {name}"
    p = argparse.ArgumentParser(prog=prog, description=description)
    p.add_argument(
        "--quick",
        action="store_true",
        help="small settings: seconds on 2 cores once the kernels are compiled",
    )
    p.add_argument(
        "--out",
        type=_folder,
        default=DATA,
        help="folder for the HDF5 and PNG files (default: ./data)",
    )
    p.add_argument(
        "--workers",
        type=_whole(1),
        default=None,
        help="local processes (default: run in this process)",
    )
    p.add_argument(
        "--seed", type=_whole(0), default=2026, help="root seed, >= 0 (default 2026)"
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument(
        "--keep-changed",
        action="store_true",
        help="keep the points of a store that an earlier version of the study's point "
        "function computed (its identity is kept as sweep_code_previous)",
    )
    return p


def _whole(minimum: int):
    """An argparse type: an integer >= ``minimum``, refused before anything is written."""

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value

    convert.__name__ = "integer"
    return convert


def _folder(text: str) -> Path:
    """An argparse type: a folder to write into; an existing file is refused."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a file, not a folder")
    return path


def outputs(args, name: str) -> tuple[Path, Path]:
    """The store and figure paths of a study, creating the output folder.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed options (``quick``, ``out``).
    name : str
        The study's (or store's) name.

    Returns
    -------
    tuple of pathlib.Path
        ``OUT/NAME[-quick].h5`` and ``OUT/NAME[-quick].png``.
    """
    stem = f"{name}-quick" if args.quick else name
    args.out.mkdir(parents=True, exist_ok=True)
    return args.out / f"{stem}.h5", args.out / f"{stem}.png"


LABELS = {
    "alpha": {"long_name": "load alpha = p/N", "units": "1"},
    "temperature": {"long_name": "temperature T", "units": "1"},
    "n": {"long_name": "number of spins N", "units": "1"},
    "epsilon": {"long_name": "unlearning strength epsilon", "units": "1"},
    "steps": {"long_name": "schedule steps", "units": "1"},
    "components": {"long_name": "mixture components n", "units": "1"},
    "instance": {"long_name": "problem instance", "units": "1"},
    "sample": {"long_name": "disorder sample", "units": "1"},
    "rule": {"long_name": "learning rule or dense memory", "units": "1"},
    "degree": {"long_name": "degree n of the dense memory", "units": "1"},
    "relative_load": {
        "long_name": "p / p_max, p_max = N^(n-1) / (2 (2n-3)!! ln N)",
        "units": "1",
    },
}


def run(
    function,
    grid,
    args,
    *,
    name: str,
    seeds: int,
    store: Path,
    stream: int | None = None,
    **settings,
) -> xr.Dataset:
    """Sweep ``function`` over ``grid`` into ``store``; ``settings`` are recorded.

    The root seed is ``args.seed``; a study that runs several sweeps gives each after
    the first its own ``stream`` (root: child ``stream`` of ``args.seed``) so that
    their points draw independent networks.

    Parameters
    ----------
    function : callable
        The point function, ``function(**point, seed=...)``.
    grid : dict
        As for :func:`spinmem.sweep`.
    args : argparse.Namespace
        The options of :func:`parser`.
    name : str
        The study's name, recorded as the store's ``study`` attribute.
    seeds : int
        Repetitions per grid point.
    store : pathlib.Path
        The sweep store.
    stream : int, optional
        The sweep's own seed stream (see above).
    **settings
        Recorded as attributes of the store.

    Returns
    -------
    xarray.Dataset
        The sweep's result.
    """
    attrs = {
        **describe(name, store, bool(args.quick)),
        "study": name,
        "quick": int(bool(args.quick)),
        **settings,
    }
    labels = {k: v for k, v in LABELS.items() if k in grid}
    return sweep(
        function,
        grid,
        seeds=seeds,
        seed=sweep_seed(args.seed, stream),
        store=store,
        workers=args.workers,
        progress=not args.no_progress,
        attrs=attrs,
        allow_changed_function=args.keep_changed,
        grid_attrs=labels,
    )


def sweep_seed(seed, stream: int | None = None):
    """The root seed :func:`run` gives a sweep: ``seed`` itself, or its child
    ``stream``.

    Parameters
    ----------
    seed : int or numpy.random.SeedSequence
        The study's root seed (``--seed``).
    stream : int, optional
        The sweep's own seed stream.

    Returns
    -------
    int or numpy.random.SeedSequence
    """
    return seed if stream is None else child(root_sequence(seed), stream)


def run_refined(
    function, grid, fine, args, *, name: str, seeds: int, store: Path, **settings
) -> xr.Dataset:
    """:func:`run` over ``grid``, and, when ``fine`` holds more loads, again over those
    loads (``grid["alpha"]`` replaced) into ``<store>-fine.h5`` with seed stream 1; the
    two as one Dataset (:func:`refined`).

    Parameters
    ----------
    function, grid, args, name, seeds, store, **settings
        As for :func:`run`; ``grid`` has an ``alpha`` coordinate.
    fine : list or None
        The loads of the refining sweep.

    Returns
    -------
    xarray.Dataset
    """
    ds = run(function, grid, args, name=name, seeds=seeds, store=store, **settings)
    if not fine:
        return ds
    finer = run(
        function,
        {**grid, "alpha": fine},
        args,
        name=name,
        seeds=seeds,
        store=store.with_name(f"{store.stem}-fine.h5"),
        stream=1,
        **settings,
    )
    return refined(ds, finer)


def refined(coarse: xr.Dataset, fine: xr.Dataset, dim: str = "alpha") -> xr.Dataset:
    """A sweep and its refining sweep as one Dataset, sorted along ``dim``.

    Parameters
    ----------
    coarse, fine : xarray.Dataset
        Two sweeps over the same other coordinates, with different values of ``dim``
        (the refining sweep with its own seed stream, so its networks are independent).
    dim : str
        The coordinate the refining sweep fills in.

    Returns
    -------
    xarray.Dataset
        Both along ``dim``, with the attributes of ``coarse`` and ``fine_<dim>s``, the
        values of the refining sweep.
    """
    ds = xr.concat([coarse, fine], dim, combine_attrs="override").sortby(dim)
    ds.attrs[f"fine_{dim}s"] = list(fine[dim].values)
    return ds


def describe(name: str, store: Path, quick: bool) -> dict[str, str]:
    """The CF ``title`` and ``summary`` of a study's store.

    Parameters
    ----------
    name : str
        The study (or ``NAME-part`` for its further stores).
    store : pathlib.Path
        The store.
    quick : bool
        Whether the store holds the quick settings.

    Returns
    -------
    dict
        ``title`` (the study, the store and its settings) and ``summary`` (the first
        paragraph of the study's docstring).
    """
    kind = "quick" if quick else "full"
    module = module_of(name)
    return {
        "title": f"spinmem {name} study, {Path(store).stem} ({kind} settings)",
        "summary": _schema.summary(module) if module else "",
    }


def hebbian_network(alpha: float, n: int, seed) -> Hopfield:
    """A Hebbian network for a study's point.

    Parameters
    ----------
    alpha : float
        Load: ``max(1, round(alpha n))`` random patterns.
    n : int
        Spins.
    seed : numpy.random.SeedSequence
        The point's seed; the patterns come from its child stream 0.

    Returns
    -------
    Hopfield
    """
    p = max(1, round(alpha * n))
    return Hopfield.hebbian(random_patterns(p, n, seed=child(seed, 0)))


def scalars(**values) -> xr.Dataset:
    """A point result of named scalars.

    Parameters
    ----------
    **values
        ``name=(value, long_name, units)``.

    Returns
    -------
    xarray.Dataset
        One 0-d variable per name.
    """
    return xr.Dataset(
        {
            name: ((), value, {"long_name": long_name, "units": units})
            for name, (value, long_name, units) in values.items()
        }
    )


def crossing_text(curve: xr.DataArray, threshold: float, dim: str) -> str:
    """Where ``curve`` first falls below ``threshold`` along ``dim``
    (:func:`spinmem.analysis.crossings`), as text for a study's printout: the value, or
    ``< first`` / ``> last`` when it stays on one side of the threshold on the grid.

    Parameters
    ----------
    curve : xarray.DataArray
        One curve along ``dim``.
    threshold : float
        The level it falls through.
    dim : str
        The grid dimension.

    Returns
    -------
    str
        The crossing with three decimals, or the side of the grid.
    """
    at = float(analysis.crossings(curve, threshold, dim))
    if np.isnan(at):
        x = curve[dim].values
        return f"< {x[0]:g}" if curve.values[0] < threshold else f"> {x[-1]:g}"
    return f"{at:.3f}"


def save_figure(drawn, path: Path) -> None:
    """Write a figure as PNG and report the path.

    Parameters
    ----------
    drawn : matplotlib.figure.Figure or matplotlib.axes.Axes
        A figure, or the axes (one or an array) a plot drew on.
    path : pathlib.Path
    """
    fig = drawn if hasattr(drawn, "savefig") else np.ravel(drawn)[0].figure
    fig.savefig(path, dpi=130, bbox_inches="tight")
    print(f"wrote {path}")


def names() -> list[str]:
    """The studies installed with the package.

    Returns
    -------
    list of str
        The modules of ``spinmem.studies``, sorted.
    """
    found = importlib.util.find_spec("spinmem.studies")  # without importing them
    return sorted(m.name for m in pkgutil.iter_modules(found.submodule_search_locations))


def module_of(study):
    """The module of the study that writes stores whose ``study`` attribute is
    ``study``.

    Parameters
    ----------
    study : str
        A store's ``study`` attribute (a study's further stores are named
        ``NAME-part``).

    Returns
    -------
    types.ModuleType or None
        ``spinmem.studies.NAME``, or None when no installed study has that name.
    """
    if not isinstance(study, str):
        return None
    for name in sorted(names(), key=len, reverse=True):
        if study == name or study.startswith(f"{name}-"):
            return importlib.import_module(f"spinmem.studies.{name}")
    return None


def sibling(path: Path, own: str, other: str) -> xr.Dataset:
    """The store a study wrote beside ``path`` under another name.

    Parameters
    ----------
    path : pathlib.Path
        A store of the study.
    own : str
        The study name in the file name of ``path``.
    other : str
        The name that replaces it.

    Returns
    -------
    xarray.Dataset
        The other store; ``FileNotFoundError`` when it is missing.
    """
    found = path.with_name(path.name.replace(own, other, 1))
    if own not in path.name or not found.exists():
        raise FileNotFoundError(f"it needs the {other} store {found.name} beside {path}")
    return load(found)


def draw(path, ds: xr.Dataset | None = None):
    """The figure of the study that wrote a store, drawn from it and the study's other
    stores beside it.

    Parameters
    ----------
    path : str or os.PathLike
        The store.
    ds : xarray.Dataset, optional
        The store, when already read.

    Returns
    -------
    matplotlib.axes.Axes or numpy.ndarray
        The axes drawn on.

    Raises
    ------
    ValueError
        No installed study wrote the store.
    FileNotFoundError
        A store the figure needs is missing.
    """
    path = Path(path)
    ds = load(path) if ds is None else ds
    module = module_of(ds.attrs.get("study"))
    if module is None:
        raise ValueError(
            f"{path} was not written by a study ({', '.join(names())}); its 'study' "
            f"attribute is {ds.attrs.get('study')!r}"
        )
    # a study whose figure needs other stores than its own reads them in its ``draw``
    own = getattr(module, "draw", None)
    return module.figure(ds) if own is None else own(path, ds)
