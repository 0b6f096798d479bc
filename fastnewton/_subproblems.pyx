"""Trust-region subproblems: min gᵀp + ½pᵀHp subject to ‖p‖ ≤ radius.

Three solvers share one interface so the trust-region driver is written once:
`DoglegSubproblem` (Powell's dogleg, with a fallback for indefinite H),
`ExactSubproblem` (Moré & Sorensen 1983, with the hard case) and
`SteihaugSubproblem` (truncated conjugate gradients, products only).
All of them reach H only through `SymmetricMatrix`, so dense and banded
storages share them.
"""

import numpy as np

from libc.math cimport sqrt, fabs, fmax, fmin
from fastnewton._hessian cimport (SymmetricMatrix, CurvatureBounds, factorize_modified,
                                 smallest_curvature_direction)
from fastnewton._vector cimport dot, norm2, axpy_into, boundary_roots, copy_into


cdef class TrustRegionSubproblem:
    """Base class: holds work space and the model value shared by all solvers."""

    def __cinit__(self, Py_ssize_t n, *args, **kwargs):
        self.n = n
        self.hess_step = np.empty(n)

    cdef int solve(self, SymmetricMatrix hess, const double[::1] grad, double radius,
                   double[::1] step, StepReport* report) except -1:
        raise NotImplementedError

    cdef int model_decrease(self, SymmetricMatrix hess, const double[::1] grad,
                            const double[::1] step, double* decrease) except -1:
        """m(0) − m(p) = −(gᵀp + ½pᵀHp); returns 1 if the product was not finite."""
        if self.n and hess.matvec(&step[0], &self.hess_step[0]):
            return 1
        decrease[0] = -(dot(grad, step) + 0.5 * dot(step, self.hess_step))
        return 0


cdef class DoglegSubproblem(TrustRegionSubproblem):
    """Powell's dogleg path from the Cauchy point to the Newton point.

    For an indefinite H the Newton point comes from the modified Cholesky
    factorization of H + τI (τ reported), and three candidates are compared
    on the true model: that dogleg step, the Cauchy point of the true model,
    and a step to the boundary along the direction of most negative
    curvature (inverse iteration on the factor of H + τI). The best is
    taken, so every step keeps the Cauchy decrease that global convergence
    needs (Nocedal & Wright 2006, §4.1–4.2) and a stationary saddle is left
    along negative curvature. scipy's dogleg stops instead.
    """
    cdef double[::1] newton_point, cauchy_point, grad_product, curvature_direction

    def __cinit__(self, Py_ssize_t n, *args, **kwargs):
        self.newton_point = np.empty(n)
        self.cauchy_point = np.empty(n)
        self.grad_product = np.empty(n)
        self.curvature_direction = np.empty(n)

    cdef int solve(self, SymmetricMatrix hess, const double[::1] grad, double radius,
                   double[::1] step, StepReport* report) except -1:
        cdef Py_ssize_t i, n = self.n
        cdef double shift = 0.0, gnorm = norm2(grad), curvature, tau_low, tau_high
        cdef double newton_norm, cauchy_norm, best_decrease, decrease, sign
        cdef double[::1] z = self.curvature_direction
        report.hard_case = False
        report.negative_curvature = False
        if factorize_modified(hess, &shift, &report.factorizations):
            report.status = SUBPROBLEM_FACTORIZATION_FAILED
            return 0
        report.hess_shift = shift
        report.hessian_modified = shift > 0.0
        for i in range(n):
            self.newton_point[i] = -grad[i]
        hess.solve(&self.newton_point[0])
        newton_norm = norm2(self.newton_point)
        if hess.matvec(&grad[0], &self.grad_product[0]):
            report.status = SUBPROBLEM_NONFINITE
            return 0
        curvature = dot(grad, self.grad_product)
        report.hits_boundary = True
        if newton_norm <= radius:
            copy_into(self.newton_point, step)
            report.hits_boundary = False
        else:
            # The unconstrained minimizer along −g of the (possibly shifted) model of the path.
            for i in range(n):
                self.cauchy_point[i] = -(gnorm * gnorm / (curvature + shift * gnorm * gnorm)) * grad[i]
            cauchy_norm = norm2(self.cauchy_point)
            if cauchy_norm >= radius:
                for i in range(n):
                    step[i] = -(radius / gnorm) * grad[i]
            else:
                for i in range(n):
                    self.newton_point[i] -= self.cauchy_point[i]
                boundary_roots(self.cauchy_point, self.newton_point, radius, &tau_low, &tau_high)
                axpy_into(tau_high, self.newton_point, self.cauchy_point, step)
        if self.model_decrease(hess, grad, step, &best_decrease):
            report.status = SUBPROBLEM_NONFINITE
            return 0
        if report.hessian_modified and gnorm > 0.0:
            # The Cauchy point of the true model: to the boundary along −g when
            # the curvature there is not positive.
            if curvature <= 0.0:
                cauchy_norm = radius
            else:
                cauchy_norm = fmin(gnorm * gnorm / curvature, radius / gnorm) * gnorm
            decrease = cauchy_norm * gnorm - 0.5 * curvature * (cauchy_norm / gnorm) ** 2
            if decrease > best_decrease:
                for i in range(n):
                    step[i] = -(cauchy_norm / gnorm) * grad[i]
                best_decrease = decrease
                report.hits_boundary = cauchy_norm >= radius
                report.negative_curvature = curvature <= 0.0
        if report.hessian_modified:
            # Along the most negative curvature, to the boundary, downhill.
            if smallest_curvature_direction(hess, shift, z, self.grad_product, &curvature):
                report.status = SUBPROBLEM_NONFINITE
                return 0
            curvature -= shift
            if curvature < 0.0:
                sign = -1.0 if dot(grad, z) > 0.0 else 1.0
                decrease = -(sign * radius * dot(grad, z) + 0.5 * radius * radius * curvature)
                if decrease > best_decrease:
                    for i in range(n):
                        step[i] = sign * radius * z[i]
                    best_decrease = decrease
                    report.hits_boundary = True
                    report.negative_curvature = True
        report.model_decrease = best_decrease
        report.step_norm = norm2(step)
        report.status = SUBPROBLEM_OK
        return 0


