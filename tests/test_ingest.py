"""Reading exports: every messy-but-valid layout is accepted, every bad row is located exactly."""

from __future__ import annotations

import random

import openpyxl
import pandas as pd
import pytest

from kepatuhan_lib import schemas
from kepatuhan_lib.ingest import read_exports

RECAP_HEADER = ("Tahun;Provinsi;Jenis Instansi;Nama Instansi;Kode Wilayah;Unit Layanan;"
                "Input;Proses;Output;Pengaduan;Nilai Akhir")
ANSWER_HEADER = ("Tahun,Provinsi,Jenis Instansi,Nama Instansi,Kode Wilayah,Unit Layanan,Dimensi,Variabel,"
                 "Kode Indikator,Indikator,Responden,Bobot,Skor")
KAB = "Pemerintah Kabupaten"


def recap_row(unit="Dinas Kesehatan", nilai="94,00", dims=("20", "30", "24", "20"), year="2023",
              entity="Kabupaten Mukomuko", code="", province="Bengkulu", entity_type=KAB) -> str:
    return ";".join([year, province, entity_type, entity, code, unit, *dims, nilai])


def write(path, lines, encoding="utf-8"):
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def located(data) -> list[str]:
    return [p.location() for p in data.problems]


def assert_accounting(data):
    """Every data row is used or quarantined, and counted once."""
    assert data.rows_read == len(data.units) + len(data.answers) + data.rows_quarantined


# --- what bad input gets: the row is refused, located exactly ------------------------------------

GOOD = [recap_row(unit="DPMPTSP"), recap_row(unit="Dinas Sosial"), recap_row(unit="Puskesmas Taba Atas")]

BAD_ROWS = [  # (bad row at spreadsheet row 5, column as written, words of the message)
    (recap_row(nilai="101", dims=("", "", "", "")), "Nilai Akhir", ["101", "above the maximum score 100"]),
    (recap_row(dims=("22,5", "30", "24", "18,5"), nilai="95"), "Input", ["22,5", "above the cap", "21,85"]),
    (recap_row(nilai="-5", dims=("", "", "", "")), "Nilai Akhir", ["-5", "negative"]),
    (recap_row(dims=("-1", "30", "24", "20"), nilai="73"), "Input", ["-1", "negative"]),
    (recap_row(entity="Kabupaten Mukomok"), "Nama Instansi", ["Mukomok", "did you mean", "Mukomuko"]),
    (recap_row(year="2031"), "Tahun", ["2031", "2015-2030"]),
    (recap_row(year="2014"), "Tahun", ["2014", "2015-2030"]),
    (recap_row(year="dua ribu"), "Tahun", ["dua ribu", "not a year"]),
    (recap_row(nilai="sembilan", dims=("", "", "", "")), "Nilai Akhir",
     ["'sembilan' is not a number", "expected a score such as 90,02"]),
    (recap_row(dims=("20", "abc", "24", "20")), "Proses", ["'abc' is not a number", "90,02"]),
    (recap_row(nilai="95,00"), "Nilai Akhir", ["95", "disagrees with the sum of its dimensions", "94,00"]),
    (recap_row(dims=("20", "", "24", "20")), "Proses", ["empty while other dimensions are given"]),
    (recap_row(nilai="", dims=("", "", "", "")), "Nilai Akhir", ["empty", "expected a score"]),
    (recap_row(unit=""), "Unit Layanan", ["empty", "unit name"]),
    (recap_row(year="2021", nilai="80", dims=("20", "20", "20", "20")), "Input", ["has no dimension points"]),
    (recap_row(year="2020", nilai="80", dims=("", "", "", "")), "Tahun", ["no methodology declared for 2020"]),
]


@pytest.mark.parametrize("bad, column, words", BAD_ROWS, ids=[c + ":" + w[-1] for _, c, w in BAD_ROWS])
def test_bad_row_is_refused_with_file_row_column_value_and_expectation(tmp_path, bad, column, words):
    path = write(tmp_path / "f.csv", [RECAP_HEADER, *GOOD, bad])
    data = read_exports([path])
    assert len(data.units) == 3  # the good rows are kept
    assert f"{path}:5:{column}" in located(data)
    problem = next(p for p in data.problems if p.location() == f"{path}:5:{column}")
    for word in words:
        assert word in problem.message
    assert data.rows_quarantined == 1
    assert_accounting(data)


