#!/usr/bin/env python
"""Look at the built book as a reader would: every page exists, has its figures, shows no error, reads offline.

    python scripts/check_book.py [_build/html] [--toc toc.yml] [--screenshots DIR]

Checks each page listed in the table of contents:

- the HTML exists; every code cell that made a figure left an <img> whose file exists; a chapter has a figure;
- no cell output is a traceback or an error, and no cell output shows a path of the machine that built the book
  (the repository, the home folder, /tmp, /root, /home, the results store);
- MathJax is the copy shipped in the book's ``_static`` (the file exists), not a CDN: the pages read offline;
- the labelled blocks of the page's source render: as many proof blocks (sphinx-proof's ``proof`` class) as the
  source has ``{prf:...}`` directives, and as many exercise and solution blocks (sphinx-exercise's classes) as it
  has ``{exercise}`` and ``{solution}`` directives;
- the book has a notation page (a page named ``notation`` in the table of contents).

With --screenshots (needs Debian's chromium) it also renders each page to a PNG.
"""

from __future__ import annotations

import argparse
import html as html_lib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# Error outputs as myst-nb renders them (an exception's traceback, an error stream); not source code that
# merely mentions an exception.
ERROR_PATTERNS = [r'class="[^"]*output[^"]*(error|traceback)', r"Traceback \(most recent call last\)"]


def without_expected_errors(text: str) -> str:
    """The page without the cells tagged ``raises-exception`` (the student edition's stubs raise there on purpose)."""
    parts = re.split(r'(?=<div class="cell[ "])', text)
    return "".join(p for p in parts if not re.match(r'<div class="cell[^"]*tag_raises-exception', p))


