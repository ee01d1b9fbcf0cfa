# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# (ch-limit)=
# # 3. The limit
#
# ## Learning objectives
#
# After this chapter you can
#
# - **explain** why the tangent kernel of a wide network with $\gamma < 1$ freezes at its initial value, which tends to its mean $A$, and
#   **measure** how fast a random network's kernel approaches $A$;
# - **solve** the linear ODE of the kernel limit in closed form, at the training points (Exercise 3.1) and at any
#   other point (Exercise 3.2), stably where $A$ has eigenvalues near zero;
# - **tell apart** the three regimes — the deterministic kernel limit for $1/2 < \gamma < 1$, the random limit at
#   $\gamma = 1/2$, the nonlinear mean-field limit at $\gamma = 1$ — and **recognize** each in trained networks.
#
# ```{admonition} Prerequisites
# :class: tip
#
# - Chapters 1 and 2: the tangent kernel $A(x, x')$ ({ref}`ch-why-normalize`, Exercise 1.2) and the clock
#   $t = k/N$ ({ref}`pred-clock`).
# - Linear ODEs with constant coefficients and the matrix exponential $e^{-Ht}$, computed from an
#   eigendecomposition — {cite:t}`hirsch2013differential`, chapter 6.
# - Gaussian random fields (Gaussian processes) and their covariance — {cite:t}`rasmussen2006gaussian`, chapter 2.
# - The law of large numbers and the central limit theorem for averages of i.i.d. terms (chapter 1).
# ```
#
# **What you will see.** Where a wide shallow network goes when it is trained. On the clock $t = k/N$ of chapter 2
# its output is driven by the *tangent kernel*, which for $\gamma<1$ freezes at its initial value, which tends to its mean $A(x,x')$; the
# output then follows a linear ODE, whose solution $h_t$ we compute exactly. At $\gamma = 1/2$ the limit starts
# from a Gaussian random field, at $\gamma = 1$ it is the nonlinear mean-field limit. Each statement is illustrated
# on small networks trained side by side; chapter 4 measures the convergence in $N$ and expands the network around
# $h_t$.
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gammanet-course/gammanet/blob/main/notebooks/03_limit.ipynb)

# %%
# Colab setup: install gammanet only where it is missing (Colab); keeps the preinstalled torch.
# $GAMMANET_INSTALL_SOURCE, if set, names what pip installs instead (a local checkout, a wheel, a fork).
import importlib, importlib.util, os, subprocess, sys
if importlib.util.find_spec("gammanet") is None:
    source = os.environ.get("GAMMANET_INSTALL_SOURCE") or "gammanet @ git+https://github.com/gammanet-course/gammanet"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", source], check=True)
    importlib.invalidate_caches()  # so that this kernel finds the new package

# %%
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import torch

from gammanet.course import describe, glue, pick
from gammanet.plots import kernel_agreement, regime_paths, use_style
from gammanet.theory import (ALPHA, KernelLimit, draw_networks, empirical_kernel, fit_slope, kernel_error_vs_width,
                             tangent_kernel, toy_problem, train_sweep)
from gammanet.train import resolve_device

use_style()
pd.set_option("display.precision", 4)
print(describe())

