from typing_extensions import Self, disjoint_base

@disjoint_base
class TrustRegionSubproblem: ...

@disjoint_base
class DoglegSubproblem(TrustRegionSubproblem):
    def __new__(cls, n: int) -> Self: ...

@disjoint_base
class ExactSubproblem(TrustRegionSubproblem):
    def __new__(cls, n: int, maxiter: int = 25, k_easy: float = 0.1,
                 k_hard: float = 0.2) -> Self: ...

@disjoint_base
class SteihaugSubproblem(TrustRegionSubproblem):
    def __new__(cls, n: int, maxiter: int = 0) -> Self: ...
