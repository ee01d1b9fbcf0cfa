"""``python -m gammanet grade``: submissions built from the chapter sources (so they follow the chapters), graded as a
user grades them, with the gradebook checked row by row."""

import ast
import copy
import csv
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from gammanet.cli import main
from gammanet.exercises import registry
from gammanet.grading.gradebook import COLUMNS
from gammanet.grading.grade import ExerciseResult, SubmissionResult
from gammanet.grading.notebook import first_heading

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from notebooks import chapter_sources, expected_notebook  # noqa: E402
from student import student_notebook  # noqa: E402

HANG_TIMEOUT = 2  # seconds per cell and call for the submissions that hang: each hang costs about this
TIMEOUT = 60  # the default, for the others (a solution cell that imports torch takes seconds)


# ------------------------------------------------------------------------------------ building submissions
def source_of(chapter: int) -> Path:
    for path in chapter_sources():
        if first_heading(expected_notebook(path))[0] == chapter:
            return path
    raise LookupError(f"no chapter {chapter}")


def instructor(chapter: int):
    return expected_notebook(source_of(chapter))


def student(chapter: int):
    return student_notebook(source_of(chapter))


def defining_cell(nb, name: str):
    for cell in nb.cells:
        if cell.cell_type == "code" and f"def {name}(" in cell.source:
            if any(isinstance(n, ast.FunctionDef) and n.name == name for n in ast.parse(cell.source).body):
                return cell
    raise LookupError(name)


def with_solution(nb, name: str, body: str):
    """A copy of the instructor edition ``nb`` where ``name``'s marked solution is replaced by ``body``."""
    nb = copy.deepcopy(nb)
    cell = defining_cell(nb, name)
    lines = cell.source.splitlines()
    begin = next(i for i, line in enumerate(lines) if line.strip() == "# BEGIN SOLUTION")
    end = next(i for i, line in enumerate(lines) if line.strip() == "# END SOLUTION")
    indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
    cell.source = "\n".join(lines[:begin] + [indent + line for line in body.splitlines()] + lines[end + 1 :])
    return nb


def add_code(nb, name: str, code: str, before: bool = False):
    nb = copy.deepcopy(nb)
    cell = defining_cell(nb, name)
    cell.source = code + "\n" + cell.source if before else cell.source + "\n" + code
    return nb


def faked_checks(nb):
    """Every check cell replaced by a print of the check's success, and outputs edited to show it."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        m = re.search(r"^(check_\w+)\(", cell.source, re.MULTILINE) if cell.cell_type == "code" else None
        if m:
            cell.source = 'print("all checks passed")'
            text = f"Checking ...\n  ✓ right\nall checks passed ({m.group(1)})\n"
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
            cell.execution_count = 1
    return nb


#: Solution-cell code that attacks the grading from inside the kernel: the exercise's answer is wrong, and this
#: replaces the check everywhere it can reach, makes every Report pass, and makes the comparison always true.
MONKEYPATCH = """
import gammanet.exercises as _ex
import gammanet.exercises.chapter1 as _c1
import gammanet.exercises.feedback as _fb
from gammanet.exercises import registry as _reg
from IPython.display import publish_display_data as _publish
_fake = _fb.Report("Exercise 1.1", [(True, "right")] * 4)
def check_variance_law(fn, verbose=True):
    print("Exercise 1.1: all 4 checks passed.")
    return _fake
_c1.check_variance_law = _ex.check_variance_law = check_variance_law
_fb.Report.passed = property(lambda self: True)
_c1.near = lambda *a, **k: True
for _e in list(_reg._REGISTRY.values()):
    object.__setattr__(_e, "check", check_variance_law)
