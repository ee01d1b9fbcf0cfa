"""Tables and figures about experiments and their stored results (what ``configs``, ``show`` and ``plot`` print).

- :func:`catalog_table`: one row per registered experiment (name, preset, depth, members, units, epochs, description);
- :func:`unit_table`: the state of each unit in a store (done / running at epoch e / missing), without loading MNIST;
- :func:`configuration_table`: per (widths, γ) over seeds: final and best test accuracy (mean, sd), diverged members;
- :func:`plot_accuracy`: test accuracy against epochs, one curve per γ-configuration, a ±1 sd band over seeds.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

import numpy as np
import pandas as pd

from ..columns import gamma_columns
from .catalog import EXPERIMENTS
from .configs import Experiment
from .results import width_label


def catalog_table(experiments: Optional[dict] = None) -> pd.DataFrame:
    rows = []
    for name, exp in sorted((experiments or EXPERIMENTS).items()):
        depths = sorted(set(exp.depths))
        epochs = sorted({b.epochs for b in exp.blocks})
        first = exp.description.split(". ")[0].split(": ", 1)[-1]
        rows.append(dict(name=name, preset=exp.preset, depth="/".join(map(str, depths)), members=exp.n_members,
                         units=len(exp.units()), epochs="/".join(map(str, epochs)),
                         description=first if len(first) <= 70 else first[:67] + "..."))
    return pd.DataFrame(rows)


def unit_table(experiment: Experiment, store) -> pd.DataFrame:
    """One row per unit: id, block, widths, members, state, epoch reached (of the block's epochs)."""
    rows = []
    for unit in experiment.units():
        block = experiment.blocks[unit.block]
        status = store.unit_status(unit) if store is not None else dict(state="missing", epoch=None)
        epoch = status.get("epoch")
        rows.append(dict(unit=unit.id, block=unit.block, widths=width_label(block.widths), members=unit.n_members,
                         state=status["state"], epoch=f"{epoch if epoch is not None else '-'}/{block.epochs}"))
    return pd.DataFrame(rows)


def configuration_table(history: pd.DataFrame) -> pd.DataFrame:
    """Per (widths, γ_1..γ_L): seeds, last epoch, final and best test accuracy (mean and sd over seeds; a
    member's final accuracy is that of its last finite evaluation), diverged members."""
    if history.empty:
        return pd.DataFrame()
    ok = history[history.status == "ok"]
    per_member = ok.groupby("member").agg(final=("test_accuracy", "last"), best=("test_accuracy", "max"),
                                          last_epoch=("epoch", "max"))
    keys = ["widths"] + gamma_columns(history)
    members = history.groupby("member").agg(
        **{k: (k, "first") for k in keys}, diverged=("status", lambda s: bool((s == "diverged").any())))
    members = members.join(per_member)
    table = members.groupby(keys, dropna=False, sort=False).agg(
        seeds=("final", "size"), epoch=("last_epoch", "max"), final_mean=("final", "mean"),
        final_sd=("final", "std"), best_mean=("best", "mean"), diverged=("diverged", "sum"))
    return table.reset_index()


def plot_accuracy(history: pd.DataFrame, out: Union[str, Path], title: str = "", x: str = "epoch"):
    """Test accuracy against ``x`` (``"epoch"`` or ``"t"``): one curve per γ-configuration, ±1 sd over seeds.

    Shallow: one panel per width, colour = γ.  Deep: one panel per outer γ_L (one row per width set when there are
    several), colour = the inner γ's, as in the papers' figures.  Writes ``out`` and returns the FacetGrid."""
    import matplotlib

    matplotlib.use("Agg")
    import seaborn as sns

    from ..plots import gamma_label, gamma_palette, use_style

    if history.empty:
        raise ValueError("nothing to plot: no finished (or checkpointed) units in the store")
    use_style()
    data = history[history.status == "ok"].copy()
    gcols = [c for c in gamma_columns(data) if data[c].notna().any()]
    n_widths = data.widths.nunique()
    if len(gcols) == 1:
        data["γ"] = data[gcols[0]]
        grid = sns.relplot(data=data, x=x, y="test_accuracy", hue="γ", palette=gamma_palette(data["γ"]),
                           col="widths" if n_widths > 1 else None, kind="line", errorbar="sd", height=3.4,
                           aspect=1.2)
    else:
        # Per row: its own depth L (blocks may differ), outer γ_L, inner (γ_1..γ_{L-1}).
        gammas = [tuple(g for g in row if not np.isnan(g)) for row in data[gcols].to_numpy(dtype=float)]
        data["outer γ"] = [f"γ_{len(g)}={g[-1]:g}" for g in gammas]
        data["inner γ"] = [gamma_label(g[:-1]) if len(g) > 1 else "(shallow)" for g in gammas]
        grid = sns.relplot(data=data, x=x, y="test_accuracy", hue="inner γ", col="outer γ",
                           row="widths" if n_widths > 1 else None, kind="line", errorbar="sd", height=3.2,
                           aspect=1.1)
    grid.set_titles(row_template="N = {row_name}", col_template="{col_name}" if len(gcols) > 1 else "N = {col_name}")
    grid.set_axis_labels(x, "test accuracy")
    if title:
        grid.figure.suptitle(title, y=1.02)
    grid.figure.savefig(out, dpi=120, bbox_inches="tight")
    return grid


def mean_sd(mean: float, sd: float) -> str:
    if mean is None or not np.isfinite(mean):
        return "-"
    return f"{mean:.3f} ± {sd:.3f}" if np.isfinite(sd) else f"{mean:.3f}"


__all__ = ["catalog_table", "configuration_table", "plot_accuracy", "unit_table"]
