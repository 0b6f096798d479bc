"""The examples in fastnewton's docstrings run and print what they show."""

import doctest
import importlib
import types

import pytest

# Modules whose docstrings hold examples, with the least number of examples
# each is known to hold (so that examples silently disappearing is noticed).
MODULES_WITH_EXAMPLES = {
    "fastnewton._minimize": 1,
    "fastnewton._methods": 6,
    "fastnewton._derivatives": 2,
    "fastnewton._critical": 1,
    "fastnewton._curvature": 1,
    "fastnewton._taylor": 1,
    "fastnewton._inverse": 1,
    "fastnewton.problems": 1,
    "fastnewton._minimize_batch": 4,
    "fastnewton._mgh": 2,
    "fastnewton.bounded_problems": 8,
}
# Public modules without examples today: still run, so new examples get checked.
OTHER_MODULES = ["fastnewton", "fastnewton._band_check", "fastnewton._options",
                 "fastnewton._derivative_check", "fastnewton._report"]


def run_doctests(module):
    """(failed, attempted, number of docstrings with examples) for `module`."""
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = [test for test in finder.find(module) if test.examples]
    for test in tests:
        runner.run(test, out=lambda text: None)
    results = runner.summarize(verbose=False)
    return results.failed, results.attempted, len(tests)


@pytest.mark.parametrize("name", list(MODULES_WITH_EXAMPLES))
def test_module_doctests_pass(name):
    module = importlib.import_module(name)
    failed, attempted, docstrings = run_doctests(module)
    assert failed == 0, "%d of %d doctest examples failed in %s" % (failed, attempted, name)
    assert attempted > 0
    assert docstrings >= MODULES_WITH_EXAMPLES[name]
    # doctest.testmod, as the brief asks, agrees.
    assert doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=False).failed == 0


@pytest.mark.parametrize("name", OTHER_MODULES)
def test_other_module_doctests_pass(name):
    failed, _, _ = run_doctests(importlib.import_module(name))
    assert failed == 0


def test_public_callables_have_examples():
    import fastnewton
    for name in ("minimize", "newton", "trust_exact", "dogleg", "trust_ncg", "newton_cg",
                 "trust_krylov", "approx_hessian", "approx_jacobian", "taylor",
                 "classify_critical_point", "CriticalPoint", "minimize_batch", "BatchResult"):
        doc = getattr(fastnewton, name).__doc__
        assert doc and ">>> " in doc, name


def test_harness_detects_a_failing_example():
    # The runner above really fails on a wrong example (guards against a
    # harness that silently attempts nothing).
    module = types.ModuleType("fake_module_for_doctest")
    source = '''
def wrong():
    """
    >>> 1 + 1
    3
    """
'''
    exec(compile(source, "fake_module_for_doctest", "exec"), module.__dict__)
    module.wrong.__module__ = module.__name__
    failed, attempted, _ = run_doctests(module)
    assert (failed, attempted) == (1, 1)
