"""Checks for chapter 4 (the expansion).

- :func:`check_fluctuation_variance` — Var K_t(x) at evaluation points: the initial Gaussian field K_0, of
  covariance Σ on the training and evaluation points together, carried by the linear flow
  K_t(x) = K_0(x) - A(x, X) A^{-1}(I - e^{-αAt/M}) K_0(X), on hidden kernels (one with eigenvalues at zero);
- :func:`check_correction_count` — how many deterministic corrections N^{-j(1-γ)} Q^j_t are at least as large as
  the fluctuation term (ties counted), on hidden γ's that include the breakpoints 3/4, 5/6, 7/8, 9/10;
- :func:`check_slope_estimator` — the log–log slope of the seed variance against N from a trained sweep, on a
  hidden sweep (compared with :func:`gammanet.theory.fit_slope`);
- :func:`check_gap_exponent` — the slope of the seed-mean gap to h_t that the symmetry argument predicts, for
  readout laws given by their moments and units with or without a hidden bias;
- :func:`check_bias_variance` — the squared bias and the variance of the trained output estimated from S seeds,
  each without bias: the seed-mean's squared error overestimates the squared bias by Var/S;
- questions 4.6–4.8.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction

import numpy as np
import torch

from .feedback import NotAttempted, as_vector, call, close, kind, number, pair, start
from .questions import Choice, Hint, ask
from .registry import exercise


# ------------------------------------------------------------------------------ exercise 4.1: Var K_t at a point
def flow_integral(A: torch.Tensor, alpha: float, t: float) -> torch.Tensor:
    """∫_0^t (α/M) e^{-αAs/M} ds = A^{-1}(I - e^{-αAt/M}) by Van Loan's block exponential (an independent route
    from an eigendecomposition, finite where A is singular): exp([[F, G], [0, 0]] t) has ∫_0^t e^{Fs} ds G as its
    top-right block."""
    m = A.shape[0]
    block = torch.zeros(2 * m, 2 * m, dtype=torch.float64)
    block[:m, :m] = -alpha / m * A
    block[:m, m:] = alpha / m * torch.eye(m, dtype=torch.float64)
    return torch.linalg.matrix_exp(block * t)[:m, m:]


def fluctuation_variance(
    A: torch.Tensor, A_cross: torch.Tensor, Sigma: torch.Tensor, alpha: float, t: float
) -> torch.Tensor:
    """Var K_t(x) at the P evaluation points: K_t(x) = K_0(x) − A(x, X) F K_0(X), F = A^{-1}(I − e^{−αAt/M}), is the
    linear map [−A(x, X) F, I] of the joint field (K_0(X), K_0(x)) of covariance Σ ((M+P)×(M+P), training points
    first), so its covariance is that map's Σ-sandwich; the variances are its diagonal."""
    p = A_cross.shape[0]
    op = torch.cat([-A_cross @ flow_integral(A, alpha, t), torch.eye(p, dtype=torch.float64)], dim=1)
    return torch.diagonal(op @ Sigma @ op.T)


@functools.lru_cache(maxsize=1)
def fluctuation_cases() -> list:
    """(label, A, A_cross, Σ, α, t, reference): random kernels and covariances on training and evaluation points
    together (one A of low rank), and the tangent kernel and Σ of a hidden toy problem, whose reference comes from
    the library's :meth:`KernelLimit.fluctuation_variance`."""
    from ..theory import KernelLimit, tangent_kernel, toy_problem

    cases = []
    for label, m, p, seed, rank, alpha, t in [
        ("random 6×6 kernel, 3 evaluation points", 6, 3, 41, None, 2.0, 0.8),
        ("random 8×8 kernel of rank 3 (zero eigenvalues)", 8, 4, 42, 3, 5.0, 1.5),
        ("random 5×5 kernel at a long time", 5, 2, 43, None, 3.0, 20.0),
    ]:
        gen = torch.Generator().manual_seed(seed)
        b = torch.randn(m + p, rank or (m + p), generator=gen, dtype=torch.float64)
        full = b @ b.T / (rank or (m + p))
        c = torch.randn(m + p, m + p, generator=gen, dtype=torch.float64)
        sigma = c @ c.T / (m + p)  # another covariance: Σ is not A
        A, A_cross = full[:m, :m], full[m:, :m]
        cases.append((label, A, A_cross, sigma, alpha, t, fluctuation_variance(A, A_cross, sigma, alpha, t)))
    problem = toy_problem(n_train=10, n_test=4, seed=11)
    limit = KernelLimit(problem, 20.0)
    x = torch.cat([problem.x_train, problem.x_test])
    full = tangent_kernel(x)
    cases.append(
        (
            "tangent kernel of a hidden problem, α = 20, t = 1",
            full[:10, :10].clone(),
            full[10:, :10].clone(),
            limit.Sigma.clone(),
            20.0,
            1.0,
            limit.fluctuation_variance([1.0], "test")[0],
        )
    )
    return cases


