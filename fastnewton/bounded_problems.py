"""Bound-constrained test problems with analytic derivatives.

Every problem is a :class:`BoundedProblem`: an objective with its gradient,
Hessian (dense, and for the large ones LAPACK lower band storage) and
Hessian-vector product, a box ``lower <= x <= upper`` (``±inf`` where a side
is unbounded), a starting point, and the solution where it is known in closed
form or from the literature.

Three families:

* Hock and Schittkowski (1981) [1]_ problems 1, 2, 3, 4, 5, 25, 38 and 45,
  the bound-constrained-only ones of the collection, with their published
  starting points and solutions (:func:`hock_schittkowski`);
* classic unconstrained problems of :mod:`fastnewton.problems` in boxes that
  cut off their minimizer (solution not stored: tests compute it), and
  manufactured degenerate cases with known solutions: a variable at its bound
  with a zero multiplier, a minimizer at a corner, fixed variables
  (``lower == upper``), bounds of ``±1e300``, and a function undefined
  outside its box (:func:`bounded_problems` returns the whole small set);
* large quadratics on grids, banded in natural ordering: the MINPACK-2 [2]_
  elastic-plastic torsion (:func:`torsion`) and obstacle (:func:`obstacle`)
  problems on the unit square (b = nx), and a 1-D obstacle (contact) problem
  (:func:`obstacle_1d`, b = 1). Their callables are vectorized NumPy, O(n)
  per call apart from the band storage itself, (b + 1) n numbers.

The callables take and return plain float64 arrays, so they can be passed to
:func:`fastnewton.minimize` or :func:`scipy.optimize.minimize` with
``bounds=problem.bounds``.

References
----------
.. [1] W. Hock and K. Schittkowski, "Test examples for nonlinear programming
   codes", Lecture Notes in Economics and Mathematical Systems 187,
   Springer, 1981.
.. [2] B. M. Averick, R. G. Carter, J. J. Moré and G.-L. Xue, "The MINPACK-2
   test problem collection", Preprint MCS-P153-0692, Argonne National
   Laboratory, 1992.

Examples
--------
>>> from fastnewton.bounded_problems import hock_schittkowski
>>> p = hock_schittkowski(4)
>>> p.x_min, p.f_min, p.active_at_min
(array([1., 0.]), 2.6666666666666665, array([-1, -1]))
"""

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import Bounds

from fastnewton import problems as _problems
from fastnewton._mgh import _products_without

__all__ = [
    "BoundedProblem",
    "HS_NUMBERS",
    "hock_schittkowski",
    "boxed_classics",
    "degenerate_problems",
    "bounded_problems",
    "torsion",
    "obstacle",
    "obstacle_1d",
]

# The problems of Hock & Schittkowski (1981) whose only constraints are bounds.
HS_NUMBERS = (1, 2, 3, 4, 5, 25, 38, 45)


def _vector(values, n, name):
    """A fresh float64 array of shape (n,) from a scalar or a sequence."""
    out = np.array(np.broadcast_to(np.asarray(values, dtype=np.float64), (n,)))
    if np.isnan(out).any():
        raise ValueError(f"{name} contains NaN")
    return out


