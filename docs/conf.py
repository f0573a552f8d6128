"""Sphinx configuration of the spinmem documentation
(``sphinx-build -n -W -b html docs docs/_build/html``)."""

from pathlib import Path

import spinmem

project = "spinmem"
author = "spinmem developers"
copyright = "2026, spinmem developers"
version = release = spinmem.__version__

# myst-nb: the tutorials are MyST text notebooks (diffable Markdown, no .ipynb JSON),
# executed by a Jupyter kernel at every build, so they cannot drift from the API; it
# reads the other pages as MyST Markdown like myst-parser did.
extensions = [
    "myst_nb",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "_inventories"]
myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath", "amsmath"]
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_timeout = 600

autosummary_generate = True
templates_path = ["_templates"]
autodoc_typehints = "none"
autosummary_ignore_module_all = False  # a module's page lists its __all__
numpydoc_show_class_members = False
# every documented parameter and every return value: a warning, so -W fails the build
numpydoc_validation_checks = {"PR01", "RT01"}
numpydoc_xref_param_type = True
# shape symbols and dtypes in type descriptions ("int8 array (N, p)") are not names
numpydoc_xref_ignore = set(
    "optional or of shape default N p R K k n chains".split()
    + "int8 int32 int64 uint64 float64".split()
    + "KernelView Replicas WorkLayout".split()  # internal records of the kernels
)
numpydoc_xref_aliases = {
    "Dataset": "xarray.Dataset",
    "DataArray": "xarray.DataArray",
    "SeedSequence": "numpy.random.SeedSequence",
    "Generator": "numpy.random.Generator",
    "Hopfield": "spinmem.Hopfield",
    "SpinModel": "spinmem.SpinModel",
    "DenseMemory": "spinmem.memory.DenseMemory",
    "StorageError": "spinmem.storage.StorageError",
    "Learned": "spinmem.rules.Learned",
}

# The inventories of the projects spinmem's pages link to, kept in the repository so
# that the build needs no network (docs/_inventories/make.py writes them).
_INVENTORIES = Path(__file__).parent / "_inventories"
intersphinx_mapping = {
    name: (url, str(_INVENTORIES / f"{name}.inv"))
    for name, url in {
        "python": "https://docs.python.org/3/",
        "numpy": "https://numpy.org/doc/stable/",
        "scipy": "https://docs.scipy.org/doc/scipy/",
        "xarray": "https://docs.xarray.dev/en/stable/",
        "matplotlib": "https://matplotlib.org/stable/",
        "dimod": "https://docs.dwavequantum.com/en/latest/ocean/api_ref_dimod/",
        "networkx": "https://networkx.org/documentation/stable/",
        "arviz": "https://python.arviz.org/en/stable/",
        "distributed": "https://distributed.dask.org/en/stable/",
    }.items()
}

nitpicky = True

html_theme = "pydata_sphinx_theme"
html_title = f"spinmem {release}"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
