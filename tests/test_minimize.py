"""End-to-end tests of `fastnewton.minimize` and `fastnewton.approx_hessian`.

References are analytic (the derivatives and minimizers of
`fastnewton.problems`, closed forms), numpy, or literature values; counts of
user-function calls come from counting wrappers, not from our own result.
"""

import re

import numpy as np
import pytest
import scipy.sparse
from scipy.sparse.linalg import aslinearoperator

import fastnewton
from fastnewton import problems as P

METHODS = ["newton", "trust-exact", "dogleg", "trust-ncg"]
FACTORIZING = ["newton", "trust-exact", "dogleg"]
TRUST_REGION = ["trust-exact", "dogleg", "trust-ncg"]


def derivatives(problem, method):
    """Analytic derivatives in the form each method takes."""
    if method == "trust-ncg":
        return dict(jac=problem.jac, hessp=problem.hessp)
    return dict(jac=problem.jac, hess=problem.hess)


class Counted:
    """Wrap a user function: count calls, keep every array argument and the extra args."""

    def __init__(self, func):
        self.func = func
        self.calls = 0
        self.points = []
        self.extra = []

    def __call__(self, x, *args):
        self.calls += 1
        self.points.append(x)
        self.extra.append(args)
        return self.func(x, *args)


def check_certificate(problem, res, gtol):
    """A successful result is a stationary point: its jac is ∇f(res.x) and is small."""
    assert res.success and res.status == 0
    assert res.x.shape == (problem.n,)
    grad = problem.jac(res.x)
    np.testing.assert_allclose(res.jac, grad, rtol=1e-14, atol=0)
    assert np.linalg.norm(grad) <= gtol
    assert res.fun == pytest.approx(problem.fun(res.x), rel=1e-14, abs=1e-300)


def nearest_known(problem, x):
    """Relative distance from x to the closest known global or local minimizer."""
    known = list(problem.minimizers) + [m for m, _ in problem.local_minima]
    return min(np.linalg.norm(x - m) / max(1.0, np.linalg.norm(m)) for m in known)


# ---------------------------------------------------------------------------
# Classic problems
# ---------------------------------------------------------------------------

# MGH (1981) report f = 2.79506e-5 at the local minimizer reached from the
# standard start of the trigonometric function with n = 10.
TRIG10_LOCAL_F = 2.79506e-5

CLASSIC = [
    ("rosenbrock-2", lambda: P.rosenbrock(2)),
    ("rosenbrock-10", lambda: P.rosenbrock(10)),
    ("rosenbrock-100", lambda: P.rosenbrock(100)),
    ("powell_singular", P.powell_singular),
    ("extended_powell-12", lambda: P.extended_powell(12)),
    ("wood", P.wood),
    ("beale", P.beale),
    ("helical_valley", P.helical_valley),
    ("freudenstein_roth", P.freudenstein_roth),
    ("brown_badly_scaled", P.brown_badly_scaled),
    ("trigonometric-10", lambda: P.trigonometric(10)),
    ("quadratic-10", lambda: P.quadratic(10, seed=0)),
    ("saddle_quartic", P.saddle_quartic),
]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name,factory", CLASSIC, ids=[c[0] for c in CLASSIC])
def test_classic_problem(name, factory, method):
    problem = factory()
    gtol = 1e-8
    options = dict(gtol=gtol)
    if name == "brown_badly_scaled" and method != "newton":
        # The minimizer is 1e6 away; with the default max_trust_radius of
        # 1000 (scipy's) no trust-region method gets there in 400 iterations.
        options["max_trust_radius"] = 1e8
    res = fastnewton.minimize(problem.fun, problem.x0, method=method, options=options,
                              **derivatives(problem, method))
    check_certificate(problem, res, gtol)
    # Second-order certificate: a local minimizer, not a saddle.
    hess = problem.hess(res.x)
    assert np.linalg.eigvalsh(hess)[0] >= -1e-6 * max(1.0, np.abs(hess).max())
    if method != "trust-ncg":
        # The Hessian in the result is the user's Hessian at res.x.
        np.testing.assert_allclose(res.hess, hess, rtol=1e-14, atol=0)
    if name in ("powell_singular", "extended_powell-12"):
        # Singular Hessian at the origin: only linear convergence in x.
        assert res.fun <= 1e-10
        assert np.linalg.norm(res.x) <= 1e-2
    elif name == "trigonometric-10":
        assert res.fun == pytest.approx(TRIG10_LOCAL_F, rel=1e-4) or res.fun <= 1e-12
    else:
        # Global minimizer, or the documented local one (Rosenbrock n >= 4
        # from [-1.2, 1, ...], Freudenstein-Roth from (0.5, -2)).
        assert nearest_known(problem, res.x) <= 1e-6
        to_global = min(np.linalg.norm(res.x - m) / max(1.0, np.linalg.norm(m))
                        for m in problem.minimizers)
        if to_global <= 1e-6:
            assert res.fun == pytest.approx(problem.f_min, abs=1e-8)
        else:
            # The documented non-global local minimizer, with its value.
            local_values = [f for m, f in problem.local_minima
                            if np.linalg.norm(res.x - m) <= 1e-6 * max(1.0, np.linalg.norm(m))]
            assert local_values and res.fun == pytest.approx(local_values[0], rel=1e-10)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("n", [10, 100])
def test_rosenbrock_global_minimum_from_nearby_start(method, n):
    problem = P.rosenbrock(n)
    x0 = 1.0 + 0.1 * (-1.0) ** np.arange(n)
    res = fastnewton.minimize(problem.fun, x0, method=method, options=dict(gtol=1e-8),
                              **derivatives(problem, method))
    check_certificate(problem, res, 1e-8)
    np.testing.assert_allclose(res.x, np.ones(n), rtol=0, atol=1e-7)
    assert res.fun <= 1e-14


