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
# (ch-deep)=
# # 5. Deep networks
#
# ## Learning objectives
#
# After this chapter you will be able to
#
# - **derive** the exact variance law of a deep network's output at initialization, and **predict** when the inner
#   $\gamma$'s enter its width exponent (tanh, every width growing) and when they do not;
# - **compute** each layer's part of the tangent kernel at initialization by counting back-propagated sums;
# - **explain** why lazy outer layers freeze the inner layers and mean-field outer layers wake them up, and
#   **measure** it in the kernel's growth;
# - **state** what a fixed inner width does to the trained variance's width law (a conjecture), and **test** its
#   direction;
# - **use** these mechanisms to read the MNIST grids of chapter 6.
#
# ```{admonition} Prerequisites
# :class: tip
#
# - The $\gamma$-network, the exact variance law at initialization and the caveat for the outer slope:
#   {ref}`ch-why-normalize`.
# - The learning rates of each layer and the clock $t = k/N_L$: {ref}`ch-learning-rates`.
# - The tangent kernel and the kernel limit of a shallow network: {ref}`ch-limit`; the neural tangent kernel
#   {cite:p}`jacot2018ntk`.
# - The expansion's fluctuation $K_t$ and the kernel's noise: {ref}`ch-expansion`.
# - Mean-field limits of deep networks, taken one layer after another {cite:p}`sirignano2022deep`.
# - The symbols: {doc}`../notation`.
# ```
#
# **What you will see.** The deep paper's setting: one exponent $\gamma_\ell$ per layer, the learning rates of
# chapter 2, and an expansion of the output in the *outer* width $N_L$. We cannot read its theorem, so we derive
# what the book uses at depth two and three, and check every scaling numerically. At initialization the outer
# $\gamma_L$ sets the width law of the output's variance. The inner $\gamma$'s join it only for activations with
# $\sigma(0) = 0$ when every width grows. Layer by layer, the tangent kernel shows which layers move the output.
# With lazy outer layers the inner layers are frozen; mean-field outer layers wake them up. After training, the
# inner layers' randomness puts a floor under the variance when their widths are held fixed. The chapter ends
# with what this says about the MNIST grids of chapter 6.
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gammanet-course/gammanet/blob/main/notebooks/05_deep.ipynb)

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

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

from gammanet import get_preset, learning_rates, load_mnist
from gammanet.course import describe, glue, pick
from gammanet.plots import measured_vs_predicted, use_style
from gammanet.theory import (draw_networks, init_variance_vs_width, kernel_change, kernel_vs_width,
                             predicted_init_slope, steps_table, trained_variance_vs_width)
from gammanet.theory.deep import label

use_style()
pd.set_option("display.precision", 3)
print(describe())

# %% [markdown]
# ## 5.1 The setting, and what the paper claims
#
# A network with $L$ hidden layers of widths $N_1, \dots, N_L$ and one exponent per layer
# {cite:p}`yu2023deep`:
#
# $$
# H^1 = \sigma(W^1 x), \qquad H^{\ell+1} = \sigma\Big(N_\ell^{-\gamma_\ell}\, W^{\ell+1} H^\ell\Big), \qquad
# g(x) = N_L^{-\gamma_L} \sum_{i=1}^{N_L} C^i H^{L}_i(x),
# $$
#
# with every weight $N(0,1)$ at initialization and each $\gamma_\ell \in [1/2, 1]$. The factor
# $N_\ell^{-\gamma_\ell}$ multiplies the sum over the $N_\ell$ units of layer $\ell$ as they feed the next layer. The
# last one multiplies the output sum. Each layer is trained with its own learning rate, the rates of chapter 2. For
# three hidden layers they are $\eta_C = N_3^{2\gamma_3-2}$, $\eta_{W^3} = N_2^{2\gamma_2-1} N_3^{2\gamma_3-2}$,
# $\eta_{W^2} = N_1^{2\gamma_1-1}N_2^{2\gamma_2-1}N_3^{2\gamma_3-3}$ and
# $\eta_{W^1} = N_1^{2\gamma_1-1}N_2^{2\gamma_2-2}N_3^{2\gamma_3-3}$; the step of layer $\ell$ is $\alpha\,\eta_\ell$,
# with $\alpha$ one global constant (chapter 2), $\alpha = 1$ unless said. The clock is $t = k/N_L$.
#
# ```{prf:theorem} The deep expansion (the paper's claim, as its abstract and the authors' README state it)
# :label: thm-deep-claim
#
# {cite:p}`yu2023deep` {cite:p}`nenn_deep_code`. With these learning rates the network "behaves in a statistically
# robust way" as the widths $N_i$ grow to infinity. The mechanism of the analysis is an asymptotic expansion of the
# output with respect to the outer width ($N_3$ for three hidden layers), which keeps the variance of the output
# bounded as $N_1, N_2, N_3 \to \infty$. For large, fixed widths, the variance of the output falls as the
# $\gamma_i$ grow to $1$, and most of all as the outer $\gamma_L$ does: the output is more sensitive to the outer
# layer's scaling than to the inner layers'.
# ```
#
# We could not read the theorem itself: neither its hypotheses, nor the terms of the expansion, nor the order in
# which the widths grow. What follows is our reading, labelled as such.
#
# ```{prf:remark} How the widths grow (our reading)
# :label: rem-deep-order
#
# Mean-field analyses of deep networks by the same group take the limits of the hidden layers *one after another*
# {cite:p}`sirignano2022deep`: first $N_1 \to \infty$, then $N_2 \to \infty$, and so on. The deep paper's expansion
# is in the outer width alone. We read it as the same procedure: the inner widths go to infinity first, one layer
# after another, and the output is then expanded in $N_L$, with a leading fluctuation of order
# $N_L^{-(\gamma_L - 1/2)}$ as in the shallow expansion of chapter 4. In that reading the inner $\gamma$'s enter
# the *coefficients* of the expansion, and $\gamma_L$ enters its *powers*. Below we check both cases: the inner widths
# held fixed while $N_L$ grows (the closest a computer gets to "inner widths first" is a large fixed inner width),
# and every width growing together (the papers' MNIST experiments use equal widths, $N_i = 100$, at one size).
# ```

