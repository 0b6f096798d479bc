"""Benchmark fastnewton against scipy.optimize.minimize.

Both libraries minimize the same test problems (from
``fastnewton.problems``) with the same analytic derivative callables, in one
process, with every BLAS/LAPACK library pinned to one thread. Each cell is
the median wall time of repeated solves.

Usage::

    python bench/run.py            # full run (a few minutes)
    python bench/run.py --quick    # CI smoke run, well under a minute

The script prints one table row per (problem, solver, method) with the
iteration and evaluation counts, the final objective and gradient norm, the
median time, and on each fastnewton row the ratio scipy time / fastnewton
time for the matching scipy method. It then reports the solver's own time
per iteration (excluding the user's callbacks) for trust-exact on
Rosenbrock n = 2 and n = 10, then issue 11's floors for Newton-CG and
trust-krylov on scipy's own Rosenbrock callbacks (ratio PASS/FAIL, the
calls of one solve and what they cost), and optionally saves a bar plot of
the ratios.
"""

import argparse
import gc
import importlib.util
import math
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy
import scipy.linalg  # noqa: F401  (load scipy's LAPACK before pinning)
import scipy.optimize

HERE = Path(__file__).resolve().parent
GTOL = 1e-8           # gradient tolerance for every gtol-based method
XTOL = 1e-8           # scipy Newton-CG has no gtol; it stops on the step size


# ---------------------------------------------------------------------------
# Imports that may fail while fastnewton is under construction
# ---------------------------------------------------------------------------

