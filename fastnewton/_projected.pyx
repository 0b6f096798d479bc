"""The bounded drivers: projected trust-region Newton (TRON) and projected Newton.

Both keep every iterate, and every point the user's functions see, inside
the box lo ≤ x ≤ hi, and stop on the projected gradient ‖P(x − g) − x‖.

`projected_trust_region` follows Lin & Moré (1999): a generalized Cauchy
point by a projected search along −D⁻¹g (D = |diag H|), then minor
iterations: the trust-region subproblem in the variables free at the
current point (Moré–Sorensen, dogleg, Steihaug CG or GLTR, on `_reduced`'s
H[F, F]) and a projected search on the model along that step, repeated
while the free set changes. Every step lowers the model at least as much
as the Cauchy point, which gives the convergence theory of Conn, Gould &
Toint (2000, ch. 12); the projections change many bounds per iteration,
and the minor iterations, which cost no evaluation of f, free and fix
bounds until the model's own active set settles. Where the trust region
lies inside the box, the step is the unconstrained subproblem's.
`bounded_step` is the step; the batched solver runs it on each problem's
block.

`projected_newton` follows Bertsekas (1982): variables on a bound that −g
pushes against are held, the others take the Newton step of the
modified Cholesky factorization of H[F, F], and a projected Armijo search
picks the step length.
"""

import numpy as np

from libc.math cimport isfinite, fabs, fmin, fmax, sqrt, INFINITY
from libc.string cimport memset
from fastnewton._hessian cimport SymmetricMatrix, FactorableHessian
from fastnewton._objective cimport Objective
from fastnewton._reduced cimport ReducedHessian, MaskedProducts
from fastnewton._subproblems cimport TrustRegionSubproblem
from fastnewton._trust_steps cimport (StepReport, SUBPROBLEM_OK, SUBPROBLEM_FACTORIZATION_FAILED,
                                      lay_out_work,
                                      next_radius, radius_cap, first_radius)
from fastnewton._box cimport (clamp, projected_step, projected_gradient_norm, free_for_model,
                              not_binding, gather, scatter)
from fastnewton._vector cimport dot_raw, norm2_raw, norm2, copy_raw
from fastnewton._status cimport (Status, SUCCESS, MAXITER, NO_PROGRESS, LINALG_ERROR, NONFINITE,
                                 SADDLE,
                                 CALLBACK_STOP, EVENT_ACCEPTED, EVENT_BOUNDARY, EVENT_HARD_CASE,
                                 EVENT_MODIFIED, EVENT_NEGATIVE_CURVATURE, EVENT_NONFINITE)
from fastnewton._start cimport evaluate_start
from fastnewton._trust_region cimport evaluate_trial, iteration_end, GOES_ON
from fastnewton._interior cimport InteriorWork, predict_active_set
from fastnewton._newton_step cimport (NewtonStep, NEWTON_SEARCH, NEWTON_FACTOR_FAILED,
                                      newton_step_bound, next_newton_radius)
from fastnewton._line_search cimport LineSearch

# Sufficient decrease of the model in the projected searches (Lin & Moré's μ₀).
cdef double MODEL_DECREASE = 0.01
# Minor iterations after which a step that is still freeing bounds asks the
# interior-point prediction of the model's active set (`_interior`); again
# after twice as many, and so on, so a prediction that did not help costs
# O(log) of them.
cdef Py_ssize_t INTERIOR_AFTER = 5
# What `interior_jump` returns when the predicted face's step is longer than
# the minor iterations may go.
cdef int INTERIOR_TOO_LONG = 2
# Most minor iterations of a products-only step (trust-ncg, trust-krylov).
cdef Py_ssize_t PRODUCT_MINOR_ITERATIONS = 50


cdef class BoundedWork:
    """The n-vectors of one bounded run (or of one problem at a time of a batch), and the free-set index."""

    def __cinit__(self, Py_ssize_t n):
        self.trial_array = np.empty(n)
        self.grad_array = np.empty(n)
        self.grad_trial_array = np.empty(n)
        self.step = np.zeros(max(n, 1))
        self.cauchy = np.zeros(max(n, 1))
        self.product = np.zeros(max(n, 1))
        self.direction = np.zeros(max(n, 1))
        self.model_grad = np.zeros(max(n, 1))
        self.center = np.zeros(max(n, 1))
        self.scale = np.zeros(max(n, 1))
        self.reduced_grad = np.zeros(max(n, 1))
        self.reduced_step = np.zeros(max(n, 1))
        self.index = np.zeros(max(n, 1), dtype=np.intp)
        self.free = np.zeros(max(n, 1), dtype=np.uint8)
        self.step_work_memory = np.zeros(6 * max(n, 1))
        cdef double[::1] memory = self.step_work_memory
        lay_out_work(&self.step_work, &memory[0], n)


cdef int model_at(SymmetricMatrix hess, const double* grad, const double* step, double* product,
                  Py_ssize_t n, double* model) except -1:
    """model = gᵀs + ½ sᵀHs, with `product` = H s; 1 when the product is not finite."""
    cdef Py_ssize_t i
    cdef double linear = 0.0, curvature = 0.0
    if hess.matvec(step, product):
        return 1
    for i in range(n):
        linear += grad[i] * step[i]
        curvature += step[i] * product[i]
    model[0] = linear + 0.5 * curvature
    return 0 if isfinite(model[0]) else 1


cdef void diagonal_scaling(SymmetricMatrix hess, double* scale, Py_ssize_t n) noexcept:
    """|H_ii|, floored at 1e-8·max |H_jj|, for a factorable H; ones for products only.

    The projected search for the Cauchy point runs along −D⁻¹g with this D:
    each variable then moves about as far as its own curvature allows (a
    Jacobi step at α = 1), so on an ill-conditioned H the Cauchy point puts
    on their bounds the variables that the Newton step would push there, many
    at once, instead of creeping along −g by the largest curvature.
    """
    cdef FactorableHessian factorable
    cdef Py_ssize_t i
    cdef double largest = 0.0
    if not isinstance(hess, FactorableHessian):
        for i in range(n):
            scale[i] = 1.0
        return
    factorable = <FactorableHessian>hess
    for i in range(n):
        if factorable.banded:
            scale[i] = fabs(factorable.band.values[i * (factorable.band.bandwidth + 1)])
        else:
            scale[i] = fabs(factorable.dense.values[i + i * n])
        largest = fmax(largest, scale[i])
    if not largest > 0.0 or not isfinite(largest):
        largest = 1.0
    for i in range(n):
        scale[i] = fmax(scale[i], 1e-8 * largest)
        if not isfinite(scale[i]):
            scale[i] = largest


