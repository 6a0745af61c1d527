"""What reports read: the processed tables (config paths) and the selections the sections share."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import config, methodology, schemas, storage
from ..errors import KepatuhanError, ParameterError, ReportDataError
from ..reference import province_names
from ..schemas import NATIONAL_TYPES, PROVINCE, REGIONAL

DIMENSION_COLUMNS = schemas.DIMENSION_NAMES


TABLES = ("scores", "changes", "unit_figures", "disagreements", "published", "national_counts", "units",
          "quarantine", "held_back", "input_files")


@dataclass(frozen=True)
class ReportData:
    """The processed tables of one edition a report reads, and the files they came from."""

    edition: str
    scores: pd.DataFrame
    changes: pd.DataFrame
    unit_figures: pd.DataFrame
    disagreements: pd.DataFrame
    published: pd.DataFrame
    national_counts: pd.DataFrame
    units: pd.DataFrame
    quarantine: pd.DataFrame
    held_back: pd.DataFrame
    input_files: pd.DataFrame
    paths: tuple[Path, ...]

    @property
    def public(self) -> bool:
        """The published edition: published facts only."""
        return self.edition == config.PUBLIC_EDITION


def published_sources() -> tuple[Path, ...]:
    """The real published files every edition's figures come from, listed with their checksums in a
    report's footer (those present: a test tree may hold only processed tables)."""
    return tuple(p for p in (*config.PUBLISHED_RELEASES, config.PUBLISHED_NATIONAL_COUNTS_CSV) if p.exists())


def load(edition: str) -> ReportData:
    """Read an edition's processed tables, all of one generation (storage.reading); a missing one is a
    ReportDataError that says which command makes it."""
    with storage.reading(edition) as where:
        paths = tuple(where.table(name) for name in TABLES)
        missing = [config.display_path(p) for p in paths if not p.exists()]
        if len(missing) == len(paths):
            raise ReportDataError(f"edition {edition!r} has not been ingested yet (no tables in "
                                  f"{config.display_path(config.processed_link(edition))}/); run `kepatuhan ingest` first")
        if missing:
            raise ReportDataError(f"processed data missing: {', '.join(missing)}; run `kepatuhan ingest` first")
        frames = [_read(p, p.stat().st_mtime_ns) for p in paths]
    return ReportData(edition, *frames, paths=paths)


@functools.lru_cache(maxsize=16)
def _read(path: Path, mtime_ns: int) -> pd.DataFrame:
    """One parquet file, read once per version (sections of one report share it)."""
    frame = pd.read_parquet(path)
    # Report tables are small: keep their strings in Python storage, whose comparisons give
    # nullable booleans that combine with other masks (pandas 3's pyarrow-backed strings give
    # Arrow booleans that refuse `&` with a masked boolean when a value is missing).
    try:
        schemas.check_processed(path.stem, frame)
    except KepatuhanError as err:  # e.g. tables an older version of ingest wrote
        raise ReportDataError(f"{config.display_path(path)}: {err}; run `kepatuhan ingest` again") from None
    strings = {c: pd.StringDtype("python") for c, t in frame.dtypes.items() if isinstance(t, pd.StringDtype)}
    return frame.astype(strings)


def province_label(code: str) -> str:
    """'Bengkulu' for '17', from the reference regions."""
    return province_names().get(code, code)


def entity_row(scores: pd.DataFrame, entity_code: str) -> pd.Series:
    """The latest row of an entity; an unknown code is a ParameterError naming the nearest codes."""
    rows = scores[scores["entity_code"] == entity_code].sort_values("year")
    if rows.empty:
        known = sorted(scores["entity_code"].dropna().unique())
        near = [c for c in known if c.split(".")[0] == entity_code.split(".")[0]][:8]
        raise ParameterError(
            f"entity_code {entity_code!r} has no scores; codes in the same province: "
            f"{', '.join(near) or 'none'}", name="entity_code", value=entity_code, allowed=near,
        )
    return rows.iloc[-1]


def assessed_years(scores: pd.DataFrame) -> list[int]:
    return sorted(int(y) for y in scores["year"].dropna().unique())


def previous_year(scores: pd.DataFrame, year: int, entity_type: str = "Pemerintah Kabupaten") -> int | None:
    """The year these rows are compared with (methodology.previous_year over the years they have)."""
    return methodology.previous_year(assessed_years(scores), year, entity_type)


def province_scores(scores: pd.DataFrame, province: str) -> pd.DataFrame:
    """The province's own government and its kabupaten and kota, every year."""
    return scores[(scores["province_code"] == province)
                  & scores["entity_type"].isin((*REGIONAL, PROVINCE))]


