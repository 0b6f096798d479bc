"""Finite differences next to bounds: every differenced point stays inside the box.

The functions here raise if evaluated outside the box, so a single stray
point fails the test. Solutions are checked against scipy's L-BFGS-B (with
exact gradients) and against the KKT conditions; a bounded batch is checked
against `fastnewton.minimize` problem by problem, bit for bit.
"""

import numpy as np
import pytest
import scipy.optimize as so

import fastnewton


class OutsideBox(Exception):
    pass


def check_inside(X, lower, upper):
    if ((X < lower) | (X > upper)).any():
        raise OutsideBox("evaluated at a point outside the box")


# An entropy chain: f(x) = Σ x_i log x_i + c_i x_i + Σ (x_{i+1} − x_i)², tridiagonal
# Hessian diag(1/x) + 2·(graph Laplacian). Vectorized over rows; c, lower and upper
# are per-problem rows, so the box is known to the functions and they refuse to step out.

def chain_fun(X, c, lower, upper):
    check_inside(X, lower, upper)
    return (np.sum(X * np.log(X) + c * X, axis=-1)
            + np.sum(np.diff(X, axis=-1) ** 2, axis=-1))


def chain_jac(X, c, lower, upper):
    check_inside(X, lower, upper)
    d = np.diff(X, axis=-1)
    g = np.log(X) + 1.0 + c
    g[..., 1:] += 2.0 * d
    g[..., :-1] -= 2.0 * d
    return g


def chain_band(X, c, lower, upper):
    """Lower band storage, shape (..., 2, n)."""
    check_inside(X, lower, upper)
    n = X.shape[-1]
    degree = np.full(n, 4.0)
    degree[[0, -1]] = 2.0
    band = np.zeros(X.shape[:-1] + (2, n))
    band[..., 0, :] = 1.0 / X + degree
    band[..., 1, :-1] = -2.0
    return band


def chain_dense(X, c, lower, upper):
    band = chain_band(X, c, lower, upper)
    n = X.shape[-1]
    H = np.zeros(X.shape[:-1] + (n, n))
    i = np.arange(n)
    H[..., i, i] = band[..., 0, :]
    H[..., i[1:], i[:-1]] = H[..., i[:-1], i[1:]] = -2.0
    return H


def chain_batch(m, n, seed):
    """Per-problem data, boxes (some minimizers cut off above, some below) and starts."""
    rng = np.random.default_rng(seed)
    c = rng.uniform(-1.5, 3.0, (m, n))          # free minimizers near exp(−1 − c)
    lower = rng.uniform(0.04, 0.08, (m, n))
    upper = rng.uniform(0.4, 0.6, (m, n))
    x0 = rng.uniform(lower, upper)
    x0[:, 0] = upper[:, 0]                      # a start on a bound
    return c, lower, upper, x0


SCHEMES = [("jac", "2-point"), ("jac", "3-point"), ("hess", "2-point"), ("hess", "3-point")]


@pytest.mark.parametrize("method", ["trust-exact", "newton"])
@pytest.mark.parametrize("bandwidth", [None, 1])
@pytest.mark.parametrize("differenced, scheme", SCHEMES)
def test_bounded_batch_differences_are_minimize_problem_by_problem(method, bandwidth,
                                                                   differenced, scheme):
    m, n = 8, 5
    c, lower, upper, x0 = chain_batch(m, n, 3)
    hess = chain_band if bandwidth is not None else chain_dense
    jac_arg = scheme if differenced == "jac" else chain_jac
    hess_arg = scheme if differenced == "hess" else hess
    options = {} if bandwidth is None else {"bandwidth": bandwidth}
    res = fastnewton.minimize_batch(chain_fun, x0, method=method, jac=jac_arg, hess=hess_arg,
                                    bounds=so.Bounds(lower, upper),
                                    batch_args=(c, lower, upper), options=dict(options))
    assert res.success.all()
    assert (res.active_mask == 1).any() and (res.active_mask == -1).any()
    for i in range(m):
        data = (c[i], lower[i], upper[i])
        one = fastnewton.minimize(
            chain_fun, x0[i], args=data, method=method,
            jac=scheme if differenced == "jac" else chain_jac,
            hess=scheme if differenced == "hess" else hess,
            bounds=so.Bounds(lower[i], upper[i]), options=dict(options))
        np.testing.assert_array_equal(res.x[i], one.x)
        assert (res.nit[i], res.nfev[i], res.njev[i], res.nhev[i]) == (
            one.nit, one.nfev, one.njev, one.nhev)
        np.testing.assert_array_equal(res.active_mask[i], one.active_mask)
        # Against an independent solver with exact gradients.
        ref = so.minimize(chain_fun, x0[i], args=data, jac=chain_jac, method="L-BFGS-B",
                          bounds=so.Bounds(lower[i], upper[i]),
                          options=dict(ftol=1e-15, gtol=1e-12, maxiter=5000))
        np.testing.assert_allclose(res.x[i], ref.x, atol=1e-6)