class BoundedProblem:
    """A bound-constrained minimization problem with analytic derivatives.

    Parameters
    ----------
    name : str
        Short identifier, e.g. ``"hs25"``.
    x0 : array_like, shape (n,)
        Standard starting point. It may lie outside the box where the
        literature's does (Hock & Schittkowski 2 and 45); solvers project it.
    fun, jac, hess : callable
        ``fun(x) -> float``, ``jac(x) -> (n,)``, ``hess(x) -> (n, n)``.
    lower, upper : array_like or float
        The bounds, broadcast to (n,); ``-inf`` / ``inf`` where a side is
        unbounded. ``lower <= upper`` everywhere (equal: a fixed variable).
    x_min : array_like or None, optional
        The minimizer in the box, if known (closed form or literature).
    f_min : float or None, optional
        The minimum value, if known.
    active_at_min : array_like of int or None, optional
        At `x_min`: -1 where the lower bound holds the variable, +1 the
        upper, 0 free. None if unknown.
    local_minima : sequence of (array_like, float), optional
        Known local minimizers in the box that are not global, with their
        values (solvers started from `x0` may end there).
    hessp : callable, optional
        ``hessp(x, p) -> (n,)``. Defaults to the band product when
        `hess_band` is given, else ``hess(x) @ p``.
    bandwidth : int, optional
        Half-bandwidth b of the Hessian. Required with `hess_band`.
    hess_band : callable, optional
        ``hess_band(x) -> (b + 1, n)``, LAPACK lower band storage
        ``hess_band[k, j] = H[j + k, j]`` (zero where ``j + k >= n``).
    notes : str, optional
        One-line remarks.

    Attributes
    ----------
    n : int
        Number of variables.
    bounds : scipy.optimize.Bounds
        The box, for ``minimize(..., bounds=problem.bounds)``.
    local_minima : tuple of (ndarray, float)
        Known non-global local minimizers and their values.

    Notes
    -----
    For a fixed variable (``lower == upper``) `active_at_min` holds the side
    whose multiplier has the sign of a bound constraint: -1 if
    ``df/dx_i >= 0`` at the minimizer, else +1.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnewton.bounded_problems import BoundedProblem
    >>> p = BoundedProblem("shifted", [2.0], lambda x: float((x[0] + 1) ** 2),
    ...                    lambda x: np.array([2 * (x[0] + 1)]),
    ...                    lambda x: np.array([[2.0]]), lower=0.0, upper=np.inf,
    ...                    x_min=[0.0], f_min=1.0, active_at_min=[-1])
    >>> p.bounds.lb, p.bounds.ub
    (array([0.]), array([inf]))
    """

    # Keep pytest from trying to collect this class as a test case.
    __test__ = False

    def __init__(self, name, x0, fun, jac, hess, lower, upper, *, x_min=None,
                 f_min=None, active_at_min=None, local_minima=(), hessp=None, bandwidth=None,
                 hess_band=None, notes="") -> None:
        self.name = str(name)
        self._x0 = np.array(x0, dtype=np.float64).reshape(-1)
        self.n = int(self._x0.shape[0])
        self._lower = _vector(lower, self.n, "lower")
        self._upper = _vector(upper, self.n, "upper")
        if (self._lower > self._upper).any():
            i = int(np.flatnonzero(self._lower > self._upper)[0])
            raise ValueError(f"lower[{i}] = {self._lower[i]} > upper[{i}] = {self._upper[i]}")
        if (bandwidth is None) != (hess_band is None):
            raise ValueError("give both bandwidth and hess_band, or neither")
        self.bandwidth = None if bandwidth is None else int(bandwidth)
        self.hess_band = hess_band
        self.fun = fun
        self.jac = jac
        self.hess = hess
        if hessp is None:
            hessp = (_problems._default_hessp(hess) if hess_band is None
                     else _problems._band_hessp(hess_band))
        self.hessp = hessp
        self._x_min = None if x_min is None else _vector(x_min, self.n, "x_min")
        self.f_min = None if f_min is None else float(f_min)
        self._active = (None if active_at_min is None
                        else np.array(np.broadcast_to(active_at_min, (self.n,)), dtype=int))
        self.local_minima = tuple((_vector(x, self.n, "local minimizer"), float(f))
                                  for x, f in local_minima)
        self.notes = str(notes)

    @property
    def x0(self) -> NDArray[np.float64]:
        """Standard starting point, shape (n,) (a fresh copy)."""
        return self._x0.copy()

    @property
    def lower(self) -> NDArray[np.float64]:
        """Lower bounds, shape (n,), ``-inf`` where unbounded (a fresh copy)."""
        return self._lower.copy()

    @property
    def upper(self) -> NDArray[np.float64]:
        """Upper bounds, shape (n,), ``inf`` where unbounded (a fresh copy)."""
        return self._upper.copy()

    @property
    def bounds(self) -> Bounds:
        """The box as a fresh ``scipy.optimize.Bounds``."""
        return Bounds(self.lower, self.upper)

    @property
    def x_min(self) -> NDArray[np.float64] | None:
        """The minimizer in the box if known, else None (a fresh copy)."""
        return None if self._x_min is None else self._x_min.copy()

    @property
    def active_at_min(self) -> NDArray[np.int_] | None:
        """-1 / +1 / 0 (lower, upper, free) at the minimizer, None if unknown."""
        return None if self._active is None else self._active.copy()

    def project(self, x: ArrayLike) -> NDArray[np.float64]:
        """Return the point of the box nearest to `x` (componentwise clip).

        Parameters
        ----------
        x : array_like, shape (n,)

        Returns
        -------
        ndarray, shape (n,)
            ``min(max(x, lower), upper)``, a fresh array.
        """
        return np.minimum(np.maximum(np.asarray(x, dtype=np.float64), self._lower), self._upper)

    def projected_gradient(self, x: ArrayLike) -> NDArray[np.float64]:
        """The projected-gradient step ``P(x - g(x)) - x``.

        Zero exactly at the points satisfying the first-order (KKT)
        conditions; its ∞-norm is the stopping measure of bound-constrained
        solvers (L-BFGS-B's ``pgtol``).

        Parameters
        ----------
        x : array_like, shape (n,)
            A point of the box.

        Returns
        -------
        ndarray, shape (n,)
        """
        x = np.asarray(x, dtype=np.float64)
        return self.project(x - self.jac(x)) - x

    def __repr__(self) -> str:
        band = "" if self.bandwidth is None else f", bandwidth={self.bandwidth}"
        return f"BoundedProblem(name={self.name!r}, n={self.n}{band})"


# ---------------------------------------------------------------------------
# Hock & Schittkowski
# ---------------------------------------------------------------------------

def _hs3_fun(x):
    d = x[1] - x[0]
    return float(x[1] + 1e-5 * d * d)


def _hs3_jac(x):
    d = 2e-5 * (x[1] - x[0])
    return np.array([-d, 1.0 + d])


def _hs3_hess(x):
    return np.array([[2e-5, -2e-5], [-2e-5, 2e-5]])


def _hs4_fun(x):
    return float((x[0] + 1.0) ** 3 / 3.0 + x[1])


def _hs4_jac(x):
    return np.array([(x[0] + 1.0) ** 2, 1.0])


