"""Quasi-Newton Hessians: a secant approximation B in place of ∇²f.

`QuasiNewtonHessian` holds scipy's `BFGS` or `SR1` approximation and updates
it in compiled code with scipy's formulas (Nocedal & Wright 2006, eqs. 6.19,
6.24 and 6.20 for the first-step scaling; Powell's damping, Proc. 18.2), so
a run with ``hess=BFGS()`` never enters Python for the Hessian.
`StrategyHessian` serves any other `HessianUpdateStrategy` through its own
`initialize` / `update` / `get_matrix` / `dot`.

Both are dense storages (a `DenseHessian` inside, whose block the
factorizations run on) whose `assemble(objective, x, grad)` takes the step
s = x − x_prev and the gradient change y = g − g_prev since the last point it
was given and updates B; the first call only records the point. The drivers
call `assemble` at every accepted point, so B learns from the steps taken;
trust-region methods also hand SR1 each rejected trial point
(`trial_update`, see `QuasiNewtonHessian.configure` for why SR1 only), and
the line-search methods `restart` B from a scaled identity when it gave a
direction the search could not use.
"""

import warnings

import numpy as np
from scipy.linalg import issymmetric
from scipy.optimize import BFGS, SR1

from fastnewton._dense import DenseHessian

from libc.math cimport fabs
from fastnewton._dense cimport symmetric_matvec
from fastnewton._hessian cimport FactorableHessian
from fastnewton._objective cimport Objective, copy_vector, copy_vector_raw, vector_from
from fastnewton._vector cimport copy_raw, dot_raw, norm2_raw
from fastnewton._gil cimport PyThreadState, release_gil_if, reacquire_gil

cdef enum UpdateFormula:
    FORMULA_BFGS
    FORMULA_SR1

_ZERO_GRADIENT_CHANGE = ("the gradient did not change over a step (delta_grad == 0), so the "
                         "quasi-Newton update is skipped; if the function is linear, a zero "
                         "Hessian serves better than a quasi-Newton approximation")


cdef inline void set_scaled_identity(double* values, Py_ssize_t n, double scale) noexcept nogil:
    """Lower triangle of the column-major `values` ← scale·I."""
    cdef Py_ssize_t i, j
    for j in range(n):
        values[j + j * n] = scale
        for i in range(j + 1, n):
            values[i + j * n] = 0.0


cdef inline double first_step_scale(const double* s, const double* y, Py_ssize_t n) noexcept nogil:
    """yᵀy / abs(yᵀs) (Nocedal & Wright 2006, eq. 6.20); 1 when any of sᵀs, yᵀy, yᵀs is zero."""
    cdef double ss = dot_raw(s, s, n), yy = dot_raw(y, y, n), ys = fabs(dot_raw(y, s, n))
    if ss == 0.0 or yy == 0.0 or ys == 0.0:
        return 1.0
    return yy / ys


cdef inline void add_outer(double* values, Py_ssize_t n, double alpha, const double* v) noexcept nogil:
    """Lower triangle of `values` ← B + alpha·v vᵀ."""
    cdef Py_ssize_t i, j
    cdef double scaled
    for j in range(n):
        scaled = alpha * v[j]
        for i in range(j, n):
            values[i + j * n] += v[i] * scaled


cdef inline bint bfgs_update(double* values, Py_ssize_t n, const double* s, const double* y,
                             double* bs, double* z, double min_curvature, bint damp) noexcept nogil:
    """B ← B + z zᵀ/(sᵀz) − (Bs)(Bs)ᵀ/(sᵀBs), z = y; False when skipped.

    Where the curvature condition sᵀy > min_curvature·sᵀBs fails, the update
    is skipped, or with `damp` z becomes θy + (1 − θ)Bs with θ chosen so
    that sᵀz = min_curvature·sᵀBs, which keeps B positive definite. A B
    that rounding left with sᵀBs ≤ 0 restarts from the scaled identity of
    eq. 6.20.
    """
    cdef Py_ssize_t i
    cdef double sy = dot_raw(s, y, n), sbs, theta
    symmetric_matvec(values, n, s, bs)
    sbs = dot_raw(s, bs, n)
    if sbs <= 0.0:
        set_scaled_identity(values, n, first_step_scale(s, y, n))
        symmetric_matvec(values, n, s, bs)
        sbs = dot_raw(s, bs, n)
    copy_raw(y, z, n)
    if sy <= min_curvature * sbs:
        if not damp:
            return False
        theta = (1.0 - min_curvature) / (1.0 - sy / sbs)
        for i in range(n):
            z[i] = theta * y[i] + (1.0 - theta) * bs[i]
        sy = dot_raw(s, z, n)
    add_outer(values, n, 1.0 / sy, z)
    add_outer(values, n, -1.0 / sbs, bs)
    return True


