"""How often fastnewton and scipy.optimize reach the minimum (issue 10).

Three parts, every contender with the same analytic derivatives, the same
gtol and maxiter, BLAS and LAPACK pinned to one thread:

1. The 35 Moré–Garbow–Hillstrom problems (``fastnewton.problems.mgh``) from
   the standard start x0 and from 10·x0 and 100·x0, with fastnewton's
   trust-exact, newton, dogleg and trust-ncg and scipy's trust-exact,
   Newton-CG, dogleg and trust-ncg. A run *solves* a problem when its final
   f − f* ≤ 1e-6·max(1, |f*|), or is that close to a non-global local minimum
   the problem records (marked ``loc``). An exception counts as a failure
   and its kind is printed. One table per start, then the solved counts.
2. Cholesky factorizations per iteration (``n_factorizations / nit``) of
   fastnewton's trust-exact on every MGH problem, with the median and the
   maximum, and on two dense n = 1000 problems: the trigonometric function
   (the dense problem of ``bench/run.py``) and a random indefinite quadratic
   with a quartic term.
3. Exponential-decay fits y = a·exp(−b·t) + c + noise, t = linspace(0, 4, 20),
   a ∈ U[0.5, 2], b ∈ U[0.3, 3], c ∈ U[−0.5, 0.5], noise N(0, 0.05²), start
   (1, 1, 0): minimize_batch ('trust-exact', 'newton') on all fits, loops of
   minimize (fastnewton's four methods, scipy's four) on a subset. The global
   minimum of each fit is found independently of every solver: for fixed b
   the fit is linear in (a, c), so f*(b) has a closed form, scanned on a grid
   of b and refined by golden-section search.

Usage::

    python bench/robustness.py            # full run (10⁴ fits; a few minutes)
    python bench/robustness.py --quick    # under a minute
"""

import argparse
import math
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy
import scipy.linalg  # noqa: F401  (load scipy's LAPACK before pinning threads)
import scipy.optimize
from threadpoolctl import threadpool_info, threadpool_limits

import fastnewton
from fastnewton import problems

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch import (T, decay_fun, decay_fun1, decay_hess, decay_hess1,  # noqa: E402
                   decay_jac, decay_jac1)

GTOL = 1e-8
MAXITER = 2000
QUICK_MAXITER = 1200  # --quick on the MGH set: still above Brown badly scaled's 1010
XTOL = 1e-8          # scipy Newton-CG has no gtol; it stops on the step size
SOLVED = 1e-6        # f − f* ≤ SOLVED·max(1, |f*|)
STARTS = (1, 10, 100)
PAIRS = [("trust-exact", "trust-exact"), ("newton", "Newton-CG"),
         ("dogleg", "dogleg"), ("trust-ncg", "trust-ncg")]
FIT_GTOL = 1e-6


# ---------------------------------------------------------------------------
# One run
# ---------------------------------------------------------------------------

@dataclass
class Outcome:
    """What one solve gave: the final f and counters, or the exception kind."""

    fun: float = math.nan
    nit: int = 0
    n_factorizations: int = 0
    status: int = -1
    error: str = ""
    n_rejected: int = 0       # trust-region iterations whose step was refused
    n_hard_case: int = 0      # Moré–Sorensen solves that ended in the hard case


def solve(minimize, method, fun, x0, jac, hess, options):
    """Run one solve; an exception is caught and recorded by its kind."""
    try:
        res = minimize(fun, x0, method=method, jac=jac, hess=hess,
                       options=dict(options))
    except Exception as exc:  # a failure to count, not a reason to stop
        return Outcome(error=type(exc).__name__)
    return Outcome(float(res.fun), int(res.get("nit", 0)),
                   int(res.get("n_factorizations", 0)),
                   int(res.get("status", -1)), n_rejected=int(res.get("n_rejected", 0)),
                   n_hard_case=int(res.get("n_hard_case", 0)))


def options_for(solver, method, maxiter):
    """The same stopping rules for both libraries (Newton-CG: xtol)."""
    if solver == "scipy" and method == "Newton-CG":
        return {"xtol": XTOL, "maxiter": maxiter}
    return {"gtol": GTOL, "maxiter": maxiter}


def verdict(prob, out):
    """'ok' (global), 'loc' (a recorded local minimum) or '' (not solved)."""
    if out.error or not math.isfinite(out.fun):
        return ""
    if out.fun - prob.f_min <= SOLVED * max(1.0, abs(prob.f_min)):
        return "ok"
    for _, f_local in prob.local_minima:
        if abs(out.fun - f_local) <= SOLVED * max(1.0, abs(f_local)):
            return "loc"
    return ""


