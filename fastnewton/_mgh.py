"""The Moré–Garbow–Hillstrom unconstrained test set: all 35 problems.

Every problem is a sum of squares ``f(x) = sum_i r_i(x)**2``. Each one is
written here once, as a function ``parts(x, order)`` returning the residuals
``r`` (order 0), also their Jacobian ``J`` (order 1), and also
``S = sum_i r_i Hess(r_i)`` (order 2); :func:`_sum_of_squares` turns it into
``f = r.r``, ``g = 2 J^T r`` and ``H = 2 (J^T J + S)``. The problems that
:mod:`fastnewton.problems` already has (Rosenbrock, Freudenstein–Roth, Brown
badly scaled, Beale, helical valley, Powell singular, Wood, extended
Rosenbrock, extended Powell, trigonometric, Broyden tridiagonal) are taken
from there, so each function exists once in the package.

Variable dimensions are fixed at the values most used with the set (those of
the MINPACK-1 test drivers and the paper's tables): Watson n = 6, extended
Rosenbrock n = 10, extended Powell n = 12, penalty I and II n = 10,
variably dimensioned, trigonometric, Brown almost-linear, discrete boundary
value, discrete integral equation, Broyden tridiagonal and banded n = 10,
the three linear functions n = 10 with m = 20, Chebyquad n = m = 8; the
Gulf function has m = 99 and Biggs EXP6 m = 13.

``f_min`` is the global minimum where it is zero or known in closed form;
elsewhere it is the value the paper reports, recomputed here to twelve
digits (least squares followed by Newton's method on the gradient); the
paper's six digits are quoted beside each. Non-global local minima are
recorded where the paper lists one at a finite point; limits reached only as
some variables go to infinity (Bard, Kowalik–Osborne) are mentioned in
``notes``. Biggs EXP6's second value, 5.65565e-3, is recorded at a point
with large x2, where the x4 term has vanished and f is a (non-strict) local
minimum; the same value is also taken at a saddle (x1 = x5, x3 = x6, a
Hessian eigenvalue of -9.8e-3), where a solver must not stop. The
trigonometric function's local minimum f = 2.795056e-5, which the paper
does not list but gonum's test set does (with its location), is recorded
too: gradient methods started from the standard x0 commonly end there.

References
----------
.. [1] J. J. Moré, B. S. Garbow and K. E. Hillstrom, "Testing unconstrained
   optimization software", ACM Trans. Math. Softw. 7(1), 17-41, 1981.
"""

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:       # at run time imported where used: problems imports this module
    from fastnewton.problems import TestProblem

__all__ = ["mgh", "mgh_problems", "MGH_NAMES"]

# The paper's numbering, 1-based.
MGH_NAMES = (
    "rosenbrock", "freudenstein_roth", "powell_badly_scaled",
    "brown_badly_scaled", "beale", "jennrich_sampson", "helical_valley",
    "bard", "gaussian", "meyer", "gulf", "box_3d", "powell_singular", "wood",
    "kowalik_osborne", "brown_dennis", "osborne_1", "biggs_exp6",
    "osborne_2", "watson", "extended_rosenbrock", "extended_powell",
    "penalty_1", "penalty_2", "variably_dimensioned", "trigonometric",
    "brown_almost_linear", "discrete_boundary_value",
    "discrete_integral_equation", "broyden_tridiagonal", "broyden_banded",
    "linear_full_rank", "linear_rank_1", "linear_rank_1_zero", "chebyquad",
)


def _sum_of_squares(parts):
    """fun, jac and hess of ``sum_i r_i(x)**2`` from ``parts(x, order)``."""

    def fun(x):
        r = parts(np.asarray(x, dtype=np.float64), 0)
        return float(r @ r)

    def jac(x):
        r, jacobian = parts(np.asarray(x, dtype=np.float64), 1)
        return 2.0 * (r @ jacobian)

    def hess(x):
        _, jacobian, weighted = parts(np.asarray(x, dtype=np.float64), 2)
        h = jacobian.T @ jacobian
        h += weighted
        h *= 2.0
        return h

    return fun, jac, hess


def _out(order, r, jacobian=None, weighted=None):
    """What ``parts(x, order)`` returns: r; r, J; or r, J, S."""
    if order == 0:
        return r
    if order == 1:
        return r, jacobian
    return r, jacobian, weighted


# ---------------------------------------------------------------------------
# Problems 3-20: fixed dimension
# ---------------------------------------------------------------------------

def _powell_badly_scaled(x, order):
    """MGH 3: r = (1e4 x1 x2 - 1, exp(-x1) + exp(-x2) - 1.0001)."""
    e1, e2 = math.exp(-x[0]), math.exp(-x[1])
    r = np.array([1e4 * x[0] * x[1] - 1.0, e1 + e2 - 1.0001])
    jacobian = np.array([[1e4 * x[1], 1e4 * x[0]], [-e1, -e2]])
    weighted = np.array([[r[1] * e1, 1e4 * r[0]], [1e4 * r[0], r[1] * e2]])
    return _out(order, r, jacobian, weighted)


_JS_I = np.arange(1.0, 11.0)


def _jennrich_sampson(x, order):
    """MGH 6: r_i = 2 + 2i - exp(i x1) - exp(i x2), i = 1..10."""
    e1, e2 = np.exp(_JS_I * x[0]), np.exp(_JS_I * x[1])
    r = 2.0 + 2.0 * _JS_I - e1 - e2
    jacobian = np.column_stack([-_JS_I * e1, -_JS_I * e2])
    i2r = -_JS_I * _JS_I * r
    weighted = np.diag([i2r @ e1, i2r @ e2])
    return _out(order, r, jacobian, weighted)


