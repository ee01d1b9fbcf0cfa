"""Short conceptual questions with a checked answer: multiple choice or a number.

A question is an exercise like the others: the student writes a function that returns the answer,
``def q_5_4(): return "b"``, and the chapter's check calls it; its id is declared with
:func:`~gammanet.exercises.registry.exercise` in the chapter's module.  A question has one hidden case (one line),
whatever the answer.

Feedback: a wrong choice gets the hint written for that choice — aimed at the reasoning that leads to it, never the
right letter — and a wrong number the hint of the nearest typical slip.  Every hint has two levels: ``nudge`` is
printed first; ``more`` says more, for a second failure.  :func:`fail` passes ``more`` on where
:meth:`~gammanet.exercises.feedback.Report.fail` takes it, and otherwise prints the nudge alone.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field
from typing import Callable, Optional

from .feedback import NotAttempted, Report, call, start


@dataclass(frozen=True)
class Hint:
    """Two levels of a hint: ``nudge`` first, ``more`` after a second failure."""

    nudge: str
    more: str = ""


def fail(report: Report, message: str, hint: Hint) -> None:
    """``report.fail`` with the hint's two levels where the Report takes a second level (``more=``), else the
    nudge alone."""
    if hint.more and "more" in inspect.signature(report.fail).parameters:
        two_levels: Callable[..., None] = report.fail  # typed loosely: its `more` is newer than this code
        two_levels(message, hint.nudge, more=hint.more)
    else:
        report.fail(message, hint.nudge)


@dataclass(frozen=True)
class Choice:
    """A multiple-choice question: ``options`` {letter: text}, the right ``answer`` letter, and a :class:`Hint`
    for every wrong letter."""

    title: str
    options: dict
    answer: str
    hints: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.answer not in self.options or set(self.hints) != set(self.options) - {self.answer}:
            raise ValueError(f"{self.title}: the answer must be an option and every other option needs a hint")


@dataclass(frozen=True)
class Number:
    """A numeric question: the right ``answer`` within ``rel`` (relative), and typical slips
    ``[(value, Hint), ...]`` recognised within the same tolerance; ``other`` for any other number."""

    title: str
    answer: float
    rel: float = 1e-6
    slips: tuple = ()
    other: Hint = Hint("reread the question: which quantity does it ask for?")


def ask(question, exercise: str, fn: Callable, verbose: bool = True) -> Report:
    """Check the student's ``fn()`` against ``question`` (:class:`Choice` or :class:`Number`): one line."""
    report = start(f"Exercise {exercise}: {question.title}", verbose)
    try:
        got = call(report, fn)
        if got is not None:
            _judge(report, question, got)
    except NotAttempted:
        report.attempted = False
    return report.summary()


def _judge(report: Report, question, got) -> None:
    if isinstance(question, Choice):
        letters = ", ".join(f'"{k}"' for k in question.options)
        letter = got.strip().lower().strip("()") if isinstance(got, str) else None
        if letter not in question.options:
            report.fail(f"your answer {got!r} is not one of the choices", f"return one letter: {letters}")
        elif letter == question.answer:
            report.ok(f"({letter}) is right")
        else:
            fail(report, f"({letter}) is not right", question.hints[letter])
        return
    value = _number(got)
    if value is None:
        report.fail(f"your answer {got!r} is not a number", "return one number")
    elif _close(value, question.answer, question.rel):
        report.ok(f"{value:g} is right")
    else:
        hint = next((h for v, h in question.slips if _close(value, v, question.rel)), question.other)
        fail(report, f"{value:g} is not right", hint)


def _number(got) -> Optional[float]:
    if isinstance(got, bool):
        return None
    try:
        value = float(got)
    except (TypeError, ValueError, OverflowError):
        return None
    return value if math.isfinite(value) else None


def _close(a: float, b: float, rel: float) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=rel if b == 0 else 0.0)


__all__ = ["Choice", "Hint", "Number", "ask", "fail"]
