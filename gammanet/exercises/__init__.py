"""Instant feedback for the chapters' exercises.

A student calls a check in the cell after an exercise, e.g. ``check_learning_rates(my_learning_rates)``.  The check
runs the student's code on hidden cases and prints, case by case, what is right and what is wrong with a hint —
never the answer.  It returns a :class:`Report` (``report.passed`` is True when every case passed), and reports
"not attempted yet" instead of crashing when the student's function still raises ``NotImplementedError``.

The checks of each chapter live in their own module; all are importable from here.  Each check declares the
exercise it checks with :func:`~gammanet.exercises.registry.exercise` (its number, the student's function names,
its points): that declaration is all ``python -m gammanet grade`` needs to grade it.
"""

from .feedback import NotAttempted, Report
from .registry import Exercise, chapters, exercise, exercises
from .learning_rates import check_learning_rates
from .chapter1 import (
    check_centred_logits,
    check_q_1_5,
    check_q_1_6,
    check_q_1_7,
    check_tangent_kernel,
    check_uniform_readout,
    check_variance_law,
)
from .chapter2 import check_effective_time, check_q_2_4, check_q_2_5, check_q_2_6, check_stable_alpha
from .chapter3 import check_evaluation_flow, check_kernel_flow, check_q_3_3, check_q_3_4, check_q_3_5
from .chapter4 import (
    check_bias_variance,
    check_correction_count,
    check_fluctuation_variance,
    check_gap_exponent,
    check_q_4_6,
    check_q_4_7,
    check_q_4_8,
    check_slope_estimator,
)
from .chapter5 import check_init_slope, check_kernel_exponent, check_layer_steps, check_q_5_4, check_q_5_5, check_q_5_6
from .chapter6 import (
    check_breaking_point,
    check_difference_variance,
    check_paired_interval,
    check_q_6_4,
    check_q_6_5,
    check_q_6_6,
)
from .chapter7 import (
    check_average_variance,
    check_error_decomposition,
    check_q_7_5,
    check_q_7_6,
    check_q_7_7,
    check_seed_variance,
    check_variance_slopes,
)

__all__ = [
    "Exercise",
    "NotAttempted",
    "Report",
    "chapters",
    "exercise",
    "exercises",
    "check_centred_logits",
    "check_tangent_kernel",
    "check_uniform_readout",
    "check_variance_law",  # chapter 1
    "check_q_1_5",
    "check_q_1_6",
    "check_q_1_7",
    "check_effective_time",
    "check_learning_rates",
    "check_stable_alpha",  # chapter 2
    "check_q_2_4",
    "check_q_2_5",
    "check_q_2_6",
    "check_evaluation_flow",
    "check_kernel_flow",
    "check_q_3_3",
    "check_q_3_4",
    "check_q_3_5",  # chapter 3
    "check_bias_variance",
    "check_correction_count",
    "check_fluctuation_variance",
    "check_gap_exponent",  # ch. 4
    "check_slope_estimator",
    "check_q_4_6",
    "check_q_4_7",
    "check_q_4_8",
    "check_init_slope",
    "check_kernel_exponent",
    "check_layer_steps",  # chapter 5
    "check_q_5_4",
    "check_q_5_5",
    "check_q_5_6",
    "check_breaking_point",
    "check_difference_variance",
    "check_paired_interval",  # chapter 6
    "check_q_6_4",
    "check_q_6_5",
    "check_q_6_6",
    "check_average_variance",
    "check_error_decomposition",
    "check_seed_variance",  # chapter 7
    "check_variance_slopes",
    "check_q_7_5",
    "check_q_7_6",
    "check_q_7_7",
]
