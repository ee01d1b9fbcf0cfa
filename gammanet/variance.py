r"""The variance over initializations of trained networks' outputs, measured from an experiment's probe logits.

Input: the tidy probe outputs of an experiment (:attr:`gammanet.experiments.Results.outputs`), one row per
(member, epoch, image, class) with the columns ``seed, width_1..width_L, widths, gamma_1..gamma_L, epoch, t,
image, label, class, logit``.  Members that differ only in ``seed`` differ only in their initial weights: the runner
trains every member on the same data order (``data_order="shared"``), so the spread over seeds is the spread the
theory's Var refers to — over the random initialization, with the data fixed.

For one γ-configuration and one set of widths, at one epoch, let :math:`g_s(x_i)_k` be the logit of class k on probe
image i of the network with init seed s (S seeds, P images, K classes).  Then

.. math::

    V = \frac{1}{PK}\sum_{i,k} \widehat{\mathrm{Var}}_s\, g_s(x_i)_k, \qquad
    \widehat{\mathrm{Var}}_s\, a_s = \frac{1}{S-1}\sum_s (a_s - \bar a)^2 ,

the unbiased variance over seeds (``ddof=1``), averaged over images and classes.  Its uncertainty comes from a
bootstrap over seeds (resample the S seeds with replacement, recompute V), because the seeds are the independent
units: the images share every network, so they are not independent samples.

- :func:`seed_variance` — the variance over seeds per (configuration, widths, epoch, image, class);
- :func:`variance_table` — V per (configuration, widths, epoch) with a seed-bootstrap interval, the ratio to the
  initial value, and the size of the seed-mean logits;
- :func:`variance_slopes` — the log–log slope of V against the last width N_L per (configuration, t), with a
  seed-bootstrap interval, beside the predicted 1 - 2γ_L; the fit is :func:`fast_fit_slope`, which gives
  :func:`gammanet.theory.fit_slope`'s numbers (same draws) from per-seed moments, 30 times faster;
- :func:`slope_comparison` — those slopes as a display table: measured [interval] against the predictions;
- :func:`gamma_ordering` — at each width and time, does V fall monotonically as γ → 1?
- :func:`average_variance` — the variance of the average of m networks (seeds grouped m at a time), against V;
- :func:`seed_average_accuracy` — a single network's accuracy against that of the average of the logits over the
  seeds (what averaging the seeds away buys).

Predicted slopes (the book's list of predictions, chapter 8): the leading fluctuation of the expansion gives
Var ∝ N_L^{1-2γ_L} (prediction 2, :func:`outer_slope`).  At initialization the law
Var g_0 = N_L^{1-2γ_L} E[C²] E[σ(Z^L)²] is exact; for an odd activation (tanh, σ(0) = 0, no biases) whose inner
layers widen together with N_L, E[σ(Z^L)²] itself scales like N^{1-2γ_{L-1}} (and so on down) when the inner γ's
exceed 1/2, which gives the slope Σ_ℓ (1 - 2γ_ℓ) (:func:`all_layers_slope`; our derivation, chapter 5, the same
as :func:`gammanet.theory.predicted_init_slope`).
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence

import numpy as np
import pandas as pd

from .columns import gamma_columns, gamma_label, width_columns
from .theory.deep import predicted_init_slope
from .theory.fitting import MATCH_DIGITS, SlopeFit, loglog_fit, slope_table
from .validation import check_int, check_nonnegative_int, check_positive_int, check_probability

REQUIRED = ("seed", "epoch", "t", "image", "class", "logit")
#: Digits to which t is rounded before comparing the clocks of different widths (t = step / N_L is a float).
T_DIGITS = MATCH_DIGITS


# ------------------------------------------------------------------------------------------------ the columns
def _label(gammas) -> str:
    """The ``gammas`` column of this module's tables: "0.75" for one layer, "(1, 0.5)" for several."""
    return gamma_label(gammas, prefix="", compact=True)


