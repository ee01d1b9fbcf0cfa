"""Fresh Python environments for the install tests (tests/test_install.py), made in a second and hermetic.

What the tests need is what Colab is: a fresh interpreter that already has torch and torchvision (and the usual
scientific stack) installed, into which the chapters' setup cell pip-installs gammanet.  Making one for real costs
5.5 GB and about 100 s of pip for torch alone.  Instead the distributions that gammanet needs at run time are
*exposed* to a new, empty virtual environment:

- :func:`expose` makes a folder of symlinks to the top-level files of each needed distribution (code and its
  ``*.dist-info``) in the environment running the tests (the project's ``.venv``);
- :func:`new_environment` creates a virtual environment without pip (``venv``, 0.1 s) whose site-packages holds
  one ``.pth`` file appending that folder to ``sys.path``.

For Python, pip and ``importlib.metadata`` those distributions are installed: ``import torch`` works and pip
reports ``Requirement already satisfied``.  They live outside the new environment's prefix, so pip never
uninstalls or rewrites them ("Not uninstalling ... outside environment"), and everything pip installs goes to the
new environment's own, initially empty, site-packages, where the tests look for it.  The environment running the
tests is never written to: the tests check that the exposed torch's files keep their inode, size and mtime.

Offline: :func:`clean_environ` gives the subprocesses no package index (``PIP_NO_INDEX``), no pip configuration
and no build isolation, so pip can only use what is already installed: anything it would download makes the test
fail instead.
"""

from __future__ import annotations

import importlib.metadata as md
import os
import re
import shutil
import subprocess
import venv
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
#: Besides the package's own requirements: pip (the setup cell runs ``python -m pip``) and the build backend
#: (installing from a source folder builds a wheel, offline, with the setuptools already there).
TOOLS = ["pip", "setuptools", "wheel"]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject() -> dict:
    try:
        import tomllib
    except ImportError:  # Python < 3.11: the copy pip carries
        from pip._vendor import tomli as tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def distribution_closure(requirements: list[str]) -> dict[str, md.Distribution]:
    """Every installed distribution that ``requirements`` need, transitively, extras and markers included
    (canonical name → distribution).  A requirement that is not installed raises ``PackageNotFoundError``."""
    found: dict[str, md.Distribution] = {}
    done, todo = set(), [(Requirement(r), "") for r in requirements]
    while todo:
        req, extra = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": extra}):
            continue
        name = canonical(req.name)
        dist = found.setdefault(name, md.distribution(req.name))
        for wanted in ("", *sorted(req.extras)):
            if (name, wanted) not in done:
                done.add((name, wanted))
                todo += [(Requirement(r), wanted) for r in dist.requires or []]
    return found


def expose(distributions, folder: Path) -> Path:
    """A folder of symlinks to the top-level files of ``distributions`` (their packages, modules, shared
    libraries and ``*.dist-info``); ``.pth`` files and scripts outside site-packages are left out."""
    folder.mkdir(parents=True)
    for dist in distributions:
        site = Path(dist.locate_file(""))
        for top in {f.parts[0] for f in dist.files or [] if f.parts and f.parts[0] != ".."}:
            if top == "__pycache__" or top.endswith(".pth") or (folder / top).exists():
                continue
            if (site / top).exists():
                (folder / top).symlink_to(site / top)
    return folder


def site_packages(env: Path) -> Path:
    return next(env.glob("lib/python3*/site-packages")) if os.name != "nt" else env / "Lib" / "site-packages"


def python_of(env: Path) -> Path:
    return env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def new_environment(folder: Path, exposed: Path) -> Path:
    """A new virtual environment (no pip of its own) that sees ``exposed`` as installed; returns its folder."""
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(folder)
    (site_packages(folder) / "preinstalled.pth").write_text(f"{exposed}\n")
    return folder


def clean_environ(home: Path, **extra: str) -> dict:
    """An environment for the subprocesses: nothing of the test run's Python settings (no PYTHONPATH, so the
    checkout is not importable), no pip configuration or index, a private HOME, the embedded MNIST data."""
    env = {k: os.environ[k] for k in ("PATH", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT") if k in os.environ}
    env.update(
        HOME=str(home),
        PIP_CONFIG_FILE=os.devnull,  # ignore every pip.conf (an index or find-links configured there)
        PIP_NO_INDEX="1",  # no package index: nothing can be downloaded
        PIP_NO_BUILD_ISOLATION="0",  # pip's quirk: "0" turns build isolation OFF (no download of
        # setuptools into a build environment; the installed one builds)
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PYTHONNOUSERSITE="1",
        MPLBACKEND="Agg",
        GAMMANET_DATA="embedded",
    )
    env.update(extra)
    return env


def run(args, env: dict, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def file_states(paths) -> dict:
    """(inode, size, mtime in ns) of each file, following symlinks: any rewrite, reinstall or upgrade changes it."""
    return {str(p): (s.st_ino, s.st_size, s.st_mtime_ns) for p in paths for s in [os.stat(p)]}


def tree_state(folder: Path) -> dict:
    """:func:`file_states` of every file under ``folder`` (relative paths), symlinks not followed."""
    return {
        str(p.relative_to(folder)): (s.st_ino, s.st_size, s.st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        for s in [p.lstat()]
    }


def copy_checkout(dest: Path) -> Path:
    """The working tree as a fresh clone would have it (tracked and untracked-but-not-ignored files), copied to
    ``dest`` so that building and installing it writes nothing (build/, *.egg-info) into the real checkout."""
    listed = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def pip_versions(python: Path, env: dict, cwd: Path) -> dict:
    import json

    r = run([python, "-m", "pip", "list", "--format", "json"], env, cwd)
    assert r.returncode == 0, r.stderr
    return {canonical(d["name"]): d["version"] for d in json.loads(r.stdout)}


__all__ = [
    "ROOT",
    "TOOLS",
    "canonical",
    "clean_environ",
    "copy_checkout",
    "distribution_closure",
    "expose",
    "file_states",
    "new_environment",
    "pip_versions",
    "pyproject",
    "python_of",
    "run",
    "site_packages",
    "tree_state",
]
