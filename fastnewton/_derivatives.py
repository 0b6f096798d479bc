"""Public finite-difference helpers, computed by the same compiled code as `minimize`."""

from fastnewton import _options
from fastnewton._objective import finite_difference_hessian


def approx_hessian(jac, x, args=(), method="2-point", rel_step=None, bandwidth=None):
    """Approximate the Hessian by finite differences of the gradient.

    Column j is (∇f(x + h_j e_j) − ∇f(x)) / h_j ('2-point', n + 1 gradient
    calls) or (∇f(x + h_j e_j) − ∇f(x − h_j e_j)) / (2h_j) ('3-point', 2n + 1
    calls), with h_j = rel_step·max(1, |x_j|); the result is symmetrized,
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
        Half-bandwidth b of a banded Hessian (H[i, j] = 0 for |i − j| > b).
        Columns more than 2b apart are perturbed together (Curtis, Powell &
        Reid 1974), so the band costs 2b + 1 gradient calls ('2-point') or
        2(2b + 1) ('3-point') whatever n is.

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
    if not callable(jac):
        raise TypeError("jac must be callable, got %s" % type(jac).__name__)
    if method not in _options.FINITE_DIFFERENCE_SCHEMES:
        raise ValueError("method must be '2-point' or '3-point', got %r" % (method,))
    if rel_step is not None and not (isinstance(rel_step, (int, float)) and 0 < rel_step < 1):
        raise ValueError("rel_step must be a number in (0, 1), got %r" % (rel_step,))
    if bandwidth is not None:
        bandwidth = _options.as_bandwidth(bandwidth)
    return finite_difference_hessian(jac, _options.as_start_point(x), _options.as_args(args),
                                     method, rel_step, bandwidth)
