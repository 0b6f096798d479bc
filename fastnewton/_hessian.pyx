"""The Hessian storage interface, and the factorizing storages' dispatch to `_blocks`.

`SymmetricMatrix` is what every driver sees: load a user value, assemble at a
point, multiply, copy out. `FactorableHessian` adds the factorizations and
the trust-region steps; it holds its matrix as a dense or a band block and
runs the one copy of each algorithm (`_blocks`, `_trust_steps`) on it,
without the GIL when the matrix is large.
"""

cimport fastnewton._blocks as blocks
cimport fastnewton._trust_steps as steps
cimport fastnewton._newton_step as newton
from fastnewton._gil cimport PyThreadState, release_gil_if, reacquire_gil


cdef class SymmetricMatrix:
    """A symmetric n-by-n matrix as the solvers see it.

    Subclasses implement `load` (copy and validate a value returned by the
    user's `hess`), `assemble` (the Hessian at a point, from the objective),
    `matvec` and `to_array` (a copy for the user).
    """

    cpdef int load(self, object value) except -1:
        raise NotImplementedError

    cpdef int preload(self, object value) except -1:
        """Load `value` as the Hessian at x0, which the start then takes instead of assembling it.

        The bandwidth probe forms the band at x0 before the driver starts;
        holding it saves forming it twice (2b + 1 gradient calls for a
        finite-difference band, one call of an analytic `hess`). Returns
        `load`'s result.
        """
        self.preload_result = self.load(value)
        self.preloaded = True
        return self.preload_result

    cdef int assemble_at_start(self, Objective objective, object x_array,
                               const double[::1] grad) except -1:
        """`assemble` at x0, unless `preload` already gave the Hessian there."""
        if self.preloaded:
            self.preloaded = False
            return self.preload_result
        return self.assemble(objective, x_array, grad)

    cdef int assemble(self, Objective objective, object x_array, const double[::1] grad) except -1:
        raise NotImplementedError

    cdef int matvec(self, const double* v, double* out) except -1:
        raise NotImplementedError

    cdef bint second_order_point(self) except -1:
        """False when H has curvature below −tol (see `curvature_tolerance`).

        A matrix known only through products cannot tell, and says True.
        """
        return True

    cdef int trial_update(self, const double[::1] x, const double[::1] grad,
                          const double[::1] x_trial, const double[::1] grad_trial) except -1:
        """Learn from a rejected trial point; only when `learns_from_trials` (secant approximations)."""
        return 0

    cdef bint restart(self) except -1:
        """Start afresh after the matrix gave no usable step; False when there is nothing to restart.

        Only a secant approximation (`_quasi_newton`) can: the true Hessian
        at a point is what it is.
        """
        return False

    cpdef object to_array(self):
        raise NotImplementedError

    cpdef object as_factorable(self, Py_ssize_t max_products):
        """This matrix as a FactorableHessian (for a certificate), or None when it would
        cost more than `max_products` products."""
        raise NotImplementedError


