"""Tests for the banded problems of fastnewton.problems and their bands."""

import math
import tracemalloc

import numpy as np
import pytest
import scipy.linalg as sl
import scipy.optimize as so

from fastnewton import problems as P
from reference_derivatives import fd_gradient, fd_hessian


def _banded(n):
    """Every banded problem at (about) size n."""
    return [P.rosenbrock(n), P.broyden_tridiagonal(n),
            P.extended_rosenbrock(n + n % 2), P.energy_1d(n),
            P.chained_double_well(n), P.energy_1d(n, amplitude=0.5),
            P.chained_double_well(n, c=0.2)]


PROBLEMS = _banded(7) + _banded(12) + [P.rosenbrock(2), P.rosenbrock(3),
                                      P.rosenbrock(17)]
IDS = [f"{p.name}-{p.n}-{i}" for i, p in enumerate(PROBLEMS)]
EXPECTED_BANDWIDTH = {"rosenbrock": 1, "broyden_tridiagonal": 2,
                      "extended_rosenbrock": 1, "energy_1d": 1,
                      "chained_double_well": 1}


def _points(prob, count=3, seed=0):
    """x0, the known minimizers and random points near them."""
    rng = np.random.default_rng(seed)
    centers = [prob.x0, *prob.minimizers, np.zeros(prob.n)]
    pts = list(centers)
    for c in centers:
        for _ in range(count):
            pts.append(c + 0.5 * rng.standard_normal(prob.n))
    return pts


def _band_of(h, b):
    """LAPACK lower band storage of a dense matrix, zeros past the end."""
    n = h.shape[0]
    band = np.zeros((b + 1, n))
    for k in range(b + 1):
        band[k, :n - k] = np.diagonal(h, -k)
    return band


# ---------------------------------------------------------------------------

def test_dense_problems_have_no_band():
    for prob in P.classic_problems():
        if prob.name == "rosenbrock":
            continue
        assert prob.bandwidth is None and prob.hess_band is None


def test_testproblem_band_arguments():
    f = P.rosenbrock(3)
    with pytest.raises(ValueError):
        P.TestProblem("x", f.x0, f.fun, f.jac, f.hess, 0.0, bandwidth=1)
    with pytest.raises(ValueError):
        P.TestProblem("x", f.x0, f.fun, f.jac, f.hess, 0.0,
                      bandwidth=-1, hess_band=f.hess_band)
    q = P.TestProblem("x", f.x0, f.fun, f.jac, f.hess, None)
    assert q.f_min is None and q.bandwidth is None


@pytest.mark.parametrize("prob", PROBLEMS, ids=IDS)
def test_shapes_and_declared_bandwidth(prob):
    b = prob.bandwidth
    assert b == EXPECTED_BANDWIDTH[prob.name]
    x = prob.x0
    band = prob.hess_band(x)
    assert band.shape == (b + 1, prob.n) and band.dtype == np.float64
    # Entries past the end of each subdiagonal are stored as zeros.
    for k in range(1, b + 1):
        np.testing.assert_array_equal(band[k, prob.n - k:], 0.0)
    g = prob.jac(x)
    assert g.shape == (prob.n,) and g.dtype == np.float64
    assert isinstance(prob.fun(x), float)
    # The callables do not modify their input.
    prob.fun(x), prob.jac(x), prob.hess_band(x), prob.hessp(x, np.ones(prob.n))
    np.testing.assert_array_equal(x, prob.x0)


@pytest.mark.parametrize("prob", PROBLEMS, ids=IDS)
def test_jac_matches_central_differences(prob):
    for x in _points(prob):
        fd = fd_gradient(prob, x)
        g = prob.jac(x)
        err = np.linalg.norm(fd - g) / max(np.linalg.norm(g), 1.0)
        assert err < 1e-8, (x, err)


