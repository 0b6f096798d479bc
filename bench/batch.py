"""Benchmark fastnewton.minimize_batch against per-problem loops.

Two batches of m = 10⁴ independent problems, with vectorized callbacks
written the way a numpy user would (broadcasting, einsum, batched matmul):

(a) curve fits: y ≈ a·exp(−b·t) + c, n = 3 parameters, 20 points per fit
    (cheap callbacks: a Python loop is dominated by solver overhead);
(b) L2-regularized logistic regressions, n = 5 features, 200 observations
    each (the callbacks dominate);
(c) banded problems: m = 10³ signals of n = 1000 samples, each denoised by
    ½‖x − y‖² + λ Σ √(1 + (Δx)²) (tridiagonal Hessian, b = 1), plus
    μ Σ √(1 + (Δ²x)²) (pentadiagonal, b = 2), with the band Hessian given
    (`options={'bandwidth': b}`) or from 2b + 1 batched gradient differences.

Contenders, all with gtol = 1e-6 on ‖∇f‖₂ and analytic derivatives, BLAS and
LAPACK pinned to one thread: `minimize_batch` ('trust-exact' and 'newton'),
and Python loops over `scipy.optimize.minimize` ('trust-exact', 'BFGS') and
over `fastnewton.minimize` ('trust-exact'). The loops run on a random subset
of the problems and their time is scaled to all m (said in the table).
`minimize_batch`'s callbacks are wrapped with timers, so its own time (the
compiled solver plus the Python around it) is the total minus the callbacks.
Times are CPU seconds of the process with the garbage collector off; each
floor's batch and loop are timed in turns over several rounds, and a
speedup is the median of the rounds' ratios (the range is printed too), so
that a load on the machine that comes and goes falls on both sides.

Floors, printed as PASS/FAIL with the numbers:
  (a) minimize_batch trust-exact ≥ 80× faster than the scipy trust-exact loop,
      with the same solutions (every subset problem within 1e-4 relative);
  (a), (b) fastnewton's own time ≤ 20% of the batched solve (issue 9);
  (c) minimize_batch with bandwidth ≥ 3× faster than a loop over
      fastnewton.minimize with the same band, with the same solutions.
Then the time per problem as m goes 10², 10³, 10⁴, 10⁵.

Usage::

    python bench/batch.py            # full run (a few minutes)
    python bench/batch.py --quick    # well under a minute
    python bench/batch.py --only c   # one section (a, b or c) and its floors
"""

import argparse
import contextlib
import gc
import statistics
import time

import numpy as np
import scipy.linalg  # noqa: F401  (load scipy's LAPACK before pinning threads)
import scipy.optimize
from threadpoolctl import threadpool_limits

import fastnewton

GTOL = 1e-6
SAME_X = 1e-4      # relative agreement asked of the solutions


# ---------------------------------------------------------------------------
# (a) exponential-decay curve fits, n = 3
# ---------------------------------------------------------------------------

T = np.linspace(0.0, 4.0, 20)


def decay_data(m, seed=0):
    rng = np.random.default_rng(seed)
    a, b, c = rng.uniform(1.0, 3.0, m), rng.uniform(0.5, 2.0, m), rng.uniform(-1.0, 1.0, m)
    Y = a[:, None] * np.exp(-b[:, None] * T) + c[:, None] + 0.05 * rng.standard_normal((m, T.size))
    return np.tile([1.0, 1.0, 0.0], (m, 1)), (Y,)


def decay_fun(P, Y):
    r = P[:, :1] * np.exp(-P[:, 1:2] * T) + P[:, 2:] - Y
    return 0.5 * np.einsum("ki,ki->k", r, r)


def decay_jac(P, Y):
    e = np.exp(-P[:, 1:2] * T)
    r = P[:, :1] * e + P[:, 2:] - Y
    return np.stack([np.einsum("ki,ki->k", r, e), -np.einsum("ki,ki->k", r, P[:, :1] * T * e),
                     r.sum(axis=1)], axis=1)


