"""The engine on every device this machine has: the same checks on the CPU and, where there is one, on a CUDA GPU.

Each device-independent check is parametrized over ``cpu`` and ``cuda``; the ``cuda`` cases carry the ``cuda``
marker and skip (with the reason) when ``torch.cuda.is_available()`` is False, so on a CPU-only machine the same
code still runs on the CPU.  The checks that compare the two devices need both and skip without CUDA.
``pytest -m cuda`` selects the CUDA cases (scripts/gpu_check.sh runs this file).

Tolerances (float32): a member of the batched engine and ``fit`` sum in another order (batched GEMMs, fused
updates), and so do the CPU and cuBLAS kernels; after the few dozen SGD steps used here the losses agree to 1e-5
relative and the parameters to 1e-5 of their largest entry.  Accuracies may differ by one example, when two
logits tie to float rounding.  Resuming from a checkpoint on the same device must give exactly the same numbers.
"""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from gammanet import GammaMLP, fit, load_mnist
from gammanet.cli import main as cli_main
from gammanet.devices import resolve_device
from gammanet.ensemble import Ensemble, train_grid
from gammanet.experiments import Block, Experiment, run_experiment
from gammanet.experiments.store import Store
from gammanet.train import evaluate

HAS_CUDA = torch.cuda.is_available()
needs_cuda = pytest.mark.skipif(not HAS_CUDA, reason="needs a CUDA device: torch.cuda.is_available() is False")
DEVICES = [pytest.param("cpu", id="cpu"), pytest.param("cuda", id="cuda", marks=[pytest.mark.cuda, needs_cuda])]
RTOL = 1e-5


@pytest.fixture(autouse=True)
def _full_float32():
    """Full float32 GEMMs on the GPU: TF32 (10-bit mantissa) would move results by ~1e-3 and hide real bugs."""
    previous = torch.get_float32_matmul_precision()
    torch.set_float32_matmul_precision("highest")
    yield
    torch.set_float32_matmul_precision(previous)


def assert_histories_close(got: pd.DataFrame, want: pd.DataFrame, n_train: int, n_test: int, rtol=RTOL):
    got, want = got.reset_index(drop=True), want.reset_index(drop=True)
    assert got.epoch.tolist() == want.epoch.tolist() and got.step.tolist() == want.step.tolist()
    assert got.status.tolist() == want.status.tolist()
    for col in ("train_loss", "test_loss"):
        np.testing.assert_allclose(got[col], want[col], rtol=rtol, atol=0, err_msg=col)
    for col, n in (("train_accuracy", n_train), ("test_accuracy", n_test)):
        np.testing.assert_allclose(got[col], want[col], rtol=0, atol=1.01 / n, err_msg=col)


def assert_parameters_close(got, want, rtol=RTOL):
    for p, q in zip(got, want):
        p, q = p.detach().cpu(), q.detach().cpu()
        torch.testing.assert_close(p, q, rtol=rtol, atol=rtol * float(q.abs().max()))


def keep_last_ensemble(store: dict):
    def on_epoch_end(epoch, ensemble, rows):
        store["ensemble"] = ensemble

    return on_epoch_end


# ------------------------------------------------------------------------------------------ the engine's step
@pytest.mark.parametrize("device", DEVICES)
def test_engine_members_equal_fit_on_the_device(small_mnist, device):
    widths, grid, seeds, epochs = (16, 12), [(0.5, 1.0), (1.0, 0.6)], [3, 4], 2
    store = {}
    df = train_grid(
        widths,
        grid,
        seeds,
        small_mnist,
        epochs,
        alpha=2.0,
        data_order="per_member",
        device=device,
        progress=False,
        on_epoch_end=keep_last_ensemble(store),
    )
    ensemble = store["ensemble"]
    assert ensemble.device.type == device and ensemble.weights[0].device.type == device
    assert df.attrs["config"]["device"].startswith(device)
    for m, (gammas, seed) in enumerate((g, s) for g in grid for s in seeds):
        model = GammaMLP(widths, gammas, seed=seed)
        history = fit(model, small_mnist, epochs, alpha=2.0, seed=seed, device=device, progress=False)
        assert next(model.parameters()).device.type == device
        assert_histories_close(df[df.member == m], history, small_mnist.n_train, small_mnist.n_test)
        assert_parameters_close(ensemble.member_model(m).parameters(), model.parameters())


@pytest.mark.parametrize("device", DEVICES)
def test_evaluation_matches_each_model_on_the_device(mnist, device):
    # 100 rows: one GEMM per member; 300 rows: layer 1 as ONE (B, d) @ (d, M·N_1) GEMM (ensemble.GEMM_MIN_ROWS).
    models = [GammaMLP((12, 9), g, seed=s).to(device) for g, s in (((0.5, 1.0), 1), ((1.0, 1.0), 2), (0.7, 3))]
    ens = Ensemble.from_models(models, device=device)
    for n in (100, 300):
        x, y = mnist.x_test[:n].to(device), mnist.y_test[:n].to(device)
        logits = ens.forward(x)
        assert logits.device.type == device and logits.shape == (3, n, 10)
        loss, accuracy = ens.evaluate(x, y, chunk=70)
        for m, model in enumerate(models):
            with torch.no_grad():
                torch.testing.assert_close(logits[m], model(x), rtol=1e-5, atol=1e-5)
            ref_loss, ref_acc = evaluate(model, x, y)
            assert loss[m].item() == pytest.approx(ref_loss, rel=1e-5)
            assert abs(accuracy[m].item() - ref_acc) <= 1.01 / n