# %% [markdown]
# ## 3.1 The setting, and why $t = k/N$
#
# We use a setting close to the one in which the theory is stated (the paper's precise hypotheses, e.g. on the law
# of the weights, are the paper's: see the note after {prf:ref}`thm-kernel-limit`): a shallow network
# $g^N(x) = N^{-\gamma}\sum_{i=1}^N C^i\sigma(W^i\cdot x)$ with sigmoid $\sigma$, $C^i \sim N(0,1)$ and
# $W^i \sim N(0, I_d)$, all independent (a centred readout, no biases), trained by gradient descent on $M$ pairs $(x_m, y_m)$ with the loss
# $L = \frac{1}{2M}\sum_m (y_m - g^N(x_m))^2$ and the learning rate $\eta = \alpha N^{2\gamma-2}$ of chapter 2
# (here $\alpha = 20$). The problem is small on purpose — $M = 24$ points $x\sim N(0, I_2)$ with $y=\sin(x_1+x_2)$,
# and 16 more points where we evaluate — so that thousands of networks train in seconds.
#
# ```{prf:definition} The trained output on the clock
# :label: def-trained-output
#
# Write $g^N_k$ for the network after $k$ gradient steps, as a function of $x$. The **trained output at time $t$**
# is $h^N_t(x) = g^N_{\lfloor Nt\rfloor}(x)$: the network after $\lfloor Nt \rfloor$ steps, so that $N$ steps make
# one unit of time. At an **evaluation point** $x$ (one of the 16 points never used in training) the target is
# $y(x) = \sin(x_1 + x_2)$, the same noise-free function as at the training points: it is used only to measure the
# error $h^N_t(x) - y(x)$, never to train.
# ```
#
# **One step, to first order.** A gradient step changes every output by
# $-\eta\,\nabla g(x)\cdot\nabla L$, and $\nabla L = -\frac1M\sum_m (y_m - g(x_m))\nabla g(x_m)$, so
#
# $$
# g_{k+1}(x) - g_k(x) \;=\; \frac{\eta}{M}\sum_{m=1}^M \big(y_m - g_k(x_m)\big)\,\nabla g(x)\cdot\nabla g(x_m)
# + O(\eta^2),
# $$
#
# $$
# \nabla g(x)\cdot\nabla g(x') = N^{1-2\gamma} A_N(x,x'),
# $$
#
# where $A_N(x,x') = \frac1N\sum_i\big[\sigma(W^i\cdot x)\sigma(W^i\cdot x') + (C^i)^2\sigma'(W^i\cdot x)\sigma'(W^i\cdot
# x')\,x\cdot x'\big]$ is the *empirical tangent kernel*. The product $\eta N^{1-2\gamma} = \alpha/N$ does not depend
# on $\gamma$: each step moves the output by $O(1/N)$, so $N$ steps make one unit of time, $t = k/N$ — the clock of
# every figure below. Meanwhile each weight's gradient is $O(N^{-\gamma})$, so in one unit of time ($N$ steps of
# size $\eta$) a weight moves $O(N\cdot\eta\cdot N^{-\gamma}) = O(N^{\gamma-1})$: not at all in the limit when
# $\gamma < 1$, by $O(1)$ when $\gamma = 1$. That single exponent separates the two limits below.
#
# ```{prf:remark} Stochastic and full-batch gradient descent (our derivation)
# :label: rem-sgd-vs-gd
#
# The papers train by **stochastic** gradient descent {cite:p}`yu2021shallow`: each step uses one sample $(x_k, y_k)$
# drawn from the data distribution $\pi$. Here we use **full-batch** gradient descent on the $M$ points, which is
# its noiseless version: with $\pi$ the empirical measure of the $M$ points, the full-batch step is the *expected*
# stochastic step. Why the difference is of lower order: a stochastic step moves the output by the full-batch step
# plus a centred noise of size $\eta\,|\nabla g|^2 = O(1/N)$. One unit of time is $N$ steps, and the sum of $N$
# independent centred terms of size $1/N$ is of size $N^{-1/2}$ (the linear dynamics contracts it, it does not
# amplify it). So stochastic gradient descent adds to the output a fluctuation of order $N^{-1/2}$, smaller than the
# fluctuation $N^{1/2-\gamma}$ that the initialization already carries whenever $\gamma < 1$ (chapter 4), and of the
# same order as the other $N^{-1/2}$ terms that chapter 4 finds. The limit $h_t$ below is the same for both.
# ```

# %%
problem = toy_problem()
x_all = torch.cat([problem.x_train, problem.x_test])
print(f"{problem.n_train} training points, {problem.n_test} evaluation points in R^{problem.dim}; α = {ALPHA:g}")

# %% [markdown]
# ## 3.2 The frozen tangent kernel
#
# Because the weights barely move for $\gamma<1$, $A_N$ stays at its initial value, and that value is an average of
# $N$ i.i.d. terms, one per unit. By the law of large numbers it converges to
#
# $$
# A(x,x') = \mathbb E\big[\sigma(w\cdot x)\sigma(w\cdot x')\big] + \mathbb E[c^2]\;x\cdot x'\;
# \mathbb E\big[\sigma'(w\cdot x)\sigma'(w\cdot x')\big]
# $$
#
# with $w\sim N(0,I_d)$ and $c$ independent of it, $c$ with the law of the $C^i$ (here $\mathbb E[c^2] = 1$), and by the central limit theorem the error is $O(N^{-1/2})$.
# So $A_N$ *is* a Monte-Carlo estimate of $A$ with $N$ samples $(w_i, c_i)$. The library computes $A$ two ways: by
# Gauss–Hermite quadrature over the Gaussian pair $(w\cdot x, w\cdot x')$ (exact to about $10^{-6}$), and by
# Monte-Carlo over $2^{18}$ draws of $w$.

