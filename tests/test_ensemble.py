"""The batched engine: every member equals fit run alone; divergence stays isolated; resuming is exact."""

import io
import math

import numpy as np
import pandas as pd
import pytest
import torch

from gammanet import GammaMLP, fit
from gammanet.ensemble import Ensemble, train_grid
from gammanet.train import HISTORY_COLUMNS, evaluate

# float32: batched GEMMs and the fused update sum in another order than fit; a few hundred steps stay below this.
RTOL = 1e-5


def fit_member(data, widths, gammas, seed, epochs, data_seed, **kw):
    """Member (gammas, seed) trained alone with fit: its history and its final model."""
    model = GammaMLP(
        widths,
        gammas,
        activation=kw.pop("activation", "sigmoid"),
        readout=kw.pop("readout", "centered"),
        input_scale=kw.pop("input_scale", 1.0),
        seed=seed,
    )
    return fit(model, data, epochs, seed=data_seed, progress=False, **kw), model


def last_ensemble(store):
    def on_epoch_end(epoch, ensemble, rows):
        store["ensemble"] = ensemble

    return on_epoch_end


def assert_member_equals_fit(sub, history, n_examples):
    sub = sub.reset_index(drop=True)
    assert sub.epoch.tolist() == history.epoch.tolist()
    assert sub.step.tolist() == history.step.tolist() and sub.status.tolist() == history.status.tolist()
    np.testing.assert_allclose(sub.t, history.t, rtol=0, atol=0)
    for col in ("train_loss", "test_loss"):
        np.testing.assert_allclose(sub[col], history[col], rtol=RTOL, atol=0, err_msg=col)
    for col, n in zip(("train_accuracy", "test_accuracy"), n_examples):
        # Accuracy can only move by a prediction whose two best logits tie to float rounding: at most one example.
        np.testing.assert_allclose(sub[col], history[col], rtol=0, atol=1.01 / n, err_msg=col)


def assert_same_parameters(model, reference):
    for (name, p), q in zip(model.named_parameters(), reference.parameters()):
        q = q.detach()
        torch.testing.assert_close(p.detach(), q, rtol=RTOL, atol=RTOL * float(q.abs().max()), msg=name)


@pytest.mark.parametrize(
    "widths, grid, loss, data_order, shuffle, readout",
    [
        ((16,), [0.5, 0.75, 1.0], "ce", "shared", True, "centered"),
        ((16,), ["xavier", "mean_field"], "mse", "per_member", True, "authors"),
        ((16, 12), [(0.5, 1.0), (1.0, 0.6)], "mse", "shared", False, "authors"),
        ((16, 12), [(0.5, 1.0), (1.0, 0.6)], "ce", "per_member", True, "centered"),
        ((16, 12, 8), [(0.5, 0.7, 1.0), (1.0, 1.0, 1.0)], "ce", "shared", False, "authors"),
        ((16, 12, 8), [(0.5, 0.7, 1.0), (0.9, 0.6, 0.5)], "mse", "per_member", True, "centered"),
    ],
)
def test_every_member_equals_fit(small_mnist, widths, grid, loss, data_order, shuffle, readout):
    seeds, store = [3, 4], {}
    df = train_grid(
        widths,
        grid,
        seeds,
        small_mnist,
        epochs=3,
        loss=loss,
        alpha=2.0,
        shuffle=shuffle,
        readout=readout,
        data_order=data_order,
        data_seed=0,
        progress=False,
        on_epoch_end=last_ensemble(store),
    )
    members = [(g, s) for g in grid for s in seeds]
    assert df.member.nunique() == len(members)
    for m, (gammas, seed) in enumerate(members):
        data_seed = 0 if data_order == "shared" else seed
        history, model = fit_member(
            small_mnist,
            widths,
            gammas,
            seed,
            3,
            data_seed=data_seed,
            loss=loss,
            alpha=2.0,
            shuffle=shuffle,
            readout=readout,
        )
        assert_member_equals_fit(df[df.member == m], history, (small_mnist.n_train, small_mnist.n_test))
        assert_same_parameters(store["ensemble"].member_model(m), model)


