"""The experiment commands as a user runs them: real subprocesses, including one killed with SIGKILL mid-run."""

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
import torch

from gammanet.cli import main
from gammanet.experiments import Block, Experiment, load_results, run_experiment

ENV = dict(os.environ, GAMMANET_DATA="embedded", OMP_NUM_THREADS="1")


def cli(*args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "gammanet", *map(str, args)], capture_output=True, text=True, env=ENV, timeout=300, **kw
    )


def write(tmp_path, exp: Experiment):
    path = tmp_path / f"{exp.name}.json"
    path.write_text(json.dumps(exp.to_dict()))
    return path


def test_configs_lists_the_papers_and_prints_json(capsys):
    r = cli("configs")
    assert r.returncode == 0, r.stderr
    for name in (
        "paper_shallow_authors",
        "paper_shallow_default",
        "paper_mlp2_authors",
        "paper_mlp3_default",
        "ch4_shallow",
        "ch5_shallow_variance",
    ):
        assert name in r.stdout
    assert "members" in r.stdout and "units" in r.stdout
    assert main(["configs", "paper_mlp3_default"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["preset"] == "default" and d["blocks"][0]["epochs"] == 1500 and len(d["blocks"][0]["gamma_grid"]) == 27


def test_bad_shard_is_exit_2_and_one_line():
    r = cli("run", "ch4_shallow", "--shard", "3/2")
    assert r.returncode == 2 and "shard '3/2' is not allowed" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (("run", "no_such_experiment"), "unknown experiment 'no_such_experiment'"),
        (("show", "no_such_experiment"), "unknown experiment 'no_such_experiment'"),
        (("plot", "no_such_experiment", "--out", "x.png"), "unknown experiment 'no_such_experiment'"),
        (("run", "missing.json"), "experiment file 'missing.json' does not exist"),
        (("run", "ch4_shallow", "--shard", "8"), "shard '8' is not allowed"),
        (("run", "ch4_shallow", "--threads", "0"), "--threads=0 is not allowed; it must be an integer >= 1"),
    ],
)
def test_bad_input_is_exit_2_and_one_line_in_process(args, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(list(args))
    err = capsys.readouterr().err
    assert info.value.code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_run_show_plot(tmp_path, capsys):
    exp = Experiment(
        "cli_tiny",
        "",
        "fast",
        (Block((10,), (0.5, 1.0), (0, 1), 2), Block((6, 6), ((0.5, 1.0), (1.0, 1.0)), (0,), 2)),
        n_train=200,
        n_test=100,
        members_per_unit=2,
    )
    path, store = write(tmp_path, exp), tmp_path / "store"
    assert main(["show", str(path), "--store", str(store)]) == 0
    assert "nothing stored" in capsys.readouterr().out
    r = cli("run", path, "--store", store, "--shard", "0/2", "--device", "cpu", "--threads", "1")
    assert r.returncode == 0, r.stderr
    assert "cli_tiny: 2/3 units finished" in r.stdout and "2 finished now" in r.stdout and "unit" in r.stderr
    r = cli("show", path, "--store", store)
    assert r.returncode == 0, r.stderr
    assert "units finished: 2/3" in r.stdout and "missing" in r.stdout and "done" in r.stdout
    r = cli("run", path, "--store", store, "--quiet", "--threads", "1")
    assert r.returncode == 0 and "1 finished now" in r.stdout and "2 reused" in r.stdout and r.stderr == ""
    assert main(["show", str(path), "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "units finished: 3/3" in out and "final test acc" in out and "6-6" in out
    r = cli("plot", path, "--store", store, "--out", tmp_path / "acc.png")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "acc.png").stat().st_size > 10_000 and "complete" in r.stdout
    with pytest.raises(SystemExit) as info:
        main(["plot", str(path), "--store", str(tmp_path / "empty"), "--out", str(tmp_path / "none.png")])
    assert info.value.code == 2 and "nothing of experiment 'cli_tiny'" in capsys.readouterr().err


def test_kill_9_then_rerun_equals_an_uninterrupted_run(tmp_path, mnist):
    """SIGKILL a real `run` right after a mid-run checkpoint; the rerun resumes and ends exactly as a run that
    was never interrupted."""
    exp = Experiment(
        "kill_test",
        "",
        "fast",
        (Block((32,), (0.5, 1.0), (0, 1), 30),),
        n_train=800,
        n_test=200,
        probe=3,
        probe_epochs="all",
        members_per_unit=2,
    )
    path, store = write(tmp_path, exp), tmp_path / "store"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gammanet",
            "run",
            str(path),
            "--store",
            str(store),
            "--quiet",
            "--device",
            "cpu",
            "--threads",
            "1",
        ],
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    marker = None
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            found = list(store.glob("kill_test-*/units/*/checkpoint.json"))
            if found:
                try:
                    if json.loads(found[0].read_text())["epoch"] >= 3:
                        marker = found[0]
                        break
                except (OSError, ValueError):  # cannot happen with atomic writes; retry rather than fail here
                    pass
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert marker is not None, "no mid-run checkpoint appeared"
    assert proc.returncode == -signal.SIGKILL
    partial = load_results(exp, store, partial=True)
    assert not partial.complete

    r = cli("run", path, "--store", store, "--quiet", "--device", "cpu", "--threads", "1")
    assert r.returncode == 0, r.stderr
    assert "1 resumed from a checkpoint" in r.stdout
    resumed = load_results(exp, store)
    assert resumed.complete and resumed.summary["units_done"] == 2

    torch.set_num_threads(1)
    reference = run_experiment(exp, store=tmp_path / "reference", data=mnist, device="cpu", progress=False)
    pd.testing.assert_frame_equal(resumed.history, reference.history, check_exact=True)
    pd.testing.assert_frame_equal(resumed.outputs, reference.outputs, check_exact=True)
    assert sorted(resumed.outputs.epoch.unique()) == list(range(31))
    assert not list(store.glob("**/*.tmp"))
