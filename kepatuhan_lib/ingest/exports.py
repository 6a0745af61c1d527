"""Reading a set of export files into canonical units and answers rows and their problems (`read_exports`)."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pandera.errors import SchemaErrors

from .. import config, schemas
from ..errors import Problem
from ..schemas import STRING
from .cells import Table
from .checks import Resolution
from .clean import clean_table
from .crossfile import across_tables, same_per_entity
from .readers import read_file, unreadable

# Who a problem's row could belong to: its entity's key where resolved, else what the row gives.
ATTRIBUTION = ["year", "entity_code", "province_code", "entity_type", "other_entity_code", "holds_back"]


@dataclass
class ExportData:
    """Canonical rows read from export files, and every problem found in them."""

    units: pd.DataFrame
    answers: pd.DataFrame
    problems: list[Problem]
    # Per file given (display path, in the order given): data rows read (blank and footer rows are not
    # data rows) and blank or footer rows skipped: columns file, rows_read, rows_skipped.
    files: pd.DataFrame = field(repr=False)
    # For each problem, the entities its row could belong to (ATTRIBUTION columns; see `quarantine`).
    attribution: pd.DataFrame | None = field(default=None, repr=False)
    notices: list[Problem] = field(default_factory=list)  # how files were read; nothing refused

    @property
    def rows_read(self) -> int:
        return int(self.files["rows_read"].sum())

    @property
    def rows_skipped(self) -> int:
        return int(self.files["rows_skipped"].sum())

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


def read_exports(paths: Iterable[Path]) -> ExportData:
    """Read export files into canonical units and answers rows; every bad row is quarantined.

    Never raises for bad content: a file that cannot be used (empty, not a table, missing a
    required column, or any failure to parse it) is a problem with ``row=None``, and the other
    files are read. How a file was read (a hidden sheet skipped, a column ignored) is in
    ``notices``. Blank rows and footer rows ("Rata-rata", "Jumlah", "Total") are not data rows:
    they are counted in ``rows_skipped``, so that ``rows_read`` = rows used + rows quarantined.
    """
    paths = [Path(p) for p in paths]
    res = Resolution()
    outputs = {"units": [], "answers": []}
    problems: list[pd.DataFrame] = []
    notices: list[Problem] = []
    counts = {config.display_path(p): [0, 0] for p in paths}  # file -> [rows read, rows skipped]
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
                    out, table_problems = clean_table(table, res)
                except Exception as err:  # noqa: BLE001 - one file the code cannot handle is that file's problem
                    problems.append(_frame_of([unreadable(table.file, err, table.sheet)]))
                    continue
                outputs[table.layout.kind].append(out)
                problems.append(table_problems)
                counts[table.file][0] += len(table.rows)
                counts[table.file][1] += table.skipped
            del tables

    tables = {}
    for kind, schema in (("units", schemas.UNITS), ("answers", schemas.ANSWERS)):
        frames, found = across_tables(outputs[kind], kind)
        problems += found
        tables[kind], found = _conforming(frames, schema)
        problems += found
    for column, header, what in (("koreksi", "Koreksi", "one correction of the whole entity"),
                                 ("tanpa_maladministrasi", "Tanpa Maladministrasi", "one flag of the whole entity")):
        tables["units"], found = same_per_entity(tables["units"], column, header, what)
        problems.append(found)

    located = pd.concat([p for p in problems if len(p)], ignore_index=True) if any(len(p) for p in problems) \
        else pd.DataFrame(columns=["file", "sheet", "row", "column", "value", "reason", *ATTRIBUTION])
    as_objects = located.astype(object).where(located.notna(), None)
    return ExportData(
        units=tables["units"], answers=tables["answers"],
        problems=[Problem(file=r.file, message=r.reason, row=None if r.row is None else int(r.row),
                          column=r.column, value=None if r.value is None else str(r.value), sheet=r.sheet)
                  for r in as_objects.itertuples(index=False)],
        attribution=as_objects[ATTRIBUTION].reset_index(drop=True), notices=notices,
        files=pd.DataFrame({"file": pd.array(list(counts), dtype=STRING),
                            "rows_read": pd.array([n for n, _ in counts.values()], dtype="Int64"),
                            "rows_skipped": pd.array([n for _, n in counts.values()], dtype="Int64")}),
    )


def _read_file_guarded(path: Path) -> tuple[list[Table], list[Problem]]:
    """`read_file`, with any failure on a file it cannot handle as that file's problem: the others go on."""
    try:
        return read_file(path)
    except Exception as err:  # noqa: BLE001 - a parser's failure on one malformed file must not stop the run
        return [], [unreadable(config.display_path(path), err)]


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
                failed.append(unreadable(str(frame["source_file"].iloc[0]), err, None if pd.isna(sheet) else sheet))
        return schemas.concat(kept) if kept else schemas.empty(schema), [_frame_of(failed)]


def _frame_of(problems: list[Problem]) -> pd.DataFrame:
    return pd.DataFrame({"file": [p.file for p in problems], "sheet": [p.sheet for p in problems],
                         "row": [p.row for p in problems], "column": [p.column for p in problems],
                         "value": [p.value for p in problems], "reason": [p.message for p in problems],
                         **dict.fromkeys(ATTRIBUTION[:-1]), "holds_back": True})
