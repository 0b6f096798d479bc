"""Classic unconstrained test problems with analytic derivatives.

Every problem is a :class:`TestProblem` carrying its objective, gradient,
dense Hessian and Hessian-vector product, a standard starting point and the
known minimum. Problems with a banded Hessian also carry its half-bandwidth
``bandwidth`` and ``hess_band(x)``, the Hessian in LAPACK lower band storage
(the layout of ``scipy.linalg.solveh_banded(..., lower=True)`` and of
``fastnewton.minimize(..., options={'bandwidth': b})``); the large-scale
banded problems (:func:`broyden_tridiagonal`, :func:`extended_rosenbrock`,
:func:`energy_1d`, :func:`chained_double_well`) evaluate ``fun``, ``jac``,
``hess_band`` and ``hessp`` in O(n) vectorized NumPy, so they run at
n = 10**6. The callables take and return plain float64 NumPy arrays, so
they can be passed straight to :func:`fastnewton.minimize` or
:func:`scipy.optimize.minimize`.

Most problems come from Moré, Garbow and Hillstrom (1981) [1]_, written here as
sums of squares ``f(x) = sum_i r_i(x)**2`` whose Hessian is
``2 (J^T J + sum_i r_i * Hess(r_i))``.

References
----------
.. [1] J. J. Moré, B. S. Garbow and K. E. Hillstrom, "Testing unconstrained
   optimization software", ACM Trans. Math. Softw. 7(1), 17-41, 1981.

Examples
--------
>>> from fastnewton.problems import rosenbrock
>>> p = rosenbrock(2)
>>> p.fun(p.x_min), p.f_min
(0.0, 0.0)
"""

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "TestProblem",
    "classic_problems",
    "rosenbrock",
    "powell_singular",
    "extended_powell",
    "wood",
    "beale",
    "helical_valley",
    "freudenstein_roth",
    "brown_badly_scaled",
    "trigonometric",
    "quadratic",
    "saddle_quartic",
    "broyden_tridiagonal",
    "extended_rosenbrock",
    "energy_1d",
    "chained_double_well",
    "banded_problems",
    "band_matvec",
    "band_to_dense",
    "mgh",
    "mgh_problems",
    "MGH_NAMES",
]

# Dense Hessians of the large-scale banded problems are refused above this n
# (an n x n float64 array at n = 5000 already takes 200 MB).
DENSE_HESSIAN_MAX_N = 5000


def _as_point(x, n):
    """Return a fresh 1-D float64 copy of `x`, checking its length."""
    x = np.array(x, dtype=np.float64).reshape(-1)
    if x.shape[0] != n:
        raise ValueError(f"expected a point of length {n}, got {x.shape[0]}")
    return x


def _default_hessp(hess):
    """Build ``hessp(x, p) = hess(x) @ p`` from a dense Hessian callable."""

    def hessp(x, p):
        return hess(x) @ p

    return hessp


def band_matvec(hess_band: ArrayLike, p: ArrayLike) -> NDArray[np.float64]:
    """Product of a symmetric band matrix with a vector.

    Parameters
    ----------
    hess_band : ndarray, shape (b + 1, n)
        LAPACK lower band storage, ``hess_band[k, j] = H[j + k, j]``;
        entries with ``j + k >= n`` are ignored.
    p : ndarray, shape (n,)
        The vector.

    Returns
    -------
    ndarray, shape (n,)
        ``H @ p``, in O(n b) operations (a loop over the b + 1 diagonals
        only).
    """
    n = p.shape[0]
    out = hess_band[0] * p
    for k in range(1, min(hess_band.shape[0], n)):
        sub = hess_band[k, :n - k]
        out[k:] += sub * p[:n - k]
        out[:n - k] += sub * p[k:]
    return out


def band_to_dense(hess_band: ArrayLike) -> NDArray[np.float64]:
    """Expand LAPACK lower band storage into the dense symmetric matrix.

    Parameters
    ----------
    hess_band : ndarray, shape (b + 1, n)
        ``hess_band[k, j] = H[j + k, j]``; entries with ``j + k >= n`` are
        ignored.

    Returns
    -------
    ndarray, shape (n, n)
        The symmetric matrix ``H`` (meant for small n: tests and checks).
    """
    n = hess_band.shape[1]
    h = np.zeros((n, n))
    flat = h.reshape(-1)              # a view: h is C-contiguous
    flat[::n + 1] = hess_band[0]
    for k in range(1, min(hess_band.shape[0], n)):
        flat[k * n::n + 1] = hess_band[k, :n - k]     # H[j + k, j]
        flat[k:n * (n - k):n + 1] = hess_band[k, :n - k]   # H[j, j + k]
    return h


def _dense_from_band(hess_band, name):
    """Build a dense ``hess(x)`` from `hess_band`, refused for large n."""

    def hess(x):
        n = np.shape(x)[0]
        if n > DENSE_HESSIAN_MAX_N:
            raise ValueError(
                f"{name}: the dense Hessian is refused for n = {n} > "
                f"{DENSE_HESSIAN_MAX_N} (it would take {8 * n * n / 2**30:.1f}"
                " GiB); use hess_band(x) (LAPACK lower band storage) or "
                "hessp(x, p)")
        return band_to_dense(hess_band(x))

    return hess


def _band_hessp(hess_band):
    """Build ``hessp(x, p)`` from `hess_band` without a dense matrix."""

    def hessp(x, p):
        return band_matvec(hess_band(x), np.asarray(p, dtype=np.float64))

    return hessp


