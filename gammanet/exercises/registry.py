"""The course's exercises, each declared once next to its check: what the grader (``gammanet.grading``) grades.

A check declares the exercise it checks with the decorator::

    @exercise("1.1", functions=("variance_law",))
    def check_variance_law(fn, verbose=True) -> Report: ...

- ``"1.1"`` is the exercise's number in the book (chapter 1, exercise 1); the chapter comes from it;
- ``functions`` are the names the chapter's solution cell defines, in the order the check takes them
  (``check(*functions, verbose=False)``);
- ``points`` is what the exercise is worth; by default its number of hidden cases, one point per case.

**The contract the grader relies on:** a check adds exactly one line (``Report.ok`` or ``Report.fail``) per hidden
case, whatever the student's answer — right, wrong, of the wrong type, or raising — so that the number of cases
is fixed: :meth:`Exercise.total_cases` counts it by running the check on a function that raises on every call.
The test suite holds every registered check to this (``tests/test_exercise_registry.py``).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from dataclasses import dataclass
from typing import Callable

ID = re.compile(r"^([1-9][0-9]*)\.([1-9][0-9]*)$")

_REGISTRY: dict[str, Exercise] = {}


class ProbeError(Exception):
    """Raised by the probe function on every call: each hidden case then adds one failed line."""


@dataclass(frozen=True)
class Exercise:
    """One graded exercise: its number, its check, the names of the student's functions, its points."""

    id: str
    check: Callable
    functions: tuple
    points: float | None = None

    @property
    def chapter(self) -> int:
        return int(self._parts().group(1))

    @property
    def number(self) -> int:
        return int(self._parts().group(2))

    def _parts(self) -> re.Match:
        m = ID.match(self.id)
        if m is None:  # exercise() checks ids when they are declared; this guards a hand-made Exercise
            raise ValueError(f"exercise id {self.id!r} is not of the form 'chapter.number', e.g. '1.2'")
        return m

    def run(self, *answers):
        """The check's :class:`~gammanet.exercises.feedback.Report` for the student's ``answers`` (quiet)."""
        return self.check(*answers, verbose=False)

    def total_cases(self) -> int:
        """The number of hidden cases: the lines of the check when every call of the student's function raises."""
        return _probe(self)[0]

    def title(self) -> str:
        """The check's own title without its "Exercise N.M:" prefix, e.g. "the width slope of the output variance"."""
        return re.sub(r"^Exercise[^:]*:\s*", "", _probe(self)[1])

    def max_points(self) -> float:
        return float(self.total_cases()) if self.points is None else float(self.points)


@functools.cache
def _probe(ex: Exercise) -> tuple:
    def probe(*args, **kwargs):
        raise ProbeError("probe")

    report = ex.run(*([probe] * len(ex.functions)))
    if not report.attempted or not report.lines:
        raise RuntimeError(
            f"exercise {ex.id}: {ex.check.__name__} added no line for a function that raises: every "
            f"hidden case must add one line (gammanet.exercises.registry)"
        )
    return len(report.lines), report.exercise


def exercise(id: str, functions: tuple, points: float | None = None) -> Callable:
    """Register the decorated check as exercise ``id`` (see the module docstring); returns the check unchanged."""
    if not isinstance(id, str) or not ID.match(id):
        raise ValueError(f"exercise id {id!r} is not of the form 'chapter.number', e.g. '1.2'")
    functions = (functions,) if isinstance(functions, str) else tuple(functions)
    if not functions or not all(isinstance(f, str) and f.isidentifier() for f in functions):
        raise ValueError(f"exercise {id}: functions {functions!r} must be a non-empty tuple of Python names")
    if points is not None and not points > 0:
        raise ValueError(f"exercise {id}: points {points!r} must be positive")

    def register(check: Callable) -> Callable:
        previous = _REGISTRY.get(id)
        same = previous is not None and (previous.check.__module__, previous.check.__qualname__) == (
            check.__module__,
            check.__qualname__,
        )
        if previous is not None and not same:
            raise ValueError(
                f"exercise {id} is declared twice: by {previous.check.__qualname__} and {check.__qualname__}"
            )
        _REGISTRY[id] = Exercise(id, check, functions, points)  # a reloaded module replaces its own entry
        return check

    return register


def load_all() -> None:
    """Import every module of ``gammanet.exercises``: a check registers itself when its module is imported."""
    package = importlib.import_module(__package__)
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{__package__}.{module.name}")


def exercises(chapter: int | None = None) -> list:
    """The registered exercises (of one chapter), in the book's order."""
    load_all()
    found = [ex for ex in _REGISTRY.values() if chapter is None or ex.chapter == chapter]
    return sorted(found, key=lambda ex: (ex.chapter, ex.number))


def chapters() -> list:
    """The chapters that have graded exercises."""
    return sorted({ex.chapter for ex in exercises()})


def get(id: str) -> Exercise:
    load_all()
    try:
        return _REGISTRY[id]
    except KeyError:
        raise ValueError(f"no exercise {id!r}; registered: {', '.join(ex.id for ex in exercises())}") from None
