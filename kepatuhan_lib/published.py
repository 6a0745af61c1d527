"""The published results (real, one fact per row with its source) as a typed table keyed by codes."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from . import config, schemas
from .errors import InputFileError, KepatuhanError, Problem
from .methodology import era
from .reference import get_resolver
from .schemas import ENTITY_TYPES, ZONES

FACT_COLUMNS = schemas.PUBLISHED_COLUMNS
FACT_KEY = schemas.PUBLISHED_KEY
PUBLISHED_SCHEMA = schemas.PUBLISHED
# The layouts of the releases (data/raw/published/README.md): release 1, and release 2's added columns.
EXPECTED_HEADER = ["year", "entity_type", "province", "entity", "unit", "score", "zone", "opinion",
                   "rank_in_province", "source_url"]
RELEASE_2_HEADER = ["year", "entity_type", "province", "entity", "unit", "component", "score", "zone", "opinion",
                    "unit_category", "rank_in_province", "rank_national", "source_url", "source_title", "note"]
HEADERS = (EXPECTED_HEADER, RELEASE_2_HEADER)
CORROBORATING = ["zone", "opinion", "rank_in_province", "rank_national", "unit_category"]
SCORE_TEXT = re.compile(r"\d{1,3}(\.\d+)?")  # the CSV's contract: a dot decimal ("90.02", "94")
GRADE_IN_OPINION = re.compile(r"^([A-E])(\s*-.*)?$|\(([A-E])\)$")  # "A", "A - Kualitas ...", "... (B)"
TM_TEXT = "tanpa maladministrasi"
_TEXT_COLUMNS = ["release", "source_file", "entity_type", "province_code", "entity_code", "entity", "unit",
                 "unit_type", "component", "zone", "opinion", "category", "unit_category", "source_url",
                 "source_title", "note"]
NATIONAL_COUNTS_HEADER = ["year", "entity_type", "zone", "category", "count", "source"]


def load_published(paths: Path | Iterable[Path] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the published results, every release (default ``config.PUBLISHED_RELEASES``): (facts, quarantine).

    Releases are read oldest first, into one table; each file has the header of one of the
    layouts in ``HEADERS`` (release 2 adds component, unit_category, rank_national,
    source_title and note). Every data row is a fact or is quarantined (file, row, column,
    value, reason; once per problem). A file that cannot be read as such a table raises
    InputFileError. A fact keeps ``release`` ("r1", "r2": its position in the list),
    ``source_file`` and ``source_row`` (its spreadsheet row, header = row 1); ``fact_id``
    numbers the rows as if each release were pasted below the previous one (header included):
    release 1's ids are its rows, unique across releases and in file order.

    Names resolve through ``reference.Resolver``; ``category`` is the grade A-E of a graded era
    (2022-2024) read from the opinion as published ("A - Kualitas Tertinggi", "A", "Kepatuhan
    Tinggi (B)"), else <NA>; ``tm`` is true where the opinion says "Tanpa Maladministrasi" (a
    label without it means the source did not say). ``component`` is <NA> for the total score,
    ``dimensi`` (0-70) or ``kepercayaan`` (0-30) for a 2025 sub-score; a score is checked against
    the scale of its era and component.

    Sources may disagree (Lebong 2022: 84.22 rank 5 and 84.23 rank 4); every fact is kept and
    exactly one per (year, entity_code, unit, component) is ``chosen``, the figure a report shows:
    1. a fact with a score beats one without (a zone- or rank-only fact is chosen only when
       no source gives a score);
    2. then the fact stating more of zone, opinion, provincial rank, national rank, unit
       category and "Tanpa Maladministrasi" (corroborated by more of what its source reported:
       an opinion without the suffix means the source did not say, not that the entity lacks it);
    3. then the fact that comes first (release 1 before release 2, then file order).
    ``disagreements`` lists the facts of every key whose scores or ranks differ.
    """
    if paths is None:
        paths = config.PUBLISHED_RELEASES
    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    facts, problems, offset = [], [], 0
    for number, path in enumerate(paths, start=1):
        rows, shown = _read_release(path)
        for row_number, cells in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in cells):
                continue  # an empty line is no row of data (it keeps its number)
            header = rows[0]
            if len(cells) != len(header):
                problems.append(Problem(shown, f"expected {len(header)} fields, found {len(cells)}",
                                        row=row_number, value=",".join(cells)))
                continue
            record = dict.fromkeys(RELEASE_2_HEADER)
            record.update({column: " ".join(cell.split()) or None for column, cell in zip(header, cells)})
            fact, found = _parse_fact(record, row_number, shown)
            problems += found
            if not found:
                facts.append({**fact, "fact_id": offset + row_number, "release": f"r{number}", "source_file": shown,
                              "source_row": row_number})
        offset += len(rows)
    table = pd.DataFrame(facts, columns=FACT_COLUMNS[:-1]).astype({
        "fact_id": "Int64", "source_row": "Int64", "year": "Int16", "score": "Float64", "tm": bool,
        "rank_in_province": "Int64", "rank_national": "Int64", **dict.fromkeys(_TEXT_COLUMNS, "string"),
    })
    table["chosen"] = _chosen(table)
    quarantine = pd.DataFrame([p.as_record() for p in problems], columns=schemas.PROBLEM_COLUMNS).astype(
        {"row": "Int64", **{c: "string" for c in ["file", "sheet", "column", "value", "reason"]}})
    return PUBLISHED_SCHEMA.validate(table), quarantine


