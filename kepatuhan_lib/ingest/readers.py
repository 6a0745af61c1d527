"""Reading one export file, CSV or .xlsx, into tables of cell texts (`cells.Table`); a file that
cannot be used is a problem of that file, a workbook beyond the limits is not opened."""

from __future__ import annotations

import csv
import hashlib
import io
import mmap
import os
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .. import config
from ..errors import Problem
from ..schemas import STRING, UNIT_NUMBERS
from .cells import Table, column_letter, make_table
from .layouts import HEADER_SEARCH_ROWS, find_header, header_cells, not_a_table

CSV_DELIMITERS = (";", ",", "\t", "|")

SYNTHETIC_NAME = re.compile(r"synthetic|sintetis", re.IGNORECASE)

# What an .xlsx may hold before openpyxl is given it (openpyxl keeps every cell, merged ones too, as a
# Python object, and `_sheet_grid` makes a rectangle of the used range): a file beyond is refused whole,
# unopened. Python's zipfile never unpacks more than a part's declared size (more fails its CRC), so the
# declared sizes bound the work.
MAX_XLSX_CELLS = 1_000_000  # used range (rows x columns from A1) of a sheet: about 0.5 GB as openpyxl
# cells; a national unit recap is some 40,000 rows of 11 columns, and a bigger export reads faster as CSV
MAX_XLSX_PART_BYTES = 64 * 1024**2  # one part unpacked (sheet XML, shared strings): a sheet of
# MAX_XLSX_CELLS is about 40 MB of XML; beyond is a zip bomb or a 200 MB string
MAX_XLSX_TOTAL_BYTES = 128 * 1024**2  # every part unpacked: a few full sheets
_NUMERIC = ("year", *UNIT_NUMBERS, "weight", "score")

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters no text has (tab, CR, LF aside)


