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
# (ch-expansion)=
# # 4. The expansion
#
# ## Learning objectives
#
# After this chapter you can
#
# - **derive**, by perturbation around the limit $h_t$, the form of the expansion of a width-$N$ network: a Gaussian
#   fluctuation $N^{1/2-\gamma}K_t$ and deterministic corrections $N^{-j(1-\gamma)}Q^j_t$, and **count** the
#   corrections that come before the fluctuation (Exercise 4.2);
# - **compute** the leading-order variance $N^{1-2\gamma}\operatorname{Var}K_t(x)$ at any point (Exercise 4.1) and
#   **measure** the variance's slope against $N$ on trained networks (Exercise 4.3);
# - **decompose** the expected squared error into squared bias and variance, **estimate** both without bias from a
#   few seeds (Exercise 4.5), and **state** what the papers' "no bias–variance trade-off" says and what the
#   measurements add;
# - **decide** by a symmetry argument when the first correction $Q^1$ vanishes, and **predict** the rate at which
#   the seed-mean approaches $h_t$ (Exercise 4.4).
#
# ```{admonition} Prerequisites
# :class: tip
#
# - Chapter 3 ({ref}`ch-limit`): the kernel limit $h_t$, the matrix exponential $e^{-\alpha At/M}$ and the flow at
#   an evaluation point (Exercise 3.2); chapter 1 for the tangent kernel and the variance law.
# - Linear ODEs with a source term (variation of constants) — {cite:t}`hirsch2013differential`, chapter 6.
# - Gaussian vectors under linear maps: if $V$ has covariance $\Sigma$, then $LV$ has covariance $L\Sigma L^\top$ —
#   {cite:t}`rasmussen2006gaussian`, appendix A.
# - The bias–variance decomposition of a squared error, and unbiased estimators — {cite:t}`wasserman2004all`,
#   chapter 6.
# - Log–log slopes with bootstrap intervals (chapter 1).
# ```
#
# **What you will see.** How far a network of width $N$ is from its limit $h_t$ (chapter 3), and in which powers of
# $N$: a derivation, by perturbation around $h_t$, of the expansion that Yu & Spiliopoulos prove — a Gaussian
# fluctuation of size $N^{1/2-\gamma}$ and deterministic corrections in powers of $N^{-(1-\gamma)}$ — and of the
# papers' argument about bias and variance built on it, each measured on thousands of small trained networks.
# Then we settle what the first deterministic correction is in our setting: it vanishes by symmetry, so the
# seed-mean approaches $h_t$ like $N^{-2(1-\gamma)}$; we find the setting in which it does not vanish and measure it
# there.
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gammanet-course/gammanet/blob/main/notebooks/04_expansion.ipynb)

# %%
# Colab setup: install gammanet only where it is missing (Colab); keeps the preinstalled torch.
# $GAMMANET_INSTALL_SOURCE, if set, names what pip installs instead (a local checkout, a wheel, a fork).
import importlib, importlib.util, os, subprocess, sys
if importlib.util.find_spec("gammanet") is None:
    source = os.environ.get("GAMMANET_INSTALL_SOURCE") or "gammanet @ git+https://github.com/gammanet-course/gammanet"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", source], check=True)
    importlib.invalidate_caches()  # so that this kernel finds the new package

# %%
import textwrap

import numpy as np
import pandas as pd
import torch
import matplotlib.pyplot as plt
from IPython.display import display

from gammanet.course import describe, glue, pick
from gammanet.plots import gamma_palette, measured_vs_predicted, slope_table, use_style
from gammanet.theory import (ALPHA, GAMMAS, FirstCorrection, distance_to_linearized, gap_vs_first_correction,
                             tangent_kernel, toy_problem, train_sweep, variance_vs_gamma, variance_vs_time,
                             variance_vs_width, width_free_check)
from gammanet.train import resolve_device

use_style()
pd.set_option("display.precision", 4)
print(describe())

# %% [markdown]
# ## 4.1 Three small quantities
#
# The setting is that of chapter 3: $g^N(x) = N^{-\gamma}\sum_i C^i\sigma(W^i\cdot x)$, the loss
# $\frac{1}{2M}\sum_m (y_m - g(x_m))^2$, the rate $\alpha N^{2\gamma-2}$ and the clock $t = k/N$. On that clock gradient
# descent is an Euler scheme with step $1/N$ for the gradient flow, along which the output moves *exactly* by the
# current empirical kernel:
#
# $$
# \partial_t g_t(x) = \frac{\alpha}{M}\sum_{m=1}^M A_N(t)(x, x_m)\,\big(y_m - g_t(x_m)\big).
# $$
#
# The limit $h_t$ solves the same equation with $A_N(t)$ replaced by $A$ and $g_0$ by $0$. A network of width $N$
# differs from that in three ways, each small when $\frac12 < \gamma < 1$ (at $\gamma = \frac12$ the first is of
# order one; the derivation carries it exactly, through a linear flow, so it need not be small):
#
# 1. **the initial output**: $g_0 = N^{1/2-\gamma}K^N_0$, where $K^N_0 = N^{-1/2}\sum_i C^i\sigma(W^i\cdot x)$ tends
#    to the centred Gaussian field $K_0$ of covariance $\Sigma(x,x') = \mathbb E[C^2]\,\mathbb E[\sigma(w\cdot
#    x)\sigma(w\cdot x')]$ (central limit theorem);
# 2. **the kernel's noise**: $A_N(0) = A + N^{-1/2}B^N$, where $B^N$ tends to a centred Gaussian field (the kernel is an
#    average of $N$ i.i.d. unit terms, chapter 3);
# 3. **the kernel's drift**: $A_N(t) = A_N(0) + N^{\gamma-1}D^N_t$, because each weight moves at the speed
#    $N^{\gamma-1}$ on the clock $t$ (chapter 3, §3.1).
#
# ```{prf:definition} The fluctuation and the first correction (our derivation, heuristic)
# :label: def-expansion-terms
#
# Write $g_t = h_t + \delta_t$, subtract the equation of $h_t$ and keep, for each small quantity, its first order
# (products of two small quantities are of higher order). With $r_t = y - h_t$ on the training points and
# $\mathcal A f(x) = \frac{\alpha}{M}\sum_m A(x,x_m)f(x_m)$,
#
# $$
# \delta_t = N^{1/2-\gamma}K_t + N^{-1/2}V_t + N^{\gamma-1}R_t + \dots,
# $$
#
# $$
# \partial_t K_t = -\mathcal A K_t,\quad K_0 = K^N_0; \qquad
# \partial_t V_t = -\mathcal A V_t + \tfrac{\alpha}{M}B^N r_t,\quad V_0 = 0; \qquad
# \partial_t R_t = -\mathcal A R_t + \tfrac{\alpha}{M}D^N_t r_t,\quad R_0 = 0 .
# $$
#
# The **fluctuation** $K_t$ is the initial output carried by the linear flow. At the training points $X$ and at any
# other point $x$,
#
# $$
# K_t(X) = e^{-\alpha At/M}K_0(X), \qquad K_t(x) = K_0(x) - A(x,X)\,A^{-1}\big(I - e^{-\alpha At/M}\big)K_0(X).
# $$
#
# The **first correction** $Q^1_t$ is the mean of $R_t$: with $\bar A^1_t$ the mean of $D^N_t$ over the initial law,
#
# $$
# \partial_t Q^1_t(x) = -\frac{\alpha}{M}\sum_m A(x,x_m)\,Q^1_t(x_m) + \frac{\alpha}{M}\sum_m \bar A^1_t(x,x_m)\,
# \big(y_m - h_t(x_m)\big), \qquad Q^1_0 = 0,
# $$
#
# a closed linear system at the training points, then integrated at any $x$.
# ```
#
# Each term in order; $K_t$, $V_t$ and $R_t$ are of order one, their prefactors carry the sizes. $K_t$ is centred
# and, as $N \to \infty$, Gaussian ($K^N_0 \to K_0$, carried by a linear flow); the term $N^{1/2-\gamma}K_t$ carries the
# **variance**. $V_t$ is centred too ($\mathbb E B^N = 0$: the kernel is an unbiased average), and the term
# $N^{-1/2}V_t$ is always smaller than the fluctuation when $\gamma < 1$. The term $N^{\gamma-1}R_t$ has the mean
# $N^{\gamma-1}Q^1_t$, the first **deterministic** correction. Moving the weights twice gives $N^{-2(1-\gamma)}Q^2_t$, and so on: the expansion reads
#
# $$
# h^N_t = h_t + \sum_{j\ge1} N^{-j(1-\gamma)}Q^j_t + N^{-(\gamma-1/2)}K_t + \dots,
# $$
#
# which is the form of the expansion the shallow paper proves {cite:p}`yu2021shallow` (*the paper's claim*), stopping
# the sum at the last term that is not smaller than the fluctuation. We reproduce its form, not its precise statement
# or hypotheses. The derivation above is ours and heuristic: it expands formally and does not control the
# remainders.
#
# **Counting the corrections.** $N^{-j(1-\gamma)}$ is at least as large as $N^{-(\gamma-1/2)}$ when $j(1-\gamma)\le
# \gamma - \frac12$. The number of such $j$, $\nu - 1$, is $0$ for $\gamma < 3/4$, and a new term enters at
# $\gamma = 3/4, 5/6, 7/8, \dots$ — infinitely many as $\gamma \to 1$, where the expansion gives way to the nonlinear
# mean-field limit (Exercise 4.2 counts them).

