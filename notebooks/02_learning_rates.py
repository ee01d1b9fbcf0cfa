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
# (ch-learning-rates)=
# # 2. Learning rates from the theory
#
# ## Learning objectives
#
# After this chapter you can
#
# - **derive** a layer's learning rate from how far one gradient step on that layer moves the output, and get the
#   shallow rate $N^{2\gamma-2}$ in a few lines;
# - **count** the sums a deep network's gradient collects, and **compute** the learning rates of any depth
#   (Exercise 2.2);
# - **explain** why networks of different widths must be compared on the clock $t = k/N_L$, and **find** the clock
#   on which a run with *any* fixed rate follows the limit (Exercise 2.3);
# - **compute** the largest global constant $\alpha$ for which full-batch gradient descent is stable
#   (Exercise 2.1), and **tell** what the theory fixes and what it leaves to you.
#
# ```{admonition} Prerequisites
# :class: tip
#
# - Chapter 1 ({ref}`ch-why-normalize`): the scaled network, its gradients and the tangent kernel $A(x, x')$ of
#   Exercise 1.2.
# - Stochastic gradient descent and back-propagation — e.g. {cite:t}`zhang2023d2l`, chapters 3 and 5.
# - Gradient descent on a quadratic: the step size is bounded by the largest eigenvalue of the Hessian —
#   {cite:t}`boyd2004convex`, chapter 9.
# - Eigenvalues and eigenvectors of a symmetric matrix.
# ```
#
# **What you will see.** A count that reproduces the papers' per-layer learning rates: count how far one SGD step on each
# layer moves the output, and ask that the output move by $O(1/N_L)$ per step. You will get the shallow rate
# $N^{2\gamma-2}$ in full, the published rules for two and three hidden layers and a rule for any depth, the rates
# of the worked example ($10^{-6}$ to $10^{-2}$ at $\gamma = 1/2$, $1$ to $100$ at $\gamma = 1$), the clock
# $t = k/N_L$ on which networks of every width train alike — and not with one fixed rate — and what the theory
# leaves to you: the global constant $\alpha$.
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gammanet-course/gammanet/blob/main/notebooks/02_learning_rates.ipynb)

# %%
# Colab setup: install gammanet only where it is missing (Colab); keeps the preinstalled torch.
# $GAMMANET_INSTALL_SOURCE, if set, names what pip installs instead (a local checkout, a wheel, a fork).
import importlib, importlib.util, os, subprocess, sys
if importlib.util.find_spec("gammanet") is None:
    source = os.environ.get("GAMMANET_INSTALL_SOURCE") or "gammanet @ git+https://github.com/gammanet-course/gammanet"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", source], check=True)
    importlib.invalidate_caches()  # so that this kernel finds the new package

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import display

from gammanet import GammaMLP, fit, learning_rates, load_mnist
from gammanet.course import describe, glue, pick
from gammanet.diagnostics import layer_movement_vs_width
from gammanet.presets import get_preset
from gammanet.plots import loglog_lines, loss_by_width, use_style, width_ticks
from gammanet.theory import (KernelLimit, draw_networks, empirical_kernel, loglog_fit, loss_curves, loss_spread,
                             toy_problem, train_shallow)
from gammanet.theory.threads import torch_threads

use_style()
print(describe())

