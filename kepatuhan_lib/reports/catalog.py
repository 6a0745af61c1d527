"""The report catalog: each report's notebook, parameters, input files, output path and default set."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import config, i18n, schemas
from ..reference import province_names
from . import data

Allowed = Callable[[], Mapping[Any, str] | Sequence[Any]] | Sequence[Any] | None


@dataclass(frozen=True)
class Parameter:
    """One report parameter, declared once: the notebook's `parameters` cell must agree with it.

    ``allowed`` is a list of values, or a callable returning a list or a mapping value -> label
    (called lazily, so the catalog imports without reading any data).
    """

    name: str
    type: type
    default: Any
    allowed: Allowed = None
    description: str = ""

    def allowed_values(self) -> Mapping[Any, str] | None:
        """The allowed values with a label each (the value itself when unlabelled), or None."""
        values = self.allowed() if callable(self.allowed) else self.allowed
        if values is None:
            return None
        if isinstance(values, Mapping):
            return dict(values)
        return {v: "" for v in values}


@dataclass(frozen=True)
class Job:
    """One report to build: which report, with which parameter values, about whom."""

    report: str
    params: dict
    subject: str  # province or entity name, for the file name and the index
    province_code: str | None = None

    def sort_key(self) -> tuple:
        return (self.params.get("year", 0), self.report, self.province_code or "", self.subject)


@dataclass(frozen=True)
class Rows:
    """Rows of a processed table a report reads: those whose ``by`` columns hold one of the keys that
    ``keys(params, tables)`` gives for a job (``tables(name)``: a table's rows, for keys that depend on the
    data; a missing value in a key is None). Of those rows it reads ``columns`` (None: all but ``ignore``;
    ``()``: only how many there are). The build keys a report by the digest of these rows alone (build/reads.py),
    so the declaration must cover every row a section reads: tests/test_build.py checks it."""

    table: str
    by: tuple[str, ...] = ()
    keys: Callable[[dict, Callable], Iterable[tuple]] = lambda params, tables: [()]
    columns: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    """A parameterised notebook and everything the build needs to know about it."""

    name: str
    title: str
    notebook: Path
    parameters: tuple[Parameter, ...]
    # What the notebook reads, a change in any rebuilds it: a name is that processed table of the
    # job's edition (config.processed), a Path a fixed file, a callable gives files at call time.
    inputs: tuple[str | Path | Callable[[], tuple[Path, ...]], ...]
    output: Callable[[Job], Path]  # the HTML path, relative to the edition's reports folder
    select: Callable[[pd.DataFrame, str], list[Job]] = field(repr=False)  # default set, from (scores, edition)
    # The rows of its processed tables the notebook reads; None: the whole of each (a table's file digest).
    reads: tuple[Rows, ...] | None = None

    def input_paths(self, params: dict) -> tuple[Path, ...]:
        paths = []
        for i in self.inputs:
            if isinstance(i, str):
                paths.append(config.processed(params["edition"]).table(i))
            else:
                paths += [i] if isinstance(i, Path) else list(i())
        return tuple(paths)

    def page(self, job: Job) -> Path:
        """The HTML path of a job, relative to the edition's reports folder: ``output``, with ``.en.html`` for
        a language other than Indonesian (the Indonesian page keeps its path)."""
        return localized(self.output(job), job.params.get("lang", i18n.DEFAULT))

    def parameter(self, name: str) -> Parameter:
        return next(p for p in self.parameters if p.name == name)

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.parameters}


def localized(path: Path, lang: str) -> Path:
    """``x.html`` in Indonesian, ``x.en.html`` in English."""
    return path if lang == i18n.DEFAULT else path.with_suffix(f".{lang}.html")


def slugify(text: str) -> str:
    """ASCII, lower case, words joined by '-': 'Kabupaten Muko-Muko' -> 'kabupaten-muko-muko'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "tanpa-nama"


