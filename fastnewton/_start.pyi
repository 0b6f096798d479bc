import numpy as np
from numpy.typing import NDArray

class NonFiniteStart(Exception):
    what: str
    fun: float
    jac: NDArray[np.float64] | None
    def __init__(self, what: str, fun: float, jac: NDArray[np.float64] | None) -> None: ...
