"""The rules of valid input, in one place: every public function and the command line check their arguments here.

Each ``check_*`` returns the value as a plain Python value (``int``, ``float``, ``bool``, ``str``, tuples) or raises
a ``ValueError`` whose message names the argument, shows the bad value and says what is allowed, e.g.
``"alpha=nan is not allowed; it must be a positive finite number"``.

The rules every check shares:

- numpy and torch scalars of the right kind are accepted everywhere (``np.int64(3)``, ``torch.tensor(0.5)``,
  ``np.bool_(True)``); 0-d arrays and tensors count as scalars;
- a bool is never a number (``True`` is not 1) and a number is never a bool (``1`` is not ``True``);
- an integer must be an integer type: ``1.5`` and ``2.0`` are not integers (the one exception is a width, see
  :func:`check_widths`);
- a float must be finite unless a check says otherwise.
"""

from __future__ import annotations

import math
import os
from numbers import Integral, Real
from pathlib import Path
from typing import Optional, Union

import numpy as np
import torch

#: Seeds lie in [0, SEED_LIMIT): they are recorded in int64 columns (histories, stores) and int64 tensors, so a
#: seed of 2^63 or more could not be written down, and a negative one is not a seed numpy accepts.
SEED_LIMIT = 2**63
GAMMA_MIN, GAMMA_MAX = 0.5, 1.0


# ------------------------------------------------------------------------------------------------- scalars
def scalar(value):
    """``value`` with a numpy scalar, or a 0-d numpy array or torch tensor, replaced by the Python scalar it holds."""
    if isinstance(value, torch.Tensor) and value.dim() == 0:
        return value.item()
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    if isinstance(value, np.generic):
        return value.item()
    return value


def is_bool(value) -> bool:
    return isinstance(scalar(value), bool)


def is_int(value) -> bool:
    """An integer of any integer type (Python, numpy, 0-d torch), never a bool."""
    v = scalar(value)
    return isinstance(v, Integral) and not isinstance(v, bool)


def is_real(value) -> bool:
    """A real number of any numeric type (integers included), never a bool."""
    v = scalar(value)
    return isinstance(v, Real) and not isinstance(v, bool)


def _bad(name: str, value, rule: str) -> ValueError:
    return ValueError(f"{name}={value!r} is not allowed; {rule}")


def check_int(name: str, value, minimum: Optional[int] = None, maximum: Optional[int] = None) -> int:
    """An integer in [minimum, maximum] (either bound may be None)."""
    if (
        not is_int(value)
        or (minimum is not None and scalar(value) < minimum)
        or (maximum is not None and scalar(value) > maximum)
    ):
        if minimum is not None and maximum is not None:
            rule = f"it must be an integer in [{minimum}, {maximum}]"
        elif minimum is not None:
            rule = f"it must be an integer >= {minimum}"
        elif maximum is not None:
            rule = f"it must be an integer <= {maximum}"
        else:
            rule = "it must be an integer"
        raise _bad(name, value, rule)
    return int(scalar(value))


def check_positive_int(name: str, value) -> int:
    return check_int(name, value, minimum=1)


def check_nonnegative_int(name: str, value) -> int:
    return check_int(name, value, minimum=0)


def check_float(
    name: str,
    value,
    minimum: Optional[float] = None,
    maximum: Optional[float] = None,
    open_min: bool = False,
    open_max: bool = False,
    finite: bool = True,
    rule: str = "",
) -> float:
    """A real number (finite unless ``finite=False``) in the interval given by the bounds."""
    ok = is_real(value)
    if ok:
        v = float(scalar(value))
        ok = not math.isnan(v) and (math.isfinite(v) or not finite)
        if ok and minimum is not None:
            ok = v > minimum if open_min else v >= minimum
        if ok and maximum is not None:
            ok = v < maximum if open_max else v <= maximum
    if not ok:
        if not rule:
            lo = "" if minimum is None else f"{'>' if open_min else '>='} {minimum:g}"
            hi = "" if maximum is None else f"{'<' if open_max else '<='} {maximum:g}"
            rule = (
                "it must be a "
                + ("finite " if finite else "")
                + "number"
                + (f" {lo}" if lo else "")
                + (" and" if lo and hi else "")
                + (f" {hi}" if hi else "")
            )
        raise _bad(name, value, rule)
    return v


def check_positive_float(name: str, value) -> float:
    """A positive finite number (0 < value < inf)."""
    return check_float(name, value, minimum=0.0, open_min=True, rule="it must be a positive finite number")


