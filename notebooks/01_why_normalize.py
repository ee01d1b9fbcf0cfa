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
# (ch-why-normalize)=
# # 1. Why normalize by $1/N^\gamma$
#
# **What you will see.** Why a network's sum over $N$ units has to be divided by a power of $N$, and the family of
# choices $N^{-\gamma}$, $\gamma \in [1/2, 1]$, that runs from the Xavier / NTK scaling to the mean-field scaling.
# You will derive in a few lines an exact law for the variance of the output at initialization,
# $\operatorname{Var} g_0(x) = N_L^{1-2\gamma_L}\, \mathbb E[C^2]\, \mathbb E[\sigma(Z^L)^2]$, check it against
# thousands of random networks, see that in a deep network of sigmoid units only the outer exponent $\gamma_L$ sets
# how the variance scales with the width (with tanh units and equal widths every layer's $\gamma$ counts), and see
# what the authors' choice of readout does to it.
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gammanet-course/gammanet/blob/main/notebooks/01_why_normalize.ipynb)

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
import torch

from gammanet import GammaMLP, load_mnist
from gammanet.course import describe, glue, pick
from gammanet.plots import law_vs_monte_carlo, loglog_lines, use_style, width_ticks
from gammanet.theory import (GAMMAS, deep_variance_vs_width, draw_networks,
                             init_output_samples, init_variance_vs_width, loglog_fit,
                             readout_effects, toy_problem)

use_style()
print(describe())

# %% [markdown]
# ## One sum, two limits
#
# A network with one hidden layer of $N$ units computes a sum,
#
# $$
# g^N(x) = \frac{1}{N^{\gamma}} \sum_{i=1}^{N} C^i\, \sigma(W^i \cdot x),
# $$
#
# with readout weights $C^i$, hidden weights $W^i \in \mathbb R^d$ and an activation $\sigma$ (the sigmoid, as in
# the papers). At initialization the $N$ terms are independent and identically distributed, and two classical
# theorems say how their sum grows with $N$:
#
# - **the central limit theorem**: a sum of $N$ centred terms has size $\sqrt N$. Dividing by $N^{1/2}$ leaves a
#   random output of order one, Gaussian as $N \to \infty$. This is $\gamma = 1/2$: the Xavier scaling, and the
#   scaling of the neural tangent kernel {cite:p}`jacot2018ntk`.
# - **the law of large numbers**: $\frac1N \sum_i$ converges to an expectation. Dividing by $N$ leaves a
#   deterministic output (zero at initialization when the readout is centred). This is $\gamma = 1$: the mean-field
#   scaling {cite:p}`mei2018meanfield,sirignano2020meanfield`.
#
# Yu and Spiliopoulos study the whole family in between {cite:p}`yu2021shallow`, and its deep version with one
# exponent per layer {cite:p}`yu2023deep`. Between the two ends the output at initialization shrinks like
# $N^{1/2-\gamma}$: no longer of order one, not yet an average. Their headline is that moving $\gamma$ towards 1
# lowers the variance of the trained network and raises its test accuracy; this course checks both.
#
# | $\gamma$ | name | output at initialization | as $N \to \infty$, with the learning rates of chapter 2 |
# |---|---|---|---|
# | $1/2$ | Xavier / NTK | random, of order 1 | linear dynamics with a frozen kernel, from a random start |
# | $(1/2, 1)$ | in between | random, of order $N^{1/2-\gamma}$ | the same linear dynamics, from zero; fluctuations of order $N^{1/2-\gamma}$ |
# | $1$ | mean field | of order $N^{-1/2}$ | nonlinear dynamics of the distribution of the weights |
#
# The last column is what the papers and the earlier work they build on describe; later chapters check it by
# simulation. Here we stay at initialization, where everything can be computed exactly.
#
# The figure below draws many random networks at three widths and plots the distribution of the output at one
# input, for the two ends of the family. **Look at** the left panel: at $\gamma = 1/2$ the three curves coincide —
# the width does not change the law of the output. On the right, at $\gamma = 1$, every tenfold increase of the
# width makes the distribution $\sqrt{10} \approx 3.2$ times narrower.

