r"""The papers' claims checked against the MNIST runs: one table of claim, measured value and status per chapter.

Chapters 6 and 7 show these tables for their own runs; chapter 8 (predictions and sources) rebuilds them from the
results store without training anything (:func:`stored_claims`).  A status is computed from the run by a stated
rule, never written by hand:

- :func:`accuracy_claims` (chapter 6, prediction 9): ``holds`` True/False per claim about accuracy over γ-grids.
- :func:`variance_claims` (chapter 7, predictions 1–4 and 8 on MNIST), with the rules

  * slopes (predictions 1, 2, 8): **holds** when every 95% interval contains the predicted slope; **leading order
    only** when not, but every slope is within ``tolerance`` (0.5) of it and the slopes keep the predicted order
    (falling as γ_L grows); **fails** otherwise;
  * an ordering or a direction over several cases (predictions 3, 4): **holds** in all cases, **fails for** the
    cases listed otherwise.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np
import pandas as pd

from .grids import accuracy_summary, effect_ranges, final_rows, main_effects, ordering, paired_difference
from .variance import gamma_ordering, variance_slopes, variance_table

#: How far (in slope) a measured width exponent may sit from the predicted one and still count as leading order.
TOLERANCE = 0.5


def accuracy_claims(shallow: pd.DataFrame, mlp2: pd.DataFrame, mlp2_nobias: pd.DataFrame,
                    mlp3: pd.DataFrame) -> pd.DataFrame:
    """Chapter 6's claims from the four histories (shallow, MLP2 with and without biases, MLP3 without biases):
    columns ``claim``, ``measured``, ``holds``."""
    shallow_final = final_rows(shallow)
    order = ordering(shallow_final)
    rising = int(order.strictly_rising.sum())
    gain = paired_difference(shallow_final, 0.5, 1.0)
    range2 = effect_ranges(main_effects(final_rows(mlp2_nobias))).set_index("layer")
    ranges3 = effect_ranges(main_effects(final_rows(mlp3))).set_index("layer")
    outer3, inner3 = ranges3.loc[f"γ_{len(ranges3)}"], ranges3.loc["γ_1"]
    summary3 = accuracy_summary(final_rows(mlp3))
    best3 = summary3.loc[summary3["mean"].idxmax()]
    summary2 = accuracy_summary(final_rows(mlp2))
    corner = summary2[(summary2.gamma_1 == 1.0) & (summary2.gamma_2 == 1.0)]["mean"].item()
    return pd.DataFrame([
        ("shallow: accuracy rises strictly with γ in every seed", f"{rising} of {len(order)} seeds",
         rising == len(order)),
        ("shallow: γ = 1 beats γ = 1/2 (paired, 95% interval above 0)",
         f"{gain['mean']:+.3f} [{gain['ci_low']:+.3f}, {gain['ci_high']:+.3f}]", bool(gain["ci_low"] > 0)),
        ("MLP2 without biases: the outer γ has the larger effect",
         f"γ_2: {range2.loc['γ_2', 'change']:+.3f}, γ_1: {range2.loc['γ_1', 'change']:+.3f}",
         bool(range2.loc["γ_2", "range"] > range2.loc["γ_1", "range"])),
        ("MLP2 with biases: γ = (1, 1) learns", f"{corner:.3f}", bool(corner > 0.5)),
        ("MLP3 without biases: accuracy rises with the outer γ_3", f"{outer3['change']:+.3f}",
         bool(outer3["change"] > 0)),
        ("MLP3 without biases: accuracy rises with the inner γ_1", f"{inner3['change']:+.3f}",
         bool(inner3["change"] > 0)),
        ("MLP3 without biases: the best configuration is γ = (1, 1, 1)", best3.label, best3.label == "γ=(1, 1, 1)"),
    ], columns=["claim", "measured", "holds"])


def slope_status(slopes: pd.DataFrame, predicted: str = "outer", tolerance: float = TOLERANCE) -> str:
    """The status of measured slopes (rows with ``slope, ci_low, ci_high`` and the column ``predicted``) against
    the prediction, by the rule of the module docstring."""
    inside = (slopes.ci_low <= slopes[predicted]) & (slopes[predicted] <= slopes.ci_high)
    if inside.all():
        return "holds"
    # The predicted order: wherever one prediction is steeper than another, so is the measured slope.
    pred, meas = slopes[predicted].to_numpy(), slopes.slope.to_numpy()
    steeper = pred[:, None] < pred[None, :]
    same_order = bool(np.all((meas[:, None] < meas[None, :])[steeper]))
    if ((slopes.slope - slopes[predicted]).abs() <= tolerance).all() and same_order:
        return "leading order only"
    return "fails"


def _fmt(rows: pd.DataFrame, predicted: str = "outer") -> str:
    return "; ".join(f"{r.gammas}: {r.slope:+.2f} [{r.ci_low:+.2f}, {r.ci_high:+.2f}] vs {getattr(r, predicted):+.2f}"
                     for r in rows.itertuples())


def variance_claims(outputs: pd.DataFrame, deep_outputs: Optional[pd.DataFrame] = None,
                    inner_width: Optional[int] = None, n_boot: int = 1000) -> pd.DataFrame:
    """Chapter 7's predictions on MNIST from the probe logits of the shallow run (``outputs``) and, when given, of
    the depth-2 run (``deep_outputs``, its family with the inner width fixed at ``inner_width``): columns
    ``prediction``, ``measured``, ``status`` (rules in the module docstring)."""
    table = variance_table(outputs, n_boot=0)
    slopes = variance_slopes(outputs, n_boot=n_boot)
    full = slopes[slopes.n_widths == slopes.n_widths.max()]
    t0, t_end = 0.0, float(full.t.max())
    rows = [("1. Var at initialization ∝ N^{1-2γ}", _fmt(full[full.t == t0]), slope_status(full[full.t == t0])),
            (f"2. Var after training (t = {t_end:g}) ∝ N^{{1-2γ}}", _fmt(full[full.t == t_end]),
             slope_status(full[full.t == t_end]))]
    order = gamma_ordering(table)
    failing = order[~order.monotone]
    rows.append(("3. at fixed N, Var falls as γ → 1", f"strictly falling in {int(order.monotone.sum())} of "
                 f"{len(order)} (width, t) pairs",
                 "holds" if failing.empty else "fails for " + ", ".join(f"N={r.N}, t={r.t:g}"
                                                                     for r in failing.itertuples())))
    n_max = int(table.N.max())
    end = table[(table.N == n_max) & np.isclose(table.t, t_end)].sort_values("gamma_outer")
    rising = end[end.ratio_to_init >= 1]
    rows.append((f"4. Var falls with t (N = {n_max}, t = 0 → {t_end:g})",
                 ", ".join(f"γ={r.gammas}: ×{r.ratio_to_init:.2f}" for r in end.itertuples()),
                 "holds" if rising.empty else "fails for γ = " + ", ".join(rising.gammas)))
    if deep_outputs is not None:
        family = deep_outputs if inner_width is None else deep_outputs[deep_outputs.width_1 == inner_width]
        deep = variance_slopes(family, n_boot=n_boot)
        deep = deep[deep.n_widths == deep.n_widths.max()]
        d_end = float(deep.t.max())
        at0, at_end = slope_status(deep[deep.t == 0.0]), slope_status(deep[deep.t == d_end])
        status = {("holds", "holds"): "holds", ("holds", "leading order only"): "holds; after training to leading "
                  "order only"}.get((at0, at_end), f"{at0} at initialization; {at_end} after training")
        rows.append((f"8. depth 2, inner width {inner_width if inner_width else ''} fixed: Var ∝ N_L^{{1-2γ_L}}",
                     f"t = 0: {_fmt(deep[deep.t == 0.0])} — t = {d_end:g}: {_fmt(deep[deep.t == d_end])}", status))
    return pd.DataFrame(rows, columns=["prediction", "measured", "status"])


def theory_claims(n_seeds: int = 400, seed: int = 0) -> pd.DataFrame:
    """The book's width laws on small networks, cheaply (a few seconds on a CPU): columns ``prediction``,
    ``measured``, ``status``.

    - 1: Var g_0 against N at depth 1, sigmoid, γ ∈ {0.5, 0.75, 1}: slopes against 1 - 2γ (the exact law);
    - 8: Var g_0 against N_L at depth 3, tanh, inner widths fixed at 25, inner γ's (1, 1), outer γ ∈ {0.5, 0.75,
      1}: slopes against 1 - 2γ_L; and with every width N: against Σ(1 - 2γ_ℓ) (our derivation);
    - 12: the per-layer kernel N_L η_ℓ |∇_{W^ℓ} g|² at initialization, depth 3, sigmoid: slopes against the
      derived exponents;
    - 13: the trained variance with the inner width fixed at 8 (depth 2, tanh, γ_2 = 1, t = 2): **holds** when
      every slope after training is above (flatter than) the slope at initialization by more than
      ``2 × TOLERANCE / 5`` (0.2), the direction chapter 5's conjecture predicts.
    """
    from .theory import init_variance_vs_width, kernel_vs_width, predicted_init_slope, trained_variance_vs_width

    rows = []
    p1 = init_variance_vs_width(gammas=(0.5, 0.75, 1.0), widths=(50, 100, 200, 400, 800), n_seeds=n_seeds,
                                n_boot=200, seed=seed).slopes
    rows.append(("1. Var at initialization ∝ N^{1-2γ} (toy inputs, depth 1)", _fmt(p1, "theory"),
                 slope_status(p1, "theory")))
    for family, kw in (("inner widths fixed", dict(inner_widths=(25, 25))), ("every width N", {})):
        p8 = init_variance_vs_width(gammas=(0.5, 0.75, 1.0), widths=(25, 50, 100, 200, 400), depth=3,
                                    inner_gammas=((1.0, 1.0),), activation="tanh", n_seeds=n_seeds, n_inner=100,
                                    n_boot=200, seed=seed, **kw).slopes
        p8["derived"] = [predicted_init_slope((1.0, 1.0, g), "tanh", "outer" if kw else "equal") for g in p8.gamma]
        rows.append((f"8. depth 3 at initialization, tanh, {family}: the derived exponent", _fmt(p8, "derived"),
                     slope_status(p8, "derived")))
    p12 = kernel_vs_width(((1.0, 0.5, 0.5), (1.0, 1.0, 1.0)), widths=(25, 50, 100, 200), activation="sigmoid",
                          n_seeds=24, n_boot=200, seed=seed).slopes
    p12 = p12.assign(gammas=p12.gammas + " " + p12.layer)
    rows.append(("12. per-layer kernel at initialization (depth 3, sigmoid)", _fmt(p12, "theory"),
                 slope_status(p12, "theory")))
    p13 = trained_variance_vs_width(((0.5, 1.0), (1.0, 1.0)), widths=(16, 32, 64), families=((8,),), t=2.0,
                                    n_seeds=24, n_boot=20, seed=seed).slopes
    p13 = p13[p13.split == "test"].pivot(index="gammas", columns="t", values="slope")
    rise = p13[2.0] - p13[0.0]
    rows.append(("13. trained variance, inner width 8 fixed: the slope in N_L flattens",
                 "; ".join(f"{g}: {r[0.0]:+.2f} → {r[2.0]:+.2f}" for g, r in p13.iterrows()),
                 "holds" if (rise > 2 * TOLERANCE / 5).all() else "fails"))
    return pd.DataFrame(rows, columns=["prediction", "measured", "status"])


def stored_claims(accuracy_names: dict, variance_names: dict, inner_width: Optional[int] = None,
                  store=None, n_boot: int = 200) -> dict:
    """The two tables from the results store, training nothing (:func:`gammanet.experiments.load_results`).

    ``accuracy_names``: {"shallow", "mlp2", "mlp2_nobias", "mlp3"} → experiment names; ``variance_names``:
    {"shallow", "deep"} → names.  Returns {"accuracy": frame or None, "variance": frame or None, "missing": [names
    not (completely) in the store]}."""
    from .experiments import load_results

    def complete(name):
        res = load_results(name, store)
        return res if res.complete else None

    out: dict[str, Any] = {"accuracy": None, "variance": None, "missing": []}
    acc = {k: complete(v) for k, v in accuracy_names.items()}
    out["missing"] += [accuracy_names[k] for k, v in acc.items() if v is None]
    if all(v is not None for v in acc.values()):
        out["accuracy"] = accuracy_claims(acc["shallow"].history, acc["mlp2"].history, acc["mlp2_nobias"].history,
                                          acc["mlp3"].history)
    var = {k: complete(v) for k, v in variance_names.items()}
    out["missing"] += [variance_names[k] for k, v in var.items() if v is None]
    if var.get("shallow") is not None:
        deep = var.get("deep")
        out["variance"] = variance_claims(var["shallow"].outputs, None if deep is None else deep.outputs, inner_width,
                                          n_boot=n_boot)
    return out


__all__ = ["TOLERANCE", "accuracy_claims", "slope_status", "stored_claims", "theory_claims", "variance_claims"]