def _hs4_hess(x):
    return np.array([[2.0 * (x[0] + 1.0), 0.0], [0.0, 0.0]])


def _hs5_fun(x):
    d = x[0] - x[1]
    return float(math.sin(x[0] + x[1]) + d * d - 1.5 * x[0] + 2.5 * x[1] + 1.0)


def _hs5_jac(x):
    c = math.cos(x[0] + x[1])
    d = 2.0 * (x[0] - x[1])
    return np.array([c + d - 1.5, c - d + 2.5])


def _hs5_hess(x):
    s = -math.sin(x[0] + x[1])
    return np.array([[s + 2.0, s - 2.0], [s - 2.0, s + 2.0]])


# HS25: residuals r_i = exp(-(u_i - x2)**x3 / x1) - i/100, i = 1..99.
_HS25_I = np.arange(1.0, 100.0)
_HS25_U = 25.0 + (-50.0 * np.log(0.01 * _HS25_I)) ** (2.0 / 3.0)


def _hs25_parts(x):
    """Residuals r, exponentials e, powers p = d**x3 and logs ln d, d = u - x2."""
    x1, x2, x3 = float(x[0]), float(x[1]), float(x[2])
    log_d = np.log(_HS25_U - x2)
    p = np.exp(x3 * log_d)
    e = np.exp(-p / x1)
    return e - 0.01 * _HS25_I, e, p, log_d


def _hs25_s_derivatives(x, p, log_d):
    """Gradient (3, 99) and Hessian (3, 3, 99) of s_i = -p_i / x1 (r_i = exp(s_i) - i/100)."""
    x1, x2, x3 = float(x[0]), float(x[1]), float(x[2])
    d = _HS25_U - x2
    p2 = -x3 * p / d                    # dp/dx2
    p3 = p * log_d                      # dp/dx3
    p22 = x3 * (x3 - 1.0) * p / (d * d)
    p23 = -(p / d) * (1.0 + x3 * log_d)
    p33 = p * log_d * log_d
    grad = np.array([p / x1 ** 2, -p2 / x1, -p3 / x1])
    hess = np.empty((3, 3, p.shape[0]))
    hess[0, 0] = -2.0 * p / x1 ** 3
    hess[0, 1] = hess[1, 0] = p2 / x1 ** 2
    hess[0, 2] = hess[2, 0] = p3 / x1 ** 2
    hess[1, 1] = -p22 / x1
    hess[1, 2] = hess[2, 1] = -p23 / x1
    hess[2, 2] = -p33 / x1
    return grad, hess


def _hs25_fun(x):
    r = _hs25_parts(x)[0]
    return float(r @ r)


def _hs25_jac(x):
    r, e, p, log_d = _hs25_parts(x)
    grad_s = _hs25_s_derivatives(x, p, log_d)[0]
    return 2.0 * (grad_s * e) @ r


def _hs25_hess(x):
    r, e, p, log_d = _hs25_parts(x)
    grad_s, hess_s = _hs25_s_derivatives(x, p, log_d)
    jac_r = grad_s * e                  # dr_i/dx_j, shape (3, 99)
    # Hess r_i = e_i (grad s_i grad s_i^T + Hess s_i)
    hess_r = e * (grad_s[:, None, :] * grad_s[None, :, :] + hess_s)
    return 2.0 * (jac_r @ jac_r.T + hess_r @ r)


def _hs45_fun(x):
    return float(2.0 - np.prod(x) / 120.0)


def _hs45_jac(x):
    return -_products_without(np.asarray(x, dtype=np.float64))[0] / 120.0


def _hs45_hess(x):
    return -_products_without(np.asarray(x, dtype=np.float64))[1] / 120.0


def _hs2_roots():
    """The roots of 400 x**3 - 598 x - 2 = 0, largest first.

    With x2 held at its bound 1.5, df/dx1 = 0 is this cubic; its three real
    roots come from the trigonometric form of Cardano's formula. The
    largest is x1 of HS2's minimizer, the smallest of a local minimizer, the
    middle one of a maximum along x1.
    """
    p, q = -598.0 / 400.0, -2.0 / 400.0
    radius = 2.0 * math.sqrt(-p / 3.0)
    angle = math.acos(3.0 * q / (p * radius)) / 3.0
    return [radius * math.cos(angle - 2.0 * math.pi * k / 3.0) for k in range(3)]


