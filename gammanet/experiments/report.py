"""Tables and figures about experiments and their stored results (what ``configs``, ``show`` and ``plot`` print).

- :func:`catalog_table`: one row per registered experiment (name, preset, depth, members, units, epochs, description);
- :func:`unit_table`: the state of each unit in a store (done / running at epoch e / missing), without loading MNIST;
- :func:`configuration_table`: per (widths, γ) over seeds: final and best test accuracy (mean, sd), diverged members
  (the final accuracy of :mod:`gammanet.grids`, so ``gammanet show`` and chapter 4 agree);
- :func:`plot_accuracy`: :func:`gammanet.plots.accuracy_curves` in the papers' layout, written to a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

import numpy as np
import pandas as pd

from ..columns import gamma_columns, gamma_label
from ..grids import BLOCK_KEYS, accuracy_summary, final_rows
from .catalog import EXPERIMENTS
from .configs import Experiment
from .results import width_label


def catalog_table(experiments: Optional[dict] = None) -> pd.DataFrame:
    rows = []
    for name, exp in sorted((experiments or EXPERIMENTS).items()):
        depths = sorted(set(exp.depths))
        epochs = sorted({b.epochs for b in exp.blocks})
        first = exp.description.split(". ")[0].split(": ", 1)[-1]
        rows.append(
            dict(
                name=name,
                preset=exp.preset,
                depth="/".join(map(str, depths)),
                members=exp.n_members,
                units=len(exp.units()),
                epochs="/".join(map(str, epochs)),
                description=first if len(first) <= 70 else first[:67] + "...",
            )
        )
    return pd.DataFrame(rows)


def unit_table(experiment: Experiment, store) -> pd.DataFrame:
    """One row per unit: id, block, widths, members, state, epoch reached (of the block's epochs)."""
    rows = []
    for unit in experiment.units():
        block = experiment.blocks[unit.block]
        status = store.unit_status(unit) if store is not None else dict(state="missing", epoch=None)
        epoch = status.get("epoch")
        rows.append(
            dict(
                unit=unit.id,
                block=unit.block,
                widths=width_label(block.widths),
                members=unit.n_members,
                state=status["state"],
                epoch=f"{epoch if epoch is not None else '-'}/{block.epochs}",
            )
        )
    return pd.DataFrame(rows)


def configuration_table(history: pd.DataFrame) -> pd.DataFrame:
    """Per (widths, γ_1..γ_L): seeds, last epoch, final and best test accuracy (mean and sd over seeds), diverged
    members.  The final accuracy is :func:`gammanet.grids.final_rows`'s: a member that diverged has none (it is
    counted in ``diverged`` and left out of the mean, as in :func:`gammanet.grids.accuracy_summary`, which computes
    ``final_mean``/``final_sd``); ``best_mean`` is the mean over seeds of each member's best evaluation before it
    diverged, if it did."""
    if history.empty:
        return pd.DataFrame()
    final = final_rows(history)
    best = history[history.status == "ok"].groupby("member").test_accuracy.max()
    final = final.assign(best=final.member.map(best))
    keys = [k for k in BLOCK_KEYS if k in final.columns] + gamma_columns(final)
    summary = accuracy_summary(final)
    extra = final.groupby(keys, dropna=False, sort=True).agg(epoch=("epoch", "max"), best_mean=("best", "mean"))
    table = summary.merge(extra.reset_index(), on=keys, how="left")
    table = table.rename(columns=dict(mean="final_mean", sd="final_sd"))
    return table[
        ["widths"] + gamma_columns(final) + ["seeds", "epoch", "final_mean", "final_sd", "best_mean", "diverged"]
    ]


def plot_accuracy(history: pd.DataFrame, out: Union[str, Path], title: str = "", x: str = "epoch"):
    """Test accuracy against ``x`` (``"epoch"`` or ``"t"``): :func:`gammanet.plots.accuracy_curves`, one curve per
    γ-configuration with its confidence band over seeds, in the papers' layout.

    Shallow: one panel per width, colour = γ.  Deep: one panel per outer γ_L (one row per width set when there are
    several), colour = the inner γ's, as in the papers' figures.  Writes ``out`` and returns the FacetGrid."""
    from ..plots import accuracy_curves, use_style

    if history.empty:
        raise ValueError("nothing to plot: no finished (or checkpointed) units in the store")
    use_style()
    data = history[history.status == "ok"]
    data = data.drop(columns=[c for c in gamma_columns(data) if data[c].isna().all()])
    gcols = gamma_columns(data)
    several = data.widths.nunique() > 1
    if len(gcols) == 1:
        grid = accuracy_curves(data, x=x, col="widths" if several else None)
    else:
        # Per row: its own depth L (blocks may differ), outer γ_L, inner (γ_1..γ_{L-1}).
        gammas = [tuple(g for g in row if not np.isnan(g)) for row in data[gcols].to_numpy(dtype=float)]
        data = data.assign(
            **{
                "outer γ": [gamma_label(g[-1], prefix=f"γ_{len(g)}=") for g in gammas],
                "inner γ": [gamma_label(g[:-1]) if len(g) > 1 else "(shallow)" for g in gammas],
            }
        )
        grid = accuracy_curves(data, x=x, hue="inner γ", col="outer γ", row="widths" if several else None)
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
