"""The methods as scipy-compatible callables.

Each function has the signature scipy gives a custom method, so it works both
as ``fastnewton.minimize(..., method='trust-exact')`` and as
``scipy.optimize.minimize(..., method=fastnewton.trust_exact)``. The Python
here only validates, builds the compiled pieces and the result; the
iterations run in the compiled drivers.
"""

import numpy as np

from collections.abc import Callable
from typing import Any

from numpy.typing import ArrayLike
from scipy.optimize import HessianUpdateStrategy, OptimizeResult
from scipy.optimize._optimize import MemoizeJac

from fastnewton import (_band_check, _critical, _derivative_check, _derivatives, _kkt,
                        _options)
from fastnewton._banded import BandedHessian
from fastnewton._dense import DenseHessian
from fastnewton._differences import finite_difference_hessian
from fastnewton._krylov import KrylovSubproblem
from fastnewton._inverse import InverseHessian
from fastnewton._newton import newton as _newton_driver
from fastnewton._newton_cg import newton_cg as _newton_cg_driver
from fastnewton._objective import Objective
from fastnewton._products import HessianProducts
from fastnewton._projected import (projected_newton as _projected_newton,
                                   projected_trust_region as _projected_trust_region)
from fastnewton._quasi_newton import QuasiNewtonHessian, quasi_newton_hessian
from fastnewton._report import IterationReporter, summarize
from fastnewton._second_differences import ValuesHessian
from fastnewton._start import NonFiniteStart
from fastnewton._status import Status
from fastnewton._subproblems import DoglegSubproblem, ExactSubproblem, SteihaugSubproblem
from fastnewton._trust_region import trust_region as _trust_region_driver

# Options scipy's `minimize` may hand a custom method that have no meaning here.
_SCIPY_PASSTHROUGH = ("tol",)

_MESSAGES = {
    Status.SUCCESS: "Optimization terminated successfully: the gradient norm is at most gtol.",
    Status.MAXITER: "Maximum number of iterations has been exceeded.",
    Status.LINALG_ERROR: ("A linear algebra error occurred: the Hessian could not be factorized "
                          "even after modification."),
    Status.NONFINITE: ("The objective or its derivatives returned non-finite values (inf or "
                       "NaN) and no shorter step gave finite ones."),
    Status.SADDLE: ("Stopped at a stationary point where the Hessian has negative curvature "
                    "that no step could use: a saddle, not a minimum."),
    Status.CALLBACK_STOP: "`callback` raised `StopIteration`.",
}
# The driver's counters that mean something for each method; the others are
# always zero for it and are left out of its result.
_METHOD_FIELDS = {
    "newton": ("n_hess_modified", "hess_shift_max", "n_factorizations"),
    "trust-exact": ("trust_radius", "n_rejected", "n_hard_case", "n_factorizations"),
    "dogleg": ("trust_radius", "n_rejected", "n_hess_modified", "hess_shift_max",
               "n_factorizations"),
    "trust-ncg": ("trust_radius", "n_rejected"),
    "newton-cg": ("n_cg_iterations",),
    "trust-krylov": ("trust_radius", "n_rejected", "n_hard_case"),
}
# Methods that use the Hessian only through products.
_PRODUCTS_ONLY = ("trust-ncg", "newton-cg", "trust-krylov")
_LINE_SEARCH = ("newton", "newton-cg")
_STEP_TEST_MESSAGE = ("Optimization terminated successfully: the average step |Δx| is at most "
                      "xtol (scipy's Newton-CG test).")
_NO_PROGRESS = {
    "trust": ("No further progress possible: the predicted decrease or the trust radius fell "
              "to rounding level before the gradient norm reached gtol."),
    "line search": ("No further progress possible: the line search found no step with "
                    "sufficient decrease before the gradient norm reached gtol."),
}


