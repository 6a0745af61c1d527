"""Scoring: answers -> unit points -> entity scores, and the `kepatuhan score` command end to end."""

from __future__ import annotations

import pandas as pd
import pytest

from kepatuhan_lib import schemas
from kepatuhan_lib.cli import main
from kepatuhan_lib.errors import MethodologyError, UsageError
from kepatuhan_lib.methodology import round_half_up
from kepatuhan_lib.commands import score_command
from kepatuhan_lib.scoring import entity_scores, unit_scores_from_answers

KAB = "Pemerintah Kabupaten"

# Published unit scores (real, see data/raw/published/published_results.csv) and the entity
# score announced for them.
LEBONG_2023 = ([94.13, 92.85, 92.47, 92.21, 91.89, 90.85, 89.57], 92.00, "A")
MALUKU_TENGGARA_2023 = ([49.85, 52.86, 55.09, 59.85, 62.06, 71.08, 74.82], 60.80, "C")
# Maluku Tenggara 2023 units published with their dimension points (Input, Proses, Output,
# Pengaduan) and unit score: the first adds up, the second is 0.01 off (rounded parts).
WATDEK_2023 = ((8.72, 10.76, 20.76, 9.61), 49.85)
DINAS_PENDIDIKAN_2023 = ((5.83, 16.42, 22.14, 8.46), 52.86)


def units_frame(nilai: list[float], year: int = 2023, entity_code: str = "81.02", koreksi=None, **extra) -> pd.DataFrame:
    n = len(nilai)
    return pd.DataFrame({
        "year": [year] * n, "entity_type": [KAB] * n, "province_code": [entity_code[:2]] * n,
        "entity_code": [entity_code] * n, "entity": ["Kabupaten X"] * n, "unit": [f"Unit {i}" for i in range(n)],
        "unit_type": extra.get("unit_type", ["Puskesmas"] * n), "nilai": pd.array(nilai, dtype="Float64"),
        "koreksi": pd.array([koreksi] * n, dtype="Float64"), "synthetic": extra.get("synthetic", [False] * n),
    })


@pytest.mark.parametrize("units,published,category", [LEBONG_2023, MALUKU_TENGGARA_2023])
def test_entity_score_is_the_rounded_mean_of_its_units(units, published, category):
    (row,) = entity_scores(units_frame(units)).itertuples()
    assert row.score == published and row.category == category and row.n_units == 7
    assert row.score_unrounded == pytest.approx(sum(units) / 7)


def test_published_dimension_points_add_up_to_the_unit_score_within_rounding():
    """Pins why a recap's Nilai may differ by 0.01 from the sum of its rounded dimensions."""
    (dims, nilai) = WATDEK_2023
    assert round_half_up(sum(dims)) == nilai
    (dims, nilai) = DINAS_PENDIDIKAN_2023
    assert round_half_up(sum(dims)) == 52.85 and nilai == 52.86
    # Parts that round to the published ones can sum to the published score.
    unrounded = (5.833, 16.423, 22.143, 8.463)
    assert [round_half_up(p) for p in unrounded] == list(dims) and round_half_up(sum(unrounded)) == nilai


def answer_rows(unit: str, dimension: str, indicator: str, weight: float, scores: list, **over) -> list[dict]:
    base = {"year": 2023, "entity_type": KAB, "province_code": "17", "entity_code": "17.06",
            "entity": "Kabupaten Mukomuko", "unit": unit, "unit_type": "Dinas Sosial", "dimension": dimension,
            "variable": "v", "indicator_code": indicator, "indicator": "i", "weight": weight,
            "source_file": "jawaban.csv", "source_sha256": "0" * 64, "source_sheet": None, "synthetic": False}
    return [{**base, "respondent": f"R{i}", "score": s, **over} for i, s in enumerate(scores)]


