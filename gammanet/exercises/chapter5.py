"""Checks for chapter 5 (deep networks).

- :func:`check_init_slope` — the slope of log Var g_0 against log N at initialization, for a γ-tuple, an activation
  and a family of widths (every width N, or only the outer one);
- :func:`check_kernel_exponent` — the exponent of N in the per-layer kernel N_L η_ℓ |∇_{W^ℓ} g|² at
  initialization, every width N, sigmoid;
- :func:`check_layer_steps` — η_ℓ |∇_{W^ℓ} g(x)|² per layer of a GammaMLP, averaged over inputs, against
  :func:`gammanet.theory.layer_steps` on hidden networks;
- questions 5.4–5.6 (:mod:`gammanet.exercises.questions`): which layers move the output at initialization, the
  trained variance's slope with the inner widths fixed, why (1, 1/2, 1/2) trains slowly.
"""

from __future__ import annotations

import math

import torch

from ..scaling import layer_names
from .feedback import NotAttempted, call, call_number, close, start
from .questions import Choice, Hint, Number, ask
from .registry import exercise


def _label(gammas) -> str:
    return "(" + ", ".join(f"{g:g}" for g in gammas) + ")"


# ---------------------------------------------------------------------------------- the slope at initialization
INIT_CASES = (
    ((1.0, 1.0, 1.0), "tanh", "equal"),
    ((0.5, 0.75, 1.0), "tanh", "equal"),
    ((1.0, 0.5), "tanh", "equal"),
    ((1.0, 1.0, 1.0), "sigmoid", "equal"),
    ((0.6, 0.9), "sigmoid", "equal"),
    ((1.0, 1.0, 0.75), "tanh", "outer"),
    ((0.7, 0.8), "sigmoid", "outer"),
    ((0.8,), "tanh", "equal"),
)


@exercise("5.1", functions=("my_init_slope",))
def check_init_slope(fn, verbose: bool = True):
    """Check ``fn(gammas, activation, family) -> slope`` of log Var g_0(x) against log N (leading order), with
    ``family`` "equal" (every hidden width N) or "outer" (inner widths fixed, N_L = N) and ``activation``
    "tanh" or "sigmoid"."""
    from ..theory.deep import predicted_init_slope

    report = start("Exercise 5.1: the slope at initialization", verbose)
    try:
        for gammas, activation, family in INIT_CASES:
            label = f"γ = {_label(gammas)}, {activation}, {family}"
            got = call_number(report, label, fn, tuple(gammas), activation, family)
            if got is None:
                continue
            expected = predicted_init_slope(gammas, activation, family)
            outer = 1 - 2 * gammas[-1]
            every = sum(1 - 2 * g for g in gammas)
            if close(got, expected) or abs(got - expected) < 1e-9:
                report.ok(f"{label}: right")
            elif abs(got - outer) < 1e-9:
                report.fail(
                    f"{label}: that is the outer γ alone",
                    "tanh(0) = 0: when the inner γ's exceed 1/2 the last layer's pre-activations are small, "
                    "so how does E tanh(Z^L)² depend on N?",
                )
            elif abs(got - every) < 1e-9:
                hint = (
                    "with the inner widths fixed, the layers below do not change with N_L"
                    if family == "outer"
                    else "σ(0) ≠ 0 for the sigmoid: where does E σ(Z^L)² go when Z^L → 0?"
                )
                report.fail(f"{label}: that adds every layer's exponent", hint)
            elif len(gammas) > 1 and abs(got - sum(1 - 2 * g for g in gammas[:-1])) < 1e-9:
                report.fail(
                    f"{label}: the outer layer's own factor is missing",
                    "g is N_L^{-γ_L} times a sum of N_L centred terms, whatever happens below",
                )
            elif abs(got + expected) < 1e-9 and expected != 0:
                report.fail(f"{label}: wrong sign", "the variance falls with N when the γ's exceed 1/2")
            elif abs(got - expected / 2) < 1e-9:
                report.fail(
                    f"{label}: half the answer", "that is the exponent of the output's size; Var(aX) = a² Var X"
                )
            else:
                report.fail(
                    f"{label}: {got:g} is not right",
                    "start from Var g_0 = N_L^{1-2γ_L} E[C²] E[σ(Z^L)²] and ask how the last factor scales",
                )
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ------------------------------------------------------------------------------------------ the kernel exponent
KERNEL_CASES = ((3, 1), (3, 2), (3, 3), (3, 4), (2, 1), (2, 3), (4, 1), (4, 3), (1, 1), (1, 2))