def _run(method, fun, x0, args, jac, hess, hessp, callback, tol, bounds, constraints, options):
    """Validate, run the compiled driver of `method`, and build the OptimizeResult."""
    fun, jac = _unwrap_scipy_memoization(fun, jac)
    factorizes = method not in _PRODUCTS_ONLY
    jac, hess, hessp = _options.check_derivatives(fun, jac, hess, hessp, factorizes)
    if callback is not None and not callable(callback):
        raise TypeError("callback must be callable or None, got %s" % type(callback).__name__)
    x = _options.as_start_point(x0)
    n = x.size
    box = _options.as_box(bounds, constraints, n)
    if box is not None:
        _check_bounded_method(method, hess)
        # Into the box, as scipy's bounded methods do (a copy: x0 is the user's).
        x = np.clip(x, *box)
    args = _options.as_args(args)
    opts = _options.parse_options(method, n, options, tol, _SCIPY_PASSTHROUGH)
    strategy = hess if isinstance(hess, HessianUpdateStrategy) else None
    if strategy is not None:
        if opts["bandwidth"] is not None:
            raise ValueError("the 'bandwidth' option does not apply to a quasi-Newton hess=%s(), "
                             "whose approximation is dense" % type(strategy).__name__)
        # B is a secant approximation: its curvature is no evidence about
        # ∇²f, so no saddle escape (and no second-order test) is run on it.
        opts["escape_saddles"] = False
    user_hess = hess
    jac, hess, derived = _derivatives.derived_derivatives(fun, jac, hess, hessp, opts["rel_step"],
                                                          opts["bandwidth"], box is not None)
    objective = Objective(fun, jac, None if strategy is not None else hess, hessp, args, n,
                          opts["rel_step"])
    if box is not None:
        objective.set_box(*box)
        if opts["check_derivatives"]:
            raise ValueError("check_derivatives=True differences the user's functions around "
                             "x0 without regard to bounds; it cannot be used with finite bounds")
    if isinstance(hess, ValuesHessian):
        hess.attach(objective)
    products_only = hess is None and hessp is not None
    banded = opts["bandwidth"] is not None and not products_only
    if strategy is not None:
        storage = quasi_newton_hessian(strategy, n, not factorizes)
    elif banded:
        storage = BandedHessian(n, opts["bandwidth"])
    elif factorizes:
        storage = DenseHessian(n)
    else:
        storage = HessianProducts(objective)
    gradient_is_users = jac is True or (callable(jac) and jac not in derived)
    # Checks outside the drivers use the user's own derivatives, counted as the objective counts.
    calls = _CountedCalls(objective, fun, jac if gradient_is_users else None,
                          user_hess if callable(user_hess) else None, hessp, args)
    derivative_errors = None
    if opts["check_derivatives"]:
        derivative_errors = _derivative_check.check_derivatives(
            calls.value, calls.gradient, calls.hess, calls.hessp, x, opts["bandwidth"])
    # The band probe steps along directions that may leave the box: not with bounds.
    if banded and opts["check_bandwidth"] and calls.gradient is not None and box is None:
        _probe_bandwidth(calls, hess, x, opts, storage)
    wants_report = callback is not None or opts["disp"] or opts["return_all"]
    reporter = (IterationReporter(callback, opts["disp"], opts["return_all"],
                                  "alpha" if method in _LINE_SEARCH else "radius")
                if wants_report else None)
    if reporter is not None:
        reporter.start(x)
    try:
        out = (_drive(method, objective, x, storage, opts, reporter) if box is None
               else _drive_bounded(method, objective, x, storage, box, opts, reporter))
    except NonFiniteStart as start:
        return _finish(_failed_start(start, x, objective, derived), opts, reporter)
    finally:
        if isinstance(storage, QuasiNewtonHessian):
            storage.store_into(strategy)
    status = Status(out.pop("status"))
    gradient_norm2 = out.pop("gradient_norm2")
    stopped_on_step = out.pop("stopped_on_step", False)
    if status == Status.NO_PROGRESS:
        message = _NO_PROGRESS["line search" if method in _LINE_SEARCH else "trust"]
    elif stopped_on_step:
        message = _STEP_TEST_MESSAGE
    else:
        message = _MESSAGES[status]
    result = OptimizeResult(
        x=out.pop("x"), fun=out.pop("fun"), jac=out.pop("jac"), nit=out.pop("nit"),
        status=int(status), success=status == Status.SUCCESS, message=message,
        **{name: out[name] for name in _METHOD_FIELDS[method]})
    hess_array = storage.to_array()
    if hess_array is not None:
        result.hess = hess_array
        result.hess_inv = InverseHessian(hess_array, opts["bandwidth"] if banded else None)
    # The second-order certificate of the returned point (none after a
    # non-finite Hessian: there is nothing trustworthy to classify). For
    # products-only Hessians it may call the user's functions: count those.
    if box is None:
        result.critical_point = (None if status == Status.NONFINITE
                                 else _critical.certify_result(storage, gradient_norm2))
    else:
        result.active_mask = _kkt.active_mask(result.x, result.jac, *box)
        result.critical_point = (None if status == Status.NONFINITE else _kkt.certify_bounded(
            storage, result.x, result.jac, box, opts["gtol"]))
    classified = result.critical_point if box is None or result.critical_point is None \
        else result.critical_point.reduced     # a KKT point classifies B on the free variables
    if strategy is not None and classified is not None:
        classified.method += " of the quasi-Newton approximation"
    result.nfev, result.njev, result.nhev = _derivatives.user_counts(objective, derived)
    point = result.critical_point
    if (box is None and opts["escape_saddles"] and status == Status.SUCCESS and not stopped_on_step
            and point is not None and point.kind in ("saddle", "maximum")):
        # Only the products-only methods get here ('trust-krylov' when its
        # Lanczos probe missed the curvature): the gradient test passed at a
        # point the certificate shows is not a minimum. Say so rather than
        # report success.
        status = Status.SADDLE
        result.update(status=int(status), success=False, message=(
            "The gradient norm is at most gtol, but the Hessian there has negative curvature: "
            "not a minimum. '%s' cannot step along it at a stationary point; use a smaller "
            "gtol, 'trust-krylov' or a factorizing method ('trust-exact', 'newton', 'dogleg')."
            % method))
    if derivative_errors is not None:
        result.derivative_errors = derivative_errors
    return _finish(result, opts, reporter)