_BARD_Y = np.array([0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37,
                    0.58, 0.73, 0.96, 1.34, 2.10, 4.39])
_BARD_U = np.arange(1.0, 16.0)
_BARD_V = 16.0 - _BARD_U
_BARD_W = np.minimum(_BARD_U, _BARD_V)


def _bard(x, order):
    """MGH 8: r_i = y_i - x1 - u_i / (v_i x2 + w_i x3),
    u_i = i, v_i = 16 - i, w_i = min(u_i, v_i).
    """
    d = _BARD_V * x[1] + _BARD_W * x[2]
    r = _BARD_Y - x[0] - _BARD_U / d
    if order == 0:
        return r
    q = _BARD_U / (d * d)
    jacobian = np.column_stack([-np.ones(15), q * _BARD_V, q * _BARD_W])
    c = -2.0 * r * q / d
    vw = np.stack([_BARD_V, _BARD_W])
    weighted = np.zeros((3, 3))
    weighted[1:, 1:] = (vw * c) @ vw.T
    return _out(order, r, jacobian, weighted)


_GAUSS_T = (8.0 - np.arange(1.0, 16.0)) / 2.0
_GAUSS_Y = np.array([0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521,
                     0.3989, 0.3521, 0.2420, 0.1295, 0.0540, 0.0175, 0.0044,
                     0.0009])


def _gaussian(x, order):
    """MGH 9: r_i = x1 exp(-x2 (t_i - x3)**2 / 2) - y_i, t_i = (8 - i) / 2."""
    s = _GAUSS_T - x[2]
    s2 = s * s
    e = np.exp(-0.5 * x[1] * s2)
    r = x[0] * e - _GAUSS_Y
    if order == 0:
        return r
    jacobian = np.column_stack([e, -0.5 * x[0] * e * s2, x[0] * x[1] * e * s])
    re = r * e
    h12 = -0.5 * (re @ s2)
    h13 = x[1] * (re @ s)
    h22 = 0.25 * x[0] * (re @ (s2 * s2))
    h23 = x[0] * (re @ (s * (1.0 - 0.5 * x[1] * s2)))
    h33 = x[0] * x[1] * (re @ (x[1] * s2 - 1.0))
    weighted = np.array([[0.0, h12, h13], [h12, h22, h23], [h13, h23, h33]])
    return _out(order, r, jacobian, weighted)


_MEYER_T = 45.0 + 5.0 * np.arange(1.0, 17.0)
_MEYER_Y = np.array([34780.0, 28610.0, 23650.0, 19630.0, 16370.0, 13720.0,
                     11540.0, 9744.0, 8261.0, 7030.0, 6005.0, 5147.0, 4427.0,
                     3820.0, 3307.0, 2872.0])


def _meyer(x, order):
    """MGH 10: r_i = x1 exp(x2 / (t_i + x3)) - y_i, t_i = 45 + 5i."""
    q = 1.0 / (_MEYER_T + x[2])
    e = np.exp(x[1] * q)
    r = x[0] * e - _MEYER_Y
    if order == 0:
        return r
    jacobian = np.column_stack([e, x[0] * e * q, -x[0] * x[1] * e * q * q])
    re = r * e
    h12 = re @ q
    h13 = -x[1] * (re @ (q * q))
    h22 = x[0] * (re @ (q * q))
    h23 = -x[0] * (re @ (q * q * (x[1] * q + 1.0)))
    h33 = x[0] * x[1] * (re @ (q ** 3 * (x[1] * q + 2.0)))
    weighted = np.array([[0.0, h12, h13], [h12, h22, h23], [h13, h23, h33]])
    return _out(order, r, jacobian, weighted)


_GULF_T = np.arange(1.0, 100.0) / 100.0
_GULF_Y = 25.0 + (-50.0 * np.log(_GULF_T)) ** (2.0 / 3.0)


def _gulf(x, order):
    """MGH 11: r_i = exp(-|y_i - x2|**x3 / x1) - t_i,
    t_i = i/100, y_i = 25 + (-50 ln t_i)**(2/3).
    """
    x1, x2, x3 = x
    diff = _GULF_Y - x2
    a = np.abs(diff)
    p = a ** x3
    u = p / x1
    e = np.exp(-u)
    r = e - _GULF_T
    if order == 0:
        return r
    # r = exp(-u) - t with u = |y - x2|**x3 / x1: grad r = -e grad u and
    # Hess r = e (grad u grad u^T - Hess u).
    log_a = np.log(a)
    sign = np.sign(diff)
    du = np.stack([-u / x1, -x3 * sign * u / a, u * log_a])
    jacobian = -(e * du).T
    if order == 1:
        return r, jacobian
    hu = np.empty((3, 3, r.shape[0]))
    hu[0, 0] = 2.0 * u / (x1 * x1)
    hu[0, 1] = hu[1, 0] = x3 * sign * u / (a * x1)
    hu[0, 2] = hu[2, 0] = -u * log_a / x1
    hu[1, 1] = x3 * (x3 - 1.0) * u / (a * a)
    hu[1, 2] = hu[2, 1] = -sign * u * (1.0 + x3 * log_a) / a
    hu[2, 2] = u * log_a * log_a
    re = r * e
    weighted = np.einsum("i,ai,bi->ab", re, du, du) - hu @ re
    return r, jacobian, weighted


_BOX_T = 0.1 * np.arange(1.0, 11.0)
_BOX_C = np.exp(-_BOX_T) - np.exp(-10.0 * _BOX_T)


