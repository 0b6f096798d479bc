"""Newton-CG: against scipy's Newton-CG, its options, and its failure modes.

The Hessian sources are covered in test_trust_krylov.test_every_hessian_source.
"""

import numpy as np
import pytest
import scipy.optimize

import fastnewton
from fastnewton import problems as P
from test_trust_krylov import assert_same_minimizer


def scipy_solution(problem, xtol):
    return scipy.optimize.minimize(problem.fun, problem.x0, method="Newton-CG",
                                   jac=problem.jac, hessp=problem.hessp,
                                   options={"xtol": xtol, "maxiter": 200 * problem.n})


@pytest.mark.parametrize("problem", P.classic_problems(), ids=lambda p: f"{p.name}-{p.n}")
def test_same_minimizer_as_scipy(problem):
    gtol = 1e-8
    ours = fastnewton.minimize(problem.fun, problem.x0, method="Newton-CG", jac=problem.jac,
                               hessp=problem.hessp, options={"gtol": gtol, "xtol": 0.0})
    assert_same_minimizer(problem, ours, scipy_solution(problem, 1e-12), gtol)


@pytest.mark.parametrize("n", [2, 10, 100])
def test_rosenbrock_through_scipy_minimize(n):
    problem = P.rosenbrock(n)
    res = scipy.optimize.minimize(problem.fun, problem.x0, method=fastnewton.newton_cg,
                                  jac=problem.jac, hessp=problem.hessp,
                                  options={"xtol": 1e-10})
    theirs = scipy_solution(problem, 1e-10)
    assert res.success
    np.testing.assert_allclose(res.x, problem.x_min, atol=1e-7)
    np.testing.assert_allclose(res.x, theirs.x, atol=1e-6)
    # Every hessp call is a CG product, but for the n of the certificate.
    assert res.nhev == res.n_cg_iterations + n


def test_xtol_is_scipys_average_step_test():
    problem = P.rosenbrock(10)
    steps = []
    res = fastnewton.minimize(problem.fun, problem.x0, method="Newton-CG", jac=problem.jac,
                              hessp=problem.hessp,
                              options={"xtol": 1e-3, "gtol": 0.0, "return_all": True})
    steps = np.abs(np.diff(np.array(res.allvecs), axis=0)).mean(axis=1)
    assert res.success and "xtol" in res.message
    assert steps[-1] <= 1e-3 and np.all(steps[:-1] > 1e-3)


def test_gtol_stops_first_when_xtol_is_zero():
    problem = P.rosenbrock(10)
    res = fastnewton.minimize(problem.fun, problem.x0, method="Newton-CG", jac=problem.jac,
                              hessp=problem.hessp, options={"xtol": 0.0, "gtol": 1e-6})
    assert res.success and "gradient" in res.message
    assert np.linalg.norm(problem.jac(res.x)) <= 1e-6


def test_negative_curvature_on_the_first_cg_iteration_steps_along_minus_g():
    # At (0, y) with |y| small the Hessian is diag(2, −2 + 3y²); from a point
    # whose gradient points along y only, the first CG direction −g has
    # negative curvature, so the direction is −g and the line search goes
    # down the valley to a minimum.
    problem = P.saddle_quartic()
    res = fastnewton.minimize(problem.fun, [0.0, 0.1], method="Newton-CG", jac=problem.jac,
                              hessp=problem.hessp, options={"xtol": 0.0, "return_all": True})
    assert res.success
    np.testing.assert_allclose(res.x, [0.0, np.sqrt(2.0)], atol=1e-7)
    first_step = res.allvecs[1] - res.allvecs[0]
    g0 = problem.jac(np.array([0.0, 0.1]))
    cosine = first_step @ -g0 / (np.linalg.norm(first_step) * np.linalg.norm(g0))
    assert cosine == pytest.approx(1.0)


def test_exact_saddle_is_reported_not_escaped():
    problem = P.saddle_quartic()
    res = fastnewton.minimize(problem.fun, [0.0, 0.0], method="Newton-CG", jac=problem.jac,
                              hessp=problem.hessp)
    assert res.status == 5 and not res.success
    assert res.critical_point.kind == "saddle"