# %% [markdown]
# One experiment serves most measurements of this chapter: for each $\gamma\in\{0.5, 0.6, 0.75, 0.9, 1\}$, each width
# and each seed we train a network — the same initial weights for every $\gamma$, and each narrower network made of
# the first units of the widest (common random numbers, so width and $\gamma$ comparisons are not buried in seed
# noise) — together with its *mirror* ($C\to -C$) and its linearization at initialization.

# %%
problem = toy_problem()
DEVICE = resolve_device()
WIDTHS = pick((50, 100, 200, 400), (50, 100, 200, 400, 800, 1600))
SEEDS = pick(48, 256)
TIMES = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0)
T_LATE = max(TIMES)
print(f"training {len(GAMMAS)} γ × {len(WIDTHS)} widths × {SEEDS} seeds (and their mirrors) up to t = {T_LATE:g}")
sweep = train_sweep(problem, widths=WIDTHS, gammas=GAMMAS, n_seeds=SEEDS, times=TIMES, antithetic=True,
                    linearized=True, device=DEVICE)
limit = sweep.limit

# %% [markdown]
# (pred-trained-variance)=
# ## 4.2 The variance after training
#
# The expansion's random part is $N^{-(\gamma-1/2)}K_t$, so $\operatorname{Var}h^N_t(x)\approx
# N^{1-2\gamma}\operatorname{Var} K_t(x)$: slope $1-2\gamma$ on a log–log plot at every fixed $t$. Solid: measured
# (averaged over the evaluation points, ± one standard error); dashed: $N^{1-2\gamma}\operatorname{Var}K_t$ computed
# from the kernel limit. Look at $t=0$, where the law is exact and the lines must agree, then at how the measured
# points compare with the dashed lines as training goes on, and for which $\gamma$ they part.

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
# The fitted slopes, with seed-bootstrap 95% intervals, beside $1-2\gamma$:

# %%
slopes_variance = slope_table(by_width.slopes, values=(0.0, 0.5, 1.0, T_LATE))
slopes_variance.insert(0, "1 − 2γ", [1 - 2 * g for g in slopes_variance.index])
slopes_variance

# %% [markdown]
# At $t = 0$ the variance law is exact at every width, so there the intervals should contain $1-2\gamma$ (95% of the
# time). All five $\gamma$'s share the same initial weights, so at $t=0$ the seed noise shifts all five slopes by
# the *same* amount — compare the rows; read the later columns against the $t=0$ column as well as against
# $1-2\gamma$. Where the slopes after training move away from $1-2\gamma$, the expansion says why: the next terms are
# smaller than the leading one only by powers of $N$ with small exponents (a relative $N^{-2(1-\gamma)}$ here: the
# mean second-order drift of the kernel of §4.5 changes the flow that carries $K_t$).
#
# (pred-variance-gamma)=
# ## 4.3 The variance against $\gamma$ at fixed width
#
# At fixed $N$ the leading variance $N^{1-2\gamma}\operatorname{Var}K_t$ falls as $\gamma$ grows, because $K_t$ does
# not depend on $\gamma$. At the largest width, one line per time; dashed, the leading-order prediction (for
# $\gamma = 1$ it is only the kernel-regime formula, not the mean-field one). Look at the fall from $\gamma=1/2$ to
# $\gamma = 1$ at every $t$.

# %%
by_gamma = variance_vs_gamma(sweep)
shown_t = by_gamma.table[by_gamma.table.t.isin((0.0, 0.5, 1.0, T_LATE))]
ax = measured_vs_predicted(shown_t, "gamma", "variance", hue="t", predicted="predicted_variance", logx=False,
                           hue_format="t={:g}", predicted_label=r"$N^{1-2\gamma}\,\mathrm{Var}\,K_t$")
ax.set_title(f"variance at N = {max(WIDTHS)}")
plt.show()
monotone = bool((by_gamma.table.dropna(subset=["ratio_to_previous"]).ratio_to_previous < 1).all())
glue("variance_monotone", "falls" if monotone else "does not fall everywhere")
shown_t.pivot(index="gamma", columns="t", values="variance").rename(columns=lambda t: f"Var at t={t:g}").map(
    "{:.1e}".format)

# %% [markdown]
# In this run the variance {glue:text}`variance_monotone` from each $\gamma$ to the next, at every recorded time.
#
# ## 4.4 Bias and variance: the papers' argument
#
# The mean squared error of the trained output at a point $x$ splits into the squared bias of its mean and its
# variance, and the expansion gives each part to its leading order — the bias to order one, the variance to its
# first nonzero order:
#
# $$
# \mathbb E\big(h^N_t(x) - y(x)\big)^2 = \big(\mathbb E\,h^N_t(x) - y(x)\big)^2 + \operatorname{Var}h^N_t(x)
# \;\approx\; \big(h_t(x) - y(x)\big)^2 + N^{1-2\gamma}\operatorname{Var}K_t(x).
# $$
#
# Neither $h_t$ nor $K_t$ depends on $\gamma$ — the kernel $A$, the covariance $\Sigma$ and $\alpha$ do not — so, each
# part taken to its leading order, **$\gamma$ enters the error only through the variance**, and a larger $\gamma$
# lowers it. This is the papers' argument.
#
# ```{prf:remark} What the argument leaves out (our derivation)
# :label: rem-bias-cross-term
#
# The approximation above is not the expansion of the error in one power of $N$. Squaring the bias with the
# expansion, $\mathbb E h^N_t - y = (h_t - y) + N^{-j^*(1-\gamma)}Q^{j^*}_t + \dots$ with $j^*$ the first $j$ for which
# $Q^j \ne 0$, gives
#
# $$
# \mathbb E\big(h^N_t - y\big)^2 = (h_t - y)^2 + 2(h_t - y)\,N^{-j^*(1-\gamma)}Q^{j^*}_t
# + N^{1-2\gamma}\operatorname{Var}K_t + \dots
# $$
#
# The cross term depends on $\gamma$ and $N$, and it is *larger* than the variance when $j^*(1-\gamma) < 2\gamma - 1$,
# that is for $\gamma > (j^*+1)/(j^*+2)$: $\gamma > 2/3$ where $Q^1 \ne 0$, $\gamma > 3/4$ in our setting, where $Q^1 = 0$
# (§4.5) and the cross term is $2(h_t-y)N^{-2(1-\gamma)}Q^2_t$. Its sign is not fixed by the theory. It vanishes where
# $h_t = y$, which gradient flow reaches on the training points as $t \to \infty$, not at test points. So
# "$\gamma$ enters only through the variance" is exact for the order-one bias and the leading variance; for
# $\gamma$ near 1 the first $N$-dependent term of the error at a test point can be the bias's.
# ```
#
# ```{prf:theorem} No bias–variance trade-off to leading order (the paper's claim)
# :label: thm-no-tradeoff
#
# "To leading order in $N$, there is no bias–variance trade off, in that both bias and variance (both explicitly
# characterized) decrease as the number of hidden units increases and time grows", and "to leading order in $N$,
# the variance of the neural network's statistical output decays as the implied normalization by the scaling
# parameter approaches the mean field normalization" {cite:p}`yu2021shallow` (abstract).
# ```
#
# When do bias and variance fall with $t$? For the limit, on the training points, always — averaged over them:
#
# ```{prf:proposition} Training points (our derivation)
# :label: prop-training-points
#
# With $H = \alpha A/M \succeq 0$, the training-point averages $\frac1M|h_t(X) - y|^2 = \frac1M|e^{-Ht}y|^2$ and
# $\frac1M\sum_m \operatorname{Var}K_t(x_m) = \frac1M\operatorname{tr}\big(e^{-Ht}\Sigma_X e^{-Ht}\big)$ are
# non-increasing in $t$.
# ```
#
# ```{prf:proof}
# $\frac{d}{dt}|e^{-Ht}y|^2 = -2\,y^\top e^{-Ht}He^{-Ht}y \le 0$, and, since $e^{-Ht}$ commutes with $H$,
# $\frac{d}{dt}\operatorname{tr}(e^{-Ht}\Sigma_Xe^{-Ht}) = -2\operatorname{tr}\big(H^{1/2}e^{-Ht}\Sigma_X
# e^{-Ht}H^{1/2}\big) \le 0$ because $e^{-Ht}\Sigma_X e^{-Ht} \succeq 0$.
# ```
#
# Nothing of the kind holds at an evaluation point $x$: the flow fits the training points, so $(h_t(x) - y(x))^2$
# can rise (overfitting), and $K_t(x) = K_0(x) - A(x,X)A^{-1}(I - e^{-Ht})K_0(X)$ can have a larger variance than
# $K_0(x)$. At evaluation points "bias and variance fall with $t$" is a property of the problem, to be measured.
#
# (pred-variance-time)=
# ### The variance and the bias against time
#
# Left: the variance relative to its value at $t=0$, per $\gamma$ at the largest width, at the evaluation points;
# dashed, the leading-order ratio $\operatorname{Var}K_t/\operatorname{Var}K_0$ (the same for every $\gamma$). Right:
# the squared bias of the seed-mean at the evaluation points, $(\overline{h^N_t}-y)^2$ averaged over points (the
# seed-means are antithetic pairs, which removes the fluctuation); dashed, that of $h_t$.

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
# The same two quantities averaged over the **training** points, where {prf:ref}`prop-training-points` applies to
# the limit, beside the evaluation points (largest width, each $\gamma$; first and last recorded times):