cdef class ExactSubproblem(TrustRegionSubproblem):
    """Nearly exact solution by the safeguarded λ iteration of Moré & Sorensen (1983).

    The solution is p(λ) = −(H + λI)⁻¹g with H + λI positive semidefinite and
    λ(radius − ‖p‖) = 0. λ is bracketed by Gershgorin-type bounds
    (Conn, Gould & Toint 2000, §7.3.8), updated by Newton's method on the
    secular equation 1/‖p(λ)‖ − 1/radius = 0 (Moré & Sorensen, eq. 3.4), and
    moved back into the bracket when Newton leaves it. In the hard case
    (g nearly orthogonal to the eigenvectors of the smallest eigenvalue) the
    step is completed with a vector z of small curvature, found by inverse
    iteration on the factor of H + λI, so that ‖p + τz‖ = radius
    (Moré & Sorensen, Lemma 3.4).
    """
    cdef double[::1] newton_step, secular_work, curvature_vector, curvature_product
    cdef int maxiter
    cdef double k_easy, k_hard

    def __cinit__(self, Py_ssize_t n, int maxiter, double k_easy=0.1, double k_hard=0.2):
        self.newton_step = np.empty(n)
        self.secular_work = np.empty(n)
        self.curvature_vector = np.empty(n)
        self.curvature_product = np.empty(n)
        self.maxiter = maxiter
        self.k_easy = k_easy
        self.k_hard = k_hard

    cdef int solve(self, SymmetricMatrix hess, const double[::1] grad, double radius,
                   double[::1] step, StepReport* report) except -1:
        cdef Py_ssize_t i, it, n = self.n
        cdef CurvatureBounds bounds
        cdef double gnorm = norm2(grad), lam
        cdef double step_norm, w_norm_sq, z_curvature, tau, step_curvature
        cdef LambdaBracket bracket
        cdef double step_lambda = 0.0
        cdef bint have_step = False, newton_tried, newton_failed = False
        cdef double lam_newton = 0.0
        cdef double[::1] p = self.newton_step
        cdef double[::1] z = self.curvature_vector
        report.hard_case = False
        report.hessian_modified = False
        report.negative_curvature = False
        report.hits_boundary = False
        report.model_decrease = 0.0
        report.step_norm = 0.0
        report.hess_shift = 0.0
        report.factorizations = 0
        report.status = SUBPROBLEM_OK
        newton_tried = hess.diagonal_min() > 0.0
        if newton_tried:
            # Try the Newton step first: inside the region it is the answer,
            # and the O(n²) bounds below are never needed.
            report.factorizations += 1
            newton_failed = hess.factorize(0.0) != 0
            if not newton_failed:
                for i in range(n):
                    p[i] = -grad[i]
                hess.solve(&p[0])
                step_norm = norm2(p)
                if step_norm <= radius:
                    copy_into(p, step)
                    report.step_norm = step_norm
                    report.hits_boundary = step_norm >= (1.0 - self.k_easy) * radius
                    if self.model_decrease(hess, grad, step, &report.model_decrease):
                        report.status = SUBPROBLEM_NONFINITE
                    return 0
                # Too long: the secular-equation Newton step from λ = 0 is the
                # best first λ (Moré & Sorensen 1983, eq. 3.4).
                copy_into(p, self.secular_work)
                hess.solve_lower(&self.secular_work[0])
                w_norm_sq = dot(self.secular_work, self.secular_work)
                lam_newton = secular_newton(0.0, step_norm, w_norm_sq, radius)
        hess.curvature_bounds(&bounds)
        start_bracket(&bracket, &bounds, gnorm, radius)
        lam = first_lambda(&bracket, newton_tried, newton_failed, lam_newton)
        for it in range(self.maxiter):
            report.factorizations += 1
            if hess.factorize(lam) != 0:
                lam = after_indefinite(&bracket, lam)
                continue
            for i in range(n):
                p[i] = -grad[i]
            hess.solve(&p[0])
            step_norm = norm2(p)
            have_step = True
            step_lambda = lam
            if step_norm <= radius and lam == 0.0:
                break   # interior: the Newton step fits
            if fabs(step_norm - radius) <= self.k_easy * radius:
                break   # on the boundary to the accuracy asked
            # Newton's method on 1/‖p(λ)‖ − 1/radius needs ‖w‖² with L w = p
            # (Moré & Sorensen 1983, eq. 3.4): one triangular solve.
            copy_into(p, self.secular_work)
            hess.solve_lower(&self.secular_work[0])
            w_norm_sq = dot(self.secular_work, self.secular_work)
            lam_newton = secular_newton(lam, step_norm, w_norm_sq, radius)
            if step_norm < radius:
                # λ > 0 and the step is short: either λ is too large, or we are
                # in the hard case and must add a component along z.
                if smallest_curvature_direction(hess, lam, z, self.curvature_product, &z_curvature):
                    report.status = SUBPROBLEM_NONFINITE
                    return 0
                tau = boundary_multiple_raw(&p[0], &z[0], n, lam, z_curvature, radius)
                step_curvature = -dot(p, grad)   # pᵀ(H + λI)p
                if hard_case_close_enough(tau, z_curvature, step_curvature, lam, radius,
                                          self.k_hard):
                    axpy_into(tau, z, p, p)
                    report.hard_case = True
                    break
                bracket.upper = lam
                bracket.lower = fmax(bracket.lower, lam - z_curvature)
            else:
                bracket.lower = lam
            lam = inside_or_safeguarded(&bracket, lam_newton)
        if not have_step:
            # Out of iterations without a positive definite H + λI: step from
            # the safe end of the bracket, completed to the boundary along z.
            lam = bracket.upper
            while hess.factorize(lam) != 0:
                report.factorizations += 1
                if report.factorizations > self.maxiter + 200:
                    report.status = SUBPROBLEM_FACTORIZATION_FAILED
                    return 0
                lam += bracket.bump
                bracket.bump *= 4.0
            report.factorizations += 1
            for i in range(n):
                p[i] = -grad[i]
            hess.solve(&p[0])
            step_lambda = lam
            if norm2(p) < radius and lam > 0.0:
                if smallest_curvature_direction(hess, lam, z, self.curvature_product, &z_curvature):
                    report.status = SUBPROBLEM_NONFINITE
                    return 0
                axpy_into(boundary_multiple_raw(&p[0], &z[0], n, lam, z_curvature, radius), z, p, p)
                report.hard_case = True
        step_norm = norm2(p)
        if step_norm > radius:
            # Out of iterations above the boundary: pull back onto it.
            for i in range(n):
                p[i] *= radius / step_norm
        copy_into(p, step)
        report.hess_shift = step_lambda
        report.step_norm = norm2(step)
        report.hits_boundary = report.step_norm >= (1.0 - self.k_easy) * radius
        if self.model_decrease(hess, grad, step, &report.model_decrease):
            report.status = SUBPROBLEM_NONFINITE
        return 0


