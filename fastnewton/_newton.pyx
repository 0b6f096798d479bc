"""The line-search Newton driver: modified Cholesky direction, strong Wolfe step."""

import numpy as np

from fastnewton._hessian cimport SymmetricMatrix, factorize_modified
from fastnewton._objective cimport Objective
from fastnewton._line_search cimport StrongWolfeSearch, SearchResult
from fastnewton._vector cimport dot, gradient_norm
from fastnewton._status cimport (Status, SUCCESS, MAXITER, NO_PROGRESS, LINALG_ERROR, NONFINITE,
                                 CALLBACK_STOP, EVENT_ACCEPTED, EVENT_MODIFIED, EVENT_NONFINITE)
from fastnewton._start cimport evaluate_start


def newton(Objective objective, object x0, SymmetricMatrix hess, double gtol, bint inf_norm,
           Py_ssize_t maxiter, double c1, double c2, object reporter):
    """Minimize from `x0` (a float64 array the driver may overwrite) by line-search Newton.

    Each direction solves (H + τI)d = −g with τ ≥ 0 from `factorize_modified`,
    so d is a descent direction even where H is indefinite; the step length
    comes from a strong Wolfe search starting at 1, so the full Newton step
    (and quadratic convergence) is kept near a minimizer. Returns a dict like
    `trust_region`.
    """
    cdef Py_ssize_t i, n = objective.n, nit = 0, n_modified = 0, total_factorizations = 0
    cdef int factorizations = 0, status_code
    x_array = x0
    trial_array = np.empty(n)
    grad_array = np.empty(n)
    grad_trial_array = np.empty(n)
    cdef double[::1] x = x_array, direction = np.empty(n)
    cdef double[::1] grad = grad_array, grad_trial = grad_trial_array
    cdef double f, gnorm, slope, shift = 0.0, max_shift = 0.0
    cdef StrongWolfeSearch line_search = StrongWolfeSearch(n, c1, c2)
    cdef SearchResult found
    cdef Status status
    cdef int events

    f = evaluate_start(objective, x_array, grad, hess)
    gnorm = gradient_norm(grad, inf_norm)
    while True:
        if gnorm <= gtol:
            status = SUCCESS
            break
        if nit >= maxiter:
            status = MAXITER
            break
        status_code = factorize_modified(hess, &shift, &factorizations)
        total_factorizations += factorizations
        if status_code:
            status = LINALG_ERROR
            break
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
        events = EVENT_ACCEPTED | (EVENT_MODIFIED if shift > 0.0 else 0)
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
        if objective.hessian(x_array, grad, hess):
            status = NONFINITE
            break
        if reporter is not None and reporter(nit, x_array, f, gnorm, found.step_length, events,
                                             shift):
            status = CALLBACK_STOP
            break
    return dict(x=x_array, fun=f, jac=grad_array, nit=nit, status=int(status),
                n_hess_modified=n_modified, hess_shift_max=max_shift,
                n_factorizations=total_factorizations)
