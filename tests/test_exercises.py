"""Each check passes the solution and fails typical wrong answers, with a hint that does not give the answer."""

import pytest

from gammanet import learning_rates
from gammanet.exercises import check_learning_rates


def test_learning_rates_check_passes_the_solution():
    assert check_learning_rates(learning_rates, verbose=False).passed


def off_by_one_outer_exponent(widths, gammas):
    rates = dict(learning_rates(widths, gammas))
    rates["C"] *= widths[-1]  # N_L^{-(1-2γ)} instead of N_L^{-(2-2γ)}
    return rates


def wrong_layer(widths, gammas):
    rates = learning_rates(widths, gammas)
    names = list(rates)
    values = list(rates.values())
    if len(values) > 2:  # W1 and W2 swapped
        values[0], values[1] = values[1], values[0]
    else:
        values[0] = values[0] * widths[0]
    return dict(zip(names, values))


def wrong_sign(widths, gammas):
    return {k: 1 / v for k, v in learning_rates(widths, gammas).items()}


def xavier_only(widths, gammas):  # ignores the γ's
    return learning_rates(widths, [0.5] * len(widths))


@pytest.mark.parametrize("wrong", [off_by_one_outer_exponent, wrong_layer, wrong_sign, xavier_only])
def test_learning_rates_check_fails_typical_mistakes(wrong):
    report = check_learning_rates(wrong, verbose=False)
    assert not report.passed and report.attempted
    assert all("hint:" in m for m in report.failures())
    for m in report.failures():  # the feedback never prints the expected value
        for widths, gammas in [((300,), (0.75,))]:
            assert repr(learning_rates(widths, gammas)["C"]) not in m


def test_off_by_one_hint_names_the_exponent():
    report = check_learning_rates(off_by_one_outer_exponent, verbose=False)
    assert any("N_1^1" in m or "N_2^1" in m for m in report.failures())


def test_not_attempted_is_reported_not_raised(capsys):
    def stub(widths, gammas):
        raise NotImplementedError

    report = check_learning_rates(stub)
    assert not report.attempted and not report.passed
    assert "not attempted yet" in capsys.readouterr().out


def test_a_crashing_answer_is_feedback():
    report = check_learning_rates(lambda w, g: 1 / 0, verbose=False)
    assert not report.passed and "ZeroDivisionError" in report.failures()[0]


# ------------------------------------------------------------------------------ feedback: hints in two levels
from gammanet.exercises import feedback  # noqa: E402


def two_level_check(fn, verbose=True):
    """A check with one case whose failure has a nudge and a second-level hint."""
    report = feedback.start("Exercise 9.1: a test of the hint levels", verbose)
    try:
        got = feedback.call(report, fn)
        if got is not None:
            if got == 1:
                report.ok("right")
            else:
                report.fail("not right", "the nudge", more="the second-level hint")
    except feedback.NotAttempted:
        report.attempted = False
    return report.summary()


def test_the_second_hint_appears_only_after_a_failed_interactive_attempt(capsys):
    feedback.forget()
    first = two_level_check(lambda: 2)
    out = capsys.readouterr().out
    assert "the nudge" in out and "the second-level hint" not in out and feedback.MORE_NEXT_TIME in out
    second = two_level_check(lambda: 2)
    out = capsys.readouterr().out
    assert "more: the second-level hint" in out and feedback.MORE_NEXT_TIME not in out
    assert "more:" not in first.failures()[0] and "more: the second-level hint" in second.failures()[0]
    assert feedback.failed_before("Exercise 9.1: whatever the title") == 2  # keyed by the exercise's number
    feedback.forget()
    assert "more:" not in two_level_check(lambda: 2, verbose=False).failures()[0]


def test_quiet_checks_never_reveal_and_never_count():
    # the grader calls checks with verbose=False, one submission after another in one process: each gets the nudge
    feedback.forget()
    for _ in range(3):
        report = two_level_check(lambda: 2, verbose=False)
        assert report.failures() == ["not right\n      hint: the nudge"]
    assert feedback.failed_before("Exercise 9.1") == 0
    assert "more:" not in two_level_check(lambda: 2).failures()[0]  # still a first interactive failure


def test_passing_or_not_attempting_does_not_count_as_a_failure():
    feedback.forget()
    assert two_level_check(lambda: 1).passed

    def stub():
        raise NotImplementedError

    assert not two_level_check(stub).attempted
    assert feedback.failed_before("Exercise 9.1") == 0
    feedback.forget()


# ------------------------------------------------------------------------------------- feedback: types first
import numpy as np  # noqa: E402
import torch  # noqa: E402


@pytest.mark.parametrize(
    "value, expected",
    [
        (3, 3.0),
        (np.float32(0.5), 0.5),
        (torch.tensor(1.5), 1.5),
        (np.array([2.0]), 2.0),
        (True, None),
        ("1", None),
        ([1.0], None),
        (float("nan"), None),
        (np.arange(2.0), None),
        ({"a": 1}, None),
    ],
)
def test_scalar_reads_one_finite_number(value, expected):
    assert feedback.scalar(value) == expected


@pytest.mark.parametrize(
    "raw, words",
    [
        ({"mean": 1.0, "variance": 2.0}, "a dict"),
        ((1.0, 2.0, 3.0), "a tuple of 3 values"),
        (1.0, "a float"),
        ("1, 2", "a string"),
        ((1.0, "x"), "the variance is not a finite number"),
        (None, "None"),
    ],
)
def test_pair_names_the_type_before_any_mathematics(raw, words):
    report = feedback.start("Exercise 9.2: t", verbose=False)
    assert feedback.pair(report, "case", raw, ("mean", "variance")) is None
    (message,) = report.failures()
    assert words in message and "return a pair (mean, variance)" in message


def test_pair_accepts_tuples_lists_and_arrays():
    report = feedback.start("Exercise 9.2: t", verbose=False)
    for raw in [(1, 2.5), [1, 2.5], np.array([1.0, 2.5]), torch.tensor([1.0, 2.5])]:
        assert feedback.pair(report, "case", raw) == (1.0, 2.5)
    assert not report.lines


@pytest.mark.parametrize(
    "raw, words",
    [
        ([0.1, 0.2], "a list of 2 values"),
        ({"C": 1.0, "W1": 2.0}, "another order"),
        ({"W1": 1.0}, "missing ['C']"),
        ({"W1": 1.0, "C": "x"}, "not a finite"),
    ],
)
def test_mapping_checks_type_keys_and_values(raw, words):
    report = feedback.start("Exercise 9.3: t", verbose=False)
    assert feedback.mapping(report, "case", raw, ["W1", "C"]) is None
    assert words in report.failures()[0]
    assert feedback.mapping(report, "case", {"W1": 1, "C": np.float64(2)}, ["W1", "C"]) == {"W1": 1.0, "C": 2.0}


# ------------------------------------------------------------------------------------------ feedback: questions
from gammanet.exercises.questions import Choice, Hint, ask  # noqa: E402

QUESTION = Choice("a test question", {"a": "one", "b": "two"}, "b", {"a": Hint("the nudge of a", "the more of a")})


def test_a_question_gives_its_second_hint_level_after_a_failed_interactive_attempt():
    feedback.forget()
    first = ask(QUESTION, "9.6", lambda: "a")
    second = ask(QUESTION, "9.6", lambda: "a")
    assert "the nudge of a" in first.failures()[0] and "the more of a" not in first.failures()[0]
    assert "more: the more of a" in second.failures()[0]
    assert "the more of a" not in ask(QUESTION, "9.6", lambda: "a", verbose=False).failures()[0]
    feedback.forget()
