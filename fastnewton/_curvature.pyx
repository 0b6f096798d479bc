"""Second-order information at a point: inertia and extreme eigenvalues of a Hessian.

Dense Hessians: all eigenvalues from LAPACK (`syevd`, O(n³), the cost of a
few Cholesky factorizations). They give the extreme eigenvalues exactly and
a near-zero count against a tolerance, which the pivots of an LDLᵀ
factorization (not eigenvalues) cannot.

Banded Hessians: no n-by-n array and O(n·b²) work. The inertia comes from
Sylvester's law: the number of negative pivots of the LDLᵀ factorization of
H − σI (without pivoting, so the band is kept) is the number of eigenvalues
below σ. Counting at σ = ±tol gives the negative, near-zero and positive
counts; bisection on the same count brackets the extreme eigenvalues. For a
tridiagonal H this is the classical Sturm sequence count, which is
backward stable; for wider bands, pivots are kept away from zero by a
threshold as LAPACK's bisection does.

A positive definite H − tol·I (one Cholesky factorization) already certifies
a strict minimum; `certify` stops there when it can.
"""

import numpy as np

from libc.math cimport fabs, fmax, isfinite
from fastnewton._bounds cimport CurvatureBounds
from fastnewton._banded cimport BandBlock, band_curvature_bounds
from fastnewton._hessian cimport FactorableHessian
from fastnewton._lapack cimport lapack_int, symmetric_eigenvalues_lower

# Relative tolerance of the band eigenvalue bisection.
cdef double BISECTION_RTOL = 1e-10
cdef double TINY = 2.2250738585072014e-308




def dense_eigenvalues(const double[:, :] values):
    """All eigenvalues of the symmetric matrix in the lower triangle of `values`, ascending (LAPACK syevd, GIL released)."""
    cdef Py_ssize_t n = values.shape[0], i, j
    cdef double[::1, :] a = np.empty((n, n), order="F")
    cdef double[::1] eigenvalues = np.empty(n)
    cdef double[::1] work = np.empty(2 * n + 1)
    cdef lapack_int info = 0
    if n == 0:
        return np.asarray(eigenvalues)
    with nogil:
        for j in range(n):
            for i in range(j, n):
                a[i, j] = values[i, j]
        info = symmetric_eigenvalues_lower(&a[0, 0], <lapack_int>n, &eigenvalues[0], &work[0],
                                           <lapack_int>(2 * n + 1))
    if info != 0:
        raise np.linalg.LinAlgError("the eigenvalue computation did not converge (info=%d)" % info)
    return np.asarray(eigenvalues)


cdef Py_ssize_t tridiagonal_count_below(const double* band, double sigma, Py_ssize_t n,
                                        double pivot_floor) noexcept nogil:
    """`count_below` for b = 1: the Sturm sequence d_j = a_j − σ − c_{j−1}² / d_{j−1}."""
    cdef Py_ssize_t j, count = 0
    cdef double pivot, carried = 0.0, coupling
    for j in range(n):
        pivot = band[2 * j] - sigma - carried
        if fabs(pivot) < pivot_floor:
            pivot = -pivot_floor if pivot < 0.0 else pivot_floor
        if pivot < 0.0:
            count += 1
        coupling = band[2 * j + 1]
        carried = coupling * coupling / pivot
    return count


cdef Py_ssize_t count_below(const double[::1, :] band, double sigma, double[::1, :] work,
                            double pivot_floor) noexcept nogil:
    """Eigenvalues of the band matrix below sigma: negative pivots of LDLᵀ = H − σI."""
    cdef Py_ssize_t rows = band.shape[0], n = band.shape[1], b = rows - 1
    cdef Py_ssize_t i, j, k, count = 0
    cdef double pivot, total
    if b == 1:
        return tridiagonal_count_below(&band[0, 0], sigma, n, pivot_floor)
    for j in range(n):
        pivot = band[0, j] - sigma
        for k in range(1, min(b, j) + 1):
            pivot -= work[k, j - k] * work[k, j - k] * work[0, j - k]
        if fabs(pivot) < pivot_floor:
            pivot = -pivot_floor if pivot < 0.0 else pivot_floor
        work[0, j] = pivot
        if pivot < 0.0:
            count += 1
        for i in range(1, min(b, n - 1 - j) + 1):
            total = band[i, j]
            for k in range(1, b - i + 1):
                if j - k < 0:
                    break
                total -= work[i + k, j - k] * work[k, j - k] * work[0, j - k]
            work[i, j] = total / pivot
    return count


