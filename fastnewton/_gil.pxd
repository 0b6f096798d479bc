# Releasing the GIL only around large work: Cython's `with nogil(condition)`
# takes compile-time conditions only, and writing each kernel call twice
# (with and without `with nogil`) would copy every call site. These are the
# calls `with nogil` makes, made conditional. Between them only C code that
# needs no Python (the `noexcept nogil` kernels) may run.

cdef extern from "Python.h":
    ctypedef struct PyThreadState:
        pass
    PyThreadState* PyEval_SaveThread() noexcept
    void PyEval_RestoreThread(PyThreadState* state) noexcept nogil


cdef inline PyThreadState* release_gil_if(bint release) noexcept:
    """Release the GIL when `release`; pass the result to `reacquire_gil`."""
    return PyEval_SaveThread() if release else NULL


cdef inline void reacquire_gil(PyThreadState* state) noexcept nogil:
    if state != NULL:
        PyEval_RestoreThread(state)
