"""Reading assessment exports (CSV/XLSX, any declared layout) into canonical units and answers rows; `validate`."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import mmap
import os
import re
import tomllib
import zipfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from pandera.errors import SchemaErrors

from . import config, methodology, schemas
from .errors import KepatuhanError, Problem, UnknownEntityError, UsageError
from .keys import mixed_radix
from .numbers import EXAMPLE, MISSING_TOKENS, ambiguous_thousands, parse_numbers

STRING = pd.StringDtype()
HEADER_SEARCH_ROWS = 30  # a header row is looked for this far down (title rows sit above it)
MIN_HEADER_MATCHES = 3  # known column headers a row needs to count as a table's header
CSV_DELIMITERS = (";", ",", "\t", "|")
# A footer row's first cell (or its entity or unit cell) starts with one of these words.
FOOTER_LABEL = r"(?i)^(?:nilai\s+)?(?:rata-rata|rata\s+rata|rerata|jumlah|total)\b"
TRUTHY = ("ya", "y", "yes", "true", "benar", "1")
FALSY = ("tidak", "tdk", "no", "false", "salah", "0")
SYNTHETIC_NAME = re.compile(r"synthetic|sintetis", re.IGNORECASE)
SUM_TOLERANCE = 0.01  # Nilai may differ from the sum of its dimensions by rounding of the parts
DIMENSION_COLUMNS = {"input": "Input", "proses": "Proses", "output": "Output", "pengaduan": "Pengaduan"}
# Unit types an entity can have several of; any other type is one unit per entity, so two
# spellings of it ("DPMPTSP", "Dinas Penanaman Modal dan PTSP") are the same unit.
MANY_PER_ENTITY = ("Puskesmas", "RSUD", "Lainnya")
# What an .xlsx may hold before openpyxl is given it (openpyxl keeps every cell, merged ones too, as a
# Python object, and `_sheet_grid` makes a rectangle of the used range): a file beyond is refused whole,
# unopened. Python's zipfile never unpacks more than a part's declared size (more fails its CRC), so the
# declared sizes bound the work.
MAX_XLSX_CELLS = 1_000_000  # used range (rows x columns from A1) of a sheet: about 0.5 GB as openpyxl
# cells; a national unit recap is some 40,000 rows of 11 columns, and a bigger export reads faster as CSV
MAX_XLSX_PART_BYTES = 64 * 1024**2  # one part unpacked (sheet XML, shared strings): a sheet of
# MAX_XLSX_CELLS is about 40 MB of XML; beyond is a zip bomb or a 200 MB string
MAX_XLSX_TOTAL_BYTES = 128 * 1024**2  # every part unpacked: a few full sheets
_NUMERIC = ("year", "input", "proses", "output", "pengaduan", "nilai", "koreksi", "kepercayaan", "weight", "score")
# Who a problem's row could belong to: its entity's key where resolved, else what the row gives.
ATTRIBUTION = ["year", "entity_code", "province_code", "entity_type", "other_entity_code", "holds_back"]
_KNOWN_COLUMNS = {
    "units": {"year", "province", "entity_type", "entity", "entity_code", "unit", "input", "proses", "output",
              "pengaduan", "nilai", "koreksi", "kepercayaan", "tingkat_kepatuhan", "tanpa_maladministrasi",
              "synthetic"},
    "answers": {"year", "province", "entity_type", "entity", "entity_code", "unit", "dimension", "variable",
                "indicator_code", "indicator", "respondent", "weight", "score", "synthetic"},
}


# --- declared layouts (data/column_mappings/*.toml) --------------------------------------------

def normalise_header(text: object) -> str:
    """A header as compared with the declared variants: case, spacing, NBSP, `_`, BOM and zero-width ignored."""
    visible = re.sub(r"[\ufeff\u200b\u200c\u200d\u2060]", "", str(text))
    return re.sub(r"[\s\u00a0\u202f_]+", " ", visible).strip().strip(":*").strip().casefold()


@dataclass(frozen=True)
class Layout:
    """One declared source layout: which headers mean which canonical column."""

    name: str
    kind: str  # "units" or "answers"
    title: str
    required: tuple[str, ...]
    required_any: tuple[tuple[str, ...], ...]
    variants: dict[str, tuple[str, ...]]  # canonical column -> header variants as declared

    @functools.cached_property
    def lookup(self) -> dict[str, str]:
        return {normalise_header(v): column for column, names in self.variants.items() for v in names}

    def label(self, column: str) -> str:
        """The column's header in the project's own format (its first declared variant)."""
        return self.variants[column][0]

    def missing(self, found: set[str]) -> list[str]:
        """Required columns (or the best required group) not among ``found``."""
        missing = [c for c in self.required if c not in found]
        if self.required_any and not any(set(group) <= found for group in self.required_any):
            group = min(self.required_any, key=lambda g: len(set(g) - found))
            missing += [c for c in group if c not in found]
        return missing


@functools.cache
def layouts() -> tuple[Layout, ...]:
    """Every declared layout, recaps first; a malformed declaration is an error of the project."""
    found = []
    for path in sorted(config.COLUMN_MAPPINGS_DIR.glob("*.toml")):
        where = config.display_path(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
            kind, columns = raw["kind"], raw["columns"]
            layout = Layout(
                name=path.stem, kind=kind, title=raw["title"], required=tuple(raw["required"]),
                required_any=tuple(tuple(g) for g in raw.get("required_any", [])),
                variants={c: tuple(v) for c, v in columns.items()},
            )
        except (tomllib.TOMLDecodeError, KeyError, TypeError) as err:
            raise KepatuhanError(f"{where}: invalid column mapping: {err}") from None
        unknown = set(layout.variants) - _KNOWN_COLUMNS.get(kind, set())
        if set(layout.variants) - unknown - set(schemas.MAX_CHARS):
            raise KepatuhanError(f"{where}: columns without a length limit in schemas.MAX_CHARS: "
                                 f"{sorted(set(layout.variants) - unknown - set(schemas.MAX_CHARS))}")
        needed = set(layout.required) | {c for g in layout.required_any for c in g}
        if kind not in _KNOWN_COLUMNS or unknown or not needed <= set(layout.variants):
            raise KepatuhanError(f"{where}: invalid column mapping: kind {kind!r}, unknown columns "
                                 f"{sorted(unknown)}, required but not mapped {sorted(needed - set(layout.variants))}")
        found.append(layout)
    if not found:
        raise KepatuhanError(f"no column mappings (*.toml) in {config.display_path(config.COLUMN_MAPPINGS_DIR)}")
    return tuple(sorted(found, key=lambda lay: (lay.kind != "units", lay.name)))


# --- the result ----------------------------------------------------------------------------------

@dataclass
class ExportData:
    """Canonical rows read from export files, and every problem found in them."""

    units: pd.DataFrame
    answers: pd.DataFrame
    problems: list[Problem]
    rows_read: int  # data rows seen (blank and footer rows are not data rows)
    rows_skipped: int  # blank and footer rows
    # For each problem, the entities its row could belong to (ATTRIBUTION columns; see `quarantine`).
    attribution: pd.DataFrame | None = field(default=None, repr=False)
    notices: list[Problem] = field(default_factory=list)  # how files were read; nothing refused

    @property
    def rows_quarantined(self) -> int:
        """Data rows refused (a row with several problems counts once)."""
        return len({(p.file, p.sheet, p.row) for p in self.problems if p.row is not None})

    def quarantine(self) -> pd.DataFrame:
        """file, sheet, row, column, value, reason + who the row could belong to (see schemas.QUARANTINE)."""
        if not self.problems:
            return schemas.empty(schemas.QUARANTINE)
        known = self.attribution if self.attribution is not None else pd.DataFrame(index=range(len(self.problems)))
        frame = pd.DataFrame({
            "file": pd.array([p.file for p in self.problems], dtype=STRING),
            "sheet": pd.array([p.sheet for p in self.problems], dtype=STRING),
            "row": pd.array([p.row for p in self.problems], dtype="Int64"),
            "column": pd.array([p.column for p in self.problems], dtype=STRING),
            "value": pd.array([p.value for p in self.problems], dtype=STRING),
            "reason": pd.array([p.message for p in self.problems], dtype=STRING),
            "year": pd.array(known.get("year", [None] * len(known)), dtype="Int16"),
            **{c: pd.array(known.get(c, [None] * len(known)), dtype=STRING) for c in ATTRIBUTION[1:-1]},
            "holds_back": np.asarray(known.get("holds_back", [True] * len(known)), dtype=bool),
        })
        return frame


# --- reading files into tables of cell texts -------------------------------------------------------

@dataclass
class _Cells:
    """One column of a table: its distinct cleaned texts and each row's code into them (-1: empty)."""

    header: str  # as written in the file
    codes: np.ndarray
    values: pd.Series  # distinct cleaned texts (string dtype, never missing)
    raw_codes: np.ndarray
    raw: np.ndarray  # distinct cell texts as written

    @classmethod
    def of(cls, header: str, column: pd.Series | pa.ChunkedArray) -> _Cells:
        """Cells of a column of texts, or of a dictionary-encoded column as read from a CSV file."""
        if isinstance(column, pd.Series):
            raw_codes, raw = pd.factorize(column, use_na_sentinel=True)
        else:  # the file's texts are never materialised per row: codes and distinct texts only
            encoded = column.unify_dictionaries().combine_chunks() if len(column) else None
            raw_codes = encoded.indices.to_numpy() if encoded is not None else np.zeros(0, dtype=np.intp)
            raw = encoded.dictionary.to_numpy(zero_copy_only=False) if encoded is not None else np.zeros(0, dtype=object)
        # Codes as numpy's index type: each column's codes index many small arrays, which other types slow down.
        raw_codes = raw_codes.astype(np.intp, copy=False)
        clean_codes, values = pd.factorize(pd.array(_CLEANED(raw), dtype=STRING), use_na_sentinel=True)
        if np.array_equal(clean_codes, np.arange(len(raw))) and raw_codes.min(initial=0) >= 0:
            codes = raw_codes  # each text was clean already: the file's codes
        else:  # -1 (empty) indexes the appended -1
            codes = np.append(clean_codes, -1)[raw_codes]
        return cls(header, codes, pd.Series(values, dtype=STRING), raw_codes, np.asarray(raw, dtype=object))

    def subset(self, positions: np.ndarray) -> _Cells:
        if len(positions) == len(self.codes):  # every row kept (positions are ascending)
            return self
        return _Cells(self.header, self.codes[positions], self.values, self.raw_codes[positions], self.raw)

    def as_written(self, positions: np.ndarray) -> np.ndarray:
        codes = self.raw_codes[positions]
        out = np.full(len(codes), None, dtype=object)
        out[codes >= 0] = self.raw[codes[codes >= 0]]
        return out


