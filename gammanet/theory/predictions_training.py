r"""Predictions after training: shallow networks trained by full-batch gradient descent on a small problem.

One :func:`train_sweep` trains every (γ, width, seed) once — nested widths, common seeds across γ — and records the
outputs at a few times t = k/N, beside the linearized networks and the frozen-kernel limit
(:class:`gammanet.theory.KernelLimit`).  The prediction functions are views of one sweep (pass ``sweep=``, or let
them train one with the given keyword arguments):

- :func:`variance_vs_width` — Var g^N_t(x) against N per (γ, t), slopes vs 1 - 2γ, and the leading-order
  prediction N^{1-2γ} Var K_t(x);
- :func:`variance_vs_gamma` — at fixed N the variance falls as γ → 1;
- :func:`variance_vs_time` — the variance (and the bias) against t; ratio to t = 0 against the predicted
  Var K_t / Var K_0;
- :func:`mean_vs_kernel_limit` — the seed-mean against h_t, error vs N (slope -2(1-γ) with a symmetric readout,
  -(1-γ) where the first correction Q¹ does not vanish: chapter 4, :mod:`gammanet.theory.expansion`);
- :func:`distance_to_linearized` — network vs its linearization at initialization, against N.

The loss curves across widths train their own networks: :func:`loss_curves` (loss against t, with the theory's
rates and with one fixed rate) and :func:`loss_spread` (how far apart the curves are).

Seed-means.  The mean over seeds is swamped by the leading fluctuation N^{1/2-γ} K_t unless it is removed.  Two
ways, both exact in expectation (:meth:`TrainingSweep.mean_samples`): antithetic pairs (each network with its
mirror C → -C, for the symmetric normal readout), or the control variate g_t - N^{1/2-γ}K_t, where N^{1/2-γ}K_t is
computed from each network's own initial output by the frozen-kernel flow (:meth:`KernelLimit.transport`; its
mean is zero for any centred readout).

Conventions: loss (1/2M) Σ (y - g)², rate α N^{2γ-2} (α = :data:`ALPHA`), t = k/N; variances are over seeds,
averaged over the P evaluation points (``split="test"``) or the M training points (``split="train"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence, Union

import numpy as np
import pandas as pd
import torch

from .dynamics import ALPHA, GAMMAS, train_widths
from .fitting import fit_slope
from .kernel import KernelLimit
from .networks import InitLaw, resolve_init
from .problems import RegressionProblem, toy_problem
from .results import Prediction
from .threads import with_threads
from ..validation import check_choice
from .variance import variance_with_se

TIMES = (0.0, 0.25, 0.5, 1.0)
WIDTHS = (50, 100, 200, 400, 800)


@dataclass
class TrainingSweep:
    """Every (γ, width, seed) trained once: ``runs`` (one :class:`ShallowRun` per width, increasing), the
    frozen-kernel ``limit`` for the same problem and α, the ``config`` (sizes, α, seeds) and the ``init`` law."""

    problem: RegressionProblem
    runs: list
    limit: KernelLimit
    config: dict = field(default_factory=dict)
    init: InitLaw = field(default_factory=InitLaw)

    @property
    def widths(self) -> list[int]:
        return [r.width for r in self.runs]

    @property
    def gammas(self) -> tuple[float, ...]:
        return self.runs[0].gammas

    @property
    def times(self) -> np.ndarray:
        return self.runs[0].times

    @property
    def seeds(self) -> tuple[int, ...]:
        """The S independent seeds (an antithetic sweep also holds each one's mirror)."""
        return self.runs[0].seeds[: self.runs[0].n_seeds]

    @property
    def antithetic(self) -> bool:
        return self.runs[0].antithetic

    def samples(self, gamma: float, t: float, split: str = "test", kind: str = "output") -> torch.Tensor:
        """Per-seed values at every width, shape (S, W, P), from the S independent networks (not the mirrors):
        ``kind`` "output" (g^N_t), "linearized" (g^lin_t) or "difference" (g^N_t - g^lin_t)."""
        return self._values(gamma, t, split, kind)[: self.runs[0].n_seeds]

    @property
    def mean_method(self) -> str:
        """How :meth:`mean_samples` removes the leading fluctuation: "antithetic pairs", "control variate" (a
        centred readout with t = 0 recorded) or "none"."""
        if self.antithetic:
            return "antithetic pairs"
        if self.init.readout_mean == 0 and np.any(self.times == 0):
            return "control variate"
        return "none"

    def mean_samples(self, gamma: float, t: float, split: str = "test") -> torch.Tensor:
        """Per-seed values (S, W, P) with the same mean as g^N_t and without its leading fluctuation
        N^{1/2-γ} K_t (module docstring): :meth:`pair_means`, :meth:`controlled`, or the plain outputs."""
        method = self.mean_method
        if method == "antithetic pairs":
            return self.pair_means(gamma, t, split)
        if method == "control variate":
            return self.controlled(gamma, t, split)
        return self.samples(gamma, t, split)

    def controlled(self, gamma: float, t: float, split: str = "test") -> torch.Tensor:
        """g^N_t - N^{1/2-γ} K_t per seed, (S, W, P): each network's own initial output carried by the frozen-kernel
        flow (:meth:`KernelLimit.transport`) and subtracted.  Same mean as g^N_t when E[C] = 0 (exactly: E g_0 = 0)."""
        if not np.any(self.times == 0):
            raise ValueError("the control variate needs the outputs at t = 0: train the sweep with 0 in times")
        g0_train = self.samples(gamma, 0.0, "train")
        g0_test = self.samples(gamma, 0.0, "test")
        carried_train, carried_test = self.limit.transport([t], g0_train, g0_test)
        carried = (carried_train if split == "train" else carried_test)[..., 0, :]
        return self.samples(gamma, t, split) - carried

    def pair_means(self, gamma: float, t: float, split: str = "test") -> torch.Tensor:
        """(g(network) + g(mirror))/2 per seed, (S, W, P), for an antithetic sweep (else the outputs): i.i.d.
        over seeds with the same mean as the outputs, without the leading fluctuation N^{1/2-γ} K_t."""
        values = self._values(gamma, t, split, "output")
        s = self.runs[0].n_seeds
        return (values[:s] + values[s:]) / 2 if self.antithetic else values

    def _values(self, gamma: float, t: float, split: str, kind: str) -> torch.Tensor:
        g, i = self.gammas.index(float(gamma)), int(np.argmin(np.abs(self.times - t)))
        parts = []
        for run in self.runs:
            out = run.outputs[split][g, :, i]
            if kind in ("linearized", "difference"):
                if not run.linearized:
                    raise ValueError("this sweep has no linearized networks: train it with linearized=True")
                lin = run.linearized[split][g, :, i]
                out = lin if kind == "linearized" else out - lin
            parts.append(out.to(torch.float64))
        return torch.stack(parts, 1)

    def loss_frame(self) -> pd.DataFrame:
        """Every recorded training loss, one row per (γ, N, seed, t)."""
        return pd.concat([r.loss_frame() for r in self.runs], ignore_index=True)


@with_threads
def train_sweep(
    problem: Optional[RegressionProblem] = None,
    widths: Sequence[int] = WIDTHS,
    gammas: Sequence[float] = GAMMAS,
    n_seeds: int = 64,
    seed: int = 0,
    times: Iterable[float] = TIMES,
    alpha: float = ALPHA,
    linearized: bool = True,
    antithetic: bool = False,
    dtype: torch.dtype = torch.float32,
    init: Union[str, InitLaw] = "centered",
    hidden_bias: float = 0.0,
    device: Union[str, torch.device, None] = None,
) -> TrainingSweep:
    """Train S = ``n_seeds`` networks (seeds ``seed .. seed + S - 1``) per (γ, width) on ``problem`` (default
    :func:`toy_problem`) and record them at ``times``.

    Cost ∝ Σ_N t_max N² · |γ| S M (twice that with ``antithetic``, which also trains every network's mirror for
    sharper seed-means): the defaults take about half a minute on two CPU cores, dominated by the widest width;
    halve ``n_seeds`` or drop the 800 to go faster.  Train once and pass the sweep to every prediction function.
    ``dtype`` float32 is ample here (variances ≥ 1e-8) and about twice as fast as float64.  ``init``: the readout
    law (:data:`gammanet.theory.INIT_LAWS`; "centered" or "skewed" for the expansion); ``hidden_bias``: a fixed
    bias β in every unit (:func:`train_widths`); ``device``: where the networks train (None: the CPU)."""
    problem = toy_problem() if problem is None else problem
    law = resolve_init(init)
    runs = train_widths(
        problem,
        widths,
        gammas,
        n_seeds,
        seed,
        times,
        alpha,
        linearized=linearized,
        antithetic=antithetic,
        init=law,
        dtype=dtype,
        hidden_bias=hidden_bias,
        device=device,
    )
    limit = KernelLimit(problem, alpha, readout_second_moment=law.readout_second_moment, hidden_bias=hidden_bias)
    config = dict(
        problem=problem.info,
        widths=[int(w) for w in sorted(widths)],
        gammas=[float(g) for g in gammas],
        n_seeds=n_seeds,
        seeds=[seed, seed + n_seeds - 1],
        times=[float(t) for t in runs[0].times],
        alpha=float(alpha),
        loss="(1/2M) sum (y - g)^2",
        learning_rate="alpha * N^(2 gamma - 2)",
        clock="t = k / N",
        antithetic=bool(antithetic),
        dtype=str(dtype),
        init=law.name,
        hidden_bias=float(hidden_bias),
    )
    return TrainingSweep(problem, runs, limit, config, law)


def sweep_summary(sweep: TrainingSweep, split: str = "test") -> pd.DataFrame:
    """One row per (γ, N, t): the statistics every prediction reads.

    ``variance`` ± ``variance_se`` (over seeds, averaged over points), ``predicted_variance`` = N^{1-2γ} Var K_t
    (averaged over points), ``limit_error`` = RMS over points of (seed-mean - h_t), ``noise_floor`` = the part of
    ``limit_error`` seed noise alone explains (√(mean over points of Var/S)), ``bias_sq`` = mean over points of
    (seed-mean - y)², ``distance`` = RMS over seeds and points of (g^N_t - g^lin_t) (NaN without linearization),
    ``loss`` = seed-mean training loss, ``limit_loss`` = the kernel limit's loss.  The seed-means
    (``limit_error``, ``noise_floor``, ``bias_sq``) use :meth:`TrainingSweep.mean_samples` (antithetic pairs or the
    control variate, without the leading fluctuation); the rest the S networks themselves.
    """
    y = (sweep.problem.y_train if split == "train" else sweep.problem.y_test).to(torch.float64)
    h = sweep.limit.mean(sweep.times, split)  # (T, P)
    fluct = sweep.limit.fluctuation_variance(sweep.times, split).mean(-1)  # (T,)
    limit_loss = sweep.limit.loss(sweep.times)
    means = {
        (gamma, i): sweep.mean_samples(gamma, t, split) for gamma in sweep.gammas for i, t in enumerate(sweep.times)
    }  # (S, W, P) each
    rows = []
    for j, run in enumerate(sweep.runs):
        S = run.n_seeds
        for g, gamma in enumerate(run.gammas):
            for i, t in enumerate(run.times):
                out = run.outputs[split][g, :S, i].to(torch.float64)  # (S, P), independent seeds
                pairs = means[gamma, i][:, j]
                variance, variance_se = variance_with_se(out)
                mean = pairs.mean(0)
                row = dict(
                    gamma=gamma,
                    N=run.width,
                    t=float(t),
                    split=split,
                    variance=float(variance),
                    variance_se=float(variance_se),
                    predicted_variance=float(run.width ** (1 - 2 * gamma) * fluct[i]),
                    limit_error=float(((mean - h[i]) ** 2).mean().sqrt()),
                    noise_floor=float((pairs.var(0).mean() / S).sqrt()),
                    bias_sq=float(((mean - y) ** 2).mean()),
                    loss=float(run.loss[g, :S, i].mean()),
                    limit_loss=float(limit_loss[i]),
                    distance=float("nan"),
                    n_seeds=S,
                )
                if run.linearized:
                    diff = out - run.linearized[split][g, :S, i].to(torch.float64)
                    row["distance"] = float((diff**2).mean().sqrt())
                rows.append(row)
    return pd.DataFrame(rows)


def ensure_sweep(sweep: Optional[TrainingSweep], kwargs: dict) -> TrainingSweep:
    return train_sweep(**kwargs) if sweep is None else sweep


def variance_vs_width(
    sweep: Optional[TrainingSweep] = None, split: str = "test", n_boot: int = 500, **sweep_kwargs
) -> Prediction:
    """The variance after training: Var g^N_t against N, one row per (γ, N, t) (:func:`sweep_summary` columns);
    ``slopes``: one per (γ, t) with a seed-bootstrap CI, ``theory`` = 1 - 2γ, and ``predicted_slope`` (the slope of
    N^{1-2γ} Var K_t, i.e. 1 - 2γ exactly)."""
    sweep = ensure_sweep(sweep, sweep_kwargs)
    table = sweep_summary(sweep, split)
    slopes = []
    for gamma in sweep.gammas:
        for t in sweep.times:
            fit = fit_slope(
                sweep.widths,
                sweep.samples(gamma, t, split),
                "variance",
                n_boot=n_boot,
                seed=sweep.config.get("seeds", [0])[0],
            )
            slopes.append(
                dict(gamma=gamma, t=float(t), split=split, statistic="variance", **fit.as_dict(), theory=1 - 2 * gamma)
            )
    return Prediction(table, pd.DataFrame(slopes), dict(sweep.config, split=split, n_boot=n_boot))


def variance_vs_gamma(
    sweep: Optional[TrainingSweep] = None, width: Optional[int] = None, split: str = "test", **sweep_kwargs
) -> Prediction:
    """The variance against γ: at the fixed width ``width`` (default: the largest), the variance at every t against γ;
    ``ratio_to_previous`` = Var(γ_k)/Var(γ_{k-1}) (theory: below 1, falling monotonically as γ → 1)."""
    sweep = ensure_sweep(sweep, sweep_kwargs)
    width = max(sweep.widths) if width is None else int(width)
    table = sweep_summary(sweep, split)
    table = table[table.N == width].sort_values(["t", "gamma"]).reset_index(drop=True)
    table["ratio_to_previous"] = table.groupby("t").variance.transform(lambda v: v / v.shift(1))
    return Prediction(table, None, dict(sweep.config, split=split, width=width))


def variance_vs_time(sweep: Optional[TrainingSweep] = None, split: str = "test", **sweep_kwargs) -> Prediction:
    """The variance and the bias against t: the variance per (γ, N), with ``ratio`` = Var(t)/Var(0), the leading-order
    ``predicted_ratio`` = Var K_t / Var K_0 (point-averaged), and the squared bias ``bias_sq`` of the seed-mean."""
    sweep = ensure_sweep(sweep, sweep_kwargs)
    table = sweep_summary(sweep, split)
    start = table[table.t == table.t.min()].set_index(["gamma", "N"])
    key = list(zip(table.gamma, table.N))
    table["ratio"] = table.variance.to_numpy() / start.variance.reindex(key).to_numpy()
    table["predicted_ratio"] = table.predicted_variance.to_numpy() / start.predicted_variance.reindex(key).to_numpy()
    return Prediction(table, None, dict(sweep.config, split=split))


def mean_vs_kernel_limit(
    sweep: Optional[TrainingSweep] = None, split: str = "test", n_boot: int = 300, **sweep_kwargs
) -> Prediction:
    """The seed-mean against the limit: ``limit_error`` = RMS over points of (seed-mean of g^N_t - h_t) per
    (γ, N, t), beside the ``noise_floor`` the seed count alone explains; ``slopes``: the log–log slope of
    ``limit_error`` against N per (γ, t > 0), seed-bootstrap CI, with ``theory`` = -2(1-γ) (the first correction
    vanishes: a centred readout and units without bias, chapter 4) or -(1-γ) (otherwise).  At γ = 1 the error
    levels off (the limit is nonlinear).  The seed-means come from :meth:`TrainingSweep.mean_samples`; a sweep
    trained here is antithetic (each network with its mirror), so they are not swamped by the N^{1/2-γ}
    fluctuation and the deterministic part of the error shows."""
    sweep = ensure_sweep(sweep, dict(dict(antithetic=True), **sweep_kwargs))
    table = sweep_summary(sweep, split)
    # The first correction Q¹ is odd in the units' law unless E[C³] ≠ 0 and a bias breaks w → -w (chapter 4).
    first_order = 1 if (sweep.init.readout_third_moment != 0 and sweep.config.get("hidden_bias", 0.0)) else 2
    slopes = []
    for gamma in sweep.gammas:
        for t in sweep.times:
            if t == 0:
                continue
            h = sweep.limit.mean([t], split)[0].numpy()

            def rms_error(a, h=h):  # a: (S, ..., W, P) → (..., W)
                return np.sqrt(((a.mean(0) - h) ** 2).mean(-1))

            fit = fit_slope(sweep.widths, sweep.mean_samples(gamma, t, split), rms_error, n_boot=n_boot)
            slopes.append(
                dict(
                    gamma=gamma,
                    t=float(t),
                    split=split,
                    statistic="limit_error",
                    **fit.as_dict(),
                    theory=first_order * (gamma - 1) if gamma < 1 else float("nan"),
                )
            )
    return Prediction(table, pd.DataFrame(slopes), dict(sweep.config, split=split, n_boot=n_boot))


def distance_to_linearized(
    sweep: Optional[TrainingSweep] = None, split: str = "test", n_boot: int = 300, **sweep_kwargs
) -> Prediction:
    """Distance to the linearized network: ``distance`` = RMS over seeds and points of g^N_t - g^lin_t per
    (γ, N, t); ``slopes`` per (γ, t > 0) and statistic, seed-bootstrap CIs, each with the ``theory`` exponent of our
    derivation (chapter 4).  The difference is driven by the kernel's drift N^{γ-1} D, whose first-order part is an
    average of N centred unit terms odd in C (size N^{γ-1} N^{-1/2} per seed, mean zero) and whose second-order part
    N^{2γ-2} has a nonzero mean:

    - ``rms`` (theory max(γ - 3/2, 2γ - 2)) and ``mean_square`` (twice that): the whole distance;
    - ``mean_part``: RMS over points of the seed-mean difference (antithetic pairs when the sweep has mirrors),
      theory 2γ - 2;
    - ``spread_part``: √(mean over points of the variance over seeds), theory γ - 3/2.

    ``table`` has the two parts per (γ, N, t) as columns ``mean_part`` and ``spread_part``.

    At γ = 1 the formulas give 0 for the distance and its mean part (it does not shrink: the limit is not the
    linearized one) and -1/2 for the spread (the mean-field fluctuations)."""
    sweep = ensure_sweep(sweep, dict(sweep_kwargs, linearized=True))
    table = sweep_summary(sweep, split)
    slopes, part_rows = [], []
    for gamma in sweep.gammas:
        for t in sweep.times:
            both = sweep._values(gamma, t, split, "difference")  # (S or 2S, W, P)
            diff = both[: sweep.runs[0].n_seeds]
            pairs = (diff + both[diff.shape[0] :]) / 2 if sweep.antithetic else diff
            spread = diff.var(0).mean(-1).sqrt() if diff.shape[0] > 1 else torch.zeros(diff.shape[1])
            mean = pairs.mean(0).pow(2).mean(-1).sqrt()
            part_rows += [
                dict(gamma=gamma, N=n, t=float(t), spread_part=float(a), mean_part=float(b))
                for n, a, b in zip(sweep.widths, spread, mean)
            ]
            if t == 0:
                continue
            rms_exponent = max(gamma - 1.5, 2 * gamma - 2)
            parts = (
                ("rms", diff, "rms", rms_exponent),
                ("mean_square", diff, "mean_square", 2 * rms_exponent),
                ("mean_part", pairs, lambda a: np.sqrt((a.mean(0) ** 2).mean(-1)), 2 * gamma - 2),
                ("spread_part", diff, lambda a: np.sqrt(a.var(0, ddof=1).mean(-1)), gamma - 1.5),
            )
            for name, samples, stat, theory in parts:
                fit = fit_slope(sweep.widths, samples, stat, n_boot=n_boot)
                slopes.append(
                    dict(gamma=gamma, t=float(t), split=split, statistic=name, **fit.as_dict(), theory=theory)
                )
    table = table.merge(pd.DataFrame(part_rows), on=["gamma", "N", "t"], how="left")
    return Prediction(table, pd.DataFrame(slopes), dict(sweep.config, split=split, n_boot=n_boot))


# ------------------------------------------------------------------------------------ loss curves across widths
@with_threads
def loss_curves(
    problem: Optional[RegressionProblem] = None,
    widths: Sequence[int] = (50, 200, 800, 3200),
    gamma: float = 0.75,
    n_seeds: int = 4,
    seed: int = 0,
    t_max: float = 0.5,
    n_times: int = 21,
    alpha: float = ALPHA,
    rates: Sequence[str] = ("theory", "fixed"),
    dtype: torch.dtype = torch.float32,
) -> Prediction:
    """The clock: the training loss against t = k/N across widths, with the theory's rate α N^{2γ-2}
    (``rate="theory"``) and with one fixed rate for every width, the theory's rate at the smallest width
    (``rate="fixed"``: α N_min^{2γ-2}).  ``table``: one row per (rate, N, seed, t) with ``loss`` and the kernel
    limit's ``limit_loss`` (1/2M)|e^{-αAt/M} y|²; see :func:`loss_spread` for the summary.  With γ = 1 the two
    rates coincide; the default γ = 0.75 makes the fixed rate (N/N_min)^{1/2} times too fast at width N."""
    problem = toy_problem() if problem is None else problem
    times = np.linspace(0.0, t_max, n_times)
    limit = KernelLimit(problem, alpha)
    frames = []
    for rate in rates:
        check_choice("rate", rate, ("theory", "fixed"))
        rate_width = None if rate == "theory" else min(widths)
        runs = train_widths(problem, widths, [gamma], n_seeds, seed, times, alpha, rate_width=rate_width, dtype=dtype)
        for run in runs:
            df = run.loss_frame()
            df.insert(0, "rate", rate)
            frames.append(df)
    table = pd.concat(frames, ignore_index=True)
    table["limit_loss"] = limit.loss(table.t.to_numpy()).numpy()
    config = dict(
        problem=problem.info,
        widths=[int(w) for w in widths],
        gamma=float(gamma),
        n_seeds=n_seeds,
        seeds=[seed, seed + n_seeds - 1],
        t_max=float(t_max),
        n_times=n_times,
        alpha=float(alpha),
        rates=list(rates),
        fixed_rate_width=int(min(widths)),
        dtype=str(dtype),
    )
    return Prediction(table, None, config)


def loss_spread(table: pd.DataFrame) -> pd.DataFrame:
    """How far apart the loss curves of different widths are, per rate rule: at every t the seed-mean loss per
    width, then ``spread`` = max over t of (max - min over widths of log loss) and the t where it is reached.
    (A spread of log 2 ≈ 0.69 means the worst-matched widths differ by a factor 2 in loss at some t.)"""
    mean = table.groupby(["rate", "t", "N"]).loss.mean().reset_index()
    mean["log_loss"] = np.log(mean.loss)
    per_t = mean.groupby(["rate", "t"]).log_loss.agg(lambda v: v.max() - v.min()).reset_index(name="spread")
    idx = per_t.groupby("rate").spread.idxmax()
    return per_t.loc[idx].rename(columns={"t": "t_at_max"}).reset_index(drop=True)[["rate", "spread", "t_at_max"]]
