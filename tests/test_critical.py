"""Tests of fastnewton.classify_critical_point and CriticalPoint.

Every expected inertia comes from an independent source: numpy's eigvalsh of
the dense matrix, the eigenvalues chosen in Q·diag(λ)·Qᵀ, or closed forms
(tridiagonal Toeplitz and path-Laplacian spectra).
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fastnewton
from fastnewton import CriticalPoint, classify_critical_point
from fastnewton.problems import band_to_dense

SQRT_EPS = np.sqrt(np.finfo(float).eps)


def random_orthogonal(n, rng):
    """A Haar-distributed orthogonal matrix (QR of a Gaussian matrix, signs fixed)."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def with_spectrum(eigenvalues, rng):
    """Q·diag(λ)·Qᵀ, symmetrized exactly."""
    eigenvalues = np.asarray(eigenvalues, dtype=float)
    q = random_orthogonal(eigenvalues.size, rng)
    h = (q * eigenvalues) @ q.T
    return 0.5 * (h + h.T)


def counts(eigenvalues, tol):
    """(n_positive, n_negative, n_zero) of eigenvalues against tol."""
    eigenvalues = np.asarray(eigenvalues)
    return (int(np.count_nonzero(eigenvalues > tol)), int(np.count_nonzero(eigenvalues < -tol)),
            int(np.count_nonzero(np.abs(eigenvalues) <= tol)))


def kind_of(inertia):
    positive, negative, zero = inertia
    if positive and negative:
        return "saddle"
    if zero:
        return "degenerate"
    return "maximum" if negative else "minimum"


def default_tol(h):
    """The documented default: √ε·‖H‖∞."""
    return SQRT_EPS * np.abs(h).sum(axis=1).max()


def dense_from_band(band):
    """Band storage → dense, written independently of fastnewton.problems.band_to_dense."""
    rows, n = band.shape
    h = np.zeros((n, n))
    for k in range(rows):
        for j in range(n - k):
            h[j + k, j] = h[j, j + k] = band[k, j]
    return h


def random_band(n, b, rng, shift=0.0):
    band = rng.standard_normal((b + 1, n))
    band[0] += shift
    for k in range(1, b + 1):
        band[k, max(n - k, 0):] = 0.0
    return band


# ---------------------------------------------------------------------------
# Dense matrices with a chosen spectrum
# ---------------------------------------------------------------------------

SPECTRA = {
    "minimum": [3.0, 1.0, 0.25, 7.0, 2.0],
    "maximum": [-3.0, -1.0, -0.25, -7.0, -2.0],
    "saddle": [3.0, -1.0, 0.25, -7.0, 2.0],
    "degenerate-psd": [3.0, 0.0, 0.25, 7.0, 0.0],
    "degenerate-nsd": [-3.0, 0.0, -0.25, -7.0, -2.0],
    "saddle-with-zeros": [3.0, 0.0, -0.25, 0.0, 2.0],
}
EXPECTED_KIND = {
    "minimum": "minimum", "maximum": "maximum", "saddle": "saddle",
    "degenerate-psd": "degenerate", "degenerate-nsd": "degenerate",
    "saddle-with-zeros": "saddle",
}


@pytest.mark.parametrize("name", list(SPECTRA))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kind_from_constructed_spectrum(name, seed):
    rng = np.random.default_rng(seed)
    eigenvalues = np.array(SPECTRA[name])
    h = with_spectrum(eigenvalues, rng)
    point = classify_critical_point(h)
    assert isinstance(point, CriticalPoint)
    assert point.kind == EXPECTED_KIND[name]
    # Exact zeros in λ come out of Q·diag(λ)·Qᵀ as O(ε‖H‖), far inside the tolerance.
    assert point.inertia == counts(eigenvalues, 1e-6)
    assert point.n_positive + point.n_negative + point.n_zero == eigenvalues.size
    assert point.min_eigenvalue == pytest.approx(eigenvalues.min(), abs=1e-12 * 7)
    assert point.max_eigenvalue == pytest.approx(eigenvalues.max(), abs=1e-12 * 7)
    assert point.tol == pytest.approx(default_tol(h), rel=1e-12)
    assert point.method == "eigenvalues"
    assert np.isnan(point.gradient_norm)
    assert point.is_positive_definite == (name == "minimum")


