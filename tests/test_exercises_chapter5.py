"""Chapter 5's checks pass the solutions and fail typical wrong answers, with a hint that does not give the answer."""

import pytest
import torch

from gammanet import learning_rates
from gammanet.exercises import (
    check_init_slope,
    check_kernel_exponent,
    check_layer_steps,
    check_q_5_4,
    check_q_5_5,
    check_q_5_6,
)

from exercise_helpers import assert_fails_with_hints


def test_not_attempted_is_reported_not_raised(capsys):
    def stub(*args):
        raise NotImplementedError

    checks = (check_init_slope, check_kernel_exponent, check_layer_steps)
    for check in checks:
        report = check(stub)
        assert not report.attempted and not report.passed
    assert capsys.readouterr().out.count("not attempted yet") == len(checks)


# ------------------------------------------------------------------------------------------------- 5.1
def init_slope_solution(gammas, activation, family):
    if family == "equal" and activation == "tanh":
        return sum(1 - 2 * g for g in gammas)
    return 1 - 2 * gammas[-1]


def test_init_slope_passes_the_solution():
    assert check_init_slope(init_slope_solution, verbose=False).passed


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda g, a, f: 1 - 2 * g[-1], "outer γ alone"),  # the caveat forgotten
        (lambda g, a, f: sum(1 - 2 * x for x in g), "adds every layer"),  # the tanh rule used everywhere
        (
            lambda g, a, f: sum(1 - 2 * x for x in g[:-1]) if (a, f) == ("tanh", "equal") else 1 - 2 * g[-1],
            "outer layer's own factor",
        ),
        (lambda g, a, f: -init_slope_solution(g, a, f), "sign"),
        (lambda g, a, f: init_slope_solution(g, a, f) / 2, "half"),
        (lambda g, a, f: "slope", "one number"),
        (lambda g, a, f: init_slope_solution(g, a, f) - 0.3, None),
    ],
)
def test_init_slope_fails_typical_mistakes(wrong, words):
    assert_fails_with_hints(check_init_slope(wrong, verbose=False), words)


# ------------------------------------------------------------------------------------------------- 5.2
def kernel_exponent_solution(depth, layer):
    return -float(depth - layer) if layer < depth else 0.0


def test_kernel_exponent_passes_the_solution():
    assert check_kernel_exponent(kernel_exponent_solution, verbose=False).passed


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda L, ell: 0.0, "designed for"),  # coherent sums assumed
        (lambda L, ell: -float(L - ell + 1) if ell < L else 0.0, "one layer too many"),
        (lambda L, ell: -(L - ell) / 2 if ell < L else 0.0, "SQUARED"),
        (lambda L, ell: float(L - ell) if ell < L else 0.0, "sign"),
        (lambda L, ell: kernel_exponent_solution(L, ell) if ell <= L else -1.0, "readout"),
    ],
)
def test_kernel_exponent_fails_typical_mistakes(wrong, words):
    assert_fails_with_hints(check_kernel_exponent(wrong, verbose=False), words)


# ------------------------------------------------------------------------------------------------- 5.3
def layer_steps_solution(model, x, rate_factor=1.0, square=True, reduce="mean", outer=False):
    rates = learning_rates(model.widths, model.gammas)
    totals = {name: 0.0 for name in model.layers()}
    for p in range(x.shape[0]):
        model.zero_grad()
        model(x[p : p + 1])[0, 0].backward()
        for name, layer in model.layers().items():
            norm2 = float((layer.weight.grad**2).sum())
            value = rates[name] ** rate_factor * (norm2 if square else norm2**0.5)
            totals[name] += value * (model.widths[-1] if outer else 1.0)
    return {n: v / (x.shape[0] if reduce == "mean" else 1) for n, v in totals.items()}


def test_layer_steps_passes_the_solution():
    assert check_layer_steps(layer_steps_solution, verbose=False).passed


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda m, x: layer_steps_solution(m, x, rate_factor=0.0), "learning rate"),
        (lambda m, x: layer_steps_solution(m, x, reduce="sum"), "sum over the inputs"),
        (lambda m, x: layer_steps_solution(m, x, outer=True), "N_L times"),
        (lambda m, x: layer_steps_solution(m, x, square=False), "weights' step"),
        (lambda m, x: {"W1": 1.0}, "keys"),
        (lambda m, x: {n: 2 * v for n, v in layer_steps_solution(m, x).items()}, None),
    ],
)
def test_layer_steps_fails_typical_mistakes(wrong, words):
    assert_fails_with_hints(check_layer_steps(wrong, verbose=False), words)


def test_hidden_models_have_no_biases_and_differ_between_cases():
    from gammanet.exercises.chapter5 import STEP_CASES, _hidden_case

    models = [_hidden_case(*case)[0] for case in STEP_CASES]
    assert all(not m.bias for m in models)
    assert not torch.equal(models[0].hidden[0].weight, models[1].hidden[0].weight[:6])


# ------------------------------------------------------------------------------------------ questions 5.4–5.6
@pytest.mark.parametrize(
    "check, right, wrong, words",
    [
        (check_q_5_4, "b", "a", "coherent"),
        (check_q_5_4, "B", "c", "large rate"),
        (check_q_5_5, 0, -1, "b_t N_L^{-1}"),
        (check_q_5_5, 0.0, 0.5, "N_L → ∞"),
        (check_q_5_6, "b", "a", "two numbers"),
        (check_q_5_6, "(b)", "d", "tanh"),
    ],
)
def test_questions(check, right, wrong, words):
    assert check(lambda: right, verbose=False).passed
    report = check(lambda: wrong, verbose=False)
    assert_fails_with_hints(report, words)
    assert len(report.lines) == 1


def test_a_second_level_hint_is_passed_on_where_the_report_takes_it():
    """Until the Report takes a second level, the nudge alone is printed; where it does, `more` goes with it."""
    from gammanet.exercises.feedback import Report
    from gammanet.exercises.questions import Hint, fail

    class Escalating(Report):
        def fail(self, message, hint="", more=""):
            super().fail(message, hint + (f" | more: {more}" if more else ""))

    plain, escalating = Report("x", verbose=False), Escalating("x", verbose=False)
    for report in (plain, escalating):
        fail(report, "wrong", Hint("a nudge", "the rest"))
    assert plain.failures() == ["wrong\n      hint: a nudge"]
    assert escalating.failures() == ["wrong\n      hint: a nudge | more: the rest"]
