"""Benchmark bound-constrained minimization: fastnewton against scipy.

Four sections, all in one run, every BLAS/LAPACK library on one thread
(threadpoolctl), each time the median of repeated solves:

(1) the small bounded set (``fastnewton.bounded_problems.bounded_problems``:
    Hock–Schittkowski, classic problems in boxes, degenerate cases): every
    fastnewton method ('trust-exact', 'trust-ncg', 'trust-krylov',
    'newton') against scipy 'trust-constr' given the same Hessians and
    'L-BFGS-B'; solved counts and time ratios;
(2) MINPACK-2 elastic-plastic torsion and obstacle problems on a 100 × 100
    grid (quick: 32 × 32), fastnewton with the band
    (``options={'bandwidth': nx}``, ``hess`` returning LAPACK lower band
    storage) against 'trust-constr' (the same Hessian as a scipy.sparse
    matrix) and 'L-BFGS-B': time, iterations, projected gradient;
(3) a 1-D obstacle (contact) problem, tridiagonal, n = 10³ … 10⁶ (quick: up
    to 10³ only): iterations and time against 'L-BFGS-B'; every solver gets
    a time budget per size (L-BFGS-B, and fastnewton's 'newton' and
    'trust-ncg', free bounds a few at a time here and need O(n) iterations);
(4) bounded exponential-decay fits y = a·exp(−b·t) + c with
    ``minimize_batch``, m = 10⁴ (quick: 500), a, b ≥ 0 shared by all
    problems, then per-problem boxes, against a loop of 'L-BFGS-B' with the
    analytic gradient; agreement of the solutions.

A problem counts as solved when the projected gradient of the returned x,
computed here from the problem's own gradient, is ‖P(x − ∇f(x)) − x‖∞ ≤ 1e-6.
Every solver is asked for 1e-7 in its own measure (fastnewton: the projected
gradient, ∞-norm; L-BFGS-B: ``gtol``, the same measure; trust-constr:
1e-8 on its Lagrangian gradient, barrier from 1e-3 down to 1e-10: on the
small set these settings let it meet the projected-gradient test on 13
problems where its defaults with ``gtol`` = 1e-7 meet it on 5, at the same
cost).

Until ``bounds=`` lands in fastnewton, its rows print "fastnewton: bounds not
available" and the scipy halves still run. The floors of issue 12 are
printed at the end as PASS/FAIL (or n/a) with their numbers.

Usage::

    python bench/bounds.py            # full run (several minutes)
    python bench/bounds.py --quick    # CI smoke run, under a minute
"""

import argparse
import math
import statistics
import time
import warnings

import numpy as np
import scipy
import scipy.linalg  # noqa: F401  (load scipy's LAPACK before pinning threads)
import scipy.optimize
import scipy.sparse
from threadpoolctl import threadpool_limits

import fastnewton
from batch import (T, collector_off, decay_fun, decay_fun1, decay_hess, decay_jac, decay_jac1,
                   seconds)
from fastnewton import bounded_problems as BP

SOLVED = 1e-6          # projected gradient, ∞-norm, that counts as solved
ASKED = 1e-7           # the tolerance every solver is given
METHODS = ("trust-exact", "trust-ncg", "trust-krylov", "newton")
UNAVAILABLE = "fastnewton: bounds not available"


# ---------------------------------------------------------------------------
# Shared pieces
# ---------------------------------------------------------------------------

def bounds_unsupported(exc):
    """Whether `exc` is fastnewton saying it has no bounds yet (not a real failure)."""
    text = str(exc)
    return ("bounds are not supported yet" in text
            or (isinstance(exc, TypeError) and "bounds" in text))


def projected_gradient(prob, x):
    """‖P(x − ∇f(x)) − x‖∞ from the problem's own gradient."""
    return float(np.abs(prob.projected_gradient(x)).max())