def test_all_problems_of_a_file_are_reported_at_once(tmp_path):
    path = write(tmp_path / "f.csv", [
        RECAP_HEADER, recap_row(year="2031"), recap_row(nilai="101", dims=("", "", "", "")), recap_row(entity="Xyz"),
    ])
    data = read_exports([path])
    assert located(data) == [f"{path}:2:Tahun", f"{path}:3:Nilai Akhir", f"{path}:4:Nama Instansi"]
    assert data.units.empty
    assert [p.value for p in data.problems] == ["2031", "101", "Xyz"]


def test_a_row_with_several_problems_reports_each_of_them(tmp_path):
    """Pins: an unknown entity does not hide a score above the scale, which Jenis Instansi and Tahun tell."""
    path = write(tmp_path / "f.csv", [RECAP_HEADER, recap_row(), recap_row(entity="Xyz", nilai="101", dims=("",) * 4),
                                      recap_row(entity="Xyz", entity_type="", nilai="101", dims=("",) * 4)])
    data = read_exports([path])
    assert located(data) == [f"{path}:3:Nama Instansi", f"{path}:3:Nilai Akhir", f"{path}:4:Nama Instansi"]
    assert "above the maximum score 100" in data.problems[1].message and data.problems[1].value == "101"
    assert data.rows_quarantined == 2 and len(data.units) == 1  # the row counts once
    assert_accounting(data)


def test_a_unit_listed_twice_with_different_scores_refuses_both_naming_the_other(tmp_path):
    path = write(tmp_path / "f.csv", [
        RECAP_HEADER, recap_row(unit="DPMPTSP"), recap_row(unit="Puskesmas Lubuk Pinang", nilai="80", dims=("", "", "", "")),
        recap_row(unit="Puskesmas Lubuk Pinang", nilai="81", dims=("", "", "", "")),
    ])
    data = read_exports([path])
    assert located(data) == [f"{path}:3:Nilai Akhir", f"{path}:4:Nilai Akhir"]
    assert "see row 4" in data.problems[0].message and "see row 3" in data.problems[1].message
    assert data.units["unit"].tolist() == ["DPMPTSP"]
    assert_accounting(data)


def test_two_spellings_of_a_one_per_entity_unit_are_the_same_unit(tmp_path):
    path = write(tmp_path / "f.csv", [
        RECAP_HEADER, recap_row(unit="DPMPTSP", nilai="90", dims=("", "", "", "")),
        recap_row(unit="Dinas Penanaman Modal dan PTSP", nilai="91", dims=("", "", "", "")),
    ])
    data = read_exports([path])
    assert located(data) == [f"{path}:2:Nilai Akhir", f"{path}:3:Nilai Akhir"]


def test_identical_duplicate_row_keeps_one_and_quarantines_the_other(tmp_path):
    path = write(tmp_path / "f.csv", [RECAP_HEADER, recap_row(unit="DPMPTSP"), recap_row(), recap_row()])
    data = read_exports([path])
    assert len(data.units) == 2
    assert [(p.location(), p.message) for p in data.problems] == [(f"{path}:4:", "duplicate of row 3")]
    assert_accounting(data)


def test_the_same_unit_in_two_files_is_compared_across_files(tmp_path):
    a = write(tmp_path / "a.csv", [RECAP_HEADER, recap_row(unit="RSUD Mukomuko", nilai="80", dims=("",) * 4)])
    b = write(tmp_path / "b.csv", [RECAP_HEADER, recap_row(unit="RSUD Mukomuko", nilai="82", dims=("",) * 4)])
    data = read_exports([a, b])
    assert sorted(located(data)) == [f"{a}:2:Nilai", f"{b}:2:Nilai"]
    assert f"{b} row 2" in data.problems[0].message or f"{a} row 2" in data.problems[0].message
    assert data.units.empty


