"""Finite differences next to bounds: every differenced point stays inside the box.

The functions here raise if evaluated outside the box, so a single stray
point fails the test. Solutions are checked against scipy's L-BFGS-B (with
exact gradients) and against the KKT conditions; a bounded batch is checked
against `fastnewton.minimize` problem by problem, bit for bit.
"""

import numpy as np
import pytest
import scipy.optimize as so

import fastnewton


class OutsideBox(Exception):
    pass


def check_inside(X, lower, upper):
    if ((X < lower) | (X > upper)).any():
        raise OutsideBox("evaluated at a point outside the box")


# An entropy chain: f(x) = Σ x_i log x_i + c_i x_i + Σ (x_{i+1} − x_i)², tridiagonal
# Hessian diag(1/x) + 2·(graph Laplacian). Vectorized over rows; c, lower and upper
# are per-problem rows, so the box is known to the functions and they refuse to step out.

def chain_fun(X, c, lower, upper):
    check_inside(X, lower, upper)
    return (np.sum(X * np.log(X) + c * X, axis=-1)
            + np.sum(np.diff(X, axis=-1) ** 2, axis=-1))


def chain_jac(X, c, lower, upper):
    check_inside(X, lower, upper)
    d = np.diff(X, axis=-1)
    g = np.log(X) + 1.0 + c
    g[..., 1:] += 2.0 * d
    g[..., :-1] -= 2.0 * d
    return g


def chain_band(X, c, lower, upper):
    """Lower band storage, shape (..., 2, n)."""
    check_inside(X, lower, upper)
    n = X.shape[-1]
    degree = np.full(n, 4.0)
    degree[[0, -1]] = 2.0
    band = np.zeros(X.shape[:-1] + (2, n))
    band[..., 0, :] = 1.0 / X + degree
    band[..., 1, :-1] = -2.0
    return band


def chain_dense(X, c, lower, upper):
    band = chain_band(X, c, lower, upper)
    n = X.shape[-1]
    H = np.zeros(X.shape[:-1] + (n, n))
    i = np.arange(n)
    H[..., i, i] = band[..., 0, :]
    H[..., i[1:], i[:-1]] = H[..., i[:-1], i[1:]] = -2.0
    return H


def chain_batch(m, n, seed):
    """Per-problem data, boxes (some minimizers cut off above, some below) and starts."""
    rng = np.random.default_rng(seed)
    c = rng.uniform(-1.5, 3.0, (m, n))          # free minimizers near exp(−1 − c)
    lower = rng.uniform(0.04, 0.08, (m, n))
    upper = rng.uniform(0.4, 0.6, (m, n))
    x0 = rng.uniform(lower, upper)
    x0[:, 0] = upper[:, 0]                      # a start on a bound
    return c, lower, upper, x0


SCHEMES = [("jac", "2-point"), ("jac", "3-point"), ("hess", "2-point"), ("hess", "3-point")]


@pytest.mark.parametrize("method", ["trust-exact", "newton"])
@pytest.mark.parametrize("bandwidth", [None, 1])
@pytest.mark.parametrize("differenced, scheme", SCHEMES)
def test_bounded_batch_differences_are_minimize_problem_by_problem(method, bandwidth,
                                                                   differenced, scheme):
    m, n = 8, 5
    c, lower, upper, x0 = chain_batch(m, n, 3)
    hess = chain_band if bandwidth is not None else chain_dense
    jac_arg = scheme if differenced == "jac" else chain_jac
    hess_arg = scheme if differenced == "hess" else hess
    # gtol below the 1e-6 the comparison with L-BFGS-B asks of x, and above
    # what 2-point gradients can reach.
    options = {"gtol": 1e-7} if bandwidth is None else {"bandwidth": bandwidth, "gtol": 1e-7}
    res = fastnewton.minimize_batch(chain_fun, x0, method=method, jac=jac_arg, hess=hess_arg,
                                    bounds=so.Bounds(lower, upper),
                                    batch_args=(c, lower, upper), options=dict(options))
    assert res.success.all()
    assert (res.active_mask == 1).any() and (res.active_mask == -1).any()
    for i in range(m):
        data = (c[i], lower[i], upper[i])
        one = fastnewton.minimize(
            chain_fun, x0[i], args=data, method=method,
            jac=scheme if differenced == "jac" else chain_jac,
            hess=scheme if differenced == "hess" else hess,
            bounds=so.Bounds(lower[i], upper[i]), options=dict(options))
        np.testing.assert_array_equal(res.x[i], one.x)
        assert (res.nit[i], res.nfev[i], res.njev[i], res.nhev[i]) == (
            one.nit, one.nfev, one.njev, one.nhev)
        np.testing.assert_array_equal(res.active_mask[i], one.active_mask)
        # Against an independent solver with exact gradients.
        ref = so.minimize(chain_fun, x0[i], args=data, jac=chain_jac, method="L-BFGS-B",
                          bounds=so.Bounds(lower[i], upper[i]),
                          options=dict(ftol=1e-15, gtol=1e-12, maxiter=5000))
        np.testing.assert_allclose(res.x[i], ref.x, atol=1e-6)


