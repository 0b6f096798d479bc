"""`minimize_batch`: many independent small problems solved together, and its `BatchResult`.

The Python here validates the arguments and builds the result; the
iterations, the linear algebra and the bookkeeping of which problems are
still running are compiled (`fastnewton._batch`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import OptimizeResult

from fastnewton import _critical, _kkt, _options
from fastnewton._batch import BatchObjective, BatchSolver
from fastnewton._curvature import certify_stack
from fastnewton._methods import _MESSAGES, _NO_PROGRESS
from fastnewton._report import BatchProgress
from fastnewton._status import Status

METHODS = ("trust-exact", "newton")

# The default rows per callback call keep about this many entries of X and
# of the rows' `batch_args` in a block (and so of the user's temporaries,
# which take those shapes): 256 KiB, which stays in a core's L2 cache.
# Measured with numpy callbacks: at n = 1000, blocks of 16–64 rows ran about
# twice as fast per row as 10³ rows at once; the 10⁴ curve fits of
# bench/batch.py (n = 3, 20 data a row) took about 30 % less time in blocks
# of 1424 rows than in one call, the logistic fits (1205 entries a row)
# about 20 % less in blocks of 27.
_CACHED_ENTRIES = 32768

# Options of `minimize` that have no batched counterpart, and why.
_UNSUPPORTED_OPTIONS = {
    "return_all": "iterates are not kept for a batch",
    "check_bandwidth": "a batch does not probe its declared band; check one problem with minimize",
    "check_derivatives": "check one problem's derivatives with minimize",
}

# Status 4 in a batch: `minimize` raises on a non-finite start, a batch stops
# that problem alone (nit 0, x = x0) and goes on with the others.
_BATCH_NONFINITE = ("The objective or its derivatives returned non-finite values (inf or NaN), "
                    "at x0 (then nit is 0 and x is x0: start from a point where the objective "
                    "is finite and twice differentiable) or at every shorter step tried.")


def _messages(method):
    """The message of each status code of a batch run by `method`."""
    return {
        int(Status.SUCCESS): _MESSAGES[Status.SUCCESS],
        int(Status.MAXITER): _MESSAGES[Status.MAXITER],
        int(Status.NO_PROGRESS): _NO_PROGRESS["line search" if method == "newton" else "trust"],
        int(Status.LINALG_ERROR): _MESSAGES[Status.LINALG_ERROR],
        int(Status.NONFINITE): _BATCH_NONFINITE,
        int(Status.SADDLE): _MESSAGES[Status.SADDLE],
        int(Status.CALLBACK_STOP): _MESSAGES[Status.CALLBACK_STOP],
    }


class BatchResult(OptimizeResult):
    """The results of `minimize_batch`: one entry per problem in every array.

    Attributes
    ----------
    x : ndarray, shape (m, n)
        The solutions.
    fun : ndarray, shape (m,)
        The objective values at `x`.
    jac : ndarray, shape (m, n)
        The gradients at `x`.
    hess : ndarray, shape (m, n, n) or (m, b + 1, n)
        The Hessians at `x`, dense or (with the ``bandwidth`` option) in
        LAPACK lower band storage (NaN where never evaluated: a problem that
        failed at x0).
    nit, nfev, njev, nhev : ndarray of int, shape (m,)
        Iterations and calls per problem: a problem is counted once for
        each call in which its row was passed.
    status : ndarray of int, shape (m,)
        As in `minimize`: 0 converged, 1 iteration limit, 2 no further
        progress, 3 factorization failed, 4 non-finite values (at x0, or at
        every shorter step tried), 5 stopped at a saddle (a stationary point
        where H has negative curvature), 99 stopped by the callback.
    success : ndarray of bool, shape (m,)
        ``status == 0``.
    message : dict of int to str
        The message of each status code that occurs, stored once rather
        than once per problem: ``res.message[res.status[i]]``.
    critical_kind : ndarray of object, shape (m,)
        The kind of the certificate at `x` ('minimum', 'maximum', 'saddle'
        or 'degenerate', see `CriticalPoint`); None where the Hessian was
        never evaluated.
    inertia : ndarray of int, shape (m, 3)
        The inertia of the Hessian at `x`, (n_positive, n_negative, n_zero);
        (−1, −1, −1) where it was never evaluated.
    bandwidth : int
        (banded Hessians only) The half-bandwidth b of `hess`.
    trust_radius : ndarray, shape (m,)
        ('trust-exact') The final radius of each problem.
    step_length : ndarray, shape (m,)
        ('newton') The last step length tried by each problem's line search.

    Notes
    -----
    ``res[i]`` (an integer) or ``res.problem(i)`` is problem i as an
    ordinary `scipy.optimize.OptimizeResult`, with its `message` and its
    `critical_point`. A slice, a boolean mask of shape (m,) or an array of
    problem numbers gives a `BatchResult` of those problems. String keys
    work as for any OptimizeResult. `BatchResult.concatenate` joins results
    of row chunks.

    Examples
    --------
    >>> import numpy as np
    >>> import fastnewton
    >>> centers = np.array([[1.0, 2.0], [-3.0, 0.5], [0.0, 4.0]])
    >>> res = fastnewton.minimize_batch(
    ...     lambda X, c: np.sum((X - c) ** 2, axis=1), np.zeros((3, 2)), method="newton",
    ...     jac=lambda X, c: 2.0 * (X - c),
    ...     hess=lambda X, c: np.broadcast_to(2.0 * np.eye(2), (len(X), 2, 2)),
    ...     batch_args=(centers,))
    >>> res.x
    array([[ 1. ,  2. ],
           [-3. ,  0.5],
           [ 0. ,  4. ]])
    >>> res[1].x, res[1].nit, res[1].critical_point.kind
    (array([-3. ,  0.5]), 2, 'minimum')
    >>> res[1:].x.shape, res[res.x[:, 0] < 0].x
    ((2, 2), array([[-3. ,  0.5]]))
    >>> res.message
    {0: 'Optimization terminated successfully: the gradient norm is at most gtol.'}
    """

    _PER_PROBLEM_SCALARS = ("trust_radius", "step_length")
    # The fields that describe the whole batch rather than one problem each.
    _SHARED = ("message", "bandwidth")

    def problem(self, i: int) -> OptimizeResult:
        """Problem `i` as a `scipy.optimize.OptimizeResult` of its own (copies, not views).

        Parameters
        ----------
        i : int
            Problem number; negative numbers count from the end.

        Returns
        -------
        scipy.optimize.OptimizeResult
            x, fun, jac, hess, nit, nfev, njev, nhev, status, success,
            message, critical_point (a `CriticalPoint`, None where the
            Hessian was never evaluated), and trust_radius or step_length.

        Raises
        ------
        TypeError
            If `i` is not an integer.
        IndexError
            If `i` is out of range.

        Examples
        --------
        >>> import numpy as np
        >>> import fastnewton
        >>> res = fastnewton.minimize_batch(
        ...     lambda X: np.sum(X ** 2, axis=1), np.ones((3, 2)),
        ...     jac=lambda X: 2.0 * X, hess=lambda X: np.broadcast_to(2.0 * np.eye(2), (len(X), 2, 2)))
        >>> res.problem(-1).success
        True
        """
        m = self.status.shape[0]
        if isinstance(i, bool) or not isinstance(i, numbers.Integral):
            raise TypeError("problem number must be an integer, got %r" % (i,))
        if not -m <= i < m:
            raise IndexError("problem %d is out of range for a batch of %d problems" % (i, m))
        status = int(self.status[i])
        fields = dict(
            x=self.x[i].copy(), fun=float(self.fun[i]), jac=self.jac[i].copy(),
            hess=self.hess[i].copy(), nit=int(self.nit[i]), nfev=int(self.nfev[i]),
            njev=int(self.njev[i]), nhev=int(self.nhev[i]), status=status,
            success=bool(self.success[i]), message=self.message[status],
            critical_point=_critical.certify_one(self.hess[i], self.get("bandwidth"),
                                                   float(np.linalg.norm(self.jac[i]))))
        for name in self._PER_PROBLEM_SCALARS:
            if name in self:
                fields[name] = float(self[name][i])
        return OptimizeResult(fields)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return super().__getitem__(key)
        if isinstance(key, numbers.Integral) and not isinstance(key, bool):
            return self.problem(key)
        if not isinstance(key, slice):
            key = np.asarray(key)
            if key.dtype.kind not in "biu" or key.ndim != 1:
                raise TypeError(
                    "a BatchResult is indexed by a field name, a problem number, a slice, a "
                    "boolean mask of shape (m,) or a 1-D array of problem numbers; got %r"
                    % (key,))
            if key.dtype.kind == "b" and key.shape != self.status.shape:
                raise IndexError("a boolean mask must have shape %s (one entry per problem), "
                                 "got shape %s" % (self.status.shape, key.shape))
        fields = {name: value if name in self._SHARED else value[key]
                  for name, value in self.items() if name != "message"}
        fields["message"] = {code: text for code, text in self.message.items()
                             if np.any(fields["status"] == code)}
        return type(self)(fields)

    def __repr__(self) -> str:
        # scipy's formatter expects string keys in nested dicts; `message` has status codes.
        others = repr(OptimizeResult({name: value for name, value in self.items()
                                      if name != "message"}))
        width = max(len(name) for name in self) + 1
        return "%s: %r\n%s" % ("message".rjust(width), self.message, others)

    @classmethod
    def concatenate(cls, results: Iterable[BatchResult]) -> BatchResult:
        """Join the results of consecutive row chunks of one batch into one `BatchResult`.

        Parameters
        ----------
        results : sequence of BatchResult
            In row order, all from the same method.

        Returns
        -------
        BatchResult

        Raises
        ------
        ValueError
            For an empty sequence, or results of different methods.

        Examples
        --------
        >>> import numpy as np
        >>> import fastnewton
        >>> def solve(x0):
        ...     return fastnewton.minimize_batch(
        ...         lambda X: np.sum((X - 1.0) ** 2, axis=1), x0, jac=lambda X: 2.0 * (X - 1.0),
        ...         hess=lambda X: np.broadcast_to(2.0 * np.eye(2), (len(X), 2, 2)))
        >>> x0 = np.zeros((5, 2))
        >>> joined = fastnewton.BatchResult.concatenate([solve(x0[:2]), solve(x0[2:])])
        >>> joined.x.shape, bool(joined.success.all())
        ((5, 2), True)
        """
        results = list(results)
        if not results:
            raise ValueError("concatenate needs at least one BatchResult")
        names = list(results[0].keys())
        for res in results[1:]:
            if sorted(res.keys()) != sorted(names) or res.get("bandwidth") != results[0].get(
                    "bandwidth"):
                raise ValueError("results to concatenate must come from the same method and "
                                 "bandwidth (they have different fields)")
        joined = {name: np.concatenate([res[name] for res in results])
                  for name in names if name not in cls._SHARED}
        if "bandwidth" in results[0]:
            joined["bandwidth"] = results[0].bandwidth
        messages = {}
        for res in results:
            messages.update(res.message)
        joined["message"] = dict(sorted(messages.items()))
        return cls(joined)


def _kkt_stack(solver, box, opts):
    """Per problem of a bounded batch: the `KKTPoint` kind, the inertia of H[F, F], the active mask.

    What `fastnewton._kkt.KKTPoint` says of each result, with its helpers:
    H[F, F] is classified as H with the rows and columns of the variables at
    a bound replaced by those of the identity (each adds one positive
    eigenvalue, taken off the inertia again).
    """
    lower, upper = box
    x, grad, hess = solver.x_out, solver.grad_out, solver.hess_out
    values, active = _kkt.multipliers(x, grad, lower, upper)
    strict = np.all(np.where(active, values > opts["gtol"], True), axis=1)
    projected = np.linalg.norm(np.clip(x - grad, lower, upper) - x, axis=1)
    m, n = x.shape
    if opts["bandwidth"] is None:
        _, inertia = certify_stack(hess, None, active)
    else:
        masked = hess.copy()
        for k in range(opts["bandwidth"] + 1):
            touched = active[:, :n - k] | active[:, k:]
            masked[:, k, :n - k][touched] = 0.0
        masked[:, 0, :][active] = 1.0
        _, inertia = certify_stack(masked, opts["bandwidth"])
    n_active = active.sum(axis=1)
    inertia = inertia.copy()
    known = inertia[:, 0] >= 0
    inertia[known, 0] -= n_active[known]
    kinds = np.full(m, None, dtype=object)
    kinds[known] = _kkt.kkt_kinds(projected[known], opts["gtol"], strict[known], inertia[known])
    return kinds, inertia, _kkt.active_mask(x, grad, lower, upper)


def _as_start_points(x0):
    """`x0` as a fresh (m, n) float64 array, validated like `minimize`'s x0."""
    shape = np.shape(x0)
    if len(shape) != 2 or shape[0] == 0 or shape[1] == 0:
        raise ValueError(
            "x0 must have shape (m, n), one row of n variables for each of m problems, with "
            "m, n >= 1; got shape %s (one problem: x0[None, :]; m problems of one "
            "variable: x0[:, None])" % (shape,))
    return _options.as_float_array(x0)


