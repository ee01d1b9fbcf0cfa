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
# (ch-mnist-variance)=
# # 7. MNIST: the variance of the trained output
#
# ## Learning objectives
#
# After this chapter you will be able to
#
# - **measure** the variance of a trained network's output over initialization seeds, with a seed bootstrap, and
#   say why seeds are the unit of resampling;
# - **compare** measured width exponents with $1 - 2\gamma$ at initialization and after training, and **classify**
#   a disagreement as sub-leading or as a failure of the law, by a stated rule;
# - **explain** why prediction 4 (the variance falls with $t$) can fail under cross-entropy;
# - **predict** which $\gamma$ sets the width law at depth two, with the inner width fixed or growing;
# - **derive** the bias–variance decomposition of the squared error, and what averaging seeds does to each part.
#
# ```{admonition} Prerequisites
# :class: tip
#
# - The exact variance law at initialization: {ref}`pred-init-variance`; at depth, {ref}`pred-deep-outer`.
# - The expansion's fluctuation $K_t$ and predictions 2–4: {ref}`ch-expansion`.
# - The fixed-inner-width conjecture: {prf:ref}`conj-deep-trained-variance`.
# - The MNIST experiments, seeds and the `fast` preset: {ref}`ch-mnist-accuracy`.
# - The bootstrap {cite:p}`efron1979bootstrap` and the bias–variance decomposition {cite:p}`geman1992bias`.
# - The symbols: {doc}`../notation`.
# ```
#
# **What you will see.** How much a trained MNIST network's output depends on the random draw of its initial
# weights, and how that spread changes with the width $N$, with $\gamma$ and with training time. We train many
# networks that differ only in their initialization seed and compare the measurements with the predictions of
# chapter 4: a variance of order $N^{1-2\gamma}$, falling as $\gamma\to1$ and falling with $t$. Then we turn to depth
# two, where the outer layer's $\gamma$ is supposed to set the width law. Some predictions hold closely; others hold
# only at initialization, and we show which. We end with what the variance costs in accuracy, and how averaging
# seeds buys that accuracy back.
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gammanet-course/gammanet/blob/main/notebooks/07_variance.ipynb)

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

from gammanet.claims import claim_sentences, variance_claims
from gammanet.course import describe, glue, pick
from gammanet.experiments import get_experiment, sweep
from gammanet.experiments.chapters import CH5_INNER_WIDTH
from gammanet.plots import (seed_average_accuracy_plot, slope_agreement, use_style, variance_over_time,
                            variance_vs_gamma_lines, variance_width_panels)
from gammanet.variance import (average_variance, gamma_ordering, seed_average_accuracy, slope_comparison,
                               variance_slopes, variance_table)

use_style()
pd.set_option("display.precision", 4)
print(describe())

# %% [markdown]
# ## 7.1 What we measure, and why seeds
#
# The papers {cite:p}`yu2021shallow,yu2023deep` state that the variance of the trained network's output falls as
# $\gamma\to1$. *Variance over what?* A trained network is a deterministic function of three things: the data, the
# order in which SGD visits it, and the initial weights. The theory's randomness is the last one: the weights are
# drawn at random, everything else is fixed. So we train every configuration with several **init seeds** and
# change nothing else.
#
# ```{prf:remark} Minibatch noise is not of higher order (our derivation)
# :label: rem-sgd-noise-order
#
# The papers' setting is SGD, and chapters 3–5 use full-batch gradient descent, its noiseless version. The
# difference is of lower order. Each step moves the output by $O(1/N)$, and the minibatch noise of one step is of
# that size too. Over the $N$ steps of one unit of time these noises are nearly independent, so they add up to
# $O(\sqrt N/N) = O(N^{-1/2})$, against the initial fluctuation $N^{1/2-\gamma}$, which is at least as large for
# every $\gamma \le 1$ and larger for $\gamma < 1$ (at $\gamma = 1$ the two are of the same order, $N^{-1/2}$). Here the data order is shared by all seeds, so it is not a
# source of variance between them at all.
# ```
#
# - the seed fixes all initial weights ($W$ and the readout $C$, all $N(0,1)$, no biases — the papers' equations);
#   seed $s$ gives the *same* draw for every $\gamma$ (common random numbers), so two $\gamma$'s are compared on the
#   same networks, only scaled differently;
# - the data (4,000 MNIST training images) and the shuffled order of every epoch are **shared** by all members;
# - the preset is `fast` (tanh, pixels scaled by $1/28$, centred readout, $\alpha=10$; chapter 6), without biases.
#
# After every epoch the runner records the 10 logits of every network on the same 200 test images (the *probe*).
# For one configuration, one width and one epoch, with $g_s(x_i)_c$ the logit of class $c$ on image $i$ for seed $s$
# ($S$ seeds, $P$ images, 10 classes), we measure
#
# $$
# \hat V = \frac{1}{10P}\sum_{i=1}^{P}\sum_{c=1}^{10} \frac{1}{S-1}\sum_{s=1}^{S}\big(g_s(x_i)_c - \bar
# g(x_i)_c\big)^2 , \qquad \bar g(x_i)_c = \frac1S\sum_s g_s(x_i)_c :
# $$
#
# the unbiased variance over seeds of each logit, averaged over images and classes. Its uncertainty comes from a
# bootstrap over *seeds* — the seeds are the independent units; the images all share the same networks.
#
# **The clock.** Chapter 2 showed that with the theory's learning rates, widths must be compared at equal
# $t = k/N$ ($k$ SGD steps). An epoch is 200 steps, so width $N$ trains for $2N/25$ epochs and every width reaches
# $t = 16$. Slopes against $N$ need several widths at the same $t$; the narrowest width ($N = 25$) records
# $t = 0, 8, 16$ only, so those are the times at which we fit slopes.