# %%
KERNEL_WIDTHS = pick((50, 200, 800, 3200), (50, 200, 800, 3200, 12800))
KERNEL_SEEDS = pick(16, 64)

A = tangent_kernel(x_all)                                    # quadrature
A_mc = tangent_kernel(x_all, method="monte_carlo")           # 2^18 draws of w
mc_error = float((A_mc - A).norm() / A.norm())
one_draw = draw_networks([max(KERNEL_WIDTHS)], problem.dim, [0])
shown = {f"A_N, N={n}": empirical_kernel(one_draw.truncate([n]), x_all)[0]
         for n in (min(KERNEL_WIDTHS), max(KERNEL_WIDTHS))}
shown["Monte-Carlo A"] = A_mc
errors = kernel_error_vs_width(x_all, KERNEL_WIDTHS, n_seeds=KERNEL_SEEDS)
kernel_fit = fit_slope(KERNEL_WIDTHS, errors.pivot(index="seed", columns="N", values="relative_error").to_numpy(),
                       "mean")
glue("kernel_slope", kernel_fit.slope)
glue("kernel_slope_low", kernel_fit.ci_low)
glue("kernel_slope_high", kernel_fit.ci_high)
print(f"relative error of the Monte-Carlo kernel: {mc_error:.1e}")
print(errors.groupby("N").relative_error.mean().rename("mean relative error of A_N").to_frame().T)
print(f"slope of the error against N: {kernel_fit.slope:+.2f} "
      f"[{kernel_fit.ci_low:+.2f}, {kernel_fit.ci_high:+.2f}] (CLT: -1/2)")

# %% [markdown]
# In (a), compare how far the narrow and the wide network's kernel entries scatter around the diagonal, and the
# Monte-Carlo kernel's; in (b), compare the error with the $N^{-1/2}$ guide that the central limit theorem predicts:
# the fitted slope is {glue:text}`kernel_slope:+.2f`, 95% interval [{glue:text}`kernel_slope_low:+.2f`,
# {glue:text}`kernel_slope_high:+.2f`].

# %%
kernel_agreement(A.numpy(), {k: v.numpy() for k, v in shown.items()}, errors, mc_error)
plt.show()

# %% [markdown]
# ## 3.3 The limit for $\gamma<1$: a linear ODE
#
# With the kernel frozen, the one-step formula of §3.1 is an Euler scheme with step $1/N$ for an ordinary
# differential equation. This is the shallow paper's first result:
#
# ```{prf:theorem} The kernel limit (the paper's claim)
# :label: thm-kernel-limit
#
# Let $\frac12 < \gamma < 1$, the learning rate $\alpha N^{2\gamma-2}$ and $h^N_t$ as in
# {prf:ref}`def-trained-output`. As $N \to \infty$, $h^N_t(x)$ converges to the deterministic $h_t(x)$ that solves
#
# $$
# \partial_t h_t(x) = \alpha\int \big(y - h_t(x')\big)\,A(x,x')\,\pi(dx',dy), \qquad h_0 = 0,
# $$
#
# where $\pi$ is the distribution of the data {cite:p}`yu2021shallow`.
# ```
#
# We state the theorem without its precise hypotheses (on $\sigma$, on the law of the weights and of the data),
# which the paper gives; the argument is the one of §3.1 — the weights move by $O(N^{\gamma-1})$, so the kernel stays
# at its initial value $A_N(0)$ (the empirical kernel at time $0$), which tends to $A$ — and chapter 4 measures how
# fast the convergence is. Why $h_0 = 0$: the initial output
# $g_0 = N^{-\gamma}\sum_i C^i\sigma(W^i\cdot x)$ has mean zero and variance $N^{1-2\gamma}\,\mathbb E[C^2]\,\mathbb
# E[\sigma^2]$ (chapter 1), which vanishes for $\gamma > 1/2$.
#
# On our $M$ points, $\pi$ is the empirical measure and the integral is $\frac1M\sum_m$. At the training points $X$
# the equation is linear with constant coefficients, $\partial_t h_t(X) = \frac{\alpha}{M}A\,(y - h_t(X))$, so
#
# $$
# h_t(X) = \big(I - e^{-\alpha A t/M}\big)\,y .
# $$
#
# At an evaluation point $x$ the right-hand side only involves the training points:
# $\partial_t h_t(x) = \frac{\alpha}{M}A(x,X)\,e^{-\alpha At/M}y$, and integrating from $h_0 = 0$,
#
# $$
# h_t(x) = A(x,X)\,A^{-1}\big(I - e^{-\alpha A t/M}\big)\,y .
# $$
#
# In the eigenbasis of $A$ the residual $y - h_t(X)$ decays coordinate by coordinate, at rate $\alpha\lambda_k/M$:
# large eigenvalues are fitted first, tiny ones effectively never. (The product $A^{-1}(I - e^{-\alpha At/M})$ is
# computed as $\frac{1 - e^{-\alpha\lambda_k t/M}}{\lambda_k}$ per eigenvalue, which stays finite as $\lambda_k \to
# 0$.) `KernelLimit` implements exactly these formulas; Exercises 3.1 and 3.2 ask you to write them.

