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

from .columns import gamma_columns, gamma_label
from .theory.fitting import slope_table  # noqa: F401  (the slope tables of the chapters, shown beside the figures)

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


def loglog_lines(
    df: pd.DataFrame, x: str, y: str, hue: str, ax: Optional[plt.Axes] = None, markers: bool = True, **kwargs
) -> plt.Axes:
    """A log–log line plot of ``y`` against ``x``, one line per ``hue`` value, γ-coloured when hue is a γ."""
    ax = ax or plt.subplots()[1]
    palette = gamma_palette(df[hue]) if hue.startswith("gamma") else None
    sns.lineplot(data=df, x=x, y=y, hue=hue, palette=palette, marker="o" if markers else None, ax=ax, **kwargs)
    ax.set_xscale("log")
    ax.set_yscale("log")
    return ax


def accuracy_curves(
    history: pd.DataFrame,
    x: str = "epoch",
    y: str = "test_accuracy",
    hue: str = "gammas",
    col: Optional[str] = None,
    errorbar=("ci", 95),
    **kwargs,
):
    """Accuracy against epochs (or t), one curve per γ-configuration, a band over seeds when there are several."""
    data = history.copy()
    if hue == "gammas" and "gammas" not in data:
        gcols = gamma_columns(data)
        data["gammas"] = data[gcols].apply(lambda r: gamma_label(tuple(r)), axis=1)
        if len(gcols) == 1 and "palette" not in kwargs:  # one γ per curve: the package's γ colours
            colours = gamma_palette(data[gcols[0]])
            kwargs["palette"] = {gamma_label((g,)): colours[g] for g in colours}
            kwargs.setdefault("hue_order", [gamma_label((g,)) for g in sorted(colours)])
    grid = sns.relplot(
        data=data, x=x, y=y, hue=hue, col=col, kind="line", errorbar=errorbar, height=3.6, aspect=1.2, **kwargs
    )
    grid.set_axis_labels(x.replace("_", " "), y.replace("_", " "))
    return grid


# ------------------------------------------------------------------------------ chapter 3: the expansion
def measured_vs_predicted(
    table: pd.DataFrame,
    x: str,
    y: str,
    hue: str = "gamma",
    predicted: Optional[str] = None,
    err: Optional[str] = None,
    ax: Optional[plt.Axes] = None,
    logx: bool = True,
    logy: bool = True,
    predicted_label: str = "prediction",
    predicted_style: str = "--",
    hue_format: str = "γ={:g}",
    legend="inside",
    marker: str = "o",
    linestyle: str = "-",
) -> plt.Axes:
    """``y`` against ``x``, one line per ``hue`` value (markers, ± ``err`` bars), and the column ``predicted``
    beside it in the same colour (``predicted_style``, no markers; ``predicted_label`` "" leaves it out of the
    legend).  γ-coloured when ``hue`` is a γ column.  ``legend``: "inside", "outside" (right of the axes) or None;
    a log x-axis with few values is labelled at them."""
    ax = ax or plt.subplots()[1]
    values = sorted(table[hue].unique())
    if hue.startswith("gamma") and pd.api.types.is_numeric_dtype(table[hue]):
        colours = gamma_palette(values)
    else:
        cmap = mpl.colormaps["plasma"]
        colours = {v: cmap(0.1 + 0.75 * i / max(1, len(values) - 1)) for i, v in enumerate(values)}
    for v in values:
        rows = table[table[hue] == v].sort_values(x)
        ax.errorbar(
            rows[x],
            rows[y],
            yerr=None if err is None else rows[err],
            color=colours[v],
            marker=marker,
            ls=linestyle,
            capsize=2,
            label=hue_format.format(v),
        )
        if predicted is not None:
            ax.plot(rows[x], rows[predicted], predicted_style, color=colours[v], lw=1.3, alpha=0.9)
    if predicted is not None and predicted_label:
        ax.plot([], [], predicted_style, color="0.3", lw=1.3, label=predicted_label)
    if logx:
        ax.set_xscale("log")
        ticks = np.sort(table[x].unique())
        if len(ticks) <= 8:
            ax.set_xticks(ticks, [f"{v:g}" for v in ticks])
            ax.xaxis.set_minor_formatter(mpl.ticker.NullFormatter())
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel({"gamma": "γ", "N": "width N", "t": "t = k/N"}.get(x, x.replace("_", " ")))
    ax.set_ylabel(y.replace("_", " "))
    if legend == "outside":
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    elif legend:
        ax.legend()
    return ax


