"""Benchmark fastnewton's banded Hessians on large problems, n = 1e4 .. 1e6.

Every contender minimizes the same problems from ``fastnewton.problems`` with
the same ``fun``/``jac``/``hess_band`` callables, in one process, with every
BLAS/LAPACK library pinned to one thread (threadpoolctl):

* fastnewton ``newton`` and ``trust-exact`` with
  ``options={'bandwidth': b, 'gtol': 1e-6, 'norm': np.inf}`` and the analytic
  band; fastnewton ``trust-exact`` with the band from finite differences of
  ``jac`` (no ``hess``) on two problems;
* scipy ``trust-ncg``, ``trust-krylov`` and ``Newton-CG`` given ``hessp``,
  the product with the same band (evaluated once per point), and
  ``L-BFGS-B``;
* a hand-written Newton loop on ``scipy.linalg.cholesky_banded`` and
  ``cho_solve_banded`` with Armijo backtracking and a diagonal shift when the
  band is not positive definite.

It then times the banded finite-difference Hessian
(``fastnewton.approx_hessian``) against its own gradient calls and against
``scipy.optimize._numdiff.approx_derivative`` with the band sparsity, and
prints whether the performance floors hold.

Usage::

    python bench/banded.py           # n = 1e4, 1e5, 1e6 (several minutes)
    python bench/banded.py --quick   # n = 1e4 only, short (< 60 s)
"""

import argparse
import gc
import inspect
import math
import platform
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass, field

import numpy as np
import scipy
import scipy.linalg as sl
import scipy.optimize as so
import scipy.sparse as sp
from scipy.optimize._numdiff import approx_derivative, group_columns

import fastnewton
from fastnewton import problems as P

GTOL = 1e-6                 # target: ||grad||_inf <= GTOL for every row
SCIPY_CAP = 60.0            # wall-clock cap (s) of one scipy / hand-loop run
QUICK_CAP = 5.0
SLOW_REPEAT = 10.0          # a run longer than this is not repeated
SHORT_RUN = 0.05            # runs shorter than this get extra repeats...
MAX_REPEATS = 15            # ...up to this many (about 0.5 s in all)
ITERATIONS_GROW = {"rosenbrock"}


# ---------------------------------------------------------------------------
# Timed, counted callbacks
# ---------------------------------------------------------------------------

class Counted:
    """Wrap a callable, counting its calls and the time spent inside.

    Parameters
    ----------
    func : callable
        The user callback.
    """

    def __init__(self, func):
        self.func = func
        self.calls = 0
        self.seconds = 0.0

    def __call__(self, *args):
        t0 = time.perf_counter()
        out = self.func(*args)
        self.seconds += time.perf_counter() - t0
        self.calls += 1
        return out


class CachedGradient(Counted):
    """A counted gradient that remembers its last point and value."""

    def __init__(self, func):
        super().__init__(func)
        self.last_x = None
        self.last_g = None

    def __call__(self, x):
        g = super().__call__(x)
        self.last_x = np.array(x, copy=True)
        self.last_g = g
        return g

    def at(self, x):
        """Gradient at `x`, reusing the last evaluation when it was at `x`."""
        if self.last_x is not None and np.array_equal(x, self.last_x):
            return self.last_g
        return self(x)


class BandProduct:
    """``hessp(x, p)``: the band at x (computed once per point) times p.

    Parameters
    ----------
    hess_band : callable
        ``hess_band(x) -> (b + 1, n)`` LAPACK lower band storage.
    """

    def __init__(self, hess_band):
        self.hess_band = hess_band
        self.x = None
        self.band = None

    def __call__(self, x, p):
        if self.x is None or not np.array_equal(x, self.x):
            self.band = self.hess_band(x)
            self.x = np.array(x, copy=True)
        return P.band_matvec(self.band, p)


