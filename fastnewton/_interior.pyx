"""A primal–dual interior-point solve of the model over a box, to predict its active set.

The minor iterations of the projected trust-region step (`_projected`)
solve the model on the free variables and then free the bounds whose
multipliers point inward. From a point with too many bounds active, every
method built on such face solves (TRON's minor iterations, primal–dual
active sets, semismooth Newton) frees only the bounds whose multipliers turn
negative after each solve: on a 1-D contact problem about one per contact
edge, so O(n) solves in all. Measured on `bounded_problems.obstacle_1d`
(numpy prototypes): primal–dual active sets need 65 solves at n = 10³ and
over 200 at 10⁴. Interior-point iterates reach the active set from inside
the box instead, in a number of iterations that grows only slowly with n
(Mehrotra's predictor–corrector: 14 at n = 10³, 15 at 10⁴). The prediction
s_i < z_i (slack below multiplier) then lets the minor iterations start
next to the model's own active set.

`predict_active_set` runs on a positive definite H + diag(Z/S) (a band
stays a band); where that fails (a nonconvex model) it gives up and the
minor iterations go on as before.
"""

import numpy as np

from libc.math cimport isfinite, fabs, fmin, fmax
from fastnewton._box cimport gather, clamp

# Most interior-point iterations; the prediction normally settles in 10–25.
cdef int MAX_ITERATIONS = 60
# The prediction is taken once it has held this many iterations in a row
# while μ fell by this factor from the start, or once μ fell by the second.
cdef int SETTLED_ITERATIONS = 3
cdef double SETTLED_MU = 1e-6
cdef double FINAL_MU = 1e-14
# Fraction of the way to the boundary of the positive orthant a step goes.
cdef double TO_BOUNDARY = 0.995


cdef class InteriorWork:
    """The vectors of `predict_active_set` for problems of n variables."""

    def __cinit__(self, Py_ssize_t n):
        cdef double[::1] memory
        cdef Py_ssize_t size = max(n, 1)
        self.n = n
        self.memory = np.zeros(11 * size)
        memory = self.memory
        self.y = &memory[0]
        self.z_lower = &memory[size]
        self.z_upper = &memory[2 * size]
        self.dy = &memory[3 * size]
        self.dz_lower = &memory[4 * size]
        self.dz_upper = &memory[5 * size]
        self.residual = &memory[6 * size]
        self.rhs = &memory[7 * size]
        self.diagonal = &memory[8 * size]
        self.displacement = &memory[9 * size]
        self.product = &memory[10 * size]
        self.predicted_array = np.zeros(size, dtype=np.int8)
        cdef signed char[::1] predicted = self.predicted_array
        self.predicted = &predicted[0]
        self.index = np.zeros(size, dtype=np.intp)


cdef inline double longest_step(double value, double change) noexcept nogil:
    """The largest α ≤ 1 keeping value + α·change ≥ 0 (value > 0)."""
    return -value / change if change < 0.0 and -value / change < 1.0 else 1.0


cdef int reduced_solve(ReducedHessian reduced, InteriorWork work, Py_ssize_t count) except -1:
    """dy = (H + D)⁻¹ rhs on the movable variables (the factor of the last `factorize`)."""
    cdef Py_ssize_t k
    cdef Py_ssize_t* index = &work.index[0]
    # The diagonal is in the factor by now: its vector holds the gathered rhs.
    gather(work.rhs, index, count, work.diagonal)
    reduced.solve(work.diagonal)
    for k in range(count):
        work.dy[index[k]] = work.diagonal[k]
    return 0


