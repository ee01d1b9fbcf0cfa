"""γ-scaled multilayer perceptrons of any depth, and the optimiser groups that carry the theory's rates."""
from __future__ import annotations

from typing import Optional, Sequence

import torch
from torch import nn

from .scaling import GammasLike, layer_names, learning_rates, resolve_gammas, validate_widths
from .memory import check_memory, parameter_bytes
from .validation import (check_bool, check_choice, check_positive_float, check_positive_int, check_seed)

ACTIVATIONS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh}
READOUTS = ("centered", "authors")


class GammaMLP(nn.Module):
    r"""A multilayer perceptron normalized by N_ℓ^{-γ_ℓ} in every layer.

    With hidden widths N_1..N_L, exponents γ_1..γ_L and activation σ, for an input x ∈ R^d::

        H^1     = σ(W^1 (s·x) + b^1)
        H^{ℓ+1} = σ(W^{ℓ+1} (N_ℓ^{-γ_ℓ} H^ℓ) + b^{ℓ+1}),      ℓ = 1..L-1
        g(x)    = C (N_L^{-γ_L} H^L) + b^C                     (the logits)

    where s is ``input_scale`` (1 in the papers).  The width factors live here, in ``forward``; the
    initialization is width-free: every hidden weight is N(0, 1), so one seed gives the same weights whatever the
    γ's, which makes γ-comparisons use common random numbers.

    Readout initialization:

    - ``"centered"`` (default): C ~ N(0, 1) and every bias zero, so that Var g_0(x) = N_L^{1-2γ_L} E[C²] E[σ(Z^L)²]
      holds exactly (chapter 1; chapter 5 for any depth);
    - ``"authors"``: C ~ U(0, 1) and PyTorch's default biases U(-1/√fan_in, 1/√fan_in): the forward pass of the
      authors' ``MLP``, ``MLP2`` and ``MLP3`` (before their final log-softmax, which cross-entropy does not see).

    ``bias=False`` removes every b^ℓ and b^C, as in the papers' equations (their code keeps PyTorch's biases).
    Trained biases are unscaled, O(1) terms: in deep mean-field networks, where the input-dependent part of a
    pre-activation is only O(N^{1/2-γ}), they can dominate the early dynamics (docs/presets.md §4).

    Parameters are ``hidden[ℓ-1].weight`` (shape (N_ℓ, N_{ℓ-1})), ``hidden[ℓ-1].bias`` and ``readout.weight``
    (shape (out_features, N_L)), ``readout.bias`` (``None`` when ``bias=False``).  Input of shape
    (B, in_features) or (B, 1, 28, 28); output: logits of shape (B, out_features).
    """

    def __init__(
        self,
        widths: Sequence[int],
        gammas: GammasLike,
        in_features: int = 784,
        out_features: int = 10,
        activation: str = "sigmoid",
        readout: str = "centered",
        input_scale: float = 1.0,
        seed: Optional[int] = None,
        bias: bool = True,
    ):
        super().__init__()
        self.widths = validate_widths(widths)
        self.gammas = resolve_gammas(gammas, len(self.widths))
        check_choice("activation", activation, ACTIVATIONS)
        check_choice("readout", readout, READOUTS)
        in_features = check_positive_int("in_features", in_features)
        out_features = check_positive_int("out_features", out_features)
        input_scale = check_positive_float("input_scale", input_scale)
        self.bias = bias = check_bool("bias", bias)
        seed = None if seed is None else check_seed("seed", seed)
        check_memory(parameter_bytes(self.widths, in_features, out_features), "cpu",
                     f"the parameters of GammaMLP(widths={self.widths})")
        self.in_features, self.out_features = in_features, out_features
        self.activation, self.readout_init, self.input_scale = activation, readout, float(input_scale)
        self.seed = seed

        sizes = (in_features,) + self.widths
        self.hidden = nn.ModuleList(nn.Linear(sizes[i], sizes[i + 1], bias=bias) for i in range(len(self.widths)))
        self.readout = nn.Linear(self.widths[-1], out_features, bias=bias)
        # The scale factors N_ℓ^{-γ_ℓ}, as plain floats (not buffers: they are part of the architecture).
        self.scales = tuple(float(n) ** (-g) for n, g in zip(self.widths, self.gammas))
        self.reset_parameters(seed)

    @property
    def depth(self) -> int:
        return len(self.widths)

    def reset_parameters(self, seed: Optional[int] = None) -> None:
        """Draw all parameters; with ``seed`` the draw uses its own generator (the global RNG is untouched).

        The weights are drawn first, so a seed gives the same weights with and without biases."""
        gen = None if seed is None else torch.Generator().manual_seed(int(seed))
        biases = [layer.bias for layer in list(self.hidden) + [self.readout] if layer.bias is not None]
        with torch.no_grad():
            for layer in self.hidden:
                layer.weight.normal_(0.0, 1.0, generator=gen)
            if self.readout_init == "centered":
                self.readout.weight.normal_(0.0, 1.0, generator=gen)
                for b in biases:
                    b.zero_()
            else:
                self.readout.weight.uniform_(0.0, 1.0, generator=gen)
                for layer in list(self.hidden) + [self.readout]:
                    if layer.bias is not None:
                        bound = layer.in_features ** -0.5  # nn.Linear's default bias law
                        layer.bias.uniform_(-bound, bound, generator=gen)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The scaled last hidden layer N_L^{-γ_L} H^L(x), shape (B, N_L); x is cast to the model's dtype (so
        float64 or uint8 inputs work as a user expects)."""
        sigma = ACTIVATIONS[self.activation]
        h = x.reshape(x.shape[0], -1)
        if h.dtype != self.readout.weight.dtype:
            h = h.to(self.readout.weight.dtype)
        if self.input_scale != 1.0:
            h = self.input_scale * h
        for layer, scale in zip(self.hidden, self.scales):
            h = scale * sigma(layer(h))
        return h

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.readout(self.features(x))

    def layers(self) -> dict[str, nn.Linear]:
        """The trainable layers keyed by the papers' names ``W1..WL, C``."""
        return dict(zip(layer_names(self.depth), list(self.hidden) + [self.readout]))

    def config(self) -> dict:
        """Everything needed to rebuild this model (JSON-serializable)."""
        return dict(
            widths=list(self.widths), gammas=list(self.gammas), in_features=self.in_features,
            out_features=self.out_features, activation=self.activation, readout=self.readout_init,
            input_scale=self.input_scale, seed=self.seed, bias=self.bias,
        )

    def extra_repr(self) -> str:
        return (f"widths={self.widths}, gammas={self.gammas}, activation={self.activation!r}, "
                f"readout={self.readout_init!r}" + ("" if self.bias else ", bias=False"))


def param_groups(model: GammaMLP, alpha: float = 1.0) -> list[dict]:
    """``torch.optim.SGD`` parameter groups, one per layer, with learning rate α · (the theory's rate).

    Each group is ``{"name": "W1" | ... | "C", "params": [weight, bias], "lr": alpha * rate,
    "lr_scale": rate}`` (``[weight]`` when the model has no biases); a layer's bias takes its layer's rate.  ``lr_scale`` keeps the theory's relative factor
    so that a scheduler that rescales ``lr`` can be checked against it.
    """
    alpha = check_positive_float("alpha", alpha)
    rates = learning_rates(model.widths, model.gammas)
    return [
        {"name": name, "params": [p for p in (layer.weight, layer.bias) if p is not None], "lr": float(alpha) * rates[name], "lr_scale": rates[name]}
        for name, layer in model.layers().items()
    ]
