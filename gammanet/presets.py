"""Training presets: named bundles of the choices that the theory leaves open.

The theory fixes the γ-scaling and how each layer's learning rate scales with the widths (:mod:`gammanet.scaling`).
It leaves open the activation, how the pixels are scaled, how the readout is initialized, the global constant α
that multiplies every rate, the batch size, the data order and the loss.  A :class:`Preset` fixes all of them::

    p = get_preset("fast")
    model = GammaMLP([100], 1.0, seed=0, **p.model_kwargs())
    history = fit(model, data, epochs=20, seed=0, **p.fit_kwargs())

``"authors"`` is the authors' code, ``"default"`` the library's defaults (the same with a centred readout and a
seeded shuffle), ``"fast"`` (one hidden layer) and ``"fast_deep"`` (two) what the seeded experiments of
``benchmarks/explore_presets.py`` support for chapters that must run on a 2-core CPU; ``docs/presets.md`` has the
tables.  Accuracies quoted in the descriptions are test accuracies on the embedded 4,000 / 1,000-image MNIST subset,
widths 100, mean over init seeds 0, 1, 2.

None of the presets removes the biases, which the theory's networks do not have: the library trains them at their
layer's rate, and at large α or with an inner γ near 1 they dominate the dynamics (docs/presets.md §4).
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import ACTIVATIONS, READOUTS
from .network import INIT_ORDERS
from .train import LOSSES, OUTPUTS
from .validation import check_bool, check_choice, check_positive_float, check_positive_int


@dataclass(frozen=True)
class Preset:
    """One training setting: what :class:`~gammanet.model.GammaMLP` and :func:`~gammanet.train.fit` need besides
    the widths, the γ's, the seeds and the number of epochs.

    ``activation``: ``"sigmoid"`` | ``"tanh"``; ``readout``: ``"centered"`` | ``"authors"``; ``input_scale``: s in
    H¹ = σ(W¹(s·x) + b¹); ``alpha``: the global constant multiplying the theory's per-layer rates; ``batch_size``,
    ``shuffle``, ``loss`` (``"ce"`` | ``"mse"``): as in :func:`~gammanet.train.fit`; ``description``: why these
    values, with the measurements behind them; ``bias``: whether the networks have biases; ``init``: the draw
    order of :class:`~gammanet.model.GammaMLP` (``"weights_first"`` | ``"authors"``); ``output``: what the loss
    sees (``"logits"`` | ``"log_probs"`` | ``"authors"``, see :func:`~gammanet.train.loss_input`).
    """

    name: str
    activation: str
    readout: str
    input_scale: float
    alpha: float
    batch_size: int
    shuffle: bool
    loss: str
    description: str
    bias: bool = True
    init: str = "weights_first"
    output: str = "logits"

    def __post_init__(self):
        checks = (
            ("activation", lambda v: check_choice("activation", v, ACTIVATIONS)),
            ("readout", lambda v: check_choice("readout", v, READOUTS)),
            ("loss", lambda v: check_choice("loss", v, LOSSES)),
            ("init", lambda v: check_choice("init", v, INIT_ORDERS)),
            ("output", lambda v: check_choice("output", v, OUTPUTS)),
            ("input_scale", lambda v: check_positive_float("input_scale", v)),
            ("alpha", lambda v: check_positive_float("alpha", v)),
            ("bias", lambda v: check_bool("bias", v)),
            ("shuffle", lambda v: check_bool("shuffle", v)),
            ("batch_size", lambda v: check_positive_int("batch_size", v)),
        )
        for field, check in checks:
            try:
                object.__setattr__(self, field, check(getattr(self, field)))
            except ValueError as err:
                raise ValueError(f"preset {self.name!r}: {err}") from None

    def model_kwargs(self) -> dict:
        """Keyword arguments for :class:`~gammanet.model.GammaMLP`: ``activation``, ``readout``, ``input_scale``,
        ``bias``, ``init``."""
        return dict(
            activation=self.activation,
            readout=self.readout,
            input_scale=float(self.input_scale),
            bias=self.bias,
            init=self.init,
        )

    def fit_kwargs(self) -> dict:
        """Keyword arguments for :func:`~gammanet.train.fit`: ``batch_size``, ``loss``, ``alpha``, ``shuffle``,
        ``output``."""
        return dict(
            batch_size=self.batch_size,
            loss=self.loss,
            alpha=float(self.alpha),
            shuffle=self.shuffle,
            output=self.output,
        )

    def settings(self) -> dict:
        """Every setting: :meth:`model_kwargs` and :meth:`fit_kwargs` together (what
        :func:`~gammanet.ensemble.train_grid` takes as ``preset`` and accepts as keyword overrides)."""
        return dict(self.model_kwargs(), **self.fit_kwargs())


PRESETS: dict[str, Preset] = {
    "authors": Preset(
        name="authors",
        activation="sigmoid",
        readout="authors",
        input_scale=1.0,
        alpha=1.0,
        batch_size=20,
        shuffle=False,
        loss="ce",
        init="authors",
        output="authors",
        description=(
            "The authors' code exactly (sigmoid, N(0,1) weights on standardized pixels so ~88% of first-layer units "
            "saturate, U(0,1) readout, PyTorch biases, α = 1, batch 20, no shuffling, cross-entropy; their draw "
            "order, so seed s gives their networks after torch.manual_seed(s), and with loss 'mse' their deep "
            "networks' MSE on log-probabilities), for reproducing the papers on a GPU.  Slow (measured with the same "
            "law drawn weights-first): the shallow 784-100-10 net reaches only 36-63% after 4,000 steps (α = 10: "
            "76% → 89% rising with γ), and the two-layer γ = (1, 1) net sits at chance for 160-175 epochs of 4,000 "
            "images (docs/presets.md §3, §5)."
        ),
    ),
    "default": Preset(
        name="default",
        activation="sigmoid",
        readout="centered",
        input_scale=1.0,
        alpha=1.0,
        batch_size=20,
        shuffle=True,
        loss="ce",
        description=(
            "The library's defaults of GammaMLP and fit: the authors' model and rates with a centred N(0,1) readout "
            "and zero biases (so Var g_0 ∝ N^{1-2γ} holds exactly) and a seeded shuffle; sigmoid, s = 1, α = 1, "
            "batch 20, cross-entropy as the authors.  Faithful but slow: shallow 784-100-10 after 4,000 steps gives "
            "22% (γ = 1/2) to 57% (γ = 0.9); for long GPU runs (docs/presets.md §1)."
        ),
    ),
    "fast": Preset(
        name="fast",
        activation="tanh",
        readout="centered",
        input_scale=1 / 28,
        alpha=10.0,
        batch_size=20,
        shuffle=True,
        loss="ce",
        description=(
            "CPU chapters, one hidden layer: tanh on pixels scaled by 1/√784 (pre-activations O(1), ~1% saturated), "
            "centred readout, α = 10.  784-100-10 after 4,000 steps: 83.0, 85.2, 86.7, 88.8, 90.4, 91.3% for "
            "γ = 0.5 … 1 (strictly rising in every seed); every γ trains for α in [1, 30] and γ = 1 fails from "
            "α = 100, so α = 10 is mid-window (docs/presets.md §1)."
        ),
    ),
    "fast_deep": Preset(
        name="fast_deep",
        activation="tanh",
        readout="centered",
        input_scale=1 / 28,
        alpha=3.0,
        batch_size=20,
        shuffle=True,
        loss="ce",
        description=(
            "CPU chapters, two hidden layers: as 'fast' but α = 3, because from α = 10 the trained biases collapse "
            "the γ = (1, 1) net to a constant classifier.  (100, 100) after 8,000 steps: all 9 γ-configurations "
            "learn (68-88%), the outer γ matters most, and (1, 1) leaves its plateau after ~1,700 steps.  At depth 3 "
            "no α in [1, 5] trains all 27 within 8,000 steps (docs/presets.md §2, §3)."
        ),
    ),
}


def get_preset(name: str) -> Preset:
    """The preset called ``name`` (one of :data:`PRESETS`); a ``ValueError`` naming the allowed ones otherwise."""
    if not isinstance(name, str) or name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; allowed presets: {', '.join(sorted(PRESETS))}")
    return PRESETS[name]
