"""Checks for chapter 1 (why normalize by 1/N^γ): the variance law, the tangent kernel at initialization, the
authors' readout, what cross-entropy sees, and three questions.

Every expected value comes from :func:`gammanet.theory.init_variance_law` (Gauss–Hermite quadrature), from
Gauss–Hermite quadrature over the Gaussian pair (w·x, w·x') or from closed forms; the student's function is compared
case by case with a relative tolerance of 1%, loose enough for a Monte-Carlo answer with 10⁶ draws and tight enough
to separate every typical slip (each wrong answer the hints name is at least 5% away on every hidden case where it
is named).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import scipy.special
import torch

from ..theory.variance import init_variance_law, unit_moments
from .feedback import NotAttempted, exponent_hint, number, pair, start
from .questions import Choice, Hint, Number, ask
from .registry import exercise

TOLERANCE = 0.01

# Exercises 1.1, 1.3, 1.4: (input dimension, |x|², width, γ).  No |x|² near 1, so |x| and |x|² cannot be confused.
LAW_CASES = [(2, 0.3, 50, 0.5), (5, 4.0, 300, 0.7), (784, 9.0, 1000, 1.0), (10, 2.5, 120, 0.9)]


def hidden_input(dim: int, norm_sq: float, seed: int) -> np.ndarray:
    """A fixed input of dimension ``dim`` with |x|² = ``norm_sq`` (float64 numpy array, shape (dim,))."""
    x = np.random.default_rng(seed).standard_normal(dim)
    return x * math.sqrt(norm_sq / float((x**2).sum()))


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
    if raw is None:
        report.fail(f"{where}: returned None", "end your function with `return ...`")
        return None
    return number(report, where, raw)


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
@exercise("1.1", functions=("variance_law",))
def check_variance_law(fn, verbose: bool = True):
    """Check ``fn(x, width, gamma) -> Var g_0(x)`` for the shallow sigmoid network with a centred N(0, 1) readout
    and no biases (x: a 1-D numpy array)."""
    report = start("Exercise 1.1: the variance law of a shallow network", verbose)
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
            elif near(got, scale * (m2 - m1**2)):
                report.fail(
                    f"{where}: too small: you took the variance of σ(Z)",
                    "the readout is centred and independent of Z: which moment of σ(Z) is left in Var(C σ(Z))?",
                    more="Var(C σ(Z)) = E[C²] E[σ(Z)²] − (E[C] E[σ(Z)])², and E[C] = 0",
                )
            elif any(near(got, scale * second_moment_of_unit(v)[1]) for v in (norm_sq**0.5, norm_sq**2)):
                report.fail(
                    f"{where}: the law of Z = W·x is off",
                    "with W ~ N(0, I_d), Z = W·x is Gaussian: what are its mean and variance?",
                    more="Var(W·x) = Σ_j x_j² Var(W_j): the squared norm |x|², not |x|",
                )
            else:
                report.fail(
                    f"{where}: not right",
                    exponent_hint(got, expected, width)
                    or "check each factor of the law: the power of N, E[C²], and E[σ(Z)²] for Z = W·x",
                    more="E[σ(Z)²] is a one-dimensional Gaussian integral: E[σ(|x| ξ)²] with ξ ~ N(0, 1)",
                )
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ------------------------------------------------------------------------------------------------- exercise 1.2
# The hidden activations and their derivatives are numpy ufuncs, a functools.partial of one, and a numpy polynomial:
# the grader sends them to the student's kernel by pickling, and these unpickle without importing gammanet (and
# torch), so no call of the student's function pays for that import.
CUBIC = np.polynomial.Polynomial([0.2, 1.0, 0.0, 0.25])
ACTIVATIONS = {
    "softplus": (functools.partial(np.logaddexp, 0.0), scipy.special.expit),  # softplus' = sigmoid
    "sin": (np.sin, np.cos),
    "sinh": (np.sinh, np.cosh),
    "cubic": (CUBIC, CUBIC.deriv()),
}

# Exercise 1.2: (activation, dimension, |x|², |x'|², cos of the angle between x and x', seed).
KERNEL_CASES = [
    ("softplus", 2, 1.5, 0.7, 0.5, 1),
    ("sin", 3, 2.0, 0.6, -0.6, 2),
    ("cubic", 4, 0.8, 1.6, 0.3, 3),
    ("softplus", 5, 0.5, 0.5, 1.0, 4),
    ("sinh", 20, 1.0, 0.8, -0.4, 5),
    ("sin", 2, 0.3, 2.5, 0.8, 6),
]


def kernel_inputs(dim: int, norm_sq: float, norm_sq2: float, cosine: float, seed: int) -> tuple:
    """Two inputs with the given squared norms and angle (float64, shape (dim,))."""
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((dim, 2)))
    u, v = basis[:, 0], basis[:, 1]
    x = math.sqrt(norm_sq) * u
    x2 = math.sqrt(norm_sq2) * (cosine * u + math.sqrt(max(0.0, 1 - cosine**2)) * v)
    return x, x2


def pair_expectation(f, g, x: np.ndarray, x2: np.ndarray, n_nodes: int = 128) -> float:
    """E[f(w·x) g(w·x')] for w ~ N(0, I_d): (w·x, w·x') has the law of (|x| ξ₁, |x'| (ρ ξ₁ + √(1-ρ²) ξ₂)), integrated
    on a tensor Gauss–Hermite grid (exact for polynomials of degree < 2 n_nodes in each variable)."""
    z, w = np.polynomial.hermite_e.hermegauss(n_nodes)
    w = w / math.sqrt(2 * math.pi)
    a, b = math.sqrt(float(x @ x)), math.sqrt(float(x2 @ x2))
    rho = min(1.0, max(-1.0, float(x @ x2) / (a * b)))
    u = a * z[:, None] + 0 * z[None, :]
    v = b * (rho * z[:, None] + math.sqrt(1 - rho**2) * z[None, :])
    return float(np.sum(w[:, None] * w[None, :] * f(u) * g(v)))


def pair_moments(name: str, x: np.ndarray, x2: np.ndarray) -> tuple[float, float]:
    """E[σ(w·x)σ(w·x')] and E[σ'(w·x)σ'(w·x')] for w ~ N(0, I_d).  Closed forms for sin and sinh (products of two
    sines, cosines or hyperbolic ones are sums of cos(u ± v) or cosh(u ± v), and a centred Gaussian s has
    E cos s = e^{-Var s/2}, E cosh s = e^{Var s/2}); Gauss–Hermite quadrature for the others."""
    a, b, c = float(x @ x), float(x2 @ x2), float(x @ x2)
    if name == "sin":
        minus, plus = math.exp(-(a + b - 2 * c) / 2), math.exp(-(a + b + 2 * c) / 2)
        return (minus - plus) / 2, (minus + plus) / 2
    if name == "sinh":
        minus, plus = math.exp((a + b - 2 * c) / 2), math.exp((a + b + 2 * c) / 2)
        return (plus - minus) / 2, (plus + minus) / 2
    f, df = ACTIVATIONS[name]
    return pair_expectation(f, f, x, x2), pair_expectation(df, df, x, x2)


def kernel_entry(name: str, x: np.ndarray, x2: np.ndarray) -> float:
    """A(x, x') = E[σ(w·x)σ(w·x')] + E[c²] x·x' E[σ'(w·x)σ'(w·x')] with E[c²] = 1."""
    s, d = pair_moments(name, x, x2)
    return s + float(x @ x2) * d


@exercise("1.2", functions=("tangent_kernel_entry",))
def check_tangent_kernel(fn, verbose: bool = True):
    """Check ``fn(x, x2, activation, derivative) -> A(x, x')`` for w ~ N(0, I_d), c ~ N(0, 1), on hidden inputs
    and activations (``activation``, ``derivative``: numpy functions, elementwise)."""
    report = start("Exercise 1.2: the tangent kernel of a given activation", verbose)
    try:
        for name, dim, a, b, cosine, seed in KERNEL_CASES:
            x, x2 = kernel_inputs(dim, a, b, cosine, seed)
            where = f"σ = {name}, d = {dim}, |x|² = {a:g}, |x'|² = {b:g}, x·x' = {float(x @ x2):.3g}"
            activation, derivative = ACTIVATIONS[name]
            got = answer(report, fn, (x.copy(), x2.copy(), activation, derivative), where)
            if got is None:
                continue
            s, d = pair_moments(name, x, x2)
            expected = s + float(x @ x2) * d
            wide = np.concatenate([x, np.zeros(dim)]), np.concatenate([np.zeros(dim), x2])
            s_ind, d_ind = pair_moments(name, *wide)  # w·x and w·x' independent
            s_x, d_x = pair_moments(name, x, x)
            if near(got, expected):
                report.ok(f"{where}: right")
            elif near(got, s):
                report.fail(
                    f"{where}: only part of the kernel",
                    "the gradient has a part for every weight: ∂g/∂C^i and ∂g/∂W^i",
                    more="∂g/∂W^i = N^{-γ} C^i σ'(W^i·x) x: its inner product with the same at x' brings "
                    "(C^i)², σ'σ' and x·x'",
                )
            elif near(got, s + d) or near(got, s + math.sqrt(a * b) * d):
                report.fail(
                    f"{where}: the W-part is off by a factor",
                    "differentiate σ(W·x) with respect to the vector W: what multiplies σ'?",
                    more="∂σ(W·x)/∂W = σ'(W·x) x, so the inner product of the W-parts carries x·x' (not 1, "
                    "not |x||x'|)",
                )
            elif near(got, s_ind + float(x @ x2) * d_ind):
                report.fail(
                    f"{where}: you treated w·x and w·x' as independent",
                    "both are built from the same w: they are correlated",
                    more="(w·x, w·x') is a centred Gaussian pair with covariance [[|x|², x·x'], [x·x', "
                    "|x'|²]]: write it as a linear map of two independent N(0, 1)",
                )
            elif near(got, s_x + float(x @ x2) * d_x) or near(got, kernel_entry(name, x2, x2)):
                report.fail(f"{where}: you used one input twice", "A(x, x') needs σ at w·x and at w·x'")
            else:
                report.fail(
                    f"{where}: not right",
                    "check each part: E[σ(w·x)σ(w·x')] and x·x' E[σ'(w·x)σ'(w·x')], with E[c²] = 1",
                    more="a quadrature needs the joint law of (w·x, w·x'): u = |x| ξ₁, v = |x'|(ρ ξ₁ + "
                    "√(1-ρ²) ξ₂) with ρ the cosine of the angle between x and x'",
                )
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
            got = pair(report, where, raw, ("mean", "variance"))
            if got is None:
                continue
            got_mean, got_var = got
            mean, variance = law(x, width, gamma, "uniform")
            m1, m2 = second_moment_of_unit(norm_sq)
            scale = width ** (1 - 2 * gamma)
            wrong = []  # (what is wrong, nudge, more): one line per case, naming both parts
            if abs(got_mean) < 1e-12:
                wrong.append(("the mean is not zero", "what is E[C] for C ~ U(0, 1)?", ""))
            elif not near(got_mean, mean):
                wrong.append(
                    (
                        "mean not right",
                        exponent_hint(got_mean, mean, width)
                        or "given the hidden layer, E[g_0 | hidden layer] is a sum of N terms: average it",
                        "E g_0 = N^{-γ} × N × E[C] E[σ(Z)]",
                    )
                )
            if near(got_var, variance):
                pass
            elif near(got_var, variance + mean**2):
                wrong.append(("that variance is E[g_0²]", "a variance is centred: what did you not subtract?", ""))
            elif near(got_var, scale * m2 / 3.0):
                wrong.append(
                    (
                        "variance too large",
                        "given the hidden layer the terms C^i σ(Z^i) are i.i.d. but not centred",
                        "Var(Cσ) = E[C²]E[σ²] − (E[C]E[σ])², with E[C] = 1/2 and E[C²] = 1/3",
                    )
                )
            elif near(got_var, scale * m2 / 12.0):
                wrong.append(
                    (
                        "variance too small",
                        "σ(Z) varies from unit to unit too, not only C",
                        "the law of total variance adds Var(E[g_0 | hidden layer]) = N^{1-2γ} E[C]² Var σ(Z)",
                    )
                )
            else:
                wrong.append(
                    (
                        "variance not right",
                        exponent_hint(got_var, variance, width)
                        or "start from step 2 of the derivation, now with E[C] ≠ 0",
                        "write Var(C σ(Z)) with E[C] = 1/2, E[C²] = 1/3 and the moments of σ(Z)",
                    )
                )
            if not wrong:
                report.ok(f"{where}: mean and variance right")
            else:
                right = "" if len(wrong) == 2 else ("; variance right" if "mean" in wrong[0][0] else "; mean right")
                report.fail(
                    f"{where}: " + "; ".join(w for w, _, _ in wrong) + right,
                    "; ".join(h for _, h, _ in wrong),
                    more="; ".join(m for _, _, m in wrong if m),
                )
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
            unit = expected / ((1 - 1 / n_classes) / 12.0)  # N^{1-2γ} E[σ(Z)²]
            _, one_logit = law(x, width, gamma, "uniform")
            if near(got, expected):
                report.ok(f"{where}: right")
            elif near(got, unit / 12.0):
                report.fail(
                    f"{where}: too large",
                    "the mean over k includes C^{k,i} itself: C^{k,i} − C̄^i is not independent of C̄^i",
                    more="Var(C^{k,i} − C̄^i) = Var(C^{k,i}) − 2 Cov(C^{k,i}, C̄^i) + Var(C̄^i); your value is "
                    "too large by the factor K/(K−1)",
                )
            elif near(got, one_logit):
                report.fail(
                    f"{where}: that is the variance of one logit",
                    "write g_k − ḡ as one sum over the units: what is left of the readout's mean?",
                )
            elif near(got, unit * (1 - 1 / n_classes) / 3.0):
                report.fail(
                    f"{where}: too large",
                    "the offset E[C] is common to all logits: does it survive g_k − ḡ?",
                    more="the coefficients C^{k,i} − C̄^i are centred: only the readout's variance is left",
                )
            elif near(got, unit * (1 - 1 / n_classes)):
                report.fail(f"{where}: too large", "the readout is U(0, 1), not N(0, 1): what is its variance?")
            else:
                report.fail(
                    f"{where}: not right",
                    exponent_hint(got, expected, width)
                    or "write g_k − ḡ as one sum over the N units, then use the variance law",
                    more="the coefficients C^{k,i} − C̄^i are centred, independent across units and of the "
                    "hidden layer: the derivation of the chapter applies with their variance",
                )
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ---------------------------------------------------------------------------------------------- questions 1.5–1.7
Q_1_5 = Number(
    "how much narrower at γ = 3/4",
    10**0.5,
    rel=2e-3,
    slips=(
        (10.0, Hint("that is the factor of the variance; the question asks for the standard deviation")),
        (10**-0.5, Hint("a factor by which something shrinks is larger than 1: divide the first by the second")),
        (100.0, Hint("that is the factor of the width: how does the variance depend on N here?")),
        (
            100**0.75,
            Hint(
                "the output is N^{-γ} times a sum of N terms: how does that sum grow?",
                "a sum of N centred independent terms has a standard deviation of order √N",
            ),
        ),
    ),
    other=Hint(
        "the variance law gives Var g_0 ∝ N^{1-2γ}; the standard deviation is its square root",
        "sd ∝ N^{1/2-γ}: compare the two widths",
    ),
)

Q_1_6 = Choice(
    "what the inner exponents change",
    {
        "a": "its log–log slope against $N$",
        "b": "only the prefactor $\\mathbb E[\\sigma(Z^L)^2]$, which tends to a constant, not the slope",
        "c": "nothing at all: the curves of one outer $\\gamma_L$ coincide exactly",
        "d": "every layer adds $1 - 2\\gamma_\\ell$ to the slope",
    },
    "b",
    {
        "a": Hint(
            "look at the table of fitted slopes: do the rows (inner pairs) differ more than their intervals?",
            "Z^L is Gaussian given the layers below; the inner γ's enter only its variance v_L",
        ),
        "c": Hint("compare the last column of the table, E σ(Z³)², across the rows"),
        "d": Hint(
            "the figure uses the sigmoid; the remark on the outer slope says when every layer's γ counts",
            "the inner layers matter for the slope only when σ(0) = 0, as for tanh",
        ),
    },
)

Q_1_7 = Choice(
    "the authors' readout under cross-entropy",
    {
        "a": "makes the loss grow with the width when $\\gamma < 1$",
        "b": "saturates the softmax at large widths",
        "c": "cancels: the softmax sees only differences of logits, and what is left is a centred sum over the units",
        "d": "cancels, and with it every random part of the logits",
    },
    "c",
    {
        "a": Hint("softmax(g + s) for a shift s common to all logits: is it softmax(g)?"),
        "b": Hint(
            "the offset is the same for the ten logits of an image: what does the softmax do with a common shift?"
        ),
        "d": Hint("Exercise 1.4 computes what is left of the logits after the offset: is it zero?"),
    },
)


@exercise("1.5", functions=("q_1_5",))
def check_q_1_5(fn, verbose: bool = True):
    """Question 1.5: ``fn() -> a number`` (the factor by which the standard deviation shrinks)."""
    return ask(Q_1_5, "1.5", fn, verbose)


@exercise("1.6", functions=("q_1_6",))
def check_q_1_6(fn, verbose: bool = True):
    """Question 1.6: ``fn() -> "a" | "b" | "c" | "d"``."""
    return ask(Q_1_6, "1.6", fn, verbose)


@exercise("1.7", functions=("q_1_7",))
def check_q_1_7(fn, verbose: bool = True):
    """Question 1.7: ``fn() -> "a" | "b" | "c" | "d"``."""
    return ask(Q_1_7, "1.7", fn, verbose)
