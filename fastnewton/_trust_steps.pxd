# The per-problem steps of the trust-region methods, written once over both
# storage kinds (`_blocks.Block`): Moré–Sorensen's nearly exact step, the
# dogleg step, the model decrease and the radius update. The single-problem
# storages (`_hessian.FactorableHessian`) and the batched solver (`_batch`)
# run these same functions, so a batch gives `minimize`'s iterates bit for bit.
from libc.float cimport DBL_EPSILON
from libc.math cimport sqrt, fabs, fmax, fmin, isfinite
from fastnewton._bounds cimport CurvatureBounds
from fastnewton._blocks cimport (Block, factorize, solve, matvec, curvature_bounds,
                                 diagonal_min, modified_cholesky, smallest_curvature,
                                 pivot_lower_bound)
from fastnewton._dense cimport DenseBlock
from fastnewton._tridiagonal cimport TridiagonalSolution, solve_tridiagonal_subproblem
from fastnewton._vector cimport (dot_raw, norm2_raw, axpy_raw, copy_raw, boundary_roots_raw)

cdef enum SubproblemStatus:
    SUBPROBLEM_OK
    SUBPROBLEM_FACTORIZATION_FAILED
    SUBPROBLEM_NONFINITE


cdef struct SecularPoint:
    # Where a Moré–Sorensen solve left the secular equation: its last
    # factored λ, ‖p(λ)‖ there and ‖w‖² (R w = p), the data of Newton's step
    # on 1/‖p(λ)‖ − 1/radius. A rejected step's next subproblem has the same
    # H and g and a smaller radius, and starts from it (`more_sorensen_step`).
    double lam
    double step_norm
    double w_norm_sq
    bint valid


cdef struct WarmStart:
    # What a run's last Moré–Sorensen solve leaves for the next one at a new
    # point, whose H and g are near its own (`more_sorensen_step`).
    double lam          # its last positive λ (0 for none)
    bint indefinite     # H did not factor at λ = 0 there (`StepReport.indefinite`)
    bint interior       # its step was the Newton step, inside the region (λ = 0)
    bint hard_case      # its step was completed along z (`StepReport.hard_case`)


cdef inline WarmStart no_warm_start() noexcept nogil:
    """A `WarmStart` with nothing to pass on: the first solve of a run, or one that stands alone."""
    cdef WarmStart warm
    warm.lam = 0.0
    warm.indefinite = False
    warm.interior = False
    warm.hard_case = False
    return warm


cdef struct StepReport:
    double model_decrease      # m(0) − m(p), positive for a useful step
    double step_norm
    double hess_shift          # λ (exact) or τ of the modified Cholesky (dogleg)
    int factorizations         # Cholesky factorizations spent on this step
    bint hits_boundary
    bint hard_case
    bint hessian_modified
    bint negative_curvature
    # `more_sorensen_step`: H itself is not positive definite as far as the
    # solve saw (a factorization at some λ ≥ 0 failed, or, where it skipped
    # λ = 0 on the Lanczos prediction's word, T_k has a negative eigenvalue),
    # or, where it skipped λ = 0 on the warm start's word, not shown otherwise.
    bint indefinite
    SubproblemStatus status
    SecularPoint secular       # `more_sorensen_step` only


cdef struct ExactSettings:
    int maxiter           # most λ iterations
    double k_easy         # |‖p‖ − radius| ≤ k_easy·radius ends the iteration
    double k_hard         # the hard-case test of `hard_case_close_enough`


cdef inline ExactSettings exact_settings(int maxiter) noexcept nogil:
    """The tolerances of the Moré–Sorensen iteration: k_easy = 0.1 and k_hard = 0.2,
    Moré & Sorensen's (1983, §4) suggestions and scipy's, with `maxiter` λ iterations."""
    cdef ExactSettings settings
    settings.maxiter = maxiter
    settings.k_easy = 0.1
    settings.k_hard = 0.2
    return settings


cdef struct StepWork:
    # n-vectors of work space, owned by the caller.
    double* newton_step
    double* secular_work
    double* curvature_vector
    double* curvature_product
    double* hess_step
    double* cauchy_point


# The arithmetic of the Moré–Sorensen iteration.

cdef struct LambdaBracket:
    double lower, upper   # λ* ∈ [lower, upper]
    double bump           # how far to raise `upper` when H + upper·I still fails to factor


cdef inline void start_bracket(LambdaBracket* bracket, const CurvatureBounds* bounds,
                               double gnorm, double radius) noexcept nogil:
    """The safeguards of Moré & Sorensen (1983, §3) from the Gershgorin and norm bounds.

    λ_upper is safe in exact arithmetic; when −λ_min sits at it (‖g‖/radius
    below rounding) it can still fail, and is then raised by growing bumps.
    """
    bracket.lower = fmax(0.0, fmax(-bounds.diag_min, gnorm / radius - fmin(
        bounds.gershgorin_upper, fmin(bounds.frobenius_norm, bounds.inf_norm))))
    bracket.upper = fmax(0.0, gnorm / radius + fmin(
        -bounds.gershgorin_lower, fmin(bounds.frobenius_norm, bounds.inf_norm)))
    bracket.bump = 1e-14 * fmax(bounds.frobenius_norm, 1e-300)


