"""The user's objective as the compiled drivers see it.

`Objective` calls the user's `fun`, `jac`, `hess` and `hessp`, counts the
calls, checks the shapes and finiteness of what comes back, and forms finite
differences (gradients from values, dense Hessians from gradients, Hessian
products from gradients) in compiled loops. The user receives the point as an
array of its own, which the solver writes again only once the user holds no
reference to it, so nothing they keep aliases a solver buffer.
"""

import numpy as np

from libc.math cimport sqrt, isfinite, fmin, INFINITY
from cpython.ref cimport PyObject, _Py_REFCNT
from cpython.buffer cimport PyObject_GetBuffer, PyBuffer_Release, PyBUF_RECORDS_RO
from fastnewton._vector cimport copy_into, copy_raw, equal_raw
from fastnewton._box cimport clamp
from fastnewton._differences cimport (forward_rel_step, central_rel_step, step_group,
                                      difference_group, symmetrize_columns, add_group_to_band)

cdef bint copy_checked(const double[:] source, double[::1] dest) noexcept nogil:
    """Copy `source` (any stride) into `dest`; False if any value is not finite."""
    cdef Py_ssize_t i
    cdef bint finite = True
    for i in range(dest.shape[0]):
        dest[i] = source[i]
        finite = finite and isfinite(source[i])
    return finite


cdef bint all_finite(const double[::1] v) noexcept nogil:
    cdef Py_ssize_t i
    for i in range(v.shape[0]):
        if not isfinite(v[i]):
            return False
    return True


cdef inline double room_along(double x, double v, double lo, double hi) noexcept nogil:
    """The largest t ≥ 0 with lo ≤ x + t·v ≤ hi (infinite when v = 0)."""
    if v > 0.0:
        return (hi - x) / v
    if v < 0.0:
        return (lo - x) / v
    return INFINITY


cdef inline double product_side(double whole, double x, double v, double lo,
                                double hi) noexcept nogil:
    """Which way coordinate x steps in a one-sided product: along +v (1.0) or −v (−1.0).

    `whole` ±1 moves every coordinate that way; 0 lets each take the side
    with more room (lo < hi leaves room on one side at least). A fixed
    variable (lo = hi) does not move: 0.0.
    """
    if lo == hi:
        return 0.0
    if whole != 0.0:
        return whole
    return 1.0 if room_along(x, v, lo, hi) >= room_along(x, -v, lo, hi) else -1.0


cdef double as_scalar(object value) except? -1.0:
    """The user's f as a double: a real number or a one-element numeric array, else TypeError."""
    if isinstance(value, float):
        return <double>value
    if isinstance(value, tuple):
        raise TypeError("fun must return a real number, got a tuple of length %d; if it returns "
                        "the value and the gradient (f, g), did you mean jac=True?" % len(value))
    array = np.asarray(value)
    if isinstance(value, np.ndarray) and array.dtype.kind in "fiub" and array.size != 1:
        raise ValueError("fun must return a scalar, got an array of shape %s" % (array.shape,))
    if array.dtype.kind not in "fiub" or array.size != 1:
        raise TypeError("fun must return a real number (or an array of one real number), got %r"
                        % (value,))
    return float(array.reshape(()))


cdef const double[:] vector_view(object value, Py_ssize_t n, str name) except *:
    """A read-only view of a length-n vector from the user (converted only if it is not float64)."""
    cdef const double[:] view
    try:
        # The common case, a float64 vector, needs no conversion at all.
        view = value
    except (TypeError, ValueError, BufferError):
        array = np.asarray(value, dtype=np.float64)
        if array.ndim != 1 and not (n == 1 and array.size == 1):
            raise ValueError("%s must return an array of shape (%d,), got shape %s"
                             % (name, n, array.shape)) from None
        view = array.reshape(-1)
    if view.shape[0] != n:
        raise ValueError("%s must return an array of shape (%d,), got shape (%d,)"
                         % (name, n, view.shape[0]))
    return view


cdef int copy_vector(object value, double[::1] out, str name) except -1:
    """Validate a length-n vector from the user and copy it; returns 1 if it is not finite."""
    return copy_vector_raw(value, &out[0], out.shape[0], name)


