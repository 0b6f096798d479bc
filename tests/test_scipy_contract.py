"""scipy's calling and failure contract, through both entry points.

Every call that scipy.optimize.minimize accepts for these methods runs with
scipy's meaning; what scipy refuses we refuse with a clearer message; a
non-finite start is a failed result, not an exception; the counters count the
user's calls; `disp` warns like scipy. Each check runs through
``fastnewton.minimize(method=name)`` and through
``scipy.optimize.minimize(method=fastnewton.<callable>)``.
"""

import contextlib
import inspect
import io
import warnings

import numpy as np
import pytest
import scipy.optimize as so

import fastnewton
from fastnewton import _options
from fastnewton import problems as P
from fastnewton._second_differences import second_difference_hessian

CALLABLES = {
    "newton": fastnewton.newton,
    "trust-exact": fastnewton.trust_exact,
    "dogleg": fastnewton.dogleg,
    "trust-ncg": fastnewton.trust_ncg,
}
METHODS = list(CALLABLES)
ENTRIES = ["fastnewton", "scipy"]


def solve(entry, method, fun, x0, **kwargs):
    if entry == "fastnewton":
        return fastnewton.minimize(fun, x0, method=method, **kwargs)
    return so.minimize(fun, x0, method=CALLABLES[method], **kwargs)


def analytic(problem, method):
    if method == "trust-ncg":
        return dict(jac=problem.jac, hessp=problem.hessp)
    return dict(jac=problem.jac, hess=problem.hess)


def rosenbrock_complex_safe(x):
    """Rosenbrock written with arithmetic only, so it accepts complex x (for 'cs')."""
    return 100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2


def distance_to_minimizer(x, problem):
    """Relative distance from x to the nearest known minimizer (global or local)."""
    candidates = list(problem.minimizers) + [point for point, _ in problem.local_minima]
    return min(np.linalg.norm(x - c) / max(1.0, np.linalg.norm(c)) for c in candidates)


# ---------------------------------------------------------------------------
# The call
# ---------------------------------------------------------------------------

def test_signature_is_scipys():
    ours = inspect.signature(fastnewton.minimize).parameters
    theirs = inspect.signature(so.minimize).parameters
    assert list(ours) == list(theirs)
    for name in theirs:
        assert ours[name].default == theirs[name].default, name


def test_method_none_is_trust_exact():
    problem = P.rosenbrock(2)
    default = fastnewton.minimize(problem.fun, problem.x0, jac=problem.jac, hess=problem.hess)
    named = fastnewton.minimize(problem.fun, problem.x0, method="trust-exact", jac=problem.jac,
                                hess=problem.hess)
    np.testing.assert_array_equal(default.x, named.x)
    assert default.nfev == named.nfev


@pytest.mark.parametrize("tol", [None, 1e-3])
def test_a_foreign_method_callable_is_called_as_scipy_calls_it(tol):
    seen = []

    def method(fun, x0, **kwargs):
        seen.append(kwargs)
        return so.OptimizeResult(x=np.asarray(x0), success=True)

    jac = np.cos
    common = dict(args=(2.0,), jac=jac, hess="2-point", bounds=[(None, None)],
                  callback=print, tol=tol, options=dict(maxiter=7))
    fastnewton.minimize(np.sin, np.array([0.5]), method=method, **common)
    so.minimize(np.sin, np.array([0.5]), method=method, **common)
    ours, theirs = seen
    assert ours.keys() == theirs.keys()
    for name in theirs:
        assert ours[name] == theirs[name], name


@pytest.mark.parametrize("entry", ENTRIES)
def test_tol_as_an_option_is_tol(entry):
    problem = P.rosenbrock(2)
    as_option = solve(entry, "trust-exact", problem.fun, problem.x0, jac=problem.jac,
                      hess=problem.hess, options=dict(tol=1e-1))
    as_argument = solve(entry, "trust-exact", problem.fun, problem.x0, jac=problem.jac,
                        hess=problem.hess, tol=1e-1)
    assert as_option.nit == as_argument.nit
    np.testing.assert_array_equal(as_option.x, as_argument.x)
    assert np.linalg.norm(as_option.jac) <= 1e-1


