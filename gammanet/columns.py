"""Column names of the library's tidy frames, in layer order: ``gamma_1..gamma_L`` and ``width_1..width_L``, and
the one label of a γ-configuration.

Histories (:func:`gammanet.ensemble.train_grid`, :class:`gammanet.experiments.Results`) carry one column per
hidden layer; these helpers find them sorted by layer number (so ``gamma_10`` follows ``gamma_9``) and ignore
look-alikes such as ``gamma_outer``.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Mapping, Union

import numpy as np
import pandas as pd


def layer_columns(frame: Union[pd.DataFrame, Mapping], prefix: str) -> list[str]:
    """The columns ``{prefix}1, {prefix}2, ...`` of ``frame`` (prefix e.g. ``"gamma_"``), sorted by layer number.
    ``frame`` may also be a row as a dict: iterating either gives the names."""
    n = len(prefix)
    return sorted(
        (c for c in frame if isinstance(c, str) and c.startswith(prefix) and c[n:].isdigit()), key=lambda c: int(c[n:])
    )


def gamma_columns(frame: Union[pd.DataFrame, Mapping]) -> list[str]:
    """``gamma_1..gamma_L`` present in the frame, in layer order (empty if none)."""
    return layer_columns(frame, "gamma_")


def width_columns(frame: Union[pd.DataFrame, Mapping]) -> list[str]:
    """``width_1..width_L`` present in the frame, in layer order (empty if none)."""
    return layer_columns(frame, "width_")


def gamma_label(gammas, prefix: str = "γ=", compact: bool = False) -> str:
    """The label of a γ-configuration: ``prefix`` then the γ's in ``:g`` format, e.g. "γ=(1, 0.7, 0.5)" for a tuple
    and "γ=0.75" for a number.  NaN entries (the missing layers of a shallower block) are left out.  ``compact``:
    a configuration of one γ is written without parentheses ("0.75" rather than "(0.75)").

    >>> gamma_label((1.0, 0.7)), gamma_label(0.75), gamma_label([0.5, float("nan")], prefix="", compact=True)
    ('γ=(1, 0.7)', 'γ=0.75', '0.5')
    """
    if isinstance(gammas, Real) or np.ndim(gammas) == 0:
        return f"{prefix}{float(gammas):g}"
    values = [float(g) for g in gammas if not math.isnan(float(g))]
    if compact and len(values) == 1:
        return f"{prefix}{values[0]:g}"
    return prefix + "(" + ", ".join(f"{g:g}" for g in values) + ")"