cdef int copy_vector_raw(object value, double* out, Py_ssize_t n, str name) except -1:
    """`copy_vector` into n doubles at `out`."""
    cdef int copied = copy_float64_vector(value, out, n)
    if copied >= 0:
        return copied
    return 0 if copy_checked(vector_view(value, n, name), <double[:n]>out) else 1


cdef object vector_from(const double* v, Py_ssize_t n):
    """A new float64 array holding the n doubles at `v`, for the user's functions.

    Written through its buffer: `np.asarray(<double[:n]>v).copy()` made a
    Cython array and a memoryview on the way, about 1 µs per product.
    """
    cdef Py_buffer buffer
    array = np.empty(n)
    PyObject_GetBuffer(array, &buffer, PyBUF_RECORDS_RO)
    copy_raw(v, <double*>buffer.buf, n)
    PyBuffer_Release(&buffer)
    return array


cdef object FLOAT64 = np.dtype(np.float64)


cdef bint float64_buffer(object value, Py_buffer* buffer, int ndim) except -1:
    """Acquire the buffer of `value` when it is a numpy float64 array of `ndim`
    dimensions, any strides; False (nothing acquired) for any other value.

    The common case of what the user's functions return, read without a
    typed memoryview: making one costs about 250 ns against 60 ns for the
    bare buffer (n = 10), and an iteration of a small problem made several.
    The caller releases the buffer.
    """
    if type(value) is not np.ndarray or (<object>value).dtype is not FLOAT64:
        return False
    PyObject_GetBuffer(value, buffer, PyBUF_RECORDS_RO)
    if buffer.ndim == ndim and buffer.itemsize == 8:
        return True
    PyBuffer_Release(buffer)
    return False


cdef int copy_float64_vector(object value, double* out, Py_ssize_t n) except -2:
    """`copy_vector`'s common case (`float64_buffer`), a float64 vector of length n:
    0, or 1 if not finite; −1 for any other value."""
    cdef Py_buffer buffer
    cdef Py_ssize_t i, stride
    cdef const char* data
    cdef bint finite = True
    if not float64_buffer(value, &buffer, 1):
        return -1
    try:
        if buffer.shape[0] != n:
            return -1
        data = <const char*>buffer.buf
        stride = buffer.strides[0]
        for i in range(n):
            out[i] = (<const double*>(data + i * stride))[0]
            finite = finite and isfinite(out[i])
    finally:
        PyBuffer_Release(&buffer)
    return 0 if finite else 1


