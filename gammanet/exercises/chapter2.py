"""Checks for chapter 2 (learning rates from the theory), besides exercise 2.2 in :mod:`.learning_rates`.

- Exercise 2.1: the largest global constant α for which full-batch gradient descent on the linearized network
  still contracts the residual, α_c = 2 N M / λ_max(A_N) — whatever γ, because η N^{1-2γ} = α/N;
- Exercise 2.3: the clock on which shallow networks trained with *any* learning rate follow the same curve.  One
  full-batch step with rate η moves the output by η N^{1-2γ} A_N (y - g)/M, so the runs of every width and rate
  follow the kernel dynamics on τ = k η N^{1-2γ} / α, which is t = k/N for the theory's rate η = α N^{2γ-2};
- questions 2.4–2.6.
"""

from __future__ import annotations

import math

import numpy as np

from .feedback import RAISED, NotAttempted, as_floats, call, close, exponent_hint, kind, number, run, start
from .questions import Choice, Hint, Number, ask
from .registry import exercise


# ------------------------------------------------------------------------------------------------ exercise 2.1
def random_kernel(m: int, seed: int, rank: int | None = None) -> np.ndarray:
    """A random symmetric positive semi-definite M×M matrix (float64)."""
    b = np.random.default_rng(seed).standard_normal((m, rank or m))
    return b @ b.T / (rank or m)


def stable_alpha(kernel: np.ndarray, width: int) -> float:
    """α_c = 2 N M / λ_max(A_N): above it the residual's top component grows at every step."""
    return 2.0 * width * kernel.shape[0] / float(np.linalg.eigvalsh(kernel).max())


def alpha_cases() -> list:
    """(label, A_N, N, γ): random kernels of several sizes, one of low rank, and the empirical kernel of a hidden
    network on a hidden problem."""
    from ..theory import draw_networks, empirical_kernel, toy_problem

    cases = [
        ("random 6×6 kernel", random_kernel(6, 31), 200, 0.75),
        ("random 10×10 kernel of rank 4", random_kernel(10, 32, rank=4), 1500, 0.6),
        ("random 3×3 kernel", random_kernel(3, 33), 50, 1.0),
        ("random 8×8 kernel", random_kernel(8, 34), 800, 0.5),
    ]
    problem = toy_problem(n_train=12, n_test=2, seed=9)
    kernel = empirical_kernel(draw_networks((300,), problem.dim, [7]), problem.x_train)[0].numpy()
    cases.append(("the kernel of a network of width 300 on a hidden problem", kernel, 300, 0.9))
    return cases


@exercise("2.1", functions=("largest_stable_alpha",))
def check_stable_alpha(fn, verbose: bool = True):
    """Check ``fn(kernel, width, gamma) -> α_c``, the largest α for which full-batch gradient descent with the rate
    α N^{2γ-2} contracts the residual of the network linearized at ``kernel`` = A_N (an M×M numpy array)."""
    report = start("Exercise 2.1: the largest stable α", verbose)
    try:
        for label, kernel, width, gamma in alpha_cases():
            where = f"{label}, N = {width}, γ = {gamma}"
            got = call(report, fn, kernel.copy(), width, gamma)
            if got is None:
                continue
            got = number(report, where, got, "one number, α_c")
            if got is None:
                continue
            m = kernel.shape[0]
            eigenvalues = np.linalg.eigvalsh(kernel)
            expected = stable_alpha(kernel, width)
            top, bottom = float(eigenvalues.max()), float(eigenvalues.min())
            if close(got, expected, 1e-6):
                report.ok(f"{where}: right")
            elif close(got, expected / 2, 1e-6):
                report.fail(
                    f"{where}: at your α the residual still shrinks",
                    "the factor of the top component per step is 1 − αλ/(NM): how far below 0 may it go?",
                )
            elif bottom > 1e-9 * top and close(got, expected * top / bottom, 1e-6):
                report.fail(
                    f"{where}: that is the smallest eigenvalue's bound",
                    "which eigen-direction is the first to overshoot as α grows?",
                )
            elif close(got, expected / m, 1e-6):
                report.fail(
                    f"{where}: off by the number of points M",
                    "the loss is (1/2M) Σ_m (y_m − g(x_m))²: where does 1/M enter the step?",
                )
            elif close(got, 2 * m * width / float(np.trace(kernel)), 1e-6) or close(
                got, 2 * m * width / float(np.abs(kernel).max()), 1e-6
            ):
                report.fail(
                    f"{where}: not the eigenvalue that matters",
                    "the step multiplies the residual by a matrix: its eigenvalues decide",
                    more="use the largest eigenvalue of A_N (np.linalg.eigvalsh)",
                )
            else:
                report.fail(
                    f"{where}: not right",
                    exponent_hint(got, expected, width)
                    or "write one step of the residual r_k = y − g_k(X) with the frozen kernel",
                    more="η |∇g|² = α N^{2γ−2} N^{1−2γ} A_N = (α/N) A_N: γ cancels; r_{k+1} = (I − αA_N/(NM)) r_k",
                )
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ------------------------------------------------------------------------------------------------ exercise 2.3
# (step k, learning rate η, width N, γ, α): theory rates (where τ = k/N) and fixed rates of other widths.
CASES = [
    (400, 20.0 * 200 ** (2 * 0.75 - 2), 200, 0.75, 20.0),  # the theory's rate: τ = k / N
    (1000, 20.0 * 50 ** (2 * 0.75 - 2), 800, 0.75, 20.0),  # the rate of width 50 used at width 800
    (37, 0.3, 1500, 0.6, 1.0),
    (250, 5.0 * 90 ** (2 * 0.9 - 2), 3000, 0.9, 5.0),
    (12, 2.0, 64, 1.0, 2.0),
]

