"""Sphinx configuration of the spinmem documentation (``sphinx-build -W docs out``)."""

import spinmem

project = "spinmem"
author = "spinmem developers"
copyright = "2026, spinmem developers"
version = release = spinmem.__version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
myst_heading_anchors = 3

autosummary_generate = True
templates_path = ["_templates"]
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_xref_param_type = False

html_theme = "alabaster"
html_title = f"spinmem {release}"
