"""Chapter 1's checks pass the solutions and fail the typical wrong answers, with hints that do not give the answer:
a nudge first, more on a second failed attempt, and the type of an answer checked before its value."""

import numpy as np
import pytest
import torch

from gammanet.exercises import (
    check_centred_logits,
    check_q_1_5,
    check_q_1_6,
    check_q_1_7,
    check_tangent_kernel,
    check_uniform_readout,
    check_variance_law,
)
from gammanet.exercises import feedback
from gammanet.exercises.chapter1 import (
    ACTIVATIONS,
    KERNEL_CASES,
    LAW_CASES,
    centred_logit_variance,
    hidden_input,
    kernel_entry,
    kernel_inputs,
    law,
    pair_moments,
)
from gammanet.theory import draw_networks

from exercise_helpers import assert_fails_with_hints


@pytest.fixture(autouse=True)
def fresh_session():
    feedback.forget()  # each test starts as a first attempt
    yield
    feedback.forget()


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def unit_moments(x):
    """E σ(Z), E σ(Z)² for Z = W·x ~ N(0, |x|²), by Gauss–Hermite quadrature (the notebook's solution)."""
    z, w = np.polynomial.hermite_e.hermegauss(64)
    w = w / np.sqrt(2 * np.pi)
    s = sigmoid(np.sqrt(np.sum(np.asarray(x) ** 2)) * z)
    return np.sum(w * s), np.sum(w * s**2)


# --------------------------------------------------------------------------------------------- the solutions
def variance_law(x, width, gamma):
    return width ** (1 - 2 * gamma) * 1.0 * unit_moments(x)[1]


def variance_law_monte_carlo(x, width, gamma):
    z = np.random.default_rng(0).standard_normal(10**6) * np.sqrt(np.sum(x**2))
    return width ** (1 - 2 * gamma) * np.mean(sigmoid(z) ** 2)


def kernel_parts(x, x2, activation, derivative):
    """E[σ(u)σ(v)], E[σ'(u)σ'(v)] for the Gaussian pair (u, v) = (w·x, w·x') by a tensor Gauss–Hermite grid."""
    z, w = np.polynomial.hermite_e.hermegauss(64)
    w = w / np.sqrt(2 * np.pi)
    a, b = np.sqrt(x @ x), np.sqrt(x2 @ x2)
    rho = np.clip((x @ x2) / (a * b), -1, 1)
    u = a * z[:, None] + 0 * z[None, :]
    v = b * (rho * z[:, None] + np.sqrt(1 - rho**2) * z[None, :])
    weight = w[:, None] * w[None, :]
    return np.sum(weight * activation(u) * activation(v)), np.sum(weight * derivative(u) * derivative(v))


def tangent_kernel_entry(x, x2, activation, derivative):
    s, d = kernel_parts(x, x2, activation, derivative)
    return s + (x @ x2) * d


def tangent_kernel_monte_carlo(x, x2, activation, derivative):
    w = np.random.default_rng(1).standard_normal((10**6, len(x)))
    u, v = w @ x, w @ x2
    return np.mean(activation(u) * activation(v)) + (x @ x2) * np.mean(derivative(u) * derivative(v))


def uniform_readout(x, width, gamma):
    m1, m2 = unit_moments(x)
    return width ** (1 - gamma) * 0.5 * m1, width ** (1 - 2 * gamma) * (m2 / 3 - 0.25 * m1**2)


def centred_logits(x, width, gamma, n_classes):
    return width ** (1 - 2 * gamma) * (1 / 12) * (1 - 1 / n_classes) * unit_moments(x)[1]


# ------------------------------------------------------------------------------------------------ exercise 1.1
@pytest.mark.parametrize("solution", [variance_law, variance_law_monte_carlo])
def test_variance_check_passes_the_solutions(solution):
    assert check_variance_law(solution, verbose=False).passed