cdef double pivot_floor(double[::1, :] band, CurvatureBounds* bounds) noexcept:
    """The smallest pivot magnitude the counts allow (LAPACK's bisection keeps pivots off zero)."""
    cdef BandBlock block
    block.values = &band[0, 0]
    block.bandwidth = band.shape[0] - 1
    band_curvature_bounds(&block, band.shape[1], bounds)
    return fmax(TINY, 1e-300 * bounds.inf_norm)


def band_inertia(double[::1, :] band, double tol):
    """(negative, near-zero, positive) eigenvalue counts of lower band storage, by Sylvester's law."""
    cdef double[::1, :] work = np.empty((band.shape[0], band.shape[1]), order="F")
    cdef CurvatureBounds bounds
    cdef Py_ssize_t below_minus, below_plus
    cdef double floor = pivot_floor(band, &bounds)
    with nogil:
        below_minus = count_below(band, -tol, work, floor)
        below_plus = count_below(band, tol, work, floor)
    return below_minus, below_plus - below_minus, band.shape[1] - below_plus


def band_extreme_eigenvalues(double[::1, :] band):
    """(smallest, largest) eigenvalue of lower band storage, by bisection on Sylvester counts."""
    cdef double[::1, :] work = np.empty((band.shape[0], band.shape[1]), order="F")
    cdef CurvatureBounds bounds
    cdef double low, high, middle, smallest, largest
    cdef double floor = pivot_floor(band, &bounds)
    cdef Py_ssize_t n = band.shape[1]
    cdef int side
    result = []
    with nogil:
        for side in range(2):
            # Smallest: the least σ with one eigenvalue below it; largest: the
            # least σ with all n below it.
            low, high = bounds.gershgorin_lower, bounds.gershgorin_upper
            while high - low > BISECTION_RTOL * fmax(fabs(low), fabs(high)) + TINY:
                middle = 0.5 * (low + high)
                if middle <= low or middle >= high:
                    break
                if count_below(band, middle, work, floor) >= (1 if side == 0 else n):
                    high = middle
                else:
                    low = middle
            if side == 0:
                smallest = 0.5 * (low + high)
            else:
                largest = 0.5 * (low + high)
    return smallest, largest


cdef str kind_of(Py_ssize_t positive, Py_ssize_t negative, Py_ssize_t zero):
    """`CriticalPoint.kind` of a critical point with this inertia."""
    if positive and negative:
        return "saddle"
    if zero:
        return "degenerate"
    if negative:
        return "maximum"
    return "minimum"


