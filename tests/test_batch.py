"""Tests of `fastnewton.minimize_batch`.

The reference for every batch is the same problems solved one at a time by
`fastnewton.minimize` (the scalar functions are the batch callbacks applied
to one row, so both see identical values), plus independent facts: the
gradient of the test problem at the returned x (from `fastnewton.problems`),
closed-form least-squares solutions (numpy), and calls recorded by wrappers.
"""

import importlib.util
import pathlib

import numpy as np
import pytest
from scipy.optimize import OptimizeResult

import fastnewton
from fastnewton import problems as P

ROOT = pathlib.Path(__file__).resolve().parent.parent


def vectorized(problem):
    """Batch callbacks for a fastnewton.problems problem: row by row, as a user's loop would."""
    return (lambda X: np.array([problem.fun(x) for x in X]),
            lambda X: np.array([problem.jac(x) for x in X]).reshape(len(X), problem.n),
            lambda X: np.array([problem.hess(x) for x in X]).reshape(len(X), problem.n, problem.n))


def starts(problem, m, spread, seed):
    rng = np.random.default_rng(seed)
    return problem.x0 + spread * rng.standard_normal((m, problem.n))


def derivative_modes(problem):
    """(name, batch kwargs, scalar kwargs) for every way of giving derivatives."""
    fun, jac, hess = vectorized(problem)

    def fun_and_grad(X):
        return fun(X), jac(X)

    def scalar_fun_and_grad(x):
        return problem.fun(x), problem.jac(x)

    return [
        ("analytic", dict(fun=fun, jac=jac, hess=hess),
         dict(fun=problem.fun, jac=problem.jac, hess=problem.hess)),
        ("hess 2-point", dict(fun=fun, jac=jac), dict(fun=problem.fun, jac=problem.jac)),
        ("hess 3-point", dict(fun=fun, jac=jac, hess="3-point"),
         dict(fun=problem.fun, jac=problem.jac, hess="3-point")),
        ("jac=True", dict(fun=fun_and_grad, jac=True, hess=hess),
         dict(fun=scalar_fun_and_grad, jac=True, hess=problem.hess)),
        ("jac=True, hess 2-point", dict(fun=fun_and_grad, jac=True, hess="2-point"),
         dict(fun=scalar_fun_and_grad, jac=True, hess="2-point")),
        ("jac 2-point", dict(fun=fun, jac="2-point", hess=hess),
         dict(fun=problem.fun, jac="2-point", hess=problem.hess)),
        ("jac 3-point", dict(fun=fun, jac="3-point", hess=hess),
         dict(fun=problem.fun, jac="3-point", hess=problem.hess)),
    ]


def solve_separately(scalar_kwargs, x0, method, options=None):
    kwargs = dict(scalar_kwargs)
    fun = kwargs.pop("fun")
    return [fastnewton.minimize(fun, x, method=method, options=options, **kwargs) for x in x0]


CASES = [(P.rosenbrock(2), 0.5), (P.rosenbrock(4), 0.3), (P.extended_powell(4), 0.5)]
MODE_NAMES = [m[0] for m in derivative_modes(P.rosenbrock(2))]


@pytest.mark.parametrize("problem, spread", CASES, ids=lambda c: getattr(c, "name", str(c)))
@pytest.mark.parametrize("mode", range(7), ids=MODE_NAMES)
def test_trust_exact_batch_matches_separate_solves(problem, spread, mode):
    """Same iterates as minimize, problem by problem: identical counts and status, same x."""
    name, batch_kwargs, scalar_kwargs = derivative_modes(problem)[mode]
    fd_gradient = name.startswith("jac ")
    x0 = starts(problem, 12, spread, seed=mode)
    res = fastnewton.minimize_batch(x0=x0, method="trust-exact", **batch_kwargs)
    for i, ref in enumerate(solve_separately(scalar_kwargs, x0, "trust-exact")):
        assert (res.nit[i], res.nfev[i], res.njev[i], res.nhev[i], res.status[i]) == \
            (ref.nit, ref.nfev, ref.njev, ref.nhev, ref.status), i
        # The same step functions on the same blocks: the same numbers, bit for bit.
        np.testing.assert_array_equal(res.x[i], ref.x)
        np.testing.assert_array_equal(res.hess[i], ref.hess)
        assert res.trust_radius[i] == ref.trust_radius
    assert len(set(res.nit.tolist())) > 1, "the problems should stop at different iterations"
    assert res.success.all()
    for x, g in zip(res.x, res.jac):
        if fd_gradient:   # forward differences are good to about √ε·‖∇²f‖
            np.testing.assert_allclose(g, problem.jac(x), rtol=0, atol=1e-4)
        else:
            np.testing.assert_allclose(g, problem.jac(x), rtol=1e-12, atol=1e-14)
            assert np.linalg.norm(problem.jac(x)) <= 1e-5