def _box_3d(x, order):
    """MGH 12: r_i = exp(-t_i x1) - exp(-t_i x2) - x3 (exp(-t_i) - exp(-10 t_i)), t_i = i/10."""
    e1, e2 = np.exp(-_BOX_T * x[0]), np.exp(-_BOX_T * x[1])
    r = e1 - e2 - x[2] * _BOX_C
    jacobian = np.column_stack([-_BOX_T * e1, _BOX_T * e2, -_BOX_C])
    rt2 = r * _BOX_T * _BOX_T
    weighted = np.diag([rt2 @ e1, -(rt2 @ e2), 0.0])
    return _out(order, r, jacobian, weighted)


_KO_Y = np.array([0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456,
                  0.0342, 0.0323, 0.0235, 0.0246])
_KO_U = np.array([4.0, 2.0, 1.0, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833,
                  0.0714, 0.0625])


def _kowalik_osborne(x, order):
    """MGH 15: r_i = y_i - x1 (u_i**2 + u_i x2) / (u_i**2 + u_i x3 + x4)."""
    u = _KO_U
    num = u * (u + x[1])
    den = u * (u + x[2]) + x[3]
    r = _KO_Y - x[0] * num / den
    if order == 0:
        return r
    d2 = den * den
    jacobian = np.column_stack([-num / den, -x[0] * u / den,
                                x[0] * num * u / d2, x[0] * num / d2])
    d3 = d2 * den
    h = np.array([
        [0.0, -r @ (u / den), r @ (num * u / d2), r @ (num / d2)],
        [0.0, 0.0, x[0] * (r @ (u * u / d2)), x[0] * (r @ (u / d2))],
        [0.0, 0.0, -2.0 * x[0] * (r @ (num * u * u / d3)),
         -2.0 * x[0] * (r @ (num * u / d3))],
        [0.0, 0.0, 0.0, -2.0 * x[0] * (r @ (num / d3))],
    ])
    weighted = h + np.triu(h, 1).T
    return _out(order, r, jacobian, weighted)


_BD_T = np.arange(1.0, 21.0) / 5.0
_BD_SIN = np.sin(_BD_T)


def _brown_dennis(x, order):
    """MGH 16: r_i = (x1 + t_i x2 - exp(t_i))**2 + (x3 + x4 sin t_i - cos t_i)**2, t_i = i/5."""
    a = x[0] + _BD_T * x[1] - np.exp(_BD_T)
    b = x[2] + x[3] * _BD_SIN - np.cos(_BD_T)
    r = a * a + b * b
    if order == 0:
        return r
    jacobian = 2.0 * np.column_stack([a, a * _BD_T, b, b * _BD_SIN])
    # Hess r_i = 2 [1, t]^T [1, t] on (x1, x2) and 2 [1, sin t]^T [1, sin t]
    # on (x3, x4).
    weighted = np.zeros((4, 4))
    for k, s in ((0, _BD_T), (2, _BD_SIN)):
        weighted[k:k + 2, k:k + 2] = 2.0 * np.array(
            [[r.sum(), r @ s], [r @ s, r @ (s * s)]])
    return _out(order, r, jacobian, weighted)


_OSB1_T = 10.0 * np.arange(33.0)
_OSB1_Y = np.array([0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850,
                    0.818, 0.784, 0.751, 0.718, 0.685, 0.658, 0.628, 0.603,
                    0.580, 0.558, 0.538, 0.522, 0.506, 0.490, 0.478, 0.467,
                    0.457, 0.448, 0.438, 0.431, 0.424, 0.420, 0.414, 0.411,
                    0.406])


def _osborne_1(x, order):
    """MGH 17: r_i = y_i - (x1 + x2 exp(-t_i x4) + x3 exp(-t_i x5)), t_i = 10 (i - 1)."""
    t = _OSB1_T
    e4, e5 = np.exp(-t * x[3]), np.exp(-t * x[4])
    r = _OSB1_Y - (x[0] + x[1] * e4 + x[2] * e5)
    if order == 0:
        return r
    jacobian = np.column_stack([-np.ones(33), -e4, -e5, t * x[1] * e4,
                                t * x[2] * e5])
    weighted = np.zeros((5, 5))
    weighted[1, 3] = weighted[3, 1] = r @ (t * e4)
    weighted[2, 4] = weighted[4, 2] = r @ (t * e5)
    weighted[3, 3] = -x[1] * (r @ (t * t * e4))
    weighted[4, 4] = -x[2] * (r @ (t * t * e5))
    return _out(order, r, jacobian, weighted)


_BIGGS_T = 0.1 * np.arange(1.0, 14.0)
_BIGGS_Y = (np.exp(-_BIGGS_T) - 5.0 * np.exp(-10.0 * _BIGGS_T)
            + 3.0 * np.exp(-4.0 * _BIGGS_T))


def _biggs_exp6(x, order):
    """MGH 18: r_i = x3 exp(-t_i x1) - x4 exp(-t_i x2) + x6 exp(-t_i x5) - y_i, t_i = i/10."""
    t = _BIGGS_T
    e1, e2, e5 = np.exp(-t * x[0]), np.exp(-t * x[1]), np.exp(-t * x[4])
    r = x[2] * e1 - x[3] * e2 + x[5] * e5 - _BIGGS_Y
    if order == 0:
        return r
    jacobian = np.column_stack([-t * x[2] * e1, t * x[3] * e2, e1, -e2,
                                -t * x[5] * e5, e5])
    rt, rtt = r * t, r * t * t
    weighted = np.zeros((6, 6))
    weighted[0, 0] = x[2] * (rtt @ e1)
    weighted[1, 1] = -x[3] * (rtt @ e2)
    weighted[4, 4] = x[5] * (rtt @ e5)
    weighted[0, 2] = weighted[2, 0] = -(rt @ e1)
    weighted[1, 3] = weighted[3, 1] = rt @ e2
    weighted[4, 5] = weighted[5, 4] = -(rt @ e5)
    return _out(order, r, jacobian, weighted)


