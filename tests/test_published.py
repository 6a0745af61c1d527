"""The published results load into a typed table; every row is kept, disagreements side by side."""

import pandas as pd
import pytest

from kepatuhan_lib import config
from kepatuhan_lib.published import PUBLISHED_SCHEMA, disagreements, load_published

DATA_ROWS = 704  # data rows of data/raw/published/published_results.csv (header not counted)


@pytest.fixture(scope="module")
def loaded():
    return load_published()


def test_every_row_is_a_fact_or_quarantined(loaded):
    facts, quarantine = loaded
    assert len(pd.read_csv(config.PUBLISHED_RAW_CSV, dtype=str)) == DATA_ROWS
    assert len(facts) + quarantine["row"].nunique() == DATA_ROWS
    assert quarantine.empty, quarantine.to_string()


def test_facts_are_typed_and_keyed_by_codes(loaded):
    facts, _ = loaded
    PUBLISHED_SCHEMA.validate(facts)
    assert facts["entity_code"].notna().all()
    assert facts["fact_id"].min() == 2  # the spreadsheet row of the first fact


def test_mukomuko_as_published_with_its_source(loaded):
    facts, _ = loaded
    muko = facts[(facts["entity_code"] == "17.06") & facts["unit"].isna()].set_index("year")
    assert muko.loc[2022, "score"] == 60.35 and muko.loc[2022, "zone"] == "kuning"
    assert muko.loc[2023, "score"] == 90.02 and muko.loc[2023, "rank_in_province"] == 5
    assert muko.loc[2023, "category"] == "A"
    assert "Radar Mukomuko" in muko.loc[2023, "source_url"]


def test_lebong_2022_keeps_both_facts_and_chooses_one(loaded):
    facts, _ = loaded
    lebong = facts[(facts["entity_code"] == "17.07") & (facts["year"] == 2022) & facts["unit"].isna()]
    assert sorted(lebong["score"]) == [84.22, 84.23]
    assert lebong["chosen"].sum() == 1
    # rule: the fact stating more (zone and rank) wins over the one stating rank only
    assert lebong.loc[lebong["chosen"], "score"].item() == 84.23


def test_exactly_one_chosen_fact_per_entity_year_and_unit(loaded):
    facts, _ = loaded
    key = [facts["year"], facts["entity_code"], facts["unit"].fillna("")]
    assert (facts.groupby(key)["chosen"].sum() == 1).all()


def test_disagreements_list_both_sources(loaded):
    facts, _ = loaded
    found = disagreements(facts)
    bs = found[(found["entity_code"] == "17.01") & (found["year"] == 2024)]
    assert sorted(bs["score"]) == [95.27, 95.57]
    assert bs["source_url"].nunique() == 2


def test_a_bad_row_is_quarantined_with_its_location(tmp_path):
    text = config.PUBLISHED_RAW_CSV.read_text(encoding="utf-8").splitlines()
    bad = text[:3] + ["2023,Pemerintah Kabupaten,Bengkulu,Kabupaten Mukomoko,,9x,hijau,,,http://x"]
    path = tmp_path / "published.csv"
    path.write_text("\n".join(bad) + "\n", encoding="utf-8")
    facts, quarantine = load_published(path)
    assert len(facts) == 2
    assert set(quarantine["column"]) == {"score", "entity"}
    assert set(quarantine["row"]) == {4}
    assert quarantine.loc[quarantine["column"] == "entity", "reason"].item().endswith(
        "did you mean Kabupaten Mukomuko (17.06)?")