@dataclass
class _Table:
    """The data rows of one CSV file or one sheet, with the columns its layout knows."""

    file: str
    sheet: str | None
    layout: Layout
    rows: np.ndarray  # spreadsheet row of each data row
    cells: dict[str, _Cells]  # canonical column -> cells
    positions: dict[str, int]  # canonical column -> column index in the file (orders problems)
    synthetic_name: bool
    skipped: int  # blank and footer rows
    overflow: dict[int, str] = field(default_factory=dict)  # row -> cells beyond the header's columns
    sha256: str = ""  # of the file's bytes (set once hashed)
    mixed_encoding: bool = False  # a CSV of UTF-8 and other bytes: undecodable bytes were read as U+FFFD
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column index): formula, no saved value
    refused: dict[str, np.ndarray] = field(default_factory=dict)  # column -> distinct values refused as cells

    def header(self, column: str | None) -> str | None:
        if column is None:
            return None
        return self.cells[column].header if column in self.cells else self.layout.label(column)


def _clean_text(values: pd.Series) -> pd.Series:
    """Trimmed text, NBSP as a space, runs of spaces collapsed; <NA> when empty or `-`, `n/a`..."""
    text = values.str.replace("[\\s\u00a0\u202f\ufeff]+", " ", regex=True).str.strip()
    return text.mask(text.str.lower().isin(MISSING_TOKENS))


class _PerText:
    """A vectorised function of texts computed once per distinct text over a run: the files of an
    archive share most of their texts (names, codes, scores), and each file has a few hundred."""

    def __init__(self, function):
        self.function, self.known = function, {}

    def __call__(self, texts) -> list:
        new = [t for t in dict.fromkeys(texts) if t not in self.known]
        if new:
            if len(self.known) > 1_000_000:  # bounded in a long-lived process
                self.known.clear()
            results = self.function(pd.Series(new, dtype=STRING))
            self.known.update(zip(new, results.to_numpy(dtype=object, na_value=None)
                                  if isinstance(results, pd.Series) else results))
        return [self.known[t] for t in texts]


_CLEANED = _PerText(_clean_text)  # a cell text as written -> cleaned (None: empty)
_FOOTER = _PerText(lambda texts: texts.str.contains(FOOTER_LABEL, regex=True).to_numpy(dtype=bool, na_value=False))


def _header_cells(row: list) -> list[str | None]:
    return [None if v is None or str(v).strip() == "" else str(v).strip() for v in row]


def _find_header(grid: list[list[str | None]]) -> tuple[int, Layout, dict[int, str], list[str]] | None:
    """The header row among the first rows: (index, layout, {column index: canonical}, headers).

    The row with the most known headers wins (at least MIN_HEADER_MATCHES); a row just below
    with as many (a two-row header whose labels are merged down) is taken instead. An empty
    cell takes the label above it (a two-row header whose single-row labels sit on top).
    """
    best = None
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        above = grid[i - 1] if i else []
        labels = [cell if cell else (above[j] if j < len(above) else None) for j, cell in enumerate(row)]
        for layout in layouts():
            mapping = {}
            for j, label in enumerate(labels):
                column = layout.lookup.get(normalise_header(label)) if label else None
                if column and column not in mapping.values():
                    mapping[j] = column
            score = (not layout.missing(set(mapping.values())), len(mapping))
            if len(mapping) >= MIN_HEADER_MATCHES and (best is None or score > best[0]
                                                        or (score == best[0] and i == best[1] + 1)):
                best = (score, i, layout, mapping, labels)
    if best is None:
        return None
    _, i, layout, mapping, labels = best
    return i, layout, mapping, [label or "" for label in labels]


def _not_a_table(file: str) -> Problem:
    expected = "; or ".join(
        f"{lay.title}: {', '.join(lay.label(c) for c in (*lay.required, *(g[0] for g in lay.required_any)))}"
        for lay in layouts())
    return Problem(file, f"no table of assessment exports found: no row among the first {HEADER_SEARCH_ROWS} "
                         f"has the expected column headers ({expected})")


def _table(file: str, sheet: str | None, found, data: list, first_row: int,
           synthetic_name: bool) -> tuple[_Table | None, list[Problem]]:
    """Build a table from the header found and its columns of cell texts (see `_Cells.of`)."""
    index, layout, mapping, labels = found
    same = {}  # canonical column -> every header column meaning it
    for j, label in enumerate(labels):
        column = layout.lookup.get(normalise_header(label))
        if column:
            same.setdefault(column, []).append(j)
    twice = [Problem(file, f"the header (row {first_row - 1}) has {len(js)} columns meaning {layout.label(c)}: "
                           + " and ".join(f"{labels[j]!r} (column {_letter(j)})" for j in js)
                           + "; keep one of them", sheet=sheet)
             for c, js in same.items() if len(js) > 1]
    missing = layout.missing(set(mapping.values()))
    if missing or twice:
        return None, twice + [Problem(
            file, f"missing required column {layout.label(c)!r} for a {layout.title} "
                  f"(accepted headers: {', '.join(layout.variants[c])})", sheet=sheet)
            for c in missing]
    n = len(data[0]) if data else 0
    all_cells = [_Cells.of(labels[j] if j < len(labels) else "", s) for j, s in enumerate(data)]
    rows = np.arange(n) + first_row

    keep = np.flatnonzero(~_blank_or_footer(all_cells, mapping, n))
    if not len(keep):
        return None, [Problem(file, f"no data rows below the header (row {first_row - 1})", sheet=sheet)]
    cells = {column: all_cells[j].subset(keep) for j, column in mapping.items() if j < len(all_cells)}
    positions = {column: j for j, column in mapping.items()}
    ignored = [Problem(file, f"column {label!r} (column {_letter(j)}) is not a column of a {layout.title}: "
                             "ignored", sheet=sheet, notice=True)
               for j, label in enumerate(labels) if label and j not in mapping and j < len(all_cells)
               and (all_cells[j].codes >= 0).any()]
    return _Table(file, sheet, layout, rows[keep], cells, positions, synthetic_name,
                  skipped=n - len(keep)), ignored