INFINITE_BOUNDS = [
    [(None, None), (None, None)],
    [(-np.inf, np.inf), (None, np.inf)],
    ((-np.inf, None), [None, None]),
    so.Bounds(-np.inf, np.inf),
    so.Bounds([-np.inf, -np.inf], [np.inf, np.inf]),
]


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("bounds", INFINITE_BOUNDS, ids=range(len(INFINITE_BOUNDS)))
def test_infinite_bounds_are_ignored(entry, method, bounds):
    problem = P.rosenbrock(2)
    free = solve(entry, method, problem.fun, problem.x0, **analytic(problem, method))
    bounded = solve(entry, method, problem.fun, problem.x0, bounds=bounds,
                    **analytic(problem, method))
    np.testing.assert_array_equal(bounded.x, free.x)
    assert bounded.success and bounded.nit == free.nit


FINITE_BOUNDS = [
    [(0.0, None), (None, None)],
    [(None, None), (-np.inf, 2.0)],
    [(-1.0, 1.0), (-1.0, 1.0)],
    so.Bounds(-5.0, 5.0),
    so.Bounds([-np.inf, 0.0], [np.inf, np.inf]),
]


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("bounds", FINITE_BOUNDS, ids=range(len(FINITE_BOUNDS)))
def test_finite_bounds_are_honoured(entry, method, bounds):
    # Both entry points solve the bounded problem; L-BFGS-B is the reference.
    problem = P.rosenbrock(2)
    res = solve(entry, method, problem.fun, problem.x0, bounds=bounds,
                options=dict(gtol=1e-9), **analytic(problem, method))
    ref = so.minimize(problem.fun, problem.x0, jac=problem.jac, method="L-BFGS-B",
                      bounds=bounds, options=dict(ftol=1e-15, gtol=1e-12))
    assert res.success, res.message
    np.testing.assert_allclose(res.x, ref.x, atol=1e-5)
    assert res.fun <= ref.fun + 1e-10


def test_bounds_of_the_wrong_length_or_form():
    problem = P.rosenbrock(2)
    with pytest.raises(ValueError, match="2 entries"):
        fastnewton.minimize(problem.fun, problem.x0, bounds=[(None, None)] * 3)
    with pytest.raises(ValueError, match="min <= max"):
        fastnewton.minimize(problem.fun, problem.x0, bounds=[(1.0, 0.0), (None, None)])
    with pytest.raises(ValueError, match="NaN"):
        fastnewton.minimize(problem.fun, problem.x0, bounds=[(np.nan, 1.0), (None, None)])
    with pytest.raises(ValueError, match="broadcast"):
        fastnewton.minimize(problem.fun, problem.x0, bounds=so.Bounds([0.0] * 3, [1.0] * 3))
    with pytest.raises(TypeError, match="bounds"):
        fastnewton.minimize(problem.fun, problem.x0, bounds=[1.0, 2.0])


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("constraints", [
    [{"type": "ineq", "fun": lambda x: x[0]}],
    {"type": "eq", "fun": lambda x: x[0] - x[1]},
    so.LinearConstraint(np.eye(2), 0.0, 1.0),
    [so.NonlinearConstraint(lambda x: x @ x, 0.0, 1.0)],
], ids=["dicts", "dict", "linear", "nonlinear"])
def test_constraints_are_refused(entry, constraints):
    problem = P.rosenbrock(2)
    with pytest.raises(ValueError, match="'SLSQP' or 'trust-constr'"):
        solve(entry, "trust-exact", problem.fun, problem.x0, constraints=constraints,
              jac=problem.jac, hess=problem.hess)


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("method", METHODS)
def test_integral_float_options_mean_integers(entry, method):
    problem = P.rosenbrock(2)
    for as_float, as_int in ((1e3, 1000), (3.0, 3), (np.float64(5.0), 5)):
        a = solve(entry, method, problem.fun, problem.x0, options=dict(maxiter=as_float),
                  **analytic(problem, method))
        b = solve(entry, method, problem.fun, problem.x0, options=dict(maxiter=as_int),
                  **analytic(problem, method))
        np.testing.assert_array_equal(a.x, b.x)
        assert a.nit == b.nit <= as_int


