"""Checks for chapter 3 (the limit).

- :func:`check_kernel_flow` — h_t = (I - e^{-αAt/M}) y at the training points from a kernel matrix, on hidden
  kernels;
- :func:`check_evaluation_flow` — h_t(x) = A(x, X) A^{-1}(I - e^{-αAt/M}) y at evaluation points, on hidden kernels,
  some with eigenvalues at zero (where A^{-1} does not exist but the product does);
- questions 3.3–3.5.
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from .feedback import NotAttempted, as_vector, call, kind, start
from .questions import Choice, Hint, Number, ask
from .registry import exercise


# ------------------------------------------------------------------------------------------- the kernel flow
def reference_flow(A: torch.Tensor, y: torch.Tensor, alpha: float, t: float) -> torch.Tensor:
    """(I - e^{-αAt/M}) y by the matrix exponential (an independent route from the eigendecomposition)."""
    m = A.shape[0]
    return y - torch.linalg.matrix_exp(-alpha * t * A / m) @ y


def random_kernel(m: int, seed: int, rank: int | None = None) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    b = torch.randn(m, rank or m, generator=gen, dtype=torch.float64)
    return b @ b.T / (rank or m)


@functools.lru_cache(maxsize=1)
def flow_cases() -> list:
    """(label, A, y, α, t, reference) — random positive semi-definite kernels (one of low rank) and the tangent
    kernel of a hidden toy problem, whose reference comes from the library's :class:`KernelLimit`."""
    from ..theory import KernelLimit, toy_problem

    cases = []
    for label, m, seed, rank, alpha, t in [
        ("random 5×5 kernel", 5, 11, None, 2.0, 0.7),
        ("random 8×8 kernel at t = 0", 8, 12, None, 3.0, 0.0),
        ("random 9×9 kernel of rank 3", 9, 13, 3, 5.0, 4.0),
        ("random 6×6 kernel, long time", 6, 14, None, 10.0, 50.0),
    ]:
        A = random_kernel(m, seed, rank)
        y = torch.randn(m, generator=torch.Generator().manual_seed(seed + 100), dtype=torch.float64)
        cases.append((label, A, y, alpha, t, reference_flow(A, y, alpha, t)))
    problem = toy_problem(n_train=10, n_test=2, seed=7)
    limit = KernelLimit(problem, 20.0)
    for t in (0.3, 1.5):
        cases.append(
            (
                f"tangent kernel of a hidden problem, α = 20, t = {t:g}",
                limit.A.clone(),
                problem.y_train.clone(),
                20.0,
                t,
                limit.mean([t], "train")[0],
            )
        )
    return cases


@exercise("3.1", functions=("my_kernel_flow",))
def check_kernel_flow(fn, verbose: bool = True):
    """Check ``fn(A, y, alpha, t) -> h_t = (I - e^{-αAt/M}) y`` (``A`` (M, M), ``y`` (M,) float64 tensors)."""
    report = start("Exercise 3.1: the kernel limit h_t from a kernel matrix", verbose)
    try:
        for label, A, y, alpha, t, expected in flow_cases():
            m = A.shape[0]
            got = call(report, fn, A.clone(), y.clone(), alpha, t)
            if got is None:
                continue
            arr = as_vector(got, m)
            if arr is None:
                report.fail(
                    f"{label}: returned {kind(got)}, not a vector of length M = {m}",
                    "return h_t at the M training points: one value per point",
                )
                continue
            exp = expected.numpy()
            scale = max(1.0, float(np.abs(y.numpy()).max()))
            if np.allclose(arr, exp, rtol=1e-6, atol=1e-8 * scale):
                report.ok(f"{label}: right")
                continue
            wrong = {
                "entrywise": y - torch.exp(-alpha * t * A / m) @ y,
                "no_M": reference_flow(A * m, y, alpha, t),
                "residual": y - expected,
                "sign": y - torch.linalg.matrix_exp(alpha * t * A / m) @ y,
            }
            hints = {
                "entrywise": (
                    "torch.exp works entry by entry: is that the exponential of the matrix?",
                    "diagonalize A (torch.linalg.eigh) and exponentiate the eigenvalues",
                ),
                "no_M": ("the loss is (1/2M) Σ_m (y_m - g(x_m))²: where does the 1/M go in the rate?", ""),
                "residual": ("that is the residual y - h_t, not h_t", ""),
                "sign": ("the flow contracts the residual y - h_t: check the sign in the exponent", ""),
            }
            for key, value in wrong.items():
                if np.allclose(arr, value.numpy(), rtol=1e-6, atol=1e-8 * scale):
                    report.fail(f"{label}: not h_t", *hints[key])
                    break
            else:
                report.fail(
                    f"{label}: not h_t (largest error {np.abs(arr - exp).max():.2e})",
                    "at t = 0 h_t must be 0, and for a long time it approaches y (where A has no zero "
                    "eigenvalue): does yours?",
                    more="h_t = (I − e^{−αAt/M}) y, with the matrix exponential computed from the "
                    "eigendecomposition of A",
                )
    except NotAttempted:
        report.attempted = False
    return report.summary()


