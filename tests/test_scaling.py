"""The γ validation and the learning-rate rule, locked with golden values from the authors' formulas."""

import math

import pytest

from gammanet import learning_rates, resolve_gammas
from gammanet.scaling import layer_names, time_scale, validate_widths


# --- golden values: the authors' depth-1, 2 and 3 formulas written out independently (chapter 2) ---
def authors_shallow(N, g):
    a = N ** -(2 - 2 * g)
    return {"W1": a, "C": a}


def authors_mlp2(N1, N2, g1, g2):
    return {
        "W1": 1.0 / (N1 ** (1 - 2 * g1) * N2 ** (3 - 2 * g2)),
        "W2": 1.0 / (N1 ** (1 - 2 * g1) * N2 ** (2 - 2 * g2)),
        "C": 1.0 / N2 ** (2 - 2 * g2),
    }


def authors_mlp3(N1, N2, N3, g1, g2, g3):
    return {
        "W1": 1.0 / (N1 ** (1 - 2 * g1) * N2 ** (2 - 2 * g2) * N3 ** (3 - 2 * g3)),
        "W2": 1.0 / (N1 ** (1 - 2 * g1) * N2 ** (1 - 2 * g2) * N3 ** (3 - 2 * g3)),
        "W3": 1.0 / (N2 ** (1 - 2 * g2) * N3 ** (2 - 2 * g3)),
        "C": 1.0 / N3 ** (2 - 2 * g3),
    }


def assert_rates_equal(got, expected):
    assert list(got) == list(expected)
    for name in expected:
        # Float tolerance only: the rule must be the same formula, not an approximation.
        assert math.isclose(got[name], expected[name], rel_tol=1e-12), (name, got[name], expected[name])


@pytest.mark.parametrize("N", [1, 7, 100, 1000, 3000])
@pytest.mark.parametrize("g", [0.5, 0.6, 0.75, 0.9, 1.0])
def test_depth_one_is_the_shallow_rate(N, g):
    assert_rates_equal(learning_rates([N], [g]), authors_shallow(N, g))


@pytest.mark.parametrize("N1,N2", [(100, 100), (100, 50), (30, 700), (1000, 10)])
@pytest.mark.parametrize("g1,g2", [(0.5, 0.5), (1.0, 1.0), (0.5, 0.8), (0.7, 1.0), (1.0, 0.6)])
def test_depth_two_matches_the_authors(N1, N2, g1, g2):
    assert_rates_equal(learning_rates([N1, N2], [g1, g2]), authors_mlp2(N1, N2, g1, g2))


@pytest.mark.parametrize("N", [(100, 100, 100), (100, 200, 50), (784, 10, 300), (1000, 1000, 1000)])
@pytest.mark.parametrize("g", [(0.5, 0.5, 0.5), (1.0, 1.0, 1.0), (0.5, 0.7, 1.0), (1.0, 0.7, 0.5), (0.6, 0.9, 0.75)])
def test_depth_three_matches_the_authors_and_the_paper(N, g):
    assert_rates_equal(learning_rates(N, g), authors_mlp3(*N, *g))


def test_worked_example_of_chapter_2():
    # N_1 = N_2 = N_3 = 100; all γ = 1/2 and all γ = 1 (the authors' three-layer rule).
    xavier = learning_rates([100] * 3, "xavier")
    assert [xavier[k] for k in ("W1", "W2", "W3", "C")] == pytest.approx([1e-6, 1e-4, 1e-2, 1e-2], rel=1e-12)
    mean_field = learning_rates([100] * 3, "mean_field")
    assert [mean_field[k] for k in ("W1", "W2", "W3", "C")] == pytest.approx([1, 100, 100, 1], rel=1e-12)


def test_general_depth_rule_written_as_a_product():
    # Depth 5, unequal widths: the general-depth rule (chapter 2) written as an explicit product, term by term.
    N, g = (40, 90, 25, 60, 110), (0.55, 0.95, 0.7, 0.85, 0.65)
    rates = learning_rates(N, g)
    L = len(N)
    assert math.isclose(rates["C"], N[-1] ** -(2 - 2 * g[-1]), rel_tol=1e-12)
    assert math.isclose(rates["W5"], 1 / (N[3] ** (1 - 2 * g[3]) * N[4] ** (2 - 2 * g[4])), rel_tol=1e-12)
    # ℓ = 2: N_1^{1-2γ_1} N_2^{1-2γ_2} N_3^{2-2γ_3} N_4^{2-2γ_4} N_5^{3-2γ_5}
    d2 = (
        N[0] ** (1 - 2 * g[0])
        * N[1] ** (1 - 2 * g[1])
        * N[2] ** (2 - 2 * g[2])
        * N[3] ** (2 - 2 * g[3])
        * N[4] ** (3 - 2 * g[4])
    )
    assert math.isclose(rates["W2"], 1 / d2, rel_tol=1e-12)
    assert list(rates) == list(layer_names(L))


def test_rates_are_width_free_at_mean_field_readout():
    # At γ_L = 1 the readout rate is 1 whatever N_L: the mean-field limit needs no width-dependent step.
    for N in (10, 100, 10_000):
        assert learning_rates([N], 1.0)["C"] == 1.0


def test_presets_and_broadcasting():
    assert resolve_gammas("xavier", 2) == (0.5, 0.5)
    assert resolve_gammas("mean_field", 3) == (1.0, 1.0, 1.0)
    assert resolve_gammas(0.7, 2) == (0.7, 0.7)
    assert resolve_gammas([0.5, 1], 2) == (0.5, 1.0)


@pytest.mark.parametrize(
    "bad, needle",
    [
        ([0.4, 0.7], "0.4"),
        ([0.7, 1.2], "1.2"),
        ([float("nan"), 0.7], "nan"),
        (["a", 0.7], "'a'"),
        ("meanfield", "meanfield"),
        ([True, 0.7], "True"),
    ],
)
def test_bad_gammas_name_the_value(bad, needle):
    with pytest.raises(ValueError, match="(?i)" + needle.replace("(", r"\(").replace(".", r"\.")):
        learning_rates([10, 10], bad)


def test_mismatched_lengths_are_rejected():
    with pytest.raises(ValueError, match=r"got 3 gammas .* for 2 hidden layers"):
        learning_rates([10, 10], [0.5, 0.6, 0.7])


@pytest.mark.parametrize("bad", [[0, 10], [10, -3], [10.5], [], "100", [True], None])
def test_bad_widths_are_rejected(bad):
    with pytest.raises(ValueError, match="width"):
        validate_widths(bad)


def test_time_scale_is_last_width():
    assert time_scale([100, 30, 700]) == 700.0