# %%
SHALLOW = pick("ch5_shallow_variance", "ch5_shallow_variance_full")
print(textwrap.fill(get_experiment(SHALLOW).description, 110))
shallow = sweep(SHALLOW)
outputs = shallow.outputs
print(f"{len(outputs):,} recorded logits; columns: {', '.join(outputs.columns)}")

# %% [markdown]
# One table holds $\hat V$ per (width, $\gamma$, epoch), with a 95% interval from the seed bootstrap. `ratio_to_init`
# is $\hat V$ divided by its value at initialization. `mean_square` is the mean square of the seed-mean logit: the size
# of what the networks agree on. The first rows:

# %%
table = variance_table(outputs)
slopes = variance_slopes(outputs)
N_MAX = int(table.N.max())
T_END = float(slopes.t.max())
SLOPE_TIMES = sorted(slopes[slopes.n_widths == slopes.n_widths.max()].t.unique())   # the t's every width reaches
table[["N", "gammas", "epoch", "t", "variance", "variance_low", "variance_high", "ratio_to_init",
       "mean_square", "n_seeds"]].head(6)

# %% [markdown]
# ## 7.2 The variance against the width (predictions 1 and 2)
#
# **At initialization** the law is exact (chapter 1): $\operatorname{Var} g_0(x) = N^{1-2\gamma}\,\mathbb E[C^2]\,
# \mathbb E[\tanh(W\cdot x/28)^2]$, slope $1-2\gamma$ on a log–log plot. **After training**, chapter 4's
# expansion puts the random part of the output at $N^{-(\gamma-1/2)}K_t$. Its variance is
# $N^{1-2\gamma}\operatorname{Var}K_t$: the same slope at every fixed $t$, to leading order (prediction 2; chapter 4
# measures it on a toy regression problem with the squared loss). Each panel shows $\hat V$ against $N$ at one clock, with
# dashed lines of slope $1-2\gamma$ drawn from the narrowest width. First check that the points sit on the dashed
# lines at $t=0$. Then look at the middle $\gamma$'s: as $t$ grows, do their lines bend away from the dashed ones,
# and which way?

# %%
variance_width_panels(table, SLOPE_TIMES)
plt.show()

# %% [markdown]
# The fitted slopes, with 95% seed-bootstrap intervals (seeds resampled jointly across widths), at the clocks that
# every width reaches:

# %%
slope_comparison(slopes, times=SLOPE_TIMES)

# %% [markdown]
# The same numbers as a picture: measured against predicted, with one colour per clock. The points lie on the
# diagonal where the prediction holds.

# %%
slope_agreement(slopes, SLOPE_TIMES)
plt.show()
end_slopes = slopes[(slopes.t == max(SLOPE_TIMES)) & (slopes.n_widths == slopes.n_widths.max())].set_index("gamma_outer")
below = end_slopes[end_slopes.index < 1].pipe(lambda f: f[f.slope < f.outer])
glue("ch7_slope_g1", float(end_slopes.slope[1.0]))
glue("ch7_slope_g05", float(end_slopes.slope[0.5]))
glue("ch7_n_steeper", len(below))
glue("ch7_n_below_one", int((end_slopes.index < 1).sum()))
glue("ch7_t_end", float(max(SLOPE_TIMES)))

# %% [markdown]
# **Reading the slopes.**
#
# - At $t=0$ every $\gamma$'s interval should contain $1-2\gamma$ (up to the 5% a 95% interval misses). The
#   shift away from $1-2\gamma$, if any, is the *same* for every $\gamma$. That is no accident: seed $s$ gives the
#   same weights for every $\gamma$, so at $t=0$ the variances of two $\gamma$'s differ by exactly
#   $N^{2(\gamma'-\gamma)}$, and the seed noise moves all five slopes together.
# - After training, at $t =$ {glue:text}`ch7_t_end:g`, the slope of $\gamma = 1$ is {glue:text}`ch7_slope_g1:+.2f`
#   (the mean-field CLT says $-1$: fluctuations of order $N^{-1/2}$). For {glue:text}`ch7_n_steeper` of the
#   {glue:text}`ch7_n_below_one` exponents $1/2 \le \gamma < 1$ the measured slope is **steeper** than $1-2\gamma$;
#   compare how the slopes move from one clock to the next in the table. The expansion predicts $1-2\gamma$ only
#   as the *leading* order. The next terms are smaller by factors like $N^{-(1-\gamma)}$, and for $N\le 200$ (400
#   in the full run) those factors are far from small: $200^{-0.25}\approx 0.27$.
# - $\gamma = 1/2$, whose leading-order variance does not depend on $N$ at all, ends training with the slope
#   {glue:text}`ch7_slope_g05:+.2f`: anything away from $0$ beyond its interval is the sub-leading terms at work.
#
# Where the trained slopes are steeper than $1-2\gamma$, the trained variance falls with the width *faster* than
# the leading order says, and prediction 2 holds only to leading order (§7.6 applies the rule).
#
# ## 7.3 The variance against $\gamma$ at a fixed width (prediction 3)
#
# Prediction 3: at fixed $N$, the variance falls monotonically as $\gamma\to1$. Below, $\hat V$ against $\gamma$ at the
# largest width, one line per clock. Check whether each line falls all the way from $\gamma = 1/2$ to $\gamma = 1$.
# Then compare the steepness at $t=0$ (a factor $N$ between the ends, exactly) with that after training.

