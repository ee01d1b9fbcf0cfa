r"""Many γ-scaled networks at once: weights with a leading seed dimension, nested across widths.

S networks of hidden widths N_1..N_L are stored as tensors whose first dimension is the network (the seed)::

    weights[ℓ-1]: W^ℓ, shape (S, N_ℓ, N_{ℓ-1})   (N_0 = d, the input dimension), ℓ = 1..L
    weights[L]:   C,   shape (S, K, N_L)          (K outputs)
    biases[ℓ-1]:  b^ℓ, shape (S, N_ℓ);  biases[L]: b^C, shape (S, K)

and the forward pass is the one of :class:`gammanet.GammaMLP`::

    H^1 = σ(W^1 x + b^1),  H^{ℓ+1} = σ(W^{ℓ+1} (N_ℓ^{-γ_ℓ} H^ℓ) + b^{ℓ+1}),  g(x) = C (N_L^{-γ_L} H^L) + b^C.

Seeds: network ``s`` is drawn with ``torch.Generator().manual_seed(s)`` in the order of
``GammaMLP.reset_parameters``, so at the drawn widths it *is* ``GammaMLP(widths, gammas, d, K, readout, seed=s)``
(values drawn in float32, then cast).  Common random numbers across widths: a narrower network is the sub-network
made of the first N_ℓ units of every layer (:meth:`NetworkDraw.truncate`), so comparing widths compares nested
networks and the width slope is not buried in seed noise.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence, Union

import torch

from ..model import ACTIVATIONS, GammaMLP
from ..scaling import GammasLike, resolve_gammas, validate_widths

DTYPE = torch.float64


#: (E[C], E[C²], E[C³]) of each readout law.
READOUT_MOMENTS = {"normal": (0.0, 1.0, 0.0), "uniform": (0.5, 1.0 / 3.0, 0.25), "skewed": (0.0, 1.0, 2.0)}


def skewed_from_normal(z: torch.Tensor) -> torch.Tensor:
    """The skewed readout C = E - 1, E ~ Exp(1), from standard normal numbers z by the quantile transform
    C = F^{-1}(Φ(z)) = -log Φ(-z) - 1 (monotone in z, so a skewed network is coupled to the normal one of its seed).
    Moments: E[C] = 0, E[C²] = 1, E[C³] = 2."""
    return -torch.special.log_ndtr(-z) - 1.0


@dataclass(frozen=True)
class InitLaw:
    """The law of the readout and of the biases at initialization (hidden weights are always N(0, 1)).

    ``readout``: ``"normal"`` (C ~ N(0, 1), centred), ``"uniform"`` (C ~ U(0, 1), the authors' code) or
    ``"skewed"`` (C = E - 1 with E ~ Exp(1): centred, E[C²] = 1 like the normal law, but E[C³] = 2; drawn from the
    same normal numbers Z by the quantile transform C = -log Φ(-Z) - 1, see :func:`skewed_from_normal`).
    ``biases``: ``"none"`` (all zero), ``"readout"`` (only b^C, PyTorch's default U(±1/√N_L)) or ``"all"``
    (every layer, PyTorch's default U(±1/√fan_in), the authors' code).
    """

    readout: str = "normal"
    biases: str = "none"

    def __post_init__(self):
        if self.readout not in READOUT_MOMENTS:
            raise ValueError(f"readout={self.readout!r} is not allowed; choose one of {tuple(READOUT_MOMENTS)}")
        if self.biases not in ("none", "readout", "all"):
            raise ValueError(f"biases={self.biases!r} is not allowed; choose 'none', 'readout' or 'all'")

    @property
    def readout_mean(self) -> float:
        """E[C]."""
        return READOUT_MOMENTS[self.readout][0]

    @property
    def readout_second_moment(self) -> float:
        """E[C²]."""
        return READOUT_MOMENTS[self.readout][1]

    @property
    def readout_third_moment(self) -> float:
        """E[C³]."""
        return READOUT_MOMENTS[self.readout][2]

    @property
    def name(self) -> str:
        for key, law in INIT_LAWS.items():
            if law == self:
                return key
        return f"{self.readout}/{self.biases}"


#: Named initial laws: GammaMLP's two readouts, and the two single changes between them.
INIT_LAWS = {
    "centered": InitLaw("normal", "none"),          # GammaMLP(readout="centered"): the exact variance law holds
    "readout_bias": InitLaw("normal", "readout"),   # + PyTorch's default readout bias only
    "uniform": InitLaw("uniform", "none"),          # the authors' U(0, 1) readout only
    "authors": InitLaw("uniform", "all"),           # GammaMLP(readout="authors"): the authors' code
    "skewed": InitLaw("skewed", "none"),            # centred but skewed readout, E[C³] = 2 (the expansion's Q¹)
}


def resolve_init(init: Union[str, InitLaw]) -> InitLaw:
    if isinstance(init, InitLaw):
        return init
    if init not in INIT_LAWS:
        raise ValueError(f"init={init!r} is not allowed; choose one of {tuple(INIT_LAWS)} or an InitLaw")
    return INIT_LAWS[init]


@dataclass(frozen=True)
class NetworkDraw:
    """S networks of one architecture, every tensor with a leading seed dimension (see the module docstring)."""

    weights: tuple[torch.Tensor, ...]
    biases: tuple[torch.Tensor, ...]
    seeds: tuple[int, ...]
    init: InitLaw = InitLaw()

    @property
    def widths(self) -> tuple[int, ...]:
        return tuple(int(w.shape[1]) for w in self.weights[:-1])

    @property
    def depth(self) -> int:
        return len(self.weights) - 1

    @property
    def in_features(self) -> int:
        return int(self.weights[0].shape[2])

    @property
    def out_features(self) -> int:
        return int(self.weights[-1].shape[1])

    @property
    def n_networks(self) -> int:
        return int(self.weights[0].shape[0])

    def truncate(self, widths: Sequence[int]) -> "NetworkDraw":
        """The nested sub-networks made of the first N_ℓ units of every hidden layer (views, no copy)."""
        widths = validate_widths(widths)
        if len(widths) != self.depth or any(n > m for n, m in zip(widths, self.widths)):
            raise ValueError(f"widths {widths} must have {self.depth} entries, each <= the drawn widths {self.widths}")
        sizes = (self.in_features,) + widths
        old_sizes = (self.in_features,) + self.widths
        weights = tuple(w[:, :sizes[i + 1], :sizes[i]] for i, w in enumerate(self.weights[:-1]))
        weights += (self.weights[-1][:, :, :widths[-1]],)
        biases = tuple(b[:, :n] for b, n in zip(self.biases[:-1], widths)) + (self.biases[-1],)
        # PyTorch's default bias law U(±1/√fan_in) depends on the width below: rescaling the wide network's draw
        # gives exactly that law at the narrower width (and keeps the coupling across widths).
        biases = tuple(b * (old_sizes[i] / sizes[i]) ** 0.5 if old_sizes[i] != sizes[i] else b
                       for i, b in enumerate(biases))
        return NetworkDraw(weights, biases, self.seeds, self.init)

    def select(self, index) -> "NetworkDraw":
        """A subset of the networks (``index``: a slice or a 1-D index tensor over the seed dimension)."""
        seeds = torch.as_tensor(self.seeds)[index]
        return NetworkDraw(tuple(w[index] for w in self.weights), tuple(b[index] for b in self.biases),
                           tuple(int(s) for s in seeds.reshape(-1)), self.init)

    def mirrored(self) -> "NetworkDraw":
        """The antithetic networks: readout C → -C and b^C → -b^C, so g_0 → -g_0, with the same law when the
        readout is centred.  Pairing each network with its mirror cancels the leading fluctuation N^{1/2-γ} K_t
        from seed-means (it is odd in the initial readout), leaving the deterministic corrections visible."""
        if self.init.readout != "normal":
            raise ValueError(f"mirrored networks have the initial law only for a symmetric readout law; "
                             f"readout={self.init.readout!r} is not symmetric (use 'normal')")
        return NetworkDraw(self.weights[:-1] + (-self.weights[-1],), self.biases[:-1] + (-self.biases[-1],),
                           self.seeds, self.init)

    @staticmethod
    def concat(draws: Sequence["NetworkDraw"]) -> "NetworkDraw":
        """Networks of one architecture stacked along the seed dimension."""
        return NetworkDraw(tuple(torch.cat(ws) for ws in zip(*(d.weights for d in draws))),
                           tuple(torch.cat(bs) for bs in zip(*(d.biases for d in draws))),
                           sum((d.seeds for d in draws), ()), draws[0].init)

    def hidden(self, x: torch.Tensor, gammas: GammasLike, activation: str = "sigmoid") -> list[torch.Tensor]:
        """The pre-activations Z^ℓ(x) = W^ℓ(N_{ℓ-1}^{-γ_{ℓ-1}} H^{ℓ-1}) + b^ℓ of every hidden layer.

        ``x``: (B, d) → list of L tensors of shape (S, B, N_ℓ).
        """
        gammas = resolve_gammas(gammas, self.depth)
        sigma = ACTIVATIONS[activation]
        h = x.to(self.weights[0].dtype).expand(self.n_networks, *x.shape)
        out = []
        for ell, (w, b) in enumerate(zip(self.weights[:-1], self.biases[:-1])):
            if ell > 0:
                h = float(self.widths[ell - 1]) ** (-gammas[ell - 1]) * sigma(out[-1])
            out.append(torch.baddbmm(b.unsqueeze(1), h, w.transpose(1, 2)))
        return out

    def forward(self, x: torch.Tensor, gammas: GammasLike, activation: str = "sigmoid") -> torch.Tensor:
        """g(x) for every network: ``x`` (B, d) → (S, B, K)."""
        gammas = resolve_gammas(gammas, self.depth)
        z = self.hidden(x, gammas, activation)[-1]
        h = float(self.widths[-1]) ** (-gammas[-1]) * ACTIVATIONS[activation](z)
        return torch.baddbmm(self.biases[-1].unsqueeze(1), h, self.weights[-1].transpose(1, 2))

    __call__ = forward


def seed_list(seeds: Union[int, Iterable[int]], seed: int = 0) -> tuple[int, ...]:
    """``seeds`` as a tuple of generator seeds: an int n means ``seed, seed + 1, ..., seed + n - 1``."""
    if isinstance(seeds, int):
        if seeds < 1:
            raise ValueError(f"n_seeds={seeds!r} is not allowed; it must be a positive integer")
        return tuple(range(int(seed), int(seed) + seeds))
    out = tuple(int(s) for s in seeds)
    if not out:
        raise ValueError("seeds must not be empty")
    return out


def draw_networks(widths: Sequence[int], in_features: int, seeds: Union[int, Iterable[int]],
                  out_features: int = 1, init: Union[str, InitLaw] = "centered", seed: int = 0,
                  dtype: torch.dtype = DTYPE) -> NetworkDraw:
    """Draw S networks of hidden widths ``widths``; network ``s`` uses ``torch.Generator().manual_seed(s)``.

    ``seeds``: the generator seeds, or a count n (then ``seed .. seed + n - 1``).  The draw order is that of
    ``GammaMLP.reset_parameters``: hidden weights layer by layer, the readout, then the biases (zero when the law
    has none), each tensor row-major — so network s equals ``GammaMLP(widths, ..., readout, seed=s)`` for the two
    GammaMLP readouts ("centered", "authors").  Returns a :class:`NetworkDraw` in ``dtype``.
    """
    widths = validate_widths(widths)
    law = resolve_init(init)
    seeds = seed_list(seeds, seed)
    sizes = (int(in_features),) + widths
    S, L = len(seeds), len(widths)
    weights = [torch.empty(S, sizes[i + 1], sizes[i], dtype=torch.float32) for i in range(L)]
    weights.append(torch.empty(S, out_features, widths[-1], dtype=torch.float32))
    biases = [torch.zeros(S, n, dtype=torch.float32) for n in widths] + [torch.zeros(S, out_features)]
    fans = list(sizes)  # fan_in of layer ℓ (and of the readout: N_L)
    bias_layers = {"none": [], "readout": [L], "all": list(range(L + 1))}[law.biases]
    gen = torch.Generator()
    for i, s in enumerate(seeds):
        gen.manual_seed(s)
        for ell in range(L):
            weights[ell][i].normal_(0.0, 1.0, generator=gen)
        if law.readout == "uniform":
            weights[L][i].uniform_(0.0, 1.0, generator=gen)
        else:
            weights[L][i].normal_(0.0, 1.0, generator=gen)
            if law.readout == "skewed":
                weights[L][i] = skewed_from_normal(weights[L][i])
        for ell in bias_layers:
            bound = fans[ell] ** -0.5  # nn.Linear's default bias law U(-1/√fan_in, 1/√fan_in)
            biases[ell][i].uniform_(-bound, bound, generator=gen)
    return NetworkDraw(tuple(w.to(dtype) for w in weights), tuple(b.to(dtype) for b in biases), seeds, law)


def stack_models(models: Sequence[GammaMLP], dtype: torch.dtype = DTYPE) -> NetworkDraw:
    """Stack the parameters of GammaMLPs of one architecture into a :class:`NetworkDraw` (seeds from ``model.seed``)."""
    layers = [list(m.hidden) + [m.readout] for m in models]
    weights = tuple(torch.stack([ls[i].weight.detach() for ls in layers]).to(dtype) for i in range(len(layers[0])))
    biases = tuple(torch.stack([ls[i].bias.detach() for ls in layers]).to(dtype) for i in range(len(layers[0])))
    init = INIT_LAWS[models[0].readout_init]
    return NetworkDraw(weights, biases, tuple(-1 if m.seed is None else int(m.seed) for m in models), init)
