"""Chapter 6's checks pass the solutions and fail typical wrong answers, with a hint that does not give the answer."""

import numpy as np
import pytest

from gammanet.exercises import (
    check_breaking_point,
    check_difference_variance,
    check_paired_interval,
    check_q_6_4,
    check_q_6_5,
    check_q_6_6,
)

from exercise_helpers import assert_fails_with_hints, chapter_solutions


def gamma_cols(final):
    return sorted((c for c in final.columns if c.startswith("gamma_")), key=lambda c: int(c[6:]))


# The chapter's own solutions (notebooks/06_mnist_accuracy.py), read from its source.
SOLUTIONS = chapter_solutions(6)
difference_variance = SOLUTIONS["my_difference_variance"]
paired_interval = SOLUTIONS["my_paired_interval"]
breaking_point = SOLUTIONS["my_breaking_point"]


CHECKS = (check_difference_variance, check_paired_interval, check_breaking_point, check_q_6_4, check_q_6_5, check_q_6_6)


def test_not_attempted_is_reported_not_raised(capsys):
    def stub(*args):
        raise NotImplementedError

    for check in CHECKS:
        report = check(stub)
        assert not report.attempted and not report.passed
    assert capsys.readouterr().out.count("not attempted yet") == len(CHECKS)


def test_solutions_pass():
    assert check_difference_variance(difference_variance, verbose=False).passed
    assert check_paired_interval(paired_interval, verbose=False).passed
    assert check_breaking_point(breaking_point, verbose=False).passed
    assert check_q_6_4(lambda: "a", verbose=False).passed
    assert check_q_6_5(lambda: "b", verbose=False).passed
    assert check_q_6_6(lambda: 10, verbose=False).passed


def test_the_derivation_matches_the_paired_interval_of_a_table():
    """6.1's formula, fed with the seeds' variances and covariance, gives exactly the paired interval of 6.2."""
    rng = np.random.default_rng(3)
    seed_effect, noise = rng.normal(0, 0.05, 8), rng.normal(0, 0.01, (8, 2))
    x, y = 0.8 + seed_effect + noise[:, 0], 0.85 + seed_effect + noise[:, 1]
    var = difference_variance(x.var(ddof=1), y.var(ddof=1), np.cov(x, y, ddof=1)[0, 1], 8, True)
    assert var == pytest.approx((y - x).var(ddof=1) / 8, rel=1e-12)
    assert difference_variance(x.var(ddof=1), y.var(ddof=1), 0.0, 8, False) > 10 * var  # pairing pays here


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda vl, vh, c, n, p: (vl + vh + (2 * c if p else 0)) / n, "which way"),
        (lambda vl, vh, c, n, p: vl + vh - (2 * c if p else 0), "mean over"),
        (lambda vl, vh, c, n, p: (vl + vh - (2 * c if p else 0)) / (n - 1), "S − 1"),
        (lambda vl, vh, c, n, p: (vl + vh - (c if p else 0)) / n, "how many covariance"),
        (lambda vl, vh, c, n, p: (vl + vh) / n, "share the draw"),
        (lambda vl, vh, c, n, p: (vl + vh - 2 * c) / n, "independent"),
    ],
)
def test_difference_variance_fails_typical_mistakes(wrong, words):
    assert_fails_with_hints(check_difference_variance(wrong, verbose=False), words)


def unpaired_interval(final, low, high):
    cols = gamma_cols(final)
    parts = [
        final[np.logical_and.reduce([np.isclose(final[c], g) for c, g in zip(cols, gs)])].test_accuracy
        for gs in (low, high)
    ]
    return float(parts[1].mean() - parts[0].mean()), 0.01


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda f, lo, hi: (-paired_interval(f, lo, hi)[0], paired_interval(f, lo, hi)[1]), "acc(high) − acc(low)"),
        (unpaired_interval, "pair the seeds"),
        (lambda f, lo, hi: (paired_interval(f, lo, hi)[0], 2 * paired_interval(f, lo, hi)[1]), "whole width"),
        (lambda f, lo, hi: {"mean": 0.0, "half": 0.0}, "pair of numbers"),
        (lambda f, lo, hi: paired_interval(f, lo, hi)[0], "pair of numbers"),
    ],
)
def test_paired_interval_fails_typical_mistakes(wrong, words):
    assert_fails_with_hints(check_paired_interval(wrong, verbose=False), words)


def test_paired_interval_with_the_normal_quantile_is_told_so():
    def z_quantile(final, low, high):
        gcols = gamma_cols(final)
        sel = [
            final[np.logical_and.reduce([np.isclose(final[c], g) for c, g in zip(gcols, gs)])]
            .set_index("seed")
            .test_accuracy
            for gs in (low, high)
        ]
        common = sel[0].index.intersection(sel[1].index)
        d = (sel[1][common] - sel[0][common]).to_numpy(float)
        return float(d.mean()), float(1.959963984540054 * d.std(ddof=1) / np.sqrt(len(d)))

    assert_fails_with_hints(check_paired_interval(z_quantile, verbose=False), "Student's t")


@pytest.mark.parametrize(
    "check, wrong, words",
    [
        (check_q_6_4, "b", "correlated"),
        (check_q_6_4, "e", "one letter"),
        (check_q_6_5, "a", "largest"),
        (check_q_6_6, 100, "compare the exponents"),
        (check_q_6_6, 0.1, "which one is larger"),
        (check_q_6_6, "ten", "not a number"),
    ],
)
def test_questions_fail_with_a_hint_not_the_answer(check, wrong, words):
    report = check(lambda: wrong, verbose=False)
    assert_fails_with_hints(report, words)
    assert len(report.lines) == 1


@pytest.mark.parametrize(
    "wrong, words",
    [
        (lambda t: breaking_point(t[t.seed == 0]), "average over the seeds"),  # one seed
        (
            lambda t: (lambda m: float(m.index[m[1.0] < m[0.5]].max()) if (m[1.0] < m[0.5]).any() else None)(
                t.groupby(["alpha", "gamma_1"]).test_accuracy.mean().unstack()
            ),
            "smallest α",
        ),  # the largest α
        (lambda t: float(t.alpha.min()), None),  # ignores the accuracies
        (
            lambda t: (lambda m: float(m.index[m[1.0] > m[0.5]].min()) if (m[1.0] > m[0.5]).any() else None)(
                t.groupby(["alpha", "gamma_1"]).test_accuracy.mean().unstack()
            ),
            None,
        ),  # comparison reversed
    ],
)
def test_breaking_point_fails_typical_mistakes(wrong, words):
    assert_fails_with_hints(check_breaking_point(wrong, verbose=False), words)
