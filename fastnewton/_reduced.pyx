"""A Hessian restricted to the free variables of a box, for the bounded drivers.

Where bounds hold some variables fixed, the Newton and trust-region steps
are taken in the others: the model's Hessian is H[F, F] for the free set F.
`ReducedHessian` gathers that submatrix out of a dense or band storage, so
the one copy of every factorizing step (`_blocks`, `_trust_steps`) runs on
it unchanged; a band stays a band of the same width. `MaskedProducts`
serves the products-only subproblems, which keep all n coordinates: it
multiplies by H[F, F] on the free coordinates and by the identity on the
held ones, so a Krylov space started from a gradient that is zero on the
held coordinates never leaves the free ones.
"""

import numpy as np

from fastnewton._box cimport gather_dense, gather_band


cdef class ReducedHessian(FactorableHessian):
    """H[F, F] of a `FactorableHessian` `parent`, in the parent's storage kind.

    Its order `n` is that of the last `gather_free` (0 until then); its memory
    is sized once for the parent's order.
    """

    def __cinit__(self, FactorableHessian parent):
        cdef Py_ssize_t full = max(parent.n, 1), rows
        cdef double[::1] values, factor, pivots
        self.parent = parent
        self.banded = parent.banded
        self.n = 0
        if parent.banded:
            rows = parent.band.bandwidth + 1
            self.values_array = np.zeros(rows * full)
            self.factor_array = np.zeros(rows * full)
            self.pivots_array = np.zeros(full)
            pivots = self.pivots_array
            self.band.pivots = &pivots[0]
            self.band.bandwidth = parent.band.bandwidth
        else:
            self.values_array = np.zeros(full * full)
            self.factor_array = np.zeros(full * full)
        values = self.values_array
        factor = self.factor_array
        if parent.banded:
            self.band.values = &values[0]
            self.band.factor = &factor[0]
        else:
            self.dense.values = &values[0]
            self.dense.factor = &factor[0]

    cdef void gather_free(self, const Py_ssize_t* index, Py_ssize_t count) noexcept:
        """Take H[index, index] (index increasing, `count` entries) from the parent's current matrix."""
        self.n = count
        self.release_gil = self.parent.release_gil
        if self.banded:
            gather_band(self.parent.band.values, self.band.bandwidth, index, count,
                        self.band.values)
        else:
            gather_dense(self.parent.dense.values, self.parent.n, index, count,
                         self.dense.values)

    cdef void add_diagonal(self, const double* diagonal) noexcept:
        """H[F, F] += diag(diagonal), on the matrix of the last `gather_free`."""
        cdef Py_ssize_t k
        for k in range(self.n):
            if self.banded:
                self.band.values[k * (self.band.bandwidth + 1)] += diagonal[k]
            else:
                self.dense.values[k + k * self.n] += diagonal[k]

    cpdef object to_array(self):
        """H[F, F] as the parent would give it: (n, n) dense or (b + 1, n) lower band."""
        cdef Py_ssize_t n = self.n
        if self.banded:
            rows = self.band.bandwidth + 1
            return np.array(self.values_array[:rows * n].reshape(n, rows).T)
        lower = np.array(self.values_array[:n * n].reshape(n, n).T)
        return np.tril(lower) + np.tril(lower, -1).T


cdef class MaskedProducts(SymmetricMatrix):
    """Products with H[F, F] ⊕ I of a `parent` known by products (see the module docstring)."""

    def __cinit__(self, SymmetricMatrix parent):
        cdef double[::1] padded
        self.parent = parent
        self.n = parent.n
        self.padded_array = np.zeros(max(parent.n, 1))
        padded = self.padded_array
        self.padded = &padded[0]
        self.free = np.zeros(max(parent.n, 1), dtype=np.uint8)

    cdef void mark_free(self, const Py_ssize_t* index, Py_ssize_t count) noexcept:
        """Set the free set F to index[:count]."""
        cdef Py_ssize_t k
        self.free[:] = 0
        for k in range(count):
            self.free[index[k]] = 1

    cdef int matvec(self, const double* v, double* out) except -1:
        """out = H[F, F] v on F, v elsewhere; 1 when the parent's product is not finite."""
        cdef Py_ssize_t i, n = self.n
        for i in range(n):
            self.padded[i] = v[i] if self.free[i] else 0.0
        if self.parent.matvec(self.padded, out):
            return 1
        for i in range(n):
            if not self.free[i]:
                out[i] = v[i]
        return 0

    cpdef object to_array(self):
        return None

    cpdef object as_factorable(self, Py_ssize_t max_products):
        return None
