"""Methodology declarations: bands of every era, caps, half-up rounding, loader validation."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest

from kepatuhan_lib import config
from kepatuhan_lib.errors import MethodologyError
from kepatuhan_lib.methodology import (
    Classification, classify, classify_frame, comparability, dimension_caps, era, load_eras, round_half_up,
    score_scale, unit_categories, unit_category,
)
from kepatuhan_lib.published import load_published

KAB = "Pemerintah Kabupaten"

# (year, entity type, score, zone, category, opinion): both sides of every declared boundary.
BAND_BOUNDARIES = [
    (2015, "Pemerintah Kota", 38.99, "merah", None, "Kepatuhan Rendah"),  # gap 38-39 falls to merah
    (2015, "Pemerintah Kota", 39.00, "kuning", None, "Kepatuhan Sedang"),
    (2015, "Pemerintah Provinsi", 60.99, "kuning", None, "Kepatuhan Sedang"),  # gap 60-61 falls to kuning
    (2015, "Pemerintah Provinsi", 61.00, "hijau", None, "Kepatuhan Tinggi"),
    (2015, KAB, 75.00, "hijau", None, "Kepatuhan Tinggi"),
    (2016, KAB, 50.99, "merah", None, "Kepatuhan Rendah"),
    (2016, KAB, 51.00, "kuning", None, "Kepatuhan Sedang"),
    (2019, "Kementerian", 80.99, "kuning", None, "Kepatuhan Sedang"),
    (2021, "Lembaga", 81.00, "hijau", None, "Kepatuhan Tinggi"),
    (2017, KAB, 80.99, "kuning", None, "Kepatuhan Sedang"),  # regional 2017 stays 0-100
    (2017, KAB, 81.00, "hijau", None, "Kepatuhan Tinggi"),
    (2017, "Kementerian", 88.99, "kuning", None, "Kepatuhan Sedang"),
    (2017, "Kementerian", 89.00, "hijau", None, "Kepatuhan Tinggi"),
    (2017, "Lembaga", 55.99, "merah", None, "Kepatuhan Rendah"),
    (2017, "Lembaga", 56.00, "kuning", None, "Kepatuhan Sedang"),
    (2017, "Polres", 110.00, "hijau", None, "Kepatuhan Tinggi"),
    (2022, KAB, 87.99, "hijau", "B", "Kualitas Tinggi"),
    (2022, KAB, 88.00, "hijau", "A", "Kualitas Tertinggi"),
    (2023, "Pemerintah Kota", 77.99, "kuning", "C", "Kualitas Sedang"),
    (2023, "Pemerintah Kota", 78.00, "hijau", "B", "Kualitas Tinggi"),
    (2024, "Pemerintah Provinsi", 53.99, "merah", "D", "Kualitas Rendah"),
    (2024, "Pemerintah Provinsi", 54.00, "kuning", "C", "Kualitas Sedang"),
    (2024, "Polres", 31.99, "merah", "E", "Kualitas Terendah"),
    (2024, "Polres", 32.00, "merah", "D", "Kualitas Rendah"),
    (2022, "Kantor Pertanahan", 0.00, "merah", "E", "Kualitas Terendah"),
]


@pytest.mark.parametrize("year,entity_type,score,zone,category,opinion", BAND_BOUNDARIES)
def test_every_band_boundary(year, entity_type, score, zone, category, opinion):
    assert classify(score, year, entity_type) == Classification(zone, category, opinion)


def test_half_up_before_classifying():
    """Pins 77.995 -> 78.00 -> B hijau, also when float arithmetic lands on 77.99499999..."""
    mean = sum([74.98, 83.90, 76.77, 76.33]) / 4  # decimal 77.995; the float is just below it
    assert mean < Decimal("77.995") and round(mean, 2) == 77.99  # the premise: naive rounding fails
    for score in (77.995, mean):
        assert round_half_up(score) == 78.00
        assert classify(score, 2023, KAB) == Classification("hijau", "B", "Kualitas Tinggi")


def test_round_half_up_matches_decimal_rounding_of_the_typed_value():
    rng = np.random.default_rng(7)
    typed = np.round(rng.uniform(0, 110, 20_000), 3)  # 3-dp values: a third are exact halves
    means = rng.uniform(0, 100, (5_000, 7)).round(2).mean(axis=1)  # entity means of 7 units
    for values in (typed, means, -typed):
        expected = [float(Decimal(repr(float(v))).quantize(Decimal("0.01"), ROUND_HALF_UP)) for v in values]
        assert round_half_up(values).tolist() == expected


def test_round_half_up_scalar_series_and_array_agree_and_keep_missing():
    values = [77.995, 2.675, 1.005, 60.80142857142857, 0.0]
    series = round_half_up(pd.Series(values + [None], dtype="Float64"))
    assert series.dtype == "Float64" and series.isna().tolist() == [False] * 5 + [True]
    assert series.iloc[:5].tolist() == round_half_up(np.array(values)).tolist() == [round_half_up(v) for v in values]
    assert series.iloc[:5].tolist() == [78.0, 2.68, 1.01, 60.8, 0.0]
    assert round_half_up(None) is None and round_half_up(pd.NA) is pd.NA
    assert round_half_up(1.23456, 3) == 1.235


def test_no_declaration_for_2020_or_an_unknown_entity_type():
    with pytest.raises(MethodologyError, match="2020"):
        classify(70.0, 2020, KAB)
    with pytest.raises(MethodologyError, match="Kabupaten"):
        classify(70.0, 2023, "Kabupaten")


def test_score_outside_the_scale_is_refused():
    assert score_scale(2017, "Kementerian") == 110.0 and score_scale(2015, KAB) == 75.0
    with pytest.raises(MethodologyError, match="0-100"):
        classify(100.5, 2023, KAB)
    with pytest.raises(MethodologyError, match="0-75"):
        classify_frame(pd.DataFrame({"year": [2015], "entity_type": [KAB], "score": [80.0]}))


# (score, entity opinion, unit category) on both sides of every 2025 cut point (methodology-2025.md).
BOUNDARIES_2025 = [
    (31.99, "Kualitas Terendah", "Sangat Kurang"), (32.00, "Kualitas Rendah", "Kurang"),
    (53.99, "Kualitas Rendah", "Kurang"), (54.00, "Kualitas Sedang", "Cukup"),
    (77.99, "Kualitas Sedang", "Cukup"), (78.00, "Kualitas Tinggi", "Baik"),
    (87.99, "Kualitas Tinggi", "Baik"), (88.00, "Kualitas Tertinggi", "Sangat Baik"),
    (100.00, "Kualitas Tertinggi", "Sangat Baik"),
]


@pytest.mark.parametrize("year", [2025, 2026])
@pytest.mark.parametrize("score,opinion,category", BOUNDARIES_2025)
def test_2025_opinion_and_unit_category_without_zone_or_grade(year, score, opinion, category):
    assert classify(score, year, KAB) == Classification(None, None, opinion)
    assert classify(score, year, "Lapas", tm=True) == Classification(None, None, f"{opinion} Tanpa Maladministrasi")
    assert unit_category(score, year, "Polres") == category


def test_tm_never_changes_the_band_and_means_nothing_before_2025():
    assert classify(77.995, 2025, KAB, tm=True).opinion == "Kualitas Tinggi Tanpa Maladministrasi"  # half-up first
    assert classify(88.0, 2024, KAB, tm=True) == classify(88.0, 2024, KAB)
    assert unit_category(88.0, 2024, KAB) is None and unit_category(None, 2025, KAB) is None
    frame = pd.DataFrame({"year": [2025, 2025, 2025, 2024], "entity_type": [KAB] * 4,
                          "score": pd.array([88.0, 88.0, None, 88.0], dtype="Float64"),
                          "tm": pd.array([True, pd.NA, True, True], dtype="boolean")})
    out = classify_frame(frame)
    assert out["opinion"].tolist() == ["Kualitas Tertinggi Tanpa Maladministrasi", "Kualitas Tertinggi", pd.NA,
                                       "Kualitas Tertinggi"]
    assert out["zone"].tolist()[:2] == [pd.NA, pd.NA] and out["category"].tolist()[:2] == [pd.NA, pd.NA]
    units = pd.DataFrame({"year": [2025, 2026, 2024], "entity_type": ["Polres", "Lapas", KAB],
                          "nilai": pd.array([60.74, 92.36, 90.0], dtype="Float64")})
    assert unit_categories(units).tolist() == ["Cukup", "Sangat Baik", pd.NA]


def test_2025_is_a_separate_series_with_its_own_parts_and_caps():
    e = era(2025, KAB)
    assert e.series != era(2024, KAB).series and era(2026, "Lapas") is e
    assert e.components == {"dimensi": 70.0, "kepercayaan": 30.0}
    caps = dimension_caps(2026, KAB)
    assert caps == {"Input": 15.295, "Proses": 22.659, "Output": 16.968, "Pengaduan": 15.078}
    assert round(sum(caps.values()), 6) == e.components["dimensi"]
    assert e.confidence("caps", 2025) == "LOW" and e.confidence("lowest-band", 2026) == "LOW"
    assert e.unit_categories() == ("Sangat Baik", "Baik", "Cukup", "Kurang", "Sangat Kurang")


def test_adding_a_year_to_the_2025_era_is_adding_data(tmp_path):
    for path in config.METHODOLOGY_DIR.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        (tmp_path / path.name).write_text(text.replace("years = [2025, 2026]", "years = [2025, 2026, 2027]"))
    (later,) = [e for e in load_eras(tmp_path) if 2027 in e.years]
    assert later.id == "opini-ombudsman-2025" and later.classify(54.0).opinion == "Kualitas Sedang"


def test_every_published_2025_score_gets_its_published_opinion_and_category():
    """Pins the 2025 cut points against every scored 2025 fact of release 2 (opinion and unit category)."""
    facts, _ = load_published()
    scored = facts[facts["score"].notna() & facts["component"].isna() & (facts["year"] >= 2025)]
    with_opinion, with_category = scored[scored["opinion"].notna()], scored[scored["unit_category"].notna()]
    assert len(with_opinion) >= 15 and len(with_category) >= 25
    variants = {v.casefold() for v in era(2025, "Pemerintah Kota").opinion_variants}
    for row in with_opinion.itertuples():
        got = classify(row.score, row.year, row.entity_type, tm=row.tm).opinion
        if row.opinion.casefold().removesuffix(" tanpa maladministrasi") in variants:  # the source's own wording
            assert (row.entity, got) == ("Kota Yogyakarta", "Kualitas Tertinggi Tanpa Maladministrasi"), row
            continue
        assert got == row.opinion, row
    for row in with_category.itertuples():
        assert unit_category(row.score, row.year, row.entity_type) == row.unit_category, row


def test_caps_declared_for_2022_to_2024_only_and_sum_to_the_scale():
    caps = {"Input": 21.85, "Proses": 32.37, "Output": 24.24, "Pengaduan": 21.54}
    for year in (2022, 2023, 2024):
        assert dimension_caps(year, "Polres") == caps
    assert dimension_caps(2021, KAB) == {} and dimension_caps(2017, "Kementerian") == {}
    e = era(2024, KAB)
    assert e.label == "Opini Pengawasan 2022-2024"
    assert (e.confidence("caps", 2023), e.confidence("caps", 2024), e.confidence("bands", 2024)) == ("HIGH", "MED", "HIGH")
    assert era(2015, KAB).confidence("bands", 2015) == "MED"


def test_comparability_flags():
    assert comparability(2021, 2022, KAB) == ["metode berbeda"]
    assert comparability(2024, 2025, KAB) == ["seri berbeda"]
    assert comparability(2021, 2026, "Polres") == ["seri berbeda"]
    assert comparability(2025, 2026, "Kantor Imigrasi") == []
    assert comparability(2022, 2024, KAB) == []
    assert comparability(2019, 2021, KAB) == []  # same survey; 2020 simply had none
    assert comparability(2016, 2017, "Kementerian") == ["metode berbeda"]  # 0-100 -> 0-110
    assert comparability(2016, 2017, KAB) == []


def test_classify_frame_matches_classify_row_by_row():
    frame = pd.DataFrame(
        [(y, t, s) for y, t, s, *_ in BAND_BOUNDARIES] + [(2023, KAB, None), (2025, KAB, 50.0)],
        columns=["year", "entity_type", "score"],
    ).astype({"score": "Float64"})
    out = classify_frame(frame)
    assert list(out.columns) == ["year", "entity_type", "score", "zone", "category", "opinion"]
    assert all(out[c].dtype == "string" for c in ("zone", "category", "opinion"))
    for row in out.itertuples():
        expected = classify(None if pd.isna(row.score) else row.score, row.year, row.entity_type)
        got = tuple(None if pd.isna(v) else v for v in (row.zone, row.category, row.opinion))
        assert got == tuple(expected)


def _published_grade(opinion: str) -> tuple[str | None, str | None]:
    """Grade letter and opinion text from the press wordings: 'A - Kualitas ...', 'A', 'Kepatuhan Tinggi (B)'."""
    if not opinion:
        return None, None
    m = re.fullmatch(r"([A-E])(?: - (.+))?", opinion) or re.fullmatch(r"(?:.+) \(([A-E])\)", opinion)
    if m:
        return m.group(1), (m.group(2) if m.re.groups == 2 else None)
    return None, opinion


def test_every_published_score_gets_its_published_zone_and_grade():
    """Pins the declared bands against every scored row of the real published data.

    The one disagreement is a misprint: 2017 Polres Tanah Datar "SIM baru perseorangan" 95.50
    printed as kuning, above the 2017 Polri green bound (89) and greener than the same source's
    hijau rows at 90.00 and 95.00.
    """
    facts = pd.read_csv(config.PUBLISHED_RAW_CSV, dtype=str, keep_default_na=False)
    scored = facts[facts["score"] != ""]
    assert len(scored) > 450
    mismatches = []
    for row in scored.itertuples():
        got = classify(float(row.score), int(row.year), row.entity_type)
        category, opinion = _published_grade(row.opinion)
        if ((row.zone and row.zone != got.zone) or (category and category != got.category)
                or (opinion and opinion != got.opinion)):
            mismatches.append((row.year, row.entity, row.unit, row.score, row.zone))
    assert mismatches == [("2017", "Polres Tanah Datar", "SIM baru perseorangan (A/C)", "95.50", "kuning")]


# --- loader validation -----------------------------------------------------------------------------

GOOD_ERA = """
id = "x"
label = "X"
series = "s"
years = [2030]
entity_types = "all"
scale = 100.0
source = "test"
[[bands]]
min = 0.0
zone = "merah"
opinion = "Rendah"
as_published = "< 50"
[[bands]]
min = 50.0
zone = "hijau"
opinion = "Tinggi"
as_published = ">= 50"
"""


def test_loader_accepts_a_valid_declaration(tmp_path):
    (tmp_path / "x.toml").write_text(GOOD_ERA)
    (e,) = load_eras(tmp_path)
    assert e.classify(49.99).zone == "merah" and e.classify(50.0).zone == "hijau"


@pytest.mark.parametrize("edit,message", [
    (lambda t: t.replace("min = 50.0", "min = 0.0"), "strictly ascending"),
    (lambda t: t.replace("min = 0.0", "min = 10.0"), "must start at 0"),
    (lambda t: t.replace("min = 50.0", "min = 100.0"), "not below the scale"),
    (lambda t: t.replace('zone = "hijau"', 'zone = "biru"'), "biru"),
    (lambda t: t.replace('entity_types = "all"', 'entity_types = ["Pemkab"]'), "Pemkab"),
    (lambda t: t + "[caps]\nInput = 20.0\nProses = 30.0\nOutput = 25.0\nPengaduan = 20.0\n", "sum to 95.00"),
    (lambda t: t.replace("scale = 100.0", "scale = 100.0\nscael = 1"), "unknown key 'scael'"),
    (lambda t: t + '[[rules]]\nabout = "bands"\nconfidence = "SURE"\nsource = "x"\n', "SURE"),
    (lambda t: t + "[components]\ndimensi = 70.0\nkepercayaan = 20.0\n", "components sum to 90.00"),
    (lambda t: t + "[components]\ndimensi = 70.0\nkepercayaan = 30.0\n"
                   "[caps]\nInput = 21.85\nProses = 32.37\nOutput = 24.24\nPengaduan = 21.54\n", "not 70.00"),
    (lambda t: t.replace('zone = "hijau"\n', ""), "either every band has a zone or none has"),
])
def test_loader_refuses_an_invalid_declaration(tmp_path, edit, message):
    (tmp_path / "x.toml").write_text(edit(GOOD_ERA))
    with pytest.raises(MethodologyError, match=re.escape(message)):
        load_eras(tmp_path)


def test_loader_reports_every_problem_of_every_file_and_double_declarations(tmp_path):
    (tmp_path / "a.toml").write_text(GOOD_ERA)
    (tmp_path / "b.toml").write_text(GOOD_ERA.replace('zone = "hijau"', 'zone = "biru"'))
    with pytest.raises(MethodologyError) as caught:
        load_eras(tmp_path)
    problems = caught.value.detail["problems"]
    assert any("b.toml: band 2" in p and "biru" in p for p in problems)
    assert any("2030 Kementerian is already declared by" in p for p in problems)


def test_shipped_declarations_are_valid_and_cover_every_assessed_year():
    eras = load_eras()
    years = sorted({y for e in eras for y in e.years})
    assert years == [2015, 2016, 2017, 2018, 2019, 2021, 2022, 2023, 2024, 2025, 2026]