def timed(run, budget):
    """Median seconds of `run()` over repeats fitting in `budget` (one at least), and a result."""
    start = time.perf_counter()
    result = run()
    times = [time.perf_counter() - start]
    repeats = min(7, int(budget / max(times[0], 1e-9)))
    for _ in range(repeats - 1):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def fastnewton_solver(method, prob, options=None, band=False, budget=None):
    """A zero-argument solve of `prob` by fastnewton with bounds, stopped after `budget` s if given."""
    options = dict({"gtol": ASKED, "norm": np.inf}, **(options or {}))
    hess = prob.hess_band if band else prob.hess

    def run():
        return fastnewton.minimize(prob.fun, prob.x0, method=method, jac=prob.jac, hess=hess,
                                   bounds=prob.bounds, options=options,
                                   callback=deadline_callback(budget))
    return run


def deadline_callback(budget):
    """A scipy callback that stops the solve `budget` seconds from now (None: no callback)."""
    if budget is None:
        return None
    deadline = time.perf_counter() + budget

    def callback(intermediate_result):
        if time.perf_counter() > deadline:
            raise StopIteration
    return callback


def lbfgsb_solver(prob, budget=None, maxiter=15_000):
    """A zero-argument L-BFGS-B solve of `prob`, stopped after `budget` seconds if given."""
    def run():
        return scipy.optimize.minimize(
            prob.fun, prob.project(prob.x0), jac=prob.jac, method="L-BFGS-B",
            bounds=prob.bounds, callback=deadline_callback(budget),
            options={"gtol": ASKED, "ftol": 1e-15, "maxiter": maxiter, "maxfun": 2 * maxiter})
    return run


def trust_constr_solver(prob, hess=None, budget=None):
    """A zero-argument trust-constr solve of `prob` with its Hessian (or `hess`) in `budget` s."""
    def run():
        with warnings.catch_warnings():
            # trust-constr's notes on quadratics (delta_grad == 0) and
            # overflow on huge bounds are its own business here.
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                return scipy.optimize.minimize(
                    prob.fun, prob.project(prob.x0), jac=prob.jac, hess=hess or prob.hess,
                    method="trust-constr", bounds=prob.bounds, callback=deadline_callback(budget),
                    options={"gtol": 0.1 * ASKED, "xtol": 1e-14, "barrier_tol": 1e-10,
                             "initial_barrier_parameter": 1e-3, "maxiter": 3000})
    return run


def iterations(res):
    # scipy returns a bare result, without nit, when every variable is fixed.
    return int(res.get("nit", 0))


def out_of_time(res):
    """The note ' (time budget)' if a deadline callback stopped the solve, else ''."""
    return " (time budget)" if "StopIteration" in str(res.get("message", "")) else ""


def row(label, seconds, res, prob, reference=None):
    """One table row: solver, iterations, f, projected gradient, time, ratio to `reference`."""
    pg = projected_gradient(prob, res.x)
    ratio = "" if reference is None else "%8.1f×" % (reference / seconds)
    print("    %-14s %7d %15.8g %9.1e %s %10.2f ms %s%s"
          % (label, iterations(res), float(prob.fun(res.x)), pg,
             "ok " if pg <= SOLVED else "NOT", 1e3 * seconds, ratio, out_of_time(res)))
    return pg <= SOLVED


def geometric_mean(values):
    return math.exp(statistics.fmean(math.log(v) for v in values)) if values else float("nan")


# ---------------------------------------------------------------------------
# (1) the small bounded set
# ---------------------------------------------------------------------------

