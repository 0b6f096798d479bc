"""Taylor models: value, slope and curvature at a point as a callable local model."""

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from fastnewton import _options
from fastnewton._band_check import band_matvec
from fastnewton._derivatives import approx_hessian, approx_jacobian
from fastnewton._second_differences import second_difference_hessian


class TaylorModel:
    """The order-0, 1 or 2 Taylor model of f at x0.

    m(x) = f(x0) + ∇f(x0)ᵀΔ + ½ΔᵀH(x0)Δ with Δ = x − x0, truncated after the
    term of the model's order (value, slope, curvature).

    Attributes
    ----------
    x0 : ndarray, shape (n,)
        The expansion point (a copy).
    order : int
        0, 1 or 2.
    value : float
        f(x0).
    gradient : ndarray, shape (n,), or None
        ∇f(x0) (None for order 0).
    hessian : ndarray or None
        H(x0): shape (n, n), or LAPACK lower band storage (b + 1, n) when
        `bandwidth` is set (None below order 2).
    bandwidth : int or None
        Half-bandwidth of `hessian` when banded.
    """

    def __init__(self, x0: NDArray[np.float64], order: int, value: float,
                 gradient: NDArray[np.float64] | None, hessian: NDArray[np.float64] | None,
                 bandwidth: int | None) -> None:
        self.x0, self.order, self.value = x0, order, value
        self.gradient, self.hessian, self.bandwidth = gradient, hessian, bandwidth

    def curvature_product(self, step: NDArray[np.float64]) -> NDArray[np.float64]:
        """H(x0) @ step for the model's Hessian (dense or band), shape (n,)."""
        if self.hessian is None:
            raise ValueError("a Taylor model of order %d has no curvature term" % self.order)
        if self.bandwidth is None:
            return self.hessian @ step
        return band_matvec(self.hessian, step)

    def predicted_change(self, step: ArrayLike) -> float:
        """m(x0 + step) − f(x0): the change the model predicts for a step.

        Parameters
        ----------
        step : array_like, shape (n,)

        Returns
        -------
        float
        """
        step = np.asarray(step, dtype=float)
        if step.shape != self.x0.shape:
            raise ValueError("step must have shape %s, got %s" % (self.x0.shape, step.shape))
        change = 0.0
        if self.order >= 1:
            change += float(self.gradient @ step)
        if self.order >= 2:
            change += 0.5 * float(step @ self.curvature_product(step))
        return change

    def __call__(self, x: ArrayLike) -> Any:
        """The model's value at x, shape (n,) (or at each row of an (m, n) array)."""
        x = np.asarray(x, dtype=float)
        if x.ndim == 2:
            return np.array([self(row) for row in x])
        return self.value + self.predicted_change(x - self.x0)

    def __repr__(self) -> str:
        return "TaylorModel(order=%d, n=%d, value=%.6g)" % (self.order, self.x0.size, self.value)


def taylor(fun: Callable[..., Any], x0: ArrayLike, order: int = 2,
           jac: Callable[..., Any] | None = None, hess: Callable[..., Any] | None = None,
           args: Any = (), bandwidth: int | None = None) -> TaylorModel:
    """Build the Taylor model of `fun` at `x0`: value, slope and curvature.

    f(x0 + Δ) ≈ f(x0) + ∇f(x0)ᵀΔ + ½ΔᵀH(x0)Δ; `order` keeps the terms up to
    the value (0), the slope (1) or the curvature (2).

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> float``.
    x0 : array_like, shape (n,)
        The expansion point.
    order : {0, 1, 2}, optional
        How many terms to keep (default 2).
    jac : callable, optional
        ``jac(x, *args) -> (n,)``; default: central differences of `fun`
        (compiled, 2n calls).
    hess : callable, optional
        ``hess(x, *args)`` returning (n, n), or band storage (b + 1, n) with
        `bandwidth`; default: central differences of `jac` (compiled: 2n
        gradient calls dense, 2(2b + 1) banded), or without `jac` central
        second differences of `fun` (compiled: n(n + 1) calls dense,
        2n(b + 1) banded).
    args : tuple, optional
        Extra arguments for `fun`, `jac` and `hess`.
    bandwidth : int, optional
        Half-bandwidth b of a banded Hessian; the model then stores and
        multiplies by the band only.

    Returns
    -------
    TaylorModel
        Callable: ``model(x)`` is the model's value at x; also
        ``model.value``, ``model.gradient``, ``model.hessian`` and
        ``model.predicted_change(step)``.

    Raises
    ------
    TypeError
        If `fun` (or a given `jac`/`hess`) is not callable.
    ValueError
        For a bad `order`, a non-finite `x0`, or derivatives of the wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnewton import taylor
    >>> f = lambda x: np.exp(x[0]) + x[0] * x[1] ** 2
    >>> model = taylor(f, [0.0, 1.0])
    >>> round(model.value, 12), np.round(model.gradient, 6)
    (1.0, array([2., 0.]))
    >>> step = np.array([1e-2, -1e-2])
    >>> bool(abs(f(np.array([0.0, 1.0]) + step) - model([0.0, 1.0] + step)) < 1e-5)
    True
    """
    if not callable(fun):
        raise TypeError("fun must be callable, got %s" % type(fun).__name__)
    if order not in (0, 1, 2) or isinstance(order, bool):
        raise ValueError("order must be 0, 1 or 2, got %r" % (order,))
    for name, value in (("jac", jac), ("hess", hess)):
        if value is not None and not callable(value):
            raise TypeError("%s must be callable or None, got %s" % (name, type(value).__name__))
    if bandwidth is not None:
        bandwidth = _options.as_bandwidth(bandwidth)
    x0 = _options.as_start_point(x0)
    args = _options.as_args(args)
    n = x0.size
    value = np.asarray(fun(x0.copy(), *args), dtype=float)
    if value.size != 1:
        raise ValueError("fun must return a scalar, got an array of shape %s" % (value.shape,))
    value = float(value.reshape(()))
    gradient = hessian = None
    if order >= 1:
        if jac is not None:
            gradient = np.asarray(jac(x0.copy(), *args), dtype=float)
            if gradient.shape != (n,):
                raise ValueError("jac must return an array of shape (%d,), got shape %s"
                                 % (n, gradient.shape))
        else:
            gradient = approx_jacobian(fun, x0, args, "3-point").reshape(n)
    if order == 2:
        if hess is not None:
            hessian = np.array(hess(x0.copy(), *args), dtype=float)
            expected = (n, n) if bandwidth is None else (bandwidth + 1, n)
            if hessian.shape != expected:
                raise ValueError("hess must return an array of shape %s, got shape %s"
                                 % (expected, hessian.shape))
        elif jac is not None:
            hessian = approx_hessian(jac, x0, args, "3-point", bandwidth=bandwidth,
                                     check_bandwidth=False)
        else:
            hessian, _ = second_difference_hessian(fun, x0, value, args, None, True, bandwidth)
    return TaylorModel(x0, order, value, gradient, hessian, bandwidth)
