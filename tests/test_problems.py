"""Tests for fastnewton.problems: derivatives, minimizers, scipy agreement."""

import math

import numpy as np
import pytest
import scipy.optimize as so

from fastnewton import problems as P
from reference_derivatives import fd_gradient, fd_hessian


def _all_problems():
    """classic_problems() plus a few extra sizes and seeds."""
    extra = [P.rosenbrock(3), P.rosenbrock(4), P.rosenbrock(7),
             P.extended_powell(8), P.trigonometric(3),
             P.quadratic(5, seed=1, cond=1e3), P.saddle_quartic((-0.5, 2.0))]
    return P.classic_problems() + extra


PROBLEMS = _all_problems()
IDS = [f"{p.name}-{p.n}-{i}" for i, p in enumerate(PROBLEMS)]


def _test_points(prob, count=4, seed=0):
    """Deterministic points near x0 and near each known minimizer."""
    rng = np.random.default_rng(seed)
    centers = [prob.x0, *prob.minimizers]
    pts = []
    for c in centers:
        scale = 0.3 * np.maximum(1.0, np.abs(c))
        for _ in range(count):
            pts.append(c + scale * rng.standard_normal(prob.n))
    return pts


def _rel_err(approx, exact):
    return np.linalg.norm(approx - exact) / max(np.linalg.norm(exact), 1.0)


# ---------------------------------------------------------------------------

def test_classic_problems_contents():
    probs = P.classic_problems()
    names = {p.name for p in probs}
    for expected in ["rosenbrock", "powell_singular", "wood", "beale",
                     "helical_valley", "freudenstein_roth",
                     "brown_badly_scaled", "quadratic", "saddle_quartic"]:
        assert expected in names
    assert sorted(p.n for p in probs if p.name == "rosenbrock") == [2, 10, 100]
    assert all(isinstance(p, P.TestProblem) for p in probs)


@pytest.mark.parametrize("prob", PROBLEMS, ids=IDS)
def test_shapes_and_types(prob):
    x0 = prob.x0
    assert x0.shape == (prob.n,) and x0.dtype == np.float64
    f = prob.fun(x0)
    assert isinstance(f, float) and math.isfinite(f)
    g = prob.jac(x0)
    assert g.shape == (prob.n,) and g.dtype == np.float64
    h = prob.hess(x0)
    assert h.shape == (prob.n, prob.n) and h.dtype == np.float64
    assert prob.hessp(x0, np.ones(prob.n)).shape == (prob.n,)
    # x0 is a copy: mutating it must not change the problem.
    x0[:] = 123.0
    assert not np.any(prob.x0 == 123.0)
    # The callables must not modify their input.
    x = prob.x0
    prob.fun(x), prob.jac(x), prob.hess(x), prob.hessp(x, np.ones(prob.n))
    np.testing.assert_array_equal(x, prob.x0)


@pytest.mark.parametrize("prob", PROBLEMS, ids=IDS)
def test_jac_matches_finite_differences(prob):
    for x in _test_points(prob):
        err = _rel_err(fd_gradient(prob, x), prob.jac(x))
        assert err < 1e-6, (x, err)


@pytest.mark.parametrize("prob", PROBLEMS, ids=IDS)
def test_hess_matches_finite_differences(prob):
    for x in _test_points(prob):
        h = prob.hess(x)
        np.testing.assert_array_equal(h, h.T)
        # Entrywise, so small entries of badly scaled Hessians count too.
        err = np.abs(fd_hessian(prob, x) - h) / np.maximum(np.abs(h), 1.0)
        assert err.max() < 1e-6, (x, err)


@pytest.mark.parametrize("prob", PROBLEMS, ids=IDS)
def test_hessp_equals_hess_times_p(prob):
    rng = np.random.default_rng(1)
    for x in _test_points(prob, count=2):
        p = rng.standard_normal(prob.n)
        expected = prob.hess(x) @ p
        scale = np.abs(prob.hess(x)).max() * np.abs(p).max()
        np.testing.assert_allclose(prob.hessp(x, p), expected, rtol=1e-12,
                                   atol=1e-13 * scale)


@pytest.mark.parametrize("prob", PROBLEMS, ids=IDS)
def test_global_minimizers(prob):
    assert len(prob.minimizers) >= 1
    if len(prob.minimizers) == 1 and prob.name not in ("trigonometric",):
        np.testing.assert_array_equal(prob.x_min, prob.minimizers[0])
    else:
        assert prob.x_min is None
    for xm in prob.minimizers:
        f = prob.fun(xm)
        assert f == pytest.approx(prob.f_min, rel=1e-12, abs=1e-12)
        g = prob.jac(xm)
        assert np.linalg.norm(g) <= 1e-10 * max(1.0, np.abs(xm).max())
        # Second-order necessary condition.
        assert np.linalg.eigvalsh(prob.hess(xm)).min() >= -1e-10
    # No test point does better than the global minimum.
    for x in _test_points(prob):
        assert prob.fun(x) >= prob.f_min - 1e-12


@pytest.mark.parametrize("prob", PROBLEMS, ids=IDS)
def test_local_minima(prob):
    for xl, fl in prob.local_minima:
        assert fl > prob.f_min + 1.0
        assert prob.fun(xl) == pytest.approx(fl, rel=1e-12)
        assert np.linalg.norm(prob.jac(xl)) < 1e-10
        assert np.linalg.eigvalsh(prob.hess(xl)).min() > 0.1


def test_local_minima_recorded_where_known():
    assert len(P.freudenstein_roth().local_minima) == 1
    assert P.rosenbrock(3).local_minima == ()
    (x, f), = P.rosenbrock(10).local_minima
    assert f == pytest.approx(3.98658, abs=1e-5)
    assert x[0] == pytest.approx(-0.9933, abs=1e-4)


