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
# # 3. The asymptotic expansion
#
# **What you will see.** Where a wide shallow network goes when it is trained: for $\gamma<1$ its output follows a
# linear ODE driven by the tangent kernel frozen at initialization, at $\gamma=1/2$ it starts from a Gaussian
# random field, and at $\gamma=1$ it follows the nonlinear mean-field limit. Then the *form* of the expansion of
# Yu & Spiliopoulos around that limit — deterministic corrections in powers of $N^{-(1-\gamma)}$ and a Gaussian
# fluctuation of size $N^{-(\gamma-1/2)}$ — and its consequences for bias and variance, each measured on a few
# thousand small networks trained side by side.
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gammanet-course/gammanet/blob/main/notebooks/03_expansion.ipynb)

# %%
# Colab setup: install gammanet only where it is missing (Colab); keeps the preinstalled torch.
import importlib.util, subprocess, sys
if importlib.util.find_spec("gammanet") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "gammanet @ git+https://github.com/gammanet-course/gammanet"], check=True)

# %%
import textwrap

import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import torch
from IPython.display import display

from gammanet.course import describe, pick
from gammanet.plots import (kernel_agreement, measured_vs_predicted, regime_paths, slope_table, use_style)
from gammanet.theory import (ALPHA, GAMMAS, KernelLimit, deep_variance_vs_width, distance_to_linearized,
                             draw_networks, empirical_kernel, fit_slope, kernel_error_vs_width,
                             mean_vs_kernel_limit, tangent_kernel, toy_problem, train_sweep, variance_vs_gamma,
                             variance_vs_time, variance_vs_width)

use_style()
pd.set_option("display.precision", 4)
print(describe())

# %% [markdown]
# ## 3.1 The setting, and why $t = k/N$
#
# We use the setting in which the theory is stated: a shallow network
# $g^N(x) = N^{-\gamma}\sum_{i=1}^N C^i\sigma(W^i\cdot x)$ with sigmoid $\sigma$, $C^i, W^i$ i.i.d. $N(0,1)$ (a
# centred readout, no biases), trained by full-batch gradient descent on $M$ pairs $(x_m, y_m)$ with the loss
# $L = \frac{1}{2M}\sum_m (y_m - g^N(x_m))^2$ and the learning rate $\eta = \alpha N^{2\gamma-2}$ of chapter 2
# (here $\alpha = 20$). The problem is small on purpose — $M = 24$ points $x\sim N(0, I_2)$ with $y=\sin(x_1+x_2)$,
# and 16 more points where we evaluate — so that thousands of networks train in seconds.
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
# with $w\sim N(0,I_d)$ and $c$ independent of it, and by the central limit theorem the error is $O(N^{-1/2})$.
# So $A_N$ *is* a Monte-Carlo estimate of $A$ with $N$ samples $(w_i, c_i)$. The library computes $A$ two ways: by Gauss–Hermite quadrature over the Gaussian pair
# $(w\cdot x, w\cdot x')$ (exact to about $10^{-6}$), and by Monte-Carlo over $2^{18}$ draws of $w$.

# %%
KERNEL_WIDTHS = pick((50, 200, 800, 3200), (50, 200, 800, 3200, 12800))
KERNEL_SEEDS = pick(16, 32)

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
print(f"relative error of the Monte-Carlo kernel: {mc_error:.1e}")
print(errors.groupby("N").relative_error.mean().rename("mean relative error of A_N").to_frame().T)
print(f"slope of the error against N: {kernel_fit.slope:+.2f} "
      f"[{kernel_fit.ci_low:+.2f}, {kernel_fit.ci_high:+.2f}] (CLT: -1/2)")

# %% [markdown]
# In (a), look at how the cloud of a narrow network's kernel entries scatters around the diagonal and how the wide
# network's entries sit on it, like the Monte-Carlo kernel's; in (b), the error falls along the $N^{-1/2}$ guide.

# %%
kernel_agreement(A.numpy(), {k: v.numpy() for k, v in shown.items()}, errors, mc_error)
plt.show()

# %% [markdown]
# ## 3.3 The limit for $\gamma<1$: a linear ODE
#
# With the kernel frozen, the one-step formula of §3.1 is an Euler scheme with step $1/N$ for
#
# $$
# \partial_t h_t(x) = \alpha\int \big(y - h_t(x')\big)\,A(x,x')\,\pi(dx',dy), \qquad h_0 = 0,
# $$
#
# where $\pi$ is the distribution of the data; on our $M$ points $\pi$ is the empirical measure, the integral is
# $\frac{1}{M}\sum_m$, and on the training points the ODE is linear with constant coefficients, so
#
# $$
# h_t(X) = \big(I - e^{-\alpha A t/M}\big)\,y
# $$
#
# at the training points $X$, and at any other point $x$
#
# $$
# h_t(x) = A(x,X)\,A^{-1}\big(I - e^{-\alpha A t/M}\big)\,y
# $$
#
# (integrate $\partial_t h_t(x) = \frac{\alpha}{M}A(x,X)\,e^{-\alpha At/M}y$). In the eigenbasis of $A$ the residual
# $y - h_t$ decays coordinate by coordinate, at rate $\alpha\lambda_k/M$: large eigenvalues are fitted first, tiny
# ones effectively never. `KernelLimit` implements exactly these formulas (Exercise 3.3 asks you to write them).
# Why $h_0 = 0$: the initial output $g_0 = N^{-\gamma}\sum_i C^i\sigma(W^i\cdot x)$ has mean zero and variance
# $N^{1-2\gamma}\,\mathbb E[C^2]\,\mathbb E[\sigma^2]$ (chapter 1), which vanishes for $\gamma > 1/2$.

