"""What reports read: the processed tables (config paths) and the selections the sections share."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import config
from ..errors import ParameterError, ReportDataError

DIMENSION_COLUMNS = {"input": "Input", "proses": "Proses", "output": "Output", "pengaduan": "Pengaduan"}
REGIONAL = ("Pemerintah Kabupaten", "Pemerintah Kota")


@dataclass(frozen=True)
class ReportData:
    """The processed tables a report reads, and the files they came from."""

    scores: pd.DataFrame
    units: pd.DataFrame
    published: pd.DataFrame
    quarantine: pd.DataFrame
    paths: tuple[Path, ...]


def input_paths() -> tuple[Path, ...]:
    """The processed files reports read (looked up at call time: tests point config elsewhere)."""
    return (config.SCORES_PARQUET, config.UNITS_PARQUET, config.PUBLISHED_PARQUET, config.QUARANTINE_PARQUET)


def load() -> ReportData:
    """Read the processed tables; a missing one is a ReportDataError that says which command makes it."""
    paths = input_paths()
    missing = [config.display_path(p) for p in paths if not p.exists()]
    if missing:
        raise ReportDataError(f"processed data missing: {', '.join(missing)}; run `kepatuhan ingest` first")
    frames = [_read(p, p.stat().st_mtime_ns) for p in paths]
    return ReportData(*frames, paths=paths)


@functools.lru_cache(maxsize=8)
def _read(path: Path, mtime_ns: int) -> pd.DataFrame:
    """One parquet file, read once per version (sections of one report share it)."""
    frame = pd.read_parquet(path)
    # Report tables are small: keep their strings in Python storage, whose comparisons give
    # nullable booleans that combine with other masks (pandas 3's pyarrow-backed strings give
    # Arrow booleans that refuse `&` with a masked boolean when a value is missing).
    strings = {c: pd.StringDtype("python") for c, t in frame.dtypes.items() if isinstance(t, pd.StringDtype)}
    return frame.astype(strings)


def province_label(code: str) -> str:
    """'Bengkulu' for '17', from the reference regions."""
    from .catalog import province_names

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


def previous_year(scores: pd.DataFrame, year: int) -> int | None:
    """The latest year before ``year`` in which any of these rows was assessed (2020 had no survey)."""
    earlier = [y for y in assessed_years(scores) if y < year]
    return earlier[-1] if earlier else None


def province_scores(scores: pd.DataFrame, province: str) -> pd.DataFrame:
    """The province's own government and its kabupaten and kota, every year."""
    return scores[(scores["province_code"] == province)
                  & scores["entity_type"].isin((*REGIONAL, "Pemerintah Provinsi"))]


def unit_scores(data: ReportData, year: int, entity_codes) -> pd.DataFrame:
    """Unit scores of the entities in ``year``: the processed units, else the published unit figures.

    Columns: entity_code, entity, unit, unit_type, nilai, input, proses, output, pengaduan, basis.
    Published unit figures carry no dimension points (those stay missing).
    """
    codes = set(entity_codes)
    units = data.units[(data.units["year"] == year) & data.units["entity_code"].isin(codes)].copy()
    units["basis"] = units["synthetic"].map({True: "synthetic", False: "computed"}).astype("string")
    facts = data.published
    published = facts[(facts["year"] == year) & facts["entity_code"].isin(codes - set(units["entity_code"]))
                      & facts["unit"].notna() & facts["score"].notna()]
    published = published.drop_duplicates(["entity_code", "unit"]).rename(columns={"score": "nilai"})
    published = published.assign(basis="published", **{c: pd.NA for c in DIMENSION_COLUMNS})
    columns = ["entity_code", "entity", "unit", "unit_type", "nilai", *DIMENSION_COLUMNS, "basis"]
    frames = [f[columns] for f in (units, published) if not f.empty]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="Float64" if c == "nilai" or c in DIMENSION_COLUMNS else "string")
                             for c in columns})
    return pd.concat(frames, ignore_index=True).astype({"nilai": "Float64", **{c: "Float64" for c in DIMENSION_COLUMNS}})


def validation_summary(data: ReportData, files) -> pd.DataFrame:
    """Per input file: rows used, rows rejected, and each rejection reason with its count.

    A file's rows used are the distinct source rows of the processed units it yielded; rejected
    rows are its distinct quarantined rows (a row with several problems counts once).
    """
    files = sorted(set(files))
    used = data.units[data.units["source_file"].isin(files)].drop_duplicates(
        ["source_file", "source_sheet", "source_row"]).groupby("source_file").size()
    quarantined = data.quarantine[data.quarantine["file"].isin(files)]
    rejected = quarantined.drop_duplicates(["file", "sheet", "row"]).groupby("file").size()
    reasons = quarantined.groupby("file")["reason"].agg(
        lambda r: "; ".join(f"{reason} ({n})" for reason, n in r.value_counts().items()))
    rows = [{
        "berkas": f,
        "baris_dipakai": int(used.get(f, 0)),
        "baris_ditolak": int(rejected.get(f, 0)),
        "alasan_penolakan": reasons.get(f, ""),
    } for f in files]
    summary = pd.DataFrame(rows, columns=["berkas", "baris_dipakai", "baris_ditolak", "alasan_penolakan"])
    summary["baris_dibaca"] = summary["baris_dipakai"] + summary["baris_ditolak"]
    return summary[["berkas", "baris_dibaca", "baris_dipakai", "baris_ditolak", "alasan_penolakan"]].astype(
        {"berkas": "string", "alasan_penolakan": "string"})


def source_files(data: ReportData, scores: pd.DataFrame) -> list[str]:
    """The export files whose units fed these score rows."""
    keys = scores[["year", "entity_code"]].drop_duplicates()
    units = data.units.merge(keys, on=["year", "entity_code"])
    return sorted(units["source_file"].dropna().unique())
