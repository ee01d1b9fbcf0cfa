"""Checks for chapter 1 (why normalize by 1/N^γ): the width slope, the variance law, the authors' readout.

Every expected value comes from :func:`gammanet.theory.init_variance_law` (Gauss–Hermite quadrature) or from the
closed forms below it; the student's function is compared case by case with a relative tolerance of 1%, loose
enough for a Monte-Carlo answer with 10⁶ draws and tight enough to separate every typical slip (each wrong answer
the hints name is at least 10% away on every hidden case).
"""
from __future__ import annotations

import math

import numpy as np
import torch

from ..theory.variance import init_variance_law, unit_moments
from .feedback import NotAttempted, exponent_hint, start
from .registry import exercise

TOLERANCE = 0.01

# Exercise 1.1: the γ's of networks of depth 1–4; the outer γ differs from every inner one in the deep cases, so
# an answer that reads the wrong layer cannot pass them.
SLOPE_CASES = [(0.75,), (0.5,), (1.0,), (0.6, 0.9), (1.0, 0.5, 0.7), (0.5, 1.0, 1.0, 0.55)]

# Exercises 1.2–1.4: (input dimension, |x|², width, γ).  No |x|² near 1, so |x| and |x|² cannot be confused.
LAW_CASES = [(2, 0.3, 50, 0.5), (5, 4.0, 300, 0.7), (784, 9.0, 1000, 1.0), (10, 2.5, 120, 0.9)]


def hidden_input(dim: int, norm_sq: float, seed: int) -> np.ndarray:
    """A fixed input of dimension ``dim`` with |x|² = ``norm_sq`` (float64 numpy array, shape (dim,))."""
    x = np.random.default_rng(seed).standard_normal(dim)
    return x * math.sqrt(norm_sq / float((x ** 2).sum()))


def as_number(value):
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


MISSING = object()


def attempt(report, fn, args, where: str):
    """Call the student's ``fn(*args)``: NotImplementedError → NotAttempted; any other error → a failed line
    naming the case (not the hidden input, which can be long) and ``MISSING``."""
    try:
        return fn(*args)
    except NotImplementedError as err:
        raise NotAttempted from err
    except Exception as err:  # a student's bug is feedback, not a crash of the check
        report.fail(f"{where}: your function raised {type(err).__name__}: {err}")
        return MISSING


def answer(report, fn, args, where: str):
    """The student's answer as a float, or None after recording why there is none (an error, or not a number)."""
    raw = attempt(report, fn, args, where)
    if raw is MISSING:
        return None
    got = as_number(raw)
    if got is None:
        report.fail(f"{where}: returned {raw!r}", "return one finite number")
    return got


def near(got, expected, rel: float = TOLERANCE) -> bool:
    return got is not None and math.isclose(got, expected, rel_tol=rel, abs_tol=0.0)


def second_moment_of_unit(norm_sq: float) -> tuple[float, float]:
    """E σ(Z), E σ(Z)² for the sigmoid and Z ~ N(0, norm_sq)."""
    m1, m2 = unit_moments(torch.tensor([float(norm_sq)], dtype=torch.float64))
    return float(m1[0]), float(m2[0])


def law(x: np.ndarray, width: int, gamma: float, init: str):
    frame = init_variance_law(torch.as_tensor(x, dtype=torch.float64)[None, :], (width,), (gamma,), init)
    return float(frame["mean"][0]), float(frame["variance"][0])


