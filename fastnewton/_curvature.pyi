import numpy as np
from numpy.typing import ArrayLike, NDArray

from fastnewton._hessian import FactorableHessian

class CriticalPoint:
    n_positive: int
    n_negative: int
    n_zero: int
    min_eigenvalue: float
    max_eigenvalue: float
    tol: float
    method: str
    gradient_norm: float
    gtol: float
    def __init__(self, n_positive: int, n_negative: int, n_zero: int, min_eigenvalue: float,
                 max_eigenvalue: float, tol: float, method: str, gradient_norm: float = ...,
                 gtol: float = ...) -> None: ...
    @property
    def is_critical(self) -> bool: ...
    @property
    def kind(self) -> str: ...
    @property
    def inertia(self) -> tuple[int, int, int]: ...
    @property
    def is_positive_definite(self) -> bool: ...

def dense_eigenvalues(values: ArrayLike) -> NDArray[np.float64]: ...
def band_inertia(band: ArrayLike, tol: float) -> tuple[int, int, int]: ...
def band_extreme_eigenvalues(band: ArrayLike) -> tuple[float, float]: ...
def certify(hess: FactorableHessian, tol: float = -1.0, cheap: bool = True) -> CriticalPoint: ...
def certify_stack(hess: NDArray[np.float64], bandwidth: int | None = None,
                  active: NDArray[np.bool_] | None = None
                  ) -> tuple[NDArray[np.object_], NDArray[np.intp]]: ...
