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
# (ch-mnist-accuracy)=
# # 6. MNIST: accuracy across γ-grids
#
# ## Learning objectives
#
# After this chapter you will be able to
#
# - **design** a comparison of $\gamma$'s with init seeds and common random numbers, and **derive** why pairing
#   seeds narrows the interval of a difference;
# - **compute** a paired gain with its Student-t interval, and read a rank correlation seed by seed;
# - **measure** how much each layer's $\gamma$ moves accuracy (main effects) on the papers' MLP2 and MLP3 grids;
# - **explain** the plateau of deep mean-field networks with trained biases, and why an inner $\gamma_1 = 1$ is slow
#   under lazy outer layers;
# - **judge** each of the papers' accuracy claims by a stated rule, and say when a claim is about speed, not limits.
#
# ```{admonition} Prerequisites
# :class: tip
#
# - The learning rates of each layer, the clock $t = k/N_L$ and the constant $\alpha$: {ref}`ch-learning-rates`.
# - Why the inner layers are frozen under lazy outer layers, and each layer's part of the tangent kernel:
#   {ref}`ch-deep`.
# - Confidence intervals for a mean (Student's $t$ {cite:p}`student1908probable`) and paired comparisons; common
#   random numbers in simulation {cite:p}`glasserman2004monte`.
# - The MNIST digits {cite:p}`lecun1998mnist`; cross-entropy and SGD as in any first course in machine learning.
# - The symbols: {doc}`../notation`.
# ```
#
# **What you will see.** The papers' MNIST experiments run again, this time with several seeds and confidence
# intervals: a shallow network trained with every $\gamma$ from $1/2$ to $1$, then networks with two and three hidden
# layers trained over the full grid $\gamma_i \in \{0.5, 0.7, 1\}$, shown as heatmaps. You will see how much each
# layer's $\gamma$ matters, and how the authors' setting compares with our fast one. You will also see a plateau:
# deep mean-field networks with trained biases can sit at chance accuracy. Removing the biases, as the papers'
# equations do, makes it go away. Finally, an honest account of where the papers' ordering "larger $\gamma$,
# higher accuracy" holds and where it does not.
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gammanet-course/gammanet/blob/main/notebooks/06_mnist_accuracy.ipynb)

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
from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

from gammanet import get_preset, learning_rates, load_mnist
from gammanet.claims import accuracy_claims, claim_sentences
from gammanet.course import describe, glue, pick
from gammanet.experiments import get_experiment, sweep
from gammanet.grids import (accuracy_summary, effect_ranges, final_rows, main_effects, ordering, paired_by_block,
                            paired_difference,
                            plateau_epochs)
from gammanet.plots import (accuracy_curves, accuracy_heatmaps, accuracy_vs_gamma, gamma_label, main_effects_plot,
                            use_style)

from gammanet.theory import draw_networks, steps_table

use_style()
pd.set_option("display.precision", 3)
print(describe())

# %% [markdown]
# ## 6.1 What the papers ran, and what we run
#
# The papers {cite:p}`yu2021shallow,yu2023deep` train on the 60,000 MNIST images with batch 20 and the learning
# rates of chapter 2 (α = 1). Their code {cite:p}`nenn_shallow_code,nenn_deep_code` runs these grids:
#
# | experiment | widths | γ's | epochs | runs |
# |---|---|---|---|---|
# | shallow | 784–N–10, N ∈ {100, 500, 1000, 3000} | 0.5, 0.6, …, 1.0 | 500 | one per (N, γ), unseeded |
# | MLP2 | 784–100–100–10 | γ_i ∈ {0.5, 0.7, 1.0}: 9 configurations | 1,000 | one each |
# | MLP3 | 784–100–100–100–10 | 27 configurations | 1,500 | one each |
#
# That is 1.5 million SGD steps for each shallow network and 4.5 million for each MLP3. A single unseeded run per
# configuration cannot tell a real difference between two $\gamma$'s from the luck of one initialization. So we run
# every configuration with several **init seeds**. Seed $s$ gives the *same* initial weights whatever the $\gamma$'s
# (chapter 1: the initialization is width-free and $\gamma$-free), and all members see the same batches. So two
# $\gamma$'s are compared on the same networks, seed by seed: a *paired* comparison, much sharper than comparing two
# clouds of runs.
#
# Every experiment of this chapter is a named configuration in `gammanet.experiments`, the same one you can run
# from the command line (`python -m gammanet run ch4_shallow_full --device cuda`). `sweep(name)` first looks for
# finished results in the store (`gammanet.course.store_dir()`). If they are there it loads them; if not it trains
# every (γ, seed) pair of the grid at once, as one batched ensemble (`gammanet.ensemble`), and saves them. The
# book's quick build runs the small CPU versions: 4,000 training and 1,000 test images, widths 100, and a few
# thousand steps with the `fast` preset (tanh, pixels scaled by 1/28, centred readout, α = 10; see
# `docs/presets.md` for why). The full build runs the `_full` versions on all of MNIST, meant for a Colab GPU.

# %%
NAMES = dict(shallow=pick("ch4_shallow", "ch4_shallow_full"),
             authors=pick("ch4_shallow_authors", "ch4_shallow_authors_full"),
             mlp2=pick("ch4_mlp2", "ch4_mlp2_full"),
             mlp2_nobias=pick("ch4_mlp2_nobias", "ch4_mlp2_nobias_full"),
             mlp3=pick("ch4_mlp3_nobias", "ch4_mlp3_nobias_full"))
