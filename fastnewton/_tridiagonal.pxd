# The trust-region subproblem on a symmetric tridiagonal T, solved exactly in
# O(k) per factorization: Lanczos bases reduce H to T, and GLTR
# (`_krylov`) and the Moré–Sorensen start (`_trust_steps.krylov_multiplier`)
# both solve the subproblem on T. T has diagonal `diag[0:k]` and
# off-diagonal `off[0:k-1]` (off[i] couples i and i + 1; zero between Lanczos
# blocks). Nothing here needs the GIL or allocates.
from libc.float cimport DBL_EPSILON
from libc.math cimport sqrt, fabs, fmax, fmin
from fastnewton._vector cimport dot_raw, normalize_raw, inverse_iteration_start, boundary_roots_raw

cdef extern from *:
    """
    #define FASTNEWTON_SECULAR_TOL 1e-10
    """
    # Relative accuracy of ‖h‖ = radius in the tridiagonal Moré–Sorensen: an
    # O(k) iteration, so it is run to near rounding rather than to MS's 10%.
    const double SECULAR_TOL "FASTNEWTON_SECULAR_TOL"

cdef enum:
    SECULAR_MAXITER = 60    # most Newton steps on T's secular equation

cdef inline double tridiagonal_norm_bound(const double* diag, const double* off,
                                          Py_ssize_t k) noexcept nogil:
    """max_i |t_ii| + Σ_j≠i |t_ij| ≥ ‖T‖₂ (Gershgorin)."""
    cdef Py_ssize_t i
    cdef double bound = 0.0, row
    for i in range(k):
        row = fabs(diag[i])
        if i > 0:
            row += fabs(off[i - 1])
        if i < k - 1:
            row += fabs(off[i])
        bound = fmax(bound, row)
    return bound


cdef inline Py_ssize_t count_below(const double* diag, const double* off, Py_ssize_t k,
                                   double sigma, double pivot_min) noexcept nogil:
    """The number of eigenvalues of T below σ: negative pivots of L D Lᵀ = T − σI (Sylvester)."""
    cdef Py_ssize_t i, count = 0
    cdef double pivot = 1.0
    for i in range(k):
        pivot = diag[i] - sigma - (off[i - 1] * off[i - 1] / pivot if i > 0 else 0.0)
        if fabs(pivot) < pivot_min:
            pivot = -pivot_min    # an exact zero pivot counts as the eigenvalue σ itself
        if pivot < 0.0:
            count += 1
    return count


cdef inline double smallest_eigenvalue(const double* diag, const double* off,
                                       Py_ssize_t k) noexcept nogil:
    """θ_min(T) by bisection on Sturm counts, to a few ulps of ‖T‖."""
    cdef Py_ssize_t i
    cdef double low = diag[0], high = diag[0], radius, middle
    cdef double scale = fmax(tridiagonal_norm_bound(diag, off, k), 1e-300)
    cdef double pivot_min = 1e-300 * fmax(1.0, scale * scale)
    for i in range(k):
        radius = (fabs(off[i - 1]) if i > 0 else 0.0) + (fabs(off[i]) if i < k - 1 else 0.0)
        low = fmin(low, diag[i] - radius)
        high = fmin(high, diag[i])    # a Rayleigh quotient bounds θ_min above
    for i in range(200):
        if high - low <= 4.0 * DBL_EPSILON * scale:
            break
        middle = 0.5 * (low + high)
        if count_below(diag, off, k, middle, pivot_min) > 0:
            high = middle
        else:
            low = middle
    return 0.5 * (low + high)


cdef inline bint factor_shifted(const double* diag, const double* off, Py_ssize_t k, double lam,
                                double* pivots, double* multipliers) noexcept nogil:
    """L D Lᵀ = T + λI; False unless every pivot is positive (T + λI positive definite)."""
    cdef Py_ssize_t i
    pivots[0] = diag[0] + lam
    if not pivots[0] > 0.0:
        return False
    for i in range(1, k):
        multipliers[i - 1] = off[i - 1] / pivots[i - 1]
        pivots[i] = diag[i] + lam - multipliers[i - 1] * off[i - 1]
        if not pivots[i] > 0.0:
            return False
    return True


cdef inline void solve_factored(const double* pivots, const double* multipliers, Py_ssize_t k,
                                double* x) noexcept nogil:
    """x ← (L D Lᵀ)⁻¹ x."""
    cdef Py_ssize_t i
    for i in range(1, k):
        x[i] -= multipliers[i - 1] * x[i - 1]
    for i in range(k):
        x[i] /= pivots[i]
    for i in range(k - 2, -1, -1):
        x[i] -= multipliers[i] * x[i + 1]


cdef inline double inverse_quadratic(const double* pivots, const double* multipliers, Py_ssize_t k,
                                     const double* h, double* work) noexcept nogil:
    """hᵀ(T + λI)⁻¹h = ‖D^(-1/2) L⁻¹ h‖², the derivative term of the secular equation."""
    cdef Py_ssize_t i
    cdef double total = 0.0
    for i in range(k):
        work[i] = h[i] - (multipliers[i - 1] * work[i - 1] if i > 0 else 0.0)
        total += work[i] * work[i] / pivots[i]
    return total


cdef inline double tridiagonal_model(const double* diag, const double* off, Py_ssize_t k,
                                     double grad0, const double* h) noexcept nogil:
    """γ₀h₁ + ½hᵀTh."""
    cdef Py_ssize_t i
    cdef double total = 0.0, th
    for i in range(k):
        th = diag[i] * h[i]
        if i > 0:
            th += off[i - 1] * h[i - 1]
        if i < k - 1:
            th += off[i] * h[i + 1]
        total += h[i] * th
    return grad0 * h[0] + 0.5 * total