def province_facts(facts: pd.DataFrame, province: str, years) -> pd.DataFrame:
    """The published facts on a province's own government and its kabupaten and kota in these years."""
    return facts[facts["year"].isin(list(years)) & (facts["province_code"] == province).fillna(False)
                 & facts["entity_type"].isin((*REGIONAL, PROVINCE))]


def national_facts(facts: pd.DataFrame, years) -> pd.DataFrame:
    """The published facts of these years on the nationally counted entity types."""
    return facts[facts["year"].isin(list(years)) & facts["entity_type"].isin(NATIONAL_TYPES)]


def unit_scores(data: ReportData, year: int, entity_codes) -> pd.DataFrame:
    """The unit figures of the entities in ``year`` as the pipeline decided them (pipeline.unit_figures):
    entity_code, entity, unit, unit_type, nilai, input, proses, output, pengaduan, unit_category, basis, fact_id."""
    figures = data.unit_figures
    rows = figures[(figures["year"] == year) & figures["entity_code"].isin(set(entity_codes))]
    return rows[["entity_code", "entity", "unit", "unit_type", "nilai", *DIMENSION_COLUMNS, "unit_category", "basis",
                 "fact_id"]]


@dataclass(frozen=True)
class Citations:
    """Footnote numbers of one report: every published fact in its scope, numbered by source."""

    numbers: dict[str, int]  # fact_id -> footnote number
    sources: pd.DataFrame  # nomor, judul, url: one row per source

    def of(self, fact_id) -> int | None:
        return None if fact_id is None or fact_id is pd.NA else self.numbers.get(str(fact_id))

    def of_source(self, source: str) -> int | None:
        """The number of a source cited by name (``citations``' ``extra``)."""
        return self.numbers.get(f"source:{source}")


def citations(facts: pd.DataFrame, extra: tuple[str, ...] = ()) -> Citations:
    """Number the sources of ``facts`` (the report's scope) 1, 2, ... in the order the facts sort
    (latest year first, then entity, then file order); facts of one source share its number. ``extra``:
    sources of other published figures in the report (the national counts), numbered after them."""
    facts = facts.sort_values(["year", "entity", "fact_id"], ascending=[False, True, True], kind="stable")
    titles = facts["source_title"] if "source_title" in facts else pd.Series(pd.NA, index=facts.index)
    key = facts["source_url"].fillna(titles).astype("string")
    order = list(dict.fromkeys(key.dropna()))
    number = {k: i for i, k in enumerate(order, start=1)}
    numbers = {str(f): number[k] for f, k in zip(facts["fact_id"], key, strict=True) if not pd.isna(k)}
    first = facts.assign(_key=key).drop_duplicates("_key").set_index("_key")
    titles = [None if "source_title" not in first else first.at[k, "source_title"] for k in order]
    urls = [first.at[k, "source_url"] for k in order]
    for source in dict.fromkeys(extra):
        if source not in number:
            order.append(source)
            number[source] = len(order)
            titles.append(None)
            urls.append(source)
        numbers[f"source:{source}"] = number[source]
    sources = pd.DataFrame({"nomor": range(1, len(order) + 1), "judul": titles, "url": urls})
    return Citations(numbers, sources)


def validation_summary(data: ReportData, files) -> pd.DataFrame:
    """Per input file, as ingest counted it (pipeline.input_files): data rows read, used and rejected, and
    each rejection reason with its count."""
    rows = data.input_files[data.input_files["file"].isin(set(files))].sort_values("file")
    return pd.DataFrame({
        "berkas": rows["file"], "baris_dibaca": rows["rows_read"], "baris_dipakai": rows["rows_used"],
        "baris_ditolak": rows["rows_quarantined"], "alasan_penolakan": rows["reasons"].fillna(""),
    }).reset_index(drop=True)


def source_files(data: ReportData, scores: pd.DataFrame) -> list[str]:
    """The export files whose rows fed these score rows, or held them back."""
    keys = scores[["year", "entity_code"]].drop_duplicates()
    units = data.units.merge(keys, on=["year", "entity_code"])
    held = data.held_back.merge(keys, on=["year", "entity_code"])
    files = set(units["source_file"].dropna()) | {f for joined in held["files"].dropna() for f in joined.split(";")}
    return sorted(files)


def unreadable_files(data: ReportData) -> pd.DataFrame:
    """Files quarantined as a whole (no row of them could be read): file, reason."""
    whole = data.quarantine[data.quarantine["row"].isna()]
    return whole[["file", "reason"]].drop_duplicates().reset_index(drop=True)