cdef int cauchy_point(SymmetricMatrix hess, const double* x, const double* grad,
                      const double* scaled_grad, const double* lo, const double* hi,
                      double radius, Py_ssize_t n, double* step, double* product, double* model,
                      double* point) except -1:
    """The generalized Cauchy step s = P(x − αD⁻¹g) − x (Lin & Moré 1999, §3).

    `scaled_grad` is D⁻¹g (see `diagonal_scaling`). α starts at
    radius/‖D⁻¹g‖, so that ‖s‖ ≤ radius, and halves until the model falls by
    a fraction of the linear decrease: q(s) ≤ μ₀ gᵀs. Leaves H s in
    `product`, q(s) in `model` and P(x − αD⁻¹g) itself in `point` (exactly
    on the bounds it reaches, which x + s may miss by rounding); 1 when a
    product was not finite.
    """
    cdef Py_ssize_t i
    cdef double alpha = radius / norm2_raw(scaled_grad, n)
    cdef int halving
    for halving in range(MAX_HALVINGS):
        projected_step(x, scaled_grad, -alpha, lo, hi, step, n)
        if model_at(hess, grad, step, product, n, model):
            return 1
        if model[0] <= MODEL_DECREASE * dot_raw(grad, step, n):
            for i in range(n):
                point[i] = clamp(x[i] - alpha * scaled_grad[i], lo[i], hi[i])
            return 0
        alpha *= 0.5
    # The model is a quadratic that is decreasing along −D⁻¹g at α = 0, so
    # the halvings end above; were they not to (rounding), the zero step is safe.
    for i in range(n):
        step[i] = 0.0
        product[i] = 0.0
        point[i] = x[i]
    model[0] = 0.0
    return 0


cdef int subspace_search(SymmetricMatrix hess, const double* grad, const double* model_grad,
                         const double* cauchy, double cauchy_model, const double* center,
                         const double* direction, const double* lo, const double* hi,
                         Py_ssize_t n, double* step, double* product, double* model) except -1:
    """A projected search on the model from the Cauchy point along the subspace step.

    The first β = 1, ½, … whose s = P(x_c + β d) − x lowers the model below
    the Cauchy point's by a fraction of the model's slope there (Lin & Moré
    1999, §4); the Cauchy step itself when none does. Leaves s in `step`,
    q(s) in `model`; 1 when a product was not finite.
    """
    cdef double beta = 1.0, slope, move
    cdef Py_ssize_t i
    cdef int halving
    for halving in range(MAX_HALVINGS):
        slope = 0.0
        for i in range(n):
            move = clamp(center[i] + beta * direction[i], lo[i], hi[i]) - center[i]
            slope += model_grad[i] * move
            step[i] = cauchy[i] + move
        if model_at(hess, grad, step, product, n, model):
            return 1
        if model[0] <= cauchy_model + MODEL_DECREASE * fmin(0.0, slope):
            return 0
        beta *= 0.5
    copy_raw(cauchy, step, n)
    model[0] = cauchy_model
    return 0


cdef int interior_jump(FactorableHessian hess, ReducedHessian reduced, const double* x,
                       const double* grad, const double* lower, const double* upper,
                       double radius, const double* center, double model, Py_ssize_t n,
                       BoundedWork work, double* step, double* product,
                       double* candidate_model) except -1:
    """The model's minimizer on the face `_interior.predict_active_set` predicts, into `step`; 1 when it beats `model`.

    The prediction runs over the box ∩ {‖s‖∞ ≤ radius} from `center`; the
    predicted bounds are then held and the model minimized over the other
    variables by one solve with H[F, F] (clamped into the box). The step is
    kept only when ‖s‖ ≤ 2·radius (the most the minor iterations take, a
    fixed multiple of the radius as the convergence theory allows) and it
    lowers the model below `model`, so it can only help the minor
    iterations that go on from it. On success `product` receives H·step
    and `candidate_model` q(step); otherwise only `step`, ``work.index``
    and `reduced` were overwritten, and it returns 0, or
    INTERIOR_TOO_LONG when the step was longer than 2·radius.
    """
    cdef Py_ssize_t i, k, count = 0
    cdef Py_ssize_t* index = &work.index[0]
    cdef signed char* active
    if work.interior is None:
        work.interior = InteriorWork(n)
        work.box_lower = np.empty(max(n, 1))
        work.box_upper = np.empty(max(n, 1))
        work.predicted = np.zeros(max(n, 1), dtype=np.int8)
    active = &work.predicted[0]
    for i in range(n):
        work.box_lower[i] = fmax(lower[i], x[i] - radius)
        work.box_upper[i] = fmin(upper[i], x[i] + radius)
    if not predict_active_set(hess, reduced, x, grad, &work.box_lower[0], &work.box_upper[0],
                              center, n, work.interior, active):
        return 0
    # s_A at the predicted bounds, s_F from H[F, F] s_F = −(g + H s_A)_F.
    for i in range(n):
        step[i] = 0.0
        if not work.box_lower[i] < work.box_upper[i]:
            continue
        if active[i] < 0:
            step[i] = work.box_lower[i] - x[i]
        elif active[i] > 0:
            step[i] = work.box_upper[i] - x[i]
        else:
            index[count] = i
            count += 1
    if count > 0:
        if hess.matvec(step, work.interior.product):
            return 0
        for k in range(count):
            i = index[k]
            work.reduced_step[k] = -(grad[i] + work.interior.product[i])
        reduced.gather_free(index, count)
        if reduced.factorize(0.0):
            return 0
        reduced.solve(&work.reduced_step[0])
        for k in range(count):
            i = index[k]
            step[i] = clamp(x[i] + work.reduced_step[k], lower[i], upper[i]) - x[i]
    if not norm2_raw(step, n) <= 2.0 * radius:
        return INTERIOR_TOO_LONG
    if (model_at(hess, grad, step, work.interior.product, n, candidate_model)
            or not candidate_model[0] < model):
        return 0
    copy_raw(work.interior.product, product, n)
    return 1