def test_input_is_not_modified():
    rng = np.random.default_rng(12)
    h = with_spectrum([1.0, -2.0, 3.0], rng)
    band = random_band(6, 2, rng)
    h_copy, band_copy = h.copy(), band.copy()
    classify_critical_point(h)
    classify_critical_point(band, bandwidth=2)
    np.testing.assert_array_equal(h, h_copy)
    np.testing.assert_array_equal(band, band_copy)


def test_lesson_quick_check():
    point = classify_critical_point(np.diag([5.0, -2.0]))
    assert point.kind == "saddle"
    assert point.inertia == (1, 1, 0)
    assert (point.min_eigenvalue, point.max_eigenvalue) == (-2.0, 5.0)
    assert point.tol == pytest.approx(5.0 * SQRT_EPS, rel=1e-15)
    assert "saddle" in repr(point)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 20, 64, 90])
@pytest.mark.parametrize("seed", [0, 1])
def test_inertia_and_extremes_match_eigvalsh(n, seed):
    rng = np.random.default_rng(100 * n + seed)
    a = rng.standard_normal((n, n))
    h = a + a.T
    reference = np.linalg.eigvalsh(h)
    point = classify_critical_point(h)
    assert point.inertia == counts(reference, point.tol)
    assert point.kind == kind_of(point.inertia)
    scale = np.abs(reference).max()
    assert abs(point.min_eigenvalue - reference[0]) <= 1e-12 * scale
    assert abs(point.max_eigenvalue - reference[-1]) <= 1e-12 * scale


def test_classification_reads_whole_matrix_not_only_lower_triangle():
    # Symmetric input, but the upper triangle is what numpy sees in eigvalsh(UPLO='U').
    rng = np.random.default_rng(3)
    h = with_spectrum([4.0, -1.0, 2.0, -3.0], rng)
    reference = np.linalg.eigvalsh(h, UPLO="U")
    point = classify_critical_point(h)
    assert point.inertia == (2, 2, 0)
    assert point.min_eigenvalue == pytest.approx(reference[0], abs=1e-12)


# ---------------------------------------------------------------------------
# The tolerance boundary
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("tol", [1e-3, 1e-6, 1e-9])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_tolerance_boundary_dense(tol, sign):
    rng = np.random.default_rng(7)
    below = with_spectrum([3.0, 1.0, sign * 0.5 * tol], rng)
    above = with_spectrum([3.0, 1.0, sign * 2.0 * tol], rng)
    point = classify_critical_point(below, tol=tol)
    assert point.tol == tol
    assert point.inertia == (2, 0, 1) and point.kind == "degenerate"
    point = classify_critical_point(above, tol=tol)
    if sign > 0:
        assert point.inertia == (3, 0, 0) and point.kind == "minimum"
    else:
        assert point.inertia == (2, 1, 0) and point.kind == "saddle"
    assert point.min_eigenvalue == pytest.approx(min(1.0, sign * 2.0 * tol), rel=1e-6)


def test_explicit_tol_changes_classification():
    h = np.diag([1.0, 1e-4, -1e-5])
    assert classify_critical_point(h).kind == "saddle"
    assert classify_critical_point(h, tol=1e-3).inertia == (1, 0, 2)
    assert classify_critical_point(h, tol=5e-5).inertia == (2, 0, 1)
    assert classify_critical_point(h, tol=0.0).inertia == (2, 1, 0)
    # tol = 0: only exact zeros count as zero.
    assert classify_critical_point(np.diag([1.0, 0.0]), tol=0.0).inertia == (1, 0, 1)


def test_default_tol_scales_with_norm():
    # The same shape of spectrum at scale 1e6 and 1e-6 classifies the same.
    for scale in (1e-6, 1.0, 1e6):
        h = scale * np.diag([2.0, -1.0, 1e-12])
        point = classify_critical_point(h)
        assert point.inertia == (1, 1, 1)
        assert point.tol == pytest.approx(SQRT_EPS * 2.0 * scale, rel=1e-14)


def test_zero_matrix_is_degenerate():
    point = classify_critical_point(np.zeros((4, 4)))
    assert point.inertia == (0, 0, 4) and point.kind == "degenerate"
    assert point.min_eigenvalue == 0.0 == point.max_eigenvalue


