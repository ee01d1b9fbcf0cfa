r"""Deep networks in the theory's setting: which layer moves the output, and how the output's variance scales.

For S networks of hidden widths N_1..N_L with exponents γ_1..γ_L (a :class:`NetworkDraw`), learning rates
η_ℓ = α · :func:`gammanet.learning_rates` (widths, γ)[ℓ] (ℓ = W1..WL, C) and one output g:

- :func:`layer_steps` — what one gradient step on the loss ½(y - g(x))² does through layer ℓ alone, per unit of
  residual: the output moves by η_ℓ |∇_{W^ℓ} g(x)|² (to first order) and the weights by η_ℓ |∇_{W^ℓ} g(x)|
  (Frobenius norm).  N_L η_ℓ |∇_{W^ℓ} g(x)|² is layer ℓ's part of the diagonal of the tangent kernel on the clock
  t = k/N_L (the kernel Θ_ℓ(x, x) that multiplies the residual in ∂_t g);
- :func:`kernel_vs_width` — that kernel per layer against the width, with fitted slopes beside the exponent of our
  derivation, :func:`predicted_kernel_exponent`: 0 for C and W^L, -(number of hidden layers above ℓ) for W^ℓ,
  ℓ < L, when every width grows (the back-propagated sums Σ_i C^i σ'(Z_i) W_{ij} are sums of random signs at
  initialization: √N, not N, per layer above);
- :func:`train_deep` — full-batch gradient descent of S deep networks at once on a :class:`RegressionProblem`,
  squared loss (1/2M) Σ (y_m - g(x_m))², the per-layer rates above, clock t = k/N_L;
- :func:`kernel_change` — the per-layer kernel at initialization and after training (does a layer start to move
  the output as training goes on?);
- :func:`trained_variance_vs_width` — Var g_t(x) over seeds against N_L at t = 0 and after training, for two
  families of widths: every width N (``"equal"``), or the inner widths fixed and only N_L = N (``"outer"``);
  slopes beside :func:`predicted_init_slope`.

Conventions as in :mod:`gammanet.theory.dynamics`: float64, the theory's networks (centred readout, no biases),
common random numbers (network s is ``GammaMLP(widths, γ, d, 1, seed=s)`` whatever the γ's) and nested widths (a
narrower network is the first units of a wider one: :meth:`NetworkDraw.truncate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

import numpy as np
import pandas as pd
import torch

from ..scaling import learning_rates, layer_names, resolve_gammas, validate_widths
from .fitting import fit_slope
from .networks import DTYPE, NetworkDraw, draw_networks
from .problems import RegressionProblem, toy_problem
from .results import Prediction
from .threads import with_threads

#: The families of widths: every width N, or the inner widths fixed and the outer width N.
FAMILIES = ("equal", "outer")
#: Activations with σ(0) = 0, for which small inner pre-activations shrink the last layer's units too.
ZERO_AT_ZERO = ("tanh",)


def _check_family(family: str) -> str:
    if family not in FAMILIES:
        raise ValueError(
            f"family={family!r} is not allowed; choose 'equal' (every width N) or 'outer' (inner widths fixed, N_L = N)"
        )
    return family


def label(gammas: Sequence[float]) -> str:
    return "(" + ", ".join(f"{g:g}" for g in gammas) + ")"


# ----------------------------------------------------------------------------------------- our derivations
def predicted_init_slope(gammas: Sequence[float], activation: str = "tanh", family: str = "equal") -> float:
    """The slope of log Var g_0(x) against log N at initialization (our derivation, leading order in N).

    Var g_0(x) = N_L^{1-2γ_L} E[C²] E[σ(Z^L(x))²] exactly.  With the inner widths fixed (``"outer"``) the last
    factor does not depend on N_L: slope 1 - 2γ_L.  With every width N (``"equal"``), Var Z^{ℓ+1} ∝
    N^{1-2γ_ℓ} E σ(Z^ℓ)²; for σ(0) ≠ 0 (sigmoid) E σ(Z^L)² tends to a positive constant and the slope stays
    1 - 2γ_L; for tanh (σ(0) = 0, σ'(0) = 1) small pre-activations pass through linearly, E tanh(Z)² ≈ Var Z,
    and the exponents add up: Σ_ℓ (1 - 2γ_ℓ).
    """
    gammas = tuple(float(g) for g in gammas)
    if _check_family(family) == "equal" and activation in ZERO_AT_ZERO:
        return float(sum(1 - 2 * g for g in gammas))
    return 1 - 2 * gammas[-1]


def predicted_kernel_exponent(
    gammas: Sequence[float], layer: int, activation: str = "sigmoid", family: str = "equal"
) -> float:
    """The exponent of N in N_L η_ℓ |∇_{W^ℓ} g(x)|² at initialization (our derivation, leading order).

    ``gammas``: (γ_1, ..., γ_L); ``layer``: 1..L for W^1..W^L, L + 1 for the readout C.  Two factors:

    - **the back-propagated sums.**  The gradient of W^ℓ carries one sum over the units of every layer m = ℓ+1..L,
      Σ_i C^i σ'(Z_i) W_{ij} and the like.  At initialization each is a sum of N_m terms of random sign, of size
      √N_m, while the rate η_ℓ is set for sums of size N_m (coherent, as after mean-field training).  So the
      kernel is smaller by Π_{m=ℓ+1}^{L} N_m^{-1}: exponent -(L - ℓ) when every width is N (``"equal"``), -1
      when only N_L grows (``"outer"``), 0 for W^L and C.
    - **the layer's input** (tanh only, ``"equal"`` only).  W^ℓ is fed σ(Z^{ℓ-1}) (C is fed σ(Z^L)); with σ(0) = 0
      and σ'(0) = 1, E tanh(Z^m)² ≈ Var Z^m ∝ Π_{k<m} N^{1-2γ_k}, so the input of W^ℓ adds Σ_{k=1}^{ℓ-2}
      (1 - 2γ_k) and that of C adds Σ_{k=1}^{L-1} (1 - 2γ_k).  For sigmoid σ(Z) → σ(0) = 1/2 and nothing is added.
    """
    gammas = tuple(float(g) for g in gammas)
    depth = len(gammas)
    if isinstance(layer, bool) or not isinstance(layer, int) or not 1 <= layer <= depth + 1:
        raise ValueError(f"layer={layer!r} is not allowed for depth {depth}: use 1..L for W^1..W^L, L+1 for C")
    family = _check_family(family)
    if layer >= depth:
        sums = 0.0
    else:
        sums = -float(depth - layer) if family == "equal" else -1.0
    inputs = 0.0
    if family == "equal" and activation in ZERO_AT_ZERO:
        # W^ℓ (ℓ <= L) is fed σ(Z^{ℓ-1}), whose square scales with γ_1..γ_{ℓ-2}; C is fed σ(Z^L): γ_1..γ_{L-1}.
        below = layer - 2 if layer <= depth else depth - 1
        inputs = float(sum(1 - 2 * g for g in gammas[: max(below, 0)]))
    return sums + inputs


# ----------------------------------------------------------------------------------- the per-layer kernel
@with_threads
def layer_steps(
    draw: NetworkDraw, gammas: Sequence[float], x: torch.Tensor, activation: str = "sigmoid", output: int = 0
) -> dict[str, torch.Tensor]:
    """Per network, layer and input: ``output_step`` η_ℓ |∇_{W^ℓ} g(x)|² and ``weight_step`` η_ℓ |∇_{W^ℓ} g(x)|,
    each of shape (S, L + 1, P) (layers W1..WL, C), with η_ℓ the theory's rates (α = 1) and g the output
    ``output``.  ``x``: (P, d), already scaled (the draw has no input scale).  Gradients by autograd, one backward
    pass per input: the networks are independent, so the gradient of Σ_s g_s(x) is every network's own.
    """
    gammas = resolve_gammas(gammas, draw.depth)
    rates = learning_rates(draw.widths, gammas)
    names = layer_names(draw.depth)
    params = [w.detach().clone().requires_grad_(True) for w in draw.weights]
    with torch.enable_grad():
        out = NetworkDraw(tuple(params), draw.biases, draw.seeds, draw.init).forward(x, gammas, activation)
        out = out[..., output]  # (S, P)
        S, P = out.shape
        square = torch.empty(S, len(names), P, dtype=out.dtype)
        for p in range(P):
            grads = torch.autograd.grad(out[:, p].sum(), params, retain_graph=p < P - 1)
            for ell, grad in enumerate(grads):
                square[:, ell, p] = (grad.detach() ** 2).reshape(S, -1).sum(1)
    rate = torch.as_tensor([rates[n] for n in names], dtype=square.dtype)[None, :, None]
    return {"output_step": rate * square, "weight_step": rate * square.sqrt()}


def steps_table(
    draw: NetworkDraw,
    gammas: Sequence[float],
    x: torch.Tensor,
    activation: str = "sigmoid",
    output: int = 0,
    steps: Optional[dict] = None,
) -> pd.DataFrame:
    """:func:`layer_steps` averaged over networks and inputs: one row per layer with the ``rate`` η_ℓ,
    ``output_step`` (± ``output_step_se``, over networks), ``weight_step`` and ``kernel`` = N_L × output_step.
    ``steps``: the result of :func:`layer_steps` for these arguments, when already computed."""
    steps = layer_steps(draw, gammas, x, activation, output) if steps is None else steps
    gammas = resolve_gammas(gammas, draw.depth)
    rates = learning_rates(draw.widths, gammas)
    per_net = steps["output_step"].mean(-1)  # (S, L+1)
    S = per_net.shape[0]
    rows = []
    for ell, name in enumerate(layer_names(draw.depth)):
        rows.append(
            dict(
                gammas=label(gammas),
                widths=label(draw.widths),
                N=draw.widths[-1],
                layer=name,
                layer_index=ell + 1,
                rate=rates[name],
                output_step=float(per_net[:, ell].mean()),
                output_step_se=float(per_net[:, ell].std() / S**0.5) if S > 1 else float("nan"),
                weight_step=float(steps["weight_step"][:, ell].mean()),
                kernel=draw.widths[-1] * float(per_net[:, ell].mean()),
                n_seeds=S,
            )
        )
    return pd.DataFrame(rows)


def _guide(table: pd.DataFrame, value: str, slope: pd.Series, by: list[str]) -> pd.Series:
    """A line of slope ``slope`` (one per row) through each group's ``value`` at its smallest N: the prediction's
    width law drawn from the narrowest width."""
    first = table.loc[table.groupby(by).N.idxmin(), by + ["N", value]].rename(columns={"N": "N0", value: "v0"})
    merged = table[by + ["N"]].merge(first, on=by, how="left")
    return pd.Series(
        merged.v0.to_numpy() * (table.N.to_numpy() / merged.N0.to_numpy()) ** slope.to_numpy(), index=table.index
    )


def _architectures(widths: Sequence[int], depth: int, family: str, inner_widths: Optional[Sequence[int]]):
    widths = sorted(int(n) for n in widths)
    if _check_family(family) == "equal":
        return [(n,) * depth for n in widths]
    inner = tuple(inner_widths) if inner_widths is not None else (min(widths),) * (depth - 1)
    if len(inner) != depth - 1:
        raise ValueError(f"inner_widths={inner_widths!r} must have {depth - 1} entries for depth {depth}")
    return [validate_widths(inner + (n,)) for n in widths]


def _draw(archs, in_features, n_seeds, seed) -> NetworkDraw:
    widest = tuple(max(col) for col in zip(*archs))
    return draw_networks(widest, in_features, n_seeds, 1, "centered", seed=seed)


@with_threads
def kernel_vs_width(
    gammas_list: Iterable[Sequence[float]] = ((0.5, 0.5, 0.5), (1.0, 0.5, 0.5), (1.0, 1.0, 1.0)),
    widths: Sequence[int] = (25, 50, 100, 200),
    family: str = "equal",
    inner_widths: Optional[Sequence[int]] = None,
    activation: str = "sigmoid",
    x: Optional[torch.Tensor] = None,
    n_seeds: int = 32,
    seed: int = 0,
    n_boot: int = 200,
) -> Prediction:
    """The per-layer kernel N_L η_ℓ |∇_{W^ℓ} g(x)|² at initialization against the width.

    ``family``: ``"equal"`` (architectures (N,)*L) or ``"outer"`` (``inner_widths`` + (N,), default inner widths
    the smallest N).  ``x``: default the first 4 evaluation points of :func:`toy_problem`.  ``table``: one row per
    (γ's, N, layer) as in :func:`steps_table`, with the derived exponent ``theory`` and ``predicted``, the law
    N^theory drawn through the narrowest width; ``slopes``: per (γ's, layer) the fitted slope of the kernel against
    N with a seed-bootstrap CI, and ``theory`` = :func:`predicted_kernel_exponent`.
    """
    gammas_list = [tuple(float(g) for g in gs) for gs in gammas_list]
    depth = len(gammas_list[0])
    x = toy_problem().x_test[:4] if x is None else x.to(DTYPE)
    archs = _architectures(widths, depth, family, inner_widths)
    draw = _draw(archs, x.shape[1], n_seeds, seed)
    frames, slopes = [], []
    for gammas in gammas_list:
        per_width = []
        for arch in archs:
            sub = draw.truncate(arch)
            steps = layer_steps(sub, gammas, x, activation)
            frames.append(
                steps_table(sub, gammas, x, activation, steps=steps).assign(
                    theory=[predicted_kernel_exponent(gammas, ell, activation, family) for ell in range(1, depth + 2)]
                )
            )
            per_width.append(arch[-1] * steps["output_step"])  # (S, L+1, P)
        samples = torch.stack(per_width, 1)  # (S, W, L+1, P)
        for ell, name in enumerate(layer_names(depth)):
            fit = fit_slope([a[-1] for a in archs], samples[:, :, ell], "mean", n_boot=n_boot, seed=seed)
            slopes.append(
                dict(
                    gammas=label(gammas),
                    layer=name,
                    layer_index=ell + 1,
                    **fit.as_dict(),
                    theory=predicted_kernel_exponent(gammas, ell + 1, activation, family),
                )
            )
    config = dict(
        gammas=[list(g) for g in gammas_list],
        widths=[list(a) for a in archs],
        family=family,
        activation=activation,
        n_seeds=n_seeds,
        seeds=[seed, seed + n_seeds - 1],
        n_points=int(x.shape[0]),
        n_boot=n_boot,
    )
    table = pd.concat(frames, ignore_index=True).assign(family=family)
    table["predicted"] = _guide(table, "kernel", table.theory, ["gammas", "layer"])
    return Prediction(table, pd.DataFrame(slopes), config)


# -------------------------------------------------------------------------------------------- training
@dataclass
class DeepRun:
    """What :func:`train_deep` records for S networks of one architecture and one γ-tuple at T times.

    ``times`` (T,) and ``steps`` (T,) = round(t N_L); ``outputs[split]`` (S, T, M or P); ``loss`` (S, T), the
    training loss (1/2M) Σ (y - g)²; ``final``: the trained networks (a :class:`NetworkDraw`).
    """

    widths: tuple[int, ...]
    gammas: tuple[float, ...]
    times: np.ndarray
    steps: np.ndarray
    outputs: dict
    loss: torch.Tensor
    final: NetworkDraw
    alpha: float


@with_threads
def train_deep(
    problem: RegressionProblem,
    draw: NetworkDraw,
    gammas: Sequence[float],
    times: Iterable[float] = (0.0, 1.0, 2.0),
    alpha: float = 10.0,
    activation: str = "tanh",
) -> DeepRun:
    """Full-batch gradient descent of the networks ``draw`` (module docstring): every weight W^ℓ and the readout C
    moves by -α η_ℓ ∂L/∂W^ℓ per step; the draw's biases (zero for the theory's networks) stay fixed.  Outputs are
    recorded at the steps round(t N_L) for t in ``times``; the run lasts max(times)."""
    if not (isinstance(alpha, (int, float)) and np.isfinite(alpha) and alpha > 0):
        raise ValueError(f"alpha={alpha!r} is not allowed; it must be a positive number")
    gammas = resolve_gammas(gammas, draw.depth)
    times = np.asarray(sorted({float(t) for t in times}))
    if times[0] < 0:
        raise ValueError(f"times must be >= 0; got {times.tolist()}")
    n_last = draw.widths[-1]
    steps = np.round(times * n_last).astype(int)
    rates = learning_rates(draw.widths, gammas)
    lr = [float(alpha) * rates[n] for n in layer_names(draw.depth)]
    x, xt, y = problem.x_train.to(DTYPE), problem.x_test.to(DTYPE), problem.y_train.to(DTYPE)
    params = [w.detach().clone().requires_grad_(True) for w in draw.weights]
    S, T = draw.n_networks, len(times)
    outputs = {
        "train": torch.empty(S, T, problem.n_train, dtype=DTYPE),
        "test": torch.empty(S, T, problem.n_test, dtype=DTYPE),
    }
    loss = torch.empty(S, T, dtype=DTYPE)
    record = {int(k): i for i, k in enumerate(steps)}
    with torch.enable_grad():
        for k in range(int(steps[-1]) + 1):
            nets = NetworkDraw(tuple(params), draw.biases, draw.seeds, draw.init)
            g = nets.forward(x, gammas, activation)[..., 0]  # (S, M)
            per_net = 0.5 * ((y - g) ** 2).mean(1)  # (S,)
            if k in record:
                i = record[k]
                with torch.no_grad():
                    outputs["train"][:, i], loss[:, i] = g.detach(), per_net.detach()
                    outputs["test"][:, i] = nets.forward(xt, gammas, activation)[..., 0]
            if k == steps[-1]:
                break
            # The networks are independent: the gradient of the summed loss is each network's own gradient.
            grads = torch.autograd.grad(per_net.sum(), params)
            with torch.no_grad():
                for p, grad, rate in zip(params, grads, lr):
                    p.sub_(rate * grad)
    final = NetworkDraw(tuple(p.detach() for p in params), draw.biases, draw.seeds, draw.init)
    return DeepRun(draw.widths, gammas, times, steps, outputs, loss, final, float(alpha))


@with_threads
def kernel_change(
    gammas_list: Iterable[Sequence[float]] = ((0.5, 0.5, 0.5), (1.0, 0.5, 0.5), (1.0, 1.0, 1.0)),
    widths: Sequence[int] = (25, 50),
    t: float = 2.0,
    alpha: float = 10.0,
    activation: str = "tanh",
    problem: Optional[RegressionProblem] = None,
    n_seeds: int = 8,
    seed: int = 0,
) -> Prediction:
    """The per-layer kernel N_L η_ℓ |∇_{W^ℓ} g(x)|² (on the problem's evaluation points) at initialization and
    after training to clock ``t``, every width N (architectures (N,)*L).  ``table``: one row per (γ's, N, layer,
    t) as in :func:`steps_table`, plus ``loss`` (the mean training loss at that time) and ``growth`` (kernel at t
    over kernel at 0)."""
    problem = toy_problem() if problem is None else problem
    gammas_list = [tuple(float(g) for g in gs) for gs in gammas_list]
    depth = len(gammas_list[0])
    archs = _architectures(widths, depth, "equal", None)
    draw = _draw(archs, problem.dim, n_seeds, seed)
    frames = []
    for gammas in gammas_list:
        for arch in archs:
            sub = draw.truncate(arch)
            run = train_deep(problem, sub, gammas, (0.0, t), alpha, activation)
            before = steps_table(sub, gammas, problem.x_test, activation).assign(
                t=0.0, loss=float(run.loss[:, 0].mean())
            )
            after = steps_table(run.final, gammas, problem.x_test, activation).assign(
                t=float(t), loss=float(run.loss[:, -1].mean())
            )
            after["growth"] = after.kernel.to_numpy() / before.kernel.to_numpy()
            before["growth"] = 1.0
            frames += [before, after]
    config = dict(
        gammas=[list(g) for g in gammas_list],
        widths=[list(a) for a in archs],
        t=float(t),
        alpha=alpha,
        activation=activation,
        n_seeds=n_seeds,
        seeds=[seed, seed + n_seeds - 1],
        problem=problem.info,
    )
    return Prediction(pd.concat(frames, ignore_index=True), None, config)


def _family(spec) -> tuple[str, Optional[tuple[int, ...]]]:
    """A family of widths: ``"equal"`` → ("equal", None); a tuple of inner widths → ("outer", that tuple)."""
    if spec == "equal":
        return "equal", None
    if isinstance(spec, str):
        raise ValueError(f"family {spec!r} is not allowed; use 'equal' or a tuple of fixed inner widths")
    try:
        return "outer", validate_widths(tuple(spec))
    except (TypeError, ValueError) as err:
        raise ValueError(f"family {spec!r} is not allowed; use 'equal' or a tuple of fixed inner widths") from err


@with_threads
def trained_variance_vs_width(
    gammas_list: Iterable[Sequence[float]] = ((0.5, 0.5), (1.0, 0.5), (0.5, 1.0), (1.0, 1.0)),
    widths: Sequence[int] = (16, 32, 64, 128),
    families: Sequence = ("equal", (16,), (128,)),
    t: float = 2.0,
    alpha: float = 10.0,
    activation: str = "tanh",
    problem: Optional[RegressionProblem] = None,
    n_seeds: int = 32,
    seed: int = 0,
    n_boot: int = 200,
) -> Prediction:
    """Var g_t(x) over seeds against N_L at t = 0 and t = ``t``, per family of widths and γ-tuple.

    ``families``: ``"equal"`` (architectures (N,)*L) and/or tuples of fixed inner widths (architectures
    inner + (N,)).  Each family is one nested draw (common random numbers across widths and γ's).  ``table``:
    one row per (family, inner widths, γ's, N, t, split) with ``variance`` (over seeds, averaged over the points)
    and ``loss`` (mean training loss), ``init_theory`` and ``guide`` (the law N^init_theory drawn through the
    narrowest width, at every t); ``slopes``: per (family, inner widths, γ's, t, split) the fitted slope with
    a seed-bootstrap CI, beside ``init_theory`` = :func:`predicted_init_slope` (the exponent at t = 0, leading
    order).  Column ``inner`` names the inner widths ("N" for the equal family).
    """
    problem = toy_problem() if problem is None else problem
    gammas_list = [tuple(float(g) for g in gs) for gs in gammas_list]
    depth = len(gammas_list[0])
    rows, slopes = [], []
    for spec in families:
        family, inner_widths = _family(spec)
        archs = _architectures(widths, depth, family, inner_widths)
        inner = "N" if inner_widths is None else label(inner_widths)
        draw = _draw(archs, problem.dim, n_seeds, seed)
        for gammas in gammas_list:
            runs = [train_deep(problem, draw.truncate(arch), gammas, (0.0, t), alpha, activation) for arch in archs]
            for split in ("train", "test"):
                samples = torch.stack([r.outputs[split] for r in runs], 1)  # (S, W, T, P)
                for i, time in enumerate(runs[0].times):
                    variance = samples[:, :, i].var(0).mean(-1)
                    for j, (arch, run) in enumerate(zip(archs, runs)):
                        rows.append(
                            dict(
                                family=family,
                                inner=inner,
                                gammas=label(gammas),
                                widths=label(arch),
                                N=arch[-1],
                                t=float(time),
                                split=split,
                                variance=float(variance[j]),
                                loss=float(run.loss[:, i].mean()),
                                n_seeds=n_seeds,
                                init_theory=predicted_init_slope(gammas, activation, family),
                            )
                        )
                    fit = fit_slope([a[-1] for a in archs], samples[:, :, i], "variance", n_boot=n_boot, seed=seed)
                    slopes.append(
                        dict(
                            family=family,
                            inner=inner,
                            gammas=label(gammas),
                            t=float(time),
                            split=split,
                            **fit.as_dict(),
                            init_theory=predicted_init_slope(gammas, activation, family),
                        )
                    )
    config = dict(
        gammas=[list(g) for g in gammas_list],
        widths=list(widths),
        families=[f if isinstance(f, str) else list(f) for f in families],
        t=float(t),
        alpha=alpha,
        activation=activation,
        n_seeds=n_seeds,
        seeds=[seed, seed + n_seeds - 1],
        problem=problem.info,
        n_boot=n_boot,
    )
    table = pd.DataFrame(rows)
    # The width law of t = 0 drawn from the narrowest width, at every t: where the points leave it, training
    # has changed the law.
    table["guide"] = _guide(table, "variance", table.init_theory, ["family", "inner", "gammas", "t", "split"])
    return Prediction(table, pd.DataFrame(slopes), config)


__all__ = [
    "DeepRun",
    "FAMILIES",
    "kernel_change",
    "kernel_vs_width",
    "layer_steps",
    "predicted_init_slope",
    "predicted_kernel_exponent",
    "steps_table",
    "train_deep",
    "trained_variance_vs_width",
]