@dataclass
class Callbacks:
    """The counted callbacks of one run."""

    fun: Counted
    jac: Counted
    hess_band: Counted
    hessp: Counted = None

    @classmethod
    def of(cls, prob, cache_gradient=False):
        """Fresh counted callbacks for `prob`.

        With `cache_gradient` the gradient keeps a copy of its last point
        (an O(n) copy per call, so only for the run that needs it).
        """
        hb = Counted(prob.hess_band)
        jac = (CachedGradient if cache_gradient else Counted)(prob.jac)
        return cls(Counted(prob.fun), jac, hb, Counted(BandProduct(hb)))

    def seconds(self):
        """Time spent in user code (a hessp call includes its band)."""
        return (self.fun.seconds + self.jac.seconds + self.hessp.seconds
                + (self.hess_band.seconds if self.hessp.calls == 0 else 0.0))


# ---------------------------------------------------------------------------
# Contenders. Each returns a dict with x, nit, nfev, njev, nhev, status, note.
# ---------------------------------------------------------------------------

def run_fastnewton(prob, cb, method, fd=False, cap=None):
    """Solve with fastnewton using the band option.

    Parameters
    ----------
    prob : TestProblem
        The problem.
    cb : Callbacks
        Counted callbacks.
    method : str
        ``'newton'`` or ``'trust-exact'``.
    fd : bool
        Assemble the band by finite differences of `jac` (no `hess`).
    cap : float, optional
        Unused (fastnewton runs are not capped).

    Returns
    -------
    dict
        Result fields.
    """
    res = fastnewton.minimize(
        cb.fun, prob.x0, method=method, jac=cb.jac,
        hess=None if fd else cb.hess_band,
        options={"bandwidth": prob.bandwidth, "gtol": GTOL, "norm": np.inf})
    note = "nfact=%d" % res.get("n_factorizations", -1)
    if not res.success:
        note += " " + res.message[:40]
    return dict(x=res.x, nit=res.nit, nfev=res.nfev, njev=res.njev,
                nhev=res.nhev, status=res.status, note=note)


def _time_cap_callback(cap, grad=None):
    """A scipy callback raising StopIteration after `cap` seconds.

    With `grad` (a CachedGradient) it also stops once ||grad||_inf <= GTOL,
    for methods without a gradient test (Newton-CG).
    """
    t0 = time.perf_counter()
    state = {"capped": False, "gtol": False}

    def callback(intermediate_result):
        if grad is not None and \
                np.abs(grad.at(intermediate_result.x)).max() <= GTOL:
            state["gtol"] = True
            raise StopIteration
        if time.perf_counter() - t0 > cap:
            state["capped"] = True
            raise StopIteration

    return callback, state


SCIPY_OPTIONS = {
    # gtol is on the 2-norm for these: 1e-6 implies ||g||_inf <= 1e-6
    # (stricter by up to sqrt(n)); scipy has no inf-norm option here.
    "trust-ncg": {"gtol": GTOL, "maxiter": 10**7},
    "trust-krylov": {"gtol": GTOL, "maxiter": 10**7},
    # No gradient test at all: stopped by the callback on ||g||_inf; xtol
    # so small that the step test does not stop it first.
    "Newton-CG": {"xtol": 1e-30, "maxiter": 10**7},
    # pgtol is exactly ||g||_inf; ftol=0 leaves the stop to gtol.
    "L-BFGS-B": {"gtol": GTOL, "ftol": 0.0, "maxiter": 10**7,
                 "maxfun": 10**7},
}


def run_scipy(prob, cb, method, cap):
    """Solve with ``scipy.optimize.minimize`` under a wall-clock cap.

    Parameters
    ----------
    prob : TestProblem
        The problem.
    cb : Callbacks
        Counted callbacks (``hessp`` is the band product).
    method : str
        A key of `SCIPY_OPTIONS`.
    cap : float
        Seconds after which the callback stops the run.

    Returns
    -------
    dict
        Result fields; ``note`` says 'time cap' when the cap stopped it.
    """
    grad = cb.jac if method == "Newton-CG" else None
    callback, state = _time_cap_callback(cap, grad)
    kwargs = {} if method == "L-BFGS-B" else {"hessp": cb.hessp}
    res = so.minimize(cb.fun, prob.x0, method=method, jac=cb.jac,
                      callback=callback, options=dict(SCIPY_OPTIONS[method]),
                      **kwargs)
    note = ("time cap %gs" % cap if state["capped"]
            else "gtol (callback)" if state["gtol"] else str(res.message)[:40])
    nhev = res.get("nhev", 0)
    return dict(x=res.x, nit=res.nit, nfev=res.nfev, njev=res.njev,
                nhev=nhev, status=res.status, note=note)