def load_problems():
    """Import ``fastnewton.problems``, falling back to the source tree.

    Returns
    -------
    module
        The problems module. If the ``fastnewton`` package cannot be
        imported (e.g. the compiled core is not built), ``problems.py`` is
        loaded directly from ``../fastnewton/`` next to this script.
    """
    try:
        from fastnewton import problems
        return problems
    except Exception:
        path = HERE.parent / "fastnewton" / "problems.py"
        spec = importlib.util.spec_from_file_location("_fn_problems", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


def load_fastnewton():
    """Return ``(fastnewton.minimize, version)`` or ``(None, reason)``."""
    try:
        import fastnewton
        return fastnewton.minimize, getattr(fastnewton, "__version__", "?")
    except Exception as exc:  # ImportError, or a broken partial build
        return None, f"{type(exc).__name__}: {exc}"


# ---------------------------------------------------------------------------
# Contenders
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Pair:
    """A fastnewton method and the scipy method it is compared with.

    Attributes
    ----------
    fn_method, sp_method : str or None
        Method names for fastnewton and scipy (None: no such contender).
    derivs : tuple of str
        Derivative callables passed to both (``"jac"``, ``"hess"``,
        ``"hessp"``).
    sp_options : dict
        scipy options (fastnewton always gets ``gtol`` and ``maxiter``).
    fn_options : dict
        Further fastnewton options (the same stopping tests as scipy's).
    """

    fn_method: str | None
    sp_method: str
    derivs: tuple = ("jac", "hess")
    sp_options: dict = field(default_factory=lambda: {"gtol": GTOL})
    fn_options: dict = field(default_factory=dict)


PAIRS = [
    Pair("trust-exact", "trust-exact"),
    Pair("dogleg", "dogleg"),
    Pair("trust-ncg", "trust-ncg"),
    Pair("newton", "Newton-CG", sp_options={"xtol": XTOL}),
    # Products only, both sides: scipy's Newton-CG test (xtol) on ours too.
    Pair("newton-cg", "Newton-CG", derivs=("jac", "hessp"), sp_options={"xtol": XTOL},
         fn_options={"xtol": XTOL}),
    Pair("trust-krylov", "trust-krylov", derivs=("jac", "hessp")),
    Pair(None, "BFGS", derivs=("jac",)),          # reference row only
]
LARGE_PAIRS = [PAIRS[0], PAIRS[3]]                # trust-exact, newton


def make_runner(minimize, method, prob, derivs, options):
    """Return a zero-argument function that solves `prob` once.

    Parameters
    ----------
    minimize : callable
        ``fastnewton.minimize`` or ``scipy.optimize.minimize``.
    method : str
        Method name for `minimize`.
    prob : TestProblem
        Problem providing ``fun``, ``jac``, ``hess`` and ``x0``.
    derivs : tuple of str
        Which derivative callables to pass.
    options : dict
        Solver options.

    Returns
    -------
    callable
        ``run() -> OptimizeResult``.
    """
    kwargs = {d: getattr(prob, d) for d in derivs}
    x0 = prob.x0
    fun = prob.fun

    def run():
        return minimize(fun, x0.copy(), method=method, options=dict(options),
                        **kwargs)

    return run


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------

@dataclass
class Budget:
    """How long to spend per table cell.

    Attributes
    ----------
    target : float
        Aimed-for total seconds of timed repeats per cell.
    min_repeats, max_repeats : int
        Bounds on the number of timed repeats.
    """

    target: float
    min_repeats: int
    max_repeats: int

    def repeats(self, first):
        """Number of timed repeats given the duration of one run."""
        if first >= self.target:
            return 0          # slow cell: the first run is the sample
        k = round(self.target / max(first, 1e-9))
        if self.min_repeats * first <= 2.0 * self.target:
            k = max(k, self.min_repeats)
        return int(min(max(k, 1), self.max_repeats))


def time_runs(run, budget):
    """Run once (warm-up, result), then time repeats; return the median.

    Parameters
    ----------
    run : callable
        ``run() -> OptimizeResult``.
    budget : Budget
        Repeat policy.

    Returns
    -------
    res : OptimizeResult
        Result of the first run.
    median : float
        Median wall time in seconds.
    nrep : int
        Number of samples in the median.
    """
    t0 = time.perf_counter()
    res = run()
    first = time.perf_counter() - t0
    k = budget.repeats(first)
    if k == 0:
        return res, first, 1
    times = []
    gc_on = gc.isenabled()
    gc.collect()
    gc.disable()              # same for every contender, as timeit does
    try:
        for _ in range(k):
            t0 = time.perf_counter()
            run()
            times.append(time.perf_counter() - t0)
    finally:
        if gc_on:
            gc.enable()
    return res, statistics.median(times), k


# ---------------------------------------------------------------------------
# Table
# ---------------------------------------------------------------------------

@dataclass
class Row:
    """One line of the results table."""

    problem: str
    n: int
    solver: str
    method: str
    res: object = None
    time: float = math.nan
    nrep: int = 0
    gnorm: float = math.nan
    error: str = ""
    ratio: float = math.nan
    ratio_na: bool = False      # matched, but one side did not converge


def solve_row(label, minimize, method, prob, derivs, options, budget):
    """Time one contender on one problem and return its :class:`Row`."""
    row = Row(prob.name, prob.n, label, method)
    try:
        run = make_runner(minimize, method, prob, derivs, options)
        row.res, row.time, row.nrep = time_runs(run, budget)
        row.gnorm = float(np.linalg.norm(prob.jac(np.asarray(row.res.x))))
    except Exception as exc:  # report the failure, keep benchmarking
        row.error = f"{type(exc).__name__}: {exc}"
    return row


def fmt_time(t):
    """Format seconds with a unit (ns, µs, ms, s)."""
    if not math.isfinite(t):
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if t >= scale:
            return f"{t / scale:.3g} {unit}"
    return f"{t / 1e-9:.3g} ns"


def fmt_count(res, name):
    """Format an OptimizeResult counter, or ``-`` if absent."""
    v = None if res is None else res.get(name)
    return "-" if v is None else str(int(v))


def succeeded(row):
    """Whether the row ran without error and the solver reports success."""
    return not row.error and bool(row.res.get("success", False))


def status_text(row):
    """Short status: ``ok``, ``fail N`` or ``error``."""
    if row.error:
        return "error"
    if row.res.get("success", False):
        return "ok"
    return f"fail {row.res.get('status', '?')}"


HEADER = (f"{'problem':<19}{'n':>5}  {'solver':<11}{'method':<12}"
          f"{'status':<8}{'nit':>6}{'nfev':>6}{'njev':>6}{'nhev':>6}"
          f"{'f':>12}{'|g|':>10}{'time':>11}{'reps':>6}{'ratio':>8}")


def format_row(row):
    """Format a :class:`Row` as one table line."""
    res = row.res
    f = "-" if res is None else f"{float(res.fun):.4g}"
    g = "-" if not math.isfinite(row.gnorm) else f"{row.gnorm:.1e}"
    ratio = "n/a" if row.ratio_na else ""
    if math.isfinite(row.ratio):
        ratio = f"{row.ratio:.2f}x"
    return (f"{row.problem:<19}{row.n:>5}  {row.solver:<11}{row.method:<12}"
            f"{status_text(row):<8}{fmt_count(res, 'nit'):>6}"
            f"{fmt_count(res, 'nfev'):>6}{fmt_count(res, 'njev'):>6}"
            f"{fmt_count(res, 'nhev'):>6}{f:>12}{g:>10}"
            f"{fmt_time(row.time):>11}{row.nrep:>6}{ratio:>8}")


def print_failures(rows):
    """Print the message of every row that did not succeed."""
    bad = [r for r in rows if not succeeded(r)]
    if not bad:
        return
    print("\nNot converged (status as reported by the solver):")
    for r in bad:
        msg = r.error or str(r.res.get("message", "")).strip()
        print(f"  {r.solver} {r.method} on {r.problem} n={r.n}: {msg}")


# ---------------------------------------------------------------------------
# Benchmark
# ---------------------------------------------------------------------------

def bench_problem(prob, pairs, fn_minimize, budget):
    """Run every pair on one problem; return the rows (ratios filled in)."""
    maxiter = max(1000, 200 * prob.n)
    rows = []
    for pair in pairs:
        sp_opts = {**pair.sp_options, "maxiter": maxiter}
        sp = solve_row("scipy", scipy.optimize.minimize, pair.sp_method, prob,
                       pair.derivs, sp_opts, budget)
        if pair.fn_method is not None and fn_minimize is not None:
            fn_opts = {"gtol": GTOL, "maxiter": maxiter, **pair.fn_options}
            fn = solve_row("fastnewton", fn_minimize, pair.fn_method, prob,
                           pair.derivs, fn_opts, budget)
            if succeeded(fn) and succeeded(sp) and fn.time > 0:
                fn.ratio = sp.time / fn.time
            else:
                fn.ratio_na = True
            rows.append(fn)
        rows.append(sp)
    return rows


def select_problems(problems, quick, skip_large=False):
    """Return ``(problem, pairs)`` tuples to benchmark."""
    P = problems
    chosen = [P.rosenbrock(2), P.rosenbrock(10), P.rosenbrock(100),
              P.powell_singular(), P.wood(), P.helical_valley(), P.beale(),
              P.saddle_quartic()]
    todo = [(p, PAIRS) for p in chosen]
    if not (quick or skip_large):
        # A genuinely dense Hessian at n = 1000 (Rosenbrock's is tridiagonal,
        # and from its standard start it needs thousands of iterations).
        todo.append((P.trigonometric(1000), LARGE_PAIRS))
    return todo


# ---------------------------------------------------------------------------
# Solver time per iteration, excluding user callbacks
# ---------------------------------------------------------------------------

class TimedCallbacks:
    """Wrap a problem's callables and accumulate the time spent in them.

    Parameters
    ----------
    prob : TestProblem
        Problem whose ``fun``, ``jac``, ``hess`` and ``hessp`` are wrapped.
    """

    def __init__(self, prob):
        self._fun, self._jac, self._hess = prob.fun, prob.jac, prob.hess
        self._hessp = prob.hessp
        self.seconds = 0.0

    def fun(self, x):
        """Timed objective."""
        t0 = time.perf_counter()
        v = self._fun(x)
        self.seconds += time.perf_counter() - t0
        return v

    def jac(self, x):
        """Timed gradient."""
        t0 = time.perf_counter()
        v = self._jac(x)
        self.seconds += time.perf_counter() - t0
        return v

    def hess(self, x):
        """Timed Hessian."""
        t0 = time.perf_counter()
        v = self._hess(x)
        self.seconds += time.perf_counter() - t0
        return v

    def hessp(self, x, p):
        """Timed Hessian-vector product."""
        t0 = time.perf_counter()
        v = self._hessp(x, p)
        self.seconds += time.perf_counter() - t0
        return v


def solver_overhead(minimize, method, prob, repeats, second="hess", options=None):
    """Median solver-only time per iteration, in seconds.

    Parameters
    ----------
    minimize : callable
        ``fastnewton.minimize`` or ``scipy.optimize.minimize``.
    method : str
        Method name.
    prob : TestProblem
        Problem to solve from ``prob.x0``.
    repeats : int
        Number of timed solves.
    second : str
        ``"hess"`` or ``"hessp"``: which second-derivative callable to pass.
    options : dict, optional
        Further solver options.

    Returns
    -------
    per_iter : float
        Median of ``(total time - callback time) / nit``.
    callback_share : float
        Median fraction of the total time spent in the callbacks.
    nit : int
        Iterations of the last solve.
    """
    opts = {"gtol": GTOL, "maxiter": max(1000, 200 * prob.n), **(options or {})}
    per_iter, share, nit = [], [], 0
    minimize(prob.fun, prob.x0, method=method, jac=prob.jac,
             **{second: getattr(prob, second)}, options=dict(opts))   # warm-up
    gc.collect()
    gc_on = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            cb = TimedCallbacks(prob)
            t0 = time.perf_counter()
            res = minimize(cb.fun, prob.x0, method=method, jac=cb.jac,
                           **{second: getattr(cb, second)}, options=dict(opts))
            total = time.perf_counter() - t0
            nit = int(res.nit)
            per_iter.append((total - cb.seconds) / max(nit, 1))
            share.append(cb.seconds / total)
    finally:
        if gc_on:
            gc.enable()
    return statistics.median(per_iter), statistics.median(share), nit


def report_overhead(problems, fn_minimize, repeats):
    """Print solver-only µs per iteration for trust-exact on Rosenbrock."""
    print("\nSolver time per iteration excluding callbacks "
          "(trust-exact, (total - callback time) / nit, median of "
          f"{repeats}):")
    contenders = [("scipy", scipy.optimize.minimize)]
    if fn_minimize is not None:
        contenders.insert(0, ("fastnewton", fn_minimize))
    for n in (2, 10):
        prob = problems.rosenbrock(n)
        for label, minimize in contenders:
            try:
                us, share, nit = solver_overhead(minimize, "trust-exact", prob,
                                                 repeats)
                print(f"  rosenbrock n={n:<3} {label:<11} "
                      f"{us * 1e6:9.2f} µs/iter   (nit {nit}, "
                      f"callbacks {100 * share:.0f}% of total)")
            except Exception as exc:
                print(f"  rosenbrock n={n:<3} {label:<11} error: "
                      f"{type(exc).__name__}: {exc}")
    # The products-only methods: with hessp the callbacks are most of scipy's
    # time too, so the whole-run ratio is capped near 1 / (callback share);
    # the solver's own time is where the compiled loop shows.
    print("Solver time per iteration excluding callbacks, with hessp:")
    pairs = [("newton-cg", "Newton-CG", {"xtol": XTOL}), ("trust-krylov", "trust-krylov", {})]
    for n in (10, 100):
        prob = problems.rosenbrock(n)
        for fn_method, sp_method, options in pairs:
            for label, minimize in contenders:
                method = fn_method if label == "fastnewton" else sp_method
                try:
                    us, share, nit = solver_overhead(minimize, method, prob, repeats,
                                                     "hessp", options)
                    print(f"  rosenbrock n={n:<3} {label:<11} {method:<13}"
                          f"{us * 1e6:9.2f} µs/iter   (nit {nit}, "
                          f"callbacks {100 * share:.0f}% of total)")
                except Exception as exc:
                    print(f"  rosenbrock n={n:<3} {label:<11} {method:<13} error: "
                          f"{type(exc).__name__}: {exc}")


# ---------------------------------------------------------------------------
# Issue 11's floors for the products-only methods, with scipy's callbacks
# ---------------------------------------------------------------------------

PRODUCT_FLOORS = [("newton-cg", "Newton-CG", 10, 10.0), ("newton-cg", "Newton-CG", 100, 10.0),
                  ("trust-krylov", "trust-krylov", 100, 5.0)]


class CountedRosen:
    """scipy's `rosen`, `rosen_der` and `rosen_hess_prod`, counting the calls."""

    def __init__(self):
        self.calls = {"fun": 0, "jac": 0, "hessp": 0}

    def fun(self, x):
        """Counted `scipy.optimize.rosen`."""
        self.calls["fun"] += 1
        return scipy.optimize.rosen(x)

    def jac(self, x):
        """Counted `scipy.optimize.rosen_der`."""
        self.calls["jac"] += 1
        return scipy.optimize.rosen_der(x)

    def hessp(self, x, p):
        """Counted `scipy.optimize.rosen_hess_prod`."""
        self.calls["hessp"] += 1
        return scipy.optimize.rosen_hess_prod(x, p)


def call_costs(x, repeats):
    """Median seconds of one call of scipy's rosen, rosen_der and rosen_hess_prod at `x`."""
    p = np.ones_like(x)
    calls = {"fun": (scipy.optimize.rosen, (x,)), "jac": (scipy.optimize.rosen_der, (x,)),
             "hessp": (scipy.optimize.rosen_hess_prod, (x, p))}
    costs = {}
    for name, (func, args) in calls.items():
        times = []
        for _ in range(100):      # warm-up
            func(*args)
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in range(100):
                func(*args)
            times.append((time.perf_counter() - t0) / 100)
        costs[name] = statistics.median(times)
    return costs


def report_product_floors(fn_minimize, problems, budget, quick):
    """Newton-CG and trust-krylov against scipy's, both on scipy's own Rosenbrock callbacks.

    Prints, for each floor of issue 11, the median times and their ratio
    (PASS/FAIL against the floor), the calls of one solve on each side, and
    the callbacks' share: calls × the median cost of one call, timed here.
    The ratio can exceed the floor only if our calls cost less than
    scipy's time / floor.
    """
    if fn_minimize is None:
        return
    print("\nIssue 11 floors with scipy's rosen, rosen_der, rosen_hess_prod (x0 = "
          "[-1.2, 1, ...]; Newton-CG: xtol = 1e-8 both; trust-krylov: gtol = 1e-8):")
    for fn_method, sp_method, n, floor in PRODUCT_FLOORS:
        x0 = problems.rosenbrock(n).x0
        costs = call_costs(x0, 5 if quick else 20)
        sides = {}
        for label, minimize, method in (("scipy", scipy.optimize.minimize, sp_method),
                                        ("fastnewton", fn_minimize, fn_method)):
            options = {"maxiter": 200 * n, "gtol": GTOL}
            if sp_method == "Newton-CG":
                options = {"maxiter": 200 * n, "xtol": XTOL}
                if label == "fastnewton":
                    options["gtol"] = GTOL
            counted = CountedRosen()
            res = minimize(counted.fun, x0.copy(), method=method, jac=counted.jac,
                           hessp=counted.hessp, options=dict(options))

            def run(minimize=minimize, method=method, options=options):
                return minimize(scipy.optimize.rosen, x0.copy(), method=method,
                                jac=scipy.optimize.rosen_der,
                                hessp=scipy.optimize.rosen_hess_prod, options=dict(options))

            _, seconds, _ = time_runs(run, budget)
            in_callbacks = sum(counted.calls[k] * costs[k] for k in costs)
            sides[label] = seconds
            print(f"  n={n:<4} {label:<11} {method:<13} nit {int(res.nit):4d}  fun "
                  f"{counted.calls['fun']:5d}  jac {counted.calls['jac']:5d}  hessp "
                  f"{counted.calls['hessp']:5d}  |x-x*| {np.linalg.norm(res.x - 1.0):.1e}  "
                  f"{fmt_time(seconds):>9}  callbacks ≈ {fmt_time(in_callbacks)} "
                  f"({100 * in_callbacks / seconds:.0f}%)")
        ratio = sides["scipy"] / sides["fastnewton"]
        print(f"  n={n:<4} one call: fun {costs['fun'] * 1e6:.1f} µs, jac "
              f"{costs['jac'] * 1e6:.1f} µs, hessp {costs['hessp'] * 1e6:.1f} µs; "
              f"{fn_method} vs {sp_method}: {ratio:.2f}× (floor {floor:g}×: "
              f"{'PASS' if ratio >= floor else 'FAIL'}); the floor needs "
              f"≤ {fmt_time(sides['scipy'] / floor)} in all")


# ---------------------------------------------------------------------------
# Summary and plot
# ---------------------------------------------------------------------------

def report_factorizations(rows):
    """For the dense n=1000 rows: Cholesky factorizations per iteration and their share of the time.

    The share is (factorizations × the median time of one LAPACK Cholesky of
    that order, timed here through scipy.linalg.cholesky) / the solve's time.
    """
    large = [r for r in rows if r.solver == "fastnewton" and r.n >= 1000 and r.res is not None]
    if not large:
        return
    n = large[0].n
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n))
    spd = np.asfortranarray(a @ a.T + n * np.eye(n))
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        scipy.linalg.cholesky(spd, lower=True, overwrite_a=False, check_finite=False)
        times.append(time.perf_counter() - t0)
    one = float(np.median(times))
    print(f"\nDense n={n}: one Cholesky takes {one * 1e3:.1f} ms (1 thread)")
    for r in large:
        count = int(r.res.get("n_factorizations", 0))
        nit = max(int(r.res.nit), 1)
        share = count * one / r.time if r.time else float("nan")
        print(f"  fastnewton {r.method:<12} nit {nit:4d}  factorizations {count:4d} "
              f"({count / nit:.2f} per iteration)  ≈ {100 * min(share, 1.0):.0f}% of "
              f"its {fmt_time(r.time)} in factorizations")