@pytest.mark.parametrize("prob", PROBLEMS, ids=IDS)
def test_hess_band_matches_finite_differences_and_is_banded(prob):
    b = prob.bandwidth
    n = prob.n
    i, j = np.indices((n, n))
    outside = np.abs(i - j) > b
    for x in _points(prob):
        fd = fd_hessian(prob, x)
        scale = max(1.0, np.abs(fd).max())
        # Curvature outside the declared band is zero (up to rounding).
        assert np.abs(fd[outside]).max(initial=0.0) < 1e-8 * scale, x
        band = prob.hess_band(x)
        err = np.abs(band - _band_of(0.5 * (fd + fd.T), b))
        assert err.max() < 1e-8 * scale, (x, err)


@pytest.mark.parametrize("prob", PROBLEMS, ids=IDS)
def test_band_is_tight(prob):
    # The outermost declared subdiagonal is not identically zero.
    b = prob.bandwidth
    worst = max(np.abs(prob.hess_band(x)[b, :prob.n - b]).max()
                for x in _points(prob))
    assert worst > 1e-3


@pytest.mark.parametrize("prob", PROBLEMS, ids=IDS)
def test_hess_and_hessp_consistent_with_band(prob):
    rng = np.random.default_rng(2)
    for x in _points(prob, count=1):
        band = prob.hess_band(x)
        h = prob.hess(x)
        np.testing.assert_array_equal(h, h.T)
        np.testing.assert_array_equal(_band_of(h, prob.bandwidth), band)
        p = rng.standard_normal(prob.n)
        scale = np.abs(h).max() * np.abs(p).max()
        np.testing.assert_allclose(prob.hessp(x, p), h @ p, rtol=1e-12,
                                   atol=1e-13 * scale)
        np.testing.assert_allclose(P.band_matvec(band, p), h @ p,
                                   rtol=1e-12, atol=1e-13 * scale)
        # hessp against the finite-difference Hessian, independent of hess.
        np.testing.assert_allclose(prob.hessp(x, p), fd_hessian(prob, x) @ p,
                                   rtol=1e-7, atol=1e-8 * scale)


@pytest.mark.parametrize("b", [0, 1, 2, 4])
def test_band_helpers_round_trip(b):
    rng = np.random.default_rng(b)
    n = 9
    h = rng.standard_normal((n, n))
    h = h + h.T
    h[np.abs(np.subtract.outer(np.arange(n), np.arange(n))) > b] = 0.0
    band = _band_of(h, b)
    np.testing.assert_array_equal(P.band_to_dense(band), h)
    p = rng.standard_normal(n)
    np.testing.assert_allclose(P.band_matvec(band, p), h @ p, rtol=1e-13,
                               atol=1e-13)


@pytest.mark.parametrize("n", [2, 3, 4, 10, 16, 17, 100])
def test_rosenbrock_band_matches_scipy(n):
    prob = P.rosenbrock(n)
    rng = np.random.default_rng(n)
    for _ in range(3):
        x = 2.0 * rng.standard_normal(n)
        np.testing.assert_allclose(prob.hess_band(x),
                                   _band_of(so.rosen_hess(x), 1),
                                   rtol=1e-13, atol=1e-12)


@pytest.mark.parametrize("prob", [p for p in PROBLEMS if p.f_min is not None],
                         ids=lambda p: f"{p.name}-{p.n}")
def test_minimizers(prob):
    for xm in prob.minimizers:
        assert prob.fun(xm) == pytest.approx(prob.f_min, rel=1e-12,
                                             abs=1e-12)
        assert np.abs(prob.jac(xm)).max() < 1e-10
        assert np.linalg.eigvalsh(prob.hess(xm)).min() > 0.0
    for x in _points(prob):
        assert prob.fun(x) >= prob.f_min - 1e-12


def test_broyden_tridiagonal_start_and_root():
    for n in (3, 7, 50):
        prob = P.broyden_tridiagonal(n)
        np.testing.assert_array_equal(prob.x0, -1.0)
        # r = (-2, -1, ..., -1, -3) at x0.
        assert prob.fun(prob.x0) == pytest.approx(n + 11.0, rel=1e-15)
        assert prob.f_min == 0.0 and prob.x_min is None
    prob = P.broyden_tridiagonal(20)
    res = so.minimize(prob.fun, prob.x0, jac=prob.jac, hess=prob.hess,
                      method="trust-exact", options={"gtol": 1e-12})
    assert res.fun < 1e-20                     # a common zero of the r_i
    assert np.linalg.eigvalsh(prob.hess(res.x)).min() > 0.0
    with pytest.raises(ValueError):
        P.broyden_tridiagonal(2)


