"""The published results load into a typed table; every row is kept, disagreements side by side."""

import csv
import hashlib
from collections import Counter

import pandas as pd
import pytest

from kepatuhan_lib import config
from kepatuhan_lib.errors import InputFileError
from kepatuhan_lib.methodology import round_half_up
from kepatuhan_lib.published import (
    EXPECTED_HEADER, PUBLISHED_SCHEMA, RELEASE_2_HEADER, disagreements, load_national_counts, load_published,
)

DATA_ROWS = 704  # data rows of data/raw/published/published_results.csv (header not counted)
RELEASE_1_SHA256 = "f3d91e253565f54e909082543b8acef61c8195ea30248fa21c7a2320297ba77e"  # immutable raw input
# Release 2 (data/raw/published/2026-12/): 217 rows, by year as its README states them.
RELEASE_2_ROWS = {2025: 129, 2024: 37, 2023: 8, 2022: 23, 2021: 20}
HEADER = ",".join(EXPECTED_HEADER)
HEADER_2 = ",".join(RELEASE_2_HEADER)


@pytest.fixture(scope="module")
def loaded():
    return load_published()


def _entity_facts(facts, code, year):
    return facts[(facts["entity_code"] == code) & (facts["year"] == year) & facts["unit"].isna()]


def _write(tmp_path, *lines):
    path = tmp_path / "published.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def _write_2(tmp_path, *lines, name="additions.csv"):
    """A file in release 2's layout."""
    path = tmp_path / name
    path.write_text("\n".join([HEADER_2, *lines]) + "\n", encoding="utf-8")
    return path


def _years_of(path) -> Counter:
    with open(path, encoding="utf-8", newline="") as handle:
        return Counter(int(row["year"]) for row in csv.DictReader(handle))


def test_release_1_is_unchanged_and_every_row_is_a_fact(loaded):
    facts, quarantine = loaded
    assert config.PUBLISHED_RELEASES[0] == config.PUBLISHED_RAW_CSV
    assert hashlib.sha256(config.PUBLISHED_RAW_CSV.read_bytes()).hexdigest() == RELEASE_1_SHA256
    assert sum(_years_of(config.PUBLISHED_RAW_CSV).values()) == DATA_ROWS
    r1 = facts[facts["release"] == "r1"]
    assert len(r1) == DATA_ROWS
    assert not quarantine["file"].eq(config.display_path(config.PUBLISHED_RAW_CSV)).any()
    assert sorted(r1["fact_id"]) == sorted(r1["source_row"]) == list(range(2, DATA_ROWS + 2))  # its rows


def test_release_2_rows_per_year_are_all_facts(loaded):
    """217 rows, 217 facts: the source's own wording "Kualitas Sangat Tinggi Tanpa Maladministrasi"
    (Kota Yogyakarta 2025, 88.39) is a declared opinion variant, kept as published."""
    facts, quarantine = loaded
    path = config.PUBLISHED_RELEASES[1]
    assert _years_of(path) == Counter(RELEASE_2_ROWS)
    r2 = facts[facts["release"] == "r2"]
    assert r2["source_file"].unique().tolist() == [config.display_path(path)]
    assert Counter(r2["year"].astype(int)) == Counter(RELEASE_2_ROWS)
    assert len(r2) == sum(RELEASE_2_ROWS.values()) == 217 and quarantine.empty
    yogya = r2[r2["source_row"] == 61].iloc[0]
    assert (yogya["entity"], yogya["score"], yogya["tm"]) == ("Kota Yogyakarta", 88.39, True)
    assert yogya["opinion"] == "Kualitas Sangat Tinggi Tanpa Maladministrasi"
    assert facts["fact_id"].is_unique and facts["fact_id"].is_monotonic_increasing  # release, then file order
    assert r2["fact_id"].min() > r2["source_row"].max()  # continues after release 1's rows


def test_a_title_is_a_source_where_no_url_was_kept(loaded):
    facts, _ = loaded
    untitled = facts["source_url"].isna()
    assert untitled.sum() == 19 and (facts["release"][untitled] == "r2").all()
    assert facts.loc[untitled, "source_title"].notna().all()
    assert "liputansbm.com (19 Nov 2024)" in facts.loc[untitled, "source_title"].tolist()


