from typing import Any

import numpy as np
from numpy.typing import NDArray
from typing_extensions import Self, disjoint_base

from fastnewton._hessian import FactorableHessian

@disjoint_base
class DenseHessian(FactorableHessian):
    def __new__(cls, n: int) -> Self: ...
    def load(self, value: Any) -> int: ...
    def to_array(self) -> NDArray[np.float64]: ...
    def spectrum(self, tol: float, extremes: bool) -> tuple[Any, ...]: ...
