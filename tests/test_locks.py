"""One run at a time: the lock names its holder, frees itself when the holder dies, is taken over then."""

import json
import os
import socket
import subprocess
import sys

import pytest

from kepatuhan_lib import locks
from kepatuhan_lib.cli import main
from kepatuhan_lib.errors import LockedError


def test_a_second_holder_is_refused_with_the_first_named(tmp_path):
    lock = tmp_path / "data" / ".lock"
    with locks.exclusive(lock, "ingest"):
        holder = json.loads(lock.read_text())
        assert holder["pid"] == os.getpid() and holder["host"] == socket.gethostname()
        with pytest.raises(LockedError, match=rf"another ingest is running in .*data/ \(pid {os.getpid()} on "
                                              rf"{socket.gethostname()}, since {holder['started']}\)"):
            with locks.exclusive(lock, "ingest"):
                pass
    assert lock.read_text() == ""  # ended: the next run takes it without a notice
    with locks.exclusive(lock, "ingest"):
        pass


def test_a_lock_whose_holder_was_killed_is_taken_over_with_a_notice(tmp_path, capsys):
    lock = tmp_path / ".lock"
    code = ("import os, signal, sys; from pathlib import Path; from kepatuhan_lib import locks\n"
            f"with locks.exclusive(Path({str(lock)!r}), 'build'): os.kill(os.getpid(), signal.SIGKILL)")
    killed = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert killed.returncode == -9
    pid = json.loads(lock.read_text())["pid"]
    with locks.exclusive(lock, "build"):
        assert json.loads(lock.read_text())["pid"] == os.getpid()
    assert capsys.readouterr().err.startswith(
        f"kepatuhan build: taking over the lock of an earlier build that did not finish (pid {pid} on ")


def test_a_second_ingest_exits_2_naming_the_first(tmp_path, monkeypatch, capsys):
    from kepatuhan_lib import config

    monkeypatch.setattr(config, "PROCESSED_DIR", tmp_path)
    with locks.exclusive(tmp_path / config.LOCK_NAME, "ingest"):
        assert main(["ingest"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kepatuhan ingest: another ingest is running in {tmp_path}/ (pid {os.getpid()} on ")
    assert "Traceback" not in err