@pytest.mark.parametrize("method", FACTORIZING)
def test_rosenbrock_10_standard_start_reaches_documented_local_minimizer(method):
    problem = P.rosenbrock(10)
    res = fastnewton.minimize(problem.fun, problem.x0, method=method, options=dict(gtol=1e-8),
                              **derivatives(problem, method))
    check_certificate(problem, res, 1e-8)
    # Kok & Sandrock (2009): the non-global local minimum has f in [3.70, 3.9866].
    if not np.allclose(res.x, 1.0, atol=1e-6):
        assert 3.70 <= res.fun <= 3.9867
        assert res.x[0] == pytest.approx(-1.0, abs=0.05)


def test_trust_exact_escapes_saddle_by_hard_case():
    # At (1, 0) the gradient (2, 0) is orthogonal to the negative-curvature
    # direction e₂ of H = diag(2, −2): the hard case. Methods that only use
    # −g stay on the x-axis; the exact subproblem must leave it.
    problem = P.saddle_quartic((1.0, 0.0))
    res = fastnewton.minimize(problem.fun, problem.x0, method="trust-exact",
                              jac=problem.jac, hess=problem.hess, options=dict(gtol=1e-8))
    check_certificate(problem, res, 1e-8)
    assert res.n_hard_case >= 1
    assert res.fun == pytest.approx(-1.0, abs=1e-12)
    assert abs(res.x[1]) == pytest.approx(np.sqrt(2.0), abs=1e-6)


def near_saddle():
    """f = x₁x₂ + 1e-8·x₁ + (x₁⁴ + x₂⁴)/4 at the origin: H = [[0, 1], [1, 0]], g = (1e-8, 0).

    The minimizers are near ±(1, −1) with f ≈ −0.5 (found by the other methods and scipy).
    """
    def fun(x):
        return float(x[0] * x[1] + 1e-8 * x[0] + (x[0] ** 4 + x[1] ** 4) / 4)

    def jac(x):
        return np.array([x[1] + 1e-8 + x[0] ** 3, x[0] + x[1] ** 3])

    def hess(x):
        return np.array([[3 * x[0] ** 2, 1.0], [1.0, 3 * x[1] ** 2]])

    return fun, jac, hess


@pytest.mark.parametrize("method", ["newton", "dogleg", "trust-ncg"])
def test_near_saddle_small_gradient(method):
    fun, jac, hess = near_saddle()
    res = fastnewton.minimize(fun, [0.0, 0.0], method=method, jac=jac, hess=hess,
                              options=dict(gtol=1e-10))
    assert res.success
    assert res.fun == pytest.approx(-0.5, abs=1e-7)
    np.testing.assert_allclose(np.abs(res.x), [1.0, 1.0], atol=1e-6)


def test_trust_exact_near_saddle_small_gradient():
    fun, jac, hess = near_saddle()
    res = fastnewton.minimize(fun, [0.0, 0.0], method="trust-exact", jac=jac, hess=hess,
                              options=dict(gtol=1e-10))
    assert res.success
    assert res.fun == pytest.approx(-0.5, abs=1e-7)


@pytest.mark.parametrize("subproblem_maxiter", [1, 2, 3])
def test_trust_exact_small_subproblem_maxiter_still_converges(subproblem_maxiter):
    problem = P.helical_valley()
    res = fastnewton.minimize(problem.fun, problem.x0, method="trust-exact", jac=problem.jac,
                              hess=problem.hess,
                              options=dict(subproblem_maxiter=subproblem_maxiter))
    assert res.success
    np.testing.assert_allclose(res.x, problem.x_min, atol=1e-5)


@pytest.mark.parametrize("method", TRUST_REGION)
def test_default_maxiter_is_200n(method):
    # f = x₁ + x₂ is unbounded below with a constant gradient, so the run can
    # only end at the iteration limit, 200·n as in scipy.
    def fun(x):
        return float(x.sum())

    def jac(x):
        return np.ones_like(x)

    kwargs = dict(jac=jac, hessp=lambda x, p: 0.0 * p) if method == "trust-ncg" else \
        dict(jac=jac, hess=lambda x: np.zeros((x.size, x.size)))
    res = fastnewton.minimize(fun, [0.0, 0.5], method=method, **kwargs)
    assert res.status == 1
    assert res.nit == 400
    assert res.fun < -1e5


def test_huge_maxiter_is_accepted():
    problem = P.rosenbrock(2)
    res = fastnewton.minimize(problem.fun, problem.x0, jac=problem.jac, hess=problem.hess,
                              options=dict(maxiter=10 ** 20))
    assert res.success


def test_finite_diff_rel_step_is_used():
    problem = P.beale()
    fun = Counted(problem.fun)
    x0 = np.array([0.5, 2.0])
    fastnewton.minimize(fun, x0, method="newton", jac="2-point", hess=problem.hess,
                        options=dict(finite_diff_rel_step=1e-3, maxiter=0))
    # The first call is at x0, then one forward step per coordinate of size 1e-3·max(1, |x_j|).
    np.testing.assert_array_equal(fun.points[0], x0)
    steps = np.array(fun.points[1:3]) - x0
    np.testing.assert_allclose(np.abs(np.diag(steps)), 1e-3 * np.maximum(1.0, np.abs(x0)),
                               rtol=1e-12)
    assert np.count_nonzero(steps) == 2


