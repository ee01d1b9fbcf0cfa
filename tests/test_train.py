"""fit: the tidy history, the clock t = k/N_L, reproducibility, divergence handling, actual learning."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from gammanet import GammaMLP, fit
from gammanet.train import HISTORY_COLUMNS, data_order


def test_history_shape_and_clock(small_mnist):
    m = GammaMLP((30, 40), (1.0, 0.7), seed=0)
    h = fit(m, small_mnist, epochs=3, batch_size=20, progress=False)
    assert list(h.columns) == HISTORY_COLUMNS
    assert h.epoch.tolist() == [0, 1, 2, 3]
    assert h.step.tolist() == [0, 10, 20, 30]  # 200 examples / batch 20 = 10 steps per epoch
    np.testing.assert_allclose(h.t, h.step / 40)  # t = k / N_L
    assert (h.status == "ok").all()
    assert h[["train_accuracy", "test_accuracy"]].apply(lambda c: c.between(0, 1)).all().all()
    cfg = h.attrs["config"]
    assert cfg["seed"] == 0 and cfg["model"]["gammas"] == [1.0, 0.7] and cfg["alpha"] == 1.0


def test_partial_last_batch_is_kept(small_mnist):
    h = fit(GammaMLP((10,), 0.5, seed=0), small_mnist, epochs=1, batch_size=30, progress=False)
    assert h.step.iloc[-1] == 7  # ceil(200 / 30)


def test_same_seed_same_history_on_cpu(small_mnist):
    runs = [fit(GammaMLP((25, 25), (0.6, 0.9), seed=4), small_mnist, 2, seed=11, progress=False) for _ in range(2)]
    pd.testing.assert_frame_equal(runs[0], runs[1], check_exact=True)
    other = fit(GammaMLP((25, 25), (0.6, 0.9), seed=4), small_mnist, 2, seed=12, progress=False)
    assert not other.train_loss.iloc[1:].equals(runs[0].train_loss.iloc[1:])  # the data order matters


def test_data_order_depends_only_on_seed_and_epoch():
    a, b = data_order(100, 3, seed=5), data_order(100, 3, seed=5)
    assert torch.equal(a, b) and sorted(a.tolist()) == list(range(100))
    assert not torch.equal(data_order(100, 4, seed=5), a)
    assert torch.equal(data_order(100, 4, seed=5, shuffle=False), torch.arange(100))


def test_divergence_is_recorded_not_raised(small_mnist):
    # MSE grows quadratically in the logits, so an absurd step overflows to inf within the first epoch.
    m = GammaMLP((50,), 0.5, seed=0)
    h = fit(m, small_mnist, epochs=5, alpha=1e6, loss="mse", progress=False)
    assert h.status.iloc[-1] == "diverged" and (h.status.iloc[:-1] == "ok").all()
    assert len(h) < 6  # the run stopped
    assert not math.isfinite(h.train_loss.iloc[-1])


@pytest.mark.parametrize("loss, alpha, min_accuracy", [("ce", 100.0, 0.5), ("mse", 30.0, 0.11)])
def test_training_learns(loss, alpha, min_accuracy, mnist):
    # A shallow Xavier-scaled tanh net with scaled inputs learns in 250 steps: with CE far above chance (10%);
    # MSE on one-hot targets averages over 10 classes and moves slower, but its loss must fall clearly.
    data = mnist.subset(1000, 500)
    m = GammaMLP((100,), 0.5, activation="tanh", input_scale=784**-0.5, seed=0)
    h = fit(m, data, epochs=5, alpha=alpha, loss=loss, progress=False)
    assert h.test_accuracy.iloc[-1] > min_accuracy, h
    assert h.train_loss.iloc[-1] < 0.7 * h.train_loss.iloc[0]


def test_mse_is_against_one_hot_logits(small_mnist):
    m = GammaMLP((10,), 0.5, seed=0)
    h = fit(m, small_mnist, epochs=0, loss="mse", progress=False)
    with torch.no_grad():
        logits = m(small_mnist.x_train)
    expected = ((logits - torch.nn.functional.one_hot(small_mnist.y_train, 10)) ** 2).mean().item()
    assert h.train_loss.iloc[0] == pytest.approx(expected, rel=1e-5)


def test_progress_bar_quiet_and_loud(small_mnist, capsys):
    fit(GammaMLP((10,), 0.5, seed=0), small_mnist, 1, progress=False)
    assert capsys.readouterr().err == ""
    fit(GammaMLP((10,), 0.5, seed=0), small_mnist, 1, progress=True)
    assert "step" in capsys.readouterr().err


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        (dict(epochs=-1), "epochs=-1"),
        (dict(epochs=2, batch_size=0), "batch_size=0"),
        (dict(epochs=2, batch_size=201), "batch_size=201"),
        (dict(epochs=1, loss="l1"), "loss='l1'"),
        (dict(epochs=1, alpha=0), "alpha=0"),
    ],
)
def test_bad_arguments(small_mnist, kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        fit(GammaMLP((10,), 0.5), small_mnist, progress=False, **kwargs)
