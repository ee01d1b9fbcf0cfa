"""Chapter 4's checks (the expansion) pass the solutions and fail typical wrong answers, with a hint that does not
give the answer."""

import math

import numpy as np
import pytest

import torch

from gammanet.exercises import (
    check_bias_variance,
    check_correction_count,
    check_fluctuation_variance,
    check_gap_exponent,
    check_q_4_6,
    check_q_4_7,
    check_q_4_8,
    check_slope_estimator,
    feedback,
)
from gammanet.exercises.chapter4 import (
    BIAS_CASES,
    COUNT_CASES,
    GAP_CASES,
    bias_variance,
    correction_count,
    fluctuation_cases,
    hidden_sweep,
    seed_samples,
)

from exercise_helpers import assert_fails_with_hints


ALL_CHECKS = (
    check_fluctuation_variance,
    check_correction_count,
    check_slope_estimator,
    check_gap_exponent,
    check_bias_variance,
    check_q_4_6,
    check_q_4_7,
    check_q_4_8,
)


def test_not_attempted_is_reported_not_raised(capsys):
    def stub(*args):
        raise NotImplementedError

    for check in ALL_CHECKS:
        report = check(stub)
        assert not report.attempted and not report.passed
    assert capsys.readouterr().out.count("not attempted yet") == len(ALL_CHECKS)


# ------------------------------------------------------------------------------- fluctuation variance (4.1)
def fluctuation_solution(A, A_cross, Sigma, alpha, t):
    """The eigendecomposition route (Exercise 3.2's operator), then the covariance of a linear map."""
    lam, q = torch.linalg.eigh(A)
    lam = lam.clamp_min(0)
    rate = alpha * t / A.shape[0]
    factor = torch.where(
        lam * rate > 1e-12, -torch.expm1(-rate * lam) / torch.where(lam > 0, lam, 1.0), torch.full_like(lam, rate)
    )
    op = torch.cat([-A_cross @ q @ torch.diag(factor) @ q.T, torch.eye(A_cross.shape[0], dtype=A.dtype)], dim=1)
    return torch.diagonal(op @ Sigma @ op.T)


def test_fluctuation_check_passes_the_solution():
    assert check_fluctuation_variance(fluctuation_solution, verbose=False).passed
    as_list = lambda *a: fluctuation_solution(*a).numpy().tolist()  # noqa: E731  a list is fine too
    assert check_fluctuation_variance(as_list, verbose=False).passed


def test_the_fluctuation_references_agree_with_monte_carlo():
    # K_0 drawn from N(0, Σ) on training and evaluation points, carried by the linear flow: its sample variance
    # agrees with the check's reference within Monte-Carlo error (an independent route to the formula).
    label, A, A_cross, sigma, alpha, t, expected = fluctuation_cases()[0]
    m = A.shape[0]
    gen = torch.Generator().manual_seed(0)
    k0 = torch.randn(40_000, len(sigma), generator=gen, dtype=torch.float64) @ torch.linalg.cholesky(sigma).T
    decay = torch.linalg.matrix_exp(-alpha * t * A / m)
    kt = k0[:, m:] - (A_cross @ torch.linalg.solve(A, torch.eye(m, dtype=A.dtype) - decay) @ k0[:, :m].T).T
    assert torch.allclose(kt.var(0), expected, rtol=4 * (2 / 40_000) ** 0.5)


def test_the_fluctuation_cases_include_a_singular_kernel_and_the_library():
    assert any(torch.linalg.eigvalsh(A).min() < 1e-10 for _, A, *_ in fluctuation_cases())
    for label, A, A_cross, sigma, alpha, t, expected in fluctuation_cases():
        assert torch.allclose(fluctuation_solution(A, A_cross, sigma, alpha, t), expected, rtol=1e-7), label


def without_cross_terms(A, A_cross, Sigma, alpha, t):
    m = A.shape[0]
    b = A_cross @ torch.linalg.pinv(A) @ (torch.eye(m, dtype=A.dtype) - torch.linalg.matrix_exp(-alpha * t * A / m))
    return torch.diagonal(Sigma[m:, m:] + b @ Sigma[:m, :m] @ b.T)


def training_points_only(A, A_cross, Sigma, alpha, t):
    m = A.shape[0]
    decay = torch.linalg.matrix_exp(-alpha * t * A / m)
    return torch.diagonal(decay @ Sigma[:m, :m] @ decay)


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda A, Ac, S, a, t: torch.diagonal(S[A.shape[0] :, A.shape[0] :]), "t = 0"),
        (without_cross_terms, "correlated"),
        (lambda A, Ac, S, a, t: fluctuation_solution(A, Ac, S, a, t).sqrt(), "standard deviation"),
        (lambda A, Ac, S, a, t: fluctuation_solution(A * A.shape[0], Ac * A.shape[0], S, a, t), "1/M"),
        (lambda A, Ac, S, a, t: torch.diag(fluctuation_solution(A, Ac, S, a, t)), "diagonal"),
        (training_points_only, "training point"),
        (lambda A, Ac, S, a, t: 1.1 * fluctuation_solution(A, Ac, S, a, t), "linear map"),
        (lambda A, Ac, S, a, t: {"var": 1.0}, "a dict"),
    ],
)
def test_fluctuation_check_fails_typical_mistakes(wrong, words):
    assert_fails_with_hints(check_fluctuation_variance(wrong, verbose=False), words)