def hock_schittkowski(number: int) -> BoundedProblem:
    """A bound-constrained problem of Hock & Schittkowski (1981).

    Parameters
    ----------
    number : int
        One of :data:`HS_NUMBERS`: 1, 2, 3, 4, 5, 25, 38, 45.

    Returns
    -------
    BoundedProblem
        Named ``"hs<number>"``, with the published starting point and
        solution (``x_min``, ``f_min``, ``active_at_min``):

        * 1: Rosenbrock, ``x2 >= -1.5``; x* = (1, 1) (bound inactive).
        * 2: Rosenbrock, ``x2 >= 1.5``; x1* the largest root of
          ``400 x**3 - 598 x - 2`` (1.2244), f* = 0.0504261879; x0 = (-2, 1)
          is infeasible, and from it solvers usually reach the local
          minimizer (-1.2211, 1.5), f = 4.9412 (the smallest root; in
          ``local_minima``).
        * 3: ``x2 + 1e-5 (x2 - x1)**2``, ``x2 >= 0``; x* = (0, 0).
        * 4: ``(x1 + 1)**3 / 3 + x2``, ``x1 >= 1, x2 >= 0``; x* = (1, 0), a
          corner.
        * 5: ``sin(x1 + x2) + (x1 - x2)**2 - 1.5 x1 + 2.5 x2 + 1`` in
          [-1.5, 4] x [-3, 3]; x* = (1/2 - π/3, -1/2 - π/3), interior.
        * 25: a 99-residual exponential fit in [0.1, 100] x [0, 25.6] x
          [0, 5]; x* = (50, 25, 1.5), f* = 0, interior.
        * 38: Wood's function in [-10, 10]**4; x* = (1, 1, 1, 1), interior.
        * 45: ``2 - x1 x2 x3 x4 x5 / 120``, ``0 <= x_i <= i``; x* = (1, ...,
          5), every variable at its upper bound; x0 = (2, ..., 2) is
          infeasible. Nonconvex (the Hessian is indefinite everywhere in the
          box's interior).

    Raises
    ------
    ValueError
        If `number` is not in :data:`HS_NUMBERS`.

    Examples
    --------
    >>> from fastnewton.bounded_problems import hock_schittkowski
    >>> p = hock_schittkowski(45)
    >>> p.x_min, p.f_min
    (array([1., 2., 3., 4., 5.]), 1.0)
    """
    if number not in HS_NUMBERS:
        raise ValueError(f"number must be one of {HS_NUMBERS}, got {number!r}")
    inf = np.inf
    name = f"hs{number}"
    if number in (1, 2):
        rosen = _problems.rosenbrock(2)
        if number == 1:
            return BoundedProblem(name, [-2.0, 1.0], rosen.fun, rosen.jac, rosen.hess,
                                  [-inf, -1.5], inf, x_min=[1.0, 1.0], f_min=0.0,
                                  active_at_min=[0, 0], hessp=rosen.hessp,
                                  notes="Rosenbrock; bound inactive at the solution")
        largest, _, smallest = sorted(_hs2_roots(), reverse=True)
        x_min, x_local = np.array([largest, 1.5]), np.array([smallest, 1.5])
        return BoundedProblem(name, [-2.0, 1.0], rosen.fun, rosen.jac, rosen.hess,
                              [-inf, 1.5], inf, x_min=x_min, f_min=rosen.fun(x_min),
                              active_at_min=[0, -1], hessp=rosen.hessp,
                              local_minima=[(x_local, rosen.fun(x_local))],
                              notes="Rosenbrock; x0 infeasible; a local minimizer near it")
    if number == 3:
        return BoundedProblem(name, [10.0, 1.0], _hs3_fun, _hs3_jac, _hs3_hess, [-inf, 0.0], inf,
                              x_min=[0.0, 0.0], f_min=0.0, active_at_min=[0, -1],
                              notes="nearly linear; very flat in x1")
    if number == 4:
        return BoundedProblem(name, [1.125, 0.125], _hs4_fun, _hs4_jac, _hs4_hess, [1.0, 0.0],
                              inf, x_min=[1.0, 0.0], f_min=8.0 / 3.0, active_at_min=[-1, -1],
                              notes="minimizer at a corner")
    if number == 5:
        third = math.pi / 3.0
        return BoundedProblem(name, [0.0, 0.0], _hs5_fun, _hs5_jac, _hs5_hess, [-1.5, -3.0],
                              [4.0, 3.0], x_min=[0.5 - third, -0.5 - third],
                              f_min=-math.sqrt(3.0) / 2.0 - third, active_at_min=[0, 0],
                              notes="interior minimizer; nonconvex")
    if number == 25:
        return BoundedProblem(name, [100.0, 12.5, 3.0], _hs25_fun, _hs25_jac, _hs25_hess,
                              [0.1, 0.0, 0.0], [100.0, 25.6, 5.0], x_min=[50.0, 25.0, 1.5],
                              f_min=0.0, active_at_min=[0, 0, 0],
                              notes="zero-residual exponential fit; x0 on a bound")
    if number == 38:
        wood = _problems.wood()
        return BoundedProblem(name, [-3.0, -1.0, -3.0, -1.0], wood.fun, wood.jac, wood.hess,
                              -10.0, 10.0, x_min=np.ones(4), f_min=0.0, active_at_min=0,
                              hessp=wood.hessp, notes="Wood's function in a box")
    return BoundedProblem(name, np.full(5, 2.0), _hs45_fun, _hs45_jac, _hs45_hess, 0.0,
                          np.arange(1.0, 6.0), x_min=np.arange(1.0, 6.0), f_min=1.0,
                          active_at_min=1, notes="all at upper bounds; x0 infeasible")


# ---------------------------------------------------------------------------
# Classic problems in boxes that cut off their minimizer
# ---------------------------------------------------------------------------

