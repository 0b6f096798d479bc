"""The line-search Newton driver: modified Cholesky direction, strong Wolfe step."""

import numpy as np
from libc.math cimport INFINITY

from fastnewton._hessian cimport FactorableHessian
from fastnewton._objective cimport Objective
from fastnewton._line_search cimport StrongWolfeSearch, SearchResult, LineSearch
from fastnewton._newton_step cimport (NewtonStep, NEWTON_FACTOR_FAILED, NEWTON_CONVERGED,
                                      NEWTON_NO_DESCENT, next_newton_radius)
from fastnewton._trust_steps cimport StepWork, lay_out_work
from fastnewton._vector cimport dot, norm2, gradient_norm
from fastnewton._status cimport (Status, SUCCESS, MAXITER, NO_PROGRESS, LINALG_ERROR, NONFINITE,
                                 SADDLE, CALLBACK_STOP, EVENT_ACCEPTED, EVENT_MODIFIED,
                                 EVENT_NONFINITE, EVENT_NEGATIVE_CURVATURE)

from fastnewton._start cimport evaluate_start


def newton(Objective objective, object x0, FactorableHessian hess, double gtol, bint inf_norm,
           Py_ssize_t maxiter, double c1, double c2, object reporter, bint escape_saddles):
    """Minimize from `x0` (a float64 array the driver may overwrite) by line-search Newton.

    Each iteration's direction and search are `_newton_step.newton_step`'s:
    (H + τI)d = −g with a strong Wolfe search from α = 1, or, with
    `escape_saddles`, at a point with ‖g‖ ≤ gtol where H has curvature below
    −tol, the direction of most negative curvature instead of returning it.
    Returns a dict like `trust_region`.
    """
    cdef Py_ssize_t n = objective.n, nit = 0, n_modified = 0, total_factorizations = 0
    cdef int factorizations = 0
    x_array = x0
    trial_array = np.empty(n)
    grad_array = np.empty(n)
    grad_trial_array = np.empty(n)
    cdef double[::1] x = x_array, direction = np.empty(n)
    cdef double[::1] grad = grad_array, grad_trial = grad_trial_array
    cdef double f, gnorm, shift = 0.0, max_shift = 0.0, radius = INFINITY
    cdef double[::1] work_memory = np.empty(6 * max(n, 1))
    cdef StepWork work
    cdef bint stationary
    cdef StrongWolfeSearch line_search = StrongWolfeSearch(n, c1, c2)
    cdef SearchResult found
    cdef LineSearch search
    cdef NewtonStep outcome
    cdef Status status
    cdef int events

    lay_out_work(&work, &work_memory[0], n)
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
        outcome = hess.newton_step(&grad[0], f, stationary, line_search.c1, line_search.c2,
                                   norm2(x), radius, &direction[0], &work, &search, &shift,
                                   &factorizations)
        total_factorizations += factorizations
        if outcome == NEWTON_FACTOR_FAILED:
            status = LINALG_ERROR
            break
        if outcome == NEWTON_CONVERGED:
            status = SUCCESS   # inverse iteration found no curvature below −tol
            break
        if outcome == NEWTON_NO_DESCENT:
            if hess.restart():
                continue
            status = NO_PROGRESS
            break
        line_search.run(&search, objective, x, direction, trial_array, grad_trial, &found)
        if not found.found:
            if not search.curvature_search and hess.restart():
                continue    # a secant approximation that misled the search starts afresh
            status = (SADDLE if search.curvature_search
                      else NONFINITE if found.saw_nonfinite else NO_PROGRESS)
            break
        events = EVENT_NEGATIVE_CURVATURE if search.curvature_search else 0
        events |= EVENT_ACCEPTED | (EVENT_MODIFIED if shift > 0.0 else 0)
        events |= EVENT_NONFINITE if found.saw_nonfinite else 0
        radius = next_newton_radius(radius, search.curvature_search, found.step_length,
                                    norm2(direction))
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
