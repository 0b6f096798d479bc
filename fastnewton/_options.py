"""Validation of the arguments and options shared by every method."""

import math
import numbers
import sys
import warnings

import numpy as np
from scipy.optimize import OptimizeWarning

FINITE_DIFFERENCE_SCHEMES = ("2-point", "3-point")


def as_start_point(x0):
    """Return `x0` as a fresh 1-D float64 array (scipy flattens `x0` the same way).

    Raises
    ------
    TypeError
        If `x0` is complex or not numeric.
    ValueError
        If `x0` is empty or has non-finite entries.
    """
    try:
        array = np.asarray(x0)
    except Exception as exc:  # e.g. ragged nested lists
        raise TypeError("x0 must be an array of real numbers: %s" % exc) from None
    if array.dtype.kind not in "fiub":
        if array.dtype.kind == "c":
            raise TypeError("x0 must be real, got a complex array")
        raise TypeError("x0 must be an array of real numbers, got dtype %s" % array.dtype)
    x = array.astype(np.float64).ravel()   # astype copies: the user's x0 stays untouched
    if x.size == 0:
        raise ValueError("x0 must have at least one element, got shape %s" % (array.shape,))
    if not np.isfinite(x).all():
        raise ValueError("x0 must be finite; entries %s are not"
                         % np.flatnonzero(~np.isfinite(x))[:10].tolist())
    return x


def as_args(args):
    """scipy passes a lone non-tuple `args` as a one-element tuple; so do we."""
    return args if isinstance(args, tuple) else (args,)


def check_derivatives(fun, jac, hess, hessp, needs_factorization):
    """Normalize `jac`, `hess`, `hessp` and reject combinations no method can use.

    Returns the normalized (jac, hess, hessp).
    """
    if not callable(fun):
        raise TypeError("fun must be callable, got %s" % type(fun).__name__)
    if jac is None or jac is False:
        jac = "2-point"
    elif not (jac is True or callable(jac) or jac in FINITE_DIFFERENCE_SCHEMES):
        raise ValueError("jac must be a callable, True, '2-point' or '3-point', got %r" % (jac,))
    if hessp is not None and not callable(hessp):
        raise TypeError("hessp must be callable or None, got %s" % type(hessp).__name__)
    if hess is not None and not callable(hess) and hess not in FINITE_DIFFERENCE_SCHEMES:
        raise ValueError(
            "hess must be a callable, '2-point' or '3-point' (or None for finite differences "
            "of jac), got %r; quasi-Newton updates such as scipy's BFGS() are not supported"
            % (hess,))
    if needs_factorization and hess is None and hessp is not None:
        raise ValueError("this method factorizes the Hessian, so hessp alone is not enough: pass "
                         "hess (a callable or '2-point'), or use method='trust-ncg'")
    uses_fd_hessian = not callable(hess) and not (hess is None and hessp is not None)
    if uses_fd_hessian and jac in FINITE_DIFFERENCE_SCHEMES:
        raise ValueError(
            "the Hessian is estimated by finite differences of the gradient, so jac must be a "
            "callable (or True when fun returns (f, g)), not %r; pass an analytic jac or hess"
            % (jac,))
    return jac, hess, hessp


def check_unconstrained(bounds, constraints):
    """fastnewton's methods are unconstrained: refuse bounds and constraints."""
    if bounds is not None:
        raise ValueError("fastnewton's methods are unconstrained: bounds must be None")
    empty = isinstance(constraints, (list, tuple)) and len(constraints) == 0
    if constraints is not None and not empty:
        raise ValueError("fastnewton's methods are unconstrained: constraints must be empty")


def _number(name, value, low, high, low_open=False, high_open=False):
    if type(value) is not float and type(value) is not int and (
            isinstance(value, bool) or not isinstance(value, numbers.Real)):
        raise TypeError("%s must be a real number, got %r" % (name, value))
    value = float(value)
    if math.isnan(value):
        raise ValueError("%s must not be NaN" % name)
    below = value <= low if low_open else value < low
    above = value >= high if high_open else value > high
    if below or above:
        raise ValueError("%s must be in %s%g, %g%s, got %r" % (
            name, "(" if low_open else "[", low, high, ")" if high_open else "]", value))
    return value


