from fastnewton._hessian cimport SymmetricMatrix, FactorableHessian


cdef class ReducedHessian(FactorableHessian):
    cdef FactorableHessian parent
    cdef object values_array, factor_array, pivots_array
    cdef void gather_free(self, const Py_ssize_t* index, Py_ssize_t count) noexcept
    cdef void add_diagonal(self, const double* diagonal) noexcept


cdef class MaskedProducts(SymmetricMatrix):
    cdef SymmetricMatrix parent
    cdef object padded_array
    cdef double* padded
    cdef unsigned char[::1] free
    cdef void mark_free(self, const Py_ssize_t* index, Py_ssize_t count) noexcept
