from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from typing_extensions import Self, disjoint_base

from fastnewton._dense import DenseHessian
from fastnewton._hessian import SymmetricMatrix

@disjoint_base
class Objective:
    nfev: int
    njev: int
    nhev: int
    def __init__(self, fun: Callable[..., Any], jac: Any, hess: Any, hessp: Any,
                 args: tuple[Any, ...], n: int, rel_step: float | None = None) -> None: ...
    @property
    def n(self) -> int: ...

@disjoint_base
class HessianProducts(SymmetricMatrix):
    def __new__(cls, objective: Objective) -> Self: ...

def dense_hessian_from_products(objective: Objective, max_products: int) -> DenseHessian | None: ...
def finite_difference_hessian(jac: Callable[..., Any], x: NDArray[np.float64],
                              args: tuple[Any, ...], method: str, rel_step: float | None,
                              bandwidth: int | None = None) -> NDArray[np.float64]: ...
