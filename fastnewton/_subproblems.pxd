from fastnewton._hessian cimport SymmetricMatrix
from fastnewton._trust_steps cimport StepReport, StepWork, ExactSettings


cdef class TrustRegionSubproblem:
    cdef Py_ssize_t n
    cdef int solve(self, SymmetricMatrix hess, const double[::1] grad, double radius,
                   double[::1] step, StepReport* report) except -1


cdef class FactoringSubproblem(TrustRegionSubproblem):
    cdef object arrays
    cdef StepWork work


cdef class ExactSubproblem(FactoringSubproblem):
    cdef ExactSettings settings
    # The last positive λ, where the next subproblem's iteration starts.
    cdef double lam_previous
