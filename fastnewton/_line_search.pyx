"""A line search for the strong Wolfe conditions (Nocedal & Wright 2006, Alg. 3.5–3.6).

φ(α) = f(x + αd) must satisfy φ(α) ≤ φ(0) + c1·α·φ'(0) and |φ'(α)| ≤ c2·|φ'(0)|.
A bracketing phase is followed by a zoom that interpolates by cubics
(by quadratics when the slope at the far end is not known) and keeps every
trial point at least 10% of the bracket away from its ends. A trial point
where f or ∇f is not finite is treated as "too far" and shrinks the bracket,
so an objective defined only on part of the space is handled. The gradient is
evaluated only where sufficient decrease already holds (or where the change
in f is at rounding level, when the slope decides).
"""

import numpy as np

from libc.math cimport isfinite, fabs, sqrt, fmin, fmax, INFINITY, NAN, isnan
from fastnewton._objective cimport Objective
from fastnewton._vector cimport dot, axpy_into, copy_into


# Trial points stay this fraction of the bracket away from its ends.
cdef double SAFEGUARD = 0.1
# Relative changes of f this small are taken as rounding noise.
cdef double ROUNDING = 1e-12


cdef double interpolate(double a, double fa, double da, double b, double fb, double db) noexcept nogil:
    """Minimizer of the cubic (or quadratic, when db is NaN) matching φ at a and b, kept inside the bracket."""
    cdef double lower = fmin(a, b), upper = fmax(a, b), width = upper - lower, t, d1, d2, disc
    if not isfinite(fb):
        t = 0.5 * (a + b)
    elif isnan(db):
        disc = 2.0 * (fb - fa - da * (b - a))
        t = a - da * (b - a) * (b - a) / disc if disc > 0.0 else 0.5 * (a + b)
    else:
        d1 = da + db - 3.0 * (fa - fb) / (a - b)
        disc = d1 * d1 - da * db
        if disc < 0.0:
            t = 0.5 * (a + b)
        else:
            d2 = sqrt(disc) if b > a else -sqrt(disc)
            t = b - (b - a) * (db + d2 - d1) / (db - da + 2.0 * d2)
    if not isfinite(t):
        t = 0.5 * (a + b)
    return fmin(fmax(t, lower + SAFEGUARD * width), upper - SAFEGUARD * width)


cdef class StrongWolfeSearch:
    """Strong Wolfe line search with work space for `n` variables.

    Parameters
    ----------
    n : int
    c1, c2 : float
        Sufficient-decrease and curvature constants, 0 < c1 < c2 < 1.
    maxiter : int
        Most function evaluations per search.
    """

    def __cinit__(self, Py_ssize_t n, double c1=1e-4, double c2=0.9, int maxiter=40):
        self.n = n
        self.c1 = c1
        self.c2 = c2
        self.maxiter = maxiter
        self.best_grad = np.empty(n)

    cdef int search(self, Objective objective, const double[::1] x, const double[::1] direction,
                    double f0, double slope0, double step_init, object trial_array,
                    double[::1] trial_grad, SearchResult* result) except -1:
        """Search along `direction` (slope0 = ∇f(x)ᵀd < 0).

        On success `trial_array` and `trial_grad` hold the accepted point and
        its gradient, and `result` its step length and value.
        """
        cdef double[::1] trial = trial_array
        # The bracket: `low` is the best point with sufficient decrease so far
        # (its gradient in best_grad), `high` the other end once bracketed.
        cdef double low = 0.0, f_low = f0, slope_low = slope0
        cdef double high = INFINITY, f_high = NAN, slope_high = NAN
        cdef double alpha = step_init, f_alpha, slope_alpha
        cdef int evaluations = 0
        cdef bint bracketed = False, nonfinite = False, done = False
        while evaluations < self.maxiter:
            axpy_into(alpha, direction, x, trial)
            objective.value(trial_array, &f_alpha)
            evaluations += 1
            if not isfinite(f_alpha):
                nonfinite = True
                high, f_high, slope_high = alpha, INFINITY, NAN
                bracketed = True
            elif f_alpha > f0 + self.c1 * alpha * slope0 or f_alpha >= f_low:
                # Near a minimizer the decrease can sink below the rounding
                # error of f; then the slope decides (the approximate Wolfe
                # conditions of Hager & Zhang 2005).
                if (f_alpha <= f0 + ROUNDING * fabs(f0)
                        and objective.gradient(trial_array, trial_grad) == 0
                        and fabs(dot(trial_grad, direction)) <= -self.c2 * slope0):
                    done = True
                    break
                high, f_high, slope_high = alpha, f_alpha, NAN
                bracketed = True
            elif objective.gradient(trial_array, trial_grad):
                nonfinite = True
                high, f_high, slope_high = alpha, INFINITY, NAN
                bracketed = True
            else:
                slope_alpha = dot(trial_grad, direction)
                if fabs(slope_alpha) <= -self.c2 * slope0:
                    done = True
                    break
                # Keep a minimizer between low and high (N&W Alg. 3.5 and 3.6).
                if (slope_alpha * (high - low) >= 0.0) if bracketed else (slope_alpha >= 0.0):
                    high, f_high, slope_high = low, f_low, slope_low
                    bracketed = True
                low, f_low, slope_low = alpha, f_alpha, slope_alpha
                copy_into(trial_grad, self.best_grad)
            if bracketed:
                if fabs(high - low) <= 1e-14 * fmax(1.0, fabs(low)):
                    break
                alpha = interpolate(low, f_low, slope_low, high, f_high, slope_high)
            else:
                # Still descending steeply at alpha: extrapolate.
                alpha = 4.0 * alpha
        if done:
            result.step_length = alpha
            result.value = f_alpha
            result.found = True
        elif low > 0.0:
            # Sufficient decrease without the curvature condition: still a
            # productive step, so take it rather than fail.
            axpy_into(low, direction, x, trial)
            copy_into(self.best_grad, trial_grad)
            result.step_length = low
            result.value = f_low
            result.found = True
        else:
            result.found = False
        result.saw_nonfinite = nonfinite
        return 0
