"""Banded symmetric Hessian storage: a (b+1)-by-n band block for `_blocks`.

The layout is LAPACK's (and `scipy.linalg.solveh_banded(..., lower=True)`'s)
lower symmetric band storage, hess_band[k, j] = H[j + k, j] for
k = 0..b, shape (b + 1, n); entries with j + k ≥ n lie outside the matrix
and are ignored. No n-by-n array is ever formed.
"""

import numpy as np
from scipy.sparse import issparse
from scipy.sparse.linalg import LinearOperator

from libc.math cimport isfinite
from fastnewton._hessian cimport FactorableHessian
from fastnewton._objective cimport Objective, HESSIAN_CALLABLE
from fastnewton._curvature import band_inertia, band_extreme_eigenvalues

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


cdef class BandedHessian(FactorableHessian):
    """A symmetric band Hessian of half-bandwidth b in LAPACK lower band storage."""
    cdef readonly Py_ssize_t bandwidth
    cdef double[::1, :] values
    # The factor and pivots of the last factorization (np.empty: no page is
    # touched until a factorization writes it).
    cdef double[::1, :] factor
    cdef double[::1] pivots

    def __cinit__(self, Py_ssize_t n, Py_ssize_t bandwidth):
        self.n = n
        self.bandwidth = bandwidth
        self.banded = True
        self.release_gil = n * (bandwidth + 1) >= NOGIL_MIN_ENTRIES
        self.values = np.zeros((bandwidth + 1, max(n, 1)), order="F")
        self.factor = np.empty((bandwidth + 1, max(n, 1)), order="F")
        self.pivots = np.empty(max(n, 1))
        self.band.values = &self.values[0, 0]
        self.band.factor = &self.factor[0, 0]
        self.band.pivots = &self.pivots[0]
        self.band.bandwidth = bandwidth

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
        if self.release_gil:
            with nogil:
                finite = copy_band_checked(view, self.values)
        else:
            finite = copy_band_checked(view, self.values)
        return 0 if finite else 1

    cdef int assemble(self, Objective objective, object x_array, const double[::1] grad) except -1:
        """The band at `x_array` (gradient `grad`): the user's, or by grouped differences; 1 when not finite."""
        cdef Py_ssize_t b = self.bandwidth
        if objective.hessian_source == HESSIAN_CALLABLE:
            return self.load(objective.user_hessian(x_array))
        self.values[:, :] = 0.0
        return objective.banded_fd_band(x_array, grad, b, &self.values[0, 0], 1, b + 1)

    cpdef object to_array(self):
        """A new C-ordered copy of the band storage, shape (b + 1, n)."""
        return np.ascontiguousarray(self.values[:, :self.n])

    cpdef tuple spectrum(self, double tol, bint extremes):
        """Sylvester counts of two band L D Lᵀ factorizations; bisection for the extremes."""
        negative, zero, positive = band_inertia(self.values[:, :self.n], tol)
        smallest, largest = (band_extreme_eigenvalues(self.values[:, :self.n]) if extremes
                             else (np.nan, np.nan))
        return negative, zero, positive, smallest, largest, "sylvester"
