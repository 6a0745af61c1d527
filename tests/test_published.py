"""The published results load into a typed table; every row is kept, disagreements side by side."""

import csv

import pandas as pd
import pytest

from kepatuhan_lib import config
from kepatuhan_lib.errors import InputFileError
from kepatuhan_lib.published import EXPECTED_HEADER, PUBLISHED_SCHEMA, disagreements, load_published

DATA_ROWS = 704  # data rows of data/raw/published/published_results.csv (header not counted)
HEADER = ",".join(EXPECTED_HEADER)


@pytest.fixture(scope="module")
def loaded():
    return load_published()


def _entity_facts(facts, code, year):
    return facts[(facts["entity_code"] == code) & (facts["year"] == year) & facts["unit"].isna()]


def _write(tmp_path, *lines):
    path = tmp_path / "published.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_every_row_is_a_fact_and_none_is_quarantined(loaded):
    facts, quarantine = loaded
    with open(config.PUBLISHED_RAW_CSV, encoding="utf-8", newline="") as handle:
        assert len(list(csv.reader(handle))) - 1 == DATA_ROWS
    assert len(facts) + quarantine["row"].nunique() == DATA_ROWS
    assert quarantine.empty, quarantine.to_string()
    assert sorted(facts["fact_id"]) == list(range(2, DATA_ROWS + 2))  # the spreadsheet row of each


def test_facts_are_typed_and_keyed_by_codes(loaded):
    facts, _ = loaded
    PUBLISHED_SCHEMA.validate(facts)
    assert facts[["year", "score", "rank_in_province"]].dtypes.astype(str).tolist() == ["Int16", "Float64", "Int64"]
    assert facts["entity"].dtype == pd.StringDtype()
    assert facts["entity_code"].notna().all()
    assert facts.loc[facts["entity_type"].isin(["Kementerian", "Lembaga"]), "province_code"].isna().all()


def test_mukomuko_as_published_with_its_source(loaded):
    facts, _ = loaded
    muko = facts[(facts["entity_code"] == "17.06") & facts["unit"].isna()].set_index("year")
    assert muko.loc[2022, "score"] == 60.35 and muko.loc[2022, "zone"] == "kuning"
    assert muko.loc[2023, "score"] == 90.02 and muko.loc[2023, "rank_in_province"] == 5
    assert muko.loc[2023, "category"] == "A"
    assert muko.loc[2024, "score"] == 90.64
    assert muko["entity"].unique().tolist() == ["Kabupaten Mukomuko"]
    assert muko["province_code"].unique().tolist() == ["17"]
    assert muko.loc[2023, "source_url"] == "Koran Digital RM (Radar Mukomuko), 2024-02-02"
    assert muko.loc[2024, "source_url"].startswith("https://radarmukomuko.bacakoran.co/")


@pytest.mark.parametrize("entity,code", [
    ("Polres OKU Timur", "POLRES.16.08"), ("Polrestabes Palembang", "POLRES.16.71"),
    ("Polres Lubuklinggau", "POLRES.16.73"), ("Polres PALI", "POLRES.16.12"),
    ("Kota Lubuklinggau", "16.73"), ("Kabupaten Toba Samosir", "12.12"), ("Provinsi DI Yogyakarta", "34"),
    ("Kementerian ATR/BPN", "KEM.07"), ("Kepolisian Negara RI", "LEM.05"),
])
def test_names_as_the_compiler_wrote_them_get_their_codes(loaded, entity, code):
    facts, _ = loaded
    raw = pd.read_csv(config.PUBLISHED_RAW_CSV, dtype="string", keep_default_na=False)
    rows = raw.index[raw["entity"] == entity] + 2
    assert len(rows)
    assert set(facts.loc[facts["fact_id"].isin(rows), "entity_code"]) == {code}


def test_lebong_2022_keeps_both_facts_and_chooses_one(loaded):
    facts, _ = loaded
    lebong = _entity_facts(facts, "17.07", 2022)
    assert sorted(lebong["score"]) == [84.22, 84.23]
    assert sorted(lebong["rank_in_province"]) == [4, 5]
    assert lebong["chosen"].sum() == 1
    # rule 2: the fact stating zone and rank wins over the one stating the rank only
    assert lebong.loc[lebong["chosen"], "score"].item() == 84.23


def test_a_scored_fact_is_chosen_over_one_without_a_score(loaded):
    """Kaur 2023: 95.94 (zone, rank) vs a later rank-only fact; Kaur 2022 has only the rank-only fact."""
    facts, _ = loaded
    kaur_2023 = _entity_facts(facts, "17.04", 2023)
    assert len(kaur_2023) == 2
    assert kaur_2023.loc[kaur_2023["chosen"], "score"].item() == 95.94
    kaur_2022 = _entity_facts(facts, "17.04", 2022)
    assert kaur_2022["chosen"].tolist() == [True] and kaur_2022["score"].isna().all()


