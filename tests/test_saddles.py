"""Second-order behaviour of the methods: res.critical_point and escaping saddles.

References are independent of fastnewton: numpy's eigvalsh of the analytic
Hessian at res.x, closed-form critical points, and scipy's own solvers.
"""

import math

import numpy as np
import pytest
import scipy.optimize

import fastnewton
from fastnewton import CriticalPoint
from fastnewton import problems as P

SQRT_EPS = math.sqrt(np.finfo(float).eps)
METHODS = ["newton", "trust-exact", "dogleg", "trust-ncg"]
FACTORIZING = ["newton", "trust-exact", "dogleg"]
GTOL = 1e-5


def run(method, fun, x0, jac, hess, hessp=None, **options):
    if method == "trust-ncg" and hessp is not None:
        return fastnewton.minimize(fun, x0, method=method, jac=jac, hessp=hessp,
                                   options=options)
    return fastnewton.minimize(fun, x0, method=method, jac=jac, hess=hess, options=options)


def counts(eigenvalues, tol):
    eigenvalues = np.asarray(eigenvalues)
    return (int(np.count_nonzero(eigenvalues > tol)), int(np.count_nonzero(eigenvalues < -tol)),
            int(np.count_nonzero(np.abs(eigenvalues) <= tol)))


def check_certificate(point, hessian, tol_rtol=1e-12):
    """The certificate agrees with eigvalsh of the analytic Hessian `hessian`."""
    assert isinstance(point, CriticalPoint)
    reference = np.linalg.eigvalsh(hessian)
    n = hessian.shape[0]
    assert point.tol == pytest.approx(SQRT_EPS * np.abs(hessian).sum(axis=1).max(),
                                      rel=tol_rtol)
    assert point.n_positive + point.n_negative + point.n_zero == n
    assert point.method in ("cholesky", "eigenvalues", "sylvester")
    if not np.any(np.abs(np.abs(reference) - point.tol) <= 1e-6 * point.tol):
        assert point.inertia == counts(reference, point.tol)
    if point.method == "cholesky":
        assert point.kind == "minimum" and math.isnan(point.min_eigenvalue)
        assert reference[0] > point.tol
    elif point.method == "eigenvalues":
        scale = np.abs(reference).max()
        assert abs(point.min_eigenvalue - reference[0]) <= 1e-9 * scale
        assert abs(point.max_eigenvalue - reference[-1]) <= 1e-9 * scale
    return reference


# ---------------------------------------------------------------------------
# Every result carries a certificate
# ---------------------------------------------------------------------------

STANDARD = [P.rosenbrock(2), P.wood(), P.powell_singular()]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("problem", STANDARD, ids=lambda p: p.name)
def test_result_carries_certificate(method, problem):
    res = run(method, problem.fun, problem.x0, problem.jac, problem.hess, problem.hessp)
    assert res.success, res.message
    point = res.critical_point
    hessian = problem.hess(res.x)
    reference = check_certificate(point, hessian)
    assert point.gradient_norm == pytest.approx(np.linalg.norm(res.jac), rel=1e-14)
    assert point.gradient_norm == pytest.approx(np.linalg.norm(problem.jac(res.x)), rel=1e-12)
    assert point.gradient_norm <= GTOL
    if problem.name == "powell_singular":
        # Singular Hessian at the minimizer 0: near it, the small eigenvalues
        # decide between the two kinds against the certificate's own tol.
        assert point.kind in ("degenerate", "minimum")
        assert point.kind == ("minimum" if reference[0] > point.tol else "degenerate")
        assert np.linalg.norm(res.x) < 0.05
    else:
        assert point.kind == "minimum"
        np.testing.assert_allclose(res.x, problem.x_min, atol=1e-4)


def test_powell_singular_hessian_is_singular_at_the_minimizer():
    # The reason for the 'degenerate' option above, from the analytic Hessian.
    p = P.powell_singular()
    reference = np.linalg.eigvalsh(p.hess(np.zeros(4)))
    point = fastnewton.classify_critical_point(p.fun, np.zeros(4), jac=p.jac, hess=p.hess)
    assert point.kind == "degenerate"
    assert point.inertia == counts(reference, point.tol) == (2, 0, 2)


