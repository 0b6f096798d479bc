"""Bad input: each mistake raises the right exception; never a crash or a wrong answer."""

import warnings

import numpy as np
import pytest
import scipy.optimize as so
from scipy.optimize import OptimizeWarning

import fastnewton
from fastnewton import problems as P

METHODS = ["newton", "trust-exact", "dogleg", "trust-ncg"]
FACTORIZING = ["newton", "trust-exact", "dogleg"]
TRUST_REGION = ["trust-exact", "dogleg", "trust-ncg"]
CALLABLES = {"newton": fastnewton.newton, "trust-exact": fastnewton.trust_exact,
             "dogleg": fastnewton.dogleg, "trust-ncg": fastnewton.trust_ncg}


def quadratic_callbacks(center):
    center = np.asarray(center, dtype=float)

    def fun(x):
        return float((x - center) @ (x - center))

    def jac(x):
        return 2.0 * (x - center)

    def hess(x):
        return 2.0 * np.eye(x.size)

    def hessp(x, p):
        return 2.0 * p

    return fun, jac, hess, hessp


def run(method, fun, x0, jac, hess=None, hessp=None, **kwargs):
    if method == "trust-ncg" and hessp is not None:
        return fastnewton.minimize(fun, x0, method=method, jac=jac, hessp=hessp, **kwargs)
    return fastnewton.minimize(fun, x0, method=method, jac=jac, hess=hess, **kwargs)


