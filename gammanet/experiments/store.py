"""The results store: one folder per (experiment, key), one sub-folder per work unit, every file written atomically,
every finished unit checked against its checksum when it is read.

Layout (``key`` = :meth:`Experiment.key` of the data actually used)::

    <store>/<experiment name>-<key>/
        experiment.json                   configuration, resolved preset, seeds, units, data identity, versions, time
        units/<unit id>.lock              the unit's lock (held by the process training it)
        units/<unit id>/                  e.g. units/u003-b1/
            checkpoint-e<E>-<sha256>.pt   while running: the state after epoch E (the latest two are kept)
            checkpoint.json               the latest checkpoint's epoch and file (small, for `show`)
            result.pt                     when finished: the unit's rows and probe records
            history.csv                   the unit's history, for reading by eye
            done.json                     written last: the unit is finished; sha256 and size of result.pt
        units/<unit id>.damaged-<time>/   a damaged unit set aside by `run` (never deleted)

What each file holds: :mod:`gammanet.experiments.records`.  How files are written (atomically, with the umask)
and locked: :mod:`gammanet.experiments.files`.

**Damage.**  A unit is finished exactly when ``done.json`` exists; it is *intact* when ``done.json`` is a done
record of this unit and ``result.pt`` has the sha256 and size recorded there and is a result of this unit.  Anything
else — a truncated or deleted ``result.pt``, one copied from another unit, a garbled ``done.json``, a file of
another format — is a :class:`~gammanet.experiments.records.StoreError` naming the file and what is wrong.  A
checkpoint's name carries its sha256, so a damaged checkpoint is recognised too; `run` sets it aside and resumes
from the previous one (or from the start).
"""

from __future__ import annotations

import io
import json
import os
import platform
import re
import time
from pathlib import Path
from typing import Optional, Union

import torch

from .configs import Experiment, Unit, canonical_json, check_data_identity
from .files import (
    LocksUnavailable,
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_text,
    lock_unit,
    remove_temporaries,
    sha256_hex,
    temporaries,
)
from .records import Checkpoint, CheckpointNote, DoneRecord, StoreError, UnitResult, from_record, to_record

#: Checkpoints kept per unit: the latest, and the one before as a fallback should the latest be damaged.
KEEP_CHECKPOINTS = 2
CHECKPOINT_PATTERN = re.compile(r"^checkpoint-e(?P<epoch>\d+)-(?P<sha>[0-9a-f]{64})\.pt$")


# --------------------------------------------------------------------------------------------- serialization
def to_cpu(value):
    """``value`` with every tensor moved to the CPU (dicts and lists are copied)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, dict):
        return {k: to_cpu(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_cpu(v) for v in value]
    return value


def serialize(value) -> bytes:
    """``torch.save`` into memory (tensors moved to the CPU first)."""
    buffer = io.BytesIO()
    torch.save(to_cpu(value), buffer)
    return buffer.getvalue()


def atomic_torch_save(path: Union[str, Path], value) -> Path:
    """:func:`serialize`, then :func:`~gammanet.experiments.files.atomic_write_bytes`."""
    return atomic_write_bytes(path, serialize(value))


def torch_load(path: Union[str, Path], data: Optional[bytes] = None):
    """Load a file written by :func:`atomic_torch_save` onto the CPU (plain tensors and Python values only); a file
    that cannot be read is a :class:`StoreError` naming it."""
    try:
        source = io.BytesIO(data) if data is not None else path
        return torch.load(source, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as err:  # torch raises RuntimeError, EOFError, UnpicklingError, ... on damage
        first = str(err).strip().splitlines()[0] if str(err).strip() else "no details"
        raise StoreError(path, f"cannot be read, damaged or not a torch file ({type(err).__name__}: {first})") from None


def read_json(path: Union[str, Path]):
    """A JSON file's value; a file that is not valid JSON is a :class:`StoreError` naming it."""
    try:
        text = Path(path).read_text()
    except UnicodeDecodeError:
        raise StoreError(path, "is not valid JSON (not even text)") from None
    except FileNotFoundError:
        raise
    except OSError as err:  # a folder where a file should be, a file where a folder should be, no permission
        raise StoreError(path, f"cannot be read ({err.strerror or type(err).__name__})") from None
    try:
        return json.loads(text)
    except ValueError as err:
        raise StoreError(path, f"is not valid JSON ({err})") from None


