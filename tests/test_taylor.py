"""Tests of fastnewton.taylor / TaylorModel and of the chain rule with approx_jacobian.

References: polynomials a Taylor model of matching order reproduces exactly,
analytic derivatives, the O(‖Δ‖^(k+1)) remainder of a smooth function, and
analytic Jacobians.
"""

import numpy as np
import pytest
import scipy.linalg

import fastnewton
from fastnewton import TaylorModel, approx_jacobian, taylor
from fastnewton import problems as P

# ---------------------------------------------------------------------------
# Polynomials of degree 0, 1, 2 in three variables
# ---------------------------------------------------------------------------

RNG = np.random.default_rng(2024)
_A = RNG.standard_normal((3, 3)) * 3.0
A = _A + _A.T
B = RNG.standard_normal(3) * 3.0
C = 0.7
X0 = np.array([0.3, -1.2, 2.0])
STEPS = RNG.standard_normal((25, 3)) * 2.0


def constant(x):
    return C


def affine(x):
    return C + B @ x


def affine_jac(x):
    return B.copy()


def quadratic(x):
    return C + B @ x + 0.5 * x @ A @ x


def quadratic_jac(x):
    return B + A @ x


def quadratic_hess(x):
    return A.copy()


def relative_model_error(model, f, steps):
    """max |m(x0 + d) − f(x0 + d)| / (1 + |f| + ‖d‖²) over the steps."""
    worst = 0.0
    for d in steps:
        x = model.x0 + d
        worst = max(worst, abs(model(x) - f(x)) / (1.0 + abs(f(x)) + d @ d))
    return worst


def test_order_0_reproduces_constant():
    model = taylor(constant, X0, order=0)
    assert isinstance(model, TaylorModel)
    assert model.order == 0 and model.value == C
    assert model.gradient is None and model.hessian is None
    for d in STEPS:
        assert model(X0 + d) == C
        assert model.predicted_change(d) == 0.0
    with pytest.raises(ValueError):
        model.curvature_product(STEPS[0])


@pytest.mark.parametrize("given, tol", [("jac", 1e-13), ("neither", 1e-9)])
def test_order_1_reproduces_affine(given, tol):
    kwargs = dict(jac=affine_jac) if given == "jac" else {}
    model = taylor(affine, X0, order=1, **kwargs)
    assert model.order == 1 and model.hessian is None
    assert model.value == pytest.approx(affine(X0), rel=1e-15)
    np.testing.assert_allclose(model.gradient, B, rtol=0, atol=tol * np.abs(B).max())
    assert relative_model_error(model, affine, STEPS) <= tol


# Tolerances measured over 50 random quadratics (worst: 6e-11 with jac,
# 2.6e-5 with neither, relative to 1 + |f| + ‖Δ‖²) and set ~10x above.
@pytest.mark.parametrize("given, model_tol, hess_tol", [
    ("jac+hess", 1e-13, 0.0),
    ("jac", 1e-9, 1e-9),
    ("neither", 2e-4, 2e-4),
])
def test_order_2_reproduces_quadratic(given, model_tol, hess_tol):
    kwargs = {"jac+hess": dict(jac=quadratic_jac, hess=quadratic_hess),
              "jac": dict(jac=quadratic_jac), "neither": {}}[given]
    model = taylor(quadratic, X0, **kwargs)
    assert model.order == 2 and model.bandwidth is None
    assert model.value == pytest.approx(quadratic(X0), rel=1e-15)
    np.testing.assert_array_equal(model.x0, X0)
    grad_tol = 1e-15 if given != "neither" else 1e-8
    np.testing.assert_allclose(model.gradient, quadratic_jac(X0), rtol=0,
                               atol=grad_tol * np.abs(quadratic_jac(X0)).max() + 1e-300)
    np.testing.assert_allclose(model.hessian, A, rtol=0, atol=hess_tol * np.abs(A).max())
    np.testing.assert_array_equal(model.hessian, model.hessian.T)
    assert relative_model_error(model, quadratic, STEPS) <= model_tol