def check_nonnegative_float(name: str, value) -> float:
    return check_float(name, value, minimum=0.0, rule="it must be a finite number >= 0")


def check_probability(name: str, value, open_interval: bool = False) -> float:
    """A number in [0, 1], or in (0, 1) with ``open_interval``."""
    rule = f"it must lie {'strictly between 0 and 1' if open_interval else 'in [0, 1]'}"
    return check_float(name, value, 0.0, 1.0, open_min=open_interval, open_max=open_interval, rule=rule)


def check_bool(name: str, value) -> bool:
    """True or False (Python or numpy bools, 0-d bool tensors); 0 and 1 are numbers, not bools."""
    if not is_bool(value):
        raise _bad(name, value, "it must be True or False")
    return bool(scalar(value))


def check_choice(name: str, value, allowed):
    """``value`` if it is one of ``allowed`` (a sequence or a dict's keys)."""
    try:
        ok = isinstance(value, str) and value in allowed
    except TypeError:
        ok = False
    if not ok:
        raise _bad(name, value, f"choose one of {tuple(allowed)}")
    return value


# --------------------------------------------------------------------------------------------------- seeds
SEED_RULE = "a seed is an integer in [0, 2^63) (seeds are recorded in int64 columns and tensors)"


def check_seed(name: str, value) -> int:
    """A seed: an integer in [0, 2^63) (see :data:`SEED_LIMIT`)."""
    if not is_int(value) or not 0 <= scalar(value) < SEED_LIMIT:
        raise _bad(name, value, SEED_RULE)
    return int(scalar(value))


def check_seeds(name: str, seeds) -> list[int]:
    """One seed or a non-empty sequence of distinct seeds, as a list."""
    if is_int(seeds):
        seeds = [seeds]
    seeds = check_sequence(name, seeds, "a seed or a non-empty list of seeds")
    out = []
    for s in seeds:
        if not is_int(s) or not 0 <= scalar(s) < SEED_LIMIT:
            raise ValueError(f"seed {s!r} in {name} is not allowed; {SEED_RULE}")
        s = int(scalar(s))
        if s in out:
            raise ValueError(f"seed {s} appears twice in {name}={list(seeds)!r}; members would be identical")
        out.append(s)
    return out


# ---------------------------------------------------------------------------------------------- sequences
def check_sequence(name: str, value, what: str, allow_empty: bool = False) -> list:
    """A list of the entries of a sequence (not a string, not a scalar)."""
    if (
        isinstance(value, (str, bytes, dict))
        or not hasattr(value, "__len__")
        or (isinstance(value, (torch.Tensor, np.ndarray)) and value.ndim == 0)
    ):
        raise _bad(name, value, f"give {what}")
    if len(value) == 0 and not allow_empty:
        raise _bad(name, value, f"give {what}")
    return list(value)


def check_widths(widths) -> tuple[int, ...]:
    """Hidden widths (N_1, ..., N_L): a non-empty sequence of positive integers.

    A width may also be a float with an integer value (width columns of a history are floats, NaN-padded for
    shallower blocks); any other float is refused."""
    if isinstance(widths, (str, bytes, dict)) or not hasattr(widths, "__len__"):
        raise ValueError(f"widths must be a sequence of positive integers (N_1, ..., N_L); got {widths!r}")
    if len(widths) == 0:
        raise ValueError("widths must contain at least one hidden layer width; got an empty sequence")
    out = []
    for ell, n in enumerate(widths, start=1):
        v = scalar(n)
        integral = is_int(v) or (is_real(v) and math.isfinite(v) and float(v).is_integer())
        if not integral or v < 1:
            raise ValueError(f"width N_{ell} = {n!r} is not allowed: each width must be a positive integer")
        out.append(int(v))
    return tuple(out)


# --------------------------------------------------------------------------------------------------- gammas
def check_gamma(name: str, gamma) -> float:
    """One exponent γ: a real number in [1/2, 1] (values within 1e-12 of the ends, from arithmetic, are clipped)."""
    if not is_real(gamma) or math.isnan(float(scalar(gamma))):
        raise ValueError(f"{name} = {gamma!r} is not allowed: it must be a number in [0.5, 1]")
    g = float(scalar(gamma))
    if not (GAMMA_MIN - 1e-12 <= g <= GAMMA_MAX + 1e-12):
        raise ValueError(
            f"{name} = {g!r} is not allowed: γ must lie in [0.5, 1] (0.5 = Xavier/NTK scaling, 1 = mean-field scaling)"
        )
    return min(max(g, GAMMA_MIN), GAMMA_MAX)


