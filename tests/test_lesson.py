"""Tests of ``bench/lesson.py``: the lesson's claims hold in the script's own runs.

The script is not part of the package, so it is imported by path. Only its
computational functions run here (quick mode), never the plotting.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "lesson.py"


@pytest.fixture(scope="module")
def lesson():
    """The script, loaded as a module."""
    spec = importlib.util.spec_from_file_location("fastnewton_bench_lesson", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bowl_and_runs(lesson):
    bowl = lesson.make_bowl()
    return bowl, lesson.run_bowl(bowl)


@pytest.fixture(scope="module")
def grad_norms(lesson):
    return lesson.run_rosenbrock(lesson.GD_MAXITER_QUICK)


def relative_errors(bowl, path):
    return np.array([bowl.distance(x) for x in path]) / bowl.distance(bowl.x0)


def test_newton_lands_in_one_step(bowl_and_runs):
    bowl, runs = bowl_and_runs
    assert runs.newton_result.success and runs.newton_result.nit == 1
    assert relative_errors(bowl, runs.newton)[1] <= 1e-12
    assert relative_errors(bowl, runs.newton_bare)[1] <= 1e-12


def test_gradient_descent_still_creeping_after_50(lesson, bowl_and_runs):
    bowl, runs = bowl_and_runs
    errors = relative_errors(bowl, runs.gd)
    assert len(errors) == lesson.BOWL_STEPS + 1
    assert errors[-1] > 1e-6
    assert np.all(np.diff(errors) < 0)
    # With the step 2/(lmin + lmax) every eigencomponent of the error is
    # multiplied by +-(kappa - 1)/(kappa + 1) per step, so the norm is too.
    kappa = bowl.eigenvalues[-1] / bowl.eigenvalues[0]
    np.testing.assert_allclose(errors[1:] / errors[:-1], (kappa - 1) / (kappa + 1), rtol=1e-9)


def test_bowl_table_has_a_row_per_k(lesson, bowl_and_runs):
    table = lesson.bowl_table(*bowl_and_runs)
    rows = [line.split() for line in table.splitlines()[-len(lesson.TABLE_ITERATIONS):]]
    assert [int(row[0]) for row in rows] == list(lesson.TABLE_ITERATIONS)
    assert all(len(row) == 7 for row in rows)


@pytest.mark.parametrize("method", ["newton", "trust-exact", "dogleg", "trust-ncg"])
def test_newton_methods_converge_superlinearly(lesson, grad_norms, method):
    norms = grad_norms["fastnewton " + method]
    assert lesson.iterations_to(norms, 1e-8) == len(norms) - 1
    # Local Newton theory: ||g+|| <= (L/2) ||H^-1||^2 ||g||^2, with L the
    # Lipschitz constant of the Hessian near x* = (1, 1). For 2-D Rosenbrock
    # the third derivatives are f_111 = 2400 x1 and f_112 = -400, so
    # L <= 2.7e3 for |x1| <= 1.1, and ||H(x*)^-1|| = 1/lambda_min = 2.5:
    # the constant is about 8.5e3. trust-ncg stops CG at a relative residual
    # min(0.5, sqrt||g||) (Nocedal & Wright, Thm 7.2), which adds a
    # ||g||^1.5 term and at most (1.5)^2 to the constant: 2e4 covers both.
    quadratic_constant = 2e4
    for g_now, g_next in zip(norms[:-1], norms[1:]):
        if g_now < 1e-2:
            assert g_next <= quadratic_constant * g_now**2 + g_now**1.5, (g_now, g_next)
    # The final step contracts by orders of magnitude (gradient descent's
    # linear rate here is close to 1).
    assert norms[-1] <= 1e-2 * norms[-2]


def test_rosenbrock_contenders_and_table(lesson, grad_norms):
    gd_label = lesson.gd_label(lesson.GD_MAXITER_QUICK)
    assert list(grad_norms) == [gd_label, "scipy BFGS"] + [
        "fastnewton " + method for method in lesson.NEWTON_METHODS]
    assert len(grad_norms[gd_label]) <= lesson.GD_MAXITER_QUICK + 1
    assert grad_norms["scipy BFGS"][-1] <= 1e-8
    table = lesson.rosenbrock_table(grad_norms)
    assert all(label in table for label in grad_norms)
