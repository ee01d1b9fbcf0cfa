"""The exercise registry agrees with the chapters, and every registered check keeps the grader's contract: one line
per hidden case whatever the answer, so that an exercise's number of cases (and its points) is fixed."""

import ast
import re
import sys

import jupytext
import numpy as np
import pytest

from gammanet.exercises import registry
from gammanet.grading.notebook import first_heading, plan

from exercise_helpers import CHAPTERS, ROOT, chapter_solutions

sys.path.insert(0, str(ROOT / "scripts"))
from student import student_notebook  # noqa: E402

# An exercise starts at a heading "### Exercise 1.2 ..." or at an exercise block labelled ex-1-2 (sphinx-exercise).
EXERCISE_START = re.compile(r"^#+\s*Exercise\s+([0-9]+)\.([0-9]+)\b|^:label:\s*ex-([0-9]+)-([0-9]+)\s*$", re.MULTILINE)


def chapter_exercises(path):
    """(id, functions the solution cell defines, check called in the check cell) for each exercise of a chapter."""
    found, current, defined = [], None, None
    for cell in jupytext.read(path, fmt="py:percent").cells:
        if cell.cell_type == "markdown":
            m = EXERCISE_START.search(cell.source)
            if m:
                current, defined = ".".join(g for g in m.groups() if g is not None), None
        elif current and "solution" in cell.metadata.get("tags", []):
            defined = tuple(n.name for n in ast.parse(cell.source).body if isinstance(n, ast.FunctionDef))
        elif current and defined:
            calls = [
                n
                for n in ast.walk(ast.parse(cell.source))
                if isinstance(n, ast.Call) and getattr(n.func, "id", "").startswith("check_")
            ]
            if calls:
                found.append((current, defined, calls[0].func.id, tuple(a.id for a in calls[0].args)))
                current = None
    return found


@pytest.fixture(scope="module")
def solutions():
    """Every chapter's solution functions, defined by running only what the grader's plan runs."""
    return {ex.chapter: chapter_solutions(ex.chapter) for ex in registry.exercises()}


@pytest.fixture(scope="module")
def stubs():
    """Every chapter's student-edition stubs, defined by running what the grader's plan runs of the student edition
    (a stub that raises at the top level of its cell leaves its names undefined)."""
    out = {}
    for path in CHAPTERS:
        nb = student_notebook(path)
        chapter = first_heading(jupytext.read(path, fmt="py:percent"))[0]
        namespace = {}
        for step in plan(nb, [f for ex in registry.exercises(chapter) for f in ex.functions]):
            try:
                exec(compile(step.source, str(path), "exec"), namespace)
            except NotImplementedError:
                pass
        out[chapter] = namespace
    return out


@pytest.mark.parametrize("id", [ex.id for ex in registry.exercises()])
def test_every_check_says_not_attempted_on_the_student_editions_stub(id, stubs, capsys):
    ex = registry.get(id)
    functions = [stubs[ex.chapter][name] for name in ex.functions]
    quiet = ex.run(*functions)
    assert not quiet.attempted and not quiet.passed, quiet.lines
    loud = ex.check(*functions)  # what the student sees in the check cell
    assert not loud.attempted and "not attempted yet" in capsys.readouterr().out


def test_every_exercise_of_the_chapters_is_registered_with_its_check_and_function():
    seen = set()
    for path in CHAPTERS:
        for id, defined, check, args in chapter_exercises(path):
            ex = registry.get(id)
            assert ex.check.__name__ == check, (
                f"{path.name}: exercise {id} calls {check}, registered {ex.check.__name__}"
            )
            assert ex.functions == args and set(args) <= set(defined), (path.name, id, ex.functions, args, defined)
            seen.add(id)
    assert seen and seen == {ex.id for ex in registry.exercises()}, "registered exercises that no chapter has"


def test_a_bad_declaration_is_refused():
    with pytest.raises(ValueError, match="chapter.number"):
        registry.exercise("1", functions=("f",))
    with pytest.raises(ValueError, match="Python names"):
        registry.exercise("9.1", functions=("not a name",))
    with pytest.raises(ValueError, match="declared twice"):
        registry.exercise("1.1", functions=("f",))(lambda fn, verbose=True: None)


class Odd:
    """A returned value of a type no check expects."""


GARBAGE = {
    "raises": lambda *a: 1 / 0,
    "returns None": lambda *a: None,  # the commonest slip: a function without `return`
    "returns a string": lambda *a: "abc",
    "returns a number": lambda *a: 0.123,
    "returns a dict": lambda *a: {1: 2},
    "returns an object": lambda *a: Odd(),
    "returns an array": lambda *a: np.arange(3.0),
    # numbers at the edges of float: a check must say so in its case's line, not crash (the grader's contract)
    "returns an int beyond float": lambda *a: 10**400,
    "returns 1e308": lambda *a: 1e308,
    "returns inf": lambda *a: float("inf"),
    "returns a complex number": lambda *a: 1 + 2j,
    "returns a 0-d array": lambda *a: np.array(0.123),
}


@pytest.mark.parametrize("id", [ex.id for ex in registry.exercises()])
def test_one_line_per_case_whatever_the_answer(id, solutions):
    ex = registry.get(id)
    solution = solutions[ex.chapter][ex.functions[0]]
    report = ex.run(solution)
    assert report.passed and len(report.lines) == ex.total_cases(), report.lines
    for name, answer in GARBAGE.items():
        report = ex.run(answer)  # never crashes, never passes, one line per case
        assert report.attempted and not report.passed, name
        assert len(report.lines) == ex.total_cases(), (name, report.lines)
    assert ex.max_points() == ex.total_cases() and ex.title() and not ex.title().startswith("Exercise")


def test_a_function_without_return_is_told_so():
    ex = registry.get("2.2")
    report = ex.run(lambda widths, gammas: None)
    assert len(report.lines) == ex.total_cases() == 5
    assert all("returned None" in m and "`return" in m for m in report.failures())