# ------------------------------------------------------------------------------------------------- exercise 1.1
@exercise("1.1", functions=("predicted_slope",))
def check_predicted_slope(fn, verbose: bool = True):
    """Check ``fn(gammas) -> the log–log slope of Var g_0(x) against N_L`` (centred readout, no biases)."""
    report = start("Exercise 1.1: the width slope of the output variance", verbose)
    try:
        for gammas in SLOPE_CASES:
            where = f"γ's {gammas}"
            raw = attempt(report, fn, (gammas,), where)
            if raw is MISSING:
                continue
            got = as_number(raw)
            expected = 1 - 2 * gammas[-1]
            if got is None:
                report.fail(f"{where}: returned {raw!r}", "return one number: the slope of log Var against log N_L")
            elif abs(got - expected) < 1e-9:
                report.ok(f"{where}: right")
            elif len(gammas) > 1 and any(abs(got - (1 - 2 * g)) < 1e-9 for g in gammas[:-1]):
                report.fail(f"{where}: you used an inner layer's γ",
                            "only one factor N^{-γ} multiplies the output sum: which layer's?")
            elif abs(got + expected) < 1e-9:
                report.fail(f"{where}: the sign is wrong", "does the variance grow or shrink with N when γ > 1/2?")
            elif abs(got - (1 - gammas[-1])) < 1e-9 or abs(got - (0.5 - gammas[-1])) < 1e-9:
                report.fail(f"{where}: that is not the variance's slope",
                            "the factor N^{-γ} enters the variance squared, and a sum of N independent centred "
                            "terms has variance proportional to N")
            else:
                report.fail(f"{where}: not right", "Var g_0 = N^a × (a width-free constant): find a")
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ------------------------------------------------------------------------------------------------- exercise 1.2
@exercise("1.2", functions=("variance_law",))
def check_variance_law(fn, verbose: bool = True):
    """Check ``fn(x, width, gamma) -> Var g_0(x)`` for the shallow sigmoid network with a centred N(0, 1) readout
    and no biases (x: a 1-D numpy array)."""
    report = start("Exercise 1.2: the variance law of a shallow network", verbose)
    try:
        for k, (dim, norm_sq, width, gamma) in enumerate(LAW_CASES):
            x = hidden_input(dim, norm_sq, seed=100 + k)
            where = f"d = {dim}, |x|² = {norm_sq:g}, N = {width}, γ = {gamma}"
            got = answer(report, fn, (x.copy(), width, gamma), where)
            if got is None:
                continue
            _, expected = law(x, width, gamma, "centered")
            m1, m2 = second_moment_of_unit(norm_sq)
            scale = width ** (1 - 2 * gamma)
            if near(got, expected):
                report.ok(f"{where}: right")
            elif near(got, scale * (m2 - m1 ** 2)):
                report.fail(f"{where}: you used the variance of σ(Z)",
                            "the readout is centred and independent of Z: Var(C σ(Z)) = E[C²] E[σ(Z)²]")
            elif any(near(got, scale * second_moment_of_unit(v)[1]) for v in (norm_sq ** 0.5, norm_sq ** 2)):
                report.fail(f"{where}: the law of Z = W·x is off",
                            "with W ~ N(0, I_d), Z = W·x is Gaussian: what are its mean and variance?")
            else:
                hint = exponent_hint(got, expected, width)
                report.fail(f"{where}: not right",
                            hint or "Var g_0(x) = N^{1-2γ} E[C²] E[σ(Z)²] with Z = W·x: check each factor")
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ------------------------------------------------------------------------------------------------- exercise 1.3
@exercise("1.3", functions=("uniform_readout",))
def check_uniform_readout(fn, verbose: bool = True):
    """Check ``fn(x, width, gamma) -> (mean, variance)`` of g_0(x) for the shallow sigmoid network with the
    authors' U(0, 1) readout and no biases."""
    report = start("Exercise 1.3: the authors' U(0, 1) readout", verbose)
    try:
        for k, (dim, norm_sq, width, gamma) in enumerate(LAW_CASES):
            x = hidden_input(dim, norm_sq, seed=200 + k)
            where = f"d = {dim}, |x|² = {norm_sq:g}, N = {width}, γ = {gamma}"
            raw = attempt(report, fn, (x.copy(), width, gamma), where)
            if raw is MISSING:
                continue
            try:
                got_mean, got_var = (as_number(v) for v in raw)
            except (TypeError, ValueError):
                report.fail(f"{where}: returned {type(raw).__name__}", "return a pair (mean, variance)")
                continue
            mean, variance = law(x, width, gamma, "uniform")
            m1, m2 = second_moment_of_unit(norm_sq)
            scale = width ** (1 - 2 * gamma)
            wrong = []                      # (what is wrong, hint): one line per case, naming both parts
            if got_mean is not None and abs(got_mean) < 1e-12 and not near(got_mean, mean):
                wrong.append(("the mean is not zero", "what is E[C] for C ~ U(0, 1)?"))
            elif not near(got_mean, mean):
                wrong.append(("mean not right",
                              exponent_hint(got_mean, mean, width) or "E g_0 = N^{-γ} × N × E[C] E[σ(Z)]"))
            if near(got_var, variance):
                pass
            elif near(got_var, variance + mean ** 2):
                wrong.append(("that variance is E[g_0²]", "subtract the square of the mean"))
            elif near(got_var, scale * m2 / 3.0):
                wrong.append(("variance too large", "given the hidden layer the terms C_i σ(Z_i) are i.i.d. but "
                              "not centred: Var(Cσ) = E[C²]E[σ²] - (E[C]E[σ])²"))
            elif near(got_var, scale * m2 / 12.0):
                wrong.append(("variance too small", "Var(Cσ) is not Var(C) E[σ²]: σ(Z) varies too"))
            else:
                wrong.append(("variance not right", exponent_hint(got_var, variance, width)
                              or "write Var(C σ(Z)) with E[C] = 1/2, E[C²] = 1/3 and the moments of σ(Z)"))
            if not wrong:
                report.ok(f"{where}: mean and variance right")
            else:
                right = "" if len(wrong) == 2 else ("; variance right" if wrong[0][0].startswith(("mean", "the mean"))
                                                    else "; mean right")
                report.fail(f"{where}: " + "; ".join(w for w, _ in wrong) + right, "; ".join(h for _, h in wrong))
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ------------------------------------------------------------------------------------------------- exercise 1.4
def centred_logit_variance(x: np.ndarray, width: int, gamma: float, n_classes: int) -> float:
    """Var(g_k(x) - ḡ(x)), ḡ the mean of the K logits, for the U(0, 1) readout without biases:
    N^{1-2γ} Var(C) (1 - 1/K) E[σ(Z)²], with Var(C) = 1/12 (exact at every width)."""
    _, m2 = second_moment_of_unit(float((np.asarray(x, dtype=float) ** 2).sum()))
    return width ** (1 - 2 * gamma) * (1.0 / 12.0) * (1 - 1.0 / n_classes) * m2


