"""Run an experiment: every work unit of a shard through :func:`gammanet.ensemble.train_grid`, resumable.

:func:`run_experiment` loads the data, then for each unit of its shard (all units when ``shard`` is None):

- finished in the store (``done.json``): reused, nothing is computed;
- a checkpoint in the store: resumed after the checkpoint's epoch (``start_epoch`` + ``initial_state``; train_grid
  gives exactly the rows of an uninterrupted run, and the data order depends only on (data seed, epoch));
- otherwise trained from epoch 0.

Each unit is one :class:`~gammanet.ensemble.Ensemble` with the preset's settings (activation, readout, input scale,
bias, α, batch size, shuffle, loss), ``data_order="shared"`` and the experiment's ``data_seed``.  After each epoch
(``on_epoch_end``) the runner records the epoch's rows and, at the epochs ``probe_epochs`` asks for, the logits of
the first ``probe`` test images, (members, probe, classes) float32; then it saves a checkpoint when at least
``checkpoint_seconds`` have passed since the last one (0: after every epoch).  A finished unit is written as its
result plus a ``done.json`` marker (:mod:`gammanet.experiments.store`).

With ``store=None`` everything stays in memory.  If every member of a unit diverges before the last epoch,
train_grid stops there: that unit's history and probe records end at that epoch.
"""
from __future__ import annotations

import math
import sys
import time
from numbers import Real
from pathlib import Path
from typing import Optional, Sequence, Union

import torch

from ..data import MNISTData, load_mnist
from ..ensemble import train_grid
from ..train import resolve_device
from .catalog import get_experiment
from .configs import Experiment, Unit, data_identity, parse_shard, shard_units
from .results import Results, assemble, load_results, summary_text
from .store import Store

#: Default seconds between checkpoints on an accelerator (on the CPU: 0, i.e. after every epoch).
GPU_CHECKPOINT_SECONDS = 120.0


def prepare_data(experiment: Experiment, data: Optional[MNISTData] = None, verbose: bool = True) -> MNISTData:
    """The experiment's data on the CPU: ``data`` (or ``load_mnist()``, source from ``$GAMMANET_DATA``), cut to
    ``n_train``/``n_test``; checks that the batch and the probe fit."""
    if data is None:
        data = load_mnist(device="cpu", verbose=verbose)
    elif not isinstance(data, MNISTData):
        raise ValueError(f"data must be an MNISTData (see gammanet.load_mnist); got {type(data).__name__}")
    for name, want, have in (("n_train", experiment.n_train, data.n_train), ("n_test", experiment.n_test, data.n_test)):
        if want is not None and want > have:
            raise ValueError(f"{name}={want} is not allowed for experiment {experiment.name!r}: the data from "
                             f"{data.source} has only {have}")
    data = data.subset(experiment.n_train, experiment.n_test)
    batch = experiment.settings()["batch_size"]
    if batch > data.n_train:
        raise ValueError(f"batch size {batch} of preset {experiment.preset!r} is not allowed: it exceeds the "
                         f"{data.n_train} training examples")
    if experiment.probe > data.n_test:
        raise ValueError(f"probe={experiment.probe} is not allowed: it exceeds the {data.n_test} test images")
    return data


def _check_checkpoint_seconds(value, device: torch.device) -> float:
    if value is None:
        return 0.0 if device.type == "cpu" else GPU_CHECKPOINT_SECONDS
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 <= float(value) < math.inf:
        raise ValueError(f"checkpoint_seconds={value!r} is not allowed; give a number of seconds >= 0 "
                         "(0: a checkpoint after every epoch)")
    return float(value)


def train_unit(experiment: Experiment, unit: Unit, data: MNISTData, device: torch.device,
               store: Optional[Store] = None, checkpoint: Optional[dict] = None, checkpoint_seconds: float = 0.0,
               progress: bool = True) -> dict:
    """Train one unit (resuming from ``checkpoint`` when given); returns its payload (see store.py).

    With a ``store``, checkpoints go there and the finished unit is written there."""
    block = experiment.blocks[unit.block]
    probe_epochs = set(experiment.probe_epoch_list(unit.block))
    x_probe = data.x_test[:experiment.probe].to(device)
    start = int(checkpoint["epoch"]) if checkpoint else 0
    rows = list(checkpoint["rows"]) if checkpoint else []
    probe = dict(checkpoint["probe"]) if checkpoint else {}
    probe_steps = dict(checkpoint["probe_steps"]) if checkpoint else {}
    last_save = [time.monotonic()]

    def on_epoch_end(epoch, ensemble, epoch_rows):
        rows.extend(epoch_rows)
        if epoch in probe_epochs:
            probe[epoch] = ensemble.forward(x_probe).to(torch.float32).cpu()
            probe_steps[epoch] = ensemble.steps
        if store is not None and (epoch < block.epochs) and \
                (checkpoint_seconds == 0 or time.monotonic() - last_save[0] >= checkpoint_seconds):
            store.save_checkpoint(unit, dict(epoch=epoch, state=ensemble.state_dict(), rows=rows, probe=probe,
                                             probe_steps=probe_steps))
            last_save[0] = time.monotonic()

    if start < block.epochs:
        train_grid(block.widths, unit.gammas, unit.seeds, data, block.epochs, experiment.resolved_preset(),
                   progress=progress, device=device, data_order="shared", data_seed=experiment.data_seed,
                   start_epoch=start,
                   initial_state=checkpoint["state"] if checkpoint else None, on_epoch_end=on_epoch_end)
    labels = data.y_test[:experiment.probe].tolist()
    return dict(unit=unit.id, rows=rows, probe=probe, probe_steps=probe_steps, probe_labels=labels)


