"""The installed package is typed (PEP 561): the marker, a stub per compiled module, signatures.

CI also runs mypy's stubtest on the stubs and ``mypy --strict`` on
tests/typing/user_code.py; this checks what a user's tools look for first.
"""

import importlib
import importlib.machinery
import inspect
from pathlib import Path

import fastnewton

PACKAGE = Path(fastnewton.__file__).parent


def test_installed_package_has_the_typing_marker():
    assert (PACKAGE / "py.typed").is_file()


def test_every_compiled_module_has_a_stub():
    compiled = [path.name.split(".")[0] for path in PACKAGE.iterdir()
                if path.name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))]
    assert len(compiled) >= 10
    assert [name for name in compiled if not (PACKAGE / (name + ".pyi")).is_file()] == []


def test_public_names_have_signatures_and_annotations():
    for name in fastnewton.__all__:
        obj = getattr(fastnewton, name)
        # Warnings, and BatchResult, a dict like scipy's OptimizeResult, take
        # the signatures of their builtin bases.
        if isinstance(obj, type) and issubclass(obj, (Warning, dict)):
            continue
        signature = inspect.signature(obj)          # raised for CriticalPoint before
        if inspect.isfunction(obj):
            assert signature.return_annotation is not inspect.Signature.empty, name
    assert list(inspect.signature(fastnewton.CriticalPoint).parameters)[:3] == [
        "n_positive", "n_negative", "n_zero"]
    assert inspect.signature(fastnewton.minimize).return_annotation.__name__ == "OptimizeResult"
