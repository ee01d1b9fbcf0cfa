#!/usr/bin/env bash
# The prepared GPU check: from a fresh clone on a machine with one NVIDIA GPU, in under 8 minutes,
#   1. an environment: a virtual environment in $GPU_CHECK_VENV (default .venv-gpu). If the machine's Python
#      already has a CUDA build of torch (Colab, NGC containers, a cluster's module), the environment sees the
#      machine's packages and keeps its torch; otherwise torch and torchvision are installed together, in one pip
#      command. Then only the project's missing requirements are installed (and pytest); gammanet itself runs from
#      this checkout (PYTHONPATH), so nothing is built;
#   2. the CUDA tests (tests/test_cuda.py: engine members = fit on CUDA, CPU and CUDA agree to float32 tolerance,
#      a checkpoint written on CUDA resumes exactly, evaluation, divergence isolation, resolve_device);
#   3. the engine's speed on CUDA (benchmarks/bench_grid.py --device cuda): model-steps/s and the fraction of the
#      GPU's measured fp32 GEMM peak;
#   4. one full chapter experiment end to end (python -m gammanet run ch5_shallow_variance_full);
# then prints a short report (also written to $GPU_CHECK_OUT/report.md). docs/gpu.md explains the choices.
#
# Without a CUDA device it does step 1 and the CPU cases of step 2, says "no CUDA device" and exits 0.
# Exit status: 0 when every stage that ran passed, 1 otherwise.
#
#   bash scripts/gpu_check.sh
#
# Environment: PYTHON (the machine's Python, default python3); GPU_CHECK_PYTHON (use this interpreter as it is:
# no environment is made and nothing installed); GPU_CHECK_VENV; GPU_CHECK_OUT (default gpu_check_out: logs,
# JSON, the results store, report.md); GPU_CHECK_EXPERIMENT (default ch5_shallow_variance_full);
# GPU_CHECK_TESTS (default tests/test_cuda.py: the pytest selection of stage 2, e.g. one test id to rerun it);
# GPU_CHECK_DEVICE=cpu runs stages 3 and 4 on the CPU with small settings (a dry run of this script).
# Offline machines: pip's own PIP_NO_INDEX=1 PIP_FIND_LINKS=<folder of wheels> are honoured.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
out=${GPU_CHECK_OUT:-gpu_check_out}
mkdir -p "$out" && out=$(cd "$out" && pwd)
began=$(date +%s)
log() { echo "gpu_check: $*"; }

# ---------------------------------------------------------------------------------------------- 1. environment
if [ -n "${GPU_CHECK_PYTHON:-}" ]; then
    py=$GPU_CHECK_PYTHON
    log "using $py as it is (GPU_CHECK_PYTHON)"
else
    base=${PYTHON:-python3}
    venv=${GPU_CHECK_VENV:-.venv-gpu}
    if "$base" -c "import torch, torchvision, sys; sys.exit(torch.version.cuda is None)" >/dev/null 2>&1; then
        log "keeping the machine's CUDA torch: $("$base" -c 'import torch; print(torch.__version__)') ($base)"
        if [ ! -x "$venv/bin/python" ]; then
            "$base" -m venv --without-pip "$venv" || exit 1
        fi
        # The machine's site-packages, read-only, after the environment's own (the machine's Python may itself be a
        # virtual environment, whose packages --system-site-packages would not see).
        "$base" -c "import site, sysconfig; print('\n'.join(dict.fromkeys(
            [sysconfig.get_paths()['purelib'], sysconfig.get_paths()['platlib']] + site.getsitepackages())))" \
            > "$(echo "$venv"/lib/python3*/site-packages)/machine-packages.pth"
        py=$venv/bin/python
    else
        [ -x "$venv/bin/python" ] || "$base" -m venv "$venv" || exit 1
        py=$venv/bin/python
        if ! "$py" -c "import torch, torchvision" >/dev/null 2>&1; then
            log "installing torch and torchvision together (one pip command)"
            "$py" -m pip install -q torch torchvision || exit 1
        fi
    fi
    # The project's requirements that are missing or too old (lower bounds only: nothing present is upgraded).
    missing=$("$py" - <<'EOF'
import importlib.metadata as md
try:
    import tomllib
except ImportError:
    from pip._vendor import tomli as tomllib
try:
    from packaging.requirements import Requirement
except ImportError:
    from pip._vendor.packaging.requirements import Requirement
reqs = [Requirement(r) for r in tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]] + [Requirement("pytest>=7")]
def ok(r):
    try:
        return r.specifier.contains(md.version(r.name), prereleases=True)
    except md.PackageNotFoundError:
        return False
print(" ".join(str(r) for r in reqs if not ok(r)))
EOF
) || exit 1
    if [ -n "$missing" ]; then
        log "installing what is missing: $missing"
        # shellcheck disable=SC2086
        "$py" -m pip install -q $missing || exit 1
    fi
fi
export PYTHONPATH=$repo${PYTHONPATH:+:$PYTHONPATH}
export GAMMANET_DATA=embedded GAMMANET_STORE="$out/store" PYTHONUNBUFFERED=1
# Full float32 everywhere: containers may force TF32 (10-bit mantissa) on cuBLAS through these variables.
export TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=0 NVIDIA_TF32_OVERRIDE=0
log "environment ready after $(( $(date +%s) - began )) s"

# ------------------------------------------------------------------------------------------- 2.-4. and report
exec "$py" "$repo/scripts/gpu_check.py" --out "$out" --experiment "${GPU_CHECK_EXPERIMENT:-ch5_shallow_variance_full}" \
    --device "${GPU_CHECK_DEVICE:-cuda}" --began "$began" --tests ${GPU_CHECK_TESTS:-tests/test_cuda.py}
