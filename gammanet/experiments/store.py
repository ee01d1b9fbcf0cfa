"""The results store: one folder per (experiment, key), one sub-folder per work unit, every file written atomically.

Layout (``key`` = :meth:`Experiment.key` of the data actually used)::

    <store>/<experiment name>-<key>/
        experiment.json               configuration, resolved preset, seeds, units, data identity, versions, time
        units/<unit id>/              e.g. units/u003-b1/
            checkpoint.pt             while running: {"epoch", "state" (Ensemble.state_dict()), "rows", "probe",
                                      "probe_steps", "unit"} after epoch "epoch"
            checkpoint.json           its epoch and time (small, for `show`)
            result.pt                 when finished: {"rows", "probe", "probe_steps", "probe_labels", "unit"}
            history.csv               the unit's train_grid history, for reading by eye
            done.json                 written last: the unit is finished (then the checkpoint is removed)

``rows`` are train_grid's history rows (dicts) so far; ``probe`` maps an epoch to the probe logits (members, probe,
classes) float32 of that epoch, ``probe_steps`` to the SGD steps taken by then.

**Atomic writes.**  :func:`atomic_write_bytes` writes to a temporary file in the same folder, flushes and fsyncs it,
then ``os.replace``-s it onto the final name (atomic on POSIX and Windows) and fsyncs the folder: a reader sees the
old file or the new one, never a half-written one, and a killed writer leaves at most a ``.*.tmp`` file that
:meth:`Store.clean_temporaries` removes.  A unit counts as finished only once ``done.json`` exists, which is
written after ``result.pt``.
"""
from __future__ import annotations

import io
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Optional, Union

import torch

from .configs import Experiment, Unit, canonical_json, check_data_identity

TMP_SUFFIX = ".tmp"


# --------------------------------------------------------------------------------------------- atomic files
def atomic_write_bytes(path: Union[str, Path], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, fsync, ``os.replace``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)
    return path


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_text(path: Union[str, Path], text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Union[str, Path], value) -> Path:
    return atomic_write_text(path, json.dumps(value, indent=2, allow_nan=True) + "\n")


def atomic_torch_save(path: Union[str, Path], value) -> Path:
    """``torch.save`` into memory, then :func:`atomic_write_bytes`."""
    buffer = io.BytesIO()
    torch.save(value, buffer)
    return atomic_write_bytes(path, buffer.getvalue())


def torch_load(path: Union[str, Path]):
    """Load a file written by :func:`atomic_torch_save` onto the CPU (plain tensors and Python values only)."""
    return torch.load(path, map_location="cpu", weights_only=True)


