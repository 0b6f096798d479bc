import numpy as np
from numpy.typing import ArrayLike, NDArray
from typing_extensions import Self, disjoint_base

from fastnewton._hessian import SymmetricMatrix
from fastnewton._subproblems import TrustRegionSubproblem

@disjoint_base
class KrylovSubproblem(TrustRegionSubproblem):
    def __new__(cls, n: int, maxiter: int = 0, inexact: bool = True) -> Self: ...
    def has_no_negative_curvature(self, hess: SymmetricMatrix) -> bool: ...

def solve_tridiagonal(diag: ArrayLike, off: ArrayLike, grad0: float,
                      radius: float) -> tuple[NDArray[np.float64], float, bool]: ...
def solve_subproblem(hess: SymmetricMatrix, grad: ArrayLike, radius: float, maxiter: int = 0,
                     inexact: bool = True, subproblem: KrylovSubproblem | None = None
                     ) -> tuple[NDArray[np.float64], float, bool, int]: ...