# ---------------------------------------------------------------------------
# Banded matrices
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("b", [0, 1, 2, 5, 12])
@pytest.mark.parametrize("shift", [0.0, 6.0, -6.0, 12.0])
def test_band_inertia_matches_dense(b, shift):
    rng = np.random.default_rng(11 * b + int(shift) + 100)
    checked = 0
    for n in range(1, 41):
        band = random_band(n, b, rng, shift)
        h = dense_from_band(band)
        np.testing.assert_array_equal(h, band_to_dense(band))
        reference = np.linalg.eigvalsh(h)
        point = classify_critical_point(band, bandwidth=b)
        assert point.method == "sylvester"
        assert point.tol == pytest.approx(default_tol(h), rel=1e-12)
        if np.any(np.abs(np.abs(reference) - point.tol) < 1e-6 * point.tol):
            continue
        assert point.inertia == counts(reference, point.tol), (n, b, shift)
        assert point.kind == kind_of(point.inertia)
        scale = np.abs(reference).max()
        assert abs(point.min_eigenvalue - reference[0]) <= 1e-8 * scale, (n, b)
        assert abs(point.max_eigenvalue - reference[-1]) <= 1e-8 * scale, (n, b)
        # The dense route agrees with the band route.
        assert classify_critical_point(h).inertia == point.inertia
        checked += 1
    assert checked >= 38


def test_band_definite_families():
    rng = np.random.default_rng(4)
    for b in (1, 2, 5):
        for n in (3, 17, 40):
            a = random_band(n, b, rng)
            h = dense_from_band(a)
            spd = h @ h.T + 0.5 * np.eye(n)     # bandwidth 2b, positive definite
            nd = -spd
            for matrix, kind in ((spd, "minimum"), (nd, "maximum")):
                band = np.zeros((2 * b + 1, n))
                for k in range(2 * b + 1):
                    band[k, :max(n - k, 0)] = np.diagonal(matrix, -k)
                point = classify_critical_point(band, bandwidth=2 * b)
                assert point.kind == kind
                reference = np.linalg.eigvalsh(matrix)
                scale = np.abs(reference).max()
                assert abs(point.min_eigenvalue - reference[0]) <= 1e-8 * scale
                assert abs(point.max_eigenvalue - reference[-1]) <= 1e-8 * scale


@pytest.mark.parametrize("n", [5, 50, 400])
def test_band_tridiagonal_toeplitz_closed_form(n):
    # tridiag(c, a, c) has eigenvalues a + 2c·cos(kπ/(n+1)), k = 1..n.
    c = -1.0
    k = np.arange(1, n + 1)
    exact = np.sort(2.0 * c * np.cos(k * np.pi / (n + 1)))
    tol = 1e-6
    # Put the 3rd smallest eigenvalue at +0.5·tol (then at +2·tol) by shifting a.
    for offset, expect_zero in ((0.5 * tol, 1), (2.0 * tol, 0)):
        a = -exact[2] + offset
        band = np.array([np.full(n, a), np.r_[np.full(n - 1, c), 0.0]])
        eigenvalues = exact + a
        point = classify_critical_point(band, bandwidth=1, tol=tol)
        assert point.n_zero == expect_zero
        assert point.n_negative == 2
        assert point.n_positive == n - 2 - expect_zero
        assert point.min_eigenvalue == pytest.approx(eigenvalues[0], abs=1e-9 * 4)
        assert point.max_eigenvalue == pytest.approx(eigenvalues[-1], abs=1e-9 * 4)


@pytest.mark.parametrize("n", [12, 1000, 100_000])
def test_band_chained_double_well_origin_closed_form(n):
    # At x = 0 the Hessian is −I + L (path Laplacian): eigenvalues 1 − 2cos(kπ/n).
    from fastnewton.problems import chained_double_well
    p = chained_double_well(n)
    band = p.hess_band(np.zeros(n))
    k = np.arange(n)
    exact = 1.0 - 2.0 * np.cos(k * np.pi / n)
    point = classify_critical_point(band, bandwidth=1)
    assert point.tol == pytest.approx(3.0 * SQRT_EPS, rel=1e-12)
    # k = n/3 gives exactly 0 when 3 | n (n = 12): a zero eigenvalue, still a saddle.
    assert point.inertia == counts(exact, point.tol)
    assert point.n_zero == (1 if n % 3 == 0 else 0)
    assert point.kind == "saddle"
    assert point.min_eigenvalue == pytest.approx(-1.0, abs=1e-8)
    assert point.max_eigenvalue == pytest.approx(exact.max(), abs=1e-8 * 3)