for key, name in NAMES.items():
    experiment = get_experiment(name)
    print(f"{name:26s} {experiment.n_members:4d} members   {experiment.description}")

# %% [markdown]
# ## 6.2 One hidden layer: accuracy rises with γ
#
# The first experiment is the shallow network at width 100 (and 1000 in the full build), trained with each $\gamma$
# from $1/2$ to $1$ and five seeds each.

# %%
shallow = sweep(NAMES["shallow"]).history
shallow_final = final_rows(shallow)
shallow_summary = accuracy_summary(shallow_final)
display(shallow_summary[[c for c in shallow_summary.columns if c != "label"]])

# %% [markdown]
# Test accuracy against epochs, one curve per $\gamma$ (dark: $\gamma = 1$), with a 95% band over the seeds.
# **Look at the order of the curves at the end:** does every larger $\gamma$ end above every smaller one? Then look
# at the start: which $\gamma$ rises fastest, and which is erratic in the first epochs? The readout's rate is
# $\alpha N^{2\gamma - 2}$, which is $\alpha$ at $\gamma = 1$: the largest parameter steps of the grid, so expect
# the mean-field network to be the most erratic early on, although to first order every $\gamma$ moves its output
# at the same speed on the clock $t$ (§6.6).

# %%
grid = accuracy_curves(shallow[shallow.epoch > 0], hue="gammas", col="widths" if shallow.widths.nunique() > 1 else None)
grid.set(ylim=(0.4, None))
plt.show()

# %% [markdown]
# The same numbers at the end of training, with their confidence intervals. The papers' claim is that **accuracy
# at a fixed budget rises with γ**. Is the rise the same in every seed? `ordering` checks each seed on its own:
# $\rho$ is the rank correlation between $\gamma$ and accuracy ($\rho = 1$ means a strictly rising order).

# %%
fig, ax = plt.subplots(figsize=(5.2, 3.6))
accuracy_vs_gamma(shallow_summary, ax=ax, hue="widths" if shallow_summary.widths.nunique() > 1 else None,
                 label_format="N = {}")
ax.set_title("shallow, fast preset: accuracy after the full budget")
plt.show()
shallow_order = ordering(shallow_final)
display(shallow_order)
# one interval per width: the widths' gains differ, and pooled (width, seed) pairs are not i.i.d.
gains = paired_by_block(shallow_final, 0.5, 1.0)
for g in gains.itertuples():
    print(f"N = {g.widths}: γ = 1 vs γ = 1/2, seed by seed: {g.mean:+.3f} [{g.ci_low:+.3f}, {g.ci_high:+.3f}] "
          f"(95% t-interval over {g.seeds} paired seeds); γ = 1 better in {g.wins} of {g.seeds}")

# %% [markdown]
# ## 6.3 The authors' preset: the same grid, much slower
#
# Now the same grid in the authors' setting: sigmoid on standardized pixels, so that most first-layer units start
# saturated; the uniform $U(0,1)$ readout; PyTorch's biases; α = 1; no shuffling. Chapter 1 explained each of
# these. The budget, in steps per width, is computed from the two runs below the figure.

# %%
authors = sweep(NAMES["authors"]).history
authors_summary = accuracy_summary(final_rows(authors))
both = pd.concat([shallow_summary.assign(preset="fast"), authors_summary.assign(preset="authors")])
authors_by_gamma = authors_summary.groupby("gamma_1")["mean"].mean()
glue("ch6_authors_peak_gamma", float(authors_by_gamma.idxmax()))
glue("ch6_authors_peak", float(authors_by_gamma.max()))
glue("ch6_authors_gamma1", float(authors_by_gamma[1.0]))
glue("ch6_fast_peak", float(shallow_summary.groupby("gamma_1")["mean"].mean().max()))
glue("ch6_authors_rho", float(ordering(final_rows(authors)).rho.mean()))


def budget(history):
    """SGD steps trained at each last width N_L, from the run's own history."""
    return history.groupby(history.widths.map(lambda w: int(str(w).split("-")[-1]))).step.max().astype(int)


fast_steps, authors_steps = budget(shallow), budget(authors)
steps_text = ", ".join(f"{authors_steps[n]:,} steps at N = {n}" for n in authors_steps.index)
glue("ch6_authors_steps", steps_text)
glue("ch6_budget_compare", "the same number as the fast preset above" if fast_steps.equals(authors_steps) else
     "against " + ", ".join(f"{fast_steps[n]:,} steps at N = {n}" for n in fast_steps.index)
     + " for the fast preset above")
fig, ax = plt.subplots(figsize=(5.2, 3.6))
accuracy_vs_gamma(both, hue="preset", ax=ax)
ax.set_title("shallow: the fast preset vs the authors' setting")
plt.show()

# %% [markdown]
# **Look at the level and at the order.** Chapter 1 gave the reasons to expect the authors' setting to train
# slowly: a learning rate with α = 1 and sigmoids that start saturated. In this run it peaks at
# $\gamma =$ {glue:text}`ch6_authors_peak_gamma:g` with {glue:text}`ch6_authors_peak:.3f` (the fast preset's best
# $\gamma$: {glue:text}`ch6_fast_peak:.3f`), $\gamma = 1$ reaches {glue:text}`ch6_authors_gamma1:.3f`, and the rank
# correlation between $\gamma$ and accuracy, averaged over the seeds, is {glue:text}`ch6_authors_rho:+.2f` ($+1$:
# the papers' order in every seed). {glue:text}`ch6_says_authors_behind` A $\gamma = 1$ below the peak would still be
# in its slow start. The papers trained 1.5 million steps; this run trained {glue:text}`ch6_authors_steps`
# ({glue:text}`ch6_budget_compare`). `docs/presets.md` §5 has the authors' setting with α = 10 instead of 1: after
# 4,000 steps γ = 1 leads γ = 1/2 by about 13 points, while at α = 1 it is still below γ = 0.7–0.9. The `fast` preset does not change the theory, which fixes only how each rate scales with
# $N$ and $\gamma$. It changes what the theory leaves open: the activation, the input scale, the readout's
# initialization and α.