@pytest.mark.parametrize("device", DEVICES)
def test_divergence_stays_isolated_on_the_device(small_mnist, device):
    # NaN in member 0's W^1 (its loss is NaN at step 1) and inf in its W^2 (0·inf = NaN in the backward pass).
    ens, alone = Ensemble((8, 6), [0.5, 1.0], [0, 1], device=device), Ensemble((8, 6), [1.0], [1], device=device)
    ens.weights[0][0, 0, 0], ens.weights[1][0, 0, 0] = math.nan, math.inf
    before = ens.state_dict()
    for i in range(3):
        x, y = (
            small_mnist.x_train[20 * i : 20 * (i + 1)].to(device),
            small_mnist.y_train[20 * i : 20 * (i + 1)].to(device),
        )
        assert torch.isnan(ens.step(x, y)[0])
        alone.step(x, y)
    assert ens.active.tolist() == [False, True] and ens.diverged_step.tolist() == [1, -1]
    after = ens.state_dict()
    for key in [k for k in after if k.endswith((".weight", ".bias"))]:
        torch.testing.assert_close(after[key][0], before[key][0], rtol=0, atol=0, equal_nan=True, msg=key)
    assert_parameters_close(ens.member_model(1).parameters(), alone.member_model(0).parameters(), rtol=1e-6)

    # Through train_grid: a step size 100 times the theory's overflows member 0 (MSE); the others never notice.
    widths, grid, seeds = (16, 12), [(1.0, 1.0), (0.5, 0.7)], [1]
    df = train_grid(widths, grid, seeds, small_mnist, 3, loss="mse", alpha=[100.0, 1.0], device=device, progress=False)
    calm = train_grid(widths, grid[1:], seeds, small_mnist, 3, loss="mse", device=device, progress=False)
    assert df[df.member == 0].status.iloc[-1] == "diverged"
    assert_histories_close(df[df.member == 1], calm[calm.member == 0], small_mnist.n_train, small_mnist.n_test)


# --------------------------------------------------------------------------------------------- resolve_device
def test_resolve_device_defaults_and_bad_names():
    assert resolve_device(None).type == ("cuda" if HAS_CUDA else "cpu")
    assert resolve_device("cpu") == torch.device("cpu") == resolve_device(torch.device("cpu"))
    for bad in ("gpu", "cuda:x", "", 3, True, "meta"):
        with pytest.raises(ValueError, match=rf"device={bad!r} is not allowed; give 'cpu', 'cuda'"):
            resolve_device(bad)


def test_cuda_on_a_machine_without_it_is_one_clear_error(small_mnist, monkeypatch, capsys, tmp_path):
    # What a CPU-only machine does (simulated on a GPU machine too): a clear ValueError before any work.
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    assert resolve_device(None) == torch.device("cpu")
    for call in (
        lambda: resolve_device("cuda"),
        lambda: load_mnist("embedded", device="cuda", verbose=False),
        lambda: fit(GammaMLP((8,), 1.0), small_mnist, 1, device="cuda", progress=False),
        lambda: train_grid((8,), [1.0], [0], small_mnist, 1, device="cuda", progress=False),
        lambda: run_experiment(tiny(), data=small_mnist, device="cuda:0", progress=False),
    ):
        with pytest.raises(ValueError, match=r"device='cuda(:0)?' is not allowed; this machine has no CUDA GPU"):
            call()
    with pytest.raises(SystemExit) as exit_info:  # the command line: one line, no traceback
        cli_main(
            [
                "train",
                "--widths",
                "8",
                "--gammas",
                "1",
                "--epochs",
                "1",
                "--data",
                "embedded",
                "--device",
                "cuda",
                "--out",
                str(tmp_path / "run"),
            ]
        )
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "error: device='cuda' is not allowed; this machine has no CUDA GPU" in err and "Traceback" not in err
    assert not (tmp_path / "run").exists()


@pytest.mark.cuda
@needs_cuda
def test_resolve_device_on_a_cuda_machine():
    count = torch.cuda.device_count()
    assert resolve_device(None).type == "cuda" and resolve_device("cuda") == torch.device("cuda")
    assert resolve_device(f"cuda:{count - 1}") == torch.device("cuda", count - 1)
    with pytest.raises(ValueError, match=rf"device='cuda:{count}' is not allowed; this machine has {count} CUDA GPU"):
        resolve_device(f"cuda:{count}")


# ----------------------------------------------------------------------------------------- checkpoint resume
class Crash(Exception):
    pass