# ---------------------------------------------------------------------------
# Quadratics: one Newton step
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_quadratic_newton_one_iteration(seed):
    problem = P.quadratic(8, seed=seed, cond=1e3)
    x0 = np.random.default_rng(seed).standard_normal(8)
    res = fastnewton.minimize(problem.fun, x0, method="newton", jac=problem.jac,
                              hess=problem.hess)
    assert res.nit == 1
    assert res.success
    a = problem.hess(x0)
    np.testing.assert_allclose(res.x, problem.x_min, rtol=0,
                               atol=1e-12 * np.linalg.cond(a) * np.linalg.norm(problem.x_min))
    assert res.n_hess_modified == 0


@pytest.mark.parametrize("method", ["trust-exact", "dogleg"])
def test_quadratic_trust_region_one_iteration_with_large_radius(method):
    problem = P.quadratic(8, seed=4, cond=1e3)
    x0 = np.full(8, 3.0)
    res = fastnewton.minimize(problem.fun, x0, method=method, jac=problem.jac,
                              hess=problem.hess, options=dict(initial_trust_radius=1e3))
    assert res.nit == 1
    assert res.success
    np.testing.assert_allclose(res.x, problem.x_min, rtol=0, atol=1e-8)
    # With the default radius 1 the Newton step (length > 1 here) does not fit.
    assert np.linalg.norm(problem.x_min - x0) > 1.0
    res = fastnewton.minimize(problem.fun, x0, method=method, jac=problem.jac,
                              hess=problem.hess)
    assert res.nit > 1 and res.success


# ---------------------------------------------------------------------------
# Scale invariance of the trust-region acceptance test
# ---------------------------------------------------------------------------

def scaled(problem, c):
    return (lambda x: c * problem.fun(x), lambda x: c * problem.jac(x),
            lambda x: c * problem.hess(x))


@pytest.mark.parametrize("method", ["newton", "trust-exact", "dogleg"])
def test_scaling_f_up_does_not_change_iterates(method):
    # Newton and trust-region steps, ρ and the radius are invariant under
    # f → c·f (with gtol → c·gtol); scipy's methods are. (The modified
    # Cholesky shift is scaled by ‖H‖_F for exactly this reason.)
    problem = P.rosenbrock(2)
    fun, jac, hess = scaled(problem, 1.0)
    ref = fastnewton.minimize(fun, problem.x0, method=method, jac=jac, hess=hess,
                              options=dict(gtol=1e-8))
    fun, jac, hess = scaled(problem, 1e6)
    res = fastnewton.minimize(fun, problem.x0, method=method, jac=jac, hess=hess,
                              options=dict(gtol=1e-2))
    assert res.nit == ref.nit
    np.testing.assert_allclose(res.x, ref.x, rtol=0, atol=1e-9)


@pytest.mark.parametrize("method", TRUST_REGION)
def test_scaling_f_down_never_accepts_uphill_steps(method):
    problem = P.rosenbrock(2)
    fun, jac, hess = scaled(problem, 1e-20)
    res = fastnewton.minimize(fun, problem.x0, method=method, jac=jac, hess=hess,
                              options=dict(gtol=1e-28, return_all=True))
    values = np.array([problem.fun(x) for x in res.allvecs])
    # A trust-region method accepts a step only when f decreases.
    assert np.all(np.diff(values) <= 0.0)
    assert res.success


# ---------------------------------------------------------------------------
# Counting user calls, jac=True, args
# ---------------------------------------------------------------------------

DERIVATIVE_CONFIGS = {
    "newton": [("jac", "hess"), ("True", "hess"), ("jac", "2-point"), ("jac", "3-point"),
               ("2-point", "hess"), ("3-point", "hess"), ("jac", None)],
    "trust-ncg": [("jac", "hessp"), ("jac", "hess"), ("True", "hessp"), ("jac", None),
                  ("2-point", "hessp"), ("jac", "2-point"), ("True", None)],
}
DERIVATIVE_CONFIGS["trust-exact"] = DERIVATIVE_CONFIGS["newton"]
DERIVATIVE_CONFIGS["dogleg"] = DERIVATIVE_CONFIGS["newton"]
COUNT_CASES = [(m, j, h) for m in METHODS for j, h in DERIVATIVE_CONFIGS[m]]


@pytest.mark.parametrize("method,jac_kind,hess_kind", COUNT_CASES)
def test_counters_match_actual_calls(method, jac_kind, hess_kind):
    problem = P.beale()
    fun = Counted(problem.fun)
    jac = Counted(problem.jac)
    hess = Counted(problem.hess)
    hessp = Counted(problem.hessp)
    kwargs = {}
    if jac_kind == "True":
        fun = Counted(lambda x: (problem.fun(x), problem.jac(x)))
        kwargs["jac"] = True
    elif jac_kind == "jac":
        kwargs["jac"] = jac
    else:
        kwargs["jac"] = jac_kind
    if hess_kind == "hess":
        kwargs["hess"] = hess
    elif hess_kind == "hessp":
        kwargs["hessp"] = hessp
    elif hess_kind is not None:
        kwargs["hess"] = hess_kind
    res = fastnewton.minimize(fun, problem.x0, method=method, options=dict(gtol=1e-6), **kwargs)
    assert res.success
    np.testing.assert_allclose(res.x, problem.x_min, atol=1e-4)
    assert res.nfev == fun.calls
    if jac_kind == "True":
        # fun is the gradient's only source: every call delivers both.
        assert res.njev == fun.calls
    else:
        assert res.njev == jac.calls
    assert res.nhev == hess.calls + hessp.calls
    assert res.nfev >= 1 and res.nfev + res.njev + res.nhev >= res.nit