# %% [markdown]
# ## One step, seen from the output
#
# Take one SGD step on the loss $\frac12 (y - g(x))^2$ of one example, with rate $\eta_\ell$ for the weights
# $\theta_\ell$ of layer $\ell$: $\theta_\ell \leftarrow \theta_\ell + \eta_\ell\, (y - g(x))\, \partial g(x) /
# \partial \theta_\ell$. To first order the output at $x$ moves by
#
# $$
# \Delta g(x) = \sum_\ell \eta_\ell \left| \frac{\partial g(x)}{\partial \theta_\ell} \right|^2 (y - g(x)).
# $$
#
# (With cross-entropy the residual $y - g$ becomes "one-hot minus softmax"; at another input $x'$ the squared norm
# becomes the inner product of two gradients, the tangent kernel.) The rates are chosen so that **every layer moves
# the output by $O(1/N_L)$ per step**:
#
# - then the output changes by $O(1)$ over $O(N_L)$ steps: one unit of the clock $t = k/N_L$ holds many steps, the
#   noise of the individual mini-batches averages out, and the training curve has a limit as the widths grow — a
#   differential equation in $t$;
# - a rate $N^{a}$ times larger or smaller does not, by itself, lose the limit: it moves it to another clock. The
#   output then moves by $O(N^{a-1})$ per step, and the same differential equation appears on the clock
#   $t' = k\,N^{a-1}$ — as long as each step stays small ($a < 1$; at $a \ge 1$ one step moves the output by $O(1)$ and
#   there is no limit). Exercise 2.3 shows it: one fixed rate for all widths, replotted on its own clock, follows the
#   limit at every width. **What the theory fixes is the pair (rate, clock)**: with the rates below, the clock is
#   $t = k/N_L$ for every layer at once, and it is on this clock that the papers state their limits.
#
# So the whole derivation is one question per layer: **how does $|\partial g / \partial \theta_\ell|^2$ scale with
# the widths?**
#
# ### The shallow network, in full
#
# For $g(x) = N^{-\gamma} \sum_i C^i \sigma(W^i \cdot x)$ the gradients are
# $\partial g / \partial C^i = N^{-\gamma} \sigma(W^i \cdot x)$ and
# $\partial g / \partial W^i = N^{-\gamma} C^i \sigma'(W^i \cdot x)\, x$, so
#
# $$
# \left|\frac{\partial g}{\partial C}\right|^2 = N^{-2\gamma} \sum_{i=1}^N \sigma(W^i \cdot x)^2
# \approx N^{1-2\gamma}\, \mathbb E[\sigma^2], \qquad
# \left|\frac{\partial g}{\partial W}\right|^2 = N^{-2\gamma} \sum_{i=1}^N (C^i)^2 \sigma'(W^i \cdot x)^2 |x|^2
# \approx N^{1-2\gamma}\, \mathbb E[C^2 \sigma'^2]\, |x|^2
# $$
#
# by the law of large numbers over the $N$ units. Both are $N^{1-2\gamma}$ times a width-free constant, so
# $\Delta g \approx \eta\, N^{1-2\gamma} \times O(1)$, and $\Delta g = O(1/N)$ asks for
#
# $$
# \eta = N^{-1} \cdot N^{2\gamma - 1} = N^{2\gamma-2} \qquad (\gamma = 1/2:\ \eta = 1/N; \quad \gamma = 1:\ \eta = 1),
# $$
#
# the shallow paper's rate for every parameter {cite:p}`yu2021shallow`.
#
# ```{prf:remark} The shallow rate (the paper's choice, our count)
# :label: rem-shallow-rate
#
# The shallow paper trains every parameter with the rate $\alpha N^{2\gamma - 2}$ {cite:p}`yu2021shallow`; the count
# above is our reading of why: it is the rate that moves the output by $O(1/N)$ per step at every $\gamma$.
# ```
#
# It also says how far each weight travels:
# one step moves $C^i$ by $\eta N^{-\gamma} \sigma\, (y - g) = O(N^{\gamma - 2})$, so after $tN$ steps by
# $O(t\, N^{\gamma-1})$. For $\gamma < 1$ every weight moves by a vanishing amount — the tangent kernel stays frozen
# at its initial value, the linear regime of the next chapter; at $\gamma = 1$ every weight moves by $O(1)$ — the
# distribution of the weights evolves, the mean-field regime.
#
# ### Deeper networks: count the sums
#
# In the network of chapter 1, a weight $W^\ell_{ij}$ of layer $\ell$ reaches the output through every layer above
# it. Its gradient is a product of the factors met on the way, and $|\partial g / \partial W^\ell|^2$ collects:
#
# 1. **its own layer**: a sum over the $N_{\ell-1}$ inputs of layer $\ell$, each carrying the factor
#    $N_{\ell-1}^{-\gamma_{\ell-1}}$ squared, and a sum over its $N_\ell$ units, each carrying $N_\ell^{-\gamma_\ell}$
#    squared: $N_{\ell-1}^{1-2\gamma_{\ell-1}} N_\ell^{1-2\gamma_\ell}$ (no $N_0$ factor for $\ell = 1$, whose
#    input $x$ is not scaled);
# 2. **every layer $m$ above it** ($\ell < m \le L$): the back-propagated sum $N_m^{-\gamma_m} \sum_{j=1}^{N_m}
#    (\dots)$ over its units. Counted as an average of $O(1)$ terms — the law-of-large-numbers count that
#    mean-field analysis uses — it is $N_m^{1-\gamma_m}$, squared $N_m^{2-2\gamma_m}$;
# 3. **the clock**: a factor $N_L$, so that $\eta_\ell |\partial g / \partial W^\ell|^2 = O(1/N_L)$.
#
# The readout has only its own factor, $N_L^{1-2\gamma_L}$, and the last hidden layer has no layer above it but
# the readout, whose gradient is not a sum. Inverting the counts gives
#
# $$
# \alpha_C = N_L^{-(2-2\gamma_L)}, \qquad
# \alpha_{L} = \big[N_{L-1}^{1-2\gamma_{L-1}} N_L^{2-2\gamma_L}\big]^{-1},
# $$
#
# $$
# \alpha_\ell = \Big[N_{\ell-1}^{1-2\gamma_{\ell-1}} N_\ell^{1-2\gamma_\ell}
#   \prod_{m=\ell+1}^{L-1} N_m^{2-2\gamma_m}\; N_L^{3-2\gamma_L}\Big]^{-1} \quad (\ell < L).
# $$
#
# These are width factors: the rate of layer $\ell$ is $\eta_\ell = \alpha\,\alpha_\ell$, with $\alpha$ one global
# constant for all layers (the section *The global constant α* below shows that it is a unit of time).
#
# ```{prf:remark} Which of these rules are published (the papers' claim and the authors' code)
# :label: rem-published-rates
#
# For one hidden layer the rule is the shallow paper's rate. For two hidden layers it is the rule in the authors'
# code {cite:p}`nenn_deep_code`,
#
# $$
# \alpha_{W^1} = \frac{1}{N_1^{1-2\gamma_1} N_2^{3-2\gamma_2}}, \qquad
# \alpha_{W^2} = \frac{1}{N_1^{1-2\gamma_1} N_2^{2-2\gamma_2}}, \qquad \alpha_C = N_2^{-(2-2\gamma_2)},
# $$
#
# and for three the rule stated in the deep paper and its code {cite:p}`yu2023deep,nenn_deep_code`:
#
# $$
# \alpha_{W^1} = \frac{1}{N_1^{1-2\gamma_1} N_2^{2-2\gamma_2} N_3^{3-2\gamma_3}}, \qquad
# \alpha_{W^2} = \frac{1}{N_1^{1-2\gamma_1} N_2^{1-2\gamma_2} N_3^{3-2\gamma_3}},
# $$
#
# $$
# \alpha_{W^3} = \frac{1}{N_2^{1-2\gamma_2} N_3^{2-2\gamma_3}}, \qquad \alpha_C = N_3^{-(2-2\gamma_3)}.
# $$
#
# **The rule for any depth, and the counting argument above, are our derivation**: the deep paper states that a
# general formula exists, which we could not read; the count reproduces all three published cases, and gammanet's
# tests lock them.
# ```
# `gammanet.learning_rates` implements the rule, and `fit` attaches it to one optimizer group per layer (a layer's
# bias takes its layer's rate, as in the authors' code).
#
# The worked example, every width 100:

# %%
rows = []
for widths in [(100,), (100, 100), (100, 100, 100)]:
    for gamma in (0.5, 1.0):
        rows.append({"hidden layers": len(widths), "γ (every layer)": gamma,
                     **learning_rates(widths, gamma)})
rate_table = pd.DataFrame(rows).set_index(["hidden layers", "γ (every layer)"])
rate_table[["W1", "W2", "W3", "C"]].map(lambda v: "" if pd.isna(v) else f"{v:g}")

# %% [markdown]
# Read the last two rows: $(W^1, W^2, W^3, C) = (10^{-6}, 10^{-4}, 10^{-2}, 10^{-2})$ at $\gamma = 1/2$ and
# $(1, 100, 100, 1)$ at $\gamma = 1$. At $\gamma = 1/2$ the first layer's rate is ten thousand times smaller than the
# readout's, because by the count its gradient is ten thousand times larger; at $\gamma = 1$ the middle layers have
# the largest rates. Every layer is meant to move the output by the same $O(1/N_L)$ per step.
#
# ### The count, measured at initialization
#
# `gammanet.diagnostics.layer_movement_vs_width` computes $\eta_\ell |\partial g(x) / \partial W^\ell|^2$ for real
# networks (three hidden layers of width $N$, the theory's rates, a few inputs and seeds), multiplied by $N_L$ —
# so a flat line means "exactly $O(1/N_L)$ per step". The count budgets every layer at a flat line. **Look at**
# the readout $C$ and the last hidden layer $W^3$: are they flat (after the smallest widths) in both panels? And the
# inner layers $W^2$ and $W^1$: flat, or falling — and how fast? The table below the figure gives the fitted slopes.

# %%
widths = pick((25, 50, 100, 200, 400), (25, 50, 100, 200, 400, 800, 1600))
movement = pd.concat([layer_movement_vs_width(widths, gamma, depth=3, seeds=range(pick(3, 10)))
                      for gamma in (0.5, 1.0)])
weights = movement[movement.parameter == "weight"]
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, (label, part) in zip(axes, weights.groupby("gammas")):
    loglog_lines(part, "N", "scaled_movement", hue="layer", hue_order=["C", "W3", "W2", "W1"],
                 ax=ax)
    ax.set(title=f"γ = {label}", xlabel="width N (all three layers)",
           ylabel="N_L × output movement per step")
    ax.legend(title="layer", loc="center right", bbox_to_anchor=(1.0, 0.6))
    width_ticks(ax, widths)
plt.show()

# %%
mean_movement = weights.groupby(["gammas", "layer", "N"]).scaled_movement.mean()
movement_slopes = (mean_movement.groupby(["gammas", "layer"])
                   .apply(lambda m: loglog_fit(widths, m.to_numpy())[0])
                   .unstack()[["W1", "W2", "W3", "C"]])
movement_slopes.rename_axis(index="γ's", columns="slope against N").round(2)

