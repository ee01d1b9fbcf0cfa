"""The reductions of chapter 6 on small hand-made histories whose answers are known exactly."""

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from gammanet.grids import (
    accuracy_summary,
    effect_ranges,
    final_rows,
    main_effects,
    ordering,
    paired_by_block,
    paired_difference,
    plateau_epochs,
)


def history(accuracy, gammas, seeds=(0, 1, 2), epochs=3):
    """A depth-L history where member (γ, s) has test accuracy accuracy(γ, s, epoch)."""
    rows = []
    for g, s in itertools.product(gammas, seeds):
        for e in range(epochs + 1):
            rows.append(
                dict(
                    seed=s,
                    **{f"gamma_{i + 1}": v for i, v in enumerate(g)},
                    epoch=e,
                    step=10 * e,
                    t=e / 10,
                    test_accuracy=accuracy(g, s, e),
                    status="ok",
                )
            )
    return pd.DataFrame(rows)


def test_final_rows_take_the_last_epoch_and_mark_diverged_members():
    h = history(lambda g, s, e: 0.1 * e + 0.01 * s, [(0.5,), (1.0,)])
    h = h[~((h.gamma_1 == 1.0) & (h.seed == 2) & (h.epoch == 3))]
    extra = dict(seed=2, gamma_1=1.0, epoch=2, step=15, t=1.5, test_accuracy=np.nan, status="diverged")
    h = pd.concat([h[~((h.gamma_1 == 1.0) & (h.seed == 2) & (h.epoch == 2))], pd.DataFrame([extra])])
    final = final_rows(h)
    assert len(final) == 6
    ok = final[final.status == "ok"]
    np.testing.assert_allclose(ok.test_accuracy, 0.3 + 0.01 * ok.seed)
    assert final[final.status == "diverged"].test_accuracy.isna().all()
    summary = accuracy_summary(final).set_index("gamma_1")
    assert summary.loc[1.0, "diverged"] == 1 and summary.loc[1.0, "seeds"] == 3
    np.testing.assert_allclose(summary.loc[1.0, "mean"], 0.305)  # seeds 0 and 1 only
    assert final_rows(h, epoch=1).test_accuracy.max() == pytest.approx(0.12)
    with pytest.raises(ValueError, match="epoch=9 is not in the history"):
        final_rows(h, epoch=9)


def test_summary_interval_is_the_student_t_interval():
    values = {0: 0.80, 1: 0.84, 2: 0.83, 3: 0.79}
    h = history(lambda g, s, e: values[s], [(0.7,)], seeds=tuple(values), epochs=1)
    row = accuracy_summary(final_rows(h)).iloc[0]
    v = np.array(list(values.values()))
    half = stats.t.ppf(0.975, 3) * v.std(ddof=1) / 2
    assert row["mean"] == pytest.approx(v.mean()) and row.ci_high - row["mean"] == pytest.approx(half)
    assert row.label == "γ=(0.7)" and row.seeds == 4


def test_main_effects_on_an_additive_grid_recover_each_layer():
    # accuracy = 0.5 + 0.2 γ_2 − 0.1 γ_1 exactly: the outer layer rises by 0.1 over [0.5, 1], the inner falls 0.05.
    grid = list(itertools.product([0.5, 0.75, 1.0], repeat=2))
    h = history(lambda g, s, e: 0.5 + 0.2 * g[1] - 0.1 * g[0], grid)
    effects = main_effects(final_rows(h))
    ranges = effect_ranges(effects).set_index("layer")
    assert ranges.loc["γ_2", "change"] == pytest.approx(0.1) and ranges.loc["γ_2", "direction"] == "rising"
    assert ranges.loc["γ_1", "change"] == pytest.approx(-0.05) and ranges.loc["γ_1", "direction"] == "falling"
    assert ranges.loc["γ_1", "range"] == pytest.approx(0.05)
    mid = effects[(effects.layer == "γ_2") & (effects.gamma == 0.75)].accuracy.item()
    assert mid == pytest.approx(0.5 + 0.15 - 0.075)


