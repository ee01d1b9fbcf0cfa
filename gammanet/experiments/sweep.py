"""Run an experiment: every work unit of a shard through :func:`gammanet.ensemble.train_grid`, resumable.

:func:`run_experiment` checks everything it can before any work (the device, that the store can be written, the
memory of the largest unit), loads the data, then for each unit of its shard (all units when ``shard`` is None):

- finished and intact in the store (``done.json`` and a ``result.pt`` of its checksum): reused, nothing computed;
- otherwise it takes the unit's lock (:mod:`gammanet.experiments.files`).  Locked by another process: the unit is
  skipped (that process is training it) — or, with ``wait=True``, waited for once the other units are done, then
  reused or resumed;
- holding the lock: a damaged finished unit is set aside (``units/<id>.damaged-<time>/``) and recomputed; a damaged
  checkpoint is set aside and the previous one used; the latest intact checkpoint is resumed after its epoch
  (``start_epoch`` + ``initial_state``; train_grid gives exactly the rows of an uninterrupted run, and the data order
  depends only on (data seed, epoch)); otherwise the unit is trained from epoch 0.

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

import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Optional, Sequence, Union

import torch

from ..data import MNISTData, load_mnist
from ..ensemble import eval_chunk, train_grid
from ..memory import check_memory, training_bytes
from ..train import resolve_device
from ..validation import check_bool, check_float, check_output_dir
from .catalog import get_experiment
from .configs import Experiment, Unit, data_identity, parse_shard, shard_units
from .records import Checkpoint, StoreError, UnitResult
from .results import Results, RunSummary, assemble, load_results, summary_text
from .store import Store

#: Default seconds between checkpoints on an accelerator (on the CPU: 0, i.e. after every epoch).
GPU_CHECKPOINT_SECONDS = 120.0


def prepare_data(experiment: Experiment, data: Optional[MNISTData] = None) -> MNISTData:
    """The experiment's data on the CPU: ``data`` (or ``load_mnist()``, source from ``$GAMMANET_DATA``; its note on
    a fallback to the embedded digits is always printed), cut to ``n_train``/``n_test``; checks that the batch and
    the probe fit."""
    if data is None:
        data = load_mnist(device="cpu", verbose=True)
    elif not isinstance(data, MNISTData):
        raise ValueError(f"data must be an MNISTData (see gammanet.load_mnist); got {type(data).__name__}")
    for name, want, have in (("n_train", experiment.n_train, data.n_train), ("n_test", experiment.n_test, data.n_test)):
        if want is not None and want > have:
            raise ValueError(
                f"{name}={want} is not allowed for experiment {experiment.name!r}: the data from "
                f"{data.source} has only {have}"
            )
    data = data.subset(experiment.n_train, experiment.n_test)
    batch = experiment.settings()["batch_size"]
    if batch > data.n_train:
        raise ValueError(
            f"batch size {batch} of preset {experiment.preset!r} is not allowed: it exceeds the "
            f"{data.n_train} training examples"
        )
    if experiment.probe > data.n_test:
        raise ValueError(f"probe={experiment.probe} is not allowed: it exceeds the {data.n_test} test images")
    return data


def _check_checkpoint_seconds(value, device: torch.device) -> float:
    if value is None:
        return 0.0 if device.type == "cpu" else GPU_CHECKPOINT_SECONDS
    return check_float(
        "checkpoint_seconds",
        value,
        minimum=0.0,
        rule="give a number of seconds >= 0 (0: a checkpoint after every epoch)",
    )


def check_unit_memory(experiment: Experiment, units: Sequence[Unit], device: torch.device) -> None:
    """Refuse (:class:`~gammanet.memory.MemoryRefused`) when the largest of ``units`` would not fit on ``device``."""
    batch = experiment.settings()["batch_size"]
    for unit in units:
        widths, M = experiment.blocks[unit.block].widths, unit.n_members
        check_memory(
            training_bytes(widths, 784, 10, M, batch, eval_chunk(M, widths, 784)),
            device,
            f"unit {unit.id} of {experiment.name!r} ({M} members of widths {widths})",
        )


def train_unit(
    experiment: Experiment,
    unit: Unit,
    data: MNISTData,
    device: torch.device,
    store: Optional[Store] = None,
    checkpoint: Optional[Checkpoint] = None,
    checkpoint_seconds: float = 0.0,
    progress: bool = True,
) -> UnitResult:
    """Train one unit (resuming from ``checkpoint`` when given); returns its result.

    With a ``store``, checkpoints go there (the caller holds the unit's lock)."""
    block = experiment.blocks[unit.block]
    key = store.key if store is not None else experiment.key(data_identity(data))  # what its records belong to
    probe_epochs = set(experiment.probe_epoch_list(unit.block))
    x_probe = data.x_test[: experiment.probe].to(device)
    start = int(checkpoint.epoch) if checkpoint else 0
    rows = [r for r in checkpoint.rows if r["epoch"] <= start] if checkpoint else []
    probe = {e: v for e, v in checkpoint.probe.items() if e <= start} if checkpoint else {}
    probe_steps = {e: v for e, v in checkpoint.probe_steps.items() if e <= start} if checkpoint else {}
    last_save = [time.monotonic()]

    def on_epoch_end(epoch, ensemble, epoch_rows):
        # Whatever was recorded for this epoch already (a resume from epoch 0 evaluates epoch 0 again) is replaced.
        if rows and rows[-1]["epoch"] >= epoch:
            rows[:] = [r for r in rows if r["epoch"] < epoch]
        rows.extend(epoch_rows)
        if epoch in probe_epochs:
            probe[epoch] = ensemble.forward(x_probe).to(torch.float32).cpu()
            probe_steps[epoch] = ensemble.steps
        if (
            store is not None
            and (epoch < block.epochs)
            and (checkpoint_seconds == 0 or time.monotonic() - last_save[0] >= checkpoint_seconds)
        ):
            store.save_checkpoint(
                unit,
                Checkpoint(
                    unit=unit.id,
                    experiment=key,
                    epoch=epoch,
                    state=ensemble.state_dict(),
                    rows=list(rows),
                    probe=dict(probe),
                    probe_steps=dict(probe_steps),
                ),
            )
            last_save[0] = time.monotonic()

    if start < block.epochs:
        train_grid(
            block.widths,
            unit.gammas,
            unit.seeds,
            data,
            block.epochs,
            experiment.resolved_preset(),
            progress=progress,
            device=device,
            data_order="shared",
            data_seed=experiment.data_seed,
            start_epoch=start,
            initial_state=checkpoint.state if checkpoint else None,
            on_epoch_end=on_epoch_end,
        )
    return UnitResult(
        unit=unit.id,
        experiment=key,
        rows=rows,
        probe=probe,
        probe_steps=probe_steps,
        probe_labels=data.y_test[: experiment.probe].tolist(),
    )


def _run_stored_unit(
    st: Store,
    exp: Experiment,
    unit: Unit,
    data: MNISTData,
    dev: torch.device,
    every: float,
    progress: bool,
    wait: bool,
    summary: RunSummary,
) -> bool:
    """Reuse, resume or train one unit of the store, under its lock; False when another process holds the lock
    (and not ``wait``)."""
    try:
        if st.read_done(unit) is not None:
            st.load_result(unit)  # verified: intact
            summary.reused += 1
            return True
    except StoreError:
        pass  # set aside below, holding the lock
    lock = st.lock(unit, wait=wait)
    if lock is None:
        return False
    if getattr(lock, "unavailable", None) and "locks unavailable" not in summary.note:
        summary.note += (
            f"unit locks unavailable ({lock.unavailable}): two processes given the same unit would both train it"
        )
    try:
        st.clean_temporaries(unit)  # only the lock holder writes here: all of them are stale
        try:
            if st.read_done(unit) is not None:  # finished by another process meanwhile
                st.load_result(unit)
                summary.reused += 1
                return True
        except StoreError as err:
            summary.set_aside.append(st.set_aside_unit(unit, str(err)))
        checkpoint, problems = st.load_checkpoint(unit, set_aside=True)
        summary.set_aside += problems
        began = time.monotonic()
        result = train_unit(exp, unit, data, dev, st, checkpoint, every, progress)
        if checkpoint is not None:
            summary.resumed += 1
            summary.resumed_units.append(dict(unit=unit.id, from_epoch=int(checkpoint.epoch)))
        summary.finished_now += 1
        diverged = sorted({r["member"] for r in result.rows if r["status"] == "diverged"})
        st.save_result(
            unit,
            result,
            dict(
                epoch=exp.blocks[unit.block].epochs,
                members=unit.n_members,
                diverged_unit_members=diverged,
                device=str(dev),
                seconds=time.monotonic() - began,
                resumed_from_epoch=int(checkpoint.epoch) if checkpoint else None,
            ),
        )
        return True
    finally:
        lock.release()


def run_experiment(
    experiment: Union[str, Experiment],
    store: Union[str, Path, None] = None,
    shard: Union[str, Sequence[int], None] = None,
    device: Union[str, torch.device, None] = None,
    data: Optional[MNISTData] = None,
    progress: bool = True,
    checkpoint_seconds: Optional[float] = None,
    wait: bool = False,
    full_path: bool = True,
) -> Results:
    """Run ``experiment`` (a name or an :class:`Experiment`) and return its :class:`Results`.

    ``store``: the results store's root (None: in memory only).  ``shard``: ``"K/N"`` or (K, N), 0 ≤ K < N: run
    only units K, K+N, ... (:func:`shard_units`).  ``device``: None → CUDA when available.  ``data``: an
    :class:`~gammanet.data.MNISTData` to use instead of ``load_mnist()`` (cut to n_train/n_test).
    ``checkpoint_seconds``: least time between checkpoints (None: 0 on the CPU, i.e. every epoch, and
    ``GPU_CHECKPOINT_SECONDS`` elsewhere); a unit is always saved when it finishes.  ``wait``: wait for the units
    that another process is training (locked) instead of skipping them.

    Before anything is written or loaded: the shard, the device (one this machine has), the store (a folder that
    can be written) and the memory of the largest unit are checked.

    With a store, the Results hold every finished unit in the store (this shard's and earlier ones); in memory,
    this shard's units.  ``results.summary`` (:class:`RunSummary`) counts units finished now / reused / resumed,
    the units skipped or waited for because another process held them, what was set aside as damaged, and
    diverged members; with ``progress`` it is printed (to stdout) at the end, with the store folder's whole path
    unless ``full_path`` is False.
    """
    exp = get_experiment(experiment)
    shard_kn = parse_shard(shard)
    dev = resolve_device(device)
    every = _check_checkpoint_seconds(checkpoint_seconds, dev)
    progress, wait = check_bool("progress", progress), check_bool("wait", wait)
    root = None if store is None else check_output_dir("store", store)
    units = exp.units()
    mine = shard_units(units, *shard_kn) if shard_kn else units
    check_unit_memory(exp, mine, dev)
    data = prepare_data(exp, data)
    identity = data_identity(data)
    summary = RunSummary(
        exp.name, shard=f"{shard_kn[0]}/{shard_kn[1]}" if shard_kn else None, units_in_shard=len(mine), device=str(dev)
    )
    st = None
    if root is not None:
        st = Store(root, exp, identity)
        summary.set_aside += st.ensure(note=data.note, probe_labels=data.y_test[: exp.probe].tolist())
        st.clean_temporaries()

    from tqdm.auto import tqdm

    payloads = {}
    began = time.monotonic()
    bar = tqdm(mine, desc=f"{exp.name} units", unit="unit", disable=not progress, file=sys.stderr)
    for unit in bar:
        if st is None:
            payloads[unit.id] = train_unit(exp, unit, data, dev, None, None, every, progress)
            summary.finished_now += 1
        elif not _run_stored_unit(st, exp, unit, data, dev, every, progress, False, summary):
            summary.locked.append(unit.id)
    bar.close()
    if wait and summary.locked and st is not None:
        summary.waited, summary.locked = summary.locked, []
        for unit in (u for u in mine if u.id in summary.waited):
            _run_stored_unit(st, exp, unit, data, dev, every, progress, True, summary)
    summary.wall_seconds = time.monotonic() - began
    if st is not None:
        # Another shard's damaged unit must not fail this run: it is named in the summary (its own run repairs it).
        loaded = load_results(exp, root, source=identity["source"], on_damage="skip")
        results = replace(
            loaded,
            summary=replace(
                summary,
                store=loaded.summary.store,
                key=loaded.summary.key,
                damaged=loaded.summary.damaged,
                units_total=loaded.summary.units_total,
                units_done=loaded.summary.units_done,
                members_done=loaded.summary.members_done,
                diverged_members=loaded.summary.diverged_members,
            ),
        )
    else:
        results = assemble(exp, payloads, summary, identity)
    if progress:
        sys.stderr.flush()
        print(results.summary_text(full_path), flush=True)
    return results


def sweep(experiment: Union[str, Experiment], progress: bool = True, device=None, **kwargs) -> Results:
    """What the chapters call: :func:`run_experiment` in :func:`gammanet.course.store_dir`, reusing whatever is
    already there (a second call computes nothing).  ``device``: None → CUDA when available.  The summary it prints
    names the store folder without its path, so that a chapter's output shows no path of the machine it ran on."""
    from ..course import store_dir

    kwargs.setdefault("full_path", False)
    return run_experiment(experiment, store=store_dir(), device=device, progress=progress, **kwargs)


__all__ = ["run_experiment", "sweep", "train_unit", "prepare_data", "summary_text"]
