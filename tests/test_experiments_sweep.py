"""The runner in-process: shards equal the whole sweep, reruns reuse, interruption resumes exactly, probe logits,
atomic writes, merging stores."""

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from gammanet import GammaMLP
from gammanet.experiments import (
    Block,
    Experiment,
    atomic_write_bytes,
    load_results,
    merge_stores,
    run_experiment,
    sweep,
)
from gammanet.experiments import store as store_module
from gammanet.experiments.store import Store, atomic_torch_save


def tiny(**changes) -> Experiment:
    """5 units: block 0 (widths 12) cut into 2 units of 3, block 1 (8, 8) into 3 units of 2."""
    exp = Experiment(
        "tiny",
        "a test sweep",
        "fast",
        (Block((12,), (0.5, 1.0), (0, 1, 2), 3), Block((8, 8), ((0.5, 0.5), (1.0, 0.5), (1.0, 1.0)), (0, 1), 2)),
        n_train=200,
        n_test=100,
        probe=4,
        members_per_unit=3,
    )
    return exp.replace(**changes)


@pytest.fixture(scope="module")
def whole(mnist):
    torch.set_num_threads(1)
    return run_experiment(tiny(), data=mnist, progress=False)


def assert_same(a, b):
    pd.testing.assert_frame_equal(a.history, b.history, check_exact=True)
    pd.testing.assert_frame_equal(a.outputs, b.outputs, check_exact=True)


def test_in_memory_results_layout(whole):
    exp, h = whole.experiment, whole.history
    assert whole.complete and whole.summary["finished_now"] == 5 and whole.summary["store"] is None
    assert len(exp.units()) == 5 and h.member.nunique() == exp.n_members == 12
    assert list(h.columns[:11]) == [
        "block",
        "unit",
        "member",
        "unit_member",
        "seed",
        "width_1",
        "width_2",
        "widths",
        "gamma_1",
        "gamma_2",
        "alpha",
    ]
    assert h.sort_values(["member", "epoch"]).index.tolist() == list(range(len(h)))
    first = h[h.epoch == 0].set_index("member")
    assert first.loc[0, "widths"] == "12" and np.isnan(first.loc[0, "gamma_2"]) and first.loc[11, "widths"] == "8-8"
    assert first.loc[11, ["gamma_1", "gamma_2", "seed"]].tolist() == [1.0, 1.0, 1]
    assert h.groupby("block").epoch.max().tolist() == [3, 2]
    assert (h.alpha == 10.0).all() and (h.status == "ok").all()


def test_probe_outputs_shape_epochs_and_initial_logits(whole, mnist):
    exp, out = whole.experiment, whole.outputs
    assert len(out) == 12 * 2 * 4 * 10  # members × epochs ("ends") × images × classes
    assert sorted(out[out.block == 0].epoch.unique()) == [0, 3] and sorted(out[out.block == 1].epoch.unique()) == [0, 2]
    assert out.label.tolist()[:40:10] == mnist.y_test[:4].tolist()
    assert out.t.max() == 3 * 10 / 12 and out.logit.dtype == np.float32
    kw = exp.resolved_preset().model_kwargs()
    x = mnist.x_test[:4]
    for b, block in enumerate(exp.blocks):
        arr = whole.probe_array(b, 0)  # (γ's, seeds, probe, classes)
        assert arr.shape == (len(block.gamma_grid), len(block.seeds), 4, 10)
        for i, g in enumerate(block.gamma_grid):
            for j, s in enumerate(block.seeds):
                with torch.no_grad():
                    expected = GammaMLP(block.widths, g, seed=s, **kw)(x).numpy()
                np.testing.assert_allclose(arr[i, j], expected, rtol=1e-5, atol=1e-6)
        last = whole.probe_array(b, block.epochs)
        assert np.isfinite(last).all() and not np.allclose(last, arr)
    sub = out[(out.member == 4) & (out.epoch == 3)]
    np.testing.assert_array_equal(sub.logit.to_numpy().reshape(4, 10), whole.probe_array(0, 3)[1, 1])
    with pytest.raises(ValueError, match="recorded epochs: \\[0, 3\\]"):
        whole.probe_array(0, 1)


def test_probe_every_epoch(mnist):
    exp = tiny(blocks=(Block((12,), (0.5,), (0, 1), 3),), probe=2, probe_epochs="all")
    res = run_experiment(exp, data=mnist, progress=False)
    assert sorted(res.outputs.epoch.unique()) == [0, 1, 2, 3] and len(res.outputs) == 2 * 4 * 2 * 10


