"""scripts/check_book.py reads a built page as a reader gets it: MathJax from the book, no path of the builder in
an output, the proof/exercise/solution blocks of the source rendered; and gammanet.sphinxext numbers by chapter."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from check_book import block_problems, check, mathjax_problems, path_problems  # noqa: E402

from gammanet.sphinxext import renumber  # noqa: E402

LOCAL = '<script defer="defer" src="../_static/mathjax/tex-chtml.js"></script><span class="math">x</span>'
CDN = '<script async="async" src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>'


def page(tmp_path, text, name="notebooks/05_deep.html"):
    html = tmp_path / name
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(text)
    return html


def test_mathjax_must_be_the_books_own_copy(tmp_path):
    html = page(tmp_path, LOCAL)
    assert mathjax_problems(html, LOCAL) == [
        "MathJax script ../_static/mathjax/tex-chtml.js does not exist in the built book"
    ]
    (tmp_path / "_static" / "mathjax").mkdir(parents=True)
    (tmp_path / "_static" / "mathjax" / "tex-chtml.js").write_text("//")
    assert mathjax_problems(html, LOCAL) == []
    assert "CDN" in mathjax_problems(html, CDN + '<span class="math">x</span>')[0]


def test_a_builder_path_in_an_output_is_found(tmp_path):
    cell = (
        '<div class="cell docutils container"><div class="cell_input">print(store)</div>'
        '<div class="cell_output docutils container"><pre>ch4_shallow: 1/1 units finished in {}</pre></div></div>'
    )
    assert path_problems(cell.format("the results store, folder ch4_shallow-0123")) == []
    assert any("/tmp/" in p for p in path_problems(cell.format("/tmp/store/ch4_shallow-0123")))
    assert any(str(ROOT) in p for p in path_problems(cell.format(f"{ROOT}/results/store/x")))
    assert path_problems("<p>the prose may name /tmp/</p>") == []  # only cell outputs are read


@pytest.mark.parametrize(
    "rendered, problems",
    [
        (
            '<div class="proof theorem admonition"></div><div class="proof admonition"></div>'
            '<div class="exercise admonition"></div><div class="solution dropdown admonition"></div>',
            0,
        ),
        ('<div class="proof theorem admonition"></div>', 3),
    ],
)
def test_the_sources_blocks_must_render(rendered, problems):
    source = (
        "```{prf:theorem} T\n:label: t\n```\n```{prf:proof}\n```\n# ```{exercise} E\n:label: ex-5-1\n```\n"
        "```{solution} ex-5-1\n```\n"
    )
    found, counts = block_problems(source, rendered)
    assert len(found) == problems
    assert counts["exercise blocks"] == rendered.count("exercise admonition")


def test_the_book_needs_a_notation_page(tmp_path, capsys):
    (tmp_path / "toc.yml").write_text("format: jb-book\nroot: intro\n")
    page(tmp_path / "html", "<p>hello</p>", "intro.html")
    assert check(tmp_path / "html", tmp_path / "toc.yml", None) == 1
    assert "no notation page" in capsys.readouterr().out


def test_exercises_and_proof_blocks_are_numbered_by_chapter():
    numbers = {
        "notebooks/05_deep": {
            "exercise": {"ex-5-2": (7,), "ex-5-1": (9,), "other": (10,)},
            "theorem": {"thm-b": (12,), "thm-a": (11,)},
            "figure": {"f": (3,)},
        },
        "notation": {"remark": {"r": (4,)}},
    }
    renumber(numbers)
    assert numbers["notebooks/05_deep"]["exercise"] == {"ex-5-2": (5, 2), "ex-5-1": (5, 1), "other": (10,)}
    assert numbers["notebooks/05_deep"]["theorem"] == {"thm-a": (5, 1), "thm-b": (5, 2)}  # in the page's order
    assert numbers["notebooks/05_deep"]["figure"] == {"f": (3,)} and numbers["notation"]["remark"] == {"r": (4,)}
