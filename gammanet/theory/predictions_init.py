r"""The output at initialization (chapter 1): the variance law against width, and what the readout law does to it.

- :func:`init_variance_vs_width` — Var g_0(x) against the outer width, one curve per γ, with the exact law
  Var g_0 = N_L^{1-2γ_L} E[C²] E σ(Z^L)² beside the Monte-Carlo estimate and the fitted slope (1 - 2γ_L, exact for
  every width when only N_L varies);
- :func:`deep_variance_vs_width` — the same for a deep network, one curve per (inner γ's, outer γ): with a sigmoid
  the slope follows the outer γ and the inner γ's move the prefactor (with tanh and equal widths they do not:
  E tanh(Z^L)² ∝ Var Z^L shrinks with the inner widths, see the function);
- :func:`readout_effects` — the centred readout against PyTorch's default readout bias and the authors' U(0, 1)
  readout: mean offset N^{1-γ} E[C] E[σ], second moment and variance.

The default inputs are 4 evaluation points of :func:`gammanet.theory.toy_problem`; pass ``x`` (P, d) for others
(e.g. MNIST images from :func:`gammanet.theory.mnist_problem`).  Defaults run in seconds (depth 1) to ~10 s (deep)
on two CPU cores.
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence, Union

import pandas as pd
import torch

from ..columns import gamma_label
from .dynamics import GAMMAS
from .fitting import fit_slope
from .networks import DTYPE, InitLaw, resolve_init
from .problems import toy_problem
from .results import Prediction
from .variance import architectures, init_output_samples, init_variance_law, variance_with_se
from .threads import with_threads

WIDTHS = (50, 100, 200, 400, 800, 1600, 3200)


def default_inputs(x: Optional[torch.Tensor]) -> torch.Tensor:
    """The first 4 evaluation points of the toy problem (a handful of inputs is enough: the law is per point)."""
    return toy_problem().x_test[:4] if x is None else x.to(DTYPE)


@with_threads
def init_variance_vs_width(
    gammas: Iterable[float] = GAMMAS,
    widths: Sequence[int] = WIDTHS,
    x: Optional[torch.Tensor] = None,
    depth: int = 1,
    inner_gammas: Optional[Sequence[Sequence[float]]] = None,
    inner_widths: Optional[Sequence[int]] = None,
    n_seeds: int = 2000,
    seed: int = 0,
    init: Union[str, InitLaw] = "centered",
    method: str = "auto",
    n_inner: int = 2000,
    n_boot: int = 500,
    activation: str = "sigmoid",
) -> Prediction:
    """Var g_0(x) against the last width N_L (any depth), Monte-Carlo and exact law.

    Architectures: ``inner_widths + (N,)`` for N in ``widths``, or ``(N,) * depth`` (all layers grow together)
    when ``inner_widths`` is None.  Exponents: ``inner + (γ,)`` for γ in ``gammas`` and inner in ``inner_gammas``
    (tuples of length depth - 1; None: the same γ in every layer).  Seeds ``seed .. seed + n_seeds - 1``, the same
    for every configuration (common random numbers); ``method``: "weights" | "conditional" | "auto" (weights for
    depth 1, conditional beyond; see :func:`init_output_samples`).

    ``table``: one row per (inner, γ, N) with ``variance`` (averaged over the P points) ± ``variance_se``,
    ``law`` ± ``law_se`` (the exact law, its Monte-Carlo error over the inner layers for depth > 1), ``mean``,
    ``prefactor`` (E σ(Z^L)²).  ``slopes``: per (inner, γ) the fitted slope with a seed-bootstrap CI and
    ``theory`` = 1 - 2γ.
    """
    x = default_inputs(x)
    if method == "auto":
        method = "weights" if depth == 1 else "conditional"
    archs = architectures(widths, depth, inner_widths)
    depth = len(archs[0])
    n_last = [a[-1] for a in archs]
    inner_list: list = [()] if depth == 1 else ([None] if inner_gammas is None else [tuple(g) for g in inner_gammas])
    rows, slopes = [], []
    gammas = [float(g) for g in gammas]
    # Uniform networks (inner None) change their inner γ's with γ; otherwise one draw serves every outer γ.
    configs = (
        [((g,) * (depth - 1), [g]) for g in gammas]
        if None in inner_list
        else [(tuple(inner), gammas) for inner in inner_list]
    )
    for inner, outer in configs:
        samples = init_output_samples(
            x, archs, inner + (outer[0],), n_seeds, init, activation, method, seed, outer_gammas=outer
        )  # (S, G, W, P)
        laws = [
            init_variance_law(x, arch, inner + (outer[0],), init, activation, n_inner, seed, outer_gammas=outer)
            for arch in archs
        ]
        inner_label = gamma_label(inner, prefix="") if depth > 1 else "-"
        for k, gamma in enumerate(outer):
            full = inner + (gamma,)
            var, se = (v.numpy() for v in variance_with_se(samples[:, k]))
            fit = fit_slope(n_last, samples[:, k], "variance", n_boot=n_boot, seed=seed)
            for j, arch in enumerate(archs):
                law = laws[j][laws[j].gamma == gamma]
                rows.append(
                    dict(
                        gamma=gamma,
                        inner_gammas=inner_label,
                        gammas=gamma_label(full, prefix=""),
                        depth=depth,
                        N=arch[-1],
                        widths="(" + ", ".join(map(str, arch)) + ")",
                        variance=var[j],
                        variance_se=se[j],
                        law=law.variance.mean(),
                        law_se=law.variance_se.mean(),
                        mean=float(samples[:, k, j].mean()),
                        prefactor=law.prefactor.mean(),
                        n_seeds=n_seeds,
                    )
                )
            slopes.append(
                dict(
                    gamma=gamma,
                    inner_gammas=inner_label,
                    gammas=gamma_label(full, prefix=""),
                    depth=depth,
                    statistic="variance",
                    **fit.as_dict(),
                    theory=1 - 2 * gamma,
                )
            )
    config = dict(
        widths=[list(a) for a in archs],
        gammas=list(map(float, gammas)),
        inner_gammas=inner_list,
        n_seeds=n_seeds,
        seeds=[seed, seed + n_seeds - 1],
        init=resolve_init(init).name,
        method=method,
        n_inner=n_inner,
        n_boot=n_boot,
        activation=activation,
        n_points=int(x.shape[0]),
    )
    return Prediction(pd.DataFrame(rows), pd.DataFrame(slopes), config)


def deep_variance_vs_width(
    gammas: Iterable[float] = GAMMAS,
    widths: Sequence[int] = (25, 50, 100, 200, 400, 800),
    inner_gammas: Sequence[Sequence[float]] = ((0.5, 0.5), (0.75, 0.75), (1.0, 1.0), (0.5, 1.0), (1.0, 0.5)),
    depth: int = 3,
    n_inner: int = 500,
    **kwargs,
) -> Prediction:
    """:func:`init_variance_vs_width` for a depth-3 network, every layer of width N, for a grid of inner γ's ×
    outer γ's.  With the sigmoid the slope follows 1 - 2γ_L: the inner γ's only move the prefactor E σ(Z^L)²,
    which tends to σ(0)² = 1/4 when the last inner γ exceeds 1/2 (std Z^L ∝ N^{1/2-γ_{L-1}}).  That needs
    σ(0) ≠ 0: with tanh (σ(0) = 0) and all widths growing together, E tanh(Z^ℓ)² ≈ Var Z^ℓ adds the inner
    exponents, and the slope is Σ_ℓ (1 - 2γ_ℓ); with the inner widths fixed it is 1 - 2γ_L again."""
    return init_variance_vs_width(gammas, widths, depth=depth, inner_gammas=inner_gammas, n_inner=n_inner, **kwargs)


@with_threads
def readout_effects(
    gammas: Iterable[float] = GAMMAS,
    widths: Sequence[int] = WIDTHS,
    inits: Sequence[Union[str, InitLaw]] = ("centered", "readout_bias", "uniform", "authors"),
    x: Optional[torch.Tensor] = None,
    depth: int = 1,
    n_seeds: int = 2000,
    seed: int = 0,
    method: str = "auto",
    n_inner: int = 1000,
    n_boot: int = 300,
    activation: str = "sigmoid",
) -> Prediction:
    """What the readout law does to the output at initialization (the exact law of chapter 1 and its terms).

    For every init law (see :data:`gammanet.theory.INIT_LAWS`), γ and width: the Monte-Carlo ``mean``,
    ``variance`` and ``second_moment`` E[g_0²] (averaged over the points, with standard errors) beside the law's
    ``law_mean``, ``law_variance``, ``law_second_moment`` and its parts (``unit_term``, ``offset_term``,
    ``bias_term``).  ``slopes``: fitted slopes of the variance and of the second moment per (init, γ), next to
    1 - 2γ.  Expect: the readout bias adds 1/(3N) (slope -1 whatever γ, so it flattens nothing for γ < 1 but
    doubles the γ = 1 prefactor's order); the U(0, 1) readout adds a mean N^{1-γ} E[C] E[σ] = N^{1-γ}/4, so
    E[g_0²] grows like N^{2-2γ} while the variance keeps the slope 1 - 2γ (with a smaller prefactor,
    E[C²]E[σ²] - E[C]²E[σ]², since E[σ(Z)|inner layers] = 1/2 for sigmoid at every depth).
    """
    x = default_inputs(x)
    if method == "auto":
        method = "weights" if depth == 1 else "conditional"
    archs = architectures(widths, depth)
    n_last = [a[-1] for a in archs]
    rows, slopes = [], []
    for init in inits:
        law_obj = resolve_init(init)
        for gamma in gammas:
            full = (float(gamma),) * depth
            samples = init_output_samples(x, archs, full, n_seeds, law_obj, activation, method, seed)  # (S, W, P)
            var, var_se = (v.numpy() for v in variance_with_se(samples))
            second = (samples**2).mean(-1)  # (S, W)
            for j, arch in enumerate(archs):
                law = init_variance_law(x, arch, full, law_obj, activation, n_inner, seed)
                rows.append(
                    dict(
                        init=law_obj.name,
                        gamma=float(gamma),
                        depth=depth,
                        N=arch[-1],
                        mean=float(samples[:, j].mean()),
                        mean_se=float(samples[:, j].mean(-1).std() / n_seeds**0.5),
                        variance=var[j],
                        variance_se=var_se[j],
                        second_moment=float(second[:, j].mean()),
                        second_moment_se=float(second[:, j].std() / n_seeds**0.5),
                        law_mean=law["mean"].mean(),
                        law_variance=law.variance.mean(),
                        law_second_moment=law.second_moment.mean(),
                        unit_term=law.unit_term.mean(),
                        offset_term=law.offset_term.mean(),
                        bias_term=law.bias_term.mean(),
                        n_seeds=n_seeds,
                    )
                )
            for stat in ("variance", "mean_square"):
                fit = fit_slope(n_last, samples, stat, n_boot=n_boot, seed=seed)
                slopes.append(
                    dict(
                        init=law_obj.name,
                        gamma=float(gamma),
                        depth=depth,
                        statistic="second_moment" if stat == "mean_square" else stat,
                        **fit.as_dict(),
                        theory=1 - 2 * float(gamma),
                    )
                )
    config = dict(
        widths=[list(a) for a in archs],
        gammas=list(map(float, gammas)),
        inits=[resolve_init(i).name for i in inits],
        n_seeds=n_seeds,
        seeds=[seed, seed + n_seeds - 1],
        method=method,
        n_inner=n_inner,
        n_boot=n_boot,
        activation=activation,
        n_points=int(x.shape[0]),
    )
    return Prediction(pd.DataFrame(rows), pd.DataFrame(slopes), config)
