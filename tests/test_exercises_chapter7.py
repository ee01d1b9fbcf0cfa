"""Chapter 7's checks pass the solutions and fail typical wrong answers, with a hint that does not give the answer."""
import math

import numpy as np
import pytest

from gammanet.exercises import (check_average_variance, check_outer_slope, check_seed_variance,
                                check_variance_slopes)
from gammanet.exercises.chapter7 import hidden_outputs, synthetic_frame

from exercise_helpers import assert_fails_with_hints


def test_not_attempted_is_reported_not_raised(capsys):
    def stub(*args):
        raise NotImplementedError

    checks = (check_seed_variance, check_outer_slope, check_average_variance, check_variance_slopes)
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


@pytest.mark.parametrize("wrong, words", [
    (lambda f: f.groupby(["image", "class"]).logit.var(ddof=0).mean(), "S - 1"),
    (lambda f: f.groupby(["seed", "class"]).logit.var().mean(), "over the images"),
    (lambda f: f.logit.var(), "pooled"),
    (lambda f: f.groupby(["image", "class"]).logit.std().mean(), "standard deviation"),
    (lambda f: math.sqrt(seed_variance_solution(f)), "square root"),
    (lambda f: f.groupby("seed").logit.mean().var(), "AFTER"),
    (lambda f: "V", "one number"),
    (lambda f: 2 * seed_variance_solution(f), None),
])
def test_seed_variance_fails_typical_mistakes(wrong, words):
    assert_fails_with_hints(check_seed_variance(wrong, verbose=False), words)


def test_hidden_frames_separate_seeds_from_images():
    frame = synthetic_frame(seeds=3, images=4, classes=3, seed=1)
    over_seeds = seed_variance_solution(frame)
    over_images = frame.groupby(["seed", "class"]).logit.var().mean()
    assert over_images > 10 * over_seeds                 # the per-image means are far apart


# ------------------------------------------------------------------------------------------------ outer slope
def test_outer_slope_passes_the_solution():
    assert check_outer_slope(lambda gammas: 1 - 2 * gammas[-1], verbose=False).passed


@pytest.mark.parametrize("wrong, words", [
    (lambda g: 1 - 2 * g[0], "first layer"),
    (lambda g: sum(1 - 2 * x for x in g), "adds every layer"),
    (lambda g: 2 * g[-1] - 1, "sign"),
    (lambda g: 0.5 - g[-1], "size"),
    (lambda g: -g[-1], None),
])
def test_outer_slope_fails_typical_mistakes(wrong, words):
    report = check_outer_slope(wrong, verbose=False)
    assert_fails_with_hints(report, words)
    for m in report.failures():
        assert "1 - 2γ" not in m and "1-2γ" not in m


# ----------------------------------------------------------------------------------------- average variance
def test_average_variance_passes_the_solution():
    assert check_average_variance(lambda v, m: v / m, verbose=False).passed


@pytest.mark.parametrize("wrong, words", [
    (lambda v, m: v / math.sqrt(m), "standard deviation"),
    (lambda v, m: v * m, "sum"),
    (lambda v, m: v, "cancels"),
    (lambda v, m: v / (m - 1) if m > 1 else v, "S - 1"),
    (lambda v, m: v / m ** 2, None),
])
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


@pytest.mark.parametrize("wrong, words", [
    (lambda o, t: {g: s / 2 for g, s in slopes_solution(o, t).items()}, "standard deviation"),
    (lambda o, t: {g: -s for g, s in slopes_solution(o, t).items()}, "sign"),
    (lambda o, t: {g: s / math.log(10) for g, s in slopes_solution(o, t).items()}, "same logarithm"),
    (over_images, None),
    (all_epochs, None),
    (lambda o, t: list(slopes_solution(o, t).values()), "dict"),
    (lambda o, t: {0.5: 0.0}, "keys"),
])
def test_variance_slopes_fails_typical_mistakes(wrong, words):
    assert_fails_with_hints(check_variance_slopes(wrong, verbose=False), words)
