"""The certificate of a bounded result: first- and second-order KKT conditions on a box."""

import numpy as np

from fastnewton._critical import MAX_CERTIFICATE_PRODUCTS, _storage_for
from fastnewton._curvature import CriticalPoint, certify


def active_mask(x, grad, lower, upper):
    """−1 where x is at its lower bound, +1 at its upper, 0 elsewhere (as `least_squares`).

    A fixed variable (lower == upper) is at both; it is marked by the bound its
    gradient pushes against, the one whose multiplier is not negative. Any
    leading dimensions (a batch) are kept.
    """
    mask = np.where(x <= lower, -1, np.where(x >= upper, 1, 0))
    fixed = np.broadcast_to(lower == upper, x.shape)
    mask[fixed] = np.where(grad[fixed] >= 0.0, -1, 1)
    return mask


def multipliers(x, grad, lower, upper):
    """(multipliers, active): ∇f_i at a lower bound, −∇f_i at an upper one, |∇f_i| for a
    fixed variable (either sign is feasible), 0 where free; and where x is at a bound."""
    at_lower, at_upper = x <= lower, x >= upper
    values = np.where(at_lower, grad, np.where(at_upper, -grad, 0.0))
    values = np.where(np.broadcast_to(lower == upper, x.shape), np.abs(grad), values)
    return values, at_lower | at_upper


def kkt_kind(projected_norm, gtol, strict, inertia, all_active):
    """`KKTPoint.kind` from the projected-gradient norm, strict complementarity, and the
    inertia (n_positive, n_negative, n_zero) of H[F, F] (None when unknown)."""
    if projected_norm > gtol:
        return "not critical"
    if inertia is not None and inertia[1] > 0:
        return "saddle"
    if (inertia is not None and inertia[2] > 0) or not strict:
        return "degenerate"
    if inertia is None and not all_active:
        return "degenerate"     # H[F, F] unknown: nothing second-order to say
    return "minimum"


_KKT_KINDS = np.array(["not critical", "saddle", "degenerate", "minimum"], dtype=object)


def kkt_kinds(projected_norm, gtol, strict, inertia):
    """`kkt_kind` for many points at once, each with a known inertia: arrays of shape
    (m,), (m,) and (m, 3); returns an object array of m kinds."""
    # Codes into _KKT_KINDS, then one gather: np.select over the strings
    # themselves builds a string array and converts it, 3× the time.
    codes = np.select([projected_norm > gtol, inertia[:, 1] > 0, (inertia[:, 2] > 0) | ~strict],
                      [0, 1, 2], 3)
    return _KKT_KINDS[codes]


class KKTPoint:
    """What the KKT conditions say of a point of a bound-constrained problem.

    At a local minimizer over lo ≤ x ≤ hi the projected gradient
    P(x − ∇f) − x vanishes, so ∇f_i = 0 for the free variables and the
    multiplier of each active bound (∇f_i at a lower bound, −∇f_i at an upper
    one) is ≥ 0. With strict complementarity (every active multiplier
    positive) the point is a strict local minimizer when the Hessian on the
    free variables, H[F, F], is positive definite, and not a minimizer when
    H[F, F] has negative curvature.

    Attributes
    ----------
    kind : str
        'minimum' (first-order conditions within `gtol`, strict
        complementarity, H[F, F] positive definite or F empty); 'saddle'
        (H[F, F] has negative curvature: a descent direction along the free
        face); 'degenerate' (H[F, F] singular, or some active multiplier
        within `gtol` of zero, so second order does not decide); 'not
        critical' (projected gradient above `gtol`).
    projected_gradient_norm : float
        ‖P(x − ∇f) − x‖₂.
    gtol : float
        The tolerance of the first-order test and of zero multipliers.
    multipliers : ndarray
        ∇f_i at lower bounds, −∇f_i at upper ones, 0 for free variables.
    strict_complementarity : bool
        Every active bound's multiplier exceeds `gtol`.
    n_active : int
        Variables at a bound.
    reduced : CriticalPoint or None
        The classification of H[F, F] on the free variables (None when all are
        at bounds, or when a products-only Hessian was too large to form).
    """

    def __init__(self, projected_gradient_norm, gtol, multipliers, active, reduced):
        self.projected_gradient_norm = float(projected_gradient_norm)
        self.gtol = float(gtol)
        self.multipliers = multipliers
        self.n_active = int(np.count_nonzero(active))
        self.strict_complementarity = bool(np.all(multipliers[active] > gtol))
        self.reduced = reduced
        self.kind = kkt_kind(self.projected_gradient_norm, gtol, self.strict_complementarity,
                             None if reduced is None else reduced.inertia,
                             self.n_active == multipliers.size)

    def __repr__(self):
        return ("KKTPoint(kind=%r, projected_gradient_norm=%.3g, n_active=%d, "
                "strict_complementarity=%r, reduced=%r)"
                % (self.kind, self.projected_gradient_norm, self.n_active,
                   self.strict_complementarity, self.reduced))


def _free_submatrix(array, bandwidth, free):
    """H[free, free] from a dense (n, n) or lower band (b + 1, n) array, in the same storage."""
    index = np.flatnonzero(free)
    if bandwidth is None:
        return array[np.ix_(index, index)]
    rows, count = bandwidth + 1, index.size
    sub = np.zeros((rows, count))
    for k in range(min(rows, count)):
        distance = index[k:] - index[:count - k]
        near = distance <= bandwidth
        sub[k, :count - k][near] = array[distance[near], index[:count - k][near]]
    return sub


def certify_bounded(storage, x, grad, box, gtol):
    """The `KKTPoint` of a bounded result at x with gradient `grad` over `box` = (lower, upper)."""
    lower, upper = box
    projected = np.clip(x - grad, lower, upper) - x
    values, active = multipliers(x, grad, lower, upper)
    reduced = None
    free = ~active
    if free.any():
        factorable = storage.as_factorable(MAX_CERTIFICATE_PRODUCTS)
        if factorable is not None:
            bandwidth = getattr(factorable, "bandwidth", None)
            sub = _free_submatrix(factorable.to_array(), bandwidth, free)
            if np.all(np.isfinite(sub)):
                reduced = certify(_storage_for(sub, bandwidth))
                reduced.gradient_norm = float(np.linalg.norm(grad[free]))
    return KKTPoint(np.linalg.norm(projected), gtol, values, active, reduced)


__all__ = ["KKTPoint"]