def decay_hess(P, Y):
    """The (m, 3, 3) Hessians, entry by entry.

    Each entry is one reduction over t. The shorter J^T J by
    ``np.einsum("kij,kil->kjl", J, J)`` gives the same numbers but takes
    about 6× as long at m = 10⁴ (einsum finds no BLAS call for a stack of
    3 × 3 products): 23 ms a call against 4, more than the solver's own
    time for the whole batch.
    """
    a, e = P[:, 0], np.exp(-P[:, 1:2] * T)
    r = P[:, :1] * e + P[:, 2:] - Y
    te = T * e
    H = np.empty((len(P), 3, 3))
    H[:, 0, 0] = np.einsum("ki,ki->k", e, e)
    H[:, 0, 1] = -a * np.einsum("ki,ki->k", e, te) - np.einsum("ki,ki->k", r, te)
    H[:, 0, 2] = e.sum(axis=1)
    H[:, 1, 1] = a * a * np.einsum("ki,ki->k", te, te) + a * np.einsum("ki,ki->k", r, T * te)
    H[:, 1, 2] = -a * te.sum(axis=1)
    H[:, 2, 2] = T.size
    H[:, 1, 0], H[:, 2, 0], H[:, 2, 1] = H[:, 0, 1], H[:, 0, 2], H[:, 1, 2]
    return H


def decay_fun1(p, y):
    r = p[0] * np.exp(-p[1] * T) + p[2] - y
    return 0.5 * r @ r


def decay_jac1(p, y):
    e = np.exp(-p[1] * T)
    r = p[0] * e + p[2] - y
    return np.array([r @ e, -p[0] * (r @ (T * e)), r.sum()])


def decay_hess1(p, y):
    e = np.exp(-p[1] * T)
    r = p[0] * e + p[2] - y
    J = np.column_stack([e, -p[0] * T * e, np.ones_like(e)])
    H = J.T @ J
    H[0, 1] = H[1, 0] = H[0, 1] - r @ (T * e)
    H[1, 1] += p[0] * (r @ (T * T * e))
    return H


# ---------------------------------------------------------------------------
# (b) L2-regularized logistic regression, n = 5, 200 observations
# ---------------------------------------------------------------------------

LAMBDA = 1.0


def logistic_data(m, seed=0, n_obs=200, n=5):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((m, n_obs, n))
    A[:, :, 0] = 1.0                                        # intercept
    w_true = rng.standard_normal((m, n))
    p = 1.0 / (1.0 + np.exp(-np.einsum("kon,kn->ko", A, w_true)))
    y = (rng.uniform(size=(m, n_obs)) < p).astype(float)
    return np.zeros((m, n)), (A, y)


def logistic_fun(W, A, y):
    z = (A @ W[:, :, None])[:, :, 0]
    return np.sum(np.logaddexp(0.0, z) - y * z, axis=1) + 0.5 * LAMBDA * np.sum(W * W, axis=1)


def logistic_jac(W, A, y):
    z = (A @ W[:, :, None])[:, :, 0]
    return (A.transpose(0, 2, 1) @ (scipy.special.expit(z) - y)[:, :, None])[:, :, 0] + LAMBDA * W


def logistic_hess(W, A, y):
    z = (A @ W[:, :, None])[:, :, 0]
    s = scipy.special.expit(z)
    return (A.transpose(0, 2, 1) * (s * (1.0 - s))[:, None, :]) @ A + LAMBDA * np.eye(W.shape[1])


def logistic_fun1(w, A, y):
    z = A @ w
    return np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * LAMBDA * w @ w


def logistic_jac1(w, A, y):
    return A.T @ (scipy.special.expit(A @ w) - y) + LAMBDA * w


def logistic_hess1(w, A, y):
    s = scipy.special.expit(A @ w)
    return (A.T * (s * (1.0 - s))) @ A + LAMBDA * np.eye(w.size)


