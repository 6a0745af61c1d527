"""One build: check every job, run the reports whose key changed, keep the build state, print PDFs, write the index."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from ... import config, i18n
from ..catalog import REPORTS, Job, Report
from ..params import check
from .plan import (Digests, file_digest, job_key, library_digest, load_state, other_language, provenance, save_state,
                   footer_inputs)
from .workers import CELL_TIMEOUT, Outcome, Task, run_all


@dataclass
class BuildResult:
    built: list[str]
    skipped: list[str]
    failed: dict[str, Outcome]
    seconds: float


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
    from ..index import write_index

    started = time.perf_counter()
    state_path = state_path or reports_dir / config.BUILD_STATE_NAME
    checked = [(job, catalog[job.report], check(catalog[job.report], job.params)) for job in jobs]
    libraries, digests = {}, Digests()
    entries = load_state(state_path)
    tasks, skipped = {}, []
    pages = {report.page(job).as_posix(): (job, report) for job, report, _params in checked}
    for job, report, params in checked:
        rel = report.page(job).as_posix()
        if report.notebook not in libraries:
            libraries[report.notebook] = library_digest(report.notebook)
        other = other_language(report, job, pages, entries, reports_dir)
        inputs = provenance(report, params, digests)
        key = job_key(report, params, libraries[report.notebook], digests, other, inputs)
        old = entries.get(rel, {})
        if not force and old.get("key") == key and old.get("status") == "ok" and (reports_dir / rel).exists():
            skipped.append(rel)
            continue
        entries[rel] = {"report": job.report, "params": params, "subject": job.subject,
                        "province_code": job.province_code, "key": key, **asdict(Outcome("pending")),
                        "outputs": old.get("outputs", [])}  # until replaced: removed if not written again
        tasks[rel] = Task(str(report.notebook), params, str(reports_dir), rel,
                          tuple(str(p) for p in report.input_paths(params)),
                          footer_inputs(report, params, digests, inputs), timeout, job.subject, other)
    if prune:
        built_langs = {p.get("lang", i18n.DEFAULT) for _job, _report, p in checked}
        for rel in set(entries) - set(pages):
            if entries[rel].get("params", {}).get("lang", i18n.DEFAULT) in built_langs:
                _remove_outputs(reports_dir, entries.pop(rel))

    failed = {}
    with contextlib.closing(run_all(tasks, n_jobs or available_cores(), progress)) as outcomes:
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


def _print_pdfs(selected: list[str], entries: dict, reports_dir: Path, state_path: Path, n_jobs: int) -> dict:
    """Print each selected report that built to a PDF beside it, unless the PDF of its present HTML is
    there (``pdf_key``: the HTML's key and the printing code's digest); returns the reports whose PDF
    failed, as failures."""
    from .. import pdf

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