def coupled_wells(x):
    """f(x) = Σ (x_i² − 1)² + ½ Σ x_i x_{i+1} + 0.2 Σ x_i, any n ≥ 1; indefinite near 0."""
    return (np.sum((x * x - 1.0) ** 2) + 0.5 * np.dot(x[:-1], x[1:]) + 0.2 * np.sum(x))


def coupled_wells_jac(x):
    g = 4.0 * x * (x * x - 1.0) + 0.2
    g[1:] += 0.5 * x[:-1]
    g[:-1] += 0.5 * x[1:]
    return g


def coupled_wells_hess(x):
    n = x.size
    return np.diag(12.0 * x * x - 4.0) + 0.5 * (np.eye(n, k=1) + np.eye(n, k=-1))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6, 7, 9])
def test_trust_exact_batch_matches_separate_solves_at_every_order(n):
    """The batched Moré–Sorensen step is specialized for n ≤ 6 and generic above: same
    iterates as minimize either way, bit for bit, through boundary steps and hard cases."""
    x0 = np.random.default_rng(n).uniform(-1.5, 1.5, (12, n))
    res = fastnewton.minimize_batch(
        lambda X: np.array([coupled_wells(x) for x in X]), x0, method="trust-exact",
        jac=lambda X: np.array([coupled_wells_jac(x) for x in X]),
        hess=lambda X: np.array([coupled_wells_hess(x) for x in X]))
    assert res.success.all()
    for i, x in enumerate(x0):
        ref = fastnewton.minimize(coupled_wells, x, method="trust-exact", jac=coupled_wells_jac,
                                  hess=coupled_wells_hess)
        assert (res.nit[i], res.nfev[i], res.status[i]) == (ref.nit, ref.nfev, ref.status), i
        np.testing.assert_array_equal(res.x[i], ref.x)
        assert res.trust_radius[i] == ref.trust_radius


def nearest_known(problem, x):
    """Distance from x to the closest known global or local minimizer of the test problem."""
    known = list(problem.minimizers) + [m for m, _ in problem.local_minima]
    return min(np.linalg.norm(x - m) for m in known)


@pytest.mark.parametrize("problem, spread", CASES, ids=lambda c: getattr(c, "name", str(c)))
@pytest.mark.parametrize("mode", range(7), ids=MODE_NAMES)
def test_newton_batch_matches_separate_solves(problem, spread, mode):
    """Batched newton runs minimize's newton (strong Wolfe search, the same line-search
    machines) problem by problem: the same iterates, counts and status, bit for bit, and
    the problems that succeed end at a known minimizer."""
    name, batch_kwargs, scalar_kwargs = derivative_modes(problem)[mode]
    gtol = 1e-6 if name.startswith("jac ") else 1e-9
    x0 = starts(problem, 10, spread, seed=10 + mode)
    res = fastnewton.minimize_batch(x0=x0, method="newton", options={"gtol": gtol},
                                    **batch_kwargs)
    for i, ref in enumerate(solve_separately(scalar_kwargs, x0, "newton", {"gtol": gtol})):
        assert (res.nit[i], res.nfev[i], res.njev[i], res.nhev[i], res.status[i]) == \
            (ref.nit, ref.nfev, ref.njev, ref.nhev, ref.status), i
        np.testing.assert_array_equal(res.x[i], ref.x)
        np.testing.assert_array_equal(res.jac[i], ref.jac)
    # Forward-difference gradients stall above gtol = 1e-6 on a few Rosenbrock starts
    # (status 2, as minimize does); everything else converges.
    assert res.success.mean() >= (0.8 if name == "jac 2-point" else 1.0)
    # At Powell's singular minimizer ‖g‖ ~ ‖x − x*‖³, so x is known to about gtol^(1/3).
    xtol = 5e-3 if problem.name == "powell_singular" else (1e-4 if gtol > 1e-9 else 1e-6)
    for x in res.x[res.success]:
        assert nearest_known(problem, x) <= xtol
        # With forward-difference gradients the true gradient is known to ~√ε·‖∇²f‖ only.
        assert np.linalg.norm(problem.jac(x)) <= (1e-4 if gtol > 1e-9 else 10 * gtol)


