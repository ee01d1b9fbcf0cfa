"""Chapter 7's checks pass the solutions and fail typical wrong answers, with a hint that does not give the answer."""

import math

import numpy as np
import pytest

from gammanet.exercises import (
    check_average_variance,
    check_error_decomposition,
    check_q_7_5,
    check_q_7_6,
    check_q_7_7,
    check_seed_variance,
    check_variance_slopes,
)
from gammanet.exercises.chapter7 import decomposition_cases, hidden_outputs, synthetic_frame

from exercise_helpers import assert_fails_with_hints


def test_not_attempted_is_reported_not_raised(capsys):
    def stub(*args):
        raise NotImplementedError

    checks = (
        check_seed_variance,
        check_error_decomposition,
        check_average_variance,
        check_variance_slopes,
        check_q_7_5,
        check_q_7_6,
        check_q_7_7,
    )
    for check in checks:
        report = check(stub)
        assert not report.attempted and not report.passed
    assert capsys.readouterr().out.count("not attempted yet") == len(checks)


# ---------------------------------------------------------------------------------------------- seed variance
def seed_variance_solution(frame):
    return frame.groupby(["image", "class"]).logit.var(ddof=1).mean()


def seed_variance_numpy(frame):
    cube = frame.sort_values(["seed", "image", "class"]).logit.to_numpy(float)
    S = frame.seed.nunique()
    return float(cube.reshape(S, -1).var(axis=0, ddof=1).mean())


def test_seed_variance_passes_the_solution():
    assert check_seed_variance(seed_variance_solution, verbose=False).passed
    assert check_seed_variance(seed_variance_numpy, verbose=False).passed


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda f: f.groupby(["image", "class"]).logit.var(ddof=0).mean(), "S - 1"),
        (lambda f: f.groupby(["seed", "class"]).logit.var().mean(), "over the images"),
        (lambda f: f.logit.var(), "pooled"),
        (lambda f: f.groupby(["image", "class"]).logit.std().mean(), "standard deviation"),
        (lambda f: math.sqrt(seed_variance_solution(f)), "square root"),
        (lambda f: f.groupby("seed").logit.mean().var(), "AFTER"),
        (lambda f: "V", "one number"),
        (lambda f: 2 * seed_variance_solution(f), None),
    ],
)
def test_seed_variance_fails_typical_mistakes(wrong, words):
    assert_fails_with_hints(check_seed_variance(wrong, verbose=False), words)


def test_hidden_frames_separate_seeds_from_images():
    frame = synthetic_frame(seeds=3, images=4, classes=3, seed=1)
    over_seeds = seed_variance_solution(frame)
    over_images = frame.groupby(["seed", "class"]).logit.var().mean()
    assert over_images > 10 * over_seeds  # the per-image means are far apart


# ------------------------------------------------------------------------------------------------ outer slope
def error_decomposition_solution(outputs, target):
    mean = outputs.mean(axis=0)
    return {
        "error": float(((outputs - target) ** 2).mean()),
        "bias2": float(((mean - target) ** 2).mean()),
        "variance": float(outputs.var(axis=0).mean()),
    }


def test_error_decomposition_passes_the_solution_and_the_identity_is_exact():
    assert check_error_decomposition(error_decomposition_solution, verbose=False).passed
    for _, outputs, target in decomposition_cases():
        parts = error_decomposition_solution(outputs, target)
        assert parts["error"] == pytest.approx(parts["bias2"] + parts["variance"], rel=1e-12)


def with_(key, value_fn):
    def wrong(outputs, target):
        parts = error_decomposition_solution(outputs, target)
        parts[key] = value_fn(outputs, target)
        return parts

    return wrong


@pytest.mark.parametrize(
    "wrong, words",
    [
        (with_("variance", lambda o, t: float(o.var(axis=0, ddof=1).mean())), "ddof=0"),
        (with_("variance", lambda o, t: float(o.std(axis=0).mean())), "standard deviation"),
        (with_("bias2", lambda o, t: abs(float((o.mean(0) - t).mean()))), "squared"),
        (with_("bias2", lambda o, t: float(((o - t) ** 2).mean())), "seed-mean output"),
        (with_("error", lambda o, t: float(np.abs(o - t).mean())), "squared"),
        (lambda o, t: tuple(error_decomposition_solution(o, t).values()), "return a dict"),
    ],
)
def test_error_decomposition_fails_typical_mistakes(wrong, words):
    assert_fails_with_hints(check_error_decomposition(wrong, verbose=False), words)


