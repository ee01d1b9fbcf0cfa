"""Chapter 1's checks pass the solutions and fail the typical wrong answers, with hints that do not give the answer."""
import numpy as np
import pytest
import torch

from gammanet.exercises import check_centred_logits, check_predicted_slope, check_uniform_readout, check_variance_law
from gammanet.exercises.chapter1 import LAW_CASES, centred_logit_variance, hidden_input, law
from gammanet.theory import draw_networks

from exercise_helpers import assert_fails_with_hints


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def unit_moments(x):
    """E σ(Z), E σ(Z)² for Z = W·x ~ N(0, |x|²), by Gauss–Hermite quadrature (the notebook's solution)."""
    z, w = np.polynomial.hermite_e.hermegauss(64)
    w = w / np.sqrt(2 * np.pi)
    s = sigmoid(np.sqrt(np.sum(np.asarray(x) ** 2)) * z)
    return np.sum(w * s), np.sum(w * s ** 2)


# --------------------------------------------------------------------------------------------- the solutions
def predicted_slope(gammas):
    return 1 - 2 * gammas[-1]


def variance_law(x, width, gamma):
    return width ** (1 - 2 * gamma) * 1.0 * unit_moments(x)[1]


def variance_law_monte_carlo(x, width, gamma):
    z = np.random.default_rng(0).standard_normal(10 ** 6) * np.sqrt(np.sum(x ** 2))
    return width ** (1 - 2 * gamma) * np.mean(sigmoid(z) ** 2)


def uniform_readout(x, width, gamma):
    m1, m2 = unit_moments(x)
    return width ** (1 - gamma) * 0.5 * m1, width ** (1 - 2 * gamma) * (m2 / 3 - 0.25 * m1 ** 2)


def centred_logits(x, width, gamma, n_classes):
    return width ** (1 - 2 * gamma) * (1 / 12) * (1 - 1 / n_classes) * unit_moments(x)[1]


# ------------------------------------------------------------------------------------------------ exercise 1.1
def test_slope_check_passes_the_solution():
    assert check_predicted_slope(predicted_slope, verbose=False).passed


@pytest.mark.parametrize("wrong, words", [
    (lambda g: 1 - 2 * g[0], "inner layer"),            # wrong layer
    (lambda g: 2 * g[-1] - 1, "sign"),                   # wrong sign
    (lambda g: 1 - g[-1], "squared"),                    # the standard deviation's exponent, off by a factor 2
    (lambda g: 2 - 2 * g[-1], "N^a"),                    # off by one
    (lambda g: [1 - 2 * x for x in g], "one number"),    # a list, one slope per layer
])
def test_slope_check_fails_typical_mistakes(wrong, words):
    report = check_predicted_slope(wrong, verbose=False)
    assert_fails_with_hints(report)
    assert any(words in m for m in report.failures())


# ------------------------------------------------------------------------------------------------ exercise 1.2
@pytest.mark.parametrize("solution", [variance_law, variance_law_monte_carlo])
def test_variance_check_passes_the_solutions(solution):
    assert check_variance_law(solution, verbose=False).passed


def test_the_checks_reference_is_the_monte_carlo_variance():
    # The hidden cases' expected values (the library's quadrature law) agree with networks drawn at random.
    dim, norm_sq, width, gamma = LAW_CASES[1]
    x = hidden_input(dim, norm_sq, seed=101)
    nets = draw_networks((width,), dim, 4000)
    g = nets(torch.as_tensor(x)[None], (gamma,))[:, 0, 0]
    var, se = float(g.var()), float(g.var()) * (2 / 3999) ** 0.5 * 1.5   # Gaussian-ish SE, widened for kurtosis
    assert abs(var - law(x, width, gamma, "centered")[1]) < 4 * se


@pytest.mark.parametrize("wrong, words", [
    (lambda x, n, g: n ** (1 - 2 * g) * (unit_moments(x)[1] - unit_moments(x)[0] ** 2), "E[C²] E[σ(Z)²]"),
    (lambda x, n, g: n ** (1 - g) * unit_moments(x)[1], "exponent of N"),                     # off-by-one exponent
    (lambda x, n, g: n ** (2 * g - 1) * unit_moments(x)[1], "exponent of N"),                 # wrong sign
    (lambda x, n, g: n ** (1 - 2 * g) * unit_moments(np.sqrt(np.abs(x)) * np.sign(x) *
                                                     (np.sum(x ** 2) ** 0.25 / np.sqrt(np.sum(np.abs(x)))))[1],
     "law of Z"),                                                                              # |x| as the variance
    (lambda x, n, g: n ** (1 - 2 * g) * 0.25, "check each factor"),                          # σ(0)² only
    (lambda x, n, g: None, "finite number"),                                                 # forgot to return
])
def test_variance_check_fails_typical_mistakes(wrong, words):
    report = check_variance_law(wrong, verbose=False)
    assert_fails_with_hints(report)
    assert any(words in m for m in report.failures()), report.failures()


