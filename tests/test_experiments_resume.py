"""Resuming exactly after an interruption at any moment, in-process (the subprocess kills are in
test_experiments_kill.py)."""

import json

import pandas as pd
import pytest
import torch

from gammanet.experiments import Block, Experiment, load_results, run_experiment
from gammanet.experiments.store import Store


def small(**changes) -> Experiment:
    """2 units of 2 members, widths 8, 3 epochs, probe logits at every epoch."""
    exp = Experiment(
        "resume",
        "",
        "fast",
        (Block((8,), (0.5, 1.0), (0, 1), 3),),
        n_train=200,
        n_test=100,
        probe=2,
        probe_epochs="all",
        members_per_unit=2,
    )
    return exp.replace(**changes)


@pytest.fixture(scope="module")
def clean(mnist):
    torch.set_num_threads(1)
    return run_experiment(small(), data=mnist, progress=False)


def assert_same(a, b):
    pd.testing.assert_frame_equal(a.history, b.history, check_exact=True)
    pd.testing.assert_frame_equal(a.outputs, b.outputs, check_exact=True)


class Crash(BaseException):
    """The process 'dies' (a BaseException, so nothing of ours catches it)."""


@pytest.mark.parametrize("epoch", [0, 1, 2])
def test_crash_right_after_any_checkpoint_resumes_exactly(clean, mnist, tmp_path, monkeypatch, epoch):
    """Epoch 0 included: a checkpoint taken before the first epoch used to give duplicated epoch-0 rows."""
    original = Store.save_checkpoint

    def crash(self, unit, checkpoint):
        original(self, unit, checkpoint)
        if unit.id == "u001-b0" and checkpoint.epoch == epoch:
            raise Crash

    monkeypatch.setattr(Store, "save_checkpoint", crash)
    with pytest.raises(Crash):
        run_experiment(small(), store=tmp_path, data=mnist, progress=False)
    monkeypatch.undo()
    res = run_experiment(small(), store=tmp_path, data=mnist, progress=False)
    assert res.summary["resumed_units"] == [dict(unit="u001-b0", from_epoch=epoch)]
    assert not res.history.duplicated(["member", "epoch"]).any()
    assert_same(res, clean)
    assert_same(load_results(small(), tmp_path), clean)
    done = json.loads(next(tmp_path.glob("resume-*/units/u001-b0/done.json")).read_text())
    assert done["resumed_from_epoch"] == epoch


def test_a_checkpoint_at_epoch_0_is_not_evaluated_twice(mnist, tmp_path):
    """train_unit resumed from a checkpoint after epoch 0 keeps one row per (member, epoch)."""
    from gammanet.experiments.sweep import train_unit
    from gammanet.experiments.store import Store

    exp = small()
    unit, st, saved = exp.units()[0], Store(tmp_path, exp, dict(source="embedded", n_train=200, n_test=100)), []
    data = mnist.subset(200, 100)
    st.save_checkpoint = lambda u, ck: saved.append(ck)
    train_unit(exp, unit, data, torch.device("cpu"), st)
    full = train_unit(exp, unit, data, torch.device("cpu"))
    resumed = train_unit(exp, unit, data, torch.device("cpu"), checkpoint=saved[0])
    assert saved[0].epoch == 0 and resumed.rows == full.rows and len(full.rows) == 2 * 4


# ---------------------------------------------------------------------------------------------------- locks
def test_a_locked_unit_is_skipped_then_collected(clean, mnist, tmp_path):
    """Another process holding a unit's lock (here: this test) is training it: a run skips it and says so."""
    from gammanet.experiments.files import lock_unit

    exp = small()
    folder = tmp_path / f"resume-{exp.key(dict(source='embedded', n_train=200, n_test=100))}"
    held = lock_unit(folder / "units" / "u000-b0.lock")
    try:
        res = run_experiment(exp, store=tmp_path, data=mnist, progress=False)
        assert res.summary["locked"] == ["u000-b0"] and res.summary["finished_now"] == 1 and not res.complete
        assert "skipped 1 unit(s) locked by another process" in res.summary_text()
        assert not (folder / "units" / "u000-b0").exists()  # not touched
    finally:
        held.release()
    res = run_experiment(exp, store=tmp_path, data=mnist, progress=False)
    assert res.summary["finished_now"] == 1 and res.summary["reused"] == 1 and res.summary["locked"] == []
    assert_same(res, clean)


