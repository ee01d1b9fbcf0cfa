"""The claim tables of chapters 6–8 apply their stated rules: checked on hand-made slopes, histories and logits
whose answers are known exactly."""

import itertools

import pandas as pd
import pytest
import torch

from gammanet.claims import SENTENCES, accuracy_claims, slope_status, stored_claims, variance_claims
from gammanet.exercises.chapter7 import synthetic_frame


def slopes(rows):
    return pd.DataFrame(rows, columns=["gammas", "slope", "ci_low", "ci_high", "outer"])


@pytest.mark.parametrize(
    "rows, expected",
    [
        ([("a", -0.02, -0.1, 0.05, 0.0), ("b", -0.98, -1.05, -0.9, -1.0)], "holds"),
        # intervals miss, within 0.5 and in the predicted order: the exponents are off by sub-leading amounts
        (
            [("a", -0.15, -0.2, -0.1, 0.0), ("b", -0.7, -0.75, -0.65, -0.5), ("c", -1.02, -1.1, -0.95, -1.0)],
            "leading order only",
        ),
        ([("a", -0.15, -0.2, -0.1, 0.0), ("b", -0.9, -0.95, -0.85, -0.5), ("c", -0.8, -0.9, -0.7, -1.0)], "fails"),
        ([("a", -0.7, -0.75, -0.65, 0.0), ("b", -1.0, -1.05, -0.95, -1.0)], "fails"),  # off by more than 0.5
        # equal predictions (a tie) do not demand an order between their slopes
        (
            [("a", -0.1, -0.2, -0.05, 0.0), ("b", -0.2, -0.25, -0.15, 0.0), ("c", -1.2, -1.3, -1.1, -1.0)],
            "leading order only",
        ),
    ],
)
def test_slope_status_follows_its_rule(rows, expected):
    assert slope_status(slopes(rows)) == expected


def history(accuracy, gammas, seeds=(0, 1, 2)):
    rows = [
        dict(
            seed=s,
            **{f"gamma_{i + 1}": v for i, v in enumerate(g)},
            epoch=1,
            step=10,
            t=0.1,
            test_accuracy=accuracy(g, s),
            status="ok",
        )
        for g, s in itertools.product(gammas, seeds)
    ]
    return pd.DataFrame(rows)


def test_accuracy_claims_on_grids_with_known_answers():
    shallow = history(lambda g, s: 0.5 + 0.3 * g[0] + 0.01 * s, [(0.5,), (0.75,), (1.0,)])
    grid2 = list(itertools.product([0.5, 1.0], repeat=2))
    mlp2 = history(lambda g, s: 0.1 if g == (1.0, 1.0) else 0.8, grid2)  # the biased corner collapses
    mlp2_nobias = history(lambda g, s: 0.5 + 0.05 * g[0] + 0.2 * g[1], grid2)
    grid3 = list(itertools.product([0.5, 1.0], repeat=3))
    mlp3 = history(lambda g, s: 0.6 - 0.2 * g[0] + 0.1 * g[1] + 0.3 * g[2], grid3)  # γ_1 reverses
    claims = accuracy_claims(shallow, mlp2, mlp2_nobias, mlp3).set_index("key").holds
    assert "authors_behind" not in claims  # only with the authors' grid
    assert claims["shallow_rising"] and claims["shallow_paired"]
    assert claims["mlp2_each"] and claims["mlp2_outer"]
    assert not claims["mlp2_corner"]  # the biased corner collapses
    assert claims["mlp3_outer"]
    assert not claims["mlp3_inner"]  # γ_1 reverses
    assert not claims["mlp3_best"]  # (0.5, 1, 1) is the best


def test_variance_claims_on_logits_with_a_known_law():
    # Var = 1.5 N^{1-2γ} (1 + t): the width law holds at every t, falls with γ, and GROWS with t.
    frame = synthetic_frame(
        widths=(10, 20, 40, 80),
        gammas=(0.5, 0.75, 1.0),
        seeds=40,
        images=6,
        classes=4,
        times=(0.0, 4.0),
        seed=5,
        law=lambda n, g, t: 1.5 * n ** (1 - 2 * g) * (1 + t),
    )
    claims = variance_claims(frame, n_boot=200).set_index("prediction").status
    assert claims.filter(like="1. Var at initialization").item() == "holds"
    assert claims.filter(like="2. Var after training").item() == "holds"
    assert claims.filter(like="3. at fixed N").item() == "holds"
    assert claims.filter(like="4. Var falls with t").item() == "fails for γ = 0.5, 0.75, 1"


