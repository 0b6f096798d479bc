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

from libc.math cimport fmax, fmin, isfinite, INFINITY
from fastnewton._dense cimport DenseBlock
from fastnewton._banded cimport BandBlock
from fastnewton._blocks cimport second_order_point, matvec
from fastnewton._newton_step cimport (NewtonStep, NEWTON_FACTOR_FAILED, NEWTON_CONVERGED,
                                      NEWTON_NO_DESCENT, newton_step, next_newton_radius)
from fastnewton._trust_steps cimport (StepReport, StepWork, ExactSettings, SecularPoint,
                                      WarmStart, exact_settings, remember_solve,
                                      lay_out_work, SUBPROBLEM_OK,
                                      SUBPROBLEM_FACTORIZATION_FAILED, more_sorensen_step,
                                      dense_more_sorensen_step,
                                      trust_ratio, next_radius, radius_cap, first_radius)
from fastnewton._status cimport (SUCCESS, MAXITER, NO_PROGRESS, LINALG_ERROR, NONFINITE, SADDLE,
                                 CALLBACK_STOP)
from fastnewton._differences cimport (forward_rel_step, central_rel_step, step_group,
                                      difference_group, symmetrize_columns, add_group_to_band)
from fastnewton._vector cimport dot_raw, norm2_raw, gradient_norm_raw, axpy_raw, copy_raw
from fastnewton._line_search cimport (LineSearch, SearchAsk, ASK_VALUE, ASK_SLOPE,
                                     ASK_FINAL_GRADIENT, ACCEPT_LOW, GIVE_UP, wolfe_value,
                                     wolfe_slope, curvature_value, curvature_gradient,
                                     trial_length)

from fastnewton._hessian cimport FactorableHessian
from fastnewton._projected cimport (bounded_step, BoundedWork, BoundedStepStats,
                                    newton_direction, escape_direction, ProjectedSearch,
                                    SearchOutcome, SEARCH_GOES_ON, SEARCH_FAILED,
                                    begin_projected_search, next_projected_trial,
                                    sufficient_decrease, trial_refused, trial_taken,
                                    failed_status, rounding_trial, flat_at,
                                    FaceJump, reset_face_jump, jump_due,
                                    after_newton_iteration, bounds_changed,
                                    face_jump_direction, radius_after_search)
from fastnewton._reduced cimport ReducedHessian
from fastnewton._subproblems cimport ExactSubproblem
from fastnewton._box cimport clamp, projected_gradient_norm, projected_step

cdef double EPS = np.finfo(np.float64).eps

# Per-position states besides the final Status codes (which are >= 0).
cdef enum:
    RUNNING = -1

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

    def __cinit__(self, Py_ssize_t n, bandwidth, int maxiter):
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
        lay_out_work(&self.work, &memory[self.block_size + n], n)
        self.settings = exact_settings(maxiter)

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

    cdef NewtonStep newton_step(self, double* hess, const double* grad, double f,
                                bint stationary, double c1, double c2, double x_norm,
                                double radius, double* direction, LineSearch* search,
                                double* shift, int* factorizations) noexcept nogil:
        """`_newton_step.newton_step` on the block at `hess`."""
        cdef DenseBlock dense
        cdef BandBlock band
        if self.banded:
            band = self.band(hess)
            return newton_step(&band, self.n, grad, f, stationary, c1, c2, x_norm, radius,
                               direction, &self.work, search, shift, factorizations)
        dense = self.dense(hess)
        return newton_step(&dense, self.n, grad, f, stationary, c1, c2, x_norm, radius,
                           direction, &self.work, search, shift, factorizations)

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
                         double* step, StepReport* report, WarmStart warm,
                         const SecularPoint* retry) noexcept nogil:
        """`_trust_steps.more_sorensen_step` on the block at `hess`."""
        cdef DenseBlock dense
        cdef BandBlock band
        if self.banded:
            band = self.band(hess)
            more_sorensen_step(&band, self.n, grad, radius, step, report, &self.work,
                               &self.settings, warm, retry)
            return
        dense = self.dense(hess)
        dense_more_sorensen_step(&dense, self.n, grad, radius, step, report, &self.work,
                                 &self.settings, warm, retry)

    cdef double grad_curvature(self, double* hess, const double* grad) noexcept nogil:
        """gᵀHg for the block at `hess`."""
        cdef DenseBlock dense
        cdef BandBlock band
        if self.banded:
            band = self.band(hess)
            matvec(&band, self.n, grad, self.work.hess_step)
        else:
            dense = self.dense(hess)
            matvec(&dense, self.n, grad, self.work.hess_step)
        return dot_raw(grad, self.work.hess_step, self.n)

    cdef bint finite(self, const double* hess) noexcept nogil:
        """Whether every entry of the block that belongs to the matrix is finite."""
        cdef Py_ssize_t j, n = self.n, rows = self.bandwidth + 1
        cdef Py_ssize_t full = max(n - self.bandwidth, 0)
        if self.banded:
            # The first n − b columns lie wholly inside the matrix: one run of
            # memory. Column j beyond holds n − j entries of it.
            if not row_finite(hess, full * rows):
                return False
            for j in range(full, n):
                if not row_finite(&hess[j * rows], n - j):
                    return False
            return True
        for j in range(n):
            if not row_finite(&hess[j + j * n], n - j):
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