def test_band_explicit_tol_boundary():
    rng = np.random.default_rng(9)
    for b in (0, 1, 2, 5):
        n = 12
        # Orthogonal similarity destroys the band, so use a diagonal-plus-band
        # matrix whose smallest eigenvalue is shifted onto the boundary.
        band = random_band(n, b, rng, shift=0.0)
        h = dense_from_band(band)
        reference = np.linalg.eigvalsh(h)
        tol = 1e-5
        # Shift so that the middle eigenvalue sits at 0.5·tol, then at 2·tol.
        target = reference[n // 2]
        for offset, zero in ((0.5 * tol, 1), (2.0 * tol, 0)):
            shifted = band.copy()
            shifted[0] += offset - target
            expected = counts(reference + offset - target, tol)
            assert expected[2] == zero
            point = classify_critical_point(shifted, bandwidth=b, tol=tol)
            assert point.inertia == expected
            assert classify_critical_point(dense_from_band(shifted), tol=tol).inertia == expected


def test_band_entries_outside_matrix_are_ignored():
    band = np.array([[2.0, -1.0, 3.0], [1.0, 0.5, 99.0]])   # band[1, 2] is outside
    reference = np.linalg.eigvalsh(dense_from_band(np.array([[2.0, -1.0, 3.0],
                                                             [1.0, 0.5, 0.0]])))
    point = classify_critical_point(band, bandwidth=1)
    assert point.inertia == counts(reference, point.tol)
    assert point.min_eigenvalue == pytest.approx(reference[0], abs=1e-9)


# ---------------------------------------------------------------------------
# A function and a point
# ---------------------------------------------------------------------------

FUNCTIONS = {
    # name: (f, grad, hess, kind at the origin, Hessian at the origin)
    "saddle": (lambda x: x[0] ** 2 - x[1] ** 2,
               lambda x: np.array([2 * x[0], -2 * x[1]]),
               lambda x: np.diag([2.0, -2.0]), "saddle"),
    "maximum": (lambda x: -x[0] ** 2 - x[1] ** 2,
                lambda x: np.array([-2 * x[0], -2 * x[1]]),
                lambda x: np.diag([-2.0, -2.0]), "maximum"),
    "minimum": (lambda x: x[0] ** 2 + x[1] ** 2,
                lambda x: np.array([2 * x[0], 2 * x[1]]),
                lambda x: np.diag([2.0, 2.0]), "minimum"),
    "degenerate": (lambda x: x[0] ** 2 + x[1] ** 4,
                   lambda x: np.array([2 * x[0], 4 * x[1] ** 3]),
                   lambda x: np.diag([2.0, 12 * x[1] ** 2]), "degenerate"),
}


@pytest.mark.parametrize("name", list(FUNCTIONS))
@pytest.mark.parametrize("given", ["jac+hess", "jac", "neither"])
def test_callable_input_at_origin(name, given):
    f, grad, hess, kind = FUNCTIONS[name]
    x = np.zeros(2)
    kwargs = {"jac+hess": dict(jac=grad, hess=hess), "jac": dict(jac=grad),
              "neither": {}}[given]
    point = classify_critical_point(f, x, **kwargs)
    assert point.kind == kind
    reference = np.linalg.eigvalsh(hess(x))
    atol = {"jac+hess": 1e-14, "jac": 1e-6, "neither": 1e-4}[given]
    assert point.min_eigenvalue == pytest.approx(reference[0], abs=atol)
    assert point.max_eigenvalue == pytest.approx(reference[-1], abs=atol)
    # Without jac the gradient comes from central differences of f, exact
    # for these even polynomials at the origin.
    assert point.gradient_norm == 0.0
    assert point.is_critical and point.gtol == 1e-5


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_callable_gradient_norm_away_from_origin(name):
    f, grad, hess, _ = FUNCTIONS[name]
    x = np.array([0.3, -0.2])
    point = classify_critical_point(f, x, jac=grad, hess=hess)
    assert point.gradient_norm == pytest.approx(np.linalg.norm(grad(x)), rel=1e-15)
    assert point.inertia == counts(np.linalg.eigvalsh(hess(x)), point.tol)
    # x is not modified, and a list works as well as an array.
    assert classify_critical_point(f, [0.3, -0.2], jac=grad).inertia == point.inertia


def test_callable_with_args():
    def f(x, a, b):
        return a * x[0] ** 2 + b * x[1] ** 2

    def grad(x, a, b):
        return np.array([2 * a * x[0], 2 * b * x[1]])

    def hess(x, a, b):
        return np.diag([2.0 * a, 2.0 * b])

    for a, b, kind in ((1.0, -3.0, "saddle"), (-1.0, -3.0, "maximum"), (2.0, 0.5, "minimum")):
        for kwargs in (dict(jac=grad, hess=hess), dict(jac=grad), {}):
            point = classify_critical_point(f, np.zeros(2), args=(a, b), **kwargs)
            assert point.kind == kind
            assert point.min_eigenvalue == pytest.approx(2 * min(a, b), abs=1e-4)
            # Away from the origin the gradient is not small: not a critical
            # point, whatever the Hessian's signs, which are still reported.
            x = np.array([0.5, 0.25])
            point = classify_critical_point(f, x, args=(a, b), **kwargs)
            assert point.kind == "not critical" and not point.is_critical
            assert point.inertia == counts(np.array([2 * a, 2 * b]), point.tol)
            assert point.gradient_norm == pytest.approx(np.hypot(2 * a * 0.5, 2 * b * 0.25),
                                                        rel=1e-15 if kwargs else 1e-8)


@pytest.mark.parametrize("given", ["jac+hess", "jac", "neither"])
def test_callable_banded(given):
    from fastnewton.problems import chained_double_well
    n = 20
    p = chained_double_well(n)
    rng = np.random.default_rng(0)
    x = 0.4 * rng.standard_normal(n)
    kwargs = {"jac+hess": dict(jac=p.jac, hess=p.hess_band), "jac": dict(jac=p.jac),
              "neither": {}}[given]
    point = classify_critical_point(p.fun, x, bandwidth=1, **kwargs)
    assert point.method == "sylvester"
    reference = np.linalg.eigvalsh(band_to_dense(p.hess_band(x)))
    assert point.inertia == counts(reference, point.tol)
    atol = {"jac+hess": 1e-9, "jac": 1e-6, "neither": 1e-4}[given]
    assert point.min_eigenvalue == pytest.approx(reference[0], abs=atol)
    assert point.max_eigenvalue == pytest.approx(reference[-1], abs=atol)
    if given != "neither":
        assert point.gradient_norm == pytest.approx(np.linalg.norm(p.jac(x)), rel=1e-15)


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------

def _f(x):
    return x[0] ** 2


@pytest.mark.parametrize("call, error", [
    (lambda: classify_critical_point(np.ones((2, 3))), ValueError),
    (lambda: classify_critical_point(np.ones(3)), ValueError),
    (lambda: classify_critical_point(np.ones((2, 2, 2))), ValueError),
    (lambda: classify_critical_point(np.zeros((0, 0))), ValueError),
    (lambda: classify_critical_point(np.array([[1.0, 2.0], [0.0, 1.0]])), ValueError),
    (lambda: classify_critical_point(np.array([[1.0, np.nan], [np.nan, 1.0]])), ValueError),
    (lambda: classify_critical_point(np.array([[np.inf, 0.0], [0.0, 1.0]])), ValueError),
    (lambda: classify_critical_point(np.ones((3, 4)), bandwidth=1), ValueError),
    (lambda: classify_critical_point(np.ones((2, 0)), bandwidth=1), ValueError),
    (lambda: classify_critical_point(np.array([[1.0, np.nan, 1.0], [0.0, 0.0, 0.0]]),
                                     bandwidth=1), ValueError),
    (lambda: classify_critical_point(np.ones((1, 3)), bandwidth=-1), ValueError),
    (lambda: classify_critical_point(np.ones((2, 3)), bandwidth=1.5), TypeError),
    (lambda: classify_critical_point(np.eye(2), tol=-1e-3), ValueError),
    (lambda: classify_critical_point(np.eye(2), tol=np.nan), ValueError),
    (lambda: classify_critical_point(_f), ValueError),
    (lambda: classify_critical_point(_f, [np.nan, 0.0]), ValueError),
    (lambda: classify_critical_point(_f, [0.0, 0.0], hess=np.eye(2)), TypeError),
    (lambda: classify_critical_point(object()), TypeError),
])
def test_bad_input_raises(call, error):
    with pytest.raises(error):
        call()


def test_nan_hessian_error_names_nonfinite():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="non-finite"):
            classify_critical_point(np.array([[1.0, np.nan], [np.nan, 1.0]]))


