#!/usr/bin/env python
"""Generate the student edition of the chapters from the instructor's (solution) edition.

    python scripts/student.py generate   # writes student/notebooks/*.ipynb from notebooks/*.py
    python scripts/student.py check      # exit 1 if a committed student notebook differs from what
                                         # `generate` produces, or a stub's signature differs from its solution's

Rules (docs/authoring.md): in code cells tagged ``solution`` the lines between ``# BEGIN SOLUTION`` and
``# END SOLUTION`` become ``raise NotImplementedError(...)`` at the marker's indentation; markdown cells tagged
``solution`` are dropped; code cells tagged ``needs-solution``, and solution cells whose stub raises at top level,
get the tag ``raises-exception`` so that nbval and the book build accept the error they raise.
"""

from __future__ import annotations

import ast
import copy
import re
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from notebooks import chapter_sources, expected_notebook  # noqa: E402

OUT = ROOT / "student" / "notebooks"
BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"
MARKER = re.compile(r"^(\s*)# (BEGIN|END) SOLUTION\s*$")


def stub_source(source: str, where: str) -> tuple[str, bool]:
    """Replace every marked block by a ``raise NotImplementedError``; also say whether a raise is at top level."""
    out, inside, top_level = [], False, False
    for number, line in enumerate(source.splitlines(), start=1):
        m = MARKER.match(line)
        if m and m.group(2) == "BEGIN":
            if inside:
                raise ValueError(f"{where}: nested {BEGIN} at line {number}")
            inside, indent = True, m.group(1)
            out.append(f'{indent}raise NotImplementedError("exercise: write your solution here")')
            top_level |= indent == ""
        elif m and m.group(2) == "END":
            if not inside:
                raise ValueError(f"{where}: {END} without {BEGIN} at line {number}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{where}: {BEGIN} without {END}")
    return "\n".join(out), top_level


def add_tag(cell, tag: str) -> None:
    tags = cell.metadata.setdefault("tags", [])
    if tag not in tags:
        tags.append(tag)


def student_notebook(path: Path) -> nbformat.NotebookNode:
    nb = copy.deepcopy(expected_notebook(path))
    cells = []
    for i, cell in enumerate(nb.cells):
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "markdown" and "solution" in tags:
            continue
        if cell.cell_type == "code" and "solution" in tags:
            if BEGIN not in cell.source:
                raise ValueError(f"{path.name} cell {i}: tagged 'solution' but has no {BEGIN} marker")
            cell.source, raises = stub_source(cell.source, f"{path.name} cell {i}")
            cell.metadata["tags"] = [t for t in tags if t != "solution"] + ["exercise"]
            if raises:
                add_tag(cell, "raises-exception")
        elif cell.cell_type == "code" and BEGIN in cell.source:
            raise ValueError(f"{path.name} cell {i}: has {BEGIN} but is not tagged 'solution'")
        if cell.cell_type == "code" and "needs-solution" in tags:
            add_tag(cell, "raises-exception")
        cells.append(cell)
    nb.cells = cells
    first = next(c for c in nb.cells if c.cell_type == "markdown")
    lines = first.source.splitlines()
    # The chapter's title: the first heading line (a MyST label such as "(ch-limit)=" may stand above it).
    title = next((i for i, line in enumerate(lines) if line.startswith("# ")), 0)
    lines[title] = lines[title] + " (student edition)"
    first.source = "\n".join(lines).replace("/blob/main/notebooks/", "/blob/main/student/notebooks/")
    return nb


def functions(source: str) -> dict[str, str]:
    """Top-level and nested ``def`` signatures in a cell: name → ``ast.unparse`` of its arguments."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    return {node.name: ast.unparse(node.args) for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def book_files() -> dict[str, str]:
    """The student book's config, table of contents, landing page and notation page, derived from the
    instructor's."""
    import yaml

    config = yaml.safe_load((ROOT / "book.yml").read_text())
    config["title"] = config["title"] + " (student edition)"
    config["exclude_patterns"] = ["_build/*", "**/.ipynb_checkpoints", ".jupyter_cache/*"]
    config["execute"]["cache"] = ".jupyter_cache"
    toc = yaml.safe_load((ROOT / "toc.yml").read_text())
    # The instructors' pages (the "Teaching" part) stay out of the student book.
    toc["parts"] = [part for part in toc["parts"] if part.get("caption") != "Teaching"]
    intro = (
        (ROOT / "intro.md")
        .read_text()
        .replace(
            "\n\nEvery chapter",
            "\n\n```{note}\nThis is the **student edition**: each exercise's solution is replaced by "
            "a stub that raises `NotImplementedError`, and the check in the next cell tells you, case by case, what is "
            "right and what is not.\n```\n\nEvery chapter",
            1,
        )
    )
    return {
        "book.yml": "# Generated by scripts/student.py from ../book.yml: do not edit.\n"
        + yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
        "toc.yml": "# Generated by scripts/student.py from ../toc.yml: do not edit.\n"
        + yaml.safe_dump(toc, sort_keys=False),
        "intro.md": intro,
        "notation.md": (ROOT / "notation.md").read_text(),
        "references.bib": (ROOT / "references.bib").read_text(),
    }


def generate() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for path in chapter_sources():
        nbformat.write(student_notebook(path), OUT / path.with_suffix(".ipynb").name)
        print(f"student edition: {OUT.relative_to(ROOT) / path.with_suffix('.ipynb').name}")
    for name, text in book_files().items():
        (OUT.parent / name).write_text(text)


def check() -> int:
    problems = []
    for path in chapter_sources():
        target = OUT / path.with_suffix(".ipynb").name
        if not target.exists():
            problems.append(f"{target.relative_to(ROOT)} is missing: run `python scripts/student.py generate`")
            continue
        committed = nbformat.read(target, as_version=4)
        expected = student_notebook(path)
        key = lambda nb: [(c.cell_type, c.source, sorted(c.metadata.get("tags", []))) for c in nb.cells]  # noqa: E731
        if key(committed) != key(expected):
            problems.append(f"{target.relative_to(ROOT)} differs from what the generator produces: run generate")
        # Each stub keeps its solution's signature.
        instructor = [
            c
            for c in jupytext.read(path, fmt="py:percent").cells
            if "solution" in c.metadata.get("tags", []) and c.cell_type == "code"
        ]
        stubs = [c for c in committed.cells if "exercise" in c.metadata.get("tags", [])]
        if len(instructor) != len(stubs):
            problems.append(f"{target.name}: {len(stubs)} stubs for {len(instructor)} solutions")
        for sol, stub in zip(instructor, stubs):
            if functions(sol.source) != functions(stub.source):
                problems.append(
                    f"{target.name}: stub signatures {functions(stub.source)} differ from the "
                    f"solution's {functions(sol.source)}"
                )
    for name, text in book_files().items():
        target = OUT.parent / name
        if not target.exists() or target.read_text() != text:
            problems.append(f"student/{name} is out of date: run `python scripts/student.py generate`")
    for p in problems:
        print("student:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "generate":
        generate()
    elif command == "check":
        raise SystemExit(check())
    else:
        raise SystemExit(f"unknown command {command!r}; use generate or check")