# -------------------------------------------------------------------------------- the flow at evaluation points
def reference_evaluation_flow(
    A: torch.Tensor, A_cross: torch.Tensor, y: torch.Tensor, alpha: float, t: float
) -> torch.Tensor:
    """A(x, X) ∫_0^t (α/M) e^{-αAs/M} ds y by Van Loan's block exponential (an independent route from the
    eigendecomposition): exp([[F, G], [0, 0]] t) has ∫_0^t e^{Fs} ds G as its top-right block."""
    m = A.shape[0]
    block = torch.zeros(2 * m, 2 * m, dtype=torch.float64)
    block[:m, :m] = -alpha / m * A
    block[:m, m:] = alpha / m * torch.eye(m, dtype=torch.float64)
    integral = torch.linalg.matrix_exp(block * t)[:m, m:]
    return A_cross @ (integral @ y)


@functools.lru_cache(maxsize=1)
def evaluation_cases() -> list:
    """(label, A, A_cross, y, α, t, reference): random kernels (one of low rank, so with zero eigenvalues) and the
    tangent kernel of a hidden toy problem, whose reference comes from the library's :class:`KernelLimit`."""
    from ..theory import KernelLimit, toy_problem

    cases = []
    for label, m, p, seed, rank, alpha, t in [
        ("random 6×6 kernel, 3 evaluation points", 6, 3, 21, None, 2.0, 0.8),
        ("random 8×8 kernel of rank 3 (zero eigenvalues)", 8, 4, 22, 3, 5.0, 1.5),
        ("random 5×5 kernel at t = 0", 5, 2, 23, None, 3.0, 0.0),
    ]:
        gen = torch.Generator().manual_seed(seed)
        b = torch.randn(m + p, rank or (m + p), generator=gen, dtype=torch.float64)
        full = b @ b.T / (rank or (m + p))  # a kernel on training and evaluation points together
        y = torch.randn(m, generator=gen, dtype=torch.float64)
        A, A_cross = full[:m, :m], full[m:, :m]
        cases.append((label, A, A_cross, y, alpha, t, reference_evaluation_flow(A, A_cross, y, alpha, t)))
    problem = toy_problem(n_train=10, n_test=4, seed=8)
    limit = KernelLimit(problem, 20.0)
    cases.append(
        (
            "tangent kernel of a hidden problem, α = 20, t = 1",
            limit.A.clone(),
            limit.A_cross.clone(),
            problem.y_train.clone(),
            20.0,
            1.0,
            limit.mean([1.0], "test")[0],
        )
    )
    return cases