_OSB2_T = 0.1 * np.arange(65.0)
_OSB2_Y = np.array([
    1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725,
    0.746, 0.679, 0.608, 0.655, 0.616, 0.606, 0.602, 0.626, 0.651, 0.724,
    0.649, 0.649, 0.694, 0.644, 0.624, 0.661, 0.612, 0.558, 0.533, 0.495,
    0.500, 0.423, 0.395, 0.375, 0.372, 0.391, 0.396, 0.405, 0.428, 0.429,
    0.523, 0.562, 0.607, 0.653, 0.672, 0.708, 0.633, 0.668, 0.645, 0.632,
    0.591, 0.559, 0.597, 0.625, 0.739, 0.710, 0.729, 0.720, 0.636, 0.581,
    0.428, 0.292, 0.162, 0.098, 0.054])


def _osborne_2(x, order):
    """MGH 19: r_i = y_i - x1 exp(-t_i x5)
    - sum_{k=1}^{3} x_{1+k} exp(-x_{5+k} (t_i - x_{8+k})**2), t_i = (i - 1)/10.
    """
    t = _OSB2_T
    e = np.exp(-t * x[4])
    # Three Gaussian bumps: amplitude x[1+k], rate x[5+k], centre x[8+k].
    amp, rate, centre = x[1:4, None], x[5:8, None], x[8:11, None]
    d = t - centre
    g = np.exp(-rate * d * d)
    r = _OSB2_Y - x[0] * e - (amp * g).sum(axis=0)
    if order == 0:
        return r
    # The model's derivatives; r's are their negatives.
    grad_model = np.zeros((11, 65))
    grad_model[0] = e
    grad_model[4] = -t * x[0] * e
    grad_model[1:4] = g
    grad_model[5:8] = -amp * d * d * g
    grad_model[8:11] = 2.0 * amp * rate * d * g
    jacobian = -grad_model.T
    if order == 1:
        return r, jacobian
    weighted = np.zeros((11, 11))
    weighted[0, 4] = weighted[4, 0] = r @ (t * e)
    weighted[4, 4] = -x[0] * (r @ (t * t * e))
    rg = r * g
    for k in range(3):
        a, c, s = 1 + k, 5 + k, 8 + k
        dk, rgk = d[k], rg[k]
        ampk, ratek = amp[k, 0], rate[k, 0]
        weighted[a, c] = weighted[c, a] = rgk @ (dk * dk)
        weighted[a, s] = weighted[s, a] = -2.0 * ratek * (rgk @ dk)
        weighted[c, c] = -ampk * (rgk @ dk ** 4)
        weighted[c, s] = weighted[s, c] = -2.0 * ampk * (
            rgk @ (dk * (1.0 - ratek * dk * dk)))
        weighted[s, s] = -2.0 * ampk * ratek * (
            rgk @ (2.0 * ratek * dk * dk - 1.0))
    return r, jacobian, weighted


_WATSON_T = np.arange(1.0, 30.0) / 29.0


def _watson(x, order):
    """MGH 20: r_i = sum_j (j-1) x_j t_i**(j-2) - (sum_j x_j t_i**(j-1))**2 - 1,
    t_i = i/29; r_30 = x1, r_31 = x2 - x1**2 - 1.
    """
    n = x.shape[0]
    powers = _WATSON_T[:, None] ** np.arange(n)          # t_i ** j
    j = np.arange(1.0, n)
    s2 = powers @ x
    r = np.empty(31)
    r[:29] = powers[:, :-1] @ (j * x[1:]) - s2 * s2 - 1.0
    r[29] = x[0]
    r[30] = x[1] - x[0] * x[0] - 1.0
    if order == 0:
        return r
    jacobian = np.zeros((31, n))
    jacobian[:29, 1:] = j * powers[:, :-1]
    jacobian[:29] -= 2.0 * s2[:, None] * powers
    jacobian[29, 0] = 1.0
    jacobian[30, :2] = (-2.0 * x[0], 1.0)
    if order == 1:
        return r, jacobian
    # Hess r_i = -2 p_i p_i^T with p_i = (t_i ** j)_j for i < 30.
    weighted = -2.0 * (powers.T * r[:29]) @ powers
    weighted[0, 0] -= 2.0 * r[30]
    return r, jacobian, weighted


# ---------------------------------------------------------------------------
# Problems 23-35: variable dimension
# ---------------------------------------------------------------------------

_PENALTY_A = 1e-5
_SQRT_PENALTY_A = math.sqrt(_PENALTY_A)


def _penalty_1(x, order):
    """MGH 23: r_i = sqrt(1e-5) (x_i - 1), r_{n+1} = |x|**2 - 1/4."""
    n = x.shape[0]
    r = np.empty(n + 1)
    r[:n] = _SQRT_PENALTY_A * (x - 1.0)
    r[n] = x @ x - 0.25
    if order == 0:
        return r
    jacobian = np.zeros((n + 1, n))
    jacobian[:n] = _SQRT_PENALTY_A * np.eye(n)
    jacobian[n] = 2.0 * x
    return _out(order, r, jacobian, 2.0 * r[n] * np.eye(n))