# %% [markdown]
# Where the inner layers fall, here is why: at initialization the weights of different layers are independent and
# centred, so a
# back-propagated sum over $N_m$ units has random signs and size $\sqrt{N_m}$, not $N_m$ — each layer above
# $\ell$ costs a factor $1/N_m$ against the count. The published rule budgets for the coherent count, the one that
# holds once the weights of consecutive layers have become correlated, so it never lets an inner layer move the
# output by more than $O(1/N_L)$ per step; at initialization it leaves the inner layers with much smaller steps
# (this reading of the rule is ours). Whether and how fast they catch up during training is a question for the
# chapters on deep networks — it may be part of why deep $\gamma = 1$ networks can sit on a long plateau.
#
# ```{prf:remark} What the inner layers' movement implies in the limit (our derivation, heuristic)
# :label: rem-inner-frozen
#
# One unit of the clock is $N_L$ steps. If every step of $W^\ell$ moves the output by a fraction $N^{-p}$ of the
# budget $1/N_L$ — the incoherent count gives $p = 1$ for $W^2$ and $p = 2$ for $W^1$ in a network of depth 3, and
# the fitted slopes above measure $-p$ at initialization — then over one unit of time the layer moves the output by $O(N^{-p})$: nothing, as the widths grow. The
# fraction stays that small as long as the back-propagated sums stay incoherent, that is, as long as the weights
# above layer $\ell$ stay near their independent initial values. That is the case when the **outer layers are
# lazy** — normalized with $\gamma < 1$, their weights move by $o(1)$ on the clock $t$, as the count in *The shallow network, in full* above
# shows for the readout. Then, in the limit, **the inner layers are frozen**: the network trains like a shallow one on
# the fixed random features that the layers below compute, and the inner $\gamma$'s only shape those features. Only
# when the outer layers move by $O(1)$ (mean-field scaling, $\gamma_L = 1$) can consecutive layers become correlated
# and the inner layers take their full budget — the regime the published rates provide for. Chapter 5
# ({doc}`../notebooks/05_deep`) derives and measures this for deep networks.
# ```
#
# **Biases are outside the budget.** The papers' model has no biases; the authors' code and `fit` train them with
# their layer's rate. The readout bias has $|\partial g / \partial b^C|^2 = 1$, so it moves the output by
# $\alpha_C = N_L^{2\gamma_L - 2}$ per step: $N_L \times$ that is $N_L^{2\gamma_L - 1}$, which is 1 at
# $\gamma_L = 1/2$ but $N_L$ at $\gamma_L = 1$ — there the readout bias takes steps of order one. The last hidden
# layer's biases are outside the budget too: $|\partial g/\partial b^L|^2 \approx N_L^{1-2\gamma_L}\,\mathbb
# E[C^2\sigma'(Z^L)^2]$ at the rate $\alpha_L$, so $N_L$ times their movement is about
# $N_{L-1}^{2\gamma_{L-1}-1}\,\mathbb E[C^2\sigma'(Z^L)^2]$, of order $N_{L-1}$ when $\gamma_{L-1} = 1$, whatever
# $\gamma_L$. Measured, the readout bias and (second table) the last hidden layer's bias:

# %%
readout_bias = movement[(movement.parameter == "bias") & (movement.layer == "C")]
display(readout_bias.groupby(["gammas", "N"]).scaled_movement.mean().unstack().rename_axis(
    index="readout bias: N_L × movement", columns="N").round(2))
last_bias = movement[(movement.parameter == "bias") & (movement.layer == "W3")]
display(last_bias.groupby(["gammas", "N"]).scaled_movement.mean().unstack().rename_axis(
    index="last hidden bias (b³): N_L × movement", columns="N").round(2))

# %% [markdown]
# (pred-clock)=
# ## The clock $t = k/N_L$
#
# With the theory's rates the output moves by $O(1/N_L)$ per step, so $k$ steps of a network of last width $N_L$
# are worth $t = k/N_L$ units of time, and networks of different widths should be compared at equal $t$, not at
# equal $k$ (`fit` reports `t` beside the epochs). The prediction: **with the theory's
# rates, training-loss curves of different widths coincide against $t$; with one fixed rate they do not.**
#
# `gammanet.theory.loss_curves` trains shallow networks at $\gamma = 3/4$ by full-batch gradient descent on a small
# regression problem (24 points, target $\sin(x_1 + x_2)$, several seeds per width), once with the theory's rate
# $\alpha N^{2\gamma-2}$ and once with one rate for all widths — the theory's rate at the smallest width, which at
# width $N$ is $(N/N_{\min})^{1/2}$ times too large. The dashed line is the loss of the infinite-width limit (the
# frozen-kernel equation of the next chapter). **Look at** the left panel: the curves of all widths lie on each
# other and on the limit, says the count; on the right, where the wider networks take steps that are too large for
# their width, they should fan out, the wider the faster on the clock $t$. **Look whether** they do. (With the
# theory's rate, expect the narrowest network to start a little above the others: its initial output has the
# largest variance, $N^{1-2\gamma}$ as in chapter 1, and training contracts it — a fluctuation, not a clock.)

# %%
curves = loss_curves(widths=pick((50, 200, 800), (50, 200, 800, 3200)), gamma=0.75,
                     n_seeds=pick(4, 16), t_max=0.5,
                     n_times=26)          # t every 0.02: whole steps at every width
