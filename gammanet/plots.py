"""Seaborn figures from tidy DataFrames, in the package's one style.

Every function takes a long-format DataFrame (the output of :mod:`gammanet.train`, :mod:`gammanet.ensemble` or
:mod:`gammanet.theory`) and returns the matplotlib Axes or FacetGrid it drew, so a chapter can add to it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

STYLE_FILE = Path(__file__).with_name("gammanet.mplstyle")
#: γ from 1/2 to 1 always maps to the same colours, so a reader can follow γ across chapters.
GAMMA_PALETTE = "viridis_r"


def use_style() -> None:
    """Seaborn's "ticks" theme with the package's style on top; call once at the top of a chapter."""
    sns.set_theme(context="notebook", style="ticks")
    plt.style.use(str(STYLE_FILE))


def gamma_palette(gammas) -> dict:
    """One colour per γ value, on a fixed scale over [1/2, 1] (so the same γ has the same colour everywhere)."""
    cmap = mpl.colormaps[GAMMA_PALETTE]
    return {g: cmap((float(g) - 0.5) / 0.5 * 0.85 + 0.05) for g in sorted(set(gammas))}


def gamma_label(gammas) -> str:
    """"γ=(1, 0.7, 0.5)" for a tuple, "γ=0.75" for a number."""
    if np.ndim(gammas) == 0:
        return f"γ={float(gammas):g}"
    return "γ=(" + ", ".join(f"{float(g):g}" for g in gammas) + ")"


def loglog_lines(df: pd.DataFrame, x: str, y: str, hue: str, ax: Optional[plt.Axes] = None,
                 markers: bool = True, **kwargs) -> plt.Axes:
    """A log–log line plot of ``y`` against ``x``, one line per ``hue`` value, γ-coloured when hue is a γ."""
    ax = ax or plt.subplots()[1]
    palette = gamma_palette(df[hue]) if hue.startswith("gamma") else None
    sns.lineplot(data=df, x=x, y=y, hue=hue, palette=palette, marker="o" if markers else None, ax=ax, **kwargs)
    ax.set_xscale("log")
    ax.set_yscale("log")
    return ax


def accuracy_curves(history: pd.DataFrame, x: str = "epoch", y: str = "test_accuracy", hue: str = "gammas",
                    col: Optional[str] = None, errorbar=("ci", 95), **kwargs):
    """Accuracy against epochs (or t), one curve per γ-configuration, a band over seeds when there are several."""
    data = history.copy()
    if hue == "gammas" and "gammas" not in data:
        gcols = sorted(c for c in data.columns if c.startswith("gamma_"))
        data["gammas"] = data[gcols].apply(lambda r: gamma_label(tuple(r)), axis=1)
    grid = sns.relplot(data=data, x=x, y=y, hue=hue, col=col, kind="line", errorbar=errorbar,
                       height=3.6, aspect=1.2, **kwargs)
    grid.set_axis_labels(x.replace("_", " "), y.replace("_", " "))
    return grid


def law_vs_monte_carlo(table: pd.DataFrame, x: str = "N", y: str = "variance", se: Optional[str] = "variance_se",
                       law: str = "law", hue: str = "gamma", ax: Optional[plt.Axes] = None,
                       hue_order: Optional[list] = None) -> plt.Axes:
    """Monte-Carlo estimates as markers (with ±2 standard-error bars when ``se`` is given) and the exact law as a
    line through them, one colour per ``hue`` value (in ``hue_order``, default sorted), on log–log axes (e.g. the
    table of :func:`gammanet.theory.init_variance_vs_width`)."""
    ax = ax or plt.subplots()[1]
    order = list(hue_order) if hue_order is not None else sorted(table[hue].unique())
    palette = gamma_palette(table[hue]) if hue.startswith("gamma") else dict(
        zip(order, sns.color_palette(n_colors=len(order))))
    data = table.sort_values(x)
    for value in order:
        part = data[data[hue] == value]
        colour = palette[value]
        name = gamma_label(value) if hue.startswith("gamma") and np.ndim(value) == 0 else str(value)
        ax.plot(part[x], part[law], color=colour, lw=1.4, label=f"{name}: law")
        yerr = None if se is None else 2 * part[se]
        ax.errorbar(part[x], part[y], yerr=yerr, fmt="o", color=colour, ms=5, capsize=2, lw=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(x)
    ax.set_ylabel(y.replace("_", " "))
    ax.legend(title="lines: exact law, dots: Monte-Carlo ± 2 SE", fontsize=8, title_fontsize=8)
    return ax


def loss_by_width(table: pd.DataFrame, x: str = "t", col: str = "rate", hue: str = "N",
                  limit: Optional[str] = "limit_loss", logy: bool = True):
    """Seed-mean training loss against ``x``, one panel per ``col`` value and one line per width, with the limit's
    loss (``limit``) as a dashed black line (e.g. the table of :func:`gammanet.theory.loss_curves`).
    Returns the array of Axes."""
    panels = list(dict.fromkeys(table[col]))
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 3.8), sharey=True, squeeze=False)
    mean = table.groupby([col, hue, x], sort=True).loss.mean().reset_index()
    widths = sorted(mean[hue].unique())
    colours = dict(zip(widths, sns.color_palette("crest", n_colors=len(widths))))
    for ax, panel in zip(axes[0], panels):
        for n in widths:
            part = mean[(mean[col] == panel) & (mean[hue] == n)]
            ax.plot(part[x], part["loss"], color=colours[n], label=f"{hue} = {n}")
        if limit is not None:
            ref = table[table[col] == panel].groupby(x)[limit].first()
            ax.plot(ref.index, ref.to_numpy(), "k--", lw=1.2, label="limit")
        ax.set_title(f"{col}: {panel}")
        ax.set_xlabel(x)
        if logy:
            ax.set_yscale("log")
    axes[0][0].set_ylabel("training loss")
    axes[0][-1].legend()
    return axes[0]


def width_ticks(ax: plt.Axes, widths, axis: str = "x") -> plt.Axes:
    """Put the ticks of a logarithmic width axis at ``widths``, labelled as plain integers (no minor labels)."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    widths = sorted({int(w) for w in widths})
    target.set_major_locator(mpl.ticker.FixedLocator(widths))
    target.set_major_formatter(mpl.ticker.FixedFormatter([str(w) for w in widths]))
    target.set_minor_formatter(mpl.ticker.NullFormatter())
    return ax