# %%
limit = KernelLimit(problem, ALPHA)
lam = limit.eigenvalues.flip(0)
print("largest eigenvalues of A:", np.round(lam[:5].numpy(), 3))
print("their time scales M/(αλ):", np.round((problem.n_train / (ALPHA * lam[:5])).numpy(), 3))
print(f"{int((lam < 1e-2).sum())} of {problem.n_train} eigenvalues are below 1e-2 (time scales beyond "
      f"{problem.n_train / (ALPHA * 1e-2):.0f})")
fit_error = (limit.mean([0.5, 2.0], "train") - problem.y_train).pow(2).mean(-1)
test_error = (limit.mean([0.5, 2.0], "test") - problem.y_test).pow(2).mean(-1)
print(f"mean squared error of h_t: training points {fit_error[0]:.4f} (t = 0.5), {fit_error[1]:.4f} (t = 2); "
      f"evaluation points {test_error[0]:.4f}, {test_error[1]:.4f}")

# %% [markdown]
# ## 3.4 Three regimes
#
# ```{prf:remark} Three regimes (the papers' claims and earlier work)
# :label: rem-three-regimes
#
# - **$1/2<\gamma<1$** (kernel regime): $h^N_t \to h_t$, a deterministic limit ({prf:ref}`thm-kernel-limit`); the
#   network behaves like its linearization.
# - **$\gamma = 1/2$** (Xavier/NTK): the same linear dynamics, but $g_0 = N^{-1/2}\sum_i C^i\sigma(W^i\cdot x)$ does
#   not vanish — by the CLT it converges to a centred Gaussian field $K_0$ with covariance
#   $\Sigma(x,x') = \mathbb E[C^2]\,\mathbb E[\sigma(w\cdot x)\sigma(w\cdot x')]$ {cite:p}`jacot2018ntk`. The limit
#   is $h_t + K_t$, where $K_t$ is $K_0$ carried by the same linear flow ($K_t = e^{-\alpha At/M}K_0$ on the
#   training points): random, with variance of order one {cite:p}`yu2021shallow`.
# - **$\gamma = 1$** (mean field): every weight moves by $O(1)$, the kernel does not freeze, and the limit is a
#   nonlinear evolution of the *law* of the parameters $(C, W)$ {cite:p}`mei2018meanfield,sirignano2020meanfield`,
#   with $O(N^{-1/2})$ fluctuations around it {cite:p}`sirignano2020clt`.
# ```
#
# To see them, we train networks of one width for three $\gamma$'s — the same initial weights for every $\gamma$
# (common random numbers) — and follow one evaluation point through training. Grey lines are single seeds, black
# dots their mean, the coloured curve is $h_t$ and the band $h_t \pm 2N^{1/2-\gamma}\,\mathrm{sd}\,K_t$ (drawn for
# $\gamma < 1$). What the regimes predict at one width $N$: at $\gamma = 1/2$ a seed cloud of order one (the random
# limit: it would not thin out as $N$ grows), at $\gamma = 0.75$ one narrower by the factor $N^{-1/4}$, at $\gamma = 1$
# one narrower still — and at $\gamma = 1$ a seed mean that need not follow the kernel curve, since the mean-field
# limit is a different, nonlinear one. **Look whether** the figure shows each of these. (One width shows the sizes,
# not the convergence in $N$: chapter 4 measures that across widths.)

