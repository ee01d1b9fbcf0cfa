"""Checks for chapter 2 (learning rates from the theory) beyond those of :mod:`.learning_rates`.

Exercise 2.3: the clock on which shallow networks trained with *any* learning rate follow the same curve.  One
full-batch step with rate η moves the output by η N^{1-2γ} A_N (y - g)/M, so the runs of every width and rate
follow the kernel dynamics on τ = k η N^{1-2γ} / α, which is t = k/N for the theory's rate η = α N^{2γ-2}.
"""
from __future__ import annotations

import math

import numpy as np

from .feedback import NotAttempted, exponent_hint, start
from .registry import exercise

# (step k, learning rate η, width N, γ, α): theory rates (where τ = k/N) and fixed rates of other widths.
CASES = [
    (400, 20.0 * 200 ** (2 * 0.75 - 2), 200, 0.75, 20.0),     # the theory's rate: τ = k / N
    (1000, 20.0 * 50 ** (2 * 0.75 - 2), 800, 0.75, 20.0),     # the rate of width 50 used at width 800
    (37, 0.3, 1500, 0.6, 1.0),
    (250, 5.0 * 90 ** (2 * 0.9 - 2), 3000, 0.9, 5.0),
    (12, 2.0, 64, 1.0, 2.0),
]


def effective_time(step, learning_rate, width, gamma, alpha):
    """τ = k η N^{1-2γ} / α (elementwise for arrays)."""
    return np.asarray(step, dtype=float) * learning_rate * np.power(width, 1.0 - 2.0 * gamma) / alpha


@exercise("2.3", functions=("effective_time",))
def check_effective_time(fn, verbose: bool = True):
    """Check ``fn(step, learning_rate, width, gamma, alpha) -> τ``, the clock on which shallow networks trained
    with any rate follow the same curve (τ = t = k/N for the theory's rate α N^{2γ-2}); it must also work
    elementwise on numpy arrays (or pandas columns) of steps."""
    report = start("Exercise 2.3: a clock for any learning rate", verbose)
    try:
        for k, eta, n, gamma, alpha in CASES:
            where = f"k = {k}, η = {eta:.4g}, N = {n}, γ = {gamma}, α = {alpha:g}"
            try:
                got = float(fn(k, eta, n, gamma, alpha))
            except NotImplementedError as err:
                raise NotAttempted from err
            except Exception as err:  # a student's bug is feedback, not a crash of the check
                report.fail(f"{where}: your function raised {type(err).__name__}: {err}")
                continue
            expected = float(effective_time(k, eta, n, gamma, alpha))
            if math.isfinite(got) and math.isclose(got, expected, rel_tol=1e-9):
                report.ok(f"{where}: right")
            elif math.isclose(got, k / n, rel_tol=1e-9):
                report.fail(f"{where}: that is k/N, which ignores the rate",
                            "with a rate other than the theory's, how far does one step move the output?")
            elif math.isclose(got, expected * alpha, rel_tol=1e-9):
                report.fail(f"{where}: off by the factor α",
                            "normalize so that the theory's rate α N^{2γ-2} gives back τ = k/N")
            else:
                report.fail(f"{where}: not right", exponent_hint(got, expected, n)
                            or "one step moves the output by η |∇g|² ≈ η N^{1-2γ} × O(1): count the steps in "
                               "units of that")
        steps = np.array([0, 10, 250])
        try:
            clocks = np.asarray(fn(steps, 0.05, 400, 0.75, 2.0), dtype=float)
        except NotImplementedError as err:
            raise NotAttempted from err
        except Exception as err:
            report.fail(f"an array of steps: your function raised {type(err).__name__}: {err}",
                        "use arithmetic that works elementwise (numpy operators), not math.* or int()")
        else:
            if clocks.shape == steps.shape and np.allclose(clocks, effective_time(steps, 0.05, 400, 0.75, 2.0),
                                                           rtol=1e-9):
                report.ok("an array of steps: works elementwise")
            else:
                report.fail("an array of steps: the result is not the elementwise clock",
                            "use arithmetic that works elementwise (numpy operators)")
    except NotAttempted:
        report.attempted = False
    return report.summary()
