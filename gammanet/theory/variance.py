r"""The output variance at initialization, any depth: its exact law and a Monte-Carlo estimator over seeds.

The law (our derivation, chapter 1).  Write 𝓕_{L-1} for the layers below the last hidden layer (W^1..W^{L-1} and
their biases; chapter 1's 𝓕, everything below the readout, holds W^L too).  Given 𝓕_{L-1} the last layer's units
are i.i.d.: Z^L_i(x) = N_{L-1}^{-γ_{L-1}} W^L_i·H^{L-1}(x) + b^L_i is N(0, v_L(x)) plus the
unit's bias, with v_L(x) = N_{L-1}^{-2γ_{L-1}} |H^{L-1}(x)|² (v_1 = |x|² for the first layer).  With
m_k = E[σ(Z^L_1(x))^k | 𝓕_{L-1}], readout weights i.i.d. with mean μ_C and second moment E[C²], and a readout bias of
variance v_b, the output g_0(x) = N_L^{-γ_L} Σ_i C_i σ(Z^L_i(x)) + b^C has

    E g_0(x)   = N_L^{1-γ_L} μ_C E[m_1]                                               (the mean offset)
    Var g_0(x) = N_L^{1-2γ_L} (E[C²] E[m_2] - μ_C² E[m_1²]) + N_L^{2-2γ_L} μ_C² Var(m_1) + v_b.

For the centred readout without biases (μ_C = 0, v_b = 0) this is Var g_0(x) = N_L^{1-2γ_L} E[C²] E[σ(Z^L(x))²]:
the width slope in N_L is exactly 1 - 2γ_L when only N_L grows.  When the inner widths grow too, E[σ(Z^L)²]
depends on them: for sigmoid it tends to σ(0)² = 1/4 (slope still 1 - 2γ_L); for tanh, σ(0) = 0 and
E[tanh(Z^L)²] ≈ E v_L ∝ N_{L-1}^{1-2γ_{L-1}} (once v_L is small), so with equal widths the slope tends to
Σ_ℓ (1 - 2γ_ℓ).  The U(0, 1) readout (μ_C = 1/2) adds the mean offset
N_L^{1-γ_L} E[C] E[σ], hence a second moment E[g_0²] ∝ N_L^{2-2γ_L}: measure the variance, not E[g_0²], or the slope
is wrong.  PyTorch's default readout bias adds v_b = 1/(3 N_L), whose slope is -1 for every γ.  The term
N_L^{2-2γ_L} μ_C² Var(m_1) would make the variance itself grow for depth ≥ 2 if m_1 depended on the inner layers;
for sigmoid (and tanh) it vanishes: Z^L_1 given 𝓕_{L-1} is symmetric about 0 and σ(z) - σ(0) is odd, so m_1 = σ(0)
whatever 𝓕_{L-1}.  It is kept in the formula for other activations.

m_1, m_2 are one-dimensional Gaussian integrals (Gauss–Hermite quadrature, times Gauss–Legendre over a uniform
bias); E[·] over 𝓕_{L-1} is a Monte-Carlo average over draws of the inner layers (none for depth 1, where the law is a
number).  For a single input the inner layers can be sampled exactly unit by unit: H^ℓ_i = σ(√v_ℓ ξ_i + b^ℓ_i),
v_{ℓ+1} = N_ℓ^{-2γ_ℓ} Σ_i (H^ℓ_i)², with ξ_i i.i.d. N(0, 1).
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence, Union

import numpy as np
import pandas as pd
import torch

from ..model import ACTIVATIONS
from ..scaling import GammasLike, resolve_gammas, validate_widths
from ..validation import check_choice
from .networks import DTYPE, InitLaw, draw_networks, resolve_init, seed_list
from .threads import with_threads


# ----------------------------------------------------------------------------------------------- quadrature
def gauss_hermite(n_nodes: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    """Nodes z and weights w with Σ w f(z) ≈ E f(ξ), ξ ~ N(0, 1) (probabilists' normalization)."""
    z, w = np.polynomial.hermite_e.hermegauss(n_nodes)
    return torch.as_tensor(z, dtype=DTYPE), torch.as_tensor(w / np.sqrt(2 * np.pi), dtype=DTYPE)


def unit_moments(
    v: torch.Tensor, bias_bound: float = 0.0, activation: str = "sigmoid", n_nodes: int = 64
) -> tuple[torch.Tensor, torch.Tensor]:
    """m_1 = E[σ(√v ξ + b)], m_2 = E[σ(√v ξ + b)²] with ξ ~ N(0, 1) and b ~ U(-β, β) (β = ``bias_bound``, 0: no bias).

    ``v``: any shape → two tensors of that shape.
    """
    sigma = ACTIVATIONS[activation]
    z, wz = gauss_hermite(n_nodes)
    if bias_bound > 0:
        u, wu = np.polynomial.legendre.leggauss(8)  # the bias integrand is smooth on a short interval
        b = torch.as_tensor(u, dtype=DTYPE) * bias_bound
        wb = torch.as_tensor(wu / 2.0, dtype=DTYPE)
    else:
        b, wb = torch.zeros(1, dtype=DTYPE), torch.ones(1, dtype=DTYPE)
    s = sigma(v.to(DTYPE).sqrt()[..., None, None] * z[:, None] + b)  # (..., n_z, n_b)
    weight = wz[:, None] * wb
    return (s * weight).sum((-2, -1)), (s * s * weight).sum((-2, -1))


def bias_bound(law: InitLaw, layer: int, sizes: Sequence[int]) -> float:
    """The bound β of the U(-β, β) bias of ``layer`` (1..L, L+1 = readout), 0 when the law has none there."""
    return float(sizes[layer - 1]) ** -0.5 if law.has_bias(layer, len(sizes) - 1) else 0.0


# -------------------------------------------------------------------------------------------------- the law
@with_threads
def last_layer_variance_samples(
    x: torch.Tensor,
    widths: Sequence[int],
    gammas: GammasLike,
    init: Union[str, InitLaw] = "centered",
    activation: str = "sigmoid",
    n_inner: int = 2000,
    seed: int = 0,
) -> torch.Tensor:
    """Draws of v_L(x) = Var(Z^L_1(x) - b^L_1 | 𝓕_{L-1}), the last layer's pre-activation variance given the layers
    below it.

    ``x``: (P, d) → (n_inner, P); for depth 1 the value is |x|² and is returned once, shape (1, P).  Exact in law:
    the inner units are sampled one input at a time as H^ℓ_i = σ(√v_ℓ ξ_i + b^ℓ_i).
    """
    widths = validate_widths(widths)
    gammas = resolve_gammas(gammas, len(widths))
    law = resolve_init(init)
    sigma = ACTIVATIONS[activation]
    sizes = (int(x.shape[1]),) + widths
    v = (x.to(DTYPE) ** 2).sum(1)[None, :]  # (1, P)
    if len(widths) == 1:
        return v
    gen = torch.Generator().manual_seed(int(seed))
    v = v.expand(n_inner, -1)
    for ell in range(1, len(widths)):  # layers 1..L-1
        n = widths[ell - 1]
        xi = torch.randn(n_inner, x.shape[0], n, generator=gen, dtype=DTYPE)
        beta = bias_bound(law, ell, sizes)
        b = (torch.rand(n_inner, 1, n, generator=gen, dtype=DTYPE) * 2 - 1) * beta
        h = sigma(v.sqrt()[..., None] * xi + b)
        v = float(n) ** (-2 * gammas[ell - 1]) * (h * h).sum(-1)
    return v


@with_threads
def init_variance_law(
    x: torch.Tensor,
    widths: Sequence[int],
    gammas: GammasLike,
    init: Union[str, InitLaw] = "centered",
    activation: str = "sigmoid",
    n_inner: int = 2000,
    seed: int = 0,
    n_nodes: int = 64,
    outer_gammas: Optional[Sequence[float]] = None,
) -> pd.DataFrame:
    """The exact law of g_0(x) at initialization (module docstring), one row per input point.

    ``x``: (P, d).  Columns: ``point``, ``mean`` (N^{1-γ} μ_C E m_1), ``variance``, ``second_moment``
    (variance + mean²), the three parts of the variance ``unit_term`` (N^{1-2γ}(E[C²]E m_2 - μ_C² E m_1²)),
    ``offset_term`` (N^{2-2γ} μ_C² Var m_1), ``bias_term`` (v_b), ``variance_se`` (the Monte-Carlo standard error
    of ``variance`` from the ``n_inner`` draws of the inner layers; 0 for depth 1), and ``prefactor`` (E m_2).
    ``outer_gammas``: evaluate the law for each of these values of γ_L (the inner layers' draws are shared; the
    frame then has a ``gamma`` column and one row per (γ_L, point)).
    """
    widths = validate_widths(widths)
    gammas = resolve_gammas(gammas, len(widths))
    law = resolve_init(init)
    sizes = (int(x.shape[1]),) + widths
    L, N = len(widths), float(widths[-1])
    v = last_layer_variance_samples(x, widths, gammas, law, activation, n_inner, seed)
    m1, m2 = unit_moments(v, bias_bound(law, L, sizes), activation, n_nodes)  # (n, P)
    mu, c2 = law.readout_mean, law.readout_second_moment
    n = v.shape[0]
    var_m1 = m1.var(0, unbiased=True) if n > 1 else torch.zeros(x.shape[0], dtype=DTYPE)
    c = m1 - m1.mean(0)
    # standard error of the sample variance of m_1 (fourth-moment formula)
    se_var_m1 = ((c**4).mean(0) - (c**2).mean(0) ** 2).clamp_min(0).sqrt() / n**0.5
    frames = []
    for g in [gammas[-1]] if outer_gammas is None else [float(o) for o in outer_gammas]:
        per_draw = N ** (1 - 2 * g) * (c2 * m2 - mu**2 * m1**2)
        unit_term = per_draw.mean(0)
        offset_term = N ** (2 - 2 * g) * mu**2 * var_m1
        bias_term = torch.full_like(unit_term, bias_bound(law, L + 1, sizes) ** 2 / 3.0)
        variance = unit_term + offset_term + bias_term
        mean = N ** (1 - g) * mu * m1.mean(0)
        if n > 1:
            se = ((per_draw.std(0) / n**0.5) ** 2 + (N ** (2 - 2 * g) * mu**2 * se_var_m1) ** 2).sqrt()
        else:
            se = torch.zeros_like(unit_term)
        frame = pd.DataFrame(
            dict(
                point=np.arange(x.shape[0]),
                mean=mean.numpy(),
                variance=variance.numpy(),
                second_moment=(variance + mean**2).numpy(),
                unit_term=unit_term.numpy(),
                offset_term=offset_term.numpy(),
                bias_term=bias_term.numpy(),
                variance_se=se.numpy(),
                prefactor=m2.mean(0).numpy(),
            )
        )
        if outer_gammas is not None:
            frame.insert(0, "gamma", g)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


# ------------------------------------------------------------------------------------- Monte-Carlo over seeds
def architectures(widths: Iterable, depth: int = 1, inner_widths: Sequence[int] | None = None) -> list[tuple[int, ...]]:
    """Turn a width sweep into hidden-width tuples.

    ``widths``: ints N (then each architecture is ``inner_widths + (N,)``, or ``(N,) * depth`` when
    ``inner_widths`` is None: all layers grow together) or tuples (used as given).
    """
    out = []
    for w in widths:
        if isinstance(w, (tuple, list)):
            out.append(validate_widths(w))
        elif inner_widths is not None:
            out.append(validate_widths(tuple(inner_widths) + (int(w),)))
        else:
            out.append(validate_widths((int(w),) * depth))
    if len({len(a) for a in out}) != 1:
        raise ValueError(f"all architectures must have the same depth; got {out}")
    return out


def max_widths(archs: Sequence[tuple[int, ...]]) -> tuple[int, ...]:
    return tuple(max(col) for col in zip(*archs))


@with_threads
def init_output_samples(
    x: torch.Tensor,
    widths: Sequence,
    gammas: GammasLike,
    seeds: Union[int, Iterable[int]] = 2000,
    init: Union[str, InitLaw] = "centered",
    activation: str = "sigmoid",
    method: str = "weights",
    seed: int = 0,
    outer_gammas: Optional[Sequence[float]] = None,
) -> torch.Tensor:
    """Outputs g_0(x) of S networks at initialization, for several nested widths: shape (S, n_widths, P).

    ``x``: (P, d); ``widths``: a list of hidden-width tuples (or ints for depth 1), nested: every architecture
    is the sub-network of the first units of the widest one, drawn once per seed (common random numbers).
    ``seeds``: generator seeds or a count (``seed .. seed + n - 1``).  ``outer_gammas``: several values of γ_L
    at once from the same draws (g_0 = N_L^{-γ_L} U + b^C with U the unscaled sum, see
    :func:`last_layer_sums`); the result then has shape (S, n_outer, n_widths, P).

    ``method="weights"`` draws the weight tensors (see :func:`draw_networks`; network s is GammaMLP(seed=s)) and
    runs the forward pass, in chunks of seeds.  ``method="conditional"`` samples the same law without the
    (N_ℓ × N_{ℓ-1}) matrices: given H^ℓ on the P inputs, the next layer's pre-activations are i.i.d. over units,
    Gaussian with covariance N_ℓ^{-2γ_ℓ} H^ℓ H^ℓᵀ (P × P), so Z^{ℓ+1} = ξ Rᵀ + b with R Rᵀ = that covariance
    and ξ (N_{ℓ+1}, P) i.i.d. N(0, 1) — exact in law, O(P² N) per layer at any width and input dimension
    (its random numbers differ from the weights method's).
    """
    archs = architectures(widths)
    gammas = resolve_gammas(gammas, len(archs[0]))
    sums, bias = last_layer_sums(x, archs, gammas[:-1], seeds, init, activation, method, seed)  # (S, W, P), (S, W)
    n_last = torch.as_tensor([float(a[-1]) for a in archs], dtype=DTYPE)
    outer = [gammas[-1]] if outer_gammas is None else [float(g) for g in outer_gammas]
    out = torch.stack([n_last[:, None] ** (-g) * sums + bias[..., None] for g in outer], 1)
    return out[:, 0] if outer_gammas is None else out


@with_threads
def last_layer_sums(
    x: torch.Tensor,
    widths: Sequence,
    inner_gammas: Sequence[float],
    seeds: Union[int, Iterable[int]] = 2000,
    init: Union[str, InitLaw] = "centered",
    activation: str = "sigmoid",
    method: str = "weights",
    seed: int = 0,
    max_elements: int = 2**23,
) -> tuple[torch.Tensor, torch.Tensor]:
    """U(x) = Σ_i C_i σ(Z^L_i(x)) (the output before the factor N_L^{-γ_L}), shape (S, n_widths, P), and the
    readout biases b^C, shape (S, n_widths), so that g_0 = N_L^{-γ_L} U + b^C.  ``inner_gammas``: γ_1..γ_{L-1}.

    Arguments as in :func:`init_output_samples`; work is done in chunks of seeds of about ``max_elements``
    numbers each (results do not depend on the chunking: every network has its own generator).
    """
    archs = architectures(widths)
    depth = len(archs[0])
    inner = tuple(float(g) for g in inner_gammas)
    if len(inner) != depth - 1:
        raise ValueError(f"inner_gammas must have {depth - 1} entries for depth {depth}; got {inner}")
    full = resolve_gammas(inner + (1.0,), depth)  # the last γ is irrelevant here (U is unscaled)
    seeds = seed_list(seeds, seed)
    check_choice("method", method, ("weights", "conditional"))
    law = resolve_init(init)
    sigma = ACTIVATIONS[activation]
    wmax = max_widths(archs)
    sizes = (int(x.shape[1]),) + wmax
    activations = 3 * x.shape[0] * sum(wmax)
    per_seed = activations + (sum(a * b for a, b in zip(sizes[1:], sizes[:-1])) if method == "weights" else 0)
    chunk = max(1, int(max_elements // max(per_seed, 1)))
    sums, biases = [], []
    for start in range(0, len(seeds), chunk):
        part = seeds[start : start + chunk]
        if method == "weights":
            nets = draw_networks(wmax, x.shape[1], part, 1, law)
            cols, bias_cols = [], []
            for a in archs:
                sub = nets.truncate(a)
                z = sub.hidden(x, full, activation)[-1]  # (S, P, N_L)
                cols.append((sigma(z) @ sub.weights[-1].transpose(1, 2))[..., 0])
                bias_cols.append(sub.biases[-1][:, 0])
            sums.append(torch.stack(cols, 1))
            biases.append(torch.stack(bias_cols, 1))
        else:
            u, b = conditional_sums(x, archs, full, part, law, activation)
            sums.append(u)
            biases.append(b)
    return torch.cat(sums, 0), torch.cat(biases, 0)


def psd_sqrt(g: torch.Tensor) -> torch.Tensor:
    """R with R Rᵀ = g for a batch of symmetric PSD matrices (..., P, P) (eigendecomposition: g may be singular)."""
    lam, q = torch.linalg.eigh(g)
    return q * lam.clamp_min(0).sqrt().unsqueeze(-2)


def conditional_sums(
    x: torch.Tensor,
    archs: Sequence[tuple[int, ...]],
    gammas: Sequence[float],
    seeds: Sequence[int],
    law: InitLaw,
    activation: str,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The ``method="conditional"`` sampler of :func:`last_layer_sums` for one chunk of seeds:
    U (S, n_archs, P) and b^C (S, n_archs)."""
    sigma = ACTIVATIONS[activation]
    wmax = max_widths(archs)
    sizes = (int(x.shape[1]),) + wmax
    L, P, S = len(wmax), x.shape[0], len(seeds)
    xi = [torch.empty(S, n, P, dtype=DTYPE) for n in wmax]
    # u: the biases in units of their bound, U(-1, 1); each architecture scales them by its own 1/√fan_in.
    u = [torch.zeros(S, n, dtype=DTYPE) for n in wmax] + [torch.zeros(S, dtype=DTYPE)]
    c = torch.empty(S, wmax[-1], dtype=DTYPE)
    gen = torch.Generator()
    for i, s in enumerate(seeds):
        gen.manual_seed(int(s))
        for ell in range(L):
            xi[ell][i].normal_(generator=gen)
        law.readout_law.sample(c[i], gen)
        for ell in range(1, L + 2):
            if bias_bound(law, ell, sizes) > 0:
                u[ell - 1][i].uniform_(-1.0, 1.0, generator=gen)
    root_x = psd_sqrt(x.to(DTYPE) @ x.to(DTYPE).T)  # (P, P)
    sums, biases = [], []
    for arch in archs:
        arch_sizes = (int(x.shape[1]),) + tuple(arch)
        beta = [bias_bound(law, ell, arch_sizes) for ell in range(1, L + 2)]
        z = xi[0][:, : arch[0]] @ root_x.T + beta[0] * u[0][:, : arch[0], None]  # (S, N_1, P)
        for ell in range(1, L):
            h = sigma(z) * float(arch[ell - 1]) ** (-gammas[ell - 1])
            root = psd_sqrt(h.transpose(1, 2) @ h)  # (S, P, P)
            z = xi[ell][:, : arch[ell]] @ root.transpose(1, 2) + beta[ell] * u[ell][:, : arch[ell], None]
        sums.append((c[:, : arch[-1], None] * sigma(z)).sum(1))
        biases.append(beta[L] * u[L])
    return torch.stack(sums, 1), torch.stack(biases, 1)


def variance_with_se(samples: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The variance over seeds averaged over points, and its standard error: ``samples`` (S, ..., P) → (...), (...).

    With q_s = S/(S-1) · mean_p (a_sp - ā_p)² for seed s, the point-averaged unbiased variance is V = mean_s q_s,
    a mean over seeds, so its standard error is sd(q)/√S.  (One point: pass ``samples[..., None]``.)"""
    S = samples.shape[0]
    q = ((samples - samples.mean(0, keepdim=True)) ** 2).mean(-1) * S / (S - 1)
    return q.mean(0), q.std(0) / S**0.5