# ---------------------------------------------------------------------------
# (c) banded: denoising signals, tridiagonal (b = 1) or pentadiagonal (b = 2)
# ---------------------------------------------------------------------------
# Written over the last axis, so the same functions serve one signal (n,)
# and a batch (k, n).

SMOOTH_FIRST, SMOOTH_SECOND = 2.0, 1.0     # λ and μ


def denoise_data(m, n, seed=0):
    rng = np.random.default_rng(seed)
    s = np.linspace(0.0, 1.0, n)
    clean = np.sin(2 * np.pi * (s[None, :] * rng.uniform(1, 3, (m, 1))))
    return np.zeros((m, n)), (clean + 0.3 * rng.standard_normal((m, n)),)


def second_difference(X):
    return X[..., 2:] - 2.0 * X[..., 1:-1] + X[..., :-2]


def denoise_fun(X, Y, b):
    value = 0.5 * np.sum((X - Y) ** 2, axis=-1)
    value += SMOOTH_FIRST * np.sum(np.sqrt(1.0 + np.diff(X, axis=-1) ** 2), axis=-1)
    if b == 2:
        value += SMOOTH_SECOND * np.sum(np.sqrt(1.0 + second_difference(X) ** 2), axis=-1)
    return value


def denoise_jac(X, Y, b):
    g = X - Y
    d = np.diff(X, axis=-1)
    w = SMOOTH_FIRST * d / np.sqrt(1.0 + d * d)          # φ'(Δx)
    g[..., :-1] -= w
    g[..., 1:] += w
    if b == 2:
        d = second_difference(X)
        w = SMOOTH_SECOND * d / np.sqrt(1.0 + d * d)
        g[..., :-2] += w
        g[..., 1:-1] -= 2.0 * w
        g[..., 2:] += w
    return g


def denoise_hess_band(X, Y, b):
    band = np.zeros(X.shape[:-1] + (b + 1, X.shape[-1]))
    band[..., 0, :] = 1.0
    d = np.diff(X, axis=-1)
    w = SMOOTH_FIRST / (1.0 + d * d) ** 1.5               # φ''(Δx)
    band[..., 0, :-1] += w
    band[..., 0, 1:] += w
    band[..., 1, :-1] -= w
    if b == 2:
        d = second_difference(X)
        w = SMOOTH_SECOND / (1.0 + d * d) ** 1.5
        band[..., 0, :-2] += w
        band[..., 0, 1:-1] += 4.0 * w
        band[..., 0, 2:] += w
        band[..., 1, :-2] -= 2.0 * w
        band[..., 1, 1:-1] -= 2.0 * w
        band[..., 2, :-2] += w
    return band