def _penalty_2(x, order):
    """MGH 24: Penalty II, 2n residuals (the paper's f_1, ..., f_2n)."""
    n = x.shape[0]
    i = np.arange(2.0, n + 1.0)
    y = np.exp(i / 10.0) + np.exp((i - 1.0) / 10.0)
    e = np.exp(x / 10.0)
    w = n - np.arange(n, dtype=np.float64)              # n - j + 1
    r = np.empty(2 * n)
    r[0] = x[0] - 0.2
    r[1:n] = _SQRT_PENALTY_A * (e[1:] + e[:-1] - y)
    r[n:2 * n - 1] = _SQRT_PENALTY_A * (e[1:] - math.exp(-0.1))
    r[2 * n - 1] = w @ (x * x) - 1.0
    if order == 0:
        return r
    c = 0.1 * _SQRT_PENALTY_A * e
    jacobian = np.zeros((2 * n, n))
    jacobian[0, 0] = 1.0
    rows = np.arange(1, n)
    jacobian[rows, rows] = c[1:]
    jacobian[rows, rows - 1] = c[:-1]
    jacobian[rows + n - 1, rows] = c[1:]
    jacobian[2 * n - 1] = 2.0 * w * x
    if order == 1:
        return r, jacobian
    diag = 2.0 * r[2 * n - 1] * w
    diag[1:] += 0.1 * c[1:] * (r[1:n] + r[n:2 * n - 1])
    diag[:-1] += 0.1 * c[:-1] * r[1:n]
    return r, jacobian, np.diag(diag)


def _variably_dimensioned(x, order):
    """MGH 25: r_i = x_i - 1, r_{n+1} = sum_j j (x_j - 1), r_{n+2} = r_{n+1}**2."""
    n = x.shape[0]
    j = np.arange(1.0, n + 1.0)
    s = j @ (x - 1.0)
    r = np.concatenate([x - 1.0, [s, s * s]])
    if order == 0:
        return r
    jacobian = np.vstack([np.eye(n), j, 2.0 * s * j])
    return _out(order, r, jacobian, 2.0 * r[n + 1] * np.outer(j, j))


def _products_without(x):
    """``prod_{l != j} x_l`` (vector) and ``prod_{l != j, k} x_l`` (matrix, zero diagonal)."""
    n = x.shape[0]
    j, k, l = np.ogrid[:n, :n, :n]
    two_out = np.where((l == j) | (l == k), 1.0, x[l]).prod(axis=2)
    one_out = two_out.diagonal().copy()
    np.fill_diagonal(two_out, 0.0)
    return one_out, two_out


def _brown_almost_linear(x, order):
    """MGH 27: r_i = x_i + sum_j x_j - (n + 1) for i < n, r_n = prod_j x_j - 1."""
    n = x.shape[0]
    r = x + x.sum() - (n + 1.0)
    r[-1] = x.prod() - 1.0
    if order == 0:
        return r
    one_out, two_out = _products_without(x)
    jacobian = np.eye(n) + 1.0
    jacobian[-1] = one_out
    return _out(order, r, jacobian, r[-1] * two_out)


def _boundary_grid(n):
    h = 1.0 / (n + 1.0)
    return h, h * np.arange(1.0, n + 1.0)


def _discrete_boundary_value(x, order):
    """MGH 28: r_i = 2 x_i - x_{i-1} - x_{i+1} + h**2 (x_i + t_i + 1)**3 / 2, x_0 = x_{n+1} = 0."""
    n = x.shape[0]
    h, t = _boundary_grid(n)
    v = x + t + 1.0
    r = 2.0 * x + 0.5 * h * h * v ** 3
    r[1:] -= x[:-1]
    r[:-1] -= x[1:]
    if order == 0:
        return r
    jacobian = (np.diag(2.0 + 1.5 * h * h * v * v) - np.eye(n, k=1)
                - np.eye(n, k=-1))
    return _out(order, r, jacobian, np.diag(3.0 * h * h * v * r))


def _integral_kernel(n):
    """K with r = x + K (x + t + 1)**3 for the discrete integral equation."""
    h, t = _boundary_grid(n)
    lower = np.tril(np.outer(1.0 - t, t))                # j <= i
    upper = np.triu(np.outer(t, 1.0 - t), 1)             # j > i
    return t, 0.5 * h * (lower + upper)


def _discrete_integral_equation(x, order):
    """MGH 29: r_i = x_i + sum_j K_ij (x_j + t_j + 1)**3 (see ``_integral_kernel``)."""
    t, kernel = _integral_kernel(x.shape[0])
    v = x + t + 1.0
    r = x + kernel @ v ** 3
    if order == 0:
        return r
    jacobian = kernel * (3.0 * v * v)
    jacobian += np.eye(x.shape[0])
    return _out(order, r, jacobian, np.diag((r @ kernel) * 6.0 * v))


_BANDED_LOWER, _BANDED_UPPER = 5, 1


def _banded_mask(n):
    """B[i, j] = 1 for j != i with i - 5 <= j <= i + 1 (Broyden banded)."""
    i, j = np.indices((n, n))
    return ((j != i) & (j >= i - _BANDED_LOWER)
            & (j <= i + _BANDED_UPPER)).astype(np.float64)


def _broyden_banded(x, order):
    """MGH 31: r_i = x_i (2 + 5 x_i**2) + 1 - sum_{j in J_i} x_j (1 + x_j),
    J_i = {j != i: i-5 <= j <= i+1}.
    """
    mask = _banded_mask(x.shape[0])
    r = x * (2.0 + 5.0 * x * x) + 1.0 - mask @ (x * (1.0 + x))
    if order == 0:
        return r
    jacobian = np.diag(2.0 + 15.0 * x * x) - mask * (1.0 + 2.0 * x)
    return _out(order, r, jacobian, np.diag(30.0 * x * r - 2.0 * (r @ mask)))