cdef inline void shifted_newton_step(const double* pivots, const double* multipliers, Py_ssize_t k,
                                     double grad0, double* h) noexcept nogil:
    """h = −(T + λI)⁻¹ γ₀ e₁ from the factor of T + λI."""
    cdef Py_ssize_t i
    for i in range(k):
        h[i] = 0.0
    h[0] = -grad0
    solve_factored(pivots, multipliers, k, h)


cdef struct TridiagonalSolution:
    double lam             # the multiplier λ ≥ 0
    double smallest        # θ_min(T), when it was computed (else +inf)
    bint hard_case


cdef inline double boundary_multiplier(const double* diag, const double* off, Py_ssize_t k,
                                       double grad0, double radius, double lam, double step_norm,
                                       double* h, double* pivots, double* multipliers,
                                       double* work) noexcept nogil:
    """λ* with ‖h(λ*)‖ = radius by Newton from a λ where ‖h(λ)‖ > radius (the easy case).

    On entry h = h(λ), of norm `step_norm`, and the factor of T + λI is in
    `pivots`/`multipliers`; on return h = h(λ*).
    """
    cdef int it
    cdef double lam_next
    for it in range(SECULAR_MAXITER):
        if fabs(step_norm - radius) <= SECULAR_TOL * radius:
            break
        lam_next = lam + (step_norm * step_norm
                          / inverse_quadratic(pivots, multipliers, k, h, work)) * (
                              step_norm - radius) / radius
        if not lam_next > lam:
            break    # rounding: no further progress
        if not factor_shifted(diag, off, k, lam_next, pivots, multipliers):
            break    # cannot happen in exact arithmetic (λ only grows)
        lam = lam_next
        shifted_newton_step(pivots, multipliers, k, grad0, h)
        step_norm = sqrt(dot_raw(h, h, k))
    return lam


cdef inline void solve_tridiagonal_subproblem(const double* diag, const double* off, Py_ssize_t k,
                                              double grad0, double radius, double* h,
                                              double* pivots, double* multipliers, double* work,
                                              TridiagonalSolution* out) noexcept nogil:
    """min γ₀h₁ + ½hᵀTh subject to ‖h‖ ≤ radius, exactly (Moré & Sorensen 1983, on T).

    λ* ≥ max(0, −θ_min) with T + λ*I positive semidefinite. When T does not
    factor, θ_min comes from Sturm bisection, so the bracket's lower end is
    known exactly (when T factors it is 0), and the
    Newton iteration on 1/‖h(λ)‖ − 1/radius, which is concave and
    increasing, converges monotonically from the left (MS 1983, §3). When
    even at λ just above −θ_min the step stays inside (γ₀ has no component
    along the eigenvector z of θ_min: the hard case), the step is completed
    to the boundary along z, to the root with the lower model.
    """
    cdef Py_ssize_t i, it
    cdef double theta, lam_low, lam, step_norm, scale, shift
    cdef double tau_low, tau_high, model_low, model_high
    out.hard_case = False
    out.smallest = 1e308
    # Interior first: T positive definite and the Newton step inside.
    if factor_shifted(diag, off, k, 0.0, pivots, multipliers):
        shifted_newton_step(pivots, multipliers, k, grad0, h)
        step_norm = sqrt(dot_raw(h, h, k))
        if step_norm > radius:
            # θ_min > 0 and λ* > 0: Newton from λ = 0, no eigenvalue needed.
            out.lam = boundary_multiplier(diag, off, k, grad0, radius, 0.0, step_norm, h,
                                          pivots, multipliers, work)
        else:
            out.lam = 0.0
        return
    theta = smallest_eigenvalue(diag, off, k)
    out.smallest = theta
    scale = fmax(tridiagonal_norm_bound(diag, off, k), fabs(grad0) / radius)
    lam_low = fmax(0.0, -theta)
    # Just above λ_low, where T + λI factors with a margin bisection cannot spoil.
    shift = 1e-12 * fmax(scale, 1e-300)
    lam = lam_low + shift
    while not factor_shifted(diag, off, k, lam, pivots, multipliers):
        shift *= 10.0
        lam = lam_low + shift
    shifted_newton_step(pivots, multipliers, k, grad0, h)
    step_norm = sqrt(dot_raw(h, h, k))
    if step_norm <= radius and theta >= 0.0:
        out.lam = lam    # T singular and positive semidefinite, the step inside
        return
    if step_norm < radius:
        # Hard case: z by inverse iteration on the (nearly singular) factor.
        inverse_iteration_start(work, k)
        for it in range(3):
            normalize_raw(work, k)
            solve_factored(pivots, multipliers, k, work)
        normalize_raw(work, k)
        boundary_roots_raw(h, work, k, radius, &tau_low, &tau_high)
        for i in range(k):
            multipliers[i] = h[i]   # the factor is no longer needed: keep h there
        for i in range(k):
            h[i] = multipliers[i] + tau_low * work[i]
        model_low = tridiagonal_model(diag, off, k, grad0, h)
        for i in range(k):
            h[i] = multipliers[i] + tau_high * work[i]
        model_high = tridiagonal_model(diag, off, k, grad0, h)
        if model_low < model_high:
            for i in range(k):
                h[i] = multipliers[i] + tau_low * work[i]
        out.lam = lam
        out.hard_case = True
        return
    out.lam = boundary_multiplier(diag, off, k, grad0, radius, lam, step_norm, h, pivots,
                                  multipliers, work)
