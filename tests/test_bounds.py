"""Bound constraints: the projected trust-region and projected Newton drivers.

References are independent: closed-form solutions, scipy's L-BFGS-B at tight
tolerances, and the KKT conditions checked directly on the returned point.
"""

import numpy as np
import pytest
import scipy.optimize as so

import fastnewton
from fastnewton import problems as P
from fastnewton.problems import band_to_dense

FACTORING = ["trust-exact", "newton", "dogleg"]
PRODUCTS = ["trust-ncg", "trust-krylov"]
METHODS = FACTORING + PRODUCTS


def derivatives(method, jac, hess, hessp):
    if method in PRODUCTS:
        return dict(jac=jac, hessp=hessp)
    return dict(jac=jac, hess=hess)


def projected_gradient(x, g, lower, upper):
    return np.clip(x - g, lower, upper) - x


def lbfgsb(fun, jac, x0, bounds):
    return so.minimize(fun, x0, jac=jac, method="L-BFGS-B", bounds=bounds,
                       options=dict(ftol=1e-15, gtol=1e-12, maxiter=20000, maxfun=40000))


# Hock & Schittkowski (1981) problems with bounds only, and their published solutions.
def hs1():
    # Rosenbrock with x2 >= -1.5: the unconstrained minimizer (1, 1) is feasible.
    r = P.rosenbrock(2)
    return r.fun, r.jac, r.hess, [-2.0, 1.0], [(None, None), (-1.5, None)], [1.0, 1.0]


def hs3():
    fun = lambda x: x[1] + 1e-5 * (x[1] - x[0]) ** 2
    jac = lambda x: np.array([-2e-5 * (x[1] - x[0]), 1.0 + 2e-5 * (x[1] - x[0])])
    hess = lambda x: 2e-5 * np.array([[1.0, -1.0], [-1.0, 1.0]])
    return fun, jac, hess, [10.0, 1.0], [(None, None), (0.0, None)], [0.0, 0.0]


def hs4():
    fun = lambda x: (x[0] + 1.0) ** 3 / 3.0 + x[1]
    jac = lambda x: np.array([(x[0] + 1.0) ** 2, 1.0])
    hess = lambda x: np.array([[2.0 * (x[0] + 1.0), 0.0], [0.0, 0.0]])
    return fun, jac, hess, [1.125, 0.125], [(1.0, None), (0.0, None)], [1.0, 0.0]


def hs5():
    fun = lambda x: np.sin(x[0] + x[1]) + (x[0] - x[1]) ** 2 - 1.5 * x[0] + 2.5 * x[1] + 1.0
    def jac(x):
        c = np.cos(x[0] + x[1])
        return np.array([c + 2.0 * (x[0] - x[1]) - 1.5, c - 2.0 * (x[0] - x[1]) + 2.5])
    def hess(x):
        s = -np.sin(x[0] + x[1])
        return np.array([[s + 2.0, s - 2.0], [s - 2.0, s + 2.0]])
    x_min = [-np.pi / 3.0 + 0.5, -np.pi / 3.0 - 0.5]
    return fun, jac, hess, [0.0, 0.0], [(-1.5, 4.0), (-3.0, 3.0)], x_min


HS = {"hs1": hs1, "hs3": hs3, "hs4": hs4, "hs5": hs5}


@pytest.mark.parametrize("method", FACTORING + ["trust-krylov"])
@pytest.mark.parametrize("name", list(HS))
def test_hock_schittkowski_solutions(name, method):
    fun, jac, hess, x0, bounds, x_min = HS[name]()
    res = fastnewton.minimize(fun, x0, jac=jac, hess=hess, method=method, bounds=bounds,
                              options=dict(gtol=1e-9, maxiter=500))
    assert res.success, res.message
    np.testing.assert_allclose(res.x, x_min, atol=1e-6)
    lower = np.array([-np.inf if lo is None else lo for lo, _ in bounds])
    upper = np.array([np.inf if hi is None else hi for _, hi in bounds])
    assert np.linalg.norm(projected_gradient(res.x, jac(res.x), lower, upper)) <= 1e-9
    assert res.critical_point.kind in ("minimum", "degenerate")


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("n", [2, 5, 10])
def test_rosenbrock_cut_off_by_bounds_matches_lbfgsb(method, n):
    r = P.rosenbrock(n)
    bounds = so.Bounds(np.full(n, -2.0), np.r_[0.5, np.full(n - 1, 2.0)])
    x0 = np.full(n, -1.2)
    res = fastnewton.minimize(r.fun, x0, method=method, bounds=bounds,
                              **derivatives(method, r.jac, r.hess, r.hessp))
    ref = lbfgsb(r.fun, r.jac, x0, bounds)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, ref.x, atol=1e-6)
    assert res.fun <= ref.fun + 1e-12
    assert res.active_mask[0] == 1 and not res.active_mask[1:].any()
    assert res.critical_point.kind == "minimum"
    assert res.critical_point.multipliers[0] == pytest.approx(-r.jac(res.x)[0])