@pytest.mark.parametrize("method", FACTORIZING)
@pytest.mark.parametrize("problem", [P.rosenbrock(2), P.rosenbrock(10),
                                     P.chained_double_well(20)], ids=lambda p: f"{p.name}-{p.n}")
def test_banded_certificate_agrees_with_dense(method, problem):
    dense = run(method, problem.fun, problem.x0, problem.jac, problem.hess)
    banded = run(method, problem.fun, problem.x0, problem.jac, problem.hess_band, bandwidth=1)
    assert dense.success and banded.success
    assert banded.critical_point.method in ("sylvester", "cholesky")
    check_certificate(banded.critical_point, P.band_to_dense(problem.hess_band(banded.x)))
    check_certificate(dense.critical_point, problem.hess(dense.x))
    assert banded.critical_point.kind == dense.critical_point.kind == "minimum"
    assert banded.critical_point.inertia == dense.critical_point.inertia
    np.testing.assert_allclose(banded.x, dense.x, atol=1e-6)


@pytest.mark.parametrize("method", FACTORIZING)
def test_banded_sylvester_certificate_at_indefinite_point(method):
    # maxiter=0 certifies x0 itself, in the indefinite region of the double well.
    p = P.chained_double_well(30)
    dense = run(method, p.fun, p.x0, p.jac, p.hess, maxiter=0)
    banded = run(method, p.fun, p.x0, p.jac, p.hess_band, bandwidth=1, maxiter=0)
    assert dense.status == banded.status == 1
    hessian = p.hess(p.x0)
    check_certificate(dense.critical_point, hessian)
    check_certificate(banded.critical_point, hessian)
    assert dense.critical_point.method == "eigenvalues"
    assert banded.critical_point.method == "sylvester"
    assert banded.critical_point.inertia == dense.critical_point.inertia
    assert banded.critical_point.kind == "saddle"
    assert banded.critical_point.tol == pytest.approx(dense.critical_point.tol, rel=1e-14)


@pytest.mark.parametrize("method", FACTORIZING)
@pytest.mark.parametrize("shift", [30.0, -1.5], ids=["definite", "indefinite"])
def test_wide_band_certificate(method, shift):
    # Half-bandwidth 10 (above the compiled narrow-band kernels' limit of 8):
    # f = ½xᵀHx − bᵀx with a band H.
    n, b = 40, 10
    rng = np.random.default_rng(5)
    h = np.zeros((n, n))
    for k in range(b + 1):
        values = rng.uniform(-1.0, 1.0, n - k)
        h += np.diag(values, -k) + (np.diag(values, k) if k else 0.0)
    h += shift * np.eye(n)
    band = np.array([np.r_[np.diagonal(h, -k), np.zeros(k)] for k in range(b + 1)])
    rhs = rng.standard_normal(n)
    fun = lambda x: 0.5 * x @ h @ x - rhs @ x
    jac = lambda x: h @ x - rhs
    dense = run(method, fun, np.zeros(n), jac, lambda x: h, maxiter=0 if shift < 0 else None)
    banded = run(method, fun, np.zeros(n), jac, lambda x: band, bandwidth=b,
                 maxiter=0 if shift < 0 else None)
    check_certificate(dense.critical_point, h)
    check_certificate(banded.critical_point, h)
    assert banded.critical_point.inertia == dense.critical_point.inertia
    if shift > 0:
        assert banded.success and banded.critical_point.method == "cholesky"
        np.testing.assert_allclose(banded.x, np.linalg.solve(h, rhs), atol=1e-6)
    else:
        assert banded.critical_point.method == "sylvester"
        assert banded.critical_point.kind == "saddle"


# ---------------------------------------------------------------------------
# A strict saddle in two variables
# ---------------------------------------------------------------------------

def saddle_f(x):
    return x[0] ** 2 - x[1] ** 2 + x[1] ** 4 / 4


def saddle_g(x):
    return np.array([2 * x[0], -2 * x[1] + x[1] ** 3])


def saddle_h(x):
    return np.diag([2.0, -2.0 + 3.0 * x[1] ** 2])


def saddle_hp(x, p):
    return saddle_h(x) @ p