def least_squares_batch(m, n_obs, n, seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, n_obs, n)), rng.standard_normal((m, n_obs))


def quartic_least_squares():
    """f_i(x) = ½‖A_i x − b_i‖² + ¼ w_i Σ x⁴: per-problem data A (m, n_obs, n), b, w."""
    def fun(X, A, b, w):
        r = np.einsum("kon,kn->ko", A, X) - b
        return 0.5 * np.einsum("ko,ko->k", r, r) + 0.25 * w * np.sum(X ** 4, axis=1)

    def jac(X, A, b, w):
        r = np.einsum("kon,kn->ko", A, X) - b
        return np.einsum("kon,ko->kn", A, r) + w[:, None] * X ** 3

    def hess(X, A, b, w):
        H = np.einsum("koi,koj->kij", A, A)
        H[:, np.arange(X.shape[1]), np.arange(X.shape[1])] += 3.0 * w[:, None] * X ** 2
        return H

    return fun, jac, hess


@pytest.mark.parametrize("method", ["trust-exact", "newton"])
def test_batch_args_follow_the_active_rows(method):
    """Per-problem data of shape (m, n_obs, n) stays aligned with X as problems finish."""
    m, n_obs, n = 30, 8, 3
    A, b = least_squares_batch(m, n_obs, n, seed=3)
    w = np.where(np.arange(m) % 3 == 0, 0.0, np.linspace(0.1, 5.0, m))   # some are pure LSQ
    ids = np.arange(m)
    seen = []
    fun, jac, hess = quartic_least_squares()

    def logged_fun(X, A_rows, b_rows, w_rows, id_rows):
        seen.append(id_rows.copy())
        assert A_rows.shape == (len(X), n_obs, n) and b_rows.shape == (len(X), n_obs)
        return fun(X, A_rows, b_rows, w_rows)

    def drop_ids(f):
        return lambda X, A_rows, b_rows, w_rows, id_rows: f(X, A_rows, b_rows, w_rows)

    x0 = np.full((m, n), 2.0)
    res = fastnewton.minimize_batch(logged_fun, x0, method=method, jac=drop_ids(jac),
                                    hess=drop_ids(hess), batch_args=(A, b, w, ids),
                                    options={"gtol": 1e-10})
    assert res.success.all()
    # Pure least squares: the closed form (numpy), reached in one Newton step.
    for i in np.flatnonzero(w == 0.0):
        np.testing.assert_allclose(res.x[i], np.linalg.lstsq(A[i], b[i], rcond=None)[0],
                                   rtol=1e-9, atol=1e-12)
    # Every problem against its own separate solve.
    for i in range(m):
        ref = fastnewton.minimize(lambda x: fun(x[None], A[i:i + 1], b[i:i + 1], w[i:i + 1])[0],
                                  x0[i], method=method,
                                  jac=lambda x: jac(x[None], A[i:i + 1], b[i:i + 1], w[i:i + 1])[0],
                                  hess=lambda x: hess(x[None], A[i:i + 1], b[i:i + 1],
                                                      w[i:i + 1])[0],
                                  options={"gtol": 1e-10})
        np.testing.assert_allclose(res.x[i], ref.x, rtol=1e-8, atol=1e-10)
    # Only problems still running were passed: a problem appears in as many fun
    # calls as it made evaluations, and the ids always come in order.
    counts = np.bincount(np.concatenate(seen), minlength=m)
    np.testing.assert_array_equal(counts, res.nfev)
    assert all(np.all(np.diff(call) > 0) for call in seen)
    assert len(seen[-1]) < m