def small_set(budget):
    problems = BP.bounded_problems()
    print("\n(1) the small bounded set: %d problems; time ratio = trust-constr time / this time"
          % len(problems))
    print("    %-14s %7s %15s %9s %s %13s %s" % ("solver", "nit", "f", "proj.grad", "   ",
                                                "time", " ratio"))
    solved = {name: 0 for name in ("trust-constr", "L-BFGS-B") + METHODS}
    at_minimum = dict.fromkeys(solved, 0)
    ratios = {method: [] for method in METHODS}
    available = True
    for prob in problems:
        print("  %s (n = %d)" % (prob.name, prob.n))
        seconds_tc, res = timed(trust_constr_solver(prob), budget)
        solved["trust-constr"] += row("trust-constr", seconds_tc, res, prob)
        at_minimum["trust-constr"] += reached_minimum(prob, res)
        seconds, res = timed(lbfgsb_solver(prob), budget)
        solved["L-BFGS-B"] += row("L-BFGS-B", seconds, res, prob, seconds_tc)
        at_minimum["L-BFGS-B"] += reached_minimum(prob, res)
        if not available:
            continue
        for method in METHODS:
            try:
                seconds, res = timed(fastnewton_solver(method, prob), budget)
            except Exception as exc:
                if bounds_unsupported(exc):
                    print("    " + UNAVAILABLE)
                    available = False
                    break
                # One failing problem (say, entropy's callables refusing a
                # point outside the box) must not hide the rest of the table:
                # it is printed and counted as not solved.
                print("    %-14s raised %s: %s" % (method, type(exc).__name__, exc))
                continue
            ok = row(method, seconds, res, prob, seconds_tc)
            solved[method] += ok
            at_minimum[method] += reached_minimum(prob, res)
            ratios[method].append(seconds_tc / seconds)
    print("\n  solved (projected gradient ≤ %.0e) out of %d; 'at f*': f within 1e-6 of the "
          "known minimum, of %d known" % (SOLVED, len(problems),
                                          sum(p.f_min is not None for p in problems)))
    for name, count in solved.items():
        if name in METHODS and not available:
            print("    %-14s %s" % (name, UNAVAILABLE))
            continue
        extra = ("" if name not in METHODS else
                 "   trust-constr time / this: geometric mean %.1f×, smallest %.1f×"
                 % (geometric_mean(ratios[name]), min(ratios[name], default=math.nan)))
        print("    %-14s solved %2d   at f* %2d%s" % (name, count, at_minimum[name], extra))
    return dict(available=available, solved=solved, ratios=ratios, total=len(problems))


def reached_minimum(prob, res):
    return prob.f_min is not None and float(prob.fun(res.x)) <= prob.f_min + 1e-6 * max(
        1.0, abs(prob.f_min))


# ---------------------------------------------------------------------------
# (2) MINPACK-2 torsion and obstacle on the band
# ---------------------------------------------------------------------------

def sparse_from_band(band):
    """scipy.sparse CSR matrix of the symmetric matrix in LAPACK lower band storage."""
    n = band.shape[1]
    offsets = range(band.shape[0])
    diagonals = [band[k, :n - k] for k in offsets]
    return scipy.sparse.diags(diagonals + diagonals[1:], list(offsets) + [-k for k in offsets][1:],
                              format="csr")


def grid_problems(size, budget, trust_constr_budget):
    print("\n(2) MINPACK-2 problems on a %d × %d grid (n = %d, band b = %d); ratios = "
          "other's time / fastnewton's; trust-constr stopped after %.0f s (its ratios are then "
          "lower bounds)" % (size, size, size * size, size, trust_constr_budget))
    results = []
    for prob in (BP.torsion(size, size), BP.obstacle(size, size)):
        print("  %s: projected gradient at x0 %.1e" % (prob.name, projected_gradient(prob,
                                                                                  prob.x0)))
        hess_sparse = sparse_from_band(prob.hess_band(prob.x0))     # constant: a quadratic
        seconds_tc, res_tc = timed(trust_constr_solver(prob, lambda x: hess_sparse,
                                                       trust_constr_budget), budget)
        row("trust-constr", seconds_tc, res_tc, prob)
        seconds_lb, res_lb = timed(lbfgsb_solver(prob), budget)
        row("L-BFGS-B", seconds_lb, res_lb, prob, seconds_tc)
        entry = dict(name=prob.name, fastnewton=None)
        try:
            for method in METHODS:
                seconds, res = timed(fastnewton_solver(method, prob, {"bandwidth": size},
                                                       band=True), budget)
                ok = row(method, seconds, res, prob, seconds_tc)
                print("    %-14s vs L-BFGS-B: %.1f× (L-BFGS-B %d iterations)"
                      % ("", seconds_lb / seconds, iterations(res_lb)))
                if method == "trust-exact":
                    entry["fastnewton"] = dict(solved=ok, over_tc=seconds_tc / seconds,
                                               over_lb=seconds_lb / seconds)
        except (TypeError, ValueError) as exc:
            if not bounds_unsupported(exc):
                raise
            print("    " + UNAVAILABLE)
        results.append(entry)
    return results


