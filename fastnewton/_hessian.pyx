"""Hessian storage interface and the modified Cholesky factorization built on it."""

from libc.math cimport fmax


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


# Smallest shift tried, relative to ‖H‖_F (Nocedal & Wright 2006, Alg. 3.3 use
# an absolute 1e-3; scaling it keeps the method invariant to scaling of f).
cdef double SHIFT_FLOOR = 1e-3


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
    factorizations[0] = 0
    if hess.diagonal_min() > 0.0:
        # The common case near a minimizer: H itself factors, and the O(n·b)
        # (dense: O(n²)) bounds below are never needed.
        factorizations[0] += 1
        if hess.factorize(0.0) == 0:
            shift[0] = 0.0
            return 0
    hess.curvature_bounds(&bounds)
    beta = SHIFT_FLOOR * bounds.frobenius_norm
    if beta == 0.0:
        beta = SHIFT_FLOOR
    tau = beta if bounds.diag_min > 0.0 else beta - bounds.diag_min
    # τ never needs to exceed -λ_min + β, and λ_min ≥ the Gershgorin lower
    # bound, so the doubling stops after a bounded number of attempts.
    for attempts in range(200):
        factorizations[0] += 1
        if hess.factorize(tau) == 0:
            shift[0] = tau
            return 0
        tau = fmax(2.0 * tau, beta)
        if tau > beta - bounds.gershgorin_lower:
            tau = beta - bounds.gershgorin_lower
            factorizations[0] += 1
            if hess.factorize(tau) == 0:
                shift[0] = tau
                return 0
            break
    shift[0] = tau
    return 1
