"""Settings the chapters share, read in one place.

``GAMMANET_FAST=1`` (set by ``make test`` and ``make book``) shrinks data, widths, seeds and epochs so that every
chapter executes on a 2-core CPU in minutes; without it the chapters run their real experiment sizes (meant for a
Colab GPU).  Chapters ask :func:`pick` for each size, so the two versions never drift apart.
"""
from __future__ import annotations

import os
from pathlib import Path

#: True when the chapters should run their small, fast versions.
FAST: bool = os.environ.get("GAMMANET_FAST", "0").strip().lower() in ("1", "true", "yes")

#: The one place the repository's address is written (badges and the Colab install cell are generated from it).
REPOSITORY_URL = "https://github.com/gammanet-course/gammanet"


#: Environment variable naming the results store the chapters read and fill (see :func:`store_dir`).
STORE_ENV = "GAMMANET_STORE"


def store_dir() -> Path:
    """Where the chapters keep their experiments' results (:mod:`gammanet.experiments`): ``$GAMMANET_STORE``, else
    ``~/.cache/gammanet/store``.  A chapter reuses what is there, so a full run made on a GPU with
    ``python -m gammanet run ... --store DIR`` feeds the book when the book is built with ``GAMMANET_STORE=DIR``."""
    env = os.environ.get(STORE_ENV, "").strip()
    return Path(env).expanduser() if env else Path.home() / ".cache" / "gammanet" / "store"


def pick(fast, full):
    """``fast`` when the FAST switch is on, else ``full``."""
    return fast if FAST else full


def glue(name: str, value, display: bool = False):
    """Store ``value`` under ``name`` for the book's ``{glue:text}`name:.2f``` roles, so that prose quoting a
    measured number shows the number of this run (myst-nb's ``glue``).  Where myst-nb is not installed (Colab)
    nothing is stored; the chapters print the same numbers.  Returns ``value``."""
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        value = value.item()      # numpy scalars: their repr (np.float64(...)) would defeat {glue:text}`x:.2f`
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return value
    myst_glue(name, value, display=display)
    return value


def describe() -> str:
    import torch

    device = "CUDA GPU " + torch.cuda.get_device_name(0) if torch.cuda.is_available() else "CPU"
    mode = "FAST (small sizes, GAMMANET_FAST=1)" if FAST else "full sizes"
    return f"gammanet chapters: {mode}, running on {device}"
