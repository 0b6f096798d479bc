"""Dense symmetric Hessian storage: Cholesky (LAPACK above 16 variables), products, Gershgorin bounds."""

import numpy as np
from scipy.sparse import issparse
from scipy.sparse.linalg import LinearOperator

from libc.math cimport fabs, sqrt, fmin, fmax, isfinite
from fastnewton._hessian cimport add_bounds_row, finish_bounds
from fastnewton._lapack cimport (lapack_int, cholesky_lower, cholesky_solve_lower,
                                 triangular_solve_lower, symmetric_matvec_lower)

# Below this order a factorization, product or copy takes less time than
# releasing and re-taking the GIL, so small problems keep it.
cdef Py_ssize_t NOGIL_MIN_N = 64


cdef bint copy_lower_checked(const double[:, :] source, double[::1, :] dest) noexcept nogil:
    """Copy the lower triangle of `source` (any strides) into `dest`; False if any value is not finite."""
    cdef Py_ssize_t n = dest.shape[0], i, j
    cdef bint finite = True
    for j in range(n):
        for i in range(j, n):
            dest[i, j] = source[i, j]
            finite = finite and isfinite(source[i, j])
    return finite


# Up to this order the plain loops below beat LAPACK/BLAS, whose per-call
# overhead dominates on tiny matrices (measured: potrf 200 ns vs 160 ns and
# trsv/symv 50-80 ns vs ~20 ns at n = 10); larger orders go to LAPACK.
cdef Py_ssize_t SMALL_N = 16


cdef lapack_int small_cholesky(double[::1, :] a) noexcept nogil:
    """In-place L Lᵀ of the lower triangle of a small matrix (left-looking); info as LAPACK's."""
    cdef Py_ssize_t n = a.shape[0], i, j, k
    cdef double pivot, total
    for j in range(n):
        pivot = a[j, j]
        for k in range(j):
            pivot -= a[j, k] * a[j, k]
        if not pivot > 0.0:
            return <lapack_int>(j + 1)
        pivot = sqrt(pivot)
        a[j, j] = pivot
        for i in range(j + 1, n):
            total = a[i, j]
            for k in range(j):
                total -= a[i, k] * a[j, k]
            a[i, j] = total / pivot
    return 0


cdef void small_solve(const double[::1, :] factor, double* rhs, bint lower_only) noexcept nogil:
    """rhs ← L⁻¹ rhs, and then L⁻ᵀ rhs unless `lower_only`."""
    cdef Py_ssize_t n = factor.shape[0], i, k
    cdef double total
    for i in range(n):
        total = rhs[i]
        for k in range(i):
            total -= factor[i, k] * rhs[k]
        rhs[i] = total / factor[i, i]
    if lower_only:
        return
    for i in range(n - 1, -1, -1):
        total = rhs[i]
        for k in range(i + 1, n):
            total -= factor[k, i] * rhs[k]
        rhs[i] = total / factor[i, i]


cdef void small_symmetric_matvec(const double[::1, :] a, const double* v, double* out) noexcept nogil:
    """out = A v from the lower triangle of a small matrix."""
    cdef Py_ssize_t n = a.shape[0], i, j
    for i in range(n):
        out[i] = a[i, i] * v[i]
    for j in range(n):
        for i in range(j + 1, n):
            out[i] += a[i, j] * v[j]
            out[j] += a[i, j] * v[i]


cdef lapack_int shifted_cholesky(const double[::1, :] values, double shift,
                                 double[::1, :] factor) noexcept nogil:
    """Cholesky of values + shift·I into `factor`; LAPACK's info (0: positive definite)."""
    cdef Py_ssize_t n = values.shape[0], i, j
    for j in range(n):
        for i in range(j, n):
            factor[i, j] = values[i, j]
        factor[j, j] += shift
    if n <= SMALL_N:
        return small_cholesky(factor)
    return cholesky_lower(&factor[0, 0], <lapack_int>n)


