"""Chapter 4's checks (the expansion) pass the solutions and fail typical wrong answers, with a hint that does not
give the answer."""
import math

import numpy as np
import pytest

from gammanet.exercises import (check_correction_count, check_gap_exponent, check_slope_estimator,
                                check_variance_slope)
from gammanet.exercises.chapter4 import COUNT_CASES, GAP_CASES, correction_count, hidden_sweep

from exercise_helpers import assert_fails_with_hints


def test_not_attempted_is_reported_not_raised(capsys):
    def stub(*args):
        raise NotImplementedError

    for check in (check_variance_slope, check_correction_count, check_slope_estimator, check_gap_exponent):
        report = check(stub)
        assert not report.attempted and not report.passed
    assert capsys.readouterr().out.count("not attempted yet") == 4


# ---------------------------------------------------------------------------------------------- variance slope
def test_variance_slope_passes_the_solution():
    assert check_variance_slope(lambda gamma: 1 - 2 * gamma, verbose=False).passed


@pytest.mark.parametrize("wrong, words", [
    (lambda g: 2 * g - 1, "sign"),
    (lambda g: 0.5 - g, "Var(N^a K)"),
    (lambda g: g - 1, "deterministic"),
    (lambda g: -2 * g, None),
    (lambda g: "slope", "one number"),
])
def test_variance_slope_fails_typical_mistakes(wrong, words):
    report = check_variance_slope(wrong, verbose=False)
    assert_fails_with_hints(report, words)
    for m in report.failures():                    # never prints the formula or the value for the case
        assert "1 - 2γ" not in m and "1-2γ" not in m


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
    assert correction_count(COUNT_CASES[-1]) == 15          # γ = 0.97: 0.47 / 0.03 = 15.7


def test_correction_count_catches_strict_inequality_and_float_equality():
    strict = check_correction_count(lambda g: count_solution(g, tol=-1e-9), verbose=False)
    assert_fails_with_hints(strict, "breakpoint")
    floats = check_correction_count(lambda g: count_solution(g, tol=0.0), verbose=False)   # 11/12, 19/20 fail
    assert_fails_with_hints(floats, "tolerance")
    assert any("11/12" in m for m in floats.failures()) and len(floats.failures()) == 2


@pytest.mark.parametrize("wrong", [
    lambda g: count_solution(g) + 1,                                    # counts j = 0
    lambda g: math.floor((g - 0.5) / (1 - g) + 1e-9) + 1,               # ν instead of ν - 1
    lambda g: math.ceil((g - 0.5) / (1 - g)),                           # rounds the wrong way between breakpoints
    lambda g: float(count_solution(g)) + 0.5,
])
def test_correction_count_fails_typical_mistakes(wrong):
    assert_fails_with_hints(check_correction_count(wrong, verbose=False))


# ------------------------------------------------------------------------------------------ slope estimator
def slope_solution(sweep, gamma, t):
    samples = sweep.samples(gamma, t).numpy()                          # (S, W, P)
    variance = samples.var(0, ddof=1).mean(-1)                         # (W,)
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
    samples = sweep.samples(gamma, t).numpy().mean(-1)                 # average over points first
    return float(np.polyfit(np.log(sweep.widths), np.log(samples.var(0, ddof=1)), 1)[0])


def log10_x(sweep, gamma, t):
    v = sweep.samples(gamma, t).numpy().var(0, ddof=1).mean(-1)
    return float(np.polyfit(np.log10(sweep.widths), np.log(v), 1)[0])


def theory_only(sweep, gamma, t):
    return 1 - 2 * gamma


@pytest.mark.parametrize("wrong, words", [
    (std_slope, "standard deviation"),
    (lambda s, g, t: -slope_solution(s, g, t), "sign"),
    (pooled_slope, "first"),
    (log10_x, "same logarithm"),
    (theory_only, None),
])
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
    assert {(m[2] != 0, b != 0) for _, m, b in GAP_CASES} == {(False, False), (False, True), (True, False),
                                                               (True, True)}


@pytest.mark.parametrize("wrong, words", [
    (lambda g, m, b: -(1 - g), "odd power of C"),                          # the naive first correction everywhere
    (lambda g, m, b: -(1 - g) if m[2] != 0 else -2 * (1 - g), "w → -w"),   # forgets the parity in w
    (lambda g, m, b: -(1 - g) if b != 0 else -2 * (1 - g), "odd power of C"),  # forgets the readout's moments
    (lambda g, m, b: -2 * (1 - g), "does the first-order drift"),           # never lets Q¹ survive
    (lambda g, m, b: 2 * (1 - g), "negative"),
    (lambda g, m, b: 1 - 2 * g, "variance"),
    (lambda g, m, b: "slope", "one number"),
])
def test_gap_exponent_fails_typical_mistakes(wrong, words):
    report = check_gap_exponent(wrong, verbose=False)
    assert_fails_with_hints(report, words)
    for message in report.failures():                      # never prints an exponent formula
        assert "(1-γ)" not in message.split("hint:")[1] and "2(1" not in message