cdef bint region_inside_box(const double* x, const double* lower, const double* upper,
                            double radius, Py_ssize_t n) noexcept nogil:
    """Whether every point within `radius` of x lies strictly inside the box."""
    cdef Py_ssize_t i
    for i in range(n):
        if not (x[i] - radius > lower[i] and x[i] + radius < upper[i]):
            return False
    return True


cdef int record_subproblem(const StepReport* report, BoundedStepStats* stats) noexcept nogil:
    """Add a subproblem solve's counts and events to `stats`; 0, or the Status that ends the run."""
    stats.factorizations += report.factorizations
    if report.status != SUBPROBLEM_OK:
        return (LINALG_ERROR if report.status == SUBPROBLEM_FACTORIZATION_FAILED
                else NONFINITE)
    stats.hard_cases += report.hard_case
    stats.shift = report.hess_shift
    if report.hessian_modified:
        stats.modified += 1
        stats.max_shift = fmax(stats.max_shift, report.hess_shift)
    stats.events |= ((EVENT_HARD_CASE if report.hard_case else 0)
                     | (EVENT_MODIFIED if report.hessian_modified else 0)
                     | (EVENT_NEGATIVE_CURVATURE if report.negative_curvature else 0))
    return 0


cdef int bounded_step(SymmetricMatrix hess, TrustRegionSubproblem subproblem,
                      ReducedHessian reduced, MaskedProducts masked, const double* x,
                      const double* grad, const double* lower, const double* upper,
                      double radius, Py_ssize_t n, BoundedWork work,
                      BoundedStepStats* stats) except -1:
    """One step of the projected trust-region method into ``work.step``; 0, or the Status that ends the run.

    The generalized Cauchy point (`cauchy_point`), then minor iterations
    (Lin & Moré 1999, §4): the subproblem on the variables free at the
    current point, then a projected search on the model (`subspace_search`);
    again from where it ended while that changes the free set, now also
    freeing bounds the model's gradient points away from. `reduced` (a
    factoring subproblem: Moré–Sorensen, dogleg) or `masked` (products
    only) restricts H to the free set. Where no point of the trust region
    reaches a bound (`region_inside_box`, factoring subproblems), the
    unconstrained subproblem's solution is the step (`stats.unconstrained`).
    `stats` receives the model value q(s) < 0 (or not, when no step helps),
    the events and the subproblem's counts. The batched solver runs it on
    each problem's block.
    """
    cdef Py_ssize_t i, k, count, previous_count = -1
    cdef double free_radius2
    cdef double* held
    # The step so far, and the buffer the next projected search writes: the
    # two arrays swap roles each minor iteration instead of being copied.
    cdef double* step = &work.cauchy[0]
    cdef double* trial = &work.step[0]
    cdef double* product = &work.product[0]
    cdef double* model_grad = &work.model_grad[0]
    cdef double* center = &work.center[0]
    cdef double* direction = &work.direction[0]
    cdef double* scale = &work.scale[0]
    cdef Py_ssize_t* index = &work.index[0]
    cdef double cauchy_model, base_model, model, step_norm2
    cdef Py_ssize_t minor, next_interior = INTERIOR_AFTER
    cdef int jump, failed
    cdef bint changed
    cdef StepReport report
    memset(stats, 0, sizeof(BoundedStepStats))     # no events, counts or step yet
    if masked is None and region_inside_box(x, lower, upper, radius, n):
        # No step of the trust region reaches a bound, so the bounded
        # subproblem is the unconstrained one: its solution is the step, and
        # no Cauchy point or minor iteration is needed (n = 3 fits: most
        # iterations, a third of the batch's own time).
        copy_raw(grad, &work.reduced_grad[0], n)
        subproblem.solve(hess, work.reduced_grad[:n], radius, work.step[:n], &report)
        failed = record_subproblem(&report, stats)
        if failed:
            return failed
        stats.model = -report.model_decrease
        stats.unconstrained = True
        stats.hits_boundary = report.hits_boundary
        return 0
    diagonal_scaling(hess, scale, n)
    for i in range(n):
        scale[i] = grad[i] / scale[i]
    if cauchy_point(hess, x, grad, scale, lower, upper, radius, n, step, product,
                    &cauchy_model, center):
        return NONFINITE
    # The model's gradient at the Cauchy point.
    for i in range(n):
        model_grad[i] = grad[i] + product[i]
    model = cauchy_model
    # Each minor iteration lowers the model or ends the loop, so the free
    # sets never repeat: with factorizations, as in TRON, at most n + 1 of
    # them (the interior-point prediction keeps contact problems from
    # needing many). Products only, each is a whole CG or Lanczos solve and
    # nothing predicts the face: at most PRODUCT_MINOR_ITERATIONS.
    for minor in range(n + 1 if masked is None else PRODUCT_MINOR_ITERATIONS):
        count = free_for_model(center, model_grad, lower, upper, index, n, &changed)
        if count == 0 or (minor > 0 and not changed and count == previous_count):
            break
        previous_count = count
        # The subproblem is the trust region's, centred at x, on this face:
        # the held variables keep their step s_A, and the free ones solve
        # min q(s_A + s_F) over ‖s_F‖ ≤ √(Δ² − ‖s_A‖²), whose gradient
        # is (g + H s_A)_F. The direction leads from the current step there,
        # so with projections (non-expansive about x) the step stays within Δ.
        held = scale           # free after the Cauchy point
        for i in range(n):
            held[i] = step[i]
        for k in range(count):
            held[index[k]] = 0.0
        free_radius2 = radius * radius - dot_raw(held, held, n)
        if not free_radius2 > 0.0:
            break
        if hess.matvec(held, product):
            return NONFINITE
        if masked is None:
            reduced.gather_free(index, count)
            for k in range(count):
                work.reduced_grad[k] = grad[index[k]] + product[index[k]]
            subproblem.solve(reduced, work.reduced_grad[:count], sqrt(free_radius2),
                             work.reduced_step[:count], &report)
            scatter(&work.reduced_step[0], index, count, direction, n)
        else:
            masked.mark_free(index, count)
            for i in range(n):
                work.reduced_grad[i] = 0.0
            for k in range(count):
                work.reduced_grad[index[k]] = grad[index[k]] + product[index[k]]
            subproblem.solve(masked, work.reduced_grad[:n], sqrt(free_radius2),
                             work.direction[:n], &report)
        for k in range(count):
            direction[index[k]] -= step[index[k]]
        failed = record_subproblem(&report, stats)
        if failed:
            return failed
        base_model = model
        if subspace_search(hess, grad, model_grad, step, base_model, center, direction,
                           lower, upper, n, trial, product, &model):
            return NONFINITE
        step, trial = trial, step
        if not model < base_model:
            break
        if minor + 1 == next_interior and masked is None:
            # Still freeing bounds after several minor iterations: go on from
            # the face the interior-point iterates predict (see `_interior`).
            jump = interior_jump(<FactorableHessian>hess, reduced, x, grad, lower, upper, radius,
                                 center, model, n, work, trial, product, &model)
            if jump == INTERIOR_TOO_LONG:
                # That face lies beyond the trust region: end the step here
                # rather than free its bounds one solve at a time; the radius
                # grows if the model holds, and the next step reaches it.
                break
            if jump:
                step, trial = trial, step
        if minor + 1 == next_interior:
            next_interior *= 2
        step_norm2 = 0.0
        for i in range(n):
            step_norm2 += step[i] * step[i]
            model_grad[i] = grad[i] + product[i]
            center[i] = clamp(x[i] + step[i], lower[i], upper[i])
        if step_norm2 >= 4.0 * radius * radius:
            break
    if step != &work.step[0]:
        copy_raw(step, &work.step[0], n)
    stats.model = model
    return 0


