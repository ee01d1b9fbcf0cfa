"""Helpers shared by the exercise-check tests (tests/test_exercises_chapter*.py, tests/test_exercise_registry.py)."""

import functools
from pathlib import Path

import jupytext

from gammanet.exercises import registry
from gammanet.grading.notebook import first_heading, plan

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted(p for p in (ROOT / "notebooks").glob("*.py") if "jupytext" in p.read_text()[:2000])


@functools.cache
def chapter_solutions(chapter: int) -> dict:
    """The namespace in which chapter ``chapter``'s own solution cells ran (the source in notebooks/, not a copy):
    only the cells the grader's plan runs for the chapter's registered exercises, i.e. the solutions and what they
    depend on. Tests read solutions from it so that a change to a chapter's solution is what they test."""
    for path in CHAPTERS:
        nb = jupytext.read(path, fmt="py:percent")
        if first_heading(nb)[0] != chapter:
            continue
        namespace: dict = {}
        for step in plan(nb, [f for ex in registry.exercises(chapter) for f in ex.functions]):
            exec(compile(step.source, str(path), "exec"), namespace)
        return namespace
    raise ValueError(f"no chapter {chapter} in {ROOT / 'notebooks'}")


def assert_fails_with_hints(report, hint_words=None):
    """The check ran (not "not attempted"), failed, gave a hint with every failure, and — when ``hint_words`` is
    given — one of the failures mentions it."""
    assert report.attempted and not report.passed
    assert report.failures() and all("hint:" in m for m in report.failures()), report.failures()
    if hint_words:
        assert any(hint_words in m for m in report.failures()), report.failures()
