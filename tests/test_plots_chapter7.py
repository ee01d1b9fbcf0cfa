"""The plot helpers of chapter 7 draw what they say, from the tables of gammanet.variance on synthetic outputs."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from gammanet.plots import (
    config_styles,
    seed_average_accuracy_plot,
    slope_agreement,
    variance_over_time,  # noqa: E402
    variance_vs_gamma_lines,
    variance_width_panels,
)
from gammanet.variance import seed_average_accuracy, variance_slopes, variance_table  # noqa: E402
from test_variance import synthetic_outputs  # noqa: E402


@pytest.fixture(scope="module")
def shallow():
    return synthetic_outputs(seeds=range(6), images=5, classes=3, times=(0.0, 8.0))


def test_variance_width_panels_one_panel_per_time_with_guides(shallow):
    table = variance_table(shallow, n_boot=20)
    fig = variance_width_panels(table, (0.0, 8.0))
    a, b = fig.axes
    assert a.get_title() == "t = 0" and b.get_title() == "t = 8"
    assert a.get_xscale() == "log" and a.get_yscale() == "log"
    # per γ: one errorbar line and one dashed guide of slope 1 - 2γ through the narrowest width
    guide = [line for line in a.lines if line.get_linestyle() not in ("-", "None") and len(line.get_xdata()) == 4]
    assert len(guide) == 3
    slopes = sorted(
        np.polyfit(np.log(np.asarray(line.get_xdata(), float)), np.log(line.get_ydata()), 1)[0] for line in guide
    )
    assert slopes == pytest.approx([-1.0, -0.5, 0.0])
    labels = [t.get_text() for t in b.get_legend().get_texts()]
    assert sorted(labels) == sorted(["γ=0.5", "γ=0.75", "γ=1", r"slope $1-2\gamma_L$"])
    plt.close("all")


def test_config_styles_colour_by_outer_gamma_and_mark_inner():
    deep = synthetic_outputs(
        widths=(25, 50),
        gammas=((0.5, 1.0), (1.0, 1.0), (1.0, 0.5)),
        inner=50,
        seeds=range(3),
        images=2,
        classes=2,
        times=(0.0,),
    )
    styles = config_styles(variance_table(deep, n_boot=0))
    assert styles["(0.5, 1)"][0] == styles["(1, 1)"][0] != styles["(1, 0.5)"][0]  # colour: outer γ
    assert styles["(0.5, 1)"][1:] != styles["(1, 1)"][1:]  # marker/line: inner γ
    assert styles["(1, 1)"][1:] == styles["(1, 0.5)"][1:]


def test_slope_agreement_and_the_other_figures(shallow):
    table = variance_table(shallow, n_boot=20)
    ax = slope_agreement(variance_slopes(shallow, n_boot=50), (0.0, 8.0))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["measured = predicted", "t = 0", "t = 8"]
    ax = variance_vs_gamma_lines(table, 200, (0.0, 8.0))
    assert ax.get_yscale() == "log" and ax.get_title() == "N = 200" and len(ax.get_legend().get_texts()) == 2
    fig = variance_over_time(table, 100)
    assert len(fig.axes) == 2 and len(fig.axes[1].get_lines()) == 3
    ax = seed_average_accuracy_plot(seed_average_accuracy(shallow), 50, 8.0)
    assert ax.get_title() == "N = 50, t = 8"
    plt.close("all")
