"""Slope versus curvature: gradient descent against Newton's method.

Reproduces the comparison of the lesson "Jacobian, Hessian & Taylor: slope,
curvature, and Newton" with real runs:

1. A quadratic bowl ``f(x) = 1/2 x^T A x - b^T x`` with an ill-conditioned
   2-D SPD matrix ``A`` (eigenvalues 1 and 10, rotated by 30 degrees).
   Gradient descent with the best fixed step ``2 / (lambda_min + lambda_max)``
   against Newton's method, both as ``fastnewton.minimize(method='newton')``
   and as the bare step ``-H^{-1} grad f``. Newton lands on the minimizer in
   one step; gradient descent is still creeping after 50.
2. Rosenbrock's function (n = 2, start (-1.2, 1)): the gradient norm per
   iteration of gradient descent (Armijo backtracking), scipy's BFGS and
   fastnewton's four second-order methods. Near the minimizer the Newton
   methods square the error at every step.

Usage::

    python bench/lesson.py              # tables, plots saved in bench/
    python bench/lesson.py --quick      # shorter gradient-descent run
    python bench/lesson.py --out DIR    # save the plots in DIR

The tables are always printed; the plots ``lesson_quadratic.png`` and
``lesson_rosenbrock.png`` need matplotlib (``pip install '.[plot]'``).
"""

import argparse
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.optimize

import fastnewton
from fastnewton.problems import rosenbrock

HERE = Path(__file__).resolve().parent
TABLE_ITERATIONS = (0, 1, 2, 5, 10, 20, 50)
BOWL_STEPS = 50            # gradient-descent steps on the bowl
GTOL = 1e-8                # gradient-norm target on Rosenbrock
GD_MAXITER = 20000         # gradient-descent iteration cap on Rosenbrock
GD_MAXITER_QUICK = 2000
ARMIJO_C1 = 1e-4           # sufficient-decrease constant of the backtracking
NEWTON_METHODS = ("newton", "trust-exact", "dogleg", "trust-ncg")
TAIL = 4                   # gradient norms shown per method in the table
# A log axis has no 0: a step that lands on x* to the last bit is drawn here.
LOG_FLOOR = 1e-32


# ---------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Bowl:
    """The quadratic ``f(x) = 1/2 x^T A x - b^T x`` with SPD ``A``.

    Attributes
    ----------
    hess_matrix : ndarray, shape (2, 2)
        The constant Hessian ``A``.
    b : ndarray, shape (2,)
        Linear term.
    eigenvalues : ndarray, shape (2,)
        Eigenvalues of ``A``, ascending.
    x_min : ndarray, shape (2,)
        The minimizer ``A^{-1} b``.
    x0 : ndarray, shape (2,)
        Starting point of every run.
    """

    hess_matrix: np.ndarray
    b: np.ndarray
    eigenvalues: np.ndarray
    x_min: np.ndarray
    x0: np.ndarray

    def fun(self, x):
        """Objective value at `x`."""
        return float(0.5 * x @ (self.hess_matrix @ x) - self.b @ x)

    def jac(self, x):
        """Gradient ``A x - b``."""
        return self.hess_matrix @ x - self.b

    def hess(self, x):
        """Hessian ``A`` (a copy, whatever `x`)."""
        return self.hess_matrix.copy()

    def gap(self, x):
        """``f(x) - f*``, computed as ``1/2 e^T A e`` with ``e = x - x*``.

        The two are equal on a quadratic; this form has no cancellation, so
        it stays accurate (and non-negative) down to ``e`` of order 1e-16,
        where ``f(x) - f*`` in floating point would be rounding noise.
        """
        error = np.asarray(x) - self.x_min
        return float(0.5 * error @ (self.hess_matrix @ error))

    def distance(self, x):
        """``||x - x*||``."""
        return float(np.linalg.norm(np.asarray(x) - self.x_min))


