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

Each problem's Hessian is one row of an (m, block_size) array: a
column-major lower triangle (H[i, j], i ≥ j, at [q, i + j·n]) or, with a
bandwidth b, LAPACK lower band storage (H[j + k, j] at [q, k + j·(b+1)]),
so &hess[q, 0] is what LAPACK expects.

Problems are processed one after another, not with OpenMP's prange: for
the small n this is for, the callbacks (numpy, one thread) take three
quarters of the time or more, so threads here would gain little while
bringing an OpenMP runtime into the build and the wheels next to
OpenBLAS's own threads. Parallelism comes from splitting the batch instead
(threads or processes, e.g. examples/dask_batch.py): the GIL is released
around the per-problem step, line-search and update loops, the compaction,
the gathers of X and the Hessian copies and finite differences; only the
O(k) copies of values and gradients and the callbacks themselves keep it.

The per-problem steps are not written here: `BlockKernels` runs the
functions of `_blocks` and `_trust_steps` (modified Cholesky, Moré–Sorensen,
the second-order test, ρ and the radius update) on each problem's block,
the same functions `minimize`'s storages run, so each problem of a
trust-exact batch gets `minimize`'s iterates bit for bit, dense or banded.
"""

cimport cython
import numpy as np

from libc.math cimport sqrt, fabs, fmin, fmax, isfinite, INFINITY
from fastnewton._dense cimport DenseBlock
from fastnewton._banded cimport BandBlock
from fastnewton._blocks cimport modified_cholesky, solve, second_order_point
from fastnewton._trust_steps cimport (StepReport, StepWork, ExactSettings, SUBPROBLEM_OK,
                                      SUBPROBLEM_FACTORIZATION_FAILED, more_sorensen_step,
                                      trust_ratio, next_radius)
from fastnewton._status cimport (Status, SUCCESS, MAXITER, NO_PROGRESS, LINALG_ERROR, NONFINITE,
                                 SADDLE, CALLBACK_STOP)
from fastnewton._differences cimport (forward_rel_step, central_rel_step, step_group,
                                      difference_group, symmetrize_columns, add_group_to_band)
from fastnewton._vector cimport dot_raw, norm2_raw, gradient_norm_raw, axpy_raw, copy_raw

cdef double EPS = np.finfo(np.float64).eps
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


# final: the methods are called directly (and may be inlined), not through a vtable.
@cython.final
cdef class BlockKernels:
    """The per-problem steps of `_blocks` and `_trust_steps` on one problem's block of a batch.

    A problem's Hessian is a dense block (column-major n-by-n, lower
    triangle) or a band block ((b+1)-by-n lower band storage) of
    `block_size` doubles; these methods point a `DenseBlock` or `BandBlock`
    at it and at the shared factor, and run the same functions
    `FactorableHessian` runs, so a batch computes `minimize`'s numbers.
    Problems are processed one after another, so one set of work arrays
    serves the whole batch.
    """
    cdef Py_ssize_t n, bandwidth, block_size
    cdef bint banded
    cdef object arrays
    cdef double* factor
    cdef double* pivots
    cdef StepWork work
    cdef ExactSettings settings

    def __cinit__(self, Py_ssize_t n, bandwidth, int maxiter, double k_easy=0.1,
                  double k_hard=0.2):
        cdef double[::1] memory
        self.n = n
        self.banded = bandwidth is not None
        self.bandwidth = bandwidth if self.banded else 0
        self.block_size = (self.bandwidth + 1) * n if self.banded else n * n
        # The factor, the pivots and six n-vectors of step work space.
        self.arrays = np.zeros(self.block_size + 7 * n)
        memory = self.arrays
        self.factor = &memory[0]
        self.pivots = &memory[self.block_size]
        self.work.newton_step = &memory[self.block_size + n]
        self.work.secular_work = &memory[self.block_size + 2 * n]
        self.work.curvature_vector = &memory[self.block_size + 3 * n]
        self.work.curvature_product = &memory[self.block_size + 4 * n]
        self.work.hess_step = &memory[self.block_size + 5 * n]
        self.work.cauchy_point = &memory[self.block_size + 6 * n]
        self.settings.maxiter = maxiter
        self.settings.k_easy = k_easy
        self.settings.k_hard = k_hard

    cdef inline DenseBlock dense(self, double* hess) noexcept nogil:
        cdef DenseBlock block
        block.values = hess
        block.factor = self.factor
        return block

    cdef inline BandBlock band(self, double* hess) noexcept nogil:
        cdef BandBlock block
        block.values = hess
        block.factor = self.factor
        block.pivots = self.pivots
        block.bandwidth = self.bandwidth
        return block

    cdef int modified_factorization(self, double* hess, double* shift,
                                    int* factorizations) noexcept nogil:
        """`_blocks.modified_cholesky` on the block at `hess`."""
        cdef DenseBlock dense
        cdef BandBlock band
        if self.banded:
            band = self.band(hess)
            return modified_cholesky(&band, self.n, shift, factorizations)
        dense = self.dense(hess)
        return modified_cholesky(&dense, self.n, shift, factorizations)

    cdef void solve(self, double* rhs) noexcept nogil:
        """rhs ← (H + τI)⁻¹ rhs with the factor of the last successful factorization."""
        cdef DenseBlock dense
        cdef BandBlock band
        if self.banded:
            band = self.band(NULL)
            solve(&band, self.n, rhs)
        else:
            dense = self.dense(NULL)
            solve(&dense, self.n, rhs)

    cdef bint second_order_point(self, double* hess) noexcept nogil:
        """No curvature below −√ε·‖H‖∞ (`_blocks.second_order_point`)."""
        cdef DenseBlock dense
        cdef BandBlock band
        if self.banded:
            band = self.band(hess)
            return second_order_point(&band, self.n)
        dense = self.dense(hess)
        return second_order_point(&dense, self.n)

    cdef void exact_step(self, double* hess, const double* grad, double radius,
                         double* step, StepReport* report) noexcept nogil:
        """`_trust_steps.more_sorensen_step` on the block at `hess`."""
        cdef DenseBlock dense
        cdef BandBlock band
        if self.banded:
            band = self.band(hess)
            more_sorensen_step(&band, self.n, grad, radius, step, report, &self.work,
                               &self.settings)
            return
        dense = self.dense(hess)
        # With the order a literal, the compiler compiles a copy of the step
        # for each order (GCC: inlined or cloned) with the kernels' loops
        # unrolled; their trip counts of 1 to 3 otherwise cost more than their
        # arithmetic (at n = 3 a step takes about 40% less time). Same
        # operations in the same order, so the same numbers.
        if self.n == 1:
            more_sorensen_step(&dense, 1, grad, radius, step, report, &self.work, &self.settings)
        elif self.n == 2:
            more_sorensen_step(&dense, 2, grad, radius, step, report, &self.work, &self.settings)
        elif self.n == 3:
            more_sorensen_step(&dense, 3, grad, radius, step, report, &self.work, &self.settings)
        elif self.n == 4:
            more_sorensen_step(&dense, 4, grad, radius, step, report, &self.work, &self.settings)
        elif self.n == 5:
            more_sorensen_step(&dense, 5, grad, radius, step, report, &self.work, &self.settings)
        elif self.n == 6:
            more_sorensen_step(&dense, 6, grad, radius, step, report, &self.work, &self.settings)
        else:
            more_sorensen_step(&dense, self.n, grad, radius, step, report, &self.work,
                               &self.settings)

    cdef bint finite(self, const double* hess) noexcept nogil:
        """Whether every entry of the block that belongs to the matrix is finite."""
        cdef Py_ssize_t i, j, k, n = self.n, rows = self.bandwidth + 1
        if self.banded:
            for j in range(n):
                for k in range(min(rows, n - j)):
                    if not isfinite(hess[k + j * rows]):
                        return False
            return True
        for j in range(n):
            for i in range(j, n):
                if not isfinite(hess[i + j * n]):
                    return False
        return True

    cdef void to_output(self, const double* hess, double* out) noexcept nogil:
        """The block as the user gets it: a full symmetric C matrix, or the band storage (C order)."""
        cdef Py_ssize_t i, j, k, n = self.n, rows = self.bandwidth + 1
        if self.banded:
            for k in range(rows):
                for j in range(n):
                    out[k * n + j] = hess[k + j * rows]
            return
        for j in range(n):
            for i in range(j, n):
                out[i * n + j] = hess[i + j * n]
                out[j * n + i] = hess[i + j * n]


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
        array = np.ascontiguousarray(value, dtype=np.float64)
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
    bandwidth : int or None
        The half-bandwidth b of banded Hessians, None for dense ones.
    """
    cdef object fun, jac, hess
    cdef tuple args
    cdef list batch_args
    cdef Py_ssize_t[::1] index
    cdef readonly Py_ssize_t n
    cdef bint jac_with_value, gradient_by_differences, gradient_central
    cdef bint hessian_callable, hessian_central
    cdef double gradient_rel_step, hessian_rel_step
    # Half-bandwidth of the Hessians, or -1 for dense ones.
    cdef Py_ssize_t bandwidth
    cdef readonly object nfev, njev, nhev
    cdef Py_ssize_t[::1] nfev_view, njev_view, nhev_view
    cdef object cached_rows
    cdef list cached_args

    def __init__(self, fun, jac, hess, tuple args, list batch_args, index, Py_ssize_t n,
                 rel_step=None, bandwidth=None):
        self.fun, self.jac, self.hess, self.args = fun, jac, hess, args
        self.bandwidth = -1 if bandwidth is None else bandwidth
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
        cdef const double[::1] f_plus, f_minus
        cdef bint central = self.gradient_central
        if r == 0:
            return 0
        if not self.gradient_by_differences:
            return self.user_gradients(self.gather(source, positions), rows, k, grad_out, rows)
        for j in range(n):
            plus_array = self.perturbed(source, positions, j, n, self.gradient_rel_step, False)
            f_plus = as_result_array(self.call(self.fun, plus_array, rows, k), (r,), "fun",
                                     "one value per row of X")
            self.count(self.nfev_view, positions)
            if central:
                minus_array = self.perturbed(source, positions, j, n, self.gradient_rel_step,
                                             True)
                f_minus = as_result_array(self.call(self.fun, minus_array, rows, k), (r,), "fun",
                                          "one value per row of X")
                self.count(self.nfev_view, positions)
            with nogil:
                for q in range(r):
                    difference_group(&f_plus[q], &f_minus[q] if central else &f_at[positions[q]],
                                     central, &source[positions[q], 0], self.gradient_rel_step,
                                     j, n, 1, -1, 0, &grad_out[positions[q], 0], 0, 1, n)
        return 0

    cdef object perturbed(self, const double[:, ::1] source, const Py_ssize_t[::1] positions,
                          Py_ssize_t group, Py_ssize_t stride, double rel_step, bint backward):
        """The rows of `source` at `positions`, each with the columns of one group stepped (`step_group`)."""
        cdef Py_ssize_t q, n = self.n
        points_array = self.gather(source, positions)
        cdef double[:, ::1] points = points_array
        with nogil:
            for q in range(positions.shape[0]):
                step_group(&points[q, 0], &source[positions[q], 0], group, stride, rel_step,
                           backward, n)
        return points_array

    cdef int hessians(self, const double[:, ::1] source, object rows, Py_ssize_t k,
                      const double[:, ::1] grad_at, double[:, ::1] hess_out) except -1:
        """H at the rows `rows` of `source` (gradients in `grad_at`) into the same blocks of hess_out.

        Blocks are dense (column-major n-by-n, lower triangle) or, with a
        bandwidth b, (b+1)-by-n lower band storage. A callable `hess` fills
        them from its (k, n, n) or (k, b+1, n) result. Otherwise the
        differences of `Objective` run on every row at once: dense, column
        j of every H from one batched gradient call, then H ← (H + Hᵀ)/2;
        banded, the 2b+1 column groups of `_differences`.
        """
        cdef const Py_ssize_t[::1] positions = rows
        cdef Py_ssize_t r = positions.shape[0]
        if r == 0:
            return 0
        if self.hessian_callable:
            self.user_hessians(source, rows, k, hess_out)
        elif self.bandwidth >= 0:
            self.band_differences(source, rows, k, grad_at, hess_out)
        else:
            self.dense_differences(source, rows, k, grad_at, hess_out)
        return 0

    cdef int user_hessians(self, const double[:, ::1] source, object rows, Py_ssize_t k,
                           double[:, ::1] hess_out) except -1:
        cdef const Py_ssize_t[::1] positions = rows
        cdef Py_ssize_t q, i, j, r = positions.shape[0], n = self.n, b = self.bandwidth
        cdef const double[:, :, :] hess_view
        cdef double* block
        result = self.call(self.hess, self.gather(source, positions), rows, k)
        self.count(self.nhev_view, positions)
        if b >= 0:
            hess_view = as_result_array(result, (r, b + 1, n), "hess",
                                        "one lower band storage per row of X")
            with nogil:
                for q in range(r):
                    block = &hess_out[positions[q], 0]
                    for j in range(n):
                        for i in range(b + 1):
                            block[i + j * (b + 1)] = hess_view[q, i, j] if i + j < n else 0.0
            return 0
        hess_view = as_result_array(result, (r, n, n), "hess", "one Hessian per row of X")
        with nogil:
            for q in range(r):
                block = &hess_out[positions[q], 0]
                for j in range(n):
                    for i in range(j, n):
                        block[i + j * n] = hess_view[q, i, j]
        return 0

    cdef int dense_differences(self, const double[:, ::1] source, object rows, Py_ssize_t k,
                               const double[:, ::1] grad_at, double[:, ::1] hess_out) except -1:
        cdef const Py_ssize_t[::1] positions = rows
        cdef Py_ssize_t q, j, r = positions.shape[0], n = self.n
        cdef bint central = self.hessian_central
        cdef double[:, ::1] grad_plus = np.empty((r, n)), grad_minus = np.empty((r, n))
        cdef Py_ssize_t[::1] local = np.arange(r, dtype=np.intp)
        for j in range(n):
            self.user_gradients(self.perturbed(source, positions, j, n, self.hessian_rel_step,
                                               False), rows, k, grad_plus, local)
            if central:
                self.user_gradients(self.perturbed(source, positions, j, n,
                                                   self.hessian_rel_step, True),
                                    rows, k, grad_minus, local)
            with nogil:
                for q in range(r):
                    difference_group(&grad_plus[q, 0], &grad_minus[q, 0] if central
                                     else &grad_at[positions[q], 0], central,
                                     &source[positions[q], 0], self.hessian_rel_step, j, n, n,
                                     -1, 0, &hess_out[positions[q], 0], 1, n, n)
        with nogil:
            for q in range(r):
                symmetrize_columns(&hess_out[positions[q], 0], n)
        return 0

    cdef int band_differences(self, const double[:, ::1] source, object rows, Py_ssize_t k,
                              const double[:, ::1] grad_at, double[:, ::1] hess_out) except -1:
        """The bands of every row from 2b+1 batched gradient differences (`Objective.banded_fd_band`)."""
        cdef const Py_ssize_t[::1] positions = rows
        cdef Py_ssize_t q, i, group, r = positions.shape[0], n = self.n, b = self.bandwidth
        cdef Py_ssize_t stride = min(2 * b + 1, n)
        cdef double rel_step = self.hessian_rel_step
        cdef bint central = self.hessian_central
        cdef double[:, ::1] grad_plus, grad_minus
        cdef const double[:] base
        cdef Py_ssize_t[::1] local = np.arange(r, dtype=np.intp)
        grad_plus = np.empty((r, n))
        grad_minus = np.empty((r, n))
        with nogil:
            for q in range(r):
                for i in range((b + 1) * n):
                    hess_out[positions[q], i] = 0.0
        for group in range(stride):
            self.user_gradients(self.perturbed(source, positions, group, stride, rel_step, False),
                                rows, k, grad_plus, local)
            if central:
                self.user_gradients(self.perturbed(source, positions, group, stride, rel_step,
                                                   True), rows, k, grad_minus, local)
            with nogil:
                for q in range(r):
                    if central:
                        base = grad_minus[q, :]
                    else:
                        base = grad_at[positions[q], :]
                    # Non-finite estimates are caught by the solver's check of the block.
                    add_group_to_band(grad_plus[q, :], base, 0.5 if central else 1.0,
                                      &source[positions[q], 0], rel_step, group, stride, b,
                                      &hess_out[positions[q], 0], 1, b + 1, n)
        return 0


