# Small vector kernels shared by the subproblems and the drivers.
from libc.math cimport sqrt


cdef inline void copy_into(const double[::1] source, double[::1] dest) noexcept nogil:
    """dest = source; a plain loop, far cheaper than a memoryview slice assignment for small n."""
    cdef Py_ssize_t i
    for i in range(source.shape[0]):
        dest[i] = source[i]


cdef inline double dot(const double[::1] a, const double[::1] b) noexcept nogil:
    cdef Py_ssize_t i
    cdef double total = 0.0
    for i in range(a.shape[0]):
        total += a[i] * b[i]
    return total


cdef inline double norm2(const double[::1] a) noexcept nogil:
    return sqrt(dot(a, a))


cdef inline double norm_inf(const double[::1] a) noexcept nogil:
    cdef Py_ssize_t i
    cdef double largest = 0.0
    for i in range(a.shape[0]):
        if a[i] > largest:
            largest = a[i]
        elif -a[i] > largest:
            largest = -a[i]
    return largest


cdef inline double gradient_norm(const double[::1] g, bint inf_norm) noexcept nogil:
    """‖g‖∞, or ‖g‖₂ scaled by ‖g‖∞ so that tiny gradients do not underflow to 0."""
    cdef Py_ssize_t i
    cdef double largest = norm_inf(g), total = 0.0, scaled
    if inf_norm or largest == 0.0 or largest != largest or largest > 1e300:
        return largest if inf_norm or largest == 0.0 or largest != largest else norm2(g)
    for i in range(g.shape[0]):
        scaled = g[i] / largest
        total += scaled * scaled
    return largest * sqrt(total)


cdef inline void axpy_into(double alpha, const double[::1] x, const double[::1] y,
                           double[::1] out) noexcept nogil:
    """out = alpha·x + y (out may be y)."""
    cdef Py_ssize_t i
    for i in range(x.shape[0]):
        out[i] = alpha * x[i] + y[i]


cdef inline void boundary_roots(const double[::1] p, const double[::1] d, double radius,
                                double* tau_low, double* tau_high) noexcept nogil:
    """The roots τ_low ≤ τ_high of ‖p + τ d‖ = radius (real when ‖p‖ ≤ radius).

    Written to avoid cancellation: τ = (−b ± √disc)/a via q = −(b + sign(b)√disc).
    """
    cdef double a = dot(d, d), b = dot(p, d), c = dot(p, p) - radius * radius
    cdef double disc = b * b - a * c, q, r1, r2
    if disc < 0.0:
        disc = 0.0
    if a == 0.0:
        tau_low[0] = 0.0
        tau_high[0] = 0.0
        return
    q = -(b + (sqrt(disc) if b >= 0.0 else -sqrt(disc)))
    r1 = q / a
    r2 = c / q if q != 0.0 else -r1
    if r1 <= r2:
        tau_low[0], tau_high[0] = r1, r2
    else:
        tau_low[0], tau_high[0] = r2, r1
