"""Ranks (national within entity type, provincial league tables) and year-over-year comparison."""

from __future__ import annotations

import pandas as pd

from . import schemas
from .methodology import comparability, previous_year
from .schemas import PROVINCE, REGIONAL
ENTITY = "entity_code"


def _competition_rank(scores: pd.Series, groups: list[pd.Series]) -> tuple[pd.Series, pd.Series]:
    """Rank (1, 2, 2, 4: equal scores share the best rank) and percentile rank, highest score first.

    Percentile rank = share of the group's scored entities scoring at or below this one, in
    percent (the top entity is 100). Entities without a score get neither.
    """
    grouped = scores.astype("Float64").groupby(groups, dropna=False)
    rank = grouped.rank(method="min", ascending=False).astype("Int64")
    percentile = (grouped.rank(method="max", ascending=True, pct=True) * 100).astype("Float64")
    return rank, percentile


def rank_national(scores: pd.DataFrame) -> pd.DataFrame:
    """Add ``rank_national`` and ``percentile_national``: within (year, entity_type), on the rounded score."""
    out = scores.copy()
    out["rank_national"], out["percentile_national"] = _competition_rank(
        out["score"], [out["year"], out["entity_type"]]
    )
    return out


def rank_provincial(scores: pd.DataFrame) -> pd.DataFrame:
    """Add ``rank_province``: kabupaten and kota of one province and year ranked together.

    The province itself (and every other entity type) is listed apart, without a rank.
    """
    out = scores.copy()
    regional = out["entity_type"].isin(REGIONAL)
    ranked = out["score"].where(regional)
    out["rank_province"], out["percentile_province"] = _competition_rank(
        ranked, [out["year"], out["province_code"]]
    )
    return out


def year_over_year(scores: pd.DataFrame, year_from: int, year_to: int) -> pd.DataFrame:
    """Per entity assessed in either year: scores, delta, national ranks, zone and grade change, flags.

    ``delta`` = score_to - score_from on the rounded scores; ``rank_change`` = rank_from - rank_to
    (positive = climbed). ``direction``: naik / turun / tetap, "baru dinilai" (assessed in
    ``year_to`` only) or "tidak dinilai" (not assessed in ``year_to``). A year without an
    assessment stays missing, never 0. ``flags`` ("; "-joined): "tidak dinilai" (a year is
    missing), "seri berbeda" (different series, e.g. 2025+ against 2024 or earlier: no delta is
    shown), "metode berbeda" (different era, e.g. 2021 -> 2022), "unit berbeda" (different sets
    of unit types), "nilai tidak tersedia" (assessed but no score published).
    """
    if scores.duplicated(["year", ENTITY]).any():
        raise ValueError("scores must have one row per (year, entity_code)")
    ranked = rank_national(scores[scores["year"].isin([year_from, year_to])])
    keep = ["entity_type", "province_code", "entity", "score", "zone", "category", "unit_types", "rank_national"]
    side = {}
    for name, year in (("from", year_from), ("to", year_to)):
        part = ranked[ranked["year"] == year].reindex(columns=[ENTITY, *keep]).set_index(ENTITY)
        part = part.astype({c: "string" for c in ("zone", "category", "unit_types")})
        side[name] = part.rename(columns=lambda c: f"{'rank' if c == 'rank_national' else c}_{name}")
    both = side["from"].join(side["to"], how="outer")
    for col in ("entity_type", "province_code", "entity"):
        both[col] = both.pop(f"{col}_to").fillna(both.pop(f"{col}_from"))

    assessed_from = both.index.isin(side["from"].index)
    assessed_to = both.index.isin(side["to"].index)
    flags = [_flags(row, year_from, year_to, f, t)
             for row, f, t in zip(both.itertuples(), assessed_from, assessed_to)]
    cross_series = pd.Series(["seri berbeda" in f for f in flags], index=both.index)

    both["delta"] = (both["score_to"].astype("Float64") - both["score_from"].astype("Float64")).mask(cross_series)
    both["delta"] = both["delta"].round(2)
    both["rank_change"] = (both["rank_from"] - both["rank_to"]).astype("Int64").mask(cross_series)
    both["zone_change"] = _change(both["zone_from"], both["zone_to"])
    both["grade_change"] = _change(both["category_from"], both["category_to"])
    both["direction"] = pd.array([_direction(d, f, t) for d, f, t in zip(both["delta"], assessed_from, assessed_to)],
                                 dtype="string")
    both["flags"] = pd.array(["; ".join(f) for f in flags], dtype="string")
    columns = ["entity_type", "province_code", "entity", "score_from", "score_to", "delta", "rank_from", "rank_to",
               "rank_change", "zone_from", "zone_to", "zone_change", "category_from", "category_to", "grade_change",
               "direction", "flags"]
    return both.reset_index()[[ENTITY, *columns]].assign(year_from=year_from, year_to=year_to)