def test_integral_float_subproblem_maxiter():
    problem = P.rosenbrock(2)
    a = fastnewton.minimize(problem.fun, problem.x0, jac=problem.jac, hess=problem.hess,
                            options=dict(subproblem_maxiter=2.0))
    b = fastnewton.minimize(problem.fun, problem.x0, jac=problem.jac, hess=problem.hess,
                            options=dict(subproblem_maxiter=2))
    np.testing.assert_array_equal(a.x, b.x)


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("truthy", [1, "yes", np.True_])
def test_disp_and_return_all_are_read_by_truth(entry, truthy):
    problem = P.rosenbrock(2)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        res = solve(entry, "trust-exact", problem.fun, problem.x0, jac=problem.jac,
                    hess=problem.hess, options=dict(disp=truthy, return_all=truthy))
    # One table row per iteration plus the heading and the summary.
    assert printed.getvalue().count("\n") == res.nit + 1 + 6
    assert len(res.allvecs) == res.nit + 1
    quiet = io.StringIO()
    with contextlib.redirect_stdout(quiet):
        res = solve(entry, "trust-exact", problem.fun, problem.x0, jac=problem.jac,
                    hess=problem.hess, options=dict(disp=0, return_all=0))
    assert quiet.getvalue() == "" and "allvecs" not in res


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("x0", [[-1.2, 1.0], (-1.2, 1.0), np.array([-1.2, 1.0], dtype=np.float32)])
def test_x0_as_list_tuple_or_float32(entry, x0):
    problem = P.rosenbrock(2)
    res = solve(entry, "newton", problem.fun, x0, jac=problem.jac, hess=problem.hess)
    reference = solve(entry, "newton", problem.fun, np.array([-1.2, 1.0]), jac=problem.jac,
                      hess=problem.hess)
    np.testing.assert_allclose(res.x, reference.x, rtol=1e-6)
    assert res.x.dtype == np.float64


@pytest.mark.parametrize("entry", ENTRIES)
def test_scalar_x0_is_one_variable(entry):
    res = solve(entry, "newton", lambda x: (x[0] - 3.0) ** 2, 0.0,
                jac=lambda x: 2.0 * (x - 3.0), hess=lambda x: np.array([[2.0]]))
    assert res.x.shape == (1,)
    np.testing.assert_allclose(res.x, [3.0])


# ---------------------------------------------------------------------------
# What fun returns
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("bad", ["1.0", [1.0, 2.0], None, {"f": 1.0}, b"1"],
                         ids=["str", "list", "None", "dict", "bytes"])
def test_fun_returning_a_non_number_is_a_type_error(entry, method, bad):
    problem = P.rosenbrock(2)
    with pytest.raises(TypeError, match="fun must return a real number"):
        solve(entry, method, lambda x: bad, problem.x0, **analytic(problem, method))


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("method", METHODS)
def test_fun_returning_value_and_gradient_without_jac_true(entry, method):
    problem = P.rosenbrock(2)
    with pytest.raises(TypeError, match=r"did you mean jac=True\?"):
        solve(entry, method, lambda x: (problem.fun(x), problem.jac(x)), problem.x0,
              hess=problem.hess)
    # With jac=True the same function is right.
    assert solve(entry, method, lambda x: (problem.fun(x), problem.jac(x)), problem.x0,
                 jac=True, **({"hessp": problem.hessp} if method == "trust-ncg"
                              else {"hess": problem.hess})).success


# ---------------------------------------------------------------------------
# No derivatives: gradient and Hessian from values of f
# ---------------------------------------------------------------------------

SMALL_CLASSIC = [p for p in P.classic_problems() if p.n <= 12]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("problem", SMALL_CLASSIC, ids=[p.name + str(p.n) for p in SMALL_CLASSIC])
def test_no_derivatives_solves_what_the_analytic_solve_solves(method, problem):
    exact = fastnewton.minimize(problem.fun, problem.x0, method=method,
                                **analytic(problem, method))
    if not exact.success or distance_to_minimizer(exact.x, problem) > 1e-5:
        pytest.skip("the analytic-derivative solve itself does not reach a minimizer to 1e-5")
    res = fastnewton.minimize(problem.fun, problem.x0, method=method)
    assert res.success, res.message
    assert distance_to_minimizer(res.x, problem) <= 1e-5


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("method", METHODS)
def test_no_derivative_run_counts_every_call_of_fun(entry, method):
    problem = P.rosenbrock(2)
    calls = []

    def fun(x):
        calls.append(x.copy())
        return problem.fun(x)

    res = solve(entry, method, fun, problem.x0)
    assert res.success
    assert res.nfev == len(calls) and res.njev == 0 and res.nhev == 0
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-5)


