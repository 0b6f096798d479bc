"""Typical user code, checked by ``mypy --strict`` in CI (not collected by pytest).

It must type-check without ignores: the public API is typed (py.typed, stubs
for the compiled modules), so these calls are checked, not taken as Any.
"""

import warnings

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import OptimizeResult
from typing_extensions import assert_type

import fastnewton
from fastnewton.problems import TestProblem, mgh, rosenbrock


def fun(x: NDArray[np.float64]) -> float:
    return float(np.sum((x - 1.0) ** 2))


def jac(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return 2.0 * (x - 1.0)


def hess(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return 2.0 * np.eye(x.size)


def batch_fun(X: NDArray[np.float64], centers: NDArray[np.float64]) -> NDArray[np.float64]:
    values: NDArray[np.float64] = np.sum((X - centers) ** 2, axis=1)
    return values


def batch_jac(X: NDArray[np.float64], centers: NDArray[np.float64]) -> NDArray[np.float64]:
    return 2.0 * (X - centers)


def progress(intermediate_result: OptimizeResult) -> None:
    if intermediate_result.n_active == 0:
        print("all %d iterations done" % intermediate_result.nit)


def solve() -> float:
    res = fastnewton.minimize(fun, [0.0, 0.0], method="newton", jac=jac, hess=hess,
                              options={"gtol": 1e-8})
    alone = fastnewton.trust_exact(fun, np.zeros(3), jac=jac, hess=hess)
    problem = rosenbrock(4)
    assert_type(problem, TestProblem)
    assert_type(mgh("biggs_exp6", start=10), TestProblem)
    fastnewton.minimize(problem.fun, problem.x0, jac=problem.jac, hessp=problem.hessp,
                        method="trust-ncg")
    fastnewton.newton_cg(problem.fun, problem.x0, jac=problem.jac, hessp=problem.hessp)
    fastnewton.trust_krylov(problem.fun, problem.x0, jac=problem.jac, hessp=problem.hessp)

    point = fastnewton.classify_critical_point(fun, res.x, jac=jac)
    assert_type(point, fastnewton.CriticalPoint)
    assert_type(point.kind, str)
    assert_type(point.inertia, tuple[int, int, int])

    H = fastnewton.approx_hessian(jac, [0.5, 0.5])
    assert_type(H, NDArray[np.float64])
    J = fastnewton.approx_jacobian(jac, [0.5, 0.5], method="3-point")
    assert_type(J, NDArray[np.float64])
    model = fastnewton.taylor(fun, [0.5, 0.5], order=2, jac=jac)
    assert_type(model, fastnewton.TaylorModel)
    assert_type(model.predicted_change([0.1, 0.0]), float)

    centers = np.array([[1.0, 2.0], [3.0, 4.0]])
    batch = fastnewton.minimize_batch(batch_fun, np.zeros((2, 2)), jac=batch_jac,
                                      batch_args=(centers,), callback=progress)
    assert_type(batch, fastnewton.BatchResult)
    joined = fastnewton.BatchResult.concatenate([batch, batch])
    assert_type(joined, fastnewton.BatchResult)
    first = batch.problem(0)

    with warnings.catch_warnings():
        warnings.simplefilter("error", fastnewton.BandwidthWarning)
        warnings.simplefilter("error", fastnewton.DerivativeWarning)
    return float(res.fun) + float(alone.fun) + float(first.fun) + point.gradient_norm


if __name__ == "__main__":
    print(solve())