# %%
by_time_train = variance_vs_time(sweep, split="train")
both = pd.concat([by_time.table.assign(points="evaluation"), by_time_train.table.assign(points="training")])
both = both[(both.N == max(WIDTHS)) & both.t.isin((0.5, T_LATE))]
both.pivot_table(index=["points", "gamma"], columns="t", values=["ratio", "bias_sq"]).round(4)

# %% [markdown]
# Now fix $t$ and let $N$ grow — the question of the paper's abstract. The table shows, at $t = 2$, the variance
# and the squared bias of the seed-mean per width. Look at the two blocks separately: how the variance moves with $N$,
# and how the bias does.

# %%
late = by_time.table[by_time.table.t == T_LATE]
print(f"variance at t = {T_LATE:g} (rows: width N, columns: γ)")
display(late.pivot(index="N", columns="gamma", values="variance").map("{:.1e}".format))
print(f"squared bias of the seed-mean at t = {T_LATE:g}; that of h_t is {limit_bias[-1]:.4f}")
bias_by_n = late.pivot(index="N", columns="gamma", values="bias_sq")
display(bias_by_n.round(4))
loss_by_n = late.pivot(index="N", columns="gamma", values="loss")
n0, n1 = min(WIDTHS), max(WIDTHS)
rises = {g: bool(bias_by_n.loc[n1, g] > bias_by_n.loc[n0, g]) for g in (0.6, 0.75, 0.9)}
faster = {g: bool(loss_by_n.loc[n0, g] < late.limit_loss.iloc[0]) for g in (0.6, 0.75, 0.9)}


def gammas_where(flags, value=True):
    return ", ".join(f"γ = {g:g}" for g, v in flags.items() if v == value) or "none of γ = 0.6, 0.75, 0.9"


var_by_n = late.pivot(index="N", columns="gamma", values="variance")
var_falls = {g: bool(var_by_n.loc[n1, g] < var_by_n.loc[n0, g]) for g in GAMMAS if g > 0.5}
glue("variance_with_n", (f"fell for {gammas_where(var_falls)}" if any(var_falls.values()) else "fell for no γ > 1/2")
     + (f" and did not for {gammas_where(var_falls, False)}" if not all(var_falls.values()) else ""))
agree = [g for g in rises if rises[g] == faster[g]]
glue("faster_vs_rises", "the γ's where they fit faster are exactly those where the bias rose with N"
     if len(agree) == len(rises) else
     f"that matches where the bias rose with N for {len(agree)} of the {len(rises)} γ's, so the reading is partial")
glue("n_small", n0)
glue("n_large", n1)
glue("bias_rises", gammas_where(rises))
glue("bias_falls", gammas_where(rises, False))
glue("faster", gammas_where(faster))
glue("limit_bias_late", float(limit_bias[-1]))

# %% [markdown]
# **The abstract against the measurement.** {prf:ref}`thm-no-tradeoff` says that bias and variance both decrease as
# $N$ grows. To leading order the variance does for $\gamma > 1/2$ (at $\gamma = 1/2$ it stays of order one); in
# this run the variance at the evaluation points, from $N = $ {glue:text}`n_small` to $N =$ {glue:text}`n_large`,
# {glue:text}`variance_with_n`. The squared bias of the
# seed-mean, between $N = $ {glue:text}`n_small` and $N =$ {glue:text}`n_large`, *rose* in this run for
# {glue:text}`bias_rises` and fell for {glue:text}`bias_falls`; the bias of $h_t$ is {glue:text}`limit_bias_late:.4f`.
# Where the bias rises with $N$ the measurement disagrees with the abstract, and the expansion explains why. To leading order the bias is
# $(h_t - y)^2$, which does not depend on $N$ at all; "the bias decreases with $N$" can only be read as "the error
# decreases with $N$". The bias of a finite network differs from that of $h_t$ by the cross term of
# {prf:ref}`rem-bias-cross-term`, whose sign the theory does not fix, and which for $\gamma > 3/4$ is larger than the
# variance. One reading of the sign: where the finite networks fit *faster* than $h_t$, their bias can be lower at
# finite $N$ and rise to that of $h_t$ as the corrections vanish. In this run the seed-averaged training loss at
# $N = $ {glue:text}`n_small` and $t = 2$ (the mean over seeds of each network's loss, which includes its variance) was
# below the limit's for {glue:text}`faster`; {glue:text}`faster_vs_rises`. In short: no trade-off between the width and
# the *variance*; the bias moves with $N$ through terms that are sub-leading to its order-one part but can exceed
# the variance, in a direction the theory does not fix.
#
# ## 4.5 The first correction, settled
#
# How fast does the seed-mean approach $h_t$? The expansion's answer is $N^{-(1-\gamma)}Q^1_t$ — unless $Q^1_t = 0$.
# It is, in our setting, and the argument is a symmetry.
#
# **The kernel's drift, unit by unit.** On the clock $t$, $\partial_t C^i = \alpha N^{\gamma-1}v_i$ and
# $\partial_t W^i = \alpha N^{\gamma-1}C^i u_i$, with $v_i = \frac1M\sum_m r_m\sigma(W^i\cdot x_m)$ and
# $u_i = \frac1M\sum_m r_m\sigma'(W^i\cdot x_m)\,x_m$ ($r$ the residual at the training points). Differentiating one
# unit's kernel term $\sigma_i(x)\sigma_i(x') + (C^i)^2\sigma'_i(x)\sigma'_i(x')\,x\cdot x'$ along this motion,
#
# $$
# D_i(x,x') = C^i\big[\sigma'_i(x)\sigma_i(x')\,x\cdot u_i + \sigma_i(x)\sigma'_i(x')\,x'\cdot u_i
# + 2v_i\,\sigma'_i(x)\sigma'_i(x')\,x\cdot x'\big] + (C^i)^3\big[\sigma''_i(x)\sigma'_i(x')\,x\cdot u_i
# + \sigma'_i(x)\sigma''_i(x')\,x'\cdot u_i\big]\,x\cdot x' ,
# $$
#
# and $\partial_t A_N = \alpha N^{\gamma-1}\frac1N\sum_i D_i$. Every term carries an **odd power of $C^i$**: the
# movement of $W^i$ is proportional to $C^i$, and the $C^2$ term changes through $C^i\,\partial_tC^i$ or $(C^i)^2
# \partial_t W^i$.
#
# ```{prf:proposition} When the first correction vanishes (our derivation, heuristic)
# :label: prop-first-correction
#
# Let the readout be centred, $\mathbb E[C] = 0$, and independent of $W$. The mean drift of the kernel at first
# order is $\bar A^1_t = \alpha\,\mathbb E[C^3]\int_0^t\Psi_s\,ds$, with
#
# $$
# \Psi_s(x,x') = (x\cdot x')\,\frac1M\sum_m r_s(x_m)\big[x\cdot x_m\,J(x,x',x_m) + x'\cdot x_m\,J(x',x,x_m)\big],
# \qquad J(a,b,c) = \mathbb E_w\big[\sigma''(w\cdot a)\sigma'(w\cdot b)\sigma'(w\cdot c)\big].
# $$
#
# 1. If the readout law is symmetric ($\mathbb E[C^3] = 0$), $Q^1 = 0$.
# 2. If the units have no bias, $\sigma'$ is even (the sigmoid and tanh) and $W$ has a symmetric law (here Gaussian),
#    $J$ is the mean of a function odd under $w \to -w$, so $J = 0$ and $Q^1 = 0$ **whatever $\mathbb E[C^3]$**.
# 3. With a skewed readout ($\mathbb E[C^3] \ne 0$) and units $\sigma(W\cdot x + \beta)$ with a fixed bias
#    $\beta \ne 0$, $J \ne 0$ and in general $Q^1 \ne 0$.
#
# In cases 1 and 2 the seed-mean gap is $\mathbb E h^N_t - h_t = N^{-2(1-\gamma)}Q^2_t + O(N^{-1})$ (and
# $+\,O(N^{-\gamma})$ when $\mathbb E[C^3] \ne 0$); in case 3 it is $N^{-(1-\gamma)}Q^1_t + \dots$
# ```
#
# ```{prf:proof}
# To first order the drift is evaluated at the initial weights and at the limit's residual $r_s = y - h_s$, so its
# mean is $\frac1N\sum_i \mathbb E D_i = \mathbb E[C]\,(\dots) + \mathbb E[C^3]\,\Psi_s$: the first bracket's expectation
# factorizes because $C$ is independent of $W$. In case 2, $\sigma'$ even and $\sigma''$ odd make the integrand of $J$
# odd in $w$, whose law is symmetric. The remainders: the second-order drift (weights moved twice, an even power of
# $C$) has a nonzero mean, of order $N^{2(\gamma-1)}$. The drift's first-order part is correlated with the
# fluctuation, since both are sums over the same units: $\mathbb E\big[\frac1N\sum_i C^i\phi_i\cdot
# N^{-1/2}\sum_j C^j\sigma_j\big]$ keeps only $i = j$ and is $O(N^{-1/2})$, so the product
# $N^{\gamma-1}\cdot N^{1/2-\gamma}\cdot N^{-1/2}$ contributes $O(N^{-1})$ to the mean. The kernel's noise $B^N$ (even in
# $C$) is correlated with $K^N_0$ (odd) only through $\mathbb E[C^3]$, which gives $N^{-1/2}\cdot N^{1/2-\gamma} =
# N^{-\gamma}$. The Euler step $1/N$ adds $O(1/N)$.
# ```
#
# Two consequences we can measure. With the symmetric readout the seed-mean gap falls like $N^{-2(1-\gamma)}$: slopes
# $-0.8$, $-0.5$, $-0.2$ for $\gamma = 0.6, 0.75, 0.9$, not $-0.4, -0.25, -0.1$. (With a skewed readout and no bias
# the $N^{-\gamma}$ term leads when $\gamma < 2/3$.) And the **distance to the linearized
# network** — the network trained with its own initial kernel $A_N(0)$ frozen — is driven by the drift alone: per
# seed, the first-order drift is an average of $N$ centred terms, of size $N^{\gamma-1}N^{-1/2} = N^{\gamma-3/2}$ and
# mean zero, and the second-order drift has a mean of size $N^{2\gamma-2}$. So the seed spread of $g - g^{\rm lin}$
# falls like $N^{\gamma-3/2}$, its seed-mean like $N^{2\gamma-2}$, and the whole distance like
# $N^{\max(\gamma-3/2,\,2\gamma-2)}$.
#
# ### A check without finite-width noise
#
# Finite networks mix the drift with the noise of their $N$ units. To check the derivation of $Q^1$ alone,
# `gammanet.theory.width_free_flow` moves the *law* of a unit instead of $N$ random units: the law of $(C, W)$ is
# replaced by weighted quadrature points (a Gauss–Hermite grid for $W$, Gauss–Hermite or Gauss–Laguerre nodes for
# $C$), each point follows the gradient flow above with the speed $N^{\gamma-1}$ replaced by a number $\varepsilon$, and
# the output is $\varepsilon^{-1}\sum_j p_j C_j\sigma(W_j\cdot x + \beta)$. There is no initial fluctuation and no kernel
# noise, so by {prf:ref}`def-expansion-terms` its output is exactly $h_t + \varepsilon Q^1_t + \varepsilon^2 Q^2_t +
# \dots$: halving $\varepsilon$ should halve the gap $g^\varepsilon_t - h_t$ when $Q^1 \ne 0$ and quarter it otherwise,
# and $g^\varepsilon_t - h_t - \varepsilon Q^1_t$ (with $Q^1_t$ from the equation of {prf:ref}`def-expansion-terms`,
# solved by `FirstCorrection`) should always be quartered. Three settings: a symmetric readout with a bias, a
# skewed readout without bias, both.

