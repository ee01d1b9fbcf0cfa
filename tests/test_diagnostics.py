"""The per-layer output movement behind the learning-rate heuristic (chapter 2)."""

import numpy as np
import pytest
import torch

from gammanet import GammaMLP, learning_rates
from gammanet.diagnostics import layer_movement, layer_movement_vs_width


def test_shallow_movement_matches_the_hand_computed_gradients():
    torch.manual_seed(0)
    x = torch.randn(3, 5, dtype=torch.float64)
    model = GammaMLP((40,), 0.75, in_features=5, out_features=1, seed=1).double()
    frame = layer_movement(model, x, alpha=2.0).set_index(["layer", "parameter"])
    w, c = model.hidden[0].weight.detach(), model.readout.weight.detach()[0]
    z = x @ w.T  # (P, N), zero biases
    s, ds = torch.sigmoid(z), torch.sigmoid(z) * (1 - torch.sigmoid(z))
    n, scale = 40, 40**-0.75
    # ∂g/∂C_i = N^{-γ} σ(Z_i);  ∂g/∂W_i = N^{-γ} C_i σ'(Z_i) x;  ∂g/∂b^C = 1;  ∂g/∂b_i = N^{-γ} C_i σ'(Z_i).
    expected = {
        ("C", "weight"): (scale**2 * (s**2).sum(1)).mean(),
        ("W1", "weight"): (scale**2 * ((c * ds) ** 2).sum(1) * (x**2).sum(1)).mean(),
        ("C", "bias"): torch.tensor(1.0, dtype=torch.float64),
        ("W1", "bias"): (scale**2 * ((c * ds) ** 2).sum(1)).mean(),
    }
    rate = 2.0 * learning_rates((n,), 0.75)["C"]
    for key, value in expected.items():
        assert frame.loc[key, "gradient_sq"] == pytest.approx(float(value), rel=1e-10)
        assert frame.loc[key, "movement"] == pytest.approx(rate * float(value), rel=1e-10)
        assert frame.loc[key, "scaled_movement"] == pytest.approx(n * rate * float(value), rel=1e-10)


def test_theory_rates_keep_the_outer_layers_at_order_one_over_n():
    widths = (16, 32, 64, 128)
    frame = layer_movement_vs_width(widths, 0.75, depth=2, seeds=range(4))
    weights = frame[frame.parameter == "weight"].groupby(["layer", "N"]).scaled_movement.mean().unstack()
    slope = {layer: np.polyfit(np.log(widths), np.log(weights.loc[layer].to_numpy()), 1)[0] for layer in weights.index}
    # C and W2 are budgeted exactly: N_L × movement is flat in N (tolerance: seed noise of 4 networks).
    assert abs(slope["C"]) < 0.1 and abs(slope["W2"]) < 0.2
    # W1's backward sum over layer 2 has random signs at initialization: one factor 1/N below the budget.
    assert abs(slope["W1"] + 1) < 0.2
    assert set(frame.columns) >= {"depth", "gammas", "N", "seed", "layer", "parameter", "rate", "movement"}
