"""One submission's kernel, on nbclient: run a piece of code with a time limit, survive hangs and crashes.

A cell that runs past its limit is interrupted (SIGINT, as Jupyter's stop button); when the kernel does not answer
a trivial request within a few seconds after that (a student's code that ignores the interrupt, or a C loop), or
it died (a crash, ``os._exit``, the memory limit), the kernel is replaced by a fresh one and the caller replays what
it needs (:class:`gammanet.grading.runner.Runner`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import sys
from dataclasses import dataclass, field
from typing import Optional
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from .transport import MIME

TIMEOUT_ENAME = "GradingTimeout"
#: The kernel name that means "the Python running the grader" (the default).
THIS_PYTHON = "gammanet-grading"
#: Seconds a kernel has to answer a trivial request after an interrupt before it is replaced.
GRACE_SECONDS = 2
#: Seconds to wait for a cell's last outputs after its reply (nbclient's default): a call's result is an output.
IOPUB_SECONDS = 4
_QUIET = logging.getLogger("gammanet.grading.kernel")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False

#: Outputs kept per cell (a student's print loop must not fill the grader's memory).
MAX_OUTPUTS = 200


@dataclass
class Outcome:
    """What happened to one piece of code: ``status`` "ok", "error" (``ename``: ``evalue``), "timeout" or "died"."""

    status: str
    ename: str = ""
    evalue: str = ""
    outputs: list = field(default_factory=list)

    def describe(self) -> str:
        if self.status == "error":
            return f"{self.ename}: {self.evalue}" if self.evalue else self.ename
        return {"ok": "ran", "timeout": "ran past its time limit", "died": "the kernel died"}[self.status]


class KernelStartError(RuntimeError):
    """The kernel did not start (the grading run stops: no submission could be graded)."""


class _Client(NotebookClient):
    """nbclient's client, keeping at most MAX_OUTPUTS outputs per cell, and not waiting for the outputs of a cell
    that ran past its limit (they are never read; a kernel stuck in a loop would make it wait IOPUB_SECONDS)."""

    def __init__(self, nb, workdir: Path, **kwargs):
        super().__init__(nb, **kwargs)
        self.workdir = Path(workdir)

    def output(self, outs, msg, display_id, cell_index):
        # The cap is for the student's prints and displays; the grader's own result message is always kept (a
        # correct function that prints 300 lines must still return its answer).
        ours = msg["msg_type"] == "display_data" and MIME in msg.get("content", {}).get("data", {})
        if len(outs) >= MAX_OUTPUTS and msg["msg_type"] in ("stream", "display_data", "execute_result") and not ours:
            return None
        return super().output(outs, msg, display_id, cell_index)

    def create_kernel_manager(self):
        if self.kernel_name == THIS_PYTHON:
            # A kernel spec of our own: the grader's interpreter, whatever "python3" means in Jupyter's paths, so
            # that the kernel imports the same gammanet as the checks (the calls' arguments are its objects).
            specs = self.workdir / "kernels"
            (specs / THIS_PYTHON).mkdir(parents=True, exist_ok=True)
            (specs / THIS_PYTHON / "kernel.json").write_text(
                json.dumps(
                    {
                        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                        "display_name": "the grader's Python",
                        "language": "python",
                    }
                )
            )
            self.km = self.kernel_manager_class(
                kernel_name=THIS_PYTHON,
                config=self.config,
                kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(specs)]),
            )
            km = self.km
        else:
            km = super().create_kernel_manager()
        # Unix sockets in the submission's own folder rather than TCP ports on localhost: nothing listens on the
        # network, and a grader run in a network namespace without a loopback interface works as well.
        sockets = self.workdir / "kernel"
        if os.name == "posix" and len(str(sockets)) < 90:
            km.transport, km.ip = "ipc", str(sockets)
        return km

    async def _async_handle_timeout(self, timeout, cell=None):
        # nbclient's hook for a timeout (interrupt, then the reply of error_on_timeout); should a later nbclient
        # rename it, this only costs the wait it saves.
        self.iopub_timeout = 0
        return await super()._async_handle_timeout(timeout, cell)


def kernel_environment(workdir: Path) -> dict:
    """The submission kernel's environment: the chapters' quick settings, the embedded data, a results store of
    its own, no plotting window, one thread, and a dead proxy so that well-behaved HTTP clients fail at once
    (this is not isolation: see "Grading" in instructors.md)."""
    env = dict(os.environ)
    env.update(
        GAMMANET_QUICK="1",
        GAMMANET_DATA="embedded",
        GAMMANET_STORE=str(workdir / "store"),
        MPLBACKEND="Agg",
        PIP_NO_INDEX="1",
        PYTHONUNBUFFERED="1",
    )
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        env[name] = "http://127.0.0.1:9"
    env.pop("no_proxy", None)
    env.pop("NO_PROXY", None)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env.setdefault(name, "1")
    return env


class KernelSession:
    """A kernel running in ``workdir`` with :func:`kernel_environment`; ``execute`` code, ``restart`` it."""

    def __init__(self, workdir: Path, kernel_name: str = "", startup_timeout: float = 60):
        self.workdir = Path(workdir)
        self.kernel_name = kernel_name or THIS_PYTHON
        self.startup_timeout = startup_timeout
        self._stack: Optional[contextlib.ExitStack] = None
        self.restarts = 0

    def __enter__(self) -> KernelSession:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        self.nb = nbformat.v4.new_notebook()
        self.client = _Client(
            self.nb,
            self.workdir,
            timeout=60,
            allow_errors=True,
            interrupt_on_timeout=True,
            error_on_timeout={"ename": TIMEOUT_ENAME, "evalue": "", "traceback": []},
            kernel_name=self.kernel_name,
            startup_timeout=int(self.startup_timeout),
            resources={"metadata": {"path": str(self.workdir)}},
            record_timing=False,
            iopub_timeout=IOPUB_SECONDS,
            shutdown_kernel="immediate",
        )
        self.client.on_cell_executed = self._record_reply
        self.client.log = _QUIET  # timeouts and interrupts are reported in the gradebook, not on stderr
        self._stack = contextlib.ExitStack()
        # The kernel's own stderr (its start-up warnings, C-level output) goes to a log, not the grader's terminal.
        log = self._stack.enter_context(open(self.workdir / "kernel.log", "ab"))
        try:
            self._stack.enter_context(
                self.client.setup_kernel(env=kernel_environment(self.workdir), stdout=log, stderr=log)
            )
        except Exception as err:  # no such kernel, or one that never answers: nothing can be graded
            self.close()
            first = str(err).strip().splitlines()[0] if str(err).strip() else ""
            name = sys.executable if self.kernel_name == THIS_PYTHON else repr(self.kernel_name)
            raise KernelStartError(
                f"could not start the Jupyter kernel {name} ({type(err).__name__}: {first})"
            ) from err

    def close(self) -> None:
        if self._stack is not None:
            stack, self._stack = self._stack, None
            with contextlib.suppress(Exception):
                stack.close()

    def restart(self) -> None:
        """A fresh kernel (the old one is killed): nothing the submission defined survives."""
        self.close()
        self.restarts += 1
        self.start()

    def _record_reply(self, cell, cell_index, execute_reply) -> None:
        self._reply = execute_reply

    def execute(self, source: str, timeout: float) -> Outcome:
        """Run ``source`` as one cell with a time limit (seconds); see :class:`Outcome`.  After a timeout or a
        death the session is usable again: a kernel that does not recover is replaced (``self.restarts`` grows)."""
        cell = nbformat.v4.new_code_cell(source)
        self.nb.cells.append(cell)
        index = len(self.nb.cells) - 1
        if index > 0:
            self.nb.cells[index - 1].outputs = []  # only the latest cell's outputs are ever read
        self.client.timeout = max(1, math.ceil(timeout))  # whole seconds (nbclient), never shorter
        self.client.iopub_timeout = IOPUB_SECONDS
        self._reply = None
        try:
            self.client.execute_cell(cell, index, store_history=False)
        except DeadKernelError:
            self.restart()
            return Outcome("died")
        content = (self._reply or {}).get("content", {})
        if content.get("status") == "error" and content.get("ename") == TIMEOUT_ENAME:
            if not self.responsive():
                self.restart()
            return Outcome("timeout", outputs=list(cell.outputs))
        if content.get("status") == "error":
            return Outcome(
                "error", str(content.get("ename", "")), str(content.get("evalue", ""))[:1000], list(cell.outputs)
            )
        return Outcome("ok", outputs=list(cell.outputs))

    def responsive(self) -> bool:
        """Does the kernel answer a trivial request within GRACE_SECONDS (after an interrupt)?"""
        cell = nbformat.v4.new_code_cell("pass")
        self.nb.cells.append(cell)
        self.client.timeout = GRACE_SECONDS
        self.client.iopub_timeout = IOPUB_SECONDS
        self._reply = None
        try:
            self.client.execute_cell(cell, len(self.nb.cells) - 1, store_history=False)
        except DeadKernelError:
            return False
        content = (self._reply or {}).get("content", {})
        return content.get("status") == "ok"
