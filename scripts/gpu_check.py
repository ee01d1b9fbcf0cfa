#!/usr/bin/env python
"""Stages 2-4 of the GPU check and its report; ``scripts/gpu_check.sh`` prepares the environment and runs this.

    python scripts/gpu_check.py --out DIR [--experiment NAME] [--device cuda|cpu] [--began UNIX_SECONDS]
                                [--tests PYTEST_SELECTION ...]

2. the CUDA tests (tests/test_cuda.py; without CUDA only its CPU cases run and the CUDA cases skip);
3. the engine benchmark (benchmarks/bench_grid.py --device cuda --json);
4. one chapter experiment end to end through the command line (``python -m gammanet run NAME``) into a fresh
   results store, then its accuracies (and, for the variance experiments, the width slopes) from the store.

Every stage's output goes to DIR (cuda_tests.xml/.log, bench.json/.log, experiment.log, store/); the report is
printed and written to DIR/report.md.  ``--device cpu`` runs stages 3 and 4 on the CPU, the experiment cut to
its first two widths and 8 seeds and the benchmark in its --quick form: a dry run of this script on any machine.
Exit status 0 when every stage that ran passed (stages 3-4 do not run without CUDA), else 1.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

TIMEOUTS = dict(tests=300, bench=300, experiment=360)  # seconds; the whole check must stay under 8 minutes


def run_logged(args: list, log: Path, timeout: float) -> tuple[int, float]:
    """Run ``args``, streaming its output to the terminal and to ``log``; (exit status, seconds)."""
    began = time.monotonic()
    with open(log, "w") as f:
        proc = subprocess.Popen(
            [str(a) for a in args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        try:
            for line in proc.stdout:
                sys.stdout.write(line)
                f.write(line)
            status = proc.wait(timeout=max(1.0, timeout - (time.monotonic() - began)))
        except subprocess.TimeoutExpired:
            proc.kill()
            status = 124
            f.write(f"\ngpu_check: stopped after {timeout} s\n")
    seconds = time.monotonic() - began
    if seconds > timeout:
        status = 124
    return status, seconds


def machine() -> list[str]:
    import gammanet

    lines = [
        f"- machine: {platform.node()}, {platform.platform()}, Python {platform.python_version()}",
        f"- gammanet {gammanet.__version__} from {Path(gammanet.__file__).parent}",
        f"- torch {torch.__version__} (built for CUDA {torch.version.cuda}, cuDNN "
        f"{torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None})",
    ]
    if torch.cuda.is_available():
        p = torch.cuda.get_device_properties(0)
        lines.append(
            f"- GPU: {p.name}, compute capability {p.major}.{p.minor}, {p.total_memory / 2**30:.0f} GiB, "
            f"{p.multi_processor_count} SMs; {torch.cuda.device_count()} CUDA device(s) visible"
        )
        smi = shutil.which("nvidia-smi")
        if smi:
            r = subprocess.run(
                [smi, "--query-gpu=driver_version,power.limit", "--format=csv,noheader"], capture_output=True, text=True
            )
            if r.returncode == 0:
                lines.append(f"- nvidia-smi: driver, power limit = {r.stdout.strip()}")
    else:
        lines.append("- GPU: none (torch.cuda.is_available() is False)")
    return lines


def stage_tests(out: Path, selection: list[str]) -> tuple[bool, list[str]]:
    xml = out / "cuda_tests.xml"
    status, seconds = run_logged(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:nbval",
            *selection,
            f"--junitxml={xml}",
        ],
        out / "cuda_tests.log",
        TIMEOUTS["tests"],
    )
    lines = [f"## CUDA tests ({' '.join(selection)}, {seconds:.0f} s, exit status {status})"]
    if not xml.exists():
        return False, lines + ["- no results (pytest did not run)"]
    cases = ET.parse(xml).getroot().iter("testcase")
    outcome = {"passed": [], "failed": [], "skipped": []}
    for case in cases:
        kind = (
            "failed"
            if case.find("failure") is not None or case.find("error") is not None
            else "skipped"
            if case.find("skipped") is not None
            else "passed"
        )
        outcome[kind].append(case.get("name"))
    lines.append(
        f"- {len(outcome['passed'])} passed, {len(outcome['failed'])} failed, {len(outcome['skipped'])} skipped"
    )
    lines += [f"  - {kind}: {name}" for kind in ("failed", "skipped") for name in outcome[kind]]
    lines += [f"  - passed: {name}" for name in outcome["passed"] if "cuda" in name]
    return status == 0 and not outcome["failed"], lines


def stage_bench(out: Path, device: str, dry: bool) -> tuple[bool, list[str]]:
    path = out / "bench.json"
    args = [sys.executable, "benchmarks/bench_grid.py", "--device", device, "--json", path]
    args += ["--quick"] if dry else []
    status, seconds = run_logged(args, out / "bench.log", TIMEOUTS["bench"])
    lines = [
        f"## Engine benchmark (benchmarks/bench_grid.py --device {device}{' --quick' if dry else ''}, "
        f"{seconds:.0f} s, exit status {status})"
    ]
    if status != 0 or not path.exists():
        return False, lines + ["- no results"]
    b = json.loads(path.read_text())
    lines.append(
        f"- measured fp32 GEMM peak ({b['gemm_size']}x{b['gemm_size']} torch.mm, TF32 "
        f"{'on' if b['tf32'] else 'off'}): {b['gemm_peak_gflops']:,.0f} GFLOP/s on {b['device_name']}"
    )
    lines.append("")
    lines.append(
        "| case | members | engine model-steps/s | per-model loop | authors' loop | engine GFLOP/s | of peak |"
    )
    lines.append("|---|---|---|---|---|---|---|")
    for c in b["cases"]:
        r = c["model_steps_per_s"]
        lines.append(
            f"| {c['case']} ({'-'.join(map(str, [784, *c['widths'], 10]))}) | {c['members']} | "
            f"{r['c']:,.0f} | {r['b']:,.0f} | {r['a']:,.0f} | {c['engine_gflops']:,.0f} | "
            f"{100 * c['peak_fraction']:.1f}% |"
        )
    return True, lines


def dry_run_experiment(name: str, out: Path) -> str:
    """The experiment cut to its first two blocks and 8 seeds, written as a JSON file the command line runs."""
    from gammanet.experiments import get_experiment

    exp = get_experiment(name)
    blocks = tuple(b.__class__(b.widths, b.gamma_grid, b.seeds[:8], b.epochs) for b in exp.blocks[:2])
    path = out / "dry_run_experiment.json"
    path.write_text(json.dumps(exp.replace(name=f"{exp.name}_dry_run", blocks=blocks).to_dict(), indent=2))
    return str(path)


def stage_experiment(out: Path, name: str, device: str, dry: bool) -> tuple[bool, list[str]]:
    store = out / "store"
    shutil.rmtree(store, ignore_errors=True)  # a fresh store: the wall time is the whole computation
    target = dry_run_experiment(name, out) if dry else name
    args = [
        sys.executable,
        "-m",
        "gammanet",
        "run",
        target,
        "--store",
        store,
        "--device",
        device,
        "--data",
        "embedded",
        "--quiet",
    ]
    status, seconds = run_logged(args, out / "experiment.log", TIMEOUTS["experiment"])
    lines = [
        f"## Experiment `{Path(target).stem if dry else name}` (python -m gammanet run, {seconds:.0f} s wall "
        f"time, exit status {status})"
    ]
    if status != 0:
        return False, lines
    return True, lines + summarize_experiment(target, store)


def summarize_experiment(target: str, store: Path) -> list[str]:
    """Accuracies per width and γ (mean ± sd over seeds) and, with probe logits, the width slopes of Var."""
    from gammanet.experiments import load_results
    from gammanet.experiments.catalog import load_experiment

    exp = load_experiment(target)
    res = load_results(exp, store)
    members = exp.units()
    lines = [
        f"- {sum(u.n_members for u in members)} networks in {len(members)} units, "
        f"complete: {res.complete}; diverged members: {res.summary.diverged_members}"
    ]
    h = res.history
    final = h[h.epoch == h.groupby("member").epoch.transform("max")]
    gcols = sorted(c for c in h.columns if c.startswith("gamma_"))
    final = final.assign(gammas=final[gcols].apply(lambda r: ", ".join(f"{g:g}" for g in r if g == g), axis=1))
    mean = final.pivot_table(index="widths", columns="gammas", values="test_accuracy", aggfunc="mean", sort=False)
    sd = final.pivot_table(index="widths", columns="gammas", values="test_accuracy", aggfunc="std", sort=False)
    seeds = final.groupby("widths", sort=False).seed.nunique()
    lines += [
        "",
        "Final test accuracy, mean ± sd over seeds (rows: widths; columns: γ):",
        "",
        "| widths | seeds | " + " | ".join(f"γ = {g}" for g in mean.columns) + " |",
        "|---|---|" + "---|" * len(mean.columns),
    ]
    lines += [
        f"| {w} | {seeds[w]} | " + " | ".join(f"{mean.loc[w, g]:.3f} ± {sd.loc[w, g]:.3f}" for g in mean.columns) + " |"
        for w in mean.index
    ]
    if exp.probe:
        try:
            from gammanet.variance import variance_slopes

            slopes = variance_slopes(res.outputs, n_boot=200)
            last = slopes[slopes.t == slopes.t.max()]
            lines.append("")
            lines.append(
                f"Width slope of Var over seeds of the logits at t = {last.t.iloc[0]:g} "
                f"(widths {last.widths.iloc[0]}), against 1 - 2γ (the variance law's exponent):"
            )
            lines += [
                f"- γ = {r.gammas}: slope {r.slope:+.2f} [{r.ci_low:+.2f}, {r.ci_high:+.2f}], 1 - 2γ = {r.outer:+.2f}"
                for r in last.itertuples()
            ]
        except Exception as err:  # the accuracies above stand on their own
            lines.append(f"- width slopes not computed: {type(err).__name__}: {err}")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="gpu_check_out")
    parser.add_argument("--experiment", default="ch5_shallow_variance_full")
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    parser.add_argument("--began", type=float, default=None, help="when the check started (Unix seconds)")
    parser.add_argument("--tests", nargs="+", default=["tests/test_cuda.py"], help="pytest selection of stage 2")
    args = parser.parse_args(argv)
    out = (ROOT / args.out) if not Path(args.out).is_absolute() else Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    began = args.began or time.time()
    has_cuda = torch.cuda.is_available()
    dry = args.device == "cpu"

    report = [f"# GPU check, {time.strftime('%Y-%m-%d %H:%M %Z')}", ""] + machine() + [""]
    ok, lines = stage_tests(out, args.tests)
    results = [ok]
    report += lines + [""]
    if has_cuda or dry:
        for stage in (
            lambda: stage_bench(out, args.device, dry),
            lambda: stage_experiment(out, args.experiment, args.device, dry),
        ):
            ok, lines = stage()
            results.append(ok)
            report += lines + [""]
    else:
        report.append(
            "gpu_check: no CUDA device (torch.cuda.is_available() is False): the CPU cases of the tests "
            "ran and the CUDA cases skipped; the CUDA benchmark and the full experiment need a GPU."
        )
        report.append("")
    report.append(f"Total time: {time.time() - began:.0f} s; all stages that ran passed: {all(results)}")
    text = "\n".join(report)
    (out / "report.md").write_text(text + "\n")
    print("\n" + "=" * 100 + "\n" + text)
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