@exercise("4.1", functions=("my_fluctuation_variance",))
def check_fluctuation_variance(fn, verbose: bool = True):
    """Check ``fn(A, A_cross, Sigma, alpha, t) -> Var K_t(x)`` at the P evaluation points (``A`` (M, M), ``A_cross``
    (P, M), ``Sigma`` (M+P, M+P) with the training points first; float64 tensors)."""
    report = start("Exercise 4.1: the fluctuation's variance at an evaluation point", verbose)
    try:
        for label, A, A_cross, sigma, alpha, t, expected in fluctuation_cases():
            m, p = A.shape[0], A_cross.shape[0]
            got = call(report, fn, A.clone(), A_cross.clone(), sigma.clone(), alpha, t)
            if got is None:
                continue
            arr = as_vector(got, p)
            if arr is None:
                shape = tuple(np.shape(got)) if not isinstance(got, (dict, str)) else ()
                if shape == (p, p):
                    report.fail(f"{label}: returned a {p}×{p} matrix", "the variances are its diagonal")
                elif as_vector(got, m) is not None:
                    report.fail(
                        f"{label}: one value per training point",
                        "the question is at the P evaluation points: A_cross brings them in",
                    )
                else:
                    report.fail(
                        f"{label}: returned {kind(got)}, not a vector of length P = {p}",
                        "return Var K_t(x) at the P evaluation points",
                    )
                continue
            exp = expected.numpy()
            scale = float(np.abs(exp).max())
            if np.all(np.isfinite(arr)) and np.allclose(arr, exp, rtol=1e-6, atol=1e-9 * scale):
                report.ok(f"{label}: right")
                continue
            integral = flow_integral(A, alpha, t)
            cross = A_cross @ integral  # (P, M)
            s_xx, s_xX, s_XX = sigma[m:, m:], sigma[m:, :m], sigma[:m, :m]
            wrong = {
                "initial": torch.diagonal(s_xx),
                "no_cross": torch.diagonal(s_xx + cross @ s_XX @ cross.T),
                "sign": torch.diagonal(s_xx + cross @ s_xX.T + s_xX @ cross.T + cross @ s_XX @ cross.T),
                "sd": exp**0.5 if np.all(exp >= 0) else None,
                "no_M": fluctuation_variance(A * m, A_cross * m, sigma, alpha, t),
            }
            hints = {
                "initial": ("that is Var K_0(x), the variance at t = 0: the flow has not acted", ""),
                "no_cross": (
                    "K_0(x) and K_0(X) are correlated (Σ(x, X) ≠ 0): what does that add to the variance "
                    "of a difference?",
                    "Var(U − V) = Var U − 2 Cov(U, V) + Var V",
                ),
                "sign": ("check the sign of the term the flow subtracts", ""),
                "sd": ("that is a standard deviation: the question asks for the variance", ""),
                "no_M": ("the loss is (1/2M) Σ_m (y_m − g(x_m))²: where does the 1/M go in the rate?", ""),
            }
            for key, value in wrong.items():
                if value is not None and np.allclose(arr, np.asarray(value), rtol=1e-6, atol=1e-9 * scale):
                    report.fail(f"{label}: not Var K_t(x)", *hints[key])
                    break
            else:
                report.fail(
                    f"{label}: not Var K_t(x) (largest error {np.nanmax(np.abs(arr - exp)):.2e})",
                    "write K_t(x) as a linear map of the joint Gaussian vector (K_0(X), K_0(x))",
                    more="K_t(x) = K_0(x) − B K_0(X) with B = A(x, X) A^{-1}(I − e^{−αAt/M}) (Exercise 3.2's "
                    "operator); a linear map L of a vector of covariance Σ has covariance L Σ Lᵀ",
                )
    except NotAttempted:
        report.attempted = False
    return report.summary()


# --------------------------------------------------------------------------------- the number of corrections
#: Hidden γ's: below the first breakpoint, the breakpoints 1 - 1/(2ν) themselves, and points between them.  At
#: 11/12 and 19/20 the float comparison j(1-γ) ≤ γ - 1/2 without a tolerance gets the tie wrong.
COUNT_CASES = (
    Fraction(1, 2),
    Fraction(3, 5),
    Fraction(7, 10),
    Fraction(3, 4),
    Fraction(4, 5),
    Fraction(5, 6),
    Fraction(17, 20),
    Fraction(7, 8),
    Fraction(9, 10),
    Fraction(11, 12),
    Fraction(23, 25),
    Fraction(19, 20),
    Fraction(97, 100),
)