def check_gamma_grid(name: str, grid, depth: int) -> list[tuple[float, ...]]:
    """A non-empty list of distinct γ-configurations for ``depth`` hidden layers; each entry is what
    :func:`gammanet.scaling.resolve_gammas` accepts (a γ-tuple, one number for every layer, or a preset name)."""
    from .scaling import resolve_gammas  # the γ presets live with the scaling law

    if is_real(grid) or isinstance(grid, (str, bytes)) or not hasattr(grid, "__len__") or len(grid) == 0:
        raise ValueError(
            f"{name}={grid!r} is not allowed; give a non-empty list of γ-tuples (one γ in [0.5, 1] per "
            f"hidden layer, {depth} here), preset names or numbers, e.g. [(0.5, 1.0), 'mean_field', 0.7]"
        )
    out = []
    for entry in grid:
        g = resolve_gammas(entry if isinstance(entry, str) or is_real(entry) else tuple(entry), depth)
        if g in out:
            raise ValueError(f"{name} entry {entry!r} repeats γ = {g}; give each configuration once")
        out.append(g)
    return out


# ------------------------------------------------------------------------------------------ devices, paths
def check_device(device: Union[str, torch.device, None]) -> torch.device:
    """``None`` → CUDA when available, else the CPU; otherwise a device that exists on this machine."""
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not isinstance(device, (str, torch.device)):
        raise _bad("device", device, "give 'cpu', 'cuda', 'cuda:N' or None (CUDA when available)")
    try:
        dev = torch.device(device)
    except (RuntimeError, ValueError):
        raise _bad("device", device, "give 'cpu', 'cuda', 'cuda:N' or None (CUDA when available)") from None
    if dev.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise _bad("device", device, "this machine has no CUDA GPU that torch can use; give 'cpu' (or None)")
        if dev.index is not None and dev.index >= count:
            raise _bad("device", device, f"this machine has {count} CUDA GPU(s): cuda:0..cuda:{count - 1}")
    elif dev.type == "mps":
        if not torch.backends.mps.is_available():
            raise _bad("device", device, "MPS is not available on this machine; give 'cpu' (or None)")
    elif dev.type != "cpu":
        raise _bad("device", device, "give 'cpu', 'cuda', 'cuda:N', 'mps' or None (CUDA when available)")
    return dev


def check_output_dir(name: str, path: Union[str, Path], shown: Optional[Path] = None) -> Path:
    """A folder that exists and is writable, or that can be created: checked before any work, without creating
    anything.  Raises a ``ValueError`` naming the part of the path that is in the way (and ``shown``, the path the
    user gave, when that is not the folder itself)."""
    if not isinstance(path, (str, os.PathLike)) or str(path) == "":
        raise _bad(name, path, "give the path of a folder")
    p = Path(path).expanduser()
    given = p if shown is None else shown
    probe = p
    while not probe.exists():
        if probe.is_symlink():
            raise ValueError(f"{name} {str(given)!r} is not allowed: {str(probe)!r} is a broken link")
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        where = "it" if probe == given else repr(str(probe))
        raise ValueError(f"{name} {str(given)!r} is not allowed: {where} is a file, not a folder; choose another path")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise ValueError(f"{name} {str(given)!r} is not allowed: the folder {str(probe)!r} is not writable")
    return p


def check_output_file(name: str, path: Union[str, Path]) -> Path:
    """A file that can be written (its folder exists and is writable, or can be created), checked as
    :func:`check_output_dir` does; a folder is refused."""
    if not isinstance(path, (str, os.PathLike)) or str(path) == "":
        raise _bad(name, path, "give the path of a file")
    p = Path(path).expanduser()
    if p.is_dir():
        raise ValueError(f"{name} {str(p)!r} is not allowed: it is a folder; give a file name")
    check_output_dir(name, p.parent, shown=p)
    return p


__all__ = [
    "SEED_LIMIT",
    "check_bool",
    "check_choice",
    "check_device",
    "check_float",
    "check_gamma",
    "check_gamma_grid",
    "check_int",
    "check_nonnegative_float",
    "check_nonnegative_int",
    "check_output_dir",
    "check_output_file",
    "check_positive_float",
    "check_positive_int",
    "check_probability",
    "check_seed",
    "check_seeds",
    "check_sequence",
    "check_widths",
    "is_bool",
    "is_int",
    "is_real",
    "scalar",
]