def _read_release(path: Path) -> tuple[list[list[str]], str]:
    """The rows of one release (header first, whitespace-normalised), or InputFileError."""
    shown = config.display_path(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise InputFileError([Problem(shown, f"cannot read the file as UTF-8 CSV: {err}")]) from None
    header = [" ".join(cell.split()) for cell in rows[0]] if rows else []
    if header not in HEADERS:
        expected = " or ".join(", ".join(h) for h in HEADERS)
        raise InputFileError([Problem(shown, f"expected the columns {expected}; found {', '.join(header) or 'nothing'}",
                                      row=1)])
    return [header, *rows[1:]], shown


def _parse_fact(record: dict, row: int, shown: str) -> tuple[dict, list[Problem]]:
    """One CSV row -> one typed fact, or every problem that keeps it out."""
    problems: list[Problem] = []

    def problem(column: str, message: str) -> None:
        problems.append(Problem(shown, message, row=row, column=column, value=record[column]))

    resolver = get_resolver()
    fact = {column: record[column] for column in ("unit", "component", "opinion", "unit_category", "source_url",
                                                  "source_title", "note")}
    fact["zone"] = record["zone"].casefold() if record["zone"] else None
    entity = scheme = None
    try:
        entity = resolver.resolve_entity(record["entity"], entity_type=record["entity_type"],
                                         province=record["province"])
        fact.update(entity_type=entity.entity_type, province_code=entity.province_code, entity_code=entity.code,
                    entity=entity.name)
    except KepatuhanError as err:
        problem("entity", str(err))
    if not (record["year"] and record["year"].isdigit()):
        problem("year", "expected an assessment year such as 2023")
    elif entity is not None:
        fact["year"] = int(record["year"])
        try:
            scheme = era(fact["year"], entity.entity_type)
        except KepatuhanError as err:
            problem("year", str(err))
    if scheme is not None and record["component"] and record["component"] not in scheme.components:
        problem("component", f"{scheme.label} has no component {record['component']!r}; expected "
                             + (f"one of {', '.join(scheme.components)}, or " if scheme.components else "")
                             + "nothing (the total score)")
    if record["score"] and not SCORE_TEXT.fullmatch(record["score"]):
        problem("score", "expected a score with a dot decimal such as 90.02, or nothing")
    elif record["score"]:
        fact["score"] = float(record["score"])
        if scheme is not None and (record["component"] or None) in (None, *scheme.components):
            top = scheme.component_scale(record["component"])
            if fact["score"] > top:
                what = f"the {record['component']} component (0-{top:g})" if record["component"] \
                    else f"the 0-{top:g} scale"
                problem("score", f"above {what} of {scheme.label}")
    for column in ("rank_in_province", "rank_national"):
        if record[column] and not (record[column].isdigit() and int(record[column])):
            problem(column, "expected a rank such as 5 (1 is first), or nothing")
        elif record[column]:
            fact[column] = int(record[column])
    if fact["zone"] and fact["zone"] not in ZONES:
        problem("zone", f"expected one of {', '.join(ZONES)}, or nothing")
    elif fact["zone"] and scheme is not None and scheme.bands and scheme.bands[0].zone is None:
        problem("zone", f"{scheme.label} has no zones; expected nothing")
    if record["unit_category"] and scheme is not None and record["unit_category"] not in scheme.unit_categories():
        problem("unit_category", f"expected one of {', '.join(scheme.unit_categories())} ({scheme.label}), or nothing"
                if scheme.unit_categories() else f"{scheme.label} has no unit categories; expected nothing")
    if record["opinion"] and scheme is not None and scheme.tm_suffix \
            and record["opinion"].casefold() not in {o.casefold() for o in scheme.opinion_labels()}:
        labels = [b.opinion for b in reversed(scheme.bands)]
        problem("opinion", f"expected one of {', '.join(labels)} ({scheme.label}), optionally followed by "
                           f"{scheme.tm_suffix.strip()!r}, or nothing")
    if not (record["source_url"] or record["source_title"]):
        problem("source_url", "every published fact needs its source (an address or a publication name, or the "
                        "article's title)")
    fact["tm"] = bool(record["opinion"]) and TM_TEXT in record["opinion"].casefold()
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
    """The rule of ``load_published``'s docstring, as one sort (fact_id is release then file order)."""
    order = facts.assign(_has_score=facts["score"].notna(), _evidence=facts[CORROBORATING].notna().sum(axis=1) + facts["tm"],
                         _unit=facts["unit"].fillna(""), _component=facts["component"].fillna(""))
    order = order.sort_values(["_has_score", "_evidence", "fact_id"], ascending=[False, False, True])
    first = ~order.duplicated(["year", "entity_code", "_unit", "_component"])
    return first.reindex(facts.index).astype(bool)


def disagreements(facts: pd.DataFrame) -> pd.DataFrame:
    """Every fact of a (year, entity, unit, component) whose facts differ in score or a rank, with its source.

    One row per fact (year, entity_code, entity, unit, component, score, rank_in_province,
    rank_national, chosen, source_url, source_title, release, fact_id), ordered by key then
    release and file order: a report shows the chosen figure and the others beside it.
    """
    keyed = facts.assign(unit=facts["unit"].fillna(""), component=facts["component"].fillna(""))
    spread = keyed.groupby(FACT_KEY)[["score", "rank_in_province", "rank_national"]].nunique()
    differing = spread[(spread > 1).any(axis=1)].index
    rows = keyed.set_index(FACT_KEY).loc[differing].reset_index()
    for column in ("unit", "component"):
        rows[column] = rows[column].replace("", pd.NA)
    columns = ["year", "entity_code", "entity", "unit", "component", "score", "rank_in_province", "rank_national",
               "chosen", "source_url", "source_title", "release", "fact_id"]
    return rows[columns].sort_values(["year", "entity_code", "unit", "component", "fact_id"]).reset_index(drop=True)


def load_national_counts(path: Path | None = None) -> pd.DataFrame:
    """The published national counts per year (and entity type, zone, grade): year, entity_type, zone,
    category, count, source (default ``config.PUBLISHED_NATIONAL_COUNTS_CSV``).

    Empty entity_type / category mean "every type" / "every grade" (as published, not zero).
    Every problem of the file in one InputFileError.
    """
    path = Path(path or config.PUBLISHED_NATIONAL_COUNTS_CSV)
    shown = config.display_path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as err:
        raise InputFileError([Problem(shown, f"cannot read the file as CSV: {err}")]) from None
    if list(frame.columns) != NATIONAL_COUNTS_HEADER:
        raise InputFileError([Problem(shown, f"expected the columns {', '.join(NATIONAL_COUNTS_HEADER)}; found "
                                             f"{', '.join(frame.columns)}", row=1)])
    problems = []
    checks = {"year": (str.isdigit, "expected a year such as 2024"),
              "entity_type": (lambda v: v in ("", *ENTITY_TYPES), f"expected one of {', '.join(ENTITY_TYPES)}, or nothing"),
              "zone": (lambda v: v in ZONES, f"expected one of {', '.join(ZONES)}"),
              "category": (lambda v: v in ("", *"ABCDE"), "expected a grade A-E, or nothing"),
              "count": (str.isdigit, "expected a count such as 179"),
              "source": (bool, "every published count needs its source")}
    for row, values in enumerate(frame.itertuples(index=False), start=2):
        for column, (ok, expected) in checks.items():
            if not ok(getattr(values, column)):
                problems.append(Problem(shown, expected, row=row, column=column, value=getattr(values, column)))
    if problems:
        raise InputFileError(problems)
    return frame.astype(schemas.dtypes(schemas.NATIONAL_COUNTS))
