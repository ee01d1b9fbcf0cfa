"""Checks for chapter 2 (learning rates from the theory)."""
from __future__ import annotations

from ..scaling import layer_names, learning_rates, time_scale
from .feedback import NotAttempted, close, call, exponent_hint, start
from .registry import exercise

# Hidden cases: depths 1–5, unequal widths, mixed γ's.  Widths are distinct primes-ish numbers so that an exponent
# applied to the wrong layer's width cannot coincide with the right answer.
CASES = [
    ((300,), (0.75,)),
    ((120, 70), (0.6, 0.9)),
    ((50, 90, 130), (1.0, 0.5, 0.8)),
    ((40, 60, 110, 30), (0.55, 0.95, 0.7, 0.65)),
    ((23, 47, 89, 131, 17), (0.9, 0.6, 1.0, 0.5, 0.75)),
]


@exercise("2.2", functions=("my_learning_rates",))
def check_learning_rates(fn, verbose: bool = True):
    """Check ``fn(widths, gammas) -> {"W1": ..., ..., "WL": ..., "C": ...}`` against the general-depth rule."""
    report = start("Exercise: learning rates of any depth", verbose)
    try:
        for widths, gammas in CASES:
            expected = learning_rates(widths, gammas)
            got = call(report, fn, widths, gammas)
            if got is None:
                continue
            if not isinstance(got, dict) or list(got) != list(layer_names(len(widths))):
                report.fail(f"depth {len(widths)}: keys {list(got) if isinstance(got, dict) else type(got).__name__}",
                            f"return a dict with keys {list(layer_names(len(widths)))} in that order")
                continue
            wrong = [k for k in expected if not close(got[k], expected[k])]
            if not wrong:
                report.ok(f"depth {len(widths)}, widths {widths}: all {len(expected)} rates right")
                continue
            hints = []                  # one line per case: every wrong rate named in it
            for k in wrong:
                found = [h for m in range(1, len(widths) + 1)
                         if (h := exponent_hint(got[k], expected[k], widths[m - 1], f"N_{m}"))]
                hints.append(f"{k}: {found[0]}" if found else f"{k}: compare with the depth-2 and depth-3 formulas: "
                             "which widths appear, and with which exponents?")
            names = ", ".join(f"{k} (layer {len(widths) if k == 'C' else int(k[1:])})" for k in wrong)
            report.fail(f"depth {len(widths)}, widths {widths}, γ {gammas}: rate{'s' if len(wrong) > 1 else ''} of "
                        f"{names} {'are' if len(wrong) > 1 else 'is'} wrong", "; ".join(hints))
    except NotAttempted:
        report.attempted = False
    return report.summary()


@exercise("2.1", functions=("steps_per_unit_time",))
def check_time_scale(fn, verbose: bool = True):
    """Check ``fn(widths) -> steps per unit of the theory's clock`` (t = k / N_L)."""
    report = start("Exercise: the clock t = k / N_L", verbose)
    try:
        for widths, _ in CASES:
            got = call(report, fn, widths)
            if got is None:
                continue
            if close(got, time_scale(widths)):
                report.ok(f"widths {widths}: right")
            elif close(got, widths[0]):
                report.fail(f"widths {widths}: you used the first layer's width",
                            "which layer's width sets how fast the output moves?")
            else:
                report.fail(f"widths {widths}: {got!r} is not right", "the output moves O(1/N) per step — which N?")
    except NotAttempted:
        report.attempted = False
    return report.summary()