cdef class DenseHessian(SymmetricMatrix):
    """A dense symmetric Hessian, n-by-n, held column-major for LAPACK."""

    def __cinit__(self, Py_ssize_t n):
        self.n = n
        self.can_factorize = True
        self.values_array = np.zeros((n, n), order="F")
        self.values = self.values_array
        self.factor = np.zeros((n, n), order="F")

    cpdef int load(self, object value) except -1:
        """Copy a user Hessian into storage; returns 1 when it holds non-finite values."""
        cdef const double[:, :] view
        cdef bint finite
        try:
            # The common case, a float64 matrix, needs no conversion at all.
            view = value
        except (TypeError, ValueError, BufferError):
            view = self.as_matrix(value)
        if view.shape[0] != self.n or view.shape[1] != self.n:
            view = self.as_matrix(value)
        if self.n >= NOGIL_MIN_N:
            with nogil:
                finite = copy_lower_checked(view, self.values)
        else:
            finite = copy_lower_checked(view, self.values)
        return 0 if finite else 1

    cdef object as_matrix(self, object value):
        """`value` as a float64 (n, n) array, or a clear error saying what was expected."""
        if issparse(value) or isinstance(value, LinearOperator):
            raise TypeError(
                "hess returned a %s, but this method factorizes the Hessian and "
                "needs a dense ndarray of shape (%d, %d); return a dense array "
                "(e.g. .toarray()), or use method='trust-ncg', which needs only "
                "products" % (type(value).__name__, self.n, self.n))
        array = np.asarray(value, dtype=np.float64)
        if array.shape != (self.n, self.n):
            if self.n == 1 and array.size == 1:
                return array.reshape(1, 1)
            raise ValueError("hess must return an array of shape (%d, %d), got shape %s"
                             % (self.n, self.n, array.shape))
        return array

    cdef void symmetrize_from_columns(self) noexcept nogil:
        """Average H and Hᵀ into the lower triangle (finite-difference columns are not symmetric)."""
        cdef Py_ssize_t n = self.n, i, j
        for j in range(n):
            for i in range(j + 1, n):
                self.values[i, j] = 0.5 * (self.values[i, j] + self.values[j, i])

    cdef int matvec(self, const double* v, double* out) except -1:
        if self.n <= SMALL_N:
            small_symmetric_matvec(self.values, v, out)
        elif self.n >= NOGIL_MIN_N:
            with nogil:
                symmetric_matvec_lower(&self.values[0, 0], <lapack_int>self.n, v, out)
        else:
            symmetric_matvec_lower(&self.values[0, 0], <lapack_int>self.n, v, out)
        return 0

    cdef int factorize(self, double shift) except -1:
        cdef lapack_int info
        if self.n == 0:
            return 0
        if self.n >= NOGIL_MIN_N:
            with nogil:
                info = shifted_cholesky(self.values, shift, self.factor)
        else:
            info = shifted_cholesky(self.values, shift, self.factor)
        return info

    cdef void solve(self, double* rhs) noexcept nogil:
        if self.n <= SMALL_N:
            small_solve(self.factor, rhs, False)
        else:
            cholesky_solve_lower(&self.factor[0, 0], <lapack_int>self.n, rhs)

    cdef void solve_lower(self, double* rhs) noexcept nogil:
        if self.n <= SMALL_N:
            small_solve(self.factor, rhs, True)
        else:
            triangular_solve_lower(&self.factor[0, 0], <lapack_int>self.n, False, rhs)

    cdef void curvature_bounds(self, CurvatureBounds* bounds) noexcept nogil:
        cdef Py_ssize_t n = self.n, i, j
        cdef double h, radius, squares
        bounds.gershgorin_lower = bounds.gershgorin_upper = bounds.diag_min = 0.0
        bounds.inf_norm = bounds.frobenius_norm = 0.0
        for i in range(n):
            radius = squares = 0.0
            # Row i of the symmetric matrix: the lower triangle read across, then down.
            for j in range(i):
                h = self.values[i, j]
                radius += fabs(h)
                squares += h * h
            for j in range(i + 1, n):
                h = self.values[j, i]
                radius += fabs(h)
                squares += h * h
            add_bounds_row(bounds, i, self.values[i, i], radius, squares)
        finish_bounds(bounds)

    cdef double diagonal_min(self) noexcept nogil:
        cdef Py_ssize_t i
        cdef double smallest = self.values[0, 0] if self.n else 0.0
        for i in range(1, self.n):
            smallest = fmin(smallest, self.values[i, i])
        return smallest

    cpdef object to_array(self):
        """A new C-ordered symmetric ndarray holding H."""
        cdef Py_ssize_t n = self.n, i, j
        full = np.empty((n, n))
        cdef double[:, ::1] out = full
        for j in range(n):
            for i in range(j, n):
                out[i, j] = self.values[i, j]
                out[j, i] = self.values[i, j]
        return full