def _shifted_cholesky(band):
    """Cholesky factor of band + tau I with the smallest doubling tau >= 0.

    Nocedal & Wright (2006), Alg. 3.3: tau = 0 if the band is positive
    definite, else start from -min(diag) + beta and double.

    Returns
    -------
    factor : ndarray
        ``cholesky_banded`` lower factor.
    shifted : bool
        Whether tau > 0 was needed.
    """
    try:
        return sl.cholesky_banded(band, lower=True, check_finite=False), False
    except sl.LinAlgError:
        pass
    diag = band[0].copy()
    beta = 1e-3 * max(1.0, np.abs(diag).max())
    tau = max(beta, beta - diag.min())
    work = band.copy()
    while True:
        np.add(diag, tau, out=work[0])
        try:
            return sl.cholesky_banded(work, lower=True,
                                      check_finite=False), True
        except sl.LinAlgError:
            tau *= 2.0


def run_cholesky_loop(prob, cb, method=None, cap=SCIPY_CAP, maxiter=10**6):
    """Newton with ``cholesky_banded`` + ``cho_solve_banded`` and Armijo.

    What a user writes today: factor the band (shifted when not positive
    definite), solve for the Newton direction, halve the step until
    ``f(x + t p) <= f(x) + 1e-4 t g.p``.

    Parameters
    ----------
    prob : TestProblem
        The problem.
    cb : Callbacks
        Counted callbacks.
    method : None
        Unused.
    cap : float
        Wall-clock cap in seconds.
    maxiter : int
        Iteration limit.

    Returns
    -------
    dict
        Result fields.
    """
    t0 = time.perf_counter()
    x = prob.x0
    f = cb.fun(x)
    g = cb.jac(x)
    nit = nshift = 0
    note = "converged"
    while np.abs(g).max() > GTOL:
        if nit >= maxiter or time.perf_counter() - t0 > cap:
            note = "time cap %gs" % cap if nit < maxiter else "maxiter"
            break
        factor, shifted = _shifted_cholesky(cb.hess_band(x))
        nshift += shifted
        p = sl.cho_solve_banded((factor, True), -g, overwrite_b=True,
                                check_finite=False)
        slope = g @ p
        t = 1.0
        while True:
            x_new = x + t * p
            f_new = cb.fun(x_new)
            if f_new <= f + 1e-4 * t * slope:
                break
            t *= 0.5
            if t < 1e-20:
                break
        if not f_new <= f + 1e-4 * t * slope:
            note = "line search failed"
            break
        x, f = x_new, f_new
        g = cb.jac(x)
        nit += 1
    if nshift:
        note += " (%d shifted)" % nshift
    return dict(x=x, nit=nit, nfev=cb.fun.calls, njev=cb.jac.calls,
                nhev=cb.hess_band.calls, status=0, note=note)


@dataclass(frozen=True)
class Contender:
    """A solver of the table."""

    label: str
    runner: object
    method: str = None
    fd: bool = False
    is_fastnewton: bool = False
    capped: bool = False


CONTENDERS = [
    Contender("fn newton", run_fastnewton, "newton", is_fastnewton=True),
    Contender("fn trust-exact", run_fastnewton, "trust-exact",
              is_fastnewton=True),
    Contender("fn trust-exact FD", run_fastnewton, "trust-exact", fd=True,
              is_fastnewton=True),
    Contender("sp trust-ncg", run_scipy, "trust-ncg", capped=True),
    Contender("sp trust-krylov", run_scipy, "trust-krylov", capped=True),
    Contender("sp Newton-CG", run_scipy, "Newton-CG", capped=True),
    Contender("sp L-BFGS-B", run_scipy, "L-BFGS-B", capped=True),
    Contender("cholesky_banded loop", run_cholesky_loop, capped=True),
]
FD_PROBLEMS = {"broyden_tridiagonal", "chained_double_well"}
QUICK_SKIP = {"sp trust-krylov"}


# ---------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------

