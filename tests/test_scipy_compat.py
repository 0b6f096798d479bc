"""fastnewton as a drop-in for scipy.optimize.minimize.

Two kinds of checks: our methods passed to scipy as callables behave exactly
like `fastnewton.minimize`, and our results agree with scipy's own
trust-exact / dogleg / trust-ncg / newton-cg where those succeed.
"""

import numpy as np
import pytest
import scipy.optimize as so
from scipy.optimize import OptimizeResult

import fastnewton
from fastnewton import problems as P

CALLABLES = {
    "newton": fastnewton.newton,
    "trust-exact": fastnewton.trust_exact,
    "dogleg": fastnewton.dogleg,
    "trust-ncg": fastnewton.trust_ncg,
}


def derivatives(problem, method):
    if method == "trust-ncg":
        return dict(jac=problem.jac, hessp=problem.hessp)
    return dict(jac=problem.jac, hess=problem.hess)


def assert_same_result(a, b):
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.jac, b.jac)
    assert a.fun == b.fun
    for key in ("nit", "nfev", "njev", "nhev", "status", "success", "message"):
        assert a[key] == b[key], key


@pytest.mark.parametrize("method", list(CALLABLES))
@pytest.mark.parametrize("problem", [P.rosenbrock(2), P.wood(), P.saddle_quartic()],
                         ids=["rosenbrock", "wood", "saddle"])
def test_scipy_with_our_callable_equals_ours(method, problem):
    ours = fastnewton.minimize(problem.fun, problem.x0, method=method,
                               **derivatives(problem, method))
    via_scipy = so.minimize(problem.fun, problem.x0, method=CALLABLES[method],
                            **derivatives(problem, method))
    assert isinstance(via_scipy, OptimizeResult)
    assert via_scipy.success
    assert_same_result(via_scipy, ours)
    # The callable also works through fastnewton.minimize.
    assert_same_result(fastnewton.minimize(problem.fun, problem.x0, method=CALLABLES[method],
                                           **derivatives(problem, method)), ours)


@pytest.mark.parametrize("method", list(CALLABLES))
def test_scipy_tol_maps_to_gtol(method):
    problem = P.rosenbrock(2)
    kwargs = derivatives(problem, method)
    ref = fastnewton.minimize(problem.fun, problem.x0, method=method,
                              options=dict(gtol=1e-10), **kwargs)
    via_scipy = so.minimize(problem.fun, problem.x0, method=CALLABLES[method], tol=1e-10,
                            **kwargs)
    assert_same_result(via_scipy, ref)
    assert_same_result(fastnewton.minimize(problem.fun, problem.x0, method=method, tol=1e-10,
                                           **kwargs), ref)
    # A loose tol stops earlier, and the stopping test holds at the loose level.
    loose = so.minimize(problem.fun, problem.x0, method=CALLABLES[method], tol=1e-1, **kwargs)
    assert loose.success and loose.nit < ref.nit
    assert np.linalg.norm(problem.jac(loose.x)) <= 1e-1
    # gtol in options wins over tol (scipy's setdefault semantics).
    both = fastnewton.minimize(problem.fun, problem.x0, method=method, tol=1e-1,
                               options=dict(gtol=1e-10), **kwargs)
    assert_same_result(both, ref)


@pytest.mark.parametrize("method", list(CALLABLES))
def test_scipy_jac_true_memoized(method):
    problem = P.rosenbrock(2)
    calls = []

    def fun_and_grad(x):
        calls.append(x.copy())
        return problem.fun(x), problem.jac(x)

    kwargs = derivatives(problem, method)
    ref = fastnewton.minimize(problem.fun, problem.x0, method=method, **kwargs)
    kwargs["jac"] = True
    via_scipy = so.minimize(fun_and_grad, problem.x0, method=CALLABLES[method], **kwargs)
    ours = fastnewton.minimize(fun_and_grad, problem.x0, method=method, **kwargs)
    np.testing.assert_array_equal(via_scipy.x, ref.x)
    np.testing.assert_array_equal(ours.x, ref.x)
    assert via_scipy.nit == ours.nit == ref.nit
    assert via_scipy.success