def _drive(method, objective, x, storage, opts, reporter):
    """Run the compiled driver of `method`; its raw output dict."""
    n = x.size
    if method == "newton":
        return _newton_driver(objective, x, storage, opts["gtol"], opts["inf_norm"],
                              opts["maxiter"], opts["c1"], opts["c2"], reporter,
                              opts["escape_saddles"])
    if method == "newton-cg":
        return _newton_cg_driver(objective, x, storage, opts["gtol"], opts["xtol"],
                                 opts["inf_norm"], opts["maxiter"], opts["c1"], opts["c2"],
                                 reporter)
    subproblem = _subproblem(method, n, opts)
    second_order_test = None
    if method == "trust-ncg" and opts["escape_saddles"]:
        # CG cannot leave a stationary point; trust-krylov's Lanczos probe
        # tests it and supplies the step along negative curvature.
        subproblem = SteihaugSubproblem(n, 0, KrylovSubproblem(n, 0, True))
        second_order_test = subproblem.has_no_negative_curvature
    elif method == "trust-krylov" and opts["escape_saddles"]:
        # Lanczos sees negative curvature with products alone.
        second_order_test = subproblem.has_no_negative_curvature
    return _trust_region_driver(objective, x, storage, subproblem,
                                *_options.trust_radius_policy(opts), opts["eta"], opts["gtol"],
                                opts["inf_norm"], opts["maxiter"], reporter,
                                opts["escape_saddles"], second_order_test)


def _subproblem(method, n, opts):
    """The trust-region subproblem solver of `method` for n variables."""
    if method == "dogleg":
        return DoglegSubproblem(n)
    if method == "trust-exact":
        return ExactSubproblem(n, opts["subproblem_maxiter"])
    if method == "trust-krylov":
        return KrylovSubproblem(n, opts["subproblem_maxiter"] or 0, opts["inexact"])
    return SteihaugSubproblem(n)


def _check_bounded_method(method, hess):
    """Refuse finite bounds where they cannot be honoured yet.

    'Newton-CG' has no bounded form. Finite-difference gradients, Hessians
    and Hessian-vector products all stay inside the box
    (`Objective.set_box`; with bounds the Hessian is differences of the
    gradient, not second differences of f). The projected trust region
    takes a quasi-Newton B as it takes H (updated at each accepted point);
    the projected Newton method does not restart B when its search fails,
    as `newton` does, so it refuses one.
    """
    if method == "newton-cg":
        raise ValueError(
            "method='Newton-CG' does not take bounds; with bounds use 'trust-ncg' or "
            "'trust-krylov' (Hessian-vector products), or 'trust-exact' or 'newton' (Hessians), "
            "which project onto the box")
    if method == "newton" and isinstance(hess, HessianUpdateStrategy):
        raise ValueError(
            "method='newton' does not take a quasi-Newton hess=%s() with bounds; use "
            "'trust-exact', 'dogleg', 'trust-ncg' or 'trust-krylov', or pass hess=callable"
            % type(hess).__name__)


def _drive_bounded(method, objective, x, storage, box, opts, reporter):
    """Run the bounded driver of `method` over `box` = (lower, upper); its raw output dict."""
    n = x.size
    lower, upper = box
    if method == "newton":
        return _projected_newton(objective, x, storage, lower, upper, opts["gtol"],
                                 opts["inf_norm"], opts["maxiter"], opts["c1"], opts["c2"],
                                 opts["escape_saddles"], reporter)
    return _projected_trust_region(objective, x, storage, _subproblem(method, n, opts),
                                   lower, upper, *_options.trust_radius_policy(opts),
                                   opts["eta"], opts["gtol"], opts["inf_norm"], opts["maxiter"],
                                   reporter, method in ("trust-exact", "dogleg"))


def _failed_start(start, x, objective, derived):
    """The result of a run whose f, ∇f or H is not finite at x0: status 4, as scipy's methods."""
    result = OptimizeResult(
        x=x, fun=start.fun, jac=start.jac if start.jac is not None else np.full(x.size, np.nan),
        nit=0, status=int(Status.NONFINITE), success=False,
        message="The %s at x0 is not finite (inf or NaN); start from a point where the "
                "objective and its derivatives are finite." % start.what,
        critical_point=None)
    result.nfev, result.njev, result.nhev = _derivatives.user_counts(objective, derived)
    return result


def _finish(result, opts, reporter):
    """Attach `allvecs`, and with `disp` show the summary (see `_report.summarize`)."""
    if reporter is not None and reporter.allvecs is not None:
        result.allvecs = reporter.allvecs
    if opts["disp"]:
        summarize(result)
    return result


def _unwrap_scipy_memoization(fun, jac):
    """scipy's `minimize` hands a custom method ``jac=True`` as fun=MemoizeJac(fun), jac=its
    `derivative`; give the compiled objective the user's function back, with ``jac=True``.

    MemoizeJac keeps only the last point, so the objective's calls at other
    points (finite-difference Hessians, trial points) would be split between
    the two wrappers and the counts would not be the user's calls.
    """
    if (isinstance(fun, MemoizeJac) and getattr(jac, "__self__", None) is fun
            and getattr(jac, "__func__", None) is MemoizeJac.derivative):
        return fun.fun, True
    return fun, jac