# %%
x_demo = toy_problem().x_test[:1]       # one input x ∈ R², the same for every network
widths_demo = [10, 100, 1000]
# Network s of width N is the first N units of network s of width 1000;
# both γ's use the same draws.
demo = init_output_samples(x_demo, widths_demo, (1.0,), seeds=pick(3000, 20000),
                           outer_gammas=(0.5, 1.0))      # (seeds, γ's, widths, inputs)
outputs = pd.concat([
    pd.DataFrame({"gamma": gamma, "N": n, "output": demo[:, i, j, 0].numpy()})
    for i, gamma in enumerate((0.5, 1.0)) for j, n in enumerate(widths_demo)])
grid = sns.displot(outputs, x="output", hue="N", col="gamma", kind="kde", palette="crest",
                   common_norm=False, height=3.3, aspect=1.35,
                   facet_kws=dict(sharey=False, sharex=False))
grid.set_titles("γ = {col_name}")
plt.show()
spread = outputs.groupby(["gamma", "N"]).output.std().unstack()
spread.rename_axis(columns="standard deviation at N =").round(3)

# %% [markdown]
# ## The scaled network, at any depth
#
# With $L$ hidden layers of widths $N_1, \dots, N_L$ and one exponent $\gamma_\ell \in [1/2, 1]$ per layer, the
# network of the deep paper {cite:p}`yu2023deep` is
#
# $$
# H^1 = \sigma(W^1 x), \qquad
# H^{\ell+1} = \sigma\big(N_\ell^{-\gamma_\ell}\, W^{\ell+1} H^{\ell}\big), \qquad
# g(x) = N_L^{-\gamma_L} \sum_{i=1}^{N_L} C^i H^{L,i}.
# $$
#
# The factor $N_\ell^{-\gamma_\ell}$ multiplies the sum over the $N_\ell$ units of layer $\ell$ as they feed the next
# layer; the last one multiplies the output sum. Every weight is drawn from $N(0, 1)$: the initialization does not
# know the width, the width law lives in the forward pass. `gammanet.GammaMLP` is this network, with 10 outputs
# (the logits of the ten digits) by default:

# %%
model = GammaMLP(widths=(100, 100, 100), gammas=(1.0, 1.0, 0.7), seed=0)
print(model)
print("scale factors N_ℓ^(-γ_ℓ):", [round(s, 4) for s in model.scales])

# %% [markdown]
# Because the initialization ignores $\gamma$, one seed gives the *same* weights whatever the exponents. Comparing
# $\gamma$'s then compares the same network under different scalings (common random numbers), and differences are
# due to $\gamma$ alone, not to a different draw:

# %%
xavier = GammaMLP((100, 100, 100), gammas=0.5, seed=0)
mean_field = GammaMLP((100, 100, 100), gammas=1.0, seed=0)
same = all(torch.equal(p, q) for p, q in zip(xavier.parameters(), mean_field.parameters()))
print("same weights for γ = 1/2 and γ = 1:", same)

# %% [markdown]
# (pred-init-variance)=
# ## The variance at initialization, exactly
#
# Take the readout weights $C^i$ independent of everything else, with $\mathbb E[C] = 0$, and no readout bias
# (gammanet's default). Write $\mathcal F$ for everything except the readout: the hidden weights, hence the last
# layer's pre-activations $Z^{L,i}(x)$ and its units $\sigma(Z^{L,i}(x))$. Then:
#
# 1. Given $\mathcal F$, the mean vanishes:
#    $\mathbb E[g_0(x) \mid \mathcal F] = N_L^{-\gamma_L} \sum_i \mathbb E[C^i]\, \sigma(Z^{L,i}) = 0$.
# 2. Given $\mathcal F$, the cross terms vanish because $\mathbb E[C^i C^j] = 0$ for $i \ne j$:
#    $\operatorname{Var}(g_0(x) \mid \mathcal F) = N_L^{-2\gamma_L}\, \mathbb E[C^2] \sum_{i=1}^{N_L} \sigma(Z^{L,i})^2$.
# 3. The law of total variance, $\operatorname{Var} g_0 = \mathbb E[\operatorname{Var}(g_0 \mid \mathcal F)] +
#    \operatorname{Var}(\mathbb E[g_0 \mid \mathcal F])$, and the fact that the $N_L$ units of a layer are
#    identically distributed give
#
# $$
# \operatorname{Var} g_0(x) = N_L^{1-2\gamma_L}\; \mathbb E[C^2]\; \mathbb E\big[\sigma(Z^L(x))^2\big].
# $$
#
# No limit was taken: the law holds at every width. The last factor is the second moment of *one* unit of the last
# layer; it does not depend on $N_L$ or $\gamma_L$. For one hidden layer $Z = W \cdot x$ is Gaussian with variance
# $|x|^2$, so it is a one-dimensional Gaussian integral (Exercise 1.2). So on log–log axes the variance against
# $N_L$ is a straight line of slope $1 - 2\gamma_L$: flat at $\gamma = 1/2$, slope $-1$ at $\gamma = 1$.
#
# `gammanet.theory.init_variance_vs_width` draws many networks (the narrow ones are the first units of the wide
# ones, every $\gamma$ uses the same draws), measures the variance over seeds at a few inputs, evaluates the law by
# quadrature, and fits the log–log slope with a bootstrap over seeds. **Look at** the dots (Monte-Carlo, with
# $\pm 2$ standard errors): they sit on the lines (the law) at every width, not only at large $N$, and the lines fan
# out from flat at $\gamma = 1/2$ to slope $-1$ at $\gamma = 1$.

