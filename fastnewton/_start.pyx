"""The evaluation at x0 shared by every driver."""

from libc.math cimport isfinite
from fastnewton._hessian cimport SymmetricMatrix
from fastnewton._objective cimport Objective


cdef double evaluate_start(Objective objective, object x_array, double[::1] grad,
                           SymmetricMatrix hess) except? -1.0:
    """f, ∇f and H at the starting point; a non-finite value there is an input error."""
    cdef double f
    objective.value(x_array, &f)
    if not isfinite(f):
        raise ValueError("fun returned a non-finite value (%r) at x0; start from a point "
                         "where the objective is finite" % f)
    if objective.gradient(x_array, grad):
        raise ValueError("the gradient at x0 has non-finite entries; start from a point "
                         "where the objective is differentiable")
    if hess.assemble(objective, x_array, grad):
        raise ValueError("the Hessian at x0 has non-finite entries; start from a point "
                         "where the objective is twice differentiable")
    return f