def test_wait_for_a_locked_unit(clean, mnist, tmp_path):
    import threading
    import time

    from gammanet.experiments.files import lock_unit

    exp = small()
    folder = tmp_path / f"resume-{exp.key(dict(source='embedded', n_train=200, n_test=100))}"
    taken = threading.Event()

    def other_process():  # holds the unit for half a second, as another run training it would
        held = lock_unit(folder / "units" / "u001-b0.lock")
        taken.set()
        time.sleep(0.5)
        held.release()

    holder = threading.Thread(target=other_process)
    holder.start()
    taken.wait()
    res = run_experiment(exp, store=tmp_path, data=mnist, progress=False, wait=True)
    holder.join()
    assert res.summary["waited"] == ["u001-b0"] and res.summary["locked"] == [] and res.complete
    assert "waited for 1 unit(s)" in res.summary_text()
    assert_same(res, clean)


def test_a_file_system_without_locks_is_said(clean, mnist, tmp_path, monkeypatch):
    import gammanet.experiments.store as store_module
    from gammanet.experiments.files import LocksUnavailable

    def no_flock(path, wait=False):
        raise LocksUnavailable(f"cannot lock {path}: [Errno 38] Function not implemented")

    monkeypatch.setattr(store_module, "lock_unit", no_flock)
    res = run_experiment(small(), store=tmp_path, data=mnist, progress=False)
    assert (
        res.complete
        and "unit locks unavailable" in res.summary_text()
        and "Function not implemented" in res.summary["note"]
    )
    assert_same(res, clean)


# --------------------------------------------------------------------------------------------------- damage
def stored(mnist, tmp_path):
    """A finished store of small(); returns its folder."""
    run_experiment(small(), store=tmp_path, data=mnist, progress=False)
    return next(tmp_path.glob("resume-*"))


def recompute(clean, mnist, tmp_path, unit="u000-b0"):
    """`run` sets the damaged unit aside (kept) and recomputes it; the results equal a clean run's."""
    res = run_experiment(small(), store=tmp_path, data=mnist, progress=False)
    assert res.summary["finished_now"] == 1 and res.summary["reused"] == 1
    assert (
        len(res.summary["set_aside"]) == 1
        and f"unit {unit} set aside as units/{unit}.damaged-" in res.summary["set_aside"][0]
    )
    assert len(list(next(tmp_path.glob("resume-*")).glob(f"units/{unit}.damaged-*/done.json"))) == 1
    assert_same(res, clean)
    assert_same(load_results(small(), tmp_path), clean)