class _CountedCalls:
    """The user's functions with `args` bound, counted (as the objective counts) once they return.

    For checks made outside the compiled drivers; `gradient` is None when
    the gradient comes from finite differences, `hess`/`hessp` when not given.
    """

    def __init__(self, objective, fun, jac, hess, hessp, args):
        self.objective, self.fun, self.jac, self.args = objective, fun, jac, args
        self.gradient = self._gradient if (jac is True or callable(jac)) else None
        self.hess = self._counted_hessian(hess) if callable(hess) else None
        self.hessp = self._counted_hessian(hessp) if callable(hessp) else None

    def value(self, point):
        result = self.fun(point, *self.args)
        self.objective.nfev += 1
        return result[0] if self.jac is True else result

    def _gradient(self, point):
        if self.jac is True:
            gradient = self.fun(point, *self.args)[1]
            self.objective.nfev += 1
        else:
            gradient = self.jac(point, *self.args)
        self.objective.njev += 1
        return gradient

    def _counted_hessian(self, function):
        """`hess` or `hessp` with args bound, each call counted in nhev once it returns."""
        def call(*arguments):
            result = function(*arguments, *self.args)
            self.objective.nhev += 1
            return result
        return call


def _probe_bandwidth(calls, hess, x, opts, storage):
    """Warn at x0 on a band in the wrong layout or too narrow for the function (see _band_check).

    Analytic bands and finite-difference ones alike: two gradient calls
    beyond the band itself, which `storage` keeps as the Hessian at x0.
    """
    if calls.hess is not None:
        band = _band_check.as_band(calls.hess(x.copy()), opts["bandwidth"], x.size)
    else:
        band = finite_difference_hessian(calls.gradient, x, (),
                                         hess if hess == "3-point" else "2-point",
                                         opts["rel_step"], opts["bandwidth"])
    _band_check.check_bandwidth(calls.gradient, x, band)
    storage.preload(band)


def newton(fun: Callable[..., Any], x0: ArrayLike, args: Any = (),
       jac: Callable[..., Any] | bool | str | None = None,
       hess: Callable[..., Any] | str | None = None, hessp: Callable[..., Any] | None = None,
       callback: Callable[..., Any] | None = None, tol: float | None = None,
       bounds: None = None, constraints: Any = None, **options: Any) -> OptimizeResult:
    """Minimize by Newton's method with a modified Cholesky factorization and a line search.

    Each direction solves (H + τI) d = −∇f, where τ ≥ 0 is the smallest
    multiple of the identity found by doubling that makes the Cholesky
    factorization succeed (Nocedal & Wright 2006, Alg. 3.3): τ = 0 whenever H
    is positive definite, so the pure Newton step is kept near a minimizer,
    and d is a descent direction even where H is indefinite. Where that τ
    (at least 10⁻³·‖H‖∞) far exceeds the most negative curvature c found by
    inverse iteration, √(τ·2|c|) is used instead, so d is not short along
    the directions of small curvature; a d longer than 1.75·max(1, ‖x‖) is
    replaced by the trust-region step of that length. Once the search has
    cut a step short, later directions are bounded too, by the length it
    accepted; each step then taken whole raises that bound to at least
    twice its length, as a trust radius would grow. The step length
    satisfies the strong Wolfe conditions (Alg. 3.5–3.6), trying 1 first.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> float``; with ``jac=True`` it returns ``(f, g)``.
    x0 : array_like, shape (n,)
        Starting point: a 1-D array, a list, or a scalar for one variable
        (copied; more dimensions are refused, as by scipy).
    args : tuple, optional
        Extra arguments passed to `fun`, `jac` and `hess`.
    jac : callable, True, '2-point', '3-point' or 'cs', optional
        Gradient ``jac(x, *args) -> (n,)``. None (the default) or a string:
        finite differences of `fun` ('cs': complex steps, `fun` must accept
        complex x).
    hess : callable, '2-point', '3-point', 'cs' or HessianUpdateStrategy, optional
        Hessian ``hess(x, *args) -> (n, n)`` ndarray. None or '2-point' /
        '3-point': forward / central finite differences of the gradient (n or
        2n gradient calls per iteration, compiled). When the gradient itself
        comes from differences, second differences of `fun` instead, step
        ε^¼·max(1, abs(x_j)): central (n(n + 1) calls per Hessian) unless
        '2-point' asks for forward ones (n(n + 3)/2 calls); with no
        derivative at all the gradient is then a central difference too.
        'cs': complex steps of an analytic `jac` that accepts complex x.
        A `scipy.optimize.HessianUpdateStrategy` (``BFGS()``, ``SR1()`` or
        your own): a secant approximation B built from gradients alone,
        updated at each new point; scipy's own `BFGS` and `SR1` update in
        compiled code with scipy's formulas and all their options, any other
        strategy is called through its ``initialize`` / ``update`` /
        ``get_matrix`` (``dot`` for products-only methods). As scipy does,
        the instance is initialized and updated: after the run it holds the
        final B. B says nothing certain about ∇²f, so with it there is no
        saddle escape (success is the gradient test alone) and
        `critical_point` classifies B.
    hessp : callable, optional
        Not used by this method (it factorizes H); give `hess`.
    callback : callable, optional
        ``callback(xk)`` or ``callback(intermediate_result)``, after each
        iteration; raise `StopIteration` to stop (status 99).
    tol : float, optional
        Default for `gtol`.
    bounds : None, sequence of (min, max) pairs or scipy.optimize.Bounds, optional
        Box constraints lo <= x <= hi (None or ±inf, or anything beyond ±1e20,
        for none). With finite bounds 'trust-exact', 'dogleg', 'trust-ncg'
        and 'trust-krylov' run a projected trust-region Newton method (Lin &
        Moré 1999) and 'newton' a projected Newton method (Bertsekas 1982);
        `x0` is projected into the box, every point the functions see
        (finite-difference steps included) lies in it, success means
        ‖P(x − ∇f) − x‖ <= gtol, and the result adds ``active_mask`` (−1 at
        a lower bound, +1 at an upper one, 0 free) and a ``KKTPoint`` as
        ``critical_point``. 'Newton-CG' does not take bounds, nor does
        'newton' with a quasi-Newton `hess`. All-infinite bounds change
        nothing.
    constraints : empty sequence, optional
        Constraints other than bounds are not taken; constraints must be empty.
    **options
        gtol : float
            Stop when ‖∇f‖ ≤ gtol (default <default gtol>).
        norm : 2 or inf
            The norm of that test (default <default norm>).
        escape_saddles : bool
            Default True: a point with ‖∇f‖ ≤ gtol where H has curvature
            below −tol (tol = √ε·‖H‖∞) is left along the direction of most
            negative curvature, so success means a second-order point.
            With bounds, the curvature is sought on the free variables and
            those on a bound with a multiplier below gtol, and followed
            into the box (a degenerate corner is left where one eigenvector
            shows the way; in general that test is NP-hard).
            False: stop at any point passing the gradient test.
        maxiter : int
            Most iterations (default 200·n); 0 evaluates x0 only. Integral
            floats (``1e3``) are accepted, as by scipy.
        c1, c2 : float
            Strong Wolfe constants (default <default c1>, <default c2>).
    <band options>
        finite_diff_rel_step : float
            Relative finite-difference step (default √ε forward, ∛ε central,
            ε^¼ for second differences of `fun`).
        disp : bool
            Print one row per iteration and a summary; a run that does not
            succeed warns its message as a RuntimeWarning, as in scipy.
        return_all : bool
            Keep every iterate in ``res.allvecs``.

    Returns
    -------
    OptimizeResult
<result fields>

    Raises
    ------
    ValueError, TypeError
        For invalid arguments or options, a non-finite or multi-dimensional
        `x0`, finite bounds, constraints, or callback results of the wrong
        shape or type. A non-finite f, ∇f or H at `x0` is not an error: the
        result then has ``success=False`` and status 4, as in scipy.

    Examples
    --------
    >>> import numpy as np
    >>> import fastnewton
    >>> from fastnewton.problems import rosenbrock
    >>> p = rosenbrock(2)
    >>> res = fastnewton.minimize(p.fun, p.x0, method="newton", jac=p.jac, hess=p.hess)
    >>> res.success, np.allclose(res.x, [1.0, 1.0])
    (True, True)
    """
    return _run("newton", fun, x0, args, jac, hess, hessp, callback, tol, bounds, constraints,
                options)


