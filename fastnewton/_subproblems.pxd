from fastnewton._hessian cimport SymmetricMatrix
from fastnewton._trust_steps cimport StepReport, StepWork, ExactSettings


cdef class TrustRegionSubproblem:
    cdef Py_ssize_t n
    cdef int solve(self, SymmetricMatrix hess, const double[::1] grad, double radius,
                   double[::1] step, StepReport* report) except -1