def test_failing_problems_do_not_disturb_the_others():
    """NaN at x0, NaN along the way, a NaN Hessian and an iteration limit, each on its own."""
    rosen = P.rosenbrock(2)
    fun, jac, hess = vectorized(rosen)
    x0 = starts(rosen, 8, 0.3, seed=5)
    x0[1] = [7.0, 7.0]                  # fun is NaN here (below)
    x0[2] = [-1.2, 1.0]                 # only a few steps from here are NaN (below)
    x0[3] = [6.5, 6.5]                  # the Hessian is NaN here (below)
    x0[4] = [-4.0, 8.0]                 # far away: hits maxiter

    def fun_nan(X):
        f = fun(X)
        f[np.all(X == 7.0, axis=1)] = np.nan
        f[np.abs(X[:, 0] + 0.2) < 0.1] = np.inf     # a band the path from x0[2] crosses
        return f

    def hess_nan(X):
        H = hess(X)
        H[np.all(X == 6.5, axis=1)] = np.nan
        return H

    options = {"maxiter": 12}
    res = fastnewton.minimize_batch(fun_nan, x0, jac=jac, hess=hess_nan, options=options)
    assert res.status[1] == 4 and res.nit[1] == 0 and "x0" in res[1].message
    assert res.status[3] == 4 and res.nit[3] == 0
    assert np.isnan(res.hess[3]).all() and np.isnan(res.jac[1]).all()
    assert res.status[4] == 1 and res.nit[4] == 12
    others = [0, 2, 5, 6, 7]
    for i in others:
        ref = fastnewton.minimize(lambda x: fun_nan(x[None])[0], x0[i], jac=rosen.jac,
                                  hess=rosen.hess, options=options)
        assert (res.nit[i], res.nfev[i], res.status[i]) == (ref.nit, ref.nfev, ref.status)
        np.testing.assert_array_equal(res.x[i], ref.x)
    # The same problems without the failing ones around them: the same results, bit for bit.
    clean = fastnewton.minimize_batch(fun_nan, x0[[0, 5, 6, 7]], jac=jac, hess=hess_nan,
                                      options=options)
    np.testing.assert_array_equal(clean.x, res.x[[0, 5, 6, 7]])
    np.testing.assert_array_equal(clean.nit, res.nit[[0, 5, 6, 7]])


def test_saddles_follow_the_second_order_test():
    """f = x² − y² + y⁴/4: a saddle at 0, minima at (0, ±√2).

    trust-exact leaves the saddle through its hard case and newton along the
    direction of negative curvature, each exactly as minimize does;
    escape_saddles=False stops both at the saddle with the first-order test.
    """
    def fun(X):
        return X[:, 0] ** 2 - X[:, 1] ** 2 + X[:, 1] ** 4 / 4

    def jac(X):
        return np.column_stack([2 * X[:, 0], -2 * X[:, 1] + X[:, 1] ** 3])

    def hess(X):
        H = np.zeros((len(X), 2, 2))
        H[:, 0, 0] = 2.0
        H[:, 1, 1] = -2.0 + 3 * X[:, 1] ** 2
        return H

    x0 = np.array([[0.0, 0.0], [0.3, 0.1], [0.0, 2.0]])
    res = fastnewton.minimize_batch(fun, x0, jac=jac, hess=hess, options={"gtol": 1e-10})
    assert res.success.all()
    np.testing.assert_allclose(np.abs(res.x[:, 1]), np.sqrt(2.0), rtol=1e-9)
    ref = fastnewton.minimize(lambda x: fun(x[None])[0], x0[0], jac=lambda x: jac(x[None])[0],
                              hess=lambda x: hess(x[None])[0], options={"gtol": 1e-10})
    np.testing.assert_array_equal(res.x[0], ref.x)
    assert res.nit[0] == ref.nit

    newton = fastnewton.minimize_batch(fun, x0, method="newton", jac=jac, hess=hess,
                                       options={"gtol": 1e-10})
    assert newton.success.all()
    np.testing.assert_allclose(np.abs(newton.x[:, 1]), np.sqrt(2.0), rtol=1e-9)
    ref = fastnewton.minimize(lambda x: fun(x[None])[0], x0[0], method="newton",
                              jac=lambda x: jac(x[None])[0], hess=lambda x: hess(x[None])[0],
                              options={"gtol": 1e-10})
    np.testing.assert_array_equal(newton.x[0], ref.x)
    assert newton.nit[0] == ref.nit
    first_order = fastnewton.minimize_batch(fun, x0[:1], jac=jac, hess=hess,
                                            options={"escape_saddles": False})
    assert first_order.success[0] and first_order.nit[0] == 0


