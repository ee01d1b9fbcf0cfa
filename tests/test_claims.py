"""The claim tables of chapters 6–8 apply their stated rules: checked on hand-made slopes, histories and logits
whose answers are known exactly."""
import itertools

import pandas as pd
import pytest

from gammanet.claims import accuracy_claims, slope_status, stored_claims, variance_claims
from gammanet.exercises.chapter7 import synthetic_frame


def slopes(rows):
    return pd.DataFrame(rows, columns=["gammas", "slope", "ci_low", "ci_high", "outer"])


@pytest.mark.parametrize("rows, expected", [
    ([("a", -0.02, -0.1, 0.05, 0.0), ("b", -0.98, -1.05, -0.9, -1.0)], "holds"),
    # intervals miss, within 0.5 and in the predicted order: the exponents are off by sub-leading amounts
    ([("a", -0.15, -0.2, -0.1, 0.0), ("b", -0.7, -0.75, -0.65, -0.5), ("c", -1.02, -1.1, -0.95, -1.0)],
     "leading order only"),
    ([("a", -0.15, -0.2, -0.1, 0.0), ("b", -0.9, -0.95, -0.85, -0.5), ("c", -0.8, -0.9, -0.7, -1.0)], "fails"),
    ([("a", -0.7, -0.75, -0.65, 0.0), ("b", -1.0, -1.05, -0.95, -1.0)], "fails"),        # off by more than 0.5
    # equal predictions (a tie) do not demand an order between their slopes
    ([("a", -0.1, -0.2, -0.05, 0.0), ("b", -0.2, -0.25, -0.15, 0.0), ("c", -1.2, -1.3, -1.1, -1.0)],
     "leading order only"),
])
def test_slope_status_follows_its_rule(rows, expected):
    assert slope_status(slopes(rows)) == expected


def history(accuracy, gammas, seeds=(0, 1, 2)):
    rows = [dict(seed=s, **{f"gamma_{i + 1}": v for i, v in enumerate(g)}, epoch=1, step=10, t=0.1,
                 test_accuracy=accuracy(g, s), status="ok") for g, s in itertools.product(gammas, seeds)]
    return pd.DataFrame(rows)


def test_accuracy_claims_on_grids_with_known_answers():
    shallow = history(lambda g, s: 0.5 + 0.3 * g[0] + 0.01 * s, [(0.5,), (0.75,), (1.0,)])
    grid2 = list(itertools.product([0.5, 1.0], repeat=2))
    mlp2 = history(lambda g, s: 0.1 if g == (1.0, 1.0) else 0.8, grid2)              # the biased corner collapses
    mlp2_nobias = history(lambda g, s: 0.5 + 0.05 * g[0] + 0.2 * g[1], grid2)
    grid3 = list(itertools.product([0.5, 1.0], repeat=3))
    mlp3 = history(lambda g, s: 0.6 - 0.2 * g[0] + 0.1 * g[1] + 0.3 * g[2], grid3)  # γ_1 reverses
    claims = accuracy_claims(shallow, mlp2, mlp2_nobias, mlp3).set_index("claim").holds
    assert claims["shallow: accuracy rises strictly with γ in every seed"]
    assert claims["shallow: γ = 1 beats γ = 1/2 (paired, 95% interval above 0)"]
    assert claims["MLP2 without biases: the outer γ has the larger effect"]
    assert not claims["MLP2 with biases: γ = (1, 1) learns"]
    assert claims["MLP3 without biases: accuracy rises with the outer γ_3"]
    assert not claims["MLP3 without biases: accuracy rises with the inner γ_1"]
    assert not claims["MLP3 without biases: the best configuration is γ = (1, 1, 1)"]     # (0.5, 1, 1) is


def test_variance_claims_on_logits_with_a_known_law():
    # Var = 1.5 N^{1-2γ} (1 + t): the width law holds at every t, falls with γ, and GROWS with t.
    frame = synthetic_frame(widths=(10, 20, 40, 80), gammas=(0.5, 0.75, 1.0), seeds=40, images=6, classes=4,
                            times=(0.0, 4.0), seed=5, law=lambda n, g, t: 1.5 * n ** (1 - 2 * g) * (1 + t))
    claims = variance_claims(frame, n_boot=200).set_index("prediction").status
    assert claims.filter(like="1. Var at initialization").item() == "holds"
    assert claims.filter(like="2. Var after training").item() == "holds"
    assert claims.filter(like="3. at fixed N").item() == "holds"
    assert claims.filter(like="4. Var falls with t").item() == "fails for γ = 0.5, 0.75, 1"


def test_stored_claims_train_nothing_and_name_what_is_missing(tmp_path):
    out = stored_claims(dict(shallow="ch4_shallow", mlp2="ch4_mlp2", mlp2_nobias="ch4_mlp2_nobias",
                             mlp3="ch4_mlp3_nobias"), dict(shallow="ch5_shallow_variance"), store=tmp_path)
    assert out["accuracy"] is None and out["variance"] is None
    assert set(out["missing"]) == {"ch4_shallow", "ch4_mlp2", "ch4_mlp2_nobias", "ch4_mlp3_nobias",
                                   "ch5_shallow_variance"}
    assert not any(tmp_path.iterdir())                     # nothing was written: nothing was trained
