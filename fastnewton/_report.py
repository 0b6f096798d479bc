"""Per-iteration reporting: the user's callback, `disp` tables and `return_all`."""

import inspect
import warnings

import numpy as np
from scipy.optimize import OptimizeResult

from fastnewton._options import user_stacklevel
from fastnewton._status import Event, Status


def _wants_intermediate_result(callback):
    """scipy's rule: a callback whose only parameter is `intermediate_result` gets an OptimizeResult."""
    try:
        parameters = inspect.signature(callback).parameters
    except (TypeError, ValueError):
        return False
    return set(parameters) == {"intermediate_result"}


def describe_events(events, shift):
    """Words for the event flags of one iteration, as printed by `disp`."""
    words = ["accepted" if events & Event.EVENT_ACCEPTED else "rejected"]
    if events & Event.EVENT_BOUNDARY:
        words.append("boundary")
    if events & Event.EVENT_HARD_CASE:
        words.append("hard case")
    if events & Event.EVENT_MODIFIED:
        words.append("H modified (+%.2e I)" % shift)
    if events & Event.EVENT_NEGATIVE_CURVATURE:
        words.append("negative curvature")
    if events & Event.EVENT_NONFINITE:
        words.append("non-finite trial")
    return ", ".join(words)


class IterationReporter:
    """Called by a compiled driver after each iteration.

    Parameters
    ----------
    callback : callable or None
        ``callback(xk)`` or ``callback(intermediate_result)`` as in scipy; raising
        `StopIteration` stops the run.
    disp : bool
        Print a row per iteration.
    return_all : bool
        Keep a copy of every iterate.
    size_label : str
        Heading of the step-size column ('radius' or 'alpha').
    """

    def __init__(self, callback, disp, return_all, size_label):
        self.callback = callback
        self.intermediate = callback is not None and _wants_intermediate_result(callback)
        self.disp = disp
        self.allvecs = [] if return_all else None
        self.size_label = size_label

    def start(self, x0):
        """Record the starting point and print the table heading."""
        if self.allvecs is not None:
            self.allvecs.append(x0.copy())
        if self.disp:
            print("%6s  %23s  %10s  %10s  %s" % ("iter", "f", "|g|", self.size_label, "event"))

    def __call__(self, nit, x, f, gnorm, size, events, shift):
        if self.allvecs is not None:
            self.allvecs.append(x.copy())
        if self.disp:
            print("%6d  %23.16e  %10.3e  %10.3e  %s"
                  % (nit, f, gnorm, size, describe_events(events, shift)))
        if self.callback is None:
            return False
        try:
            if self.intermediate:
                self.callback(intermediate_result=OptimizeResult(x=x.copy(), fun=f, nit=nit))
            else:
                self.callback(x.copy())
        except StopIteration:
            return True
        return False


def summarize(result):
    """Print the end of a `disp` run: the message and the counters.

    As scipy's trust-region methods do, a run that did not succeed warns its
    message as a RuntimeWarning (pointing at the user's call) instead of
    printing it, so ``disp=True`` failures can be caught or escalated.
    """
    if result.success:
        print(result.message)
    else:
        warnings.warn(result.message, RuntimeWarning, stacklevel=user_stacklevel())
    print("         Current function value: %.16g" % result.fun)
    print("         Iterations: %d" % result.nit)
    print("         Function evaluations: %d" % result.nfev)
    print("         Gradient evaluations: %d" % result.njev)
    print("         Hessian evaluations: %d" % result.nhev)


class BatchProgress:
    """The progress of `minimize_batch`: the user's callback and the `disp` lines.

    Called by the compiled batch driver once per outer iteration, after the
    stopping tests, with the gradients and problem ids of the problems still
    running; its first call reports the start.

    Parameters
    ----------
    callback : callable or None
        ``callback(intermediate_result)`` after each iteration; raising
        `StopIteration` stops the problems still running (status 99).
    disp : bool
        Print a line per iteration and a summary.
    status : ndarray, shape (m,)
        The solver's per-problem status, valid for the problems that stopped.
    inf_norm : bool
        Gradient norms in the ∞-norm (else the 2-norm), as in the stopping test.
    """

    def __init__(self, callback, disp, status, inf_norm):
        self.callback = callback
        self.disp = disp
        self.status = status
        self.inf_norm = inf_norm
        self.nit = -1

    def counts(self, grad, index):
        """(active, converged, failed, largest gradient norm among the active problems)."""
        stopped = np.ones(self.status.shape[0], dtype=bool)
        stopped[index] = False
        converged = int(np.count_nonzero(self.status[stopped] == Status.SUCCESS))
        active = index.shape[0]
        norms = (np.abs(grad).max(axis=1, initial=0.0) if self.inf_norm
                 else np.sqrt(np.einsum("ki,ki->k", grad, grad)))
        largest = float(norms.max()) if active else 0.0
        return active, converged, stopped.size - active - converged, largest

    def __call__(self, grad, index):
        self.nit += 1
        active, converged, failed, largest = self.counts(grad, index)
        if self.disp:
            if self.nit == 0:
                print("%6s  %9s  %9s  %9s  %10s" % ("iter", "active", "converged", "failed",
                                                     "max |g|"))
            print("%6d  %9d  %9d  %9d  %10.3e" % (self.nit, active, converged, failed, largest))
        if self.callback is None or self.nit == 0:
            return False
        try:
            self.callback(OptimizeResult(nit=self.nit, n_active=active, n_converged=converged,
                                         n_failed=failed, max_grad_norm=largest))
        except StopIteration:
            return True
        return False