# %%
limit = KernelLimit(problem, ALPHA)
lam = limit.eigenvalues.flip(0)
print("largest eigenvalues of A:", np.round(lam[:5].numpy(), 3))
print("their time scales M/(αλ):", np.round((problem.n_train / (ALPHA * lam[:5])).numpy(), 3))
print(f"{int((lam < 1e-2).sum())} of {problem.n_train} eigenvalues are below 1e-2 (time scales beyond "
      f"{problem.n_train / (ALPHA * 1e-2):.0f})")

# %% [markdown]
# ## 3.4 Three regimes
#
# - **$1/2<\gamma<1$** (kernel regime): $g^N_t \to h_t$, a deterministic limit; the network behaves like its
#   linearization. This is the standard kernel-regime result; we state it without its precise hypotheses and
#   check it numerically below.
# - **$\gamma = 1/2$** (Xavier/NTK): the same linear dynamics, but $g_0 = N^{-1/2}\sum_i C^i\sigma(W^i\cdot x)$ does
#   not vanish — by the CLT it converges to a centred Gaussian field $K_0$ with covariance
#   $\Sigma(x,x') = \mathbb E[C^2]\,\mathbb E[\sigma(w\cdot x)\sigma(w\cdot x')]$ {cite:p}`jacot2018ntk`. The limit
#   is $h_t + K_t$ with $K_t = e^{-\alpha At/M}K_0$ on the training points: random, with variance of order one
#   {cite:p}`yu2021shallow`.
# - **$\gamma = 1$** (mean field): every weight moves by $O(1)$, the kernel does not freeze, and the limit is a
#   nonlinear evolution of the *law* of the parameters $(C, W)$ {cite:p}`mei2018meanfield,sirignano2020meanfield`,
#   with $O(N^{-1/2})$ fluctuations around it {cite:p}`sirignano2020clt`.
#
# One experiment serves every measurement of this chapter: for each $\gamma\in\{0.5, 0.6, 0.75, 0.9, 1\}$, each width
# and each seed we train a network — the same initial weights for every $\gamma$, and each narrower network made of
# the first units of the widest (common random numbers, so width and $\gamma$ comparisons are not buried in seed
# noise) — together with its *mirror* ($C\to -C$) and its linearization at initialization.

# %%
WIDTHS = pick((50, 100, 200, 400), (50, 100, 200, 400, 800))
SEEDS = pick(64, 200)
TIMES = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0)
print(f"training {len(GAMMAS)} γ × {len(WIDTHS)} widths × {SEEDS} seeds (and their mirrors) up to t = {max(TIMES):g}; "
      + pick("about half a minute on two CPU cores", "about ten minutes on two CPU cores (the trainer runs on the CPU)"))
sweep = train_sweep(problem, widths=WIDTHS, gammas=GAMMAS, n_seeds=SEEDS, times=TIMES, antithetic=True,
                    linearized=True)

# %% [markdown]
# Each panel follows one evaluation point through training at the largest width: grey lines are single seeds,
# black dots their mean, the coloured curve is $h_t$ and the band $h_t \pm 2N^{1/2-\gamma}\,\mathrm{sd}\,K_t$.
# Look at the width of the seed cloud: of order one at $\gamma = 1/2$ (a random limit), thin at $\gamma = 0.75$,
# thinner still at $\gamma = 1$ — and at $\gamma = 1$ the seed mean leaves the kernel curve: the mean-field limit is
# a different, nonlinear one.

# %%
regime_paths(sweep, (0.5, 0.75, 1.0), point=0)
plt.show()