class CriticalPoint:
    """The second-order character of a point: what the Hessian's eigenvalues say.

    Usually obtained from `fastnewton.classify_critical_point` or as
    ``res.critical_point`` of a result rather than built directly.

    Parameters
    ----------
    n_positive, n_negative, n_zero : int
        The inertia: eigenvalues above tol, below −tol, and within tol of 0.
    min_eigenvalue, max_eigenvalue : float
        The extreme eigenvalues, NaN when not computed.
    tol : float
        Eigenvalues with abs(λ) ≤ tol count as zero.
    method : str
        How the inertia was computed (see the attribute).
    gradient_norm : float, optional
        ‖∇f‖₂ at the point, NaN (the default) when unknown.
    gtol : float, optional
        With a known `gradient_norm` above `gtol`, the point is not a
        critical point and `kind` says so; NaN (the default): no gradient test.

    Attributes
    ----------
    kind : str
        'minimum' (all eigenvalues > tol), 'maximum' (all < −tol), 'saddle'
        (some > tol and some < −tol) or 'degenerate' (none of those, some
        within tol of zero); 'not critical' when the gradient norm is known
        to exceed `gtol`, where the eigenvalues classify nothing.
    inertia : tuple of int
        ``(n_positive, n_negative, n_zero)``.
    n_positive, n_negative, n_zero : int
        The inertia's three counts.
    min_eigenvalue, max_eigenvalue : float
        The extreme eigenvalues; NaN when a Cholesky factorization of
        H − tol·I alone certified a minimum and they were not computed.
    tol : float
        Eigenvalues with abs(λ) ≤ tol count as zero.
    method : str
        How it was computed: 'cholesky' (one factorization of H − tol·I),
        'eigenvalues' (dense LAPACK syevd) or 'sylvester' (band LDLᵀ counts
        and bisection).
    gradient_norm : float
        ‖∇f‖₂ at the point when known, else NaN.
    gtol : float
        The gradient-norm threshold of `kind`, NaN when none was applied.
    is_critical : bool
        False only when the gradient norm is known to exceed `gtol`.
    is_positive_definite : bool
        True when every eigenvalue exceeds tol.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnewton import classify_critical_point
    >>> point = classify_critical_point(np.diag([5.0, -2.0]))
    >>> point.kind, point.inertia
    ('saddle', (1, 1, 0))
    >>> point
    CriticalPoint(kind='saddle', inertia=(1, 1, 0), min_eigenvalue=-2, max_eigenvalue=5, \
tol=7.45e-08, method='eigenvalues', gradient_norm=nan)
    """

    def __init__(self, n_positive, n_negative, n_zero, min_eigenvalue, max_eigenvalue, tol,
                 method, gradient_norm=np.nan, gtol=np.nan):
        self.n_positive, self.n_negative, self.n_zero = (int(n_positive), int(n_negative),
                                                         int(n_zero))
        self.min_eigenvalue, self.max_eigenvalue = float(min_eigenvalue), float(max_eigenvalue)
        self.tol, self.method = float(tol), str(method)
        self.gradient_norm, self.gtol = float(gradient_norm), float(gtol)

    @property
    def is_critical(self):
        """False only when the gradient norm is known to exceed `gtol`."""
        return not self.gradient_norm > self.gtol

    @property
    def kind(self):
        """'minimum', 'maximum', 'saddle', 'degenerate' or 'not critical'."""
        if not self.is_critical:
            return "not critical"
        return kind_of(self.n_positive, self.n_negative, self.n_zero)

    @property
    def inertia(self):
        """(n_positive, n_negative, n_zero)."""
        return (self.n_positive, self.n_negative, self.n_zero)

    @property
    def is_positive_definite(self):
        """True when every eigenvalue exceeds tol."""
        return self.n_negative == 0 and self.n_zero == 0

    def __repr__(self):
        text = ("CriticalPoint(kind=%r, inertia=%r, min_eigenvalue=%.6g, max_eigenvalue=%.6g, "
                "tol=%.3g, method=%r, gradient_norm=%.3g"
                % (self.kind, self.inertia, self.min_eigenvalue, self.max_eigenvalue, self.tol,
                   self.method, self.gradient_norm))
        if self.gtol == self.gtol:      # not NaN: a gradient test was applied
            text += ", gtol=%.3g" % self.gtol
        return text + ")"


cpdef object certify(FactorableHessian hess, double tol=-1.0, bint cheap=True):
    """Classify the matrix held by `hess` (its factor is overwritten).

    With `cheap`, a successful Cholesky factorization of H − tol·I settles it
    ('minimum', extreme eigenvalues not computed), and a band matrix gets its
    inertia only (two O(n·b²) counts, no bisection for the extreme
    eigenvalues); otherwise everything is computed. A negative `tol` picks
    √ε·‖H‖∞ (`FactorableHessian.curvature_tolerance`).
    """
    cdef Py_ssize_t negative, zero, positive
    if tol < 0.0:
        tol = hess.curvature_tolerance()
    if cheap and hess.factorize(-tol) == 0:
        return CriticalPoint(hess.n, 0, 0, np.nan, np.nan, tol, "cholesky")
    negative, zero, positive, smallest, largest, method = hess.spectrum(tol, not cheap)
    return CriticalPoint(positive, negative, zero, smallest, largest, tol, method)


cdef bint lower_into(const double[:, :, :] stack, Py_ssize_t k, double* values,
                     Py_ssize_t n) noexcept nogil:
    """Copy the lower triangle of stack[k] into column-major `values`; False if any entry is not finite."""
    cdef Py_ssize_t i, j
    cdef bint finite = True
    for j in range(n):
        for i in range(j, n):
            values[i + j * n] = stack[k, i, j]
            finite = finite and isfinite(stack[k, i, j])
    return finite


