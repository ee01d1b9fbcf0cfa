"""Chapter 2's clock check passes the solution and fails the typical wrong answers."""
import pytest

from gammanet.exercises import check_effective_time


def effective_time(step, learning_rate, width, gamma, alpha):
    return step * learning_rate * width ** (1 - 2 * gamma) / alpha


def test_clock_check_passes_the_solution():
    assert check_effective_time(effective_time, verbose=False).passed


@pytest.mark.parametrize("wrong, words", [
    (lambda k, eta, n, g, a: k / n, "ignores the rate"),
    (lambda k, eta, n, g, a: k * eta * n ** (1 - 2 * g), "factor α"),
    (lambda k, eta, n, g, a: k * eta * n ** (2 * g - 1) / a, "exponent of N"),       # wrong sign
    (lambda k, eta, n, g, a: k * eta * n ** (2 - 2 * g) / a, "exponent of N"),       # off by one
    (lambda k, eta, n, g, a: k * eta / a, "exponent of N"),                          # forgets the width
])
def test_clock_check_fails_typical_mistakes(wrong, words):
    report = check_effective_time(wrong, verbose=False)
    assert report.attempted and not report.passed
    assert all("hint:" in m for m in report.failures())
    assert any(words in m for m in report.failures()), report.failures()


def test_clock_must_work_on_arrays():
    import math

    def scalar_only(k, eta, n, g, a):
        return float(k) * eta * math.pow(n, 1 - 2 * g) / a
    report = check_effective_time(scalar_only, verbose=False)
    assert not report.passed and "elementwise" in report.failures()[-1]


def test_not_attempted(capsys):
    def stub(*args):
        raise NotImplementedError
    report = check_effective_time(stub)
    assert not report.attempted and "not attempted yet" in capsys.readouterr().out