def make_bowl(eigenvalues=(1.0, 10.0), angle_deg=30.0, x_min=(1.0, 1.0), x0=(-3.5, 0.5)):
    """Build an ill-conditioned 2-D quadratic bowl.

    Parameters
    ----------
    eigenvalues : pair of float, optional
        Eigenvalues of ``A``, both positive. Default (1, 10): condition 10.
    angle_deg : float, optional
        Rotation of the eigenvectors from the coordinate axes, in degrees.
    x_min : pair of float, optional
        The minimizer; ``b = A x_min``.
    x0 : pair of float, optional
        Starting point.

    Returns
    -------
    Bowl
        The problem; ``x_min`` is recomputed as ``solve(A, b)``.

    Raises
    ------
    ValueError
        If an eigenvalue is not positive.

    Examples
    --------
    >>> bowl = make_bowl()
    >>> bool(np.allclose(bowl.jac(bowl.x_min), 0.0))
    True
    """
    eigenvalues = np.sort(np.asarray(eigenvalues, dtype=float))
    if eigenvalues[0] <= 0.0:
        raise ValueError("the bowl needs positive eigenvalues, got %s" % eigenvalues)
    angle = math.radians(angle_deg)
    rotation = np.array([[math.cos(angle), -math.sin(angle)],
                         [math.sin(angle), math.cos(angle)]])
    hess_matrix = (rotation * eigenvalues) @ rotation.T
    hess_matrix = 0.5 * (hess_matrix + hess_matrix.T)
    b = hess_matrix @ np.asarray(x_min, dtype=float)
    return Bowl(hess_matrix, b, eigenvalues, np.linalg.solve(hess_matrix, b),
                np.asarray(x0, dtype=float))


# ---------------------------------------------------------------------------
# Methods
# ---------------------------------------------------------------------------

def gradient_descent_fixed(jac, x0, step, n_steps):
    """Gradient descent ``x <- x - step * grad f(x)`` for a fixed number of steps.

    Parameters
    ----------
    jac : callable
        ``jac(x) -> ndarray``, the gradient.
    x0 : ndarray
        Starting point.
    step : float
        The fixed step length.
    n_steps : int
        Number of steps.

    Returns
    -------
    ndarray, shape (n_steps + 1, n)
        The iterates, ``x0`` first.

    Examples
    --------
    >>> gradient_descent_fixed(lambda x: 2 * x, np.array([1.0]), 0.25, 2)[:, 0].tolist()
    [1.0, 0.5, 0.25]
    """
    iterates = [np.array(x0, dtype=float)]
    for _ in range(n_steps):
        iterates.append(iterates[-1] - step * jac(iterates[-1]))
    return np.array(iterates)


def gradient_descent_armijo(fun, jac, x0, gtol, maxiter, c1=ARMIJO_C1):
    """Gradient descent with Armijo backtracking.

    Each iteration tries the step ``t = 1`` and halves it until
    ``f(x - t g) <= f(x) - c1 t ||g||^2`` (sufficient decrease).

    Parameters
    ----------
    fun, jac : callable
        Objective and gradient.
    x0 : ndarray
        Starting point.
    gtol : float
        Stop once ``||grad f|| <= gtol``.
    maxiter : int
        Iteration cap.
    c1 : float, optional
        Sufficient-decrease constant, in (0, 1).

    Returns
    -------
    ndarray, shape (nit + 1, n)
        The iterates, ``x0`` first.

    Examples
    --------
    >>> path = gradient_descent_armijo(lambda x: float(x @ x), lambda x: 2 * x,
    ...                                np.array([1.0, -2.0]), 1e-12, 10)
    >>> path[-1].tolist()
    [0.0, 0.0]
    """
    x = np.array(x0, dtype=float)
    f = fun(x)
    iterates = [x]
    for _ in range(maxiter):
        grad = jac(x)
        grad_sq = float(grad @ grad)
        if math.sqrt(grad_sq) <= gtol:
            break
        step = 1.0
        while True:
            trial = x - step * grad
            f_trial = fun(trial)
            if f_trial <= f - c1 * step * grad_sq or step < 1e-20:
                break
            step *= 0.5
        x, f = trial, f_trial
        iterates.append(x)
    return np.array(iterates)


