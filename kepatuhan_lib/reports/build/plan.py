"""What a build is to do: the reports selected, the key each one's HTML is built from, the build state."""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from ... import config, i18n, storage
from ...errors import UsageError
from ..catalog import REPORTS, Job, Report
from ..params import resolve_province
from .reads import TableRows, rows_read, table_digests

STATE_VERSION = 1


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
            for level, module, names in _imports(path.read_bytes()):
                if level is None:  # import a, b
                    todo += [n for n in names if n.split(".")[0] == package]
                else:
                    here = [package, *parts[:depth]] if path.name == "__init__.py" else [package, *parts[:depth - 1]]
                    base = here[:len(here) - level + 1] if level else []
                    target = ".".join([*base, *(module.split(".") if module else [])])
                    if target.split(".")[0] == package:
                        todo += [target, *(f"{target}.{n}" for n in names)]
    return found


@functools.lru_cache(maxsize=256)
def _imports(source: bytes) -> tuple[tuple[int | None, str | None, tuple[str, ...]], ...]:
    """The import statements of a module's source, as (level, module, names); level None: `import names`.
    Keyed by the source itself: parsed once for the notebooks of a build, again whenever it changes."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.append((None, None, tuple(a.name for a in node.names)))
        elif isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module, tuple(a.name for a in node.names)))
    return tuple(found)


def _module_file(package_dir: Path, parts: list[str]) -> Path | None:
    """The file of a module (a/b.py) or package (a/b/__init__.py) below the package, if it is one."""
    where = package_dir.joinpath(*parts)
    for path in (where / "__init__.py", where.with_suffix(".py") if parts else None):
        if path is not None and path.is_file():
            return path
    return None


class Digests:
    """What one build hashes, each once: files (sha256) and the processed tables of each edition (reads.TableRows)."""

    def __init__(self):
        self._files: dict[Path, str] = {}
        self._tables: dict[tuple[str, str], TableRows] = {}
        self._inputs: dict[tuple[str, str], list] = {}

    def file(self, path: Path) -> str:
        if path not in self._files:
            self._files[path] = file_digest(path)
        return self._files[path]

    def tables(self, edition: str) -> Callable[[str], TableRows]:
        """``table(name)``: the edition's processed table (of the generation the build holds), hashed by rows."""
        def table(name: str) -> TableRows:
            if (edition, name) not in self._tables:
                self._tables[edition, name] = TableRows.read(config.processed(edition).table(name))
            return self._tables[edition, name]
        return table

    def inputs(self, report: Report, params: dict) -> list[tuple[str, Path, str | None]]:
        """A report's declared inputs for an edition, looked up once per report and edition: (path as a reader
        sees it, path, the processed table's name where the report declares which of its rows it reads)."""
        memo = (report.name, params.get("edition", ""))
        if memo not in self._inputs:
            tables = {}
            if report.reads is not None:
                where = config.processed(params["edition"])
                tables = {where.table(name): name for name in report.inputs if isinstance(name, str)}
            self._inputs[memo] = [(config.display_path(path), path, tables.get(path))
                                  for path in report.input_paths(params)]
        return self._inputs[memo]


def provenance(report: Report, params: dict, digests: Digests) -> dict[str, dict]:
    """A job's declared inputs, by the path a reader sees (a table under its edition, not its generation's
    folder: the same content in a new generation is no change): for a processed table whose rows the report
    declares (``report.reads``), the digest of the rows it reads; for any other file, its sha256. The job's
    key covers these, and its page's footer shows them (footer_inputs)."""
    inputs = digests.inputs(report, params)
    names = [name for _shown, _path, name in inputs if name]
    rows = table_digests(report.reads, params, digests.tables(params["edition"]), names) if names else {}
    return {shown: {"digest": rows[name]} if name else {"sha256": digests.file(path)} for shown, path, name in inputs}


def footer_inputs(report: Report, params: dict, digests: Digests, inputs: dict[str, dict]) -> dict[str, dict]:
    """What a page's footer lists of each input (render.input_list): ``inputs`` (provenance), by the file the
    report reads (its resolved path, as the notebook names it), with how many rows it reads of a table."""
    tables = digests.tables(params.get("edition", ""))
    return {str(path.resolve()): inputs[shown] | ({"rows": rows_read(report.reads, params, tables, name)}
                                                  if name else {})
            for shown, path, name in digests.inputs(report, params)}


def job_key(report: Report, params: dict, library: str, digests: Digests, links: dict | None = None,
            inputs: dict | None = None) -> str:
    """The hash a report's HTML is built from: notebook, parameters (its language among them), declared
    inputs (``inputs``: their provenance, computed here when not given), library, and the link to its
    other-language version (``links``: its arrival rebuilds the page)."""
    material = {
        "notebook": digests.file(report.notebook),
        "params": params,
        "inputs": provenance(report, params, digests) if inputs is None else inputs,
        "library": library,
    }
    if links:
        material["links"] = links
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def notebook_imports(notebook: Path) -> set[str]:
    """The modules a notebook imports: a worker imports them in a kernel before it is needed."""
    modules = set()
    # The notebook's JSON as it is (nbformat's reader, and its schema validation, take seconds to import).
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = cell["source"]
        try:
            tree = ast.parse(source if isinstance(source, str) else "".join(source))
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


def other_language(report: Report, job: Job, pages: dict, entries: dict, reports_dir: Path) -> dict | None:
    """The link to the job's page in the other language, when that page is built now or was built before."""
    from ..render import counterpart

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


def load_state(state_path: Path) -> dict:
    """The build state: per report HTML path (relative), its key and outcome."""
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return state.get("reports", {}) if state.get("version") == STATE_VERSION else {}


def save_state(state_path: Path, entries: dict) -> None:
    storage.write_text(state_path, json.dumps({"version": STATE_VERSION, "reports": entries}, indent=1))