cdef inline double first_lambda(const LambdaBracket* bracket, bint newton_tried,
                                bint newton_failed, double lam_newton,
                                double lam_previous) noexcept nogil:
    """λ to try first: the secular Newton step from λ = 0 when H factored and it
    lies in the bracket; else the previous subproblem's λ when it lies in the
    bracket; 0 when nothing excludes it and H was not tried; else the
    safeguarded `next_lambda`.

    Consecutive subproblems (a rejected step's smaller radius, or the next
    point's slightly different H and g) have nearby λ, so the previous λ
    saves the factorizations of walking in from the loose bracket of
    `start_bracket` (where H is indefinite, as on the trigonometric function).
    """
    if newton_tried and not newton_failed and bracket.lower < lam_newton < bracket.upper:
        return lam_newton
    if bracket.lower < lam_previous < bracket.upper:
        return lam_previous
    if bracket.lower == 0.0 and not newton_tried:
        return 0.0
    return next_lambda(bracket.lower, bracket.upper)


cdef inline void raise_lower(LambdaBracket* bracket, double lam_lower) noexcept nogil:
    """Raise the bracket's lower end to `lam_lower`, a lower bound on −λ_min;
    where rounding puts it at the upper end, raise that by the growing bump."""
    bracket.lower = fmax(bracket.lower, lam_lower)
    if bracket.lower >= bracket.upper:
        bracket.upper = bracket.lower + bracket.bump
        bracket.bump *= 4.0


cdef inline double after_indefinite(LambdaBracket* bracket, double lam,
                                    double lam_pivot) noexcept nogil:
    """The next λ when H + λI did not factor: λ, and `lam_pivot` from the
    failing pivot (`_blocks.pivot_lower_bound`), are below −λ_min."""
    raise_lower(bracket, fmax(lam, lam_pivot))
    return next_lambda(bracket.lower, bracket.upper)


cdef inline void remember_solve(WarmStart* warm, const StepReport* report) noexcept nogil:
    """Keep what a `more_sorensen_step` solve leaves for the next one at a new point.

    Whether H was indefinite, whether the step was interior or in the hard
    case, and λ when positive (a λ of 0 keeps the last positive one: the
    next H is likely to need about as much).
    """
    warm.indefinite = report.indefinite
    warm.interior = report.hess_shift == 0.0
    warm.hard_case = report.hard_case
    if report.hess_shift > 0.0:
        warm.lam = report.hess_shift


cdef inline bint singular_by_rounding(const LambdaBracket* bracket, double lam_pivot,
                                      double lam_floor) noexcept nogil:
    """Whether H failed to factor at λ = 0 by rounding alone, so that λ_floor is the λ to try next.

    The failing pivot bounds −λ_min only by `lam_pivot` ≤ λ_floor: H is
    positive semidefinite and singular to rounding (a rank-deficient
    least-squares Hessian), where λ* is 0 or the hard case at λ_floor.
    The safeguard would instead walk down from the bracket's upper end by a
    factor of 100 per factorization (MGH linear rank 1: 4 factorizations a
    step where 2 do).
    """
    return lam_pivot <= lam_floor and bracket.lower < lam_floor < bracket.upper


cdef inline double secular_newton(double lam, double step_norm, double w_norm_sq,
                                  double radius) noexcept nogil:
    """Newton's step on 1/‖p(λ)‖ − 1/radius, with ‖w‖² from L w = p (Moré & Sorensen 1983, eq. 3.4)."""
    return lam + (step_norm * step_norm / w_norm_sq) * (step_norm - radius) / radius


cdef inline double inside_or_safeguarded(const LambdaBracket* bracket,
                                         double lam_newton) noexcept nogil:
    """The Newton λ when it lies strictly inside the bracket, else `next_lambda`."""
    if lam_newton > bracket.lower and lam_newton < bracket.upper:
        return lam_newton
    return next_lambda(bracket.lower, bracket.upper)


cdef inline bint hard_case_close_enough(double tau, double z_curvature, double step_curvature,
                                        double lam, double radius, double k_hard) noexcept nogil:
    """τ²zᵀ(H + λI)z ≤ k_hard·(pᵀ(H + λI)p + λ·radius²): p + τz is near optimal (Moré & Sorensen 1983, Lemma 3.4)."""
    return tau * tau * z_curvature <= k_hard * (step_curvature + lam * radius * radius)


