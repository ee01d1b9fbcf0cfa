"""User errors at the command line: one line naming the bad value and what is allowed, exit code 2, checked before
any work (nothing trained, nothing created); a bug of ours still shows its traceback.  In-process (``main``), so an
exception escaping ``main`` — a traceback — fails the test."""

import json
import struct

import numpy as np
import pytest
import torch

import gammanet.data as gdata
import gammanet.memory as gmemory
from gammanet import Ensemble, load_mnist, train_grid
from gammanet.cli import main
from gammanet.experiments import Block, Experiment, run_experiment

TRAIN = ["train", "--widths", "6", "--gammas", "1", "--epochs", "1", "--n-train", "100", "--n-test", "50"]


@pytest.fixture
def tiny_embedded(monkeypatch):
    """The embedded source as 300 / 100 blank images (no 5,000-row CSV to parse: these tests are about errors)."""
    arrays = (np.zeros((300, 784), np.uint8), np.arange(300) % 10, np.zeros((100, 784), np.uint8), np.arange(100) % 10)
    monkeypatch.setattr(gdata, "embedded_arrays", lambda: arrays)


@pytest.fixture
def no_training(monkeypatch):
    """Any training is a failure of 'check before you train'."""
    import sys

    import gammanet.ensemble
    import gammanet.experiments.sweep  # noqa: F401  (the package's name `sweep` is the function: use sys.modules)
    import gammanet.train

    def trained(*args, **kwargs):
        raise AssertionError("training started before the error was found")

    monkeypatch.setattr(gammanet.train, "fit", trained)
    monkeypatch.setattr(gammanet.ensemble, "train_grid", trained)
    monkeypatch.setattr(sys.modules["gammanet.experiments.sweep"], "train_grid", trained)


def one_line_error(capsys, args, *needles, code=2):
    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    err = capsys.readouterr().err
    assert info.value.code == code, err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, err
    return err


def experiment_file(tmp_path, **changes):
    exp = Experiment("cli_err", "", "fast", (Block((6,), (0.5,), (0,), 1),), n_train=100, n_test=50)
    d = dict(exp.to_dict(), **changes)
    path = tmp_path / "cli_err.json"
    path.write_text(json.dumps(d))
    return path


def raw_files(root, n_train=60, n_test=20, labels=None):
    """torchvision's raw MNIST files, blank images, under root/MNIST/raw."""
    ytr = np.arange(n_train) % 10 if labels is None else labels
    return gdata.write_idx(
        root, (np.zeros((n_train, 784), np.uint8), ytr), (np.zeros((n_test, 784), np.uint8), np.arange(n_test) % 10)
    )


# ------------------------------------------------------------------------------------------------- item 6
def test_torchvision_offline_is_one_line_for_train_and_run(tmp_path, monkeypatch, capsys, no_training):
    def offline(root, download):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz: [Errno -3] name resolution failure")

    monkeypatch.setattr(gdata, "torchvision_tensors", offline)
    monkeypatch.setenv("GAMMANET_DATA", "torchvision")
    monkeypatch.setenv("GAMMANET_DATA_ROOT", str(tmp_path / "data"))
    one_line_error(
        capsys, TRAIN + ["--out", tmp_path / "out"], "torchvision could not provide MNIST", "name resolution failure"
    )
    one_line_error(
        capsys, ["run", experiment_file(tmp_path), "--store", tmp_path / "store"], "torchvision could not provide MNIST"
    )


