"""scripts/gpu_check.sh stays runnable: without CUDA it runs the CPU parts, says so and exits 0; its experiment
report reads a results store."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from gammanet.experiments import Block, Experiment, run_experiment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import gpu_check  # noqa: E402


@pytest.mark.skipif(
    torch.cuda.is_available(),
    reason="with CUDA the script runs the whole GPU check (minutes): run `bash scripts/gpu_check.sh` itself",
)
def test_without_cuda_the_check_runs_the_cpu_parts_and_exits_0(tmp_path):
    # Stage 2 cut to the CPU and no-CUDA cases of resolve_device: the rest of tests/test_cuda.py runs on its own.
    selection = " ".join(
        f"tests/test_cuda.py::{t}"
        for t in ("test_resolve_device_defaults_and_bad_names", "test_resolve_device_on_a_cuda_machine")
    )
    env = dict(os.environ, GPU_CHECK_PYTHON=sys.executable, GPU_CHECK_OUT=str(tmp_path), GPU_CHECK_TESTS=selection)
    r = subprocess.run(
        ["bash", str(ROOT / "scripts" / "gpu_check.sh")], env=env, capture_output=True, text=True, timeout=600
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "gpu_check: no CUDA device (torch.cuda.is_available() is False)" in r.stdout
    report = (tmp_path / "report.md").read_text()
    assert "- GPU: none" in report and " 0 failed, " in report and "all stages that ran passed: True" in report
    passed = int(report.split("## CUDA tests")[1].split("\n- ")[1].split(" passed")[0])
    assert passed == 1 and "skipped: test_resolve_device_on_a_cuda_machine" in report
    assert not (tmp_path / "bench.json").exists() and not (tmp_path / "store").exists()


def test_experiment_report_from_a_store(mnist, tmp_path):
    # Two widths that reach the same clock t = step / N_L (10 and 20 steps at N = 8 and 16), so a slope exists.
    exp = Experiment(
        "tiny_report",
        "a test sweep",
        "fast_deep",
        (Block((8,), (0.5, 1.0), (0, 1, 2), 1), Block((16,), (0.5, 1.0), (0, 1, 2), 2)),
        n_train=200,
        n_test=100,
        probe=10,
        bias=False,
    )
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(exp.to_dict()))
    run_experiment(exp, store=tmp_path / "store", data=mnist, device="cpu", progress=False)
    text = "\n".join(gpu_check.summarize_experiment(str(path), tmp_path / "store"))
    assert "12 networks in 2 units, complete: True; diverged members: 0" in text
    assert "| widths | seeds | γ = 0.5 | γ = 1 |" in text and "| 8 | 3 | " in text and "| 16 | 3 | " in text
    assert "at t = 1.25 (widths (8, 16))" in text and "- γ = 1: slope " in text
