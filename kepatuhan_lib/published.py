"""The published results (real, one fact per row with its source) as a typed table keyed by codes.

Two sources may publish different figures for the same entity and year (Lebong 2022: 84.22
rank 5 and 84.23 rank 4). Every fact is kept. The rule for the one a report shows
(``chosen``), per (year, entity_code, unit):

1. a fact with a score beats one without;
2. then the fact that states more of zone, opinion and provincial rank (it is corroborated
   by more of what the article reported);
3. then the fact that comes first in the file.

``disagreements`` lists every key whose facts differ, so a report can show both.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from . import config
from .errors import KepatuhanError, Problem
from .methodology import era
from .reference import get_resolver

FACT_COLUMNS = [
    "fact_id", "year", "entity_type", "province_code", "entity_code", "entity", "unit", "unit_type",
    "score", "zone", "opinion", "category", "rank_in_province", "source_url", "chosen",
]
FACT_KEY = ["year", "entity_code", "unit"]
EXPECTED_HEADER = ["year", "entity_type", "province", "entity", "unit", "score", "zone", "opinion",
                   "rank_in_province", "source_url"]
QUARANTINE_COLUMNS = ["file", "sheet", "row", "column", "value", "reason"]
ZONES = ["hijau", "kuning", "merah"]
_STR = pa.Column(pd.StringDtype(), nullable=True)

PUBLISHED_SCHEMA = pa.DataFrameSchema(
    {
        "fact_id": pa.Column("Int64", pa.Check.ge(2), unique=True),
        "year": pa.Column("Int16", pa.Check.in_range(2015, 2030)),
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
    strict=True,
    ordered=True,
)


def load_published(path: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the published results: (facts, quarantine). Every CSV row lands in exactly one."""
    path = Path(path or config.PUBLISHED_RAW_CSV)
    shown = config.display_path(path)
    raw = pd.read_csv(path, dtype="string", keep_default_na=False)
    if list(raw.columns) != EXPECTED_HEADER:
        raise KepatuhanError(f"{shown}:1: expected the columns {', '.join(EXPECTED_HEADER)}; "
                             f"found {', '.join(raw.columns)}")
    raw = raw.apply(lambda col: col.str.strip()).replace("", pd.NA)
    raw.insert(0, "fact_id", pd.array(range(2, len(raw) + 2), dtype="Int64"))  # spreadsheet row

    problems: list[Problem] = []
    rows = []
    for record in raw.to_dict("records"):
        fact, found = _parse_fact(record, shown)
        problems += found
        if not found:
            rows.append(fact)
    facts = pd.DataFrame(rows, columns=[c for c in FACT_COLUMNS if c != "chosen"])
    facts = facts.astype({
        "fact_id": "Int64", "year": "Int16", "score": "Float64", "rank_in_province": "Int64",
        **{c: "string" for c in ["entity_type", "province_code", "entity_code", "entity", "unit", "unit_type",
                                 "zone", "opinion", "category", "source_url"]},
    })
    facts["chosen"] = _chosen(facts)
    quarantine = pd.DataFrame([p.as_record() for p in problems], columns=QUARANTINE_COLUMNS)
    return PUBLISHED_SCHEMA.validate(facts), quarantine.astype({"row": "Int64"}).astype(
        {c: "string" for c in ["file", "sheet", "column", "value", "reason"]})


def _parse_fact(record: dict, shown: str) -> tuple[dict, list[Problem]]:
    """One CSV row -> one typed fact, or the problems that keep it out."""
    row = int(record["fact_id"])
    problems: list[Problem] = []

    def problem(column, message):
        problems.append(Problem(shown, message, row=row, column=column,
                                value=None if pd.isna(record[column]) else str(record[column])))

    resolver = get_resolver()
    fact = {"fact_id": row, "unit": record["unit"], "source_url": record["source_url"],
            "opinion": record["opinion"], "zone": record["zone"]}
    try:
        fact["year"] = int(record["year"])
    except (TypeError, ValueError):
        problem("year", "expected a year such as 2023")
    for column, target in (("score", "score"), ("rank_in_province", "rank_in_province")):
        value = record[column]
        try:
            fact[target] = None if pd.isna(value) else (float(value) if column == "score" else int(value))
        except ValueError:
            problem(column, "expected a number with a dot decimal such as 90.02" if column == "score"
                    else "expected a whole number")
    if not pd.isna(record["zone"]) and record["zone"] not in ZONES:
        problem("zone", f"expected one of {', '.join(ZONES)}")
    if pd.isna(record["source_url"]):
        problem("source_url", "every published fact needs its source")
    try:
        entity = resolver.resolve_entity(record["entity"], entity_type=record["entity_type"],
                                         province=None if pd.isna(record["province"]) else record["province"])
        fact.update(entity_type=entity.entity_type, province_code=entity.province_code,
                    entity_code=entity.code, entity=entity.name)
    except KepatuhanError as err:
        problem("entity", str(err))
    fact["unit_type"] = None if pd.isna(record["unit"]) else resolver.resolve_unit_type(record["unit"])
    if "year" in fact and "entity_type" in fact and not problems:
        fact["category"] = _category(record["opinion"], fact["year"], fact["entity_type"])
    return fact, problems


def _category(opinion, year: int, entity_type: str) -> str | None:
    """The grade A-E of a 2022+ opinion as published: "A - Kualitas Tertinggi", "Kualitas Tertinggi", "A"."""
    if pd.isna(opinion) or year < 2022:
        return None
    bands = era(year, entity_type).bands
    by_text = {b.opinion.casefold(): b.category for b in bands}
    text = opinion.split(" - ")[-1].strip().casefold()
    letter = opinion.strip()[:1]
    if text in by_text:
        return by_text[text]
    if letter in {b.category for b in bands} and (len(opinion.strip()) == 1 or opinion.strip()[1] in " -"):
        return letter
    return None  # e.g. "Kepatuhan Tinggi (B)": an old-era wording, kept as published in `opinion`


def _chosen(facts: pd.DataFrame) -> pd.Series:
    """The documented rule of the module docstring, as one sort."""
    evidence = facts[["zone", "opinion", "rank_in_province"]].notna().sum(axis=1)
    order = facts.assign(_has_score=facts["score"].notna(), _evidence=evidence, _unit=facts["unit"].fillna(""))
    order = order.sort_values(["_has_score", "_evidence", "fact_id"], ascending=[False, False, True])
    first = ~order.duplicated(["year", "entity_code", "_unit"])
    return first.reindex(facts.index).astype(bool)


def disagreements(facts: pd.DataFrame) -> pd.DataFrame:
    """Every (year, entity, unit) whose published facts differ in score or rank, with their sources."""
    keyed = facts.assign(unit=facts["unit"].fillna(""))
    spread = keyed.groupby(["year", "entity_code", "unit"])[["score", "rank_in_province"]].nunique()
    differing = spread[(spread > 1).any(axis=1)].index
    rows = keyed.set_index(["year", "entity_code", "unit"]).loc[differing].reset_index()
    columns = ["year", "entity_code", "entity", "unit", "score", "rank_in_province", "chosen", "source_url", "fact_id"]
    return rows[columns].sort_values(["year", "entity_code", "unit", "fact_id"]).reset_index(drop=True)
