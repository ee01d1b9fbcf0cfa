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
from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

from gammanet import get_preset, learning_rates, load_mnist
from gammanet.claims import accuracy_claims
from gammanet.course import describe, glue, pick
from gammanet.experiments import get_experiment, sweep
from gammanet.grids import (accuracy_summary, effect_ranges, final_rows, main_effects, ordering, paired_difference,
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
# The first experiment is the shallow network at width 100, trained with each $\gamma$ from $1/2$ to $1$ and five
# seeds each.

# %%
shallow = sweep(NAMES["shallow"]).history
shallow_final = final_rows(shallow)
shallow_summary = accuracy_summary(shallow_final)
display(shallow_summary[[c for c in shallow_summary.columns if c != "label"]])

# %% [markdown]
# Test accuracy against epochs, one curve per $\gamma$ (dark: $\gamma = 1$), with a 95% band over the seeds.
# **Look at the order of the curves at the end:** every larger $\gamma$ ends above every smaller one. Then look at
# the start: $\gamma = 1$ rises fastest but is erratic for the first ten or so epochs. Its steps are the largest,
# because the readout's rate is $\alpha N^{2\gamma - 2} = \alpha$ at $\gamma = 1$. Smaller $\gamma$'s climb
# smoothly and more slowly.

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
gain = paired_difference(shallow_final, 0.5, 1.0)
print(f"γ = 1 vs γ = 1/2, seed by seed: {gain['mean']:+.3f} [{gain['ci_low']:+.3f}, {gain['ci_high']:+.3f}] "
      f"(95% t-interval over {gain['seeds']} paired seeds); γ = 1 better in {gain['wins']} of {gain['seeds']}")

# %% [markdown]
# ## 6.3 The authors' preset: the same grid, much slower
#
# Now the same grid in the authors' setting: sigmoid on standardized pixels, so that most first-layer units start
# saturated; the uniform $U(0,1)$ readout; PyTorch's biases; α = 1; no shuffling. Chapter 1 explained each of
# these. The budget is the same number of steps as above.

# %%
authors = sweep(NAMES["authors"]).history
authors_summary = accuracy_summary(final_rows(authors))
both = pd.concat([shallow_summary.assign(preset="fast"), authors_summary.assign(preset="authors")])
authors_by_gamma = authors_summary.groupby("gamma_1")["mean"].mean()
glue("ch6_authors_peak_gamma", float(authors_by_gamma.idxmax()))
glue("ch6_authors_peak", float(authors_by_gamma.max()))
glue("ch6_authors_gamma1", float(authors_by_gamma[1.0]))
fig, ax = plt.subplots(figsize=(5.2, 3.6))
accuracy_vs_gamma(both, hue="preset", ax=ax)
ax.set_title("shallow: the fast preset vs the authors' setting")
plt.show()

# %% [markdown]
# **Look at the level and at the order.** In the authors' setting every $\gamma$ is far behind after the same
# number of steps, because its learning rate (α = 1) and its saturated sigmoids make training slow. The seed bands
# are wide, and at this budget the order is only partly there. In this run the authors' setting peaks at
# $\gamma =$ {glue:text}`ch6_authors_peak_gamma:g` with {glue:text}`ch6_authors_peak:.3f`, and $\gamma = 1$ reaches
# {glue:text}`ch6_authors_gamma1:.3f`. A $\gamma = 1$ below the peak is still in its slow start. The papers trained
# 1.5 million steps; we trained a few thousand. `docs/presets.md` §1 has longer runs: after 40,000 steps in the authors' setting, γ = 1 leads
# γ = 1/2 by about 12 points. The `fast` preset does not change the theory, which fixes only how each rate scales with
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
# are the inner $\gamma_1$ and the columns the outer $\gamma_2$. **Without biases, accuracy rises along every row
# and every column, and it rises most from left to right: the outer $\gamma$ matters most.** With biases, look at
# the top row ($\gamma_1 = 1$) and at the top-right corner, $\gamma = (1, 1)$: the mean-field network does much
# worse there, or does not learn at all. The curves of that corner show why:

# %%
corner = pd.concat([mlp2.assign(biases="trained"), mlp2_nobias.assign(biases="none")])
corner = corner[(corner.gamma_1 == 1.0) & (corner.gamma_2 == 1.0)]
grid = accuracy_curves(corner, hue="biases", x="t")
grid.set(ylim=(0, 1), title="MLP2, γ = (1, 1)")
plt.show()
plateaus = pd.concat([plateau_epochs(mlp2).assign(biases="trained"),
                      plateau_epochs(mlp2_nobias).assign(biases="none")])
display(plateaus.groupby(["gamma_1", "gamma_2", "biases"]).epoch.mean().unstack("biases"))

# %% [markdown]
# **The plateau.** With trained biases the $\gamma = (1, 1)$ network sits at chance, 10%, while without biases it
# is the best of the grid. The table gives, for each configuration, the first epoch (mean over seeds) at which test
# accuracy passes 50% (NaN: never, within the budget). With biases, the whole $\gamma_1 = 1$ row starts late.
#
# Why? In a mean-field layer the input-dependent part of a pre-activation is small. Layer 2 receives
# $N_1^{-\gamma_1} \sum_j W^2_{ij} H^1_j$: a sum of $N_1$ terms of random sign, of size $N_1^{1/2-\gamma_1}$, which is
# $0.1$ at $N_1 = 100$ and $\gamma_1 = 1$. The biases carry no $N^{-\gamma}$ factor, so they are $O(1)$. Every bias is
# trained at its layer's rate, and at $\gamma = 1$ those rates are large (chapter 2: $\alpha N^{2\gamma-2}$ and its
# deep analogues). In the first steps the biases therefore move much faster than the input-dependent part can grow.
# They push the hidden units toward an input-independent state, and the network becomes a constant classifier. It
# has to climb out of that state before it can learn anything else. The theory's networks have no biases, and
# neither does this problem. (`docs/presets.md` §4 measures the same effect in the authors' setting: freezing the
# biases removes most of the deep $\gamma = 1$ plateau there too. Smaller α, like the `fast_deep` preset's α = 3,
# shortens it instead of removing it.)

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
# Each line is one layer's main effect. **Without biases, both lines rise, and the outer one ($\gamma_2$) is the
# steeper: the papers' claim.** With trained biases, the collapse of the $\gamma_1 = 1$ row can make the inner $\gamma$
# look decisive, and in the wrong direction. That is an artefact of the biases, not a property of the
# normalization.

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
# **Read the panels from left to right.** Raising the outer $\gamma_3$ lifts the whole panel, and the best cell of
# the grid is in the right panel. Within a panel, raising $\gamma_2$ (left to right) mostly helps. But look at the top
# row, $\gamma_1 = 1$: in the left and middle panels it is the *worst* row. The main effects put numbers on this:

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
# The output moves {glue:text}`ch6_output_ratio:.2f` times as far under $(1, 1/2, 1/2)$ as under $(1, 1, 1)$: at the
# start the first layer does not move the output more slowly. What is about a hundred times smaller (a factor
# {glue:text}`ch6_weight_ratio:.0f` here) is the movement of the *weights*: the rate is $N^2$ times smaller and the
# gradient $N$ times larger. The slowness comes later, and chapter 5 (§5.4) measures its mechanism. The gradient
# of $W^1$ carries back-propagated sums such as $\sum_i C^i \sigma'(Z_i) W_{ij}$, which are sums of random signs at
# initialization. The theory's rates assume they become coherent, as they do when the outer layers are mean-field
# and move by $O(1)$. Then the first layer's part of the tangent kernel grows by orders of magnitude. Under lazy
# ($\gamma = 1/2$) outer layers the sums stay incoherent, and with tanh and $\gamma_1 = 1$ the signal reaching the
# upper layers is only $O(N^{1/2-\gamma_1})$. So the whole kernel stays small and the network trains slowly. Within
# this budget it is still close to a random-features model. What the $\gamma_1$ row measures here is *how long
# the network takes*, not *where it ends*: the theory's ordering is a statement about limits and long training,
# and the budget is part of every accuracy comparison.

# %% [markdown]
# (pred-mnist-accuracy)=
# ## 6.6 Where the ordering holds, and where it does not
#
# The claims of the papers, checked one by one against this run:

# %%
checks = accuracy_claims(shallow, mlp2, mlp2_nobias, mlp3)
display(checks)
rising = int(shallow_order.strictly_rising.sum())
range_row = ranges2[ranges2.biases == "none"].set_index("layer")
outer3, inner3 = ranges3.set_index("layer").loc["γ_3"], ranges3.set_index("layer").loc["γ_1"]
best3 = mlp3_summary.loc[mlp3_summary["mean"].idxmax()]
collapsed = mlp2_summary[(mlp2_summary.gamma_1 == 1.0) & (mlp2_summary.gamma_2 == 1.0)]["mean"].item()
glue("ch6_claims_held", int(checks.holds.sum()))
glue("ch6_claims_total", len(checks))

# %% [markdown]
# The table is computed from this run ({glue:text}`ch6_claims_held` of {glue:text}`ch6_claims_total` claims hold),
# so a full run on a GPU may change some of its rows; `gammanet.claims.accuracy_claims` states each rule. Read it
# with §6.4–6.5 in mind. Where a claim fails, ask whether the comparison measures the quality of the trained
# networks or the *speed* of training: trained biases at mean-field scaling and an inner $\gamma_1 = 1$ under
# small outer $\gamma$'s are slow starters, not worse limits.
#
# One more caveat, from `docs/presets.md` §1: the ordering is a statement **at equal α**. There, every $\gamma$ is
# trained with the same global constant, so that the theory's rates make every network move its output at the same
# speed in $t$. If you tune α separately for each $\gamma$, the small $\gamma$'s tolerate much larger α. On the
# shallow 4,000-image problem the best accuracy of each $\gamma$ over an α grid is then 0.92–0.95 for every $\gamma$,
# and the ranking disappears. Exercise 6.3 lets you find where the `fast` preset breaks.

# %% [markdown]
# ## What you saw

# %%
for widths, part in shallow_summary.groupby("widths"):
    part = part.sort_values("gamma_1")
    print(f"shallow (fast preset, N = {widths}): γ = 1/2 → 1: {part['mean'].iloc[0]:.3f} → {part['mean'].iloc[-1]:.3f}")
print(f"shallow: strictly rising in {rising} of {len(shallow_order)} seeds (× widths); paired gain γ = 1 vs 1/2 "
      f"{gain['mean']:+.3f}")
print(f"shallow (authors' setting, same steps): {authors_summary['mean'].min():.3f} … "
      f"{authors_summary['mean'].max():.3f}")
print(f"MLP2 γ = (1, 1): {collapsed:.3f} with trained biases, "
      f"{mlp2_nobias_summary[(mlp2_nobias_summary.gamma_1 == 1) & (mlp2_nobias_summary.gamma_2 == 1)]['mean'].item():.3f}"
      " without")
print(f"MLP3 without biases: main-effect change γ_1 {inner3['change']:+.3f}, "
      f"γ_2 {ranges3.set_index('layer').loc['γ_2', 'change']:+.3f}, γ_3 {outer3['change']:+.3f}; "
      f"best {best3.label} at {best3['mean']:.3f}")

# %% [markdown]
# - With one hidden layer, accuracy at a fixed budget rose with $\gamma$ from $1/2$ to $1$, seed by seed. The paired
#   comparison, which uses the same initial weights for every $\gamma$, gave an interval far from zero.
# - The authors' setting trains the same networks much more slowly. Any comparison of $\gamma$'s is made at a
#   budget, and theirs was hundreds of times ours.
# - With two hidden layers and no biases, every position's $\gamma$ helped and the outer one helped most. With
#   trained biases the mean-field corner sat on a plateau at chance: the unscaled biases outrun the $O(N^{1/2-\gamma})$
#   input signal.
# - With three hidden layers, the outer $\gamma$ again lifted everything and $(1, 1, 1)$ was among the best. An
#   inner $\gamma_1 = 1$ under small outer $\gamma$'s was slow. Its first step moves the output as much as under
#   $(1, 1, 1)$, but its tangent kernel starts small and, under lazy outer layers, stays small (chapter 5, §5.4):
#   within a budget, the grid measures speed as well as quality.

# %% [markdown]
# ## Exercises
#
# ### Exercise 6.1 (quick) — The paired gain
# Write `my_paired_gain(final, low, high)`. `final` has one row per member, with columns `seed`, `gamma_1`, …,
# `gamma_L` and `test_accuracy`; `low` and `high` are γ-tuples. Return the mean over seeds of
# acc(`high`, s) − acc(`low`, s), using only the seeds that both configurations have.

# %% tags=["solution"]
def my_paired_gain(final, low, high):
    """Mean over common seeds of acc(high, seed) − acc(low, seed)."""
    # BEGIN SOLUTION
    gcols = sorted((c for c in final.columns if c.startswith("gamma_")), key=lambda c: int(c[6:]))
    by_seed = []
    for gammas in (low, high):
        mask = np.logical_and.reduce([np.isclose(final[c], g) for c, g in zip(gcols, gammas)])
        by_seed.append(final[mask].set_index("seed").test_accuracy)
    a, b = by_seed
    common = a.index.intersection(b.index)
    return float((b[common] - a[common]).mean())
    # END SOLUTION


# %%
from gammanet.exercises import check_paired_gain
check_paired_gain(my_paired_gain)

# %% [markdown] tags=["solution"]
# **Solution.** Select each configuration's rows, index them by seed, and subtract on the common seeds. The mean
# difference is the same number as the difference of the two means when every seed is present. Its *interval* is
# the point: the seed-to-seed spread of the differences is much smaller than that of the accuracies, because seed
# $s$ starts both networks from the same weights.

# %% [markdown]
# ### Exercise 6.2 (medium) — Main effects by hand
# Write `my_main_effects(final)`. It returns a dict `{ℓ: {γ: mean accuracy}}` with ℓ = 1, …, L. For layer ℓ and each
# value γ of its grid, the entry is the mean `test_accuracy` over every member whose γ_ℓ equals γ. Then use it on
# the MLP3 grid: which layer's γ changes accuracy most, and in which direction?

# %% tags=["solution"]
def my_main_effects(final):
    """{layer position ℓ: {γ value: mean test accuracy over members with γ_ℓ = γ}}."""
    # BEGIN SOLUTION
    gcols = sorted((c for c in final.columns if c.startswith("gamma_")), key=lambda c: int(c[6:]))
    return {ell: {float(g): float(part.test_accuracy.mean()) for g, part in final.groupby(col)}
            for ell, col in enumerate(gcols, start=1)}
    # END SOLUTION


# %%
from gammanet.exercises import check_main_effects
check_main_effects(my_main_effects)

# %% tags=["needs-solution"]
mine = my_main_effects(mlp3_final)
for ell, effect in mine.items():
    values = [effect[g] for g in sorted(effect)]
    print(f"γ_{ell}: " + "  ".join(f"{g:g} → {v:.3f}" for g, v in zip(sorted(effect), values))
          + f"   change {values[-1] - values[0]:+.3f}")

# %% [markdown] tags=["solution"]
# **Solution.** Group by one γ column at a time and average. On a full factorial grid every value of γ_ℓ is seen
# with every combination of the other positions, so the comparison is balanced. In this chapter's MLP3 run the outer
# γ_3 changes accuracy most, rising. γ_1 falls, because of the slow inner layer of §6.5: this is a statement about a
# budget, not about the limit.

# %% [markdown]
# ### Exercise 6.3 (substantial) — Where does the fast preset break?
# The `fast` preset uses α = 10. Chapter 2 showed that α is a unit of time, but only up to a point. Steps that are
# too large make the mean-field networks fail first.
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
# **Solution.** With the theory's rates every γ moves its output by $O(\alpha/N)$ per step *to first order*:
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
# the order reverse on 4,000 images at N = 100: γ = 1 drops to about 0.78 at α = 100 and to chance at α = 1000,
# while γ = 1/2 is still at 0.94 at α = 1000. So the papers' ordering is a statement at equal, moderate α.
