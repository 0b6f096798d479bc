"""The line searches of the Newton method, run on one problem.

`StrongWolfeSearch` runs the state machines of `_line_search.pxd` (a strong
Wolfe search, and a search along negative curvature) against an `Objective`:
it evaluates what the search asks for until the search ends. The batched
driver runs the same machines for every problem of a batch.
"""

import numpy as np

from fastnewton._vector cimport dot, axpy_into, copy_into


cdef class StrongWolfeSearch:
    """The line searches with work space for `n` variables.

    Parameters
    ----------
    n : int
    c1, c2 : float
        Sufficient-decrease and curvature constants, 0 < c1 < c2 < 1.
    maxiter : int
        Most function evaluations per Wolfe search.
    """

    def __cinit__(self, Py_ssize_t n, double c1, double c2, int maxiter=WOLFE_MAXITER):
        self.n = n
        self.c1 = c1
        self.c2 = c2
        self.maxiter = maxiter
        self.best_grad = np.empty(n)

    cdef int search(self, Objective objective, const double[::1] x, const double[::1] direction,
                    double f0, double slope0, double step_init, object trial_array,
                    double[::1] trial_grad, SearchResult* result) except -1:
        """A strong Wolfe search along `direction` (slope0 = ∇f(x)ᵀd < 0); see `run`."""
        cdef LineSearch s
        wolfe_begin(&s, f0, slope0, step_init, self.c1, self.c2, self.maxiter)
        return self.run(&s, objective, x, direction, trial_array, trial_grad, result)

    cdef int run(self, LineSearch* s, Objective objective, const double[::1] x,
                 const double[::1] direction, object trial_array, double[::1] trial_grad,
                 SearchResult* result) except -1:
        """Evaluate what the search `s` asks until it ends.

        On success `trial_array` and `trial_grad` hold the accepted point and
        its gradient, and `result` its step length and value.
        """
        cdef double[::1] trial = trial_array
        cdef double f_trial
        cdef bint finite
        while True:
            if s.ask == ASK_VALUE:
                axpy_into(trial_length(s), direction, x, trial)
                objective.value(trial_array, &f_trial)
                if s.curvature_search:
                    curvature_value(s, f_trial)
                else:
                    wolfe_value(s, f_trial)
            elif s.ask == ASK_FINAL_GRADIENT:
                axpy_into(s.alpha, direction, x, trial)
                curvature_gradient(s, objective.gradient(trial_array, trial_grad) == 0)
            elif s.ask == ASK_SLOPE or s.ask == ASK_ROUNDING_SLOPE:
                finite = objective.gradient(trial_array, trial_grad) == 0
                if wolfe_slope(s, finite, dot(trial_grad, direction) if finite else 0.0):
                    copy_into(trial_grad, self.best_grad)
            else:
                break
        result.found = s.ask != GIVE_UP
        result.saw_nonfinite = s.nonfinite
        result.step_length = s.low if s.ask == ACCEPT_LOW else s.alpha
        if s.ask == ACCEPT_LOW:
            axpy_into(s.low, direction, x, trial)
            copy_into(self.best_grad, trial_grad)
        result.value = s.f_low if s.ask == ACCEPT_LOW or s.curvature_search else s.f_alpha
        return 0
