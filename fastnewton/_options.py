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


def non_negative(name, value):
    """A real number >= 0 (inf allowed), or a ValueError/TypeError naming `name`."""
    return _number(name, value, 0.0, math.inf)


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


def _maxiter(value):
    if type(value) is not int and (isinstance(value, bool)
                                   or not isinstance(value, numbers.Integral)):
        raise TypeError("maxiter must be an integer, got %r" % (value,))
    if value < 0:
        raise ValueError("maxiter must be >= 0, got %d" % value)
    return min(int(value), sys.maxsize)   # any larger limit is never reached


def _norm(value):
    if value not in (2, math.inf):
        raise ValueError("norm must be 2 or numpy.inf, got %r" % (value,))
    return value


def _positive_int(name):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError("%s must be a positive integer, got %r" % (name, value))
        return int(value)
    return check


# Each option: its default and its validator (applied to values the user gives).
_COMMON_OPTIONS = {
    "gtol": (1e-5, lambda v: _number("gtol", v, 0.0, math.inf)),
    "maxiter": (None, _maxiter),                     # None: 200·n, as in scipy
    "norm": (2, _norm),
    "escape_saddles": (True, lambda v: _flag("escape_saddles", v)),
    "disp": (False, lambda v: _flag("disp", v)),
    "return_all": (False, lambda v: _flag("return_all", v)),
    "finite_diff_rel_step": (None, lambda v: None if v is None else _number(
        "finite_diff_rel_step", v, 0.0, 1.0, low_open=True)),
    "bandwidth": (None, lambda v: None if v is None else as_bandwidth(v)),
    "check_bandwidth": (True, lambda v: _flag("check_bandwidth", v)),
    "check_derivatives": (False, lambda v: _flag("check_derivatives", v)),
}
_LINE_SEARCH_OPTIONS = {
    "c1": (1e-4, lambda v: _number("c1", v, 0.0, 1.0, True, True)),
    "c2": (0.9, lambda v: _number("c2", v, 0.0, 1.0, True, True)),
}
_TRUST_OPTIONS = {
    "initial_trust_radius": (1.0, lambda v: _number("initial_trust_radius", v, 0.0, math.inf,
                                                    low_open=True, high_open=True)),
    "max_trust_radius": (1000.0, lambda v: _number("max_trust_radius", v, 0.0, math.inf,
                                                   low_open=True)),
    "eta": (0.15, lambda v: _number("eta", v, 0.0, 0.25, high_open=True)),
}
_METHOD_OPTIONS = {
    "newton": {**_COMMON_OPTIONS, **_LINE_SEARCH_OPTIONS},
    "dogleg": {**_COMMON_OPTIONS, **_TRUST_OPTIONS},
    "trust-exact": {**_COMMON_OPTIONS, **_TRUST_OPTIONS,
                    "subproblem_maxiter": (25, lambda v: 25 if v is None else
                                           _positive_int("subproblem_maxiter")(v))},
    # scipy's trust-ncg spreads finite-difference work over `workers`; ours
    # runs in compiled code and ignores it.
    "trust-ncg": {**_COMMON_OPTIONS, **_TRUST_OPTIONS, "workers": (None, lambda v: v)},
    # scipy's Newton-CG stops on the average step `xtol`, and `eps` is its
    # finite-difference step for Hessian products (here relative, see
    # `newton_cg`); `workers` is ignored as for trust-ncg.
    "newton-cg": {**_COMMON_OPTIONS, **_LINE_SEARCH_OPTIONS,
                  "xtol": (1e-5, lambda v: _number("xtol", v, 0.0, math.inf)),
                  "eps": (None, lambda v: _number("eps", v, 0.0, 1.0, low_open=True)),
                  "workers": (None, lambda v: v)},
    # `inexact` is scipy's switch between a loose and a tight subproblem solve.
    "trust-krylov": {**_COMMON_OPTIONS, **_TRUST_OPTIONS,
                     "inexact": (True, lambda v: _flag("inexact", v)),
                     "subproblem_maxiter": (None, lambda v: _positive_int("subproblem_maxiter")(v)),
                     "workers": (None, lambda v: v)},
}


def parse_options(method, n, options, tol, extra):
    """Validate the options of `method` and fill in defaults.

    Parameters
    ----------
    method : str
        'newton', 'trust-exact', 'dogleg', 'trust-ncg', 'newton-cg' or 'trust-krylov'.
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
        Every option of the method by name, validated, plus ``inf_norm``
        (the norm is ∞) and ``rel_step`` (the finite-difference step).
    """
    known = _METHOD_OPTIONS[method]
    parsed = {name: default for name, (default, _) in known.items()}
    if tol is not None:
        parsed["gtol"] = _number("tol", tol, 0.0, math.inf)
    unknown = []
    for name, value in options.items():
        if name in known:
            if value is not None:      # scipy code passes None for "the default"
                parsed[name] = known[name][1](value)
        elif name not in extra:
            unknown.append(name)
    if unknown:
        warnings.warn("Unknown solver options: %s" % ", ".join(sorted(unknown)),
                      OptimizeWarning, stacklevel=4)
    if parsed["maxiter"] is None:
        parsed["maxiter"] = 200 * n
    if method == "newton-cg" and options.get("xtol") and (
            options.get("gtol") is None and tol is None):
        # A positive xtol alone asks for scipy's test alone, as scipy's Newton-CG runs.
        parsed["gtol"] = 0.0
    parsed["inf_norm"] = parsed["norm"] == math.inf
    parsed["rel_step"] = parsed["finite_diff_rel_step"]
    if parsed["rel_step"] is None and parsed.get("eps") is not None:
        parsed["rel_step"] = parsed["eps"]
    if method in ("newton", "newton-cg") and parsed["c1"] >= parsed["c2"]:
        raise ValueError("c1 must be smaller than c2, got c1=%g, c2=%g"
                         % (parsed["c1"], parsed["c2"]))
    if "eta" in known and parsed["initial_trust_radius"] > parsed["max_trust_radius"]:
        raise ValueError("initial_trust_radius (%g) must not exceed max_trust_radius (%g)"
                         % (parsed["initial_trust_radius"], parsed["max_trust_radius"]))
    return parsed
