from libc.math cimport sqrt, fmax, fmin
from fastnewton._hessian cimport SymmetricMatrix, CurvatureBounds
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


# The arithmetic of the Moré–Sorensen iteration, here rather than in the .pyx so
# that `ExactSubproblem.solve` and the batched kernel in _batch, which must give
# the same numbers, share it.

cdef struct LambdaBracket:
    double lower, upper   # λ* ∈ [lower, upper]
    double bump           # how far to raise `upper` when H + upper·I still fails to factor


cdef inline void start_bracket(LambdaBracket* bracket, const CurvatureBounds* bounds,
                               double gnorm, double radius) noexcept nogil:
    """The safeguards of Moré & Sorensen (1983, §3) from the Gershgorin and norm bounds.

    λ_upper is safe in exact arithmetic; when −λ_min sits at it (‖g‖/radius
    below rounding) it can still fail, and is then raised by growing bumps.
    """
    bracket.lower = fmax(0.0, fmax(-bounds.diag_min, gnorm / radius - fmin(
        bounds.gershgorin_upper, fmin(bounds.frobenius_norm, bounds.inf_norm))))
    bracket.upper = fmax(0.0, gnorm / radius + fmin(
        -bounds.gershgorin_lower, fmin(bounds.frobenius_norm, bounds.inf_norm)))
    bracket.bump = 1e-14 * fmax(bounds.frobenius_norm, 1e-300)


cdef inline double first_lambda(const LambdaBracket* bracket, bint newton_tried,
                                bint newton_failed, double lam_newton) noexcept nogil:
    """λ to try first: the secular Newton step from λ = 0 when H factored and it
    lies in the bracket; 0 when nothing excludes it and H was not tried; else
    the safeguarded `next_lambda`."""
    if newton_tried and not newton_failed and bracket.lower < lam_newton < bracket.upper:
        return lam_newton
    if bracket.lower == 0.0 and not newton_tried:
        return 0.0
    return next_lambda(bracket.lower, bracket.upper)


cdef inline double after_indefinite(LambdaBracket* bracket, double lam) noexcept nogil:
    """The next λ when H + λI did not factor: λ is below −λ_min."""
    bracket.lower = fmax(bracket.lower, lam)
    if bracket.lower >= bracket.upper:
        bracket.upper = bracket.lower + bracket.bump
        bracket.bump *= 4.0
    return next_lambda(bracket.lower, bracket.upper)


cdef inline double secular_newton(double lam, double step_norm, double w_norm_sq,
                                  double radius) noexcept nogil:
    """Newton's step on 1/‖p(λ)‖ − 1/radius, with ‖w‖² from L w = p (Moré & Sorensen 1983, eq. 3.4)."""
    return lam + (step_norm * step_norm / w_norm_sq) * (step_norm - radius) / radius


cdef inline double inside_or_safeguarded(const LambdaBracket* bracket,
                                         double lam_newton) noexcept nogil:
    """The Newton λ when it lies strictly inside the bracket, else `next_lambda`."""
    if lam_newton > bracket.lower and lam_newton < bracket.upper:
        return lam_newton
    return next_lambda(bracket.lower, bracket.upper)


cdef inline bint hard_case_close_enough(double tau, double z_curvature, double step_curvature,
                                        double lam, double radius, double k_hard) noexcept nogil:
    """τ²zᵀ(H + λI)z ≤ k_hard·(pᵀ(H + λI)p + λ·radius²): p + τz is near optimal (Moré & Sorensen 1983, Lemma 3.4)."""
    return tau * tau * z_curvature <= k_hard * (step_curvature + lam * radius * radius)


cdef inline double next_lambda(double lam_lower, double lam_upper) noexcept nogil:
    """The safeguarded trial λ inside the bracket (Moré & Sorensen 1983, eq. 3.13)."""
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