# %%
variance_vs_gamma_lines(table, N_MAX, [t for t in (0.0, 4.0, 8.0, T_END) if t in set(table.t)])
plt.show()
ordering = gamma_ordering(table)
print(f"V falls strictly from γ = 1/2 to γ = 1 in {int(ordering.monotone.sum())} of {len(ordering)} "
      "(width, epoch) pairs.")
ordering[ordering.t.isin(SLOPE_TIMES)].pivot(index="N", columns="t", values="ratio").rename(
    columns=lambda t: f"V(γ=1/2) / V(γ=1), t={t:g}").round(1)

# %% [markdown]
# The count above says in how many (width, time) pairs the ordering held. Compare the ratios between the ends:
# at $t = 0$ they are exactly $N$ (common random numbers), and training changes them. The next section shows how
# the variance of each $\gamma$ moves with $t$.
#
# ## 7.4 The variance against training time (prediction 4)
#
# Prediction 4 says the variance falls with training time. In the kernel regime the fluctuation is contracted by
# the dynamics, $K_t = e^{-\alpha A t/M}K_0$ on the training points. That statement is derived for the squared loss,
# whose targets are finite. Panel (a) shows $\hat V(t)/\hat V(0)$ at the largest width; panel (b) shows how large the average
# logit grows. Compare the small $\gamma$'s with the large ones in (a), then look at (b) to see what the large
# $\gamma$'s are doing meanwhile.

# %%
variance_over_time(table, N_MAX)
plt.show()
at_end = table[(table.N == N_MAX) & (table.t == T_END)].set_index("gammas")
relative = table[table.N == N_MAX].assign(relative=lambda f: f.variance / f.mean_square).pivot(
    index="t", columns="gammas", values="relative")
last_two = relative.loc[[t for t in relative.index if t in SLOPE_TIMES][-2:]]
glue("ch7_fell", ", ".join(f"γ = {g}" for g, r in at_end.ratio_to_init.items() if r < 1) or "no γ")
glue("ch7_rose", ", ".join(f"γ = {g}" for g, r in at_end.ratio_to_init.items() if r >= 1) or "no γ")
glue("ch7_fastest_logits", at_end.mean_square.idxmax())
glue("ch7_relative_fell", int((last_two.iloc[-1] < last_two.iloc[0]).sum()))
glue("ch7_n_gammas", len(at_end))
at_end[["variance", "ratio_to_init", "mean_square"]].T

# %% [markdown]
# Read the row of ratios: the variance fell with $t$ for the $\gamma$'s whose ratio is below 1, as predicted, and
# rose for those above 1. In this run it fell for {glue:text}`ch7_fell` and rose for {glue:text}`ch7_rose`; the
# mean square of the average logit grew most at $\gamma =$ {glue:text}`ch7_fastest_logits`. A rise disagrees with
# prediction 4 as the expansion states it (chapter 4), and the reason to expect one is the loss. With cross-entropy
# the logits have no finite target: training keeps pushing the correct class's logit up (panel (b)), and the spread
# between seeds grows with the logits it sits on. The contraction $e^{-\alpha At/M}$ is a property of the squared
# loss near its minimum, and this is not that setting. And the probe images are test images, not training points:
# even for the squared loss the derivation guarantees a fall only on the training set (chapter 4,
# {prf:ref}`prop-training-points`). So look also at the *relative* spread, $\hat V$ divided by
# the mean square of the average logit: between the last two clocks it fell for {glue:text}`ch7_relative_fell` of
# the {glue:text}`ch7_n_gammas` $\gamma$'s in this run.
#
# ## 7.5 Depth two: which $\gamma$ sets the width law? (prediction 8)
#
# For $L$ hidden layers the output is $g = N_L^{-\gamma_L}\sum_{i=1}^{N_L} C^i\sigma(Z^L_i)$: given the layers
# below, a sum of $N_L$ i.i.d. centred terms. Hence, exactly at initialization (chapter 5, §5.2),
#
# $$
# \operatorname{Var} g_0(x) = N_L^{1-2\gamma_L}\,\mathbb E[C^2]\;\mathbb E\big[\sigma(Z^L(x))^2\big].
# $$
#
# The inner $\gamma$'s act only through the factor $\mathbb E\,\sigma(Z^L)^2$. Whether that factor depends on the
# width depends on the experiment:
#
# - **Inner width fixed** ($N_1 = 50$, $N_2 = N$ varies): the factor does not depend on $N$, and the slope in $N$ is
#   exactly $1-2\gamma_2$, whatever $\gamma_1$.
# - **Equal widths** ($N_1 = N_2 = N$, as in the papers): $Z^2 = N^{-\gamma_1}W^2\tanh(Z^1)$ has variance
#   $\propto N^{1-2\gamma_1}$, which tends to $0$ when $\gamma_1 > 1/2$. A sigmoid would then give $\sigma(Z^2)\to
#   \sigma(0)=1/2$, a width-free factor $1/4$, and the slope would still be $1-2\gamma_2$. But our preset uses
#   **tanh**, and $\tanh(0) = 0$: near zero $\tanh(z)\approx z$, so $\mathbb E\tanh(Z^2)^2 \approx
#   \mathbb E(Z^2)^2 \propto N^{1-2\gamma_1}$. The slope becomes $(1-2\gamma_1) + (1-2\gamma_2)$ (our derivation;
#   the factor is width-free at $\gamma_1 = 1/2$, in agreement with the formula; chapter 5 derives and checks it
#   at depth 3).
#
# The experiment trains both families at once, with four configurations $(\gamma_1, \gamma_2)$ from
# $\{1/2, 1\}^2$, preset `fast_deep` ($\alpha = 3$), no biases, the same seeds, and the same clock $t = k/N_2$ up to
# $T = 16$, the last clock of the shallow runs.