def _as_batch_args(batch_args, m):
    """`batch_args` as a list of arrays with leading dimension m (not copied)."""
    if isinstance(batch_args, np.ndarray):
        batch_args = (batch_args,)
    if not isinstance(batch_args, (tuple, list)):
        raise TypeError("batch_args must be a tuple of arrays with leading dimension m = %d, "
                        "got %s" % (m, type(batch_args).__name__))
    arrays = []
    for position, data in enumerate(batch_args):
        array = np.asarray(data)
        if array.ndim == 0 or array.shape[0] != m:
            raise ValueError("batch_args[%d] must have leading dimension m = %d (one entry per "
                             "problem), got shape %s" % (position, m, array.shape))
        arrays.append(array)
    return arrays


def minimize_batch(fun: Callable[..., Any], x0: ArrayLike, args: Any = (),
                   method: str = "trust-exact", jac: Callable[..., Any] | bool | str | None = None,
                   hess: Callable[..., Any] | str | None = None, tol: float | None = None,
                   options: dict[str, Any] | None = None, batch_args: Any = (),
                   callback: Callable[[OptimizeResult], Any] | None = None,
                   bounds: Any = None) -> BatchResult:
    """Minimize m independent functions of n variables at once, with vectorized callbacks.

    Problem i starts from ``x0[i]`` and iterates on its own (its own trust
    radius or step length, iteration count and stopping test) exactly as
    `fastnewton.minimize` would, but the callbacks receive the rows of all
    problems still running at once, so Python is entered a few times per
    iteration for the whole batch rather than per problem. Everything else
    runs in compiled code with the GIL released.

    Parameters
    ----------
    fun : callable
        ``fun(X, *B, *args) -> (k,)``: the values at the k rows of X, shape
        (k, n). k shrinks as problems finish: only problems still running
        are passed, and B are the arrays of `batch_args` indexed to those
        same rows. With ``jac=True`` it returns ``(f, g)``, g of shape (k, n).
    x0 : array_like, shape (m, n)
        One starting point per row; copied, never modified.
    args : tuple, optional
        Extra arguments passed unchanged to every callback, after B.
    method : {'trust-exact', 'newton'}, optional
        'trust-exact' (default): trust region with the Moré–Sorensen
        subproblem, the same rules as `fastnewton.trust_exact`.
        'newton': modified Cholesky direction with a strong Wolfe line search,
        and a step along negative curvature at a saddle, the rules of
        `fastnewton.newton`.
    jac : callable, True, '2-point' or '3-point', optional
        ``jac(X, *B, *args) -> (k, n)``. A string (or None) means finite
        differences of `fun`: n batched calls of `fun` (2n for '3-point'),
        each perturbing one coordinate of every row; allowed only with an
        analytic `hess`.
    hess : callable, '2-point' or '3-point', optional
        ``hess(X, *B, *args) -> (k, n, n)``, or with the ``bandwidth``
        option ``(k, b + 1, n)``, one LAPACK lower band storage per row. A
        string (or None) means finite differences of the gradient: n batched
        gradient calls (2n for '3-point'); with ``bandwidth``, 2b + 1 (2(2b + 1)).
    tol : float, optional
        Default for ``gtol``.
    options : dict, optional
        gtol : float
            Problem i stops when ‖∇f_i‖ ≤ gtol (default <default gtol>).
        norm : 2 or inf
            The norm of that test (default <default norm>).
        maxiter : int
            Most iterations per problem (default 200·n).
        escape_saddles : bool
            Default True: ‖∇f_i‖ ≤ gtol counts as success only where H_i has
            no curvature below −√ε·‖H_i‖∞; elsewhere both methods step away
            along negative curvature, as `minimize` does. False: the
            first-order test alone.
        initial_trust_radius, max_trust_radius, eta, subproblem_maxiter
            ('trust-exact') As for `fastnewton.trust_exact` (default: radii from
            each problem's scale, <default eta>, <default subproblem_maxiter>).
        c1, c2 : float
            ('newton') The strong Wolfe constants (default <default c1>, <default c2>).
        finite_diff_rel_step : float
            Relative finite-difference step (default √ε forward, ∛ε central).
        bandwidth : int
            Half-bandwidth b of every problem's Hessian (H[i, j] = 0 for
            abs(i − j) > b): bands are stored, factored and returned as (b + 1, n)
            band storage, never as n × n matrices (see `fastnewton.minimize`).
        rows_per_call : int
            Most rows of X per callback call (default: about 32768 / (n +
            the entries of one problem's `batch_args`), at least 1). Rows
            beyond it are passed in further calls within the same iteration,
            so that the callbacks' temporaries stay in cache; the results do
            not depend on it.
        disp : bool
            Print one line per iteration (problems still running, converged
            and failed, the largest gradient norm among those running).
    batch_args : tuple of array_like, optional
        Per-problem data: each array has leading dimension m, and the
        callbacks receive it indexed to the rows of X (a lone array is
        taken as a one-element tuple). Not copied, never modified.
    callback : callable, optional
        ``callback(intermediate_result)`` once per iteration of the batch,
        with an OptimizeResult holding ``nit`` (iterations so far),
        ``n_active`` (problems still running), ``n_converged``, ``n_failed``
        (stopped with a status other than 0) and ``max_grad_norm`` (the
        largest gradient norm among the running problems, in the norm of
        the stopping test). Raising `StopIteration` stops the running
        problems with status 99; other exceptions propagate unchanged.
    bounds : None, scipy.optimize.Bounds or sequence of (min, max) pairs, optional
        Box constraints, shared by all problems (n pairs, or a Bounds whose
        lb/ub broadcast to (n,)) or per problem (a Bounds with lb/ub of shape
        (m, n)). Each problem then runs `fastnewton.minimize`'s bounded
        method (projected trust-region Newton for 'trust-exact', projected
        Newton for 'newton'), and finite differences step only to points
        inside each problem's box, as `fastnewton.minimize`'s do; the result
        adds ``active_mask`` (m, n), and
        ``critical_kind`` / ``inertia`` describe the KKT point (the Hessian
        on the free variables). All-infinite bounds change nothing.

    Returns
    -------
    BatchResult
        Arrays with one entry per problem (``x``, ``fun``, ``jac``,
        ``hess``, ``nit``, ``nfev``, ``njev``, ``nhev``, ``status``,
        ``success``, ``critical_kind``, ``inertia``, and ``trust_radius``
        or ``step_length``) and ``message``, a dict from status code to
        message; ``res.problem(i)`` or ``res[i]`` is problem i as an
        OptimizeResult, and ``res[mask]`` or ``res[2:5]`` a BatchResult.
        Status codes are those of `BatchResult`.
        A problem whose functions return inf/NaN is handled on its own: its
        step shrinks, and if nothing helps it stops with status 4 (also when
        this happens at x0) while the others go on.

    Raises
    ------
    ValueError
        Unknown method, invalid options, x0 not of shape (m, n) or not
        finite, batch_args without leading dimension m, or a callback
        returning the wrong shape (the message names the expected one).
    TypeError
        Arguments of the wrong type, or a callback returning complex values.

    See Also
    --------
    BatchResult : the result, its fields and indexing.
    fastnewton.minimize : one problem at a time.

    Examples
    --------
    Fit ``y ≈ a·exp(−b·t)`` separately for three series, by least squares:

    >>> import numpy as np
    >>> import fastnewton
    >>> t = np.linspace(0.0, 2.0, 20)
    >>> true = np.array([[2.0, 1.0], [1.0, 3.0], [0.5, 0.2]])
    >>> Y = true[:, :1] * np.exp(-true[:, 1:] * t)          # (3, 20): one series per row
    >>> def residuals(X, Y):
    ...     return X[:, :1] * np.exp(-X[:, 1:] * t) - Y
    >>> def fun(X, Y):
    ...     return 0.5 * np.sum(residuals(X, Y) ** 2, axis=1)
    >>> def jac(X, Y):
    ...     e = np.exp(-X[:, 1:] * t)
    ...     J = np.stack([e, -X[:, :1] * t * e], axis=2)    # (k, 20, 2)
    ...     return np.einsum("kt,kti->ki", residuals(X, Y), J)
    >>> res = fastnewton.minimize_batch(fun, np.ones((3, 2)), jac=jac,   # hess: finite differences
    ...                                 batch_args=(Y,), options={"gtol": 1e-10})
    >>> bool(res.success.all()), np.allclose(res.x, true)
    (True, True)
    """
    if not isinstance(method, str) or method.lower() not in METHODS:
        raise ValueError("method must be one of %s, got %r"
                         % (", ".join(repr(name) for name in METHODS), method))
    method = method.lower()
    jac, hess, _ = _options.check_derivatives(fun, jac, hess, None, True,
                                              values_only_hessian=False)
    if hess is None:
        hess = "2-point"
    x = _as_start_points(x0)
    m, n = x.shape
    box = _options.batch_box(bounds, m, n)
    if box is not None:
        # Into the box, as scipy's bounded methods do (x is already a copy).
        np.clip(x, *box, out=x)
    args = _options.as_args(args)
    batch_arrays = _as_batch_args(batch_args, m)
    if options is not None and not isinstance(options, dict):
        raise TypeError("options must be a dict, got %s" % type(options).__name__)
    options = dict(options or {})
    for name, reason in _UNSUPPORTED_OPTIONS.items():
        if name in options:
            raise ValueError("option %r is not supported by minimize_batch: %s" % (name, reason))
    rows_per_call = options.pop("rows_per_call", None)
    if rows_per_call is None:
        row_entries = n + sum(math.prod(array.shape[1:]) for array in batch_arrays)
        rows_per_call = max(1, _CACHED_ENTRIES // row_entries)
    elif (isinstance(rows_per_call, bool) or not isinstance(rows_per_call, numbers.Integral)
          or rows_per_call < 1):
        raise ValueError("rows_per_call must be a positive integer, got %r" % (rows_per_call,))
    opts = _options.parse_options(method, n, options, tol, ())
    if callback is not None and not callable(callback):
        raise TypeError("callback must be callable or None, got %s" % type(callback).__name__)

    index = np.arange(m, dtype=np.intp)
    objective = BatchObjective(fun, jac, hess, args, batch_arrays, index, n, opts["rel_step"],
                               opts["bandwidth"], int(rows_per_call))
    solver = BatchSolver(objective, x, index, opts["gtol"], opts["inf_norm"], opts["maxiter"],
                         opts["escape_saddles"],
                         opts.get("subproblem_maxiter", _options.default("subproblem_maxiter")),
                         opts["bandwidth"])
    if box is not None:
        objective.set_box(*box)
        solver.set_box(*box)
    if callback is not None or opts["disp"]:
        solver.reporter = BatchProgress(callback, opts["disp"], solver.status_out,
                                        opts["inf_norm"])
    if method == "trust-exact":
        solver.run_trust_exact(*_options.trust_radius_policy(opts), opts["eta"])
        scalar_name = "trust_radius"
    elif box is not None:
        solver.run_projected_newton(opts["c1"], opts["c2"])
        scalar_name = "step_length"
    else:
        solver.run_newton(opts["c1"], opts["c2"])
        scalar_name = "step_length"

    status = solver.status_out.astype(np.intp)
    messages = _messages(method)
    if box is None:
        kinds, inertia = certify_stack(solver.hess_out, opts["bandwidth"])
    else:
        kinds, inertia, active_mask = _kkt_stack(solver, box, opts)
    result = BatchResult({
        "x": solver.x_out, "fun": solver.f_out, "jac": solver.grad_out, "hess": solver.hess_out,
        "nit": solver.nit_out, "nfev": objective.nfev, "njev": objective.njev,
        "nhev": objective.nhev, "status": status, "success": status == Status.SUCCESS,
        "message": {int(code): messages[int(code)] for code in np.unique(status)},
        "critical_kind": kinds, "inertia": inertia, scalar_name: solver.scalar_out,
    })
    if box is not None:
        result["active_mask"] = active_mask
    if opts["bandwidth"] is not None:
        result["bandwidth"] = opts["bandwidth"]
    if opts["disp"]:
        print("%d problems: %s" % (m, ", ".join(
            "%d with status %d" % (np.count_nonzero(status == code), code)
            for code in result.message)))
    return result


minimize_batch.__doc__ = _options.document_defaults(minimize_batch.__doc__)