# %% [markdown]
# (pred-deep-outer)=
# ## 5.2 At initialization: the outer width law, and when the inner $\gamma$'s join it
#
# ```{prf:theorem} The variance at initialization (our derivation, exact)
# :label: thm-deep-init-variance
#
# With a centred readout independent of the rest and no biases, at every depth and every width,
#
# $$
# \operatorname{Var} g_0(x) = N_L^{1-2\gamma_L}\; \mathbb E[C^2]\; \mathbb E\big[\sigma(Z^L(x))^2\big],
# $$
#
# where $Z^L$ is a pre-activation of the last hidden layer.
# ```
#
# ```{prf:proof}
# Write $\mathcal F$ for the weights below the readout. Given $\mathcal F$, the terms $C^i\sigma(Z^L_i(x))$ are
# independent and centred, because each $C^i$ is centred and independent of everything else. So
# $\mathbb E[g_0(x) \mid \mathcal F] = 0$ and
# $\operatorname{Var}(g_0(x) \mid \mathcal F) = N_L^{-2\gamma_L}\,\mathbb E[C^2]\sum_{i=1}^{N_L}\sigma(Z^L_i(x))^2$. By the
# law of total variance, $\operatorname{Var} g_0(x) = \mathbb E\big[\operatorname{Var}(g_0(x) \mid \mathcal F)\big] +
# \operatorname{Var}\big(\mathbb E[g_0(x) \mid \mathcal F]\big)$, whose second term is $0$; the units are exchangeable,
# so $\mathbb E\sum_i \sigma(Z^L_i)^2 = N_L\,\mathbb E\,\sigma(Z^L_1)^2$, which gives the formula.
# ```
#
# So the width exponent is $1 - 2\gamma_L$ as long as the last factor does not depend on $N_L$. That is the case
# when the inner widths are fixed. When every width grows, the factor can depend on the width too:
#
# ```{prf:theorem} Every width growing (our derivation, leading order)
# :label: thm-deep-init-slope
#
# Let every hidden width be $N$. If $\sigma(0) \neq 0$ (the sigmoid), the slope of $\log\operatorname{Var} g_0$
# against $\log N$ is $1 - 2\gamma_L$. If $\sigma(0) = 0$ and $\sigma'(0) = 1$ (tanh), it is
# $\sum_{\ell=1}^{L}(1 - 2\gamma_\ell)$.
# ```
#
# ```{prf:proof}
# *Heuristic: a law of large numbers and a Taylor expansion; the corrections are of relative order $N^{-1/2}$ and
# $N^{1-2\gamma_\ell}$.* Given the layer below, $Z^{\ell+1}$ is Gaussian with variance
# $N^{-2\gamma_\ell}\sum_j \sigma(Z^\ell_j)^2 \approx N^{1-2\gamma_\ell}\,\mathbb E\,\sigma(Z^\ell)^2$. For
# $\gamma_\ell > 1/2$ it shrinks to $0$. With the sigmoid, $\sigma(Z^{\ell+1}) \to \sigma(0) = 1/2$, so
# $\mathbb E\,\sigma(Z^L)^2 \to 1/4$, a constant, and only $N_L^{1-2\gamma_L}$ is left. With tanh,
# $\tanh(z) = z + O(z^3)$, so $\mathbb E \tanh(Z^{\ell+1})^2 \approx \operatorname{Var} Z^{\ell+1} \propto
# N^{1-2\gamma_\ell}\,\mathbb E\tanh(Z^\ell)^2$. Going down the layers gives $\mathbb E\tanh(Z^L)^2 \propto
# \prod_{\ell<L} N^{1-2\gamma_\ell}$. A layer with $\gamma_\ell = 1/2$ contributes a factor of order one, and
# its exponent is $0$ anyway. Multiplying by $N^{1-2\gamma_L}$ gives the sum.
# ```
#
# This is **prediction 8** of the book's list ({ref}`ch-predictions`): the outer $\gamma_L$ sets the width law of
# the output's variance, and the inner $\gamma$'s only move its prefactor. At initialization it holds exactly when
# the inner widths are fixed, and to leading order for the sigmoid. With tanh and equal widths the inner $\gamma$'s
# enter the exponent too. Below: three hidden layers, inner $\gamma$'s $(1/2, 1/2)$ (circles, solid) or $(1, 1)$
# (squares, dotted), outer $\gamma \in \{1/2, 3/4, 1\}$ (colour), the exact law dashed. Look at whether lines of one
# colour stay parallel in each panel.

# %%
FAMILIES = {"inner widths fixed (25, 25), tanh": dict(activation="tanh", inner_widths=(25, 25)),
            "every width N, sigmoid": dict(activation="sigmoid"),
            "every width N, tanh": dict(activation="tanh")}
init_runs = {name: init_variance_vs_width(gammas=(0.5, 0.75, 1.0), widths=pick((25, 50, 100, 200, 400),
                                                                               (25, 50, 100, 200, 400, 800, 1600)),
                                          depth=3, inner_gammas=((0.5, 0.5), (1.0, 1.0)), n_seeds=pick(400, 2000),
                                          n_inner=pick(200, 500), n_boot=200, **kw)
             for name, kw in FAMILIES.items()}
fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
for ax, (name, run) in zip(axes, init_runs.items()):
    for inner, marker, line in (("(0.5, 0.5)", "o", "-"), ("(1, 1)", "s", ":")):
        measured_vs_predicted(run.table[run.table.inner_gammas == inner], "N", "variance", predicted="law",
                              predicted_label="exact law" if marker == "o" else "",
                              hue_format="outer γ={:g}, inner " + inner, ax=ax, marker=marker, linestyle=line,
                              legend="outside" if ax is axes[-1] else None)
    ax.set_title(name, fontsize=10)
axes[0].set_ylabel("Var $g_0$")
plt.show()

# %% [markdown]
# The fitted slopes beside the derivation's prediction for each family (the outer law $1 - 2\gamma_L$ is the
# derived slope of the family with the inner widths fixed):

# %%
FAMILY_KEYS = {"inner widths fixed (25, 25), tanh": ("tanh", "outer"), "every width N, sigmoid": ("sigmoid", "equal"),
               "every width N, tanh": ("tanh", "equal")}
