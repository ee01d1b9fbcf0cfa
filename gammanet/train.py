"""Plain SGD with the theory's per-layer rates, on tensors already on the device; a tidy history per epoch.

The clock of the theory is t = k / N_L (k = SGD steps so far, N_L = width of the last hidden layer): with the
rates of :func:`gammanet.learning_rates` the output moves O(1/N_L) per step, so curves of different widths are
compared at equal t, not at equal k.
"""

from __future__ import annotations

import math
from typing import Callable, Union

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from .data import MNISTData
from .devices import resolve_device
from .memory import check_memory, training_bytes
from .model import GammaMLP, param_groups
from .validation import check_bool, check_choice, check_nonnegative_int, check_positive_int, check_seed

LOSSES = ("ce", "mse")
#: What the loss is computed on: the logits, their log-softmax (log-probabilities), or as the authors' networks do —
#: their shallow ``MLP`` returns logits, their deep ``MLP2``/``MLP3`` end with ``log_softmax`` (see
#: :func:`loss_input`).  Cross-entropy is the same on all three; MSE is not.
OUTPUTS = ("logits", "log_probs", "authors")
HISTORY_COLUMNS = ["epoch", "step", "t", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "status"]


def loss_input(output: str, depth: int) -> str:
    """Resolve ``output`` (one of :data:`OUTPUTS`) for a network of ``depth`` hidden layers: ``"authors"`` is
    ``"log_probs"`` from depth 2 on (the authors' MLP2 and MLP3 end with ``log_softmax``, and their MSE compares those
    log-probabilities with the one-hot targets) and ``"logits"`` at depth 1 (their shallow MLP returns logits)."""
    check_choice("output", output, OUTPUTS)
    if output == "authors":
        return "log_probs" if depth >= 2 else "logits"
    return output


def loss_function(loss: str, output: str = "logits") -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """``"ce"``: cross-entropy of the logits; ``"mse"``: mean over batch × classes of (o - one-hot)², where o is
    the logits (``output="logits"``) or their log-softmax (``output="log_probs"``, the authors' deep networks; see
    :func:`loss_input`).  Cross-entropy is the same for both, since log_softmax(log_softmax(z)) = log_softmax(z).

    Both average over the batch (as ``nn.CrossEntropyLoss`` / ``nn.MSELoss`` do in the authors' code).
    Signature: (logits (..., B, K), labels (..., B)) → per-leading-index loss, shape (...).
    """
    check_choice("loss", loss, LOSSES)
    check_choice("output", output, OUTPUTS[:2])
    if loss == "ce":

        def ce(logits, y):
            return -torch.log_softmax(logits, dim=-1).gather(-1, y.unsqueeze(-1)).squeeze(-1).mean(-1)

        return ce

    def mse(logits, y):
        out = torch.log_softmax(logits, dim=-1) if output == "log_probs" else logits
        onehot = F.one_hot(y, logits.shape[-1]).to(logits.dtype)
        return ((out - onehot) ** 2).mean(dim=(-2, -1))

    return mse


def data_order(n: int, epoch: int, seed: int, shuffle: bool = True, device=None) -> torch.Tensor:
    """The permutation of the n training examples used in ``epoch`` (1-based), shape (n,).

    Without shuffling it is 0..n-1 every epoch (the authors' DataLoader).  With shuffling it depends only on
    (seed, epoch), so a run resumed at any epoch sees the same batches as an uninterrupted one, and a batched
    ensemble can reproduce any member's order exactly.
    """
    if not shuffle:
        return torch.arange(n, device=device)
    gen = torch.Generator().manual_seed(int(np.random.SeedSequence([int(seed), int(epoch)]).generate_state(1)[0]))
    return torch.randperm(n, generator=gen).to(device)


def batch_slices(n: int, batch_size: int) -> list[slice]:
    """Consecutive batches of a permutation; the last one may be smaller (``drop_last=False``, as the authors)."""
    return [slice(i, min(i + batch_size, n)) for i in range(0, n, batch_size)]


@torch.no_grad()
def evaluate(
    model: torch.nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    loss: str = "ce",
    chunk: int = 10_000,
    output: str = "logits",
) -> tuple[float, float]:
    """Mean loss and accuracy of ``model`` on (x, y), computed in chunks to bound memory (``output``: as in
    :func:`loss_function`)."""
    was_training = model.training
    model.eval()
    fn = loss_function(loss, output)
    total_loss, correct = 0.0, 0
    for i in range(0, x.shape[0], chunk):
        logits = model(x[i : i + chunk])
        yy = y[i : i + chunk]
        total_loss += float(fn(logits, yy)) * yy.shape[0]
        correct += int((logits.argmax(-1) == yy).sum())
    model.train(was_training)
    n = x.shape[0]
    return total_loss / n, correct / n


