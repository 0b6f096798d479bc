"""Reference derivatives for the test problems, independent of their analytic ones.

Fourth-order central differences, (8(f(x + h) − f(x − h)) − (f(x + 2h) − f(x − 2h))) / 12h,
with h = 10⁻³·max(1, |x_i|): error O(h⁴), far below the tolerances the tests ask.
"""

import numpy as np


def central_difference(f, x, i, h):
    """Fourth-order central difference of f along coordinate i with step h."""
    e = np.zeros_like(x)
    e[i] = h
    return (8.0 * (f(x + e) - f(x - e)) - (f(x + 2 * e) - f(x - 2 * e))) / (12.0 * h)


def step(x, i):
    """The step for coordinate i, relative to |x_i|."""
    return 1e-3 * max(1.0, abs(x[i]))


def fd_gradient(problem, x):
    """∇f at x from `problem.fun` alone."""
    return np.array([central_difference(problem.fun, x, i, step(x, i))
                     for i in range(problem.n)])


def fd_hessian(problem, x):
    """The dense Hessian at x from `problem.jac` alone (columns are differences of jac)."""
    return np.column_stack([central_difference(problem.jac, x, i, step(x, i))
                            for i in range(problem.n)])
