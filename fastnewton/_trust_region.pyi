from typing import Any

import numpy as np
from numpy.typing import NDArray

from fastnewton._hessian import SymmetricMatrix
from fastnewton._objective import Objective
from fastnewton._subproblems import TrustRegionSubproblem

def trust_region(objective: Objective, x0: NDArray[np.float64], hess: SymmetricMatrix,
                 subproblem: TrustRegionSubproblem, initial_radius: float | None,
                 max_radius: float, relative_max_radius: bool, eta: float, gtol: float,
                 inf_norm: bool, maxiter: int, reporter: Any, escape_saddles: bool, second_order_test: Any = None) -> dict[str, Any]: ...
