"""Results of an experiment: tidy DataFrames assembled from its units, in memory or from a store.

Every unit gives a :class:`~gammanet.experiments.records.UnitResult` (its rows and probe records); :func:`assemble`
turns them into a :class:`Results`, in the same way whether they were just computed, read from a store, or computed
by different shards — so these three are equal.

``Results.history``: one row per (member, epoch), train_grid's columns plus where the member sits::

    block, unit, member, unit_member, seed, width_1..width_L, widths, gamma_1..gamma_L, alpha,
    epoch, step, t, train_loss, train_accuracy, test_loss, test_accuracy, status

``member`` is the experiment-wide member id (blocks in order, γ-major within a block, as
:meth:`Experiment.units` numbers them), ``unit_member`` the index inside its unit's ensemble, ``widths`` a label
such as ``"100-100"``.  L is the largest depth of the experiment (shallower blocks have NaN in the extra columns).
Rows are sorted by (member, epoch).

Probe logits (experiments with ``probe > 0``): ``Results.outputs`` is tidy, one row per (member, epoch, image,
class) with columns ``block, member, seed, width_1.., widths, gamma_1.., epoch, step, t, image, label, class,
logit``; :meth:`Results.probe_array` gives one block and epoch as an array (n_gammas, n_seeds, probe, classes), the
form in which Var over seeds is one ``.var(axis=1)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Optional, Union

import numpy as np
import pandas as pd

from ..train import HISTORY_COLUMNS
from .configs import Experiment, Unit
from .records import StoreError


def width_label(widths) -> str:
    return "-".join(str(int(n)) for n in widths)


@dataclass
class RunSummary:
    """What a run did and what is finished, printed at the end of a run (:func:`summary_text`).

    Always: ``experiment``, ``units_total``, ``units_done``, ``members_done``, ``diverged_members``, ``store`` (the
    store folder, None in memory), ``key``, ``note``, ``damaged`` (one line per damaged unit skipped while reading).
    After a run (``units_in_shard`` is not None): ``shard``, ``units_in_shard``, ``finished_now``, ``reused``,
    ``resumed``, ``resumed_units`` ([{unit, from_epoch}]), ``locked`` (units skipped because another process held
    their lock), ``waited`` (units whose lock this run waited for), ``set_aside`` (one line per damaged file or unit
    set aside), ``device``, ``wall_seconds``.  ``summary["reused"]`` reads a field as a dict would.
    """

    experiment: str
    units_total: int = 0
    units_done: int = 0
    members_done: int = 0
    diverged_members: int = 0
    store: Optional[str] = None
    key: Optional[str] = None
    note: str = ""
    damaged: list = field(default_factory=list)
    shard: Optional[str] = None
    units_in_shard: Optional[int] = None
    finished_now: int = 0
    reused: int = 0
    resumed: int = 0
    resumed_units: list = field(default_factory=list)
    locked: list = field(default_factory=list)
    waited: list = field(default_factory=list)
    set_aside: list = field(default_factory=list)
    device: Optional[str] = None
    wall_seconds: Optional[float] = None

    def __getitem__(self, name: str):
        if name not in {f.name for f in fields(self)}:
            raise KeyError(name)
        return getattr(self, name)


@dataclass
class Results:
    """What an experiment produced so far (see the module docstring for the columns).

    ``experiment``; ``history`` (DataFrame); ``payloads`` (unit id → :class:`UnitResult`, the raw form);
    ``complete`` (every unit of the experiment is finished); ``summary`` (:class:`RunSummary`); ``data`` (source,
    n_train, n_test).
    """

    experiment: Experiment
    history: pd.DataFrame
    payloads: dict
    complete: bool
    summary: RunSummary
    data: dict = field(default_factory=dict)
    _outputs: Optional[pd.DataFrame] = field(default=None, repr=False)

    def __repr__(self) -> str:
        done = len(self.payloads)
        return (
            f"Results({self.experiment.name!r}: {done}/{len(self.experiment.units())} units, "
            f"{self.history.member.nunique() if len(self.history) else 0} members, complete={self.complete})"
        )

    # ------------------------------------------------------------------------------------------- outputs
    @property
    def outputs(self) -> pd.DataFrame:
        """The probe logits, tidy (empty when the experiment records none); built once, on first use."""
        if self._outputs is None:
            self._outputs = tidy_outputs(self.experiment, self.payloads)
        return self._outputs

    def probe_array(self, block: int, epoch: int) -> np.ndarray:
        """Block ``block``'s probe logits at ``epoch``: float32 (n_gammas, n_seeds, probe, classes), γ and seeds in
        the block's order; NaN for members whose unit is missing or has no record at that epoch."""
        exp = self.experiment
        b = exp.blocks[block]
        out = None
        for unit in exp.units():
            payload = self.payloads.get(unit.id)
            if unit.block != block or payload is None or epoch not in payload.probe:
                continue
            logits = np.asarray(payload.probe[epoch], dtype=np.float32)  # (members, probe, classes)
            if out is None:
                out = np.full((len(b.gamma_grid), len(b.seeds)) + logits.shape[1:], np.nan, dtype=np.float32)
            for i, (g, s) in enumerate(unit.members()):
                out[b.gamma_grid.index(g), b.seeds.index(s)] = logits[i]
        if out is None:
            raise ValueError(
                f"no probe logits for block {block} at epoch {epoch}; recorded epochs: "
                f"{exp.probe_epoch_list(block)} (probe={exp.probe})"
            )
        return out

    def summary_text(self, full_path: bool = True) -> str:
        return summary_text(self.summary, full_path)