# ---------------------------------------------------------------------------
# (3) the 1-D obstacle as n grows
# ---------------------------------------------------------------------------

def obstacle_1d(sizes, lbfgsb_budget, budget):
    print("\n(3) 1-D obstacle (tridiagonal, b = 1); every solver stopped after %.0f s"
          % lbfgsb_budget)
    print("    %9s %-14s %7s %9s %s %12s %9s" % ("n", "solver", "nit", "proj.grad", "   ",
                                              "time", "contact"))
    results = []
    available = True
    for n in sizes:
        prob = BP.obstacle_1d(n)
        lower = prob.lower
        entries = {}
        contenders = [("L-BFGS-B", lambda: timed(lbfgsb_solver(prob, lbfgsb_budget, 10 ** 6),
                                                 0.0))]
        if available:
            # The same deadline as L-BFGS-B's: 'trust-ncg' frees bounds a
            # few at a time here and needs O(n) iterations ('newton' did
            # too, before its face jump).
            contenders += [(method, lambda method=method: timed(
                fastnewton_solver(method, prob, {"bandwidth": 1}, band=True, budget=lbfgsb_budget),
                budget)) for method in ("trust-exact", "newton", "trust-ncg")]
        for label, solve in contenders:
            try:
                seconds, res = solve()
            except (TypeError, ValueError) as exc:
                if not bounds_unsupported(exc):
                    raise
                print("    %9d %s" % (n, UNAVAILABLE))
                available = False
                break
            pg = projected_gradient(prob, res.x)
            print("    %9d %-14s %7d %9.1e %s %10.3f s %8.1f%%%s"
                  % (n, label, iterations(res), pg, "ok " if pg <= SOLVED else "NOT", seconds,
                     100 * np.mean(res.x <= lower + 1e-12), out_of_time(res)))
            entries[label] = dict(seconds=seconds, solved=pg <= SOLVED, nit=iterations(res))
        results.append((n, entries))
    return results


# ---------------------------------------------------------------------------
# (4) bounded curve fits with minimize_batch
# ---------------------------------------------------------------------------