@pytest.mark.parametrize(
    "damage, needle",
    [
        (
            lambda raw: (raw / "train-images-idx3-ubyte").write_bytes(
                (raw / "train-images-idx3-ubyte").read_bytes()[:-9]
            ),
            "train-images-idx3-ubyte is truncated or corrupt",
        ),
        (lambda raw: (raw / "t10k-labels-idx1-ubyte").write_bytes(b"\x00\x00"), "t10k-labels-idx1-ubyte is truncated"),
    ],
)
def test_damaged_idx_files_are_one_line(tmp_path, monkeypatch, capsys, no_training, damage, needle):
    damage(raw_files(tmp_path / "data"))
    monkeypatch.setenv("GAMMANET_DATA_ROOT", str(tmp_path / "data"))  # `run` reads the root from here
    one_line_error(
        capsys, TRAIN + ["--data", "torchvision", "--data-root", tmp_path / "data", "--out", tmp_path / "out"], needle
    )
    one_line_error(
        capsys, ["run", experiment_file(tmp_path), "--data", "torchvision", "--store", tmp_path / "s"], needle
    )


def test_outputs_under_a_regular_file_are_refused_before_training(tmp_path, capsys, no_training, tiny_embedded):
    """Item 7: `train --out afile/sub` used to train every step and then fail writing."""
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    one_line_error(
        capsys,
        TRAIN + ["--out", afile / "sub"],
        f"--out '{afile / 'sub'}' is not allowed",
        f"'{afile}' is a file, not a folder",
    )
    one_line_error(capsys, TRAIN + ["--out", afile], "is a file, not a folder")
    one_line_error(
        capsys,
        ["run", experiment_file(tmp_path), "--store", afile / "store"],
        f"--store '{afile / 'store'}' is not allowed",
        "is a file, not a folder",
    )
    one_line_error(
        capsys,
        ["plot", experiment_file(tmp_path), "--store", tmp_path, "--out", afile / "a.png"],
        "is a file, not a folder",
    )
    with pytest.raises(ValueError, match="store=|--store|is a file"):
        run_experiment(Experiment.from_dict(json.loads(experiment_file(tmp_path).read_text())), store=afile / "s")


@pytest.mark.parametrize(
    "device, needle",
    [
        ("bogus", "device='bogus' is not allowed; give 'cpu', 'cuda', 'cuda:N'"),
        ("cuda:99", "device='cuda:99' is not allowed"),
    ],
)
def test_devices_this_machine_lacks(tmp_path, capsys, no_training, tiny_embedded, device, needle):
    one_line_error(capsys, TRAIN + ["--device", device, "--out", tmp_path / "out"], needle)
    one_line_error(
        capsys, ["run", experiment_file(tmp_path), "--device", device, "--store", tmp_path / "store"], needle
    )
    assert not (tmp_path / "store").exists() and not (tmp_path / "out").exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_a_gpu_creates_nothing(tmp_path, capsys, no_training, tiny_embedded):
    one_line_error(
        capsys,
        ["run", experiment_file(tmp_path), "--device", "cuda", "--store", tmp_path / "store"],
        "device='cuda' is not allowed; this machine has no CUDA GPU",
    )
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize(
    "change, needle",
    [
        (
            dict(blocks=[dict(widths=[6], gamma_grid=[[0.5]], seeds=[0])]),
            "blocks[0] is missing field(s) ['epochs']; a block needs widths, gamma_grid, seeds, epochs",
        ),
        (
            dict(blocks=[dict(widths=[6], gamma_grid=[[0.5]], seeds=[2**64], epochs=1)]),
            "seed 18446744073709551616 in seeds is not allowed; a seed is an integer in [0, 2^63)",
        ),
        (dict(blocks=[dict(widths=[6], gamma_grid=[[0.5]], seeds=[1.5], epochs=1)]), "seed 1.5 in seeds"),
        (dict(blocks=["6"]), "blocks[0]='6' is not allowed"),
        (dict(data_seed=2**64), "data_seed=18446744073709551616 is not allowed"),
        (dict(bias=1), "bias=1 is not allowed; it must be True or False"),
    ],
)
def test_bad_experiment_files(tmp_path, capsys, change, needle):
    one_line_error(capsys, ["run", experiment_file(tmp_path, **change), "--store", tmp_path / "s"], needle)


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--seed", str(2**64)], "seed=18446744073709551616 is not allowed; a seed is an integer in [0, 2^63)"),
        (["--seed", "-1"], "seed=-1 is not allowed"),
        (["--input-scale", "inf"], "input_scale=inf is not allowed; it must be a positive finite number"),
        (["--alpha", "nan"], "alpha=nan is not allowed"),
        (["--n-train", "0"], "n_train=0 is not allowed"),
    ],
)
def test_bad_train_values(tmp_path, capsys, no_training, tiny_embedded, args, needle):
    one_line_error(capsys, TRAIN + args + ["--out", tmp_path / "out"], needle)