@exercise("5.2", functions=("my_kernel_exponent",))
def check_kernel_exponent(fn, verbose: bool = True):
    """Check ``fn(depth, layer) -> the exponent of N in N_L η_ℓ |∇_{W^ℓ} g(x)|²`` at initialization, every width
    N, sigmoid (``layer`` 1..L for W^1..W^L, L + 1 for the readout C)."""
    from ..theory.deep import predicted_kernel_exponent

    report = start("Exercise 5.2: the kernel exponent", verbose)
    try:
        for depth, layer in KERNEL_CASES:
            name = layer_names(depth)[layer - 1]
            label = f"depth {depth}, {name}"
            got = call_number(report, label, fn, depth, layer)
            if got is None:
                continue
            expected = predicted_kernel_exponent((1.0,) * depth, layer, "sigmoid", "equal")
            above = max(depth - layer, 0)
            if abs(got - expected) < 1e-9:
                report.ok(f"{label}: right")
            elif got == 0 and expected != 0:
                report.fail(
                    f"{label}: 0 is what the rates are designed for",
                    "at initialization C is independent of the layers below: how large is a sum of N terms "
                    "of random sign, and how large does the rate assume it is?",
                )
            elif above and abs(got + above + 1) < 1e-9:
                report.fail(
                    f"{label}: one layer too many",
                    "count only the layers above ℓ: the sum over layer ℓ's own units is part of |∇|² at any rate",
                )
            elif above and abs(got + above / 2) < 1e-9:
                report.fail(f"{label}: half the answer", "the kernel is the gradient SQUARED: a √N sum gives N, not √N")
            elif abs(got - above) < 1e-9 and above:
                report.fail(f"{label}: wrong sign", "incoherent sums make the inner layers' share smaller, not larger")
            elif layer == depth + 1 and got != 0:
                report.fail(
                    f"{label}: the readout's kernel does not change with N",
                    "C's gradient is N_L^{-γ_L} σ(Z^L): no back-propagated sum at all",
                )
            else:
                report.fail(
                    f"{label}: {got:g} is not right",
                    "one factor 1/N for every hidden layer above ℓ whose back-propagated sum is incoherent",
                )
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ---------------------------------------------------------------------------------------------- the layer steps
STEP_CASES = (
    ((6, 5), (1.0, 0.5), "tanh", 3),
    ((7, 6, 5), (1.0, 0.5, 0.5), "tanh", 11),
    ((5, 8, 4), (0.5, 1.0, 0.75), "sigmoid", 4),
)


def _hidden_case(widths, gammas, activation, seed):
    from ..model import GammaMLP

    model = GammaMLP(
        widths, gammas, in_features=3, out_features=2, activation=activation, seed=seed, bias=False
    ).double()
    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    return model, x


def _reference_steps(model, x) -> tuple[dict[str, float], dict[str, float]]:
    from ..theory import NetworkDraw, layer_steps

    layers = list(model.layers().values())
    draw = NetworkDraw(
        tuple(layer.weight.detach().double()[None] for layer in layers),
        tuple(torch.zeros(1, layer.out_features, dtype=torch.float64) for layer in layers),
        (0,),
    )
    steps = layer_steps(draw, model.gammas, x, model.activation, output=0)
    names = layer_names(model.depth)
    return (
        {n: float(v) for n, v in zip(names, steps["output_step"][0].mean(-1))},
        {n: float(v) for n, v in zip(names, steps["weight_step"][0].mean(-1))},
    )


