"""A table as read from a file: per column, its distinct cleaned cell texts and each row's code into
them; blank and footer rows set apart."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import Problem
from ..numbers import MISSING_TOKENS
from ..schemas import STRING
from .layouts import Layout, normalise_header

# A footer row's first cell (or its entity or unit cell) starts with one of these words.
FOOTER_LABEL = r"(?i)^(?:nilai\s+)?(?:rata-rata|rata\s+rata|rerata|jumlah|total)\b"


@dataclass
class Cells:
    """One column of a table: its distinct cleaned texts and each row's code into them (-1: empty)."""

    header: str  # as written in the file
    codes: np.ndarray
    values: pd.Series  # distinct cleaned texts (string dtype, never missing)
    raw_codes: np.ndarray
    raw: np.ndarray  # distinct cell texts as written

    @classmethod
    def of(cls, header: str, column: pd.Series | pa.ChunkedArray) -> Cells:
        """Cells of a column of texts, or of a dictionary-encoded column as read from a CSV file."""
        if isinstance(column, pd.Series):
            raw_codes, raw = pd.factorize(column, use_na_sentinel=True)
            empty_cells = bool((raw_codes < 0).any())
        else:  # the file's texts are never materialised per row: codes and distinct texts only
            # One array of codes into one dictionary (concatenating merges the blocks' dictionaries; a text
            # repeated in it would only be cleaned to the same value).
            encoded = column.combine_chunks() if len(column) else None
            raw_codes = encoded.indices.to_numpy() if encoded is not None else np.zeros(0, dtype=np.intp)
            raw = encoded.dictionary.to_numpy(zero_copy_only=False) if encoded is not None else np.zeros(0, dtype=object)
            empty_cells = encoded is not None and encoded.null_count > 0
        # Codes as numpy's index type: each column's codes index many small arrays, which other types slow down.
        raw_codes = raw_codes.astype(np.intp, copy=False)
        clean_codes, values = pd.factorize(pd.array(_CLEANED(raw), dtype=STRING), use_na_sentinel=True)
        if not empty_cells and np.array_equal(clean_codes, np.arange(len(raw))):
            codes = raw_codes  # each text was clean already: the file's codes
        else:  # -1 (empty) indexes the appended -1
            codes = np.append(clean_codes, -1)[raw_codes]
        return cls(header, codes, pd.Series(values, dtype=STRING), raw_codes, np.asarray(raw, dtype=object))

    def subset(self, positions: np.ndarray) -> Cells:
        if len(positions) == len(self.codes):  # every row kept (positions are ascending)
            return self
        return Cells(self.header, self.codes[positions], self.values, self.raw_codes[positions], self.raw)

    def as_written(self, positions: np.ndarray) -> np.ndarray:
        codes = self.raw_codes[positions]
        out = np.full(len(codes), None, dtype=object)
        out[codes >= 0] = self.raw[codes[codes >= 0]]
        return out


@dataclass
class Table:
    """The data rows of one CSV file or one sheet, with the columns its layout knows."""

    file: str
    sheet: str | None
    layout: Layout
    rows: np.ndarray  # spreadsheet row of each data row
    cells: dict[str, Cells]  # canonical column -> cells
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


class PerText:
    """A vectorised function of texts computed once per distinct text over a run: the files of an
    archive share most of their texts (names, codes, scores), and each file has a few hundred."""

    def __init__(self, function):
        self.function, self.known = function, {}

    def __call__(self, texts) -> list:
        texts = texts.tolist()  # Python strings (iterating a Series of strings makes each one anew)
        new = [t for t in dict.fromkeys(texts) if t not in self.known]
        if new:
            if len(self.known) > 1_000_000:  # bounded in a long-lived process
                self.known.clear()
            results = self.function(pd.Series(new, dtype=STRING))
            self.known.update(zip(new, results.to_numpy(dtype=object, na_value=None)
                                  if isinstance(results, pd.Series) else results))
        return [self.known[t] for t in texts]


_CLEANED = PerText(_clean_text)  # a cell text as written -> cleaned (None: empty)
_FOOTER = PerText(lambda texts: texts.str.contains(FOOTER_LABEL, regex=True).to_numpy(dtype=bool, na_value=False))


def make_table(file: str, sheet: str | None, found, data: list, first_row: int,
           synthetic_name: bool) -> tuple[Table | None, list[Problem]]:
    """Build a table from the header found and its columns of cell texts (see `Cells.of`)."""
    index, layout, mapping, labels = found
    same = {}  # canonical column -> every header column meaning it
    for j, label in enumerate(labels):
        column = layout.lookup.get(normalise_header(label))
        if column:
            same.setdefault(column, []).append(j)
    twice = [Problem(file, f"the header (row {first_row - 1}) has {len(js)} columns meaning {layout.label(c)}: "
                           + " and ".join(f"{labels[j]!r} (column {column_letter(j)})" for j in js)
                           + "; keep one of them", sheet=sheet)
             for c, js in same.items() if len(js) > 1]
    missing = layout.missing(set(mapping.values()))
    if missing or twice:
        return None, twice + [Problem(
            file, f"missing required column {layout.label(c)!r} for a {layout.title} "
                  f"(accepted headers: {', '.join(layout.variants[c])})", sheet=sheet)
            for c in missing]
    n = len(data[0]) if data else 0
    all_cells = [Cells.of(labels[j] if j < len(labels) else "", s) for j, s in enumerate(data)]
    rows = np.arange(n) + first_row

    keep = np.flatnonzero(~_blank_or_footer(all_cells, mapping, n))
    if not len(keep):
        return None, [Problem(file, f"no data rows below the header (row {first_row - 1})", sheet=sheet)]
    cells = {column: all_cells[j].subset(keep) for j, column in mapping.items() if j < len(all_cells)}
    positions = {column: j for j, column in mapping.items()}
    ignored = [Problem(file, f"column {label!r} (column {column_letter(j)}) is not a column of a {layout.title}: "
                             "ignored", sheet=sheet, notice=True)
               for j, label in enumerate(labels) if label and j not in mapping and j < len(all_cells)
               and (all_cells[j].codes >= 0).any()]
    return Table(file, sheet, layout, rows[keep], cells, positions, synthetic_name,
                  skipped=n - len(keep)), ignored


def _blank_or_footer(all_cells: list[Cells], mapping: dict[int, str], n: int) -> np.ndarray:
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


def column_letter(j: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def coded(distinct, codes: np.ndarray, every: bool = False) -> pd.Categorical:
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