@pytest.mark.parametrize("method", METHODS)
def test_jac_true_matches_separate_jac(method):
    problem = P.rosenbrock(2)
    fun_and_grad = Counted(lambda x: (problem.fun(x), problem.jac(x)))
    kwargs = derivatives(problem, method)
    ref = fastnewton.minimize(problem.fun, problem.x0, method=method, **kwargs)
    kwargs["jac"] = True
    res = fastnewton.minimize(fun_and_grad, problem.x0, method=method, **kwargs)
    assert res.success and ref.success
    np.testing.assert_array_equal(res.x, ref.x)
    assert res.nit == ref.nit
    # One call of fun per point: never more than the separate run's fun + jac calls.
    assert fun_and_grad.calls <= ref.nfev + ref.njev
    assert fun_and_grad.calls == res.nfev


@pytest.mark.parametrize("method", METHODS)
def test_args_reach_every_user_function(method):
    problem = P.rosenbrock(3)
    token = object()
    scale = 2.5

    def unpack(args):
        assert len(args) == 2 and args[0] is token and args[1] == scale

    def fun(x, *args):
        unpack(args)
        return scale * problem.fun(x)

    def jac(x, *args):
        unpack(args)
        return scale * problem.jac(x)

    def hess(x, *args):
        unpack(args)
        return scale * problem.hess(x)

    def hessp(x, p, *args):
        unpack(args)
        return scale * problem.hessp(x, p)

    fun, jac, hess, hessp = Counted(fun), Counted(jac), Counted(hess), Counted(hessp)
    kwargs = dict(jac=jac, hessp=hessp) if method == "trust-ncg" else dict(jac=jac, hess=hess)
    res = fastnewton.minimize(fun, problem.x0, args=(token, scale), method=method,
                              options=dict(gtol=1e-8), **kwargs)
    assert res.success
    np.testing.assert_allclose(res.x, np.ones(3), atol=1e-6)
    assert fun.calls and jac.calls and (hess.calls or hessp.calls)


def test_args_single_non_tuple_is_wrapped():
    # scipy wraps a lone non-tuple `args` into a 1-tuple; so do we.
    res = fastnewton.minimize(lambda x, c: float((x - c) @ (x - c)), [0.0, 0.0], args=3.0,
                              jac=lambda x, c: 2 * (x - c), hess=lambda x, c: 2 * np.eye(2))
    np.testing.assert_allclose(res.x, [3.0, 3.0], atol=1e-10)


# ---------------------------------------------------------------------------
# Hessians as sparse matrices and LinearOperators
# ---------------------------------------------------------------------------

SPARSE_KINDS = {
    "csr_matrix": lambda h: scipy.sparse.csr_matrix(h),
    "csr_array": lambda h: scipy.sparse.csr_array(h),
    "LinearOperator": lambda h: aslinearoperator(h),
}


@pytest.mark.parametrize("kind", list(SPARSE_KINDS))
def test_trust_ncg_accepts_sparse_and_operator_hessians(kind):
    problem = P.rosenbrock(10)
    x0 = 1.0 + 0.1 * (-1.0) ** np.arange(10)
    convert = SPARSE_KINDS[kind]
    hess = Counted(lambda x: convert(problem.hess(x)))
    res = fastnewton.minimize(problem.fun, x0, method="trust-ncg", jac=problem.jac, hess=hess,
                              options=dict(gtol=1e-8))
    check_certificate(problem, res, 1e-8)
    np.testing.assert_allclose(res.x, np.ones(10), atol=1e-7)
    assert res.nhev == hess.calls
    assert "hess" not in res


@pytest.mark.parametrize("kind", list(SPARSE_KINDS))
@pytest.mark.parametrize("method", FACTORIZING)
def test_factorizing_methods_reject_sparse_hessians(method, kind):
    problem = P.rosenbrock(4)
    convert = SPARSE_KINDS[kind]
    with pytest.raises(TypeError, match="trust-ncg"):
        fastnewton.minimize(problem.fun, problem.x0, method=method, jac=problem.jac,
                            hess=lambda x: convert(problem.hess(x)))


# ---------------------------------------------------------------------------
# Dogleg with indefinite Hessians
# ---------------------------------------------------------------------------

def test_dogleg_indefinite_start_saddle_quartic():
    problem = P.saddle_quartic()            # (1, 0.1): H = diag(2, −1.97)
    assert np.linalg.eigvalsh(problem.hess(problem.x0))[0] < 0
    res = fastnewton.minimize(problem.fun, problem.x0, method="dogleg", jac=problem.jac,
                              hess=problem.hess, options=dict(gtol=1e-8))
    check_certificate(problem, res, 1e-8)
    assert res.n_hess_modified > 0
    assert res.hess_shift_max > 2.0 - 3 * 0.1 ** 2 - 1e-12     # ≥ −λ_min at x0
    assert res.fun == pytest.approx(-1.0, abs=1e-12)


def test_dogleg_indefinite_rosenbrock_10():
    problem = P.rosenbrock(10)
    res = fastnewton.minimize(problem.fun, problem.x0, method="dogleg", jac=problem.jac,
                              hess=problem.hess, options=dict(return_all=True, gtol=1e-8))
    check_certificate(problem, res, 1e-8)
    assert res.n_hess_modified > 0
    # Independently: some iterate really had an indefinite Hessian.
    smallest = [np.linalg.eigvalsh(problem.hess(x))[0] for x in res.allvecs]
    assert min(smallest) < 0
    assert nearest_known(problem, res.x) <= 1e-6


