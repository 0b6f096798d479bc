from typing_extensions import Self, disjoint_base

@disjoint_base
class InteriorWork:
    def __new__(cls, n: int) -> Self: ...
