r"""Accuracy over γ-grids: the reductions chapter 6 reads from a sweep's history.

Input: a tidy history as :func:`gammanet.ensemble.train_grid` (or :class:`gammanet.experiments.Results`) returns
it — one row per member and epoch with columns ``seed``, ``gamma_1..gamma_L``, ``epoch``, ``test_accuracy``,
``status`` (and optionally ``block`` or width columns, which are kept as grouping keys when present).

Every member of a grid with init seed s starts from the *same* weights whatever its γ's (``GammaMLP(seed=s)`` draws
width-free, γ-free weights; common random numbers), and with ``data_order="shared"`` all members see the same
batches.  So the fair comparison of two γ-configurations is *paired*: the difference of their accuracies seed by
seed, d_s = acc(γ', s) − acc(γ, s), whose seed-to-seed spread is much smaller than that of either accuracy.

Confidence intervals over seeds are Student-t intervals, mean ± t_{S−1, (1+level)/2} · sd / √S, with S seeds.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from . import columns
from .columns import gamma_label

#: Columns that, when present, separate blocks of a sweep (different widths) and are kept as keys.
BLOCK_KEYS = ("block", "widths")


def gamma_columns(frame: pd.DataFrame) -> list[str]:
    """The γ columns ``gamma_1..gamma_L`` of a history, in layer order (a ``ValueError`` if there are none)."""
    cols = columns.gamma_columns(frame)
    if not cols:
        raise ValueError(
            f"no gamma_1..gamma_L columns in {list(frame.columns)}; pass a history from train_grid or "
            "an experiment's Results.history"
        )
    return cols


def _keys(frame: pd.DataFrame) -> list[str]:
    return [k for k in BLOCK_KEYS if k in frame.columns] + gamma_columns(frame)


def _require(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"the history lacks the column(s) {missing}; it has {list(frame.columns)}")


def final_rows(history: pd.DataFrame, epoch: Optional[int] = None) -> pd.DataFrame:
    """One row per member: its row at ``epoch`` (default: the last epoch of the sweep).

    A member that diverged before that epoch keeps its "diverged" row, with ``test_accuracy`` set to NaN: it is a
    failure, not a missing value, and :func:`accuracy_summary` counts it.  Columns as the history's.
    """
    _require(history, ["seed", "epoch", "test_accuracy", "status"])
    keys = _keys(history) + ["seed"]
    last = int(history.epoch.max()) if epoch is None else int(epoch)
    if epoch is not None and not (history.epoch == last).any():
        raise ValueError(
            f"epoch={epoch!r} is not in the history; it has epochs {int(history.epoch.min())}.."
            f"{int(history.epoch.max())}"
        )
    upto = history[history.epoch <= last].sort_values(keys + ["epoch"], kind="stable")
    rows = upto.groupby(keys, sort=True, dropna=False).tail(1).copy()
    rows.loc[rows.status == "diverged", "test_accuracy"] = np.nan
    return rows.reset_index(drop=True)


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): the Student-t confidence interval of the mean of ``values`` (NaN-free, ≥ 2 of them)."""
    values = np.asarray(values, dtype=float)
    n, mean = len(values), float(np.mean(values))
    if n < 2:
        return mean, np.nan, np.nan
    half = stats.t.ppf(0.5 + level / 2, n - 1) * float(np.std(values, ddof=1)) / np.sqrt(n)
    return mean, mean - half, mean + half


