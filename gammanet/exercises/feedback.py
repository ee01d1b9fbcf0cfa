"""The shared machinery of the exercise checks: run the student's code, collect verdicts, print feedback.

**Hints in two levels.** A failed case gets a *nudge* (``hint``): where to look, never the formula.  A check may
give a second, more revealing hint (``more``): it is shown only when the same exercise has already failed once in
this Python session (the student's kernel) — the first failure gets the nudge alone, a second failure the nudge
and the rest.  Only interactive checks (``verbose=True``, what a chapter's check cell runs) count failures and
reveal; the grader calls the checks quietly (``verbose=False``), so a gradebook's feedback shows the nudges only,
whatever was graded before.  :func:`forget` clears the session's record (tests; a student who wants to start over).

**Types before mathematics.** :func:`number`, :func:`pair` and :func:`mapping` read the student's answer as the
type an exercise asks for; an answer of the wrong type (a dict where a pair is asked for, a list for a dict, a
string) gets one failed line that says what was returned and what to return, before any mathematical hint.

The conceptual questions (multiple choice or a number) are checked by :mod:`.questions`, which passes its hints'
second level on as ``more``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import numpy as np


class NotAttempted(Exception):
    """The student's function still raises NotImplementedError."""


#: Failed interactive checks per exercise in this session (exercise id → count): what reveals the second hints.
_FAILED: dict[str, int] = {}

#: What a report says when it held back second-level hints.
MORE_NEXT_TIME = "(if this check fails again, it adds more detailed hints)"


def exercise_key(title: str) -> str:
    """The exercise's number in a check's title ("Exercise 1.2: ..." → "1.2"), else the whole title."""
    m = re.match(r"\s*Exercise\s+([0-9]+\.[0-9]+)", title)
    return m.group(1) if m else title


def failed_before(title: str) -> int:
    """How many interactive checks of this exercise have failed in this session."""
    return _FAILED.get(exercise_key(title), 0)


def forget() -> None:
    """Forget every earlier failure: the next failed check of each exercise shows its nudges only."""
    _FAILED.clear()


@dataclass
class Report:
    """The verdicts of one check: a list of (passed, message) lines, printed as they are added.

    ``reveal``: show the second-level hints (``more``) of failed lines; :func:`start` sets it when the exercise
    already failed in this session (interactive checks only)."""

    exercise: str
    lines: list[tuple[bool, str]] = field(default_factory=list)
    attempted: bool = True
    verbose: bool = True
    reveal: bool = False
    held_back: bool = False

    def ok(self, message: str) -> None:
        self.lines.append((True, message))
        if self.verbose:
            print(f"  ✓ {message}")

    def fail(self, message: str, hint: str = "", more: str = "") -> None:
        """One failed case: ``message`` says what is wrong, ``hint`` is the nudge, ``more`` the second-level hint
        (shown only when ``reveal``)."""
        text = message + (f"\n      hint: {hint}" if hint else "")
        if more and self.reveal:
            text += f"\n      more: {more}"
        elif more:
            self.held_back = True
        self.lines.append((False, text))
        if self.verbose:
            print(f"  ✗ {text}")

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
                print(
                    f"{self.exercise}: {len(self.failures())} of {len(self.lines)} checks failed."
                    + (f" {MORE_NEXT_TIME}" if self.held_back else "")
                )
                key = exercise_key(self.exercise)
                _FAILED[key] = _FAILED.get(key, 0) + 1
        return self

    def __repr__(self) -> str:  # the cell's echo stays short
        state = "not attempted" if not self.attempted else ("passed" if self.passed else "failed")
        return f"<{self.exercise}: {state}>"


def start(exercise: str, verbose: bool = True) -> Report:
    """A new report for the check titled ``exercise`` ("Exercise 1.2: what it checks"); it reveals second-level
    hints when the same exercise failed before in this session and the check is interactive."""
    if verbose:
        print(f"Checking {exercise} ...")
    return Report(exercise, verbose=verbose, reveal=verbose and failed_before(exercise) > 0)


#: What :func:`run` returns when the student's function raised (its failed line is already in the report).
RAISED = object()