cdef class SteihaugSubproblem(TrustRegionSubproblem):
    """Truncated conjugate gradients (Steihaug 1983; Toint 1981).

    CG on Hp = −g from p = 0, stopped at the boundary, at a direction of
    non-positive curvature (followed to the boundary), or when the residual
    falls below min(0.5, √‖g‖)·‖g‖ (superlinear convergence, Nocedal & Wright
    2006, Alg. 7.2). Needs only Hessian-vector products; the model value is
    tracked along the way, so no extra product is spent on it.
    """
    cdef double[::1] residual, direction, direction_product
    cdef int maxiter

    def __cinit__(self, Py_ssize_t n, int maxiter=0):
        self.residual = np.empty(n)
        self.direction = np.empty(n)
        self.direction_product = np.empty(n)
        self.maxiter = maxiter if maxiter > 0 else 2 * n + 10

    cdef int solve(self, SymmetricMatrix hess, const double[::1] grad, double radius,
                   double[::1] step, StepReport* report) except -1:
        cdef Py_ssize_t i, it, n = self.n
        cdef double[::1] r = self.residual, d = self.direction, hd = self.direction_product
        cdef double gnorm = norm2(grad), tolerance, r_sq, r_sq_next, curvature, alpha
        cdef double tau_low, tau_high, model = 0.0, rd
        report.hard_case = False
        report.hessian_modified = False
        report.negative_curvature = False
        report.hits_boundary = False
        report.hess_shift = 0.0
        report.factorizations = 0
        report.status = SUBPROBLEM_OK
        tolerance = fmin(0.5, sqrt(gnorm)) * gnorm
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
