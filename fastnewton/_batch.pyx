"""Batched Newton and trust-region iterations: many small independent problems in one loop.

m problems of n variables are solved together. The user's callbacks are
vectorized over the rows of X and called once per iteration for all the
problems that still need them; everything else (convergence tests,
factorizations, Moré–Sorensen subproblems, line-search and radius
bookkeeping, finite differences, compaction of the active set) runs here,
problem by problem, with the GIL released.

Layout. Working arrays are indexed by *position* 0..k-1 in the active set;
``index[q]`` is the problem id at position q. After every pass of the step
kernels the finished problems are copied to the outputs (indexed by problem
id) and the others are moved forward in place, keeping their order, so the
callbacks always see a dense (k, n) X, and `batch_args` are re-gathered
only in iterations where the active set shrank.

Each problem's Hessian is a column-major lower triangle inside an (m, n, n)
C array: block q holds H[i, j] (i ≥ j) at [q, j, i], so &hess[q, 0, 0] is
what LAPACK expects.

Problems are processed one after another, not with OpenMP's prange: for
the small n this is for, the callbacks (numpy, one thread) take three
quarters of the time or more, so threads here would gain little while
bringing an OpenMP runtime into the build and the wheels next to
OpenBLAS's own threads. Parallelism comes from splitting the batch instead
(threads or processes, e.g. examples/dask_batch.py): the GIL is released
around the per-problem step, line-search and update loops, the compaction,
the gathers of X and the Hessian copies and finite differences; only the
O(k) copies of values and gradients and the callbacks themselves keep it.

The per-problem algorithms follow `_trust_region.trust_region`,
`_subproblems.ExactSubproblem`, `_hessian.factorize_modified` and
`smallest_curvature_direction` step for step (same constants, same
branches) on `_dense`'s block kernels, so each problem of a trust-exact
batch gets `minimize`'s iterates bit for bit. They are written again over
raw rows because those go through the `SymmetricMatrix` interface, whose
methods may call Python and so need the GIL.
"""

cimport cython
import numpy as np

from libc.math cimport sqrt, fabs, fmin, fmax, isfinite, INFINITY
from fastnewton._hessian cimport (CurvatureBounds, shift_floor, first_shift, next_shift,
                                  curvature_tolerance_from)
from fastnewton._dense cimport (shifted_cholesky, cholesky_solve, symmetric_matvec,
                               dense_curvature_bounds, dense_diagonal_min)
from fastnewton._subproblems cimport (StepReport, SUBPROBLEM_OK, SUBPROBLEM_FACTORIZATION_FAILED,
                                      LambdaBracket, start_bracket, first_lambda,
                                      after_indefinite, secular_newton,
                                      inside_or_safeguarded, hard_case_close_enough,
                                      boundary_multiple_raw)
from fastnewton._lapack cimport lapack_int
from fastnewton._status cimport (Status, SUCCESS, MAXITER, NO_PROGRESS, LINALG_ERROR, NONFINITE,
                                 SADDLE, CALLBACK_STOP)
from fastnewton._steps cimport forward_rel_step, central_rel_step, fd_step
from fastnewton._vector cimport (dot_raw, norm2_raw, gradient_norm_raw, axpy_raw, copy_raw,
                                inverse_iteration_start, normalize_raw)

cdef double EPS = np.finfo(np.float64).eps
# As in _trust_region: the rounding error of f added to both decreases in rho.
cdef double ROUNDING = 10.0 * EPS
# Armijo backtracking of the batched Newton method.
cdef int LINE_SEARCH_MAXEVAL = 40
cdef double LINE_SEARCH_ROUNDING = 1e-12   # as _line_search's ROUNDING

# Per-position states besides the final Status codes (which are >= 0).
cdef enum:
    RUNNING = -1

# Per-position line-search states of the batched Newton method.
cdef enum:
    SEARCH_DONE = 0        # accepted, or the search failed (state holds the status)
    SEARCH_VALUE = 1       # f at the trial point is wanted
    SEARCH_GRADIENT = 2    # sufficient decrease holds: ∇f at the trial point is wanted
    SEARCH_ROUNDING = 3    # change in f at rounding level: ∇f decides


cdef bint row_finite(const double* values, Py_ssize_t count) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(count):
        if not isfinite(values[i]):
            return False
    return True