def test_facts_are_typed_and_keyed_by_codes(loaded):
    facts, _ = loaded
    PUBLISHED_SCHEMA.validate(facts)
    assert facts[["year", "score", "rank_in_province", "rank_national", "fact_id", "source_row"]].dtypes.astype(
        str).tolist() == ["Int16", "Float64", "Int64", "Int64", "Int64", "Int64"]
    assert facts["tm"].dtype == bool and facts["chosen"].dtype == bool
    for column in ("entity", "release", "source_file", "component", "unit_category", "source_title", "note"):
        assert facts[column].dtype == pd.StringDtype(), column
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
    # release 2: the 2025 vertical units and the two ministries new to the reference list
    ("Lapas Kelas IIA Yogyakarta", "LAPAS.34.71"), ("Kantor Imigrasi Kelas II TPI Sanggau", "IMI.61.03"),
    ("Kantor Pertanahan Kota Yogyakarta", "ATR.34.71"), ("Kantor Pertanahan Kabupaten Boalemo", "ATR.75.02"),
    ("Kementerian Komunikasi dan Digital", "KEM.31"), ("Kementerian Pelindungan Pekerja Migran Indonesia", "KEM.32"),
    ("Polres Metro", "POLRES.18.72"), ("Polresta Barelang", "POLRES.21.barelang"), ("Polres Solok Kota", "POLRES.13.72"),
])
def test_names_as_the_compiler_wrote_them_get_their_codes(loaded, entity, code):
    facts, _ = loaded
    found = set()
    for release, path in enumerate(config.PUBLISHED_RELEASES, start=1):
        raw = pd.read_csv(path, dtype="string", keep_default_na=False)
        rows = raw.index[raw["entity"] == entity] + 2
        mine = (facts["release"] == f"r{release}") & facts["source_row"].isin(rows)
        assert mine.sum() == len(rows)
        found |= set(facts.loc[mine, "entity_code"])
    assert found == {code}


def test_lebong_2022_keeps_both_facts_and_chooses_one(loaded):
    facts, _ = loaded
    lebong = _entity_facts(facts, "17.07", 2022)
    assert sorted(lebong["score"]) == [84.22, 84.23]
    assert sorted(lebong["rank_in_province"]) == [4, 5]
    assert lebong["chosen"].sum() == 1
    # rule 2: the fact stating zone and rank wins over the one stating the rank only
    assert lebong.loc[lebong["chosen"], "score"].item() == 84.23


def test_a_scored_fact_is_chosen_over_one_without_a_score(loaded):
    """Kaur 2023: 95.94 (zone, rank) vs a later rank-only fact and release 2's 94 (rank only, twice);
    Kaur 2022 has only the rank-only fact."""
    facts, _ = loaded
    kaur_2023 = _entity_facts(facts, "17.04", 2023)
    assert len(kaur_2023) == 4
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


def test_exactly_one_chosen_fact_per_entity_year_unit_and_component(loaded):
    facts, _ = loaded
    key = [facts["year"], facts["entity_code"], facts["unit"].fillna(""), facts["component"].fillna("")]
    assert (facts.groupby(key)["chosen"].sum() == 1).all()
    assert facts.groupby(key).ngroups < len(facts)  # some keys do have several facts
    solok = facts[(facts["entity_code"] == "POLRES.13.72") & (facts["year"] == 2025)]
    assert solok["chosen"].all() and sorted(solok["component"].fillna("total")) == ["dimensi", "kepercayaan", "total"]


# Keys of release 1 whose chosen fact is now a release-2 fact: each adds a score (Sumsel 2023, Palangka Raya
# 2024) or a national rank (Solok, Payakumbuh 2023) to what release 1 published.
NOW_CHOSEN_FROM_RELEASE_2 = {(2023, "16"): 215, (2023, "13.02"): 156, (2023, "13.76"): 158, (2024, "62.71"): 141}


def test_release_2_changes_a_chosen_figure_only_where_it_wins_by_the_rule(loaded):
    facts, _ = loaded
    alone, _ = load_published([config.PUBLISHED_RAW_CSV])
    together = facts[facts["release"] == "r1"].set_index("fact_id")["chosen"]
    before = alone.set_index("fact_id")["chosen"]
    lost = alone.set_index("fact_id").loc[before & ~together]
    assert set(zip(lost["year"], lost["entity_code"])) == set(NOW_CHOSEN_FROM_RELEASE_2)
    assert not (~before & together).any()  # no release-1 fact became chosen
    for (year, code), row in NOW_CHOSEN_FROM_RELEASE_2.items():
        chosen = facts[(facts["year"] == year) & (facts["entity_code"] == code) & facts["unit"].isna()
                       & facts["chosen"]]
        assert chosen[["release", "source_row"]].values.tolist() == [["r2", row]]


