"""The truncated-Newton (Newton-CG) line-search driver, Hessian products only.

Each direction is an approximate solution of H d = −g by conjugate
gradients from d = 0 (Nocedal & Wright 2006, Alg. 7.1), using nothing of H
but `matvec`, so any storage serves: the user's `hessp`, a `hess` returning
an ndarray, sparse matrix or LinearOperator, finite differences of `jac`, or
a band. The step length comes from the strong Wolfe search, trying 1 first.
"""

import numpy as np

from libc.math cimport sqrt, fmin, fabs
from fastnewton._hessian cimport SymmetricMatrix
from fastnewton._objective cimport Objective
from fastnewton._line_search cimport StrongWolfeSearch, SearchResult
from fastnewton._vector cimport dot, norm2, gradient_norm, axpy_into, copy_into
from fastnewton._status cimport (Status, SUCCESS, MAXITER, NO_PROGRESS, NONFINITE,
                                 CALLBACK_STOP, EVENT_ACCEPTED, EVENT_NONFINITE,
                                 EVENT_NEGATIVE_CURVATURE)
from fastnewton._start cimport evaluate_start


cdef class TruncatedCG:
    """CG on H d = −g, truncated by a residual test or at non-positive curvature.

    The residual test is ‖r‖ ≤ min(0.5, √‖g‖)·‖g‖ in the 2-norm: the forcing
    sequence η = min(0.5, √‖g‖) makes the outer iteration superlinear
    (Nocedal & Wright 2006, Thm. 7.2) while spending few products far from
    the solution, and it is the same test our `trust-ncg` uses. (scipy's
    Newton-CG uses the same η with 1-norms, which grow with √n relative to
    2-norms and so ask for more accuracy as n grows.) At a direction d with
    dᵀHd ≤ 0 the iteration stops with the current iterate, which is a
    descent direction; on the first iteration that is 0, and −g is returned
    instead (Nocedal & Wright, Alg. 7.1).
    """
    cdef Py_ssize_t n
    cdef int maxiter
    cdef double[::1] residual, direction, direction_product

    def __cinit__(self, Py_ssize_t n, int maxiter):
        self.n = n
        self.maxiter = maxiter
        self.residual = np.empty(n)
        self.direction = np.empty(n)
        self.direction_product = np.empty(n)

    cdef int solve(self, SymmetricMatrix hess, const double[::1] grad, double[::1] out,
                   bint* negative_curvature, Py_ssize_t* products) except -1:
        """d ≈ −H⁻¹g into `out`; returns 1 if a product was not finite."""
        cdef Py_ssize_t i, it, n = self.n
        cdef double[::1] r = self.residual, d = self.direction, hd = self.direction_product
        cdef double gnorm = norm2(grad), tolerance, r_sq, r_sq_next, curvature, alpha
        tolerance = fmin(0.5, sqrt(gnorm)) * gnorm
        negative_curvature[0] = False
        out[:] = 0.0
        copy_into(grad, r)            # r = g + H·out
        for i in range(n):
            d[i] = -grad[i]
        r_sq = dot(r, r)
        for it in range(self.maxiter):
            if sqrt(r_sq) <= tolerance:
                break
            products[0] += 1
            if hess.matvec(&d[0], &hd[0]):
                return 1
            curvature = dot(d, hd)
            if curvature <= 0.0:
                negative_curvature[0] = True
                if it == 0:
                    # −g, scaled so that its length is the one at which the
                    # model's curvature term matches its slope term in size,
                    # ‖g‖²/|gᵀHg|: invariant to scaling f, unlike −g itself.
                    for i in range(n):
                        out[i] = -(r_sq / -curvature) * grad[i] if curvature < 0.0 else -grad[i]
                break
            alpha = r_sq / curvature
            axpy_into(alpha, d, out, out)
            axpy_into(alpha, hd, r, r)
            r_sq_next = dot(r, r)
            for i in range(n):
                d[i] = -r[i] + (r_sq_next / r_sq) * d[i]
            r_sq = r_sq_next
        return 0


