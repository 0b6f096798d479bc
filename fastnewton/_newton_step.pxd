# The top of a line-search Newton iteration, written once over both storage
# kinds: the direction (modified Cholesky, or negative curvature at a
# stationary point) and the start of its line search. The single-problem
# driver (`_newton`, through `FactorableHessian.newton_step`) and the batched
# one (`_batch`) both run it.
from fastnewton._blocks cimport (Block, modified_cholesky, factorize, solve,
                                 smallest_curvature, inverse_iteration,
                                 curvature_tolerance)
from fastnewton._line_search cimport LineSearch, WOLFE_MAXITER, wolfe_begin, curvature_begin
from fastnewton._trust_steps cimport (StepReport, StepWork, ExactSettings, WarmStart, SUBPROBLEM_OK,
                                      exact_settings, no_warm_start, more_sorensen_step,
                                      dense_more_sorensen_step)
from fastnewton._dense cimport DenseBlock
from libc.math cimport fmax, fmin, sqrt, INFINITY
from fastnewton._vector cimport dot_raw, norm2_raw

cdef enum NewtonStep:
    NEWTON_SEARCH          # a line search was started (`search`)
    NEWTON_CONVERGED       # stationary, and inverse iteration found no curvature below −tol
    NEWTON_FACTOR_FAILED   # H + τI did not factor even at the Gershgorin ceiling
    NEWTON_NO_DESCENT      # rounding kept the direction from descending


cdef inline double newton_step_bound(double x_norm, double radius) noexcept nogil:
    """The longest step `newton_step` takes as it is: 1.75·max(1, ‖x‖) for ‖x‖ = `x_norm`,
    and at most `radius` (`next_newton_radius`)."""
    return fmin(1.75 * fmax(1.0, x_norm), radius)


cdef inline double next_newton_radius(double radius, bint curvature_search,
                                      double step_length, double direction_norm) noexcept nogil:
    """The bound on the next step, after a search along d that took `step_length`·d.

    Where the search cut a step short, the length it accepted is the bound
    on the next one (`newton_step` takes the Moré–Sorensen step of that
    radius when the Newton step is longer), and a step the search took
    whole raises the bound to twice that step's length if it was below (it
    never lowers it), as a trust radius would grow. Near a minimizer the
    Newton steps are taken whole and shrink, so they stay inside the bound
    and quadratic convergence is untouched; a search on curvature leaves
    the bound as it is. `radius` starts at infinity: no bound until a
    search has cut a step. `direction_norm` is ‖d‖ (of the free variables'
    part, with bounds).

    Why a bound. A modified direction (H + τI with τ > 0) has no natural
    length, since the model it minimizes is not f's: Osborne 2 from x0 (and
    0.99·x0) took the next modified step as long again as one the search
    had cut to α ≈ 0.4, and reached the local minimum f = 0.0876 (x₂ < 0);
    with the bound it reaches f* = 0.0401 in 19 iterations. Why on every
    step, not only modified ones: along a curved valley where H is positive
    definite but nearly singular (exponential fits whose best fit is the
    straight line a → ∞, b → 0), each Newton step overshoots the valley's
    bend, and the search halved it again at nearly every iteration; with
    the bound the first trial usually holds, and a projected-Newton run
    there takes 1.26 values of f per iteration instead of 1.44.
    bench/robustness.py is unchanged at 1, 10 and 100·x0 but for Osborne 1
    from 100·x0, which now ends at a stationary point where it ran to
    maxiter.
    """
    if not curvature_search:
        if step_length < 1.0:
            return step_length * direction_norm
        if radius < INFINITY:
            return fmax(radius, 2.0 * step_length * direction_norm)
    return radius