cdef class FactorableHessian(SymmetricMatrix):
    """A Hessian held as a dense or band block: factorizations and steps over `_blocks`.

    Subclasses point `dense` or `band` at their memory, and implement `load`,
    `assemble`, `to_array` and `spectrum`. Each method below runs one
    function of `_blocks` or `_trust_steps` on that block, with the GIL
    released when the matrix is large (`release_gil`).
    """

    cdef int matvec(self, const double* v, double* out) except -1:
        cdef PyThreadState* gil = release_gil_if(self.release_gil)
        if self.banded:
            blocks.matvec(&self.band, self.n, v, out)
        else:
            blocks.matvec(&self.dense, self.n, v, out)
        reacquire_gil(gil)
        return 0

    cdef int factorize(self, double shift) noexcept:
        """Factor H + shift·I (kept for `solve`); 0 when positive definite."""
        cdef int info
        cdef PyThreadState* gil = release_gil_if(self.release_gil)
        if self.banded:
            info = blocks.factorize(&self.band, self.n, shift)
        else:
            info = blocks.factorize(&self.dense, self.n, shift)
        reacquire_gil(gil)
        return info

    cdef int modified_factorization(self, double* shift, int* factorizations) noexcept:
        """`_blocks.modified_cholesky`: factor H + τI, τ ≥ 0 as small as doubling finds; 1 if it failed."""
        cdef int failed
        cdef PyThreadState* gil = release_gil_if(self.release_gil)
        if self.banded:
            failed = blocks.modified_cholesky(&self.band, self.n, shift, factorizations)
        else:
            failed = blocks.modified_cholesky(&self.dense, self.n, shift, factorizations)
        reacquire_gil(gil)
        return failed

    cdef void solve(self, double* rhs) noexcept:
        """rhs ← (H + shift·I)⁻¹ rhs with the factor of the last successful factorization."""
        cdef PyThreadState* gil = release_gil_if(self.release_gil)
        if self.banded:
            blocks.solve(&self.band, self.n, rhs)
        else:
            blocks.solve(&self.dense, self.n, rhs)
        reacquire_gil(gil)

    cdef double curvature_tolerance(self) noexcept:
        """√ε·‖H‖∞ (see fastnewton.CriticalPoint.tol): curvature within it of zero counts as zero."""
        if self.banded:
            return blocks.curvature_tolerance(&self.band, self.n)
        return blocks.curvature_tolerance(&self.dense, self.n)

    cdef void curvature_bounds(self, CurvatureBounds* bounds) noexcept:
        if self.banded:
            blocks.curvature_bounds(&self.band, self.n, bounds)
        else:
            blocks.curvature_bounds(&self.dense, self.n, bounds)

    cdef bint second_order_point(self) except -1:
        """No curvature below −tol: H + tol·I factors (the factor is overwritten)."""
        cdef bint holds
        cdef PyThreadState* gil = release_gil_if(self.release_gil)
        if self.banded:
            holds = blocks.second_order_point(&self.band, self.n)
        else:
            holds = blocks.second_order_point(&self.dense, self.n)
        reacquire_gil(gil)
        return holds

    cdef void exact_step(self, const double* grad, double radius, double* step,
                         StepReport* report, StepWork* work,
                         const ExactSettings* settings, WarmStart warm,
                         const SecularPoint* retry) noexcept:
        """`_trust_steps.more_sorensen_step` on this matrix."""
        cdef PyThreadState* gil = release_gil_if(self.release_gil)
        if self.banded:
            steps.more_sorensen_step(&self.band, self.n, grad, radius, step, report, work,
                                     settings, warm, retry)
        else:
            steps.dense_more_sorensen_step(&self.dense, self.n, grad, radius, step, report, work,
                                           settings, warm, retry)
        reacquire_gil(gil)

    cdef void dogleg_step(self, const double* grad, double radius, double* step,
                          StepReport* report, StepWork* work) noexcept:
        """`_trust_steps.dogleg_step` on this matrix."""
        cdef PyThreadState* gil = release_gil_if(self.release_gil)
        if self.banded:
            steps.dogleg_step(&self.band, self.n, grad, radius, step, report, work)
        else:
            steps.dogleg_step(&self.dense, self.n, grad, radius, step, report, work)
        reacquire_gil(gil)

    cdef NewtonStep newton_step(self, const double* grad, double f, bint stationary, double c1,
                                double c2, double x_norm, double radius, double* direction,
                                StepWork* work, LineSearch* search, double* shift,
                                int* factorizations) noexcept:
        """`_newton_step.newton_step` on this matrix."""
        cdef NewtonStep outcome
        cdef PyThreadState* gil = release_gil_if(self.release_gil)
        if self.banded:
            outcome = newton.newton_step(&self.band, self.n, grad, f, stationary, c1, c2,
                                         x_norm, radius, direction, work, search, shift,
                                         factorizations)
        else:
            outcome = newton.newton_step(&self.dense, self.n, grad, f, stationary, c1, c2,
                                         x_norm, radius, direction, work, search, shift,
                                         factorizations)
        reacquire_gil(gil)
        return outcome

    cpdef object as_factorable(self, Py_ssize_t max_products):
        return self

    cpdef tuple spectrum(self, double tol, bint extremes):
        """(n_negative, n_zero, n_positive, smallest, largest, method) of H against `tol`.

        The extreme eigenvalues are NaN unless `extremes` (or free).
        """
        raise NotImplementedError
