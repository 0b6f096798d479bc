from fastnewton._hessian cimport SymmetricMatrix, CurvatureBounds

cdef class BandedHessian(SymmetricMatrix):
    # LAPACK lower band storage, column-major (b+1)-by-n: values[i - j, j] = H[i, j].
    cdef readonly Py_ssize_t bandwidth
    cdef double[::1, :] values
    # The factor of values + shift·I from the last `factorize`: for b ≤ 8,
    # unit L below the diagonal and 1/d on it (L D Lᵀ); beyond, LAPACK's L.
    cdef double[::1, :] factor
    cdef double[::1] pivots
    cdef bint has_factor
    cdef void matvec_kernel(self, const double* v, double* out) noexcept nogil
