"""Finite-difference Hessians of a gradient at one point, for `fastnewton.approx_hessian`."""

import numpy as np

from fastnewton._objective cimport Objective
from fastnewton._dense import DenseHessian


def finite_difference_hessian(jac, x, tuple args, str method, rel_step, bandwidth=None):
    """Finite-difference Hessian of the gradient `jac` at `x` (see `fastnewton.approx_hessian`).

    Returns the dense matrix, or the lower band storage when `bandwidth` is given.
    """
    cdef Py_ssize_t n = x.shape[0]
    cdef Objective objective = Objective(None, jac, method, None, args, n, rel_step)
    cdef double[::1] grad = np.empty(n)
    cdef double[:, ::1] band_view
    cdef double[::1, :] dense_view
    x_array = np.ascontiguousarray(x, dtype=np.float64)
    if objective.gradient(x_array, grad):
        raise ValueError("jac returned non-finite values at x")
    if bandwidth is not None:
        # Straight into the user's C-ordered array, rows of length n.
        band = np.zeros((bandwidth + 1, n))
        band_view = band
        objective.banded_fd_band(x_array, grad, bandwidth, &band_view[0, 0], n, 1)
        return band
    dense = np.empty((n, n), order="F")
    dense_view = dense
    objective.dense_fd_hessian(x_array, grad, &dense_view[0, 0])
    # The lower triangle holds H: mirror it.
    return np.tril(dense) + np.tril(dense, -1).T