_LINEAR_M = 20


def _linear_full_rank(x, order):
    """MGH 32: r_i = x_i - (2/m) sum_j x_j - 1 (i <= n), -(2/m) sum_j x_j - 1 (i > n)."""
    n = x.shape[0]
    jacobian = np.vstack([np.eye(n), np.zeros((_LINEAR_M - n, n))])
    jacobian -= 2.0 / _LINEAR_M
    r = jacobian @ x - 1.0
    return _out(order, r, jacobian, np.zeros((n, n)))


def _linear_rank_1(x, order):
    """MGH 33: r_i = i sum_j j x_j - 1, i = 1..m."""
    n = x.shape[0]
    jacobian = np.outer(np.arange(1.0, _LINEAR_M + 1.0),
                        np.arange(1.0, n + 1.0))
    r = jacobian @ x - 1.0
    return _out(order, r, jacobian, np.zeros((n, n)))


def _linear_rank_1_zero(x, order):
    """MGH 34: r_1 = r_m = -1, r_i = (i - 1) sum_{j=2}^{n-1} j x_j - 1."""
    n = x.shape[0]
    jacobian = np.zeros((_LINEAR_M, n))
    jacobian[1:-1, 1:-1] = np.outer(np.arange(1.0, _LINEAR_M - 1.0),
                                    np.arange(2.0, n))
    r = jacobian @ x - 1.0
    return _out(order, r, jacobian, np.zeros((n, n)))


def _chebyshev_shifted(x, m):
    """T_i(2x - 1), i = 1..m, and its first and second x-derivatives."""
    y = 2.0 * x - 1.0
    value = np.empty((m + 1, x.shape[0]))
    slope = np.empty_like(value)
    curve = np.empty_like(value)
    value[0], slope[0], curve[0] = 1.0, 0.0, 0.0
    value[1], slope[1], curve[1] = y, 1.0, 0.0
    for i in range(1, m):
        # T_{i+1} = 2 y T_i - T_{i-1}, differentiated once and twice in y.
        value[i + 1] = 2.0 * y * value[i] - value[i - 1]
        slope[i + 1] = 2.0 * value[i] + 2.0 * y * slope[i] - slope[i - 1]
        curve[i + 1] = 4.0 * slope[i] + 2.0 * y * curve[i] - curve[i - 1]
    return value[1:], 2.0 * slope[1:], 4.0 * curve[1:]


def _chebyquad(x, order):
    """MGH 35: r_i = mean_j T_i(2 x_j - 1) - integral of T_i(2x - 1) over [0, 1]."""
    n = x.shape[0]
    # The integral of T_i(2x - 1) over [0, 1]: -1/(i**2 - 1) for even i.
    integral = np.zeros(n)
    even = np.arange(2.0, n + 1.0, 2.0)
    integral[1::2] = -1.0 / (even * even - 1.0)
    value, slope, curve = _chebyshev_shifted(x, n)
    r = value.mean(axis=1) - integral
    if order == 0:
        return r
    return _out(order, r, slope / n, np.diag((r @ curve) / n))


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------

def _entry(parts, x0, f_min, minimizers=(), unique=True, local_minima=(),
           notes=""):
    return dict(parts=parts, x0=x0, f_min=f_min, minimizers=minimizers,
                unique=unique, local_minima=local_minima, notes=notes)


def _polished(parts, x_guess, steps=40):
    """Newton's method on the gradient of sum r**2 from `x_guess`.

    Least-squares (shortest) steps, so that minimizers lying on a set along
    which the Hessian is singular are reached as well.
    """
    _, jac, hess = _sum_of_squares(parts)
    x = np.array(x_guess, dtype=np.float64)
    for _ in range(steps):
        step = np.linalg.lstsq(hess(x), jac(x), rcond=1e-12)[0]
        x -= step
        if np.abs(step).max() <= 1e-15 * max(1.0, np.abs(x).max()):
            break
    return x


def _biggs_local():
    # With x2 this large x4 exp(-t x2) is negligible, so the fit has two
    # exponentials left; f does not decrease around this point (the Hessian
    # is positive semidefinite, singular along x2 and x4).
    x = _polished(_biggs_exp6, [1.7114, 233.4, 2.3263, 12.5565, 17.6832,
                                -5.1866])
    return [(x, _sum_of_squares(_biggs_exp6)[0](x))]


def _brown_almost_linear_local(n):
    x = np.zeros(n)
    x[-1] = n + 1.0
    return [(x, 1.0)]


