# The line searches of the Newton method as state machines, written once for
# the single-problem driver (`StrongWolfeSearch`, `_newton`) and the batched
# one (`_batch`): a search says what it wants next (`ask`), the caller
# evaluates it, for one point or for every problem of a batch at once, and
# hands the number back.
from libc.math cimport isfinite, fabs, sqrt, fmin, fmax, INFINITY, NAN, isnan
from fastnewton._objective cimport Objective

cdef enum SearchAsk:
    ASK_VALUE              # f at x + trial_length()·d
    ASK_SLOPE              # ∇f there: sufficient decrease held, the curvature condition decides
    ASK_ROUNDING_SLOPE     # ∇f there: the change in f is at rounding level, the slope decides
    ASK_FINAL_GRADIENT     # ∇f at x + alpha·d, the step a curvature search accepted
    ACCEPT_TRIAL           # the step is x + alpha·d, the last point whose gradient was asked
    ACCEPT_LOW             # the step is x + low·d, whose gradient the caller kept
    GIVE_UP

cdef struct LineSearch:
    double c1, c2
    double f0, slope0          # φ(0) and φ'(0) = ∇fᵀd (Wolfe), or dᵀHd < 0 (curvature search)
    double alpha, f_alpha      # the current trial step and its value
    # The Wolfe bracket: `low` is the best step with sufficient decrease so
    # far, `high` the other end once bracketed. The curvature search keeps
    # its best value in f_low.
    double low, f_low, slope_low, high, f_high, slope_high
    int evaluations, maxiter
    bint bracketed, nonfinite
    bint curvature_search, doubling
    SearchAsk ask

cdef enum:
    WOLFE_MAXITER = 40         # most values per Wolfe search
    HALVINGS = 60              # most values per curvature search while halving
    DOUBLINGS = 40             # and while doubling


cdef inline double interpolate(double a, double fa, double da, double b, double fb,
                               double db) noexcept nogil:
    """Minimizer of the cubic (or quadratic, when db is NaN) matching φ at a and b, kept inside the bracket."""
    cdef double lower = fmin(a, b), upper = fmax(a, b), width = upper - lower, t, d1, d2, disc
    if not isfinite(fb):
        t = 0.5 * (a + b)
    elif isnan(db):
        disc = 2.0 * (fb - fa - da * (b - a))
        t = a - da * (b - a) * (b - a) / disc if disc > 0.0 else 0.5 * (a + b)
    else:
        d1 = da + db - 3.0 * (fa - fb) / (a - b)
        disc = d1 * d1 - da * db
        if disc < 0.0:
            t = 0.5 * (a + b)
        else:
            d2 = sqrt(disc) if b > a else -sqrt(disc)
            t = b - (b - a) * (db + d2 - d1) / (db - da + 2.0 * d2)
    if not isfinite(t):
        t = 0.5 * (a + b)
    # Keep 10% of the bracket away from its ends.
    return fmin(fmax(t, lower + 0.1 * width), upper - 0.1 * width)


cdef inline void wolfe_begin(LineSearch* s, double f0, double slope0, double alpha, double c1,
                             double c2, int maxiter) noexcept nogil:
    """Start a strong Wolfe search (Nocedal & Wright 2006, Alg. 3.5–3.6) from step `alpha`.

    φ(α) = f(x + αd) must satisfy φ(α) ≤ φ(0) + c1·α·φ'(0) and
    |φ'(α)| ≤ c2·|φ'(0)|. A bracketing phase is followed by a zoom that
    interpolates by cubics (by quadratics when the slope at the far end is
    not known). A trial point where f or ∇f is not finite is treated as "too
    far" and shrinks the bracket, so an objective defined only on part of the
    space is handled. The gradient is asked only where sufficient decrease
    already holds (or where the change in f is at rounding level, when the
    slope decides, the approximate Wolfe conditions of Hager & Zhang 2005).
    """
    s.curvature_search = False
    s.c1, s.c2, s.f0, s.slope0 = c1, c2, f0, slope0
    s.low, s.f_low, s.slope_low = 0.0, f0, slope0
    s.high, s.f_high, s.slope_high = INFINITY, NAN, NAN
    s.alpha = alpha
    s.evaluations = 0
    s.maxiter = maxiter
    s.bracketed = s.nonfinite = False
    if maxiter > 0:
        s.ask = ASK_VALUE
    else:
        wolfe_end(s)


cdef inline void wolfe_end(LineSearch* s) noexcept nogil:
    # Sufficient decrease without the curvature condition is still a
    # productive step: take it rather than fail.
    s.ask = ACCEPT_LOW if s.low > 0.0 else GIVE_UP


cdef inline void too_far(LineSearch* s, double f_high) noexcept nogil:
    s.high, s.f_high, s.slope_high = s.alpha, f_high, NAN
    s.bracketed = True


cdef inline void wolfe_next(LineSearch* s) noexcept nogil:
    """The next trial step: interpolated inside the bracket, or extrapolated before one."""
    if s.bracketed:
        if fabs(s.high - s.low) <= 1e-14 * fmax(1.0, fabs(s.low)):
            wolfe_end(s)
            return
        s.alpha = interpolate(s.low, s.f_low, s.slope_low, s.high, s.f_high, s.slope_high)
    else:
        s.alpha = 4.0 * s.alpha    # still descending steeply: extrapolate
    if s.evaluations >= s.maxiter:
        wolfe_end(s)
    else:
        s.ask = ASK_VALUE


