"""Published against computed figures: every difference listed, tolerance 0.02, neither overwritten."""

from __future__ import annotations

import pandas as pd

from .methodology import round_half_up

TOLERANCE = 0.02
# A mean of a few published units is not the entity's figure (Lebong 2022 lists 2 of its 7):
# compare the mean only when at least as many units are published as the smallest sample
# any era used (2021: four units).
MIN_PUBLISHED_UNITS = 4
KEY = ["year", "entity_code"]
COLUMNS = ["check", "year", "entity_type", "province_code", "entity_code", "entity", "unit", "fact_id",
           "published_score", "computed_score", "n_units", "difference", "within_tolerance", "chosen", "source_url"]

CHECK_ENTITY = "entity: published vs computed"
CHECK_UNIT = "unit: published vs computed"
CHECK_UNIT_MEAN = "entity: published vs mean of its published units"


def reconcile(published_facts: pd.DataFrame, computed_entity_scores: pd.DataFrame,
              computed_units: pd.DataFrame | None = None, tolerance: float = TOLERANCE,
              min_published_units: int = MIN_PUBLISHED_UNITS) -> pd.DataFrame:
    """Every published figure that differs from a figure computed for the same (year, entity[, unit]).

    Three checks: a published entity score against the computed entity score; a published unit
    score against the computed unit nilai (rounded half-up to 2 dp); a published entity score
    against the mean of its published unit scores (rounded half-up, when at least
    ``min_published_units`` are published). Agreeing figures are not listed; a difference of
    at most ``tolerance`` is listed with ``within_tolerance`` true (Rejang Lebong 2024: 93.06
    against 93.07), a larger one is a discrepancy. ``difference`` = computed - published.
    Nothing is changed in either input.
    """
    facts = published_facts[published_facts["score"].notna() & published_facts["entity_code"].notna()]
    if "component" in facts:  # a 2025 sub-score (dimensi, kepercayaan) is not a figure computed here
        facts = facts[facts["component"].isna()]
    entity_facts = facts[facts["unit"].isna()]
    unit_facts = facts[facts["unit"].notna()].assign(_unit=lambda d: _unit_key(d["unit"]))

    checks = [_entity_vs_computed(entity_facts, computed_entity_scores)]
    if computed_units is not None and not computed_units.empty:
        checks.append(_units_vs_computed(unit_facts, computed_units))
    checks.append(_entity_vs_unit_mean(entity_facts, unit_facts, min_published_units))

    found = pd.concat([c for c in checks if len(c)], ignore_index=True) if any(len(c) for c in checks) else None
    if found is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    found["published_score"] = found["published_score"].astype("Float64")
    found["computed_score"] = found["computed_score"].astype("Float64")
    found["difference"] = round_half_up(found["computed_score"] - found["published_score"])
    found = found[found["difference"] != 0]
    # Compare in hundredths so that a float such as 0.020000000001 counts as 0.02.
    found["within_tolerance"] = (found["difference"].abs() * 100).round() <= round(tolerance * 100)
    found["within_tolerance"] = found["within_tolerance"].astype(bool)
    return found.reindex(columns=COLUMNS).sort_values(["year", "entity_code", "check", "unit"], na_position="first",
                                                      kind="stable").reset_index(drop=True)


def _fact_columns(facts: pd.DataFrame) -> pd.DataFrame:
    cols = ["year", "entity_type", "province_code", "entity_code", "entity", "unit", "fact_id", "score", "chosen",
            "source_url"]
    return facts.reindex(columns=cols).rename(columns={"score": "published_score"})


def _entity_vs_computed(entity_facts: pd.DataFrame, computed: pd.DataFrame) -> pd.DataFrame:
    if computed.empty or entity_facts.empty:
        return pd.DataFrame()
    scored = computed.loc[computed["score"].notna(), KEY + ["score", "n_units"]]
    merged = _fact_columns(entity_facts).merge(scored.rename(columns={"score": "computed_score"}), on=KEY)
    return merged.assign(check=CHECK_ENTITY)


def _units_vs_computed(unit_facts: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    if unit_facts.empty:
        return pd.DataFrame()
    computed = units.loc[units["nilai"].notna(), KEY + ["unit", "nilai"]].assign(_unit=lambda d: _unit_key(d["unit"]))
    computed["computed_score"] = round_half_up(computed["nilai"].astype("Float64"))
    merged = _fact_columns(unit_facts).assign(_unit=unit_facts["_unit"].to_numpy()).merge(
        computed[KEY + ["_unit", "computed_score"]], on=KEY + ["_unit"]
    )
    return merged.drop(columns="_unit").assign(check=CHECK_UNIT, n_units=1)


def _entity_vs_unit_mean(entity_facts: pd.DataFrame, unit_facts: pd.DataFrame, min_units: int) -> pd.DataFrame:
    """A unit published twice (two sources) counts once: its first fact in the file."""
    if unit_facts.empty or entity_facts.empty:
        return pd.DataFrame()
    units = unit_facts.sort_values("fact_id").drop_duplicates(KEY + ["_unit"])
    means = units.groupby(KEY).agg(computed_score=("score", "mean"), n_units=("score", "size")).reset_index()
    means = means[means["n_units"] >= min_units]
    means["computed_score"] = round_half_up(means["computed_score"].astype("Float64"))
    return _fact_columns(entity_facts).merge(means, on=KEY).assign(check=CHECK_UNIT_MEAN)


def _unit_key(names: pd.Series) -> pd.Series:
    """Unit names compared without case or spacing differences."""
    return names.astype("string").str.casefold().str.split().str.join(" ")