@exercise("3.2", functions=("my_evaluation_flow",))
def check_evaluation_flow(fn, verbose: bool = True):
    """Check ``fn(A, A_cross, y, alpha, t) -> h_t`` at the P evaluation points (``A`` (M, M), ``A_cross`` (P, M),
    ``y`` (M,) float64 tensors)."""
    report = start("Exercise 3.2: the kernel limit at evaluation points", verbose)
    try:
        for label, A, A_cross, y, alpha, t, expected in evaluation_cases():
            m, p = A.shape[0], A_cross.shape[0]
            got = call(report, fn, A.clone(), A_cross.clone(), y.clone(), alpha, t)
            if got is None:
                continue
            arr = as_vector(got, p)
            if arr is None:
                hint = (
                    "that is one value per training point: the evaluation points enter through A_cross"
                    if as_vector(got, m) is not None
                    else "return h_t at the P evaluation points"
                )
                report.fail(f"{label}: returned {kind(got)}, not a vector of length P = {p}", hint)
                continue
            exp = expected.numpy()
            scale = max(1.0, float(np.abs(exp).max()))
            if np.all(np.isfinite(arr)) and np.allclose(arr, exp, rtol=1e-6, atol=1e-8 * scale):
                report.ok(f"{label}: right")
                continue
            decay = torch.linalg.matrix_exp(-alpha * t * A / m)
            wrong = {
                "no_inverse": A_cross @ (y - decay @ y),
                "no_M": reference_evaluation_flow(A * m, A_cross * m, y, alpha, t),
                "sign": A_cross @ torch.linalg.pinv(A) @ (y - torch.linalg.matrix_exp(alpha * t * A / m) @ y),
            }
            hints = {
                "no_inverse": (
                    "a factor is missing: integrate ∂_t h_t(x) = (α/M) A(x, X) e^{-αAs/M} y over s from 0 to t",
                    "∫_0^t (α/M) e^{-αλs/M} ds = (1 − e^{−αλt/M})/λ for each eigenvalue λ",
                ),
                "no_M": ("the loss is (1/2M) Σ_m (y_m - g(x_m))²: where does the 1/M go in the rate?", ""),
                "sign": ("the flow contracts the residual: check the sign in the exponent", ""),
            }
            for key, value in wrong.items():
                if np.allclose(arr, value.numpy(), rtol=1e-6, atol=1e-8 * scale):
                    report.fail(f"{label}: not h_t(x)", *hints[key])
                    break
            else:
                eigenvalues = torch.linalg.eigvalsh(A)
                if not np.all(np.isfinite(arr)) or float(eigenvalues.min()) < 1e-8 * float(eigenvalues.max()):
                    report.fail(
                        f"{label}: not h_t(x) (largest error {np.nanmax(np.abs(arr - exp)):.2e})",
                        "A has eigenvalues at or near zero here: never invert A",
                        more="per eigenvalue λ the factor (1 - e^{-αλt/M})/λ has a finite limit as λ → 0 — use it",
                    )
                else:
                    report.fail(
                        f"{label}: not h_t(x) (largest error {np.nanmax(np.abs(arr - exp)):.2e})",
                        "at t = 0 h_t must be 0; check each factor against the derivation in §3.3",
                    )
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ---------------------------------------------------------------------------------------------- questions 3.3–3.5
Q_3_3 = Choice(
    "what the flow fits first",
    {
        "a": "those along the eigenvectors of the largest eigenvalues",
        "b": "those along the eigenvectors of the smallest eigenvalues",
        "c": "all at the same rate",
        "d": "the largest components of $y$, whatever their eigenvalue",
    },
    "a",
    {
        "b": Hint("in the eigenbasis, component k decays like e^{-αλ_k t/M}: which decays fastest?"),
        "c": Hint("in the eigenbasis, component k decays like e^{-αλ_k t/M}: does the rate depend on k?"),
        "d": Hint("the rate at which a component decays does not depend on its size: on what does it depend?"),
    },
)

Q_3_4 = Number(
    "how far a weight moves",
    0.1,
    rel=1e-6,
    slips=(
        (10.0, Hint("the weights of a wide network move less, not more: check the sign of the exponent")),
        (
            0.01,
            Hint(
                "that is the learning rate's N^{2γ-2}; a weight's gradient adds a factor, and one unit of time "
                "has N steps"
            ),
        ),
        (
            0.001,
            Hint(
                "that is N^{-γ}, the size of one weight's gradient: how many steps of which rate make a unit of time?"
            ),
        ),
        (1e-5, Hint("multiply the rate, the gradient and the number of steps in one unit of time")),
    ),
    other=Hint(
        "a weight moves by (its rate) × (its gradient) per step: how many steps make one unit of time?",
        "α N^{2γ-2} × N^{-γ} × N: keep the power of N",
    ),
)

Q_3_5 = Choice(
    "the limit at γ = 1/2",
    {
        "a": "$h_t(x)$, deterministic",
        "b": "$h_t(x) + K_t(x)$: random, the initial Gaussian field carried by the same linear flow",
        "c": "the nonlinear mean-field limit",
        "d": "zero: the output at initialization vanishes, and so does everything after",
    },
    "b",
    {
        "a": Hint("at γ = 1/2, does the initial output g_0 vanish as N grows?"),
        "c": Hint("at γ = 1/2 the weights move by O(N^{γ-1}) per unit of time: does the kernel freeze?"),
        "d": Hint("the flow fits the training points: can the output stay at zero?"),
    },
)


@exercise("3.3", functions=("q_3_3",))
def check_q_3_3(fn, verbose: bool = True):
    """Question 3.3: ``fn() -> "a" | "b" | "c" | "d"``."""
    return ask(Q_3_3, "3.3", fn, verbose)


@exercise("3.4", functions=("q_3_4",))
def check_q_3_4(fn, verbose: bool = True):
    """Question 3.4: ``fn() -> a number`` (N^a for γ = 3/4, N = 10,000)."""
    return ask(Q_3_4, "3.4", fn, verbose)


@exercise("3.5", functions=("q_3_5",))
def check_q_3_5(fn, verbose: bool = True):
    """Question 3.5: ``fn() -> "a" | "b" | "c" | "d"``."""
    return ask(Q_3_5, "3.5", fn, verbose)