# %%
widths = pick((50, 100, 200, 400, 800, 1600), (50, 100, 200, 400, 800, 1600, 3200, 6400))
shallow = init_variance_vs_width(GAMMAS, widths=widths, n_seeds=pick(1000, 10000),
                                 n_boot=pick(200, 1000))
ax = law_vs_monte_carlo(shallow.table, x="N", y="variance", se="variance_se", law="law",
                        hue="gamma")
ax.set(xlabel="width N", ylabel="Var g₀(x), averaged over 4 inputs",
       title=f"Shallow network, {shallow.config['n_seeds']} random networks per point")
width_ticks(ax, widths)
plt.show()

# %%
shallow_slopes = shallow.slopes[["gamma", "slope", "ci_low", "ci_high", "theory"]]
shallow_slopes.rename(columns={"slope": "fitted slope", "ci_low": "95% CI low",
                               "ci_high": "95% CI high", "theory": "1 - 2γ"}).round(3)

# %% [markdown]
# ## Deep networks: when the outer $\gamma$ sets the slope
#
# In a deep network the inner exponents enter the law only through $\mathbb E[\sigma(Z^L)^2]$. Given the layers below,
# $Z^{L,i} = N_{L-1}^{-\gamma_{L-1}} W^{L,i} \cdot H^{L-1}$ is Gaussian with variance
# $v_L = N_{L-1}^{-2\gamma_{L-1}} |H^{L-1}|^2 \approx N_{L-1}^{1-2\gamma_{L-1}}\, \mathbb E[\sigma(Z^{L-1})^2]$. When
# $\gamma_{L-1} > 1/2$ this variance goes to zero as $N_{L-1}$ grows, $Z^L \to 0$ and the second moment tends to
# $\sigma(0)^2 = 1/4$; at $\gamma_{L-1} = 1/2$ it stays of order one. Either way it is a prefactor, and the slope in
# the width is $1 - 2\gamma_L$.
#
# ```{prf:remark} When only the outer $\gamma$ counts (our derivation)
# :label: rem-outer-slope-caveat
#
# "The slope is $1 - 2\gamma_L$ whatever the inner $\gamma$'s" needs one of two things: inner widths held fixed
# (then only $N_L$ grows and the law is exact), or an activation with $\sigma(0) \ne 0$ (the sigmoid: the prefactor
# tends to $\sigma(0)^2$, a constant). With tanh, $\sigma(0) = 0$: when all widths grow together the inner
# pre-activations shrink and $\mathbb E[\tanh(Z^L)^2] \approx v_L \propto N_{L-1}^{1-2\gamma_{L-1}}\,v_{L-1}$, so every
# layer contributes and the slope is $\sum_\ell (1 - 2\gamma_\ell)$. All the figures of this chapter use the sigmoid.
# ```
#
# The law above is our derivation, at initialization. The deep paper's observation that the outer layer's $\gamma$
# matters most {cite:p}`yu2023deep` concerns *trained* networks; chapter 5 takes it up.
#
# Below, networks with three hidden layers of equal width $N$ (all three grow together), five choices of the inner
# pair $(\gamma_1, \gamma_2)$ and three outer $\gamma_3$. **Look at** how the fifteen curves bundle by colour (the
# outer $\gamma_3$): within a bundle the five inner choices (line styles) nearly coincide.

