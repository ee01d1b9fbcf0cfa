"""gammanet.variance: exact reductions on hand-made frames, slopes recovered from synthetic variance laws, clear
errors on bad input, and the whole path from a (tiny) experiment's Results.outputs."""

import math

import numpy as np
import pandas as pd
import pytest

from gammanet.theory import fit_slope
from gammanet.variance import (
    all_layers_slope,
    average_variance,
    fast_fit_slope,
    gamma_ordering,
    outer_slope,
    seed_average_accuracy,
    seed_variance,
    slope_comparison,
    variance_slopes,
    variance_table,
)


def synthetic_outputs(
    widths=(25, 50, 100, 200),
    gammas=((0.5,), (0.75,), (1.0,)),
    seeds=range(32),
    images=20,
    classes=5,
    times=(0.0, 8.0),
    law=None,
    inner=None,
    seed=0,
    steps_per_epoch=200,
):
    """A frame shaped like Results.outputs whose logits are N(0, law(N, γ, t)) i.i.d. over seeds, images and
    classes.  ``widths``: last widths N_L; ``inner``: a fixed inner width (depth 2) or None (depth 1)."""
    law = law or (lambda n, g, t: 2.0 * n ** (1 - 2 * g[-1]) * (1 + t) ** -0.5)
    rng = np.random.default_rng(seed)
    seeds = list(seeds)
    frames = []
    member = 0
    for block, n in enumerate(widths):
        for g in gammas:
            for s in seeds:
                for epoch, t in enumerate(times):
                    v = law(n, g, t)
                    img, cls = np.meshgrid(np.arange(images), np.arange(classes), indexing="ij")
                    frame = pd.DataFrame(
                        dict(
                            block=block,
                            member=member,
                            seed=s,
                            image=img.ravel(),
                            label=img.ravel() % classes,
                            **{"class": cls.ravel()},
                        )
                    )
                    if inner is None:
                        frame["width_1"], frame["widths"] = n, str(n)
                        frame["gamma_1"] = g[0]
                    else:
                        frame["width_1"], frame["width_2"], frame["widths"] = inner, n, f"{inner}-{n}"
                        frame["gamma_1"], frame["gamma_2"] = g
                    frame["epoch"], frame["step"], frame["t"] = epoch, int(round(t * n)), t
                    frame["logit"] = rng.normal(0.0, math.sqrt(v), size=len(frame)).astype(np.float32)
                    frames.append(frame)
                member += 1
    return pd.concat(frames, ignore_index=True)