# %% [markdown]
# ## 3.5 The expansion
#
# Between these limits, Yu & Spiliopoulos {cite:p}`yu2021shallow` show an asymptotic expansion of the trained
# output in powers of $N$. We state its **form** as the paper shows it; we could not read the exact theorem (its
# hypotheses and constants are not reproduced here), so everything quantitative below is *measured*, not asserted:
#
# $$
# \begin{aligned}
# h^N_t(x) \;=\; h_t(x) \;&+\; \sum_{j=1}^{\nu-1} N^{-j(1-\gamma)}\,Q^j_t(x) \\
# &+\; N^{-(\gamma-1/2)}\,K_t(x) \;+\; \text{smaller terms}, \qquad \tfrac12 < \gamma < 1 .
# \end{aligned}
# $$
#
# - $h_t$ is the deterministic kernel limit of §3.3.
# - $Q^j_t$ are **deterministic** corrections. One way to read their powers: the weights move by $N^{\gamma-1}$ per
#   unit of time, and each further order in that motion contributes a further power $N^{-(1-\gamma)}$; as
#   $\gamma\to1$ the motion is less and less negligible.
# - $K_t$ is a centred **Gaussian** fluctuation: the CLT fluctuation of the initialization ($g_0 = N^{1/2-\gamma}K^N_0$,
#   $K^N_0\to K_0$) carried and contracted by the linear dynamics; on the training points $K_t = e^{-\alpha At/M}K_0$.
# - The number of deterministic terms that are at least as large as the fluctuation, $\nu - 1$, is found by
#   comparing the exponents $j(1-\gamma)$ with $\gamma - 1/2$. It is $0$ for $\gamma<3/4$, and a new term enters at
#   $3/4$, $5/6$, $7/8$, … — so it grows without bound as $\gamma\to1$, where the expansion gives way to the
#   nonlinear mean-field limit (Exercise 3.2 counts them).
#
# **Bias and variance to leading order** {cite:p}`yu2021shallow`. Since $Q^j$ are deterministic and $K_t$ is
# centred, the seed-mean is $h_t$ plus corrections that vanish as $N\to\infty$, while the variance is carried by the
# fluctuation term:
#
# $$
# \mathbb E\, h^N_t(x) - y \;\approx\; h_t(x) - y,
# $$
#
# $$
# \operatorname{Var} h^N_t(x) \;\approx\; N^{1-2\gamma}\operatorname{Var} K_t(x) .
# $$
#
# The leading-order bias $h_t - y$ falls as $t$ grows (the flow fits $y$ at the training points) and does not depend
# on $N$; the leading-order variance falls as $N$ grows, as $t$ grows (the flow contracts $K_t$) and as $\gamma\to1$
# at fixed $N$. So, to leading order, more width and more training never buy a lower variance with a higher bias: there is
# no bias–variance trade-off. Beyond leading order the corrections $Q^j_t$ move the bias too, and the expansion's
# form does not say in which direction — we will measure it. The rest of the chapter checks these statements one
# by one (the prediction numbers refer to the course's list of checkable predictions, shared by all chapters).

# %% [markdown]
# ## 3.6 Measurements
#
# ### The seed-mean approaches $h_t$ (prediction 5)
#
# To see the deterministic part we need seed-means in which the fluctuation $N^{-(\gamma-1/2)}K_t$ does not swamp
# everything. The mirror of each network ($C\to-C$) has the same law and the opposite $K_0$, so averaging each pair
# cancels the leading fluctuation (antithetic variates). Plotted: the RMS over evaluation points of
# (seed-mean $-\,h_t$) against $N$; dotted, the part that seed noise alone would explain.

# %%
mean_gap = mean_vs_kernel_limit(sweep)
T_LATE = max(TIMES)
fig, axes = plt.subplots(1, 2, figsize=(10.5, 3.8), sharey=True)
for ax, t in zip(axes, (0.5, T_LATE)):
    measured_vs_predicted(mean_gap.table[mean_gap.table.t == t], "N", "limit_error", predicted="noise_floor",
                          predicted_style=":", predicted_label="seed-noise floor", ax=ax,
                          legend="outside" if t == T_LATE else None)
    ax.set_title(f"RMS of (seed-mean − $h_t$) at t = {t:g}")
fig.tight_layout()
plt.show()

# %% [markdown]
# Look at the lines for $\gamma = 0.6, 0.75, 0.9$ at $t = 2$: their gap to $h_t$ falls with $N$, well above the noise
# floor. At $\gamma=1$ the gap does not move with $N$: the mean-field limit is not $h_t$. Where a line meets its
# dotted floor — $\gamma = 1/2$ early in training, and at the FAST sizes often later too — the gap is smaller than
# what these seeds can resolve (with 200 seeds, at $t = 2$, the $\gamma = 1/2$ gap rises clearly above it). The
# fitted slopes (log–log, seed-bootstrap 95% intervals):

# %%
slope_table(mean_gap.slopes, values=(0.5, 1.0, T_LATE))