cdef inline double next_lambda(double lam_lower, double lam_upper) noexcept nogil:
    """The safeguarded trial λ inside the bracket (Moré & Sorensen 1983, eq. 3.13)."""
    if lam_upper - lam_lower <= 1e-12 * lam_upper:
        return lam_upper
    return fmax(sqrt(lam_lower * lam_upper), lam_lower + 0.01 * (lam_upper - lam_lower))


cdef inline double boundary_multiple_raw(const double* p, const double* z, Py_ssize_t n,
                                         double lam, double z_curvature,
                                         double radius) noexcept nogil:
    """τ with ‖p + τz‖ = radius, of the two roots the one with the lower model.

    m(p + τz) − m(p) = −λτ zᵀp + ½τ² zᵀHz, since Hp = −g − λp, and
    zᵀHz = z_curvature − λ for the unit z. Shared with the batched kernel.
    """
    cdef double tau_low, tau_high, z_dot_p = dot_raw(z, p, n)
    boundary_roots_raw(p, z, n, radius, &tau_low, &tau_high)
    if (-lam * tau_low * z_dot_p + 0.5 * tau_low * tau_low * (z_curvature - lam)
            <= -lam * tau_high * z_dot_p + 0.5 * tau_high * tau_high * (z_curvature - lam)):
        return tau_low
    return tau_high


cdef inline void lay_out_work(StepWork* work, double* memory, Py_ssize_t n) noexcept nogil:
    """Point the six n-vectors of `work` into `memory` (6·n doubles)."""
    work.newton_step = memory
    work.secular_work = memory + n
    work.curvature_vector = memory + 2 * n
    work.curvature_product = memory + 3 * n
    work.hess_step = memory + 4 * n
    work.cauchy_point = memory + 5 * n


cdef inline double model_decrease(Block* h, Py_ssize_t n, const double* grad, const double* step,
                                  StepWork* work) noexcept nogil:
    """m(0) − m(p) = −(gᵀp + ½pᵀHp)."""
    matvec(h, n, step, work.hess_step)
    return -(dot_raw(grad, step, n) + 0.5 * dot_raw(step, work.hess_step, n))


cdef inline double trust_ratio(double f, double f_trial, double predicted) noexcept nogil:
    """ρ = actual / predicted decrease, both raised by the rounding error of f.

    Near a minimizer both decreases sink to the rounding error of f; adding
    that error to both keeps ρ meaningful there (Conn, Gould & Toint 2000,
    §17.4.2) instead of rejecting steps on noise. It is relative to |f| so
    that scaling f does not change the iterates.
    """
    cdef double rounding = 10.0 * DBL_EPSILON * fabs(f)   # 10 ε |f|
    return (f - f_trial + rounding) / (predicted + rounding)


cdef inline double radius_cap(double max_radius, bint relative, const double* x,
                              Py_ssize_t n) noexcept nogil:
    """The largest radius at x: `max_radius`, times max(1, ‖x‖) when `relative`.

    A relative cap follows the scale of the variables, so a minimizer far
    from x0 is reached in steps that double, not in steps of a fixed length
    (see `_options.trust_radius_policy`).
    """
    if relative:
        return max_radius * fmax(1.0, norm2_raw(x, n))
    return max_radius


cdef inline double first_radius(double gnorm, double grad_curvature, double max_radius,
                                bint relative, const double* x0, Py_ssize_t n) noexcept nogil:
    """The initial radius when the user gives none, at most the cap.

    The length of the Cauchy step, ‖g‖³ / gᵀHg (`grad_curvature` = gᵀHg at
    x0): the minimizer of the model along −g, so the first step is the
    length the problem's own scale suggests rather than 1. Where the model
    has no minimizer along −g (gᵀHg ≤ 0, or g = 0 at a saddle), max(1, ‖x0‖).
    """
    cdef double radius = gnorm * gnorm * gnorm / grad_curvature if grad_curvature > 0.0 else 0.0
    if not radius > 0.0:
        radius = fmax(1.0, norm2_raw(x0, n))
    return fmin(radius, radius_cap(max_radius, relative, x0, n))