# Years and entity codes are checked against the data by the notebooks themselves (they say
# "tidak dinilai" for a year without scores); provinces are a closed list known in advance.
YEAR = Parameter("year", int, 2023, description="assessment year")
PROVINCE = Parameter(
    "province", str, "17", allowed=province_names, description="2-digit Kemendagri province code"
)
ENTITY_CODE = Parameter(
    "entity_code", str, "17.06", description="entity code (Kemendagri code, KEM.nn, LEM.nn, ...)"
)
LANG = Parameter("lang", str, i18n.DEFAULT, allowed=i18n.LANGUAGES,
                 description="language of the report: id (Indonesian, the default) or en (English)")
EDITION = Parameter(
    "edition", str, config.PUBLIC_EDITION, allowed=config.EDITIONS,
    description="which processed data: terbitan (published facts only), contoh (demo), ekspor (own exports)",
)

REGIONAL_TYPES = (schemas.PROVINCE, *schemas.REGIONAL)
REPORT_INPUTS = (*data.TABLES, data.published_sources)


# --- what each report reads (reports/sections/), so that new data rebuilds only the reports that show it ---

def _province_entities(params: dict, tables) -> list[tuple]:
    """(province_code, entity_type) of a province's own government and its kabupaten and kota."""
    return [(params["province"], t) for t in REGIONAL_TYPES]


def _province_year(params: dict, tables) -> list[tuple]:
    return [(params["year"], params["province"])]


def _province_entity_codes(params: dict, tables) -> list[tuple]:
    """The entity codes of the province's own government and its kabupaten and kota, every year."""
    codes = tables("scores").values(("province_code", "entity_type"), _province_entities(params, tables), "entity_code")
    return [(c,) for c in codes]


def _validated_files(params: dict, tables) -> list[tuple]:
    """The export files a province report's validation summary lists (data.source_files): those of the
    province's units that year, and those named by the entities held back."""
    where = _province_year(params, tables)
    held = tables("held_back").values(("year", "province_code"), where, "files")
    files = {*tables("units").values(("year", "province_code"), where, "source_file"),
             *(f for joined in held if joined for f in joined.split(";"))}
    return [(f,) for f in sorted(files)]


def _national_year(params: dict, tables) -> list[tuple]:
    return [(params["year"], t) for t in data.NATIONAL_TYPES]


def _national_years_before(params: dict, tables) -> list[tuple]:
    """(year, entity_type) of the nationally counted types in every year before the report's."""
    return [k for k in tables("scores").keys(("year", "entity_type"))
            if k[0] < params["year"] and k[1] in data.NATIONAL_TYPES]


# Every report: a notice names each input file that could not be read at all (row missing).
UNREADABLE_FILES = Rows("quarantine", ("row",), lambda params, tables: [(None,)], columns=("file", "reason"))
# A province report shows no national rank: new data elsewhere moves those alone.
NATIONAL_RANK_COLUMNS = ("published_rank_national", "rank_national_fact_id", "rank_national", "percentile_national",
                         "rank_national_computed", "rank_national_basis")

PROVINCE_READS = (
    Rows("scores", ("province_code", "entity_type"), _province_entities, ignore=NATIONAL_RANK_COLUMNS),
    Rows("changes", ("scope", "province_code", "year_to"),
         lambda params, tables: [("provinsi", params["province"], params["year"])]),
    Rows("unit_figures", ("year", "province_code"), _province_year),
    Rows("published", ("province_code",), lambda params, tables: [(params["province"],)]),
    Rows("published", columns=()),  # the appendix counts every fact read
    Rows("disagreements", ("entity_code",), _province_entity_codes),
    Rows("units", ("year", "province_code"), _province_year),
    Rows("held_back", ("year", "province_code"), _province_year),
    # The validation summary: ingest's row accounting of whole files, whoever their rows are about.
    Rows("input_files", ("file",), _validated_files),
    UNREADABLE_FILES,
)
NATIONAL_READS = (
    Rows("scores", ("year", "entity_type"), _national_year),
    # The zone chart: every earlier year's zones; the previous year compared with.
    Rows("scores", ("year", "entity_type"), _national_years_before, columns=("year", "entity_type", "zone")),
    Rows("units", ("year", "entity_type"), _national_year),
    Rows("published", ("year", "entity_type"), _national_year),
    Rows("disagreements", ("year",), lambda params, tables: [(params["year"],)]),
    Rows("national_counts", ("year",), lambda params, tables: [(params["year"],)]),
    UNREADABLE_FILES,
)