# %%
DEEP = pick("ch5_deep_variance", "ch5_deep_variance_full")
print(textwrap.fill(get_experiment(DEEP).description, 110))
deep_outputs = sweep(DEEP).outputs
deep = variance_table(deep_outputs)
families = {"equal widths (N, N)": deep_outputs[deep_outputs.width_1 == deep_outputs.width_2],
            f"inner width fixed ({CH5_INNER_WIDTH}, N)": deep_outputs[deep_outputs.width_1 == CH5_INNER_WIDTH]}
deep_slopes = {name: variance_slopes(frame) for name, frame in families.items()}
DEEP_TIMES = (0.0, T_END)

# %% [markdown]
# First, the inner width fixed. Colour marks the outer $\gamma_2$; circles and solid lines mark $\gamma_1 = 1/2$,
# squares and dotted lines $\gamma_1 = 1$. At $t = 0$ (left), look for lines of the same colour running parallel to
# their dashed guide. After training (right), look at how flat each line has become.

# %%
inner_table = deep[deep.width_1 == CH5_INNER_WIDTH]
variance_width_panels(inner_table, DEEP_TIMES, titles=[f"({CH5_INNER_WIDTH}, N), t = {t:g}" for t in DEEP_TIMES])
plt.show()
fixed_slopes = deep_slopes[f"inner width fixed ({CH5_INNER_WIDTH}, N)"]
display(slope_comparison(fixed_slopes, times=DEEP_TIMES, predictions=("outer", "all_layers")))
fixed_end = fixed_slopes[fixed_slopes.t == T_END].set_index("gammas").slope
glue("ch7_fixed_11", float(fixed_end["(1, 1)"]))
glue("ch7_fixed_051", float(fixed_end["(0.5, 1)"]))
glue("ch7_inner_width", CH5_INNER_WIDTH)

# %% [markdown]
# At $t=0$ the law is exact: slope $1-2\gamma_2$, the outer $\gamma$, with the inner $\gamma$ only moving the
# lines up or down (prediction 8; compare the table's intervals with the `outer` column). After training the two
# $\gamma_2 = 1$ configurations have the slopes {glue:text}`ch7_fixed_051:+.2f` for $(1/2, 1)$ and
# {glue:text}`ch7_fixed_11:+.2f` for $(1, 1)$, against $-1$ at initialization. Chapter 5's heuristic says why a
# trained network with a fixed inner width should flatten ({prf:ref}`conj-deep-trained-variance`). The
# {glue:text}`ch7_inner_width` inner units are random too, and their randomness reaches the output through every
# one of the $N_2$ outer units at once. Widening the outer layer averages out the readout's randomness but not that
# of a fixed inner layer, so by that argument the trained variance has a floor set by the inner width. In the
# paper's limit, as we read it, the inner widths grow first and the floor is gone; with the inner width fixed, the
# outer law is exact only at initialization.
#
# Now the equal widths $(N, N)$, the papers' setting. At $t = 0$, look at the dotted lines: with $\gamma_1 = 1$ they
# are steeper than their guide, by the extra $1-2\gamma_1 = -1$ of the tanh derivation. At $t = T$, look at which
# configurations still fall with $N$.

# %%
equal_table = deep[deep.width_1 == deep.width_2]
variance_width_panels(equal_table, DEEP_TIMES, titles=[f"(N, N), t = {t:g}" for t in DEEP_TIMES])
plt.show()
equal_slopes = deep_slopes["equal widths (N, N)"]
display(slope_comparison(equal_slopes, times=DEEP_TIMES, predictions=("outer", "all_layers")))
equal_end = equal_slopes[equal_slopes.t == T_END].set_index("gammas").slope
for g, key in (("(0.5, 0.5)", "ch7_equal_0505"), ("(1, 0.5)", "ch7_equal_105"), ("(0.5, 1)", "ch7_equal_051"),
               ("(1, 1)", "ch7_equal_11")):
    glue(key, float(equal_end[g]))

# %% [markdown]
# At initialization the equal-width slopes follow $\sum_\ell(1-2\gamma_\ell)$, not the outer $\gamma$ alone: with
# tanh, the inner $\gamma$ counts as much as the outer one (chapter 5, §5.2). After training the slopes are
# {glue:text}`ch7_equal_0505:+.2f` for $(1/2, 1/2)$, {glue:text}`ch7_equal_105:+.2f` for $(1, 1/2)$,
# {glue:text}`ch7_equal_051:+.2f` for $(1/2, 1)$ and {glue:text}`ch7_equal_11:+.2f` for $(1, 1)$. Chapter 5's
# heuristic expects them to tend to $\max(s_0, -1)$ as $N$ grows, with $s_0$ the exponent at initialization: $0$,
# $-1$, $-1$ and $-1$. Below, the four configurations at the largest equal width, before and after training. In this
# run the $(1,1)$ network starts {glue:text}`ch7_start_gap:.0f` times below $(1/2, 1/2)$ and its variance changes by
# a factor {glue:text}`ch7_11_growth:.1f` during training. A large factor is what one expects of a mean-field network
# that must first *grow* its input dependence (chapter 6's plateau), along random directions that differ from seed
# to seed.

# %%
n_equal = int(equal_table.N.max())
equal_end = equal_table[(equal_table.N == n_equal) & equal_table.t.isin(DEEP_TIMES)].pivot(
    index="gammas", columns="t", values="variance")
glue("ch7_start_gap", float(equal_end.loc["(0.5, 0.5)", 0.0] / equal_end.loc["(1, 1)", 0.0]))
glue("ch7_11_growth", float(equal_end.loc["(1, 1)", T_END] / equal_end.loc["(1, 1)", 0.0]))
equal_end.rename(columns=lambda t: f"V at t={t:g}").map("{:.2e}".format)