def speedup(rows, n, method="trust-exact"):
    """Ratio on the fastnewton `method` row for Rosenbrock of size `n`."""
    for r in rows:
        if (r.problem == "rosenbrock" and r.n == n and r.solver == "fastnewton"
                and r.method == method and math.isfinite(r.ratio)):
            return r.ratio
    return math.nan


def print_summary(rows):
    """Print the one-line speedup summary used for the issue floor."""
    def fmt(v):
        return f"{v:.2f}×" if math.isfinite(v) else "n/a"

    print("\nbench summary: rosen n=2 trust-exact speedup: "
          f"{fmt(speedup(rows, 2))}, n=10: {fmt(speedup(rows, 10))}")
    print("  with hessp: newton-cg vs Newton-CG n=10: "
          f"{fmt(speedup(rows, 10, 'newton-cg'))}, n=100: {fmt(speedup(rows, 100, 'newton-cg'))}; "
          f"trust-krylov n=100: {fmt(speedup(rows, 100, 'trust-krylov'))}")


def save_plot(rows, path):
    """Save a bar plot of the scipy/fastnewton time ratios, if possible."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception:
        print("matplotlib not available: no plot saved")
        return
    data = [(f"{r.problem} {r.n}\n{r.method}", r.ratio) for r in rows
            if math.isfinite(r.ratio)]
    if not data:
        print("no ratios to plot (fastnewton rows missing): no plot saved")
        return
    labels, ratios = zip(*data)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.45 * len(labels)), 4.5))
    ax.bar(range(len(ratios)), ratios, color="tab:blue")
    ax.axhline(1.0, color="k", lw=0.8)
    ax.set_yscale("log")
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    ax.set_ylabel("scipy time / fastnewton time")
    ax.set_title("fastnewton speedup over scipy.optimize (1 BLAS thread)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"plot saved to {path}")


# ---------------------------------------------------------------------------

def blas_description(info):
    """Describe the BLAS libraries reported by threadpoolctl."""
    libs = [f"{d.get('internal_api')} {d.get('version')} "
            f"({Path(d.get('filepath', '')).name}, "
            f"num_threads={d.get('num_threads')})"
            for d in info if d.get("user_api") == "blas"]
    return "; ".join(libs) if libs else "no BLAS library detected"


def parse_args(argv=None):
    """Parse the command line."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="fast smoke run (fewer repeats, no n=1000)")
    ap.add_argument("--skip-large", action="store_true",
                    help="skip the dense n=1000 problem (the slowest cells)")
    ap.add_argument("--scipy-only", action="store_true",
                    help="benchmark scipy only (skip fastnewton)")
    ap.add_argument("--plot", default=str(HERE / "ratios.png"),
                    help="path of the ratio bar plot (default: %(default)s)")
    ap.add_argument("--no-plot", action="store_true", help="do not plot")
    return ap.parse_args(argv)