def test_predicted_change_is_g_s_plus_half_sHs():
    model = taylor(quadratic, X0, jac=quadratic_jac, hess=quadratic_hess)
    g = quadratic_jac(X0)
    for s in STEPS:
        expected = g @ s + 0.5 * s @ A @ s
        assert model.predicted_change(s) == pytest.approx(expected, rel=1e-13, abs=1e-13)
        # For a quadratic, the prediction is the true change.
        assert model.predicted_change(s) == pytest.approx(quadratic(X0 + s) - quadratic(X0),
                                                          rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(model.curvature_product(s), A @ s, rtol=1e-14, atol=1e-13)
    first = taylor(quadratic, X0, order=1, jac=quadratic_jac)
    assert first.predicted_change(STEPS[0]) == pytest.approx(g @ STEPS[0], rel=1e-14)
    with pytest.raises(ValueError):
        model.predicted_change(np.ones(4))


def test_model_evaluates_rows_of_a_2d_array():
    model = taylor(quadratic, X0, jac=quadratic_jac, hess=quadratic_hess)
    points = X0 + STEPS[:5]
    values = model(points)
    assert values.shape == (5,)
    np.testing.assert_allclose(values, [quadratic(x) for x in points], rtol=1e-12, atol=1e-12)


def test_x0_is_copied():
    x0 = X0.copy()
    model = taylor(quadratic, x0, jac=quadratic_jac, hess=quadratic_hess)
    x0[:] = 99.0
    np.testing.assert_array_equal(model.x0, X0)


# ---------------------------------------------------------------------------
# A smooth non-polynomial function: the remainder's order
# ---------------------------------------------------------------------------

def smooth(x):
    return np.exp(0.5 * x[0]) * np.sin(x[1]) + np.cos(x[2]) * x[0] + x[1] * x[2] ** 2 / 3


def smooth_jac(x):
    e, s, c = np.exp(0.5 * x[0]), np.sin(x[1]), np.cos(x[1])
    return np.array([0.5 * e * s + np.cos(x[2]),
                     e * c + x[2] ** 2 / 3,
                     -np.sin(x[2]) * x[0] + 2 * x[1] * x[2] / 3])


def smooth_hess(x):
    e, s, c = np.exp(0.5 * x[0]), np.sin(x[1]), np.cos(x[1])
    return np.array([
        [0.25 * e * s, 0.5 * e * c, -np.sin(x[2])],
        [0.5 * e * c, -e * s, 2 * x[2] / 3],
        [-np.sin(x[2]), 2 * x[2] / 3, -np.cos(x[2]) * x[0] + 2 * x[1] / 3],
    ])


SMOOTH_X0 = np.array([0.2, 0.7, -0.4])
DIRECTIONS = [np.array([1.0, -0.5, 0.3]), np.array([-0.2, 1.0, 0.8]), np.array([0.6, 0.6, -1.0])]


def test_smooth_derivatives_are_right():
    # Guard the analytic derivatives used as references below (central differences).
    h = 1e-5
    eye = np.eye(3)
    fd_grad = np.array([(smooth(SMOOTH_X0 + h * e) - smooth(SMOOTH_X0 - h * e)) / (2 * h)
                        for e in eye])
    fd_hess = np.array([(smooth_jac(SMOOTH_X0 + h * e) - smooth_jac(SMOOTH_X0 - h * e)) / (2 * h)
                        for e in eye])
    np.testing.assert_allclose(smooth_jac(SMOOTH_X0), fd_grad, atol=1e-8)
    np.testing.assert_allclose(smooth_hess(SMOOTH_X0), fd_hess, atol=1e-8)


@pytest.mark.parametrize("given", ["jac+hess", "jac", "neither"])
def test_model_matches_analytic_derivatives_at_x0(given):
    kwargs = {"jac+hess": dict(jac=smooth_jac, hess=smooth_hess), "jac": dict(jac=smooth_jac),
              "neither": {}}[given]
    model = taylor(smooth, SMOOTH_X0, **kwargs)
    # Without jac, H comes from second differences of f (error ~ε^½), not from
    # differences of differenced gradients (~ε^⅓ at best).
    atol_g, atol_h = {"jac+hess": (0, 0), "jac": (0, 1e-8), "neither": (1e-9, 1e-7)}[given]
    assert model.value == smooth(SMOOTH_X0)
    np.testing.assert_allclose(model.gradient, smooth_jac(SMOOTH_X0), rtol=0, atol=atol_g)
    np.testing.assert_allclose(model.hessian, smooth_hess(SMOOTH_X0), rtol=0, atol=atol_h)


@pytest.mark.parametrize("direction", DIRECTIONS, ids=["d0", "d1", "d2"])
def test_second_order_error_is_cubic(direction):
    model = taylor(smooth, SMOOTH_X0, jac=smooth_jac, hess=smooth_hess)
    errors = []
    for t in (2e-2, 1e-2, 5e-3):
        x = SMOOTH_X0 + t * direction
        errors.append(abs(smooth(x) - model(x)))
    ratios = [errors[0] / errors[1], errors[1] / errors[2]]
    for ratio in ratios:
        assert 6.0 <= ratio <= 10.0, ratios


@pytest.mark.parametrize("direction", DIRECTIONS, ids=["d0", "d1", "d2"])
def test_first_order_error_is_quadratic(direction):
    model = taylor(smooth, SMOOTH_X0, order=1, jac=smooth_jac)
    errors = []
    for t in (2e-2, 1e-2, 5e-3):
        x = SMOOTH_X0 + t * direction
        errors.append(abs(smooth(x) - model(x)))
        # The leading term is the curvature term ½ t² dᵀHd.
        half_curvature = 0.5 * t * t * direction @ smooth_hess(SMOOTH_X0) @ direction
        assert smooth(x) - model(x) == pytest.approx(half_curvature, rel=0.1)
    ratios = [errors[0] / errors[1], errors[1] / errors[2]]
    for ratio in ratios:
        assert 3.0 <= ratio <= 5.0, ratios


def test_second_order_error_with_finite_difference_derivatives_is_still_cubic():
    # With FD derivatives (errors ~1e-10 in g, ~1e-6 in H) the cubic term
    # still dominates at t = 1e-1 .. 2.5e-2.
    model = taylor(smooth, SMOOTH_X0)
    d = DIRECTIONS[0]
    errors = [abs(smooth(SMOOTH_X0 + t * d) - model(SMOOTH_X0 + t * d))
              for t in (1e-1, 5e-2, 2.5e-2)]
    for ratio in (errors[0] / errors[1], errors[1] / errors[2]):
        assert 6.0 <= ratio <= 10.0


# ---------------------------------------------------------------------------
# Banded models
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("given", ["jac+hess", "jac", "neither"])
def test_banded_model_equals_dense_model(given):
    p = P.chained_double_well(12)
    rng = np.random.default_rng(3)
    x0 = 0.5 * rng.standard_normal(12)
    if given == "jac+hess":
        dense = taylor(p.fun, x0, jac=p.jac, hess=p.hess)
        banded = taylor(p.fun, x0, jac=p.jac, hess=p.hess_band, bandwidth=1)
        tol = 1e-13
    elif given == "jac":
        dense = taylor(p.fun, x0, jac=p.jac)
        banded = taylor(p.fun, x0, jac=p.jac, bandwidth=1)
        tol = 1e-8
    else:
        dense = taylor(p.fun, x0)
        banded = taylor(p.fun, x0, bandwidth=1)
        tol = 1e-4
    assert banded.bandwidth == 1 and banded.hessian.shape == (2, 12)
    assert dense.hessian.shape == (12, 12)
    analytic = P.band_to_dense(p.hess_band(x0))
    np.testing.assert_allclose(P.band_to_dense(banded.hessian), analytic, atol=tol)
    np.testing.assert_allclose(dense.hessian, analytic, atol=tol)
    np.testing.assert_allclose(banded.gradient, dense.gradient, rtol=0, atol=1e-12)
    for s in rng.standard_normal((6, 12)):
        np.testing.assert_allclose(banded.curvature_product(s), analytic @ s,
                                   atol=tol * 10 * np.abs(s).sum())
        assert banded(x0 + s) == pytest.approx(dense(x0 + s), rel=1e-12, abs=10 * tol)
        expected = dense.gradient @ s + 0.5 * s @ analytic @ s
        assert banded.predicted_change(s) == pytest.approx(expected, abs=10 * tol * (s @ s) + 1e-12)


def test_banded_model_of_rosenbrock():
    p = P.rosenbrock(9)
    x0 = p.x0
    banded = taylor(p.fun, x0, jac=p.jac, hess=p.hess_band, bandwidth=1)
    h = p.hess(x0)
    for s in np.random.default_rng(0).standard_normal((4, 9)) * 1e-2:
        assert banded.predicted_change(s) == pytest.approx(p.jac(x0) @ s + 0.5 * s @ h @ s,
                                                           rel=1e-12)


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("call, error", [
    (lambda: taylor(quadratic, X0, order=3), ValueError),
    (lambda: taylor(quadratic, X0, order=-1), ValueError),
    (lambda: taylor(quadratic, X0, order=True), ValueError),
    (lambda: taylor(quadratic, X0, order="2"), ValueError),
    (lambda: taylor("not callable", X0), TypeError),
    (lambda: taylor(quadratic, X0, jac=np.zeros(3)), TypeError),
    (lambda: taylor(quadratic, X0, hess=np.eye(3)), TypeError),
    (lambda: taylor(quadratic, X0, hess=lambda x: np.eye(2)), ValueError),
    (lambda: taylor(quadratic, X0, hess=lambda x: np.eye(3), bandwidth=1), ValueError),
    (lambda: taylor(quadratic, X0, jac=lambda x: np.zeros(2)), ValueError),
    (lambda: taylor(lambda x: x, X0), ValueError),
    (lambda: taylor(quadratic, [np.nan, 0.0, 0.0]), ValueError),
    (lambda: taylor(quadratic, X0, bandwidth=-1), ValueError),
])
def test_bad_input_raises(call, error):
    with pytest.raises(error):
        call()


# ---------------------------------------------------------------------------
# approx_jacobian: the chain rule, and banded Jacobians
# ---------------------------------------------------------------------------

def inner(x):                       # g: ℝ³ → ℝ⁴
    return np.array([x[0] * x[1], np.sin(x[2]), x[0] ** 2 + x[2], np.exp(0.3 * x[1])])


def inner_jac(x):
    return np.array([[x[1], x[0], 0.0],
                     [0.0, 0.0, np.cos(x[2])],
                     [2 * x[0], 0.0, 1.0],
                     [0.0, 0.3 * np.exp(0.3 * x[1]), 0.0]])


def outer(y):                       # h: ℝ⁴ → ℝ²
    return np.array([y[0] * y[3] + y[1] ** 2, np.tanh(y[2]) - y[0]])


def outer_jac(y):
    return np.array([[y[3], 2 * y[1], 0.0, y[0]],
                     [-1.0, 0.0, 1.0 - np.tanh(y[2]) ** 2, 0.0]])


@pytest.mark.parametrize("method, tol", [("2-point", 1e-6), ("3-point", 1e-9)])
def test_chain_rule(method, tol):
    x = np.array([0.4, -0.9, 1.3])
    composite = approx_jacobian(lambda z: outer(inner(z)), x, method=method)
    analytic = outer_jac(inner(x)) @ inner_jac(x)
    assert composite.shape == (2, 3)
    np.testing.assert_allclose(composite, analytic, rtol=0, atol=tol)
    # The product of the two numerical Jacobians agrees as well.
    product = (approx_jacobian(outer, inner(x), method=method)
               @ approx_jacobian(inner, x, method=method))
    np.testing.assert_allclose(product, analytic, rtol=0, atol=10 * tol)
    np.testing.assert_allclose(approx_jacobian(inner, x, method=method), inner_jac(x),
                               rtol=0, atol=tol)


def test_scalar_function_jacobian_is_gradient_row():
    x = np.array([0.4, -0.9, 1.3])
    j = approx_jacobian(smooth, x, method="3-point")
    assert j.shape == (1, 3)
    np.testing.assert_allclose(j[0], smooth_jac(x), atol=1e-9)


def tridiagonal(x):
    # F_i depends on x_{i-1}, x_i, x_{i+1}.
    left = np.r_[0.0, x[:-1]]
    right = np.r_[x[1:], 0.0]
    return x ** 2 - 0.5 * left + np.sin(x) * right


def tridiagonal_jac(x):
    n = x.size
    j = np.diag(2 * x + np.cos(x) * np.r_[x[1:], 0.0])
    j += np.diag(np.full(n - 1, -0.5), -1)
    j += np.diag(np.sin(x[:-1]), 1)
    return j


def band_21(x):
    # F_i depends on x_{i-2}, x_{i-1}, x_i, x_{i+1}: lower 2, upper 1.
    n = x.size
    x2 = np.r_[0.0, 0.0, x][:n]
    x1 = np.r_[0.0, x][:n]
    xp = np.r_[x[1:], 0.0]
    return np.exp(0.1 * x) + x2 * x1 - 3.0 * xp ** 3


def band_21_jac(x):
    n = x.size
    j = np.zeros((n, n))
    for i in range(n):
        j[i, i] = 0.1 * np.exp(0.1 * x[i])
        if i >= 2:
            j[i, i - 2] = x[i - 1]            # ∂(x_{i-2} x_{i-1})/∂x_{i-2}
            j[i, i - 1] = x[i - 2]            # ∂(x_{i-2} x_{i-1})/∂x_{i-1}
        if i + 1 < n:
            j[i, i + 1] = -9.0 * x[i + 1] ** 2
    return j


def to_general_band(j, lower, upper):
    """scipy.linalg.solve_banded layout: ab[upper + i − j, j] = J[i, j]."""
    n = j.shape[1]
    ab = np.zeros((lower + upper + 1, n))
    for i in range(j.shape[0]):
        for col in range(max(0, i - lower), min(n, i + upper + 1)):
            ab[upper + i - col, col] = j[i, col]
    return ab


@pytest.mark.parametrize("fun, jac, bandwidth", [(tridiagonal, tridiagonal_jac, (1, 1)),
                                                 (band_21, band_21_jac, (2, 1))],
                         ids=["tridiagonal", "band-2-1"])
@pytest.mark.parametrize("n", [1, 2, 3, 5, 17])
@pytest.mark.parametrize("method, tol", [("2-point", 1e-6), ("3-point", 1e-9)])
def test_banded_jacobian_equals_dense_band(fun, jac, bandwidth, n, method, tol):
    lower, upper = bandwidth
    x = np.linspace(-0.8, 1.1, n)
    analytic = jac(x)
    # The analytic Jacobian really has this bandwidth.
    rows, cols = np.nonzero(analytic)
    assert np.all(rows - cols <= lower) and np.all(cols - rows <= upper)
    dense = approx_jacobian(fun, x, method=method)
    np.testing.assert_allclose(dense, analytic, rtol=0, atol=tol * max(1.0, np.abs(analytic).max()))
    ab = approx_jacobian(fun, x, method=method, bandwidth=bandwidth)
    assert ab.shape == (lower + upper + 1, n)
    np.testing.assert_allclose(ab, to_general_band(dense, lower, upper), rtol=0, atol=10 * tol)
    np.testing.assert_allclose(ab, to_general_band(analytic, lower, upper), rtol=0,
                               atol=tol * max(1.0, np.abs(analytic).max()))
    # The layout is the one scipy.linalg.solve_banded takes.
    rhs = np.arange(1.0, n + 1)
    np.testing.assert_allclose(scipy.linalg.solve_banded((lower, upper), ab, rhs),
                               np.linalg.solve(dense, rhs), rtol=1e-6, atol=1e-9)


def test_banded_jacobian_uses_few_calls():
    calls = [0]

    def counted(x):
        calls[0] += 1
        return band_21(x)

    x = np.linspace(-0.8, 1.1, 200)
    approx_jacobian(counted, x, bandwidth=(2, 1))
    assert calls[0] == 1 + 4                     # base + lower + upper + 1 groups
    calls[0] = 0
    approx_jacobian(counted, x)
    assert calls[0] == 1 + 200


@pytest.mark.parametrize("call, error", [
    (lambda: approx_jacobian(tridiagonal, np.ones(4), bandwidth=1), TypeError),
    (lambda: approx_jacobian(tridiagonal, np.ones(4), bandwidth=(1, -1)), ValueError),
    (lambda: approx_jacobian(tridiagonal, np.ones(4), method="5-point"), ValueError),
    (lambda: approx_jacobian(None, np.ones(4)), TypeError),
    (lambda: approx_jacobian(tridiagonal, np.ones(4), rel_step=0.0), ValueError),
])
def test_approx_jacobian_bad_input(call, error):
    with pytest.raises(error):
        call()


def test_public_names():
    assert fastnewton.taylor is taylor and fastnewton.TaylorModel is TaylorModel
    assert fastnewton.approx_jacobian is approx_jacobian
