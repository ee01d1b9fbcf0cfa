"""Shared fixtures.  Tests run offline: the data source is the embedded MNIST subset."""

import os

# Set before any notebook kernel starts, so nbval's kernels inherit them too.
os.environ.setdefault("GAMMANET_DATA", "embedded")
os.environ.setdefault("GAMMANET_QUICK", "1")  # the quick build
# One fresh results store per test session: the instructor and student runs of a chapter share it (the second
# reuses the first's results, as a reader's second run would), and nothing is read from an earlier session.
if not os.environ.get("GAMMANET_STORE", "").strip():
    import tempfile

    os.environ["GAMMANET_STORE"] = tempfile.mkdtemp(prefix="gammanet-store-")

import pytest
import torch


@pytest.fixture(scope="session")
def mnist():
    """The embedded MNIST subset on the CPU (4,000 train / 1,000 test)."""
    from gammanet import load_mnist

    return load_mnist("embedded", device="cpu", verbose=False)


@pytest.fixture(scope="session")
def small_mnist(mnist):
    """A 200 / 100 slice, for tests that train."""
    return mnist.subset(200, 100)


@pytest.fixture(autouse=True)
def _fixed_threads():
    # Reproducible float sums across tests on the 2-core machines.
    # One thread: these small matrices gain nothing from two, and two threads on the shared 2-core
    # machines made small fits 20-50x slower when another process was running.
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
