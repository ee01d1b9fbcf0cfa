r"""Many γ-scaled networks at once, for the theory: weights with a leading seed dimension, nested across widths.

S networks of hidden widths N_1..N_L are one :class:`NetworkDraw` (defined, with the draw and the forward pass,
in :mod:`gammanet.network`, which :class:`gammanet.GammaMLP` and :class:`gammanet.Ensemble` use too)::

    weights[ℓ-1]: W^ℓ, shape (S, N_ℓ, N_{ℓ-1})   (N_0 = d, the input dimension), ℓ = 1..L
    weights[L]:   C,   shape (S, K, N_L)          (K outputs)
    biases[ℓ-1]:  b^ℓ, shape (S, N_ℓ);  biases[L]: b^C, shape (S, K)

Seeds: network ``s`` is drawn with ``torch.Generator().manual_seed(s)`` by :func:`gammanet.network.draw_parameters`,
so at the drawn widths it *is* ``GammaMLP(widths, gammas, d, K, readout, seed=s)`` (values drawn in float32, then
cast; the theory computes in float64, :data:`DTYPE`).  Common random numbers across widths: a narrower network is
the sub-network made of the first N_ℓ units of every layer (:meth:`NetworkDraw.truncate`), so comparing widths
compares nested networks and the width slope is not buried in seed noise.

The initial laws are :class:`InitLaw` (a readout law of :data:`gammanet.network.READOUT_LAWS` and which biases are
drawn), named in :data:`INIT_LAWS`: ``"centered"`` and ``"authors"`` are GammaMLP's two readouts, ``"readout_bias"``
and ``"uniform"`` the single changes between them.
"""

from __future__ import annotations

import torch

from ..model import stack_models
from ..network import INIT_LAWS, InitLaw, NetworkDraw, draw_networks, resolve_init, seed_list

DTYPE = torch.float64

__all__ = ["DTYPE", "INIT_LAWS", "InitLaw", "NetworkDraw", "draw_networks", "resolve_init", "seed_list", "stack_models"]