axes = loss_by_width(curves.table)
axes[0].set_title("the theory's rate α N^(2γ−2)")
axes[1].set_title(f"one rate for all: the theory's at N = {min(curves.config['widths'])}")
for ax in axes:
    ax.set_xlabel("t = k / N")
plt.show()

# %% [markdown]
# How far apart the curves are: at each $t$ the largest ratio between the widths' mean losses, as a difference of
# logarithms (0.69 would be a factor 2), maximized over $t$, and where the maximum is. Where it sits tells what
# separates the curves: at $t = 0$, the narrowest network's initial fluctuation; late in training, clocks that run
# apart:

# %%
spread = loss_spread(curves.table)
spread.assign(**{"largest loss ratio": np.exp(spread.spread)}).round(3)

# %% [markdown]
# ## The global constant $\alpha$
#
# **What the theory fixes** is how each layer's rate scales with the widths — the exponents above — because that
# is what makes the limit exist. **What it leaves open** is a constant factor: gammanet multiplies every layer's
# rate by one global $\alpha$ (`fit(..., alpha=...)`; the authors use $\alpha = 1$). In the limit equations $\alpha$
# multiplies the right-hand side (for the frozen-kernel limit, $\partial_t h_t = \alpha \int (y - h_t) A\, d\pi$),
# so running for time $t$ at $\alpha$ is running for time $\alpha t$ at $\alpha = 1$: **$\alpha$ is a unit of time**.
# It is bounded above only by the discretization — each step must stay small at the width you actually use — and
# below by your patience. The theory is silent on the rest too: the per-layer constants (the rule puts the same
# $\alpha$ in front of every layer), the activation, the scale of the inputs, the batch size.
#
# An illustration on MNIST: one shallow network, $N = 100$, $\gamma = 3/4$, the same seed, three values of $\alpha$.
# (It uses the model of gammanet's `fast` preset: tanh units on pixels scaled by $1/28$, so that the
# pre-activations are of order one; the papers' sigmoid on standardized pixels saturates most units and trains far
# more slowly, as measured in the repository's `docs/presets.md` — another choice the theory leaves open.)
# **Look at** the right panel: against $\alpha t$ on a logarithmic axis, curves whose steps are all small lie on one
# curve where they overlap — then a larger $\alpha$ only buys time. A curve that starts above the others is one whose
# first steps are no longer small (watch $\alpha = 100$, and its early test accuracy on the left): it loses time
# before joining the common curve. Against epochs (left), look whether the larger $\alpha$ gets further.

# %%
data = load_mnist()
train_data = data.subset(n_train=pick(1000, min(10_000, data.n_train)),
                         n_test=pick(500, None))
print(train_data.describe())
model_kwargs = get_preset("fast").model_kwargs()     # tanh, pixels × 1/28, centred readout
histories = []
# Networks this small train faster on one CPU thread (no effect on a GPU).
with torch_threads(1):
    for alpha in (1.0, 10.0, 100.0):
        model = GammaMLP((100,), 0.75, seed=0, **model_kwargs)
        history = fit(model, train_data, epochs=pick(40, 20), alpha=alpha, seed=0,
                      progress=pick(False, True))
        histories.append(history.assign(alpha=f"α = {alpha:g}", alpha_t=alpha * history.t))
histories = pd.concat(histories, ignore_index=True)

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
colours = sns.color_palette("flare", 3)
sns.lineplot(histories, x="epoch", y="test_accuracy", hue="alpha", palette=colours, lw=2,
             ax=axes[0])
sns.lineplot(histories[histories.step > 0], x="alpha_t", y="train_loss", hue="alpha",
             palette=colours, lw=2, marker="o", ms=4, mec="none", ax=axes[1], legend=False)
axes[0].set(xlabel="epoch", ylabel="test accuracy", title="against epochs")
axes[1].set(xscale="log", yscale="log", xlabel="α t  (t = k / N)", ylabel="training loss",
            title="against α t")
plt.show()
final = histories.groupby("alpha").tail(1)
final[["alpha", "epoch", "t", "train_loss", "test_accuracy"]].round(3)

# %% [markdown]
# ## What you saw

# %% tags=["hide-input"]
ratio = np.exp(spread.set_index("rate").spread)
glue("ratio_theory", float(ratio["theory"]))
glue("ratio_fixed", float(ratio["fixed"]))
for layer in ("W1", "W2", "W3", "C"):
    glue(f"movement_{layer}", ", ".join(f"{v:+.2f}" for v in movement_slopes[layer]))
glue("mnist_epochs", int(final.epoch.iloc[0]))
glue("mnist_accuracy", ", ".join(f"{a}: {v:.3f}" for a, v in zip(final.alpha, final.test_accuracy)))

