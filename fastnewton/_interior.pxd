from fastnewton._hessian cimport FactorableHessian
from fastnewton._reduced cimport ReducedHessian


cdef class InteriorWork:
    cdef Py_ssize_t n
    cdef object memory
    # The iterate, its bound multipliers, their steps, and work vectors.
    cdef double* y
    cdef double* z_lower
    cdef double* z_upper
    cdef double* dy
    cdef double* dz_lower
    cdef double* dz_upper
    cdef double* residual
    cdef double* rhs
    cdef double* diagonal
    cdef double* displacement
    cdef double* product
    cdef signed char* predicted
    cdef object predicted_array
    cdef Py_ssize_t[::1] index


cdef int predict_active_set(FactorableHessian hess, ReducedHessian reduced, const double* x,
                            const double* grad, const double* box_lower,
                            const double* box_upper, const double* start, Py_ssize_t n,
                            InteriorWork work, signed char* active) except -1
