"""Banded symmetric Hessian storage: band Cholesky, solves and products, O(n·b) bounds.

The layout is LAPACK's (and `scipy.linalg.solveh_banded(..., lower=True)`'s)
lower symmetric band storage, hess_band[k, j] = H[j + k, j] for
k = 0..b, shape (b + 1, n); entries with j + k ≥ n lie outside the matrix
and are ignored. No n-by-n array is ever formed.
"""

import numpy as np
from scipy.sparse import issparse
from scipy.sparse.linalg import LinearOperator

from libc.math cimport fabs, sqrt, isfinite
from fastnewton._hessian cimport add_bounds_row, finish_bounds
from fastnewton._lapack cimport (lapack_int, band_cholesky_lower, band_cholesky_solve_lower,
                                 band_triangular_solve_lower, band_symmetric_matvec_lower)

# Below this many band entries a factorization, product or copy is cheaper
# than releasing and re-taking the GIL.
cdef Py_ssize_t NOGIL_MIN_ENTRIES = 4096


cdef bint copy_band_checked(const double[:, :] source, double[::1, :] dest) noexcept nogil:
    """Copy the meaningful entries of a band array; zero the ones outside the matrix.

    The loops follow the memory order of `source` (numpy users hand C-ordered
    arrays), so a (b+1)-by-n band streams through memory once.
    """
    cdef Py_ssize_t rows = dest.shape[0], n = dest.shape[1], k, j
    cdef bint finite = True
    cdef double value
    if source.strides[1] <= source.strides[0]:
        for k in range(rows):
            for j in range(n - k if k < n else 0):
                value = source[k, j]
                dest[k, j] = value
                finite = finite and isfinite(value)
            for j in range(max(n - k, 0), n):
                dest[k, j] = 0.0
    else:
        for j in range(n):
            for k in range(rows):
                if j + k < n:
                    value = source[k, j]
                    dest[k, j] = value
                    finite = finite and isfinite(value)
                else:
                    dest[k, j] = 0.0
    return finite


# Up to this half-bandwidth the compiled loops below beat LAPACK's pbtrf,
# pbtrs and sbmv, which call BLAS once per column (measured: 3-4x at b = 1-2,
# n = 10⁶); wider bands go to LAPACK's blocked code. Narrow bands are
# factored as L D Lᵀ (unit L) with the reciprocal pivots kept, so the
# solves, whose columns depend on each other, chain multiplications rather
# than divisions and square roots.
cdef Py_ssize_t NARROW_BAND = 8


cdef lapack_int narrow_band_ldlt(double[::1, :] factor, double[::1] pivots) noexcept nogil:
    """In place: factor[k, j] ← L[j+k, j] (k ≥ 1), factor[0, j] ← 1/d_j; info as LAPACK's.

    A positive definite band matrix has an L D Lᵀ factorization with d > 0
    without pivoting; a non-positive pivot means the matrix is not positive
    definite, as in LAPACK's Cholesky.
    """
    cdef Py_ssize_t b = factor.shape[0] - 1, n = factor.shape[1], i, j, k
    cdef double pivot, inverse, total, entry
    for j in range(n):
        pivot = factor[0, j]
        for k in range(1, min(b, j) + 1):
            entry = factor[k, j - k]
            pivot -= entry * entry * pivots[j - k]
        if not pivot > 0.0:
            return <lapack_int>(j + 1)
        pivots[j] = pivot
        inverse = 1.0 / pivot
        factor[0, j] = inverse
        for i in range(1, min(b, n - 1 - j) + 1):
            # L[j+i, j] = (A[j+i, j] - Σ_k L[j+i, j-k] d_{j-k} L[j, j-k]) / d_j
            total = factor[i, j]
            for k in range(1, min(b - i, j) + 1):
                total -= factor[i + k, j - k] * factor[k, j - k] * pivots[j - k]
            factor[i, j] = total * inverse
    return 0