def fit(
    model: GammaMLP,
    data: MNISTData,
    epochs: int,
    batch_size: int = 20,
    loss: str = "ce",
    alpha: float = 1.0,
    seed: int = 0,
    shuffle: bool = True,
    device: Union[str, torch.device, None] = None,
    progress: bool = True,
    output: str = "logits",
) -> pd.DataFrame:
    """Train ``model`` in place with SGD at the theory's per-layer rates times ``alpha``.

    Returns a tidy history, one row per epoch (epoch 0 = at initialization), with columns
    ``epoch, step, t, train_loss, train_accuracy, test_loss, test_accuracy, status``; ``t = step / N_L``.
    ``seed`` fixes the data order (the model's initial weights are fixed by the model's own seed).  A NaN or
    infinite training loss stops the run and ends the history with a row whose status is ``"diverged"``.
    ``output``: what the loss sees (one of :data:`OUTPUTS`; ``"authors"``: MSE on log-probabilities from depth 2
    on, as the authors' code; :func:`loss_input`).
    The configuration, seed included, is in ``history.attrs["config"]``.

    A learning rate too large for the parameters' dtype (e.g. ``alpha=1e300`` in float32) is an infinite step: the
    run diverges and says so, as :func:`gammanet.ensemble.train_grid` does.
    """
    if not isinstance(model, GammaMLP):
        raise ValueError(f"model must be a GammaMLP; got {type(model).__name__}")
    if not isinstance(data, MNISTData):
        raise ValueError(f"data must be an MNISTData (see gammanet.load_mnist); got {type(data).__name__}")
    epochs = check_nonnegative_int("epochs", epochs)
    batch_size = check_positive_int("batch_size", batch_size)
    seed, shuffle = check_seed("seed", seed), check_bool("shuffle", shuffle)
    if batch_size > data.n_train:
        raise ValueError(f"batch_size={batch_size} is not allowed; it exceeds the {data.n_train} training examples")
    data.check_labels(model.out_features)
    output = loss_input(output, model.depth)
    loss_fn = loss_function(loss, output)
    groups = param_groups(model, alpha)
    alpha = float(alpha)
    dev = resolve_device(device)
    check_memory(
        training_bytes(
            model.widths,
            model.in_features,
            model.out_features,
            1,
            batch_size,
            min(10_000, max(data.n_train, data.n_test)),
        ),
        dev,
        f"training GammaMLP(widths={model.widths})",
    )
    model.to(dev)
    data = data.to(dev)
    dtype = model.readout.weight.dtype
    for group in groups:  # the rate as the parameters hold it: one too large for the dtype becomes inf
        group["lr"] = float(torch.tensor(group["lr"], dtype=torch.float64).to(dtype))
    optimizer = torch.optim.SGD(groups, lr=alpha)
    n_last = model.widths[-1]

    rows = []

    def record(epoch, step, status="ok", train_loss=None):
        ok = status == "ok"
        tr = evaluate(model, data.x_train, data.y_train, loss, output=output) if ok else (train_loss, math.nan)
        te = evaluate(model, data.x_test, data.y_test, loss, output=output) if ok else (math.nan, math.nan)
        rows.append(
            dict(
                epoch=epoch,
                step=step,
                t=step / n_last,
                train_loss=tr[0],
                train_accuracy=tr[1],
                test_loss=te[0],
                test_accuracy=te[1],
                status=status,
            )
        )

    record(0, 0)
    slices = batch_slices(data.n_train, batch_size)
    from tqdm.auto import tqdm

    bar = tqdm(
        total=epochs * len(slices),
        unit="step",
        disable=not progress,
        desc=f"γ={tuple(model.gammas)} N={tuple(model.widths)}",
    )
    step = 0
    model.train()
    for epoch in range(1, epochs + 1):
        order = data_order(data.n_train, epoch, seed, shuffle, device=dev)
        diverged = None
        for sl in slices:
            idx = order[sl]
            value = loss_fn(model(data.x_train[idx]), data.y_train[idx])
            step += 1
            if not torch.isfinite(value):
                diverged = float(value.detach())
                break
            optimizer.zero_grad(set_to_none=True)
            value.backward()
            optimizer.step()
        bar.update(len(slices))
        if diverged is not None:
            record(epoch, step, status="diverged", train_loss=diverged)
            break
        record(epoch, step)
        if not math.isfinite(rows[-1]["train_loss"]):  # the last update overflowed the weights
            rows[-1]["status"] = "diverged"
            break
        bar.set_postfix(test_acc=f"{rows[-1]['test_accuracy']:.3f}")
    bar.close()
    history = pd.DataFrame(rows, columns=HISTORY_COLUMNS)
    history.attrs["config"] = dict(
        model=model.config(),
        epochs=epochs,
        batch_size=batch_size,
        loss=loss,
        output=output,
        alpha=float(alpha),
        seed=int(seed),
        shuffle=bool(shuffle),
        device=str(dev),
        data=dict(source=data.source, n_train=data.n_train, n_test=data.n_test),
    )
    return history
