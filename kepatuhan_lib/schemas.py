"""pandera schemas of the canonical and processed tables (docs/architecture.md): columns, dtypes,
ranges, and the vocabularies they use. The pipeline validates every processed table when it writes
it, reports when they read it (``check_processed``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
from pandas.api.types import union_categoricals
from pandera.config import ValidationDepth, config_context
from pandera.errors import SchemaError, SchemaErrors

from .errors import KepatuhanError

# The shared vocabularies: every other module imports them from here.
ENTITY_TYPES = (
    "Kementerian", "Lembaga", "Pemerintah Provinsi", "Pemerintah Kabupaten", "Pemerintah Kota",
    "Polres", "Kantor Pertanahan", "Kantor Imigrasi", "Lapas",
)
REGIONAL = ("Pemerintah Kabupaten", "Pemerintah Kota")  # ranked together in a province's league table
PROVINCE = "Pemerintah Provinsi"
# The entity types the national summary counts (Polres and Kantor Pertanahan are assessed by the offices).
NATIONAL_TYPES = ("Kementerian", "Lembaga", "Pemerintah Provinsi", "Pemerintah Kota", "Pemerintah Kabupaten")
DIMENSIONS = ("Input", "Proses", "Output", "Pengaduan")
ZONES = ("hijau", "kuning", "merah")
GRADES = ("A", "B", "C", "D", "E")  # 2022-2024 categories
DIRECTIONS = ("naik", "turun", "tetap", "baru dinilai", "tidak dinilai")

DIMENSION_KEYS = ["input", "proses", "output", "pengaduan"]  # the dimension columns of units, in DIMENSIONS order
DIMENSION_NAMES = dict(zip(DIMENSION_KEYS, DIMENSIONS, strict=True))  # column -> dimension
UNIT_NUMBERS = (*DIMENSION_KEYS, "nilai", "koreksi", "kepercayaan")  # the number columns of a units row

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
# `string` dtype, whose missing value is <NA>.
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
        **{name: _points() for name in DIMENSION_KEYS},
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
        "category": _text(True, pa.Check.isin(GRADES)),
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

# The problem columns of a quarantine row (errors.Problem.as_record); processed quarantine.parquet has these.
PROBLEM_COLUMNS = ["file", "sheet", "row", "column", "value", "reason"]
QUARANTINE_TABLE = QUARANTINE.select_columns(PROBLEM_COLUMNS).set_name("quarantine")

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


def _year() -> pa.Column:
    return pa.Column("Int16", pa.Check.in_range(YEAR_MIN, YEAR_MAX))


def _rank() -> pa.Column:
    return pa.Column("Int64", pa.Check.ge(1), nullable=True)


_ENTITY = {
    "year": _year(),
    "entity_type": _text(False, pa.Check.isin(ENTITY_TYPES)),
    "province_code": _text(True, pa.Check.str_matches(r"^\d{2}$")),
    "entity_code": _text(),
    "entity": _text(),
}
_CLASSIFIED = {  # what a score reads as: grade (2022-2024), opinion, zone (up to 2024)
    "category": _text(True, pa.Check.isin(GRADES)),
    "opinion": _text(True),
    "zone": _text(True, pa.Check.isin(ZONES)),
}
_COMPUTED = {  # what scoring.entity_scores computes of an entity beside its score
    "n_units": pa.Column("Int64", pa.Check.ge(1)),
    "unit_types": _text(True),
    "score_unrounded": pa.Column("Float64", nullable=True),
    "koreksi": _points(),
}
_MARKS = {  # Tanpa Maladministrasi (2025-; <NA> where unknown); example data
    "tm": pa.Column("boolean", nullable=True),
    "synthetic": pa.Column(bool),
}

# Scores computed from exports, one row per (year, entity): scoring.entity_scores.
ENTITY_SCORES = pa.DataFrameSchema(
    {
        **_ENTITY,
        **_COMPUTED,
        "score": _points(),
        **_CLASSIFIED,
        **_MARKS,
    },
    strict=True, ordered=True, name="entity_scores",
)

# What reports show, one row per (year, entity): pipeline.combine_scores, with_held_back, shown_ranks.
SCORES = pa.DataFrameSchema(
    {
        **_ENTITY,
        **_COMPUTED,
        "n_units": pa.Column("Int64", pa.Check.ge(1), nullable=True),  # none where only published
        "computed_score": _points(),
        **_MARKS,
        "published_score": _points(),
        "published_zone": _text(True, pa.Check.isin(ZONES)),
        "published_category": _text(True, pa.Check.isin(GRADES)),
        "published_opinion": _text(True),
        "published_fact_id": pa.Column("Int64", nullable=True),
        "published_rank_province": _rank(),
        "rank_province_fact_id": pa.Column("Int64", nullable=True),
        "published_rank_national": _rank(),
        "rank_national_fact_id": pa.Column("Int64", nullable=True),
        "basis": _text(True, pa.Check.isin(BASES)),
        "score": _points(),
        **_CLASSIFIED,
        "rows_rejected": pa.Column("Int64", pa.Check.ge(0), nullable=True),
        "rank_national": _rank(),
        "percentile_national": pa.Column("Float64", pa.Check.in_range(0, 100), nullable=True),
        "rank_province": _rank(),
        "percentile_province": pa.Column("Float64", pa.Check.in_range(0, 100), nullable=True),
        "rank_province_computed": _rank(),
        "rank_national_computed": _rank(),
        "rank_province_basis": _text(True, pa.Check.isin(("published", "computed"))),
        "rank_national_basis": _text(True, pa.Check.isin(("published", "computed"))),
        "discrepancy": pa.Column(bool),
    },
    unique=["year", "entity_code"], strict=True, name="scores",
)

# Year-over-year comparisons a report shows (ranking.changes).
CHANGES = pa.DataFrameSchema(
    {
        "scope": _text(False, pa.Check.isin(("provinsi", "entitas"))),
        "entity_code": _text(),
        "province_code": _text(True, pa.Check.str_matches(r"^\d{2}$")),
        "year_from": _year(),
        "year_to": _year(),
        "delta": pa.Column("Float64", nullable=True),
        "direction": _text(True, pa.Check.isin(DIRECTIONS)),
        "flags": _text(),
        "zone_change": _text(True),
        "grade_change": _text(True),
    },
    checks=[pa.Check(lambda df: (df["year_from"] < df["year_to"]).all(), error="year_from is before year_to")],
    unique=["scope", "entity_code", "year_to"], strict=True, ordered=True, name="changes",
)

# The published national counts (published.load_national_counts): an empty entity_type / category is
# a count over every type / every grade, as published (not a missing value).
NATIONAL_COUNTS = pa.DataFrameSchema(
    {
        "year": _year(),
        "entity_type": _text(False, pa.Check.isin(("", *ENTITY_TYPES))),
        "zone": _text(False, pa.Check.isin(ZONES)),
        "category": _text(False, pa.Check.isin(("", *GRADES))),
        "count": pa.Column("Int64", pa.Check.ge(0)),
        "source": _text(),
    },
    strict=True, ordered=True, name="national_counts",
)

# Every fact of a key whose sources differ in score or rank (published.disagreements).
DISAGREEMENTS = pa.DataFrameSchema(
    {
        "year": _year(),
        "entity_code": _text(),
        "entity": _text(),
        "unit": _text(True),
        "component": _text(True, pa.Check.isin(COMPONENTS)),
        "score": _points(),
        "rank_in_province": _rank(),
        "rank_national": _rank(),
        "chosen": pa.Column(bool),
        "source_url": _text(True),
        "source_title": _text(True),
        "release": _text(),
        "fact_id": pa.Column("Int64", unique=True),
    },
    strict=True, ordered=True, name="disagreements",
)

# Row accounting, one row per export file an ingest read: every data row is used or quarantined.
# A file's rows are its spreadsheet data rows, whatever they hold (an answers export: one per answer).
def _row_count() -> pa.Column:
    return pa.Column("Int64", pa.Check.ge(0))


INPUT_FILES = pa.DataFrameSchema(
    {
        "file": _text(),  # as displayed (config.display_path)
        "rows_read": _row_count(),  # data rows: rows_used + rows_quarantined
        "rows_used": _row_count(),
        "rows_quarantined": _row_count(),  # a row with several problems counts once
        "rows_skipped": _row_count(),  # blank and footer rows (not data rows)
        "reasons": _text(True),  # every problem of the file: "reason (count)", most frequent first, "; " joined
    },
    checks=pa.Check(lambda f: f["rows_read"] == f["rows_used"] + f["rows_quarantined"],
                    error="rows_read = rows_used + rows_quarantined"),
    unique=["file"], strict=True, ordered=True, name="input_files",
)

PROCESSED = {
    "input_files": INPUT_FILES, "published": PUBLISHED, "national_counts": NATIONAL_COUNTS, "disagreements": DISAGREEMENTS, "units": UNITS,
    "unit_figures": UNIT_FIGURES, "answers": ANSWERS, "quarantine": QUARANTINE_TABLE,
    "entity_scores": ENTITY_SCORES, "held_back": HELD_BACK, "scores": SCORES, "changes": CHANGES,
}
# Values of these (millions of rows) were checked file by file as ingest read them; on writing, their
# columns and dtypes are.
CHECKED_ON_READ = {"units", "answers"}


def check_processed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as processed table ``name`` promises it (PROCESSED), else a KepatuhanError listing
    every column that breaks the promise: a defect of the code that made the table, not of its input."""
    schema = PROCESSED[name]
    # pandera takes float64 for Float64 and int64 for Int64: the missing value would then be NaN, or absent.
    wrong = [f"{column}: dtype {frame[column].dtype}, expected {expected}" for column, expected in dtypes(schema).items()
             if column in frame and not _same_dtype(frame[column].dtype, expected)]
    if wrong:
        raise KepatuhanError(f"processed table {name} does not match its schema: {'; '.join(wrong)}")
    plain = frame.reset_index(drop=True)  # pandera's failure report cannot stack a repeated index
    try:
        if name in CHECKED_ON_READ:
            with config_context(validation_depth=ValidationDepth.SCHEMA_ONLY):
                schema.validate(plain, lazy=True)
        else:
            schema.validate(plain, lazy=True)
        return frame
    except SchemaErrors as errors:
        cases = errors.failure_cases
        found = "; ".join(f"{column}: {check} (e.g. {case})" for (column, check), case in
                          cases.groupby(["column", "check"], dropna=False)["failure_case"].first().items())
        raise KepatuhanError(f"processed table {name} does not match its schema: {found}") from None
    except SchemaError as error:
        raise KepatuhanError(f"processed table {name} does not match its schema: {error}") from None


def _same_dtype(found, expected) -> bool:
    if isinstance(expected, pd.StringDtype):
        return found == STRING
    if isinstance(expected, pd.CategoricalDtype):  # categories: text (a Parquet file gives them back as str,
        # and no categories as object)
        return isinstance(found, pd.CategoricalDtype) and (
            isinstance(found.categories.dtype, pd.StringDtype) or len(found.categories) == 0)
    return found == expected
