"""One set of input rules everywhere (gammanet.validation): numpy and torch scalars of the right kind accepted,
bools never numbers, seeds in [0, 2^63), and the raw torch errors of odd inputs replaced by clear errors or by
something that just works."""

import math

import numpy as np
import pytest
import torch

from gammanet import Ensemble, GammaMLP, fit, load_mnist, param_groups, train_grid
from gammanet.experiments import Block, Experiment
from gammanet.presets import Preset, get_preset
from gammanet.validation import (
    check_bool,
    check_choice,
    check_gamma,
    check_int,
    check_positive_float,
    check_probability,
    check_seed,
    check_seeds,
)


# ------------------------------------------------------------------------------------------------ the rules
@pytest.mark.parametrize("value", [3, np.int64(3), np.uint8(3), torch.tensor(3), np.array(3)])
def test_integers_of_every_kind(value):
    assert check_int("n", value, 1) == 3 and type(check_int("n", value, 1)) is int


@pytest.mark.parametrize("value", [True, np.bool_(True), torch.tensor(True), 3.0, 1.5, "3", None, torch.tensor(3.0)])
def test_not_integers(value):
    with pytest.raises(ValueError, match=r"n=.* is not allowed; it must be an integer >= 1"):
        check_int("n", value, 1)


@pytest.mark.parametrize("value", [2, 2.5, np.float32(2.5), np.int64(2), torch.tensor(2.5), 1e300])
def test_positive_floats_of_every_kind(value):
    assert check_positive_float("alpha", value) == float(np.asarray(value, dtype=np.float64))


@pytest.mark.parametrize("value", [0, -1.0, math.inf, math.nan, True, np.bool_(False), "1", torch.ones(2)])
def test_not_positive_finite_floats(value):
    with pytest.raises(ValueError, match="alpha=.* is not allowed; it must be a positive finite number"):
        check_positive_float("alpha", value)


def test_bools_probabilities_choices_gammas():
    assert check_bool("bias", np.bool_(True)) is True and check_bool("bias", torch.tensor(False)) is False
    for bad in (1, 0, "yes", None):
        with pytest.raises(ValueError, match="must be True or False"):
            check_bool("bias", bad)
    assert check_probability("p", 0) == 0.0 and check_probability("p", np.float32(0.25)) == 0.25
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        check_probability("p", 1, open_interval=True)
    assert check_choice("loss", "ce", ("ce", "mse")) == "ce"
    for bad in (["ce"], None, 1):
        with pytest.raises(ValueError, match=r"choose one of \('ce', 'mse'\)"):
            check_choice("loss", bad, ("ce", "mse"))
    assert check_gamma("gamma", torch.tensor(0.75)) == 0.75 and check_gamma("gamma", 1 + 1e-13) == 1.0
    with pytest.raises(ValueError, match=r"\[0.5, 1\]"):
        check_gamma("gamma", True)


def test_seeds_are_integers_in_0_to_2_pow_63():
    assert check_seed("seed", np.uint64(2**63 - 1)) == 2**63 - 1
    for bad in (-1, 2**63, 2**64, 1.5, 1.0, True):
        with pytest.raises(ValueError, match=r"seed=.* is not allowed; a seed is an integer in \[0, 2\^63\)"):
            check_seed("seed", bad)
    assert check_seeds("seeds", np.int64(4)) == [4] and check_seeds("seeds", np.arange(3)) == [0, 1, 2]
    with pytest.raises(ValueError, match="seed 2 appears twice"):
        check_seeds("seeds", [2, np.int64(2)])


# ------------------------------------------------------------------------------------ the same rules everywhere
def test_numpy_and_torch_scalars_are_accepted_everywhere(small_mnist, monkeypatch):
    """Rejected before: fit(alpha=np.int64(2)), load_mnist(n_train=np.int64(100)), GammaMLP(bias=np.bool_(True))."""
    import gammanet.data

    arrays = tuple(
        np.zeros((n, 784), np.uint8) if i % 2 == 0 else np.arange(n) % 10 for i, n in enumerate((300, 300, 100, 100))
    )
    monkeypatch.setattr(gammanet.data, "embedded_arrays", lambda: arrays)  # no CSV to parse: a fast test
    model = GammaMLP(
        [np.int64(6)],
        torch.tensor(0.5),
        seed=np.int64(1),
        bias=np.bool_(True),
        input_scale=np.float32(0.5),
        out_features=np.int64(10),
    )
    assert model.seed == 1 and model.bias is True and model.widths == (6,) and model.gammas == (0.5,)
    history = fit(
        model,
        small_mnist,
        np.int64(1),
        batch_size=np.int64(50),
        alpha=np.int64(2),
        seed=np.uint8(3),
        shuffle=np.bool_(True),
        progress=False,
    )
    assert history.attrs["config"]["alpha"] == 2.0 and history.attrs["config"]["seed"] == 3
    assert load_mnist("embedded", device="cpu", n_train=np.int64(100), verbose=False).n_train == 100
    assert small_mnist.subset(np.int32(10), torch.tensor(5)).n_test == 5
    df = train_grid(
        [6],
        [np.float32(0.5)],
        np.arange(2),
        small_mnist,
        np.int64(1),
        alpha=np.float32(2.0),
        batch_size=np.int64(50),
        data_seed=np.int64(7),
        progress=False,
    )
    assert df.member.nunique() == 2 and (df.alpha == 2.0).all()
    block = Block([np.int64(6)], [0.5], np.arange(2), np.int64(1))
    assert block.seeds == (0, 1) and type(block.epochs) is int
    exp = Experiment(
        "np",
        "",
        "fast",
        (block,),
        n_train=np.int64(100),
        alpha=np.float64(3),
        bias=np.bool_(False),
        data_seed=np.uint16(2),
    )
    assert exp.alpha == 3.0 and exp.bias is False and exp.data_seed == 2