# --- indicator answers ----------------------------------------------------------------------------

def answer_row(skor="3", bobot="1", dimension="Input", code="I1", respondent="R1", unit="Dinas Sosial") -> str:
    return (f"2023,Bengkulu,{KAB},Kabupaten Lebong,17.07,{unit},{dimension},Variabel 1,{code},"
            f"Indikator satu,{respondent},{bobot},{skor}")


def test_answers_are_read_into_the_canonical_answers_table(tmp_path):
    path = write(tmp_path / "jawaban.csv", [
        ANSWER_HEADER, answer_row(), answer_row(respondent="R2", skor="2"), answer_row(respondent="", bobot='"1,5"'),
        answer_row(dimension="pengaduan", code="A1"),
    ])
    data = read_exports([path])
    assert data.problems == []
    answers = data.answers
    assert list(answers.columns) == list(schemas.ANSWERS.columns)
    assert answers["score"].tolist() == [3, 2, 3, 3]
    assert answers["weight"].tolist() == [1.0, 1.0, 1.5, 1.0]
    assert answers["dimension"].tolist() == ["Input", "Input", "Input", "Pengaduan"]
    assert answers["respondent"].isna().tolist() == [False, False, True, False]
    assert answers["entity_code"].unique().tolist() == ["17.07"]
    assert answers["source_row"].tolist() == [2, 3, 4, 5]
    assert answers["unit_type"].iloc[0] == "Dinas Sosial"
    schemas.ANSWERS.validate(answers)


@pytest.mark.parametrize("row, column, words", [
    (answer_row(skor="4"), "Skor", ["4", "expected 0, 1, 2 or 3"]),
    (answer_row(skor='"1,5"'), "Skor", ["1,5", "expected 0, 1, 2 or 3"]),
    (answer_row(skor="tiga"), "Skor", ["'tiga' is not a number"]),
    (answer_row(bobot="0"), "Bobot", ["weight 0 must be above 0"]),
    (answer_row(bobot="-2"), "Bobot", ["must be above 0"]),
    (answer_row(bobot=""), "Bobot", ["Bobot is empty"]),
    (answer_row(dimension="Hasil"), "Dimensi", ["'Hasil' is not a dimension", "Input, Proses, Output or Pengaduan"]),
    (answer_row(code=""), "Kode Indikator", ["empty"]),
])
def test_bad_answer_rows_are_refused(tmp_path, row, column, words):
    path = write(tmp_path / "j.csv", [ANSWER_HEADER, answer_row(code="I0"), row])
    data = read_exports([path])
    problem = next(p for p in data.problems if p.location() == f"{path}:3:{column}")
    assert all(word in problem.message for word in words), problem.message
    assert len(data.answers) == 1
    assert_accounting(data)


def test_an_answer_given_twice_with_different_scores_is_refused(tmp_path):
    path = write(tmp_path / "j.csv", [ANSWER_HEADER, answer_row(skor="3"), answer_row(skor="1"), answer_row(code="I2")])
    data = read_exports([path])
    assert located(data) == [f"{path}:2:Skor", f"{path}:3:Skor"]
    assert data.answers["indicator_code"].tolist() == ["I2"]


# --- what real files look like: accepted ---------------------------------------------------------

def test_semicolon_csv_with_decimal_commas_percent_nbsp_and_missing_markers(tmp_path):
    path = write(tmp_path / "f.csv", [
        RECAP_HEADER,
        recap_row(unit="DPMPTSP", dims=("21,85", "32,37", "24,24", "21,54"), nilai="100,00 %"),
        recap_row(unit="Dinas Sosial  ", dims=("-", "n/a", "", "-"), nilai="\u00a090,02\u00a0"),
        recap_row(unit="Puskesmas\u00a0Taba Atas", dims=("8,72", "10,76", "20,76", "9,61"), nilai="49,85"),
        recap_row(unit="Dinas Pendidikan", dims=("5,83", "16,42", "22,14", "8,46"), nilai="52,86"),  # 0,01 off: ok
    ])
    data = read_exports([path])
    assert data.problems == []
    units = data.units
    assert units["nilai"].tolist() == [100.0, 90.02, 49.85, 52.86]
    assert units["unit"].tolist() == ["DPMPTSP", "Dinas Sosial", "Puskesmas Taba Atas", "Dinas Pendidikan"]
    assert units["input"].isna().tolist() == [False, True, False, False]
    assert units["input"].iloc[0] == 21.85