def _own_problems():
    """The problems written in this module, by MGH number."""
    n10 = 10
    h, t = _boundary_grid(n10)
    j = np.arange(1.0, n10 + 1.0)
    m = _LINEAR_M
    return {
        3: _entry(_powell_badly_scaled, [0.0, 1.0], 0.0,
                  notes="f = 0 at (1.098e-5, 9.106); scales differ by 1e5"),
        6: _entry(_jennrich_sampson, [0.3, 0.4], 124.362182355615,
                  notes="m = 10; MGH f = 124.362 at x1 = x2 = 0.2578"),
        8: _entry(_bard, [1.0, 1.0, 1.0], 8.21487730657896e-3,
                  notes="MGH f = 8.21487e-3; f -> 17.4286 as x2, x3 -> -inf"),
        9: _entry(_gaussian, [0.4, 1.0, 0.0], 1.12793276961875e-8,
                  notes="MGH f = 1.12793e-8"),
        10: _entry(_meyer, [0.02, 4000.0, 250.0], 87.9458551705432,
                   notes="MGH f = 87.9458; residuals of size 1e4"),
        11: _entry(_gulf, [5.0, 2.5, 0.15], 0.0,
                   minimizers=[[50.0, 25.0, 1.5]],
                   notes="m = 99; |y_i - x2| is not smooth where x2 = y_i"),
        12: _entry(_box_3d, [0.0, 10.0, 20.0], 0.0,
                   minimizers=[[1.0, 10.0, 1.0], [10.0, 1.0, -1.0]],
                   unique=False,
                   notes="m = 10; also f = 0 on the line x1 = x2, x3 = 0"),
        15: _entry(_kowalik_osborne, [0.25, 0.39, 0.415, 0.39],
                   3.07505603849237e-4,
                   notes="MGH f = 3.07505e-4; f -> 1.02734e-3 as "
                         "x1 -> inf, x3, x4 -> -inf"),
        16: _entry(_brown_dennis, [25.0, 5.0, -5.0, -1.0], 85822.2016263563,
                   notes="m = 20; MGH f = 85822.2"),
        17: _entry(_osborne_1, [0.5, 1.5, -1.0, 0.01, 0.02],
                   5.46489469748242e-5, notes="MGH f = 5.46489e-5"),
        18: _entry(_biggs_exp6, [1.0, 2.0, 1.0, 1.0, 1.0, 1.0], 0.0,
                   minimizers=[[1.0, 10.0, 1.0, 5.0, 4.0, 3.0],
                               [4.0, 10.0, 3.0, 5.0, 1.0, 1.0]],
                   unique=False, local_minima=_biggs_local,
                   notes="m = 13; local minimum f = 5.65565e-3 (x2 large); "
                         "the same value at x1 = x5, x3 = x6 is a saddle"),
        19: _entry(_osborne_2,
                   [1.3, 0.65, 0.65, 0.7, 0.6, 3.0, 5.0, 7.0, 2.0, 4.5, 5.5],
                   4.01377362935477e-2, notes="MGH f = 4.01377e-2"),
        20: _entry(_watson, np.zeros(6), 2.28767005355238e-3,
                   notes="n = 6, m = 31; MGH f = 2.28767e-3"),
        23: _entry(_penalty_1, j, 7.08765146709037e-5,
                   notes="n = 10; MGH f = 7.08765e-5"),
        24: _entry(_penalty_2, np.full(n10, 0.5), 2.93660537456746e-4,
                   notes="n = 10; MGH f = 2.93660e-4"),
        25: _entry(_variably_dimensioned, 1.0 - j / n10, 0.0,
                   minimizers=[np.ones(n10)], notes="n = 10"),
        27: _entry(_brown_almost_linear, np.full(n10, 0.5), 0.0,
                   minimizers=[np.ones(n10)], unique=False,
                   local_minima=_brown_almost_linear_local(n10),
                   notes="n = 10; f = 0 also at (a, ..., a, a**(1-n)); "
                         "local minimum f = 1 at (0, ..., 0, n + 1)"),
        28: _entry(_discrete_boundary_value, t * (t - 1.0), 0.0,
                   notes="n = 10; pentadiagonal Hessian"),
        29: _entry(_discrete_integral_equation, t * (t - 1.0), 0.0,
                   notes="n = 10"),
        31: _entry(_broyden_banded, np.full(n10, -1.0), 0.0, notes="n = 10"),
        32: _entry(_linear_full_rank, np.ones(n10), float(m - n10),
                   minimizers=[-np.ones(n10)], notes="n = 10, m = 20"),
        33: _entry(_linear_rank_1, np.ones(n10),
                   m * (m - 1.0) / (2.0 * (2.0 * m + 1.0)),
                   minimizers=[3.0 / (2.0 * m + 1.0) * j / (j @ j)],
                   unique=False,
                   notes="n = 10, m = 20; minimal wherever "
                         "sum j x_j = 3 / (2m + 1)"),
        34: _entry(_linear_rank_1_zero, np.ones(n10),
                   (m * m + 3.0 * m - 6.0) / (2.0 * (2.0 * m - 3.0)),
                   minimizers=[_rank_1_zero_minimizer(n10, m)], unique=False,
                   notes="n = 10, m = 20; minimal wherever "
                         "sum_{j=2}^{n-1} j x_j = 3 / (2m - 3)"),
        35: _entry(_chebyquad, np.arange(1.0, 9.0) / 9.0, 3.51687372567792e-3,
                   notes="n = m = 8; MGH f = 3.51687e-3"),
    }


def _rank_1_zero_minimizer(n, m):
    """A point with sum_{j=2}^{n-1} j x_j = 3 / (2m - 3), zero elsewhere."""
    x = np.zeros(n)
    j = np.arange(2.0, n)
    x[1:-1] = 3.0 / (2.0 * m - 3.0) * j / (j @ j)
    return x


# Where gradient methods started from the standard x0 of the trigonometric
# function (n = 10) commonly end: a strict local minimum, f = 2.795056e-5,
# listed with this location among the function's minima in gonum's test set
# (gonum/optimize/functions, `Trigonometric.Minima`). Four digits of it,
# polished by `_trigonometric_local`.
_TRIGONOMETRIC_LOCAL_GUESS = (0.05515, 0.05684, 0.05876, 0.06099, 0.06363,
                              0.06684, 0.2082, 0.1644, 0.08501, 0.09143)


