"""`res.hess_inv`: H(x)⁻¹ at the returned point, as a lazily factorized LinearOperator."""

import numpy as np
import scipy.linalg
from scipy.sparse.linalg import LinearOperator


_FLOAT64 = np.dtype(np.float64)


class InverseHessian(LinearOperator):
    """The inverse of the Hessian a factorizing method returns, applied by solves.

    Nothing is computed until the operator is first used; then H is factored
    once (Cholesky, or LU when H is not positive definite) and each product
    H⁻¹v is two triangular solves: O(n²) dense, O(n·b) banded, never an
    explicit inverse unless `todense` asks for it.

    At a maximum-likelihood estimate, with `fun` the negative log-likelihood,
    H⁻¹ is the inverse observed information: the estimated covariance of the
    parameters, whose diagonal gives their standard errors (see the example).

    Parameters
    ----------
    hess : ndarray
        The Hessian, dense (n, n), or with `bandwidth` its LAPACK lower band
        storage (b + 1, n). Copied.
    bandwidth : int or None
        Half-bandwidth of band storage, None for dense.

    Raises
    ------
    numpy.linalg.LinAlgError
        On first use, if H is singular.

    Examples
    --------
    Standard errors of the mean and standard deviation of a normal sample:

    >>> import numpy as np
    >>> import fastnewton
    >>> data = np.random.default_rng(0).normal(3.0, 2.0, size=400)
    >>> def nll(p):                       # p = (mean, sd), up to a constant
    ...     return data.size * np.log(p[1]) + np.sum((data - p[0]) ** 2) / (2 * p[1] ** 2)
    >>> res = fastnewton.minimize(nll, [1.0, 1.0])
    >>> standard_errors = np.sqrt(np.diag(res.hess_inv.todense()))
    >>> np.allclose(standard_errors, res.x[1] / np.sqrt([data.size, 2 * data.size]), rtol=1e-4)
    True
    """

    def __init__(self, hess, bandwidth=None):
        hess = np.array(hess, dtype=np.float64)
        n = hess.shape[1]
        # What LinearOperator.__init__ sets, without its checks of a shape
        # and dtype that are right by construction (4 µs, a tenth of the
        # fixed cost of a small solve's `minimize`).
        self.dtype = _FLOAT64
        self.shape = (n, n)
        self._hess = hess
        self._bandwidth = bandwidth
        self._solve = None

    def _factorize(self):
        """The solve function of a factorization of H, made on first use."""
        if self._bandwidth is None:
            try:
                factor = scipy.linalg.cho_factor(self._hess, lower=True, check_finite=False)
                return lambda rhs: scipy.linalg.cho_solve(factor, rhs, check_finite=False)
            except np.linalg.LinAlgError:
                lu = scipy.linalg.lu_factor(_symmetric_from_lower(self._hess),
                                            check_finite=False)
                return lambda rhs: scipy.linalg.lu_solve(lu, rhs, check_finite=False)
        band = self._hess
        try:
            factor = scipy.linalg.cholesky_banded(band, lower=True, check_finite=False)
            return lambda rhs: scipy.linalg.cho_solve_banded((factor, True), rhs,
                                                             check_finite=False)
        except np.linalg.LinAlgError:
            general = _general_band(band)
            bandwidth = band.shape[0] - 1
            return lambda rhs: scipy.linalg.solve_banded((bandwidth, bandwidth), general, rhs,
                                                         check_finite=False)

    def _matmat(self, X):
        if self._solve is None:
            self._solve = self._factorize()
        return self._solve(np.asarray(X, dtype=np.float64))

    def _matvec(self, v):
        return self._matmat(np.reshape(v, (-1, 1))).reshape(-1)

    def _adjoint(self):
        return self    # H is symmetric, and so is its inverse

    def todense(self):
        """H⁻¹ as an (n, n) ndarray (n solves)."""
        return self._matmat(np.eye(self.shape[0]))


def _symmetric_from_lower(hess):
    """The symmetric matrix whose lower triangle is that of `hess` (what the solvers read)."""
    lower = np.tril(hess)
    return lower + np.tril(hess, -1).T


def _general_band(band):
    """LAPACK general band storage (solve_banded's) of the symmetric matrix in lower `band`."""
    bandwidth, n = band.shape[0] - 1, band.shape[1]
    general = np.zeros((2 * bandwidth + 1, n))
    for k in range(bandwidth + 1):
        general[bandwidth + k, :n - k] = band[k, :n - k]        # H[j + k, j]
        general[bandwidth - k, k:] = band[k, :n - k]            # H[j, j + k]
    return general