# %% [markdown]
# ## 6.4 Two hidden layers, and what the biases do
#
# The MLP2 grid: $\gamma_1$ (inner) and $\gamma_2$ (outer) each in $\{0.5, 0.7, 1\}$. We train it twice with the
# `fast` preset: once with biases, as in the authors' code and the library's default, and once without. The papers'
# equations have no biases.

# %%
mlp2 = sweep(NAMES["mlp2"]).history
mlp2_nobias = sweep(NAMES["mlp2_nobias"]).history
mlp2_summary = accuracy_summary(final_rows(mlp2))
mlp2_nobias_summary = accuracy_summary(final_rows(mlp2_nobias))
vmin = min(mlp2_summary["mean"].min(), mlp2_nobias_summary["mean"].min())
vmax = max(mlp2_summary["mean"].max(), mlp2_nobias_summary["mean"].max())
accuracy_heatmaps(mlp2_summary, vmin=vmin, vmax=vmax, title="MLP2 with biases")
plt.show()
accuracy_heatmaps(mlp2_nobias_summary, vmin=vmin, vmax=vmax, title="MLP2 without biases")
plt.show()

# %% [markdown]
# The two heatmaps share one colour scale. Each cell is the mean over seeds of the final test accuracy. The rows
# are the inner $\gamma_1$ and the columns the outer $\gamma_2$. **Without biases, look whether accuracy rises
# along the rows and the columns, and whether it rises most from left to right** (the sentences below check the
# main effects, each layer's $\gamma$ averaged over the other's) (the papers' claim: the outer
# $\gamma$ matters most). In this run: {glue:text}`ch6_says_mlp2_each` {glue:text}`ch6_says_mlp2_outer` With
# biases, look at the top row ($\gamma_1 = 1$) and at the top-right corner, $\gamma = (1, 1)$, the mean-field
# network. The curves of that corner, with and without biases:

# %%
corner = pd.concat([mlp2.assign(biases="trained"), mlp2_nobias.assign(biases="none")])
corner = corner[(corner.gamma_1 == 1.0) & (corner.gamma_2 == 1.0)]
grid = accuracy_curves(corner, hue="biases", x="t")
grid.set(ylim=(0, 1), title="MLP2, γ = (1, 1)")
plt.show()
plateaus = pd.concat([plateau_epochs(mlp2).assign(biases="trained"),
                      plateau_epochs(mlp2_nobias).assign(biases="none")])
display(plateaus.groupby(["gamma_1", "gamma_2", "biases"]).epoch.mean().unstack("biases"))
nobias_best = mlp2_nobias_summary.loc[mlp2_nobias_summary["mean"].idxmax()]
glue("ch6_corner_bias", float(mlp2_summary[(mlp2_summary.gamma_1 == 1) & (mlp2_summary.gamma_2 == 1)]["mean"].item()))
glue("ch6_corner_nobias",
     float(mlp2_nobias_summary[(mlp2_nobias_summary.gamma_1 == 1) & (mlp2_nobias_summary.gamma_2 == 1)]["mean"].item()))
glue("ch6_nobias_best", float(nobias_best["mean"]))
glue("ch6_nobias_best_label", nobias_best.label)

# %% [markdown]
# **The plateau.** In this run the $\gamma = (1, 1)$ network ends at {glue:text}`ch6_corner_bias:.3f` with trained
# biases (chance: 0.1) and at {glue:text}`ch6_corner_nobias:.3f` without, where the best configuration of the grid is
# {glue:text}`ch6_nobias_best_label` at {glue:text}`ch6_nobias_best:.3f`. The table gives, for each configuration,
# the first epoch (mean over seeds) at which test accuracy passes 50% (NaN: never, within the budget): compare the
# $\gamma_1 = 1$ rows with and without biases.
#
# ```{prf:remark} Why trained biases make a plateau (our derivation, heuristic)
# :label: rem-bias-plateau
#
# In a mean-field layer the input-dependent part of a pre-activation is small. Layer 2 receives
# $N_1^{-\gamma_1} \sum_j W^2_{ij} H^1_j$: a sum of $N_1$ terms of random sign, of size $N_1^{1/2-\gamma_1}$, which is
# $0.1$ at $N_1 = 100$ and $\gamma_1 = 1$. The biases carry no $N^{-\gamma}$ factor. Every bias is trained at its
# layer's rate, and one step moves a pre-activation through the bias by $\eta r$, through the weights by
# $\eta r N^{-2\gamma}\sum_j H_j^2 \approx \eta r N^{1-2\gamma}\mathbb E[H^2]$ ($r$ the back-propagated residual): the
# bias's step is about $N^{2\gamma-1}/\mathbb E[H^2]$ times larger, a factor $N$ at $\gamma = 1$, where the rates are
# also large (chapter 2: $\alpha N^{2\gamma-2}$ and its deep analogues). In the first steps the biases therefore move
# much faster than the input-dependent part can grow.
# They push the hidden units toward an input-independent state, and the network becomes a constant classifier. It
# has to climb out of that state before it can learn anything else. The theory's networks have no biases, and
# neither does this problem.
# ```
#
# (`docs/presets.md` §4 measures the same effect in the authors' setting, a stored run: freezing the biases removed
# most of the deep $\gamma = 1$ plateau there too, and a smaller α, like the `fast_deep` preset's α = 3, shortened it
# instead of removing it.)