def decay_data(m, seed=0):
    """Noisy decays; a quarter of them rise (a < 0), so the bound a ≥ 0 holds there."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.5, 3.0, m) * np.where(rng.uniform(size=m) < 0.25, -0.3, 1.0)
    b = rng.uniform(0.2, 2.0, m)
    c = rng.uniform(-1.0, 1.0, m)
    Y = a[:, None] * np.exp(-b[:, None] * T) + c[:, None] + 0.05 * rng.standard_normal((m, T.size))
    return np.tile([1.0, 1.0, 0.0], (m, 1)), Y


def per_problem_bounds(m, seed=1):
    """Boxes of their own: a ∈ [0, 5], b ∈ [β_i, 3] with β_i ∈ [0.1, 1.5] cutting off many fits."""
    rng = np.random.default_rng(seed)
    lower = np.column_stack([np.zeros(m), rng.uniform(0.1, 1.5, m), np.full(m, -np.inf)])
    upper = np.column_stack([np.full(m, 5.0), np.full(m, 3.0), np.full(m, np.inf)])
    return scipy.optimize.Bounds(lower, upper)


def fitted_curves(P):
    return P[:, :1] * np.exp(-P[:, 1:2] * T) + P[:, 2:]


def cpu_timed(run):
    """CPU seconds of one `run()` with the collector off (as bench/batch.py times), and its result."""
    with collector_off():
        start = seconds()
        result = run()
        return seconds() - start, result


def batch_fits(m, subset_size, rounds):
    """Section (4): each round times the L-BFGS-B loop and both batched methods back to back;
    the speedup is the median of the rounds' ratios (their range is printed), in CPU seconds."""
    x0, Y = decay_data(m)
    subset = np.sort(np.random.default_rng(2).choice(m, size=min(subset_size, m), replace=False))
    scale = m / subset.size
    print("\n(4) bounded curve fits a·exp(−b·t) + c, m = %d; L-BFGS-B loop over %d problems "
          "(time scaled ×%.0f); %d rounds, CPU seconds" % (m, subset.size, scale, rounds))
    results = []
    shared = scipy.optimize.Bounds([0.0, 0.0, -np.inf], np.inf)
    cases = (("shared a, b ≥ 0", shared), ("per-problem boxes", per_problem_bounds(m)))
    methods = ("trust-exact", "newton")
    for label, bounds in cases:
        lower = np.broadcast_to(bounds.lb, (m, 3))
        upper = np.broadcast_to(bounds.ub, (m, 3))
        start = np.clip(x0, lower, upper)

        def loop():
            out = []
            for i in subset:
                out.append(scipy.optimize.minimize(
                    decay_fun1, start[i], args=(Y[i],), jac=decay_jac1, method="L-BFGS-B",
                    bounds=scipy.optimize.Bounds(lower[i], upper[i]),
                    options={"gtol": ASKED, "ftol": 1e-15, "maxiter": 15_000}))
            return out

        def batch(method):
            return fastnewton.minimize_batch(
                decay_fun, x0, method=method, jac=decay_jac, hess=decay_hess,
                batch_args=(Y,), bounds=bounds, options={"gtol": ASKED, "norm": np.inf})

        loop_times, batch_times = [], {method: [] for method in methods}
        for _ in range(rounds):
            seconds_loop, loop_results = cpu_timed(loop)
            loop_times.append(seconds_loop * scale)
            solved = {}
            for method in methods:
                seconds_batch, solved[method] = cpu_timed(lambda method=method: batch(method))
                batch_times[method].append(seconds_batch)
        x_loop = np.array([r.x for r in loop_results])
        f_loop = decay_fun(x_loop, Y[subset])
        at_bound = np.mean(np.any((x_loop <= lower[subset]) | (x_loop >= upper[subset]), axis=1))
        print("  %s: %.0f%% of the L-BFGS-B fits end on a bound" % (label, 100 * at_bound))
        print("    %-30s %10s %12s %9s %13s %9s" % ("solver", "time [s]", "per problem",
                                                    "speedup", "(rounds)", "mean nit"))
        loop_seconds = statistics.median(loop_times)
        print("    %-30s %10.3f %10.1f µs %9s %13s %9.1f" % (
            "loop of scipy L-BFGS-B", loop_seconds, 1e6 * loop_seconds / m, "", "",
            np.mean([r.nit for r in loop_results])))
        entry = dict(label=label, fastnewton={})
        for method in methods:
            res = solved[method]
            ratios = [lt / bt for lt, bt in zip(loop_times, batch_times[method])]
            speedup = statistics.median(ratios)
            batch_seconds = statistics.median(batch_times[method])
            x = res.x[subset]
            curves = np.abs(fitted_curves(x) - fitted_curves(x_loop)).max()
            worse = np.max((decay_fun(x, Y[subset]) - f_loop) / np.maximum(1.0, f_loop))
            print("    %-30s %10.3f %10.1f µs %8.1f× %13s %9.1f   success %.2f%%; fitted "
                  "curves differ by ≤ %.1e, f above L-BFGS-B's by ≤ %.1e"
                  % ("minimize_batch " + method, batch_seconds, 1e6 * batch_seconds / m,
                     speedup, "%.0f–%.0f×" % (min(ratios), max(ratios)), res.nit.mean(),
                     100 * res.success.mean(), curves, worse))
            entry["fastnewton"][method] = dict(speedup=speedup,
                                               same=curves <= 1e-4 and worse <= 1e-8)
        results.append(entry)
    return results


