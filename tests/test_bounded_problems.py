"""Tests for fastnewton.bounded_problems against independent references.

Derivatives against fourth-order central differences; the stored solutions
against the KKT conditions and against scipy's L-BFGS-B and trust-constr;
the grid quadratics against matrices assembled independently (scipy.sparse
Kronecker products, a loop over MINPACK-2's triangles) and against the
bounded least-squares solver scipy.optimize.lsq_linear.
"""

import math
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.linalg as sl
import scipy.optimize as so
import scipy.sparse as sp

from fastnewton import bounded_problems as B
from fastnewton import problems as P
from reference_derivatives import fd_gradient, fd_hessian

SMALL = B.bounded_problems()
GRIDS = [B.torsion(5, 4), B.torsion(3, 1), B.obstacle(4, 6), B.obstacle_1d(9)]
ALL = SMALL + GRIDS
KNOWN = [p for p in SMALL if p.x_min is not None]
UNKNOWN = [p for p in SMALL if p.x_min is None]


def _ids(problems):
    return [p.name for p in problems]


def _points(prob, seed=0):
    """The projected start, the known solution, and random points of the box near the start.

    entropy's callables raise at x <= 0 and its derivatives vary like 1/x,
    so there the points keep 0.2 above the lower bound: the difference
    steps stay in the domain and resolve the curvature.
    """
    rng = np.random.default_rng(seed)
    start = prob.project(prob.x0)
    low = np.maximum(prob.lower, start - 1.0)
    high = np.minimum(prob.upper, start + 1.0)
    points = [start] + ([] if prob.x_min is None else [prob.x_min])
    points += [low + (high - low) * rng.uniform(size=prob.n) for _ in range(2)]
    if prob.name == "entropy":
        points = [np.maximum(x, prob.lower + 0.2) for x in points]
    return points


def _free_hessian_eigenvalues(prob, x, active):
    free = np.flatnonzero(active == 0)
    return np.linalg.eigvalsh(prob.hess(x)[np.ix_(free, free)]) if free.size else np.zeros(0)


def _active(prob, x, tol=0.0):
    """-1 / +1 / 0 where x sits at its lower / upper bound / strictly inside."""
    at_lower = x <= prob.lower + tol
    at_upper = x >= prob.upper - tol
    g = prob.jac(x)
    # A fixed variable is held by the side whose multiplier has the right sign.
    return np.where(at_lower & at_upper, np.where(g >= 0, -1, 1),
                    np.where(at_lower, -1, np.where(at_upper, 1, 0)))


def _lbfgsb(prob, x0=None):
    return so.minimize(prob.fun, prob.project(prob.x0) if x0 is None else x0, jac=prob.jac,
                       method="L-BFGS-B", bounds=prob.bounds,
                       options={"ftol": 0.0, "gtol": 1e-12, "maxiter": 50_000, "maxcor": 20})


def _trust_constr(prob):
    # trust-constr cannot use bounds of ±1e300 (its barrier overflows): a
    # bound that large means no bound, so the reference is given none.
    lower = np.where(prob.lower <= -1e300, -np.inf, prob.lower)
    upper = np.where(prob.upper >= 1e300, np.inf, prob.upper)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # its "delta_grad == 0.0" notes on quadratics
        return so.minimize(prob.fun, prob.project(prob.x0), jac=prob.jac, hess=prob.hess,
                           method="trust-constr", bounds=so.Bounds(lower, upper),
                           options={"gtol": 1e-12, "xtol": 1e-14, "barrier_tol": 1e-12,
                                    "initial_barrier_parameter": 1e-2, "maxiter": 5000})


# ---------------------------------------------------------------------------
# The class and the set
# ---------------------------------------------------------------------------

def test_the_set():
    names = _ids(SMALL)
    assert len(names) == len(set(names))
    assert {f"hs{k}" for k in B.HS_NUMBERS} <= set(names)
    assert B.HS_NUMBERS == (1, 2, 3, 4, 5, 25, 38, 45)
    for p in ALL:
        assert p.lower.shape == p.upper.shape == p.x0.shape == (p.n,)
        assert np.all(p.lower <= p.upper)
        assert isinstance(p.fun(p.project(p.x0)), float)
        if p.active_at_min is not None:
            assert set(np.unique(p.active_at_min)) <= {-1, 0, 1}
    # The degenerate cases the set promises.
    assert {"zero_multiplier", "corner", "huge_bounds", "entropy"} <= set(names)
    fixed = [p for p in SMALL if np.any(p.lower == p.upper)]
    assert {"fixed", "all_fixed", "rosenbrock_4_fixed"} <= set(_ids(fixed))
    assert np.all(B.degenerate_problems()[3].lower == B.degenerate_problems()[3].upper)
    huge = [p for p in SMALL if np.any(np.abs(np.r_[p.lower, p.upper]) == 1e300)]
    assert _ids(huge) == ["huge_bounds"]
    corners = [p.name for p in KNOWN if np.all(p.active_at_min != 0)]
    assert {"hs4", "hs45", "corner", "all_fixed"} <= set(corners)


