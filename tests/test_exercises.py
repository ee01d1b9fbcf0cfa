"""Each check passes the solution and fails typical wrong answers, with a hint that does not give the answer."""
import pytest

from gammanet import learning_rates
from gammanet.exercises import check_learning_rates, check_time_scale


def test_learning_rates_check_passes_the_solution():
    assert check_learning_rates(learning_rates, verbose=False).passed


def off_by_one_outer_exponent(widths, gammas):
    rates = dict(learning_rates(widths, gammas))
    rates["C"] *= widths[-1]                       # N_L^{-(1-2γ)} instead of N_L^{-(2-2γ)}
    return rates


def wrong_layer(widths, gammas):
    rates = learning_rates(widths, gammas)
    names = list(rates)
    values = list(rates.values())
    if len(values) > 2:                            # W1 and W2 swapped
        values[0], values[1] = values[1], values[0]
    else:
        values[0] = values[0] * widths[0]
    return dict(zip(names, values))


def wrong_sign(widths, gammas):
    return {k: 1 / v for k, v in learning_rates(widths, gammas).items()}


def xavier_only(widths, gammas):                   # ignores the γ's
    return learning_rates(widths, [0.5] * len(widths))


@pytest.mark.parametrize("wrong", [off_by_one_outer_exponent, wrong_layer, wrong_sign, xavier_only])
def test_learning_rates_check_fails_typical_mistakes(wrong):
    report = check_learning_rates(wrong, verbose=False)
    assert not report.passed and report.attempted
    assert all("hint:" in m for m in report.failures())
    for m in report.failures():                    # the feedback never prints the expected value
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


def test_time_scale_check():
    assert check_time_scale(lambda w: w[-1], verbose=False).passed
    report = check_time_scale(lambda w: w[0], verbose=False)
    assert not report.passed and "first layer" in report.failures()[-1]
