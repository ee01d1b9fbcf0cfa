"""gammanet: γ-scaled neural networks, the theory's learning rates, and the experiments of Yu & Spiliopoulos.

Public names::

    GammaMLP, param_groups      the scaled network of any depth and its optimiser groups   (gammanet.model)
                                (one draw and one forward pass for one or M networks:      gammanet.network)
    learning_rates              the theory's per-layer rates                              (gammanet.scaling)
    GAMMA_PRESETS               named γ's: xavier / ntk = 1/2, mean_field = 1             (gammanet.scaling)
    load_mnist                  MNIST as tensors on the device                            (gammanet.data)
    fit                         SGD with a tidy per-epoch history                         (gammanet.train)
    Ensemble, train_grid        whole γ-grids × seeds trained as one batched model        (gammanet.ensemble)
    Preset, get_preset          named training presets: authors, default, fast, fast_deep (gammanet.presets)

The theory's predictions live in ``gammanet.theory`` (import it explicitly: ``import gammanet.theory as T``).
"""

from .data import MNISTData, load_mnist
from .model import GammaMLP, param_groups
from .scaling import GAMMA_PRESETS, layer_names, learning_rates, resolve_gammas
from .train import fit
from .ensemble import Ensemble, train_grid
from .presets import Preset, get_preset

__version__ = "0.1.0"

__all__ = [
    "GAMMA_PRESETS",
    "Ensemble",
    "GammaMLP",
    "MNISTData",
    "Preset",
    "__version__",
    "fit",
    "get_preset",
    "layer_names",
    "learning_rates",
    "load_mnist",
    "param_groups",
    "resolve_gammas",
    "train_grid",
]