def summary_text(s: RunSummary, full_path: bool = True) -> str:
    """The summary as the few lines printed at the end of a run.  ``full_path=False`` names the store folder without
    the path to the store (what the chapters print: a built book shows no path of the machine that built it)."""
    where = s.store if full_path or s.store is None else f"the results store, folder {Path(s.store).name}"
    lines = [
        f"{s.experiment}: {s.units_done}/{s.units_total} units finished"
        + (f" in {where}" if s.store else " (in memory)")
    ]
    if s.units_in_shard is not None:
        shard = f"shard {s.shard}: " if s.shard else ""
        lines.append(
            f"  {shard}{s.units_in_shard} units — {s.finished_now} finished now "
            f"({s.resumed} resumed from a checkpoint), {s.reused} reused from the store"
            + (f"; {s.wall_seconds:.1f} s on {s.device}" if s.wall_seconds is not None else "")
        )
    if s.waited:
        lines.append(f"  waited for {len(s.waited)} unit(s) locked by another process: {', '.join(s.waited)}")
    if s.locked:
        lines.append(
            f"  skipped {len(s.locked)} unit(s) locked by another process (it is training them; rerun, or "
            f"use --wait, to collect them): {', '.join(s.locked)}"
        )
    lines += [f"  set aside: {line}" for line in s.set_aside]
    if s.note and s.units_in_shard is not None:
        lines.append(f"  note: {s.note}")
    lines += [f"  damaged, not read: {line}" for line in s.damaged]
    lines.append(f"  diverged members: {s.diverged_members} of {s.members_done}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------- assembling
def _member_columns(exp: Experiment, unit: Unit) -> list[dict]:
    """The per-member identification columns of a unit, in train_grid's member order."""
    L = max(exp.depths)
    block = exp.blocks[unit.block]
    out = []
    for i, (g, s) in enumerate(unit.members()):
        row = dict(block=unit.block, unit=unit.id, member=unit.first_member + i, unit_member=i, seed=s)
        row.update({f"width_{k + 1}": (block.widths[k] if k < block.depth else math.nan) for k in range(L)})
        row["widths"] = width_label(block.widths)
        row.update({f"gamma_{k + 1}": (g[k] if k < block.depth else math.nan) for k in range(L)})
        out.append(row)
    return out


def history_columns(exp: Experiment) -> list[str]:
    L = max(exp.depths)
    return (
        ["block", "unit", "member", "unit_member", "seed"]
        + [f"width_{k + 1}" for k in range(L)]
        + ["widths"]
        + [f"gamma_{k + 1}" for k in range(L)]
        + ["alpha"]
        + HISTORY_COLUMNS
    )


def unit_history(exp: Experiment, unit: Unit, rows: list) -> pd.DataFrame:
    """train_grid rows of one unit → the experiment's history layout, sorted by (member, epoch)."""
    ids = _member_columns(exp, unit)
    records = []
    for r in rows:
        rec = dict(ids[r["member"]])
        rec.update({k: r[k] for k in ["alpha"] + HISTORY_COLUMNS})
        records.append(rec)
    df = pd.DataFrame(records, columns=history_columns(exp))
    return df


def assemble(
    exp: Experiment,
    payloads: dict,
    summary: Optional[RunSummary] = None,
    data: Optional[dict] = None,
    partial: Optional[dict] = None,
) -> Results:
    """Results from ``payloads`` (unit id → :class:`UnitResult` of a finished unit) and, optionally, ``partial``
    (unit id → rows of an unfinished unit, shown in ``history`` but not in ``payloads``).  The counts of
    ``summary`` (units and members done, diverged members) are filled in."""
    units = exp.units()
    frames = []
    for unit in units:
        if unit.id in payloads:
            frames.append(unit_history(exp, unit, payloads[unit.id].rows))
        elif partial and unit.id in partial:
            frames.append(unit_history(exp, unit, partial[unit.id]))
    history = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=history_columns(exp))
    history = history.sort_values(["member", "epoch"], kind="stable", ignore_index=True)
    for col in ("block", "member", "unit_member", "seed", "epoch", "step"):
        if len(history):
            history[col] = history[col].astype("int64")
    ordered = {u.id: payloads[u.id] for u in units if u.id in payloads}
    summary = replace(
        summary or RunSummary(exp.name),
        units_total=len(units),
        units_done=len(ordered),
        members_done=sum(u.n_members for u in units if u.id in ordered),
        diverged_members=int(history.loc[history.status == "diverged", "member"].nunique()) if len(history) else 0,
    )
    return Results(
        experiment=exp,
        history=history,
        payloads=ordered,
        complete=len(ordered) == len(units),
        summary=summary,
        data=dict(data or {}),
    )


