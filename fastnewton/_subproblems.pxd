from fastnewton._hessian cimport SymmetricMatrix
from fastnewton._trust_steps cimport StepReport, StepWork, ExactSettings, SecularPoint, WarmStart


cdef class TrustRegionSubproblem:
    cdef Py_ssize_t n
    # Whether it solves the model nearly exactly (Moré–Sorensen), so that a
    # model corrected along a refused step is used in full by the next solve.
    cdef bint exact
    cdef int solve(self, SymmetricMatrix hess, const double[::1] grad, double radius,
                   double[::1] step, StepReport* report) except -1
    cdef void same_model_next(self) noexcept


cdef class FactoringSubproblem(TrustRegionSubproblem):
    cdef object arrays
    cdef StepWork work


cdef class ExactSubproblem(FactoringSubproblem):
    cdef ExactSettings settings
    # The last positive λ, where the next subproblem's iteration starts,
    # whether H was indefinite there and whether the step was interior
    # (`_trust_steps.WarmStart`).
    cdef WarmStart warm
    # The last solve's secular point, and whether the next solve has its H and g.
    cdef SecularPoint last
    cdef bint retry