# ---------------------------------------------------------------------------

def floors(small, grids, obstacle, fits):
    print("\nFloors (issue 12)")
    checks = []
    if small["available"]:
        for method in METHODS:
            count = small["solved"][method]
            checks.append(("(1) %s solves all %d" % (method, small["total"]),
                           count == small["total"], "%d solved" % count))
            ratio = geometric_mean(small["ratios"][method])
            checks.append(("(1) %s ≥ 20× faster than trust-constr" % method, ratio >= 20,
                           "geometric mean %.1f×" % ratio))
            checks.append(("(1) %s solves at least as many as L-BFGS-B" % method,
                           count >= small["solved"]["L-BFGS-B"],
                           "%d vs %d" % (count, small["solved"]["L-BFGS-B"])))
    for entry in grids:
        fn = entry["fastnewton"]
        if fn is not None:
            checks.append(("(2) %s solved with the band, ≥ 20× faster than trust-constr"
                           % entry["name"], fn["solved"] and fn["over_tc"] >= 20,
                           "%.1f× (%.1f× L-BFGS-B's speed)" % (fn["over_tc"], fn["over_lb"])))
    for n, entries in obstacle:
        fn = entries.get("trust-exact")
        if fn is not None and n == 10 ** 5:
            lb = entries["L-BFGS-B"]
            checks.append(("(3) n = 10⁵ solved in < 10 s, faster than L-BFGS-B",
                           fn["solved"] and fn["seconds"] < 10 and fn["seconds"] < lb["seconds"],
                           "%.2f s, %d iterations; L-BFGS-B %.1f s%s"
                           % (fn["seconds"], fn["nit"], lb["seconds"],
                              "" if lb["solved"] else " (unsolved)")))
    for entry in fits:
        for method, fn in entry["fastnewton"].items():
            checks.append(("(4) %s, %s: ≥ 30× the L-BFGS-B loop, same solutions"
                           % (entry["label"], method),
                           fn["speedup"] >= 30 and fn["same"], "%.1f×" % fn["speedup"]))
    if not checks:
        print("  n/a: " + UNAVAILABLE)
    for label, passed, numbers in checks:
        print("  %s  %s: %s" % ("PASS" if passed else "FAIL", label, numbers))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smaller grids, sizes and batches, shorter budgets")
    options = parser.parse_args()
    quick = options.quick
    with threadpool_limits(limits=1), np.errstate(over="ignore"):
        print("fastnewton %s, scipy %s, numpy %s; BLAS/LAPACK on one thread"
              % (fastnewton.__version__, scipy.__version__, np.__version__))
        small = small_set(budget=0.2 if quick else 1.0)
        grids = grid_problems(32 if quick else 100, budget=0.5 if quick else 3.0,
                              trust_constr_budget=20.0 if quick else 300.0)
        sizes = [10 ** k for k in range(3, 4 if quick else 7)]
        obstacle = obstacle_1d(sizes,
                               lbfgsb_budget=3.0 if quick else 60.0, budget=0.5 if quick else 3.0)
        fits = batch_fits(500 if quick else 10_000, 500 if quick else 1_000,
                          rounds=3)
    floors(small, grids, obstacle, fits)


if __name__ == "__main__":
    main()