def newton_steps(jac, hess, x0, n_steps):
    """The bare Newton iteration ``x <- x - H(x)^{-1} grad f(x)``.

    Parameters
    ----------
    jac, hess : callable
        Gradient and Hessian.
    x0 : ndarray
        Starting point.
    n_steps : int
        Number of steps.

    Returns
    -------
    ndarray, shape (n_steps + 1, n)
        The iterates, ``x0`` first.

    Raises
    ------
    numpy.linalg.LinAlgError
        If a Hessian is singular.

    Examples
    --------
    >>> newton_steps(lambda x: 4 * x - 2, lambda x: np.array([[4.0]]),
    ...              np.array([3.0]), 1)[:, 0].tolist()
    [3.0, 0.5]
    """
    iterates = [np.array(x0, dtype=float)]
    for _ in range(n_steps):
        x = iterates[-1]
        iterates.append(x - np.linalg.solve(hess(x), jac(x)))
    return np.array(iterates)


def record_iterates(minimize, fun, x0, **kwargs):
    """Run `minimize` and collect every iterate through its callback.

    Parameters
    ----------
    minimize : callable
        ``fastnewton.minimize`` or ``scipy.optimize.minimize``.
    fun : callable
        Objective.
    x0 : ndarray
        Starting point.
    **kwargs
        Passed on (``method``, ``jac``, ``hess``, ``options``).

    Returns
    -------
    iterates : ndarray, shape (nit + 1, n)
        ``x0`` then the point after each iteration, as reported to
        ``callback(intermediate_result)`` (a rejected trust-region step
        repeats the previous point).
    result : scipy.optimize.OptimizeResult
        What `minimize` returned.

    Examples
    --------
    >>> p = rosenbrock(2)
    >>> path, res = record_iterates(fastnewton.minimize, p.fun, p.x0, method="newton",
    ...                             jac=p.jac, hess=p.hess)
    >>> len(path) == res.nit + 1
    True
    """
    iterates = [np.array(x0, dtype=float)]

    def callback(intermediate_result):
        iterates.append(np.array(intermediate_result.x, dtype=float))

    result = minimize(fun, x0, callback=callback, **kwargs)
    return np.array(iterates), result


# ---------------------------------------------------------------------------
# Part 1: the quadratic bowl
# ---------------------------------------------------------------------------

@dataclass
class BowlRuns:
    """Iterates of the three runs on the bowl.

    Attributes
    ----------
    step : float
        Gradient descent's fixed step ``2 / (lambda_min + lambda_max)``.
    gd : ndarray, shape (BOWL_STEPS + 1, 2)
        Gradient-descent iterates.
    newton : ndarray, shape (nit + 1, 2)
        ``fastnewton.minimize(method='newton')`` iterates (it stops once
        ``||grad f|| <= GTOL``).
    newton_result : scipy.optimize.OptimizeResult
        Its result.
    newton_bare : ndarray, shape (BOWL_STEPS + 1, 2)
        Iterates of the bare step ``-H^{-1} grad f``.
    """

    step: float
    gd: np.ndarray
    newton: np.ndarray
    newton_result: object
    newton_bare: np.ndarray


def run_bowl(bowl):
    """Run gradient descent and Newton on `bowl`.

    Parameters
    ----------
    bowl : Bowl
        The quadratic.

    Returns
    -------
    BowlRuns
        The iterates of every run.

    Examples
    --------
    >>> runs = run_bowl(make_bowl())
    >>> runs.newton_result.nit
    1
    """
    # Best fixed step for a quadratic: it makes |1 - step * lambda| equal,
    # (kappa - 1) / (kappa + 1), at both ends of the spectrum.
    step = 2.0 / (bowl.eigenvalues[0] + bowl.eigenvalues[-1])
    gd = gradient_descent_fixed(bowl.jac, bowl.x0, step, BOWL_STEPS)
    newton, result = record_iterates(
        fastnewton.minimize, bowl.fun, bowl.x0, method="newton", jac=bowl.jac,
        hess=bowl.hess, options={"gtol": GTOL, "maxiter": BOWL_STEPS})
    bare = newton_steps(bowl.jac, bowl.hess, bowl.x0, BOWL_STEPS)
    return BowlRuns(step, gd, newton, result, bare)