def test_nonfinite_trial_points_shrink_the_newton_step():
    """f = inf beyond a wall: the line search backtracks below it instead of failing."""
    def fun(X):
        f = np.sum((X - 3.0) ** 2, axis=1)
        return np.where(X[:, 0] > 3.5, np.inf, f)

    x0 = np.array([[0.0, 0.0], [3.4, 0.0], [-20.0, 1.0]])
    res = fastnewton.minimize_batch(
        fun, x0, method="newton", jac=lambda X: 2.0 * (X - 3.0),
        hess=lambda X: np.broadcast_to(2.0 * np.eye(2), (len(X), 2, 2)))
    assert res.success.all()
    np.testing.assert_allclose(res.x, 3.0)


def test_single_problem_and_single_variable():
    """m = 1 and n = 1: shapes (1, n) and (m, 1) all the way through."""
    rosen = P.rosenbrock(2)
    fun, jac, hess = vectorized(rosen)
    res = fastnewton.minimize_batch(fun, rosen.x0[None, :], jac=jac, hess=hess)
    ref = fastnewton.minimize(rosen.fun, rosen.x0, jac=rosen.jac, hess=rosen.hess)
    assert res.x.shape == (1, 2) and res.hess.shape == (1, 2, 2) and res.fun.shape == (1,)
    assert (res.nit[0], res.nfev[0]) == (ref.nit, ref.nfev)
    np.testing.assert_allclose(res.x[0], ref.x, rtol=1e-12)

    # n = 1: f(x) = cosh(x − c) per problem; minimizer c.
    c = np.array([-2.0, 0.0, 0.5, 3.0])
    for method in ["trust-exact", "newton"]:
        res = fastnewton.minimize_batch(
            lambda X, c: np.cosh(X[:, 0] - c), np.zeros((4, 1)), method=method,
            jac=lambda X, c: np.sinh(X - c[:, None]),
            hess=lambda X, c: np.cosh(X - c[:, None])[:, :, None], batch_args=(c,),
            options={"gtol": 1e-12})
        assert res.x.shape == (4, 1) and res.success.all()
        np.testing.assert_allclose(res.x[:, 0], c, atol=1e-12)


def test_callback_shapes_are_checked_with_the_expected_shape_in_the_message():
    X0 = np.zeros((3, 2))

    def fun(X):
        return np.sum(X ** 2, axis=1)

    def jac(X):
        return 2.0 * X

    def hess(X):
        return np.broadcast_to(2.0 * np.eye(2), (len(X), 2, 2))

    with pytest.raises(ValueError, match=r"fun must return an array of shape \(3,\).*got shape \(3, 1\)"):
        fastnewton.minimize_batch(lambda X: fun(X)[:, None], X0, jac=jac, hess=hess)
    with pytest.raises(ValueError, match=r"jac must return an array of shape \(3, 2\).*got shape \(2,\)"):
        fastnewton.minimize_batch(fun, X0, jac=lambda X: jac(X)[0], hess=hess)
    with pytest.raises(ValueError, match=r"hess must return an array of shape \(3, 2, 2\)"):
        fastnewton.minimize_batch(fun, X0, jac=jac, hess=lambda X: np.eye(2))
    with pytest.raises(ValueError, match=r"tuple \(f, g\)"):
        fastnewton.minimize_batch(fun, X0, jac=True, hess=hess)
    with pytest.raises(TypeError, match="complex"):
        fastnewton.minimize_batch(lambda X: fun(X) + 0j, X0, jac=jac, hess=hess)
    with pytest.raises(ValueError, match=r"x0 must have shape \(m, n\)"):
        fastnewton.minimize_batch(fun, np.zeros(3), jac=jac, hess=hess)
    with pytest.raises(ValueError, match=r"batch_args\[1\] must have leading dimension m = 3"):
        fastnewton.minimize_batch(fun, X0, jac=jac, hess=hess,
                                  batch_args=(np.zeros(3), np.zeros((4, 2))))
    with pytest.raises(ValueError, match="method must be one of"):
        fastnewton.minimize_batch(fun, X0, method="dogleg", jac=jac, hess=hess)
    with pytest.raises(ValueError, match="'check_bandwidth' is not supported"):
        fastnewton.minimize_batch(fun, X0, jac=jac, hess=hess, options={"check_bandwidth": True})
    with pytest.raises(ValueError, match=r"hess must return an array of shape \(3, 1, 2\)"):
        fastnewton.minimize_batch(fun, X0, jac=jac, hess=hess, options={"bandwidth": 0})
    with pytest.raises(ValueError, match="gtol"):
        fastnewton.minimize_batch(fun, X0, jac=jac, hess=hess, options={"gtol": -1.0})
    with pytest.raises(ValueError, match="x0 must be finite"):
        fastnewton.minimize_batch(fun, np.array([[0.0, np.nan], [1.0, 1.0]]), jac=jac, hess=hess)
    with pytest.raises(ValueError, match="jac must be a callable"):
        fastnewton.minimize_batch(fun, X0, jac="2-point")


