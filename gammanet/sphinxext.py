"""A Sphinx extension for the book build (``book.yml``, ``extra_extensions``): numbers by chapter.

sphinx-exercise and sphinx-proof number their blocks through the whole book ("Exercise 17", "Theorem 9").  In this
book an exercise is "Exercise 5.2" everywhere: in the chapter's text, in its check (``@exercise("5.2", ...)``), in
the grader's gradebook and in ``instructors.md``, and its label says so (``ex-5-2``).  After Sphinx has numbered
the blocks, this extension renumbers them:

- an exercise labelled ``ex-<c>-<n>`` is numbered ``c.n`` (its solution's title follows);
- the proof blocks of chapter ``c`` (a page ``notebooks/<c>_name``: theorems, remarks, conjectures, ...) are
  numbered ``c.1``, ``c.2``, ... per kind, in the order of the page;
- everything else keeps Sphinx's numbers.

It also has every page load MathJax (the navigation's chapter titles carry mathematics on pages without any).

Nothing here is needed to use the library; it is imported only by the book build.
"""

from __future__ import annotations

import re
from typing import Any

#: An exercise's label: chapter and number.
EXERCISE_LABEL = re.compile(r"^ex-([0-9]+)-([0-9]+)$")
#: A chapter's page: notebooks/05_deep (the number before the first underscore of the file name).
CHAPTER_PAGE = re.compile(r"(?:^|/)([0-9]+)_[^/]*$")
#: The kinds of block that sphinx-proof numbers (sphinx_proof.proof_type.PROOF_TYPES).
PROOF_KINDS = (
    "axiom",
    "theorem",
    "lemma",
    "algorithm",
    "definition",
    "remark",
    "conjecture",
    "corollary",
    "criterion",
    "example",
    "property",
    "observation",
    "proposition",
    "assumption",
    "notation",
)


def renumber(fignumbers: dict) -> dict:
    """Renumber ``{docname: {kind: {id: number tuple}}}`` (Sphinx's ``env.toc_fignumbers``) in place, as the module
    docstring says; returns it."""
    for docname, kinds in fignumbers.items():
        page = CHAPTER_PAGE.search(docname)
        chapter = int(page.group(1)) if page else None
        for kind, numbers in kinds.items():
            if kind == "exercise":
                for ident in numbers:
                    label = EXERCISE_LABEL.match(ident)
                    if label:
                        numbers[ident] = (int(label.group(1)), int(label.group(2)))
            elif kind in PROOF_KINDS and chapter is not None:
                for k, ident in enumerate(sorted(numbers, key=numbers.get), start=1):
                    numbers[ident] = (chapter, k)
    return fignumbers


def _on_env_updated(app: Any, env: Any) -> list:
    renumber(env.toc_fignumbers)
    return []


def setup(app: Any) -> dict:
    # After Sphinx's own numbering (the toctree collector, priority 500) has filled env.toc_fignumbers.
    app.connect("env-get-updated", _on_env_updated, priority=900)
    # Load MathJax on every page, not only on pages with equations: the navigation shows chapter titles with
    # mathematics (1/N^γ) on every page.
    app.set_html_assets_policy("always")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
