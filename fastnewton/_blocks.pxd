# One symmetric matrix of either storage kind, and the factorization
# algorithms written once over both.
#
# `Block` joins DenseBlock and BandBlock as a fused type: every function here
# is compiled once per storage kind, with the storage's own kernels inlined.
# The order n is passed beside the block (not read from it) so that a caller
# can pass a literal and have the loops unrolled (see `_batch`). Nothing here
# needs the GIL or allocates: the single-problem storages (`_hessian`) and
# the batched solver (`_batch`) call these on their own memory.
from libc.math cimport fmax, fabs
from fastnewton._bounds cimport (CurvatureBounds, shift_floor, first_shift, next_shift,
                                 curvature_tolerance_from)
from fastnewton._dense cimport (DenseBlock, shifted_cholesky, cholesky_solve, symmetric_matvec,
                                dense_curvature_bounds, dense_diagonal_min)
from fastnewton._banded cimport (BandBlock, band_factorize, band_solve, band_matvec,
                                 band_curvature_bounds, band_diagonal_min)
from fastnewton._vector cimport inverse_iteration_start, normalize_raw, dot_raw

ctypedef fused Block:
    DenseBlock
    BandBlock


cdef inline int factorize(Block* h, Py_ssize_t n, double shift) noexcept nogil:
    """Cholesky (or L D Lᵀ) of H + shift·I, kept in the block; 0 when positive definite."""
    if Block is DenseBlock:
        return <int>shifted_cholesky(h.values, shift, h.factor, n) if n > 0 else 0
    else:
        return <int>band_factorize(h, n, shift)


cdef inline double pivot_lower_bound(Block* h, Py_ssize_t n, double shift, int column,
                                     double* work) noexcept nogil:
    """A lower bound on −λ_min(H) from a Cholesky of H + shift·I that failed at `column`.

    `column` is the 1-based failing column j that `factorize` returned. With
    the leading factor L₁ (its first j − 1 columns, complete when the
    factorization stops) and a the part of column j above the diagonal,
    u = L₁⁻¹a and δ = ‖u‖² − (h_jj + shift) ≥ 0 make the leading j×j block
    singular when δ is added to its last diagonal; its null vector
    v = (−L₁⁻ᵀu, 1) has vᵀ(H + shift·I)v = −δ, so the Rayleigh quotient
    gives −λ_min(H) ≥ shift + δ/‖v‖² (Moré & Sorensen 1983, §3). Dense
    storage only: the band kernels keep an L D Lᵀ or band factor whose
    partial state is not read here, and get `shift` back (no information).
    O(j²) against the factorization's O(n³). `work` holds n doubles.
    """
    cdef Py_ssize_t i, k, j = column - 1
    cdef double total, u_sq = 0.0, w_sq = 0.0, delta
    if Block is BandBlock:
        return shift
    else:
        if column < 1 or column > n:
            return shift
        # u = L₁⁻¹a, with a_i = H[i, j] read from the lower triangle as H[j, i].
        for i in range(j):
            total = h.values[j + i * n]
            for k in range(i):
                total -= h.factor[i + k * n] * work[k]
            work[i] = total / h.factor[i + i * n]
            u_sq += work[i] * work[i]
        delta = u_sq - (h.values[j + j * n] + shift)
        if not delta > 0.0:
            return shift
        # w = L₁⁻ᵀu, in place.
        for i in range(j - 1, -1, -1):
            total = work[i]
            for k in range(i + 1, j):
                total -= h.factor[k + i * n] * work[k]
            work[i] = total / h.factor[i + i * n]
            w_sq += work[i] * work[i]
        return shift + delta / (1.0 + w_sq)


cdef inline void solve(Block* h, Py_ssize_t n, double* rhs, bint lower_only=False) noexcept nogil:
    """rhs ← (H + shift·I)⁻¹ rhs with the factor of the last successful `factorize`; with
    `lower_only`, rhs ← R⁻¹ rhs for its Cholesky factor R Rᵀ = H + shift·I."""
    if Block is DenseBlock:
        if n > 0:
            cholesky_solve(h.factor, n, rhs, lower_only)
    else:
        band_solve(h, n, rhs, lower_only)


cdef inline void matvec(Block* h, Py_ssize_t n, const double* v, double* out) noexcept nogil:
    """out = H v."""
    if Block is DenseBlock:
        if n > 0:
            symmetric_matvec(h.values, n, v, out)
    else:
        band_matvec(h, n, v, out)


