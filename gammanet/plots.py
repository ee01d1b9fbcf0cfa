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