class TestProblem:
    """An unconstrained minimization problem with analytic derivatives.

    Parameters
    ----------
    name : str
        Short identifier, e.g. ``"rosenbrock"``.
    x0 : array_like, shape (n,)
        Standard starting point.
    fun : callable
        ``fun(x) -> float``, the objective.
    jac : callable
        ``jac(x) -> ndarray, shape (n,)``, the gradient.
    hess : callable
        ``hess(x) -> ndarray, shape (n, n)``, the dense Hessian.
    f_min : float or None
        Global minimum value, None if unknown.
    hessp : callable, optional
        ``hessp(x, p) -> ndarray, shape (n,)``, the Hessian times `p`.
        Defaults to the band product when `hess_band` is given, else
        ``hess(x) @ p``.
    minimizers : sequence of array_like, optional
        Known global minimizers. ``x_min`` is set only if there is exactly
        one and `unique` is true.
    unique : bool, optional
        Whether the global minimizer is unique. Default True.
    local_minima : sequence of (array_like, float) or callable, optional
        Known local minimizers that are not global, with their values; a
        callable returning such a sequence is evaluated on first access.
    notes : str, optional
        One-line remarks (singular Hessian, local minima, ...).
    bandwidth : int, optional
        Half-bandwidth b of the Hessian (``H[i, j] = 0`` for ``|i - j| > b``
        at every x). Required with `hess_band`.
    hess_band : callable, optional
        ``hess_band(x) -> ndarray, shape (b + 1, n)``, the Hessian in LAPACK
        lower band storage ``hess_band[k, j] = H[j + k, j]`` (entries with
        ``j + k >= n`` are zero), computed without a dense matrix.

    Attributes
    ----------
    n : int
        Number of variables.
    x0 : ndarray
        Standard starting point (a fresh copy on each access).
    x_min : ndarray or None
        The global minimizer if it is unique and known, else None (a fresh
        copy on each access).
    minimizers : tuple of ndarray
        Known global minimizers.
    local_minima : tuple of (ndarray, float)
        Known non-global local minimizers and their values.
    bandwidth : int or None
        Half-bandwidth of the Hessian, None for dense problems.
    hess_band : callable or None
        Banded Hessian in LAPACK lower storage, None for dense problems.
    """

    # Keep pytest from trying to collect this class as a test case.
    __test__ = False

    def __init__(self, name, x0, fun, jac, hess, f_min, *, hessp=None,
                 minimizers=(), unique=True, local_minima=(), notes="",
                 bandwidth=None, hess_band=None) -> None:
        self.name = str(name)
        self._x0 = np.array(x0, dtype=np.float64).reshape(-1)
        self.n = int(self._x0.shape[0])
        if (bandwidth is None) != (hess_band is None):
            raise ValueError("give both bandwidth and hess_band, or neither")
        if bandwidth is not None and (int(bandwidth) != bandwidth
                                      or bandwidth < 0):
            raise ValueError(f"bandwidth must be an integer >= 0, "
                             f"got {bandwidth!r}")
        self.bandwidth = None if bandwidth is None else int(bandwidth)
        self.hess_band = hess_band
        self.fun = fun
        self.jac = jac
        self.hess = hess
        if hessp is None:
            hessp = (_default_hessp(hess) if hess_band is None
                     else _band_hessp(hess_band))
        self.hessp = hessp
        self.f_min = None if f_min is None else float(f_min)
        self.minimizers = tuple(_as_point(m, self.n) for m in minimizers)
        self._local_minima = local_minima
        self._x_min = (self.minimizers[0]
                       if unique and len(self.minimizers) == 1 else None)
        self.notes = str(notes)

    @property
    def x0(self) -> NDArray[np.float64]:
        """Standard starting point, shape (n,) (a fresh copy)."""
        return self._x0.copy()

    @property
    def local_minima(self) -> tuple[tuple[NDArray[np.float64], float], ...]:
        """Known non-global local minimizers, as ``(x, f)`` pairs."""
        lm = self._local_minima
        if callable(lm):
            lm = lm()
        if not (isinstance(lm, tuple) and all(
                isinstance(m, np.ndarray) for m, _ in lm)):
            lm = tuple((_as_point(m, self.n), float(f)) for m, f in lm)
        self._local_minima = lm
        return lm

    @property
    def x_min(self) -> NDArray[np.float64] | None:
        """Unique global minimizer, or None if not unique (a fresh copy)."""
        return None if self._x_min is None else self._x_min.copy()

    def __repr__(self) -> str:
        band = ("" if self.bandwidth is None
                else f", bandwidth={self.bandwidth}")
        return f"TestProblem(name={self.name!r}, n={self.n}{band})"


# ---------------------------------------------------------------------------
# Rosenbrock
# ---------------------------------------------------------------------------

def _rosen(x):
    """Chained Rosenbrock function (same value as scipy.optimize.rosen)."""
    xm = x[:-1]
    t = x[1:] - xm * xm
    u = 1.0 - xm
    return float(100.0 * (t @ t) + u @ u)


def _rosen_der(x):
    """Gradient of the chained Rosenbrock function."""
    xm = x[:-1]
    t = x[1:] - xm * xm
    g = np.empty(x.shape[0])
    g[:-1] = -400.0 * xm * t - 2.0 * (1.0 - xm)
    g[-1] = 0.0
    g[1:] += 200.0 * t
    return g


def _rosen_diags(x):
    """Diagonal and off-diagonal of the (tridiagonal) Rosenbrock Hessian."""
    xm = x[:-1]
    d = np.empty(x.shape[0])
    d[:-1] = 1200.0 * xm * xm - 400.0 * x[1:] + 2.0
    d[-1] = 0.0
    d[1:] += 200.0
    return d, -400.0 * xm


def _rosen_hess(x):
    """Dense Hessian of the chained Rosenbrock function."""
    n = x.shape[0]
    d, off = _rosen_diags(x)
    h = np.zeros((n, n))
    flat = h.reshape(-1)          # a view: h is C-contiguous
    flat[::n + 1] = d
    flat[1::n + 1] = off          # superdiagonal
    flat[n::n + 1] = off          # subdiagonal
    return h


def _rosen_hess_band(x):
    """Rosenbrock Hessian in LAPACK lower band storage, shape (2, n)."""
    x = np.asarray(x, dtype=np.float64)
    d, off = _rosen_diags(x)
    band = np.empty((2, x.shape[0]))
    band[0] = d
    band[1, :-1] = off
    band[1, -1] = 0.0
    return band


def _rosen_hessp(x, p):
    """Rosenbrock Hessian times a vector, without forming the Hessian."""
    d, off = _rosen_diags(x)
    hp = d * p
    hp[:-1] += off * p[1:]
    hp[1:] += off * p[:-1]
    return hp


# For small n, Python scalar loops are 2-4x cheaper per call than NumPy
# array temporaries (crossover near n = 24), which matters in benchmarks.
_ROSEN_SMALL_N = 16


def _rosen_small(x):
    """Chained Rosenbrock for small n (scalar loop, no temporaries)."""
    v = x.tolist()
    f = 0.0
    a = v[0]
    for b in v[1:]:
        t = b - a * a
        u = 1.0 - a
        f += 100.0 * t * t + u * u
        a = b
    return f


def _rosen_small_der(x):
    """Gradient of the chained Rosenbrock function, scalar loop."""
    v = x.tolist()
    g = [0.0] * len(v)
    a = v[0]
    for i, b in enumerate(v[1:]):
        t = b - a * a
        g[i] -= 400.0 * a * t + 2.0 * (1.0 - a)
        g[i + 1] = 200.0 * t
        a = b
    return np.array(g)


def _rosen_small_diags(v):
    """Diagonal and off-diagonal lists of the Rosenbrock Hessian."""
    n = len(v)
    d = [0.0] * n
    off = [0.0] * (n - 1)
    a = v[0]
    for i, b in enumerate(v[1:]):
        d[i] += 1200.0 * a * a - 400.0 * b + 2.0
        d[i + 1] = 200.0
        off[i] = -400.0 * a
        a = b
    return d, off