def _check_outputs(outputs) -> None:
    if not isinstance(outputs, pd.DataFrame):
        raise ValueError(f"outputs must be a pandas DataFrame (Results.outputs); got {type(outputs).__name__}")
    missing = [c for c in REQUIRED if c not in outputs.columns]
    if not gamma_columns(outputs):
        missing.append("gamma_1..")
    if not width_columns(outputs):
        missing.append("width_1..")
    if missing:
        raise ValueError(
            f"outputs lacks the column(s) {missing}; pass Results.outputs of an experiment recorded "
            "with probe > 0 (columns seed, width_*, gamma_*, epoch, t, image, class, logit)"
        )
    if len(outputs) == 0:
        raise ValueError(
            "outputs is empty: the experiment recorded no probe logits (probe = 0?) or nothing has finished yet"
        )
    if not np.isfinite(outputs["logit"].to_numpy(dtype=float)).all():
        raise ValueError("outputs holds non-finite logits (a diverged member?); drop those members first")


def _config_keys(outputs: pd.DataFrame) -> list[str]:
    """What identifies a group of seeds: the widths and the γ's."""
    return width_columns(outputs) + gamma_columns(outputs)


def _cubes(outputs: pd.DataFrame):
    """Yield (config: dict, epochs (E,), ts (E,), seeds (S,), images (P,), cube (E, S, P, K)) per (widths, γ's).

    Raises if a group is not a full rectangle (every seed at every epoch, image and class, exactly once)."""
    _check_outputs(outputs)
    keys = _config_keys(outputs)
    for config, g in outputs.groupby(keys, sort=True, dropna=False):
        config = dict(zip(keys, config if isinstance(config, tuple) else (config,)))
        epochs, ie = np.unique(g["epoch"].to_numpy(), return_inverse=True)
        seeds, is_ = np.unique(g["seed"].to_numpy(), return_inverse=True)
        images, ii = np.unique(g["image"].to_numpy(), return_inverse=True)
        classes, ic = np.unique(g["class"].to_numpy(), return_inverse=True)
        shape = (len(epochs), len(seeds), len(images), len(classes))
        where = f"widths {_widths_text(config)}, γ = {_label([config[c] for c in gamma_columns(outputs)])}"
        if len(seeds) < 2:
            raise ValueError(f"{where}: only {len(seeds)} seed; a variance over seeds needs at least 2")
        if len(g) != np.prod(shape):
            raise ValueError(
                f"{where}: {len(g)} rows, but {len(seeds)} seeds × {len(epochs)} epochs × "
                f"{len(images)} images × {len(classes)} classes = {int(np.prod(shape))}; every seed "
                "must have every epoch, image and class exactly once (an unfinished unit, or rows "
                "of two experiments mixed?)"
            )
        cube = np.full(shape, np.nan)
        cube[ie, is_, ii, ic] = g["logit"].to_numpy(dtype=float)
        if np.isnan(cube).any():
            raise ValueError(f"{where}: some (seed, epoch, image, class) appear twice and others not at all")
        t = np.full(len(epochs), np.nan)
        t[ie] = g["t"].to_numpy(dtype=float)
        yield config, epochs, t, seeds, images, cube


def _widths(config: dict) -> list[int]:
    """N_1..N_L of a configuration (its width_* entries in layer order, NaN layers of shallower blocks left out)."""
    return [int(config[c]) for c in width_columns(config) if not pd.isna(config[c])]


def _widths_text(config: dict) -> str:
    return "-".join(map(str, _widths(config)))


def _row_keys(config: dict, gcols: list, epoch, t) -> dict:
    """The columns that say which network and time a row of a variance table is about: the configuration, its
    widths as text, N = N_L, its γ's as a label and γ_L, the epoch and the clock t."""
    return {
        **config,
        "widths": _widths_text(config),
        "N": _last_width(config),
        "gammas": _label([config[c] for c in gcols]),
        "gamma_outer": _last_gamma(config),
        "epoch": int(epoch),
        "t": float(t),
    }


def _last_width(config: dict) -> int:
    return _widths(config)[-1]


