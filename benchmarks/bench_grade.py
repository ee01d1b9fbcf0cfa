"""How long does grading a submission take, next to running the chapter?  Side by side, per chapter.

    python benchmarks/bench_grade.py [--chapters 1 2 ...] [--repeats 3] [--no-full]

(a) grading: ``gammanet.grading.grade_submission`` on the chapter's instructor edition (every exercise solved) —
    a fresh kernel, the submission's imports, definitions and exercise cells, every check; best of ``--repeats``;
(b) the chapter itself: every cell of the instructor edition executed by nbclient with the quick settings
    (``GAMMANET_QUICK=1``, the embedded data, an empty results store), as ``make test`` runs it; once.

The ratio (b)/(a) is what skipping the experiments buys.  Other processes on a shared machine only slow a run
down, hence the best of several gradings; (b) runs once because it takes minutes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing
sys.path.insert(0, str(ROOT / "scripts"))

from notebooks import chapter_sources, expected_notebook  # noqa: E402

from gammanet.exercises import registry  # noqa: E402
from gammanet.grading.grade import grade_submission  # noqa: E402
from gammanet.grading.notebook import first_heading  # noqa: E402


def grade_seconds(nb, chapter: int, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = grade_submission(nb, "bench", chapter)
        best = min(best, time.perf_counter() - start)
        assert all(e.status == "passed" for e in result.exercises), [(e.exercise, e.status) for e in result.exercises]
    return best


def full_seconds(nb) -> float:
    import nbformat
    from nbclient import NotebookClient

    with tempfile.TemporaryDirectory() as store:
        os.environ.update(GAMMANET_QUICK="1", GAMMANET_DATA="embedded", GAMMANET_STORE=store)
        client = NotebookClient(
            nbformat.from_dict(nb),
            timeout=3600,
            kernel_name="python3",
            resources={"metadata": {"path": str(ROOT / "notebooks")}},
        )
        start = time.perf_counter()
        client.execute()
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapters", type=int, nargs="+", default=None, help="default: every chapter")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-full", action="store_true", help="time only the grading")
    args = parser.parse_args()
    chapters = {first_heading(expected_notebook(p))[0]: p for p in chapter_sources()}
    wanted = args.chapters or [c for c in sorted(chapters) if c in registry.chapters()]
    print(f"{'chapter':>7}  {'exercises':>9}  {'grading (s)':>11}  {'chapter run (s)':>15}  {'ratio':>6}")
    for chapter in wanted:
        nb = expected_notebook(chapters[chapter])
        graded = grade_seconds(nb, chapter, args.repeats)
        full = None if args.no_full else full_seconds(nb)
        ratio = f"{full / graded:6.0f}" if full else "     -"
        print(
            f"{chapter:>7}  {len(registry.exercises(chapter)):>9}  {graded:>11.1f}  "
            f"{(f'{full:.0f}' if full else '-'):>15}  {ratio}",
            flush=True,
        )


if __name__ == "__main__":
    main()