cdef inline void curvature_bounds(Block* h, Py_ssize_t n, CurvatureBounds* bounds) noexcept nogil:
    if Block is DenseBlock:
        dense_curvature_bounds(h.values, n, bounds)
    else:
        band_curvature_bounds(h, n, bounds)


cdef inline double diagonal_min(Block* h, Py_ssize_t n) noexcept nogil:
    if Block is DenseBlock:
        return dense_diagonal_min(h.values, n) if n > 0 else 0.0
    else:
        return band_diagonal_min(h, n)


cdef inline int modified_cholesky(Block* h, Py_ssize_t n, double* shift,
                                  int* factorizations) noexcept nogil:
    """Factor H + τI with the smallest τ ≥ 0 found by doubling that makes it positive definite.

    Cholesky with added multiple of the identity (Nocedal & Wright 2006,
    Alg. 3.3). τ = 0 whenever H itself factors, so a safely positive definite
    H is left unmodified; otherwise τ starts at what the diagonal and the
    Gershgorin bound demand and doubles until the factorization succeeds. The
    shift keeps any band structure. On return `shift[0]` holds τ and
    `factorizations[0]` how many factorizations were tried; returns 1 when
    even the Gershgorin ceiling failed (rounding on a wild matrix).
    """
    cdef CurvatureBounds bounds
    cdef double tau, beta
    cdef int attempts
    cdef bint last = False
    factorizations[0] = 0
    if diagonal_min(h, n) > 0.0:
        # The common case near a minimizer: H itself factors, and the O(n·b)
        # (dense: O(n²)) bounds below are never needed.
        factorizations[0] += 1
        if factorize(h, n, 0.0) == 0:
            shift[0] = 0.0
            return 0
    curvature_bounds(h, n, &bounds)
    beta = shift_floor(&bounds)
    tau = first_shift(&bounds, beta)
    # Bounded: the doubling reaches the ceiling of `next_shift`, which factors.
    for attempts in range(200):
        factorizations[0] += 1
        if factorize(h, n, tau) == 0:
            shift[0] = tau
            return 0
        if last:
            break
        tau = next_shift(&bounds, tau, beta, &last)
    shift[0] = tau
    return 1


cdef inline double smallest_curvature(Block* h, Py_ssize_t n, double shift, double* z,
                                      double* product) noexcept nogil:
    """Unit z with small zᵀ(H + shift·I)z, by inverse iteration; returns that curvature.

    The block's factor must be that of H + shift·I. Three iterations
    suffice: near the hard case (or a saddle with the modified factorization)
    H + shift·I is nearly singular, and inverse iteration converges at the
    ratio of its two smallest eigenvalues. `product` is work space (H z).
    """
    return inverse_iteration(h, n, shift, z, product, 3, 0.0)


cdef inline double inverse_iteration(Block* h, Py_ssize_t n, double shift, double* z,
                                     double* product, int iterations,
                                     double settled) noexcept nogil:
    """`smallest_curvature` with at most `iterations` iterations.

    With `settled` > 0 (0: all of them) it stops early once an iteration's growth ‖(H + shift·I)⁻¹z‖
    (for unit z) changes by at most `settled` relative to the previous
    one. The growth never decreases and tends to 1/μ₁ for the smallest
    eigenvalue μ₁ of H + shift·I, its error shrinking by (μ₁/μ₂)² per
    iteration; the Rayleigh quotient returned then errs by about
    `settled`·2r/(1 − r) relative to μ₁, r = μ₁/μ₂ (first order, as the
    growth's change is).
    """
    cdef int it
    cdef double growth, last = 0.0
    inverse_iteration_start(z, n)
    normalize_raw(z, n)
    for it in range(iterations):
        solve(h, n, z)
        growth = normalize_raw(z, n)
        if settled > 0.0 and fabs(growth - last) <= settled * growth:
            break
        last = growth
    matvec(h, n, z, product)
    return dot_raw(z, product, n) + shift


cdef inline double curvature_tolerance(Block* h, Py_ssize_t n) noexcept nogil:
    """√ε·‖H‖∞ floored at the smallest normal double: curvature within it counts as zero."""
    cdef CurvatureBounds bounds
    curvature_bounds(h, n, &bounds)
    return curvature_tolerance_from(&bounds)


cdef inline bint second_order_point(Block* h, Py_ssize_t n) noexcept nogil:
    """No curvature below −tol: H + tol·I factors (the factor is overwritten)."""
    return factorize(h, n, curvature_tolerance(h, n)) == 0
