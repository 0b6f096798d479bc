"""Banded Hessians: kernels against dense references, the band finite-difference Hessian, the
bandwidth probe, and banded solves against the dense path."""

import warnings

import numpy as np
import pytest

import fastnewton
from fastnewton import _testing as T
from fastnewton import problems as P

METHODS = ["newton", "trust-exact", "dogleg", "trust-ncg"]


def random_band(rng, n, b, definite):
    """A random symmetric band matrix (dense) and its lower band storage."""
    a = rng.standard_normal((n, n))
    a = np.triu(np.tril(a + a.T, b), -b)
    if definite:
        a += np.diag(np.abs(a).sum(axis=1) + 1.0)
    band = np.zeros((b + 1, n))
    for k in range(min(b, n - 1) + 1):
        band[k, : n - k] = np.diagonal(a, -k)
    return a, band


@pytest.mark.parametrize("b", [0, 1, 2, 5, 8, 12])
@pytest.mark.parametrize("n", [1, 2, 3, 7, 20])
def test_band_solve_and_product_match_dense(b, n):
    rng = np.random.default_rng(100 * b + n)
    a, band = random_band(rng, n, b, definite=True)
    rhs = rng.standard_normal(n)
    for shift in (0.0, 0.7):
        expected = np.linalg.solve(a + shift * np.eye(n), rhs)
        np.testing.assert_allclose(T.banded_shifted_solve(band, shift, rhs), expected,
                                   rtol=1e-10, atol=1e-12 * np.abs(expected).max())
    np.testing.assert_allclose(T.banded_matvec(band, rhs), a @ rhs, rtol=1e-12,
                               atol=1e-12 * np.abs(a).sum())