def _boxed(problem, lower, upper, x0=None, name=None, notes=""):
    """`problem` (a fastnewton.problems.TestProblem) restricted to a box, band included."""
    return BoundedProblem(name or f"{problem.name}_{problem.n}_box",
                          problem.x0 if x0 is None else x0, problem.fun, problem.jac,
                          problem.hess, lower, upper, hessp=problem.hessp,
                          bandwidth=problem.bandwidth, hess_band=problem.hess_band, notes=notes)


def boxed_classics() -> list[BoundedProblem]:
    """Classic unconstrained problems in boxes that exclude their minimizer.

    Returns
    -------
    list of BoundedProblem
        Rosenbrock n = 2 in [-1.5, 0.5] x [-0.5, 2]; Rosenbrock n = 10 with
        the odd-indexed variables at most 0.8; Beale with ``x2 <= 0.4``;
        Wood in [-10, 10]**4 with ``x3 >= 1.2``; Powell singular with ``x1 >= 0.1``;
        extended Powell (n = 8) in [0.05, 2]**8; Rosenbrock n = 4 with
        ``x2`` fixed at 0.5. The Rosenbrock ones keep their tridiagonal
        band (``bandwidth`` 1, ``hess_band``), nonquadratic banded
        problems with bounds. The solutions are not stored (``x_min``,
        ``f_min`` and ``active_at_min`` are None): the tests compute
        them with scipy.

    Examples
    --------
    >>> from fastnewton.bounded_problems import boxed_classics
    >>> [p.name for p in boxed_classics()][:2]
    ['rosenbrock_2_box', 'rosenbrock_10_box']
    """
    inf = np.inf
    rosen10_upper = np.where(np.arange(10) % 2 == 1, 0.8, inf)
    fixed_lower = np.full(4, -inf)
    fixed_upper = np.full(4, inf)
    fixed_lower[2] = fixed_upper[2] = 0.5
    return [
        _boxed(_problems.rosenbrock(2), [-1.5, -0.5], [0.5, 2.0],
               notes="minimizer (1, 1) cut off by x1 <= 0.5"),
        _boxed(_problems.rosenbrock(10), -inf, rosen10_upper,
               notes="odd-indexed variables <= 0.8"),
        _boxed(_problems.beale(), -4.5, [4.5, 0.4], notes="minimizer (3, 0.5) cut off"),
        _boxed(_problems.wood(), [-10.0, -10.0, 1.2, -10.0], 10.0,
               notes="HS38's box with x3 >= 1.2: minimizer (1, 1, 1, 1) cut off"),
        _boxed(_problems.powell_singular(), [0.1, -inf, -inf, -inf], inf,
               notes="singular Hessian at the unconstrained minimizer, cut off"),
        _boxed(_problems.extended_powell(8), 0.05, 2.0, x0=np.full(8, 1.0),
               notes="minimizer 0 cut off on every variable"),
        _boxed(_problems.rosenbrock(4), fixed_lower, fixed_upper,
               x0=[-1.2, 1.0, 0.5, 1.0], name="rosenbrock_4_fixed",
               notes="x2 fixed (lower == upper) at 0.5"),
    ]


# ---------------------------------------------------------------------------
# Manufactured degenerate cases with known solutions
# ---------------------------------------------------------------------------

def _manufactured(name, x_star, multipliers, lower, upper, x0, active, notes, seed):
    """A strictly convex f whose minimizer in the box is `x_star`, by construction.

    ``f(x) = ½ dᵀ A d + λᵀ d + ¼ Σ d_i⁴`` with ``d = x - x_star``, A
    symmetric positive definite: ``∇f(x_star) = λ``, so `x_star` satisfies
    the KKT conditions when λ is zero on the free variables, non-negative at
    lower bounds and non-positive at upper ones; with f strictly convex it
    is the unique minimizer, and ``f(x_star) = 0``.
    """
    x_star = np.array(x_star, dtype=np.float64)
    lam = np.array(multipliers, dtype=np.float64)
    n = x_star.shape[0]
    m = np.random.default_rng(seed).standard_normal((n, n))
    a = m @ m.T / n + np.eye(n)

    def fun(x):
        d = np.asarray(x, dtype=np.float64) - x_star
        d2 = d * d
        return float(0.5 * d @ (a @ d) + lam @ d + 0.25 * (d2 @ d2))

    def jac(x):
        d = np.asarray(x, dtype=np.float64) - x_star
        return a @ d + lam + d * d * d

    def hess(x):
        d = np.asarray(x, dtype=np.float64) - x_star
        return a + np.diag(3.0 * d * d)

    return BoundedProblem(name, x0, fun, jac, hess, lower, upper, x_min=x_star, f_min=0.0,
                          active_at_min=active, notes=notes)