def test_paired_difference_removes_the_seed_effect():
    # A large seed effect shared by both configurations and a constant gain of 0.02: the paired interval is exact.
    h = history(lambda g, s, e: 0.6 + 0.1 * s + (0.02 if g == (1.0,) else 0.0), [(0.5,), (1.0,)], seeds=range(5))
    d = paired_difference(final_rows(h), 0.5, 1.0)
    assert d["mean"] == pytest.approx(0.02) and d["sd"] == pytest.approx(0.0, abs=1e-12)
    assert d["wins"] == 5 and d["seeds"] == 5
    with pytest.raises(ValueError, match="not in the grid"):
        paired_difference(final_rows(h), 0.5, 0.7)
    with pytest.raises(ValueError, match="2 entries; this grid has 1 layers"):
        paired_difference(final_rows(h), (0.5, 0.5), 1.0)


def test_paired_difference_pairs_seeds_within_blocks():
    h = pd.concat(
        [
            history(lambda g, s, e: 0.6 + 0.1 * s + (0.02 if g == (1.0,) else 0.0), [(0.5,), (1.0,)]).assign(
                widths="100"
            ),
            history(lambda g, s, e: 0.3 + 0.1 * s + (0.04 if g == (1.0,) else 0.0), [(0.5,), (1.0,)]).assign(
                widths="1000"
            ),
        ]
    )
    d = paired_difference(final_rows(h), 0.5, 1.0)
    assert d["seeds"] == 6 and d["mean"] == pytest.approx(0.03) and d["wins"] == 6


def test_paired_by_block_gives_one_interval_per_width():
    """Pooling the widths mixes two gains (0.02 and 0.04); per block each is exact, with zero spread."""
    noise = {0: 0.0, 1: 0.004, 2: -0.002}
    h = pd.concat(
        [
            history(lambda g, s, e: 0.6 + 0.1 * s + (0.02 + noise[s] if g == (1.0,) else 0.0), [(0.5,), (1.0,)]).assign(
                widths="100"
            ),
            history(lambda g, s, e: 0.3 + 0.1 * s + (0.04 if g == (1.0,) else 0.0), [(0.5,), (1.0,)]).assign(
                widths="1000"
            ),
        ]
    )
    final = final_rows(h)
    table = paired_by_block(final, 0.5, 1.0)
    assert list(table.widths) == ["100", "1000"] and list(table.seeds) == [3, 3]
    assert table["mean"].tolist() == pytest.approx([0.02 + 0.002 / 3, 0.04])
    first = paired_difference(final[final.widths == "100"], 0.5, 1.0)
    assert table.iloc[0].ci_low == pytest.approx(first["ci_low"]) and table.iloc[0].ci_high == pytest.approx(
        first["ci_high"]
    )
    assert table.iloc[1].ci_low == pytest.approx(0.04) == table.iloc[1].ci_high  # no spread: a zero-width interval
    # without block columns it is the one pooled interval
    single = paired_by_block(final[final.widths == "100"].drop(columns="widths"), 0.5, 1.0)
    assert len(single) == 1 and single.iloc[0]["mean"] == pytest.approx(first["mean"])


def test_ordering_per_seed():
    # Seed 0 rises strictly; seed 1 has γ = 0.75 best.
    acc = {0: {0.5: 0.7, 0.75: 0.8, 1.0: 0.9}, 1: {0.5: 0.7, 0.75: 0.95, 1.0: 0.9}}
    h = history(lambda g, s, e: acc[s][g[0]], [(0.5,), (0.75,), (1.0,)], seeds=(0, 1))
    o = ordering(final_rows(h)).set_index("seed")
    assert o.loc[0, "strictly_rising"] and o.loc[0, "rho"] == pytest.approx(1.0)
    assert not o.loc[1, "strictly_rising"] and o.loc[1, "rho"] == pytest.approx(0.5) and o.loc[1, "best_gamma"] == 0.75
    deep = history(lambda g, s, e: 0.5, [(0.5, 1.0), (1.0, 1.0)])
    with pytest.raises(ValueError, match="one γ per configuration"):
        ordering(final_rows(deep))