@pytest.mark.parametrize("b", [0, 1, 2, 5, 8, 12])
@pytest.mark.parametrize("n", [1, 4, 15])
def test_band_factorization_reports_indefinite(b, n):
    rng = np.random.default_rng(7 + b + n)
    a, band = random_band(rng, n, b, definite=False)
    smallest = np.linalg.eigvalsh(a)[0]
    rhs = np.ones(n)
    for shift in (-smallest - 1.0, -smallest + 1.0):
        solution = T.banded_shifted_solve(band, shift, rhs)
        if smallest + shift < 0:
            assert solution is None
        else:
            np.testing.assert_allclose(solution, np.linalg.solve(a + shift * np.eye(n), rhs),
                                       rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("b", [1, 2, 3])
@pytest.mark.parametrize("n", [200, 2001])
def test_long_band_solves_match_scipy(b, n):
    # The tridiagonal and pentadiagonal kernels carry rows in registers;
    # long bands with a shift check them against LAPACK through scipy.
    from scipy.linalg import solveh_banded
    rng = np.random.default_rng(n + b)
    band = rng.standard_normal((b + 1, n))
    band[0] = np.abs(band).sum(axis=0) * 0.6 + 0.1   # mostly, not safely, diagonally dominant
    band[1:, n - b:] = 0.0
    rhs = rng.standard_normal(n)
    for shift in (0.0, 0.3, 5.0):
        shifted = band.copy()
        shifted[0] += shift
        try:
            expected = solveh_banded(shifted, rhs, lower=True)
        except np.linalg.LinAlgError:
            assert T.banded_shifted_solve(band, shift, rhs) is None
            continue
        np.testing.assert_allclose(T.banded_shifted_solve(band, shift, rhs), expected,
                                   rtol=1e-9, atol=1e-11 * np.abs(expected).max())


def dense_band(matrix, b):
    n = matrix.shape[0]
    band = np.zeros((b + 1, n))
    for k in range(min(b, n - 1) + 1):
        band[k, : n - k] = np.diagonal(matrix, -k)
    return band


@pytest.mark.parametrize("problem", [P.rosenbrock(9), P.chained_double_well(11),
                                     P.broyden_tridiagonal(10), P.energy_1d(12)],
                         ids=lambda p: p.name)
@pytest.mark.parametrize("method", ["2-point", "3-point"])
def test_band_fd_hessian_equals_dense_fd_on_the_band(problem, method):
    rng = np.random.default_rng(3)
    x = problem.x0 + 0.1 * rng.standard_normal(problem.n)
    b = problem.bandwidth
    band = fastnewton.approx_hessian(problem.jac, x, method=method, bandwidth=b)
    dense = fastnewton.approx_hessian(problem.jac, x, method=method)
    scale = np.abs(dense).max()
    np.testing.assert_allclose(band, dense_band(dense, b), rtol=0, atol=1e-6 * scale)
    # ... and both approximate the analytic band.
    np.testing.assert_allclose(band, problem.hess_band(x), rtol=0,
                               atol=(1e-5 if method == "2-point" else 1e-8) * scale)


class PointKeeper:
    """A gradient that keeps a reference to every other point it is given and changes the rest.

    The solver reuses a point in place only when the user holds no
    reference to it; the kept points must never change afterwards, and the
    changed ones must not leak into later evaluations.
    """

    def __init__(self, jac):
        self.jac = jac
        self.kept = []       # (the array handed out, a copy of its values then)
        self.calls = 0

    def __call__(self, x):
        g = self.jac(x)
        self.calls += 1
        if self.calls % 2:
            self.kept.append((x, x.copy()))
        else:
            x[:] = -7.0
        return g

    def assert_kept_points_unchanged(self):
        assert self.kept
        for handed_out, values in self.kept:
            np.testing.assert_array_equal(handed_out, values)


@pytest.mark.parametrize("method", ["2-point", "3-point"])
@pytest.mark.parametrize("n", [2, 3, 5, 23])
def test_band_fd_hessian_with_points_kept_or_changed_by_the_user(method, n):
    problem = P.chained_double_well(n)
    x = problem.x0 + 0.3 * np.cos(np.arange(n))
    keeper = PointKeeper(problem.jac)
    band = fastnewton.approx_hessian(keeper, x, method=method, bandwidth=1,
                                     check_bandwidth=False)
    reference = fastnewton.approx_hessian(problem.jac, x, method=method, bandwidth=1)
    np.testing.assert_array_equal(band, reference)
    np.testing.assert_allclose(band, problem.hess_band(x), rtol=0,
                               atol=1e-5 * np.abs(problem.hess_band(x)).max())
    keeper.assert_kept_points_unchanged()


@pytest.mark.parametrize("method", ["2-point", "3-point"])
def test_band_fd_hessian_of_a_gradient_that_is_its_argument(method):
    # f = ½‖x‖²: jac returns the very array it was given, so the gradient
    # aliases the point the solver would otherwise reuse.
    x = np.linspace(-2.0, 3.0, 11)
    band = fastnewton.approx_hessian(lambda point: point, x, method=method, bandwidth=2)
    expected = np.zeros((3, 11))
    expected[0] = 1.0
    np.testing.assert_allclose(band, expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fd", [False, True], ids=["analytic band", "fd band"])
def test_banded_solve_with_points_kept_or_changed_by_the_user(method, fd):
    problem = P.broyden_tridiagonal(40)
    keeper = PointKeeper(problem.jac)
    hess = "2-point" if fd else problem.hess_band
    kwargs = dict(hess=hess) if method != "trust-ncg" or not fd else dict(hess="2-point")
    res = fastnewton.minimize(problem.fun, problem.x0, jac=keeper, method=method,
                              options=dict(bandwidth=problem.bandwidth, gtol=1e-8), **kwargs)
    assert res.success
    assert np.abs(problem.jac(res.x)).max() <= 1e-8
    keeper.assert_kept_points_unchanged()
    for handed_out, _ in keeper.kept:
        assert not np.shares_memory(handed_out, res.x)


def skipping_gradient(x):
    """Gradient of f = Σ x_i² + Σ x_i x_{i+2}: its Hessian has half-bandwidth 2, not 1."""
    g = 2.0 * x
    g[:-2] += x[2:]
    g[2:] += x[:-2]
    return g


def skipping_fun(x):
    return x @ x + x[:-2] @ x[2:]


def test_approx_hessian_warns_when_not_banded_as_declared():
    x = np.linspace(-1.0, 1.0, 30)
    with pytest.warns(fastnewton.BandwidthWarning, match="bandwidth 1"):
        fastnewton.approx_hessian(skipping_gradient, x, bandwidth=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        band = fastnewton.approx_hessian(skipping_gradient, x, bandwidth=2)
    expected = np.zeros((3, 30))
    expected[0] = 2.0
    expected[2, :28] = 1.0
    np.testing.assert_allclose(band, expected, atol=1e-6)


def test_minimize_warns_when_the_declared_band_is_too_narrow():
    x0 = np.linspace(-1.0, 1.0, 30)
    with pytest.warns(fastnewton.BandwidthWarning):
        fastnewton.minimize(skipping_fun, x0, method="newton", jac=skipping_gradient,
                            options={"bandwidth": 1})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = fastnewton.minimize(skipping_fun, x0, method="newton", jac=skipping_gradient,
                                  options={"bandwidth": 2})
    assert res.success
    np.testing.assert_allclose(res.x, 0.0, atol=1e-8)   # f is a positive definite quadratic


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("problem", [P.rosenbrock(12), P.chained_double_well(12),
                                     P.broyden_tridiagonal(12), P.extended_rosenbrock(12)],
                         ids=lambda p: p.name)
def test_banded_solve_matches_dense(method, problem):
    options = {"gtol": 1e-9}
    dense = fastnewton.minimize(problem.fun, problem.x0, method=method, jac=problem.jac,
                                hess=problem.hess, options=options)
    banded = fastnewton.minimize(problem.fun, problem.x0, method=method, jac=problem.jac,
                                 hess=problem.hess_band,
                                 options={**options, "bandwidth": problem.bandwidth})
    fd_band = fastnewton.minimize(problem.fun, problem.x0, method=method, jac=problem.jac,
                                  options={**options, "bandwidth": problem.bandwidth})
    assert dense.success and banded.success and fd_band.success
    np.testing.assert_allclose(banded.x, dense.x, rtol=0, atol=1e-6)
    np.testing.assert_allclose(fd_band.x, dense.x, rtol=0, atol=1e-6)
    assert np.abs(problem.jac(banded.x)).max() <= 1e-9 * 1.01 * np.sqrt(problem.n) + 1e-9
    # The result's Hessian is the band storage at x, never an n-by-n array.
    assert banded.hess.shape == (problem.bandwidth + 1, problem.n)
    np.testing.assert_allclose(banded.hess, problem.hess_band(banded.x), rtol=1e-12, atol=1e-12)


def test_band_of_width_zero_and_one_variable():
    res = fastnewton.minimize(lambda x: (x[0] - 3.0) ** 2, [0.0], method="trust-exact",
                              jac=lambda x: 2.0 * (x - 3.0), options={"bandwidth": 0})
    assert res.success
    np.testing.assert_allclose(res.x, [3.0], atol=1e-8)
    assert res.hess.shape == (1, 1)
    np.testing.assert_allclose(res.hess, [[2.0]], atol=1e-6)


def test_band_hess_of_wrong_shape_is_rejected():
    problem = P.rosenbrock(6)
    with pytest.raises(ValueError, match=r"\(2, 6\)"):
        fastnewton.minimize(problem.fun, problem.x0, jac=problem.jac,
                            hess=lambda x: np.zeros((3, 6)), options={"bandwidth": 1})