CONFIGS = [inner + (outer,) for inner in ((0.5, 0.5), (1.0, 1.0)) for outer in (0.5, 0.75, 1.0)]
init_slopes = pd.concat([run.slopes.assign(family=name) for name, run in init_runs.items()], ignore_index=True)
derived = {(label(g), name): predicted_init_slope(g, *FAMILY_KEYS[name]) for g in CONFIGS for name in FAMILY_KEYS}
init_slopes["derived"] = [derived[(g, f)] for g, f in zip(init_slopes.gammas, init_slopes.family)]
init_slopes["gap"] = (init_slopes.slope - init_slopes.derived).abs()
display(init_slopes.pivot(index="gammas", columns="family", values=["slope", "derived"]).swaplevel(axis=1)
        .sort_index(axis=1).round(2))
glue("deep_init_max_gap", float(init_slopes.gap.max()))
tanh_equal = init_slopes[init_slopes.family == "every width N, tanh"].set_index("gammas")
glue("deep_init_tanh_111", float(tanh_equal.loc["(1, 1, 1)", "slope"]))
glue("deep_init_tanh_115", float(tanh_equal.loc["(1, 1, 0.5)", "slope"]))

# %% [markdown]
# In this run every measured slope is within {glue:text}`deep_init_max_gap:.2f` of the derivation's. With tanh and
# every width growing, $\gamma = (1, 1, 1/2)$ has the slope {glue:text}`deep_init_tanh_115:+.2f` (derived: $-2$)
# although its outer $\gamma$ is $1/2$, and $(1, 1, 1)$ has {glue:text}`deep_init_tanh_111:+.2f` (derived: $-3$;
# the outer $\gamma$ alone would say $-1$). The MNIST experiments of chapters 6 and 7 use tanh, so this caveat is
# theirs too (§7.5).

# %% [markdown]
# ## 5.3 The tangent kernel, layer by layer: which layers move the output
#
# One gradient step on the loss $\tfrac12 (y - g(x))^2$, made through layer $\ell$ alone, moves the weights by
# $\eta_\ell\, r\, \nabla_{W^\ell} g(x)$ (with $r = y - g(x)$ the residual) and, to first order, the output by
# $\eta_\ell\, r\, |\nabla_{W^\ell} g(x)|^2$. On the clock $t = k/N_L$ the output's speed is the tangent kernel
# $\Theta(x,x) = \sum_\ell N_L\,\eta_\ell\,|\nabla_{W^\ell} g(x)|^2$: a sum over the layers. Each layer's part says how
# much that layer moves the output.
#
# ```{prf:theorem} Each layer's part of the kernel at initialization (our derivation, leading order)
# :label: thm-deep-layer-kernel
#
# With the rates of chapter 2 and an activation whose $\mathbb E\,\sigma(Z)^2$ and $\mathbb E\,\sigma'(Z)^2$ stay of
# order one (the sigmoid), at initialization
#
# $$
# N_L\,\eta_\ell\,|\nabla_{W^\ell} g(x)|^2 \;\asymp\; \prod_{m=\ell+1}^{L} N_m^{-1}
# \quad (\ell < L), \qquad
# N_L\,\eta_L\,|\nabla_{W^L} g|^2 \asymp N_L\,\eta_C\,|\nabla_C g|^2 \asymp 1 .
# $$
#
# With every width $N$: exponent $-(L-\ell)$ for $W^\ell$, $0$ for $W^L$ and $C$.
# ```
#
# ```{prf:proof}
# *Heuristic.* The gradient of $W^1$ in a network of depth 2 is
# $\nabla_{W^1_j} g = N_2^{-\gamma_2} N_1^{-\gamma_1}\big(\sum_{i} C^i \sigma'(Z^2_i) W^2_{ij}\big)
# \sigma'(Z^1_j)\,x$. The back-propagated sum over the $N_2$ units has terms of random sign: $C^i$ is centred and
# independent of the rest. So it is of size $\sqrt{N_2}$. Summing the squares over $j$ gives
# $|\nabla_{W^1} g|^2 \asymp N_1^{1-2\gamma_1} N_2^{1-2\gamma_2}$, while
# $\eta_{W^1} = N_1^{2\gamma_1-1} N_2^{2\gamma_2-3}$. Hence $N_2\,\eta_{W^1}|\nabla_{W^1}g|^2 \asymp N_2^{-1}$. The
# rate is the one for which the sum would be of size $N_2$, that is, *coherent*. Each further layer above $\ell$
# adds one such sum and one factor $N_m^{-1}$. For $W^L$ and $C$ there is no back-propagated sum, and the rates
# make their parts of order one. With tanh the layers' inputs add the factors of {prf:ref}`thm-deep-init-slope`:
# $\mathbb E \tanh(Z^{\ell-1})^2$ for $W^\ell$ (`gammanet.theory.predicted_kernel_exponent` writes both out).
# ```
#
# Measured: three hidden layers, every width $N$, sigmoid, each layer's part against $N$. The dashed lines are the
# derived laws drawn through the narrowest width. Look at the spacing of the four layers and at how it grows with
# $N$.

# %%
kernel_widths = pick((25, 50, 100, 200), (25, 50, 100, 200, 400, 800))
kernels = {act: kernel_vs_width(((0.5, 0.5, 0.5), (1.0, 0.5, 0.5), (1.0, 1.0, 1.0)), widths=kernel_widths,
                                activation=act, n_seeds=pick(24, 64), n_boot=200)
           for act in ("sigmoid", "tanh")}
sig = kernels["sigmoid"].table
fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), sharey=True)
for ax, (gammas, part) in zip(axes, sig.groupby("gammas", sort=False)):
    measured_vs_predicted(part, "N", "kernel", hue="layer", predicted="predicted", predicted_label="derived law",
                          hue_format="{}", ax=ax, legend="outside" if ax is axes[-1] else None)
    ax.set_title(f"sigmoid, γ = {gammas}", fontsize=10)
axes[0].set_ylabel("$N_L\\,\\eta_\\ell |\\nabla_{W^\\ell} g|^2$")
plt.show()
kernel_slopes = pd.concat([k.slopes.assign(activation=a) for a, k in kernels.items()], ignore_index=True)
kernel_slopes["gap"] = (kernel_slopes.slope - kernel_slopes.theory).abs()
display(kernel_slopes.pivot_table(index=["activation", "gammas"], columns="layer", values="slope", sort=False)
        [["W1", "W2", "W3", "C"]].round(2))
glue("deep_kernel_max_gap", float(kernel_slopes.gap.max()))
glue("deep_kernel_w1_sigmoid", float(kernel_slopes[(kernel_slopes.activation == "sigmoid")
                                                   & (kernel_slopes.layer == "W1")].slope.mean()))

