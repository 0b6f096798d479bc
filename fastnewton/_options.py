"""Validation of the arguments and options shared by every method."""

import math
import numbers
import os
import re
import sys
import warnings

import numpy as np
import scipy.optimize
from scipy.optimize import Bounds, HessianUpdateStrategy, OptimizeWarning

FINITE_DIFFERENCE_SCHEMES = ("2-point", "3-point")
# scipy's derivative strings: real finite differences, or complex steps ('cs').
GRADIENT_SCHEMES = FINITE_DIFFERENCE_SCHEMES + ("cs",)


def as_float_array(x0, name="x0"):
    """Return `x0` as a fresh float64 array of its own shape, real, finite and non-empty.

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
        raise TypeError("%s must be an array of real numbers: %s" % (name, exc)) from None
    if array.dtype.kind not in "fiub":
        if array.dtype.kind == "c":
            raise TypeError("%s must be real, got a complex array" % name)
        raise TypeError("%s must be an array of real numbers, got dtype %s" % (name, array.dtype))
    x = array.astype(np.float64)   # astype copies: the user's x0 stays untouched
    if x.size == 0:
        raise ValueError("%s must have at least one element, got shape %s" % (name, array.shape))
    if not np.isfinite(x).all():
        raise ValueError("%s must be finite; entries %s are not"
                         % (name, np.flatnonzero(~np.isfinite(x.ravel()))[:10].tolist()))
    return x


def as_start_point(x0, name="x0"):
    """Return `x0` as a fresh 1-D float64 array; a scalar is one variable, as in scipy.

    Raises
    ------
    TypeError
        If `x0` is complex or not numeric.
    ValueError
        If `x0` has more than one dimension (scipy refuses it too), is empty
        or has non-finite entries.
    """
    x = as_float_array(x0, name)
    if x.ndim > 1:
        raise ValueError("'%s' must only have one dimension, got shape %s; pass x0.ravel() to "
                         "treat its entries as the variables" % (name, x.shape))
    return x.reshape(-1)


def as_args(args):
    """scipy passes a lone non-tuple `args` as a one-element tuple; so do we."""
    return args if isinstance(args, tuple) else (args,)


def check_derivatives(fun, jac, hess, hessp, needs_factorization, values_only_hessian=True):
    """Normalize `jac`, `hess`, `hessp` and reject combinations no method can use.

    Parameters
    ----------
    fun, jac, hess, hessp
        As the user passed them.
    needs_factorization : bool
        The method factorizes H, so `hessp` alone is not enough.
    values_only_hessian : bool
        Whether the caller can form H from values of `fun` (second
        differences) when the gradient itself comes from differences.

    Returns
    -------
    jac : callable, True, '2-point', '3-point' or 'cs'
        None and False become '2-point', as in scipy, or '3-point' when no
        derivative at all is given (then H too comes from values of f).
    hess : callable, '2-point', '3-point', 'cs', HessianUpdateStrategy or None
    hessp : callable or None
        None next to a HessianUpdateStrategy.
    """
    if not callable(fun):
        raise TypeError("fun must be callable, got %s" % type(fun).__name__)
    if jac is None or jac is False:
        # With no derivative at all every Newton step costs O(n²) values of f
        # anyway, and a forward-difference gradient (error ~√ε·|f''|) would
        # bound the accuracy of x near 1e-5; a central one costs n more values.
        no_derivatives = values_only_hessian and hess is None and hessp is None
        jac = "3-point" if no_derivatives else "2-point"
    elif not (jac is True or callable(jac) or _is_scheme(jac, GRADIENT_SCHEMES)):
        raise ValueError("jac must be a callable, True, '2-point', '3-point' or 'cs', got %r"
                         % (jac,))
    if hessp is not None and not callable(hessp):
        raise TypeError("hessp must be callable or None, got %s" % type(hessp).__name__)
    if isinstance(hess, HessianUpdateStrategy):
        if not values_only_hessian:
            raise ValueError(
                "hess=%s(): quasi-Newton Hessians are not supported by minimize_batch; leave "
                "hess=None (finite differences) or pass a callable" % type(hess).__name__)
        # A secant approximation needs nothing but gradients; `hessp` is
        # ignored next to it, as scipy ignores it next to any `hess`.
        return jac, hess, None
    if hess is not None and not callable(hess) and not _is_scheme(hess, GRADIENT_SCHEMES):
        raise ValueError("hess must be a callable, '2-point', '3-point' or 'cs' (or None for "
                         "finite differences), got %r" % (hess,))
    if needs_factorization and hess is None and hessp is not None:
        raise ValueError("this method factorizes the Hessian, so hessp alone is not enough: pass "
                         "hess (a callable or '2-point'), or use method='trust-ncg'")
    gradient_is_analytic = jac is True or callable(jac)
    if _is_scheme(hess, ("cs",)) and not gradient_is_analytic:
        raise ValueError("hess='cs' takes complex steps of the gradient, so jac must be a "
                         "callable (or True) accepting complex input, not %r" % (jac,))
    if not values_only_hessian:
        if _is_scheme(jac, ("cs",)) or _is_scheme(hess, ("cs",)):
            raise ValueError("complex-step derivatives ('cs') are not supported here; pass "
                             "callables or '2-point'/'3-point'")
        if _is_scheme(jac, FINITE_DIFFERENCE_SCHEMES) and not callable(hess):
            raise ValueError(
                "the Hessian is estimated by finite differences of the gradient, so jac must "
                "be a callable (or True when fun returns (f, g)), not %r; pass an analytic jac "
                "or hess" % (jac,))
    return jac, hess, hessp


def _is_scheme(value, schemes):
    """`value` is one of the strings `schemes` (arrays and other objects never are)."""
    return isinstance(value, str) and value in schemes


def uses_values_only_hessian(jac, hess, hessp):
    """True when H must come from second differences of f: no gradient or Hessian to difference."""
    hess_is_differenced = hess is None or _is_scheme(hess, FINITE_DIFFERENCE_SCHEMES)
    return _is_scheme(jac, FINITE_DIFFERENCE_SCHEMES) and hess_is_differenced and hessp is None


# Bounds this large count as infinite, as in most bound-constrained solvers:
# a variable limited only by ±1e300 is unbounded for every practical purpose.
INFINITE_BOUND = 1e20


def as_box(bounds, constraints, n):
    """The box of `bounds` as float64 arrays (lower, upper), or None when nothing is bounded.

    scipy hands custom methods its `bounds` and `constraints` as the user gave
    them, so every form scipy accepts is understood here: None, a
    `scipy.optimize.Bounds` (whose lb/ub broadcast to (n,)) or a sequence of
    n (min, max) pairs with None for an infinite bound. Bounds at or beyond
    ±1e20 (`INFINITE_BOUND`) are infinite. Constraints other than bounds are
    refused.
    """
    if constraints is not None and not _is_empty(constraints):
        raise ValueError(
            "fastnewton's methods take bounds but no other constraints, so constraints must be "
            "empty; use scipy.optimize.minimize with method='SLSQP' or 'trust-constr' for "
            "general constraints")
    if bounds is None:
        return None
    lower, upper = _bound_arrays(bounds, (n,), "x0 has %d entries" % n)
    if not ((lower > -np.inf) | (upper < np.inf)).any():
        return None
    return lower, upper


def _bound_arrays(bounds, shape, what):
    """(lower, upper) float64 arrays of `shape` from a Bounds or (min, max) pairs, validated."""
    if isinstance(bounds, Bounds):
        lb, ub = bounds.lb, bounds.ub
        try:
            lower = np.array(np.broadcast_to(np.asarray(lb, dtype=float), shape))
            upper = np.array(np.broadcast_to(np.asarray(ub, dtype=float), shape))
        except ValueError:
            raise ValueError("bounds.lb and bounds.ub must broadcast to shape %s (%s), got "
                             "shapes %s and %s" % (shape, what, np.shape(lb), np.shape(ub))) \
                from None
    else:
        try:
            pairs = [tuple(pair) for pair in bounds]
            if any(len(pair) != 2 for pair in pairs):
                raise ValueError
            lower = np.array([-np.inf if lo is None else lo for lo, _ in pairs], dtype=float)
            upper = np.array([np.inf if hi is None else hi for _, hi in pairs], dtype=float)
        except (TypeError, ValueError):
            raise TypeError("bounds must be None, a scipy.optimize.Bounds or a sequence of "
                            "(min, max) pairs, got %r" % (bounds,)) from None
        if lower.size != shape[-1]:
            raise ValueError("bounds has %d (min, max) pairs but %s"
                             % (lower.size, what))
        lower = np.array(np.broadcast_to(lower, shape))
        upper = np.array(np.broadcast_to(upper, shape))
    if np.isnan(lower).any() or np.isnan(upper).any():
        raise ValueError("bounds must not contain NaN")
    lower[lower <= -INFINITE_BOUND] = -np.inf
    upper[upper >= INFINITE_BOUND] = np.inf
    empty = (lower > upper) | (lower == np.inf) | (upper == -np.inf)
    if empty.any():
        where = np.argwhere(empty)[0]
        raise ValueError("bounds must satisfy min <= max with min < inf and max > -inf; "
                         "variable %s has (%g, %g)" % (tuple(int(i) for i in where)
                                                      if len(where) > 1 else int(where[0]),
                                                      lower[tuple(where)], upper[tuple(where)]))
    return lower, upper


def batch_box(bounds, m, n):
    """The box of `minimize_batch`'s `bounds`: (lower, upper) of shape (m, n), or None.

    Shared bounds (one (n,) box, or n pairs) and per-problem ones (a Bounds
    whose lb/ub have shape (m, n)) are both accepted.
    """
    if bounds is None:
        return None
    lower, upper = _bound_arrays(bounds, (m, n), "x0 has %d columns" % n)
    if not ((lower > -np.inf) | (upper < np.inf)).any():
        return None
    return lower, upper


def _is_empty(constraints):
    if isinstance(constraints, (list, tuple)):
        return len(constraints) == 0
    return isinstance(constraints, np.ndarray) and constraints.size == 0


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


def _truthy(value):
    """scipy reads `disp` and `return_all` by truth value (``disp=1`` prints)."""
    return bool(value)


def _integer(name, value, low):
    """An integer >= low; integral floats count (scipy's loops accept ``maxiter=1e3``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError("%s must be an integer, got %r" % (name, value))
    if not isinstance(value, numbers.Integral):
        if math.isinf(value) and value > 0:
            return sys.maxsize    # no limit, as scipy's ``k < maxiter`` reads it
        if not float(value).is_integer():
            raise ValueError("%s must be a whole number, got %r" % (name, value))
    if value < low:
        raise ValueError("%s must be >= %d, got %r" % (name, low, value))
    return min(int(value), sys.maxsize)   # any larger limit is never reached


def _norm(value):
    if value not in (2, math.inf):
        raise ValueError("norm must be 2 or numpy.inf, got %r" % (value,))
    return value


class Option:
    """One option: its default, the methods that take it, and how a given value is checked.

    `method_defaults` maps a method to its own default where it differs.
    """

    def __init__(self, default, methods, check, method_defaults=None):
        self.default = default
        self.methods = methods
        self.check = check
        self.method_defaults = method_defaults or {}

    def default_for(self, method):
        return self.method_defaults.get(method, self.default)


_ALL = ("newton", "trust-exact", "dogleg", "trust-ncg", "newton-cg", "trust-krylov")
_TRUST = ("trust-exact", "dogleg", "trust-ncg", "trust-krylov")
_LINE_SEARCH = ("newton", "newton-cg")

# The one place option defaults are written: the validator, the method
# callables, `minimize_batch` and the docstrings (through `document_defaults`)
# read them from here, and the compiled classes receive them explicitly.
OPTIONS = {
    "gtol": Option(1e-5, _ALL, lambda v: _number("gtol", v, 0.0, math.inf)),
    # None: 200·n, as in scipy.
    "maxiter": Option(None, _ALL, lambda v: _integer("maxiter", v, 0)),
    "norm": Option(2, _ALL, _norm),
    "escape_saddles": Option(True, _ALL, lambda v: _flag("escape_saddles", v)),
    "disp": Option(False, _ALL, _truthy),
    "return_all": Option(False, _ALL, _truthy),
    # None: √ε forward, ∛ε central, ε^¼ for second differences of f.
    "finite_diff_rel_step": Option(None, _ALL, lambda v: _number(
        "finite_diff_rel_step", v, 0.0, 1.0, low_open=True)),
    "bandwidth": Option(None, _ALL, as_bandwidth),
    "check_bandwidth": Option(True, _ALL, lambda v: _flag("check_bandwidth", v)),
    "check_derivatives": Option(False, _ALL, lambda v: _flag("check_derivatives", v)),
    "c1": Option(1e-4, _LINE_SEARCH, lambda v: _number("c1", v, 0.0, 1.0, True, True)),
    "c2": Option(0.9, _LINE_SEARCH, lambda v: _number("c2", v, 0.0, 1.0, True, True)),
    # None: from the problem, as `trust_radius_policy` says; a number is
    # taken as given (scipy's defaults are 1.0 and 1000.0).
    "initial_trust_radius": Option(None, _TRUST, lambda v: _number(
        "initial_trust_radius", v, 0.0, math.inf, low_open=True, high_open=True)),
    "max_trust_radius": Option(None, _TRUST, lambda v: _number(
        "max_trust_radius", v, 0.0, math.inf, low_open=True)),
    "eta": Option(0.15, _TRUST, lambda v: _number("eta", v, 0.0, 0.25, high_open=True)),
    # trust-exact: λ iterations; trust-krylov: Lanczos vectors (None: min(n, 200)).
    "subproblem_maxiter": Option(25, ("trust-exact", "trust-krylov"),
                                 lambda v: _integer("subproblem_maxiter", v, 1),
                                 {"trust-krylov": None}),
    # scipy's trust-ncg spreads finite-difference work over `workers`; ours
    # runs in compiled code and ignores it.
    "workers": Option(None, ("trust-ncg", "newton-cg", "trust-krylov"), lambda v: v),
    # scipy's Newton-CG stops on the average step `xtol`, and `eps` is its
    # finite-difference step for Hessian products (here relative, see
    # `newton_cg`).
    "xtol": Option(1e-5, ("newton-cg",), lambda v: _number("xtol", v, 0.0, math.inf)),
    "eps": Option(None, ("newton-cg",), lambda v: _number("eps", v, 0.0, 1.0, low_open=True)),
    # `inexact` is scipy's switch between a loose and a tight subproblem solve.
    "inexact": Option(True, ("trust-krylov",), lambda v: _flag("inexact", v)),
}


# The default cap on the trust radius, relative to max(1, ‖x‖).
RELATIVE_MAX_TRUST_RADIUS = 1000.0


def trust_radius_policy(opts):
    """The radius arguments of the compiled drivers from the parsed options.

    scipy starts at radius 1 and caps it at 1000 whatever the problem, so a
    minimizer 10⁶ away (Brown's badly scaled function) takes a thousand
    iterations. When the user gives no radius, ours starts at the length of
    the Cauchy step at x0 (`_trust_steps.first_radius`) and is capped at
    1000·max(1, ‖x‖) at the current x, so both follow the scale of the
    problem; a radius the user gives is used as given.

    With ``hess=SR1()`` the first radius is at most max(1, ‖x0‖): B starts
    as I, whose Cauchy length is ‖g0‖, a size of the gradient rather than a
    length in x, and SR1 learns from the rejected trials too, so a first
    trial that far out put the curvature of a distant region into B
    (Rosenbrock n = 10, gradient only: 174 gradient evaluations instead of
    98; over the classic problems the median 44 instead of 39). BFGS learns
    from accepted steps only and keeps the Cauchy start, which measured
    better for it (median 34 against 37 with the capped start).

    Returns
    -------
    initial_radius : float or None
        None: the driver computes it (`_trust_steps.first_radius`).
    max_radius : float
    relative_max_radius : bool
        `max_radius` is multiplied by max(1, ‖x‖).
    """
    if opts["max_trust_radius"] is None:
        return opts["initial_trust_radius"], RELATIVE_MAX_TRUST_RADIUS, True
    return opts["initial_trust_radius"], opts["max_trust_radius"], False


def default(name):
    """The default of option `name` (see `OPTIONS`)."""
    return OPTIONS[name].default


def document_defaults(doc):
    """`doc` with each ``<default NAME>`` replaced by that option's default, as written in docs."""
    return re.sub(r"<default (\w+)>", lambda match: "%r" % (default(match.group(1)),), doc)


def user_stacklevel():
    """The `stacklevel` that makes a warning point at the user's call.

    Counts the frames inside fastnewton and scipy.optimize above the caller,
    so ``fastnewton.minimize(...)``, ``fastnewton.trust_exact(...)`` and
    ``scipy.optimize.minimize(..., method=fastnewton.trust_exact)`` all
    report the line that called them.
    """
    level = 1
    frame = sys._getframe(1)
    while frame is not None and _is_library_file(frame.f_code.co_filename):
        level += 1
        frame = frame.f_back
    return level


def _is_library_file(filename):
    directory = os.path.dirname(os.path.abspath(filename))
    return directory in (_PACKAGE_DIR, _SCIPY_OPTIMIZE_DIR)


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_SCIPY_OPTIMIZE_DIR = os.path.dirname(os.path.abspath(scipy.optimize.__file__))


_METHOD_OPTIONS = {}


def _method_options(method):
    """The options `method` takes, by name (found once per method, kept in `_METHOD_OPTIONS`)."""
    known = _METHOD_OPTIONS.get(method)
    if known is None:
        known = _METHOD_OPTIONS[method] = {name: option for name, option in OPTIONS.items()
                                           if method in option.methods}
    return known


def parse_options(method, n, options, tol, extra):
    """Validate the options of `method` and fill in defaults.

    Parameters
    ----------
    method : str
        'newton', 'trust-exact', 'dogleg', 'trust-ncg', 'newton-cg' or 'trust-krylov'.
    n : int
        Number of variables (the default `maxiter` is 200·n, as in scipy).
    options : dict
        The user's options; unknown names draw an `OptimizeWarning` pointing
        at the user's call, as in scipy.
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
    known = _method_options(method)
    # Read afresh each call: the table is the one place defaults live.
    parsed = {name: option.default_for(method) for name, option in known.items()}
    if tol is not None:
        parsed["gtol"] = _number("tol", tol, 0.0, math.inf)
    unknown = []
    for name, value in options.items():
        if name in known:
            if value is not None:      # scipy code passes None for "the default"
                parsed[name] = known[name].check(value)
        elif name not in extra:
            unknown.append(name)
    if unknown:
        warnings.warn("Unknown solver options: %s" % ", ".join(sorted(unknown)),
                      OptimizeWarning, stacklevel=user_stacklevel())
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
    if ("eta" in known and parsed["initial_trust_radius"] is not None
            and parsed["max_trust_radius"] is not None
            and parsed["initial_trust_radius"] > parsed["max_trust_radius"]):
        raise ValueError("initial_trust_radius (%g) must not exceed max_trust_radius (%g)"
                         % (parsed["initial_trust_radius"], parsed["max_trust_radius"]))
    return parsed
