"""gammanet as users install it: the chapters' Colab setup cell, and the built sdist and wheel.

Both run in fresh environments that already have torch, torchvision and the scientific stack, as Colab has them,
made cheaply by exposing the project environment's copies read-only (tests/install_helpers.py explains how and
why that is faithful).  Everything is offline: pip gets no package index, so it can only install gammanet itself;
a dependency it tried to reinstall or upgrade would fail the test.
"""

import ast
import importlib
import importlib.metadata as md
import importlib.util
import json
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from install_helpers import (
    ROOT,
    TOOLS,
    canonical,
    clean_environ,
    copy_checkout,
    distribution_closure,
    expose,
    file_states,
    new_environment,
    pip_versions,
    pyproject,
    python_of,
    run,
    site_packages,
    tree_state,
)

sys.path.insert(0, str(ROOT / "scripts"))
from notebooks import SETUP_MARK, default_install_source, setup_cell_source  # noqa: E402

from gammanet.course import INSTALL_SOURCE_ENV, REPOSITORY_URL  # noqa: E402

VERSION = pyproject()["project"]["version"]
CHAPTER_NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "student" / "notebooks").glob("*.ipynb")
)


@pytest.fixture(scope="module")
def preinstalled(tmp_path_factory):
    """What a Colab runtime brings: torch, torchvision and every other run-time dependency of gammanet (with
    theirs), plus pip and setuptools, exposed from this test run's environment."""
    requirements = pyproject()["project"]["dependencies"] + TOOLS
    dists = distribution_closure(requirements)
    assert {"torch", "torchvision"} <= set(dists)
    return expose(dists.values(), tmp_path_factory.mktemp("colab") / "preinstalled")


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    return copy_checkout(tmp_path_factory.mktemp("checkout"))


def torch_files(preinstalled: Path) -> list:
    """The exposed torch's and torchvision's key files (through the symlinks: the real files)."""
    out = []
    for name in ("torch", "torchvision"):
        info = next(preinstalled.glob(f"{name}-*.dist-info"))
        out += [
            info / "RECORD",
            info / "METADATA",
            preinstalled / name / "__init__.py",
            preinstalled / name / "version.py",
        ]
    return out


def first_code_cell(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return next(c.source for c in nb.cells if c.cell_type == "code")


# ---------------------------------------------------------------------------------------------- the setup cell
def test_setup_cell_installs_the_repository_by_default_and_honours_the_override(monkeypatch):
    cell, calls = setup_cell_source(), []
    assert cell.startswith(SETUP_MARK) and f"git+{REPOSITORY_URL}" in default_install_source()
    monkeypatch.setattr(subprocess, "run", lambda args, **kw: calls.append((args, kw)))
    monkeypatch.setattr(importlib, "invalidate_caches", lambda: calls.append("invalidate"))
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)  # gammanet missing
    monkeypatch.delenv(INSTALL_SOURCE_ENV, raising=False)
    exec(cell, {})
    assert calls == [
        ([sys.executable, "-m", "pip", "install", "-q", default_install_source()], {"check": True}),
        "invalidate",
    ]
    calls.clear()
    monkeypatch.setenv(INSTALL_SOURCE_ENV, "/some/checkout")
    exec(cell, {})
    assert calls[0][0][-1] == "/some/checkout"
    calls.clear()
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: object())  # gammanet present
    exec(cell, {})
    assert calls == []


def test_every_chapter_cell_is_the_generated_one():
    assert CHAPTER_NOTEBOOKS
    for path in CHAPTER_NOTEBOOKS:
        assert first_code_cell(path) == setup_cell_source(), (
            f"{path.relative_to(ROOT)}: its setup cell is not the generated one; run `python scripts/notebooks.py "
            "sync` and `python scripts/student.py generate`"
        )


