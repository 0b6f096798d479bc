# Finite differences, written once: the step sizes, the perturbation of a
# group of columns, and the difference quotients of a group into a dense or
# band Jacobian (and the symmetric band of a Hessian). A gradient from
# values is the 1-by-n Jacobian of f, a Hessian the Jacobian of ∇f: the
# single-problem objective, the batched objective and `approx_jacobian` all
# run these kernels and differ only in how they call the user.
from libc.math cimport fabs, isfinite, sqrt, INFINITY

# Relative steps that balance truncation against rounding error: √ε for
# forward differences, ∛ε for central ones (Nocedal & Wright 2006, §8.1),
# ε being the float64 machine epsilon 2⁻⁵².

cdef inline double forward_rel_step() noexcept nogil:
    return 1.4901161193847656e-08     # √ε


cdef inline double central_rel_step() noexcept nogil:
    return 6.0554544523933395e-06     # ∛ε


cdef inline double fd_step(double x, double rel_step) noexcept nogil:
    """A step of size rel_step·max(1, |x|) pointing away from zero (positive at zero)."""
    # Comparisons rather than fmax/copysign, which compile to library calls
    # in the hot loops of the banded differences.
    cdef double size = fabs(x)
    if size < 1.0:
        size = 1.0
    return rel_step * size if x >= 0.0 else -(rel_step * size)


cdef inline double representable_step(double x_j, double rel_step) noexcept nogil:
    """h_j = (x_j + fd_step) − x_j, the step actually representable at x_j."""
    return (x_j + fd_step(x_j, rel_step)) - x_j


cdef inline bint column_points(const double* x, Py_ssize_t j, double rel_step, bint central,
                               const double* lo, const double* hi, double* plus, double* minus,
                               double* denominator) noexcept nogil:
    """The points of column j's difference quotient, and its denominator.

    Without bounds (lo == NULL): plus = x_j + h, minus = x_j − h_j with h_j
    the representable step (`representable_step`), or minus = x_j for a
    forward difference; the denominator is plus − minus. With bounds, a step
    that would leave [lo_j, hi_j] goes the other way; where a central pair
    does not fit, the difference is one-sided (minus = x_j) with the forward
    size rel_step^1.5 (√ε for the default ∛ε), into the side with more room
    and no longer than that room, as scipy's `approx_derivative(bounds=…)`
    does. A fixed variable (lo_j = hi_j) gets no step and an infinite
    denominator, so its column is zero. Returns whether minus is stepped.
    """
    cdef double h = fd_step(x[j], rel_step), room_up, room_down, size
    cdef double forward = x[j] + h, backward = x[j] - (forward - x[j])
    if lo == NULL or (lo[j] <= forward <= hi[j] and (
            not central or lo[j] <= backward <= hi[j])):
        plus[0] = forward
        if central:
            minus[0] = backward
            denominator[0] = (forward - x[j]) * 2.0
        else:
            minus[0] = x[j]
            denominator[0] = forward - x[j]
        return central
    if not central and lo[j] <= x[j] - h <= hi[j]:
        plus[0] = x[j] - h
        minus[0] = x[j]
        denominator[0] = plus[0] - x[j]
        return False
    room_up = hi[j] - x[j]
    room_down = x[j] - lo[j]
    size = fabs(h) * (sqrt(rel_step) if central else 1.0)
    minus[0] = x[j]
    if room_up >= room_down:
        plus[0] = x[j] + (size if size < room_up else room_up)
    else:
        plus[0] = x[j] - (size if size < room_down else room_down)
    denominator[0] = plus[0] - x[j]
    if denominator[0] == 0.0:
        denominator[0] = INFINITY
    return False