def test_complex_hessian_rejected():
    with pytest.raises(TypeError):
        classify_critical_point(np.diag([1.0 + 0j, -1.0 + 0j]) * 1j)


def test_callable_hess_shape_must_match_x():
    with pytest.raises(ValueError):
        classify_critical_point(_f, [0.0, 0.0], hess=lambda x: -np.eye(3))


# ---------------------------------------------------------------------------
# Property: inertia is a partition of n and agrees with eigvalsh
# ---------------------------------------------------------------------------

@st.composite
def symmetric_matrices(draw):
    n = draw(st.integers(1, 8))
    style = draw(st.sampled_from(["entries", "spectrum"]))
    if style == "entries":
        values = draw(st.lists(st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
                               min_size=n * n, max_size=n * n))
        a = np.array(values).reshape(n, n)
        return 0.5 * (a + a.T)
    eigenvalues = np.array(draw(st.lists(
        st.one_of(st.just(0.0), st.floats(-100.0, 100.0, allow_nan=False)),
        min_size=n, max_size=n)))
    seed = draw(st.integers(0, 2 ** 32 - 1))
    return with_spectrum(eigenvalues, np.random.default_rng(seed))


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(symmetric_matrices(), st.sampled_from([None, 1e-8, 1e-3, 1.0]))
def test_property_inertia_partition_matches_eigvalsh(h, tol):
    point = classify_critical_point(h, tol=tol)
    n = h.shape[0]
    assert point.n_positive + point.n_negative + point.n_zero == n
    if tol is None:
        assert point.tol == pytest.approx(max(default_tol(h), np.finfo(float).tiny), rel=1e-12)
    else:
        assert point.tol == tol
    reference = np.linalg.eigvalsh(h)
    if np.any(np.abs(np.abs(reference) - point.tol) <= 1e-6 * point.tol):
        return   # too close to the boundary for either side to be authoritative
    assert point.inertia == counts(reference, point.tol)
    assert point.kind == kind_of(point.inertia)
    scale = max(np.abs(reference).max(), 1e-300)
    assert abs(point.min_eigenvalue - reference[0]) <= 1e-12 * scale + 1e-300
    assert abs(point.max_eigenvalue - reference[-1]) <= 1e-12 * scale + 1e-300


