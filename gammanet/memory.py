"""How much memory a γ-network or an ensemble of them needs, checked against what the device has, before allocating.

A mistyped width (``--widths 1000000000``: 784·10⁹ weights, 3 TB) should be refused at once with a clear message,
not end in an allocator error (or a machine that swaps for an hour).  The estimates count float32 (4-byte) values:

- parameters P = Σ_ℓ N_ℓ (N_{ℓ-1} + 1) + K (N_L + 1) per member (N_0 = d inputs, K outputs), twice for M members
  (2 M P: the parameters and their gradients in ``fit``; the members' own copies and the stacked ones while an
  :class:`~gammanet.ensemble.Ensemble` is built);
- training activations: 4 buffers of M·B·ΣN_ℓ for a batch of B (the layer outputs, their scaled copies, the
  backward signals and the updates);
- evaluation: a chunk of C examples, M·C·(2 max N_ℓ + K).

What is available: ``torch.cuda.mem_get_info`` (free memory) on a GPU; on the CPU ``psutil.virtual_memory().available``,
else ``MemAvailable`` of ``/proc/meminfo``; where neither can be read, nothing is refused.  The estimates count only
the largest allocations, so they stay below what torch really uses: a refusal is never a false alarm.  Small needs
(under :data:`ALWAYS_OK` bytes) are not checked at all.
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

import torch

FLOAT_BYTES = 4
#: Needs below this many bytes are never checked (reading the free memory costs more than it could save).
ALWAYS_OK = 1 << 28


class MemoryRefused(ValueError):
    """The estimated memory of a model or an ensemble exceeds what the device has available."""


def parameter_count(widths: Sequence[int], in_features: int = 784, out_features: int = 10) -> int:
    """P = Σ_ℓ N_ℓ (N_{ℓ-1} + 1) + K (N_L + 1): weights and biases of one member."""
    sizes = (int(in_features),) + tuple(int(n) for n in widths)
    return sum(sizes[i + 1] * (sizes[i] + 1) for i in range(len(widths))) + int(out_features) * (sizes[-1] + 1)


def parameter_bytes(widths: Sequence[int], in_features: int = 784, out_features: int = 10, members: int = 1) -> int:
    return FLOAT_BYTES * members * parameter_count(widths, in_features, out_features)


def training_bytes(
    widths: Sequence[int],
    in_features: int = 784,
    out_features: int = 10,
    members: int = 1,
    batch_size: int = 20,
    eval_chunk: int = 10_000,
) -> dict:
    """The estimate for training ``members`` networks together (see the module docstring), in bytes by part:
    ``parameters``, ``activations`` (a training batch), ``evaluation`` (one chunk of ``eval_chunk`` examples) and
    ``total``."""
    widths = tuple(int(n) for n in widths)
    parts = dict(
        parameters=2 * parameter_bytes(widths, in_features, out_features, members),
        activations=FLOAT_BYTES * 4 * members * batch_size * sum(widths),
        evaluation=FLOAT_BYTES * members * eval_chunk * (2 * max(widths) + out_features),
    )
    parts["total"] = sum(parts.values())
    return parts


def available_bytes(device: Union[str, torch.device]) -> Optional[int]:
    """Free memory of ``device`` in bytes, or None where it cannot be read."""
    device = torch.device(device)
    if device.type == "cuda":
        try:
            return int(torch.cuda.mem_get_info(device)[0])
        except (RuntimeError, AssertionError):
            return None
    if device.type != "cpu":
        return None
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except Exception:  # psutil missing or unable to read: fall back to the kernel's own figure
        pass
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if abs(n) < 1000 or unit == "PB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n} B"


def check_memory(need: Union[int, dict], device: Union[str, torch.device], what: str) -> None:
    """Raise :class:`MemoryRefused` when ``need`` bytes (or a :func:`training_bytes` dict) exceed the memory
    available on ``device``; ``what`` says what needs it (e.g. "training 18 members of widths (3000,)")."""
    parts = need if isinstance(need, dict) else None
    total = int(need["total"]) if isinstance(need, dict) else int(need)
    if total < ALWAYS_OK:
        return
    free = available_bytes(device)
    if free is None or total <= free:
        return
    detail = ""
    if parts:
        detail = " (" + ", ".join(f"{k} {human(v)}" for k, v in parts.items() if k != "total") + ")"
    raise MemoryRefused(
        f"{what} would need about {human(total)}{detail}, but only {human(free)} is available on "
        f"{torch.device(device)}; use smaller widths or fewer members at once"
    )


__all__ = ["MemoryRefused", "available_bytes", "check_memory", "parameter_bytes", "parameter_count", "training_bytes"]
