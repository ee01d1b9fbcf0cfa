"""Real processes killed at random moments, and shards started next to a writing one: the store ends exactly as an
uninterrupted run.  A few subprocesses only (each costs seconds to start); the rest is covered in-process by
test_experiments_resume.py."""

import functools
import json
import os
import random
import signal
import subprocess
import sys
import time

import pandas as pd

from gammanet.cli import main
from gammanet.experiments import Block, Experiment, load_results, run_experiment

ENV = dict(os.environ, GAMMANET_DATA="embedded", OMP_NUM_THREADS="1")

#: Runs the CLI after installing a fault (GAMMANET_TEST_FAULT) in the store's one write function:
#: "kill:<prefix>:<n>"  SIGKILL this process half-way through the n-th write of a file whose name starts with
#:                      <prefix> (half the bytes written and fsynced: a real torn temporary file is left);
#: "slow:<prefix>:<s>"  pause <s> seconds half-way through every such write (a large checkpoint being written).
DRIVER = r"""
import os, signal, sys, time
import gammanet.experiments.files as files
kind, prefix, value = os.environ["GAMMANET_TEST_FAULT"].split(":")
original, seen = files._write, [0]

def write(fh, data, path):
    if not path.name.startswith(prefix):
        return original(fh, data, path)
    seen[0] += 1
    fh.write(data[: len(data) // 2]); fh.flush(); os.fsync(fh.fileno())
    if kind == "kill" and seen[0] == int(value):
        os.kill(os.getpid(), signal.SIGKILL)
    if kind == "slow":
        time.sleep(float(value))
    fh.write(data[len(data) // 2:])

files._write = write
from gammanet.cli import main
sys.exit(main(sys.argv[1:]))
"""


def command(path, store, *extra):
    return [
        sys.executable,
        "-c",
        DRIVER,
        "run",
        str(path),
        "--store",
        str(store),
        "--quiet",
        "--device",
        "cpu",
        "--threads",
        "1",
        *map(str, extra),
    ]


def start_run(path, store, *extra, fault="none:-:0", umask=0o022):
    return subprocess.Popen(
        command(path, store, *extra),
        env=dict(ENV, GAMMANET_TEST_FAULT=fault),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: os.umask(umask),
    )


def kill_when(proc, condition, timeout=120.0, extra_delay=0.0):
    """SIGKILL ``proc`` as soon as ``condition()`` holds (polled every 2 ms), after ``extra_delay`` seconds."""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if condition():
                    time.sleep(extra_delay)
                    break
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.002)
        else:
            raise AssertionError(f"the condition never held (exit code {proc.poll()}): {proc.communicate()[1]}")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
        proc.stdout.close()
        proc.stderr.close()


def epochs_saved(store):
    """The epoch of each unit's latest checkpoint (from checkpoint.json)."""
    return {p.parent.name: json.loads(p.read_text())["epoch"] for p in store.glob("*/units/*/checkpoint.json")}


def assert_exact(store, reference):
    resumed = load_results(reference.experiment, store)
    assert resumed.complete and not resumed.history.duplicated(["member", "epoch"]).any()
    pd.testing.assert_frame_equal(resumed.history, reference.history, check_exact=True)
    pd.testing.assert_frame_equal(resumed.outputs, reference.outputs, check_exact=True)
    assert not list(store.glob("**/*.tmp")) and not list(store.glob("**/*.damaged-*"))
    assert main(["verify", str(write_experiment(store.parent, reference.experiment)), "--store", str(store)]) == 0


def write_experiment(folder, exp):
    path = folder / f"{exp.name}.json"
    path.write_text(json.dumps(exp.to_dict()))
    return path


