"""``python -m gammanet grade SUBMISSION.ipynb|DIR ... --out DIR [--timeout S] [--chapter N]``."""

from __future__ import annotations

import sys
from pathlib import Path

DESCRIPTION = """\
Grade submitted chapters.  Each notebook runs in a fresh kernel of its own (the Python running the grader, with the
chapters' quick settings and the embedded data); only its imports, definitions and exercise cells run, never the
chapter's experiments, and every exercise is scored by the course's own check, called by the grader, never from the
notebook's outputs or check cells.  Writes OUT/grades.csv, OUT/summary.csv and OUT/feedback/<submission>.md; a
rerun reuses what is already graded.  Submissions are code that runs as your user: see "Grading" in instructors.md
to run this isolated."""


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "grade", help="grade submitted chapter notebooks: a gradebook and feedback", description=DESCRIPTION
    )
    p.add_argument(
        "submissions", nargs="+", metavar="SUBMISSION", help="a submitted notebook (.ipynb) or a folder of them"
    )
    p.add_argument("--out", required=True, help="folder for grades.csv, summary.csv and feedback/")
    p.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds each cell and each call of a student's function may run (default 60)",
    )
    p.add_argument(
        "--total-timeout", type=float, default=600.0, help="seconds one submission may take in all (default 600)"
    )
    p.add_argument(
        "--chapter",
        type=int,
        default=None,
        help="grade every submission as this chapter (default: from each notebook's first heading or metadata)",
    )
    p.add_argument(
        "--kernel", default="", help="Jupyter kernel to run submissions in (default: the Python running the grader)"
    )
    p.add_argument("--regrade", action="store_true", help="grade again what an earlier run already graded")
    p.set_defaults(func=cmd_grade)


def find_submissions(paths) -> list:
    """The notebooks named, folders expanded (their *.ipynb, not recursive); clear errors for anything else."""
    found = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            inside = sorted(p for p in path.glob("*.ipynb") if not p.name.startswith("."))
            if not inside:
                raise ValueError(f"{path}: no .ipynb notebooks in this folder")
            found += inside
        elif not path.exists():
            raise ValueError(f"{path}: no such file or folder")
        elif path.suffix != ".ipynb":
            raise ValueError(f"{path}: not a notebook; give .ipynb files or folders of them")
        elif not path.is_file():
            raise ValueError(f"{path}: not a file")
        else:
            found.append(path)
    names: dict[str, Path] = {}
    for path in found:
        if path.stem in names and names[path.stem] != path.resolve():
            raise ValueError(
                f"two submissions are named {path.stem!r} ({names[path.stem]} and {path}); "
                f"the gradebook needs distinct file names"
            )
        names[path.stem] = path.resolve()
    return list(dict.fromkeys(p.resolve() for p in found))


def failed_submission(name: str, chapter: int, err: Exception):
    """Every exercise ``error``, when grading the notebook failed for a reason of the grader's, not the student's."""
    from ..exercises import registry
    from .grade import SubmissionResult, result_row

    note = f"the grader failed on this notebook ({type(err).__name__}: {err}); tell your instructor"
    return SubmissionResult(
        name, chapter, [result_row(ex, "error", note=note) for ex in registry.exercises(chapter)], [note]
    )


def cmd_grade(args) -> int:
    try:
        import IPython  # noqa: F401 — the grader parses cells as IPython does
        import nbclient  # noqa: F401
        from filelock import FileLock, Timeout
    except ImportError as err:
        raise ValueError(f"grading needs {err.name}: pip install 'gammanet[grade]'") from None

    from ..exercises import registry
    from .grade import grade_submission
    from .gradebook import Gradebook, code_version, fingerprint
    from .kernel import KernelStartError
    from .notebook import infer_chapter, read

    from ..validation import check_output_dir, check_positive_float

    for flag, value in (("--timeout", args.timeout), ("--total-timeout", args.total_timeout)):
        check_positive_float(flag, value)  # inf too is refused: a limit must be a number of seconds
    check_output_dir("--out", args.out)
    chapters = registry.chapters()
    if args.chapter is not None and args.chapter not in chapters:
        raise ValueError(
            f"--chapter {args.chapter} has no graded exercises; "
            f"chapters with exercises: {', '.join(map(str, chapters))}"
        )
    paths = find_submissions(args.submissions)
    submissions = []  # everything is checked before anything is graded
    for path in paths:
        nb = read(path)
        chapter = args.chapter if args.chapter is not None else infer_chapter(nb, path, chapters)
        submissions.append((path, nb, chapter))

    book = Gradebook(Path(args.out))
    try:
        lock = FileLock(str(book.out / ".grading.lock"), timeout=0)
        lock.acquire()
    except Timeout:
        raise ValueError(f"another grading run is writing to {book.out}; wait for it to finish") from None
    try:
        version = code_version()
        results = []
        for done, (path, nb, chapter) in enumerate(submissions):
            settings = {
                "chapter": chapter,
                "timeout": args.timeout,
                "total_timeout": args.total_timeout,
                "kernel": args.kernel,
            }
            key = fingerprint(path.read_bytes(), settings, version)
            result = None if args.regrade else book.load(path.stem, key)
            reused = result is not None
            if result is None and not args.regrade and book.started(path.stem, key):
                # An earlier run began this very submission and never finished it: the grader process died in it
                # (a submission's code can kill the process that runs it). Record that, so that it cannot stop
                # the rest of the class again; --regrade tries it once more.
                result = failed_submission(
                    path.stem,
                    chapter,
                    RuntimeError("the grading process died while grading this submission in an earlier run"),
                )
                book.save(result, key)
            elif result is None:
                book.mark_started(path.stem, key)
                try:
                    result = grade_submission(
                        nb,
                        path.stem,
                        chapter,
                        timeout=args.timeout,
                        total_timeout=args.total_timeout,
                        kernel_name=args.kernel,
                    )
                except KernelStartError as err:
                    book.forget_started(path.stem)
                    raise ValueError(
                        f"{err}; {done} of {len(submissions)} submissions are graded and saved in {book.out}"
                    ) from None
                except KeyboardInterrupt:
                    book.forget_started(path.stem)  # interrupted by the user, not killed by the submission
                    print(
                        f"interrupted: {done} of {len(submissions)} submissions are graded and saved in "
                        f"{book.out}; run the same command again to resume",
                        file=sys.stderr,
                    )
                    return 130
                except Exception as err:  # the grader's own failure on this notebook: record it, go on
                    book.forget_started(path.stem)
                    result = failed_submission(path.stem, chapter, err)
                else:
                    book.save(result, key)  # a failure of the grader is not saved: the next run tries again
            results.append(result)
            statuses = ", ".join(f"{e.exercise} {e.status}" for e in result.exercises)
            print(
                f"{result.submission} (chapter {chapter}): {result.points:g} / {result.max_points:g} points "
                f"[{statuses}]" + (" (graded earlier)" if reused else f" in {result.seconds:.1f} s"),
                flush=True,
            )
        book.write(results)
    finally:
        lock.release()
    print(
        f"wrote {book.out / 'grades.csv'}, {book.out / 'summary.csv'} and {len(results)} feedback file(s) in "
        f"{book.out / 'feedback'}",
        file=sys.stderr,
    )
    return 0
