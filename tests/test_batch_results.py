"""minimize_batch for long batches: BatchResult indexing, messages, certificates, callback, disp.

References: each problem solved alone by `fastnewton.minimize` (the batched
trust-exact follows it step for step), numpy's eigvalsh for the inertias.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import OptimizeResult

import fastnewton
from fastnewton.problems import rosenbrock

ROSEN = rosenbrock(2)


def rosen_batch():
    """Vectorized Rosenbrock (n = 2): fun, jac, hess over the rows of X."""
    def fun(X):
        return np.array([ROSEN.fun(x) for x in X])

    def jac(X):
        return np.array([ROSEN.jac(x) for x in X])

    def hess(X):
        return np.array([ROSEN.hess(x) for x in X])

    return fun, jac, hess


def start_points(m, seed=3):
    return np.array([-1.2, 1.0]) + 0.5 * np.random.default_rng(seed).standard_normal((m, 2))


def saddle_batch():
    """f = x0² − x1² + x1⁴/4: a saddle at the origin, minima at (0, ±√2)."""
    def fun(X):
        return X[:, 0] ** 2 - X[:, 1] ** 2 + X[:, 1] ** 4 / 4

    def jac(X):
        return np.stack([2 * X[:, 0], -2 * X[:, 1] + X[:, 1] ** 3], axis=1)

    def hess(X):
        H = np.zeros((len(X), 2, 2))
        H[:, 0, 0] = 2.0
        H[:, 1, 1] = -2.0 + 3 * X[:, 1] ** 2
        return H

    return fun, jac, hess


@pytest.fixture(scope="module")
def mixed():
    """Eight Rosenbrock problems, one stopped by the iteration limit."""
    fun, jac, hess = rosen_batch()
    x0 = start_points(8)
    x0[5] = [-4.0, 8.0]
    return fastnewton.minimize_batch(fun, x0, jac=jac, hess=hess, options={"maxiter": 30})


def assert_same_problems(part, whole, rows):
    for name, value in whole.items():
        if name not in ("message", "bandwidth"):
            np.testing.assert_array_equal(part[name], value[rows], err_msg=name)


def test_slices_masks_and_index_arrays_give_batch_results(mixed):
    assert set(mixed.status.tolist()) == {0, 1}
    for key, rows in ((slice(1, 3), [1, 2]), (slice(None, None, -3), [7, 4, 1]),
                      (mixed.status == 1, [5]), (np.array([6, 0, 6]), [6, 0, 6]),
                      ([True] * 4 + [False] * 4, [0, 1, 2, 3]), ([-1, 2], [7, 2])):
        part = mixed[key]
        assert type(part) is fastnewton.BatchResult
        assert_same_problems(part, mixed, rows)
        # Messages: once per status, only the statuses of the selected problems.
        assert set(part.message) == set(mixed.status[rows].tolist())
    assert mixed[np.zeros(8, dtype=bool)].x.shape == (0, 2)
    # A problem of a slice is the same problem of the whole.
    assert mixed[2:][3].fun == mixed[5].fun and mixed[2:][3].status == 1


def test_bad_keys_raise(mixed):
    with pytest.raises(IndexError, match="shape"):
        mixed[np.ones(3, dtype=bool)]
    with pytest.raises(TypeError, match="BatchResult is indexed"):
        mixed[np.array([0.5, 1.0])]
    with pytest.raises(TypeError, match="BatchResult is indexed"):
        mixed[np.zeros((2, 2), dtype=int)]
    with pytest.raises(IndexError):
        mixed[[0, 8]]
    with pytest.raises(KeyError):
        mixed["no such field"]


def test_messages_are_stored_once_per_status(mixed):
    assert isinstance(mixed.message, dict) and sorted(mixed.message) == [0, 1]
    text = repr(mixed)
    assert text.count("Maximum number of iterations") == 1 and "critical_kind" in text
    assert "Maximum number of iterations" in mixed.message[1]
    for i in range(8):
        assert mixed[i].message == mixed.message[mixed.status[i]]
    joined = fastnewton.BatchResult.concatenate([mixed[:5], mixed[5:]])
    assert joined.message == mixed.message
    assert_same_problems(joined, mixed, slice(None))


def inertia_reference(H):
    """(n_positive, n_negative, n_zero) against √ε·‖H‖∞, from numpy's eigenvalues."""
    tol = np.sqrt(np.finfo(float).eps) * np.abs(H).sum(axis=1).max()
    eigenvalues = np.linalg.eigvalsh(H)
    return (int(np.sum(eigenvalues > tol)), int(np.sum(eigenvalues < -tol)),
            int(np.sum(np.abs(eigenvalues) <= tol)))


