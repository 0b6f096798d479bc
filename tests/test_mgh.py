"""Tests for the Moré–Garbow–Hillstrom set (fastnewton.problems.mgh).

Derivatives are checked against fourth-order central differences, the
minimum values against the minimizers known in closed form, against the
six digits printed in the paper and against scipy's own solvers.
"""

import math

import numpy as np
import pytest
import scipy.optimize as so

from fastnewton import problems as P
from reference_derivatives import central_difference

NUMBERS = range(1, 36)

# f* as printed in Moré, Garbow & Hillstrom (1981), six digits, for the
# problems whose minimum is neither zero nor in closed form.
PAPER_F_MIN = {
    6: 124.362, 8: 8.21487e-3, 9: 1.12793e-8, 10: 87.9458, 15: 3.07505e-4,
    16: 85822.2, 17: 5.46489e-5, 19: 4.01377e-2, 20: 2.28767e-3,
    23: 7.08765e-5, 24: 2.93660e-4, 35: 3.51687e-3,
}


def _fd_step(x, i):
    # Relative steps, but not above 1e-2 of a small coordinate: Osborne 1
    # multiplies x4 = 0.01 by t = 320, so a step of 1e-3 would be too coarse.
    return 1e-4 * max(1e-2, abs(x[i]))


def _fd_gradient(prob, x):
    return np.array([central_difference(prob.fun, x, i, _fd_step(x, i))
                     for i in range(prob.n)])


def _fd_hessian(prob, x):
    return np.column_stack([central_difference(prob.jac, x, i, _fd_step(x, i))
                            for i in range(prob.n)])


def _points(prob, seed):
    """x0, a perturbation of it, and a point between x0 and a minimizer."""
    rng = np.random.default_rng(seed)
    x0 = prob.x0
    scale = 0.1 * np.maximum(1.0, np.abs(x0))
    target = prob.minimizers[0] if prob.minimizers else np.zeros(prob.n)
    return [x0, x0 + scale * rng.standard_normal(prob.n),
            0.5 * (x0 + target) + 0.05 * scale * rng.standard_normal(prob.n)]


def _rel_err(approx, exact):
    return np.linalg.norm(approx - exact) / max(np.linalg.norm(exact), 1.0)


# ---------------------------------------------------------------------------

def test_the_set():
    probs = P.mgh_problems()
    assert len(probs) == 35 == len(P.MGH_NAMES)
    assert [p.name for p in probs] == list(P.MGH_NAMES)
    assert all(isinstance(p, P.TestProblem) for p in probs)
    assert [p.n for p in probs] == [2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4,
                                    4, 4, 5, 6, 11, 6, 10, 12, 10, 10, 10, 10,
                                    10, 10, 10, 10, 10, 10, 10, 10, 8]
    assert P.mgh("biggs_exp6").notes.startswith("MGH 18")


@pytest.mark.parametrize("start", [10, 100])
def test_starts_scale_x0(start):
    for base, far in zip(P.mgh_problems(), P.mgh_problems(start)):
        np.testing.assert_array_equal(far.x0, start * base.x0)
        assert far.f_min == base.f_min and far.name == base.name


def test_existing_problems_are_reused():
    # Where fastnewton.problems has the function, MGH uses the same one.
    pairs = [(1, P.rosenbrock(2)), (2, P.freudenstein_roth()),
             (4, P.brown_badly_scaled()), (5, P.beale()),
             (7, P.helical_valley()), (13, P.powell_singular()),
             (14, P.wood()), (21, P.extended_rosenbrock(10)),
             (22, P.extended_powell(12)), (26, P.trigonometric(10)),
             (30, P.broyden_tridiagonal(10))]
    for number, classic in pairs:
        p = P.mgh(number)
        assert p.fun is classic.fun and p.jac is classic.jac
        np.testing.assert_array_equal(p.x0, classic.x0)
        np.testing.assert_array_equal(p.hess(p.x0), classic.hess(p.x0))


def test_names_and_numbers_agree():
    for k, name in enumerate(P.MGH_NAMES, start=1):
        np.testing.assert_array_equal(P.mgh(name).x0, P.mgh(k).x0)


@pytest.mark.parametrize("problem, start, error, name", [
    (0, 1, ValueError, "problem"), (36, 1, ValueError, "problem"),
    ("rosenbrok", 1, ValueError, "problem"), (1.0, 1, TypeError, "problem"),
    (True, 1, TypeError, "problem"), (None, 1, TypeError, "problem"),
    (1, 2, ValueError, "start"), (1, True, ValueError, "start"),
    (1, "10", ValueError, "start"),
])
def test_bad_arguments(problem, start, error, name):
    with pytest.raises(error, match=name):
        P.mgh(problem, start)


@pytest.mark.parametrize("number", NUMBERS)
def test_derivatives_match_finite_differences(number):
    prob = P.mgh(number)
    for x in _points(prob, seed=number):
        before = x.copy()
        f = prob.fun(x)
        assert isinstance(f, float) and math.isfinite(f)
        g = prob.jac(x)
        h = prob.hess(x)
        np.testing.assert_array_equal(x, before)        # inputs untouched
        assert g.shape == (prob.n,) and h.shape == (prob.n, prob.n)
        np.testing.assert_allclose(h, h.T, rtol=1e-12, atol=1e-12 * np.abs(h).max())
        # 1e-6: Brown badly scaled has f = 1e12 at x0, so the rounding
        # error of the differences of f alone is near 1e-6 of its gradient.
        assert _rel_err(_fd_gradient(prob, x), g) < 1e-6, number
        assert _rel_err(_fd_hessian(prob, x), h) < 1e-6, number


