"""Writing the synthetic set as exports (CSV in either locale, workbooks as the regional offices make
them, with fixed timestamps) and the committed subset."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config, methodology, storage
from .declarations import DEFAULT_SEED, XLSX_TIMESTAMP, Settings, load_settings
from .generator import SyntheticSet, generate

# --- writing exports ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class CsvStyle:
    """How a CSV export is written: Indonesian Excel's `;` and decimal comma, or plain."""

    sep: str = ","
    decimal: str = "."
    bom: bool = False


PLAIN = CsvStyle()
EXCEL_ID = CsvStyle(sep=";", decimal=",", bom=True)


def answers_name(year: int, tag: str = "") -> str:
    return f"synthetic_jawaban_indikator_{year}{'_' + tag if tag else ''}"


def recap_name(year: int, tag: str = "") -> str:
    return f"synthetic_rekap_unit_{year}{'_' + tag if tag else ''}"


def national_files(settings: Settings | None = None) -> list[str]:
    """File names of the national set, in the order they are written."""
    settings = settings or load_settings()
    return ([recap_name(y) + ".csv" for y in settings.recap_years]
            + [answers_name(y) + ".csv" for y in settings.answer_years])


def write_csv(frame: pd.DataFrame, path: Path, style: CsvStyle = PLAIN) -> Path:
    """Atomically write an export; numbers are written as a person would type them in that locale."""
    out = frame.copy()
    for column in out.columns:
        if column in ("Tahun", "Skor"):
            continue
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = _number_text(out[column], 2 if column != "Bobot" else None, style.decimal)
    with storage.atomic_path(path) as tmp:
        out.to_csv(tmp, sep=style.sep, index=False, lineterminator="\n",
                   encoding="utf-8-sig" if style.bom else "utf-8")
    return Path(path)


def _number_text(values: pd.Series, decimals: int | None, decimal: str) -> pd.Series:
    """Two decimals for points and scores, the shortest form for weights; empty where missing."""
    numbers = values.astype("Float64")
    fmt = (lambda x: f"{x:.{decimals}f}") if decimals is not None else (lambda x: f"{x:g}")
    uniques = {v: fmt(v).replace(".", decimal) for v in numbers.dropna().unique()}
    return numbers.map(uniques, na_action="ignore").astype("string").fillna("")


def write_xlsx(sheets: dict[str, pd.DataFrame], path: Path, title: str) -> Path:
    """An Excel workbook as regional offices make them: title rows, one sheet each, a Rata-rata footer.

    Written with fixed timestamps, so that the same data gives the same bytes.
    """
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "kepatuhan synthetic generator"
    workbook.properties.created = workbook.properties.modified = XLSX_TIMESTAMP
    for name, frame in sheets.items():
        sheet = workbook.create_sheet(name[:31])
        sheet.append([f"{title} - {name}"])
        sheet.append(["DATA SINTETIS: dibuat oleh generator contoh, bukan hasil penilaian sebenarnya"])
        sheet.append([])
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append([None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in row])
        if "Nilai" in frame.columns and len(frame):
            footer = [None] * len(frame.columns)
            footer[0] = "Rata-rata"
            footer[list(frame.columns).index("Nilai")] = float(methodology.round_half_up(frame["Nilai"].mean()))
            sheet.append(footer)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return storage.write_bytes(path, _fixed_zip(buffer.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """The same workbook with fixed timestamps: zipfile stamps entries, openpyxl the save time."""
    out = io.BytesIO()
    stamp = XLSX_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, content)
            info = zipfile.ZipInfo(item.filename, date_time=XLSX_TIMESTAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, content)
    return out.getvalue()


def write_national(data: SyntheticSet, directory: Path, style: CsvStyle = PLAIN, progress=None) -> list[Path]:
    """The national set: a recap per recap year, an answers file per answer year."""
    settings = load_settings()
    written = []
    for year in sorted(set(settings.recap_years) | set(data.answers)):
        if year in data.answers:
            frame, path = data.answers[year], Path(directory) / (answers_name(year) + ".csv")
        else:
            frame, path = data.recap(year), Path(directory) / (recap_name(year) + ".csv")
        write_csv(frame, path, style)
        written.append(path)
        if progress:
            units = data.units[data.units["year"] == year]
            progress(f"{year}: {units['entity_code'].nunique():,} entities, {len(units):,} units, "
                     f"{len(frame):,} rows -> {config.display_path(path)}")
    return written


# --- the committed subset ------------------------------------------------------------------------------

SUBSET_PROVINCES = {"17": "bengkulu", "81": "maluku"}
SUBSET_ANSWERS = {"17": (2022, 2023, 2024)}  # `;` CSV with decimal commas
SUBSET_RECAPS = {2021: ("17", "81"), 2023: ("81",)}  # xlsx with title rows, a sheet per province


def write_subset(directory: Path, seed: int = DEFAULT_SEED, data: SyntheticSet | None = None) -> list[Path]:
    """A small realistic subset of the national set in the messy forms of raw-exports.md.

    Bengkulu's answers as Indonesian-Excel CSV, both provinces' 2021 recap and Maluku's 2023
    recap as workbooks; each entity-year appears in one file only.
    """
    data = data or generate(seed)
    directory = Path(directory)
    written = []
    for code, years in SUBSET_ANSWERS.items():
        for year in years:
            frame = data.answers[year]
            keep = _in_province(frame["Kode Wilayah"], code)
            path = directory / (answers_name(year, SUBSET_PROVINCES[code]) + ".csv")
            written.append(write_csv(frame[keep].reset_index(drop=True), path, EXCEL_ID))
    for year, codes in SUBSET_RECAPS.items():
        recap = data.recap(year)
        sheets = {}
        for code in codes:
            part = recap[_in_province(recap["Kode Wilayah"], code)].reset_index(drop=True)
            sheets[str(part["Provinsi"].iloc[0])] = part
        tag = "_".join(SUBSET_PROVINCES[c] for c in codes)
        path = directory / (recap_name(year, tag) + ".xlsx")
        written.append(write_xlsx(sheets, path, f"REKAP NILAI UNIT LAYANAN PENILAIAN KEPATUHAN {year}"))
    return written


def _in_province(codes: pd.Series, province_code: str) -> np.ndarray:
    text = codes.astype(str)
    return ((text == province_code) | text.str.startswith(province_code + ".")).to_numpy()