def tiny() -> Experiment:
    """Two units of 2 members (widths (12,), γ ∈ {0.5, 1} × seeds {0, 1}), 3 epochs of 200 images, probe logits."""
    return Experiment(
        "tiny_device",
        "a test sweep",
        "fast",
        (Block((12,), (0.5, 1.0), (0, 1), 3),),
        n_train=200,
        n_test=100,
        probe=4,
        members_per_unit=2,
    )


def crash_after(monkeypatch, unit_id: str, epoch: int) -> None:
    """Make the store raise Crash right after it saved ``unit_id``'s checkpoint of ``epoch`` (the process dies)."""
    original = Store.save_checkpoint

    def save_then_crash(self, unit, checkpoint):
        original(self, unit, checkpoint)
        if unit.id == unit_id and checkpoint.epoch == epoch:
            raise Crash

    monkeypatch.setattr(Store, "save_checkpoint", save_then_crash)


def assert_same_results(a, b, exact=True):
    if exact:
        pd.testing.assert_frame_equal(a.history, b.history, check_exact=True)
        pd.testing.assert_frame_equal(a.outputs, b.outputs, check_exact=True)
    else:
        pd.testing.assert_frame_equal(a.history, b.history, check_exact=False, rtol=RTOL, atol=1.01 / 100)
        pd.testing.assert_frame_equal(a.outputs, b.outputs, check_exact=False, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("device", DEVICES)
def test_checkpoint_resumes_exactly_on_the_device(small_mnist, tmp_path, monkeypatch, device):
    exp = tiny()
    whole = run_experiment(exp, data=small_mnist, device=device, progress=False)
    assert whole.summary["device"].startswith(device)
    unit = exp.units()[1].id
    crash_after(monkeypatch, unit, 1)
    with pytest.raises(Crash):
        run_experiment(exp, store=tmp_path, data=small_mnist, device=device, progress=False, checkpoint_seconds=0)
    monkeypatch.undo()
    resumed = run_experiment(exp, store=tmp_path, data=small_mnist, device=device, progress=False)
    assert resumed.summary["resumed_units"] == [dict(unit=unit, from_epoch=1)] and resumed.summary["reused"] == 1
    assert_same_results(resumed, whole, exact=True)


# ------------------------------------------------------------------------------------------ CPU against CUDA
@pytest.mark.cuda
@needs_cuda
def test_cpu_and_cuda_agree_to_float32_tolerance(small_mnist):
    widths, grid, seeds = (16, 12), [(0.5, 1.0), (1.0, 1.0), (0.7, 0.5)], [0, 1]
    runs = {}
    for device in ("cpu", "cuda"):
        store = {}
        df = train_grid(
            widths,
            grid,
            seeds,
            small_mnist,
            3,
            alpha=2.0,
            device=device,
            progress=False,
            on_epoch_end=keep_last_ensemble(store),
        )
        runs[device] = (df, store["ensemble"])
    (cpu, cpu_ens), (gpu, gpu_ens) = runs["cpu"], runs["cuda"]
    for m in range(len(grid) * len(seeds)):
        assert_histories_close(gpu[gpu.member == m], cpu[cpu.member == m], small_mnist.n_train, small_mnist.n_test)
        assert_parameters_close(gpu_ens.member_model(m).parameters(), cpu_ens.member_model(m).parameters())
    # fit, one network alone.
    histories, models = {}, {}
    for device in ("cpu", "cuda"):
        models[device] = GammaMLP((20, 10), (0.6, 0.9), seed=5)
        histories[device] = fit(models[device], small_mnist, 3, seed=5, device=device, progress=False)
    assert_histories_close(histories["cuda"], histories["cpu"], small_mnist.n_train, small_mnist.n_test)
    assert_parameters_close(models["cuda"].parameters(), models["cpu"].parameters())
    # The runner: histories and probe logits.
    exp = tiny()
    assert_same_results(
        run_experiment(exp, data=small_mnist, device="cuda", progress=False),
        run_experiment(exp, data=small_mnist, device="cpu", progress=False),
        exact=False,
    )


@pytest.mark.cuda
@needs_cuda
def test_a_store_written_on_cuda_resumes_on_the_cpu(small_mnist, tmp_path, monkeypatch):
    # A run interrupted on a GPU node, finished on a laptop: checkpoints are saved on the CPU side, so they load
    # anywhere; the result equals a CPU run to float32 tolerance (its first epochs were computed on the GPU).
    exp = tiny()
    unit = exp.units()[0].id
    crash_after(monkeypatch, unit, 2)
    with pytest.raises(Crash):
        run_experiment(exp, store=tmp_path, data=small_mnist, device="cuda", progress=False, checkpoint_seconds=0)
    monkeypatch.undo()
    resumed = run_experiment(exp, store=tmp_path, data=small_mnist, device="cpu", progress=False)
    assert resumed.summary["resumed_units"] == [dict(unit=unit, from_epoch=2)]
    assert_same_results(resumed, run_experiment(exp, data=small_mnist, device="cpu", progress=False), exact=False)