def _outer_gamma(gammas) -> float:
    """γ_L: the last γ of a configuration (NaN layers of shallower blocks left out)."""
    return [float(g) for g in np.atleast_1d(gammas) if not pd.isna(g)][-1]


def _last_gamma(config: dict) -> float:
    return _outer_gamma([config[c] for c in gamma_columns(config)])


def _check_ddof(ddof) -> int:
    return check_int("ddof", ddof, 0, 1)  # 1: unbiased (the default); 0: the plain mean square


# ------------------------------------------------------------------------------------------- the reductions
def seed_variance(outputs: pd.DataFrame, ddof: int = 1) -> pd.DataFrame:
    """The variance over seeds of every logit: one row per (widths, γ's, epoch, image, class).

    Columns: ``width_*, widths, gamma_*, epoch, t, image, class, variance, mean, n_seeds``; ``mean`` is the
    seed-mean logit.  ``ddof=1`` divides by S - 1 (unbiased), ``ddof=0`` by S.
    """
    ddof = _check_ddof(ddof)
    frames = []
    for config, epochs, t, _seeds, _images, cube in _cubes(outputs):
        E, S, P, K = cube.shape
        e, i, k = (a.ravel() for a in np.meshgrid(np.arange(E), np.arange(P), np.arange(K), indexing="ij"))
        frame = pd.DataFrame({**config, "widths": _widths_text(config)}, index=range(E * P * K))
        frame["epoch"], frame["t"] = epochs[e], t[e]
        frame["image"], frame["class"] = i, k
        frame["variance"] = cube.var(axis=1, ddof=ddof).ravel()
        frame["mean"] = cube.mean(axis=1).ravel()
        frame["n_seeds"] = S
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _seed_moments(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """cells (..., S, C) → q (..., S), the mean square of each seed over the C cells, and the Gram matrix
    G (..., S, S) = mean over cells of x_s x_s'.  Enough for the cell-averaged variance of any resample of seeds."""
    cells = np.asarray(cells, dtype=float)
    return (cells**2).mean(-1), cells @ np.swapaxes(cells, -1, -2) / cells.shape[-1]


def _resampled_variance(q: np.ndarray, gram: np.ndarray, counts: np.ndarray, ddof: int) -> np.ndarray:
    """The cell-averaged variance (over seeds) of resamples given by ``counts`` (B, S) (how often each seed is drawn),
    for q (W, S) and gram (W, S, S): (B, W).  For counts c, Σc = S:  mean over cells of
    Var = S/(S - ddof) · (Σ_s c_s q_s / S - cᵀ G c / S²)."""
    S = counts.shape[1]
    first = counts @ q.T / S
    second = np.einsum("bs,wst,bt->bw", counts, gram, counts) / S**2
    return S / (S - ddof) * (first - second)


def _counts(rng: np.random.Generator, n_boot: int, S: int) -> np.ndarray:
    """(n_boot, S) counts of S seeds drawn with replacement, from the draws rng.integers(0, S, (n_boot, S))."""
    idx = rng.integers(0, S, size=(n_boot, S))
    return np.stack([np.bincount(row, minlength=S) for row in idx]).astype(float)


def _bootstrap_variance(cube: np.ndarray, ddof: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """(n_boot, E) mean over images and classes of the variance over resampled seeds; cube (E, S, P, K).

    A resample of S values drawn with replacement from S has, on average, (S-1)/S of their variance (the
    duplicates add nothing), so each replicate is multiplied by S/(S-1): the bootstrap distribution is then centred
    on the estimate instead of 1/S below it (12% at S = 8)."""
    E, S = cube.shape[:2]
    q, gram = _seed_moments(cube.reshape(E, S, -1))
    return _resampled_variance(q, gram, _counts(rng, n_boot, S), ddof) * S / (S - 1)


def variance_table(
    outputs: pd.DataFrame, ddof: int = 1, n_boot: int = 200, level: float = 0.95, seed: int = 0
) -> pd.DataFrame:
    """V (the variance over seeds averaged over images and classes) per (widths, γ's, epoch).

    Columns: ``width_*, widths, N`` (the last width N_L), ``gamma_*, gammas`` (a label), ``gamma_outer``,
    ``epoch, t, variance``, ``variance_low, variance_high`` (``level`` percentile interval of a bootstrap over
    seeds, ``n_boot`` resamples drawn with ``seed``; 0 resamples gives NaN), ``variance_se`` (the bootstrap standard
    deviation), ``ratio_to_init`` (V / V at epoch 0 of the same widths and γ's; NaN without epoch 0),
    ``mean_square`` (the mean square of the seed-mean logits: the size of what the networks agree on),
    ``n_seeds, n_images``.  Sorted by widths, γ's, epoch.
    """
    ddof = _check_ddof(ddof)
    n_boot = check_nonnegative_int("n_boot", n_boot)
    level = check_probability("level", level, open_interval=True)
    rng = np.random.default_rng(seed)
    gcols = gamma_columns(outputs) if isinstance(outputs, pd.DataFrame) else []
    rows = []
    for config, epochs, t, _seeds, _images, cube in _cubes(outputs):
        E, S, P, K = cube.shape
        v = cube.var(axis=1, ddof=ddof).mean(axis=(1, 2))
        mean_square = (cube.mean(axis=1) ** 2).mean(axis=(1, 2))
        if n_boot > 0:
            boot = _bootstrap_variance(cube, ddof, n_boot, rng)
            low, high = np.percentile(boot, [50 * (1 - level), 50 * (1 + level)], axis=0)
            se = boot.std(axis=0, ddof=1) if n_boot > 1 else np.zeros(E)
        else:
            low = high = se = np.full(E, np.nan)
        init = v[list(epochs).index(0)] if 0 in epochs else np.nan
        for j in range(E):
            rows.append(
                {
                    **_row_keys(config, gcols, epochs[j], t[j]),
                    "variance": float(v[j]),
                    "variance_low": float(low[j]),
                    "variance_high": float(high[j]),
                    "variance_se": float(se[j]),
                    "ratio_to_init": float(v[j] / init),
                    "mean_square": float(mean_square[j]),
                    "n_seeds": S,
                    "n_images": P,
                }
            )
    table = pd.DataFrame(rows)
    return table.sort_values(["gammas", "N", "widths", "epoch"], kind="stable", ignore_index=True)


# ------------------------------------------------------------------------------------------ the predictions
def outer_slope(gammas) -> float:
    """The leading-order slope of log Var against log N_L: 1 - 2γ_L (the outer γ; prediction 2 and 8)."""
    values = [float(g) for g in np.atleast_1d(gammas) if not pd.isna(g)]
    return predicted_init_slope(values, family="outer")


def all_layers_slope(gammas) -> float:
    """Σ_ℓ (1 - 2γ_ℓ): the slope of Var g_0 at initialization for tanh without biases when every hidden width
    grows with N (each layer's pre-activation shrinks like N^{1/2-γ_ℓ} and tanh is linear near 0)."""
    values = [float(g) for g in np.atleast_1d(gammas) if not pd.isna(g)]
    return predicted_init_slope(values, activation="tanh", family="equal")


# --------------------------------------------------------------------------------------------- the slopes
def variance_slopes(
    outputs: pd.DataFrame,
    times: Optional[Iterable[float]] = None,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """The log–log slope of V against the last width N_L, per γ-configuration and clock t, with a seed-bootstrap
    ``level`` interval (:func:`gammanet.theory.fit_slope`, seeds resampled jointly across widths).

    A fit uses every width that reached the same t (t = step / N_L, compared to ``T_DIGITS`` digits); ``times``
    restricts the t's (default: every t that at least two widths share).  The frame must hold ONE family of widths:
    each N_L once per γ-configuration (select e.g. ``outputs[outputs.width_1 == 50]`` first otherwise), and the same
    seeds at every width.

    Columns: ``gamma_*, gammas, gamma_outer, t, slope, intercept, ci_low, ci_high, se, n_widths, widths`` (the N_L
    used, as a tuple), ``outer`` (1 - 2γ_L), ``all_layers`` (Σ_ℓ (1 - 2γ_ℓ)), ``contains_outer`` (the interval
    contains 1 - 2γ_L).
    """
    _check_outputs(outputs)
    wanted = None if times is None else {round(float(t), T_DIGITS) for t in times}
    gcols = gamma_columns(outputs)
    by_gamma: dict = {}
    for config, epochs, t, seeds, images, cube in _cubes(outputs):
        gammas = tuple(config[c] for c in gcols)
        by_gamma.setdefault(gammas, []).append((config, epochs, t, seeds, images, cube))
    rows = []
    for gammas, groups in by_gamma.items():
        label = _label(gammas)
        n_last = [_last_width(c) for c, *_ in groups]
        if len(set(n_last)) != len(n_last):
            twice = sorted({n for n in n_last if n_last.count(n) > 1})
            # sorted as widths, not as text: 100-200 comes after 25-50
            settings = [
                _widths_text(c) for c in sorted((c for c, *_ in groups if _last_width(c) in twice), key=_widths)
            ]
            raise ValueError(
                f"γ = {label}: the last width N_L = {twice} appears in several width settings "
                f"{settings}; select one family of widths first (e.g. outputs[outputs.width_1 == 50])"
            )
        reference = groups[0][3]
        for config, _, _, seeds, _, _ in groups:
            if not np.array_equal(seeds, reference):
                raise ValueError(
                    f"γ = {label}: widths {_widths_text(config)} has seeds {list(seeds)} but "
                    f"{_widths_text(groups[0][0])} has {list(reference)}; the slope's bootstrap "
                    "resamples the same seeds at every width"
                )
        by_t: dict = {}
        for config, _epochs, t, _seeds, _, cube in groups:
            for j, tj in enumerate(np.round(t, T_DIGITS)):
                by_t.setdefault(tj, []).append((_last_width(config), cube[j]))
        for tj in sorted(by_t):
            entries = sorted(by_t[tj], key=lambda e: e[0])
            if len(entries) < 2 or (wanted is not None and tj not in wanted):
                continue
            widths = [n for n, _ in entries]
            fit = fast_fit_slope(widths, [c for _, c in entries], n_boot=n_boot, level=level, seed=seed)
            rows.append(
                {
                    **dict(zip(gcols, gammas)),
                    "gammas": label,
                    "gamma_outer": _outer_gamma(gammas),
                    "t": float(tj),
                    "slope": fit.slope,
                    "intercept": fit.intercept,
                    "ci_low": fit.ci_low,
                    "ci_high": fit.ci_high,
                    "se": fit.se,
                    "n_widths": len(widths),
                    "widths": tuple(widths),
                    "outer": outer_slope(gammas),
                    "all_layers": all_layers_slope(gammas),
                    "contains_outer": fit.contains(outer_slope(gammas)),
                }
            )
    if wanted is not None:
        found = {round(r["t"], T_DIGITS) for r in rows}
        if not found & wanted:
            raise ValueError(
                f"no t in times={sorted(wanted)} is shared by two widths or more; t's the widths share "
                f"are computed as step / N_L"
            )
    if not rows:
        raise ValueError(
            "no clock t is shared by two widths or more: a slope needs at least two widths at the same t = step / N_L"
        )
    return pd.DataFrame(rows).sort_values(["gammas", "t"], kind="stable", ignore_index=True)


def fast_fit_slope(
    widths: Sequence[float], samples: Sequence[np.ndarray], n_boot: int = 1000, level: float = 0.95, seed: int = 0
) -> SlopeFit:
    """:func:`gammanet.theory.fit_slope` with the statistic "variance" (ddof = 1 over seeds, averaged over the
    other axes), the same bootstrap draws and the same result, in O(S²) per resample instead of O(S·P·K).

    ``samples``: one array (S, ...) per width, seed s the same network family at every width.  For a resample
    with counts c_s of each seed, the mean over cells of the variance is
    S/(S-1) · (Σ_s c_s q_s / S - cᵀ G c / S²), with q_s the mean square of seed s and G the Gram matrix of the
    seeds (mean over cells of x_s x_s'), both computed once per width."""
    widths = list(widths)
    if len(samples) != len(widths):
        raise ValueError(f"give one sample array per width: {len(samples)} arrays for {len(widths)} widths")
    flat = [np.asarray(x, dtype=float).reshape(len(x), -1) for x in samples]
    S = flat[0].shape[0]
    if S < 2 or any(x.shape[0] != S for x in flat):
        raise ValueError(f"every width needs the same number (>= 2) of seeds; got {[x.shape[0] for x in flat]}")
    moments = [_seed_moments(x) for x in flat]
    q, gram = np.stack([m[0] for m in moments]), np.stack([m[1] for m in moments])  # (W, S), (W, S, S)
    point = np.array([x.var(0, ddof=1).mean() for x in flat])
    slope, intercept = loglog_fit(widths, point)
    if n_boot > 0:  # fit_slope's draws, in the same order
        resampled = _resampled_variance(q, gram, _counts(np.random.default_rng(seed), n_boot, S), 1)
        boot = loglog_fit(widths, np.clip(resampled, 1e-300, None))[0]
    else:
        boot = np.array([slope])
    lo, hi = np.percentile(boot, [50 * (1 - level), 50 * (1 + level)])
    return SlopeFit(
        float(slope),
        float(intercept),
        float(lo),
        float(hi),
        float(boot.std(ddof=1)) if n_boot > 1 else 0.0,
        float(level),
        int(n_boot),
    )


def slope_comparison(
    slopes: pd.DataFrame,
    times: Optional[Iterable[float]] = None,
    digits: int = 2,
    predictions: Sequence[str] = ("outer",),
) -> pd.DataFrame:
    """The slopes of :func:`variance_slopes` for display (:func:`gammanet.theory.fitting.slope_table`): one row per
    γ-configuration (ordered by the outer γ, then the inner ones), the predicted slope(s) (``predictions``:
    ``"outer"`` = 1 - 2γ_L, ``"all_layers"`` = Σ_ℓ (1 - 2γ_ℓ)), then one column per t, each cell
    "slope [ci_low, ci_high]"."""
    names = {"outer": "1 − 2γ_L", "all_layers": "Σ(1 − 2γ_ℓ)"}
    order = (
        slopes.sort_values(gamma_columns(slopes)[::-1] if gamma_columns(slopes) else "gammas", kind="stable")
        if "gammas" in slopes.columns
        else slopes
    )
    return slope_table(order, "t", times, digits, index="gammas", predictions={p: names.get(p, p) for p in predictions})


# ------------------------------------------------------------------------------------------- γ and accuracy
def gamma_ordering(table: pd.DataFrame) -> pd.DataFrame:
    """At each widths and epoch of a shallow :func:`variance_table`: does V fall monotonically as γ grows?

    Columns: ``widths, N, epoch, t, monotone`` (strictly falling from the smallest to the largest γ),
    ``ratio`` (V at the smallest γ / V at the largest), ``gammas`` (the γ's in order) and ``variances``."""
    if "gamma_outer" not in table.columns or "variance" not in table.columns:
        raise ValueError("table must be the frame of variance_table (columns gamma_outer, variance, ...)")
    if "gamma_2" in table.columns and table["gamma_2"].notna().any():
        raise ValueError("gamma_ordering is for shallow networks (one γ); the table holds deeper ones")
    rows = []
    for (widths, epoch), part in table.groupby(["widths", "epoch"], sort=True):
        part = part.sort_values("gamma_outer")
        v = part.variance.to_numpy()
        rows.append(
            dict(
                widths=widths,
                N=int(part.N.iloc[0]),
                epoch=int(epoch),
                t=float(part.t.iloc[0]),
                monotone=bool(np.all(np.diff(v) < 0)),
                ratio=float(v[0] / v[-1]),
                gammas=tuple(part.gamma_outer),
                variances=tuple(v),
            )
        )
    return pd.DataFrame(rows).sort_values(["N", "epoch"], ignore_index=True)


def average_variance(outputs: pd.DataFrame, group_size: int, ddof: int = 1) -> pd.DataFrame:
    """The variance of the average of ``group_size`` networks: the seeds (in increasing order) are cut into
    consecutive groups of ``group_size`` (a remainder is left out), the logits are averaged within each group, and
    V is computed over the groups instead of the seeds.  Needs at least two groups.

    One row per (widths, γ's, epoch): ``group_size, n_groups, variance`` (of the group averages, averaged over
    images and classes), ``single`` (V of single networks from the same seeds) and ``ratio`` (variance / single)."""
    group_size = check_positive_int("group_size", group_size)
    ddof = _check_ddof(ddof)
    gcols = gamma_columns(outputs) if isinstance(outputs, pd.DataFrame) else []
    rows = []
    for config, epochs, t, seeds, _images, cube in _cubes(outputs):
        n_groups = len(seeds) // group_size
        if n_groups < 2:
            raise ValueError(
                f"group_size={group_size} leaves {n_groups} group(s) of the {len(seeds)} seeds; the "
                "variance over groups needs at least two"
            )
        used = cube[:, : n_groups * group_size]
        means = used.reshape(used.shape[0], n_groups, group_size, *used.shape[2:]).mean(axis=2)
        v = means.var(axis=1, ddof=ddof).mean(axis=(1, 2))
        single = used.var(axis=1, ddof=ddof).mean(axis=(1, 2))
        for j in range(len(epochs)):
            rows.append(
                {
                    **_row_keys(config, gcols, epochs[j], t[j]),
                    "group_size": int(group_size),
                    "n_groups": n_groups,
                    "variance": float(v[j]),
                    "single": float(single[j]),
                    "ratio": float(v[j] / single[j]),
                }
            )
    return pd.DataFrame(rows).sort_values(["gammas", "N", "widths", "epoch"], kind="stable", ignore_index=True)


def seed_average_accuracy(outputs: pd.DataFrame) -> pd.DataFrame:
    """Accuracy on the probe images of single networks and of the average of the logits over the seeds.

    One row per (widths, γ's, epoch): ``single`` (mean over seeds of each network's accuracy), ``single_sd`` (their
    standard deviation over seeds), ``average`` (accuracy of argmax_k of the seed-mean logits), ``gain`` (average -
    single), ``n_seeds, n_images``.  Needs the ``label`` column (the probe images' digits)."""
    _check_outputs(outputs)
    if "label" not in outputs.columns or (outputs["label"] < 0).any():
        raise ValueError(
            "outputs has no labels for its probe images (column label, -1 when unknown); the accuracy needs them"
        )
    labels = outputs.drop_duplicates("image").set_index("image")["label"].sort_index()
    gcols = gamma_columns(outputs)
    rows = []
    for config, epochs, t, _seeds, images, cube in _cubes(outputs):
        y = labels.loc[images].to_numpy()
        single = (cube.argmax(-1) == y).mean(-1)  # (E, S)
        average = (cube.mean(axis=1).argmax(-1) == y).mean(-1)  # (E,)
        for j in range(len(epochs)):
            rows.append(
                {
                    **_row_keys(config, gcols, epochs[j], t[j]),
                    "single": float(single[j].mean()),
                    "single_sd": float(single[j].std(ddof=1)),
                    "average": float(average[j]),
                    "gain": float(average[j] - single[j].mean()),
                    "n_seeds": cube.shape[1],
                    "n_images": cube.shape[2],
                }
            )
    return pd.DataFrame(rows).sort_values(["gammas", "N", "widths", "epoch"], kind="stable", ignore_index=True)


__all__ = [
    "all_layers_slope",
    "average_variance",
    "fast_fit_slope",
    "gamma_columns",
    "gamma_ordering",
    "outer_slope",
    "seed_average_accuracy",
    "seed_variance",
    "slope_comparison",
    "variance_slopes",
    "variance_table",
    "width_columns",
]
