# Finite-difference step sizes, shared by the gradient, Hessian and Jacobian code.
from libc.math cimport fabs

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