def projected_trust_region(Objective objective, object x0, SymmetricMatrix hess,
                           TrustRegionSubproblem subproblem, const double[::1] lower,
                           const double[::1] upper, object initial_radius, double max_radius,
                           bint relative_max_radius, double eta, double gtol, bint inf_norm,
                           Py_ssize_t maxiter, object reporter, bint factoring):
    """Minimize over the box from `x0` (feasible, float64; the driver may overwrite it).

    With `factoring` (a subproblem that factorizes: Moré–Sorensen, dogleg),
    `hess` is a `FactorableHessian` and the subproblem works on the gathered
    H[F, F]; otherwise (Steihaug, GLTR: products only, whatever the storage)
    `MaskedProducts` restricts the products to the free variables.
    The radius policy is `_trust_region.trust_region`'s, with the projected
    gradient P(x0 − g) − x0 in place of −g for the Cauchy length of the
    first radius. Returns a dict like `_trust_region.trust_region`'s, whose
    `gradient_norm2` is the 2-norm of the projected gradient.
    """
    cdef Py_ssize_t n = objective.n, nit = 0, n_rejected = 0, n_hard_case = 0
    cdef Py_ssize_t n_factorizations = 0, n_modified = 0, i
    cdef BoundedWork work = BoundedWork(n)
    cdef ReducedHessian reduced = ReducedHessian(hess) if factoring else None
    cdef MaskedProducts masked = None if factoring else MaskedProducts(hess)
    x_array = x0
    trial_array, grad_array, grad_trial_array = (work.trial_array, work.grad_array,
                                                 work.grad_trial_array)
    cdef double[::1] x = x_array, x_trial = trial_array, grad = grad_array
    cdef double[::1] grad_trial = grad_trial_array
    cdef double* step = &work.step[0]
    cdef double f, f_trial, rho, pgnorm, model, step_norm, radius, max_shift = 0.0
    cdef int failed
    cdef BoundedStepStats stats
    cdef Status status
    cdef int events, ended

    f = evaluate_start(objective, x_array, grad, hess)
    if initial_radius is None:
        # The Cauchy length along the projected gradient d = P(x0 − g) − x0.
        projected_step(&x[0], &grad[0], -1.0, &lower[0], &upper[0], &work.direction[0], n)
        if hess.matvec(&work.direction[0], &work.product[0]):
            work.product[:] = 0.0
        radius = first_radius(norm2_raw(&work.direction[0], n),
                              dot_raw(&work.direction[0], &work.product[0], n), max_radius,
                              relative_max_radius, &x[0], n)
    else:
        radius = initial_radius
    pgnorm = projected_gradient_norm(&x[0], &grad[0], &lower[0], &upper[0], n, inf_norm)
    while True:
        if pgnorm <= gtol:
            status = SUCCESS
            break
        if nit >= maxiter:
            status = MAXITER
            break
        failed = bounded_step(hess, subproblem, reduced, masked, &x[0], &grad[0], &lower[0],
                              &upper[0], radius, n, work, &stats)
        if failed:
            status = <Status>failed
            break
        model = stats.model
        events = stats.events
        n_factorizations += stats.factorizations
        n_hard_case += stats.hard_cases
        n_modified += stats.modified
        max_shift = fmax(max_shift, stats.max_shift)
        if not model < 0.0:
            status = NO_PROGRESS
            break
        # The trial point, clamped again: x + (P(…) − x) may round outside.
        for i in range(n):
            x_trial[i] = clamp(x[i] + step[i], lower[i], upper[i])
        step_norm = norm2_raw(step, n)
        evaluate_trial(objective, trial_array, grad_trial, f, -model, eta, &f_trial, &rho,
                       &events)
        if step_norm >= 0.99 * radius or stats.hits_boundary:
            events |= EVENT_BOUNDARY
        # A rejected step shrinks the radius below the step actually taken,
        # which bounds may have kept much shorter than the radius; a step of
        # the unconstrained subproblem is treated as the unconstrained
        # driver treats it, except that SR1's refusal is quartered too (this
        # driver does not update B from refused trials).
        radius = (0.25 * fmin(radius, step_norm) if rho < 0.25 and not stats.unconstrained
                  else next_radius(rho, radius, events & EVENT_BOUNDARY,
                                   radius_cap(max_radius, relative_max_radius, &x[0], n),
                                   False))     # B learns from accepted steps only here
        if rho > eta:
            x_array, trial_array = trial_array, x_array
            x, x_trial = x_trial, x
            grad_array, grad_trial_array = grad_trial_array, grad_array
            grad, grad_trial = grad_trial, grad
            f = f_trial
            pgnorm = projected_gradient_norm(&x[0], &grad[0], &lower[0], &upper[0], n, inf_norm)
            events |= EVENT_ACCEPTED
        else:
            n_rejected += 1
        nit += 1
        ended = iteration_end(hess, objective, x_array, x, grad, reporter, nit, f, pgnorm,
                              radius, events, stats.shift)
        if ended != GOES_ON:
            status = <Status>ended
            break
    return dict(x=x_array, fun=f, jac=grad_array, nit=nit, status=int(status),
                trust_radius=radius, n_rejected=n_rejected, n_hard_case=n_hard_case,
                n_hess_modified=n_modified, hess_shift_max=max_shift, n_factorizations=n_factorizations,
                gradient_norm2=projected_gradient_norm(&x[0], &grad[0], &lower[0], &upper[0],
                                                       n, False))


