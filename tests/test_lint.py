"""The linters as tests: ``ruff check`` and ``ruff format --check`` (configured in pyproject.toml, [tool.ruff]) on the
code and ``mypy`` on the package ([tool.mypy]).  A finding fails the test with the linter's own report."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=600)


CODE = ("gammanet", "tests", "scripts", "benchmarks")


@pytest.mark.parametrize(
    "command",
    [("ruff", "check", *CODE), ("ruff", "format", "--check", *CODE), ("mypy", "gammanet")],
    ids=["ruff", "ruff-format", "mypy"],
)
def test_linter_is_clean(command):
    result = run(*command)
    if "No module named" in result.stderr:
        pytest.fail(f"{command[0]} is not installed: it is in the test extra, `pip install -e .[test]`")
    assert result.returncode == 0, f"`{' '.join(command)}` found problems:\n{result.stdout}{result.stderr}"