cdef bint masked_lower_into(const double[:, :, :] stack, Py_ssize_t k,
                            const unsigned char[:, :] active, double* values,
                            Py_ssize_t n) noexcept nogil:
    """`lower_into` with the rows and columns where active[k] is set replaced by the identity's."""
    cdef Py_ssize_t i, j
    cdef bint finite = True
    for j in range(n):
        for i in range(j, n):
            if active[k, i] or active[k, j]:
                values[i + j * n] = 1.0 if i == j else 0.0
            else:
                values[i + j * n] = stack[k, i, j]
                finite = finite and isfinite(stack[k, i, j])
    return finite


def certify_stack(hess, bandwidth=None, active=None):
    """Certificate kinds and inertias of a stack of Hessians: (m, n, n), or (m, b + 1, n) bands.

    What `certify` says of each, with one storage reused: one copy and one
    Cholesky factorization per safely positive definite H, and no
    `CriticalPoint` built for it. Returns ``(kinds, inertia)``: an object
    array of `CriticalPoint.kind` strings, shape (m,), and the inertias,
    shape (m, 3); None and (−1, −1, −1) for a Hessian with non-finite entries.
    `active` (dense stacks only: a boolean (m, n) array) classifies each
    H[i] with the rows and columns of its set entries replaced by those of
    the identity, as the bounded certificates need (`_minimize_batch`),
    without a masked copy of the stack.
    """
    # Not imported at the top: both storages import this module.
    from fastnewton._banded import BandedHessian
    from fastnewton._dense import DenseHessian
    cdef Py_ssize_t m = hess.shape[0], n = hess.shape[2], i, k, negative, positive
    cdef double tol
    cdef double[::1] eigenvalues = np.empty(max(n, 1)), eigen_work = np.empty(2 * n + 1)
    cdef FactorableHessian storage = (DenseHessian(n) if bandwidth is None
                                      else BandedHessian(n, bandwidth))
    cdef const double[:, :, :] dense_stack = hess if bandwidth is None else None
    cdef const unsigned char[:, :] mask = None
    if active is not None:
        if bandwidth is not None:
            raise ValueError("certify_stack: active is for dense stacks only")
        active = np.asarray(active, dtype=bool)
        if active.shape != (m, n):
            raise ValueError("certify_stack: active must have shape (%d, %d), got %s"
                             % (m, n, active.shape))
        mask = active.view(np.uint8)
    inertia_array = np.full((m, 3), -1, dtype=np.intp)
    cdef Py_ssize_t[:, ::1] inertia = inertia_array
    for i in range(m):
        # A dense stack is copied in directly: `load` of each hess[i], a new
        # array view apiece, cost more than the factorization at small n.
        if (not (lower_into(dense_stack, i, storage.dense.values, n) if mask is None
                     else masked_lower_into(dense_stack, i, mask, storage.dense.values, n))
                if bandwidth is None else storage.load(hess[i])):
            continue
        tol = storage.curvature_tolerance()
        if storage.factorize(-tol) == 0:
            inertia[i, 0], inertia[i, 1], inertia[i, 2] = n, 0, 0
            continue
        if bandwidth is None and symmetric_eigenvalues_lower(
                storage.dense.values, <lapack_int>n, &eigenvalues[0], &eigen_work[0],
                <lapack_int>(2 * n + 1)) == 0:
            # `DenseHessian.spectrum`'s numbers, without a `CriticalPoint` apiece
            # (its values are a copy, free to be overwritten).
            negative = positive = 0
            for k in range(n):
                negative += eigenvalues[k] < -tol
                positive += eigenvalues[k] > tol
            inertia[i, 0], inertia[i, 1], inertia[i, 2] = positive, negative, n - positive - negative
        else:
            point = certify(storage, tol, False)
            inertia[i, 0], inertia[i, 1], inertia[i, 2] = point.inertia
    return kinds_of(inertia_array), inertia_array


_KINDS = np.array([None, "saddle", "degenerate", "maximum", "minimum"], dtype=object)


cdef object kinds_of(object inertia):
    """`kind_of` for each row of an (m, 3) inertia array; None where the row is (−1, −1, −1).

    Codes into _KINDS, then one gather: storing a string into an object
    array element by element cost more than the factorization it names.
    """
    positive, negative, zero = inertia[:, 0], inertia[:, 1], inertia[:, 2]
    codes = np.select([positive < 0, (positive > 0) & (negative > 0), zero > 0, negative > 0],
                      [0, 1, 2, 3], 4)
    return _KINDS[codes]
