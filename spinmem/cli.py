"""The ``spinmem`` command: run study scripts, inspect and plot result files."""

import argparse
import json
import runpy
import sys
from pathlib import Path

__all__ = ["main"]

_DESCRIPTION = """\
spinmem: Hopfield networks as Ising spin systems.

commands:
  run SCRIPT [ARGS...]   run a study script (a path, or the name of a study of
                         spinmem.studies, e.g. `spinmem run phase_diagram --quick`)
                         with its arguments; results go to ./data or --out
  info FILE [--group G]  dimensions, coordinates, variables, provenance and, for a
                         partial sweep store, the completed and failed points
  plot FILE -o OUT.png   the figure of the study that wrote FILE (with its other
                         stores in the same folder), else a quick look
  upgrade FILE...        rewrite files of an earlier spinmem in this version's
                         layout (CF 1.10, compressed); numbers unchanged
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="spinmem",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser("run", help="run a study script with its arguments")
    run.add_argument("script", help="path to a script, or the name of a study")
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    info = commands.add_parser("info", help="describe a result file")
    info.add_argument("file")
    info.add_argument("--group", default=None, help="HDF5 group to read")
    plot = commands.add_parser("plot", help="quick-look figure of a result file")
    plot.add_argument("file")
    plot.add_argument("-o", "--output", required=True, help="image file to write")
    plot.add_argument("--group", default=None, help="HDF5 group to read")
    plot.add_argument("--variable", default=None, help="variable to plot")
    plot.add_argument(
        "--average",
        action="append",
        default=[],
        metavar="DIM",
        help="average the quick look over DIM (repeatable); repetitions (seed, "
        "replica, ...) are averaged anyway",
    )
    upgrade = commands.add_parser("upgrade", help="rewrite files in this version's layout")
    upgrade.add_argument("files", nargs="+", metavar="FILE")
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        commands = {"run": _run, "info": _info, "plot": _plot, "upgrade": _upgrade}
        return commands[args.command](args)
    except (OSError, ValueError, TypeError) as exc:  # OSError: unwritable, missing
        print(f"spinmem {args.command}: {exc}", file=sys.stderr)
        return 1


def _version() -> str:
    from . import __version__

    return f"spinmem {__version__}"


def _run(args) -> int:
    script = Path(args.script)
    if script.suffix == ".py" or script.exists():
        if not script.exists():
            raise FileNotFoundError(f"no script {args.script!r}")
        if script.suffix != ".py":
            raise ValueError(
                f"{script} is not a Python script (.py); `spinmem run` runs study "
                "scripts. For a result file use `spinmem info` or `spinmem plot`"
            )
        sys.argv = [str(script), *args.args]
        runpy.run_path(str(script), run_name="__main__")
        return 0
    names = study_names()
    if args.script not in names:
        raise FileNotFoundError(
            f"no script {args.script!r}: give a path to a .py file or one of the "
            f"studies {', '.join(names)}"
        )
    module = f"spinmem.studies.{args.script}"
    sys.argv = [module, *args.args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
    return 0


def _upgrade(args) -> int:
    from .storage import _read, rewrite
    from .study import describe

    for file in args.files:
        attrs = _read(Path(file), None).attrs
        added = {}
        if "title" not in attrs and "study" in attrs:
            added = describe(attrs["study"], Path(file), bool(attrs.get("quick")))
        rewrite(file, attrs=added)
        print(f"rewrote {file}")
    return 0


def study_names() -> list[str]:
    """The studies installed with the package (modules of ``spinmem.studies``)."""
    from .study import names

    return names()


def _info(args) -> int:
    from ._sweep import read_store
    from .storage import load

    ds = load(args.file, group=args.group)
    if ds.attrs.get("sweep_status") == "partial" and args.group is None:
        ds = read_store(args.file)  # with the points in its journal
    print(f"{args.file}" + (f" (group {args.group})" if args.group else ""))
    print("dimensions: " + ", ".join(f"{k}={v}" for k, v in ds.sizes.items()))
    print("coordinates:")
    for name, coord in ds.coords.items():
        values = coord.values.ravel()
        shown = ", ".join(map(str, values[:6])) + (", ..." if values.size > 6 else "")
        print(f"  {name} {coord.dims}: {shown}")
    print("variables:")
    for name, var in ds.data_vars.items():
        label = var.attrs.get("long_name", "")
        units = var.attrs.get("units", "")
        print(f"  {name} {var.dims} {var.dtype}: {label} [{units}]")
    status = ds.attrs.get("sweep_status")
    if status is not None:
        total = _sweep_size(ds.attrs)
        done = ds.sizes.get("point", total) if status == "partial" else total
        print(f"sweep: {status}, {_known(done)} of {_known(total)} points completed")
        failures = json.loads(ds.attrs.get("sweep_failures", "[]"))
        for failure in failures:
            last = failure["error"].strip().splitlines()[-1]
            print(f"  failed at {failure['coords']}: {last}")
    print("provenance:")
    for key, value in ds.attrs.items():
        if key not in ("sweep_failures",):
            print(f"  {key}: {value}")
    return 0


def _known(count) -> str:
    return "?" if count is None else str(count)


def _sweep_size(attrs) -> int | None:
    """Points of a sweep from its recorded grid and seeds; None when they are missing."""
    try:
        total = int(attrs["sweep_seeds"])
        for values in json.loads(attrs["sweep_grid"]).values():
            total *= len(values)
    except (KeyError, TypeError, ValueError):
        return None
    return total


def _plot(args) -> int:
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    from . import plot
    from .storage import load
    from .study import draw

    ds = load(args.file, group=args.group)
    if ds.attrs.get("sweep_status") == "partial":
        raise ValueError(
            f"{args.file} is a partial sweep store; rerun its study (or sweep) to finish "
            "it, or read the finished points with spinmem.read_store"
        )
    axes = None
    if args.variable is None and args.group is None and "study" in ds.attrs:
        try:
            axes = draw(Path(args.file), ds)
        except (FileNotFoundError, ValueError) as err:
            print(
                f"spinmem plot: cannot draw the study's figure ({err}); drawing a "
                "quick look instead",
                file=sys.stderr,
            )
    if axes is None:
        axes = plot.quicklook(ds, args.variable, average=args.average)
    np.ravel(axes)[0].figure.savefig(args.output, dpi=150, bbox_inches="tight")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