def test_nilai_is_the_sum_of_the_dimensions_when_left_empty(tmp_path):
    path = write(tmp_path / "f.csv", [RECAP_HEADER, recap_row(dims=("8,72", "10,76", "20,76", "9,61"), nilai="")])
    data = read_exports([path])
    assert data.units["nilai"].iloc[0] == pytest.approx(49.85)


def test_comma_csv_with_bom_and_header_variants(tmp_path):
    header = "\ufeffTAHUN, provinsi ,Jenis  Instansi,Nama Pemda,Kode Wilayah,Unit_Layanan,Nilai Akhir"
    path = write(tmp_path / "f.csv", [header, f"2021,Bengkulu,{KAB},Kabupaten Mukomuko,,Disdukcapil,\"70,5\""])
    data = read_exports([path])
    assert data.problems == []
    assert data.units[["year", "entity_code", "nilai", "unit_type"]].iloc[0].tolist() == [2021, "17.06", 70.5,
                                                                                         "Dinas Dukcapil"]


def test_cp1252_csv(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(("\r\n".join([RECAP_HEADER, recap_row(unit="Puskesmas Lubuk Pinang \u2013 Rawat Inap")]) + "\r\n")
                     .encode("cp1252"))
    data = read_exports([path])
    assert data.problems == []
    assert data.units["unit"].iloc[0] == "Puskesmas Lubuk Pinang \u2013 Rawat Inap"


def test_kode_wilayah_wins_over_the_name(tmp_path):
    path = write(tmp_path / "f.csv", [RECAP_HEADER, recap_row(entity="Muko-Muko", code="17.06")])
    data = read_exports([path])
    assert data.units["entity_code"].tolist() == ["17.06"]
    assert data.units["entity"].tolist() == ["Kabupaten Mukomuko"]


@pytest.mark.parametrize("name, entity_type, province, code", [
    ("Kab. Mukomuko", KAB, "Bengkulu", "17.06"),
    ("KABUPATEN MUKOMUKO", KAB, "Bengkulu", "17.06"),
    ("Pemkab Mukomuko", KAB, "Bengkulu", "17.06"),
    ("Muko-Muko", KAB, "Bengkulu", "17.06"),
    ("Kota Bengkulu", "Pemerintah Kota", "Bengkulu", "17.71"),
    ("OKU Timur", KAB, "Sumatera Selatan", "16.08"),
])
def test_entity_name_variants_resolve(tmp_path, name, entity_type, province, code):
    path = write(tmp_path / "f.csv", [RECAP_HEADER, recap_row(entity=name, entity_type=entity_type, province=province)])
    data = read_exports([path])
    assert data.problems == []
    assert data.units["entity_code"].tolist() == [code]


def test_blank_rows_and_footers_are_skipped_not_quarantined(tmp_path):
    path = write(tmp_path / "f.csv", [
        RECAP_HEADER, recap_row(unit="DPMPTSP"), ";;;;;;;;;;", "", recap_row(unit="Dinas Sosial"),
        "Rata-rata;;;;;;;;;;94,00", ";;;;;Jumlah;;;;;188", "  ;  ;;;;;;;;;",
    ])
    data = read_exports([path])
    assert data.problems == []
    assert data.units["source_row"].tolist() == [2, 5]  # spreadsheet rows, blank rows counted
    assert (data.rows_read, data.rows_skipped) == (2, 5)


def test_synthetic_flag_from_file_name_or_column(tmp_path):
    named = write(tmp_path / "rekap_sintetis_2023.csv", [RECAP_HEADER, recap_row()])
    flagged = write(tmp_path / "rekap.csv", [RECAP_HEADER + ";Data Sintetis", recap_row(unit="RSUD") + ";ya",
                                              recap_row(unit="DPMPTSP") + ";"])
    data = read_exports([named, flagged])
    assert data.units["synthetic"].tolist() == [True, True, False]


def test_provenance_and_canonical_dtypes(tmp_path):
    path = write(tmp_path / "f.csv", [RECAP_HEADER, recap_row()])
    units = read_exports([path]).units
    assert list(units.columns) == list(schemas.UNITS.columns)
    row = units.iloc[0]
    assert row["source_file"] == str(path) and row["source_row"] == 2 and pd.isna(row["source_sheet"])
    assert len(row["source_sha256"]) == 64
    assert units["entity"].dtype == pd.StringDtype() and units["nilai"].dtype == "Float64"
    assert units["year"].dtype == "Int16" and units["province_code"].tolist() == ["17"]


# --- .xlsx: title rows, merged header, several sheets, footers -----------------------------------

def messy_workbook(path):
    """Two province sheets with a title, a two-row merged header, merged entity cells and footers."""
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "Bengkulu"
    second = wb.create_sheet("Maluku")
    wb.create_sheet("Catatan")["A1"] = "Sumber: Ombudsman RI Perwakilan"  # a notes sheet: no table
    for ws, entity, units in [
        (first, "Kabupaten Mukomuko", [("DPMPTSP", 20, 30, 24, 20, 94), ("Dinas Sosial", 21.85, 32.37, 24.24, 21.54, 100)]),
        (second, "Kabupaten Maluku Tenggara", [("Puskesmas Watdek", 8.72, 10.76, 20.76, 9.61, "49,85")]),
    ]:
        ws["A1"] = "REKAP NILAI KEPATUHAN 2023"
        ws.merge_cells("A1:J1")
        ws["A2"] = "Perwakilan Ombudsman"
        for col, label in zip("ABCDE", ["Tahun", "Provinsi", "Jenis Instansi", "Nama Pemda", "Unit Layanan"]):
            ws[f"{col}3"] = label
            ws.merge_cells(f"{col}3:{col}4")  # labels merged down over the two header rows
        ws["F3"] = "Nilai Dimensi"
        ws.merge_cells("F3:I3")
        for col, label in zip("FGHI", ["Input", "Proses", "Output", "Pengaduan"]):
            ws[f"{col}4"] = label
        ws["J3"] = "Nilai Akhir"
        ws.merge_cells("J3:J4")
        for i, (unit, *values) in enumerate(units):
            ws.append([2023, ws.title, KAB, entity if i == 0 else None, unit, *values])
        ws.merge_cells(start_row=5, start_column=4, end_row=4 + len(units), end_column=4)  # entity merged down
        ws.append([])
        ws.append(["Rata-rata", None, None, None, None, None, None, None, None, 97])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=5)
    wb.save(path)
    return path


