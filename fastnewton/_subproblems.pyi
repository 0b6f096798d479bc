from typing_extensions import Self, disjoint_base

from fastnewton._hessian import SymmetricMatrix

@disjoint_base
class TrustRegionSubproblem:
    def __new__(cls, n: int) -> Self: ...

@disjoint_base
class FactoringSubproblem(TrustRegionSubproblem): ...

class DoglegSubproblem(FactoringSubproblem): ...

@disjoint_base
class ExactSubproblem(FactoringSubproblem):
    def __new__(cls, n: int, maxiter: int) -> Self: ...

@disjoint_base
class SteihaugSubproblem(TrustRegionSubproblem):
    def __new__(cls, n: int, maxiter: int = 0,
                escape: TrustRegionSubproblem | None = None) -> Self: ...
    def has_no_negative_curvature(self, hess: SymmetricMatrix) -> bool: ...
