r"""The shallow network's tangent kernel, frozen at initialization, and the limit it drives.

Shallow network g(x) = N^{-γ} Σ_i C^i σ(W^i·x), trained on M points by full-batch gradient descent on
L = (1/2M) Σ_m (y_m - g(x_m))² with learning rate η = α N^{2γ-2} for W and C.  One step changes the output by

    Δg(x) = (η/M) Σ_m (y_m - g(x_m)) ∇g(x)·∇g(x_m) + O(η²),   ∇g(x)·∇g(x') = N^{1-2γ} A_N(x, x'),
    A_N(x, x') = (1/N) Σ_i [σ(W^i·x) σ(W^i·x') + (C^i)² σ'(W^i·x) σ'(W^i·x') x·x']   (the empirical kernel),

so Δg = (α/N)(1/M) A_N (y - g): on the clock t = k/N the output follows ∂_t h = (α/M) A (y - h) with the kernel
frozen at its initial mean (A_N → A by the law of large numbers, the weights move o(1) for γ < 1)

    A(x, x') = E[σ(w·x) σ(w·x')] + E[c²] x·x' E[σ'(w·x) σ'(w·x')],     w ~ N(0, I_d), c independent.

On the training points, from h_0 = 0:  h_t = (I - e^{-αAt/M}) y;  elsewhere h_t(x) = A(x, X) A^{-1} (I - e^{-αAt/M}) y.
(With PyTorch's mean-squared error, L = (1/M) Σ (y - g)², the same formulas hold with α replaced by 2α.)

Fluctuations.  g_0 = N^{1/2-γ} K_0^N with K_0^N → K_0, a centred Gaussian field of covariance
Σ(x, x') = E[c²] E[σ(w·x) σ(w·x')].  The linear dynamics carry it along: K_t = e^{-αAt/M} K_0 on the training
points (and K_t(x) = K_0(x) - A(x, X) A^{-1}(I - e^{-αAt/M}) K_0(X) elsewhere), so the leading-order variance of
the trained output is N^{1-2γ} Var K_t(x).  (The paper shows an expansion of this form, with further deterministic
terms N^{-j(1-γ)} Q^j_t; we check it numerically rather than assert its constants.)

The expectations over w are two-dimensional Gaussian integrals — (w·x, w·x') is centred Gaussian with covariance
[[|x|², x·x'], [x·x', |x'|²]] — computed by tensor Gauss–Hermite quadrature (``method="quadrature"``) or by
Monte-Carlo over the initial law (``method="monte_carlo"``).
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import pandas as pd
import torch

from ..model import ACTIVATIONS
from ..validation import check_choice
from .networks import DTYPE, NetworkDraw, draw_networks
from .problems import RegressionProblem
from .variance import gauss_hermite
from .threads import with_threads


def activation_derivative(activation: str):
    """σ' as a function of the pre-activation."""
    if activation == "sigmoid":
        return lambda z: torch.sigmoid(z) * (1 - torch.sigmoid(z))
    if activation == "tanh":
        return lambda z: 1 - torch.tanh(z) ** 2
    raise ValueError(f"activation={activation!r} is not allowed; choose 'sigmoid' or 'tanh'")