def _flags(row, year_from: int, year_to: int, assessed_from: bool, assessed_to: bool) -> list[str]:
    if not (assessed_from and assessed_to):
        return ["tidak dinilai"]
    flags = comparability(year_from, year_to, row.entity_type)
    if pd.notna(row.unit_types_from) and pd.notna(row.unit_types_to) and row.unit_types_from != row.unit_types_to:
        flags.append("unit berbeda")
    if pd.isna(row.score_from) or pd.isna(row.score_to):
        flags.append("nilai tidak tersedia")
    return flags


def _direction(delta, assessed_from: bool, assessed_to: bool) -> str | None:
    if not assessed_to:
        return "tidak dinilai"
    if not assessed_from:
        return "baru dinilai"
    if pd.isna(delta):
        return None
    return "naik" if delta > 0 else "turun" if delta < 0 else "tetap"


def _change(before: pd.Series, after: pd.Series) -> pd.Series:
    """'kuning -> hijau' where both are known and differ, '' where unchanged, missing otherwise."""
    before, after = before.astype("string"), after.astype("string")
    return (before + " -> " + after).mask((before == after).fillna(False), "")


CHANGE_COLUMNS = list(schemas.CHANGES.columns)


def changes(scores: pd.DataFrame) -> pd.DataFrame:
    """Every year-over-year comparison a report shows, decided once (``year_over_year`` rows):

    - scope "provinsi": each province's government and its kabupaten and kota, each year against
      the province's previous assessed year (methodology.previous_year over the years any of them
      has a row): the league table's change column;
    - scope "entitas": each entity-year against that entity's own previous assessed year: the profile.

    A year with nothing to compare with (the first of a series) has no rows.
    """
    regional = scores[scores["entity_type"].isin((*REGIONAL, PROVINCE)) & scores["province_code"].notna()]
    province_pairs = _pairs((code, year, previous_year(years, year))
                            for code, years in regional.groupby("province_code")["year"].unique().items()
                            for year in years)
    entity_pairs = _pairs(
        (code, year, previous_year(years, year, entity_type))
        for (code, entity_type), years in scores.groupby(["entity_code", "entity_type"])["year"].unique().items()
        for year in years)
    frames = [year_over_year(regional[regional["province_code"].isin(codes)], *pair).assign(scope="provinsi")
              for pair, codes in province_pairs.items()]
    frames += [year_over_year(scores[scores[ENTITY].isin(codes)], *pair).assign(scope="entitas")
               for pair, codes in entity_pairs.items()]
    if not frames:
        return schemas.empty(schemas.CHANGES)
    out = pd.concat(frames, ignore_index=True)[CHANGE_COLUMNS].astype(schemas.dtypes(schemas.CHANGES))
    return out.sort_values(["scope", "year_to", "entity_code"], kind="stable").reset_index(drop=True)


def _pairs(triples) -> dict[tuple[int, int], list]:
    """(key, year, previous year) -> {(previous year, year): [keys]}, leaving out years with no previous one."""
    pairs: dict[tuple[int, int], list] = {}
    for key, year, before in triples:
        if before is not None:
            pairs.setdefault((int(before), int(year)), []).append(key)
    return pairs
