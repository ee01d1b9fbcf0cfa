"""The chapters' two forms agree: py:percent sources and the paired .ipynb that Colab opens."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ipynb_match_their_py_sources_and_carry_no_outputs():
    r = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "notebooks.py"), "check"], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_every_chapter_is_in_the_table_of_contents():
    toc = (ROOT / "toc.yml").read_text()
    chapters = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert chapters, "no chapters"
    for stem in chapters:
        assert f"notebooks/{stem}" in toc, f"{stem} is not in toc.yml"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and "make test" in ci