#: The hint for a NameError: in the notebook every cell has run, but the grader runs only what the exercises need.
NAME_ERROR_HINT = (
    "a name your function uses is not defined where it runs; when your notebook is graded, only imports, function "
    "definitions and constants with literal values (x = 0.25, not x = 1/4) run outside the exercise cells: define "
    "what your function uses inside it, or as such a constant"
)


def run(report: Report, fn: Callable, *args, **kwargs) -> Any:
    """Call the student's ``fn``: its result (``None`` included); NotImplementedError → NotAttempted; any other
    error → a failed line and :data:`RAISED`.  For checks where ``None`` is a possible answer."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as err:
        raise NotAttempted from err
    except Exception as err:  # a student's bug is feedback, not a crash of the check
        hint = NAME_ERROR_HINT if type(err).__name__ == "NameError" else ""
        report.fail(
            f"calling {getattr(fn, '__name__', 'your function')}{args} raised {type(err).__name__}: {err}", hint
        )
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
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int too large for a float, e.g. 10**400
        return False
    return math.isfinite(a) and math.isclose(a, float(b), rel_tol=rel, abs_tol=0.0)


def exponent_hint(got: float, expected: float, width: int, name: str = "N") -> str:
    """If ``got/expected`` is a power of ``width``, name the exponent: the most common slip is an exponent off by
    one or a sign, and saying by how much the power of N is off teaches without giving the formula away."""
    try:
        power = math.log(float(got) / float(expected)) / math.log(width)
    except (ValueError, ZeroDivisionError, TypeError, OverflowError):
        return ""
    if not math.isfinite(power):  # a ratio that overflowed: no exponent to name
        return ""
    if abs(power - round(power * 2) / 2) < 1e-6 and abs(power) > 1e-9:
        return (
            f"your value is off by a factor {name}^{round(power * 2) / 2:g} ({name} = {width}): "
            f"check the exponent of {name}"
        )
    return ""


# ------------------------------------------------------------------------------------------- types first
def kind(value: Any) -> str:
    """What the student returned, in words: "a dict", "a list of 3 values", "an array of shape (2, 3)", ..."""
    if value is None:
        return "None"
    if isinstance(value, (bool, np.bool_)):
        return f"a boolean ({value})"
    if isinstance(value, str):
        return f"a string ({value[:40]!r})"
    if isinstance(value, Mapping):
        return f"a dict (keys {list(value)[:6]})"
    shape = getattr(value, "shape", None)
    if shape is not None and not isinstance(value, (int, float)):
        return f"{_a(type(value).__name__)} of shape {tuple(shape)}"
    if isinstance(value, (list, tuple, set)):
        return f"a {type(value).__name__} of {len(value)} value{'s' if len(value) != 1 else ''}"
    return _a(type(value).__name__)


def _a(name: str) -> str:
    return ("an " if name[:1].lower() in "aeiou" else "a ") + name


def scalar(value: Any) -> Optional[float]:
    """``value`` as a finite float when it is one number (a Python, numpy or torch scalar, or an array with one
    element); else None.  Booleans and strings are not numbers."""
    if isinstance(value, (bool, np.bool_, str, bytes, Mapping, list, tuple, set)) or value is None:
        return None
    if getattr(value, "shape", None) is not None and int(np.prod(value.shape)) != 1:
        return None
    try:
        out = float(value.item() if hasattr(value, "item") else value)
    except (TypeError, ValueError, RuntimeError, OverflowError):
        return None
    return out if math.isfinite(out) else None


def number(report: Report, where: str, raw: Any, what: str = "one number") -> Optional[float]:
    """The student's answer ``raw`` as one finite float, or None after one failed line saying what was returned."""
    got = scalar(raw)
    if got is None:
        if _not_finite(raw):
            report.fail(
                f"{where}: returned {raw!r}",
                f"return {what}, a finite one: look for a division by zero, an overflow or a log of a negative number",
            )
        else:
            report.fail(f"{where}: returned {kind(raw)}", f"return {what}")
    return got


