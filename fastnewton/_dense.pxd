from fastnewton._hessian cimport SymmetricMatrix, CurvatureBounds

cdef class DenseHessian(SymmetricMatrix):
    # Column-major (Fortran) n-by-n; only the lower triangle is meaningful.
    cdef double[::1, :] values
    # Cholesky factor of values + shift·I from the last successful `factorize`.
    cdef double[::1, :] factor
    cdef object values_array

    cdef object as_matrix(self, object value)
    cdef void symmetrize_from_columns(self) noexcept nogil