# %%
EPS = (0.08, 0.04, 0.02)
NODES = pick(16, 32)                     # quadrature nodes per weight axis of the width-free flow
check = width_free_check(problem, ALPHA, EPS, 1.0, n_weight_nodes=NODES)
ratios = check.dropna().groupby(["readout", "hidden_bias"]).agg(gap_ratio=("gap_ratio", "mean"),
                                                                  remainder_ratio=("remainder_ratio", "mean"))
for (readout, beta), row in ratios.iterrows():
    glue(f"ratio_{readout}_{beta:g}", row.gap_ratio)
glue("remainder_ratio_skewed", ratios.loc[("skewed", 1.0), "remainder_ratio"])
at_08 = check[(check.readout == "skewed") & (check.hidden_bias == 1.0) & np.isclose(check.eps, 0.08)].iloc[0]
glue("remainder_share", abs(at_08.remainder / at_08.gap))
glue("eps_075_large", max(WIDTHS) ** -0.25)
check[["readout", "hidden_bias", "eps", "gap", "first_order", "remainder", "gap_ratio", "remainder_ratio"]]

# %% [markdown]
# When $\varepsilon$ halves, the gap is multiplied by {glue:text}`ratio_centered_1:.3f` (symmetric readout, $\beta = 1$),
# {glue:text}`ratio_skewed_0:.3f` (skewed readout, no bias) and {glue:text}`ratio_skewed_1:.3f` (skewed readout,
# $\beta = 1$), averaged over the two halvings; for the last, the remainder after subtracting $\varepsilon Q^1_t$ by
# {glue:text}`remainder_ratio_skewed:.3f`. Compare with $1/4$ (second order) and $1/2$ (first order): only the
# skewed readout *with* a bias has a first correction, and it is the $Q^1_t$ of the equation.
#
# (pred-seed-mean)=
# ### The seed-mean of trained networks approaches $h_t$ like $N^{-2(1-\gamma)}$
#
# To see the deterministic part in trained networks we need seed-means in which the fluctuation
# $N^{-(\gamma-1/2)}K_t$ does not swamp everything. The mirror of each network ($C\to-C$) has the same law and the
# opposite $K_0$, so averaging each pair cancels the fluctuation — every term odd in $C$ — from the seed-mean
# (antithetic variates). Plotted: the RMS over evaluation points of (seed-mean $-\,h_t$) against $N$ (markers),
# and dashed the same gap for the width-free flow at $\varepsilon = N^{\gamma-1}$ — every order of the drift at once,
# with no free parameter.

# %%
mean_gap = gap_vs_first_correction(sweep, n_weight_nodes=NODES)
fig, axes = plt.subplots(1, 2, figsize=(10.5, 3.8), sharey=True)
for ax, t in zip(axes, (1.0, T_LATE)):
    measured_vs_predicted(mean_gap.table[mean_gap.table.t == t], "N", "gap", err="noise_floor", predicted="flow",
                          predicted_label=r"width-free flow, $\varepsilon = N^{\gamma-1}$", ax=ax,
                          legend="outside" if t == T_LATE else None)
    ax.set_title(f"RMS of (seed-mean − $h_t$) at t = {t:g}")
fig.tight_layout()
plt.show()

# %% [markdown]
# The error bars are the seed noise of the pair means. The fitted slopes, with seed-bootstrap 95% intervals, beside
# $-2(1-\gamma)$ (the asymptotic exponent), $-(1-\gamma)$ (what a nonzero $Q^1$ would give) and the slope of the
# width-free flow over the same widths:

# %%
gap_slopes = mean_gap.slopes[mean_gap.slopes.t.isin((1.0, T_LATE))].copy()
gap_slopes["−(1−γ)"] = gap_slopes.gamma - 1
gap_slopes = gap_slopes.rename(columns={"theory": "−2(1−γ)", "flow_slope": "flow over these widths"})
shown_slopes = gap_slopes.set_index(["gamma", "t"])[["slope", "ci_low", "ci_high", "−2(1−γ)", "−(1−γ)",
                                                     "flow over these widths"]]
late_gap = gap_slopes[gap_slopes.t == T_LATE].set_index("gamma")
for g in (0.6, 0.75, 0.9):
    glue(f"gap_slope_{g:g}", late_gap.loc[g, "slope"])
    glue(f"gap_low_{g:g}", late_gap.loc[g, "ci_low"])
    glue(f"gap_high_{g:g}", late_gap.loc[g, "ci_high"])
    glue(f"flow_slope_{g:g}", late_gap.loc[g, "flow over these widths"])
glue("eps_09_large", max(WIDTHS) ** -0.1)
largest = mean_gap.table[(mean_gap.table.N == max(WIDTHS)) & (mean_gap.table.t == T_LATE)]
glue("flow_distance_large", float(largest.flow_distance.mean()))
glue("noise_large", float(largest.noise_floor.mean()))
shown_slopes.round(3)