_publish({"application/x-gammanet-grading": '{"status": "returned", "value": -0.5}'})
"""

FORGETS_THE_WIDTH = """nodes, weights = np.polynomial.hermite_e.hermegauss(64)
sigma = 1 / (1 + np.exp(-np.sqrt(np.sum(np.asarray(x, dtype=float) ** 2)) * nodes))
return np.sum(weights * sigma ** 2) / np.sqrt(2 * np.pi)"""

IGNORES_INTERRUPTS = """import signal, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    time.sleep(0.01)"""


def submissions() -> dict:
    return {
        "ch1_instructor": instructor(1),
        "ch1_student": student(1),
        # the variance law without its factor N^{1-2γ}: right at γ = 1/2 only
        "ch1_wrong": with_solution(instructor(1), "variance_law", FORGETS_THE_WIDTH),
        "ch1_fake_checks": faked_checks(student(1)),
        "ch1_monkeypatch": add_code(
            with_solution(instructor(1), "variance_law", "return 0.25"), "variance_law", MONKEYPATCH
        ),
        "ch2_instructor": instructor(2),
        "ch2_student": student(2),
        # right answers in unusual forms: graded as the interactive check judges them
        "ch1_prints_a_lot": add_code(instructor(1), "variance_law", PRINTS_A_LOT),
        "ch1_other_number_types": add_code(
            add_code(instructor(1), "variance_law", AS_DECIMAL), registry.get("1.5").functions[0], AS_FLOAT_SUBCLASS
        ),
        "ch1_name_cell": with_name_cell(instructor(1)),
        "ch1_cell_magic": add_code(instructor(1), "variance_law", "%%time", before=True),
    }


#: The right variance law, after 300 printed lines (more outputs than the grader keeps per cell).
PRINTS_A_LOT = """_right_law = variance_law
def variance_law(x, width, gamma):
    for _i in range(300):
        print(_i)
    return _right_law(x, width, gamma)"""

#: The right variance law, as a decimal.Decimal.
AS_DECIMAL = """from decimal import Decimal
_right_law = variance_law
def variance_law(x, width, gamma):
    return Decimal(repr(float(_right_law(x, width, gamma))))"""

#: The right answer of question 1.5, as an instance of a float subclass.
AS_FLOAT_SUBCLASS = f"""class _Float(float):
    pass