def test_critical_point_constructor_kind_rules():
    # The public class classifies from the counts exactly as documented.
    assert CriticalPoint(2, 0, 0, 1.0, 2.0, 1e-8, "x").kind == "minimum"
    assert CriticalPoint(0, 2, 0, -2.0, -1.0, 1e-8, "x").kind == "maximum"
    assert CriticalPoint(1, 1, 0, -1.0, 1.0, 1e-8, "x").kind == "saddle"
    assert CriticalPoint(1, 1, 3, -1.0, 1.0, 1e-8, "x").kind == "saddle"
    assert CriticalPoint(1, 0, 1, 0.0, 1.0, 1e-8, "x").kind == "degenerate"
    assert CriticalPoint(0, 1, 1, -1.0, 0.0, 1e-8, "x").kind == "degenerate"
    assert fastnewton.CriticalPoint is CriticalPoint


def symmetric_stack(seed, m, n):
    """(random factors, stack): m random symmetric n × n matrices, the first 100
    positive definite, the next 100 singular (last row and column zero), the rest indefinite."""
    a = np.random.default_rng(seed).standard_normal((m, n, n))
    stack = a + a.transpose(0, 2, 1)
    stack[:100] = np.einsum("kij,klj->kil", a[:100], a[:100]) + 0.1 * np.eye(n)
    stack[100:200, :, -1] = stack[100:200, -1, :] = 0.0
    return a, stack