def test_freudenstein_roth_local_minimum_value():
    (x, f), = P.freudenstein_roth().local_minima
    np.testing.assert_allclose(x, [11.41277898, -0.89680525], rtol=1e-8)
    assert f == pytest.approx(48.98425368, rel=1e-9)


@pytest.mark.parametrize("n", [2, 3, 4, 10, 16, 17, 100])
def test_rosenbrock_matches_scipy(n):
    prob = P.rosenbrock(n)
    rng = np.random.default_rng(n)
    for _ in range(5):
        x = 2.0 * rng.standard_normal(n)
        p = rng.standard_normal(n)
        assert prob.fun(x) == pytest.approx(so.rosen(x), rel=1e-12)
        np.testing.assert_allclose(prob.jac(x), so.rosen_der(x), rtol=1e-12,
                                   atol=1e-12)
        np.testing.assert_allclose(prob.hess(x), so.rosen_hess(x),
                                   rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(prob.hessp(x, p),
                                   so.rosen_hess_prod(x, p), rtol=1e-12,
                                   atol=1e-10)


def test_rosenbrock_start_and_minimum():
    np.testing.assert_array_equal(P.rosenbrock(2).x0, [-1.2, 1.0])
    np.testing.assert_array_equal(P.rosenbrock(5).x0,
                                  [-1.2, 1.0, -1.2, 1.0, -1.2])
    prob = P.rosenbrock(10)
    np.testing.assert_array_equal(prob.x_min, np.ones(10))
    assert prob.f_min == 0.0 and prob.fun(np.ones(10)) == 0.0
    assert so.rosen(prob.x0) == pytest.approx(prob.fun(prob.x0), rel=1e-15)
    with pytest.raises(ValueError):
        P.rosenbrock(1)


def test_powell_singular_hessian_is_singular_at_minimum():
    prob = P.powell_singular()
    np.testing.assert_array_equal(prob.x0, [3.0, -1.0, 0.0, 1.0])
    assert prob.fun(prob.x0) == pytest.approx(215.0)
    ev = np.linalg.eigvalsh(prob.hess(prob.x_min))
    assert abs(ev[0]) < 1e-12 and ev[-1] > 1.0
    assert np.linalg.matrix_rank(prob.hess(prob.x_min)) == 2
    with pytest.raises(ValueError):
        P.extended_powell(6)


def test_standard_starting_values():
    # f(x0) as tabulated by More, Garbow and Hillstrom (1981).
    assert P.wood().fun(P.wood().x0) == pytest.approx(19192.0)
    assert P.beale().fun(P.beale().x0) == pytest.approx(14.203125)
    hv = P.helical_valley()
    assert hv.fun(hv.x0) == pytest.approx(2500.0)
    fr = P.freudenstein_roth()
    assert fr.fun(fr.x0) == pytest.approx(400.5)
    br = P.brown_badly_scaled()
    assert br.fun(br.x0) == pytest.approx(0.999998000003e12, rel=1e-11)


def test_quadratic():
    prob = P.quadratic(6, seed=3, cond=50.0)
    a = prob.hess(prob.x0)
    ev = np.linalg.eigvalsh(a)
    assert ev[0] == pytest.approx(1.0) and ev[-1] == pytest.approx(50.0)
    b = -prob.jac(np.zeros(6))
    np.testing.assert_allclose(prob.x_min, np.linalg.solve(a, b), rtol=1e-12)
    assert prob.f_min == pytest.approx(-0.5 * b @ np.linalg.solve(a, b))
    # Same seed, same problem; different seed, different problem.
    np.testing.assert_array_equal(P.quadratic(6, seed=3, cond=50.0).x_min,
                                  prob.x_min)
    assert not np.allclose(P.quadratic(6, seed=4).x_min, prob.x_min)


def test_saddle_quartic():
    prob = P.saddle_quartic()
    assert prob.x_min is None and prob.f_min == -1.0
    origin = np.zeros(2)
    np.testing.assert_array_equal(prob.jac(origin), [0.0, 0.0])
    np.testing.assert_array_equal(np.linalg.eigvalsh(prob.hess(origin)),
                                  [-2.0, 2.0])
    for y in (math.sqrt(2.0), -math.sqrt(2.0)):
        assert prob.fun([0.0, y]) == pytest.approx(-1.0, rel=1e-15)
    assert np.linalg.eigvalsh(prob.hess(prob.x0)).min() < 0.0


def test_helical_valley_branch():
    prob = P.helical_valley()
    # theta jumps from 3/4 to -1/4 across x1 = 0, x2 < 0: f jumps there.
    left = prob.fun([-1e-9, -1.0, 0.0])
    right = prob.fun([1e-9, -1.0, 0.0])
    assert left == pytest.approx(100.0 * 7.5 ** 2, rel=1e-6)
    assert right == pytest.approx(100.0 * 2.5 ** 2, rel=1e-6)


@pytest.mark.parametrize("prob", [P.rosenbrock(2), P.beale(),
                                  P.helical_valley(), P.wood(),
                                  P.quadratic(10)], ids=lambda p: p.name)
def test_scipy_trust_exact_reaches_minimum(prob):
    # Independent check that the derivatives are consistent with a solver.
    res = so.minimize(prob.fun, prob.x0, jac=prob.jac, hess=prob.hess,
                      method="trust-exact", options={"gtol": 1e-9})
    assert res.success
    assert res.fun == pytest.approx(prob.f_min, abs=1e-12)
    np.testing.assert_allclose(res.x, prob.x_min, atol=1e-6)