def _trigonometric_local():
    """The listed local minimum of MGH 26, by Newton's method from its four digits.

    The Hessian stays positive definite on the way (its smallest eigenvalue
    at the minimizer is about 0.063).
    """
    from fastnewton import problems
    prob = problems.trigonometric(10)
    x = np.array(_TRIGONOMETRIC_LOCAL_GUESS)
    for _ in range(50):
        step = np.linalg.solve(prob.hess(x), prob.jac(x))
        x -= step
        if np.abs(step).max() <= 1e-15:
            break
    return [(x, prob.fun(x))]


# Recorded local minima that the classic problems do not carry themselves.
_CLASSIC_LOCAL_MINIMA = {26: _trigonometric_local}


def _from_classic(number):
    """The problems that fastnewton.problems already has, by MGH number."""
    from fastnewton import problems
    makers = {
        1: lambda: problems.rosenbrock(2),
        2: problems.freudenstein_roth,
        4: problems.brown_badly_scaled,
        5: problems.beale,
        7: problems.helical_valley,
        13: problems.powell_singular,
        14: problems.wood,
        21: lambda: problems.extended_rosenbrock(10),
        22: lambda: problems.extended_powell(12),
        26: lambda: problems.trigonometric(10),
        30: lambda: problems.broyden_tridiagonal(10),
    }
    return makers[number]() if number in makers else None


def _number(problem):
    """The MGH number (1-35) of `problem`, given as a number or a name."""
    if isinstance(problem, str):
        if problem not in MGH_NAMES:
            raise ValueError(f"problem: unknown MGH name {problem!r}; "
                             f"expected one of {', '.join(MGH_NAMES)}")
        return MGH_NAMES.index(problem) + 1
    if isinstance(problem, (bool, np.bool_)) or not isinstance(
            problem, (int, np.integer)):
        raise TypeError(f"problem must be an MGH number (int) or name (str), "
                        f"got {type(problem).__name__}")
    if not 1 <= problem <= len(MGH_NAMES):
        raise ValueError(f"problem must be between 1 and {len(MGH_NAMES)}, "
                         f"got {problem}")
    return int(problem)


def mgh(problem: int | str, start: int = 1) -> "TestProblem":
    """One problem of the Moré–Garbow–Hillstrom test set.

    Parameters
    ----------
    problem : int or str
        The number in the paper, 1 to 35, or the name (see
        ``MGH_NAMES``, e.g. ``"biggs_exp6"`` for 18).
    start : {1, 10, 100}, optional
        The starting point: the standard ``x0`` or ``10 x0`` or ``100 x0``,
        the three starts of the paper. Default 1. (Watson's standard
        start is the origin, so its three starts coincide.)

    Returns
    -------
    TestProblem
        With analytic gradient and Hessian, ``f_min`` the global minimum,
        known minimizers and recorded non-global local minima. The name is
        the MGH name; ``notes`` begins with ``"MGH <number>"`` and the
        start. Variable dimensions are fixed at the standard ones, listed
        in the module docstring (e.g. n = 10 for the variable-dimension
        problems, n = 6 for Watson, n = 8 for Chebyquad).

    Raises
    ------
    ValueError
        If `problem` is not a known number or name, or `start` is not
        1, 10 or 100.
    TypeError
        If `problem` is neither an int nor a str.

    Examples
    --------
    >>> from fastnewton.problems import mgh
    >>> p = mgh("biggs_exp6")
    >>> p.n, p.f_min, float(p.fun([1, 10, 1, 5, 4, 3]))
    (6, 0.0, 0.0)
    """
    from fastnewton.problems import TestProblem
    number = _number(problem)
    if isinstance(start, bool) or start not in (1, 10, 100):
        raise ValueError(f"start must be 1, 10 or 100, got {start!r}")
    label = f"MGH {number}" + ("" if start == 1 else f", start {start} x0")
    classic = _from_classic(number)
    if classic is not None:
        notes = label + (f"; {classic.notes}" if classic.notes else "")
        return TestProblem(
            MGH_NAMES[number - 1], start * classic.x0, classic.fun,
            classic.jac, classic.hess, classic.f_min, hessp=classic.hessp,
            minimizers=classic.minimizers,
            unique=classic.x_min is not None or not classic.minimizers,
            local_minima=_CLASSIC_LOCAL_MINIMA.get(
                number, lambda: classic.local_minima), notes=notes,
            bandwidth=classic.bandwidth, hess_band=classic.hess_band)
    entry = _own_problems()[number]
    fun, jac, hess = _sum_of_squares(entry["parts"])
    return TestProblem(
        MGH_NAMES[number - 1], start * np.asarray(entry["x0"], dtype=float),
        fun, jac, hess, entry["f_min"], minimizers=entry["minimizers"],
        unique=entry["unique"], local_minima=entry["local_minima"],
        notes=f"{label}; {entry['notes']}")


def mgh_problems(start: int = 1) -> "list[TestProblem]":
    """All 35 Moré–Garbow–Hillstrom problems, in the paper's order.

    Parameters
    ----------
    start : {1, 10, 100}, optional
        The starting point, as in :func:`mgh`. Default 1.

    Returns
    -------
    list of TestProblem
        ``mgh(k, start)`` for k = 1, ..., 35, each freshly built.

    Examples
    --------
    >>> from fastnewton.problems import mgh_problems
    >>> len(mgh_problems()), mgh_problems(10)[0].x0.tolist()
    (35, [-12.0, 10.0])
    """
    return [mgh(k, start) for k in range(1, len(MGH_NAMES) + 1)]
