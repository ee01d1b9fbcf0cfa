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
from typing import Callable, Sequence, Union

import numpy as np
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
    slope = (ly * xc).sum(-1) / (xc ** 2).sum()
    return slope, ly.mean(-1) - slope * lx.mean()


def statistic_function(statistic: Statistic) -> Callable[[np.ndarray], np.ndarray]:
    """A function reducing axis 0 (the seeds) of an array, by name: "variance" (unbiased), "mean",
    "mean_square", "rms" (√ of the mean square); or any callable f(array) → array without axis 0."""
    if callable(statistic):
        return statistic
    table = {
        "variance": lambda a: a.var(0, ddof=1),
        "mean": lambda a: a.mean(0),
        "mean_square": lambda a: (a ** 2).mean(0),
        "rms": lambda a: np.sqrt((a ** 2).mean(0)),
    }
    if statistic not in table:
        raise ValueError(f"statistic={statistic!r} is not allowed; choose one of {tuple(table)} or a callable")
    return table[statistic]


def per_width(samples: np.ndarray, statistic: Statistic = "variance") -> np.ndarray:
    """The statistic over seeds, averaged over the point axes: (S, n_widths, ...) → (n_widths,)."""
    values = statistic_function(statistic)(samples)
    return values.reshape(values.shape[0], -1).mean(-1)


def fit_slope(widths: Sequence[float], samples: Union[np.ndarray, torch.Tensor], statistic: Statistic = "variance",
              n_boot: int = 1000, level: float = 0.95, seed: int = 0) -> SlopeFit:
    """Fit log stat(N) = a + slope · log N with a seed-bootstrap confidence interval (module docstring).

    ``samples``: (S, n_widths, ...) per-seed values, seed s the same network family at every width.
    """
    samples = samples.detach().cpu().numpy() if isinstance(samples, torch.Tensor) else np.asarray(samples, float)
    if samples.ndim < 2 or samples.shape[1] != len(widths):
        raise ValueError(f"samples must have shape (seeds, {len(widths)} widths, ...); got {samples.shape}")
    slope, intercept = loglog_fit(widths, per_width(samples, statistic))
    rng = np.random.default_rng(seed)
    S = samples.shape[0]
    chunk = max(1, int(2 ** 23 // samples.size))
    boot = []
    for start in range(0, n_boot, chunk):
        idx = rng.integers(0, S, size=(min(chunk, n_boot - start), S))
        resampled = np.moveaxis(samples[idx], 1, 0)                        # (S, B, n_widths, ...)
        values = statistic_function(statistic)(resampled)                  # (B, n_widths, ...)
        boot.append(loglog_fit(widths, values.reshape(*values.shape[:2], -1).mean(-1))[0])
    boot = np.concatenate(boot) if boot else np.array([slope])
    lo, hi = np.percentile(boot, [50 * (1 - level), 50 * (1 + level)])
    return SlopeFit(float(slope), float(intercept), float(lo), float(hi), float(boot.std(ddof=1)) if n_boot > 1 else 0.0,
                    float(level), int(n_boot))