# %% [markdown]
# With the sigmoid the derivation says the four layers separate whatever the $\gamma$'s. In this run the first
# layer's part has the slope {glue:text}`deep_kernel_w1_sigmoid:+.2f` (mean over the three configurations; derived:
# $-2$), and every slope, both activations, is within {glue:text}`deep_kernel_max_gap:.2f` of the derived exponent.
# With tanh (second block of the table) the $\gamma$'s also enter through the inputs, because the signal that
# reaches the upper layers shrinks: $W^3$ loses a factor $N^{1-2\gamma_1}$ and the readout
# $N^{(1-2\gamma_1)+(1-2\gamma_2)}$ — a factor $N$ for both in $(1, 1/2, 1/2)$, $N$ and $N^2$ in $(1, 1, 1)$; compare the
# table's second block with that.
#
# ```{prf:remark} Which layers move in the limit (our derivation)
# :label: rem-deep-frozen
#
# The rates of chapter 2 are built for coherent back-propagated sums. At initialization the sums are
# incoherent, so the inner layers' share of the kernel vanishes as the widths grow: by $N_L^{-1}$ for $W^{L-1}$,
# and by $N_L^{-1} N_{L-1}^{-1}$ for $W^{L-2}$. Chapter 2 measured the same thing per step: the inner layers moved
# the output by $1/N$ ($W^2$) and $1/N^2$ ($W^1$) of the budget $1/N_L$ ({prf:ref}`rem-inner-frozen`). If nothing makes the sums coherent, the limit is driven by $W^L$ and
# $C$ alone, and the inner layers stay frozen at their initial values. What could make the sums coherent is training
# itself: $\sum_i C^i \sigma'(Z_i) W_{ij}$ becomes of size $N$ when the outer weights $C^i$ and $W_{ij}$ become
# correlated. That requires them to move by $O(1)$, which in the limit happens only at mean-field scaling. The next
# section measures it.
# ```

# %% [markdown]
# ## 5.4 Training: lazy outer layers keep the inner layers frozen, mean-field ones wake them up
#
# Full-batch gradient descent on the toy regression problem of chapter 3 (24 points in $\mathbb R^2$,
# $y = \sin(x_1+x_2)$, squared loss), three hidden layers of width $N$, tanh, the rates of chapter 2 times
# $\alpha = 10$. Each layer's part of the kernel is measured at $t = 0$ and at $t = 2$. The table shows the *growth*
# factor, kernel at $t = 2$ over kernel at $t = 0$, and the training loss at $t = 2$. Look for the configuration whose
# first layer wakes up, and at what its growth does as $N$ doubles.

# %%
change = kernel_change(((0.5, 0.5, 0.5), (1.0, 0.5, 0.5), (0.5, 0.5, 1.0), (1.0, 1.0, 0.5), (1.0, 1.0, 1.0)),
                       widths=pick((25, 50), (25, 50, 100, 200)), t=2.0, alpha=10.0, n_seeds=pick(8, 32))
after = change.table[change.table.t > 0]
growth = after.pivot_table(index="gammas", columns=["N", "layer"], values="growth", sort=False)
display(growth.map("{:.3g}".format))
display(after[after.layer == "C"].pivot(index="gammas", columns="N", values="loss").rename(
    columns=lambda n: f"loss at t=2, N={n}").round(4))
n_big = int(after.N.max())
w1_growth = after[(after.layer == "W1") & (after.N == n_big)].set_index("gammas").growth
glue("deep_growth_mf", float(w1_growth["(1, 1, 1)"]))
glue("deep_growth_lazy", float(w1_growth["(1, 0.5, 0.5)"]))
glue("deep_growth_outer_only", float(w1_growth["(0.5, 0.5, 1)"]))
glue("deep_mf_min_kernel", float(after[(after.gammas == "(1, 1, 1)") & (after.N == n_big)].kernel.min()))
glue("deep_growth_n", n_big)

# %% [markdown]
# In this run, at $N =$ {glue:text}`deep_growth_n`, the first layer's part of the kernel grows
# {glue:text}`deep_growth_mf:.0f`-fold in the mean-field network $(1, 1, 1)$ and
# {glue:text}`deep_growth_lazy:.2f`-fold in $(1, 1/2, 1/2)$; mean-field scaling in the outer layer alone,
# $(1/2, 1/2, 1)$, multiplies it by {glue:text}`deep_growth_outer_only:.1f`. In the mean-field network the smallest
# of the four parts is {glue:text}`deep_mf_min_kernel:.2f` at the end, the first layer included; at the start §5.3
# put it on the scale $N^{-2}$. A growth by orders of magnitude is what coherent back-propagated sums look like; a
# factor near one is a kernel that stays where it started. Compare the loss column of the lazy configurations with
# that of $(1, 1, 1)$ to see what a frozen kernel costs at $t = 2$. With $\gamma_1 = 1$ and tanh the kernel starts
# small (§5.3), so a configuration whose kernel also stays put, such as $(1, 1/2, 1/2)$, can only train slowly.
#
# ```{prf:remark} $\gamma_L < 1$ against $\gamma_L = 1$ (our derivation, with the measurement above)
# :label: rem-deep-outer-gamma
#
# For $\gamma_L < 1$ the outer layer is lazy in $N_L$: its weights move by $O(N_L^{\gamma_L-1})$ per unit of time
# (chapter 3). The kernel is frozen at its initial value, the inner layers do not move the output in the limit
# ({prf:ref}`rem-deep-frozen`), and the network is a kernel machine on random inner features. The expansion in $N_L$
# then has the shallow form of chapter 4, with $\gamma_L$ in the powers: corrections $N_L^{-j(1-\gamma_L)}$ and a
# fluctuation $N_L^{-(\gamma_L - 1/2)}$. For $\gamma_L = 1$ the outer layer is mean-field. Its weights move by
# $O(1)$, the limit is nonlinear, the fluctuations are $O(N_L^{-1/2})$, and training can make the back-propagated
# sums coherent, which lets the inner layers learn features. Whether a mean-field readout alone is enough is what
# the table above lets you look at: compare the first layer's growth in $(1, 1, 1)$ with that in $(1/2, 1/2, 1)$
# (they differ in $\gamma_1$ and $\gamma_2$ both, so the comparison cannot say which of the two matters).
# ```

