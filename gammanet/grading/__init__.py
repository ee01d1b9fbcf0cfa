"""Grading submitted chapters: ``python -m gammanet grade SUBMISSION.ipynb|DIR ... --out DIR``.

- :mod:`.notebook`   which chapter a submission is, and which of its code runs (definitions, never experiments);
- :mod:`.kernel`     one fresh kernel per submission (nbclient), time limits, recovery from hangs and crashes;
- :mod:`.transport`  the data that crosses between the grader and the kernel (the student's return values);
- :mod:`.runner`     the submission's functions as callables in the grader, running in the kernel;
- :mod:`.grade`      scoring each exercise with its registered check (:mod:`gammanet.exercises.registry`);
- :mod:`.gradebook`  grades.csv, summary.csv, feedback/*.md, written atomically, resumable;
- :mod:`.cli`        the ``grade`` command.
"""
