"""Finite-difference Jacobians of vector functions, dense and banded, in compiled loops."""

import numpy as np

from fastnewton._differences cimport (forward_rel_step, central_rel_step, step_group,
                                      difference_group)


cdef object call_vector(object fun, object point, tuple args, Py_ssize_t m):
    """fun(point) as a float64 vector of length m (a copy of the point is passed)."""
    value = np.asarray(fun(point.copy(), *args), dtype=np.float64).reshape(-1)
    if value.shape[0] != m:
        raise ValueError("fun returned %d values at a perturbed point but %d at x; it must "
                         "return the same number every time" % (value.shape[0], m))
    return value


def finite_difference_jacobian(fun, object x_array, tuple args, bint central, rel_step,
                               Py_ssize_t lower=-1, Py_ssize_t upper=-1):
    """Jacobian of `fun` at `x_array` (see `fastnewton.approx_jacobian`).

    Dense (lower < 0): n columns, one (or two, central) calls each. Banded
    with `lower`/`upper` bandwidths: columns j ≡ c (mod lower + upper + 1)
    share no nonzero row, so they are perturbed together (Curtis, Powell &
    Reid 1974) and the result is general band storage ab[upper + i − j, j].
    Returns (jacobian, number of calls to fun).
    """
    cdef const double[::1] x = x_array
    cdef Py_ssize_t n = x.shape[0], m, group, member, groups, j, calls = 1
    cdef bint banded = lower >= 0
    cdef double step = (rel_step if rel_step is not None
                        else (central_rel_step() if central else forward_rel_step()))
    cdef const double[::1] base, plus, minus
    cdef double[:, ::1] out
    base_array = np.asarray(fun(x_array.copy(), *args), dtype=np.float64).reshape(-1)
    base = base_array
    m = base.shape[0]
    if banded:
        result = np.zeros((lower + upper + 1, n))
        groups = min(lower + upper + 1, n)
    else:
        result = np.empty((m, n))
        groups = n
    out = result
    if m == 0:
        return result, calls
    perturbed_array = np.array(x_array)
    cdef double[::1] perturbed = perturbed_array
    for group in range(groups):
        step_group(&perturbed[0], &x[0], group, groups, step, False, n)
        plus_array = call_vector(fun, perturbed_array, args, m)
        plus = plus_array
        calls += 1
        if central:
            step_group(&perturbed[0], &x[0], group, groups, step, True, n)
            minus_array = call_vector(fun, perturbed_array, args, m)
            minus = minus_array
            calls += 1
        difference_group(&plus[0], &minus[0] if central else &base[0], central, &x[0], step,
                         group, groups, m, lower if banded else -1, upper, &out[0, 0], n, 1, n)
        for member in range((n - group + groups - 1) // groups):
            j = group + member * groups
            perturbed[j] = x[j]
    return result, calls