# %% [markdown]
# - One SGD step on layer $\ell$ moves the output by $\eta_\ell |\partial g / \partial \theta_\ell|^2$ times the
#   residual. Asking for $O(1/N_L)$ per step gives the shallow rate $N^{2\gamma-2}$, the published rules for two and
#   three hidden layers, and — our derivation — a rule for any depth; at $N = 100$ the rates span $10^{-6}$ to
#   $10^{-2}$ at $\gamma = 1/2$ and $1$ to $100$ at $\gamma = 1$.
# - Measured at initialization (slopes against $N$ of $N_L\times$ the output's movement per step, for $\gamma = 1/2$
#   and $1$): the readout {glue:text}`movement_C` and the last hidden layer {glue:text}`movement_W3` — flat is
#   "exactly the budget"; the inner layers {glue:text}`movement_W2` ($W^2$) and {glue:text}`movement_W1` ($W^1$):
#   where they fall, it is because their back-propagated sums start incoherent; in the limit they are then frozen
#   while the outer layers are lazy ({prf:ref}`rem-inner-frozen`). The readout bias, outside the theory, moves the
#   output by $O(1)$ per step at $\gamma = 1$, and so does the last hidden layer's bias when $\gamma_{L-1} = 1$.
# - On the clock $t = k/N_L$ the largest loss ratio between widths was {glue:text}`ratio_theory:.2f` with the
#   theory's rates and {glue:text}`ratio_fixed:.2f` with one fixed rate. A fixed rate is not wrong: it runs on
#   another clock (Exercise 2.3); the theory fixes the pair (rate, clock).
# - $\alpha$ is a unit of time, not part of the theory: against $\alpha t$ runs with small steps follow one curve,
#   and a too-large $\alpha$ shows as first steps off that curve; how large is too large for full-batch gradient
#   descent, Exercise 2.1 computes. On MNIST, after {glue:text}`mnist_epochs` epochs the test accuracies were
#   {glue:text}`mnist_accuracy`.
#
# Next, chapter 3 follows a wide shallow network on the clock $t$ to its limit.
#
# %% [markdown]
# ## Exercises
#
# Exercises 2.1–2.3 ask you to derive and compute; 2.4–2.6 are short questions. Each check runs your answer on
# hidden cases and gives a hint, never the answer.
#
# ```{exercise} The largest stable $\alpha$
# :label: ex-2-1
#
# *(medium, ~25 min)* Train a shallow network by full-batch gradient descent on $M$ points, with the loss
# $\frac{1}{2M}\sum_m (y_m - g(x_m))^2$ and the rate $\eta = \alpha N^{2\gamma-2}$ for every weight. Linearize the
# network at its initial weights: its tangent kernel is then frozen, $\nabla g(x)\cdot\nabla g(x') =
# N^{1-2\gamma}A_N(x, x')$ with the empirical kernel $A_N$ of chapter 1 (Exercise 1.2).
#
# 1. Write one step for the residual $r_k = y - g_k(X)$ at the $M$ training points.
# 2. Write `largest_stable_alpha(kernel, width, gamma)`: the largest $\alpha$ for which no component of the residual
#    of the linearized network grows — every component along an eigenvalue $\lambda > 0$ of $A_N$ shrinks, and the
#    components in its null space stay as they are (at the boundary itself they no longer shrink), for the $M\times M$
#    matrix `kernel` $= A_N$ (a numpy array), the width $N$ and the exponent $\gamma$.
# 3. The cell after the check trains a network of width 200 and its linearization just below and just above your
#    $\alpha$. What does the linearization do above it — and the network itself? Why can they differ?
# ```

# %% tags=["solution"]
def largest_stable_alpha(kernel, width, gamma):
    """The largest α for which full-batch gradient descent on the linearized network contracts the residual."""
    # BEGIN SOLUTION
    m = kernel.shape[0]
    top = np.linalg.eigvalsh(np.asarray(kernel, dtype=float)).max()
    # r ← (I − η N^{1-2γ} A_N / M) r with η N^{1-2γ} = α / N: every factor 1 − αλ/(NM) must lie in (−1, 1)
    return 2 * width * m / top
    # END SOLUTION


# %% [markdown] tags=["solution"]
# ```{solution} ex-2-1
# :class: dropdown
#
# A step changes every weight by $\eta\,\frac1M\sum_m r_m\nabla g(x_m)$, so the linearized outputs change by
# $\frac{\eta}{M}\,\Theta\, r$ with $\Theta = N^{1-2\gamma}A_N$, and $r_{k+1} = \big(I - \frac{\alpha}{NM}A_N\big)
# r_k$ — the rate's $N^{2\gamma-2}$ and the kernel's $N^{1-2\gamma}$ leave $\alpha/N$, whatever $\gamma$. In the
# eigenbasis of $A_N$ each component is multiplied by $1 - \alpha\lambda/(NM)$ per step: those with $\lambda = 0$
# never move, and the components with $\lambda > 0$ all shrink iff $\alpha\lambda_{\max}/(NM) < 2$, i.e. $\alpha < \alpha_c = 2NM/\lambda_{\max}(A_N)$. Since $\lambda_{\max}(A_N)$ tends to
# that of $A$, $\alpha_c$ grows like $N$: a wider network tolerates a larger $\alpha$, which is why $\alpha$ is bounded
# only by the discretization at the width you use. Above $\alpha_c$ the linearized network diverges along the top
# eigen-direction. The network itself is not bound to its initial kernel: large steps move the weights, and if its
# top eigenvalue falls below the new threshold the loss comes back down after a bump — look in the output of the
# cell after the check whether that happened in this run (the "catapult" of {cite:t}`lewkowycz2020catapult`).
# ```

