"""The trust-region driver shared by dogleg, trust-exact and trust-ncg.

One compiled loop (Nocedal & Wright 2006, Alg. 4.1): solve the subproblem,
compare actual with predicted decrease, update the radius, accept or reject.
The subproblem object decides which method it is.
"""

import numpy as np

from libc.math cimport fmin, fmax
from fastnewton._hessian cimport SymmetricMatrix
from fastnewton._objective cimport Objective
from fastnewton._subproblems cimport TrustRegionSubproblem
from fastnewton._trust_steps cimport (StepReport, SUBPROBLEM_OK, SUBPROBLEM_FACTORIZATION_FAILED,
                                      next_radius, radius_cap, first_radius)
from fastnewton._vector cimport dot, norm2, gradient_norm, axpy_into
from fastnewton._status cimport (Status, SUCCESS, MAXITER, NO_PROGRESS, LINALG_ERROR, NONFINITE, SADDLE,
                                 EVENT_ACCEPTED, EVENT_BOUNDARY, EVENT_HARD_CASE,
                                 EVENT_MODIFIED, EVENT_NEGATIVE_CURVATURE, EVENT_NONFINITE)
from fastnewton._start cimport evaluate_start


cdef double grad_curvature(SymmetricMatrix hess, const double[::1] grad) except? -1.0:
    """gᵀHg (one product with H)."""
    product = np.empty(grad.shape[0])
    cdef double[::1] hg = product
    if hess.matvec(&grad[0], &hg[0]):
        return 0.0   # a non-finite product: no curvature to go by
    return dot(grad, hg)


def trust_region(Objective objective, object x0, SymmetricMatrix hess,
                 TrustRegionSubproblem subproblem, object initial_radius, double max_radius,
                 bint relative_max_radius, double eta, double gtol, bint inf_norm,
                 Py_ssize_t maxiter, object reporter, bint escape_saddles,
                 object second_order_test=None):
    """Minimize from `x0` (a float64 array the driver may overwrite).

    The radius starts at `initial_radius`, or when None at
    `_trust_steps.first_radius`, and is capped by `_trust_steps.radius_cap`
    (`max_radius`, relative to max(1, ‖x‖) with `relative_max_radius`).

    Returns a dict with x, fun, jac, nit, status and the step statistics.
    `reporter(nit, x, f, gnorm, radius, events, shift)` is called after every
    iteration when not None; a true return stops the run. With
    `escape_saddles`, ‖g‖ ≤ gtol ends the run only where H has no curvature
    below −tol (see `FactorableHessian.curvature_tolerance`); elsewhere the subproblem, whose
    hard case (exact) or negative-curvature candidate (dogleg) supplies a
    step even at g = 0, carries the iteration on. Products-only Hessians
    cannot be checked and stop at first order, unless `second_order_test`
    (a callable of `hess`, true when H shows no curvature below −tol) is
    given: it then replaces the factorization test.
    """
    cdef Py_ssize_t n = objective.n, nit = 0, n_rejected = 0, n_modified = 0, n_hard_case = 0
    cdef Py_ssize_t n_factorizations = 0
    x_array = x0
    trial_array = np.empty(n)
    grad_array = np.empty(n)
    grad_trial_array = np.empty(n)
    cdef double[::1] x = x_array, x_trial = trial_array, step = np.empty(n)
    cdef double[::1] grad = grad_array, grad_trial = grad_trial_array
    cdef double f, f_trial, rho, gnorm, radius, max_shift = 0.0
    cdef StepReport report
    cdef Status status
    cdef int events, ended
    cdef bint learns    # SR1 takes this trial's secant pair if it is refused

    f = evaluate_start(objective, x_array, grad, hess)
    if initial_radius is None:
        radius = first_radius(norm2(grad), grad_curvature(hess, grad), max_radius,
                              relative_max_radius, &x[0], n)
        if hess.learns_from_trials:
            # B = I at x0: its Cauchy length is ‖g‖, not a length in x, and
            # a secant pair from a trial that far out misleads SR1 (see
            # `_options.trust_radius_policy`).
            radius = fmin(radius, fmax(1.0, norm2(x)))
    else:
        radius = initial_radius
    gnorm = gradient_norm(grad, inf_norm)
    while True:
        if gnorm <= gtol and (not escape_saddles or (hess.second_order_point()
                                                     if second_order_test is None
                                                     else second_order_test(hess))):
            status = SUCCESS
            break
        if nit >= maxiter:
            status = MAXITER
            break
        subproblem.solve(hess, grad, radius, step, &report)
        n_factorizations += report.factorizations
        if report.status != SUBPROBLEM_OK:
            status = LINALG_ERROR if report.status == SUBPROBLEM_FACTORIZATION_FAILED else NONFINITE
            break
        if not report.model_decrease > 0.0:
            status = SADDLE if gnorm <= gtol else NO_PROGRESS
            break
        events = ((EVENT_BOUNDARY if report.hits_boundary else 0)
                  | (EVENT_HARD_CASE if report.hard_case else 0)
                  | (EVENT_MODIFIED if report.hessian_modified else 0)
                  | (EVENT_NEGATIVE_CURVATURE if report.negative_curvature else 0))
        n_hard_case += report.hard_case
        if report.hessian_modified:
            n_modified += 1
            max_shift = max(max_shift, report.hess_shift)
        axpy_into(1.0, step, x, x_trial)
        evaluate_trial(objective, trial_array, grad_trial, f, report.model_decrease, eta,
                       &f_trial, &rho, &events)
        learns = hess.learns_from_trials and not events & EVENT_NONFINITE
        radius = next_radius(rho, radius, report.hits_boundary,
                             radius_cap(max_radius, relative_max_radius, &x[0], n),
                             learns and subproblem.exact)
        if rho > eta:
            x_array, trial_array = trial_array, x_array
            x, x_trial = x_trial, x
            grad_array, grad_trial_array = grad_trial_array, grad_array
            grad, grad_trial = grad_trial, grad
            f = f_trial
            gnorm = gradient_norm(grad, inf_norm)
            events |= EVENT_ACCEPTED
        else:
            n_rejected += 1
            if learns and objective.gradient(trial_array, grad_trial) == 0:
                hess.trial_update(x, grad, x_trial, grad_trial)
            elif not hess.learns_from_trials:
                subproblem.same_model_next()
        nit += 1
        ended = iteration_end(hess, objective, x_array, x, grad, reporter, nit, f, gnorm, radius,
                              events, report.hess_shift)
        if ended != GOES_ON:
            status = <Status>ended
            break
    return dict(x=x_array, fun=f, jac=grad_array, nit=nit, status=int(status),
                trust_radius=radius, n_rejected=n_rejected, n_hess_modified=n_modified,
                n_hard_case=n_hard_case, hess_shift_max=max_shift,
                n_factorizations=n_factorizations, gradient_norm2=norm2(grad))
