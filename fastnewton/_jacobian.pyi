from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

def finite_difference_jacobian(fun: Callable[..., Any], x_array: NDArray[np.float64],
                               args: tuple[Any, ...], central: bool, rel_step: float | None,
                               lower: int = -1, upper: int = -1) -> NDArray[np.float64]: ...