# %%
from gammanet.exercises import check_stable_alpha
check_stable_alpha(largest_stable_alpha)

# %% tags=["needs-solution"]
toy = toy_problem()
one_net = draw_networks((200,), toy.dim, [0])
kernel = empirical_kernel(one_net, toy.x_train)[0].numpy()
alpha_c = largest_stable_alpha(kernel, 200, 0.75)
stable_rows = []
for factor in (0.9, 1.1):
    run = train_shallow(toy, one_net, gammas=(0.75,), times=np.arange(0, 0.21, 0.04), alpha=factor * alpha_c,
                        linearized=True)
    for label, loss in (("network", run.loss), ("linearized", run.linearized_loss)):
        stable_rows.append({"α / α_c": factor, "model": label,
                            **{f"t = {t:.2f}": float(v) for t, v in zip(run.times, loss[0, 0])}})
print(f"α_c = {alpha_c:.0f} for this network; training loss at t = k/N:")
pd.DataFrame(stable_rows).set_index(["α / α_c", "model"]).map("{:.3g}".format)

# %% [markdown]
# ```{exercise} Learning rates for any depth
# :label: ex-2-2
#
# *(medium, ~25 min)* Write `my_learning_rates(widths, gammas)`: the rates of the general-depth rule above
# ($\alpha_\ell$ for $\ell < L$, $\alpha_L$ and $\alpha_C$) for hidden widths
# `widths` $= (N_1, \dots, N_L)$ and exponents `gammas` $= (\gamma_1, \dots, \gamma_L)$, without calling
# `gammanet.learning_rates`. Return a dict whose keys are `"W1"`, …, `f"W{L}"` and `"C"`, in that order — for three
# hidden layers `{"W1": ..., "W2": ..., "W3": ..., "C": ...}`. The check uses depths 1 to 5 with unequal widths and
# mixed $\gamma$'s, and tells you which layer's rate is off and, when it is, by which power of which width. Then
# check by hand that for $L = 2$ your function gives the authors' two-layer rule, and explain in one sentence per
# factor where each power of $N$ in $\alpha_1$ comes from.
# ```

# %% tags=["solution"]
def my_learning_rates(widths, gammas):
    """Per-layer SGD rates {"W1", ..., "WL", "C"} for widths (N_1..N_L), exponents (γ_1..γ_L)."""
    # BEGIN SOLUTION
    L = len(widths)
    N, g = [float(n) for n in widths], [float(x) for x in gammas]
    rates = {}
    for ell in range(1, L + 1):
        # the inputs of layer ℓ: N_{ℓ-1}^{1-2γ_{ℓ-1}} (none for ℓ = 1: x is not scaled)
        count = N[ell - 2] ** (1 - 2 * g[ell - 2]) if ell > 1 else 1.0
        if ell == L:
            count *= N[L - 1] ** (2 - 2 * g[L - 1])      # own units, times the clock N_L
        else:
            count *= N[ell - 1] ** (1 - 2 * g[ell - 1])  # its own units
            for m in range(ell + 1, L):                  # back-propagated sums, coherent
                count *= N[m - 1] ** (2 - 2 * g[m - 1])
            count *= N[L - 1] ** (3 - 2 * g[L - 1])      # last layer's sum, times the clock
        rates[f"W{ell}"] = 1 / count
    rates["C"] = N[L - 1] ** (-(2 - 2 * g[L - 1]))
    return rates
    # END SOLUTION


# %%
from gammanet.exercises import check_learning_rates
check_learning_rates(my_learning_rates)

# %% [markdown]
# ```{exercise} A clock for any learning rate
# :label: ex-2-3
#
# *(substantial, ~40 min)* With one fixed rate the curves did not collapse against $t = k/N$. Find the clock on
# which they do: from the shallow count, one full-batch step with rate $\eta$ moves the output by about
# $\eta N^{1-2\gamma}$ times a width-free amount. Write `effective_time(step, learning_rate, width, gamma, alpha)`
# returning a clock $\tau$ that counts steps in units of that movement, normalized so that $\tau = k/N$ for the
# theory's rate $\eta = \alpha N^{2\gamma-2}$. The cell after the check calls it once with the columns of the
# table of runs — steps, rates, widths and $\gamma$'s as numpy arrays, $\alpha$ one number — and replots the
# fixed-rate curves of the figure above against your $\tau$: write it with operations that work elementwise. Then
# answer the question the figure asks: with what width dependence $\eta(N)$ would the curves have collapsed
# against $t$ itself?
# ```

# %% tags=["solution"]
def effective_time(step, learning_rate, width, gamma, alpha):
    """The clock τ on which shallow networks trained with any rate follow one curve."""
    # BEGIN SOLUTION
    return step * learning_rate * width ** (1 - 2 * gamma) / alpha
    # END SOLUTION


