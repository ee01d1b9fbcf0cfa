"""Checks for chapter 7 (MNIST: the variance of the trained output).

- :func:`check_seed_variance` — V from an outputs frame: the variance over seeds of each (image, class) logit,
  averaged over images and classes, on hidden frames;
- :func:`check_error_decomposition` — the squared error of S networks, its bias² and its variance over seeds (the
  exact decomposition), on hidden arrays;
- :func:`check_average_variance` — the variance of the average of m independently initialized networks;
- :func:`check_variance_slopes` — the slope of log V against log N per γ at one clock t, from an outputs frame
  (compared with :func:`gammanet.variance.variance_slopes`);
- questions 7.5–7.7 (:mod:`gammanet.exercises.questions`).

The hidden frames are synthetic (seeded): logits with a per-image mean, so that a variance taken over the images
instead of the seeds comes out very different, and few seeds, so that ``ddof`` shows.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from .feedback import NotAttempted, call, call_number, close, start
from .questions import Choice, Hint, Number, ask
from .registry import exercise


def synthetic_frame(
    widths=(20,), gammas=(0.75,), seeds=3, images=4, classes=3, times=(0.0,), seed=0, law=None
) -> pd.DataFrame:
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
                    frames.append(
                        pd.DataFrame(
                            {
                                "seed": s,
                                "width_1": n,
                                "widths": str(n),
                                "gamma_1": g,
                                "epoch": epoch,
                                "step": int(round(t * n)),
                                "t": t,
                                "image": img,
                                "label": img % 10,
                                "class": cls,
                                "logit": (means.ravel() + noise).astype(np.float32),
                            }
                        )
                    )
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------------- the variance over seeds
SEED_VARIANCE_CASES = (
    ("3 seeds, 4 images, 3 classes", dict(seeds=3, images=4, classes=3, seed=1)),
    ("2 seeds, 6 images, 2 classes", dict(seeds=2, images=6, classes=2, seed=2)),
    ("5 seeds, 3 images, 10 classes", dict(seeds=5, images=3, classes=10, seed=3)),
)


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
            got = call_number(report, label, fn, frame.copy())
            if got is None:
                continue
            if close(got, expected, 1e-4):
                report.ok(f"{label}: right")
                continue
            logit = frame.logit.astype(float)
            wrong = {
                "ddof": (
                    reference_seed_variance(frame, ddof=0),
                    "divide by S - 1, not S: with so few seeds the difference is large (ddof=1)",
                ),
                "images": (
                    float(frame.groupby(["seed", "class"]).logit.var(ddof=1).mean()),
                    "that is a spread over the images: the randomness the theory means is the initialization "
                    "— group by (image, class) and take the variance across seeds",
                ),
                "pooled": (
                    float(logit.var(ddof=1)),
                    "you pooled every logit: the differences between images and classes are not seed noise",
                ),
                "std": (
                    float(frame.groupby(["image", "class"]).logit.std(ddof=1).mean()),
                    "that is a standard deviation: square before averaging",
                ),
                "sqrt": (math.sqrt(expected), "that is the square root of the answer: report the variance"),
                "mean_first": (
                    float(frame.groupby("seed").logit.mean().var(ddof=1)),
                    "average over images and classes AFTER taking the variance over seeds, not before",
                ),
            }
            for value, hint in wrong.values():
                if close(got, value, 1e-4):
                    report.fail(f"{label}: {got:.4g} is not V", hint)
                    break
            else:
                report.fail(
                    f"{label}: {got:.4g} is not V",
                    "for each (image, class): the variance of the logit across seeds (ddof=1); then the "
                    "mean of those variances",
                )
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ------------------------------------------------------------------------ 7.2 the bias–variance decomposition
def error_decomposition(outputs, target) -> dict:
    """The squared error of S networks' outputs (``outputs``: (S, ...)) against ``target`` (broadcastable to one
    network's outputs), averaged over seeds and entries, and its exact decomposition: ``bias2`` (the seed-mean
    output's squared error) + ``variance`` (the variance over seeds, ddof=0, averaged over entries)."""
    outputs, target = np.asarray(outputs, dtype=float), np.asarray(target, dtype=float)
    return dict(
        error=float(((outputs - target) ** 2).mean()),
        bias2=float(((outputs.mean(0) - target) ** 2).mean()),
        variance=float(outputs.var(0, ddof=0).mean()),
    )