# %%
deep_widths = pick((25, 50, 100, 200, 400), (25, 50, 100, 200, 400, 800, 1600))
deep = deep_variance_vs_width(gammas=(0.5, 0.75, 1.0), widths=deep_widths,
                              n_seeds=pick(1000, 5000), n_inner=pick(300, 1000),
                              n_boot=pick(200, 1000))
table = deep.table.rename(columns={"inner_gammas": "inner (γ₁, γ₂)", "gamma": "gamma_3"})
ax = loglog_lines(table, x="N", y="variance", hue="gamma_3", style="inner (γ₁, γ₂)")
ax.set(xlabel="width N (all three layers)", ylabel="Var g₀(x)", title="Three hidden layers")
handles, labels = ax.get_legend_handles_labels()
labels = [label.replace("gamma_3", "outer γ₃") for label in labels]
ax.legend(handles, labels, fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0))
width_ticks(ax, deep_widths)
plt.show()

# %% [markdown]
# The fitted slopes, one row per inner pair and one column per outer $\gamma_3$, and the prefactor
# $\mathbb E[\sigma(Z^3)^2]$ at the largest width:

# %%
deep_slopes = deep.slopes.pivot(index="inner_gammas", columns="gamma", values="slope")
deep_slopes.loc["theory: 1 - 2γ₃"] = [1 - 2 * g for g in deep_slopes.columns]
deep_slopes.columns = [f"γ₃ = {g:g}" for g in deep_slopes.columns]
widest = deep.table[deep.table.N == max(deep_widths)]
prefactor = widest.groupby("inner_gammas").prefactor.first()
deep_slopes["prefactor E σ(Z³)²"] = prefactor
deep_slopes.rename_axis("(γ₁, γ₂)").round(3)

# %% [markdown]
# ## What the authors' code does, and where our defaults differ
#
# The authors' public code makes a few choices that the papers' model does not mention: sigmoid units, $N(0,1)$
# hidden weights, readout weights drawn from $U(0, 1)$ — not centred — and PyTorch's default biases
# $U(\pm 1/\sqrt{\text{fan-in}})$ in every layer, not scaled by any $N^{-\gamma}$. Two of them change the law above:
#
# - the **$U(0,1)$ readout** has $\mathbb E[C] = 1/2$, so the output has a mean
#   $\mathbb E g_0 = N_L^{1-\gamma_L}\, \mathbb E[C]\, \mathbb E[\sigma(Z^L)] = N_L^{1-\gamma_L}/4$ (for the sigmoid
#   $\mathbb E\sigma(Z^L) = \sigma(0) = 1/2$, since $Z^L$ is symmetric). Its mean square $\mathbb E[g_0^2]$ then grows
#   like $N_L^{2-2\gamma_L}$, while the variance keeps the slope $1 - 2\gamma_L$ (Exercise 1.3);
# - the **readout bias** $U(\pm 1/\sqrt{N_L})$ adds its variance $1/(3N_L)$: a term of slope $-1$ whatever $\gamma$,
#   which bends the curve for $1/2 < \gamma < 1$.
#
# `gammanet.theory.readout_effects` measures the four combinations: our centred readout, + the readout bias only,
# the $U(0,1)$ readout only, and the authors' full setting. **Look at** the right panel: with a $U(0,1)$ readout the
# mean square *grows* with the width (slope $2 - 2\gamma = +0.5$ at $\gamma = 3/4$), while with the centred
# readout it falls (slope $-0.5$). In the left panel the $U(0,1)$ readout alone keeps the variance's slope $-0.5$
# with a smaller prefactor, while the biases' $1/(3N)$ bends the authors' curve towards slope $-1$ (compare
# "+ readout bias", where the same term sits on top of a larger variance and barely shows).

# %%
readouts = readout_effects(gammas=(0.5, 0.75, 1.0), widths=widths, n_seeds=pick(1000, 5000),
                           n_boot=pick(200, 1000))