def hand_checked_answers() -> pd.DataFrame:
    rows = (
        answer_rows("Dinas Sosial", "Input", "IN1", 1, [1, 2, 2])  # mean 5/3 -> 21.85 x 5/9
        + answer_rows("Dinas Sosial", "Proses", "PR1", 2, [3, 3])  # (2 x 3 + 1 x 1.5) / (3 x 3) of 32.37
        + answer_rows("Dinas Sosial", "Proses", "PR2", 1, [0, 3])
        + answer_rows("Dinas Sosial", "Output", "OU1", 1, [2])  # 2/3 of 24.24
        + answer_rows("Dinas Sosial", "Pengaduan", "PG1", 1, [0, 1], synthetic=True)  # 1/6 of 21.54
    )
    frame = pd.DataFrame(rows)
    frame["source_row"] = range(2, len(frame) + 2)
    return frame.astype({"score": "Int64", "weight": "Float64"})


def test_dimension_points_from_answers_by_the_documented_model():
    """Pins the model: cap x sum(weight x mean score / 3) / sum(weight); nilai from unrounded parts."""
    (unit,) = unit_scores_from_answers(hand_checked_answers()).itertuples()
    assert unit.input == pytest.approx(21.85 * 5 / 9)  # 12.13888...
    assert unit.proses == pytest.approx(32.37 * 7.5 / 9)  # 26.975
    assert unit.output == pytest.approx(24.24 * 2 / 3)  # 16.16
    assert unit.pengaduan == pytest.approx(21.54 / 6)  # 3.59
    assert unit.nilai == pytest.approx(12.138888 + 26.975 + 16.16 + 3.59, abs=1e-5)
    # Rounding the parts first would give 58.87; the unrounded sum is 58.86.
    assert round_half_up(unit.nilai) == 58.86
    assert (unit.source_file, unit.source_row, unit.synthetic, unit.unit_type) == ("jawaban.csv", 2, True, "Dinas Sosial")
    assert pd.isna(unit.koreksi)


def test_units_from_answers_meet_the_units_schema():
    answers = hand_checked_answers()
    text = ["entity_type", "province_code", "entity_code", "entity", "unit", "unit_type", "dimension", "variable",
            "indicator_code", "indicator", "respondent", "source_file", "source_sha256", "source_sheet"]
    answers = answers.astype(dict.fromkeys(text, "string")).astype(dict.fromkeys(text, "category"))  # as ingest makes
    answers = schemas.ANSWERS.validate(answers.astype({"year": "Int16", "score": "Int16", "source_row": "Int64"})
                                       [schemas.ANSWER_COLUMNS])
    schemas.UNITS.validate(unit_scores_from_answers(answers))


def test_units_are_keyed_by_entity_and_unit_and_rows_may_arrive_in_any_order():
    answers = hand_checked_answers()
    other = answers.assign(unit="Puskesmas Ipuh", score=3)
    shuffled = pd.concat([answers, other]).sample(frac=1, random_state=3)
    units = unit_scores_from_answers(shuffled).set_index("unit")
    assert units.loc["Puskesmas Ipuh", "nilai"] == pytest.approx(100.0)
    assert units.loc["Dinas Sosial", "nilai"] == pytest.approx(unit_scores_from_answers(answers)["nilai"].iloc[0])


def test_a_dimension_without_answers_leaves_the_unit_score_missing_not_lower():
    answers = hand_checked_answers()
    units = unit_scores_from_answers(answers[answers["dimension"] != "Output"])
    assert units["output"].isna().all() and units["nilai"].isna().all()
    assert units["input"].notna().all()
    assert entity_scores(units)["score"].isna().all()


def test_answers_of_an_era_without_dimensions_are_refused():
    with pytest.raises(MethodologyError, match="2021"):
        unit_scores_from_answers(hand_checked_answers().assign(year=2021))
    with pytest.raises(MethodologyError, match="Integritas"):
        unit_scores_from_answers(hand_checked_answers().assign(dimension="Integritas"))


def test_half_up_at_the_end_and_classified_on_the_rounded_score():
    """Pins 77.995 -> 78.00 B hijau: the float mean of these units is 77.99499999..."""
    (row,) = entity_scores(units_frame([74.98, 83.90, 76.77, 76.33])).itertuples()
    assert row.score_unrounded < 77.995 and (row.score, row.category, row.zone) == (78.00, "B", "hijau")


