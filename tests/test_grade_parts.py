"""The grader's parts without a kernel: which code of a submission runs, the data that crosses back from the
kernel, the chapter of a notebook, scoring with declared points, the feedback's Markdown."""

import json
import math
from fractions import Fraction
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
import torch

from gammanet.exercises import registry
from gammanet.exercises.feedback import call, start
from gammanet.grading import transport
from gammanet.grading.grade import ExerciseResult, SubmissionResult, result_row
from gammanet.grading.gradebook import feedback_markdown
from gammanet.grading.notebook import infer_chapter, plan

code, md = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell


# ---------------------------------------------------------------------------------------------- the plan
def test_plan_runs_the_exercise_cells_and_only_the_definitions_they_need():
    nb = nbformat.v4.new_notebook(
        cells=[
            md("# 1. Something"),
            code("%matplotlib inline\nimport numpy as np\nimport seaborn as sns\nfrom math import *"),
            code(
                "x = train_for_an_hour()\nSCALE = 2.0\nUNUSED = 3\n\ndef helper(v):\n    return np.sqrt(v)\n\n"
                "for i in range(10 ** 12):\n    pass\nplt.show()"
            ),
            code(
                "def f(a):\n    # BEGIN SOLUTION\n    return helper(a) * SCALE\n    # END SOLUTION",
                metadata={"tags": ["solution"]},
            ),
            code("from gammanet.exercises import check_f\ncheck_f(f)"),
            code("table = load_table()", metadata={"tags": ["grading-setup"]}),
            code("def g(:\n    pass"),
            code("print(f(4))", metadata={"tags": ["needs-solution"]}),
        ]
    )
    steps = plan(nb, ["f", "g"])
    sources = [s.source for s in steps]
    assert sources == [
        "import numpy as np",
        "from math import *",
        "SCALE = 2.0",
        "def helper(v):\n    return np.sqrt(v)",
        nb.cells[3].source,
        nb.cells[5].source,
        nb.cells[6].source,
    ]
    assert [s.kind for s in steps] == ["definition"] * 4 + ["exercise", "setup", "exercise"]
    assert steps[4].defines == {"f"} and steps[6].defines == {"g"} and [s.cell for s in steps][4:] == [3, 5, 6]


def test_a_function_bound_by_assignment_or_in_a_new_cell_counts_as_its_definition():
    nb = nbformat.v4.new_notebook(cells=[code("def f(a):\n    raise NotImplementedError"), code("f = lambda a: 2 * a")])
    assert [s.kind for s in plan(nb, ["f"])] == ["exercise", "exercise"]


# ------------------------------------------------------------------------------------ the kernel's answers
def round_trip(value):
    envelope = json.dumps({"status": "returned", "value": transport.encode(value)})
    return transport.loads(envelope)["value"]


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        3,
        -2.5,
        "text",
        [1, [2.0, "a"]],
        (1, (2, 3)),
        {1: "a", (2, 3): [4]},
        {0.5, 1.0},
        1 + 2j,
        Fraction(3, 4),
        {"$": "not a tag"},
        {"W1": 0.1, "C": 2.0},
    ],
)
def test_plain_values_cross_unchanged(value):
    back = round_trip(value)
    assert back == value and type(back) is type(value)


def test_non_finite_floats_cross():
    assert math.isnan(round_trip(float("nan"))) and round_trip(float("-inf")) == float("-inf")


@pytest.mark.parametrize(
    "value",
    [
        np.float32(0.25),
        np.int64(7),
        np.bool_(True),
        np.arange(6.0).reshape(2, 3),
        np.array([[1, 2]], dtype=np.int32),
        np.array([True, False]),
        np.array([1 + 1j]),
        np.array(3.5),
        np.zeros((0, 3)),
        np.array([1, "a"], dtype=object),
    ],
)
def test_numpy_values_keep_dtype_shape_and_values(value):
    back = round_trip(value)
    assert type(back) is type(value) and back.dtype == value.dtype and np.shape(back) == np.shape(value)
    assert np.array_equal(back, value)


def test_tensors_series_and_frames_cross():
    t = torch.arange(6, dtype=torch.float64).reshape(3, 2)
    back = round_trip(t)
    assert isinstance(back, torch.Tensor) and back.dtype == torch.float64 and torch.equal(back, t)
    s = pd.Series([0.1, 0.2], index=[0.5, 1.0], name="slope")
    pd.testing.assert_series_equal(round_trip(s), s)
    f = pd.DataFrame({"gamma_1": [0.5, 1.0], "test_accuracy": [0.8, 0.9]})
    pd.testing.assert_frame_equal(round_trip(f), f)