def read_bytes(path: Path) -> bytes:
    """A store file's bytes; FileNotFoundError as it is, any other OSError a :class:`StoreError` naming it."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as err:
        raise StoreError(path, f"cannot be read ({err.strerror or type(err).__name__})") from None


def stamp() -> str:
    """A time stamp for names of things set aside, unique per process."""
    return f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"


# ---------------------------------------------------------------------------------------------------- store
def versions() -> dict:
    from .. import __version__

    return dict(gammanet=__version__, torch=torch.__version__, python=platform.python_version())


class Store:
    """The folder of one experiment run on one data set: ``root / f"{experiment.name}-{key}"``.

    ``data_identity``: ``{"source", "n_train", "n_test"}`` of the data used (part of the key).
    """

    def __init__(self, root: Union[str, Path], experiment: Experiment, data_identity: dict):
        self.root = Path(root).expanduser()
        self.experiment = experiment
        self.data_identity = check_data_identity(data_identity)
        self.key = experiment.key(self.data_identity)
        self.folder = self.root / f"{experiment.name}-{self.key}"

    def __repr__(self) -> str:
        return f"Store({str(self.folder)!r})"

    # ------------------------------------------------------------------------------------------- experiment
    def describe(self, note: str = "", probe_labels: Optional[list] = None) -> dict:
        """The content of ``experiment.json``."""
        exp = self.experiment
        preset = exp.resolved_preset()
        return dict(
            name=exp.name,
            key=self.key,
            description=exp.description,
            config=exp.to_dict(),
            settings=exp.settings(),
            preset=dict(preset.__dict__),
            identity=exp.identity(self.data_identity),
            data=dict(self.data_identity, note=note, probe_labels=probe_labels),
            seeds=dict(init=[list(b.seeds) for b in exp.blocks], data_seed=exp.data_seed, data_order="shared"),
            units=[
                dict(
                    id=u.id,
                    block=u.block,
                    gammas=[list(g) for g in u.gammas],
                    seeds=list(u.seeds),
                    first_member=u.first_member,
                    members=u.n_members,
                )
                for u in exp.units()
            ],
            versions=versions(),
            created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        )

    def ensure(self, note: str = "", probe_labels: Optional[list] = None) -> list[str]:
        """Create the folder and write ``experiment.json`` unless it exists (then check that it matches).  A damaged
        ``experiment.json`` is set aside (``experiment.json.damaged-<time>``) and written again — the folder's name
        holds the key, so it is known what it described; returns a line saying so, or nothing."""
        path = self.folder / "experiment.json"
        try:
            (self.folder / "units").mkdir(parents=True, exist_ok=True)
        except OSError as err:
            why = err.strerror or type(err).__name__
            raise StoreError(self.folder / "units", f"cannot be created ({why})") from None
        if path.exists() or path.is_symlink():
            try:
                self.check_description(read_json(path), path)
            except StoreError as err:
                # The folder's name holds the key, and every unit record carries it: what the file described is
                # known, so the damaged one is kept aside and a right one written.
                aside = path.with_name(f"experiment.json.damaged-{stamp()}")
                os.replace(path, aside)
                atomic_write_json(path, self.describe(note, probe_labels))
                return [f"{err}; set aside as {aside.name} and written again"]
            return []
        atomic_write_json(path, self.describe(note, probe_labels))
        return []

    def check_description(self, found, path: Path) -> None:
        """:class:`StoreError` unless ``found`` (what ``experiment.json`` holds) describes this configuration and
        data."""
        if not isinstance(found, dict) or "identity" not in found:
            raise StoreError(path, "is not an experiment description (no identity field)")
        data = found.get("data")
        if not isinstance(data, dict) or any(k not in data for k in ("source", "n_train", "n_test")):
            raise StoreError(path, "is not an experiment description (no data source, n_train, n_test)")
        if canonical_json(found["identity"]) != canonical_json(self.experiment.identity(self.data_identity)):
            raise StoreError(path, f"describes another configuration than {self.experiment.name!r} (key {self.key})")

    # ------------------------------------------------------------------------------------------ unit files
    def unit_dir(self, unit: Unit) -> Path:
        return self.folder / "units" / unit.id

    def lock(self, unit: Unit, wait: bool = False):
        """The unit's lock, acquired (``.release()`` it), or None when another process holds it (and not
        ``wait``).  On a file system without ``flock`` every unit is 'locked' by nobody: an object whose
        ``release`` does nothing, with ``unavailable`` set to the reason."""
        try:
            return lock_unit(self.folder / "units" / f"{unit.id}.lock", wait)
        except LocksUnavailable as err:
            return _NoLock(f"locks unavailable: {err}")

    def is_done(self, unit: Unit) -> bool:
        """``done.json`` exists (the unit is finished, intact or not: see :meth:`load_result`)."""
        return (self.unit_dir(unit) / "done.json").exists()

    def read_done(self, unit: Unit) -> Optional[DoneRecord]:
        """The unit's done record, or None when it is not finished; :class:`StoreError` when it is damaged."""
        path = self.unit_dir(unit) / "done.json"
        try:
            value = read_json(path)
        except FileNotFoundError:
            return None
        done = from_record(DoneRecord, value, path, unit.id, self.key)
        epochs = self.experiment.blocks[unit.block].epochs
        if done.epoch != epochs or done.members != unit.n_members:
            raise StoreError(
                path,
                f"says {done.members} members trained to epoch {done.epoch}; unit {unit.id} has {unit.n_members} "
                f"members trained for {epochs} epochs",
            )
        return done

    def load_result(self, unit: Unit) -> UnitResult:
        """The finished unit's result, verified against ``done.json`` (sha256, size, unit id); a
        :class:`StoreError` naming the file otherwise (also when the unit is not finished)."""
        done = self.read_done(unit)
        path = self.unit_dir(unit) / "result.pt"
        if done is None:
            raise StoreError(self.unit_dir(unit) / "done.json", "is missing: the unit is not finished")
        try:
            data = read_bytes(path)
        except FileNotFoundError:
            raise StoreError(path, "is missing, although done.json says the unit is finished") from None
        if len(data) != done.result_bytes or sha256_hex(data) != done.result_sha256:
            raise StoreError(
                path,
                f"does not match done.json ({len(data)} bytes, sha256 {sha256_hex(data)[:12]}…; "
                f"recorded {done.result_bytes} bytes, sha256 {done.result_sha256[:12]}…): "
                "damaged or replaced",
            )
        return from_record(UnitResult, torch_load(path, data), path, unit.id, self.key)

    def unit_status(self, unit: Unit) -> dict:
        """``{"state": "done" | "running" | "missing" | "damaged", "epoch": ..., "problem": ...}``; a finished unit is
        verified (its result is small), a running one is described by ``checkpoint.json`` alone."""
        d = self.unit_dir(unit)
        try:
            done = self.read_done(unit)
            if done is not None:
                self.load_result(unit)
                return dict(state="done", epoch=done.epoch, problem=None)
            if (d / "checkpoint.json").exists():
                note = from_record(CheckpointNote, read_json(d / "checkpoint.json"), d / "checkpoint.json", unit.id)
                return dict(state="running", epoch=note.epoch, problem=None)
        except FileNotFoundError:  # finished or removed between two looks: look again
            return self.unit_status(unit)
        except StoreError as err:
            return dict(state="damaged", epoch=None, problem=str(err))
        return dict(state="missing", epoch=None, problem=None)

    # ------------------------------------------------------------------------------------------ checkpoints
    def checkpoint_files(self, unit: Unit) -> list[tuple[int, str, Path]]:
        """(epoch, sha256, path) of the unit's checkpoint files, latest first."""
        found = []
        d = self.unit_dir(unit)
        if d.is_dir():
            for path in d.iterdir():
                m = CHECKPOINT_PATTERN.match(path.name)
                if m:
                    found.append((int(m["epoch"]), m["sha"], path))
        return sorted(found, key=lambda t: t[0], reverse=True)

    def read_checkpoint(self, unit: Unit, epoch: int, sha: str, path: Path) -> Checkpoint:
        """One checkpoint file, verified (its sha256, its unit, its epoch); :class:`StoreError` otherwise."""
        data = read_bytes(path)
        if sha256_hex(data) != sha:
            raise StoreError(path, f"does not match the sha256 in its name (it has {sha256_hex(data)[:12]}…): damaged")
        ck = from_record(Checkpoint, torch_load(path, data), path, unit.id, self.key)
        if ck.epoch != epoch:
            raise StoreError(path, f"holds epoch {ck.epoch}, not the epoch {epoch} of its name")
        if ck.epoch >= self.experiment.blocks[unit.block].epochs:  # saved only before the last epoch
            raise StoreError(
                path, f"holds epoch {ck.epoch}; unit {unit.id} trains for {self.experiment.blocks[unit.block].epochs}"
            )
        return ck

    def load_checkpoint(self, unit: Unit, set_aside: bool = False) -> tuple[Optional[Checkpoint], list[str]]:
        """The latest intact checkpoint of the unit (None: there is none) and one line per damaged checkpoint
        found on the way; with ``set_aside`` (only under the unit's lock) each damaged one is renamed
        ``<name>.damaged-<time>`` so that it is never read again."""
        problems: list[str] = []
        for epoch, sha, path in self.checkpoint_files(unit):
            try:
                return self.read_checkpoint(unit, epoch, sha, path), problems
            except FileNotFoundError:  # replaced by a newer one meanwhile (a reader next to a running unit)
                continue
            except StoreError as err:
                line = str(err)
                if set_aside:
                    aside = path.with_name(f"{path.name}.damaged-{stamp()}")
                    os.replace(path, aside)
                    line += f"; set aside as {aside.name}"
                problems.append(line)
        return None, problems

    def save_checkpoint(self, unit: Unit, checkpoint: Checkpoint) -> None:
        """Write the checkpoint file (its sha256 in its name), then ``checkpoint.json``, then remove all but the
        latest :data:`KEEP_CHECKPOINTS` checkpoints: at every moment an intact checkpoint exists."""
        if checkpoint.unit != unit.id or checkpoint.experiment != self.key:
            raise ValueError(
                f"checkpoint of unit {checkpoint.unit!r} ({checkpoint.experiment}) given for unit {unit.id!r} "
                f"({self.key})"
            )
        d = self.unit_dir(unit)
        data = serialize(to_record(checkpoint))
        sha = sha256_hex(data)
        name = f"checkpoint-e{int(checkpoint.epoch):06d}-{sha}.pt"
        atomic_write_bytes(d / name, data)
        atomic_write_json(
            d / "checkpoint.json",
            to_record(
                CheckpointNote(
                    unit=unit.id, epoch=int(checkpoint.epoch), file=name, saved=time.strftime("%Y-%m-%dT%H:%M:%S%z")
                )
            ),
        )
        for _, _, path in self.checkpoint_files(unit)[KEEP_CHECKPOINTS:]:
            _unlink(path)

    # ----------------------------------------------------------------------------------------------- results
    def save_result(self, unit: Unit, result: UnitResult, info: dict) -> None:
        """Write ``result.pt`` and ``history.csv``, then ``done.json`` (with the result's sha256; the unit is
        finished from then on), then remove the checkpoints.  ``info``: the other fields of :class:`DoneRecord`."""
        import pandas as pd

        if result.unit != unit.id or result.experiment != self.key:
            raise ValueError(
                f"result of unit {result.unit!r} ({result.experiment}) given for unit {unit.id!r} ({self.key})"
            )
        d = self.unit_dir(unit)
        data = serialize(to_record(result))
        atomic_write_bytes(d / "result.pt", data)
        atomic_write_text(d / "history.csv", pd.DataFrame(result.rows).to_csv(index=False))
        done = DoneRecord(
            unit=unit.id,
            experiment=self.key,
            result_sha256=sha256_hex(data),
            result_bytes=len(data),
            finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            **info,
        )
        atomic_write_json(d / "done.json", to_record(done))
        for _, _, path in self.checkpoint_files(unit):
            _unlink(path)
        _unlink(d / "checkpoint.json")

    def set_aside_unit(self, unit: Unit, problem: str) -> str:
        """Move the unit's folder to ``units/<id>.damaged-<time>/`` (kept, never deleted; only under the unit's
        lock); returns a line saying what and why."""
        aside = self.unit_dir(unit).with_name(f"{unit.id}.damaged-{stamp()}")
        try:
            os.replace(self.unit_dir(unit), aside)
        except OSError as err:
            raise StoreError(
                self.unit_dir(unit), f"{problem}; and it cannot be set aside ({err.strerror or type(err).__name__})"
            ) from None
        return f"{problem}; unit {unit.id} set aside as {aside.relative_to(self.folder)} and recomputed"

    def clean_temporaries(self, unit: Optional[Unit] = None) -> int:
        """Remove the stale temporary files of the store folder (:mod:`~gammanet.experiments.files`), or all
        of those in ``unit``'s folder (call it holding that unit's lock); returns how many."""
        if unit is not None:
            return len(remove_temporaries(self.unit_dir(unit), everything=True)) if self.unit_dir(unit).is_dir() else 0
        return len(remove_temporaries(self.folder))

    # ---------------------------------------------------------------------------------------------- verify
    def verify(self) -> dict:
        """Check every unit fully (results and every checkpoint); nothing is changed.

        Returns ``{"units": {unit id: state}, "problems": [lines], "temporaries": n, "set_aside": [names]}`` with
        states ``"intact"``, ``"running"`` (an intact checkpoint), ``"missing"`` or ``"damaged"``."""
        units, problems = {}, []
        desc = self.folder / "experiment.json"
        try:
            self.check_description(read_json(desc), desc)
        except FileNotFoundError:
            problems.append(f"{desc}: is missing")
        except StoreError as err:
            problems.append(str(err))
        for unit in self.experiment.units():
            state = "missing"
            try:
                if self.read_done(unit) is not None:
                    self.load_result(unit)
                    state = "intact"
            except StoreError as err:
                problems.append(str(err))
                state = "damaged"
            note = self.unit_dir(unit) / "checkpoint.json"
            if state == "missing" and (note.exists() or note.is_symlink()):
                try:
                    from_record(CheckpointNote, read_json(note), note, unit.id)
                except (StoreError, FileNotFoundError) as err:
                    problems.append(str(err))
                    state = "damaged"
            if state in ("missing", "damaged") and not (self.unit_dir(unit) / "done.json").exists():
                for epoch, sha, path in self.checkpoint_files(unit):
                    try:
                        self.read_checkpoint(unit, epoch, sha, path)
                        state = "running" if state != "damaged" else state
                    except FileNotFoundError:
                        continue
                    except StoreError as err:
                        problems.append(str(err))
                        state = "damaged"
            units[unit.id] = state
        aside = (
            sorted(p.name for p in (self.folder / "units").glob("*.damaged-*"))
            if (self.folder / "units").is_dir()
            else []
        )
        return dict(units=units, problems=problems, temporaries=len(temporaries(self.folder)), set_aside=aside)