# ---------------------------------------------------------------------------
# Shapes of what the user's functions return
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("bad", [
    lambda g: np.append(g, 0.0),          # (n+1,)
    lambda g: g[:-1],                     # (n-1,)
    lambda g: g[:, None],                 # (n, 1)
    lambda g: g[None, :],                 # (1, n)
    lambda g: np.outer(g, g),             # (n, n)
], ids=["n+1", "n-1", "n,1", "1,n", "n,n"])
def test_jac_wrong_shape(method, bad):
    fun, jac, hess, hessp = quadratic_callbacks([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"jac must return an array of shape \(3,\)"):
        run(method, fun, np.zeros(3), lambda x: bad(jac(x)), hess, hessp)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("shape", [(3, 4), (4, 3), (3,), (9,), (2, 2)])
def test_hess_wrong_shape(method, shape):
    fun, jac, _, _ = quadratic_callbacks([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"hess must return .*shape \(3, 3\)"):
        fastnewton.minimize(fun, np.zeros(3), method=method, jac=jac,
                            hess=lambda x: np.ones(shape))


@pytest.mark.parametrize("kind", ["sparse", "operator"])
def test_trust_ncg_sparse_hess_wrong_shape(kind):
    import scipy.sparse
    from scipy.sparse.linalg import aslinearoperator
    fun, jac, _, _ = quadratic_callbacks([1.0, 2.0, 3.0])
    make = scipy.sparse.eye if kind == "sparse" else (lambda k: aslinearoperator(np.eye(k)))
    with pytest.raises(ValueError, match=r"\(3, 3\)"):
        fastnewton.minimize(fun, np.zeros(3), method="trust-ncg", jac=jac,
                            hess=lambda x: make(4))


def test_hessp_wrong_shape():
    fun, jac, _, _ = quadratic_callbacks([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="hessp"):
        fastnewton.minimize(fun, np.zeros(3), method="trust-ncg", jac=jac,
                            hessp=lambda x, p: np.append(p, 1.0))


@pytest.mark.parametrize("method", METHODS)
def test_fun_returning_array_of_several_values(method):
    _, jac, hess, hessp = quadratic_callbacks([1.0, 2.0])
    with pytest.raises(ValueError, match="scalar"):
        run(method, lambda x: x * 2.0, np.zeros(2), jac, hess, hessp)


@pytest.mark.parametrize("method", METHODS)
def test_fun_returning_one_element_array_is_accepted(method):
    fun, jac, hess, hessp = quadratic_callbacks([1.0, 2.0])
    res = run(method, lambda x: np.array([fun(x)]), np.zeros(2), jac, hess, hessp)
    assert res.success
    np.testing.assert_allclose(res.x, [1.0, 2.0], atol=1e-8)
    assert isinstance(res.fun, float)


def test_fun_returning_complex():
    _, jac, hess, _ = quadratic_callbacks([1.0, 2.0])
    with pytest.raises(TypeError):
        fastnewton.minimize(lambda x: complex(x @ x, 1.0), np.zeros(2), jac=jac, hess=hess)


@pytest.mark.parametrize("method", METHODS)
def test_jac_true_with_scalar_fun(method):
    fun, _, hess, hessp = quadratic_callbacks([1.0, 2.0])
    with pytest.raises(ValueError, match=r"jac=True"):
        run(method, fun, np.zeros(2), True, hess, hessp)


def test_jac_true_with_wrong_gradient_shape():
    fun, jac, hess, _ = quadratic_callbacks([1.0, 2.0])
    with pytest.raises(ValueError, match="shape"):
        fastnewton.minimize(lambda x: (fun(x), np.append(jac(x), 1.0)), np.zeros(2), jac=True,
                            hess=hess)


def test_hess_wrong_shape_later_in_run():
    # The shape check happens on every call, not just at x0.
    fun, jac, hess, _ = quadratic_callbacks([5.0, 5.0])
    calls = []

    def bad_hess(x):
        calls.append(1)
        return hess(x) if len(calls) == 1 else np.eye(3)

    with pytest.raises(ValueError, match=r"\(2, 2\)"):
        fastnewton.minimize(fun, np.zeros(2), method="trust-exact", jac=jac, hess=bad_hess)


# ---------------------------------------------------------------------------
# x0
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("x0", [[np.nan, 0.0], [0.0, np.inf], [-np.inf, 1.0]])
def test_nonfinite_x0(method, x0):
    fun, jac, hess, hessp = quadratic_callbacks([1.0, 2.0])
    with pytest.raises(ValueError, match="finite"):
        run(method, fun, x0, jac, hess, hessp)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("x0,expected_n", [
    ([0, 0], 2),                       # list of ints
    (0, 1),                            # Python int
    (np.float64(0.0), 1),              # numpy scalar
    (np.array(0.0), 1),                # 0-d array
    (np.array([0, 0], dtype=np.int32), 2),
    ((0.0, 0.0), 2),                   # tuple
])
def test_x0_forms_are_converted_to_float(method, x0, expected_n):
    center = np.arange(1.0, expected_n + 1.0)
    fun, jac, hess, hessp = quadratic_callbacks(center)
    seen_shapes = set()

    def recording_fun(x):
        seen_shapes.add((x.shape, x.dtype))
        return fun(x)

    res = run(method, recording_fun, x0, jac, hess, hessp)
    assert res.success
    assert res.x.shape == (expected_n,)
    np.testing.assert_allclose(res.x, center, atol=1e-8)
    assert seen_shapes == {((expected_n,), np.dtype(np.float64))}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("x0", [np.zeros((3, 1)), np.zeros((1, 3)), [[0.0, 0.0]]])
def test_x0_of_more_dimensions_is_refused_like_scipy(method, x0):
    fun, jac, hess, hessp = quadratic_callbacks([1.0, 2.0, 3.0][:np.size(x0)])
    with pytest.raises(ValueError, match="'x0' must only have one dimension"):
        run(method, fun, x0, jac, hess, hessp)
    # scipy refuses the same x0 for its own methods.
    with pytest.raises(ValueError, match="'x0' must only have one dimension"):
        so.minimize(fun, x0, method="trust-exact", jac=jac, hess=hess)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("x0", [[1.0 + 0j, 2.0], np.array([1j]), 1j])
def test_complex_x0(method, x0):
    fun, jac, hess, hessp = quadratic_callbacks([1.0, 2.0])
    with pytest.raises(TypeError, match="real"):
        run(method, fun, x0, jac, hess, hessp)


@pytest.mark.parametrize("x0", [["a", "b"], [[1.0], [1.0, 2.0]], None, {"x": 1.0}])
def test_non_numeric_x0(x0):
    fun, jac, hess, _ = quadratic_callbacks([1.0, 2.0])
    with pytest.raises(TypeError):
        fastnewton.minimize(fun, x0, jac=jac, hess=hess)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("x0", [[], np.zeros(0), np.zeros((0, 3))])
def test_empty_x0(method, x0):
    fun, jac, hess, hessp = quadratic_callbacks([])
    with pytest.raises(ValueError, match="at least one"):
        run(method, fun, x0, jac, hess, hessp)


# ---------------------------------------------------------------------------
# Non-finite values and exceptions from the user's functions
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("entry", ["fastnewton", "scipy"])
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_nonfinite_fun_at_x0_gives_status_4(method, value, entry):
    # scipy's methods return success=False here rather than raise; so do ours,
    # through both entry points.
    _, jac, hess, hessp = quadratic_callbacks([1.0, 2.0])
    calls = []

    def fun(x):
        calls.append(x.copy())
        return value

    if entry == "fastnewton":
        res = run(method, fun, np.zeros(2), jac, hess, hessp)
    else:
        derivative = dict(hessp=hessp) if method == "trust-ncg" else dict(hess=hess)
        res = so.minimize(fun, np.zeros(2), method=CALLABLES[method], jac=jac, **derivative)
    assert res.status == 4 and not res.success
    assert "function value at x0" in res.message
    assert res.nit == 0 and res.nfev == len(calls) == 1
    np.testing.assert_array_equal(res.x, np.zeros(2))
    assert res.fun == value or (np.isnan(res.fun) and np.isnan(value))


@pytest.mark.parametrize("method", METHODS)
def test_nonfinite_gradient_at_x0_gives_status_4(method):
    fun, _, hess, hessp = quadratic_callbacks([1.0, 2.0])
    bad_gradient = np.array([np.nan, 1.0])
    res = run(method, fun, np.zeros(2), lambda x: bad_gradient, hess, hessp)
    assert res.status == 4 and not res.success
    assert "gradient at x0" in res.message
    assert res.fun == fun(np.zeros(2)) and res.njev == 1
    np.testing.assert_array_equal(res.jac, bad_gradient)


@pytest.mark.parametrize("method", FACTORIZING)
def test_nonfinite_hessian_at_x0_gives_status_4(method):
    fun, jac, _, _ = quadratic_callbacks([1.0, 2.0])
    res = fastnewton.minimize(fun, np.zeros(2), method=method, jac=jac,
                              hess=lambda x: np.array([[1.0, np.nan], [np.nan, 1.0]]))
    assert res.status == 4 and not res.success
    assert "Hessian at x0" in res.message
    assert res.nhev == 1
    np.testing.assert_array_equal(res.jac, jac(np.zeros(2)))


@pytest.mark.parametrize("method", METHODS)
def test_nonfinite_hessian_later_gives_status_4(method):
    # A NaN Hessian at an accepted point cannot be repaired by a shorter step.
    fun, jac, hess, _ = quadratic_callbacks([3.0, 3.0])

    def bad_hess(x):   # finite at x0 only
        return hess(x) if not x.any() else np.full((2, 2), np.nan)

    # The minimizer is 4.2 away: a radius of 1 keeps the first step short of it.
    kwargs = dict(options={} if method == "newton" else {"initial_trust_radius": 1.0})
    if method == "trust-ncg":
        res = fastnewton.minimize(fun, np.zeros(2), method=method, jac=jac,
                                  hessp=lambda x, p: bad_hess(x) @ p, **kwargs)
    else:
        res = fastnewton.minimize(fun, np.zeros(2), method=method, jac=jac, hess=bad_hess,
                                  **kwargs)
    assert res.status == 4
    assert not res.success
    assert np.all(np.isfinite(res.x)) and np.isfinite(res.fun)
    assert res.fun < fun(np.zeros(2))


class ObjectiveError(Exception):
    """A user exception that must reach the caller unchanged."""


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("where", ["fun", "jac", "hess"])
@pytest.mark.parametrize("when", [1, 3])
def test_user_exception_propagates_unchanged(method, where, when):
    problem = P.rosenbrock(2)
    funcs = dict(fun=problem.fun, jac=problem.jac, hess=problem.hess, hessp=problem.hessp)
    error = ObjectiveError("broken at call", when)
    counter = {"n": 0}

    def failing(func):
        def wrapped(*args):
            counter["n"] += 1
            if counter["n"] == when:
                raise error
            return func(*args)
        return wrapped

    key = "hessp" if (where == "hess" and method == "trust-ncg") else where
    funcs[key] = failing(funcs[key])
    with pytest.raises(ObjectiveError) as info:
        run(method, funcs["fun"], problem.x0, funcs["jac"], funcs["hess"], funcs["hessp"])
    assert info.value is error
    assert info.value.args == ("broken at call", when)
    assert counter["n"] == when


# ---------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_unknown_option_warns_like_scipy(method):
    fun, jac, hess, hessp = quadratic_callbacks([1.0, 2.0])
    with pytest.warns(OptimizeWarning, match="frobnicate"):
        res = run(method, fun, np.zeros(2), jac, hess, hessp, options=dict(frobnicate=3))
    assert res.success
    # scipy warns the same way for its own methods.
    with pytest.warns(OptimizeWarning, match="frobnicate"):
        so.minimize(fun, np.zeros(2), method="trust-exact", jac=jac, hess=hess,
                    options=dict(frobnicate=3))


@pytest.mark.parametrize("method", METHODS)
def test_known_options_do_not_warn(method):
    fun, jac, hess, hessp = quadratic_callbacks([1.0, 2.0])
    options = dict(gtol=1e-6, maxiter=10, disp=False, return_all=False)
    if method != "newton":
        options.update(initial_trust_radius=0.5, max_trust_radius=10.0, eta=0.1)
    else:
        options.update(c1=1e-3, c2=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert run(method, fun, np.zeros(2), jac, hess, hessp, options=options).success


BAD_COMMON_OPTIONS = [
    (dict(gtol=np.nan), ValueError),
    (dict(gtol=-1e-6), ValueError),
    (dict(gtol="small"), TypeError),
    (dict(maxiter=-1), ValueError),
    (dict(maxiter=True), TypeError),
    (dict(maxiter="10"), TypeError),
    (dict(maxiter=2.5), ValueError),
    (dict(maxiter=-np.inf), ValueError),
    (dict(norm=1), ValueError),
    (dict(finite_diff_rel_step=0.0), ValueError),
    (dict(finite_diff_rel_step=1.5), ValueError),
]
BAD_TRUST_OPTIONS = [
    (dict(initial_trust_radius=0.0), ValueError),
    (dict(initial_trust_radius=-1.0), ValueError),
    (dict(initial_trust_radius=np.nan), ValueError),
    (dict(initial_trust_radius=np.inf), ValueError),
    (dict(initial_trust_radius=10.0, max_trust_radius=5.0), ValueError),
    (dict(max_trust_radius=0.0), ValueError),
    (dict(max_trust_radius=np.nan), ValueError),
    (dict(eta=0.25), ValueError),
    (dict(eta=0.3), ValueError),
    (dict(eta=-0.01), ValueError),
    (dict(eta=np.nan), ValueError),
]
BAD_NEWTON_OPTIONS = [
    (dict(c1=0.0), ValueError),
    (dict(c2=1.0), ValueError),
    (dict(c1=0.5, c2=0.4), ValueError),
]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("options,error", BAD_COMMON_OPTIONS, ids=[repr(o) for o, _ in
                                                                    BAD_COMMON_OPTIONS])
def test_bad_common_options(method, options, error):
    fun, jac, hess, hessp = quadratic_callbacks([1.0, 2.0])
    with pytest.raises(error):
        run(method, fun, np.zeros(2), jac, hess, hessp, options=options)


@pytest.mark.parametrize("method", TRUST_REGION)
@pytest.mark.parametrize("options,error", BAD_TRUST_OPTIONS, ids=[repr(o) for o, _ in
                                                                   BAD_TRUST_OPTIONS])
def test_bad_trust_region_options(method, options, error):
    fun, jac, hess, hessp = quadratic_callbacks([1.0, 2.0])
    with pytest.raises(error):
        run(method, fun, np.zeros(2), jac, hess, hessp, options=options)


@pytest.mark.parametrize("options,error", BAD_NEWTON_OPTIONS, ids=[repr(o) for o, _ in
                                                                    BAD_NEWTON_OPTIONS])
def test_bad_newton_options(options, error):
    fun, jac, hess, _ = quadratic_callbacks([1.0, 2.0])
    with pytest.raises(error):
        fastnewton.minimize(fun, np.zeros(2), method="newton", jac=jac, hess=hess,
                            options=options)


def test_bad_subproblem_maxiter():
    fun, jac, hess, _ = quadratic_callbacks([1.0, 2.0])
    for value in (0, -3, 2.5, True):
        with pytest.raises((ValueError, TypeError)):
            fastnewton.minimize(fun, np.zeros(2), method="trust-exact", jac=jac, hess=hess,
                                options=dict(subproblem_maxiter=value))


def test_boundary_option_values_are_accepted():
    fun, jac, hess, _ = quadratic_callbacks([1.0, 2.0])
    for options in (dict(eta=0.0), dict(initial_trust_radius=1000.0), dict(gtol=0.0, maxiter=0),
                    dict(max_trust_radius=np.inf), dict(norm=np.inf), dict(gtol=np.inf)):
        res = fastnewton.minimize(fun, np.zeros(2), method="trust-exact", jac=jac, hess=hess,
                                  options=options)
        assert res.status in (0, 1)


def test_gtol_inf_returns_x0_immediately():
    fun, jac, hess, _ = quadratic_callbacks([1.0, 2.0])
    res = fastnewton.minimize(fun, [5.0, 5.0], jac=jac, hess=hess, options=dict(gtol=np.inf))
    assert res.success and res.nit == 0
    np.testing.assert_array_equal(res.x, [5.0, 5.0])


# ---------------------------------------------------------------------------
# Derivative combinations, bounds, methods
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("jac", ["2-point", "3-point", None, False])
@pytest.mark.parametrize("hess", ["2-point", "3-point", None])
def test_no_derivatives_at_all_runs(method, jac, hess):
    # No gradient to difference: the Hessian comes from values of f.
    fun, _, _, _ = quadratic_callbacks([1.0, 2.0])
    res = fastnewton.minimize(fun, np.zeros(2), method=method, jac=jac, hess=hess)
    assert res.success
    np.testing.assert_allclose(res.x, [1.0, 2.0], atol=1e-6)
    assert res.njev == 0 and res.nhev == 0 and res.nfev > 0


@pytest.mark.parametrize("method", FACTORIZING)
def test_hessp_alone_for_factorizing_methods(method):
    fun, jac, _, hessp = quadratic_callbacks([1.0, 2.0])
    with pytest.raises(ValueError, match="trust-ncg"):
        fastnewton.minimize(fun, np.zeros(2), method=method, jac=jac, hessp=hessp)


@pytest.mark.parametrize("bad", [dict(jac="4-point"), dict(jac=3), dict(hess="4-point"),
                                 dict(hess=np.eye(2)), dict(jac="2-point", hess="cs")])
def test_bad_derivative_specs(bad):
    fun, jac, hess, _ = quadratic_callbacks([1.0, 2.0])
    kwargs = dict(jac=jac, hess=hess)
    kwargs.update(bad)
    with pytest.raises(ValueError):
        fastnewton.minimize(fun, np.zeros(2), **kwargs)


def test_non_callable_fun_hessp_callback():
    fun, jac, hess, _ = quadratic_callbacks([1.0, 2.0])
    with pytest.raises(TypeError):
        fastnewton.minimize(42, np.zeros(2), jac=jac, hess=hess)
    with pytest.raises(TypeError):
        fastnewton.minimize(fun, np.zeros(2), method="trust-ncg", jac=jac, hessp="products")
    with pytest.raises(TypeError):
        fastnewton.minimize(fun, np.zeros(2), jac=jac, hess=hess, callback=5)


@pytest.mark.parametrize("method", [fastnewton.newton, fastnewton.trust_exact,
                                    fastnewton.dogleg, fastnewton.trust_ncg])
def test_bad_bounds_and_constraints_refused(method):
    fun, jac, hess, hessp = quadratic_callbacks([1.0, 2.0])
    with pytest.raises(ValueError, match="min <= max"):
        method(fun, np.zeros(2), jac=jac, hess=hess, hessp=hessp, bounds=[(1, 0), (0, 1)])
    with pytest.raises(ValueError, match="constraints.*SLSQP"):
        method(fun, np.zeros(2), jac=jac, hess=hess, hessp=hessp,
               constraints=[{"type": "ineq", "fun": lambda x: x[0]}])
    with pytest.raises(ValueError, match="constraints"):
        method(fun, np.zeros(2), jac=jac, hess=hess, hessp=hessp,
               constraints={"type": "ineq", "fun": lambda x: x[0]})
    # Empty constraints (scipy's default ()) are fine.
    assert method(fun, np.zeros(2), jac=jac, hess=hess, hessp=hessp, constraints=()).success


@pytest.mark.parametrize("name", ["bfgs", "Nelder-Mead", "trust-constr", "", "cg"])
def test_unknown_method_name(name):
    fun, jac, hess, _ = quadratic_callbacks([1.0, 2.0])
    with pytest.raises(ValueError, match="unknown method"):
        fastnewton.minimize(fun, np.zeros(2), method=name, jac=jac, hess=hess)


def test_method_names_are_case_insensitive():
    fun, jac, hess, _ = quadratic_callbacks([1.0, 2.0])
    a = fastnewton.minimize(fun, np.zeros(2), method="Trust-Exact", jac=jac, hess=hess)
    b = fastnewton.minimize(fun, np.zeros(2), method="trust-exact", jac=jac, hess=hess)
    np.testing.assert_array_equal(a.x, b.x)


@pytest.mark.parametrize("method", [3, ["newton"]])
def test_method_of_wrong_type(method):
    fun, jac, hess, _ = quadratic_callbacks([1.0, 2.0])
    with pytest.raises(TypeError):
        fastnewton.minimize(fun, np.zeros(2), method=method, jac=jac, hess=hess)


def test_options_must_be_a_dict():
    fun, jac, hess, _ = quadratic_callbacks([1.0, 2.0])
    with pytest.raises(TypeError):
        fastnewton.minimize(fun, np.zeros(2), jac=jac, hess=hess, options=[("gtol", 1e-3)])


# ---------------------------------------------------------------------------
# approx_hessian
# ---------------------------------------------------------------------------

def test_approx_hessian_bad_input():
    jac = lambda x: 2.0 * x  # noqa: E731
    with pytest.raises(TypeError):
        fastnewton.approx_hessian("jac", [1.0, 2.0])
    with pytest.raises(ValueError):
        fastnewton.approx_hessian(jac, [1.0, 2.0], method="cs")
    for rel_step in (0.0, -1e-3, 1.0, "tiny"):
        with pytest.raises(ValueError):
            fastnewton.approx_hessian(jac, [1.0, 2.0], rel_step=rel_step)
    with pytest.raises(ValueError, match="finite"):
        fastnewton.approx_hessian(jac, [np.nan, 2.0])
    with pytest.raises(ValueError, match="shape"):
        fastnewton.approx_hessian(lambda x: np.ones(3), [1.0, 2.0])
    with pytest.raises(TypeError):
        fastnewton.approx_hessian(jac, [1.0 + 1j, 2.0])


# ---------------------------------------------------------------------------
# Any array-like of the right shape from the user's functions is accepted
# ---------------------------------------------------------------------------

VECTOR_FORMS = {
    "float64": lambda v: np.asarray(v, dtype=np.float64),
    "list": lambda v: [float(t) for t in v],
    "float32": lambda v: np.asarray(v, dtype=np.float32),
    "big-endian": lambda v: np.asarray(v, dtype=">f8"),
    "strided": lambda v: np.repeat(np.asarray(v, dtype=np.float64), 2)[::2],
    "reversed-view": lambda v: np.ascontiguousarray(np.asarray(v)[::-1])[::-1],
    "readonly": lambda v: _readonly(np.asarray(v, dtype=np.float64)),
}
MATRIX_FORMS = {
    "float64": lambda m: np.asarray(m, dtype=np.float64),
    "fortran": lambda m: np.asfortranarray(m),
    "lists": lambda m: [[float(t) for t in row] for row in m],
    "big-endian": lambda m: np.asarray(m, dtype=">f8"),
    "strided": lambda m: np.repeat(np.asarray(m, dtype=np.float64), 2, axis=1)[:, ::2],
    "transposed-view": lambda m: np.ascontiguousarray(np.asarray(m).T).T,
    "readonly": lambda m: _readonly(np.asarray(m, dtype=np.float64)),
    "matrix": lambda m: np.matrix(m),
}


def _readonly(a):
    a = a.copy()
    a.setflags(write=False)
    return a


def _dyadic_quadratic():
    """f = ½xᵀAx − bᵀx with A, b exact in every floating format used."""
    a = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.25], [0.5, 0.25, 2.0]])
    b = np.array([1.0, -2.0, 0.5])
    return a, b


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("form", list(VECTOR_FORMS))
def test_gradient_forms(method, form):
    a, b = _dyadic_quadratic()
    convert = VECTOR_FORMS[form]
    fun = lambda x: float(0.5 * x @ a @ x - b @ x)  # noqa: E731
    kwargs = dict(jac=lambda x: convert(a @ x - b))
    if method == "trust-ncg":
        kwargs["hessp"] = lambda x, p: convert(a @ p)
    else:
        kwargs["hess"] = lambda x: a
    res = fastnewton.minimize(fun, np.zeros(3), method=method, options=dict(gtol=1e-10),
                              **kwargs)
    assert res.success
    np.testing.assert_allclose(res.x, np.linalg.solve(a, b), rtol=0, atol=1e-9)
    np.testing.assert_allclose(res.jac, a @ res.x - b, rtol=0, atol=1e-14)


@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("form", list(MATRIX_FORMS))
def test_hessian_forms(method, form):
    a, b = _dyadic_quadratic()
    convert = MATRIX_FORMS[form]
    fun = lambda x: float(0.5 * x @ a @ x - b @ x)  # noqa: E731
    res = fastnewton.minimize(fun, np.zeros(3), method=method, jac=lambda x: a @ x - b,
                              hess=lambda x: convert(a), options=dict(gtol=1e-10))
    assert res.success
    np.testing.assert_allclose(res.x, np.linalg.solve(a, b), rtol=0, atol=1e-9)
    if method != "trust-ncg":
        np.testing.assert_array_equal(res.hess, a)
        if method == "newton":
            assert res.nit == 1


@pytest.mark.parametrize("method", METHODS)
def test_one_variable_scalar_derivatives(method):
    # n = 1: a scalar gradient and Hessian are accepted, as scipy users write them.
    fun = lambda x: float(np.cosh(x[0] - 1.0))  # noqa: E731
    jac = lambda x: float(np.sinh(x[0] - 1.0))  # noqa: E731
    hess = lambda x: float(np.cosh(x[0] - 1.0))  # noqa: E731
    kwargs = dict(hessp=lambda x, p: hess(x) * p) if method == "trust-ncg" else dict(hess=hess)
    res = fastnewton.minimize(fun, 3.0, method=method, jac=jac, options=dict(gtol=1e-10),
                              **kwargs)
    assert res.success
    assert res.x.shape == (1,)
    assert res.x[0] == pytest.approx(1.0, abs=1e-10)
