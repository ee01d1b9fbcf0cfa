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
# ## Learning objectives
#
# After this chapter you can
#
# - **explain** why a sum over $N$ units must be divided by a power of $N$, and what the two ends of the family
#   $N^{-\gamma}$, $\gamma \in [1/2, 1]$, give: the central limit theorem at $\gamma = 1/2$, the law of large
#   numbers at $\gamma = 1$;
# - **derive** the exact variance of a network's output at initialization, at every width, from the law of total
#   variance, and **compute** it by Gauss–Hermite quadrature;
# - **compute** the tangent kernel $A(x, x')$ of a given activation: the mean of $N^{2\gamma-1}$ times the inner
#   product of two gradients at initialization;
# - **predict** the log–log slope of the variance against the width and **measure** it on thousands of random
#   networks, with a bootstrap interval;
# - **tell** which choices of the authors' code (a $U(0,1)$ readout, unscaled biases) change these laws, and what a
#   cross-entropy loss sees of them.
#
# ```{admonition} Prerequisites
# :class: tip
#
# - Probability: expectation, variance and independence; conditional expectation and the law of total variance;
#   the law of large numbers and the central limit theorem — e.g. {cite:t}`wasserman2004all`, chapters 3–5.
# - Gaussian vectors: for $W \sim N(0, I_d)$, $W \cdot x \sim N(0, |x|^2)$, and $(W \cdot x, W \cdot x')$ is a
#   Gaussian pair with covariance $x \cdot x'$ (the same book, chapter 2).
# - Integrals against a Gaussian density by Gauss–Hermite quadrature (numpy's
#   [`hermegauss`](https://numpy.org/doc/stable/reference/generated/numpy.polynomial.hermite_e.hermegauss.html))
#   or by Monte Carlo.
# - A multilayer perceptron's forward pass in PyTorch, and reading a log–log plot — e.g. {cite:t}`zhang2023d2l`,
#   chapter 5.
# ```
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
from gammanet.theory import (GAMMAS, deep_variance_vs_width, draw_networks, empirical_kernel,
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
# input, for the two ends of the family. The variance law below predicts what to look for: at $\gamma = 1/2$
# (left) the width does not change the spread of the output, and the three curves should have the same spread (the
# narrowest network's is slightly more peaked and heavier-tailed: given the hidden layer the output is Gaussian with
# a random variance, a mixture that becomes Gaussian only as $N$ grows); at $\gamma = 1$ (right) every tenfold increase of the width should make the
# distribution $\sqrt{10} \approx 3.2$ times narrower.

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
narrowing = spread.loc[1.0].to_numpy()[:-1] / spread.loc[1.0].to_numpy()[1:]
glue("narrowing_low", float(narrowing.min()))
glue("narrowing_high", float(narrowing.max()))
glue("xavier_change", float(100 * (spread.loc[0.5].max() / spread.loc[0.5].min() - 1)))
spread.rename_axis(columns="standard deviation at N =").round(3)

# %% [markdown]
# In this run each tenfold width divided the standard deviation at $\gamma = 1$ by
# {glue:text}`narrowing_low:.2f` to {glue:text}`narrowing_high:.2f`, and at $\gamma = 1/2$ the three standard
# deviations differ by at most {glue:text}`xavier_change:.1f`%.

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
print("largest |bias| at initialization:",
      max(float(p.detach().abs().max()) for name, p in model.named_parameters() if "bias" in name))

# %% [markdown]
# The layers print `bias=True`: gammanet's layers do have biases, but they start at **zero** (and are trained like
# their layer's weights), so at initialization its output is exactly that of the network above (its gradients are
# not: a bias that starts at zero still has a gradient). `GammaMLP(..., bias=False)`
# removes them, as in the papers' equations.

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
# Take the readout weights $C^i$ independent of everything else, with $\mathbb E[C] = 0$, and a readout bias that
# is zero at initialization (gammanet's default; the authors' nonzero bias comes below). Write $\mathcal F$ for
# everything except the readout: the hidden weights, hence the last layer's pre-activations $Z^{L,i}(x)$ and its
# units $\sigma(Z^{L,i}(x))$. Then:
#
# 1. Given $\mathcal F$, the mean vanishes:
#    $\mathbb E[g_0(x) \mid \mathcal F] = N_L^{-\gamma_L} \sum_i \mathbb E[C^i]\, \sigma(Z^{L,i}) = 0$.
# 2. Given $\mathcal F$, the cross terms vanish because $\mathbb E[C^i C^j] = 0$ for $i \ne j$:
#    $\operatorname{Var}(g_0(x) \mid \mathcal F) = N_L^{-2\gamma_L}\, \mathbb E[C^2] \sum_{i=1}^{N_L} \sigma(Z^{L,i})^2$.
# 3. The law of total variance, $\operatorname{Var} g_0 = \mathbb E[\operatorname{Var}(g_0 \mid \mathcal F)] +
#    \operatorname{Var}(\mathbb E[g_0 \mid \mathcal F])$, and the fact that the $N_L$ units of a layer are
#    identically distributed give the law below.
#
# ```{prf:theorem} The variance at initialization (our derivation, exact)
# :label: thm-init-variance
#
# If the readout weights $C^i$ are i.i.d. (pairwise uncorrelated with a common second moment $\mathbb E[C^2]$ is
# enough), independent of the hidden layers, with $\mathbb E[C] = 0$, and the readout bias is zero, then at every
# width
#
# $$
# \operatorname{Var} g_0(x) = N_L^{1-2\gamma_L}\; \mathbb E[C^2]\; \mathbb E\big[\sigma(Z^L(x))^2\big].
# $$
# ```
#
# No limit was taken: the law holds at every width. The last factor is the second moment of *one* unit of the last
# layer; it does not depend on $N_L$ or $\gamma_L$. For one hidden layer $Z = W \cdot x$ is Gaussian with variance
# $|x|^2$, so it is a one-dimensional Gaussian integral (Exercise 1.1). So on log–log axes the variance against
# $N_L$ is a straight line of slope $1 - 2\gamma_L$: flat at $\gamma = 1/2$, slope $-1$ at $\gamma = 1$.
#
# The same three steps give the mean of the inner product of two gradients, $\mathbb E[\nabla g_0(x) \cdot
# \nabla g_0(x')] = N^{1-2\gamma} A(x, x')$ exactly for a shallow network without biases (gradients with respect to
# $W$ and $C$), with a width-free *tangent kernel*
# $A(x, x')$ (Exercise 1.2): the quantity that sets how a gradient step at one input moves the output at another,
# in chapters 2 and 3.
#
# `gammanet.theory.init_variance_vs_width` draws many networks (the narrow ones are the first units of the wide
# ones, every $\gamma$ uses the same draws), measures the variance over seeds at a few inputs, evaluates the law by
# quadrature, and fits the log–log slope with a bootstrap over seeds. **Look at** the dots (Monte-Carlo, with
# $\pm 2$ standard errors) against the lines (the law): the law says they agree at every width, not only at large
# $N$, and that the lines fan out from flat at $\gamma = 1/2$ to slope $-1$ at $\gamma = 1$.

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
shallow_inside = int(((shallow_slopes.ci_low <= shallow_slopes.theory)
                      & (shallow_slopes.theory <= shallow_slopes.ci_high)).sum())
glue("shallow_inside", shallow_inside)
glue("shallow_total", len(shallow_slopes))
shallow_slopes.rename(columns={"slope": "fitted slope", "ci_low": "95% CI low",
                               "ci_high": "95% CI high", "theory": "1 - 2γ"}).round(3)

# %% [markdown]
# In this run {glue:text}`shallow_inside` of the {glue:text}`shallow_total` intervals contain $1 - 2\gamma$; a 95%
# interval misses about one time in twenty, and the five $\gamma$'s share their random draws, so their slopes err
# together.

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
# pre-activations shrink: with $v_\ell$ the variance of $Z^\ell$, $v_L = N_{L-1}^{1-2\gamma_{L-1}}\,\mathbb
# E[\tanh(Z^{L-1})^2]$, and $\mathbb E[\tanh(Z^\ell)^2] \approx v_\ell$ for every layer $\ell \ge 2$ whose $v_\ell$ is
# small (layer 1 is fed $x$, so $v_1 = |x|^2$ stays fixed). So every layer contributes and the slope is
# $\sum_\ell (1 - 2\gamma_\ell)$. All the figures of this chapter use the sigmoid.
# ```
#
# The law above is our derivation, at initialization. The deep paper's observation that the outer layer's $\gamma$
# matters most {cite:p}`yu2023deep` concerns *trained* networks; chapter 5 takes it up.
#
# Below, networks with three hidden layers of equal width $N$ (all three grow together), five choices of the inner
# pair $(\gamma_1, \gamma_2)$ and three outer $\gamma_3$. **Look whether** the fifteen curves bundle by colour (the
# outer $\gamma_3$): the derivation says that within a bundle the five inner choices (line styles) differ only by
# their prefactors, and are parallel.

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
# The fitted slopes with their 95% bootstrap intervals, one row per inner pair and one column per outer
# $\gamma_3$, and the prefactor $\mathbb E[\sigma(Z^3)^2]$ at the largest width:

# %%
fits = deep.slopes.assign(cell=lambda d: d.slope.map("{:+.3f}".format) + " [" + d.ci_low.map("{:+.3f}".format)
                          + ", " + d.ci_high.map("{:+.3f}".format) + "]")
deep_slopes = fits.pivot(index="inner_gammas", columns="gamma", values="cell")
deep_slopes.loc["theory: 1 - 2γ₃"] = [f"{1 - 2 * g:+.3f}" for g in deep_slopes.columns]
deep_slopes.columns = [f"γ₃ = {g:g}" for g in deep_slopes.columns]
widest = deep.table[deep.table.N == max(deep_widths)]
prefactor = widest.groupby("inner_gammas").prefactor.first()
deep_slopes["prefactor E σ(Z³)²"] = prefactor.round(3)
deep_slopes.rename_axis("(γ₁, γ₂)")

# %% tags=["hide-input"]
deep_inside = int(((deep.slopes.ci_low <= deep.slopes.theory) & (deep.slopes.theory <= deep.slopes.ci_high)).sum())
law_slopes = np.array([loglog_fit(part.N.to_numpy(), part.law.to_numpy())[0] - (1 - 2 * gamma)
                       for (_, gamma), part in deep.table.groupby(["inner_gammas", "gamma"])])
glue("deep_inside", deep_inside)
glue("deep_total", len(deep.slopes))
glue("deep_law_tilt", float(np.abs(law_slopes).max()))

# %% [markdown]
# Read each interval against its column's $1 - 2\gamma_3$ (last row): in this run {glue:text}`deep_inside` of the
# {glue:text}`deep_total` intervals contain it. The three outer $\gamma_3$ of one inner pair share their random
# draws, so their slopes err together: compare along a row. The law itself, with the prefactor computed at each
# width, has slopes within {glue:text}`deep_law_tilt:.3f` of $1 - 2\gamma_3$ over these widths: the prefactor's
# drift towards $\sigma(0)^2$ tilts the lines only that much.

# %% [markdown]
# ## What the authors' code does, and where our defaults differ
#
# The authors' public code makes a few choices that the papers' model does not mention: sigmoid units, $N(0,1)$
# hidden weights, readout weights drawn from $U(0, 1)$ — not centred — and PyTorch's default biases
# $U(\pm 1/\sqrt{\text{fan-in}})$ in every layer, not scaled by any $N^{-\gamma}$. Two of them change the law above:
#
# ```{prf:remark} What the authors' readout changes (our derivation)
# :label: rem-authors-readout
#
# - The **$U(0,1)$ readout** has $\mathbb E[C] = 1/2$, so the output has a mean
#   $\mathbb E g_0 = N_L^{1-\gamma_L}\, \mathbb E[C]\, \mathbb E[\sigma(Z^L)] = N_L^{1-\gamma_L}/4$ (for the sigmoid
#   $\mathbb E\sigma(Z^L) = \sigma(0) = 1/2$, since $Z^L$ is symmetric). Its mean square $\mathbb E[g_0^2]$ then grows
#   like $N_L^{2-2\gamma_L}$, while the variance keeps the slope $1 - 2\gamma_L$ (Exercise 1.3).
# - The **readout bias** $U(\pm 1/\sqrt{N_L})$ adds its variance $1/(3N_L)$: a term of slope $-1$ whatever $\gamma$,
#   which bends the curve for $\gamma < 1$ (at $\gamma = 1$ it only changes the prefactor of the slope $-1$).
# ```
#
# `gammanet.theory.readout_effects` measures the four combinations: our centred readout, + the readout bias only,
# the $U(0,1)$ readout only, and the authors' full setting. The laws (lines) predict, at $\gamma = 3/4$: in the
# right panel the mean square *grows* with the width under a $U(0,1)$ readout (towards slope $2 - 2\gamma = +0.5$)
# and falls with the centred readout (slope $-0.5$); in the left panel the $U(0,1)$ readout alone keeps the
# variance's slope $-0.5$ with a smaller prefactor, while the biases' $1/(3N)$ bends the authors' curve towards
# slope $-1$ (under "+ readout bias" the same term sits on top of a larger variance and barely shows). **Look
# whether** the dots (Monte-Carlo) follow the lines.

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
# left is a sum over the units with centred coefficients — the deviations of each logit's readout weights from
# their mean over the ten logits; how large its variance is, is Exercise 1.4. Here are the ten logits of three
# MNIST images for a shallow network with $N = 100$, $\gamma = 1/2$, in both settings — the law says every logit of
# the authors' network carries a common shift of about $N^{1-\gamma}\,\mathbb E[C]\,\mathbb E[\sigma] = 2.5$:

# %%
data = load_mnist()
images = data.x_test[:3].cpu()
for readout in ("authors", "centered"):
    net = GammaMLP((100,), 0.5, readout=readout, seed=0)
    with torch.no_grad():
        logits = net(images)
    print(f"{readout} readout: logits of 3 images (rows) × 10 digits (columns)")
    print(pd.DataFrame(logits.numpy()).round(2).to_string(header=False), "\n")
    if readout == "authors":
        glue("authors_shift", float(logits.mean()))

# %% [markdown]
# The mean of the authors' thirty logits above is {glue:text}`authors_shift:.2f`.

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

# %% tags=["hide-input"]
worst = (shallow.slopes.slope - shallow.slopes.theory).abs().max()
deep_worst = (deep.slopes.slope - deep.slopes.theory).abs().max()
uniform_sq = readouts.slopes.query(
    "init == 'uniform' and statistic == 'second_moment' and gamma == 0.75").slope.item()
glue("worst_shallow", float(worst))
glue("worst_deep", float(deep_worst))
glue("prefactor_min", float(prefactor.min()))
glue("prefactor_max", float(prefactor.max()))
glue("uniform_second_moment_slope", float(uniform_sq))

# %% [markdown]
# - Dividing a sum of $N$ units by $N^{1/2}$ keeps a random output of order one (central limit theorem), by $N$ an
#   average (law of large numbers); $\gamma \in [1/2, 1]$ interpolates, with outputs of order $N^{1/2-\gamma}$.
# - For a centred readout whose bias starts at zero, $\operatorname{Var} g_0(x) = N_L^{1-2\gamma_L} \mathbb E[C^2]
#   \mathbb E[\sigma(Z^L)^2]$ exactly, at every width ({prf:ref}`thm-init-variance`); in this run the fitted slopes
#   of the shallow networks were within {glue:text}`worst_shallow:.3f` of $1 - 2\gamma$, with
#   {glue:text}`shallow_inside` of {glue:text}`shallow_total` intervals containing it.
# - In a deep sigmoid network with all widths growing, the law says the inner $\gamma$'s move only the prefactor;
#   measured, the fitted slopes were within {glue:text}`worst_deep:.3f` of $1 - 2\gamma_3$ for all
#   {glue:text}`deep_total` (inner, outer) choices, and the prefactors lay between {glue:text}`prefactor_min:.3f` and
#   {glue:text}`prefactor_max:.3f`. With tanh and equal widths every layer's $\gamma$ counts
#   ({prf:ref}`rem-outer-slope-caveat`).
# - The authors' $U(0,1)$ readout adds an offset $N^{1-\gamma}\,\mathbb E[C]\,\mathbb E[\sigma] = N^{1-\gamma}/4$ that
#   makes $\mathbb E[g_0^2]$ grow towards the slope $2 - 2\gamma$ (measured at $\gamma = 3/4$ over these widths:
#   {glue:text}`uniform_second_moment_slope:+.2f`), and the readout bias adds $1/(3N)$; cross-entropy does not see
#   the offset, but any measurement of the output's size does. gammanet centres the readout and starts the biases
#   at zero, so that the law is exact.
#
# Next, chapter 2 asks how fast each layer may learn so that networks of every width train alike.
#
# %% [markdown]
# ## Exercises
#
# Exercises 1.1–1.4 ask you to derive and compute; 1.5–1.7 are short questions. Each check runs your answer on
# hidden cases and gives a hint, never the answer.
#
# ```{exercise} The variance law, by hand
# :label: ex-1-1
#
# *(medium, ~25 min)* Write `variance_law(x, width, gamma)`: the exact $\operatorname{Var} g_0(x)$ of a shallow
# sigmoid network with `width` units, exponent `gamma`, readout $C \sim N(0,1)$ and no biases, at the input `x` (a
# 1-D numpy array). You need $\mathbb E[\sigma(Z)^2]$ for $Z = W \cdot x$ with $W \sim N(0, I_d)$: what is the law of
# $Z$? Compute the expectation by Gauss–Hermite quadrature (`np.polynomial.hermite_e.hermegauss`) or by Monte-Carlo
# with $10^6$ draws; the check allows a relative error of 1%.
# ```

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
# ```{solution} ex-1-1
# :class: dropdown
#
# $Z = W \cdot x$ is a sum of independent Gaussians, so $Z \sim N(0, |x|^2)$ and
# $\mathbb E[\sigma(Z)^2] = \mathbb E[\sigma(|x|\xi)^2]$ with $\xi \sim N(0,1)$ — a one-dimensional integral that
# 64 Gauss–Hermite nodes compute to machine precision. Multiply by $\mathbb E[C^2] = 1$ and $N^{1-2\gamma}$.
# ```

# %%
from gammanet.exercises import check_variance_law
check_variance_law(variance_law)

# %% [markdown]
# ```{exercise} The tangent kernel of a given activation
# :label: ex-1-2
#
# *(medium, ~30 min)* For the shallow network $g(x) = N^{-\gamma}\sum_i C^i \sigma(W^i \cdot x)$, one gradient step
# at an input $x'$ moves the output at $x$ in proportion to the inner product of the two gradients with respect to
# all the weights, $\nabla g(x) \cdot \nabla g(x')$ (chapter 2).
#
# 1. Compute $\partial g/\partial C^i$ and $\partial g/\partial W^i$, and show, with the three steps of the variance
#    law, that for $C^i \sim N(0, 1)$ independent of $W^i \sim N(0, I_d)$, at every width,
#    $\mathbb E[\nabla g(x) \cdot \nabla g(x')] = N^{1-2\gamma} A(x, x')$ with
#    $A(x, x') = \mathbb E[\sigma(w \cdot x)\sigma(w \cdot x')] + \mathbb E[c^2]\; x \cdot x'\;
#    \mathbb E[\sigma'(w \cdot x)\sigma'(w \cdot x')]$, $w \sim N(0, I_d)$, $c \sim N(0, 1)$.
# 2. Write `tangent_kernel_entry(x, x2, activation, derivative)` returning $A(x, x')$ for the inputs `x`, `x2` (1-D
#    numpy arrays) and an activation given as two numpy functions, $\sigma$ (`activation`) and $\sigma'$
#    (`derivative`). The check uses activations you have not seen. The pair $(w \cdot x, w \cdot x')$ is Gaussian:
#    with which covariance? A two-dimensional Gauss–Hermite grid, or Monte-Carlo with $10^6$ draws of $w$, is
#    accurate enough (relative tolerance 1%).
# 3. The cell after the check compares your $A$ with the average empirical kernel of many networks of width 10:
#    why do they agree although 10 is far from infinite?
# ```

# %% tags=["solution"]
def tangent_kernel_entry(x, x2, activation, derivative):
    """A(x, x') = E[σ(w·x) σ(w·x')] + x·x' E[σ'(w·x) σ'(w·x')], w ~ N(0, I_d), E[c²] = 1."""
    # BEGIN SOLUTION
    x, x2 = np.asarray(x, dtype=float), np.asarray(x2, dtype=float)
    a, b = np.sqrt(x @ x), np.sqrt(x2 @ x2)
    rho = np.clip((x @ x2) / (a * b), -1.0, 1.0)          # correlation of w·x and w·x'
    nodes, weights = np.polynomial.hermite_e.hermegauss(64)
    weights = weights / np.sqrt(2 * np.pi)
    # (u, v) = (|x| ξ₁, |x'| (ρ ξ₁ + √(1-ρ²) ξ₂)) has the law of (w·x, w·x')
    u = a * nodes[:, None] + 0 * nodes[None, :]
    v = b * (rho * nodes[:, None] + np.sqrt(1 - rho ** 2) * nodes[None, :])
    grid = weights[:, None] * weights[None, :]
    first = np.sum(grid * activation(u) * activation(v))
    second = np.sum(grid * derivative(u) * derivative(v))
    return first + (x @ x2) * second                       # E[c²] = 1
    # END SOLUTION


# %% [markdown] tags=["solution"]
# ```{solution} ex-1-2
# :class: dropdown
#
# $\partial g/\partial C^i = N^{-\gamma}\sigma(W^i \cdot x)$ and $\partial g/\partial W^i = N^{-\gamma} C^i
# \sigma'(W^i \cdot x)\,x$, so $\nabla g(x)\cdot\nabla g(x') = N^{-2\gamma}\sum_i \big[\sigma(W^i\cdot x)
# \sigma(W^i\cdot x') + (C^i)^2\sigma'(W^i\cdot x)\sigma'(W^i\cdot x')\,x\cdot x'\big]$: a sum of $N$ identically
# distributed terms, whose mean is $N \cdot N^{-2\gamma} A(x, x')$ because $C^i$ is independent of $W^i$. No limit is
# taken — which is why the average over networks of width 10 already agrees with $A$; what needs a large width is
# that *one* network's kernel be close to $A$ (chapter 3). The pair $(w \cdot x, w \cdot x')$ is centred Gaussian
# with covariance $\begin{pmatrix}|x|^2 & x\cdot x'\\ x\cdot x' & |x'|^2\end{pmatrix}$, so it has the law of
# $(|x|\xi_1, |x'|(\rho\xi_1 + \sqrt{1-\rho^2}\,\xi_2))$ with $\rho$ the cosine of the angle between $x$ and $x'$ and
# $\xi_1, \xi_2$ independent $N(0,1)$: a product Gauss–Hermite grid in $(\xi_1, \xi_2)$ computes both expectations.
# Treating $w\cdot x$ and $w \cdot x'$ as independent is the typical slip: they share $w$.
# ```

# %%
from gammanet.exercises import check_tangent_kernel
check_tangent_kernel(tangent_kernel_entry)

# %% tags=["needs-solution"]
# E[A_N(x, x')] = A(x, x') at every width: the empirical kernel of 4,000 networks of width 10, averaged
pair_of_inputs = toy_problem().x_test[:2]               # two inputs in R²
entries = empirical_kernel(draw_networks((10,), 2, 4000), pair_of_inputs[:1], pair_of_inputs[1:])[:, 0, 0]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


yours = tangent_kernel_entry(pair_of_inputs[0].numpy(), pair_of_inputs[1].numpy(), sigmoid,
                             lambda z: sigmoid(z) * (1 - sigmoid(z)))
print(f"mean of A_N over 4,000 networks of width 10: {entries.mean():.4f} "
      f"± {2 * entries.std() / len(entries) ** 0.5:.4f} (2 standard errors); your A(x, x'): {yours:.4f}")

# %% [markdown]
# ```{exercise} Why the authors' readout breaks the slope
# :label: ex-1-3
#
# *(substantial, ~40 min)* Write `uniform_readout(x, width, gamma)` returning the pair `(mean, variance)` of
# $g_0(x)$ for the shallow sigmoid network with the authors' readout $C \sim U(0, 1)$ and no biases. Start from step 2
# of the derivation: given the hidden layer the terms $C^i \sigma(Z^i)$ are still independent, but no longer
# centred. Then run the cell after the check: it uses your function to fit the slopes of the variance and of the
# mean square $\mathbb E[g_0^2] = \operatorname{Var} g_0 + (\mathbb E g_0)^2$ against $N$. Which one follows
# $1 - 2\gamma$, which one approaches $2 - 2\gamma$, and why? What happens at $\gamma = 1$?
# ```

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
# ```{solution} ex-1-3
# :class: dropdown
#
# Given the hidden layer, $\mathbb E[g_0 \mid \mathcal F] = N^{-\gamma}\, \mathbb E[C] \sum_i \sigma_i$
# and $\operatorname{Var}(g_0 \mid \mathcal F) = N^{-2\gamma} \operatorname{Var}(C) \sum_i \sigma_i^2$. Averaging,
# $\mathbb E g_0 = N^{1-\gamma}\, \mathbb E[C]\, \mathbb E[\sigma]$ and, by the law of total variance,
# $\operatorname{Var} g_0 = N^{1-2\gamma}\big(\mathbb E[C^2]\mathbb E[\sigma^2] - \mathbb E[C]^2 \mathbb E[\sigma]^2\big)$
# (this time the second term of the law of total variance, $\operatorname{Var}(\mathbb E[g_0 \mid \mathcal F]) =
# N^{1-2\gamma}\, \mathbb E[C]^2 \operatorname{Var}(\sigma)$, is not zero). The variance keeps the slope $1 - 2\gamma$,
# with a smaller prefactor than for $N(0,1)$. The mean square adds $(\mathbb E g_0)^2 = N^{2-2\gamma}/16$, which grows
# with $N$ for $\gamma < 1$ and dominates: its slope tends to $2 - 2\gamma$, a full unit above the variance's. At
# $\gamma = 1$ the mean is the constant $1/4$ and $\mathbb E[g_0^2] \to 1/16$: slope 0 instead of $-1$. A slope
# measured on $\mathbb E[g_0^2]$ — or on anything that includes the offset — is therefore wrong by one.
# ```

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
# ```{exercise} What cross-entropy sees
# :label: ex-1-4
#
# *(substantial, ~40 min)* With $K$ outputs $g_k(x) = N^{-\gamma} \sum_i C^{k,i} \sigma(Z^i)$, $C^{k,i} \sim U(0,1)$
# independent, softmax and cross-entropy only see the centred logits $g_k - \bar g$, where
# $\bar g = \frac1K \sum_k g_k$. Write `centred_logit_variance(x, width, gamma, n_classes)`: the exact
# $\operatorname{Var}(g_k(x) - \bar g(x))$ (the same for every $k$) for the shallow sigmoid network without biases.
# Hint: write $g_k - \bar g$ as one sum over the units, with coefficients $C^{k,i} - \bar C^{i}$, where
# $\bar C^i = \frac1K\sum_j C^{j,i}$. The cell after the check compares your formula with 2,000 random networks.
# ```

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
# ```{solution} ex-1-4
# :class: dropdown
#
# $g_k - \bar g = N^{-\gamma} \sum_i (C^{k,i} - \bar C^i)\, \sigma(Z^i)$. The coefficients are centred,
# independent across units, independent of the hidden layer, and
# $\operatorname{Var}(C^{k,i} - \bar C^i) = \operatorname{Var}(C)\,(1 - 1/K)$: $\bar C^i$ contains $C^{k,i}$ itself,
# so the covariance term $-2\operatorname{Cov}(C^{k,i}, \bar C^i) = -2\operatorname{Var}(C)/K$ and
# $\operatorname{Var}(\bar C^i) = \operatorname{Var}(C)/K$ add up to $-\operatorname{Var}(C)/K$. The derivation of
# the chapter then gives $N^{1-2\gamma} \cdot \tfrac{1}{12}(1 - \tfrac1K) \cdot \mathbb E[\sigma(Z)^2]$ exactly. The
# mean $1/2$ of the readout has disappeared: for cross-entropy, the authors' readout acts like a centred readout
# with variance $\tfrac{1}{12}(1 - \tfrac1K)$ — logits about $\sqrt{12} \approx 3.5$ times smaller than with
# gammanet's $N(0,1)$ readout, and the same slope $1 - 2\gamma$. (The authors' readout biases add
# $\operatorname{Var}(b_k - \bar b) = (1 - 1/K)/(3N)$.)
# ```

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

# %% [markdown]
# ```{exercise} How much narrower?
# :label: ex-1-5
#
# *(question, ~3 min)* A shallow network with a centred readout and $\gamma = 3/4$: by what factor does the
# standard deviation of $g_0(x)$ shrink when the width grows from $N = 100$ to $N = 10{,}000$? Return the factor
# (a number larger than 1; three significant digits are enough).
# ```

# %% tags=["solution"]
def q_1_5():
    """The factor by which the standard deviation of g_0(x) shrinks from N = 100 to N = 10,000 at γ = 3/4."""
    # BEGIN SOLUTION
    return (10_000 / 100) ** (3 / 4 - 1 / 2)       # sd ∝ N^{1/2 - γ}
    # END SOLUTION


# %%
from gammanet.exercises import check_q_1_5
check_q_1_5(q_1_5)

# %% [markdown]
# ```{exercise} What the inner exponents change
# :label: ex-1-6
#
# *(question, ~3 min)* In a deep **sigmoid** network whose widths all grow together, what do the inner exponents
# $\gamma_1, \dots, \gamma_{L-1}$ change in $\operatorname{Var} g_0(x)$ as a function of $N$? Return `"a"`, `"b"`,
# `"c"` or `"d"`.
#
# - (a) its log–log slope against $N$
# - (b) only the prefactor $\mathbb E[\sigma(Z^L)^2]$, which tends to a constant, not the slope
# - (c) nothing at all: the curves of one outer $\gamma_L$ coincide exactly
# - (d) every layer adds $1 - 2\gamma_\ell$ to the slope
# ```

# %% tags=["solution"]
def q_1_6():
    """Your answer: "a", "b", "c" or "d"."""
    # BEGIN SOLUTION
    return "b"
    # END SOLUTION


# %%
from gammanet.exercises import check_q_1_6
check_q_1_6(q_1_6)

# %% [markdown]
# ```{exercise} The authors' readout under cross-entropy
# :label: ex-1-7
#
# *(question, ~3 min)* With the authors' $U(0, 1)$ readout, ten outputs and a cross-entropy loss, the offset
# $N^{1-\gamma}\,\mathbb E[C]\,\mathbb E[\sigma]$ of the logits … Return `"a"`, `"b"`, `"c"` or `"d"`.
#
# - (a) makes the loss grow with the width when $\gamma < 1$
# - (b) saturates the softmax at large widths
# - (c) cancels: the softmax sees only differences of logits, and what is left is a centred sum over the units
# - (d) cancels, and with it every random part of the logits
# ```

# %% tags=["solution"]
def q_1_7():
    """Your answer: "a", "b", "c" or "d"."""
    # BEGIN SOLUTION
    return "c"
    # END SOLUTION


# %%
from gammanet.exercises import check_q_1_7
check_q_1_7(q_1_7)

# %% [markdown]
# ## Further reading
#
# - {cite:t}`yu2021shallow` set up the shallow network with the normalization $N^{-\gamma}$ and study what it
#   does after training (chapters 3 and 4 of this book); {cite:t}`yu2023deep` the deep network with one exponent
#   per layer (chapter 5). The authors' code {cite:p}`nenn_shallow_code,nenn_deep_code` makes the choices compared in
#   the last section.
# - The $\gamma = 1/2$ end: wide random networks converge to Gaussian processes {cite:p}`neal1996bayesian`, whose
#   covariance has closed forms for some activations {cite:p}`williams1997computing,cho2009kernel`; the Xavier
#   initialization {cite:p}`glorot2010understanding`; the neural tangent kernel {cite:p}`jacot2018ntk`, whose
#   mean at initialization is the $A(x, x')$ of Exercise 1.2.
# - The $\gamma = 1$ end, the mean-field limit: {cite:t}`mei2018meanfield`, {cite:t}`rotskoff2022trainability`,
#   {cite:t}`sirignano2020meanfield`.
# - Scaling each layer's initialization and learning rate with the width, in general: the tensor programs and
#   μP of {cite:t}`yang2021tensor`.
