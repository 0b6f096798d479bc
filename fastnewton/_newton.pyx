"""The line-search Newton driver: modified Cholesky direction, strong Wolfe step."""

import numpy as np

from fastnewton._hessian cimport FactorableHessian
from fastnewton._objective cimport Objective
from fastnewton._line_search cimport StrongWolfeSearch, SearchResult, LineSearch, curvature_begin
from fastnewton._vector cimport dot, norm2, gradient_norm
from fastnewton._status cimport (Status, SUCCESS, MAXITER, NO_PROGRESS, LINALG_ERROR, NONFINITE,
                                 SADDLE, CALLBACK_STOP, EVENT_ACCEPTED, EVENT_MODIFIED,
                                 EVENT_NONFINITE, EVENT_NEGATIVE_CURVATURE)

from fastnewton._start cimport evaluate_start


def newton(Objective objective, object x0, FactorableHessian hess, double gtol, bint inf_norm,
           Py_ssize_t maxiter, double c1, double c2, object reporter, bint escape_saddles=True):
    """Minimize from `x0` (a float64 array the driver may overwrite) by line-search Newton.

    Each direction solves (H + τI)d = −g with τ ≥ 0 from `modified_factorization`,
    so d is a descent direction even where H is indefinite; the step length
    comes from a strong Wolfe search starting at 1, so the full Newton step
    (and quadratic convergence) is kept near a minimizer. With
    `escape_saddles`, a point with ‖g‖ ≤ gtol where H has curvature below
    −tol is left along the direction of most negative curvature (inverse
    iteration on the factor of H + τI) instead of being returned. Returns a
    dict like `trust_region`.
    """
    cdef Py_ssize_t i, n = objective.n, nit = 0, n_modified = 0, total_factorizations = 0
    cdef int factorizations = 0, status_code
    x_array = x0
    trial_array = np.empty(n)
    grad_array = np.empty(n)
    grad_trial_array = np.empty(n)
    cdef double[::1] x = x_array, direction = np.empty(n)
    cdef double[::1] grad = grad_array, grad_trial = grad_trial_array
    cdef double f, gnorm, slope, shift = 0.0, max_shift = 0.0, curvature, tol
    cdef double[::1] product = np.empty(n)
    cdef bint stationary
    cdef StrongWolfeSearch line_search = StrongWolfeSearch(n, c1, c2)
    cdef SearchResult found
    cdef LineSearch curvature_search
    cdef Status status
    cdef int events

    f = evaluate_start(objective, x_array, grad, hess)
    gnorm = gradient_norm(grad, inf_norm)
    while True:
        stationary = gnorm <= gtol
        if stationary and (not escape_saddles or hess.second_order_point()):
            status = SUCCESS
            break
        if nit >= maxiter:
            status = MAXITER
            break
        status_code = hess.modified_factorization(&shift, &factorizations)
        total_factorizations += factorizations
        if status_code:
            status = LINALG_ERROR
            break
        if stationary:
            # A stationary point with negative curvature: leave along it.
            tol = hess.curvature_tolerance()
            curvature = hess.smallest_curvature(shift, &direction[0], &product[0]) - shift
            if curvature >= -tol:
                status = SUCCESS   # inverse iteration found no curvature below −tol
                break
            if dot(grad, direction) > 0.0:
                for i in range(n):
                    direction[i] = -direction[i]
            curvature_begin(&curvature_search, f, curvature)
            line_search.run(&curvature_search, objective, x, direction, trial_array, grad_trial,
                            &found)
            if not found.found:
                status = SADDLE
                break
            found.saw_nonfinite = False
            events = EVENT_NEGATIVE_CURVATURE
        else:
            for i in range(n):
                direction[i] = -grad[i]
            hess.solve(&direction[0])
            slope = dot(grad, direction)
            if not slope < 0.0:
                # Only rounding can make a direction from a positive definite
                # factor fail to descend: there is nothing left to gain.
                status = NO_PROGRESS
                break
            line_search.search(objective, x, direction, f, slope, 1.0, trial_array, grad_trial,
                               &found)
            if not found.found:
                status = NONFINITE if found.saw_nonfinite else NO_PROGRESS
                break
            events = 0
        events |= EVENT_ACCEPTED | (EVENT_MODIFIED if shift > 0.0 else 0)
        events |= EVENT_NONFINITE if found.saw_nonfinite else 0
        if shift > 0.0:
            n_modified += 1
            max_shift = max(max_shift, shift)
        x_array, trial_array = trial_array, x_array
        x = x_array
        grad_array, grad_trial_array = grad_trial_array, grad_array
        grad, grad_trial = grad_trial, grad
        f = found.value
        gnorm = gradient_norm(grad, inf_norm)
        nit += 1
        if hess.assemble(objective, x_array, grad):
            status = NONFINITE
            break
        if reporter is not None and reporter(nit, x_array, f, gnorm, found.step_length, events,
                                             shift):
            status = CALLBACK_STOP
            break
    return dict(x=x_array, fun=f, jac=grad_array, nit=nit, status=int(status),
                n_hess_modified=n_modified, hess_shift_max=max_shift,
                n_factorizations=total_factorizations, gradient_norm2=norm2(grad))