def random_box_qp(n, seed, banded):
    """½ xᵀAx − bᵀx over a box that cuts off the unconstrained minimizer; A SPD (band or dense)."""
    rng = np.random.default_rng(seed)
    if banded:
        band = np.zeros((3, n))
        band[0] = 4.0 + rng.random(n)
        band[1, :-1] = -1.0 + 0.2 * rng.random(n - 1)
        band[2, :-2] = 0.3 * rng.random(n - 2)
        a = band_to_dense(band)
    else:
        m = rng.standard_normal((n, n))
        a = m @ m.T + n * np.eye(n)
        band = None
    b = 5.0 * rng.standard_normal(n)
    lower, upper = -np.abs(rng.random(n)), np.abs(rng.random(n))
    lower[::5] = -np.inf
    fun = lambda x: 0.5 * x @ a @ x - b @ x
    jac = lambda x: a @ x - b
    return a, band, fun, jac, lower, upper


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("banded", [False, True])
def test_box_qp_kkt_and_lbfgsb(method, banded):
    n = 40
    a, band, fun, jac, lower, upper = random_box_qp(n, 3, banded)
    options = dict(gtol=1e-10)
    hess = lambda x: a
    if banded and method in FACTORING:
        hess = lambda x: band
        options["bandwidth"] = 2
    res = fastnewton.minimize(fun, np.zeros(n), method=method, bounds=so.Bounds(lower, upper),
                              options=options,
                              **derivatives(method, jac, hess, lambda x, p: a @ p))
    assert res.success, res.message
    ref = lbfgsb(fun, jac, np.zeros(n), so.Bounds(lower, upper))
    np.testing.assert_allclose(res.x, ref.x, atol=1e-7)
    pg = projected_gradient(res.x, jac(res.x), lower, upper)
    assert np.abs(pg).max() <= 1e-10
    # The active set: the variables at a bound.
    np.testing.assert_array_equal(res.active_mask == -1, res.x <= lower)
    np.testing.assert_array_equal(res.active_mask == 1, res.x >= upper)
    assert res.active_mask.any() and not res.active_mask.all()


def test_user_functions_never_see_an_infeasible_point():
    lower, upper = np.array([1e-12, 1e-12]), np.array([np.inf, 2.0])
    seen = []

    def fun(x):
        seen.append(np.array(x))
        return -np.sum(np.log(x)) + np.sum(x ** 2) + 3.0 * x[1]

    jac = lambda x: -1.0 / x + 2.0 * x + np.array([0.0, 3.0])
    hess = lambda x: np.diag(1.0 / x ** 2 + 2.0)
    for method in FACTORING:
        seen.clear()
        res = fastnewton.minimize(fun, [5.0, 5.0], jac=jac, hess=hess, method=method,
                                  bounds=so.Bounds(lower, upper), options=dict(gtol=1e-10))
        assert res.success, (method, res.message)
        points = np.array(seen)
        assert np.all(points >= lower) and np.all(points <= upper)
        # The closed form: x_i = the positive root of 2x² + c x − 1 = 0.
        np.testing.assert_allclose(res.x, [np.sqrt(0.5), (-3.0 + np.sqrt(17.0)) / 4.0],
                                   rtol=1e-8)


def test_x0_outside_the_box_is_projected_and_not_modified():
    fun = lambda x: np.sum((x - 3.0) ** 2)
    jac = lambda x: 2.0 * (x - 3.0)
    hess = lambda x: 2.0 * np.eye(x.size)
    x0 = np.array([10.0, -10.0, 0.5])
    keep = x0.copy()
    seen = []
    res = fastnewton.minimize(lambda x: seen.append(np.array(x)) or fun(x), x0, jac=jac,
                              hess=hess, bounds=[(0.0, 1.0), (0.0, 1.0), (None, None)])
    np.testing.assert_array_equal(x0, keep)
    np.testing.assert_array_equal(seen[0], [1.0, 0.0, 0.5])
    np.testing.assert_allclose(res.x, [1.0, 1.0, 3.0])
    np.testing.assert_array_equal(res.active_mask, [1, 1, 0])


@pytest.mark.parametrize("method", METHODS)
def test_fixed_variable_and_corner(method):
    # The minimizer (3, 3, 3) is cut off: x0 fixed at 1, x1 at its upper bound 2.
    fun = lambda x: np.sum((x - 3.0) ** 2) + x[0] * x[2]
    jac = lambda x: 2.0 * (x - 3.0) + np.array([x[2], 0.0, x[0]])
    h = np.array([[2.0, 0.0, 1.0], [0.0, 2.0, 0.0], [1.0, 0.0, 2.0]])
    res = fastnewton.minimize(fun, [1.0, 0.0, 0.0], method=method,
                              bounds=[(1.0, 1.0), (0.0, 2.0), (None, None)],
                              **derivatives(method, jac, lambda x: h, lambda x, p: h @ p))
    assert res.success, res.message
    np.testing.assert_allclose(res.x, [1.0, 2.0, 2.5], atol=1e-9)
    np.testing.assert_array_equal(res.active_mask, [1, 1, 0])


