"""The chapters' experiments: a small CPU version of each (the quick build, GAMMANET_QUICK=1) and a ``_full``
version for a Colab GPU.

A chapter asks for ``pick("ch4_shallow", "ch4_shallow_full")`` (:func:`gammanet.course.pick`) and runs it with
:func:`gammanet.experiments.sweep`, which reuses what the results store already holds.  :data:`CHAPTER_EXPERIMENTS`
lists them all; :mod:`gammanet.experiments.catalog` registers them.

The clock of the theory is t = k / N_L (k SGD steps): with 4,000 training images and batch 20 an epoch is 200 steps,
with full MNIST (60,000) it is 3,000, so the ``_full`` versions give each width enough epochs to reach a comparable
(and later) t.
"""

from __future__ import annotations

from typing import Any

from .configs import Block, Experiment
from .paper import PAPER_GAMMAS_DEEP as DEEP_GAMMAS
from .paper import PAPER_GAMMAS_SHALLOW as SHALLOW_GAMMAS
from .paper import gamma_product

VARIANCE_GAMMAS = (0.5, 0.625, 0.75, 0.875, 1.0)
SUBSET: dict[str, Any] = dict(n_train=4000, n_test=1000)


def _shallow_grid():
    return tuple((g,) for g in SHALLOW_GAMMAS)