# %% [markdown] tags=["solution"]
# ```{solution} ex-2-3
# :class: dropdown
#
# One step moves the output by $\eta |\nabla g|^2 (y - g) \approx \eta N^{1-2\gamma} A_N (y-g)$, so the
# dynamics only depends on $k \eta N^{1-2\gamma}$; dividing by $\alpha$ gives $\tau = k \eta N^{1-2\gamma}/\alpha$,
# which is $k/N$ for $\eta = \alpha N^{2\gamma-2}$. Against $\tau$ every width follows the limit, each over its own
# range (the wide networks, with their too-large rate, get further). For the curves to collapse against $t = k/N$
# itself we need $\eta N^{1-2\gamma} \propto 1/N$, that is $\eta \propto N^{2\gamma-2}$: the theory's rule is the
# only width dependence that works.
# ```

# %%
from gammanet.exercises import check_effective_time
check_effective_time(effective_time)

# %% tags=["needs-solution"]
fixed = curves.table[curves.table.rate == "fixed"]
alpha = curves.config["alpha"]
tau = effective_time(fixed.step.to_numpy(), fixed.learning_rate.to_numpy(),
                     fixed.N.to_numpy(), fixed.gamma.to_numpy(), alpha)
fixed = fixed.assign(tau=tau, rate="one fixed rate, against τ")
axes = loss_by_width(fixed, x="tau", limit=None)
axes[0].set_title("one fixed rate, against your clock τ")
grid = np.linspace(0, fixed.tau.max(), 200)
limit = KernelLimit(toy_problem(), alpha).loss(grid)
axes[0].plot(grid, np.asarray(limit), "k--", lw=1.2, label="limit")
axes[0].set_xlabel("τ")
axes[0].legend()
plt.show()

# %% [markdown]
# ```{exercise} Steps on the clock
# :label: ex-2-4
#
# *(question, ~2 min)* A network with hidden widths $(300, 200, 50)$ is trained with the theory's rates. How many
# SGD steps make $t = 10$? (And, for yourself: how many epochs is that with 60,000 images in batches of 20?)
# ```

# %% tags=["solution"]
def q_2_4():
    """The number of SGD steps that make t = 10 for widths (300, 200, 50)."""
    # BEGIN SOLUTION
    return 10 * 50           # t = k / N_L; 500 steps are a sixth of an epoch of 3,000 batches
    # END SOLUTION


# %%
from gammanet.exercises import check_q_2_4
check_q_2_4(q_2_4)

# %% [markdown]
# ```{exercise} One rate for all widths
# :label: ex-2-5
#
# *(question, ~3 min)* Shallow networks at $\gamma = 3/4$ are all trained with one rate: the theory's rate at the
# smallest width. Against the clock $t = k/N$, what should their loss curves do? Return `"a"`, `"b"`, `"c"` or `"d"`.
#
# - (a) coincide, as with the theory's rates
# - (b) fan out, the wider networks running faster
# - (c) fan out, the wider networks running slower
# - (d) the wider networks have no limit: each step moves their output by $O(1)$
# ```

# %% tags=["solution"]
def q_2_5():
    """Your answer: "a", "b", "c" or "d"."""
    # BEGIN SOLUTION
    return "b"
    # END SOLUTION


# %%
from gammanet.exercises import check_q_2_5
check_q_2_5(q_2_5)

# %% [markdown]
# ```{exercise} $\alpha$ as a unit of time
# :label: ex-2-6
#
# *(question, ~2 min)* In the limit, a run with $\alpha = 20$ reaches a certain output at time $t = 1$. At which
# time $t$ does a run with $\alpha = 5$ reach the same output?
# ```

# %% tags=["solution"]
def q_2_6():
    """The time at α = 5 that matches t = 1 at α = 20."""
    # BEGIN SOLUTION
    return 20 * 1 / 5        # the limit depends on α t only
    # END SOLUTION


# %%
from gammanet.exercises import check_q_2_6
check_q_2_6(q_2_6)

# %% [markdown]
# ## Further reading
#
# - The rates: {cite:t}`yu2021shallow` (one hidden layer) and {cite:t}`yu2023deep` with the authors' code
#   {cite:p}`nenn_deep_code` (two and three hidden layers).
# - Choosing each layer's initialization *and* learning rate from the widths so that every layer learns at the
#   same pace — the μP of the tensor programs {cite:p}`yang2021tensor` — is the same question asked for the
#   feature-learning limit; comparing its rules with the ones above is a good exercise.
# - The scale of the output decides between a *lazy* regime (the kernel of chapter 3) and one where the weights
#   move: {cite:t}`chizat2019lazy`.
# - Steps too large for the tangent kernel: the network can leave its initial kernel instead of diverging — the
#   "catapult" of {cite:t}`lewkowycz2020catapult`, which the follow-up of Exercise 2.1 lets you look for.
# - Gradient descent on a quadratic and its step-size bound: {cite:t}`boyd2004convex`, chapter 9.
