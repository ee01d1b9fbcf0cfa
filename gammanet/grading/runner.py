"""A submission's functions, callable from the grader's process: define them in a kernel, call them there.

:class:`Runner` executes the planned steps (:func:`gammanet.grading.notebook.plan`) in a fresh kernel, then installs
the kernel end of :mod:`gammanet.grading.transport`.  :class:`StudentFunction` is what a check receives instead of
the student's function: calling it runs the function in the kernel, with a time limit, and returns its value (or
raises its exception) in the grader.  When a call hangs past recovery or kills the kernel, the runner starts a new
kernel and replays the steps, so the next exercise finds its functions again.
"""

from __future__ import annotations

import time
from pathlib import Path

from . import transport
from .kernel import KernelSession, Outcome

INSTALL = """import sys as _sys, types as _types
_module = _types.ModuleType("_gammanet_grading")
exec(compile({source!r}, "gammanet/grading/transport.py", "exec"), _module.__dict__)
_sys.modules["_gammanet_grading"] = _module
del _sys, _types, _module
"""


class CallTimeout(BaseException):
    """A call of the student's function ran past its limit.  A BaseException: the checks' ``except Exception``
    must not turn it into a failed case; the grader records the exercise as ``timeout``."""


class KernelDied(BaseException):
    """The kernel died during a call (the grader records the exercise as ``error``)."""


class Deadline:
    """The submission's overall time limit."""

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    def passed(self) -> bool:
        return self.left() <= 0


class Runner:
    """The planned steps of one submission, executed in a :class:`KernelSession`; see the module docstring."""

    def __init__(self, session: KernelSession, steps: list, timeout: float, deadline: Deadline):
        self.session, self.steps, self.timeout, self.deadline = session, steps, timeout, deadline
        self.outcomes: dict = {}  # step index → Outcome of its first run
        self.skipped: set = set()  # steps not replayed: they hung or killed the kernel
        self.calls = 0

    def limit(self) -> float:
        return max(1.0, min(self.timeout, self.deadline.left()))

    def define(self) -> None:
        """Run every step once (recording its outcome), then install the kernel end of the transport."""
        for k, step in enumerate(self.steps):
            if self.deadline.passed():
                self.outcomes[k] = Outcome("timeout", evalue="the submission's overall time limit was reached")
                continue
            restarts = self.session.restarts
            outcome = self.session.execute(step.source, self.limit())
            self.outcomes[k] = outcome
            if outcome.status in ("timeout", "died"):
                self.skipped.add(k)
                if self.session.restarts > restarts:  # a new kernel: what ran before is gone
                    self._replay(upto=k)
        self._install()

    def _replay(self, upto=None) -> None:
        for k, step in enumerate(self.steps[:upto]):
            if k not in self.skipped and not self.deadline.passed():
                outcome = self.session.execute(step.source, self.limit())
                if outcome.status in ("timeout", "died"):
                    self.skipped.add(k)

    def _install(self, again: bool = True) -> None:
        source = Path(transport.__file__).read_text()
        restarts = self.session.restarts
        # 30 s at least (it imports numpy and friends), but never past the submission's overall limit
        limit = max(1.0, min(max(self.timeout, 30.0), self.deadline.left()))
        self.session.execute(INSTALL.format(source=source), limit)
        if self.session.restarts > restarts and again and not self.deadline.passed():
            self._replay()  # the kernel was replaced while installing (something hung it): once more
            self._install(again=False)

    def _recover(self) -> None:
        """After the kernel was replaced: the steps again, and the transport."""
        self._replay()
        self._install()

    def _published(self, outcome: Outcome):
        for out in reversed(outcome.outputs):
            if out.get("output_type") == "display_data" and transport.MIME in out.get("data", {}):
                return transport.loads(out["data"][transport.MIME])
        return None

    def request(self, code: str):
        """Run one request of the kernel end and return its envelope; CallTimeout / KernelDied."""
        restarts = self.session.restarts
        self.calls += 1
        outcome = self.session.execute("import _gammanet_grading as _g\n" + code, self.limit())
        if self.session.restarts > restarts:
            self._recover()
        if outcome.status == "timeout":
            raise CallTimeout()
        if outcome.status == "died":
            raise KernelDied()
        envelope = self._published(outcome)
        if envelope is None:  # the request itself failed: e.g. the transport was removed
            if outcome.ename == "ModuleNotFoundError" and "_gammanet_grading" in outcome.evalue:
                return {
                    "status": "raised",
                    "type": "RuntimeError",
                    "message": "the grader could not reach this notebook's functions (does a cell of the notebook "
                    "hang or break every cell run after it?)",
                    "not_implemented": False,
                }
            return {
                "status": "raised",
                "type": outcome.ename or "RuntimeError",
                "message": outcome.evalue or "the call returned nothing",
                "not_implemented": False,
            }
        return envelope

    def lookup(self, name: str) -> dict:
        """``{"status": "missing" | "callable"}`` or ``{"status": "returned", "value": ...}`` for a name."""
        return self.request(f"_g.kernel_lookup({name!r})")

    def call(self, name: str, args, kwargs):
        return self.request(f"_g.kernel_call({name!r}, {transport.payload(args, kwargs)!r})")


_EXCEPTIONS: dict = {}


def student_exception(type_name: str, message: str) -> Exception:
    """An exception named like the student's (``ZeroDivisionError: division by zero`` in the feedback)."""
    if type_name == "NotImplementedError":
        return NotImplementedError(message)
    name = type_name if type_name.isidentifier() else "Error"
    cls = _EXCEPTIONS.setdefault(name, type(name, (Exception,), {"__module__": "submission"}))
    return cls(message)


class StudentFunction:
    """Stands for the student's function ``name`` in the grader: calls run in the submission's kernel."""

    def __init__(self, runner: Runner, name: str):
        self.runner, self.__name__ = runner, name

    def __repr__(self) -> str:
        return f"<the submission's {self.__name__}>"

    def __call__(self, *args, **kwargs):
        envelope = self.runner.call(self.__name__, args, kwargs)
        status = envelope["status"]
        if status == "returned":
            return envelope["value"]
        if status == "missing":
            raise student_exception("NameError", f"name {self.__name__!r} is not defined")
        if envelope.get("not_implemented"):
            raise NotImplementedError(str(envelope.get("message", "")))
        raise student_exception(str(envelope.get("type", "Error")), str(envelope.get("message", "")))
