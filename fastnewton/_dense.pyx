"""Dense symmetric Hessian storage: an n-by-n column-major block for `_blocks`."""

import numpy as np
from scipy.sparse import issparse
from scipy.sparse.linalg import LinearOperator

from libc.math cimport isfinite
from cpython.buffer cimport PyBuffer_Release
from fastnewton._hessian cimport FactorableHessian
from fastnewton._objective cimport Objective, HESSIAN_CALLABLE, float64_buffer
from fastnewton._curvature import dense_eigenvalues

# Below this order a factorization, product or copy takes less time than
# releasing and re-taking the GIL, so small problems keep it.
cdef Py_ssize_t NOGIL_MIN_N = 64


cdef bint copy_lower_checked(const double[:, :] source, double[::1, :] dest,
                             Py_ssize_t n) noexcept nogil:
    """Copy the lower triangle of `source` (n-by-n, any strides) into `dest`; False if any value is not finite."""
    cdef Py_ssize_t i, j
    cdef bint finite = True
    for j in range(n):
        for i in range(j, n):
            dest[i, j] = source[i, j]
            finite = finite and isfinite(source[i, j])
    return finite


cdef int copy_float64_matrix(object value, double[::1, :] dest, Py_ssize_t n) except -2:
    """`DenseHessian.load`'s common case on a small matrix (`_objective.float64_buffer`), a
    float64 (n, n) array: 0, or 1 if not finite; −1 for any other value. (A large one is
    copied by `load` without the GIL, where a typed memoryview costs nothing that counts.)
    """
    cdef Py_buffer buffer
    cdef Py_ssize_t i, j, row_stride, column_stride
    cdef const char* data
    cdef bint finite = True
    if not float64_buffer(value, &buffer, 2):
        return -1
    try:
        if buffer.shape[0] != n or buffer.shape[1] != n:
            return -1
        data = <const char*>buffer.buf
        row_stride = buffer.strides[0]
        column_stride = buffer.strides[1]
        for j in range(n):
            for i in range(j, n):
                dest[i, j] = (<const double*>(data + i * row_stride + j * column_stride))[0]
                finite = finite and isfinite(dest[i, j])
    finally:
        PyBuffer_Release(&buffer)
    return 0 if finite else 1


cdef class DenseHessian(FactorableHessian):
    """A dense symmetric Hessian, n-by-n, held column-major for LAPACK.

    Only the lower triangle of what it is given is read.
    """
    cdef double[::1, :] values
    cdef double[::1, :] factor

    def __cinit__(self, Py_ssize_t n):
        self.n = n
        self.banded = False
        self.release_gil = n >= NOGIL_MIN_N
        # One extra entry keeps the block pointers valid at n = 0.
        self.values = np.zeros((max(n, 1), max(n, 1)), order="F")
        self.factor = np.zeros((max(n, 1), max(n, 1)), order="F")
        self.dense.values = &self.values[0, 0]
        self.dense.factor = &self.factor[0, 0]

    cpdef int load(self, object value) except -1:
        """Copy a user Hessian into storage; returns 1 when it holds non-finite values."""
        cdef const double[:, :] view
        cdef bint finite
        cdef int copied
        if not self.release_gil:
            copied = copy_float64_matrix(value, self.values, self.n)
            if copied >= 0:
                return copied
        try:
            # The common case, a float64 matrix, needs no conversion at all.
            view = value
        except (TypeError, ValueError, BufferError):
            view = self.as_matrix(value)
        if view.shape[0] != self.n or view.shape[1] != self.n:
            view = self.as_matrix(value)
        if self.release_gil:
            with nogil:
                finite = copy_lower_checked(view, self.values, self.n)
        else:
            finite = copy_lower_checked(view, self.values, self.n)
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

    cdef int assemble(self, Objective objective, object x_array, const double[::1] grad) except -1:
        """The Hessian at `x_array` (gradient `grad`): the user's, or by differences; 1 when not finite."""
        if objective.hessian_source == HESSIAN_CALLABLE:
            return self.load(objective.user_hessian(x_array))
        return objective.dense_fd_hessian(x_array, grad, self.dense.values)

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

    cpdef tuple spectrum(self, double tol, bint extremes):
        """All eigenvalues (LAPACK syevd): the inertia against `tol` and the extremes."""
        cdef Py_ssize_t n = self.n, negative, positive
        eigenvalues = dense_eigenvalues(self.values[:n, :n])
        negative = int(np.count_nonzero(eigenvalues < -tol))
        positive = int(np.count_nonzero(eigenvalues > tol))
        return (negative, n - positive - negative, positive, eigenvalues[0], eigenvalues[n - 1],
                "eigenvalues")
