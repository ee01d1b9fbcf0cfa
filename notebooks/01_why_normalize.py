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
# # 1. Why normalize by $1/N^\gamma$
#
# **What you will see.** The family of scalings $1/N^{\gamma}$ between Xavier ($\gamma=1/2$) and mean-field
# ($\gamma=1$), the scaled network of any depth that the rest of the course trains, and how the size of its
# output at initialization depends on the width and on $\gamma$.
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/gammanet-course/gammanet/blob/main/notebooks/01_why_normalize.ipynb)

# %%
# Colab setup: install gammanet only where it is missing (Colab); keeps the preinstalled torch.
import importlib.util, subprocess, sys
if importlib.util.find_spec("gammanet") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "gammanet @ git+https://github.com/gammanet-course/gammanet"], check=True)

# %%
import torch
import gammanet
from gammanet import GammaMLP, learning_rates
from gammanet.course import describe, pick
from gammanet.plots import use_style

use_style()
print(describe())

# %% [markdown]
# ## The scaled network
#
# With hidden widths $N_1, \dots, N_L$ the network is
#
# $$
# H^1 = \sigma(W^1 x), \qquad H^{\ell+1} = \sigma\!\Big(N_\ell^{-\gamma_\ell} W^{\ell+1} H^\ell\Big), \qquad
# g(x) = N_L^{-\gamma_L} \sum_{i=1}^{N_L} C^i H^{L,i},
# $$
#
# with every weight drawn from $N(0,1)$: the width law sits in the forward pass, not in the initialization.

# %%
model = GammaMLP(widths=(100, 100, 100), gammas=(1.0, 1.0, 0.7), seed=0)
model

# %% [markdown]
# ## Summary
#
# - The factor $N_\ell^{-\gamma_\ell}$ multiplies each layer's sum in the forward pass.

# %% [markdown]
# ## Exercises
#
# 1. Build a `GammaMLP` of depth 4 and print its learning rates.
