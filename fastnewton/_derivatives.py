"""Public finite-difference helpers, computed by the same compiled code as `minimize`."""

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from fastnewton import _band_check, _options
from fastnewton._jacobian import finite_difference_jacobian
from fastnewton._differences import finite_difference_hessian


def _check_scheme(name, function, method, rel_step):
    """Validate the function, the difference scheme and the relative step of a helper."""
    if not callable(function):
        raise TypeError("%s must be callable, got %s" % (name, type(function).__name__))
    if method not in _options.FINITE_DIFFERENCE_SCHEMES:
        raise ValueError("method must be '2-point' or '3-point', got %r" % (method,))
    if rel_step is not None and not (isinstance(rel_step, (int, float)) and 0 < rel_step < 1):
        raise ValueError("rel_step must be a number in (0, 1), got %r" % (rel_step,))


def approx_hessian(jac: Callable[..., Any], x: ArrayLike, args: Any = (),
                   method: str = "2-point", rel_step: float | None = None,
                   bandwidth: int | None = None,
                   check_bandwidth: bool = True) -> NDArray[np.float64]:
    """Approximate the Hessian by finite differences of the gradient.

    Column j is (∇f(x + h_j e_j) − ∇f(x)) / h_j ('2-point', n + 1 gradient
    calls) or (∇f(x + h_j e_j) − ∇f(x − h_j e_j)) / (2h_j) ('3-point', 2n + 1
    calls), with h_j = rel_step·max(1, abs(x_j)); the result is symmetrized,
    (H + Hᵀ)/2.

    Parameters
    ----------
    jac : callable
        ``jac(x, *args) -> (n,)``, the gradient.
    x : array_like, shape (n,)
        Where to differentiate.
    args : tuple, optional
        Extra arguments for `jac`.
    method : {'2-point', '3-point'}, optional
        Forward or central differences.
    rel_step : float, optional
        Relative step; default √ε for '2-point' and ∛ε for '3-point'.
    bandwidth : int, optional
        Half-bandwidth b of a banded Hessian (H[i, j] = 0 for abs(i − j) > b).
        Columns more than 2b apart are perturbed together (Curtis, Powell &
        Reid 1974), so the band costs 2b + 1 gradient calls ('2-point') or
        2(2b + 1) ('3-point') whatever n is.
    check_bandwidth : bool, optional
        With `bandwidth`, compare the band's product with a random ±1
        direction against a central difference of `jac` along it (2 more
        gradient calls) and warn if they disagree.

    Returns
    -------
    ndarray
        Shape (n, n), the symmetric Hessian approximation; with `bandwidth`,
        shape (b + 1, n), its LAPACK lower band storage
        ``hess_band[k, j] = H[j + k, j]`` (as `scipy.linalg.solveh_banded`
        takes with ``lower=True``).

    Raises
    ------
    TypeError
        If `jac` is not callable.
    ValueError
        For a bad `method` or `rel_step`, a non-finite `x`, or a gradient of
        the wrong shape.

    Warns
    -----
    BandwidthWarning
        When `check_bandwidth` finds curvature outside the declared band.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnewton import approx_hessian
    >>> H = approx_hessian(lambda x: np.array([2 * x[0] * x[1], x[0] ** 2]), [1.0, 2.0])
    >>> np.allclose(H, [[4.0, 2.0], [2.0, 0.0]], atol=1e-6)
    True
    >>> band = approx_hessian(lambda x: np.array([2 * x[0] * x[1], x[0] ** 2]), [1.0, 2.0],
    ...                       bandwidth=1)
    >>> np.allclose(band, [[4.0, 0.0], [2.0, 0.0]], atol=1e-6)
    True
    """
    _check_scheme("jac", jac, method, rel_step)
    if bandwidth is not None:
        bandwidth = _options.as_bandwidth(bandwidth)
    x = _options.as_start_point(x)
    args = _options.as_args(args)
    hessian = finite_difference_hessian(jac, x, args, method, rel_step, bandwidth)
    if bandwidth is not None and check_bandwidth:
        _band_check.check_bandwidth(lambda point: jac(point, *args), x, hessian)
    return hessian


def approx_jacobian(fun: Callable[..., Any], x: ArrayLike, args: Any = (),
                    method: str = "2-point", rel_step: float | None = None,
                    bandwidth: tuple[int, int] | None = None) -> NDArray[np.float64]:
    """Approximate the Jacobian of a vector function by finite differences.

    For f: ℝⁿ → ℝᵐ, column j of J is (f(x + h_j e_j) − f(x)) / h_j
    ('2-point', n + 1 calls) or (f(x + h_j e_j) − f(x − h_j e_j)) / (2h_j)
    ('3-point', 2n + 1 calls), with h_j = rel_step·max(1, abs(x_j)). The
    Jacobian of a composition is the product of the Jacobians (the chain rule
    behind backpropagation); see the example.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> array_like`` of shape (m,).
    x : array_like, shape (n,)
        Where to differentiate.
    args : tuple, optional
        Extra arguments for `fun`.
    method : {'2-point', '3-point'}, optional
        Forward or central differences.
    rel_step : float, optional
        Relative step; default √ε for '2-point' and ∛ε for '3-point'.
    bandwidth : tuple of two ints, optional
        ``(lower, upper)``: J[i, j] = 0 unless −upper ≤ i − j ≤ lower. Then
        columns more than lower + upper apart are perturbed together (Curtis,
        Powell & Reid 1974): lower + upper + 1 calls ('2-point') whatever n.

    Returns
    -------
    ndarray
        Shape (m, n); with `bandwidth`, the general band storage of shape
        (lower + upper + 1, n) with ``ab[upper + i - j, j] = J[i, j]``, the
        layout `scipy.linalg.solve_banded((lower, upper), ab, b)` takes.

    Raises
    ------
    TypeError
        If `fun` is not callable or `bandwidth` is not a pair of integers.
    ValueError
        For a bad `method` or `rel_step`, a non-finite `x`, negative
        bandwidths, or a `fun` whose output length changes.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnewton import approx_jacobian
    >>> g = lambda x: np.array([x[0] * x[1], np.sin(x[0])])       # ℝ² → ℝ²
    >>> h = lambda y: np.array([y[0] + y[1] ** 2])                 # ℝ² → ℝ¹
    >>> x = np.array([0.5, 2.0])
    >>> chain = approx_jacobian(h, g(x)) @ approx_jacobian(g, x)
    >>> np.allclose(approx_jacobian(lambda x: h(g(x)), x), chain, atol=1e-6)
    True
    """
    _check_scheme("fun", fun, method, rel_step)
    lower = upper = -1
    if bandwidth is not None:
        if not (isinstance(bandwidth, (tuple, list)) and len(bandwidth) == 2):
            raise TypeError("bandwidth must be a pair (lower, upper), got %r" % (bandwidth,))
        lower, upper = (_options.as_bandwidth(b) for b in bandwidth)
    jacobian, _ = finite_difference_jacobian(fun, _options.as_start_point(x),
                                             _options.as_args(args), method == "3-point",
                                             rel_step, lower, upper)
    return jacobian