def test_the_checks_reference_is_the_monte_carlo_variance():
    # The hidden cases' expected values (the library's quadrature law) agree with networks drawn at random.
    dim, norm_sq, width, gamma = LAW_CASES[1]
    x = hidden_input(dim, norm_sq, seed=101)
    nets = draw_networks((width,), dim, 4000)
    g = nets(torch.as_tensor(x)[None], (gamma,))[:, 0, 0]
    var, se = float(g.var()), float(g.var()) * (2 / 3999) ** 0.5 * 1.5  # Gaussian-ish SE, widened for kurtosis
    assert abs(var - law(x, width, gamma, "centered")[1]) < 4 * se


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda x, n, g: n ** (1 - 2 * g) * (unit_moments(x)[1] - unit_moments(x)[0] ** 2), "variance of σ(Z)"),
        (lambda x, n, g: n ** (1 - g) * unit_moments(x)[1], "exponent of N"),  # off-by-one exponent
        (lambda x, n, g: n ** (2 * g - 1) * unit_moments(x)[1], "exponent of N"),  # wrong sign
        (
            lambda x, n, g: (
                n ** (1 - 2 * g)
                * unit_moments(np.sqrt(np.abs(x)) * np.sign(x) * (np.sum(x**2) ** 0.25 / np.sqrt(np.sum(np.abs(x)))))[1]
            ),
            "law of Z",
        ),  # |x| as the variance
        (lambda x, n, g: n ** (1 - 2 * g) * 0.25, "check each factor"),  # σ(0)² only
        (lambda x, n, g: None, "`return"),  # forgot to return
        (lambda x, n, g: [variance_law(x, n, g)], "one number"),  # a list
    ],
)
def test_variance_check_fails_typical_mistakes(wrong, words):
    report = check_variance_law(wrong, verbose=False)
    assert_fails_with_hints(report)
    assert any(words in m for m in report.failures()), report.failures()


def test_feedback_never_prints_the_expected_value():
    report = check_variance_law(lambda x, n, g: 1.0, verbose=False)
    for (dim, norm_sq, width, gamma), k in zip(LAW_CASES, range(len(LAW_CASES))):
        expected = law(hidden_input(dim, norm_sq, 100 + k), width, gamma, "centered")[1]
        assert all(f"{expected:.3g}" not in m and repr(expected) not in m for m in report.failures())


# ------------------------------------------------------------------------------------------------ exercise 1.2
@pytest.mark.parametrize("solution", [tangent_kernel_entry, tangent_kernel_monte_carlo])
def test_kernel_check_passes_the_solutions(solution):
    assert check_tangent_kernel(solution, verbose=False).passed


@pytest.mark.parametrize("case", KERNEL_CASES)
def test_the_kernel_references_agree_with_monte_carlo(case):
    # E[σ(w·x)σ(w·x') + c² σ'(w·x)σ'(w·x') x·x'] by 400,000 draws of (w, c): the check's reference (closed form or
    # quadrature) is within 4 standard errors
    name, dim, a, b, cosine, seed = case
    x, x2 = kernel_inputs(dim, a, b, cosine, seed)
    f, df = ACTIVATIONS[name]
    rng = np.random.default_rng(seed)
    w, c = rng.standard_normal((400_000, dim)), rng.standard_normal(400_000)
    u, v = w @ x, w @ x2
    terms = f(u) * f(v) + c**2 * df(u) * df(v) * (x @ x2)
    assert abs(terms.mean() - kernel_entry(name, x, x2)) < 4 * terms.std() / len(terms) ** 0.5


def test_the_closed_forms_agree_with_quadrature():
    for name, dim, a, b, cosine, seed in KERNEL_CASES:
        x, x2 = kernel_inputs(dim, a, b, cosine, seed)
        assert np.isclose(x @ x, a) and np.isclose(x2 @ x2, b)
        assert np.isclose(x @ x2, cosine * np.sqrt(a * b))
        assert np.allclose(kernel_parts(x, x2, *ACTIVATIONS[name]), pair_moments(name, x, x2), rtol=1e-7), name


def test_the_hidden_activations_unpickle_without_gammanet():
    # the grader pickles them into the student's kernel: they must not need `import gammanet` (and torch) there
    import pickle
    import subprocess
    import sys

    blob = pickle.dumps(ACTIVATIONS)
    code = (
        "import pickle, sys; f = pickle.loads(sys.stdin.buffer.read()); "
        "assert not any(m.startswith(('gammanet', 'torch')) for m in sys.modules); print(sorted(f))"
    )
    out = subprocess.run([sys.executable, "-c", code], input=blob, capture_output=True, check=True)
    assert out.stdout.decode().strip() == str(sorted(ACTIVATIONS))