def correction_count(gamma: Fraction) -> int:
    """#{j ≥ 1 : j(1 - γ) ≤ γ - 1/2} for γ ∈ [1/2, 1), exactly (γ a Fraction)."""
    return int((gamma - Fraction(1, 2)) // (1 - gamma))


def is_breakpoint(gamma: Fraction) -> bool:
    return gamma > Fraction(1, 2) and (gamma - Fraction(1, 2)) % (1 - gamma) == 0


@exercise("4.2", functions=("my_correction_count",))
def check_correction_count(fn, verbose: bool = True):
    """Check ``fn(gamma) -> the number of j ≥ 1 with N^{-j(1-γ)} at least as large as N^{-(γ-1/2)}``."""
    report = start("Exercise 4.2: how many corrections come before the fluctuation", verbose)
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
                report.fail(
                    f"{name}: one term short at a breakpoint",
                    "here a correction and the fluctuation have exactly the same exponent: that term counts "
                    "(≤), and floating-point exponents that should be equal may differ in the last digit "
                    "— compare with a small tolerance",
                )
            elif got == expected + 1:
                report.fail(
                    f"{name}: one term too many",
                    "start at j = 1, and count only corrections whose "
                    "exponent j(1-γ) is not larger than the fluctuation's",
                )
            elif got < 0:
                report.fail(f"{name}: a count cannot be negative", "count the j ≥ 1 with j(1-γ) ≤ γ - 1/2")
            else:
                report.fail(
                    f"{name}: {got} is not right",
                    "list the exponents j(1-γ) for j = 1, 2, ... and compare each with γ - 1/2",
                )
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ------------------------------------------------------------------------------------ the slope from a sweep
@functools.lru_cache(maxsize=1)
def hidden_sweep():
    """A small sweep the student has not seen: 4 nested widths, two γ's, 12 seeds, a hidden problem."""
    from ..theory import toy_problem, train_sweep

    return train_sweep(
        toy_problem(n_train=10, n_test=5, seed=5),
        widths=(20, 40, 80, 160),
        gammas=(0.6, 0.9),
        n_seeds=12,
        seed=100,
        times=(0.0, 0.5),
        linearized=False,
    )


SWEEP_CASES = ((0.6, 0.0), (0.6, 0.5), (0.9, 0.5))


@exercise("4.3", functions=("my_variance_slope",))
def check_slope_estimator(fn, verbose: bool = True):
    """Check ``fn(sweep, gamma, t) -> the least-squares slope of log(variance over seeds, averaged over the
    evaluation points) against log N`` on a hidden :class:`gammanet.theory.TrainingSweep`."""
    from ..theory import fit_slope

    report = start("Exercise 4.3: measure the variance slope", verbose)
    try:
        sweep = hidden_sweep()
        for gamma, t in SWEEP_CASES:
            samples = sweep.samples(gamma, t)
            expected = fit_slope(sweep.widths, samples, "variance", n_boot=1).slope
            got = call(report, fn, sweep, gamma, t)
            if got is None:
                continue
            got = number(report, f"γ={gamma:g}, t={t:g}", got, "the slope as one number (float(...))")
            if got is None:
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
                hint = (
                    "per width: the variance over seeds (axis 0 of sweep.samples(gamma, t)) at each point, "
                    "averaged over the points; then a least-squares line through (log N, log variance)"
                )
            report.fail(f"γ={gamma:g}, t={t:g}: {got:.4f} is not the fitted slope", hint)
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ------------------------------------------------------------------------------------------ the gap exponent
#: Hidden cases: (γ, (E[C], E[C²], E[C³]), β) with 2/3 < γ < 1 (below 2/3 the N^{-γ} term leads for a skewed law
#: without bias) — a symmetric law with and without bias, a skewed law with and without bias, a two-point law skewed
#: the other way with a negative bias, a symmetric uniform law.
GAP_CASES = (
    (0.7, (0.0, 1.0, 0.0), 0.0),
    (0.75, (0.0, 1.0, 0.0), 1.0),
    (0.75, (0.0, 1.0, 2.0), 0.0),
    (0.75, (0.0, 1.0, 2.0), 1.0),
    (0.9, (0.0, 1.0, -1.5), -0.5),
    (0.7, (0.0, 1.0, 0.0), 2.0),
    (0.8, (0.0, 1.0, 2.0), 0.5),
)


def gap_exponent(gamma: float, moments, hidden_bias: float) -> float:
    """-(1-γ) when the first correction survives (E[C³] ≠ 0 and β ≠ 0), else -2(1-γ)."""
    return -(1 - gamma) if (moments[2] != 0 and hidden_bias != 0) else -2 * (1 - gamma)


@exercise("4.4", functions=("my_gap_exponent",))
def check_gap_exponent(fn, verbose: bool = True):
    """Check ``fn(gamma, moments, hidden_bias) -> the log–log slope in N of the seed-mean gap E h^N_t - h_t`` for a
    centred readout with ``moments`` = (E[C], E[C²], E[C³]), units σ(W·x + β), β = ``hidden_bias``, 2/3 < γ < 1."""
    report = start("Exercise 4.4: which correction leads the seed-mean gap", verbose)
    try:
        for gamma, moments, beta in GAP_CASES:
            expected = gap_exponent(gamma, moments, beta)
            name = f"γ={gamma:g}, E[C³]={moments[2]:g}, β={beta:g}"
            got = call(report, fn, gamma, moments, beta)
            if got is None:
                continue
            got = number(report, name, got, "one number, the slope")
            if got is None:
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
                hint = (
                    "average the kernel's first-order drift over the readout law: every term carries an odd "
                    "power of C — which moments survive here?"
                )
            elif abs(got - first) < 1e-9 and not biased:
                hint = (
                    "without a bias the pre-activations w·x are symmetric; σ' is even and σ'' odd for the "
                    "sigmoid — what does w → -w do to the term that E[C³] multiplies?"
                )
            elif abs(got - second) < 1e-9:
                hint = (
                    "here E[C³] ≠ 0 and the bias breaks the w → -w symmetry: does the first-order drift still "
                    "average to zero?"
                )
            else:
                hint = "the deterministic corrections are N^{-j(1-γ)} Q^j: find the first j whose Q^j survives"
            report.fail(f"{name}: {got!r} is not the slope", hint)
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ------------------------------------------------------------------------------- exercise 4.5: bias and variance
def bias_variance(samples: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    """Unbiased estimates, averaged over the points, of the squared bias (E h − y)² and of the variance Var h from S
    independent seeds: s² with ddof = 1, and (h̄ − y)² − s²/S, since E[(h̄ − y)²] = (E h − y)² + Var h / S.  Their
    sum is the mean over seeds and points of (h − y)², exactly."""
    s2 = samples.var(axis=0, ddof=1)
    bias2 = (samples.mean(axis=0) - target) ** 2 - s2 / samples.shape[0]
    return float(bias2.mean()), float(s2.mean())


def seed_samples(n_seeds: int, n_points: int, bias: float, sd: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Hidden "trained outputs" (S, P) around a target (P,), with a small bias next to the noise, so that the
    seed-mean's Var/S matters."""
    rng = np.random.default_rng(seed)
    target = rng.standard_normal(n_points)
    offsets = bias * rng.choice([-1.0, 1.0], n_points) * (1 + 0.5 * rng.random(n_points))
    samples = target + offsets + sd * (1 + rng.random(n_points)) * rng.standard_normal((n_seeds, n_points))
    return samples, target


BIAS_CASES = [
    ("5 seeds at 8 points", 5, 8, 0.05, 0.3, 51),
    ("12 seeds at 16 points", 12, 16, 0.1, 0.4, 52),
    ("4 seeds at 3 points", 4, 3, 0.02, 0.2, 53),
    ("40 seeds at 10 points", 40, 10, 0.01, 0.5, 54),
]


@exercise("4.5", functions=("my_bias_variance",))
def check_bias_variance(fn, verbose: bool = True):
    """Check ``fn(samples, target) -> (squared bias, variance)``, both averaged over the points and unbiased, for
    ``samples`` (S, P) the outputs of S independent seeds at P points and ``target`` (P,)."""
    report = start("Exercise 4.5: bias and variance from a few seeds", verbose)
    try:
        for label, n_seeds, n_points, bias, sd, seed in BIAS_CASES:
            samples, target = seed_samples(n_seeds, n_points, bias, sd, seed)
            got = call(report, fn, samples.copy(), target.copy())
            if got is None:
                continue
            got = pair(report, label, got, ("squared_bias", "variance"))
            if got is None:
                continue
            bias2, var = bias_variance(samples, target)
            mean = samples.mean(0)
            plug_in = float(((mean - target) ** 2).mean())
            s2_0 = float(samples.var(0).mean())
            right_bias, right_var = close(got[0], bias2, 1e-6), close(got[1], var, 1e-6)
            if right_bias and right_var:
                report.ok(f"{label}: right")
            elif close(got[0], var, 1e-6) and close(got[1], bias2, 1e-6):
                report.fail(f"{label}: the two are swapped", "return (squared bias, variance), in that order")
            elif close(got[0], plug_in, 1e-6) and close(got[1], s2_0, 1e-6):
                report.fail(
                    f"{label}: both are the plug-in estimates",
                    "they add up to the mean squared error, but each is biased: compute E[(h̄ − y)²] for "
                    "S independent seeds",
                    more="E[(h̄ − y)²] = (E h − y)² + Var h / S, and E[s²] = Var h only with ddof = 1",
                )
            elif close(got[0], plug_in, 1e-6):
                report.fail(
                    f"{label}: the squared bias is too large" + ("; variance right" if right_var else ""),
                    "the seed-mean h̄ is itself random: what is E[(h̄ − y)²]?",
                    more="E[(h̄ − y)²] = (E h − y)² + Var h / S: subtract an estimate of Var h / S",
                )
            elif close(got[1], s2_0, 1e-6) and right_bias:
                report.fail(
                    f"{label}: squared bias right; the variance is too small",
                    "an unbiased variance estimate from S draws divides by S − 1",
                )
            elif close(got[0], float((mean - target).mean()) ** 2 - var / n_seeds, 1e-6):
                report.fail(
                    f"{label}: you averaged the bias over the points before squaring it",
                    "square the bias at each point, then average over the points",
                )
            elif close(got[1], float(samples.var(1, ddof=1).mean()), 1e-6):
                report.fail(
                    f"{label}: that variance is over the points",
                    "the variance is over the seeds (axis 0), at each point",
                )
            else:
                parts = [w for w, ok in (("squared bias", right_bias), ("variance", right_var)) if not ok]
                report.fail(
                    f"{label}: the {' and the '.join(parts)} not right",
                    "per point: the mean and the variance over the seeds; then average over the points",
                )
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ---------------------------------------------------------------------------------------------- questions 4.6–4.8
Q_4_6 = Choice(
    "where γ enters the error",
    {
        "a": "the squared bias only",
        "b": "the variance only",
        "c": "both",
        "d": "neither: $\\gamma$ only changes the corrections",
    },
    "b",
    {
        "a": Hint("to leading order the bias is (h_t − y)²: which of A, α, Σ in h_t depends on γ?"),
        "c": Hint("to leading order the bias is (h_t − y)²: does h_t depend on γ?"),
        "d": Hint("the random term of the expansion is N^{1/2−γ} K_t: what is its variance?"),
    },
)

Q_4_7 = Choice(
    "what the mirror removes",
    {
        "a": "every term odd in $C$ — among them the fluctuation $N^{1/2-\\gamma}K_t$",
        "b": "the bias",
        "c": "the deterministic corrections $Q^j_t$",
        "d": "nothing: the pair mean has the same noise as two independent networks",
    },
    "a",
    {
        "b": Hint("the mirror has the same law as the network: does the pair mean have another expectation?"),
        "c": Hint("the corrections Q^j are deterministic: can averaging two networks remove them?"),
        "d": Hint("which terms of the expansion change sign under C → −C?"),
    },
)

Q_4_8 = Choice(
    "the variance at the training points over time",
    {
        "a": "yes, when $A$ has small eigenvalues",
        "b": "no: it is non-increasing in $t$",
        "c": "only at $\\gamma = 1/2$",
        "d": "only once the flow starts to overfit",
    },
    "b",
    {
        "a": Hint("read the proposition on the training points again: what does its proof show?"),
        "c": Hint("the proposition on the training points does not depend on γ"),
        "d": Hint("overfitting is about the evaluation points: the proposition is about the training points"),
    },
)


@exercise("4.6", functions=("q_4_6",))
def check_q_4_6(fn, verbose: bool = True):
    """Question 4.6: ``fn() -> "a" | "b" | "c" | "d"``."""
    return ask(Q_4_6, "4.6", fn, verbose)


@exercise("4.7", functions=("q_4_7",))
def check_q_4_7(fn, verbose: bool = True):
    """Question 4.7: ``fn() -> "a" | "b" | "c" | "d"``."""
    return ask(Q_4_7, "4.7", fn, verbose)


@exercise("4.8", functions=("q_4_8",))
def check_q_4_8(fn, verbose: bool = True):
    """Question 4.8: ``fn() -> "a" | "b" | "c" | "d"``."""
    return ask(Q_4_8, "4.8", fn, verbose)
