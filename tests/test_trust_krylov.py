"""trust-krylov (GLTR): the tridiagonal subproblem, the full subproblem, and end to end."""

import numpy as np
import pytest
import scipy.optimize
import scipy.sparse
from scipy.optimize import brentq
from scipy.sparse.linalg import aslinearoperator

import fastnewton
from fastnewton import problems as P
from fastnewton._dense import DenseHessian
from fastnewton._krylov import KrylovSubproblem, solve_subproblem, solve_tridiagonal


def reference_trust_region_step(H, g, radius):
    """min gᵀp + ½pᵀHp, ‖p‖ ≤ radius, from numpy.linalg.eigh (hard case included).

    Returns the step and the multiplier λ.
    """
    w, V = np.linalg.eigh(H)
    gt = V.T @ g
    if w[0] > 0:
        p = -np.linalg.solve(H, g)
        if np.linalg.norm(p) <= radius:
            return p, 0.0
    lam_low = max(0.0, -w[0])
    smallest = np.abs(w - w[0]) <= 1e-12 * max(1.0, np.abs(w).max())
    if np.all(np.abs(gt[smallest]) <= 1e-14 * max(1.0, np.linalg.norm(g))):
        # Possibly the hard case: the step at λ = −λ_min without the singular part.
        coefficients = np.zeros_like(gt)
        coefficients[~smallest] = -gt[~smallest] / (w[~smallest] + lam_low)
        length = np.linalg.norm(coefficients)
        if length <= radius:
            coefficients[np.argmax(smallest)] = np.sqrt(radius ** 2 - length ** 2)
            return V @ coefficients, lam_low

    def excess(lam):
        return np.linalg.norm(gt / (w + lam)) - radius

    upper = lam_low + np.linalg.norm(g) / radius + np.abs(w).max() + 1.0
    lower = lam_low + 1e-15 * max(1.0, upper)
    lam = brentq(excess, lower, upper, xtol=1e-15, rtol=1e-15, maxiter=500)
    return V @ (-gt / (w + lam)), lam


def model(H, g, p):
    return g @ p + 0.5 * p @ H @ p


def tridiagonal(diag, off):
    return np.diag(diag) + np.diag(off, 1) + np.diag(off, -1)


@pytest.mark.parametrize("seed", range(40))
def test_tridiagonal_subproblem_matches_dense_reference(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, 9))
    diag = rng.normal(size=k) + (2.0 if seed % 3 == 0 else 0.0)
    off = rng.uniform(0.1, 1.5, size=k - 1) * rng.choice([-1.0, 1.0], size=k - 1)
    grad0 = rng.normal()
    radius = float(rng.uniform(0.1, 3.0))
    T = tridiagonal(diag, off)
    g = np.zeros(k)
    g[0] = grad0
    h, lam, _ = solve_tridiagonal(diag, off, grad0, radius)
    p_ref, lam_ref = reference_trust_region_step(T, g, radius)
    assert np.linalg.norm(h) <= radius * (1 + 1e-9)
    assert model(T, g, h) <= model(T, g, p_ref) + 1e-9 * max(1.0, abs(model(T, g, p_ref)))
    np.testing.assert_allclose(h, p_ref, atol=1e-7 * max(1.0, radius))
    assert lam == pytest.approx(lam_ref, abs=1e-7 * max(1.0, lam_ref))


def test_tridiagonal_hard_case_between_blocks():
    # Two Lanczos blocks (zero coupling): the gradient lives in the first,
    # the most negative eigenvalue in the second.
    diag = np.array([2.0, 3.0, -1.5, 0.5])
    off = np.array([0.7, 0.0, 0.4])
    T = tridiagonal(diag, off)
    g = np.array([0.3, 0.0, 0.0, 0.0])
    radius = 2.0
    h, lam, hard = solve_tridiagonal(diag, off, g[0], radius)
    p_ref, lam_ref = reference_trust_region_step(T, g, radius)
    assert hard
    assert lam == pytest.approx(lam_ref, rel=1e-8)
    assert np.linalg.norm(h) == pytest.approx(radius, rel=1e-10)
    assert model(T, g, h) == pytest.approx(model(T, g, p_ref), rel=1e-9)
    # The hard-case step is unique up to the sign of the eigenvector part.
    np.testing.assert_allclose(h[:2], p_ref[:2], atol=1e-8)
    np.testing.assert_allclose(np.abs(h[2:]), np.abs(p_ref[2:]), atol=1e-6)


