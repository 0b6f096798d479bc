"""Hessian storage interface and the modified Cholesky factorization built on it."""

from libc.math cimport fmax
from fastnewton._vector cimport inverse_iteration_start, normalize_raw


cdef class SymmetricMatrix:
    """A symmetric n-by-n matrix as the solvers see it.

    Subclasses hold the matrix in one storage kind (dense column-major, LAPACK
    band, or products only) and implement: `load` (copy and validate a value
    returned by the user's `hess`), `matvec`, `factorize` (Cholesky of
    H + shift·I, kept for `solve`), `solve`, `curvature_bounds` and
    `to_array` (a copy for the user).
    """

    cpdef int load(self, object value) except -1:
        raise NotImplementedError

    cdef int matvec(self, const double* v, double* out) except -1:
        raise NotImplementedError

    cdef int factorize(self, double shift) except -1:
        raise TypeError("this Hessian storage supports products only")

    cdef void solve(self, double* rhs) noexcept nogil:
        pass

    cdef void solve_lower(self, double* rhs) noexcept nogil:
        pass

    cdef void curvature_bounds(self, CurvatureBounds* bounds) noexcept nogil:
        pass

    cdef double diagonal_min(self) noexcept nogil:
        return 0.0

    cpdef object to_array(self):
        return None


cdef int factorize_modified(SymmetricMatrix hess, double* shift, int* factorizations) except -1:
    """Factor H + τI with the smallest τ ≥ 0 found by doubling that makes it positive definite.

    Cholesky with added multiple of the identity (Nocedal & Wright 2006,
    Alg. 3.3). τ = 0 whenever H itself factors, so a safely positive definite
    H is left unmodified; otherwise τ starts at what the diagonal and the
    Gershgorin bound demand and doubles until the factorization succeeds. The
    shift keeps any band structure, so it serves every storage kind.
    On return `shift[0]` holds τ and `factorizations[0]` how many
    factorizations were tried; the factor is kept inside `hess`.
    """
    cdef CurvatureBounds bounds
    cdef double tau, beta
    cdef int attempts
    cdef bint last = False
    factorizations[0] = 0
    if hess.diagonal_min() > 0.0:
        # The common case near a minimizer: H itself factors, and the O(n·b)
        # (dense: O(n²)) bounds below are never needed.
        factorizations[0] += 1
        if hess.factorize(0.0) == 0:
            shift[0] = 0.0
            return 0
    hess.curvature_bounds(&bounds)
    beta = shift_floor(&bounds)
    tau = first_shift(&bounds, beta)
    # Bounded: the doubling reaches the ceiling of `next_shift`, which factors.
    for attempts in range(200):
        factorizations[0] += 1
        if hess.factorize(tau) == 0:
            shift[0] = tau
            return 0
        if last:
            break
        tau = next_shift(&bounds, tau, beta, &last)
    shift[0] = tau
    return 1


cdef int smallest_curvature_direction(SymmetricMatrix hess, double shift, double[::1] z,
                                      double[::1] product, double* curvature) except -1:
    """Unit z with small zᵀ(H + shift·I)z, by inverse iteration on the current factor of H + shift·I.

    The factor must be that of H + shift·I. Three iterations suffice: near the
    hard case (or a saddle with the modified factorization) H + shift·I is
    nearly singular, and inverse iteration converges at the ratio of its two
    smallest eigenvalues. On return `curvature[0]` = zᵀ(H + shift·I)z;
    returns 1 if the product was not finite.
    """
    cdef Py_ssize_t i, it, n = hess.n
    cdef double total
    inverse_iteration_start(&z[0], n)
    for it in range(3):
        normalize_raw(&z[0], n)
        hess.solve(&z[0])
    normalize_raw(&z[0], n)
    if hess.matvec(&z[0], &product[0]):
        return 1
    total = 0.0
    for i in range(n):
        total += z[i] * product[i]
    curvature[0] = total + shift
    return 0


cdef bint positive_semidefinite(SymmetricMatrix hess, double tol) except -1:
    """True when H + tol·I factors: no eigenvalue below −tol (the factor is overwritten)."""
    return hess.factorize(tol) == 0


cdef double curvature_tolerance_of(SymmetricMatrix hess) noexcept nogil:
    """√ε·‖H‖∞ floored at the smallest normal double: curvature within it counts as zero."""
    cdef CurvatureBounds bounds
    hess.curvature_bounds(&bounds)
    return curvature_tolerance_from(&bounds)


def curvature_tolerance(SymmetricMatrix hess):
    """√ε·‖H‖∞ (see fastnewton.CriticalPoint.tol): curvature within it of zero counts as zero."""
    return curvature_tolerance_of(hess)


cdef bint second_order_point(SymmetricMatrix hess, bint check) except -1:
    """The stopping test's second half: no curvature below −tol (skipped without `check`).

    Products-only storages cannot be factored and pass.
    """
    if not check or not hess.can_factorize:
        return True
    return positive_semidefinite(hess, curvature_tolerance_of(hess))
