"""Slope fitting with a seed bootstrap."""

import numpy as np
import pytest

from gammanet.theory import fit_slope, loglog_fit


def synthetic(slope, n_seeds, seed, widths=(50, 100, 200, 400, 800)):
    # Per-seed Gaussian outputs at 3 points with variance N^slope: the statistic "variance" then has slope `slope`.
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n_seeds, len(widths), 3))
    return widths, z * np.sqrt(np.asarray(widths, float) ** slope)[None, :, None]


def test_loglog_fit_is_exact_on_a_power_law():
    slope, intercept = loglog_fit([1, 10, 100], 3.0 * np.array([1, 10, 100.0]) ** -0.4)
    assert np.isclose(slope, -0.4) and np.isclose(intercept, np.log(3.0))


def test_fit_slope_recovers_a_known_slope_with_an_honest_interval():
    widths, samples = synthetic(-0.7, 2000, seed=0)
    fit = fit_slope(widths, samples, n_boot=500)
    # With 2000 independent seeds per width the slope's standard error is ~0.02: ±0.06 is 3 SE.
    assert abs(fit.slope + 0.7) < 0.06
    assert fit.contains(-0.7) and not fit.contains(-0.5)
    # Coverage: over 40 independent data sets, the 90% interval should contain the truth most of the time.
    # Binomial(40, 0.9) falls below 30 with probability < 0.2%.
    hits = sum(
        fit_slope(*synthetic(-0.7, 300, seed=s), n_boot=200, level=0.9, seed=s).contains(-0.7) for s in range(1, 41)
    )
    assert hits >= 30


def test_slope_table_is_the_one_display_of_fitted_slopes():
    import pandas as pd

    from gammanet.plots import slope_table as from_plots
    from gammanet.theory.fitting import slope_table

    assert from_plots is slope_table
    slopes = pd.DataFrame(
        dict(
            gamma=[0.5, 0.5, 1.0, 1.0],
            t=[0.5, 1 / 3, 0.5, 1 / 3],
            slope=[0.01, -0.02, -1.0, -0.98],
            ci_low=[-0.1, -0.12, -1.1, -1.05],
            ci_high=[0.1, 0.08, -0.9, -0.9],
            theory=[0.0, 0.0, -1.0, -1.0],
        )
    )
    table = slope_table(slopes, values=[1 / 3 + 1e-12])  # t matched to 9 digits
    assert list(table.columns) == ["t=0.333333"] and list(table.index) == [0.5, 1.0]
    assert table.loc[1.0, "t=0.333333"] == "-0.98 [-1.05, -0.90]"
    both = slope_table(slopes, predictions={"theory": "1 − 2γ"}, digits=1)
    assert list(both.columns) == ["1 − 2γ", "t=0.333333", "t=0.5"] and both.loc[0.5, "1 − 2γ"] == "+0.0"
    with pytest.raises(ValueError, match="no slope at t"):
        slope_table(slopes, values=[2.0])
