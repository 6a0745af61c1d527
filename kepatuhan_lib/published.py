"""The published results (real, one fact per row with its source) as a typed table keyed by codes."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from . import config
from .errors import InputFileError, KepatuhanError, Problem
from .methodology import ZONES, era
from .reference import get_resolver

FACT_COLUMNS = [
    "fact_id", "year", "entity_type", "province_code", "entity_code", "entity", "unit", "unit_type",
    "score", "zone", "opinion", "category", "rank_in_province", "source_url", "chosen",
]
FACT_KEY = ["year", "entity_code", "unit"]
EXPECTED_HEADER = ["year", "entity_type", "province", "entity", "unit", "score", "zone", "opinion",
                   "rank_in_province", "source_url"]
QUARANTINE_COLUMNS = ["file", "sheet", "row", "column", "value", "reason"]
CORROBORATING = ["zone", "opinion", "rank_in_province"]
SCORE_TEXT = re.compile(r"\d{1,3}(\.\d+)?")  # the CSV's contract: a dot decimal ("90.02")
GRADE_IN_OPINION = re.compile(r"^([A-E])(\s*-.*)?$|\(([A-E])\)$")  # "A", "A - Kualitas ...", "... (B)"
_STR = pa.Column(pd.StringDtype(), nullable=True)

PUBLISHED_SCHEMA = pa.DataFrameSchema(
    {
        "fact_id": pa.Column("Int64", pa.Check.ge(2), unique=True),
        "year": pa.Column("Int16", pa.Check.in_range(2015, 2100)),
        "entity_type": pa.Column(pd.StringDtype()),
        "province_code": _STR,
        "entity_code": pa.Column(pd.StringDtype()),
        "entity": pa.Column(pd.StringDtype()),
        "unit": _STR,
        "unit_type": _STR,
        "score": pa.Column("Float64", pa.Check.in_range(0, 110), nullable=True),
        "zone": pa.Column(pd.StringDtype(), pa.Check.isin(ZONES), nullable=True),
        "opinion": _STR,
        "category": pa.Column(pd.StringDtype(), pa.Check.isin(list("ABCDE")), nullable=True),
        "rank_in_province": pa.Column("Int64", pa.Check.ge(1), nullable=True),
        "source_url": pa.Column(pd.StringDtype()),
        "chosen": pa.Column(bool),
    },
    # a (year, entity, unit) has exactly one chosen fact
    checks=pa.Check(lambda df: (df.assign(unit=df["unit"].fillna("")).groupby(FACT_KEY)["chosen"].sum() == 1).all(),
                    error="exactly one chosen fact per (year, entity_code, unit)"),
    strict=True,
    ordered=True,
)


def load_published(path: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the published results (default ``config.PUBLISHED_RAW_CSV``): (facts, quarantine).

    Every data row is a fact (``fact_id`` = its spreadsheet row, header = row 1) or is
    quarantined (file, row, column, value, reason; once per problem). A file that cannot be read
    as this table raises InputFileError. Names resolve through ``reference.Resolver``;
    ``category`` is the grade A-E of a graded era (2022-2024) read from the opinion as published
    ("A - Kualitas Tertinggi", "Kualitas Tertinggi", "A", "Kepatuhan Tinggi (B)"), else <NA>.

    Sources may disagree (Lebong 2022: 84.22 rank 5 and 84.23 rank 4); every fact is kept and
    exactly one per (year, entity_code, unit) is ``chosen``, the figure a report shows:
    1. a fact with a score beats one without (a zone- or rank-only fact is chosen only when
       no source gives a score);
    2. then the fact stating more of zone, opinion and provincial rank (corroborated by more
       of what its source reported);
    3. then the fact that comes first in the file.
    ``disagreements`` lists the facts of every key whose scores or ranks differ.
    """
    path = Path(path or config.PUBLISHED_RAW_CSV)
    shown = config.display_path(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise InputFileError([Problem(shown, f"cannot read the file as UTF-8 CSV: {err}")]) from None
    header = [" ".join(cell.split()) for cell in rows[0]] if rows else []
    if header != EXPECTED_HEADER:
        raise InputFileError([Problem(shown, f"expected the columns {', '.join(EXPECTED_HEADER)}; "
                                             f"found {', '.join(header) or 'nothing'}", row=1)])

    facts, problems = [], []
    for row_number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # an empty line is no row of data (it keeps its number)
        if len(cells) != len(EXPECTED_HEADER):
            problems.append(Problem(shown, f"expected {len(EXPECTED_HEADER)} fields, found {len(cells)}",
                                    row=row_number, value=",".join(cells)))
            continue
        record = {column: " ".join(cell.split()) or None for column, cell in zip(EXPECTED_HEADER, cells)}
        fact, found = _parse_fact(record, row_number, shown)
        problems += found
        if not found:
            facts.append(fact)
    table = pd.DataFrame(facts, columns=FACT_COLUMNS[:-1]).astype({
        "fact_id": "Int64", "year": "Int16", "score": "Float64", "rank_in_province": "Int64",
        **{c: "string" for c in ["entity_type", "province_code", "entity_code", "entity", "unit", "unit_type",
                                 "zone", "opinion", "category", "source_url"]},
    })
    table["chosen"] = _chosen(table)
    quarantine = pd.DataFrame([p.as_record() for p in problems], columns=QUARANTINE_COLUMNS).astype(
        {"row": "Int64", **{c: "string" for c in ["file", "sheet", "column", "value", "reason"]}})
    return PUBLISHED_SCHEMA.validate(table), quarantine


def _parse_fact(record: dict, row: int, shown: str) -> tuple[dict, list[Problem]]:
    """One CSV row -> one typed fact, or every problem that keeps it out."""
    problems: list[Problem] = []

    def problem(column: str, message: str) -> None:
        problems.append(Problem(shown, message, row=row, column=column, value=record[column]))

    resolver = get_resolver()
    fact = {"fact_id": row, "unit": record["unit"], "opinion": record["opinion"], "source_url": record["source_url"],
            "zone": record["zone"].casefold() if record["zone"] else None}
    try:
        entity = resolver.resolve_entity(record["entity"], entity_type=record["entity_type"],
                                         province=record["province"])
        fact.update(entity_type=entity.entity_type, province_code=entity.province_code, entity_code=entity.code,
                    entity=entity.name)
    except KepatuhanError as err:
        problem("entity", str(err))
        entity = None
    scheme = None
    if not (record["year"] and record["year"].isdigit()):
        problem("year", "expected an assessment year such as 2023")
    elif entity is not None:
        fact["year"] = int(record["year"])
        try:
            scheme = era(fact["year"], entity.entity_type)
        except KepatuhanError as err:
            problem("year", str(err))
    if record["score"] and not SCORE_TEXT.fullmatch(record["score"]):
        problem("score", "expected a score with a dot decimal such as 90.02, or nothing")
    elif record["score"]:
        fact["score"] = float(record["score"])
        if scheme is not None and fact["score"] > scheme.scale:
            problem("score", f"above the 0-{scheme.scale:g} scale of {scheme.label}")
    if record["rank_in_province"] and not (record["rank_in_province"].isdigit() and int(record["rank_in_province"])):
        problem("rank_in_province", "expected a rank such as 5 (1 is first), or nothing")
    elif record["rank_in_province"]:
        fact["rank_in_province"] = int(record["rank_in_province"])
    if fact["zone"] and fact["zone"] not in ZONES:
        problem("zone", f"expected one of {', '.join(ZONES)}, or nothing")
    if not record["source_url"]:
        problem("source_url", "every published fact needs its source (an address or a publication name)")
    fact["unit_type"] = resolver.resolve_unit_type(record["unit"]) if record["unit"] else None
    if scheme is not None and record["opinion"]:
        fact["category"] = _category(record["opinion"], scheme)
    return fact, problems


def _category(opinion: str, scheme) -> str | None:
    """The grade of an opinion in an era that grades: its letter, or the grade whose opinion text it is."""
    grades = {b.category for b in scheme.bands if b.category}
    if not grades:
        return None
    letter = GRADE_IN_OPINION.search(opinion)
    if letter and (letter[1] or letter[3]) in grades:
        return letter[1] or letter[3]
    by_text = {b.opinion.casefold(): b.category for b in scheme.bands}
    return by_text.get(opinion.split(" - ")[-1].casefold())  # None: old-era wording ("Kepatuhan Sedang")


def _chosen(facts: pd.DataFrame) -> pd.Series:
    """The rule of ``load_published``'s docstring, as one sort."""
    order = facts.assign(_has_score=facts["score"].notna(), _evidence=facts[CORROBORATING].notna().sum(axis=1),
                         _unit=facts["unit"].fillna(""))
    order = order.sort_values(["_has_score", "_evidence", "fact_id"], ascending=[False, False, True])
    first = ~order.duplicated(["year", "entity_code", "_unit"])
    return first.reindex(facts.index).astype(bool)


def disagreements(facts: pd.DataFrame) -> pd.DataFrame:
    """Every fact of a (year, entity, unit) whose published facts differ in score or rank, with its source.

    One row per fact (year, entity_code, entity, unit, score, rank_in_province, chosen, source_url,
    fact_id), ordered by key then file order: a report shows the chosen figure and the others beside it.
    """
    keyed = facts.assign(unit=facts["unit"].fillna(""))
    spread = keyed.groupby(["year", "entity_code", "unit"])[["score", "rank_in_province"]].nunique()
    differing = spread[(spread > 1).any(axis=1)].index
    rows = keyed.set_index(["year", "entity_code", "unit"]).loc[differing].reset_index()
    rows["unit"] = rows["unit"].replace("", pd.NA)
    columns = ["year", "entity_code", "entity", "unit", "score", "rank_in_province", "chosen", "source_url", "fact_id"]
    return rows[columns].sort_values(["year", "entity_code", "unit", "fact_id"]).reset_index(drop=True)
