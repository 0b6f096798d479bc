"""The evaluation at x0 shared by every driver."""

import numpy as np

from libc.math cimport isfinite
from fastnewton._hessian cimport SymmetricMatrix
from fastnewton._objective cimport Objective


class NonFiniteStart(Exception):
    """f, ∇f or H is not finite at x0; `fastnewton` turns it into a result with status 4.

    scipy's methods return ``success=False`` there rather than raise, and so
    do ours: the drivers stop by raising this, and the method callables catch
    it and build the result from what it carries.

    Attributes
    ----------
    what : str
        'function value', 'gradient' or 'Hessian'.
    fun : float
        f(x0).
    jac : ndarray or None
        ∇f(x0), when it was evaluated.
    """

    def __init__(self, what, fun, jac):
        super().__init__(what)
        self.what = what
        self.fun = fun
        self.jac = jac


cdef double evaluate_start(Objective objective, object x_array, double[::1] grad,
                           SymmetricMatrix hess) except? -1.0:
    """f, ∇f and H at the starting point; `NonFiniteStart` if any is not finite there."""
    cdef double f
    objective.value(x_array, &f)
    if not isfinite(f):
        raise NonFiniteStart("function value", f, None)
    if objective.gradient(x_array, grad):
        raise NonFiniteStart("gradient", f, np.array(grad))
    if hess.assemble_at_start(objective, x_array, grad):
        raise NonFiniteStart("Hessian", f, np.array(grad))
    return f