def test_inputs_are_not_modified_and_outputs_do_not_alias():
    """x0 and batch_args keep their values, even when a callback scribbles on its X."""
    fun, jac, hess = quartic_least_squares()
    A, b = least_squares_batch(6, 5, 2, seed=8)
    w = np.full(6, 0.5)
    x0 = np.ones((6, 2))
    saved = [array.copy() for array in (x0, A, b, w)]

    def scribbling_fun(X, *data):
        value = fun(X, *data)
        X[:] = 1e300
        return value

    res = fastnewton.minimize_batch(scribbling_fun, x0, jac=jac, hess=hess, batch_args=(A, b, w))
    clean = fastnewton.minimize_batch(fun, x0, jac=jac, hess=hess, batch_args=(A, b, w))
    for array, before in zip((x0, A, b, w), saved):
        np.testing.assert_array_equal(array, before)
    np.testing.assert_array_equal(res.x, clean.x)
    assert not np.shares_memory(res.x, x0)
    one = res.problem(2)
    one.x[:] = 0.0
    assert res.x[2, 0] != 0.0


def test_batch_result_per_problem_access():
    fun, jac, hess = quartic_least_squares()
    A, b = least_squares_batch(5, 4, 2, seed=9)
    w = np.linspace(0.0, 1.0, 5)
    res = fastnewton.minimize_batch(fun, np.zeros((5, 2)), jac=jac, hess=hess,
                                    batch_args=(A, b, w))
    one = res[3]
    assert isinstance(one, OptimizeResult) and not isinstance(one, fastnewton.BatchResult)
    assert one.x.shape == (2,) and isinstance(one.fun, float) and isinstance(one.nit, int)
    assert one.message == res.message[0] and one.success is True
    np.testing.assert_array_equal(res.problem(-1).x, res.x[4])
    np.testing.assert_allclose(one.hess, hess(one.x[None], A[3:4], b[3:4], w[3:4])[0])
    assert res["x"] is res.x
    with pytest.raises(IndexError):
        res.problem(5)
    joined = fastnewton.BatchResult.concatenate([res, res])
    assert joined.x.shape == (10, 2) and joined.problem(7).nit == res.nit[2]


def test_gtol_and_norm_options_apply_per_problem():
    rosen = P.rosenbrock(2)
    fun, jac, hess = vectorized(rosen)
    x0 = starts(rosen, 6, 0.3, seed=2)
    for options in ({"gtol": 1e-3}, {"gtol": 1e-3, "norm": np.inf}):
        res = fastnewton.minimize_batch(fun, x0, jac=jac, hess=hess, options=options)
        for i in range(6):
            ref = fastnewton.minimize(rosen.fun, x0[i], jac=rosen.jac, hess=rosen.hess,
                                      options=options)
            assert res.nit[i] == ref.nit
        norm = np.max(np.abs(res.jac), axis=1) if "norm" in options else np.linalg.norm(
            res.jac, axis=1)
        assert np.all(norm <= 1e-3)


def test_dask_chunks_give_the_single_process_result():
    """examples/dask_batch.py on a local two-worker cluster equals one minimize_batch call."""
    pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    spec = importlib.util.spec_from_file_location("dask_batch", ROOT / "examples" / "dask_batch.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    x0, Y = example.decay_fits(3000, seed=1)
    single = example.solve_chunk((x0, Y))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address="127.0.0.1:0") as cluster, \
            distributed.Client(cluster) as client:
        chunked = example.solve_on_dask(x0, Y, 700, client)
    assert single.success.all()
    for name in single:
        np.testing.assert_array_equal(chunked[name], single[name], err_msg=name)