def test_colab_setup_cell_in_a_fresh_environment_with_torch(preinstalled, checkout, tmp_path):
    env_dir = new_environment(tmp_path / "colab-env", preinstalled)
    python, site = python_of(env_dir), site_packages(env_dir)
    environ = clean_environ(tmp_path, **{INSTALL_SOURCE_ENV: str(checkout)})
    cells = {path.relative_to(ROOT).as_posix(): first_code_cell(path) for path in CHAPTER_NOTEBOOKS}
    assert all(c.startswith(SETUP_MARK) for c in cells.values())
    torch_before, versions_before = file_states(torch_files(preinstalled)), pip_versions(python, environ, tmp_path)
    premise = run(
        [python, "-c", "import importlib.util; print(importlib.util.find_spec('gammanet'))"], environ, tmp_path
    )
    assert "gammanet" not in versions_before and premise.stdout.strip() == "None", premise.stderr

    # The first chapter's cell installs gammanet; the kernel then imports it (as the next cell does).
    first = next(iter(cells))
    report = (
        "\nimport json, gammanet, gammanet.theory, torch, torchvision\nprint(json.dumps({m.__name__: "
        "[m.__file__, m.__version__] for m in (gammanet, torch, torchvision)}))"
    )
    r = run([python, "-c", cells[first] + report], environ, tmp_path)
    assert r.returncode == 0, f"{first}: {r.stdout}\n{r.stderr}"
    where = json.loads(r.stdout.strip().splitlines()[-1])
    assert Path(where["gammanet"][0]).resolve().is_relative_to(site.resolve())
    # Only gammanet went into the environment: no dependency was installed again, torch was not touched.
    assert {p.name for p in site.iterdir()} - {"preinstalled.pth", "__pycache__"} == {
        "gammanet",
        f"gammanet-{VERSION}.dist-info",
    }
    assert Path(where["torch"][0]).parent == preinstalled / "torch"
    assert Path(where["torchvision"][0]).parent == preinstalled / "torchvision"
    versions_after = pip_versions(python, environ, tmp_path)
    assert versions_after.pop("gammanet") == where["gammanet"][1] == VERSION
    assert versions_after == versions_before
    assert file_states(torch_files(preinstalled)) == torch_before

    # Every chapter's cell, run again: nothing to do, nothing written.
    installed = tree_state(site)
    for name, cell in cells.items():
        r = run([python, "-c", cell], environ, tmp_path)
        assert r.returncode == 0 and r.stdout == r.stderr == "", f"{name}: {r.stdout}\n{r.stderr}"
        assert tree_state(site) == installed, f"{name}: the second run changed the environment"


# ----------------------------------------------------------------------------------------- sdist and wheel
@pytest.fixture(scope="module")
def built(checkout, tmp_path_factory):
    """``python -m build`` of the checkout, offline: the sdist, then the wheel built from the sdist."""
    out = tmp_path_factory.mktemp("dist")
    r = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(checkout)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    sdist, wheel = sorted(out.glob("gammanet-*.tar.gz")), sorted(out.glob("gammanet-*.whl"))
    assert len(sdist) == len(wheel) == 1, sorted(p.name for p in out.iterdir())
    return sdist[0], wheel[0]


