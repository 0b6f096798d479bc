# The interface every Hessian storage kind implements, so that the drivers and
# the trust-region subproblems are written once for dense, banded and
# product-only Hessians.

from libc.math cimport sqrt

cdef struct CurvatureBounds:
    # Cheap bounds on the spectrum of H, used to bracket the Moré–Sorensen
    # multiplier and to seed the modified Cholesky shift.
    double gershgorin_lower   # min_i (h_ii - sum_{j != i} |h_ij|)
    double gershgorin_upper   # max_i (h_ii + sum_{j != i} |h_ij|)
    double frobenius_norm
    double inf_norm
    double diag_min


cdef inline void add_bounds_row(CurvatureBounds* bounds, Py_ssize_t row, double diagonal,
                                double radius, double offdiagonal_squares) noexcept nogil:
    """Fold one row (its diagonal, Σ|off-diagonal| and Σ off-diagonal²) into `bounds`.

    Start at row 0; `frobenius_norm` holds the sum of squares until
    `finish_bounds` takes its square root.
    """
    if row == 0:
        bounds.gershgorin_lower = diagonal - radius
        bounds.gershgorin_upper = diagonal + radius
        bounds.diag_min = diagonal
        bounds.inf_norm = 0.0
        bounds.frobenius_norm = 0.0
    else:
        bounds.gershgorin_lower = min(bounds.gershgorin_lower, diagonal - radius)
        bounds.gershgorin_upper = max(bounds.gershgorin_upper, diagonal + radius)
        bounds.diag_min = min(bounds.diag_min, diagonal)
    bounds.inf_norm = max(bounds.inf_norm, abs(diagonal) + radius)
    bounds.frobenius_norm += diagonal * diagonal + offdiagonal_squares


cdef inline void finish_bounds(CurvatureBounds* bounds) noexcept nogil:
    bounds.frobenius_norm = sqrt(bounds.frobenius_norm)


cdef class SymmetricMatrix:
    cdef readonly Py_ssize_t n
    # False for storages that only know products (user hessp, sparse matrices).
    cdef readonly bint can_factorize

    cpdef int load(self, object value) except -1
    cdef int matvec(self, const double* v, double* out) except -1
    cdef int factorize(self, double shift) except -1
    cdef void solve(self, double* rhs) noexcept nogil
    cdef void solve_lower(self, double* rhs) noexcept nogil
    cdef void curvature_bounds(self, CurvatureBounds* bounds) noexcept nogil
    cdef double diagonal_min(self) noexcept nogil
    cpdef object to_array(self)


cdef int factorize_modified(SymmetricMatrix hess, double* shift, int* factorizations) except -1

cdef int smallest_curvature_direction(SymmetricMatrix hess, double shift, double[::1] z,
                                      double[::1] product, double* curvature) except -1
cdef bint positive_semidefinite(SymmetricMatrix hess, double tol) except -1
cdef double curvature_tolerance_of(SymmetricMatrix hess) noexcept nogil
cdef bint second_order_point(SymmetricMatrix hess, bint check) except -1