def accuracy_summary(final: pd.DataFrame, level: float = 0.95, column: str = "test_accuracy") -> pd.DataFrame:
    """Per γ-configuration (and block): ``mean``, ``sd``, ``ci_low``, ``ci_high`` (t-interval over seeds),
    ``seeds`` (how many), ``diverged`` (how many of them diverged) and ``label`` "γ=(…)".

    Diverged members are left out of the mean and counted in ``diverged``.
    """
    _require(final, ["seed", column])
    keys, gcols, rows = _keys(final), gamma_columns(final), []
    for key, group in final.groupby(keys, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        values = group[column].to_numpy(dtype=float)
        ok = values[np.isfinite(values)]
        mean, low, high = t_interval(ok, level) if len(ok) else (np.nan, np.nan, np.nan)
        row = dict(zip(keys, key))
        row.update(
            mean=mean,
            sd=float(np.std(ok, ddof=1)) if len(ok) > 1 else np.nan,
            ci_low=low,
            ci_high=high,
            seeds=len(values),
            diverged=int(len(values) - len(ok)),
            label=gamma_label(tuple(row[c] for c in gcols)),
        )
        rows.append(row)
    return pd.DataFrame(rows)


def main_effects(final: pd.DataFrame, column: str = "test_accuracy") -> pd.DataFrame:
    r"""The main effect of each layer's γ: for position ℓ and value g, the mean accuracy over every member with
    γ_ℓ = g (averaging over the other positions and the seeds).

    Returns rows ``layer`` ("γ_1", …), ``position`` (ℓ), ``gamma``, ``accuracy``; on a full factorial grid
    (every combination present) these are the classical main effects of a designed experiment.
    """
    gcols = gamma_columns(final)
    rows = []
    for ell, col in enumerate(gcols, start=1):
        for g, group in final.groupby(col, sort=True):
            rows.append(
                dict(
                    layer=f"γ_{ell}",
                    position=ell,
                    gamma=float(g),
                    accuracy=float(np.nanmean(group[column].to_numpy(dtype=float))),
                )
            )
    return pd.DataFrame(rows)


def effect_ranges(effects: pd.DataFrame) -> pd.DataFrame:
    """Per layer: ``range`` = max − min of its main effects, ``change`` = effect at the largest γ minus at the
    smallest (positive: accuracy rises with that layer's γ), and ``direction`` ("rising" | "falling" | "flat",
    flat meaning |change| < 0.005)."""
    _require(effects, ["layer", "position", "gamma", "accuracy"])
    rows = []
    for (layer, position), group in effects.groupby(["layer", "position"], sort=True):
        group = group.sort_values("gamma")
        change = float(group.accuracy.iloc[-1] - group.accuracy.iloc[0])
        rows.append(
            dict(
                layer=layer,
                position=int(position),
                range=float(group.accuracy.max() - group.accuracy.min()),
                change=change,
                direction="flat" if abs(change) < 0.005 else ("rising" if change > 0 else "falling"),
            )
        )
    return pd.DataFrame(rows).sort_values("position", ignore_index=True)


def paired_difference(final: pd.DataFrame, low, high, level: float = 0.95, column: str = "test_accuracy") -> dict:
    r"""acc(``high``) − acc(``low``) seed by seed (``low``/``high``: γ-tuples, or numbers for a shallow grid).

    Seeds are paired within each block (width) of the sweep.  Returns ``mean``, ``ci_low``, ``ci_high``
    (t-interval over the paired differences), ``sd``, ``seeds`` (the number of (block, seed) pairs both
    configurations have, finite), ``wins`` (in how many of them ``high`` is strictly better).
    """
    gcols = gamma_columns(final)

    def pick(gammas):
        g = (float(gammas),) * len(gcols) if np.ndim(gammas) == 0 else tuple(float(v) for v in gammas)
        if len(g) != len(gcols):
            raise ValueError(f"γ-configuration {gammas!r} has {len(g)} entries; this grid has {len(gcols)} layers")
        mask = np.ones(len(final), dtype=bool)
        for c, v in zip(gcols, g):
            mask &= np.isclose(final[c].to_numpy(dtype=float), v)
        if not mask.any():
            raise ValueError(f"γ-configuration {g} is not in the grid")
        # Pair on the seed within each block (width) of the sweep.
        return final[mask].set_index([k for k in BLOCK_KEYS if k in final.columns] + ["seed"])[column]

    a, b = pick(low), pick(high)
    both = pd.concat([a.rename("low"), b.rename("high")], axis=1, join="inner").dropna()
    d = (both.high - both.low).to_numpy(dtype=float)
    mean, lo, hi = t_interval(d, level) if len(d) else (np.nan, np.nan, np.nan)
    return dict(
        mean=mean,
        ci_low=lo,
        ci_high=hi,
        sd=float(np.std(d, ddof=1)) if len(d) > 1 else np.nan,
        seeds=int(len(d)),
        wins=int((d > 0).sum()),
    )


def paired_by_block(final: pd.DataFrame, low, high, level: float = 0.95, column: str = "test_accuracy") -> pd.DataFrame:
    """:func:`paired_difference` within each block (set of widths) of the sweep, one row per block: the blocks'
    means differ, and the same seed at two widths shares part of its draw, so pooled (block, seed) pairs are not
    i.i.d. and one interval per block is the honest summary.  Columns: the block keys present (``widths``, ...),
    then ``mean``, ``ci_low``, ``ci_high``, ``sd``, ``seeds``, ``wins``."""
    keys = [k for k in BLOCK_KEYS if k in final.columns]
    if not keys:
        return pd.DataFrame([paired_difference(final, low, high, level, column)])
    rows = []
    for block, part in final.groupby(keys, sort=False):
        block = block if isinstance(block, tuple) else (block,)
        rows.append({**dict(zip(keys, block)), **paired_difference(part, low, high, level, column)})
    return pd.DataFrame(rows)


def ordering(final: pd.DataFrame, column: str = "test_accuracy") -> pd.DataFrame:
    """For a grid with one γ per configuration (a shallow sweep, or a diagonal γ_1 = … = γ_L): per seed (and
    block), whether the accuracy rises strictly with γ, and Spearman's rank correlation ρ between γ and accuracy.

    Returns rows ``seed``, ``rho``, ``strictly_rising``, ``best_gamma`` (the γ of the highest accuracy).
    """
    gcols = gamma_columns(final)
    same = np.all(np.isclose(final[gcols].to_numpy(dtype=float), final[gcols[:1]].to_numpy(dtype=float)), axis=1)
    if not same.all():
        raise ValueError(
            "ordering needs one γ per configuration (a shallow grid or γ_1 = … = γ_L); select those "
            "rows first, e.g. with main_effects for a full deep grid"
        )
    keys = [k for k in BLOCK_KEYS if k in final.columns] + ["seed"]
    rows = []
    for key, group in final.groupby(keys, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        group = group.sort_values(gcols[0])
        g, acc = group[gcols[0]].to_numpy(dtype=float), group[column].to_numpy(dtype=float)
        acc_ranked = np.where(np.isfinite(acc), acc, -np.inf)  # a diverged member ranks last
        rho = float(stats.spearmanr(g, acc_ranked).statistic) if len(g) > 1 else np.nan
        rows.append(
            dict(
                zip(keys, key),
                rho=rho,
                strictly_rising=bool(np.all(np.diff(acc_ranked) > 0)),
                best_gamma=float(g[int(np.argmax(acc_ranked))]),
            )
        )
    return pd.DataFrame(rows)


def plateau_epochs(history: pd.DataFrame, threshold: float = 0.5, column: str = "test_accuracy") -> pd.DataFrame:
    """How long each member sits on its plateau: the first epoch (and step, t) at which ``column`` reaches
    ``threshold``, NaN if it never does.  One row per member with its γ's and seed."""
    if not 0 < threshold < 1:
        raise ValueError(f"threshold={threshold!r} is not allowed; it must lie strictly between 0 and 1")
    _require(history, ["seed", "epoch", "step", "t", column])
    keys = _keys(history) + ["seed"]
    rows = []
    for key, group in history.sort_values("epoch").groupby(keys, sort=True):
        hit = group[group[column] >= threshold]
        first = hit.iloc[0] if len(hit) else None
        rows.append(
            dict(
                zip(keys, key),
                epoch=np.nan if first is None else float(first.epoch),
                step=np.nan if first is None else float(first.step),
                t=np.nan if first is None else float(first.t),
            )
        )
    return pd.DataFrame(rows)
