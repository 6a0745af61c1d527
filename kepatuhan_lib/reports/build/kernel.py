"""The warm kernel: one per worker, warmed up once, reset between reports; papermill's engine on it."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from ...errors import ReportBuildError

KERNEL_NAME = "python3"
KERNEL_START_ATTEMPTS = 3  # kernel start-up can fail on a port taken by a kernel starting beside it
KERNEL_START_TIMEOUT = 60


class WarmKernel:
    """One kernel per worker, reused report after report: started and warmed up (imports) once.

    Before each report but the first, the kernel is reset to the state it had after warming up
    (see kernel_reset): an empty namespace, no open figures, the same settings. Imported modules
    stay, and with them the library's caches, which are keyed by file version. After a failed
    report the kernel is replaced by a fresh one, so nothing a failure left behind can leak.
    """

    def __init__(self, kernel_name: str, warm_modules: list[str]):
        self.kernel_name = kernel_name
        # Silent, and binding no name: the report's namespace stays empty.
        imports = "\n".join(f"try:\n    __import__({m!r})\nexcept Exception:\n    pass" for m in warm_modules)
        self.warm_code = f"{imports}\n__import__({__name__!r}, fromlist=['_']).kernel_baseline()"
        self._km = self._kc = self._pending = None  # _pending: id of the set-up request in flight
        self._used = False

    def start(self, cwd: Path) -> None:
        """Start a kernel in ``cwd`` warming up, without waiting for it."""
        import subprocess

        from jupyter_client.manager import KernelManager

        # nbclient polls an asynchronous client, else a dead kernel would block it forever.
        self._km = KernelManager(kernel_name=self.kernel_name,
                                 client_class="jupyter_client.asynchronous.AsyncKernelClient")
        # In-memory history: kernels beside each other do not share (and lock) a history file.
        self._km.start_kernel(cwd=str(cwd), extra_arguments=["--HistoryManager.hist_file=:memory:"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._used = False
        self._request(self.warm_code)

    def take(self, cwd: Path):
        """The kernel manager of a kernel ready for the next report, in ``cwd``."""
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            if self._km is None:
                self.start(cwd)
            elif self._used:  # reset what the previous report left
                self._request(f"__import__({__name__!r}, fromlist=['_']).kernel_reset({str(cwd)!r})")
            try:
                self._wait()
                break
            except ReportBuildError:  # died (a port taken by a kernel starting beside it) or hangs
                self.close()
                if attempt == KERNEL_START_ATTEMPTS:
                    raise
        self._used = True
        return self._km

    def replace(self, cwd: Path) -> None:
        """Shut this kernel down and start a fresh one warming up."""
        self.close()
        self.start(cwd)

    def close(self) -> None:
        if self._km is not None:
            self._stop_client()
            self._km.shutdown_kernel(now=True)
            self._km = None

    def _request(self, code: str) -> None:
        """Send silent set-up code through a client of our own, open until its reply (_wait)."""
        # Clients of one kernel manager share a session, hence a socket identity: replies go to
        # the latest one connected, so ours must be closed before papermill's client opens.
        from jupyter_client.blocking import BlockingKernelClient

        self._kc = BlockingKernelClient(**self._km.get_connection_info(session=True), parent=self._km)
        self._kc.start_channels()
        self._pending = self._kc.execute(code, silent=True, store_history=False)

    def _stop_client(self) -> None:
        if self._kc is not None:
            self._kc.stop_channels()
            self._kc = self._pending = None

    def _wait(self) -> None:
        """Wait for the reply to the set-up request; an error, a dead or a hung kernel raise."""
        import queue

        deadline = time.monotonic() + KERNEL_START_TIMEOUT
        try:
            while time.monotonic() < deadline:
                if not self._km.is_alive():
                    raise ReportBuildError("kernel died before replying", report="")
                try:
                    reply = self._kc.get_shell_msg(timeout=0.2)
                except queue.Empty:
                    continue
                if reply["parent_header"].get("msg_id") == self._pending:
                    if reply["content"]["status"] != "ok":
                        raise ReportBuildError(f"kernel set-up failed: {reply['content'].get('evalue', '')}",
                                               report="")
                    return
            raise ReportBuildError(f"kernel not ready within {KERNEL_START_TIMEOUT} s", report="")
        finally:
            self._stop_client()


# --- inside the kernel -------------------------------------------------------------------------

_baseline: dict = {}  # kernel state after warming up, restored between reports


def kernel_baseline() -> None:
    """Record the kernel's settings once the modules are imported (runs in the kernel)."""
    import warnings

    _baseline["warnings"] = list(warnings.filters)
    _baseline["sys.path"] = list(sys.path)
    _baseline["environ"] = dict(os.environ)
    if "matplotlib" in sys.modules:
        _baseline["rcParams"] = sys.modules["matplotlib"].rcParams.copy()


def kernel_reset(cwd: str) -> None:
    """Bring a used kernel back to its state after warming up (runs in the kernel, between reports)."""
    import warnings

    from IPython import get_ipython

    get_ipython().reset(new_session=True)  # the namespace, output history, execution count
    warnings.filters[:] = _baseline["warnings"]
    sys.path[:] = _baseline["sys.path"]
    for name in set(os.environ) - set(_baseline["environ"]):
        del os.environ[name]
    os.environ.update(_baseline["environ"])
    os.chdir(cwd)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if "rcParams" in _baseline:
        import matplotlib

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            matplotlib.rcParams.update(_baseline["rcParams"])
    if "pandas" in sys.modules:
        import pandas as pd

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pd.reset_option("all")


WARM_ENGINE = "kepatuhan-warm"


def register_warm_engine() -> None:
    """papermill's nbclient engine, on the worker's kernel (WarmKernel), which it leaves running."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class WarmKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, km=None, execution_timeout=None, **_):
            # The other keywords papermill passes (start timeout, log files) concern a kernel
            # it would start itself.
            client = PapermillNotebookClient(nb_man, km=km, kernel_name=kernel_name, timeout=execution_timeout)
            try:
                return client.execute(cleanup_kc=False)  # the kernel serves the next report
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()

    papermill_engines.register(WARM_ENGINE, WarmKernelEngine)
