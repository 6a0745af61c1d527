"""The `kepatuhan` console command. Ctrl-C is handled from this module's first lines, before anything
heavy is imported: at any moment it prints one line and exits 130, never a traceback.

Only the console script imports this module (the library and its tests use `cli.main`), so it may
set the process's SIGINT handler when imported.
"""

import _signal  # the interpreter's own (built-in) module: `signal` would first import enum, which takes a while
import os  # already imported by the interpreter's start-up


def _interrupted_while_starting(signum, frame) -> None:
    """Ctrl-C before the command is under way: nothing to clean up yet, so stop at once."""
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)  # one line, however often Ctrl-C is pressed
    os.write(2, b"kepatuhan: interrupted\n")
    os._exit(130)


_signal.signal(_signal.SIGINT, _interrupted_while_starting)

import signal  # noqa: E402 - after the handler


def main() -> int:
    from .cli import on_interrupt, run as command  # argparse and the project's modules, under the handler above

    try:
        # From here Ctrl-C is a KeyboardInterrupt, which `command` turns into its one line and exit 130
        # (workers stopped, locks released).
        signal.signal(signal.SIGINT, on_interrupt)
        code = command()
    except KeyboardInterrupt:  # between the two handlers, before `command` was under way
        _interrupted_while_starting(signal.SIGINT, None)  # exits
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the command is done: its exit code stands
    return code