# %% [markdown]
# At $t = 2$ the measured slopes are {glue:text}`gap_slope_0.6:+.2f` [{glue:text}`gap_low_0.6:+.2f`,
# {glue:text}`gap_high_0.6:+.2f`], {glue:text}`gap_slope_0.75:+.2f` [{glue:text}`gap_low_0.75:+.2f`,
# {glue:text}`gap_high_0.75:+.2f`] and {glue:text}`gap_slope_0.9:+.2f` [{glue:text}`gap_low_0.9:+.2f`,
# {glue:text}`gap_high_0.9:+.2f`] for $\gamma = 0.6, 0.75, 0.9$. Read them against two references. The asymptotic
# exponent $-2(1-\gamma)$ holds only once $\varepsilon = N^{\gamma-1}$ is small, and at these widths it is not (at the
# largest width, $N =$ {glue:text}`n_large`, $\varepsilon = N^{-0.1}$ is {glue:text}`eps_09_large:.2f` for
# $\gamma = 0.9$): the next order is not negligible. The width-free flow at the same $\varepsilon$'s contains all the
# orders, and its slopes over these widths ({glue:text}`flow_slope_0.6:+.2f`, {glue:text}`flow_slope_0.75:+.2f`,
# {glue:text}`flow_slope_0.9:+.2f`) are what the deterministic part of the expansion predicts here. In the figure,
# compare the markers with the dashed flow: at the largest width and $t = 2$ the RMS distance between the two,
# averaged over $\gamma$, is {glue:text}`flow_distance_large:.4f`, against a seed noise of
# {glue:text}`noise_large:.4f`; what the flow leaves out besides the noise is of order $1/N$ (the Euler step and the
# correlation terms of the proof). The first-order slope $-(1-\gamma)$, which a nonzero $Q^1$
# would impose at large $N$, is the reference the data should *not* follow. The figure leaves $\gamma = 1$ out: there
# nothing makes the gap close, since the mean-field limit is not $h_t$.
#
# (pred-linearized)=
# ### Distance to the linearized network
#
# The linearized network $g^{\rm lin}(\theta) = g(\theta_0) + \nabla g(\theta_0)\cdot(\theta-\theta_0)$ is trained
# side by side with every network (same initial weights, same rate); it moves by exactly the frozen empirical kernel
# $A_N(0)$, so $g - g^{\rm lin}$ is the effect of the drift alone. Left: the RMS over seeds and points of
# $g^N_t - g^{\rm lin}_t$; right, its two parts: the seed spread (solid; predicted slope $\gamma - 3/2$) and the
# seed-mean (dotted, antithetic pairs; predicted slope $2\gamma - 2$).

# %%
distance = distance_to_linearized(sweep)
parts = distance.slopes[distance.slopes.t == T_LATE].pivot(index="gamma", columns="statistic",
                                                            values=["slope", "ci_low", "ci_high", "theory"])
fig, (a, b) = plt.subplots(1, 2, figsize=(11, 3.9))
measured_vs_predicted(distance.table[distance.table.t == T_LATE], "N", "distance", ax=a)
a.set_title(f"RMS of g − g_lin, t = {T_LATE:g}")
late_parts = distance.table[distance.table.t == T_LATE]
measured_vs_predicted(late_parts, "N", "spread_part", ax=b, legend="outside")
measured_vs_predicted(late_parts, "N", "mean_part", ax=b, legend=None, linestyle=":", marker="s")
b.set_title("seed spread (solid) and seed-mean (dotted)")
b.set_ylabel("RMS over points")
fig.tight_layout()
plt.show()
table_parts = pd.DataFrame({
    f"{name} slope": parts["slope"][stat].map("{:+.2f}".format) + " [" + parts["ci_low"][stat].map("{:+.2f}".format)
    + ", " + parts["ci_high"][stat].map("{:+.2f}".format) + "]" for stat, name in
    (("rms", "distance"), ("spread_part", "spread"), ("mean_part", "mean"))})
table_parts.insert(1, "max(γ−3/2, 2γ−2)", parts["theory"]["rms"])
table_parts.insert(3, "γ − 3/2", parts["theory"]["spread_part"])
table_parts.insert(5, "2γ − 2", parts["theory"]["mean_part"])
for g in GAMMAS:
    glue(f"spread_slope_{g:g}", parts["slope"]["spread_part"][g])
table_parts

# %% [markdown]
# The spread's slopes ({glue:text}`spread_slope_0.5:+.2f`, {glue:text}`spread_slope_0.6:+.2f`,
# {glue:text}`spread_slope_0.75:+.2f`, {glue:text}`spread_slope_0.9:+.2f` for $\gamma = 0.5$ to $0.9$) test the
# statement that the first-order drift fluctuates like $N^{-1/2}$: compare them with $\gamma - 3/2$. That its mean is
# zero is tested by the seed-mean part: its slope should approach $2\gamma-2$ (the second-order drift), not
# $\gamma-1$; it shares the pre-asymptotic bend of the gap above. At $\gamma = 1$ the formula gives $0$: nothing makes the distance shrink, while its spread should fall like
# the mean-field fluctuations, $N^{-1/2}$.
#
# (pred-first-correction)=
# ### Where the first correction survives: a skewed readout and a bias
#
# Case 3 of {prf:ref}`prop-first-correction` needs both symmetries broken. We take the readout $C = E - 1$ with
# $E \sim \mathrm{Exp}(1)$ — mean $0$, variance $1$ like the normal readout, so $g_0$ is still of size $N^{1/2-\gamma}$
# and $A$, $h_t$ and the law of $K_t$ are those of the normal readout with the same bias (the bias itself changes
# $A$, $\Sigma$ and $h_t$: we use the limit with $\beta = 1$), but $\mathbb E[C^3] = 2$ (`init="skewed"`: drawn from the same normal
# numbers by the quantile transform, so the networks are those of the normal readout, skewed) — and a fixed bias
# $\beta = 1$ in every unit, $\sigma(W\cdot x + 1)$. The mirror trick needs a symmetric law, so the seed-means use
# another way to remove the fluctuation: from each network we subtract its own $N^{1/2-\gamma}K_t$, computed from
# its initial output by the linear flow (`KernelLimit.transport`). It has mean zero exactly — $\mathbb E g_0 = 0$
# because $\mathbb E[C] = 0$ — so the seed-mean keeps its expectation and loses most of its noise (a control
# variate).
#
# ```{prf:remark} Why not a readout of nonzero mean
# :label: rem-nonzero-mean
#
# A readout with $\mathbb E[C] \ne 0$ keeps the $C$-odd terms alive, but it is no test of the expansion around $h_t$:
# its initial output has mean $N^{1-\gamma}\mathbb E[C]\,\mathbb E[\sigma]$, which diverges with $N$ for the sigmoid
# ($\mathbb E\sigma = 1/2$; chapter 1), so the network does not start near $h_0 = 0$ at all. With tanh the mean
# vanishes ($\tanh$ is odd), but then the $w \to -w$ symmetry makes the $\mathbb E[C]$-terms of the drift vanish as
# well. A skewed but centred readout keeps $g_0 = O(N^{1/2-\gamma})$; only the bias is needed besides.
# ```

# %%
SKEWED_GAMMAS = (0.6, 0.75, 0.9)
skewed = train_sweep(problem, widths=WIDTHS, gammas=SKEWED_GAMMAS, n_seeds=SEEDS, times=(0.0, 1.0, T_LATE),
                     linearized=False, init="skewed", hidden_bias=1.0, seed=10_000, device=DEVICE)
correction = FirstCorrection(problem, ALPHA, "skewed", 1.0, n_nodes=NODES, limit=skewed.limit)
first = gap_vs_first_correction(skewed, correction=correction, n_weight_nodes=NODES)
print(f"seed-means by {skewed.mean_method}; E[C³] = {skewed.init.readout_third_moment:g}, β = 1")
fig, axes = plt.subplots(1, 2, figsize=(10.5, 3.8), sharey=True)
for ax, t in zip(axes, (1.0, T_LATE)):
    rows = first.table[first.table.t == t]
    measured_vs_predicted(rows, "N", "gap", err="noise_floor", predicted="flow",
                          predicted_label=r"width-free flow, $\varepsilon = N^{\gamma-1}$", ax=ax,
                          legend="outside" if t == T_LATE else None)
    for gamma, part in rows.groupby("gamma"):
        ax.plot(part.N, part.first_order, ":", color=gamma_palette(GAMMAS)[gamma], lw=1.2)
    ax.plot([], [], ":", color="0.4", label=r"$N^{\gamma-1}|Q^1_t|$")
    ax.set_title(f"t = {t:g}")
axes[-1].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
fig.suptitle("skewed readout, β = 1: RMS of (seed-mean − $h_t$)")
fig.tight_layout()
plt.show()

# %% [markdown]
# Markers: the measured gap; dashed: the width-free flow (all orders); dotted grey: the first-order term
# $N^{\gamma-1}|Q^1_t|$ alone. The slopes at $t = 2$, beside $-(1-\gamma)$ and the flow's slope over these widths:

# %%
first_slopes = first.slopes[first.slopes.t == T_LATE].set_index("gamma")[["slope", "ci_low", "ci_high", "theory",
                                                                          "flow_slope"]]
first_slopes = first_slopes.rename(columns={"theory": "−(1−γ)", "flow_slope": "flow over these widths"})
for g in SKEWED_GAMMAS:
    glue(f"first_slope_{g:g}", first_slopes.loc[g, "slope"])
    glue(f"first_low_{g:g}", first_slopes.loc[g, "ci_low"])
    glue(f"first_high_{g:g}", first_slopes.loc[g, "ci_high"])
    glue(f"first_flow_{g:g}", first_slopes.loc[g, "flow over these widths"])
rescaled = first.table[(first.table.t == T_LATE) & (first.table.gamma == 0.6)].set_index("N").rescaled_error
glue("rescaled_small", rescaled.iloc[0])
glue("rescaled_large", rescaled.iloc[-1])
first_slopes.round(3)