def test_newton_modifies_indefinite_hessian():
    problem = P.saddle_quartic()
    res = fastnewton.minimize(problem.fun, problem.x0, method="newton", jac=problem.jac,
                              hess=problem.hess)
    assert res.success and res.n_hess_modified > 0
    assert res.fun == pytest.approx(-1.0, abs=1e-10)


# ---------------------------------------------------------------------------
# disp, return_all, callbacks
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_disp_prints_a_row_per_iteration(method, capsys):
    problem = P.rosenbrock(2)
    res = fastnewton.minimize(problem.fun, problem.x0, method=method,
                              options=dict(disp=True, return_all=True),
                              **derivatives(problem, method))
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["iter", "f", "|g|"]
    rows = [line.split() for line in lines[1:] if re.match(r"^\s*\d+\s", line)]
    assert [int(r[0]) for r in rows] == list(range(1, res.nit + 1))
    for row, x in zip(rows, res.allvecs[1:]):
        assert float(row[1]) == pytest.approx(problem.fun(x), rel=1e-15, abs=0)
        assert float(row[2]) == pytest.approx(np.linalg.norm(problem.jac(x)), rel=2e-3)
    assert res.message in out
    assert re.search(r"Iterations: %d\b" % res.nit, out)
    assert re.search(r"Function evaluations: %d\b" % res.nfev, out)
    assert re.search(r"Gradient evaluations: %d\b" % res.njev, out)
    assert re.search(r"Hessian evaluations: %d\b" % res.nhev, out)


def test_no_output_without_disp(capsys):
    problem = P.rosenbrock(2)
    fastnewton.minimize(problem.fun, problem.x0, jac=problem.jac, hess=problem.hess)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("method", METHODS)
def test_return_all(method):
    problem = P.rosenbrock(2)
    x0 = problem.x0
    res = fastnewton.minimize(problem.fun, x0, method=method, options=dict(return_all=True),
                              **derivatives(problem, method))
    assert len(res.allvecs) == res.nit + 1
    np.testing.assert_array_equal(res.allvecs[0], x0)
    np.testing.assert_array_equal(res.allvecs[-1], res.x)
    assert all(v is not res.x and not np.shares_memory(v, res.x) for v in res.allvecs)
    assert "allvecs" not in fastnewton.minimize(problem.fun, x0, method=method,
                                                **derivatives(problem, method))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("style", ["xk", "intermediate_result"])
def test_callback_once_per_iteration_with_copies(method, style):
    problem = P.rosenbrock(2)
    kwargs = derivatives(problem, method)
    ref = fastnewton.minimize(problem.fun, problem.x0, method=method,
                              options=dict(return_all=True), **kwargs)
    received = []

    if style == "xk":
        def callback(xk):
            received.append(xk.copy())
            xk[:] = 1e6                  # vandalize: must not reach the solver
    else:
        def callback(intermediate_result):
            assert intermediate_result.fun == pytest.approx(
                problem.fun(intermediate_result.x), rel=1e-15)
            received.append(intermediate_result.x.copy())
            intermediate_result.x[:] = np.nan

    res = fastnewton.minimize(problem.fun, problem.x0, method=method, callback=callback,
                              **kwargs)
    assert len(received) == res.nit == ref.nit
    np.testing.assert_array_equal(res.x, ref.x)
    for got, expected in zip(received, ref.allvecs[1:]):
        np.testing.assert_array_equal(got, expected)
    assert np.all(np.isfinite(res.x))


def test_intermediate_result_carries_nit():
    problem = P.rosenbrock(2)
    seen = []
    fastnewton.minimize(problem.fun, problem.x0, jac=problem.jac, hess=problem.hess,
                        callback=lambda intermediate_result: seen.append(intermediate_result.nit))
    assert seen == list(range(1, len(seen) + 1))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("style", ["xk", "intermediate_result"])
def test_callback_stop_iteration(method, style):
    problem = P.rosenbrock(2)
    received = []

    def record(x):
        received.append(x.copy())
        if len(received) == 3:
            raise StopIteration

    callback = record if style == "xk" else (lambda intermediate_result:
                                             record(intermediate_result.x))
    res = fastnewton.minimize(problem.fun, problem.x0, method=method, callback=callback,
                              **derivatives(problem, method))
    assert res.status == 99
    assert not res.success
    assert res.nit == 3
    np.testing.assert_array_equal(res.x, received[-1])
    assert res.fun == problem.fun(res.x)
    np.testing.assert_array_equal(res.jac, problem.jac(res.x))


def test_callback_other_exceptions_propagate():
    problem = P.rosenbrock(2)

    class Stop(Exception):
        pass

    def callback(xk):
        raise Stop("from callback")

    with pytest.raises(Stop, match="from callback"):
        fastnewton.minimize(problem.fun, problem.x0, jac=problem.jac, hess=problem.hess,
                            callback=callback)


# ---------------------------------------------------------------------------
# Iteration limits and gtol
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_maxiter_zero(method):
    problem = P.rosenbrock(2)
    x0 = problem.x0
    res = fastnewton.minimize(problem.fun, x0, method=method, options=dict(maxiter=0),
                              **derivatives(problem, method))
    assert res.status == 1 and not res.success and res.nit == 0
    np.testing.assert_array_equal(res.x, x0)
    assert res.x is not x0
    assert res.fun == problem.fun(x0)
    np.testing.assert_array_equal(res.jac, problem.jac(x0))
    # Already optimal: status 0 even with no iterations.
    res = fastnewton.minimize(problem.fun, [1.0, 1.0], method=method, options=dict(maxiter=0),
                              **derivatives(problem, method))
    assert res.status == 0 and res.success and res.nit == 0


