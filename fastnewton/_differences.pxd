# Finite differences, written once: the step sizes, the perturbation of a
# group of columns, and the difference quotients of a group into a dense or
# band Jacobian (and the symmetric band of a Hessian). A gradient from
# values is the 1-by-n Jacobian of f, a Hessian the Jacobian of ∇f: the
# single-problem objective, the batched objective and `approx_jacobian` all
# run these kernels and differ only in how they call the user.
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


cdef inline double representable_step(double x_j, double rel_step) noexcept nogil:
    """h_j = (x_j + fd_step) − x_j, the step actually representable at x_j."""
    return (x_j + fd_step(x_j, rel_step)) - x_j


cdef inline void difference_group(const double* plus, const double* base, bint central,
                                  const double* x, double rel_step, Py_ssize_t group,
                                  Py_ssize_t stride, Py_ssize_t m, Py_ssize_t lower,
                                  Py_ssize_t upper, double* out, Py_ssize_t row_step,
                                  Py_ssize_t column_step, Py_ssize_t n) noexcept nogil:
    """Columns j = group, group + stride, … of the Jacobian of g from one group's values.

    J[i, j] = (g(x + Σ h_j e_j)[i] − g(x)[i]) / h_j, or with `central` (base
    then g at the backward point) divided by 2h_j. A dense Jacobian (lower <
    0) fills all m rows of each column, at out[i·row_step + j·column_step];
    a band one (J[i, j] = 0 unless −upper ≤ i − j ≤ lower) only the rows a
    column reaches, at out[(upper + i − j)·row_step + j·column_step] (the
    general band storage of `scipy.linalg.solve_banded`). With stride = n a
    group is the single column `group`.
    """
    cdef Py_ssize_t member, i, j, first, last
    cdef double denominator
    for member in range((n - group + stride - 1) // stride):
        j = group + member * stride
        denominator = representable_step(x[j], rel_step) * (2.0 if central else 1.0)
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
    cdef double factor, estimate
    cdef bint finite = True
    for member in range((n - group + stride - 1) // stride):
        j = group + member * stride
        factor = 0.5 * scale / representable_step(x[j], rel_step)
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
