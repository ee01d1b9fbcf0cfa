"""The registry of named experiments: the papers' (:mod:`gammanet.experiments.paper`) and the chapters'
(:mod:`gammanet.experiments.chapters`), registered here, once.

``EXPERIMENTS`` maps a name to an :class:`~gammanet.experiments.configs.Experiment`; :func:`get_experiment` looks
one up, :func:`register` adds one (e.g. a researcher's own sweep), :func:`load_experiment` also reads a JSON file.
"""

from __future__ import annotations

from typing import Union

from .chapters import CHAPTER_EXPERIMENTS
from .configs import Experiment
from .paper import PAPER_EXPERIMENTS, gamma_product

EXPERIMENTS: dict[str, Experiment] = {}


def register(experiment: Experiment, replace: bool = False) -> Experiment:
    """Add ``experiment`` under its name; a different experiment of the same name is an error unless ``replace``."""
    if not isinstance(experiment, Experiment):
        raise ValueError(f"register needs an Experiment; got {type(experiment).__name__}")
    old = EXPERIMENTS.get(experiment.name)
    if old is not None and old != experiment and not replace:
        raise ValueError(
            f"experiment name {experiment.name!r} is already registered with another configuration; "
            "pass replace=True or choose another name"
        )
    EXPERIMENTS[experiment.name] = experiment
    return experiment


def get_experiment(name: Union[str, Experiment]) -> Experiment:
    """The experiment called ``name``; a ``ValueError`` listing the known names otherwise."""
    if isinstance(name, Experiment):
        return name
    if not isinstance(name, str) or name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; known experiments: {', '.join(sorted(EXPERIMENTS))}")
    return EXPERIMENTS[name]


for _experiment in PAPER_EXPERIMENTS + CHAPTER_EXPERIMENTS:
    register(_experiment)


def load_experiment(name_or_path) -> Experiment:
    """A registered name, or the path of a JSON file holding :meth:`Experiment.to_dict` (what
    ``python -m gammanet configs NAME`` prints): researchers can run their own sweeps without writing code."""
    import json
    from pathlib import Path

    if isinstance(name_or_path, Experiment):
        return name_or_path
    text = str(name_or_path)
    path = Path(text).expanduser()
    if text.endswith(".json") or path.is_file():
        if not path.is_file():
            raise ValueError(f"experiment file {text!r} does not exist")

        def no_duplicates(pairs):
            keys = [k for k, _ in pairs]
            twice = sorted({k for k in keys if keys.count(k) > 1})
            if twice:
                raise ValueError(f"key {twice[0]!r} appears twice")
            return dict(pairs)

        try:
            d = json.loads(path.read_text(), object_pairs_hook=no_duplicates)
        except ValueError as err:
            raise ValueError(f"experiment file {text!r} is not valid JSON: {err}") from None
        except OSError as err:
            raise ValueError(f"experiment file {text!r} cannot be read: {err.strerror}") from None
        return Experiment.from_dict(d)
    return get_experiment(text)


__all__ = ["EXPERIMENTS", "gamma_product", "get_experiment", "load_experiment", "register"]