@pytest.mark.parametrize("method", list(CALLABLES))
@pytest.mark.parametrize("style", ["xk", "intermediate_result"])
def test_scipy_callback_through_scipy(method, style):
    problem = P.rosenbrock(2)
    seen = []
    if style == "xk":
        def callback(xk):
            seen.append(np.array(xk, copy=True))
    else:
        def callback(intermediate_result):
            assert isinstance(intermediate_result, OptimizeResult)
            seen.append(np.array(intermediate_result.x, copy=True))
    res = so.minimize(problem.fun, problem.x0, method=CALLABLES[method], callback=callback,
                      options=dict(return_all=True), **derivatives(problem, method))
    assert res.success
    assert len(seen) == res.nit
    for got, expected in zip(seen, res.allvecs[1:]):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("method", list(CALLABLES))
def test_scipy_callback_stop_iteration(method):
    problem = P.rosenbrock(2)

    def callback(intermediate_result):
        if intermediate_result.nit == 2:
            raise StopIteration

    res = so.minimize(problem.fun, problem.x0, method=CALLABLES[method], callback=callback,
                      **derivatives(problem, method))
    assert res.status == 99 and not res.success and res.nit == 2


@pytest.mark.parametrize("method", list(CALLABLES))
def test_scipy_options_and_args_pass_through(method):
    problem = P.rosenbrock(3)

    def fun(x, c):
        return c * problem.fun(x)

    def jac(x, c):
        return c * problem.jac(x)

    def hess(x, c):
        return c * problem.hess(x)

    def hessp(x, p, c):
        return c * problem.hessp(x, p)

    kwargs = dict(jac=jac, hessp=hessp) if method == "trust-ncg" else dict(jac=jac, hess=hess)
    res = so.minimize(fun, problem.x0, args=(3.0,), method=CALLABLES[method],
                      options=dict(maxiter=4), **kwargs)
    assert res.nit == 4 and res.status == 1
    res = so.minimize(fun, problem.x0, args=(3.0,), method=CALLABLES[method],
                      options=dict(gtol=1e-8), **kwargs)
    assert res.success
    np.testing.assert_allclose(res.x, np.ones(3), atol=1e-7)


def test_scipy_passes_bounds_through():
    # scipy hands a custom method its bounds; the bounded solve matches L-BFGS-B.
    problem = P.rosenbrock(2)
    bounds = [(-2.0, 0.5), (-2.0, 2.0)]
    res = so.minimize(problem.fun, problem.x0, method=fastnewton.trust_exact, jac=problem.jac,
                      hess=problem.hess, bounds=bounds)
    ref = so.minimize(problem.fun, problem.x0, method="L-BFGS-B", jac=problem.jac,
                      bounds=bounds, options=dict(ftol=1e-15, gtol=1e-12))
    assert res.success
    np.testing.assert_allclose(res.x, ref.x, atol=1e-6)
    np.testing.assert_array_equal(res.active_mask, [1, 0])
    with pytest.raises(ValueError, match="constraints"):
        so.minimize(problem.fun, problem.x0, method=fastnewton.newton, jac=problem.jac,
                    hess=problem.hess, constraints=[{"type": "eq", "fun": lambda x: x[0]}])


def test_result_has_scipy_fields():
    problem = P.rosenbrock(2)
    ref = so.minimize(problem.fun, problem.x0, method="trust-exact", jac=problem.jac,
                      hess=problem.hess)
    for method in CALLABLES:
        res = fastnewton.minimize(problem.fun, problem.x0, method=method,
                                  **derivatives(problem, method))
        assert isinstance(res, OptimizeResult)
        common = {"x", "fun", "jac", "nit", "nfev", "njev", "status", "success", "message"}
        assert common <= set(ref) and common <= set(res)
        assert isinstance(res.success, (bool, np.bool_))
        assert isinstance(res.status, int)
        assert isinstance(res.message, str)
        assert res.x.dtype == np.float64