cdef void narrow_band_solve(const double[::1, :] factor, double* rhs, bint lower_only) noexcept nogil:
    """rhs ← (L D Lᵀ)⁻¹ rhs, or with `lower_only` the Cholesky factor's (L D^½)⁻¹ rhs."""
    cdef Py_ssize_t b = factor.shape[0] - 1, n = factor.shape[1], j, k
    cdef double total
    for j in range(n):
        total = rhs[j]
        for k in range(1, min(b, j) + 1):
            total -= factor[k, j - k] * rhs[j - k]
        rhs[j] = total
    if lower_only:
        for j in range(n):
            rhs[j] *= sqrt(factor[0, j])
        return
    for j in range(n):
        rhs[j] *= factor[0, j]
    for j in range(n - 1, -1, -1):
        total = rhs[j]
        for k in range(1, min(b, n - 1 - j) + 1):
            total -= factor[k, j] * rhs[j + k]
        rhs[j] = total


cdef void narrow_band_matvec(const double[::1, :] values, const double* v, double* out) noexcept nogil:
    """out = H v for H in lower band storage."""
    cdef Py_ssize_t b = values.shape[0] - 1, n = values.shape[1], j, k
    for j in range(n):
        out[j] = values[0, j] * v[j]
    for k in range(1, b + 1):
        for j in range(n - k):
            out[j + k] += values[k, j] * v[j]
            out[j] += values[k, j] * v[j + k]


# Tridiagonal and pentadiagonal bands (the commonest: chains and 1-D
# discretizations) get their own loops. A factorization or solve is one long
# recurrence, so its speed is the latency of the chain from one row to the
# next: these keep the previous rows in registers rather than storing and
# reloading them, and in the factorization the next pivot depends on this
# one through a single division, d_{j+1} = a_{j+1} − c_j² / d_j.

