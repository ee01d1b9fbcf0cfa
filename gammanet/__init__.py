"""gammanet: γ-scaled neural networks, the theory's learning rates, and the experiments of Yu & Spiliopoulos.

Public names::

    GammaMLP, param_groups      the scaled network of any depth and its optimiser groups   (gammanet.model)
    learning_rates              the theory's per-layer rates                              (gammanet.scaling)
    load_mnist                  MNIST as tensors on the device                            (gammanet.data)
    fit                         SGD with a tidy per-epoch history                         (gammanet.train)
"""
from .data import MNISTData, load_mnist
from .model import GammaMLP, param_groups
from .scaling import PRESETS, layer_names, learning_rates, resolve_gammas
from .train import fit

__version__ = "0.1.0"

__all__ = ["GammaMLP", "MNISTData", "PRESETS", "fit", "layer_names", "learning_rates", "load_mnist",
           "param_groups", "resolve_gammas", "__version__"]