def test_stored_claims_train_nothing_and_name_what_is_missing(tmp_path):
    out = stored_claims(
        dict(shallow="ch4_shallow", mlp2="ch4_mlp2", mlp2_nobias="ch4_mlp2_nobias", mlp3="ch4_mlp3_nobias"),
        dict(shallow="ch5_shallow_variance"),
        store=tmp_path,
    )
    assert out["accuracy"] is None and out["variance"] is None
    assert set(out["missing"]) == {
        "ch4_shallow",
        "ch4_mlp2",
        "ch4_mlp2_nobias",
        "ch4_mlp3_nobias",
        "ch5_shallow_variance",
    }
    assert not any(tmp_path.iterdir())  # nothing was written: nothing was trained


# --------------------------------------------------------------------------- the sentences the chapters print
NEGATIONS = (" not ", "n't", " no longer ", " none ")


def assert_sentences_follow(table):
    """Every generated sentence quotes its row's measurement and says "not" exactly when its row does not hold."""
    from gammanet.claims import claim_sentences, status_class

    sentences = claim_sentences(table)
    assert len(sentences) == len(table)
    for (_, row), sentence in zip(table.iterrows(), sentences):
        negative = any(word in f" {sentence} " for word in NEGATIONS)
        cls = status_class(row)
        if cls != "leading order only":
            assert negative == (cls == "fails"), (row["key"], cls, sentence)
        if "{measured}" in SENTENCES[row["key"]][cls]:
            assert str(row["measured"]) in sentence, (row["key"], sentence)
        if cls == "leading order only":
            assert "leading order only" in sentence, sentence
    return [status_class(row) for _, row in table.iterrows()]


def test_every_claim_has_a_sentence_for_each_status_it_can_take():
    for key, texts in SENTENCES.items():
        assert {"holds", "fails"} <= set(texts), key
        assert not any(word in f" {texts['holds']} " for word in NEGATIONS), key
        assert any(word in f" {texts['fails']} " for word in NEGATIONS), key


def test_an_unknown_claim_or_status_is_an_error():
    from gammanet.claims import claim_sentences

    with pytest.raises(ValueError, match="no sentences for the claim 'nothing'"):
        claim_sentences(pd.DataFrame([dict(key="nothing", measured="1", holds=True)]))
    with pytest.raises(ValueError, match="'maybe' is none of"):
        claim_sentences(pd.DataFrame([dict(key="p3_gamma", measured="1", status="maybe")]))


def test_sentences_on_grids_where_claims_fail():
    """Hand-made histories where some claims hold and some fail."""
    shallow = history(lambda g, s: 0.5 + 0.3 * g[0] + 0.01 * s, [(0.5,), (0.75,), (1.0,)])
    authors = history(lambda g, s: 0.9 - 0.3 * g[0], [(0.5,), (0.75,), (1.0,)])  # ahead at γ = 1/2
    grid2 = list(itertools.product([0.5, 1.0], repeat=2))
    mlp2 = history(lambda g, s: 0.1 if g == (1.0, 1.0) else 0.8, grid2)
    mlp2_nobias = history(lambda g, s: 0.5 + 0.05 * g[0] + 0.2 * g[1], grid2)
    mlp3 = history(
        lambda g, s: 0.6 - 0.2 * g[0] + 0.1 * g[1] + 0.3 * g[2], list(itertools.product([0.5, 1.0], repeat=3))
    )
    table = accuracy_claims(shallow, mlp2, mlp2_nobias, mlp3, authors)
    classes = dict(zip(table.key, assert_sentences_follow(table)))
    assert classes["authors_behind"] == classes["mlp2_corner"] == classes["mlp3_inner"] == "fails"
    assert classes["shallow_rising"] == classes["mlp2_outer"] == classes["mlp3_outer"] == "holds"