cdef inline bint sr1_update(double* values, Py_ssize_t n, const double* s, const double* y,
                            double* bs, double* r, double min_denominator) noexcept nogil:
    """B ← B + r rᵀ/(sᵀr), r = y − Bs; skipped (False) when abs(sᵀr) ≤ min_denominator·‖s‖‖r‖."""
    cdef Py_ssize_t i
    cdef double denominator
    symmetric_matvec(values, n, s, bs)
    for i in range(n):
        r[i] = y[i] - bs[i]
    denominator = dot_raw(s, r, n)
    if fabs(denominator) <= min_denominator * norm2_raw(s, n) * norm2_raw(r, n):
        return False
    add_outer(values, n, 1.0 / denominator, r)
    return True


cdef inline bint all_zero(const double* v, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        if v[i] != 0.0:
            return False
    return True


def initial_scale(strategy, Py_ssize_t n):
    """`strategy.init_scale` checked: 'auto' (None here), a float, or a symmetric (n, n) array.

    scipy reads it at the first update; reading it before the run gives the
    error at the call that caused it.
    """
    scale = strategy.init_scale
    if isinstance(scale, str):
        if scale != "auto":
            raise ValueError("hess.init_scale must be 'auto', a number or a symmetric (%d, %d) "
                             "array, got %r" % (n, n, scale))
        return None
    array = np.asarray(scale)
    if array.dtype.kind == "c":
        raise TypeError("hess.init_scale must be real, got %r" % (scale,))
    if array.dtype.kind not in "fiub":
        raise TypeError("hess.init_scale must be 'auto', a number or an array, got %r" % (scale,))
    if not np.isfinite(array).all():
        raise ValueError("hess.init_scale must be finite, got %r" % (scale,))
    if array.size == 1:
        return float(array.reshape(()))
    if array.shape != (n, n):
        raise ValueError("hess.init_scale as an array must have the shape of the Hessian, "
                         "(%d, %d), got %s" % (n, n, array.shape))
    array = np.array(array, dtype=np.float64)
    if not issymmetric(array):
        raise ValueError("hess.init_scale as an array must be symmetric")
    return array


cdef class SecantHessian(FactorableHessian):
    """A dense B held by a `DenseHessian`: the factorizations and steps run on its block."""
    cdef FactorableHessian matrix

    def __cinit__(self, Py_ssize_t n):
        self.n = n
        self.banded = False
        self.matrix = DenseHessian(n)
        self.dense = self.matrix.dense
        self.release_gil = self.matrix.release_gil

    cpdef int load(self, object value) except -1:
        return self.matrix.load(value)

    cpdef object to_array(self):
        return self.matrix.to_array()

    cpdef tuple spectrum(self, double tol, bint extremes):
        return self.matrix.spectrum(tol, extremes)


cdef class QuasiNewtonHessian(SecantHessian):
    """scipy's BFGS or SR1 approximation B, updated in compiled code (see the module docstring).

    Build it with `quasi_newton_hessian`. `update(delta_x, delta_grad)` is
    scipy's `HessianUpdateStrategy.update` on this B, for the tests.
    """
    cdef UpdateFormula formula
    cdef bint damp
    # min_curvature (BFGS) or min_denominator (SR1).
    cdef double threshold
    # The first update scales I by `scale`, or by eq. 6.20 when `auto_scale`, or
    # replaces it by `scale_matrix` when that is not None.
    cdef bint auto_scale
    cdef double scale
    cdef object scale_matrix
    cdef bint started, scaled
    # An update since the last `restart`: restarting again would change nothing.
    cdef bint fresh_information
    cdef double[::1] x_prev, g_prev, delta_x, delta_grad, product, work
    cdef readonly Py_ssize_t n_updates, n_skipped

    cdef int configure(self, object strategy) except -1:
        """Take the formula and the options of scipy's `strategy`; B = I until the first update."""
        cdef Py_ssize_t n = self.n
        self.formula = FORMULA_BFGS if type(strategy) is BFGS else FORMULA_SR1
        if self.formula == FORMULA_BFGS:
            self.damp = strategy.exception_strategy == "damp_update"
            self.threshold = strategy.min_curvature
        else:
            self.threshold = strategy.min_denominator
        scale = initial_scale(strategy, n)
        self.auto_scale = scale is None
        self.scale_matrix = scale if isinstance(scale, np.ndarray) else None
        self.scale = scale if isinstance(scale, float) else 1.0
        # One extra entry keeps the pointers valid at n = 0, as in DenseHessian.
        self.x_prev, self.g_prev = np.zeros(max(n, 1)), np.zeros(max(n, 1))
        self.delta_x, self.delta_grad = np.zeros(max(n, 1)), np.zeros(max(n, 1))
        self.product, self.work = np.zeros(max(n, 1)), np.zeros(max(n, 1))
        set_scaled_identity(self.dense.values, n, 1.0)
        # Trust-region methods also update SR1 with the secant pair of each
        # rejected trial point, at the price of a gradient there, as Conn,
        # Gould & Toint (2000, §8.4) recommend: SR1 needs no positive
        # curvature, and the pair tells most exactly where the model failed.
        # Measured on the classic problems (gtol 1e-5, ∞-norm), SR1 then
        # takes 24 % fewer gradients in all and 40 % fewer values with
        # trust-exact, and dogleg 9× fewer gradients, solving 12 of 13
        # instead of 10; the median count rises (36 to 44 with trust-exact),
        # as easy problems pay a gradient per rejection. BFGS gains nothing
        # (1402 vs 1435 gradients with trust-exact): a rejected step's pair
        # often has sᵀy ≤ 0 and is skipped anyway, so it learns from
        # accepted steps only.
        self.learns_from_trials = self.formula == FORMULA_SR1
        return 0

    cdef int assemble(self, Objective objective, object x_array, const double[::1] grad) except -1:
        """Update B with the step from the last point to `x_array` (none at the first call)."""
        cdef const double* x = objective.point_data(x_array)
        cdef Py_ssize_t i, n = self.n
        if self.started:
            for i in range(n):
                self.delta_x[i] = x[i] - self.x_prev[i]
                self.delta_grad[i] = grad[i] - self.g_prev[i]
            self.update_raw()
        self.started = True
        copy_raw(x, &self.x_prev[0], n)
        copy_raw(&grad[0], &self.g_prev[0], n)
        return 0

    cdef int update_raw(self) except -1:
        """scipy's `FullHessianUpdateStrategy.update` with `delta_x`, `delta_grad`."""
        cdef Py_ssize_t n = self.n
        cdef double* values = self.dense.values
        cdef bint updated
        cdef PyThreadState* gil
        if all_zero(&self.delta_x[0], n):
            return 0
        if all_zero(&self.delta_grad[0], n):
            warnings.warn(_ZERO_GRADIENT_CHANGE, UserWarning, stacklevel=2)
            return 0
        if not self.scaled:
            self.scaled = True
            if self.scale_matrix is not None:
                self.load(self.scale_matrix)
            else:
                set_scaled_identity(values, n, first_step_scale(&self.delta_x[0],
                                                                &self.delta_grad[0], n)
                                    if self.auto_scale else self.scale)
        # The GIL is released for large n only: on a small B, releasing and
        # taking it back cost more than the update itself.
        gil = release_gil_if(self.release_gil)
        if self.formula == FORMULA_BFGS:
            updated = bfgs_update(values, n, &self.delta_x[0], &self.delta_grad[0],
                                  &self.product[0], &self.work[0], self.threshold, self.damp)
        else:
            updated = sr1_update(values, n, &self.delta_x[0], &self.delta_grad[0],
                                 &self.product[0], &self.work[0], self.threshold)
        reacquire_gil(gil)
        if updated:
            self.n_updates += 1
            self.fresh_information = True
        else:
            self.n_skipped += 1
        return 0

    cdef int trial_update(self, const double[::1] x, const double[::1] grad,
                          const double[::1] x_trial, const double[::1] grad_trial) except -1:
        """Update B with the rejected step from `x` to `x_trial`; `x` stays the last point."""
        cdef Py_ssize_t i
        for i in range(self.n):
            self.delta_x[i] = x_trial[i] - x[i]
            self.delta_grad[i] = grad_trial[i] - grad[i]
        return self.update_raw()

    cdef bint restart(self) except -1:
        """B ← (yᵀy/yᵀs)·I from the last step (eq. 6.20), as scipy's BFGS restarts a B that lost
        positive definiteness; False when no update came since the last restart."""
        if not self.fresh_information:
            return False
        self.fresh_information = False
        set_scaled_identity(self.dense.values, self.n,
                            first_step_scale(&self.delta_x[0], &self.delta_grad[0], self.n))
        return True

    def update(self, delta_x, delta_grad):
        """Update B with a step `delta_x` and gradient change `delta_grad` (scipy's `update`)."""
        copy_vector(delta_x, self.delta_x, "delta_x")
        copy_vector(delta_grad, self.delta_grad, "delta_grad")
        self.update_raw()

    def store_into(self, strategy):
        """Leave `strategy` as scipy's own run would: initialized, holding this B.

        scipy initializes and updates the instance it is given; the compiled
        updates ran on a copy of its settings, so the final B goes back in.
        """
        strategy.initialize(self.n, "hess")
        strategy.B = self.to_array()
        strategy.first_iteration = not self.scaled



cdef class StrategyHessian(SecantHessian):
    """Any other `HessianUpdateStrategy`, through its own methods.

    At the first point it calls ``strategy.initialize(n, 'hess')``, at each
    later one ``strategy.update(delta_x, delta_grad)``; a factorizing method
    then loads ``strategy.get_matrix()``, a products-only one multiplies with
    ``strategy.dot(p)`` (and holds no matrix: `to_array` and `as_factorable`
    give None).
    """
    cdef object strategy
    cdef bint products_only
    cdef bint started, fresh_information
    cdef object x_prev, g_prev

    cdef int assemble(self, Objective objective, object x_array, const double[::1] grad) except -1:
        """Initialize or update the strategy with the step to `x_array`; 1 when B is not finite."""
        x = np.array(x_array, dtype=np.float64)
        g = np.array(grad)
        if self.started:
            self.strategy.update(x - self.x_prev, g - self.g_prev)
            self.fresh_information = True
        else:
            self.strategy.initialize(self.n, "hess")
            self.started = True
        self.x_prev, self.g_prev = x, g
        if self.products_only:
            return 0
        return self.load(self.strategy.get_matrix())

    cdef int matvec(self, const double* v, double* out) except -1:
        """B v: `strategy.dot` for a products-only method; 1 when not finite."""
        cdef Py_ssize_t n = self.n
        if not self.products_only:
            return FactorableHessian.matvec(self, v, out)
        return copy_vector_raw(self.strategy.dot(vector_from(v, n)), out, n, "hess.dot(p)")

    cdef bint restart(self) except -1:
        """``strategy.initialize(n, 'hess')`` again, once per update since the last restart."""
        if not self.fresh_information:
            return False
        self.fresh_information = False
        self.strategy.initialize(self.n, "hess")
        if not self.products_only:
            self.load(self.strategy.get_matrix())
        return True

    cpdef object to_array(self):
        return None if self.products_only else self.matrix.to_array()

    cpdef object as_factorable(self, Py_ssize_t max_products):
        return None if self.products_only else self


def quasi_newton_hessian(strategy, Py_ssize_t n, bint products_only):
    """The storage for ``hess=strategy``: compiled for scipy's own BFGS and SR1, else the strategy's methods.

    Only `BFGS` and `SR1` themselves get the compiled updates: a subclass
    may have changed any of their methods.
    """
    cdef QuasiNewtonHessian compiled
    cdef StrategyHessian general
    if type(strategy) is BFGS or type(strategy) is SR1:
        compiled = QuasiNewtonHessian(n)
        compiled.configure(strategy)
        return compiled
    general = StrategyHessian(n)
    general.strategy = strategy
    general.products_only = products_only
    return general