def test_a_bug_of_ours_still_shows_its_traceback(tmp_path, monkeypatch, tiny_embedded):
    import gammanet.train

    def bug(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(gammanet.train, "fit", bug)
    with pytest.raises(KeyError, match="a bug"):
        main(TRAIN + ["--out", str(tmp_path / "out")])


# ------------------------------------------------------------------------------------------------- item 8
def test_an_impossible_width_is_refused_before_allocating(tmp_path, capsys, no_training):
    one_line_error(
        capsys,
        TRAIN[:2] + ["1000000000"] + TRAIN[3:] + ["--out", tmp_path / "out"],
        "GammaMLP(widths=(1000000000,)) would need about 3.2 TB",
        "is available on cpu",
    )


def test_memory_is_checked_for_ensembles_grids_and_runs(tmp_path, monkeypatch, small_mnist):
    monkeypatch.setattr(gmemory, "ALWAYS_OK", 0)
    monkeypatch.setattr(gmemory, "available_bytes", lambda device: 10**6)  # a 1 MB machine
    with pytest.raises(gmemory.MemoryRefused, match=r"an ensemble of 3 members of widths \(300,\) would need about"):
        Ensemble([300], [0.5, 0.7, 1.0], [0, 1, 2])
    with pytest.raises(gmemory.MemoryRefused, match=r"training 2 members of widths \(300,\) together.*parameters"):
        train_grid([300], [0.5], [0, 1], small_mnist, 1, progress=False)
    exp = Experiment("mem", "", "fast", (Block((300,), (0.5,), (0,), 1),), n_train=100, n_test=50)
    with pytest.raises(gmemory.MemoryRefused, match="unit u000-b0 of 'mem'"):
        run_experiment(exp, store=tmp_path / "store", data=small_mnist, progress=False)
    assert not (tmp_path / "store").exists()
    monkeypatch.setattr(gmemory, "available_bytes", lambda device: None)  # unknown: nothing is refused
    assert len(Ensemble([30], [0.5], [0])) == 1


def test_memory_estimate_counts_what_training_holds():
    parts = gmemory.training_bytes((100, 50), 784, 10, members=3, batch_size=20, eval_chunk=1000)
    P = 100 * 785 + 50 * 101 + 10 * 51
    assert gmemory.parameter_count((100, 50)) == P and parts["parameters"] == 2 * 4 * 3 * P
    assert parts["activations"] == 4 * 4 * 3 * 20 * 150 and parts["evaluation"] == 4 * 3 * 1000 * (200 + 10)
    assert parts["total"] == parts["parameters"] + parts["activations"] + parts["evaluation"]
    assert gmemory.available_bytes("cpu") > 0


# ------------------------------------------------------------------------------------------------ item 10
def test_idx_labels_outside_the_digits_name_the_file(tmp_path, capsys, no_training):
    labels = np.arange(60) % 10
    labels[7] = 200
    raw_files(tmp_path, labels=labels)
    with pytest.raises(
        gdata.DataError,
        match=r"train-labels-idx1-ubyte is corrupt: label 200 at position 7 "
        r"\(labels are digits 0..9\)",
    ):
        load_mnist("torchvision", root=tmp_path, device="cpu", download=False)
    one_line_error(
        capsys,
        TRAIN + ["--data", "torchvision", "--data-root", tmp_path, "--out", tmp_path / "o"],
        "label 200 at position 7",
    )


def test_idx_counts_must_agree(tmp_path):
    raw = raw_files(tmp_path)
    labels = raw / "train-labels-idx1-ubyte"
    body = labels.read_bytes()[8:-1]  # one label fewer than images, header consistent
    labels.write_bytes(struct.pack(">II", 2049, len(body)) + body)
    with pytest.raises(
        gdata.DataError,
        match=r"train-images-idx3-ubyte and .*train-labels-idx1-ubyte disagree: "
        r"60 images but 59 labels",
    ):
        load_mnist("torchvision", root=tmp_path, device="cpu", download=False)


# ------------------------------------------------------------------------------------------------- item 5
def test_run_quiet_still_prints_the_data_fallback_note(tmp_path, monkeypatch, capsys, tiny_embedded):
    def offline(root, download):
        raise RuntimeError("no network")

    monkeypatch.setattr(gdata, "torchvision_tensors", offline)
    monkeypatch.setenv("GAMMANET_DATA", "auto")
    assert (
        main(["run", str(experiment_file(tmp_path)), "--store", str(tmp_path / "s"), "--quiet", "--device", "cpu"]) == 0
    )
    captured = capsys.readouterr()
    assert "gammanet: torchvision MNIST is not available" in captured.err and "no network" in captured.err
    assert "using the 5,000 embedded digits" in captured.err and "step" not in captured.err  # no progress bars
    assert "cli_err: 1/1 units finished" in captured.out


# --------------------------------------------------------------------------------- a hostile user's cases
def test_show_and_verify_refuse_a_store_that_is_not_there(capsys, tmp_path):
    path = experiment_file(tmp_path)
    (tmp_path / "afile").write_text("x")
    one_line_error(capsys, ["verify", path, "--store", tmp_path / "typo"], "does not exist")
    for command in ("show", "verify"):
        one_line_error(capsys, [command, path, "--store", tmp_path / "afile"], "is a file, not a folder")
        one_line_error(capsys, [command, path, "--store", ""], "--store '' is not allowed")
    one_line_error(capsys, ["run", path, "--store", ""], "--store '' is not allowed")


def test_plot_refuses_an_output_name_without_an_image_format(capsys, tmp_path):
    path = experiment_file(tmp_path)
    one_line_error(capsys, ["plot", path, "--store", tmp_path, "--out", tmp_path / "noext"], "ending in one of")
    one_line_error(capsys, ["plot", path, "--store", tmp_path, "--out", tmp_path / "p.xyz"], ".png")


def test_absurd_epochs_long_names_and_duplicate_keys_are_refused_before_any_work(capsys, tmp_path):
    block = dict(widths=[6], gamma_grid=[[0.5]], seeds=[0], epochs=10**30)
    one_line_error(capsys, ["run", experiment_file(tmp_path, blocks=[block])], "epochs=", "[1, 1000000]")
    one_line_error(capsys, ["run", experiment_file(tmp_path, name="n" * 300)], "at most 100")
    dup = tmp_path / "dup.json"
    dup.write_text(experiment_file(tmp_path).read_text()[:-1] + ', "n_train": 200}')
    one_line_error(capsys, ["run", dup], "'n_train' appears twice")
    assert not list(tmp_path.glob("*/experiment.json"))  # nothing was created


def test_ctrl_c_is_one_line_and_exit_130(capsys, monkeypatch):
    import gammanet.cli as cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "cmd_configs", interrupted)
    with pytest.raises(SystemExit) as info:
        main(["configs"])
    err = capsys.readouterr().err
    assert info.value.code == 130 and "interrupted" in err and "Traceback" not in err


def test_a_batch_larger_than_the_training_set_is_refused_before_the_data_is_loaded(capsys, tmp_path, no_training):
    err = one_line_error(
        capsys, [*TRAIN, "--batch-size", "1000", "--out", tmp_path / "o"], "batch_size=1000", "100 training examples"
    )
    assert "embedded" not in err  # one line: no data note before it