def run_banded(m, n, subset_size, repeats):
    """minimize_batch with a band against a loop of fastnewton.minimize with the same band."""
    x0, (Y,) = denoise_data(m, n)
    subset = np.sort(np.random.default_rng(1).choice(m, size=min(subset_size, m), replace=False))
    scale = m / subset.size
    print("\n(c) banded: %d denoising problems of n = %d, trust-exact" % (m, n))
    print("  %-34s %10s %12s %9s %8s %9s %9s" % ("solver", "time [s]", "per problem", "speedup",
                                                 "mean nit", "converged", "own time"))
    results = []
    for b in (1, 2):
        for hess_label, with_hess in (("band given", True), ("band by differences", False)):
            options = {"gtol": GTOL, "bandwidth": b}
            batches, loop_times = [], []
            # Batch and loop in turns, as in `run_benchmark`.
            for _ in range(repeats):
                clock = [0.0]
                with collector_off():
                    start = seconds()
                    res = fastnewton.minimize_batch(
                        Timed(denoise_fun, clock), x0, method="trust-exact",
                        jac=Timed(denoise_jac, clock),
                        hess=Timed(denoise_hess_band, clock) if with_hess else None,
                        batch_args=(Y,), args=(b,), options=options)
                    batches.append((seconds() - start, clock[0], res))
                    start = seconds()
                    xs = [fastnewton.minimize(
                        denoise_fun, x0[i], args=(Y[i], b), method="trust-exact",
                        jac=denoise_jac, hess=denoise_hess_band if with_hess else None,
                        options=dict(options, check_bandwidth=False)).x for i in subset]
                    loop_times.append((seconds() - start) * scale)
            ratios = [loop / batch[0] for loop, batch in zip(loop_times, batches)]
            speedup = statistics.median(ratios)
            batch_time, callback_time, res = median_round(batches)
            loop_time = statistics.median(loop_times)
            difference = agreement(res.x[subset], np.array(xs))
            print("  b = %d, %-26s %10.3f %10.1f µs %8.1f× %8.1f %8.2f%% %8.1f%%"
                  % (b, hess_label, batch_time, 1e6 * batch_time / m, speedup,
                     res.nit.mean(), 100 * res.success.mean(),
                     100 * (batch_time - callback_time) / batch_time))
            print("  %-34s %10.3f %10.1f µs %9s   (solutions differ by %.1e; speedup by round "
                  "%.1f–%.1f×)" % ("  loop of fastnewton.minimize", loop_time,
                                  1e6 * loop_time / m, "(scaled)", difference, min(ratios),
                                  max(ratios)))
            results.append(dict(b=b, hess=hess_label, speedup=speedup, agreement=difference,
                                success=res.success.all()))
    print("  (loops timed on %d random problems and scaled ×%.0f to m = %d; CPU seconds, medians "
          "of %d rounds; own time: the batch's time outside the callbacks)"
          % (subset.size, scale, m, repeats))
    return results


BENCHMARKS = {
    "a": dict(title="(a) curve fits a·exp(−b·t)+c, n=3, 20 points", data=decay_data,
              batch=(decay_fun, decay_jac, decay_hess), single=(decay_fun1, decay_jac1, decay_hess1)),
    "b": dict(title="(b) logistic regression + L2, n=5, 200 observations", data=logistic_data,
              batch=(logistic_fun, logistic_jac, logistic_hess),
              single=(logistic_fun1, logistic_jac1, logistic_hess1)),
}


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------

class Timed:
    """A callback wrapper that adds the time spent inside the user's function to `clock`."""

    def __init__(self, func, clock):
        self.func, self.clock = func, clock

    def __call__(self, *args):
        start = seconds()
        try:
            return self.func(*args)
        finally:
            self.clock[0] += seconds() - start


def seconds():
    """CPU seconds of this process.

    Every contender runs on one thread (BLAS pinned, numpy's loops serial),
    so on an idle machine this is the wall time; on a shared one it leaves
    out the time the process waits for a core, which otherwise falls on
    whichever contender happens to run while another job does.
    """
    return time.process_time()