class _NoLock:
    """Stands for a lock where the file system has none (see :meth:`Store.lock`)."""

    def __init__(self, reason: str):
        self.unavailable = reason

    def release(self) -> None:
        pass


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


FOLDER_PATTERN = "{name}-[0-9a-f]{{12}}"


def locate(root: Union[str, Path], experiment: Experiment, source: Optional[str] = None) -> Optional[Store]:
    """The store folder of ``experiment`` under ``root`` without loading any data: the ``<name>-<key>`` folder
    whose recorded data identity gives that key with this configuration.  Several (data sources differ): the one of
    ``source``, else of ``$GAMMANET_DATA``, else an error listing them.  None when there is none; a
    :class:`StoreError` when there is none but a ``<name>-<key>`` folder's ``experiment.json`` is damaged."""
    root = Path(root).expanduser()
    found, damaged = [], []
    pattern = re.compile(FOLDER_PATTERN.format(name=re.escape(experiment.name)))
    for folder in sorted(root.glob(f"{experiment.name}-*")):
        if not pattern.fullmatch(folder.name) or not folder.is_dir():
            continue  # another experiment whose name starts with this one's
        path = folder / "experiment.json"
        if not path.exists() and not path.is_symlink():
            if (folder / "units").is_dir() and any((folder / "units").iterdir()):
                damaged.append(StoreError(path, "is missing, but the folder holds units"))
            continue
        try:
            desc = read_json(path)
            identity = {k: desc["data"][k] for k in ("source", "n_train", "n_test")}
            store = Store(root, experiment, identity)
        except StoreError as err:
            damaged.append(err)
            continue
        except (KeyError, TypeError, ValueError):
            damaged.append(StoreError(path, "is not an experiment description (no data source, n_train, n_test)"))
            continue
        except FileNotFoundError:
            continue
        if store.folder == path.parent:
            found.append(store)
    if source is not None:
        found = [s for s in found if s.data_identity["source"] == source]
    if not found and damaged:
        first = damaged[0]
        raise StoreError(
            first.path,
            f"{first.problem}; running the experiment again (`python -m gammanet run` with the same name or JSON "
            "file) sets it aside and writes it again",
        )
    if len(found) > 1:
        env = os.environ.get("GAMMANET_DATA", "")
        preferred = [s for s in found if s.data_identity["source"] == env]
        if len(preferred) == 1:
            return preferred[0]
        names = ", ".join(f"{s.folder.name} ({s.data_identity['source']})" for s in found)
        raise ValueError(f"several stored runs of {experiment.name!r} under {root}: {names}; choose the data source")
    return found[0] if found else None