@pytest.mark.parametrize(
    "damage, message",
    [
        (
            lambda d: (d / "result.pt").write_bytes((d / "result.pt").read_bytes()[:100]),
            r"result.pt: does not match done.json \(100 bytes",
        ),
        (lambda d: (d / "result.pt").unlink(), "result.pt: is missing, although done.json says the unit is finished"),
        (lambda d: (d / "done.json").write_text("{garbage"), "done.json: is not valid JSON"),
        (
            lambda d: (d / "done.json").write_text('{"unit": "u000-b0", "epoch": 3}'),
            r"done.json: not a gammanet done record \(no format and kind fields",
        ),
        # Issue case 4: another unit's result copied over this one's.
        (
            lambda d: (d / "result.pt").write_bytes((d.parent / "u001-b0" / "result.pt").read_bytes()),
            "result.pt: does not match done.json",
        ),
        (
            lambda d: [
                (d / n).write_bytes((d.parent / "u001-b0" / n).read_bytes()) for n in ("result.pt", "done.json")
            ],
            r"done.json: belongs to unit 'u001-b0', not 'u000-b0' \(copied from another unit\?\)",
        ),
    ],
)
def test_a_damaged_unit_is_named_and_recomputed(clean, mnist, tmp_path, damage, message):
    from gammanet.experiments import StoreError

    folder = stored(mnist, tmp_path)
    damage(folder / "units" / "u000-b0")
    with pytest.raises(StoreError, match=message) as info:
        load_results(small(), tmp_path)
    assert str(info.value).startswith(str(folder / "units" / "u000-b0")) and "\n" not in str(info.value)
    skipped = load_results(small(), tmp_path, on_damage="skip")
    assert skipped.summary["units_done"] == 1 and len(skipped.summary["damaged"]) == 1
    recompute(clean, mnist, tmp_path)


def test_another_shards_damaged_unit_does_not_fail_a_run(mnist, tmp_path):
    folder = stored(mnist, tmp_path)
    (folder / "units" / "u000-b0" / "result.pt").write_bytes(b"x")
    res = run_experiment(small(), store=tmp_path, shard="1/2", data=mnist, progress=False)
    assert res.summary["reused"] == 1 and res.summary["units_done"] == 1 and len(res.summary["damaged"]) == 1
    assert "damaged, not read: " in res.summary_text() and "u000-b0/result.pt: does not match" in res.summary_text()