# %%
REGIME_WIDTH = pick(400, 3200)
paths = train_sweep(problem, widths=(REGIME_WIDTH,), gammas=(0.5, 0.75, 1.0), n_seeds=pick(48, 200),
                    times=(0.0, 0.25, 0.5, 1.0, 1.5, 2.0), linearized=False, device=resolve_device())
regime_paths(paths, (0.5, 0.75, 1.0), point=0)
plt.show()

# %%
spread = {g: float(paths.samples(g, 2.0)[:, 0].std(0).mean()) for g in (0.5, 0.75, 1.0)}
offset = {g: float((paths.samples(g, 2.0)[:, 0].mean(0) - limit.mean([2.0], "test")[0]).pow(2).mean().sqrt())
          for g in (0.5, 0.75, 1.0)}
# leading order: sd N^{1/2-γ} sd K_t (the kernel-regime formula; at γ = 1 only a reference, not the mean-field law)
predicted = {g: float(limit.predicted_variance([2.0], REGIME_WIDTH, g, "test")[0].sqrt().mean()) for g in spread}
floor = {g: spread[g] / paths.samples(g, 2.0).shape[0] ** 0.5 for g in spread}  # the seed mean's own noise
for g in (0.5, 0.75, 1.0):
    glue(f"spread_{g:g}", spread[g])
    glue(f"spread_predicted_{g:g}", predicted[g])
    glue(f"offset_{g:g}", offset[g])
    glue(f"offset_floor_{g:g}", floor[g])
glue("regime_width", REGIME_WIDTH)
pd.DataFrame({"sd over seeds at t = 2": spread, "leading order N^(1/2−γ) sd K_t": predicted,
              "RMS of (seed mean − h_t) at t = 2": offset, "seed noise of the mean, sd/√S": floor},
             index=pd.Index(list(spread), name="γ")).T

# %% [markdown]
# At $N =$ {glue:text}`regime_width` and $t = 2$ the spread over seeds, averaged over the evaluation points, is
# {glue:text}`spread_0.5:.3f` at $\gamma = 1/2$, {glue:text}`spread_0.75:.3f` at $\gamma = 3/4$ and
# {glue:text}`spread_1:.3f` at $\gamma = 1$, against the leading order $N^{1/2-\gamma}\,\mathrm{sd}\,K_t$:
# {glue:text}`spread_predicted_0.5:.3f`, {glue:text}`spread_predicted_0.75:.3f` and
# {glue:text}`spread_predicted_1:.3f` (at $\gamma = 1$ the kernel-regime formula is only a reference). The seed mean
# is {glue:text}`offset_0.75:.3f` from $h_t$ at $\gamma = 3/4$ (RMS over the points) and {glue:text}`offset_1:.3f`
# at $\gamma = 1$; compare each with the seed noise of the mean, {glue:text}`offset_floor_0.75:.3f` and
# {glue:text}`offset_floor_1:.3f`: an offset near its noise is no evidence of a bias. At $\gamma = 1/2$ the seed mean
# estimates $h_t$ too (the random limit is centred on it): offset {glue:text}`offset_0.5:.3f`, noise
# {glue:text}`offset_floor_0.5:.3f`.

# %% [markdown]
# ## What you saw
#
# - The empirical tangent kernel $A_N$ of a random network is a Monte-Carlo estimate of $A$, so the central limit
#   theorem predicts an error falling like $N^{-1/2}$; the fitted slope was {glue:text}`kernel_slope:+.2f`
#   [{glue:text}`kernel_slope_low:+.2f`, {glue:text}`kernel_slope_high:+.2f`].
# - For $\frac12 < \gamma < 1$ the weights move by $O(N^{\gamma-1})$ per unit of $t = k/N$, the kernel freezes, and the
#   trained output follows the linear ODE of {prf:ref}`thm-kernel-limit`, solved in closed form at the training
#   and at the evaluation points.
# - At $\gamma = 1/2$ the limit is random (the initial Gaussian field carried by the same flow); at $\gamma = 1$ it
#   is the nonlinear mean-field limit ({prf:ref}`rem-three-regimes`). At $N =$ {glue:text}`regime_width` and
#   $t = 2$ the seeds spread by {glue:text}`spread_0.5:.3f`, {glue:text}`spread_0.75:.3f` and
#   {glue:text}`spread_1:.3f` for $\gamma = 1/2, 3/4, 1$, and the seed mean was {glue:text}`offset_0.75:.3f` from
#   $h_t$ at $\gamma = 3/4$ against {glue:text}`offset_1:.3f` at $\gamma = 1$.
# - Full-batch gradient descent is the noiseless version of the papers' stochastic gradient descent; the noise it
#   leaves out is $O(N^{-1/2})$ ({prf:ref}`rem-sgd-vs-gd`).
#
# Chapter 4 asks how far a network of width $N$ is from $h_t$, and in which powers of $N$.
#
# ## Exercises
#
# Exercises 3.1 and 3.2 ask you to derive and compute; 3.3–3.5 are short questions. Each check runs your answer on
# hidden cases and gives a hint, never the answer.
#
# ```{exercise} The kernel limit from a kernel matrix
# :label: ex-3-1
#
# *(medium, ~30 min)* Write `my_kernel_flow(A, y, alpha, t)` returning $h_t = (I - e^{-\alpha A t/M})\,y$ at the $M$
# training points (`A`: an $M\times M$ symmetric positive semi-definite tensor, `y`: a vector of length $M$, both
# float64), using the eigendecomposition of $A$. The check compares it with an independent computation on hidden
# kernels.
# ```