# %% [markdown]
# Read with the expansion's form, the gap should be led by the first deterministic term $N^{-(1-\gamma)}Q^1_t$ (if
# $Q^1_t$ is not zero): slopes $-0.4, -0.25, -0.1$ for $\gamma = 0.6, 0.75, 0.9$. The measured slopes have that sign
# but are steeper (in the full run, 200 seeds and widths to 800, we measured $-0.70, -0.43, -0.13$ at $t=2$). Widths
# below a thousand cannot settle an exponent — a steeper slope could mean that $Q^1_t$ vanishes in this symmetric
# setting, or only that we are far from the asymptotic regime — so we claim what the figure shows and no more: the
# gap closes for $\gamma<1$ and does not close at $\gamma=1$.
#
# ### The variance after training against width (prediction 2)
#
# The leading-order prediction is $\operatorname{Var}h^N_t(x)\approx N^{1-2\gamma}\operatorname{Var}K_t(x)$, slope
# $1-2\gamma$ on a log–log plot at every fixed $t$. Solid: measured (averaged over the evaluation points, ± one
# standard error); dashed: $N^{1-2\gamma}\operatorname{Var}K_t$ computed from the kernel limit. Look at $t=0$, where
# the law is exact and the lines must agree, then at how the measured points drift above the dashed lines for
# $\gamma\ge 3/4$ as training goes on.

# %%
by_width = variance_vs_width(sweep)
fig, axes = plt.subplots(1, 3, figsize=(13, 3.9), sharey=True)
for ax, t in zip(axes, (0.0, 1.0, T_LATE)):
    measured_vs_predicted(by_width.table[by_width.table.t == t], "N", "variance", err="variance_se",
                          predicted="predicted_variance", predicted_label=r"$N^{1-2\gamma}\,\mathrm{Var}\,K_t$",
                          ax=ax, legend="outside" if t == T_LATE else None)
    ax.set_title(f"t = {t:g}")
fig.tight_layout()
plt.show()

# %% [markdown]
# The fitted slopes, with seed-bootstrap 95% intervals, beside $1-2\gamma$ and the slopes of an earlier quick
# simulation by the course authors ("earlier run": same $\gamma$'s, 200 seeds, its own widths and time):

# %%
EARLIER_SLOPES = {0.5: 0.01, 0.6: -0.18, 0.75: -0.52, 0.9: -0.84, 1.0: -0.99}
slopes_2 = slope_table(by_width.slopes, values=(0.0, 0.5, 1.0, T_LATE))
slopes_2.insert(0, "1 − 2γ", [1 - 2 * g for g in slopes_2.index])
slopes_2.insert(1, "earlier run", [EARLIER_SLOPES[g] for g in slopes_2.index])
slopes_2

# %% [markdown]
# At $t = 0$ the variance law is exact at every width, so there the intervals should contain $1-2\gamma$ (95% of the
# time). All five $\gamma$'s share the same initial weights, so at $t=0$ the seed noise shifts all five slopes by
# the *same* amount — compare the rows; read the later columns against the $t=0$ column as well as against
# $1-2\gamma$. After training the slopes stay near $1-2\gamma$, but where they move away, they move *down*: the
# measured variance sits above the leading-order line by a factor that shrinks with $N$ (see the figure), because the
# next terms of the expansion are smaller than the leading one only by powers of $N$ with small exponents. (With
# the FAST sizes — 64 seeds, widths up to 400 — the intervals are about ±0.15; run without `GAMMANET_FAST` for 200
# seeds and widths to 800.)
#
# ### The variance against $\gamma$ at fixed width (prediction 3)
#
# At the largest width, one line per time. Look at the monotone fall from $\gamma=1/2$ to $\gamma = 1$ at every $t$,
# by two to three orders of magnitude; dashed, the leading-order prediction (for $\gamma = 1$ it is only the
# kernel-regime formula, not the mean-field one).

# %%
by_gamma = variance_vs_gamma(sweep)
shown_t = by_gamma.table[by_gamma.table.t.isin((0.0, 0.5, 1.0, T_LATE))]
ax = measured_vs_predicted(shown_t, "gamma", "variance", hue="t", predicted="predicted_variance", logx=False,
                           hue_format="t={:g}", predicted_label=r"$N^{1-2\gamma}\,\mathrm{Var}\,K_t$")
ax.set_title(f"variance at N = {max(WIDTHS)}")
plt.show()
shown_t.pivot(index="gamma", columns="t", values="variance").rename(columns=lambda t: f"Var at t={t:g}").map(
    "{:.1e}".format)

# %% [markdown]
# The earlier run reported $4.0\cdot10^{-2}, 1.2\cdot10^{-2}, 1.4\cdot10^{-3}, 2.6\cdot10^{-4}, 9.4\cdot10^{-5}$ at $N=800$ in
# its own quick simulation; the *ordering* is the prediction, the values depend on $N$, $t$ and $\alpha$.
#
# ### The variance and the bias against time (prediction 4)
#
# Left: the variance relative to its value at $t=0$, per $\gamma$ at the largest width; dashed, the leading-order
# ratio $\operatorname{Var}K_t/\operatorname{Var}K_0$ (the same for every $\gamma$). Right: the squared bias of the
# seed-mean on the evaluation points, $(\overline{h^N_t}-y)^2$ averaged over points; dashed, that of $h_t$. Look at
# both falling together: training reduces the variance and the bias at once.

