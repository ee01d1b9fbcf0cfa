"""GammaMLP against an independent re-implementation of the authors' forward, and one SGD step by hand."""

import numpy as np
import pytest
import torch
from torch import nn

from gammanet import GammaMLP, learning_rates, param_groups


class AuthorsMLP(nn.Module):
    """The authors' MLP / MLP2 / MLP3 forward (NENN_Shallow, NENN_Deep), re-written here layer by layer:
    x ← N_ℓ^{-γ_ℓ} sigmoid(fc_ℓ(x)) for each hidden layer, then the readout fc_{L+1}, then log-softmax
    (which cross-entropy does not see)."""

    def __init__(self, widths, gammas):
        super().__init__()
        sizes = [784] + list(widths) + [10]
        self.fcs = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.widths, self.gammas = widths, gammas

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        for fc, n, g in zip(self.fcs[:-1], self.widths, self.gammas):
            x = n ** (-g) * torch.sigmoid(fc(x))
        return torch.log_softmax(self.fcs[-1](x), dim=1)


@pytest.mark.parametrize(
    "widths,gammas",
    [
        ((100,), (0.5,)),
        ((100,), (1.0,)),
        ((37,), (0.8,)),
        ((100, 50), (0.5, 0.8)),
        ((20, 30), (1.0, 1.0)),
        ((100, 100, 100), (1.0, 0.7, 0.5)),
        ((15, 25, 35), (0.6, 0.9, 0.75)),
    ],
)
def test_authors_mode_equals_the_authors_forward(widths, gammas, mnist):
    ours = GammaMLP(widths, gammas, readout="authors", seed=3)
    theirs = AuthorsMLP(widths, gammas)
    with torch.no_grad():
        for fc, layer in zip(theirs.fcs, list(ours.hidden) + [ours.readout]):
            fc.weight.copy_(layer.weight)
            fc.bias.copy_(layer.bias)
    x = mnist.x_train[:64].reshape(64, 1, 28, 28)  # the authors feed (B, 1, 28, 28) images
    expected = theirs(x)
    got = torch.log_softmax(ours(x), dim=1)
    torch.testing.assert_close(got, expected, rtol=1e-6, atol=1e-6)


def test_authors_mode_initial_law():
    m = GammaMLP((200, 300), (0.5, 1.0), readout="authors", seed=0)
    C = m.readout.weight
    assert C.min() >= 0 and C.max() <= 1 and abs(C.mean().item() - 0.5) < 0.05  # U(0, 1) readout
    W1 = m.hidden[0].weight
    assert abs(W1.std().item() - 1) < 0.01 and abs(W1.mean().item()) < 0.01  # N(0, 1) hidden weights
    bound = 300**-0.5  # PyTorch's default bias law U(-1/√fan_in, 1/√fan_in)
    b = m.readout.bias
    assert b.abs().max() <= bound and b.abs().max() > 0


def test_centered_mode_initial_law():
    m = GammaMLP((500, 400), 0.7, seed=1)
    for layer in list(m.hidden) + [m.readout]:
        assert torch.count_nonzero(layer.bias) == 0
    C = m.readout.weight
    assert abs(C.mean().item()) < 0.05 and abs(C.std().item() - 1) < 0.05


def test_initialization_is_width_free_and_gamma_free():
    # Common random numbers: the same seed draws the same weights whatever the γ's.
    a, b = GammaMLP((30, 40), (0.5, 0.5), seed=7), GammaMLP((30, 40), (1.0, 0.6), seed=7)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    c = GammaMLP((30, 40), (0.5, 0.5), seed=8)
    assert not torch.equal(a.hidden[0].weight, c.hidden[0].weight)


def test_forward_applies_the_width_factors():
    # With one input and identity-free check: compute the forward by hand from the parameters.
    torch.manual_seed(0)
    m = GammaMLP((6, 5), (0.6, 0.9), in_features=4, out_features=3, activation="tanh", input_scale=0.5, seed=2)
    x = torch.randn(8, 4)
    W1, b1 = m.hidden[0].weight, m.hidden[0].bias
    W2, b2 = m.hidden[1].weight, m.hidden[1].bias
    C, bC = m.readout.weight, m.readout.bias
    h1 = torch.tanh((0.5 * x) @ W1.T + b1)
    h2 = torch.tanh((6**-0.6 * h1) @ W2.T + b2)
    expected = (5**-0.9 * h2) @ C.T + bC
    torch.testing.assert_close(m(x), expected)


def test_param_groups_are_named_by_layer_with_theory_rates():
    m = GammaMLP((100, 50, 20), (0.5, 0.8, 1.0), seed=0)
    groups = param_groups(m, alpha=3.0)
    rates = learning_rates((100, 50, 20), (0.5, 0.8, 1.0))
    assert [g["name"] for g in groups] == ["W1", "W2", "W3", "C"]
    for g, layer in zip(groups, list(m.hidden) + [m.readout]):
        assert g["params"][0] is layer.weight and g["params"][1] is layer.bias  # bias takes its layer's rate
        assert g["lr"] == pytest.approx(3.0 * rates[g["name"]], rel=1e-15)
        assert g["lr_scale"] == rates[g["name"]]
    torch.optim.SGD(groups, lr=1.0)  # plain SGD accepts them as they are


