"""Named experiments and sweeps with a results store that survives interruption.

::

    from gammanet.experiments import get_experiment, run_experiment, sweep

    exp = get_experiment("ch4_shallow")          # a frozen, validated Experiment (configs.py, catalog.py)
    res = sweep("ch4_shallow")                   # run (or reuse) it in gammanet.course.store_dir()
    res.history                                  # one tidy DataFrame over all members and epochs
    res.outputs                                  # probe logits, tidy (when the experiment records them)

Modules, one job each: ``configs`` (Block, Experiment, units, shards), ``catalog`` (the registry), ``paper`` (the
papers' experiments and γ-grids), ``chapters`` (the chapters' experiments), ``files`` (atomic writes, temporary
files, unit locks), ``records`` (what the store's files hold, StoreError), ``store`` (the store layout, verified
reads, damage), ``results`` (Results, RunSummary, load_results), ``sweep`` (run_experiment, sweep).
``docs/runner.md`` explains the store, resuming, locking, damage and sharding.
"""

from .configs import Block, Experiment, Unit, data_identity, parse_shard, shard_units
from .catalog import EXPERIMENTS, get_experiment, register
from .records import StoreError
from .results import Results, RunSummary, load_results
from .store import Store, atomic_write_bytes, atomic_write_json, atomic_write_text, merge_stores
from .sweep import run_experiment, sweep

__all__ = [
    "Block",
    "Experiment",
    "Unit",
    "EXPERIMENTS",
    "Results",
    "RunSummary",
    "Store",
    "StoreError",
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_text",
    "data_identity",
    "get_experiment",
    "load_results",
    "merge_stores",
    "parse_shard",
    "register",
    "run_experiment",
    "shard_units",
    "sweep",
]
