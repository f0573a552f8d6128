"""Write the intersphinx inventories of the external names spinmem's pages link to.

The documentation builds without network access, so the inventories of Python,
numpy, scipy, xarray, matplotlib, dimod, networkx, dask.distributed and arviz are kept
here, reduced to the names the pages use, each with its page on that project's site
(the ``url`` of ``intersphinx_mapping`` in ``docs/conf.py`` plus the path below). Add
a name here when a docstring links a new one, then run
``python docs/_inventories/make.py``.
"""

import zlib
from pathlib import Path

ENTRIES = {
    "python": [
        ("int", "py:class", "library/functions.html#int"),
        ("float", "py:class", "library/functions.html#float"),
        ("str", "py:class", "library/stdtypes.html#str"),
        ("dict", "py:class", "library/stdtypes.html#dict"),
        ("list", "py:class", "library/stdtypes.html#list"),
        ("tuple", "py:class", "library/stdtypes.html#tuple"),
        ("None", "py:data", "library/constants.html#None"),
        ("True", "py:data", "library/constants.html#True"),
        ("False", "py:data", "library/constants.html#False"),
        ("callable", "py:function", "library/functions.html#callable"),
        ("os.PathLike", "py:class", "library/os.html#os.PathLike"),
        ("pathlib.Path", "py:class", "library/pathlib.html#pathlib.Path"),
        ("bltin-boolean-values", "std:label", "library/stdtypes.html#bltin-boolean-values"),
        ("sequence", "std:term", "glossary.html#term-sequence"),
        ("iterable", "std:term", "glossary.html#term-iterable"),
        ("ValueError", "py:exception", "library/exceptions.html#ValueError"),
        ("TypeError", "py:exception", "library/exceptions.html#TypeError"),
        ("FileExistsError", "py:exception", "library/exceptions.html#FileExistsError"),
        ("FileNotFoundError", "py:exception", "library/exceptions.html#FileNotFoundError"),
        ("RuntimeError", "py:exception", "library/exceptions.html#RuntimeError"),
        ("ImportError", "py:exception", "library/exceptions.html#ImportError"),
        (
            "DeprecationWarning",
            "py:exception",
            "library/exceptions.html#DeprecationWarning",
        ),
        ("RuntimeWarning", "py:exception", "library/exceptions.html#RuntimeWarning"),
        ("functools.partial", "py:function", "library/functools.html#functools.partial"),
        (
            "argparse.ArgumentParser",
            "py:class",
            "library/argparse.html#argparse.ArgumentParser",
        ),
        ("argparse.Namespace", "py:class", "library/argparse.html#argparse.Namespace"),
        ("types.ModuleType", "py:class", "library/types.html#types.ModuleType"),
        (
            "argparse.ArgumentParser",
            "py:class",
            "library/argparse.html#argparse.ArgumentParser",
        ),
        ("argparse.Namespace", "py:class", "library/argparse.html#argparse.Namespace"),
        ("types.ModuleType", "py:class", "library/types.html#types.ModuleType"),
    ],
    "numpy": [
        ("numpy.ndarray", "py:class", "reference/generated/numpy.ndarray.html"),
        ("numpy.int8", "py:attribute", "reference/arrays.scalars.html#numpy.int8"),
        (
            "numpy.random.SeedSequence",
            "py:class",
            "reference/random/bit_generators/generated/numpy.random.SeedSequence.html",
        ),
        ("numpy.random.Generator", "py:class", "reference/random/generator.html"),
        (
            "numpy.typing.ArrayLike",
            "py:data",
            "reference/typing.html#numpy.typing.ArrayLike",
        ),
        ("array_like", "std:term", "glossary.html#term-array_like"),
        ("arrays.scalars", "std:label", "reference/arrays.scalars.html"),
    ],
    "scipy": [
        ("scipy.sparse", "py:module", "reference/sparse.html"),
        (
            "scipy.sparse.csr_array",
            "py:class",
            "reference/generated/scipy.sparse.csr_array.html",
        ),
        (
            "scipy.sparse.sparray",
            "py:class",
            "reference/generated/scipy.sparse.sparray.html",
        ),
    ],
    "xarray": [
        ("xarray.Dataset", "py:class", "generated/xarray.Dataset.html"),
        ("xarray.DataArray", "py:class", "generated/xarray.DataArray.html"),
        ("xarray.open_dataset", "py:function", "generated/xarray.open_dataset.html"),
        ("xarray.merge", "py:function", "generated/xarray.merge.html"),
    ],
    "matplotlib": [
        ("matplotlib.axes.Axes", "py:class", "api/_as_gen/matplotlib.axes.Axes.html"),
        (
            "matplotlib.figure.Figure",
            "py:class",
            "api/_as_gen/matplotlib.figure.Figure.html",
        ),
        (
            "matplotlib.colors.Colormap",
            "py:class",
            "api/_as_gen/matplotlib.colors.Colormap.html",
        ),
        (
            "matplotlib.ticker.MaxNLocator",
            "py:class",
            "ticker_api.html#matplotlib.ticker.MaxNLocator",
        ),
    ],
    "dimod": [
        (
            "dimod.BinaryQuadraticModel",
            "py:class",
            "docs_dimod/reference/models.html#dimod.binary.BinaryQuadraticModel",
        ),
        (
            "dimod.SampleSet",
            "py:class",
            "docs_dimod/reference/sampleset.html#dimod.SampleSet",
        ),
        ("dimod.Sampler", "py:class", "docs_dimod/reference/samplers.html#dimod.Sampler"),
    ],
    "networkx": [
        ("networkx.Graph", "py:class", "reference/classes/graph.html#networkx.Graph"),
    ],
    "distributed": [
        ("dask.distributed.Client", "py:class", "api.html#distributed.Client"),
    ],
    "arviz": [
        ("arviz.InferenceData", "py:class", "api/generated/arviz.InferenceData.html"),
    ],
}


def write(folder: Path) -> None:
    """One ``NAME.inv`` per project in ``folder`` (Sphinx inventory version 2)."""
    for project, entries in ENTRIES.items():
        header = (
            f"# Sphinx inventory version 2\n# Project: {project}\n# Version: stable\n"
            "# The remainder of this file is compressed using zlib.\n"
        )
        lines = "".join(
            f"{name} {role} 1 {uri} -\n" for name, role, uri in sorted(set(entries))
        )
        (folder / f"{project}.inv").write_bytes(
            header.encode() + zlib.compress(lines.encode())
        )


if __name__ == "__main__":
    write(Path(__file__).parent)
