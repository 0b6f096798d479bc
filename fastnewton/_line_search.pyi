from typing_extensions import Self, disjoint_base

@disjoint_base
class StrongWolfeSearch:
    def __new__(cls, n: int, c1: float = 1e-4, c2: float = 0.9, maxiter: int = 40) -> Self: ...