# %% [markdown]
# How much does each position matter? A **main effect** is the mean accuracy over every member with $\gamma_\ell = g$,
# averaged over the other position and the seeds. Its range shows how much that layer's $\gamma$ moves accuracy.

# %%
effects2 = pd.concat([main_effects(final_rows(mlp2)).assign(biases="trained"),
                      main_effects(final_rows(mlp2_nobias)).assign(biases="none")])
fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.6), sharey=True)
for ax, (biases, part) in zip(axes, effects2.groupby("biases", sort=False)):
    main_effects_plot(part, ax=ax)
    ax.set_title(f"MLP2, biases {biases}")
plt.show()
ranges2 = pd.concat([effect_ranges(part).assign(biases=b) for b, part in effects2.groupby("biases", sort=False)])
display(ranges2.set_index(["biases", "layer"]))

# %% [markdown]
# Each line is one layer's main effect. The papers' claim, without biases: both lines rise, and the outer one
# ($\gamma_2$) is the steeper; the table above has this run's changes and ranges. With trained biases, a collapse of
# the $\gamma_1 = 1$ row would make the inner $\gamma$ look decisive, and in the wrong direction: compare the two
# panels. Such a difference is an artefact of the biases, not a property of the normalization.

# %% [markdown]
# ## 6.5 Three hidden layers
#
# The MLP3 grid has 27 configurations. Following §6.4 we train it without biases. There are three heatmaps, one per
# outer $\gamma_3$, each over $(\gamma_1, \gamma_2)$.

# %%
mlp3 = sweep(NAMES["mlp3"]).history
mlp3_final = final_rows(mlp3)
mlp3_summary = accuracy_summary(mlp3_final)
accuracy_heatmaps(mlp3_summary, title="MLP3 without biases: one panel per outer γ_3")
plt.show()

# %% [markdown]
# **Read the panels from left to right.** Does raising the outer $\gamma_3$ lift the whole panel, and in which panel
# is the best cell of the grid? Within a panel, what does raising $\gamma_2$ (left to right) do? Then look at the
# top row, $\gamma_1 = 1$, in the left and middle panels, where the outer layers are lazier. The main effects put
# numbers on this:

# %%
effects3 = main_effects(mlp3_final)
fig, ax = plt.subplots(figsize=(5, 3.6))
main_effects_plot(effects3, ax=ax)
ax.set_title("MLP3 without biases: main effect of each layer's γ")
plt.show()
ranges3 = effect_ranges(effects3)
display(ranges3.set_index("layer"))

# %% [markdown]
# **Why an inner $\gamma_1 = 1$ is slow under smaller outer $\gamma$'s.** The theory's rate for $W^1$ is tiny when
# the layers above are scaled by $N^{-1/2}$:

# %%
rates = pd.DataFrame({gamma_label(g): learning_rates((100, 100, 100), g)
                      for g in [(1.0, 0.5, 0.5), (1.0, 1.0, 1.0), (0.5, 0.5, 0.5), (0.5, 0.5, 1.0)]}).T
display(rates.style.format("{:.1e}"))
slow = plateau_epochs(mlp3).groupby(["gamma_1", "gamma_2", "gamma_3"]).epoch.mean()
print("mean first epoch above 50% test accuracy, slowest five configurations (NaN: not within the budget):")
print(slow.sort_values(ascending=False, na_position="first").head(5).to_string())

# %% [markdown]
# A small rate does not make a slow layer by itself: the gradient is larger in proportion. At initialization, on
# this chapter's networks (three layers of 100 without biases, the `fast` preset) and on MNIST test images: one
# step through $W^1$ alone, per unit of residual, moves the output by $\eta_{W^1}|\nabla_{W^1} g|^2$ and the
# weights by $\eta_{W^1}|\nabla_{W^1} g|$ (mean over images and seeds; chapter 5, §5.3).

# %%
mlp3_preset = get_preset(get_experiment(NAMES["mlp3"]).preset)
images = load_mnist(device="cpu", verbose=False).x_test[:16].reshape(16, -1).double() * mlp3_preset.input_scale
draws = draw_networks((100, 100, 100), images.shape[1], 4, out_features=10)
first_step = pd.concat([steps_table(draws, g, images, mlp3_preset.activation) for g in ((1.0, 0.5, 0.5), (1.0, 1.0, 1.0))])
first_step = first_step[first_step.layer == "W1"].set_index("gammas")
display(first_step[["rate", "output_step", "weight_step"]].rename(columns={
    "rate": "η_W1", "output_step": "η|∇g|² (output)", "weight_step": "η|∇g| (weights)"}).map("{:.2e}".format))
glue("ch6_output_ratio", float(first_step.output_step["(1, 0.5, 0.5)"] / first_step.output_step["(1, 1, 1)"]))
glue("ch6_weight_ratio", float(first_step.weight_step["(1, 1, 1)"] / first_step.weight_step["(1, 0.5, 0.5)"]))