cdef inline void clear_direction(NewtonDirection* out) noexcept nogil:
    """No direction yet: every field of `out` zero."""
    memset(out, 0, sizeof(NewtonDirection))


cdef int newton_direction(FactorableHessian hess, ReducedHessian reduced, const double* x,
                          const double* grad, const double* lower, const double* upper,
                          Py_ssize_t n, double radius, BoundedWork work,
                          NewtonDirection* out) except -1:
    """The projected Newton direction at x into ``work.direction``; 1 when H[F, F] could not be factored.

    The variables that may move (`_box.not_binding`) take the unconstrained
    method's direction on their own (`_newton_step.newton_step` on H[F, F]
    and g_F): d_F = −(H[F, F] + τI)⁻¹ g_F, τ from the modified Cholesky
    factorization, replaced by the Moré–Sorensen step of radius
    1.75·max(1, ‖x‖) when it is longer (the step bound that keeps the
    unconstrained method out of asymptotic valleys), or of `radius` when that
    is shorter (`next_newton_radius`, which the drivers keep from the lengths
    their searches took), and with the shift
    refined where it far exceeds the negative curvature it cures. The held
    ones take d_i = −g_i / D_ii (D = |diag H|,
    `diagonal_scaling`), which the projection then stops at their bound.
    ``work.free`` marks the moving ones; `out` receives g_Fᵀd_F, ‖d_F‖, τ,
    the step bound (which also caps the search's doublings) and the
    factorizations. The batched solver runs it on
    each problem's block.
    """
    cdef Py_ssize_t i, k, count
    cdef double* direction = &work.direction[0]
    cdef double* reduced_step = &work.reduced_step[0]
    cdef double* scale = &work.scale[0]
    cdef unsigned char* free = &work.free[0]
    cdef Py_ssize_t* index = &work.index[0]
    cdef LineSearch search
    cdef double x_norm = norm2_raw(x, n)
    clear_direction(out)
    diagonal_scaling(hess, scale, n)
    count = not_binding(x, grad, lower, upper, index, n)
    if count > 0:
        reduced.gather_free(index, count)
        gather(grad, index, count, &work.reduced_grad[0])
        # Only the direction is used; the search it starts is left alone.
        if reduced.newton_step(&work.reduced_grad[0], 0.0, False, 1e-4, 0.9, x_norm, radius,
                               reduced_step, &work.step_work, &search, &out.shift,
                               &out.factorizations) == NEWTON_FACTOR_FAILED:
            return 1
    out.step_bound = newton_step_bound(x_norm, radius)
    for i in range(n):
        free[i] = 0
    for k in range(count):
        free[index[k]] = 1
    k = 0
    for i in range(n):
        if free[i]:
            direction[i] = reduced_step[k]
            out.free_slope += grad[i] * direction[i]
            out.free_length += direction[i] * direction[i]
            k += 1
        else:
            direction[i] = -grad[i] / scale[i]
    out.free_length = sqrt(out.free_length)
    return 0


cdef double radius_after_search(const ProjectedSearch* search, double radius) noexcept nogil:
    """The bound on the next Newton step (`next_newton_radius`) after `search` took its step.

    Only a Newton direction counts: a face jump's step, or a search on
    curvature, leaves the bound as it is.
    """
    if search.stationary or search.direction.face_jump:
        return radius
    return next_newton_radius(radius, False, search.alpha, search.direction.free_length)


cdef void reset_face_jump(FaceJump* jump) noexcept nogil:
    """No streak yet; the prediction is first asked after INTERIOR_AFTER iterations."""
    jump.streak = 0
    jump.next = INTERIOR_AFTER
    jump.changes = 0


cdef bint jump_due(const FaceJump* jump) noexcept nogil:
    """Whether this iteration asks the interior-point prediction (`face_jump_direction`)."""
    return jump.streak >= jump.next


cdef void after_newton_iteration(FaceJump* jump, Py_ssize_t changes) noexcept nogil:
    """Count an iteration whose step reached or left `changes` bounds.

    The streak counts a steady release: some bounds changed, and at least
    half as many as in the iteration before. Where the changes shrink
    faster, the active set is settling and Newton's method gets there by
    itself (the 2-D obstacle: 9881, 795, 760, 395, 87, 33, 16, 2), and a
    prediction would only cost its factorizations; one bound per contact
    edge per iteration (the 1-D obstacle: 8, 8, 8, ...) is the signature of
    the slow release it cures. A prediction asked doubles the wait for the
    next, as in the minor iterations of `bounded_step`, so one that did not
    help costs O(log) of them; the end of a streak restores the first wait.
    """
    cdef bint steady = changes > 0 and 2 * changes >= jump.changes
    cdef Py_ssize_t wait = 2 * jump.next if jump_due(jump) else jump.next
    if steady:
        jump.streak += 1
        jump.next = wait
    else:
        reset_face_jump(jump)
    jump.changes = changes


cdef Py_ssize_t bounds_changed(const double* before, const double* after, const double* lower,
                               const double* upper, Py_ssize_t n) noexcept nogil:
    """How many variables reached or left a bound between `before` and `after`."""
    cdef Py_ssize_t i, count = 0
    for i in range(n):
        if (((before[i] <= lower[i]) != (after[i] <= lower[i]))
                or ((before[i] >= upper[i]) != (after[i] >= upper[i]))):
            count += 1
    return count