def test_a_damaged_checkpoint_is_set_aside_and_the_previous_one_resumed(clean, mnist, tmp_path, monkeypatch):
    original = Store.save_checkpoint

    def crash(self, unit, checkpoint):
        original(self, unit, checkpoint)
        if unit.id == "u000-b0" and checkpoint.epoch == 2:
            raise Crash

    monkeypatch.setattr(Store, "save_checkpoint", crash)
    with pytest.raises(Crash):
        run_experiment(small(), store=tmp_path, data=mnist, progress=False)
    monkeypatch.undo()
    unit = next(tmp_path.glob("resume-*/units/u000-b0"))
    files = sorted(unit.glob("checkpoint-e*.pt"))
    assert [int(f.name[12:18]) for f in files] == [1, 2]  # names carry the epoch; the latest two kept
    files[-1].write_bytes(files[-1].read_bytes()[: len(files[-1].read_bytes()) // 2])  # truncate the latest
    report = Store(tmp_path, small(), dict(source="embedded", n_train=200, n_test=100)).verify()
    assert report["units"] == {"u000-b0": "damaged", "u001-b0": "missing"} and len(report["problems"]) == 1
    partial = load_results(small(), tmp_path, partial=True)  # read-only: falls back
    assert partial.history[partial.history.unit == "u000-b0"].epoch.max() == 1
    res = run_experiment(small(), store=tmp_path, data=mnist, progress=False)
    assert res.summary["resumed_units"] == [dict(unit="u000-b0", from_epoch=1)]
    assert len(res.summary["set_aside"]) == 1 and "does not match the sha256 in its name" in res.summary["set_aside"][0]
    assert len(list(unit.glob("checkpoint-e000002-*.pt.damaged-*"))) == 1
    assert_same(res, clean)


def test_a_garbage_experiment_json_is_named_then_rewritten(clean, mnist, tmp_path):
    from gammanet.experiments import StoreError

    folder = stored(mnist, tmp_path)
    (folder / "experiment.json").write_text("\x00\x01 not json")
    with pytest.raises(StoreError, match=r"experiment.json: is not valid JSON.*`python -m gammanet run` with the same"):
        load_results(small(), tmp_path)
    res = run_experiment(small(), store=tmp_path, data=mnist, progress=False)
    assert res.summary["reused"] == 2 and "set aside as experiment.json.damaged-" in res.summary["set_aside"][0]
    assert json.loads((folder / "experiment.json").read_text())["name"] == "resume"
    assert_same(load_results(small(), tmp_path), clean)


def test_store_records_are_dataclasses_with_a_format(mnist, tmp_path):
    from gammanet.experiments.records import STORE_FORMAT, DoneRecord, UnitResult

    folder = stored(mnist, tmp_path)
    st = Store(tmp_path, small(), dict(source="embedded", n_train=200, n_test=100))
    unit = small().units()[0]
    done, result = st.read_done(unit), st.load_result(unit)
    assert isinstance(done, DoneRecord) and isinstance(result, UnitResult) and done.unit == result.unit == unit.id
    raw = json.loads((folder / "units" / unit.id / "done.json").read_text())
    assert raw["format"] == STORE_FORMAT and raw["kind"] == "done record" and len(raw["result_sha256"]) == 64
    assert raw["result_bytes"] == (folder / "units" / unit.id / "result.pt").stat().st_size


def test_verify_and_show_name_the_damage(mnist, tmp_path, capsys):
    from gammanet.cli import main

    folder = stored(mnist, tmp_path)
    path = tmp_path / "resume.json"
    path.write_text(json.dumps(small().to_dict()))
    args = [str(path), "--store", str(tmp_path)]
    assert main(["verify"] + args) == 0
    assert "2 units — 2 intact, 0 running, 0 missing, 0 damaged" in capsys.readouterr().out
    (folder / "units" / "u001-b0" / "result.pt").write_bytes(b"garbage")
    assert main(["verify"] + args) == 1
    out = capsys.readouterr().out
    assert f"damaged: {folder / 'units' / 'u001-b0' / 'result.pt'}: does not match done.json" in out
    assert "1 intact, 0 running, 0 missing, 1 damaged" in out and "sets the damaged units aside" in out
    assert main(["show"] + args) == 0  # shows what is intact, names what is not
    captured = capsys.readouterr()
    assert "units finished: 1/2" in captured.out and "damaged" in captured.out
    assert "u001-b0/result.pt: does not match done.json" in captured.err
    (folder / "experiment.json").write_text("{")  # used to be 'nothing stored' although units are
    for command in ("show", "verify", "plot"):
        with pytest.raises(SystemExit) as info:
            main([command] + args + (["--out", str(tmp_path / "a.png")] if command == "plot" else []))
        err = capsys.readouterr().err
        assert info.value.code == 1 and len(err.strip().splitlines()) == 1
        assert f"{folder / 'experiment.json'}: is not valid JSON" in err


# ---------------------------------------------------------------------------------------------------- umask
def test_store_files_follow_the_umask(mnist, tmp_path, monkeypatch):
    import os

    original = Store.save_checkpoint
    modes = []
    monkeypatch.setattr(
        Store,
        "save_checkpoint",
        lambda self, u, c: (
            original(self, u, c),
            modes.extend(os.stat(p).st_mode & 0o777 for p in self.unit_dir(u).glob("checkpoint*")),
        ),
    )
    old = os.umask(0o002)
    try:
        folder = stored(mnist, tmp_path)
    finally:
        os.umask(old)
    files = [p for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    assert {p.name for p in files} >= {"experiment.json", "result.pt", "done.json", "history.csv"}
    assert {os.stat(p).st_mode & 0o777 for p in files} == {0o664} and set(modes) == {0o664}


# ------------------------------------------------------------------------ damage a hostile user found
def test_a_unit_copied_from_another_configurations_store_is_refused_and_recomputed(clean, mnist, tmp_path):
    """Its checksum is right, but it belongs to another store key (here: α = 2): set aside, recomputed."""
    from gammanet.experiments import StoreError

    folder = stored(mnist, tmp_path)
    other_root = tmp_path / "other"
    run_experiment(small(alpha=2.0), store=other_root, data=mnist, progress=False)
    other = next(other_root.glob("resume-*"))
    import shutil

    shutil.rmtree(folder / "units" / "u000-b0")
    shutil.copytree(other / "units" / "u000-b0", folder / "units" / "u000-b0")
    with pytest.raises(StoreError, match="copied from another configuration"):
        load_results(small(), tmp_path)
    recompute(clean, mnist, tmp_path)


def test_a_checkpoint_from_another_configuration_or_beyond_the_epochs_is_set_aside(clean, mnist, tmp_path):
    from gammanet.experiments.records import Checkpoint

    root = tmp_path / "s"
    exp = small()
    store = Store(root, exp, {"source": "embedded", "n_train": 200, "n_test": 100})
    store.ensure()
    unit = exp.units()[0]
    foreign = Checkpoint(unit=unit.id, experiment="0" * 12, epoch=1, state={}, rows=[], probe={}, probe_steps={})
    with pytest.raises(ValueError, match="given for unit"):
        store.save_checkpoint(unit, foreign)
    beyond = Checkpoint(unit=unit.id, experiment=store.key, epoch=7, state={}, rows=[], probe={}, probe_steps={})
    store.save_checkpoint(unit, beyond)  # epoch 7 of a 3-epoch unit: written (by a hand), refused on reading
    found, problems = store.load_checkpoint(unit)
    assert found is None and "trains for 3" in problems[0]


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda d: d.update(result_sha256=5), "result_sha256 = 5 is not of type str"),
        (lambda d: d.update(epoch=999), "trained to epoch 999"),
        (lambda d: d.update(members=-7), "members = -7 is negative"),
        (lambda d: d.update(experiment="abc"), "copied from another configuration"),
    ],
)
def test_a_hand_edited_done_json_is_damage_named_in_one_line(clean, mnist, tmp_path, edit, words):
    from gammanet.experiments import StoreError

    folder = stored(mnist, tmp_path)
    path = folder / "units" / "u000-b0" / "done.json"
    record = json.loads(path.read_text())
    edit(record)
    path.write_text(json.dumps(record))
    with pytest.raises(StoreError, match=words):
        load_results(small(), tmp_path)
    recompute(clean, mnist, tmp_path)