@pytest.mark.parametrize("method", ["newton", "trust-exact", "dogleg"])
def test_no_derivative_hessian_is_second_differences_of_f(method):
    # Differences of a differenced gradient would leave ~√ε/√ε = O(1) error;
    # second differences of f with their own step keep about 8 digits.
    problem = P.wood()
    res = fastnewton.minimize(problem.fun, problem.x0, method=method)
    np.testing.assert_allclose(res.hess, problem.hess(res.x), rtol=1e-6,
                               atol=1e-6 * np.abs(problem.hess(res.x)).max())


def test_no_derivatives_banded():
    # A chain couples neighbours only: with bandwidth=1 only the pairs of the
    # band are differenced, so each Hessian costs n(b + 1) + n values.
    def fun(x):
        return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)

    calls = []

    def counted(x):
        calls.append(1)
        return fun(x)

    res = fastnewton.minimize(counted, np.full(20, 0.5), method="newton",
                              options=dict(bandwidth=1))
    assert res.success and res.hess.shape == (2, 20)
    np.testing.assert_allclose(res.x, np.ones(20), atol=1e-5)
    assert res.nfev == len(calls)


@pytest.mark.parametrize("central", [False, True])
@pytest.mark.parametrize("bandwidth", [None, 0, 2])
def test_second_difference_kernel(central, bandwidth):
    problem = P.wood()
    rng = np.random.default_rng(3)
    x = rng.uniform(-2.0, 2.0, 4)
    calls = []

    def fun(point, scale):
        calls.append(point.copy())
        return scale * problem.fun(point)

    hessian, nfev = second_difference_hessian(fun, x, 2.0 * problem.fun(x), (2.0,), None,
                                              central, bandwidth)
    exact = 2.0 * problem.hess(x)
    n, b = 4, (3 if bandwidth is None else bandwidth)
    pairs = sum(min(n, i + b + 1) - i for i in range(n))
    if central:
        assert nfev == 2 * n + (pairs - n) * 2
    else:
        assert nfev == n + pairs
    assert nfev == len(calls)
    # Forward differences err by O(h) ≈ ε^¼, central ones by O(h²).
    tol = (1e-6 if central else 1e-2) * np.abs(exact).max()
    if bandwidth is None:
        np.testing.assert_allclose(hessian, exact, atol=tol)
        np.testing.assert_array_equal(hessian, hessian.T)
    else:
        expected = np.zeros((b + 1, n))
        for k in range(b + 1):
            expected[k, :n - k] = np.diagonal(exact, -k)
        np.testing.assert_allclose(hessian, expected, atol=tol)
    np.testing.assert_array_equal(calls[0].shape, (4,))


# ---------------------------------------------------------------------------
# Complex steps
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_complex_step_gradient(method):
    problem = P.rosenbrock(2)
    calls = []

    def fun(x):
        calls.append(x.copy())
        return rosenbrock_complex_safe(x)

    hess = {"hessp": problem.hessp} if method == "trust-ncg" else {"hess": problem.hess}
    # A fixed initial radius: the default one is computed from g, whose
    # last-bit differences could flip a branch of the first steps.
    options = {} if method == "newton" else {"initial_trust_radius": 1.0}
    res = fastnewton.minimize(fun, problem.x0, method=method, jac="cs", options=options, **hess)
    exact = fastnewton.minimize(problem.fun, problem.x0, method=method, options=options,
                                **analytic(problem, method))
    assert res.success
    # Complex steps are exact to rounding: the iterates of the analytic run.
    np.testing.assert_allclose(res.x, exact.x, rtol=1e-12)
    assert res.nit == exact.nit
    np.testing.assert_allclose(res.jac, problem.jac(res.x), atol=1e-12)
    assert res.nfev == len(calls) and res.njev == 0
    # n = 2 complex calls per gradient, none wasted.
    complex_calls = sum(np.iscomplexobj(point) for point in calls)
    assert complex_calls > 0 and complex_calls % 2 == 0


