from libc.math cimport sqrt, fmax
from fastnewton._hessian cimport SymmetricMatrix
from fastnewton._vector cimport dot_raw, boundary_roots_raw

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


cdef inline double boundary_multiple_raw(const double* p, const double* z, Py_ssize_t n,
                                         double lam, double z_curvature,
                                         double radius) noexcept nogil:
    """τ with ‖p + τz‖ = radius, of the two roots the one with the lower model.

    m(p + τz) − m(p) = −λτ zᵀp + ½τ² zᵀHz, since Hp = −g − λp, and
    zᵀHz = z_curvature − λ for the unit z. Shared with the batched kernel.
    """
    cdef double tau_low, tau_high, z_dot_p = dot_raw(z, p, n)
    boundary_roots_raw(p, z, n, radius, &tau_low, &tau_high)
    if (-lam * tau_low * z_dot_p + 0.5 * tau_low * tau_low * (z_curvature - lam)
            <= -lam * tau_high * z_dot_p + 0.5 * tau_high * tau_high * (z_curvature - lam)):
        return tau_low
    return tau_high
