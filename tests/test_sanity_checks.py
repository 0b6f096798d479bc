"""Hessian sanity checks: analytic bands probed at x0, check_derivatives, non-critical points.

Also the things a user reads: the CriticalPoint repr and signature, and the
fields of each method's result.
"""

import inspect
import warnings

import numpy as np
import pytest

import fastnewton
from fastnewton import problems as P

METHODS = ["newton", "trust-exact", "dogleg", "trust-ncg"]


def upper_from_lower(hess_band):
    """LAPACK upper band storage (band[b − k, j] = H[j − k, j]) of a lower band."""
    b, n = hess_band.shape[0] - 1, hess_band.shape[1]
    upper = np.zeros_like(hess_band)
    for k in range(b + 1):
        upper[b - k, k:] = hess_band[k, :n - k]
    return upper


def skipping_fun(x):
    """f = Σ x_i² + Σ x_i x_{i+2}: a positive definite quadratic of half-bandwidth 2."""
    return x @ x + x[:-2] @ x[2:]


def skipping_gradient(x):
    g = 2.0 * x
    g[:-2] += x[2:]
    g[2:] += x[:-2]
    return g


def skipping_band(width):
    """The Hessian's lower band, cut to `width` (the true one for width >= 2)."""
    def hess_band(x):
        band = np.zeros((width + 1, x.size))
        band[0] = 2.0
        if width >= 2:
            band[2, :-2] = 1.0
        return band
    return hess_band


@pytest.mark.parametrize("method", METHODS)
def test_analytic_band_in_the_upper_layout_warns_and_says_so(method):
    problem = P.rosenbrock(20)
    assert problem.bandwidth == 1

    def hess_upper(x):
        return upper_from_lower(problem.hess_band(x))

    with pytest.warns(fastnewton.BandwidthWarning, match="upper band storage"):
        fastnewton.minimize(problem.fun, problem.x0, method=method, jac=problem.jac,
                            hess=hess_upper, options={"bandwidth": 1, "maxiter": 3})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = fastnewton.minimize(problem.fun, problem.x0, method=method, jac=problem.jac,
                                  hess=problem.hess_band, options={"bandwidth": 1})
        fastnewton.minimize(problem.fun, problem.x0, method=method, jac=problem.jac,
                            hess=hess_upper,
                            options={"bandwidth": 1, "maxiter": 3, "check_bandwidth": False})
    assert res.success


def test_analytic_band_narrower_than_the_function_warns():
    x0 = np.linspace(-1.0, 1.0, 30)
    with pytest.warns(fastnewton.BandwidthWarning, match="does not look banded with bandwidth 1"):
        fastnewton.minimize(skipping_fun, x0, method="newton", jac=skipping_gradient,
                            hess=skipping_band(1), options={"bandwidth": 1, "maxiter": 3})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = fastnewton.minimize(skipping_fun, x0, method="newton", jac=skipping_gradient,
                                  hess=skipping_band(2), options={"bandwidth": 2})
    assert res.success and res.nit == 1
    np.testing.assert_allclose(res.x, 0.0, atol=1e-12)


def test_band_probe_costs_two_gradient_calls_and_its_band_is_the_start():
    """The probe's band at x0 is the one the solve starts from: an analytic band costs no
    extra hess call, a difference band no second 2b + 1 gradients (only x0's gradient)."""
    x0 = np.linspace(-1.0, 1.0, 30)
    options = {"bandwidth": 2, "maxiter": 0}
    for hess, extra_njev in ((skipping_band(2), 2), ("2-point", 3), ("3-point", 3)):
        checked = fastnewton.minimize(skipping_fun, x0, method="newton", jac=skipping_gradient,
                                      hess=hess, options=options)
        unchecked = fastnewton.minimize(skipping_fun, x0, method="newton", jac=skipping_gradient,
                                        hess=hess, options={**options, "check_bandwidth": False})
        assert checked.njev - unchecked.njev == extra_njev
        assert checked.nhev == unchecked.nhev and checked.nfev == unchecked.nfev
        np.testing.assert_array_equal(checked.hess, unchecked.hess)


@pytest.mark.parametrize("method", METHODS)
def test_check_derivatives_reports_small_errors_for_right_derivatives(method):
    problem = P.rosenbrock(6)
    given = dict(hessp=problem.hessp) if method == "trust-ncg" else dict(hess=problem.hess)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = fastnewton.minimize(problem.fun, problem.x0, method=method, jac=problem.jac,
                                  options={"check_derivatives": True}, **given)
    assert res.success and set(res.derivative_errors) == {"jac", "hess"}
    assert max(res.derivative_errors.values()) < 1e-7
    plain = fastnewton.minimize(problem.fun, problem.x0, method=method, jac=problem.jac, **given)
    assert "derivative_errors" not in plain
    np.testing.assert_array_equal(res.x, plain.x)