@exercise("1.4", functions=("centred_logit_variance",))
def check_centred_logits(fn, verbose: bool = True):
    """Check ``fn(x, width, gamma, n_classes) -> Var(g_k(x) - ḡ(x))`` for the U(0, 1) readout without biases."""
    report = start("Exercise 1.4: what cross-entropy sees", verbose)
    try:
        for k, ((dim, norm_sq, width, gamma), n_classes) in enumerate(zip(LAW_CASES, (10, 10, 3, 2))):
            x = hidden_input(dim, norm_sq, seed=300 + k)
            where = f"K = {n_classes}, d = {dim}, |x|² = {norm_sq:g}, N = {width}, γ = {gamma}"
            got = answer(report, fn, (x.copy(), width, gamma, n_classes), where)
            if got is None:
                continue
            expected = centred_logit_variance(x, width, gamma, n_classes)
            unit = expected / ((1 - 1 / n_classes) / 12.0)             # N^{1-2γ} E[σ(Z)²]
            _, one_logit = law(x, width, gamma, "uniform")
            if near(got, expected):
                report.ok(f"{where}: right")
            elif near(got, unit / 12.0):
                report.fail(f"{where}: too large by the factor K/(K-1)",
                            "C_k,i minus the mean over k of C_k,i: its variance is Var(C) times what?")
            elif near(got, one_logit):
                report.fail(f"{where}: that is the variance of one logit",
                            "write g_k - ḡ as one sum over the units: what is left of the readout's mean?")
            elif near(got, unit * (1 - 1 / n_classes) / 3.0):
                report.fail(f"{where}: too large", "the offset E[C] is common to all logits and cancels: "
                            "only the readout's variance is left")
            elif near(got, unit * (1 - 1 / n_classes)):
                report.fail(f"{where}: too large", "the readout is U(0, 1), not N(0, 1): what is its variance?")
            else:
                report.fail(f"{where}: not right", exponent_hint(got, expected, width)
                            or "write g_k - ḡ as one sum over the N units, then use the variance law")
    except NotAttempted:
        report.attempted = False
    return report.summary()