cdef inline double next_radius(double rho, double radius, bint hits_boundary,
                               double cap, bint learns) noexcept nogil:
    """Nocedal & Wright (2006), Alg. 4.1, with scipy's constants, so iteration
    counts compare with scipy's one for one; `cap` from `radius_cap`.

    With `learns` (trust-exact with SR1, which updates B from a refused
    trial too, where f there is finite) a refused step halves the radius
    instead of quartering it, as in Nocedal & Wright's SR1 trust-region
    method (Alg. 6.2): the next model has been corrected along the direction
    that failed (unless SR1's denominator test skips the pair), and the
    exact subproblem uses that correction in full; a milder cut leaves it
    room to act. A trial where f is not finite teaches B nothing, and is
    quartered: halved, 200 log-barrier problems made 5134 calls outside the
    domain against 2918. Measured with the gradient only
    (bench/quasi_newton.py): over the 13 classic problems the median
    gradient evaluations went from 37 to 33 (Rosenbrock n = 10: 96 to 81). Over the MGH set the same problems were
    solved from x0; from 10·x0 Beale and Biggs EXP6 were gained and
    Kowalik–Osborne lost, and from 100·x0 Beale was gained. BFGS learns from
    accepted steps only and measured no better with ½; dogleg with SR1 lost
    an MGH problem at x0 and one at 10·x0 with it: both keep scipy's ¼.
    """
    if rho < 0.25:
        return (0.5 if learns else 0.25) * radius
    if rho > 0.75 and hits_boundary:
        return fmin(2.0 * radius, cap)
    return radius


cdef inline void clear_report(StepReport* report) noexcept nogil:
    report.hard_case = False
    report.hessian_modified = False
    report.negative_curvature = False
    report.indefinite = False
    report.hits_boundary = False
    report.model_decrease = 0.0
    report.step_norm = 0.0
    report.hess_shift = 0.0
    report.factorizations = 0
    report.status = SUBPROBLEM_OK
    report.secular.valid = False


cdef inline void newton_solution(Block* h, Py_ssize_t n, const double* grad, double* p) noexcept nogil:
    """p = −(H + shift·I)⁻¹ g with the current factor."""
    cdef Py_ssize_t i
    for i in range(n):
        p[i] = -grad[i]
    solve(h, n, p)


cdef inline double secular_step(Block* h, Py_ssize_t n, const double* p, double step_norm,
                                double lam, double radius, double* w,
                                SecularPoint* point) noexcept nogil:
    """Newton's λ for 1/‖p(λ)‖ − 1/radius = 0: needs ‖w‖² with R w = p (Moré & Sorensen 1983, eq. 3.4).

    λ, ‖p(λ)‖ and ‖w‖² are recorded in `point`, for a rejected step's next
    solve; the caller sets ``point.valid`` where the solve ends at this λ.
    """
    copy_raw(p, w, n)
    solve(h, n, w, True)
    point.lam = lam
    point.step_norm = step_norm
    point.w_norm_sq = dot_raw(w, w, n)
    return secular_newton(lam, step_norm, point.w_norm_sq, radius)


# Dense Hessians of at least this order start the Moré–Sorensen iteration at
# λ predicted by Lanczos (`krylov_multiplier`): a product with H costs 2n²
# flops against the n³/3 of a factorization, and the steps of a prediction
# are capped at n/6, so that even a prediction that fails costs at most one
# factorization (a prediction took 18–24 steps on the trigonometric function
# and an indefinite quartic at n = 1000).
cdef enum:
    KRYLOV_START_ORDER = 200
    KRYLOV_START_STEPS = 40     # most Lanczos steps of one prediction


