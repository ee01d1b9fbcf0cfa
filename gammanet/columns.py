"""Column names of the library's tidy frames, in layer order: ``gamma_1..gamma_L`` and ``width_1..width_L``.

Histories (:func:`gammanet.ensemble.train_grid`, :class:`gammanet.experiments.Results`) carry one column per
hidden layer; these helpers find them sorted by layer number (so ``gamma_10`` follows ``gamma_9``) and ignore
look-alikes such as ``gamma_outer``.
"""
from __future__ import annotations

from typing import Mapping, Union

import pandas as pd


def layer_columns(frame: Union[pd.DataFrame, Mapping], prefix: str) -> list[str]:
    """The columns ``{prefix}1, {prefix}2, ...`` of ``frame`` (prefix e.g. ``"gamma_"``), sorted by layer number.
    ``frame`` may also be a row as a dict: iterating either gives the names."""
    n = len(prefix)
    return sorted((c for c in frame if isinstance(c, str) and c.startswith(prefix) and c[n:].isdigit()),
                  key=lambda c: int(c[n:]))


def gamma_columns(frame: Union[pd.DataFrame, Mapping]) -> list[str]:
    """``gamma_1..gamma_L`` present in the frame, in layer order (empty if none)."""
    return layer_columns(frame, "gamma_")


def width_columns(frame: Union[pd.DataFrame, Mapping]) -> list[str]:
    """``width_1..width_L`` present in the frame, in layer order (empty if none)."""
    return layer_columns(frame, "width_")