def test_tanh_input_scale_and_partial_batches(small_mnist):
    # batch 30 leaves a last batch of 20 (fit keeps it, as the authors' DataLoader); per-member alphas.
    grid, seeds, alphas = [(0.5, 0.5), (1.0, 0.75)], [7], [5.0, 0.5]
    store = {}
    df = train_grid(
        (10, 6),
        grid,
        seeds,
        small_mnist,
        epochs=2,
        batch_size=30,
        alpha=alphas,
        activation="tanh",
        input_scale=0.1,
        data_order="per_member",
        progress=False,
        on_epoch_end=last_ensemble(store),
    )
    assert df.step.max() == 14  # 2 epochs × ceil(200 / 30)
    for m, (gammas, alpha) in enumerate(zip(grid, alphas)):
        history, model = fit_member(
            small_mnist,
            (10, 6),
            gammas,
            7,
            2,
            data_seed=7,
            batch_size=30,
            alpha=alpha,
            activation="tanh",
            input_scale=0.1,
        )
        assert_member_equals_fit(df[df.member == m], history, (small_mnist.n_train, small_mnist.n_test))
        assert_same_parameters(store["ensemble"].member_model(m), model)


def test_large_batches_take_the_single_gemm_path_and_match_fit(mnist):
    # B = 300 ≥ GEMM_MIN_ROWS: layer 1 of all members is one (B, d) @ (d, M·N_1) GEMM; the last batch (100) is not.
    data, store = mnist.subset(1000, 200), {}
    df = train_grid(
        (16, 12),
        [(0.5, 1.0), (1.0, 1.0)],
        [3],
        data,
        epochs=2,
        batch_size=300,
        progress=False,
        on_epoch_end=last_ensemble(store),
    )
    for m, gammas in enumerate([(0.5, 1.0), (1.0, 1.0)]):
        history, model = fit_member(data, (16, 12), gammas, 3, 2, data_seed=0, batch_size=300)
        assert_member_equals_fit(df[df.member == m], history, (data.n_train, data.n_test))
        assert_same_parameters(store["ensemble"].member_model(m), model)


def test_members_start_exactly_as_gammamlp_and_forward_matches(small_mnist):
    models = [GammaMLP((12, 9), g, readout=r, seed=s) for g, r, s in [((0.5, 1.0), "authors", 1), (1.0, "centered", 2)]]
    ens = Ensemble.from_models(models)
    for m, model in enumerate(models):
        for p, q in zip(ens.member_model(m).parameters(), model.parameters()):
            assert torch.equal(p, q)  # stacking copies, bit for bit
    x, y = small_mnist.x_test, small_mnist.y_test
    logits = ens.forward(x)  # one GEMM for layer 1 (many shared rows)
    few = ens.forward(x[:20])  # per-member GEMMs
    loss, accuracy = ens.evaluate(x, y, chunk=37)
    for m, model in enumerate(models):
        with torch.no_grad():
            torch.testing.assert_close(logits[m], model(x), rtol=1e-5, atol=1e-5)
            torch.testing.assert_close(few[m], model(x[:20]), rtol=1e-5, atol=1e-5)
        ref_loss, ref_acc = evaluate(model, x, y)
        assert loss[m].item() == pytest.approx(ref_loss, rel=1e-5) and accuracy[m].item() == ref_acc
    # Built from (gammas, seeds) directly, the same members.
    direct = Ensemble((12, 9), [(0.5, 1.0), 1.0], [1, 2], readout="centered")
    assert torch.equal(direct.weights[0][1], ens.weights[0][1]) and direct.rates.shape == (2, 3)