# %% tags=["solution"]
def my_kernel_flow(A, y, alpha, t):
    """h_t = (I - exp(-α A t / M)) y, by diagonalizing A."""
    # BEGIN SOLUTION
    eigenvalues, vectors = torch.linalg.eigh(A)
    rate = alpha * eigenvalues.clamp_min(0) * t / A.shape[0]
    return vectors @ ((1 - torch.exp(-rate)) * (vectors.T @ y))
    # END SOLUTION


# %% [markdown] tags=["solution"]
# ```{solution} ex-3-1
# :class: dropdown
#
# With $A = Q\,\mathrm{diag}(\lambda)\,Q^\top$, $e^{-\alpha At/M} = Q\,\mathrm{diag}(e^{-\alpha\lambda_k
# t/M})\,Q^\top$: rotate $y$ into the eigenbasis, damp coordinate $k$ by $1-e^{-\alpha\lambda_k t/M}$, rotate back.
# `torch.exp(A)` would exponentiate entry by entry, which is not the matrix exponential.
# ```

# %%
from gammanet.exercises import check_kernel_flow
check_kernel_flow(my_kernel_flow)

# %% [markdown]
# ```{exercise} The limit at an evaluation point
# :label: ex-3-2
#
# *(medium, ~30 min)* Write `my_evaluation_flow(A, A_cross, y, alpha, t)` returning
# $h_t(x) = A(x,X)\,A^{-1}(I - e^{-\alpha At/M})\,y$ at $P$ evaluation points, where `A` is the $M\times M$ kernel
# between training points and `A_cross` the $P\times M$ kernel between the evaluation and the training points. Some
# hidden kernels have eigenvalues very close to zero: compute $A^{-1}(I - e^{-\alpha At/M})$ so that it stays finite
# there.
# ```

# %% tags=["solution"]
def my_evaluation_flow(A, A_cross, y, alpha, t):
    """h_t(x) = A(x, X) A^{-1} (I - exp(-α A t / M)) y at the evaluation points."""
    # BEGIN SOLUTION
    m = A.shape[0]
    eigenvalues, vectors = torch.linalg.eigh(A)
    lam = eigenvalues.clamp_min(0)
    rate = alpha * t / m
    # (1 - e^{-rate λ})/λ, and its limit rate as λ → 0
    factor = torch.where(lam * rate > 1e-12, -torch.expm1(-rate * lam) / torch.where(lam > 0, lam, 1.0),
                         torch.full_like(lam, rate))
    return A_cross @ (vectors @ (factor * (vectors.T @ y)))
    # END SOLUTION


# %% [markdown] tags=["solution"]
# ```{solution} ex-3-2
# :class: dropdown
#
# Integrate $\partial_s h_s(x) = \frac{\alpha}{M}A(x,X)\,e^{-\alpha As/M}y$ over $s \in [0, t]$: in the eigenbasis
# $(\lambda_k, q_k)$ of $A$, $\int_0^t \frac{\alpha}{M}e^{-\alpha\lambda_k s/M}ds = \frac{1 - e^{-\alpha\lambda_k t/M}}{\lambda_k}$,
# a finite factor that tends to $\frac{\alpha t}{M}$ as $\lambda_k \to 0$ — write it that way, never as
# $1/\lambda_k$ times something. The direction's contribution to $h_t(x)$ is then bounded by
# $\frac{\alpha t}{M}\sqrt{\lambda_k A(x,x)}\,|q_k^\top y|$ (the kernel on $X \cup \{x\}$ is positive semi-definite,
# so $|A(x,X)q_k| \le \sqrt{\lambda_k A(x,x)}$) and vanishes with $\lambda_k$. Inverting $A$ first
# (`torch.linalg.inv`) divides the rounding error of $A(x,X)q_k$, of order $10^{-16}\lVert A\rVert$ rather than
# $\sqrt{\lambda_k}$, by the tiny $\lambda_k$, and loses all precision.
# ```

