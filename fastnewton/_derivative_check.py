"""The `check_derivatives` option: the user's jac and hess against finite differences at x0."""

import warnings

import numpy as np
from scipy.sparse import issparse

from fastnewton import _band_check
from fastnewton._derivatives import approx_hessian, approx_jacobian

# Central differences agree with a right derivative to ~ε^(2/3) relative on
# smooth functions; a wrong formula (a sign, a factor, a swapped index)
# misses by O(1). Anything above this is reported.
DERIVATIVE_TOLERANCE = 1e-4


class DerivativeWarning(RuntimeWarning):
    """`jac` or `hess` disagrees with finite differences at x0 (``check_derivatives=True``)."""


def relative_error(given, reference):
    """‖given − reference‖∞ relative to the larger of the two norms."""
    given, reference = np.asarray(given, dtype=float), np.asarray(reference, dtype=float)
    scale = max(np.abs(given).max(), np.abs(reference).max(), np.finfo(float).tiny)
    return float(np.abs(given - reference).max() / scale)


def check_derivatives(value, gradient, hess, hessp, x, bandwidth):
    """Compare the analytic derivatives with central differences at `x`.

    Parameters
    ----------
    value, gradient : callable
        ``value(x) -> float`` and ``gradient(x) -> (n,)`` (the user's, args
        bound); `gradient` is None when the gradient itself comes from
        finite differences, and then nothing is checked.
    hess, hessp : callable or None
        The user's Hessian (dense array, band storage with `bandwidth`, or
        anything with ``@``) and Hessian-vector product, args bound.
    x : ndarray, shape (n,)
    bandwidth : int or None

    Returns
    -------
    dict
        ``{'jac': error, 'hess': error}``, the worst relative errors, for the
        derivatives that were given.

    Warns
    -----
    DerivativeWarning
        Naming each derivative whose error exceeds `DERIVATIVE_TOLERANCE`.
    """
    errors = {}
    if gradient is None:
        return errors
    errors["jac"] = relative_error(gradient(x.copy()), approx_jacobian(value, x, (), "3-point")[0])
    if hess is not None:
        matrix = hess(x.copy())
        if bandwidth is not None:
            reference = approx_hessian(gradient, x, (), "3-point", bandwidth=bandwidth,
                                       check_bandwidth=False)
            errors["hess"] = relative_error(_band_check.as_band(matrix, bandwidth, x.size),
                                            reference)
        elif isinstance(matrix, np.ndarray) and not issparse(matrix):
            # Only the lower triangle of `hess` is read, so only it is compared.
            reference = approx_hessian(gradient, x, (), "3-point")
            errors["hess"] = relative_error(np.tril(matrix), np.tril(reference))
        else:
            errors["hess"] = _product_error(lambda v: matrix @ v, gradient, x)
    elif hessp is not None:
        errors["hess"] = _product_error(lambda v: hessp(x.copy(), v), gradient, x)
    against = {"jac": "central differences of fun",
               "hess": "central differences of jac (so a wrong jac shows here too)"}
    wrong = ["%s disagrees with %s at x0 (worst relative error %.1e)"
             % (name, against[name], error)
             for name, error in errors.items() if error > DERIVATIVE_TOLERANCE]
    if wrong:
        warnings.warn("; ".join(wrong) + "; check the formula", DerivativeWarning, stacklevel=4)
    return errors


def _product_error(product, gradient, x):
    """Hessian products along a random ±1 direction against a central difference of `gradient`."""
    direction = _band_check.random_signs(x.size, np.random.default_rng(0))
    directional = _band_check.directional_derivative(gradient, x, direction)
    return relative_error(np.asarray(product(direction), dtype=float).ravel(), directional)