cdef inline void wolfe_value(LineSearch* s, double f_alpha) noexcept nogil:
    """Take φ(alpha) (after ASK_VALUE)."""
    s.evaluations += 1
    s.f_alpha = f_alpha
    if not isfinite(f_alpha):
        s.nonfinite = True
        too_far(s, INFINITY)
        wolfe_next(s)
    elif f_alpha > s.f0 + s.c1 * s.alpha * s.slope0 or f_alpha >= s.f_low:
        # Near a minimizer the decrease can sink below the rounding error of
        # f; then the slope decides.
        if f_alpha <= s.f0 + 1e-12 * fabs(s.f0):
            s.ask = ASK_ROUNDING_SLOPE
        else:
            too_far(s, f_alpha)
            wolfe_next(s)
    else:
        s.ask = ASK_SLOPE


cdef inline bint wolfe_slope(LineSearch* s, bint finite, double slope) noexcept nogil:
    """Take φ'(alpha) = ∇fᵀd (after ASK_SLOPE or ASK_ROUNDING_SLOPE; `finite`: ∇f was).

    Returns True when the caller must keep this gradient: alpha became `low`.
    """
    if s.ask == ASK_ROUNDING_SLOPE:
        if finite and fabs(slope) <= -s.c2 * s.slope0:
            s.ask = ACCEPT_TRIAL
        else:
            too_far(s, s.f_alpha)
            wolfe_next(s)
        return False
    if not finite:
        s.nonfinite = True
        too_far(s, INFINITY)
        wolfe_next(s)
        return False
    if fabs(slope) <= -s.c2 * s.slope0:
        s.ask = ACCEPT_TRIAL
        return False
    # Keep a minimizer between low and high (N&W Alg. 3.5 and 3.6).
    if (slope * (s.high - s.low) >= 0.0) if s.bracketed else (slope >= 0.0):
        s.high, s.f_high, s.slope_high = s.low, s.f_low, s.slope_low
        s.bracketed = True
    s.low, s.f_low, s.slope_low = s.alpha, s.f_alpha, slope
    wolfe_next(s)
    return True


cdef inline void curvature_begin(LineSearch* s, double f0, double curvature) noexcept nogil:
    """Start a step along a unit direction of negative curvature d (gᵀd ≤ 0, dᵀHd = curvature < 0).

    At a stationary saddle the slope is zero, so the test is on curvature
    (Moré & Sorensen 1979): halve α from 1 until f drops by ½·c·α²·|dᵀHd|
    (c = 10⁻⁴), and when α = 1 already does, double it while f keeps
    dropping, since the scale of the valley beyond the saddle is unknown.
    The accepted step's value is f_low.
    """
    s.curvature_search = True
    s.doubling = False
    s.f0, s.slope0 = f0, curvature
    s.alpha = 1.0
    s.evaluations = 0
    s.nonfinite = False
    s.ask = ASK_VALUE


cdef inline double trial_length(const LineSearch* s) noexcept nogil:
    """The step at which the asked value is wanted (doubling tries 2α)."""
    if s.curvature_search and s.doubling and s.ask == ASK_VALUE:
        return 2.0 * s.alpha
    return s.alpha


cdef inline void curvature_value(LineSearch* s, double f_trial) noexcept nogil:
    """Take f at `trial_length` (after ASK_VALUE of a curvature search)."""
    s.evaluations += 1
    if not s.doubling:
        # Sufficient decrease along negative curvature, c = 10⁻⁴.
        if isfinite(f_trial) and f_trial < s.f0 + 0.5 * 1e-4 * s.alpha * s.alpha * s.slope0:
            s.f_low = f_trial
            if s.evaluations == 1:
                s.doubling = True
                s.evaluations = 0
                s.ask = ASK_VALUE
            else:
                s.ask = ASK_FINAL_GRADIENT
            return
        s.alpha *= 0.5
        s.ask = ASK_VALUE if s.evaluations < HALVINGS else GIVE_UP
        return
    if not (isfinite(f_trial) and f_trial < s.f_low):
        s.ask = ASK_FINAL_GRADIENT
        return
    s.alpha *= 2.0
    s.f_low = f_trial
    s.ask = ASK_VALUE if s.evaluations < DOUBLINGS else ASK_FINAL_GRADIENT


cdef inline void curvature_gradient(LineSearch* s, bint finite) noexcept nogil:
    """Take whether ∇f at the accepted step is finite (after ASK_FINAL_GRADIENT)."""
    s.ask = ACCEPT_TRIAL if finite else GIVE_UP


cdef struct SearchResult:
    double step_length
    double value
    bint found           # a step with sufficient decrease was found
    bint saw_nonfinite   # some trial point gave inf/NaN


cdef class StrongWolfeSearch:
    cdef Py_ssize_t n
    cdef double c1, c2
    cdef int maxiter
    cdef double[::1] best_grad
    cdef int search(self, Objective objective, const double[::1] x, const double[::1] direction,
                    double f0, double slope0, double step_init, object trial_array,
                    double[::1] trial_grad, SearchResult* result) except -1
    cdef int run(self, LineSearch* s, Objective objective, const double[::1] x,
                 const double[::1] direction, object trial_array, double[::1] trial_grad,
                 SearchResult* result) except -1