def cell(prob, out):
    """A table cell: ok / loc, else the final f, 'max' or the exception."""
    mark = verdict(prob, out)
    if mark:
        return mark
    if out.error:
        return out.error[:12]
    if out.status == 1:
        return f"max {out.fun:.3g}"
    return f"{out.fun:.4g}"


# ---------------------------------------------------------------------------
# Part 1 and 2: the MGH set
# ---------------------------------------------------------------------------

def run_mgh(start, maxiter):
    """Every pair on every MGH problem from one start; print the table."""
    labels = [f"fn {a}" for a, _ in PAIRS] + [f"sp {b}" for _, b in PAIRS]
    print(f"\n== MGH set, start {start}·x0 "
          f"(cell: ok, loc, final f, 'max f' at maxiter, or the exception)")
    print(f"{'#':>3} {'problem':<27}{'n':>3} " + "".join(f"{s:<15}" for s in labels))
    table = {}
    for number in range(1, 36):
        prob = problems.mgh(number, start)
        row = []
        for solver, minimize in (("fastnewton", fastnewton.minimize),
                                 ("scipy", scipy.optimize.minimize)):
            for fn_method, sp_method in PAIRS:
                method = fn_method if solver == "fastnewton" else sp_method
                row.append(solve(minimize, method, prob.fun, prob.x0, prob.jac,
                                 prob.hess, options_for(solver, method, maxiter)))
        table[number] = (prob, row)
        print(f"{number:>3} {prob.name:<27}{prob.n:>3} "
              + "".join(f"{cell(prob, out):<15}" for out in row), flush=True)
    counts = [sum(bool(verdict(prob, row[k])) for prob, row in table.values())
              for k in range(len(labels))]
    print(f"    {'solved (of 35)':<30} " + "".join(f"{c:<15}" for c in counts))
    return table, labels, counts


def factorization_table(tables):
    """trust-exact's factorizations per iteration on the MGH set."""
    print("\n== fastnewton trust-exact: Cholesky factorizations per iteration "
          "(n_factorizations / nit)")
    print(f"{'#':>3} {'problem':<27}" + "".join(
        f"{'nit':>7}{'fact':>7}{'per it':>8}  " for _ in STARTS))
    print(f"{'':>31}" + "".join(f"{f'start {s}·x0':^24}" for s in STARTS))
    ratios = {s: [] for s in STARTS}
    for number in range(1, 36):
        line = f"{number:>3} {tables[1][number][0].name:<27}"
        for s in STARTS:
            out = tables[s][number][1][0]
            if out.error or out.nit == 0:
                line += f"{out.error or '-':>22}  "
                continue
            ratio = out.n_factorizations / out.nit
            ratios[s].append(ratio)
            line += f"{out.nit:>7}{out.n_factorizations:>7}{ratio:>8.2f}  "
        print(line)
    for s in STARTS:
        r = ratios[s]
        print(f"start {s:>3}·x0: median {statistics.median(r):.2f}, "
              f"max {max(r):.2f} factorizations per iteration over "
              f"{len(r)} problems")