# %% [markdown]
# The measured slopes are {glue:text}`first_slope_0.6:+.2f` [{glue:text}`first_low_0.6:+.2f`,
# {glue:text}`first_high_0.6:+.2f`], {glue:text}`first_slope_0.75:+.2f` [{glue:text}`first_low_0.75:+.2f`,
# {glue:text}`first_high_0.75:+.2f`] and {glue:text}`first_slope_0.9:+.2f` [{glue:text}`first_low_0.9:+.2f`,
# {glue:text}`first_high_0.9:+.2f`]; the flow predicts {glue:text}`first_flow_0.6:+.2f`,
# {glue:text}`first_flow_0.75:+.2f` and {glue:text}`first_flow_0.9:+.2f` over these widths and $-0.4, -0.25, -0.1$
# asymptotically. Compare them with the centred readout's slopes above, where $Q^1 = 0$: asymptotically the
# exponents differ by a factor 2. At these widths the second order is not small next to the first for $\gamma \ge
# 3/4$ (in the width-free table above, with the skewed readout and $\beta = 1$, the remainder is
# {glue:text}`remainder_share:.2f` of the gap at $\varepsilon = 0.08$, and at the largest width $N^{-0.25}$ is
# {glue:text}`eps_075_large:.2f`), which is why the flow's own slope over these widths is not yet $-(1-\gamma)$: read the
# measured slopes against it, within their intervals. At $\gamma = 0.6$, where
# $\varepsilon = N^{-0.4}$ is smallest, the first-order term should take over first. The figure puts the gap rescaled
# by $N^{1-\gamma}$ against $Q^1_t$, point by point: on the diagonal when the first order is all there is. Its
# relative distance to $Q^1_t$ (RMS over the points) is {glue:text}`rescaled_small:.2f` at the smallest width and
# {glue:text}`rescaled_large:.2f` at the largest:

# %%
fig, ax = plt.subplots(figsize=(4.6, 4.2))
q1 = correction.mean([T_LATE], "test")[0].numpy()
h_late = skewed.limit.mean([T_LATE], "test")[0].numpy()
means = skewed.mean_samples(0.6, T_LATE).mean(0).numpy()                                      # (W, P)
for j, n in enumerate(skewed.widths):
    ax.plot(q1, n ** 0.4 * (means[j] - h_late), "o", ms=4, alpha=0.4 + 0.6 * j / max(1, len(WIDTHS) - 1),
            color="tab:purple", label=f"N = {n}")
lim = np.abs(q1).max() * 1.5
ax.plot([-lim, lim], [-lim, lim], "k--", lw=1, label="$Q^1_t$")
ax.set(xlabel="$Q^1_t(x)$ at the evaluation points", ylabel=r"$N^{1-\gamma}$ (seed-mean − $h_t$)",
       title=f"γ = 0.6, t = {T_LATE:g}")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## What you saw
#
# The numbers behind each sentence, from the runs above (they change with the sizes: the quick build picks small
# ones):

# %% tags=["hide-input"]
def say(text):
    print(textwrap.fill(text, width=88, initial_indent="- ", subsequent_indent="  "))


def fmt(row):
    return f"{row.slope:+.2f} [{row.ci_low:+.2f}, {row.ci_high:+.2f}]"


late_slopes = by_width.slopes[by_width.slopes.t == T_LATE].set_index("gamma")
variance_at_n = by_gamma.table[by_gamma.table.t == T_LATE].set_index("gamma").variance
ratio_late = widest[widest.t == T_LATE].set_index("gamma")
say(f"Variance slopes at t={T_LATE:g} (95% CI) against 1 − 2γ: "
    + "; ".join(f"γ={g:g}: {fmt(late_slopes.loc[g])} vs {1 - 2 * g:+.1f}" for g in GAMMAS) + ".")
say(f"Variance at N={n1}, t={T_LATE:g}, from γ = 0.5 to γ = 1: " + ", ".join(f"{v:.1e}" for v in variance_at_n.values)
    + ".")
say(f"Variance ratio Var(t={T_LATE:g})/Var(0) at N={n1}, evaluation points: "
    + ", ".join(f"γ={g:g}: {ratio_late.loc[g].ratio:.3f}" for g in GAMMAS)
    + f" (leading order {ratio_late.predicted_ratio.iloc[0]:.3f}).")
say(f"At t={T_LATE:g}, N={n0} → N={n1}, the squared bias of the seed-mean goes "
    + ", ".join(f"γ={g:g}: {bias_by_n.loc[n0, g]:.4f} → {bias_by_n.loc[n1, g]:.4f}" for g in GAMMAS)
    + f" (that of h_t: {limit_bias[-1]:.4f}); the variance, N={n0} → N={n1}: "
    + ", ".join(f"γ={g:g}: {var_by_n.loc[n0, g]:.1e} → {var_by_n.loc[n1, g]:.1e}" for g in GAMMAS) + ".")
say("Width-free flow, gap multiplied when ε halves: " + ", ".join(
    f"{r}, β={b:g}: {v:.3f}" for (r, b), v in ratios.gap_ratio.items()) + " (1/4: second order, 1/2: first order).")
say(f"Seed-mean gap slopes at t={T_LATE:g}, centred readout: "
    + "; ".join(f"γ={g:g}: {fmt(late_gap.loc[g])} (flow {late_gap.loc[g, 'flow over these widths']:+.2f}, "
                f"−2(1−γ) = {2 * g - 2:+.1f})" for g in (0.6, 0.75, 0.9)) + ".")
say("Skewed readout with β = 1: " + "; ".join(
    f"γ={g:g}: {fmt(first_slopes.loc[g])} (flow {first_slopes.loc[g, 'flow over these widths']:+.2f}, "
    f"−(1−γ) = {g - 1:+.2f})" for g in SKEWED_GAMMAS) + ".")
say("Distance to the linearized network at t={:g}, spread slopes against γ − 3/2: ".format(T_LATE) + "; ".join(
    f"γ={g:g}: {parts['slope']['spread_part'][g]:+.2f} vs {g - 1.5:+.2f}" for g in GAMMAS) + ".")

# %% [markdown]
# In words: for $\gamma<1$ the trained network is $h_t$ plus a Gaussian fluctuation of variance
# $N^{1-2\gamma}\operatorname{Var}K_t$ plus deterministic corrections in powers of $N^{-(1-\gamma)}$. To leading order
# the variance falls with $N$ and with $\gamma$ — and, on the training points, provably with $t$ — and, each part of
# the error taken to its leading order, it is the only place where $\gamma$ enters; the measured slopes and ratios
# above say how closely networks of these widths follow. The bias, to order one, does not depend on $N$; at finite
# $N$ it moves with the corrections, through a cross term that for $\gamma > 3/4$ is larger than the variance
# ({prf:ref}`rem-bias-cross-term`; on our problem: the table of §4.4). The first correction $Q^1$ vanishes by symmetry for a symmetric readout or units without bias —
# then the seed-mean approaches $h_t$ like $N^{-2(1-\gamma)}$, and the network's distance to its linearization
# splits into a spread $N^{\gamma-3/2}$ and a mean $N^{2\gamma-2}$ — and it survives with a skewed readout and a bias,
# where the gap closes like $N^{-(1-\gamma)}$ once $N^{\gamma-1}$ is small. At these widths the asymptotic exponents
# can show only in part; the width-free flow at $\varepsilon = N^{\gamma-1}$, which carries all the orders, is the
# reference for finite widths.
#
# Deep networks have one such expansion per layer; chapter 5 ({doc}`../notebooks/05_deep`) takes them up.
#
# ## Exercises
#
# Exercises 4.1–4.5 ask you to derive, compute and measure; 4.6–4.8 are short questions. Each check runs your answer
# on hidden cases and gives a hint, never the answer.
#
# ```{exercise} The fluctuation's variance at an evaluation point
# :label: ex-4-1
#
# *(substantial, ~40 min)* The leading-order variance of the trained output is $N^{1-2\gamma}\operatorname{Var}
# K_t(x)$. At an evaluation point $x$, $K_t(x) = K_0(x) - A(x,X)\,A^{-1}(I - e^{-\alpha At/M})\,K_0(X)$
# ({prf:ref}`def-expansion-terms`), where $(K_0(X), K_0(x))$ is a centred Gaussian vector whose covariance is
# $\Sigma$ on the training and evaluation points together.
#
# 1. Write `my_fluctuation_variance(A, A_cross, Sigma, alpha, t)` returning $\operatorname{Var}K_t(x)$ at the $P$
#    evaluation points: `A` is the $M\times M$ kernel between training points, `A_cross` the $P\times M$ kernel
#    between evaluation and training points (as in Exercise 3.2), `Sigma` the $(M+P)\times(M+P)$ covariance of
#    $K_0$ with the $M$ training points first (float64 tensors). Some hidden kernels have eigenvalues at zero.
# 2. The cell after the check compares $N^{1-2\gamma}$ times your variance with the variance measured over the
#    seeds of the chapter's sweep at the largest width. Where is the agreement best, and why there?
# 3. Can $\operatorname{Var}K_t(x)$ be larger than $\operatorname{Var}K_0(x)$ at an evaluation point? Compare with
#    {prf:ref}`prop-training-points`.
# ```

