"""One table cleaned: its rows checked (checks.py), the accepted ones in the canonical units or
answers columns and dtypes with their provenance, the refused ones located as a person sees them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schemas
from ..schemas import UNIT_NUMBERS
from ..keys import mixed_radix
from .cells import Table, coded
from .checks import (
    DUPLICATE_RULES, TRUTHY, Found, Resolution, check_cells, clean_answers, clean_units, column_codes, duplicates,
    eras_of, identity, per_value_codes, row_reasons,
)


def clean_table(table: Table, res: Resolution) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Canonical rows of one table and its located row problems."""
    kind = table.layout.kind
    found = Found(len(table.rows))
    check_cells(table, found)
    if table.overflow:
        overflow = np.isin(table.rows, list(table.overflow))
        found.add(overflow, None, row_reasons(overflow, lambda r: (
            f"the row has cells beyond the header's last column ({table.overflow[r]!r}); expected no more "
            f"than {len(table.positions)} known columns"), table.rows))
    ident = identity(table, found, res)
    eras = eras_of(ident, found, res)
    values = (clean_units if kind == "units" else clean_answers)(table, found, ident, eras)

    value_columns, conflict_column, what = DUPLICATE_RULES[kind]
    keys = [per_value_codes(ident["year_of_cell"], ident["year_cell"]), ident["entity_key"], ident["unit_key"]]
    if kind == "answers":
        keys += [per_value_codes(values["dimension"], table.cells["dimension"].codes),
                 table.cells["indicator_code"].codes, column_codes(table, "respondent")]
    ok = np.flatnonzero(~found.rejected())

    def accepted(column: np.ndarray) -> np.ndarray:
        return column if len(ok) == found.n else column[ok]

    refused = duplicates(mixed_radix(accepted(k) for k in keys),
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


def _shortened(value, limit: int = 200):
    """A cell as written, cut to ``limit`` characters for a message or the quarantine (a 5 MB cell stays a cell)."""
    if value is None or len(value) <= limit:
        return value
    return f"{value[:limit]}… ({len(value):,} characters)"


def _canonical(table: Table, values: dict, ident: dict, keep: np.ndarray) -> pd.DataFrame:
    """The accepted rows in the canonical table's columns and dtypes, with provenance, checked."""
    every = len(keep) == len(table.rows) and not table.skipped  # each distinct text is on a row kept

    def kept(values: np.ndarray) -> np.ndarray:
        return values if len(keep) == len(values) else values[keep]

    def text(column: str, distinct=None) -> pd.Categorical:
        cells = table.cells.get(column)
        if cells is None:
            return coded([], np.full(len(keep), -1))
        return coded(cells.values if distinct is None else distinct, kept(cells.codes), every)

    combo = kept(ident["combo"])
    frame = {
        "year": _whole_numbers(kept(ident["year"]), np.int16),
        **{c: coded(ident["resolved"][c], combo, every)
           for c in ("entity_type", "province_code", "entity_code", "entity")},
        "unit": text("unit"),
        "unit_type": text("unit", ident["unit_type"]),
    }
    if table.layout.kind == "units":
        frame.update({c: pd.array(values[c][keep], dtype="Float64")
                      for c in UNIT_NUMBERS})
        frame.update({"tingkat_kepatuhan": values["tingkat_kepatuhan"][keep],
                      "tanpa_maladministrasi": values["tanpa_maladministrasi"][keep]})
    else:
        frame.update({
            "dimension": text("dimension", values["dimension"]), "variable": text("variable"),
            "indicator_code": text("indicator_code"), "indicator": text("indicator"),
            "respondent": text("respondent"),
            "weight": pd.arrays.FloatingArray(kept(values["weight"]), np.isnan(kept(values["weight"]))),
            "score": _whole_numbers(kept(values["score"]), np.int16),
        })
    frame.update({
        "source_file": _repeated(table.file, len(keep)), "source_sha256": _repeated(table.sha256, len(keep)),
        "source_sheet": _repeated(table.sheet, len(keep)), "source_row": _whole_numbers(kept(table.rows), np.int64),
        "synthetic": kept(_synthetic(table)),
    })
    schema = schemas.UNITS if table.layout.kind == "units" else schemas.ANSWERS
    # The columns as made (a frame of a dict copies each by default); checked in `_conforming`.
    return schemas.as_declared(pd.DataFrame({c: frame[c] for c in schema.columns}, copy=False), schema)


def _repeated(text: str | None, n: int) -> pd.Categorical:
    """One text (or none) on every row, as `coded` makes a text column."""
    categories = pd.Index([] if text is None else [text], dtype=schemas.STRING)
    return pd.Categorical.from_codes(np.full(n, -1 if text is None else 0, dtype=np.int8),
                                     dtype=pd.CategoricalDtype(categories), validate=False)


def _whole_numbers(values: np.ndarray, dtype) -> pd.arrays.IntegerArray:
    """Whole numbers (NaN: missing) as a nullable integer array, made directly: `pd.array` would look at every
    float for a fraction, and the checks have refused the rows of one already."""
    missing = np.isnan(values) if values.dtype.kind == "f" else np.zeros(len(values), dtype=bool)
    return pd.arrays.IntegerArray((np.where(missing, 0, values) if missing.any() else values).astype(dtype), missing)


def _synthetic(table: Table) -> np.ndarray:
    """True for rows of a file named synthetic/sintetis or whose Sintetis column says so."""
    if table.synthetic_name:
        return np.ones(len(table.rows), dtype=bool)
    cells = table.cells.get("synthetic")
    if cells is None:
        return np.zeros(len(table.rows), dtype=bool)
    return np.append(cells.values.str.casefold().isin(TRUTHY).to_numpy(dtype=bool), False)[cells.codes]


def _problem_frame(table: Table, found: Found, ident: dict) -> pd.DataFrame:
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
