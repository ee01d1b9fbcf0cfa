"""Training presets: the authors' preset is the authors' configuration, the default is the library's default, the
registry fails clearly, and the fast preset learns fast."""

import dataclasses
import inspect

import pytest
import torch

from gammanet import GammaMLP, fit
from gammanet.presets import PRESETS, Preset, get_preset
from gammanet.train import data_order


# One thread for these small GEMMs: set for every test by tests/conftest.py.


def test_registry_names_and_types():
    assert {"authors", "default", "fast"} <= set(PRESETS)
    for name, preset in PRESETS.items():
        assert isinstance(preset, Preset)
        assert preset.name == name
        assert len(preset.description) > 40, f"preset {name!r} must say why it has its values"
        assert get_preset(name) is preset


def test_authors_preset_values():
    p = get_preset("authors")
    assert (p.activation, p.readout, p.input_scale, p.alpha, p.batch_size, p.shuffle, p.loss) == (
        "sigmoid",
        "authors",
        1.0,
        1.0,
        20,
        False,
        "ce",
    )
    assert p.model_kwargs() == dict(activation="sigmoid", readout="authors", input_scale=1.0, bias=True, init="authors")
    assert p.fit_kwargs() == dict(batch_size=20, loss="ce", alpha=1.0, shuffle=False, output="authors")


@pytest.mark.parametrize("widths, gammas", [([100], 1.0), ([100, 100], (0.5, 1.0)), ([30, 40, 50], (1.0, 0.7, 0.5))])
def test_authors_preset_builds_the_authors_model(widths, gammas):
    """Sigmoid, N(0,1) hidden weights, U(0,1) readout, PyTorch's default U(±1/√fan_in) biases, no input scaling,
    and the forward pass N_L^{-γ_L} C σ(... σ(W¹x + b¹) ...) + b^C; parameters identical to the explicit build."""
    p = get_preset("authors")
    model = GammaMLP(widths, gammas, seed=3, **p.model_kwargs())
    explicit = GammaMLP(
        widths, gammas, activation="sigmoid", readout="authors", input_scale=1.0, seed=3, init="authors"
    )
    assert model.config() == explicit.config()
    for a, b in zip(model.parameters(), explicit.parameters()):
        assert torch.equal(a, b)
    c = model.readout.weight
    c = c.detach()
    assert c.min() >= 0 and c.max() <= 1 and 0.4 < float(c.mean()) < 0.6  # U(0, 1)
    for layer in list(model.hidden) + [model.readout]:
        bound = layer.in_features**-0.5
        assert layer.bias.abs().max() <= bound and layer.bias.abs().max() > 0.5 * bound
    w1 = model.hidden[0].weight.detach()
    assert abs(float(w1.mean())) < 0.05 and abs(float(w1.std()) - 1.0) < 0.05  # N(0, 1), width-free

    x = torch.randn(5, 784)
    h = x
    for layer, n, g in zip(model.hidden, model.widths, model.gammas):
        h = n ** (-g) * torch.sigmoid(h @ layer.weight.T + layer.bias)
    torch.testing.assert_close(model(x), h @ model.readout.weight.T + model.readout.bias)


def test_authors_preset_fit_sees_the_data_in_order_every_epoch():
    kw = get_preset("authors").fit_kwargs()
    for epoch in (1, 2, 7):
        assert torch.equal(data_order(50, epoch, seed=123, shuffle=kw["shuffle"]), torch.arange(50))


def test_default_preset_is_the_library_default():
    """``default`` adds nothing to GammaMLP(widths, γ) and fit(model, data, epochs): same values."""
    p = get_preset("default")
    model_defaults = inspect.signature(GammaMLP.__init__).parameters
    fit_defaults = inspect.signature(fit).parameters
    for key, value in p.model_kwargs().items():
        assert model_defaults[key].default == value, key
    for key, value in p.fit_kwargs().items():
        assert fit_defaults[key].default == value, key
    assert (p.readout, p.shuffle) == ("centered", True)


def test_kwargs_are_accepted_by_model_and_fit(small_mnist):
    for name, p in PRESETS.items():
        model = GammaMLP([8], 0.7, seed=0, **p.model_kwargs())
        history = fit(model, small_mnist, epochs=1, seed=0, progress=False, **p.fit_kwargs())
        assert history.status.iloc[-1] == "ok", name
        assert history.attrs["config"]["alpha"] == p.alpha


def test_presets_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_preset("fast").alpha = 1.0


@pytest.mark.parametrize("bad", ["Fast", "mean_field", "", None, 3])
def test_get_preset_names_the_bad_name_and_the_allowed_ones(bad):
    with pytest.raises(ValueError) as err:
        get_preset(bad)
    message = str(err.value)
    assert repr(bad) in message
    for name in PRESETS:
        assert name in message


def test_preset_rejects_invalid_values():
    base = dataclasses.asdict(get_preset("fast"))
    for field, value in [
        ("activation", "relu"),
        ("readout", "zeros"),
        ("loss", "nll"),
        ("alpha", 0.0),
        ("input_scale", -1.0),
        ("batch_size", 0),
    ]:
        with pytest.raises(ValueError, match=field):
            Preset(**{**base, field: value})


def test_fast_preset_learns_within_1200_steps(mnist):
    """Shallow 784-100-10 at γ = 1 on 1,000 training images: above 50% test accuracy within 1,000 steps, and still
    above 50% after 1,200.  Measured over init/data seeds 0-7 (``benchmarks/explore_presets.py fast_test``): the
    best evaluation by step 1,000 is 0.69-0.80 and the accuracy at step 1,200 is 0.65-0.82, so 0.5 leaves a wide
    margin (γ = 1 at α = 10 has a noisy early test curve: single epochs drop by up to 0.27)."""
    data = mnist.subset(1000)
    p = get_preset("fast")
    model = GammaMLP([100], 1.0, seed=0, **p.model_kwargs())
    history = fit(model, data, epochs=24, seed=0, progress=False, **p.fit_kwargs())
    assert history.step.iloc[-1] == 1200
    assert history.test_accuracy.iloc[0] < 0.2
    assert history[history.step <= 1000].test_accuracy.max() > 0.5
    assert history.test_accuracy.iloc[-1] > 0.5