def test_divergence_is_isolated(small_mnist):
    # MSE with a huge step overflows: α = 100 mid-epoch 2, α = 500 on the last update of epoch 1 (so the
    # evaluation is what finds it); the other members must not notice.
    widths, grid, seeds = (16, 12), [(1.0, 1.0), (0.5, 0.7), (0.7, 1.0)], [1, 2]
    alphas = [100.0, 500.0, 1.0, 1.0, 1.0, 1.0]
    store = {}
    df = train_grid(
        widths,
        grid,
        seeds,
        small_mnist,
        epochs=4,
        loss="mse",
        alpha=alphas,
        progress=False,
        on_epoch_end=last_ensemble(store),
    )
    calm = train_grid(widths, grid[1:], seeds, small_mnist, epochs=4, loss="mse", progress=False)
    ens = store["ensemble"]
    for m, seed in ((0, 1), (1, 2)):
        history, model = fit_member(small_mnist, widths, grid[0], seed, 4, data_seed=0, loss="mse", alpha=alphas[m])
        assert history.status.iloc[-1] == "diverged"  # the test's premise
        sub = df[df.member == m].reset_index(drop=True)
        assert sub.status.iloc[-1] == "diverged" and (sub.status.iloc[:-1] == "ok").all()
        assert sub.step.tolist() == history.step.tolist() and sub.epoch.tolist() == history.epoch.tolist()
        np.testing.assert_allclose(sub.train_loss, history.train_loss, rtol=RTOL)  # inf == inf, nan == nan
        np.testing.assert_array_equal(sub.test_accuracy.isna(), history.test_accuracy.isna())
        # Frozen where fit stopped.  An exploding trajectory amplifies the float32 rounding differences (the
        # weights grew by ~10^18 here), hence a looser tolerance than for the calm members; how much it amplifies
        # depends on the CPU's GEMM kernels (largest difference 0.13% of the largest entry on an Intel Xeon, under
        # 0.1% on an AMD EPYC).  One step more or less would move these weights by far more than 1%.
        for p, q in zip(ens.member_model(m).parameters(), model.parameters()):
            q = q.detach()
            torch.testing.assert_close(p.detach(), q, rtol=1e-2, atol=1e-2 * float(q.abs().max()), equal_nan=True)
    mid, at_eval = df[df.member == 0].iloc[-1], df[df.member == 1].iloc[-1]
    assert mid.step % 10 != 0 and math.isnan(mid.train_accuracy)  # found by the step's loss, mid-epoch
    assert at_eval.step == 10 and not math.isnan(at_eval.train_accuracy)  # found by the evaluation
    assert ens.active.tolist() == [False, False, True, True, True, True]
    for m in range(2, 6):
        sub, other = df[df.member == m].reset_index(drop=True), calm[calm.member == m - 2].reset_index(drop=True)
        assert (sub.status == "ok").all() and len(sub) == 5
        for col in ("train_loss", "test_loss", "train_accuracy", "test_accuracy"):
            np.testing.assert_allclose(sub[col], other[col], rtol=RTOL, err_msg=col)
        assert all(torch.isfinite(p).all() for p in ens.member_model(m).parameters())


