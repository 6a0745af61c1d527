"""2025 exports (Opini Ombudsman): dimensions + kepercayaan, Tanpa Maladministrasi, no zones or grades."""

from __future__ import annotations

import csv

import openpyxl
import pandas as pd
import pytest

from kepatuhan_lib import schemas
from kepatuhan_lib.cli import main
from kepatuhan_lib.ingest import read_exports
from kepatuhan_lib.methodology import unit_categories
from kepatuhan_lib.commands import score_command
from kepatuhan_lib.scoring import entity_scores

HEADER = ["Tahun", "Provinsi", "Jenis Instansi", "Nama Instansi", "Unit Layanan", "Input", "Proses", "Output",
          "Pengaduan", "Kepercayaan Masyarakat", "Nilai", "Tingkat Kepatuhan", "Tanpa Maladministrasi"]
SOLOK = ["Sumatera Barat", "Pemerintah Kota", "Kota Solok"]
BUKIT = ["Sumatera Barat", "Pemerintah Kota", "Kota Bukittinggi"]
# Two entities: Solok flagged Tanpa Maladministrasi (units 86,50 and 90,10 -> 88,30 Kualitas Tertinggi),
# Bukittinggi not (units 60,74 and 70,00 -> 65,37 Kualitas Sedang). Dimension points are within the 2025 caps.
ROWS = [
    [*SOLOK, "Dinas Sosial", "14,00", "20,00", "15,00", "13,50", "24,00", "86,50", "Tinggi", "Ya"],
    [*SOLOK, "RSUD", "15,00", "21,00", "16,00", "14,10", "24,00", "90,10", "tinggi", "Ya"],
    [*BUKIT, "Dinas Sosial", "12,00", "16,00", "12,72", "12,00", "8,02", "60,74", "Sedang", "Tidak"],
    [*BUKIT, "RSUD", "13,00", "17,00", "13,00", "12,00", "15,00", "70,00", "", "Tidak"],
]


def _csv(path, rows, year=2025, header=HEADER):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows([[year, *row] for row in rows])
    return path


def _xlsx(path, rows, year=2025):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sumbar"
    sheet.append(["Rekap Nilai Unit 2025"])  # a title row above the header
    sheet.append(HEADER[:9] + ["Skor Kepercayaan", "Nilai", "Tingkat Kepatuhan", "TM"])  # the declared variants
    for row in rows:
        numbers = [float(v.replace(",", ".")) if v and v[0].isdigit() else v for v in row]
        sheet.append([year, *numbers])
    workbook.save(path)
    return path


def _scored(tmp_path, *files) -> tuple[int, pd.DataFrame]:
    out = tmp_path / "hasil.csv"
    code = score_command(list(files), out)
    return code, pd.read_csv(out, dtype=str, keep_default_na=False)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_2025_export_scores_with_opinion_and_tm_but_no_zone_or_grade(tmp_path, kind):
    path = _csv(tmp_path / "rekap_2025.csv", ROWS) if kind == "csv" else _xlsx(tmp_path / "rekap_2025.xlsx", ROWS)
    code, out = _scored(tmp_path, path)
    assert code == 0
    rows = out.set_index("entity")
    assert rows.loc["Kota Solok", "score"] == "88.30"  # (86.50 + 90.10) / 2
    assert rows.loc["Kota Solok", "opinion"] == "Kualitas Tertinggi Tanpa Maladministrasi"
    assert rows.loc["Kota Solok", "tm"] == "True"
    assert rows.loc["Kota Bukittinggi", "score"] == "65.37"  # (60.74 + 70.00) / 2, half-up
    assert rows.loc["Kota Bukittinggi", "opinion"] == "Kualitas Sedang"
    assert rows.loc["Kota Bukittinggi", "tm"] == "False"
    assert (out["zone"] == "").all() and (out["category"] == "").all()
    assert "tm" in list(out.columns)


def test_2025_units_carry_kepercayaan_compliance_level_and_flag(tmp_path):
    data = read_exports([_csv(tmp_path / "rekap.csv", ROWS)])
    assert not data.problems
    units = data.units
    schemas.UNITS.validate(units)
    assert units["kepercayaan"].tolist() == [24.0, 24.0, 8.02, 15.0]
    assert units["tingkat_kepatuhan"].tolist() == ["Tinggi", "Tinggi", "Sedang", pd.NA]  # as declared
    assert units["tanpa_maladministrasi"].tolist() == [True, True, False, False]
    assert unit_categories(units).tolist() == ["Baik", "Sangat Baik", "Cukup", "Cukup"]
    scores = entity_scores(units).set_index("entity")
    assert scores["tm"].dtype == "boolean" and scores.loc["Kota Solok", "tm"]