@pytest.mark.parametrize("method", METHODS)
def test_start_on_a_bound_with_zero_multiplier(method):
    # f = (x0 − 1)² + x1²: x1 ∈ [0, 1] sits at its bound with multiplier 0 at the minimizer.
    fun = lambda x: (x[0] - 1.0) ** 2 + x[1] ** 2
    jac = lambda x: np.array([2.0 * (x[0] - 1.0), 2.0 * x[1]])
    h = 2.0 * np.eye(2)
    res = fastnewton.minimize(fun, [0.0, 0.0], method=method, bounds=[(None, None), (0.0, 1.0)],
                              **derivatives(method, jac, lambda x: h, lambda x, p: h @ p))
    assert res.success
    np.testing.assert_allclose(res.x, [1.0, 0.0], atol=1e-10)
    assert res.critical_point.kind == "degenerate"
    assert not res.critical_point.strict_complementarity


@pytest.mark.parametrize("method", METHODS)
def test_huge_bounds_are_infinite_and_change_nothing(method):
    r = P.rosenbrock(3)
    kwargs = derivatives(method, r.jac, r.hess, r.hessp)
    free = fastnewton.minimize(r.fun, r.x0, method=method, **kwargs)
    huge = fastnewton.minimize(r.fun, r.x0, method=method, bounds=[(-1e300, 1e300)] * 3,
                               **kwargs)
    np.testing.assert_array_equal(huge.x, free.x)
    assert huge.nit == free.nit and "active_mask" not in huge


@pytest.mark.parametrize("method", ["trust-exact", "dogleg"])
def test_bounds_that_never_bind_cost_little(method):
    # A box the iterates never come near: where the trust region lies inside
    # it, the step and the radius update are the unconstrained method's.
    # (Before, the bounded trust-exact run of Wood's function took 102 iterations against
    # 52: TRON's step and a stricter boundary test kept the radius small.)
    from fastnewton.problems import mgh
    p = mgh("wood", 1)
    free = fastnewton.minimize(p.fun, p.x0, method=method, jac=p.jac, hess=p.hess)
    boxed = fastnewton.minimize(p.fun, p.x0, method=method, jac=p.jac, hess=p.hess,
                                bounds=so.Bounds(np.full(4, -50.0), np.full(4, 50.0)))
    assert free.success and boxed.success
    np.testing.assert_allclose(boxed.x, p.x_min, atol=1e-6)
    assert boxed.nit <= free.nit + 5, (boxed.nit, free.nit)
    assert not boxed.active_mask.any()


def test_negative_curvature_on_the_free_face_is_left():
    # f = x0² − x1² on x1 ∈ [−1, 2], started at the saddle's face x1 = 0 with a tiny push.
    fun = lambda x: x[0] ** 2 - x[1] ** 2
    jac = lambda x: np.array([2.0 * x[0], -2.0 * x[1]])
    h = np.diag([2.0, -2.0])
    for method in FACTORING + PRODUCTS:
        res = fastnewton.minimize(fun, [0.5, 1e-3], method=method,
                                  bounds=[(None, None), (-1.0, 2.0)],
                                  **derivatives(method, jac, lambda x: h, lambda x, p: h @ p))
        assert res.success, (method, res.message)
        np.testing.assert_allclose(res.x, [0.0, 2.0], atol=1e-8)
        assert res.critical_point.kind == "minimum"


def test_band_and_dense_bounded_solves_agree():
    n = 200
    a, band, fun, jac, lower, upper = random_box_qp(n, 7, True)
    dense = fastnewton.minimize(fun, np.zeros(n), jac=jac, hess=lambda x: a,
                                bounds=so.Bounds(lower, upper), options=dict(gtol=1e-11))
    banded = fastnewton.minimize(fun, np.zeros(n), jac=jac, hess=lambda x: band,
                                 bounds=so.Bounds(lower, upper),
                                 options=dict(gtol=1e-11, bandwidth=2))
    assert dense.success and banded.success
    np.testing.assert_allclose(banded.x, dense.x, atol=1e-10)
    np.testing.assert_array_equal(banded.active_mask, dense.active_mask)
    assert banded.critical_point.kind == dense.critical_point.kind == "minimum"


def test_nonfinite_start_and_refusals():
    bounds = [(0.0, 1.0)] * 2
    res = fastnewton.minimize(lambda x: np.nan, [0.5, 0.5], jac=lambda x: np.zeros(2),
                              hess=lambda x: np.eye(2), bounds=bounds)
    assert res.status == 4 and not res.success
    r = P.rosenbrock(2)
    with pytest.raises(ValueError, match="Newton-CG.*bounds"):
        fastnewton.minimize(r.fun, r.x0, jac=r.jac, hessp=r.hessp, method="Newton-CG",
                            bounds=bounds)
    # Differenced Hessian products stay in the box too (tests/test_bounds_fd.py).
    differenced = fastnewton.minimize(r.fun, r.x0, jac=r.jac, method="trust-ncg", bounds=bounds)
    np.testing.assert_allclose(differenced.x, [1.0, 1.0], atol=1e-5)
    with pytest.raises(ValueError, match="newton.*BFGS.*bounds"):
        fastnewton.minimize(r.fun, r.x0, jac=r.jac, hess=so.BFGS(), bounds=bounds,
                            method="newton")
    with pytest.raises(ValueError, match="check_derivatives"):
        fastnewton.minimize(r.fun, r.x0, jac=r.jac, hess=r.hess, bounds=bounds,
                            options=dict(check_derivatives=True))