def kernel_agreement(
    kernel: np.ndarray, empirical: dict, errors: pd.DataFrame, monte_carlo_error: Optional[float] = None
) -> plt.Figure:
    """Two panels: (a) entries of empirical kernels A_N (``empirical``: label → matrix) against the quadrature
    kernel A (``kernel``), on the diagonal when they agree; (b) the relative error |A_N - A|/|A| against N
    (``errors``: columns N, seed, relative_error, from :func:`gammanet.theory.kernel_error_vs_width`), seed-mean
    with the seeds' range, an N^{-1/2} guide and the Monte-Carlo kernel's own error as a horizontal line."""
    fig, (a, b) = plt.subplots(1, 2, figsize=(10.5, 4.0))
    ref = np.asarray(kernel).ravel()
    cmap = mpl.colormaps["plasma"]
    for i, (name, mat) in enumerate(empirical.items()):
        a.scatter(
            ref,
            np.asarray(mat).ravel(),
            s=7,
            alpha=0.6,
            color=cmap(0.1 + 0.75 * i / max(1, len(empirical) - 1)),
            label=name,
        )
    lims = [min(ref.min(), 0), ref.max() * 1.05]
    a.plot(lims, lims, color="0.2", lw=1)
    a.set_xlabel("A(x, x')  (quadrature)")
    a.set_ylabel("empirical kernel entry")
    a.set_title("(a) entries of A_N against A")
    a.legend(markerscale=2)
    stats = errors.groupby("N").relative_error.agg(["mean", "min", "max"]).reset_index()
    b.fill_between(stats.N, stats["min"], stats["max"], color="C0", alpha=0.2, label="range over seeds")
    b.plot(stats.N, stats["mean"], "o-", color="C0", label="mean over seeds")
    guide = stats["mean"].iloc[0] * (stats.N / stats.N.iloc[0]) ** -0.5
    b.plot(stats.N, guide, ":", color="0.3", label=r"$\propto N^{-1/2}$")
    if monte_carlo_error is not None:
        b.axhline(monte_carlo_error, color="C3", ls="--", lw=1.2, label="Monte-Carlo A (w-samples)")
    b.set_xscale("log")
    b.set_yscale("log")
    b.set_xlabel("width N")
    b.set_ylabel("|A_N − A| / |A|")
    b.set_title("(b) relative error against N")
    b.legend()
    fig.tight_layout()
    return fig


def regime_paths(
    sweep, gammas, width: Optional[int] = None, point: int = 0, split: str = "test", n_grid: int = 121
) -> plt.Figure:
    """One panel per γ: the trained outputs g^N_t(x) of every seed at one evaluation point (grey), their mean
    (black), the kernel limit h_t(x) (coloured) and, for γ < 1, the band h_t ± 2 N^{1/2-γ} sd K_t(x) that the
    leading fluctuation predicts.  ``sweep``: a :class:`gammanet.theory.TrainingSweep`; ``width``: default the
    largest."""
    width = max(sweep.widths) if width is None else int(width)
    j = sweep.widths.index(width)
    grid = np.linspace(0.0, float(max(sweep.times)), n_grid)
    h = sweep.limit.mean(grid, split)[:, point].numpy()
    sd = sweep.limit.fluctuation_variance(grid, split)[:, point].sqrt().numpy()
    colours = gamma_palette(sweep.gammas)
    fig, axes = plt.subplots(1, len(gammas), figsize=(3.6 * len(gammas), 3.4), sharey=True)
    for ax, gamma in zip(np.atleast_1d(axes), gammas):
        paths = np.stack([sweep.samples(gamma, t, split)[:, j, point].numpy() for t in sweep.times], 1)  # (S, T)
        for path in paths:
            ax.plot(sweep.times, path, color="0.6", lw=0.6, alpha=0.6)
        ax.plot(sweep.times, paths.mean(0), "o-", color="k", lw=1.4, ms=4, label="seed mean")
        ax.plot(grid, h, color=colours[gamma], lw=2.2, label="$h_t$ (kernel limit)")
        ax.plot(grid, h, color="k", lw=0.5)  # keeps a pale γ colour visible
        if gamma < 1:
            band = 2 * width ** (0.5 - gamma) * sd
            ax.fill_between(grid, h - band, h + band, color=colours[gamma], alpha=0.2, label="±2 sd, leading order")
        ax.set_title(f"γ={gamma:g}, N={width}")
        ax.set_xlabel("t = k/N")
    np.atleast_1d(axes)[0].set_ylabel(f"output at {split} point {point}")
    np.atleast_1d(axes)[0].legend(loc="best")
    fig.tight_layout()
    return fig


