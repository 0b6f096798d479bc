# The interface every Hessian storage kind implements, so that the drivers and
# the trust-region subproblems are written once for dense, banded and
# product-only Hessians.
from fastnewton._bounds cimport CurvatureBounds
from fastnewton._dense cimport DenseBlock
from fastnewton._banded cimport BandBlock
from fastnewton._trust_steps cimport (StepReport, StepWork, ExactSettings, SecularPoint,
                                      WarmStart)
from fastnewton._objective cimport Objective
from fastnewton._line_search cimport LineSearch
from fastnewton._newton_step cimport NewtonStep


cdef class SymmetricMatrix:
    cdef readonly Py_ssize_t n
    # Set by `preload`: the Hessian at x0 is already held (and whether it was finite).
    cdef bint preloaded
    cdef int preload_result
    # A secant approximation that also learns from rejected trial points (`_quasi_newton`).
    cdef bint learns_from_trials

    cpdef int load(self, object value) except -1
    cpdef int preload(self, object value) except -1
    cdef int assemble_at_start(self, Objective objective, object x_array,
                               const double[::1] grad) except -1
    cdef int assemble(self, Objective objective, object x_array, const double[::1] grad) except -1
    cdef int matvec(self, const double* v, double* out) except -1
    cdef bint second_order_point(self) except -1
    cdef int trial_update(self, const double[::1] x, const double[::1] grad,
                          const double[::1] x_trial, const double[::1] grad_trial) except -1
    cdef bint restart(self) except -1
    cpdef object to_array(self)
    cpdef object as_factorable(self, Py_ssize_t max_products)


cdef class FactorableHessian(SymmetricMatrix):
    # The matrix as one block of its storage kind (see `_blocks`); exactly one
    # of `dense` and `band` is in use, as `banded` says.
    cdef bint banded
    cdef DenseBlock dense
    cdef BandBlock band
    # Large enough that the kernels run with the GIL released.
    cdef bint release_gil

    cdef int factorize(self, double shift) noexcept
    cdef int modified_factorization(self, double* shift, int* factorizations) noexcept
    cdef void solve(self, double* rhs) noexcept
    cdef double curvature_tolerance(self) noexcept
    cdef void curvature_bounds(self, CurvatureBounds* bounds) noexcept
    cdef void exact_step(self, const double* grad, double radius, double* step,
                         StepReport* report, StepWork* work,
                         const ExactSettings* settings, WarmStart warm,
                         const SecularPoint* retry) noexcept
    cdef void dogleg_step(self, const double* grad, double radius, double* step,
                          StepReport* report, StepWork* work) noexcept
    cdef NewtonStep newton_step(self, const double* grad, double f, bint stationary, double c1,
                                double c2, double x_norm, double radius, double* direction,
                                StepWork* work, LineSearch* search, double* shift,
                                int* factorizations) noexcept
    cpdef tuple spectrum(self, double tol, bint extremes)