def test_the_linear_map_recipe_comes_only_on_a_second_failure():
    feedback.forget()
    wrong = lambda *a: 1.1 * fluctuation_solution(*a)  # noqa: E731
    assert not any("L Σ Lᵀ" in m for m in check_fluctuation_variance(wrong).failures())
    assert all("L Σ Lᵀ" in m for m in check_fluctuation_variance(wrong).failures())
    feedback.forget()


# ------------------------------------------------------------------------------------------ correction count
def count_solution(gamma, tol=1e-9):
    count, j = 0, 1
    while j * (1 - gamma) <= gamma - 0.5 + tol:
        count, j = count + 1, j + 1
    return count


def test_correction_count_passes_the_solution():
    assert check_correction_count(count_solution, verbose=False).passed
    # and the reference: breakpoints 1 - 1/(2ν) start the ν-th correction
    assert [correction_count(g) for g in COUNT_CASES[:6]] == [0, 0, 0, 1, 1, 2]
    assert correction_count(COUNT_CASES[-1]) == 15  # γ = 0.97: 0.47 / 0.03 = 15.7


def test_correction_count_catches_strict_inequality_and_float_equality():
    strict = check_correction_count(lambda g: count_solution(g, tol=-1e-9), verbose=False)
    assert_fails_with_hints(strict, "breakpoint")
    floats = check_correction_count(lambda g: count_solution(g, tol=0.0), verbose=False)  # 11/12, 19/20 fail
    assert_fails_with_hints(floats, "tolerance")
    assert any("11/12" in m for m in floats.failures()) and len(floats.failures()) == 2


@pytest.mark.parametrize(
    "wrong",
    [
        lambda g: count_solution(g) + 1,  # counts j = 0
        lambda g: math.floor((g - 0.5) / (1 - g) + 1e-9) + 1,  # ν instead of ν - 1
        lambda g: math.ceil((g - 0.5) / (1 - g)),  # rounds the wrong way between breakpoints
        lambda g: float(count_solution(g)) + 0.5,
    ],
)
def test_correction_count_fails_typical_mistakes(wrong):
    assert_fails_with_hints(check_correction_count(wrong, verbose=False))


# ------------------------------------------------------------------------------------------ slope estimator
def slope_solution(sweep, gamma, t):
    samples = sweep.samples(gamma, t).numpy()  # (S, W, P)
    variance = samples.var(0, ddof=1).mean(-1)  # (W,)
    return float(np.polyfit(np.log(sweep.widths), np.log(variance), 1)[0])


def test_slope_estimator_passes_the_solution():
    assert check_slope_estimator(slope_solution, verbose=False).passed

    # ddof = 0 multiplies every width's variance by the same factor: the slope does not change
    def ddof0(sweep, gamma, t):
        v = sweep.samples(gamma, t).numpy().var(0).mean(-1)
        return np.polyfit(np.log(sweep.widths), np.log(v), 1)[0]

    assert check_slope_estimator(ddof0, verbose=False).passed


def std_slope(sweep, gamma, t):
    return slope_solution(sweep, gamma, t) / 2


def pooled_slope(sweep, gamma, t):
    samples = sweep.samples(gamma, t).numpy().mean(-1)  # average over points first
    return float(np.polyfit(np.log(sweep.widths), np.log(samples.var(0, ddof=1)), 1)[0])


def log10_x(sweep, gamma, t):
    v = sweep.samples(gamma, t).numpy().var(0, ddof=1).mean(-1)
    return float(np.polyfit(np.log10(sweep.widths), np.log(v), 1)[0])


def theory_only(sweep, gamma, t):
    return 1 - 2 * gamma


@pytest.mark.parametrize(
    "wrong, words",
    [
        (std_slope, "standard deviation"),
        (lambda s, g, t: -slope_solution(s, g, t), "sign"),
        (pooled_slope, "first"),
        (log10_x, "same logarithm"),
        (theory_only, None),
    ],
)
def test_slope_estimator_fails_typical_mistakes(wrong, words):
    report = check_slope_estimator(wrong, verbose=False)
    assert_fails_with_hints(report, words)


def test_hidden_sweep_is_small_and_cached():
    assert hidden_sweep() is hidden_sweep()
    assert hidden_sweep().widths == [20, 40, 80, 160]


# ---------------------------------------------------------------------------------------------- gap exponent
def gap_solution(gamma, moments, hidden_bias):
    return -(1 - gamma) if (moments[2] != 0 and hidden_bias != 0) else -2 * (1 - gamma)