def test_published_sub_scores_add_up_to_the_published_total(loaded):
    """methodology-2025.md: Polres Solok Kota 52,72 + 8,02 = 60,74; every key with all three published."""
    facts, _ = loaded
    scored = facts[facts["score"].notna() & facts["chosen"]].assign(
        unit=facts["unit"].fillna(""), component=facts["component"].fillna("total"))
    parts = scored.pivot_table(index=["year", "entity_code", "unit"], columns="component", values="score",
                               aggfunc="first").dropna(subset=["dimensi", "kepercayaan", "total"])
    assert parts.loc[(2025, "POLRES.13.72", "")].tolist() == [52.72, 8.02, 60.74]
    assert ((parts["dimensi"] + parts["kepercayaan"] - parts["total"]).abs() <= 0.01 + 1e-9).all()
    kepercayaan = facts[facts["component"] == "kepercayaan"]
    assert len(kepercayaan) == 8 and kepercayaan["score"].between(0, 30).all()


@pytest.mark.parametrize("code,published", [("34", 86.00), ("75", 76.82)])
def test_a_2025_entity_score_is_the_mean_of_its_published_units(loaded, code, published):
    """methodology-2025.md infers the plain mean: Pemda DIY (6 units) 86,00; Provinsi Gorontalo (3 units) 76,82."""
    facts, _ = loaded
    mine = facts[(facts["entity_code"] == code) & (facts["year"] == 2025) & facts["component"].isna()]
    units = mine[mine["unit"].notna()]
    entity = mine[mine["unit"].isna() & mine["score"].notna()]
    assert entity["score"].tolist() == [published]
    assert round_half_up(float(units["score"].mean())) == published


def test_tm_is_what_the_opinion_says(loaded):
    facts, _ = loaded
    lampung = facts[(facts["entity_code"] == "18") & (facts["year"] == 2025)]
    assert lampung["tm"].tolist() == [False, True]  # one source says Tanpa Maladministrasi, one does not
    # Saying "Tanpa Maladministrasi" is one more thing the source reported: that fact is chosen.
    assert lampung.loc[lampung["chosen"], "opinion"].item() == "Kualitas Tertinggi Tanpa Maladministrasi"
    assert facts.loc[facts["tm"], "opinion"].str.endswith(" Tanpa Maladministrasi").all()
    assert not facts.loc[facts["year"] < 2025, "tm"].any()


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
    # across releases: Kaur 2023 95.94 (release 1) against 94 twice (release 2)
    kaur = found[(found["entity_code"] == "17.04") & (found["year"] == 2023) & found["score"].notna()]
    assert kaur[["release", "score"]].values.tolist() == [["r1", 95.94], ["r2", 94.0], ["r2", 94.0]]
    palembang = found[(found["entity_code"] == "16.71") & (found["year"] == 2025) & found["unit"].isna()]
    assert sorted(palembang["score"]) == [88.23, 88.23, 88.24]


def test_disagreements_cover_components_and_national_ranks(tmp_path):
    path = _write_2(
        tmp_path,
        "2025,Polres,Sumatera Barat,Polres Solok Kota,,kepercayaan,8.02,,,,8,,,Title A,",
        "2025,Polres,Sumatera Barat,Polres Solok Kota,,kepercayaan,8.03,,,,8,,,Title B,",
        "2025,Polres,Sumatera Barat,Polres Solok Kota,,,60.74,,,Cukup,,,,Title A,",  # the total: no disagreement
        "2024,Pemerintah Kabupaten,Sumatera Barat,Kabupaten Solok,,,97.73,,A,,,21,,Title C,",
        "2024,Pemerintah Kabupaten,Sumatera Barat,Kabupaten Solok,,,97.73,,A,,,22,,Title D,",
    )
    facts, quarantine = load_published(path)
    assert quarantine.empty, quarantine.to_string()
    found = disagreements(facts)
    assert found[["year", "component", "score", "rank_national"]].astype(object).where(found.notna(), None) \
        .values.tolist() == [[2024, None, 97.73, 21], [2024, None, 97.73, 22],
                             [2025, "kepercayaan", 8.02, None], [2025, "kepercayaan", 8.03, None]]
    assert found["source_title"].tolist() == ["Title C", "Title D", "Title A", "Title B"]


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


