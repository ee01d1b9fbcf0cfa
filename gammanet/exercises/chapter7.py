"""Checks for chapter 7 (MNIST: the variance of the trained output).

- :func:`check_seed_variance` — V from an outputs frame: the variance over seeds of each (image, class) logit,
  averaged over images and classes, on hidden frames;
- :func:`check_outer_slope` — the leading-order slope of log Var against log N_L for a deep γ-configuration;
- :func:`check_average_variance` — the variance of the average of m independently initialized networks;
- :func:`check_variance_slopes` — the slope of log V against log N per γ at one clock t, from an outputs frame
  (compared with :func:`gammanet.variance.variance_slopes`).

The hidden frames are synthetic (seeded): logits with a per-image mean, so that a variance taken over the images
instead of the seeds comes out very different, and few seeds, so that ``ddof`` shows.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from .feedback import NotAttempted, call, close, start
from .registry import exercise


def synthetic_frame(widths=(20,), gammas=(0.75,), seeds=3, images=4, classes=3, times=(0.0,), seed=0,
                    law=None) -> pd.DataFrame:
    """A frame shaped like ``Results.outputs`` (depth 1): logit = m(image, class) + N(0, law(N, γ, t)) noise per
    seed, where the means m are N(0, 4²) — much larger than the noise across seeds."""
    law = law or (lambda n, g, t: 1.5 * n ** (1 - 2 * g) / (1 + t))
    rng = np.random.default_rng(seed)
    means = rng.normal(0.0, 4.0, size=(images, classes))
    img, cls = (a.ravel() for a in np.meshgrid(np.arange(images), np.arange(classes), indexing="ij"))
    frames = []
    for n in widths:
        for g in gammas:
            for s in range(seeds):
                for epoch, t in enumerate(times):
                    noise = rng.normal(0.0, math.sqrt(law(n, g, t)), size=(images, classes)).ravel()
                    frames.append(pd.DataFrame({"seed": s, "width_1": n, "widths": str(n), "gamma_1": g,
                                                "epoch": epoch, "step": int(round(t * n)), "t": t, "image": img,
                                                "label": img % 10, "class": cls,
                                                "logit": (means.ravel() + noise).astype(np.float32)}))
    return pd.concat(frames, ignore_index=True)


def _as_float(report, label, got):
    if got is None:                     # call() has reported it
        return None
    try:
        value = float(got)
    except (TypeError, ValueError):
        report.fail(f"{label}: returned {type(got).__name__}", "return one number (float(...))")
        return None
    if not math.isfinite(value):
        report.fail(f"{label}: returned {value}", "the answer is a finite number")
        return None
    return value


# --------------------------------------------------------------------------------- the variance over seeds
SEED_VARIANCE_CASES = (("3 seeds, 4 images, 3 classes", dict(seeds=3, images=4, classes=3, seed=1)),
                       ("2 seeds, 6 images, 2 classes", dict(seeds=2, images=6, classes=2, seed=2)),
                       ("5 seeds, 3 images, 10 classes", dict(seeds=5, images=3, classes=10, seed=3)))


def reference_seed_variance(frame: pd.DataFrame, ddof: int = 1) -> float:
    return float(frame.groupby(["image", "class"]).logit.var(ddof=ddof).mean())


@exercise("7.1", functions=("my_seed_variance",))
def check_seed_variance(fn, verbose: bool = True):
    """Check ``fn(frame) -> V``: ``frame`` holds one width, one γ and one epoch (columns seed, image, class, logit,
    ...); V is the unbiased variance over seeds of each (image, class) logit, averaged over images and classes."""
    report = start("Exercise 7.1: the variance over seeds", verbose)
    try:
        for label, kwargs in SEED_VARIANCE_CASES:
            frame = synthetic_frame(**kwargs)
            expected = reference_seed_variance(frame)
            got = _as_float(report, label, call(report, fn, frame.copy()))
            if got is None:
                continue
            if close(got, expected, 1e-4):
                report.ok(f"{label}: right")
                continue
            logit = frame.logit.astype(float)
            wrong = {
                "ddof": (reference_seed_variance(frame, ddof=0),
                         "divide by S - 1, not S: with so few seeds the difference is large (ddof=1)"),
                "images": (float(frame.groupby(["seed", "class"]).logit.var(ddof=1).mean()),
                           "that is a spread over the images: the randomness the theory means is the initialization "
                           "— group by (image, class) and take the variance across seeds"),
                "pooled": (float(logit.var(ddof=1)),
                           "you pooled every logit: the differences between images and classes are not seed noise"),
                "std": (float(frame.groupby(["image", "class"]).logit.std(ddof=1).mean()),
                        "that is a standard deviation: square before averaging"),
                "sqrt": (math.sqrt(expected), "that is the square root of the answer: report the variance"),
                "mean_first": (float(frame.groupby("seed").logit.mean().var(ddof=1)),
                               "average over images and classes AFTER taking the variance over seeds, not before"),
            }
            for value, hint in wrong.values():
                if close(got, value, 1e-4):
                    report.fail(f"{label}: {got:.4g} is not V", hint)
                    break
            else:
                report.fail(f"{label}: {got:.4g} is not V",
                            "for each (image, class): the variance of the logit across seeds (ddof=1); then the "
                            "mean of those variances")
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ------------------------------------------------------------------------------------- the predicted slope
OUTER_CASES = ((0.75,), (1.0,), (0.5, 1.0), (1.0, 0.5), (0.7, 0.9), (0.6, 0.8, 0.55), (1.0, 1.0, 0.9))


@exercise("7.2", functions=("my_outer_slope",))
def check_outer_slope(fn, verbose: bool = True):
    """Check ``fn(gammas) -> the leading-order slope of log Var g(x) against log N_L`` (inner widths fixed) for a
    γ-tuple (γ_1, ..., γ_L)."""
    report = start("Exercise 7.2: the predicted slope at depth", verbose)
    try:
        for gammas in OUTER_CASES:
            label = "γ = (" + ", ".join(f"{g:g}" for g in gammas) + ")"
            got = _as_float(report, label, call(report, fn, tuple(gammas)))
            if got is None:
                continue
            expected = 1 - 2 * gammas[-1]
            if abs(got - expected) < 1e-9:
                report.ok(f"{label}: right")
            elif len(gammas) > 1 and abs(got - (1 - 2 * gammas[0])) < 1e-9:
                report.fail(f"{label}: that uses the first layer's γ",
                            "which normalization multiplies the sum that makes the output?")
            elif len(gammas) > 1 and abs(got - sum(1 - 2 * g for g in gammas)) < 1e-9:
                report.fail(f"{label}: that adds every layer's exponent",
                            "with the inner widths fixed, the layers below only set a width-free factor E σ(Z^L)²")
            elif abs(got + expected) < 1e-9:
                report.fail(f"{label}: wrong sign", "the variance falls with N_L when γ_L > 1/2")
            elif abs(got - (0.5 - gammas[-1])) < 1e-9:
                report.fail(f"{label}: that is the exponent of the output's size, not of its variance",
                            "Var(N^a X) = N^{2a} Var X")
            else:
                report.fail(f"{label}: {got:g} is not right",
                            "the output is N_L^{-γ_L} times a sum of N_L i.i.d. centred terms: what is its variance?")
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ----------------------------------------------------------------------------- the variance of an average
AVERAGE_CASES = ((0.2, 2), (0.05, 8), (1.3, 5), (3e-3, 1))


@exercise("7.3", functions=("my_average_variance",))
def check_average_variance(fn, verbose: bool = True):
    """Check ``fn(variance, m) -> the variance of the average of the outputs of m networks initialized with
    independent seeds``, each of variance ``variance``."""
    report = start("Exercise 7.3: the variance of the seed-average", verbose)
    try:
        for v, m in AVERAGE_CASES:
            label = f"V = {v:g}, m = {m}"
            got = _as_float(report, label, call(report, fn, v, m))
            if got is None:
                continue
            expected = v / m
            if close(got, expected, 1e-9):
                report.ok(f"{label}: right")
                continue
            if m > 1 and close(got, v / math.sqrt(m), 1e-9):
                hint = "√m is what the standard deviation gains; the variance of a mean of m i.i.d. terms?"
            elif m > 1 and close(got, v * m, 1e-9):
                hint = "that is the variance of the sum; the average divides the sum by m"
            elif m > 1 and close(got, v, 1e-9):
                hint = "independent networks disagree in different directions: averaging cancels part of it"
            elif m > 1 and close(got, v / (m - 1), 1e-9):
                hint = "S - 1 belongs to estimating a variance from S samples, not to the variance of a mean"
            else:
                hint = "Var(Σ X_i / m) for independent X_i of equal variance"
            report.fail(f"{label}: {got:g} is not right", hint)
    except NotAttempted:
        report.attempted = False
    return report.summary()


# --------------------------------------------------------------------------------------- the measured slope
@functools.lru_cache(maxsize=1)
def hidden_outputs() -> pd.DataFrame:
    """Four widths whose epochs reach t = 0, 4 and 8 together, three γ's, 6 seeds: a law steeper than 1 - 2γ."""
    law = lambda n, g, t: n ** (0.8 - 2.2 * g) * (1 + t)             # noqa: E731 — deliberately not 1 - 2γ
    return synthetic_frame(widths=(10, 20, 40, 80), gammas=(0.5, 0.75, 1.0), seeds=6, images=5, classes=4,
                           times=(0.0, 4.0, 8.0), seed=11, law=law)


