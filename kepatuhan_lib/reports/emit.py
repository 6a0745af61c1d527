"""What report notebooks hand to the build (tables, headline, inputs, synthetic flag), both ends."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import config, storage

TABLE = "application/vnd.kepatuhan.table+json"
HEADLINE = "application/vnd.kepatuhan.headline+json"
INPUTS = "application/vnd.kepatuhan.inputs+json"
SYNTHETIC = "application/vnd.kepatuhan.synthetic+json"
MACHINE_ONLY = (HEADLINE, INPUTS, SYNTHETIC)  # never shown in the HTML

TABLE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,30}")  # also an Excel sheet name (31 chars max)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets read as a formula


# --- notebook side -----------------------------------------------------------------------------

def emit_table(frame: pd.DataFrame, name: str, styled=None) -> None:
    """Show a table (``styled``, a pandas Styler, or the frame) and hand the raw frame to the build.

    The build writes it as ``<report>.<name>.csv`` and as sheet ``name`` of ``<report>.xlsx``.
    JupyterLab shows the HTML; the raw frame rides along under its own mimetype.
    """
    if not TABLE_NAME.fullmatch(name):
        raise ValueError(f"table name {name!r} must match {TABLE_NAME.pattern} (file and sheet name)")
    html = styled.to_html() if styled is not None else frame.to_html(index=False, escape=True, na_rep="")
    payload = {"name": name, "table": json.loads(frame.to_json(orient="table", index=False))}
    _display({"text/html": html, "text/plain": f"[tabel {name}: {len(frame)} baris]", TABLE: payload})


def emit_headline(**figures) -> None:
    """Headline figures for the index page, e.g. emit_headline(entitas=23, rata_rata=81.2)."""
    plain = json.loads(json.dumps(figures, default=_json_scalar))
    _display({"text/plain": "ringkasan: " + ", ".join(f"{k}={v}" for k, v in plain.items()), HEADLINE: plain})


def emit_inputs(paths) -> None:
    """The input files the report read; the build lists them with their sha256 in the footer."""
    resolved = [str(Path(p).resolve()) for p in paths]
    _display({"text/plain": "input: " + ", ".join(map(config.display_path, resolved)), INPUTS: {"paths": resolved}})


def emit_synthetic(flag: bool) -> None:
    """Say whether the report shows synthetic data; if so the HTML carries a visible banner."""
    _display({"text/plain": "data sintetis" if flag else "", SYNTHETIC: {"synthetic": bool(flag)}})


def _display(data: dict) -> None:
    from IPython.display import display

    display(data, raw=True)


def _json_scalar(value):
    """numpy and pandas scalars as plain JSON values; a missing value as null."""
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"headline value {value!r} is not a number or text")


# --- build side -------------------------------------------------------------------------------

@dataclass
class Emitted:
    """Everything a notebook emitted, gathered from its outputs."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    headline: dict = field(default_factory=dict)
    inputs: list[str] = field(default_factory=list)
    synthetic: bool = False


def collect(nb) -> Emitted:
    """Gather the emitted payloads of an executed notebook, and drop the machine-only outputs."""
    emitted = Emitted()
    for cell in nb.cells:
        kept = []
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if TABLE in data:
                emitted.tables[data[TABLE]["name"]] = pd.read_json(
                    io.StringIO(json.dumps(data[TABLE]["table"])), orient="table"
                )
                del data[TABLE]
            emitted.headline.update(data.get(HEADLINE, {}))
            emitted.inputs += [p for p in data.get(INPUTS, {}).get("paths", []) if p not in emitted.inputs]
            emitted.synthetic |= data.get(SYNTHETIC, {}).get("synthetic", False)
            if not any(m in data for m in MACHINE_ONLY):
                kept.append(output)
        if "outputs" in cell:
            cell.outputs = kept
    return emitted


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells a spreadsheet would run as a formula get a leading apostrophe; numbers stay."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or isinstance(out[column].dtype, pd.StringDtype):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v,
                na_action="ignore",
            )
    return out


def table_files(html_path: Path, names) -> list[Path]:
    """The data files of the report at ``html_path``: <stem>.<name>.csv each, then <stem>.xlsx."""
    csvs = [html_path.with_suffix(f".{name}.csv") for name in names]
    return csvs + [html_path.with_suffix(".xlsx")] if csvs else []


def export_tables(tables: dict[str, pd.DataFrame], html_path: Path) -> list[Path]:
    """Write each table as CSV and all of them as one XLSX (a sheet per table), beside the HTML."""
    files = table_files(html_path, tables)
    safe = {name: neutralise(frame) for name, frame in tables.items()}
    for frame, csv in zip(safe.values(), files, strict=False):
        storage.write_csv(frame, csv)
    if safe:
        with storage.atomic_path(files[-1]) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for name, frame in safe.items():
                frame.to_excel(writer, sheet_name=name, index=False)
    return files
