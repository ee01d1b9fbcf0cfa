r"""The expansion of a trained shallow network around its kernel limit: the first correction Q¹ (chapter 4).

Setting (chapter 3): g(x) = N^{-γ} Σ_i C^i σ(W^i·x + β), β a fixed hidden bias (0 in the theory's model), loss
(1/2M) Σ_m (y_m - g(x_m))², rate α N^{2γ-2}, clock t = k/N.  On that clock the weights move at the speed N^{γ-1}:

    dC^i/dt = α N^{γ-1} v_i,        v_i = (1/M) Σ_m r_m σ(W^i·x_m + β),
    dW^i/dt = α N^{γ-1} C^i u_i,    u_i = (1/M) Σ_m r_m σ'(W^i·x_m + β) x_m,        r = y - g at the training points,

so the empirical kernel A_N = (1/N) Σ_i ξ_i, ξ_i(x, x') = σ_i(x)σ_i(x') + (C^i)² σ'_i(x)σ'_i(x') x·x', drifts at the
rate α N^{γ-1} (1/N) Σ_i D_i with one unit's term (σ_i(x) = σ(W^i·x + β), and so on)

    D_i(x, x') = C^i [σ'_i(x)σ_i(x') x·u_i + σ_i(x)σ'_i(x') x'·u_i + 2 v_i σ'_i(x)σ'_i(x') x·x']
               + (C^i)³ [σ''_i(x)σ'_i(x') x·u_i + σ'_i(x)σ''_i(x') x'·u_i] x·x'.

Every term carries an odd power of C^i.  Our derivation (heuristic: we expand formally and do not bound the
remainders): to first order r = y - h_t and the units have their initial law, so the mean drift is
E[C](…) + E[C³] Ψ_t with

    Ψ_t(x, x') = (x·x') (1/M) Σ_m r_t(x_m) [x·x_m J(x, x', x_m) + x'·x_m J(x', x, x_m)],
    J(a, b, c) = E_w[σ''(w·a + β) σ'(w·b + β) σ'(w·c + β)],   w ~ N(0, I_d).

- A symmetric readout (E[C] = E[C³] = 0): the mean drift vanishes and Q¹ = 0.
- A centred, skewed readout (E[C] = 0, E[C³] ≠ 0) without bias: σ' is even and σ'' odd for the sigmoid and tanh,
  so J is odd under w → -w and vanishes: Q¹ = 0 again.
- A centred, skewed readout with β ≠ 0: J ≠ 0, Q¹ ≠ 0.

With the mean kernel E A_N(t) = A + N^{γ-1} Ā¹_t + …, Ā¹_t = α E[C³] ∫_0^t Ψ_s ds, the mean output
E g^N_t = h_t + N^{γ-1} Q¹_t + … where Q¹ solves the linear equation

    ∂_t Q¹_t(x) = -(α/M) Σ_m A(x, x_m) Q¹_t(x_m) + (α/M) Σ_m Ā¹_t(x, x_m) (y_m - h_t(x_m)),    Q¹_0 = 0,

closed at the training points and then integrated at any other x.  :class:`FirstCorrection` solves it (RK4).
:func:`width_free_flow` checks it without finite-width noise: the units' initial law discretized by quadrature
(weighted particles), moved at the speed ε = N^{γ-1}; its output is h_t + ε Q¹_t + O(ε²) exactly in this
bookkeeping (g_0 = 0 and A_N = A, since quadrature has no Monte-Carlo fluctuation).
:func:`gap_vs_first_correction` compares a trained sweep's seed-mean gap with N^{γ-1} Q¹_t.
"""

from __future__ import annotations

import functools
import math
from typing import Optional, Sequence

import numpy as np
import pandas as pd
import torch

from ..model import ACTIVATIONS
from .fitting import fit_slope
from .kernel import KernelLimit, activation_derivative, flow_factors
from .networks import DTYPE, resolve_init
from .problems import RegressionProblem
from .results import Prediction
from .threads import with_threads
from .variance import gauss_hermite


