# The one place fastnewton touches LAPACK and BLAS. Everything comes from
# scipy's Cython bindings (no BLAS is linked by hand); the integer width of
# those bindings lives behind `lapack_int`, so a move to 64-bit LAPACK
# integers changes this file only.
from scipy.linalg.cython_lapack cimport dpotrf, dpbtrf, dsyevd
from scipy.linalg.cython_blas cimport dsymv, dsbmv, dtrsv, dtbsv

ctypedef int lapack_int


cdef inline lapack_int cholesky_lower(double* a, lapack_int n) noexcept nogil:
    """Factor the column-major n-by-n array `a` as L Lᵀ in place (lower triangle).

    Returns LAPACK's info: 0 on success, k > 0 when the leading minor of
    order k is not positive definite.
    """
    cdef char uplo = b'L'
    cdef lapack_int lda = n if n > 0 else 1
    cdef lapack_int info = 0
    dpotrf(&uplo, &n, a, &lda, &info)
    return info


cdef inline void triangular_solve_lower(const double* factor, lapack_int n, bint transpose,
                                       double* rhs) noexcept nogil:
    """Overwrite `rhs` with L⁻¹ rhs (or L⁻ᵀ rhs) for the lower factor L from `cholesky_lower`."""
    cdef char uplo = b'L', trans = b'T' if transpose else b'N', diag = b'N'
    cdef lapack_int lda = n if n > 0 else 1
    cdef lapack_int inc = 1
    dtrsv(&uplo, &trans, &diag, &n, <double*>factor, &lda, rhs, &inc)


cdef inline void symmetric_matvec_lower(const double* a, lapack_int n, const double* v, double* out) noexcept nogil:
    """out = A v, reading only the lower triangle of the column-major `a`."""
    cdef char uplo = b'L'
    cdef lapack_int lda = n if n > 0 else 1
    cdef lapack_int inc = 1
    cdef double one = 1.0, zero = 0.0
    dsymv(&uplo, &n, &one, <double*>a, &lda, <double*>v, &inc, &zero, out, &inc)


cdef inline lapack_int band_cholesky_lower(double* ab, lapack_int n, lapack_int bandwidth) noexcept nogil:
    """Factor the symmetric band matrix in LAPACK lower band storage `ab` ((b+1)-by-n, column-major) in place.

    Returns LAPACK's info as for `cholesky_lower`.
    """
    cdef char uplo = b'L'
    cdef lapack_int ldab = bandwidth + 1
    cdef lapack_int info = 0
    dpbtrf(&uplo, &n, &bandwidth, ab, &ldab, &info)
    return info


cdef inline void band_triangular_solve_lower(const double* factor, lapack_int n,
                                             lapack_int bandwidth, bint transpose,
                                             double* rhs) noexcept nogil:
    """Overwrite `rhs` with L⁻¹ rhs (or L⁻ᵀ rhs) for the band factor from `band_cholesky_lower`."""
    cdef char uplo = b'L', trans = b'T' if transpose else b'N', diag = b'N'
    cdef lapack_int ldab = bandwidth + 1
    cdef lapack_int inc = 1
    dtbsv(&uplo, &trans, &diag, &n, &bandwidth, <double*>factor, &ldab, rhs, &inc)


cdef inline void band_cholesky_solve_lower(const double* factor, lapack_int n, lapack_int bandwidth,
                                           double* rhs) noexcept nogil:
    """Overwrite `rhs` with (L Lᵀ)⁻¹ rhs for the factor from `band_cholesky_lower`."""
    band_triangular_solve_lower(factor, n, bandwidth, False, rhs)
    band_triangular_solve_lower(factor, n, bandwidth, True, rhs)


cdef inline void band_symmetric_matvec_lower(const double* ab, lapack_int n, lapack_int bandwidth,
                                             const double* v, double* out) noexcept nogil:
    """out = A v for A in LAPACK lower band storage."""
    cdef char uplo = b'L'
    cdef lapack_int ldab = bandwidth + 1
    cdef lapack_int inc = 1
    cdef double one = 1.0, zero = 0.0
    dsbmv(&uplo, &n, &bandwidth, &one, <double*>ab, &ldab, <double*>v, &inc, &zero, out, &inc)


cdef inline lapack_int symmetric_eigenvalues_lower(double* a, lapack_int n, double* eigenvalues,
                                                   double* work, lapack_int lwork) noexcept nogil:
    """Eigenvalues (ascending) of the column-major `a` from its lower triangle; `a` is destroyed.

    `work` needs 2n + 1 entries (divide and conquer without eigenvectors).
    Returns LAPACK's info.
    """
    cdef char jobz = b'N', uplo = b'L'
    cdef lapack_int lda = n if n > 0 else 1
    cdef lapack_int iwork = 0, liwork = 1, info = 0
    dsyevd(&jobz, &uplo, &n, a, &lda, eigenvalues, work, &lwork, &iwork, &liwork, &info)
    return info
