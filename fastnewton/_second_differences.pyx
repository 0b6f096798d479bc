"""Hessians from function values alone (second differences), for runs without derivatives.

Differencing a finite-difference gradient compounds two truncation errors and
divides rounding noise by h twice with h ≈ √ε, which leaves nothing of H. A
second difference of f instead has rounding error ~ ε|f|/h² and truncation
error ~ h·|f'''| (forward) or h²·|f''''| (central); a step h ≈ ε^¼·max(1, |x|)
keeps the rounding part near √ε|f| and is the balance point for the central
form (Nocedal & Wright 2006, §8.1). The point handed to `fun` is a fresh
array each call, so nothing the user keeps aliases our buffer.
"""

import numpy as np

from fastnewton._objective cimport Objective, as_scalar
from fastnewton._differences cimport representable_step
from fastnewton._vector cimport equal_raw

cdef double QUARTER_ROOT_EPS = 1.220703125e-04     # ε^¼, ε = 2⁻⁵²


cdef class ValueCounter:
    """Calls ``fun(point, *args)`` on copies of points and converts the values."""
    cdef object fun
    cdef tuple args
    cdef public Py_ssize_t nfev

    def __init__(self, fun, tuple args):
        self.fun = fun
        self.args = args
        self.nfev = 0

    cdef double value(self, double[::1] point) except? -1.0:
        value = self.fun(np.array(point), *self.args)
        self.nfev += 1
        return as_scalar(value)


def second_difference_hessian(fun, x, f0, tuple args, rel_step, bint central,
                              bandwidth=None):
    """The Hessian of `fun` at `x` from values of `fun` only.

    Forward (``central=False``): with h_i the step of coordinate i,
    H[i, j] = (f(x + h_i e_i + h_j e_j) − f(x + h_i e_i) − f(x + h_j e_j) + f(x))
    / (h_i h_j), which reuses f(x) and the n values f(x + h_i e_i): n(n + 3)/2
    calls for a dense H, error O(h). Central: H[i, i] = (f(x + h_i e_i)
    − 2 f(x) + f(x − h_i e_i)) / h_i², and H[i, j] from f(x ± (h_i e_i + h_j e_j))
    and the 2n values on the axes, f(x ± h_i e_i): n(n + 1) calls, error
    O(h²). With `bandwidth` b only pairs |i − j| ≤ b are formed.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> float``.
    x : ndarray, shape (n,), float64, contiguous
        Where to differentiate (not written).
    f0 : float or None
        ``fun(x, *args)`` when the caller knows it; None: evaluated here.
    args : tuple
        Extra arguments of `fun`.
    rel_step : float or None
        Relative step; None means ε^¼.
    central : bool
        Central (O(h²)) rather than forward (O(h)) differences.
    bandwidth : int or None
        Half-bandwidth b: return LAPACK lower band storage of shape (b + 1, n)
        instead of the dense (n, n) matrix.

    Returns
    -------
    hessian : ndarray
        Dense symmetric (n, n), or the band ``band[k, j] = H[j + k, j]``.
    nfev : int
        The calls of `fun` made.
    """
    cdef const double[::1] x_view = x
    cdef Py_ssize_t n = x_view.shape[0]
    cdef Py_ssize_t b = n - 1 if bandwidth is None else min(<Py_ssize_t>bandwidth, n - 1)
    cdef double rel = QUARTER_ROOT_EPS if rel_step is None else rel_step
    cdef double[::1] point = np.array(x_view)
    cdef double[::1] step = np.empty(n)
    cdef double[::1] f_plus = np.empty(n)
    cdef double[::1] f_minus = np.empty(n)
    cdef ValueCounter values = ValueCounter(fun, args)
    cdef double base = values.value(point) if f0 is None else f0
    cdef Py_ssize_t i, j
    cdef double estimate, pp, mm
    out = np.zeros((n, n)) if bandwidth is None else np.zeros((b + 1, n))
    cdef double[:, ::1] dense
    cdef double[:, ::1] band
    if bandwidth is None:
        dense = out
    else:
        band = out
    for i in range(n):
        # The step actually representable, so the divisions use what was taken.
        step[i] = representable_step(x_view[i], rel)
        point[i] = x_view[i] + step[i]
        f_plus[i] = values.value(point)
        if central:
            point[i] = x_view[i] - step[i]
            f_minus[i] = values.value(point)
        point[i] = x_view[i]
    for i in range(n):
        for j in range(i, min(n, i + b + 1)):
            if central and i == j:
                estimate = (f_plus[i] - 2.0 * base + f_minus[i]) / (step[i] * step[i])
            elif central:
                # f(x ± (h_i e_i + h_j e_j)) with the axis values already known:
                # the even Taylor terms leave 2 h_i h_j H[i, j] + O(h⁴).
                point[i] = x_view[i] + step[i]
                point[j] = x_view[j] + step[j]
                pp = values.value(point)
                point[i] = x_view[i] - step[i]
                point[j] = x_view[j] - step[j]
                mm = values.value(point)
                estimate = ((pp + mm - f_plus[i] - f_minus[i] - f_plus[j] - f_minus[j] + 2.0 * base)
                            / (2.0 * step[i] * step[j]))
            else:
                # i == j moves coordinate i by 2h_i: the three-point second difference.
                point[i] += step[i]
                point[j] += step[j]
                estimate = (values.value(point) - f_plus[i] - f_plus[j] + base) / (step[i] * step[j])
            point[i] = x_view[i]
            point[j] = x_view[j]
            if bandwidth is None:
                dense[i, j] = estimate
                dense[j, i] = estimate
            else:
                band[j - i, i] = estimate
    return out, values.nfev


cdef class ValuesHessian:
    """``hess(x, *args)`` for `minimize` when no derivative is given: second differences of f.

    Handed to the `Objective` as its `hess`; f(x) is taken from the
    objective's cache (it has always just evaluated f at x), so no call is
    repeated. The calls of `fun` are counted here, in `nfev`, and `calls`
    counts the Hessians formed, which the objective counted as `nhev`.

    Parameters
    ----------
    fun : callable
        The user's ``fun(x, *args)``.
    central : bool
        Central (O(h²)) rather than forward (O(h)) differences.
    rel_step : float or None
        Relative step; None means ε^¼.
    bandwidth : int or None
        Return the band of this half-bandwidth (LAPACK lower storage).
    """
    cdef object fun, rel_step, bandwidth
    cdef bint central
    cdef Objective objective
    cdef public Py_ssize_t nfev, calls

    def __init__(self, fun, bint central, rel_step, bandwidth):
        self.fun = fun
        self.central = central
        self.rel_step = rel_step
        self.bandwidth = bandwidth
        self.nfev = 0
        self.calls = 0

    def attach(self, Objective objective):
        """Read f(x) from `objective`'s cache."""
        self.objective = objective

    def __call__(self, x, *args):
        cdef const double[::1] point = x
        cdef Objective objective = self.objective
        cdef bint cached = (objective is not None and objective.has_cached_value
                            and equal_raw(&point[0], &objective.cached_point[0], point.shape[0]))
        f0 = objective.cached_value if cached else None
        hessian, nfev = second_difference_hessian(self.fun, x, f0, args, self.rel_step,
                                                  self.central, self.bandwidth)
        self.nfev += nfev
        self.calls += 1
        return hessian