@with_threads
def kernel_parts(
    x1: torch.Tensor,
    x2: Optional[torch.Tensor] = None,
    activation: str = "sigmoid",
    method: str = "quadrature",
    n_nodes: int = 128,
    n_samples: int = 2**18,
    seed: int = 0,
    hidden_bias: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """E[σ(w·x+β)σ(w·x'+β)] and E[σ'(w·x+β)σ'(w·x'+β)] for w ~ N(0, I_d) and a fixed hidden bias β
    (``hidden_bias``, 0 in the theory's model): ``x1`` (P1, d), ``x2`` (P2, d) → two (P1, P2)."""
    x1 = x1.to(DTYPE)
    x2 = x1 if x2 is None else x2.to(DTYPE)
    sigma, dsigma = ACTIVATIONS[activation], activation_derivative(activation)
    if method == "monte_carlo":
        gen = torch.Generator().manual_seed(int(seed))
        w = torch.randn(n_samples, x1.shape[1], generator=gen, dtype=DTYPE)
        z1, z2 = w @ x1.T + hidden_bias, w @ x2.T + hidden_bias
        return sigma(z1).T @ sigma(z2) / n_samples, dsigma(z1).T @ dsigma(z2) / n_samples
    check_choice("method", method, ("quadrature", "monte_carlo"))
    z, wz = gauss_hermite(n_nodes)
    n1, n2 = x1.norm(dim=1), x2.norm(dim=1)
    rho = (x1 @ x2.T) / (n1[:, None] * n2[None, :]).clamp_min(1e-300)
    rho = rho.clamp(-1.0, 1.0)
    weight = wz[:, None] * wz[None, :]  # (Q, Q)
    out_s = torch.empty(x1.shape[0], x2.shape[0], dtype=DTYPE)
    out_d = torch.empty_like(out_s)
    rows = max(1, 2**22 // (x2.shape[0] * n_nodes**2))
    for i in range(0, x1.shape[0], rows):
        sl = slice(i, i + rows)
        # u = |x| z1,  v = |x'| (ρ z1 + √(1-ρ²) z2): the pair (w·x, w·x') with the right covariance.
        u = n1[sl, None, None, None] * z[:, None] + hidden_bias  # (r, 1, Q, 1)
        r = rho[sl, :, None, None]
        v = n2[None, :, None, None] * (r * z[:, None] + (1 - r * r).clamp_min(0).sqrt() * z[None, :]) + hidden_bias
        out_s[sl] = (sigma(u) * sigma(v) * weight).sum((-2, -1))
        out_d[sl] = (dsigma(u) * dsigma(v) * weight).sum((-2, -1))
    return out_s, out_d


def tangent_kernel(
    x1: torch.Tensor,
    x2: Optional[torch.Tensor] = None,
    readout_second_moment: float = 1.0,
    activation: str = "sigmoid",
    method: str = "quadrature",
    **kwargs,
) -> torch.Tensor:
    """A(x, x') = E[σ(w·x)σ(w·x')] + E[c²] x·x' E[σ'(w·x)σ'(w·x')] (module docstring): (P1, d), (P2, d) → (P1, P2).
    ``kwargs`` go to :func:`kernel_parts` (e.g. ``hidden_bias``)."""
    x2_ = x1 if x2 is None else x2
    s, d = kernel_parts(x1, x2, activation, method, **kwargs)
    return s + readout_second_moment * (x1.to(DTYPE) @ x2_.to(DTYPE).T) * d


def output_covariance(
    x1: torch.Tensor,
    x2: Optional[torch.Tensor] = None,
    readout_second_moment: float = 1.0,
    activation: str = "sigmoid",
    method: str = "quadrature",
    **kwargs,
) -> torch.Tensor:
    """Σ(x, x') = E[c²] E[σ(w·x)σ(w·x')], the covariance of K_0 = lim N^{γ-1/2} g_0 (centred readout): (P1, P2)."""
    return readout_second_moment * kernel_parts(x1, x2, activation, method, **kwargs)[0]


@with_threads
def empirical_kernel(
    nets: NetworkDraw, x1: torch.Tensor, x2: Optional[torch.Tensor] = None, activation: str = "sigmoid"
) -> torch.Tensor:
    """A_N(x, x') of S shallow networks (module docstring; gradients of W and C only): → (S, P1, P2).

    Equal to N^{2γ-1} ∇g(x)·∇g(x') for every γ (the γ-dependence is all in that factor).
    """
    if nets.depth != 1:
        raise ValueError(f"empirical_kernel is for shallow networks; got depth {nets.depth}")
    x2 = x1 if x2 is None else x2
    sigma, dsigma = ACTIVATIONS[activation], activation_derivative(activation)
    w, b, c = nets.weights[0], nets.biases[0], nets.weights[1][:, 0, :]  # (S,N,d), (S,N), (S,N)
    z1 = x1.to(w.dtype) @ w.transpose(1, 2) + b[:, None, :]  # (S, P1, N)
    z2 = x2.to(w.dtype) @ w.transpose(1, 2) + b[:, None, :]
    n = w.shape[1]
    first = sigma(z1) @ sigma(z2).transpose(1, 2)
    second = (dsigma(z1) * c[:, None, :] ** 2) @ dsigma(z2).transpose(1, 2)
    return (first + second * (x1.to(w.dtype) @ x2.to(w.dtype).T)) / n


# ------------------------------------------------------------------------------------------- the limit on data
def flow_factors(eigenvalues: torch.Tensor, times: torch.Tensor, rate: float) -> tuple[torch.Tensor, torch.Tensor]:
    """e^{-rate λ t} and (1 - e^{-rate λ t})/λ (→ rate·t as λ → 0), shapes (T, M), for eigenvalues λ ≥ 0 (M,)."""
    lam = eigenvalues.clamp_min(0)[None, :]
    t = times[:, None]
    decay = torch.exp(-rate * lam * t)
    small = lam * rate * t < 1e-12
    integral = torch.where(small, rate * t + 0 * lam, -torch.expm1(-rate * lam * t) / torch.where(small, 1.0, lam))
    return decay, integral


class KernelLimit:
    r"""The frozen-kernel (γ < 1) limit of full-batch gradient descent on a :class:`RegressionProblem`.

    Conventions (module docstring): loss (1/2M) Σ (y - g)², learning rate α N^{2γ-2}, clock t = k/N.
    Computes, for times ``t`` (T,):

    - :meth:`mean`: h_t on the training points (T, M) or evaluation points (T, P),
      h_t(X) = (I - e^{-αAt/M}) y,  h_t(x) = A(x, X) A^{-1} (I - e^{-αAt/M}) y;
    - :meth:`loss`: (1/2M) |y - h_t(X)|² (T,);
    - :meth:`fluctuation_variance`: Var K_t(x) (T, M or P) with K_t the Gaussian fluctuation carried by the flow;
    - :meth:`predicted_variance`: N^{1-2γ} Var K_t(x), the leading-order variance of the width-N output.

    - :meth:`transport`: the flow's linear response to an initial output g_0, i.e. N^{1/2-γ} K_t computed from
      one network's own g_0 (a control variate with mean zero for a centred readout).

    ``kernel_method``: "quadrature" (default) or "monte_carlo" for A and Σ; ``readout_second_moment`` = E[C²];
    ``hidden_bias``: a fixed bias β inside every unit, σ(w·x + β) (0 in the theory's model).
    """

    def __init__(
        self,
        problem: RegressionProblem,
        alpha: float,
        activation: str = "sigmoid",
        readout_second_moment: float = 1.0,
        kernel_method: str = "quadrature",
        hidden_bias: float = 0.0,
        **kernel_kwargs,
    ):
        self.problem, self.alpha = problem, float(alpha)
        self.activation, self.hidden_bias = activation, float(hidden_bias)
        x = torch.cat([problem.x_train, problem.x_test]).to(DTYPE)
        m = problem.n_train
        s, d = kernel_parts(x, x, activation, kernel_method, hidden_bias=self.hidden_bias, **kernel_kwargs)
        full = s + readout_second_moment * (x @ x.T) * d
        self.A = full[:m, :m]  # (M, M)
        self.A_cross = full[m:, :m]  # (P, M)
        self.Sigma = readout_second_moment * s  # (M+P, M+P), train points first
        self.eigenvalues, self.eigenvectors = torch.linalg.eigh(self.A)
        self.rate = self.alpha / m

    def _times(self, t) -> torch.Tensor:
        return torch.tensor(np.array(t, dtype=float, ndmin=1), dtype=DTYPE)

    def operators(self, t) -> tuple[torch.Tensor, torch.Tensor]:
        """e^{-αAt/M} (T, M, M) and A(x, X) A^{-1} (I - e^{-αAt/M}) (T, P, M)."""
        decay, integral = flow_factors(self.eigenvalues, self._times(t), self.rate)
        q = self.eigenvectors
        expo = (q[None] * decay[:, None, :]) @ q.T
        # A^{-1}(I - e^{-αAt/M}) = Q diag((1 - e^{-rate λ t})/λ) Qᵀ, stable for tiny λ (flow_factors)
        inv = (q[None] * integral[:, None, :]) @ q.T
        return expo, self.A_cross @ inv

    def mean(self, t, split: str = "train") -> torch.Tensor:
        """h_t at the training (T, M) or evaluation (T, P) points, starting from h_0 = 0."""
        expo, cross = self.operators(t)
        y = self.problem.y_train.to(DTYPE)
        if split == "train":
            return y - expo @ y
        return cross @ y

    def loss(self, t) -> torch.Tensor:
        """(1/2M) |y - h_t(X)|², shape (T,)."""
        r = self.problem.y_train.to(DTYPE) - self.mean(t, "train")
        return 0.5 * (r**2).mean(-1)

    def fluctuation_variance(self, t, split: str = "train") -> torch.Tensor:
        """Var K_t(x) at the training (T, M) or evaluation (T, P) points."""
        expo, cross = self.operators(t)
        m = self.problem.n_train
        if split == "train":
            cov = expo @ self.Sigma[:m, :m] @ expo.transpose(1, 2)
        else:
            # K_t(x) = K_0(x) - cross K_0(X): the linear map [−cross, I] applied to the joint K_0 = (K_0(X), K_0(x)).
            op = torch.cat([-cross, torch.eye(self.problem.n_test, dtype=DTYPE).expand(cross.shape[0], -1, -1)], -1)
            cov = op @ self.Sigma @ op.transpose(1, 2)
        return torch.diagonal(cov, dim1=-2, dim2=-1)

    def predicted_variance(self, t, width: int, gamma: float, split: str = "train") -> torch.Tensor:
        """N^{1-2γ} Var K_t(x): the leading-order variance of the trained width-N output, (T, M or P)."""
        return float(width) ** (1 - 2 * gamma) * self.fluctuation_variance(t, split)

    def transport(self, t, g0_train: torch.Tensor, g0_test: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The frozen-kernel flow of an initial output: e^{-αAt/M} g_0(X) at the training points and
        g_0(x) - A(x, X) A^{-1}(I - e^{-αAt/M}) g_0(X) at the evaluation points.

        Applied to a network's own initial output g_0 = N^{1/2-γ} K^N_0 it gives N^{1/2-γ} K_t, the leading
        fluctuation of that network at time t.  ``g0_train`` (..., M), ``g0_test`` (..., P) → (..., T, M) and
        (..., T, P).  Linear in g_0, so its mean is zero whenever E g_0 = 0 (E[C] = 0).
        """
        expo, cross = self.operators(t)
        g0_train, g0_test = g0_train.to(DTYPE), g0_test.to(DTYPE)
        train = torch.einsum("tmn,...n->...tm", expo, g0_train)
        test = g0_test.unsqueeze(-2) - torch.einsum("tpn,...n->...tp", cross, g0_train)
        return train, test


@with_threads
def kernel_error_vs_width(
    x: torch.Tensor, widths: Sequence[int], n_seeds: int = 16, seed: int = 0, activation: str = "sigmoid"
) -> pd.DataFrame:
    """How far the empirical kernel A_N is from A, against N: one row per (N, seed) with ``relative_error`` =
    |A_N - A|_F / |A|_F on the inputs ``x`` (P, d).

    A_N is an average of N i.i.d. unit terms whose mean is A (centred N(0, 1) readout, E[C²] = 1, no biases), so
    the error is a Monte-Carlo error: about N^{-1/2} times the spread of one unit's term.  The widths are nested
    sub-networks of one draw per seed (``seed .. seed + n_seeds - 1``), as in the training experiments.
    """
    widths = sorted(int(n) for n in widths)
    a = tangent_kernel(x, activation=activation)
    nets = draw_networks([widths[-1]], x.shape[1], n_seeds, 1, "centered", seed=seed)
    rows = []
    for n in widths:
        err = (empirical_kernel(nets.truncate([n]), x, activation=activation) - a).flatten(1).norm(dim=1) / a.norm()
        rows += [dict(N=n, seed=int(s), relative_error=float(e)) for s, e in zip(nets.seeds, err)]
    return pd.DataFrame(rows)
