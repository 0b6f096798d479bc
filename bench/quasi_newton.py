"""Quasi-Newton Hessians against scipy's BFGS, with the gradient only.

fastnewton's ``trust-exact`` with ``hess=scipy.optimize.SR1()`` and with
``hess=scipy.optimize.BFGS()`` (the updates run in compiled code) against
``scipy.optimize.minimize(method='BFGS')``, all given the same ``fun`` and
``jac`` callables of the classic problems (``fastnewton.problems``) and
nothing else, in one process, BLAS on one thread.

A problem counts as solved when the run reports success (‖∇f‖∞ ≤ gtol,
scipy BFGS's own test and default 1e-5) at a known minimum: f within
1e-6·max(1, |f*|) of the global minimum, a listed local minimum, or the
minimum an exact-Hessian trust-exact run reaches from the same start.
The table gives each contender's gradient evaluations (njev), then the
solved counts and the median njev over the whole set; then the wall time on
Rosenbrock n = 10 (repeats in interleaved rounds, gc off while timing), as
the median over the rounds of scipy time / fastnewton time; last, issue 11's
floors (PASS/FAIL).

Usage::

    python bench/quasi_newton.py            # full run (about a minute)
    python bench/quasi_newton.py --quick    # CI smoke run: fewer timing repeats
"""

import argparse
import gc
import statistics
import time

import numpy as np
import scipy.linalg  # noqa: F401  (load scipy's LAPACK before pinning threads)
import scipy.optimize
from threadpoolctl import threadpool_limits

import fastnewton
from fastnewton import problems

GTOL = 1e-5


def contenders():
    """(label, run) pairs; run(problem) solves it once with `jac` only and returns the result."""
    def scipy_bfgs(p):
        return scipy.optimize.minimize(p.fun, p.x0, method="BFGS", jac=p.jac,
                                       options={"gtol": GTOL})

    def ours(strategy):
        def run(p):
            return fastnewton.minimize(p.fun, p.x0, method="trust-exact", jac=p.jac,
                                       hess=strategy(), options={"gtol": GTOL, "norm": np.inf})
        return run

    return [("scipy BFGS", scipy_bfgs),
            ("trust-exact + SR1()", ours(scipy.optimize.SR1)),
            ("trust-exact + BFGS()", ours(scipy.optimize.BFGS))]


def known_minima(p):
    """f at the problem's known minima, and at the one exact-Hessian trust-exact reaches."""
    exact = fastnewton.minimize(p.fun, p.x0, method="trust-exact", jac=p.jac, hess=p.hess,
                                options={"gtol": GTOL, "norm": np.inf})
    values = [value for _, value in p.local_minima]
    if p.f_min is not None:
        values.append(p.f_min)
    if exact.success:
        values.append(exact.fun)
    return values


def solved(res, minima):
    return bool(res.success) and any(abs(res.fun - value) <= 1e-6 * max(1.0, abs(value))
                                     for value in minima)


def interleaved_times(runs, repeats):
    """Wall times of `repeats` rounds, each timing every run of `runs` once, gc off as timeit does.

    Round by round, so that the machine's speed, which drifts on a shared
    host, is the same for every contender within a round. After one warm-up
    of each run; returns {label: [seconds per round]}.
    """
    for run in runs.values():
        run()
    times = {label: [] for label in runs}
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeats):
            for label, run in runs.items():
                start = time.perf_counter()
                run()
                times[label].append(time.perf_counter() - start)
    finally:
        gc.enable()
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer timing repeats (CI)")
    args = parser.parse_args(argv)
    repeats = 5 if args.quick else 51
    entries = contenders()
    labels = [label for label, _ in entries]
    print(f"gradient only, gtol = {GTOL:g} (inf-norm); njev per problem, * = not solved")
    print(f"{'problem':>22s} {'n':>4s} " + " ".join(f"{label:>21s}" for label in labels))
    counts = {label: [] for label in labels}
    wins = {label: 0 for label in labels}
    with threadpool_limits(limits=1):
        for p in problems.classic_problems():
            minima = known_minima(p)
            cells = []
            for label, run in entries:
                res = run(p)
                ok = solved(res, minima)
                wins[label] += ok
                counts[label].append(res.njev)
                cells.append(f"{res.njev:>20d}{' ' if ok else '*'}")
            print(f"{p.name:>22s} {p.n:>4d} " + " ".join(cells))
        total = len(problems.classic_problems())
        print(f"{'solved':>27s} " + " ".join(f"{wins[label]:>18d}/{total:<2d}" for label in labels))
        print(f"{'median njev':>27s} " + " ".join(f"{statistics.median(counts[label]):>21g}"
                                                   for label in labels))

        p = problems.rosenbrock(10)
        rounds = interleaved_times({label: (lambda run=run: run(p)) for label, run in entries},
                                   repeats)
        times = {label: statistics.median(rounds[label]) for label in labels}
        # The speedup is the median of the rounds' ratios (their range printed).
        speedups = {label: [reference / seconds for reference, seconds
                            in zip(rounds[labels[0]], rounds[label])] for label in labels}
        print(f"\nRosenbrock n = 10 (wall time, median of {repeats} interleaved rounds; "
              f"speedup: median of the rounds' ratios):")
        for label in labels:
            ratios = speedups[label]
            print(f"  {label:>21s} {times[label] * 1e3:9.3f} ms   scipy BFGS / this = "
                  f"{statistics.median(ratios):6.1f}× ({min(ratios):.1f}–{max(ratios):.1f}×)")

    # Issue 11's floor: as many solved, a median njev no higher, 10× on Rosenbrock n = 10.
    reference = labels[0]
    print(f"\nfloors against {reference} (solved ≥ {wins[reference]}, median njev ≤ "
          f"{statistics.median(counts[reference]):g}, Rosenbrock n = 10 ≥ 10×):")
    for label in labels[1:]:
        checks = [("solved", wins[label] >= wins[reference]),
                  ("median njev", statistics.median(counts[label])
                   <= statistics.median(counts[reference])),
                  ("speed", statistics.median(speedups[label]) >= 10.0)]
        print(f"  {label:>21s} " + ", ".join(f"{name} {'PASS' if ok else 'FAIL'}"
                                             for name, ok in checks))


if __name__ == "__main__":
    main()