def test_gap_exponent_passes_the_solution():
    assert check_gap_exponent(gap_solution, verbose=False).passed
    # the hidden cases cover all four combinations of (skewed or not) × (bias or not)
    assert {(m[2] != 0, b != 0) for _, m, b in GAP_CASES} == {
        (False, False),
        (False, True),
        (True, False),
        (True, True),
    }


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda g, m, b: -(1 - g), "odd power of C"),  # the naive first correction everywhere
        (lambda g, m, b: -(1 - g) if m[2] != 0 else -2 * (1 - g), "w → -w"),  # forgets the parity in w
        (lambda g, m, b: -(1 - g) if b != 0 else -2 * (1 - g), "odd power of C"),  # forgets the readout's moments
        (lambda g, m, b: -2 * (1 - g), "does the first-order drift"),  # never lets Q¹ survive
        (lambda g, m, b: 2 * (1 - g), "negative"),
        (lambda g, m, b: 1 - 2 * g, "variance"),
        (lambda g, m, b: "slope", "one number"),
    ],
)
def test_gap_exponent_fails_typical_mistakes(wrong, words):
    report = check_gap_exponent(wrong, verbose=False)
    assert_fails_with_hints(report, words)
    for message in report.failures():  # never prints an exponent formula
        assert "(1-γ)" not in message.split("hint:")[1] and "2(1" not in message


# --------------------------------------------------------------------------------------- bias and variance (4.5)
def bias_variance_solution(samples, target):
    s2 = samples.var(0, ddof=1)
    return float(((samples.mean(0) - target) ** 2 - s2 / len(samples)).mean()), float(s2.mean())


def test_bias_variance_check_passes_the_solution():
    assert check_bias_variance(bias_variance_solution, verbose=False).passed
    as_array = lambda s, y: np.array(bias_variance_solution(s, y))  # noqa: E731
    assert check_bias_variance(as_array, verbose=False).passed


@pytest.mark.parametrize("label, n_seeds, n_points, bias, sd, seed", BIAS_CASES)
def test_the_two_parts_add_up_to_the_mean_squared_error_exactly(label, n_seeds, n_points, bias, sd, seed):
    samples, target = seed_samples(n_seeds, n_points, bias, sd, seed)
    assert np.isclose(sum(bias_variance(samples, target)), ((samples - target) ** 2).mean(), rtol=1e-12)


def test_the_estimates_are_unbiased_and_the_plug_in_squared_bias_is_not():
    # 20,000 replications of 4 seeds at 3 points with a known bias and variance
    rng = np.random.default_rng(0)
    truth_bias = np.array([0.05, -0.02, 0.1])
    sd = np.array([0.3, 0.2, 0.5])
    reps = truth_bias + sd * rng.standard_normal((20_000, 4, 3))
    estimates = np.array([bias_variance(r, np.zeros(3)) for r in reps])
    se = estimates.std(0) / len(estimates) ** 0.5
    assert np.all(np.abs(estimates.mean(0) - [np.mean(truth_bias**2), np.mean(sd**2)]) < 4 * se)
    plug_in_bias = np.array([(r.mean(0) ** 2).mean() for r in reps]).mean()
    assert plug_in_bias - np.mean(truth_bias**2) > 10 * se[0]


def plug_in(samples, target):
    return float(((samples.mean(0) - target) ** 2).mean()), float(samples.var(0).mean())


@pytest.mark.parametrize(
    "wrong, words",
    [
        (plug_in, "plug-in"),
        (lambda s, y: (plug_in(s, y)[0], float(s.var(0, ddof=1).mean())), "too large"),
        (lambda s, y: (bias_variance_solution(s, y)[0], float(s.var(0).mean())), "S − 1"),
        (lambda s, y: bias_variance_solution(s, y)[::-1], "swapped"),
        (
            lambda s, y: (
                float((s.mean(0) - y).mean()) ** 2 - float(s.var(0, ddof=1).mean()) / len(s),
                bias_variance_solution(s, y)[1],
            ),
            "before squaring",
        ),
        (lambda s, y: (bias_variance_solution(s, y)[0], float(s.var(1, ddof=1).mean())), "over the points"),
        (lambda s, y: {"bias": 0.0, "variance": 1.0}, "a dict"),
        (lambda s, y: bias_variance_solution(s, y)[1], "a float"),
    ],
)
def test_bias_variance_check_fails_typical_mistakes(wrong, words):
    assert_fails_with_hints(check_bias_variance(wrong, verbose=False), words)


# --------------------------------------------------------------------------------------------- questions 4.6–4.8
def test_questions_pass_their_answers():
    assert check_q_4_6(lambda: "b", verbose=False).passed
    assert check_q_4_7(lambda: "a", verbose=False).passed
    assert check_q_4_8(lambda: "b", verbose=False).passed


@pytest.mark.parametrize(
    "check, answer, words",
    [
        (check_q_4_6, "a", "depends on γ"),
        (check_q_4_6, "d", "variance"),
        (check_q_4_7, "c", "deterministic"),
        (check_q_4_7, "b", "same law"),
        (check_q_4_8, "a", "proof"),
        (check_q_4_8, "x", "return one letter"),
    ],
)
def test_questions_fail_wrong_answers_with_a_hint(check, answer, words):
    report = check(lambda: answer, verbose=False)
    assert_fails_with_hints(report, words)
    assert len(report.lines) == 1