@pytest.mark.parametrize("method", METHODS)
def test_maxiter_reached(method):
    problem = P.rosenbrock(2)
    res = fastnewton.minimize(problem.fun, problem.x0, method=method,
                              options=dict(gtol=0.0, maxiter=5), **derivatives(problem, method))
    assert res.status == 1
    assert not res.success
    assert res.nit == 5
    assert np.linalg.norm(problem.jac(res.x)) > 0


@pytest.mark.parametrize("method", METHODS)
def test_success_means_gtol_held(method):
    problem = P.wood()
    for gtol in (1e-2, 1e-5, 1e-9):
        res = fastnewton.minimize(problem.fun, problem.x0, method=method,
                                  options=dict(gtol=gtol), **derivatives(problem, method))
        # trust-ncg cannot step along negative curvature once the gradient
        # test holds; where its certificate shows some, it reports status 5
        # instead of success (the loose gtol=1e-2 stops in such a region).
        if method == "trust-ncg" and not res.success:
            assert res.status == 5 and res.critical_point.kind in ("saddle", "maximum")
        else:
            assert res.success
        assert np.linalg.norm(problem.jac(res.x)) <= gtol


@pytest.mark.parametrize("method", METHODS)
def test_inf_norm_option(method):
    problem = P.wood()
    res = fastnewton.minimize(problem.fun, problem.x0, method=method,
                              options=dict(gtol=1e-6, norm=np.inf),
                              **derivatives(problem, method))
    assert res.success
    assert np.abs(problem.jac(res.x)).max() <= 1e-6


# ---------------------------------------------------------------------------
# Nobody's arrays are aliased
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_no_aliasing_of_user_arrays(method):
    problem = P.rosenbrock(3)
    x0 = problem.x0
    x0_before = x0.copy()
    handed_out = []

    def fun(x):
        handed_out.append(x)
        value = problem.fun(x)
        x[:] = -7.0                        # the solver must not care
        return value

    def jac(x):
        handed_out.append(x)
        g = problem.jac(x)
        x[:] = -7.0
        return g

    def hess(x):
        handed_out.append(x)
        return problem.hess(x)

    def hessp(x, p):
        handed_out.append(x)
        handed_out.append(p)
        return problem.hessp(x, p)

    def callback(xk):
        handed_out.append(xk)

    kwargs = dict(jac=jac, hessp=hessp) if method == "trust-ncg" else dict(jac=jac, hess=hess)
    res = fastnewton.minimize(fun, x0, method=method, callback=callback,
                              options=dict(gtol=1e-8), **kwargs)
    np.testing.assert_array_equal(x0, x0_before)
    assert res.success
    np.testing.assert_allclose(res.x, np.ones(3), atol=1e-7)
    for arr in handed_out:
        assert arr is not res.x and not np.shares_memory(arr, res.x)
        assert arr is not res.jac and not np.shares_memory(arr, res.jac)
        assert not np.shares_memory(arr, x0)


def test_returned_jac_is_a_copy_of_the_users():
    problem = P.rosenbrock(2)
    returned = []

    def jac(x):
        g = problem.jac(x)
        returned.append(g)
        return g

    res = fastnewton.minimize(problem.fun, problem.x0, jac=jac, hess=problem.hess)
    assert all(not np.shares_memory(g, res.jac) for g in returned)
    for g in returned:
        g[:] = np.nan
    assert np.all(np.isfinite(res.jac))


# ---------------------------------------------------------------------------
# Objectives defined only on part of the space
# ---------------------------------------------------------------------------

BALL_CENTER = np.array([0.5, 0.5])
BALL_RADIUS = 4.0


def pseudo_huber_in_ball(bad_value):
    """√(1 + ‖x − c‖²) inside ‖x‖ < 4, `bad_value` outside.

    Far from c the curvature along x − c is tiny, so the Newton step
    overshoots (it is −d(1 + ‖d‖²) in that direction) and leaves the ball.
    """
    def fun(x):
        if np.linalg.norm(x) >= BALL_RADIUS:
            return bad_value
        d = x - BALL_CENTER
        return float(np.sqrt(1.0 + d @ d))

    def jac(x):
        d = x - BALL_CENTER
        return d / np.sqrt(1.0 + d @ d)

    def hess(x):
        d = x - BALL_CENTER
        s = np.sqrt(1.0 + d @ d)
        return np.eye(2) / s - np.outer(d, d) / s ** 3

    return fun, jac, hess


# Not newton: its steps are at most 1.75·max(1, ‖x‖) long, which from inside
# this ball never reaches outside it.
@pytest.mark.parametrize("bad_value", [np.nan, np.inf])
@pytest.mark.parametrize("method,options", [
    ("trust-exact", dict(initial_trust_radius=100.0)),
    ("dogleg", dict(initial_trust_radius=100.0)),
    ("trust-ncg", dict(initial_trust_radius=100.0)),
])
def test_nonfinite_values_away_from_the_path_shrink_the_step(method, options, bad_value):
    fun, jac, hess = pseudo_huber_in_ball(bad_value)
    fun = Counted(fun)
    x0 = BALL_CENTER + np.array([2.0, 1.0])
    res = fastnewton.minimize(fun, x0, method=method, jac=jac, hess=hess,
                              options=dict(gtol=1e-8, **options))
    # The full step really left the domain at least once.
    assert any(np.linalg.norm(x) >= BALL_RADIUS for x in fun.points)
    assert np.isfinite(res.fun) and np.all(np.isfinite(res.x))
    assert res.success
    np.testing.assert_allclose(res.x, BALL_CENTER, atol=1e-7)
    assert res.fun == pytest.approx(1.0, abs=1e-14)


