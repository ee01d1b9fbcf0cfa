#!/usr/bin/env python
"""Look at the built book as a reader would: every chapter page exists, has its figures, and shows no error.

    python scripts/check_book.py [_build/html] [--screenshots DIR]

Checks each page listed in toc.yml: the HTML exists; every code cell that made a figure left an <img> whose file
exists; no cell output is a traceback or an error; math is present as MathJax markup.  With --screenshots (needs
Debian's chromium) it also renders each page to a PNG.
"""
from __future__ import annotations

import argparse
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
    """A copy of the page beside it whose MathJax comes from Debian's package when the CDN cannot be reached
    (these machines are offline): the screenshot then shows the math as a reader online sees it."""
    if LOCAL_MATHJAX.exists():
        # The page configures MathJax 3 to process the "math" spans that myst-nb otherwise marks as ignored;
        # say the same to MathJax 2.
        text = re.sub(r"<script>window.MathJax = [^<]*</script>",
                      '<script type="text/x-mathjax-config">MathJax.Hub.Config({tex2jax: {processClass: '
                      '"tex2jax_process|mathjax_process|math|output_area"}});</script>', text)
        text = re.sub(r'<script[^>]*src="https://cdn[^"]*mathjax[^"]*"[^>]*>\s*</script>',
                      f'<script src="{LOCAL_MATHJAX.as_uri()}?config=TeX-AMS-MML_HTMLorMML"></script>', text)
    shot = html.with_name(f".screenshot-{html.name}")
    shot.write_text(text)
    return shot


def check(html_root: Path, toc_file: Path, screenshots: Path | None) -> int:
    problems, report = [], []
    for page in toc_pages(toc_file):
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
        report.append(f"{page}: {len(images)} figures, {math} math blocks, {len(errors)} error outputs")
        if missing:
            problems.append(f"{page}: figure files missing: {missing}")
        if errors:
            problems.append(f"{page}: error output found ({errors[0]})")
        if page.startswith("notebooks/") and not images:
            problems.append(f"{page}: a chapter without a single figure")
        if screenshots is not None:
            browser = shutil.which("chromium") or shutil.which("chromium-browser")
            if not browser:
                problems.append("--screenshots needs chromium (apt-get install chromium)")
            else:
                screenshots.mkdir(parents=True, exist_ok=True)
                out = screenshots / (page.replace("/", "_") + ".png")
                shot = offline_copy(html, text)
                subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                                "--disable-sync", "--hide-scrollbars", "--window-size=1280,4000",
                                "--virtual-time-budget=20000", f"--user-data-dir={screenshots / '.profile'}",
                                f"--screenshot={out}", shot.resolve().as_uri()],
                               capture_output=True, timeout=120)
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
