"""Where tensors live: one function that turns the user's ``device`` argument into a usable ``torch.device``.

Every entry point that takes a ``device`` (``fit``, ``train_grid``, ``Ensemble``, ``load_mnist``, the runner and
the command line) goes through :func:`resolve_device`, so a device that this machine does not have is reported
once, up front, naming the value and what is allowed, instead of as a driver error deep inside the first copy.
"""
from __future__ import annotations

from typing import Union

import torch

ALLOWED = "'cpu', 'cuda', 'cuda:K' (K a CUDA device index), 'mps', or None (CUDA when available, else the CPU)"


def resolve_device(device: Union[str, torch.device, None] = None) -> torch.device:
    """``None`` → CUDA when available, else the CPU; otherwise ``device`` as a ``torch.device``, checked.

    Raises ``ValueError`` naming the value when it is not a device name ('gpu', 'cuda:x'), when it asks for
    CUDA (or MPS) on a machine without it, or for a CUDA index this machine does not have.
    """
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if isinstance(device, bool) or not isinstance(device, (str, torch.device)):
        raise ValueError(f"device={device!r} is not allowed; use {ALLOWED}")
    try:
        dev = torch.device(device)
    except (RuntimeError, ValueError) as err:
        raise ValueError(f"device={device!r} is not allowed; use {ALLOWED}") from err
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"device={device!r} is not available: this machine has no usable CUDA device "
                             f"(torch {torch.__version__}, built for CUDA {torch.version.cuda}); use 'cpu' or None")
        count = torch.cuda.device_count()
        if dev.index is not None and dev.index >= count:
            raise ValueError(f"device={device!r} is not available: this machine has {count} CUDA device(s), "
                             f"cuda:0..cuda:{count - 1}")
    elif dev.type == "mps":
        if not torch.backends.mps.is_available():
            raise ValueError(f"device={device!r} is not available: this machine has no MPS (Apple GPU) backend; "
                             "use 'cpu' or None")
    elif dev.type != "cpu":
        raise ValueError(f"device={device!r} is not allowed; use {ALLOWED}")
    return dev


__all__ = ["resolve_device"]