cdef int face_jump_direction(FactorableHessian hess, ReducedHessian reduced, const double* x,
                             const double* grad, const double* lower, const double* upper,
                             Py_ssize_t n, BoundedWork work, NewtonDirection* out) except -1:
    """Replace ``work.direction`` by the step to the predicted face when the model says so; 1 when replaced.

    Projected Newton frees or fixes about one bound per contact edge per
    iteration: where −g pushes a variable against its bound it is held, and
    it is let go only once its neighbour has moved (the 1-D obstacle: 3,246
    iterations at n = 10⁵, about n/30). After a streak of iterations that
    each reached or left bounds at a steady count (`jump_due`,
    `after_newton_iteration`), the interior-point
    prediction of the model's active set (`interior_jump`, over the box
    within the step bound of x) gives a step to the model's minimizer on
    the predicted face. It replaces the direction (all variables free, so
    the search is Armijo's along it; x + αs stays in the box for α ≤ 1)
    when its model value is below that of the projected Newton step
    P(x + d) − x and it descends; the search and its extensions then run
    as for any direction. ``work.step``, ``work.product``, ``work.center``
    and the reduced storage are overwritten.
    """
    cdef Py_ssize_t i
    cdef double newton_model, jump_model, slope = 0.0, length = 0.0
    cdef double* candidate = &work.cauchy[0]
    for i in range(n):
        work.step[i] = clamp(x[i] + work.direction[i], lower[i], upper[i]) - x[i]
        work.center[i] = x[i]
    if model_at(hess, grad, &work.step[0], &work.product[0], n, &newton_model):
        return 0
    if interior_jump(hess, reduced, x, grad, lower, upper, out.step_bound, &work.center[0],
                     newton_model, n, work, candidate, &work.product[0], &jump_model) != 1:
        return 0
    for i in range(n):
        slope += grad[i] * candidate[i]
        length += candidate[i] * candidate[i]
    if not slope < 0.0:
        return 0
    for i in range(n):
        work.direction[i] = candidate[i]
        work.free[i] = 1
    out.free_slope = slope
    out.free_length = sqrt(length)
    out.face_jump = True
    return 1


cdef int escape_direction(FactorableHessian hess, ReducedHessian reduced, const double* x,
                          const double* grad, const double* lower, const double* upper,
                          double gtol, Py_ssize_t n, BoundedWork work,
                          NewtonDirection* out) except -1:
    """At a first-order point, a feasible unit direction of negative curvature into ``work.direction``; 1 when found.

    The variables that may move are those inside their bounds and those on
    a bound with a multiplier |g_i| ≤ gtol (a degenerate bound: the
    first-order test cannot tell which way they want to go). On that set,
    `_newton_step.newton_step` at a stationary point finds the direction of
    most negative curvature (inverse iteration on the modified factor);
    its sign is chosen so that more of it points into the box at the bounds,
    the components still pointing out are dropped, and what remains is kept
    if its curvature is still below −tol. Second-order conditions at a
    degenerate bound are a copositivity question, hard in general; this
    finds the escapes that one eigenvector shows, as at an exponential fit's
    corner a = b = 0 (where ∂f/∂a = ∂f/∂b = 0 and the curvature along
    (a, b) ≥ 0 is negative). `out` receives the slope gᵀd (all variables
    are marked free) and the curvature dᵀHd.
    """
    cdef Py_ssize_t i, count = 0
    cdef Py_ssize_t* index = &work.index[0]
    cdef double* direction = &work.direction[0]
    cdef double inward = 0.0, outward = 0.0, sign = 1.0, length, curvature
    cdef bint clipped = False
    cdef LineSearch search
    cdef NewtonStep outcome
    clear_direction(out)
    for i in range(n):
        if lower[i] < upper[i] and (lower[i] < x[i] < upper[i] or fabs(grad[i]) <= gtol):
            index[count] = i
            count += 1
    if count == 0:
        return 0
    reduced.gather_free(index, count)
    gather(grad, index, count, &work.reduced_grad[0])
    outcome = reduced.newton_step(&work.reduced_grad[0], 0.0, True, 1e-4, 0.9, 0.0, INFINITY,
                                  &work.reduced_step[0], &work.step_work, &search, &out.shift,
                                  &out.factorizations)
    if outcome != NEWTON_SEARCH:
        return 0
    scatter(&work.reduced_step[0], index, count, direction, n)
    for i in range(n):
        if x[i] <= lower[i]:
            inward += fmax(direction[i], 0.0)
            outward += fmax(-direction[i], 0.0)
        elif x[i] >= upper[i]:
            inward += fmax(-direction[i], 0.0)
            outward += fmax(direction[i], 0.0)
    if outward > inward:
        sign = -1.0
    for i in range(n):
        direction[i] *= sign
        if (x[i] <= lower[i] and direction[i] < 0.0) or (x[i] >= upper[i] and direction[i] > 0.0):
            direction[i] = 0.0
            clipped = True
    curvature = search.slope0
    if clipped:
        length = norm2_raw(direction, n)
        if not length > 0.0:
            return 0
        for i in range(n):
            direction[i] /= length
        if hess.matvec(direction, &work.product[0]):
            return 0
        curvature = dot_raw(direction, &work.product[0], n)
        if not curvature < -hess.curvature_tolerance():
            return 0
    for i in range(n):
        work.free[i] = 1
    out.free_slope = dot_raw(grad, direction, n)
    out.curvature = curvature
    return 1


cdef double projected_trial(const double* x, const double* grad, const double* direction,
                            const unsigned char* free, double free_slope, double curvature,
                            double alpha, const double* lower, const double* upper,
                            Py_ssize_t n, double* trial, bint* moved) noexcept nogil:
    """trial = P(x + αd); returns the decrease the search asks of f there.

    That is Bertsekas' −α g_Fᵀd_F + Σ_held g_i (x_i − trial_i), and along a
    unit direction of negative curvature (`escape_direction`; all variables
    free) also −½α²·dᵀHd, as Moré & Sorensen's (1979) curvature test.
    `moved` says whether `trial` held another point before (a batch then
    knows f there already).
    """
    cdef Py_ssize_t i
    cdef double value, required = -alpha * free_slope - 0.5 * alpha * alpha * curvature
    moved[0] = False
    for i in range(n):
        value = clamp(x[i] + alpha * direction[i], lower[i], upper[i])
        moved[0] = moved[0] or value != trial[i]
        trial[i] = value
        if not free[i]:
            required += grad[i] * (x[i] - value)
    return required