def test_feedback_never_prints_the_expected_value():
    report = check_variance_law(lambda x, n, g: 1.0, verbose=False)
    for (dim, norm_sq, width, gamma), k in zip(LAW_CASES, range(len(LAW_CASES))):
        expected = law(hidden_input(dim, norm_sq, 100 + k), width, gamma, "centered")[1]
        assert all(f"{expected:.3g}" not in m and repr(expected) not in m for m in report.failures())


# ------------------------------------------------------------------------------------------------ exercise 1.3
def test_uniform_readout_check_passes_the_solution():
    assert check_uniform_readout(uniform_readout, verbose=False).passed


@pytest.mark.parametrize("wrong, words", [
    (lambda x, n, g: (uniform_readout(x, n, g)[0], sum(v ** 2 if i == 0 else v
                                                       for i, v in enumerate(uniform_readout(x, n, g)))), "E[g_0²]"),
    (lambda x, n, g: (uniform_readout(x, n, g)[0], n ** (1 - 2 * g) * unit_moments(x)[1] / 3), "not centred"),
    (lambda x, n, g: (uniform_readout(x, n, g)[0], n ** (1 - 2 * g) * unit_moments(x)[1] / 12), "σ(Z) varies"),
    (lambda x, n, g: (0.0, uniform_readout(x, n, g)[1]), "E[C]"),
    (lambda x, n, g: (n ** (1 - 2 * g) * 0.5 * unit_moments(x)[0], uniform_readout(x, n, g)[1]), "exponent of N"),
    (lambda x, n, g: uniform_readout(x, n, g)[1], "pair"),
])
def test_uniform_readout_check_fails_typical_mistakes(wrong, words):
    report = check_uniform_readout(wrong, verbose=False)
    assert_fails_with_hints(report)
    assert any(words in m for m in report.failures()), report.failures()


# ------------------------------------------------------------------------------------------------ exercise 1.4
def test_centred_logit_formula_matches_monte_carlo():
    width, gamma, K = 60, 0.75, 10
    x = hidden_input(3, 2.0, seed=7)
    g = draw_networks((width,), 3, 6000, out_features=K, init="uniform")(torch.as_tensor(x)[None], (gamma,))[:, 0]
    centred = (g - g.mean(-1, keepdim=True)).numpy()                   # (S, K)
    per_seed = ((centred - centred.mean(0)) ** 2).mean(-1) * len(centred) / (len(centred) - 1)
    mc, se = per_seed.mean(), per_seed.std() / len(per_seed) ** 0.5
    assert abs(mc - centred_logit_variance(x, width, gamma, K)) < 4 * se


def test_centred_logits_check_passes_the_solution():
    assert check_centred_logits(centred_logits, verbose=False).passed


@pytest.mark.parametrize("wrong, words", [
    (lambda x, n, g, k: n ** (1 - 2 * g) / 12 * unit_moments(x)[1], "K/(K-1)"),
    (lambda x, n, g, k: uniform_readout(x, n, g)[1], "one logit"),
    (lambda x, n, g, k: n ** (1 - 2 * g) / 3 * (1 - 1 / k) * unit_moments(x)[1], "cancels"),
    (lambda x, n, g, k: n ** (1 - 2 * g) * (1 - 1 / k) * unit_moments(x)[1], "U(0, 1)"),
    (lambda x, n, g, k: n ** (1 - g) / 12 * (1 - 1 / k) * unit_moments(x)[1], "exponent of N"),
])
def test_centred_logits_check_fails_typical_mistakes(wrong, words):
    report = check_centred_logits(wrong, verbose=False)
    assert_fails_with_hints(report)
    assert any(words in m for m in report.failures()), report.failures()


@pytest.mark.parametrize("check, nargs", [(check_predicted_slope, 1), (check_variance_law, 3),
                                          (check_uniform_readout, 3), (check_centred_logits, 4)])
def test_not_attempted_is_reported_not_raised(check, nargs, capsys):
    def stub(*args):
        raise NotImplementedError
    report = check(stub)
    assert not report.attempted and not report.passed
    assert "not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize("check", [check_predicted_slope, check_variance_law, check_uniform_readout,
                                   check_centred_logits])
def test_a_crashing_answer_is_feedback(check):
    report = check(lambda *args: 1 / 0, verbose=False)
    assert not report.passed and report.attempted and "ZeroDivisionError" in report.failures()[0]
