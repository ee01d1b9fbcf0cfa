"""The plot helpers of chapters 1 and 2 draw what they say, from small tidy frames."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from gammanet.plots import law_vs_monte_carlo, loss_by_width, width_ticks  # noqa: E402


def test_law_vs_monte_carlo_draws_one_line_and_one_marker_series_per_hue():
    widths = [50, 100, 200]
    table = pd.DataFrame(
        [
            dict(gamma=g, N=n, variance=n ** (1 - 2 * g), variance_se=0.01, law=n ** (1 - 2 * g))
            for g in (0.5, 1.0)
            for n in widths
        ]
    )
    ax = law_vs_monte_carlo(table)
    assert len(ax.lines) >= 2 and ax.get_xscale() == "log" and ax.get_yscale() == "log"
    law_lines = [line for line in ax.lines if line.get_label().endswith(": law")]
    assert [line.get_label() for line in law_lines] == ["γ=0.5: law", "γ=1: law"]
    np.testing.assert_allclose(law_lines[1].get_ydata(), [1 / n for n in widths])
    ax = law_vs_monte_carlo(table.assign(kind=np.where(table.gamma == 1.0, "b", "a")), hue="kind", hue_order=["b", "a"])
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["b: law", "a: law"]
    plt.close("all")


def test_loss_by_width_one_panel_per_rate_with_seed_means_and_limit():
    rows = [
        dict(rate=r, N=n, seed=s, t=t, loss=1.0 + s + t, limit_loss=0.5)
        for r in ("theory", "fixed")
        for n in (50, 200)
        for s in (0, 1)
        for t in (0.0, 0.5)
    ]
    axes = loss_by_width(pd.DataFrame(rows))
    assert len(axes) == 2 and axes[0].get_title() == "rate: theory"
    np.testing.assert_allclose(axes[0].lines[0].get_ydata(), [1.5, 2.0])  # mean over the two seeds
    assert axes[0].lines[-1].get_label() == "limit"
    plt.close("all")


def test_width_ticks_label_the_widths():
    fig, ax = plt.subplots()
    ax.set_xscale("log")
    ax.plot([25, 400], [1, 2])
    width_ticks(ax, [400, 25, 100, 25])
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["25", "100", "400"]
    plt.close(fig)