def test_shards_together_equal_the_whole_sweep(whole, mnist, tmp_path):
    exp = tiny()
    for k in range(3):
        r = run_experiment(exp, store=tmp_path, shard=f"{k}/3", data=mnist, progress=False)
        assert r.summary["units_in_shard"] == len(exp.units()[k::3]) and r.complete == (k == 2)
    merged = load_results(exp, tmp_path)
    assert merged.complete
    assert_same(merged, whole)
    # Shards of an in-memory run: each holds its units only, and together they are the whole sweep.
    parts = [run_experiment(exp, shard=(k, 2), data=mnist, progress=False) for k in range(2)]
    assert not parts[0].complete
    joined = pd.concat([p.history for p in parts]).sort_values(["member", "epoch"], ignore_index=True)
    pd.testing.assert_frame_equal(joined, whole.history, check_exact=True)


def test_shards_in_separate_stores_merge(whole, mnist, tmp_path):
    exp = tiny()
    for k in range(2):
        run_experiment(exp, store=tmp_path / f"s{k}", shard=f"{k}/2", data=mnist, progress=False)
    copied = merge_stores([tmp_path / "s0", tmp_path / "s1"], tmp_path / "all")
    assert len(copied) == 5
    assert_same(load_results(exp, tmp_path / "all"), whole)
    assert merge_stores([tmp_path / "s0"], tmp_path / "all") == []  # nothing new
    with pytest.raises(ValueError, match="nowhere"):
        merge_stores([tmp_path / "nowhere"], tmp_path / "all")


def test_rerun_reuses_everything_and_store_layout(whole, mnist, tmp_path, capsys):
    exp = tiny()
    first = run_experiment(exp, store=tmp_path, data=mnist, progress=False)
    assert_same(first, whole)
    again = run_experiment(exp, store=tmp_path, data=mnist, progress=True)
    assert again.summary["reused"] == 5 and again.summary["finished_now"] == 0
    assert "0 finished now" in capsys.readouterr().out and "5 reused" in again.summary_text()
    assert_same(again, whole)
    folder = tmp_path / f"tiny-{exp.key(dict(source='embedded', n_train=200, n_test=100))}"
    desc = json.loads((folder / "experiment.json").read_text())
    assert desc["seeds"] == dict(init=[[0, 1, 2], [0, 1]], data_seed=0, data_order="shared")
    assert desc["settings"]["alpha"] == 10.0 and desc["preset"]["name"] == "fast"
    assert desc["data"]["source"] == "embedded" and desc["data"]["probe_labels"] == mnist.y_test[:4].tolist()
    assert set(desc["versions"]) == {"gammanet", "torch", "python"} and len(desc["units"]) == 5
    for unit in exp.units():
        d = folder / "units" / unit.id
        assert sorted(p.name for p in d.iterdir()) == ["done.json", "history.csv", "result.pt"]
    assert not list(folder.glob("**/*.tmp"))


class Crash(Exception):
    pass


def test_interrupted_run_resumes_exactly(whole, mnist, tmp_path, monkeypatch):
    exp, saved = tiny(), []
    original = Store.save_checkpoint

    def crash_after_epoch_1(self, unit, checkpoint):
        original(self, unit, checkpoint)
        saved.append((unit.id, checkpoint.epoch))
        if unit.id == "u001-b0" and checkpoint.epoch == 1:
            raise Crash  # the process dies right after this checkpoint

    monkeypatch.setattr(Store, "save_checkpoint", crash_after_epoch_1)
    with pytest.raises(Crash):
        run_experiment(exp, store=tmp_path, data=mnist, progress=False)
    assert saved == [("u000-b0", 0), ("u000-b0", 1), ("u000-b0", 2), ("u001-b0", 0), ("u001-b0", 1)]
    monkeypatch.setattr(Store, "save_checkpoint", original)
    partial = load_results(exp, tmp_path, partial=True)
    assert not partial.complete and partial.history[partial.history.unit == "u001-b0"].epoch.max() == 1
    res = run_experiment(exp, store=tmp_path, data=mnist, progress=False)
    assert res.summary["resumed"] == 1 and res.summary["reused"] == 1 and res.summary["finished_now"] == 4
    assert res.summary["resumed_units"] == [dict(unit="u001-b0", from_epoch=1)]
    assert_same(res, whole)