def law_vs_monte_carlo(
    table: pd.DataFrame,
    x: str = "N",
    y: str = "variance",
    se: Optional[str] = "variance_se",
    law: str = "law",
    hue: str = "gamma",
    ax: Optional[plt.Axes] = None,
    hue_order: Optional[list] = None,
) -> plt.Axes:
    """Monte-Carlo estimates as markers (with ±2 standard-error bars when ``se`` is given) and the exact law as a
    line through them, one colour per ``hue`` value (in ``hue_order``, default sorted), on log–log axes (e.g. the
    table of :func:`gammanet.theory.init_variance_vs_width`)."""
    ax = ax or plt.subplots()[1]
    order = list(hue_order) if hue_order is not None else sorted(table[hue].unique())
    palette = (
        gamma_palette(table[hue])
        if hue.startswith("gamma")
        else dict(zip(order, sns.color_palette(n_colors=len(order))))
    )
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


def loss_by_width(
    table: pd.DataFrame,
    x: str = "t",
    col: str = "rate",
    hue: str = "N",
    limit: Optional[str] = "limit_loss",
    logy: bool = True,
):
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


# ------------------------------------------------------------------------------ chapter 6: accuracy over γ-grids
def accuracy_vs_gamma(
    summary: pd.DataFrame,
    x: str = "gamma_1",
    hue: Optional[str] = None,
    ax: Optional[plt.Axes] = None,
    label_format: str = "{}",
) -> plt.Axes:
    """Seed-mean accuracy against γ with its confidence interval as error bars (``summary`` from
    :func:`gammanet.grids.accuracy_summary`: columns ``mean``, ``ci_low``, ``ci_high``), one line per ``hue``."""
    ax = ax or plt.subplots()[1]
    groups = [(None, summary)] if hue is None else list(summary.groupby(hue, sort=True))
    colours = sns.color_palette("deep", n_colors=max(1, len(groups)))
    for (name, rows), colour in zip(groups, colours):
        rows = rows.sort_values(x)
        err = np.vstack([rows["mean"] - rows.ci_low, rows.ci_high - rows["mean"]])
        ax.errorbar(
            rows[x],
            rows["mean"],
            yerr=np.nan_to_num(err),
            marker="o",
            capsize=3,
            color=colour,
            label=None if name is None else label_format.format(name),
        )
    ax.set_xlabel("γ" if x == "gamma_1" else x.replace("gamma_", "γ_"))
    ax.set_ylabel("test accuracy")
    if hue is not None:
        ax.legend()
    return ax


def accuracy_heatmaps(
    summary: pd.DataFrame, value: str = "mean", fmt: str = ".3f", vmin=None, vmax=None, title: str = ""
):
    """Heatmaps of ``value`` over (γ_1 rows, γ_2 columns) — one panel per γ_3 for a depth-3 grid — annotated with
    the numbers, on one colour scale.  ``summary``: :func:`gammanet.grids.accuracy_summary` of a depth-2 or -3 grid.
    Returns the array of Axes."""
    depth = len(gamma_columns(summary))
    if depth not in (2, 3):
        raise ValueError(f"accuracy_heatmaps draws depth-2 or depth-3 grids; this summary has depth {depth}")
    panels = [None] if depth == 2 else sorted(summary.gamma_3.unique())
    vmin = summary[value].min() if vmin is None else vmin
    vmax = summary[value].max() if vmax is None else vmax
    fig, axes = plt.subplots(
        1, len(panels), figsize=(3.3 * len(panels) + 1.2, 3.4), squeeze=False, layout="constrained"
    )
    for i, (ax, panel) in enumerate(zip(axes[0], panels)):
        rows = summary if panel is None else summary[summary.gamma_3 == panel]
        table = rows.pivot(index="gamma_1", columns="gamma_2", values=value).sort_index(ascending=False)
        sns.heatmap(table, annot=True, fmt=fmt, vmin=vmin, vmax=vmax, cmap="mako", ax=ax, square=True, cbar=False)
        ax.set_xlabel("γ_2" + (" (outer)" if depth == 2 else ""))
        ax.set_ylabel("γ_1" if i == 0 else "")
        ax.set_xticklabels([f"{float(t.get_text()):g}" for t in ax.get_xticklabels()])
        ax.set_yticklabels([f"{float(t.get_text()):g}" for t in ax.get_yticklabels()], rotation=0)
        if panel is not None:
            ax.set_title(f"outer γ_3 = {panel:g}")
    # One colour bar for all panels: the panels share the scale, so colours compare across them.
    label = "test accuracy (mean over seeds)" if value == "mean" else value.replace("_", " ")
    fig.colorbar(axes[0][0].collections[0], ax=list(axes[0]), label=label, shrink=0.9)
    if title:
        fig.suptitle(title)
    return axes[0]