def test_check_derivatives_names_a_wrong_jac_or_hess():
    problem = P.rosenbrock(4)
    x0 = problem.x0

    def wrong_jac(x):
        g = problem.jac(x)
        g[1] *= 2.0
        return g

    def wrong_hess(x):
        H = problem.hess(x)
        H[3, 2] += 1.0          # in the lower triangle, the part that is read
        return H

    expected_jac = np.abs(wrong_jac(x0) - problem.jac(x0)).max() / np.abs(wrong_jac(x0)).max()
    with pytest.warns(fastnewton.DerivativeWarning, match="jac disagrees with central "
                      "differences of fun") as record:
        res = fastnewton.minimize(problem.fun, x0, jac=wrong_jac, hess=problem.hess,
                                  options={"check_derivatives": True, "maxiter": 2})
    assert len(record) == 1
    assert res.derivative_errors["jac"] == pytest.approx(expected_jac, rel=1e-6)
    expected_hess = 1.0 / np.abs(problem.hess(x0)).max()
    with pytest.warns(fastnewton.DerivativeWarning, match="^hess disagrees"):
        res = fastnewton.minimize(problem.fun, x0, jac=problem.jac, hess=wrong_hess,
                                  options={"check_derivatives": True, "maxiter": 2})
    assert res.derivative_errors["hess"] == pytest.approx(expected_hess, rel=1e-4)
    assert res.derivative_errors["jac"] < 1e-7


def test_check_derivatives_off_by_default_and_validated():
    problem = P.rosenbrock(2)
    with pytest.raises(TypeError, match="check_derivatives"):
        fastnewton.minimize(problem.fun, problem.x0, jac=problem.jac, hess=problem.hess,
                            options={"check_derivatives": "yes"})


def test_classify_reports_a_point_that_is_not_critical():
    f = lambda x: 2.1 * x[0] + x[0] ** 2 - x[1] ** 2        # ∇f(0) = (2.1, 0)
    jac = lambda x: np.array([2.1 + 2 * x[0], -2 * x[1]])
    for given in ({"jac": jac}, {}):
        point = fastnewton.classify_critical_point(f, [1.0, 0.0], **given)
        assert point.gradient_norm == pytest.approx(4.1, rel=1e-8)
        assert point.kind == "not critical" and not point.is_critical
        assert point.inertia == (1, 1, 0)          # the Hessian's signs are still reported
        assert "not critical" in repr(point)
    # With a generous gtol the same point is classified by its Hessian.
    assert fastnewton.classify_critical_point(f, [1.0, 0.0], jac=jac, gtol=5.0).kind == "saddle"
    # A critical point: x0 = −1.05 zeroes the gradient.
    assert fastnewton.classify_critical_point(f, [-1.05, 0.0]).kind == "saddle"
    with pytest.raises(ValueError, match="gtol"):
        fastnewton.classify_critical_point(f, [0.0, 0.0], gtol=-1.0)


def test_critical_point_repr_matches_its_attributes_and_has_a_signature():
    point = fastnewton.classify_critical_point(np.diag([2.0, 3.0, -1.0]))
    assert point.inertia == (2, 1, 0)
    text = repr(point)
    assert "inertia=(2, 1, 0)" in text and "kind='saddle'" in text
    assert "min_eigenvalue=-1," in text and "max_eigenvalue=3," in text
    parameters = list(inspect.signature(fastnewton.CriticalPoint).parameters)
    assert parameters[:7] == ["n_positive", "n_negative", "n_zero", "min_eigenvalue",
                              "max_eigenvalue", "tol", "method"]
    rebuilt = fastnewton.CriticalPoint(*point.inertia, point.min_eigenvalue,
                                       point.max_eigenvalue, point.tol, point.method)
    assert repr(rebuilt) == text


@pytest.mark.parametrize("method,own", [
    ("newton", {"hess", "hess_inv", "n_hess_modified", "hess_shift_max", "n_factorizations"}),
    ("trust-exact", {"hess", "hess_inv", "trust_radius", "n_rejected", "n_hard_case",
                     "n_factorizations"}),
    ("dogleg", {"hess", "hess_inv", "trust_radius", "n_rejected", "n_hess_modified", "hess_shift_max",
                "n_factorizations"}),
    ("trust-ncg", {"trust_radius", "n_rejected"}),
    ("newton-cg", {"n_cg_iterations"}),
    ("trust-krylov", {"trust_radius", "n_rejected", "n_hard_case"}),
])
def test_each_result_has_only_the_fields_of_its_method(method, own):
    problem = P.rosenbrock(4)
    res = fastnewton.minimize(problem.fun, problem.x0, method=method, jac=problem.jac,
                              hess=problem.hess)
    common = {"x", "fun", "jac", "nit", "nfev", "njev", "nhev", "status", "success", "message",
              "critical_point"}
    assert set(res) == common | own
    doc = getattr(fastnewton, method.replace("-", "_")).__doc__
    for name in common | own:
        assert name in doc, name
