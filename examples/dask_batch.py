"""Solve a large batch of independent curve fits on Dask, one chunk of rows per task.

Each task runs `fastnewton.minimize_batch` on a contiguous block of rows (its
rows of x0 and the same rows of every per-problem array), and the chunk
results are joined in order with `fastnewton.BatchResult.concatenate`. The
problems are independent and each is iterated on its own, so the answer is
the single-process answer, bit for bit, whatever the chunking.

The compiled solver releases the GIL, so threads on one machine
(``processes=False``) already overlap; on a real cluster the same code runs
with a `distributed.Client` connected to it.

Usage::

    python examples/dask_batch.py                       # 100,000 fits, 2 workers
    python examples/dask_batch.py --problems 20000 --chunk 2000 --workers 2

Needs ``pip install dask distributed`` (or ``pip install "fastnewton[dask]"``).
"""

import argparse
import logging
import time
import warnings

import dask.bag
import numpy as np

import fastnewton

T = np.linspace(0.0, 4.0, 20)   # sample times, shared by every fit


def decay_fits(m, seed=0):
    """m data sets y = a·exp(−b·t) + c + noise; returns (x0, Y) with Y of shape (m, 20)."""
    rng = np.random.default_rng(seed)
    a, b, c = rng.uniform(1.0, 3.0, m), rng.uniform(0.5, 2.0, m), rng.uniform(-1.0, 1.0, m)
    Y = a[:, None] * np.exp(-b[:, None] * T) + c[:, None] + 0.05 * rng.standard_normal((m, T.size))
    return np.tile([1.0, 1.0, 0.0], (m, 1)), Y


def fun(P, Y):
    """½‖residual‖² per row; P holds (a, b, c) per row, Y the same rows' data."""
    r = P[:, :1] * np.exp(-P[:, 1:2] * T) + P[:, 2:] - Y
    return 0.5 * np.einsum("ki,ki->k", r, r)


def jac(P, Y):
    e = np.exp(-P[:, 1:2] * T)
    r = P[:, :1] * e + P[:, 2:] - Y
    return np.stack([np.einsum("ki,ki->k", r, e),
                     -np.einsum("ki,ki->k", r, P[:, :1] * T * e),
                     r.sum(axis=1)], axis=1)


def hess(P, Y):
    a, e = P[:, :1], np.exp(-P[:, 1:2] * T)
    r = a * e + P[:, 2:] - Y
    J = np.stack([e, -a * T * e, np.ones_like(e)], axis=2)        # (k, 20, 3)
    H = np.einsum("kij,kil->kjl", J, J)                             # Gauss–Newton part
    H[:, 0, 1] -= np.einsum("ki,ki->k", r, T * e)                   # + Σ r ∇²r
    H[:, 1, 0] = H[:, 0, 1]
    H[:, 1, 1] += np.einsum("ki,ki->k", r, a * T * T * e)
    return H


def solve_chunk(chunk):
    x0, Y = chunk
    return fastnewton.minimize_batch(fun, x0, jac=jac, hess=hess, batch_args=(Y,),
                                     options={"gtol": 1e-6})


def solve_on_dask(x0, Y, chunk_rows, scheduler):
    """minimize_batch over row chunks of (x0, Y) as one Dask bag; one BatchResult back.

    Parameters
    ----------
    x0 : ndarray, shape (m, 3)
    Y : ndarray, shape (m, 20)
    chunk_rows : int
        Rows per task.
    scheduler
        Anything `dask.compute` takes as ``scheduler``: a `distributed.Client`,
        'threads', 'processes' or 'sync'.
    """
    starts = range(0, x0.shape[0], chunk_rows)
    chunks = [(x0[s:s + chunk_rows], Y[s:s + chunk_rows]) for s in starts]
    bag = dask.bag.from_sequence(chunks, npartitions=len(chunks))
    with warnings.catch_warnings():
        # The chunks travel inside the task graph, which distributed warns about
        # above 10 MiB; data that lives on the workers would be loaded there instead.
        warnings.filterwarnings("ignore", message="Sending large graph")
        results = bag.map(solve_chunk).compute(scheduler=scheduler)
    return fastnewton.BatchResult.concatenate(results)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()

    from distributed import Client, LocalCluster
    from threadpoolctl import threadpool_limits

    # LocalCluster mutes distributed's INFO messages only while it is open;
    # a connection that finishes closing just after it (routine at shutdown)
    # is then reported at INFO level, with a CommClosedError traceback, on
    # stderr. Warnings and errors are still shown.
    logging.getLogger("distributed").setLevel(logging.WARNING)

    x0, Y = decay_fits(options.problems)
    # The scheduler's HTTP server always starts; on a free loopback port it
    # cannot collide with another cluster's (a warning on stderr otherwise).
    with threadpool_limits(1), LocalCluster(n_workers=options.workers, threads_per_worker=1,
                                             processes=False,
                                             dashboard_address="127.0.0.1:0") as cluster, \
            Client(cluster) as client:
        start = time.perf_counter()
        single = solve_chunk((x0, Y))
        single_time = time.perf_counter() - start
        start = time.perf_counter()
        chunked = solve_on_dask(x0, Y, options.chunk, client)
        dask_time = time.perf_counter() - start
    same = all(np.array_equal(single[name], chunked[name]) for name in single)
    print("%d fits: one process %.2f s, Dask (%d workers, chunks of %d) %.2f s; "
          "converged %d; identical results: %s"
          % (options.problems, single_time, options.workers, options.chunk, dask_time,
             chunked.success.sum(), same))


if __name__ == "__main__":
    main()
