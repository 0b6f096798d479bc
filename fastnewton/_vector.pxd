# Small vector kernels shared by the subproblems and the drivers.
#
# Each kernel exists once, over raw pointers (`*_raw`), for the batched
# drivers that walk rows of (m, n) buffers: slicing a memoryview row costs
# two atomic reference-count updates, more than a dot product of length 3.
# The memoryview forms below are thin wrappers with the same arithmetic.
from libc.math cimport sqrt


cdef inline void inverse_iteration_start(double* z, Py_ssize_t n) noexcept nogil:
    """A fixed pseudo-random start for inverse iteration: deterministic, and not
    orthogonal to the wanted eigenvector except by accident."""
    cdef Py_ssize_t i
    cdef unsigned long state = 12345
    for i in range(n):
        state = (state * 6364136223846793005UL + 1442695040888963407UL)
        z[i] = <double>((state >> 11) & 0xFFFFF) / 1048576.0 - 0.5


cdef inline double normalize_raw(double* z, Py_ssize_t n) noexcept nogil:
    """z ← z / ‖z‖₂; returns ‖z‖₂ before."""
    cdef Py_ssize_t i
    cdef double total = 0.0, length
    for i in range(n):
        total += z[i] * z[i]
    length = sqrt(total)
    for i in range(n):
        z[i] /= length
    return length


cdef inline void copy_raw(const double* source, double* dest, Py_ssize_t n) noexcept nogil:
    """dest = source; a plain loop, far cheaper than a slice assignment or memcpy call for small n."""
    cdef Py_ssize_t i
    for i in range(n):
        dest[i] = source[i]


cdef inline bint equal_raw(const double* a, const double* b, Py_ssize_t n) noexcept nogil:
    """Whether a and b hold the same n values (the same point, for the caches)."""
    cdef Py_ssize_t i
    for i in range(n):
        if a[i] != b[i]:
            return False
    return True


cdef inline double dot_raw(const double* a, const double* b, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    cdef double total = 0.0
    for i in range(n):
        total += a[i] * b[i]
    return total


cdef inline double norm2_raw(const double* a, Py_ssize_t n) noexcept nogil:
    return sqrt(dot_raw(a, a, n))


cdef inline double norm_inf_raw(const double* a, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    cdef double largest = 0.0
    for i in range(n):
        if a[i] > largest:
            largest = a[i]
        elif -a[i] > largest:
            largest = -a[i]
    return largest


cdef inline double gradient_norm_raw(const double* g, Py_ssize_t n, bint inf_norm) noexcept nogil:
    """‖g‖∞, or ‖g‖₂ scaled by ‖g‖∞ so that tiny gradients do not underflow to 0."""
    cdef Py_ssize_t i
    cdef double largest = norm_inf_raw(g, n), total = 0.0, scaled
    if inf_norm or largest == 0.0 or largest != largest or largest > 1e300:
        return largest if inf_norm or largest == 0.0 or largest != largest else norm2_raw(g, n)
    for i in range(n):
        scaled = g[i] / largest
        total += scaled * scaled
    return largest * sqrt(total)


cdef inline void axpy_raw(double alpha, const double* x, const double* y, double* out,
                          Py_ssize_t n) noexcept nogil:
    """out = alpha·x + y (out may be y)."""
    cdef Py_ssize_t i
    for i in range(n):
        out[i] = alpha * x[i] + y[i]


cdef inline void boundary_roots_raw(const double* p, const double* d, Py_ssize_t n, double radius,
                                    double* tau_low, double* tau_high) noexcept nogil:
    """The roots τ_low ≤ τ_high of ‖p + τ d‖ = radius (real when ‖p‖ ≤ radius).

    Written to avoid cancellation: τ = (−b ± √disc)/a via q = −(b + sign(b)√disc).
    """
    cdef double a = dot_raw(d, d, n), b = dot_raw(p, d, n), c = dot_raw(p, p, n) - radius * radius
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


# Memoryview forms. Views of length 0 never reach them (n >= 1 is validated),
# and &view[0] of such a view would only be a pointer, never read.

cdef inline void copy_into(const double[::1] source, double[::1] dest) noexcept nogil:
    copy_raw(&source[0], &dest[0], source.shape[0])


cdef inline double dot(const double[::1] a, const double[::1] b) noexcept nogil:
    return dot_raw(&a[0], &b[0], a.shape[0])


cdef inline double norm2(const double[::1] a) noexcept nogil:
    return norm2_raw(&a[0], a.shape[0])


cdef inline double norm_inf(const double[::1] a) noexcept nogil:
    return norm_inf_raw(&a[0], a.shape[0])


cdef inline double gradient_norm(const double[::1] g, bint inf_norm) noexcept nogil:
    return gradient_norm_raw(&g[0], g.shape[0], inf_norm)


cdef inline void axpy_into(double alpha, const double[::1] x, const double[::1] y,
                           double[::1] out) noexcept nogil:
    axpy_raw(alpha, &x[0], &y[0], &out[0], x.shape[0])


cdef inline void boundary_roots(const double[::1] p, const double[::1] d, double radius,
                                double* tau_low, double* tau_high) noexcept nogil:
    boundary_roots_raw(&p[0], &d[0], p.shape[0], radius, tau_low, tau_high)