def test_tridiagonal_zero_gradient_steps_along_the_smallest_eigenvector():
    diag = np.array([1.0, -2.0, 3.0])
    off = np.array([0.5, 0.5])
    h, lam, hard = solve_tridiagonal(diag, off, 0.0, 0.75)
    w, V = np.linalg.eigh(tridiagonal(diag, off))
    assert hard
    assert lam == pytest.approx(-w[0], rel=1e-9)
    np.testing.assert_allclose(np.abs(h), 0.75 * np.abs(V[:, 0]), atol=1e-8)


def dense_storage(H):
    storage = DenseHessian(H.shape[0])
    storage.load(np.asfortranarray(H))
    return storage


def random_symmetric(n, eigenvalues, seed):
    Q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))
    return Q @ np.diag(eigenvalues) @ Q.T, Q


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("radius", [0.05, 0.5, 5.0])
def test_exact_subproblem_matches_dense_reference(seed, radius):
    n = 12
    rng = np.random.default_rng(100 + seed)
    eigenvalues = rng.uniform(-1.0, 4.0, n) if seed % 2 else rng.uniform(0.2, 4.0, n)
    H, _ = random_symmetric(n, eigenvalues, seed)
    g = rng.normal(size=n)
    p, lam, hard, _ = solve_subproblem(dense_storage(H), g, radius, inexact=False)
    p_ref, lam_ref = reference_trust_region_step(H, g, radius)
    assert np.linalg.norm(p) <= radius * (1 + 1e-8)
    np.testing.assert_allclose(p, p_ref, atol=1e-6 * max(1.0, radius))
    assert lam == pytest.approx(lam_ref, abs=1e-6 * max(1.0, lam_ref))


@pytest.mark.parametrize("seed", range(4))
def test_exact_subproblem_hard_case(seed):
    # g orthogonal to the eigenvector of the most negative eigenvalue: the
    # Krylov space of g never contains it, so only the restart finds it.
    n = 8
    eigenvalues = np.array([-2.0, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0])
    H, Q = random_symmetric(n, eigenvalues, seed)
    rng = np.random.default_rng(seed)
    coefficients = rng.uniform(0.5, 1.0, n)
    coefficients[0] = 0.0
    g = 0.1 * Q @ coefficients
    radius = 3.0
    p, lam, hard, _ = solve_subproblem(dense_storage(H), g, radius, inexact=False)
    p_ref, lam_ref = reference_trust_region_step(H, g, radius)
    assert hard
    assert lam == pytest.approx(2.0, rel=1e-8)
    assert lam_ref == pytest.approx(2.0, rel=1e-12)
    assert np.linalg.norm(p) == pytest.approx(radius, rel=1e-8)
    assert model(H, g, p) == pytest.approx(model(H, g, p_ref), rel=1e-8)
    # Unique up to the sign of the eigenvector component.
    np.testing.assert_allclose(np.abs(Q.T @ p), np.abs(Q.T @ p_ref), atol=1e-6)


def test_inexact_subproblem_decreases_at_least_as_much_as_the_cauchy_point():
    n = 30
    rng = np.random.default_rng(7)
    H, _ = random_symmetric(n, rng.uniform(-1.0, 10.0, n), 7)
    g = rng.normal(size=n)
    radius = 1.0
    p, _, _, _ = solve_subproblem(dense_storage(H), g, radius, inexact=True)
    curvature = g @ H @ g
    gnorm = np.linalg.norm(g)
    t = radius / gnorm if curvature <= 0 else min(gnorm ** 2 / curvature, radius / gnorm)
    assert np.linalg.norm(p) <= radius * (1 + 1e-10)
    assert model(H, g, p) <= model(H, g, -t * g) + 1e-12


def test_second_solve_at_the_same_point_reuses_the_lanczos_basis():
    # After a rejected step the driver solves again at the same point with a
    # smaller radius: the kept T_k and Q_k give the exact answer, and only a
    # failed residual test costs further products.
    n = 20
    rng = np.random.default_rng(3)
    H, _ = random_symmetric(n, rng.uniform(-1.0, 5.0, n), 3)
    g = rng.normal(size=n)
    storage = dense_storage(H)
    exact = KrylovSubproblem(n, 0, False)
    solve_subproblem(storage, g, 4.0, subproblem=exact)
    p, lam, _, steps = solve_subproblem(storage, g, 0.3, subproblem=exact)
    p_ref, lam_ref = reference_trust_region_step(H, g, 0.3)
    assert steps == n
    np.testing.assert_allclose(p, p_ref, atol=1e-8)
    assert lam == pytest.approx(lam_ref, rel=1e-8)
    inexact = KrylovSubproblem(n, 0, True)
    _, _, _, first = solve_subproblem(storage, g, 4.0, subproblem=inexact)
    p, _, _, second = solve_subproblem(storage, g, 0.3, subproblem=inexact)
    # Here the residual test still holds at the smaller radius: no new
    # products, and the step is the exact minimizer over the same Krylov space.
    assert second == first == 2
    basis, _ = np.linalg.qr(np.column_stack([g, H @ g]))
    h_ref, _ = reference_trust_region_step(basis.T @ H @ basis, basis.T @ g, 0.3)
    np.testing.assert_allclose(p, basis @ h_ref, atol=1e-10)