_right_answer = {registry.get("1.5").functions[0]}
def {registry.get("1.5").functions[0]}():
    return _Float(_right_answer())"""


def with_name_cell(nb):
    """The notebook with a first Markdown cell where the student wrote their name (above the chapter heading)."""
    nb = copy.deepcopy(nb)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("**Name:** Carol Smith, student ID 12345"))
    return nb


def hanging_submissions() -> dict:
    return {
        "ch1_loop": with_solution(instructor(1), "variance_law", "while True:\n    pass"),
        "ch1_cell_hangs": add_code(instructor(1), "uniform_readout", "while True:\n    pass", before=True),
        "ch2_crash_and_hang": with_solution(
            with_solution(instructor(2), CH2_FIRST, "import os\nos._exit(1)"), "effective_time", IGNORES_INTERRUPTS
        ),
    }


#: The function of exercise 2.1, which the crash test kills the kernel in.
CH2_FIRST = registry.get("2.1").functions[0]


def expect(chapter: int, **statuses) -> dict:
    """Every exercise of ``chapter`` passed, except those given as ``x_y="status"`` (exercise x.y)."""
    out = {ex: "passed" for ex in ids(chapter)}
    out.update({key[1:].replace("_", "."): value for key, value in statuses.items()})
    return out


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "gammanet", *args], capture_output=True, text=True, timeout=600, env=dict(os.environ)
    )


def gradebook(out, folder, **extra):
    with open(out / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    table = {(row["submission"], row["exercise"]): row for row in rows}
    return dict(out=out, folder=folder, rows=rows, table=table, **extra)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The submissions that finish, graded by the command a user runs (a subprocess, default time limits)."""
    folder = tmp_path_factory.mktemp("submissions")
    for name, nb in submissions().items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    out = tmp_path_factory.mktemp("grades")
    r = run_cli("grade", str(folder), "--out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    return gradebook(out, folder, stdout=r.stdout)


@pytest.fixture(scope="module")
def graded_hangs(tmp_path_factory):
    """The submissions that hang or crash, with a short time limit (in this process: no second start-up)."""
    folder = tmp_path_factory.mktemp("hanging")
    for name, nb in hanging_submissions().items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    out = tmp_path_factory.mktemp("hang-grades")
    assert (
        main(["grade", str(folder), "--out", str(out), "--timeout", str(HANG_TIMEOUT), "--total-timeout", "120"]) == 0
    )
    return gradebook(out, folder)


def statuses(graded, submission):
    return {ex: row["status"] for (sub, ex), row in graded["table"].items() if sub == submission}


def points(graded, submission, exercise):
    row = graded["table"][(submission, exercise)]
    return float(row["points"]), float(row["max_points"])


def ids(chapter):
    return [ex.id for ex in registry.exercises(chapter)]


# ---------------------------------------------------------------------------------------------- the gradebook
def test_gradebook_has_the_columns_and_one_row_per_submission_and_exercise(graded):
    header = (graded["out"] / "grades.csv").read_text().splitlines()[0]
    assert header == ",".join(COLUMNS)
    expected = {(name, ex) for name in submissions() for ex in ids(int(name[2]))}
    assert set(graded["table"]) == expected and len(graded["rows"]) == len(expected)
    assert {row["status"] for row in graded["rows"]} <= {"passed", "failed", "not attempted", "error", "timeout"}


@pytest.mark.parametrize("chapter", [1, 2])
def test_the_instructor_edition_passes_every_exercise_with_full_points(graded, chapter):
    name = f"ch{chapter}_instructor"
    assert set(statuses(graded, name).values()) == {"passed"}
    for ex in registry.exercises(chapter):
        row = graded["table"][(name, ex.id)]
        assert int(row["passed_cases"]) == int(row["total_cases"]) == ex.total_cases()
        assert float(row["points"]) == float(row["max_points"]) == ex.max_points()


@pytest.mark.parametrize("chapter", [1, 2])
def test_the_student_edition_is_not_attempted_with_zero_points(graded, chapter):
    name = f"ch{chapter}_student"
    assert set(statuses(graded, name).values()) == {"not attempted"}
    assert all(points(graded, name, ex)[0] == 0 for ex in ids(chapter))
    assert "not attempted yet" in (graded["out"] / "feedback" / f"{name}.md").read_text()


@pytest.mark.parametrize("name", ["ch1_prints_a_lot", "ch1_other_number_types", "ch1_name_cell", "ch1_cell_magic"])
def test_right_answers_in_unusual_forms_pass(graded, name):
    assert set(statuses(graded, name).values()) == {"passed"}, statuses(graded, name)


def test_one_wrong_solution_fails_that_exercise_only_with_partial_points(graded):
    assert statuses(graded, "ch1_wrong") == expect(1, x1_1="failed")
    row = graded["table"][("ch1_wrong", "1.1")]
    assert 0 < int(row["passed_cases"]) < int(row["total_cases"])  # right at γ = 1/2 only
    assert float(row["points"]) == float(row["max_points"]) * int(row["passed_cases"]) / int(row["total_cases"])
    feedback = (graded["out"] / "feedback" / "ch1_wrong.md").read_text()
    assert "✗" in feedback and "exponent of N" in feedback and "hint:" in feedback


def test_an_infinite_loop_is_a_timeout_and_the_rest_is_graded(graded_hangs):
    assert statuses(graded_hangs, "ch1_loop") == expect(1, x1_1="timeout")
    assert points(graded_hangs, "ch1_loop", "1.1")[0] == 0
    # a hang at the top level of a solution cell: the function is never defined
    assert statuses(graded_hangs, "ch1_cell_hangs") == expect(1, x1_3="timeout")


def test_a_kernel_that_dies_or_ignores_the_interrupt_is_replaced_and_grading_goes_on(graded_hangs):
    assert statuses(graded_hangs, "ch2_crash_and_hang") == expect(2, x2_1="error", x2_3="timeout")
    feedback = (graded_hangs["out"] / "feedback" / "ch2_crash_and_hang.md").read_text()
    assert "kernel died" in feedback and "restarted 2 time" in feedback


def test_a_submission_that_kills_the_grader_is_recorded_on_the_next_run_and_the_rest_is_graded(tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    killer = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"  # the kernel's parent: the grader
    nbformat.write(with_solution(instructor(1), "variance_law", killer), folder / "aaa.ipynb")
    nbformat.write(student(1), folder / "bob.ipynb")
    first = run_cli("grade", str(folder), "--out", str(out))
    assert first.returncode != 0 and not (out / "grades.csv").exists()
    second = run_cli("grade", str(folder), "--out", str(out))
    assert second.returncode == 0, second.stdout + second.stderr
    book = gradebook(out, folder)
    assert set(statuses(book, "aaa").values()) == {"error"}
    assert set(statuses(book, "bob").values()) == {"not attempted"}
    assert "died while grading this submission" in (out / "feedback" / "aaa.md").read_text()
    third = run_cli("grade", str(folder), "--out", str(out))  # recorded: not tried again without --regrade
    assert third.returncode == 0 and "aaa (chapter 1): 0 / " in third.stdout and "graded earlier" in third.stdout


HANGS_EVERY_LATER_CELL = """import signal
def _hang(*a, **k):
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        pass
get_ipython().events.register("pre_run_cell", _hang)"""


def test_a_notebook_that_hangs_every_later_cell_times_out_within_the_overall_limit():
    """A hook that hangs every cell run after it (the grader's own set-up included): every exercise is a timeout,
    the overall limit holds, and the feedback shows nothing of the grader's internals."""
    from gammanet.grading.grade import grade_submission
    from gammanet.grading.gradebook import feedback_markdown

    nb = add_code(instructor(1), "variance_law", HANGS_EVERY_LATER_CELL)
    began = time.monotonic()
    result = grade_submission(nb, "hook", 1, timeout=2, total_timeout=12)
    assert time.monotonic() - began < 12 + 30  # the limit, plus starting and replacing kernels
    assert {e.status for e in result.exercises} <= {"timeout", "error"}
    assert all(e.points == 0 for e in result.exercises)
    assert "_gammanet_grading" not in feedback_markdown(result)


def test_the_overall_time_limit_stops_a_submission():
    from gammanet.grading.grade import grade_submission

    nb = with_solution(instructor(1), "variance_law", "while True:\n    pass")
    result = grade_submission(nb, "slow", 1, timeout=10, total_timeout=3)  # the overall limit comes first
    assert [e.status for e in result.exercises] == ["timeout"] * len(ids(1))
    assert any("overall" in e.note for e in result.exercises[1:])


def test_edited_outputs_and_a_printed_success_earn_nothing(graded):
    assert set(statuses(graded, "ch1_fake_checks").values()) == {"not attempted"}
    assert all(points(graded, "ch1_fake_checks", ex)[0] == 0 for ex in ids(1))


def test_monkeypatching_the_checks_in_the_kernel_changes_nothing(graded):
    assert statuses(graded, "ch1_monkeypatch") == expect(1, x1_1="failed")
    assert points(graded, "ch1_monkeypatch", "1.1")[0] == 0


def test_summary_totals_the_rows_and_feedback_exists_for_each(graded):
    with open(graded["out"] / "summary.csv", newline="") as f:
        summary = {row["submission"]: row for row in csv.DictReader(f)}
    assert set(summary) == set(submissions())
    for name, row in summary.items():
        mine = [r for r in graded["rows"] if r["submission"] == name]
        assert float(row["points"]) == pytest.approx(sum(float(r["points"]) for r in mine))
        assert float(row["max_points"]) == pytest.approx(sum(float(r["max_points"]) for r in mine))
        assert (graded["out"] / "feedback" / f"{name}.md").read_text().startswith(f"# Feedback for {name}")
    assert float(summary["ch1_instructor"]["percent"]) == 100.0 and float(summary["ch1_student"]["percent"]) == 0


def test_a_rerun_reuses_the_graded_submissions(graded, capsys):
    before = {p.name: p.read_bytes() for p in graded["out"].rglob("*.csv")}
    assert main(["grade", str(graded["folder"]), "--out", str(graded["out"])]) == 0
    out = capsys.readouterr().out
    assert out.count("(graded earlier)") == len(submissions())
    assert {p.name: p.read_bytes() for p in graded["out"].rglob("*.csv")} == before


# ----------------------------------------------------------------------------------------------- bad input
def test_a_notebook_of_another_course_is_one_clear_error_line(tmp_path, capsys):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# 1. Introduction to Python"),
            nbformat.v4.new_code_cell("import numpy as np\nprint('hello')"),
        ]
    )
    nbformat.write(nb, tmp_path / "intro.ipynb")
    with pytest.raises(SystemExit) as exit_:
        main(["grade", str(tmp_path / "intro.ipynb"), "--out", str(tmp_path / "out")])
    lines = capsys.readouterr().err.strip().splitlines()
    assert exit_.value.code == 2 and len(lines) == 1
    assert "intro.ipynb" in lines[0] and "not a chapter of the gammanet course" in lines[0]
    assert "Traceback" not in lines[0] and not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda p: p.write_text("{not json"), "not a readable Jupyter notebook"),
        (
            lambda p: nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Notes")]), p),
            "heading '# N. Title'",
        ),
        (
            lambda p: nbformat.write(
                nbformat.v4.new_notebook(
                    cells=[nbformat.v4.new_markdown_cell("# 42. Beyond"), nbformat.v4.new_code_cell("import gammanet")]
                ),
                p,
            ),
            "chapter 42 has no graded exercises",
        ),
    ],
)
def test_bad_submissions_are_refused_before_anything_is_graded(tmp_path, capsys, make, words):
    nbformat.write(instructor(2), tmp_path / "good.ipynb")
    make(tmp_path / "bad.ipynb")
    with pytest.raises(SystemExit) as exit_:
        main(["grade", str(tmp_path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and words in err and "bad.ipynb" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_bad_options_and_paths(tmp_path, capsys):
    good = str(tmp_path / "a.ipynb")
    nbformat.write(instructor(2), good)
    (tmp_path / "afile").write_text("x")
    (tmp_path / "x.txt").write_text("not a notebook")
    broken = instructor(2)
    broken.cells[-1]["source"] = 5  # valid JSON, not a valid notebook: refused before anything is graded
    (tmp_path / "broken.ipynb").write_text(json.dumps(broken))
    for args, words in [
        ([good, "--timeout", "0"], "--timeout=0.0 is not allowed"),
        ([good, "--timeout", "inf"], "--timeout=inf is not allowed"),
        ([good, "--total-timeout", "nan"], "--total-timeout=nan is not allowed"),
        ([good, "--out", str(tmp_path / "afile")], "is a file, not a folder"),
        ([good, "--out", str(tmp_path / "afile" / "sub")], "is a file, not a folder"),
        ([str(tmp_path / "broken.ipynb")], "not a readable Jupyter notebook"),
        ([good, "--chapter", "42"], "--chapter 42"),
        ([str(tmp_path / "missing.ipynb")], "no such file"),
        ([str(tmp_path / "x.txt")], "not a notebook"),
        ([str(tmp_path / "nothere.txt")], "no such file or folder"),
        ([good, "--kernel", "nosuch"], "could not start the Jupyter kernel 'nosuch'"),
    ]:
        out = [] if "--out" in args else ["--out", str(tmp_path / "out")]
        with pytest.raises(SystemExit) as exit_:
            main(["grade", *args, *out])
        err = capsys.readouterr().err
        assert exit_.value.code == 2 and words in err and "Traceback" not in err, err


# -------------------------------------------------------------------------------------- interrupted runs
def fake_result(name, chapter=2):
    rows = [
        ExerciseResult(ex.id, chapter, "passed", 1, 1, 1.0, 1.0, "t", [(True, "right")])
        for ex in registry.exercises(chapter)
    ]
    return SubmissionResult(name, chapter, rows, [], 0.1)


def test_an_interrupted_run_keeps_the_last_gradebook_whole_and_resumes(tmp_path, monkeypatch, capsys):
    import gammanet.grading.grade as grade

    for name in ("a", "b"):
        nbformat.write(instructor(2), tmp_path / f"{name}.ipynb")
    out = tmp_path / "out"
    calls = []

    def fake(nb, name, chapter, **kwargs):
        calls.append(name)
        if name == "c" and calls.count("c") == 1:
            raise KeyboardInterrupt
        return fake_result(name, chapter)

    monkeypatch.setattr(grade, "grade_submission", fake)
    assert main(["grade", str(tmp_path), "--out", str(out)]) == 0 and calls == ["a", "b"]
    complete = (out / "grades.csv").read_bytes()

    nbformat.write(instructor(2), tmp_path / "c.ipynb")  # a late submission; the run is interrupted
    assert main(["grade", str(tmp_path), "--out", str(out)]) == 130 and calls == ["a", "b", "c"]
    assert "run the same command again to resume" in capsys.readouterr().err
    assert (out / "grades.csv").read_bytes() == complete  # the last complete gradebook, untouched
    assert not list(out.rglob("*.tmp"))

    assert main(["grade", str(tmp_path), "--out", str(out)]) == 0 and calls == ["a", "b", "c", "c"]
    with open(out / "grades.csv", newline="") as f:
        assert {row["submission"] for row in csv.DictReader(f)} == {"a", "b", "c"}
    record = json.loads((out / ".records" / "c.json").read_text())
    assert record["result"]["submission"] == "c" and len(record["fingerprint"]) == 64


def test_a_failure_of_the_grader_on_one_notebook_is_recorded_and_the_next_is_graded(tmp_path, monkeypatch, capsys):
    import gammanet.grading.grade as grade

    def fake(nb, name, chapter, **kwargs):
        if name == "a":
            raise RuntimeError("something unforeseen")
        return fake_result(name, chapter)

    monkeypatch.setattr(grade, "grade_submission", fake)
    for name in ("a", "b"):
        nbformat.write(instructor(2), tmp_path / f"{name}.ipynb")
    assert main(["grade", str(tmp_path), "--out", str(tmp_path / "out")]) == 0
    with open(tmp_path / "out" / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["status"] for r in rows if r["submission"] == "a"} == {"error"}
    assert {r["status"] for r in rows if r["submission"] == "b"} == {"passed"}
    assert "something unforeseen" in (tmp_path / "out" / "feedback" / "a.md").read_text()
    assert not (tmp_path / "out" / ".records" / "a.json").exists()  # the next run tries it again


def test_a_changed_submission_is_graded_again(tmp_path, monkeypatch):
    import gammanet.grading.grade as grade

    calls = []
    monkeypatch.setattr(
        grade, "grade_submission", lambda nb, name, chapter, **kw: calls.append(name) or fake_result(name, chapter)
    )
    nbformat.write(instructor(2), tmp_path / "a.ipynb")
    args = ["grade", str(tmp_path / "a.ipynb"), "--out", str(tmp_path / "out")]
    main(args)
    main(args)
    assert calls == ["a"]
    nbformat.write(student(2), tmp_path / "a.ipynb")
    main(args)
    main([*args, "--regrade"])
    assert calls == ["a", "a", "a"]