def tidy_outputs(exp: Experiment, payloads: dict) -> pd.DataFrame:
    """The probe logits of ``payloads`` as one tidy DataFrame (see the module docstring), sorted by (member,
    epoch, image, class); ``widths`` is categorical (the frame has members × epochs × probe × classes rows)."""
    L = max(exp.depths)
    labels_all = list(dict.fromkeys(width_label(b.widths) for b in exp.blocks))
    columns = (
        ["block", "member", "seed"]
        + [f"width_{j + 1}" for j in range(L)]
        + ["widths"]
        + [f"gamma_{j + 1}" for j in range(L)]
        + ["epoch", "step", "t", "image", "label", "class", "logit"]
    )
    frames = []
    for unit in exp.units():  # units follow member order, so no sort is needed
        payload = payloads.get(unit.id)
        if payload is None or not payload.probe:
            continue
        ids = pd.DataFrame(_member_columns(exp, unit)).drop(columns=["unit", "unit_member"])
        epochs = sorted(payload.probe)
        logits = np.stack([np.asarray(payload.probe[e], dtype=np.float32) for e in epochs], axis=1)  # (M,E,P,K)
        M, E, P, K = logits.shape
        m, e, i, k = (
            a.ravel() for a in np.meshgrid(np.arange(M), np.arange(E), np.arange(P), np.arange(K), indexing="ij")
        )
        steps = np.array([int(payload.probe_steps[ep]) for ep in epochs], dtype=np.int64)
        labels = np.asarray(payload.probe_labels, dtype=np.int64)
        frame = {c: ids[c].to_numpy()[m] for c in ids.columns if c != "widths"}
        frame["widths"] = pd.Categorical.from_codes(np.full(m.shape, labels_all.index(ids.widths[0])), labels_all)
        frame.update(
            epoch=np.asarray(epochs, dtype=np.int64)[e],
            step=steps[e],
            t=steps[e] / exp.blocks[unit.block].widths[-1],
            image=i,
            label=labels[i] if len(labels) == P else np.full(m.shape, -1),
            **{"class": k, "logit": logits.ravel()},
        )
        frames.append(pd.DataFrame(frame)[columns])
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)


def load_results(
    experiment: Union[str, Experiment],
    store: Union[str, Path, None] = None,
    source: Optional[str] = None,
    partial: bool = False,
    on_damage: str = "raise",
) -> Results:
    """Whatever is finished of ``experiment`` in ``store`` (default :func:`gammanet.course.store_dir`), with no
    training and without loading MNIST.  Shards that wrote to one store folder are merged by this alone.

    ``source``: which data source's run when the store holds several.  ``partial=True``: include the rows saved
    in the latest intact checkpoint of unfinished units in ``history`` (their probe logits are not included).
    Every finished unit is verified (:meth:`Store.load_result`); a damaged one raises a
    :class:`~gammanet.experiments.records.StoreError` naming the file (``on_damage="raise"``) or is left out and
    named in ``summary.damaged`` (``on_damage="skip"``).  Nothing in the store is changed.
    """
    from ..course import store_dir
    from ..validation import check_bool, check_choice
    from .catalog import get_experiment
    from .store import locate

    exp = get_experiment(experiment)
    partial = check_bool("partial", partial)
    check_choice("on_damage", on_damage, ("raise", "skip"))
    root = Path(store).expanduser() if store is not None else store_dir()
    st = locate(root, exp, source)
    if st is None:
        return assemble(exp, {}, RunSummary(exp.name, note=f"nothing stored under {root}"))
    payloads, rows, damaged = {}, {}, []
    for unit in exp.units():
        try:
            if st.read_done(unit) is not None:
                payloads[unit.id] = st.load_result(unit)
                continue
        except StoreError as err:
            if on_damage == "raise":
                raise
            damaged.append(str(err))
            continue
        if partial:
            checkpoint, _ = st.load_checkpoint(unit)
            if checkpoint is not None:
                rows[unit.id] = checkpoint.rows
            elif st.is_done(unit):  # finished between the two looks
                payloads[unit.id] = st.load_result(unit)
    summary = RunSummary(exp.name, store=str(st.folder), key=st.key, damaged=damaged)
    return assemble(exp, payloads, summary, st.data_identity, rows)


__all__ = ["Results", "RunSummary", "assemble", "load_results", "tidy_outputs", "summary_text", "width_label"]