def test_other_objects_arrive_as_opaque_stand_ins():
    class Mine:
        def __repr__(self):
            return "<mine>"

    back = round_trip(Mine())
    assert isinstance(back, transport.Opaque) and repr(back) == "<mine>"
    with pytest.raises(TypeError):
        float(back)


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        json.dumps({"status": "returned", "value": {"$": "tensor", "dtype": "load", "shape": [1], "data": [1]}}),
        json.dumps({"status": "returned", "value": {"$": "ndarray", "dtype": "M8[s]", "shape": [1], "data": [1]}}),
        json.dumps({"status": "returned", "value": {"$": "__import__", "v": "os"}}),
        json.dumps({"status": "anything"}),
        "x" * (transport.MAX_BYTES + 1),
    ],
)
def test_malformed_or_forged_messages_build_nothing_but_a_stand_in(text):
    envelope = transport.loads(text)
    assert envelope["status"] == "returned" and isinstance(envelope["value"], transport.Opaque)


def test_the_kernel_end_imports_nothing_outside_the_standard_library():
    source = Path(transport.__file__).read_text()
    top_level = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert top_level == ["import base64", "import json", "import math", "import pickle", "import sys"]


# ----------------------------------------------------------------------------------------- the chapter
def notebook(heading, source="import gammanet", **metadata):
    nb = nbformat.v4.new_notebook(cells=[md(heading), code(source)])
    nb.metadata.update(metadata)
    return nb


def test_the_chapter_comes_from_the_metadata_or_the_first_heading():
    chapters = registry.chapters()
    assert infer_chapter(notebook("# 2. Learning rates (student edition)\n\ntext"), Path("a.ipynb"), chapters) == 2
    assert infer_chapter(notebook("# 2. Learning rates", gammanet={"chapter": 2}), Path("a.ipynb"), chapters) == 2
    assert infer_chapter(notebook("My notes", gammanet={"chapter": 1}), Path("a.ipynb"), chapters) == 1
    # a student's name cell above the heading is not a reason to refuse the notebook
    named = notebook("**Name:** Carol Smith, student ID 12345")
    named.cells.insert(1, md("(ch-learning-rates)=\n# 2. Learning rates (student edition)"))
    assert infer_chapter(named, Path("a.ipynb"), chapters) == 2
    for nb, words in [
        (notebook("Some notes"), "heading"),
        (notebook("# Notes\n\n# 2. Learning rates"), "heading"),  # the first level-1 heading decides
        # metadata and heading disagree: said, not decided silently
        (
            notebook("# 2. Learning rates", gammanet={"chapter": 1}),
            "metadata says chapter 1 but its heading says chapter 2",
        ),
        (notebook("# 1. Intro", "import numpy"), "imports gammanet"),
        (notebook("# 99. Later"), "chapter 99 has no graded exercises"),
        (notebook("# 1. X", gammanet={"chapter": "one"}), "not a chapter number"),
    ]:
        with pytest.raises(ValueError, match=words):
            infer_chapter(nb, Path("a.ipynb"), chapters)


# ------------------------------------------------------------------------------------- scoring, feedback
def test_declared_points_are_shared_over_the_cases():
    def check(fn, verbose=True):
        report = start("Exercise 9.1: a test", verbose)
        for x in range(4):
            got = call(report, fn, x)
            if got == x:
                report.ok(f"x={x}: right")
            elif got is not None:
                report.fail(f"x={x}: wrong", "hint")
        return report.summary()

    ex = registry.Exercise("9.1", check, ("f",), points=10)
    assert ex.total_cases() == 4 and ex.max_points() == 10 and ex.title() == "a test"
    result = result_row(ex, "failed", ex.run(lambda x: x if x < 3 else -1))
    assert (result.passed_cases, result.total_cases, result.points, result.max_points) == (3, 4, 7.5, 10)
    assert result_row(ex, "timeout").points == 0 and result_row(ex, "timeout").total_cases == 4


def test_feedback_shows_verdicts_and_hints_in_markdown():
    lines = [(True, "γ = 0.5: right"), (False, "γ = 1: |a*b| wrong\n      hint: <try> a")]
    row = ExerciseResult("1.1", 1, "failed", 1, 2, 3.0, 6.0, "a | slope", lines)
    text = feedback_markdown(SubmissionResult("jo_smith", 1, [row], ["cell 3: ImportError"], 1.0))
    assert text.startswith("# Feedback for jo_smith: chapter 1") and "**3 / 6** points" in text
    assert "- ✓ γ = 0.5: right" in text and "- ✗ γ = 1: |a\\*b| wrong\n  - hint: \\<try\\> a" in text
    assert "| 1.1 a \\| slope | failed | 1 / 2 | 3 / 6 |" in text
    assert "## Notes from the grader" in text and "\n\n\n" not in text


def test_a_name_error_tells_what_the_grader_runs():
    from gammanet.exercises.feedback import run as run_student

    def uses_a_helper_cell():
        return HELPER  # noqa: F821 — defined in another cell of the notebook, which the grader does not run

    report = start("Exercise 9.2: a test", verbose=False)
    run_student(report, uses_a_helper_cell)
    (line,) = report.failures()
    assert "NameError" in line and "only imports, function definitions and constants" in line