cdef class BlockView(FactorableHessian):
    """One problem's block of a batch as a `FactorableHessian`, for `_projected.bounded_step`.

    `point_at` aims it at a block of the batch's Hessian array; the factor
    (and band pivots) are its own. The bounded step is written once over
    the storage interface, and this lets a batch run it problem by problem.
    """
    cdef object memory

    def __cinit__(self, Py_ssize_t n, bandwidth):
        cdef double[::1] memory
        cdef Py_ssize_t size = (bandwidth + 1) * n if bandwidth is not None else n * n
        self.n = n
        self.banded = bandwidth is not None
        self.memory = np.zeros(max(size + n, 1))
        memory = self.memory
        if self.banded:
            self.band.factor = &memory[0]
            self.band.pivots = &memory[size]
            self.band.bandwidth = bandwidth
        else:
            self.dense.factor = &memory[0]

    cdef void point_at(self, double* values) noexcept:
        if self.banded:
            self.band.values = values
        else:
            self.dense.values = values


def as_result_array(value, tuple shape, str name, str meaning):
    """`value` as a float64 array of exactly `shape`, or an error naming the expected shape."""
    if (type(value) is np.ndarray and value.dtype == np.float64 and value.shape == shape
            and value.flags.c_contiguous):
        return value     # what a vectorized numpy callback returns: nothing to convert
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


