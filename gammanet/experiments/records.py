"""What the store's files hold, as dataclasses with a format version, and the error a damaged file raises.

On disk every record is a plain dict (``torch.load(weights_only=True)`` reads only plain values and tensors)
with two more keys, ``format`` (:data:`STORE_FORMAT`) and ``kind``; :func:`to_record` writes one and
:func:`from_record` reads one back, refusing — with a :class:`StoreError` that names the file — anything that is not
a record of the expected kind, of this format, for the expected unit:

============================  ===================  ===============================================================
file                          dataclass            fields
============================  ===================  ===============================================================
``result.pt``                 :class:`UnitResult`  unit, experiment, rows, probe, probe_steps, probe_labels
``checkpoint-e<E>-<sha>.pt``  :class:`Checkpoint`  unit, experiment, epoch, state (``Ensemble.state_dict()``), rows,
                                                   probe, probe_steps
``done.json``                 :class:`DoneRecord`  unit, experiment, epoch, members, diverged_unit_members, device,
                                                   seconds, resumed_from_epoch, result_sha256, result_bytes,
                                                   finished
``checkpoint.json``           :class:`CheckpointNote`  unit, epoch, file, saved
============================  ===================  ===============================================================

``experiment`` is the store key of the configuration and data the record belongs to (a unit folder or a checkpoint
copied from another configuration's store is refused, although its checksum is right).  ``rows`` are
train_grid's history rows (dicts); ``probe`` maps an epoch to the probe logits (members, probe,
classes) float32 of that epoch and ``probe_steps`` to the SGD steps taken by then.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import ClassVar, Optional, Union

#: The version of the unit files; a file of another version is named as such, set aside by `run` and recomputed.
STORE_FORMAT = 3


class StoreError(Exception):
    """A store file is damaged, missing, foreign or of another version; ``str(err)`` is one line, ``"<path>:
    <what is wrong>"``."""

    def __init__(self, path: Union[str, Path], problem: str):
        self.path, self.problem = Path(path), problem
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True)
class UnitResult:
    """A finished unit: its history rows and probe records (``result.pt``)."""

    unit: str
    experiment: str
    rows: list
    probe: dict
    probe_steps: dict
    probe_labels: list
    kind: ClassVar[str] = "unit result"


@dataclass(frozen=True)
class Checkpoint:
    """The state of a unit after epoch ``epoch`` (``checkpoint-e<epoch>-<sha256>.pt``)."""

    unit: str
    experiment: str
    epoch: int
    state: dict
    rows: list
    probe: dict
    probe_steps: dict
    kind: ClassVar[str] = "checkpoint"


@dataclass(frozen=True)
class DoneRecord:
    """``done.json``, written last: the unit is finished, its ``result.pt`` has this sha256 and size."""

    unit: str
    experiment: str
    epoch: int
    members: int
    diverged_unit_members: list
    device: str
    seconds: float
    resumed_from_epoch: Optional[int]
    result_sha256: str
    result_bytes: int
    finished: str
    kind: ClassVar[str] = "done record"


@dataclass(frozen=True)
class CheckpointNote:
    """``checkpoint.json``: the epoch and file of a unit's latest checkpoint (read by ``show``; never trusted for
    resuming, which checks the checkpoint files themselves)."""

    unit: str
    epoch: int
    file: str
    saved: str
    kind: ClassVar[str] = "checkpoint note"


Record = Union[UnitResult, Checkpoint, DoneRecord, CheckpointNote]


def to_record(obj: Record) -> dict:
    """The plain dict written to disk (shallow: tensors are not copied)."""
    return dict(format=STORE_FORMAT, kind=obj.kind, **{f.name: getattr(obj, f.name) for f in fields(obj)})


#: The type of every field of a record, checked on reading (a hand-edited ``done.json`` is a damaged file, not a
#: traceback later): one type or a tuple of them; bools are never ints.
FIELD_TYPES: dict = dict(
    unit=str,
    experiment=str,
    epoch=int,
    members=int,
    diverged_unit_members=list,
    device=str,
    seconds=(int, float),
    resumed_from_epoch=(int, type(None)),
    result_sha256=str,
    result_bytes=int,
    finished=str,
    file=str,
    saved=str,
    rows=list,
    probe=dict,
    probe_steps=dict,
    probe_labels=list,
    state=dict,
)


def _type_problem(name: str, value) -> Optional[str]:
    wanted = FIELD_TYPES.get(name)
    if wanted is not None and (isinstance(value, bool) or not isinstance(value, wanted)):
        return f"{name} = {value!r:.60} is not of type {getattr(wanted, '__name__', wanted)}"
    if name in ("epoch", "members", "result_bytes") and value < 0:
        return f"{name} = {value!r} is negative"
    if name == "result_sha256" and not (len(value) == 64 and all(c in "0123456789abcdef" for c in value)):
        return f"{name} = {value!r:.70} is not a sha256 (64 hex digits)"
    return None


def from_record(cls, value, path: Union[str, Path], unit: Optional[str] = None, experiment: Optional[str] = None):
    """``cls`` from what was read from ``path``; :class:`StoreError` unless it is a record of that kind, of this
    format, with exactly its fields, each of its type, and (given ``unit``, ``experiment``) of that unit of that
    experiment (its store key)."""
    if not isinstance(value, dict) or "format" not in value or "kind" not in value:
        raise StoreError(
            path,
            f"not a gammanet {cls.kind} (no format and kind fields: written by an older gammanet or by something else)",
        )
    if value["kind"] != cls.kind:
        raise StoreError(path, f"holds a {value['kind']!r}, not a {cls.kind}")
    if value["format"] != STORE_FORMAT:
        raise StoreError(
            path, f"written in store format {value['format']!r}; this gammanet reads format {STORE_FORMAT}"
        )
    names = [f.name for f in fields(cls)]
    missing = [n for n in names if n not in value]
    extra = sorted(set(value) - set(names) - {"format", "kind"})
    if missing or extra:
        raise StoreError(
            path,
            f"not a valid {cls.kind}: "
            + "; ".join(([f"missing {missing}"] if missing else []) + ([f"unexpected {extra}"] if extra else [])),
        )
    for n in names:
        problem = _type_problem(n, value[n])
        if problem:
            raise StoreError(path, f"not a valid {cls.kind}: {problem}")
    obj = cls(**{n: value[n] for n in names})
    if experiment is not None and obj.experiment != experiment:
        raise StoreError(
            path,
            f"belongs to the store folder of key {obj.experiment!r}, not {experiment!r} (copied from another "
            "configuration's store?)",
        )
    if unit is not None and obj.unit != unit:
        raise StoreError(path, f"belongs to unit {obj.unit!r}, not {unit!r} (copied from another unit?)")
    return obj


__all__ = [
    "Checkpoint",
    "CheckpointNote",
    "DoneRecord",
    "STORE_FORMAT",
    "StoreError",
    "UnitResult",
    "from_record",
    "to_record",
]
