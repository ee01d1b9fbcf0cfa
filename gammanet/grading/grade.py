"""Grade one submission: run its exercise functions in a fresh kernel and score them with the course's checks.

Each registered exercise of the chapter (:mod:`gammanet.exercises.registry`) is scored by calling its check *in
the grader's process* on stand-ins for the student's functions (:class:`~gammanet.grading.runner.StudentFunction`),
so neither the notebook's outputs, nor its check cells, nor anything the submission does to its own kernel
(redefining or monkeypatching a check, printing "all checks passed") can change a verdict.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..exercises import registry
from .kernel import KernelSession
from .notebook import plan
from .runner import CallTimeout, Deadline, KernelDied, Runner, StudentFunction

STATUSES = ("passed", "failed", "not attempted", "error", "timeout")


@dataclass
class ExerciseResult:
    """One row of the gradebook, with the check's verdict lines (passed, message) for the feedback."""

    exercise: str
    chapter: int
    status: str
    passed_cases: int
    total_cases: int
    points: float
    max_points: float
    title: str = ""
    lines: list = field(default_factory=list)
    note: str = ""


@dataclass
class SubmissionResult:
    submission: str
    chapter: int
    exercises: list
    notes: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def points(self) -> float:
        return round(sum(r.points for r in self.exercises), 2)

    @property
    def max_points(self) -> float:
        return round(sum(r.max_points for r in self.exercises), 2)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> SubmissionResult:
        exercises = [ExerciseResult(**{**r, "lines": [tuple(line) for line in r["lines"]]}) for r in data["exercises"]]
        return cls(data["submission"], data["chapter"], exercises, list(data["notes"]), data["seconds"])


def result_row(ex, status: str, report=None, note: str = "") -> ExerciseResult:
    """The gradebook row of exercise ``ex``: points from the check's report when it ran, else 0."""
    total, max_points = ex.total_cases(), ex.max_points()
    if report is not None and status in ("passed", "failed"):
        passed, n = sum(1 for ok, _ in report.lines if ok), len(report.lines)
        points = round(max_points * passed / n, 2) if n else 0.0
        return ExerciseResult(
            ex.id, ex.chapter, status, passed, n, points, max_points, ex.title(), list(report.lines), note
        )
    lines = list(report.lines) if report is not None else []
    return ExerciseResult(ex.id, ex.chapter, status, 0, total, 0.0, max_points, ex.title(), lines, note)


def _missing(ex, name: str, runner: Runner) -> ExerciseResult:
    """The exercise's function is not defined in the kernel: say why, from the cells meant to define it."""
    defining = [k for k, step in enumerate(runner.steps) if name in step.defines]
    if not defining:
        return result_row(
            ex,
            "error",
            note=f"no cell defines `{name}`: the grader calls the exercise's function "
            f"by its name in the chapter — keep that name",
        )
    step, outcome = runner.steps[defining[-1]], runner.outcomes.get(defining[-1])
    where = f"the cell that defines `{name}` (cell {step.cell + 1})"
    if outcome is None or outcome.status == "ok":
        return result_row(ex, "error", note=f"`{name}` is not defined after {where} ran")
    if outcome.status == "error" and outcome.ename == "NotImplementedError":
        return result_row(ex, "not attempted", note=f"{where} still raises NotImplementedError")
    if outcome.status == "timeout":
        return result_row(ex, "timeout", note=f"{where} {outcome.evalue or 'ran past its time limit'}")
    return result_row(ex, "error", note=f"{where}: {outcome.describe()}")


def grade_exercise(ex, runner: Runner) -> ExerciseResult:
    if runner.deadline.passed():
        return result_row(ex, "timeout", note="the submission's overall time limit was reached before this exercise")
    answers = []
    try:
        for name in ex.functions:
            found = runner.lookup(name)
            if found["status"] == "missing":
                return _missing(ex, name, runner)
            if found["status"] == "raised":
                return result_row(ex, "error", note=f"`{name}` could not be looked up: {found.get('message', '')}")
            answers.append(StudentFunction(runner, name) if found["status"] == "callable" else found["value"])
        report = ex.run(*answers)
    except CallTimeout:
        return result_row(
            ex,
            "timeout",
            note=f"a call of `{', '.join(ex.functions)}` ran past the time limit of "
            f"{runner.timeout:g} s (or the submission's overall limit)",
        )
    except KernelDied:
        return result_row(ex, "error", note=f"the kernel died while running `{', '.join(ex.functions)}`")
    except Exception as err:  # the check could not handle this answer: an error of this exercise, not of the run
        return result_row(ex, "error", note=f"the check could not evaluate the answer ({type(err).__name__}: {err})")
    if not report.attempted:
        return result_row(
            ex, "not attempted", report, note="not attempted yet: the function still raises NotImplementedError"
        )
    return result_row(ex, "passed" if report.passed else "failed", report)


def grade_submission(
    nb, name: str, chapter: int, timeout: float = 60, total_timeout: float = 600, kernel_name: str = ""
) -> SubmissionResult:
    """Every exercise of ``chapter`` in the notebook ``nb`` (an nbformat node), in a fresh kernel of its own
    (``kernel_name``: a Jupyter kernel; by default the Python running the grader)."""
    start = time.monotonic()
    exercises = registry.exercises(chapter)
    steps = plan(nb, [f for ex in exercises for f in ex.functions])
    deadline = Deadline(total_timeout)
    notes = []
    work = tempfile.mkdtemp(prefix="gammanet-grade-")
    try:
        with KernelSession(Path(work), kernel_name) as session:
            runner = Runner(session, steps, timeout, deadline)
            runner.define()
            for k, step in enumerate(steps):
                outcome = runner.outcomes.get(k)
                if outcome is not None and outcome.status != "ok":
                    what = "an import or definition" if step.kind == "definition" else "the cell"
                    notes.append(f"cell {step.cell + 1} ({what}): {outcome.describe()}")
            results = [grade_exercise(ex, runner) for ex in exercises]
            if session.restarts:
                notes.append(f"the kernel was restarted {session.restarts} time(s) after a hang or a crash")
    finally:
        shutil.rmtree(work, ignore_errors=True)  # whatever the submission left there
    return SubmissionResult(name, chapter, results, notes, round(time.monotonic() - start, 2))
