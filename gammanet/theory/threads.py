"""How many CPU threads the theory's computations use.

These computations are long loops of operations on smallish tensors.  There, PyTorch's intra-op parallelism costs
more than it brings, and when other processes share the cores it can cost a great deal (measured on a shared
2-core machine: a gradient step of the vectorized trainer took 65 ms with 2 threads and 2–5 ms with 1).  So the
public functions run with :data:`THREADS` intra-op threads and restore the caller's setting afterwards.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from typing import Optional

import torch

#: Intra-op threads for the theory's computations; None leaves PyTorch's own setting alone.
THREADS: Optional[int] = 1


@contextmanager
def torch_threads(n: Optional[int]):
    """Run the block with ``n`` intra-op threads (None: unchanged), then restore the previous number."""
    if n is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(int(n))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def with_threads(fn):
    """Decorator: call ``fn`` inside ``torch_threads(THREADS)`` (read at call time, so it can be changed)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with torch_threads(THREADS):
            return fn(*args, **kwargs)

    return wrapper