def test_release_2_rows_are_checked_against_the_2025_era(tmp_path):
    good = "2025,Polres,Sumatera Barat,Polres Solok Kota"
    path = _write_2(
        tmp_path,
        f"{good},,dimensi,70.00,,,,,,,Title,",  # a full dimension sub-score: fine
        f"{good},,kepercayaan,30.01,,,,,,,Title,",  # 3: above the 0-30 component
        f"{good},,dimensi,70.5,,,,,,,Title,",  # 4: above the 0-70 component
        f"{good},,,,,,Sangat Bagus,,,,Title,",  # 5: not a unit category
        f"{good},,,,,Kualitas Hebat,,,,,Title,",  # 6: not a 2025 opinion
        f"{good},,,80.00,hijau,,,,,,Title,",  # 7: 2025 has no zones
        f"{good},,,,,,,,,,,",  # 8: no source at all
        "2024,Polres,Sumatera Barat,Polres Solok Kota,,kepercayaan,8.00,,,,,,,Title,",  # 9: no components in 2024
        "2024,Polres,Sumatera Barat,Polres Solok Kota,,,80.00,,,Baik,,,,Title,",  # 10: no unit categories in 2024
        f"{good},,,88.00,,kualitas tertinggi tanpa maladministrasi,Sangat Baik,,0,https://x,,",  # 11: rank 0
        "2025,Lapas,DI Yogyakarta,Lapas Kelas IIA Yogyakarta,,,90.61,,,Sangat Baik,1,,,ORI serahkan,",
    )
    facts, quarantine = load_published(path)
    problems = set(zip(quarantine["row"], quarantine["column"]))
    assert problems == {(3, "score"), (4, "score"), (5, "unit_category"), (6, "opinion"), (7, "zone"),
                        (8, "source_url"), (9, "component"), (10, "unit_category"), (11, "rank_national")}
    reasons = dict(zip(zip(quarantine["row"], quarantine["column"]), quarantine["reason"]))
    assert "above the kepercayaan component (0-30)" in reasons[(3, "score")]
    assert "above the dimensi component (0-70)" in reasons[(4, "score")]
    assert "Sangat Baik, Baik, Cukup, Kurang" in reasons[(5, "unit_category")]
    assert "has no zones" in reasons[(7, "zone")]
    assert "has no component 'kepercayaan'" in reasons[(9, "component")]
    assert set(quarantine["file"]) == {str(path)}
    assert facts["source_row"].tolist() == [2, 12]
    assert facts["entity_code"].tolist() == ["POLRES.13.72", "LAPAS.34.71"]
    assert facts["source_url"].isna().all() and facts["source_title"].tolist() == ["Title", "ORI serahkan"]
    assert facts["zone"].isna().all() and facts["category"].isna().all()  # no zones, no grades in 2025


def test_releases_are_read_in_order_into_one_table(tmp_path):
    first = _write(tmp_path, "2024,Pemerintah Kabupaten,Bengkulu,Kabupaten Kaur,,96.14,hijau,,,http://a")
    second = _write_2(tmp_path, "2024,Pemerintah Kabupaten,Bengkulu,Kabupaten Kaur,,,96.14,hijau,,,,,http://b,,",
                      "2025,Pemerintah Kabupaten,Bengkulu,Kabupaten Kaur,,,,,Kualitas Tinggi,,,,,T,note")
    facts, quarantine = load_published([first, second])
    assert quarantine.empty
    assert facts[["release", "source_row", "fact_id"]].values.tolist() == [["r1", 2, 2], ["r2", 2, 4], ["r2", 3, 5]]
    assert facts["chosen"].tolist() == [True, False, True]  # a tie across releases: release 1 first
    assert facts["note"].isna().tolist() == [True, True, False]


def test_the_published_national_counts_load_with_their_source():
    counts = load_national_counts()
    assert config.PUBLISHED_NATIONAL_COUNTS_CSV.parent == config.PUBLISHED_RAW_DIR
    total = counts[(counts["year"] == 2021) & (counts["entity_type"] == "") & (counts["category"] == "")]
    assert dict(zip(total["zone"], total["count"])) == {"hijau": 179, "kuning": 316, "merah": 92}
    assert (counts["source"] != "").all()


def test_a_bad_national_counts_file_names_row_and_column(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text("year,entity_type,zone,category,count,source\n2021,,hijau,,179,x\n2021,,biru,,x,\n")
    with pytest.raises(InputFileError) as err:
        load_national_counts(path)
    assert {(p.row, p.column) for p in err.value.problems} == {(3, "zone"), (3, "count"), (3, "source")}