def _blank_or_footer(all_cells: list[_Cells], mapping: dict[int, str], n: int) -> np.ndarray:
    """Rows that are not data rows: blank, or a footer (its first filled cell, or its entity or unit cell,
    is a footer label such as Rata-rata)."""
    labels = [np.array(_FOOTER(cells.values), dtype=bool) for cells in all_cells]
    if not any(label.any() for label in labels):  # no footer: blank rows only, seen from the first columns
        filled = np.zeros(n, dtype=bool)
        for cells in all_cells:
            filled |= cells.codes >= 0
            if filled.all():
                break
        return ~filled
    first_cell = np.full(n, -1)
    footer_at = np.zeros(n, dtype=bool)
    for j, (cells, label) in enumerate(zip(all_cells, labels)):
        filled = cells.codes >= 0
        is_footer = filled & (label[cells.codes] if len(label) else False)
        first = filled & (first_cell < 0)
        footer_at |= first & is_footer
        if mapping.get(j) in ("entity", "unit"):
            footer_at |= is_footer
        first_cell[first] = j
    return (first_cell < 0) | footer_at


def _letter(j: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        letters = chr(65 + r) + letters
    return letters


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters no text has (tab, CR, LF aside)


def _read_csv(file: str, data: pa.Buffer | bytes, mixed: bool = False) -> tuple[list[_Table], list[Problem]]:
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
        grid = [_header_cells(r) for r in csv.reader(lines, delimiter=delimiter)]
        found = _find_header(grid)
        if found:
            candidates.append(((not found[1].missing(set(found[2].values())), len(found[2])), delimiter, found))
    if not candidates:
        return [], [_not_a_table(file)]
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
        built, problems = _table(file, None, found, columns, index + 2,
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


def _read_csv_exactly(file: str, text: str, delimiter: str, found) -> tuple[list[_Table], list[Problem]]:
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
    built, problems = _table(file, None, found, columns, index + 2, bool(SYNTHETIC_NAME.search(Path(file).name)))
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


def _read_xlsx(file: str, data: bytes) -> tuple[list[_Table], list[Problem]]:
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
        header_grid = [[None if beside.get((i, j)) else v for j, v in enumerate(_header_cells(row))]
                       for i, row in enumerate(grid[:HEADER_SEARCH_ROWS + 1])]
        found = _find_header(header_grid)
        if found is None:
            unrecognised.append(sheet.title)
            continue
        index, _, mapping, labels = found
        width = max(len(labels), max((len(r) for r in grid), default=0))
        body = grid[index + 1:]
        columns = [pd.Series([_cell_text(r[j] if j < len(r) else None, mapping.get(j)) for r in body], dtype=STRING)
                   for j in range(width)]
        labels = labels + [""] * (width - len(labels))
        built, found_problems = _table(file, sheet.title, (index, found[1], mapping, labels), columns,
                                       index + 2, synthetic_name)
        if built:
            built.formulas = {(i + 1, j) for i, j in formulas.get(sheet.title, {})}
            tables.append(built)
        problems += found_problems
    if not tables and not problems:
        problems = [_not_a_table(file)] if unrecognised else [Problem(file, "the workbook is empty")]
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
    return Problem(file, f"the sheet's used range A1:{_letter(columns - 1)}{rows} spans {rows * columns:,} cells "
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


def _read_file(path: Path) -> tuple[list[_Table], list[Problem]]:
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


# --- cleaning tables into canonical rows ------------------------------------------------------------

class _Resolution:
    """Reference and methodology look-ups, each made once per distinct input over a whole run."""

    def __init__(self):
        self._resolver = None
        self._cache: dict[tuple, tuple] = {}

    @property
    def resolver(self):
        if self._resolver is None:
            from .reference import get_resolver

            self._resolver = get_resolver()
        return self._resolver

    def _once(self, key: tuple, fn) -> tuple:
        """(result, None) or (None, the error), computed once per key."""
        if key not in self._cache:
            try:
                self._cache[key] = (fn(), None)
            except KepatuhanError as err:
                self._cache[key] = (None, err)
        return self._cache[key]

    def entity_type(self, raw: str) -> tuple:
        return self._once(("type", raw), lambda: self.resolver.canonical_entity_type(raw))

    def province(self, raw: str) -> tuple:
        return self._once(("province", raw), lambda: self.resolver.resolve_province(raw))

    def entity(self, name, entity_type, province_code, code) -> tuple:
        return self._once(("entity", name, entity_type, province_code, code), lambda: self.resolver.resolve_entity(
            name, entity_type=entity_type, province=province_code, code=code))

    def contradictions(self, entity, name, entity_type, province_code) -> list:
        key = ("contradictions", entity.code, name, entity_type, province_code)
        if key not in self._cache:
            self._cache[key] = self.resolver.contradictions(entity, name=name, entity_type=entity_type,
                                                            province=province_code)
        return self._cache[key]

    def unit_type(self, unit: str) -> tuple:
        return self._once(("unit", unit), lambda: self.resolver.resolve_unit_type(unit))

    def era(self, year: int, entity_type: str) -> tuple:
        return self._once(("era", year, entity_type), lambda: methodology.era(year, entity_type))


class _Found:
    """Row problems of one table: positions (into its data rows), canonical column, reasons."""

    def __init__(self, n: int):
        self.n = n
        # positions, canonical column, reasons, and whether the problem holds the row's entity back
        self.parts: list[tuple[np.ndarray, str | None, np.ndarray, bool]] = []

    def add(self, mask: np.ndarray, column: str | None, reasons, holds_back: bool = True) -> None:
        """A problem on every row of ``mask``; ``reasons`` is one text or one per row.

        ``holds_back=False``: the row is refused but its entity loses nothing (an identical duplicate).
        """
        positions = np.flatnonzero(mask)
        if len(positions):
            reasons = np.asarray(reasons, dtype=object)
            self.parts.append((positions, column, reasons[positions] if reasons.ndim
                               else np.full(len(positions), reasons, dtype=object), holds_back))

    def add_per_value(self, codes: np.ndarray, column: str | None, reasons: list, missing: str | None = None) -> None:
        """A problem on every row whose value (``codes`` into ``reasons``) has a reason; -1 gets ``missing``."""
        reasons = np.asarray([*reasons, missing], dtype=object)
        bad = np.asarray([r is not None for r in reasons])
        if not bad.any():  # no pass over the rows when no value has a reason (the common case)
            return
        positions = np.flatnonzero(bad[codes])
        if len(positions):
            self.parts.append((positions, column, reasons[codes[positions]], True))

    def rejected(self) -> np.ndarray:
        bad = np.zeros(self.n, dtype=bool)
        for positions, *_ in self.parts:
            bad[positions] = True
        return bad


def _reasons(mask: np.ndarray, message, *arrays) -> np.ndarray:
    """A reason for each row of ``mask`` formatted from the rows' values (None elsewhere)."""
    out = np.full(len(mask), None, dtype=object)
    for i in np.flatnonzero(mask):
        out[i] = message(*(a[i] for a in arrays))
    return out


def _fmt(x: float) -> str:
    """A number as a person would write it: 90,02 (decimal comma, no trailing zeros)."""
    return f"{x:.4f}".rstrip("0").rstrip(".").replace(".", ",")


def _first_rows(codes: np.ndarray) -> np.ndarray:
    """The first row of each code 0, 1, ... (codes as `_combine` numbers them: in order of appearance).

    In that numbering a row holds a code first exactly where it exceeds every code above it.
    """
    return np.flatnonzero(codes > np.maximum.accumulate(np.concatenate([[-1], codes[:-1]])))


def _combine(keys: list[np.ndarray]) -> np.ndarray:
    """One code (0, 1, ...) per distinct combination of several integer code arrays (-1 allowed)."""
    return pd.factorize(mixed_radix(keys))[0].astype(np.int64)


def _number_column(table: _Table, column: str, found: _Found, what: str) -> np.ndarray:
    """Floats of a number column (NaN when empty); text that is not a number is a problem."""
    cells = table.cells.get(column)
    if cells is None:
        return np.full(found.n, np.nan)
    numbers, bad, ambiguous = _parsed(cells.values)
    refused = table.refused.get(column, np.zeros(len(cells.values), dtype=bool))
    found.add_per_value(cells.codes, column, [
        None if r else _ambiguous(v, x) if a else f"{v!r} is not a number; expected {what} such as {EXAMPLE}" if b
        else None for v, x, b, a, r in zip(cells.values, numbers, bad, ambiguous, refused)])
    return np.append(np.where(ambiguous | refused, np.nan, numbers), np.nan)[cells.codes]


def _parse(texts: pd.Series) -> list[tuple[float, bool, bool]]:
    numbers, bad = parse_numbers(texts)
    return list(zip(numbers.to_numpy(dtype=float, na_value=np.nan), bad, ambiguous_thousands(texts)))


_PARSED = _PerText(_parse)


def _parsed(texts: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Number (NaN: none), unparseable and ambiguous (`3.000`) of each distinct cell text."""
    parsed = _PARSED(texts)
    return (np.array([p[0] for p in parsed], dtype=float), np.array([p[1] for p in parsed], dtype=bool),
            np.array([p[2] for p in parsed], dtype=bool))


def _ambiguous(text: str, thousands: float) -> str:
    """Why ``3.000`` is refused in a number column: two rules read it differently."""
    decimal = _fmt(thousands / 1000)
    return (f"{text!r} is ambiguous: {_fmt(thousands)} if the dot groups thousands, {decimal} if it is a decimal "
            f"point; write {_fmt(thousands)} or {decimal} (with a decimal comma)")


def _year(table: _Table, found: _Found) -> np.ndarray:
    """The year of each distinct year cell (NaN where refused)."""
    cells = table.cells["year"]
    values, bad, dotted = _parsed(cells.values)
    refused = table.refused.get("year", np.zeros(len(values), dtype=bool))
    reasons = [
        "" if cell_refused else f"{text!r} is not a year; expected a year such as 2023"
        if unparseable or dotted or not float(value).is_integer()
        else f"year {int(value)} is outside {schemas.YEAR_MIN}-{schemas.YEAR_MAX}"
        if not schemas.YEAR_MIN <= value <= schemas.YEAR_MAX else None
        for text, value, unparseable, dotted, cell_refused
        in zip(cells.values, values, bad, dotted, refused)
    ]
    found.add_per_value(cells.codes, "year", [r or None for r in reasons],
                        missing=f"{cells.header} is empty; expected a year such as 2023")
    return np.where([r is None for r in reasons], values, np.nan)


def _identity(table: _Table, found: _Found, res: _Resolution) -> dict:
    """Year, entity and unit of every data row; each distinct entity is resolved once."""
    n = found.n
    no_cells = np.full(n, -1)
    year_of_cell = _year(table, found)
    year = np.append(year_of_cell, np.nan)[table.cells["year"].codes]

    def look_up(column: str, fn) -> tuple[list, np.ndarray]:
        cells = table.cells.get(column)
        if cells is None:
            return [], no_cells
        results = [fn(v) for v in cells.values]
        found.add_per_value(cells.codes, column, [None if err is None else str(err) for _, err in results])
        return [value for value, _ in results], cells.codes

    types, type_codes = look_up("entity_type", res.entity_type)
    provinces, province_codes = look_up("province", res.province)
    names, code_cells = table.cells["entity"], table.cells.get("entity_code")
    code_codes = code_cells.codes if code_cells else no_cells

    keys = [names.codes, type_codes, province_codes, code_codes]
    combo = _combine(keys)
    firsts = _first_rows(combo)
    resolved = {k: [] for k in ("entity_code", "entity", "entity_type", "province_code")}
    reasons = {column: [] for column in ("entity", "entity_code", "entity_type", "province")}
    given_types, attribution = [], {k: [] for k in ("province_code", "entity_type", "other_entity_code")}
    name_values, code_values = names.values.tolist(), code_cells.values.tolist() if code_cells else []
    for row in firsts:
        name_i, type_i, province_i, code_i = (int(k[row]) for k in keys)
        name = name_values[name_i] if name_i >= 0 else None
        entity_type = types[type_i] if type_i >= 0 else None
        province = provinces[province_i] if province_i >= 0 else None
        code = code_values[code_i] if code_i >= 0 else None
        entity, reason, column, contradictions = None, None, "entity", []
        if name is None and code is None:
            reason = (f"{names.header} is empty" + (f" and so is {code_cells.header}" if code_cells else "")
                      + "; expected an entity name such as Kabupaten Mukomuko")
        else:
            entity, err = res.entity(name, entity_type, province[0] if province else None, code)
            if err is not None:
                reason = str(err)
                if code is not None and (name is None or isinstance(err, UnknownEntityError) and err.name == code):
                    column = "entity_code"
            elif code is not None:  # the code gave the entity: what is written beside it must agree
                contradictions = res.contradictions(entity, name, entity_type, province[1] if province else None)
        for c in reasons:
            said = [f"{table.header(c)} contradicts {code_cells.header} {code!r}: {x.message}; correct one of them"
                    for x in contradictions if x.field == c]
            reasons[c].append("; ".join(said) if said else reason if c == column else None)
        given_types.append(entity_type)
        for k, attr in (("entity_code", "code"), ("entity", "name"), ("entity_type", "entity_type"),
                        ("province_code", "province_code")):
            resolved[k].append(getattr(entity, attr) if entity is not None else None)
        # Whom a refused row could belong to: its entity, else the province and type it gives.
        attribution["province_code"].append(entity.province_code if entity else province[0] if province else None)
        attribution["entity_type"].append(entity.entity_type if entity else entity_type
                                          or (res.resolver.entity_type_of_name(name) if name else None))
        attribution["other_entity_code"].append(next((x.named.code for x in contradictions if x.named), None))
    for column, per_combo in reasons.items():
        found.add_per_value(combo, column, per_combo)

    units = table.cells["unit"]
    unit_types = [res.unit_type(v) for v in units.values]
    found.add_per_value(units.codes, "unit", [None if err is None else str(err) for _, err in unit_types],
                        missing=f"{units.header} is empty; expected a unit name such as Dinas Kesehatan")
    # Two spellings of a one-per-entity unit ("DPMPTSP", "Dinas Penanaman Modal dan PTSP") are one unit.
    unit_keys = [t if t is not None and t not in MANY_PER_ENTITY else v.casefold()
                 for v, (t, _) in zip(units.values, unit_types)]
    return {
        "year": year,  # of every row; its code and the year of each code:
        "year_cell": table.cells["year"].codes, "year_of_cell": year_of_cell,
        # The entity's type, or the type a row gives when its entity is unknown: the era's scale and caps
        # still apply, so a row's other problems are found too.
        "era_type": pd.array([t if t is not None else given for t, given in zip(resolved["entity_type"], given_types)],
                             dtype=STRING),
        "combo": combo,
        "entity_key": pd.factorize(pd.Series(resolved["entity_code"], dtype=object))[0][combo],
        "unit_key": _per_value_codes(unit_keys, units.codes),
        "resolved": {k: pd.array(v, dtype=STRING) for k, v in resolved.items()},
        "attribution": {k: np.asarray(v, dtype=object) for k, v in attribution.items()},  # per combo
        "unit_type": pd.array([t for t, _ in unit_types], dtype=STRING),
    }


@dataclass
class _Eras:
    """The methodology era of each row whose year and entity type are known (code -1 elsewhere)."""

    codes: np.ndarray
    eras: list

    def values(self, attribute) -> np.ndarray:
        """``attribute(era)`` for each row (NaN where it has no era), computed once per era."""
        return np.asarray([*(attribute(e) if e else np.nan for e in self.eras), np.nan], dtype=object)[self.codes]


def _eras(ident: dict, found: _Found, res: _Resolution) -> _Eras:
    """Each row's era, looked up once per distinct (year cell, entity type) its rows hold."""
    type_codes, types = pd.factorize(ident["era_type"])  # per combo
    years = ident["year_of_cell"]
    # (year cell, type) numbered densely, -1 of either included: few, so counted rather than hashed.
    pair = (ident["year_cell"] + 1) * (len(types) + 1) + (type_codes[ident["combo"]] + 1)
    present = np.flatnonzero(np.bincount(pair, minlength=(len(years) + 1) * (len(types) + 1)))
    lookup = np.full((len(years) + 1) * (len(types) + 1), -1)
    looked_up = []
    for p in present:
        year_i, type_i = divmod(int(p), len(types) + 1)
        if year_i and type_i and not np.isnan(years[year_i - 1]):
            lookup[p] = len(looked_up)
            looked_up.append(res.era(int(years[year_i - 1]), types[type_i - 1]))
    codes = lookup[pair]
    found.add_per_value(codes, "year", [None if err is None else str(err) for _, err in looked_up])
    return _Eras(codes, [era for era, _ in looked_up])


def _clean_units(table: _Table, found: _Found, ident: dict, eras: _Eras) -> dict:
    """Dimension points, Kepercayaan, Nilai and Koreksi of every row, checked against the era's scale,
    caps and parts; Tingkat Kepatuhan and Tanpa Maladministrasi where the era has them (2025-)."""
    scale = eras.values(lambda e: e.scale).astype(float)
    label = eras.values(lambda e: e.label)
    has_era = ~np.isnan(scale)
    header = table.header
    points = {c: _number_column(table, c, found, "points") for c in DIMENSION_COLUMNS}
    nilai = _number_column(table, "nilai", found, "a score")
    koreksi = _number_column(table, "koreksi", found, "points")
    kepercayaan = _number_column(table, "kepercayaan", found, "points")
    kepercayaan_cap = eras.values(lambda e: e.components.get("kepercayaan", np.nan)).astype(float)
    needs_kepercayaan = ~np.isnan(kepercayaan_cap)  # Nilai = dimensions + kepercayaan in this era
    no_part = has_era & ~np.isnan(kepercayaan) & ~needs_kepercayaan
    found.add(no_part, "kepercayaan", _reasons(no_part, lambda lab: (
        f"{lab} has no kepercayaan masyarakat part; leave {header('kepercayaan')} empty"), label))
    outside = (kepercayaan < 0) | (kepercayaan > kepercayaan_cap)
    found.add(outside, "kepercayaan", _reasons(outside, lambda x, cap, lab: (
        f"{_fmt(x)} is outside the kepercayaan masyarakat part, 0-{_fmt(cap)} ({lab})"), kepercayaan,
        kepercayaan_cap, label))

    given = np.stack([_codes(table, c) >= 0 for c in DIMENSION_COLUMNS], axis=1)  # a typo is given, not empty
    some, every = given.any(axis=1), given.all(axis=1)
    for i, c in enumerate(DIMENSION_COLUMNS):
        found.add(some & ~given[:, i], c, f"{header(c)} is empty while other dimensions are given; "
                                          "expected all four dimensions or none")
    first = next(iter(DIMENSION_COLUMNS))
    caps = {c: eras.values(lambda e, name=name: e.caps.get(name, np.nan)).astype(float)
            for c, name in DIMENSION_COLUMNS.items()}
    no_dimensions = has_era & some & np.isnan(caps[first])
    found.add(no_dimensions, first, _reasons(no_dimensions, lambda lab: (
        f"{lab} has no dimension points; leave {', '.join(header(c) for c in DIMENSION_COLUMNS)} empty"), label))
    for c, name in DIMENSION_COLUMNS.items():
        value = points[c]
        found.add(value < 0, c, _reasons(value < 0, lambda x: f"{_fmt(x)} is negative; expected 0 or more", value))
        over = value > caps[c]
        found.add(over, c, _reasons(over, lambda x, cap, lab: (
            f"{_fmt(x)} is above the cap of the {name} dimension, {_fmt(cap)} ({lab})"), value, caps[c], label))

    dimensions = np.stack([points[c] for c in DIMENSION_COLUMNS], axis=1).sum(axis=1)
    total = np.where(needs_kepercayaan, dimensions + kepercayaan, dimensions)
    complete = every & (~needs_kepercayaan | ~np.isnan(kepercayaan))  # every part of Nilai is given
    given_nilai = ~np.isnan(nilai)
    found.add((_codes(table, "nilai") < 0) & ~complete, "nilai", _reasons(
        (_codes(table, "nilai") < 0) & ~complete, lambda more: (
            f"{header('nilai')} is empty; expected a score such as {EXAMPLE} (or all four dimensions"
            + (f" and {header('kepercayaan')})" if more else ")")), needs_kepercayaan))
    disagree = given_nilai & complete & (np.abs(nilai - total) > SUM_TOLERANCE + 1e-9)
    found.add(disagree, "nilai", _reasons(disagree, lambda x, t, more: (
        f"{_fmt(x)} disagrees with the sum of its dimensions{' and ' + header('kepercayaan') if more else ''}, "
        f"{t:.2f}; they must agree within 0,01".replace(".", ",")), nilai, total, needs_kepercayaan))
    found.add(nilai < 0, "nilai", _reasons(nilai < 0, lambda x: f"{_fmt(x)} is negative; expected a score of 0 "
                                                                 "or more", nilai))
    above = has_era & (nilai > scale)
    found.add(above, "nilai", _reasons(above, lambda x, s, lab: (
        f"{_fmt(x)} is above the maximum score {_fmt(s)} of {lab}"), nilai, scale, label))
    bad_koreksi = (koreksi < 0) | (koreksi > scale)
    found.add(bad_koreksi, "koreksi", _reasons(bad_koreksi, lambda x: (
        f"{_fmt(x)} is not a correction; expected the points subtracted, from 0 up to the maximum score"), koreksi))
    return {**points, "nilai": np.where(given_nilai, nilai, total), "koreksi": koreksi, "kepercayaan": kepercayaan,
            "tingkat_kepatuhan": _compliance_level(table, found, eras),
            "tanpa_maladministrasi": _tanpa_maladministrasi(table, found, eras)}


def _compliance_level(table: _Table, found: _Found, eras: _Eras) -> pd.Categorical:
    """Tingkat Kepatuhan as the era declares its levels (Tinggi, Sedang, Rendah); shown, never scored."""
    cells = table.cells.get("tingkat_kepatuhan")
    if cells is None:
        return _coded([], np.full(found.n, -1))
    canonical = [None] * len(cells.values)
    reasons = np.full(found.n, None, dtype=object)
    for i in np.flatnonzero((cells.codes >= 0) & (eras.codes >= 0)):  # a row without an era has its own problem
        text, scheme = cells.values.iloc[cells.codes[i]], eras.eras[eras.codes[i]]
        if scheme is None:
            continue
        match = next((level for level in scheme.compliance_levels if level.casefold() == text.casefold()), None)
        if match is None:
            reasons[i] = (f"{text!r} is not a compliance level; expected {', '.join(scheme.compliance_levels)}"
                          if scheme.compliance_levels else f"{scheme.label} has no {cells.header}; leave it empty")
        canonical[cells.codes[i]] = match
    found.add(np.array([r is not None for r in reasons], dtype=bool), "tingkat_kepatuhan", reasons)
    return _coded(canonical, cells.codes)


def _tanpa_maladministrasi(table: _Table, found: _Found, eras: _Eras) -> pd.arrays.BooleanArray:
    """The entity's Tanpa Maladministrasi flag (Ya / Tidak; <NA> when empty), in eras that have it (2025-)."""
    cells = table.cells.get("tanpa_maladministrasi")
    if cells is None:
        return pd.array([pd.NA] * found.n, dtype="boolean")
    folded = cells.values.str.casefold()
    truth = np.where(folded.isin(TRUTHY), 1, np.where(folded.isin(FALSY), 0, -1))
    found.add_per_value(cells.codes, "tanpa_maladministrasi", [
        None if t >= 0 else f"{v!r} is not a flag; expected Ya or Tidak" for v, t in zip(cells.values, truth)])
    has_tm = np.array([e is None or bool(e.tm_suffix) for e in eras.eras] + [True])[eras.codes]  # True: no era
    no_flag = (cells.codes >= 0) & ~has_tm
    found.add(no_flag, "tanpa_maladministrasi", _reasons(no_flag, lambda e: (
        f"{eras.eras[e].label} has no {cells.header} flag; leave it empty"), eras.codes))
    values = np.append(truth, -1)[cells.codes]
    return pd.array([None if v < 0 else bool(v) for v in values], dtype="boolean")


def _clean_answers(table: _Table, found: _Found, ident: dict, eras: _Eras) -> dict:
    """Dimension, weight and score of every answer row."""
    header = table.header
    cells = table.cells["dimension"]
    canonical = {d.casefold(): d for d in methodology.DIMENSIONS}
    dimensions = [canonical.get(v.casefold()) for v in cells.values]
    expected = ", ".join(methodology.DIMENSIONS[:-1]) + " or " + methodology.DIMENSIONS[-1]
    found.add_per_value(cells.codes, "dimension", [None if d else f"{v!r} is not a dimension; expected {expected}"
                                                   for v, d in zip(cells.values, dimensions)],
                        missing=f"{header('dimension')} is empty; expected {expected}")
    found.add(table.cells["indicator_code"].codes < 0, "indicator_code",
              f"{header('indicator_code')} is empty; expected the indicator's code")

    weight = _number_column(table, "weight", found, "a weight")
    found.add(table.cells["weight"].codes < 0, "weight", f"{header('weight')} is empty; expected a weight above 0 "
                                                          "such as 1,5")
    found.add(weight <= 0, "weight", _reasons(weight <= 0, lambda x: f"weight {_fmt(x)} must be above 0", weight))
    score = _number_column(table, "score", found, "a score")
    bad = ~np.isnan(score) & ~np.isin(score, schemas.SKOR_VALUES)
    found.add(bad, "score", _reasons(bad, lambda x: f"{_fmt(x)} is not an answer score; expected 0, 1, 2 or 3", score))
    return {"dimension": dimensions, "weight": weight, "score": score}  # dimension: per distinct cell text


_KEYS = {  # what makes a row the same as another, and what it says
    "units": (["input", "proses", "output", "pengaduan", "nilai", "koreksi", "kepercayaan"], "nilai", "unit"),
    "answers": (["weight", "score"], "score", "answer (same unit, dimension, indicator and respondent)"),
}


def _duplicates(key: np.ndarray, values: list[np.ndarray], where, what: str) -> list[tuple[int, str, bool]]:
    """Rows sharing a key: (position, reason, conflicting) for every row refused.

    Identical rows keep the first and refuse the others ("duplicate of row N"); rows whose
    values (``values``: columns) differ are all refused, each naming the others. ``where(position)`` locates a row
    as the messages name it ("row 7" or "f.csv[Sheet] row 7").
    """
    # By sorting, not hashing: rows come mostly in key order, which a stable sort passes over in one go.
    order = np.argsort(key, kind="stable")
    same = key[order[1:]] == key[order[:-1]]
    if not same.any():
        return []
    shared = np.zeros(len(key), dtype=bool)
    shared[1:] |= same
    shared[:-1] |= same
    twice = np.sort(order[shared])
    refused = []
    frame = pd.DataFrame({i: v[twice] for i, v in enumerate(values)}).assign(_key=key[twice], _pos=twice)
    value_columns = list(range(len(values)))
    for _, group in frame.groupby("_key", sort=False):
        positions = group["_pos"].to_numpy()
        if len(group[value_columns].drop_duplicates()) == 1:
            refused += [(p, f"duplicate of {where(positions[0])}", False) for p in positions[1:]]
        else:
            for p in positions:
                others = ", ".join(where(o) for o in positions if o != p)
                refused.append((p, f"{what} listed more than once with different values: see {others}", True))
    return refused


def _shortened(value, limit: int = 200):
    """A cell as written, cut to ``limit`` characters for a message or the quarantine (a 5 MB cell stays a cell)."""
    if value is None or len(value) <= limit:
        return value
    return f"{value[:limit]}… ({len(value):,} characters)"


def _check_cells(table: _Table, found: _Found) -> None:
    """Cells refused whatever their column: too long, a NUL byte, undecodable bytes, a formula without a value.

    A refused value is shortened, and marked in ``table.refused`` so that it is not refused twice.
    """
    formula_rows = {}
    for row, j in table.formulas:
        formula_rows.setdefault(j, []).append(row)
    for column, cells in table.cells.items():
        values, header, limit = cells.values, cells.header, schemas.MAX_CHARS[column]
        texts = values.tolist()  # a few hundred distinct texts: looked at one by one
        length = np.array([len(v) for v in texts], dtype=int)
        nul = np.array(["\x00" in v for v in texts], dtype=bool)
        lost = np.array(["\ufffd" in v for v in texts], dtype=bool) & table.mixed_encoding
        found.add_per_value(cells.codes, column, [
            f"{header} holds {n:,} characters; expected at most {limit}" if n > limit
            else f"{header} holds a NUL byte (\\x00), which no text has; the export is damaged" if z
            else f"{header} holds bytes that are not UTF-8 (shown as \ufffd) in a file that is otherwise UTF-8: "
                 "the file mixes encodings; save it again as UTF-8" if u else None
            for n, z, u in zip(length, nul, lost)])
        refused = (length > limit) | nul | lost
        formula = np.isin(table.rows, formula_rows[table.positions[column]]) if table.positions[column] in formula_rows \
            else np.zeros(0, dtype=bool)
        if formula.any():
            found.add(formula, column, _reasons(formula, lambda v: (
                f"{header} holds the formula {v} with no saved result (a program wrote the file without "
                "calculating it); open and save it in Excel, or type the value"), cells.as_written(np.arange(found.n))))
            refused[np.unique(cells.codes[formula & (cells.codes >= 0)])] = True
        if refused.any():
            cells.values = values.where(~refused, values.str.slice(0, 40))
            table.refused[column] = refused


def _clean_table(table: _Table, res: _Resolution) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Canonical rows of one table and its located row problems."""
    kind = table.layout.kind
    found = _Found(len(table.rows))
    _check_cells(table, found)
    if table.overflow:
        overflow = np.isin(table.rows, list(table.overflow))
        found.add(overflow, None, _reasons(overflow, lambda r: (
            f"the row has cells beyond the header's last column ({table.overflow[r]!r}); expected no more "
            f"than {len(table.positions)} known columns"), table.rows))
    ident = _identity(table, found, res)
    eras = _eras(ident, found, res)
    values = (_clean_units if kind == "units" else _clean_answers)(table, found, ident, eras)

    value_columns, conflict_column, what = _KEYS[kind]
    keys = [_per_value_codes(ident["year_of_cell"], ident["year_cell"]), ident["entity_key"], ident["unit_key"]]
    if kind == "answers":
        keys += [_per_value_codes(values["dimension"], table.cells["dimension"].codes), table.cells["indicator_code"].codes,
                 _codes(table, "respondent")]
    ok = np.flatnonzero(~found.rejected())

    def accepted(column: np.ndarray) -> np.ndarray:
        return column if len(ok) == found.n else column[ok]

    refused = _duplicates(mixed_radix(accepted(k) for k in keys),
                          [accepted(np.asarray(values[c], dtype=float)) for c in value_columns],
                          lambda p: f"row {table.rows[ok[p]]}", what) if len(ok) else []
    if refused:
        for conflicting in (False, True):
            mask = np.zeros(found.n, dtype=bool)
            reasons = np.full(found.n, None, dtype=object)
            for p, reason, c in refused:
                if c == conflicting:
                    mask[ok[p]], reasons[ok[p]] = True, reason
            found.add(mask, conflict_column if conflicting else None, reasons, holds_back=conflicting)
    return _canonical(table, values, ident, np.flatnonzero(~found.rejected())), _problem_frame(table, found, ident)


def _per_value_codes(distinct, codes: np.ndarray) -> np.ndarray:
    """Each row's code into the distinct values of ``distinct`` (one per cell code; -1: missing): cells
    that mean the same (`2023` and `2023,0`, `input` and `Input`) get the same code."""
    return np.append(pd.factorize(pd.Series(distinct, dtype=object))[0], -1)[codes]


def _codes(table: _Table, column: str) -> np.ndarray:
    """Each row's code into the column's distinct values; -1 (empty) when the file lacks the column."""
    cells = table.cells.get(column)
    return cells.codes if cells else np.full(len(table.rows), -1)


def _canonical(table: _Table, values: dict, ident: dict, keep: np.ndarray) -> pd.DataFrame:
    """The accepted rows in the canonical table's columns and dtypes, with provenance, checked."""
    every = len(keep) == len(table.rows) and not table.skipped  # each distinct text is on a row kept

    def kept(values: np.ndarray) -> np.ndarray:
        return values if len(keep) == len(values) else values[keep]

    def text(column: str, distinct=None) -> pd.Categorical:
        cells = table.cells.get(column)
        if cells is None:
            return _coded([], np.full(len(keep), -1))
        return _coded(cells.values if distinct is None else distinct, kept(cells.codes), every)

    combo = kept(ident["combo"])
    repeated = np.zeros(len(keep), dtype=np.intp)
    frame = {
        "year": pd.array(kept(ident["year"]), dtype="Int16"),
        **{c: _coded(ident["resolved"][c], combo, every)
           for c in ("entity_type", "province_code", "entity_code", "entity")},
        "unit": text("unit"),
        "unit_type": text("unit", ident["unit_type"]),
    }
    if table.layout.kind == "units":
        frame.update({c: pd.array(values[c][keep], dtype="Float64")
                      for c in ("input", "proses", "output", "pengaduan", "nilai", "koreksi", "kepercayaan")})
        frame.update({"tingkat_kepatuhan": values["tingkat_kepatuhan"][keep],
                      "tanpa_maladministrasi": values["tanpa_maladministrasi"][keep]})
    else:
        frame.update({
            "dimension": text("dimension", values["dimension"]), "variable": text("variable"),
            "indicator_code": text("indicator_code"), "indicator": text("indicator"),
            "respondent": text("respondent"), "weight": pd.array(kept(values["weight"]), dtype="Float64"),
            "score": pd.array(kept(values["score"]), dtype="Int16"),
        })
    frame.update({
        "source_file": _coded([table.file], repeated, True), "source_sha256": _coded([table.sha256], repeated, True),
        "source_sheet": _coded([table.sheet], repeated, True), "source_row": pd.array(kept(table.rows), dtype="Int64"),
        "synthetic": kept(_synthetic(table)),
    })
    schema = schemas.UNITS if table.layout.kind == "units" else schemas.ANSWERS
    return schemas.as_declared(pd.DataFrame(frame)[list(schema.columns)], schema)  # checked in `_conforming`


def _coded(distinct, codes: np.ndarray, every: bool = False) -> pd.Categorical:
    """A text column as codes (-1: missing) into its distinct texts, which may repeat or be missing.

    Each distinct text is cleaned and checked once. The categories are the texts of ``codes``
    only (a text of refused rows alone is not one); ``every``: each of ``distinct`` is in ``codes``.
    `schemas.as_declared` makes a column the schema declares as `string` of it.
    """
    inner, categories = pd.factorize(pd.array(distinct, dtype=STRING), use_na_sentinel=True)
    if not every and len(categories):
        used = np.zeros(len(categories) + 1, dtype=bool)  # the last: missing
        used[inner[np.bincount(codes + 1, minlength=len(inner) + 1)[1:] > 0]] = True
        inner = np.where(inner >= 0, np.cumsum(used[:-1])[inner] - 1, -1)
        categories = categories[used[:-1]]
    # Codes of the smallest type that holds them (as pandas stores them), in one pass over the rows.
    lookup = np.append(inner, -1).astype(np.min_scalar_type(-max(len(categories), 1)))
    return pd.Categorical.from_codes(lookup[codes], dtype=pd.CategoricalDtype(pd.Index(categories, dtype=STRING)),
                                     validate=False)


def _synthetic(table: _Table) -> np.ndarray:
    """True for rows of a file named synthetic/sintetis or whose Sintetis column says so."""
    if table.synthetic_name:
        return np.ones(len(table.rows), dtype=bool)
    cells = table.cells.get("synthetic")
    if cells is None:
        return np.zeros(len(table.rows), dtype=bool)
    return np.append(cells.values.str.casefold().isin(TRUTHY).to_numpy(dtype=bool), False)[cells.codes]


def _problem_frame(table: _Table, found: _Found, ident: dict) -> pd.DataFrame:
    """Row problems located as a person sees them: spreadsheet row, header as written, value (shortened)."""
    entity_code = ident["resolved"]["entity_code"].to_numpy(dtype=object, na_value=None)  # per combo
    parts = []
    for positions, column, reasons, holds_back in found.parts:
        cells = table.cells.get(column) if column else None
        parts.append(pd.DataFrame({
            "file": table.file, "sheet": table.sheet, "row": table.rows[positions], "column": table.header(column),
            "value": [_shortened(v) for v in cells.as_written(positions)] if cells else None, "reason": reasons,
            "year": ident["year"][positions], "entity_code": entity_code[ident["combo"][positions]],
            **{k: v[ident["combo"][positions]] for k, v in ident["attribution"].items()}, "holds_back": holds_back,
            "_order": table.positions.get(column, -1),
        }))
    if not parts:
        return pd.DataFrame()
    return pd.concat(parts, ignore_index=True).sort_values(["row", "_order"], kind="stable").drop(columns="_order")


# --- the public API --------------------------------------------------------------------------------

def read_exports(paths: Iterable[Path]) -> ExportData:
    """Read export files into canonical units and answers rows; every bad row is quarantined.

    Never raises for bad content: a file that cannot be used (empty, not a table, missing a
    required column, or any failure to parse it) is a problem with ``row=None``, and the other
    files are read. How a file was read (a hidden sheet skipped, a column ignored) is in
    ``notices``. Blank rows and footer rows ("Rata-rata", "Jumlah", "Total") are not data rows:
    they are counted in ``rows_skipped``, so that ``rows_read`` = rows used + rows quarantined.
    """
    paths = [Path(p) for p in paths]
    res = _Resolution()
    outputs = {"units": [], "answers": []}
    problems: list[pd.DataFrame] = []
    notices: list[Problem] = []
    rows_read = rows_skipped = 0
    # The next file is read (hashed, parsed: both release the GIL) while this one is cleaned;
    # no more than two files are in memory at once.
    with ThreadPoolExecutor(max_workers=1) as reader:
        ahead = [reader.submit(_read_file_guarded, path) for path in paths[:1]]
        for i in range(len(paths)):
            tables, file_problems = ahead.pop().result()
            ahead += [reader.submit(_read_file_guarded, path) for path in paths[i + 1:i + 2]]
            notices += [p for p in file_problems if p.notice]
            problems.append(_frame_of([p for p in file_problems if not p.notice]))
            for table in tables:
                try:
                    out, table_problems = _clean_table(table, res)
                except Exception as err:  # noqa: BLE001 - one file the code cannot handle is that file's problem
                    problems.append(_frame_of([_unreadable(table.file, err, table.sheet)]))
                    continue
                outputs[table.layout.kind].append(out)
                problems.append(table_problems)
                rows_read += len(table.rows)
                rows_skipped += table.skipped
            del tables

    tables = {}
    for kind, schema in (("units", schemas.UNITS), ("answers", schemas.ANSWERS)):
        frames, found = _across_tables(outputs[kind], kind)
        problems += found
        tables[kind], found = _conforming(frames, schema)
        problems += found
    for column, header, what in (("koreksi", "Koreksi", "one correction of the whole entity"),
                                 ("tanpa_maladministrasi", "Tanpa Maladministrasi", "one flag of the whole entity")):
        tables["units"], found = _same_per_entity(tables["units"], column, header, what)
        problems.append(found)

    located = pd.concat([p for p in problems if len(p)], ignore_index=True) if any(len(p) for p in problems) \
        else pd.DataFrame(columns=["file", "sheet", "row", "column", "value", "reason", *ATTRIBUTION])
    as_objects = located.astype(object).where(located.notna(), None)
    return ExportData(
        units=tables["units"], answers=tables["answers"],
        problems=[Problem(file=r.file, message=r.reason, row=None if r.row is None else int(r.row),
                          column=r.column, value=None if r.value is None else str(r.value), sheet=r.sheet)
                  for r in as_objects.itertuples(index=False)],
        rows_read=rows_read, rows_skipped=rows_skipped,
        attribution=as_objects[ATTRIBUTION].reset_index(drop=True), notices=notices,
    )


def _read_file_guarded(path: Path) -> tuple[list[_Table], list[Problem]]:
    """`_read_file`, with any failure on a file it cannot handle as that file's problem: the others go on."""
    try:
        return _read_file(path)
    except Exception as err:  # noqa: BLE001 - a parser's failure on one malformed file must not stop the run
        return [], [_unreadable(config.display_path(path), err)]


def _conforming(frames: list[pd.DataFrame], schema) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    """The tables' rows as one table, checked against the schema once.

    A failure is a bug, not bad input: then each table is checked alone, and one that fails is a
    problem of its file (as any failure to read a file), the others kept.
    """
    if not frames:
        return schemas.empty(schema), []
    try:
        return schemas.validated(schemas.concat(frames), schema), []
    except SchemaErrors:
        kept, failed = [], []
        for frame in frames:
            try:
                kept.append(schemas.validated(frame, schema))
            except SchemaErrors as err:
                sheet = frame["source_sheet"].iloc[0]
                failed.append(_unreadable(str(frame["source_file"].iloc[0]), err, None if pd.isna(sheet) else sheet))
        return schemas.concat(kept) if kept else schemas.empty(schema), [_frame_of(failed)]


def _unreadable(file: str, err: Exception, sheet: str | None = None) -> Problem:
    return Problem(file, f"the file could not be read ({type(err).__name__}: {str(err)[:200]}); it was skipped",
                   sheet=sheet)


def _frame_of(problems: list[Problem]) -> pd.DataFrame:
    return pd.DataFrame({"file": [p.file for p in problems], "sheet": [p.sheet for p in problems],
                         "row": [p.row for p in problems], "column": [p.column for p in problems],
                         "value": [p.value for p in problems], "reason": [p.message for p in problems],
                         **dict.fromkeys(ATTRIBUTION[:-1]), "holds_back": True})


def _unit_key(frame: pd.DataFrame) -> np.ndarray:
    many = frame["unit_type"].isin(MANY_PER_ENTITY).to_numpy(dtype=bool, na_value=True)
    return np.where(many, frame["unit"].str.casefold().to_numpy(dtype=object), frame["unit_type"].to_numpy(dtype=object))


def _across_tables(frames: list[pd.DataFrame], kind: str) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    """Rows of one entity-year given in several files or sheets are compared like rows of one table."""
    entity = ["year", "entity_code"]
    seen = pd.concat([f[entity].drop_duplicates().assign(_t=i) for i, f in enumerate(frames)], ignore_index=True) \
        if frames else pd.DataFrame(columns=[*entity, "_t"])
    shared = seen[seen.duplicated(entity, keep=False)][entity].drop_duplicates()
    if shared.empty:
        return frames, []
    shared_index = pd.MultiIndex.from_frame(shared)
    parts = [f[pd.MultiIndex.from_frame(f[entity]).isin(shared_index)].assign(_t=i, _i=lambda d: d.index)
             for i, f in enumerate(frames)]
    sub = pd.concat(parts, ignore_index=True)
    value_columns, conflict_column, what = _KEYS[kind]
    key_columns = entity + (["dimension", "indicator_code", "respondent"] if kind == "answers" else [])
    keys = [pd.factorize(sub[c].astype(object).where(sub[c].notna(), None))[0] for c in key_columns]
    keys.append(pd.factorize(_unit_key(sub))[0])
    sheet = sub["source_sheet"].astype(object).map(lambda s: "" if pd.isna(s) else f"[{s}]")
    where = (sub["source_file"].astype(str) + sheet + " row " + sub["source_row"].astype(str)).to_numpy(dtype=object)
    refused = _duplicates(_combine(keys), [sub[c].to_numpy(dtype=float, na_value=np.nan) for c in value_columns],
                          where.__getitem__, what)
    if not refused:
        return frames, []
    picked = sub.iloc[[p for p, _, _ in refused]]
    headers = {"units": "Nilai", "answers": "Skor"}
    problems = pd.DataFrame({
        "file": picked["source_file"].to_numpy(dtype=object),
        "sheet": picked["source_sheet"].to_numpy(dtype=object, na_value=None),
        "row": picked["source_row"].to_numpy(dtype=object), "value": None,
        "column": [headers[kind] if conflicting else None for _, _, conflicting in refused],
        "reason": [reason for _, reason, _ in refused],
        "year": picked["year"].to_numpy(dtype=object, na_value=None),
        "entity_code": picked["entity_code"].to_numpy(dtype=object),
        "province_code": picked["province_code"].to_numpy(dtype=object, na_value=None),
        "entity_type": picked["entity_type"].to_numpy(dtype=object), "other_entity_code": None,
        "holds_back": [conflicting for _, _, conflicting in refused],
    })
    drop = picked.groupby("_t")["_i"].agg(list)
    kept = [f.drop(index=drop[i]).reset_index(drop=True) if i in drop.index else f for i, f in enumerate(frames)]
    return kept, [problems]


def _same_per_entity(units: pd.DataFrame, column: str, header: str, what: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A value of the whole entity (Koreksi, Tanpa Maladministrasi): unit rows giving different values
    (an empty cell counts as a value) are refused, each named with its file and row."""
    if units.empty or units[column].isna().all():
        return units, pd.DataFrame()
    value = units[column].astype(object).where(units[column].notna(), "none")
    differ = (value.groupby([units["year"], units["entity_code"]]).transform("nunique") > 1).to_numpy()
    if not differ.any():
        return units, pd.DataFrame()
    bad = units[differ]
    shown = {True: "Ya", False: "Tidak"}
    values = bad[column].astype(object).map(lambda x: "" if pd.isna(x) else shown[bool(x)]
                                            if column == "tanpa_maladministrasi" else _fmt(x)).to_numpy(dtype=object)
    problems = pd.DataFrame({
        "file": bad["source_file"].to_numpy(dtype=object),
        "sheet": bad["source_sheet"].to_numpy(dtype=object, na_value=None),
        "row": bad["source_row"].to_numpy(dtype=object), "column": header,
        "value": values,
        "reason": (pd.Series(np.where(values == "", "(empty)", values), index=bad.index)
                   + f": {header} differs between the unit rows of " + bad["entity"].astype(str) + " "
                   + bad["year"].astype(str) + f"; it is {what} (expected the same value on every row)")
        .to_numpy(dtype=object),
        "year": bad["year"].to_numpy(dtype=object, na_value=None), "entity_code": bad["entity_code"].to_numpy(dtype=object),
        "province_code": bad["province_code"].to_numpy(dtype=object, na_value=None),
        "entity_type": bad["entity_type"].to_numpy(dtype=object), "other_entity_code": None, "holds_back": True,
    })
    return units[~differ].reset_index(drop=True), problems


def validate_command(files: list[Path]) -> int:
    """`kepatuhan validate FILE...`: print every problem and notice of every file and a summary; write nothing.

    Exit code 1 when a problem is found (notices alone leave it 0).
    """
    for f in files:
        if Path(f).is_dir():
            raise UsageError(f"{f} is a directory; give export files (.csv or .xlsx)")
        if not Path(f).exists():
            raise UsageError(f"no such file: {f}")
    data = read_exports([Path(f) for f in files])
    for problem in data.problems + data.notices:
        print(problem)
    used = len(data.units) + len(data.answers)
    files_with_problems = len({p.file for p in data.problems})
    print(f"{_count(len(files), 'file')}, {_count(data.rows_read, 'row')}: {used:,} ok, "
          f"{data.rows_quarantined:,} rejected; {_count(len(data.problems), 'problem')} in "
          f"{_count(files_with_problems, 'file')}"
          + (f"; {_count(data.rows_skipped, 'blank or footer row')} skipped" if data.rows_skipped else "")
          + (f"; {_count(len(data.notices), 'notice')}" if data.notices else ""))
    return 1 if data.problems else 0


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
