"""Checks for chapter 4 (the expansion).

- :func:`check_variance_slope` — the log–log slope of the output variance against N that the leading fluctuation
  term N^{-(γ-1/2)} K_t predicts;
- :func:`check_correction_count` — how many deterministic corrections N^{-j(1-γ)} Q^j_t are at least as large as
  the fluctuation term (ties counted), on hidden γ's that include the breakpoints 3/4, 5/6, 7/8, 9/10;
- :func:`check_slope_estimator` — the log–log slope of the seed variance against N from a trained sweep, on a
  hidden sweep (compared with :func:`gammanet.theory.fit_slope`);
- :func:`check_gap_exponent` — the slope of the seed-mean gap to h_t that the symmetry argument predicts, for
  readout laws given by their moments and units with or without a hidden bias.
"""
from __future__ import annotations

import functools
import math
from fractions import Fraction

import numpy as np

from .feedback import NotAttempted, call, close, start
from .registry import exercise

# ------------------------------------------------------------------------------------------ the variance slope
SLOPE_CASES = (0.5, 0.55, 0.7, 0.8, 0.95, 1.0)


@exercise("4.1", functions=("my_variance_slope_theory",))
def check_variance_slope(fn, verbose: bool = True):
    """Check ``fn(gamma) -> the predicted log–log slope of Var h^N_t(x) against N`` (leading order)."""
    report = start("Exercise: the predicted variance slope", verbose)
    try:
        for gamma in SLOPE_CASES:
            expected = 1 - 2 * gamma
            got = call(report, fn, gamma)
            if got is None:
                continue
            try:
                got = float(got)
            except (TypeError, ValueError):
                report.fail(f"γ={gamma:g}: returned {type(got).__name__}", "return one number, the slope")
                continue
            if close(got, expected, 1e-9) or abs(got - expected) < 1e-12:
                report.ok(f"γ={gamma:g}: right")
            elif abs(got + expected) < 1e-12:
                report.fail(f"γ={gamma:g}: wrong sign", "the variance falls as N grows when γ > 1/2: check the sign")
            elif abs(got - (0.5 - gamma)) < 1e-12:
                report.fail(f"γ={gamma:g}: that is the exponent of the fluctuation's size, not of its variance",
                            "Var(N^a K) = N^{2a} Var K")
            elif abs(got - (gamma - 1)) < 1e-12 or abs(got - (1 - gamma)) < 1e-12:
                report.fail(f"γ={gamma:g}: that is the exponent of a deterministic correction",
                            "deterministic terms have no variance: which term of the expansion is random?")
            else:
                report.fail(f"γ={gamma:g}: {got!r} is not right",
                            "write the random term of the expansion as N^a K_t and take its variance")
    except NotAttempted:
        report.attempted = False
    return report.summary()


# --------------------------------------------------------------------------------- the number of corrections
#: Hidden γ's: below the first breakpoint, the breakpoints 1 - 1/(2ν) themselves, and points between them.  At
#: 11/12 and 19/20 the float comparison j(1-γ) ≤ γ - 1/2 without a tolerance gets the tie wrong.
COUNT_CASES = (Fraction(1, 2), Fraction(3, 5), Fraction(7, 10), Fraction(3, 4), Fraction(4, 5), Fraction(5, 6),
               Fraction(17, 20), Fraction(7, 8), Fraction(9, 10), Fraction(11, 12), Fraction(23, 25),
               Fraction(19, 20), Fraction(97, 100))