@pytest.mark.parametrize("method", METHODS)
def test_complex_step_gradient_through_scipy(method):
    # scipy hands a custom method jac=None for 'cs' (as for '2-point'): the
    # gradient is then a forward difference of f, whose O(√ε·|f''|) error
    # bounds the accuracy of x.
    problem = P.rosenbrock(2)
    hess = {"hessp": problem.hessp} if method == "trust-ncg" else {"hess": problem.hess}
    res = so.minimize(rosenbrock_complex_safe, problem.x0, method=CALLABLES[method], jac="cs",
                      **hess)
    assert res.success
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-4)


@pytest.mark.parametrize("method", ["newton", "trust-exact", "dogleg"])
def test_complex_step_hessian(method):
    problem = P.rosenbrock(2)
    jac_calls = []

    def jac(x):
        jac_calls.append(x.copy())
        return np.array([-400.0 * x[0] * (x[1] - x[0] ** 2) - 2.0 * (1.0 - x[0]),
                         200.0 * (x[1] - x[0] ** 2)])

    res = fastnewton.minimize(problem.fun, problem.x0, method=method, jac=jac, hess="cs")
    exact = fastnewton.minimize(problem.fun, problem.x0, method=method, jac=problem.jac,
                                hess=problem.hess)
    assert res.success and res.nit == exact.nit
    np.testing.assert_allclose(res.hess, problem.hess(res.x), rtol=1e-12)
    assert res.njev == len(jac_calls) and res.nhev == 0


def test_complex_step_needs_complex_arithmetic():
    problem = P.rosenbrock(2)
    with pytest.raises(TypeError, match="complex"):
        fastnewton.minimize(lambda x: float(np.real(rosenbrock_complex_safe(x))), problem.x0,
                            jac="cs")
    with pytest.raises(ValueError, match="hess='cs'.*callable"):
        fastnewton.minimize(rosenbrock_complex_safe, problem.x0, jac="2-point", hess="cs")


# ---------------------------------------------------------------------------
# Failure contract
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("nan_after", [0, 2])
@pytest.mark.parametrize("derivatives", ["analytic", "none"])
def test_nan_values_end_in_failure_not_exception(entry, method, nan_after, derivatives):
    # f is NaN from the start, or after two random values; the run must end
    # with success=False (scipy's rule), whichever derivatives are given.
    rng = np.random.default_rng(7)
    count = [0]

    def fun(x):
        count[0] += 1
        return rng.random() if count[0] <= nan_after else np.nan

    kwargs = {}
    if derivatives == "analytic":
        kwargs = dict(jac=lambda x: np.array([1.0]))
        kwargs["hessp" if method == "trust-ncg" else "hess"] = (
            (lambda x, p: p) if method == "trust-ncg" else (lambda x: np.array([[1.0]])))
    with np.errstate(invalid="ignore"):
        res = solve(entry, method, fun, np.array([1.0]), options=dict(maxiter=20), **kwargs)
    assert res.success is False or res.success == np.False_
    # NaN at x0 ends the run at once; later NaNs shrink the step until the
    # iteration limit or status 4.
    assert res.status == 4 if nan_after == 0 else res.status in (1, 2, 4)
    assert res.nfev == count[0]


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("method", METHODS)
def test_disp_warns_when_the_iteration_limit_is_reached(entry, method):
    problem = P.rosenbrock(2)
    with contextlib.redirect_stdout(io.StringIO()):
        with pytest.warns(RuntimeWarning, match="Maximum number of iterations") as record:
            res = solve(entry, method, problem.fun, problem.x0,
                        options=dict(disp=True, maxiter=1), **analytic(problem, method))
    assert res.status == 1
    assert [w.filename for w in record] == [__file__]


