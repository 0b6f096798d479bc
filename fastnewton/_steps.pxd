# Finite-difference step sizes, shared by the gradient, Hessian and Jacobian code.
from libc.math cimport fabs, fmax, copysign

# Relative steps that balance truncation against rounding error: √ε for
# forward differences, ∛ε for central ones (Nocedal & Wright 2006, §8.1),
# ε being the float64 machine epsilon 2⁻⁵².

cdef inline double forward_rel_step() noexcept nogil:
    return 1.4901161193847656e-08     # √ε


cdef inline double central_rel_step() noexcept nogil:
    return 6.0554544523933395e-06     # ∛ε


cdef inline double fd_step(double x, double rel_step) noexcept nogil:
    """A step of size rel_step·max(1, |x|) pointing away from zero."""
    return copysign(rel_step * fmax(1.0, fabs(x)), x if x != 0.0 else 1.0)