@pytest.mark.parametrize("number", NUMBERS)
def test_f_min_at_known_minimizers(number):
    prob = P.mgh(number)
    for x in prob.minimizers:
        assert prob.fun(x) == pytest.approx(prob.f_min, rel=1e-12, abs=1e-20)
        assert np.linalg.norm(prob.jac(x)) <= 1e-10 * max(1.0, prob.f_min)
    for x, f in prob.local_minima:
        assert prob.fun(x) == pytest.approx(f, rel=1e-12)
        assert f > prob.f_min
        assert np.linalg.norm(prob.jac(x)) <= 1e-10
        # A minimum, not a saddle: no negative curvature there.
        assert np.linalg.eigvalsh(prob.hess(x)).min() >= -1e-8 * max(1.0, f)


def test_closed_form_minima():
    # Linear least squares: the minimum from numpy's lstsq on the residuals
    # r(x) = r(0) + J x, J from a central difference of r along each axis.
    m = 20
    for number, formula in [(32, m - 10.0),
                            (33, m * (m - 1) / (2 * (2 * m + 1))),
                            (34, (m * m + 3 * m - 6) / (2 * (2 * m - 3)))]:
        prob = P.mgh(number)
        assert prob.f_min == pytest.approx(formula, rel=1e-14)
        x0 = np.zeros(prob.n)
        g0, h = prob.jac(x0), prob.hess(x0)
        x = np.linalg.lstsq(h, -g0, rcond=None)[0]
        assert prob.fun(x) == pytest.approx(formula, rel=1e-10)
    # Brown almost-linear: zero at x = 1, local minimum 1 at (0, ..., 0, 11).
    prob = P.mgh(27)
    assert prob.fun(np.ones(10)) == 0.0
    assert [f for _, f in prob.local_minima] == [1.0]


@pytest.mark.parametrize("number", sorted(PAPER_F_MIN))
def test_f_min_agrees_with_the_paper(number):
    assert P.mgh(number).f_min == pytest.approx(PAPER_F_MIN[number], rel=1e-5)


# scipy's trust-exact tries trial points where Osborne 1 overflows.
@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
@pytest.mark.parametrize("number", NUMBERS)
def test_f_min_reached_by_scipy(number):
    prob = P.mgh(number)
    res = so.minimize(prob.fun, prob.x0, method="trust-exact", jac=prob.jac,
                      hess=prob.hess, options={"gtol": 1e-10, "maxiter": 2000})
    lowest = [prob.f_min] + [f for _, f in prob.local_minima]
    # The paper's value is a minimum: scipy ends at or (rounding) above it,
    # at the global one or at a recorded local one.
    assert res.fun >= prob.f_min - 1e-12 * max(1.0, prob.f_min)
    assert min(abs(res.fun - f) for f in lowest) <= 1e-8 * max(1.0, prob.f_min)


def test_trigonometric_local_minimum_is_the_listed_one():
    # gonum's test set lists it at this point (nine digits quoted there to
    # about 1e-8); scipy's trust-exact ends at it from the standard start.
    listed = np.array([0.0551509043, 0.0568406173, 0.0587640023, 0.0609906089,
                       0.0636262138, 0.0668431809, 0.2081615177, 0.1643630960,
                       0.0850068970, 0.0914314539])
    (x, f), = P.mgh("trigonometric").local_minima
    np.testing.assert_allclose(x, listed, atol=1e-8)
    assert f == pytest.approx(2.795056121876575e-05, rel=1e-9)
    assert f > 0.0 == P.mgh("trigonometric").f_min
    assert np.linalg.eigvalsh(P.mgh("trigonometric").hess(x)).min() > 0.05
    res = so.minimize(P.mgh(26).fun, P.mgh(26).x0, method="trust-exact",
                      jac=P.mgh(26).jac, hess=P.mgh(26).hess, options={"gtol": 1e-10})
    np.testing.assert_allclose(res.x, x, atol=1e-7)


def test_biggs_second_value():
    # The paper's second value for Biggs EXP6, f = 5.65565e-3, is recorded
    # as a local minimum (large x2; f rises in every direction sampled) and
    # is also the value at a saddle with x1 = x5 and x3 = x6, which Newton's
    # method on the gradient finds (least-squares steps: H is singular along
    # x3 - x6).
    prob = P.mgh(18)
    x = np.array([1.7114, 17.683, 1.1631, 5.1866, 1.7114, 1.1631])
    for _ in range(30):
        x -= np.linalg.lstsq(prob.hess(x), prob.jac(x), rcond=1e-12)[0]
    assert np.linalg.norm(prob.jac(x)) < 1e-12
    assert prob.fun(x) == pytest.approx(5.65565e-3, rel=1e-5)
    assert np.linalg.eigvalsh(prob.hess(x))[0] < -1e-3
    (x_local, f_local), = prob.local_minima
    assert f_local == pytest.approx(5.65565e-3, rel=1e-5)
    rng = np.random.default_rng(18)
    for scale in (1e-4, 1e-2):
        steps = scale * rng.standard_normal((200, 6))
        assert min(prob.fun(x_local + d) for d in steps) >= f_local
