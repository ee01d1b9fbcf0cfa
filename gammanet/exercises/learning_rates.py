"""Check of exercise 2.2 (chapter 2): the learning rates of any depth."""

from __future__ import annotations

from ..scaling import layer_names, learning_rates
from .feedback import NotAttempted, call, close, exponent_hint, mapping, start
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
    report = start("Exercise 2.2: learning rates of any depth", verbose)
    try:
        for widths, gammas in CASES:
            expected = learning_rates(widths, gammas)
            got = call(report, fn, widths, gammas)
            if got is None:
                continue
            where = f"depth {len(widths)}, widths {widths}, γ {gammas}"
            rates = mapping(report, where, got, layer_names(len(widths)))
            if rates is None:
                continue
            wrong = [k for k in expected if not close(rates[k], expected[k])]
            if not wrong:
                report.ok(f"depth {len(widths)}, widths {widths}: all {len(expected)} rates right")
                continue
            nudges, more = [], []  # one line per case: every wrong rate named in it
            for k in wrong:
                found = [
                    h
                    for m in range(1, len(widths) + 1)
                    if (h := exponent_hint(rates[k], expected[k], widths[m - 1], f"N_{m}"))
                ]
                if found:
                    nudges.append(f"{k}: {found[0]}")
                else:
                    nudges.append(f"{k}: count again which widths its gradient's squared norm collects")
                    more.append(
                        f"{k}: compare with the depth-2 and depth-3 formulas: which widths appear, and with "
                        "which exponents?"
                    )
            names = ", ".join(f"{k} (layer {len(widths) if k == 'C' else int(k[1:])})" for k in wrong)
            report.fail(
                f"{where}: rate{'s' if len(wrong) > 1 else ''} of {names} {'are' if len(wrong) > 1 else 'is'} wrong",
                "; ".join(nudges),
                more="; ".join(more),
            )
    except NotAttempted:
        report.attempted = False
    return report.summary()