def test_a_frozen_members_nan_and_inf_stay_its_own(small_mnist):
    # NaN in member 0's W^1 makes all its activations NaN (and its loss: it freezes at step 1); inf in its W^2
    # makes 0·inf = NaN in its back-propagation.  Its parameters must stay bit for bit; member 1 must not notice.
    ens, alone = Ensemble((8, 6), [0.5, 1.0], [0, 1]), Ensemble((8, 6), [1.0], [1])
    ens.weights[0][0, 0, 0], ens.weights[1][0, 0, 0] = math.nan, math.inf
    before = ens.state_dict()
    for i in range(3):
        x, y = small_mnist.x_train[20 * i : 20 * (i + 1)], small_mnist.y_train[20 * i : 20 * (i + 1)]
        assert torch.isnan(ens.step(x, y)[0])
        alone.step(x, y)
    assert ens.active.tolist() == [False, True] and ens.diverged_step.tolist() == [1, -1]
    assert math.isnan(ens.diverged_loss[0])
    after = ens.state_dict()
    for key in [k for k in after if k.endswith((".weight", ".bias"))]:
        torch.testing.assert_close(after[key][0], before[key][0], rtol=0, atol=0, equal_nan=True, msg=key)
    assert not torch.equal(after["C.weight"][1], before["C.weight"][1])  # member 1 did train
    for p, q in zip(ens.member_model(1).parameters(), alone.member_model(0).parameters()):
        torch.testing.assert_close(p, q, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("data_order, shuffle", [("shared", True), ("per_member", True), ("shared", False)])
def test_resume_equals_uninterrupted(small_mnist, data_order, shuffle):
    widths, grid, seeds = (14, 10), [(1.0, 1.0), (0.5, 0.8)], [5, 6]
    alphas = [60.0, 1.0, 1.0, 1.0]  # member 0 diverges within the run: resuming must keep it stopped
    kw = dict(loss="mse", alpha=alphas, data_order=data_order, shuffle=shuffle, progress=False)
    saved = {}

    def checkpoint(epoch, ensemble, rows):  # what a runner does: serialize the state after each epoch
        buffer = io.BytesIO()
        torch.save(ensemble.state_dict(), buffer)
        saved[epoch] = buffer.getvalue()

    full = train_grid(widths, grid, seeds, small_mnist, epochs=4, on_epoch_end=checkpoint, **kw)
    assert (full[full.member == 0].status == "diverged").any()
    head = train_grid(widths, grid, seeds, small_mnist, epochs=2, **kw)
    assert sorted(saved) == [0, 1, 2, 3, 4]
    for start in (0, 2, 3):
        state = torch.load(io.BytesIO(saved[start]), weights_only=True)
        tail = train_grid(widths, grid, seeds, small_mnist, epochs=4, start_epoch=start, initial_state=state, **kw)
        expected = full[full.epoch > start].reset_index(drop=True) if start else full
        pd.testing.assert_frame_equal(tail, expected, check_exact=True)
    pd.testing.assert_frame_equal(head, full[full.epoch <= 2].reset_index(drop=True), check_exact=True)
    with pytest.raises(ValueError, match="not the state after that epoch"):
        train_grid(
            widths,
            grid,
            seeds,
            small_mnist,
            epochs=4,
            start_epoch=3,
            initial_state=torch.load(io.BytesIO(saved[2]), weights_only=True),
            **kw,
        )


def test_dataframe_layout_and_config(small_mnist, capsys):
    grid, seeds, store = [(0.5, 1.0, 0.7), "mean_field"], [0, 9, 4], {}
    df = train_grid(
        (8, 8, 8),
        grid,
        seeds,
        small_mnist,
        epochs=2,
        progress=False,
        data_order="per_member",
        on_epoch_end=lambda epoch, ens, rows: store.setdefault(epoch, (ens.state_dict(), rows)),
    )
    assert list(df.columns) == ["member", "seed", "gamma_1", "gamma_2", "gamma_3", "alpha"] + HISTORY_COLUMNS
    assert len(df) == len(grid) * len(seeds) * 3 and (df.status == "ok").all()
    first = df[df.epoch == 0]
    assert first.member.tolist() == list(range(6)) and first.seed.tolist() == seeds * 2  # γ-major
    assert first[["gamma_1", "gamma_2", "gamma_3"]].values.tolist() == [[0.5, 1.0, 0.7]] * 3 + [[1.0, 1.0, 1.0]] * 3
    assert df.groupby("member").epoch.apply(list).tolist() == [[0, 1, 2]] * 6
    np.testing.assert_allclose(df.t, df.step / 8)
    cfg = df.attrs["config"]
    assert cfg["seeds"] == seeds and cfg["gamma_grid"][1] == [1.0, 1.0, 1.0] and cfg["data_order"] == "per_member"
    assert [m["data_seed"] for m in cfg["members"]] == seeds * 2 and cfg["alpha"] == [1.0] * 6
    assert capsys.readouterr().err == ""  # progress=False is quiet
    assert sorted(store) == [0, 1, 2] and [r["member"] for r in store[0][1]] == list(range(6))
    # The same seed under another γ is the same draw (common random numbers); another seed is another draw.
    W1 = store[0][0]["W1.weight"]
    assert torch.equal(W1[0], W1[3]) and torch.equal(W1[2], W1[5]) and not torch.equal(W1[0], W1[1])


def test_state_dict_round_trip_and_member_checks(small_mnist):
    ens = Ensemble((6,), [0.5, 1.0], [0, 1])
    ens.step(small_mnist.x_train[:20], small_mnist.y_train[:20])
    state = ens.state_dict()
    other = Ensemble((6,), [0.5, 1.0], [0, 1])
    other.load_state_dict(state)
    assert other.steps == 1 and all(torch.equal(a, b) for a, b in zip(other.weights, ens.weights))
    with pytest.raises(ValueError, match="another ensemble"):
        Ensemble((6,), [0.5, 0.7], [0, 1]).load_state_dict(state)
    with pytest.raises(ValueError, match="member 2 does not exist"):
        ens.member_model(2)
    with pytest.raises(ValueError, match="widths"):
        Ensemble.from_models([GammaMLP((6,), 0.5), GammaMLP((7,), 0.5)])


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(gamma_grid=[]), "gamma_grid"),
        (dict(gamma_grid="xavier"), "gamma_grid='xavier'"),
        (dict(gamma_grid=[(0.4, 1.0)]), "gamma_1 = 0.4"),
        (dict(gamma_grid=[(0.5, 1.0), (0.5, 1.0)]), "repeats"),
        (dict(gamma_grid=[(0.5, 1.0, 1.0)]), "3 gammas"),
        (dict(seeds=[-1]), "seed -1"),
        (dict(seeds=[2, 2]), "seed 2 appears twice"),
        (dict(seeds=[]), "seeds"),
        (dict(alpha=0.0), "alpha=0.0"),
        (dict(alpha=[1.0, 2.0, 3.0]), "alpha has 3 entries for 2 members"),
        (dict(alpha=[1.0, float("nan")]), r"alpha\[1\]=nan"),
        (dict(data_order="random"), "data_order='random'"),
        (dict(loss="l1"), "loss='l1'"),
        (dict(activation="relu"), "activation='relu'"),
        (dict(readout="zero"), "readout='zero'"),
        (dict(batch_size=0), "batch_size=0"),
        (dict(batch_size=1000), "batch_size=1000"),
        (dict(epochs=-1), "epochs=-1"),
        (dict(widths=(4, 0)), "N_2 = 0"),
        (dict(start_epoch=3), "start_epoch=3"),
        (dict(start_epoch=1), "initial_state"),
        (dict(data_seed=-2), "data_seed=-2"),
        (dict(data=(1, 2)), "MNISTData"),
        (dict(on_epoch_end="save"), "on_epoch_end='save'"),
    ],
)
def test_bad_inputs_raise_value_errors_naming_them(small_mnist, change, message):
    args = dict(widths=(4, 3), gamma_grid=[(0.5, 1.0)], seeds=[0, 1], data=small_mnist, epochs=2, progress=False)
    args.update(change)
    with pytest.raises(ValueError, match=message):
        train_grid(**args)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu(small_mnist):
    kw = dict(epochs=2, progress=False, data_order="per_member")
    cpu = train_grid((16, 12), [(0.5, 1.0), 1.0], [0, 1], small_mnist, device="cpu", **kw)
    gpu = train_grid((16, 12), [(0.5, 1.0), 1.0], [0, 1], small_mnist, device="cuda", **kw)
    for col in ("train_loss", "test_loss"):
        np.testing.assert_allclose(gpu[col], cpu[col], rtol=1e-4)
    assert gpu.step.tolist() == cpu.step.tolist()