# Hessian-vector products by differences of the gradient (trust-ncg, trust-krylov).

def cubic_gradient(lower, upper, points):
    """∇f of f(x) = Σ a_i x_i³/6 + ½ xᵀ B x, recording every point and refusing any outside."""
    a = np.array([1.0, -2.0, 3.0, 0.5])
    B = np.array([[4.0, 1.0, 0.0, 0.5], [1.0, 3.0, -1.0, 0.0],
                  [0.0, -1.0, 5.0, 1.0], [0.5, 0.0, 1.0, 2.0]])

    def jac(x):
        check_inside(x, lower, upper)
        points.append(x.copy())
        return 0.5 * a * x ** 2 + B @ x

    return jac, lambda x: np.diag(a * x) + B


@pytest.mark.parametrize("method", ["2-point", "3-point"])
@pytest.mark.parametrize("case", ["inside", "reversed", "split", "fixed"])
def test_bounded_hessian_product(method, case):
    from fastnewton._testing import hessian_product
    lower, upper = np.array([-1.0, 0.0, -2.0, 0.5]), np.array([1.0, 2.0, 2.0, 0.5])
    x = np.array([0.3, 1.0, 0.2, 0.5])
    v = np.array([0.4, -0.7, 1.0, 0.0])
    if case == "reversed":       # +v leaves the box through x1's upper bound, −v fits
        x[0] = 1.0
        v[0] = 0.4
    elif case == "split":        # +v leaves through x1's upper bound, −v through x2's lower one
        x[0], x[1] = 1.0, 0.0
        v[1] = 0.7
    elif case == "fixed":        # x4 is fixed at 0.5: its column contributes nothing
        v[3] = 0.8
    points = []
    jac, hess = cubic_gradient(lower, upper, points)
    product, calls = hessian_product(jac, x, v, method, lower, upper)
    expected = hess(x) @ np.where(lower == upper, 0.0, v)
    # Forward differences err by O(h·|f'''|), h ≈ √ε·(1 + ‖x‖)/‖v‖ (the size of one-sided
    # steps also for '3-point' once they do not fit).
    np.testing.assert_allclose(product, expected, atol=1e-9 if case == "inside" and
                               method == "3-point" else 3e-7, rtol=0)
    assert calls == len(points) - 1
    assert calls == {"inside": 1 + (method == "3-point"), "reversed": 1, "split": 2,
                     "fixed": 1}[case]
    if case == "inside":
        # Where x ± h·v fit, the box changes nothing, bit for bit.
        free_jac, _ = cubic_gradient(-np.inf, np.inf, [])
        np.testing.assert_array_equal(product, hessian_product(free_jac, x, v, method)[0])


def reference_solution(problem):
    if problem.x_min is not None:
        return problem.x_min
    return so.minimize(problem.fun, problem.x0, jac=problem.jac, method="L-BFGS-B",
                       bounds=problem.bounds,
                       options=dict(ftol=1e-15, gtol=1e-12, maxiter=20000)).x


def _product_problems():
    from fastnewton import bounded_problems as BP
    chosen = ["rosenbrock_2_box", "beale_2_box", "wood_4_box", "extended_powell_8_box",
              "rosenbrock_4_fixed", "hs1", "hs5", "hs38", "hs45", "zero_multiplier", "corner",
              "fixed", "huge_bounds", "entropy"]
    problems = {p.name: p for p in BP.boxed_classics() + BP.degenerate_problems()
                + [BP.hock_schittkowski(k) for k in (1, 5, 38, 45)]}
    return [problems[name] for name in chosen]


