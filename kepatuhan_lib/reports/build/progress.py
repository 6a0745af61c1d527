"""A build's progress: a bar on a terminal, a line now and then in a log."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def shown(total: int, enabled: bool = True) -> Iterator[Callable[[int], None]]:
    """Yield ``update(failures)``, to call as each of ``total`` reports ends: it advances a bar when
    stderr is a terminal, else a ProgressLog; nothing when not ``enabled``."""
    from tqdm import tqdm

    on_terminal = sys.stderr.isatty()
    log = ProgressLog(total) if enabled and not on_terminal else None
    with tqdm(total=total, desc="laporan", unit="lap", file=sys.stderr, disable=not (enabled and on_terminal)) as bar:
        def update(failures: int) -> None:
            bar.set_postfix(gagal=failures, refresh=False)
            bar.update()
            if log:
                log.update(failures)

        yield update


class ProgressLog:
    """Progress as a line now and then, for a log (a scheduled build): no terminal to redraw a bar in."""

    def __init__(self, total: int, every: float = 30.0, clock=time.monotonic, out=None):
        self.total, self.every, self.clock, self.out = total, every, clock, out or sys.stderr
        self.done = 0
        self.start = self.last = clock()

    def update(self, failures: int) -> None:
        self.done += 1
        now = self.clock()
        if self.done < self.total and now - self.last < self.every:
            return
        self.last = now
        elapsed = now - self.start
        left = elapsed / self.done * (self.total - self.done)
        print(f"laporan {self.done}/{self.total}, {failures} gagal, {elapsed:.0f} s berlalu, sisa sekitar {left:.0f} s",
              file=self.out, flush=True)