def run_experiment(
    experiment: Union[str, Experiment],
    store: Union[str, Path, None] = None,
    shard: Union[str, Sequence[int], None] = None,
    device: Union[str, torch.device, None] = None,
    data: Optional[MNISTData] = None,
    progress: bool = True,
    checkpoint_seconds: Optional[float] = None,
) -> Results:
    """Run ``experiment`` (a name or an :class:`Experiment`) and return its :class:`Results`.

    ``store``: the results store's root (None: in memory only).  ``shard``: ``"K/N"`` or (K, N), 0 ≤ K < N: run
    only units K, K+N, ... (:func:`shard_units`).  ``device``: None → CUDA when available.  ``data``: an
    :class:`~gammanet.data.MNISTData` to use instead of ``load_mnist()`` (cut to n_train/n_test).
    ``checkpoint_seconds``: least time between checkpoints (None: 0 on the CPU, i.e. every epoch, and
    ``GPU_CHECKPOINT_SECONDS`` elsewhere); a unit is always saved when it finishes.

    With a store, the Results hold every finished unit in the store (this shard's and earlier ones); in memory,
    this shard's units.  ``results.summary`` counts units finished now / reused / resumed, and diverged members;
    with ``progress`` it is printed (to stdout) at the end.
    """
    exp = get_experiment(experiment)
    shard_kn = parse_shard(shard)
    dev = resolve_device(device)
    every = _check_checkpoint_seconds(checkpoint_seconds, dev)
    data = prepare_data(exp, data, verbose=progress)
    identity = data_identity(data)
    units = exp.units()
    mine = shard_units(units, *shard_kn) if shard_kn else units
    st = None
    if store is not None:
        st = Store(store, exp, identity)
        st.ensure(note=data.note, probe_labels=data.y_test[:exp.probe].tolist())
        st.clean_temporaries()

    from tqdm.auto import tqdm

    counts = dict(finished_now=0, reused=0, resumed=0)
    resumed_units, payloads = [], {}
    began = time.monotonic()
    bar = tqdm(mine, desc=f"{exp.name} units", unit="unit", disable=not progress, file=sys.stderr)
    for unit in bar:
        if st is not None and st.is_done(unit):
            counts["reused"] += 1
            continue
        checkpoint = st.load_checkpoint(unit) if st is not None else None
        unit_began = time.monotonic()
        payload = train_unit(exp, unit, data, dev, st, checkpoint, every, progress)
        if checkpoint is not None:
            counts["resumed"] += 1
            resumed_units.append(dict(unit=unit.id, from_epoch=int(checkpoint["epoch"])))
        counts["finished_now"] += 1
        if st is not None:
            diverged = sorted({r["member"] for r in payload["rows"] if r["status"] == "diverged"})
            st.save_result(unit, payload, dict(
                unit=unit.id, epoch=exp.blocks[unit.block].epochs, members=unit.n_members,
                diverged_unit_members=diverged, device=str(dev), seconds=time.monotonic() - unit_began,
                resumed_from_epoch=int(checkpoint["epoch"]) if checkpoint else None))
        else:
            payloads[unit.id] = payload
    bar.close()
    summary = dict(experiment=exp.name, shard=f"{shard_kn[0]}/{shard_kn[1]}" if shard_kn else None,
                   units_in_shard=len(mine), resumed_units=resumed_units, device=str(dev),
                   wall_seconds=time.monotonic() - began, **counts)
    if st is not None:
        results = load_results(exp, store, source=identity["source"])
        results.summary.update(summary)
    else:
        results = assemble(exp, payloads, dict(summary, store=None), identity)
    if progress:
        sys.stderr.flush()
        print(results.summary_text(), flush=True)
    return results


def sweep(experiment: Union[str, Experiment], progress: bool = True, device=None, **kwargs) -> Results:
    """What the chapters call: :func:`run_experiment` in :func:`gammanet.course.store_dir`, reusing whatever is
    already there (a second call computes nothing).  ``device``: None → CUDA when available."""
    from ..course import store_dir

    return run_experiment(experiment, store=store_dir(), device=device, progress=progress, **kwargs)


__all__ = ["run_experiment", "sweep", "train_unit", "prepare_data", "summary_text"]