def test_saddle_problem_reference():
    # The analytic facts the escape tests rely on.
    assert np.all(saddle_g(np.zeros(2)) == 0.0)
    assert np.linalg.eigvalsh(saddle_h(np.zeros(2))).tolist() == [-2.0, 2.0]
    for y in (math.sqrt(2), -math.sqrt(2)):
        assert np.linalg.norm(saddle_g(np.array([0.0, y]))) < 1e-15
        assert saddle_f([0.0, y]) == pytest.approx(-1.0)
    p = P.saddle_quartic()
    x = np.array([0.3, -0.7])
    assert p.fun(x) == pytest.approx(saddle_f(x), rel=1e-15)


def assert_at_saddle_minimum(res):
    assert res.success and res.status == 0, res.message
    assert res.critical_point.kind == "minimum"
    assert abs(res.x[0]) <= 1e-6
    assert abs(abs(res.x[1]) - math.sqrt(2)) <= 1e-5
    assert res.fun == pytest.approx(-1.0, abs=1e-10)
    np.testing.assert_allclose(np.linalg.eigvalsh(saddle_h(res.x)), [2.0, 4.0], atol=1e-4)
    assert np.linalg.norm(saddle_g(res.x)) <= GTOL


@pytest.mark.parametrize("method", FACTORIZING)
def test_escape_from_exact_saddle(method):
    res = run(method, saddle_f, [0.0, 0.0], saddle_g, saddle_h)
    assert_at_saddle_minimum(res)
    assert res.nit >= 1


@pytest.mark.parametrize("method", FACTORIZING)
def test_escape_with_finite_difference_hessian(method):
    res = fastnewton.minimize(saddle_f, [0.0, 0.0], method=method, jac=saddle_g)
    assert_at_saddle_minimum(res)


@pytest.mark.parametrize("method", FACTORIZING)
@pytest.mark.parametrize("x0", [(1.0, 0.0), (3.0, 0.0), (0.0, 1e-7)])
def test_escape_after_reaching_saddle_on_its_stable_manifold(method, x0):
    # From y = 0 the iterates reach the saddle; from y = 1e-7 the start
    # already passes the gradient test there.
    res = run(method, saddle_f, x0, saddle_g, saddle_h)
    assert_at_saddle_minimum(res)


@pytest.mark.parametrize("method", METHODS)
def test_no_escape_option_stops_at_saddle(method):
    res = run(method, saddle_f, [0.0, 0.0], saddle_g, saddle_h, saddle_hp,
              escape_saddles=False)
    assert res.success and res.status == 0 and res.nit == 0
    np.testing.assert_array_equal(res.x, [0.0, 0.0])
    point = res.critical_point
    assert point.kind == "saddle" and point.inertia == (1, 1, 0)
    assert point.min_eigenvalue == -2.0 and point.max_eigenvalue == 2.0
    assert point.gradient_norm == 0.0


def test_scipy_drop_in_escapes_too():
    res = scipy.optimize.minimize(saddle_f, [0.0, 0.0], method=fastnewton.trust_exact,
                                  jac=saddle_g, hess=saddle_h)
    assert_at_saddle_minimum(res)


# ---------------------------------------------------------------------------
# A saddle in n dimensions: the chained double well at x = 0
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("n", [10, 50])
@pytest.mark.parametrize("banded", [False, True], ids=["dense", "banded"])
@pytest.mark.parametrize("method", FACTORIZING)
def test_escape_chained_double_well_origin(n, banded, method):
    p = P.chained_double_well(n)
    x0 = np.zeros(n)
    assert np.all(p.jac(x0) == 0.0)
    assert np.linalg.eigvalsh(P.band_to_dense(p.hess_band(x0)))[0] == pytest.approx(-1.0)
    if banded:
        res = run(method, p.fun, x0, p.jac, p.hess_band, bandwidth=1)
    else:
        res = run(method, p.fun, x0, p.jac, p.hess)
    assert res.success, res.message
    assert np.linalg.norm(p.jac(res.x)) <= GTOL
    eigenvalues = np.linalg.eigvalsh(P.band_to_dense(p.hess_band(res.x)))
    assert eigenvalues[0] > 1e-3
    assert res.fun < p.fun(x0) - 1.0
    assert res.fun == pytest.approx(p.fun(res.x), rel=1e-12, abs=1e-14)
    assert res.critical_point.kind == "minimum"
    assert res.critical_point.method in (("sylvester", "cholesky") if banded else
                                         ("eigenvalues", "cholesky"))