def test_plateau_epochs():
    # γ = 1 leaves chance at epoch 2, γ = 0.5 at epoch 1; a member that never reaches the threshold gives NaN.
    h = history(lambda g, s, e: 0.1 if e < (2 if g == (1.0,) else 1) else 0.8 - 0.5 * (s == 2), [(0.5,), (1.0,)])
    p = plateau_epochs(h).set_index(["gamma_1", "seed"])
    assert p.loc[(1.0, 0), "epoch"] == 2 and p.loc[(0.5, 1), "epoch"] == 1 and p.loc[(0.5, 1), "t"] == 0.1
    assert np.isnan(p.loc[(1.0, 2), "epoch"])
    with pytest.raises(ValueError, match="threshold=1.5"):
        plateau_epochs(h, threshold=1.5)


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="no gamma_1..gamma_L columns"):
        final_rows(pd.DataFrame(dict(seed=[0], epoch=[0], test_accuracy=[0.1], status=["ok"])))
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['status'\]"):
        final_rows(pd.DataFrame(dict(seed=[0], gamma_1=[0.5], epoch=[0], test_accuracy=[0.1])))


def test_gammanet_show_and_chapter_4_agree_on_the_final_accuracy():
    """One rule: a member that diverged has no final accuracy (counted as diverged, left out of the mean).  The
    table of ``gammanet show`` used to average in its last finite accuracy instead (0.2 here, from epoch 2)."""
    from gammanet.experiments.report import configuration_table

    h = history(lambda g, s, e: 0.1 * e + 0.01 * s, [(0.5,), (1.0,)])
    h = h[~((h.gamma_1 == 1.0) & (h.seed == 2) & (h.epoch == 3))].copy()
    h = pd.concat(
        [
            h,
            pd.DataFrame([dict(seed=2, gamma_1=1.0, epoch=3, step=25, t=2.5, test_accuracy=np.nan, status="diverged")]),
        ],
        ignore_index=True,
    )
    h["widths"] = "8"
    h["member"] = h.gamma_1.map({0.5: 0, 1.0: 3}) + h.seed
    table = configuration_table(h).set_index("gamma_1")
    summary = accuracy_summary(final_rows(h)).set_index("gamma_1")
    for g in (0.5, 1.0):
        assert table.loc[g, "final_mean"] == pytest.approx(summary.loc[g, "mean"], rel=1e-12)
        assert table.loc[g, "final_sd"] == pytest.approx(summary.loc[g, "sd"], rel=1e-12)
        assert table.loc[g, "diverged"] == summary.loc[g, "diverged"]
    assert table.loc[1.0, "final_mean"] == pytest.approx(0.305) and table.loc[1.0, "diverged"] == 1
    assert table.loc[1.0, "seeds"] == 3 and table.loc[1.0, "epoch"] == 3
    assert table.loc[1.0, "best_mean"] == pytest.approx((0.30 + 0.31 + 0.22) / 3)  # best before diverging


def test_mixed_depths_keep_their_shallow_members():
    """A block of depth 1 beside one of depth 2: the shallow rows have gamma_2 = NaN and must not be dropped."""
    shallow = history(lambda g, s, e: 0.5, [(0.5,), (1.0,)], seeds=(0, 1), epochs=1).assign(gamma_2=np.nan, block=0)
    deep = history(lambda g, s, e: 0.7, [(0.5, 1.0)], seeds=(0, 1), epochs=1).assign(block=1)
    final = final_rows(pd.concat([shallow, deep], ignore_index=True))
    assert len(final) == 6
    summary = accuracy_summary(final)
    assert sorted(summary.label) == ["γ=(0.5)", "γ=(0.5, 1)", "γ=(1)"] and summary.seeds.tolist() == [2, 2, 2]
