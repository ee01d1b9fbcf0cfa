r"""Log–log slopes of a statistic against width, with a bootstrap over seeds.

The statistic (a variance over seeds, a mean distance, ...) is computed at every width from per-seed samples
``samples[s, j, ...]`` (seed s, width N_j, then any number of point axes averaged out), and the slope is the
least-squares fit of  log stat_j = intercept + slope · log N_j.  The confidence interval comes from the
bootstrap: resample the seeds with replacement — the *same* seeds at every width, since the widths are nested
networks of one draw (common random numbers) — recompute the statistic at every width, refit, and take the
percentiles of the refitted slopes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable, Iterable, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd
import torch

Statistic = Union[str, Callable[[np.ndarray], np.ndarray]]


@dataclass(frozen=True)
class SlopeFit:
    """slope, intercept (natural log of the statistic at N = 1), a ``level`` percentile-bootstrap CI of the slope,
    the bootstrap standard error, and the number of resamples."""

    slope: float
    intercept: float
    ci_low: float
    ci_high: float
    se: float
    level: float
    n_boot: int

    def as_dict(self) -> dict:
        return asdict(self)

    def contains(self, value: float) -> bool:
        return self.ci_low <= value <= self.ci_high


def loglog_fit(x: Sequence[float], y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least squares of log y on log x.  ``x`` (n,); ``y`` (..., n) → slope (...), intercept (...)."""
    lx = np.log(np.asarray(x, dtype=float))
    ly = np.log(np.asarray(y, dtype=float))
    xc = lx - lx.mean()
    slope = (ly * xc).sum(-1) / (xc**2).sum()
    return slope, ly.mean(-1) - slope * lx.mean()


def statistic_function(statistic: Statistic) -> Callable[[np.ndarray], np.ndarray]:
    """A function reducing axis 0 (the seeds) of an array, by name: "variance" (unbiased), "mean",
    "mean_square", "rms" (√ of the mean square); or any callable f(array) → array without axis 0."""
    if callable(statistic):
        return statistic
    table = {
        "variance": lambda a: a.var(0, ddof=1),
        "mean": lambda a: a.mean(0),
        "mean_square": lambda a: (a**2).mean(0),
        "rms": lambda a: np.sqrt((a**2).mean(0)),
    }
    if statistic not in table:
        raise ValueError(f"statistic={statistic!r} is not allowed; choose one of {tuple(table)} or a callable")
    return table[statistic]


def per_width(samples: np.ndarray, statistic: Statistic = "variance") -> np.ndarray:
    """The statistic over seeds, averaged over the point axes: (S, n_widths, ...) → (n_widths,)."""
    values = statistic_function(statistic)(samples)
    return values.reshape(values.shape[0], -1).mean(-1)


def fit_slope(
    widths: Sequence[float],
    samples: Union[np.ndarray, torch.Tensor],
    statistic: Statistic = "variance",
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> SlopeFit:
    """Fit log stat(N) = a + slope · log N with a seed-bootstrap confidence interval (module docstring).

    ``samples``: (S, n_widths, ...) per-seed values, seed s the same network family at every width.
    """
    samples = samples.detach().cpu().numpy() if isinstance(samples, torch.Tensor) else np.asarray(samples, float)
    if samples.ndim < 2 or samples.shape[1] != len(widths):
        raise ValueError(f"samples must have shape (seeds, {len(widths)} widths, ...); got {samples.shape}")
    slope, intercept = loglog_fit(widths, per_width(samples, statistic))
    rng = np.random.default_rng(seed)
    S = samples.shape[0]
    chunk = max(1, int(2**23 // samples.size))
    parts = []
    for start in range(0, n_boot, chunk):
        idx = rng.integers(0, S, size=(min(chunk, n_boot - start), S))
        resampled = np.moveaxis(samples[idx], 1, 0)  # (S, B, n_widths, ...)
        values = statistic_function(statistic)(resampled)  # (B, n_widths, ...)
        parts.append(loglog_fit(widths, values.reshape(*values.shape[:2], -1).mean(-1))[0])
    boot = np.concatenate(parts) if parts else np.array([slope])
    lo, hi = np.percentile(boot, [50 * (1 - level), 50 * (1 + level)])
    se = float(boot.std(ddof=1)) if n_boot > 1 else 0.0
    return SlopeFit(float(slope), float(intercept), float(lo), float(hi), se, float(level), int(n_boot))


#: Digits to which the values of ``by`` are rounded before they are matched (t = step / N_L is a float).
MATCH_DIGITS = 9


def slope_table(
    slopes: pd.DataFrame,
    by: str = "t",
    values: Optional[Iterable[float]] = None,
    digits: int = 2,
    index: str = "gamma",
    predictions: Optional[Mapping[str, str]] = None,
) -> pd.DataFrame:
    """Fitted slopes for display: one row per ``index`` value (in order of appearance), one column per value of
    ``by`` (restricted to ``values``, compared to :data:`MATCH_DIGITS` digits), each cell "slope [ci_low, ci_high]".

    ``slopes``: rows with ``slope``, ``ci_low``, ``ci_high`` (a :class:`SlopeFit` each, e.g. a
    :class:`gammanet.theory.Prediction`'s ``slopes``).  ``predictions``: columns of ``slopes`` to show first, as
    ``{column: title}`` (e.g. ``{"outer": "1 − 2γ_L"}``), formatted like the slopes.
    """
    predictions = dict(predictions or {})
    missing = [c for c in (index, by, "slope", "ci_low", "ci_high", *predictions) if c not in slopes.columns]
    if missing:
        raise ValueError(f"slopes lacks the column(s) {missing}; it has {list(slopes.columns)}")
    rows = slopes
    if values is not None:
        values = list(values)
        numeric = pd.api.types.is_numeric_dtype(slopes[by])
        rows = (
            slopes[slopes[by].round(MATCH_DIGITS).isin([round(float(v), MATCH_DIGITS) for v in values])]
            if numeric
            else slopes[slopes[by].isin(values)]
        )
        if rows.empty:
            raise ValueError(f"no slope at {by} in {values}; the slopes have {by} = {sorted(slopes[by].unique())}")
    cell = rows.apply(lambda r: f"{r.slope:+.{digits}f} [{r.ci_low:+.{digits}f}, {r.ci_high:+.{digits}f}]", axis=1)
    table = rows.assign(fit=cell).pivot(index=index, columns=by, values="fit")
    table.columns = [f"{by}={c:g}" if isinstance(c, (int, float, np.number)) else str(c) for c in table.columns]
    order = list(dict.fromkeys(rows[index]))
    if predictions:
        predicted = rows.groupby(index)[list(predictions)].first().rename(columns=predictions)
        table = predicted.map(lambda v: f"{v:+.{digits}f}").join(table)
    return table.loc[order]