def activation_second_derivative(activation: str):
    """σ'' as a function of the pre-activation (sigmoid: σ'(1 - 2σ); tanh: -2 tanh (1 - tanh²))."""
    if activation == "sigmoid":
        return lambda z: torch.sigmoid(z) * (1 - torch.sigmoid(z)) * (1 - 2 * torch.sigmoid(z))
    if activation == "tanh":
        return lambda z: -2 * torch.tanh(z) * (1 - torch.tanh(z) ** 2)
    raise ValueError(f"activation={activation!r} is not allowed; choose 'sigmoid' or 'tanh'")


def weight_nodes(
    dim: int, n_nodes: int = 24, n_samples: int = 2**16, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Points w (Q, d) and weights p (Q,) with Σ p f(w) ≈ E f(w), w ~ N(0, I_d): the tensor Gauss–Hermite rule with
    ``n_nodes`` per axis for d ≤ 3, else ``n_samples`` seeded Monte-Carlo draws with equal weights."""
    if dim <= 3:
        z, p = gauss_hermite(n_nodes)
        grids = torch.meshgrid(*([z] * dim), indexing="ij")
        w = torch.stack([g.reshape(-1) for g in grids], 1)
        weights = p
        for _ in range(dim - 1):
            weights = (weights[:, None] * p[None, :]).reshape(-1)
        return w, weights
    gen = torch.Generator().manual_seed(int(seed))
    return (
        torch.randn(n_samples, dim, generator=gen, dtype=DTYPE),
        torch.full((n_samples,), 1.0 / n_samples, dtype=DTYPE),
    )


#: The readout laws the quadrature particles can represent, by name (the normal law has two names: its
#: :data:`gammanet.theory.INIT_LAWS` key "centered" and its readout name "normal").
PARTICLE_READOUTS = ("centered", "normal", "skewed")


def readout_nodes(readout: str, n_nodes: int = 8) -> tuple[torch.Tensor, torch.Tensor]:
    """Points c and weights p with Σ p f(c) = E f(C) for polynomials of degree < 2 ``n_nodes``: Gauss–Hermite for the
    normal readout ("centered"), Gauss–Laguerre shifted by -1 for the skewed one (C = E - 1, E ~ Exp(1))."""
    if readout in ("centered", "normal"):
        return gauss_hermite(n_nodes)
    if readout == "skewed":
        e, p = np.polynomial.laguerre.laggauss(n_nodes)
        return torch.as_tensor(e - 1.0, dtype=DTYPE), torch.as_tensor(p, dtype=DTYPE)
    raise ValueError(f"readout={readout!r} is not allowed; choose one of {PARTICLE_READOUTS} (centred laws)")


def third_moment(readout) -> float:
    """E[C³] of a centred readout law given by its name in :data:`gammanet.theory.INIT_LAWS` (or an
    :class:`InitLaw`), or the number itself; a law with E[C] ≠ 0 is refused (:class:`FirstCorrection`)."""
    if isinstance(readout, (int, float)) and not isinstance(readout, bool):
        return float(readout)
    law = resolve_init(readout)
    if law.readout_mean != 0:
        raise ValueError(
            f"readout={readout!r} has E[C] = {law.readout_mean:g}; the expansion around h_t needs a "
            "centred readout (E[C] = 0)"
        )
    return float(law.readout_third_moment)


@with_threads
def drift_operator(
    x: torch.Tensor,
    x_train: torch.Tensor,
    activation: str = "sigmoid",
    hidden_bias: float = 0.0,
    n_nodes: int = 24,
    **node_kwargs,
) -> torch.Tensor:
    """Φ (Ω, Ω, M) with Ψ(x, x') = (1/M) Σ_m r_m Φ[x, x', m] (module docstring): the mean drift of the kernel per
    unit of α N^{γ-1} E[C³] for residuals r at the M training points.  ``x`` (Ω, d) the points where the kernel is
    wanted, ``x_train`` (M, d)."""
    x, x_train = x.to(DTYPE), x_train.to(DTYPE)
    w, p = weight_nodes(x.shape[1], n_nodes, **node_kwargs)
    dsigma, d2sigma = activation_derivative(activation), activation_second_derivative(activation)
    z, z_train = w @ x.T + hidden_bias, w @ x_train.T + hidden_bias  # (Q, Ω), (Q, M)
    d1, d2, d1_train = dsigma(z), d2sigma(z), dsigma(z_train)
    # J[a, b, m] = E[σ''(w·a + β) σ'(w·b + β) σ'(w·x_m + β)]
    J = torch.einsum("q,qa,qb,qm->abm", p, d2, d1, d1_train)
    gram, gram_train = x @ x.T, x @ x_train.T  # (Ω, Ω), (Ω, M)
    return gram[:, :, None] * (gram_train[:, None, :] * J + gram_train[None, :, :] * J.transpose(0, 1))


class FirstCorrection:
    r"""The first correction Q¹_t of the mean output, E g^N_t = h_t + N^{γ-1} Q¹_t + … (module docstring).

    ``readout``: an initial law ("centered", "skewed": :data:`gammanet.theory.INIT_LAWS`) or the readout's third
    moment E[C³] as a number (E[C] must be 0:
    with E[C] ≠ 0 the initial output's mean N^{1-γ} E[C] E[σ] diverges, or vanishes by symmetry with tanh, and this
    expansion is not the right one).  ``hidden_bias``: β.  ``limit``: the problem's :class:`KernelLimit` if already
    computed (it is reused).  Computes, for times ``t`` (T,):

    - :meth:`kernel_drift`: Ā¹_t (T, Ω, M), the mean kernel's first-order change between the Ω = M + P points and the
      training points (training points first);
    - :meth:`mean`: Q¹_t at the training (T, M) or evaluation (T, P) points.
    """

    def __init__(
        self,
        problem: RegressionProblem,
        alpha: float,
        readout="skewed",
        hidden_bias: float = 0.0,
        activation: str = "sigmoid",
        n_nodes: int = 24,
        steps_per_unit: int = 200,
        limit: Optional[KernelLimit] = None,
        **node_kwargs,
    ):
        self.problem, self.alpha, self.third_moment = problem, float(alpha), third_moment(readout)
        self.hidden_bias, self.activation = float(hidden_bias), activation
        if limit is not None and (
            limit.problem is not problem
            or limit.alpha != float(alpha)
            or limit.hidden_bias != float(hidden_bias)
            or limit.activation != activation
        ):
            raise ValueError("limit must be the KernelLimit of the same problem, α, hidden bias and activation")
        self.limit = limit or KernelLimit(problem, alpha, activation, hidden_bias=hidden_bias)
        x = torch.cat([problem.x_train, problem.x_test]).to(DTYPE)
        self.phi = drift_operator(x, problem.x_train, activation, hidden_bias, n_nodes, **node_kwargs)
        self.A_all = torch.cat([self.limit.A, self.limit.A_cross])  # (Ω, M)
        m = problem.n_train
        self._phi_train = self.phi[:, :m, :].reshape(-1, m).contiguous()  # (Ω·M, M)
        self.steps_per_unit = int(steps_per_unit)

    def _residual_and_integral(self, t: float) -> tuple[torch.Tensor, torch.Tensor]:
        """r_t = e^{-αAt/M} y and ∫_0^t r_s ds at the training points (closed forms in the eigenbasis of A)."""
        lam, q = self.limit.eigenvalues.clamp_min(0), self.limit.eigenvectors
        rate = self.limit.rate
        y = q.T @ self.problem.y_train.to(DTYPE)
        decay = torch.exp(-rate * lam * t)
        small = rate * lam * t < 1e-12
        integral = torch.where(small, t + 0 * lam, -torch.expm1(-rate * lam * t) / torch.where(small, 1.0, rate * lam))
        return q @ (decay * y), q @ (integral * y)

    def _drift(self, t: float) -> torch.Tensor:
        _, integral = self._residual_and_integral(t)
        m = self.problem.n_train
        return (self.alpha * self.third_moment / m) * (self._phi_train @ integral).reshape(-1, m)  # (Ω, M)

    def kernel_drift(self, t) -> torch.Tensor:
        """Ā¹_t = α E[C³] ∫_0^t Ψ_s ds between all points and the training points, (T, Ω, M)."""
        return torch.stack([self._drift(float(s)) for s in np.array(t, dtype=float, ndmin=1)])

    def _solve(self, times: np.ndarray) -> torch.Tensor:
        m, rate = self.problem.n_train, self.limit.rate
        t_max = float(times.max())
        lam_max = float(self.limit.eigenvalues.max())
        # RK4 is accurate to ~(rate λ dt)^4: at least steps_per_unit per unit time and 4 steps per decay time.
        n_steps = max(1, math.ceil(max(self.steps_per_unit * t_max, 4 * rate * lam_max * t_max)))
        dt = t_max / n_steps

        def f(s, q):
            r, _ = self._residual_and_integral(s)
            return -rate * self.A_all @ q[:m] + rate * self._drift(s) @ r

        out = torch.zeros(len(times), self.A_all.shape[0], dtype=DTYPE)
        q, s = torch.zeros(self.A_all.shape[0], dtype=DTYPE), 0.0
        marks = np.round(times / dt).astype(int)
        for k in range(n_steps + 1):
            out[torch.as_tensor(marks == k)] = q
            if k == n_steps:
                break
            k1 = f(s, q)
            k2 = f(s + dt / 2, q + dt / 2 * k1)
            k3 = f(s + dt / 2, q + dt / 2 * k2)
            k4 = f(s + dt, q + dt * k3)
            q, s = q + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4), s + dt
        return out

    @with_threads
    def mean(self, t, split: str = "train") -> torch.Tensor:
        """Q¹_t at the training (T, M) or evaluation (T, P) points (times rounded to the RK4 grid, within dt/2)."""
        if split not in ("train", "test"):
            raise ValueError(f"split={split!r} is not allowed; choose 'train' or 'test'")
        times = np.array(t, dtype=float, ndmin=1)
        if (times < 0).any():
            raise ValueError(f"times must be >= 0; got {times.tolist()}")
        if not times.max() > 0:
            return torch.zeros(
                len(times), self.problem.n_train if split == "train" else self.problem.n_test, dtype=DTYPE
            )
        q = self._solve(times)
        m = self.problem.n_train
        return q[:, :m] if split == "train" else q[:, m:]


@with_threads
def width_free_flow(
    problem: RegressionProblem,
    alpha: float,
    eps: Sequence[float],
    times: Sequence[float],
    readout: str = "skewed",
    hidden_bias: float = 0.0,
    activation: str = "sigmoid",
    n_weight_nodes: int = 24,
    n_readout_nodes: int = 4,
    dt: float = 0.02,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""The output of the infinite-width network whose weights move at the speed ε = N^{γ-1} (module docstring).

    The initial law of a unit (C, W) — ``readout`` "centered" (normal) or "skewed", W ~ N(0, I_d) — is replaced by
    weighted quadrature particles (a Gauss–Hermite grid for W, d ≤ 3; Gauss–Hermite or Gauss–Laguerre nodes for C),
    and each particle follows the gradient flow of the module docstring with N^{γ-1} = ε:

        dC_j/dt = α ε v_j,   dW_j/dt = α ε C_j u_j,   g(x) = ε^{-1} Σ_j p_j C_j σ(W_j·x + β)

    (RK4 with step ``dt``).  No Monte-Carlo noise and no initial fluctuation (Σ_j p_j C_j = 0 exactly), so the output
    is h_t + ε Q¹_t + ε² Q²_t + …: (g - h_t)/ε → Q¹_t as ε → 0 with an error O(ε).  Returns the outputs at the training
    (E, T, M) and evaluation (E, T, P) points for every ε in ``eps``.
    """
    sigma, dsigma = ACTIVATIONS[activation], activation_derivative(activation)
    x = torch.cat([problem.x_train, problem.x_test]).to(DTYPE)
    m, y = problem.n_train, problem.y_train.to(DTYPE)
    W0, C0, p = particle_law(problem.dim, readout, n_weight_nodes, n_readout_nodes)  # (J, d), (J,), (J,)
    clock = np.asarray(sorted(float(t) for t in times))
    n_steps = max(1, int(round(clock.max() / dt)))
    marks = np.round(clock / dt).astype(int)
    speed = torch.as_tensor([float(e) for e in eps], dtype=DTYPE)  # (E,)
    if not (speed > 0).all():
        raise ValueError(f"eps={list(eps)!r} is not allowed; every ε must be positive")
    out = torch.empty(len(speed), len(clock), x.shape[0], dtype=DTYPE)

    def velocity(C, W):  # (E, J), (E, J, d)
        z = W @ x.T + hidden_bias  # (E, J, Ω)
        s, d1 = sigma(z), dsigma(z)
        g = ((p * C).unsqueeze(1) @ s).squeeze(1) / speed[:, None]  # (E, Ω)
        r = y - g[:, :m]  # (E, M)
        v = (s[..., :m] @ r.unsqueeze(-1)).squeeze(-1) / m  # (E, J)
        u = (d1[..., :m] * r.unsqueeze(1)) @ x[:m] / m  # (E, J, d)
        a = alpha * speed[:, None]
        return a * v, a[..., None] * C.unsqueeze(-1) * u, g

    C = C0.expand(len(speed), -1).clone()
    W = W0.expand(len(speed), -1, -1).clone()
    for k in range(n_steps + 1):
        k1c, k1w, g = velocity(C, W)
        out[:, torch.as_tensor(marks == k)] = g.unsqueeze(1)
        if k == n_steps:
            break
        k2c, k2w, _ = velocity(C + dt / 2 * k1c, W + dt / 2 * k1w)
        k3c, k3w, _ = velocity(C + dt / 2 * k2c, W + dt / 2 * k2w)
        k4c, k4w, _ = velocity(C + dt * k3c, W + dt * k3w)
        C = C + dt / 6 * (k1c + 2 * k2c + 2 * k3c + k4c)
        W = W + dt / 6 * (k1w + 2 * k2w + 2 * k3w + k4w)
    return out[..., :m], out[..., m:]


def particle_law(
    dim: int, readout: str = "skewed", n_weight_nodes: int = 24, n_readout_nodes: int = 4
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The quadrature particles of :func:`width_free_flow`: W (J, d), C (J,) and weights p (J,), J = grid × nodes."""
    if dim > 3:
        raise ValueError(f"the particle law puts a quadrature grid on the weights: input dimension {dim} > 3")
    w_nodes, w_weights = weight_nodes(dim, n_weight_nodes)
    c_nodes, c_weights = readout_nodes(readout, n_readout_nodes)
    return (
        w_nodes.repeat_interleave(len(c_nodes), 0),
        c_nodes.repeat(len(w_nodes)),
        (w_weights[:, None] * c_weights[None, :]).reshape(-1),
    )


def frozen_kernel_mean(kernel: torch.Tensor, y: torch.Tensor, alpha: float, t) -> torch.Tensor:
    """h_t at all Ω points from a kernel matrix (Ω, Ω) whose first M rows and columns are the training points:
    (I - e^{-αAt/M}) y there and A(x, X) A^{-1}(I - e^{-αAt/M}) y elsewhere (as :class:`KernelLimit`): (T, Ω)."""
    m = y.shape[0]
    lam, q = torch.linalg.eigh(kernel[:m, :m])
    times = torch.tensor(np.array(t, dtype=float, ndmin=1), dtype=DTYPE)
    decay, integral = flow_factors(lam, times, alpha / m)
    coords = q.T @ y.to(DTYPE)
    train = y.to(DTYPE) - (q[None] * (decay * coords)[:, None, :]).sum(-1)
    test = kernel[m:, :m] @ (q @ (integral * coords).T)  # A(x, X) A^{-1}(I - e^{-αAt/M}) y
    return torch.cat([train, test.T], 1)


@with_threads
def width_free_gap(
    problem: RegressionProblem,
    alpha: float,
    eps: Sequence[float],
    times: Sequence[float],
    readout: str = "skewed",
    hidden_bias: float = 0.0,
    n_weight_nodes: int = 24,
    n_readout_nodes: int = 4,
    dt: float = 0.02,
) -> tuple[torch.Tensor, torch.Tensor]:
    """g^ε_t - h_t for the :func:`width_free_flow` (sigmoid units), where h_t is the frozen-kernel limit of the
    particles' own kernel (so the quadrature error of the law cancels): (E, T, M) and (E, T, P).  This is the whole
    deterministic part of the expansion, Σ_j ε^j Q^j_t, at the speed ε."""
    x = torch.cat([problem.x_train, problem.x_test]).to(DTYPE)
    sigma, dsigma = ACTIVATIONS["sigmoid"], activation_derivative("sigmoid")
    m = problem.n_train
    W, C, p = particle_law(problem.dim, readout, n_weight_nodes, n_readout_nodes)
    z = W @ x.T + hidden_bias
    kernel = (p[:, None] * sigma(z)).T @ sigma(z) + (x @ x.T) * (((p * C**2)[:, None] * dsigma(z)).T @ dsigma(z))
    times = sorted(float(t) for t in times)
    h = frozen_kernel_mean(kernel, problem.y_train, alpha, times)  # (T, Ω)
    train, test = width_free_flow(
        problem, alpha, eps, times, readout, hidden_bias, "sigmoid", n_weight_nodes, n_readout_nodes, dt
    )
    return train - h[:, :m], test - h[:, m:]


@with_threads
def width_free_check(
    problem: RegressionProblem,
    alpha: float,
    eps: Sequence[float],
    t: float,
    settings: Sequence[tuple[str, float]] = (("centered", 1.0), ("skewed", 0.0), ("skewed", 1.0)),
    split: str = "test",
    n_weight_nodes: int = 24,
    **kwargs,
) -> pd.DataFrame:
    """The expansion in ε = N^{γ-1} without finite-width noise, for each (readout, hidden bias β) in ``settings``:
    one row per ε with ``gap`` = RMS over the points of g^ε_t - h_t (:func:`width_free_gap`), ``first_order`` = RMS
    of ε Q¹_t, ``remainder`` = RMS of g^ε_t - h_t - ε Q¹_t, and the ratios of ``gap`` and ``remainder`` to those of
    the previous (twice larger) ε.  Our derivation: the remainder is O(ε²) (ratio 1/4 when ε halves); the gap is
    O(ε) (ratio 1/2) only when Q¹ ≠ 0 — a skewed readout and β ≠ 0 — and O(ε²) otherwise."""
    rows, limits = [], {}
    for readout, beta in settings:
        if beta not in limits:
            limits[beta] = KernelLimit(problem, alpha, hidden_bias=beta)
        q1 = FirstCorrection(problem, alpha, readout, beta, n_nodes=n_weight_nodes, limit=limits[beta]).mean(
            [t], split
        )[0]
        train, test = width_free_gap(problem, alpha, eps, [t], readout, beta, n_weight_nodes, **kwargs)
        gaps = (train if split == "train" else test)[:, 0]
        for e, g in zip(eps, gaps):
            rms = lambda v: float(v.pow(2).mean().sqrt())  # noqa: E731
            rows.append(
                dict(
                    readout=readout,
                    hidden_bias=float(beta),
                    eps=float(e),
                    t=float(t),
                    split=split,
                    gap=rms(g),
                    first_order=rms(e * q1),
                    remainder=rms(g - e * q1),
                )
            )
    table = pd.DataFrame(rows)
    by = table.groupby(["readout", "hidden_bias"], sort=False)
    table["gap_ratio"] = by.gap.transform(lambda v: v / v.shift(1))
    table["remainder_ratio"] = by.remainder.transform(lambda v: v / v.shift(1))
    return table


def rms_gap(samples: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """RMS over the points (last axis) of the seed-mean (axis 0) minus ``limit``: (S, ..., P) → (...)."""
    return np.sqrt(((samples.mean(0) - limit) ** 2).mean(-1))


@with_threads
def gap_vs_first_correction(
    sweep,
    split: str = "test",
    n_boot: int = 300,
    correction: Optional[FirstCorrection] = None,
    flow: bool = True,
    n_weight_nodes: int = 24,
) -> Prediction:
    """A trained sweep's seed-mean against h_t + N^{γ-1} Q¹_t and against the width-free flow at ε = N^{γ-1}.

    ``table``: one row per (γ, N, t > 0) with ``gap`` = RMS over points of (seed-mean - h_t) (seed-means from
    :meth:`TrainingSweep.mean_samples`), ``noise_floor`` (what seed noise alone gives), ``first_order`` = RMS of
    N^{γ-1} Q¹_t, ``rescaled_error`` = RMS of (N^{1-γ}(seed-mean - h_t) - Q¹_t) / RMS of Q¹_t (NaN when Q¹ = 0),
    and, with ``flow`` (inputs of dimension ≤ 3), ``flow`` = RMS of the width-free gap g^ε_t - h_t at ε = N^{γ-1}
    (:func:`width_free_gap`: every deterministic order at once) and ``flow_distance`` = RMS of (seed-mean - h_t) -
    (g^ε_t - h_t).  ``slopes``: the log–log slope of ``gap`` against N per (γ < 1, t) with a seed-bootstrap CI,
    ``theory`` = -(1-γ) when Q¹ ≠ 0, else -2(1-γ), and ``flow_slope``, the slope of ``flow`` over the same widths
    (what the deterministic part of the expansion predicts at these finite widths).
    """
    beta = sweep.config.get("hidden_bias", 0.0)
    if correction is None:
        correction = FirstCorrection(
            sweep.problem, sweep.config["alpha"], sweep.init, beta, n_nodes=n_weight_nodes, limit=sweep.limit
        )
    times = [float(t) for t in sweep.times if t > 0]
    h = sweep.limit.mean(times, split).numpy()
    q1 = correction.mean(times, split).numpy()
    q1_norm = np.sqrt((q1**2).mean(-1))
    widths = np.asarray(sweep.widths, dtype=float)
    gammas = [g for g in sweep.gammas if g < 1]
    flows = None
    if flow and sweep.problem.dim <= 3:
        eps = [n ** (g - 1) for g in gammas for n in sweep.widths]
        train, test = width_free_gap(
            sweep.problem, sweep.config["alpha"], eps, times, sweep.init.readout, beta, n_weight_nodes
        )
        flows = (train if split == "train" else test).reshape(len(gammas), len(widths), len(times), -1).numpy()
    rows, slopes = [], []
    for k, gamma in enumerate(gammas):
        for i, t in enumerate(times):
            samples = sweep.mean_samples(gamma, t, split).numpy()  # (S, W, P)
            mean, S = samples.mean(0), samples.shape[0]
            for j, n in enumerate(sweep.widths):
                gap = mean[j] - h[i]
                rescaled = n ** (1 - gamma) * gap - q1[i]
                row = dict(
                    gamma=gamma,
                    N=n,
                    t=t,
                    split=split,
                    gap=float(np.sqrt((gap**2).mean())),
                    noise_floor=float(np.sqrt(samples[:, j].var(0, ddof=1).mean() / S)),
                    first_order=float(n ** (gamma - 1) * q1_norm[i]),
                    rescaled_error=float(np.sqrt((rescaled**2).mean()) / q1_norm[i])
                    if q1_norm[i] > 1e-12
                    else float("nan"),
                )
                if flows is not None:
                    row["flow"] = float(np.sqrt((flows[k, j, i] ** 2).mean()))
                    row["flow_distance"] = float(np.sqrt(((gap - flows[k, j, i]) ** 2).mean()))
                rows.append(row)
            fit = fit_slope(list(sweep.widths), samples, functools.partial(rms_gap, limit=h[i]), n_boot=n_boot)
            slope = dict(
                gamma=gamma,
                t=t,
                split=split,
                statistic="gap",
                **fit.as_dict(),
                theory=(gamma - 1) * (1 if q1_norm[i] > 1e-12 else 2),
            )
            if flows is not None:
                slope["flow_slope"] = float(
                    np.polyfit(np.log(widths), np.log(np.sqrt((flows[k, :, i] ** 2).mean(-1))), 1)[0]
                )
            slopes.append(slope)
    config = dict(
        sweep.config, split=split, n_boot=n_boot, third_moment=correction.third_moment, mean_method=sweep.mean_method
    )
    return Prediction(pd.DataFrame(rows), pd.DataFrame(slopes), config)