def test_killed_at_random_moments_then_resumed_exactly(tmp_path, mnist, capsys):
    """SIGKILL inside the first epoch (right after the epoch-0 checkpoint, the moment that used to duplicate rows),
    then half-way through a seeded random one of the checkpoint writes; then two runs of the same configuration at
    once.  The store ends exactly as an uninterrupted run's, with nothing duplicated, torn or left behind, and its
    files follow the runs' umask (0o002 here: group-writable; they used to be 0o600 whatever the umask)."""
    exp = Experiment(
        "killed",
        "",
        "fast",
        (Block((16,), (0.5, 1.0), (0, 1), 12),),
        n_train=400,
        n_test=100,
        probe=2,
        probe_epochs="all",
        members_per_unit=2,
    )
    path, store, rng = write_experiment(tmp_path, exp), tmp_path / "store", random.Random(11)
    start = functools.partial(start_run, umask=0o002)

    kill_when(start(path, store), lambda: 0 in epochs_saved(store).values())  # inside the first epoch
    # The resumed unit writes up to 11 more checkpoints, the other one 12 (epochs 0..11): one of the first 16.
    proc = start(path, store, fault=f"kill:checkpoint-e:{rng.randint(2, 16)}")
    assert proc.wait(timeout=120) == -signal.SIGKILL, proc.communicate()[1]
    proc.stdout.close(), proc.stderr.close()
    assert list(store.glob("*/units/*/.checkpoint-e*.tmp")), "the torn temporary file the test needs is missing"

    first, second = start(path, store), start(path, store, "--wait")  # two runs at once
    out = [p.communicate(timeout=120) for p in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, out
    assert "killed: 2/2 units finished" in out[1][0], out  # --wait: waited for what the other held
    assert "killed: 2/2 units finished" in out[0][0] or "skipped 1 unit(s) locked by another process" in out[0][0]
    done = [json.loads(p.read_text()) for p in sorted(store.glob("*/units/*/done.json"))]
    assert len(done) == 2 and all(d["resumed_from_epoch"] is None or 0 <= d["resumed_from_epoch"] < 12 for d in done)

    reference = run_experiment(exp, data=mnist, device="cpu", progress=False)
    assert_exact(store, reference)
    capsys.readouterr()
    files = [p for p in store.rglob("*") if p.is_file()]
    assert len(files) == 1 + 2 * 4 and {p.stat().st_mode & 0o777 for p in files} == {0o664}  # + 2 lock files


def test_a_starting_shard_never_deletes_a_writing_shards_files(tmp_path, mnist):
    """Shard 0 writes its checkpoints slowly (a large checkpoint: 0.4 s half-written); shard 1 starts three times,
    each time while one of shard 0's temporary files is in flight.  A start used to delete it, and shard 0 died
    with FileNotFoundError at the rename."""
    exp = Experiment(
        "shards",
        "",
        "fast",
        (Block((64,), (0.5,), (0,), 4), Block((8,), (0.5,), (0,), 2)),
        n_train=200,
        n_test=100,
        members_per_unit=1,
    )
    path, store = write_experiment(tmp_path, exp), tmp_path / "store"
    shard0 = start_run(path, store, "--shard", "0/2", fault="slow:checkpoint-e:0.4")
    starts = 0
    try:
        deadline = time.monotonic() + 120
        while starts < 3 and time.monotonic() < deadline and shard0.poll() is None:
            in_flight = [p for p in store.glob("*/units/*/.checkpoint-e*.tmp") if f"~{shard0.pid}~" in p.name]
            if in_flight:
                res = run_experiment(exp, store=store, shard="1/2", data=mnist, device="cpu", progress=False)
                assert res.summary["units_in_shard"] == 1
                assert all(p.exists() or not p.with_name(p.name).exists() for p in in_flight)
                starts += 1
                while any(p.exists() for p in in_flight) and shard0.poll() is None:  # the next write, please
                    time.sleep(0.01)
            time.sleep(0.005)
        out, err = shard0.communicate(timeout=120)
    finally:
        if shard0.poll() is None:
            shard0.kill()
            shard0.wait()
    assert starts == 3 and shard0.returncode == 0, err
    assert "shard 0/2: 1 units — 1 finished now" in out
    assert_exact(store, run_experiment(exp, data=mnist, device="cpu", progress=False))
