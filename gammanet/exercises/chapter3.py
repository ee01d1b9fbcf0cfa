"""Checks for chapter 3 (the asymptotic expansion).

- :func:`check_variance_slope` — the log–log slope of the output variance against N that the leading fluctuation
  term N^{-(γ-1/2)} K_t predicts;
- :func:`check_correction_count` — how many deterministic corrections N^{-j(1-γ)} Q^j_t are at least as large as
  the fluctuation term (ties counted), on hidden γ's that include the breakpoints 3/4, 5/6, 7/8, 9/10;
- :func:`check_kernel_flow` — h_t = (I - e^{-αAt/M}) y from a kernel matrix, on hidden kernels;
- :func:`check_slope_estimator` — the log–log slope of the seed variance against N from a trained sweep, on a
  hidden sweep (compared with :func:`gammanet.theory.fit_slope`).
"""
from __future__ import annotations

import functools
import math
from fractions import Fraction

import numpy as np
import torch

from .feedback import NotAttempted, call, close, start
from .registry import exercise

# ------------------------------------------------------------------------------------------ the variance slope
SLOPE_CASES = (0.5, 0.55, 0.7, 0.8, 0.95, 1.0)


@exercise("3.1", functions=("my_variance_slope_theory",))
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


@exercise("3.2", functions=("my_correction_count",))
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


# ------------------------------------------------------------------------------------------- the kernel flow
def reference_flow(A: torch.Tensor, y: torch.Tensor, alpha: float, t: float) -> torch.Tensor:
    """(I - e^{-αAt/M}) y by the matrix exponential (an independent route from the eigendecomposition)."""
    m = A.shape[0]
    return y - torch.linalg.matrix_exp(-alpha * t * A / m) @ y


def random_kernel(m: int, seed: int, rank: int | None = None) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    b = torch.randn(m, rank or m, generator=gen, dtype=torch.float64)
    return b @ b.T / (rank or m)


@functools.lru_cache(maxsize=1)
def flow_cases() -> list:
    """(label, A, y, α, t, reference) — random positive semi-definite kernels (one of low rank) and the tangent
    kernel of a hidden toy problem, whose reference comes from the library's :class:`KernelLimit`."""
    from ..theory import KernelLimit, toy_problem

    cases = []
    for label, m, seed, rank, alpha, t in [("random 5×5 kernel", 5, 11, None, 2.0, 0.7),
                                           ("random 8×8 kernel at t = 0", 8, 12, None, 3.0, 0.0),
                                           ("random 9×9 kernel of rank 3", 9, 13, 3, 5.0, 4.0),
                                           ("random 6×6 kernel, long time", 6, 14, None, 10.0, 50.0)]:
        A = random_kernel(m, seed, rank)
        y = torch.randn(m, generator=torch.Generator().manual_seed(seed + 100), dtype=torch.float64)
        cases.append((label, A, y, alpha, t, reference_flow(A, y, alpha, t)))
    problem = toy_problem(n_train=10, n_test=2, seed=7)
    limit = KernelLimit(problem, 20.0)
    for t in (0.3, 1.5):
        cases.append((f"tangent kernel of a hidden problem, α = 20, t = {t:g}", limit.A.clone(),
                      problem.y_train.clone(), 20.0, t, limit.mean([t], "train")[0]))
    return cases


def as_vector(value, m: int):
    """The student's answer as a float64 numpy vector of length m, or None."""
    try:
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().double().numpy()
        arr = np.asarray(value, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        return None
    return arr if arr.shape == (m,) else None


@exercise("3.3", functions=("my_kernel_flow",))
def check_kernel_flow(fn, verbose: bool = True):
    """Check ``fn(A, y, alpha, t) -> h_t = (I - e^{-αAt/M}) y`` (``A`` (M, M), ``y`` (M,) float64 tensors)."""
    report = start("Exercise: the kernel limit h_t from a kernel matrix", verbose)
    try:
        for label, A, y, alpha, t, expected in flow_cases():
            m = A.shape[0]
            got = call(report, fn, A.clone(), y.clone(), alpha, t)
            if got is None:
                continue
            arr = as_vector(got, m)
            if arr is None:
                report.fail(f"{label}: expected a vector of length M = {m}, got {type(got).__name__} "
                            f"{getattr(got, 'shape', '')}", "return h_t at the M training points")
                continue
            exp = expected.numpy()
            scale = max(1.0, float(np.abs(y.numpy()).max()))
            if np.allclose(arr, exp, rtol=1e-6, atol=1e-8 * scale):
                report.ok(f"{label}: right")
                continue
            wrong = {
                "entrywise": y - torch.exp(-alpha * t * A / m) @ y,
                "no_M": reference_flow(A * m, y, alpha, t),
                "residual": y - expected,
                "sign": y - torch.linalg.matrix_exp(alpha * t * A / m) @ y,
            }
            hints = {
                "entrywise": "exp of a matrix entry by entry is not the matrix exponential: diagonalize A "
                             "(torch.linalg.eigh) and exponentiate the eigenvalues",
                "no_M": "the loss is (1/2M) Σ_m (y_m - g(x_m))²: where does the 1/M go in the rate?",
                "residual": "that is the residual y - h_t, not h_t",
                "sign": "the flow contracts the residual y - h_t: check the sign in the exponent",
            }
            for key, value in wrong.items():
                if np.allclose(arr, value.numpy(), rtol=1e-6, atol=1e-8 * scale):
                    report.fail(f"{label}: not h_t", hints[key])
                    break
            else:
                report.fail(f"{label}: not h_t (largest error {np.abs(arr - exp).max():.2e})",
                            "h_t = y - e^{-αAt/M} y with the matrix exponential; at t = 0 it must be 0")
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


@exercise("3.4", functions=("my_variance_slope",))
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
