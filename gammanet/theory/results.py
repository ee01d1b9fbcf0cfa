"""The container every prediction function returns: tidy tables for plotting, slopes with CIs, the configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import pandas as pd


@dataclass
class Prediction:
    """The outcome of one experiment (a prediction of the theory, measured).

    ``table``: a long (tidy) DataFrame, one row per configuration × width × time (ready for seaborn);
    ``slopes``: one row per fitted log–log slope (``slope``, ``ci_low``, ``ci_high``, ``se``, and the theory's
    value when there is one), or None; ``config``: every size, constant and seed used (also in ``table.attrs``).
    """

    table: pd.DataFrame
    slopes: Optional[pd.DataFrame] = None
    config: dict = field(default_factory=dict)

    def __post_init__(self):
        self.table.attrs["config"] = self.config
        if self.slopes is not None:
            self.slopes.attrs["config"] = self.config

    def __repr__(self) -> str:
        slopes = "None" if self.slopes is None else f"{len(self.slopes)} rows"
        return (
            f"Prediction(table: {len(self.table)} rows × {list(self.table.columns)}, slopes: {slopes}, "
            f"config keys: {sorted(self.config)})"
        )
