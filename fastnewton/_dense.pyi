from typing import Any

import numpy as np
from numpy.typing import NDArray
from typing_extensions import Self, disjoint_base

from fastnewton._hessian import SymmetricMatrix

@disjoint_base
class DenseHessian(SymmetricMatrix):
    def __new__(cls, n: int) -> Self: ...
    def load(self, value: Any) -> int: ...
    def to_array(self) -> NDArray[np.float64]: ...
