"""Trust-region subproblems: min gᵀp + ½pᵀHp subject to ‖p‖ ≤ radius.

Three solvers share one interface so the trust-region driver is written once:
`DoglegSubproblem` (Powell's dogleg, with a fallback for indefinite H) and
`ExactSubproblem` (Moré & Sorensen 1983, with the hard case) run the one
copy of their step in `_trust_steps` on a `FactorableHessian`, dense or
banded; `SteihaugSubproblem` (truncated conjugate gradients) needs only
products, so it serves every storage.
"""

import numpy as np

from libc.math cimport sqrt, fmin
from fastnewton._hessian cimport FactorableHessian
from fastnewton._trust_steps cimport (SUBPROBLEM_NONFINITE, clear_report, exact_settings,
                                      remember_solve, lay_out_work, no_warm_start)
from fastnewton._vector cimport dot, norm2, axpy_into, boundary_roots, copy_into


cdef class TrustRegionSubproblem:
    """Base class: the interface of the trust-region driver."""

    def __cinit__(self, Py_ssize_t n, *args, **kwargs):
        self.n = n

    cdef int solve(self, SymmetricMatrix hess, const double[::1] grad, double radius,
                   double[::1] step, StepReport* report) except -1:
        raise NotImplementedError

    cdef void same_model_next(self) noexcept:
        """The next `solve` has the H and g of the last one (its step was rejected)."""
        pass


cdef class FactoringSubproblem(TrustRegionSubproblem):
    """Work space for the steps of `_trust_steps`, which factorize H."""

    def __cinit__(self, Py_ssize_t n, *args, **kwargs):
        cdef double[::1] memory
        self.arrays = np.empty(6 * max(n, 1))
        memory = self.arrays
        lay_out_work(&self.work, &memory[0], n)


cdef class DoglegSubproblem(FactoringSubproblem):
    """Powell's dogleg on H, or on H + τI where H is indefinite (`_trust_steps.dogleg_step`)."""

    cdef int solve(self, SymmetricMatrix hess, const double[::1] grad, double radius,
                   double[::1] step, StepReport* report) except -1:
        (<FactorableHessian?>hess).dogleg_step(&grad[0], radius, &step[0], report, &self.work)
        return 0


cdef class ExactSubproblem(FactoringSubproblem):
    """Nearly exact solution by Moré & Sorensen (1983) (`_trust_steps.more_sorensen_step`).

    Parameters
    ----------
    n : int
    maxiter : int
        Most λ iterations per subproblem (the tolerances are
        `_trust_steps.exact_settings`').
    """

    def __cinit__(self, Py_ssize_t n, int maxiter):
        self.exact = True
        self.settings = exact_settings(maxiter)
        self.warm = no_warm_start()
        self.last.valid = False
        self.retry = False

    cdef int solve(self, SymmetricMatrix hess, const double[::1] grad, double radius,
                   double[::1] step, StepReport* report) except -1:
        (<FactorableHessian?>hess).exact_step(&grad[0], radius, &step[0], report, &self.work,
                                              &self.settings, self.warm,
                                              &self.last if self.retry else NULL)
        self.retry = False
        self.last = report.secular
        remember_solve(&self.warm, report)
        return 0

    cdef void same_model_next(self) noexcept:
        """Start the next solve from this one's secular point (`more_sorensen_step`'s `retry`)."""
        self.retry = True