cdef inline bint krylov_multiplier(Block* h, Py_ssize_t n, const double* grad, double radius,
                                   StepWork* work, double* lam, bint* indefinite) noexcept nogil:
    """Predict the subproblem's λ* from Lanczos on H started at g; False when it cannot.

    k steps of Lanczos give T_k = Q_kᵀHQ_k, and the subproblem restricted to
    the Krylov space, min ‖g‖h₁ + ½hᵀT_k h subject to ‖h‖ ≤ radius, is
    solved exactly on T_k (`_tridiagonal`, GLTR's reduced problem). Once its
    residual ‖(H + λ_k I)Q_k h + g‖ = β_k·|h_k| is at most 3 % of ‖g‖, λ_k is
    taken as the prediction. No reorthogonalization: only λ is kept, and on
    the problems above it made no difference to where the prediction landed.
    A hard case of T_k, or no such residual within min(`KRYLOV_START_STEPS`,
    n/6) steps, gives no prediction. Where g (nearly) misses the eigenvector
    of λ_min, the Krylov space does too, and λ_k comes out below −λ_min: the
    caller's bracket and failed factorizations correct that, and after a
    rejection the caller does not predict below what it already knows.
    `indefinite` is set where T_k has a negative eigenvalue, which proves H
    indefinite (Cauchy interlacing). Uses `work.newton_step`,
    `curvature_vector` and `curvature_product`, which the solve overwrites
    before it reads them.
    """
    cdef double diag[KRYLOV_START_STEPS]
    cdef double off[KRYLOV_START_STEPS]
    cdef double reduced_step[KRYLOV_START_STEPS]
    cdef double pivots[KRYLOV_START_STEPS]
    cdef double multipliers[KRYLOV_START_STEPS]
    cdef double reduced_work[KRYLOV_START_STEPS]
    cdef TridiagonalSolution solution
    cdef double* q = work.newton_step
    cdef double* q_previous = work.curvature_vector
    cdef double* v = work.curvature_product
    cdef double* spare
    cdef double gnorm = norm2_raw(grad, n), beta = 0.0, alpha
    cdef Py_ssize_t i, k
    indefinite[0] = False
    if not gnorm > 0.0:
        return False
    for i in range(n):
        q[i] = grad[i] / gnorm
        q_previous[i] = 0.0
    for k in range(1, min(<Py_ssize_t>KRYLOV_START_STEPS, n // 6) + 1):
        matvec(h, n, q, v)
        for i in range(n):
            v[i] -= beta * q_previous[i]
        alpha = dot_raw(q, v, n)
        axpy_raw(-alpha, q, v, v, n)
        beta = norm2_raw(v, n)
        if not (isfinite(alpha) and isfinite(beta)):
            return False     # the tridiagonal solve needs a finite T
        diag[k - 1] = alpha
        off[k - 1] = 0.0
        solve_tridiagonal_subproblem(diag, off, k, gnorm, radius, reduced_step, pivots,
                                     multipliers, reduced_work, &solution)
        indefinite[0] = solution.smallest < 0.0
        if solution.hard_case:
            return False
        if beta * fabs(reduced_step[k - 1]) <= 0.03 * gnorm:
            lam[0] = solution.lam
            return True
        off[k - 1] = beta
        spare = q_previous
        q_previous = q
        q = v
        v = spare
        for i in range(n):
            q[i] /= beta
    return False


cdef inline void more_sorensen_step(Block* h, Py_ssize_t n, const double* grad, double radius,
                                    double* step, StepReport* report, StepWork* work,
                                    const ExactSettings* settings,
                                    WarmStart warm, const SecularPoint* retry) noexcept nogil:
    """Nearly exact trust-region step by the safeguarded λ iteration of Moré & Sorensen (1983).

    The solution is p(λ) = −(H + λI)⁻¹g with H + λI positive semidefinite and
    λ(radius − ‖p‖) = 0. λ is bracketed by Gershgorin-type bounds
    (Conn, Gould & Toint 2000, §7.3.8), updated by Newton's method on the
    secular equation, and moved back into the bracket when Newton leaves it.
    In the hard case (g nearly orthogonal to the eigenvectors of the smallest
    eigenvalue) the step is completed with a vector z of small curvature, by
    inverse iteration on the factor of H + λI, so that ‖p + τz‖ = radius
    (Moré & Sorensen, Lemma 3.4). `warm.lam` is the last positive λ of
    the run (0 for none), tried first when it lies in the bracket. Where the
    last solve found H indefinite (`warm.indefinite`), λ = 0 is not tried
    first: H at a nearby point is most likely indefinite too, and its
    factorization would fail (bench/robustness.py, dense n = 1000, an
    indefinite quadratic plus a quartic: 226 factorizations in 83 iterations,
    one of them wasted in most, against 172 without); λ = 0 is still tried
    when the step at the warm λ is short, nothing shows λ* > 0, and the
    secular Newton step or the hard-case test points to it. `retry`
    (NULL when H or g changed) is the `SecularPoint` of the previous solve of
    the same H and g, for a rejected step's smaller radius: where its step was
    longer than this radius, λ* lies above its λ, and Newton's step on the
    secular equation from there is the first λ, without the factorizations
    of trying λ = 0 and `warm.lam` again (on the trigonometric function,
    half of the factorizations of a run went to rejected steps). Where
    H + λI fails to factor, the failing pivot raises the lower end of the
    bracket past λ (`_blocks.pivot_lower_bound`, dense storage).

    For dense H of order `KRYLOV_START_ORDER` or more, the first λ comes from
    `krylov_multiplier` where it gives one, fresh or after a rejection
    (λ = 0 first only where it predicts 0): at n = 1000, the warm λ and the
    retry's Newton step rarely landed within k_easy in one factorization
    (λ moves by factors of 1.5 to 7 between accepted points), and trying
    λ = 0 on an indefinite H spent one more. Factorizations per solve on the
    trigonometric function at n = 1000: 2.30 → 1.40. It is not asked after
    an interior step at an H not shown indefinite, nor after a hard case,
    and after a rejection a prediction below the retry's Newton step is not
    taken: in (nearly) hard cases the Krylov space of g misses the
    eigenvector of λ_min and the prediction falls below −λ_min.

    λ within rounding of zero, below λ_floor = 10·n·ε·min{h_ii > 0}, cannot
    be told from zero: H + λI factors there or not by rounding alone. (The
    smallest diagonal, not ‖H‖: Cholesky's rounding follows each diagonal's
    scale, and on a badly scaled H, Meyer's, a λ_floor from ‖H‖ would
    swamp the small curvatures that matter.) When the step
    is short and neither the secular Newton step nor the bracket's lower end
    says otherwise, λ_floor is tried next, and a step still short there is
    completed along z and taken (the model then misses its minimum by at most
    ½λ_floor·radius², rounding). Otherwise λ would creep down by the
    safeguard's factor 100 per factorization towards a λ* of 0 that
    only rounding separates from the hard case (linear rank 1: ten
    factorizations per step). For the same reason, where H fails to factor
    at λ = 0 by rounding alone (`singular_by_rounding`), λ_floor is the
    next λ tried.
    """
    cdef Py_ssize_t i, it
    cdef CurvatureBounds bounds
    cdef double gnorm = norm2_raw(grad, n), lam, lam_floor
    cdef double step_norm = 0.0, z_curvature, tau, step_curvature
    cdef LambdaBracket bracket
    cdef double step_lambda = 0.0, lam_newton = 0.0, lam_pivot = 0.0
    cdef bint have_step = False, newton_tried, newton_failed = False, completes
    cdef int failed_column
    cdef double* p = work.newton_step
    cdef double* z = work.curvature_vector
    cdef bint retrying = retry != NULL and retry.valid and retry.step_norm > radius
    cdef bint zero_skipped = False     # λ = 0 passed over, not yet tried
    cdef bint predicted = False, krylov_indefinite = False
    cdef double lam_krylov = 0.0, lam_retry
    clear_report(report)
    if Block is DenseBlock:
        # No prediction after a hard case, at this H or the last point's (the
        # Krylov space of g misses the eigenvector that decides λ*, most
        # likely again, and the warm λ of that solve is the better start), nor
        # after an interior step at an H not shown indefinite (the next step
        # is likely interior too, found at λ = 0 without the products).
        # (`warm` is the last solve's, at this H after a rejection: a solve of
        # the same H that ended inside this radius was one of the two.)
        if (n >= KRYLOV_START_ORDER and not warm.hard_case
                and (warm.indefinite or not warm.interior)):
            predicted = krylov_multiplier(h, n, grad, radius, work, &lam_krylov,
                                          &krylov_indefinite)
    newton_tried = not retrying and diagonal_min(h, n) > 0.0
    if newton_tried and (lam_krylov > 0.0 if predicted
                         else warm.indefinite and warm.lam > 0.0):
        newton_tried = False
        zero_skipped = True
    if not newton_tried:
        # A retry has the last solve's H; otherwise H has a diagonal ≤ 0, is
        # shown indefinite by T_k where λ = 0 is skipped on the prediction's
        # word, or is taken to be indefinite on the warm start's word.
        if retrying:
            report.indefinite = warm.indefinite
        elif predicted and zero_skipped:
            report.indefinite = krylov_indefinite
        else:
            report.indefinite = True
    if newton_tried:
        # Try the Newton step first: inside the region it is the answer,
        # and the O(n²) bounds below are never needed.
        report.factorizations += 1
        failed_column = factorize(h, n, 0.0)
        newton_failed = failed_column != 0
        report.indefinite = newton_failed
        if newton_failed:
            lam_pivot = pivot_lower_bound(h, n, 0.0, failed_column, work.secular_work)
        else:
            newton_solution(h, n, grad, p)
            step_norm = norm2_raw(p, n)
            if step_norm <= radius:
                copy_raw(p, step, n)
                report.step_norm = step_norm
                report.hits_boundary = step_norm >= (1.0 - settings.k_easy) * radius
                report.model_decrease = model_decrease(h, n, grad, step, work)
                # Recorded for a retry; its Newton λ is not needed.
                secular_step(h, n, p, step_norm, 0.0, radius, work.secular_work,
                             &report.secular)
                report.secular.valid = True
                return
            # Too long: the secular-equation Newton step from λ = 0 is the
            # best first λ.
            lam_newton = secular_step(h, n, p, step_norm, 0.0, radius, work.secular_work,
                                      &report.secular)
    curvature_bounds(h, n, &bounds)
    start_bracket(&bracket, &bounds, gnorm, radius)
    raise_lower(&bracket, lam_pivot)
    lam_floor = 10.0 * n * DBL_EPSILON * bounds.diag_min_positive
    if retrying:
        bracket.lower = fmax(bracket.lower, retry.lam)
        # Newton's step on the secular equation from the left stays below λ*
        # (the easy case): a prediction below it has missed the bottom of
        # H's spectrum.
        lam_retry = secular_newton(retry.lam, retry.step_norm, retry.w_norm_sq, radius)
        if predicted and lam_krylov > lam_retry and bracket.lower < lam_krylov < bracket.upper:
            lam = lam_krylov
        else:
            lam = inside_or_safeguarded(&bracket, lam_retry)
    elif predicted and not newton_tried and bracket.lower < lam_krylov < bracket.upper:
        lam = lam_krylov     # else as without a prediction
    else:
        lam = first_lambda(&bracket, newton_tried, newton_failed, lam_newton, warm.lam)
        if (newton_failed and lam != warm.lam
                and singular_by_rounding(&bracket, lam_pivot, lam_floor)):
            lam = lam_floor
    for it in range(settings.maxiter):
        report.factorizations += 1
        failed_column = factorize(h, n, lam)
        if lam == 0.0:
            zero_skipped = False
            report.indefinite = failed_column != 0
        if failed_column != 0:
            report.indefinite = True     # H + λI with λ ≥ 0 is not positive definite
            lam_pivot = pivot_lower_bound(h, n, lam, failed_column, work.secular_work)
            if lam == 0.0 and singular_by_rounding(&bracket, lam_pivot, lam_floor):
                lam = lam_floor
            else:
                lam = after_indefinite(&bracket, lam, lam_pivot)
            continue
        newton_solution(h, n, grad, p)
        step_norm = norm2_raw(p, n)
        have_step = True
        step_lambda = lam
        if step_norm <= radius and lam == 0.0:
            break   # interior: the Newton step fits
        lam_newton = secular_step(h, n, p, step_norm, lam, radius, work.secular_work,
                                  &report.secular)
        if fabs(step_norm - radius) <= settings.k_easy * radius:
            report.secular.valid = True
            break   # on the boundary to the accuracy asked
        if step_norm < radius:
            # λ > 0 and the step is short: either λ is too large, or we are
            # in the hard case and must add a component along z.
            z_curvature = smallest_curvature(h, n, lam, z, work.curvature_product)
            tau = boundary_multiple_raw(p, z, n, lam, z_curvature, radius)
            step_curvature = -dot_raw(p, grad, n)   # pᵀ(H + λI)p
            completes = lam <= lam_floor or hard_case_close_enough(
                tau, z_curvature, step_curvature, lam, radius, settings.k_hard)
            if (zero_skipped and bracket.lower == 0.0
                    and z_curvature - lam > lam_floor
                    and (completes or lam_newton <= 0.0)):
                # Short at the warm start's λ, with nothing to show λ* > 0
                # (the curvature along z is positive in H itself, beyond
                # rounding), and Newton's λ or the hard-case test points to
                # 0: H may be positive definite by now, with an interior
                # Newton step that only λ = 0 gives (a completion along z
                # would trade it for a boundary step, and Newton's rate with it).
                bracket.upper = lam
                lam = 0.0
                continue
            if completes:
                report.secular.valid = True    # recorded by `secular_step` above
                axpy_raw(tau, z, p, p, n)
                report.hard_case = True
                break
            bracket.upper = lam
            bracket.lower = fmax(bracket.lower, lam - z_curvature)
            if (not bracket.lower < lam_newton < bracket.upper
                    and bracket.lower < lam_floor < bracket.upper):
                lam = lam_floor
                continue
        else:
            bracket.lower = lam
        lam = inside_or_safeguarded(&bracket, lam_newton)
    if not have_step:
        # Out of iterations without a positive definite H + λI: step from
        # the safe end of the bracket, completed to the boundary along z.
        lam = bracket.upper
        while factorize(h, n, lam) != 0:
            report.factorizations += 1
            if report.factorizations > settings.maxiter + 200:
                report.status = SUBPROBLEM_FACTORIZATION_FAILED
                return
            lam += bracket.bump
            bracket.bump *= 4.0
        report.factorizations += 1
        newton_solution(h, n, grad, p)
        step_lambda = lam
        if norm2_raw(p, n) < radius and lam > 0.0:
            z_curvature = smallest_curvature(h, n, lam, z, work.curvature_product)
            axpy_raw(boundary_multiple_raw(p, z, n, lam, z_curvature, radius), z, p, p, n)
            report.hard_case = True
    step_norm = norm2_raw(p, n)
    if step_norm > radius:
        # Out of iterations above the boundary: pull back onto it.
        for i in range(n):
            p[i] *= radius / step_norm
    copy_raw(p, step, n)
    report.hess_shift = step_lambda
    report.step_norm = norm2_raw(step, n)
    report.hits_boundary = report.step_norm >= (1.0 - settings.k_easy) * radius
    report.model_decrease = model_decrease(h, n, grad, step, work)


cdef inline void dense_more_sorensen_step(DenseBlock* h, Py_ssize_t n, const double* grad,
                                          double radius, double* step, StepReport* report,
                                          StepWork* work, const ExactSettings* settings,
                                          WarmStart warm, const SecularPoint* retry) noexcept nogil:
    """`more_sorensen_step` on a dense block, with the order a literal up to 6.

    With the order a literal, the compiler compiles a copy of the step for
    each order (GCC: inlined or cloned) with the kernels' loops unrolled;
    their trip counts of 1 to 3 otherwise cost more than their arithmetic (at
    n = 3 a step takes about 40 % less time). Same operations in the same
    order, so the same numbers. Both the batched blocks (`_batch`) and the
    single-problem storages (`_hessian`, with the reduced H[F, F] of the
    bounded methods) take it.
    """
    if n == 1:
        more_sorensen_step(h, 1, grad, radius, step, report, work, settings, warm, retry)
    elif n == 2:
        more_sorensen_step(h, 2, grad, radius, step, report, work, settings, warm, retry)
    elif n == 3:
        more_sorensen_step(h, 3, grad, radius, step, report, work, settings, warm, retry)
    elif n == 4:
        more_sorensen_step(h, 4, grad, radius, step, report, work, settings, warm, retry)
    elif n == 5:
        more_sorensen_step(h, 5, grad, radius, step, report, work, settings, warm, retry)
    elif n == 6:
        more_sorensen_step(h, 6, grad, radius, step, report, work, settings, warm, retry)
    else:
        more_sorensen_step(h, n, grad, radius, step, report, work, settings, warm, retry)


cdef inline void dogleg_step(Block* h, Py_ssize_t n, const double* grad, double radius,
                             double* step, StepReport* report, StepWork* work) noexcept nogil:
    """Powell's dogleg path from the Cauchy point to the Newton point.

    For an indefinite H the Newton point comes from the modified Cholesky
    factorization of H + τI (τ reported), and three candidates are compared
    on the true model: that dogleg step, the Cauchy point of the true model,
    and a step to the boundary along the direction of most negative
    curvature (inverse iteration on the factor of H + τI). The best is
    taken, so every step keeps the Cauchy decrease that global convergence
    needs (Nocedal & Wright 2006, §4.1–4.2) and a stationary saddle is left
    along negative curvature. scipy's dogleg stops instead.
    """
    cdef Py_ssize_t i
    cdef double shift = 0.0, gnorm = norm2_raw(grad, n), curvature, tau_low, tau_high
    cdef double newton_norm, cauchy_norm, best_decrease, decrease, sign
    cdef double* newton_point = work.newton_step
    cdef double* cauchy_point = work.cauchy_point
    cdef double* grad_product = work.curvature_product
    cdef double* z = work.curvature_vector
    clear_report(report)
    if modified_cholesky(h, n, &shift, &report.factorizations):
        report.status = SUBPROBLEM_FACTORIZATION_FAILED
        return
    report.hess_shift = shift
    report.hessian_modified = shift > 0.0
    newton_solution(h, n, grad, newton_point)
    newton_norm = norm2_raw(newton_point, n)
    matvec(h, n, grad, grad_product)
    curvature = dot_raw(grad, grad_product, n)
    report.hits_boundary = True
    if newton_norm <= radius:
        copy_raw(newton_point, step, n)
        report.hits_boundary = False
    else:
        # The unconstrained minimizer along −g of the (possibly shifted) model of the path.
        for i in range(n):
            cauchy_point[i] = -(gnorm * gnorm / (curvature + shift * gnorm * gnorm)) * grad[i]
        cauchy_norm = norm2_raw(cauchy_point, n)
        if cauchy_norm >= radius:
            for i in range(n):
                step[i] = -(radius / gnorm) * grad[i]
        else:
            for i in range(n):
                newton_point[i] -= cauchy_point[i]
            boundary_roots_raw(cauchy_point, newton_point, n, radius, &tau_low, &tau_high)
            axpy_raw(tau_high, newton_point, cauchy_point, step, n)
    best_decrease = model_decrease(h, n, grad, step, work)
    if report.hessian_modified and gnorm > 0.0:
        # The Cauchy point of the true model: to the boundary along −g when
        # the curvature there is not positive.
        if curvature <= 0.0:
            cauchy_norm = radius
        else:
            cauchy_norm = fmin(gnorm * gnorm / curvature, radius / gnorm) * gnorm
        decrease = cauchy_norm * gnorm - 0.5 * curvature * (cauchy_norm / gnorm) ** 2
        if decrease > best_decrease:
            for i in range(n):
                step[i] = -(cauchy_norm / gnorm) * grad[i]
            best_decrease = decrease
            report.hits_boundary = cauchy_norm >= radius
            report.negative_curvature = curvature <= 0.0
    if report.hessian_modified:
        # Along the most negative curvature, to the boundary, downhill.
        curvature = smallest_curvature(h, n, shift, z, grad_product) - shift
        if curvature < 0.0:
            sign = -1.0 if dot_raw(grad, z, n) > 0.0 else 1.0
            decrease = -(sign * radius * dot_raw(grad, z, n) + 0.5 * radius * radius * curvature)
            if decrease > best_decrease:
                for i in range(n):
                    step[i] = sign * radius * z[i]
                best_decrease = decrease
                report.hits_boundary = True
                report.negative_curvature = True
    report.model_decrease = best_decrease
    report.step_norm = norm2_raw(step, n)