def test_stack_certificates_match_one_at_a_time_and_eigvalsh():
    # certify_stack, which classifies minimize_batch's Hessians, against
    # classify_critical_point one matrix at a time and against numpy's
    # eigenvalues: definite, singular, indefinite, negative definite, a
    # non-C-contiguous stack, and one non-finite matrix (no certificate).
    from fastnewton._curvature import certify_stack
    a, stack = symmetric_stack(11, 400, 4)
    n = 4
    stack[200:220] = -np.einsum("kij,klj->kil", a[200:220], a[200:220]) - np.eye(n)
    stack[399, 0, 0] = np.nan
    strided = np.asfortranarray(stack.transpose(1, 2, 0)).transpose(2, 0, 1)
    for given in (stack, strided):
        kinds, inertia = certify_stack(given)
        assert kinds[399] is None and tuple(inertia[399]) == (-1, -1, -1)
        for i in range(399):
            point = classify_critical_point(stack[i])
            assert kinds[i] == point.kind and tuple(inertia[i]) == point.inertia, i
            eigenvalues = np.linalg.eigvalsh(stack[i])
            tol = point.tol
            assert tuple(inertia[i]) == (np.sum(eigenvalues > tol), np.sum(eigenvalues < -tol),
                                         np.sum(np.abs(eigenvalues) <= tol)), i
    assert {"minimum", "degenerate", "saddle", "maximum"} <= set(kinds[:399])


def test_stack_certificates_on_the_free_variables_match_eigvalsh():
    # minimize_batch's bounded certificates classify H[F, F] as H with the
    # rows and columns of the variables at a bound replaced by the
    # identity's (`active`; `_kkt_stack` then takes one positive eigenvalue
    # off per active variable); against numpy's eigenvalues of those
    # matrices, built explicitly. The entries of active rows are never
    # read: a NaN there changes nothing.
    from fastnewton._curvature import certify_stack
    m, n = 300, 4
    _, stack = symmetric_stack(12, m, n)
    active = np.random.default_rng(13).uniform(size=(m, n)) < 0.3
    active[:20] = False
    active[20:30] = True
    stack[30, :, 0] = stack[30, 0, :] = np.nan
    active[30] = [True, False, False, False]
    kinds, inertia = certify_stack(stack, None, active)
    for i in range(m):
        masked = np.where(active[i][:, None] | active[i][None, :], np.eye(n), stack[i])
        eigenvalues = np.linalg.eigvalsh(masked)
        tol = np.sqrt(np.finfo(float).eps) * np.abs(masked).sum(axis=1).max()
        counts = (np.sum(eigenvalues > tol), np.sum(eigenvalues < -tol),
                  np.sum(np.abs(eigenvalues) <= tol))
        assert tuple(inertia[i]) == counts, i
        assert kinds[i] == classify_critical_point(masked).kind, i
    assert {"minimum", "degenerate", "saddle"} <= set(kinds)
    with pytest.raises(ValueError, match=r"active must have shape \(300, 4\)"):
        certify_stack(stack, None, active[:, :3])


def test_kkt_kinds_of_a_batch_match_kkt_kind_one_at_a_time():
    # minimize_batch's bounded certificates name each row's kind with the
    # vectorized kkt_kinds; it must say what KKTPoint's kkt_kind says for
    # every combination of projected gradient, complementarity and inertia.
    import itertools
    from fastnewton._kkt import kkt_kind, kkt_kinds
    gtol = 1e-6
    rows = list(itertools.product([0.0, 5e-7, 2e-6], [True, False],
                                  [(3, 0, 0), (2, 1, 0), (2, 0, 1), (1, 1, 1), (0, 0, 0), (0, 3, 0)]))
    projected = np.array([r[0] for r in rows])
    strict = np.array([r[1] for r in rows])
    inertia = np.array([r[2] for r in rows])
    kinds = kkt_kinds(projected, gtol, strict, inertia)
    expected = [kkt_kind(p, gtol, s, tuple(i), sum(i) == 0) for p, s, i in rows]
    assert kinds.tolist() == expected
    assert set(expected) == {"not critical", "saddle", "degenerate", "minimum"}
