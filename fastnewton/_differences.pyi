from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

def finite_difference_hessian(jac: Callable[..., Any], x: NDArray[np.float64],
                              args: tuple[Any, ...], method: str, rel_step: float | None,
                              bandwidth: int | None = None) -> NDArray[np.float64]: ...