_TRUST_OPTIONS = """    **options
        gtol : float
            Stop when ‖∇f‖ ≤ gtol (default <default gtol>).
        norm : 2 or inf
            The norm of that test (default <default norm>).
        escape_saddles : bool
            Default True: at a point with ‖∇f‖ ≤ gtol where H has curvature
            below −tol the iteration goes on (the subproblem steps along the
            negative curvature), so success means a second-order point.
            False: stop at any point passing the gradient test. ('trust-ncg'
            sees only products: it tests a stationary point by Lanczos from a
            fixed pseudo-random vector and steps along the curvature it finds,
            as 'trust-krylov' does.)
        maxiter : int
            Most iterations (default 200·n); 0 evaluates x0 only. Integral
            floats (``1e3``) are accepted, as by scipy.
        initial_trust_radius, max_trust_radius : float
            Radius to start with and its cap. By default (None) they follow
            the problem's scale: the radius starts at the length of the
            Cauchy step, ‖g‖³/gᵀHg at x0 (max(1, ‖x0‖) where gᵀHg ≤ 0), and
            is capped at 1000·max(1, ‖x‖); with ``hess=SR1()`` the start is
            at most max(1, ‖x0‖). scipy's fixed 1 and 1000 take a
            thousand iterations to reach a minimizer 10⁶ away; pass them to
            get scipy's iterates. A value given is used as given.
        eta : float
            Steps with actual/predicted decrease above eta are accepted,
            0 ≤ eta < 0.25 (default <default eta>).
    <band options>
        finite_diff_rel_step : float
            Relative finite-difference step (default √ε forward, ∛ε central,
            ε^¼ for second differences of `fun`).
        disp : bool
            Print one row per iteration and a summary; a run that does not
            succeed warns its message as a RuntimeWarning, as in scipy.
        return_all : bool
            Keep every iterate in ``res.allvecs``.
"""


def trust_exact(fun: Callable[..., Any], x0: ArrayLike, args: Any = (),
            jac: Callable[..., Any] | bool | str | None = None,
            hess: Callable[..., Any] | str | None = None, hessp: Callable[..., Any] | None = None,
            callback: Callable[..., Any] | None = None, tol: float | None = None,
            bounds: None = None, constraints: Any = None, **options: Any) -> OptimizeResult:
    """Minimize by a trust-region method with the nearly exact subproblem solution.

    The subproblem is solved by the safeguarded λ iteration of Moré &
    Sorensen (1983) on Cholesky factorizations of H + λI, including the hard
    case, so indefinite Hessians are handled.

    Parameters
    ----------
    fun, x0, args, jac, hess, callback, tol, bounds, constraints
        As for `fastnewton.newton`.
    hessp : callable, optional
        Not used (the method factorizes H); give `hess`.
    <trust-region options>
        subproblem_maxiter : int
            Most λ iterations per subproblem (default <default subproblem_maxiter>).

    Returns
    -------
    OptimizeResult
<result fields>

    Raises
    ------
    ValueError, TypeError
        As for `fastnewton.newton`.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.optimize
    >>> import fastnewton
    >>> from fastnewton.problems import rosenbrock
    >>> p = rosenbrock(10)
    >>> res = scipy.optimize.minimize(p.fun, np.full(10, 0.5), method=fastnewton.trust_exact,
    ...                               jac=p.jac, hess=p.hess)
    >>> res.success, np.allclose(res.x, np.ones(10), atol=1e-6), res.critical_point.kind
    (True, True, 'minimum')
    """
    return _run("trust-exact", fun, x0, args, jac, hess, hessp, callback, tol, bounds,
                constraints, options)


