import numpy as np
from numpy.typing import NDArray

from fastnewton._banded import BandedHessian
from fastnewton._dense import DenseHessian
from fastnewton._hessian import SymmetricMatrix

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

def dense_eigenvalues(hess: DenseHessian) -> NDArray[np.float64]: ...
def band_inertia(hess: BandedHessian, tol: float) -> tuple[int, int, int]: ...
def band_extreme_eigenvalues(hess: BandedHessian) -> tuple[float, float]: ...
def positive_definite_beyond(hess: SymmetricMatrix, tol: float) -> bool: ...
def certify(hess: SymmetricMatrix, tol: float = -1.0, cheap: bool = True) -> CriticalPoint: ...