def main_effects_plot(effects: pd.DataFrame, ax: Optional[plt.Axes] = None, **kwargs) -> plt.Axes:
    """Main effect of each layer's γ (``effects`` from :func:`gammanet.grids.main_effects`): mean accuracy against
    that layer's γ, one line per layer; the steepest line is the layer whose γ matters most."""
    ax = ax or plt.subplots(figsize=(4.8, 3.6))[1]
    layers = sorted(effects.layer.unique(), key=lambda s: int(s.split("_")[1]))
    palette = dict(zip(layers, sns.color_palette("rocket", n_colors=len(layers) + 1)))
    sns.lineplot(
        data=effects,
        x="gamma",
        y="accuracy",
        hue="layer",
        hue_order=layers,
        palette=palette,
        marker="o",
        ax=ax,
        **kwargs,
    )
    ax.set_xlabel("γ of that layer")
    ax.set_ylabel("mean test accuracy")
    ax.legend(title="layer")
    return ax


# --- chapter 7 ---
# The variance of the trained output: figures from the tables of gammanet.variance.
INNER_STYLES = (("o", "-"), ("s", ":"), ("^", "--"), ("D", "-."))


def config_styles(table: pd.DataFrame) -> dict:
    """γ-configuration label → (colour, marker, linestyle): the colour follows the OUTER γ (the γ palette), the
    marker and line style the inner γ's (circles and solid lines for the first inner setting, squares and dotted
    lines for the next, ...), so configurations that share an outer γ share a colour."""
    rows = table.drop_duplicates("gammas")
    colours = gamma_palette(rows.gamma_outer)
    inner_cols = gamma_columns(table)
    inner = (
        rows[inner_cols[:-1]].apply(tuple, axis=1)
        if len(inner_cols) > 1 and rows[inner_cols[-1]].notna().all()
        else pd.Series([()] * len(rows), index=rows.index)
    )
    order = sorted(set(inner))
    return {
        r.gammas: (colours[r.gamma_outer],) + INNER_STYLES[order.index(i) % len(INNER_STYLES)]
        for r, i in zip(rows.itertuples(), inner)
    }


def _variance_lines(
    ax: plt.Axes, table: pd.DataFrame, x: str, styles: dict, guide: bool = False, label_format: str = "γ={}"
) -> None:
    for label in sorted(table.gammas.unique(), key=lambda g: (table[table.gammas == g].gamma_outer.iloc[0], g)):
        rows = table[table.gammas == label].sort_values(x)
        colour, marker, line = styles[label]
        err = (
            np.vstack([rows.variance - rows.variance_low, rows.variance_high - rows.variance])
            if rows.variance_low.notna().all()
            else None
        )
        ax.errorbar(
            rows[x],
            rows.variance,
            yerr=err,
            color=colour,
            marker=marker,
            ls=line,
            capsize=2,
            ms=5,
            label=label_format.format(label),
        )
        if guide and len(rows) > 1:
            slope = 1 - 2 * rows.gamma_outer.iloc[0]
            n0, v0 = rows[x].iloc[0], rows.variance.iloc[0]
            ax.plot(rows[x], v0 * (rows[x] / n0) ** slope, color=colour, ls=(0, (4, 3)), lw=1.1, alpha=0.8)