# %%
by_time = variance_vs_time(sweep)
widest = by_time.table[by_time.table.N == max(WIDTHS)].copy()
limit_bias = ((limit.mean(sweep.times, "test") - problem.y_test) ** 2).mean(-1).numpy()
widest["limit_bias_sq"] = widest.t.map(dict(zip(sweep.times, limit_bias)))
fig, (a, b) = plt.subplots(1, 2, figsize=(11, 3.9))
measured_vs_predicted(widest, "t", "ratio", predicted="predicted_ratio", logx=False, ax=a,
                      predicted_label=r"$\mathrm{Var}\,K_t / \mathrm{Var}\,K_0$")
a.set_title("variance, relative to t = 0")
measured_vs_predicted(widest, "t", "bias_sq", predicted="limit_bias_sq", predicted_label="squared bias of $h_t$",
                      logx=False, ax=b, legend=None)
b.set_title("squared bias of the seed-mean")
b.set_ylabel("squared bias")
fig.tight_layout()
plt.show()

# %% [markdown]
# For $\gamma$ near $1/2$ the variance ratio follows $\operatorname{Var}K_t/\operatorname{Var}K_0$; towards $\gamma = 1$
# it falls more slowly, because there the measured variance is not yet the leading term alone. How strong the
# contraction is depends on $\alpha$ and on the spectrum of $A$: the earlier quick simulation reported a factor of
# about $0.43$ by $t=2$, which is what the same formula gives on the training points with $\alpha = 1$; with
# $\alpha = 20$ it is far stronger. On the right, the bias falls with $t$ at every $\gamma$ — and for $\gamma$ near 1
# the finite networks fit *faster* than $h_t$.
#
# Now fix $t$ and let $N$ grow. The table shows, at $t=2$, the variance and the squared bias of the seed-mean
# per width. Look at the two blocks separately: the variance falls with $N$ at every $\gamma$; the bias does not
# fall — for $\gamma<1$ it *rises* slightly with $N$ towards the bias of $h_t$ (most visibly at $\gamma = 0.75$ and
# $0.9$), and at $\gamma = 1$ it stays put. This is consistent with the leading order, where the bias is that of $h_t$
# whatever $N$; the sub-leading corrections, which finite networks carry, happen to *lower* the bias on this problem
# (the kernel grows during training and the network fits faster than its frozen-kernel limit). So "no trade-off" is
# a statement about the leading order: here, at fixed $t$, a wider network has a lower variance and a slightly
# higher bias, and at $\gamma=0.75$ the bias effect is the larger of the two.

# %%
late = by_time.table[by_time.table.t == T_LATE]
print(f"variance at t = {T_LATE:g} (rows: width N, columns: γ)")
display(late.pivot(index="N", columns="gamma", values="variance").map("{:.1e}".format))
print(f"squared bias of the seed-mean at t = {T_LATE:g}; that of h_t is {limit_bias[-1]:.4f}")
display(late.pivot(index="N", columns="gamma", values="bias_sq").round(4))

# %% [markdown]
# ### Distance to the linearized network (prediction 7)
#
# The linearized network $g^{\rm lin}(\theta) = g(\theta_0) + \nabla g(\theta_0)\cdot(\theta-\theta_0)$ is trained
# side by side with every network (same initial weights, same rate); it moves by exactly the frozen empirical kernel.
# Plotted: the RMS over seeds and evaluation points of $g^N_t - g^{\rm lin}_t$ against $N$. Look at the fan: steep
# descent at $\gamma = 1/2$, flatter and flatter towards $\gamma = 1$, where the distance does not shrink at all.

# %%
distance = distance_to_linearized(sweep)
ax = measured_vs_predicted(distance.table[distance.table.t == T_LATE], "N", "distance")
ax.set_title(f"RMS distance to the linearized network, t = {T_LATE:g}")
ax.set_ylabel("RMS of g − g_lin")
plt.show()
EARLIER_DISTANCE = {0.5: -1.0, 0.6: -0.9, 0.75: -0.6, 0.9: -0.2, 1.0: 0.0}
slopes_7 = slope_table(distance.slopes[distance.slopes.statistic == "rms"], values=(0.5, 1.0, T_LATE))
slopes_7.insert(0, "γ − 1", [g - 1 for g in slopes_7.index])
slopes_7.insert(1, "earlier run", [EARLIER_DISTANCE[g] for g in slopes_7.index])
slopes_7