# ---------------------------------------------------------------------------
# Agreement with scipy's own methods
# ---------------------------------------------------------------------------

AGREEMENT = [
    ("rosenbrock-2", lambda: P.rosenbrock(2), None),
    ("rosenbrock-10", lambda: P.rosenbrock(10), None),
    ("beale", P.beale, None),
    ("helical_valley", P.helical_valley, None),
    ("wood", P.wood, None),
    ("freudenstein_roth", P.freudenstein_roth, None),
    ("quadratic", lambda: P.quadratic(10, seed=1, cond=1e3), None),
    ("rosenbrock-10-near", lambda: P.rosenbrock(10), 1.0 + 0.1 * (-1.0) ** np.arange(10)),
]


@pytest.mark.parametrize("method", ["trust-exact", "dogleg", "trust-ncg"])
@pytest.mark.parametrize("name,factory,x0", AGREEMENT, ids=[a[0] for a in AGREEMENT])
def test_agrees_with_scipy(method, name, factory, x0):
    problem = factory()
    x0 = problem.x0 if x0 is None else x0
    gtol = 1e-9
    kwargs = derivatives(problem, method)
    theirs = so.minimize(problem.fun, x0, method=method, options=dict(gtol=gtol), **kwargs)
    if theirs.status == 3 and method == "dogleg":
        # scipy's dogleg stops with a linalg error where H is indefinite;
        # there is nothing to agree with.
        pytest.skip("scipy's dogleg failed: %s" % theirs.message)
    # scipy may stop with status 2 ("bad approximation") at rounding level
    # just above gtol; it has converged all the same.
    assert theirs.success or np.linalg.norm(theirs.jac) <= 1e-7
    ours = fastnewton.minimize(problem.fun, x0, method=method, options=dict(gtol=gtol),
                               **kwargs)
    assert ours.success
    np.testing.assert_allclose(ours.x, theirs.x, rtol=0, atol=1e-6)
    assert ours.fun == pytest.approx(theirs.fun, rel=1e-8, abs=1e-12)


@pytest.mark.parametrize("name,factory,x0", AGREEMENT[:6], ids=[a[0] for a in AGREEMENT[:6]])
def test_newton_agrees_with_scipy_newton_cg_near_minimizer(name, factory, x0):
    # Line-search Newton and newton-cg from a start where both keep the full
    # Newton step near the same minimizer.
    problem = factory()
    start = problem.minimizers[0] + 0.05 if problem.n != 10 else \
        1.0 + 0.05 * (-1.0) ** np.arange(problem.n)
    theirs = so.minimize(problem.fun, start, method="newton-cg", jac=problem.jac,
                         hess=problem.hess, options=dict(xtol=1e-12))
    ours = fastnewton.minimize(problem.fun, start, method="newton", jac=problem.jac,
                               hess=problem.hess, options=dict(gtol=1e-9))
    assert ours.success
    np.testing.assert_allclose(ours.x, theirs.x, rtol=0, atol=1e-6)


@pytest.mark.parametrize("method", ["trust-exact", "dogleg", "trust-ncg"])
def test_same_iterations_as_scipy_on_convex_quadratic(method):
    # On a strictly convex quadratic the methods are fully determined by the
    # shared algorithm (N&W Alg. 4.1 with scipy's constants).
    problem = P.quadratic(5, seed=3, cond=10.0)
    x0 = np.full(5, 4.0)
    kwargs = derivatives(problem, method)
    theirs = so.minimize(problem.fun, x0, method=method, options=dict(gtol=1e-10), **kwargs)
    ours = fastnewton.minimize(problem.fun, x0, method=method, options=dict(gtol=1e-10),
                               **kwargs)
    assert theirs.success and ours.success
    np.testing.assert_allclose(ours.x, theirs.x, atol=1e-9)
    np.testing.assert_allclose(ours.x, problem.x_min, atol=1e-9)