@exercise("5.3", functions=("my_layer_steps",))
def check_layer_steps(fn, verbose: bool = True):
    """Check ``fn(model, x) -> {"W1": ..., ..., "C": ...}``: for a GammaMLP without biases and inputs x (P, d),
    the mean over the P inputs of η_ℓ |∇_{W^ℓ} g(x)|², with η_ℓ = gammanet.learning_rates(widths, γ)[ℓ] and g the
    first output."""
    from ..scaling import learning_rates

    report = start("Exercise 5.3: one step, layer by layer", verbose)
    try:
        for widths, gammas, activation, seed in STEP_CASES:
            model, x = _hidden_case(widths, gammas, activation, seed)
            label = f"widths {widths}, γ = {_label(gammas)}, {activation}"
            expected, weight_steps = _reference_steps(model, x)
            got = call(report, fn, model, x.clone())
            if got is None:
                continue
            if not isinstance(got, dict) or set(got) != set(expected):
                report.fail(
                    f"{label}: returned {type(got).__name__} with keys {sorted(got) if isinstance(got, dict) else '-'}",
                    f"return a dict with the keys {list(expected)}",
                )
                continue
            # One verdict per case (the grader counts cases by lines): the first layer that is off, with its hint.
            rates = learning_rates(model.widths, model.gammas)
            verdict = None
            for name, value in expected.items():
                try:
                    mine = float(got[name])
                except (TypeError, ValueError):
                    verdict = (f"{name}: {type(got[name]).__name__} is not a number", "each value is one number")
                    break
                if not math.isfinite(mine):
                    verdict = (f"{name}: {mine}", "each value is a finite number")
                elif close(mine, value, 1e-6):
                    continue
                elif close(mine, value / rates[name], 1e-6):
                    verdict = (f"{name}: the learning rate is missing", "the step moves W^ℓ by η_ℓ times the gradient")
                elif close(mine, value * x.shape[0], 1e-6):
                    verdict = (f"{name}: that is a sum over the inputs", "average over the inputs")
                elif close(mine, value * model.widths[-1], 1e-6):
                    verdict = (
                        f"{name}: that is N_L times the step",
                        "the kernel on the clock t = k/N_L carries that factor; the step itself does not",
                    )
                elif close(mine, weight_steps[name], 1e-6):
                    verdict = (
                        f"{name}: that is η|∇g|, the weights' step",
                        "the output moves by the gradient dotted with the weights' step: η|∇g|²",
                    )
                else:
                    verdict = (
                        f"{name}: {mine:.4g} is not right",
                        "for each input: backpropagate g(x)[0] alone, square every entry of W^ℓ's gradient, "
                        "sum, multiply by η_ℓ; then average over the inputs",
                    )
                break
            if verdict is None:
                report.ok(f"{label}: right for every layer")
            else:
                report.fail(f"{label}, {verdict[0]}", verdict[1])
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ------------------------------------------------------------------------------------------------- questions
Q_5_4 = Choice(
    "which layers move the output at initialization",
    {
        "a": "every layer, each by a part of order one",
        "b": "only the last hidden layer W^L and the readout C",
        "c": "only the first layer W^1, whose rate is the largest",
        "d": "none: every part of the kernel vanishes as N grows",
    },
    "b",
    {
        "a": Hint(
            "the rates are built for coherent back-propagated sums: are they coherent at initialization?",
            "at initialization C is independent of the layers below, so Σ_i C^i σ'(Z_i) W_ij is a sum of random "
            "signs: of size √N, not N. What does that do to the inner layers' parts?",
        ),
        "c": Hint(
            "a large rate does not make a large step of the output: compare the exponents of §5.3",
            "the part of W^ℓ is the rate times the squared gradient; one factor 1/N is lost per layer above ℓ",
        ),
        "d": Hint(
            "look at the readout's part of the kernel with the sigmoid: does its gradient carry any back-propagated "
            "sum?",
            "C's gradient is N_L^{-γ_L} σ(Z^L); with the sigmoid E σ(Z^L)² stays of order one, and the rates make "
            "N_L η_C |∇_C g|² of order one",
        ),
    },
)
Q_5_5 = Number(
    "the trained variance's slope with the inner widths fixed",
    0.0,
    rel=1e-9,
    slips=(
        (
            -1.0,
            Hint(
                "that is the slope of the outer layer's kernel noise b_t N_L^{-1}: which term is left when "
                "N_L is large?",
                "the term v_t does not depend on N_L and does not vanish while the inner widths are fixed",
            ),
        ),
        (1.0, Hint("the variance cannot grow with N_L in the conjecture: every term falls or stays")),
    ),
    other=Hint(
        "take N_L → ∞ with the inner widths fixed in the conjecture's three terms: which one is left?",
        "a_t N_L^{s_0} and b_t N_L^{-1} vanish; the slope of what is left is the answer",
    ),
)
Q_5_6 = Choice(
    "why (1, 1/2, 1/2) trains slowly",
    {
        "a": "its rate for W^1 is N² times smaller, so its first layer moves the output N² times less",
        "b": "under lazy outer layers its back-propagated sums stay incoherent, so its kernel, small from the start "
        "with tanh and γ_1 = 1, stays small",
        "c": "its output has a larger variance at initialization",
        "d": "its tanh units saturate",
    },
    "b",
    {
        "a": Hint(
            "compare the first step's two numbers in §5.7: the output's move and the weights' move",
            "the smaller rate comes with a larger gradient: §5.3 derives that the output's move is of the same "
            "order under both",
        ),
        "c": Hint("at γ_1 = 1 and tanh, is the output's variance at initialization larger or smaller? (§5.2)"),
        "d": Hint(
            "with γ_1 = 1 the pre-activations of the layer above are small, not large: tanh is near its linear range"
        ),
    },
)


@exercise("5.4", functions=("q_5_4",))
def check_q_5_4(fn, verbose: bool = True):
    """Question 5.4: ``fn() -> "a" | "b" | "c" | "d"``."""
    return ask(Q_5_4, "5.4", fn, verbose)


@exercise("5.5", functions=("q_5_5",))
def check_q_5_5(fn, verbose: bool = True):
    """Question 5.5: ``fn() -> the slope``, a number."""
    return ask(Q_5_5, "5.5", fn, verbose)


@exercise("5.6", functions=("q_5_6",))
def check_q_5_6(fn, verbose: bool = True):
    """Question 5.6: ``fn() -> "a" | "b" | "c" | "d"``."""
    return ask(Q_5_6, "5.6", fn, verbose)


__all__ = [
    "check_init_slope",
    "check_kernel_exponent",
    "check_layer_steps",
    "check_q_5_4",
    "check_q_5_5",
    "check_q_5_6",
]
