from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from typing_extensions import disjoint_base

from fastnewton._objective import Objective

@disjoint_base
class ValueCounter:
    nfev: int
    def __init__(self, fun: Callable[..., Any], args: tuple[Any, ...]) -> None: ...

def second_difference_hessian(fun: Callable[..., Any], x: NDArray[np.float64], f0: float | None,
                              args: tuple[Any, ...], rel_step: float | None, central: bool,
                              bandwidth: int | None = None) -> tuple[NDArray[np.float64], int]: ...

@disjoint_base
class ValuesHessian:
    nfev: int
    calls: int
    def __init__(self, fun: Callable[..., Any], central: bool, rel_step: float | None,
                 bandwidth: int | None) -> None: ...
    def attach(self, objective: Objective) -> None: ...
    def __call__(self, x: NDArray[np.float64], *args: Any) -> NDArray[np.float64]: ...