def degenerate_problems() -> list[BoundedProblem]:
    """Degenerate bound-constrained cases with known solutions.

    Returns
    -------
    list of BoundedProblem
        * ``zero_multiplier``: n = 6, two variables at a bound with a zero
          multiplier (the unconstrained minimizer lies exactly on the
          bound), two at a bound with a nonzero one, two free;
        * ``corner``: n = 4, the minimizer a corner of the box, two
          variables at lower and two at upper bounds;
        * ``fixed``: n = 5, two fixed variables (``lower == upper``), one
          with a nonzero and one with a zero derivative at the minimizer;
        * ``all_fixed``: n = 3, every variable fixed;
        * ``huge_bounds``: n = 4, bounds of ``±1e300`` (to be treated as
          infinite) on a problem whose minimizer is interior;
        * ``entropy``: n = 4, ``Σ x_i log x_i - c_i x_i`` in
          ``[1e-12, u]``, whose callables raise ``ValueError`` at any point
          with a coordinate ``<= 0``, so a solver (or a finite-difference
          step) that leaves the box is caught; minimizer
          ``clip(exp(c - 1), 1e-12, u)``, one variable at each bound (the
          Hessian ``diag(1/x)`` is 1e12 at the lower one).

        All but ``entropy`` are strictly convex quartics
        ``½ dᵀ A d + λᵀ d + ¼ Σ d_i⁴``, ``d = x - x*``, built so that x* is
        their minimizer in the box (``f_min = 0``).

    Examples
    --------
    >>> from fastnewton.bounded_problems import degenerate_problems
    >>> p = degenerate_problems()[1]
    >>> p.name, p.active_at_min
    ('corner', array([-1, -1,  1,  1]))
    """
    inf = np.inf
    return [
        _manufactured("zero_multiplier", [0.0, 1.0, 2.0, -1.0, 0.3, -0.7],
                      [0.0, 0.0, 1.5, -2.0, 0.0, 0.0],
                      [0.0, -inf, 2.0, -5.0, -inf, -2.0], [inf, 1.0, 3.0, -1.0, inf, 2.0],
                      [1.0, 0.0, 2.5, -3.0, 1.0, 1.0], [-1, 1, -1, 1, 0, 0],
                      "two bounds active with zero multipliers", seed=1),
        _manufactured("corner", [1.0, -2.0, 0.5, 3.0], [2.0, 0.5, -1.0, -3.0],
                      [1.0, -2.0, -1.0, 0.0], [4.0, 2.0, 0.5, 3.0], [2.0, 0.0, 0.0, 1.0],
                      [-1, -1, 1, 1], "minimizer at a corner", seed=2),
        _manufactured("fixed", [0.5, 0.5, 1.0, -1.0, 2.0], [0.0, -1.0, 0.0, 0.7, 0.0],
                      [-inf, 0.5, 1.0, -1.0, -inf], [inf, 0.5, 1.0, 1.0, inf],
                      [0.0, 0.5, 1.0, 0.0, 0.0], [0, 1, -1, -1, 0],
                      "two fixed variables (lower == upper)", seed=3),
        _manufactured("all_fixed", [1.0, -1.0, 2.0], [1.0, -1.0, 0.0], [1.0, -1.0, 2.0],
                      [1.0, -1.0, 2.0], [1.0, -1.0, 2.0], [-1, 1, -1],
                      "every variable fixed", seed=4),
        _manufactured("huge_bounds", [1.0, -2.0, 0.5, 3.0], np.zeros(4), -1e300,
                      [1e300, 1e300, inf, 1e300], np.zeros(4), 0,
                      "bounds of ±1e300, to be treated as infinite", seed=5),
        _entropy(),
    ]


# Entropy problem data: x* = clip(exp(c - 1), lower, upper) puts x2 at its
# upper bound 5 (exp(2) > 5) and x3 at its lower bound 1e-12 (exp(-31) < 1e-12).
_ENTROPY_C = np.array([0.5, 3.0, -30.0, 1.0])
_ENTROPY_LOWER = 1e-12
_ENTROPY_UPPER = np.array([2.0, 5.0, 1.0, 1.5])


def _entropy_domain(x):
    x = np.asarray(x, dtype=np.float64)
    if not np.all(x > 0.0):
        raise ValueError(f"entropy: evaluated outside its domain x > 0, at x = {x!r}")
    return x


def _entropy_fun(x):
    x = _entropy_domain(x)
    return float(np.sum(x * np.log(x) - _ENTROPY_C * x))


def _entropy_jac(x):
    x = _entropy_domain(x)
    return np.log(x) + 1.0 - _ENTROPY_C


def _entropy_hess(x):
    return np.diag(1.0 / _entropy_domain(x))


def _entropy():
    """Σ x_i log x_i - c_i x_i in [1e-12, u]: undefined outside the box, solved in closed form."""
    x_min = np.clip(np.exp(_ENTROPY_C - 1.0), _ENTROPY_LOWER, _ENTROPY_UPPER)
    return BoundedProblem("entropy", np.ones(4), _entropy_fun, _entropy_jac, _entropy_hess,
                          _ENTROPY_LOWER, _ENTROPY_UPPER, x_min=x_min,
                          f_min=_entropy_fun(x_min), active_at_min=[0, 1, -1, 0],
                          notes="raises ValueError outside x > 0; a bound at 1e-12")


def bounded_problems() -> list[BoundedProblem]:
    """Return the small bound-constrained set.

    Returns
    -------
    list of BoundedProblem
        The Hock & Schittkowski problems (:func:`hock_schittkowski`), the
        boxed classics (:func:`boxed_classics`), the degenerate cases
        (:func:`degenerate_problems`) and a 1-D obstacle problem at n = 50
        (:func:`obstacle_1d`), each freshly built.

    Examples
    --------
    >>> from fastnewton.bounded_problems import bounded_problems
    >>> len(bounded_problems())
    22
    """
    return ([hock_schittkowski(k) for k in HS_NUMBERS] + boxed_classics()
            + degenerate_problems() + [obstacle_1d(50)])