def _rosen_small_hess(x):
    """Dense Rosenbrock Hessian, diagonals built by a scalar loop."""
    n = x.shape[0]
    d, off = _rosen_small_diags(x.tolist())
    h = np.zeros((n, n))
    flat = h.reshape(-1)
    flat[::n + 1] = d
    flat[1::n + 1] = off
    flat[n::n + 1] = off
    return h


def _rosen_small_hessp(x, p):
    """Rosenbrock Hessian times a vector, scalar loop."""
    v = x.tolist()
    q = p.tolist()
    d, off = _rosen_small_diags(v)
    n = len(v)
    hp = [d[i] * q[i] for i in range(n)]
    for i in range(n - 1):
        hp[i] += off[i] * q[i + 1]
        hp[i + 1] += off[i] * q[i]
    return np.array(hp)


def _rosen2(x):
    """Two-variable Rosenbrock, scalar arithmetic (lower call overhead)."""
    x0, x1 = float(x[0]), float(x[1])
    t = x1 - x0 * x0
    return 100.0 * t * t + (1.0 - x0) * (1.0 - x0)


def _rosen2_der(x):
    """Gradient of the two-variable Rosenbrock function."""
    x0, x1 = float(x[0]), float(x[1])
    t = x1 - x0 * x0
    return np.array([-400.0 * x0 * t - 2.0 * (1.0 - x0), 200.0 * t])


def _rosen2_hess(x):
    """Hessian of the two-variable Rosenbrock function."""
    x0, x1 = float(x[0]), float(x[1])
    off = -400.0 * x0
    return np.array([[1200.0 * x0 * x0 - 400.0 * x1 + 2.0, off],
                     [off, 200.0]])


def _rosen2_hessp(x, p):
    """Two-variable Rosenbrock Hessian times a vector."""
    x0, x1 = float(x[0]), float(x[1])
    p0, p1 = float(p[0]), float(p[1])
    off = -400.0 * x0
    return np.array([(1200.0 * x0 * x0 - 400.0 * x1 + 2.0) * p0 + off * p1,
                     off * p0 + 200.0 * p1])


def _solve_tridiagonal(d, off, b):
    """Solve a symmetric tridiagonal system (Thomas algorithm, no pivoting)."""
    n = d.shape[0]
    c = np.empty(n - 1)
    y = np.empty(n)
    piv = d[0]
    y[0] = b[0] / piv
    for k in range(1, n):
        c[k - 1] = off[k - 1] / piv
        piv = d[k] - off[k - 1] * c[k - 1]
        y[k] = (b[k] - off[k - 1] * y[k - 1]) / piv
    for k in range(n - 2, -1, -1):
        y[k] -= c[k] * y[k + 1]
    return y


def _rosen_local_min(n):
    """Non-global local minimizer of the n-variable Rosenbrock function.

    Newton's method from ``(-1, 1, ..., 1)``, which converges to it for
    every ``n >= 4`` (the Hessian stays positive definite on the way).
    """
    x = np.ones(n)
    x[0] = -1.0
    for _ in range(100):
        d, off = _rosen_diags(x)
        step = _solve_tridiagonal(d, off, _rosen_der(x))
        x -= step
        if np.abs(step).max() <= 1e-15:
            break
    return [(x, _rosen(x))]


def rosenbrock(n: int = 2) -> TestProblem:
    """Chained (extended) Rosenbrock function.

    ``f(x) = sum_{i<n-1} 100 (x[i+1] - x[i]**2)**2 + (1 - x[i])**2``, the
    same function as :func:`scipy.optimize.rosen`.

    Parameters
    ----------
    n : int, optional
        Number of variables, at least 2. Default 2.

    Returns
    -------
    TestProblem
        Starting point ``[-1.2, 1, -1.2, 1, ...]``, minimum 0 at all ones.

    Notes
    -----
    For ``n >= 4`` the function also has a non-global local minimizer near
    ``(-1, 1, ..., 1)`` with ``f`` between 3.70 (n = 4) and 3.9866
    (Kok and Sandrock, 2009). Solvers started from `x0` often end there
    for ``n >= 4``. It is computed on first access of ``local_minima``.
    The Hessian is tridiagonal (``bandwidth`` 1); `hess` returns it dense,
    ``hess_band`` in LAPACK lower band storage. Newton's iteration count
    from `x0` grows about linearly with n.
    """
    n = int(n)
    if n < 2:
        raise ValueError("rosenbrock needs n >= 2")
    x0 = np.where(np.arange(n) % 2 == 0, -1.2, 1.0)
    if n == 2:
        funcs = (_rosen2, _rosen2_der, _rosen2_hess, _rosen2_hessp)
    elif n <= _ROSEN_SMALL_N:
        funcs = (_rosen_small, _rosen_small_der, _rosen_small_hess,
                 _rosen_small_hessp)
    else:
        funcs = (_rosen, _rosen_der, _rosen_hess, _rosen_hessp)
    notes = "curved valley"
    local = ()
    if n >= 4:
        notes += "; non-global local minimizer near (-1, 1, ..., 1)"
        local = lambda: _rosen_local_min(n)  # noqa: E731
    return TestProblem("rosenbrock", x0, funcs[0], funcs[1], funcs[2], 0.0,
                       hessp=funcs[3], minimizers=[np.ones(n)],
                       local_minima=local, notes=notes, bandwidth=1,
                       hess_band=_rosen_hess_band)


# ---------------------------------------------------------------------------
# Powell singular / extended Powell (MGH 13 / 22)
# ---------------------------------------------------------------------------

def _powell_fun(x):
    """Extended Powell singular function (n a multiple of 4)."""
    a, b, c, d = x[0::4], x[1::4], x[2::4], x[3::4]
    r1 = a + 10.0 * b
    r2 = c - d
    r3 = b - 2.0 * c
    r4 = a - d
    r3sq = r3 * r3
    r4sq = r4 * r4
    return float(r1 @ r1 + 5.0 * (r2 @ r2) + r3sq @ r3sq
                 + 10.0 * (r4sq @ r4sq))


def _powell_jac(x):
    """Gradient of the extended Powell singular function."""
    a, b, c, d = x[0::4], x[1::4], x[2::4], x[3::4]
    r1 = a + 10.0 * b
    r2 = c - d
    r3 = b - 2.0 * c
    r4 = a - d
    t3 = 4.0 * r3 ** 3
    t4 = 40.0 * r4 ** 3
    g = np.empty_like(x)
    g[0::4] = 2.0 * r1 + t4
    g[1::4] = 20.0 * r1 + t3
    g[2::4] = 10.0 * r2 - 2.0 * t3
    g[3::4] = -10.0 * r2 - t4
    return g