def bowl_table(bowl, runs):
    """Format the bowl comparison as a text table.

    Parameters
    ----------
    bowl : Bowl
        The quadratic.
    runs : BowlRuns
        Output of :func:`run_bowl`.

    Returns
    -------
    str
        One row per k in ``TABLE_ITERATIONS``: ``f(x_k) - f*`` and
        ``||x_k - x*||`` of each run. fastnewton's run stops early; rows
        past its last iteration show its final point.
    """
    lo, hi = bowl.eigenvalues[0], bowl.eigenvalues[-1]
    nit = runs.newton_result.nit
    lines = [
        "Quadratic bowl f = 1/2 x'Ax - b'x, eigenvalues of A: %g, %g (condition %g), "
        "x0 = %s, x* = %s" % (lo, hi, hi / lo, runs.gd[0].tolist(), bowl.x_min.round(12).tolist()),
        "gradient descent: fixed step 2/(lmin+lmax) = %.4f; fastnewton 'newton' stopped "
        "after nit = %d (|grad f| <= %.0e), rows k > %d show its final x"
        % (runs.step, nit, GTOL, nit),
        "",
        "%4s  %-21s  %-21s  %-21s" % ("", "gradient descent", "fastnewton 'newton'",
                                      "step -H^-1 grad f"),
        "%4s  %10s %10s  %10s %10s  %10s %10s" % ("k", *(("f - f*", "|x - x*|") * 3)),
    ]
    for k in TABLE_ITERATIONS:
        cells = []
        for path in (runs.gd, runs.newton, runs.newton_bare):
            x = path[min(k, len(path) - 1)]
            cells += [bowl.gap(x), bowl.distance(x)]
        lines.append("%4d  %10.3e %10.3e  %10.3e %10.3e  %10.3e %10.3e" % (k, *cells))
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Part 2: Rosenbrock
# ---------------------------------------------------------------------------

def gd_label(maxiter):
    """Legend label of the gradient-descent run."""
    return "gradient descent (Armijo, cap %d)" % maxiter


def run_rosenbrock(gd_maxiter=GD_MAXITER):
    """Gradient norms per iteration of every method on Rosenbrock, n = 2.

    Parameters
    ----------
    gd_maxiter : int, optional
        Iteration cap of gradient descent.

    Returns
    -------
    dict of str to ndarray
        Label -> ``||grad f(x_k)||`` for k = 0, 1, ..., recomputed with the
        problem's own gradient at each iterate. Labels: the gradient-descent
        label, ``'scipy BFGS'``, then ``'fastnewton <method>'`` for each of
        ``NEWTON_METHODS``.

    Examples
    --------
    >>> norms = run_rosenbrock(gd_maxiter=10)
    >>> bool(norms["fastnewton newton"][-1] <= GTOL)
    True
    """
    problem = rosenbrock(2)
    paths = {gd_label(gd_maxiter): gradient_descent_armijo(problem.fun, problem.jac, problem.x0,
                                                           GTOL, gd_maxiter)}
    paths["scipy BFGS"], _ = record_iterates(
        scipy.optimize.minimize, problem.fun, problem.x0, method="BFGS", jac=problem.jac,
        options={"gtol": GTOL, "norm": 2})
    for method in NEWTON_METHODS:
        paths["fastnewton " + method], _ = record_iterates(
            fastnewton.minimize, problem.fun, problem.x0, method=method, jac=problem.jac,
            hess=problem.hess, options={"gtol": GTOL})
    return {label: np.array([np.linalg.norm(problem.jac(x)) for x in path])
            for label, path in paths.items()}


