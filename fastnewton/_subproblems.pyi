from typing_extensions import Self, disjoint_base

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
    def __new__(cls, n: int, maxiter: int = 0) -> Self: ...
