"""Checks for chapter 6 (MNIST accuracy across γ-grids).

- :func:`check_difference_variance` (6.1) — the variance of an estimated mean difference, paired or not: a
  derivation, checked on hidden numbers;
- :func:`check_paired_interval` (6.2) — the paired mean gain and the half-width of its 95% t-interval from a table
  of final accuracies;
- :func:`check_breaking_point` (6.3) — the α at which the papers' ordering first reverses;
- questions 6.4–6.6 (:mod:`gammanet.exercises.questions`).

The hidden tables are built so that each typical slip gives a recognisably wrong number: swapping ``low`` and
``high`` flips the sign; differencing the seed means instead of pairing seeds differs when a seed is missing; the
normal quantile, ``ddof=0`` or an unpaired spread each move the half-width; comparing medians or a single seed
moves the breaking point.  The reference answers come from :mod:`gammanet.grids`, the library's tested code.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from ..columns import gamma_columns
from ..grids import paired_difference
from .feedback import RAISED, NotAttempted, call, close, kind, run, start
from .questions import Choice, Hint, Number, ask
from .registry import exercise


def _grid_table(depth: int, accuracy, seeds=(0, 1, 2), values=(0.5, 0.7, 1.0), drop=()) -> pd.DataFrame:
    rows = []
    for g in itertools.product(values, repeat=depth):
        for s in seeds:
            if (g, s) in drop:
                continue
            rows.append(
                dict(
                    seed=s,
                    **{f"gamma_{i + 1}": v for i, v in enumerate(g)},
                    epoch=10,
                    test_accuracy=float(accuracy(g, s)),
                    status="ok",
                )
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- 6.1 why pairing helps: a derivation
VARIANCE_CASES = (
    (0.004, 0.003, 0.0032, 5, True),
    (0.004, 0.003, 0.0032, 5, False),
    (0.01, 0.02, -0.002, 8, True),
    (0.0025, 0.0025, 0.0024, 3, True),
    (1.0, 2.0, 0.5, 10, False),
)


def difference_variance(var_low: float, var_high: float, cov: float, seeds: int, paired: bool) -> float:
    """Var of the estimated mean difference acc(high) − acc(low) over ``seeds`` seeds: paired (the same seeds,
    Var(X − Y)/S) or not (independent seeds for the two γ's, (Var X + Var Y)/S)."""
    return (var_low + var_high - (2 * cov if paired else 0.0)) / seeds


@exercise("6.1", functions=("my_difference_variance",))
def check_difference_variance(fn, verbose: bool = True):
    """Check ``fn(var_low, var_high, cov, seeds, paired) -> the variance of the estimated mean difference``."""
    report = start("Exercise 6.1: the variance of a paired difference", verbose)
    try:
        for vl, vh, cov, n, paired in VARIANCE_CASES:
            label = f"Var {vl:g} and {vh:g}, Cov {cov:g}, {n} seeds, {'paired' if paired else 'independent seeds'}"
            got = call(report, fn, vl, vh, cov, n, paired)
            if got is None:
                continue
            expected = difference_variance(vl, vh, cov, n, paired)
            if close(got, expected, 1e-9):
                report.ok(f"{label}: right")
                continue
            sign = 2 * cov if paired else 0.0
            slips = [
                (
                    (vl + vh + sign) / n,
                    "which way does the part the two accuracies share act on their difference? Expand Var(X − Y)",
                ),
                (expected * n, "that is the variance of one seed's difference: the estimate is a mean over the seeds"),
                (
                    (vl + vh - sign) / (n - 1),
                    "S − 1 belongs to estimating a variance from S samples, not to the variance of a mean",
                ),
                ((vl + vh - sign / 2) / n, "expand Var(X − Y) = Var X + Var Y − ... : how many covariance terms?"),
                (
                    (vl + vh) / n if paired else (vl + vh - 2 * cov) / n,
                    "with the same seed for both γ's, X_s and Y_s share the draw: what does that add to Var(X_s − Y_s)?"
                    if paired
                    else "with independent seeds the two means are independent: no covariance term",
                ),
                (
                    math.sqrt(expected) if expected > 0 else math.nan,
                    "that is a standard deviation: the question asks for the variance",
                ),
            ]
            hint = next(
                (h for v, h in slips if close(got, v, 1e-9)),
                "write the estimate as a mean over seeds of X_s − Y_s (paired), or as the difference of two "
                "independent means; then take its variance",
            )
            report.fail(f"{label}: not right", hint)
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ------------------------------------------------------------------- 6.2 the paired interval, from the final rows
def paired_cases() -> list:
    """(label, final table, low, high): a shallow grid with a strong seed effect and a seed missing from ``high``;
    a depth-2 grid where only the outer γ differs; a depth-3 grid with a negative gain."""
    rng = np.random.default_rng(41)
    seed_effect = rng.normal(0, 0.05, size=6)
    noise = rng.normal(0, 0.01, size=(6, 4))
    shallow = _grid_table(
        1,
        lambda g, s: 0.80 + 0.1 * (g[0] - 0.5) + seed_effect[s] + noise[s, int(4 * g[0]) - 2],
        seeds=range(6),
        values=(0.5, 0.75, 1.0),
        drop={((1.0,), 5)},
    )
    deep2 = _grid_table(2, lambda g, s: 0.7 + 0.2 * g[1] - 0.05 * g[0] + seed_effect[s] * g[1] + 0.01 * s * s)
    deep3 = _grid_table(3, lambda g, s: 0.9 - 0.3 * (g[0] - 0.5) * (g[2] < 1) + 0.01 * s + 0.004 * s * s * g[0])
    return [
        ("shallow, γ = 1/2 vs 1, one seed missing at γ = 1", shallow, (0.5,), (1.0,)),
        ("depth 2, γ = (0.7, 0.5) vs (0.7, 1)", deep2, (0.7, 0.5), (0.7, 1.0)),
        ("depth 3, γ = (0.5, 0.5, 0.5) vs (1, 0.7, 0.5)", deep3, (0.5, 0.5, 0.5), (1.0, 0.7, 0.5)),
    ]


def _pair(got):
    """``got`` as two finite floats, or None."""
    if isinstance(got, (str, bytes, dict)):
        return None
    try:
        if len(got) != 2:  # TypeError for a number or a 0-d array: not a pair
            return None
        a, b = float(got[0]), float(got[1])
    except (TypeError, ValueError, KeyError, IndexError, OverflowError):
        return None
    return (a, b) if math.isfinite(a) and math.isfinite(b) else None


@exercise("6.2", functions=("my_paired_interval",))
def check_paired_interval(fn, verbose: bool = True):
    """Check ``fn(final, low, high) -> (mean, half_width)``: the mean over the seeds both configurations have of
    acc(high) − acc(low), and the half-width of its 95% Student-t interval."""
    from scipy import stats

    report = start("Exercise 6.2: the paired interval", verbose)
    try:
        for label, table, low, high in paired_cases():
            ref = paired_difference(table, low, high)
            mean, half = ref["mean"], (ref["ci_high"] - ref["ci_low"]) / 2
            got = call(report, fn, table.copy(), low, high)
            if got is None:
                continue
            pair = _pair(got)
            if pair is None:
                report.fail(
                    f"{label}: returned {kind(got)}",
                    "return a pair of numbers: (mean, half_width)",
                )
                continue
            m, h = pair
            n, sd = ref["seeds"], ref["sd"]
            t = stats.t.ppf(0.975, n - 1)
            cols = gamma_columns(table)
            means = table.groupby(cols).test_accuracy.mean()
            key = (lambda g: g[0]) if len(cols) == 1 else tuple
            spreads = table.groupby(cols).test_accuracy.var(ddof=1)
            unpaired_half = t * math.sqrt((spreads[key(low)] + spreads[key(high)]) / n)
            if not close(m, mean, 1e-9):
                if close(m, -mean, 1e-9):
                    hint = "the gain of `high` over `low` is acc(high) − acc(low)"
                elif close(m, means[key(high)] - means[key(low)], 1e-9):
                    hint = "pair the seeds: use only the seeds that both configurations have"
                else:
                    hint = (
                        "select each configuration's rows by all its γ columns, index them by seed, subtract on "
                        "the common seeds"
                    )
                report.fail(f"{label}: the mean is not right", hint)
            elif close(h, half, 1e-6):
                report.ok(f"{label}: right")
            else:
                slips = [
                    (
                        1.959963984540054 * sd / math.sqrt(n),
                        "with so few seeds the normal quantile 1.96 is too small: use Student's t with S − 1 "
                        "degrees of freedom",
                    ),
                    (
                        t * float(np.std(_differences(table, low, high), ddof=0)) / math.sqrt(n),
                        "the standard deviation of the differences: ddof=1",
                    ),
                    (t * sd, "that is the spread of one seed's difference: the mean of S of them is √S tighter"),
                    (
                        unpaired_half,
                        "that interval ignores the pairing: take the spread of the differences "
                        "seed by seed, not of each configuration's accuracies",
                    ),
                    (2 * half, "that is the whole width of the interval: half of it, please"),
                ]
                hint = next(
                    (hh for v, hh in slips if close(h, v, 1e-6)),
                    "half-width = t quantile (97.5%, S − 1 degrees of freedom) × sd of the differences / √S",
                )
                report.fail(f"{label}: the mean is right, the half-width is not", hint)
    except NotAttempted:
        report.attempted = False
    return report.summary()


def _differences(table, low, high) -> np.ndarray:
    cols = gamma_columns(table)
    sel = [
        table[np.logical_and.reduce([np.isclose(table[c], g) for c, g in zip(cols, gs)])]
        .set_index("seed")
        .test_accuracy
        for gs in (low, high)
    ]
    common = sel[0].index.intersection(sel[1].index)
    return (sel[1][common] - sel[0][common]).to_numpy(float)


def breaking_cases() -> list:
    """(label, table, expected α or None): reversal at 100; none; reversal that a single seed or the median would
    place elsewhere; reversal only at the largest α."""

    def table(means_by_alpha, spread=(0.0, 0.0, 0.0)):
        rows = []
        for alpha, (low, high) in means_by_alpha.items():
            for s, d in enumerate(spread):
                rows.append(dict(alpha=alpha, gamma_1=0.5, seed=s, test_accuracy=low + d))
                rows.append(dict(alpha=alpha, gamma_1=1.0, seed=s, test_accuracy=high - d))
        return pd.DataFrame(rows)

    simple = table({10.0: (0.83, 0.91), 100.0: (0.91, 0.78), 1000.0: (0.94, 0.10)})
    never = table({1.0: (0.3, 0.66), 3.0: (0.66, 0.82), 30.0: (0.88, 0.92)})
    # At α = 30 the seed means reverse (0.900 vs 0.880) though seed 0 alone and the median do not.
    skewed = pd.DataFrame(
        [
            dict(alpha=a, gamma_1=g, seed=s, test_accuracy=v)
            for a, g, s, v in [
                (10, 0.5, 0, 0.85),
                (10, 0.5, 1, 0.86),
                (10, 0.5, 2, 0.84),
                (10, 1.0, 0, 0.90),
                (10, 1.0, 1, 0.91),
                (10, 1.0, 2, 0.90),
                (30, 0.5, 0, 0.89),
                (30, 0.5, 1, 0.90),
                (30, 0.5, 2, 0.91),
                (30, 1.0, 0, 0.92),
                (30, 1.0, 1, 0.93),
                (30, 1.0, 2, 0.79),
                (300, 0.5, 0, 0.93),
                (300, 0.5, 1, 0.93),
                (300, 0.5, 2, 0.94),
                (300, 1.0, 0, 0.5),
                (300, 1.0, 1, 0.6),
                (300, 1.0, 2, 0.4),
            ]
        ]
    )
    late = table({300.0: (0.927, 0.542), 30.0: (0.884, 0.924), 100.0: (0.913, 0.936)})  # rows not sorted by α
    return [
        ("reversal at α = 100", simple, 100.0),
        ("no reversal", never, None),
        ("seed means vs one seed", skewed, 30.0),
        ("unsorted α", late, 300.0),
    ]


@exercise("6.3", functions=("my_breaking_point",))
def check_breaking_point(fn, verbose: bool = True):
    """Check ``fn(table)`` → the smallest α at which the seed-mean accuracy of γ = 1 is below that of γ = 1/2."""
    report = start("Exercise 6.3: the fast preset's breaking point", verbose)
    try:
        for label, table, expected in breaking_cases():
            got = run(report, fn, table.copy())  # None is a possible answer here
            if got is RAISED:  # run() reported the error
                continue
            if got is None and expected is not None:
                report.fail(
                    f"{label}: you returned None, but the ordering does reverse",
                    "compare the seed means of γ = 1 and γ = 1/2 at every α",
                )
            elif expected is None:
                if got is None:
                    report.ok(f"{label}: right (never)")
                else:
                    report.fail(
                        f"{label}: you returned {got!r}, but γ = 1 stays ahead at every α",
                        "return None when the ordering never reverses",
                    )
            elif isinstance(got, (int, float)) and not isinstance(got, bool) and close(got, expected):
                report.ok(f"{label}: right")
            else:
                hint = (
                    "average over the seeds first, then compare the two γ's at each α; take the smallest α "
                    "(the rows need not be sorted)"
                )
                report.fail(f"{label}: not right (you returned {got!r})", hint)
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ------------------------------------------------------------------------------------------------- questions
Q_6_4 = Choice(
    "what the common random numbers buy",
    {
        "a": "the part of the accuracy that comes from the seed's draw is shared by the two γ's and cancels in their "
        "difference",
        "b": "the two accuracies of a seed become independent, so their variances add",
        "c": "the mean difference becomes unbiased; unpaired, it would be biased",
        "d": "nothing: every seed is an independent draw anyway",
    },
    "a",
    {
        "b": Hint(
            "the same initial weights for both γ's: is the pair independent, or correlated?",
            "Var(X − Y) = Var X + Var Y − 2 Cov(X, Y): what sign does the covariance have here?",
        ),
        "c": Hint("both estimates have the same expectation, acc(high) − acc(low): what differs is their spread"),
        "d": Hint("compare the paired interval of §6.2 with the unpaired one of Exercise 6.1's table"),
    },
)
Q_6_5 = Choice(
    "the plateau with trained biases",
    {
        "a": "the learning rates at γ = 1 are too small for the network to move",
        "b": "the biases, which carry no N^{-γ} factor and are trained at large rates, move the pre-activations faster "
        "than their O(N^{1/2-γ}) input-dependent part grows, and push the units to an input-independent state",
        "c": "the tanh units saturate because the weights are drawn too large",
        "d": "the readout is not centred",
    },
    "b",
    {
        "a": Hint("at γ = 1 the rates are the largest of the grid (chapter 2): is slowness the problem?"),
        "c": Hint(
            "at γ_1 = 1 the input-dependent part of layer 2's pre-activation is of size N^{1/2-γ_1}: large or small?"
        ),
        "d": Hint("the fast preset's readout is centred N(0, 1): compare the corner with and without biases"),
    },
)
Q_6_6 = Number(
    "how much larger one readout step is at γ = 1",
    10.0,
    slips=(
        (
            100.0,
            Hint(
                "that is N: the readout's change per step is α N^{γ-2}; compare the exponents at the two γ's",
                "γ = 1 gives N^{-1}, γ = 1/2 gives N^{-3/2}: their ratio?",
            ),
        ),
        (0.1, Hint("which one is larger? The question asks γ = 1 over γ = 1/2")),
        (1.0, Hint("the OUTPUT moves by α/N per step at every γ; the question is about each parameter C^i")),
    ),
    other=Hint(
        "one step changes each C^i by about α N^{γ-2}: divide its value at γ = 1 by its value at γ = 1/2, N = 100"
    ),
)


@exercise("6.4", functions=("q_6_4",))
def check_q_6_4(fn, verbose: bool = True):
    """Question 6.4: ``fn() -> "a" | "b" | "c" | "d"``."""
    return ask(Q_6_4, "6.4", fn, verbose)


@exercise("6.5", functions=("q_6_5",))
def check_q_6_5(fn, verbose: bool = True):
    """Question 6.5: ``fn() -> "a" | "b" | "c" | "d"``."""
    return ask(Q_6_5, "6.5", fn, verbose)


@exercise("6.6", functions=("q_6_6",))
def check_q_6_6(fn, verbose: bool = True):
    """Question 6.6: ``fn() -> the factor``, a number."""
    return ask(Q_6_6, "6.6", fn, verbose)


__all__ = [
    "check_breaking_point",
    "check_difference_variance",
    "check_paired_interval",
    "check_q_6_4",
    "check_q_6_5",
    "check_q_6_6",
    "difference_variance",
]
