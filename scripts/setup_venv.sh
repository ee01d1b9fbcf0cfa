#!/usr/bin/env bash
# Create (or update) the project's virtual environment: torch and torchvision first, in ONE pip command so that
# they come from one resolution (a torchvision built for another torch fails at import), then the project with
# its test and book extras.  Idempotent: a second run installs nothing new.
set -euo pipefail
venv=${1:-.venv}
python=${PYTHON:-python3}
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
py="$venv/bin/python"
"$py" -m pip install --quiet --upgrade pip
if ! "$py" -c "import torch, torchvision" >/dev/null 2>&1; then
    echo "setup: installing torch and torchvision together (a large download the first time)"
    "$py" -m pip install --quiet torch torchvision
fi
"$py" -m pip install --quiet -e ".[test,book]"
# Fail here, not in the middle of the tests, if the pair does not work together.
"$py" -c "import torch, torchvision; print(f'setup: torch {torch.__version__}, torchvision {torchvision.__version__}, CUDA available: {torch.cuda.is_available()}')"
