"""Chapter 2's checks pass the solutions and fail the typical wrong answers, with hints that do not give the answer."""

import math

import numpy as np
import pytest
import torch

from gammanet.exercises import check_effective_time, check_q_2_4, check_q_2_5, check_q_2_6, check_stable_alpha, feedback
from gammanet.exercises.chapter2 import ARRAY_CASE, alpha_cases, stable_alpha

from exercise_helpers import assert_fails_with_hints


@pytest.fixture(autouse=True)
def fresh_session():
    feedback.forget()
    yield
    feedback.forget()


# ------------------------------------------------------------------------------------------------ exercise 2.1
def largest_stable_alpha(kernel, width, gamma):
    return 2 * width * kernel.shape[0] / np.linalg.eigvalsh(kernel).max()


def test_stable_alpha_check_passes_the_solution():
    assert check_stable_alpha(largest_stable_alpha, verbose=False).passed
    as_torch = lambda A, n, g: 2 * n * A.shape[0] / torch.linalg.eigvalsh(torch.as_tensor(A)).max()  # noqa: E731
    assert check_stable_alpha(as_torch, verbose=False).passed


@pytest.mark.parametrize("label, kernel, width, gamma", alpha_cases())
def test_the_stable_alpha_is_where_the_linearized_residual_stops_shrinking(label, kernel, width, gamma):
    # Iterate the linearized full-batch step r ← (I − α A_N / (N M)) r: just below α_c the residual contracts,
    # just above it grows (the top eigen-direction overshoots) — independently of the formula in the check.
    m = kernel.shape[0]
    r0 = np.random.default_rng(0).standard_normal(m)
    for factor, shrinks in ((0.98, True), (1.02, False)):
        alpha = factor * stable_alpha(kernel, width)
        step = np.eye(m) - alpha * kernel / (width * m)
        r = np.linalg.matrix_power(step, 2000) @ r0
        assert bool(np.linalg.norm(r) < np.linalg.norm(r0)) is shrinks, (label, factor)


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda A, n, g: n * A.shape[0] / np.linalg.eigvalsh(A).max(), "still shrinks"),
        (lambda A, n, g: 2 * n * A.shape[0] / np.linalg.eigvalsh(A)[0], None),  # the smallest λ
        (lambda A, n, g: 2 * n / np.linalg.eigvalsh(A).max(), "points M"),
        (lambda A, n, g: 2 * n * A.shape[0] / np.trace(A), "eigenvalue"),
        (lambda A, n, g: 2 * n ** (2 - 2 * g) * A.shape[0] / np.linalg.eigvalsh(A).max(), None),  # keeps N^{1-2γ}
        (lambda A, n, g: 2 * A.shape[0] / np.linalg.eigvalsh(A).max(), "exponent of N"),  # forgets N
        (lambda A, n, g: [largest_stable_alpha(A, n, g)], "one number"),
    ],
)
def test_stable_alpha_check_fails_typical_mistakes(wrong, words):
    assert_fails_with_hints(check_stable_alpha(wrong, verbose=False), words)


def test_the_smallest_eigenvalue_is_named_where_it_is_not_zero():
    report = check_stable_alpha(lambda A, n, g: 2 * n * A.shape[0] / np.linalg.eigvalsh(A)[0], verbose=False)
    assert sum("smallest eigenvalue" in m for m in report.failures()) >= 3


def test_keeping_the_factor_of_gamma_is_told_by_its_power_of_N():
    report = check_stable_alpha(
        lambda A, n, g: 2 * n ** (2 - 2 * g) * A.shape[0] / np.linalg.eigvalsh(A).max(), verbose=False
    )
    assert report.lines[3][0]  # γ = 1: N^{2-2γ} = 1 is right there by accident
    assert any("exponent of N" in m for m in report.failures())


# ------------------------------------------------------------------------------------------------ exercise 2.3
def effective_time(step, learning_rate, width, gamma, alpha):
    return step * learning_rate * width ** (1 - 2 * gamma) / alpha


def test_clock_check_passes_the_solution():
    assert check_effective_time(effective_time, verbose=False).passed
    with_numpy = lambda k, e, n, g, a: k * e * np.power(np.asarray(n, dtype=float), 1 - 2 * g) / a  # noqa: E731
    assert check_effective_time(with_numpy, verbose=False).passed


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda k, eta, n, g, a: k / n, "ignores the rate"),
        (lambda k, eta, n, g, a: k * eta * n ** (1 - 2 * g), "factor α"),
        (lambda k, eta, n, g, a: k * eta * n ** (2 * g - 1) / a, "exponent of N"),  # wrong sign
        (lambda k, eta, n, g, a: k * eta * n ** (2 - 2 * g) / a, "exponent of N"),  # off by one
        (lambda k, eta, n, g, a: k * eta / a, "exponent of N"),  # forgets the width
    ],
)
def test_clock_check_fails_typical_mistakes_and_says_nothing_wrong_about_elementwise_arithmetic(wrong, words):
    report = check_effective_time(wrong, verbose=False)
    assert_fails_with_hints(report, words)
    assert report.lines[-1] == (
        True,
        "arrays of steps, rates, widths and γ's (as in the next cell): works elementwise",
    )  # a wrong formula is still elementwise


def test_a_clock_written_with_math_pow_fails_the_array_case_the_chapter_needs():
    # the chapter's next cell passes arrays for the width and γ too: math.pow raises there
    def scalar_only(k, eta, n, g, a):
        return k * eta * math.pow(n, 1 - 2 * g) / a

    report = check_effective_time(scalar_only, verbose=False)
    assert all(ok for ok, _ in report.lines[:-1]) and not report.passed
    assert "TypeError" in report.failures()[0] or "raised" in report.failures()[0]
    with pytest.raises(TypeError):  # what the chapter's cell would do with it
        scalar_only(*ARRAY_CASE)


def test_a_clock_that_mixes_the_elements_is_told_so():
    # e.g. dividing by the number of runs: right for one number, wrong for a table of runs
    report = check_effective_time(lambda k, e, n, g, a: effective_time(k, e, n, g, a) / np.size(k), verbose=False)
    assert all(ok for ok, _ in report.lines[:-1])
    assert "differs from your own function" in report.failures()[-1]


def test_not_attempted(capsys):
    def stub(*args):
        raise NotImplementedError

    for check in (check_stable_alpha, check_effective_time, check_q_2_4, check_q_2_5, check_q_2_6):
        report = check(stub)
        assert not report.attempted and not report.passed
    assert capsys.readouterr().out.count("not attempted yet") == 5


# --------------------------------------------------------------------------------------------- questions 2.4–2.6
def test_questions_pass_their_answers():
    assert check_q_2_4(lambda: 500, verbose=False).passed
    assert check_q_2_5(lambda: "b", verbose=False).passed
    assert check_q_2_6(lambda: 4.0, verbose=False).passed


@pytest.mark.parametrize(
    "check, answer, words",
    [
        (check_q_2_4, 3000, "first layer"),
        (check_q_2_4, 50, "one unit of time"),
        (check_q_2_4, 501, "which N"),
        (check_q_2_5, "c", "larger or smaller"),
        (check_q_2_5, "a", "right panel"),
        (check_q_2_6, 0.25, "more time"),
        (check_q_2_6, 2.0, "square root"),
        (check_q_2_6, [4.0], "one number"),
    ],
)
def test_questions_fail_wrong_answers_with_a_hint(check, answer, words):
    report = check(lambda: answer, verbose=False)
    assert_fails_with_hints(report, words)
    assert len(report.lines) == 1
