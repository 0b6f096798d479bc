# Dense symmetric storage: one column-major n-by-n block (lower triangle
# meaningful) and its kernels. The order n travels beside the block rather
# than in it, so that callers can pass it as a literal (see `_batch`).
from libc.math cimport sqrt, fabs, fmin
from fastnewton._bounds cimport CurvatureBounds, start_bounds, add_bounds_row, finish_bounds
from fastnewton._lapack cimport (lapack_int, cholesky_lower, triangular_solve_lower,
                                 symmetric_matvec_lower)


cdef struct DenseBlock:
    double* values    # H, column-major, lower triangle read
    double* factor    # n-by-n work: the Cholesky factor of the last `shifted_cholesky`


# Kernels on one column-major n-by-n block whose lower triangle holds the
# matrix, over raw pointers: `_blocks` joins them with the band kernels, and
# they run on DenseHessian's storage and on each block of the batched
# solver's (m, n, n) array alike.

cdef enum:
    # Up to this order the plain loops below beat LAPACK/BLAS, whose per-call
    # overhead dominates on tiny matrices (measured: potrf 200 ns vs 160 ns and
    # trsv/symv 50-80 ns vs ~20 ns at n = 10); larger orders go to LAPACK.
    DENSE_SMALL_N = 16


cdef inline lapack_int shifted_cholesky(const double* values, double shift, double* factor,
                                        Py_ssize_t n) noexcept nogil:
    """Cholesky L Lᵀ of values + shift·I into `factor` (left-looking below DENSE_SMALL_N); LAPACK's info."""
    cdef Py_ssize_t i, j, k
    cdef double pivot, total
    for j in range(n):
        for i in range(j, n):
            factor[i + j * n] = values[i + j * n]
        factor[j + j * n] += shift
    if n > DENSE_SMALL_N:
        return cholesky_lower(factor, <lapack_int>n)
    for j in range(n):
        pivot = factor[j + j * n]
        for k in range(j):
            pivot -= factor[j + k * n] * factor[j + k * n]
        if not pivot > 0.0:
            return <lapack_int>(j + 1)
        pivot = sqrt(pivot)
        factor[j + j * n] = pivot
        for i in range(j + 1, n):
            total = factor[i + j * n]
            for k in range(j):
                total -= factor[i + k * n] * factor[j + k * n]
            factor[i + j * n] = total / pivot
    return 0


cdef inline void cholesky_solve(const double* factor, Py_ssize_t n, double* rhs,
                                bint lower_only) noexcept nogil:
    """rhs ← L⁻¹ rhs, and then L⁻ᵀ rhs unless `lower_only`, for the factor of `shifted_cholesky`."""
    cdef Py_ssize_t i, k
    cdef double total
    if n > DENSE_SMALL_N:
        triangular_solve_lower(factor, <lapack_int>n, False, rhs)
        if not lower_only:
            triangular_solve_lower(factor, <lapack_int>n, True, rhs)
        return
    for i in range(n):
        total = rhs[i]
        for k in range(i):
            total -= factor[i + k * n] * rhs[k]
        rhs[i] = total / factor[i + i * n]
    if lower_only:
        return
    for i in range(n - 1, -1, -1):
        total = rhs[i]
        for k in range(i + 1, n):
            total -= factor[k + i * n] * rhs[k]
        rhs[i] = total / factor[i + i * n]


cdef inline void symmetric_matvec(const double* a, Py_ssize_t n, const double* v,
                                  double* out) noexcept nogil:
    """out = A v from the lower triangle of `a`."""
    cdef Py_ssize_t i, j
    if n > DENSE_SMALL_N:
        symmetric_matvec_lower(a, <lapack_int>n, v, out)
        return
    for i in range(n):
        out[i] = a[i + i * n] * v[i]
    for j in range(n):
        for i in range(j + 1, n):
            out[i] += a[i + j * n] * v[j]
            out[j] += a[i + j * n] * v[i]


cdef inline void dense_curvature_bounds(const double* a, Py_ssize_t n,
                                        CurvatureBounds* bounds) noexcept nogil:
    """Gershgorin, ∞-norm and Frobenius bounds of the symmetric matrix in the lower triangle of `a`."""
    cdef Py_ssize_t i, j
    cdef double h, radius, squares
    start_bounds(bounds)
    for i in range(n):
        radius = squares = 0.0
        # Row i of the symmetric matrix: the lower triangle read across, then down.
        for j in range(i):
            h = a[i + j * n]
            radius += fabs(h)
            squares += h * h
        for j in range(i + 1, n):
            h = a[j + i * n]
            radius += fabs(h)
            squares += h * h
        add_bounds_row(bounds, i, a[i + i * n], radius, squares)
    finish_bounds(bounds)


cdef inline double dense_diagonal_min(const double* a, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    cdef double smallest = a[0] if n else 0.0
    for i in range(1, n):
        smallest = fmin(smallest, a[i + i * n])
    return smallest
