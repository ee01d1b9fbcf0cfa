"""The one γ label: the forms the figures, the variance tables, the theory's tables and the diagnostics use."""

import math

import numpy as np

from gammanet.columns import gamma_label


def test_gamma_label_forms():
    assert gamma_label((1.0, 0.7, 0.5)) == "γ=(1, 0.7, 0.5)"  # figures and grids
    assert gamma_label(0.75) == "γ=0.75" and gamma_label(np.float64(1.0)) == "γ=1"
    assert gamma_label((0.7,)) == "γ=(0.7)"  # a shallow configuration
    assert gamma_label((0.5, 1.0), prefix="") == "(0.5, 1)"  # theory tables, diagnostics
    assert gamma_label([0.625], prefix="", compact=True) == "0.625"  # variance tables
    assert gamma_label([1.0, math.nan], prefix="", compact=True) == "1"  # a shallower block's NaN
    assert gamma_label(np.array([0.5, 0.5]), prefix="γ_2=") == "γ_2=(0.5, 0.5)"
