"""The shared machinery of the exercise checks: run the student's code, collect verdicts, print feedback."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable


class NotAttempted(Exception):
    """The student's function still raises NotImplementedError."""


@dataclass
class Report:
    """The verdicts of one check: a list of (passed, message) lines, printed as they are added."""

    exercise: str
    lines: list[tuple[bool, str]] = field(default_factory=list)
    attempted: bool = True
    verbose: bool = True

    def ok(self, message: str) -> None:
        self.lines.append((True, message))
        if self.verbose:
            print(f"  ✓ {message}")

    def fail(self, message: str, hint: str = "") -> None:
        self.lines.append((False, message + (f"\n      hint: {hint}" if hint else "")))
        if self.verbose:
            print(f"  ✗ {message}" + (f"\n      hint: {hint}" if hint else ""))

    @property
    def passed(self) -> bool:
        return self.attempted and bool(self.lines) and all(p for p, _ in self.lines)

    def failures(self) -> list[str]:
        return [m for p, m in self.lines if not p]

    def summary(self) -> "Report":
        if self.verbose:
            if not self.attempted:
                print(f"{self.exercise}: not attempted yet — replace the `raise NotImplementedError` with your code.")
            elif self.passed:
                print(f"{self.exercise}: all {len(self.lines)} checks passed.")
            else:
                print(f"{self.exercise}: {len(self.failures())} of {len(self.lines)} checks failed.")
        return self

    def __repr__(self) -> str:  # the cell's echo stays short
        state = "not attempted" if not self.attempted else ("passed" if self.passed else "failed")
        return f"<{self.exercise}: {state}>"


def start(exercise: str, verbose: bool = True) -> Report:
    if verbose:
        print(f"Checking {exercise} ...")
    return Report(exercise, verbose=verbose)


#: What :func:`run` returns when the student's function raised (its failed line is already in the report).
RAISED = object()


def run(report: Report, fn: Callable, *args, **kwargs) -> Any:
    """Call the student's ``fn``: its result (``None`` included); NotImplementedError → NotAttempted; any other
    error → a failed line and :data:`RAISED`.  For checks where ``None`` is a possible answer."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as err:
        raise NotAttempted from err
    except Exception as err:  # a student's bug is feedback, not a crash of the check
        report.fail(f"calling {getattr(fn, '__name__', 'your function')}{args} raised {type(err).__name__}: {err}")
        return RAISED


def call(report: Report, fn: Callable, *args, **kwargs) -> Any:
    """Call the student's ``fn``: its result, or None after one failed line — when it raised, or returned None
    (a function without ``return``).  NotImplementedError → NotAttempted.  So a check that skips the case on None
    adds exactly one line per case."""
    got = run(report, fn, *args, **kwargs)
    if got is RAISED:
        return None
    if got is None:
        report.fail(f"{getattr(fn, '__name__', 'your function')} returned None", "end your function with `return ...`")
    return got


def close(a: Any, b: float, rel: float = 1e-9) -> bool:
    """a ≈ b within the relative tolerance; False (not an error) for anything that is not a finite number."""
    try:
        a = float(a)
    except (TypeError, ValueError):
        return False
    return math.isfinite(a) and math.isclose(a, float(b), rel_tol=rel, abs_tol=0.0)


def exponent_hint(got: float, expected: float, width: int, name: str = "N") -> str:
    """If ``got/expected`` is a power of ``width``, name the exponent: the most common slip is an exponent off by
    one or a sign, and saying by how much the power of N is off teaches without giving the formula away."""
    try:
        power = math.log(float(got) / float(expected)) / math.log(width)
    except (ValueError, ZeroDivisionError, TypeError):
        return ""
    if abs(power - round(power * 2) / 2) < 1e-6 and abs(power) > 1e-9:
        return (f"your value is off by a factor {name}^{round(power * 2) / 2:g} ({name} = {width}): "
                f"check the exponent of {name}")
    return ""