def dogleg(fun: Callable[..., Any], x0: ArrayLike, args: Any = (),
       jac: Callable[..., Any] | bool | str | None = None,
       hess: Callable[..., Any] | str | None = None, hessp: Callable[..., Any] | None = None,
       callback: Callable[..., Any] | None = None, tol: float | None = None,
       bounds: None = None, constraints: Any = None, **options: Any) -> OptimizeResult:
    """Minimize by Powell's dogleg trust-region method, indefinite Hessians included.

    Where H is not positive definite, the Newton point is taken from the
    modified Cholesky factorization of H + τI, and the step is replaced by
    the Cauchy point of the true model whenever that lowers the model more.
    Such iterations show "H modified" in the `disp` table and are counted in
    ``res.n_hess_modified``. (scipy's dogleg stops with a linalg error there.)

    Parameters
    ----------
    fun, x0, args, jac, hess, callback, tol, bounds, constraints
        As for `fastnewton.newton`.
    hessp : callable, optional
        Not used (the method factorizes H); give `hess`.
    <trust-region options>
    Returns
    -------
    OptimizeResult
<result fields>

    Raises
    ------
    ValueError, TypeError
        As for `fastnewton.newton`.

    Examples
    --------
    >>> import numpy as np
    >>> import fastnewton
    >>> from fastnewton.problems import rosenbrock
    >>> p = rosenbrock(2)
    >>> res = fastnewton.minimize(p.fun, p.x0, method="dogleg", jac=p.jac, hess=p.hess)
    >>> res.success, np.allclose(res.x, [1.0, 1.0], atol=1e-6)
    (True, True)
    """
    return _run("dogleg", fun, x0, args, jac, hess, hessp, callback, tol, bounds, constraints,
                options)


def trust_ncg(fun: Callable[..., Any], x0: ArrayLike, args: Any = (),
          jac: Callable[..., Any] | bool | str | None = None,
          hess: Callable[..., Any] | str | None = None, hessp: Callable[..., Any] | None = None,
          callback: Callable[..., Any] | None = None, tol: float | None = None,
          bounds: None = None, constraints: Any = None, **options: Any) -> OptimizeResult:
    """Minimize by a trust-region method with truncated conjugate gradients (Steihaug–Toint).

    Needs only Hessian-vector products: from `hessp`, from `hess` (a dense
    array, a scipy.sparse matrix or a LinearOperator), or, when neither is
    given, from finite differences of `jac` (one gradient per product).

    Parameters
    ----------
    fun, x0, args, jac, callback, tol, bounds, constraints
        As for `fastnewton.newton`.
    hess : callable, '2-point', '3-point' or HessianUpdateStrategy, optional
        ``hess(x, *args)`` returning anything with ``@``: ndarray, sparse
        matrix or LinearOperator; or a quasi-Newton strategy, as for
        `fastnewton.newton` (multiplied as B·p; the result then also holds
        the final B as ``hess`` and its inverse as ``hess_inv``).
    hessp : callable, optional
        ``hessp(x, p, *args) -> (n,)``, the product H(x) p.
    <trust-region options>
    Returns
    -------
    OptimizeResult
<result fields>

    Raises
    ------
    ValueError, TypeError
        As for `fastnewton.newton`.

    Examples
    --------
    >>> import numpy as np
    >>> import fastnewton
    >>> from fastnewton.problems import rosenbrock
    >>> p = rosenbrock(10)
    >>> res = fastnewton.minimize(p.fun, p.x0, method="trust-ncg", jac=p.jac, hessp=p.hessp)
    >>> res.success, np.allclose(res.x, np.ones(10), atol=1e-5)
    (True, True)
    """
    return _run("trust-ncg", fun, x0, args, jac, hess, hessp, callback, tol, bounds,
                constraints, options)