cdef inline NewtonStep newton_step(Block* h, Py_ssize_t n, const double* grad, double f,
                                   bint stationary, double c1, double c2, double x_norm,
                                   double radius,
                                   double* direction, StepWork* work, LineSearch* search,
                                   double* shift, int* factorizations) noexcept nogil:
    """Choose the direction and start its search.

    Away from stationarity, d solves (H + τI)d = −g with τ ≥ 0 from
    `modified_cholesky`, a descent direction even where H is indefinite,
    searched by strong Wolfe from α = 1 so the full Newton step (and
    quadratic convergence) is kept near a minimizer. A d longer than
    1.75·max(1, ‖x‖) (`x_norm` = ‖x‖) is replaced by the Moré–Sorensen step
    of that radius: along a nearly singular direction of H + τI
    (a small τ, or a nearly singular H) the Newton step is long and points
    where the quadratic model means nothing, and a descent search along it
    walks into asymptotic valleys (exponential fits: a → −∞, c → +∞,
    b → 0, 3–4 % of fits). The trust-region step bends towards −g instead;
    near a minimizer Newton steps are short, so they are kept. The factor
    1.75 is measured (bench/robustness.py): at 1, Beale from 100·x0 follows
    its own asymptotic valley (x₁ → ∞); at 2, 0.6 % of the fits still reach
    theirs. The bound is the smaller of that and `radius` (the driver's
    `next_newton_radius`, from the lengths its searches took). At a
    stationary point (`stationary`: ‖g‖ ≤ gtol where the second-order test
    failed), d is the direction of most negative curvature (inverse iteration
    on the factor of H + τI), taken downhill and searched on curvature.
    `work` is work space; `shift` and `factorizations` report τ and the
    factorizations tried.
    """
    cdef Py_ssize_t i
    cdef double curvature, slope, refined, step_bound
    cdef StepReport report
    cdef ExactSettings settings
    if modified_cholesky(h, n, shift, factorizations):
        return NEWTON_FACTOR_FAILED
    if stationary:
        curvature = smallest_curvature(h, n, shift[0], direction,
                                       work.curvature_product) - shift[0]
        if curvature >= -curvature_tolerance(h, n):
            return NEWTON_CONVERGED
        if dot_raw(grad, direction, n) > 0.0:
            for i in range(n):
                direction[i] = -direction[i]
        curvature_begin(search, f, curvature)
        return NEWTON_SEARCH
    if shift[0] > 0.0:
        # The shift floor of `modified_cholesky` (10⁻³·‖H‖∞) can exceed by
        # orders of magnitude the negative curvature it is there to cure; the
        # direction is then short along exactly the directions of small
        # curvature, and the method crawls (exponential fits with λ_min ≈
        # −3e-4 against ‖H‖ ≈ 2600: 400–500 iterations where trust-exact
        # takes 20). Where inverse iteration (up to ten steps: the curvature
        # sought is tiny next to the others; it stops once the growth has
        # settled to 1e-8, which leaves c within about 1e-8·τ where the two
        # smallest eigenvalues of H + τI are apart, far finer than the test
        # and the shift below need, and saves most of the steps there)
        # finds the most negative curvature c far
        # below τ, the geometric mean √(τ·2|c|) is tried instead, which still
        # leaves H + τI safely positive definite; the step bound below keeps
        # the longer step in check. Measured on bench/robustness.py's MGH
        # starts: this mean solves Box 3-D from 10·x0 and loses nothing;
        # 2|c| itself lost Kowalik–Osborne from 100·x0.
        curvature = inverse_iteration(h, n, shift[0], work.curvature_vector,
                                      work.curvature_product, 10, 1e-8) - shift[0]
        if curvature < 0.0 and -2.0 * curvature < 0.1 * shift[0]:
            factorizations[0] += 1
            refined = sqrt(-2.0 * curvature * shift[0])
            if factorize(h, n, refined) == 0:
                shift[0] = refined
            else:
                factorizations[0] += 1
                factorize(h, n, shift[0])    # back to the factor of the floor shift
    step_bound = newton_step_bound(x_norm, radius)
    for i in range(n):
        direction[i] = -grad[i]
    solve(h, n, direction)
    if norm2_raw(direction, n) > step_bound:
        settings = exact_settings(25)
        if Block is DenseBlock:
            # No warm start: the step bound's solve stands alone.
            dense_more_sorensen_step(h, n, grad, step_bound, direction, &report, work,
                                     &settings, no_warm_start(), NULL)
        else:
            more_sorensen_step(h, n, grad, step_bound, direction, &report, work, &settings,
                               no_warm_start(), NULL)
        factorizations[0] += report.factorizations
        if report.status != SUBPROBLEM_OK:
            return NEWTON_FACTOR_FAILED
    slope = dot_raw(grad, direction, n)
    if not slope < 0.0:
        # Only rounding can make a direction from a positive definite factor
        # fail to descend: there is nothing left to gain.
        return NEWTON_NO_DESCENT
    wolfe_begin(search, f, slope, 1.0, c1, c2, WOLFE_MAXITER)
    return NEWTON_SEARCH