# ---------------------------------------------------------------------------
# Quadratics on grids: MINPACK-2 torsion and obstacle, 1-D obstacle
# ---------------------------------------------------------------------------

def _grid_quadratic(name, nx, ny, load, lower, upper, x0, notes):
    """½ vᵀ H v - load·hx·hy Σ v on the nx × ny interior grid of the unit square.

    H is the 5-point Laplacian with zero boundary values, scaled by the cell
    area hx·hy: it is also the stiffness matrix of piecewise-linear elements
    on the triangulation of MINPACK-2: every edge lies in one lower and one
    upper triangle of area hx·hy/2, so the element energy is the scaled
    5-point energy. Natural ordering k = i + nx·j (i along
    x), so the band has b = nx.
    """
    hx, hy = 1.0 / (nx + 1), 1.0 / (ny + 1)
    wx, wy = hy / hx, hx / hy           # edge weights of the scaled stencil
    linear = load * hx * hy
    n = nx * ny

    def edge_differences(v):
        grid = np.asarray(v, dtype=np.float64).reshape(ny, nx)
        along_x = np.diff(grid, axis=1, prepend=0.0, append=0.0)     # (ny, nx + 1)
        along_y = np.diff(grid, axis=0, prepend=0.0, append=0.0)     # (ny + 1, nx)
        return along_x, along_y

    def stencil(v):
        along_x, along_y = edge_differences(v)
        out = wx * (along_x[:, :-1] - along_x[:, 1:])
        out += wy * (along_y[:-1] - along_y[1:])
        return out.reshape(-1)

    def fun(v):
        along_x, along_y = edge_differences(v)
        return float(0.5 * (wx * np.vdot(along_x, along_x) + wy * np.vdot(along_y, along_y))
                     - linear * np.sum(v))

    def jac(v):
        g = stencil(v)
        g -= linear
        return g

    def hessp(v, p):
        return stencil(p)

    def hess_band(v):
        band = np.zeros((nx + 1, n))
        band[0] = 2.0 * (wx + wy)
        if nx > 1:
            band[1] = -wx
            band[1, nx - 1::nx] = 0.0   # the last point of a row has no right neighbour
        band[nx, :n - nx] -= wy
        return band

    return BoundedProblem(name, x0, fun, jac, _problems._dense_from_band(hess_band, name),
                          lower, upper, hessp=hessp, bandwidth=nx, hess_band=hess_band,
                          notes=notes)


def _grid_points(nx, ny):
    """Coordinates (ξ1, ξ2) of the interior points, flattened in natural order."""
    xi1 = np.arange(1, nx + 1) / (nx + 1)
    xi2 = np.arange(1, ny + 1) / (ny + 1)
    return np.tile(xi1, ny), np.repeat(xi2, nx)


def _check_grid(nx, ny):
    nx, ny = int(nx), int(ny)
    if nx < 1 or ny < 1:
        raise ValueError(f"nx and ny must be at least 1, got {nx} and {ny}")
    return nx, ny


def torsion(nx: int, ny: int, c: float = 5.0) -> BoundedProblem:
    """MINPACK-2 elastic-plastic torsion problem on the unit square.

    Minimize ``q(v) = ∫ ½‖∇v‖² - c v`` subject to ``|v| <= dist(·, ∂D)``,
    discretized on the ``nx × ny`` interior points of a uniform grid with
    zero boundary values.

    Parameters
    ----------
    nx, ny : int
        Interior grid points along x and y; n = nx·ny.
    c : float, optional
        The angle of twist per unit length (the load). Default 5, as in
        MINPACK-2.

    Returns
    -------
    BoundedProblem
        A strictly convex quadratic: ``hess`` is constant, the 5-point
        Laplacian scaled by the cell area hx·hy, which equals the
        piecewise-linear finite-element stiffness matrix of MINPACK-2's
        triangulation (the linear term is also the one of MINPACK-2:
        ``c·hx·hy`` per point). Banded in natural ordering with
        ``bandwidth`` nx; ``hess_band`` is vectorized, ``hess`` is dense
        (only for small grids). Bounds ``±d`` with d the distance to the
        boundary; x0 = d, the upper bound (a feasible start on the box's
        boundary). The solution is not stored (x_min None); at c = 5 about
        a third of the points end at their upper bound (the plastic
        region; 31 % on a 32 × 32 grid).

    Examples
    --------
    >>> from fastnewton.bounded_problems import torsion
    >>> p = torsion(10, 10)
    >>> p.n, p.bandwidth
    (100, 10)
    """
    nx, ny = _check_grid(nx, ny)
    xi1, xi2 = _grid_points(nx, ny)
    distance = np.minimum(np.minimum(xi1, 1.0 - xi1), np.minimum(xi2, 1.0 - xi2))
    return _grid_quadratic(f"torsion_{nx}x{ny}", nx, ny, float(c), -distance, distance,
                           distance, notes=f"MINPACK-2 elastic-plastic torsion, c = {c:g}")


