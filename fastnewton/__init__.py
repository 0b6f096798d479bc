"""fastnewton: compiled Newton and trust-region methods, a drop-in for scipy.optimize.minimize.

Public API
----------
minimize
    The front door, called like `scipy.optimize.minimize`.
newton, trust_exact, dogleg, trust_ncg
    The methods as callables, also usable as
    ``scipy.optimize.minimize(..., method=fastnewton.trust_exact)``.
approx_hessian
    Finite-difference Hessians from a gradient, in compiled code.
problems
    Classic test problems with analytic derivatives.
"""

from fastnewton._derivatives import approx_hessian
from fastnewton._methods import dogleg, newton, trust_exact, trust_ncg
from fastnewton._minimize import minimize

__version__ = "0.1.0"
__all__ = ["minimize", "newton", "trust_exact", "dogleg", "trust_ncg", "approx_hessian"]