@pytest.mark.parametrize("name", ["done.json", "result.pt"])
def test_a_folder_where_a_store_file_should_be_is_damage_not_a_traceback(clean, mnist, tmp_path, name):
    from gammanet.experiments import StoreError

    folder = stored(mnist, tmp_path)
    path = folder / "units" / "u000-b0" / name
    path.unlink()
    path.mkdir()
    with pytest.raises(StoreError, match=f"{name}: (cannot be read|is missing)"):
        load_results(small(), tmp_path)
    recompute(clean, mnist, tmp_path)


@pytest.mark.parametrize("damage", ["no data", "deleted", "another configuration"])
def test_a_damaged_or_missing_experiment_json_is_named_then_written_again(clean, mnist, tmp_path, damage):
    from gammanet.experiments import StoreError

    folder = stored(mnist, tmp_path)
    path = folder / "experiment.json"
    desc = json.loads(path.read_text())
    if damage == "no data":
        del desc["data"]
        path.write_text(json.dumps(desc))
    elif damage == "deleted":
        path.unlink()
    else:
        desc["identity"]["preset"] = "something else"
        path.write_text(json.dumps(desc))
    if damage != "another configuration":  # the data identity is unknown without it: named, not ignored
        with pytest.raises(StoreError, match="experiment.json: (is not an experiment description|is missing)"):
            load_results(small(), tmp_path)
    res = run_experiment(small(), store=tmp_path, data=mnist, progress=False)
    assert res.summary["reused"] == 2 and res.summary["finished_now"] == 0
    assert json.loads(path.read_text())["data"]["n_train"] == 200
    assert_same(load_results(small(), tmp_path), clean)