cdef inline void difference_group(const double* plus, const double* base, bint central,
                                  const double* x, double rel_step, Py_ssize_t group,
                                  Py_ssize_t stride, Py_ssize_t m, Py_ssize_t lower,
                                  Py_ssize_t upper, double* out, Py_ssize_t row_step,
                                  Py_ssize_t column_step, Py_ssize_t n,
                                  const double* lo=NULL, const double* hi=NULL) noexcept nogil:
    """Columns j = group, group + stride, … of the Jacobian of g from one group's values.

    J[i, j] = (g(plus point)[i] − g(minus point)[i]) / (plus − minus), the
    points of `column_points` (x + h and x, or x ± h with `central`: `base`
    holds g at the minus point, or at x). A dense Jacobian (lower <
    0) fills all m rows of each column, at out[i·row_step + j·column_step];
    a band one (J[i, j] = 0 unless −upper ≤ i − j ≤ lower) only the rows a
    column reaches, at out[(upper + i − j)·row_step + j·column_step] (the
    general band storage of `scipy.linalg.solve_banded`). With stride = n a
    group is the single column `group`.
    """
    cdef Py_ssize_t member, i, j, first, last
    cdef double denominator, plus_point, minus_point
    for member in range((n - group + stride - 1) // stride):
        j = group + member * stride
        column_points(x, j, rel_step, central, lo, hi, &plus_point, &minus_point, &denominator)
        if lower < 0:
            for i in range(m):
                out[i * row_step + j * column_step] = (plus[i] - base[i]) / denominator
        else:
            first = max(0, j - upper)
            last = min(m - 1, j + lower)
            for i in range(first, last + 1):
                out[(upper + i - j) * row_step + j * column_step] = \
                    (plus[i] - base[i]) / denominator


cdef inline void symmetrize_columns(double* values, Py_ssize_t n) noexcept nogil:
    """Average a column-major n-by-n difference Hessian with its transpose, into the lower triangle."""
    cdef Py_ssize_t i, j
    for j in range(n):
        for i in range(j + 1, n):
            values[i + j * n] = 0.5 * (values[i + j * n] + values[j + i * n])


# Columns j and k of a band matrix of half-bandwidth b share no nonzero row
# when |j − k| > 2b, so all columns j ≡ group (mod 2b+1) are perturbed at
# once and one gradient difference yields each of them on its own rows.

cdef inline void step_group(double* point, const double* x, Py_ssize_t group, Py_ssize_t stride,
                            double rel_step, bint backward, Py_ssize_t n, bint central=False,
                            const double* lo=NULL, const double* hi=NULL) noexcept nogil:
    """point[j] = the plus point of column j (or, with `backward`, its minus point) for the
    columns j = group, group + stride, … (`column_points`; `central` says which pair)."""
    cdef Py_ssize_t member, j
    cdef double plus, minus, denominator
    for member in range((n - group + stride - 1) // stride):
        j = group + member * stride
        column_points(x, j, rel_step, central or backward, lo, hi, &plus, &minus, &denominator)
        point[j] = minus if backward else plus


cdef inline bint add_group_to_band(const double[:] plus, const double[:] base, bint central,
                                   const double* x, double rel_step, Py_ssize_t group,
                                   Py_ssize_t stride, Py_ssize_t b, double* band,
                                   Py_ssize_t row_step, Py_ssize_t column_step,
                                   Py_ssize_t n, const double* lo=NULL,
                                   const double* hi=NULL) noexcept nogil:
    """Add the columns of one group to the band; False if any estimate is not finite.

    For each column j of the group, (plus − base) over its denominator
    (`column_points`) estimates H[i, j] on rows i = j − b … j + b, which no other column of the group
    reaches. H[j + k, j] is estimated twice, from column j and from column
    j + k; each estimate adds half into band[k·row_step + j·column_step]
    (which starts at zero), so the result is symmetrized as the dense case
    is; the diagonal is estimated once.
    """
    cdef Py_ssize_t member, i, j
    cdef double factor, estimate, plus_point, minus_point, denominator
    cdef bint finite = True
    for member in range((n - group + stride - 1) // stride):
        j = group + member * stride
        column_points(x, j, rel_step, central, lo, hi, &plus_point, &minus_point, &denominator)
        factor = 0.5 / denominator
        for i in range(max(0, j - b), j):
            estimate = (plus[i] - base[i]) * factor
            band[(j - i) * row_step + i * column_step] += estimate
            finite = finite & isfinite(estimate)
        estimate = 2.0 * (plus[j] - base[j]) * factor
        band[j * column_step] = estimate
        finite = finite & isfinite(estimate)
        for i in range(j + 1, min(n, j + b + 1)):
            estimate = (plus[i] - base[i]) * factor
            band[(i - j) * row_step + j * column_step] += estimate
            finite = finite & isfinite(estimate)
    return finite
