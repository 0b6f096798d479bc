# Kernels of a box lo ≤ x ≤ hi: projection, the projected gradient, the free
# set, and the gathering of a Hessian's free-variable submatrix. The bounded
# drivers (`_projected`) build each iteration from these; infinite bounds
# are ±inf and compare as such, so no special case is needed for them.
from libc.math cimport fabs, sqrt


cdef inline double clamp(double value, double lo, double hi) noexcept nogil:
    """value projected onto [lo, hi]."""
    if value < lo:
        return lo
    if value > hi:
        return hi
    return value


cdef inline void projected_step(const double* x, const double* direction, double alpha,
                                const double* lo, const double* hi, double* step,
                                Py_ssize_t n) noexcept nogil:
    """step = P(x + α·direction) − x, P the projection onto the box (x inside it)."""
    cdef Py_ssize_t i
    for i in range(n):
        step[i] = clamp(x[i] + alpha * direction[i], lo[i], hi[i]) - x[i]


cdef inline double projected_gradient_norm(const double* x, const double* grad,
                                           const double* lo, const double* hi, Py_ssize_t n,
                                           bint inf_norm) noexcept nogil:
    """‖P(x − g) − x‖ (2-norm, or ∞-norm with `inf_norm`): zero exactly at a first-order KKT point."""
    cdef Py_ssize_t i
    cdef double component, total = 0.0
    for i in range(n):
        component = fabs(clamp(x[i] - grad[i], lo[i], hi[i]) - x[i])
        if inf_norm:
            if component > total or component != component:
                total = component
        else:
            total += component * component
    return total if inf_norm else sqrt(total)


cdef inline Py_ssize_t free_for_model(const double* point, const double* model_grad,
                                      const double* lo, const double* hi, Py_ssize_t* index,
                                      Py_ssize_t n, bint* changed) noexcept nogil:
    """The variables a trust-region subproblem may move at `point`, in order, into `index`.

    Those strictly inside their bounds, and those at a bound that the
    model's gradient points away from (a negative multiplier estimate), which
    the step may free. `changed` is set when the set differs from what
    `index` held before (as far as the new count reaches). Returns their number.
    """
    cdef Py_ssize_t i, count = 0
    changed[0] = False
    for i in range(n):
        if (lo[i] < point[i] < hi[i]
                or (lo[i] < hi[i] and ((point[i] <= lo[i] and model_grad[i] < 0.0)
                                       or (point[i] >= hi[i] and model_grad[i] > 0.0)))):
            if index[count] != i:
                changed[0] = True
            index[count] = i
            count += 1
    return count


cdef inline Py_ssize_t not_binding(const double* x, const double* grad, const double* lo,
                                   const double* hi, Py_ssize_t* index,
                                   Py_ssize_t n) noexcept nogil:
    """The variables a projected Newton step may move, in order, into `index`.

    A variable is held (not listed) when its bounds coincide, or when it lies
    on a bound that −g pushes it against. Bertsekas (1982) also holds those
    within ε of such a bound; measured, that stalls at degenerate minimizers
    on a corner (Rosenbrock on [−1, 1]²), where the held variable's neighbour
    then never sees the coupling. Returns their number.
    """
    cdef Py_ssize_t i, count = 0
    for i in range(n):
        if lo[i] == hi[i]:
            continue
        if grad[i] > 0.0 and x[i] <= lo[i]:
            continue
        if grad[i] < 0.0 and x[i] >= hi[i]:
            continue
        index[count] = i
        count += 1
    return count


cdef inline void gather(const double* full, const Py_ssize_t* index, Py_ssize_t count,
                        double* out) noexcept nogil:
    """out[k] = full[index[k]]."""
    cdef Py_ssize_t k
    for k in range(count):
        out[k] = full[index[k]]


cdef inline void scatter(const double* part, const Py_ssize_t* index, Py_ssize_t count,
                         double* full, Py_ssize_t n) noexcept nogil:
    """full = 0, then full[index[k]] = part[k]."""
    cdef Py_ssize_t i, k
    for i in range(n):
        full[i] = 0.0
    for k in range(count):
        full[index[k]] = part[k]


cdef inline void gather_dense(const double* values, Py_ssize_t n, const Py_ssize_t* index,
                              Py_ssize_t count, double* out) noexcept nogil:
    """The lower triangle of H[index, index] (column-major count-by-count) from H's (n-by-n)."""
    cdef Py_ssize_t a, c, column
    for c in range(count):
        column = index[c] * n
        for a in range(c, count):
            out[a + c * count] = values[index[a] + column]


cdef inline void gather_band(const double* values, Py_ssize_t b, const Py_ssize_t* index,
                             Py_ssize_t count, double* out) noexcept nogil:
    """H[index, index] in lower band storage of the same half-bandwidth b.

    The free variables of a band matrix, kept in their order, form a band
    matrix no wider than b: entries k apart in the reduced order are at
    least k apart in the full one, so out[k, c] = H[index[c + k], index[c]]
    when that distance is within b, and zero otherwise.
    """
    cdef Py_ssize_t rows = b + 1, c, k, distance
    for c in range(count):
        for k in range(rows):
            if c + k < count:
                distance = index[c + k] - index[c]
                out[k + c * rows] = values[distance + index[c] * rows] if distance <= b else 0.0
            else:
                out[k + c * rows] = 0.0
