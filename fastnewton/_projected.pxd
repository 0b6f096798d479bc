from fastnewton._hessian cimport SymmetricMatrix, FactorableHessian
from fastnewton._reduced cimport ReducedHessian, MaskedProducts
from fastnewton._subproblems cimport TrustRegionSubproblem
from fastnewton._trust_steps cimport StepWork
from fastnewton._interior cimport InteriorWork
from fastnewton._status cimport Status


# Most halvings of a projected search before it gives up.
cdef enum:
    MAX_HALVINGS = 60
# Most doublings of a projected Newton step (`worth_extending`).
cdef enum:
    MAX_EXTENSIONS = 30


cdef struct BoundedStepStats:
    double model          # q(s) of the step; not negative when no step lowers the model
    int events            # EVENT_HARD_CASE | EVENT_MODIFIED | EVENT_NEGATIVE_CURVATURE
    int factorizations
    int hard_cases
    int modified          # subproblems whose Hessian was shifted (dogleg)
    double max_shift
    double shift          # the last subproblem's λ or τ
    # The trust region lay inside the box and the step is the unconstrained
    # subproblem's: the driver then treats it as the unconstrained one does.
    bint unconstrained
    bint hits_boundary    # (unconstrained) the subproblem's own boundary test


cdef struct NewtonDirection:
    double free_slope     # g_Fᵀd_F, the slope of the free part of the direction
    double free_length    # ‖d_F‖
    double curvature      # dᵀHd of a unit direction of negative curvature; 0 for Newton's
    double shift          # τ of the modified Cholesky factorization of H[F, F]
    # Newton's: `_newton_step.newton_step_bound` at x and the driver's bound
    # (`next_newton_radius`); 0 otherwise
    double step_bound
    int factorizations
    bint face_jump        # the direction is `face_jump_direction`'s step, not Newton's


cdef enum SearchOutcome:
    SEARCH_GOES_ON        # try the next trial point (α halved, or doubled)
    SEARCH_TOOK_STEP      # the search ends at the point taken last
    SEARCH_FAILED         # no step length helps: the run ends (`failed_status`)


cdef struct ProjectedSearch:
    # A projected Newton search along P(x + αd), in `projected_newton` and in
    # each problem of the batch: the direction's numbers and the search's state.
    NewtonDirection direction
    double alpha
    double required       # the decrease Bertsekas' test asks of f at the trial point
    int halvings
    int extensions
    bint stationary       # a search on curvature from a first-order point
    bint saw_nonfinite


cdef struct FaceJump:
    # Projected Newton's use of the interior-point prediction of the active
    # set (`jump_due`, `after_newton_iteration`), one per problem.
    Py_ssize_t streak     # consecutive iterations of a steady release (`after_newton_iteration`)
    Py_ssize_t next       # the streak at which the prediction is asked next
    Py_ssize_t changes    # the bounds the last iteration's step reached or left


cdef class BoundedWork:
    cdef object trial_array, grad_array, grad_trial_array
    cdef double[::1] step, cauchy, product, direction, model_grad, center, scale
    cdef double[::1] reduced_grad, reduced_step
    cdef Py_ssize_t[::1] index
    cdef unsigned char[::1] free     # projected Newton: the variables that move
    cdef object step_work_memory
    cdef StepWork step_work          # projected Newton's search for negative curvature
    # The interior-point prediction of the model's active set (made on first use).
    cdef InteriorWork interior
    cdef double[::1] box_lower, box_upper
    cdef signed char[::1] predicted


cdef int bounded_step(SymmetricMatrix hess, TrustRegionSubproblem subproblem,
                      ReducedHessian reduced, MaskedProducts masked, const double* x,
                      const double* grad, const double* lower, const double* upper,
                      double radius, Py_ssize_t n, BoundedWork work,
                      BoundedStepStats* stats) except -1


cdef int newton_direction(FactorableHessian hess, ReducedHessian reduced, const double* x,
                          const double* grad, const double* lower, const double* upper,
                          Py_ssize_t n, double radius, BoundedWork work,
                          NewtonDirection* out) except -1


cdef double radius_after_search(const ProjectedSearch* search, double radius) noexcept nogil
cdef void reset_face_jump(FaceJump* jump) noexcept nogil
cdef bint jump_due(const FaceJump* jump) noexcept nogil
cdef void after_newton_iteration(FaceJump* jump, Py_ssize_t changes) noexcept nogil
cdef Py_ssize_t bounds_changed(const double* before, const double* after, const double* lower,
                               const double* upper, Py_ssize_t n) noexcept nogil
cdef int face_jump_direction(FactorableHessian hess, ReducedHessian reduced, const double* x,
                             const double* grad, const double* lower, const double* upper,
                             Py_ssize_t n, BoundedWork work, NewtonDirection* out) except -1


cdef int escape_direction(FactorableHessian hess, ReducedHessian reduced, const double* x,
                          const double* grad, const double* lower, const double* upper,
                          double gtol, Py_ssize_t n, BoundedWork work,
                          NewtonDirection* out) except -1


cdef void begin_projected_search(ProjectedSearch* search, bint stationary) noexcept nogil
cdef void next_projected_trial(ProjectedSearch* search, const double* x, const double* grad,
                               const double* direction, const unsigned char* free,
                               const double* lower, const double* upper, Py_ssize_t n,
                               double* trial, bint* moved) noexcept nogil
cdef bint sufficient_decrease(const ProjectedSearch* search, double f,
                              double f_trial, double c1) noexcept nogil
cdef bint rounding_trial(const ProjectedSearch* search, double f, double f_trial) noexcept nogil
cdef bint flat_at(const ProjectedSearch* search, const double* x, const double* grad,
                  const double* direction, const unsigned char* free, double c2,
                  const double* lower, const double* upper, Py_ssize_t n) noexcept nogil
cdef SearchOutcome trial_refused(ProjectedSearch* search, bint nonfinite) noexcept nogil
cdef SearchOutcome trial_taken(ProjectedSearch* search, const double* x, const double* grad,
                               const double* direction, const unsigned char* free, double c2,
                               const double* lower, const double* upper,
                               Py_ssize_t n) noexcept nogil
cdef Status failed_status(const ProjectedSearch* search) noexcept nogil
