r"""How far one SGD step on each layer moves the output: the heuristic behind the theory's learning rates.

One SGD step on the loss ½(y - g(x))² of a single example x, taken on the parameters θ_ℓ of one layer with rate
η_ℓ, changes the output at that input by, to first order,

    Δg(x) = η_ℓ |∂g(x)/∂θ_ℓ|² (y - g(x)).

So ``movement`` = η_ℓ |∂g(x)/∂θ_ℓ|² is the output's change per unit of residual caused by layer ℓ.  The theory's
rates (:func:`gammanet.learning_rates`) are chosen so that no layer moves the output by more than O(1/N_L) per
step; ``scaled_movement`` = N_L × movement is then O(1) or smaller as the widths grow (see chapter 2).
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence

import pandas as pd
import torch

from .columns import gamma_label
from .model import GammaMLP
from .scaling import GammasLike, learning_rates


def layer_movement(model: GammaMLP, x: torch.Tensor, alpha: float = 1.0, output: int = 0) -> pd.DataFrame:
    """The first-order output change per unit residual that one SGD step on each layer makes, at the inputs ``x``.

    ``x``: (P, in_features).  One row per (layer, parameter) with ``layer`` in W1..WL, C, ``parameter`` "weight"
    or "bias", ``rate`` = α × the theory's rate of the layer (a bias takes its layer's rate, as in
    :func:`gammanet.param_groups`), ``gradient_sq`` = |∂g_k(x)/∂θ|² averaged over the P inputs (k = ``output``),
    ``movement`` = rate × gradient_sq, and ``scaled_movement`` = N_L × movement.
    """
    rates = learning_rates(model.widths, model.gammas)
    layers = model.layers()
    params = [
        (name, kind, getattr(layer, kind))
        for name, layer in layers.items()
        for kind in ("weight", "bias")
        if getattr(layer, kind) is not None
    ]
    totals = torch.zeros(len(params), dtype=torch.float64)
    x = x.to(next(model.parameters()).dtype)
    for p in range(x.shape[0]):
        value = model(x[p : p + 1])[0, output]
        grads = torch.autograd.grad(value, [t for _, _, t in params])
        totals += torch.stack([(g.detach().double() ** 2).sum() for g in grads])
    totals /= x.shape[0]
    n_last = float(model.widths[-1])
    rows = []
    for (name, kind, _), grad_sq in zip(params, totals.tolist()):
        rate = float(alpha) * rates[name]
        rows.append(
            dict(
                layer=name,
                parameter=kind,
                rate=rate,
                gradient_sq=grad_sq,
                movement=rate * grad_sq,
                scaled_movement=n_last * rate * grad_sq,
            )
        )
    return pd.DataFrame(rows)


def layer_movement_vs_width(
    widths: Iterable[int],
    gammas: GammasLike,
    depth: int = 3,
    seeds: Sequence[int] = (0, 1, 2, 3),
    x: Optional[torch.Tensor] = None,
    alpha: float = 1.0,
    readout: str = "centered",
) -> pd.DataFrame:
    """:func:`layer_movement` at initialization for networks whose hidden layers all have width N, for every N in
    ``widths`` and every seed (network s is ``GammaMLP((N,) * depth, gammas, seed=s)``, one output).

    ``x``: (P, d) inputs, default the first 4 evaluation inputs of :func:`gammanet.theory.toy_problem` (d = 2).
    Returns the rows of :func:`layer_movement` with ``N``, ``depth``, ``gammas`` (a label) and ``seed`` added.
    """
    if x is None:
        from .theory.problems import toy_problem

        x = toy_problem().x_test[:4]
    x = x.to(torch.float32)
    frames = []
    for n in widths:
        for seed in seeds:
            model = GammaMLP(
                (int(n),) * depth, gammas, in_features=int(x.shape[1]), out_features=1, readout=readout, seed=int(seed)
            )
            frame = layer_movement(model, x, alpha)
            frame.insert(0, "seed", int(seed))
            frame.insert(0, "N", int(n))
            frame.insert(0, "gammas", gamma_label(model.gammas, prefix=""))
            frame.insert(0, "depth", depth)
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)