def newton_cg(Objective objective, object x0, SymmetricMatrix hess, double gtol, double xtol,
              bint inf_norm, Py_ssize_t maxiter, double c1, double c2, object reporter):
    """Minimize from `x0` (a float64 array the driver may overwrite) by Newton-CG.

    Stops when ‖g‖ ≤ gtol, or, as scipy's Newton-CG does, when the step
    just taken has ‖Δx‖₁ ≤ n·xtol (an average |Δx_i| of at most xtol).
    Returns a dict like `newton`, with ``stopped_on_step`` telling which
    test ended a successful run and ``n_cg_iterations`` the products spent
    in CG.
    """
    cdef Py_ssize_t n = objective.n, nit = 0, cg_products = 0
    x_array = x0
    trial_array = np.empty(n)
    grad_array = np.empty(n)
    grad_trial_array = np.empty(n)
    cdef double[::1] x = x_array, direction = np.empty(n)
    cdef double[::1] grad = grad_array, grad_trial = grad_trial_array
    cdef double f, gnorm, slope, step_l1, f_previous = 0.0, step_init
    cdef bint negative_curvature, stopped_on_step = False
    # scipy's CG limit, 20·n: far more than n only matters under rounding.
    cdef TruncatedCG cg = TruncatedCG(n, <int>min(20 * n, 2 ** 30))
    cdef StrongWolfeSearch line_search = StrongWolfeSearch(n, c1, c2)
    cdef SearchResult found
    cdef Status status
    cdef int events
    cdef Py_ssize_t i

    f = evaluate_start(objective, x_array, grad, hess)
    gnorm = gradient_norm(grad, inf_norm)
    while True:
        if gnorm <= gtol:
            status = SUCCESS
            break
        if nit >= maxiter:
            status = MAXITER
            break
        if cg.solve(hess, grad, direction, &negative_curvature, &cg_products):
            status = NONFINITE
            break
        slope = dot(grad, direction)
        if not slope < 0.0:
            # CG iterates from 0 descend whenever g ≠ 0; only rounding gets here.
            if hess.restart():
                continue
            status = NO_PROGRESS
            break
        # The first trial step. After CG converged: α₀ = min(1, 2(f_k − f_{k−1})/φ'(0))
        # (Nocedal & Wright 2006, eq. 3.60). Far from a solution the Newton
        # step overshoots what the last decrease suggests, and the search
        # would spend its evaluations coming back from 1; near one, f_k − f*
        # shrinks superlinearly, the ratio grows and α₀ = 1 keeps the Newton
        # step. After a negative-curvature stop the last decrease can be
        # tiny (a saddle region), and the formula would keep shrinking the
        # steps: start from 1 there.
        step_init = 1.0
        if nit > 0 and not negative_curvature:
            step_init = fmin(1.0, 2.02 * (f - f_previous) / slope)
            if not step_init > 0.0:
                step_init = 1.0
        line_search.search(objective, x, direction, f, slope, step_init, trial_array,
                           grad_trial, &found)
        if not found.found:
            if hess.restart():
                continue    # a secant approximation that misled the search starts afresh
            status = NONFINITE if found.saw_nonfinite else NO_PROGRESS
            break
        events = EVENT_ACCEPTED
        events |= EVENT_NONFINITE if found.saw_nonfinite else 0
        events |= EVENT_NEGATIVE_CURVATURE if negative_curvature else 0
        step_l1 = 0.0
        for i in range(n):
            step_l1 += fabs(found.step_length * direction[i])
        x_array, trial_array = trial_array, x_array
        x = x_array
        grad_array, grad_trial_array = grad_trial_array, grad_array
        grad, grad_trial = grad_trial, grad
        f_previous = f
        f = found.value
        gnorm = gradient_norm(grad, inf_norm)
        nit += 1
        if hess.assemble(objective, x_array, grad):
            status = NONFINITE
            break
        if reporter is not None and reporter(nit, x_array, f, gnorm, found.step_length, events,
                                             0.0):
            status = CALLBACK_STOP
            break
        if step_l1 <= n * xtol and gnorm > gtol:
            status = SUCCESS
            stopped_on_step = True
            break
    return dict(x=x_array, fun=f, jac=grad_array, nit=nit, status=int(status),
                stopped_on_step=stopped_on_step, n_cg_iterations=cg_products,
                gradient_norm2=norm2(grad))
