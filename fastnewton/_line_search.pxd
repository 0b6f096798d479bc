from fastnewton._objective cimport Objective

cdef struct SearchResult:
    double step_length
    double value
    bint found           # a step with sufficient decrease was found
    bint saw_nonfinite   # some trial point gave inf/NaN


cdef class StrongWolfeSearch:
    cdef Py_ssize_t n
    cdef double c1, c2
    cdef int maxiter
    cdef double[::1] best_grad
    cdef int search(self, Objective objective, const double[::1] x, const double[::1] direction,
                    double f0, double slope0, double step_init, object trial_array,
                    double[::1] trial_grad, SearchResult* result) except -1
