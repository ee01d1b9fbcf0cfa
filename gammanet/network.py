r"""The γ-network as tensors: its initial law, the one draw of its parameters, the container of M networks, and
the one forward pass.

A γ-network of hidden widths N_1..N_L on inputs x ∈ R^d, with exponents γ_1..γ_L, activation σ and input scale s::

    Z^1 = W^1 (s·x) + b^1,   Z^{ℓ+1} = W^{ℓ+1} (N_ℓ^{-γ_ℓ} σ(Z^ℓ)) + b^{ℓ+1},   g(x) = C (N_L^{-γ_L} σ(Z^L)) + b^C

with W^ℓ of shape (N_ℓ, N_{ℓ-1}) (N_0 = d) and C of shape (K, N_L).  The same functions serve one network
(weights as 2-D tensors, as in :class:`gammanet.GammaMLP`) and M networks stacked along a leading dimension
(W^ℓ: (M, N_ℓ, N_{ℓ-1}), as in :class:`gammanet.Ensemble` and :mod:`gammanet.theory`):

- :class:`ReadoutLaw` and :data:`READOUT_LAWS` — the laws of C at initialization, with E[C], E[C²], E[C³];
- :class:`InitLaw` — a readout law and which biases are drawn; :data:`INIT_LAWS` names the laws used in the book;
- :func:`draw_parameters` — the one draw of one network's parameters, in one of two orders (:data:`INIT_ORDERS`);
- :class:`NetworkDraw` and :func:`draw_networks` — M networks, one generator seed each;
- :func:`preactivations`, :func:`features`, :func:`forward` — the one forward pass, batched or not.

Hidden weights are always N(0, 1): the initialization is width-free and γ-free, so one seed gives the same weights
whatever the γ's (common random numbers); the width factors live in the forward pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional, Sequence, Union

import torch
import torch.nn.functional as F

from .scaling import GammasLike, resolve_gammas, validate_widths

ACTIVATIONS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh}
#: From this many shared input rows on, the first layer of M stacked networks runs as ONE (B, d) @ (d, M·N_1) GEMM
#: (faster than M GEMMs of B rows; measured in :mod:`gammanet.ensemble`'s docstring).
GEMM_MIN_ROWS = 256


# ------------------------------------------------------------------------------------------------- the laws
@dataclass(frozen=True)
class ReadoutLaw:
    """A law of the readout weights C at initialization: its moments and how to draw it.

    ``mean``, ``second_moment``, ``third_moment``: E[C], E[C²], E[C³] (the variance law of the output at
    initialization needs the first two); ``symmetric``: C and -C have the same law (then mirrored networks,
    C → -C, are draws of the same law); ``sample(tensor, generator)`` fills ``tensor`` in place.
    """

    name: str
    mean: float
    second_moment: float
    third_moment: float
    symmetric: bool
    description: str
    sample: Callable[[torch.Tensor, Optional[torch.Generator]], torch.Tensor] = field(compare=False, repr=False)


def skewed_from_normal(z: torch.Tensor) -> torch.Tensor:
    """The skewed readout C = E - 1, E ~ Exp(1), from standard normal numbers z by the quantile transform
    C = F^{-1}(Φ(z)) = -log Φ(-z) - 1: monotone in z, so a skewed network is coupled to the centred one of its seed.
    Moments: E[C] = 0, E[C²] = 1, E[C³] = 2."""
    return -torch.special.log_ndtr(-z) - 1.0


#: The readout laws, by the name ``GammaMLP(readout=...)`` takes.  A new law is one more entry.
READOUT_LAWS: dict[str, ReadoutLaw] = {
    "centered": ReadoutLaw(
        "centered", 0.0, 1.0, 0.0, True, "C ~ N(0, 1)", lambda t, gen: t.normal_(0.0, 1.0, generator=gen)
    ),
    "authors": ReadoutLaw(
        "authors",
        0.5,
        1.0 / 3.0,
        0.25,
        False,
        "C ~ U(0, 1), the authors' code",
        lambda t, gen: t.uniform_(0.0, 1.0, generator=gen),
    ),
    # Centred with E[C²] = 1 like "centered", but E[C³] = 2: the first correction Q¹ of chapter 4 needs it.
    "skewed": ReadoutLaw(
        "skewed",
        0.0,
        1.0,
        2.0,
        False,
        "C = E - 1, E ~ Exp(1) (drawn from N(0, 1) numbers)",
        lambda t, gen: t.copy_(skewed_from_normal(t.normal_(0.0, 1.0, generator=gen))),
    ),
}

#: Which biases start non-zero: none, only the readout's b^C, or every layer's (the authors' code).  A drawn bias
#: follows PyTorch's default law for ``nn.Linear``, U(-1/√fan_in, 1/√fan_in).
BIAS_LAWS = ("none", "readout", "all")
#: The two draw orders of :func:`draw_parameters`.
INIT_ORDERS = ("weights_first", "authors")


@dataclass(frozen=True)
class InitLaw:
    """The law of a γ-network at initialization: hidden weights N(0, 1), the readout law ``readout`` (a name in
    :data:`READOUT_LAWS`), and the biases ``biases`` (one of :data:`BIAS_LAWS`; biases not drawn start at zero).

    ``GammaMLP(readout=r, bias=b)`` has the law :meth:`of_model` (r, b): the authors' readout comes with the authors'
    (PyTorch's default) biases, every other readout with zero biases.
    """

    readout: str = "centered"
    biases: str = "none"

    def __post_init__(self):
        if self.readout not in READOUT_LAWS:
            raise ValueError(f"readout={self.readout!r} is not allowed; choose one of {tuple(READOUT_LAWS)}")
        if self.biases not in BIAS_LAWS:
            raise ValueError(f"biases={self.biases!r} is not allowed; choose one of {BIAS_LAWS}")

    @classmethod
    def of_model(cls, readout: str, bias: bool = True) -> "InitLaw":
        """The law of ``GammaMLP(readout=readout, bias=bias)``."""
        return cls(readout, "all" if bias and readout == "authors" else "none")

    @property
    def readout_law(self) -> ReadoutLaw:
        return READOUT_LAWS[self.readout]

    @property
    def readout_mean(self) -> float:
        """E[C]."""
        return self.readout_law.mean

    @property
    def readout_second_moment(self) -> float:
        """E[C²]."""
        return self.readout_law.second_moment

    @property
    def readout_third_moment(self) -> float:
        """E[C³]."""
        return self.readout_law.third_moment

    def has_bias(self, layer: int, depth: int) -> bool:
        """Whether layer ``layer`` (1..L, L+1 = the readout) of a depth-L network has a drawn bias."""
        return self.biases == "all" or (self.biases == "readout" and layer == depth + 1)

    @property
    def name(self) -> str:
        for key, law in INIT_LAWS.items():
            if law == self:
                return key
        return f"{self.readout}/{self.biases}"


#: Named initial laws: GammaMLP's two readouts ("centered", "authors" = U(0, 1) readout with PyTorch's biases) and
#: the two single changes between them that the theory compares.
INIT_LAWS: dict[str, InitLaw] = {
    "centered": InitLaw("centered", "none"),  # GammaMLP(readout="centered"): the exact variance law holds
    "readout_bias": InitLaw("centered", "readout"),  # + PyTorch's default readout bias only
    "uniform": InitLaw("authors", "none"),  # the authors' U(0, 1) readout only
    "authors": InitLaw("authors", "all"),  # GammaMLP(readout="authors"): the authors' code
    "skewed": InitLaw("skewed", "none"),  # centred but skewed readout, E[C³] = 2 (chapter 4's Q¹)
}


def resolve_init(init: Union[str, InitLaw]) -> InitLaw:
    """A name in :data:`INIT_LAWS` or an :class:`InitLaw` → the :class:`InitLaw`."""
    if isinstance(init, InitLaw):
        return init
    if init not in INIT_LAWS:
        raise ValueError(f"init={init!r} is not allowed; choose one of {tuple(INIT_LAWS)} or an InitLaw")
    return INIT_LAWS[init]


# ------------------------------------------------------------------------------------------------- the draw
def draw_parameters(
    weights: Sequence[torch.Tensor],
    biases: Sequence[Optional[torch.Tensor]],
    law: InitLaw,
    generator: Optional[torch.Generator] = None,
    order: str = "weights_first",
) -> None:
    """Draw one γ-network's parameters in place from ``generator`` (None: torch's global generator).

    ``weights``: W^1..W^L, C (2-D, float32 for bit-identical draws); ``biases``: b^1..b^L, b^C, each a tensor or
    None (a network without that bias).  Hidden weights are N(0, 1), C follows ``law.readout``, a bias that the law
    draws is U(-1/√fan_in, 1/√fan_in) and any other bias is zero.  ``order`` (one of :data:`INIT_ORDERS`):

    - ``"weights_first"``: every weight in layer order, then the drawn biases in layer order, so a seed gives the
      same weights with and without biases;
    - ``"authors"``: layer by layer as the authors' classes build their networks: ``nn.Linear``'s own default
      draw (its weight U(-1/√fan_in, 1/√fan_in) by ``kaiming_uniform_(a=√5)``, then its bias with the same bound),
      then the weight overwritten by N(0, 1) (hidden) or the readout law (C), before the next layer.  After
      ``torch.manual_seed(s)`` the parameters are bit-identical to those of the authors' MLP, MLP2, MLP3.
    """
    if order not in INIT_ORDERS:
        raise ValueError(f"init={order!r} is not allowed; choose one of {INIT_ORDERS}")
    depth = len(weights) - 1
    for ell, b in enumerate(biases, start=1):
        if b is None and law.has_bias(ell, depth):
            raise ValueError(f"the law {law.name!r} draws the bias of layer {ell}, which this network does not have")

    def weight_law(ell: int, w: torch.Tensor) -> None:
        if ell <= depth:
            w.normal_(0.0, 1.0, generator=generator)
        else:
            law.readout_law.sample(w, generator)

    with torch.no_grad():
        if order == "weights_first":
            for ell, w in enumerate(weights, start=1):
                weight_law(ell, w)
            for ell, (w, b) in enumerate(zip(weights, biases), start=1):
                if b is not None and law.has_bias(ell, depth):
                    bound = w.shape[1] ** -0.5
                    b.uniform_(-bound, bound, generator=generator)
                elif b is not None:
                    b.zero_()
        else:
            for ell, (w, b) in enumerate(zip(weights, biases), start=1):
                bound = w.shape[1] ** -0.5  # nn.Linear.reset_parameters: both draws use 1/√fan_in
                w.uniform_(-bound, bound, generator=generator)
                if b is not None:
                    b.uniform_(-bound, bound, generator=generator)
                weight_law(ell, w)
                if b is not None and not law.has_bias(ell, depth):
                    b.zero_()


# ------------------------------------------------------------------------------------------ M networks at once
@dataclass(frozen=True)
class NetworkDraw:
    """M γ-networks of one architecture, every tensor with a leading network dimension::

        weights[ℓ-1]: W^ℓ, shape (M, N_ℓ, N_{ℓ-1})   (N_0 = d), ℓ = 1..L;     weights[L]: C, shape (M, K, N_L)
        biases[ℓ-1]:  b^ℓ, shape (M, N_ℓ);                                      biases[L]:  b^C, shape (M, K)

    (zeros where the networks have no bias).  ``seeds``: the generator seed of each network (-1: unknown);
    ``init``: their initial law.  The γ's are not part of the parameters: :meth:`forward` takes them.
    Nested across widths: :meth:`truncate` gives the sub-networks of the first N_ℓ units of every layer.
    """

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

    def to(self, *args, **kwargs) -> "NetworkDraw":
        """The same networks with every tensor moved or cast (``Tensor.to`` arguments)."""
        return NetworkDraw(
            tuple(w.to(*args, **kwargs) for w in self.weights),
            tuple(b.to(*args, **kwargs) for b in self.biases),
            self.seeds,
            self.init,
        )

    def truncate(self, widths: Sequence[int]) -> "NetworkDraw":
        """The nested sub-networks made of the first N_ℓ units of every hidden layer (views, no copy)."""
        widths = validate_widths(widths)
        if len(widths) != self.depth or any(n > m for n, m in zip(widths, self.widths)):
            raise ValueError(f"widths {widths} must have {self.depth} entries, each <= the drawn widths {self.widths}")
        sizes = (self.in_features,) + widths
        old_sizes = (self.in_features,) + self.widths
        weights = tuple(w[:, : sizes[i + 1], : sizes[i]] for i, w in enumerate(self.weights[:-1]))
        weights += (self.weights[-1][:, :, : widths[-1]],)
        biases = tuple(b[:, :n] for b, n in zip(self.biases[:-1], widths)) + (self.biases[-1],)
        # PyTorch's default bias law U(±1/√fan_in) depends on the width below: rescaling the wide network's draw
        # gives exactly that law at the narrower width (and keeps the coupling across widths).
        biases = tuple(
            b * (old_sizes[i] / sizes[i]) ** 0.5 if old_sizes[i] != sizes[i] else b for i, b in enumerate(biases)
        )
        return NetworkDraw(weights, biases, self.seeds, self.init)

    def select(self, index) -> "NetworkDraw":
        """A subset of the networks (``index``: a slice, a list or a 1-D index tensor over the network dimension)."""
        if isinstance(index, (list, tuple)):
            index = torch.as_tensor(index, dtype=torch.long)
        seeds = torch.as_tensor(self.seeds)[index]
        return NetworkDraw(
            tuple(w[index] for w in self.weights),
            tuple(b[index] for b in self.biases),
            tuple(int(s) for s in seeds.reshape(-1)),
            self.init,
        )

    def mirrored(self) -> "NetworkDraw":
        """The antithetic networks: readout C → -C and b^C → -b^C, so g_0 → -g_0, with the same law when the
        readout law is symmetric.  Pairing each network with its mirror cancels the leading fluctuation
        N^{1/2-γ} K_t from seed-means (it is odd in the initial readout), leaving the deterministic corrections
        visible."""
        if not self.init.readout_law.symmetric:
            raise ValueError(
                f"mirrored networks have the initial law only for a symmetric readout law; {self.init.readout!r} is not"
            )
        return NetworkDraw(
            self.weights[:-1] + (-self.weights[-1],), self.biases[:-1] + (-self.biases[-1],), self.seeds, self.init
        )

    @staticmethod
    def concat(draws: Sequence["NetworkDraw"]) -> "NetworkDraw":
        """Networks of one architecture stacked along the network dimension."""
        return NetworkDraw(
            tuple(torch.cat(ws) for ws in zip(*(d.weights for d in draws))),
            tuple(torch.cat(bs) for bs in zip(*(d.biases for d in draws))),
            sum((d.seeds for d in draws), ()),
            draws[0].init,
        )

    def scales(self, gammas: GammasLike) -> tuple[float, ...]:
        """N_ℓ^{-γ_ℓ} for every hidden layer."""
        return width_scales(self.widths, resolve_gammas(gammas, self.depth))

    def hidden(self, x: torch.Tensor, gammas: GammasLike, activation: str = "sigmoid") -> list[torch.Tensor]:
        """The pre-activations Z^ℓ(x) of every hidden layer (:func:`preactivations`): ``x`` (B, d) → list of L
        tensors of shape (M, B, N_ℓ)."""
        return preactivations(x, self.weights, self.biases, self.scales(gammas), activation)

    def forward(self, x: torch.Tensor, gammas: GammasLike, activation: str = "sigmoid") -> torch.Tensor:
        """g(x) for every network (:func:`forward`): ``x`` (B, d) → (M, B, K)."""
        return forward(x, self.weights, self.biases, self.scales(gammas), activation)

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


def draw_networks(
    widths: Sequence[int],
    in_features: int,
    seeds: Union[int, Iterable[int]],
    out_features: int = 1,
    init: Union[str, InitLaw] = "centered",
    seed: int = 0,
    dtype: torch.dtype = torch.float64,
    order: str = "weights_first",
    bias: bool = True,
) -> NetworkDraw:
    """Draw M networks of hidden widths ``widths``; network s is :func:`draw_parameters` with
    ``torch.Generator().manual_seed(s)``, so it *is* ``GammaMLP(widths, ..., seed=s)`` of the same law, order and
    ``bias``.

    ``seeds``: the generator seeds, or a count n (then ``seed .. seed + n - 1``).  ``init``: a name in
    :data:`INIT_LAWS` or an :class:`InitLaw`.  ``bias=False``: networks without biases (their biases are zeros
    here; it matters for the ``"authors"`` order, where ``nn.Linear`` draws a bias only if the layer has one).
    Values are drawn in float32, then cast to ``dtype``.
    """
    widths = validate_widths(widths)
    law = resolve_init(init)
    seeds = seed_list(seeds, seed)
    sizes = (int(in_features),) + widths + (int(out_features),)
    M = len(seeds)
    weights = [torch.empty(M, sizes[i + 1], sizes[i]) for i in range(len(widths) + 1)]
    biases = [torch.zeros(M, n) for n in sizes[1:]]
    gen = torch.Generator()
    for i, s in enumerate(seeds):
        gen.manual_seed(s)
        draw_parameters([w[i] for w in weights], [b[i] if bias else None for b in biases], law, gen, order)
    return NetworkDraw(tuple(w.to(dtype) for w in weights), tuple(b.to(dtype) for b in biases), seeds, law)


# ------------------------------------------------------------------------------------------ the forward pass
def width_scales(widths: Sequence[int], gammas: Sequence[float]) -> tuple[float, ...]:
    """The factors N_ℓ^{-γ_ℓ}, as floats."""
    return tuple(float(n) ** (-float(g)) for n, g in zip(widths, gammas))


def affine(h: torch.Tensor, w: torch.Tensor, b: Optional[torch.Tensor]) -> torch.Tensor:
    """h Wᵀ + b for one network (w: (N_out, N_in), h: (B, N_in) → (B, N_out)) or M stacked ones
    (w: (M, N_out, N_in), b: (M, N_out), h: (B, N_in) shared or (M, B, N_in) → (M, B, N_out))."""
    if w.dim() == 2:
        return F.linear(h, w, b)
    M, n_out = w.shape[:2]
    if h.dim() == 2 and h.shape[0] >= GEMM_MIN_ROWS:
        # Many shared rows: ONE GEMM (B, N_in) @ (N_in, M·N_out) is the fastest form.
        w_all = w.reshape(M * n_out, -1).t()
        z = h @ w_all if b is None else torch.addmm(b.reshape(-1), h, w_all)
        return z.view(h.shape[0], M, n_out).transpose(0, 1)
    h = h.expand(M, -1, -1) if h.dim() == 2 else h
    return torch.bmm(h, w.transpose(1, 2)) if b is None else torch.baddbmm(b.unsqueeze(1), h, w.transpose(1, 2))


def preactivations(
    x: torch.Tensor,
    weights: Sequence[torch.Tensor],
    biases: Sequence[Optional[torch.Tensor]],
    scales: Sequence,
    activation: str = "sigmoid",
    input_scale: float = 1.0,
) -> list[torch.Tensor]:
    """Z^1..Z^L of the module docstring.  ``x``: (B, d) (or (B, 1, 28, 28)), or (M, B, d) for stacked networks
    with one batch each; ``scales``: N_ℓ^{-γ_ℓ} per hidden layer, floats or tensors broadcasting over the output
    (e.g. (M, 1, 1): one γ per network).  Returns L tensors (B, N_ℓ), or (M, B, N_ℓ) for stacked weights."""
    sigma = ACTIVATIONS[activation]
    stacked_batches = weights[0].dim() == 3 and x.dim() == 3 and x.shape[0] == weights[0].shape[0]
    h = x if stacked_batches else x.reshape(x.shape[0], -1)
    h = h.to(weights[0].dtype)
    if input_scale != 1.0:
        h = input_scale * h
    out: list[torch.Tensor] = []
    for ell in range(len(weights) - 1):
        if ell > 0:
            h = scales[ell - 1] * sigma(out[-1])
        out.append(affine(h, weights[ell], biases[ell]))
    return out


def features(
    x: torch.Tensor,
    weights: Sequence[torch.Tensor],
    biases: Sequence[Optional[torch.Tensor]],
    scales: Sequence,
    activation: str = "sigmoid",
    input_scale: float = 1.0,
) -> torch.Tensor:
    """The scaled last hidden layer N_L^{-γ_L} σ(Z^L): (B, N_L), or (M, B, N_L) for stacked weights."""
    z = preactivations(x, weights, biases, scales, activation, input_scale)[-1]
    return scales[len(weights) - 2] * ACTIVATIONS[activation](z)


def forward(
    x: torch.Tensor,
    weights: Sequence[torch.Tensor],
    biases: Sequence[Optional[torch.Tensor]],
    scales: Sequence,
    activation: str = "sigmoid",
    input_scale: float = 1.0,
) -> torch.Tensor:
    """The logits g(x) = C (N_L^{-γ_L} σ(Z^L)) + b^C: (B, K), or (M, B, K) for stacked weights."""
    return affine(features(x, weights, biases, scales, activation, input_scale), weights[-1], biases[-1])
