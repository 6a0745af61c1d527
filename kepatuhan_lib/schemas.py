"""pandera schemas of the canonical tables (docs/architecture.md): column order, dtypes, ranges."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
from pandas.api.types import union_categoricals

from .methodology import DIMENSIONS, ENTITY_TYPES, ZONES

YEAR_MIN, YEAR_MAX = 2015, 2030
MAX_SCALE = 110.0  # the largest scale of any era (2017 K/L); the era's own scale is checked in ingest
SKOR_VALUES = (0, 1, 2, 3)
# The longest cell text an export column takes (canonical column -> characters); a longer cell is refused.
MAX_CHARS = {
    "year": 20, "province": 100, "entity_type": 100, "entity": 200, "entity_code": 40, "unit": 300,
    "input": 30, "proses": 30, "output": 30, "pengaduan": 30, "nilai": 30, "koreksi": 30, "synthetic": 20,
    "dimension": 40, "variable": 500, "indicator_code": 50, "indicator": 1000, "respondent": 100,
    "weight": 30, "score": 30, "kepercayaan": 30, "tingkat_kepatuhan": 40, "tanpa_maladministrasi": 20,
}

STRING = pd.StringDtype()


# pandera accepts any string-like column as STRING (object, "str"); the tables promise pandas'
# `string` dtype, whose missing value is <NA>, so that is checked too.
_IS_STRING_DTYPE = pa.Check(lambda s: s.dtype == STRING, element_wise=False, error="dtype is not pd.StringDtype()")


def _text(nullable: bool = False, *checks: pa.Check) -> pa.Column:
    return pa.Column(STRING, [_IS_STRING_DTYPE, *checks], nullable=nullable)


_CATEGORIES_ARE_STRINGS = pa.Check(lambda s: s.cat.categories.dtype == STRING, element_wise=False,
                                   error="categories are not pd.StringDtype()")


def _repeated_text() -> pa.Column:
    """A text repeated on every row of a file: categorical, its categories in pandas' `string` dtype."""
    return pa.Column("category", _CATEGORIES_ARE_STRINGS)


def _coded_text(nullable: bool = False, *checks: pa.Check) -> pa.Column:
    """A text column of the answers table: categorical (millions of rows, a few hundred distinct texts),
    its categories in pandas' `string` dtype; ``checks`` apply to its values as to a `string` column's."""
    return pa.Column("category", [_CATEGORIES_ARE_STRINGS, *checks], nullable=nullable)


def _points(nullable: bool = True) -> pa.Column:
    return pa.Column("Float64", pa.Check.in_range(0, MAX_SCALE), nullable=nullable)


def _identity(text) -> dict[str, pa.Column]:
    """year, entity and unit columns, their texts made by ``text`` (`_text` or `_coded_text`)."""
    return {
        "year": pa.Column("Int16", pa.Check.in_range(YEAR_MIN, YEAR_MAX)),
        "entity_type": text(False, pa.Check.isin(ENTITY_TYPES)),
        "province_code": text(True, pa.Check.str_matches(r"^\d{2}$")),
        "entity_code": text(),
        "entity": text(),
        "unit": text(),
        "unit_type": text(),
    }


_IDENTITY = _identity(_text)

_PROVENANCE = {
    "source_file": _repeated_text(),
    "source_sha256": _repeated_text(),
    "source_sheet": _text(True),
    "source_row": pa.Column("Int64", pa.Check.ge(1)),
    "synthetic": pa.Column(bool),
}

UNITS = pa.DataFrameSchema(
    {
        **_IDENTITY,
        "input": _points(),
        "proses": _points(),
        "output": _points(),
        "pengaduan": _points(),
        "nilai": _points(nullable=False),
        "koreksi": _points(),
        # 2025-: kepercayaan masyarakat points (0-30), Tingkat Kepatuhan as published (shown, not scored),
        # and the entity's Tanpa Maladministrasi flag (the same on every unit row of an entity).
        "kepercayaan": _points(),
        "tingkat_kepatuhan": _text(True),
        "tanpa_maladministrasi": pa.Column("boolean", nullable=True),
        **_PROVENANCE,
    },
    strict=True,
    ordered=True,
    name="units",
)