def test_entity_mean_has_the_bits_of_scoring_each_entity_alone():
    """Pins the grouped mean to Series.mean of the entity's units in row order (pairwise summation):
    with 40 units the floats differ from a running sum, and a half-up boundary could move."""
    nilai = [round(50 + 47 * ((i * 7919) % 101) / 101, 2) for i in range(40)]
    units = pd.concat([units_frame(nilai[:25], entity_code="17.06"), units_frame(nilai, entity_code="81.02"),
                       units_frame(nilai[25:] + [pd.NA], entity_code="17.01")], ignore_index=True)
    scores = entity_scores(units.sample(frac=1, random_state=7).sort_values("unit", kind="stable")).set_index("entity_code")
    for code, rows in units.sort_values("unit", kind="stable").groupby("entity_code"):
        expected = rows["nilai"].mean(skipna=False)
        got = scores.loc[code, "score_unrounded"]
        assert (pd.isna(got) and pd.isna(expected)) or got == expected  # exact, not approx


@pytest.mark.parametrize("n_units", [1, 7, 8, 9, 15, 16, 17, 127, 128, 129, 300])
def test_entity_mean_has_the_bits_of_series_mean_at_every_size(n_units):
    """The means of all entities are summed together, position by position, as numpy sums one slice:
    one by one below 8 values, in 8 running sums up to 128, in halves beyond."""
    nilai = [round(40 + 59 * ((i * 7919) % 997) / 997, 3) for i in range(n_units)]
    units = pd.concat([units_frame(nilai, entity_code="81.02"), units_frame(nilai[::-1], entity_code="17.06")],
                      ignore_index=True)
    scores = entity_scores(units).set_index("entity_code")
    for code, rows in units.groupby("entity_code"):
        assert scores.loc[code, "score_unrounded"] == rows["nilai"].mean(skipna=False)  # exact, not approx


def test_koreksi_is_subtracted_before_rounding_and_kept():
    (row,) = entity_scores(units_frame([90.0, 88.5], koreksi=2.505)).itertuples()
    assert row.koreksi == 2.505 and row.score == round_half_up(89.25 - 2.505) == 86.75
    assert row.category == "B"


def test_entity_row_carries_unit_types_count_and_synthetic_label():
    units = pd.concat([
        units_frame([80.0, 81.0, 82.0], unit_type=["RSUD", "DPMPTSP", "RSUD"], synthetic=[False, True, False]),
        units_frame([60.0], entity_code="17.06", year=2021),
    ], ignore_index=True)
    scores = entity_scores(units).set_index("entity_code")
    assert scores.loc["81.02", "unit_types"] == "DPMPTSP;RSUD" and scores.loc["81.02", "n_units"] == 3
    assert bool(scores.loc["81.02", "synthetic"]) and not bool(scores.loc["17.06", "synthetic"])
    assert pd.isna(scores.loc["17.06", "category"]) and scores.loc["17.06", "opinion"] == "Kepatuhan Sedang"


# --- the `kepatuhan score` command ---------------------------------------------------------------

RECAP_HEADER = "Tahun;Provinsi;Jenis Instansi;Nama Instansi;Kode Wilayah;Unit Layanan;Input;Proses;Output;Pengaduan;Nilai"
ANSWER_HEADER = ("Tahun,Provinsi,Jenis Instansi,Nama Instansi,Kode Wilayah,Unit Layanan,Dimensi,Variabel,"
                 "Kode Indikator,Indikator,Responden,Bobot,Skor")