@pytest.mark.parametrize("widths, grid", [((16,), [0.5, 1.0]), ((16, 12, 8), [(0.5, 0.7, 1.0), (1.0, 1.0, 1.0)])])
def test_members_without_biases_equal_fit(small_mnist, widths, grid):
    store = {}
    df = train_grid(
        widths,
        grid,
        [2],
        small_mnist,
        epochs=2,
        alpha=3.0,
        activation="tanh",
        input_scale=1 / 28,
        bias=False,
        progress=False,
        on_epoch_end=last_ensemble(store),
    )
    assert df.attrs["config"]["bias"] is False
    ensemble = store["ensemble"]
    assert all(float(b.abs().max()) == 0.0 for b in ensemble.biases)  # never updated
    for m, gammas in enumerate(grid):
        model = GammaMLP(widths, gammas, activation="tanh", input_scale=1 / 28, seed=2, bias=False)
        history = fit(model, small_mnist, 2, seed=0, alpha=3.0, progress=False)
        assert_member_equals_fit(df[df.member == m], history, (small_mnist.n_train, small_mnist.n_test))
        assert_same_parameters(ensemble.member_model(m), model)


def test_members_must_agree_on_biases():
    models = [GammaMLP((8,), 0.5, seed=0), GammaMLP((8,), 0.5, seed=1, bias=False)]
    with pytest.raises(ValueError, match=r"member 1 has bias=False but member 0 has True"):
        Ensemble.from_models(models)


def test_a_preset_with_keyword_overrides(small_mnist):
    """train_grid(..., preset, **overrides) trains exactly what the same settings given one by one train."""
    kw = dict(widths=(6,), gamma_grid=[0.5, 1.0], seeds=[0], data=small_mnist, epochs=1, progress=False)
    by_preset = train_grid(**kw, preset="fast", alpha=3.0, bias=False)
    explicit = train_grid(
        **kw,
        activation="tanh",
        readout="centered",
        input_scale=1 / 28,
        alpha=3.0,
        batch_size=20,
        shuffle=True,
        loss="ce",
        bias=False,
    )
    pd.testing.assert_frame_equal(by_preset, explicit, check_exact=True)
    assert by_preset.attrs["config"]["preset"] == "fast" and explicit.attrs["config"]["preset"] == "default"
    assert by_preset.attrs["config"]["alpha"] == [3.0, 3.0] and by_preset.attrs["config"]["bias"] is False
    from gammanet.presets import get_preset

    same = train_grid(**kw, preset=get_preset("fast"), alpha=3.0, bias=False)
    pd.testing.assert_frame_equal(same, by_preset, check_exact=True)
    with pytest.raises(ValueError, match=r"unknown setting\(s\) \['lr'\]"):
        train_grid(**kw, lr=0.1)