def as_bandwidth(value):
    """Validate a half-bandwidth: an integer b >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError("bandwidth must be an integer, got %r" % (value,))
    if value < 0:
        raise ValueError("bandwidth must be >= 0, got %d" % value)
    return int(value)


def _flag(name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError("%s must be True or False, got %r" % (name, value))
    return bool(value)


def parse_options(method, n, options, tol, extra):
    """Validate the options of `method` and fill in defaults.

    Parameters
    ----------
    method : str
        'newton', 'trust-exact', 'dogleg' or 'trust-ncg'.
    n : int
        Number of variables (the default `maxiter` is 200·n, as in scipy).
    options : dict
        The user's options; unknown names draw an `OptimizeWarning`, as in scipy.
    tol : float or None
        scipy's `tol`: the default for `gtol`.
    extra : iterable of str
        Names scipy passes that we accept and ignore.

    Returns
    -------
    dict
        Every option of the method, validated.
    """
    options = dict(options)
    for name in extra:
        options.pop(name, None)
    parsed = {}
    gtol = options.pop("gtol", None)
    if gtol is None:
        gtol = tol if tol is not None else 1e-5
    parsed["gtol"] = _number("gtol", gtol, 0.0, math.inf)
    maxiter = options.pop("maxiter", None)
    if maxiter is None:
        maxiter = 200 * n
    if type(maxiter) is not int and (isinstance(maxiter, bool)
                                     or not isinstance(maxiter, numbers.Integral)):
        raise TypeError("maxiter must be an integer, got %r" % (maxiter,))
    if maxiter < 0:
        raise ValueError("maxiter must be >= 0, got %d" % maxiter)
    parsed["maxiter"] = min(int(maxiter), sys.maxsize)   # any larger limit is never reached
    norm = options.pop("norm", 2)
    if norm not in (2, math.inf):
        raise ValueError("norm must be 2 or numpy.inf, got %r" % (norm,))
    parsed["inf_norm"] = norm == math.inf
    parsed["escape_saddles"] = _flag("escape_saddles", options.pop("escape_saddles", True))
    parsed["disp"] = _flag("disp", options.pop("disp", False))
    parsed["return_all"] = _flag("return_all", options.pop("return_all", False))
    rel_step = options.pop("finite_diff_rel_step", None)
    bandwidth = options.pop("bandwidth", None)
    parsed["bandwidth"] = None if bandwidth is None else as_bandwidth(bandwidth)
    parsed["check_bandwidth"] = _flag("check_bandwidth", options.pop("check_bandwidth", True))
    parsed["rel_step"] = (None if rel_step is None else
                          _number("finite_diff_rel_step", rel_step, 0.0, 1.0, low_open=True))
    if method == "newton":
        parsed["c1"] = _number("c1", options.pop("c1", 1e-4), 0.0, 1.0, True, True)
        parsed["c2"] = _number("c2", options.pop("c2", 0.9), 0.0, 1.0, True, True)
        if parsed["c1"] >= parsed["c2"]:
            raise ValueError("c1 must be smaller than c2, got c1=%g, c2=%g"
                             % (parsed["c1"], parsed["c2"]))
    else:
        radius = _number("initial_trust_radius", options.pop("initial_trust_radius", 1.0),
                         0.0, math.inf, low_open=True, high_open=True)
        max_radius = _number("max_trust_radius", options.pop("max_trust_radius", 1000.0),
                             0.0, math.inf, low_open=True)
        if radius > max_radius:
            raise ValueError("initial_trust_radius (%g) must not exceed max_trust_radius (%g)"
                             % (radius, max_radius))
        parsed["initial_trust_radius"] = radius
        parsed["max_trust_radius"] = max_radius
        parsed["eta"] = _number("eta", options.pop("eta", 0.15), 0.0, 0.25, high_open=True)
        if method == "trust-exact":
            maxiter_sub = options.pop("subproblem_maxiter", None)
            maxiter_sub = 25 if maxiter_sub is None else maxiter_sub
            if isinstance(maxiter_sub, bool) or not isinstance(maxiter_sub, numbers.Integral) \
                    or maxiter_sub < 1:
                raise ValueError("subproblem_maxiter must be a positive integer, got %r"
                                 % (maxiter_sub,))
            parsed["subproblem_maxiter"] = int(maxiter_sub)
        if method == "trust-ncg":
            # scipy's trust-ncg spreads finite-difference work over workers;
            # our finite differences run in compiled code and ignore it.
            options.pop("workers", None)
    if options:
        warnings.warn("Unknown solver options: %s" % ", ".join(sorted(options)),
                      OptimizeWarning, stacklevel=4)
    return parsed
