"""Ctrl-C while the `kepatuhan` command starts (imports, before any work): one line, exit 130, no traceback.

Later moments (workers running, a lock held) are tested in test_build.py and test_locks.py.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

KEPATUHAN = Path(sys.executable).parent / "kepatuhan"  # the console script, as a user runs it
# Seconds after the console module is loaded (its first line sets the SIGINT handler): the project's
# modules and argparse, then pandas and the command's own modules, then the command's first steps.
DELAYS = (0, 0.001, 0.002, 0.003, 0.005, 0.008, 0.012, 0.02, 0.03, 0.05, 0.08, 0.12, 0.2, 0.3)
# Imported by the interpreter before it runs the console script: marks that moment. (Before the console
# module's first line, the interpreter's own start-up and import machinery run no code of the project: a
# SIGINT there gets the interpreter's own default.)
MARKER = """
import importlib.machinery
import sys

class Mark:
    def find_spec(self, name, path=None, target=None):
        if name != "kepatuhan_lib.console":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            open({started!r}, "w").close()

        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, Mark())
"""


@pytest.mark.parametrize("command", [["ingest"], ["build", "--year", "2023"]])
def test_ctrl_c_at_any_moment_of_start_up_prints_one_line_and_exits_130(tmp_path, command):
    hook = tmp_path / "hook"
    hook.mkdir()
    started = tmp_path / "console-loaded"
    (hook / "sitecustomize.py").write_text(MARKER.format(started=str(started)))
    env = os.environ | {"PYTHONPATH": str(hook), "KEPATUHAN_ROOT": str(tmp_path / "project")}
    for delay in DELAYS:
        started.unlink(missing_ok=True)
        process = subprocess.Popen([str(KEPATUHAN), *command], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while not started.exists() and process.poll() is None:
            assert time.monotonic() < deadline, "the console script did not start"
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
        assert process.returncode == 130, f"{delay} s: exit {process.returncode}: {err}"
        assert "Traceback" not in err and err.count("\n") == 1, f"{delay} s: {err}"
        assert err.startswith("kepatuhan") and err.endswith(": interrupted\n"), f"{delay} s: {err}"


@pytest.mark.parametrize("handler", [signal.default_int_handler, signal.SIG_DFL])
def test_main_in_process_ended_interrupted_puts_back_the_sigint_handler(monkeypatch, capsys, handler):
    """`main` called in a process (tests, a notebook) that ends interrupted ignores SIGINT only until it returns:
    the process's own handler is back, so a later Ctrl-C (or a child it starts) is not ignored."""
    from kepatuhan_lib import commands
    from kepatuhan_lib.cli import main

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "ingest_command", interrupted)
    previous = signal.signal(signal.SIGINT, handler)
    try:
        assert main(["ingest"]) == 130
        assert signal.getsignal(signal.SIGINT) is handler
    finally:
        signal.signal(signal.SIGINT, previous)
    assert capsys.readouterr().err == "kepatuhan ingest: interrupted\n"