# %% tags=["solution"]
def my_fluctuation_variance(A, A_cross, Sigma, alpha, t):
    """Var K_t(x) at the P evaluation points, K_t(x) = K_0(x) - A(x, X) A^{-1}(I - e^{-αAt/M}) K_0(X)."""
    # BEGIN SOLUTION
    m, p = A.shape[0], A_cross.shape[0]
    eigenvalues, vectors = torch.linalg.eigh(A)
    lam = eigenvalues.clamp_min(0)
    rate = alpha * t / m
    factor = torch.where(lam * rate > 1e-12, -torch.expm1(-rate * lam) / torch.where(lam > 0, lam, 1.0),
                         torch.full_like(lam, rate))              # (1 - e^{-rate λ})/λ, finite as λ → 0
    carried = A_cross @ vectors @ torch.diag(factor) @ vectors.T  # K_t(x) = K_0(x) - carried K_0(X)
    linear_map = torch.cat([-carried, torch.eye(p, dtype=A.dtype)], dim=1)
    return torch.diagonal(linear_map @ Sigma @ linear_map.T)
    # END SOLUTION


# %% [markdown] tags=["solution"]
# ```{solution} ex-4-1
# :class: dropdown
#
# $K_t(x)$ is the linear map $L = [-B,\ I]$, $B = A(x,X)\,A^{-1}(I - e^{-\alpha At/M})$ (Exercise 3.2's operator),
# applied to the Gaussian vector $(K_0(X), K_0(x))$, so its covariance is $L\Sigma L^\top$ and the variances are the
# diagonal: $\Sigma(x,x) - 2\,B\,\Sigma(X, x) + B\,\Sigma_X B^\top$ entry by entry. The cross term is the typical
# slip: $K_0(x)$ and $K_0(X)$ are correlated, and the flow subtracts from $K_0(x)$ the $A$-kernel interpolant of
# $K_0(X)$ — not the best linear prediction of $K_0(x)$ from $K_0(X)$, which would use $\Sigma$ instead of $A$ and
# could only lower the variance. That is why the variance can fall at an evaluation point, but need not: unlike the training points, nothing
# forces $\operatorname{Var}K_t(x) \le \operatorname{Var}K_0(x)$ there. In the comparison with the sweep, at $t = 0$
# the law is exact (chapter 1), so any difference is seed noise: with $S$ seeds a variance has a relative standard
# error of about $\sqrt{2/S}$, and the five $\gamma$'s share their seeds, so they err together. After training the
# prediction is leading order only, and the next terms of the expansion, smaller than the fluctuation only by
# powers of $N$ with small exponents, weigh more as $\gamma$ grows.
# ```

# %%
from gammanet.exercises import check_fluctuation_variance
check_fluctuation_variance(my_fluctuation_variance)

# %% tags=["needs-solution"]
x_all = torch.cat([problem.x_train, problem.x_test])
full_kernel = tangent_kernel(x_all)
m = problem.n_train
predicted_rows = []
for gamma in GAMMAS[:-1]:
    for t in (0.0, T_LATE):
        yours = my_fluctuation_variance(full_kernel[:m, :m], full_kernel[m:, :m], limit.Sigma, ALPHA, t)
        measured = sweep.samples(gamma, t)[:, -1].var(0)                  # largest width, over the seeds
        predicted_rows.append({"γ": gamma, "t": t, "measured Var": float(measured.mean()),
                               "N^(1-2γ) × your Var K_t": float(max(WIDTHS) ** (1 - 2 * gamma) * yours.mean())})
pd.DataFrame(predicted_rows).set_index(["γ", "t"]).map("{:.3g}".format)

# %% [markdown]
# ```{exercise} How many corrections before the fluctuation?
# :label: ex-4-2
#
# *(quick, ~10 min)* Write `my_correction_count(gamma)` returning, for $1/2\le\gamma<1$, the number of $j\ge1$ for
# which $N^{-j(1-\gamma)}$ is **at least as large** as $N^{-(\gamma-1/2)}$ for large $N$ (ties count: at a tie both
# terms are of the same order and both must be kept). This is the $\nu-1$ of the expansion. The check uses hidden
# $\gamma$'s, some of them exactly where a new term enters — mind floating point there.
# ```

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
# ```{solution} ex-4-2
# :class: dropdown
#
# $j(1-\gamma)\le\gamma-\frac12 \iff j \le \frac{\gamma-1/2}{1-\gamma}$, so $\nu - 1 =
# \big\lfloor\frac{\gamma-1/2}{1-\gamma}\big\rfloor$. It is $0$ on $[\frac12,\frac34)$, $1$ on $[\frac34,\frac56)$,
# $2$ on $[\frac56,\frac78)$, … — a new term at every $\gamma = 1-\frac{1}{2\nu}$, and infinitely many as
# $\gamma\to1$. Computed in floating point, $\frac{\gamma-1/2}{1-\gamma}$ at $\gamma = 11/12$ comes out as
# $4.999\ldots$, hence the tolerance. (In our setting $Q^1 = 0$, §4.5: the count is that of the paper's general
# expansion, not of the terms that survive.)
# ```

# %%
from gammanet.exercises import check_correction_count
check_correction_count(my_correction_count)

# %% [markdown]
# ```{exercise} Measure the slope yourself
# :label: ex-4-3
#
# *(substantial, ~50 min)*
#
# 1. Write `my_variance_slope(sweep, gamma, t)`: from a trained `TrainingSweep`, take the per-seed outputs
#    `sweep.samples(gamma, t)` (shape: seeds × widths × evaluation points), compute at every width the variance over
#    seeds at each point, average it over the points, and return the least-squares slope of $\log$ variance against
#    $\log N$ (`sweep.widths`). The check runs it on a hidden sweep.
# 2. Choose a $\gamma$ (say $0.8$, or one between two of the chapter's), train a sweep for it with fresh seeds,
#    and compare your slopes at each $t$ with $1-2\gamma$ and with the library's bootstrap interval.
# 3. Explain what you see: where does it agree with $1-2\gamma$, where not, and why might it not?
# ```

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
my_sweep = train_sweep(problem, widths=WIDTHS, gammas=(MY_GAMMA,), n_seeds=pick(32, SEEDS), seed=1000,
                       times=(0.0, 0.5, 1.0, 2.0), linearized=False, device=DEVICE)
library = variance_vs_width(my_sweep).slopes.set_index("t")
for t in my_sweep.times:
    print(f"t = {t:g}: my slope {my_variance_slope(my_sweep, MY_GAMMA, t):+.3f}, library "
          f"{library.slope[t]:+.3f} [{library.ci_low[t]:+.3f}, {library.ci_high[t]:+.3f}], 1 − 2γ = {1 - 2 * MY_GAMMA:+.2f}")

# %% [markdown] tags=["solution"]
# ```{solution} ex-4-3
# :class: dropdown
#
# At $t=0$ the variance law is exact at every width, so the slope differs from $1-2\gamma$ only by
# seed noise — compare it with the interval (a 95% interval misses one time in twenty, and percentile-bootstrap
# intervals from a few dozen seeds tend to be a little too narrow). After training the measured slope can drift from
# $1-2\gamma$ at these widths: $1-2\gamma$ is the *leading-order* slope, and the next terms are smaller only by powers
# of $N$ with small exponents — in our setting by a relative $N^{-2(1-\gamma)}$ (the mean second-order drift of the
# kernel changes the flow that carries $K_t$; $N^{-(1-\gamma)}$ where $Q^1 \ne 0$): for $\gamma = 0.9$ and $N = 400$,
# $400^{-0.2}\approx0.3$ is not negligible — and their weight changes with $t$ as the leading term is contracted by $e^{-\alpha At/M}$. More seeds
# shrink the interval (like $S^{-1/2}$); only larger widths remove the bias of the slope. The seeds are shared across
# widths (nested networks), which is why the interval is narrow enough to see any of this.
# ```

# %% [markdown]
# ```{exercise} Which correction leads the seed-mean gap?
# :label: ex-4-4
#
# *(medium, ~40 min; the follow-up trains two small sweeps: seconds on a GPU)*
#
# 1. Write `my_gap_exponent(gamma, moments, hidden_bias)`: for a centred readout with moments
#    `moments = (E[C], E[C²], E[C³])`, units $\sigma(W\cdot x + \beta)$ with $\beta$ = `hidden_bias` (sigmoid, $W$
#    Gaussian) and $2/3 < \gamma < 1$ (where the $O(N^{-1})$ and $O(N^{-\gamma})$ terms of the proof are smaller than
#    the second-order drift), return the log–log slope in $N$ of the seed-mean gap $\mathbb E h^N_t - h_t$ as
#    $N \to \infty$. The check tries readout laws and biases you have not seen.
# 2. Measure it: train a skewed sweep with a bias at a $\gamma$ of your choice and compare the fitted slope with your
#    exponent and with the width-free flow's slope over the same widths. Then repeat without the bias.
# ```

# %% tags=["solution"]
def my_gap_exponent(gamma, moments, hidden_bias):
    """The slope of log |E h^N_t - h_t| against log N."""
    # BEGIN SOLUTION
    third = moments[2]
    first_correction_survives = third != 0 and hidden_bias != 0     # both symmetries broken
    return -(1 - gamma) if first_correction_survives else -2 * (1 - gamma)
    # END SOLUTION


# %%
from gammanet.exercises import check_gap_exponent
check_gap_exponent(my_gap_exponent)

