from fastnewton._hessian cimport SymmetricMatrix
from fastnewton._reduced cimport ReducedHessian, MaskedProducts
from fastnewton._subproblems cimport TrustRegionSubproblem


cdef struct BoundedStepStats:
    double model          # q(s) of the step; not negative when no step lowers the model
    int events            # EVENT_HARD_CASE | EVENT_MODIFIED | EVENT_NEGATIVE_CURVATURE
    int factorizations
    int hard_cases
    int modified          # subproblems whose Hessian was shifted (dogleg)
    double max_shift
    double shift          # the last subproblem's λ or τ


cdef class BoundedWork:
    cdef object trial_array, grad_array, grad_trial_array
    cdef double[::1] step, cauchy, product, direction, model_grad, center, scale
    cdef double[::1] reduced_grad, reduced_step
    cdef Py_ssize_t[::1] index


cdef int bounded_step(SymmetricMatrix hess, TrustRegionSubproblem subproblem,
                      ReducedHessian reduced, MaskedProducts masked, const double* x,
                      const double* grad, const double* lower, const double* upper,
                      double radius, Py_ssize_t n, BoundedWork work,
                      BoundedStepStats* stats) except -1