def test_extended_rosenbrock_is_separable():
    prob = P.extended_rosenbrock(6)
    two = P.rosenbrock(2)
    x = np.array([-1.2, 1.0, 0.3, -0.5, 2.0, 3.0])
    pairs = x.reshape(-1, 2)
    assert prob.fun(x) == pytest.approx(sum(two.fun(q) for q in pairs),
                                        rel=1e-14)
    np.testing.assert_allclose(prob.jac(x),
                               np.concatenate([two.jac(q) for q in pairs]),
                               rtol=1e-14)
    np.testing.assert_allclose(prob.hess(x), sl.block_diag(
        *[two.hess(q) for q in pairs]), rtol=1e-14)
    np.testing.assert_array_equal(prob.x_min, np.ones(6))
    with pytest.raises(ValueError):
        P.extended_rosenbrock(7)


def test_energy_manufactured_solution():
    for n in (5, 40):
        prob = P.energy_1d(n)
        h = 1.0 / (n + 1)
        xs = np.arange(1, n + 1) * h
        np.testing.assert_allclose(prob.x_min, 2.0 * np.sin(np.pi * xs),
                                   rtol=1e-14, atol=1e-15)
        # Strictly convex: positive definite Hessian at random points.
        rng = np.random.default_rng(n)
        for _ in range(3):
            x = 3.0 * rng.standard_normal(n)
            assert np.linalg.eigvalsh(prob.hess(x)).min() > 0.0
        np.testing.assert_array_equal(prob.x0, 1.0)


def test_double_well_is_indefinite_near_zero():
    prob = P.chained_double_well(30)
    assert prob.x_min is None and prob.f_min == 0.0
    assert np.linalg.eigvalsh(prob.hess(np.zeros(30))).min() == pytest.approx(
        -1.0, abs=1e-12)
    assert np.linalg.eigvalsh(prob.hess(prob.x0)).min() < -0.5
    np.testing.assert_array_equal(prob.jac(np.zeros(30)), 0.0)   # a saddle
    for xm in prob.minimizers:
        assert prob.fun(xm) == 0.0
    with pytest.raises(ValueError):
        P.chained_double_well(10, c=0.0)


@pytest.mark.parametrize("make", [P.broyden_tridiagonal, P.extended_rosenbrock,
                                  P.energy_1d, P.chained_double_well])
def test_dense_hessian_refused_for_large_n(make):
    prob = make(6000)
    with pytest.raises(ValueError, match="hess_band"):
        prob.hess(prob.x0)
    assert make(5000).hess(make(5000).x0).shape == (5000, 5000)


@pytest.mark.parametrize("make", [P.rosenbrock, P.broyden_tridiagonal,
                                  P.extended_rosenbrock, P.energy_1d,
                                  P.chained_double_well])
def test_large_n_is_linear_in_memory(make):
    # n = 200000: an n x n array would be 320 GB; the band is O(n b).
    n = 200_000
    prob = make(n)
    x = prob.x0 + 0.01
    p = np.ones(n)
    tracemalloc.start()
    try:
        f = prob.fun(x)
        g = prob.jac(x)
        band = prob.hess_band(x)
        hp = prob.hessp(x, p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert math.isfinite(f) and np.all(np.isfinite(g))
    assert band.shape == (prob.bandwidth + 1, n) and hp.shape == (n,)
    assert peak < 12 * 8 * n, peak           # a dozen n-vectors at most
    # Values at large n agree with a small slice computed independently:
    # hessp equals the band product.
    np.testing.assert_allclose(hp, P.band_matvec(band, p), rtol=1e-14)
