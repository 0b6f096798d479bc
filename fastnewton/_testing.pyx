"""Python entry points to the compiled kernels, so tests can check each one against numpy/scipy.

Not part of the public API.
"""

import numpy as np

from fastnewton._options import default

from fastnewton._bounds cimport CurvatureBounds
from fastnewton._hessian cimport FactorableHessian
from fastnewton._objective cimport Objective
from fastnewton._subproblems cimport TrustRegionSubproblem
from fastnewton._trust_steps cimport StepReport
from fastnewton._banded import BandedHessian
from fastnewton._dense import DenseHessian
from fastnewton._subproblems import DoglegSubproblem, ExactSubproblem, SteihaugSubproblem


cdef FactorableHessian dense_from(object matrix):
    matrix = np.asarray(matrix, dtype=np.float64)
    cdef FactorableHessian storage = DenseHessian(matrix.shape[0])
    if storage.load(matrix):
        raise ValueError("matrix has non-finite entries")
    return storage


def dense_shifted_solve(matrix, double shift, rhs):
    """Solve (H + shift·I) x = rhs by the dense Cholesky kernel; None if not positive definite."""
    cdef FactorableHessian storage = dense_from(matrix)
    cdef double[::1] solution = np.array(rhs, dtype=np.float64)
    if storage.factorize(shift) != 0:
        return None
    storage.solve(&solution[0])
    return np.asarray(solution)


def dense_matvec(matrix, vector):
    """H v by the dense storage's product kernel."""
    cdef FactorableHessian storage = dense_from(matrix)
    cdef double[::1] v = np.array(vector, dtype=np.float64)
    cdef double[::1] out = np.empty(v.shape[0])
    storage.matvec(&v[0], &out[0])
    return np.asarray(out)


def dense_curvature_bounds(matrix):
    """The CurvatureBounds of H as a dict."""
    cdef FactorableHessian storage = dense_from(matrix)
    cdef CurvatureBounds bounds
    storage.curvature_bounds(&bounds)
    return dict(bounds)


def modified_cholesky(matrix):
    """(τ, L) with H + τI = L Lᵀ from `_blocks.modified_cholesky`; L is the kernel's lower factor."""
    cdef FactorableHessian storage = dense_from(matrix)
    cdef Py_ssize_t n = storage.n
    cdef double shift = 0.0
    cdef int factorizations = 0
    if storage.modified_factorization(&shift, &factorizations):
        raise np.linalg.LinAlgError("modified Cholesky failed")
    # The factor is column-major: a C view of it is Lᵀ.
    return shift, np.tril(np.asarray(<double[:n, :n]>storage.dense.factor).T)


def solve_subproblem(str kind, matrix, grad, double radius, first_radius=None, previous=None):
    """Run one trust-region subproblem solver ('dogleg', 'exact', 'steihaug') on dense H.

    With `first_radius`, the solver first solves for that radius, is told its
    step was rejected (`same_model_next`), and then solves for `radius`, as
    the driver does after a rejection. With `previous` = (H₀, g₀, radius₀),
    it first solves that subproblem, as at the point before an accepted
    step, and starts from there (the exact solver's warm start). Returns
    (step, report dict) of the last solve.
    """
    cdef FactorableHessian storage = dense_from(matrix)
    cdef FactorableHessian previous_storage
    cdef Py_ssize_t n = storage.n
    cdef double[::1] g = np.array(grad, dtype=np.float64)
    cdef double[::1] previous_g
    cdef double[::1] step = np.zeros(n)
    cdef StepReport report
    cdef TrustRegionSubproblem solver
    if kind == "dogleg":
        solver = DoglegSubproblem(n)
    elif kind == "exact":
        solver = ExactSubproblem(n, default("subproblem_maxiter"))
    elif kind == "steihaug":
        solver = SteihaugSubproblem(n)
    else:
        raise ValueError("kind must be 'dogleg', 'exact' or 'steihaug', got %r" % (kind,))
    if previous is not None:
        previous_storage = dense_from(previous[0])
        previous_g = np.array(previous[1], dtype=np.float64)
        solver.solve(previous_storage, previous_g, previous[2], step, &report)
    if first_radius is not None:
        solver.solve(storage, g, first_radius, step, &report)
        solver.same_model_next()
    solver.solve(storage, g, radius, step, &report)
    return np.asarray(step), dict(report)


def banded_shifted_solve(band, double shift, rhs):
    """Solve (H + shift·I) x = rhs by the band Cholesky kernel; None if not positive definite."""
    band = np.asarray(band, dtype=np.float64)
    cdef FactorableHessian storage = BandedHessian(band.shape[1], band.shape[0] - 1)
    cdef double[::1] solution = np.array(rhs, dtype=np.float64)
    if storage.load(band):
        raise ValueError("band has non-finite entries")
    if storage.factorize(shift) != 0:
        return None
    storage.solve(&solution[0])
    return np.asarray(solution)


def banded_matvec(band, vector):
    """H v by the band storage's product kernel."""
    band = np.asarray(band, dtype=np.float64)
    cdef FactorableHessian storage = BandedHessian(band.shape[1], band.shape[0] - 1)
    cdef double[::1] v = np.array(vector, dtype=np.float64)
    cdef double[::1] out = np.empty(v.shape[0])
    storage.load(band)
    storage.matvec(&v[0], &out[0])
    return np.asarray(out)


def hessian_product(jac, x, v, str method="2-point", lower=None, upper=None):
    """H v by `Objective.hessian_product`'s differences of `jac` at x, inside the box if given.

    Returns (H v, number of gradient calls).
    """
    cdef Py_ssize_t n = len(x)
    cdef Objective objective = Objective(None, jac, method, None, (), n, None)
    x_array = np.array(x, dtype=np.float64)
    cdef double[::1] grad = np.empty(n)
    cdef const double[::1] direction = np.array(v, dtype=np.float64)
    cdef double[::1] product = np.empty(n)
    if lower is not None:
        objective.set_box(lower, upper)
    objective.gradient(x_array, grad)
    objective.set_product_point(x_array, grad)
    objective.hessian_product(&direction[0], &product[0])
    return np.asarray(product), objective.njev - 1