names = {"centered": "centred N(0,1)", "readout_bias": "+ readout bias",
         "uniform": "U(0,1) readout", "authors": "authors: U(0,1) + biases"}
at = readouts.table[readouts.table.gamma == 0.75].replace({"init": names})
fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
law_vs_monte_carlo(at, y="variance", se="variance_se", law="law_variance", hue="init",
                   hue_order=list(names.values()), ax=axes[0])
law_vs_monte_carlo(at, y="second_moment", se="second_moment_se", law="law_second_moment",
                   hue="init", hue_order=list(names.values()), ax=axes[1])
axes[0].get_legend().remove()
axes[0].set(title="variance Var g₀(x)", xlabel="width N", ylabel="")
axes[1].set(title="mean square E[g₀(x)²]", xlabel="width N", ylabel="")
for ax in axes:
    width_ticks(ax, widths)
fig.suptitle("Readout laws at γ = 0.75")
plt.show()

# %% [markdown]
# The fitted slopes for three values of $\gamma$ (theory for the centred readout: $1 - 2\gamma$):

# %%
readout_slopes = readouts.slopes.pivot(index="init", columns=["statistic", "gamma"],
                                       values="slope")
readout_slopes = readout_slopes.loc[list(names)].rename(index=names)
readout_slopes.columns = [f"{'Var' if s == 'variance' else 'E[g²]'}, γ = {g:g}"
                          for s, g in readout_slopes.columns]
readout_slopes.round(2)

# %% [markdown]
# **Does the offset matter for the authors' experiments?** Less than the mean square suggests. Their networks have
# ten outputs and a cross-entropy loss, which only sees *differences* between logits, and the offset
# $N^{-\gamma} \mathbb E[C] \sum_i \sigma(Z^{L,i})$ is the same for all ten logits of an image: it cancels. What is
# left behaves like a centred readout of variance $\operatorname{Var} C = 1/12$ (Exercise 1.4). Here are the ten
# logits of three MNIST images for a shallow network with $N = 100$, $\gamma = 1/2$, in both settings — every logit
# of the authors' network carries the same shift of about $N^{1/2}/4 = 2.5$:

# %%
data = load_mnist()
images = data.x_test[:3].cpu()
for readout in ("authors", "centered"):
    net = GammaMLP((100,), 0.5, readout=readout, seed=0)
    with torch.no_grad():
        logits = net(images)
    print(f"{readout} readout: logits of 3 images (rows) × 10 digits (columns)")
    print(pd.DataFrame(logits.numpy()).round(2).to_string(header=False), "\n")

# %% [markdown]
# So where does gammanet differ from the authors' code, and why?
#
# | choice | authors' code | gammanet default | why |
# |---|---|---|---|
# | readout | $U(0,1)$ | $N(0,1)$, centred | the variance law holds exactly, and the output has no offset of size $N^{1-\gamma}$ |
# | biases | PyTorch's defaults, unscaled | zero at initialization (trained like their layer) | the papers' model has no biases; an unscaled bias is of order one next to sums scaled by $N^{-\gamma}$ |
# | random draws | unseeded | every draw seeded | reproducible runs, and the same weights across $\gamma$'s and widths (common random numbers) |
# | data order | fixed, no shuffling | a seeded shuffle every epoch | stochastic gradient descent assumes random mini-batches; a fixed order repeats one batch sequence |
# | runs | one per configuration | several seeds, with confidence bands (later chapters) | one run cannot tell an effect from seed noise |
#
# Both are available: `GammaMLP(..., readout="authors")` reproduces the authors' forward pass exactly (the
# library's tests compare it with an independent implementation), and `fit(..., shuffle=False)` their data order.

# %% [markdown]
# ## What you saw
#
# The numbers of this run:

# %%
worst = (shallow.slopes.slope - shallow.slopes.theory).abs().max()
deep_worst = (deep.slopes.slope - deep.slopes.theory).abs().max()
uniform_sq = readouts.slopes.query(
    "init == 'uniform' and statistic == 'second_moment' and gamma == 0.75").slope.item()
print(f"shallow: fitted slopes of Var g₀ within {worst:.3f} of 1 - 2γ "
      f"for γ = {', '.join(f'{g:g}' for g in GAMMAS)}")