def recap_csv(path, lines: list[str]):
    path.write_text("\n".join([RECAP_HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_usage_error_when_out_is_not_a_csv(tmp_path):
    with pytest.raises(UsageError, match="csv"):
        score_command([tmp_path / "x.csv"], tmp_path / "out.xlsx")


def test_usage_error_for_a_missing_input_file(tmp_path):
    with pytest.raises(UsageError, match="nope.csv"):
        score_command([tmp_path / "nope.csv"], tmp_path / "out.csv")


def test_score_command_recap_and_answers_end_to_end(tmp_path, capsys):
    recap = recap_csv(tmp_path / "rekap.csv", [
        "2023;Maluku;Pemerintah Kabupaten;Kabupaten Maluku Tenggara;81.02;Puskesmas Watdek;8,72;10,76;20,76;9,61;49,85",
        "2023;Maluku;Pemerintah Kabupaten;Kabupaten Maluku Tenggara;81.02;Dinas Pendidikan;5,83;16,42;22,14;8,46;52,86",
        "2023;Maluku;Pemerintah Kabupaten;Kab. Maluku Tenggara;;Puskesmas Kolser;;;;;55,09",
        "2021;Bengkulu;Pemerintah Kabupaten;Kabupaten Mukomuko;17.06;DPMPTSP;;;;;70,00",
    ])
    answers = tmp_path / "jawaban.csv"
    answers.write_text("\n".join([ANSWER_HEADER] + [
        f"2023,Bengkulu,Pemerintah Kabupaten,Kabupaten Lebong,17.07,Dinas Sosial,{dim},V,{code},Ind,R1,1,3"
        for dim, code in [("Input", "I1"), ("Proses", "P1"), ("Output", "O1"), ("Pengaduan", "A1")]
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "hasil.csv"

    assert score_command([recap, answers], out) == 0
    table = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("entity_code")
    assert {"year", "entity_type", "province_code", "entity", "n_units", "score", "category", "opinion", "zone"} \
        <= set(table.columns)
    assert table.loc["81.02", "score"] == "52.60"  # (49.85 + 52.86 + 55.09) / 3
    assert table.loc["17.07", "score"] == "100.00" and table.loc["17.07", "category"] == "A"
    assert table.loc["17.06", "category"] == "" and table.loc["17.06", "zone"] == "kuning"
    assert not (tmp_path / "hasil.rejects.csv").exists()
    assert "hasil.csv" in capsys.readouterr().err


def test_score_command_leaves_an_entity_with_a_rejected_row_unscored(tmp_path):
    recap = recap_csv(tmp_path / "rekap.csv", [
        "2024;Bengkulu;Pemerintah Kabupaten;Kabupaten Rejang Lebong;17.02;DPMPTSP;20;30;24;20;94,00",
        "2024;Bengkulu;Pemerintah Kabupaten;Kabupaten Rejang Lebong;17.02;Dinas Sosial;20;30;24;20;250",
        "2024;Bengkulu;Pemerintah Kabupaten;Kabupaten Kaur;17.04;DPMPTSP;20;30;24;20;94,00",
    ])
    out = tmp_path / "hasil.csv"
    assert score_command([recap], out) == 1
    scored = pd.read_csv(out, dtype=str)
    assert scored["entity_code"].tolist() == ["17.04"]  # Kaur scored, Rejang Lebong not
    rejects = pd.read_csv(tmp_path / "hasil.rejects.csv", dtype=str)
    assert list(rejects.columns[:6]) == ["file", "sheet", "row", "column", "value", "reason"]
    assert "3" in rejects["row"].tolist()  # the spreadsheet row of the score of 250
    assert rejects["value"].str.contains("17.02").any()  # and the entity left unscored


def test_a_rejected_row_of_an_unknown_entity_holds_back_its_year_province_and_type(tmp_path):
    """Pins the rule for rows ingest cannot attribute: "Kab. Mukomoko" may be a unit of any 2024 Bengkulu kabupaten."""
    recap = recap_csv(tmp_path / "rekap.csv", [
        "2024;Bengkulu;Pemerintah Kabupaten;Kab. Kaur;;DPMPTSP;;;;;77,995",
        "2024;Bengkulu;Pemerintah Kabupaten;Kab. Mukomoko;;DPMPTSP;;;;;70",
        "2021;Bengkulu;Pemerintah Kota;Kota Bengkulu;;DPMPTSP;;;;;70",
    ])
    other = recap_csv(tmp_path / "lain.csv", ["2024;Bengkulu;Pemerintah Kabupaten;Kab. Kaur;;Dinas Sosial;;;;;77,995"])
    out = tmp_path / "hasil.csv"
    assert score_command([recap], out) == 1
    assert pd.read_csv(out, dtype=str)["entity_code"].tolist() == ["17.71"]  # 2021: another year
    rejects = pd.read_csv(tmp_path / "hasil.rejects.csv", dtype=str)
    assert rejects["reason"].str.contains("Kabupaten Mukomuko").any()
    assert rejects["value"].str.contains("17.04").any()  # Kaur listed as not scored

    assert score_command([other], out) == 0 and not (tmp_path / "hasil.rejects.csv").exists()
    (row,) = pd.read_csv(out, dtype=str).itertuples()
    assert (row.score, row.category, row.zone) == ("78.00", "B", "hijau")


def test_score_refuses_a_row_whose_name_contradicts_its_code(tmp_path):
    recap = recap_csv(tmp_path / "rekap.csv", [
        "2023;Maluku;Pemerintah Kota;Kota Ambon;81.01;DPMPTSP;;;;;80",
        "2023;Maluku;Pemerintah Kabupaten;Kabupaten Maluku Tengah;81.01;Dinas Sosial;;;;;80",
    ])
    out = tmp_path / "hasil.csv"
    assert score_command([recap], out) == 1
    assert pd.read_csv(out, dtype=str).empty  # neither Maluku Tengah (the code) nor Kota Ambon (the name)
    rejects = pd.read_csv(tmp_path / "hasil.rejects.csv", dtype=str)
    named = rejects[rejects["column"] == "Nama Instansi"]
    assert named["row"].tolist() == ["2"] and "81.01 is Kabupaten Maluku Tengah" in named["reason"].iloc[0]


def test_score_goes_on_past_a_malformed_file(tmp_path, capsys):
    good = recap_csv(tmp_path / "rekap.csv", ["2024;Bengkulu;Pemerintah Kabupaten;Kabupaten Kaur;17.04;DPMPTSP;;;;;80"])
    import zipfile

    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(RECAP_HEADER.split(";"))
    workbook.save(tmp_path / "whole.xlsx")
    broken = tmp_path / "rusak.xlsx"
    with zipfile.ZipFile(tmp_path / "whole.xlsx") as zin, zipfile.ZipFile(broken, "w") as zout:
        for item in zin.infolist():  # the sheet's XML cut in half: the zip opens, its XML does not parse
            data = zin.read(item.filename)
            zout.writestr(item, data[: len(data) // 2] if item.filename.startswith("xl/worksheets/") else data)
    out = tmp_path / "hasil.csv"
    assert main(["score", str(broken), str(good), "--out", str(out)]) == 1
    assert "internal error" not in capsys.readouterr().err
    assert pd.read_csv(out, dtype=str)["entity_code"].tolist() == ["17.04"]
    rejects = pd.read_csv(tmp_path / "hasil.rejects.csv", dtype=str)
    assert rejects["file"].tolist() == [str(broken)] and rejects["row"].isna().all()


@pytest.mark.parametrize("out_name, why", [
    ("rekap.csv", "would overwrite the input file"),  # the input itself
    ("hasil.csv", "would overwrite the input file"),  # its rejects file, hasil.rejects.csv, is an input
    ("data/raw/exports/hasil.csv", "data/raw/ holds inputs only"),
    ("catatan.txt/hasil.csv", "cannot write in"),  # a folder that is a file
])
def test_score_out_never_overwrites_an_input_nor_writes_under_raw(tmp_path, monkeypatch, capsys, out_name, why):
    from kepatuhan_lib import config

    monkeypatch.setattr(config, "RAW_DIR", tmp_path / "data" / "raw")
    recap = recap_csv(tmp_path / "rekap.csv", ["2024;Bengkulu;Pemerintah Kabupaten;Kabupaten Kaur;17.04;DPMPTSP;;;;;80"])
    rejects_input = recap_csv(tmp_path / "hasil.rejects.csv", [])
    (tmp_path / "catatan.txt").write_text("x")
    before = {p: p.read_bytes() for p in (recap, rejects_input)}
    assert main(["score", str(recap), str(rejects_input), "--out", str(tmp_path / out_name)]) == 2
    assert why in capsys.readouterr().err
    assert {p: p.read_bytes() for p in before} == before
    assert not (tmp_path / "data").exists()
