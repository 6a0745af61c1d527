"""Ranks (competition ties, percentiles, league tables) and year-over-year flags."""

from __future__ import annotations

import pandas as pd
import pytest

from kepatuhan_lib.ranking import changes, rank_national, rank_provincial, year_over_year
from kepatuhan_lib.reports.tables import league_rows

KAB, KOTA, PROV, KEM = "Pemerintah Kabupaten", "Pemerintah Kota", "Pemerintah Provinsi", "Kementerian"


def scores(rows: list[tuple]) -> pd.DataFrame:
    """rows: (year, entity_type, province_code, entity_code, score, zone, category, unit_types)."""
    frame = pd.DataFrame(rows, columns=["year", "entity_type", "province_code", "entity_code", "score", "zone",
                                        "category", "unit_types"])
    return frame.assign(entity="E " + frame["entity_code"], score=frame["score"].astype("Float64"))


BENGKULU_2023 = scores([
    (2023, KAB, "17", "17.01", 90.02, "hijau", "A", "a"),
    (2023, KAB, "17", "17.02", 85.00, "hijau", "B", "a"),
    (2023, KOTA, "17", "17.71", 85.00, "hijau", "B", "a"),  # ties with a kabupaten
    (2023, KAB, "17", "17.04", None, "hijau", None, "a"),  # zone and rank published, no score
    (2023, KAB, "17", "17.05", 70.10, "kuning", "C", "a"),
    (2023, PROV, "17", "17", 95.00, "hijau", "A", "a"),  # the province: listed apart
    (2023, KAB, "16", "16.01", 99.00, "hijau", "A", "a"),  # another province
    (2022, KAB, "17", "17.03", 99.00, "hijau", "A", "a"),  # another year
    (2023, KEM, None, "KEM.01", 85.00, "hijau", "B", "a"),  # another entity type
])


def test_national_ranks_are_competition_ranks_within_year_and_entity_type():
    ranked = rank_national(BENGKULU_2023).set_index("entity_code")
    kab_2023 = ranked[(ranked["year"] == 2023) & (ranked["entity_type"] == KAB)]
    assert kab_2023["rank_national"].dropna().to_dict() == {"17.01": 2, "17.02": 3, "17.05": 4, "16.01": 1}
    assert pd.isna(kab_2023.loc["17.04", "rank_national"])  # assessed, but no score to rank
    assert ranked.loc["KEM.01", "rank_national"] == 1 and ranked.loc["17.71", "rank_national"] == 1
    # Share of the 4 scored kabupaten at or below: the top one is 100, the bottom one 25.
    assert ranked.loc["16.01", "percentile_national"] == 100 and ranked.loc["17.05", "percentile_national"] == 25


def test_ties_share_a_rank_and_the_next_rank_is_skipped():
    """Pins competition ranking 1, 2, 2, 4."""
    table = scores([(2024, KAB, "17", f"17.0{i}", s, "hijau", "A", "a") for i, s in enumerate([95, 90, 90, 88], 1)])
    assert rank_national(table)["rank_national"].tolist() == [1, 2, 2, 4]


def test_league_table_ranks_kabupaten_and_kota_together_with_the_province_apart():
    table = league_rows(rank_provincial(BENGKULU_2023), 2023, "17")
    assert table["entity_code"].tolist() == ["17.01", "17.02", "17.71", "17.05", "17.04", "17"]
    assert table["rank_province"].iloc[:4].tolist() == [1, 2, 2, 4]
    assert table["rank_province"].iloc[4:].isna().all()  # no score; the province
    assert table["listed_apart"].tolist() == [False] * 5 + [True]
    assert table["percentile_province"].iloc[0] == 100


def test_rank_provincial_adds_a_rank_only_to_kabupaten_and_kota():
    ranked = rank_provincial(BENGKULU_2023).set_index("entity_code")
    assert ranked.loc["16.01", "rank_province"] == 1 and ranked.loc["17.03", "rank_province"] == 1
    assert pd.isna(ranked.loc["17", "rank_province"]) and pd.isna(ranked.loc["KEM.01", "rank_province"])


TWO_ERAS = scores([
    (2021, KAB, "17", "17.01", 80.00, "kuning", None, "DPMPTSP;Dinas Kesehatan"),
    (2022, KAB, "17", "17.01", 84.23, "hijau", "B", "DPMPTSP;Dinas Kesehatan;Puskesmas"),
    (2021, KAB, "17", "17.02", 70.00, "kuning", None, "DPMPTSP"),
    (2022, KAB, "17", "17.02", 70.00, "kuning", "C", "DPMPTSP"),
    (2021, KAB, "17", "17.03", 90.00, "hijau", None, "DPMPTSP"),  # not assessed in 2022
    (2022, KAB, "17", "17.04", 60.00, "kuning", "C", "DPMPTSP"),  # first assessed in 2022
    (2023, KAB, "17", "17.01", 90.02, "hijau", "A", "DPMPTSP;Dinas Kesehatan;Puskesmas"),
    (2024, KAB, "17", "17.01", 90.64, "hijau", "A", "DPMPTSP;Dinas Kesehatan;Puskesmas"),
    (2025, KAB, "17", "17.01", 70.00, None, None, "DPMPTSP;Dinas Kesehatan;Puskesmas"),
])


def test_year_over_year_across_the_2022_change_of_method():
    yoy = year_over_year(TWO_ERAS, 2021, 2022).set_index("entity_code")
    a = yoy.loc["17.01"]
    assert (a.score_from, a.score_to, a.delta, a.direction) == (80.0, 84.23, 4.23, "naik")
    assert a["flags"] == "metode berbeda; unit berbeda" and a.zone_change == "kuning -> hijau"
    assert (a.rank_from, a.rank_to, a.rank_change) == (2, 1, 1)
    b = yoy.loc["17.02"]
    assert (b.delta, b.direction, b["flags"], b.zone_change) == (0.0, "tetap", "metode berbeda", "")


def test_a_missing_year_is_tidak_dinilai_never_zero():
    yoy = year_over_year(TWO_ERAS, 2021, 2022).set_index("entity_code")
    gone, new = yoy.loc["17.03"], yoy.loc["17.04"]
    assert pd.isna(gone.score_to) and pd.isna(gone.delta) and gone.direction == "tidak dinilai"
    assert pd.isna(new.score_from) and pd.isna(new.delta) and new.direction == "baru dinilai"
    assert gone["flags"] == new["flags"] == "tidak dinilai"


def test_same_era_has_no_flag_and_any_two_years_work():
    yoy = year_over_year(TWO_ERAS, 2023, 2024)
    assert yoy["flags"].tolist() == [""] and yoy["delta"].tolist() == [0.62]
    back = year_over_year(TWO_ERAS, 2024, 2022).set_index("entity_code")
    assert back.loc["17.01", "delta"] == pytest.approx(84.23 - 90.64) and back.loc["17.01", "direction"] == "turun"
    assert back.loc["17.01", "flags"] == ""  # 2022 and 2024: same era, same units


def test_2025_is_another_series_so_no_delta_is_shown():
    (row,) = year_over_year(TWO_ERAS, 2024, 2025).itertuples()
    assert row.flags == "seri berbeda" and pd.isna(row.delta) and pd.isna(row.rank_change)
    assert (row.score_from, row.score_to) == (90.64, 70.0)


def test_year_over_year_refuses_duplicate_entity_years():
    with pytest.raises(ValueError, match="one row per"):
        year_over_year(pd.concat([TWO_ERAS, TWO_ERAS.iloc[:1]]), 2021, 2022)