# %% [markdown]
# The output moves {glue:text}`ch6_output_ratio:.2f` times as far under $(1, 1/2, 1/2)$ as under $(1, 1, 1)$, where
# chapter 5 derives the same order for both: at the start the first layer does not move the output more slowly.
# What differs by a factor $N = 100$ in the derivation ({glue:text}`ch6_weight_ratio:.0f` here) is the movement of the
# *weights*: the rate is $N^2$ times smaller and the gradient $N$ times larger. If $(1, 1/2, 1/2)$ is slow, the
# slowness comes later, and chapter 5 (§5.4) measures its mechanism. The gradient
# of $W^1$ carries back-propagated sums such as $\sum_i C^i \sigma'(Z_i) W_{ij}$, which are sums of random signs at
# initialization. The theory's rates assume they become coherent, as they do when the outer layers are mean-field
# and move by $O(1)$. Then the first layer's part of the tangent kernel grows by orders of magnitude. Under lazy
# ($\gamma = 1/2$) outer layers the sums stay incoherent, and with tanh and $\gamma_1 = 1$ the signal reaching the
# upper layers is only $O(N^{1/2-\gamma_1})$. So the whole kernel stays small and the network trains slowly: within a
# short budget it stays close to a random-features model. Where the $\gamma_1$ row falls behind, it measures *how
# long the network takes*, not *where it ends*: the theory's ordering is a statement about limits and long training,
# and the budget is part of every accuracy comparison. In this run: {glue:text}`ch6_says_mlp3_inner`

# %% [markdown]
# (pred-mnist-accuracy)=
# ## 6.6 Where the ordering holds, and where it does not
#
# The papers' claims and ours, checked one by one against this run:

# %%
checks = accuracy_claims(shallow, mlp2, mlp2_nobias, mlp3, authors)
with pd.option_context("display.max_colwidth", None):
    display(checks.drop(columns="key"))
said = dict(zip(checks.key, claim_sentences(checks)))      # what the chapter's prose says of this run
for key, sentence in said.items():
    glue(f"ch6_says_{key}", sentence)
glue("ch6_claims_held", int(checks.holds.sum()))
glue("ch6_claims_total", len(checks))

# %% [markdown]
# The table is computed from this run ({glue:text}`ch6_claims_held` of {glue:text}`ch6_claims_total` claims hold),
# so a full run on a GPU, or another seed, may change some of its rows; `gammanet.claims.accuracy_claims` states
# each rule, and every sentence of this chapter that reports a claim is generated from its row
# (`gammanet.claims.claim_sentences`). Read it
# with §6.4–6.5 in mind. Where a claim fails, ask whether the comparison measures the quality of the trained
# networks or the *speed* of training: trained biases at mean-field scaling and an inner $\gamma_1 = 1$ under
# small outer $\gamma$'s are, we expect, slow starters rather than worse limits — these runs do not reach the limit,
# so they cannot show it.
#
# One more caveat, from `docs/presets.md` §1: the ordering is a statement **at equal α**. There, every $\gamma$ is
# trained with the same global constant, so that the theory's rates make every network move its output at the same
# speed in $t$. If you tune α separately for each $\gamma$, the small $\gamma$'s tolerate much larger α. On the
# shallow 4,000-image problem the best accuracy of each $\gamma$ over an α grid is then 0.92–0.95 for every $\gamma$,
# and the ranking disappears. {numref}`ex-6-3` lets you find where the `fast` preset breaks.

# %% [markdown]
# ## What you saw
#
# Each sentence below is generated from a row of the claims table of §6.6, so it says what this run shows, whatever
# that is; the numbers behind them follow.

# %% tags=["hide-input"]
for sentence in claim_sentences(checks):
    print(textwrap.fill(sentence, width=100, initial_indent="- ", subsequent_indent="  "))
widths_note = ", ".join(f"N = {w}: γ = 1/2 → 1: {p.sort_values('gamma_1')['mean'].iloc[0]:.3f} → "
                        f"{p.sort_values('gamma_1')['mean'].iloc[-1]:.3f}" for w, p in shallow_summary.groupby("widths"))
print(f"\nshallow, fast preset ({widths_note}); paired gain γ = 1 vs 1/2: " + "; ".join(
      f"N = {g.widths}: {g.mean:+.3f} [{g.ci_low:+.3f}, {g.ci_high:+.3f}], better in {g.wins} of {g.seeds} seeds"
      for g in gains.itertuples()))
print(f"shallow, authors' setting ({steps_text}): {authors_summary['mean'].min():.3f} … "
      f"{authors_summary['mean'].max():.3f}")

# %% [markdown]
# In words: any comparison of $\gamma$'s here is made at a budget and at equal α, seed by seed. Where the papers'
# ordering holds in this run, the paired intervals say how sure we are; where it does not, §6.4–6.5 and chapter 5
# point at two suspected slow starters, trained biases at mean-field scaling and an inner $\gamma_1 = 1$ under lazy
# outer layers, whose tangent kernel starts small and stays small (that they are slow rather than worse in the limit
# is our expectation; these budgets do not reach the limit to show it).