def test_checkpoint_seconds(mnist, tmp_path, monkeypatch):
    calls = []
    original = Store.save_checkpoint
    monkeypatch.setattr(Store, "save_checkpoint", lambda self, u, c: (calls.append(c.epoch), original(self, u, c)))
    exp = tiny(blocks=(Block((12,), (0.5,), (0, 1), 4),))
    run_experiment(exp, store=tmp_path / "a", data=mnist, progress=False, checkpoint_seconds=0)
    assert calls == [0, 1, 2, 3]  # every epoch but the last (the unit's result then)
    calls.clear()
    run_experiment(exp, store=tmp_path / "b", data=mnist, progress=False, checkpoint_seconds=3600)
    assert calls == []
    with pytest.raises(ValueError, match="checkpoint_seconds=-1"):
        run_experiment(exp, data=mnist, progress=False, checkpoint_seconds=-1)


def test_bad_inputs_before_any_work(mnist, tmp_path):
    with pytest.raises(ValueError, match="n_train=5000.*only 4000"):
        run_experiment(tiny(n_train=5000), data=mnist, progress=False)
    with pytest.raises(ValueError, match="probe=200.*100 test images"):
        run_experiment(tiny(n_test=None, probe=200), data=mnist.subset(200, 100), progress=False)
    with pytest.raises(ValueError, match="shard '5/5'"):
        run_experiment(tiny(), store=tmp_path, shard="5/5", data=mnist, progress=False)
    assert not list(tmp_path.iterdir())


def test_sweep_uses_the_course_store(mnist, tmp_path, monkeypatch):
    monkeypatch.setenv("GAMMANET_STORE", str(tmp_path))
    exp = tiny(blocks=(Block((12,), (0.5,), (0,), 1),), probe=0)
    res = sweep(exp, progress=False, device="cpu", data=mnist)
    assert res.complete and res.summary["store"].startswith(str(tmp_path)) and res.outputs.empty
    assert sweep(exp, progress=False, device="cpu", data=mnist).summary["reused"] == 1


def test_a_chapters_sweep_prints_no_path_of_the_machine(mnist, tmp_path, monkeypatch, capsys):
    """What a chapter prints (and a built book shows) names the store folder, not where the store is."""
    monkeypatch.setenv("GAMMANET_STORE", str(tmp_path))
    exp = tiny(blocks=(Block((12,), (0.5,), (0,), 1),), probe=0)
    res = sweep(exp, progress=True, device="cpu", data=mnist)
    printed = capsys.readouterr().out
    folder = Path(res.summary["store"]).name
    assert f"in the results store, folder {folder}" in printed and str(tmp_path) not in printed
    assert str(tmp_path) in res.summary_text()  # the command line's summary keeps the path


# ------------------------------------------------------------------------------------------------ atomic files
def test_atomic_write_never_leaves_a_partial_file(tmp_path, monkeypatch):
    path = tmp_path / "f.bin"
    atomic_write_bytes(path, b"old")

    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(store_module.os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(path, b"new content that never lands")
    monkeypatch.undo()
    assert path.read_bytes() == b"old" and sorted(os.listdir(tmp_path)) == ["f.bin"]
    with pytest.raises(Exception):
        atomic_torch_save(path, {"f": lambda: 0})  # cannot be pickled: fails before touching the file
    assert path.read_bytes() == b"old" and sorted(os.listdir(tmp_path)) == ["f.bin"]
    atomic_write_bytes(tmp_path / "sub" / "g.bin", b"new")
    assert (tmp_path / "sub" / "g.bin").read_bytes() == b"new" and os.listdir(tmp_path / "sub") == ["g.bin"]


def test_killed_writers_temporaries_are_cleaned(mnist, tmp_path):
    """Only provably stale temporary files are removed: a dead writer's on this host, or one untouched for a day;
    a live writer's (another shard's) is left alone."""
    import subprocess
    import sys
    import time

    from gammanet.experiments.files import HOST

    exp = tiny(blocks=(Block((12,), (0.5,), (0,), 1),), probe=0)
    run_experiment(exp, store=tmp_path, data=mnist, progress=False)
    folder = next(tmp_path.iterdir())
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = folder / f".experiment.json~{HOST}~{int(dead.stdout)}~ab.tmp"
    live = folder / f".experiment.json~{HOST}~{os.getpid()}~cd.tmp"
    elsewhere = folder / ".experiment.json~another-host~1~ef.tmp"
    old = folder / "units" / "u000-b0" / ".checkpoint.pt.abc.tmp"
    for path in (stale, live, elsewhere, old):
        path.write_bytes(b"half")
    os.utime(old, (time.time() - 2 * 86400,) * 2)
    run_experiment(exp, store=tmp_path, data=mnist, progress=False)
    assert sorted(p.name for p in folder.glob("**/*.tmp")) == sorted([live.name, elsewhere.name])