# %% [markdown]
# So prediction 8 is an exact statement at initialization when the outer width alone grows
# ({prf:ref}`thm-deep-init-variance`), and with tanh and equal widths the derivation puts every layer's $\gamma$ in
# the exponent ({prf:ref}`thm-deep-init-slope`). After training, chapter 5's conjecture expects the fixed inner layer
# to set a floor; the statuses of §7.6 say what this run shows.
#
# (pred-mnist-variance)=
# ## 7.6 Where the measurements and the theory part ways
#
# The predictions of the expansion (chapters 4 and 5) against this run, each with the status given by a stated
# rule (`gammanet.claims`). A slope prediction **holds** when every 95% interval contains it. It holds to **leading
# order only** when it misses some intervals but every slope is within 0.5 of it and the slopes keep the predicted
# order. Otherwise it **fails**. An ordering or a direction holds when it holds in every case, and the failing cases
# are listed otherwise.

# %%
claims = variance_claims(outputs, deep_outputs, inner_width=CH5_INNER_WIDTH)
with pd.option_context("display.max_colwidth", None):
    display(claims.drop(columns="key").style.set_properties(**{"text-align": "left"}))

# %% [markdown]
# How to read the statuses. Prediction 2 is a leading-order statement: its sub-leading terms are not small at
# $N \le 400$, and the rule above separates "the exponent is off" from "the law is wrong". Prediction 4 is derived
# for the squared loss; with cross-entropy the logits grow, and with them the spread between seeds (§7.4).
# Prediction 8 concerns a limit in which the inner widths grow as well; with the inner width fixed, chapter 5
# expects the trained variance to flatten, and the table has one row before and one after training. Two caveats bound all of this. The widths are small: the expansion gives
# the form, not the constants (chapter 4), and at $N\le 200$ (quick build) or $400$ (full) the corrections are a
# visible part of what we measure. And $t = 16$ is one clock on one training set: prediction 2 is a statement at
# *fixed* $t$, and our slopes drift with $t$. Chapter 8 collects these statuses with those of the other chapters.
#
# ## 7.7 What it means for accuracy: averaging seeds away
#
# The variance over seeds is exactly what averaging networks removes. Average the logits of $m$ networks with
# independent seeds: each logit's variance is divided by $m$, while the mean, and with it the bias, stays the same.
# The figure compares one network (mean $\pm$ sd over seeds) with the network whose logits are the average over
# all seeds, at the largest width and the last clock. Look at where the gap is largest.

# %%
accuracy = seed_average_accuracy(outputs)
seed_average_accuracy_plot(accuracy, N_MAX, T_END)
plt.show()
acc_end = accuracy[(accuracy.N == N_MAX) & (accuracy.t == T_END)].set_index("gammas")
glue("ch7_most_gain", acc_end.gain.idxmax())
glue("ch7_least_gain", acc_end.gain.idxmin())
glue("ch7_gap_single", float(acc_end.single.max() - acc_end.single.min()))
glue("ch7_gap_average", float(acc_end.average.max() - acc_end.average.min()))
acc_end[["single", "single_sd", "average", "gain"]].T

# %% [markdown]
# In this run the average gains most at $\gamma =$ {glue:text}`ch7_most_gain` and least at $\gamma =$
# {glue:text}`ch7_least_gain`; the spread of accuracy between the $\gamma$'s is {glue:text}`ch7_gap_single:.3f` for
# single networks and {glue:text}`ch7_gap_average:.3f` for the averages. Where the small $\gamma$'s, whose single
# networks vary most, gain most, part of the papers' advantage of $\gamma\to1$ is a lower variance, which an
# ensemble of small-$\gamma$ networks buys back at $S$ times the cost. (On 200 probe images one image is half a
# percentage point, so treat small differences with care.) Grouping the seeds two and four at a time shows the
# $1/m$ law of averaging at work:

# %%
grouped = pd.concat([average_variance(outputs, m) for m in (2, 4)])
grouped[(grouped.N == N_MAX) & (grouped.t == T_END)].pivot(index="gammas", columns="group_size",
                                                              values="ratio").rename(
    columns=lambda m: f"V(average of {m}) / V").round(3)

# %% [markdown]
# ## What you saw
#
# The first sentences are generated from the rows of §7.6's table, so they say what this run shows; the numbers
# behind them follow (they change between the quick and the full build):

# %% tags=["hide-input"]
def say(text):
    print(textwrap.fill(text, width=100, initial_indent="- ", subsequent_indent="  "))


def fit(row):
    return f"{row.slope:+.2f} [{row.ci_low:+.2f}, {row.ci_high:+.2f}]"


for sentence in claim_sentences(claims):
    say(sentence)
print()
by_t = {t: slopes[slopes.t == t].set_index("gammas") for t in (0.0, T_END)}
say(f"Shallow, {int(table.n_seeds.iloc[0])} seeds, widths {sorted(int(n) for n in table.N.unique())}: slopes of V against N at "
    "t = 0 (exact law 1 − 2γ): " + "; ".join(f"γ={g}: {fit(r)}" for g, r in by_t[0.0].iterrows()) + ".")
say(f"After training, t = {T_END:g}: " + "; ".join(f"γ={g}: {fit(r)} vs {r.outer:+.2f}"
                                                    for g, r in by_t[T_END].iterrows()) + ".")
end_row = ordering[(ordering.N == N_MAX) & (ordering.t == T_END)].iloc[0]
say(f"At N = {N_MAX}, t = {T_END:g}, V from γ = 1/2 to 1: "
    + "".join(f"{v:.1e}" if k == 0 else (" > " if v < end_row.variances[k - 1] else " ≤ ") + f"{v:.1e}"
              for k, v in enumerate(end_row.variances))
    + f" (ratio {end_row.ratio:.1f}; {N_MAX} at t = 0); strictly falling in {int(ordering.monotone.sum())} of "
    f"{len(ordering)} (width, epoch) pairs.")