# %% tags=["needs-solution"]
MY_GAMMA, MY_BIAS = 0.7, 1.0
for bias in (MY_BIAS, 0.0):
    mine = train_sweep(problem, widths=pick((50, 100, 200), WIDTHS), gammas=(MY_GAMMA,), n_seeds=pick(32, 128),
                       times=(0.0, T_LATE), linearized=False, init="skewed", hidden_bias=bias, seed=2000,
                       device=DEVICE)
    row = gap_vs_first_correction(mine, n_boot=200, n_weight_nodes=pick(12, 24)).slopes.iloc[0]
    print(f"β = {bias:g}: measured {row.slope:+.2f} [{row.ci_low:+.2f}, {row.ci_high:+.2f}], "
          f"flow over these widths {row.flow_slope:+.2f}, "
          f"my exponent {my_gap_exponent(MY_GAMMA, (0.0, 1.0, 2.0), bias):+.2f}")

# %% [markdown] tags=["solution"]
# ```{solution} ex-4-4
# :class: dropdown
#
# Average the kernel's first-order drift over the initial law: every term carries $C^i$ or $(C^i)^3$,
# so with $\mathbb E[C] = 0$ only $\mathbb E[C^3]\,J$ survives, and $J = \mathbb E_w[\sigma''\sigma'\sigma']$ vanishes by
# the $w \to -w$ symmetry unless a bias shifts the pre-activations. So the first correction survives only when
# $\mathbb E[C^3] \ne 0$ *and* $\beta \ne 0$: slope $-(1-\gamma)$; otherwise the gap is second order,
# $-2(1-\gamma)$. A measurement at a few hundred units does not show the asymptotic exponents cleanly: the flow's
# slope over the same widths is the fair comparison, and the two measured slopes (with and without the bias) should
# be read against each other within their intervals.
# ```

# %% [markdown]
# ```{exercise} Bias and variance from a few seeds
# :label: ex-4-5
#
# *(medium, ~30 min)* Over the random initializations, the expected squared error at a point splits as
# $\mathbb E(h - y)^2 = (\mathbb E h - y)^2 + \operatorname{Var} h$ (§4.4). With $S$ seeds we only have the
# seed-mean $\bar h$ and the sample variance $s^2$.
#
# 1. Compute $\mathbb E[(\bar h - y)^2]$ for $S$ independent seeds: is the seed-mean's squared error an unbiased
#    estimate of the squared bias?
# 2. Write `my_bias_variance(samples, target)` returning the pair `(squared_bias, variance)`: unbiased estimates of
#    $(\mathbb E h - y)^2$ and $\operatorname{Var} h$, each averaged over the points, from `samples` (an $S\times P$
#    array: the outputs of $S$ independent seeds at $P$ points) and `target` ($P$ values). Check that the two add up
#    to the mean of $(h - y)^2$ over seeds and points.
# 3. The cell after the check applies your function to the chapter's sweep at the largest width and $t = 2$, beside
#    the leading-order prediction $(h_t - y)^2$ and $N^{1-2\gamma}\operatorname{Var}K_t$. Can your squared bias be
#    negative? What does that mean?
# ```

# %% tags=["solution"]
def my_bias_variance(samples, target):
    """(squared bias, variance), unbiased and averaged over the points, from S seeds: samples (S, P), target (P,)."""
    # BEGIN SOLUTION
    samples, target = np.asarray(samples, dtype=float), np.asarray(target, dtype=float)
    n_seeds = samples.shape[0]
    variance = samples.var(axis=0, ddof=1)                               # unbiased, per point
    # E[(h̄ - y)²] = (E h - y)² + Var h / S: remove the seed-mean's own variance
    squared_bias = (samples.mean(axis=0) - target) ** 2 - variance / n_seeds
    return float(squared_bias.mean()), float(variance.mean())
    # END SOLUTION


# %% [markdown] tags=["solution"]
# ```{solution} ex-4-5
# :class: dropdown
#
# $\bar h - y = (\mathbb E h - y) + (\bar h - \mathbb E h)$, and the second term has mean zero and variance
# $\operatorname{Var}h/S$, so $\mathbb E[(\bar h - y)^2] = (\mathbb E h - y)^2 + \operatorname{Var}h/S$: the seed-mean's
# squared error overestimates the squared bias by $\operatorname{Var}h/S$ — with a few seeds and a small bias, by
# far. Subtracting $s^2/S$ (with $s^2$ the unbiased sample variance, `ddof=1`) removes it. The two estimates add up
# to $(\bar h - y)^2 + \frac{S-1}{S}s^2$, the mean over the seeds of $(h - y)^2$, exactly. An unbiased estimate of a
# square can be negative: it happens when the bias is small next to $\operatorname{Var}h/S$, and says that this many
# seeds cannot resolve the bias. (The chapter's seed-mean bias uses antithetic pairs, which remove the fluctuation's
# $\operatorname{Var}/S$ instead of subtracting it. Chapter 7 splits the seeds' mean squared error exactly into the
# plug-in parts, $(\bar h - y)^2$ and the variance with $1/S$: an identity between sample quantities; here the
# question is what they estimate.)
# ```

# %%
from gammanet.exercises import check_bias_variance
check_bias_variance(my_bias_variance)

# %% tags=["needs-solution"]
h_late_test = limit.mean([T_LATE], "test")[0]
decomposition = []
for gamma in GAMMAS[:-1]:
    outputs = sweep.samples(gamma, T_LATE)[:, -1].numpy()                # (seeds, points) at the largest width
    bias_sq, variance = my_bias_variance(outputs, problem.y_test.numpy())
    decomposition.append({
        "γ": gamma, "squared bias": bias_sq, "(h_t − y)²": float(((h_late_test - problem.y_test) ** 2).mean()),
        "variance": variance,
        "N^(1−2γ) Var K_t": float(limit.predicted_variance([T_LATE], max(WIDTHS), gamma, "test").mean())})
pd.DataFrame(decomposition).set_index("γ").map("{:.3g}".format)

# %% [markdown]
# ```{exercise} Where $\gamma$ enters the error
# :label: ex-4-6
#
# *(question, ~2 min)* Take each part of the expected squared error $\mathbb E(h^N_t(x) - y(x))^2$ to its leading
# order in $N$: the squared bias to order one, the variance to its first nonzero order. Through which part does
# $\gamma$ enter? Return `"a"`, `"b"`, `"c"` or `"d"`.
#
# - (a) the squared bias only
# - (b) the variance only
# - (c) both
# - (d) neither: $\gamma$ only changes the corrections
# ```

# %% tags=["solution"]
def q_4_6():
    """Your answer: "a", "b", "c" or "d"."""
    # BEGIN SOLUTION
    return "b"
    # END SOLUTION


# %%
from gammanet.exercises import check_q_4_6
check_q_4_6(q_4_6)

# %% [markdown]
# ```{exercise} What the mirror removes
# :label: ex-4-7
#
# *(question, ~2 min)* Each network is trained beside its mirror ($C \to -C$, the same hidden weights). What does
# averaging the two remove from the seed-mean? Return `"a"`, `"b"`, `"c"` or `"d"`.
#
# - (a) every term odd in $C$ — among them the fluctuation $N^{1/2-\gamma}K_t$
# - (b) the bias
# - (c) the deterministic corrections $Q^j_t$
# - (d) nothing: the pair mean has the same noise as two independent networks
# ```

# %% tags=["solution"]
def q_4_7():
    """Your answer: "a", "b", "c" or "d"."""
    # BEGIN SOLUTION
    return "a"
    # END SOLUTION


# %%
from gammanet.exercises import check_q_4_7
check_q_4_7(q_4_7)

# %% [markdown]
# ```{exercise} The variance at the training points over time
# :label: ex-4-8
#
# *(question, ~2 min)* Can the leading-order variance $\frac1M\sum_m\operatorname{Var}K_t(x_m)$, averaged over the
# training points, grow with $t$? Return `"a"`, `"b"`, `"c"` or `"d"`.
#
# - (a) yes, when $A$ has small eigenvalues
# - (b) no: it is non-increasing in $t$
# - (c) only at $\gamma = 1/2$
# - (d) only once the flow starts to overfit
# ```

# %% tags=["solution"]
def q_4_8():
    """Your answer: "a", "b", "c" or "d"."""
    # BEGIN SOLUTION
    return "b"
    # END SOLUTION


# %%
from gammanet.exercises import check_q_4_8
check_q_4_8(q_4_8)

# %% [markdown]
# ## Further reading
#
# - {cite:t}`yu2021shallow`: the expansion whose form this chapter derives heuristically, with its hypotheses and
#   proofs, and the bias–variance statements of its abstract ({prf:ref}`thm-no-tradeoff`).
# - Corrections to the frozen tangent kernel at finite width: the neural tangent hierarchy of
#   {cite:t}`huang2020ntkhierarchy`, and the $1/N$ expansion organized by Feynman diagrams of
#   {cite:t}`dyer2020asymptotics`.
# - The fluctuations of the mean-field limit at $\gamma = 1$: {cite:t}`sirignano2020clt`.
# - The bias–variance decomposition and its role in choosing a network's size: {cite:t}`geman1992bias`.
