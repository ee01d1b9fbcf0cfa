"""Chapter 6's checks pass the solutions and fail typical wrong answers, with a hint that does not give the answer."""
import numpy as np
import pytest

from gammanet.exercises import check_breaking_point, check_main_effects, check_paired_gain

from exercise_helpers import assert_fails_with_hints


def gamma_cols(final):
    return sorted((c for c in final.columns if c.startswith("gamma_")), key=lambda c: int(c[6:]))


# The chapter's solutions (notebooks/06_mnist_accuracy.py).
def paired_gain(final, low, high):
    gcols = gamma_cols(final)
    by_seed = []
    for gammas in (low, high):
        mask = np.logical_and.reduce([np.isclose(final[c], g) for c, g in zip(gcols, gammas)])
        by_seed.append(final[mask].set_index("seed").test_accuracy)
    a, b = by_seed
    common = a.index.intersection(b.index)
    return float((b[common] - a[common]).mean())


def main_effects(final):
    return {ell: {float(g): float(part.test_accuracy.mean()) for g, part in final.groupby(col)}
            for ell, col in enumerate(gamma_cols(final), start=1)}


def breaking_point(table):
    means = table.groupby(["alpha", "gamma_1"]).test_accuracy.mean().unstack("gamma_1")
    reversed_at = means.index[means[1.0] < means[0.5]]
    return float(reversed_at.min()) if len(reversed_at) else None


def test_not_attempted_is_reported_not_raised(capsys):
    def stub(*args):
        raise NotImplementedError

    for check in (check_paired_gain, check_main_effects, check_breaking_point):
        report = check(stub)
        assert not report.attempted and not report.passed
    assert capsys.readouterr().out.count("not attempted yet") == 3


def test_solutions_pass():
    assert check_paired_gain(paired_gain, verbose=False).passed
    assert check_main_effects(main_effects, verbose=False).passed
    assert check_breaking_point(breaking_point, verbose=False).passed


def unpaired_gain(final, low, high):
    means = final.groupby(gamma_cols(final)).test_accuracy.mean()
    return float(means[tuple(high)] - means[tuple(low)]) if len(low) > 1 else float(means[high[0]] - means[low[0]])


@pytest.mark.parametrize("wrong, words", [
    (lambda f, lo, hi: -paired_gain(f, lo, hi), "wrong sign"),
    (unpaired_gain, "pair the seeds"),
    (lambda f, lo, hi: paired_gain(f, lo, hi) * 2, None),
])
def test_paired_gain_fails_typical_mistakes(wrong, words):
    assert_fails_with_hints(check_paired_gain(wrong, verbose=False), words)


def test_paired_gain_that_matches_only_the_first_gamma_fails():
    def first_column_only(final, low, high):
        a = final[np.isclose(final.gamma_1, low[0])].groupby("seed").test_accuracy.mean()
        b = final[np.isclose(final.gamma_1, high[0])].groupby("seed").test_accuracy.mean()
        common = a.index.intersection(b.index)
        return float((b[common] - a[common]).mean())
    report = check_paired_gain(first_column_only, verbose=False)
    assert_fails_with_hints(report)
    assert any("shallow" in line and ok for ok, line in report.lines)     # right where depth is 1


def test_main_effects_fail_typical_mistakes():
    def reversed_layers(final):
        effects = main_effects(final)
        depth = len(effects)
        return {ell: effects[depth + 1 - ell] for ell in effects}
    assert_fails_with_hints(check_main_effects(reversed_layers, verbose=False), "that is the effect of layer")

    def zero_based(final):
        return {ell - 1: e for ell, e in main_effects(final).items()}
    assert_fails_with_hints(check_main_effects(zero_based, verbose=False), "as keys")

    def median(final):
        return {ell: {float(g): float(p.test_accuracy.median()) for g, p in final.groupby(col)}
                for ell, col in enumerate(gamma_cols(final), start=1)}
    assert_fails_with_hints(check_main_effects(median, verbose=False))


@pytest.mark.parametrize("wrong, words", [
    (lambda t: breaking_point(t[t.seed == 0]), "average over the seeds"),           # one seed
    (lambda t: (lambda m: float(m.index[m[1.0] < m[0.5]].max()) if (m[1.0] < m[0.5]).any() else None)(
        t.groupby(["alpha", "gamma_1"]).test_accuracy.mean().unstack()), "smallest α"),   # the largest α
    (lambda t: float(t.alpha.min()), None),                                          # ignores the accuracies
    (lambda t: (lambda m: float(m.index[m[1.0] > m[0.5]].min()) if (m[1.0] > m[0.5]).any() else None)(
        t.groupby(["alpha", "gamma_1"]).test_accuracy.mean().unstack()), None),     # comparison reversed
])
def test_breaking_point_fails_typical_mistakes(wrong, words):
    assert_fails_with_hints(check_breaking_point(wrong, verbose=False), words)
