"""Dense symmetric Hessian storage: Cholesky (LAPACK above 16 variables), products, Gershgorin bounds."""

import numpy as np
from scipy.sparse import issparse
from scipy.sparse.linalg import LinearOperator

from libc.math cimport fabs, sqrt, fmin, fmax, isfinite
from fastnewton._lapack cimport lapack_int

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
        if self.n == 0:
            return 0
        if self.n >= NOGIL_MIN_N:
            with nogil:
                symmetric_matvec(&self.values[0, 0], self.n, v, out)
        else:
            symmetric_matvec(&self.values[0, 0], self.n, v, out)
        return 0

    cdef int factorize(self, double shift) except -1:
        cdef lapack_int info
        if self.n == 0:
            return 0
        if self.n >= NOGIL_MIN_N:
            with nogil:
                info = shifted_cholesky(&self.values[0, 0], shift, &self.factor[0, 0], self.n)
        else:
            info = shifted_cholesky(&self.values[0, 0], shift, &self.factor[0, 0], self.n)
        return info

    cdef void solve(self, double* rhs) noexcept nogil:
        if self.n > 0:
            cholesky_solve(&self.factor[0, 0], self.n, rhs, False)

    cdef void solve_lower(self, double* rhs) noexcept nogil:
        if self.n > 0:
            cholesky_solve(&self.factor[0, 0], self.n, rhs, True)

    # (n = 0 never reaches the kernels: &values[0, 0] would fail the debug build's bounds check.)
    cdef void curvature_bounds(self, CurvatureBounds* bounds) noexcept nogil:
        if self.n > 0:
            dense_curvature_bounds(&self.values[0, 0], self.n, bounds)
        else:
            bounds.gershgorin_lower = bounds.gershgorin_upper = bounds.diag_min = 0.0
            bounds.inf_norm = bounds.frobenius_norm = 0.0

    cdef double diagonal_min(self) noexcept nogil:
        return dense_diagonal_min(&self.values[0, 0], self.n) if self.n > 0 else 0.0

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