def test_one_sgd_step_matches_a_hand_computed_update():
    """Depth 2, MSE: back-propagate by hand in numpy (float64) and compare the updated parameters."""
    widths, gammas, alpha = (3, 2), (0.75, 0.6), 0.7
    m = GammaMLP(widths, gammas, in_features=4, out_features=2, readout="authors", seed=5).double()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 4))
    y = np.array([0, 1, 1, 0, 1])
    P = {k: v.detach().numpy().copy() for k, v in m.named_parameters()}
    s1, s2 = 3**-0.75, 2**-0.6
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    z1 = x @ P["hidden.0.weight"].T + P["hidden.0.bias"]
    h1 = sig(z1)
    z2 = (s1 * h1) @ P["hidden.1.weight"].T + P["hidden.1.bias"]
    h2 = sig(z2)
    out = (s2 * h2) @ P["readout.weight"].T + P["readout.bias"]
    target = np.eye(2)[y]
    d_out = 2 * (out - target) / out.size  # d/d out of mean((out - target)²)
    gC, gbC = d_out.T @ (s2 * h2), d_out.sum(0)
    d_z2 = (d_out @ P["readout.weight"]) * s2 * h2 * (1 - h2)
    gW2, gb2 = d_z2.T @ (s1 * h1), d_z2.sum(0)
    d_z1 = (d_z2 @ P["hidden.1.weight"]) * s1 * h1 * (1 - h1)
    gW1, gb1 = d_z1.T @ x, d_z1.sum(0)
    r = learning_rates(widths, gammas)
    expected = {
        "hidden.0.weight": P["hidden.0.weight"] - alpha * r["W1"] * gW1,
        "hidden.0.bias": P["hidden.0.bias"] - alpha * r["W1"] * gb1,
        "hidden.1.weight": P["hidden.1.weight"] - alpha * r["W2"] * gW2,
        "hidden.1.bias": P["hidden.1.bias"] - alpha * r["W2"] * gb2,
        "readout.weight": P["readout.weight"] - alpha * r["C"] * gC,
        "readout.bias": P["readout.bias"] - alpha * r["C"] * gbC,
    }
    opt = torch.optim.SGD(param_groups(m, alpha), lr=alpha)
    logits = m(torch.from_numpy(x))
    loss = ((logits - torch.from_numpy(target)) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    for name, p in m.named_parameters():
        np.testing.assert_allclose(p.detach().numpy(), expected[name], rtol=1e-12, atol=1e-14, err_msg=name)
    # The step did something for every layer (a test that cannot pass by doing nothing).
    for name in expected:
        assert not np.allclose(expected[name], P[name])


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        (dict(activation="relu"), "activation='relu'"),
        (dict(readout="uniform"), "readout='uniform'"),
        (dict(input_scale=0.0), "input_scale=0.0"),
        (dict(in_features=0), "in_features=0"),
    ],
)
def test_bad_model_arguments(kwargs, needle):
    with pytest.raises(ValueError, match=needle.replace("(", r"\(").replace(".", r"\.")):
        GammaMLP((10,), 0.5, **kwargs)


def test_bad_alpha():
    with pytest.raises(ValueError, match="alpha=-1"):
        param_groups(GammaMLP((10,), 0.5), alpha=-1)


@pytest.mark.parametrize("readout", ["centered", "authors"])
def test_bias_false_removes_every_bias_and_keeps_the_weights(readout):
    with_bias = GammaMLP((12, 8), (0.6, 0.9), readout=readout, seed=5)
    without = GammaMLP((12, 8), (0.6, 0.9), readout=readout, seed=5, bias=False)
    assert all(layer.bias is None for layer in without.layers().values())
    assert [n for n, _ in without.named_parameters()] == ["hidden.0.weight", "hidden.1.weight", "readout.weight"]
    for a, b in zip(with_bias.layers().values(), without.layers().values()):
        torch.testing.assert_close(a.weight, b.weight, rtol=0, atol=0)
    # Same forward as the biased model with its biases zeroed.
    with torch.no_grad():
        for layer in with_bias.layers().values():
            layer.bias.zero_()
    x = torch.randn(5, 784, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(without(x), with_bias(x), rtol=0, atol=0)
    groups = param_groups(without, alpha=2.0)
    assert [len(g["params"]) for g in groups] == [1, 1, 1]
    assert without.config()["bias"] is False and "bias=False" in repr(without)


def test_bias_must_be_a_bool():
    with pytest.raises(ValueError, match=r"bias=1 is not allowed; it must be True or False"):
        GammaMLP((4,), 0.5, bias=1)
