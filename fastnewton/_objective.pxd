
cdef double as_scalar(object value) except? -1.0

cdef enum GradientSource:
    GRADIENT_CALLABLE
    GRADIENT_WITH_VALUE      # jac=True: fun returns (f, g)
    GRADIENT_FORWARD
    GRADIENT_CENTRAL

cdef enum HessianSource:
    HESSIAN_CALLABLE
    HESSIAN_FORWARD
    HESSIAN_CENTRAL
    HESSIAN_PRODUCTS_CALLABLE   # user hessp(x, v)

cdef enum ProductKind:
    PRODUCTS_HESSP
    PRODUCTS_FORWARD
    PRODUCTS_CENTRAL


cdef class Objective:
    cdef object fun, jac, hess, hessp
    cdef tuple args
    cdef readonly Py_ssize_t n
    # The box the finite differences stay in (NULL when unbounded); see `set_box`.
    cdef object box_arrays
    cdef const double* lower
    cdef const double* upper
    cdef GradientSource gradient_source
    cdef HessianSource hessian_source
    cdef ProductKind product_kind
    cdef double gradient_rel_step, hessian_rel_step
    cdef public Py_ssize_t nfev, njev, nhev

    # The last point whose value (and, for jac=True, gradient) we hold.
    cdef double[::1] cached_point
    cdef double cached_value
    cdef double[::1] cached_gradient
    cdef bint has_cached_value, has_cached_gradient

    # Work arrays for finite differences (see `need_work_arrays`);
    # `perturbed` is handed to the user only as a copy. A differenced
    # gradient steps its own point, `value_point`, so that a Hessian or a
    # product may difference such a gradient taken at `perturbed`.
    cdef object perturbed_array, value_point_array
    cdef double[::1] perturbed, value_point
    cdef double[::1] gradient_plus, gradient_minus

    # The point of the current Hessian, for product-only methods.
    cdef object product_point_array
    cdef double[::1] product_point, product_gradient

    # The last copy of a point handed to the user, and its data. The solver
    # writes it again only while it holds the sole reference (see
    # `reusable_user_point`).
    cdef object user_point
    cdef double* user_point_data
    # `point_data`: the two points of the solver's viewed last, and which to replace next.
    cdef object viewed_first, viewed_second
    cdef const double[::1] first_view, second_view
    cdef bint replace_second

    cdef void need_work_arrays(self)
    cdef object point_for_user(self, object x_array)
    cdef const double* point_data(self, object x_array) except NULL
    cdef bint reusable_user_point(self) noexcept
    cdef object private_point(self, const double* x)
    cdef object user_gradient(self, object point)
    cdef object call(self, object function, object x_array)
    cdef object call_at(self, object function, object point)
    cdef double call_fun(self, object x_array) except? -1.0
    cdef tuple split_value_and_gradient(self, object result)
    cdef int dense_fd_hessian(self, object x_array, const double[::1] grad,
                              double* values) except -1
    cdef int banded_fd_band(self, object x_array, const double[::1] grad, Py_ssize_t b,
                            double* band, Py_ssize_t row_step, Py_ssize_t column_step) except -1
    cdef int set_product_point(self, object x_array, const double[::1] grad) except -1
    cdef int value(self, object x_array, double* f) except -1
    cdef int gradient(self, object x_array, double[::1] out) except -1
    cdef object user_hessian(self, object x_array)
    cdef int hessian_product(self, const double* v, double* out) except -1
    cdef bint product_points_fit(self, const double* v, double h, bint central) noexcept
    cdef int one_sided_product(self, const double* v, double h, double* out) except -1


cdef int copy_vector(object value, double[::1] out, str name) except -1
cdef int copy_vector_raw(object value, double* out, Py_ssize_t n, str name) except -1
cdef object vector_from(const double* v, Py_ssize_t n)
cdef bint float64_buffer(object value, Py_buffer* buffer, int ndim) except -1