@pytest.mark.parametrize("eps", [1e-8, 1e-6])
def test_eps_sets_the_finite_difference_step(eps):
    # The first product is H(x0)·(−g): the gradient is then taken at
    # x0 + h·v with h = eps·(1 + ‖x0‖)/‖v‖, a point eps·(1 + ‖x0‖) away.
    problem = P.rosenbrock(10)
    points = []

    def jac(x):
        points.append(x.copy())
        return problem.jac(x)

    x0 = problem.x0
    fastnewton.minimize(problem.fun, x0, method="Newton-CG", jac=jac,
                        options={"eps": eps, "maxiter": 1})
    np.testing.assert_array_equal(points[0], x0)
    assert np.linalg.norm(points[1] - x0) == pytest.approx(eps * (1 + np.linalg.norm(x0)),
                                                           rel=1e-6)


def test_workers_is_accepted():
    problem = P.rosenbrock(2)
    res = fastnewton.minimize(problem.fun, problem.x0, method="Newton-CG", jac=problem.jac,
                              options={"workers": map})
    assert res.success


def test_nonfinite_objective_mid_run_is_handled_by_the_line_search():
    problem = P.rosenbrock(2)
    met = [False]

    def fun(x):
        if x[0] > 1.3:
            met[0] = True
            return np.inf
        return problem.fun(x)

    res = fastnewton.minimize(fun, [-1.2, 1.0], method="Newton-CG", jac=problem.jac,
                              hessp=problem.hessp, options={"xtol": 0.0})
    assert res.success
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-6)


def test_nonfinite_hessian_product_stops_with_status_4():
    problem = P.rosenbrock(10)
    calls = [0]

    def hessp(x, p):
        calls[0] += 1
        return np.full(x.size, np.nan) if calls[0] > 5 else problem.hessp(x, p)

    res = fastnewton.minimize(problem.fun, problem.x0, method="Newton-CG", jac=problem.jac,
                              hessp=hessp)
    assert res.status == 4 and not res.success


@pytest.mark.parametrize("bad, error", [({"xtol": -1.0}, ValueError),
                                        ({"eps": 0.0}, ValueError),
                                        ({"c1": 0.9, "c2": 0.5}, ValueError),
                                        ({"maxiter": 1.5}, TypeError)])
def test_bad_options_name_the_option(bad, error):
    problem = P.rosenbrock(2)
    with pytest.raises(error, match=next(iter(bad))):
        fastnewton.minimize(problem.fun, problem.x0, method="Newton-CG", jac=problem.jac,
                            hessp=problem.hessp, options=bad)


def test_callback_and_disp(capsys):
    problem = P.rosenbrock(2)
    seen = []
    res = fastnewton.newton_cg(problem.fun, problem.x0, jac=problem.jac, hessp=problem.hessp,
                               callback=lambda xk: seen.append(xk.copy()), disp=True)
    assert len(seen) == res.nit
    np.testing.assert_array_equal(seen[-1], res.x)
    assert "alpha" in capsys.readouterr().out


def test_callback_stop_iteration():
    problem = P.rosenbrock(10)

    def callback(intermediate_result):
        if intermediate_result.nit == 3:
            raise StopIteration

    res = fastnewton.minimize(problem.fun, problem.x0, method="Newton-CG", jac=problem.jac,
                              hessp=problem.hessp, callback=callback)
    assert res.status == 99 and res.nit == 3


def test_leaves_the_saddle_region_of_wood():
    # Wood's function has a stationary point near f = 7.88 whose region
    # slows truncated Newton to a crawl when every trial step is predicted
    # from the last (tiny) decrease; starting from 1 after a negative-
    # curvature stop carries it through to the minimizer (1, 1, 1, 1).
    problem = P.wood()
    res = fastnewton.minimize(problem.fun, problem.x0, method="Newton-CG", jac=problem.jac,
                              hessp=problem.hessp, options={"gtol": 1e-8, "xtol": 0.0})
    assert res.success
    np.testing.assert_allclose(res.x, np.ones(4), atol=1e-8)
    assert res.fun <= 1e-16
