# What the trust-region drivers share, the unconstrained one (`_trust_region`)
# and the projected one (`_projected.projected_trust_region`): the evaluation
# of a trial point against the model, and the end of an iteration.
from libc.float cimport DBL_EPSILON
from libc.math cimport isfinite, fmax, INFINITY
from fastnewton._hessian cimport SymmetricMatrix
from fastnewton._objective cimport Objective
from fastnewton._status cimport (Status, NO_PROGRESS, NONFINITE, CALLBACK_STOP, EVENT_ACCEPTED,
                                 EVENT_NONFINITE)
from fastnewton._trust_steps cimport trust_ratio
from fastnewton._vector cimport norm2

# `iteration_end`'s answer when the run goes on (no Status has this value).
cdef enum:
    GOES_ON = -1


cdef inline int evaluate_trial(Objective objective, object trial_array, double[::1] grad_trial,
                               double f, double model_decrease, double eta, double* f_trial,
                               double* rho, int* events) except -1:
    """f at the trial point (into `f_trial`), ρ = (f − f_trial) / `model_decrease`, ∇f there if ρ > η.

    A value that is not finite, or a gradient that is not finite where the
    step would be taken, makes ρ = −∞: the step is refused and the radius
    shrinks (scipy's methods shrink the step likewise), and `events` gets
    EVENT_NONFINITE.
    """
    objective.value(trial_array, f_trial)
    if isfinite(f_trial[0]):
        rho[0] = trust_ratio(f, f_trial[0], model_decrease)
    else:
        rho[0] = -INFINITY
        events[0] |= EVENT_NONFINITE
    if rho[0] > eta and objective.gradient(trial_array, grad_trial):
        rho[0] = -INFINITY
        events[0] |= EVENT_NONFINITE
    return 0


cdef inline int iteration_end(SymmetricMatrix hess, Objective objective, object x_array,
                              const double[::1] x, const double[::1] grad, object reporter,
                              Py_ssize_t nit, double f, double gradient_norm, double radius,
                              int events, double shift) except -2:
    """After iteration `nit` (x is `x_array`'s data): GOES_ON, or the Status that ends the run.

    An accepted step's point gets its Hessian (NONFINITE when that is not
    finite); the reporter (disp, callback) sees the iteration and may stop
    the run (CALLBACK_STOP); a radius that has shrunk to rounding of ‖x‖
    ends it (NO_PROGRESS).
    """
    if events & EVENT_ACCEPTED and hess.assemble(objective, x_array, grad):
        return NONFINITE
    if reporter is not None and reporter(nit, x_array, f, gradient_norm, radius, events, shift):
        return CALLBACK_STOP
    if radius <= DBL_EPSILON * fmax(1.0, norm2(x)):
        return NO_PROGRESS
    return GOES_ON