# %% [markdown]
# ## 5.5 After training: the width law of the variance, with the inner widths fixed or growing
#
# ```{prf:conjecture} The trained variance (our derivation, heuristic)
# :label: conj-deep-trained-variance
#
# For $\gamma_L \in [1/2, 1]$, to leading order (for $\gamma_L < 1$ the outer layer is lazy; for $\gamma_L = 1$ the
# first two terms are both of order $N_L^{-1}$ and merge),
#
# $$
# \operatorname{Var} g_t(x) \;\approx\; a_t\, N_L^{\,s_0} \;+\; b_t\, N_L^{-1} \;+\; v_t(N_1, \dots, N_{L-1}),
# $$
#
# where $s_0$ is the exponent at initialization: $1 - 2\gamma_L$ with the inner widths fixed
# ({prf:ref}`thm-deep-init-variance`), the exponent of {prf:ref}`thm-deep-init-slope` when every width is $N$. The three terms are the initial
# fluctuation carried by the dynamics (chapter 4's $K_t$), the fluctuation of the outer layer's kernel (an average
# over $N_L$ units, noise $N_L^{-1/2}$), and the variance of the deterministic limit $h_t$ over the random inner
# layers. $v_t$ does not depend on $N_L$. It vanishes as the inner widths grow, like $N_{L-1}^{-1}$ (the inner
# kernels are averages over their units too). Consequences:
#
# - **inner widths fixed:** the slope in $N_L$ starts at $1 - 2\gamma_L$ and flattens towards $0$ once
#   $a_t N_L^{s_0}$ falls below the floor $v_t$;
# - **inner widths first** (our reading of the paper's limit): $v_t = 0$, and the slope is
#   $\max(1 - 2\gamma_L, -1) = 1 - 2\gamma_L$: the outer $\gamma$ sets the law;
# - **every width $N$:** $v_t \propto N^{-1}$, and the slope tends to $\max(s_0, -1)$.
# ```
#
# Measured: two hidden layers, tanh, the toy problem, variance over seeds at the 16 evaluation points, at $t = 0$
# and after training to $t = 2$. Three families: the inner width fixed at 16, the inner width fixed at a larger value,
# and both widths $N$. In each panel the dashed lines continue the law of $t = 0$ from the narrowest width. Look at
# the trained points (right column) and how far they bend away from the dashed lines in each family.

# %%
T_TRAIN = 2.0
INNER_LARGE = pick(128, 256)
trained = trained_variance_vs_width(((0.5, 0.5), (1.0, 0.5), (0.5, 1.0), (1.0, 1.0)),
                                    widths=pick((16, 32, 64), (16, 32, 64, 128, 256)),
                                    families=((16,), (INNER_LARGE,), "equal"), t=T_TRAIN, alpha=10.0,
                                    n_seeds=pick(24, 96), n_boot=200)
test = trained.table[trained.table.split == "test"].copy()
test["family_name"] = np.where(test.family == "equal", "every width N", "inner width " + test.inner.str.strip("()"))
families = list(dict.fromkeys(test.family_name))
fig, axes = plt.subplots(len(families), 2, figsize=(10, 3.2 * len(families)), sharex=True)
for row, name in zip(axes, families):
    for ax, t in zip(row, (0.0, T_TRAIN)):
        part = test[(test.family_name == name) & (test.t == t)]
        measured_vs_predicted(part, "N", "variance", hue="gammas", predicted="guide", predicted_label="law at t=0",
                              hue_format="γ={}", ax=ax, legend="outside" if t > 0 else None)
        ax.set_title(f"{name}, t = {t:g}", fontsize=10)
plt.tight_layout()
plt.show()

# %%
tslopes = trained.slopes[trained.slopes.split == "test"].copy()
tslopes["family_name"] = np.where(tslopes.family == "equal", "every width N", "inner " + tslopes.inner)
tslopes["measured"] = [f"{r.slope:+.2f} [{r.ci_low:+.2f}, {r.ci_high:+.2f}]" for r in tslopes.itertuples()]
display(tslopes.pivot_table(index=["family_name", "gammas"], columns="t", values="measured", aggfunc="first",
                            sort=False).rename(columns=lambda t: f"slope at t={t:g}")
        .join(tslopes.groupby(["family_name", "gammas"], sort=False).init_theory.first().rename("s₀ (derived)")))
by = tslopes.set_index(["family_name", "gammas", "t"]).slope
glue("deep_tr_small_11", float(by[("inner (16)", "(1, 1)", T_TRAIN)]))
glue("deep_tr_small_051", float(by[("inner (16)", "(0.5, 1)", T_TRAIN)]))
glue("deep_tr_large_051", float(by[(f"inner ({INNER_LARGE})", "(0.5, 1)", T_TRAIN)]))
glue("deep_tr_large_11", float(by[(f"inner ({INNER_LARGE})", "(1, 1)", T_TRAIN)]))
glue("deep_tr_equal_11", float(by[("every width N", "(1, 1)", T_TRAIN)]))
glue("deep_tr_equal_11_init", float(by[("every width N", "(1, 1)", 0.0)]))
glue("deep_inner_large", INNER_LARGE)

