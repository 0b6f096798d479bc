from typing import Any

import numpy as np
from numpy.typing import NDArray
from typing_extensions import Self, disjoint_base

from fastnewton._hessian import FactorableHessian, SymmetricMatrix
from fastnewton._objective import Objective
from fastnewton._subproblems import TrustRegionSubproblem

@disjoint_base
class BoundedWork:
    def __new__(cls, n: int) -> Self: ...


def projected_trust_region(objective: Objective, x0: NDArray[np.float64], hess: SymmetricMatrix,
                           subproblem: TrustRegionSubproblem, lower: NDArray[np.float64],
                           upper: NDArray[np.float64], initial_radius: float | None,
                           max_radius: float, relative_max_radius: bool, eta: float,
                           gtol: float, inf_norm: bool, maxiter: int, reporter: Any,
                           factoring: bool) -> dict[str, Any]: ...
def projected_newton(objective: Objective, x0: NDArray[np.float64], hess: FactorableHessian,
                     lower: NDArray[np.float64], upper: NDArray[np.float64], gtol: float,
                     inf_norm: bool, maxiter: int, c1: float, c2: float,
                     escape_saddles: bool,
                     reporter: Any) -> dict[str, Any]: ...