# %% [markdown]
# The weights move by $O(N^{\gamma-1})$, so one might guess a distance of that order, slope $\gamma-1$. The measured
# slopes are steeper than that for every $\gamma<1$ (as the earlier run's were) and they change with $t$, so we assert no
# exponent — neither $\gamma-1$ nor any other — for the distance or for the corrections $Q^j$. What the figure does
# establish is the qualitative split: the network approaches its linearization as $N$ grows for $\gamma<1$, and
# does not at $\gamma = 1$.
#
# ## 3.7 Deep networks: why the outer layer dominates (prediction 8)
#
# For a deep network the same reasoning applies to the *last* sum. Given the inner layers $\mathcal F$, the last
# hidden layer's units are i.i.d., so $g = N_L^{-\gamma_L}\sum_i C^i\sigma(Z^{L}_i)$ is a sum of $N_L$ i.i.d. centred
# terms, and (conditioning on $\mathcal F$, then averaging)
#
# $$
# \operatorname{Var} g_0(x) = N_L^{1-2\gamma_L}\,\mathbb E[C^2]\;\mathbb E\big[\sigma(Z^L(x))^2\big].
# $$
#
# The width exponent is $1-2\gamma_L$ whatever the inner $\gamma$'s; they only set the prefactor
# $\mathbb E\,\sigma(Z^L)^2$, which tends to $\sigma(0)^2 = 1/4$ when the inner $\gamma$'s exceed $1/2$ (the inner
# pre-activations shrink). The deep expansion of {cite:p}`yu2023deep` builds on this: the outer normalization sets
# the size of the leading fluctuation. Chapter 1 shows the law at initialization in detail; here is the short
# version for depth 3 — colour = outer $\gamma$, circles and solid lines for inner $\gamma$'s $(0.5, 0.5)$, squares
# and dotted lines for $(1, 1)$, dashed the exact law. Look at the lines pairing up by *colour*: the inner $\gamma$'s
# barely move them. The trained deep networks, with seeds, on MNIST are the subject of chapter 5.

# %%
deep = deep_variance_vs_width(gammas=(0.5, 0.75, 1.0), widths=pick((25, 50, 100, 200, 400), (25, 50, 100, 200, 400, 800)),
                              inner_gammas=((0.5, 0.5), (1.0, 1.0)), n_seeds=pick(400, 2000), n_inner=pick(200, 500),
                              n_boot=200)
fig, ax = plt.subplots(figsize=(8, 4))
for inner, marker, line in (("(0.5, 0.5)", "o", "-"), ("(1, 1)", "s", ":")):
    measured_vs_predicted(deep.table[deep.table.inner_gammas == inner], "N", "variance", predicted="law",
                          predicted_label="exact law" if marker == "o" else "",
                          hue_format="outer γ={:g}, inner γ's " + inner, ax=ax,
                          marker=marker, linestyle=line, legend="outside")
ax.set_title("depth 3 at initialization: Var $g_0$ against $N_L$")
plt.show()
deep.slopes.set_index("gammas")[["slope", "ci_low", "ci_high", "theory"]].round(3)

# %% [markdown]
# ## What you saw
#
# The numbers behind each sentence, from the runs above (they change with `GAMMANET_FAST`):

# %% tags=["hide-input"]
def say(text):
    print(textwrap.fill(text, width=88, initial_indent="- ", subsequent_indent="  "))


def fmt(fit_row):
    return f"{fit_row.slope:+.2f} [{fit_row.ci_low:+.2f}, {fit_row.ci_high:+.2f}]"

kernel_means = errors.groupby("N").relative_error.mean()
late_slopes = by_width.slopes[by_width.slopes.t == T_LATE].set_index("gamma")
late_gap = mean_gap.table[mean_gap.table.t == T_LATE].pivot(index="gamma", columns="N", values="limit_error")
late_distance = distance.slopes[(distance.slopes.t == T_LATE) & (distance.slopes.statistic == "rms")]
late_distance = late_distance.set_index("gamma")
variance_at_n = by_gamma.table[by_gamma.table.t == T_LATE].set_index("gamma").variance
ratio_late = widest[widest.t == T_LATE].set_index("gamma")
bias_by_n = late.pivot(index="N", columns="gamma", values="bias_sq")
n0, n1 = min(WIDTHS), max(WIDTHS)

say(f"The empirical kernel A_N approaches A: relative error {kernel_means.iloc[0]:.3f} at N={min(KERNEL_WIDTHS)}, "
    f"{kernel_means.iloc[-1]:.4f} at N={max(KERNEL_WIDTHS)}, slope {fmt(kernel_fit)} (CLT: -0.5).")
say(f"Seed-mean gap to h_t at t={T_LATE:g}, N={n0} → N={n1}: "
    + ", ".join(f"γ={g:g}: {late_gap.loc[g, n0]:.3f} → {late_gap.loc[g, n1]:.3f}" for g in (0.6, 0.75, 0.9, 1.0))
    + " — it closes for γ < 1, not at γ = 1.")
say(f"Variance slopes at t={T_LATE:g} (95% CI) against 1 − 2γ: "
    + "; ".join(f"γ={g:g}: {fmt(late_slopes.loc[g])} vs {1 - 2 * g:+.1f}" for g in GAMMAS) + ".")
say(f"Variance at N={n1}, t={T_LATE:g}, from γ = 0.5 to γ = 1: "
    + " > ".join(f"{v:.1e}" for v in variance_at_n.values) + ".")