def variance_width_panels(
    table: pd.DataFrame,
    times,
    guide: bool = True,
    titles=None,
    sharey: bool = True,
    legend: str = "outside",
    figsize=None,
) -> plt.Figure:
    """One panel per clock t in ``times``: V (variance over seeds, averaged over probe images and classes) against
    the last width N_L on log–log axes, one line per γ-configuration with its seed-bootstrap interval, and (``guide``)
    a dashed line of slope 1 - 2γ_L from the narrowest width.  ``table``: :func:`gammanet.variance.variance_table`."""
    times = list(times)
    fig, axes = plt.subplots(
        1, len(times), figsize=figsize or (4.1 * len(times) + 1.6, 3.8), sharey=sharey, squeeze=False
    )
    styles = config_styles(table)
    for i, (ax, t) in enumerate(zip(axes[0], times)):
        rows = table[np.isclose(table.t, t)]
        _variance_lines(ax, rows, "N", styles, guide)
        ax.set_xscale("log")
        ax.set_yscale("log")
        width_ticks(ax, rows.N.unique())
        ax.set_xlabel("width $N_L$")
        ax.set_title(titles[i] if titles else f"t = {t:g}")
    axes[0][0].set_ylabel("variance over seeds")
    if guide:
        axes[0][-1].plot([], [], color="0.3", ls=(0, (4, 3)), lw=1.1, label=r"slope $1-2\gamma_L$")
    if legend == "outside":
        axes[0][-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9)
    elif legend:
        axes[0][-1].legend(fontsize=9)
    fig.tight_layout()
    return fig


def slope_agreement(
    slopes: pd.DataFrame, times, prediction: str = "outer", ax: Optional[plt.Axes] = None, label_points: bool = False
) -> plt.Axes:
    """Measured slope (with its bootstrap interval) against the predicted one (column ``prediction`` of
    :func:`gammanet.variance.variance_slopes`), one marker per clock t; on the diagonal when they agree."""
    ax = ax or plt.subplots(figsize=(4.8, 4.2))[1]
    cmap = mpl.colormaps["plasma"]
    times = list(times)
    lo = min(slopes[prediction].min(), slopes.ci_low.min()) - 0.1
    hi = max(slopes[prediction].max(), slopes.ci_high.max()) + 0.1
    ax.plot([lo, hi], [lo, hi], color="0.5", lw=1, label="measured = predicted")
    offsets = np.linspace(-0.025, 0.025, len(times)) if len(times) > 1 else [0.0]
    for j, t in enumerate(times):
        rows = slopes[np.isclose(slopes.t, t)]
        colour = cmap(0.1 + 0.75 * j / max(1, len(times) - 1))
        ax.errorbar(
            rows[prediction] + offsets[j],
            rows.slope,
            yerr=[rows.slope - rows.ci_low, rows.ci_high - rows.slope],
            fmt="o",
            color=colour,
            capsize=2,
            ms=5,
            label=f"t = {t:g}",
        )
        if label_points and j == len(times) - 1:
            for r in rows.itertuples():
                ax.annotate(
                    r.gammas, (r._asdict()[prediction], r.slope), textcoords="offset points", xytext=(6, -3), fontsize=8
                )
    names = {"outer": r"predicted slope $1-2\gamma_L$", "all_layers": r"predicted slope $\sum_\ell(1-2\gamma_\ell)$"}
    ax.set_xlabel(names.get(prediction, prediction))
    ax.set_ylabel("measured slope (95% interval)")
    ax.legend(fontsize=9)
    return ax


def variance_vs_gamma_lines(table: pd.DataFrame, width: int, times, ax: Optional[plt.Axes] = None) -> plt.Axes:
    """V against γ at one width, one line per clock t (a shallow :func:`gammanet.variance.variance_table`)."""
    ax = ax or plt.subplots(figsize=(5.6, 3.8))[1]
    cmap = mpl.colormaps["plasma"]
    times = list(times)
    for j, t in enumerate(times):
        rows = table[(table.N == width) & np.isclose(table.t, t)].sort_values("gamma_outer")
        err = np.vstack([rows.variance - rows.variance_low, rows.variance_high - rows.variance])
        ax.errorbar(
            rows.gamma_outer,
            rows.variance,
            yerr=err,
            marker="o",
            capsize=2,
            ms=5,
            color=cmap(0.1 + 0.75 * j / max(1, len(times) - 1)),
            label=f"t = {t:g}",
        )
    ax.set_yscale("log")
    ax.set_xticks(sorted(table.gamma_outer.unique()))
    ax.set_xlabel("γ")
    ax.set_ylabel("variance over seeds")
    ax.set_title(f"N = {width}")
    ax.legend(fontsize=9)
    return ax