def independent(x, x2, activation, derivative):
    s, d = kernel_parts(np.r_[x, 0 * x], np.r_[0 * x2, x2], activation, derivative)
    return s + (x @ x2) * d


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda x, x2, f, df: kernel_parts(x, x2, f, df)[0], "only part"),  # E σσ' only
        (lambda x, x2, f, df: sum(kernel_parts(x, x2, f, df)), "off by a factor"),  # no x·x'
        (
            lambda x, x2, f, df: (
                kernel_parts(x, x2, f, df)[0] + np.sqrt((x @ x) * (x2 @ x2)) * kernel_parts(x, x2, f, df)[1]
            ),
            "off by a factor",
        ),  # |x||x'|
        (independent, "independent"),  # drops the correlation
        (lambda x, x2, f, df: tangent_kernel_entry(x, x, f, df), None),  # x twice
        (lambda x, x2, f, df: 2 * tangent_kernel_entry(x, x2, f, df), "check each part"),
        (lambda x, x2, f, df: (1.0, 2.0), "one number"),
    ],
)
def test_kernel_check_fails_typical_mistakes(wrong, words):
    report = check_tangent_kernel(wrong, verbose=False)
    assert_fails_with_hints(report, words)


def test_each_named_kernel_slip_is_recognized_on_every_case_where_it_differs():
    # the slips are at least 5% away from the answer wherever they are named, so a 1% tolerance tells them apart
    report = check_tangent_kernel(lambda x, x2, f, df: kernel_parts(x, x2, f, df)[0], verbose=False)
    assert all("only part" in m for m in report.failures()) and len(report.failures()) == len(KERNEL_CASES)
    report = check_tangent_kernel(independent, verbose=False)
    named = [m for m in report.failures() if "independent" in m]
    assert len(named) >= 4, report.failures()


# ------------------------------------------------------------------------------------------------ exercise 1.3
def test_uniform_readout_check_passes_the_solution():
    assert check_uniform_readout(uniform_readout, verbose=False).passed
    as_list = check_uniform_readout(lambda *a: list(uniform_readout(*a)), verbose=False)
    as_array = check_uniform_readout(lambda *a: np.array(uniform_readout(*a)), verbose=False)
    assert as_list.passed and as_array.passed


@pytest.mark.parametrize(
    "wrong, words",
    [
        (
            lambda x, n, g: (
                uniform_readout(x, n, g)[0],
                sum(v**2 if i == 0 else v for i, v in enumerate(uniform_readout(x, n, g))),
            ),
            "E[g_0²]",
        ),
        (lambda x, n, g: (uniform_readout(x, n, g)[0], n ** (1 - 2 * g) * unit_moments(x)[1] / 3), "not centred"),
        (lambda x, n, g: (uniform_readout(x, n, g)[0], n ** (1 - 2 * g) * unit_moments(x)[1] / 12), "varies"),
        (lambda x, n, g: (0.0, uniform_readout(x, n, g)[1]), "E[C]"),
        (lambda x, n, g: (n ** (1 - 2 * g) * 0.5 * unit_moments(x)[0], uniform_readout(x, n, g)[1]), "exponent of N"),
    ],
)
def test_uniform_readout_check_fails_typical_mistakes(wrong, words):
    report = check_uniform_readout(wrong, verbose=False)
    assert_fails_with_hints(report)
    assert any(words in m for m in report.failures()), report.failures()


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda x, n, g: dict(zip(("mean", "variance"), uniform_readout(x, n, g))), "a dict"),
        (lambda x, n, g: (*uniform_readout(x, n, g), 0.0), "a tuple of 3 values"),
        (lambda x, n, g: uniform_readout(x, n, g)[1], "a float"),
        (lambda x, n, g: "mean, variance", "a string"),
    ],
)
def test_uniform_readout_checks_the_type_before_the_mathematics(wrong, words):
    report = check_uniform_readout(wrong, verbose=False)
    assert_fails_with_hints(report)
    for message in report.failures():
        assert words in message and "return a pair (mean, variance)" in message, message
        assert "E[C]" not in message and "Var(" not in message  # no mathematical hint for a type slip


def test_the_first_hint_is_a_nudge_and_a_second_failure_reveals_more(capsys):
    wrong = lambda x, n, g: (uniform_readout(x, n, g)[0], n ** (1 - 2 * g) * unit_moments(x)[1] / 3)  # noqa: E731
    first = check_uniform_readout(wrong)
    out = capsys.readouterr().out
    assert "not centred" in out and "E[C²] = 1/3" not in out and "more:" not in out
    assert feedback.MORE_NEXT_TIME in out
    second = check_uniform_readout(wrong)
    out = capsys.readouterr().out
    assert "more:" in out and "E[C²] = 1/3" in out
    assert all("more:" in m for m in second.failures()) and not any("more:" in m for m in first.failures())


