"""One γ-network: GammaMLP, the Ensemble and the theory's networks share one draw, one container and one forward.

Every path to a network's parameters — ``GammaMLP(seed=s)``, ``Ensemble``, ``draw_networks``, ``stack_models`` — must
give the same float32 values bit for bit; the forward passes must agree to float32 rounding (different but
equivalent GEMM shapes sum in another order: 1e-5 relative is ~100 ulp at the sizes used here).
"""

import pytest
import torch

from gammanet import Ensemble, GammaMLP
from gammanet import network
from gammanet.network import INIT_LAWS, READOUT_LAWS, InitLaw, ReadoutLaw, draw_networks
from gammanet.theory import init_variance_law, stack_models
from gammanet.train import loss_function

WIDTHS, D, K = (7, 5, 6), 9, 4


def params(model):
    return [p.detach() for p in model.parameters()]


@pytest.mark.parametrize("readout", ["centered", "authors"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("init", ["weights_first", "authors"])
def test_every_path_draws_the_same_parameters(readout, bias, init):
    seeds, gammas = [4, 9], [(0.5, 0.7, 1.0), (1.0, 0.6, 0.5)]
    models = [GammaMLP(WIDTHS, g, D, K, readout=readout, seed=s, bias=bias, init=init) for g, s in zip(gammas, seeds)]
    law = InitLaw.of_model(readout, bias)
    drawn = draw_networks(WIDTHS, D, seeds, K, law, dtype=torch.float32, order=init, bias=bias)
    stacked = stack_models(models, dtype=torch.float32)
    ens = Ensemble(WIDTHS, gammas, seeds, in_features=D, out_features=K, readout=readout, bias=bias, init=init)
    assert stacked.init == drawn.init == ens.params.init == law
    for i in range(len(WIDTHS) + 1):
        for tensors in (stacked.weights, ens.weights, ens.params.weights):
            assert torch.equal(tensors[i], drawn.weights[i])
        for tensors in (stacked.biases, ens.biases, ens.params.biases):
            assert torch.equal(tensors[i], drawn.biases[i])
    for m, model in enumerate(models):
        layers = list(model.layers().values())
        for i, layer in enumerate(layers):
            assert torch.equal(layer.weight.detach(), drawn.weights[i][m])
            if bias:
                assert torch.equal(layer.bias.detach(), drawn.biases[i][m])
            else:
                assert layer.bias is None and not drawn.biases[i][m].any()
        for p, q in zip(params(ens.member_model(m)), params(model)):
            assert torch.equal(p, q)


@pytest.mark.parametrize("readout, name", [("centered", "centered"), ("authors", "uniform")])
def test_stack_models_and_draw_networks_without_biases(readout, name):
    """bias=False: stack_models stacks zero biases (it used to call .bias.detach() on None) and keeps the law of
    the models — the authors' readout without biases is the "uniform" law, not "authors" (it used to read the law
    from the readout alone)."""
    models = [GammaMLP((6, 4), 0.75, 3, 2, readout=readout, seed=s, bias=False) for s in (0, 1)]
    nets = stack_models(models)
    assert nets.init == INIT_LAWS[name] and nets.init.name == name
    assert all(not b.any() for b in nets.biases) and [b.shape for b in nets.biases] == [(2, 6), (2, 4), (2, 2)]
    drawn = draw_networks((6, 4), 3, [0, 1], 2, name)
    for ours, theirs in zip(nets.weights + nets.biases, drawn.weights + drawn.biases):
        assert torch.equal(ours, theirs)
    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    expected = torch.stack([m.double()(x) for m in models]).detach()
    torch.testing.assert_close(nets(x, 0.75), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("rows", [12, network.GEMM_MIN_ROWS + 4])  # M per-network GEMMs, then ONE GEMM
def test_one_forward_batched_or_not(rows):
    gammas, seeds = [(0.5, 0.7, 1.0), (1.0, 1.0, 0.6)], [1, 2]
    models = [
        GammaMLP(WIDTHS, g, D, K, activation="tanh", readout="authors", input_scale=0.3, seed=s)
        for g, s in zip(gammas, seeds)
    ]
    ens = Ensemble.from_models(models)
    x = torch.randn(rows, D, generator=torch.Generator().manual_seed(1))
    nets = draw_networks(WIDTHS, D, seeds, K, "authors", dtype=torch.float32)
    for m, model in enumerate(models):
        with torch.no_grad():
            expected = model(x)
            scaled = nets.select([m]).forward(0.3 * x, gammas[m], "tanh")[0]
        torch.testing.assert_close(ens.forward(x)[m], expected, rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(scaled, expected, rtol=1e-5, atol=1e-6)
        by_hand = 0.3 * x
        for layer, n, g in zip(model.hidden, WIDTHS, gammas[m]):
            by_hand = n**-g * torch.tanh(by_hand @ layer.weight.T + layer.bias)
        torch.testing.assert_close(
            expected, by_hand @ model.readout.weight.T + model.readout.bias, rtol=1e-5, atol=1e-6
        )
    # One batch per network, (M, B, d), is the same as the shared batch.
    torch.testing.assert_close(ens.forward(x.expand(2, -1, -1)), ens.forward(x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("loss, output", [("ce", "logits"), ("mse", "logits"), ("mse", "log_probs")])
def test_the_fused_step_computes_the_forward_pass_loss(small_mnist, loss, output):
    """The hand-written step keeps its own buffers; its losses are those of the one forward pass."""
    ens = Ensemble((8, 6), [(0.5, 1.0), (1.0, 0.7)], [0, 1], readout="authors")
    x, y = small_mnist.x_train[:20], small_mnist.y_train[:20]
    expected = loss_function(loss, output)(ens.forward(x), y.expand(2, -1))
    torch.testing.assert_close(ens.step(x, y, loss, output), expected, rtol=1e-6, atol=1e-7)


def test_the_law_vocabulary():
    assert InitLaw.of_model("centered", True) == INIT_LAWS["centered"]  # GammaMLP's biases start at zero
    assert InitLaw.of_model("authors", True) == INIT_LAWS["authors"]
    assert InitLaw.of_model("authors", False) == INIT_LAWS["uniform"]
    assert GammaMLP((3,), 0.5, readout="authors", seed=0).init_law.name == "authors"
    assert (INIT_LAWS["authors"].readout_mean, INIT_LAWS["authors"].readout_second_moment) == (0.5, 1 / 3)
    assert INIT_LAWS["readout_bias"].has_bias(3, 2) and not INIT_LAWS["readout_bias"].has_bias(2, 2)
    with pytest.raises(ValueError, match="readout='normal'"):
        InitLaw("normal")
    with pytest.raises(ValueError, match="init='fast'"):
        GammaMLP((3,), 0.5, init="fast")
    with pytest.raises(ValueError, match="symmetric"):
        draw_networks((4,), 2, [0], init="uniform").mirrored()


def test_a_new_readout_law_is_one_registry_entry(monkeypatch):
    """C = E - 1 with E ~ Exp(1): centred, E[C²] = 1, E[C³] = 2, not symmetric.  Registered once, GammaMLP draws it
    and the theory's variance law reads its moments."""
    law = ReadoutLaw(
        "exp_test",
        0.0,
        1.0,
        2.0,
        False,
        "C = E - 1, E ~ Exp(1)",
        lambda t, gen: t.exponential_(1.0, generator=gen).sub_(1.0),
    )
    monkeypatch.setitem(READOUT_LAWS, "exp_test", law)
    model = GammaMLP((400,), 0.5, 3, 50, readout="exp_test", seed=0)
    c = model.readout.weight.detach().double()
    assert c.min() >= -1 and abs(c.mean()) < 0.05 and abs((c**2).mean() - 1) < 0.1  # 20,000 draws: ~7 SE
    assert abs((c**3).mean() - 2) < 0.5
    assert torch.equal(
        draw_networks((400,), 3, [0], 50, InitLaw("exp_test"), dtype=torch.float32).weights[1][0],
        model.readout.weight.detach(),
    )
    x = torch.ones(1, 3)
    exact = init_variance_law(x, (400,), 0.5, InitLaw("exp_test")).variance.item()
    centred = init_variance_law(x, (400,), 0.5, "centered").variance.item()
    assert exact == pytest.approx(centred, rel=1e-12)  # the same E[C] and E[C²]: the same variance law