@contextlib.contextmanager
def collector_off():
    """The garbage collector off while timing: a collection would be charged to
    whichever run happened to allocate when it triggered."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def batched(bench, method, x0, data):
    """Total and callback seconds of one minimize_batch run, and its result."""
    clock = [0.0]
    fun, jac, hess = (Timed(f, clock) for f in bench["batch"])
    with collector_off():
        start = seconds()
        res = fastnewton.minimize_batch(fun, x0, method=method, jac=jac, hess=hess,
                                        batch_args=data, options={"gtol": GTOL})
        total = seconds() - start
    return total, clock[0], res


def median_round(rounds):
    """The round (total, callback, result) whose total time is the median of the rounds'."""
    return sorted(rounds, key=lambda r: r[0])[len(rounds) // 2]


def looped(bench, solver, method, x0, data, subset):
    """Seconds for a Python loop of `solver` over the problems in `subset`, and their x, nit."""
    fun, jac, hess = bench["single"]
    xs, nits = [], []
    with collector_off():
        start = seconds()
        for i in subset:
            args = tuple(array[i] for array in data)
            if method == "BFGS":
                res = solver(fun, x0[i], args=args, method=method, jac=jac,
                             options={"gtol": GTOL, "norm": 2})
            else:
                res = solver(fun, x0[i], args=args, method=method, jac=jac, hess=hess,
                             options={"gtol": GTOL})
            xs.append(res.x)
            nits.append(res.nit)
        elapsed = seconds() - start
    return elapsed, np.array(xs), np.array(nits)


def agreement(x, reference):
    """Largest relative difference between the rows of two solution arrays."""
    return np.max(np.linalg.norm(x - reference, axis=1)
                  / np.maximum(1.0, np.linalg.norm(reference, axis=1)))


def run_benchmark(key, m, subset_size, repeats):
    bench = BENCHMARKS[key]
    x0, data = bench["data"](m)
    rng = np.random.default_rng(1)
    subset = np.sort(rng.choice(m, size=min(subset_size, m), replace=False))
    scale = m / subset.size
    print("\n%s, m = %d" % (bench["title"], m))
    print("  %-46s %10s %12s %9s %8s %9s" % ("solver", "time [s]", "per problem", "speedup",
                                             "mean nit", "converged"))
    # The batches and the reference loop run in turns, `repeats` rounds, and
    # the speedup is the median of the rounds' ratios: a round's two timings
    # are taken back to back, under the same load of the machine.
    rounds = {"batch trust-exact": [], "batch newton": []}
    reference_rounds = []
    for _ in range(repeats):
        for method in ("trust-exact", "newton"):
            rounds["batch " + method].append(batched(bench, method, x0, data))
        elapsed, reference_x, reference_nits = looped(bench, scipy.optimize.minimize,
                                                      "trust-exact", x0, data, subset)
        reference_rounds.append(elapsed * scale)
    ratios = [reference / total for reference, (total, _, _)
              in zip(reference_rounds, rounds["batch trust-exact"])]
    speedup = statistics.median(ratios)
    rows = {label: median_round(runs) for label, runs in rounds.items()}
    reference_time = statistics.median(reference_rounds)
    loops = {"scipy.optimize.minimize trust-exact": (reference_time, reference_x,
                                                     reference_nits)}
    for label, solver, method in (("scipy.optimize.minimize BFGS", scipy.optimize.minimize, "BFGS"),
                                  ("fastnewton.minimize trust-exact", fastnewton.minimize,
                                   "trust-exact")):
        elapsed, xs, nits = looped(bench, solver, method, x0, data, subset)
        loops[label] = (elapsed * scale, xs, nits)
    for label, (total, callback, res) in rows.items():
        print("  %-46s %10.3f %10.1f µs %8.0f× %8.1f %8.2f%%"
              % ("minimize_batch " + label.split()[1], total, 1e6 * total / m,
                 reference_time / total, res.nit.mean(), 100 * res.success.mean()))
    for label, (seconds, xs, nits) in loops.items():
        print("  %-46s %10.3f %10.1f µs %8.1f× %8.1f %9s"
              % ("loop: " + label, seconds, 1e6 * seconds / m, reference_time / seconds,
                 nits.mean(), "(scaled)"))
    print("  (loops timed on %d random problems and scaled ×%.0f to m = %d; CPU seconds, medians "
          "of %d rounds for the batches and the scipy trust-exact loop)"
          % (subset.size, scale, m, repeats))
    print("  speedup of minimize_batch trust-exact over the scipy trust-exact loop, round by "
          "round: median %.1f×, range %.1f–%.1f×" % (speedup, min(ratios), max(ratios)))
    for label, (total, callback, _) in rows.items():
        print("  minimize_batch %-12s %.3f s = callbacks %.3f s + fastnewton's own %.3f s (%.1f%%)"
              % (label.split()[1] + ":", total, callback, total - callback,
                 100 * (total - callback) / total))
    total, callback, res = rows["batch trust-exact"]
    own = total - callback
    scipy_x = loops["scipy.optimize.minimize trust-exact"][1]
    fast_x = loops["fastnewton.minimize trust-exact"][1]
    same_as_scipy = agreement(res.x[subset], scipy_x)
    same_as_fast = agreement(res.x[subset], fast_x)
    same_nit = np.mean(res.nit[subset] == loops["fastnewton.minimize trust-exact"][2])
    print("  solutions vs the scipy trust-exact loop: max relative difference %.1e; "
          "vs fastnewton.minimize: %.1e (same iteration count on %.0f%% of problems)"
          % (same_as_scipy, same_as_fast, 100 * same_nit))
    return dict(speedup=speedup, own_fraction=own / total,
                same_solutions=same_as_scipy <= SAME_X and res.success[subset].all(),
                agreement=same_as_scipy)


def scaling(key, sizes):
    bench = BENCHMARKS[key]
    print("\n%s: minimize_batch trust-exact as m grows" % bench["title"])
    print("  %9s %10s %12s %10s" % ("m", "time [s]", "per problem", "own share"))
    for m in sizes:
        x0, data = bench["data"](m, seed=2)
        total, callback, res = median_round([batched(bench, "trust-exact", x0, data)
                                             for _ in range(3 if m <= 10_000 else 1)])
        print("  %9d %10.4f %10.1f µs %9.1f%%" % (m, total, 1e6 * total / m,
                                                 100 * (total - callback) / total))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller loop subsets and sizes")
    parser.add_argument("--only", choices=["a", "b", "c"], action="append",
                        help="run only this section (and its floors); may be repeated")
    options = parser.parse_args()
    sections = options.only or ["a", "b", "c"]
    subset = 200 if options.quick else 500
    repeats = 5
    checks = []
    # Newton trial steps on the curve fits can send b far negative, where the
    # user's exp overflows to inf; the solver handles that (shorter steps), so
    # numpy's overflow warnings are silenced here.
    with threadpool_limits(1), np.errstate(over="ignore"):
        print("fastnewton %s, scipy %s, numpy %s; BLAS/LAPACK on one thread"
              % (fastnewton.__version__, scipy.__version__, np.__version__))
        if "a" in sections:
            a = run_benchmark("a", 10_000, subset, repeats)
            checks += [
                ("(a) speedup over the scipy trust-exact loop >= 80x, same solutions",
                 a["speedup"] >= 80 and a["same_solutions"],
                 "%.1fx, max relative difference in x %.1e" % (a["speedup"], a["agreement"])),
                ("(a) fastnewton's own time <= 20% of the batched solve",
                 a["own_fraction"] <= 0.20, "%.1f%%" % (100 * a["own_fraction"])),
            ]
        if "b" in sections:
            b = run_benchmark("b", 10_000, subset, repeats)
            checks.append(("(b) fastnewton's own time <= 20% of the batched solve",
                           b["own_fraction"] <= 0.20, "%.1f%%" % (100 * b["own_fraction"])))
        if "a" in sections:
            scaling("a", [100, 1_000, 10_000, 100_000])
        if "b" in sections:
            scaling("b", [100, 1_000, 10_000] + ([] if options.quick else [100_000]))
        if "c" in sections:
            checks += [
                ("(c) b = %d, %s: >= 3x the minimize loop, same solutions" % (r["b"], r["hess"]),
                 r["speedup"] >= 3 and r["agreement"] <= SAME_X and r["success"],
                 "%.1fx, max relative difference in x %.1e" % (r["speedup"], r["agreement"]))
                for r in run_banded(200 if options.quick else 1_000, 1_000,
                                    40 if options.quick else 200, 3)
            ]
    print("\nFloors")
    for label, passed, numbers in checks:
        print("  %s  %s: %s" % ("PASS" if passed else "FAIL", label, numbers))


if __name__ == "__main__":
    main()