# ---------------------------------------------------------------------------
# End to end
# ---------------------------------------------------------------------------

def scipy_solution(problem, gtol):
    return scipy.optimize.minimize(problem.fun, problem.x0, method="trust-krylov",
                                   jac=problem.jac, hessp=problem.hessp,
                                   options={"gtol": gtol})


def assert_same_minimizer(problem, ours, theirs, gtol):
    """Ours converges where scipy does, to the same point (or a lower f); never worse."""
    np.testing.assert_allclose(ours.jac, problem.jac(ours.x))
    assert ours.fun == pytest.approx(problem.fun(ours.x))
    tolerance = 1e-8 * max(1.0, abs(theirs.fun))
    if not theirs.success:
        assert ours.fun <= theirs.fun + 1e-6 * max(1.0, abs(theirs.fun))
        return
    assert ours.success, ours.message
    assert np.linalg.norm(ours.jac) <= gtol
    assert ours.fun <= theirs.fun + tolerance
    if abs(ours.fun - theirs.fun) <= tolerance:
        # The same minimizer, to the accuracy its conditioning allows.
        eigenvalues = np.linalg.eigvalsh(problem.hess(ours.x))
        if eigenvalues[0] > 1e-6 * eigenvalues[-1]:
            distance = np.sqrt(2 * gtol * np.sqrt(problem.n) / eigenvalues[0])
            np.testing.assert_allclose(ours.x, theirs.x, atol=max(distance, 1e-7))


@pytest.mark.parametrize("problem", P.classic_problems(), ids=lambda p: f"{p.name}-{p.n}")
def test_same_minimizer_as_scipy(problem):
    gtol = 1e-8
    ours = fastnewton.minimize(problem.fun, problem.x0, method="trust-krylov", jac=problem.jac,
                               hessp=problem.hessp, options={"gtol": gtol})
    assert_same_minimizer(problem, ours, scipy_solution(problem, gtol), gtol)


# scipy's own trust-krylov warns of a NaN inside trlib on n = 2 near the solution.
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("n", [2, 10, 100])
def test_rosenbrock_through_scipy_minimize(n):
    problem = P.rosenbrock(n)
    res = scipy.optimize.minimize(problem.fun, problem.x0, method=fastnewton.trust_krylov,
                                  jac=problem.jac, hessp=problem.hessp, options={"gtol": 1e-9})
    theirs = scipy_solution(problem, 1e-9)
    assert res.success
    np.testing.assert_allclose(res.x, problem.x_min, atol=1e-7)
    np.testing.assert_allclose(res.x, theirs.x, atol=1e-6)
    assert res.nhev > 0 and res.njev == res.nit - res.n_rejected + 1


SOURCES = {
    "hessp": lambda p: dict(hessp=p.hessp),
    "ndarray": lambda p: dict(hess=p.hess),
    "csr": lambda p: dict(hess=lambda x: scipy.sparse.csr_matrix(p.hess(x))),
    "LinearOperator": lambda p: dict(hess=lambda x: aslinearoperator(p.hess(x))),
    "finite differences": lambda p: dict(),
    "band": lambda p: dict(hess=p.hess_band, options=dict(bandwidth=1)),
    "finite-difference band": lambda p: dict(options=dict(bandwidth=1)),
}


@pytest.mark.parametrize("method", ["trust-krylov", "newton-cg"])
@pytest.mark.parametrize("source", list(SOURCES))
def test_every_hessian_source(method, source):
    problem = P.rosenbrock(10)
    kwargs = SOURCES[source](problem)
    options = {"gtol": 1e-8, "xtol": 0.0} if method == "newton-cg" else {"gtol": 1e-8}
    options.update(kwargs.pop("options", {}))
    res = fastnewton.minimize(problem.fun, problem.x0, method=method, jac=problem.jac,
                              options=options, **kwargs)
    assert res.success, res.message
    np.testing.assert_allclose(res.x, problem.x_min, atol=1e-6)
    assert res.critical_point.kind == "minimum"