# %% [markdown]
# The numbers of this run. With the inner width fixed at 16, the trained slopes of the two $\gamma_2 = 1$
# configurations are {glue:text}`deep_tr_small_051:+.2f` for $(1/2, 1)$ and {glue:text}`deep_tr_small_11:+.2f` for
# $(1, 1)$, against $-1$ at initialization. With the inner width fixed at {glue:text}`deep_inner_large` they are
# {glue:text}`deep_tr_large_051:+.2f` and {glue:text}`deep_tr_large_11:+.2f`. With every width growing, $(1, 1)$
# goes from {glue:text}`deep_tr_equal_11_init:+.2f` at initialization to {glue:text}`deep_tr_equal_11:+.2f` after
# training. Compare each with the three consequences of {prf:ref}`conj-deep-trained-variance`. A steeper
# trained slope with the wider inner layer is the floor $v_t$ moving down, and a trained slope nearer $-1$ with every
# width growing is $\max(s_0, -1)$. At widths this small the three terms need not be separated yet, so read the
# intervals before the points: the conjecture predicts the *direction* in which the slopes move, and the run shows
# whether they do.
#
# ## 5.6 Why the outer $\gamma_L$ matters most
#
# Putting the pieces together, in the reading of {prf:ref}`rem-deep-order`:
#
# - **The exponent.** The leading fluctuation of the expansion in $N_L$ is $N_L^{-(\gamma_L - 1/2)}$, so the
#   variance's width law is $N_L^{1-2\gamma_L}$. The inner $\gamma$'s do not appear in any power of $N_L$. That is
#   the precise sense in which the output is "more sensitive" to the outer scaling. It holds exactly at
#   initialization when the inner widths are fixed ({prf:ref}`thm-deep-init-variance`), and, if
#   {prf:ref}`conj-deep-trained-variance` holds, after training once the inner widths are large.
# - **The coefficients.** The inner $\gamma$'s set the prefactors: $\mathbb E\,\sigma(Z^L)^2$, the kernel, the
#   speed of training. With tanh they set them through powers of the *inner* widths. When every width grows
#   together, those powers become powers of $N$ and join the exponent. That is the caveat of
#   {prf:ref}`thm-deep-init-slope`.
# - **Which layers learn.** With the rates of chapter 2, a lazy outer layer freezes everything below it
#   ({prf:ref}`rem-deep-frozen`). Then the inner $\gamma$'s only shape random features. A mean-field outer layer
#   ($\gamma_L = 1$), with mean-field layers below it, lets the inner layers learn.
#
# ## 5.7 What this says about the MNIST grids
#
# Chapter 6 trains the papers' MNIST grids at depth 3 without biases, and asks which layer's $\gamma$ raises accuracy
# most within a CPU budget, and whether an inner $\gamma_1 = 1$ helps or hurts there (§6.5). The mechanism of §5.4
# bears on the answer. Below, at the chapter-6 architecture (three layers of 100, tanh, pixels scaled by $1/28$) and
# on MNIST test images: each configuration's first-layer rate $\eta_{W^1}$, what one step through $W^1$ does to the
# output, $\eta_{W^1}|\nabla_{W^1} g|^2$, and to the weights, $\eta_{W^1}|\nabla_{W^1} g|$ (per unit of residual,
# mean over images and seeds). Compare $(1, 1/2, 1/2)$ with $(1, 1, 1)$ in the two last columns.

# %%
preset = get_preset("fast")
mnist = load_mnist(device="cpu", verbose=False)
n_images = pick(8, 32)
x_mnist = mnist.x_test[:n_images].reshape(n_images, -1).double() * preset.input_scale
mnist_draw = draw_networks((100, 100, 100), x_mnist.shape[1], pick(4, 16), out_features=10)
first_layer = pd.concat([steps_table(mnist_draw, g, x_mnist, preset.activation)
                         for g in ((0.5, 0.5, 0.5), (1.0, 0.5, 0.5), (0.5, 0.5, 1.0), (1.0, 1.0, 1.0))])
first_layer = first_layer[first_layer.layer == "W1"].set_index("gammas")
display(first_layer[["rate", "output_step", "weight_step"]].rename(columns={
    "rate": "η_W1", "output_step": "η|∇g|² (output)", "weight_step": "η|∇g| (weights)"}).map("{:.2e}".format))
output_ratio = first_layer.output_step["(1, 0.5, 0.5)"] / first_layer.output_step["(1, 1, 1)"]
weight_ratio = first_layer.weight_step["(1, 1, 1)"] / first_layer.weight_step["(1, 0.5, 0.5)"]
glue("deep_mnist_output_ratio", float(output_ratio))
glue("deep_mnist_weight_ratio", float(weight_ratio))

# %% [markdown]
# At initialization a step through $W^1$ moves the output of $(1, 1/2, 1/2)$ by
# {glue:text}`deep_mnist_output_ratio:.2f` times as much as that of $(1, 1, 1)$; §5.3 derived that the two are of the
# same order, $\eta|\nabla_{W^1}g|^2 \asymp N_2^{-1}N_3^{-2}$ (its $N_3\,\eta|\nabla|^2 \asymp N_2^{-1}N_3^{-1}$ without
# the factor $N_3$), whatever the $\gamma$'s — with tanh too, because $W^1$ is fed $x$ itself, so the tanh input
# factors of §5.3 do not touch it. It moves
# $(1, 1, 1)$'s first-layer weights {glue:text}`deep_mnist_weight_ratio:.0f` times further, because
# $(1, 1/2, 1/2)$'s rate is smaller by $N^2$ while its gradient is larger by $N$ (derived: a factor $N = 100$). So if
# $(1, 1/2, 1/2)$ trains slowly in chapter 6, the first step is not the reason. §5.4 gives the mechanism: under lazy
# outer layers the back-propagated sums stay incoherent, and with tanh and $\gamma_1 = 1$ the signal reaching the
# upper layers is small, so the kernel starts small and stays small; under mean-field outer layers it grew
# {glue:text}`deep_growth_mf:.0f`-fold within $t = 2$ in §5.4. An accuracy grid at a fixed budget measures that speed
# as well as the quality of the limit: keep this in mind when chapter 6 compares the rows of $\gamma_1$.
#
# ## What you saw
#
# The numbers of this run behind each statement of the chapter (they change with the sizes and the seeds):

# %% tags=["hide-input"]
def say(text):
    print(textwrap.fill(text, width=100, initial_indent="- ", subsequent_indent="  "))


for name in FAMILY_KEYS:
    part = init_slopes[init_slopes.family == name]
    say(f"Initialization, {name}: slopes " + ", ".join(f"{r.gammas} {r.slope:+.2f} (derived {r.derived:+.1f})"
                                                         for r in part.itertuples()) + ".")
say("Per-layer kernel at initialization, sigmoid, slopes W1/W2/W3/C: "
    + "; ".join(f"{g}: " + "/".join(f"{v:+.2f}" for v in part.set_index("layer").slope[["W1", "W2", "W3", "C"]])
                for g, part in kernel_slopes[kernel_slopes.activation == "sigmoid"].groupby("gammas", sort=False))
    + " (derived -2/-1/0/0).")
say(f"After training to t = 2 at N = {n_big}: W1's kernel grew ×{w1_growth['(1, 1, 1)']:.0f} for (1, 1, 1), "
    f"×{w1_growth['(1, 0.5, 0.5)']:.2f} for (1, 0.5, 0.5), ×{w1_growth['(0.5, 0.5, 1)']:.1f} for (0.5, 0.5, 1).")
for (name, gammas), part in tslopes.groupby(["family_name", "gammas"], sort=False):
    s = part.set_index("t").slope
    say(f"Trained variance, {name}, γ = {gammas}: slope {s[0.0]:+.2f} at t = 0 → {s[T_TRAIN]:+.2f} at "
        f"t = {T_TRAIN:g} (s₀ = {part.init_theory.iloc[0]:+.0f}).")