say(f"Variance ratio Var(t={T_LATE:g})/Var(0) at N={n1}: "
    + ", ".join(f"γ={g:g}: {ratio_late.loc[g].ratio:.3f}" for g in GAMMAS)
    + f" (leading order {ratio_late.predicted_ratio.iloc[0]:.3f}); the squared bias of the seed-mean falls from "
    f"{widest[widest.t == 0].bias_sq.iloc[0]:.2f} at t=0 to {ratio_late.bias_sq.min():.2f}–"
    f"{ratio_late.bias_sq.max():.2f}.")
say(f"At t={T_LATE:g}, N={n0} → N={n1}, the squared bias of the seed-mean goes "
    + ", ".join(f"γ={g:g}: {bias_by_n.loc[n0, g]:.3f} → {bias_by_n.loc[n1, g]:.3f}" for g in GAMMAS)
    + f" (that of h_t: {limit_bias[-1]:.3f}), while the variance falls.")
say(f"Distance to the linearized network, slopes at t={T_LATE:g}: "
    + "; ".join(f"γ={g:g}: {fmt(late_distance.loc[g])}" for g in GAMMAS) + " — steeper than γ − 1.")
say("Depth 3 at initialization, variance slopes against N_L: "
    + ", ".join(f"γ={r.gammas}: {r.slope:+.2f}" for r in deep.slopes.itertuples()) + " — set by the outer γ.")

# %% [markdown]
# In words: for $\gamma<1$ the trained network is a small perturbation of one deterministic linear flow driven by
# the frozen kernel; the perturbation has a deterministic part that closes as $N$ grows and a Gaussian part whose
# variance scales like $N^{1-2\gamma}$ (with sub-leading terms that steepen the measured slopes at these widths),
# shrinks with training time and with $\gamma$. Training lowers bias and variance together; width lowers the
# variance and, to leading order, leaves the bias alone — on this problem the finite networks' bias was slightly
# *below* that of $h_t$ and crept up towards it as $N$ grew, a sub-leading effect the leading-order statement
# does not exclude. At $\gamma = 1$ the picture changes: the limit itself is nonlinear, and the network moves away
# from both $h_t$ and its linearization. The exponents of the deterministic corrections are the part we could not
# pin down, and the chapter says so.
#
# ## Exercises
#
# ### Exercise 3.1 (quick) — The slope of the variance
# Write `my_variance_slope_theory(gamma)` returning the log–log slope in $N$ of $\operatorname{Var}h^N_t(x)$ that
# the leading fluctuation term of the expansion predicts (for $1/2\le\gamma\le1$).

# %% tags=["solution"]
def my_variance_slope_theory(gamma):
    """The predicted slope of log Var h^N_t(x) against log N."""
    # BEGIN SOLUTION
    return 1 - 2 * gamma
    # END SOLUTION


# %% [markdown] tags=["solution"]
# **Solution.** The random term is $N^{-(\gamma-1/2)}K_t$, and $\operatorname{Var}(N^aK) = N^{2a}\operatorname{Var}K$,
# so the slope is $-2(\gamma-1/2) = 1-2\gamma$; the deterministic $h_t$ and $Q^j_t$ have no variance. At $\gamma=1$ the
# mean-field CLT gives fluctuations of size $N^{-1/2}$, the same slope $-1$.

# %%
from gammanet.exercises import check_variance_slope
check_variance_slope(my_variance_slope_theory)

# %% [markdown]
# ### Exercise 3.2 (quick) — How many corrections before the fluctuation?
# Write `my_correction_count(gamma)` returning, for $1/2\le\gamma<1$, the number of $j\ge1$ for which
# $N^{-j(1-\gamma)}$ is **at least as large** as $N^{-(\gamma-1/2)}$ for large $N$ (ties count: at a tie both terms are
# of the same order and both must be kept). This is the $\nu-1$ of the expansion. The check uses hidden $\gamma$'s,
# some of them exactly where a new term enters — mind floating point there.

# %% tags=["solution"]
def my_correction_count(gamma):
    """Number of j ≥ 1 with j(1 - γ) ≤ γ - 1/2."""
    # BEGIN SOLUTION
    tolerance = 1e-9                       # equal exponents may differ in the last bits as floats
    count = 0
    while (count + 1) * (1 - gamma) <= gamma - 0.5 + tolerance:
        count += 1
    return count
    # END SOLUTION


# %% [markdown] tags=["solution"]
# **Solution.** $j(1-\gamma)\le\gamma-\frac12 \iff j \le \frac{\gamma-1/2}{1-\gamma}$, so $\nu - 1 =
# \big\lfloor\frac{\gamma-1/2}{1-\gamma}\big\rfloor$. It is $0$ on $[\frac12,\frac34)$, $1$ on $[\frac34,\frac56)$,
# $2$ on $[\frac56,\frac78)$, … — a new term at every $\gamma = 1-\frac{1}{2\nu}$, and infinitely many as
# $\gamma\to1$. Computed in floating point, $\frac{\gamma-1/2}{1-\gamma}$ at $\gamma = 11/12$ comes out as
# $4.999\ldots$, hence the tolerance.