def test_messy_workbook_is_read_from_every_sheet(tmp_path):
    path = messy_workbook(tmp_path / "rekap.xlsx")
    data = read_exports([path])
    assert data.problems == []
    units = data.units
    assert units["entity_code"].tolist() == ["17.06", "17.06", "81.02"]
    assert units["source_sheet"].tolist() == ["Bengkulu", "Bengkulu", "Maluku"]
    assert units["source_row"].tolist() == [5, 6, 5]
    assert units["nilai"].tolist() == [94.0, 100.0, 49.85]
    assert units["proses"].tolist() == [30.0, 32.37, 10.76]
    assert (data.rows_read, data.rows_skipped) == (3, 4)  # a blank row and a footer per sheet


def test_workbook_problem_is_located_by_sheet(tmp_path):
    path = messy_workbook(tmp_path / "rekap.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Maluku"]["J5"] = 149.85
    wb.save(path)
    data = read_exports([path])
    assert [str(p) for p in data.problems][0].startswith(f"{path}[Maluku]:5:Nilai Akhir: 149,85 disagrees")
    assert len(data.units) == 2


def test_excel_turns_code_17_10_into_a_number(tmp_path):
    """Pins that a Kode Wilayah cell holding the number 17.1 is read as the code 17.10."""
    wb = openpyxl.Workbook()
    wb.active.append(["Tahun", "Nama Instansi", "Kode Wilayah", "Unit Layanan", "Nilai"])
    wb.active.append([2021, "Kabupaten Tangerang", 36.03, "DPMPTSP", 80.5])
    wb.active.append([2021, "Kabupaten Bengkulu Tengah", 17.09, "DPMPTSP", 80.5])
    wb.save(tmp_path / "w.xlsx")
    data = read_exports([tmp_path / "w.xlsx"])
    assert data.problems == []
    assert data.units["entity_code"].tolist() == ["36.03", "17.09"]