# %% [markdown]
# ## Exercises
#
# Exercises 6.1–6.3 ask you to derive, compute and measure; 6.4–6.6 are short questions. Each check runs your answer
# on hidden cases and gives a hint, never the answer.
#
# ```{exercise} Why pairing helps
# :label: ex-6-1
#
# *(medium, ~20 min)* Let $X_s$ and $Y_s$ be the final accuracies of $\gamma$-configurations `low` and `high` for
# seed $s$, with variances $\operatorname{Var}X$, $\operatorname{Var}Y$ and covariance $\operatorname{Cov}(X, Y)$
# between the two accuracies *of one seed*. The gain is estimated by the mean over $S$ seeds of $Y_s - X_s$.
#
# 1. Derive the variance of this estimate when both configurations are trained from the **same** seeds (paired, as
#    in this chapter), and when each is trained from its **own**, independent seeds (then the covariance between
#    the two means is zero).
# 2. Write `my_difference_variance(var_low, var_high, cov, seeds, paired)` returning that variance.
# 3. The cell after the check feeds it the seeds' variances and covariance at $\gamma = 1/2$ and $1$ from §6.2 and
#    prints the two 95% half-widths. Which is the interval of §6.2, and how much wider would the other design's be?
#    What in the initialization makes the covariance large?
# ```

# %% tags=["solution"]
def my_difference_variance(var_low, var_high, cov, seeds, paired):
    """Variance of the mean over `seeds` seeds of acc(high) − acc(low): paired seeds, or independent ones."""
    # BEGIN SOLUTION
    return (var_low + var_high - (2 * cov if paired else 0.0)) / seeds
    # END SOLUTION


# %%
from gammanet.exercises import check_difference_variance
check_difference_variance(my_difference_variance)

# %% tags=["needs-solution"]
from scipy import stats

one_width = shallow_final[shallow_final.width_1 == shallow_final.width_1.min()]     # seeds pair within a width
pair = one_width[one_width.gamma_1.isin([0.5, 1.0])].pivot(index="seed", columns="gamma_1",
                                                              values="test_accuracy").dropna()
paired_gain = paired_difference(one_width, 0.5, 1.0)
x, y = pair[0.5].to_numpy(), pair[1.0].to_numpy()
S = len(pair)
for paired in (True, False):
    v = my_difference_variance(x.var(ddof=1), y.var(ddof=1), np.cov(x, y, ddof=1)[0, 1], S, paired)
    t975 = stats.t.ppf(0.975, S - 1 if paired else 2 * S - 2)  # S differences, or two independent samples of S
    print(f"{'paired (same seeds)' if paired else 'independent seeds  '}: 95% half-width {t975 * np.sqrt(v):.4f}")
print(f"the paired t-interval of §6.2 at this width: half-width "
      f"{(paired_gain['ci_high'] - paired_gain['ci_low']) / 2:.4f}; "
      f"correlation of the two accuracies over the seeds: {np.corrcoef(x, y)[0, 1]:+.2f}")

# %% [markdown] tags=["solution"]
# ```{solution} ex-6-1
# :class: dropdown
#
# $\operatorname{Var}\big(\frac1S\sum_s (Y_s - X_s)\big) = \frac1S\operatorname{Var}(Y - X) =
# \frac{\operatorname{Var}X + \operatorname{Var}Y - 2\operatorname{Cov}(X,Y)}{S}$ for paired seeds, because the $S$
# differences are independent of each other. With independent seeds the two means are independent:
# $\frac{\operatorname{Var}X + \operatorname{Var}Y}{S}$. The paired formula, fed with the sample variances and
# covariance, is exactly the square of the standard error behind §6.2's interval (the sample variance of the
# differences is $s_X^2 + s_Y^2 - 2 s_{XY}$), so its half-width matches to rounding. The covariance is large because
# seed $s$ draws the same initial weights for every $\gamma$ (chapter 1): a seed that is lucky at one $\gamma$ tends
# to be lucky at the other, and that shared luck cancels in the difference. The printed correlation says how much
# of it there is in this run; the ratio of the two half-widths is $\frac{t_{2S-2}}{t_{S-1}}\sqrt{1 +
# 2\,\mathrm{Cov}/(\mathrm{Var}X + \mathrm{Var}Y - 2\,\mathrm{Cov})}$, with $t_k$ the 97.5% quantile of Student's
# $t$ with $k$ degrees of freedom (the unpaired design estimates its variance from two samples of $S$). This is the method of common random numbers {cite:p}`glasserman2004monte`.
# ```

# %% [markdown]
# ```{exercise} The paired interval, from the final rows
# :label: ex-6-2
#
# *(medium, ~20 min)* Write `my_paired_interval(final, low, high)`. `final` has one row per member, with columns
# `seed`, `gamma_1`, …, `gamma_L` and `test_accuracy`; `low` and `high` are $\gamma$-tuples. Return the pair
# `(mean, half_width)`: the mean over the seeds that *both* configurations have of acc(`high`, s) − acc(`low`, s),
# and the half-width of its 95% Student-t interval. Then apply it to the MLP3 grid: is the gain of the outer
# $\gamma_3$ from $1/2$ to $1$ (inner $\gamma$'s at $1/2$) sure at this number of seeds, and that of the inner
# $\gamma_1$?
# ```

# %% tags=["solution"]
def my_paired_interval(final, low, high):
    """(mean, half-width of the 95% t-interval) of acc(high, seed) − acc(low, seed) over the common seeds."""
    # BEGIN SOLUTION
    from scipy import stats

    gcols = sorted((c for c in final.columns if c.startswith("gamma_")), key=lambda c: int(c[6:]))
    by_seed = []
    for gammas in (low, high):
        mask = np.logical_and.reduce([np.isclose(final[c], g) for c, g in zip(gcols, gammas)])
        by_seed.append(final[mask].set_index("seed").test_accuracy)
    a, b = by_seed
    common = a.index.intersection(b.index)
    d = (b[common] - a[common]).to_numpy(float)
    return float(d.mean()), float(stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d)))
    # END SOLUTION