def to_cpu(value):
    """``value`` with every tensor moved to the CPU (dicts and lists are copied)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, dict):
        return {k: to_cpu(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_cpu(v) for v in value]
    return value


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
            name=exp.name, key=self.key, description=exp.description, config=exp.to_dict(),
            settings=exp.settings(), preset=dict(preset.__dict__),
            identity=exp.identity(self.data_identity),
            data=dict(self.data_identity, note=note, probe_labels=probe_labels),
            seeds=dict(init=[list(b.seeds) for b in exp.blocks], data_seed=exp.data_seed, data_order="shared"),
            units=[dict(id=u.id, block=u.block, gammas=[list(g) for g in u.gammas], seeds=list(u.seeds),
                        first_member=u.first_member, members=u.n_members) for u in exp.units()],
            versions=versions(), created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        )

    def ensure(self, note: str = "", probe_labels: Optional[list] = None) -> None:
        """Create the folder and write ``experiment.json`` unless it exists (then check that it matches)."""
        path = self.folder / "experiment.json"
        if path.exists():
            found = json.loads(path.read_text())
            if canonical_json(found.get("identity")) != canonical_json(self.experiment.identity(self.data_identity)):
                raise ValueError(f"{path} describes another configuration than {self.experiment.name!r} (key "
                                 f"{self.key}); move that folder away")
            return
        (self.folder / "units").mkdir(parents=True, exist_ok=True)
        atomic_write_json(path, self.describe(note, probe_labels))

    def read_description(self) -> Optional[dict]:
        path = self.folder / "experiment.json"
        return json.loads(path.read_text()) if path.exists() else None

    # ------------------------------------------------------------------------------------------------ units
    def unit_dir(self, unit: Unit) -> Path:
        return self.folder / "units" / unit.id

    def is_done(self, unit: Unit) -> bool:
        return (self.unit_dir(unit) / "done.json").exists()

    def unit_status(self, unit: Unit) -> dict:
        """``{"state": "done" | "running" | "missing", "epoch": last saved epoch or None, ...}`` without loading
        the large files."""
        d = self.unit_dir(unit)
        if (d / "done.json").exists():
            return dict(json.loads((d / "done.json").read_text()), state="done")
        if (d / "checkpoint.json").exists():
            return dict(json.loads((d / "checkpoint.json").read_text()), state="running")
        return dict(state="missing", epoch=None)

    def load_checkpoint(self, unit: Unit) -> Optional[dict]:
        path = self.unit_dir(unit) / "checkpoint.pt"
        if not path.exists():
            return None
        ck = torch_load(path)
        if ck.get("unit") != unit.id:
            raise ValueError(f"{path} belongs to unit {ck.get('unit')!r}, not {unit.id!r}")
        return ck

    def save_checkpoint(self, unit: Unit, checkpoint: dict) -> None:
        """Write ``checkpoint.pt`` (then the small ``checkpoint.json``), each atomically."""
        d = self.unit_dir(unit)
        atomic_torch_save(d / "checkpoint.pt", to_cpu(dict(checkpoint, unit=unit.id)))
        atomic_write_json(d / "checkpoint.json", dict(epoch=int(checkpoint["epoch"]),
                                                     saved=time.strftime("%Y-%m-%dT%H:%M:%S%z")))

    def load_result(self, unit: Unit) -> dict:
        return torch_load(self.unit_dir(unit) / "result.pt")

    def save_result(self, unit: Unit, result: dict, info: dict) -> None:
        """Write ``result.pt`` and ``history.csv``, then ``done.json`` (the unit is finished from then on), then
        remove the checkpoint."""
        import pandas as pd

        d = self.unit_dir(unit)
        atomic_torch_save(d / "result.pt", to_cpu(dict(result, unit=unit.id)))
        atomic_write_text(d / "history.csv", pd.DataFrame(result["rows"]).to_csv(index=False))
        atomic_write_json(d / "done.json", dict(info, finished=time.strftime("%Y-%m-%dT%H:%M:%S%z")))
        for name in ("checkpoint.pt", "checkpoint.json"):
            try:
                (d / name).unlink()
            except FileNotFoundError:
                pass

    def clean_temporaries(self) -> int:
        """Remove temporary files left by writers that were killed mid-write; returns how many."""
        n = 0
        for path in self.folder.glob(f"**/.*{TMP_SUFFIX}"):
            try:
                path.unlink()
                n += 1
            except FileNotFoundError:
                pass
        return n


def locate(root: Union[str, Path], experiment: Experiment, source: Optional[str] = None) -> Optional[Store]:
    """The store folder of ``experiment`` under ``root`` without loading any data: the ``<name>-<key>`` folder
    whose recorded data identity gives that key with this configuration.  Several (data sources differ): the one of
    ``source``, else of ``$GAMMANET_DATA``, else an error listing them.  None when there is none."""
    root = Path(root).expanduser()
    found = []
    for path in sorted(root.glob(f"{experiment.name}-*/experiment.json")):
        try:
            desc = json.loads(path.read_text())
            identity = {k: desc["data"][k] for k in ("source", "n_train", "n_test")}
        except (OSError, ValueError, KeyError, TypeError):
            continue
        store = Store(root, experiment, identity)
        if store.folder == path.parent:
            found.append(store)
    if source is not None:
        found = [s for s in found if s.data_identity["source"] == source]
    if len(found) > 1:
        env = os.environ.get("GAMMANET_DATA", "")
        preferred = [s for s in found if s.data_identity["source"] == env]
        if len(preferred) == 1:
            return preferred[0]
        names = ", ".join(f"{s.folder.name} ({s.data_identity['source']})" for s in found)
        raise ValueError(f"several stored runs of {experiment.name!r} under {root}: {names}; choose the data source")
    return found[0] if found else None


__all__ = ["Store", "merge_stores", "atomic_write_bytes", "atomic_write_json", "atomic_write_text", "atomic_torch_save",
           "locate", "torch_load"]


def merge_stores(sources, destination: Union[str, Path]) -> list[str]:
    """Copy the finished units of every experiment folder under the ``sources`` roots into ``destination`` (a
    store root), for shards that wrote to separate stores.  A unit already finished in the destination is left as
    it is; unfinished units (checkpoints) are not copied.  Returns the ``<folder>/units/<unit>`` paths copied.

    Each experiment folder's ``experiment.json`` is copied when the destination lacks it; folders with the same
    name must describe the same configuration (their name contains the key, so they do)."""

    destination = Path(destination).expanduser()
    if isinstance(sources, (str, Path)):
        sources = [sources]
    copied = []
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
                target = folder / "units" / done.parent.name
                if (target / "done.json").exists():
                    continue
                target.mkdir(parents=True, exist_ok=True)
                for name in ("result.pt", "history.csv"):   # the marker last, as a run writes them
                    if (done.parent / name).exists():
                        atomic_write_bytes(target / name, (done.parent / name).read_bytes())
                atomic_write_bytes(target / "done.json", done.read_bytes())
                copied.append(f"{folder.name}/units/{target.name}")
    return copied
