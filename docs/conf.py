"""Sphinx configuration of the fastnewton documentation (``python -m sphinx docs docs/_build``)."""

import fastnewton

project = "fastnewton"
author = "the fastnewton developers"
copyright = "2026, the fastnewton developers"
version = release = fastnewton.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
]
exclude_patterns = ["_build"]
autosummary_generate = False
# numpydoc writes each class's attribute and method tables itself.
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
default_role = "py:obj"
nitpicky = False
html_theme = "alabaster"
html_static_path = ["_static"]
html_theme_options = {"description": "Compiled Newton and trust-region optimizers"}
