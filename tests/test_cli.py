"""The command line, run as a user runs it: a real subprocess."""

import json
import os
import subprocess
import sys

import pandas as pd


def run_cli(*args, cwd=None):
    env = dict(os.environ, GAMMANET_DATA="embedded")
    return subprocess.run(
        [sys.executable, "-m", "gammanet", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


def test_train_writes_history_and_config(tmp_path):
    out = tmp_path / "run"
    r = run_cli(
        "train",
        "--widths",
        "20",
        "20",
        "20",
        "--gammas",
        "1",
        "1",
        "0.7",
        "--epochs",
        "2",
        "--data",
        "embedded",
        "--n-train",
        "400",
        "--n-test",
        "200",
        "--seed",
        "3",
        "--out",
        str(out),
    )
    assert r.returncode == 0, r.stderr
    h = pd.read_csv(out / "history.csv")
    assert h.epoch.tolist() == [0, 1, 2] and (h.status == "ok").all()
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["seed"] == 3 and cfg["model"]["gammas"] == [1.0, 1.0, 0.7] and cfg["model"]["widths"] == [20, 20, 20]
    assert cfg["data"]["source"] == "embedded" and cfg["data"]["n_train"] == 400
    assert "test accuracy" in r.stdout and "step" in r.stderr  # summary line and the progress bar
    assert cfg["model"]["bias"] is True


def test_train_without_biases(tmp_path):
    r = run_cli(
        "train",
        "--widths",
        "10",
        "--gammas",
        "1",
        "--epochs",
        "1",
        "--no-bias",
        "--data",
        "embedded",
        "--n-train",
        "200",
        "--n-test",
        "100",
        "--quiet",
        "--out",
        str(tmp_path),
    )
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "config.json").read_text())["model"]["bias"] is False


def test_bad_gamma_is_one_clear_line(tmp_path):
    r = run_cli("train", "--widths", "20", "--gammas", "1.5", "--epochs", "1", "--out", str(tmp_path))
    assert r.returncode == 2
    assert "1.5" in r.stderr and "[0.5, 1]" in r.stderr and "Traceback" not in r.stderr


def test_mismatched_lengths(tmp_path):
    r = run_cli("train", "--widths", "20", "20", "--gammas", "1", "--epochs", "1", "--out", str(tmp_path))
    # One γ is broadcast to every layer; three for two layers is an error.
    assert r.returncode == 0, r.stderr
    r = run_cli("train", "--widths", "20", "20", "--gammas", "1", "1", "1", "--epochs", "1", "--out", str(tmp_path))
    assert r.returncode == 2 and "3 gammas" in r.stderr
