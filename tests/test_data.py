"""MNIST loading: the embedded subset, the real torchvision path (offline, from IDX files), errors, fallback."""

import pytest
import torch

from gammanet import data as gdata
from gammanet import load_mnist


def test_embedded_split_is_stratified_and_fixed(mnist):
    assert (mnist.n_train, mnist.n_test) == (4000, 1000)
    assert torch.bincount(mnist.y_train, minlength=10).tolist() == [400] * 10
    assert torch.bincount(mnist.y_test, minlength=10).tolist() == [100] * 10
    assert mnist.x_train.shape == (4000, 784) and mnist.x_train.dtype == torch.float32
    assert mnist.y_train.dtype == torch.int64
    # Shuffled: the file is sorted by class, the split must not be.
    assert len(set(mnist.y_train[:50].tolist())) >= 8
    # Fixed: a second load gives the same tensors.
    again = load_mnist("embedded", device="cpu", verbose=False)
    assert torch.equal(again.x_train, mnist.x_train) and torch.equal(again.y_test, mnist.y_test)


def test_train_and_test_are_disjoint():
    xtr, _, xte, _ = gdata.embedded_arrays()
    train_rows = {row.tobytes() for row in xtr}
    assert not any(row.tobytes() in train_rows for row in xte)


def test_papers_normalization(mnist):
    xtr, *_ = gdata.embedded_arrays()
    expected = (torch.from_numpy(xtr[:10]).float() / 255 - 0.1307) / 0.3081
    torch.testing.assert_close(mnist.x_train[:10], expected)
    raw = load_mnist("embedded", device="cpu", normalization=None, verbose=False)
    assert raw.x_train.min() == 0 and raw.x_train.max() == 1


@pytest.fixture
def idx_root(tmp_path):
    """The embedded subset written as torchvision's raw MNIST files, so the real torchvision code runs offline."""
    xtr, ytr, xte, yte = gdata.embedded_arrays()
    gdata.write_idx(tmp_path, (xtr, ytr), (xte, yte))
    return tmp_path


def test_torchvision_path_reads_the_idx_files(idx_root, mnist):
    tv = load_mnist("torchvision", root=idx_root, device="cpu", download=False)
    assert tv.source == "torchvision"
    assert torch.equal(tv.x_train, mnist.x_train) and torch.equal(tv.y_train, mnist.y_train)
    assert torch.equal(tv.x_test, mnist.x_test) and torch.equal(tv.y_test, mnist.y_test)


def test_auto_prefers_torchvision_when_files_exist(idx_root, capsys):
    d = load_mnist("auto", root=idx_root, device="cpu")
    assert d.source == "torchvision" and d.note == ""
    assert capsys.readouterr().err == ""


def test_auto_falls_back_with_one_clear_message(tmp_path, monkeypatch, capsys):
    def no_network(root, download):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz: no route to host")

    monkeypatch.setattr(gdata, "torchvision_tensors", no_network)
    d = load_mnist("auto", root=tmp_path, device="cpu")
    assert d.source == "embedded" and d.n_train == 4000
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "embedded" in err and "no route to host" in err and str(tmp_path) in err


def test_torchvision_without_files_and_download_is_a_clear_error(tmp_path):
    with pytest.raises(gdata.DataError, match="torchvision could not provide MNIST"):
        load_mnist("torchvision", root=tmp_path, device="cpu", download=False)


@pytest.mark.parametrize("name", ["train-images-idx3-ubyte", "t10k-labels-idx1-ubyte"])
def test_truncated_file_error_names_the_file(idx_root, name):
    path = idx_root / "MNIST" / "raw" / name
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(gdata.DataError, match=name) as info:
        load_mnist("auto", root=idx_root, device="cpu", download=False)
    assert "truncated" in str(info.value)


def test_corrupt_magic_number_names_the_file(idx_root):
    path = idx_root / "MNIST" / "raw" / "train-labels-idx1-ubyte"
    raw = bytearray(path.read_bytes())
    raw[3] = 0x99
    path.write_bytes(bytes(raw))
    with pytest.raises(gdata.DataError, match="train-labels-idx1-ubyte.*magic"):
        load_mnist("torchvision", root=idx_root, device="cpu", download=False)


def test_source_from_environment(monkeypatch):
    monkeypatch.setenv("GAMMANET_DATA", "embedded")
    assert load_mnist(device="cpu", verbose=False).source == "embedded"
    monkeypatch.setenv("GAMMANET_DATA", "kaggle")
    with pytest.raises(ValueError, match="source='kaggle'"):
        load_mnist(device="cpu")


def test_subset_and_device(mnist):
    s = mnist.subset(100, 50)
    assert (s.n_train, s.n_test) == (100, 50) and torch.equal(s.x_train, mnist.x_train[:100])
    with pytest.raises(ValueError, match="n_train=5000"):
        mnist.subset(5000)
    assert s.to("cpu") is s