@pytest.mark.parametrize("entry", ENTRIES)
def test_disp_does_not_warn_on_success(entry):
    problem = P.rosenbrock(2)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), warnings.catch_warnings():
        warnings.simplefilter("error")
        res = solve(entry, "trust-exact", problem.fun, problem.x0, jac=problem.jac,
                    hess=problem.hess, options=dict(disp=True))
    assert res.success and res.message in printed.getvalue()


@pytest.mark.parametrize("method", METHODS)
def test_counts_are_the_users_calls_through_both_entry_points(method):
    problem = P.rosenbrock(2)
    calls = {"fastnewton": [], "scipy": []}
    results = {}
    for entry in ENTRIES:
        def fun_and_grad(x, log=calls[entry]):
            log.append(x.copy())
            return problem.fun(x), problem.jac(x)
        results[entry] = solve(entry, method, fun_and_grad, problem.x0, jac=True,
                               **({"hessp": problem.hessp} if method == "trust-ncg"
                                  else {"hess": problem.hess}))
    for entry in ENTRIES:
        assert results[entry].nfev == results[entry].njev == len(calls[entry])
    assert len(calls["fastnewton"]) == len(calls["scipy"])
    np.testing.assert_array_equal(results["fastnewton"].x, results["scipy"].x)


@pytest.mark.parametrize("method", METHODS)
def test_finite_difference_hessian_counts_with_jac_true(method):
    problem = P.rosenbrock(2)
    for entry in ENTRIES:
        calls = []

        def fun_and_grad(x):
            calls.append(1)
            return problem.fun(x), problem.jac(x)

        res = solve(entry, method, fun_and_grad, problem.x0, jac=True)
        assert res.success
        assert res.nfev == res.njev == len(calls) and res.nhev == 0


# ---------------------------------------------------------------------------
# Warnings point at the user's call
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("call", ["minimize", "scipy", "callable"])
def test_unknown_option_warning_points_at_the_call(call):
    problem = P.rosenbrock(2)
    kwargs = dict(jac=problem.jac, hess=problem.hess)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        if call == "minimize":
            fastnewton.minimize(problem.fun, problem.x0, options=dict(frobnicate=1), **kwargs)
        elif call == "scipy":
            so.minimize(problem.fun, problem.x0, method=fastnewton.trust_exact,
                        options=dict(frobnicate=1), **kwargs)
        else:
            fastnewton.trust_exact(problem.fun, problem.x0, frobnicate=1, **kwargs)
    (warning,) = [w for w in record if issubclass(w.category, so.OptimizeWarning)]
    assert "frobnicate" in str(warning.message)
    assert warning.filename == __file__


# ---------------------------------------------------------------------------
# Option defaults: one table
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_docstrings_state_the_table_defaults(method):
    doc = CALLABLES[method].__doc__
    assert "<default" not in doc
    for name, option in _options.OPTIONS.items():
        if method in option.methods and isinstance(option.default, float):
            assert repr(option.default) in doc, name
    assert "<default" not in fastnewton.minimize_batch.__doc__


@pytest.mark.parametrize("name,value", [("subproblem_maxiter", 1), ("eta", 0.05),
                                        ("initial_trust_radius", 0.1), ("gtol", 1e-2),
                                        ("max_trust_radius", 2.0)])
def test_the_table_is_what_the_solvers_read(monkeypatch, name, value):
    problem = P.wood()
    kwargs = dict(jac=problem.jac, hess=problem.hess)
    explicit = fastnewton.minimize(problem.fun, problem.x0, options={name: value}, **kwargs)
    default = fastnewton.minimize(problem.fun, problem.x0, **kwargs)
    assert explicit.nfev != default.nfev or not np.array_equal(explicit.x, default.x)
    monkeypatch.setattr(_options.OPTIONS[name], "default", value)
    changed = fastnewton.minimize(problem.fun, problem.x0, **kwargs)
    np.testing.assert_array_equal(changed.x, explicit.x)
    assert changed.nfev == explicit.nfev
    batch = fastnewton.minimize_batch(lambda X: np.array([problem.fun(x) for x in X]),
                                      problem.x0[None, :],
                                      jac=lambda X: np.array([problem.jac(x) for x in X]),
                                      hess=lambda X: np.array([problem.hess(x) for x in X]))
    np.testing.assert_array_equal(batch.x[0], explicit.x)