say(f"V(t = {T_END:g}) / V(0) at N = {N_MAX}: " + ", ".join(f"γ={g}: {r.ratio_to_init:.2f}"
                                                           for g, r in at_end.iterrows())
    + "; mean square of the average logit " + ", ".join(f"{r.mean_square:.2f}" for _, r in at_end.iterrows()) + ".")
for name, s in deep_slopes.items():
    rows = {t: s[s.t == t].set_index("gammas") for t in DEEP_TIMES}
    say(f"Depth 2, {name}: slopes at t = 0 / t = {T_END:g}: "
        + "; ".join(f"γ={g}: {fit(rows[0.0].loc[g])} / {fit(rows[T_END].loc[g])} (1−2γ_L = {r.outer:+.0f})"
                    for g, r in rows[0.0].iterrows()) + ".")
say(f"Accuracy on the probe at N = {N_MAX}, t = {T_END:g}, one network → average of the seeds' logits: "
    + ", ".join(f"γ={g}: {r.single:.3f} → {r.average:.3f}" for g, r in acc_end.iterrows()) + ".")

# %% [markdown]
# In words: at $t=0$ the init-seed variance of an MNIST network follows the exact law $N^{1-2\gamma}$, so it falls
# with the width for every $\gamma > 1/2$. After training, how far its exponent moves from $1-2\gamma$, whether it
# still falls as $\gamma\to1$ at every width, and whether it falls with training time under cross-entropy are what
# §7.6 decides for this run, rule by rule. At depth two the outer $\gamma$ sets the width law at initialization;
# after training with a fixed inner width, chapter 5 expects the inner layer's randomness to enter too. Averaging the
# logits of $m$ independently initialized networks divides the variance by $m$, and §7.7 shows how much of the
# accuracy gap between $\gamma$'s goes with it in this run.
#
# ## Exercises
#
# Exercises 7.1–7.4 ask you to compute, derive and measure; 7.5–7.7 are short questions. Each check runs your answer
# on hidden cases and gives a hint, never the answer.
#
# ```{exercise} The variance over seeds
# :label: ex-7-1
#
# *(quick, ~10 min)* Write `my_seed_variance(frame)`: `frame` is a slice of an outputs table with one width, one
# $\gamma$ and one epoch (columns `seed`, `image`, `class`, `logit`, ...). Return $\hat V$: for every (image, class)
# the unbiased variance of the logit over the seeds, averaged over images and classes. The check uses hidden frames
# with few seeds.
# ```

# %% tags=["solution"]
def my_seed_variance(frame):
    """V: the variance over seeds (ddof=1) of each (image, class) logit, averaged over images and classes."""
    # BEGIN SOLUTION
    return float(frame.groupby(["image", "class"]).logit.var(ddof=1).mean())
    # END SOLUTION


# %% [markdown] tags=["solution"]
# ```{solution} ex-7-1
# :class: dropdown
#
# Group by what stays fixed across seeds, (image, class), and take the variance across the rows of each group, which
# are the seeds. The usual slips: grouping by (seed, class) gives a spread over *images*, which is mostly the
# difference between digits and says nothing about initialization. `ddof=0` divides by $S$ instead of $S-1$, which
# biases $\hat V$ low by the factor $(S-1)/S$. Averaging the logits over images before taking the variance mixes
# classes and images into one number.
# ```

# %%
from gammanet.exercises import check_seed_variance
check_seed_variance(my_seed_variance)

# %% tags=["needs-solution"]
one = outputs[(outputs.width_1 == N_MAX) & (outputs.gamma_1 == 1.0) & (outputs.t == T_END)]
print(f"my V = {my_seed_variance(one):.4e}; the library's: "
      f"{table[(table.N == N_MAX) & (table.gammas == '1') & (table.t == T_END)].variance.iloc[0]:.4e}")

# %% [markdown]
# ```{exercise} The bias–variance decomposition
# :label: ex-7-2
#
# *(medium, ~25 min)* Let $g_1(x), \dots, g_S(x)$ be the outputs of $S$ networks that differ only in their seed, and
# $y(x)$ a target.
#
# 1. Show that the mean squared error over the seeds splits exactly into the squared error of the seed-mean output
#    and the variance over the seeds,
#    $\frac1S\sum_s \big(g_s(x) - y(x)\big)^2 = \big(\bar g(x) - y(x)\big)^2 + \frac1S\sum_s\big(g_s(x) - \bar
#    g(x)\big)^2$, with $\bar g = \frac1S\sum_s g_s$ (the variance with $1/S$, not $1/(S-1)$).
# 2. Write `my_error_decomposition(outputs, target)`: `outputs` is an array of shape $(S, \dots)$ (seeds first),
#    `target` has the shape of one network's outputs. Return `{"error": ..., "bias2": ..., "variance": ...}`, each
#    averaged over all entries.
# 3. The cell after the check applies it to the softmax probabilities of this chapter's networks at the largest width
#    and the last clock, against the one-hot labels (the Brier score), and to the average of the seeds' probabilities.
#    Which part does averaging the networks remove, and which does it keep? Which $\gamma$ has the larger variance
#    part?
# ```

# %% tags=["solution"]
def my_error_decomposition(outputs, target):
    """{"error", "bias2", "variance"}: mean squared error over seeds and entries, and its exact split."""
    # BEGIN SOLUTION
    outputs, target = np.asarray(outputs, dtype=float), np.asarray(target, dtype=float)
    mean = outputs.mean(axis=0)
    return {"error": float(((outputs - target) ** 2).mean()), "bias2": float(((mean - target) ** 2).mean()),
            "variance": float(outputs.var(axis=0).mean())}
    # END SOLUTION


