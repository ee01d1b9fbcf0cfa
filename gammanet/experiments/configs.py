"""Experiment configurations: what to train, as frozen, validated values.

A :class:`Block` is one set of hidden widths N_1..N_L trained for every (γ, seed) of ``gamma_grid × seeds``; its
members are numbered γ-major, as :func:`gammanet.ensemble.train_grid` numbers them::

    member = i_γ · len(seeds) + i_seed        (i_γ indexes gamma_grid, i_seed indexes seeds)

An :class:`Experiment` is a named list of blocks plus everything else that fixes the results: the training preset
(:mod:`gammanet.presets`) with optional ``alpha``/``bias`` overrides, the data size, the data order seed and what
to record.  Everything is checked in ``__post_init__``; a bad value raises a ``ValueError`` that names it and says
what is allowed, before any work starts.

**Work units.**  :meth:`Experiment.units` cuts each block's member list into consecutive chunks of at most
``members_per_unit`` members; each chunk is trained as ONE :class:`~gammanet.ensemble.Ensemble`.  The chunks are
whole rows of the γ-major table (a few γ's × all seeds; a single γ × a run of seeds when there are more seeds than
``members_per_unit``), because ``train_grid`` trains a product γ's × seeds.  Units depend on the configuration
only, never on how many shards run them, so a member is always trained in the same ensemble and a sharded sweep is
bitwise equal to an unsharded one.

**Shards.**  :func:`shard_units` gives shard K of N (0 ≤ K < N) the units K, K+N, K+2N, ... (round-robin): the N
shards are disjoint and cover all units.  With Slurm: ``#SBATCH --array=0-7`` and
``--shard $SLURM_ARRAY_TASK_ID/8``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, fields, replace
from typing import Optional, Sequence, Union

from ..presets import Preset, get_preset
from ..scaling import validate_widths
from ..train import batch_slices
from ..validation import (
    check_bool,
    check_choice,
    check_gamma_grid,
    check_int,
    check_positive_float,
    check_seed,
    check_seeds,
    is_int,
)

PROBE_EPOCHS = ("ends", "all")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: The longest experiment name: it names a folder, with the 13 characters of "-<key>" added.
MAX_NAME = 100
#: The most epochs a block may train (a million epochs of MNIST is billions of steps: a typo, not an experiment).
MAX_EPOCHS = 1_000_000
#: Bumped when the meaning of a stored result changes, so old store folders are not reused by mistake.
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Block:
    """One set of hidden widths, trained for every (γ, seed) in ``gamma_grid × seeds`` for ``epochs`` epochs.

    ``widths``: (N_1, ..., N_L); ``gamma_grid``: γ-tuples of length L (a number is broadcast to every layer, and
    ``"xavier"``/``"mean_field"`` are accepted), each in [0.5, 1], no repeats; ``seeds``: distinct non-negative init
    seeds (``GammaMLP(seed=...)``, the same draw for every γ); ``epochs`` ≥ 1.  Lists are stored as tuples.
    """

    widths: tuple[int, ...]
    gamma_grid: tuple[tuple[float, ...], ...]
    seeds: tuple[int, ...]
    epochs: int

    def __post_init__(self):
        widths = validate_widths(self.widths)
        object.__setattr__(self, "gamma_grid", tuple(check_gamma_grid("gamma_grid", self.gamma_grid, len(widths))))
        object.__setattr__(self, "widths", widths)
        object.__setattr__(self, "seeds", tuple(check_seeds("seeds", self.seeds)))
        object.__setattr__(self, "epochs", check_int("epochs", self.epochs, 1, MAX_EPOCHS))

    @property
    def depth(self) -> int:
        return len(self.widths)

    @property
    def n_members(self) -> int:
        return len(self.gamma_grid) * len(self.seeds)

    def members(self) -> list[tuple[tuple[float, ...], int]]:
        """The (γ, seed) pairs, γ-major: member i is ``members()[i]``."""
        return [(g, s) for g in self.gamma_grid for s in self.seeds]

    def to_dict(self) -> dict:
        return dict(
            widths=list(self.widths),
            gamma_grid=[list(g) for g in self.gamma_grid],
            seeds=list(self.seeds),
            epochs=self.epochs,
        )


@dataclass(frozen=True)
class Unit:
    """One work unit: the members ``gammas × seeds`` of block ``block``, trained as one ensemble.

    ``index``: position in :meth:`Experiment.units`; ``first_member``: the experiment-wide id of its first member
    (ids run over blocks in order, γ-major within a block; a unit's members are consecutive ids).
    """

    index: int
    block: int
    gammas: tuple[tuple[float, ...], ...]
    seeds: tuple[int, ...]
    first_member: int

    @property
    def id(self) -> str:
        """The unit's folder name in a store, e.g. ``"u003-b1"``."""
        return f"u{self.index:03d}-b{self.block}"

    @property
    def n_members(self) -> int:
        return len(self.gammas) * len(self.seeds)

    def members(self) -> list[tuple[tuple[float, ...], int]]:
        """(γ, seed) pairs in train_grid's member order (γ-major)."""
        return [(g, s) for g in self.gammas for s in self.seeds]


def _split(n: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` consecutive, balanced [start, stop) ranges covering 0..n-1 (the first ones one longer)."""
    size, extra = divmod(n, parts)
    out, start = [], 0
    for i in range(parts):
        stop = start + size + (1 if i < extra else 0)
        out.append((start, stop))
        start = stop
    return out


@dataclass(frozen=True)
class Experiment:
    """A named sweep: blocks of (widths, γ-grid, seeds, epochs) trained with one preset on one data set.

    ``preset``: a name in :data:`gammanet.presets.PRESETS` (activation, readout, input scale, α, batch size, shuffle,
    loss, bias); ``alpha``/``bias``: override the preset's when not None.  ``n_train``/``n_test``: the first examples
    of the data source (None: all of them).  ``probe``: record the logits of the first ``probe`` test images for
    every member, shape (members, probe, 10) per recorded epoch; ``probe_epochs``: ``"ends"`` (epoch 0 and the
    block's last epoch) or ``"all"``.  ``data_seed``: the data order shared by all members (train_grid
    ``data_order="shared"``).  ``members_per_unit``: the largest ensemble trained at once (see the module docstring).
    """

    name: str
    description: str
    preset: str
    blocks: tuple[Block, ...]
    n_train: Optional[int] = None
    n_test: Optional[int] = None
    alpha: Optional[float] = None
    bias: Optional[bool] = None
    probe: int = 0
    probe_epochs: str = "ends"
    data_seed: int = 0
    members_per_unit: int = 64

    def __post_init__(self):
        if not isinstance(self.name, str) or not NAME_PATTERN.match(self.name) or len(self.name) > MAX_NAME:
            raise ValueError(
                f"experiment name {self.name!r:.80} is not allowed; use at most {MAX_NAME} letters, digits, '_', '-' "
                "and '.', starting with a letter or digit (it names a folder)"
            )
        if not isinstance(self.description, str):
            raise ValueError(f"description={self.description!r} is not allowed; it must be a string")
        get_preset(self.preset)
        blocks = self.blocks
        if isinstance(blocks, (Block, dict)):
            blocks = (blocks,)
        if isinstance(blocks, (str, bytes)) or not hasattr(blocks, "__len__") or len(blocks) == 0:
            raise ValueError(f"blocks={blocks!r} is not allowed; give at least one Block")
        blocks = tuple(Block(**b) if isinstance(b, dict) else b for b in blocks)
        for i, b in enumerate(blocks):
            if not isinstance(b, Block):
                raise ValueError(f"blocks[{i}] is a {type(b).__name__}; give Block objects (or dicts of their fields)")
        object.__setattr__(self, "blocks", blocks)
        for name in ("n_train", "n_test"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, check_int(name, value, 1))
        if self.alpha is not None:  # None: the preset's
            object.__setattr__(self, "alpha", check_positive_float("alpha", self.alpha))
        if self.bias is not None:
            object.__setattr__(self, "bias", check_bool("bias", self.bias))
        object.__setattr__(self, "probe", check_int("probe", self.probe, 0))
        check_choice("probe_epochs", self.probe_epochs, PROBE_EPOCHS)
        object.__setattr__(self, "data_seed", check_seed("data_seed", self.data_seed))
        object.__setattr__(self, "members_per_unit", check_int("members_per_unit", self.members_per_unit, 1))
        batch = self.settings()["batch_size"]
        if self.n_train is not None and batch > self.n_train:
            raise ValueError(
                f"n_train={self.n_train} is not allowed with preset {self.preset!r}: its batch size "
                f"{batch} exceeds the training examples"
            )
        if self.n_test is not None and self.probe > self.n_test:
            raise ValueError(f"probe={self.probe} is not allowed; it exceeds n_test={self.n_test} test images")

    # ------------------------------------------------------------------------------------------- derived values
    def resolved_preset(self) -> Preset:
        """The preset with this experiment's ``alpha``/``bias`` overrides applied."""
        p = get_preset(self.preset)
        return replace(
            p, alpha=p.alpha if self.alpha is None else self.alpha, bias=p.bias if self.bias is None else self.bias
        )

    def settings(self) -> dict:
        """What the resolved preset fixes: activation, readout, input_scale, bias, alpha, batch_size, shuffle, loss."""
        p = self.resolved_preset()
        return dict(p.model_kwargs(), **p.fit_kwargs())

    @property
    def depths(self) -> tuple[int, ...]:
        return tuple(b.depth for b in self.blocks)

    @property
    def n_members(self) -> int:
        return sum(b.n_members for b in self.blocks)

    def probe_epoch_list(self, block: int) -> list[int]:
        """The epochs at which block ``block`` records probe logits (empty when ``probe == 0``)."""
        if self.probe == 0:
            return []
        epochs = self.blocks[block].epochs
        return list(range(epochs + 1)) if self.probe_epochs == "all" else [0, epochs]

    def units(self) -> list[Unit]:
        """The work units, in order (see the module docstring); a function of the configuration alone."""
        out: list[Unit] = []
        first = 0
        for b, block in enumerate(self.blocks):
            n_g, n_s, cap = len(block.gamma_grid), len(block.seeds), self.members_per_unit
            if n_s <= cap:  # whole γ-rows: a few γ's × all seeds, the γ's split as evenly as possible
                per = cap // n_s
                pieces = [(block.gamma_grid[a:z], block.seeds) for a, z in _split(n_g, math.ceil(n_g / per))]
            else:  # more seeds than fit: one γ at a time, its seeds in balanced runs
                pieces = [
                    ((g,), block.seeds[a:z]) for g in block.gamma_grid for a, z in _split(n_s, math.ceil(n_s / cap))
                ]
            for gammas, seeds in pieces:
                out.append(Unit(len(out), b, tuple(gammas), tuple(seeds), first))
                first += len(gammas) * len(seeds)
        return out

    def steps_per_epoch(self, n_train: int) -> int:
        return len(batch_slices(n_train, self.settings()["batch_size"]))

    # ------------------------------------------------------------------------------------- identity and export
    def to_dict(self) -> dict:
        """All fields as plain JSON values (blocks as dicts); ``Experiment.from_dict`` inverts it."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["blocks"] = [b.to_dict() for b in self.blocks]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Experiment":
        if not isinstance(d, dict):
            raise ValueError(f"an experiment must be a JSON object; got {type(d).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"unknown experiment field(s) {unknown}; allowed: {sorted(known)}")
        missing = sorted({"name", "preset", "blocks"} - set(d))
        if missing:
            raise ValueError(f"the experiment is missing field(s) {missing}")
        d = dict(d)
        d.setdefault("description", "")
        blocks = d["blocks"]
        if isinstance(blocks, list):
            names = [f.name for f in fields(Block)]
            for i, b in enumerate(blocks):
                if not isinstance(b, dict):
                    raise ValueError(
                        f"blocks[{i}]={b!r} is not allowed; each block is a JSON object with the "
                        f"fields {', '.join(names)}"
                    )
                bad, missing = sorted(set(b) - set(names)), [n for n in names if n not in b]
                if bad:
                    raise ValueError(f"blocks[{i}] has unknown field(s) {bad}; allowed: {', '.join(names)}")
                if missing:
                    raise ValueError(f"blocks[{i}] is missing field(s) {missing}; a block needs {', '.join(names)}")
            d["blocks"] = tuple(Block(**b) for b in blocks)
        return cls(**d)

    def replace(self, **changes) -> "Experiment":
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def key(self, data_identity: dict) -> str:
        """12 hex digits of the sha256 of every result-relevant value, as canonical JSON.

        Covers all fields but ``name`` and ``description``, the resolved preset's settings (so editing a preset
        invalidates stored results), and ``data_identity`` = ``{"source", "n_train", "n_test"}`` of the data actually
        used (see :func:`data_identity`).
        """
        return hashlib.sha256(canonical_json(self.identity(data_identity)).encode()).hexdigest()[:12]

    def identity(self, data_identity: dict) -> dict:
        """What :meth:`key` hashes."""
        d = self.to_dict()
        del d["name"], d["description"]
        return dict(config=d, settings=self.settings(), data=check_data_identity(data_identity), format=FORMAT_VERSION)


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def check_data_identity(identity: dict) -> dict:
    if not isinstance(identity, dict) or set(identity) != {"source", "n_train", "n_test"}:
        raise ValueError(f"data identity {identity!r} is not allowed; give a dict with keys source, n_train, n_test")
    return dict(source=str(identity["source"]), n_train=int(identity["n_train"]), n_test=int(identity["n_test"]))


def data_identity(data) -> dict:
    """``{"source", "n_train", "n_test"}`` of an :class:`~gammanet.data.MNISTData` (after any subset)."""
    return dict(source=data.source, n_train=data.n_train, n_test=data.n_test)


# ---------------------------------------------------------------------------------------------------- shards
def parse_shard(shard: Union[str, Sequence[int], None]) -> Optional[tuple[int, int]]:
    """``"K/N"`` or (K, N) with 0 ≤ K < N → (K, N); None stays None (no sharding)."""
    if shard is None:
        return None
    text = shard
    if isinstance(shard, str):
        m = re.fullmatch(r"\s*(-?\d+)\s*/\s*(-?\d+)\s*", shard)
        if not m:
            raise ValueError(
                f"shard {shard!r} is not allowed; write K/N with 0 <= K < N, e.g. 0/8 "
                "(Slurm: --shard $SLURM_ARRAY_TASK_ID/8 with --array=0-7)"
            )
        shard = (int(m.group(1)), int(m.group(2)))
    if (
        isinstance(shard, (str, bytes))
        or not hasattr(shard, "__len__")
        or len(shard) != 2
        or not all(is_int(v) for v in shard)
    ):
        raise ValueError(f"shard {text!r} is not allowed; write K/N or (K, N) with integers 0 <= K < N")
    k, n = int(shard[0]), int(shard[1])
    if n < 1 or not 0 <= k < n:
        raise ValueError(
            f"shard {text if isinstance(text, str) else f'{k}/{n}'!r} is not allowed; K/N needs "
            "0 <= K < N (K counts from 0, as Slurm's --array=0-7 with N = 8)"
        )
    return k, n


def shard_units(units: Sequence[Unit], k: int, n: int) -> list[Unit]:
    """Shard K of N (0 ≤ K < N): units K, K+N, K+2N, ... (round-robin, so big blocks spread over shards)."""
    parsed = parse_shard((k, n))
    assert parsed is not None  # (k, n) is never None
    return list(units)[parsed[0] :: parsed[1]]


__all__ = [
    "Block",
    "Experiment",
    "Unit",
    "PROBE_EPOCHS",
    "canonical_json",
    "data_identity",
    "parse_shard",
    "shard_units",
]