cdef double path_slope(const double* x, const double* grad, const double* direction,
                       const unsigned char* free, const double* lower, const double* upper,
                       Py_ssize_t n) noexcept nogil:
    """The slope of the path α ↦ P(x + αd) as it leaves x: Σ g_i d_i over the free i the box lets move."""
    cdef Py_ssize_t i
    cdef double slope = 0.0
    for i in range(n):
        if free[i] and ((direction[i] > 0.0 and x[i] < upper[i])
                        or (direction[i] < 0.0 and x[i] > lower[i])):
            slope += grad[i] * direction[i]
    return slope


cdef bint worth_extending(const double* x, const double* grad, const double* direction,
                          const unsigned char* free, const NewtonDirection* newton,
                          double alpha, double c2, const double* lower, const double* upper,
                          Py_ssize_t n) noexcept nogil:
    """After a step of length α along d, whether to try twice that length.

    A step taken at α = 1 may fall far short: where H[F, F] was shifted
    (τ > 0), d is short along the directions of small or negative curvature,
    and an Armijo search that only backtracks then crawls (exponential
    fits in boxes: 100–600 iterations where the unconstrained method takes
    13). As the strong Wolfe search of the unconstrained method would, the
    step is doubled while the path still descends steeply at the new point
    (slope < c2·g_Fᵀd_F) and the doubled length stays within the step
    bound of `newton_direction`. Each doubling x⁺ = P(x + αd) (which is
    P(x₀ + 2αd), since a box projection is monotone along d) is kept if
    f(x) − f(x⁺) ≥ c1·α·|g_Fᵀd_F|, its own share of the sufficient decrease.
    """
    return (path_slope(x, grad, direction, free, lower, upper, n) < c2 * newton.free_slope
            and 2.0 * alpha * newton.free_length <= newton.step_bound)


cdef void begin_projected_search(ProjectedSearch* search, bint stationary) noexcept nogil:
    """Start the search along ``search.direction`` (already set) from α = 1."""
    search.alpha = 1.0
    search.required = 0.0
    search.halvings = 0
    search.extensions = 0
    search.stationary = stationary
    search.saw_nonfinite = False


cdef void next_projected_trial(ProjectedSearch* search, const double* x, const double* grad,
                               const double* direction, const unsigned char* free,
                               const double* lower, const double* upper, Py_ssize_t n,
                               double* trial, bint* moved) noexcept nogil:
    """trial = P(x + αd) from the point x the search stands at, and the decrease it asks there.

    A doubling starts from the point just taken with the same α, so its
    trial is P(x₀ + 2αd) and it asks for its own share of the decrease.
    """
    search.required = projected_trial(x, grad, direction, free, search.direction.free_slope,
                                      search.direction.curvature, search.alpha, lower, upper,
                                      n, trial, moved)


cdef bint sufficient_decrease(const ProjectedSearch* search, double f,
                              double f_trial, double c1) noexcept nogil:
    """Whether f at the trial point passes the search's test (and is finite)."""
    return isfinite(f_trial) and f - f_trial >= c1 * search.required


cdef bint rounding_trial(const ProjectedSearch* search, double f, double f_trial) noexcept nogil:
    """Whether a trial that failed the test lies within rounding of f, so that its slope decides (`flat_at`).

    Near a minimizer the decrease asked can sink below the rounding error
    of f (a large constant in f, or a sum of 10⁶ terms: the 1-D obstacle at
    n = 10⁶ stopped at a projected gradient of 4.9e-6). Where f at the
    trial point is within 1e-12·|f| of f, the unconstrained line search
    lets the slope there decide (the approximate Wolfe conditions of Hager
    & Zhang 2005), and so does this one; only for a first trial or a
    halving, not a doubling (which keeps the step taken) or a search on
    curvature.
    """
    return (search.extensions == 0 and not search.stationary and isfinite(f_trial)
            and f_trial <= f + 1e-12 * fabs(f))


cdef bint flat_at(const ProjectedSearch* search, const double* x, const double* grad,
                  const double* direction, const unsigned char* free, double c2,
                  const double* lower, const double* upper, Py_ssize_t n) noexcept nogil:
    """At a `rounding_trial` point x (∇f there `grad`): the path's slope is at most c2 times its first, in size."""
    return (fabs(path_slope(x, grad, direction, free, lower, upper, n))
            <= -c2 * search.direction.free_slope)


cdef SearchOutcome trial_refused(ProjectedSearch* search, bint nonfinite) noexcept nogil:
    """The trial point failed the test (`nonfinite`: f or ∇f there was not finite).

    A failed doubling keeps the step already taken; otherwise α halves, and
    the search fails where the step has rounded away or 60 halvings did
    not help.
    """
    if search.extensions > 0:
        return SEARCH_TOOK_STEP
    if nonfinite:
        search.saw_nonfinite = True
    search.halvings += 1
    if not search.required > 0.0 or search.halvings >= MAX_HALVINGS:
        return SEARCH_FAILED
    search.alpha *= 0.5
    return SEARCH_GOES_ON


cdef SearchOutcome trial_taken(ProjectedSearch* search, const double* x, const double* grad,
                               const double* direction, const unsigned char* free, double c2,
                               const double* lower, const double* upper,
                               Py_ssize_t n) noexcept nogil:
    """The trial point passed and is now x (with ∇f there): end, or double (`worth_extending`).

    Only a Newton step taken at α = 1 is doubled, at most MAX_EXTENSIONS times.
    """
    if search.extensions > 0:
        search.alpha *= 2.0      # the step taken is twice as long as the last one
    if (search.halvings == 0 and not search.stationary
            and search.extensions < MAX_EXTENSIONS
            and worth_extending(x, grad, direction, free, &search.direction, search.alpha, c2,
                                lower, upper, n)):
        search.extensions += 1
        return SEARCH_GOES_ON
    return SEARCH_TOOK_STEP