BANDED = [P.rosenbrock(9), P.broyden_tridiagonal(8), P.chained_double_well(10),
          P.energy_1d(12), P.rosenbrock(2)]


@pytest.mark.parametrize("problem", BANDED, ids=lambda p: "%s-%d" % (p.name, p.n))
@pytest.mark.parametrize("method", ["trust-exact", "newton"])
@pytest.mark.parametrize("hessian", ["band", "2-point", "3-point"])
def test_banded_batch_matches_separate_banded_solves(problem, method, hessian):
    """Many banded problems at once: each gets minimize's banded iterates bit for bit, and
    the band it returns is the band of its problem at its x."""
    b = problem.bandwidth
    x0 = starts(problem, 8, 0.3, seed=problem.n)
    fun = lambda X: np.array([problem.fun(x) for x in X])                   # noqa: E731
    jac = lambda X: np.array([problem.jac(x) for x in X])                   # noqa: E731
    if hessian == "band":
        def hess_band(X):
            return np.array([problem.hess_band(x) for x in X])
    else:
        hess_band = hessian
    res = fastnewton.minimize_batch(fun, x0, method=method, jac=jac, hess=hess_band,
                                    options={"bandwidth": b, "maxiter": 400})
    assert res.hess.shape == (8, b + 1, problem.n)
    for i, x in enumerate(x0):
        ref = fastnewton.minimize(problem.fun, x, method=method, jac=problem.jac,
                                  hess=problem.hess_band if hessian == "band" else hessian,
                                  options={"bandwidth": b, "maxiter": 400,
                                           "check_bandwidth": False})
        if method == "trust-exact":
            assert (res.nit[i], res.nfev[i], res.njev[i], res.nhev[i], res.status[i]) == \
                (ref.nit, ref.nfev, ref.njev, ref.nhev, ref.status), i
            np.testing.assert_array_equal(res.x[i], ref.x)
            np.testing.assert_array_equal(res.hess[i], ref.hess)
        if res.status[i] == 0:
            np.testing.assert_allclose(res.hess[i], problem.hess_band(res.x[i]), rtol=1e-5,
                                       atol=1e-5 * np.abs(problem.hess_band(res.x[i])).max())
            assert np.linalg.norm(problem.jac(res.x[i])) <= 1e-4
    assert res.success.mean() >= 0.75


def test_banded_batch_results_equal_dense_batch_results():
    """A tridiagonal problem solved with dense and with band Hessians: the same minimizers,
    and the band result is the band of the dense one."""
    problem = P.chained_double_well(6)
    x0 = starts(problem, 10, 0.5, seed=3)
    fun = lambda X: np.array([problem.fun(x) for x in X])                   # noqa: E731
    jac = lambda X: np.array([problem.jac(x) for x in X])                   # noqa: E731
    # Dense trust-exact raises λ by the failing pivot and the band kernels do
    # not, so the paths may differ: a tight gtol makes both end at the minimizer.
    dense = fastnewton.minimize_batch(fun, x0, jac=jac, options={"gtol": 1e-10},
                                      hess=lambda X: np.array([problem.hess(x) for x in X]))
    band = fastnewton.minimize_batch(fun, x0, jac=jac, options={"bandwidth": 1, "gtol": 1e-10},
                                     hess=lambda X: np.array([problem.hess_band(x) for x in X]))
    assert dense.success.all() and band.success.all()
    np.testing.assert_allclose(band.x, dense.x, atol=1e-8)
    for i in range(len(x0)):
        np.testing.assert_allclose(P.band_to_dense(band.hess[i]), dense.hess[i], rtol=1e-6,
                                   atol=1e-8)