# --- refused files -----------------------------------------------------------------------------------

def refusal(tmp_path, name, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    data = read_exports([path])
    assert data.units.empty and data.answers.empty
    assert all(p.row is None for p in data.problems) and data.problems
    assert data.rows_read == 0
    return data.problems


@pytest.mark.parametrize("name, content, words", [
    ("empty.csv", b"", "empty"),
    ("blank.csv", b"  \r\n\r\n", "empty"),
    ("header_only.csv", (RECAP_HEADER + "\n").encode(), "no data rows below the header (row 1)"),
    ("picture.csv", bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(range(256)), "not a table"),
    ("picture.png", bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(range(256)), "not a table"),
    ("random.xlsx", random.Random(7).randbytes(2000), "not a table"),
    ("fake.xlsx", b"PK\x03\x04 this is not a zip", "not a readable .xlsx workbook"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), ".xls"),
    ("letter.csv", "Kepada Yth.\nBapak Kepala Dinas\nDengan hormat, ...\n".encode(), "no table of assessment exports"),
])
def test_files_that_are_not_usable_are_refused_whole(tmp_path, name, content, words):
    problems = refusal(tmp_path, name, content)
    assert any(words in p.message for p in problems), [p.message for p in problems]
    assert problems[0].file == str(tmp_path / name)


def test_missing_required_column_names_it_and_its_accepted_headers(tmp_path):
    header = RECAP_HEADER.replace("Unit Layanan", "Keterangan")
    problems = refusal(tmp_path, "f.csv", "\n".join([header, recap_row()]).encode())
    assert [p.location() for p in problems] == [f"{tmp_path / 'f.csv'}::"]
    assert "missing required column 'Unit Layanan'" in problems[0].message
    assert "Nama Unit Layanan" in problems[0].message


def test_workbook_without_any_table(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Laporan"
    wb.save(tmp_path / "w.xlsx")
    data = read_exports([tmp_path / "w.xlsx"])
    assert [p.location() for p in data.problems] == [f"{tmp_path / 'w.xlsx'}::"]
    assert "no table" in data.problems[0].message


def test_a_refused_file_does_not_stop_the_others(tmp_path):
    good = write(tmp_path / "good.csv", [RECAP_HEADER, recap_row()])
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"")
    data = read_exports([bad, good])
    assert len(data.units) == 1 and [p.file for p in data.problems] == [str(bad)]


def test_ragged_rows_are_padded_and_overflow_is_refused(tmp_path):
    path = write(tmp_path / "f.csv", [RECAP_HEADER, recap_row(unit="DPMPTSP"), "2023;Bengkulu;" + KAB,
                                      recap_row(unit="RSUD") + ";catatan"])
    data = read_exports([path])
    assert f"{path}:3:Nama Instansi" in located(data)  # short row: padded, then its empty cells are problems
    assert f"{path}:4:" in located(data)
    assert data.units["unit"].tolist() == ["DPMPTSP"]
    assert_accounting(data)


def test_quarantine_table_has_one_row_per_problem_with_entity_when_known(tmp_path):
    path = write(tmp_path / "f.csv", [RECAP_HEADER, recap_row(nilai="101", dims=("",) * 4), recap_row(entity="Xyz")])
    q = read_exports([path]).quarantine()
    assert list(q.columns[:6]) == ["file", "sheet", "row", "column", "value", "reason"]
    assert q["row"].tolist() == [2, 3]
    assert q["entity_code"].tolist()[0] == "17.06" and pd.isna(q["entity_code"].tolist()[1])
    assert q["year"].tolist() == [2023, 2023]
    schemas.QUARANTINE.validate(q)