say(f"MNIST, (100, 100, 100), tanh: η|∇_W1 g|² of (1, 0.5, 0.5) / (1, 1, 1) = {output_ratio:.2f}; "
    f"weight steps (1, 1, 1) / (1, 0.5, 0.5) = {weight_ratio:.0f}.")

# %% [markdown]
# In words: at initialization the variance of a deep network's output has an exact width law in $N_L$, set by the
# outer $\gamma_L$ ({prf:ref}`thm-deep-init-variance`). The inner $\gamma$'s enter its exponent only when every
# width grows and $\sigma(0) = 0$ ({prf:ref}`thm-deep-init-slope`). The learning rates of chapter 2 make the outer
# layers drive the dynamics: the inner layers move the output only through back-propagated sums, which are
# incoherent at initialization ({prf:ref}`thm-deep-layer-kernel`). Our derivation says they become coherent only
# under mean-field outer layers ({prf:ref}`rem-deep-outer-gamma`), and the kernel's growth in §5.4 tests it. After
# training, the conjecture {prf:ref}`conj-deep-trained-variance` puts a floor under the variance at a fixed inner
# width, which wider inner layers lower: the paper's claim read as a limit taken inner layers first. The slopes of
# §5.5 show which way this run moves.
#
# ## Exercises
#
# Exercises 5.1–5.3 ask you to derive and compute; 5.4–5.6 are short questions. Each check runs your answer on
# hidden cases and gives a hint, never the answer.
#
# ```{exercise} The slope at initialization
# :label: ex-5-1
#
# *(quick, ~10 min)* Write `my_init_slope(gammas, activation, family)`: the leading-order slope of
# $\log\operatorname{Var} g_0(x)$ against $\log N$ for a $\gamma$-tuple $(\gamma_1, \dots, \gamma_L)$, an activation
# (`"tanh"` or `"sigmoid"`) and a family of widths: `"equal"` (every hidden width $N$) or `"outer"` (inner widths
# fixed, $N_L = N$). Derive it from {prf:ref}`thm-deep-init-variance` and, for every width growing, the recursion
# behind {prf:ref}`thm-deep-init-slope`; the table of §5.2 shows what your answer must reproduce.
# ```

# %% tags=["solution"]
def my_init_slope(gammas, activation, family):
    """Leading-order slope of log Var g_0 against log N (family "equal" or "outer")."""
    # BEGIN SOLUTION
    if family == "equal" and activation == "tanh":
        return sum(1 - 2 * g for g in gammas)
    return 1 - 2 * gammas[-1]
    # END SOLUTION


# %%
from gammanet.exercises import check_init_slope
check_init_slope(my_init_slope)

# %% [markdown] tags=["solution"]
# ```{solution} ex-5-1
# :class: dropdown
#
# $\operatorname{Var} g_0 = N_L^{1-2\gamma_L}\mathbb E[C^2]\mathbb E[\sigma(Z^L)^2]$ exactly. With the
# inner widths fixed the last factor does not move: $1 - 2\gamma_L$. With every width $N$ it moves with $N$ only
# if $\sigma(0) = 0$. Then $\mathbb E\tanh(Z^L)^2 \approx \operatorname{Var} Z^L \propto N^{1-2\gamma_{L-1}}
# \mathbb E\tanh(Z^{L-1})^2$, and so on down, which adds every inner exponent: $\sum_\ell (1 - 2\gamma_\ell)$.
# With the sigmoid the factor stays of order one ($\sigma(0) = 1/2$; it tends to $1/4$ when $\gamma_{L-1} > 1/2$).
# ```

# %% [markdown]
# ```{exercise} Count the back-propagated sums
# :label: ex-5-2
#
# *(medium, ~25 min)* Write `my_kernel_exponent(depth, layer)`: the exponent of $N$ in
# $N_L\,\eta_\ell\,|\nabla_{W^\ell} g(x)|^2$ at initialization, every hidden width $N$, sigmoid, with the rates of
# chapter 2 (`layer` $= 1, \dots, L$ for $W^1, \dots, W^L$ and $L+1$ for $C$). Then compare your exponents with
# the slopes measured in §5.3.
# ```

# %% tags=["solution"]
def my_kernel_exponent(depth, layer):
    """Exponent of N in N_L η_ℓ |∇_{W^ℓ} g|² at initialization (every width N, sigmoid)."""
    # BEGIN SOLUTION
    return -float(depth - layer) if layer < depth else 0.0
    # END SOLUTION


# %%
from gammanet.exercises import check_kernel_exponent
check_kernel_exponent(my_kernel_exponent)

# %% tags=["needs-solution"]
mine = kernel_slopes[kernel_slopes.activation == "sigmoid"].copy()
mine["yours"] = [my_kernel_exponent(3, int(i)) for i in mine.layer_index]
mine.pivot_table(index="layer", columns="gammas", values="slope", sort=False).round(2).assign(
    yours=mine.groupby("layer", sort=False).yours.first())

# %% [markdown] tags=["solution"]
# ```{solution} ex-5-2
# :class: dropdown
#
# The rates make $W^L$ and $C$ contribute $O(1)$. Every hidden layer $m$ above $\ell$ puts one sum
# over its $N$ units into $W^\ell$'s gradient. The rate $\eta_\ell$ assumes each such sum is of size $N$
# (coherent), but at initialization it is a sum of random signs, of size $\sqrt N$. Its square is then smaller by a
# factor $N$. So the exponent is $-(L - \ell)$ for $\ell < L$. The usual slips: counting layer $\ell$'s own width
# (its sum over units is part of $|\nabla|^2$ at any rate), and forgetting to square the $\sqrt N$.
# ```

# %% [markdown]
# ```{exercise} One step, layer by layer
# :label: ex-5-3
#
# *(substantial, ~45 min)*
#
# 1. Write `my_layer_steps(model, x)` for a `GammaMLP` without biases and inputs `x` of shape $(P, d)$. For each
#    layer, with the theory's rates (`gammanet.learning_rates`), return the mean over the $P$ inputs of
#    $\eta_\ell\,|\nabla_{W^\ell} g(x)|^2$, where $g$ is the first output: `{"W1": ..., ..., "C": ...}`.
# 2. Apply it to the MNIST networks of §5.7 with $\gamma = (1, 1/2, 1/2)$ and $(1, 1, 1)$. Then change it to
#    return the weights' step $\eta_\ell|\nabla_{W^\ell} g|$ instead, and compare the two ratios.
# 3. Chapter 6 once said that "the first layer learns a hundred times more slowly" under $(1, 1/2, 1/2)$. Which of
#    your two numbers is a hundred times smaller, and which is not? What, then, makes that network slow (§5.4)?
# ```

