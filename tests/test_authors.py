"""The authors' networks exactly: their draw from a seed, their saved parameters, their MSE.

The classes below re-create, from the published code (kspiliopoulos/NENN_Shallow and NENN_Deep, ``models.py`` and
``process.py``), how the authors build and train their networks: ``MLP`` (784-N-10, returns the logits) and
``MLP2``/``MLP3`` (two or three hidden layers, end with ``log_softmax``).  Each layer is an ``nn.Linear`` (which draws
its default weight and bias from the global generator) whose weight is overwritten at once by N(0, 1) — or U(0, 1)
for the readout — before the next layer is built; the loss is ``nn.CrossEntropyLoss`` or ``nn.MSELoss`` against
one-hot targets; the optimiser is SGD with one learning rate per layer.
"""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gammanet import Ensemble, GammaMLP, fit, train_grid
from gammanet.data import MNISTData
from gammanet.model import authors_state_dict
from gammanet.network import draw_networks


class Authors(nn.Module):
    """The authors' MLP (one hidden layer), MLP2 (two) or MLP3 (three), built layer by layer as they do."""

    def __init__(self, widths, gammas):
        super().__init__()
        self.widths, self.gammas = list(widths), list(gammas)
        sizes = [784] + self.widths
        for i in range(len(widths)):
            fc = nn.Linear(sizes[i], sizes[i + 1])
            nn.init.normal_(fc.weight, mean=0.0, std=1.0)
            setattr(self, f"fc{i + 1}", fc)
        fc = nn.Linear(sizes[-1], 10)
        nn.init.uniform_(fc.weight, a=0.0, b=1.0)
        setattr(self, f"fc{len(widths) + 1}", fc)

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        for i, (n, g) in enumerate(zip(self.widths, self.gammas)):
            x = n ** (-g) * torch.sigmoid(getattr(self, f"fc{i + 1}")(x))
        x = getattr(self, f"fc{len(self.widths) + 1}")(x)
        return x if len(self.widths) == 1 else F.log_softmax(x, dim=1)

    def learning_rates(self):
        """process.py's per-layer rates (shallow: one rate N^{-(2-2γ)} for every parameter)."""
        N, g = self.widths, self.gammas
        if len(N) == 1:
            return [N[0] ** -(2 - 2 * g[0])] * 2
        if len(N) == 2:
            return [
                1 / (N[0] ** (1 - 2 * g[0]) * N[1] ** (3 - 2 * g[1])),
                1 / (N[0] ** (1 - 2 * g[0]) * N[1] ** (2 - 2 * g[1])),
                1 / N[1] ** (2 - 2 * g[1]),
            ]
        return [
            1 / (N[0] ** (1 - 2 * g[0]) * N[1] ** (2 - 2 * g[1]) * N[2] ** (3 - 2 * g[2])),
            1 / (N[0] ** (1 - 2 * g[0]) * N[1] ** (1 - 2 * g[1]) * N[2] ** (3 - 2 * g[2])),
            1 / (N[1] ** (1 - 2 * g[1]) * N[2] ** (2 - 2 * g[2])),
            1 / N[2] ** (2 - 2 * g[2]),
        ]

    def train_step(self, x, y, loss):
        """One step of their train(): the criterion on the forward output, SGD with their per-layer rates."""
        layers = [getattr(self, f"fc{i + 1}") for i in range(len(self.widths) + 1)]
        optimizer = torch.optim.SGD(
            [{"params": fc.parameters(), "lr": lr} for fc, lr in zip(layers, self.learning_rates())], lr=1.0
        )
        optimizer.zero_grad()
        output = self(x)
        value = nn.CrossEntropyLoss()(output, y) if loss == "ce" else nn.MSELoss()(output, F.one_hot(y, 10).float())
        value.backward()
        optimizer.step()
        return float(value.detach())


CASES = [((100,), (0.7,)), ((30, 20), (0.5, 1.0)), ((30, 20, 10), (1.0, 0.7, 0.5))]


def ours_of(widths, gammas, **kw):
    return GammaMLP(widths, gammas, readout="authors", init="authors", **kw)


def assert_same(model, authors):
    ours = dict(model.named_parameters())
    converted = authors_state_dict(authors.state_dict())
    assert sorted(ours) == sorted(converted)
    for name, value in converted.items():
        assert torch.equal(ours[name].detach(), value), name