@pytest.mark.parametrize("method", METHODS)
def test_nan_gradient_away_from_the_path(method):
    # f finite everywhere but ∇f NaN outside the ball: trial points there are rejected.
    fun, jac, hess = pseudo_huber_in_ball(np.nan)
    d_fun = lambda x: float(np.sqrt(1.0 + (x - BALL_CENTER) @ (x - BALL_CENTER)))  # noqa: E731

    def bad_jac(x):
        return jac(x) if np.linalg.norm(x) < BALL_RADIUS else np.full(2, np.nan)

    x0 = BALL_CENTER + np.array([2.0, 1.0])
    options = {} if method == "newton" else dict(initial_trust_radius=100.0)
    kwargs = dict(hessp=lambda x, p: hess(x) @ p) if method == "trust-ncg" else dict(hess=hess)
    res = fastnewton.minimize(d_fun, x0, method=method, jac=bad_jac,
                              options=dict(gtol=1e-8, **options), **kwargs)
    assert np.all(np.isfinite(res.x)) and np.isfinite(res.fun)
    assert res.status in (0, 2, 4)
    if res.success:
        np.testing.assert_allclose(res.x, BALL_CENTER, atol=1e-7)


# ---------------------------------------------------------------------------
# Finite differences
# ---------------------------------------------------------------------------

FD_PROBLEMS = [c for c in CLASSIC if c[0] not in ("brown_badly_scaled", "rosenbrock-100")]


def fd_points(problem):
    rng = np.random.default_rng(problem.n)
    return [problem.x0, *problem.minimizers,
            problem.x0 + 0.1 * rng.standard_normal(problem.n)]


@pytest.mark.parametrize("name,factory", FD_PROBLEMS, ids=[c[0] for c in FD_PROBLEMS])
def test_approx_hessian_matches_analytic(name, factory):
    problem = factory()
    for x in fd_points(problem):
        exact = problem.hess(x)
        scale = max(1.0, np.abs(exact).max())
        forward = fastnewton.approx_hessian(problem.jac, x, method="2-point")
        central = fastnewton.approx_hessian(problem.jac, x, method="3-point")
        assert forward.shape == central.shape == (problem.n, problem.n)
        np.testing.assert_array_equal(forward, forward.T)
        np.testing.assert_array_equal(central, central.T)
        np.testing.assert_allclose(forward, exact, rtol=0, atol=1e-5 * scale)
        np.testing.assert_allclose(central, exact, rtol=0, atol=1e-8 * scale)


def test_approx_hessian_default_is_forward_and_counts_gradients():
    problem = P.wood()
    x = problem.x0
    jac = Counted(problem.jac)
    default = fastnewton.approx_hessian(jac, x)
    assert jac.calls == problem.n + 1
    jac = Counted(problem.jac)
    forward = fastnewton.approx_hessian(jac, x, method="2-point")
    np.testing.assert_array_equal(default, forward)
    jac = Counted(problem.jac)
    fastnewton.approx_hessian(jac, x, method="3-point")
    assert jac.calls == 2 * problem.n + 1
    # The user's x is untouched and every point handed out is a copy.
    np.testing.assert_array_equal(x, problem.x0)
    assert all(not np.shares_memory(p, x) for p in jac.points)


def test_approx_hessian_passes_args_and_rel_step():
    a = np.array([[3.0, 1.0], [1.0, 2.0]])
    token = object()

    def jac(x, matrix, marker):
        assert marker is token
        return matrix @ x + np.array([np.sin(x[0]), 0.0])

    x = np.array([0.3, -0.7])
    exact = a + np.diag([np.cos(x[0]), 0.0])
    np.testing.assert_allclose(fastnewton.approx_hessian(jac, x, args=(a, token)), exact,
                               atol=1e-7)
    np.testing.assert_allclose(
        fastnewton.approx_hessian(jac, x, args=(a, token), method="3-point"), exact, atol=1e-10)
    # A coarse relative step makes forward differences visibly worse, by O(h).
    coarse = fastnewton.approx_hessian(jac, x, args=(a, token), rel_step=1e-2)
    assert 1e-4 < np.abs(coarse - exact).max() < 1e-2


def test_approx_hessian_of_quadratic_is_exact_enough():
    problem = P.quadratic(6, seed=2)
    x = np.linspace(-1, 1, 6)
    np.testing.assert_allclose(fastnewton.approx_hessian(problem.jac, x, method="3-point"),
                               problem.hess(x), rtol=0, atol=1e-9)


FD_CASES = [("jac", "2-point"), ("jac", "3-point"), ("2-point", "hess"), ("3-point", "hess"),
            ("jac", None)]


@pytest.mark.parametrize("method", FACTORIZING)
@pytest.mark.parametrize("jac_kind,hess_kind", FD_CASES)
def test_minimize_with_finite_differences(method, jac_kind, hess_kind):
    problem = P.wood()
    jac = problem.jac if jac_kind == "jac" else jac_kind
    hess = problem.hess if hess_kind == "hess" else hess_kind
    ref = fastnewton.minimize(problem.fun, problem.x0, method=method, jac=problem.jac,
                              hess=problem.hess, options=dict(gtol=1e-8))
    # With a finite-difference gradient the attainable gradient norm is ~√eps·f-scale.
    gtol = 1e-8 if jac_kind == "jac" else 1e-5
    res = fastnewton.minimize(problem.fun, problem.x0, method=method, jac=jac, hess=hess,
                              options=dict(gtol=gtol))
    assert res.success
    np.testing.assert_allclose(res.x, ref.x, atol=1e-5)
    np.testing.assert_allclose(res.x, problem.x_min, atol=1e-5)
    if jac_kind == "jac":
        np.testing.assert_allclose(res.jac, problem.jac(res.x), rtol=1e-14, atol=0)