def test_certificate_kind_and_inertia_per_problem():
    fun, jac, hess = saddle_batch()
    x0 = np.array([[0.0, 0.0], [0.5, 1.0], [1.0, -2.0], [7.0, 7.0]])

    def fun_nan(X):                      # NaN at (7, 7): that problem never gets a Hessian
        f = fun(X)
        f[np.all(X == 7.0, axis=1)] = np.nan
        return f

    res = fastnewton.minimize_batch(fun_nan, x0, method="newton", jac=jac, hess=hess,
                                    options={"escape_saddles": False})
    assert res.inertia.shape == (4, 3) and res.critical_kind.shape == (4,)
    assert res.critical_kind.tolist() == ["saddle", "minimum", "minimum", None]
    assert res.inertia[3].tolist() == [-1, -1, -1] and res.status[3] == 4
    for i in range(3):
        assert tuple(res.inertia[i]) == inertia_reference(res.hess[i])
        point = res[i].critical_point
        assert point.kind == res.critical_kind[i] and point.inertia == tuple(res.inertia[i])
        assert point.gradient_norm == pytest.approx(np.linalg.norm(jac(res.x[i:i + 1])[0]))
    assert res[3].critical_point is None
    np.testing.assert_allclose(np.abs(res.x[1:3, 1]), np.sqrt(2.0), rtol=1e-6)


def single_problem_runs(x0, **options):
    """Per problem: its result from minimize and its gradient norm after each iteration."""
    runs = []
    for start in x0:
        norms = [np.linalg.norm(ROSEN.jac(start))]

        def record(intermediate_result):
            norms.append(np.linalg.norm(ROSEN.jac(intermediate_result.x)))

        res = fastnewton.minimize(ROSEN.fun, start, method="trust-exact", jac=ROSEN.jac,
                                  hess=ROSEN.hess, callback=record, options=options)
        runs.append((res, norms))
    return runs


def test_callback_counts_match_the_problems_run_one_by_one():
    fun, jac, hess = rosen_batch()
    x0 = start_points(6, seed=11)
    options = {"maxiter": 23}            # three of the six need more (24)
    runs = single_problem_runs(x0, **options)
    reports = []
    res = fastnewton.minimize_batch(fun, x0, jac=jac, hess=hess, options=options,
                                    callback=lambda intermediate_result: reports.append(
                                        intermediate_result))
    nit = np.array([r.nit for r, _ in runs])
    status = np.array([r.status for r, _ in runs])
    np.testing.assert_array_equal(res.nit, nit)
    assert 0 in status and 1 in status
    assert [r.nit for r in reports] == list(range(1, nit.max() + 1))
    for report in reports:
        t = report.nit
        # After t iterations a problem is still running iff it needs more than t.
        running = nit > t
        assert isinstance(report, OptimizeResult)
        assert report.n_active == running.sum()
        assert report.n_converged == np.sum(~running & (status == 0))
        assert report.n_failed == np.sum(~running & (status != 0))
        expected = max((norms[t] for (_, norms), r in zip(runs, running) if r), default=0.0)
        assert report.max_grad_norm == pytest.approx(expected, rel=1e-12)
    assert reports[-1].n_active == 0