cdef int predict_active_set(FactorableHessian hess, ReducedHessian reduced, const double* x,
                            const double* grad, const double* box_lower,
                            const double* box_upper, const double* start, Py_ssize_t n,
                            InteriorWork work, signed char* active) except -1:
    """Predict which bounds of lo ≤ y ≤ hi hold at the minimizer of the model.

    The model is q(y) = gᵀ(y − x) + ½(y − x)ᵀH(y − x) (`grad` = g at `x`,
    `hess` = H), over the box [`box_lower`, `box_upper`] (bounds may be
    infinite; equal ones fix the variable). Mehrotra's predictor–corrector
    from `start`, pushed 1 % inside the box, with multipliers z ≥ 0 for
    the finite bounds; each iteration factors H + diag(z/s) on the movable
    variables through `reduced`. `active[i]` receives −1 (lower), +1
    (upper) or 0, and ``work.y`` the last interior iterate. Returns the
    iterations taken, or 0 when H + diag(z/s) does not factor (a model that
    is not convex) or the prediction never settles.
    """
    cdef Py_ssize_t i, k, count = 0, finite = 0, changed
    cdef Py_ssize_t* index = &work.index[0]
    cdef double* y = work.y
    cdef double* zl = work.z_lower
    cdef double* zu = work.z_upper
    cdef double* dy = work.dy
    cdef double* dzl = work.dz_lower
    cdef double* dzu = work.dz_upper
    cdef double* r = work.residual
    cdef double delta, scale = 0.0, mu, mu_start, mu_affine, sigma, alpha_p, alpha_d, sl, su
    cdef int iteration, settled = 0
    cdef signed char guess
    for i in range(n):
        work.predicted[i] = 0
        zl[i] = 0.0
        zu[i] = 0.0
        if not box_lower[i] < box_upper[i]:
            y[i] = box_lower[i]
            continue
        index[count] = i
        count += 1
        delta = 0.01 * fmin(box_upper[i] - box_lower[i], fmax(1.0, fabs(start[i])))
        y[i] = clamp(start[i], box_lower[i] + delta, box_upper[i] - delta)
        finite += isfinite(box_lower[i]) + isfinite(box_upper[i])
    if count == 0 or finite == 0:
        return 0
    # Multipliers of the size of the gradient of the model at the start.
    for i in range(n):
        work.displacement[i] = y[i] - x[i]
    if hess.matvec(work.displacement, work.product):
        return 0
    for k in range(count):
        i = index[k]
        scale += fabs(grad[i] + work.product[i])
    scale = fmax(scale / count, 1e-300)
    for k in range(count):
        i = index[k]
        if isfinite(box_lower[i]):
            zl[i] = scale
        if isfinite(box_upper[i]):
            zu[i] = scale
    mu_start = -1.0
    for iteration in range(1, MAX_ITERATIONS + 1):
        for i in range(n):
            work.displacement[i] = y[i] - x[i]
        if hess.matvec(work.displacement, work.product):
            return 0
        mu = 0.0
        changed = 0
        for k in range(count):
            i = index[k]
            r[i] = grad[i] + work.product[i] - zl[i] + zu[i]
            guess = 0
            if isfinite(box_lower[i]):
                sl = y[i] - box_lower[i]
                mu += sl * zl[i]
                if sl < zl[i]:
                    guess = -1
            if isfinite(box_upper[i]):
                su = box_upper[i] - y[i]
                mu += su * zu[i]
                if su < zu[i]:
                    guess = 1
            changed += guess != work.predicted[i]
            work.predicted[i] = guess
        mu /= finite
        if mu_start < 0.0:
            mu_start = mu
        settled = settled + 1 if changed == 0 else 0
        if ((settled >= SETTLED_ITERATIONS and mu <= SETTLED_MU * mu_start)
                or mu <= FINAL_MU * mu_start):
            for i in range(n):
                active[i] = work.predicted[i]
            return iteration
        # H + diag(z/s) on the movable variables.
        for k in range(count):
            i = index[k]
            work.diagonal[k] = 0.0
            if isfinite(box_lower[i]):
                work.diagonal[k] += zl[i] / (y[i] - box_lower[i])
            if isfinite(box_upper[i]):
                work.diagonal[k] += zu[i] / (box_upper[i] - y[i])
        reduced.gather_free(index, count)
        reduced.add_diagonal(work.diagonal)
        if reduced.factorize(0.0):
            return 0
        # Predictor (affine scaling): the Newton step for s∘z = 0.
        for i in range(n):
            work.rhs[i] = -r[i] - zl[i] + zu[i]
        reduced_solve(reduced, work, count)
        alpha_p = 1.0
        alpha_d = 1.0
        for k in range(count):
            i = index[k]
            dzl[i] = 0.0
            dzu[i] = 0.0
            if isfinite(box_lower[i]):
                sl = y[i] - box_lower[i]
                dzl[i] = -zl[i] - zl[i] * dy[i] / sl
                alpha_p = fmin(alpha_p, longest_step(sl, dy[i]))
                alpha_d = fmin(alpha_d, longest_step(zl[i], dzl[i]))
            if isfinite(box_upper[i]):
                su = box_upper[i] - y[i]
                dzu[i] = -zu[i] + zu[i] * dy[i] / su
                alpha_p = fmin(alpha_p, longest_step(su, -dy[i]))
                alpha_d = fmin(alpha_d, longest_step(zu[i], dzu[i]))
        mu_affine = 0.0
        for k in range(count):
            i = index[k]
            if isfinite(box_lower[i]):
                mu_affine += (y[i] - box_lower[i] + alpha_p * dy[i]) * (zl[i] + alpha_d * dzl[i])
            if isfinite(box_upper[i]):
                mu_affine += (box_upper[i] - y[i] - alpha_p * dy[i]) * (zu[i] + alpha_d * dzu[i])
        mu_affine /= finite
        sigma = (mu_affine / mu) ** 3 if mu > 0.0 else 0.0
        # Corrector: the targets σμ − Δs_aff∘Δz_aff, kept in dz until the solve.
        for i in range(n):
            work.rhs[i] = -r[i]
        for k in range(count):
            i = index[k]
            if isfinite(box_lower[i]):
                sl = y[i] - box_lower[i]
                dzl[i] = sigma * mu - dy[i] * dzl[i]
                work.rhs[i] += (dzl[i] - sl * zl[i]) / sl
            if isfinite(box_upper[i]):
                su = box_upper[i] - y[i]
                dzu[i] = sigma * mu + dy[i] * dzu[i]
                work.rhs[i] -= (dzu[i] - su * zu[i]) / su
        reduced_solve(reduced, work, count)
        alpha_p = 1.0
        alpha_d = 1.0
        for k in range(count):
            i = index[k]
            if isfinite(box_lower[i]):
                sl = y[i] - box_lower[i]
                dzl[i] = (dzl[i] - sl * zl[i] - zl[i] * dy[i]) / sl
                alpha_p = fmin(alpha_p, longest_step(sl, dy[i]))
                alpha_d = fmin(alpha_d, longest_step(zl[i], dzl[i]))
            if isfinite(box_upper[i]):
                su = box_upper[i] - y[i]
                dzu[i] = (dzu[i] - su * zu[i] + zu[i] * dy[i]) / su
                alpha_p = fmin(alpha_p, longest_step(su, -dy[i]))
                alpha_d = fmin(alpha_d, longest_step(zu[i], dzu[i]))
        alpha_p *= TO_BOUNDARY
        alpha_d *= TO_BOUNDARY
        for k in range(count):
            i = index[k]
            y[i] += alpha_p * dy[i]
            zl[i] += alpha_d * dzl[i]
            zu[i] += alpha_d * dzu[i]
            if not (isfinite(y[i]) and isfinite(zl[i]) and isfinite(zu[i])):
                return 0
    return 0