@pytest.mark.parametrize("n", [10, 50])
@pytest.mark.parametrize("banded", [False, True], ids=["dense", "banded"])
def test_chained_double_well_origin_no_escape(n, banded):
    p = P.chained_double_well(n)
    x0 = np.zeros(n)
    if banded:
        res = run("trust-exact", p.fun, x0, p.jac, p.hess_band, bandwidth=1,
                  escape_saddles=False)
    else:
        res = run("trust-exact", p.fun, x0, p.jac, p.hess, escape_saddles=False)
    assert res.success and res.nit == 0
    exact = 1.0 - 2.0 * np.cos(np.arange(n) * np.pi / n)    # −I + path Laplacian
    assert res.critical_point.kind == "saddle"
    assert res.critical_point.inertia == counts(exact, res.critical_point.tol)


# ---------------------------------------------------------------------------
# trust-ncg: negative curvature from a nonzero gradient, and from g = 0 by Lanczos
# ---------------------------------------------------------------------------

def test_trust_ncg_first_step_follows_negative_curvature(capsys):
    p = P.saddle_quartic(x0=(0.01, 0.5))
    x0 = p.x0
    g0, h0 = p.jac(x0), p.hess(x0)
    assert g0 @ h0 @ g0 < 0.0     # −g is a direction of negative curvature
    radius = 0.1
    res = fastnewton.minimize(p.fun, x0, method="trust-ncg", jac=p.jac, hessp=p.hessp,
                              options=dict(initial_trust_radius=radius, return_all=True,
                                           disp=True))
    first_row = capsys.readouterr().out.splitlines()[1]
    step = res.allvecs[1] - res.allvecs[0]
    np.testing.assert_array_equal(res.allvecs[0], x0)
    assert np.linalg.norm(step) == pytest.approx(radius, rel=1e-12)
    # Steihaug's first CG direction is −g; with negative curvature it goes to the boundary.
    np.testing.assert_allclose(step, -radius * g0 / np.linalg.norm(g0), rtol=1e-12, atol=1e-15)
    assert step @ h0 @ step < 0.0
    assert p.fun(x0 + step) < p.fun(x0)
    assert "negative curvature" in first_row and "boundary" in first_row
    assert res.success and res.critical_point.kind == "minimum"
    np.testing.assert_allclose(np.abs(res.x), [0.0, math.sqrt(2)], atol=1e-5)


def test_trust_ncg_from_default_start_converges_to_minimum():
    p = P.saddle_quartic()
    assert np.linalg.eigvalsh(p.hess(p.x0))[0] < 0.0
    steps = []
    res = fastnewton.minimize(p.fun, p.x0, method="trust-ncg", jac=p.jac, hessp=p.hessp,
                              callback=lambda xk: steps.append(xk.copy()),
                              options=dict(initial_trust_radius=0.05))
    assert res.success and res.critical_point.kind == "minimum"
    assert np.linalg.norm(steps[0] - p.x0) == pytest.approx(0.05, rel=1e-12)
    assert res.fun == pytest.approx(-1.0, abs=1e-10)
    assert np.linalg.eigvalsh(p.hess(res.x))[0] > 0.0


@pytest.mark.parametrize("hess_kind", ["hessp", "hess", "finite-differences"])
def test_trust_ncg_leaves_exact_saddle(hess_kind):
    kwargs = {"hessp": dict(hessp=saddle_hp), "hess": dict(hess=saddle_h),
              "finite-differences": {}}[hess_kind]
    res = fastnewton.minimize(saddle_f, [0.0, 0.0], method="trust-ncg", jac=saddle_g, **kwargs)
    assert res.success, res.message
    # Minima of x² − y² + y⁴/4 at (0, ±√2), value −1, Hessian diag(2, 4).
    np.testing.assert_allclose(np.abs(res.x), [0.0, math.sqrt(2)], atol=1e-5)
    assert res.fun == pytest.approx(-1.0, abs=1e-10)
    assert res.critical_point.kind == "minimum"


