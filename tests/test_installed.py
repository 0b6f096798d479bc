"""The installed package: compiled modules are extension modules, not shadowed by .py files."""

import importlib
import importlib.machinery
import os

import pytest

import fastnewton

COMPILED = ["_objective", "_trust_region", "_newton", "_subproblems", "_dense", "_hessian",
            "_line_search"]


@pytest.mark.parametrize("name", COMPILED)
def test_compiled_module_is_an_extension(name):
    module = importlib.import_module("fastnewton." + name)
    assert module.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)), \
        module.__file__
    assert isinstance(module.__spec__.loader, importlib.machinery.ExtensionFileLoader)
    # No pure-Python module of the same name sits next to the extension or in the package.
    from fastnewton import _minimize   # where the pure-Python modules live
    directories = {os.path.dirname(module.__file__), os.path.dirname(_minimize.__file__),
                   *fastnewton.__path__}
    for directory in directories:
        for suffix in (".py", ".pyc"):
            assert not os.path.exists(os.path.join(directory, name + suffix))


def test_package_is_the_installed_distribution():
    # The tests run against the installed distribution, whose metadata
    # matches the package's own version string.
    from importlib.metadata import version
    assert version("fastnewton") == fastnewton.__version__
    for name in ("minimize", "newton", "trust_exact", "dogleg", "trust_ncg", "newton_cg",
                 "trust_krylov", "approx_hessian"):
        assert name in fastnewton.__all__
        assert callable(getattr(fastnewton, name))


def test_testing_entry_points_are_compiled():
    from fastnewton import _testing
    assert _testing.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