cdef class SteihaugSubproblem(TrustRegionSubproblem):
    """Truncated conjugate gradients (Steihaug 1983; Toint 1981).

    CG on Hp = −g from p = 0, stopped at the boundary, at a direction of
    non-positive curvature (followed to the boundary), or when the residual
    falls below min(0.5, √(‖g‖/‖g₀‖))·‖g‖, g₀ the gradient of the run's
    first subproblem. The forcing term goes to zero with ‖g‖, which gives
    superlinear convergence (Nocedal & Wright 2006, Alg. 7.2, use √‖g‖);
    relative to ‖g₀‖ it does not change when f is scaled. With the absolute
    √‖g‖, a large gradient kept the forcing term at 0.5 wherever ‖g‖ > ¼:
    on Meyer's function (Hessian eigenvalues from 10⁻² to 10¹⁴, ‖g‖ ≈ 10⁴
    close to the minimizer) that stopped CG after its first, steepest-descent
    step, and the run stalled at f = 88.95 against f* = 87.95. Needs only
    Hessian-vector products; the model value is tracked along the way, so
    no extra product is spent on it.

    CG from g = 0 cannot leave a stationary point. With an `escape`
    subproblem (trust-krylov's `_krylov.KrylovSubproblem`),
    `has_no_negative_curvature` is its Lanczos probe, and when the probe
    finds curvature below −tol the next step is the escape's: to the
    boundary along that curvature, downhill.
    """
    cdef double[::1] residual, direction, direction_product
    cdef int maxiter
    cdef double first_gnorm   # ‖g₀‖, the scale of the forcing term; 0 until a g ≠ 0
    cdef object escape
    cdef bint escape_next

    def __cinit__(self, Py_ssize_t n, int maxiter=0, escape=None):
        self.residual = np.empty(n)
        self.direction = np.empty(n)
        self.direction_product = np.empty(n)
        self.maxiter = maxiter if maxiter > 0 else 2 * n + 10
        self.escape = escape

    def has_no_negative_curvature(self, SymmetricMatrix hess):
        """The escape's second-order test at a stationary point; when it fails,
        the next `solve` is the escape's step."""
        holds = self.escape.has_no_negative_curvature(hess)
        self.escape_next = not holds
        return holds

    cdef int solve(self, SymmetricMatrix hess, const double[::1] grad, double radius,
                   double[::1] step, StepReport* report) except -1:
        cdef Py_ssize_t i, it, n = self.n
        if self.escape_next:
            self.escape_next = False
            return (<TrustRegionSubproblem>self.escape).solve(hess, grad, radius, step, report)
        cdef double[::1] r = self.residual, d = self.direction, hd = self.direction_product
        cdef double gnorm = norm2(grad), tolerance, r_sq, r_sq_next, curvature, alpha
        cdef double tau_low, tau_high, model = 0.0, rd
        clear_report(report)
        if self.first_gnorm == 0.0:
            self.first_gnorm = gnorm
        tolerance = fmin(0.5, sqrt(gnorm / self.first_gnorm)) * gnorm if gnorm > 0.0 else 0.0
        step[:] = 0.0
        copy_into(grad, r)            # r = g + Hp
        for i in range(n):
            d[i] = -grad[i]
        r_sq = dot(r, r)
        for it in range(self.maxiter):
            if hess.matvec(&d[0], &hd[0]):
                report.status = SUBPROBLEM_NONFINITE
                return 0
            curvature = dot(d, hd)
            if curvature <= 0.0:
                # Follow the direction of non-positive curvature to the
                # boundary, to the root that lowers the model more.
                boundary_roots(step, d, radius, &tau_low, &tau_high)
                rd = dot(r, d)
                if (tau_low * rd + 0.5 * tau_low * tau_low * curvature
                        < tau_high * rd + 0.5 * tau_high * tau_high * curvature):
                    tau_high = tau_low
                model += tau_high * rd + 0.5 * tau_high * tau_high * curvature
                axpy_into(tau_high, d, step, step)
                report.hits_boundary = True
                report.negative_curvature = True
                break
            alpha = r_sq / curvature
            # Is the next iterate outside the region? ‖p + αd‖² > radius².
            if dot(step, step) + 2.0 * alpha * dot(step, d) + alpha * alpha * dot(d, d) >= radius * radius:
                boundary_roots(step, d, radius, &tau_low, &tau_high)
                rd = dot(r, d)
                model += tau_high * rd + 0.5 * tau_high * tau_high * curvature
                axpy_into(tau_high, d, step, step)
                report.hits_boundary = True
                break
            # m(p + αd) − m(p) = α rᵀd + ½α² dᵀHd.
            model += alpha * dot(r, d) + 0.5 * alpha * alpha * curvature
            axpy_into(alpha, d, step, step)
            axpy_into(alpha, hd, r, r)
            r_sq_next = dot(r, r)
            if sqrt(r_sq_next) < tolerance:
                break
            for i in range(n):
                d[i] = -r[i] + (r_sq_next / r_sq) * d[i]
            r_sq = r_sq_next
        report.model_decrease = -model
        report.step_norm = norm2(step)
        return 0
