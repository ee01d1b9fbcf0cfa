"""γ-scaled multilayer perceptrons of any depth (an ``nn.Module`` over :mod:`gammanet.network`'s one draw and
one forward pass), the authors' parameter names, and the optimiser groups that carry the theory's rates."""

from __future__ import annotations

import re
from typing import Mapping, Optional, Sequence

import torch
from torch import nn

from . import network
from .network import ACTIVATIONS, INIT_ORDERS, READOUT_LAWS, InitLaw, NetworkDraw
from .scaling import GammasLike, layer_names, learning_rates, resolve_gammas, validate_widths
from .memory import check_memory, parameter_bytes
from .validation import check_bool, check_choice, check_positive_float, check_positive_int, check_seed

#: The readout laws GammaMLP accepts (the registry of :mod:`gammanet.network`).
READOUTS = READOUT_LAWS


class GammaMLP(nn.Module):
    r"""A multilayer perceptron normalized by N_ℓ^{-γ_ℓ} in every layer.

    With hidden widths N_1..N_L, exponents γ_1..γ_L and activation σ, for an input x ∈ R^d::

        H^1     = σ(W^1 (s·x) + b^1)
        H^{ℓ+1} = σ(W^{ℓ+1} (N_ℓ^{-γ_ℓ} H^ℓ) + b^{ℓ+1}),      ℓ = 1..L-1
        g(x)    = C (N_L^{-γ_L} H^L) + b^C                     (the logits)

    where s is ``input_scale`` (1 in the papers).  The width factors live here, in ``forward``
    (:func:`gammanet.network.forward`); the initialization is width-free: every hidden weight is N(0, 1), so one
    seed gives the same weights whatever the γ's, which makes γ-comparisons use common random numbers.

    Readout initialization (``readout``, a name in :data:`gammanet.network.READOUT_LAWS`):

    - ``"centered"`` (default): C ~ N(0, 1) and every bias zero, so that Var g_0(x) = N_L^{1-2γ_L} E[C²] E[σ(Z^L)²]
      holds exactly (chapter 1; chapter 5 for any depth);
    - ``"authors"``: C ~ U(0, 1) and PyTorch's default biases U(-1/√fan_in, 1/√fan_in): the forward pass of the
      authors' ``MLP``, ``MLP2`` and ``MLP3`` (their deep networks end with a log-softmax, which cross-entropy does
      not see; see ``output`` in :func:`gammanet.train.fit`).

    ``init`` is the order of the draw (:func:`gammanet.network.draw_parameters`): ``"weights_first"`` (default)
    draws every weight, then the biases, so a seed gives the same weights with and without biases;
    ``"authors"`` draws layer by layer as the authors' classes do, so that after ``torch.manual_seed(s)``
    ``GammaMLP(widths, γ, readout="authors", init="authors")`` has bit for bit the parameters of their network
    (``seed=s`` does the same from its own generator, leaving the global one untouched).

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
        init: str = "weights_first",
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
        check_choice("init", init, INIT_ORDERS)
        check_memory(
            parameter_bytes(self.widths, in_features, out_features),
            "cpu",
            f"the parameters of GammaMLP(widths={self.widths})",
        )
        self.in_features, self.out_features = in_features, out_features
        self.activation, self.readout_init, self.input_scale = activation, readout, float(input_scale)
        self.init_order = init
        self.seed = seed

        sizes = (in_features,) + self.widths
        # skip_init: nn.Linear's own draw would consume the global generator; every draw is reset_parameters'.
        self.hidden = nn.ModuleList(
            nn.utils.skip_init(nn.Linear, sizes[i], sizes[i + 1], bias=bias) for i in range(len(self.widths))
        )
        self.readout = nn.utils.skip_init(nn.Linear, self.widths[-1], out_features, bias=bias)
        # The scale factors N_ℓ^{-γ_ℓ}, as plain floats (not buffers: they are part of the architecture).
        self.scales = network.width_scales(self.widths, self.gammas)
        self.reset_parameters(seed)

    @property
    def depth(self) -> int:
        return len(self.widths)

    @property
    def init_law(self) -> InitLaw:
        """The law of the initial parameters (:class:`gammanet.network.InitLaw`)."""
        return InitLaw.of_model(self.readout_init, self.bias)

    def reset_parameters(self, seed: Optional[int] = None) -> None:
        """Draw all parameters (:func:`gammanet.network.draw_parameters` in this model's ``init`` order); with
        ``seed`` the draw uses its own generator (the global generator is untouched), without it the global one."""
        gen = None if seed is None else torch.Generator().manual_seed(int(seed))
        layers = list(self.layers().values())
        network.draw_parameters(
            [layer.weight for layer in layers], [layer.bias for layer in layers], self.init_law, gen, self.init_order
        )

    def _parameters_in_order(self) -> tuple[list[torch.Tensor], list[Optional[torch.Tensor]]]:
        layers = list(self.hidden) + [self.readout]
        return [layer.weight for layer in layers], [layer.bias for layer in layers]

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The scaled last hidden layer N_L^{-γ_L} H^L(x), shape (B, N_L); x is cast to the model's dtype (so
        float64 or uint8 inputs work as a user expects)."""
        if x.dtype != self.readout.weight.dtype:
            x = x.to(self.readout.weight.dtype)
        weights, biases = self._parameters_in_order()
        return network.features(x, weights, biases, self.scales, self.activation, self.input_scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weights, biases = self._parameters_in_order()
        return network.forward(x, weights, biases, self.scales, self.activation, self.input_scale)

    def layers(self) -> dict[str, nn.Linear]:
        """The trainable layers keyed by the papers' names ``W1..WL, C``."""
        return dict(zip(layer_names(self.depth), list(self.hidden) + [self.readout]))

    def config(self) -> dict:
        """Everything needed to rebuild this model (JSON-serializable)."""
        return dict(
            widths=list(self.widths),
            gammas=list(self.gammas),
            in_features=self.in_features,
            out_features=self.out_features,
            activation=self.activation,
            readout=self.readout_init,
            input_scale=self.input_scale,
            seed=self.seed,
            bias=self.bias,
            init=self.init_order,
        )

    def extra_repr(self) -> str:
        return (
            f"widths={self.widths}, gammas={self.gammas}, activation={self.activation!r}, "
            f"readout={self.readout_init!r}"
            + ("" if self.bias else ", bias=False")
            + ("" if self.init_order == "weights_first" else f", init={self.init_order!r}")
        )

    # ------------------------------------------------------------------------------------- the authors' networks
    @classmethod
    def from_authors(cls, state: Mapping[str, torch.Tensor], gammas: GammasLike, **kwargs) -> "GammaMLP":
        """A GammaMLP carrying the parameters of one of the authors' networks (``state``: the ``state_dict`` of
        their ``MLP``, ``MLP2`` or ``MLP3``, as their code saves it), with exponents ``gammas``.

        The widths, features and biases come from the state (:func:`authors_state_dict`); ``kwargs`` go to the
        constructor (default: the authors' readout and draw order, sigmoid)."""
        ours = authors_state_dict(state)
        n_layers = len(ours) // 2
        widths = [int(ours[f"hidden.{i}.weight"].shape[0]) for i in range(n_layers - 1)]
        kwargs = dict(dict(readout="authors", init="authors", activation="sigmoid"), **kwargs)
        model = cls(
            widths,
            gammas,
            in_features=int(ours["hidden.0.weight"].shape[1]),
            out_features=int(ours["readout.weight"].shape[0]),
            seed=0,
            **kwargs,
        )
        model.load_state_dict(ours)
        model.seed = None  # the parameters are the state's, not a draw of ours
        return model


_AUTHORS_KEY = re.compile(r"fc([1-9][0-9]*)\.(weight|bias)")


def authors_state_dict(state: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The authors' parameter names → GammaMLP's: ``fc1..fcL`` (their hidden layers, in order) become
    ``hidden.0..hidden.{L-1}`` and the last ``fc{L+1}`` (their readout) becomes ``readout``; ``weight`` and ``bias``
    keep their names.  A ``ValueError`` if the state holds other keys or misses a layer's weight or bias."""
    parsed = {}
    for key in state:
        match = _AUTHORS_KEY.fullmatch(key)
        if match is None:
            raise ValueError(
                f"{key!r} is not a parameter of the authors' MLP/MLP2/MLP3; their names are "
                "fc1.weight, fc1.bias, fc2.weight, ..."
            )
        parsed[key] = (int(match.group(1)), match.group(2))
    n = max((i for i, _ in parsed.values()), default=0)
    missing = [f"fc{i}.{kind}" for i in range(1, n + 1) for kind in ("weight", "bias") if f"fc{i}.{kind}" not in state]
    if n < 2 or missing:
        raise ValueError(
            f"the authors' state misses {missing or ['fc1', 'fc2']}: a network has fc1..fc{{L+1}}, "
            "each with a weight and a bias"
        )
    out = {}
    for key, (i, kind) in parsed.items():
        name = "readout" if i == n else f"hidden.{i - 1}"
        out[f"{name}.{kind}"] = state[key].detach().clone()
    return out


def stack_models(models: Sequence[GammaMLP], dtype: torch.dtype = torch.float64) -> NetworkDraw:
    """The parameters of GammaMLPs of one architecture as one :class:`gammanet.network.NetworkDraw` (zeros for
    the biases of models without biases), in ``dtype``; seeds from ``model.seed`` (-1 when None), the initial law
    from the first model's readout and biases."""
    if not models:
        raise ValueError("stack_models needs at least one GammaMLP; got none")

    def bias(layer: nn.Linear) -> torch.Tensor:
        return layer.bias.detach() if layer.bias is not None else layer.weight.new_zeros(layer.out_features)

    layers = [list(m.layers().values()) for m in models]
    weights = tuple(torch.stack([ls[i].weight.detach() for ls in layers]).to(dtype) for i in range(len(layers[0])))
    biases = tuple(torch.stack([bias(ls[i]) for ls in layers]).to(dtype) for i in range(len(layers[0])))
    return NetworkDraw(
        weights, biases, tuple(-1 if m.seed is None else int(m.seed) for m in models), models[0].init_law
    )


def param_groups(model: GammaMLP, alpha: float = 1.0) -> list[dict]:
    """``torch.optim.SGD`` parameter groups, one per layer, with learning rate α · (the theory's rate).

    Each group is ``{"name": "W1" | ... | "C", "params": [weight, bias], "lr": alpha * rate,
    "lr_scale": rate}`` (``[weight]`` when the model has no biases); a layer's bias takes its layer's rate.
    ``lr_scale`` keeps the theory's relative factor so that a scheduler that rescales ``lr`` can be checked
    against it.
    """
    alpha = check_positive_float("alpha", alpha)
    rates = learning_rates(model.widths, model.gammas)
    return [
        {
            "name": name,
            "params": [p for p in (layer.weight, layer.bias) if p is not None],
            "lr": float(alpha) * rates[name],
            "lr_scale": rates[name],
        }
        for name, layer in model.layers().items()
    ]