# --- what is in a file is what is read --------------------------------------------------------------

def test_bom_zero_width_and_nbsp_in_header_cells_are_normalised(tmp_path):
    """Pins that an optional column (Koreksi) is read, not dropped, whatever invisible characters its header holds."""
    header = "Tahun;Provinsi;Jenis Instansi;\ufeffNama Instansi;Kode Wilayah;Unit\u00a0Layanan;Nil\u200bai;Koreksi\u2060"
    path = write(tmp_path / "f.csv", [header, recap_row(dims=(), nilai="90,00") + ";1,5"])
    data = read_exports([path])
    assert data.problems == [] and data.notices == []
    assert data.units[["nilai", "koreksi"]].values.tolist() == [[90.0, 1.5]]


def test_an_unknown_column_is_a_notice_not_silently_dropped(tmp_path):
    path = write(tmp_path / "f.csv", [RECAP_HEADER + ";Keterangan", recap_row() + ";catatan"])
    data = read_exports([path])
    assert data.problems == [] and len(data.units) == 1
    assert [str(n) for n in data.notices] == [
        f"{path}::: notice: column 'Keterangan' (column L) is not a column of a unit recap (rekap nilai unit): ignored"]


def test_hidden_and_very_hidden_sheets_are_skipped_with_a_notice(tmp_path):
    wb = openpyxl.Workbook()
    for title, state, entity in [("Rekap", "visible", "Kabupaten Kaur"), ("Lama", "hidden", "Kabupaten Lebong"),
                                 ("Bantu", "veryHidden", "Kabupaten Seluma")]:
        ws = wb.active if state == "visible" else wb.create_sheet(title)
        ws.title = title
        ws.append(RECAP_HEADER.split(";"))
        ws.append(recap_row(entity=entity).split(";"))
        ws.sheet_state = state
    wb.save(tmp_path / "w.xlsx")
    data = read_exports([tmp_path / "w.xlsx"])
    assert data.units["entity"].tolist() == ["Kabupaten Kaur"]  # never scored silently
    assert data.problems == []
    assert [(n.sheet, n.message.split(":")[0]) for n in data.notices] == [
        ("Lama", "hidden sheet skipped"), ("Bantu", "very hidden sheet skipped")]


def test_a_nul_byte_refuses_its_row_only(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes("\n".join([RECAP_HEADER, recap_row(unit="DPMPTSP"), recap_row(unit="Dinas\x00Sosial"),
                                recap_row(unit="RSUD")]).encode())
    data = read_exports([path])
    assert located(data) == [f"{path}:3:Unit Layanan"] and "NUL" in data.problems[0].message
    assert data.units["unit"].tolist() == ["DPMPTSP", "RSUD"]
    assert_accounting(data)


def test_a_mixed_encoding_csv_is_never_read_as_mojibake(tmp_path):
    path = tmp_path / "f.csv"
    utf8 = [RECAP_HEADER, recap_row(unit="Puskesmas Lubuk Pinang \u2013 Rawat Inap"), recap_row(unit="DPMPTSP")]
    path.write_bytes(("\n".join(utf8) + "\n").encode() + (recap_row(unit="RSUD \u2013 Ipuh") + "\n").encode("cp1252"))
    data = read_exports([path])
    assert data.units["unit"].tolist() == ["Puskesmas Lubuk Pinang \u2013 Rawat Inap", "DPMPTSP"]
    assert located(data) == [f"{path}:4:Unit Layanan"]
    assert_accounting(data)


def test_a_long_cell_is_refused_and_shortened_in_the_quarantine(tmp_path):
    path = write(tmp_path / "f.csv", [RECAP_HEADER, recap_row(unit="DPMPTSP"), recap_row(nilai="9" * 100_000)])
    data = read_exports([path])
    (problem,) = data.problems
    assert problem.location() == f"{path}:3:Nilai Akhir" and "holds 100,000 characters; expected at most 30" in problem.message
    assert len(problem.value) < 300 and problem.value.endswith("(100,000 characters)")