def hand_frame():
    """Two seeds, one width, one γ, epochs 0 and 1, two images, two classes, with chosen logits."""
    rows = []
    logits = {  # (seed, epoch, image, class) -> logit
        (0, 0, 0, 0): 1.0,
        (1, 0, 0, 0): 3.0,  # var (ddof 1) = 2, ddof 0 = 1
        (0, 0, 0, 1): 0.0,
        (1, 0, 0, 1): 0.0,  # 0
        (0, 0, 1, 0): -1.0,
        (1, 0, 1, 0): 1.0,  # 2
        (0, 0, 1, 1): 2.0,
        (1, 0, 1, 1): 6.0,  # 8
        (0, 1, 0, 0): 0.0,
        (1, 1, 0, 0): 1.0,  # 0.5
        (0, 1, 0, 1): 5.0,
        (1, 1, 0, 1): 5.0,  # 0
        (0, 1, 1, 0): 0.0,
        (1, 1, 1, 0): 0.0,  # 0
        (0, 1, 1, 1): 4.0,
        (1, 1, 1, 1): 2.0,  # 2
    }
    for (s, e, i, k), v in logits.items():
        rows.append(
            dict(
                block=0,
                member=s,
                seed=s,
                width_1=10,
                widths="10",
                gamma_1=0.75,
                epoch=e,
                step=200 * e,
                t=20.0 * e,
                image=i,
                label=[0, 1][i],
                **{"class": k},
                logit=v,
            )
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------- reductions
def test_seed_variance_is_exact_on_a_hand_made_frame():
    sv = seed_variance(hand_frame()).set_index(["epoch", "image", "class"])
    assert sv.loc[(0, 0, 0), "variance"] == 2.0 and sv.loc[(0, 1, 1), "variance"] == 8.0
    assert sv.loc[(1, 0, 0), "variance"] == 0.5 and sv.loc[(0, 0, 0), "mean"] == 2.0
    assert (sv.n_seeds == 2).all()
    sv0 = seed_variance(hand_frame(), ddof=0).set_index(["epoch", "image", "class"])
    assert sv0.loc[(0, 0, 0), "variance"] == 1.0  # ddof = 0 halves it with two seeds


def test_variance_table_averages_over_images_and_classes():
    table = variance_table(hand_frame(), n_boot=50).set_index("epoch")
    assert table.loc[0, "variance"] == pytest.approx((2 + 0 + 2 + 8) / 4)
    assert table.loc[1, "variance"] == pytest.approx((0.5 + 0 + 0 + 2) / 4)
    assert table.loc[1, "ratio_to_init"] == pytest.approx(0.625 / 3.0)
    assert table.loc[0, "mean_square"] == pytest.approx((2**2 + 0 + 0 + 4**2) / 4)
    assert table.loc[1, "t"] == 20.0 and table.loc[0, "N"] == 10 and table.loc[0, "gammas"] == "0.75"
    assert (table.variance_low <= table.variance_high).all()
    assert (table.n_seeds == 2).all() and (table.n_images == 2).all()
    no_boot = variance_table(hand_frame(), n_boot=0)
    assert no_boot.variance_low.isna().all() and no_boot.variance.notna().all()


def test_variance_table_interval_covers_the_true_variance():
    frame = synthetic_outputs(widths=(50,), gammas=((0.5,),), seeds=range(16), times=(0.0,))
    row = variance_table(frame, n_boot=300).iloc[0]
    assert row.variance_low < 2.0 < row.variance_high  # law: 2 N^0
    assert row.variance == pytest.approx(2.0, rel=0.15)
    assert row.variance_se > 0


def test_seed_average_accuracy_is_exact():
    frame = hand_frame()
    acc = seed_average_accuracy(frame).set_index("epoch")
    # epoch 0: seed 0 predicts image0 → class 0 (1 > 0), image1 → class 1 (2 > -1): 2/2 right (labels 0, 1)
    #          seed 1 predicts image0 → 0 (3 > 0), image1 → 1: 2/2.  mean logits: image0 (2, 0) → 0, image1 (0, 4) → 1
    assert acc.loc[0, "single"] == 1.0 and acc.loc[0, "average"] == 1.0
    # epoch 1: seed 0: image0 (0, 5) → 1 wrong, image1 (0, 4) → 1 right: 1/2; seed 1: (1, 5) → 1 wrong, (0, 2) → 1
    assert acc.loc[1, "single"] == 0.5 and acc.loc[1, "average"] == 0.5 and acc.loc[1, "gain"] == 0.0


def test_average_variance_groups_consecutive_seeds():
    frame = hand_frame()
    frame = frame.assign(seed=frame.seed + 10)  # seeds 10, 11: one group of two is too few
    with pytest.raises(ValueError, match="at least two"):
        average_variance(frame, 2)
    one = average_variance(frame, 1).set_index("epoch")  # groups of one: the plain V
    assert one.loc[0, "variance"] == pytest.approx(3.0) and one.loc[0, "ratio"] == 1.0
    # independent seeds: averaging m of them divides V by about m
    big = synthetic_outputs(widths=(40,), gammas=((0.5,),), seeds=range(48), images=50, times=(0.0,))
    for m in (2, 4):
        row = average_variance(big, m).iloc[0]
        assert row.n_groups == 48 // m and row.ratio == pytest.approx(1 / m, rel=0.25)
    with pytest.raises(ValueError, match="group_size"):
        average_variance(big, 0)


def test_gamma_ordering_sees_a_monotone_fall():
    frame = synthetic_outputs(widths=(100,), gammas=((0.5,), (0.75,), (1.0,)), seeds=range(16), times=(0.0,))
    order = gamma_ordering(variance_table(frame, n_boot=0))
    assert order.monotone.all() and order.ratio.iloc[0] == pytest.approx(100.0, rel=0.3)  # N^0 / N^-1


# ------------------------------------------------------------------------------------------------- slopes
def test_slopes_recover_a_known_law_within_their_interval():
    """Var = 2 N^{1-2γ} (1+t)^{-1/2}, 32 seeds, 100 logits per network: the fitted slope is within 0.1 of 1 - 2γ and
    the 95% interval contains it."""
    frame = synthetic_outputs()
    slopes = variance_slopes(frame, n_boot=400)
    assert set(slopes.t) == {0.0, 8.0} and len(slopes) == 6
    for r in slopes.itertuples():
        assert abs(r.slope - r.outer) < 0.1, r
        assert r.ci_low <= r.outer <= r.ci_high and r.contains_outer
        assert r.n_widths == 4 and r.widths == (25, 50, 100, 200)
        # the intercept is log V at N = 1: log 2 - log(1+t)/2
        assert r.intercept == pytest.approx(math.log(2) - 0.5 * math.log(1 + r.t), abs=0.25)


def test_fast_fit_slope_equals_fit_slope():
    """Same statistic, same bootstrap draws: the O(S²)-per-resample route gives fit_slope's numbers."""
    rng = np.random.default_rng(5)
    widths = (10, 20, 40, 80)
    samples = rng.normal(3.0, 1.0, size=(7, 4, 6, 5)) * np.array(widths)[None, :, None, None] ** -0.4
    slow = fit_slope(widths, samples, "variance", n_boot=300, seed=4)
    fast = fast_fit_slope(widths, [samples[:, j] for j in range(4)], n_boot=300, seed=4)
    for name in ("slope", "intercept", "ci_low", "ci_high", "se"):
        assert getattr(fast, name) == pytest.approx(getattr(slow, name), rel=1e-9, abs=1e-12), name
    with pytest.raises(ValueError, match="one sample array per width"):
        fast_fit_slope(widths, [samples[:, 0]])


def test_variance_table_bootstrap_is_the_plain_bootstrap_rescaled():
    frame = synthetic_outputs(widths=(30,), gammas=((0.75,),), seeds=range(5), images=3, classes=2, times=(0.0,))
    row = variance_table(frame, n_boot=400, seed=9).iloc[0]
    cube = frame.sort_values(["seed", "image", "class"]).logit.to_numpy(float).reshape(5, -1)
    idx = np.random.default_rng(9).integers(0, 5, size=(400, 5))
    boot = np.array([cube[i].var(0, ddof=1).mean() for i in idx]) * 5 / 4
    assert row.variance_low == pytest.approx(np.percentile(boot, 2.5), rel=1e-9)
    assert row.variance_high == pytest.approx(np.percentile(boot, 97.5), rel=1e-9)
    assert row.variance_se == pytest.approx(boot.std(ddof=1), rel=1e-9)


def test_slopes_follow_a_law_steeper_than_the_theory():
    frame = synthetic_outputs(gammas=((0.75,),), law=lambda n, g, t: n**-0.8, times=(0.0,))
    r = variance_slopes(frame, n_boot=200).iloc[0]
    assert r.slope == pytest.approx(-0.8, abs=0.1) and not r.contains_outer


def test_slopes_at_depth_two_use_the_outer_width_and_gamma():
    frame = synthetic_outputs(gammas=((1.0, 0.5), (0.5, 1.0)), inner=50, times=(0.0,))
    slopes = variance_slopes(frame, n_boot=200).set_index("gammas")
    assert slopes.loc["(1, 0.5)", "outer"] == 0.0 and slopes.loc["(0.5, 1)", "outer"] == -1.0
    assert slopes.loc["(1, 0.5)", "all_layers"] == -1.0
    assert abs(slopes.loc["(1, 0.5)", "slope"]) < 0.1 and slopes.loc["(0.5, 1)", "slope"] == pytest.approx(-1, abs=0.1)


def test_slopes_match_only_equal_clocks():
    # widths 25 and 50 reach t = 8 and 16; width 100 reaches t = 4 only: t = 4 has one width and gets no fit
    a = synthetic_outputs(widths=(25, 50), gammas=((1.0,),), times=(0.0, 8.0, 16.0), seeds=range(4))
    b = synthetic_outputs(widths=(100,), gammas=((1.0,),), times=(0.0, 4.0), seeds=range(4))
    slopes = variance_slopes(pd.concat([a, b], ignore_index=True), n_boot=10)
    assert list(slopes.t) == [0.0, 8.0, 16.0] and list(slopes.n_widths) == [3, 2, 2]
    only = variance_slopes(pd.concat([a, b], ignore_index=True), times=[16], n_boot=10)
    assert list(only.t) == [16.0]


def test_slope_comparison_formats_the_fits():
    slopes = variance_slopes(synthetic_outputs(seeds=range(8)), n_boot=50)
    table = slope_comparison(slopes, times=[8.0])
    assert list(table.columns) == ["1 − 2γ_L", "t=8"]
    assert list(table.index) == ["0.5", "0.75", "1"]
    assert table.loc["1", "1 − 2γ_L"] == "-1.00" and table.loc["1", "t=8"].count("[") == 1
    both = slope_comparison(slopes, predictions=("outer", "all_layers"))
    assert list(both.columns) == ["1 − 2γ_L", "Σ(1 − 2γ_ℓ)", "t=0", "t=8"]


def test_predicted_slopes():
    assert outer_slope((0.75,)) == -0.5 and outer_slope(0.5) == 0.0 and outer_slope((1.0, 0.5)) == 0.0
    assert all_layers_slope((1.0, 1.0)) == -2.0 and all_layers_slope((0.5, 1.0)) == -1.0
    assert outer_slope((0.5, 1.0, float("nan"))) == -1.0  # a shallower block's NaN layer is ignored


# ------------------------------------------------------------------------------------------------- errors
def test_bad_input_gives_clear_errors():
    frame = hand_frame()
    with pytest.raises(ValueError, match="DataFrame"):
        variance_table(frame.to_dict())
    with pytest.raises(ValueError, match="lacks the column"):
        variance_table(frame.drop(columns="logit"))
    with pytest.raises(ValueError, match="empty"):
        variance_table(frame.iloc[:0])
    with pytest.raises(ValueError, match="at least 2"):
        variance_table(frame[frame.seed == 0])
    with pytest.raises(ValueError, match="exactly once"):
        variance_table(frame.iloc[1:])
    with pytest.raises(ValueError, match="twice"):
        dup = frame.copy()
        dup.loc[0, "image"] = 1  # (seed 0, epoch 0, image 1, class 0) twice, (…, image 0, …) never
        variance_table(dup)
    with pytest.raises(ValueError, match="non-finite"):
        bad = frame.copy()
        bad.loc[3, "logit"] = np.nan
        variance_table(bad)
    with pytest.raises(ValueError, match="ddof"):
        seed_variance(frame, ddof=2)
    with pytest.raises(ValueError, match="n_boot"):
        variance_table(frame, n_boot=-1)
    with pytest.raises(ValueError, match="labels"):
        seed_average_accuracy(frame.assign(label=-1))


def test_slope_errors_name_the_problem():
    with pytest.raises(ValueError, match="two widths"):
        variance_slopes(hand_frame(), n_boot=10)  # one width only
    a = synthetic_outputs(widths=(25, 50), gammas=((1.0, 0.5),), inner=50, seeds=range(3), times=(0.0,))
    b = synthetic_outputs(widths=(25,), gammas=((1.0, 0.5),), inner=25, seeds=range(3), times=(0.0,))
    with pytest.raises(ValueError, match="several width settings"):
        variance_slopes(pd.concat([a, b], ignore_index=True), n_boot=10)
    # the settings are listed in numeric order of the widths, not as text ("100-25" sorts before "25-25" as text)
    e = synthetic_outputs(widths=(25,), gammas=((1.0, 0.5),), inner=100, seeds=range(3), times=(0.0,))
    with pytest.raises(ValueError, match=r"\['25-25', '100-25'\]"):
        variance_slopes(pd.concat([e, b], ignore_index=True), n_boot=10)
    c = synthetic_outputs(widths=(25,), gammas=((1.0,),), seeds=range(3), times=(0.0,))
    d = synthetic_outputs(widths=(50,), gammas=((1.0,),), seeds=range(1, 4), times=(0.0,))
    with pytest.raises(ValueError, match="same seeds"):
        variance_slopes(pd.concat([c, d], ignore_index=True), n_boot=10)
    with pytest.raises(ValueError, match="times"):
        variance_slopes(synthetic_outputs(seeds=range(3)), times=[3.0], n_boot=10)
    with pytest.raises(ValueError, match="slopes lacks"):
        slope_comparison(pd.DataFrame({"t": [0.0]}))


# ------------------------------------------------------------------------------------------- with a runner
def test_from_a_tiny_experiment(tmp_path):
    """Results.outputs of a real (tiny) run: the tables build, the clocks line up across widths, and at
    initialization the variance of each γ scales like N^{1-2γ} (16 seeds; the law is exact at t = 0)."""
    from gammanet.data import load_mnist
    from gammanet.experiments import Block, Experiment, run_experiment

    exp = Experiment(
        name="test_variance_tiny",
        description="",
        preset="fast",
        bias=False,
        probe=20,
        probe_epochs="all",
        n_train=40,
        n_test=20,
        blocks=tuple(Block((n,), ((0.5,), (1.0,)), tuple(range(16)), n // 10) for n in (10, 40)),
    )
    res = run_experiment(exp, data=load_mnist(source="embedded"), progress=False)
    table = variance_table(res.outputs, n_boot=20)
    assert set(table.N) == {10, 40} and set(table.gammas) == {"0.5", "1"}
    slopes = variance_slopes(res.outputs, n_boot=200).set_index(["gammas", "t"])
    assert set(slopes.index.get_level_values("t")) == {0.0, 0.2}  # 2 steps per epoch, n/10 epochs: t = 2(n/10)/n
    assert abs(slopes.loc[("1", 0.0), "slope"] - (-1.0)) < 0.35
    assert abs(slopes.loc[("0.5", 0.0), "slope"]) < 0.35
    acc = seed_average_accuracy(res.outputs)
    assert acc.single.between(0, 1).all() and acc.average.between(0, 1).all()


def test_widths_are_written_in_layer_order():
    """Width columns are ordered by layer number, not as strings (width_10 after width_9)."""
    from gammanet import variance

    config = {f"width_{i}": 10 * i for i in range(1, 12)} | {"gamma_1": 0.5}
    assert variance._widths_text(config) == "-".join(str(10 * i) for i in range(1, 12))
    assert variance._last_width(config) == 110