def newton_cg(fun: Callable[..., Any], x0: ArrayLike, args: Any = (),
              jac: Callable[..., Any] | bool | str | None = None,
              hess: Callable[..., Any] | str | None = None, hessp: Callable[..., Any] | None = None,
              callback: Callable[..., Any] | None = None, tol: float | None = None,
              bounds: None = None, constraints: Any = None, **options: Any) -> OptimizeResult:
    """Minimize by truncated Newton (Newton-CG): CG on H d = −∇f, then a strong Wolfe line search.

    scipy's ``method='Newton-CG'`` with the iterations compiled. Each
    direction is the conjugate-gradient approximation of the Newton step,
    stopped when the residual falls below min(0.5, √‖∇f‖)·‖∇f‖ or when a
    direction of non-positive curvature appears (the iterate so far is then
    used, or −∇f on the first CG iteration). Only Hessian-vector products
    are used, so memory is O(n) whatever the Hessian source. Like scipy's, it
    does not step off an exact saddle: such a point is reported with status 5.

    Parameters
    ----------
    fun, x0, args, jac, callback, tol, bounds, constraints
        As for `fastnewton.newton`.
    hess : callable, '2-point', '3-point' or HessianUpdateStrategy, optional
        ``hess(x, *args)`` returning an ndarray (multiplied in compiled
        code), a scipy.sparse matrix or a LinearOperator; with the
        ``bandwidth`` option, LAPACK lower band storage. None or a string
        (and no `hessp`): products by finite differences of `jac`, one
        gradient each (or the band from 2b + 1 gradients). A quasi-Newton
        strategy as for `fastnewton.newton` (multiplied as B·p; the result
        then also holds the final B as ``hess`` and its inverse as
        ``hess_inv``).
    hessp : callable, optional
        ``hessp(x, p, *args) -> (n,)``, the product H(x) p.
    **options
        gtol : float
            Stop when ‖∇f‖ ≤ gtol (default 1e-5, or 0 when only `xtol` is
            given and positive, so that a scipy call runs with scipy's test
            alone).
        xtol : float
            scipy's test: also stop, successfully, when the step just taken
            has an average abs(Δx_i) of at most xtol, i.e. ‖Δx‖₁ ≤ n·xtol
            (default 1e-5; 0 leaves only the gradient test).
        norm : 2 or inf
            The norm of the gradient test (default 2).
        maxiter : int
            Most iterations (default 200·n); 0 evaluates x0 only.
        c1, c2 : float
            Strong Wolfe constants (default 1e-4, 0.9).
        eps : float
            scipy's finite-difference step for Hessian products when neither
            `hess` nor `hessp` is given. Here it is relative: the product
            H v is (∇f(x + h v) − ∇f(x))/h with h = eps·(1 + ‖x‖)/‖v‖
            (default √ε, scipy's value). `finite_diff_rel_step` wins when
            both are given.
        workers
            Accepted for scipy compatibility (scipy ≥ 1.16 spreads finite
            differences over it) and ignored: the differences here run in
            compiled code in one process.
        escape_saddles : bool
            Accepted for symmetry with the other methods; Newton-CG cannot
            step off an exact stationary point either way, and a saddle is
            reported with status 5 when the certificate shows it.
    <band options>

    Returns
    -------
    OptimizeResult
<result fields>

    Raises
    ------
    ValueError, TypeError
        As for `fastnewton.newton`.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.optimize
    >>> import fastnewton
    >>> from fastnewton.problems import rosenbrock
    >>> p = rosenbrock(10)
    >>> res = scipy.optimize.minimize(p.fun, p.x0, method=fastnewton.newton_cg,
    ...                               jac=p.jac, hessp=p.hessp, options={"xtol": 1e-10})
    >>> res.success, np.allclose(res.x, np.ones(10), atol=1e-6)
    (True, True)
    """
    return _run("newton-cg", fun, x0, args, jac, hess, hessp, callback, tol, bounds,
                constraints, options)


def trust_krylov(fun: Callable[..., Any], x0: ArrayLike, args: Any = (),
                 jac: Callable[..., Any] | bool | str | None = None,
                 hess: Callable[..., Any] | str | None = None,
                 hessp: Callable[..., Any] | None = None,
                 callback: Callable[..., Any] | None = None, tol: float | None = None,
                 bounds: None = None, constraints: Any = None, **options: Any) -> OptimizeResult:
    """Minimize by a trust-region method with the GLTR (generalized Lanczos) subproblem.

    scipy's ``method='trust-krylov'`` with the iterations compiled. Each
    subproblem runs Lanczos on H from ∇f and solves the trust-region problem
    on the tridiagonal T_k exactly (Moré–Sorensen on O(k) factorizations),
    which equals Steihaug's CG inside the region but keeps improving along
    the boundary (Gould, Lucidi, Roma & Toint 1999). Only products are used.
    The hard case is solved by restarting Lanczos when it exhausts an
    invariant subspace, and an exact saddle is left along negative
    curvature found by Lanczos from a fixed pseudo-random vector (with
    ``escape_saddles``, the default), even with products alone.

    Parameters
    ----------
    fun, x0, args, jac, callback, tol, bounds, constraints
        As for `fastnewton.newton`.
    hess, hessp
        As for `fastnewton.newton_cg`.
    <trust-region options>
        inexact : bool
            True (default, as scipy): stop Lanczos when the residual is below
            min(0.5, √‖∇f‖)·‖∇f‖; False: below 10⁻⁸·‖∇f‖ (more products,
            sometimes fewer iterations).
        subproblem_maxiter : int
            Most Lanczos steps per subproblem (default min(n, 200)); the
            Lanczos vectors are kept, so memory is n times this.
        workers
            Accepted for scipy compatibility and ignored.

    Returns
    -------
    OptimizeResult
<result fields>

    Raises
    ------
    ValueError, TypeError
        As for `fastnewton.newton`.

    Examples
    --------
    >>> import numpy as np
    >>> import fastnewton
    >>> f = lambda x: x[0] ** 2 - x[1] ** 2 + x[1] ** 4 / 4          # saddle at the origin
    >>> g = lambda x: np.array([2 * x[0], -2 * x[1] + x[1] ** 3])
    >>> hp = lambda x, p: np.array([2 * p[0], (-2 + 3 * x[1] ** 2) * p[1]])
    >>> res = fastnewton.minimize(f, [0.0, 0.0], method="trust-krylov", jac=g, hessp=hp)
    >>> res.success, np.allclose(np.abs(res.x), [0.0, np.sqrt(2.0)])
    (True, True)
    """
    return _run("trust-krylov", fun, x0, args, jac, hess, hessp, callback, tol, bounds,
                constraints, options)