cdef Status failed_status(const ProjectedSearch* search) noexcept nogil:
    """How a failed search ends the run: at a saddle it could not leave, at non-finite values, or with no progress."""
    return (SADDLE if search.stationary else NONFINITE if search.saw_nonfinite
            else NO_PROGRESS)


def projected_newton(Objective objective, object x0, FactorableHessian hess,
                     const double[::1] lower, const double[::1] upper, double gtol,
                     bint inf_norm, Py_ssize_t maxiter, double c1, double c2,
                     bint escape_saddles, object reporter):
    """Minimize over the box from `x0` by projected Newton (Bertsekas 1982).

    Each iteration takes `newton_direction` and backtracks x(α) = P(x + αd)
    from α = 1 until Bertsekas' sufficient decrease
    f(x) − f(x(α)) ≥ c1·(−α g_Fᵀd_F + Σ_held g_i (x_i − x_i(α))) holds
    (`projected_trial`) and ∇f there is finite (or f there is within
    rounding of f and the path is flat there: `rounding_trial`, `flat_at`);
    a step taken at α = 1 is then doubled while `worth_extending` says so. Where the projected gradient
    passes the test, with `escape_saddles`, a feasible direction of negative
    curvature (`escape_direction`) is searched the same way on the
    curvature test instead, and the run ends with status SADDLE when no step
    along it lowers f. After a streak of iterations releasing or fixing
    bounds at a steady count (`FaceJump`), the direction may be the step to
    the predicted face instead (`face_jump_direction`). Returns a dict like
    `_newton.newton`'s.
    """
    cdef Py_ssize_t n = objective.n, nit = 0, n_modified = 0, total_factorizations = 0
    cdef int failed, found
    cdef BoundedWork work = BoundedWork(n)
    cdef ReducedHessian reduced = ReducedHessian(hess)
    x_array = x0
    trial_array, grad_array, grad_trial_array = (work.trial_array, work.grad_array,
                                                 work.grad_trial_array)
    cdef double[::1] x = x_array, x_trial = trial_array, grad = grad_array
    cdef double[::1] grad_trial = grad_trial_array
    cdef double f, f_trial = 0.0, pgnorm, radius = INFINITY
    cdef double max_shift = 0.0
    cdef bint moved, stationary, passed, rounding, valued, finite_gradient
    cdef ProjectedSearch search
    cdef SearchOutcome outcome
    cdef Status status
    cdef int events
    cdef FaceJump jump
    cdef Py_ssize_t changes

    reset_face_jump(&jump)
    f = evaluate_start(objective, x_array, grad, hess)
    pgnorm = projected_gradient_norm(&x[0], &grad[0], &lower[0], &upper[0], n, inf_norm)
    while True:
        stationary = pgnorm <= gtol
        if stationary:
            if not escape_saddles:
                status = SUCCESS
                break
            found = escape_direction(hess, reduced, &x[0], &grad[0], &lower[0], &upper[0],
                                     gtol, n, work, &search.direction)
            total_factorizations += search.direction.factorizations
            if not found:
                status = SUCCESS
                break
        if nit >= maxiter:
            status = MAXITER
            break
        if not stationary:
            failed = newton_direction(hess, reduced, &x[0], &grad[0], &lower[0], &upper[0], n,
                                      radius, work, &search.direction)
            total_factorizations += search.direction.factorizations
            if failed:
                status = LINALG_ERROR
                break
            if jump_due(&jump):
                face_jump_direction(hess, reduced, &x[0], &grad[0], &lower[0], &upper[0], n,
                                    work, &search.direction)
        begin_projected_search(&search, stationary)
        changes = 0
        while True:
            next_projected_trial(&search, &x[0], &grad[0], &work.direction[0], &work.free[0],
                                 &lower[0], &upper[0], n, &x_trial[0], &moved)
            objective.value(trial_array, &f_trial)
            passed = sufficient_decrease(&search, f, f_trial, c1)
            rounding = not passed and rounding_trial(&search, f, f_trial)
            valued = passed or rounding
            finite_gradient = valued and objective.gradient(trial_array, grad_trial) == 0
            if finite_gradient and (passed or flat_at(&search, &x_trial[0], &grad_trial[0],
                                                      &work.direction[0], &work.free[0], c2,
                                                      &lower[0], &upper[0], n)):
                changes += bounds_changed(&x[0], &x_trial[0], &lower[0], &upper[0], n)
                x_array, trial_array = trial_array, x_array
                x, x_trial = x_trial, x
                grad_array, grad_trial_array = grad_trial_array, grad_array
                grad, grad_trial = grad_trial, grad
                f = f_trial
                outcome = trial_taken(&search, &x[0], &grad[0], &work.direction[0],
                                      &work.free[0], c2, &lower[0], &upper[0], n)
            else:
                # Not finite: f there, or ∇f where f passed (or was at rounding level).
                outcome = trial_refused(&search, (valued and not finite_gradient)
                                        or not isfinite(f_trial))
            if outcome != SEARCH_GOES_ON:
                break
        if outcome == SEARCH_FAILED:
            status = failed_status(&search)
            break
        if not stationary:
            after_newton_iteration(&jump, changes)
            radius = radius_after_search(&search, radius)
        events = EVENT_ACCEPTED | (EVENT_MODIFIED if search.direction.shift > 0.0 else 0)
        events |= EVENT_NEGATIVE_CURVATURE if stationary else 0
        events |= EVENT_NONFINITE if search.saw_nonfinite else 0
        if search.direction.shift > 0.0:
            n_modified += 1
            max_shift = fmax(max_shift, search.direction.shift)
        pgnorm = projected_gradient_norm(&x[0], &grad[0], &lower[0], &upper[0], n, inf_norm)
        nit += 1
        if hess.assemble(objective, x_array, grad):
            status = NONFINITE
            break
        if reporter is not None and reporter(nit, x_array, f, pgnorm, search.alpha, events,
                                             search.direction.shift):
            status = CALLBACK_STOP
            break
    return dict(x=x_array, fun=f, jac=grad_array, nit=nit, status=int(status),
                n_hess_modified=n_modified, hess_shift_max=max_shift,
                n_factorizations=total_factorizations,
                gradient_norm2=projected_gradient_norm(&x[0], &grad[0], &lower[0], &upper[0],
                                                       n, False))
