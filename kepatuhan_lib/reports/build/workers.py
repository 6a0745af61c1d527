"""The worker processes: the pool, each worker's start (its warm kernel, ending with the build), one report run."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ... import config, storage
from ...errors import ReportBuildError
from . import progress
from .kernel import KERNEL_NAME, WARM_ENGINE, WarmKernel, register_warm_engine
from .plan import notebook_imports

CELL_TIMEOUT = 600  # seconds one cell may run before its report fails
BUILD_POLL_SECONDS = 0.2  # how often a worker checks that its build still runs


@dataclass(frozen=True)
class Task:
    """One report to run, as plain data for a worker process."""

    notebook: str
    params: dict
    reports_dir: str
    html: str  # relative to reports_dir
    inputs: tuple[str, ...]  # declared: the notebook may read these (and package data) only
    provenance: dict  # plan.provenance: what of each input the key covers, shown in the page's footer
    timeout: int = CELL_TIMEOUT
    subject: str = ""  # whom the report is about, named with its year on paper
    other_language: dict | None = None  # render.counterpart: the page's version in the other language


@dataclass
class Outcome:
    """What became of one report; stored in the build state and listed in the index."""

    status: str  # "ok" or "failed"
    title: str = ""
    headline: dict = field(default_factory=dict)
    synthetic: bool = False
    outputs: list[str] = field(default_factory=list)  # relative to the reports folder
    error: str = ""
    section: str = ""
    seconds: float = 0.0
    built_at: str = ""


def run_all(tasks: dict[str, Task], n_jobs: int, show_progress: bool):
    """Yield (html path, outcome) as the worker processes finish the reports."""
    if not tasks:
        return
    warm = sorted(set().union(*(notebook_imports(Path(t.notebook)) for t in tasks.values())))
    n_workers = min(n_jobs, len(tasks))
    # forkserver: workers start clean, not as copies of a parent that may hold threads (pyarrow).
    context = multiprocessing.get_context("forkserver")
    failures = 0
    with (
        progress.shown(len(tasks), show_progress) as update,
        ProcessPoolExecutor(n_workers, mp_context=context, initializer=_init_worker,
                            initargs=(warm, Path(next(iter(tasks.values())).notebook).parent,
                                      dict(os.environ), os.getpid())) as pool,
    ):
        futures = {pool.submit(_run_task, task): rel for rel, task in tasks.items()}
        try:
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                except Exception as err:  # the worker process itself died (BrokenProcessPool)
                    outcome = Outcome("failed", error=f"worker process died: {type(err).__name__}: {err}")
                failures += outcome.status != "ok"
                update(failures)
                yield futures[future], outcome
        except BaseException:  # Ctrl-C, or the build stopped: the workers stop now, not after their reports
            _stop_workers(pool)
            raise


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers (their kernels follow, see _init_worker) and drop the reports not started."""
    for process in list((pool._processes or {}).values()):  # no public way before Python 3.14 (kill_workers)
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


# --- worker process ----------------------------------------------------------------------------

_kernel = None  # this worker's WarmKernel


def _init_worker(warm_modules: list[str], cwd: Path, environ: dict, build_pid: int) -> None:
    from multiprocessing.util import Finalize

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's: it stops the workers (run_all)
    _die_with_build(build_pid)
    # The build's environment, not the forkserver's (started by an earlier build of this process): the
    # kernels inherit it, with the generations the build holds (config.PINNED_ENV) and KEPATUHAN_ROOT.
    os.environ.clear()
    os.environ.update(environ)
    importlib.reload(config)  # its paths from that environment (KEPATUHAN_ROOT): pages show paths as the build does
    global _kernel
    _kernel = WarmKernel(KERNEL_NAME, warm_modules)
    Finalize(_kernel, _kernel.close, exitpriority=10)
    _kernel.start(cwd)
    # While the kernel starts: papermill, nbconvert and the compiled template.
    from ..render import _exporter

    register_warm_engine()
    _exporter()


def _die_with_build(build_pid: int) -> None:
    """End this worker as soon as the build ends, however it ends (kill -9 included): nothing writes after it.

    A thread polls the build (the worker's parent is the forkserver, which lives as long as any
    worker). The worker's kernel then ends too: ipykernel polls its parent (JPY_PARENT_PID, set by
    jupyter_client).
    """
    import threading

    def poll():
        while _alive(build_pid):
            time.sleep(BUILD_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=poll, daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _run_task(task: Task) -> Outcome:
    """Execute one report notebook and render it; any failure is this report's alone."""
    import nbformat
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from ..emit import collect, export_tables, table_files
    from ..render import render_html

    started = time.perf_counter()
    reports_dir = Path(task.reports_dir)
    html_path = reports_dir / task.html
    notebook = Path(task.notebook)

    def failed(error: str, section: str = "") -> Outcome:
        _kernel.replace(notebook.parent)  # whatever the failed report left in the kernel goes with it
        return Outcome("failed", error=error, section=section, seconds=time.perf_counter() - started,
                       built_at=datetime.now().isoformat(timespec="seconds"))

    try:
        km = _kernel.take(notebook.parent)
        nb = papermill.execute_notebook(
            notebook, None, parameters=task.params, engine_name=WARM_ENGINE, km=km,
            kernel_name=KERNEL_NAME, execution_timeout=task.timeout, progress_bar=False, cwd=notebook.parent,
        )
    except PapermillExecutionError as err:
        return failed(f"{err.ename}: {err.evalue}", failing_section(nbformat.read(notebook, 4), err.source))
    except CellTimeoutError:
        return failed(f"a cell ran longer than {task.timeout} s")
    except (DeadKernelError, ReportBuildError) as err:
        return failed(f"the kernel died: {err}")

    try:
        emitted = collect(nb)
        undeclared = [
            config.display_path(p) for p in emitted.inputs
            if p not in task.inputs and config.PACKAGE_DIR not in Path(p).parents
        ]
        if undeclared:
            return failed(
                f"reads {', '.join(undeclared)}, not declared among the report's inputs in "
                "kepatuhan_lib/reports/catalog.py (a change there would not rebuild it)"
            )
        files = table_files(html_path, emitted.tables)
        built_at = datetime.now()
        html, title = render_html(nb, emitted, built_at=built_at, downloads=[f.name for f in files],
                                  subject=task.subject, other_language=task.other_language,
                                  provenance=task.provenance)
        export_tables(emitted.tables, html_path)
        storage.write_text(html_path, html)
    except Exception as err:  # a report's own failure must not stop the others
        return failed(f"{type(err).__name__}: {err}", "pembuatan HTML")
    return Outcome(
        "ok", title=title, headline=emitted.headline, synthetic=emitted.synthetic,
        outputs=[p.relative_to(reports_dir).as_posix() for p in (html_path, *files)],
        seconds=time.perf_counter() - started, built_at=built_at.isoformat(timespec="seconds"),
    )


def failing_section(nb, failing_source: str) -> str:
    """The nearest markdown heading above the failing cell (its text), or ''."""
    heading = ""
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source == failing_source:
            return heading
        if cell.cell_type == "markdown":
            lines = [ln for ln in cell.source.splitlines() if ln.lstrip().startswith("#")]
            heading = lines[-1].lstrip().lstrip("#").strip() if lines else heading
    return heading
