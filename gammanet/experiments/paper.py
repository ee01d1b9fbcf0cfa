"""The papers' experiments (Yu & Spiliopoulos 2021, 2023) and their γ-grids, defined once.

Each in the ``"authors"`` preset (their code exactly) and the ``"default"`` preset (the same with a centred readout
and a seeded shuffle), on full MNIST with batch 20 and init seeds 0, 1, 2:

- ``paper_shallow_*``: 784–N–10, N ∈ {100, 500, 1000, 3000} (one block per N), γ ∈ {0.5, 0.6, ..., 1.0},
  500 epochs;
- ``paper_mlp2_*``: (100, 100), γ_i ∈ {0.5, 0.7, 1.0} (9 configurations), 1000 epochs;
- ``paper_mlp3_*``: (100, 100, 100), 27 configurations, 1500 epochs.

``members_per_unit`` sets how finely a sweep can be spread over GPUs: the shallow sweep is 4 units (one per N), MLP2
is 3 units of 9 members, MLP3 is 9 units of 9 members (``python -m gammanet configs`` lists them).  The chapters'
experiments (:mod:`gammanet.experiments.chapters`) use the same γ-grids.
"""

from __future__ import annotations

import itertools

from .configs import Block, Experiment

PAPER_SEEDS = (0, 1, 2)
#: The γ's of the papers' shallow experiments, and of every hidden layer in their deep ones.
PAPER_GAMMAS_SHALLOW = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
PAPER_GAMMAS_DEEP = (0.5, 0.7, 1.0)


def gamma_product(values, depth: int) -> tuple[tuple[float, ...], ...]:
    """All γ-tuples of ``values`` at each of ``depth`` layers, the first layer varying slowest."""
    return tuple(itertools.product(values, repeat=depth))


def paper_experiments(preset: str) -> list[Experiment]:
    who = (
        "the authors' code exactly (sigmoid, U(0,1) readout, no shuffling)"
        if preset == "authors"
        else "the library's default preset (the authors' model with a centred readout and a seeded shuffle)"
    )
    shallow = Experiment(
        name=f"paper_shallow_{preset}",
        description=(
            f"Shallow MNIST 784-N-10 of the papers, N in {{100, 500, 1000, 3000}}, gamma 0.5..1.0, 500 epochs "
            f"of full MNIST (3,000 steps per epoch), batch 20, seeds 0-2, with {who}. One unit per N."
        ),
        preset=preset,
        blocks=tuple(
            Block((n,), tuple((g,) for g in PAPER_GAMMAS_SHALLOW), PAPER_SEEDS, 500) for n in (100, 500, 1000, 3000)
        ),
    )
    mlp2 = Experiment(
        name=f"paper_mlp2_{preset}",
        description=(
            f"Deep MNIST MLP2 of the papers, widths (100, 100), gamma_i in {{0.5, 0.7, 1}} "
            f"(9 configurations), 1000 epochs of full MNIST, batch 20, seeds 0-2, with {who}."
        ),
        preset=preset,
        blocks=(Block((100, 100), gamma_product(PAPER_GAMMAS_DEEP, 2), PAPER_SEEDS, 1000),),
        members_per_unit=9,
    )
    mlp3 = Experiment(
        name=f"paper_mlp3_{preset}",
        description=(
            f"Deep MNIST MLP3 of the papers, widths (100, 100, 100), gamma_i in {{0.5, 0.7, 1}} "
            f"(27 configurations), 1500 epochs of full MNIST, batch 20, seeds 0-2, with {who}."
        ),
        preset=preset,
        blocks=(Block((100, 100, 100), gamma_product(PAPER_GAMMAS_DEEP, 3), PAPER_SEEDS, 1500),),
        members_per_unit=9,
    )
    return [shallow, mlp2, mlp3]


#: The papers' experiments in both presets.
PAPER_EXPERIMENTS = paper_experiments("authors") + paper_experiments("default")