@pytest.mark.parametrize(
    "check, right, wrong, words",
    [
        (check_q_7_5, "c", "b", "two γ's share"),
        (check_q_7_6, "d", "a", "shared"),
        (check_q_7_7, 128, 32, "S^{-1/2}"),
        (check_q_7_7, 128.0, 16, "SQUARE"),
    ],
)
def test_questions(check, right, wrong, words):
    assert check(lambda: right, verbose=False).passed
    report = check(lambda: wrong, verbose=False)
    assert_fails_with_hints(report, words)
    said = " ".join(report.failures())  # the feedback never names the right answer
    assert (f"({right})" not in said and f'"{right}"' not in said) if isinstance(right, str) else str(right) not in said


# ----------------------------------------------------------------------------------------- average variance
def test_average_variance_passes_the_solution():
    assert check_average_variance(lambda v, m: v / m, verbose=False).passed


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda v, m: v / math.sqrt(m), "standard deviation"),
        (lambda v, m: v * m, "sum"),
        (lambda v, m: v, "cancels"),
        (lambda v, m: v / (m - 1) if m > 1 else v, "S - 1"),
        (lambda v, m: v / m**2, None),
    ],
)
def test_average_variance_fails_typical_mistakes(wrong, words):
    assert_fails_with_hints(check_average_variance(wrong, verbose=False), words)


# ------------------------------------------------------------------------------------------- measured slopes
def slopes_solution(outputs, t):
    rows = outputs[np.isclose(outputs.t, t)]
    out = {}
    for gamma, part in rows.groupby("gamma_1"):
        v = part.groupby(["width_1", "image", "class"]).logit.var(ddof=1).groupby("width_1").mean()
        out[gamma] = float(np.polyfit(np.log(v.index.to_numpy(float)), np.log(v.to_numpy()), 1)[0])
    return out


def test_variance_slopes_passes_the_solution():
    assert check_variance_slopes(slopes_solution, verbose=False).passed


def test_hidden_outputs_are_not_the_theory():
    # the hidden law is N^{0.8-2.2γ}: a student returning 1 - 2γ fails
    report = check_variance_slopes(lambda o, t: {g: 1 - 2 * g for g in o.gamma_1.unique()}, verbose=False)
    assert_fails_with_hints(report)
    assert hidden_outputs() is hidden_outputs()


def over_images(outputs, t):
    rows = outputs[np.isclose(outputs.t, t)]
    out = {}
    for gamma, part in rows.groupby("gamma_1"):
        v = part.groupby(["width_1", "seed", "class"]).logit.var().groupby("width_1").mean()
        out[gamma] = float(np.polyfit(np.log(v.index.to_numpy(float)), np.log(v.to_numpy()), 1)[0])
    return out


def all_epochs(outputs, t):
    out = {}
    for gamma, part in outputs.groupby("gamma_1"):
        v = part.groupby(["width_1", "epoch", "image", "class"]).logit.var().groupby("width_1").mean()
        out[gamma] = float(np.polyfit(np.log(v.index.to_numpy(float)), np.log(v.to_numpy()), 1)[0])
    return out


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda o, t: {g: s / 2 for g, s in slopes_solution(o, t).items()}, "standard deviation"),
        (lambda o, t: {g: -s for g, s in slopes_solution(o, t).items()}, "sign"),
        (lambda o, t: {g: s / math.log(10) for g, s in slopes_solution(o, t).items()}, "same logarithm"),
        (over_images, None),
        (all_epochs, None),
        (lambda o, t: list(slopes_solution(o, t).values()), "dict"),
        (lambda o, t: {0.5: 0.0}, "keys"),
    ],
)
def test_variance_slopes_fails_typical_mistakes(wrong, words):
    assert_fails_with_hints(check_variance_slopes(wrong, verbose=False), words)
