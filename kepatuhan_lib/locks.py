"""File locks (flock): one writer at a time in a folder, and readers that keep a generation in place.

A lock is held by an open file, so the system releases it when its holder dies, however it dies:
a lock found free is never stale, whatever its file still says about a holder killed earlier.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from . import config
from .errors import LockedError


@contextlib.contextmanager
def exclusive(path: Path, command: str) -> Iterator[None]:
    """Hold ``path`` for one run of ``command`` (build, ingest) at a time.

    The holder's pid, host and start time are written in the file: a second run is a LockedError
    that names them; a run that finds the lock free but the file naming a holder (killed before it
    could clear it) takes over, with a notice.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        if not try_lock(fd, fcntl.LOCK_EX):
            raise LockedError(f"another {command} is running in {config.display_path(path.parent)}/ "
                              f"({_holder(fd) or 'holder unknown'}); wait for it to end, then run again",
                              path=str(path))
        if previous := _holder(fd):
            print(f"kepatuhan {command}: taking over the lock of an earlier {command} that did not finish "
                  f"({previous})", file=sys.stderr)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                  "started": datetime.now().isoformat(timespec="seconds")}).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)  # ended: nobody to name
    finally:
        os.close(fd)


def try_lock(fd: int, kind: int) -> bool:
    """Take a flock of ``kind`` (fcntl.LOCK_EX, LOCK_SH) on ``fd`` without waiting; False when held elsewhere."""
    try:
        fcntl.flock(fd, kind | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(fd: int) -> str:
    """'pid 123 on host, since 2026-01-02T10:00:00' from a lock file, or '' when it names nobody."""
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"null")
        return f"pid {info['pid']} on {info['host']}, since {info['started']}"
    except (ValueError, TypeError, KeyError):
        return ""
