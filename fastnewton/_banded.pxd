# Symmetric band storage: LAPACK's lower band layout, column-major
# (b+1)-by-n, values[k + j·(b+1)] = H[j + k, j], and its kernels over raw
# pointers (`_blocks` joins them with the dense kernels; they run on
# BandedHessian's storage and on each band of a batch alike).
#
# Up to NARROW_BAND the compiled loops below beat LAPACK's pbtrf, pbtrs and
# sbmv, which call BLAS once per column (measured: 3-4x at b = 1-2,
# n = 10⁶); wider bands go to LAPACK's blocked code. Narrow bands are
# factored as L D Lᵀ (unit L) with the reciprocal pivots kept, so the
# solves, whose columns depend on each other, chain multiplications rather
# than divisions and square roots.
from libc.math cimport sqrt, fabs
from fastnewton._bounds cimport CurvatureBounds, start_bounds, add_bounds_row, finish_bounds
from fastnewton._lapack cimport (lapack_int, band_cholesky_lower, band_cholesky_solve_lower,
                                 band_triangular_solve_lower, band_symmetric_matvec_lower)

cdef enum:
    NARROW_BAND = 8


cdef struct BandBlock:
    double* values       # (b+1)-by-n lower band storage
    double* factor       # (b+1)-by-n: for b ≤ NARROW_BAND, unit L below the diagonal
                         # and 1/d on it (L D Lᵀ); beyond, LAPACK's L
    double* pivots       # n: the pivots d of the L D Lᵀ factorization
    Py_ssize_t bandwidth


cdef inline lapack_int narrow_band_ldlt(double* factor, double* pivots, Py_ssize_t b,
                                        Py_ssize_t n) noexcept nogil:
    """In place: factor[k, j] ← L[j+k, j] (k ≥ 1), factor[0, j] ← 1/d_j; info as LAPACK's.

    A positive definite band matrix has an L D Lᵀ factorization with d > 0
    without pivoting; a non-positive pivot means the matrix is not positive
    definite, as in LAPACK's Cholesky.
    """
    cdef Py_ssize_t rows = b + 1, i, j, k
    cdef double pivot, inverse, total, entry
    for j in range(n):
        pivot = factor[j * rows]
        for k in range(1, min(b, j) + 1):
            entry = factor[k + (j - k) * rows]
            pivot -= entry * entry * pivots[j - k]
        if not pivot > 0.0:
            return <lapack_int>(j + 1)
        pivots[j] = pivot
        inverse = 1.0 / pivot
        factor[j * rows] = inverse
        for i in range(1, min(b, n - 1 - j) + 1):
            # L[j+i, j] = (A[j+i, j] - Σ_k L[j+i, j-k] d_{j-k} L[j, j-k]) / d_j
            total = factor[i + j * rows]
            for k in range(1, min(b - i, j) + 1):
                total -= factor[i + k + (j - k) * rows] * factor[k + (j - k) * rows] * pivots[j - k]
            factor[i + j * rows] = total * inverse
    return 0


cdef inline void narrow_band_solve(const double* factor, Py_ssize_t b, Py_ssize_t n, double* rhs,
                                   bint lower_only) noexcept nogil:
    """rhs ← (L D Lᵀ)⁻¹ rhs, or with `lower_only` the Cholesky factor's (L D^½)⁻¹ rhs."""
    cdef Py_ssize_t rows = b + 1, j, k
    cdef double total
    for j in range(n):
        total = rhs[j]
        for k in range(1, min(b, j) + 1):
            total -= factor[k + (j - k) * rows] * rhs[j - k]
        rhs[j] = total
    if lower_only:
        for j in range(n):
            rhs[j] *= sqrt(factor[j * rows])
        return
    for j in range(n):
        rhs[j] *= factor[j * rows]
    for j in range(n - 1, -1, -1):
        total = rhs[j]
        for k in range(1, min(b, n - 1 - j) + 1):
            total -= factor[k + j * rows] * rhs[j + k]
        rhs[j] = total