def variance_over_time(table: pd.DataFrame, width: int) -> plt.Figure:
    """Two panels at one width, one line per γ: (a) V relative to its value at t = 0, against t; (b) the mean square
    of the seed-mean logit (the size of what the networks agree on) against t."""
    rows = table[table.N == width]
    styles = config_styles(rows)
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 3.8))
    for label in sorted(rows.gammas.unique(), key=lambda g: rows[rows.gammas == g].gamma_outer.iloc[0]):
        part = rows[rows.gammas == label].sort_values("t")
        colour, marker, line = styles[label]
        a.plot(part.t, part.ratio_to_init, color=colour, marker=marker, ls=line, ms=4, label=f"γ={label}")
        b.plot(part.t, part.mean_square, color=colour, marker=marker, ls=line, ms=4, label=f"γ={label}")
    a.axhline(1.0, color="0.5", lw=1)
    a.set_yscale("log")
    a.yaxis.set_major_formatter(mpl.ticker.FormatStrFormatter("%g"))
    a.yaxis.set_minor_formatter(mpl.ticker.FormatStrFormatter("%g"))
    a.set_xlabel("t = k/N")
    a.set_ylabel("variance / variance at t = 0")
    a.set_title(f"(a) variance over seeds, N = {width}")
    b.set_xlabel("t = k/N")
    b.set_ylabel("mean square of the seed-mean logit")
    b.set_title(f"(b) size of the average logit, N = {width}")
    b.legend(fontsize=9)
    fig.tight_layout()
    return fig


def seed_average_accuracy_plot(accuracy: pd.DataFrame, width: int, t: float, ax: Optional[plt.Axes] = None) -> plt.Axes:
    """Accuracy on the probe images against γ at one width and clock t: single networks (mean ± sd over seeds) and
    the network whose logits are the average over the seeds (:func:`gammanet.variance.seed_average_accuracy`)."""
    ax = ax or plt.subplots(figsize=(5.6, 3.8))[1]
    rows = accuracy[(accuracy.N == width) & np.isclose(accuracy.t, t)].sort_values("gamma_outer")
    n_seeds = int(rows.n_seeds.iloc[0])
    ax.errorbar(
        rows.gamma_outer,
        rows.single,
        yerr=rows.single_sd,
        marker="o",
        capsize=3,
        color="C0",
        label="one network (mean ± sd over seeds)",
    )
    ax.plot(rows.gamma_outer, rows.average, marker="s", color="C3", label=f"average of {n_seeds} seeds' logits")
    ax.set_xticks(sorted(rows.gamma_outer.unique()))
    ax.set_xlabel("γ")
    ax.set_ylabel("accuracy on the probe images")
    ax.set_title(f"N = {width}, t = {t:g}")
    ax.legend(fontsize=9)
    return ax


#: The colours of a claim's status (gammanet.claims.status_class), the same in every chapter.
STATUS_COLOURS = {"holds": "#4c9a5b", "leading order only": "#e0a93b", "fails": "#c0504d"}


def claim_status_chart(tables: dict, ax: Optional[plt.Axes] = None, width: int = 60) -> plt.Axes:
    """The status of every claim of several claims tables at a glance: one row per claim, grouped by table
    (``tables``: {title: frame with ``claim`` or ``prediction`` and ``holds`` or ``status``}), one colour per status
    class (:data:`STATUS_COLOURS`); each row's label is its claim, cut to ``width`` characters."""
    from matplotlib.patches import Patch

    from .claims import status_class

    rows = []
    for title, table in tables.items():
        text = "claim" if "claim" in table.columns else "prediction"
        for _, row in table.iterrows():
            label = str(row[text])
            rows.append((f"{title}: {label[: width - 1] + '…' if len(label) > width else label}", status_class(row)))
    classes = list(STATUS_COLOURS)
    ax = ax or plt.subplots(figsize=(7.5, 0.32 * len(rows) + 1.0))[1]
    codes = np.array([[classes.index(c)] for _, c in rows], dtype=float)
    sns.heatmap(
        codes,
        ax=ax,
        cmap=mpl.colors.ListedColormap(list(STATUS_COLOURS.values())),
        vmin=-0.5,
        vmax=len(classes) - 0.5,
        cbar=False,
        linewidths=1,
        linecolor="white",
        yticklabels=[label for label, _ in rows],
        xticklabels=False,
    )
    ax.tick_params(axis="y", length=0)
    ax.legend(
        handles=[Patch(color=STATUS_COLOURS[c], label=c) for c in classes],
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        frameon=False,
    )
    return ax
