"""The store's files: atomic writes, their temporary files, checksums and the per-unit locks.

**Atomic writes.**  :func:`atomic_write_bytes` writes into a temporary file in the same folder, flushes and fsyncs
it, ``os.replace``-s it onto the final name (atomic on POSIX and Windows) and fsyncs the folder: a reader sees the
old file or the new one, never half of one.  Files are created with mode 0o666 less the process umask, as any
other file the user writes (so a group can share a cluster store).

**Temporary files** are named ``.<name>~<host>~<pid>~<random>.tmp``: a writer killed mid-write leaves one behind,
and :func:`stale_temporaries` tells which ones are provably dead — written on this host by a process that no longer
exists, or untouched for :data:`STALE_SECONDS` (a day: no write takes that long) — so that a process starting next
to a live writer (another shard) never deletes that writer's file.  Inside a unit folder whose lock a process
holds, every temporary file is stale (only the lock holder writes there).

**Locks.**  :func:`lock_unit` takes an exclusive ``flock`` (through ``filelock``) on ``units/<id>.lock``; the
operating system releases it when the process ends, however it ends, so a killed run never leaves a unit locked.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import socket
import time
from pathlib import Path
from typing import Optional, Union

TMP_SUFFIX = ".tmp"
#: A temporary file untouched for this long is stale whoever wrote it.
STALE_SECONDS = 24 * 3600.0
HOST = socket.gethostname()
TMP_PATTERN = re.compile(r"^\.(?P<target>.+)~(?P<host>[^~]*)~(?P<pid>\d+)~[0-9a-f]+\.tmp$")


# --------------------------------------------------------------------------------------------- atomic files
def temporary_path(path: Path) -> Path:
    """Where :func:`atomic_write_bytes` writes ``path`` before renaming it: writer's host and PID in the name."""
    safe_host = HOST.replace("~", "-")
    return path.parent / f".{path.name}~{safe_host}~{os.getpid()}~{secrets.token_hex(4)}{TMP_SUFFIX}"


def _write(fh, data: bytes, path: Path) -> None:
    """Write ``data``, meant for ``path``, to the open temporary file (one place, so that tests can interrupt a
    write half-way)."""
    fh.write(data)


def atomic_write_bytes(path: Union[str, Path], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, fsync, ``os.replace``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # 0o666 & ~umask, as open() does
    try:
        with os.fdopen(fd, "wb") as fh:
            _write(fh, data, path)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)
    return path


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_text(path: Union[str, Path], text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Union[str, Path], value) -> Path:
    return atomic_write_text(path, json.dumps(value, indent=2, allow_nan=True) + "\n")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------------------------------ temporary files
def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists on this host (one we may not signal counts as existing)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def is_stale_temporary(path: Path, now: Optional[float] = None) -> bool:
    """Provably dead: written on this host by a process that is gone, or untouched for :data:`STALE_SECONDS`."""
    m = TMP_PATTERN.match(path.name)
    if m and m["host"] == HOST.replace("~", "-") and not pid_alive(int(m["pid"])):
        return True
    try:
        age = (time.time() if now is None else now) - path.stat().st_mtime
    except FileNotFoundError:
        return False
    return age > STALE_SECONDS


def temporaries(folder: Path) -> list[Path]:
    """Every temporary file under ``folder`` (ours, and the ``.*.tmp`` files of earlier versions)."""
    return sorted(p for p in Path(folder).glob(f"**/.*{TMP_SUFFIX}") if p.is_file())


def remove_temporaries(folder: Path, everything: bool = False) -> list[Path]:
    """Remove the stale temporary files under ``folder`` (all of them with ``everything``: only for a unit folder
    whose lock this process holds); returns those removed."""
    removed = []
    for path in temporaries(folder):
        if everything or is_stale_temporary(path):
            try:
                path.unlink()
                removed.append(path)
            except FileNotFoundError:
                pass
    return removed


# ---------------------------------------------------------------------------------------------------- locks
class LocksUnavailable(OSError):
    """The store's file system refuses ``flock``."""


def lock_unit(path: Path, wait: bool = False):
    """An acquired exclusive lock on ``path`` (a ``filelock.FileLock``; call ``.release()``), or None when another
    process holds it and ``wait`` is False.  With ``wait`` it blocks until the lock is free."""
    from filelock import FileLock, Timeout

    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():  # damage in the store, not a file system without locks: say so rather than train unlocked
        from .records import StoreError

        raise StoreError(path, "is a folder, not a lock file; move it away")
    # No soft (file-exists) fallback: such a lock would outlive a killed process.
    lock = FileLock(str(path), fallback_to_soft=False, thread_local=False)
    try:
        lock.acquire(timeout=-1 if wait else 0)
    except Timeout:
        return None
    except OSError as err:
        raise LocksUnavailable(f"cannot lock {path}: {err}") from None
    return lock


__all__ = [
    "HOST",
    "STALE_SECONDS",
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_text",
    "lock_unit",
    "is_stale_temporary",
    "remove_temporaries",
    "sha256_hex",
    "temporaries",
    "temporary_path",
]
