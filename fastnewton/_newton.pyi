from typing import Any

import numpy as np
from numpy.typing import NDArray

from fastnewton._hessian import FactorableHessian
from fastnewton._objective import Objective

def newton(objective: Objective, x0: NDArray[np.float64], hess: FactorableHessian, gtol: float,
           inf_norm: bool, maxiter: int, c1: float, c2: float, reporter: Any,
           escape_saddles: bool) -> dict[str, Any]: ...