def test_callback_and_maxiter_with_bounds():
    r = P.rosenbrock(4)
    seen = []
    res = fastnewton.minimize(r.fun, np.full(4, -1.2), jac=r.jac, hess=r.hess,
                              bounds=[(-2.0, 0.5)] * 4, callback=lambda xk: seen.append(xk),
                              options=dict(maxiter=3))
    assert res.status == 1 and res.nit == 3 and len(seen) == 3
    assert all(np.all((x >= -2.0) & (x <= 0.5)) for x in seen)
    assert seen[0] is not seen[1]


@pytest.mark.parametrize("method", PRODUCTS)
def test_products_methods_on_a_band_storage_with_bounds(method):
    # A band `hess` with a products-only method: products of the band, restricted to F.
    n = 60
    a, band, fun, jac, lower, upper = random_box_qp(n, 11, True)
    res = fastnewton.minimize(fun, np.zeros(n), jac=jac, hess=lambda x: band, method=method,
                              bounds=so.Bounds(lower, upper),
                              options=dict(bandwidth=2, gtol=1e-10))
    ref = lbfgsb(fun, jac, np.zeros(n), so.Bounds(lower, upper))
    assert res.success, res.message
    np.testing.assert_allclose(res.x, ref.x, atol=1e-7)


@pytest.mark.parametrize("jac", [None, "2-point", "3-point", "cs"])
@pytest.mark.parametrize("hess", [None, "2-point", "3-point"])
@pytest.mark.parametrize("method", ["trust-exact", "dogleg"])
def test_finite_differences_stay_inside_the_box(jac, hess, method):
    # log terms raise outside the box; x2 starts on its lower bound 1e-12 would make the
    # differences meaningless, so it starts on the upper bound of x1 instead.
    lower, upper = np.full(3, 1e-12), np.array([np.inf, 2.0, 1.0])

    def fun(x):
        if np.any(np.real(x) < lower) or np.any(np.real(x) > upper):
            raise AssertionError("evaluated outside the box: %r" % (x,))
        return -np.sum(np.log(x)) + np.sum(x ** 2) + 3.0 * x[1] + 2.0 * x[0] * x[1] - 4.0 * x[2]

    grad = lambda x: -1.0 / x + 2.0 * x + np.array([2.0 * x[1], 3.0 + 2.0 * x[0], -4.0])
    res = fastnewton.minimize(fun, [5.0, 2.0, 1.0], jac=jac, hess=hess, method=method,
                              bounds=so.Bounds(lower, upper), options=dict(gtol=1e-6))
    ref = lbfgsb(fun, grad, np.array([5.0, 2.0, 1.0]), so.Bounds(lower, upper))
    assert res.success, res.message
    np.testing.assert_allclose(res.x, ref.x, atol=1e-6)
    # x2 ends on its upper bound (the −4·x2 term pulls it there).
    assert res.active_mask[2] == 1


