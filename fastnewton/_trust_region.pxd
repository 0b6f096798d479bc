# What the trust-region drivers share, the unconstrained one (`_trust_region`)
# and the projected one (`_projected.projected_trust_region`): the evaluation
# of a trial point against the model.
from libc.math cimport isfinite, INFINITY
from fastnewton._objective cimport Objective
from fastnewton._status cimport EVENT_NONFINITE
from fastnewton._trust_steps cimport trust_ratio


cdef inline int evaluate_trial(Objective objective, object trial_array, double[::1] grad_trial,
                               double f, double model_decrease, double eta, double* f_trial,
                               double* rho, int* events) except -1:
    """f at the trial point into `f_trial`, ρ = (f − f_trial) / `model_decrease`, and ∇f there when ρ > η.

    A value that is not finite, or a gradient that is not where the step
    would be taken, makes ρ = −∞, so the step is refused and the radius
    shrinks (scipy's methods shrink the step likewise), and adds
    EVENT_NONFINITE to `events`.
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