# Millions of rows: every text column is categorical (see docs/architecture.md), the provenance too.
ANSWERS = pa.DataFrameSchema(
    {
        **_identity(_coded_text),
        "dimension": _coded_text(False, pa.Check.isin(DIMENSIONS)),
        "variable": _coded_text(True),
        "indicator_code": _coded_text(),
        "indicator": _coded_text(True),
        "respondent": _coded_text(True),
        "weight": pa.Column("Float64", pa.Check.gt(0)),
        "score": pa.Column("Int16", pa.Check.isin(SKOR_VALUES), nullable=True),
        **_PROVENANCE,
        "source_sheet": _coded_text(True),
    },
    strict=True,
    ordered=True,
    name="answers",
)

QUARANTINE = pa.DataFrameSchema(
    {
        "file": _text(),
        "sheet": _text(True),
        "row": pa.Column("Int64", pa.Check.ge(1), nullable=True),
        "column": _text(True),
        "value": _text(True),
        "reason": _text(),
        # Which entities a rejected row could belong to, as far as it tells (year, entity, province,
        # type; other_entity_code: the entity its name names when that contradicts its code). Those
        # entities are held back from scoring, unless holds_back is false (an identical duplicate).
        "year": pa.Column("Int16", nullable=True),
        "entity_code": _text(True),
        "province_code": _text(True),
        "entity_type": _text(True),
        "other_entity_code": _text(True),
        "holds_back": pa.Column(bool),
    },
    strict=True,
    ordered=True,
    name="quarantine",
)

# One published fact per row (published.load_published): every release of data/raw/published/.
PUBLISHED_KEY = ["year", "entity_code", "unit", "component"]  # one chosen fact per key
COMPONENTS = ("dimensi", "kepercayaan")  # 2025-: sub-scores of the total (<NA> component = the total)
PUBLISHED = pa.DataFrameSchema(
    {
        "fact_id": pa.Column("Int64", pa.Check.ge(2), unique=True),
        "release": _text(),
        "source_file": _text(),
        "source_row": pa.Column("Int64", pa.Check.ge(2)),
        "year": pa.Column("Int16", pa.Check.in_range(YEAR_MIN, YEAR_MAX)),
        "entity_type": _text(False, pa.Check.isin(ENTITY_TYPES)),
        "province_code": _text(True, pa.Check.str_matches(r"^\d{2}$")),
        "entity_code": _text(),
        "entity": _text(),
        "unit": _text(True),
        "unit_type": _text(True),
        "component": _text(True, pa.Check.isin(COMPONENTS)),
        "score": pa.Column("Float64", pa.Check.in_range(0, MAX_SCALE), nullable=True),
        "zone": _text(True, pa.Check.isin(ZONES)),
        "opinion": _text(True),
        "tm": pa.Column(bool),
        "category": _text(True, pa.Check.isin(list("ABCDE"))),
        "unit_category": _text(True),
        "rank_in_province": pa.Column("Int64", pa.Check.ge(1), nullable=True),
        "rank_national": pa.Column("Int64", pa.Check.ge(1), nullable=True),
        "source_url": _text(True),
        "source_title": _text(True),
        "note": _text(True),
        "chosen": pa.Column(bool),
    },
    checks=[
        pa.Check(lambda df: (df[PUBLISHED_KEY].fillna({"unit": "", "component": ""}).assign(chosen=df["chosen"])
                             .groupby(PUBLISHED_KEY)["chosen"].sum() == 1).all(),
                 error="exactly one chosen fact per (year, entity_code, unit, component)"),
        pa.Check(lambda df: (df["source_url"].notna() | df["source_title"].notna()).all(),
                 error="every fact has a source_url or a source_title"),
    ],
    strict=True,
    ordered=True,
    name="published",
)

# Entities not scored ("tidak dihitung"): one row per (year, entity) that has units but no score.
HELD_BACK = pa.DataFrameSchema(
    {
        "year": pa.Column("Int16", pa.Check.in_range(YEAR_MIN, YEAR_MAX)),
        "entity_type": _text(False, pa.Check.isin(ENTITY_TYPES)),
        "province_code": _text(True, pa.Check.str_matches(r"^\d{2}$")),
        "entity_code": _text(),
        "entity": _text(),
        "rows_rejected": pa.Column("Int64", pa.Check.ge(0)),  # rejected rows that could be its rows
        "files": _text(),  # the files of those rows (`;` joined), or the entity's own files
        "reason": _text(),
    },
    strict=True,
    ordered=True,
    name="held_back",
)

