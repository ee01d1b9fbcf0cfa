"""Reading a submission: which chapter it is, and which of its code the grader runs.

The grader never runs a chapter's experiments.  It runs, in the submission's own order:

- **whole**, every code cell that binds one of the chapter's exercise functions at top level (``def name``,
  ``name = ...``), and every code cell tagged ``grading-setup`` (a cell the chapter's author marks as needed by the
  exercises' functions);
- from every other code cell, only its top-level *definitions* — ``import`` statements, ``def`` and ``class``
  statements, and assignments of literal constants — and of those only the ones the cells above need, directly or
  through other definitions (a name-dependency closure).  A plot, a training loop or any other computation is never
  run, and neither is a check cell's call.

So grading a chapter costs its imports and the student's functions, not its experiments.  What this gives up: a
student's function that reads a *variable computed* by the chapter (not a literal) finds it undefined; the
chapters' exercise functions take everything they need as arguments, and a chapter whose exercise needs more tags
the cell that computes it ``grading-setup``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

#: Tag of a code cell the grader always runs whole (its exercises need what it computes).
SETUP_TAG = "grading-setup"

HEADING = re.compile(r"^\s*#\s+([0-9]+)\.\s+(\S.*?)\s*$")


@dataclass(frozen=True)
class Step:
    """One piece of code the grader executes: ``kind`` is "exercise" (a whole cell that defines exercise
    functions), "setup" (a whole cell tagged ``grading-setup``) or "definition" (one top-level statement)."""

    source: str
    kind: str
    cell: int  # the code cell's index in the submission (0-based, among all cells)
    defines: frozenset = frozenset()


def read(path: Path) -> nbformat.NotebookNode:
    """The submission as an nbformat-4 notebook; a clear error for a file that is not one."""
    try:
        nb = nbformat.read(str(path), as_version=4)
        # nbformat.read only warns on a schema error; a cell whose source is a number or whose tags are not a list
        # would then break the grader halfway through a batch, so validate here and refuse it in one line
        nbformat.validate(nb)
        return nb
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except Exception as err:  # JSON, schema and encoding errors alike
        raise ValueError(
            f"{path}: not a readable Jupyter notebook ({type(err).__name__}: "
            f"{str(err).splitlines()[0] if str(err) else ''})"
        ) from None


#: A MyST target line, ``(label)=``.
TARGET = re.compile(r"^\([\w:-]+\)=$")


def first_heading(nb: nbformat.NotebookNode):
    """``(N, title)`` from the notebook's first level-1 Markdown heading when it reads ``# N. Title``, else None.
    Markdown above it without a level-1 heading (a cell where a student wrote their name) does not matter."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            line = line.strip()
            if line.startswith("# "):
                m = HEADING.match(line)
                return (int(m.group(1)), m.group(2)) if m else None
    return None


def imports_gammanet(nb: nbformat.NotebookNode) -> bool:
    """Does any code cell import gammanet (every chapter of the course does)?"""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = parse(cell.source)
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "gammanet" for a in node.names):
                return True
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "gammanet":
                return True
    return False


def infer_chapter(nb: nbformat.NotebookNode, path: Path, chapters: list) -> int:
    """The chapter a submission belongs to: ``metadata.gammanet.chapter`` when the notebook carries it, else the
    number of its first heading ``# N. Title``; ValueError (one line) for a notebook that is not a chapter of this
    course, or a chapter without graded exercises."""
    meta = nb.metadata.get("gammanet", {})
    chapter = meta.get("chapter") if isinstance(meta, dict) else None
    heading = first_heading(nb)
    if chapter is None:
        if heading is None:
            raise ValueError(
                f"{path}: not a chapter of the gammanet course (it has no level-1 heading '# N. Title'); "
                f"give --chapter N to grade it anyway"
            )
        chapter = heading[0]
    if not isinstance(chapter, int) or isinstance(chapter, bool):
        raise ValueError(f"{path}: metadata gammanet.chapter is {chapter!r}, not a chapter number")
    if heading is not None and heading[0] != chapter:
        raise ValueError(
            f"{path}: its metadata says chapter {chapter} but its heading says chapter {heading[0]}; "
            f"give --chapter N to say which it is"
        )
    if not imports_gammanet(nb):
        raise ValueError(
            f"{path}: not a chapter of the gammanet course (no code cell imports gammanet); "
            f"give --chapter N to grade it anyway"
        )
    if chapter not in chapters:
        raise ValueError(
            f"{path}: chapter {chapter} has no graded exercises "
            f"(chapters with exercises: {', '.join(map(str, chapters))})"
        )
    return chapter