def _entity(params: dict, tables) -> list[tuple]:
    return [(params["entity_code"],)]


ENTITY_READS = (
    Rows("scores", ("entity_code",), _entity),
    Rows("changes", ("scope", "entity_code", "year_to"),
         lambda params, tables: [("entitas", params["entity_code"], params["year"])]),
    Rows("unit_figures", ("entity_code",), _entity),
    Rows("published", ("entity_code",), _entity),
    Rows("disagreements", ("entity_code",), _entity),
    UNREADABLE_FILES,
)


# An entity-year row in the scores is a published fact or a computed score (a published zone or
# rank without a score is a row too): every such row is reported.
def _select_provinsi(scores: pd.DataFrame, edition: str) -> list[Job]:
    """A league table for every (year, province) with a row for a kabupaten, kota or the province."""
    regional = scores[scores["entity_type"].isin(REGIONAL_TYPES)]
    names = province_names()
    pairs = regional[["year", "province_code"]].dropna().drop_duplicates()
    return [
        Job("provinsi", {"edition": edition, "year": int(y), "province": str(p)}, names.get(str(p), str(p)), str(p))
        for y, p in pairs.itertuples(index=False)
    ]


def _select_nasional(scores: pd.DataFrame, edition: str) -> list[Job]:
    """A national summary for every year with any row."""
    years = sorted(scores["year"].dropna().unique())
    return [Job("nasional", {"edition": edition, "year": int(y)}, "Nasional") for y in years]


def _select_entitas(scores: pd.DataFrame, edition: str) -> list[Job]:
    """A profile for every entity, in the latest year it has a row (its whole trajectory)."""
    latest = scores.sort_values("year").groupby("entity_code", sort=True).tail(1)
    return [
        Job(
            "entitas",
            {"edition": edition, "entity_code": str(row.entity_code), "year": int(row.year)},
            str(row.entity),
            None if pd.isna(row.province_code) else str(row.province_code),
        )
        for row in latest.itertuples(index=False)
    ]


REPORTS: dict[str, Report] = {
    r.name: r
    for r in (
        Report(
            name="provinsi",
            title=i18n.N_("Laporan Provinsi"),
            notebook=config.REPORT_NOTEBOOKS_DIR / "provinsi.ipynb",
            parameters=(EDITION, YEAR, PROVINCE, LANG),
            inputs=REPORT_INPUTS,
            output=lambda job: Path(
                str(job.params["year"]), f"provinsi-{job.params['province']}-{slugify(job.subject)}.html"
            ),
            select=_select_provinsi,
            reads=PROVINCE_READS,
        ),
        Report(
            name="nasional",
            title=i18n.N_("Ringkasan Nasional"),
            notebook=config.REPORT_NOTEBOOKS_DIR / "nasional.ipynb",
            parameters=(EDITION, YEAR, LANG),
            inputs=REPORT_INPUTS,
            output=lambda job: Path(str(job.params["year"]), "nasional.html"),
            select=_select_nasional,
            reads=NATIONAL_READS,
        ),
        Report(
            name="entitas",
            title=i18n.N_("Profil Entitas"),
            notebook=config.REPORT_NOTEBOOKS_DIR / "entitas.ipynb",
            parameters=(EDITION, ENTITY_CODE, YEAR, LANG),
            inputs=REPORT_INPUTS,
            output=lambda job: Path(
                str(job.params["year"]),
                "entitas",
                f"{job.params['entity_code']}-{slugify(job.subject)}.html",
            ),
            select=_select_entitas,
            reads=ENTITY_READS,
        ),
    )
}