def package_files(checkout: Path) -> set:
    """What the package consists of in a clean checkout: its modules and its data (the plot style)."""
    return {
        p.relative_to(checkout).as_posix()
        for p in (checkout / "gammanet").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_sdist_and_wheel_carry_the_package_its_data_and_metadata(built, checkout):
    sdist, wheel = built
    wanted = package_files(checkout)
    assert "gammanet/gammanet.mplstyle" in wanted
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        metadata = zf.read(f"{info}/METADATA").decode()
        entry_points = zf.read(f"{info}/entry_points.txt").decode()
    assert {n for n in names if not n.startswith(info)} == wanted  # the package, all of it, nothing else
    assert f"{info}/licenses/LICENSE" in names
    assert "License-Expression: MIT" in metadata and "Requires-Dist: torch>=2.1" in metadata
    assert "Provides-Extra: book" in metadata and "gammanet = gammanet.cli:main" in entry_points
    with tarfile.open(sdist) as tf:
        top = tf.getnames()[0].split("/")[0]
        members = {n.removeprefix(top + "/") for n in tf.getnames()}
    assert wanted | {"pyproject.toml", "README.md", "LICENSE"} <= members


def test_wheel_installs_and_runs_in_a_fresh_environment(preinstalled, built, tmp_path):
    _, wheel = built
    env_dir = new_environment(tmp_path / "wheel-env", preinstalled)
    python, site = python_of(env_dir), site_packages(env_dir)
    environ = clean_environ(tmp_path)
    torch_before = file_states(torch_files(preinstalled))
    r = run([python, "-m", "pip", "install", wheel], environ, tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert {p.name for p in site.iterdir()} - {"preinstalled.pth", "__pycache__"} == {
        "gammanet",
        f"gammanet-{VERSION}.dist-info",
    }
    assert file_states(torch_files(preinstalled)) == torch_before

    r = run([python, "-m", "gammanet", "--help"], environ, tmp_path)
    assert r.returncode == 0 and all(c in r.stdout for c in ("train", "configs", "run", "show", "plot")), r.stderr
    assert "from gammanet.cli import main" in (env_dir / "bin" / "gammanet").read_text()  # the console script
    # The plot style ships with the package and is found from the installed copy.
    code = (
        "import gammanet.theory, gammanet.plots as p, matplotlib as mpl\np.use_style()\n"
        "print(p.STYLE_FILE, p.STYLE_FILE.is_file(), mpl.rcParams['axes.titleweight'], mpl.rcParams['figure.dpi'])"
    )
    r = run([python, "-c", code], environ, tmp_path)
    assert r.returncode == 0, r.stderr
    style, exists, weight, dpi = r.stdout.split()
    assert Path(style).resolve().is_relative_to(site.resolve()) and exists == "True"
    assert (weight, dpi) == ("bold", "110.0")  # values from gammanet.mplstyle
    # Two epochs on the embedded data, from the command line.
    out = tmp_path / "run"
    r = run(
        [
            python,
            "-m",
            "gammanet",
            "train",
            "--widths",
            "8",
            "--gammas",
            "1",
            "--epochs",
            "2",
            "--data",
            "embedded",
            "--n-train",
            "200",
            "--n-test",
            "100",
            "--device",
            "cpu",
            "--quiet",
            "--out",
            out,
        ],
        environ,
        tmp_path,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    history = pd.read_csv(out / "history.csv")
    assert history.epoch.tolist() == [0, 1, 2] and (history.status == "ok").all()
    assert json.loads((out / "config.json").read_text())["data"]["source"] == "embedded"


# ------------------------------------------------------------------------------------------------ the extras
def imported_modules(path: Path) -> set:
    """Top-level names a chapter (py:percent source) imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_book_extra_brings_everything_the_chapters_and_the_book_need():
    meta = pyproject()["project"]
    provided = set(distribution_closure(meta["dependencies"] + meta["optional-dependencies"]["book"]))
    owners = md.packages_distributions()
    modules = set().union(*(imported_modules(p) for p in (ROOT / "notebooks").glob("*.py")))
    for config in (ROOT / "book.yml", ROOT / "student" / "book.yml"):
        modules |= set(yaml.safe_load(config.read_text())["sphinx"].get("extra_extensions", []))
    modules = {m for m in modules if m.split(".")[0] != "gammanet"} - set(sys.stdlib_module_names)  # ours
    assert {"torch", "IPython", "sphinx_proof", "sphinx_exercise"} <= modules
    missing = {m: owners.get(m) for m in modules if not {canonical(d) for d in owners.get(m, [])} & provided}
    assert not missing, f"imported by the chapters or the book but not brought by gammanet[book]: {missing}"
    assert {"jupyter-book", "ipykernel", "ipywidgets", "jupytext"} <= provided