cdef class Objective:
    """The user's functions, their counters and their finite differences.

    Parameters
    ----------
    fun, jac, hess, hessp, args
        As in `fastnewton.minimize`, already validated: `jac` is a callable,
        True, '2-point' or '3-point'; `hess` a callable, '2-point', '3-point'
        or None when `hessp` is a callable.
    n : int
        Number of variables.
    rel_step : float or None
        Relative finite-difference step; None picks √ε (forward) or ∛ε
        (central).
    """

    def __init__(self, fun, jac, hess, hessp, tuple args, Py_ssize_t n, rel_step=None):
        self.fun, self.jac, self.hess, self.hessp, self.args = fun, jac, hess, hessp, args
        self.n = n
        if jac is True:
            self.gradient_source = GRADIENT_WITH_VALUE
        elif callable(jac):
            self.gradient_source = GRADIENT_CALLABLE
        elif jac == "3-point":
            self.gradient_source = GRADIENT_CENTRAL
        else:
            self.gradient_source = GRADIENT_FORWARD
        if callable(hess):
            self.hessian_source = HESSIAN_CALLABLE
        elif hess == "3-point":
            self.hessian_source = HESSIAN_CENTRAL
            self.product_kind = PRODUCTS_CENTRAL
        elif hess == "2-point":
            self.hessian_source = HESSIAN_FORWARD
            self.product_kind = PRODUCTS_FORWARD
        elif callable(hessp):
            self.hessian_source = HESSIAN_PRODUCTS_CALLABLE
            self.product_kind = PRODUCTS_HESSP
        else:
            self.hessian_source = HESSIAN_FORWARD
            self.product_kind = PRODUCTS_FORWARD
        central_gradient = self.gradient_source == GRADIENT_CENTRAL
        central_hessian = self.hessian_source == HESSIAN_CENTRAL
        self.gradient_rel_step = (rel_step if rel_step is not None
                                  else (central_rel_step() if central_gradient else forward_rel_step()))
        self.hessian_rel_step = (rel_step if rel_step is not None
                                 else (central_rel_step() if central_hessian else forward_rel_step()))
        if fun is not None:   # None: gradients only (`approx_hessian`)
            self.cached_point = np.empty(n)
            self.cached_gradient = np.empty(n)

    def set_box(self, lower, upper):
        """Keep every finite-difference point inside lower ≤ x ≤ upper (float64 arrays of n).

        Steps that would leave the box go the other way, or become one-sided
        (`_differences.column_points`), so the user's functions never see a
        point outside it.
        """
        cdef const double[::1] lo = np.ascontiguousarray(lower, dtype=np.float64)
        cdef const double[::1] hi = np.ascontiguousarray(upper, dtype=np.float64)
        self.box_arrays = (lo, hi)
        self.lower = &lo[0]
        self.upper = &hi[0]

    cdef void need_work_arrays(self):
        """Allocate the finite-difference work arrays on first use.

        Not up front: analytic derivatives and the banded forward
        differences need none, and every n-vector allocated but unused in a
        one-off `approx_hessian` still costs fresh pages at large n.
        """
        if self.perturbed_array is None:
            self.perturbed_array = np.empty(self.n)
            self.perturbed = self.perturbed_array
            self.value_point_array = np.empty(self.n)
            self.value_point = self.value_point_array
            self.gradient_plus = np.empty(self.n)
            self.gradient_minus = np.empty(self.n)

    cdef object point_for_user(self, object x_array):
        """The point as an array the solver does not write while the user holds it.

        The last one handed out if it still holds these values (fun, jac and
        hess at one point share one copy, a comparison instead of two
        copies); else `private_point`.
        """
        cdef const double* x = self.point_data(x_array)
        if self.user_point is not None and equal_raw(x, self.user_point_data, self.n):
            return self.user_point
        return self.private_point(x)

    cdef const double* point_data(self, object x_array) except NULL:
        """The data of the solver's point `x_array` (float64, C-contiguous, length n).

        The two arrays asked last stay viewed: a driver alternates between
        its point and its trial point, and a typed memoryview made afresh
        costs about 250 ns, several times per iteration. Holding the views
        also keeps both buffers exported, so neither can be resized away.
        """
        if x_array is self.viewed_first:
            return &self.first_view[0]
        if x_array is self.viewed_second:
            return &self.second_view[0]
        if self.replace_second:
            self.second_view = x_array
            self.viewed_second = x_array
        else:
            self.first_view = x_array
            self.viewed_first = x_array
        self.replace_second = not self.replace_second
        return self.point_data(x_array)

    cdef bint reusable_user_point(self) noexcept:
        """True when the solver holds the only reference to the last point handed out.

        The user then kept no reference, view or buffer export of it (each
        holds a reference), so writing it again cannot change anything they
        hold. Reusing it saves an n-vector allocation per call, whose fresh
        pages cost more than the copy at large n.
        """
        # The cast reads the count without the temporary reference a Python
        # object argument would add.
        return self.user_point is not None and _Py_REFCNT(<PyObject*>self.user_point) == 1

    cdef object private_point(self, const double* x):
        """`user_point` set to a copy of `x`, in place when `reusable_user_point`, else new."""
        cdef double[::1] data
        if not self.reusable_user_point():
            self.user_point = np.empty(self.n)
            data = self.user_point
            self.user_point_data = &data[0]
        copy_raw(x, self.user_point_data, self.n)
        return self.user_point

    cdef object call(self, object function, object x_array):
        """function(point, *args) at a copy of `x_array` the solver does not write."""
        return self.call_at(function, self.point_for_user(x_array))

    cdef object call_at(self, object function, object point):
        """function(point, *args); without args, the one-argument call is the cheaper one."""
        if self.args:
            return function(point, *self.args)
        return function(point)

    cdef double call_fun(self, object x_array) except? -1.0:
        """f at a point, uncached; with jac=True the gradient that comes along is dropped."""
        result = self.call(self.fun, x_array)
        self.nfev += 1
        if self.gradient_source == GRADIENT_WITH_VALUE:
            self.njev += 1
            return as_scalar(self.split_value_and_gradient(result)[0])
        return as_scalar(result)

    cdef tuple split_value_and_gradient(self, object result):
        if not isinstance(result, tuple) or len(result) != 2:
            raise ValueError("with jac=True, fun must return a tuple (f, g), got %s"
                             % type(result).__name__)
        return result

    cdef int value(self, object x_array, double* f) except -1:
        """f at `x_array` (cached for the last point asked)."""
        cdef const double* x = self.point_data(x_array)
        if self.has_cached_value and equal_raw(x, &self.cached_point[0], self.n):
            f[0] = self.cached_value
            return 0
        copy_raw(x, &self.cached_point[0], self.n)
        self.has_cached_value = False
        self.has_cached_gradient = False
        if self.gradient_source == GRADIENT_WITH_VALUE:
            result = self.split_value_and_gradient(self.call(self.fun, x_array))
            self.nfev += 1
            self.njev += 1
            self.cached_value = as_scalar(result[0])
            copy_vector(result[1], self.cached_gradient, "fun (the gradient part, with jac=True)")
            self.has_cached_gradient = True
        else:
            self.cached_value = self.call_fun(x_array)
        self.has_cached_value = True
        f[0] = self.cached_value
        return 0

    cdef int gradient(self, object x_array, double[::1] out) except -1:
        """∇f at `x_array` into `out`; returns 1 when it is not finite."""
        cdef const double[::1] x
        cdef double f0, f_plus, f_minus = 0.0
        cdef Py_ssize_t j
        cdef bint central = self.gradient_source == GRADIENT_CENTRAL
        if self.gradient_source == GRADIENT_CALLABLE:
            self.njev += 1
            return copy_vector(self.call(self.jac, x_array), out, "jac")
        if self.gradient_source == GRADIENT_WITH_VALUE:
            if not (self.has_cached_gradient
                    and equal_raw(self.point_data(x_array), &self.cached_point[0], self.n)):
                self.has_cached_value = False
                self.value(x_array, &f0)
            copy_into(self.cached_gradient, out)
            return 0 if all_finite(out) else 1
        # Finite differences of f, one coordinate at a time: the 1-by-n Jacobian of f.
        x = x_array
        self.need_work_arrays()
        self.value(x_array, &f0)
        copy_into(x, self.value_point)
        for j in range(self.n):
            step_group(&self.value_point[0], &x[0], j, self.n, self.gradient_rel_step, False,
                       self.n, central, self.lower, self.upper)
            f_plus = self.call_fun(self.value_point_array)
            if central:
                step_group(&self.value_point[0], &x[0], j, self.n, self.gradient_rel_step, True,
                           self.n, central, self.lower, self.upper)
                f_minus = self.call_fun(self.value_point_array)
            difference_group(&f_plus, &f_minus if central else &f0, central, &x[0],
                             self.gradient_rel_step, j, self.n, 1, -1, 0, &out[0], 0, 1, self.n,
                             self.lower, self.upper)
            self.value_point[j] = x[j]
        return 0 if all_finite(out) else 1

    cdef object user_hessian(self, object x_array):
        """The user's `hess` at `x_array`, as returned (the storage validates it); counted."""
        value = self.call(self.hess, x_array)
        self.nhev += 1
        return value

    cdef int dense_fd_hessian(self, object x_array, const double[::1] grad,
                              double* values) except -1:
        """H into `values` (column-major n-by-n, lower triangle meaningful); 1 when not finite.

        Column j of H is (∇f(x + h e_j) − ∇f(x)) / h (or the central form):
        the Jacobian of ∇f, then H ← (H + Hᵀ)/2.
        """
        cdef const double[::1] x = x_array
        cdef Py_ssize_t j, n = self.n
        cdef bint central = self.hessian_source == HESSIAN_CENTRAL
        cdef bint finite = True
        self.need_work_arrays()
        copy_into(x, self.perturbed)
        for j in range(n):
            step_group(&self.perturbed[0], &x[0], j, n, self.hessian_rel_step, False, n, central,
                       self.lower, self.upper)
            finite &= self.gradient(self.perturbed_array, self.gradient_plus) == 0
            if central:
                step_group(&self.perturbed[0], &x[0], j, n, self.hessian_rel_step, True, n,
                           central, self.lower, self.upper)
                finite &= self.gradient(self.perturbed_array, self.gradient_minus) == 0
            difference_group(&self.gradient_plus[0],
                             &self.gradient_minus[0] if central else &grad[0], central, &x[0],
                             self.hessian_rel_step, j, n, n, -1, 0, values, 1, n, n,
                             self.lower, self.upper)
            self.perturbed[j] = x[j]
        symmetrize_columns(values, n)
        return 0 if finite else 1

    cdef object user_gradient(self, object point):
        """The gradient at `point` as the user returns it (unvalidated); counted."""
        if self.gradient_source == GRADIENT_CALLABLE:
            self.njev += 1
            return self.call_at(self.jac, point)
        if self.gradient_source == GRADIENT_WITH_VALUE:
            self.nfev += 1
            self.njev += 1
            return self.split_value_and_gradient(self.call_at(self.fun, point))[1]
        gradient = np.empty(self.n)
        self.gradient(point, gradient)
        return gradient

    cdef int banded_fd_band(self, object x_array, const double[::1] grad, Py_ssize_t b,
                            double* band, Py_ssize_t row_step, Py_ssize_t column_step) except -1:
        """The band of H from 2b+1 gradient differences, whatever n (Curtis, Powell & Reid 1974); 1 when not finite.

        Columns j and k of a band matrix share no nonzero row when
        |j − k| > 2b, so all columns j ≡ c (mod 2b+1) are perturbed at once
        and one gradient difference yields each of them on its own rows
        (`add_group_to_band`). `band` (zeroed by the caller) receives
        H[j + k, j] at band[k·row_step + j·column_step].

        The perturbed point is the user point, rewritten in place for the
        next group when the user kept no reference to it (else a new copy,
        see `private_point`): no fresh n-vector per gradient. It is rewritten
        whole, not just the previous group's entries put back, because a
        user may have changed it.
        """
        cdef const double[::1] x = x_array
        cdef Py_ssize_t n = self.n, stride = min(2 * b + 1, n)
        cdef Py_ssize_t group
        cdef double rel_step = self.hessian_rel_step
        cdef const double[:] plus
        cdef const double[:] minus
        cdef bint central = self.hessian_source == HESSIAN_CENTRAL
        cdef bint finite = True
        for group in range(stride):
            self.private_point(&x[0])
            step_group(self.user_point_data, &x[0], group, stride, rel_step, False, n, central,
                       self.lower, self.upper)
            plus = vector_view(self.user_gradient(self.user_point), n, "jac")
            if central:
                self.need_work_arrays()
                copy_checked(plus, self.gradient_plus)   # finiteness is checked below
                plus = self.gradient_plus
                self.private_point(&x[0])
                step_group(self.user_point_data, &x[0], group, stride, rel_step, True, n, central,
                           self.lower, self.upper)
                minus = vector_view(self.user_gradient(self.user_point), n, "jac")
            else:
                minus = grad
            with nogil:
                finite &= add_group_to_band(plus, minus, central, &x[0], rel_step, group,
                                            stride, b, band, row_step, column_step, n,
                                            self.lower, self.upper)
            plus = minus = None   # a view of the user's gradient may pin the point
        return 0 if finite else 1

    cdef int set_product_point(self, object x_array, const double[::1] grad) except -1:
        """Set the point at which `hessian_product` multiplies (hessp or differences of ∇f)."""
        cdef const double* x = self.point_data(x_array)
        if self.product_point_array is None:
            self.product_point_array = np.empty(self.n)
            self.product_point = self.product_point_array
            self.product_gradient = np.empty(self.n)
        copy_raw(x, &self.product_point[0], self.n)
        copy_into(grad, self.product_gradient)
        return 0

    cdef int hessian_product(self, const double* v, double* out) except -1:
        """H v at the point of the last `set_product_point`, from hessp or differences of ∇f; 1 when not finite."""
        cdef Py_ssize_t i, n = self.n
        cdef double v_norm = 0.0, x_norm = 0.0, h
        cdef bint central
        if self.product_kind == PRODUCTS_HESSP:
            self.nhev += 1
            return copy_vector_raw(self.hessp(self.point_for_user(self.product_point_array),
                                              vector_from(v, n), *self.args), out, n, "hessp")
        # H v ≈ (∇f(x + h v) − ∇f(x)) / h, h scaled to the lengths of x and v.
        for i in range(n):
            v_norm += v[i] * v[i]
            x_norm += self.product_point[i] * self.product_point[i]
        if v_norm == 0.0:
            for i in range(n):
                out[i] = 0.0
            return 0
        central = self.product_kind == PRODUCTS_CENTRAL
        h = self.hessian_rel_step * (1.0 + sqrt(x_norm)) / sqrt(v_norm)
        self.need_work_arrays()
        if self.lower != NULL and not self.product_points_fit(v, h, central):
            # One-sided: the forward size rel_step^1.5·(1 + ‖x‖)/‖v‖ for
            # central products, as `column_points` does for columns.
            return self.one_sided_product(v, h * sqrt(self.hessian_rel_step) if central else h,
                                          out)
        for i in range(n):
            self.perturbed[i] = self.product_point[i] + h * v[i]
        if self.gradient(self.perturbed_array, self.gradient_plus):
            return 1
        if central:
            for i in range(n):
                self.perturbed[i] = self.product_point[i] - h * v[i]
            if self.gradient(self.perturbed_array, self.gradient_minus):
                return 1
            for i in range(n):
                out[i] = (self.gradient_plus[i] - self.gradient_minus[i]) / (2.0 * h)
        else:
            for i in range(n):
                out[i] = (self.gradient_plus[i] - self.product_gradient[i]) / h
        return 0

    cdef bint product_points_fit(self, const double* v, double h, bint central) noexcept:
        """Whether x + h·v (and x − h·v when `central`) lie in the box, as computed."""
        cdef Py_ssize_t i
        cdef const double* x = &self.product_point[0]
        for i in range(self.n):
            if not self.lower[i] <= x[i] + h * v[i] <= self.upper[i]:
                return False
            if central and not self.lower[i] <= x[i] - h * v[i] <= self.upper[i]:
                return False
        return True

    cdef int one_sided_product(self, const double* v, double h, double* out) except -1:
        """H v by one-sided differences of ∇f whose points stay in the box; 1 when not finite.

        When x + h·v or x − h·v lies in the box, one difference along it.
        Otherwise v = v₊ + v₋, v₊ holding the coordinates with more room
        along +v and v₋ the others, and H v = H v₊ + H v₋ from a forward
        difference along v₊ and a backward one along v₋, each step no longer
        than its part's room: two gradients instead of one, but every
        coordinate that can move gets a step of about h. A fixed variable
        (lo = hi) cannot move, so its column contributes nothing, as in
        `_differences.column_points`.
        """
        cdef Py_ssize_t i, n = self.n
        cdef const double* x = &self.product_point[0]
        cdef const double* lo = self.lower
        cdef const double* hi = self.upper
        cdef double room_plus = INFINITY, room_minus = INFINITY, whole, sign, t
        cdef bint moves
        for i in range(n):
            if lo[i] < hi[i]:
                room_plus = fmin(room_plus, room_along(x[i], v[i], lo[i], hi[i]))
                room_minus = fmin(room_minus, room_along(x[i], -v[i], lo[i], hi[i]))
        whole = 1.0 if room_plus >= h else (-1.0 if room_minus >= h else 0.0)
        for i in range(n):
            out[i] = 0.0
        for sign in (1.0, -1.0):
            t = h
            moves = False
            for i in range(n):
                if v[i] != 0.0 and product_side(whole, x[i], v[i], lo[i], hi[i]) == sign:
                    t = fmin(t, room_along(x[i], sign * v[i], lo[i], hi[i]))
                    moves = True
            if not moves:
                continue
            for i in range(n):
                if product_side(whole, x[i], v[i], lo[i], hi[i]) == sign:
                    # The clamp only undoes rounding: t is within the room.
                    self.perturbed[i] = clamp(x[i] + sign * t * v[i], lo[i], hi[i])
                else:
                    self.perturbed[i] = x[i]
            if self.gradient(self.perturbed_array, self.gradient_plus):
                return 1
            for i in range(n):
                out[i] += sign * (self.gradient_plus[i] - self.product_gradient[i]) / t
        return 0
