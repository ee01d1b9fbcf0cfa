"""Small regression problems for the theory's setting: M training pairs, full-batch gradient descent.

A :class:`RegressionProblem` holds M training pairs (x_m, y_m) with x_m ∈ R^d and P evaluation inputs, all as
float64 tensors.  Two are built in:

- :func:`toy_problem`: x ~ N(0, I_d) (fixed seed), a smooth target y = sin(x_1 + x_2) (d = 2 by default);
- :func:`mnist_problem`: a few embedded MNIST digits of two classes, target ±1, inputs rescaled to |x| ≈ 1.

Inputs are rescaled so that w·x with w ~ N(0, I_d) is O(1): the sigmoid then neither saturates nor stays linear,
and the tangent kernel A has a spread of eigenvalues that full-batch gradient descent resolves in t = O(1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from ..validation import check_choice, check_int, check_positive_int, check_seed

DTYPE = torch.float64


@dataclass(frozen=True)
class RegressionProblem:
    """Training pairs and evaluation inputs for the shallow-network experiments.

    ``x_train``: (M, d); ``y_train``: (M,); ``x_test``: (P, d); ``y_test``: (P,) — float64.
    ``info`` records how the problem was built (seeds included), for ``DataFrame.attrs``.
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    name: str
    info: dict = field(default_factory=dict)

    @property
    def n_train(self) -> int:
        return int(self.x_train.shape[0])

    @property
    def n_test(self) -> int:
        return int(self.x_test.shape[0])

    @property
    def dim(self) -> int:
        return int(self.x_train.shape[1])

    def inputs(self, split: str) -> torch.Tensor:
        """``"train"`` → x_train, ``"test"`` → x_test."""
        check_choice("split", split, ("train", "test"))
        return self.x_train if split == "train" else self.x_test


def toy_target(x: torch.Tensor) -> torch.Tensor:
    """The toy problem's target f(x) = sin(x_1 + x_2) (shape (B, d) → (B,); d ≥ 2)."""
    return torch.sin(x[:, 0] + x[:, 1])


def toy_problem(n_train: int = 24, n_test: int = 16, dim: int = 2, seed: int = 0) -> RegressionProblem:
    """M = ``n_train`` training and P = ``n_test`` evaluation points x ~ N(0, I_d), target y = sin(x_1 + x_2).

    Seeded (``seed``): the same call always returns the same problem.  No noise is added to y: the variance we
    measure is then purely the randomness of the network's initialization.
    """
    n_train, n_test = check_positive_int("n_train", n_train), check_positive_int("n_test", n_test)
    dim = check_int("dim", dim, minimum=2)  # the toy target uses two coordinates
    gen = torch.Generator().manual_seed(check_seed("seed", seed))
    x = torch.randn(n_train + n_test, dim, generator=gen, dtype=DTYPE)
    y = toy_target(x)
    return RegressionProblem(
        x[:n_train],
        y[:n_train],
        x[n_train:],
        y[n_train:],
        name="toy",
        info=dict(
            problem="toy",
            n_train=n_train,
            n_test=n_test,
            dim=dim,
            seed=int(seed),
            target="sin(x1 + x2)",
            inputs="N(0, I_d)",
        ),
    )


def mnist_problem(
    n_train: int = 32,
    n_test: int = 32,
    digits: tuple[int, int] = (3, 8),
    input_scale: float = 3.0 / 28.0,
    seed: int = 0,
    data=None,
) -> RegressionProblem:
    """A few MNIST images of two digits as a regression problem: y = +1 for ``digits[0]``, -1 for ``digits[1]``.

    Images come from ``gammanet.load_mnist("embedded", device="cpu")`` (or ``data``, an ``MNISTData``), normalized
    as in the papers and multiplied by ``input_scale`` (3/28 makes |x| ≈ 3, so w·x has standard deviation ≈ 3 as in
    the toy problem, and the kernel A has several eigenvalues that the dynamics resolves by t ≈ 1–2; with 1/28 all
    but the constant direction are ~30 times slower).  ``seed``
    picks which images (a seeded draw among the embedded training and test images of the two digits).
    """
    if data is None:
        from ..data import load_mnist

        data = load_mnist("embedded", device="cpu", verbose=False)
    gen = torch.Generator().manual_seed(int(seed))

    def pick(x, y, n):
        keep = (y == digits[0]) | (y == digits[1])
        x, y = x[keep], y[keep]
        if n > x.shape[0]:
            raise ValueError(f"only {x.shape[0]} images of digits {digits} are available; asked for {n}")
        idx = torch.randperm(x.shape[0], generator=gen)[:n]
        target = torch.where(y[idx] == digits[0], 1.0, -1.0).to(DTYPE)
        return x[idx].to(DTYPE) * float(input_scale), target

    xtr, ytr = pick(data.x_train.cpu(), data.y_train.cpu(), n_train)
    xte, yte = pick(data.x_test.cpu(), data.y_test.cpu(), n_test)
    return RegressionProblem(
        xtr,
        ytr,
        xte,
        yte,
        name="mnist",
        info=dict(
            problem="mnist",
            n_train=n_train,
            n_test=n_test,
            digits=tuple(digits),
            input_scale=float(input_scale),
            seed=int(seed),
            source=data.source,
        ),
    )
