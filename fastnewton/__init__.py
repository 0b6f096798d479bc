"""fastnewton: compiled Newton and trust-region methods, a drop-in for scipy.optimize.minimize.

Public API
----------
minimize
    The front door, called like `scipy.optimize.minimize`.
newton, trust_exact, dogleg, trust_ncg, newton_cg, trust_krylov
    The methods as callables, also usable as
    ``scipy.optimize.minimize(..., method=fastnewton.trust_exact)``.
minimize_batch, BatchResult
    Many independent small problems at once, with callbacks vectorized
    over the batch; the result holds one entry per problem.
approx_hessian, approx_jacobian
    Finite-difference Hessians (from a gradient) and Jacobians, dense or
    banded, in compiled code.
taylor, TaylorModel
    The order-0/1/2 Taylor model of f at a point (value, slope, curvature).
classify_critical_point, CriticalPoint
    Minimum, maximum, saddle or degenerate, from the Hessian's inertia; every
    result carries one as ``res.critical_point``.
BandwidthWarning, DerivativeWarning
    A declared band that does not fit the function (wrong layout, too
    narrow); derivatives that disagree with finite differences
    (``options={'check_derivatives': True}``).
problems
    Classic test problems with analytic derivatives.
bounded_problems
    Bound-constrained test problems (Hock–Schittkowski, MINPACK-2 torsion
    and obstacle, a 1-D obstacle) with their boxes and known solutions.
"""

from fastnewton._band_check import BandwidthWarning
from fastnewton._critical import classify_critical_point
from fastnewton._curvature import CriticalPoint
from fastnewton._derivative_check import DerivativeWarning
from fastnewton._derivatives import approx_hessian, approx_jacobian
from fastnewton._methods import dogleg, newton, newton_cg, trust_exact, trust_krylov, trust_ncg
from fastnewton._minimize import minimize
from fastnewton._minimize_batch import BatchResult, minimize_batch
from fastnewton._taylor import TaylorModel, taylor

__version__ = "0.1.0"
__all__ = [
    "minimize", "newton", "trust_exact", "dogleg", "trust_ncg", "newton_cg", "trust_krylov",
    "approx_hessian", "approx_jacobian", "BandwidthWarning", "DerivativeWarning",
    "classify_critical_point", "CriticalPoint", "taylor", "TaylorModel", "minimize_batch",
    "BatchResult",
]
