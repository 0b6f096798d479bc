"""A cheap probe that a declared Hessian bandwidth is right."""

import warnings

import numpy as np

# Relative mismatch between the band's products and the gradient's
# directional derivatives above which the band is reported as wrong: far
# above the error of a central difference (~ε^(2/3)), far below what an entry
# outside the band of the size of those inside it produces.
MISMATCH_TOLERANCE = 1e-3


class BandwidthWarning(RuntimeWarning):
    """The Hessian does not look banded with the declared bandwidth."""


def as_band(value, bandwidth, n):
    """A user band array as float64 of shape (b + 1, n), or a ValueError naming that shape."""
    band = np.asarray(value, dtype=float)
    if band.shape != (bandwidth + 1, n):
        raise ValueError("with the 'bandwidth' option (b=%d), hess must return LAPACK lower band "
                         "storage hess_band[k, j] = H[j + k, j] of shape (%d, %d), got shape %s"
                         % (bandwidth, bandwidth + 1, n, band.shape))
    return band


def band_matvec(hess_band, v):
    """H v for H in LAPACK lower band storage, hess_band[k, j] = H[j + k, j]."""
    n = v.shape[0]
    out = hess_band[0] * v
    for k in range(1, hess_band.shape[0]):
        if k >= n:
            break
        out[k:] += hess_band[k, : n - k] * v[: n - k]
        out[: n - k] += hess_band[k, : n - k] * v[k:]
    return out


def lower_from_upper(band):
    """The lower band storage of the matrix whose LAPACK *upper* band storage is `band`.

    Upper storage holds H[j − k, j] at ``band[b − k, j]``; lower storage
    holds H[j + k, j] = H[j, j + k] at ``[k, j]``.
    """
    b = band.shape[0] - 1
    lower = np.zeros_like(band)
    for k in range(b + 1):
        lower[k, : band.shape[1] - k] = band[b - k, k:]
    return lower


def directional_derivative(gradient, x, direction):
    """Central difference of `gradient` at `x` along `direction` (two gradient calls)."""
    step = np.cbrt(np.finfo(float).eps) * (1.0 + np.linalg.norm(x, np.inf))
    return (np.asarray(gradient(x + step * direction), dtype=float)
            - np.asarray(gradient(x - step * direction), dtype=float)) / (2 * step)


def random_signs(n, rng):
    """A random ±1 direction: no entry of H is cancelled by a zero weight."""
    return 2.0 * rng.integers(0, 2, size=n) - 1.0


def directional_mismatch(product, directional):
    """Largest entry of |product − directional|, relative to the larger of the two."""
    scale = max(np.abs(directional).max(), np.abs(product).max(), np.finfo(float).tiny)
    return np.abs(product - directional).max() / scale


def check_bandwidth(gradient, x, hess_band, probes=1, seed=0):
    """Warn when products with `hess_band` disagree with directional derivatives of `gradient`.

    Parameters
    ----------
    gradient : callable
        ``gradient(x) -> (n,)``, with any ``args`` already bound.
    x : ndarray, shape (n,)
        The point of `hess_band`.
    hess_band : ndarray, shape (b + 1, n)
        LAPACK lower band storage of the Hessian at `x`.
    probes : int, optional
        Number of random ±1 directions (2 gradient calls each).
    seed : int, optional
        Seed of the directions, so the check is repeatable.

    Returns
    -------
    float
        The largest relative mismatch found.

    Warns
    -----
    BandwidthWarning
        When the mismatch exceeds `MISMATCH_TOLERANCE`: the band is in the
        upper layout (said so when the upper reading fits), the function
        has curvature outside the declared band, or `hess` is wrong.
    """
    rng = np.random.default_rng(seed)
    worst = worst_upper = 0.0
    for _ in range(probes):
        direction = random_signs(x.shape[0], rng)
        directional = directional_derivative(gradient, x, direction)
        worst = max(worst, directional_mismatch(band_matvec(hess_band, direction), directional))
        worst_upper = max(worst_upper, directional_mismatch(
            band_matvec(lower_from_upper(hess_band), direction), directional))
    b = hess_band.shape[0] - 1
    if worst > MISMATCH_TOLERANCE and worst_upper <= MISMATCH_TOLERANCE:
        warnings.warn(
            "the band of width %d looks like LAPACK upper band storage (band[b - k, j] = "
            "H[j - k, j]); hess must return lower band storage hess_band[k, j] = H[j + k, j] "
            "(products with it differ from directional derivatives of the gradient by %.1e, "
            "relative)" % (b, worst), BandwidthWarning, stacklevel=3)
    elif worst > MISMATCH_TOLERANCE:
        warnings.warn(
            "the Hessian does not look banded with bandwidth %d: products with the band "
            "differ from directional derivatives of the gradient by %.1e (relative); "
            "declare a larger bandwidth, or check hess" % (b, worst),
            BandwidthWarning, stacklevel=3)
    return worst