def tiny_chapter_runs(mnist, data_seed, seeds):
    """The MNIST chapters' experiments (chapters 6 and 7) at tiny sizes: the same grids, presets and biases, widths
    8-16, 200 training images, a few epochs; trained in memory."""
    from gammanet.experiments import Block, get_experiment, run_experiment
    from gammanet.experiments.chapters import CH5_DEEP_GAMMAS

    def run(name, blocks, **changes):
        exp = get_experiment(name).replace(
            name=f"{name}_tiny", blocks=blocks, n_train=200, n_test=100, data_seed=data_seed, **changes
        )
        return run_experiment(exp, data=mnist, progress=False)

    grid = lambda name: get_experiment(name).blocks[0].gamma_grid  # noqa: E731
    acc = dict(
        shallow=run("ch4_shallow", (Block((16,), grid("ch4_shallow"), seeds, 2),)).history,
        authors=run("ch4_shallow_authors", (Block((16,), grid("ch4_shallow"), seeds, 2),)).history,
        mlp2=run("ch4_mlp2", (Block((10, 10), grid("ch4_mlp2"), seeds[:2], 2),)).history,
        mlp2_nobias=run("ch4_mlp2_nobias", (Block((10, 10), grid("ch4_mlp2"), seeds[:2], 2),)).history,
        mlp3=run("ch4_mlp3_nobias", (Block((8, 8, 8), grid("ch4_mlp3_nobias"), seeds[:2], 2),)).history,
    )
    gammas = ((0.5,), (0.75,), (1.0,))
    shallow = run("ch5_shallow_variance", tuple(Block((n,), gammas, seeds, n // 8) for n in (8, 16, 32)), probe=20)
    deep_blocks = tuple(Block(w, CH5_DEEP_GAMMAS, seeds, w[-1] // 8) for w in ((8, 8), (16, 16), (8, 16), (8, 32)))
    deep = run("ch5_deep_variance", deep_blocks, probe=20)
    return acc, shallow.outputs, deep.outputs


@pytest.mark.parametrize("data_seed, seeds", [(0, (0, 1, 2, 3)), (1, (4, 5, 6, 7))], ids=["run-a", "run-b"])
def test_the_mnist_chapters_sentences_hold_of_their_tables_in_two_runs(mnist, data_seed, seeds):
    """Chapters 6 and 7 print claim_sentences of their tables: in two runs (other data order, other seeds) every
    sentence agrees with its row, whatever the run decided."""
    torch.set_num_threads(1)
    acc, shallow, deep = tiny_chapter_runs(mnist, data_seed, seeds)
    accuracy = accuracy_claims(acc["shallow"], acc["mlp2"], acc["mlp2_nobias"], acc["mlp3"], acc["authors"])
    variance = variance_claims(shallow, deep, inner_width=8, n_boot=50)
    assert list(accuracy.key) == [
        "shallow_rising",
        "shallow_paired",
        "authors_behind",
        "mlp2_each",
        "mlp2_outer",
        "mlp2_corner",
        "mlp3_outer",
        "mlp3_inner",
        "mlp3_best",
    ]
    assert list(variance.key) == ["p1_init", "p2_trained", "p3_gamma", "p4_time", "p8_init", "p8_trained"]
    classes = assert_sentences_follow(accuracy) + assert_sentences_follow(variance)
    assert "holds" in classes and "fails" in classes  # both kinds of sentence are exercised in every run


def test_the_status_chart_has_one_row_per_claim_in_its_status_colour():
    import matplotlib

    matplotlib.use("Agg")
    from gammanet.plots import STATUS_COLOURS, claim_status_chart

    accuracy = pd.DataFrame(
        [
            dict(key="mlp3_best", claim="best", measured="x", holds=True),
            dict(key="mlp3_inner", claim="inner " * 30, measured="y", holds=False),
        ]
    )
    theory = pd.DataFrame([dict(prediction="1. law", measured="z", status="leading order only")])
    ax = claim_status_chart({"MNIST": accuracy, "width laws": theory})
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "MNIST: best" and labels[1].endswith("…") and labels[2] == "width laws: 1. law"
    colours = ax.collections[0].get_facecolors()
    expected = [STATUS_COLOURS[c] for c in ("holds", "fails", "leading order only")]
    assert [matplotlib.colors.to_hex(c) for c in colours] == expected
