"""The README's Slurm job array, run on a real one-node Slurm started by ``scripts/slurm_local.sh``.

The array's tasks fill one store that equals a single-process run bit for bit; a task requeued mid-unit and a
task cancelled mid-unit and resubmitted resume from their checkpoints, and their logs carry the runner's summary
line.  Needs root and the Debian packages slurm-wlm and munge (``.ci/run`` installs them); skips otherwise.
The README's script and the one run here are the same template (``gammanet/experiments/job_array.sbatch``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from gammanet.experiments import Block, Experiment, data_identity, load_results, run_experiment
from gammanet.experiments.slurm import job_array_script
from gammanet.experiments.store import Store

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "slurm_local.sh"
#: The values the README's script is rendered with.
README_VALUES = dict(experiment="paper_mlp3_default", store="$SCRATCH/gammanet")
#: Daemons that stopping the cluster must leave behind: none.
DAEMONS = {"slurmctld", "slurmd", "slurmstepd", "slurmscriptd", "munged"}
FAILED = {"FAILED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE"}
TIMEOUT = 120  # seconds for any one wait; the whole test takes a fraction of it

# 6 units of 2 members (3 per block), 10 epochs of 100 steps each: three tasks of 2 units on a 1-CPU slot each.
TINY = Experiment(
    "slurm_tiny",
    "the Slurm test's sweep",
    "fast",
    (Block((16,), (0.5, 0.75, 1.0), (0, 1), 10), Block((8, 8), ((0.5, 0.5), (1.0, 0.5), (1.0, 1.0)), (0, 1), 10)),
    n_train=2000,
    n_test=200,
    probe=4,
    members_per_unit=2,
)
SHARDS = 3


# --------------------------------------------------------------------------------------------- one template
def sbatch_blocks(path: Path) -> list[str]:
    """The fenced code blocks of a Markdown file that hold ``#SBATCH`` lines."""
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", path.read_text(), flags=re.M | re.S)
    return [b for b in blocks if "#SBATCH" in b]


@pytest.mark.parametrize("doc", ["README.md", "docs/runner.md"])
def test_the_documented_job_array_is_the_rendered_template(doc):
    blocks = sbatch_blocks(ROOT / doc)
    assert blocks, f"{doc} shows no job-array script"
    expected = job_array_script(**README_VALUES)
    for block in blocks:
        assert block == expected, f"{doc}'s script differs from job_array_script(**{README_VALUES})"


def test_job_array_script_sizes_the_array_from_the_units():
    text = job_array_script("paper_mlp2_default", "/scratch/s")  # 3 units
    assert "#SBATCH --array=0-2 " in text and "--shard $SLURM_ARRAY_TASK_ID/3 " in text
    cpu = job_array_script("paper_mlp2_default", "/scratch/s", 2, device="cpu", cpus_per_task=1)
    assert "--gres" not in cpu and "#SBATCH --array=0-1 " in cpu and "--device cpu" in cpu
    assert "#SBATCH --gres=gpu:1" in job_array_script("paper_mlp2_default", "/s", device="cuda:1")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(shards=4), r"shards=4 is not allowed for 'paper_mlp2_default': it has 3 units"),
        (dict(shards=0), r"shards=0 is not allowed; it must be an integer >= 1"),
        (dict(store="/my scratch"), r"store='/my scratch' is not allowed in the job script"),
        (dict(time="1 day"), r"time='1 day' is not allowed"),
        (dict(data="mnist"), r"data='mnist' is not allowed; choose one of"),
        (dict(checkpoint_seconds=-1), r"checkpoint_seconds=-1 is not allowed"),
        (dict(cpus_per_task=0), r"cpus_per_task=0 is not allowed"),
        (dict(experiment="no_such_experiment"), r"unknown experiment 'no_such_experiment'"),
        (dict(experiment=TINY), r"experiment=.* is not allowed; give a registered name or the path"),
    ],
)
def test_job_array_script_rejects_bad_values(kwargs, match):
    args = dict(experiment="paper_mlp2_default", store="/scratch/s") | kwargs
    with pytest.raises(ValueError, match=match):
        job_array_script(**args)