UNIT_COLUMNS = list(UNITS.columns)
ANSWER_COLUMNS = list(ANSWERS.columns)
QUARANTINE_COLUMNS = list(QUARANTINE.columns)
PUBLISHED_COLUMNS = list(PUBLISHED.columns)


REPEATED_TEXT = pd.CategoricalDtype(pd.Index([], dtype=STRING))


def empty(schema: pa.DataFrameSchema) -> pd.DataFrame:
    """A table with no rows and the schema's columns and dtypes."""
    def dtype(col: pa.Column):
        name = str(col.dtype)
        return STRING if name.startswith("string") else REPEATED_TEXT if name == "category" else col.dtype.type
    return pd.DataFrame({name: pd.Series([], dtype=dtype(col)) for name, col in schema.columns.items()})


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Rows of several tables of one schema; categorical columns keep the union of their categories.

    (pd.concat turns categoricals whose categories differ, one file name each, into object columns.)
    """
    categorical = [c for c in frames[0].columns if isinstance(frames[0][c].dtype, pd.CategoricalDtype)]
    out = pd.concat([f.drop(columns=categorical) for f in frames], ignore_index=True)
    for column in categorical:
        out[column] = union_categoricals([f[column] for f in frames])
    return out[list(frames[0].columns)]


def as_declared(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """``frame`` with its categorical columns that ``schema`` declares as `string` in that dtype
    (the columns of the answers table a units table shares, for one)."""
    for name, column in schema.columns.items():
        if name in frame and str(column.dtype).startswith("string") and isinstance(frame[name].dtype, pd.CategoricalDtype):
            coded = frame[name].array
            missing = coded.codes < 0
            indices = pyarrow.array(coded.codes, mask=missing if missing.any() else None)
            texts = pyarrow.DictionaryArray.from_arrays(indices, pyarrow.array(coded.categories.array)).dictionary_decode()
            frame[name] = pd.array(texts, dtype=STRING)
    return frame


def validated(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """``frame`` checked against ``schema`` (SchemaErrors naming every failure); a categorical column on its
    distinct values, which gives the same verdict as its rows for a fraction of the work."""
    schema.validate(frame.head(0))  # columns, their order and dtypes
    coded = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    others = [c for c in frame.columns if c not in coded]
    schema.select_columns(others).validate(frame[others], lazy=True)
    schema.select_columns(coded).validate(_distinct(frame[coded]), lazy=True)
    return frame


def _distinct(frame: pd.DataFrame) -> pd.DataFrame:
    """Each categorical column's categories (and a missing value where it has one), as many rows as the
    longest; a shorter column repeats its last value."""
    codes = {}
    for name in frame.columns:
        column = frame[name].array
        codes[name] = np.arange(len(column.categories) + (column.codes < 0).any()) if len(column) else np.zeros(0, int)
        codes[name][len(column.categories):] = -1
    rows = max((len(c) for c in codes.values()), default=0)
    return pd.DataFrame({name: pd.Categorical.from_codes(np.append(c, np.full(rows - len(c), c[-1] if len(c) else -1)),
                                                         dtype=frame[name].dtype)
                         for name, c in codes.items()})


def dtypes(schema: pa.DataFrameSchema) -> dict:
    """Column -> dtype of a schema, for ``DataFrame.astype``."""
    return dict(empty(schema).dtypes)


DIMENSION_KEYS = ["input", "proses", "output", "pengaduan"]  # the dimension columns of units, in DIMENSIONS order
BASES = ("published", "computed", "synthetic")  # what a figure is: as published, computed from exports, example data

UNIT_FIGURES = pa.DataFrameSchema(
    {
        **{name: _IDENTITY[name] for name in ("year", "entity_type", "province_code", "entity_code", "entity", "unit")},
        "unit_type": _text(True),
        "nilai": _points(nullable=False),
        **{name: _points() for name in DIMENSION_KEYS},
        "unit_category": _text(True),  # 2025-: Sangat Baik .. Sangat Kurang (as published, else by the bands)
        "basis": _text(False, pa.Check.isin(BASES)),
        "fact_id": _text(True),  # the published fact shown, where basis is published
    },
    strict=True,
    ordered=True,
    name="unit_figures",
)