def call_number(report: Report, where: str, fn: Callable, *args, what: str = "one number") -> Optional[float]:
    """Call the student's ``fn`` (:func:`call`) and read its answer as one finite float (:func:`number`): the
    float, or None after exactly one failed line (it raised, returned None, or returned something else)."""
    raw = call(report, fn, *args)
    return None if raw is None else number(report, where, raw, what)


def _not_finite(value: Any) -> bool:
    """One number (of any numeric type) that is inf or nan."""
    if isinstance(value, (bool, np.bool_, str, bytes, Mapping, list, tuple, set)) or value is None:
        return False
    shape = getattr(value, "shape", None)
    if shape is not None and int(np.prod(shape)) != 1:
        return False
    try:
        return not math.isfinite(float(value.item() if hasattr(value, "item") else value))
    except OverflowError:  # an int beyond the float range is not finite as a float
        return True
    except (TypeError, ValueError, RuntimeError):
        return False


def as_floats(value: Any) -> Optional[np.ndarray]:
    """The student's array answer (list, numpy array, torch tensor, ...) as a float64 numpy array, or None when it
    is not one (a string, a dict, an int beyond the float range, ...)."""
    try:
        if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor (not imported here)
            value = value.detach().cpu().numpy()
        if np.iscomplexobj(value):  # casting would drop the imaginary part silently
            return None
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError, RuntimeError):
        return None


def as_vector(value: Any, n: int) -> Optional[np.ndarray]:
    """The student's answer as a float64 numpy vector of length ``n``, or None."""
    arr = as_floats(value)
    if arr is None:
        return None
    arr = arr.reshape(-1)
    return arr if arr.shape == (n,) else None


def pair(report: Report, where: str, raw: Any, names: Sequence[str] = ("first", "second")) -> Optional[tuple]:
    """The student's answer as a pair of finite floats (a tuple, list or array of two numbers), or None after one
    failed line: a dict, a string, one number or three values are told apart from a wrong value."""
    wanted = f"a pair ({', '.join(names)}): `return {', '.join(names)}`"
    if isinstance(raw, (str, bytes, Mapping)) or scalar(raw) is not None or not hasattr(raw, "__len__"):
        report.fail(f"{where}: returned {kind(raw)}", f"return {wanted}")
        return None
    values = list(raw.reshape(-1)) if hasattr(raw, "reshape") else list(raw)
    if len(values) != 2:
        report.fail(f"{where}: returned {kind(raw)}", f"return {wanted} — two values")
        return None
    got = tuple(scalar(v) for v in values)
    if any(v is None for v in got):
        bad = [n for n, v, r in zip(names, got, values) if v is None]
        report.fail(
            f"{where}: the {' and the '.join(bad)} {'is' if len(bad) == 1 else 'are'} not a finite number "
            f"({', '.join(kind(r) for v, r in zip(got, values) if v is None)})",
            f"return {wanted}",
        )
        return None
    return got


def mapping(report: Report, where: str, raw: Any, keys: Sequence[str]) -> Optional[dict]:
    """The student's answer as a dict with exactly ``keys`` (in that order) and finite numbers as values, or None
    after one failed line saying what is wrong with its type, its keys or its values."""
    keys = list(keys)
    wanted = "a dict {" + ", ".join(f'"{k}": ...' for k in keys) + "}"
    if not isinstance(raw, Mapping):
        report.fail(f"{where}: returned {kind(raw)}", f"return {wanted}")
        return None
    got = list(raw)
    if got != keys:
        missing = [k for k in keys if k not in raw]
        extra = [k for k in got if k not in keys]
        what = (
            "; ".join(
                part
                for part in (f"missing {missing}" if missing else "", f"unexpected {extra}" if extra else "")
                if part
            )
            or "keys in another order"
        )
        report.fail(f"{where}: keys {got} ({what})", f"return {wanted}, with the keys in that order")
        return None
    values = {k: scalar(raw[k]) for k in keys}
    bad = [k for k, v in values.items() if v is None]
    if bad:
        report.fail(
            f"{where}: the value{'s' if len(bad) > 1 else ''} of {bad} {'are' if len(bad) > 1 else 'is'} "
            f"not a finite number ({kind(raw[bad[0]])})",
            "every value is one number",
        )
        return None
    return values
