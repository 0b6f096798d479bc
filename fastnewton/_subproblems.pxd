from libc.math cimport sqrt, fmax
from fastnewton._hessian cimport SymmetricMatrix

cdef enum SubproblemStatus:
    SUBPROBLEM_OK
    SUBPROBLEM_FACTORIZATION_FAILED
    SUBPROBLEM_NONFINITE


cdef struct StepReport:
    double model_decrease      # m(0) − m(p), positive for a useful step
    double step_norm
    double hess_shift          # λ (exact) or τ of the modified Cholesky (dogleg)
    int factorizations         # Cholesky factorizations spent on this step
    bint hits_boundary
    bint hard_case
    bint hessian_modified
    bint negative_curvature
    SubproblemStatus status


cdef class TrustRegionSubproblem:
    cdef Py_ssize_t n
    cdef double[::1] hess_step    # H p, for the model value
    cdef int solve(self, SymmetricMatrix hess, const double[::1] grad, double radius,
                   double[::1] step, StepReport* report) except -1
    cdef int model_decrease(self, SymmetricMatrix hess, const double[::1] grad,
                            const double[::1] step, double* decrease) except -1


cdef inline double next_lambda(double lam_lower, double lam_upper) noexcept nogil:
    """The safeguarded trial λ inside the bracket (Moré & Sorensen 1983, eq. 3.13).

    Here rather than in the .pyx so the batched Moré–Sorensen kernel (_batch) shares it.
    """
    if lam_upper - lam_lower <= 1e-12 * lam_upper:
        return lam_upper
    return fmax(sqrt(lam_lower * lam_upper), lam_lower + 0.01 * (lam_upper - lam_lower))