print(f"depth 3: fitted slopes within {deep_worst:.3f} of 1 - 2γ₃ for all "
      f"{len(deep.slopes)} (inner, outer) choices; "
      f"prefactors {prefactor.min():.3f}–{prefactor.max():.3f}")
glue("prefactor_min", float(prefactor.min()))
glue("prefactor_max", float(prefactor.max()))
glue("worst_shallow", float(worst))
print(f"U(0,1) readout at γ = 0.75: E[g₀²] has slope {uniform_sq:+.2f} "
      "(2 - 2γ = +0.5), against 1 - 2γ = -0.5")

# %% [markdown]
# - Dividing a sum of $N$ units by $N^{1/2}$ keeps a random output of order one (central limit theorem), by $N$ an
#   average (law of large numbers); $\gamma \in [1/2, 1]$ interpolates, with outputs of order $N^{1/2-\gamma}$.
# - For a centred readout without bias, $\operatorname{Var} g_0(x) = N_L^{1-2\gamma_L} \mathbb E[C^2]
#   \mathbb E[\sigma(Z^L)^2]$ exactly, at every width; the fitted slopes were within {glue:text}`worst_shallow:.3f`
#   of $1 - 2\gamma$ (above).
# - In a deep sigmoid network the inner $\gamma$'s only moved the prefactor (between
#   {glue:text}`prefactor_min:.3f` and {glue:text}`prefactor_max:.3f` here) and the outer $\gamma_L$ set the slope;
#   with tanh and equal widths every layer's $\gamma$ would count ({prf:ref}`rem-outer-slope-caveat`).
# - The authors' $U(0,1)$ readout adds an offset $N^{1-\gamma}/4$ that makes $\mathbb E[g_0^2]$ grow like
#   $N^{2-2\gamma}$, and the readout bias adds $1/(3N)$; cross-entropy does not see the offset, but any measurement of
#   the output's size does. gammanet centres the readout and zeroes the biases so that the law is exact.
#
# Next, chapter 2 asks how fast each layer may learn so that networks of every width train alike.

# %% [markdown]
# ## Exercises
#
# ### Exercise 1.1 (quick) — Predict the slope
#
# Write `predicted_slope(gammas)`: for a network with exponents `gammas` $= (\gamma_1, \dots, \gamma_L)$, a centred
# readout and no biases, the log–log slope of $\operatorname{Var} g_0(x)$ against the last width $N_L$ (the inner
# widths fixed). Then read the table of the deep experiment again: does your function predict every entry, whatever
# the inner pair?

# %% tags=["solution"]
def predicted_slope(gammas):
    """The slope of log Var g_0(x) against log N_L, for gammas = (γ_1, ..., γ_L)."""
    # BEGIN SOLUTION
    return 1 - 2 * gammas[-1]
    # END SOLUTION


# %%
from gammanet.exercises import check_predicted_slope
check_predicted_slope(predicted_slope)

# %% [markdown]
# ### Exercise 1.2 (medium) — The variance law, by hand
#
# Write `variance_law(x, width, gamma)`: the exact $\operatorname{Var} g_0(x)$ of a shallow sigmoid network with
# `width` units, exponent `gamma`, readout $C \sim N(0,1)$ and no biases, at the input `x` (a 1-D numpy array).
# You need $\mathbb E[\sigma(Z)^2]$ for $Z = W \cdot x$ with $W \sim N(0, I_d)$: what is the law of $Z$? Compute the
# expectation by Gauss–Hermite quadrature (`np.polynomial.hermite_e.hermegauss`) or by Monte-Carlo with $10^6$
# draws; the check allows a relative error of 1%.

# %% tags=["solution"]
def variance_law(x, width, gamma):
    """Var g_0(x): shallow sigmoid network, N(0, 1) readout, no biases; x a 1-D array."""
    # BEGIN SOLUTION
    variance_of_z = np.sum(np.asarray(x, dtype=float) ** 2)     # Z = W·x ~ N(0, |x|²)
    # Gauss–Hermite: Σ w f(z) ≈ √(2π) E f(ξ) for ξ ~ N(0, 1)
    nodes, weights = np.polynomial.hermite_e.hermegauss(64)
    sigma = 1 / (1 + np.exp(-np.sqrt(variance_of_z) * nodes))
    second_moment = np.sum(weights * sigma ** 2) / np.sqrt(2 * np.pi)
    return width ** (1 - 2 * gamma) * 1.0 * second_moment       # E[C²] = 1
    # END SOLUTION