@pytest.mark.parametrize("hess_kind", ["hessp", "hess"])
def test_trust_ncg_without_escape_stops_at_exact_saddle(hess_kind):
    kwargs = {"hessp": dict(hessp=saddle_hp), "hess": dict(hess=saddle_h)}[hess_kind]
    res = fastnewton.minimize(saddle_f, [0.0, 0.0], method="trust-ncg", jac=saddle_g,
                              options={"escape_saddles": False}, **kwargs)
    assert res.success and res.status == 0
    np.testing.assert_array_equal(res.x, [0.0, 0.0])
    assert res.critical_point.kind == "saddle"
    assert res.critical_point.inertia == (1, 1, 0)
    assert res.critical_point.min_eigenvalue == pytest.approx(-2.0, abs=1e-6)


@pytest.mark.parametrize("n", [10, 50])
def test_trust_ncg_leaves_chained_double_well_origin(n):
    p = P.chained_double_well(n)
    h0 = 1.0 - 2.0 * np.cos(np.arange(n) * np.pi / n)    # the spectrum at the origin
    assert h0.min() == pytest.approx(-1.0)
    res = fastnewton.minimize(p.fun, np.zeros(n), method="trust-ncg", jac=p.jac,
                              hessp=p.hessp)
    assert res.success, res.message
    assert res.fun < p.fun(np.zeros(n))
    assert res.critical_point.kind == "minimum"
    assert np.linalg.norm(p.jac(res.x)) <= 1e-5


# ---------------------------------------------------------------------------
# A local maximum
# ---------------------------------------------------------------------------

def max_f(x):
    return -x[0] ** 2 - x[1] ** 2 + (x[0] ** 4 + x[1] ** 4) / 4


def max_g(x):
    x = np.asarray(x)
    return -2.0 * x + x ** 3


def max_h(x):
    return np.diag(-2.0 + 3.0 * np.asarray(x) ** 2)


@pytest.mark.parametrize("method", FACTORIZING)
def test_leaves_local_maximum(method):
    res = run(method, max_f, [0.0, 0.0], max_g, max_h)
    assert res.success, res.message
    # Minima at (±√2, ±√2), value −2, Hessian diag(4, 4).
    np.testing.assert_allclose(np.abs(res.x), [math.sqrt(2), math.sqrt(2)], atol=1e-5)
    assert res.fun == pytest.approx(-2.0, abs=1e-10)
    assert res.critical_point.kind == "minimum"
    assert np.linalg.eigvalsh(max_h(res.x))[0] > 3.9


@pytest.mark.parametrize("method", METHODS)
def test_no_success_reported_at_local_maximum(method):
    res = run(method, max_f, [0.0, 0.0], max_g, max_h,
              hessp=lambda x, p: max_h(x) @ p)
    at_origin = np.array_equal(res.x, [0.0, 0.0])
    assert not (res.success and at_origin)
    # Without escaping, the gradient test alone accepts the maximum, and the
    # certificate says what it is.
    res = run(method, max_f, [0.0, 0.0], max_g, max_h, hessp=lambda x, p: max_h(x) @ p,
              escape_saddles=False)
    assert res.success and np.array_equal(res.x, [0.0, 0.0])
    assert res.critical_point.kind == "maximum"
    assert (res.critical_point.min_eigenvalue, res.critical_point.max_eigenvalue) == (-2.0, -2.0)


# ---------------------------------------------------------------------------
# The contrast with scipy
# ---------------------------------------------------------------------------

def test_scipy_trust_exact_stops_at_saddle_reference():
    res = scipy.optimize.minimize(saddle_f, [0.0, 0.0], method="trust-exact", jac=saddle_g,
                                  hess=saddle_h)
    if not (res.success and np.array_equal(res.x, [0.0, 0.0])):
        pytest.skip("this scipy version no longer stops at a stationary saddle")
    # scipy: first-order test only, success at the saddle.
    assert res.nit == 0 or np.allclose(res.x, 0.0)
    assert np.linalg.eigvalsh(saddle_h(res.x)).tolist() == [-2.0, 2.0]
    # fastnewton, same call: a second-order point.
    ours = fastnewton.minimize(saddle_f, [0.0, 0.0], method="trust-exact", jac=saddle_g,
                               hess=saddle_h)
    assert_at_saddle_minimum(ours)
    assert ours.fun < res.fun - 0.99
