"""The theory, computed: predictions of Yu & Spiliopoulos (2021, 2023) as functions, checked by simulation.

Modules, each with one job::

    problems              small regression problems (toy, a few MNIST digits)
    networks              S networks at once: weights with a seed dimension, nested across widths
    variance              the law of Var g_0(x) at initialization (any depth) and its Monte-Carlo estimator
    kernel                the tangent kernel A, the empirical kernel A_N, the frozen-kernel limit h_t and K_t
    linearized            the first-order Taylor model of any GammaMLP, its tangent kernel (torch.func)
    dynamics              vectorized full-batch gradient descent of shallow networks and their linearizations
    fitting               log–log slopes with a seed-bootstrap confidence interval
    deep                  deep networks: the per-layer tangent kernel, full-batch training, the trained variance
    expansion             the expansion around h_t: the kernel's mean drift, the first correction Q¹, the
                          width-free flow that checks it, and the seed-mean gap against width (chapter 4)
    predictions_init      the output at initialization: the variance law against width, the readout laws
    predictions_training  after training: variance, seed-mean, distance to the linearized network, loss curves
    results               the Prediction container (tidy table, slopes, config)
    threads               the number of CPU threads these computations use

Conventions: loss (1/2M) Σ_m (y_m - g(x_m))², learning rate α N^{2γ-2} (α = ALPHA), clock t = k/N.
"""

from .deep import (
    DeepRun,
    kernel_change,
    kernel_vs_width,
    layer_steps,
    predicted_init_slope,
    predicted_kernel_exponent,
    steps_table,
    train_deep,
    trained_variance_vs_width,
)
from .dynamics import ALPHA, GAMMAS, ShallowRun, learning_rate, linearized_outputs, train_shallow, train_widths
from .expansion import FirstCorrection, gap_vs_first_correction, width_free_check, width_free_flow, width_free_gap
from .fitting import SlopeFit, fit_slope, loglog_fit
from .kernel import (
    KernelLimit,
    empirical_kernel,
    kernel_error_vs_width,
    kernel_parts,
    output_covariance,
    tangent_kernel,
)
from .linearized import linearize, network_tangent_kernel
from .networks import INIT_LAWS, InitLaw, NetworkDraw, draw_networks, stack_models
from .predictions_init import deep_variance_vs_width, init_variance_vs_width, readout_effects
from .predictions_training import (
    TrainingSweep,
    distance_to_linearized,
    loss_curves,
    loss_spread,
    mean_vs_kernel_limit,
    sweep_summary,
    train_sweep,
    variance_vs_gamma,
    variance_vs_time,
    variance_vs_width,
)
from .problems import RegressionProblem, mnist_problem, toy_problem
from .results import Prediction
from .variance import (
    architectures,
    init_output_samples,
    init_variance_law,
    last_layer_sums,
    unit_moments,
    variance_with_se,
)

__all__ = [
    "DeepRun",
    "kernel_change",
    "kernel_vs_width",
    "layer_steps",
    "predicted_init_slope",
    "predicted_kernel_exponent",
    "steps_table",
    "train_deep",
    "trained_variance_vs_width",
    "ALPHA",
    "FirstCorrection",
    "GAMMAS",
    "INIT_LAWS",
    "InitLaw",
    "KernelLimit",
    "NetworkDraw",
    "Prediction",
    "RegressionProblem",
    "ShallowRun",
    "SlopeFit",
    "TrainingSweep",
    "architectures",
    "deep_variance_vs_width",
    "distance_to_linearized",
    "draw_networks",
    "empirical_kernel",
    "fit_slope",
    "gap_vs_first_correction",
    "init_output_samples",
    "init_variance_law",
    "init_variance_vs_width",
    "kernel_error_vs_width",
    "kernel_parts",
    "last_layer_sums",
    "learning_rate",
    "linearize",
    "linearized_outputs",
    "loglog_fit",
    "loss_curves",
    "loss_spread",
    "mean_vs_kernel_limit",
    "mnist_problem",
    "network_tangent_kernel",
    "output_covariance",
    "readout_effects",
    "stack_models",
    "sweep_summary",
    "tangent_kernel",
    "toy_problem",
    "train_shallow",
    "train_sweep",
    "train_widths",
    "unit_moments",
    "variance_vs_gamma",
    "variance_vs_time",
    "variance_vs_width",
    "variance_with_se",
    "width_free_check",
    "width_free_flow",
    "width_free_gap",
]