# ------------------------------------------------------------------------------------------ which code runs
#: Cell magics whose body is Python run in the notebook's namespace: for the analysis the body is the cell (the
#: kernel still runs the cell with its magic), so that ``%%time`` above a solution does not hide its ``def``.
PYTHON_BODY_MAGIC = re.compile(r"^\s*%%(time|capture)\b[^\n]*\n")


def python_source(source: str) -> str:
    """A cell's source with IPython syntax (``%magic``, ``!shell``) turned into plain Python calls."""
    from IPython.core.inputtransformer2 import TransformerManager

    source = PYTHON_BODY_MAGIC.sub("", source, count=1)
    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # the kernel will report what is wrong with the cell
        return source


def parse(source: str):
    try:
        return ast.parse(python_source(source))
    except (SyntaxError, ValueError):
        return None


def bound_names(node: ast.stmt) -> set:
    """The names a top-level statement binds in the module namespace."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
    targets = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    names = set()
    for target in targets:
        names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def used_names(node: ast.AST) -> set:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def is_definition(node: ast.stmt) -> bool:
    """Cheap to run and without effects beyond binding names: imports, def, class, literal constants."""
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        try:
            ast.literal_eval(node.value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return False
        return all(isinstance(t, ast.Name) for t in (node.targets if isinstance(node, ast.Assign) else [node.target]))
    return False


def mentions(source: str, names) -> set:
    """Names defined in a cell that does not parse (a syntax error): the kernel reports the error for them."""
    return {n for n in names if re.search(rf"^\s*(?:def\s+{n}\b|{n}\s*=)", source, re.MULTILINE)}


def plan(nb: nbformat.NotebookNode, names) -> list:
    """The :class:`Step` s to run for exercises whose functions are ``names`` (module docstring)."""
    names = set(names)
    whole, candidates = [], []  # (position, Step), (position, Step, node)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        tags = cell.metadata.get("tags", [])
        tree = parse(cell.source)
        if tree is None:
            found = mentions(cell.source, names)
            if found:
                whole.append(Step(cell.source, "exercise", index, frozenset(found)))
            continue
        bound = set().union(*(bound_names(n) for n in tree.body)) if tree.body else set()
        if bound & names:
            whole.append(Step(cell.source, "exercise", index, frozenset(bound & names)))
        elif SETUP_TAG in tags:
            whole.append(Step(cell.source, "setup", index, frozenset()))
        else:
            for node in tree.body:
                if is_definition(node):
                    candidates.append(
                        (Step(ast.unparse(node), "definition", index, frozenset(bound_names(node))), node)
                    )
    needed = set()
    for step in whole:
        tree = parse(step.source)
        needed |= used_names(tree) if tree is not None else set()
    chosen = [False] * len(candidates)
    changed = True
    while changed:  # the definitions the whole cells need, transitively
        changed = False
        for k, (step, node) in enumerate(candidates):
            star = isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names)
            if not chosen[k] and (star or step.defines & needed):
                chosen[k], changed = True, True
                needed |= used_names(node)
    steps = whole + [step for k, (step, _) in enumerate(candidates) if chosen[k]]
    return sorted(steps, key=lambda s: s.cell)  # stable: a cell's statements keep their order
