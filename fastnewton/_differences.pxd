# Finite differences: the step sizes, and the column-grouping kernels
# (Curtis, Powell & Reid 1974) that the single-problem objective and the
# batched objective both run to assemble band Hessians.
from libc.math cimport fabs, isfinite

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


# Columns j and k of a band matrix of half-bandwidth b share no nonzero row
# when |j − k| > 2b, so all columns j ≡ group (mod 2b+1) are perturbed at
# once and one gradient difference yields each of them on its own rows.

cdef inline void step_group(double* point, const double* x, Py_ssize_t group, Py_ssize_t stride,
                            double rel_step, bint backward, Py_ssize_t n) noexcept nogil:
    """point[j] = x_j + h_j (or x_j − h_j) for the columns j = group, group + stride, …"""
    cdef Py_ssize_t member, j
    for member in range((n - group + stride - 1) // stride):
        j = group + member * stride
        if backward:
            point[j] = x[j] - ((x[j] + fd_step(x[j], rel_step)) - x[j])
        else:
            point[j] = x[j] + fd_step(x[j], rel_step)


cdef inline bint add_group_to_band(const double[:] plus, const double[:] base, double scale,
                                   const double* x, double rel_step, Py_ssize_t group,
                                   Py_ssize_t stride, Py_ssize_t b, double* band,
                                   Py_ssize_t row_step, Py_ssize_t column_step,
                                   Py_ssize_t n) noexcept nogil:
    """Add the columns of one group to the band; False if any estimate is not finite.

    For each column j of the group, (plus − base)·scale / h_j estimates
    H[i, j] on rows i = j − b … j + b, which no other column of the group
    reaches. H[j + k, j] is estimated twice, from column j and from column
    j + k; each estimate adds half into band[k·row_step + j·column_step]
    (which starts at zero), so the result is symmetrized as the dense case
    is; the diagonal is estimated once.
    """
    cdef Py_ssize_t member, i, j
    cdef double h, factor, estimate
    cdef bint finite = True
    for member in range((n - group + stride - 1) // stride):
        j = group + member * stride
        h = (x[j] + fd_step(x[j], rel_step)) - x[j]   # the step actually representable
        factor = 0.5 * scale / h
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