def _powell_hess(x):
    """Hessian of the extended Powell singular function (block diagonal)."""
    n = x.shape[0]
    h = np.zeros((n, n))
    for k in range(0, n, 4):
        a, b, c, d = x[k:k + 4]
        s3 = 12.0 * (b - 2.0 * c) ** 2
        s4 = 120.0 * (a - d) ** 2
        h[k:k + 4, k:k + 4] = [
            [2.0 + s4, 20.0, 0.0, -s4],
            [20.0, 200.0 + s3, -2.0 * s3, 0.0],
            [0.0, -2.0 * s3, 10.0 + 4.0 * s3, -10.0],
            [-s4, 0.0, -10.0, 10.0 + s4],
        ]
    return h


def extended_powell(n: int = 12) -> TestProblem:
    """Extended Powell singular function (MGH problem 22).

    Parameters
    ----------
    n : int, optional
        Number of variables, a positive multiple of 4. Default 12.

    Returns
    -------
    TestProblem
        Starting point ``(3, -1, 0, 1, 3, -1, 0, 1, ...)``, minimum 0 at the
        origin, where the Hessian is singular (rank n/2).
    """
    n = int(n)
    if n < 4 or n % 4:
        raise ValueError("extended_powell needs n a positive multiple of 4")
    x0 = np.tile([3.0, -1.0, 0.0, 1.0], n // 4)
    name = "powell_singular" if n == 4 else "extended_powell"
    return TestProblem(name, x0, _powell_fun, _powell_jac, _powell_hess, 0.0,
                       minimizers=[np.zeros(n)],
                       notes="singular Hessian at the minimizer")


def powell_singular() -> TestProblem:
    """Powell singular function (MGH problem 13), n = 4.

    ``f = (x1 + 10 x2)**2 + 5 (x3 - x4)**2 + (x2 - 2 x3)**4
    + 10 (x1 - x4)**4``.

    Returns
    -------
    TestProblem
        Starting point ``(3, -1, 0, 1)``, minimum 0 at the origin, where the
        Hessian is singular (so convergence is only linear).
    """
    return extended_powell(4)


# ---------------------------------------------------------------------------
# Wood (MGH 14)
# ---------------------------------------------------------------------------

def _wood_fun(x):
    """Wood function."""
    x1, x2, x3, x4 = (float(v) for v in x)
    return (100.0 * (x2 - x1 * x1) ** 2 + (1.0 - x1) ** 2
            + 90.0 * (x4 - x3 * x3) ** 2 + (1.0 - x3) ** 2
            + 10.0 * (x2 + x4 - 2.0) ** 2 + 0.1 * (x2 - x4) ** 2)


def _wood_jac(x):
    """Gradient of the Wood function."""
    x1, x2, x3, x4 = (float(v) for v in x)
    t1 = x2 - x1 * x1
    t3 = x4 - x3 * x3
    s = 20.0 * (x2 + x4 - 2.0)
    dd = 0.2 * (x2 - x4)
    return np.array([-400.0 * x1 * t1 - 2.0 * (1.0 - x1),
                     200.0 * t1 + s + dd,
                     -360.0 * x3 * t3 - 2.0 * (1.0 - x3),
                     180.0 * t3 + s - dd])


def _wood_hess(x):
    """Hessian of the Wood function."""
    x1, x2, x3, x4 = (float(v) for v in x)
    return np.array([
        [1200.0 * x1 * x1 - 400.0 * x2 + 2.0, -400.0 * x1, 0.0, 0.0],
        [-400.0 * x1, 220.2, 0.0, 19.8],
        [0.0, 0.0, 1080.0 * x3 * x3 - 360.0 * x4 + 2.0, -360.0 * x3],
        [0.0, 19.8, -360.0 * x3, 200.2],
    ])


def wood() -> TestProblem:
    """Wood function (MGH problem 14), n = 4.

    Returns
    -------
    TestProblem
        Starting point ``(-3, -1, -3, -1)``, minimum 0 at all ones.
    """
    return TestProblem("wood", [-3.0, -1.0, -3.0, -1.0], _wood_fun,
                       _wood_jac, _wood_hess, 0.0, minimizers=[np.ones(4)])


# ---------------------------------------------------------------------------
# Beale (MGH 5)
# ---------------------------------------------------------------------------

_BEALE_Y = (1.5, 2.25, 2.625)


def _beale_fun(x):
    """Beale function."""
    x1, x2 = float(x[0]), float(x[1])
    f = 0.0
    for i, y in enumerate(_BEALE_Y, start=1):
        r = y - x1 * (1.0 - x2 ** i)
        f += r * r
    return f


def _beale_jac(x):
    """Gradient of the Beale function."""
    x1, x2 = float(x[0]), float(x[1])
    g1 = g2 = 0.0
    for i, y in enumerate(_BEALE_Y, start=1):
        r = y - x1 * (1.0 - x2 ** i)
        g1 += 2.0 * r * (x2 ** i - 1.0)
        g2 += 2.0 * r * i * x1 * x2 ** (i - 1)
    return np.array([g1, g2])


def _beale_hess(x):
    """Hessian of the Beale function."""
    x1, x2 = float(x[0]), float(x[1])
    h11 = h12 = h22 = 0.0
    for i, y in enumerate(_BEALE_Y, start=1):
        r = y - x1 * (1.0 - x2 ** i)
        d1 = x2 ** i - 1.0                    # dr/dx1
        d2 = i * x1 * x2 ** (i - 1)           # dr/dx2
        d12 = i * x2 ** (i - 1)               # d2r/dx1dx2
        d22 = i * (i - 1) * x1 * x2 ** (i - 2) if i > 1 else 0.0
        h11 += 2.0 * d1 * d1
        h12 += 2.0 * (d1 * d2 + r * d12)
        h22 += 2.0 * (d2 * d2 + r * d22)
    return np.array([[h11, h12], [h12, h22]])


def beale() -> TestProblem:
    """Beale function (MGH problem 5), n = 2.

    Returns
    -------
    TestProblem
        Starting point ``(1, 1)``, minimum 0 at ``(3, 0.5)``.
    """
    return TestProblem("beale", [1.0, 1.0], _beale_fun, _beale_jac,
                       _beale_hess, 0.0, minimizers=[[3.0, 0.5]])


# ---------------------------------------------------------------------------
# Helical valley (MGH 7)
# ---------------------------------------------------------------------------

_TWO_PI = 2.0 * math.pi


def _helical_parts(x):
    """Residuals and the pieces of theta and rho used by the derivatives."""
    x1, x2, x3 = float(x[0]), float(x[1]), float(x[2])
    theta = math.atan2(x2, x1) / _TWO_PI
    if theta < -0.25:          # MGH branch: theta in (-1/4, 3/4]
        theta += 1.0
    rho2 = x1 * x1 + x2 * x2
    rho = math.sqrt(rho2)
    r1 = 10.0 * (x3 - 10.0 * theta)
    r2 = 10.0 * (rho - 1.0)
    return x1, x2, x3, rho2, rho, r1, r2


def _helical_fun(x):
    """Helical valley function."""
    x1, x2, x3, rho2, rho, r1, r2 = _helical_parts(x)
    return r1 * r1 + r2 * r2 + x3 * x3


def _helical_jac(x):
    """Gradient of the helical valley function."""
    x1, x2, x3, rho2, rho, r1, r2 = _helical_parts(x)
    c = 100.0 / (_TWO_PI * rho2)       # 10 * 10 * d(theta) scaling
    # grad r1 = (10 c' x2, -10 c' x1, 10) with 10 c' = c, grad r2 = 10 x/rho
    return np.array([
        2.0 * (r1 * c * x2 + r2 * 10.0 * x1 / rho),
        2.0 * (-r1 * c * x1 + r2 * 10.0 * x2 / rho),
        2.0 * (10.0 * r1 + x3),
    ])


def _helical_hess(x):
    """Hessian of the helical valley function."""
    x1, x2, x3, rho2, rho, r1, r2 = _helical_parts(x)
    c = 100.0 / (_TWO_PI * rho2)
    g1 = np.array([c * x2, -c * x1, 10.0])                  # grad r1
    g2 = np.array([10.0 * x1 / rho, 10.0 * x2 / rho, 0.0])  # grad r2
    # Hess r1 = -100 Hess(theta), Hess(theta) = [[2ab, b2-a2], [., -2ab]]
    # / (2 pi rho^4); Hess r2 = 10 [[b2, -ab], [-ab, a2]] / rho^3.
    q = c / rho2
    h1 = np.array([[-2.0 * x1 * x2 * q, (x1 * x1 - x2 * x2) * q],
                   [(x1 * x1 - x2 * x2) * q, 2.0 * x1 * x2 * q]])
    s = 10.0 / (rho2 * rho)
    h2 = np.array([[x2 * x2 * s, -x1 * x2 * s],
                   [-x1 * x2 * s, x1 * x1 * s]])
    h = 2.0 * (np.outer(g1, g1) + np.outer(g2, g2))
    h[2, 2] += 2.0
    h[:2, :2] += 2.0 * (r1 * h1 + r2 * h2)
    return h


def helical_valley() -> TestProblem:
    """Helical valley function (MGH problem 7), n = 3.

    Returns
    -------
    TestProblem
        Starting point ``(-1, 0, 0)``, minimum 0 at ``(1, 0, 0)``.

    Notes
    -----
    The angle ``theta(x1, x2)`` jumps on the half-line ``x1 = 0, x2 < 0``
    and is undefined at ``x1 = x2 = 0``, where the function is not smooth.
    """
    return TestProblem("helical_valley", [-1.0, 0.0, 0.0], _helical_fun,
                       _helical_jac, _helical_hess, 0.0,
                       minimizers=[[1.0, 0.0, 0.0]],
                       notes="discontinuous on x1 = 0, x2 < 0")


# ---------------------------------------------------------------------------
# Freudenstein and Roth (MGH 2)
# ---------------------------------------------------------------------------

def _fr_res(x):
    """Residuals of Freudenstein-Roth and their x2-derivatives."""
    x1, x2 = float(x[0]), float(x[1])
    r1 = -13.0 + x1 + ((5.0 - x2) * x2 - 2.0) * x2
    r2 = -29.0 + x1 + ((x2 + 1.0) * x2 - 14.0) * x2
    d1 = (10.0 - 3.0 * x2) * x2 - 2.0        # dr1/dx2
    d2 = (3.0 * x2 + 2.0) * x2 - 14.0        # dr2/dx2
    return x2, r1, r2, d1, d2


def _fr_fun(x):
    """Freudenstein-Roth function."""
    _, r1, r2, _, _ = _fr_res(x)
    return r1 * r1 + r2 * r2


def _fr_jac(x):
    """Gradient of the Freudenstein-Roth function."""
    _, r1, r2, d1, d2 = _fr_res(x)
    return np.array([2.0 * (r1 + r2), 2.0 * (r1 * d1 + r2 * d2)])


def _fr_hess(x):
    """Hessian of the Freudenstein-Roth function."""
    x2, r1, r2, d1, d2 = _fr_res(x)
    h12 = 2.0 * (d1 + d2)
    h22 = 2.0 * (d1 * d1 + d2 * d2
                 + r1 * (10.0 - 6.0 * x2) + r2 * (6.0 * x2 + 2.0))
    return np.array([[4.0, h12], [h12, h22]])


# Non-global local minimizer in closed form: grad f = 0 with r1 = -r2 != 0
# gives dr1/dx2 = dr2/dx2, i.e. 3 x2**2 - 4 x2 - 6 = 0, and x1 = 15 + 4 x2.
_FR_LOCAL_X2 = (2.0 - math.sqrt(22.0)) / 3.0
_FR_LOCAL_X = (15.0 + 4.0 * _FR_LOCAL_X2, _FR_LOCAL_X2)
_FR_LOCAL_F = _fr_fun(_FR_LOCAL_X)


def freudenstein_roth() -> TestProblem:
    """Freudenstein and Roth function (MGH problem 2), n = 2.

    Returns
    -------
    TestProblem
        Starting point ``(0.5, -2)``, global minimum 0 at ``(5, 4)``.
        ``x_min`` is the global minimizer; the non-global local minimizer
        ``(11.41..., -0.8968...)`` with ``f = 48.9842...`` is listed in
        ``local_minima``, and many solvers converge to it from ``x0``.
    """
    return TestProblem("freudenstein_roth", [0.5, -2.0], _fr_fun, _fr_jac,
                       _fr_hess, 0.0, minimizers=[[5.0, 4.0]],
                       local_minima=[(_FR_LOCAL_X, _FR_LOCAL_F)],
                       notes="non-global local minimizer near (11.41, -0.897)")


# ---------------------------------------------------------------------------
# Brown badly scaled (MGH 4)
# ---------------------------------------------------------------------------

def _brown_fun(x):
    """Brown badly scaled function."""
    x1, x2 = float(x[0]), float(x[1])
    r1 = x1 - 1e6
    r2 = x2 - 2e-6
    r3 = x1 * x2 - 2.0
    return r1 * r1 + r2 * r2 + r3 * r3


def _brown_jac(x):
    """Gradient of the Brown badly scaled function."""
    x1, x2 = float(x[0]), float(x[1])
    r3 = x1 * x2 - 2.0
    return np.array([2.0 * (x1 - 1e6) + 2.0 * r3 * x2,
                     2.0 * (x2 - 2e-6) + 2.0 * r3 * x1])


def _brown_hess(x):
    """Hessian of the Brown badly scaled function."""
    x1, x2 = float(x[0]), float(x[1])
    h12 = 2.0 * (2.0 * x1 * x2 - 2.0)
    return np.array([[2.0 + 2.0 * x2 * x2, h12], [h12, 2.0 + 2.0 * x1 * x1]])


def brown_badly_scaled() -> TestProblem:
    """Brown badly scaled function (MGH problem 4), n = 2.

    Returns
    -------
    TestProblem
        Starting point ``(1, 1)``, minimum 0 at ``(1e6, 2e-6)``.
    """
    return TestProblem("brown_badly_scaled", [1.0, 1.0], _brown_fun,
                       _brown_jac, _brown_hess, 0.0,
                       minimizers=[[1e6, 2e-6]],
                       notes="variables differ in scale by 1e12")


# ---------------------------------------------------------------------------
# Trigonometric (MGH 26)
# ---------------------------------------------------------------------------

def _trig_parts(x):
    """Residuals, sin, cos and the diagonal term of the Jacobian."""
    n = x.shape[0]
    i = np.arange(1.0, n + 1.0)
    c = np.cos(x)
    s = np.sin(x)
    r = n - c.sum() + i * (1.0 - c) - s
    d = i * s - c                     # J = 1 s^T + diag(d)
    return i, c, s, r, d


def _trig_fun(x):
    """Trigonometric function."""
    r = _trig_parts(x)[3]
    return float(r @ r)


def _trig_jac(x):
    """Gradient of the trigonometric function."""
    _, _, s, r, d = _trig_parts(x)
    return 2.0 * (s * r.sum() + d * r)


def _trig_hess(x):
    """Hessian of the trigonometric function."""
    n = x.shape[0]
    i, c, s, r, d = _trig_parts(x)
    sd = np.outer(s, d)
    h = sd + sd.T                     # exactly symmetric
    h += n * np.outer(s, s)
    h.reshape(-1)[::n + 1] += d * d + c * r.sum() + r * (i * c + s)
    h *= 2.0
    return h


def _trig_hessp(x, p):
    """Trigonometric Hessian times a vector, without forming the Hessian."""
    n = x.shape[0]
    i, c, s, r, d = _trig_parts(x)
    sp = s @ p
    dp = d @ p
    diag = d * d + c * r.sum() + r * (i * c + s)
    return 2.0 * (n * sp * s + dp * s + sp * d + diag * p)


def trigonometric(n: int = 10) -> TestProblem:
    """Trigonometric function (MGH problem 26).

    Parameters
    ----------
    n : int, optional
        Number of variables. Default 10.

    Returns
    -------
    TestProblem
        Starting point ``x0 = 1/n``, global minimum 0 at the origin (and at
        its ``2 pi`` translates, so ``x_min`` is None).

    Notes
    -----
    The function has non-global local minimizers; from ``x0`` a solver may
    stop at one with a small positive value.
    """
    n = int(n)
    if n < 1:
        raise ValueError("trigonometric needs n >= 1")
    return TestProblem("trigonometric", np.full(n, 1.0 / n), _trig_fun,
                       _trig_jac, _trig_hess, 0.0, hessp=_trig_hessp,
                       minimizers=[np.zeros(n)], unique=False,
                       notes="periodic; non-global local minimizers")


# ---------------------------------------------------------------------------
# Strictly convex quadratic
# ---------------------------------------------------------------------------

def quadratic(n: int = 10, seed: int = 0, cond: float = 100.0) -> TestProblem:
    """Strictly convex quadratic ``f(x) = 1/2 x^T A x - b^T x``.

    Parameters
    ----------
    n : int, optional
        Number of variables. Default 10.
    seed : int, optional
        Seed for :func:`numpy.random.default_rng`. Default 0.
    cond : float, optional
        Condition number of ``A`` (eigenvalues log-spaced in
        ``[1, cond]``). Default 100.

    Returns
    -------
    TestProblem
        Starting point 0, minimizer ``solve(A, b)``, minimum
        ``-1/2 b^T solve(A, b)``.
    """
    n = int(n)
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    eig = np.logspace(0.0, math.log10(cond), n)
    a = (q * eig) @ q.T
    a = 0.5 * (a + a.T)
    b = rng.standard_normal(n)
    x_min = np.linalg.solve(a, b)
    f_min = -0.5 * float(b @ x_min)

    def fun(x):
        return float(0.5 * (x @ (a @ x)) - b @ x)

    def jac(x):
        return a @ x - b

    def hess(x):
        return a.copy()

    def hessp(x, p):
        return a @ p

    return TestProblem("quadratic", np.zeros(n), fun, jac, hess, f_min,
                       hessp=hessp, minimizers=[x_min],
                       notes=f"SPD, cond {cond:g}, seed {seed}")


# ---------------------------------------------------------------------------
# Saddle with quartic
# ---------------------------------------------------------------------------

def _sq_fun(x):
    """Saddle-quartic function."""
    x1, x2 = float(x[0]), float(x[1])
    return x1 * x1 - x2 * x2 + 0.25 * x2 ** 4


def _sq_jac(x):
    """Gradient of the saddle-quartic function."""
    x1, x2 = float(x[0]), float(x[1])
    return np.array([2.0 * x1, x2 * (x2 * x2 - 2.0)])


def _sq_hess(x):
    """Hessian of the saddle-quartic function."""
    x2 = float(x[1])
    return np.array([[2.0, 0.0], [0.0, 3.0 * x2 * x2 - 2.0]])


def saddle_quartic(x0: ArrayLike = (1.0, 0.1)) -> TestProblem:
    """Saddle with quartic walls, ``f(x, y) = x**2 - y**2 + y**4 / 4``.

    Parameters
    ----------
    x0 : array_like, shape (2,), optional
        Starting point. Default ``(1, 0.1)``, near the saddle, where the
        Hessian is indefinite.

    Returns
    -------
    TestProblem
        Minimum -1 at ``(0, +-sqrt(2))`` (so ``x_min`` is None); the origin
        is a saddle point with Hessian ``diag(2, -2)``.
    """
    r2 = math.sqrt(2.0)
    return TestProblem("saddle_quartic", x0, _sq_fun, _sq_jac, _sq_hess,
                       -1.0, minimizers=[[0.0, r2], [0.0, -r2]],
                       unique=False, notes="saddle at the origin")


# ---------------------------------------------------------------------------
# Large-scale banded problems (O(n) vectorized; run at n = 10**6)
# ---------------------------------------------------------------------------

def _broyden_res(x):
    """Residuals r_i = (3 - 2 x_i) x_i - x_{i-1} - 2 x_{i+1} + 1.

    With x_0 = x_{n+1} = 0.
    """
    r = (3.0 - 2.0 * x) * x + 1.0
    r[1:] -= x[:-1]
    r[:-1] -= 2.0 * x[1:]
    return r


def _broyden_fun(x):
    """Broyden tridiagonal function, sum of squared residuals."""
    r = _broyden_res(np.asarray(x, dtype=np.float64))
    return float(r @ r)


def _broyden_jac(x):
    """Gradient 2 J^T r of the Broyden tridiagonal function."""
    x = np.asarray(x, dtype=np.float64)
    r = _broyden_res(x)
    g = (3.0 - 4.0 * x) * r           # dr_j/dx_j = 3 - 4 x_j
    g[1:] -= 2.0 * r[:-1]             # dr_{j-1}/dx_j = -2
    g[:-1] -= r[1:]                   # dr_{j+1}/dx_j = -1
    g *= 2.0
    return g


def _broyden_hess_band(x):
    """Pentadiagonal Hessian 2 (J^T J - 4 diag(r)) in lower band storage."""
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[0]
    a = 3.0 - 4.0 * x                 # diagonal of the tridiagonal J
    band = np.zeros((3, n))
    d = band[0]
    np.multiply(a, a, out=d)
    d[1:] += 4.0                      # (J[j-1, j])**2 = (-2)**2
    d[:-1] += 1.0                     # (J[j+1, j])**2 = (-1)**2
    d -= 4.0 * _broyden_res(x)        # sum_i r_i Hess(r_i) = -4 diag(r)
    d *= 2.0
    # (J^T J)[j+1, j] = J[j, j] J[j, j+1] + J[j+1, j] J[j+1, j+1]
    band[1, :-1] = -4.0 * a[:-1] - 2.0 * a[1:]
    # (J^T J)[j+2, j] = J[j+1, j] J[j+1, j+2] = (-1)(-2)
    band[2, :-2] = 4.0
    return band


def broyden_tridiagonal(n: int = 1000) -> TestProblem:
    """Broyden tridiagonal function (MGH problem 30) as least squares.

    ``f(x) = sum_i r_i(x)**2`` with
    ``r_i = (3 - 2 x_i) x_i - x_{i-1} - 2 x_{i+1} + 1`` and
    ``x_0 = x_{n+1} = 0``.

    Parameters
    ----------
    n : int, optional
        Number of variables, at least 3. Default 1000.

    Returns
    -------
    TestProblem
        Starting point ``x0 = -1`` (``f(x0) = n + 11``), minimum 0 (the
        residuals have a common zero; it has no closed form, so ``x_min``
        is None). The Hessian ``2 (J^T J - 4 diag(r))`` is pentadiagonal:
        ``bandwidth`` 2.

    Notes
    -----
    Newton's iteration count from `x0` does not grow with n.
    """
    n = int(n)
    if n < 3:
        raise ValueError("broyden_tridiagonal needs n >= 3")
    return TestProblem(
        "broyden_tridiagonal", np.full(n, -1.0), _broyden_fun, _broyden_jac,
        _dense_from_band(_broyden_hess_band, "broyden_tridiagonal"), 0.0,
        bandwidth=2, hess_band=_broyden_hess_band,
        notes="zero-residual least squares; pentadiagonal Hessian")


def _xrosen_parts(x):
    """Even/odd entries of x and t = x_odd - x_even**2 (pairs x_2i, x_2i+1)."""
    x = np.asarray(x, dtype=np.float64)
    xe = x[0::2]
    xo = x[1::2]
    return xe, xo, xo - xe * xe


def _xrosen_fun(x):
    """Extended (separable) Rosenbrock function."""
    xe, _, t = _xrosen_parts(x)
    u = 1.0 - xe
    return float(100.0 * (t @ t) + u @ u)


def _xrosen_jac(x):
    """Gradient of the extended Rosenbrock function."""
    xe, _, t = _xrosen_parts(x)
    g = np.empty(2 * xe.shape[0])
    g[0::2] = -400.0 * xe * t - 2.0 * (1.0 - xe)
    g[1::2] = 200.0 * t
    return g


def _xrosen_hess_band(x):
    """Block-diagonal (2 x 2 blocks) Hessian in lower band storage."""
    xe, xo, _ = _xrosen_parts(x)
    band = np.empty((2, 2 * xe.shape[0]))
    band[0, 0::2] = 1200.0 * xe * xe - 400.0 * xo + 2.0
    band[0, 1::2] = 200.0
    band[1, 0::2] = -400.0 * xe
    band[1, 1::2] = 0.0               # no coupling between pairs
    return band


def extended_rosenbrock(n: int = 1000) -> TestProblem:
    """Extended Rosenbrock function (MGH problem 21): n/2 independent pairs.

    ``f(x) = sum_i 100 (x_{2i+1} - x_{2i}**2)**2 + (1 - x_{2i})**2``.

    Parameters
    ----------
    n : int, optional
        Number of variables, a positive even number. Default 1000.

    Returns
    -------
    TestProblem
        Starting point ``(-1.2, 1, -1.2, 1, ...)``, minimum 0 at all ones.
        The Hessian is block diagonal with 2 x 2 blocks: ``bandwidth`` 1.

    Notes
    -----
    Every pair follows the same iteration as the 2-variable Rosenbrock
    function, so Newton's iteration count does not grow with n (unlike the
    chained :func:`rosenbrock`).
    """
    n = int(n)
    if n < 2 or n % 2:
        raise ValueError("extended_rosenbrock needs n a positive even number")
    x0 = np.where(np.arange(n) % 2 == 0, -1.2, 1.0)
    return TestProblem(
        "extended_rosenbrock", x0, _xrosen_fun, _xrosen_jac,
        _dense_from_band(_xrosen_hess_band, "extended_rosenbrock"), 0.0,
        minimizers=[np.ones(n)], bandwidth=1, hess_band=_xrosen_hess_band,
        notes="separable pairs; iteration count independent of n")


def _energy_source(n, amplitude):
    """Grid step, exact discrete solution and the source that produces it."""
    h = 1.0 / (n + 1)
    s = np.sin(np.pi * h * np.arange(1, n + 1))
    u_star = amplitude * s
    # (2 u_i - u_{i-1} - u_{i+1}) / h**2 = sigma u_i for u = sin(pi i h).
    sigma = (2.0 * math.sin(0.5 * math.pi * h) / h) ** 2
    source = u_star ** 3 + sigma * u_star
    return h, u_star, source


def _energy_callables(h, source):
    """fun, jac and hess_band of the discretized 1-D energy."""
    inv_h = 1.0 / h

    def fun(u):
        u = np.asarray(u, dtype=np.float64)
        du = np.diff(u)
        u2 = u * u
        grad_part = du @ du + u[0] * u[0] + u[-1] * u[-1]
        return float(0.5 * inv_h * grad_part
                     + h * (0.25 * (u2 @ u2) - source @ u))

    def jac(u):
        u = np.asarray(u, dtype=np.float64)
        lap = 2.0 * u
        lap[1:] -= u[:-1]
        lap[:-1] -= u[1:]
        lap *= inv_h
        lap += h * (u * u * u - source)
        return lap

    def hess_band(u):
        u = np.asarray(u, dtype=np.float64)
        band = np.empty((2, u.shape[0]))
        np.multiply(u, u, out=band[0])
        band[0] *= 3.0 * h
        band[0] += 2.0 * inv_h
        band[1, :-1] = -inv_h
        band[1, -1] = 0.0
        return band

    return fun, jac, hess_band


def energy_1d(n: int = 1000, amplitude: float = 2.0) -> TestProblem:
    """Discretized 1-D nonlinear (quartic) energy with zero boundary values.

    ``f(u) = sum_{i=0}^{n} (u_{i+1} - u_i)**2 / (2h)
    + h sum_{i=1}^{n} (u_i**4 / 4 - s_i u_i)``, ``h = 1/(n+1)``,
    ``u_0 = u_{n+1} = 0``: the finite-difference energy of
    ``-u'' + u**3 = s`` on (0, 1). The source
    ``s_i = a**3 sin(pi i h)**3 + a sigma sin(pi i h)`` with
    ``sigma = 4 sin(pi h / 2)**2 / h**2`` (close to ``pi**2``) is
    manufactured so that the discrete minimizer is exactly
    ``u_i = a sin(pi i h)``.

    Parameters
    ----------
    n : int, optional
        Number of interior grid points, at least 2. Default 1000.
    amplitude : float, optional
        ``a``, the amplitude of the solution. Default 2 (the cubic term is
        then of the same size as the diffusion term).

    Returns
    -------
    TestProblem
        Strictly convex (``bandwidth`` 1; the Hessian
        ``tridiag(-1, 2, -1)/h + 3 h diag(u**2)`` is positive definite
        everywhere), unique minimizer ``a sin(pi i h)``, ``f_min`` its
        value. Starting point ``u = 1`` in the interior, which violates the
        boundary values, so the gradient is about ``1/h`` at both ends.

    Notes
    -----
    The gradient is ``h`` times the discrete PDE residual, so its rounding
    error is about ``eps |u| / h`` (1e-9 at n = 10**6). The Hessian's
    condition number grows like ``n**2``; Newton's iteration count does not
    grow with n.
    """
    n = int(n)
    if n < 2:
        raise ValueError("energy_1d needs n >= 2")
    h, u_star, source = _energy_source(n, float(amplitude))
    fun, jac, hess_band = _energy_callables(h, source)
    return TestProblem(
        "energy_1d", np.ones(n), fun, jac,
        _dense_from_band(hess_band, "energy_1d"), fun(u_star),
        minimizers=[u_star], bandwidth=1, hess_band=hess_band,
        notes=f"convex; manufactured solution {amplitude:g} sin(pi x)")


def _double_well_callables(c):
    """fun, jac and hess_band of the chained double well with coupling c."""

    def fun(x):
        x = np.asarray(x, dtype=np.float64)
        w = x * x - 1.0
        d = np.diff(x)
        return float(0.25 * (w @ w) + 0.5 * c * (d @ d))

    def jac(x):
        x = np.asarray(x, dtype=np.float64)
        g = x * x * x - x
        d = np.diff(x)
        d *= c
        g[:-1] -= d
        g[1:] += d
        return g

    def hess_band(x):
        x = np.asarray(x, dtype=np.float64)
        band = np.empty((2, x.shape[0]))
        np.multiply(x, x, out=band[0])
        band[0] *= 3.0
        band[0] += 2.0 * c - 1.0
        band[0, 0] -= c               # the end points have one neighbour
        band[0, -1] -= c
        band[1, :-1] = -c
        band[1, -1] = 0.0
        return band

    return fun, jac, hess_band


def chained_double_well(n: int = 1000, c: float = 1.0) -> TestProblem:
    """Chained double well, a nonconvex lattice energy.

    ``f(x) = sum_i (x_i**2 - 1)**2 / 4 + (c/2) sum_i (x_{i+1} - x_i)**2``.

    Parameters
    ----------
    n : int, optional
        Number of variables, at least 2. Default 1000.
    c : float, optional
        Coupling constant, positive. Default 1.

    Returns
    -------
    TestProblem
        Global minimum 0 at ``x = 1`` and ``x = -1`` (so ``x_min`` is
        None). The Hessian ``diag(3 x**2 - 1) + c L`` (L the path-graph
        Laplacian, ``bandwidth`` 1) is indefinite near ``x = 0``; at the
        origin, a saddle, its smallest eigenvalue is -1. The starting point
        ``x_i = 0.1 + 0.05 sin(i)`` lies in that indefinite region.

    Notes
    -----
    Configurations with domain walls between regions near +1 and -1 are
    non-global local minimizers; a solver that takes a bad first step from
    the indefinite start can end there.
    """
    n = int(n)
    c = float(c)
    if n < 2:
        raise ValueError("chained_double_well needs n >= 2")
    if not c > 0.0:
        raise ValueError("chained_double_well needs c > 0")
    fun, jac, hess_band = _double_well_callables(c)
    x0 = 0.1 + 0.05 * np.sin(np.arange(n, dtype=np.float64))
    return TestProblem(
        "chained_double_well", x0, fun, jac,
        _dense_from_band(hess_band, "chained_double_well"), 0.0,
        minimizers=[np.ones(n), -np.ones(n)], unique=False, bandwidth=1,
        hess_band=hess_band,
        notes=f"nonconvex, c = {c:g}; indefinite near 0; minima at +-1")


def banded_problems(n: int = 1000) -> list[TestProblem]:
    """Return the large-scale banded problems at size n.

    Parameters
    ----------
    n : int, optional
        Number of variables (rounded down to even for the extended
        Rosenbrock function). Default 1000.

    Returns
    -------
    list of TestProblem
        Chained :func:`rosenbrock`, :func:`broyden_tridiagonal`,
        :func:`extended_rosenbrock`, :func:`energy_1d` and
        :func:`chained_double_well`, each with ``bandwidth`` and
        ``hess_band``.
    """
    n = int(n)
    return [rosenbrock(n), broyden_tridiagonal(n),
            extended_rosenbrock(n - n % 2), energy_1d(n),
            chained_double_well(n)]


# ---------------------------------------------------------------------------

def classic_problems() -> list[TestProblem]:
    """Return the standard set of test problems.

    Returns
    -------
    list of TestProblem
        Rosenbrock (n = 2, 10, 100), Powell singular, Wood, Beale, helical
        valley, Freudenstein-Roth, Brown badly scaled, trigonometric
        (n = 10), extended Powell (n = 12), a quadratic (n = 10) and the
        saddle quartic, each freshly built.
    """
    return [
        rosenbrock(2),
        rosenbrock(10),
        rosenbrock(100),
        powell_singular(),
        wood(),
        beale(),
        helical_valley(),
        freudenstein_roth(),
        brown_badly_scaled(),
        trigonometric(10),
        extended_powell(12),
        quadratic(10, seed=0),
        saddle_quartic(),
    ]


# The Moré–Garbow–Hillstrom set lives in its own module; it reaches back here
# only when a problem is built, so this import at the end is not circular.
from fastnewton._mgh import MGH_NAMES, mgh, mgh_problems  # noqa: E402