# %%
from gammanet.exercises import check_error_decomposition
check_error_decomposition(my_error_decomposition)

# %% tags=["needs-solution"]
rows = []
for gamma in (0.5, 1.0):
    part = outputs[(outputs.width_1 == N_MAX) & (outputs.gamma_1 == gamma) & np.isclose(outputs.t, T_END)]
    logits = part.pivot_table(index=["seed", "image"], columns="class", values="logit").sort_index()
    n_seeds = logits.index.get_level_values("seed").nunique()
    z = logits.to_numpy().reshape(n_seeds, -1, 10)
    probs = np.exp(z - z.max(-1, keepdims=True))
    probs /= probs.sum(-1, keepdims=True)
    labels = part.groupby("image").label.first().sort_index().to_numpy()
    target = np.eye(10)[labels]
    single = my_error_decomposition(probs, target)
    averaged = my_error_decomposition(probs.mean(0, keepdims=True), target)
    rows.append(dict(gamma=gamma, **{f"single {k}": v for k, v in single.items()},
                     **{"average of the seeds, error": averaged["error"]}))
pd.DataFrame(rows).set_index("gamma").round(4)

# %% [markdown] tags=["solution"]
# ```{solution} ex-7-2
# :class: dropdown
#
# Write $g_s - y = (g_s - \bar g) + (\bar g - y)$ and expand the square: the cross term
# $\frac2S\sum_s (g_s - \bar g)(\bar g - y)$ vanishes because $\sum_s (g_s - \bar g) = 0$. So error = bias² +
# variance exactly, with the variance divided by $S$; with $S - 1$ the identity fails by the factor $(S-1)/S$ on the
# variance. The network whose output is the seed average has error $(\bar g - y)^2$: the bias part alone. Averaging
# $m$ networks keeps the bias part and divides the variance part by $m$ (Exercise 7.3), so it helps most where the
# variance part is large: compare the two $\gamma$'s in the table. This is the decomposition of
# {cite:t}`geman1992bias`, over seeds; {cite:t}`neal2018bias` measure its two parts against the width.
# ```

# %% [markdown]
# ```{exercise} The variance of the seed-average
# :label: ex-7-3
#
# *(quick, ~10 min)* Write `my_average_variance(variance, m)`: the variance of the average of the outputs of $m$
# networks with independent initializations, each of variance `variance`. The cell after the check compares your
# prediction with the measured variance of averages of 2 and 4 seeds.
# ```

# %% tags=["solution"]
def my_average_variance(variance, m):
    """Variance of the mean of m independent networks' outputs, each of variance `variance`."""
    # BEGIN SOLUTION
    return variance / m
    # END SOLUTION


# %%
from gammanet.exercises import check_average_variance
check_average_variance(my_average_variance)

# %% tags=["needs-solution"]
end = grouped[(grouped.N == N_MAX) & (grouped.t == T_END)]
for r in end.itertuples():
    print(f"γ = {r.gammas:>5}, m = {r.group_size}: predicted {my_average_variance(r.single, r.group_size):.2e}, "
          f"measured {r.variance:.2e}")

# %% [markdown] tags=["solution"]
# ```{solution} ex-7-3
# :class: dropdown
#
# $\operatorname{Var}\big(\frac1m\sum_{j=1}^m X_j\big) = \frac{1}{m^2}\sum_j\operatorname{Var}X_j =
# \operatorname{Var}X/m$ for independent $X_j$ of equal variance. The mean, and with it the bias, is unchanged.
# Measured ratios near $1/2$ and $1/4$ are what averaging gives; they are *not* a test of independence. For
# exchangeable seeds with variance $\sigma^2$ and pairwise correlation $\rho$, a component shared by all seeds
# cancels in both the spread between seeds, $\sigma^2(1-\rho)$, and the spread between group means,
# $\sigma^2(1-\rho)/m$, so the ratio is $1/m$ whatever $\rho$. The printed lines show how near the ratios are in
# this run, with as many groups as the seeds allow; their scatter around $1/m$ is the sampling noise of a variance
# estimated from few groups.
# ```

# %% [markdown]
# ```{exercise} Measure the slopes yourself
# :label: ex-7-4
#
# *(substantial, ~50 min)*
#
# 1. Write `my_variance_slopes(outputs, t)` returning a dict `{γ: slope}`: for each value of `gamma_1`, take the
#    rows at clock `t`, compute $\hat V$ at every width (`width_1`), and fit a least-squares line through
#    $(\log N, \log \hat V)$. The check runs it on a hidden frame.
# 2. Run it on this chapter's outputs at $t = 0$ and $t = T$ and compare with the library's slopes and intervals.
# 3. Explain in a few sentences why the slopes at $t = T$ can be steeper than $1-2\gamma$ for $\gamma < 1$, and what
#    you would change in the experiment to test whether they approach $1-2\gamma$ (think of widths, seeds, $t$).
# ```

# %% tags=["solution"]
def my_variance_slopes(outputs, t):
    """{γ: least-squares slope of log V against log N} at clock t."""
    # BEGIN SOLUTION
    rows = outputs[np.isclose(outputs.t, t)]
    out = {}
    for gamma, part in rows.groupby("gamma_1"):
        v = part.groupby(["width_1", "image", "class"]).logit.var(ddof=1).groupby("width_1").mean()
        out[float(gamma)] = float(np.polyfit(np.log(v.index.to_numpy(float)), np.log(v.to_numpy()), 1)[0])
    return out
    # END SOLUTION