def test_nilai_is_the_sum_of_the_parts_when_only_the_parts_are_given(tmp_path):
    rows = [[*row[:9], "", *row[10:]] for row in ROWS]  # Nilai empty: dimensions + kepercayaan
    data = read_exports([_csv(tmp_path / "rekap.csv", rows)])
    assert not data.problems
    assert data.units["nilai"].round(2).tolist() == [86.5, 90.1, 60.74, 70.0]
    without = [[*row[:8], "", "", *row[10:]] for row in ROWS[:1]]  # neither Nilai nor kepercayaan
    (problem,) = read_exports([_csv(tmp_path / "half.csv", without)]).problems
    assert (problem.row, problem.column) == (2, "Nilai")
    assert "or all four dimensions and Kepercayaan Masyarakat" in problem.message


def test_validate_names_every_2025_violation(tmp_path, capsys):
    bad = [
        [*SOLOK, "Dinas Sosial", "14,00", "20,00", "15,00", "13,50", "31", "93,50", "Tinggi", "Ya"],  # 2: kepercayaan 31
        [*SOLOK, "RSUD", "15,30", "21,00", "16,00", "14,10", "24,00", "90,40", "Tinggi", "Tidak"],  # 3: Input cap
        [*BUKIT, "Dinas Sosial", "12,00", "16,00", "12,72", "12,00", "8,02", "61,00", "Sedang", "Tidak"],  # 4: sum
        [*BUKIT, "RSUD", "13,00", "17,00", "13,00", "12,00", "15,00", "70,00", "Lumayan", "Tidak"],  # 5: level
    ]
    path = _csv(tmp_path / "rekap.csv", bad)
    assert main(["validate", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    expected = [
        f"{path}:2:Kepercayaan Masyarakat: 31 is outside the kepercayaan masyarakat part, 0-30",
        f"{path}:3:Input: 15,3 is above the cap of the Input dimension, 15,295",
        f"{path}:4:Nilai: 61 disagrees with the sum of its dimensions and Kepercayaan Masyarakat, 60,74",
        f"{path}:5:Tingkat Kepatuhan: 'Lumayan' is not a compliance level; expected Tinggi, Sedang, Rendah",
    ]
    for line, start in zip(lines, expected, strict=False):
        assert line.startswith(start), (line, start)
    assert lines[-1] == "1 file, 4 rows: 0 ok, 4 rejected; 4 problems in 1 file"


def test_tm_must_be_the_same_on_every_row_of_the_entity(tmp_path, capsys):
    rows = [ROWS[0], [*ROWS[1][:-1], "Tidak"], *ROWS[2:]]
    path = _csv(tmp_path / "rekap.csv", rows)
    assert main(["validate", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{path}:2:Tanpa Maladministrasi: Ya: Tanpa Maladministrasi differs between the "
                               "unit rows of Kota Solok 2025")
    assert lines[1].startswith(f"{path}:3:Tanpa Maladministrasi: Tidak: Tanpa Maladministrasi differs")
    code, out = _scored(tmp_path, path)
    assert code == 1 and out["entity"].tolist() == ["Kota Bukittinggi"]  # Solok is left unscored


def test_2025_columns_are_refused_in_an_older_era_and_a_flag_must_be_ya_or_tidak(tmp_path):
    rows = [[*SOLOK, "Dinas Sosial", "", "", "", "", "24,00", "80,00", "Tinggi", "Ya"]]
    problems = read_exports([_csv(tmp_path / "old.csv", rows, year=2021)]).problems
    assert {p.column for p in problems} == {"Kepercayaan Masyarakat", "Tingkat Kepatuhan", "Tanpa Maladministrasi"}
    assert all("Survei Kepatuhan 2016-2021 has no" in p.message for p in problems)
    rows = [[*SOLOK, "Dinas Sosial", "", "", "", "", "", "80,00", "", "mungkin"]]
    (problem,) = read_exports([_csv(tmp_path / "flag.csv", rows)]).problems
    assert problem.message == "'mungkin' is not a flag; expected Ya or Tidak"


def test_a_2026_export_scores_with_no_code_change(tmp_path):
    code, out = _scored(tmp_path, _csv(tmp_path / "rekap_2026.csv", ROWS, year=2026))
    assert code == 0
    assert out["year"].tolist() == ["2026", "2026"]
    assert out.set_index("entity").loc["Kota Solok", "opinion"] == "Kualitas Tertinggi Tanpa Maladministrasi"


def test_a_minimal_2025_recap_is_just_nilai(tmp_path):
    header = ["Tahun", "Provinsi", "Jenis Instansi", "Nama Instansi", "Unit Layanan", "Nilai"]
    rows = [[*SOLOK, "Dinas Sosial", "31,99"], [*SOLOK, "RSUD", "31,99"]]
    code, out = _scored(tmp_path, _csv(tmp_path / "rekap.csv", rows, header=header))
    assert code == 0
    assert out[["score", "opinion", "zone", "tm"]].values.tolist() == [["31.99", "Kualitas Terendah", "", ""]]