@pytest.mark.parametrize("method", ["trust-exact", "newton"])
@pytest.mark.parametrize("mode", [0, 1, 3, 5], ids=[MODE_NAMES[i] for i in [0, 1, 3, 5]])
def test_rows_per_call_splits_calls_without_changing_results(method, mode):
    """Callbacks see at most rows_per_call rows (with batch_args cut to the same rows), and
    the results are those of one call per evaluation, bit for bit."""
    problem = P.rosenbrock(3)
    _, batch_kwargs, _ = derivative_modes(problem)[mode]
    x0 = starts(problem, 11, 0.4, seed=mode)
    data = np.arange(11.0)
    seen = []

    def recording(function):
        def wrapped(X, d):
            seen.append(len(X))
            # Problem ids of the rows, ascending within a call (a block of the active set).
            assert len(d) == len(X) and np.all(np.diff(d) > 0) and set(d) <= set(data)
            return function(X)
        return wrapped

    kwargs = {name: recording(value) if callable(value) else value
              for name, value in batch_kwargs.items()}
    whole = fastnewton.minimize_batch(x0=x0, method=method, batch_args=(data,), **kwargs,
                                      options={"rows_per_call": 1000})
    assert max(seen) > 3
    seen.clear()
    split = fastnewton.minimize_batch(x0=x0, method=method, batch_args=(data,), **kwargs,
                                      options={"rows_per_call": 3})
    assert max(seen) == 3
    for name in ("x", "fun", "jac", "hess", "nit", "nfev", "njev", "nhev", "status"):
        np.testing.assert_array_equal(getattr(split, name), getattr(whole, name))


@pytest.mark.parametrize("hessian", ["band", "2-point", "3-point"])
@pytest.mark.parametrize("problem", [P.broyden_tridiagonal(8), P.rosenbrock(9)],
                         ids=lambda p: "%s-%d" % (p.name, p.n))
def test_banded_rows_per_call_splits_calls_without_changing_results(problem, hessian):
    """Banded batches in blocks of rows (band differences run every column group of a
    block before the next block): the results of one call per evaluation, bit for bit."""
    x0 = starts(problem, 7, 0.3, seed=4)
    seen = []

    def rows(function):
        def wrapped(X):
            seen.append(len(X))
            return np.array([function(x) for x in X])
        return wrapped

    kwargs = dict(method="trust-exact", jac=rows(problem.jac),
                  hess=rows(problem.hess_band) if hessian == "band" else hessian)
    options = {"bandwidth": problem.bandwidth}
    whole = fastnewton.minimize_batch(rows(problem.fun), x0, **kwargs,
                                      options=dict(options, rows_per_call=1000))
    assert max(seen) == 7
    seen.clear()
    split = fastnewton.minimize_batch(rows(problem.fun), x0, **kwargs,
                                      options=dict(options, rows_per_call=3))
    assert max(seen) == 3
    assert whole.success.all()
    for name in ("x", "fun", "jac", "hess", "nit", "nfev", "njev", "nhev", "status"):
        np.testing.assert_array_equal(getattr(split, name), getattr(whole, name))


def test_default_rows_per_call_counts_each_problems_batch_args():
    """The default block holds about 32768 entries of X and of the rows' batch_args:
    n = 2, with 2 entries of `centers` and 10920 of `data` a row, gives 32768 // 10924 = 2
    rows per call; the answers are the centers, the same as with one call for all rows."""
    m = 7
    centers = np.arange(m, dtype=float)[:, None] * np.array([1.0, -0.5])
    data = np.ones((m, 10, 1092))
    sizes = []

    def fun(X, c, d):
        sizes.append(len(X))
        return np.sum((X - c) ** 2, axis=1) + 0.0 * d[:, 0, 0]

    def hess(X, c, d):
        return np.broadcast_to(2.0 * np.eye(2), (len(X), 2, 2))

    res = fastnewton.minimize_batch(fun, np.zeros((m, 2)), jac=lambda X, c, d: 2.0 * (X - c),
                                    hess=hess, batch_args=(centers, data))
    assert max(sizes) == 2 and sizes[0] == 2
    assert sum(sizes[:4]) == m                    # the first evaluation: blocks of 2, 2, 2, 1
    whole = fastnewton.minimize_batch(fun, np.zeros((m, 2)), jac=lambda X, c, d: 2.0 * (X - c),
                                      hess=hess, batch_args=(centers, data),
                                      options={"rows_per_call": m})
    np.testing.assert_array_equal(res.x, whole.x)
    np.testing.assert_allclose(res.x, centers, rtol=0, atol=1e-12)


@pytest.mark.parametrize("value", [0, -2, 2.5, True, "4"])
def test_rows_per_call_must_be_a_positive_integer(value):
    with pytest.raises(ValueError, match="rows_per_call must be a positive integer"):
        fastnewton.minimize_batch(lambda X: np.sum(X * X, axis=1), np.ones((2, 2)),
                                  jac=lambda X: 2 * X, options={"rows_per_call": value})