def obstacle(nx: int, ny: int) -> BoundedProblem:
    """Obstacle problem on the unit square, after MINPACK-2.

    Minimize ``q(v) = ∫ ½‖∇v‖² - v`` (a unit load) subject to
    ``ψ_L <= v <= ψ_U`` with ``ψ_L(ξ) = sin(9.2 ξ1) sin(9.3 ξ2)`` and
    ``ψ_U = ψ_L + 0.02``, discretized on the ``nx × ny`` interior points of
    a uniform grid with zero boundary values; the two obstacles leave a thin
    channel, so many variables end at one of their bounds.

    Parameters
    ----------
    nx, ny : int
        Interior grid points along x and y; n = nx·ny.

    Returns
    -------
    BoundedProblem
        A strictly convex quadratic with the same Hessian as
        :func:`torsion` (the area-scaled 5-point Laplacian, ``bandwidth``
        nx). x0 = ψ_L + 0.01, the middle of the channel (feasible). The
        solution is not stored (x_min None); on a 32 × 32 grid 46 % of
        the variables end at the lower and 38 % at the upper obstacle.

    Notes
    -----
    The obstacles and the load are those we state here, in the spirit of
    MINPACK-2's obstacle problem; the discretization is the area-scaled
    finite-difference one, identical to MINPACK-2's piecewise-linear
    elements.

    Examples
    --------
    >>> from fastnewton.bounded_problems import obstacle
    >>> p = obstacle(20, 30)
    >>> p.hess_band(p.x0).shape
    (21, 600)
    """
    nx, ny = _check_grid(nx, ny)
    xi1, xi2 = _grid_points(nx, ny)
    floor = np.sin(9.2 * xi1) * np.sin(9.3 * xi2)
    return _grid_quadratic(f"obstacle_{nx}x{ny}", nx, ny, 1.0, floor, floor + 0.02,
                           floor + 0.01, notes="obstacles sin(9.2 x) sin(9.3 y) (+ 0.02)")


# 1-D obstacle: a string with fixed ends under a uniform downward load,
# resting on a wavy floor.
_STRING_LOAD = 100.0


def _string_floor(xi):
    return -0.9 + 0.4 * np.cos(6.0 * np.pi * xi)


def obstacle_1d(n: int) -> BoundedProblem:
    """A loaded string resting on an obstacle: a tridiagonal bound-constrained quadratic.

    Minimize ``h Σ_{i=0}^{n} ½ ((u_{i+1} - u_i) / h)² + h q Σ u_i``
    (``h = 1/(n + 1)``, ``u_0 = u_{n+1} = 0``, load ``q = 100`` pulling
    down) subject to ``u_i >= ψ(i h)``, ``ψ(ξ) = -0.9 + 0.4 cos(6πξ)``:
    ``½ uᵀ A u - fᵀ u`` with ``A = tridiag(-1, 2, -1) / h`` and
    ``f = -q h``, the finite-difference system times h (so the gradient is
    h times the residual of ``-u'' = -q``, and its rounding error stays
    near ``eps |u| / h``).

    Parameters
    ----------
    n : int
        Number of interior points, at least 1.

    Returns
    -------
    BoundedProblem
        Strictly convex, ``bandwidth`` 1. The floor curves more sharply
        in its valleys than the loaded string can, so the string rests on
        the floor's slopes and crests and bridges the valleys: about 40 %
        of the variables end at their lower bound. x0 = 0 (the unloaded string, feasible, far
        from the solution). ``fun``, ``jac``, ``hessp`` and ``hess_band``
        are O(n) and vectorized (n = 10**6 takes milliseconds); ``hess`` is
        dense, refused above n = 5000. The solution is not stored.

    Examples
    --------
    >>> from fastnewton.bounded_problems import obstacle_1d
    >>> p = obstacle_1d(1000)
    >>> p.bandwidth, p.hess_band(p.x0).shape
    (1, (2, 1000))
    """
    n = int(n)
    if n < 1:
        raise ValueError(f"obstacle_1d needs n >= 1, got {n}")
    h = 1.0 / (n + 1)
    inv_h = 1.0 / h
    linear = -_STRING_LOAD * h
    floor = _string_floor(np.arange(1, n + 1) * h)

    def stencil(u):
        u = np.asarray(u, dtype=np.float64)
        out = 2.0 * u
        out[1:] -= u[:-1]
        out[:-1] -= u[1:]
        out *= inv_h
        return out

    def fun(u):
        u = np.asarray(u, dtype=np.float64)
        du = np.diff(u, prepend=0.0, append=0.0)
        return float(0.5 * inv_h * (du @ du) - linear * np.sum(u))

    def jac(u):
        g = stencil(u)
        g -= linear
        return g

    def hessp(u, p):
        return stencil(p)

    def hess_band(u):
        band = np.empty((2, n))
        band[0] = 2.0 * inv_h
        band[1, :-1] = -inv_h
        band[1, -1] = 0.0
        return band

    name = f"obstacle_1d_{n}"
    return BoundedProblem(name, np.zeros(n), fun, jac, _problems._dense_from_band(hess_band, name),
                          floor, np.inf, hessp=hessp, bandwidth=1, hess_band=hess_band,
                          notes="loaded string on a wavy floor; large contact set")
