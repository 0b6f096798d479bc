from fastnewton._hessian cimport SymmetricMatrix
from fastnewton._objective cimport Objective

cdef double evaluate_start(Objective objective, object x_array, double[::1] grad,
                           SymmetricMatrix hess) except? -1.0