# %% [markdown] tags=["solution"]
# **Solution.** $Z = W \cdot x$ is a sum of independent Gaussians, so $Z \sim N(0, |x|^2)$ and
# $\mathbb E[\sigma(Z)^2] = \mathbb E[\sigma(|x|\xi)^2]$ with $\xi \sim N(0,1)$ — a one-dimensional integral that
# 64 Gauss–Hermite nodes compute to machine precision. Multiply by $\mathbb E[C^2] = 1$ and $N^{1-2\gamma}$.

# %%
from gammanet.exercises import check_variance_law
check_variance_law(variance_law)

# %% [markdown]
# ### Exercise 1.3 (substantial) — Why the authors' readout breaks the slope
#
# Write `uniform_readout(x, width, gamma)` returning the pair `(mean, variance)` of $g_0(x)$ for the shallow sigmoid
# network with the authors' readout $C \sim U(0, 1)$ and no biases. Start from step 2 of the derivation: given the
# hidden layer the terms $C^i \sigma(Z^i)$ are still independent, but no longer centred. Then run the cell after
# the check: it uses your function to fit the slopes of the variance and of the mean square
# $\mathbb E[g_0^2] = \operatorname{Var} g_0 + (\mathbb E g_0)^2$ against $N$. Which one follows $1 - 2\gamma$,
# which one approaches $2 - 2\gamma$, and why? What happens at $\gamma = 1$?

# %% tags=["solution"]
def uniform_readout(x, width, gamma):
    """(E g_0(x), Var g_0(x)): shallow sigmoid network, C ~ U(0, 1), no biases."""
    # BEGIN SOLUTION
    nodes, weights = np.polynomial.hermite_e.hermegauss(64)
    weights = weights / np.sqrt(2 * np.pi)
    norm = np.sqrt(np.sum(np.asarray(x, dtype=float) ** 2))
    sigma = 1 / (1 + np.exp(-norm * nodes))
    m1, m2 = np.sum(weights * sigma), np.sum(weights * sigma ** 2)   # E σ (= 1/2), E σ²
    c1, c2 = 1 / 2, 1 / 3                                            # E C, E C²
    mean = width ** (1 - gamma) * c1 * m1
    variance = width ** (1 - 2 * gamma) * (c2 * m2 - (c1 * m1) ** 2)
    return mean, variance
    # END SOLUTION


# %% [markdown] tags=["solution"]
# **Solution.** Given the hidden layer, $\mathbb E[g_0 \mid \mathcal F] = N^{-\gamma}\, \mathbb E[C] \sum_i \sigma_i$
# and $\operatorname{Var}(g_0 \mid \mathcal F) = N^{-2\gamma} \operatorname{Var}(C) \sum_i \sigma_i^2$. Averaging,
# $\mathbb E g_0 = N^{1-\gamma}\, \mathbb E[C]\, \mathbb E[\sigma]$ and, by the law of total variance,
# $\operatorname{Var} g_0 = N^{1-2\gamma}\big(\mathbb E[C^2]\mathbb E[\sigma^2] - \mathbb E[C]^2 \mathbb E[\sigma]^2\big)$
# (this time the second term of the law of total variance, $\operatorname{Var}(\mathbb E[g_0 \mid \mathcal F]) =
# N^{1-2\gamma}\, \mathbb E[C]^2 \operatorname{Var}(\sigma)$, is not zero). The variance keeps the slope $1 - 2\gamma$, with a
# smaller prefactor than for $N(0,1)$. The mean square adds $(\mathbb E g_0)^2 = N^{2-2\gamma}/16$, which grows
# with $N$ for $\gamma < 1$ and dominates: its slope tends to $2 - 2\gamma$, a full unit above the variance's. At
# $\gamma = 1$ the mean is the constant $1/4$ and $\mathbb E[g_0^2] \to 1/16$: slope 0 instead of $-1$. A slope
# measured on $\mathbb E[g_0^2]$ — or on anything that includes the offset — is therefore wrong by one.