def test_stop_iteration_stops_the_running_problems_with_status_99():
    fun, jac, hess = rosen_batch()
    x0 = start_points(6, seed=11)
    x0[0] = [1.0, 1.0]                   # converged at x0, before the callback stops the rest

    def stop_after_two(intermediate_result):
        if intermediate_result.nit == 2:
            raise StopIteration

    res = fastnewton.minimize_batch(fun, x0, jac=jac, hess=hess, callback=stop_after_two)
    assert res.status[0] == 0 and res.nit[0] == 0
    assert np.all(res.status[1:] == 99) and np.all(res.nit[1:] == 2)
    assert not res.success[1:].any()
    assert "StopIteration" in res.message[99]
    # Where the batch stopped is where each problem is after two iterations alone.
    for i in range(1, 6):
        alone = fastnewton.minimize(ROSEN.fun, x0[i], jac=ROSEN.jac, hess=ROSEN.hess,
                                    options={"maxiter": 2})
        np.testing.assert_array_equal(res.x[i], alone.x)


def test_callback_errors_propagate_unchanged():
    fun, jac, hess = rosen_batch()

    class Failure(Exception):
        pass

    def failing(intermediate_result):
        raise Failure("from the callback")

    with pytest.raises(Failure, match="from the callback"):
        fastnewton.minimize_batch(fun, start_points(3), jac=jac, hess=hess, callback=failing)
    with pytest.raises(TypeError, match="callback"):
        fastnewton.minimize_batch(fun, start_points(3), jac=jac, hess=hess, callback=3)


def test_disp_prints_one_line_per_iteration(capsys):
    fun, jac, hess = rosen_batch()
    x0 = start_points(4)
    res = fastnewton.minimize_batch(fun, x0, method="newton", jac=jac, hess=hess,
                                    options={"disp": True})
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["iter", "active", "converged", "failed", "max", "|g|"]
    rows = [line.split() for line in lines[1:-1]]
    assert [int(row[0]) for row in rows] == list(range(res.nit.max() + 1))
    assert [int(row[1]) for row in rows] == [int(np.sum(res.nit > t)) for t in range(len(rows))]
    assert rows[-1][1:4] == ["0", "4", "0"]
    assert lines[-1] == "4 problems: 4 with status 0"
    # Any truthy disp counts, as in scipy.
    fastnewton.minimize_batch(fun, x0, method="newton", jac=jac, hess=hess, options={"disp": 1})
    assert capsys.readouterr().out.splitlines() == lines


def test_dask_example_runs_and_shuts_down_without_writing_to_stderr():
    pytest.importorskip("distributed")
    pytest.importorskip("threadpoolctl")
    example = Path(__file__).resolve().parent.parent / "examples" / "dask_batch.py"
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    run = subprocess.run([sys.executable, str(example), "--problems", "3000", "--chunk", "700"],
                         capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert "3000 fits" in run.stdout and "converged 3000; identical results: True" in run.stdout


def test_banded_batch_certificates_slices_and_joins():
    from fastnewton.problems import band_to_dense, chained_double_well
    problem = chained_double_well(12)
    b = problem.bandwidth
    x0 = problem.x0 + 0.2 * np.random.default_rng(4).standard_normal((6, problem.n))
    res = fastnewton.minimize_batch(
        lambda X: np.array([problem.fun(x) for x in X]), x0,
        jac=lambda X: np.array([problem.jac(x) for x in X]),
        hess=lambda X: np.array([problem.hess_band(x) for x in X]),
        options={"bandwidth": b, "escape_saddles": False})
    assert res.bandwidth == b and res.hess.shape == (6, b + 1, problem.n)
    for i in range(6):
        assert tuple(res.inertia[i]) == inertia_reference(band_to_dense(res.hess[i]))
        assert res[i].critical_point.inertia == tuple(res.inertia[i])
        assert res[i].critical_point.kind == res.critical_kind[i]
    part = res[[4, 1]]
    assert part.bandwidth == b and part[0].critical_point.inertia == tuple(res.inertia[4])
    joined = fastnewton.BatchResult.concatenate([res[:2], res[2:]])
    assert joined.bandwidth == b
    assert_same_problems(joined, res, slice(None))