cdef inline void copy_row(const double[:, :] source, Py_ssize_t q, double[:, ::1] dest,
                          Py_ssize_t p, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(n):
        dest[p, i] = source[q, i]


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
    bandwidth : int or None
        The half-bandwidth b of banded Hessians (blocks and results in lower
        band storage, (b+1)-by-n), None for dense ones.

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
    cdef BlockKernels kernels
    cdef Py_ssize_t m, n, k
    cdef double gtol
    cdef bint inf_norm, jac_with_value, escape_saddles
    cdef Py_ssize_t maxiter
    # Working arrays, by position in the active set.
    cdef object index_array, all_positions
    cdef Py_ssize_t[::1] index
    cdef double[:, ::1] x, grad, x_trial, grad_trial, step
    cdef double[:, ::1] hess      # one block (`BlockKernels`) per row
    cdef double[::1] f, f_trial, scalar, model_decrease, slope, ratio, alpha_prev, f_prev
    cdef signed char[::1] state, search, hits_boundary, saw_nonfinite, flags, rejected
    cdef int[::1] evaluations
    # Outputs, by problem id.
    cdef readonly object x_out, f_out, grad_out, hess_out, status_out, nit_out, scalar_out
    cdef readonly object start_failed_out
    cdef double[:, ::1] x_out_view, grad_out_view
    cdef double[:, ::1] hess_out_view
    cdef double[::1] f_out_view, scalar_out_view
    cdef Py_ssize_t[::1] nit
    cdef signed char[::1] status_view, start_failed

    def __init__(self, BatchObjective objective, x0, index, double gtol, bint inf_norm,
                 Py_ssize_t maxiter, bint escape_saddles, int subproblem_maxiter, bandwidth=None):
        cdef Py_ssize_t m = x0.shape[0], n = x0.shape[1]
        self.objective = objective
        self.kernels = BlockKernels(n, bandwidth, subproblem_maxiter)
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
        self.hess = np.full((m, self.kernels.block_size), np.nan)
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
        self.hess_out = np.empty((m, n, n) if bandwidth is None else (m, bandwidth + 1, n))
        self.scalar_out = np.empty(m)
        self.status_out = np.empty(m, dtype=np.int8)
        self.start_failed_out = np.zeros(m, dtype=np.int8)
        self.nit_out = np.zeros(m, dtype=np.intp)
        self.x_out_view, self.f_out_view = self.x_out, self.f_out
        self.grad_out_view = self.grad_out
        self.hess_out_view = self.hess_out.reshape(m, -1)
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
        """Copy the problem at position q to the outputs (H as a full symmetric matrix, or the band)."""
        cdef Py_ssize_t p = self.index[q], n = self.n
        copy_raw(&self.x[q, 0], &self.x_out_view[p, 0], n)
        copy_raw(&self.grad[q, 0], &self.grad_out_view[p, 0], n)
        self.f_out_view[p] = self.f[q]
        self.scalar_out_view[p] = self.scalar[q]
        self.status_view[p] = self.state[q]
        self.kernels.to_output(&self.hess[q, 0], &self.hess_out_view[p, 0])

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
        copy_raw(&self.hess[source, 0], &self.hess[dest, 0], self.kernels.block_size)
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
                if not self.kernels.finite(&self.hess[q, 0]):
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
            if not self.escape_saddles or self.kernels.second_order_point(&self.hess[q, 0]):
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
        cdef double rho
        self.start(radius)
        while self.k > 0:
            k = self.k
            with nogil:
                for q in range(k):
                    if self.stops(q, True):
                        continue
                    self.kernels.exact_step(&self.hess[q, 0], &self.grad[q, 0], self.scalar[q],
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
                        rho = trust_ratio(self.f[q], self.f_trial[q], self.model_decrease[q])
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
                    self.scalar[q] = next_radius(rho, self.scalar[q], self.hits_boundary[q],
                                                 max_radius)
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
                    if self.flags[q] and not self.kernels.finite(&self.hess[q, 0]):
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
                    if self.kernels.modified_factorization(&self.hess[q, 0], &shift,
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
                    if self.flags[q] and not self.kernels.finite(&self.hess[q, 0]):
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