# %% tags=["solution"]
def my_layer_steps(model, x):
    """{layer name: mean over the inputs of η_ℓ |∇_{W^ℓ} g(x)|²}, g the first output of a bias-free GammaMLP."""
    # BEGIN SOLUTION
    rates = learning_rates(model.widths, model.gammas)
    totals = {name: 0.0 for name in model.layers()}
    for p in range(x.shape[0]):
        model.zero_grad()
        model(x[p:p + 1])[0, 0].backward()
        for name, layer in model.layers().items():
            totals[name] += rates[name] * float((layer.weight.grad ** 2).sum())
    return {name: total / x.shape[0] for name, total in totals.items()}
    # END SOLUTION


# %%
from gammanet.exercises import check_layer_steps
check_layer_steps(my_layer_steps)

# %% tags=["needs-solution"]
from gammanet import GammaMLP

for gammas in ((1.0, 0.5, 0.5), (1.0, 1.0, 1.0)):
    model = GammaMLP((100, 100, 100), gammas, activation=preset.activation, input_scale=preset.input_scale,
                     seed=0, bias=False).double()
    steps = my_layer_steps(model, mnist.x_test[:n_images].double())
    print(f"γ = {gammas}: " + ", ".join(f"{n} {v:.2e}" for n, v in steps.items()))

# %% [markdown] tags=["solution"]
# ```{solution} ex-5-3
# :class: dropdown
#
# The derivation of §5.3 puts the first layer's output step of the two networks at the same order,
# $N_2^{-1}N_3^{-2}$, and the table of §5.7 measures their ratio ({glue:text}`deep_mnist_output_ratio:.2f`). The
# weight step differs by a factor $N$: the rate of $(1, 1/2, 1/2)$ is $N^2 = 10^4$ times smaller and its gradient
# $N = 100$ times larger, so its weights move about a hundred times less (measured:
# {glue:text}`deep_mnist_weight_ratio:.0f`). So "a hundred times more slowly" is true of the weights and not of the
# output. The slowness comes later: under lazy outer layers the back-propagated sums stay incoherent, and the
# kernel, which is small from the start with tanh and $\gamma_1 = 1$, stays small (§5.4), while the mean-field
# network's kernel grows (§5.4 measured the two growths).
# ```


# %% [markdown]
# ```{exercise} Which layers move the output?
# :label: ex-5-4
#
# *(question, ~3 min)* At initialization, with the rates of chapter 2, the sigmoid (or any activation whose
# $\mathbb E\,\sigma(Z)^2$ stays of order one) and every hidden width $N$ growing, which layers' parts of the tangent
# kernel stay of order one? Return your letter from `q_5_4`.
#
# - (a) every layer, each by a part of order one
# - (b) only the last hidden layer W^L and the readout C
# - (c) only the first layer W^1, whose rate is the largest
# - (d) none: every part of the kernel vanishes as N grows
# ```

# %% tags=["solution"]
def q_5_4():
    """Your answer: "a", "b", "c" or "d"."""
    # BEGIN SOLUTION
    return "b"
    # END SOLUTION


# %%
from gammanet.exercises import check_q_5_4
check_q_5_4(q_5_4)

# %% [markdown]
# ```{exercise} The floor
# :label: ex-5-5
#
# *(question, ~3 min)* In the conjecture {prf:ref}`conj-deep-trained-variance`, hold the inner widths fixed and let
# $N_L \to \infty$. What does the slope of $\log\operatorname{Var} g_t(x)$ against $\log N_L$ tend to? Return the
# number from `q_5_5`.
# ```

# %% tags=["solution"]
def q_5_5():
    """Your answer: a number."""
    # BEGIN SOLUTION
    return 0.0
    # END SOLUTION


# %%
from gammanet.exercises import check_q_5_5
check_q_5_5(q_5_5)

# %% [markdown]
# ```{exercise} Why slow?
# :label: ex-5-6
#
# *(question, ~3 min)* Why, by this chapter's derivations, does $\gamma = (1, 1/2, 1/2)$ train slowly on MNIST
# although its first step through $W^1$ moves the output about as far as under $(1, 1, 1)$ (both of order
# $N_2^{-1}N_3^{-2}$)? Return your letter from `q_5_6`.
#
# - (a) its rate for W^1 is N² times smaller, so its first layer moves the output N² times less
# - (b) under lazy outer layers its back-propagated sums stay incoherent, so its kernel, small from the start with tanh and γ_1 = 1, stays small
# - (c) its output has a larger variance at initialization
# - (d) its tanh units saturate
# ```

# %% tags=["solution"]
def q_5_6():
    """Your answer: "a", "b", "c" or "d"."""
    # BEGIN SOLUTION
    return "b"
    # END SOLUTION


# %%
from gammanet.exercises import check_q_5_6
check_q_5_6(q_5_6)

# %% [markdown]
# ## Further reading
#
# - **The deep paper** {cite:p}`yu2023deep`: the setting of §5.1 and the claim {prf:ref}`thm-deep-claim`; its
#   expansion in the outer width, which we could not read, is what {prf:ref}`rem-deep-order` interprets. The
#   authors' code {cite:p}`nenn_deep_code` states the learning rates of two and three hidden layers.
# - **Mean-field limits of deep networks**, one layer after another: {cite:t}`sirignano2022deep`; for the shallow
#   mean-field limit, {cite:t}`mei2018meanfield` and {cite:t}`sirignano2020meanfield`, and its fluctuations
#   {cite:p}`sirignano2020clt`.
# - **The tangent kernel** and the lazy regime of §5.3–5.4: {cite:t}`jacot2018ntk`; {cite:t}`lee2019wide` (wide
#   networks evolve as linear models); {cite:t}`chizat2019lazy` (lazy training is a matter of scaling, not of
#   width alone).
# - **Which layers learn features** as the widths grow, and the scalings that let every layer move:
#   {cite:t}`yang2021tensor` (μP, tensor programs); compare its per-layer scalings with the rates of chapter 2.