#: The array case: what the chapter's next cell passes — columns of a table of runs (steps, rates, widths, γ's as
#: arrays; α one number).
ARRAY_CASE = (
    np.array([0, 10, 250, 40, 7]),
    np.array([0.05, 0.05, 0.2, 1.0, 0.3]),
    np.array([400, 400, 50, 800, 1600]),
    np.array([0.75, 0.75, 0.6, 0.9, 1.0]),
    2.0,
)


def effective_time(step, learning_rate, width, gamma, alpha):
    """τ = k η N^{1-2γ} / α (elementwise for arrays)."""
    return (
        np.asarray(step, dtype=float)
        * np.asarray(learning_rate, dtype=float)
        * np.power(np.asarray(width, dtype=float), 1.0 - 2.0 * np.asarray(gamma, dtype=float))
        / alpha
    )


@exercise("2.3", functions=("effective_time",))
def check_effective_time(fn, verbose: bool = True):
    """Check ``fn(step, learning_rate, width, gamma, alpha) -> τ``, the clock on which shallow networks trained
    with any rate follow the same curve (τ = t = k/N for the theory's rate α N^{2γ-2}); it must also work
    elementwise when steps, rates, widths and γ's are numpy arrays (or pandas columns), as in the chapter."""
    report = start("Exercise 2.3: a clock for any learning rate", verbose)
    try:
        for k, eta, n, gamma, alpha in CASES:
            where = f"k = {k}, η = {eta:.4g}, N = {n}, γ = {gamma}, α = {alpha:g}"
            got = call(report, fn, k, eta, n, gamma, alpha)
            if got is None:
                continue
            got = number(report, where, got, "one number, the clock τ")
            if got is None:
                continue
            expected = float(effective_time(k, eta, n, gamma, alpha))
            if math.isclose(got, expected, rel_tol=1e-9):
                report.ok(f"{where}: right")
            elif math.isclose(got, k / n, rel_tol=1e-9):
                report.fail(
                    f"{where}: that is k/N, which ignores the rate",
                    "with a rate other than the theory's, how far does one step move the output?",
                )
            elif math.isclose(got, expected * alpha, rel_tol=1e-9):
                report.fail(
                    f"{where}: off by the factor α", "normalize so that the theory's rate α N^{2γ-2} gives back τ = k/N"
                )
            else:
                report.fail(
                    f"{where}: not right",
                    exponent_hint(got, expected, n)
                    or "one step moves the output by η |∇g|²: how does |∇g|² scale with N?",
                    more="η |∇g|² ≈ η N^{1-2γ} × O(1): count the steps in units of that",
                )
        # The array case asks for elementwise arithmetic only: the result must equal the student's own scalar
        # answers, element by element (whether those are right is what the cases above check).
        steps, rates, widths, gammas, alpha = ARRAY_CASE
        where = "arrays of steps, rates, widths and γ's (as in the next cell)"
        got = run(report, fn, steps, rates, widths, gammas, alpha)
        if got is not RAISED:
            clocks = as_floats(got)
            try:
                own = np.array(
                    [
                        float(fn(int(s), float(e), int(n), float(g), alpha))
                        for s, e, n, g in zip(steps, rates, widths, gammas)
                    ]
                )
            except NotImplementedError as err:
                raise NotAttempted from err
            except Exception:  # noqa: BLE001 — the scalar calls failed above already: compare with the right clock
                own = effective_time(steps, rates, widths, gammas, alpha)
            if clocks is None or clocks.shape != steps.shape:
                report.fail(
                    f"{where}: returned {kind(got)}, not one clock per run",
                    "use numpy operators (*, /, **, np.power) so that the function works elementwise",
                )
            elif np.allclose(clocks, own, rtol=1e-9, atol=0.0, equal_nan=True):
                report.ok(f"{where}: works elementwise")
            else:
                report.fail(
                    f"{where}: the array result differs from your own function called run by run",
                    "something in your function mixes the elements (a sum, a max, int(...), or a Python "
                    "loop over one of the arguments)",
                )
        # (a raising call, e.g. math.pow on an array, has its line already)
    except NotAttempted:
        report.attempted = False
    return report.summary()


