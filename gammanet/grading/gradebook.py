"""The grading run's files, written so that an interrupted run never leaves a half-written gradebook and resumes.

``OUT/grades.csv``    one row per (submission, exercise): :data:`COLUMNS`;
``OUT/summary.csv``   one row per submission with its total (:data:`SUMMARY_COLUMNS`), what an LMS imports;
``OUT/feedback/<submission>.md``   each exercise's status, points and the check's verdict lines with hints;
``OUT/.records/<submission>.json``  one graded submission, saved as soon as it is graded, with a fingerprint of
                                    its notebook, the settings and the grader's code: a rerun reuses it when nothing
                                    changed.

Every file is written to a temporary name and renamed over the old one (atomic on POSIX), and the CSV files and
feedback are written only once every submission is graded.  A lock file stops two runs writing one folder.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from pathlib import Path

from .grade import SubmissionResult

COLUMNS = ["submission", "chapter", "exercise", "status", "passed_cases", "total_cases", "points", "max_points"]
SUMMARY_COLUMNS = ["submission", "chapter", "points", "max_points", "percent"]
RECORDS = ".records"


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def number(x: float) -> str:
    return f"{round(float(x), 2):g}"


def code_version() -> str:
    """A hash of the package's Python sources: the checks, their reference implementations and the grader."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def fingerprint(notebook_bytes: bytes, settings: dict, version: str) -> str:
    digest = hashlib.sha256(notebook_bytes)
    digest.update(json.dumps(settings, sort_keys=True).encode())
    digest.update(version.encode())
    return digest.hexdigest()


class Gradebook:
    """The output folder of one grading run (module docstring)."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)

    def record_path(self, name: str) -> Path:
        return self.out / RECORDS / f"{name}.json"

    def load(self, name: str, key: str):
        """The saved result of ``name`` if it was graded with the same fingerprint, else None."""
        try:
            data = json.loads(self.record_path(name).read_text(encoding="utf-8"))
            return SubmissionResult.from_dict(data["result"]) if data.get("fingerprint") == key else None
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, result: SubmissionResult, key: str) -> None:
        atomic_write(
            self.record_path(result.submission),
            json.dumps({"fingerprint": key, "result": result.to_dict()}, ensure_ascii=False, indent=1),
        )
        self.forget_started(result.submission)

    def forget_started(self, name: str) -> None:
        self.started_path(name).unlink(missing_ok=True)

    def started_path(self, name: str) -> Path:
        return self.out / RECORDS / f"{name}.started"

    def mark_started(self, name: str, key: str) -> None:
        """Note that grading ``name`` (with fingerprint ``key``) has begun; :meth:`save` removes the note."""
        atomic_write(self.started_path(name), key)

    def started(self, name: str, key: str) -> bool:
        """Did an earlier run begin grading ``name`` with this fingerprint and never save a result?"""
        try:
            return self.started_path(name).read_text(encoding="utf-8") == key
        except OSError:
            return False

    def write(self, results: list) -> None:
        rows, summary = [], []
        for r in results:
            for e in r.exercises:
                rows.append(
                    [
                        r.submission,
                        r.chapter,
                        e.exercise,
                        e.status,
                        e.passed_cases,
                        e.total_cases,
                        number(e.points),
                        number(e.max_points),
                    ]
                )
            percent = 100 * r.points / r.max_points if r.max_points else 0.0
            summary.append([r.submission, r.chapter, number(r.points), number(r.max_points), f"{percent:.1f}"])
        for r in results:
            atomic_write(self.out / "feedback" / f"{r.submission}.md", feedback_markdown(r))
        atomic_write(self.out / "summary.csv", _csv(SUMMARY_COLUMNS, summary))
        atomic_write(self.out / "grades.csv", _csv(COLUMNS, rows))


def _csv(header: list, rows: list) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _md(text: str, table: bool = False) -> str:
    """Plain text in Markdown: the characters that would format it are escaped (backticks keep their code spans;
    an underscore inside a word and a bar outside a table do not format)."""
    for ch in "\\*<>" + ("|" if table else ""):
        text = text.replace(ch, "\\" + ch)
    return text


def feedback_markdown(r: SubmissionResult) -> str:
    """A student's feedback: the total, a table of the exercises, then each exercise's verdict lines and hints."""
    out = [
        f"# Feedback for {_md(r.submission)}: chapter {r.chapter}",
        "",
        f"Total: **{number(r.points)} / {number(r.max_points)}** points.",
        "",
        "| exercise | status | cases passed | points |",
        "|---|---|---|---|",
    ]
    for e in r.exercises:
        out.append(
            f"| {e.exercise} {_md(e.title, table=True)} | {e.status} | {e.passed_cases} / {e.total_cases} | "
            f"{number(e.points)} / {number(e.max_points)} |"
        )
    for e in r.exercises:
        out += [
            "",
            f"## Exercise {e.exercise}: {_md(e.title)}",
            "",
            f"**{e.status}**: {e.passed_cases} of {e.total_cases} cases, {number(e.points)} / "
            f"{number(e.max_points)} points.",
            "",
        ]
        if e.note:
            out += [_md(e.note), ""]
        for passed, message in e.lines:
            first, *rest = message.split("\n")
            out.append(f"- {'✓' if passed else '✗'} {_md(first)}")
            out += [f"  - {_md(line.strip())}" for line in rest if line.strip()]  # the hint, under its line
    if r.notes:
        out += ["", "## Notes from the grader", ""] + [f"- {_md(n)}" for n in r.notes]
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"