# %%
from gammanet.exercises import check_uniform_readout
check_uniform_readout(uniform_readout)

# %% tags=["needs-solution"]
x0 = toy_problem().x_test[0].numpy()
sweep = np.array([50, 100, 200, 400, 800, 1600, 3200])
rows = []
for gamma in (0.5, 0.75, 0.9, 1.0):
    mean, variance = np.array([uniform_readout(x0, n, gamma) for n in sweep]).T
    rows.append({"γ": gamma, "slope of Var": loglog_fit(sweep, variance)[0],
                 "slope of E[g²]": loglog_fit(sweep, variance + mean ** 2)[0],
                 "1 - 2γ": 1 - 2 * gamma, "2 - 2γ": 2 - 2 * gamma})
pd.DataFrame(rows).round(3)

# %% [markdown]
# ### Exercise 1.4 (substantial) — What cross-entropy sees
#
# With $K$ outputs $g_k(x) = N^{-\gamma} \sum_i C^{k,i} \sigma(Z^i)$, $C^{k,i} \sim U(0,1)$ independent, softmax and
# cross-entropy only see the centred logits $g_k - \bar g$, where $\bar g = \frac1K \sum_k g_k$. Write
# `centred_logit_variance(x, width, gamma, n_classes)`: the exact $\operatorname{Var}(g_k(x) - \bar g(x))$ (the
# same for every $k$) for the shallow sigmoid network without biases. Hint: write $g_k - \bar g$ as one sum over
# the units, with coefficients $C^{k,i} - \bar C^{i}$. The cell after the check compares your formula with 2,000
# random networks.

# %% tags=["solution"]
def centred_logit_variance(x, width, gamma, n_classes):
    """Var(g_k(x) - mean over k of g_k(x)) for the U(0, 1) readout, no biases."""
    # BEGIN SOLUTION
    nodes, weights = np.polynomial.hermite_e.hermegauss(64)
    norm = np.sqrt(np.sum(np.asarray(x, dtype=float) ** 2))
    sigma = 1 / (1 + np.exp(-norm * nodes))
    second_moment = np.sum(weights * sigma ** 2) / np.sqrt(2 * np.pi)
    # Var(C^{k,i} - mean over k of C^{k,i}) = Var(C) (1 - 1/K)
    coefficient_variance = (1 / 12) * (1 - 1 / n_classes)
    return width ** (1 - 2 * gamma) * coefficient_variance * second_moment
    # END SOLUTION


# %% [markdown] tags=["solution"]
# **Solution.** $g_k - \bar g = N^{-\gamma} \sum_i (C^{k,i} - \bar C^i)\, \sigma(Z^i)$. The coefficients are centred,
# independent across units, independent of the hidden layer, and
# $\operatorname{Var}(C^{k,i} - \bar C^i) = \operatorname{Var}(C)\,(1 - 1/K)$. The derivation of the chapter then
# gives $N^{1-2\gamma} \cdot \tfrac{1}{12}(1 - \tfrac1K) \cdot \mathbb E[\sigma(Z)^2]$ exactly. The mean $1/2$ of the
# readout has disappeared: for cross-entropy, the authors' readout is a centred readout with variance $1/12$ —
# logits $\sqrt{12} \approx 3.5$ times smaller than with gammanet's $N(0,1)$ readout, and the same slope
# $1 - 2\gamma$. (The authors' readout biases add $\operatorname{Var}(b_k - \bar b) = (1 - 1/K)/(3N)$.)

# %%
from gammanet.exercises import check_centred_logits
check_centred_logits(centred_logit_variance)

# %% tags=["needs-solution"]
# 2,000 networks of width 200 with the U(0, 1) readout, at one input
nets = draw_networks((200,), 2, 2000, out_features=10, init="uniform")
x1 = toy_problem().x_test[:1]
logits = nets(x1, (0.75,))[:, 0]                           # (networks, 10 logits)
centred = logits - logits.mean(-1, keepdim=True)
formula = centred_logit_variance(x1[0].numpy(), 200, 0.75, 10)
print(f"Monte-Carlo: {centred.var(0).mean():.5f}   your formula: {formula:.5f}   "
      f"(Var of one logit: {logits.var(0).mean():.5f})")