def test_slurm_local_names_the_packages_when_slurm_is_missing(tmp_path):
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash on this machine")
    r = subprocess.run(
        [bash, str(SCRIPT), "start", str(tmp_path / "c")],
        env=dict(os.environ, PATH=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert r.returncode == 3, r.stderr
    assert "slurmctld" in r.stderr and "apt-get install -y slurm-wlm munge" in r.stderr
    assert not (tmp_path / "c").exists()  # nothing was started or written


# ------------------------------------------------------------------------------------------- a real cluster
def daemons(folder: Path) -> dict[int, str]:
    """{PID: name} of the running Slurm and munge daemons (read from /proc) whose environment names ``folder``:
    slurm_local.sh starts its daemons with it, and slurmstepd gets the cluster's SLURM_CONF."""
    found = {}
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            name = comm.read_text().strip()
            if name in DAEMONS and str(folder).encode() in (comm.parent / "environ").read_bytes():
                found[int(comm.parent.name)] = name
        except OSError:  # ended meanwhile, or not ours to read
            pass
    return found


def unavailable() -> str | None:
    """Why the cluster cannot be started here, in one line, or None."""
    bash = shutil.which("bash")
    if not sys.platform.startswith("linux") or bash is None:
        return "a local Slurm needs Linux and bash"
    r = subprocess.run([bash, str(SCRIPT), "check"], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        apt = os.environ.get("GAMMANET_SLURM_APT_ERROR", "").strip()
        return r.stderr.strip().splitlines()[-1] + (f" ({apt})" if apt else "")
    if os.geteuid() != 0:
        return "a local Slurm runs its daemons as root; run the tests as root to include it"
    return None


class Cluster:
    def __init__(self, folder: Path, conf: str):
        self.folder = folder
        self.env = dict(os.environ, SLURM_CONF=conf)
        self.logs: Path | None = None

    def __call__(self, *args: str, check: bool = True) -> str:
        r = subprocess.run(list(args), env=self.env, capture_output=True, text=True, timeout=60)
        if check and r.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}\n{self.diagnosis()}")
        return r.stdout

    def sbatch(self, script: Path, *options: str) -> str:
        """Submit from the script's folder (its logs/ are relative to it); the job id."""
        r = subprocess.run(
            ["sbatch", "--parsable", *options, str(script)],
            env=self.env,
            cwd=script.parent,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert r.returncode == 0, r.stderr
        return r.stdout.strip().split(";")[0]

    def tasks(self, job: str) -> dict[int, dict]:
        """{array task id: scontrol's fields} of every task of an array job, pending, running or finished."""
        out = self("scontrol", "show", "job", "--oneliner", job, check=False)
        tasks = {}
        for line in out.splitlines():
            fields = dict(re.findall(r"(\w+)=(\S*)", line))
            if fields.get("ArrayTaskId", "").isdigit():
                tasks[int(fields["ArrayTaskId"])] = fields
        return tasks

    def state(self, job: str, task: int) -> str:
        return self.tasks(job).get(task, {}).get("JobState", "")

    def diagnosis(self) -> str:
        """The queue and the end of every job log (in ``self.logs``), for failure messages."""
        queue = subprocess.run(["squeue", "-o", "%i %T %r"], env=self.env, capture_output=True, text=True).stdout
        logs = (
            "".join(
                f"--- {p.name}:\n" + "\n".join(p.read_text().splitlines()[-8:]) + "\n"
                for p in sorted(self.logs.glob("*.out"))
            )
            if self.logs
            else ""
        )
        daemons = "".join(
            f"--- {p.name}:\n" + "\n".join(p.read_text(errors="replace").splitlines()[-12:]) + "\n"
            for p in sorted((self.folder / "slurm" / "log").glob("*.log"))
        )
        return f"squeue:\n{queue}{logs}{daemons}"

    def check_not_failed(self, job: str) -> None:
        """Fail at once, with the logs, when a task of ``job`` has failed."""
        tasks = self.tasks(job)
        failed = {k: t["JobState"] for k, t in tasks.items() if t.get("JobState") in FAILED}
        details = {k: {f: tasks[k].get(f) for f in ("Reason", "ExitCode", "Restarts", "RunTime")} for k in failed}
        assert not failed, f"tasks of job {job} failed: {failed} {details}\n{self.diagnosis()}"


@pytest.fixture(scope="module")
def cluster():
    reason = unavailable()
    if reason:
        pytest.skip(reason)
    # A short path: munge's socket path has a length limit.
    folder = Path(tempfile.mkdtemp(prefix="gammanet-slurm-", dir="/tmp" if os.path.isdir("/tmp") else None))
    started = subprocess.run(
        ["bash", str(SCRIPT), "start", str(folder), "--owner", str(os.getpid())],
        capture_output=True,
        text=True,
        timeout=180,
    )
    try:
        assert started.returncode == 0, f"slurm_local.sh start failed:\n{started.stderr}"
        conf = re.fullmatch(r"export SLURM_CONF=(\S+)\n", started.stdout)
        assert conf, started.stdout
        assert set(daemons(folder)) >= {
            int((folder / f).read_text()) for f in ("munge/munged.pid", "slurm/slurmctld.pid", "slurm/slurmd.pid")
        }
        yield Cluster(folder, conf.group(1))
    finally:
        stopped = subprocess.run(
            ["bash", str(SCRIPT), "stop", str(folder)], capture_output=True, text=True, timeout=180
        )
        left = daemons(folder)
        shutil.rmtree(folder, ignore_errors=True)
        assert stopped.returncode == 0, stopped.stderr
        assert not left, f"still running after stop: {left}"


#: Imported by every Python of the array's tasks (through PYTHONPATH): after the runner saves the checkpoint of
#: (unit, epoch) named by a marker file in $GAMMANET_TEST_FREEZE, the task stops itself (SIGSTOP), once — the first
#: process to take the marker — and, once continued, waits idle for Slurm's signal.  So the test interrupts a task at
#: a known epoch of a known unit whatever the speed of the machine (polling for the checkpoint raced with tasks that
#: finish a unit in a second).
FREEZE_HOOK = """
import os, signal, time
_markers = os.environ.get("GAMMANET_TEST_FREEZE")
if _markers:
    from gammanet.experiments import store as _store
    _save = _store.Store.save_checkpoint

    def _save_then_freeze(self, unit, checkpoint):
        _save(self, unit, checkpoint)
        marker = os.path.join(_markers, f"{unit.id}@{int(checkpoint.epoch)}")
        try:
            os.rename(marker, marker + f".taken-by-{os.getpid()}")
        except OSError:
            return
        os.kill(os.getpid(), signal.SIGSTOP)
        time.sleep(60)          # continued by the test: Slurm's SIGTERM (cancel, requeue) ends it here

    _store.Store.save_checkpoint = _save_then_freeze
"""


def wait_until(
    predicate, what: str, cluster: Cluster, jobs: tuple[str, ...] = (), timeout: float = TIMEOUT, poll: float = 0.02
):
    """Poll ``predicate`` until it is true; fail after ``timeout`` s, or as soon as a task of ``jobs`` has failed
    (checked every half second)."""
    start = time.monotonic()
    checked = start
    while True:
        value = predicate()
        if value:
            return value
        now = time.monotonic()
        if now - checked > 0.5:
            for job in jobs:
                cluster.check_not_failed(job)
            checked = now
        if now - start > timeout:
            raise AssertionError(f"waited {timeout} s for {what}\n{cluster.diagnosis()}")
        time.sleep(poll)


def checkpoint_epoch(unit_dir: Path):
    try:
        return json.loads((unit_dir / "checkpoint.json").read_text())["epoch"]
    except (OSError, ValueError, KeyError):
        return None


def summary(log: Path, shard: int) -> tuple[int, int, int]:
    """(finished now, resumed, reused) from the last summary line of shard ``shard`` in a task's log."""
    found = re.findall(
        rf"shard {shard}/{SHARDS}: \d+ units\D+(\d+) finished now \((\d+) resumed[^)]*\), "
        rf"(\d+) reused",
        log.read_text(),
    )
    assert found, f"no summary line of shard {shard} in {log}:\n{log.read_text()}"
    return tuple(int(v) for v in found[-1])


@pytest.mark.slurm
def test_job_array_with_a_requeue_and_a_resubmission_equals_one_process(cluster, tmp_path, mnist):
    exp_file = tmp_path / "tiny.json"
    exp_file.write_text(json.dumps(TINY.to_dict(), indent=2))
    store, reference = tmp_path / "store", tmp_path / "reference"
    job_script = tmp_path / "job.sh"
    job_script.write_text(
        job_array_script(
            str(exp_file),
            str(store),
            SHARDS,
            device="cpu",
            data="embedded",
            python=sys.executable,
            cpus_per_task=1,
            checkpoint_seconds=0,
        )
    )
    cluster.logs = tmp_path / "logs"
    cluster.logs.mkdir()
    # Task 1 stops after epoch 1 of its first unit, task 0 after epoch 2 of its second unit (see FREEZE_HOOK).
    hooks, markers = tmp_path / "hooks", tmp_path / "freeze"
    hooks.mkdir()
    markers.mkdir()
    (hooks / "sitecustomize.py").write_text(FREEZE_HOOK)
    freeze = {"u001-b0": 1, "u003-b1": 2}
    for unit, epoch in freeze.items():
        (markers / f"{unit}@{epoch}").touch()
    cluster.env = dict(
        cluster.env,
        GAMMANET_TEST_FREEZE=str(markers),
        PYTHONPATH=os.pathsep.join(filter(None, [str(hooks), cluster.env.get("PYTHONPATH")])),
    )
    job = cluster.sbatch(job_script)

    units = {u.id: u for u in TINY.units()}
    assert list(units) == ["u000-b0", "u001-b0", "u002-b0", "u003-b1", "u004-b1", "u005-b1"]
    data = mnist.subset(TINY.n_train, TINY.n_test)
    folder = Store(store, TINY, data_identity(data)).folder

    def interrupt(task: int, unit: str, epoch: int) -> int:
        """Wait until ``task`` has stopped itself right after saving ``unit``'s checkpoint of epoch ``epoch``
        (FREEZE_HOOK); the stopped process's PID."""
        d = folder / "units" / unit

        def frozen():
            taken = list(markers.glob(f"{unit}@{epoch}.taken-by-*"))
            if not taken:
                return None
            pid = int(taken[0].name.rsplit("-", 1)[1])
            try:
                stopped = Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("T")
            except (OSError, IndexError):
                return None
            return pid if stopped else None

        pid = wait_until(frozen, f"task {task} stopped after epoch {epoch} of {unit}", cluster, (job,))
        assert not (d / "done.json").exists(), f"{unit} finished before task {task} could be interrupted"
        assert checkpoint_epoch(d) == epoch
        return pid

    # Task 1 is cancelled in the middle of its first unit and resubmitted; task 0 is requeued, as a preemption
    # would, in the middle of its second unit, after its first unit finished.
    os.kill(interrupt(1, "u001-b0", freeze["u001-b0"]), signal.SIGCONT)  # now idle in the hook
    assert "slurmstepd" in daemons(cluster.folder).values(), (
        "no slurmstepd of this cluster found: the check that stopping leaves none would prove nothing"
    )
    cluster("scancel", f"{job}_1")
    os.kill(interrupt(0, "u003-b1", freeze["u003-b1"]), signal.SIGCONT)
    cluster("scontrol", "requeue", f"{job}_0")
    wait_until(lambda: cluster.state(job, 1) == "CANCELLED", "task 1 cancelled", cluster)

    # A requeued task waits (PD, BeginTime) before it may start again: let it start in a few seconds.  Not at once:
    # slurmd refuses to launch a job id within moments of killing it ("Job credential revoked"), and the task then
    # FAILS instead of running again — Slurm's own hold exists for this.
    def requeued():
        state = cluster.state(job, 0)
        return state if state in ("PENDING", "RUNNING", "COMPLETED") else None

    state = wait_until(requeued, "task 0 back in the queue after the requeue", cluster)
    if state == "PENDING":
        cluster("scontrol", "update", f"jobid={job}_0", "StartTime=now+3")
    again = cluster.sbatch(job_script, "--array=1")

    run_experiment(TINY, store=reference, data=data, progress=False)  # meanwhile: the single-process run

    def finished():
        tasks, rerun = cluster.tasks(job), cluster.tasks(again)
        states = [tasks.get(k, {}).get("JobState") for k in (0, 2)] + [rerun.get(1, {}).get("JobState")]
        return states == ["COMPLETED"] * 3

    wait_until(finished, "every task completed", cluster, (job, again), poll=0.2)

    tasks, rerun = cluster.tasks(job), cluster.tasks(again)
    assert [tasks[k]["ExitCode"] for k in (0, 2)] + [rerun[1]["ExitCode"]] == ["0:0"] * 3
    assert tasks[0]["Restarts"] == "1" and tasks[1]["JobState"] == "CANCELLED"

    # done.json records the resumes, from the checkpoint the interrupted task had written.
    done = {u: json.loads((folder / "units" / u / "done.json").read_text()) for u in units}
    assert [u for u, d in done.items() if d["resumed_from_epoch"] is not None] == ["u001-b0", "u003-b1"]
    assert done["u001-b0"]["resumed_from_epoch"] == freeze["u001-b0"]
    assert done["u003-b1"]["resumed_from_epoch"] == freeze["u003-b1"]

    # The store of the interrupted array equals the single-process run, exactly: unit by unit (to name the one
    # that differs), then as a whole.
    sharded, whole = load_results(TINY, store), load_results(TINY, reference)
    assert sharded.complete and whole.complete and sharded.summary["key"] == whole.summary["key"]
    for u in units:
        mine, theirs = (r.history[r.history.unit == u].reset_index(drop=True) for r in (sharded, whole))
        assert len(mine) == len(theirs), (
            f"{u} (resumed from epoch {done[u]['resumed_from_epoch']}) has "
            f"{len(mine)} history rows, the single-process run {len(theirs)}"
        )
        pd.testing.assert_frame_equal(mine, theirs, check_exact=True, obj=f"history of {u}")
    pd.testing.assert_frame_equal(sharded.history, whole.history, check_exact=True)
    pd.testing.assert_frame_equal(sharded.outputs, whole.outputs, check_exact=True)

    # Each task's log ends with its summary: (finished now, resumed from a checkpoint, reused from the store).
    def log(job_id: str, task: int) -> Path:  # the template's --output=logs/%x-%A_%a.out
        return tmp_path / "logs" / f"gammanet-{TINY.name}-{job_id}_{task}.out"

    assert summary(log(job, 0), 0) == (1, 1, 1)  # u000 reused, u003 resumed
    assert summary(log(again, 1), 1) == (2, 1, 0)  # u001 resumed, u004 from the start
    assert summary(log(job, 2), 2) == (2, 0, 0)  # never interrupted
    assert "DUE TO JOB REQUEUE" in log(job, 0).read_text()  # the requeued attempt's log was kept (append)