def exp_fits(m, seed):
    """Vectorized a·exp(−b·t) + c fits to noisy data; fun, jac, hess, data, start."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 4.0, 20)
    a, b, c = rng.uniform(0.5, 2.0, m), rng.uniform(0.3, 3.0, m), rng.uniform(-0.5, 0.5, m)
    y = a[:, None] * np.exp(-b[:, None] * t) + c[:, None] + 0.05 * rng.standard_normal((m, 20))

    def parts(p, y):
        e = np.exp(-p[:, 1:2] * t)
        return e, p[:, 0:1] * e + p[:, 2:3] - y

    def fun(p, y):
        return 0.5 * np.sum(parts(p, y)[1] ** 2, axis=1)

    def jac(p, y):
        e, r = parts(p, y)
        return np.stack([np.sum(r * e, 1), np.sum(-r * p[:, 0:1] * t * e, 1), np.sum(r, 1)], 1)

    def hess(p, y):
        e, r = parts(p, y)
        j = np.stack([e, -p[:, 0:1] * t * e, np.ones_like(e)], 2)
        h = np.einsum("mti,mtj->mij", j, j)
        cross = np.sum(-r * t * e, 1)
        h[:, 0, 1] += cross
        h[:, 1, 0] += cross
        h[:, 1, 1] += np.sum(r * p[:, 0:1] * t * t * e, 1)
        return h

    return fun, jac, hess, y, np.tile([1.0, 1.0, 0.0], (m, 1))


@pytest.mark.parametrize("method", ["trust-exact", "newton"])
@pytest.mark.parametrize("per_problem", [False, True])
def test_minimize_batch_with_bounds_is_minimize_problem_by_problem(per_problem, method):
    m = 40
    fun, jac, hess, y, x0 = exp_fits(m, 5)
    if per_problem:
        rng = np.random.default_rng(1)
        bounds = so.Bounds(np.c_[np.zeros(m), np.zeros(m), np.full(m, -np.inf)],
                           np.c_[np.full(m, np.inf), rng.uniform(0.5, 3.0, m), np.full(m, 0.2)])
    else:
        bounds = so.Bounds([0.0, 0.0, -np.inf], [np.inf, 1.5, np.inf])
    res = fastnewton.minimize_batch(fun, x0, jac=jac, hess=hess, bounds=bounds, batch_args=(y,),
                                    method=method)
    assert res.success.all()
    assert (res.active_mask != 0).any()
    lower = np.broadcast_to(bounds.lb, (m, 3))
    upper = np.broadcast_to(bounds.ub, (m, 3))
    for i in range(m):
        one = fastnewton.minimize(
            lambda p: fun(p[None], y[i:i + 1])[0], x0[i],
            jac=lambda p: jac(p[None], y[i:i + 1])[0],
            hess=lambda p: hess(p[None], y[i:i + 1])[0],
            bounds=so.Bounds(lower[i], upper[i]), method=method)
        np.testing.assert_array_equal(res.x[i], one.x)
        assert (res.nit[i], res.nfev[i], res.njev[i], res.nhev[i]) == (
            one.nit, one.nfev, one.njev, one.nhev)
        np.testing.assert_array_equal(res.active_mask[i], one.active_mask)
        assert res.critical_kind[i] == one.critical_point.kind
        # And the KKT conditions hold on their own.
        g = jac(res.x[i:i + 1], y[i:i + 1])[0]
        assert np.abs(np.clip(res.x[i] - g, lower[i], upper[i]) - res.x[i]).max() <= 1e-5


def test_minimize_batch_bounds_infinite_or_refused():
    fun = lambda x: np.sum((x - 1.0) ** 2, axis=1)
    jac = lambda x: 2.0 * (x - 1.0)
    hess = lambda x: np.broadcast_to(2.0 * np.eye(2), (x.shape[0], 2, 2)).copy()
    x0 = np.zeros((3, 2))
    free = fastnewton.minimize_batch(fun, x0, jac=jac, hess=hess)
    same = fastnewton.minimize_batch(fun, x0, jac=jac, hess=hess,
                                     bounds=so.Bounds(-np.inf, np.inf))
    np.testing.assert_array_equal(same.x, free.x)
    clipped = fastnewton.minimize_batch(fun, x0, jac=jac, hess=hess, bounds=[(0.0, 0.5)] * 2)
    np.testing.assert_allclose(clipped.x, 0.5)
    np.testing.assert_array_equal(clipped.active_mask, 1)
    clipped = fastnewton.minimize_batch(fun, x0, jac=jac, hess=hess, bounds=[(0.0, 0.5)] * 2,
                                        method="newton")
    np.testing.assert_allclose(clipped.x, 0.5)
    np.testing.assert_array_equal(clipped.active_mask, 1)
    # Finite-difference Hessians stay in the box too (tests/test_bounds_fd.py).
    differenced = fastnewton.minimize_batch(fun, x0, jac=jac, bounds=[(0.0, 0.5)] * 2)
    np.testing.assert_allclose(differenced.x, 0.5)
    with pytest.raises(ValueError, match="min <= max"):
        fastnewton.minimize_batch(fun, x0, jac=jac, hess=hess, bounds=[(1.0, 0.5)] * 2)
    with pytest.raises(ValueError, match="broadcast"):
        fastnewton.minimize_batch(fun, x0, jac=jac, hess=hess,
                                  bounds=so.Bounds(np.zeros((2, 2)), np.ones((2, 2))))


@pytest.mark.parametrize("method", ["trust-exact", "newton"])
def test_minimize_batch_with_bounds_jac_true_and_nonfinite_values(method):
    # f = Σ (x − c)² + x₀x₁, infinite where x₀ + x₁ > 2.5 (inside the box [0, 2]²):
    # a step there is refused and the step shrinks, in the batch as in
    # minimize, with the same counts (jac=True: one call gives both).
    rng = np.random.default_rng(3)
    m = 12
    centres = rng.uniform(-1.0, 3.0, (m, 2))

    def fun_and_grad(x, c):
        value = np.sum((x - c) ** 2, axis=-1) + x[..., 0] * x[..., 1]
        grad = 2.0 * (x - c) + x[..., ::-1]
        value = np.where(x[..., 0] + x[..., 1] > 2.5, np.inf, value)
        return value, grad

    def hess(x, c):
        return np.broadcast_to(np.array([[2.0, 1.0], [1.0, 2.0]]), x.shape[:-1] + (2, 2)).copy()

    x0 = np.full((m, 2), 0.1)
    bounds = [(0.0, 2.0)] * 2
    # A first radius that reaches the region where f is infinite.
    options = dict(initial_trust_radius=4.0) if method == "trust-exact" else {}
    res = fastnewton.minimize_batch(fun_and_grad, x0, jac=True, hess=hess, bounds=bounds,
                                    batch_args=(centres,), method=method, options=options)
    refused = 0
    for i in range(m):
        one = fastnewton.minimize(fun_and_grad, x0[i], args=(centres[i],), jac=True, hess=hess,
                                  bounds=bounds, method=method, options=options)
        np.testing.assert_array_equal(res.x[i], one.x)
        assert (res.status[i], res.nit[i], res.nfev[i], res.njev[i], res.nhev[i]) == (
            one.status, one.nit, one.nfev, one.njev, one.nhev)
        # Values beyond one per iteration and the start: shortened trial steps.
        refused += one.n_rejected if method == "trust-exact" else one.nfev - 1 - one.nit
        # The bounded minimizer of the quadratic without the infinite part, from
        # L-BFGS-B: the answer too wherever it lies where f is finite.
        ref = so.minimize(lambda x: np.sum((x - centres[i]) ** 2) + x[0] * x[1], x0[i],
                          method="L-BFGS-B", bounds=bounds, options=dict(gtol=1e-10))
        if ref.x.sum() < 2.5 - 1e-6:
            assert one.success, one.message
            np.testing.assert_allclose(one.x, ref.x, atol=1e-6)
    assert refused > 0


def test_minimize_batch_newton_with_bounds_nonfinite_gradients_and_halvings():
    # A finite f whose separate jac is NaN where x₀ + x₁ > 2.5 (inside the box
    # [0, 2]²): a trial point there passes the value test and is then refused
    # for its gradient, so the search halves. The batch asks for gradients only
    # after every search has its value; each problem must still get minimize's
    # iterates and counts.
    rng = np.random.default_rng(5)
    m = 16
    centres = rng.uniform(-1.0, 3.0, (m, 2))

    def fun(x, c):
        return np.sum((x - c) ** 2, axis=-1) + x[..., 0] * x[..., 1]

    def jac(x, c):
        grad = 2.0 * (x - c) + x[..., ::-1]
        return np.where((x[..., 0] + x[..., 1] > 2.5)[..., None], np.nan, grad)

    def hess(x, c):
        return np.broadcast_to(np.array([[2.0, 1.0], [1.0, 2.0]]), x.shape[:-1] + (2, 2)).copy()

    x0 = np.full((m, 2), 0.1)
    bounds = [(0.0, 2.0)] * 2
    res = fastnewton.minimize_batch(fun, x0, jac=jac, hess=hess, bounds=bounds,
                                    batch_args=(centres,), method="newton")
    halved = 0
    for i in range(m):
        one = fastnewton.minimize(fun, x0[i], args=(centres[i],), jac=jac, hess=hess,
                                  bounds=bounds, method="newton")
        np.testing.assert_array_equal(res.x[i], one.x)
        assert (res.status[i], res.nit[i], res.nfev[i], res.njev[i], res.nhev[i]) == (
            one.status, one.nit, one.nfev, one.njev, one.nhev)
        halved += one.nfev - 1 - one.nit
        ref = so.minimize(fun, x0[i], args=(centres[i],), method="L-BFGS-B", bounds=bounds,
                          options=dict(gtol=1e-10))
        if ref.x.sum() < 2.5 - 1e-6:
            assert one.success, one.message
            np.testing.assert_allclose(one.x, ref.x, atol=1e-6)
    assert halved > 0


def product_target(x, c):
    """(x₀x₁ − c)², vectorized over leading dimensions; stationary at 0 with curvature −2c along (1, 1)."""
    r = x[..., 0] * x[..., 1] - c
    return r * r


def product_target_jac(x, c):
    r = x[..., 0] * x[..., 1] - c
    return np.stack([2.0 * r * x[..., 1], 2.0 * r * x[..., 0]], axis=-1)


def product_target_hess(x, c):
    r = x[..., 0] * x[..., 1] - c
    off = 2.0 * x[..., 0] * x[..., 1] + 2.0 * r
    return np.stack([np.stack([2.0 * x[..., 1] ** 2, off], -1),
                     np.stack([off, 2.0 * x[..., 0] ** 2], -1)], -2)


def test_newton_leaves_a_degenerate_corner_along_feasible_negative_curvature():
    # At the corner 0 of a, b >= 0, ∇f = 0 (both multipliers zero) and
    # the curvature along (1, 1) is −2: a saddle of the bounded problem.
    kw = dict(jac=product_target_jac, hess=product_target_hess, method="newton",
              args=(1.0,), bounds=[(0.0, None), (0.0, None)])
    res = fastnewton.minimize(product_target, [0.0, 0.0], **kw)
    assert res.success, res.message
    assert res.fun <= 1e-12                       # the closed-form minimum, x₀x₁ = 1
    assert res.x[0] * res.x[1] == pytest.approx(1.0, abs=1e-6)
    # Without the escape the corner passes the first-order test and is kept.
    stuck = fastnewton.minimize(product_target, [0.0, 0.0],
                                options=dict(escape_saddles=False), **kw)
    assert stuck.success and stuck.fun == 1.0 and stuck.nit == 0
    # On a, b ∈ [0, ∞) × (−∞, 0] the negative curvature points out of the
    # box (a must grow, b shrink): the corner is the minimum there, f = 1.
    kept = fastnewton.minimize(product_target, [0.0, 0.0],
                               **dict(kw, bounds=[(0.0, None), (None, 0.0)]))
    assert kept.success and kept.fun == 1.0 and kept.nit == 0
    assert kept.critical_point.kind == "degenerate"


def test_minimize_batch_newton_escapes_corners_as_minimize_does():
    targets = np.array([1.0, 0.5, 2.0, -1.0, 0.0])
    x0 = np.zeros((targets.size, 2))
    bounds = [(0.0, 3.0), (0.0, None)]
    res = fastnewton.minimize_batch(product_target, x0, jac=product_target_jac,
                                    hess=product_target_hess, method="newton", bounds=bounds,
                                    batch_args=(targets,))
    for i, c in enumerate(targets):
        one = fastnewton.minimize(product_target, x0[i], args=(c,), jac=product_target_jac,
                                  hess=product_target_hess, method="newton", bounds=bounds)
        np.testing.assert_array_equal(res.x[i], one.x)
        assert (res.status[i], res.nit[i], res.nfev[i], res.njev[i], res.nhev[i]) == (
            one.status, one.nit, one.nfev, one.njev, one.nhev)
        # The minimum over the box: x₀x₁ = c where c ≥ 0, else the corner.
        assert res.fun[i] == pytest.approx(max(0.0, -c) ** 2, abs=1e-10)


def test_contact_problem_frees_its_bounds_without_creeping():
    # The 1-D obstacle from x0 = 0: the first steps fall onto the floor and
    # hold far more nodes than the solution's contact set. Face solves alone
    # then free about one node per contact edge per solve (n / 30 of them
    # here); the interior-point prediction of the model's active set
    # (`_interior`) jumps to the right face.
    from fastnewton.bounded_problems import obstacle_1d
    n = 20_000
    p = obstacle_1d(n)
    res = fastnewton.minimize(p.fun, p.x0, jac=p.jac, hess=p.hess_band, bounds=p.bounds,
                              method="trust-exact", options=dict(bandwidth=1, gtol=1e-6))
    assert res.success, res.message
    # The unique minimizer of this strictly convex QP is its KKT point: check
    # the projected gradient from the problem's own gradient.
    lower = np.asarray(p.bounds.lb)
    g = p.jac(res.x)
    assert np.abs(np.maximum(res.x - g, lower) - res.x).max() <= 1e-6
    assert 0.3 < np.mean(res.x <= lower) < 0.5
    assert res.nit <= 12
    assert res.n_factorizations < 100


def test_projected_newton_contact_problem_jumps_to_the_predicted_face():
    # Projected Newton on the 1-D obstacle: after the first steps fall onto the
    # floor it freed one node per contact edge per iteration (330 iterations
    # at n = 10⁴, 3,246 at 10⁵). After a streak of such iterations it now
    # asks the interior-point prediction of the model's active set and steps
    # to that face.
    from fastnewton.bounded_problems import obstacle_1d
    p = obstacle_1d(10_000)
    lower = np.asarray(p.bounds.lb)
    res = fastnewton.minimize(p.fun, p.x0, jac=p.jac, hess=p.hess_band, bounds=p.bounds,
                              method="newton", options=dict(bandwidth=1, gtol=1e-6))
    assert res.success, res.message
    g = p.jac(res.x)
    assert np.abs(np.maximum(res.x - g, lower) - res.x).max() <= 1e-6
    assert 0.3 < np.mean(res.x <= lower) < 0.5
    assert res.nit <= 20, res.nit
    # Without the streak's prediction (a run cut to iterations with no face
    # jump: maxiter below the first one) the contact set is still far off.
    early = fastnewton.minimize(p.fun, p.x0, jac=p.jac, hess=p.hess_band, bounds=p.bounds,
                                method="newton", options=dict(bandwidth=1, maxiter=10))
    assert np.sum((early.x <= lower) != (res.x <= lower)) > 30


def test_projected_newton_search_lets_the_slope_decide_at_rounding_level():
    # f = 1e8 + Σ (x − c)⁴: Newton converges linearly, and long before the
    # gradient reaches gtol the decrease Armijo asks falls below the rounding
    # of f (about 1.5e-8). The unconstrained search lets the slope decide
    # there; the projected search stopped with status 2 (no progress) at a
    # projected gradient of about 1e-6. Now it goes on to gtol, in the batch
    # exactly as in minimize.
    centres = np.array([[0.3, -0.5, 2.0, 1.0], [0.7, 0.2, -1.0, 0.5], [1.5, 0.4, 0.6, -0.2]])

    def fun(x, c):
        return 1e8 + np.sum((x - c) ** 4, axis=-1)

    def jac(x, c):
        return 4.0 * (x - c) ** 3

    def hess(x, c):
        h = np.zeros(x.shape + (x.shape[-1],))
        idx = np.arange(x.shape[-1])
        h[..., idx, idx] = 12.0 * (x - c) ** 2
        return h

    box = [(0.0, 1.0)] * 4
    x0 = np.zeros_like(centres)
    res = fastnewton.minimize_batch(fun, x0, jac=jac, hess=hess, method="newton", bounds=box,
                                    batch_args=(centres,), options=dict(gtol=1e-10))
    for i, c in enumerate(centres):
        one = fastnewton.minimize(fun, x0[i], args=(c,), jac=jac, hess=hess, method="newton",
                                  bounds=box, options=dict(gtol=1e-10))
        assert one.success, one.message
        # The box's closest point to c, in each coordinate: |x − clip(c)| ≤ (gtol/4)^⅓.
        np.testing.assert_allclose(one.x, np.clip(c, 0.0, 1.0), atol=4e-4)
        g = jac(one.x, c)
        assert np.abs(np.clip(one.x - g, 0.0, 1.0) - one.x).max() <= 1e-10
        np.testing.assert_array_equal(res.x[i], one.x)
        assert (res.status[i], res.nit[i], res.nfev[i], res.njev[i], res.nhev[i]) == (
            one.status, one.nit, one.nfev, one.njev, one.nhev)


def test_minimize_batch_newton_face_jumps_as_minimize_does():
    # Loaded strings on floors of different waviness (dense Hessians, n = 300):
    # each problem's face jumps fall on the same iterations as in minimize,
    # with the same iterates and counts, and each ends at its KKT point.
    n, m = 300, 4
    h = 1.0 / (n + 1)
    s = np.arange(1, n + 1) * h
    a = (2.0 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1)) / h
    waves = np.array([4.0, 6.0, 8.0, 10.0])
    floors = -0.9 + 0.4 * np.cos(waves[:, None] * np.pi * s)
    load = 100.0 * h

    def stencil(u):
        # A u row by row with elementwise arithmetic (a matrix product would
        # round a stack of rows differently from one row).
        out = 2.0 * u
        out[..., 1:] -= u[..., :-1]
        out[..., :-1] -= u[..., 1:]
        return out / h

    def fun(u):
        return np.sum(0.5 * u * stencil(u) + load * u, axis=-1)

    def jac(u):
        return stencil(u) + load

    def hess(u):
        return np.broadcast_to(a, u.shape[:-1] + (n, n)).copy()

    x0 = np.zeros((m, n))
    res = fastnewton.minimize_batch(fun, x0, jac=jac, hess=hess, method="newton",
                                    bounds=so.Bounds(floors, np.inf),
                                    options=dict(gtol=1e-8))
    for i in range(m):
        one = fastnewton.minimize(fun, x0[i], jac=jac, hess=hess, method="newton",
                                  bounds=so.Bounds(floors[i], np.inf), options=dict(gtol=1e-8))
        np.testing.assert_array_equal(res.x[i], one.x)
        assert (res.status[i], res.nit[i], res.nfev[i], res.njev[i], res.nhev[i]) == (
            one.status, one.nit, one.nfev, one.njev, one.nhev)
        assert one.success, one.message
        g = jac(one.x)
        assert np.abs(np.maximum(one.x - g, floors[i]) - one.x).max() <= 1e-8
        # Before the face jump these took 21, 15, 8 and 10 iterations.
        assert one.nit <= 12, (i, one.nit)


def rising_and_falling_fits(m, seed):
    """bench/bounds.py's section (4) data: a quarter of the decays rise (a < 0)."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 4.0, 20)
    a = rng.uniform(0.5, 3.0, m) * np.where(rng.uniform(size=m) < 0.25, -0.3, 1.0)
    b = rng.uniform(0.2, 2.0, m)
    c = rng.uniform(-1.0, 1.0, m)
    return t, a[:, None] * np.exp(-b[:, None] * t) + c[:, None] + 0.05 * rng.standard_normal((m, 20))


