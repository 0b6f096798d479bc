from typing import Any

import numpy as np
from numpy.typing import NDArray
from typing_extensions import Self, disjoint_base

from fastnewton._hessian import SymmetricMatrix
from fastnewton._objective import Objective

@disjoint_base
class TruncatedCG:
    def __new__(cls, n: int, maxiter: int) -> Self: ...

def newton_cg(objective: Objective, x0: NDArray[np.float64], hess: SymmetricMatrix, gtol: float,
              xtol: float, inf_norm: bool, maxiter: int, c1: float, c2: float,
              reporter: Any) -> dict[str, Any]: ...