# %%
from gammanet.exercises import check_evaluation_flow
check_evaluation_flow(my_evaluation_flow)

# %% [markdown]
# ```{exercise} What the flow fits first
# :label: ex-3-3
#
# *(question, ~2 min)* Write the residual $y - h_t(X)$ at the training points in the eigenbasis of $A$. Which of its
# components does the kernel flow fit first? Return `"a"`, `"b"`, `"c"` or `"d"`.
#
# - (a) those along the eigenvectors of the largest eigenvalues
# - (b) those along the eigenvectors of the smallest eigenvalues
# - (c) all at the same rate
# - (d) the largest components of $y$, whatever their eigenvalue
# ```

# %% tags=["solution"]
def q_3_3():
    """Your answer: "a", "b", "c" or "d"."""
    # BEGIN SOLUTION
    return "a"
    # END SOLUTION


# %%
from gammanet.exercises import check_q_3_3
check_q_3_3(q_3_3)

# %% [markdown]
# ```{exercise} How far a weight moves
# :label: ex-3-4
#
# *(question, ~3 min)* A shallow network with $\gamma = 3/4$ and $N = 10{,}000$ units is trained with the rate
# $\alpha N^{2\gamma-2}$. Over one unit of time $t = k/N$, a weight moves by an amount of order $N^{a}$ (times
# $\alpha$ and a width-free constant). Return $N^{a}$ for this network, as a number.
# ```

# %% tags=["solution"]
def q_3_4():
    """N^a, the order of a weight's movement over one unit of time, at γ = 3/4 and N = 10,000."""
    # BEGIN SOLUTION
    return 10_000 ** (0.75 - 1)     # N steps × rate N^{2γ-2} × gradient N^{-γ} = N^{γ-1}
    # END SOLUTION


# %%
from gammanet.exercises import check_q_3_4
check_q_3_4(q_3_4)

# %% [markdown]
# ```{exercise} The limit at $\gamma = 1/2$
# :label: ex-3-5
#
# *(question, ~2 min)* What does the trained output $h^N_t(x)$ of a wide network with $\gamma = 1/2$ converge to as
# $N \to \infty$? Return `"a"`, `"b"`, `"c"` or `"d"`.
#
# - (a) $h_t(x)$, deterministic
# - (b) $h_t(x) + K_t(x)$: random, the initial Gaussian field carried by the same linear flow
# - (c) the nonlinear mean-field limit
# - (d) zero: the output at initialization vanishes, and so does everything after
# ```

# %% tags=["solution"]
def q_3_5():
    """Your answer: "a", "b", "c" or "d"."""
    # BEGIN SOLUTION
    return "b"
    # END SOLUTION


# %%
from gammanet.exercises import check_q_3_5
check_q_3_5(q_3_5)

# %% [markdown]
# ## Further reading
#
# - {cite:t}`yu2021shallow`: the limit $h_t$ for $1/2 < \gamma < 1$ and the random limit at $\gamma = 1/2$, with
#   their hypotheses, for stochastic gradient descent.
# - The neural tangent kernel and the linear dynamics it drives: {cite:t}`jacot2018ntk`; wide networks of any depth
#   trained by gradient descent stay close to their linearization {cite:p}`lee2019wide`; when a model is "lazy"
#   and when it is not {cite:p}`chizat2019lazy`; computing the kernel exactly for deep networks
#   {cite:p}`arora2019exact`.
# - The mean-field limit at $\gamma = 1$: {cite:t}`mei2018meanfield`, {cite:t}`rotskoff2022trainability`,
#   {cite:t}`sirignano2020meanfield`, and its fluctuations {cite:p}`sirignano2020clt`.
# - Gaussian processes, the $\gamma = 1/2$ initial field, and kernel regression, which $h_t$ becomes as
#   $t \to \infty$: {cite:t}`rasmussen2006gaussian`, chapter 2.
