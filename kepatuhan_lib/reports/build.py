"""`kepatuhan build`: select reports, check parameters, run the changed ones in parallel, index."""

from __future__ import annotations

import ast
import contextlib
import hashlib
import importlib
import json
import multiprocessing
import os
import shutil
import signal
import sys
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from .. import config, i18n, locks, storage
from ..errors import ReportBuildError, UsageError
from .catalog import REPORTS, Job, Report
from .params import check, resolve_province

KERNEL_NAME = "python3"
CELL_TIMEOUT = 600  # seconds one cell may run before its report fails
KERNEL_START_ATTEMPTS = 3  # kernel start-up can fail on a port taken by a kernel starting beside it
KERNEL_START_TIMEOUT = 60
STATE_VERSION = 1
BUILD_POLL_SECONDS = 0.2  # how often a worker checks that its build still runs


@dataclass(frozen=True)
class Task:
    """One report to run, as plain data for a worker process."""

    notebook: str
    params: dict
    reports_dir: str
    html: str  # relative to reports_dir
    inputs: tuple[str, ...]  # declared: the notebook may read these (and package data) only
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


@dataclass
class BuildResult:
    built: list[str]
    skipped: list[str]
    failed: dict[str, Outcome]
    seconds: float


# --- selection -------------------------------------------------------------------------------

def select_jobs(
    edition: str,
    years: Iterable[int] | None = None,
    provinces: Iterable[str] | None = None,
    reports: Iterable[str] | None = None,
    *,
    catalog: Mapping[str, Report] = REPORTS,
    scores_path: Path | None = None,
    langs: Iterable[str] = (i18n.DEFAULT,),
) -> list[Job]:
    """The reports an edition's processed scores call for, narrowed by year, province and report kind,
    in each language of ``langs`` (an Indonesian job carries no ``lang``: its parameter's default).

    A province filter keeps the reports about that province (its league table and its entities'
    profiles); the national summary is kept then only when asked for with --report.
    """
    import pandas as pd

    unknown = sorted(set(reports or ()) - set(catalog))
    if unknown:
        raise UsageError(f"unknown report {', '.join(unknown)}; reports: {', '.join(catalog)}")
    unknown = sorted(set(langs) - set(i18n.LANGUAGES))
    if unknown:
        raise UsageError(f"unknown language {', '.join(unknown)}; languages: {', '.join(i18n.LANGUAGES)}")
    scores_path = scores_path or config.processed(edition).table("scores")  # looked up now: tests point config elsewhere
    if not scores_path.exists():
        raise UsageError(f"no scores yet: {config.display_path(scores_path)} is missing; run `kepatuhan ingest`")
    scores = pd.read_parquet(scores_path)
    codes = {resolve_province(p) for p in provinces or ()}
    jobs = [
        job if lang == i18n.DEFAULT else Job(job.report, {**job.params, "lang": lang}, job.subject, job.province_code)
        for name, report in catalog.items() if not reports or name in reports
        for job in report.select(scores, edition)
        if (not years or job.params.get("year") in years)
        and (not codes or job.province_code in codes or (job.province_code is None and reports))
        for lang in dict.fromkeys(langs)
    ]
    if not jobs:
        have = sorted(int(y) for y in scores["year"].dropna().unique())
        raise UsageError(f"no report matches in edition {edition}; years: {', '.join(map(str, have))}")
    return sorted(jobs, key=Job.sort_key)


def available_editions() -> list[str]:
    """The editions whose processed scores exist (`kepatuhan ingest` writes them)."""
    return [e for e in config.EDITIONS if config.processed(e).table("scores").exists()]


# --- change detection ------------------------------------------------------------------------

def file_digest(path: Path) -> str:
    """sha256 of a file's content; 'missing' for an absent file (its later arrival is a change)."""
    return storage.sha256_file(path) if path.exists() else "missing"


# Modules the build itself runs on every report's notebook: what they do shows in the HTML.
RENDERING_MODULES = ("kepatuhan_lib.reports.emit", "kepatuhan_lib.reports.render")