_CH4_AND_CH5_SHALLOW = [
    # ------------------------------------------------------------------------- chapter 6: γ and MNIST accuracy
    Experiment(
        name="ch4_shallow",
        description="Chapter 6, CPU: 784-100-10, preset fast, gamma 0.5..1, seeds 0-4, 20 epochs of 4,000 images "
        "(4,000 steps, t = 40).",
        preset="fast",
        blocks=(Block((100,), _shallow_grid(), tuple(range(5)), 20),),
        **SUBSET,
    ),
    Experiment(
        name="ch4_shallow_full",
        description="Chapter 6, GPU: 784-N-10 for N in {100, 1000}, preset fast, gamma 0.5..1, seeds 0-4, full MNIST; "
        "5 epochs at N = 100 and 50 at N = 1000 (15,000 / 150,000 steps), so both reach t = 150.",
        preset="fast",
        blocks=(
            Block((100,), _shallow_grid(), tuple(range(5)), 5),
            Block((1000,), _shallow_grid(), tuple(range(5)), 50),
        ),
    ),
    Experiment(
        name="ch4_shallow_authors",
        description="Chapter 6, CPU: 784-100-10 in the authors' setting (preset authors), gamma 0.5..1, seeds 0-2, "
        "20 epochs of 4,000 images (t = 40): slow learning, as the papers' setting is.",
        preset="authors",
        blocks=(Block((100,), _shallow_grid(), (0, 1, 2), 20),),
        **SUBSET,
    ),
    Experiment(
        name="ch4_shallow_authors_full",
        description="Chapter 6, GPU: the authors' setting on full MNIST, N in {100, 1000}, gamma 0.5..1, seeds 0-2; "
        "10 epochs at N = 100 and 100 at N = 1000 (both t = 300).",
        preset="authors",
        blocks=(Block((100,), _shallow_grid(), (0, 1, 2), 10), Block((1000,), _shallow_grid(), (0, 1, 2), 100)),
    ),
    # The deep grids use the `fast` preset (α = 10) with and without biases: at α = 10 the trained biases collapse
    # the γ = (1, 1) net to a constant classifier while the same nets without biases all learn (docs/presets.md §2,
    # §4; measured again for chapter 6: (100, 100) without biases, 4,000 steps, 0.746-0.926 over the 9
    # configurations; (100, 100, 100) without biases, 0.307-0.910 over the 27, (1, 1, 1) the best).
    Experiment(
        name="ch4_mlp2",
        description="Chapter 6, CPU: (100, 100) with biases, preset fast (alpha 10), gamma_i in {0.5, 0.7, 1} "
        "(9 configurations), seeds 0-2, 20 epochs of 4,000 images (4,000 steps, t = 40).",
        preset="fast",
        blocks=(Block((100, 100), gamma_product(DEEP_GAMMAS, 2), (0, 1, 2), 20),),
        **SUBSET,
    ),
    Experiment(
        name="ch4_mlp2_full",
        description="Chapter 6, GPU: (100, 100) with biases, preset fast, 9 configurations, seeds 0-2, 10 epochs "
        "of full MNIST (30,000 steps, t = 300).",
        preset="fast",
        blocks=(Block((100, 100), gamma_product(DEEP_GAMMAS, 2), (0, 1, 2), 10),),
    ),
    Experiment(
        name="ch4_mlp2_nobias",
        description="Chapter 6, CPU: ch4_mlp2 without biases (the papers' equations).",
        preset="fast",
        bias=False,
        blocks=(Block((100, 100), gamma_product(DEEP_GAMMAS, 2), (0, 1, 2), 20),),
        **SUBSET,
    ),
    Experiment(
        name="ch4_mlp2_nobias_full",
        description="Chapter 6, GPU: ch4_mlp2_full without biases (the papers' equations).",
        preset="fast",
        bias=False,
        blocks=(Block((100, 100), gamma_product(DEEP_GAMMAS, 2), (0, 1, 2), 10),),
    ),
    Experiment(
        name="ch4_mlp3_nobias",
        description="Chapter 6, CPU: (100, 100, 100) without biases, preset fast (alpha 10), gamma_i in "
        "{0.5, 0.7, 1} (27 configurations), seeds 0-1, 20 epochs of 4,000 images (t = 40).",
        preset="fast",
        bias=False,
        blocks=(Block((100, 100, 100), gamma_product(DEEP_GAMMAS, 3), (0, 1), 20),),
        **SUBSET,
    ),
    Experiment(
        name="ch4_mlp3_nobias_full",
        description="Chapter 6, GPU: (100, 100, 100) without biases, preset fast, 27 configurations, seeds 0-2, "
        "20 epochs of full MNIST (60,000 steps, t = 600).",
        preset="fast",
        bias=False,
        blocks=(Block((100, 100, 100), gamma_product(DEEP_GAMMAS, 3), (0, 1, 2), 20),),
    ),
    # ------------------------------------------------------------- chapter 7: the variance of the trained output
    Experiment(
        name="ch5_shallow_variance",
        description="Chapter 7, CPU: logits of 200 test images, every epoch, for 784-N-10 without biases, "
        "N in {25, 50, 100, 200}, gamma in {0.5, 0.625, 0.75, 0.875, 1}, seeds 0-7, preset fast; "
        "2N/25 epochs of 4,000 images, so every width reaches the same clock t = 16.",
        preset="fast",
        bias=False,
        probe=200,
        probe_epochs="all",
        blocks=tuple(
            Block((n,), tuple((g,) for g in VARIANCE_GAMMAS), tuple(range(8)), 2 * n // 25) for n in (25, 50, 100, 200)
        ),
        **SUBSET,
    ),
    Experiment(
        name="ch5_shallow_variance_full",
        description="Chapter 7, GPU: as ch5_shallow_variance with N up to 400 and 32 seeds (0-31), still 4,000 "
        "training images, because t = 16 must be a whole number of epochs at every width (2N/25 epochs).",
        preset="fast",
        bias=False,
        probe=200,
        probe_epochs="all",
        blocks=tuple(
            Block((n,), tuple((g,) for g in VARIANCE_GAMMAS), tuple(range(32)), 2 * n // 25)
            for n in (25, 50, 100, 200, 400)
        ),
        **SUBSET,
    ),
]


# ------------------------------------------------------ chapter 7 at depth 2: which γ sets the width scaling
# Two families of widths in one experiment: equal widths (N, N), as in the papers, and the inner width held at 50
# while the outer width N varies, which isolates N_L (the variance law at initialization says Var ∝ N_L^{1-2γ_L}
# times a factor set by the layers below).  (50, 50) belongs to both.  Epochs 2N_L/25: every block reaches t = 16.
CH5_DEEP_GAMMAS = ((0.5, 0.5), (1.0, 0.5), (0.5, 1.0), (1.0, 1.0))
CH5_INNER_WIDTH = 50


def _ch5_deep_blocks(equal, outer, seeds):
    """Blocks (N, N) for N in ``equal`` and (CH5_INNER_WIDTH, N) for N in ``outer``, each trained to t = 16."""
    widths = sorted({(n, n) for n in equal} | {(CH5_INNER_WIDTH, n) for n in outer})
    return tuple(Block(w, CH5_DEEP_GAMMAS, seeds, 2 * w[-1] // 25) for w in widths)


CH5_DEEP_EXPERIMENTS = [
    Experiment(
        name="ch5_deep_variance",
        description="Chapter 7, CPU: logits of 200 test images, every epoch, for 784-N1-N2-10 without biases, preset "
        "fast_deep, gamma in {(0.5,0.5), (1,0.5), (0.5,1), (1,1)}, seeds 0-7; widths (N, N) for N in "
        "{25, 50, 100} and (50, N) for N in {25, 100, 200}; 2N2/25 epochs of 4,000 images (t = 16).",
        preset="fast_deep",
        bias=False,
        probe=200,
        probe_epochs="all",
        blocks=_ch5_deep_blocks((25, 50, 100), (25, 50, 100, 200), tuple(range(8))),
        **SUBSET,
    ),
    Experiment(
        name="ch5_deep_variance_full",
        description="Chapter 7, GPU: as ch5_deep_variance with 32 seeds (0-31), widths (N, N) and (50, N) for N in "
        "{25, 50, 100, 200, 400} (t = 16, 4,000 training images).",
        preset="fast_deep",
        bias=False,
        probe=200,
        probe_epochs="all",
        blocks=_ch5_deep_blocks((25, 50, 100, 200, 400), (25, 50, 100, 200, 400), tuple(range(32))),
        **SUBSET,
    ),
]

#: Every chapter's experiment, in the book's order.
CHAPTER_EXPERIMENTS = _CH4_AND_CH5_SHALLOW + CH5_DEEP_EXPERIMENTS

__all__ = ["CHAPTER_EXPERIMENTS", "CH5_DEEP_EXPERIMENTS", "CH5_INNER_WIDTH"]