cdef bint same_positions(const Py_ssize_t[::1] first, const Py_ssize_t[::1] second) noexcept:
    """Whether two position arrays hold the same entries (`np.array_equal` without its 3 µs)."""
    cdef Py_ssize_t q
    if first.shape[0] != second.shape[0]:
        return False
    for q in range(first.shape[0]):
        if first[q] != second[q]:
            return False
    return True


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
    rows_per_call : int
        Most rows per call of a callback (0: all of them at once).
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
    cdef Py_ssize_t rows_per_call
    cdef readonly object nfev, njev, nhev
    cdef Py_ssize_t[::1] nfev_view, njev_view, nhev_view
    cdef object cached_rows
    cdef list cached_args
    # Each problem's box, by problem id (not by position: `compact` need not
    # move it); see `set_box`.
    cdef bint bounded
    cdef const double[:, ::1] lower, upper

    def __init__(self, fun, jac, hess, tuple args, list batch_args, index, Py_ssize_t n,
                 rel_step=None, bandwidth=None, Py_ssize_t rows_per_call=0):
        self.fun, self.jac, self.hess, self.args = fun, jac, hess, args
        self.bandwidth = -1 if bandwidth is None else bandwidth
        self.rows_per_call = rows_per_call
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

    def set_box(self, lower, upper):
        """Keep every finite-difference point of problem i inside lower[i] ≤ x ≤ upper[i].

        `lower` and `upper` are float64 arrays of shape (m, n), by problem id.
        Each problem's points are those `Objective.set_box` gives
        `fastnewton.minimize` (`_differences.column_points`), so the user's
        functions never see a point outside its box.
        """
        self.lower = np.ascontiguousarray(lower, dtype=np.float64)
        self.upper = np.ascontiguousarray(upper, dtype=np.float64)
        self.bounded = True

    cdef inline const double* lower_at(self, Py_ssize_t position) noexcept nogil:
        """The lower bounds of the problem at `position`, or NULL without a box."""
        return &self.lower[self.index[position], 0] if self.bounded else NULL

    cdef inline const double* upper_at(self, Py_ssize_t position) noexcept nogil:
        return &self.upper[self.index[position], 0] if self.bounded else NULL

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
        if self.cached_rows is None or not same_positions(rows, self.cached_rows):
            self.cached_args = take_rows(self.batch_args, rows)
            self.cached_rows = rows
        return self.cached_args

    cdef Py_ssize_t block_rows(self, Py_ssize_t r):
        """Rows per call of a callback when r rows are asked for.

        At most `rows_per_call`, so that the user's temporaries stay in cache
        (at n = 1000 numpy then runs a vectorized callback about twice as fast
        per row as on 10³ rows at once). Each block's points are gathered just
        before its call and its results stored just after, while both are
        still in cache, rather than gathering all rows first and joining the
        blocks' results afterwards.
        """
        return self.rows_per_call if 0 < self.rows_per_call < r else r

    cdef tuple call(self, object function, object points, list args, Py_ssize_t start,
                    Py_ssize_t r, bint pair, tuple tail, str name, str meaning):
        """`function` at `points`, validated: rows start… of a call for r rows (`args` has all r).

        Returns (values,) of shape (len(points),) + tail; with `pair` (fun
        with jac=True), (f, g) of shapes (len(points),) and (len(points), n).
        """
        cdef Py_ssize_t rows = points.shape[0]
        if rows == r:
            result = function(points, *args, *self.args)
        else:
            result = function(points, *[a[start:start + rows] for a in args], *self.args)
        if not pair:
            return (as_result_array(result, (rows,) + tail, name, meaning),)
        if not isinstance(result, tuple) or len(result) != 2:
            raise ValueError("with jac=True, fun must return a tuple (f, g) with f of shape "
                             "(%d,) and g of shape (%d, %d), got %s"
                             % (rows, rows, self.n, type(result).__name__))
        return (as_result_array(result[0], (rows,), name,
                                "the f part with jac=True: one value per row of X"),
                as_result_array(result[1], (rows, self.n), name,
                                "the g part with jac=True: one gradient per row of X"))

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
        cdef Py_ssize_t q, start, r = positions.shape[0], n = self.n
        cdef const double[::1] f_view
        cdef const double[:, ::1] grad_view
        if r == 0:
            return 0
        args = self.args_for(rows, k)
        for start in range(0, r, self.block_rows(r)):
            points = self.gather(source, positions[start:min(start + self.block_rows(r), r)])
            if self.jac_with_value:
                f_view, grad_view = self.call(self.fun, points, args, start, r, True, (), "fun",
                                              "")
            else:
                f_view, = self.call(self.fun, points, args, start, r, False, (), "fun",
                                    "one value per row of X")
            for q in range(f_view.shape[0]):
                f_out[positions[start + q]] = f_view[q]
                if self.jac_with_value:
                    copy_raw(&grad_view[q, 0], &grad_out[positions[start + q], 0], n)
        self.count(self.nfev_view, positions)
        if self.jac_with_value:
            self.count(self.njev_view, positions)
        return 0

    cdef object user_gradients(self, object points, list args, Py_ssize_t start, Py_ssize_t r):
        """The user's gradients at `points` (rows start… of a call for r rows): (len(points), n).

        Not counted here: the caller counts each call's rows once (`count_gradients`).
        """
        if self.jac_with_value:
            return self.call(self.fun, points, args, start, r, True, (), "fun", "")[1]
        return self.call(self.jac, points, args, start, r, False, (self.n,), "jac",
                         "one gradient per row of X")[0]

    cdef void count_gradients(self, const Py_ssize_t[::1] rows) noexcept:
        if self.jac_with_value:
            self.count(self.nfev_view, rows)
        self.count(self.njev_view, rows)

    cdef int gradients(self, const double[:, ::1] source, object rows, Py_ssize_t k,
                       const double[::1] f_at, double[:, ::1] grad_out) except -1:
        """∇f at the rows `rows` of `source` (whose values are in `f_at`), into the same positions.

        By finite differences of f (jac '2-point'/'3-point'): one batched call
        of fun per coordinate (two for central differences), each perturbing
        coordinate j of every row at once.
        """
        cdef const Py_ssize_t[::1] positions = rows
        cdef Py_ssize_t q, j, start, block, r = positions.shape[0], n = self.n
        cdef const double[:, ::1] grad_view
        cdef const double[::1] f_plus, f_minus
        cdef const Py_ssize_t[::1] part
        cdef bint central = self.gradient_central
        cdef double rel_step = self.gradient_rel_step
        if r == 0:
            return 0
        args = self.args_for(rows, k)
        block = self.block_rows(r)
        if not self.gradient_by_differences:
            for start in range(0, r, block):
                grad_view = self.user_gradients(
                    self.gather(source, positions[start:min(start + block, r)]), args, start, r)
                for q in range(grad_view.shape[0]):
                    copy_raw(&grad_view[q, 0], &grad_out[positions[start + q], 0], n)
            self.count_gradients(positions)
            return 0
        for j in range(n):
            for start in range(0, r, block):
                part = positions[start:min(start + block, r)]
                f_plus, = self.call(self.fun,
                                    self.perturbed(source, part, j, n, rel_step, False, central),
                                    args, start, r, False, (), "fun", "one value per row of X")
                if central:
                    f_minus, = self.call(self.fun, self.perturbed(source, part, j, n, rel_step,
                                                                  True, central),
                                         args, start, r, False, (), "fun",
                                         "one value per row of X")
                with nogil:
                    for q in range(f_plus.shape[0]):
                        difference_group(&f_plus[q], &f_minus[q] if central
                                         else &f_at[positions[start + q]], central,
                                         &source[positions[start + q], 0], rel_step, j, n, 1,
                                         -1, 0, &grad_out[positions[start + q], 0], 0, 1, n,
                                         self.lower_at(positions[start + q]),
                                         self.upper_at(positions[start + q]))
            self.count(self.nfev_view, positions)
            if central:
                self.count(self.nfev_view, positions)
        return 0

    cdef object perturbed(self, const double[:, ::1] source, const Py_ssize_t[::1] positions,
                          Py_ssize_t group, Py_ssize_t stride, double rel_step, bint backward,
                          bint central):
        """The rows of `source` at `positions`, each with the columns of one group stepped.

        `step_group` inside each problem's box; `central` says which pair of
        points the differences take.
        """
        cdef Py_ssize_t q, n = self.n
        points_array = self.gather(source, positions)
        cdef double[:, ::1] points = points_array
        with nogil:
            for q in range(positions.shape[0]):
                step_group(&points[q, 0], &source[positions[q], 0], group, stride, rel_step,
                           backward, n, central, self.lower_at(positions[q]),
                           self.upper_at(positions[q]))
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
        cdef Py_ssize_t q, i, j, start, r = positions.shape[0], n = self.n, b = self.bandwidth
        cdef Py_ssize_t block = self.block_rows(r)
        cdef const double[:, :, ::1] hess_view
        cdef double* dest
        args = self.args_for(rows, k)
        for start in range(0, r, block):
            points = self.gather(source, positions[start:min(start + block, r)])
            if b >= 0:
                hess_view, = self.call(self.hess, points, args, start, r, False, (b + 1, n),
                                       "hess", "one lower band storage per row of X")
            else:
                hess_view, = self.call(self.hess, points, args, start, r, False, (n, n), "hess",
                                       "one Hessian per row of X")
            with nogil:
                for q in range(hess_view.shape[0]):
                    dest = &hess_out[positions[start + q], 0]
                    if b >= 0:
                        # Row i of the user's (b+1, n) band is diagonal i, every
                        # (b+1)-th entry of the column-major block; its last i
                        # entries lie outside the matrix.
                        for i in range(b + 1):
                            for j in range(n - i):
                                dest[i + j * (b + 1)] = hess_view[q, i, j]
                            for j in range(max(n - i, 0), n):
                                dest[i + j * (b + 1)] = 0.0
                    else:
                        for j in range(n):
                            for i in range(j, n):
                                dest[i + j * n] = hess_view[q, i, j]
        self.count(self.nhev_view, positions)
        return 0

    cdef int dense_differences(self, const double[:, ::1] source, object rows, Py_ssize_t k,
                               const double[:, ::1] grad_at, double[:, ::1] hess_out) except -1:
        cdef const Py_ssize_t[::1] positions = rows
        cdef Py_ssize_t q, j, start, r = positions.shape[0], n = self.n
        cdef Py_ssize_t block = self.block_rows(r)
        cdef bint central = self.hessian_central
        cdef double rel_step = self.hessian_rel_step
        cdef const double[:, ::1] grad_plus, grad_minus
        cdef const Py_ssize_t[::1] part
        args = self.args_for(rows, k)
        for j in range(n):
            for start in range(0, r, block):
                part = positions[start:min(start + block, r)]
                grad_plus = self.user_gradients(
                    self.perturbed(source, part, j, n, rel_step, False, central), args, start, r)
                if central:
                    grad_minus = self.user_gradients(
                        self.perturbed(source, part, j, n, rel_step, True, central), args,
                        start, r)
                with nogil:
                    for q in range(grad_plus.shape[0]):
                        difference_group(&grad_plus[q, 0], &grad_minus[q, 0] if central
                                         else &grad_at[positions[start + q], 0], central,
                                         &source[positions[start + q], 0], rel_step, j, n, n,
                                         -1, 0, &hess_out[positions[start + q], 0], 1, n, n,
                                         self.lower_at(positions[start + q]),
                                         self.upper_at(positions[start + q]))
            self.count_gradients(positions)
            if central:
                self.count_gradients(positions)
        with nogil:
            for q in range(r):
                symmetrize_columns(&hess_out[positions[q], 0], n)
        return 0

    cdef int band_differences(self, const double[:, ::1] source, object rows, Py_ssize_t k,
                              const double[:, ::1] grad_at, double[:, ::1] hess_out) except -1:
        """The bands of every row from 2b+1 batched gradient differences (`Objective.banded_fd_band`).

        A block of rows goes through all its groups before the next block,
        so that its bands stay in cache while the groups add into them.
        """
        cdef const Py_ssize_t[::1] positions = rows
        cdef Py_ssize_t q, i, group, start, r = positions.shape[0], n = self.n, b = self.bandwidth
        cdef Py_ssize_t stride = min(2 * b + 1, n), block = self.block_rows(r)
        cdef double rel_step = self.hessian_rel_step
        cdef bint central = self.hessian_central
        cdef const double[:, ::1] grad_plus, grad_minus
        cdef const double[:] base
        cdef const Py_ssize_t[::1] part
        args = self.args_for(rows, k)
        for start in range(0, r, block):
            part = positions[start:min(start + block, r)]
            with nogil:
                for q in range(part.shape[0]):
                    for i in range((b + 1) * n):
                        hess_out[part[q], i] = 0.0
            for group in range(stride):
                grad_plus = self.user_gradients(
                    self.perturbed(source, part, group, stride, rel_step, False,
                                   central), args, start, r)
                if central:
                    grad_minus = self.user_gradients(
                        self.perturbed(source, part, group, stride, rel_step, True, central),
                        args, start, r)
                with nogil:
                    for q in range(grad_plus.shape[0]):
                        if central:
                            base = grad_minus[q, :]
                        else:
                            base = grad_at[part[q], :]
                        # Non-finite estimates are caught by the solver's check of the block.
                        add_group_to_band(grad_plus[q, :], base, central, &source[part[q], 0],
                                          rel_step, group, stride, b, &hess_out[part[q], 0], 1,
                                          b + 1, n, self.lower_at(part[q]), self.upper_at(part[q]))
        for group in range(stride * (2 if central else 1)):
            self.count_gradients(positions)
        return 0


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
    cdef double[::1] f, f_trial, scalar, model_decrease, ratio
    # trust-exact: each problem's warm start (`ExactSubproblem.warm`), and its
    # last solve's `SecularPoint`, which a rejected step's next solve starts
    # from (`ExactSubproblem.last`).
    cdef object warm_memory
    cdef WarmStart* warm
    cdef object secular_memory
    cdef SecularPoint* secular
    cdef signed char[::1] state, hits_boundary, flags, rejected
    # With bounds: the step is the unconstrained subproblem's (`BoundedStepStats`).
    cdef signed char[::1] unconstrained_step
    # With bounds (`set_box`): each problem's box, by position.
    cdef bint bounded
    cdef double[:, ::1] lower, upper
    cdef int subproblem_maxiter
    cdef object bounded_view, bounded_reduced, bounded_subproblem
    cdef BoundedWork bounded_work
    # newton: each position's line search (`_line_search`), and the gradient it keeps.
    cdef object searches_memory
    cdef LineSearch* searches
    cdef double[:, ::1] best_grad
    # newton: each position's bound on its next step (`next_newton_radius`).
    cdef double[::1] newton_radius
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
        self.subproblem_maxiter = subproblem_maxiter
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
        self.warm_memory = np.zeros(m * sizeof(WarmStart), dtype=np.uint8)   # λ = 0, not indefinite
        self.warm = <WarmStart*><size_t>self.warm_memory.ctypes.data
        self.secular_memory = np.zeros(m * sizeof(SecularPoint), dtype=np.uint8)
        self.secular = <SecularPoint*><size_t>self.secular_memory.ctypes.data
        self.ratio = np.empty(m)
        self.state = np.full(m, RUNNING, dtype=np.int8)
        self.hits_boundary = np.zeros(m, dtype=np.int8)
        self.unconstrained_step = np.zeros(m, dtype=np.int8)
        self.flags = np.zeros(m, dtype=np.int8)
        self.rejected = np.zeros(m, dtype=np.int8)
        self.searches_memory = np.zeros(m * sizeof(LineSearch), dtype=np.uint8)
        self.searches = <LineSearch*><size_t>self.searches_memory.ctypes.data
        self.newton_radius = np.full(m, INFINITY)
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

    def set_box(self, lower, upper):
        """Bound every problem to lower[i] ≤ x ≤ upper[i] (float64 arrays of shape (m, n),
        copies the solver may reorder); x0 must lie in the box. Then `run_trust_exact` takes
        projected trust-region steps; `run_projected_newton` needs it."""
        self.lower = np.array(lower, dtype=np.float64, order="C")
        self.upper = np.array(upper, dtype=np.float64, order="C")
        self.bounded = True

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
        self.warm[dest] = self.warm[source]
        self.secular[dest] = self.secular[source]
        if self.bounded:
            copy_raw(&self.lower[source, 0], &self.lower[dest, 0], n)
            copy_raw(&self.upper[source, 0], &self.upper[dest, 0], n)
        self.searches[dest] = self.searches[source]
        self.newton_radius[dest] = self.newton_radius[source]
        self.hits_boundary[dest] = self.hits_boundary[source]
        self.unconstrained_step[dest] = self.unconstrained_step[source]
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

    cdef int start_searches(self) except -1:
        """`start`, for the line-search drivers: x_trial then holds x0 and f_trial its value.

        x_trial is the last point whose value was asked, as `Objective`
        keeps it, so a trial that lands there again costs no call.
        """
        cdef Py_ssize_t q, n = self.n
        self.start(1.0)
        with nogil:
            for q in range(self.k):
                copy_raw(&self.x[q, 0], &self.x_trial[q, 0], n)
                self.f_trial[q] = self.f[q]
                copy_raw(&self.grad[q, 0], &self.grad_trial[q, 0], n)
        return 0

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

    cdef bint stops(self, Py_ssize_t q) noexcept nogil:
        """The tests at the top of an iteration: converged, or out of iterations.

        With `escape_saddles`, ‖g‖ ≤ gtol is success only where H has no
        curvature below −tol, as in the single-problem drivers; elsewhere the
        step (trust-exact's hard case, newton's negative-curvature search)
        leaves the saddle.
        """
        if self.bounded:
            if projected_gradient_norm(&self.x[q, 0], &self.grad[q, 0], &self.lower[q, 0],
                                       &self.upper[q, 0], self.n, self.inf_norm) <= self.gtol:
                self.state[q] = SUCCESS
                return True
        elif gradient_norm_raw(&self.grad[q, 0], self.n, self.inf_norm) <= self.gtol:
            if not self.escape_saddles or self.kernels.second_order_point(&self.hess[q, 0]):
                self.state[q] = SUCCESS
                return True
        if self.nit[self.index[q]] >= self.maxiter:
            self.state[q] = MAXITER
            return True
        return False

    cdef void bounded_tools(self):
        """The per-problem objects of the bounded steps (one problem's block at a time), made once."""
        if self.bounded_work is None:
            self.bounded_view = BlockView(self.n, self.kernels.bandwidth if self.kernels.banded
                                          else None)
            self.bounded_reduced = ReducedHessian(self.bounded_view)
            self.bounded_subproblem = ExactSubproblem(self.n, self.subproblem_maxiter)
            self.bounded_work = BoundedWork(self.n)

    cdef int bounded_steps(self, Py_ssize_t k) except -1:
        """`_projected.bounded_step` for every running problem (with the GIL: it is
        written once over the storage interface, and runs here on a `BlockView`)."""
        cdef Py_ssize_t q, n = self.n
        cdef int failed
        cdef BoundedStepStats stats
        cdef BlockView view
        cdef ExactSubproblem subproblem
        self.bounded_tools()
        view = self.bounded_view
        subproblem = self.bounded_subproblem
        for q in range(k):
            if self.stops(q):
                continue
            view.point_at(&self.hess[q, 0])
            subproblem.warm = self.warm[q]
            failed = bounded_step(view, subproblem, self.bounded_reduced, None, &self.x[q, 0],
                                  &self.grad[q, 0], &self.lower[q, 0], &self.upper[q, 0],
                                  self.scalar[q], n, self.bounded_work, &stats)
            self.warm[q] = subproblem.warm
            if failed:
                self.state[q] = failed
            elif not stats.model < 0.0:
                self.state[q] = NO_PROGRESS
            else:
                copy_raw(&self.bounded_work.step[0], &self.step[q, 0], n)
                self.model_decrease[q] = -stats.model
                self.hits_boundary[q] = (stats.hits_boundary or norm2_raw(&self.step[q, 0], n)
                                         >= 0.99 * self.scalar[q])
                self.unconstrained_step[q] = stats.unconstrained
        return 0

    def run_trust_exact(self, object initial_radius, double max_radius,
                        bint relative_max_radius, double eta):
        """Trust-region iterations with Moré–Sorensen steps; the rules of `_trust_region.trust_region`,
        or with a box (`set_box`) those of `_projected.projected_trust_region`."""
        cdef Py_ssize_t q, k, i, n = self.n
        cdef StepReport report
        cdef double rho
        self.start(1.0 if initial_radius is None else initial_radius)
        if initial_radius is None:
            with nogil:
                for q in range(self.k):
                    if self.bounded:
                        # As `projected_trust_region`: along P(x0 − g) − x0.
                        projected_step(&self.x[q, 0], &self.grad[q, 0], -1.0, &self.lower[q, 0],
                                       &self.upper[q, 0], &self.step[q, 0], n)
                    else:
                        copy_raw(&self.grad[q, 0], &self.step[q, 0], n)
                    self.scalar[q] = first_radius(
                        norm2_raw(&self.step[q, 0], n),
                        self.kernels.grad_curvature(&self.hess[q, 0], &self.step[q, 0]),
                        max_radius, relative_max_radius, &self.x[q, 0], n)
        while self.k > 0:
            k = self.k
            if self.bounded:
                self.bounded_steps(k)
            else:
                with nogil:
                    for q in range(k):
                        if self.stops(q):
                            continue
                        # After a rejection H and g are the last solve's.
                        self.kernels.exact_step(&self.hess[q, 0], &self.grad[q, 0], self.scalar[q],
                                                &self.step[q, 0], &report, self.warm[q],
                                                &self.secular[q] if self.rejected[q] else NULL)
                        self.secular[q] = report.secular
                        remember_solve(&self.warm[q], &report)
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
                    if self.bounded:
                        # Clamped again: x + (P(…) − x) may round outside.
                        for i in range(n):
                            self.x_trial[q, i] = clamp(self.x[q, i] + self.step[q, i],
                                                       self.lower[q, i], self.upper[q, i])
                        self.flags[q] = True
                    elif self.rejected[q]:
                        self.flags[q] = self.move_trial(q, 1.0)
                    else:
                        axpy_raw(1.0, &self.step[q, 0], &self.x[q, 0], &self.x_trial[q, 0], n)
                        self.flags[q] = True
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
                    if self.bounded and rho < 0.25 and not self.unconstrained_step[q]:
                        # As `projected_trust_region`: below the step bounds may have shortened.
                        self.scalar[q] = 0.25 * fmin(self.scalar[q],
                                                     norm2_raw(&self.step[q, 0], n))
                    else:
                        self.scalar[q] = next_radius(rho, self.scalar[q], self.hits_boundary[q],
                                                     radius_cap(max_radius, relative_max_radius,
                                                                &self.x[q, 0], n),
                                                     False)     # no secant Hessians here
                    self.flags[q] = rho > eta
                    self.rejected[q] = not self.flags[q]
                    if self.flags[q]:
                        copy_raw(&self.x_trial[q, 0], &self.x[q, 0], n)
                        copy_raw(&self.grad_trial[q, 0], &self.grad[q, 0], n)
                        self.f[q] = self.f_trial[q]
                    self.nit[self.index[q]] += 1
            self.hessians_where_flagged(k)
            with nogil:
                for q in range(k):
                    if (self.state[q] == RUNNING
                            and self.scalar[q] <= EPS * fmax(1.0, norm2_raw(&self.x[q, 0], self.n))):
                        self.state[q] = NO_PROGRESS
        return 0

    def run_newton(self, double c1, double c2):
        """Line-search Newton, the rules of `_newton.newton` problem by problem.

        Modified Cholesky direction and strong Wolfe search, or at a
        stationary point with negative curvature a step along it; the
        searches are `_line_search`'s machines, one per problem. Every
        problem that wants a value at a trial point gets it in one call, then
        every problem that wants a gradient, until every search has ended.
        """
        cdef Py_ssize_t q, k, r, n = self.n
        cdef const Py_ssize_t[::1] rows
        cdef LineSearch* search
        cdef bint finite
        self.best_grad = np.empty((self.m, n))
        self.start_searches()
        while self.k > 0:
            k = self.k
            with nogil:
                for q in range(k):
                    self.begin_search(q, c1, c2)
            k = self.compact()
            if self.stopped_by_reporter(k) or k == 0:
                break
            while True:
                # Values: `Objective` keeps the last point whose value it was
                # asked and answers again at that point without a call; so
                # does x_trial here, that the counts agree.
                rows = self.asking(ASK_VALUE, ASK_VALUE)
                with nogil:
                    for r in range(rows.shape[0]):
                        q = rows[r]
                        self.flags[q] = self.move_trial(q, trial_length(&self.searches[q]))
                self.objective.values(self.x_trial, self.positions_where(self.flags, 1, 1), k,
                                      self.f_trial, self.grad_trial)
                with nogil:
                    for r in range(rows.shape[0]):
                        q = rows[r]
                        if self.searches[q].curvature_search:
                            curvature_value(&self.searches[q], self.f_trial[q])
                        else:
                            wolfe_value(&self.searches[q], self.f_trial[q])
                rows_array = self.asking(ASK_SLOPE, ASK_FINAL_GRADIENT)
                rows = rows_array
                if rows.shape[0] == 0:
                    if self.asking(ASK_VALUE, ASK_VALUE).shape[0] == 0:
                        break
                    continue
                # Gradients. A final point of a curvature search moved since its value
                # was asked needs the value again first (with jac=True it brings the
                # gradient; differences of f start from it), as `Objective` would.
                with nogil:
                    for r in range(rows.shape[0]):
                        q = rows[r]
                        self.flags[q] = (self.searches[q].ask == ASK_FINAL_GRADIENT
                                         and self.move_trial(q, self.searches[q].alpha)
                                         and (self.jac_with_value
                                              or self.objective.gradient_by_differences))
                self.objective.values(self.x_trial, self.positions_where(self.flags, 1, 1), k,
                                      self.f_trial, self.grad_trial)
                if not self.jac_with_value:
                    self.objective.gradients(self.x_trial, rows_array, k, self.f_trial,
                                             self.grad_trial)
                with nogil:
                    for r in range(rows.shape[0]):
                        q = rows[r]
                        search = &self.searches[q]
                        finite = row_finite(&self.grad_trial[q, 0], n)
                        if search.ask == ASK_FINAL_GRADIENT:
                            curvature_gradient(search, finite)
                        elif wolfe_slope(search, finite,
                                         dot_raw(&self.grad_trial[q, 0], &self.step[q, 0], n)
                                         if finite else 0.0):
                            copy_raw(&self.grad_trial[q, 0], &self.best_grad[q, 0], n)
            with nogil:
                for q in range(k):
                    self.end_search(q)
            self.hessians_where_flagged(k)
        return 0

    def run_projected_newton(self, double c1, double c2):
        """Projected Newton over each problem's box (`set_box`), the rules of `_projected.projected_newton`.

        Each problem takes `_projected.newton_direction` (or, at a first-order
        point, `_projected.escape_direction`) on its block (with
        the GIL: it is written once over the storage interface, and runs
        here on a `BlockView`), then searches along P(x + αd) by the rules
        `projected_newton` runs too (`_projected.ProjectedSearch`: backtrack
        from α = 1, double a full step while worth it). Every problem still
        searching gets its value at its trial point in one call, round after
        round until each has passed Bertsekas' test or ended; then those that
        passed get their gradient in one call (a halving in any one problem
        costs the batch a call of fun only), until every search has ended.
        Each problem gets `minimize`'s iterates and counts bit for bit.
        """
        cdef Py_ssize_t q, k, i, n = self.n
        cdef bint moved, any_searching, stationary
        cdef SearchOutcome outcome
        cdef BlockView view
        cdef BoundedWork work
        cdef double[:, ::1] step = self.step
        cdef unsigned char[:, ::1] free = np.zeros((self.m, max(n, 1)), dtype=np.uint8)
        # Each problem's search (`_projected.ProjectedSearch`), and whether it
        # still searches and has its value at the trial point.
        searches_memory = np.zeros(self.m * sizeof(ProjectedSearch), dtype=np.uint8)
        cdef ProjectedSearch* searches = <ProjectedSearch*><size_t>searches_memory.ctypes.data
        cdef signed char[::1] searching = np.zeros(self.m, dtype=np.int8)
        cdef signed char[::1] valued = np.zeros(self.m, dtype=np.int8)
        # Each problem's use of the face prediction (`_projected.FaceJump`), by
        # problem id; and, by position, how many bounds this iteration's steps
        # reached or left (−1: no search this iteration).
        jumps_memory = np.zeros(self.m * sizeof(FaceJump), dtype=np.uint8)
        cdef FaceJump* jumps = <FaceJump*><size_t>jumps_memory.ctypes.data
        cdef Py_ssize_t[::1] changes = np.zeros(self.m, dtype=np.intp)
        for q in range(self.m):
            reset_face_jump(&jumps[q])
        self.bounded_tools()
        view, work = self.bounded_view, self.bounded_work
        self.start_searches()
        while self.k > 0:
            with nogil:
                for q in range(self.k):
                    # A problem that passes the first-order test stays for
                    # `escape_direction` below, when saddles are to be escaped.
                    if (not self.escape_saddles
                            or projected_gradient_norm(&self.x[q, 0], &self.grad[q, 0],
                                                       &self.lower[q, 0], &self.upper[q, 0],
                                                       n, self.inf_norm) > self.gtol):
                        self.stops(q)
            k = self.compact()
            if self.stopped_by_reporter(k) or k == 0:
                break
            for q in range(k):
                view.point_at(&self.hess[q, 0])
                searching[q] = False
                changes[q] = -1
                stationary = projected_gradient_norm(&self.x[q, 0], &self.grad[q, 0],
                                                     &self.lower[q, 0], &self.upper[q, 0],
                                                     n, self.inf_norm) <= self.gtol
                if stationary:
                    if not escape_direction(view, self.bounded_reduced, &self.x[q, 0],
                                            &self.grad[q, 0], &self.lower[q, 0],
                                            &self.upper[q, 0], self.gtol, n, work,
                                            &searches[q].direction):
                        self.state[q] = SUCCESS
                        continue
                    if self.nit[self.index[q]] >= self.maxiter:
                        self.state[q] = MAXITER
                        continue
                elif newton_direction(view, self.bounded_reduced, &self.x[q, 0],
                                      &self.grad[q, 0], &self.lower[q, 0], &self.upper[q, 0],
                                      n, self.newton_radius[q], work, &searches[q].direction):
                    self.state[q] = LINALG_ERROR
                    continue
                elif jump_due(&jumps[self.index[q]]):
                    face_jump_direction(view, self.bounded_reduced, &self.x[q, 0],
                                        &self.grad[q, 0], &self.lower[q, 0], &self.upper[q, 0],
                                        n, work, &searches[q].direction)
                searching[q] = True
                changes[q] = 0
                copy_raw(&work.direction[0], &step[q, 0], n)
                for i in range(n):
                    free[q, i] = work.free[i]
                begin_projected_search(&searches[q], stationary)
            any_searching = True
            while any_searching:
                # Values: every search that still needs one at its trial point.
                with nogil:
                    for q in range(k):
                        self.flags[q] = False
                        if searching[q] and not valued[q]:
                            next_projected_trial(&searches[q], &self.x[q, 0], &self.grad[q, 0],
                                                 &step[q, 0], &free[q, 0], &self.lower[q, 0],
                                                 &self.upper[q, 0], n, &self.x_trial[q, 0],
                                                 &moved)
                            # Unmoved, the trial point's value is known (`Objective`'s cache).
                            self.flags[q] = moved
                self.objective.values(self.x_trial, self.positions_where(self.flags, 1, 1), k,
                                      self.f_trial, self.grad_trial)
                any_searching = False
                with nogil:
                    for q in range(k):
                        if searching[q] and not valued[q]:
                            if (sufficient_decrease(&searches[q], self.f[q], self.f_trial[q], c1)
                                    or rounding_trial(&searches[q], self.f[q], self.f_trial[q])):
                                valued[q] = True     # at rounding level, the slope decides below
                            else:
                                self.end_search_if(q, trial_refused(
                                    &searches[q], not isfinite(self.f_trial[q])), searches,
                                    searching)
                                any_searching = any_searching or searching[q]
                if any_searching:
                    # Gradients wait until every search has its value: a problem
                    # that halves then costs the batch one call of fun, not also
                    # one of jac.
                    continue
                with nogil:
                    for q in range(k):
                        self.flags[q] = searching[q] and valued[q]
                        valued[q] = False
                if not self.jac_with_value:
                    self.objective.gradients(self.x_trial, self.positions_where(self.flags, 1, 1),
                                             k, self.f_trial, self.grad_trial)
                with nogil:
                    for q in range(k):
                        if not self.flags[q]:
                            continue
                        if not row_finite(&self.grad_trial[q, 0], n):
                            outcome = trial_refused(&searches[q], True)
                        elif (not sufficient_decrease(&searches[q], self.f[q], self.f_trial[q],
                                                      c1)
                              and not flat_at(&searches[q], &self.x_trial[q, 0],
                                              &self.grad_trial[q, 0], &step[q, 0], &free[q, 0],
                                              c2, &self.lower[q, 0], &self.upper[q, 0], n)):
                            # Valued at rounding level (`rounding_trial`), and not flat there.
                            outcome = trial_refused(&searches[q], False)
                        else:
                            changes[q] += bounds_changed(&self.x[q, 0], &self.x_trial[q, 0],
                                                         &self.lower[q, 0], &self.upper[q, 0], n)
                            copy_raw(&self.x_trial[q, 0], &self.x[q, 0], n)
                            copy_raw(&self.grad_trial[q, 0], &self.grad[q, 0], n)
                            self.f[q] = self.f_trial[q]
                            if searches[q].extensions == 0:
                                self.nit[self.index[q]] += 1
                            outcome = trial_taken(&searches[q], &self.x[q, 0], &self.grad[q, 0],
                                                  &step[q, 0], &free[q, 0], c2,
                                                  &self.lower[q, 0], &self.upper[q, 0], n)
                        self.end_search_if(q, outcome, searches, searching)
                        any_searching = any_searching or searching[q]
            with nogil:
                for q in range(k):
                    self.flags[q] = self.state[q] == RUNNING
                    if self.flags[q] and changes[q] >= 0 and not searches[q].stationary:
                        after_newton_iteration(&jumps[self.index[q]], changes[q])
                        self.newton_radius[q] = radius_after_search(&searches[q],
                                                                    self.newton_radius[q])
            self.hessians_where_flagged(k)
        return 0

    cdef void end_search_if(self, Py_ssize_t q, SearchOutcome outcome,
                            const ProjectedSearch* searches,
                            signed char[::1] searching) noexcept nogil:
        """After position q's trial: its step length so far, and its end when the search is over."""
        self.scalar[q] = searches[q].alpha
        if outcome == SEARCH_GOES_ON:
            return
        searching[q] = False
        if outcome == SEARCH_FAILED:
            self.state[q] = failed_status(&searches[q])

    cdef int hessians_where_flagged(self, Py_ssize_t k) except -1:
        """H at the positions q < k whose flags[q] is set (the steps just taken); status 4 where not finite."""
        cdef Py_ssize_t q
        self.objective.hessians(self.x, self.positions_where(self.flags, 1, 1), k, self.grad,
                                self.hess)
        with nogil:
            for q in range(k):
                if self.flags[q] and not self.kernels.finite(&self.hess[q, 0]):
                    self.state[q] = NONFINITE
        return 0

    cdef object asking(self, SearchAsk low, SearchAsk high):
        """Ascending positions whose line search asks for something in [low, high]."""
        cdef Py_ssize_t q
        for q in range(self.k):
            self.flags[q] = low <= self.searches[q].ask <= high
        return self.positions_where(self.flags, 1, 1)

    cdef bint move_trial(self, Py_ssize_t q, double length) noexcept nogil:
        """x_trial[q] ← x[q] + length·step[q]; False when it already held that point."""
        cdef Py_ssize_t i
        cdef bint moved = False
        for i in range(self.n):
            moved = moved or self.x[q, i] + length * self.step[q, i] != self.x_trial[q, i]
        if moved:
            axpy_raw(length, &self.step[q, 0], &self.x[q, 0], &self.x_trial[q, 0], self.n)
        return moved

    cdef void begin_search(self, Py_ssize_t q, double c1, double c2) noexcept nogil:
        """The top of a Newton iteration at position q: stop, or start its line search."""
        cdef int factorizations
        cdef double shift
        cdef NewtonStep outcome
        if self.stops(q):
            return
        outcome = self.kernels.newton_step(
            &self.hess[q, 0], &self.grad[q, 0], self.f[q],
            gradient_norm_raw(&self.grad[q, 0], self.n, self.inf_norm) <= self.gtol, c1, c2,
            norm2_raw(&self.x[q, 0], self.n), self.newton_radius[q], &self.step[q, 0],
            &self.searches[q], &shift, &factorizations)
        if outcome == NEWTON_FACTOR_FAILED:
            self.state[q] = LINALG_ERROR
        elif outcome == NEWTON_CONVERGED:
            self.state[q] = SUCCESS
        elif outcome == NEWTON_NO_DESCENT:
            self.state[q] = NO_PROGRESS

    cdef void end_search(self, Py_ssize_t q) noexcept nogil:
        """Take the step position q's search found (flags[q] = 1), or stop it."""
        cdef Py_ssize_t n = self.n
        cdef LineSearch* search = &self.searches[q]
        self.flags[q] = search.ask != GIVE_UP
        if search.ask == GIVE_UP:
            self.state[q] = (SADDLE if search.curvature_search
                             else NONFINITE if search.nonfinite else NO_PROGRESS)
            return
        if search.ask == ACCEPT_LOW:
            axpy_raw(search.low, &self.step[q, 0], &self.x[q, 0], &self.x[q, 0], n)
            copy_raw(&self.best_grad[q, 0], &self.grad[q, 0], n)
            self.scalar[q] = search.low
        else:
            copy_raw(&self.x_trial[q, 0], &self.x[q, 0], n)
            copy_raw(&self.grad_trial[q, 0], &self.grad[q, 0], n)
            self.scalar[q] = search.alpha
        self.newton_radius[q] = next_newton_radius(self.newton_radius[q], search.curvature_search,
                                                   self.scalar[q], norm2_raw(&self.step[q, 0], n))
        self.f[q] = (search.f_low if search.ask == ACCEPT_LOW or search.curvature_search
                     else search.f_alpha)
        self.nit[self.index[q]] += 1