def main(argv=None):
    """Run the benchmark and print the report."""
    args = parse_args(argv)
    problems = load_problems()
    if args.scipy_only:
        fn_minimize, fn_info = None, "skipped (--scipy-only)"
    else:
        fn_minimize, fn_info = load_fastnewton()
    budget = (Budget(target=0.05, min_repeats=3, max_repeats=50) if args.quick
              else Budget(target=0.3, min_repeats=5, max_repeats=10000))
    overhead_repeats = 5 if args.quick else 50

    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        sys.exit("threadpoolctl is required: pip install threadpoolctl")

    warnings.simplefilter("ignore")       # scipy warns on non-convergence
    print(f"Python {sys.version.split()[0]}, numpy {np.__version__}, "
          f"scipy {scipy.__version__}")
    if fn_minimize is None:
        print(f"fastnewton: not benchmarked ({fn_info})")
    else:
        print(f"fastnewton {fn_info}")

    with threadpool_limits(limits=1):
        print("BLAS pinned to 1 thread for every contender: "
              + blas_description(threadpool_info()))
        print(f"gtol = {GTOL:g} (scipy Newton-CG: xtol = {XTOL:g}); "
              "|g| is recomputed from the problem's jac at the final x\n")
        print(HEADER)
        print("-" * len(HEADER))
        rows = []
        for prob, pairs in select_problems(problems, args.quick,
                                           args.skip_large):
            for row in bench_problem(prob, pairs, fn_minimize, budget):
                print(format_row(row), flush=True)
                rows.append(row)
        print("ratio = scipy time / fastnewton time for the matching scipy "
              "method (newton vs Newton-CG with hess, newton-cg vs Newton-CG "
              "with hessp), n/a if either side did not converge; BFGS is a "
              "reference row")
        print_failures(rows)
        report_factorizations(rows)
        report_overhead(problems, fn_minimize, overhead_repeats)
        report_product_floors(fn_minimize, problems, budget, args.quick)

    print_summary(rows)
    if not args.no_plot:
        save_plot(rows, args.plot)


if __name__ == "__main__":
    main()