def _read_csv(file: str, data: pa.Buffer | bytes, mixed: bool = False) -> tuple[list[Table], list[Problem]]:
    """A CSV file's table; ``mixed``: undecodable bytes of a mostly UTF-8 file were read as U+FFFD."""
    data = pa.py_buffer(data)  # slices of a buffer are not copies
    if data[:3].to_pybytes() == b"\xef\xbb\xbf":
        data = data[3:]
    try:
        data[:65536].to_pybytes().decode("utf-8")
        encoded = data  # pyarrow checks the rest while reading
    except UnicodeDecodeError as err:
        if err.start < 65536 - 4:  # not merely a character cut at the end of the sample
            converted = _as_utf8(data.to_pybytes())
            if converted is None:
                return [], [Problem(file, "not a table: the file is neither UTF-8 nor cp1252 text")]
            encoded, mixed = pa.py_buffer(converted[0]), converted[1]
        else:
            encoded = data
    text_head = encoded[:65536].to_pybytes().decode("utf-8", errors="replace")
    controls = len(_CONTROL.findall(text_head))
    if controls > len(text_head) / 100:
        return [], [Problem(file, "not a table: a binary file, not CSV text or an .xlsx workbook")]

    lines = text_head.splitlines()[: HEADER_SEARCH_ROWS + 1]
    candidates = []
    for delimiter in CSV_DELIMITERS:
        grid = [header_cells(r) for r in csv.reader(lines, delimiter=delimiter)]
        found = find_header(grid)
        if found:
            candidates.append(((not found[1].missing(set(found[2].values())), len(found[2])), delimiter, found))
    if not candidates:
        return [], [not_a_table(file)]
    _, delimiter, found = max(candidates, key=lambda c: c[0])
    index, _, _, labels = found
    width = len(labels)
    names = [f"c{j}" for j in range(width)]
    ragged = []
    try:
        table = pacsv.read_csv(
            pa.BufferReader(encoded),
            # Arrow's threads: the cores the cleaning of the previous file leaves idle parse this one.
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=index + 1, use_threads=True),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False,
                                             invalid_row_handler=lambda row: ragged.append(row) or "skip"),
            # Dictionary-encoded: a column of millions of repeated cells is read as codes + distinct texts.
            convert_options=pacsv.ConvertOptions(column_types={n: pa.dictionary(pa.int32(), pa.string()) for n in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
        if "utf8" in str(err).lower() and encoded is data:  # UTF-8 at the top, other bytes further down
            converted = _as_utf8(data.to_pybytes())
            if converted is None:
                return [], [Problem(file, "not a table: the file is neither UTF-8 nor cp1252 text")]
            return _read_csv(file, converted[0], converted[1])
        ragged.append(None)
    if ragged:  # rows of uneven length: the exact (slower) reader pads them as a spreadsheet would
        tables, problems = _read_csv_exactly(file, encoded.to_pybytes().decode("utf-8", errors="replace"),
                                             delimiter, found)
    else:
        columns = [table.column(n) for n in names]
        built, problems = make_table(file, None, found, columns, index + 2,
                                 bool(SYNTHETIC_NAME.search(Path(file).name)))
        tables = [built] if built else []
    for built in tables:
        built.mixed_encoding = mixed
    return tables, problems


# A multi-byte UTF-8 character: a file with some is UTF-8, however many other bytes it holds.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _as_utf8(data: bytes) -> tuple[bytes, bool] | None:
    """Text that is not all UTF-8 as UTF-8, and whether it mixes encodings; None if it is not text.

    With UTF-8 characters in it, the other bytes are read as U+FFFD, each row holding one then
    refused (re-decoding the whole file as cp1252 would turn its UTF-8 into mojibake). Without,
    it is Excel's Windows "CSV", cp1252.
    """
    if _UTF8_SEQUENCE.search(data):
        return data.decode("utf-8", errors="replace").encode("utf-8"), True
    try:
        return data.decode("cp1252").encode("utf-8"), False
    except UnicodeDecodeError:
        return None


def _read_csv_exactly(file: str, text: str, delimiter: str, found) -> tuple[list[Table], list[Problem]]:
    """Read with the csv module: short rows are padded; cells beyond the header are a row problem."""
    index, _, _, labels = found
    width = len(labels)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)[index + 1:]
    except csv.Error as err:  # a cell over the csv module's limit (128 KiB), for one
        return [], [Problem(file, f"not readable as CSV at line {reader.line_num}: {err}; expected a table "
                                  "of cells of a few hundred characters")]
    padded = [(r + [""] * width)[:width] for r in records]
    columns = [pd.Series([r[j] for r in padded], dtype=STRING) for j in range(width)]
    built, problems = make_table(file, None, found, columns, index + 2, bool(SYNTHETIC_NAME.search(Path(file).name)))
    if built is not None:
        built.overflow = {index + 2 + i: delimiter.join(r[width:]) for i, r in enumerate(records)
                          if any(c.strip() for c in r[width:])}
    return ([built] if built else []), problems


def _cell_text(value, column: str | None) -> str | None:
    """An .xlsx cell as the text a person sees; numbers with a decimal comma in number columns."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            return str(int(value))
        if column == "entity_code":
            return f"{value:.2f}"  # Excel turns the code 17.10 into the number 17.1
        text = repr(float(value)) if "e" not in repr(float(value)) else f"{value:.12f}".rstrip("0")
        return text.replace(".", ",") if column in _NUMERIC else text
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _read_xlsx(file: str, data: bytes) -> tuple[list[Table], list[Problem]]:
    import openpyxl  # only .xlsx files need it

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        too_big = _beyond_limits(file, archive)
        if too_big:
            return [], [too_big]
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        formulas = _formulas_without_value(archive)
    except Exception as err:  # noqa: BLE001 - openpyxl and its XML parser raise anything on a malformed file
        return [], [Problem(file, f"not a readable .xlsx workbook ({type(err).__name__}: {err})")]
    # The cells themselves, where a sheet's <dimension> is missing or understates them.
    for sheet in workbook.worksheets:
        if sheet.max_row * sheet.max_column > MAX_XLSX_CELLS:
            return [], [_too_many_cells(file, sheet.title, sheet.max_row, sheet.max_column)]
    tables, problems, unrecognised = [], [], []
    synthetic_name = bool(SYNTHETIC_NAME.search(Path(file).name))
    for sheet in workbook.worksheets:
        grid, beside = _sheet_grid(sheet)
        if not any(any(v is not None and str(v).strip() for v in row) for row in grid):
            continue  # an empty sheet
        if sheet.sheet_state != "visible":
            problems.append(Problem(file, f"{'very ' if sheet.sheet_state == 'veryHidden' else ''}hidden sheet "
                                          "skipped: its rows are not read (unhide it to have them read)",
                                    sheet=sheet.title, notice=True))
            continue
        for (i, j), formula in formulas.get(sheet.title, {}).items():
            if i < len(grid) and (j >= len(grid[i]) or grid[i][j] is None):
                grid[i].extend([None] * (j + 1 - len(grid[i])))
                grid[i][j] = formula
        header_grid = [[None if beside.get((i, j)) else v for j, v in enumerate(header_cells(row))]
                       for i, row in enumerate(grid[:HEADER_SEARCH_ROWS + 1])]
        found = find_header(header_grid)
        if found is None:
            unrecognised.append(sheet.title)
            continue
        index, _, mapping, labels = found
        width = max(len(labels), max((len(r) for r in grid), default=0))
        body = grid[index + 1:]
        columns = [pd.Series([_cell_text(r[j] if j < len(r) else None, mapping.get(j)) for r in body], dtype=STRING)
                   for j in range(width)]
        labels = labels + [""] * (width - len(labels))
        built, found_problems = make_table(file, sheet.title, (index, found[1], mapping, labels), columns,
                                       index + 2, synthetic_name)
        if built:
            built.formulas = {(i + 1, j) for i, j in formulas.get(sheet.title, {})}
            tables.append(built)
        problems += found_problems
    if not tables and not problems:
        problems = [not_a_table(file)] if unrecognised else [Problem(file, "the workbook is empty")]
    return tables, problems


_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATION_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# A cell holding a formula and no saved value: <c r="J5"><f>SUM(F5:I5)</f></c> (or <v/>, or a shared <f .../>).
_FORMULA_CELL = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3})(\d+)"[^>]*?(?<!/)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)'
    rb'\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>', re.S)


# The used range a sheet declares (<dimension ref="A1:K40"/>, near its top), and its merged ranges (after its cells).
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\sref="([A-Za-z]{1,3}\d+(?::[A-Za-z]{1,3}\d+)?)"')
_MERGED = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\sref="([A-Za-z]{1,3}\d+(?::[A-Za-z]{1,3}\d+)?)"')
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d+)")


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Zip entry of each sheet -> the sheet's title, in the workbook's order."""
    targets = {r.get("Id"): r.get("Target", "") for r in ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))}
    parts = {}
    for sheet in ElementTree.fromstring(archive.read("xl/workbook.xml")).iter(f"{_SHEET_NS}sheet"):
        target = targets.get(sheet.get(_RELATION_ID), "")
        parts[target.lstrip("/") if target.startswith("/") else f"xl/{target}"] = sheet.get("name")
    return parts