@dataclass
class Row:
    """One (problem, n, solver) result."""

    problem: str
    n: int
    solver: str
    reps: int = 0
    nit: int = 0
    nfev: int = 0
    njev: int = 0
    nhev: int = 0
    nband: int = 0
    gnorm: float = math.nan
    f: float = math.nan
    seconds: float = math.nan
    cb_seconds: float = math.nan
    peak_bytes: float = math.nan
    note: str = ""
    skipped: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def converged(self):
        """Whether the final ||g||_inf reached the target."""
        return self.gnorm <= GTOL


def solve_once(prob, contender, cap):
    """One run; returns (result dict, callbacks, seconds)."""
    cb = Callbacks.of(prob, cache_gradient=contender.method == "Newton-CG")
    gc.collect()
    t0 = time.perf_counter()
    out = contender.runner(prob, cb, contender.method,
                           **({"fd": True} if contender.fd else {}),
                           cap=cap)
    return out, cb, time.perf_counter() - t0


def peak_memory(prob, contender, cap):
    """tracemalloc peak (bytes) above the memory held before one run."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        solve_once(prob, contender, cap)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - base


def measure(prob, contender, repeats, cap, want_memory):
    """Median time of `repeats` runs (1 if the first is slow) and stats.

    Parameters
    ----------
    prob : TestProblem
        The problem.
    contender : Contender
        The solver.
    repeats : int
        Wanted number of timed runs.
    cap : float
        Wall-clock cap for capped contenders.
    want_memory : bool
        Also measure the tracemalloc peak in an extra, untimed run.

    Returns
    -------
    Row
    """
    times, cb_times = [], []
    out = cb = None
    while len(times) < repeats:
        out, cb, sec = solve_once(prob, contender, cap)
        times.append(sec)
        cb_times.append(cb.seconds())
        if sec > SLOW_REPEAT:
            break
        if len(times) == 1 and sec < SHORT_RUN:
            repeats = max(repeats, min(MAX_REPEATS, int(0.5 / max(sec, 1e-4))))
    x = out["x"]
    row = Row(prob.name, prob.n, contender.label, reps=len(times),
              nit=out["nit"], nfev=out["nfev"], njev=out["njev"],
              nhev=out["nhev"], nband=cb.hess_band.calls,
              gnorm=float(np.abs(prob.jac(x)).max()), f=prob.fun(x),
              seconds=statistics.median(times),
              cb_seconds=statistics.median(cb_times), note=out["note"])
    if want_memory and row.seconds <= SLOW_REPEAT:
        row.peak_bytes = peak_memory(prob, contender, cap)
    return row


# ---------------------------------------------------------------------------
# Finite-difference band Hessian
# ---------------------------------------------------------------------------

def band_sparsity(n, b):
    """The n x n band sparsity pattern (|i - j| <= b) as a CSR matrix."""
    return sp.diags([np.ones(n - abs(k)) for k in range(-b, b + 1)],
                    list(range(-b, b + 1)), format="csr")


def _median_time(func, repeats):
    """Median wall time of `repeats` calls of ``func()``."""
    times = []
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def time_fd_hessian(prob, repeats):
    """Time the band FD Hessian against its gradient calls and scipy.

    Returns
    -------
    dict
        Times (s) of ``approx_hessian`` (default and, if supported, with
        ``check_bandwidth=False``), of the same gradient calls made
        standalone, of exactly 2b + 1 gradient calls, of
        ``approx_derivative`` with the band sparsity (groups computed in
        the call, and precomputed), and the call counts.
    """
    b, n = prob.bandwidth, prob.n
    x = prob.x0 + 0.01 * np.sin(np.arange(n))
    jac = prob.jac
    has_check = "check_bandwidth" in inspect.signature(
        fastnewton.approx_hessian).parameters

    def calls_of(**kw):
        c = Counted(jac)
        fastnewton.approx_hessian(c, x, bandwidth=b, **kw)
        return c.calls

    out = {"problem": prob.name, "n": n, "b": b}
    out["calls"] = calls_of()
    out["t_fn"] = _median_time(
        lambda: fastnewton.approx_hessian(jac, x, bandwidth=b), repeats)
    if has_check:
        out["calls_nocheck"] = calls_of(check_bandwidth=False)
        out["t_fn_nocheck"] = _median_time(
            lambda: fastnewton.approx_hessian(jac, x, bandwidth=b,
                                              check_bandwidth=False), repeats)
    pts = [x + 1e-7 * np.sin(np.arange(n) + k) for k in range(out["calls"])]

    def grads(count):
        for k in range(count):
            jac(pts[k])

    out["t_grad_calls"] = _median_time(lambda: grads(out["calls"]), repeats)
    out["t_grad_2b1"] = _median_time(lambda: grads(2 * b + 1), repeats)
    if has_check:
        out["t_grad_nocheck"] = _median_time(
            lambda: grads(out["calls_nocheck"]), repeats)
    pattern = band_sparsity(n, b)
    out["t_scipy"] = _median_time(
        lambda: approx_derivative(jac, x, method="2-point",
                                  sparsity=pattern), repeats)
    groups = group_columns(pattern)
    out["t_scipy_groups"] = _median_time(
        lambda: approx_derivative(jac, x, method="2-point",
                                  sparsity=(pattern, groups)), repeats)
    # Same answer (scipy returns the full sparse matrix, not band storage).
    ours = fastnewton.approx_hessian(jac, x, bandwidth=b)
    theirs = approx_derivative(jac, x, method="2-point",
                               sparsity=(pattern, groups)).tocsr()
    out["max_diff"] = float(np.abs(ours[0] - theirs.diagonal()).max())
    return out


# ---------------------------------------------------------------------------
# Driver and output
# ---------------------------------------------------------------------------

def problems_at(n, quick):
    """The problems to run at size n (chained Rosenbrock only at 1e4)."""
    probs = P.banded_problems(n)
    if quick:
        probs[0] = P.rosenbrock(1000)
    elif n > 10**4:
        probs = probs[1:]
    return probs


def run_table(sizes, quick):
    """Run every contender on every problem; return the rows."""
    rows = []
    cap = QUICK_CAP if quick else SCIPY_CAP
    for n in sizes:
        repeats = 1 if (quick or n >= 10**6) else 3
        for prob in problems_at(n, quick):
            for con in CONTENDERS:
                why = skip_reason(con, prob, n, rows, quick, cap)
                if why:
                    rows.append(Row(prob.name, prob.n, con.label, skipped=why))
                    print("  skip %-20s %-22s n=%d: %s" % (
                        prob.name, con.label, prob.n, why), flush=True)
                    continue
                mem = con.is_fastnewton or con.runner is run_cholesky_loop
                row = measure(prob, con, repeats, cap, mem and not quick)
                rows.append(row)
                print("  done %-20s %-22s n=%-7d %8.3fs nit=%-6d |g|=%.1e" % (
                    prob.name, con.label, prob.n, row.seconds, row.nit,
                    row.gnorm), flush=True)
    return rows


def skip_reason(con, prob, n, rows, quick, cap):
    """Why a contender is not run on (prob, n), or '' to run it."""
    if con.fd and prob.name not in FD_PROBLEMS:
        return "FD band shown on two problems only"
    if quick and con.label in QUICK_SKIP:
        return "--quick"
    if con.capped and n >= 10**6:
        prev = [r for r in rows if r.problem == prob.name
                and r.solver == con.label and r.n == n // 10 and not r.skipped]
        if prev and (prev[0].seconds > cap or "cap" in prev[0].note
                     or prev[0].seconds * 10 > cap):
            return ("took %.1fs at n=%d (x10 > %gs cap)"
                    % (prev[0].seconds, n // 10, cap))
    return ""


def fmt_row(r, best):
    """One table line."""
    if r.skipped:
        return "%-20s %8d %-22s  skipped: %s" % (r.problem, r.n, r.solver,
                                                 r.skipped)
    ratio = r.seconds / best if best else math.nan
    share = 100.0 * r.cb_seconds / r.seconds
    own = r.seconds - r.cb_seconds
    mem = ("%7.1f %5.1f" % (r.peak_bytes / 2**20, r.peak_bytes / (8 * r.n))
           if np.isfinite(r.peak_bytes) else "%7s %5s" % ("-", "-"))
    return ("%-20s %8d %-22s %d %7d %7d %7d %7d %6d %8.1e %10.4g %9.3f %7.2f"
            " %5.1f %8.3f %s  %s" % (
                r.problem, r.n, r.solver, r.reps, r.nit, r.nfev, r.njev,
                r.nhev, r.nband, r.gnorm, r.f, r.seconds, ratio, share, own,
                mem, r.note))


HEADER = ("%-20s %8s %-22s %s %7s %7s %7s %7s %6s %8s %10s %9s %7s %5s %8s "
          "%7s %5s  %s" % ("problem", "n", "solver", "r", "nit", "nfev",
                           "njev", "nhev", "nband", "|g|inf", "f", "time s",
                           "x fn", "cb%", "own s", "peakMiB", "n-vec",
                           "note"))


def best_fastnewton(rows, problem, n):
    """Fastest converged fastnewton row with the analytic band."""
    cands = [r for r in rows if r.problem == problem and r.n == n
             and r.solver in ("fn newton", "fn trust-exact")
             and not r.skipped and r.converged]
    return min(cands, key=lambda r: r.seconds) if cands else None


def print_table(rows):
    """Print the results table."""
    print()
    print(HEADER)
    keys = sorted({(r.n, r.problem) for r in rows}, key=lambda k: k[0])
    for n, problem in keys:
        best = best_fastnewton(rows, problem, n)
        for r in rows:
            if r.n == n and r.problem == problem:
                print(fmt_row(r, best.seconds if best else None))
        print()


def print_fd(fd_rows):
    """Print the finite-difference Hessian timings."""
    print("Banded FD Hessian (2-point), x = x0 + 0.01 sin(i); medians:")
    print("%-20s %8s %2s %5s %10s %10s %10s %10s %10s %10s %8s %9s" % (
        "problem", "n", "b", "calls", "fn s", "fn-nochk", "its grads",
        "2b+1 grads", "scipy s", "scipy+grp", "fn/grads", "scipy/fn"))
    for d in fd_rows:
        print("%-20s %8d %2d %2d/%-2s %10.4f %10s %10.4f %10.4f %10.4f %10.4f"
              " %8.2f %9.2f" % (
                  d["problem"], d["n"], d["b"], d["calls"],
                  d.get("calls_nocheck", "-"), d["t_fn"],
                  "%.4f" % d["t_fn_nocheck"] if "t_fn_nocheck" in d else "-",
                  d["t_grad_calls"], d["t_grad_2b1"], d["t_scipy"],
                  d["t_scipy_groups"], d["t_fn"] / d["t_grad_calls"],
                  d["t_scipy"] / d["t_fn"]))
    print("  calls = gradient calls of approx_hessian by default / with "
          "check_bandwidth=False; 'its grads' = that many jac calls timed "
          "alone; scipy = approx_derivative(jac, x, '2-point', sparsity=band "
          "CSR), scipy+grp = with precomputed groups; max |diag diff| vs "
          "scipy %.1e" % max(d["max_diff"] for d in fd_rows))


def verdict(ok):
    """PASS/FAIL word."""
    return "PASS" if ok else "FAIL"


def floor_1(rows):
    """Floor 1: n-independent problems at n = 1e6."""
    lines, all_ok = [], {}
    for method in ("fn newton", "fn trust-exact"):
        ok_m = True
        for name in ("broyden_tridiagonal", "extended_rosenbrock",
                     "energy_1d", "chained_double_well"):
            r = [x for x in rows if x.problem == name and x.n == 10**6
                 and x.solver == method and not x.skipped]
            if not r:
                lines.append("    %-14s %-20s not measured" % (method, name))
                ok_m = False
                continue
            r = r[0]
            own = (r.seconds - r.cb_seconds) / r.seconds
            ok = r.converged and r.seconds < 10.0 and own < 0.30
            ok_m &= ok
            lines.append("    %-14s %-20s |g|inf=%.1e time=%.2fs own=%.0f%% "
                         "(%.2fs of %.2fs) nit=%d  %s" % (
                             method, name, r.gnorm, r.seconds, 100 * own,
                             r.seconds - r.cb_seconds, r.seconds, r.nit,
                             verdict(ok)))
        all_ok[method] = ok_m
    head = ("(1) n=1e6, ||g||inf<=1e-6 in <10 s with own time <30%%: "
            "newton %s, trust-exact %s"
            % (verdict(all_ok["fn newton"]),
               verdict(all_ok["fn trust-exact"])))
    return [head] + lines


def floor_2(rows):
    """Floor 2: chained Rosenbrock at n = 1e4, >= 5x the best scipy."""
    rs = [r for r in rows if r.problem == "rosenbrock" and r.n == 10**4
          and not r.skipped]
    if not rs:
        return ["(2) chained Rosenbrock n=1e4: NOT MEASURED (--quick runs it "
                "at n=1e3 only)"]
    fn = [r for r in rs if r.solver in ("fn newton", "fn trust-exact")
          and r.converged]
    spr = [r for r in rs if r.solver.startswith("sp ") and r.converged]
    if not fn or not spr:
        return ["(2) chained Rosenbrock n=1e4: FAIL (no converged %s run)"
                % ("fastnewton" if not fn else "scipy")]
    bf = min(fn, key=lambda r: r.seconds)
    bs = min(spr, key=lambda r: r.seconds)
    ratio = bs.seconds / bf.seconds
    return ["(2) chained Rosenbrock n=1e4, fastnewton >= 5x best scipy: %s "
            "(best fastnewton %s %.2fs, f=%.4g; best scipy %s %.2fs, f=%.4g;"
            " ratio %.2f)" % (verdict(ratio >= 5), bf.solver, bf.seconds,
                              bf.f, bs.solver, bs.seconds, bs.f, ratio)]


def floor_3(rows):
    """Floor 3: fastnewton newton vs the cholesky_banded loop."""
    lines, ok_all = [], True
    keys = sorted({(r.n, r.problem) for r in rows})
    for n, name in keys:
        fn = [r for r in rows if (r.n, r.problem) == (n, name)
              and r.solver == "fn newton" and not r.skipped]
        te = [r for r in rows if (r.n, r.problem) == (n, name)
              and r.solver == "fn trust-exact" and not r.skipped]
        lp = [r for r in rows if (r.n, r.problem) == (n, name)
              and r.solver == "cholesky_banded loop" and not r.skipped]
        if not fn or not lp:
            continue
        ratio = lp[0].seconds / fn[0].seconds
        need = 2.0 if n >= 10**6 else 1.0
        ok = ratio > need if need == 1.0 else ratio >= need
        ok_all &= ok
        lines.append("    %-20s n=%-7d loop %.3fs / fn newton %.3fs = %.2fx "
                     "(need %s%gx; fn trust-exact %.2fx)  %s" % (
                         name, n, lp[0].seconds, fn[0].seconds, ratio,
                         ">" if need == 1.0 else ">=", need,
                         lp[0].seconds / te[0].seconds if te else math.nan,
                         verdict(ok)))
    return (["(3) fastnewton newton faster than the cholesky_banded loop "
             "everywhere, >= 2x at n=1e6: %s" % verdict(ok_all)] + lines)


def floor_4(fd_rows):
    """Floor 4: FD band Hessian vs its gradient calls and scipy."""
    lines, ok_all = [], True
    for d in fd_rows:
        r_own = d["t_fn"] / d["t_grad_calls"]
        r_2b1 = d["t_fn"] / d["t_grad_2b1"]
        r_sp = d["t_scipy"] / d["t_fn"]
        ok = r_own <= 1.3 and r_sp >= 3.0
        ok_all &= ok
        extra = ""
        if "t_fn_nocheck" in d:
            extra = ("; check_bandwidth=False: %.4fs = %.2fx its %d calls, "
                     "%.2fx 2b+1" % (
                         d["t_fn_nocheck"],
                         d["t_fn_nocheck"] / d["t_grad_nocheck"],
                         d["calls_nocheck"],
                         d["t_fn_nocheck"] / d["t_grad_2b1"]))
        lines.append("    %-20s n=%-7d b=%d approx_hessian %.4fs = %.2fx its "
                     "%d gradient calls (%.2fx exactly 2b+1=%d)%s; "
                     "approx_derivative %.4fs = %.1fx slower (%.1fx with "
                     "precomputed groups)  %s" % (
                         d["problem"], d["n"], d["b"], d["t_fn"], r_own,
                         d["calls"], r_2b1, 2 * d["b"] + 1, extra,
                         d["t_scipy"], r_sp, d["t_scipy_groups"] / d["t_fn"],
                         verdict(ok)))
    return (["(4) FD band Hessian within 1.3x of its gradient calls and >= 3x "
             "faster than approx_derivative(sparsity=band): %s"
             % verdict(ok_all)] + lines)


def print_floors(rows, fd_rows):
    """Print the floors section."""
    print("FLOORS")
    for part in (floor_1(rows), floor_2(rows), floor_3(rows),
                 floor_4(fd_rows)):
        print("\n".join(part))


def environment(info):
    """One-paragraph description of versions and BLAS."""
    blas = ", ".join("%s %s (%s, %d thread%s)" % (
        d.get("internal_api"), d.get("version"),
        d.get("filepath", "").rsplit("/", 1)[-1], d.get("num_threads"),
        "" if d.get("num_threads") == 1 else "s")
        for d in info if d.get("user_api") == "blas")
    return ("Python %s, numpy %s, scipy %s, fastnewton %s, %s\nBLAS pinned "
            "to one thread for every contender (threadpoolctl): %s" % (
                platform.python_version(), np.__version__, scipy.__version__,
                getattr(fastnewton, "__version__", "?"), platform.machine(),
                blas))


LEGEND = """\
Columns: r = timed runs (median of 3 (1 with --quick), up to 15 for runs
< 0.05 s, 1 at n=1e6 and for runs > %gs); nhev = fastnewton Hessian (band)
evaluations, scipy hessp products, loop band evaluations; nband = calls
of hess_band; |g|inf and f recomputed at the returned x; x fn = time /
fastest converged fastnewton analytic-band row; cb%% = share of the time
spent in the user's callbacks (fun, jac, hess_band, hessp); own s = time -
callbacks; peakMiB / n-vec = tracemalloc peak above the memory held before
the call, measured in a separate untimed run (numpy registers its buffers
with tracemalloc, so this covers the solver's work arrays and the
callbacks' temporaries; ru_maxrss is not used because it is a
process-lifetime high-water mark), and that peak in units of n float64s
(not measured for runs > 10 s). fastnewton notes: nfact = band Cholesky
factorizations (LAPACK dpbtrf).
Stopping: fastnewton and the loop stop on ||g||inf <= 1e-6; L-BFGS-B gtol
(pgtol) is the same test (ftol=0); trust-ncg/trust-krylov gtol=1e-6 is on
||g||2 (stricter); Newton-CG has no gradient test: a callback stops it on
||g||inf <= 1e-6 (reusing the line search's gradient when it is at x).
scipy runs and the loop are stopped by a callback after a %gs wall-clock cap.
Chained Rosenbrock runs at n=1e4 only: its Newton iteration count grows
about linearly with n (~2n for trust-exact from x0), so n=1e5 would take
~15 min per solver."""


def main(argv=None):
    """Run the banded benchmark and print the table and floors."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="n = 1e4 only, 1 repeat, 5 s cap, no "
                             "trust-krylov, chained Rosenbrock at n = 1e3")
    args = parser.parse_args(argv)
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        sys.exit("threadpoolctl is required: pip install threadpoolctl")
    sizes = [10**4] if args.quick else [10**4, 10**5, 10**6]
    t_start = time.perf_counter()
    with threadpool_limits(limits=1):
        print(environment(threadpool_info()))
        print(LEGEND % (SLOW_REPEAT, QUICK_CAP if args.quick else SCIPY_CAP))
        print()
        rows = run_table(sizes, args.quick)
        fd_rows = []
        for n in sizes:
            for prob in (P.broyden_tridiagonal(n), P.chained_double_well(n)):
                fd_rows.append(time_fd_hessian(prob, 3 if n < 10**6 else 5))
        print_table(rows)
        print_fd(fd_rows)
        print()
        print_floors(rows, fd_rows)
    print("\ntotal %.0f s" % (time.perf_counter() - t_start))


if __name__ == "__main__":
    main()
