r"""The linearized network (first-order Taylor model at initialization) and the tangent kernel of any GammaMLP.

For parameters θ (a chosen subset of a :class:`gammanet.GammaMLP`'s, by default its weights W^1..W^L and C — the
theory's trainable set; the biases stay at their values) and the initial point θ_0:

    g^lin(θ, x) = g(θ_0, x) + ∇_θ g(θ_0, x)·(θ - θ_0)          (one forward-mode product, torch.func.jvp)
    Θ(x, x')   = Σ_θ ∂_θ g(θ_0, x) ∂_θ g(θ_0, x')               (the empirical tangent kernel, torch.func.jacrev)

For a shallow network Θ = N^{1-2γ} A_N (see :mod:`gammanet.theory.kernel`).  Gradient descent on g^lin moves its
outputs by exactly Θ: the closed form used by :func:`gammanet.theory.train_shallow` for its side-by-side
linearized networks.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import torch
from torch.func import functional_call, jacrev, jvp

from ..model import GammaMLP


def weight_names(model: GammaMLP) -> list[str]:
    """The names of the weights W^1..W^L, C (``hidden.{ℓ-1}.weight``, ``readout.weight``)."""
    return [n for n, _ in model.named_parameters() if n.endswith("weight")]


def initial_parameters(model: GammaMLP, names: Optional[Sequence[str]] = None) -> dict[str, torch.Tensor]:
    """Detached copies of the chosen parameters (default: the weights), keyed by name."""
    names = weight_names(model) if names is None else list(names)
    params = dict(model.named_parameters())
    unknown = [n for n in names if n not in params]
    if unknown:
        raise ValueError(f"unknown parameter names {unknown}; the model has {sorted(params)}")
    return {n: params[n].detach().clone() for n in names}


def linearize(
    model: GammaMLP, names: Optional[Sequence[str]] = None
) -> tuple[Callable[[dict, torch.Tensor], torch.Tensor], dict[str, torch.Tensor]]:
    """The linearized network of ``model`` at its current parameters.

    Returns ``(g_lin, theta0)``: ``theta0`` the initial values of the chosen parameters (a dict), and
    ``g_lin(params, x)`` = g(θ_0, x) + ∇g(θ_0, x)·(params - θ_0) for ``params`` a dict with the same keys and
    ``x`` of shape (B, d) → (B, K).  Differentiable in ``params`` (so it can be trained with autograd).
    """
    theta0 = initial_parameters(model, names)

    def g_lin(params: dict, x: torch.Tensor) -> torch.Tensor:
        tangents = {n: params[n] - theta0[n] for n in theta0}
        out = jvp(lambda p: functional_call(model, p, (x,), strict=False), (theta0,), (tangents,))
        return out[0] + out[1]  # the output at θ_0, and its change along params - θ_0

    return g_lin, theta0


def network_tangent_kernel(
    model: GammaMLP,
    x1: torch.Tensor,
    x2: Optional[torch.Tensor] = None,
    names: Optional[Sequence[str]] = None,
    output: int = 0,
) -> torch.Tensor:
    """Θ(x, x') = Σ_θ ∂_θ g_k(x) ∂_θ g_k(x') over the chosen parameters (default: the weights) for output k:
    ``x1`` (P1, d), ``x2`` (P2, d) → (P1, P2)."""
    theta = initial_parameters(model, names)

    def jac(x):
        j = jacrev(lambda p: functional_call(model, p, (x,), strict=False)[:, output])(theta)
        return torch.cat([v.reshape(x.shape[0], -1) for v in j.values()], 1)  # (P, n_params)

    j1 = jac(x1)
    j2 = j1 if x2 is None else jac(x2)
    return (j1 @ j2.T).detach()
