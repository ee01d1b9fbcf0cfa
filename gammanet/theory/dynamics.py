r"""Full-batch gradient descent of many shallow networks at once, and of their linearizations.

The theory's regression setting: g(x) = N^{-γ} Σ_i C^i σ(W^i·x) (+ fixed biases, if the draw has any), loss
L = (1/2M) Σ_m (y_m - g(x_m))², full-batch gradient descent on W and C with learning rate η = α n^{2γ-2}, where
n = N (the theory's rate) or a fixed reference width (``rate_width``: one rate for all widths).  Clock t = k/N.

Members: every γ in ``gammas`` × every seed; all γ's share the seeds' initial weights (common random numbers), and
the widths are nested sub-networks of one draw (see :mod:`gammanet.theory.networks`).

Why the pre-activations are the state: the gradient of W^i is Σ_m D_im x_m with D = ∂L/∂Z, so W_k - W_0 = Λ X stays
in the span of the training inputs, Z ← Z - η D (X Xᵀ) on the training points, and the evaluation points' Z is
Z_0 + Λ X x_tᵀ, formed when recorded.  This is exactly gradient descent on W, at a cost independent of the input
dimension d (MNIST: 784).

Hand-written gradients (Z = pre-activations, H = σ(Z), r = y - g, all per member):
∂L/∂C^i = -(N^{-γ}/M) Σ_m r_m H_im;   ∂L/∂Z_im = -(N^{-γ}/M) C^i σ'(Z_im) r_m.

The linearized network g^lin(θ) = g(θ_0) + ∇g(θ_0)·(θ - θ_0) is linear in θ, so gradient descent moves its outputs
by exactly the empirical tangent kernel at initialization, Θ_0 = N^{1-2γ} A_N^{(0)}:
r_{k+1} = (I - ηΘ_0/M) r_k on the training points and g^lin_k(x) = g_0(x) + (η/M) Θ_0(x, X) Σ_{j<k} r_j elsewhere,
which we evaluate in closed form from the eigendecomposition of Θ_0 — the linearized model trained side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence, Union

import numpy as np
import pandas as pd
import torch

from ..model import ACTIVATIONS
from .kernel import activation_derivative, empirical_kernel
from .networks import DTYPE, NetworkDraw, draw_networks
from .problems import RegressionProblem
from .threads import with_threads

#: The default global learning-rate constant α of the regression experiments (η = α N^{2γ-2}).
ALPHA = 20.0
#: The five exponents of the course's measurements (1/2 and 1 the two classical scalings, three in between).
GAMMAS = (0.5, 0.6, 0.75, 0.9, 1.0)


@dataclass
class ShallowRun:
    """What :func:`train_shallow` records for one width N, G exponents and S seeds, at T times.

    ``times`` (T,) the requested clock values and ``steps`` (T,) = round(t N) the steps actually recorded (so the
    record is within 1/(2N) of t); ``outputs[split]`` (G, S, T, M or P); ``loss`` (G, S, T) the
    training loss (1/2M) Σ (y - g)²; ``linearized[split]`` and ``linearized_loss`` the same for the linearized
    networks (when requested); ``learning_rates`` (G,).
    """

    width: int
    gammas: tuple[float, ...]
    seeds: tuple[int, ...]
    times: np.ndarray
    steps: np.ndarray
    learning_rates: np.ndarray
    outputs: dict
    loss: torch.Tensor
    linearized: dict = field(default_factory=dict)
    linearized_loss: Optional[torch.Tensor] = None
    antithetic: bool = False

    @property
    def n_seeds(self) -> int:
        """Independent seeds S (with antithetic pairs the networks are S originals then their S mirrors)."""
        return len(self.seeds) // 2 if self.antithetic else len(self.seeds)

    def mirror_flags(self) -> np.ndarray:
        flags = np.zeros(len(self.seeds), dtype=bool)
        if self.antithetic:
            flags[self.n_seeds :] = True
        return flags

    def loss_frame(self) -> pd.DataFrame:
        """One row per (γ, network, t): gamma, N, seed, mirror, t, step, loss[, linearized_loss], learning_rate."""
        G, S, T = self.loss.shape
        idx = pd.MultiIndex.from_product([self.gammas, range(S), range(T)], names=["gamma", "network", "time_index"])
        df = idx.to_frame(index=False)
        net = df.pop("network").to_numpy()
        df.insert(1, "seed", np.asarray(self.seeds)[net])
        df.insert(2, "mirror", self.mirror_flags()[net])
        df.insert(1, "N", self.width)
        ti = df.pop("time_index").to_numpy()
        df["t"], df["step"] = self.times[ti], self.steps[ti]
        df["loss"] = self.loss.reshape(-1).numpy()
        if self.linearized_loss is not None:
            df["linearized_loss"] = self.linearized_loss.reshape(-1).numpy()
        df["learning_rate"] = np.repeat(self.learning_rates, S * T)
        return df


def learning_rate(alpha: float, gamma: float, width: int) -> float:
    """η = α n^{2γ-2} (the shallow rate of :func:`gammanet.learning_rates`, times α)."""
    return float(alpha) * float(width) ** (2 * gamma - 2)


@with_threads
def train_shallow(
    problem: RegressionProblem,
    nets: NetworkDraw,
    gammas: Sequence[float] = GAMMAS,
    times: Iterable[float] = (0.0, 0.5, 1.0, 2.0),
    alpha: float = ALPHA,
    rate_width: Optional[int] = None,
    linearized: bool = False,
    activation: str = "sigmoid",
    dtype: torch.dtype = DTYPE,
    device: Union[str, torch.device, None] = None,
) -> ShallowRun:
    """Full-batch gradient descent of the shallow networks ``nets`` (S networks of width N) for every γ at once.

    ``times``: the clock values t at which outputs and losses are recorded (steps round(t N)); the run lasts
    max(times).  ``rate_width``: None for the theory's rate α N^{2γ-2}; a width n to use α n^{2γ-2} at every
    width (one fixed rate).  ``linearized``: also record the linearized networks (closed form, module docstring).
    Hidden and readout biases of the draw, if any, are kept fixed (the theory's model has none).  ``device``: where
    the steps run (None: the CPU); the record comes back on the CPU.
    """
    if nets.depth != 1:
        raise ValueError(f"train_shallow trains shallow networks; got depth {nets.depth}")
    sigma = ACTIVATIONS[activation]
    dsigma = activation_derivative(activation)
    N, G, S = nets.widths[0], len(gammas), nets.n_networks
    M = problem.n_train
    times = np.asarray(sorted(set(float(t) for t in times)))
    steps = np.round(times * N).astype(int)
    device = torch.device("cpu") if device is None else torch.device(device)
    x, xt = problem.x_train.to(device, dtype), problem.x_test.to(device, dtype)
    y = problem.y_train.to(device, dtype)
    w, b = nets.weights[0].to(device, dtype), nets.biases[0].to(device, dtype)
    c0, bc = nets.weights[1][:, 0, :].to(device, dtype), nets.biases[1][:, 0].to(device, dtype)
    gam = torch.as_tensor(gammas, dtype=dtype, device=device)
    scale = float(N) ** (-gam)  # N^{-γ}, (G,)
    lr = torch.as_tensor([learning_rate(alpha, g, rate_width or N) for g in gammas], dtype=dtype, device=device)
    gram, gram_cross = x @ x.T, x @ xt.T  # (M, M), (M, P)

    z0 = w @ x.T + b[..., None]  # (S, N, M): Z_im = W^i·x_m + b^i
    z0t = w @ xt.T + b[..., None]  # (S, N, P)
    z = z0.expand(G, -1, -1, -1).clone()  # (G, S, N, M)
    # W_k - W_0 = Λ X with Λ (G, S, N, M): the evaluation points' pre-activations z0t + Λ X x_tᵀ are formed only
    # when recorded, instead of being stepped every step (saves an (N × M) @ (M × P) product per step).
    lam = torch.zeros_like(z)
    c = c0.expand(G, -1, -1).clone()  # (G, S, N)
    coef = (lr * scale / M)[:, None, None, None]  # η N^{-γ}/M, per member
    scale4 = scale[:, None, None]

    T = len(times)
    out_train = torch.empty(G, S, T, M, dtype=dtype, device=device)
    out_test = torch.empty(G, S, T, problem.n_test, dtype=dtype, device=device)
    loss = torch.empty(G, S, T, dtype=dtype, device=device)

    def readout(h):  # (G, S, N, B) → (G, S, B)
        return scale4 * (c.unsqueeze(-2) @ h).squeeze(-2) + bc[None, :, None]

    record = {int(k): i for i, k in enumerate(steps)}
    for k in range(int(steps[-1]) + 1):
        h = sigma(z)
        g = readout(h)
        r = y - g  # (G, S, M)
        if k in record:
            i = record[k]
            out_train[:, :, i], loss[:, :, i] = g, 0.5 * (r * r).mean(-1)
            out_test[:, :, i] = readout(sigma(z0t + lam @ gram_cross))
        if k == steps[-1]:
            break
        # -η ∂L/∂Z_im = κ C_i σ'(Z_im) r_m and -η ∂L/∂C_i = κ Σ_m H_im r_m, with κ = η N^{-γ}/M.
        # W ← W + κ C_i σ'(Z_im) r_m x_m, so Λ ← Λ + κ C (σ'(Z) ⊙ r) and Z ← Z + κ C [(σ'(Z) ⊙ r) XXᵀ].
        grad_c = (h @ r.unsqueeze(-1)).squeeze(-1)  # Σ_m H_im r_m, (G, S, N)
        d = torch.addcmul(h, h, h, value=-1.0) if activation == "sigmoid" else dsigma(z)
        kc = (coef[..., 0] * c).unsqueeze(-1)  # κ C_i, (G, S, N, 1)
        u = d.mul_(r.unsqueeze(-2))  # σ'(Z_im) r_m, in place of d
        lam.addcmul_(kc, u)
        z.addcmul_(kc, u @ gram)
        c.add_(coef[..., 0] * grad_c)

    out_train, out_test, loss, lr = out_train.cpu(), out_test.cpu(), loss.cpu(), lr.cpu()
    run = ShallowRun(
        N,
        tuple(float(g) for g in gammas),
        nets.seeds,
        times,
        steps,
        lr.numpy(),
        {"train": out_train, "test": out_test},
        loss,
    )
    if linearized:
        lin_train, lin_test = linearized_outputs(
            problem, nets, gammas, steps, lr, out_train[:, :, 0], out_test[:, :, 0], activation
        )
        run.linearized = {"train": lin_train, "test": lin_test}
        run.linearized_loss = 0.5 * ((y - lin_train) ** 2).mean(-1)
    return run


@with_threads
def linearized_outputs(
    problem: RegressionProblem,
    nets: NetworkDraw,
    gammas: Sequence[float],
    steps: np.ndarray,
    lr: torch.Tensor,
    g0_train: torch.Tensor,
    g0_test: torch.Tensor,
    activation: str = "sigmoid",
) -> tuple[torch.Tensor, torch.Tensor]:
    """Outputs of the linearized networks after ``steps`` (T,) gradient steps: (G, S, T, M) and (G, S, T, P).

    Exact for discrete gradient descent (module docstring): with Θ_0 = N^{1-2γ} A_N = Q diag(λ) Qᵀ and a = ηλ/M,
    r_k = Q (1 - a)^k Qᵀ r_0 and Σ_{j<k} r_j = Q [(1 - (1 - a)^k)/a] Qᵀ r_0.
    """
    N, M = nets.widths[0], problem.n_train
    dtype = g0_train.dtype
    y = problem.y_train.to(dtype)
    a_train = empirical_kernel(nets, problem.x_train, activation=activation).to(dtype)  # (S, M, M)
    a_cross = empirical_kernel(nets, problem.x_test, problem.x_train, activation=activation).to(dtype)  # (S, P, M)
    lam, q = torch.linalg.eigh(a_train)  # (S, M), (S, M, M)
    gam = torch.as_tensor(gammas, dtype=dtype)
    factor = lr * float(N) ** (1 - 2 * gam) / M  # η N^{1-2γ}/M, (G,)
    a = factor[:, None, None] * lam.clamp_min(0)[None]  # (G, S, M)
    k = torch.as_tensor(steps, dtype=dtype)[:, None, None, None]  # (T, 1, 1, 1)
    power = torch.pow(1 - a, k)  # (T, G, S, M)
    cumulative = torch.where(a.abs() > 1e-12, (1 - power) / torch.where(a.abs() > 1e-12, a, 1.0), k)
    r0 = y - g0_train  # (G, S, M)
    coords = (q.transpose(1, 2) @ r0.unsqueeze(-1)).squeeze(-1)  # (G, S, M)
    r_k = (q @ (power * coords).unsqueeze(-1)).squeeze(-1)  # (T, G, S, M)
    summed = (q @ (cumulative * coords).unsqueeze(-1)).squeeze(-1)  # Σ_{j<k} r_j
    lin_train = (y - r_k).permute(1, 2, 0, 3)
    lin_test = g0_test[None] + factor[None, :, None, None] * (a_cross @ summed.unsqueeze(-1)).squeeze(-1)
    return lin_train, lin_test.permute(1, 2, 0, 3)


@with_threads
def train_widths(
    problem: RegressionProblem,
    widths: Sequence[int],
    gammas: Sequence[float] = GAMMAS,
    seeds: Union[int, Iterable[int]] = 64,
    seed: int = 0,
    times: Iterable[float] = (0.0, 0.5, 1.0, 2.0),
    alpha: float = ALPHA,
    rate_width: Optional[int] = None,
    linearized: bool = False,
    antithetic: bool = False,
    init: str = "centered",
    activation: str = "sigmoid",
    dtype: torch.dtype = DTYPE,
    hidden_bias: float = 0.0,
    device: Union[str, torch.device, None] = None,
) -> list[ShallowRun]:
    """:func:`train_shallow` at several widths with nested draws: the width-N networks are the first N units of
    the widest ones (drawn once per seed; network s is ``GammaMLP((max N,), γ, d, 1, init, seed=s)``).
    ``antithetic``: also train every network's mirror (C → -C, see :meth:`NetworkDraw.mirrored`): the runs then
    hold the S originals followed by their S mirrors.  ``hidden_bias``: a fixed bias β in every hidden unit,
    σ(W·x + β), not trained (0: the theory's model; β ≠ 0 breaks the symmetry w → -w of the units' law, which the
    expansion's first correction needs, see :mod:`gammanet.theory.expansion`)."""
    widths = sorted(int(n) for n in widths)
    nets = draw_networks([widths[-1]], problem.dim, seeds, 1, init, seed=seed)
    if hidden_bias:
        if nets.init.biases != "none":
            raise ValueError(
                f"hidden_bias={hidden_bias!r} needs an init law without random biases; got biases={nets.init.biases!r}"
            )
        nets = NetworkDraw(
            nets.weights,
            (torch.full_like(nets.biases[0], float(hidden_bias)),) + nets.biases[1:],
            nets.seeds,
            nets.init,
        )
    if antithetic:
        nets = NetworkDraw.concat([nets, nets.mirrored()])
    runs = []
    for n in widths:
        run = train_shallow(
            problem, nets.truncate([n]), gammas, times, alpha, rate_width, linearized, activation, dtype, device
        )
        run.antithetic = antithetic
        runs.append(run)
    return runs