# ---------------------------------------------------------------------------------------------- questions 2.4–2.6
Q_2_4 = Number(
    "steps on the clock",
    500.0,
    rel=1e-9,
    slips=(
        (3000.0, Hint("that uses the first layer's width: which layer's factor multiplies the output sum?")),
        (2000.0, Hint("that uses a middle layer's width: which layer's factor multiplies the output sum?")),
        (5500.0, Hint("the clock counts in units of one width, not of their sum")),
        (50.0, Hint("that is one unit of time: the question asks for more")),
        (0.2, Hint("t = k / N_L: solve for k, the number of steps")),
    ),
    other=Hint("t = k / N_L: which N, and solve for k"),
)

Q_2_5 = Choice(
    "one rate for all widths",
    {
        "a": "coincide, as with the theory's rates",
        "b": "fan out, the wider networks running faster",
        "c": "fan out, the wider networks running slower",
        "d": "the wider networks have no limit: each step moves their output by $O(1)$",
    },
    "b",
    {
        "a": Hint("look at the right panel of the loss curves again"),
        "c": Hint(
            "the fixed rate is the theory's rate at the smallest width; at a larger width, is the theory's rate "
            "α N^{2γ-2} larger or smaller than that?",
            "at γ = 3/4 the theory's rate falls like N^{-1/2}: the fixed rate is (N/N_min)^{1/2} times too large",
        ),
        "d": Hint(
            "a step loses the limit only if it moves the output by O(1): how large is the fixed rate's step?",
            "one step moves the output by about η N^{1-2γ}; with η fixed and γ = 3/4 that is N^{-1/2}, still small",
        ),
    },
)

Q_2_6 = Number(
    "α as a unit of time",
    4.0,
    rel=1e-6,
    slips=(
        (0.25, Hint("a smaller α moves the output less per unit of t: does it need more time or less?")),
        (1.0, Hint("α multiplies the right-hand side of the limit equation")),
        (2.0, Hint("the equation is linear in α: no square root")),
    ),
    other=Hint("running to time t at α is running to time α t at α = 1"),
)


@exercise("2.4", functions=("q_2_4",))
def check_q_2_4(fn, verbose: bool = True):
    """Question 2.4: ``fn() -> a number`` (the steps that make t = 10)."""
    return ask(Q_2_4, "2.4", fn, verbose)


@exercise("2.5", functions=("q_2_5",))
def check_q_2_5(fn, verbose: bool = True):
    """Question 2.5: ``fn() -> "a" | "b" | "c" | "d"``."""
    return ask(Q_2_5, "2.5", fn, verbose)


@exercise("2.6", functions=("q_2_6",))
def check_q_2_6(fn, verbose: bool = True):
    """Question 2.6: ``fn() -> a number`` (the time at α = 5)."""
    return ask(Q_2_6, "2.6", fn, verbose)
