"""A Hessian known only through products, for truncated CG (trust-ncg).

The products come from the user's `hessp`, from a matrix or `LinearOperator`
returned by `hess` (a dense `hess` is multiplied in compiled code), or from
finite differences of the gradient (the objective's `hessian_product`).
"""

import numpy as np
from scipy.sparse import issparse
from scipy.sparse.linalg import LinearOperator

from fastnewton._hessian cimport SymmetricMatrix
from fastnewton._objective cimport Objective, HESSIAN_CALLABLE, copy_vector_raw, vector_from
from fastnewton._dense import DenseHessian


cdef enum ProductSource:
    FROM_OBJECTIVE      # hessp, or differences of the gradient
    FROM_DENSE          # hess returned an ndarray
    FROM_OPERATOR       # hess returned a sparse matrix or LinearOperator


cdef class HessianProducts(SymmetricMatrix):
    """H v at the current point; see the module docstring for where it comes from."""
    cdef Objective objective
    cdef ProductSource source
    cdef SymmetricMatrix dense
    cdef object operator

    def __cinit__(self, Objective objective):
        self.objective = objective
        self.n = objective.n

    cdef int assemble(self, Objective objective, object x_array, const double[::1] grad) except -1:
        """Set the point of the products; evaluates a callable `hess` there. 1 when not finite."""
        objective.set_product_point(x_array, grad)
        if objective.hessian_source != HESSIAN_CALLABLE:
            self.source = FROM_OBJECTIVE
            return 0
        value = objective.user_hessian(x_array)
        if issparse(value) or isinstance(value, LinearOperator):
            if value.shape != (self.n, self.n):
                raise ValueError("hess must return a matrix of shape (%d, %d), got shape %s"
                                 % (self.n, self.n, value.shape))
            self.source = FROM_OPERATOR
            self.operator = value
            return 0
        self.source = FROM_DENSE
        if self.dense is None:
            self.dense = DenseHessian(self.n)
        return self.dense.load(value)

    cdef int matvec(self, const double* v, double* out) except -1:
        """H v; returns 1 when not finite."""
        cdef Py_ssize_t n = self.n
        if self.source == FROM_DENSE:
            return self.dense.matvec(v, out)
        if self.source == FROM_OPERATOR:
            return copy_vector_raw(self.operator @ vector_from(v, n), out, n, "hess(x) @ v")
        return self.objective.hessian_product(v, out)

    cpdef object to_array(self):
        return None

    cpdef object as_factorable(self, Py_ssize_t max_products):
        """H at the current point as a DenseHessian, for a certificate.

        Free when `hess` returned a dense array; otherwise built from n
        products H e_j (counted like any other) when n ≤ `max_products`;
        else None.
        """
        cdef Py_ssize_t n = self.n, j
        cdef double[::1] unit
        if self.source == FROM_DENSE:
            return self.dense
        if n > max_products or self.objective.product_point_array is None:
            return None
        unit = np.zeros(n)
        columns = np.empty((n, n))
        cdef double[:, ::1] column_view = columns
        for j in range(n):
            unit[j] = 1.0
            if self.matvec(&unit[0], &column_view[j, 0]):
                return None
            unit[j] = 0.0
        storage = DenseHessian(n)
        # Rows of `columns` are H e_j; average with the transpose for a symmetric matrix.
        storage.load(0.5 * (columns + columns.T))
        return storage