@pytest.mark.parametrize("jac_kind,hess_kind", [("jac", None), ("jac", "2-point"),
                                                ("jac", "3-point"), ("2-point", "hessp"),
                                                ("3-point", "hessp")])
def test_trust_ncg_with_finite_differences(jac_kind, hess_kind):
    problem = P.rosenbrock(10)
    x0 = 1.0 + 0.1 * (-1.0) ** np.arange(10)
    kwargs = dict(jac=problem.jac if jac_kind == "jac" else jac_kind)
    if hess_kind == "hessp":
        kwargs["hessp"] = problem.hessp
    elif hess_kind is not None:
        kwargs["hess"] = hess_kind
    gtol = 1e-7 if jac_kind == "jac" else 1e-4
    res = fastnewton.minimize(problem.fun, x0, method="trust-ncg", options=dict(gtol=gtol),
                              **kwargs)
    assert res.success
    np.testing.assert_allclose(res.x, np.ones(10), atol=1e-4)


# ---------------------------------------------------------------------------
# Gradients in every layout numpy has
# ---------------------------------------------------------------------------

def strided(g):
    out = np.zeros(2 * g.size)
    out[::2] = g
    return out[::2]


GRADIENT_LAYOUTS = {
    "strided float64 view": strided,
    "big-endian float64": lambda g: g.astype(">f8"),
    "float32": lambda g: g.astype(np.float32),
    "list": lambda g: g.tolist(),
    "read-only": lambda g: np.frombuffer(g.tobytes()),
}


@pytest.mark.parametrize("value, shape", [(np.zeros((4, 1)), r"\(4, 1\)"),
                                          (np.zeros(3), r"\(3,\)")])
def test_gradient_of_the_wrong_shape_is_refused(value, shape):
    problem = P.rosenbrock(4)
    with pytest.raises(ValueError, match=r"jac must return an array of shape \(4,\), got shape "
                       + shape):
        fastnewton.minimize(problem.fun, problem.x0, method="trust-exact",
                            jac=lambda x: value, hess=problem.hess)


def test_non_finite_gradient_mid_run_is_caught_in_a_float64_vector():
    # A NaN in the common float64 case must be seen (the fast read checks it too).
    problem = P.rosenbrock(2)
    calls = []

    def jac(x):
        calls.append(1)
        g = problem.jac(x)
        if len(calls) > 3:
            g[1] = np.nan
        return g

    res = fastnewton.minimize(problem.fun, problem.x0, method="trust-exact", jac=jac,
                              hess=problem.hess)
    # Every trial after the third is refused for its gradient: the radius
    # shrinks until the run stops, at the last point with a finite gradient.
    assert not res.success and res.status == 2 and res.nit > 3
    assert np.all(np.isfinite(res.x)) and np.all(np.isfinite(res.jac))
    np.testing.assert_array_equal(res.jac, problem.jac(res.x))


HESSIAN_LAYOUTS = {
    "Fortran order": np.asfortranarray,
    "transposed view": lambda h: h.T,
    "strided float64 view": lambda h: np.repeat(h, 2, axis=1)[:, ::2],
    "big-endian float64": lambda h: h.astype(">f8"),
    "float32": lambda h: h.astype(np.float32),
    "nested list": lambda h: h.tolist(),
}


LAYOUT_CASES = ([("jac", layout, method) for layout in GRADIENT_LAYOUTS
                 for method in ("trust-exact", "newton")]
                + [("hess", layout, method) for layout in HESSIAN_LAYOUTS
                   for method in ("trust-exact", "newton", "dogleg")])


@pytest.mark.parametrize("which, layout, method", LAYOUT_CASES)
def test_derivative_layout_gives_the_same_iterates(which, layout, method):
    # A float64 vector, or (n, n) matrix, of any strides is read straight
    # from its buffer; every other value is converted. The numbers must be
    # the same (float32: its own rounding), so the iterates are.
    problem = P.rosenbrock(4)
    exact = {"jac": problem.jac, "hess": problem.hess}
    convert = (GRADIENT_LAYOUTS if which == "jac" else HESSIAN_LAYOUTS)[layout]
    reference = dict(exact)
    if layout == "float32":
        reference[which] = lambda x: exact[which](x).astype(np.float32).astype(np.float64)
    converted = dict(exact)
    converted[which] = lambda x: convert(exact[which](x))
    ref = fastnewton.minimize(problem.fun, problem.x0, method=method, **reference)
    res = fastnewton.minimize(problem.fun, problem.x0, method=method, **converted)
    np.testing.assert_array_equal(res.x, ref.x)
    assert (res.nit, res.njev, res.nhev) == (ref.nit, ref.njev, ref.nhev)
    np.testing.assert_array_equal(res.hess, reference["hess"](res.x))


def test_hessian_with_a_nan_in_the_lower_triangle_is_caught():
    # The fast read checks what it copies: only the lower triangle is read.
    problem = P.rosenbrock(3)
    upper_nan = lambda x: problem.hess(x) + np.triu(np.full((3, 3), np.nan), 1)
    lower_nan = lambda x: problem.hess(x) + np.tril(np.full((3, 3), np.nan), -1)
    ok = fastnewton.minimize(problem.fun, problem.x0, method="trust-exact", jac=problem.jac,
                             hess=upper_nan)
    bad = fastnewton.minimize(problem.fun, problem.x0, method="trust-exact", jac=problem.jac,
                              hess=lower_nan)
    assert ok.success
    assert not bad.success and bad.status == 4 and "Hessian" in bad.message