def test_the_class_copies_and_validates():
    p = B.hock_schittkowski(5)
    for name in ("x0", "lower", "upper", "x_min", "active_at_min"):
        value = getattr(p, name)
        value[...] = 7
        assert not np.any(getattr(p, name) == 7), name
    assert isinstance(p.bounds, so.Bounds)
    np.testing.assert_array_equal(p.bounds.lb, [-1.5, -3.0])
    np.testing.assert_array_equal(p.bounds.ub, [4.0, 3.0])
    np.testing.assert_array_equal(p.project([-9.0, 1.0]), [-1.5, 1.0])
    x = np.array([0.2, 2.9])
    np.testing.assert_array_equal(p.projected_gradient(x),
                                  np.clip(x - p.jac(x), p.lower, p.upper) - x)
    f = P.quadratic(2, seed=0)
    with pytest.raises(ValueError, match="lower"):
        B.BoundedProblem("x", [0.0, 0.0], f.fun, f.jac, f.hess, [1.0, 0.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="NaN"):
        B.BoundedProblem("x", [0.0, 0.0], f.fun, f.jac, f.hess, np.nan, 1.0)
    with pytest.raises(ValueError, match="bandwidth"):
        B.BoundedProblem("x", [0.0, 0.0], f.fun, f.jac, f.hess, 0.0, 1.0, bandwidth=1)
    with pytest.raises(ValueError, match="hock_schittkowski|one of"):
        B.hock_schittkowski(6)
    for bad in (lambda: B.torsion(0, 3), lambda: B.obstacle(2, 0), lambda: B.obstacle_1d(0)):
        with pytest.raises(ValueError):
            bad()


def test_the_callables_do_not_modify_their_input():
    for p in ALL:
        x = p.project(p.x0)
        keep = x.copy()
        v = np.ones(p.n)
        p.fun(x), p.jac(x), p.hess(x), p.hessp(x, v)
        if p.hess_band is not None:
            p.hess_band(x)
        np.testing.assert_array_equal(x, keep)
        np.testing.assert_array_equal(v, 1.0)


# ---------------------------------------------------------------------------
# Derivatives
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("prob", ALL, ids=_ids(ALL))
def test_derivatives_match_central_differences(prob):
    rng = np.random.default_rng(1)
    for x in _points(prob):
        g = prob.jac(x)
        assert g.shape == (prob.n,)
        scale = max(1.0, np.abs(g).max())
        np.testing.assert_allclose(g, fd_gradient(prob, x), rtol=0, atol=1e-7 * scale)
        h = prob.hess(x)
        np.testing.assert_array_equal(h, h.T)
        fd = fd_hessian(prob, x)
        scale = max(1.0, np.abs(fd).max())
        np.testing.assert_allclose(h, fd, rtol=0, atol=1e-7 * scale)
        v = rng.standard_normal(prob.n)
        np.testing.assert_allclose(prob.hessp(x, v), h @ v, rtol=1e-12,
                                   atol=1e-13 * scale * np.abs(v).sum())


BANDED = [p for p in ALL if p.bandwidth is not None]


def test_which_problems_are_banded():
    assert {p.name for p in BANDED} == {p.name for p in GRIDS} | {
        "rosenbrock_2_box", "rosenbrock_10_box", "rosenbrock_4_fixed", "obstacle_1d_50"}


@pytest.mark.parametrize("prob", BANDED, ids=_ids(BANDED))
def test_band_storage_is_the_dense_hessian(prob):
    x = _points(prob)[-1]
    band = prob.hess_band(x)
    b = prob.bandwidth
    assert band.shape == (b + 1, prob.n)
    h = prob.hess(x)
    dense = np.zeros_like(h)
    for k in range(b + 1):
        idx = np.arange(prob.n - k)
        dense[idx + k, idx] = band[k, :prob.n - k]
        dense[idx, idx + k] = band[k, :prob.n - k]
        np.testing.assert_array_equal(band[k, prob.n - k:], 0.0)
    np.testing.assert_array_equal(dense, h)
    # LAPACK reads the band in the lower layout and finds the dense spectrum.
    np.testing.assert_allclose(sl.eigvals_banded(band, lower=True), np.linalg.eigvalsh(h),
                               rtol=1e-10, atol=1e-12 * np.abs(h).max())


def test_hs25_at_its_solution_has_zero_residuals():
    p = B.hock_schittkowski(25)
    assert p.fun(p.x_min) < 1e-28
    np.testing.assert_allclose(p.jac(p.x_min), 0.0, atol=1e-14)


# ---------------------------------------------------------------------------
# Known solutions: KKT, the stored values, and scipy
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("prob", KNOWN, ids=_ids(KNOWN))
def test_known_solution_satisfies_kkt(prob):
    x = prob.x_min
    np.testing.assert_array_equal(prob.project(x), x)
    assert prob.fun(x) == pytest.approx(prob.f_min, rel=1e-12, abs=1e-14)
    g = prob.jac(x)
    assert np.abs(prob.projected_gradient(x)).max() <= 1e-10
    active = prob.active_at_min
    np.testing.assert_array_equal(_active(prob, x), active)
    # Multipliers: g ≥ 0 at a lower bound, ≤ 0 at an upper one, zero if free.
    assert np.all(g[active == -1] >= -1e-12)
    assert np.all(g[active == 1] <= 1e-12)
    np.testing.assert_allclose(g[active == 0], 0.0, atol=1e-10)
    # Second order: the Hessian on the free variables is positive semidefinite.
    assert np.all(_free_hessian_eigenvalues(prob, x, active) >= -1e-10)
    for x_local, f_local in prob.local_minima:
        assert np.abs(prob.projected_gradient(x_local)).max() <= 1e-10
        assert prob.fun(x_local) == f_local > prob.f_min


def test_hs_published_values():
    # Hock & Schittkowski (1981) print these minima.
    expected = {1: 0.0, 2: 0.0504261879, 3: 0.0, 4: 8.0 / 3.0, 5: -1.9132229549,
                25: 0.0, 38: 0.0, 45: 1.0}
    for number, f_min in expected.items():
        p = B.hock_schittkowski(number)
        assert p.fun(p.x_min) == pytest.approx(f_min, abs=1e-9)
    np.testing.assert_allclose(B.hock_schittkowski(2).x_min, [1.224370749, 1.5], atol=1e-9)
    np.testing.assert_allclose(B.hock_schittkowski(5).x_min, [-0.54719755, -1.54719755],
                               atol=1e-8)


def test_entropy_is_undefined_outside_its_box():
    p = B.degenerate_problems()[-1]
    assert p.name == "entropy"
    x = p.x_min
    np.testing.assert_allclose(x, np.clip(np.exp(np.array([0.5, 3.0, -30.0, 1.0]) - 1.0),
                                          1e-12, [2.0, 5.0, 1.0, 1.5]))
    assert x[2] == 1e-12 == p.lower[2] and x[1] == 5.0 == p.upper[1]
    for f in (p.fun, p.jac, p.hess):
        with pytest.raises(ValueError, match="outside its domain"):
            f(np.array([1.0, 1.0, 0.0, 1.0]))


def test_degenerate_multipliers_are_zero_where_promised():
    zero, corner = B.degenerate_problems()[:2]
    g = zero.jac(zero.x_min)
    at_bound = zero.active_at_min != 0
    assert np.sum(at_bound & (g == 0.0)) == 2        # at a bound, multiplier exactly 0
    assert np.sum(at_bound & (np.abs(g) > 1.0)) == 2  # strictly active
    assert np.all(np.abs(corner.jac(corner.x_min)) >= 0.5)   # a strict corner


@pytest.mark.parametrize("prob", KNOWN, ids=_ids(KNOWN))
def test_known_solution_agrees_with_scipy(prob):
    candidates = [(prob.x_min, prob.f_min)] + list(prob.local_minima)

    def distance(x):
        return min(np.abs(x - x_ref).max() / max(1.0, np.abs(x_ref).max())
                   for x_ref, _ in candidates)

    # HS25's start lies on a plateau (the residuals' exponentials are below
    # 1e-9 there, the projected gradient 2e-8), where L-BFGS-B stops at once;
    # trust-constr's second derivatives carry it off.
    if prob.name != "hs25":
        res = _lbfgsb(prob)
        assert distance(res.x) <= 1e-5, res
    res = _trust_constr(prob)
    assert distance(res.x) <= 2e-3, res
    # Started at the solution, L-BFGS-B stays there.
    res = _lbfgsb(prob, prob.x_min)
    np.testing.assert_allclose(res.x, prob.x_min, atol=1e-8)


@pytest.mark.parametrize("prob", UNKNOWN, ids=_ids(UNKNOWN))
def test_reference_solutions_satisfy_kkt_and_agree(prob):
    res = _lbfgsb(prob)
    x = res.x
    pg = np.abs(prob.projected_gradient(x)).max()
    assert pg <= 1e-6 * max(1.0, np.abs(prob.jac(prob.project(prob.x0))).max()), res
    active = _active(prob, x)
    assert np.any(active != 0)                       # the box does cut something off
    assert np.all(_free_hessian_eigenvalues(prob, x, active) >= -1e-8)
    other = _trust_constr(prob)
    np.testing.assert_allclose(other.x, x, atol=2e-3 * max(1.0, np.abs(x).max()))
    assert other.fun == pytest.approx(res.fun, rel=1e-5, abs=1e-7)


UNCONSTRAINED = {"rosenbrock_2_box": P.rosenbrock(2), "rosenbrock_10_box": P.rosenbrock(10),
                 "beale_2_box": P.beale(), "wood_4_box": P.wood(),
                 "powell_singular_4_box": P.powell_singular(),
                 "extended_powell_8_box": P.extended_powell(8),
                 "rosenbrock_4_fixed": P.rosenbrock(4)}


def test_boxes_cut_off_the_unconstrained_minimizer():
    boxed = {p.name: p for p in B.boxed_classics()}
    assert set(boxed) == set(UNCONSTRAINED)
    for name, free in UNCONSTRAINED.items():
        box = boxed[name]
        x_free = free.x_min
        assert np.any(box.project(x_free) != x_free), name
        # Same function as the unconstrained problem.
        x = box.project(box.x0)
        assert box.fun(x) == free.fun(x)


# ---------------------------------------------------------------------------
# Grid quadratics
# ---------------------------------------------------------------------------

def _second_difference(m, h):
    return sp.diags([-np.ones(m - 1), 2.0 * np.ones(m), -np.ones(m - 1)], [-1, 0, 1]) / h ** 2


def _laplacian(nx, ny):
    """hx·hy times the 5-point Laplacian, natural ordering, from Kronecker products."""
    hx, hy = 1.0 / (nx + 1), 1.0 / (ny + 1)
    lap = sp.kron(sp.eye(ny), _second_difference(nx, hx)) + sp.kron(_second_difference(ny, hy),
                                                                     sp.eye(nx))
    return hx * hy * lap.toarray()


def _triangle_energy(v, nx, ny, load):
    """The MINPACK-2 piecewise-linear energy, one triangle at a time."""
    hx, hy = 1.0 / (nx + 1), 1.0 / (ny + 1)
    grid = np.zeros((nx + 2, ny + 2))
    grid[1:-1, 1:-1] = v.reshape(ny, nx).T
    area = 0.5 * hx * hy
    total = 0.0
    for i in range(nx + 1):                      # lower triangles
        for j in range(ny + 1):
            a, right, top = grid[i, j], grid[i + 1, j], grid[i, j + 1]
            total += area * (0.5 * (((right - a) / hx) ** 2 + ((top - a) / hy) ** 2)
                             - load * (a + right + top) / 3.0)
    for i in range(1, nx + 2):                   # upper triangles
        for j in range(1, ny + 2):
            a, left, bottom = grid[i, j], grid[i - 1, j], grid[i, j - 1]
            total += area * (0.5 * (((a - left) / hx) ** 2 + ((a - bottom) / hy) ** 2)
                             - load * (a + left + bottom) / 3.0)
    return total


@pytest.mark.parametrize("nx, ny", [(5, 4), (1, 3), (3, 1), (6, 6)])
def test_grid_problems_are_the_minpack2_discretization(nx, ny):
    rng = np.random.default_rng(3)
    for prob, load in ((B.torsion(nx, ny, c=2.5), 2.5), (B.obstacle(nx, ny), 1.0)):
        assert prob.n == nx * ny and prob.bandwidth == nx
        h = _laplacian(nx, ny)
        np.testing.assert_allclose(prob.hess(np.zeros(prob.n)), h, rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(prob.jac(np.zeros(prob.n)), -load / ((nx + 1) * (ny + 1)),
                                   rtol=1e-13)
        v = rng.standard_normal(prob.n)
        assert prob.fun(v) == pytest.approx(_triangle_energy(v, nx, ny, load), rel=1e-12)


def test_grid_bounds_and_starts():
    nx, ny = 7, 5
    p = B.torsion(nx, ny)
    xi1 = np.tile(np.arange(1, nx + 1) / (nx + 1), ny)
    xi2 = np.repeat(np.arange(1, ny + 1) / (ny + 1), nx)
    distance = np.minimum.reduce([xi1, 1 - xi1, xi2, 1 - xi2])
    np.testing.assert_allclose(p.upper, distance, rtol=1e-15)
    np.testing.assert_allclose(p.lower, -distance, rtol=1e-15)
    np.testing.assert_array_equal(p.x0, p.upper)
    q = B.obstacle(nx, ny)
    floor = np.sin(9.2 * xi1) * np.sin(9.3 * xi2)
    np.testing.assert_allclose(q.lower, floor, rtol=1e-14)
    np.testing.assert_allclose(q.upper - q.lower, 0.02, rtol=1e-12)
    assert np.all((q.x0 > q.lower) & (q.x0 < q.upper))


def test_obstacle_1d_is_the_scaled_difference_system():
    n = 9
    p = B.obstacle_1d(n)
    h = 1.0 / (n + 1)
    a = h * _second_difference(n, h).toarray()
    np.testing.assert_allclose(p.hess(np.zeros(n)), a, rtol=1e-13)
    np.testing.assert_allclose(p.jac(np.zeros(n)), 100.0 * h, rtol=1e-13)
    x = np.random.default_rng(4).standard_normal(n)
    assert p.fun(x) == pytest.approx(0.5 * x @ a @ x + 100.0 * h * x.sum(), rel=1e-13)
    np.testing.assert_allclose(p.lower, -0.9 + 0.4 * np.cos(6 * np.pi * h * np.arange(1, n + 1)))
    assert np.all(p.upper == np.inf) and np.all(p.x0 == 0.0)


def _qp_solution(prob):
    """The exact minimizer of a convex quadratic in a box, by bounded least squares.

    ½ xᵀHx + gᵀx = ½‖Lᵀx + L⁻¹g‖² + const with H = L Lᵀ, so BVLS on
    (Lᵀ, -L⁻¹g) solves it by an active-set method unrelated to L-BFGS-B.
    """
    h = prob.hess(np.zeros(prob.n))
    g = prob.jac(np.zeros(prob.n))
    chol = np.linalg.cholesky(h)
    rhs = -sl.solve_triangular(chol, g, lower=True)
    lower = np.where(np.isinf(prob.lower), -np.inf, prob.lower)
    res = so.lsq_linear(chol.T, rhs, bounds=(lower, prob.upper), method="bvls", tol=1e-14)
    return res.x


@pytest.mark.parametrize("prob", [B.torsion(8, 6), B.obstacle(6, 8), B.obstacle_1d(60)],
                         ids=["torsion", "obstacle", "obstacle_1d"])
def test_grid_reference_solutions(prob):
    res = _lbfgsb(prob)
    x = res.x
    g = prob.jac(x)
    start = np.abs(prob.projected_gradient(prob.x0)).max()
    assert np.abs(prob.projected_gradient(x)).max() <= 1e-7 * max(1.0, start)
    active = _active(prob, x, tol=1e-10)
    assert np.all(g[active == -1] >= -1e-9) and np.all(g[active == 1] <= 1e-9)
    # Many bounds are active: that is what makes these problems hard.
    assert np.mean(active != 0) >= 0.2
    np.testing.assert_allclose(x, _qp_solution(prob), atol=1e-7)
    band = prob.hess_band(x)
    np.testing.assert_array_equal(P.band_to_dense(band), prob.hess(x))


def test_obstacle_1d_contact_set_is_sizeable():
    p = B.obstacle_1d(200)
    x = _qp_solution(p)
    contact = np.mean(x <= p.lower + 1e-9)
    assert 0.3 <= contact <= 0.6
    # x0 = 0 is far from it.
    assert np.abs(x).max() > 1.0


def test_obstacle_1d_at_a_million_points_is_linear_in_memory():
    n = 10 ** 6
    p = B.obstacle_1d(n)
    x = p.project(p.x0) + 0.01
    v = np.ones(n)
    tracemalloc.start()
    try:
        f = p.fun(x)
        g = p.jac(x)
        band = p.hess_band(x)
        hv = p.hessp(x, v)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert math.isfinite(f) and band.shape == (2, n)
    assert peak < 12 * 8 * n, peak
    np.testing.assert_allclose(hv, P.band_matvec(band, v), rtol=1e-14)
    # The stencil's interior rows sum to zero, so H·1 vanishes away from the ends.
    np.testing.assert_allclose(hv[1:-1], 0.0, atol=1e-6)
    np.testing.assert_allclose(g[1:-1], 100.0 / (n + 1), rtol=1e-6)
    with pytest.raises(ValueError, match="dense Hessian is refused"):
        p.hess(x)
    big = B.torsion(100, 100)
    assert big.hess_band(big.x0).shape == (101, 10_000)