# %%
from gammanet.exercises import check_paired_interval
check_paired_interval(my_paired_interval)

# %% tags=["needs-solution"]
for name, low, high in (("outer γ_3", (0.5, 0.5, 0.5), (0.5, 0.5, 1.0)), ("inner γ_1", (0.5, 0.5, 0.5), (1.0, 0.5, 0.5))):
    mean, half = my_paired_interval(mlp3_final, low, high)
    print(f"{name} from 1/2 to 1: {mean:+.3f} ± {half:.3f} over {mlp3_final.seed.nunique()} seeds")

# %% [markdown] tags=["solution"]
# ```{solution} ex-6-2
# :class: dropdown
#
# Select each configuration's rows by all its $\gamma$ columns, index them by seed, subtract on the common seeds,
# and take the Student-t interval of the differences: $\bar d \pm t_{0.975, S-1}\, s_d/\sqrt S$. The usual slips:
# the normal quantile $1.96$, too small with a handful of seeds ($t_{0.975,1} = 12.7$ with two); `ddof=0`; and the
# spread of each configuration's accuracies instead of that of the differences, which throws away the pairing of
# Exercise 6.1. With two or three seeds the interval is wide whatever the gain: an interval that contains zero says
# "not shown at this number of seeds", not "no effect". The printed lines say which of the two gains this run
# establishes.
# ```

# %% [markdown]
# ```{exercise} Where does the fast preset break?
# :label: ex-6-3
#
# *(substantial, ~45 min; the α-sweeps train 12 networks)* The `fast` preset uses α = 10. Chapter 2 showed that α
# is a unit of time, but only up to a point. Steps that are too large make the mean-field networks fail first.
#
# 1. Write `my_breaking_point(table)`. `table` has columns `alpha`, `gamma_1`, `seed` and `test_accuracy`, one row
#    per member: final accuracies of shallow sweeps at several α. Return the smallest α at which the seed-mean accuracy
#    of γ = 1 is *below* that of γ = 1/2, the first α at which the papers' ordering reverses. Return `None` if it never
#    does.
# 2. Run the shallow sweep with γ ∈ {1/2, 1} at α = 10, 100 and 1000 (the cell below does it with `replace`), and
#    apply your function.
# 3. Explain why the mean-field network breaks first. Hint: with the theory's rates times the same α, compare one
#    step's change of the output with one step's change of each parameter, at γ = 1 and at γ = 1/2. When does the
#    second-order part of a step stop being small next to the first-order part?
# ```

# %% tags=["solution"]
def my_breaking_point(table):
    """Smallest α at which the seed-mean accuracy of γ = 1 falls below that of γ = 1/2 (None if never)."""
    # BEGIN SOLUTION
    means = table.groupby(["alpha", "gamma_1"]).test_accuracy.mean().unstack("gamma_1")
    reversed_at = means.index[means[1.0] < means[0.5]]
    return float(reversed_at.min()) if len(reversed_at) else None
    # END SOLUTION


# %%
from gammanet.exercises import check_breaking_point
check_breaking_point(my_breaking_point)

# %%
base = get_experiment("ch4_shallow")
block = base.blocks[0]
alpha_runs = []
for alpha in (10.0, 100.0, 1000.0):
    experiment = base.replace(name=f"ch4_alpha_{alpha:g}", alpha=alpha,
                              blocks=(replace(block, gamma_grid=((0.5,), (1.0,)), seeds=(0, 1),
                                            epochs=pick(10, block.epochs)),))
    alpha_runs.append(final_rows(sweep(experiment).history).assign(alpha=alpha))
alpha_table = pd.concat(alpha_runs, ignore_index=True)
display(alpha_table.groupby(["alpha", "gamma_1"]).test_accuracy.mean().unstack("gamma_1"))

# %% tags=["needs-solution"]
print("the ordering first reverses at α =", my_breaking_point(alpha_table))

# %% [markdown]
# For part 3: one step through each layer of the shallow network at initialization, per unit of residual, with
# the theory's rates (α = 1): the output's change and the weights' change (Frobenius norm), at two widths, on the
# images of §6.5. The last column is the ratio of the weights' changes, γ = 1 over γ = 1/2.

# %%
one_step = pd.concat([steps_table(draw_networks((n,), images.shape[1], 4, out_features=10), (g,), images,
                                  mlp3_preset.activation) for n in (100, 400) for g in (0.5, 1.0)])
one_step = one_step.pivot_table(index=["N", "layer"], columns="gammas", values=["output_step", "weight_step"])
step_ratio = (one_step["weight_step"]["(1)"] / one_step["weight_step"]["(0.5)"]).rename("weight ratio γ=1 / γ=1/2")
display(one_step.map("{:.3g}".format).join(step_ratio.round(2).to_frame().set_axis(
    pd.MultiIndex.from_tuples([("weight ratio", "γ=1 / γ=1/2")]), axis=1)))
glue("ch6_step_ratio_100", float(step_ratio[(100, "C")]))
glue("ch6_step_ratio_400", float(step_ratio[(400, "C")]))