def merge_stores(sources, destination: Union[str, Path]) -> list[str]:
    """Copy the finished, intact units of every experiment folder under the ``sources`` roots into
    ``destination`` (a store root), for shards that wrote to separate stores.  A unit already finished in the
    destination, or locked there by a running process, is left as it is; unfinished units are not copied.
    Returns the ``<folder>/units/<unit>`` paths copied; a damaged source unit is not copied and, once the others
    are, raises a :class:`StoreError` naming it.

    Each experiment folder's ``experiment.json`` is copied when the destination lacks it; folders with the same
    name must describe the same configuration (their name contains the key, so they do)."""
    destination = Path(destination).expanduser()
    if isinstance(sources, (str, Path)):
        sources = [sources]
    copied, damaged = [], []
    for source in sources:
        source = Path(source).expanduser()
        if not source.is_dir():
            raise ValueError(f"store {str(source)!r} does not exist or is not a folder")
        for desc in sorted(source.glob("*/experiment.json")):
            folder = destination / desc.parent.name
            (folder / "units").mkdir(parents=True, exist_ok=True)
            if not (folder / "experiment.json").exists():
                atomic_write_bytes(folder / "experiment.json", desc.read_bytes())
            for done in sorted(desc.parent.glob("units/*/done.json")):
                unit_id, target = done.parent.name, folder / "units" / done.parent.name
                if (target / "done.json").exists():
                    continue
                try:
                    record = from_record(DoneRecord, read_json(done), done, unit_id)
                    data = (done.parent / "result.pt").read_bytes()
                    if sha256_hex(data) != record.result_sha256:
                        raise StoreError(done.parent / "result.pt", "does not match done.json: damaged or replaced")
                except FileNotFoundError:
                    damaged.append(StoreError(done.parent / "result.pt", "is missing"))
                    continue
                except StoreError as err:
                    damaged.append(err)
                    continue
                lock = lock_unit(folder / "units" / f"{unit_id}.lock")
                if lock is None:  # a run is training it there
                    continue
                try:
                    if (target / "done.json").exists():
                        continue
                    target.mkdir(parents=True, exist_ok=True)
                    atomic_write_bytes(target / "result.pt", data)  # the marker last, as a run writes them
                    if (done.parent / "history.csv").exists():
                        atomic_write_bytes(target / "history.csv", (done.parent / "history.csv").read_bytes())
                    atomic_write_bytes(target / "done.json", done.read_bytes())
                    copied.append(f"{folder.name}/units/{target.name}")
                finally:
                    lock.release()
    if damaged:
        raise StoreError(
            damaged[0].path,
            f"{damaged[0].problem} ({len(damaged)} damaged unit(s) not copied; {len(copied)} intact one(s) copied)",
        )
    return copied


__all__ = [
    "Store",
    "StoreError",
    "merge_stores",
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_text",
    "atomic_torch_save",
    "locate",
    "torch_load",
]