def library_digest(notebook: Path, package_dir: Path = config.PACKAGE_DIR) -> str:
    """One hash over what of the library a report's HTML comes from: the project modules its notebook
    and the rendering import (transitively, lazy imports included) and the package data (methodology,
    reference, templates, translations). A change elsewhere (a message of `ingest`) rebuilds nothing."""
    modules = module_closure({*notebook_imports(notebook), *RENDERING_MODULES}, package_dir)
    data = [p for p in package_dir.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")
            and "__pycache__" not in p.parts]
    digest = hashlib.sha256()
    for path in sorted({*modules, *data}):
        digest.update(str(path.relative_to(package_dir)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def module_closure(modules: set[str], package_dir: Path = config.PACKAGE_DIR) -> set[Path]:
    """The files of the project modules ``modules`` import, directly or not (with their packages'
    __init__.py): read from the source, so nothing is imported."""
    package = package_dir.name
    found: set[Path] = set()
    todo = [m for m in modules if m == package or m.startswith(package + ".")]
    while todo:
        name = todo.pop()
        parts = name.split(".")[1:]
        for depth in range(len(parts) + 1):  # the module and every package above it
            path = _module_file(package_dir, parts[:depth])
            if path is None or path in found:
                continue
            found.add(path)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
                if isinstance(node, ast.Import):
                    todo += [a.name for a in node.names if a.name.split(".")[0] == package]
                elif isinstance(node, ast.ImportFrom):
                    here = [package, *parts[:depth]] if path.name == "__init__.py" else [package, *parts[:depth - 1]]
                    base = here[:len(here) - node.level + 1] if node.level else []
                    target = ".".join([*base, *(node.module.split(".") if node.module else [])])
                    if target.split(".")[0] == package:
                        todo += [target, *(f"{target}.{a.name}" for a in node.names)]
    return found


def _module_file(package_dir: Path, parts: list[str]) -> Path | None:
    """The file of a module (a/b.py) or package (a/b/__init__.py) below the package, if it is one."""
    where = package_dir.joinpath(*parts)
    for path in (where / "__init__.py", where.with_suffix(".py") if parts else None):
        if path is not None and path.is_file():
            return path
    return None


def job_key(report: Report, params: dict, library: str, digests: dict[Path, str], links: dict | None = None) -> str:
    """The hash a report's HTML is built from: notebook, parameters (its language among them), declared
    inputs, library, and the link to its other-language version (``links``: its arrival rebuilds the page)."""
    inputs = report.input_paths(params)
    for path in (report.notebook, *inputs):
        if path not in digests:
            digests[path] = file_digest(path)
    material = {
        "notebook": digests[report.notebook],
        "params": params,
        # By the path a reader sees (a table under its edition, not its generation's folder): the same
        # content in a new generation is no change.
        "inputs": {config.display_path(p): digests[p] for p in inputs},
        "library": library,
    }
    if links:
        material["links"] = links
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def load_state(state_path: Path) -> dict:
    """The build state: per report HTML path (relative), its key and outcome."""
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return state.get("reports", {}) if state.get("version") == STATE_VERSION else {}


def save_state(state_path: Path, entries: dict) -> None:
    storage.write_text(state_path, json.dumps({"version": STATE_VERSION, "reports": entries}, indent=1))


# --- the build -------------------------------------------------------------------------------

def build_command(editions, years, provinces, reports, jobs, force, pdf=False, langs=None) -> int:
    """`kepatuhan build`: exit 0 when every selected report built, 1 when any failed.

    One build at a time in reports/ (reports/.lock; another is a LockedError naming it). Each
    edition's processed tables are read from one generation, held and pinned for the whole build
    (storage.pinned), whatever an ingest does meanwhile.
    """
    if jobs is not None and jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if jobs is not None and jobs > (cores := available_cores()):
        print(f"kepatuhan build: --jobs {jobs} is more than the {cores} cores here; using {cores}", file=sys.stderr)
        jobs = cores
    unknown = sorted(set(editions or ()) - set(config.EDITIONS))
    if unknown:
        raise UsageError(f"unknown edition {', '.join(unknown)}; editions: {', '.join(config.EDITIONS)}")
    if pdf:
        from .pdf import require

        require()
    with (storage.writing_in(config.REPORTS_DIR),
          locks.exclusive(config.REPORTS_DIR / config.LOCK_NAME, "build")):
        have = available_editions()
        missing = sorted(set(editions or ()) - set(have))
        if missing:
            raise UsageError(f"no processed data for edition {', '.join(missing)}; run `kepatuhan ingest`"
                             + ("" if "ekspor" not in missing else " (ekspor needs files in data/raw/exports/)"))
        if not have:
            raise UsageError("no processed data yet; run `kepatuhan ingest`")
        with storage.pinned(editions or have):
            return _build_editions(editions or have, have, years, provinces, reports, jobs, force,
                                   full=not (editions or years or provinces or reports), pdf=pdf,
                                   langs=langs or [i18n.DEFAULT])


def _build_editions(editions, have, years, provinces, reports, jobs, force, full, pdf=False,
                    langs=(i18n.DEFAULT,)) -> int:
    from .index import write_editions_index

    selections = {edition: select_jobs(edition, years, provinces, reports, langs=langs) for edition in editions}
    failed = 0
    for edition, selection in selections.items():
        reports_dir = config.REPORTS_DIR / edition
        print(f"kepatuhan build [{edition}]: {len(selection)} reports", file=sys.stderr)
        result = build(selection, n_jobs=jobs, force=force, prune=not (years or provinces or reports),
                       reports_dir=reports_dir, pdf=pdf)
        print(
            f"kepatuhan build [{edition}]: {len(set(result.built) - set(result.failed))} built, "
            f"{len(result.skipped)} unchanged, {len(result.failed)} failed in {result.seconds:.1f} s; "
            f"see {config.display_path(reports_dir / 'index.html')}",
            file=sys.stderr,
        )
        for path, outcome in result.failed.items():
            where = f" in section '{outcome.section}'" if outcome.section else ""
            print(f"  failed: {edition}/{path}{where}: {outcome.error}", file=sys.stderr)
        failed += len(result.failed)
    if full:  # reports of editions no longer ingested go
        for stale in set(config.EDITIONS) - set(have):
            if (config.REPORTS_DIR / stale).is_dir():
                shutil.rmtree(config.REPORTS_DIR / stale)
    index = write_editions_index(config.REPORTS_DIR)
    print(f"kepatuhan build: editions listed in {config.display_path(index)}", file=sys.stderr)
    return 1 if failed else 0


def available_cores() -> int:
    """The cores this process may run on (its affinity where the system says, else all)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def exit_code(result: BuildResult) -> int:
    return 1 if result.failed else 0


def build(
    jobs: list[Job],
    *,
    catalog: Mapping[str, Report] = REPORTS,
    reports_dir: Path = config.REPORTS_DIR,
    state_path: Path | None = None,
    n_jobs: int | None = None,
    force: bool = False,
    prune: bool = False,
    progress: bool = True,
    timeout: int = CELL_TIMEOUT,
    pdf: bool = False,
) -> BuildResult:
    """Build the reports whose inputs changed (all with ``force``), in parallel; write the index.

    Every job's parameters are checked before any work starts. ``prune`` drops reports that are
    no longer selected (a full build) from the state, the index and the disk; only those of the
    languages built (an English build leaves the Indonesian reports as they are). ``pdf`` also prints
    each built report whose PDF is missing or older than its HTML (see _print_pdfs).
    """
    from .index import write_index

    started = time.perf_counter()
    state_path = state_path or reports_dir / config.BUILD_STATE_NAME
    checked = [(job, catalog[job.report], check(catalog[job.report], job.params)) for job in jobs]
    libraries, digests = {}, {}
    entries = load_state(state_path)
    tasks, skipped = {}, []
    pages = {report.page(job).as_posix(): (job, report) for job, report, _params in checked}
    for job, report, params in checked:
        rel = report.page(job).as_posix()
        if report.notebook not in libraries:
            libraries[report.notebook] = library_digest(report.notebook)
        other = _other_language(report, job, pages, entries, reports_dir)
        key = job_key(report, params, libraries[report.notebook], digests, other)
        old = entries.get(rel, {})
        if not force and old.get("key") == key and old.get("status") == "ok" and (reports_dir / rel).exists():
            skipped.append(rel)
            continue
        entries[rel] = {"report": job.report, "params": params, "subject": job.subject,
                        "province_code": job.province_code, "key": key, **asdict(Outcome("pending")),
                        "outputs": old.get("outputs", [])}  # until replaced: removed if not written again
        tasks[rel] = Task(str(report.notebook), params, str(reports_dir), rel,
                          tuple(str(p) for p in report.input_paths(params)), timeout, job.subject, other)
    if prune:
        built_langs = {p.get("lang", i18n.DEFAULT) for _job, _report, p in checked}
        for rel in set(entries) - set(pages):
            if entries[rel].get("params", {}).get("lang", i18n.DEFAULT) in built_langs:
                _remove_outputs(reports_dir, entries.pop(rel))

    failed = {}
    with contextlib.closing(_run_all(tasks, n_jobs or available_cores(), progress)) as outcomes:
        for rel, outcome in outcomes:
            if old_outputs := set(entries[rel].get("outputs", [])) - set(outcome.outputs):
                _remove_outputs(reports_dir, {"outputs": sorted(old_outputs)})
            entries[rel].update(asdict(outcome))
            if outcome.status != "ok":
                failed[rel] = outcome
            save_state(state_path, entries)  # after each report: an interrupted build keeps its work
    if pdf:
        selected = list(pages)
        failed |= _print_pdfs(selected, entries, reports_dir, state_path, n_jobs or available_cores())
    save_state(state_path, entries)
    write_index(entries, reports_dir)
    return BuildResult(list(tasks), skipped, failed, time.perf_counter() - started)


def _other_language(report: Report, job: Job, pages: dict, entries: dict, reports_dir: Path) -> dict | None:
    """The link to the job's page in the other language, when that page is built now or was built before."""
    from .render import counterpart

    lang = job.params.get("lang", i18n.DEFAULT)
    here = report.page(job)
    for other in i18n.LANGUAGES:
        if other == lang:
            continue
        params = {k: v for k, v in job.params.items() if k != "lang"} | (
            {} if other == i18n.DEFAULT else {"lang": other})
        there = report.page(Job(job.report, params, job.subject, job.province_code))
        rel = there.as_posix()
        if rel in pages or (entries.get(rel, {}).get("status") == "ok" and (reports_dir / rel).exists()):
            return counterpart(os.path.relpath(there, here.parent), other)
    return None


def _print_pdfs(selected: list[str], entries: dict, reports_dir: Path, state_path: Path, n_jobs: int) -> dict:
    """Print each selected report that built to a PDF beside it, unless the PDF of its present HTML is
    there (``pdf_key``: the HTML's key and the printing code's digest); returns the reports whose PDF
    failed, as failures."""
    from . import pdf

    printer = file_digest(Path(pdf.__file__))  # a change in how pages are printed prints them again
    wanted = {rel: reports_dir / rel for rel in selected if entries[rel]["status"] == "ok"
              and not (entries[rel].get("pdf_key") == f"{entries[rel]['key']}:{printer}"
                       and pdf.pdf_path(reports_dir / rel).exists())}
    failed = {}

    def printed(rel: str, error: str) -> None:
        entry = entries[rel]
        if error:  # the HTML stays (and is listed); the report counts as failed, its PDF is tried again next time
            failed[rel] = Outcome("failed", title=entry.get("title", ""), error=error, section="PDF")
        else:
            entry["pdf_key"] = f"{entry['key']}:{printer}"
            entry["outputs"] = sorted({*entry["outputs"], pdf.pdf_path(Path(rel)).as_posix()})
        save_state(state_path, entries)

    pdf.print_pdfs(wanted, n_jobs, printed)
    return failed


def _remove_outputs(reports_dir: Path, entry: dict) -> None:
    for rel in entry.get("outputs", []):
        (reports_dir / rel).unlink(missing_ok=True)


def _run_all(tasks: dict[str, Task], n_jobs: int, progress: bool):
    """Yield (html path, outcome) as the worker processes finish the reports."""
    if not tasks:
        return
    from tqdm import tqdm

    warm = sorted(set().union(*(notebook_imports(Path(t.notebook)) for t in tasks.values())))
    n_workers = min(n_jobs, len(tasks))
    # forkserver: workers start clean, not as copies of a parent that may hold threads (pyarrow).
    context = multiprocessing.get_context("forkserver")
    failures = 0
    on_terminal = sys.stderr.isatty()
    log = ProgressLog(len(tasks)) if progress and not on_terminal else None
    with (
        tqdm(total=len(tasks), desc="laporan", unit="lap", file=sys.stderr,
             disable=not (progress and on_terminal)) as bar,
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
                bar.set_postfix(gagal=failures, refresh=False)
                bar.update()
                if log:
                    log.update(failures)
                yield futures[future], outcome
        except BaseException:  # Ctrl-C, or the build stopped: the workers stop now, not after their reports
            _stop_workers(pool)
            raise


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers (their kernels follow, see _init_worker) and drop the reports not started."""
    for process in list((pool._processes or {}).values()):  # no public way before Python 3.14 (kill_workers)
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


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


def notebook_imports(notebook: Path) -> set[str]:
    """The modules a notebook imports: a worker imports them in a kernel before it is needed."""
    import nbformat

    modules = set()
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # IPython magics
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.add(node.module)
                # `from package import module`: the module too (names that are not modules fail to import
                # when warming, which is skipped, and have no file in module_closure)
                modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


# --- worker process ----------------------------------------------------------------------------

_kernel = None  # this worker's WarmKernel


def _init_worker(warm_modules: list[str], cwd: Path, environ: dict, build_pid: int) -> None:
    from multiprocessing.util import Finalize

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's: it stops the workers (_run_all)
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
    from .render import _exporter

    _register_warm_engine()
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

    from .emit import collect, export_tables, table_files
    from .render import render_html

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
                                  subject=task.subject, other_language=task.other_language)
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


def _register_warm_engine() -> None:
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
