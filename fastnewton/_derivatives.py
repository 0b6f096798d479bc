"""Finite-difference helpers: the public ones, and the derivatives `minimize` forms itself.

`approx_hessian` and `approx_jacobian` run the same compiled code as
`minimize`. `derived_derivatives` turns scipy's derivative strings that the
compiled `Objective` does not handle itself ('cs', and the Hessian of a run
without any derivative) into callables; `user_counts` then reports the
user's calls in scipy's counters.
"""

import numpy as np

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from fastnewton import _band_check, _options
from fastnewton._jacobian import finite_difference_jacobian
from fastnewton._differences import finite_difference_hessian
from fastnewton._second_differences import ValuesHessian

# Complex steps have no cancellation error, so any step well below the scale
# of x works; scipy's default is √ε relative (Squire & Trapp 1998).
_COMPLEX_REL_STEP = np.sqrt(np.finfo(float).eps)


def _complex_steps(x, rel_step):
    return (_COMPLEX_REL_STEP if rel_step is None else rel_step) * np.maximum(1.0, np.abs(x))


def _imaginary_part(value, name):
    """Im of what `name` returned at a complex point; a real result means it dropped Im."""
    array = np.asarray(value)
    if array.dtype.kind != "c":
        raise TypeError("complex-step derivatives ('cs') need %s to accept complex x and "
                        "return complex values, got dtype %s" % (name, array.dtype))
    return array.imag


class ComplexStepGradient:
    """``jac='cs'``: ∂f/∂x_j = Im f(x + i·h_j e_j) / h_j, n calls of `fun` with complex x.

    Counts the calls of `fun` in `nfev` and the gradients formed in `calls`.
    """

    def __init__(self, fun, rel_step):
        self.fun = fun
        self.rel_step = rel_step
        self.nfev = self.calls = 0

    def __call__(self, x, *args):
        steps = _complex_steps(x, self.rel_step)
        gradient = np.empty(x.size)
        for j in range(x.size):
            point = x.astype(complex)
            point[j] += 1j * steps[j]
            value = _imaginary_part(self.fun(point, *args), "fun")
            self.nfev += 1
            if value.size != 1:
                raise ValueError("fun must return a scalar, got an array of shape %s"
                                 % (value.shape,))
            gradient[j] = value.reshape(()) / steps[j]
        self.calls += 1
        return gradient


class ComplexStepHessian:
    """``hess='cs'``: column j of H is Im ∇f(x + i·h_j e_j) / h_j, then (H + Hᵀ)/2.

    n calls of the user's gradient (`jac`, or `fun` with ``jac=True``) with
    complex x, counted in `njev` (and `nfev` with ``jac=True``); `calls`
    counts the Hessians formed. With `bandwidth`, returns the LAPACK lower
    band storage.
    """

    def __init__(self, fun, jac, rel_step, bandwidth):
        self.gradient = fun if jac is True else jac
        self.with_value = jac is True
        self.rel_step = rel_step
        self.bandwidth = bandwidth
        self.nfev = self.njev = self.calls = 0

    def __call__(self, x, *args):
        n = x.size
        steps = _complex_steps(x, self.rel_step)
        hessian = np.empty((n, n))
        name = "fun (the gradient part, with jac=True)" if self.with_value else "jac"
        for j in range(n):
            point = x.astype(complex)
            point[j] += 1j * steps[j]
            value = self.gradient(point, *args)
            self.njev += 1
            if self.with_value:
                self.nfev += 1
                value = value[1]
            column = _imaginary_part(value, name)
            if column.shape != (n,):
                raise ValueError("%s must return an array of shape (%d,), got shape %s"
                                 % (name, n, column.shape))
            hessian[:, j] = column / steps[j]
        hessian = 0.5 * (hessian + hessian.T)
        self.calls += 1
        if self.bandwidth is None:
            return hessian
        band = np.zeros((self.bandwidth + 1, n))
        for k in range(min(self.bandwidth, n - 1) + 1):
            band[k, :n - k] = np.diagonal(hessian, -k)
        return band


def derived_derivatives(fun, jac, hess, hessp, rel_step, bandwidth, bounded=False):
    """Replace the derivative strings the compiled `Objective` does not handle by callables.

    'cs' becomes `ComplexStepGradient` / `ComplexStepHessian`; with no
    gradient to difference (jac a real finite-difference scheme, no hess
    callable, no hessp), the Hessian becomes second differences of f
    (`ValuesHessian`: forward for ``hess='2-point'``, else central), not differences of a
    differenced gradient. Attach a `ValuesHessian` to the objective once it
    exists (``hess.attach(objective)``). With `bounded`, the Hessian stays
    differences of the (differenced) gradient, whose steps keep inside the
    box; second differences do not yet.

    Returns
    -------
    jac, hess
        What to give the `Objective`.
    derived : list
        The callables made here, for `user_counts`.
    """
    values_only = _options.uses_values_only_hessian(jac, hess, hessp) and not bounded
    derived = []
    if isinstance(jac, str) and jac == "cs":
        jac = ComplexStepGradient(fun, rel_step)
        derived.append(jac)
    if isinstance(hess, str) and hess == "cs":
        hess = ComplexStepHessian(fun, jac, rel_step, bandwidth)
        derived.append(hess)
    elif values_only:
        # Central unless the user asked for forward ('2-point'): forward
        # second differences err by O(h)·|f'''|, which mixed third
        # derivatives of badly scaled problems make large.
        hess = ValuesHessian(fun, hess != "2-point", rel_step, bandwidth)
        derived.append(hess)
    return jac, hess, derived


def user_counts(objective, derived):
    """(nfev, njev, nhev): the calls of the user's fun, jac and hess/hessp.

    The objective counted each derived gradient as a `jac` call and each
    derived Hessian as a `hess` call; they are replaced by the user calls
    those made.
    """
    nfev, njev, nhev = objective.nfev, objective.njev, objective.nhev
    for function in derived:
        nfev += function.nfev
        if isinstance(function, ComplexStepGradient):
            njev -= function.calls
        else:
            nhev -= function.calls
            if isinstance(function, ComplexStepHessian):
                njev += function.njev
    return nfev, njev, nhev


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