_BAND_OPTIONS = """        bandwidth : int
            Half-bandwidth b of a banded Hessian: `hess` then returns LAPACK
            lower band storage ``hess_band[k, j] = H[j + k, j]`` of shape
            (b + 1, n), or is left out and the band comes from 2b + 1
            gradient calls; memory O(n·b), no n-by-n array.
        check_bandwidth : bool
            Default True: with `bandwidth`, compare the band (analytic or
            from finite differences) with a central difference of `jac`
            along a random direction at x0 (two gradient calls) and warn
            (`BandwidthWarning`) on a band in the upper layout or narrower
            than the function's.
        check_derivatives : bool
            Default False: compare `jac` with central differences of `fun`
            and `hess` (or `hessp`) with central differences of `jac` at x0,
            warn (`DerivativeWarning`) on a mismatch, and report the worst
            relative errors as ``res.derivative_errors``."""

for _method in (trust_exact, dogleg, trust_ncg, trust_krylov):
    _method.__doc__ = _method.__doc__.replace("    <trust-region options>", _TRUST_OPTIONS.rstrip("\n"))
_RESULT_FIELDS = """        x : ndarray, shape (n,)
            The solution (the last accepted point).
        fun : float
            f(x).
        jac : ndarray, shape (n,)
            The gradient at x.
        nit : int
            Iterations.
        nfev, njev, nhev : int
            Calls of fun, jac and hess (or hessp), finite differences included.
        status : int
            0 converged (‖∇f‖ ≤ gtol, or for 'newton-cg' the step test with
            xtol, and no negative curvature with `escape_saddles`), 1
            iteration limit, 2 no further progress
            possible, 3 factorization failed, 4 non-finite values from the
            user's functions, 5 stopped at a stationary point with negative
            curvature (a saddle), 99 stopped by the callback.
        success : bool
            ``status == 0``.
        message : str
            What the status means, in words.
        critical_point : CriticalPoint or None
            The second-order certificate at x: minimum, maximum, saddle or
            degenerate, from the inertia of the Hessian there (None after
            non-finite values; for the products-only methods None when
            n > 200). With a quasi-Newton `hess` it classifies the
            approximation B, not ∇²f, and its `method` ends in "of the
            quasi-Newton approximation" (None for your own strategy on a
            products-only method, which sees B only through ``dot``).
        allvecs : list of ndarray
            Every iterate, x0 first (only with ``return_all=True``).
        derivative_errors : dict
            ``{'jac': ..., 'hess': ...}``, the worst relative errors against
            finite differences at x0 (only with ``check_derivatives=True``)."""

# The fields only some methods return (see `_METHOD_FIELDS`), documented once.
_FIELD_DOCS = {
    "hess": """        hess : ndarray
            The Hessian at x (band storage with the 'bandwidth' option; with
            a quasi-Newton `hess`, the final approximation B).""",
    "hess_inv": """        hess_inv : scipy.sparse.linalg.LinearOperator
            H(x)⁻¹, factorized on first use (``hess_inv.todense()`` for the
            matrix): at a maximum-likelihood estimate, the estimated
            covariance of the parameters.""",
    "trust_radius": """        trust_radius : float
            The final trust radius.""",
    "n_rejected": """        n_rejected : int
            Iterations whose step was rejected (the radius shrank).""",
    "n_hard_case": """        n_hard_case : int
            Subproblems solved in the hard case (g orthogonal to the
            eigenvector of the smallest eigenvalue).""",
    "n_hess_modified": """        n_hess_modified : int
            Iterations whose Hessian needed a shift τ > 0.""",
    "hess_shift_max": """        hess_shift_max : float
            The largest shift τ used.""",
    "n_factorizations": """        n_factorizations : int
            Cholesky factorizations, shifts and subproblem iterations included.""",
    "n_cg_iterations": """        n_cg_iterations : int
            Hessian products spent in CG. (Products-only certificates cost
            n products and are skipped above n = 200; with ``bandwidth`` the
            band is classified and returned as ``hess``.)""",
}


def _result_fields(method):
    """The Returns entries of `method`: the common fields, then its own."""
    own = ("hess", "hess_inv") if method not in _PRODUCTS_ONLY else ()
    return "\n".join((_RESULT_FIELDS,) + tuple(_FIELD_DOCS[name]
                                               for name in own + _METHOD_FIELDS[method]))


for _name, _method in (("newton", newton), ("trust-exact", trust_exact), ("dogleg", dogleg),
                       ("trust-ncg", trust_ncg), ("newton-cg", newton_cg),
                       ("trust-krylov", trust_krylov)):
    _method.__doc__ = _options.document_defaults(
        _method.__doc__.replace("    <band options>", _BAND_OPTIONS)
        .replace("<result fields>", _result_fields(_name)))