# ---------------------------------------------------------------------------
# res.hess_inv
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("method", ["newton", "trust-exact", "dogleg"])
def test_hess_inv_is_the_inverse_of_hess(entry, method):
    problem = P.wood()
    res = solve(entry, method, problem.fun, problem.x0, jac=problem.jac, hess=problem.hess)
    inverse = np.linalg.inv(res.hess)
    rng = np.random.default_rng(0)
    v, V = rng.standard_normal(4), rng.standard_normal((4, 3))
    np.testing.assert_allclose(res.hess_inv.todense(), inverse, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(res.hess_inv @ v, inverse @ v, rtol=1e-10)
    np.testing.assert_allclose(res.hess_inv.matmat(V), inverse @ V, rtol=1e-10)
    np.testing.assert_allclose(res.hess_inv.T @ v, inverse @ v, rtol=1e-10)


def test_hess_inv_of_an_indefinite_hessian():
    # Stopped at a saddle (escape_saddles=False): H is indefinite but invertible.
    problem = P.saddle_quartic()
    res = fastnewton.minimize(problem.fun, np.zeros(2), method="newton", jac=problem.jac,
                              hess=problem.hess, options=dict(escape_saddles=False))
    assert np.linalg.eigvalsh(res.hess).min() < 0
    np.testing.assert_allclose(res.hess_inv.todense(), np.linalg.inv(res.hess), rtol=1e-12)


@pytest.mark.parametrize("indefinite", [False, True])
def test_hess_inv_banded(indefinite):
    n = 30
    rng = np.random.default_rng(5)
    diagonal = rng.uniform(2.0, 4.0, n) * (np.where(np.arange(n) % 7 == 3, -1.0, 1.0)
                                           if indefinite else 1.0)
    off = rng.uniform(-0.5, 0.5, n - 1)
    H = np.diag(diagonal) + np.diag(off, 1) + np.diag(off, -1)
    band = np.zeros((2, n))
    band[0], band[1, :-1] = diagonal, off
    center = rng.standard_normal(n)
    res = fastnewton.minimize(lambda x: 0.5 * (x - center) @ H @ (x - center), np.zeros(n),
                              method="trust-exact", jac=lambda x: H @ (x - center),
                              hess=lambda x: band,
                              options=dict(bandwidth=1, maxiter=0, escape_saddles=False))
    np.testing.assert_array_equal(res.hess, band)
    np.testing.assert_allclose(res.hess_inv.todense(), np.linalg.inv(H), rtol=1e-10,
                               atol=1e-12)


def test_hess_inv_gives_maximum_likelihood_standard_errors():
    # Normal sample: at the MLE the observed information is diag(n/σ², 2n/σ²),
    # so the standard errors are σ/√n and σ/√(2n) in closed form.
    data = np.random.default_rng(11).normal(-1.0, 0.5, size=250)
    n = data.size

    def nll(p):
        return n * np.log(p[1]) + np.sum((data - p[0]) ** 2) / (2.0 * p[1] ** 2)

    res = fastnewton.minimize(nll, [0.0, 1.0])
    sigma = np.sqrt(np.mean((data - data.mean()) ** 2))
    np.testing.assert_allclose(res.x, [data.mean(), sigma], rtol=1e-7)
    standard_errors = np.sqrt(np.diag(res.hess_inv.todense()))
    np.testing.assert_allclose(standard_errors, [sigma / np.sqrt(n), sigma / np.sqrt(2 * n)],
                               rtol=1e-5)


def test_hess_inv_is_lazy_and_independent_of_res_hess():
    problem = P.rosenbrock(2)
    res = fastnewton.minimize(problem.fun, problem.x0, jac=problem.jac, hess=problem.hess)
    expected = np.linalg.inv(res.hess)
    res.hess[:] = 0.0          # the operator keeps its own copy
    np.testing.assert_allclose(res.hess_inv.todense(), expected, rtol=1e-10)
    assert "hess_inv" not in fastnewton.minimize(problem.fun, problem.x0, method="trust-ncg",
                                                 jac=problem.jac, hessp=problem.hessp)