def iterations_to(grad_norms, tol):
    """First iteration k with ``grad_norms[k] <= tol``, or None.

    Examples
    --------
    >>> iterations_to(np.array([1.0, 1e-3, 1e-9]), 1e-8)
    2
    """
    hits = np.flatnonzero(grad_norms <= tol)
    return int(hits[0]) if hits.size else None


def rosenbrock_table(grad_norms):
    """Format the Rosenbrock comparison as a text table.

    Parameters
    ----------
    grad_norms : dict of str to ndarray
        Output of :func:`run_rosenbrock`.

    Returns
    -------
    str
        Per method: iterations to ``||grad f|| <= GTOL`` and its last
        ``TAIL`` gradient norms.
    """
    width = max(len(label) for label in grad_norms)
    lines = [
        "Rosenbrock n = 2 from (-1.2, 1): |grad f| recomputed with the problem's gradient "
        "at each iterate",
        "gradient descent: step t = 1 halved until f(x - t g) <= f(x) - %g t |g|^2" % ARMIJO_C1,
        "",
        "%-*s  %14s  last %d |grad f|" % (width, "method", "iters to %.0e" % GTOL, TAIL),
    ]
    for label, norms in grad_norms.items():
        hit = iterations_to(norms, GTOL)
        reached = str(hit) if hit is not None else "> %d" % (len(norms) - 1)
        tail = "  ".join("%8.1e" % value for value in norms[-TAIL:])
        lines.append("%-*s  %14s  %s" % (width, label, reached, tail))
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Plots
# ---------------------------------------------------------------------------

