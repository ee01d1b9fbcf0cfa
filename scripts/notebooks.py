#!/usr/bin/env python
"""Keep the chapters' two forms in step: py:percent sources (the truth) and the paired .ipynb (what Colab opens).

    python scripts/notebooks.py sync    # regenerate every notebooks/*.ipynb from its .py (no outputs),
                                        # after writing the Colab badge and setup cell into the .py
    python scripts/notebooks.py check   # exit 1 if any .ipynb differs from its .py in cell sources, carries
                                        # outputs, or a chapter lacks the current badge / setup cell

The repository address comes from one place, ``gammanet.course.REPOSITORY_URL``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from gammanet.course import INSTALL_SOURCE_ENV, REPOSITORY_URL  # noqa: E402

NOTEBOOKS = ROOT / "notebooks"
BADGE_RE = re.compile(r"^\[!\[Open In Colab\]\(.*\)\]\(.*\)$", re.M)
SETUP_MARK = "# Colab setup"


def chapter_sources() -> list[Path]:
    """The chapters: every notebooks/*.py that is a jupytext py:percent file."""
    return sorted(p for p in NOTEBOOKS.glob("*.py") if "jupytext" in p.read_text()[:2000])


def badge(path: Path) -> str:
    repo = REPOSITORY_URL.removeprefix("https://github.com/")
    return (
        f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        f"(https://colab.research.google.com/github/{repo}/blob/main/notebooks/{path.with_suffix('.ipynb').name})"
    )


def default_install_source() -> str:
    """What the setup cell installs by default: the package straight from the repository."""
    return f"gammanet @ git+{REPOSITORY_URL}"


def setup_cell_source() -> str:
    """The first code cell of every chapter: on Colab (no gammanet yet) pip installs the package, keeping the
    preinstalled torch (the dependencies are lower bounds, so pip leaves a satisfying torch alone); where gammanet
    imports already it does nothing.  ``$GAMMANET_INSTALL_SOURCE`` replaces the repository as what pip installs."""
    return "\n".join(
        [
            f"{SETUP_MARK}: install gammanet only where it is missing (Colab); keeps the preinstalled torch.",
            f"# ${INSTALL_SOURCE_ENV}, if set, names what pip installs instead (a local checkout, a wheel, a fork).",
            "import importlib, importlib.util, os, subprocess, sys",
            'if importlib.util.find_spec("gammanet") is None:',
            f'    source = os.environ.get("{INSTALL_SOURCE_ENV}") or "{default_install_source()}"',
            '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", source], check=True)',
            "    importlib.invalidate_caches()  # so that this kernel finds the new package",
        ]
    )


def expected_notebook(path: Path) -> nbformat.NotebookNode:
    """The chapter as it should be: badge in the first markdown cell, the setup cell first among code cells."""
    nb = jupytext.read(path, fmt="py:percent")
    first_md = next(c for c in nb.cells if c.cell_type == "markdown")
    if BADGE_RE.search(first_md.source):
        first_md.source = BADGE_RE.sub(badge(path), first_md.source)
    else:
        first_md.source = first_md.source.rstrip() + "\n\n" + badge(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    if code and code[0].source.startswith(SETUP_MARK):
        code[0].source = setup_cell_source()
    else:
        cell = nbformat.v4.new_code_cell(setup_cell_source())
        nb.cells.insert(nb.cells.index(first_md) + 1, cell)
    for i, c in enumerate(nb.cells):
        if c.cell_type == "code":
            c.outputs, c.execution_count = [], None
        c["id"] = f"cell-{i}"  # stable ids: a re-sync changes nothing unless a cell did
    nb.metadata["jupytext"] = {"formats": "ipynb,py:percent"}
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata.setdefault("accelerator", "GPU")  # Colab: ask for a GPU runtime
    return nb


def sync() -> None:
    for path in chapter_sources():
        nb = expected_notebook(path)
        jupytext.write(nb, path, fmt="py:percent")
        jupytext.write(nb, path.with_suffix(".ipynb"))
        print(f"synced {path.name} -> {path.with_suffix('.ipynb').name}")


def sources(nb) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def check() -> int:
    problems = []
    chapters = chapter_sources()
    if not chapters:
        problems.append("no chapters found in notebooks/")
    for path in chapters:
        ipynb = path.with_suffix(".ipynb")
        if not ipynb.exists():
            problems.append(f"{ipynb.name} is missing: run `python scripts/notebooks.py sync`")
            continue
        expected = expected_notebook(path)
        if sources(jupytext.read(path, fmt="py:percent")) != sources(expected):
            problems.append(f"{path.name}: the Colab badge or setup cell is out of date: run sync")
        actual = nbformat.read(ipynb, as_version=4)
        if sources(actual) != sources(expected):
            problems.append(f"{ipynb.name} differs from {path.name} in cell sources: run sync")
        if any(c.get("outputs") for c in actual.cells if c.cell_type == "code"):
            problems.append(f"{ipynb.name} carries outputs: commit notebooks without outputs (run sync)")
    for ipynb in NOTEBOOKS.glob("*.ipynb"):
        if not ipynb.with_suffix(".py").exists():
            problems.append(f"{ipynb.name} has no .py source")
    for p in problems:
        print("notebooks:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "sync":
        sync()
    elif command == "check":
        raise SystemExit(check())
    else:
        raise SystemExit(f"unknown command {command!r}; use sync or check")
