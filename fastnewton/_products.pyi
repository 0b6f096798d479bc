from typing_extensions import Self, disjoint_base

from fastnewton._hessian import FactorableHessian, SymmetricMatrix
from fastnewton._objective import Objective

@disjoint_base
class HessianProducts(SymmetricMatrix):
    def __new__(cls, objective: Objective) -> Self: ...
    def to_array(self) -> None: ...
    def as_factorable(self, max_products: int) -> FactorableHessian | None: ...