def import_pyplot():
    """Return ``matplotlib.pyplot`` on the non-interactive Agg backend, or None."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def on_log_axis(values):
    """`values` with exact zeros raised to ``LOG_FLOOR``."""
    return np.maximum(np.asarray(values, dtype=float), LOG_FLOOR)


def plot_bowl(plt, bowl, runs, path):
    """Save the two paths over the contours and ``f - f*`` per iteration.

    Parameters
    ----------
    plt : module
        ``matplotlib.pyplot``.
    bowl : Bowl
        The quadratic.
    runs : BowlRuns
        Output of :func:`run_bowl`.
    path : Path
        PNG file to write.
    """
    fig, (ax_path, ax_gap) = plt.subplots(1, 2, figsize=(12, 5))
    points = np.vstack([runs.gd, runs.newton, bowl.x_min])
    low, high = points.min(axis=0) - 0.7, points.max(axis=0) + 0.7
    grid_x, grid_y = np.meshgrid(np.linspace(low[0], high[0], 300),
                                 np.linspace(low[1], high[1], 300))
    grid = np.stack([grid_x - bowl.x_min[0], grid_y - bowl.x_min[1]], axis=-1)
    gaps = 0.5 * np.einsum("...i,ij,...j->...", grid, bowl.hess_matrix, grid)
    ax_path.contour(grid_x, grid_y, gaps, levels=np.geomspace(0.01, gaps.max(), 14),
                    colors="0.75", linewidths=0.8)
    ax_path.plot(*runs.gd.T, "o-", color="tab:blue", markersize=3, linewidth=1,
                 label="gradient descent, %d steps" % BOWL_STEPS)
    ax_path.plot(*runs.newton.T, "s-", color="tab:red", markersize=6, linewidth=2,
                 label="Newton (fastnewton), %d step" % runs.newton_result.nit)
    ax_path.plot(*bowl.x_min, "*", color="black", markersize=14, label="minimizer $x^*$")
    ax_path.set_aspect("equal")
    ax_path.set_xlabel("$x_1$")
    ax_path.set_ylabel("$x_2$")
    ax_path.set_title("Paths over the contours of $f$")
    ax_path.legend(loc="upper left", fontsize=9)

    iterations = np.arange(len(runs.gd))
    ax_gap.semilogy(iterations, on_log_axis([bowl.gap(x) for x in runs.gd]), "o-",
                    color="tab:blue", markersize=3, label="gradient descent")
    ax_gap.semilogy(np.arange(len(runs.newton)), on_log_axis([bowl.gap(x) for x in runs.newton]),
                    "s-", color="tab:red", markersize=6, label="Newton (fastnewton)")
    ax_gap.set_xlabel("iteration $k$")
    ax_gap.set_ylabel("$f(x_k) - f^*$")
    ax_gap.set_title("Gap to the minimum (log scale)")
    ax_gap.grid(True, which="major", alpha=0.3)
    ax_gap.legend(fontsize=9)
    fig.suptitle("Quadratic bowl, eigenvalues %g and %g: one Newton step vs %d gradient steps"
                 % (bowl.eigenvalues[0], bowl.eigenvalues[-1], BOWL_STEPS))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_rosenbrock(plt, grad_norms, path):
    """Save ``||grad f||`` per iteration of every method on a log scale.

    The left panel shows the first iterations, where the second-order
    methods finish; the right one all of gradient descent's iterations on a
    log iteration axis.

    Parameters
    ----------
    plt : module
        ``matplotlib.pyplot``.
    grad_norms : dict of str to ndarray
        Output of :func:`run_rosenbrock`.
    path : Path
        PNG file to write.
    """
    fig, (ax_start, ax_all) = plt.subplots(1, 2, figsize=(13, 5))
    second_order = max(len(norms) for label, norms in grad_norms.items()
                       if not label.startswith("gradient descent"))
    for label, norms in grad_norms.items():
        iterations = np.arange(len(norms))
        style = "-" if label.startswith("gradient descent") else "o-"
        for ax in (ax_start, ax_all):
            ax.plot(iterations + (ax is ax_all), on_log_axis(norms), style, markersize=3,
                    linewidth=1.2, label=label)
    ax_start.set_xlim(0, second_order + 2)
    ax_start.set_yscale("log")
    ax_start.set_xlabel("iteration $k$")
    ax_start.set_title("First %d iterations" % (second_order + 2))
    ax_all.set_xscale("log")
    ax_all.set_yscale("log")
    ax_all.set_xlabel("iteration $k + 1$ (log scale)")
    ax_all.set_title("All iterations")
    for ax in (ax_start, ax_all):
        ax.axhline(GTOL, color="0.5", linestyle=":", linewidth=1)
        ax.set_ylabel(r"$\|\nabla f(x_k)\|_2$")
        ax.grid(True, which="major", alpha=0.3)
    ax_start.legend(fontsize=8, loc="lower left")
    fig.suptitle("Rosenbrock, n = 2, start (-1.2, 1): gradient norm per iteration "
                 "(dotted: %.0e)" % GTOL)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------

def main(argv=None):
    """Run both comparisons, print the tables and save the plots.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status, 0.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="cap gradient descent on Rosenbrock at %d iterations (default %d)"
                        % (GD_MAXITER_QUICK, GD_MAXITER))
    parser.add_argument("--out", type=Path, default=HERE,
                        help="directory for the PNG plots (default: %(default)s)")
    args = parser.parse_args(argv)

    bowl = make_bowl()
    bowl_runs = run_bowl(bowl)
    print(bowl_table(bowl, bowl_runs))
    print()
    grad_norms = run_rosenbrock(GD_MAXITER_QUICK if args.quick else GD_MAXITER)
    print(rosenbrock_table(grad_norms))
    print()

    plt = import_pyplot()
    if plt is None:
        print("matplotlib not installed: pip install matplotlib (or pip install '.[plot]') "
              "to get the plots")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, plot, data in (("lesson_quadratic.png", plot_bowl, (bowl, bowl_runs)),
                             ("lesson_rosenbrock.png", plot_rosenbrock, (grad_norms,))):
        plot(plt, *data, args.out / name)
        print("saved", args.out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
