"""The front door: `minimize`, dispatching by method name like scipy.optimize.minimize."""

from collections.abc import Callable
from typing import Any

from numpy.typing import ArrayLike
from scipy.optimize import OptimizeResult

from fastnewton._methods import dogleg, newton, newton_cg, trust_exact, trust_krylov, trust_ncg

METHODS = {
    "newton": newton,
    "trust-exact": trust_exact,
    "dogleg": dogleg,
    "trust-ncg": trust_ncg,
    "newton-cg": newton_cg,
    "trust-krylov": trust_krylov,
}


def minimize(fun: Callable[..., Any], x0: ArrayLike, args: Any = (),
             method: str | Callable[..., Any] | None = None,
             jac: Callable[..., Any] | bool | str | None = None,
             hess: Callable[..., Any] | str | None = None,
             hessp: Callable[..., Any] | None = None, bounds: Any = None,
             constraints: Any = (), tol: float | None = None,
             callback: Callable[..., Any] | None = None,
             options: dict[str, Any] | None = None) -> OptimizeResult:
    """Minimize a scalar function of one or more variables with second-order methods.

    The same call as `scipy.optimize.minimize` for its unconstrained Newton
    and trust-region methods; the iterations run in compiled code.

    Parameters
    ----------
    fun : callable
        ``fun(x, *args) -> float``, x of shape (n,). With ``jac=True`` it
        returns ``(f, g)``.
    x0 : array_like, shape (n,)
        Starting point: a 1-D array, a list, or a scalar for one variable;
        copied. More dimensions are refused, as by scipy.
    args : tuple, optional
        Extra arguments for `fun`, `jac`, `hess`, `hessp`.
    method : str or callable, optional
        'trust-exact' (the default, None), 'newton', 'dogleg', 'trust-ncg',
        'Newton-CG' or 'trust-krylov' (case-insensitive, as in scipy); the
        same methods are the callables `fastnewton.trust_exact`, ... for use as
        ``scipy.optimize.minimize(..., method=fastnewton.trust_exact)``.
        Any other scipy-style method callable is called as scipy calls it.
    jac : callable, True, '2-point', '3-point' or 'cs', optional
        The gradient; finite differences of `fun` when a string or None
        ('cs': complex steps, `fun` must accept complex x).
    hess : callable, '2-point', '3-point' or 'cs', optional
        The Hessian (dense ndarray; for 'trust-ncg' also a sparse matrix or
        LinearOperator); finite differences of the gradient when a string
        or None, or second differences of `fun` when the gradient too comes
        from differences, so ``minimize(fun, x0)`` needs no derivative.
    hessp : callable, optional
        ``hessp(x, p, *args)``, the Hessian-vector product ('trust-ncg').
    bounds : None, sequence of (min, max) pairs or scipy.optimize.Bounds, optional
        Box constraints lo <= x <= hi, as scipy takes them; with finite ones
        every method but 'Newton-CG' runs its projected form (see
        `fastnewton.newton` for what that means and what the result adds).
    constraints : empty sequence, optional
        Constraints other than bounds are not taken; constraints must be empty.
    tol : float, optional
        Default for the ``gtol`` option.
    callback : callable, optional
        ``callback(xk)`` or ``callback(intermediate_result)`` after each
        iteration; raising `StopIteration` stops the run with status 99.
    options : dict, optional
        Method options; unknown names draw an OptimizeWarning. Every method:

        - ``gtol`` (1e-5): stop when ‖∇f‖ ≤ gtol; ``norm`` (2 or ``np.inf``)
          is the norm of that test.
        - ``maxiter`` (200·n): most iterations.
        - ``escape_saddles`` (True): success needs no curvature below −tol
          at x as well; False is the first-order test alone.
        - ``bandwidth`` (None): half-bandwidth b of a banded Hessian; `hess`
          then returns LAPACK lower band storage ``hess_band[k, j] =
          H[j + k, j]`` of shape (b + 1, n), or is left out (2b + 1
          gradient calls per Hessian).
        - ``check_bandwidth`` (True): with ``bandwidth``, compare the band
          with a central difference of `jac` at x0 and warn
          (`BandwidthWarning`) on a wrong layout or a too-narrow band.
        - ``check_derivatives`` (False): compare `jac` with differences of
          `fun` and `hess` with differences of `jac` at x0, warn
          (`DerivativeWarning`) on a mismatch, and report the worst relative
          errors as ``res.derivative_errors``.
        - ``finite_diff_rel_step``: relative finite-difference step.
        - ``disp`` (False): print a row per iteration and a summary;
          ``return_all`` (False): keep every iterate in ``res.allvecs``.

        'newton': ``c1``, ``c2`` (1e-4, 0.9), the strong Wolfe constants.
        Trust-region methods: ``initial_trust_radius`` (the Cauchy step
        length at x0), ``max_trust_radius`` (1000·max(1, ‖x‖); pass 1.0 and
        1000.0 for scipy's fixed values), ``eta`` (0.15); 'trust-exact' also
        ``subproblem_maxiter`` (25). Each method's docstring says more.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x, fun, jac, nit, nfev, njev, nhev, status, success, message,
        critical_point``, ``hess`` and ``hess_inv`` for the methods that form
        H, and each method's own counters (see its docstring). ``success`` is
        True only when ‖∇f(x)‖ ≤ gtol held at the returned x (and, with
        ``escape_saddles``, H there has no curvature below −tol). Status
        codes: 0 converged, 1 iteration limit, 2 no further progress
        possible, 3 factorization failed, 4 non-finite values from the
        user's functions (also at `x0`: no exception, as in scipy), 5
        stopped at a stationary point with negative curvature (a saddle), 99
        stopped by the callback. ``nfev``, ``njev``, ``nhev`` count the
        calls of `fun`, `jac` and `hess`/`hessp`, finite differences included.

    Raises
    ------
    ValueError
        Unknown method, invalid options, a non-finite, empty or
        multi-dimensional `x0`, invalid bounds (min > max, NaN, wrong
        length), constraints, or callback
        results of the wrong shape.
    TypeError
        Arguments of the wrong type, or `fun` returning something that is
        not a real number.

    Examples
    --------
    >>> import numpy as np
    >>> import fastnewton
    >>> def f(x):
    ...     return (x[0] - 1.0) ** 2 + 10.0 * (x[1] + 2.0) ** 2
    >>> def grad(x):
    ...     return np.array([2.0 * (x[0] - 1.0), 20.0 * (x[1] + 2.0)])
    >>> def hess(x):
    ...     return np.diag([2.0, 20.0])
    >>> res = fastnewton.minimize(f, [0.0, 0.0], method="newton", jac=grad, hess=hess)
    >>> res.nit, np.allclose(res.x, [1.0, -2.0])
    (2, True)
    """
    if options is not None and not isinstance(options, dict):
        raise TypeError("options must be a dict, got %s" % type(options).__name__)
    options = dict(options or {})
    if tol is not None:
        # As scipy hands `tol` to a custom method: an option, which our
        # methods read as their `tol` argument.
        options.setdefault("tol", tol)
    if method is None:
        method = "trust-exact"
    if isinstance(method, str):
        solver = METHODS.get(method.lower())
        if solver is None:
            raise ValueError("unknown method %r; choose one of %s"
                             % (method, ", ".join(repr(name) for name in METHODS)))
    elif callable(method):
        solver = method     # ours, or any other scipy-style method callable
    else:
        raise TypeError("method must be a string or a callable, got %s" % type(method).__name__)
    return solver(fun, x0, args=args, jac=jac, hess=hess, hessp=hessp, bounds=bounds,
                  constraints=constraints, callback=callback, **options)
