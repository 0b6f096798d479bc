"""classify_critical_point and the certificate every result carries."""

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from fastnewton import _options
from fastnewton._banded import BandedHessian
from fastnewton._curvature import CriticalPoint, certify
from fastnewton._dense import DenseHessian
from fastnewton._derivatives import approx_hessian, approx_jacobian
from fastnewton._second_differences import second_difference_hessian

# trust-ncg sees only products; below this n its certificate spends n of them.
MAX_CERTIFICATE_PRODUCTS = 200


def _storage_for(matrix, bandwidth, n=None):
    """A storage holding `matrix` (dense n-by-n, or band (b+1, n) with `bandwidth`).

    `n`, when given, is the number of variables the matrix must match.
    """
    array = np.asarray(matrix)
    if np.iscomplexobj(array):
        raise TypeError("the Hessian must be real, got a complex array")
    array = array.astype(float)
    if not np.all(np.isfinite(array)):
        raise ValueError("the Hessian has non-finite entries")
    if n is not None and array.ndim == 2 and array.shape[-1] != n:
        raise ValueError("the Hessian must have %d columns (one per variable of x), got shape %s"
                         % (n, array.shape))
    if bandwidth is None:
        if array.ndim != 2 or array.shape[0] != array.shape[1] or array.shape[0] == 0:
            raise ValueError("the Hessian must be a square matrix of shape (n, n), got shape %s"
                             % (array.shape,))
        scale = max(np.abs(array).max(), np.finfo(float).tiny)
        if not np.allclose(array, array.T, rtol=0.0, atol=1e-8 * scale):
            raise ValueError("the Hessian must be symmetric")
        storage = DenseHessian(array.shape[0])
    else:
        bandwidth = _options.as_bandwidth(bandwidth)
        if array.ndim != 2 or array.shape[0] != bandwidth + 1 or array.shape[1] == 0:
            raise ValueError("with bandwidth=%d the Hessian must be LAPACK lower band storage of "
                             "shape (%d, n), got shape %s"
                             % (bandwidth, bandwidth + 1, array.shape))
        storage = BandedHessian(array.shape[1], bandwidth)
    if storage.load(array):
        raise ValueError("the Hessian has non-finite entries")
    return storage


def classify_critical_point(hess_or_fun: ArrayLike | Callable[..., Any],
                            x: ArrayLike | None = None, *,
                            jac: Callable[..., Any] | None = None,
                            hess: Callable[..., Any] | None = None, args: Any = (),
                            bandwidth: int | None = None, tol: float | None = None,
                            gtol: float = 1e-5) -> CriticalPoint:
    """Classify a point by the signs of the Hessian's eigenvalues.

    All eigenvalues positive: a minimum; all negative: a maximum; both signs:
    a saddle; otherwise (some within `tol` of zero) degenerate, where second
    derivatives alone cannot decide. Given a function, the gradient at `x`
    is checked first: where ‖∇f(x)‖₂ > `gtol`, x is no critical point and
    the kind is 'not critical' (the inertia is still reported).

    Parameters
    ----------
    hess_or_fun : array_like or callable
        A symmetric Hessian of shape (n, n) — or, with `bandwidth`, its
        LAPACK lower band storage of shape (b + 1, n) — or the objective
        ``fun(x, *args)``, whose Hessian at `x` is then taken from `hess`,
        from finite differences of `jac`, or (neither given) from central
        second differences of `fun` (step ε^¼·max(1, abs(x_j))).
    x : array_like, shape (n,), optional
        The point, required when `hess_or_fun` is callable.
    jac, hess : callable, optional
        Gradient and Hessian of `fun` (``hess`` returns band storage when
        `bandwidth` is given).
    args : tuple, optional
        Extra arguments for `fun`, `jac` and `hess`.
    bandwidth : int, optional
        Half-bandwidth b: the matrix is banded and handled in O(n·b²)
        without forming it (Sylvester inertia and bisection).
    tol : float, optional
        Eigenvalues with abs(λ) ≤ tol count as zero; default √ε·‖H‖∞.
    gtol : float, optional
        Largest gradient norm ‖∇f(x)‖₂ of a critical point (default 1e-5,
        `minimize`'s default); used only when a function is given.

    Returns
    -------
    CriticalPoint
        ``kind``, the inertia ``(n_positive, n_negative, n_zero)``, the
        smallest and largest eigenvalue, ``tol``, ``method`` and, when a
        function was given, ``gradient_norm`` (from `jac`, or from central
        differences of `fun`) and ``gtol``.

    Raises
    ------
    ValueError
        For a non-square, non-symmetric or non-finite Hessian, a bad band
        shape, a negative or NaN `tol` or `gtol`, or a callable without `x`.
    TypeError
        For arguments of the wrong type.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnewton import classify_critical_point
    >>> classify_critical_point(np.diag([5.0, -2.0])).kind
    'saddle'
    >>> f = lambda x: x[0] ** 2 + 3 * x[1] ** 2
    >>> classify_critical_point(f, [0.0, 0.0]).kind
    'minimum'
    >>> point = classify_critical_point(f, [1.0, 2.0])      # ∇f = (2, 12): not critical
    >>> point.kind, round(point.gradient_norm, 4)
    ('not critical', 12.1655)
    """
    if tol is not None:
        tol = _options.non_negative("tol", tol)
    gtol = _options.non_negative("gtol", gtol)
    gradient_norm = np.nan
    if callable(hess_or_fun):
        if x is None:
            raise ValueError("x is required when the first argument is a function")
        fun = hess_or_fun
        x = _options.as_start_point(x)
        args = _options.as_args(args)
        if hess is not None:
            if not callable(hess):
                raise TypeError("hess must be callable, got %s" % type(hess).__name__)
            matrix = hess(x.copy(), *args)
        elif callable(jac):
            matrix = approx_hessian(jac, x, args, "2-point", bandwidth=bandwidth,
                                    check_bandwidth=False)
        else:
            matrix, _ = second_difference_hessian(fun, x, None, args, None, True, bandwidth)
        gradient = (jac(x.copy(), *args) if callable(jac)
                    else approx_jacobian(fun, x, args, "3-point")[0])
        gradient_norm = float(np.linalg.norm(gradient))
    else:
        matrix = hess_or_fun
    point = certify(_storage_for(matrix, bandwidth, None if x is None else x.size),
                    -1.0 if tol is None else tol, False)
    point.gradient_norm = gradient_norm
    if callable(hess_or_fun):
        point.gtol = gtol
    return point


def certify_result(storage, gradient_norm):
    """The certificate a result carries: see the `critical_point` entry of `minimize`'s result.

    Cheap when the final Hessian is safely positive definite (one Cholesky
    factorization of H − tol·I); a full classification otherwise. For
    products-only Hessians it spends n products when n ≤ 200, else None.
    """
    storage = storage.as_factorable(MAX_CERTIFICATE_PRODUCTS)
    if storage is None:
        return None
    point = certify(storage)
    point.gradient_norm = gradient_norm
    return point


def certify_one(hess, bandwidth, gradient_norm):
    """The certificate of one batched problem's Hessian (dense, or band storage with
    `bandwidth`) as a result carries it; None when it has non-finite entries."""
    storage = (DenseHessian(hess.shape[1]) if bandwidth is None
               else BandedHessian(hess.shape[1], bandwidth))
    if storage.load(hess):
        return None
    point = certify(storage)
    point.gradient_norm = gradient_norm
    return point