SADDLE_DERIVATIVES = {
    "hessp": dict(hessp=lambda x, p: np.array([2 * p[0], (-2 + 3 * x[1] ** 2) * p[1]])),
    "hess": dict(hess=lambda x: np.diag([2.0, -2.0 + 3 * x[1] ** 2])),
    "band": dict(hess=lambda x: np.array([[2.0, -2.0 + 3 * x[1] ** 2], [0.0, 0.0]]),
                 options=dict(bandwidth=1)),
}


@pytest.mark.parametrize("source", list(SADDLE_DERIVATIVES))
def test_escapes_an_exact_saddle(source):
    problem = P.saddle_quartic()
    kwargs = dict(SADDLE_DERIVATIVES[source])
    x0 = np.zeros(2)
    res = fastnewton.minimize(problem.fun, x0, method="trust-krylov", jac=problem.jac,
                              options={"gtol": 1e-10, **kwargs.pop("options", {})}, **kwargs)
    assert np.all(x0 == 0.0)
    assert res.success, res.message
    np.testing.assert_allclose(np.abs(res.x), [0.0, np.sqrt(2.0)], atol=1e-6)
    assert res.fun == pytest.approx(-1.0)
    assert res.critical_point.kind == "minimum"


def test_saddle_stays_without_escape_saddles():
    problem = P.saddle_quartic()
    res = fastnewton.minimize(problem.fun, np.zeros(2), method="trust-krylov", jac=problem.jac,
                              hess=problem.hess, options={"escape_saddles": False})
    assert res.nit == 0 and res.success
    np.testing.assert_array_equal(res.x, [0.0, 0.0])


def test_nonfinite_objective_mid_run_shrinks_the_radius():
    problem = P.rosenbrock(2)
    visited = []

    def fun(x):
        visited.append(x.copy())
        return np.nan if x[0] > 1.3 else problem.fun(x)

    res = fastnewton.minimize(fun, [-1.2, 1.0], method="trust-krylov", jac=problem.jac,
                              hessp=problem.hessp, options={"initial_trust_radius": 10.0})
    assert any(v[0] > 1.3 for v in visited)     # the NaN region was met
    assert res.success
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-5)


def test_nonfinite_hessian_product_stops_with_status_4():
    problem = P.rosenbrock(10)
    calls = [0]

    def hessp(x, p):
        calls[0] += 1
        return np.full(x.size, np.nan) if calls[0] > 5 else problem.hessp(x, p)

    res = fastnewton.minimize(problem.fun, problem.x0, method="trust-krylov", jac=problem.jac,
                              hessp=hessp)
    assert res.status == 4 and not res.success
    assert "non-finite" in res.message


def test_callback_error_propagates_and_x0_untouched():
    problem = P.rosenbrock(4)
    x0 = problem.x0
    before = x0.copy()

    def callback(xk):
        raise RuntimeError("from the callback")

    with pytest.raises(RuntimeError, match="from the callback"):
        fastnewton.trust_krylov(problem.fun, x0, jac=problem.jac, hessp=problem.hessp,
                                callback=callback)
    np.testing.assert_array_equal(x0, before)


@pytest.mark.parametrize("bad, error", [({"inexact": "yes"}, TypeError),
                                        ({"subproblem_maxiter": 0}, ValueError),
                                        ({"eta": 0.3}, ValueError)])
def test_bad_options_name_the_option(bad, error):
    problem = P.rosenbrock(2)
    name = next(iter(bad))
    with pytest.raises(error, match=name):
        fastnewton.minimize(problem.fun, problem.x0, method="trust-krylov", jac=problem.jac,
                            hessp=problem.hessp, options=bad)


def test_exact_and_capped_subproblems_still_converge():
    problem = P.rosenbrock(100)
    for options in ({"inexact": False}, {"subproblem_maxiter": 5}):
        res = fastnewton.minimize(problem.fun, problem.x0, method="trust-krylov",
                                  jac=problem.jac, hessp=problem.hessp,
                                  options={"gtol": 1e-8, "maxiter": 5000, **options})
        assert res.success, (options, res.message)
        # Rosenbrock n ≥ 4 also has a local minimum near (−1, 1, …, 1).
        minima = [problem.x_min] + [x for x, _ in problem.local_minima]
        assert min(np.abs(res.x - x).max() for x in minima) <= 1e-6