def _beyond_limits(file: str, archive: zipfile.ZipFile) -> Problem | None:
    """The file's problem when a part would unpack beyond MAX_XLSX_PART_BYTES (all: MAX_XLSX_TOTAL_BYTES) or
    a sheet's declared used range or merged cells beyond MAX_XLSX_CELLS; read from the zip directory and the
    sheets' XML, without openpyxl."""
    entries = archive.infolist()
    size = {e.filename: e.file_size for e in entries}
    # The sheets' names, to name one in a problem: from the workbook's index, when it is of a sane size.
    sheets = _sheet_parts(archive) if all(size.get(part, 0) <= MAX_XLSX_PART_BYTES
                                          for part in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")) else {}
    for entry in entries:
        if entry.file_size > MAX_XLSX_PART_BYTES:
            return Problem(file, f"the workbook's part {entry.filename} would unpack to {_bytes(entry.file_size)} "
                                 f"(from {_bytes(entry.compress_size)} in the file); expected at most "
                                 f"{_bytes(MAX_XLSX_PART_BYTES)} a part: a damaged workbook, or one built to exhaust "
                                 "memory; it was not opened", sheet=sheets.get(entry.filename))
    total = sum(size.values())
    if total > MAX_XLSX_TOTAL_BYTES:
        return Problem(file, f"the workbook would unpack to {_bytes(total)} (from {_bytes(sum(e.compress_size for e in entries))} "
                             f"in the file); expected at most {_bytes(MAX_XLSX_TOTAL_BYTES)}: it was not opened; "
                             "save a large export as CSV")
    for part, title in sheets.items():
        if part not in archive.namelist():
            continue  # openpyxl says what is missing
        xml = archive.read(part)
        declared = _DIMENSION.search(xml[:4096])
        cells_end = max(xml.rfind(b"sheetData>"), 0)
        corners = [_CELL_REF.findall(ref.decode()) for ref in
                   ([declared.group(1)] if declared else []) + _MERGED.findall(xml, cells_end)]
        rows = max((int(r) for refs in corners for _, r in refs), default=0)
        columns = max((_column_number(c) for refs in corners for c, _ in refs), default=0)
        if rows * columns > MAX_XLSX_CELLS:
            return _too_many_cells(file, title, rows, columns)
    return None


def _bytes(n: int) -> str:
    return f"{n / 1024**2:,.0f} MB" if n >= 1024**2 else f"{n / 1024:,.1f} KB"


def _column_number(letters: str) -> int:
    """1-based number of a spreadsheet column (A -> 1, XFD -> 16384)."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def _too_many_cells(file: str, sheet: str, rows: int, columns: int) -> Problem:
    return Problem(file, f"the sheet's used range A1:{column_letter(columns - 1)}{rows} spans {rows * columns:,} cells "
                         f"({rows:,} rows x {columns:,} columns); expected at most {MAX_XLSX_CELLS:,}: the workbook was "
                         "not opened; delete the rows and columns beyond the table (or save it as CSV)", sheet=sheet)


def _formulas_without_value(archive: zipfile.ZipFile) -> dict[str, dict[tuple[int, int], str]]:
    """Sheet title -> {(0-based row, column): "=formula"} of the cells whose formula has no saved result.

    Reading values only, openpyxl gives such a cell as empty; it is a formula that was never calculated
    (a workbook written by a program, not saved by Excel).
    """
    from openpyxl.utils.cell import column_index_from_string

    found = {}
    for part, title in _sheet_parts(archive).items():
        xml = archive.read(part)
        if b"<f" not in xml and b":f" not in xml:
            continue
        found[title] = {
            (int(row) - 1, column_index_from_string(letters.decode()) - 1): "=" + (unescape(text.decode("utf-8", "replace")) if text else "…")
            for letters, row, text in _FORMULA_CELL.findall(xml)}
    return found


def _sheet_grid(sheet) -> tuple[list[list], dict[tuple[int, int], bool]]:
    """Cell values with merged ranges filled by their top-left value.

    Returns the grid and the cells filled from a cell to their left (a header label merged
    across columns names one column, not several).
    """
    grid = [list(r) for r in sheet.iter_rows(values_only=True)]
    beside = {}
    for merged in sheet.merged_cells.ranges:
        value = grid[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(grid) else None
        for i in range(merged.min_row - 1, min(merged.max_row, len(grid))):
            row = grid[i]
            row.extend([None] * (merged.max_col - len(row)))
            for j in range(merged.min_col - 1, merged.max_col):
                row[j] = value
                if j > merged.min_col - 1:
                    beside[(i, j)] = True
    return grid, beside


def read_file(path: Path) -> tuple[list[Table], list[Problem]]:
    file = config.display_path(path)
    try:  # mapped, not copied: the file is hashed and parsed where the page cache holds it
        with open(path, "rb") as handle:
            data = pa.py_buffer(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
                                if os.fstat(handle.fileno()).st_size else b"")
    except OSError as err:
        return [], [Problem(file, f"cannot read the file: {err.strerror or err}")]
    head = data[:4096].to_pybytes()
    if not head.strip(b" \t\r\n\xef\xbb\xbf,;") and not data.to_pybytes().strip(b" \t\r\n\xef\xbb\xbf,;"):
        return [], [Problem(file, "the file is empty")]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return [], [Problem(file, "an old Excel .xls workbook: save it as .xlsx or CSV")]
    with ThreadPoolExecutor(max_workers=1) as hasher:  # hashed while parsed (hashlib lets go of the GIL)
        sha256 = hasher.submit(lambda: hashlib.sha256(data).hexdigest())
        tables, problems = _read_xlsx(file, data.to_pybytes()) if head.startswith(b"PK\x03\x04") else _read_csv(file, data)
        for table in tables:
            table.sha256 = sha256.result()
    return tables, problems


def unreadable(file: str, err: Exception, sheet: str | None = None) -> Problem:
    return Problem(file, f"the file could not be read ({type(err).__name__}: {str(err)[:200]}); it was skipped",
                   sheet=sheet)