def toc_pages(toc_file: Path) -> list[str]:
    toc = yaml.safe_load(toc_file.read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            pages.append(chapter["file"])
    return pages


LOCAL_MATHJAX = Path("/usr/share/javascript/mathjax/MathJax.js")  # Debian's libjs-mathjax (MathJax 2)


def offline_copy(html: Path, text: str) -> Path:
    """A copy of the page beside it for the screenshot.  A page of this book loads the MathJax shipped in its
    ``_static``; a page that still loads MathJax from a CDN gets Debian's package instead where it is installed
    (these machines are offline), so that the screenshot shows the math as a reader online sees it."""
    if LOCAL_MATHJAX.exists() and CDN_MATHJAX.search(text):
        # The page configures MathJax 3 to process the "math" spans that myst-nb otherwise marks as ignored;
        # say the same to MathJax 2.
        text = re.sub(
            r"<script>window.MathJax = [^<]*</script>",
            '<script type="text/x-mathjax-config">MathJax.Hub.Config({tex2jax: {processClass: '
            '"tex2jax_process|mathjax_process|math|output_area"}});</script>',
            text,
        )
        text = CDN_MATHJAX.sub(f'<script src="{LOCAL_MATHJAX.as_uri()}?config=TeX-AMS-MML_HTMLorMML"></script>', text)
    shot = html.with_name(f".screenshot-{html.name}")
    shot.write_text(text)
    return shot


# ------------------------------------------------------------------------------------------- offline MathJax
CDN_MATHJAX = re.compile(r'<script[^>]*src="https?://[^"]*mathjax[^"]*"[^>]*>\s*</script>', re.IGNORECASE)
SCRIPT_SRC = re.compile(r'<script[^>]*\ssrc="([^"]*mathjax[^"]*)"', re.IGNORECASE)


def mathjax_problems(html: Path, text: str) -> list[str]:
    """Where the page's MathJax comes from: a script in the book's own _static that exists, never a CDN."""
    if CDN_MATHJAX.search(text):
        return ["loads MathJax from a CDN (without a network the math shows as raw TeX): bundle it (book.yml)"]
    sources = [src for src in SCRIPT_SRC.findall(text) if not src.startswith(("http:", "https:", "//"))]
    if not sources:
        return ["loads no MathJax at all"] if 'class="math' in text else []
    missing = [src for src in sources if not (html.parent / src.split("?")[0]).is_file()]
    return [f"MathJax script {src} does not exist in the built book" for src in missing]


# ---------------------------------------------------------------------------------- paths of the builder
def builder_paths() -> list[str]:
    """Absolute paths that a published page must not show: this repository, the home folder, the results store,
    and the usual roots of a machine's folders."""
    paths = {str(ROOT), str(Path.home()), "/tmp/", "/root/", "/home/", "/Users/"}
    store = os.environ.get("GAMMANET_STORE", "").strip()
    if store:
        paths.add(str(Path(store).expanduser()))
    return sorted(p for p in paths if p not in ("/", ""))


def outputs(text: str) -> list[str]:
    """The HTML of the page's cell outputs (myst-nb's ``cell_output`` containers)."""
    parts = re.split(r'(?=<div class="cell[ "])', text)
    return [p[p.index('class="cell_output') :] for p in parts if 'class="cell_output' in p]


def path_problems(text: str) -> list[str]:
    found = sorted({path for out in outputs(text) for path in builder_paths() if path in html_lib.unescape(out)})
    return [f"a cell output shows the path {path} of the machine that built the book" for path in found]


# ----------------------------------------------------------------------------------- proof and exercises
DIRECTIVES = {
    "proof blocks": (
        re.compile(r"^\s*(?:#\s*)?(`{3,}|:{3,})\{prf:[a-z]+\}", re.M),
        re.compile(r'<div class="proof[ "]'),
    ),
    "exercise blocks": (
        re.compile(r"^\s*(?:#\s*)?(`{3,}|:{3,})\{exercise\}", re.M),
        re.compile(r'<div class="exercise[ "]'),
    ),
    "solution blocks": (
        re.compile(r"^\s*(?:#\s*)?(`{3,}|:{3,})\{solution\}", re.M),
        re.compile(r'<div class="solution[ "]'),
    ),
}


def page_source(toc_file: Path, page: str) -> str:
    """The markdown the page was built from (its .md, or the markdown cells of its .ipynb), "" if not found."""
    base = toc_file.parent / page
    for suffix in (".md", ".ipynb"):
        path = base.with_suffix(suffix)
        if path.exists():
            if suffix == ".md":
                return path.read_text()
            nb = json.loads(path.read_text())
            return "\n".join(
                "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                for c in nb["cells"]
                if c["cell_type"] == "markdown"
            )
    return ""


def block_problems(source: str, text: str) -> tuple[list[str], dict]:
    counts, problems = {}, []
    for name, (in_source, in_html) in DIRECTIVES.items():
        expected, rendered = len(in_source.findall(source)), len(in_html.findall(text))
        counts[name] = rendered
        if rendered < expected:
            problems.append(f"{expected} {name} in the source, {rendered} rendered (is its extension in book.yml?)")
    return problems, counts


def check(html_root: Path, toc_file: Path, screenshots: Path | None) -> int:
    problems, report = [], []
    pages = toc_pages(toc_file)
    if not any(Path(page).name == "notation" for page in pages):
        problems.append(f"{toc_file}: no notation page (a page named 'notation') in the table of contents")
    for page in pages:
        html = html_root / f"{page}.html"
        if not html.exists():
            problems.append(f"{html} is missing")
            continue
        text = html.read_text(errors="replace")
        images = re.findall(r'<img[^>]+src="([^"]+)"', text)
        images = [i for i in images if "_images/" in i]  # cell outputs; not the theme's logo or badges
        missing = [i for i in images if not (html.parent / i).exists()]
        errors = [p for p in ERROR_PATTERNS if re.search(p, without_expected_errors(text))]
        math = text.count('class="math')
        blocks, counts = block_problems(page_source(toc_file, page), text)
        report.append(
            f"{page}: {len(images)} figures, {math} math blocks, "
            + ", ".join(f"{n} {name}" for name, n in counts.items())
            + f", {len(errors)} error outputs"
        )
        if missing:
            problems.append(f"{page}: figure files missing: {missing}")
        if errors:
            problems.append(f"{page}: error output found ({errors[0]})")
        if page.startswith("notebooks/") and not images:
            problems.append(f"{page}: a chapter without a single figure")
        problems += [f"{page}: {p}" for p in mathjax_problems(html, text) + path_problems(text) + blocks]
        if screenshots is not None:
            browser = shutil.which("chromium") or shutil.which("chromium-browser")
            if not browser:
                problems.append("--screenshots needs chromium (apt-get install chromium)")
            else:
                screenshots.mkdir(parents=True, exist_ok=True)
                out = screenshots / (page.replace("/", "_") + ".png")
                shot = offline_copy(html, text)
                subprocess.run(
                    [
                        browser,
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--hide-scrollbars",
                        "--window-size=1280,4000",
                        "--virtual-time-budget=20000",
                        f"--user-data-dir={screenshots / '.profile'}",
                        f"--screenshot={out}",
                        shot.resolve().as_uri(),
                    ],
                    capture_output=True,
                    timeout=120,
                )
                shot.unlink()
                report.append(f"  screenshot: {out}" if out.exists() else f"  screenshot failed for {page}")
    print("\n".join(report))
    for p in problems:
        print("book:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("html", nargs="?", default=str(ROOT / "_build" / "html"))
    parser.add_argument("--toc", default=str(ROOT / "toc.yml"))
    parser.add_argument("--screenshots", default=None)
    args = parser.parse_args()
    sys.exit(check(Path(args.html), Path(args.toc), Path(args.screenshots) if args.screenshots else None))