@pytest.mark.parametrize("method", ["trust-ncg", "trust-krylov"])
@pytest.mark.parametrize("jac_scheme, hess", [(None, None), (None, "3-point"),
                                              ("3-point", None), ("3-point", "2-point")])
@pytest.mark.parametrize("problem", _product_problems(), ids=lambda p: p.name)
def test_differenced_products_stay_inside_the_box(problem, method, jac_scheme, hess):
    lower, upper = problem.lower, problem.upper

    def fun(x):
        check_inside(x, lower, upper)
        return problem.fun(x)

    def jac(x):
        check_inside(x, lower, upper)
        return problem.jac(x)

    res = fastnewton.minimize(fun, problem.x0, method=method, jac=jac_scheme or jac, hess=hess,
                              bounds=problem.bounds, options=dict(gtol=1e-6))
    assert res.success, res.message
    np.testing.assert_allclose(res.x, reference_solution(problem), atol=1e-5)
    assert np.abs(problem.projected_gradient(res.x)).max() <= 1e-5


# Quasi-Newton approximations on the projected trust region.

def _quasi_newton_problems():
    from fastnewton import bounded_problems as BP
    chosen = ["rosenbrock_2_box", "rosenbrock_10_box", "beale_2_box", "wood_4_box",
              "extended_powell_8_box", "hs1", "hs5", "hs38", "hs45", "zero_multiplier",
              "corner", "fixed", "entropy"]
    problems = {p.name: p for p in BP.boxed_classics() + BP.degenerate_problems()
                + [BP.hock_schittkowski(k) for k in (1, 5, 38, 45)]}
    return [problems[name] for name in chosen]


@pytest.mark.parametrize("method", ["trust-exact", "dogleg", "trust-ncg", "trust-krylov"])
@pytest.mark.parametrize("strategy", [so.BFGS, so.SR1])
@pytest.mark.parametrize("problem", _quasi_newton_problems(), ids=lambda p: p.name)
def test_quasi_newton_with_bounds(problem, method, strategy):
    lower, upper = problem.lower, problem.upper

    def fun(x):
        check_inside(x, lower, upper)
        return problem.fun(x)

    res = fastnewton.minimize(fun, problem.x0, method=method, jac=problem.jac, hess=strategy(),
                              bounds=problem.bounds, options=dict(gtol=1e-6))
    assert res.success, res.message
    np.testing.assert_allclose(res.x, reference_solution(problem), atol=1e-5)
    assert np.abs(problem.projected_gradient(res.x)).max() <= 1e-6
    # Only the user's gradients were called: B is updated, never differenced.
    assert res.nhev == 0
    if res.critical_point.reduced is not None:
        assert res.critical_point.reduced.method.endswith("of the quasi-Newton approximation")


def chain_fun_and_jac(X, c, lower, upper):
    return chain_fun(X, c, lower, upper), chain_jac(X, c, lower, upper)


@pytest.mark.parametrize("bandwidth", [None, 1])
def test_bounded_batch_differences_in_blocks_of_rows(bandwidth):
    # jac=True, central Hessian differences, the rows passed three at a time: the
    # same iterates and counts as one call for all rows, and as minimize.
    m, n = 10, 4
    c, lower, upper, x0 = chain_batch(m, n, 7)
    options = {} if bandwidth is None else {"bandwidth": bandwidth}
    runs = [fastnewton.minimize_batch(chain_fun_and_jac, x0, jac=True, hess="3-point",
                                      bounds=so.Bounds(lower, upper),
                                      batch_args=(c, lower, upper),
                                      options=dict(options, rows_per_call=rows))
            for rows in (3, m)]
    for field in ("x", "nit", "nfev", "njev", "nhev"):
        np.testing.assert_array_equal(runs[0][field], runs[1][field])
    for i in range(m):
        one = fastnewton.minimize(chain_fun_and_jac, x0[i], args=(c[i], lower[i], upper[i]),
                                  jac=True, hess="3-point", bounds=so.Bounds(lower[i], upper[i]),
                                  options=dict(options))
        np.testing.assert_array_equal(runs[0].x[i], one.x)
        assert (runs[0].nfev[i], runs[0].njev[i]) == (one.nfev, one.njev)