# %% [markdown] tags=["solution"]
# ```{solution} ex-6-3
# :class: dropdown
#
# With the theory's rates every γ moves its output by $O(\alpha/N)$ per step *to first order*:
# $\eta\,|\nabla g|^2 = \alpha N^{2\gamma-2}\cdot N^{1-2\gamma} = \alpha/N$. The parameters move by different
# amounts. The gradient of $C^i$ is $N^{-\gamma}\sigma(W^i\cdot x)$ times the residual, so one step changes each
# $C^i$ by $\Delta C \sim \eta N^{-\gamma} = \alpha N^{\gamma-2}$, and each $W^i$ by the same order. That is $\alpha/N$
# at γ = 1 and $\alpha N^{-3/2}$ at γ = 1/2: a factor $\sqrt N \approx 10$ apart at N = 100. (The table above
# measures the readout's change in the ratio {glue:text}`ch6_step_ratio_100:.1f` at N = 100 and
# {glue:text}`ch6_step_ratio_400:.1f` at N = 400, against $\sqrt N$ = 10 and 20, while the output's change is the
# same at both γ's.) The second-order part of a step, relative to
# the first-order part, is of the order of one parameter's change, $\alpha N^{\gamma-2}$. So the first-order picture
# fails near $\alpha \sim N^{2-\gamma}$: about 100 for γ = 1 and 1000 for γ = 1/2 at N = 100. Beyond it the tanh
# units leave their linear range from one step to the next, and the mean-field network collapses toward a constant
# classifier while the γ = 1/2 network is still in its kernel-like regime. This is where `docs/presets.md` §1 saw
# the order reverse on 4,000 images at N = 100 (a stored run): γ = 1 dropped to about 0.78 at α = 100 and to chance
# at α = 1000, while γ = 1/2 was still at 0.94 at α = 1000; the table above shows where this run's short sweeps
# put the break. So the papers' ordering is a statement at equal, moderate α.
# ```


# %% [markdown]
# ```{exercise} What the common random numbers buy
# :label: ex-6-4
#
# *(question, ~3 min)* Seed $s$ draws the same initial weights for every $\gamma$. What does that buy the paired
# comparison of §6.2? Return your letter from `q_6_4`.
#
# - (a) the part of the accuracy that comes from the seed's draw is shared by the two γ's and cancels in their difference
# - (b) the two accuracies of a seed become independent, so their variances add
# - (c) the mean difference becomes unbiased; unpaired, it would be biased
# - (d) nothing: every seed is an independent draw anyway
# ```

# %% tags=["solution"]
def q_6_4():
    """Your answer: "a", "b", "c" or "d"."""
    # BEGIN SOLUTION
    return "a"
    # END SOLUTION


# %%
from gammanet.exercises import check_q_6_4
check_q_6_4(q_6_4)

# %% [markdown]
# ```{exercise} The plateau
# :label: ex-6-5
#
# *(question, ~3 min)* By the argument of §6.4, why can a deep mean-field network with trained biases sit at chance
# accuracy? Return your letter from `q_6_5`.
#
# - (a) the learning rates at γ = 1 are too small for the network to move
# - (b) the biases, which carry no N^{-γ} factor and are trained at large rates, move the pre-activations faster than their O(N^{1/2-γ}) input-dependent part grows, and push the units to an input-independent state
# - (c) the tanh units saturate because the weights are drawn too large
# - (d) the readout is not centred
# ```

# %% tags=["solution"]
def q_6_5():
    """Your answer: "a", "b", "c" or "d"."""
    # BEGIN SOLUTION
    return "b"
    # END SOLUTION


# %%
from gammanet.exercises import check_q_6_5
check_q_6_5(q_6_5)

# %% [markdown]
# ```{exercise} One readout step
# :label: ex-6-6
#
# *(question, ~3 min)* With the theory's rates times α, one SGD step changes each readout weight $C^i$ of a shallow
# network by about $\alpha N^{\gamma-2}$ (per unit of residual; Exercise 6.3). At $N = 100$, how many times larger is
# that change at $\gamma = 1$ than at $\gamma = 1/2$? Return the number from `q_6_6`.
# ```

# %% tags=["solution"]
def q_6_6():
    """Your answer: a number."""
    # BEGIN SOLUTION
    return 10.0
    # END SOLUTION


# %%
from gammanet.exercises import check_q_6_6
check_q_6_6(q_6_6)

# %% [markdown]
# ## Further reading
#
# - **The papers' MNIST experiments**: the shallow paper {cite:p}`yu2021shallow` (one hidden layer, $\gamma$ from
#   $1/2$ to $1$) and the deep paper {cite:p}`yu2023deep` (the MLP2 and MLP3 grids, the claim that the outer $\gamma$
#   matters most); the grids as their code runs them {cite:p}`nenn_shallow_code,nenn_deep_code`.
# - **Seeds and benchmarks**: how much of a measured difference between two training set-ups is the luck of the
#   seed, and how to design the comparison: {cite:t}`bouthillier2021variance`. Common random numbers, the idea
#   behind the paired comparison: {cite:t}`glasserman2004monte`; the $t$-interval: {cite:t}`student1908probable`.
# - **The two ends of the family**: the tangent kernel {cite:p}`jacot2018ntk` and lazy training
#   {cite:p}`chizat2019lazy` for $\gamma = 1/2$; mean-field training {cite:p}`mei2018meanfield,rotskoff2022trainability,sirignano2020meanfield`
#   for $\gamma = 1$; scalings in which every layer learns features {cite:p}`yang2021tensor`.
# - **MNIST** itself: {cite:t}`lecun1998mnist`.