cdef lapack_int tridiagonal_ldlt(const double* values, double shift, double* factor,
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


cdef void tridiagonal_solve(const double* factor, double* rhs, Py_ssize_t n) noexcept nogil:
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


cdef lapack_int pentadiagonal_ldlt(const double* values, double shift, double* factor,
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


cdef void pentadiagonal_solve(const double* factor, double* rhs, Py_ssize_t n) noexcept nogil:
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


cdef lapack_int shifted_band_cholesky(const double[::1, :] values, double shift,
                                      double[::1, :] factor, double[::1] pivots) noexcept nogil:
    """Factor values + shift·I into `factor` (L D Lᵀ for narrow bands, else LAPACK's L Lᵀ)."""
    cdef Py_ssize_t rows = values.shape[0], n = values.shape[1], k, j
    if rows == 2:
        return tridiagonal_ldlt(&values[0, 0], shift, &factor[0, 0], &pivots[0], n)
    if rows == 3:
        return pentadiagonal_ldlt(&values[0, 0], shift, &factor[0, 0], &pivots[0], n)
    for j in range(n):
        for k in range(rows):
            factor[k, j] = values[k, j]
        factor[0, j] += shift
    if rows - 1 <= NARROW_BAND:
        return narrow_band_ldlt(factor, pivots)
    return band_cholesky_lower(&factor[0, 0], <lapack_int>n, <lapack_int>(rows - 1))


cdef class BandedHessian(SymmetricMatrix):
    """A symmetric band Hessian of half-bandwidth b in LAPACK lower band storage."""

    def __cinit__(self, Py_ssize_t n, Py_ssize_t bandwidth):
        self.n = n
        self.bandwidth = bandwidth
        self.can_factorize = True
        self.values = np.zeros((bandwidth + 1, n), order="F")

    cpdef int load(self, object value) except -1:
        """Copy a user band array; returns 1 when it holds non-finite values."""
        cdef const double[:, :] view
        cdef bint finite
        if type(value) is not np.ndarray and (issparse(value) or isinstance(value, LinearOperator)):
            raise TypeError("with the 'bandwidth' option, hess must return the band storage as "
                            "an ndarray of shape (%d, %d), got a %s"
                            % (self.bandwidth + 1, self.n, type(value).__name__))
        array = np.asarray(value, dtype=np.float64)
        if array.shape != (self.bandwidth + 1, self.n):
            raise ValueError(
                "with the 'bandwidth' option (b=%d), hess must return LAPACK lower band storage "
                "hess_band[k, j] = H[j + k, j] of shape (%d, %d), got shape %s"
                % (self.bandwidth, self.bandwidth + 1, self.n, array.shape))
        view = array
        if self.n * (self.bandwidth + 1) >= NOGIL_MIN_ENTRIES:
            with nogil:
                finite = copy_band_checked(view, self.values)
        else:
            finite = copy_band_checked(view, self.values)
        return 0 if finite else 1

    cdef int matvec(self, const double* v, double* out) except -1:
        if self.n * (self.bandwidth + 1) >= NOGIL_MIN_ENTRIES:
            with nogil:
                self.matvec_kernel(v, out)
        else:
            self.matvec_kernel(v, out)
        return 0

    cdef void matvec_kernel(self, const double* v, double* out) noexcept nogil:
        if self.bandwidth <= NARROW_BAND:
            narrow_band_matvec(self.values, v, out)
        else:
            band_symmetric_matvec_lower(&self.values[0, 0], <lapack_int>self.n,
                                        <lapack_int>self.bandwidth, v, out)

    cdef int factorize(self, double shift) except -1:
        cdef lapack_int info
        if self.n == 0:
            return 0
        if not self.has_factor:
            # Allocated on first use: finite-difference assembly alone never factors.
            self.factor = np.empty((self.bandwidth + 1, self.n), order="F")
            self.pivots = np.empty(self.n)
            self.has_factor = True
        if self.n * (self.bandwidth + 1) >= NOGIL_MIN_ENTRIES:
            with nogil:
                info = shifted_band_cholesky(self.values, shift, self.factor, self.pivots)
        else:
            info = shifted_band_cholesky(self.values, shift, self.factor, self.pivots)
        return info

    cdef void solve(self, double* rhs) noexcept nogil:
        if self.n == 0:
            return
        if self.bandwidth == 1:
            tridiagonal_solve(&self.factor[0, 0], rhs, self.n)
        elif self.bandwidth == 2:
            pentadiagonal_solve(&self.factor[0, 0], rhs, self.n)
        elif self.bandwidth <= NARROW_BAND:
            narrow_band_solve(self.factor, rhs, False)
        else:
            band_cholesky_solve_lower(&self.factor[0, 0], <lapack_int>self.n,
                                      <lapack_int>self.bandwidth, rhs)

    cdef void solve_lower(self, double* rhs) noexcept nogil:
        if self.n == 0:
            return
        if self.bandwidth <= NARROW_BAND:
            narrow_band_solve(self.factor, rhs, True)
        else:
            band_triangular_solve_lower(&self.factor[0, 0], <lapack_int>self.n,
                                        <lapack_int>self.bandwidth, False, rhs)

    cdef void curvature_bounds(self, CurvatureBounds* bounds) noexcept nogil:
        cdef Py_ssize_t rows = self.bandwidth + 1, n = self.n, k, i
        cdef double h, radius, squares
        bounds.gershgorin_lower = bounds.gershgorin_upper = bounds.diag_min = 0.0
        bounds.inf_norm = bounds.frobenius_norm = 0.0
        for i in range(n):
            # Row i: column i below the diagonal plus row i left of it.
            radius = squares = 0.0
            for k in range(1, rows):
                if i + k < n:
                    h = self.values[k, i]
                    radius += fabs(h)
                    squares += h * h
                if i - k >= 0:
                    h = self.values[k, i - k]
                    radius += fabs(h)
                    squares += h * h
            add_bounds_row(bounds, i, self.values[0, i], radius, squares)
        finish_bounds(bounds)

    cdef double diagonal_min(self) noexcept nogil:
        cdef Py_ssize_t i
        cdef double smallest = self.values[0, 0] if self.n else 0.0
        for i in range(1, self.n):
            if self.values[0, i] < smallest:
                smallest = self.values[0, i]
        return smallest

    cpdef object to_array(self):
        """A new C-ordered copy of the band storage, shape (b + 1, n)."""
        return np.ascontiguousarray(self.values)
