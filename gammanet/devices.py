"""Where tensors live: one function that turns the user's ``device`` argument into a usable ``torch.device``.

Every entry point that takes a ``device`` (``fit``, ``train_grid``, ``Ensemble``, ``load_mnist``, the runner and
the command line) goes through :func:`resolve_device`, so a device that this machine does not have is reported
once, up front, naming the value and what is allowed, instead of as a driver error deep inside the first copy.
"""

from __future__ import annotations

from typing import Union

import torch

from .validation import check_device


def resolve_device(device: Union[str, torch.device, None] = None) -> torch.device:
    """``None`` → CUDA when available, else the CPU; otherwise ``device`` as a ``torch.device``, checked by the one
    rule of :func:`gammanet.validation.check_device`: a ``ValueError`` naming the value when it is not a device name
    ('gpu', 'cuda:x'), when it asks for CUDA (or MPS) on a machine without it, or for a CUDA index this machine does
    not have."""
    return check_device(device)


__all__ = ["resolve_device"]