def quartic_quadratic(n, seed=0):
    """f = ½xᵀ(A − 10 I)x + ¼Σx⁴ − bᵀx, A dense SPD with spectrum in [1, 100]."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    a = (q * np.logspace(0.0, 2.0, n)) @ q.T
    a = 0.5 * (a + a.T) - 10.0 * np.eye(n)
    b = rng.standard_normal(n)

    def fun(x):
        return float(0.5 * x @ (a @ x) + 0.25 * np.sum(x ** 4) - b @ x)

    def jac(x):
        return a @ x + x ** 3 - b

    def hess(x):
        h = a.copy()
        h.flat[::n + 1] += 3.0 * x * x
        return h

    return fun, jac, hess, np.zeros(n)


def dense_factorizations(n):
    """Factorizations per iteration of trust-exact on two dense problems of order n."""
    print(f"\n== fastnewton trust-exact on dense n = {n}")
    trig = problems.trigonometric(n)
    cases = [("trigonometric (bench/run.py)", trig.fun, trig.jac, trig.hess,
              trig.x0),
             ("indefinite quadratic + quartic", *quartic_quadratic(n))]
    for name, fun, jac, hess, x0 in cases:
        start = time.perf_counter()
        out = solve(fastnewton.minimize, "trust-exact", fun, x0, jac, hess,
                    {"gtol": GTOL, "maxiter": MAXITER})
        seconds = time.perf_counter() - start
        if out.error:
            print(f"  {name:<32} {out.error}")
            continue
        # nit counts refused steps too (as scipy's does); each iteration is one solve.
        print(f"  {name:<32} nit {out.nit:4d}  factorizations "
              f"{out.n_factorizations:5d}  ({out.n_factorizations / max(out.nit, 1):.2f}"
              f" per iteration)  f {out.fun:.6g}  {seconds:.1f} s")
        print(f"  {'':<32} of the {out.nit} solves, {out.n_rejected} gave refused steps "
              f"and {out.n_hard_case} ended in the hard case")


# ---------------------------------------------------------------------------
# Part 3: exponential-decay fits
# ---------------------------------------------------------------------------

def fit_data(m, seed=0):
    """m data sets y = a·exp(−b·t) + c + N(0, 0.05²) and the start (1, 1, 0)."""
    rng = np.random.default_rng(seed)
    a, b, c = (rng.uniform(0.5, 2.0, m), rng.uniform(0.3, 3.0, m),
               rng.uniform(-0.5, 0.5, m))
    y = (a[:, None] * np.exp(-b[:, None] * T) + c[:, None]
         + 0.05 * rng.standard_normal((m, T.size)))
    return np.tile([1.0, 1.0, 0.0], (m, 1)), y


def _centered_decay(b):
    """exp(−b·t) for each b, minus its mean over t (shape b.shape + (20,))."""
    e = np.exp(-np.multiply.outer(b, T))
    return e - e.mean(axis=-1, keepdims=True)


def _profile(sey, see, syy):
    """f at the best (a, c): ½ (Σ(y − ȳ)² − (Σ(e − ē)(y − ȳ))² / Σ(e − ē)²)."""
    return 0.5 * (syy - sey * sey / np.maximum(see, 1e-300))


def profile_on_grid(grid, y):
    """f*(b) of every fit (rows of y) at every b of `grid`: shape (k, g)."""
    e = _centered_decay(grid)
    yc = y - y.mean(axis=1, keepdims=True)
    return _profile(yc @ e.T, np.einsum("gi,gi->g", e, e),
                    np.einsum("ki,ki->k", yc, yc)[:, None])


def profile_per_fit(b, y):
    """f*(b_k) of fit k, for one b per row of y: shape (k,)."""
    e = _centered_decay(b)
    yc = y - y.mean(axis=1, keepdims=True)
    return _profile(np.einsum("ki,ki->k", e, yc), np.einsum("ki,ki->k", e, e),
                    np.einsum("ki,ki->k", yc, yc))


def global_minima(y, chunk=500):
    """The global minimum of every fit, by a scan in b and golden sections.

    For fixed b the fit is linear least squares in (a, c), so f*(b) is in
    closed form; b → 0 is the straight-line limit (a → ±∞). Returns the
    minima and how many fits have their best grid point at an end of the
    scanned range (their infimum may then be a limit, not a minimum).
    """
    grid = np.concatenate([-np.logspace(np.log10(3.0), -4, 200),
                           np.logspace(-4, np.log10(60.0), 1400)])
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    minima = np.empty(y.shape[0])
    at_edge = 0
    for lo in range(0, y.shape[0], chunk):
        yk = y[lo:lo + chunk]
        values = profile_on_grid(grid, yk)
        best = values.argmin(axis=1)
        at_edge += int(np.sum((best == 0) | (best == grid.size - 1)))
        left = grid[np.maximum(best - 1, 0)]
        right = grid[np.minimum(best + 1, grid.size - 1)]
        for _ in range(80):           # 0.618**80 ≈ 2e-17 of the bracket
            b1 = right - ratio * (right - left)
            b2 = left + ratio * (right - left)
            go_right = profile_per_fit(b1, yk) > profile_per_fit(b2, yk)
            left = np.where(go_right, b1, left)
            right = np.where(go_right, right, b2)
        minima[lo:lo + chunk] = np.minimum(
            profile_per_fit(0.5 * (left + right), yk), values.min(axis=1))
    return minima, at_edge


def fit_report(name, f, f_ref, status, errors=()):
    """One line: the share of fits at the global minimum, and what the rest did.

    The misses are counted by the solver's status code (0 means it claimed
    convergence, at a point that is not the global minimum) and by the kind
    of exception raised.
    """
    reached = f - f_ref <= SOLVED * np.maximum(1.0, np.abs(f_ref))
    below = int(np.sum(f < f_ref - 1e-9))
    kinds = {}
    for code in np.asarray(status)[~reached]:
        if code >= 0:
            kinds[f"status {code}"] = kinds.get(f"status {code}", 0) + 1
    for kind in errors:
        kinds[kind] = kinds.get(kind, 0) + 1
    extra = "".join(f", {count} × {kind}" for kind, count in sorted(kinds.items()))
    print(f"  {name:<34} {reached.mean() * 100:8.3f} %  of {f.size:6d}"
          f"  (missed {int((~reached).sum())}{extra}"
          + (f"; {below} below the reference" if below else "") + ")")


def run_fits(m, subset_size):
    """The decay fits through minimize_batch and loops of minimize."""
    print(f"\n== exponential-decay fits: m = {m} (batched), {subset_size} "
          f"(loops of minimize); gtol = {FIT_GTOL:g}, maxiter = {MAXITER}")
    x0, y = fit_data(m)
    start = time.perf_counter()
    f_ref, at_edge = global_minima(y)
    print(f"  reference minima by the b-scan in {time.perf_counter() - start:.1f} s"
          f" ({at_edge} fits with the best b at an end of the scan)")
    print(f"  {'method':<34} {'at the global minimum':>21}")
    for method in ("trust-exact", "newton"):
        try:
            res = fastnewton.minimize_batch(
                decay_fun, x0, method=method, jac=decay_jac, hess=decay_hess,
                batch_args=(y,), options={"gtol": FIT_GTOL, "maxiter": MAXITER})
            fit_report(f"minimize_batch {method}", np.asarray(res.fun), f_ref,
                       np.asarray(res.status))
        except Exception as exc:  # count the whole batch as failed
            fit_report(f"minimize_batch {method}", np.full(m, np.inf), f_ref,
                       np.full(m, -1), [type(exc).__name__] * m)
    subset = np.random.default_rng(1).choice(m, subset_size, replace=False)
    for solver, minimize, methods in (
            ("fastnewton", fastnewton.minimize, [a for a, _ in PAIRS]),
            ("scipy", scipy.optimize.minimize, [b for _, b in PAIRS])):
        for method in methods:
            opts = ({"xtol": XTOL, "maxiter": MAXITER} if method == "Newton-CG"
                    else {"gtol": FIT_GTOL, "maxiter": MAXITER})
            f, status, errors = np.empty(subset_size), np.empty(subset_size, int), []
            for k, i in enumerate(subset):
                yi = y[i]
                out = solve(minimize, method, lambda p: decay_fun1(p, yi),
                            x0[i], lambda p: decay_jac1(p, yi),
                            lambda p: decay_hess1(p, yi), opts)
                f[k] = out.fun if not out.error else np.inf
                status[k] = out.status
                if out.error:
                    errors.append(out.error)
            fit_report(f"{solver} minimize {method}", f, f_ref[subset], status,
                       errors)


# ---------------------------------------------------------------------------

def main(argv=None):
    """Run the three parts and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"MGH maxiter {QUICK_MAXITER} instead of {MAXITER}, "
                             "dense n = 300 instead of 1000, 2000 batched fits "
                             "and 100 looped ones instead of 10⁴ and 1000")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")       # scipy warns on non-convergence
    print(f"Python {sys.version.split()[0]}, numpy {np.__version__}, "
          f"scipy {scipy.__version__}, fastnewton {fastnewton.__version__}")
    with threadpool_limits(limits=1):
        libs = ", ".join(sorted({i.get("internal_api", "?") for i in threadpool_info()}))
        maxiter = QUICK_MAXITER if args.quick else MAXITER
        print(f"BLAS pinned to 1 thread ({libs}); gtol = {GTOL:g}, maxiter = "
              f"{maxiter} (scipy Newton-CG: xtol = {XTOL:g}); solved: "
              f"f − f* ≤ {SOLVED:g}·max(1, |f*|)")
        clock = time.perf_counter()
        tables, summary = {}, []
        for start in STARTS:
            tables[start], labels, counts = run_mgh(start, maxiter)
            summary.append((start, counts))
        print(f"(this part: {time.perf_counter() - clock:.1f} s)")
        print("\n== solved MGH problems (of 35) per start")
        print(f"{'start':<8}" + "".join(f"{s:<15}" for s in labels))
        for start, counts in summary:
            print(f"{f'{start}·x0':<8}" + "".join(f"{c:<15}" for c in counts))
        factorization_table(tables)
        clock = time.perf_counter()
        dense_factorizations(300 if args.quick else 1000)
        print(f"(this part: {time.perf_counter() - clock:.1f} s)")
        clock = time.perf_counter()
        run_fits(*((2000, 100) if args.quick else (10_000, 1000)))
        print(f"(this part: {time.perf_counter() - clock:.1f} s)")


if __name__ == "__main__":
    main()