SLOPE_TIMES = (0.0, 8.0)


def _library_slopes(frame: pd.DataFrame, t: float) -> dict:
    from ..variance import variance_slopes

    slopes = variance_slopes(frame, times=[t], n_boot=1)
    return {float(r.gamma_outer): float(r.slope) for r in slopes.itertuples()}


@exercise("7.4", functions=("my_variance_slopes",))
def check_variance_slopes(fn, verbose: bool = True):
    """Check ``fn(outputs, t) -> {γ: slope}``: for each γ, V (the variance over seeds averaged over images and
    classes) at every width at clock t, and the least-squares slope of log V against log N; on a hidden frame."""
    report = start("Exercise 7.4: measure the slopes", verbose)
    try:
        frame = hidden_outputs()
        for t in SLOPE_TIMES:
            expected = _library_slopes(frame, t)
            got = call(report, fn, frame.copy(), t)
            if got is None:
                continue
            if not isinstance(got, dict):
                report.fail(f"t={t:g}: returned {type(got).__name__}", "return a dict {γ: slope}")
                continue
            try:
                got = {round(float(k), 9): float(v) for k, v in got.items()}
            except (TypeError, ValueError):
                report.fail(f"t={t:g}: the dict holds something other than numbers", "keys: γ, values: slopes")
                continue
            if set(got) != {round(g, 9) for g in expected}:
                report.fail(f"t={t:g}: keys {sorted(got)} are not the γ's of the frame",
                            "one entry per value of the gamma_1 column")
                continue
            wrong = []                  # (γ, what, hint): one line per clock t
            for gamma, slope in expected.items():
                mine = got[round(gamma, 9)]
                if close(mine, slope, 1e-6):
                    continue
                if close(mine, slope / 2, 1e-6):
                    hint = "you fitted a standard deviation: the slope of the variance is twice that"
                elif close(mine, -slope, 1e-6):
                    hint = "check the sign: fit log V (y) against log N (x)"
                elif close(mine, slope * math.log(10), 1e-6) or close(mine, slope / math.log(10), 1e-6):
                    hint = "use the same logarithm on both axes"
                else:
                    hint = ("at the rows with this t: per width, the variance over seeds of each (image, class) "
                            "logit, averaged; then a least-squares line through (log N, log V)")
                wrong.append((gamma, f"γ={gamma:g}: {mine:.4f} is not the fitted slope", hint))
            if not wrong:
                report.ok(f"t={t:g}: right for all {len(expected)} γ's")
            else:
                hints = list(dict.fromkeys(h for _, _, h in wrong))
                report.fail(f"t={t:g}, " + "; ".join(w for _, w, _ in wrong), "; ".join(hints))
    except NotAttempted:
        report.attempted = False
    return report.summary()


__all__ = ["check_average_variance", "check_outer_slope", "check_seed_variance", "check_variance_slopes",
           "synthetic_frame"]
