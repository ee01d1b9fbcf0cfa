"""A Slurm job array for an experiment, rendered from one template (``job_array.sbatch`` beside this module).

Task K of ``--array=0-(N-1)`` runs ``python -m gammanet run EXPERIMENT --shard K/N --store STORE``: shard K holds
units K, K+N, K+2N, ... (:func:`~gammanet.experiments.configs.shard_units`), all tasks write to one store, and a
requeued or resubmitted task resumes its units from their checkpoints.  The README's script is
``job_array_script("paper_mlp3_default", "$SCRATCH/gammanet")``; ``tests/test_slurm.py`` checks that and runs the
same template, rendered for a small experiment on the CPU, on a real one-node Slurm.

The template's placeholders are written ``@{name}`` (``$`` belongs to the shell); an ``#SBATCH --option=`` line
whose value renders empty (``--gres`` on the CPU) is left out.
"""

from __future__ import annotations

import re
import string
from numbers import Integral, Real
from pathlib import Path
from typing import Optional, Union

TEMPLATE_FILE = Path(__file__).with_name("job_array.sbatch")
#: Characters a rendered value may hold: paths, names and shell variables such as ``$SCRATCH``, nothing that
#: would need quoting (spaces, quotes, ``;``, ``&``, ...).
SAFE_VALUE = re.compile(r"^[A-Za-z0-9_./$:{}+@%=,~-]+$")
TIME_FORMAT = re.compile(r"^(\d+-)?\d+(:\d{2}){0,2}$")


class _Template(string.Template):
    delimiter = "@"


def _check_safe(name: str, value) -> str:
    text = str(value)
    if not SAFE_VALUE.match(text):
        raise ValueError(
            f"{name}={text!r} is not allowed in the job script; use letters, digits and _./$:{{}}+@%=,~- "
            "only (no spaces or quotes)"
        )
    return text


def _check_positive_int(name: str, value) -> int:
    if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name}={value!r} is not allowed; it must be an integer >= 1")
    return int(value)


def job_array_script(
    experiment: Union[str, Path],
    store: Union[str, Path],
    shards: Optional[int] = None,
    *,
    device: str = "cuda",
    data: str = "torchvision",
    python: str = "python",
    cpus_per_task: int = 4,
    time: str = "24:00:00",
    checkpoint_seconds: float = 120,
    gres: Optional[str] = None,
    job_name: Optional[str] = None,
) -> str:
    """The sbatch script that runs ``experiment`` as a job array of ``shards`` tasks writing to ``store``.

    ``experiment``: a registered name or the path of an experiment JSON file (what ``run`` accepts; it is loaded
    here, so a typo fails now rather than in every task).  ``shards``: N, the number of array tasks; None → one
    task per unit (``len(experiment.units())``; more tasks than units would leave some idle).  ``store`` and
    ``python`` may hold shell variables (``$SCRATCH/gammanet``).  ``device``/``data``: ``run``'s ``--device`` and
    ``--data``.  ``gres``: None → ``gpu:1`` when ``device`` is CUDA, none otherwise.  ``checkpoint_seconds``: the
    least time between checkpoints, i.e. the most work a preempted task redoes.  ``job_name``: None →
    ``gammanet-<experiment name>``.
    """
    from .catalog import load_experiment

    if not isinstance(experiment, (str, Path)):
        raise ValueError(
            f"experiment={experiment!r} is not allowed; give a registered name or the path of an "
            "experiment JSON file (`python -m gammanet configs NAME > FILE.json` writes one)"
        )
    exp = load_experiment(experiment)
    n_units = len(exp.units())
    n = n_units if shards is None else _check_positive_int("shards", shards)
    if n > n_units:
        raise ValueError(
            f"shards={n} is not allowed for {exp.name!r}: it has {n_units} units, so at most {n_units} tasks get work"
        )
    if data not in ("torchvision", "embedded", "auto"):
        raise ValueError(f"data={data!r} is not allowed; choose one of ('torchvision', 'embedded', 'auto')")
    if not isinstance(time, str) or not TIME_FORMAT.match(time):
        raise ValueError(f"time={time!r} is not allowed; give a Slurm time limit such as '24:00:00' or '2-00:00:00'")
    if isinstance(checkpoint_seconds, bool) or not isinstance(checkpoint_seconds, Real) or checkpoint_seconds < 0:
        raise ValueError(f"checkpoint_seconds={checkpoint_seconds!r} is not allowed; give a number of seconds >= 0")
    if gres is None:
        gres = "gpu:1" if str(device).startswith("cuda") else ""
    values = dict(
        job_name=_check_safe("job_name", job_name or f"gammanet-{exp.name}"),
        experiment=_check_safe("experiment", experiment),
        store=_check_safe("store", store),
        python=_check_safe("python", python),
        device=_check_safe("device", device),
        data=data,
        gres=_check_safe("gres", gres) if gres else "",
        shards=n,
        last_task=n - 1,
        cpus_per_task=_check_positive_int("cpus_per_task", cpus_per_task),
        time=time,
        checkpoint_seconds=f"{checkpoint_seconds:g}",
    )
    text = _Template(TEMPLATE_FILE.read_text()).substitute(values)
    lines = [line for line in text.splitlines() if not re.match(r"^#SBATCH --[\w-]+=\s*(#.*)?$", line)]
    return "\n".join(lines) + "\n"


__all__ = ["job_array_script", "TEMPLATE_FILE"]