cdef inline void narrow_band_matvec(const double* values, Py_ssize_t b, Py_ssize_t n,
                                    const double* v, double* out) noexcept nogil:
    """out = H v for H in lower band storage."""
    cdef Py_ssize_t rows = b + 1, j, k
    for j in range(n):
        out[j] = values[j * rows] * v[j]
    for k in range(1, b + 1):
        for j in range(n - k):
            out[j + k] += values[k + j * rows] * v[j]
            out[j] += values[k + j * rows] * v[j + k]


# Tridiagonal and pentadiagonal bands (the commonest: chains and 1-D
# discretizations) get their own loops. A factorization or solve is one long
# recurrence, so its speed is the latency of the chain from one row to the
# next: these keep the previous rows in registers rather than storing and
# reloading them, and in the factorization the next pivot depends on this
# one through a single division, d_{j+1} = a_{j+1} − c_j² / d_j.

cdef inline lapack_int tridiagonal_ldlt(const double* values, double shift, double* factor,
                                        double* pivots, Py_ssize_t n) noexcept nogil:
    """L D Lᵀ of a (b = 1) band + shift·I, stored as `narrow_band_ldlt` stores it."""
    cdef Py_ssize_t j
    cdef double pivot, inverse, coupling, carried = 0.0
    for j in range(n):
        pivot = values[2 * j] + shift - carried
        if not pivot > 0.0:
            return <lapack_int>(j + 1)
        pivots[j] = pivot
        inverse = 1.0 / pivot
        factor[2 * j] = inverse
        coupling = values[2 * j + 1] if j + 1 < n else 0.0
        factor[2 * j + 1] = coupling * inverse
        # Divided directly (not times `inverse`): the next pivot then waits
        # on one division, not a division and two products.
        carried = coupling * coupling / pivot
    return 0


cdef inline void tridiagonal_solve(const double* factor, double* rhs, Py_ssize_t n) noexcept nogil:
    """rhs ← (L D Lᵀ)⁻¹ rhs for the factor of `tridiagonal_ldlt`."""
    cdef Py_ssize_t j
    cdef double previous = 0.0
    for j in range(n):
        # Forward with L, keeping L⁻¹ rhs in `previous`; store D⁻¹ L⁻¹ rhs.
        previous = rhs[j] - (factor[2 * j - 1] * previous if j > 0 else 0.0)
        rhs[j] = previous * factor[2 * j]
    previous = 0.0
    for j in range(n - 1, -1, -1):
        previous = rhs[j] - factor[2 * j + 1] * previous
        rhs[j] = previous


cdef inline lapack_int pentadiagonal_ldlt(const double* values, double shift, double* factor,
                                          double* pivots, Py_ssize_t n) noexcept nogil:
    """L D Lᵀ of a (b = 2) band + shift·I, stored as `narrow_band_ldlt` stores it."""
    cdef Py_ssize_t j
    cdef double pivot, inverse, near, far
    # Carried from the two previous columns: their pivots, L[j, j-1], L[j, j-2]
    # and L[j+1, j-1].
    cdef double pivot_1 = 0.0, pivot_2 = 0.0, l_j_1 = 0.0, l_j_2 = 0.0, l_next_1 = 0.0
    for j in range(n):
        pivot = values[3 * j] + shift - l_j_1 * l_j_1 * pivot_1 - l_j_2 * l_j_2 * pivot_2
        if not pivot > 0.0:
            return <lapack_int>(j + 1)
        pivots[j] = pivot
        inverse = 1.0 / pivot
        factor[3 * j] = inverse
        near = ((values[3 * j + 1] - l_next_1 * pivot_1 * l_j_1) * inverse
                if j + 1 < n else 0.0)
        far = values[3 * j + 2] * inverse if j + 2 < n else 0.0
        factor[3 * j + 1] = near
        factor[3 * j + 2] = far
        pivot_2, pivot_1 = pivot_1, pivot
        l_j_2, l_j_1 = l_next_1, near
        l_next_1 = far
    return 0