@pytest.mark.parametrize(
    "make",
    [
        lambda data: param_groups(GammaMLP([4], 0.5), alpha=True),
        lambda data: Ensemble([4], [0.5], [0], alpha=True),
        lambda data: train_grid([4], [0.5], [0], data, 1, alpha=True),
        lambda data: fit(GammaMLP([4], 0.5), data, 1, alpha=True),
        lambda data: Experiment("b", "", "fast", (Block((4,), (0.5,), (0,), 1),), alpha=True),
        lambda data: Preset(**{**get_preset("fast").__dict__, "alpha": True}),
    ],
)
def test_alpha_true_is_refused_everywhere(make, small_mnist):
    """param_groups accepted alpha=True (as 1) while Ensemble refused it."""
    with pytest.raises(ValueError, match="alpha=True is not allowed"):
        make(small_mnist)


@pytest.mark.parametrize("seed", [1.5, -1, 2**63, 2**64, True])
def test_bad_seeds_are_refused_everywhere(seed, small_mnist):
    """GammaMLP(seed=1.5) used to run with seed 1, seed=-1 was accepted by GammaMLP only, 2^64 overflowed."""
    makers = [
        lambda: GammaMLP([4], 0.5, seed=seed),
        lambda: Ensemble([4], [0.5], [seed]),
        lambda: train_grid([4], [0.5], [seed], small_mnist, 1, progress=False),
        lambda: train_grid([4], [0.5], [0], small_mnist, 1, data_seed=seed, progress=False),
        lambda: fit(GammaMLP([4], 0.5), small_mnist, 1, seed=seed, progress=False),
        lambda: Block((4,), (0.5,), (seed,), 1),
        lambda: Experiment("s", "", "fast", (Block((4,), (0.5,), (0,), 1),), data_seed=seed),
    ]
    for make in makers:
        with pytest.raises(ValueError, match=r"seed.*is not allowed; a seed is an integer in \[0, 2\^63\)"):
            make()


# ------------------------------------------------------------------------- odd inputs: clear errors or they work
def test_inputs_of_any_dtype_are_cast_to_the_model(small_mnist):
    model = GammaMLP([6], 0.5, seed=0)
    x = small_mnist.x_test[:5]
    with torch.no_grad():
        expected = model(x)
        assert torch.equal(model(x.double()), expected)
        pixels = torch.randint(0, 256, (5, 784), dtype=torch.uint8)
        assert torch.equal(model(pixels), model(pixels.float()))
    ens = Ensemble.from_models([model])
    assert torch.equal(ens.forward(x.double())[0], ens.forward(x)[0])


def test_fit_on_a_double_model_works(small_mnist):
    model = GammaMLP([6], 0.5, seed=0).double()
    history = fit(model, small_mnist, 1, progress=False)
    assert (history.status == "ok").all() and model.readout.weight.dtype == torch.float64
    reference = fit(GammaMLP([6], 0.5, seed=0), small_mnist, 1, progress=False)
    np.testing.assert_allclose(history.test_loss, reference.test_loss, rtol=1e-4)


def test_fit_refuses_other_data_and_too_few_outputs(small_mnist):
    with pytest.raises(ValueError, match="data must be an MNISTData.*got tuple"):
        fit(GammaMLP([6], 0.5), (small_mnist.x_train, small_mnist.y_train), 1, progress=False)
    with pytest.raises(ValueError, match=r"out_features=5 is not allowed.*labels run from 0 to 9.*>= 10"):
        fit(GammaMLP([6], 0.5, out_features=5), small_mnist, 1, progress=False)
    with pytest.raises(ValueError, match=r"out_features=5 is not allowed.*labels run from 0 to 9"):
        train_grid([6], [0.5], [0], small_mnist, 1, out_features=5, progress=False)


def test_fit_with_an_enormous_alpha_records_divergence_as_train_grid_does(small_mnist):
    """fit(alpha=1e300) used to raise 'value cannot be converted to type float without overflow'."""
    h = fit(GammaMLP([6], 0.5, seed=0), small_mnist, 2, batch_size=50, alpha=1e300, progress=False)
    g = train_grid([6], [0.5], [0], small_mnist, 2, batch_size=50, alpha=1e300, data_order="per_member", progress=False)
    assert h.status.tolist() == ["ok", "diverged"] and g.status.tolist() == ["ok", "diverged"]
    assert h.step.tolist() == g.step.tolist() == [0, 2]  # the first (infinite) step lands, the second is NaN
    assert math.isnan(h.train_loss.iloc[-1]) and math.isnan(g.train_loss.iloc[-1])


def test_input_scale_must_be_finite():
    for bad in (math.inf, math.nan, 0.0, True):
        with pytest.raises(ValueError, match="input_scale=.* is not allowed; it must be a positive finite number"):
            GammaMLP([4], 0.5, input_scale=bad)
