"""Chapter 3's checks pass the solutions and fail typical wrong answers, with a hint that does not give the answer."""

import pytest
import torch

from gammanet.exercises import check_evaluation_flow, check_kernel_flow
from gammanet.exercises.chapter3 import evaluation_cases, flow_cases

from exercise_helpers import assert_fails_with_hints


def test_not_attempted_is_reported_not_raised(capsys):
    def stub(*args):
        raise NotImplementedError

    from gammanet.exercises import check_q_3_3, check_q_3_4, check_q_3_5

    checks = (check_kernel_flow, check_evaluation_flow, check_q_3_3, check_q_3_4, check_q_3_5)
    for check in checks:
        report = check(stub)
        assert not report.attempted and not report.passed
    assert capsys.readouterr().out.count("not attempted yet") == len(checks)


# --------------------------------------------------------------------------------------------- kernel flow
def flow_solution(A, y, alpha, t):
    lam, q = torch.linalg.eigh(A)
    return q @ ((1 - torch.exp(-alpha * lam * t / A.shape[0])) * (q.T @ y))


def test_kernel_flow_passes_the_solution():
    assert check_kernel_flow(flow_solution, verbose=False).passed
    assert check_kernel_flow(lambda *a: flow_solution(*a).numpy(), verbose=False).passed  # numpy is fine too


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda A, y, a, t: y - torch.exp(-a * t * A / A.shape[0]) @ y, "exponential of the matrix"),
        (lambda A, y, a, t: flow_solution(A * A.shape[0], y, a, t), "1/M"),
        (lambda A, y, a, t: y - flow_solution(A, y, a, t), "residual"),
        (lambda A, y, a, t: y - torch.linalg.matrix_exp(a * t * A / A.shape[0]) @ y, "sign"),
        (lambda A, y, a, t: flow_solution(A, y, a, t)[:-1], "length"),
        (lambda A, y, a, t: flow_solution(A, y, 2 * a, t), None),
    ],
)
def test_kernel_flow_fails_typical_mistakes(wrong, words):
    report = check_kernel_flow(wrong, verbose=False)
    assert_fails_with_hints(report)
    if words:
        assert any(words in m for m in report.failures()), report.failures()


def test_kernel_flow_cases_agree_with_the_library():
    # the hidden problem's reference comes from KernelLimit; the eigendecomposition solution reproduces it
    for label, A, y, alpha, t, expected in flow_cases():
        assert torch.allclose(flow_solution(A, y, alpha, t), expected, rtol=1e-8, atol=1e-10), label


# ---------------------------------------------------------------------------------------- evaluation points
def evaluation_solution(A, A_cross, y, alpha, t):
    lam, q = torch.linalg.eigh(A)
    lam = lam.clamp_min(0)
    rate = alpha * t / A.shape[0]
    factor = torch.where(
        lam * rate > 1e-12, -torch.expm1(-rate * lam) / torch.where(lam > 0, lam, 1.0), torch.full_like(lam, rate)
    )
    return A_cross @ (q @ (factor * (q.T @ y)))


def explicit_inverse(A, A_cross, y, alpha, t):
    decay = torch.linalg.matrix_exp(-alpha * t * A / A.shape[0])
    return A_cross @ torch.linalg.inv(A) @ (y - decay @ y)


def test_evaluation_flow_passes_the_solution():
    assert check_evaluation_flow(evaluation_solution, verbose=False).passed


def test_evaluation_flow_cases_agree_with_the_library():
    # The eigendecomposition solution, the block-exponential references and KernelLimit agree (float64).
    for label, A, A_cross, y, alpha, t, expected in evaluation_cases():
        assert torch.allclose(evaluation_solution(A, A_cross, y, alpha, t), expected, rtol=1e-7, atol=1e-9), label
    assert any(torch.linalg.eigvalsh(A).min() < 1e-10 for _, A, *_ in evaluation_cases())  # a singular kernel


@pytest.mark.parametrize(
    "wrong, words",
    [
        (explicit_inverse, "near zero"),
        (lambda A, Ac, y, a, t: Ac @ (y - torch.linalg.matrix_exp(-a * t * A / A.shape[0]) @ y), "a factor is missing"),
        (lambda A, Ac, y, a, t: y - torch.linalg.matrix_exp(-a * t * A / A.shape[0]) @ y, "training point"),
        # 1/M dropped from the rate: A(x, X) A^{-1} (I − e^{−αAt}) y
        (lambda A, Ac, y, a, t: evaluation_solution(A * A.shape[0], Ac * A.shape[0], y, a, t), "1/M"),
        (lambda A, Ac, y, a, t: evaluation_solution(A, Ac, y, a, t) + 0.1, None),
    ],
)
def test_evaluation_flow_fails_typical_mistakes(wrong, words):
    report = check_evaluation_flow(wrong, verbose=False)
    assert_fails_with_hints(report, words)


# ------------------------------------------------------------------------------------------- hints and types
def test_the_matrix_exponential_is_named_only_on_a_second_failure():
    from gammanet.exercises import feedback

    entrywise = lambda A, y, a, t: y - torch.exp(-a * t * A / A.shape[0]) @ y  # noqa: E731
    feedback.forget()
    first = check_kernel_flow(entrywise)
    assert not any("eigh" in m for m in first.failures())
    second = check_kernel_flow(entrywise)
    assert any("eigh" in m for m in second.failures())
    feedback.forget()


@pytest.mark.parametrize(
    "check, nargs, answer, words",
    [
        (check_kernel_flow, 4, {"h": 1.0}, "a dict"),
        (check_kernel_flow, 4, 0.5, "a float"),
        (check_evaluation_flow, 5, "h_t", "a string"),
    ],
)
def test_a_wrong_type_is_told_before_any_mathematics(check, nargs, answer, words):
    report = check(lambda *args: answer, verbose=False)
    assert_fails_with_hints(report, words)
    assert all("exponent" not in m and "1/M" not in m for m in report.failures())


# --------------------------------------------------------------------------------------------- questions 3.3–3.5
from gammanet.exercises import check_q_3_3, check_q_3_4, check_q_3_5  # noqa: E402


def test_questions_pass_their_answers():
    assert check_q_3_3(lambda: "a", verbose=False).passed
    assert check_q_3_4(lambda: 10_000 ** (0.75 - 1), verbose=False).passed
    assert check_q_3_5(lambda: "b", verbose=False).passed


@pytest.mark.parametrize(
    "check, answer, words",
    [
        (check_q_3_3, "b", "fastest"),
        (check_q_3_3, "c", "depend on k"),
        (check_q_3_4, 10.0, "sign of the exponent"),
        (check_q_3_4, 0.01, "learning rate"),
        (check_q_3_4, 0.5, "steps"),
        (check_q_3_5, "a", "vanish"),
        (check_q_3_5, "c", "freeze"),
        (check_q_3_5, None, "`return"),
    ],
)
def test_questions_fail_wrong_answers_with_a_hint(check, answer, words):
    report = check(lambda: answer, verbose=False)
    assert_fails_with_hints(report, words)
    assert len(report.lines) == 1