cdef bint lower_finite(const double* block, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i, j
    for j in range(n):
        for i in range(j, n):
            if not isfinite(block[i + j * n]):
                return False
    return True


# final: the methods are called directly (and may be inlined), not through a vtable.
@cython.final
cdef class DenseKernels:
    """The per-problem linear algebra on one column-major n-by-n block, with shared work space.

    The factorizations, solves, products and bounds are `_dense`'s kernels,
    the ones `DenseHessian` runs, so a batch computes `minimize`'s numbers.
    Problems are processed one after another, so one set of work arrays
    serves the whole batch.
    """
    cdef Py_ssize_t n
    cdef double[::1] factor, newton_step, secular_work, curvature_vector, curvature_product
    cdef double[::1] hess_step
    cdef int maxiter
    cdef double k_easy, k_hard

    def __cinit__(self, Py_ssize_t n, int maxiter=25, double k_easy=0.1, double k_hard=0.2):
        self.n = n
        self.factor = np.zeros(n * n)
        self.newton_step = np.empty(n)
        self.secular_work = np.empty(n)
        self.curvature_vector = np.empty(n)
        self.curvature_product = np.empty(n)
        self.hess_step = np.empty(n)
        self.maxiter = maxiter
        self.k_easy = k_easy
        self.k_hard = k_hard

    cdef lapack_int factorize(self, const double* hess, double shift) noexcept nogil:
        """Cholesky of H + shift·I into `factor`; LAPACK's info (0: positive definite)."""
        return shifted_cholesky(hess, shift, &self.factor[0], self.n)

    cdef void solve_lower(self, double* rhs) noexcept nogil:
        """rhs ← L⁻¹ rhs for the factor L of the last successful `factorize`."""
        cholesky_solve(&self.factor[0], self.n, rhs, True)

    cdef void solve(self, double* rhs) noexcept nogil:
        """rhs ← (L Lᵀ)⁻¹ rhs."""
        cholesky_solve(&self.factor[0], self.n, rhs, False)

    cdef void product(self, const double* hess, const double* v, double* out) noexcept nogil:
        """out = H v from the lower triangle."""
        symmetric_matvec(hess, self.n, v, out)

    cdef int factorize_modified(self, const double* hess, double* shift,
                                int* factorizations) noexcept nogil:
        """Factor H + τI, τ ≥ 0 the smallest found by doubling; as `_hessian.factorize_modified`."""
        cdef CurvatureBounds bounds
        cdef double tau, beta
        cdef int attempts
        cdef bint last = False
        factorizations[0] = 0
        if dense_diagonal_min(hess, self.n) > 0.0:
            factorizations[0] += 1
            if self.factorize(hess, 0.0) == 0:
                shift[0] = 0.0
                return 0
        dense_curvature_bounds(hess, self.n, &bounds)
        beta = shift_floor(&bounds)
        tau = first_shift(&bounds, beta)
        for attempts in range(200):
            factorizations[0] += 1
            if self.factorize(hess, tau) == 0:
                shift[0] = tau
                return 0
            if last:
                break
            tau = next_shift(&bounds, tau, beta, &last)
        shift[0] = tau
        return 1

    cdef bint second_order_point(self, const double* hess) noexcept nogil:
        """No curvature below −√ε·‖H‖∞: H + tol·I factors (`_hessian.second_order_point`)."""
        cdef CurvatureBounds bounds
        dense_curvature_bounds(hess, self.n, &bounds)
        return self.factorize(hess, curvature_tolerance_from(&bounds)) == 0

    cdef void exact_step(self, const double* hess, const double* grad, double radius,
                         double* step, StepReport* report) noexcept nogil:
        """The Moré–Sorensen step of `ExactSubproblem.solve`, on one dense block."""
        # With the order a literal, the compiler compiles a copy of the step
        # for each order (GCC: inlined or cloned) with the kernels' loops
        # unrolled; their trip counts of 1 to 3 otherwise cost more than their
        # arithmetic (at n = 3 a step takes about 40% less time). Same
        # operations in the same order, so the same numbers.
        if self.n == 1:
            more_sorensen_step(self, hess, grad, radius, step, report, 1)
        elif self.n == 2:
            more_sorensen_step(self, hess, grad, radius, step, report, 2)
        elif self.n == 3:
            more_sorensen_step(self, hess, grad, radius, step, report, 3)
        elif self.n == 4:
            more_sorensen_step(self, hess, grad, radius, step, report, 4)
        elif self.n == 5:
            more_sorensen_step(self, hess, grad, radius, step, report, 5)
        elif self.n == 6:
            more_sorensen_step(self, hess, grad, radius, step, report, 6)
        else:
            more_sorensen_step(self, hess, grad, radius, step, report, self.n)


# The Moré–Sorensen step and its helpers take the order n as an argument, so
# that `DenseKernels.exact_step` can pass it as a literal (see there).

cdef inline double model_decrease(DenseKernels work, const double* hess, const double* grad,
                                  const double* step, Py_ssize_t n) noexcept nogil:
    """m(0) − m(p) = −(gᵀp + ½pᵀHp)."""
    symmetric_matvec(hess, n, step, &work.hess_step[0])
    return -(dot_raw(grad, step, n) + 0.5 * dot_raw(step, &work.hess_step[0], n))


cdef inline double small_curvature_vector(DenseKernels work, const double* hess, double shift,
                                          Py_ssize_t n) noexcept nogil:
    """Unit z with small zᵀ(H + shift·I)z by inverse iteration; returns that curvature.

    As `_hessian.smallest_curvature_direction`, same deterministic start.
    """
    cdef Py_ssize_t i, it
    cdef double* factor = &work.factor[0]
    cdef double* z = &work.curvature_vector[0]
    cdef double total
    inverse_iteration_start(z, n)
    for it in range(3):
        normalize_raw(z, n)
        cholesky_solve(factor, n, z, False)
    normalize_raw(z, n)
    symmetric_matvec(hess, n, z, &work.curvature_product[0])
    total = 0.0
    for i in range(n):
        total += z[i] * work.curvature_product[i]
    return total + shift


cdef inline void more_sorensen_step(DenseKernels work, const double* hess, const double* grad,
                                    double radius, double* step, StepReport* report,
                                    Py_ssize_t n) noexcept nogil:
    """The Moré–Sorensen step of `ExactSubproblem.solve`, on one dense block of order n."""
    cdef Py_ssize_t i, it
    cdef double* factor = &work.factor[0]
    cdef CurvatureBounds bounds
    cdef double gnorm = norm2_raw(grad, n), lam
    cdef double step_norm = 0.0, w_norm_sq, z_curvature, tau, step_curvature
    cdef LambdaBracket bracket
    cdef double step_lambda = 0.0, lam_newton = 0.0
    cdef bint have_step = False, newton_tried, newton_failed = False
    cdef double* p = &work.newton_step[0]
    cdef double* z = &work.curvature_vector[0]
    cdef double* secular = &work.secular_work[0]
    report.hard_case = False
    report.hessian_modified = False
    report.negative_curvature = False
    report.hits_boundary = False
    report.model_decrease = 0.0
    report.step_norm = 0.0
    report.hess_shift = 0.0
    report.factorizations = 0
    report.status = SUBPROBLEM_OK
    newton_tried = dense_diagonal_min(hess, n) > 0.0
    if newton_tried:
        report.factorizations += 1
        newton_failed = shifted_cholesky(hess, 0.0, factor, n) != 0
        if not newton_failed:
            for i in range(n):
                p[i] = -grad[i]
            cholesky_solve(factor, n, p, False)
            step_norm = norm2_raw(p, n)
            if step_norm <= radius:
                copy_raw(p, step, n)
                report.step_norm = step_norm
                report.hits_boundary = step_norm >= (1.0 - work.k_easy) * radius
                report.model_decrease = model_decrease(work, hess, grad, step, n)
                return
            copy_raw(p, secular, n)
            cholesky_solve(factor, n, secular, True)
            w_norm_sq = dot_raw(secular, secular, n)
            lam_newton = secular_newton(0.0, step_norm, w_norm_sq, radius)
    dense_curvature_bounds(hess, n, &bounds)
    start_bracket(&bracket, &bounds, gnorm, radius)
    lam = first_lambda(&bracket, newton_tried, newton_failed, lam_newton)
    for it in range(work.maxiter):
        report.factorizations += 1
        if shifted_cholesky(hess, lam, factor, n) != 0:
            lam = after_indefinite(&bracket, lam)
            continue
        for i in range(n):
            p[i] = -grad[i]
        cholesky_solve(factor, n, p, False)
        step_norm = norm2_raw(p, n)
        have_step = True
        step_lambda = lam
        if step_norm <= radius and lam == 0.0:
            break
        if fabs(step_norm - radius) <= work.k_easy * radius:
            break
        copy_raw(p, secular, n)
        cholesky_solve(factor, n, secular, True)
        w_norm_sq = dot_raw(secular, secular, n)
        lam_newton = secular_newton(lam, step_norm, w_norm_sq, radius)
        if step_norm < radius:
            z_curvature = small_curvature_vector(work, hess, lam, n)
            tau = boundary_multiple_raw(p, z, n, lam, z_curvature, radius)
            step_curvature = -dot_raw(p, grad, n)
            if hard_case_close_enough(tau, z_curvature, step_curvature, lam, radius,
                                      work.k_hard):
                axpy_raw(tau, z, p, p, n)
                report.hard_case = True
                break
            bracket.upper = lam
            bracket.lower = fmax(bracket.lower, lam - z_curvature)
        else:
            bracket.lower = lam
        lam = inside_or_safeguarded(&bracket, lam_newton)
    if not have_step:
        lam = bracket.upper
        while shifted_cholesky(hess, lam, factor, n) != 0:
            report.factorizations += 1
            if report.factorizations > work.maxiter + 200:
                report.status = SUBPROBLEM_FACTORIZATION_FAILED
                return
            lam += bracket.bump
            bracket.bump *= 4.0
        report.factorizations += 1
        for i in range(n):
            p[i] = -grad[i]
        cholesky_solve(factor, n, p, False)
        step_lambda = lam
        if norm2_raw(p, n) < radius and lam > 0.0:
            z_curvature = small_curvature_vector(work, hess, lam, n)
            axpy_raw(boundary_multiple_raw(p, z, n, lam, z_curvature, radius), z, p, p, n)
            report.hard_case = True
    step_norm = norm2_raw(p, n)
    if step_norm > radius:
        for i in range(n):
            p[i] *= radius / step_norm
    copy_raw(p, step, n)
    report.hess_shift = step_lambda
    report.step_norm = norm2_raw(step, n)
    report.hits_boundary = report.step_norm >= (1.0 - work.k_easy) * radius
    report.model_decrease = model_decrease(work, hess, grad, step, n)


cdef double backtracking_step(double alpha, double f_alpha, double alpha_prev, double f_prev,
                      double f0, double slope) noexcept nogil:
    """The next trial step after α failed sufficient decrease (Nocedal & Wright 2006, §3.5).

    The minimizer of the quadratic through φ(0), φ'(0) and φ(α), or, once an
    earlier trial (alpha_prev > 0) is known, of the cubic also through it;
    kept in [0.1α, 0.5α] so the search neither stalls nor jumps (Dennis &
    Schnabel 1983, A6.3.1). A non-finite φ(α) halves the step.
    """
    cdef double t, r1, r2, a, b, disc
    if not isfinite(f_alpha):
        return 0.5 * alpha
    r1 = f_alpha - f0 - slope * alpha
    if alpha_prev > 0.0 and isfinite(f_prev):
        r2 = f_prev - f0 - slope * alpha_prev
        a = (r1 / (alpha * alpha) - r2 / (alpha_prev * alpha_prev)) / (alpha - alpha_prev)
        b = (-alpha_prev * r1 / (alpha * alpha) + alpha * r2 / (alpha_prev * alpha_prev)) \
            / (alpha - alpha_prev)
        if a == 0.0:
            t = -slope / (2.0 * b)
        else:
            disc = b * b - 3.0 * a * slope
            t = (-b + sqrt(disc)) / (3.0 * a) if disc >= 0.0 else 0.5 * alpha
    else:
        t = -slope * alpha * alpha / (2.0 * r1)
    if not isfinite(t):
        t = 0.5 * alpha
    return fmin(fmax(t, 0.1 * alpha), 0.5 * alpha)


def as_result_array(value, tuple shape, str name, str meaning):
    """`value` as a float64 array of exactly `shape`, or an error naming the expected shape."""
    if np.iscomplexobj(value):
        raise TypeError("%s must return real values, got a complex array" % name)
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError("%s must return an array of real numbers of shape %s (%s): %s"
                        % (name, shape, meaning, exc)) from None
    if array.shape != shape:
        raise ValueError("%s must return an array of shape %s (%s), got shape %s"
                         % (name, shape, meaning, array.shape))
    return array


cdef list take_rows(list arrays, object rows):
    """Fresh arrays of the entries of each of `arrays` at `rows` along the first axis.

    ``take`` gives what ``array[rows]`` gives in about half the time (one block
    copy per row rather than numpy's general indexing loop); per-problem data
    of thousands of rows are gathered like this in most iterations.
    """
    return [data.take(rows, axis=0) for data in arrays]


@cython.final
cdef class BatchObjective:
    """The user's vectorized functions, per-problem counters and batched finite differences.

    Every call passes the rows at some positions of the active set: X holds
    those rows (a fresh array for each call), and each of `batch_args` is
    indexed to the same rows.

    Parameters
    ----------
    fun, jac, hess, args
        As in `fastnewton.minimize_batch`, validated: `jac` is a callable,
        True, '2-point' or '3-point'; `hess` a callable, '2-point' or '3-point'.
    batch_args : list of ndarray
        Per-problem data, leading dimension m.
    index : ndarray of intp
        The problem id at each active position (shared with the solver,
        which compacts it in place).
    n : int
    rel_step : float or None
        Relative finite-difference step; None picks √ε (forward) or ∛ε (central).
    """
    cdef object fun, jac, hess
    cdef tuple args
    cdef list batch_args
    cdef Py_ssize_t[::1] index
    cdef readonly Py_ssize_t n
    cdef bint jac_with_value, gradient_by_differences, gradient_central
    cdef bint hessian_callable, hessian_central
    cdef double gradient_rel_step, hessian_rel_step
    cdef readonly object nfev, njev, nhev
    cdef Py_ssize_t[::1] nfev_view, njev_view, nhev_view
    cdef object cached_rows
    cdef list cached_args

    def __init__(self, fun, jac, hess, tuple args, list batch_args, index, Py_ssize_t n,
                 rel_step=None):
        self.fun, self.jac, self.hess, self.args = fun, jac, hess, args
        self.batch_args = batch_args
        self.index = index
        self.n = n
        self.jac_with_value = jac is True
        self.gradient_by_differences = not (jac is True or callable(jac))
        self.gradient_central = jac == "3-point"
        self.hessian_callable = callable(hess)
        self.hessian_central = hess == "3-point"
        self.gradient_rel_step = (rel_step if rel_step is not None else
                                  (central_rel_step() if self.gradient_central
                                   else forward_rel_step()))
        self.hessian_rel_step = (rel_step if rel_step is not None else
                                 (central_rel_step() if self.hessian_central
                                  else forward_rel_step()))
        m = index.shape[0]
        self.nfev = np.zeros(m, dtype=np.intp)
        self.njev = np.zeros(m, dtype=np.intp)
        self.nhev = np.zeros(m, dtype=np.intp)
        self.nfev_view, self.njev_view, self.nhev_view = self.nfev, self.njev, self.nhev

    cdef void compact(self, object keep, Py_ssize_t k_before):
        """The active set shrank to positions `keep` (ascending): re-gather the per-problem data."""
        if keep.shape[0] != k_before:
            self.batch_args = take_rows(self.batch_args, keep)
        self.cached_rows = None

    cdef list args_for(self, object rows, Py_ssize_t k):
        """`batch_args` indexed to `rows`; gathered once per distinct `rows` array."""
        if rows.shape[0] == k:      # ascending positions out of range(k): all of them
            return self.batch_args
        # The gradient and Hessian calls of one iteration usually ask for the same rows.
        if self.cached_rows is None or not np.array_equal(rows, self.cached_rows):
            self.cached_args = take_rows(self.batch_args, rows)
            self.cached_rows = rows
        return self.cached_args

    cdef object call(self, object function, object points, object rows, Py_ssize_t k):
        return function(points, *self.args_for(rows, k), *self.args)

    cdef void count(self, Py_ssize_t[::1] counter, const Py_ssize_t[::1] rows) noexcept:
        cdef Py_ssize_t q
        for q in range(rows.shape[0]):
            counter[self.index[rows[q]]] += 1

    cdef object gather(self, const double[:, ::1] source, const Py_ssize_t[::1] rows):
        """A fresh (len(rows), n) array of the rows of `source` at `rows`; the user may keep it."""
        cdef Py_ssize_t q, r = rows.shape[0], n = self.n
        points_array = np.empty((r, n))
        cdef double[:, ::1] points = points_array
        with nogil:
            for q in range(r):
                copy_raw(&source[rows[q], 0], &points[q, 0], n)
        return points_array

    cdef int values(self, const double[:, ::1] source, object rows, Py_ssize_t k,
                    double[::1] f_out, double[:, ::1] grad_out) except -1:
        """f (and, with jac=True, ∇f) at the rows `rows` of `source`, into the same positions."""
        cdef const Py_ssize_t[::1] positions = rows
        cdef Py_ssize_t q, r = positions.shape[0], n = self.n
        cdef const double[::1] f_view
        cdef const double[:, :] grad_view
        if r == 0:
            return 0
        result = self.call(self.fun, self.gather(source, positions), rows, k)
        self.count(self.nfev_view, positions)
        if self.jac_with_value:
            self.count(self.njev_view, positions)
            if not isinstance(result, tuple) or len(result) != 2:
                raise ValueError("with jac=True, fun must return a tuple (f, g) with f of shape "
                                 "(%d,) and g of shape (%d, %d), got %s"
                                 % (r, r, n, type(result).__name__))
            f_view = as_result_array(result[0], (r,), "fun",
                                     "the f part with jac=True: one value per row of X")
            grad_view = as_result_array(result[1], (r, n), "fun",
                                        "the g part with jac=True: one gradient per row of X")
            for q in range(r):
                f_out[positions[q]] = f_view[q]
                copy_row(grad_view, q, grad_out, positions[q], n)
        else:
            f_view = as_result_array(result, (r,), "fun", "one value per row of X")
            for q in range(r):
                f_out[positions[q]] = f_view[q]
        return 0

    cdef int user_gradients(self, object points, object rows, Py_ssize_t k,
                            double[:, ::1] grad_out, Py_ssize_t[::1] targets) except -1:
        """The user's gradients at `points` (rows of the active set `rows`) into grad_out[targets]."""
        cdef Py_ssize_t q, r = targets.shape[0], n = self.n
        cdef const Py_ssize_t[::1] positions = rows
        cdef const double[:, :] grad_view
        if self.jac_with_value:
            result = self.call(self.fun, points, rows, k)
            self.count(self.nfev_view, positions)
            self.count(self.njev_view, positions)
            if not isinstance(result, tuple) or len(result) != 2:
                raise ValueError("with jac=True, fun must return a tuple (f, g), got %s"
                                 % type(result).__name__)
            grad_view = as_result_array(result[1], (r, n), "fun",
                                        "the g part with jac=True: one gradient per row of X")
        else:
            result = self.call(self.jac, points, rows, k)
            self.count(self.njev_view, positions)
            grad_view = as_result_array(result, (r, n), "jac", "one gradient per row of X")
        for q in range(r):
            copy_row(grad_view, q, grad_out, targets[q], n)
        return 0

    cdef int gradients(self, const double[:, ::1] source, object rows, Py_ssize_t k,
                       const double[::1] f_at, double[:, ::1] grad_out) except -1:
        """∇f at the rows `rows` of `source` (whose values are in `f_at`), into the same positions.

        By finite differences of f (jac '2-point'/'3-point'): one batched call
        of fun per coordinate (two for central differences), each perturbing
        coordinate j of every row at once.
        """
        cdef const Py_ssize_t[::1] positions = rows
        cdef Py_ssize_t q, j, r = positions.shape[0], n = self.n
        cdef double[:, ::1] plus, minus
        cdef double[::1] steps
        cdef const double[::1] f_plus, f_minus
        if r == 0:
            return 0
        if not self.gradient_by_differences:
            return self.user_gradients(self.gather(source, positions), rows, k, grad_out, rows)
        steps = np.empty(r)
        for j in range(n):
            plus_array = self.gather(source, positions)
            plus = plus_array
            perturb_column(plus, j, self.gradient_rel_step, 1.0, steps)
            f_plus = as_result_array(self.call(self.fun, plus_array, rows, k), (r,), "fun",
                                     "one value per row of X")
            self.count(self.nfev_view, positions)
            if self.gradient_central:
                minus_array = self.gather(source, positions)
                minus = minus_array
                perturb_column(minus, j, self.gradient_rel_step, -1.0, steps)
                f_minus = as_result_array(self.call(self.fun, minus_array, rows, k), (r,), "fun",
                                          "one value per row of X")
                self.count(self.nfev_view, positions)
                for q in range(r):
                    grad_out[positions[q], j] = (f_plus[q] - f_minus[q]) / (2.0 * steps[q])
            else:
                for q in range(r):
                    grad_out[positions[q], j] = (f_plus[q] - f_at[positions[q]]) / steps[q]
        return 0

    cdef int hessians(self, const double[:, ::1] source, object rows, Py_ssize_t k,
                      const double[:, ::1] grad_at, double[:, :, ::1] hess_out) except -1:
        """H at the rows `rows` of `source` (gradients in `grad_at`) into the same blocks of hess_out.

        A callable `hess` fills the lower triangles. Otherwise column j of
        every H is (∇f(x + h e_j) − ∇f(x)) / h (or the central form) from one
        batched gradient call, then H ← (H + Hᵀ)/2, as
        `Objective.dense_fd_hessian` does for one problem.
        """
        cdef const Py_ssize_t[::1] positions = rows
        cdef Py_ssize_t q, i, j, r = positions.shape[0], n = self.n
        cdef const double[:, :, :] hess_view
        cdef double[:, ::1] plus, minus, grad_plus, grad_minus
        cdef double[::1] steps
        cdef Py_ssize_t[::1] local
        cdef double* block
        if r == 0:
            return 0
        if self.hessian_callable:
            result = self.call(self.hess, self.gather(source, positions), rows, k)
            self.count(self.nhev_view, positions)
            hess_view = as_result_array(result, (r, n, n), "hess", "one Hessian per row of X")
            with nogil:
                for q in range(r):
                    block = &hess_out[positions[q], 0, 0]
                    for j in range(n):
                        for i in range(j, n):
                            block[i + j * n] = hess_view[q, i, j]
            return 0
        steps = np.empty(r)
        local = np.arange(r, dtype=np.intp)
        grad_plus = np.empty((r, n))
        grad_minus = np.empty((r, n))
        for j in range(n):
            plus_array = self.gather(source, positions)
            plus = plus_array
            perturb_column(plus, j, self.hessian_rel_step, 1.0, steps)
            self.user_gradients(plus_array, rows, k, grad_plus, local)
            if self.hessian_central:
                minus_array = self.gather(source, positions)
                minus = minus_array
                perturb_column(minus, j, self.hessian_rel_step, -1.0, steps)
                self.user_gradients(minus_array, rows, k, grad_minus, local)
            with nogil:
                for q in range(r):
                    block = &hess_out[positions[q], 0, 0]
                    for i in range(n):
                        if self.hessian_central:
                            block[i + j * n] = (grad_plus[q, i] - grad_minus[q, i]) / (2.0 * steps[q])
                        else:
                            block[i + j * n] = (grad_plus[q, i] - grad_at[positions[q], i]) / steps[q]
        with nogil:
            for q in range(r):
                block = &hess_out[positions[q], 0, 0]
                for j in range(n):
                    for i in range(j + 1, n):
                        block[i + j * n] = 0.5 * (block[i + j * n] + block[j + i * n])
        return 0


cdef inline void copy_row(const double[:, :] source, Py_ssize_t q, double[:, ::1] dest,
                          Py_ssize_t p, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        dest[p, i] = source[q, i]


cdef void perturb_column(double[:, ::1] points, Py_ssize_t j, double rel_step, double sign,
                         double[::1] steps) noexcept nogil:
    """points[:, j] += ±h per row, h = fd_step(x_j); `steps` gets the h actually representable."""
    cdef Py_ssize_t q
    cdef double x_j, h
    for q in range(points.shape[0]):
        x_j = points[q, j]
        h = fd_step(x_j, rel_step)
        if sign > 0.0:
            points[q, j] = x_j + h
            steps[q] = points[q, j] - x_j
        else:
            # The central step reuses the forward step's representable size.
            points[q, j] = x_j - ((x_j + h) - x_j)
            steps[q] = (x_j + h) - x_j


@cython.final
cdef class BatchSolver:
    """The state of a batch in flight and the two batched drivers.

    Parameters
    ----------
    objective : BatchObjective
    x0 : ndarray, shape (m, n)
        Starting points, a float64 copy the solver may overwrite.
    index : ndarray of intp, shape (m,)
        ``arange(m)``, the array `objective` also holds.
    gtol, inf_norm, maxiter
        The convergence test ‖g‖ ≤ gtol (∞-norm when inf_norm) and the
        iteration limit, per problem.
    subproblem_maxiter : int
        Most λ iterations per Moré–Sorensen subproblem.

    Attributes
    ----------
    reporter : callable or None
        ``reporter(grad, index) -> bool``, called once per outer iteration
        after the stopping tests with the gradients and problem ids of the
        problems still running (views, valid during the call only); True
        stops those problems with status 99.
    """
    cdef BatchObjective objective
    cdef public object reporter
    cdef DenseKernels kernels
    cdef Py_ssize_t m, n, k
    cdef double gtol
    cdef bint inf_norm, jac_with_value, escape_saddles
    cdef Py_ssize_t maxiter
    # Working arrays, by position in the active set.
    cdef object index_array, all_positions
    cdef Py_ssize_t[::1] index
    cdef double[:, ::1] x, grad, x_trial, grad_trial, step
    cdef double[:, :, ::1] hess
    cdef double[::1] f, f_trial, scalar, model_decrease, slope, ratio, alpha_prev, f_prev
    cdef signed char[::1] state, search, hits_boundary, saw_nonfinite, flags, rejected
    cdef int[::1] evaluations
    # Outputs, by problem id.
    cdef readonly object x_out, f_out, grad_out, hess_out, status_out, nit_out, scalar_out
    cdef readonly object start_failed_out
    cdef double[:, ::1] x_out_view, grad_out_view
    cdef double[:, :, ::1] hess_out_view
    cdef double[::1] f_out_view, scalar_out_view
    cdef Py_ssize_t[::1] nit
    cdef signed char[::1] status_view, start_failed

    def __init__(self, BatchObjective objective, x0, index, double gtol, bint inf_norm,
                 Py_ssize_t maxiter, bint escape_saddles=True, int subproblem_maxiter=25):
        cdef Py_ssize_t m = x0.shape[0], n = x0.shape[1]
        self.objective = objective
        self.kernels = DenseKernels(n, subproblem_maxiter)
        self.m, self.n, self.k = m, n, m
        self.gtol, self.inf_norm, self.maxiter = gtol, inf_norm, maxiter
        self.escape_saddles = escape_saddles
        self.jac_with_value = objective.jac_with_value
        self.index_array = index
        self.all_positions = np.arange(m, dtype=np.intp)
        self.index = index
        self.x = x0
        # Entries never evaluated (a problem that failed at x0) stay NaN in the result.
        self.grad = np.full((m, n), np.nan)
        self.hess = np.full((m, n, n), np.nan)
        self.f = np.full(m, np.nan)
        self.x_trial = np.empty((m, n))
        self.grad_trial = np.empty((m, n))
        self.step = np.empty((m, n))
        self.f_trial = np.empty(m)
        self.scalar = np.empty(m)
        self.model_decrease = np.empty(m)
        self.slope = np.empty(m)
        self.ratio = np.empty(m)
        self.alpha_prev = np.empty(m)
        self.f_prev = np.empty(m)
        self.state = np.full(m, RUNNING, dtype=np.int8)
        self.search = np.zeros(m, dtype=np.int8)
        self.hits_boundary = np.zeros(m, dtype=np.int8)
        self.saw_nonfinite = np.zeros(m, dtype=np.int8)
        self.flags = np.zeros(m, dtype=np.int8)
        self.rejected = np.zeros(m, dtype=np.int8)
        self.evaluations = np.zeros(m, dtype=np.intc)
        self.x_out = np.empty((m, n))
        self.f_out = np.empty(m)
        self.grad_out = np.empty((m, n))
        self.hess_out = np.empty((m, n, n))
        self.scalar_out = np.empty(m)
        self.status_out = np.empty(m, dtype=np.int8)
        self.start_failed_out = np.zeros(m, dtype=np.int8)
        self.nit_out = np.zeros(m, dtype=np.intp)
        self.x_out_view, self.f_out_view = self.x_out, self.f_out
        self.grad_out_view, self.hess_out_view = self.grad_out, self.hess_out
        self.scalar_out_view, self.status_view = self.scalar_out, self.status_out
        self.start_failed, self.nit = self.start_failed_out, self.nit_out

    cdef object positions_where(self, signed char[::1] marks, signed char low, signed char high):
        """Ascending positions q < k with low <= marks[q] <= high, as an intp array (not to be written)."""
        cdef Py_ssize_t q, count = 0, k = self.k
        for q in range(k):
            count += low <= marks[q] <= high
        if count == k:
            return self.all_positions[:k]
        rows_array = np.empty(count, dtype=np.intp)
        cdef Py_ssize_t[::1] rows = rows_array
        count = 0
        for q in range(k):
            if low <= marks[q] <= high:
                rows[count] = q
                count += 1
        return rows_array

    cdef void finish(self, Py_ssize_t q) noexcept nogil:
        """Copy the problem at position q to the outputs (H as a full symmetric matrix)."""
        cdef Py_ssize_t p = self.index[q], n = self.n, i, j
        cdef const double* block = &self.hess[q, 0, 0]
        copy_raw(&self.x[q, 0], &self.x_out_view[p, 0], n)
        copy_raw(&self.grad[q, 0], &self.grad_out_view[p, 0], n)
        self.f_out_view[p] = self.f[q]
        self.scalar_out_view[p] = self.scalar[q]
        self.status_view[p] = self.state[q]
        for j in range(n):
            for i in range(j, n):
                self.hess_out_view[p, i, j] = block[i + j * n]
                self.hess_out_view[p, j, i] = block[i + j * n]

    cdef void move(self, Py_ssize_t source, Py_ssize_t dest) noexcept nogil:
        """Move the per-problem state that lives across iterations from one position to another."""
        cdef Py_ssize_t n = self.n
        self.index[dest] = self.index[source]
        copy_raw(&self.x[source, 0], &self.x[dest, 0], n)
        copy_raw(&self.grad[source, 0], &self.grad[dest, 0], n)
        copy_raw(&self.step[source, 0], &self.step[dest, 0], n)
        copy_raw(&self.x_trial[source, 0], &self.x_trial[dest, 0], n)
        copy_raw(&self.grad_trial[source, 0], &self.grad_trial[dest, 0], n)
        self.f_trial[dest] = self.f_trial[source]
        self.rejected[dest] = self.rejected[source]
        copy_raw(&self.hess[source, 0, 0], &self.hess[dest, 0, 0], n * n)
        self.f[dest] = self.f[source]
        self.scalar[dest] = self.scalar[source]
        self.model_decrease[dest] = self.model_decrease[source]
        self.slope[dest] = self.slope[source]
        self.hits_boundary[dest] = self.hits_boundary[source]
        self.state[dest] = RUNNING

    cdef Py_ssize_t compact(self):
        """Finish every position whose state is a status; close the gaps. Returns the new k."""
        cdef Py_ssize_t q, kept = 0, k = self.k
        keep_array = np.empty(k, dtype=np.intp)
        cdef Py_ssize_t[::1] keep = keep_array
        with nogil:
            for q in range(k):
                if self.state[q] != RUNNING:
                    self.finish(q)
                else:
                    if kept != q:
                        self.move(q, kept)
                    keep[kept] = q
                    kept += 1
        if kept != k:
            self.objective.compact(keep_array[:kept], k)
        self.k = kept
        return kept

    cdef int start(self, double initial_scalar) except -1:
        """f, ∇f and H at x0; a problem with non-finite values there stops with status 4, nit 0.

        (`minimize` raises instead; in a batch one bad start must not stop the others.)
        """
        cdef Py_ssize_t q, n = self.n
        self.scalar[:] = initial_scalar
        self.objective.values(self.x, self.all_positions[:self.k], self.k, self.f, self.grad)
        with nogil:
            for q in range(self.k):
                if not isfinite(self.f[q]) or (self.jac_with_value
                                               and not row_finite(&self.grad[q, 0], n)):
                    self.fail_at_start(q)
        self.compact()
        if not self.jac_with_value:
            self.objective.gradients(self.x, self.all_positions[:self.k], self.k, self.f, self.grad)
            with nogil:
                for q in range(self.k):
                    if not row_finite(&self.grad[q, 0], n):
                        self.fail_at_start(q)
            self.compact()
        self.objective.hessians(self.x, self.all_positions[:self.k], self.k, self.grad, self.hess)
        with nogil:
            for q in range(self.k):
                if not lower_finite(&self.hess[q, 0, 0], n):
                    self.fail_at_start(q)
        self.compact()
        return 0

    cdef bint same_trial(self, Py_ssize_t q) noexcept nogil:
        """Whether x + step is the trial point already held at position q."""
        cdef Py_ssize_t i
        for i in range(self.n):
            if self.x[q, i] + self.step[q, i] != self.x_trial[q, i]:
                return False
        return True

    cdef bint stopped_by_reporter(self, Py_ssize_t k) except -1:
        """Report the k running problems; if the reporter asks, stop them with status 99."""
        cdef Py_ssize_t q
        if self.reporter is None or not self.reporter(np.asarray(self.grad[:k]),
                                                      np.asarray(self.index[:k])):
            return False
        for q in range(k):
            self.state[q] = CALLBACK_STOP
        self.compact()
        return True

    cdef void fail_at_start(self, Py_ssize_t q) noexcept nogil:
        self.state[q] = NONFINITE
        self.start_failed[self.index[q]] = 1

    cdef bint stops(self, Py_ssize_t q, bint can_leave_saddles) noexcept nogil:
        """The tests at the top of an iteration: converged, or out of iterations.

        With `escape_saddles`, ‖g‖ ≤ gtol is success only where H has no
        curvature below −tol, as in `_trust_region`; trust-exact's hard case
        then steps away from the saddle, while the batched newton, which has
        no negative-curvature step, stops there with status 5.
        """
        if gradient_norm_raw(&self.grad[q, 0], self.n, self.inf_norm) <= self.gtol:
            if not self.escape_saddles or self.kernels.second_order_point(&self.hess[q, 0, 0]):
                self.state[q] = SUCCESS
                return True
            if not can_leave_saddles:
                self.state[q] = SADDLE
                return True
        if self.nit[self.index[q]] >= self.maxiter:
            self.state[q] = MAXITER
            return True
        return False

    def run_trust_exact(self, double radius, double max_radius, double eta):
        """Trust-region iterations with Moré–Sorensen steps; the rules of `_trust_region.trust_region`."""
        cdef Py_ssize_t q, k, n = self.n
        cdef StepReport report
        cdef double rho, rounding
        self.start(radius)
        while self.k > 0:
            k = self.k
            with nogil:
                for q in range(k):
                    if self.stops(q, True):
                        continue
                    self.kernels.exact_step(&self.hess[q, 0, 0], &self.grad[q, 0], self.scalar[q],
                                            &self.step[q, 0], &report)
                    if report.status != SUBPROBLEM_OK:
                        self.state[q] = (LINALG_ERROR
                                         if report.status == SUBPROBLEM_FACTORIZATION_FAILED
                                         else NONFINITE)
                    elif not report.model_decrease > 0.0:
                        self.state[q] = (SADDLE if gradient_norm_raw(&self.grad[q, 0], n,
                                                                     self.inf_norm) <= self.gtol
                                         else NO_PROGRESS)
                    else:
                        self.model_decrease[q] = report.model_decrease
                        self.hits_boundary[q] = report.hits_boundary
            k = self.compact()
            if self.stopped_by_reporter(k) or k == 0:
                break
            with nogil:
                for q in range(k):
                    # After a rejection the radius shrank but the step may not
                    # have changed (it was inside the smaller region too): f
                    # there is known, as `Objective.value`'s cache knows it.
                    self.flags[q] = not (self.rejected[q] and self.same_trial(q))
                    if self.flags[q]:
                        axpy_raw(1.0, &self.step[q, 0], &self.x[q, 0], &self.x_trial[q, 0], n)
            self.objective.values(self.x_trial, self.positions_where(self.flags, 1, 1), k,
                                  self.f_trial, self.grad_trial)
            with nogil:
                for q in range(k):
                    if isfinite(self.f_trial[q]):
                        # The rounding safeguard of _trust_region (Conn, Gould & Toint 2000, §17.4.2).
                        rounding = ROUNDING * fabs(self.f[q])
                        rho = ((self.f[q] - self.f_trial[q] + rounding)
                               / (self.model_decrease[q] + rounding))
                    else:
                        rho = -INFINITY
                    self.ratio[q] = rho
                    self.flags[q] = rho > eta
            if not self.jac_with_value:
                self.objective.gradients(self.x_trial, self.positions_where(self.flags, 1, 1), k,
                                         self.f_trial, self.grad_trial)
            with nogil:
                for q in range(k):
                    rho = self.ratio[q]
                    if self.flags[q] and not row_finite(&self.grad_trial[q, 0], n):
                        rho = -INFINITY
                    # Nocedal & Wright (2006), Alg. 4.1, with scipy's constants.
                    if rho < 0.25:
                        self.scalar[q] = 0.25 * self.scalar[q]
                    elif rho > 0.75 and self.hits_boundary[q]:
                        self.scalar[q] = fmin(2.0 * self.scalar[q], max_radius)
                    self.flags[q] = rho > eta
                    self.rejected[q] = not self.flags[q]
                    if self.flags[q]:
                        copy_raw(&self.x_trial[q, 0], &self.x[q, 0], n)
                        copy_raw(&self.grad_trial[q, 0], &self.grad[q, 0], n)
                        self.f[q] = self.f_trial[q]
                    self.nit[self.index[q]] += 1
            self.objective.hessians(self.x, self.positions_where(self.flags, 1, 1), k, self.grad,
                                    self.hess)
            with nogil:
                for q in range(k):
                    if self.flags[q] and not lower_finite(&self.hess[q, 0, 0], n):
                        self.state[q] = NONFINITE
                    elif self.scalar[q] <= EPS * fmax(1.0, norm2_raw(&self.x[q, 0], self.n)):
                        self.state[q] = NO_PROGRESS
        return 0

    def run_newton(self, double c1):
        """Line-search Newton: modified Cholesky direction, Armijo backtracking with interpolation.

        Every problem in a line search asks for f at its trial point; all of
        them are evaluated in one call, then the ones with sufficient
        decrease in one gradient call, and the rest backtrack, until every
        search has ended. Sufficient decrease alone (no curvature condition)
        suffices for Newton directions from a positive definite model
        (Nocedal & Wright 2006, §3.1). Near a minimizer, where the change in
        f sinks to its rounding error, the gradient decides instead: the
        step is taken if it lowers ‖∇f‖ (the role the approximate Wolfe test
        plays in `_line_search`).
        """
        cdef Py_ssize_t q, k, r, n = self.n
        cdef int factorizations
        cdef double shift, f_alpha
        cdef const Py_ssize_t[::1] rows
        self.start(1.0)
        while self.k > 0:
            k = self.k
            with nogil:
                for q in range(k):
                    if self.stops(q, False):
                        continue
                    if self.kernels.factorize_modified(&self.hess[q, 0, 0], &shift,
                                                       &factorizations):
                        self.state[q] = LINALG_ERROR
                        continue
                    for r in range(n):
                        self.step[q, r] = -self.grad[q, r]
                    self.kernels.solve(&self.step[q, 0])
                    self.slope[q] = dot_raw(&self.grad[q, 0], &self.step[q, 0], n)
                    if not self.slope[q] < 0.0:
                        # Only rounding keeps a direction from a positive definite
                        # factor from descending: nothing is left to gain.
                        self.state[q] = NO_PROGRESS
            k = self.compact()
            if self.stopped_by_reporter(k) or k == 0:
                break
            with nogil:
                for q in range(k):
                    self.scalar[q] = 1.0
                    self.alpha_prev[q] = 0.0
                    self.evaluations[q] = 0
                    self.saw_nonfinite[q] = False
                    self.search[q] = SEARCH_VALUE
                    self.flags[q] = False
                    axpy_raw(1.0, &self.step[q, 0], &self.x[q, 0], &self.x_trial[q, 0], n)
            while True:
                rows_array = self.positions_where(self.search, SEARCH_VALUE, SEARCH_VALUE)
                if rows_array.shape[0] == 0:
                    break
                rows = rows_array
                self.objective.values(self.x_trial, rows_array, k, self.f_trial, self.grad_trial)
                with nogil:
                    for r in range(rows.shape[0]):
                        q = rows[r]
                        self.evaluations[q] += 1
                        f_alpha = self.f_trial[q]
                        if not isfinite(f_alpha):
                            self.saw_nonfinite[q] = True
                            self.shorten_step(q, f_alpha)
                        elif f_alpha <= self.f[q] + c1 * self.scalar[q] * self.slope[q]:
                            self.search[q] = SEARCH_GRADIENT
                        elif f_alpha <= self.f[q] + LINE_SEARCH_ROUNDING * fabs(self.f[q]):
                            self.search[q] = SEARCH_ROUNDING
                        else:
                            self.shorten_step(q, f_alpha)
                rows_array = self.positions_where(self.search, SEARCH_GRADIENT, SEARCH_ROUNDING)
                if rows_array.shape[0] == 0:
                    continue
                rows = rows_array
                if not self.jac_with_value:
                    self.objective.gradients(self.x_trial, rows_array, k, self.f_trial,
                                             self.grad_trial)
                with nogil:
                    for r in range(rows.shape[0]):
                        q = rows[r]
                        if not row_finite(&self.grad_trial[q, 0], n):
                            self.saw_nonfinite[q] = True
                            self.shorten_step(q, INFINITY)
                        elif (self.search[q] == SEARCH_ROUNDING
                              and not gradient_norm_raw(&self.grad_trial[q, 0], n, self.inf_norm)
                              < gradient_norm_raw(&self.grad[q, 0], self.n, self.inf_norm)):
                            self.shorten_step(q, self.f_trial[q])
                        else:
                            copy_raw(&self.x_trial[q, 0], &self.x[q, 0], n)
                            copy_raw(&self.grad_trial[q, 0], &self.grad[q, 0], n)
                            self.f[q] = self.f_trial[q]
                            self.nit[self.index[q]] += 1
                            self.search[q] = SEARCH_DONE
                            self.flags[q] = True
            self.objective.hessians(self.x, self.positions_where(self.flags, 1, 1), k, self.grad,
                                    self.hess)
            with nogil:
                for q in range(k):
                    if self.flags[q] and not lower_finite(&self.hess[q, 0, 0], n):
                        self.state[q] = NONFINITE
        return 0

    cdef void shorten_step(self, Py_ssize_t q, double f_alpha) noexcept nogil:
        """Shorten the step of problem q after a failed trial, or end its search."""
        cdef double alpha = self.scalar[q], shorter
        shorter = backtracking_step(alpha, f_alpha, self.alpha_prev[q], self.f_prev[q], self.f[q],
                            self.slope[q])
        if (self.evaluations[q] >= LINE_SEARCH_MAXEVAL
                or shorter * norm2_raw(&self.step[q, 0], self.n) <= EPS * fmax(1.0, norm2_raw(&self.x[q, 0], self.n))):
            self.state[q] = NONFINITE if self.saw_nonfinite[q] else NO_PROGRESS
            self.search[q] = SEARCH_DONE
            return
        self.alpha_prev[q] = alpha
        self.f_prev[q] = f_alpha
        self.scalar[q] = shorter
        self.search[q] = SEARCH_VALUE
        axpy_raw(shorter, &self.step[q, 0], &self.x[q, 0], &self.x_trial[q, 0], self.n)