def decomposition_cases() -> list:
    """(label, outputs (S, P) or (S, P, K), target): few seeds, so that ddof shows; an offset mean, so that an
    unsquared bias shows."""
    rng = np.random.default_rng(7)
    out = []
    for label, shape, offset in (
        ("3 seeds, 5 points", (3, 5), 0.4),
        ("2 seeds, 4 points × 3 classes", (2, 4, 3), -0.3),
        ("6 seeds, 8 points", (6, 8), 1.2),
    ):
        target = rng.normal(size=shape[1:])
        outputs = target + offset + rng.normal(0, 0.7, size=shape) + rng.normal(0, 0.5, size=shape[1:])
        out.append((label, outputs, target))
    return out


DEFINITIONS = {
    "error": "the mean over seeds and entries of (output − target)²",
    "bias2": "average the outputs over the seeds first, then the squared error of that mean",
    "variance": "for each entry, the variance across the seeds; then the mean over entries",
}


@exercise("7.2", functions=("my_error_decomposition",))
def check_error_decomposition(fn, verbose: bool = True):
    """Check ``fn(outputs, target) -> {"error": ..., "bias2": ..., "variance": ...}`` on hidden arrays."""
    report = start("Exercise 7.2: the bias–variance decomposition", verbose)
    try:
        for label, outputs, target in decomposition_cases():
            expected = error_decomposition(outputs, target)
            got = call(report, fn, outputs.copy(), target.copy())
            if got is None:
                continue
            if not isinstance(got, dict) or set(got) != set(expected):
                report.fail(
                    f"{label}: returned {type(got).__name__}"
                    + (f" with keys {sorted(map(str, got))}" if isinstance(got, dict) else ""),
                    'return a dict with the keys "error", "bias2" and "variance"',
                )
                continue
            try:
                mine = {k: float(v) for k, v in got.items()}
            except (TypeError, ValueError):
                report.fail(f"{label}: the values are not numbers", "each value is one number")
                continue
            wrong = [k for k in ("error", "bias2", "variance") if not close(mine[k], expected[k], 1e-9)]
            if not wrong:
                report.ok(f"{label}: right, and error = bias2 + variance")
                continue
            s = outputs.shape[0]
            bias = float((outputs.mean(0) - target).mean())
            slips = {
                "variance": [
                    (
                        expected["variance"] * s / (s - 1),
                        "the decomposition is exact with the plug-in variance (divide by S, ddof=0); with "
                        "S - 1 error ≠ bias2 + variance",
                    ),
                    (float(np.sqrt(outputs.var(0)).mean()), "that is a standard deviation: square it"),
                    (
                        float(outputs.reshape(s, -1).var(1).mean()),
                        "that is a spread over the points, seed by seed: take the variance across seeds",
                    ),
                ],
                "bias2": [
                    (abs(bias), "the bias enters squared"),
                    (bias**2, "square the error of the seed-mean output point by point, then average over the points"),
                    (
                        expected["error"],
                        "that is the error of single networks: the bias is the error of the seed-mean output",
                    ),
                ],
                "error": [(float(np.abs(outputs - target).mean()), "the error is squared")],
            }
            first = wrong[0]
            hint = next((h for v, h in slips.get(first, []) if close(mine[first], v, 1e-9)), DEFINITIONS[first])
            report.fail(f"{label}: {', '.join(wrong)} not right", hint)
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
            got = call_number(report, label, fn, v, m)
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
    law = lambda n, g, t: n ** (0.8 - 2.2 * g) * (1 + t)  # noqa: E731 — deliberately not 1 - 2γ
    return synthetic_frame(
        widths=(10, 20, 40, 80),
        gammas=(0.5, 0.75, 1.0),
        seeds=6,
        images=5,
        classes=4,
        times=(0.0, 4.0, 8.0),
        seed=11,
        law=law,
    )


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
                report.fail(
                    f"t={t:g}: keys {sorted(got)} are not the γ's of the frame",
                    "one entry per value of the gamma_1 column",
                )
                continue
            wrong = []  # (γ, what, hint): one line per clock t
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
                    hint = (
                        "at the rows with this t: per width, the variance over seeds of each (image, class) "
                        "logit, averaged; then a least-squares line through (log N, log V)"
                    )
                wrong.append((gamma, f"γ={gamma:g}: {mine:.4f} is not the fitted slope", hint))
            if not wrong:
                report.ok(f"t={t:g}: right for all {len(expected)} γ's")
            else:
                hints = list(dict.fromkeys(h for _, _, h in wrong))
                report.fail(f"t={t:g}, " + "; ".join(w for _, w, _ in wrong), "; ".join(hints))
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ------------------------------------------------------------------------------------------------- questions
Q_7_5 = Choice(
    "why the ratio at t = 0 is exactly N",
    {
        "a": "a chance agreement of this sample of seeds",
        "b": "the law of large numbers over the 200 probe images",
        "c": "seed s draws the same weights for every γ, so at t = 0 the outputs at γ = 1/2 and γ = 1 differ by the "
        "factor N^{1/2} exactly, seed by seed",
        "d": "the bootstrap over seeds removes the noise",
    },
    "c",
    {
        "a": Hint("would a chance agreement be exact to every digit, at every width?"),
        "b": Hint(
            "averaging over images reduces noise; it does not make a ratio exact. What do the two γ's share?",
            "compare g_0 = N^{-γ} Σ C^i σ(W^i·x) at γ = 1/2 and γ = 1 for the same draw of C and W",
        ),
        "d": Hint("the bootstrap gives an interval; the point estimate is what is exact here. Why?"),
    },
)
Q_7_6 = Choice(
    "why the variance can grow with t under cross-entropy",
    {
        "a": "the minibatch noise of SGD accumulates",
        "b": "the learning rate grows with t",
        "c": "the networks overfit the 4,000 images",
        "d": "the logits have no finite target and keep growing, and the spread between seeds grows with them",
    },
    "d",
    {
        "a": Hint("the data order is shared by all seeds (§7.1): can it make them differ?"),
        "b": Hint("the rates are fixed during training: α times the theory's rates"),
        "c": Hint(
            "overfitting would change the test accuracy; the question is about the spread of the logits",
            "look at panel (b) of §7.4: what happens to the size of the average logit?",
        ),
    },
)
Q_7_7 = Number(
    "how many seeds for a ±0.02 interval",
    128.0,
    rel=0.02,
    slips=(
        (32.0, Hint("the half-width of a mean falls like S^{-1/2}, not S^{-1}")),
        (16.0, Hint("to make S^{-1/2} four times smaller, S must grow by the SQUARE of four")),
        (2.0, Hint("fewer seeds make the interval wider, not narrower")),
    ),
    other=Hint("half-width ∝ S^{-1/2}: S = 8 × (0.08 / 0.02)^k for which k?"),
)


@exercise("7.5", functions=("q_7_5",))
def check_q_7_5(fn, verbose: bool = True):
    """Question 7.5: ``fn() -> "a" | "b" | "c" | "d"``."""
    return ask(Q_7_5, "7.5", fn, verbose)


@exercise("7.6", functions=("q_7_6",))
def check_q_7_6(fn, verbose: bool = True):
    """Question 7.6: ``fn() -> "a" | "b" | "c" | "d"``."""
    return ask(Q_7_6, "7.6", fn, verbose)


@exercise("7.7", functions=("q_7_7",))
def check_q_7_7(fn, verbose: bool = True):
    """Question 7.7: ``fn() -> the number of seeds``."""
    return ask(Q_7_7, "7.7", fn, verbose)


__all__ = [
    "check_average_variance",
    "check_error_decomposition",
    "check_q_7_5",
    "check_q_7_6",
    "check_q_7_7",
    "check_seed_variance",
    "check_variance_slopes",
    "error_decomposition",
    "synthetic_frame",
]