@pytest.mark.parametrize("lowest", [0.0, -1e6, None])
def test_newton_does_not_crawl_where_the_hessian_is_nearly_singular(lowest):
    # Fits whose path passes regions of slight negative curvature (λ_min ≈ −3e-4
    # against ‖H‖ ≈ 2600): there the floor of the modified Cholesky shift,
    # 10⁻³·‖H‖∞, made the direction short, and a projected search that only
    # backtracked took 250–600 iterations (trust-exact: 15–36), four of them
    # ending at maxiter with f 0.003–0.026 above the minimum; without bounds
    # newton crawled the same way from such a point. None: no bounds.
    t, Y = rising_and_falling_fits(10_000, 0)
    chosen = [2112, 3413, 4261, 4525, 5487, 6408]
    fun, jac, hess, _, _ = exp_fits(1, 0)
    box = None if lowest is None else so.Bounds([lowest, lowest, -np.inf], np.inf)
    starts = np.tile([1.0, 1.0, 0.0], (len(chosen), 1))
    batch = fastnewton.minimize_batch(fun, starts, method="newton", jac=jac, hess=hess,
                                      batch_args=(Y[chosen],), bounds=box,
                                      options={"gtol": 1e-7, "norm": np.inf})
    for k, i in enumerate(chosen):
        y = Y[i][None]
        one = (lambda p, y=y: fun(p[None], y)[0])
        grad = (lambda p, y=y: jac(p[None], y)[0])
        reference = so.minimize(one, starts[k], jac=grad, method="L-BFGS-B", bounds=box,
                                options={"gtol": 1e-10, "ftol": 1e-15, "maxiter": 10_000})
        res = fastnewton.minimize(one, starts[k], method="newton", jac=grad,
                                  hess=lambda p, y=y: hess(p[None], y)[0], bounds=box,
                                  options={"gtol": 1e-7, "norm": np.inf})
        assert res.success and res.nit <= 60, (i, res.nit, res.message)
        assert res.fun <= reference.fun + 1e-9 * max(1.0, reference.fun)
        np.testing.assert_allclose(res.x, reference.x, rtol=1e-4, atol=1e-5)
        assert batch.nit[k] == res.nit and np.array_equal(batch.x[k], res.x)
