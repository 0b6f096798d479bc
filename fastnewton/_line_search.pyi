from typing_extensions import Self, disjoint_base

@disjoint_base
class StrongWolfeSearch:
    def __new__(cls, n: int, c1: float, c2: float, maxiter: int = ...) -> Self: ...
