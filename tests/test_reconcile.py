"""Published against computed figures: every difference listed, tolerance 0.02, inputs untouched."""

from __future__ import annotations

import pandas as pd
import pytest

from kepatuhan_lib import config, published
from kepatuhan_lib.reconcile import CHECK_ENTITY, CHECK_UNIT, CHECK_UNIT_MEAN, reconcile

# Kemendagri codes of the entities whose units were published (reference/regions.csv).
CODES = {"Kabupaten Rejang Lebong": "17.02", "Kabupaten Lebong": "17.07", "Kabupaten Maluku Tenggara": "81.02"}
FACT_COLUMNS = ["fact_id", "year", "entity_type", "province_code", "entity_code", "entity", "unit", "unit_type",
                "score", "zone", "opinion", "category", "rank_in_province", "source_url", "chosen"]


def published_facts() -> pd.DataFrame:
    """The real published rows of three entities, shaped as published.load_published's facts."""
    raw = pd.read_csv(config.PUBLISHED_RAW_CSV, dtype=str)
    rows = raw[raw["entity"].isin(list(CODES))].copy()
    rows["fact_id"] = rows.index + 2  # spreadsheet row, header included
    rows["year"] = rows["year"].astype(int)
    rows["entity_code"] = rows["entity"].map(CODES)
    rows["province_code"] = rows["entity_code"].str[:2]
    rows["score"] = rows["score"].astype("Float64")
    rows["chosen"] = ~rows.duplicated(["year", "entity", "unit"])
    return rows.reindex(columns=FACT_COLUMNS)


def computed(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["year", "entity_code", "score"]).assign(n_units=7)
    return frame.assign(score=frame["score"].astype("Float64"))


def test_rejang_lebong_2024_published_units_average_93_06_against_93_07():
    """Pins the known 0.01 disagreement: listed (both sources), within tolerance, neither changed."""
    facts = published_facts()
    before = facts.copy()
    found = reconcile(facts, computed([]))
    pd.testing.assert_frame_equal(facts, before)
    rejang = found[found["entity_code"] == "17.02"]
    assert len(rejang) == 2  # 93.07 was published by two sources
    assert rejang["check"].eq(CHECK_UNIT_MEAN).all() and rejang["n_units"].eq(7).all()
    assert rejang["published_score"].eq(93.07).all() and rejang["computed_score"].eq(93.06).all()
    assert rejang["difference"].eq(-0.01).all() and rejang["within_tolerance"].all()
    # Lebong and Maluku Tenggara 2023 agree with their units; Lebong 2022 lists only 2 of its units.
    assert set(found["entity_code"]) == {"17.02"}


def test_tolerance_boundary_and_agreeing_figures():
    facts = published_facts()
    found = reconcile(facts, computed([(2023, "17.07", 92.02), (2023, "81.02", 60.83), (2024, "17.02", 93.07)]))
    entity = found[found["check"] == CHECK_ENTITY].set_index("entity_code")
    assert entity.loc["17.07", "difference"] == 0.02 and bool(entity.loc["17.07", "within_tolerance"])
    assert entity.loc["81.02", "difference"] == 0.03 and not bool(entity.loc["81.02", "within_tolerance"])
    assert "17.02" not in entity.index  # computed 93.07 = published 93.07: nothing to list
    assert entity.loc["81.02", "source_url"].startswith("https://")


def test_published_units_against_computed_unrounded_units():
    facts = published_facts()
    units = pd.DataFrame({
        "year": [2023, 2023, 2023], "entity_code": ["81.02"] * 3,
        "unit": ["Dinas Pendidikan", "puskesmas  WATDEK", "Unit Tanpa Publikasi"],
        "nilai": pd.array([52.855, 49.80, 10.0], dtype="Float64"),  # 52.855 rounds half-up to 52.86
    })
    found = reconcile(facts, computed([]), units)
    unit_rows = found[found["check"] == CHECK_UNIT]
    assert unit_rows["unit"].tolist() == ["Puskesmas Watdek"]  # names compared without case or spacing
    assert unit_rows["difference"].tolist() == [-0.05] and not unit_rows["within_tolerance"].any()


def test_nothing_to_compare_gives_an_empty_listing_with_the_columns():
    found = reconcile(published_facts().iloc[:0], computed([]))
    assert found.empty and "within_tolerance" in found.columns


def test_with_the_published_module():
    """The same Rejang Lebong finding from published.load_published's facts."""
    facts, _ = published.load_published()
    found = reconcile(facts, computed([]))
    rejang = found[(found["year"] == 2024) & (found["entity_code"] == "17.02")]
    assert len(rejang) >= 1 and rejang["difference"].eq(-0.01).all() and rejang["within_tolerance"].all()