# %%
from gammanet.exercises import check_variance_slopes
check_variance_slopes(my_variance_slopes)

# %% tags=["needs-solution"]
for t in (0.0, T_END):
    mine = my_variance_slopes(outputs, t)
    library = slopes[slopes.t == t].set_index("gamma_outer")
    for gamma, slope in mine.items():
        r = library.loc[gamma]
        print(f"t = {t:>4g}, γ = {gamma:<5g}: mine {slope:+.3f}, library {r.slope:+.3f} "
              f"[{r.ci_low:+.3f}, {r.ci_high:+.3f}], 1 − 2γ = {1 - 2 * gamma:+.2f}")

# %% [markdown] tags=["solution"]
# ```{solution} ex-7-4
# :class: dropdown
#
# Your slopes equal the library's point estimates, because the fit is the same least squares. At
# $t=0$ the exact law says $1-2\gamma$. Where the slopes at $t=T$ are steeper for $1/2\le\gamma<1$, the reason is
# that the expansion gives $1-2\gamma$ only as the leading order. The terms after it are smaller by powers such as
# $N^{-(1-\gamma)}$, which for these $\gamma$'s at $25 \le N\le 200$ range from about $0.07$ to $0.7$ — not negligible — and their weight grows
# as training moves the output away from its initial fluctuation. To test the approach to $1-2\gamma$: add wider
# networks (the `_full` experiment goes to 400; a GPU can go to thousands), fit the slope on the widest few only,
# and watch it move towards $1-2\gamma$. More seeds only narrow the interval, like $S^{-1/2}$; they do not remove the
# bias of the slope. Comparing several $t$ shows how the sub-leading terms grow with training.
# ```


# %% [markdown]
# ```{exercise} Why exactly N?
# :label: ex-7-5
#
# *(question, ~3 min)* In §7.3 the ratio $\hat V(\gamma = 1/2)/\hat V(\gamma = 1)$ at $t = 0$ is exactly $N$, at every
# width. Why exactly? Return your letter from `q_7_5`.
#
# - (a) a chance agreement of this sample of seeds
# - (b) the law of large numbers over the 200 probe images
# - (c) seed s draws the same weights for every γ, so at t = 0 the outputs at γ = 1/2 and γ = 1 differ by the factor N^{1/2} exactly, seed by seed
# - (d) the bootstrap over seeds removes the noise
# ```

# %% tags=["solution"]
def q_7_5():
    """Your answer: "a", "b", "c" or "d"."""
    # BEGIN SOLUTION
    return "c"
    # END SOLUTION


# %%
from gammanet.exercises import check_q_7_5
check_q_7_5(q_7_5)

# %% [markdown]
# ```{exercise} Growing variance
# :label: ex-7-6
#
# *(question, ~3 min)* Prediction 4 says that the variance falls with training time. Why can it grow instead under
# cross-entropy (§7.4)? Return your letter from `q_7_6`.
#
# - (a) the minibatch noise of SGD accumulates
# - (b) the learning rate grows with t
# - (c) the networks overfit the 4,000 images
# - (d) the logits have no finite target and keep growing, and the spread between seeds grows with them
# ```

# %% tags=["solution"]
def q_7_6():
    """Your answer: "a", "b", "c" or "d"."""
    # BEGIN SOLUTION
    return "d"
    # END SOLUTION


# %%
from gammanet.exercises import check_q_7_6
check_q_7_6(q_7_6)

# %% [markdown]
# ```{exercise} How many seeds?
# :label: ex-7-7
#
# *(question, ~5 min)* A slope's 95% interval has the half-width $0.08$ with 8 seeds. Its half-width scales like
# that of a mean over seeds. About how many seeds would make it $\pm 0.02$? Return the number from `q_7_7`. (The
# cell after the check does the same for this run's $\gamma = 0.75$ slope at $t = T$.)
# ```

# %% tags=["solution"]
def q_7_7():
    """Your answer: a number of seeds."""
    # BEGIN SOLUTION
    return 128
    # END SOLUTION


# %%
from gammanet.exercises import check_q_7_7
check_q_7_7(q_7_7)

# %%
row = slopes[(slopes.gammas == "0.75") & (slopes.t == T_END)].iloc[0]
half = (row.ci_high - row.ci_low) / 2
print(f"this run, γ = 0.75, t = {T_END:g}: half-width {half:.3f} with {int(table.n_seeds.iloc[0])} seeds → about "
      f"{int(table.n_seeds.iloc[0]) * (half / 0.02) ** 2:.0f} seeds for ±0.02")

# %% [markdown]
# ## Further reading
#
# - **The papers' variance claims**: the shallow paper {cite:p}`yu2021shallow` (the expansion in $N$, the variance
#   decaying as $\gamma \to 1$) and the deep paper {cite:p}`yu2023deep` (the outer $\gamma$ setting the law); their
#   code {cite:p}`nenn_shallow_code,nenn_deep_code`.
# - **Fluctuations of mean-field networks**: the central limit theorem of {cite:t}`sirignano2020clt`, the $N^{-1/2}$
#   behind the slope $-1$ at $\gamma = 1$; at the other end, the Gaussian initial output of the tangent-kernel regime
#   {cite:p}`jacot2018ntk,lee2019wide`.
# - **Bias and variance** of neural networks: {cite:t}`geman1992bias`, and against the width {cite:t}`neal2018bias`;
#   averaging independently trained networks: {cite:t}`lakshminarayanan2017ensembles`.
# - **Seeds as the unit of resampling** and the bootstrap: {cite:t}`efron1979bootstrap`; the variance of benchmarks
#   across seeds: {cite:t}`bouthillier2021variance`.