def test_the_chosen_rule_on_a_constructed_file(tmp_path):
    """Rule order: a score first, then more corroborating fields, then file order."""
    path = _write(
        tmp_path,
        "2023,Pemerintah Kabupaten,Bengkulu,Kabupaten Kaur,,,hijau,A,1,http://a",  # no score
        "2023,Pemerintah Kabupaten,Bengkulu,Kabupaten Kaur,,95.94,,,,http://b",  # score only
        "2023,Pemerintah Kabupaten,Bengkulu,Kabupaten Kaur,,95.95,hijau,,,http://c",  # score + zone: chosen
        "2024,Pemerintah Kabupaten,Bengkulu,Kabupaten Kaur,,96.14,hijau,,,http://d",  # tie: first in file
        "2024,Pemerintah Kabupaten,Bengkulu,Kabupaten Kaur,,96.15,hijau,,,http://e",
    )
    facts, quarantine = load_published(path)
    assert quarantine.empty
    assert facts.loc[facts["chosen"], "source_url"].tolist() == ["http://c", "http://d"]


def test_exactly_one_chosen_fact_per_entity_year_and_unit(loaded):
    facts, _ = loaded
    key = [facts["year"], facts["entity_code"], facts["unit"].fillna("")]
    assert (facts.groupby(key)["chosen"].sum() == 1).all()
    assert facts.groupby(key).ngroups < len(facts)  # some keys do have several facts


def test_disagreements_list_the_differing_facts_with_their_sources(loaded):
    facts, _ = loaded
    found = disagreements(facts)
    bs = found[(found["entity_code"] == "17.01") & (found["year"] == 2024)]
    assert sorted(bs["score"]) == [95.27, 95.57]
    assert bs["source_url"].nunique() == 2 and bs["chosen"].sum() == 1
    lebong = found[(found["entity_code"] == "17.07") & (found["year"] == 2022)]
    assert lebong["fact_id"].tolist() == [4, 5]
    # Kaur 2024 is published twice with the same 96.14: a duplicate, not a disagreement
    assert not ((found["entity_code"] == "17.04") & (found["year"] == 2024)).any()


@pytest.mark.parametrize("opinion,year,category", [
    ("A - Kualitas Tertinggi", 2023, "A"), ("Kualitas Tinggi", 2022, "B"), ("C", 2024, "C"),
    ("Kepatuhan Tinggi (B)", 2023, "B"), ("Kepatuhan Sedang", 2022, None), ("Kepatuhan Tinggi", 2019, None),
])
def test_category_is_the_grade_of_a_graded_year(tmp_path, opinion, year, category):
    path = _write(tmp_path, f"{year},Pemerintah Kabupaten,Aceh,Kabupaten Aceh Besar,,,,{opinion},,http://x")
    facts, _ = load_published(path)
    assert facts["opinion"].item() == opinion
    assert (pd.isna(facts["category"].item()) if category is None else facts["category"].item() == category)


def test_bad_rows_are_quarantined_with_their_location(tmp_path):
    path = _write(
        tmp_path,
        "2023,Pemerintah Kabupaten,Bengkulu,Kabupaten Mukomuko,,90.02,hijau,,5,http://ok",
        "2023,Pemerintah Kabupaten,Bengkulu,Kabupaten Mukomoko,,9x,hijau,,,http://x",
        "",
        "2020,Pemerintah Kabupaten,Bengkulu,Kabupaten Kaur,,80.00,,,,http://x",
        "2023,Pemerintah Kabupaten,Bengkulu,Kabupaten Kaur,,101.00,biru,,0,",
        "2023,Pemerintah Kabupaten,Bengkulu,Kabupaten Kaur,,80.00,,,,http://x,extra",
        "2023,Pemerintah Kota,Bengkulu,Kota Bengkulu,,81.00,HIJAU,,,http://late",
    )
    facts, quarantine = load_published(path)
    assert facts["fact_id"].tolist() == [2, 8]  # the empty line 4 keeps its number
    assert facts["zone"].tolist() == ["hijau", "hijau"]
    problems = set(zip(quarantine["row"], quarantine["column"].fillna("")))
    assert problems == {(3, "entity"), (3, "score"), (5, "year"), (6, "score"), (6, "zone"),
                        (6, "rank_in_province"), (6, "source_url"), (7, "")}
    reasons = dict(zip(zip(quarantine["row"], quarantine["column"].fillna("")), quarantine["reason"]))
    assert reasons[(3, "entity")].endswith("did you mean Kabupaten Mukomuko (17.06)?")
    assert "no methodology declared for 2020" in reasons[(5, "year")]
    assert "0-100 scale" in reasons[(6, "score")]
    assert "expected 10 fields, found 11" == reasons[(7, "")]
    assert quarantine.loc[quarantine["column"] == "zone", "value"].item() == "biru"
    assert set(quarantine["file"]) == {str(path)}
    assert len(facts) + quarantine["row"].nunique() == 6  # rows in = facts + quarantined (the empty line is no row)


def test_a_file_that_is_not_this_table_is_refused_with_row_1(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("tahun,nama\n2023,Kaur\n", encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        load_published(path)
    assert err.value.problems[0].row == 1 and "expected the columns year, entity_type" in str(err.value)
    with pytest.raises(InputFileError, match="cannot read"):
        load_published(tmp_path / "missing.csv")
