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

#: Environment variable that, when set, names what the chapters' Colab setup cell installs instead of the
#: repository (a local checkout, a wheel, another pip requirement): used to test the cell, or to pin a fork.
INSTALL_SOURCE_ENV = "GAMMANET_INSTALL_SOURCE"


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


def describe() -> str:
    import torch

    device = "CUDA GPU " + torch.cuda.get_device_name(0) if torch.cuda.is_available() else "CPU"
    mode = "FAST (small sizes, GAMMANET_FAST=1)" if FAST else "full sizes"
    return f"gammanet chapters: {mode}, running on {device}"


def glue(name: str, value, display: bool = False):
    """Make ``value`` citable in a chapter's prose as ``{glue:text}`name``` or ``{glue:text}`name:.2f``` (the book
    build's ``myst_nb.glue``), so that a sentence stating a measured number prints the number of this run.  Numpy
    and torch scalars are stored as Python numbers (their repr, e.g. ``np.float64(...)``, would defeat a format
    spec).  Where the book's extras are not installed (e.g. on Colab) nothing is stored; the value is shown when
    ``display`` is true.  Returns None, so that a cell ending with a glue does not echo the value."""
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        value = value.item()
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(value)
        return None
    myst_glue(name, value, display=display)
    return None
