"""Chapter 6's figures draw what they are given: the numbers in the heatmaps are the summary's."""

import itertools

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from gammanet.grids import accuracy_summary, final_rows, main_effects  # noqa: E402
from gammanet.plots import accuracy_heatmaps, accuracy_vs_gamma, main_effects_plot  # noqa: E402


def grid_history(depth):
    rows = []
    for g in itertools.product([0.5, 0.7, 1.0], repeat=depth):
        for s in (0, 1):
            acc = 0.5 + 0.3 * g[-1] + 0.01 * s
            rows.append(
                dict(
                    seed=s,
                    **{f"gamma_{i + 1}": v for i, v in enumerate(g)},
                    epoch=1,
                    step=1,
                    t=0.01,
                    test_accuracy=acc,
                    status="ok",
                )
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("depth, panels", [(2, 1), (3, 3)])
def test_heatmaps_show_the_summary(depth, panels):
    summary = accuracy_summary(final_rows(grid_history(depth)))
    axes = accuracy_heatmaps(summary)
    assert len(axes) == panels
    shown = sorted(float(t.get_text()) for ax in axes for t in ax.texts)
    np.testing.assert_allclose(shown, sorted(np.round(summary["mean"], 3)))
    plt.close("all")


def test_heatmaps_refuse_a_shallow_grid():
    with pytest.raises(ValueError, match="depth 1"):
        accuracy_heatmaps(accuracy_summary(final_rows(grid_history(1))))


def test_line_plots_draw_one_line_per_group():
    final = final_rows(grid_history(3))
    ax = main_effects_plot(main_effects(final))
    assert len(ax.get_legend().get_texts()) == 3
    shallow = accuracy_summary(final_rows(grid_history(1)))
    ax = accuracy_vs_gamma(shallow)
    np.testing.assert_allclose(
        np.asarray(ax.lines[0].get_ydata(), dtype=float), shallow.sort_values("gamma_1")["mean"].to_numpy()
    )
    plt.close("all")
