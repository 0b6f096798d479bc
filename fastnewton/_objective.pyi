from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from typing_extensions import disjoint_base

@disjoint_base
class Objective:
    nfev: int
    njev: int
    nhev: int
    def __init__(self, fun: Callable[..., Any], jac: Any, hess: Any, hessp: Any,
                 args: tuple[Any, ...], n: int, rel_step: float | None = None) -> None: ...
    def set_box(self, lower: NDArray[np.float64], upper: NDArray[np.float64]) -> None: ...
    @property
    def n(self) -> int: ...
