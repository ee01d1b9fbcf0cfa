"""Settings the chapters share, read in one place.

The **quick build**: ``GAMMANET_QUICK=1`` (set by ``make test`` and ``make book``) shrinks data, widths, seeds and
epochs so that every chapter executes on a 2-core CPU in minutes; with ``GAMMANET_QUICK=0`` (or unset) the chapters
run their full experiment sizes (meant for a Colab GPU).  Chapters ask :func:`pick` for each size, so the two
versions never drift apart.  (The quick build is a size setting of the book; it has nothing to do with the ``fast``
training preset of :mod:`gammanet.presets`.)
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Mapping

#: Environment variable that turns the quick build on (1) or off (0).
QUICK_ENV = "GAMMANET_QUICK"
#: Its former name, still read (with a warning) so that an old setting does not silently run the full sizes.
OLD_QUICK_ENV = "GAMMANET_FAST"
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def quick_from_env(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether ``environ`` asks for the quick build: ``GAMMANET_QUICK`` = 1/true/yes/on or 0/false/no/off/empty
    (case-insensitive); anything else is a ValueError naming the value.  The old name ``GAMMANET_FAST`` is read,
    with a FutureWarning, when ``GAMMANET_QUICK`` is not set."""
    name = QUICK_ENV
    if QUICK_ENV not in environ and OLD_QUICK_ENV in environ:
        name = OLD_QUICK_ENV
        warnings.warn(
            f"{OLD_QUICK_ENV} is the old name of {QUICK_ENV} (the quick build): set {QUICK_ENV} instead",
            FutureWarning,
            stacklevel=2,
        )
    value = environ.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name}={environ[name]!r} is not a switch: use 1 (quick build: small sizes) or 0 (full sizes)")


#: True when the chapters should run their small, quick versions.
QUICK: bool = quick_from_env()

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


def pick(quick, full):
    """``quick`` in the quick build (:data:`QUICK`), else ``full``."""
    return quick if QUICK else full


def describe() -> str:
    import torch

    device = "CUDA GPU " + torch.cuda.get_device_name(0) if torch.cuda.is_available() else "CPU"
    mode = f"quick build (small sizes, {QUICK_ENV}=1)" if QUICK else f"full sizes ({QUICK_ENV}=0)"
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