cdef inline void pentadiagonal_solve(const double* factor, double* rhs, Py_ssize_t n) noexcept nogil:
    """rhs ← (L D Lᵀ)⁻¹ rhs for the factor of `pentadiagonal_ldlt`."""
    cdef Py_ssize_t j
    cdef double current, previous_1 = 0.0, previous_2 = 0.0
    for j in range(n):
        current = rhs[j]
        if j > 0:
            current -= factor[3 * (j - 1) + 1] * previous_1
        if j > 1:
            current -= factor[3 * (j - 2) + 2] * previous_2
        previous_2, previous_1 = previous_1, current
        rhs[j] = current * factor[3 * j]
    previous_1 = previous_2 = 0.0
    for j in range(n - 1, -1, -1):
        current = rhs[j] - factor[3 * j + 1] * previous_1 - factor[3 * j + 2] * previous_2
        previous_2, previous_1 = previous_1, current
        rhs[j] = current


cdef inline lapack_int band_factorize(BandBlock* band, Py_ssize_t n, double shift) noexcept nogil:
    """Factor H + shift·I into `band.factor` (L D Lᵀ for narrow bands, else LAPACK's L Lᵀ)."""
    cdef Py_ssize_t b = band.bandwidth, rows = b + 1, i
    if n == 0:
        return 0
    if b == 1:
        return tridiagonal_ldlt(band.values, shift, band.factor, band.pivots, n)
    if b == 2:
        return pentadiagonal_ldlt(band.values, shift, band.factor, band.pivots, n)
    for i in range(rows * n):
        band.factor[i] = band.values[i]
    for i in range(n):
        band.factor[i * rows] += shift
    if b <= NARROW_BAND:
        return narrow_band_ldlt(band.factor, band.pivots, b, n)
    return band_cholesky_lower(band.factor, <lapack_int>n, <lapack_int>b)


cdef inline void band_solve(const BandBlock* band, Py_ssize_t n, double* rhs,
                            bint lower_only) noexcept nogil:
    """rhs ← (H + shift·I)⁻¹ rhs, or with `lower_only` its Cholesky factor's inverse times rhs."""
    cdef Py_ssize_t b = band.bandwidth
    if n == 0:
        return
    if b > NARROW_BAND:
        if lower_only:
            band_triangular_solve_lower(band.factor, <lapack_int>n, <lapack_int>b, False, rhs)
        else:
            band_cholesky_solve_lower(band.factor, <lapack_int>n, <lapack_int>b, rhs)
    elif lower_only:
        narrow_band_solve(band.factor, b, n, rhs, True)
    elif b == 1:
        tridiagonal_solve(band.factor, rhs, n)
    elif b == 2:
        pentadiagonal_solve(band.factor, rhs, n)
    else:
        narrow_band_solve(band.factor, b, n, rhs, False)


cdef inline void band_matvec(const BandBlock* band, Py_ssize_t n, const double* v,
                             double* out) noexcept nogil:
    """out = H v."""
    if n == 0:
        return
    if band.bandwidth <= NARROW_BAND:
        narrow_band_matvec(band.values, band.bandwidth, n, v, out)
    else:
        band_symmetric_matvec_lower(band.values, <lapack_int>n, <lapack_int>band.bandwidth, v, out)


cdef inline void band_curvature_bounds(const BandBlock* band, Py_ssize_t n,
                                       CurvatureBounds* bounds) noexcept nogil:
    """Gershgorin, ∞-norm and Frobenius bounds in O(n·b)."""
    cdef Py_ssize_t rows = band.bandwidth + 1, k, i
    cdef const double* values = band.values
    cdef double h, radius, squares
    start_bounds(bounds)
    for i in range(n):
        # Row i: column i below the diagonal plus row i left of it.
        radius = squares = 0.0
        for k in range(1, rows):
            if i + k < n:
                h = values[k + i * rows]
                radius += fabs(h)
                squares += h * h
            if i - k >= 0:
                h = values[k + (i - k) * rows]
                radius += fabs(h)
                squares += h * h
        add_bounds_row(bounds, i, values[i * rows], radius, squares)
    finish_bounds(bounds)


cdef inline double band_diagonal_min(const BandBlock* band, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i, rows = band.bandwidth + 1
    cdef double smallest = band.values[0] if n else 0.0
    for i in range(1, n):
        if band.values[i * rows] < smallest:
            smallest = band.values[i * rows]
    return smallest