def correction_count(gamma: Fraction) -> int:
    """#{j ≥ 1 : j(1 - γ) ≤ γ - 1/2} for γ ∈ [1/2, 1), exactly (γ a Fraction)."""
    return int((gamma - Fraction(1, 2)) // (1 - gamma))


def is_breakpoint(gamma: Fraction) -> bool:
    return gamma > Fraction(1, 2) and (gamma - Fraction(1, 2)) % (1 - gamma) == 0


@exercise("4.2", functions=("my_correction_count",))
def check_correction_count(fn, verbose: bool = True):
    """Check ``fn(gamma) -> the number of j ≥ 1 with N^{-j(1-γ)} at least as large as N^{-(γ-1/2)}``."""
    report = start("Exercise: how many corrections come before the fluctuation", verbose)
    try:
        for exact in COUNT_CASES:
            gamma = float(exact)
            expected = correction_count(exact)
            got = call(report, fn, gamma)
            if got is None:
                continue
            whole = isinstance(got, (int, np.integer)) or (isinstance(got, float) and got.is_integer())
            if isinstance(got, bool) or not whole:
                report.fail(f"γ={gamma:g}: returned {got!r}", "return a whole number of terms (an int)")
                continue
            got = int(got)
            name = f"γ={exact}" if exact.denominator <= 12 else f"γ={gamma:g}"
            if got == expected:
                report.ok(f"{name}: right")
            elif is_breakpoint(exact) and got == expected - 1:
                report.fail(f"{name}: one term short at a breakpoint",
                            "here a correction and the fluctuation have exactly the same exponent: that term counts "
                            "(≤), and floating-point exponents that should be equal may differ in the last digit "
                            "— compare with a small tolerance")
            elif got == expected + 1:
                report.fail(f"{name}: one term too many", "start at j = 1, and count only corrections whose "
                            "exponent j(1-γ) is not larger than the fluctuation's")
            elif got < 0:
                report.fail(f"{name}: a count cannot be negative", "count the j ≥ 1 with j(1-γ) ≤ γ - 1/2")
            else:
                report.fail(f"{name}: {got} is not right",
                            "list the exponents j(1-γ) for j = 1, 2, ... and compare each with γ - 1/2")
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ------------------------------------------------------------------------------------ the slope from a sweep
@functools.lru_cache(maxsize=1)
def hidden_sweep():
    """A small sweep the student has not seen: 4 nested widths, two γ's, 12 seeds, a hidden problem."""
    from ..theory import toy_problem, train_sweep

    return train_sweep(toy_problem(n_train=10, n_test=5, seed=5), widths=(20, 40, 80, 160), gammas=(0.6, 0.9),
                       n_seeds=12, seed=100, times=(0.0, 0.5), linearized=False)


SWEEP_CASES = ((0.6, 0.0), (0.6, 0.5), (0.9, 0.5))


@exercise("4.3", functions=("my_variance_slope",))
def check_slope_estimator(fn, verbose: bool = True):
    """Check ``fn(sweep, gamma, t) -> the least-squares slope of log(variance over seeds, averaged over the
    evaluation points) against log N`` on a hidden :class:`gammanet.theory.TrainingSweep`."""
    from ..theory import fit_slope

    report = start("Exercise: measure the variance slope", verbose)
    try:
        sweep = hidden_sweep()
        for gamma, t in SWEEP_CASES:
            samples = sweep.samples(gamma, t)
            expected = fit_slope(sweep.widths, samples, "variance", n_boot=1).slope
            got = call(report, fn, sweep, gamma, t)
            if got is None:
                continue
            try:
                got = float(got)
            except (TypeError, ValueError):
                report.fail(f"γ={gamma:g}, t={t:g}: returned {type(got).__name__}",
                            "return the slope as one number (float(...))")
                continue
            if close(got, expected, 1e-6):
                report.ok(f"γ={gamma:g}, t={t:g}: right")
                continue
            arr = samples.numpy()
            pooled = fit_slope(sweep.widths, arr.mean(-1, keepdims=True), "variance", n_boot=1).slope
            if close(got, expected / 2, 1e-6):
                hint = "you fitted the standard deviation: the question asks for the variance"
            elif close(got, -expected, 1e-6):
                hint = "check the sign: fit log variance (y) against log N (x)"
            elif close(got, expected / math.log(10), 1e-6) or close(got, expected * math.log(10), 1e-6):
                hint = "use the same logarithm on both axes"
            elif close(got, pooled, 1e-6):
                hint = "take the variance over seeds at every point first, then average over the points"
            else:
                hint = ("per width: the variance over seeds (axis 0 of sweep.samples(gamma, t)) at each point, "
                        "averaged over the points; then a least-squares line through (log N, log variance)")
            report.fail(f"γ={gamma:g}, t={t:g}: {got:.4f} is not the fitted slope", hint)
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ------------------------------------------------------------------------------------------ the gap exponent
#: Hidden cases: (γ, (E[C], E[C²], E[C³]), β) with 2/3 < γ < 1 (below 2/3 the N^{-γ} term leads for a skewed law
#: without bias) — a symmetric law with and without bias, a skewed law with and without bias, a two-point law skewed
#: the other way with a negative bias, a symmetric uniform law.
GAP_CASES = ((0.7, (0.0, 1.0, 0.0), 0.0), (0.75, (0.0, 1.0, 0.0), 1.0), (0.75, (0.0, 1.0, 2.0), 0.0),
             (0.75, (0.0, 1.0, 2.0), 1.0), (0.9, (0.0, 1.0, -1.5), -0.5), (0.7, (0.0, 1.0, 0.0), 2.0),
             (0.8, (0.0, 1.0, 2.0), 0.5))


def gap_exponent(gamma: float, moments, hidden_bias: float) -> float:
    """-(1-γ) when the first correction survives (E[C³] ≠ 0 and β ≠ 0), else -2(1-γ)."""
    return -(1 - gamma) if (moments[2] != 0 and hidden_bias != 0) else -2 * (1 - gamma)


@exercise("4.4", functions=("my_gap_exponent",))
def check_gap_exponent(fn, verbose: bool = True):
    """Check ``fn(gamma, moments, hidden_bias) -> the log–log slope in N of the seed-mean gap E h^N_t - h_t`` for a
    centred readout with ``moments`` = (E[C], E[C²], E[C³]), units σ(W·x + β), β = ``hidden_bias``, 2/3 < γ < 1."""
    report = start("Exercise: which correction leads the seed-mean gap", verbose)
    try:
        for gamma, moments, beta in GAP_CASES:
            expected = gap_exponent(gamma, moments, beta)
            name = f"γ={gamma:g}, E[C³]={moments[2]:g}, β={beta:g}"
            got = call(report, fn, gamma, moments, beta)
            if got is None:
                continue
            try:
                got = float(got)
            except (TypeError, ValueError):
                report.fail(f"{name}: returned {type(got).__name__}", "return one number, the slope")
                continue
            if abs(got - expected) < 1e-9:
                report.ok(f"{name}: right")
                continue
            first, second = -(1 - gamma), -2 * (1 - gamma)
            skewed, biased = moments[2] != 0, beta != 0
            if got > 0:
                hint = "the gap to h_t closes as N grows: the slope is negative"
            elif abs(got - (1 - 2 * gamma)) < 1e-9:
                hint = "1 - 2γ is the slope of the variance; the gap is a mean, carried by the deterministic terms"
            elif abs(got - first) < 1e-9 and not skewed:
                hint = ("average the kernel's first-order drift over the readout law: every term carries an odd "
                        "power of C — which moments survive here?")
            elif abs(got - first) < 1e-9 and not biased:
                hint = ("without a bias the pre-activations w·x are symmetric; σ' is even and σ'' odd for the "
                        "sigmoid — what does w → -w do to the term that E[C³] multiplies?")
            elif abs(got - second) < 1e-9:
                hint = ("here E[C³] ≠ 0 and the bias breaks the w → -w symmetry: does the first-order drift still "
                        "average to zero?")
            else:
                hint = "the deterministic corrections are N^{-j(1-γ)} Q^j: find the first j whose Q^j survives"
            report.fail(f"{name}: {got!r} is not the slope", hint)
    except NotAttempted:
        report.attempted = False
    return report.summary()