@pytest.mark.parametrize("widths, gammas", CASES)
@pytest.mark.parametrize("s", [0, 7])
def test_their_draw_after_manual_seed(widths, gammas, s):
    torch.manual_seed(s)
    theirs = Authors(widths, gammas)
    torch.manual_seed(s)
    assert_same(ours_of(widths, gammas), theirs)  # seed=None: torch's global generator
    torch.manual_seed(123)
    before = torch.rand(3)
    torch.manual_seed(123)
    assert_same(ours_of(widths, gammas, seed=s), theirs)  # seed=s: its own generator ...
    assert torch.equal(torch.rand(3), before)  # ... and the global one untouched
    # The other paths to a seeded network: the ensemble and the theory's draw.
    ens = Ensemble(widths, [gammas], [s], readout="authors", init="authors")
    assert_same(ens.member_model(0), theirs)
    nets = draw_networks(widths, 784, [s], 10, "authors", dtype=torch.float32, order="authors")
    for w, fc in zip(nets.weights, [getattr(theirs, f"fc{i + 1}") for i in range(len(widths) + 1)]):
        assert torch.equal(w[0], fc.weight.detach())
    # The premise: our default order draws other weights from the same seed.
    assert not torch.equal(GammaMLP(widths, gammas, readout="authors", seed=s).hidden[0].weight, theirs.fc1.weight)


@pytest.mark.parametrize("widths, gammas", CASES)
def test_loading_their_parameters_gives_their_outputs(widths, gammas, mnist):
    torch.manual_seed(3)
    theirs = Authors(widths, gammas)
    ours = GammaMLP.from_authors(theirs.state_dict(), gammas)
    assert ours.widths == tuple(widths) and ours.config()["readout"] == "authors" and ours.seed is None
    assert_same(ours, theirs)
    x = mnist.x_test[:50].reshape(50, 1, 28, 28)
    with torch.no_grad():
        got = ours(x) if len(widths) == 1 else torch.log_softmax(ours(x), dim=1)
        assert torch.equal(got, theirs(x))


@pytest.mark.parametrize(
    "state, needle",
    [
        ({"fc1.weight": torch.zeros(2, 3), "fc1.bias": torch.zeros(2), "conv1.weight": torch.zeros(1)}, "conv1.weight"),
        (
            {
                "fc1.weight": torch.zeros(2, 3),
                "fc1.bias": torch.zeros(2),
                "fc3.weight": torch.zeros(2, 2),
                "fc3.bias": torch.zeros(2),
            },
            "fc2.weight",
        ),
        ({"fc1.weight": torch.zeros(2, 3)}, "misses"),
    ],
)
def test_a_state_that_is_not_theirs_is_refused(state, needle):
    with pytest.raises(ValueError, match=needle):
        authors_state_dict(state)


@pytest.mark.parametrize("widths, gammas", CASES)
@pytest.mark.parametrize("loss", ["ce", "mse"])
def test_one_step_equals_theirs(widths, gammas, loss, mnist):
    """Their loss on their output — logits for MLP, log-probabilities for MLP2/MLP3 — and their per-layer rates:
    one step of fit and of the ensemble (the authors' preset) equals one step of their code."""
    data = MNISTData(mnist.x_train[:20], mnist.y_train[:20], mnist.x_test[:20], mnist.y_test[:20], source="test")
    torch.manual_seed(5)
    theirs = Authors(widths, gammas)
    ours = ours_of(widths, gammas, seed=5)
    history = fit(
        ours, data, epochs=1, batch_size=20, loss=loss, alpha=1.0, shuffle=False, output="authors", progress=False
    )
    value = theirs.train_step(data.x_train.reshape(20, 1, 28, 28), data.y_train, loss)
    assert history.step.iloc[-1] == 1
    converted = authors_state_dict(theirs.state_dict())
    for name, p in ours.named_parameters():
        # float32: autograd and the optimiser order the same sums identically; 1e-6 allows for fused kernels.
        torch.testing.assert_close(p.detach(), converted[name], rtol=1e-6, atol=1e-7, msg=name)
    store = {}
    grid = train_grid(
        widths,
        [gammas],
        [5],
        data,
        1,
        "authors",
        loss=loss,
        progress=False,
        on_epoch_end=lambda epoch, ens, rows: store.update(ens=ens),
    )
    assert grid.attrs["config"]["preset"] == "authors" and grid.attrs["config"]["init"] == "authors"
    member = dict(store["ens"].member_model(0).named_parameters())
    for name, value_ in converted.items():
        torch.testing.assert_close(member[name].detach(), value_, rtol=1e-5, atol=1e-6, msg=name)
    # The loss of their step is the loss at the start of ours (fit's epoch-0 row on the same 20 examples).
    assert history.train_loss.iloc[0] == pytest.approx(value, rel=1e-5)


def test_mse_on_logits_would_not_be_theirs_at_depth_2(mnist):
    """The premise of the ``output`` setting: at depth ≥ 2 their MSE sees log-probabilities, and a step on the
    logits' MSE lands elsewhere."""
    data = MNISTData(mnist.x_train[:20], mnist.y_train[:20], mnist.x_test[:20], mnist.y_test[:20], source="test")
    torch.manual_seed(5)
    theirs = Authors((30, 20), (0.5, 1.0))
    theirs.train_step(data.x_train, data.y_train, "mse")
    ours = ours_of((30, 20), (0.5, 1.0), seed=5)
    fit(ours, data, epochs=1, loss="mse", shuffle=False, output="logits", progress=False)
    assert not torch.allclose(ours.readout.weight, theirs.fc3.weight, rtol=1e-3, atol=1e-4)