# ------------------------------------------------------------------------------------------------ exercise 1.4
def test_centred_logit_formula_matches_monte_carlo():
    width, gamma, K = 60, 0.75, 10
    x = hidden_input(3, 2.0, seed=7)
    g = draw_networks((width,), 3, 6000, out_features=K, init="uniform")(torch.as_tensor(x)[None], (gamma,))[:, 0]
    centred = (g - g.mean(-1, keepdim=True)).numpy()  # (S, K)
    per_seed = ((centred - centred.mean(0)) ** 2).mean(-1) * len(centred) / (len(centred) - 1)
    mc, se = per_seed.mean(), per_seed.std() / len(per_seed) ** 0.5
    assert abs(mc - centred_logit_variance(x, width, gamma, K)) < 4 * se


def test_centred_logits_check_passes_the_solution():
    assert check_centred_logits(centred_logits, verbose=False).passed


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda x, n, g, k: n ** (1 - 2 * g) / 12 * unit_moments(x)[1], "includes C^{k,i} itself"),
        (lambda x, n, g, k: uniform_readout(x, n, g)[1], "one logit"),
        (lambda x, n, g, k: n ** (1 - 2 * g) / 3 * (1 - 1 / k) * unit_moments(x)[1], "common to all logits"),
        (lambda x, n, g, k: n ** (1 - 2 * g) * (1 - 1 / k) * unit_moments(x)[1], "U(0, 1)"),
        (lambda x, n, g, k: n ** (1 - g) / 12 * (1 - 1 / k) * unit_moments(x)[1], "exponent of N"),
    ],
)
def test_centred_logits_check_fails_typical_mistakes(wrong, words):
    report = check_centred_logits(wrong, verbose=False)
    assert_fails_with_hints(report)
    assert any(words in m for m in report.failures()), report.failures()


def test_the_factor_K_over_K_minus_1_is_told_only_on_a_second_failure():
    wrong = lambda x, n, g, k: n ** (1 - 2 * g) / 12 * unit_moments(x)[1]  # noqa: E731  forgets 1 - 1/K
    quiet = check_centred_logits(wrong, verbose=False)  # the grader: nudges only, always
    assert not any("K/(K−1)" in m for m in quiet.failures())
    first = check_centred_logits(wrong)
    assert not any("K/(K−1)" in m for m in first.failures())
    second = check_centred_logits(wrong)
    assert all("K/(K−1)" in m for m in second.failures())
    assert not any("K/(K−1)" in m for m in check_centred_logits(wrong, verbose=False).failures())


# --------------------------------------------------------------------------------------------- questions 1.5–1.7
def test_questions_pass_their_answers_and_accept_rounding():
    assert check_q_1_5(lambda: 10**0.5, verbose=False).passed
    assert check_q_1_5(lambda: 3.162, verbose=False).passed
    assert check_q_1_6(lambda: "b", verbose=False).passed and check_q_1_6(lambda: " (B) ", verbose=False).passed
    assert check_q_1_7(lambda: "c", verbose=False).passed


@pytest.mark.parametrize(
    "check, answer, words",
    [
        (check_q_1_5, 10.0, "factor of the variance"),
        (check_q_1_5, 10**-0.5, "larger than 1"),
        (check_q_1_5, 100**0.75, "sum of N terms"),
        (check_q_1_5, 2.0, "square root"),
        (check_q_1_5, [3.16], "one number"),
        (check_q_1_6, "a", "table of fitted slopes"),
        (check_q_1_6, "c", "last column"),
        (check_q_1_6, "e", "return one letter"),
        (check_q_1_6, 2, "return one letter"),
        (check_q_1_7, "b", "common shift"),
    ],
)
def test_questions_fail_wrong_answers_with_a_hint(check, answer, words):
    report = check(lambda: answer, verbose=False)
    assert_fails_with_hints(report, words)
    assert len(report.lines) == 1


# -------------------------------------------------------------------------------------------------- all checks
CHECKS = [
    (check_variance_law, 3),
    (check_tangent_kernel, 4),
    (check_uniform_readout, 3),
    (check_centred_logits, 4),
    (check_q_1_5, 0),
    (check_q_1_6, 0),
    (check_q_1_7, 0),
]


@pytest.mark.parametrize("check, nargs", CHECKS)
def test_not_attempted_is_reported_not_raised(check, nargs, capsys):
    def stub(*args):
        raise NotImplementedError

    report = check(stub)
    assert not report.attempted and not report.passed
    assert "not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize("check, nargs", CHECKS)
def test_a_crashing_answer_is_feedback(check, nargs):
    report = check(lambda *args: 1 / 0, verbose=False)
    assert not report.passed and report.attempted and "ZeroDivisionError" in report.failures()[0]
