"""Checks for chapter 6 (MNIST accuracy across γ-grids).

The hidden cases are small tables of final accuracies, built so that each typical slip gives a recognisably wrong
number: swapping ``low`` and ``high`` flips the sign; differencing the seed means instead of pairing seeds differs
when a seed is missing; grouping by the wrong γ column returns another layer's effect; comparing medians or a single
seed moves the breaking point.  The reference answers come from :mod:`gammanet.grids`, the library's tested code.
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from ..columns import gamma_columns
from ..grids import main_effects, paired_difference
from .feedback import RAISED, NotAttempted, call, close, run, start
from .registry import exercise


def _grid_table(depth: int, accuracy, seeds=(0, 1, 2), values=(0.5, 0.7, 1.0), drop=()) -> pd.DataFrame:
    rows = []
    for g in itertools.product(values, repeat=depth):
        for s in seeds:
            if (g, s) in drop:
                continue
            rows.append(dict(seed=s, **{f"gamma_{i + 1}": v for i, v in enumerate(g)}, epoch=10,
                             test_accuracy=float(accuracy(g, s)), status="ok"))
    return pd.DataFrame(rows)


def paired_cases() -> list:
    """(label, final table, low, high): a shallow grid with a strong seed effect and a seed missing from ``high``;
    a depth-2 grid where only the outer γ differs; a depth-3 grid with a negative gain."""
    rng = np.random.default_rng(41)
    seed_effect = rng.normal(0, 0.05, size=6)
    shallow = _grid_table(1, lambda g, s: 0.80 + 0.1 * (g[0] - 0.5) + seed_effect[s] + 0.003 * s * g[0],
                          seeds=range(6), values=(0.5, 0.75, 1.0), drop={((1.0,), 5)})
    deep2 = _grid_table(2, lambda g, s: 0.7 + 0.2 * g[1] - 0.05 * g[0] + seed_effect[s] * g[1])
    deep3 = _grid_table(3, lambda g, s: 0.9 - 0.3 * (g[0] - 0.5) * (g[2] < 1) + 0.01 * s)
    return [("shallow, γ = 1/2 vs 1, one seed missing at γ = 1", shallow, (0.5,), (1.0,)),
            ("depth 2, γ = (0.7, 0.5) vs (0.7, 1)", deep2, (0.7, 0.5), (0.7, 1.0)),
            ("depth 3, γ = (0.5, 0.5, 0.5) vs (1, 0.7, 0.5)", deep3, (0.5, 0.5, 0.5), (1.0, 0.7, 0.5))]


@exercise("6.1", functions=("my_paired_gain",))
def check_paired_gain(fn, verbose: bool = True):
    """Check ``fn(final, low, high)`` → mean over the seeds both configurations have of acc(high) − acc(low)."""
    report = start("Exercise 6.1: the paired gain", verbose)
    try:
        for label, table, low, high in paired_cases():
            expected = paired_difference(table, low, high)["mean"]
            got = call(report, fn, table.copy(), low, high)
            if got is None:
                continue
            try:
                got = float(got)
            except (TypeError, ValueError):
                report.fail(f"{label}: returned {type(got).__name__}", "return one number, the mean gain")
                continue
            if close(got, expected, 1e-9):
                report.ok(f"{label}: right")
            elif close(got, -expected, 1e-9):
                report.fail(f"{label}: right size, wrong sign", "the gain of `high` over `low` is acc(high) − acc(low)")
            else:
                means = table.groupby(gamma_columns(table)).test_accuracy.mean()
                unpaired = means[tuple(high)] - means[tuple(low)] if len(low) > 1 else means[high[0]] - means[low[0]]
                if close(got, unpaired, 1e-9):
                    report.fail(f"{label}: that is the difference of the two means over all their seeds",
                                "pair the seeds: use only the seeds that both configurations have")
                else:
                    report.fail(f"{label}: not right",
                                "select each configuration's rows by all its γ columns, index them by seed, "
                                "subtract on the common seeds and average")
    except NotAttempted:
        report.attempted = False
    return report.summary()


def effects_cases() -> list:
    """(label, final table): a depth-2 additive grid, a depth-3 grid with an interaction, a grid with 4 values."""
    deep2 = _grid_table(2, lambda g, s: 0.6 + 0.3 * g[1] - 0.1 * g[0] + 0.01 * s)
    deep3 = _grid_table(3, lambda g, s: 0.5 + 0.3 * g[2] + 0.1 * g[1] * g[0] - 0.2 * g[0] * (g[2] < 1) + 0.02 * s,
                        seeds=(0, 1))
    four = _grid_table(2, lambda g, s: 0.9 - (g[0] - 0.8) ** 2 + 0.05 * g[1], seeds=(3,), values=(0.5, 0.6, 0.8, 1.0))
    return [("depth 2, additive", deep2), ("depth 3, with interactions", deep3), ("depth 2, four γ values", four)]


@exercise("6.2", functions=("my_main_effects",))
def check_main_effects(fn, verbose: bool = True):
    """Check ``fn(final)`` → ``{ℓ: {γ: mean accuracy over members with γ_ℓ = γ}}`` for ℓ = 1..L."""
    report = start("Exercise 6.2: main effects", verbose)
    try:
        for label, table in effects_cases():
            reference = main_effects(table)
            expected = {int(ell): dict(zip(part.gamma, part.accuracy)) for ell, part in reference.groupby("position")}
            got = call(report, fn, table.copy())
            if got is None:
                continue
            if not isinstance(got, dict) or set(got) != set(expected):
                report.fail(f"{label}: expected the layers {sorted(expected)} as keys, got "
                            f"{list(got) if isinstance(got, dict) else type(got).__name__}",
                            "one entry per layer position ℓ = 1..L (integers), each a dict {γ: accuracy}")
                continue
            wrong = {}                  # layer → hint; one line per hidden table
            for ell, effect in expected.items():
                try:
                    mine = {float(k): float(v) for k, v in dict(got[ell]).items()}
                except (TypeError, ValueError):
                    wrong[ell] = "each entry is a dict {γ: mean accuracy} of numbers"
                    continue
                if sorted(mine) != sorted(effect) or not all(close(mine[g], effect[g], 1e-9) for g in effect):
                    swapped = [m for m, e in expected.items() if m != ell and sorted(e) == sorted(mine)
                               and all(close(mine[g], e[g], 1e-9) for g in e)]
                    wrong[ell] = (f"that is the effect of layer {swapped[0]}: check which γ column you group by"
                                  if swapped else "group the members by the γ of that one layer and average the "
                                                  "accuracy over everything else (the other layers and the seeds)")
            if wrong:
                report.fail(f"{label}: layer{'s' if len(wrong) > 1 else ''} {', '.join(map(str, wrong))} not right",
                            "; ".join(f"layer {ell}: {hint}" for ell, hint in wrong.items()))
            else:
                report.ok(f"{label}: all {len(expected)} layers right")
    except NotAttempted:
        report.attempted = False
    return report.summary()


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
    skewed = pd.DataFrame([dict(alpha=a, gamma_1=g, seed=s, test_accuracy=v) for a, g, s, v in [
        (10, 0.5, 0, 0.85), (10, 0.5, 1, 0.86), (10, 0.5, 2, 0.84), (10, 1.0, 0, 0.90), (10, 1.0, 1, 0.91),
        (10, 1.0, 2, 0.90), (30, 0.5, 0, 0.89), (30, 0.5, 1, 0.90), (30, 0.5, 2, 0.91), (30, 1.0, 0, 0.92),
        (30, 1.0, 1, 0.93), (30, 1.0, 2, 0.79), (300, 0.5, 0, 0.93), (300, 0.5, 1, 0.93), (300, 0.5, 2, 0.94),
        (300, 1.0, 0, 0.5), (300, 1.0, 1, 0.6), (300, 1.0, 2, 0.4)]])
    late = table({300.0: (0.927, 0.542), 30.0: (0.884, 0.924), 100.0: (0.913, 0.936)})   # rows not sorted by α
    return [("reversal at α = 100", simple, 100.0), ("no reversal", never, None),
            ("seed means vs one seed", skewed, 30.0), ("unsorted α", late, 300.0)]


@exercise("6.3", functions=("my_breaking_point",))
def check_breaking_point(fn, verbose: bool = True):
    """Check ``fn(table)`` → the smallest α at which the seed-mean accuracy of γ = 1 is below that of γ = 1/2."""
    report = start("Exercise 6.3: the fast preset's breaking point", verbose)
    try:
        for label, table, expected in breaking_cases():
            got = run(report, fn, table.copy())     # None is a possible answer here
            if got is RAISED:                       # run() reported the error
                continue
            if got is None and expected is not None:
                report.fail(f"{label}: you returned None, but the ordering does reverse",
                            "compare the seed means of γ = 1 and γ = 1/2 at every α")
            elif expected is None:
                if got is None:
                    report.ok(f"{label}: right (never)")
                else:
                    report.fail(f"{label}: you returned {got!r}, but γ = 1 stays ahead at every α",
                                "return None when the ordering never reverses")
            elif isinstance(got, (int, float)) and not isinstance(got, bool) and math.isclose(got, expected):
                report.ok(f"{label}: right")
            else:
                hint = ("average over the seeds first, then compare the two γ's at each α; take the smallest α "
                        "(the rows need not be sorted)")
                report.fail(f"{label}: not right (you returned {got!r})", hint)
    except NotAttempted:
        report.attempted = False
    return report.summary()
