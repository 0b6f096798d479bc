# Cheap bounds on the spectrum of a symmetric matrix, gathered row by row by
# each storage kind, and the quantities derived from them: the shift schedule
# of the modified Cholesky factorization and the curvature tolerance.

from libc.math cimport sqrt, fmax


cdef struct CurvatureBounds:
    # Cheap bounds on the spectrum of H, used to bracket the Moré–Sorensen
    # multiplier and to seed the modified Cholesky shift.
    double gershgorin_lower   # min_i (h_ii - sum_{j != i} |h_ij|)
    double gershgorin_upper   # max_i (h_ii + sum_{j != i} |h_ij|)
    double frobenius_norm
    double inf_norm
    double diag_min
    double diag_min_positive  # the smallest positive h_ii; 0 when there is none


cdef inline void start_bounds(CurvatureBounds* bounds) noexcept nogil:
    """Every bound 0: what a matrix of order 0 has, and what row 0 of `add_bounds_row` replaces."""
    bounds.gershgorin_lower = bounds.gershgorin_upper = bounds.diag_min = 0.0
    bounds.diag_min_positive = bounds.inf_norm = bounds.frobenius_norm = 0.0


cdef inline void add_bounds_row(CurvatureBounds* bounds, Py_ssize_t row, double diagonal,
                                double radius, double offdiagonal_squares) noexcept nogil:
    """Fold one row (its diagonal, Σ|off-diagonal| and Σ off-diagonal²) into `bounds`.

    Start at row 0; `frobenius_norm` holds the sum of squares until
    `finish_bounds` takes its square root.
    """
    if row == 0:
        bounds.gershgorin_lower = diagonal - radius
        bounds.gershgorin_upper = diagonal + radius
        bounds.diag_min = diagonal
        bounds.diag_min_positive = 0.0
        bounds.inf_norm = 0.0
        bounds.frobenius_norm = 0.0
    else:
        bounds.gershgorin_lower = min(bounds.gershgorin_lower, diagonal - radius)
        bounds.gershgorin_upper = max(bounds.gershgorin_upper, diagonal + radius)
        bounds.diag_min = min(bounds.diag_min, diagonal)
    if diagonal > 0.0 and (bounds.diag_min_positive == 0.0
                           or diagonal < bounds.diag_min_positive):
        bounds.diag_min_positive = diagonal
    bounds.inf_norm = max(bounds.inf_norm, abs(diagonal) + radius)
    bounds.frobenius_norm += diagonal * diagonal + offdiagonal_squares


cdef inline void finish_bounds(CurvatureBounds* bounds) noexcept nogil:
    bounds.frobenius_norm = sqrt(bounds.frobenius_norm)


# The shift schedule of the modified Cholesky factorization (Nocedal & Wright
# 2006, Alg. 3.3) and the curvature tolerance, used by `_blocks`.

cdef inline double shift_floor(const CurvatureBounds* bounds) noexcept nogil:
    """β, the smallest shift tried: 10⁻³·‖H‖∞ (10⁻³ when that is 0).

    N&W use an absolute 10⁻³; relative to ‖H‖∞ the method is invariant to
    scaling f, and ‖H‖∞, unlike ‖H‖_F, does not grow with n on chained problems.
    """
    cdef double floor = 1e-3 * bounds.inf_norm
    return floor if floor != 0.0 else 1e-3


cdef inline double first_shift(const CurvatureBounds* bounds, double floor) noexcept nogil:
    """β when the diagonal is positive, else β − min_i h_ii."""
    return floor if bounds.diag_min > 0.0 else floor - bounds.diag_min


cdef inline double next_shift(const CurvatureBounds* bounds, double shift, double floor,
                              bint* last) noexcept nogil:
    """The shift after a failed one: doubled, but at most β − (Gershgorin lower bound).

    That ceiling exceeds −λ_min + β, so it always factors in exact arithmetic:
    `last` says it has been reached and no further shift will be tried.
    """
    cdef double ceiling = floor - bounds.gershgorin_lower
    shift = fmax(2.0 * shift, floor)
    last[0] = shift > ceiling
    return ceiling if last[0] else shift


cdef inline double curvature_tolerance_from(const CurvatureBounds* bounds) noexcept nogil:
    """√ε·‖H‖∞ floored at the smallest normal double: curvature within it counts as zero."""
    return fmax(1.4901161193847656e-08 * bounds.inf_norm, 2.2250738585072014e-308)
