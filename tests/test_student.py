"""The student edition is generated from the solutions, and the committed copy is what the generator produces."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from student import functions, stub_source  # noqa: E402


def test_committed_student_notebooks_are_up_to_date():
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "student.py"), "check"], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("name", ["01_why_normalize.py", "03_limit.py"])
def test_the_student_edition_keeps_the_label_and_the_chapter_heading(name):
    # the title gets the suffix, the MyST label above it stays a label, and the grader still reads the chapter
    from gammanet.grading.notebook import first_heading
    from student import student_notebook

    path = ROOT / "notebooks" / name
    nb = student_notebook(path)
    lines = nb.cells[0].source.splitlines()
    assert lines[0].startswith("(") and lines[0].endswith(")=")
    assert first_heading(nb)[0] == int(name[:2]) and "(student edition)" in first_heading(nb)[1]


def test_stub_keeps_signature_and_docstring_and_drops_the_body():
    source = '''def rate(widths, gammas, *, alpha=1.0):
    """Docstring stays."""
    # BEGIN SOLUTION
    secret = 42
    return secret
    # END SOLUTION
print("after")'''
    stub, top_level = stub_source(source, "test")
    assert "secret" not in stub and '"""Docstring stays."""' in stub and 'print("after")' in stub
    assert "    raise NotImplementedError" in stub and not top_level
    assert functions(stub) == functions(source)


def test_top_level_stub_is_marked_as_raising():
    stub, top_level = stub_source("x = 1\n# BEGIN SOLUTION\ny = x + 1\n# END SOLUTION", "test")
    assert top_level and stub.splitlines()[1].startswith("raise NotImplementedError")


@pytest.mark.parametrize(
    "bad", ["# BEGIN SOLUTION\nx=1", "x=1\n# END SOLUTION", "# BEGIN SOLUTION\n# BEGIN SOLUTION\n"]
)
def test_unbalanced_markers_are_errors(bad):
    with pytest.raises(ValueError, match="SOLUTION"):
        stub_source(bad, "cell 3")