# %%
from gammanet.exercises import check_correction_count
check_correction_count(my_correction_count)

# %% [markdown]
# ### Exercise 3.3 (medium) — The kernel limit from a kernel matrix
# Write `my_kernel_flow(A, y, alpha, t)` returning $h_t = (I - e^{-\alpha A t/M})\,y$ at the $M$ training points
# (`A`: an $M\times M$ symmetric positive semi-definite tensor, `y`: a vector of length $M$, both float64), using the
# eigendecomposition of $A$. The check compares it with the library on hidden kernels.

# %% tags=["solution"]
def my_kernel_flow(A, y, alpha, t):
    """h_t = (I - exp(-α A t / M)) y, by diagonalizing A."""
    # BEGIN SOLUTION
    eigenvalues, vectors = torch.linalg.eigh(A)
    rate = alpha * eigenvalues.clamp_min(0) * t / A.shape[0]
    return vectors @ ((1 - torch.exp(-rate)) * (vectors.T @ y))
    # END SOLUTION


# %% [markdown] tags=["solution"]
# **Solution.** With $A = Q\,\mathrm{diag}(\lambda)\,Q^\top$, $e^{-\alpha At/M} = Q\,\mathrm{diag}(e^{-\alpha\lambda_k
# t/M})\,Q^\top$: rotate $y$ into the eigenbasis, damp coordinate $k$ by $1-e^{-\alpha\lambda_k t/M}$, rotate back.
# `torch.exp(A)` would exponentiate entry by entry, which is not the matrix exponential.

# %%
from gammanet.exercises import check_kernel_flow
check_kernel_flow(my_kernel_flow)

# %% [markdown]
# ### Exercise 3.4 (substantial) — Measure the slope yourself
# 1. Write `my_variance_slope(sweep, gamma, t)`: from a trained `TrainingSweep`, take the per-seed outputs
#    `sweep.samples(gamma, t)` (shape: seeds × widths × evaluation points), compute at every width the variance over
#    seeds at each point, average it over the points, and return the least-squares slope of $\log$ variance against
#    $\log N$ (`sweep.widths`). The check runs it on a hidden sweep.
# 2. Choose a $\gamma$ (say $0.8$, or one between two of the chapter's), train a sweep for it with fresh seeds,
#    and compare your slopes at each $t$ with $1-2\gamma$ and with the library's bootstrap interval.
# 3. Explain what you see: where does it agree with $1-2\gamma$, where not, and why might it not?

# %% tags=["solution"]
def my_variance_slope(sweep, gamma, t):
    """Slope of log(variance over seeds, averaged over points) against log N."""
    # BEGIN SOLUTION
    samples = sweep.samples(gamma, t).numpy()               # (seeds, widths, points)
    variance = samples.var(axis=0, ddof=1).mean(axis=-1)    # (widths,)
    slope, _ = np.polyfit(np.log(sweep.widths), np.log(variance), 1)
    return float(slope)
    # END SOLUTION


# %%
from gammanet.exercises import check_slope_estimator
check_slope_estimator(my_variance_slope)

# %% tags=["needs-solution"]
MY_GAMMA = 0.8
my_sweep = train_sweep(problem, widths=WIDTHS, gammas=(MY_GAMMA,), n_seeds=SEEDS, seed=1000,
                       times=(0.0, 0.5, 1.0, 2.0), linearized=False)
library = variance_vs_width(my_sweep).slopes.set_index("t")
for t in my_sweep.times:
    print(f"t = {t:g}: my slope {my_variance_slope(my_sweep, MY_GAMMA, t):+.3f}, library "
          f"{library.slope[t]:+.3f} [{library.ci_low[t]:+.3f}, {library.ci_high[t]:+.3f}], 1 − 2γ = {1 - 2 * MY_GAMMA:+.2f}")

# %% [markdown] tags=["solution"]
# **Solution.** At $t=0$ the variance law is exact at every width, so the slope differs from $1-2\gamma$ only by
# seed noise — compare it with the interval (a 95% interval misses one time in twenty, and percentile-bootstrap
# intervals from a few dozen seeds tend to be a little too narrow, so with the FAST sizes a small miss can happen). After training the measured slope is typically a little steeper than
# $1-2\gamma$ at these widths: the expansion says $1-2\gamma$ is the *leading-order* slope, and the next terms are
# smaller only by powers like $N^{-(1-\gamma)}$ — for $\gamma = 0.8$ and $N = 400$ that is $400^{-0.2}\approx0.3$, not
# negligible, and its weight changes with $t$ as the leading term is contracted by $e^{-\alpha At/M}$. More seeds
# shrink the interval (like $S^{-1/2}$); only larger widths remove the bias of the slope. The seeds are shared
# across widths (nested networks), which is why the interval is narrow enough to see any of this.
