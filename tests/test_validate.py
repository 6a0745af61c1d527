"""`kepatuhan validate`: one located line per problem, a summary, exit codes 0/1/2, no traceback."""

from __future__ import annotations

import random

import pytest

from kepatuhan_lib.cli import main

HEADER = "Tahun;Provinsi;Jenis Instansi;Nama Instansi;Kode Wilayah;Unit Layanan;Nilai Akhir"
GOOD = ["2021;Bengkulu;Pemerintah Kabupaten;Kabupaten Mukomuko;;DPMPTSP;80,5",
        "2021;Bengkulu;Pemerintah Kabupaten;Kabupaten Mukomuko;;Dinas Sosial;70"]


def csv_file(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_clean_files_exit_0_with_a_summary(tmp_path, capsys):
    path = csv_file(tmp_path / "rekap.csv", [HEADER, *GOOD])
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["1 file, 2 rows: 2 ok, 0 rejected; 0 problems in 0 files"]


def test_problems_print_one_line_each_and_exit_1(tmp_path, capsys):
    bad = csv_file(tmp_path / "f.csv", [HEADER, *GOOD, "2021;Bengkulu;Pemerintah Kabupaten;Kabupaten Mukomuko;;RSUD;101",
                                        "2031;Bengkulu;Pemerintah Kabupaten;Kabupaten Mukomuko;;Puskesmas;9x"])
    good = csv_file(tmp_path / "g.csv", [HEADER, GOOD[0].replace("Mukomuko", "Kaur")])
    empty = tmp_path / "kosong.csv"
    empty.write_bytes(b"")
    assert main(["validate", str(bad), str(good), str(empty)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{bad}:4:Nilai Akhir: 101 is above the maximum score 100")
    assert out[1].startswith(f"{bad}:5:Tahun: year 2031 is outside 2015-2030")
    assert out[2].startswith(f"{bad}:5:Nilai Akhir: '9x' is not a number; expected a score such as 90,02")
    assert out[3] == f"{empty}::: the file is empty"
    assert out[4] == "3 files, 5 rows: 3 ok, 2 rejected; 4 problems in 2 files"
    assert len(out) == 5


def test_sheet_is_named_in_workbook_problems(tmp_path, capsys):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Bengkulu"
    for row in [HEADER.split(";"), GOOD[0].split(";"), [2021, "Bengkulu", "Pemerintah Kabupaten", "Kabupaten Kaur",
                                                        None, "RSUD", 120]]:
        wb.active.append(row)
    wb.save(tmp_path / "rekap.xlsx")
    assert main(["validate", str(tmp_path / "rekap.xlsx")]) == 1
    assert capsys.readouterr().out.splitlines()[0].startswith(f"{tmp_path / 'rekap.xlsx'}[Bengkulu]:3:Nilai Akhir: 120")


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "tidak_ada.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["validate", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err
    assert main(["validate"]) == 2  # argparse: a file is required


def test_garbage_gives_messages_never_a_traceback(tmp_path, capsys):
    rng = random.Random(2024)
    files = []
    for i, suffix in enumerate([".csv", ".xlsx", ".csv", ".txt"]):
        path = tmp_path / f"sampah{i}{suffix}"
        path.write_bytes(rng.randbytes(5000) if i != 2 else b"PK\x03\x04" + rng.randbytes(3000))
        files.append(str(path))
    assert main(["validate", *files]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    lines = captured.out.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == files
    assert lines[-1].startswith("4 files, 0 rows")


def test_validate_writes_nothing(tmp_path, capsys):
    path = csv_file(tmp_path / "rekap.csv", [HEADER, *GOOD, "2021;;;Xyz;;RSUD;50"])
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["validate", str(path)]) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert "Xyz" in capsys.readouterr().out


# --- the bad-input matrix: each case exits 1 and names file, row and column ----------------------

ROW = "2023;Bengkulu;Pemerintah Kabupaten;Kabupaten Mukomuko;;{unit};{nilai}"


def csv_bytes(path, lines: list[str], tail: bytes = b""):
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8") + tail)
    return path


def workbook(path, rows, formula_cell=None):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Rekap"
    for row in rows:
        wb.active.append(row)
    if formula_cell:
        wb.active[formula_cell] = "=40+40"  # openpyxl saves a formula without a calculated value
    wb.save(path)
    return path


def broken_xml(path):
    """A workbook whose sheet XML is cut in half: a zip that opens, XML that does not parse."""
    import zipfile

    good = workbook(path.with_name("whole.xlsx"), [HEADER.split(";"), ROW.format(unit="RSUD", nilai=80).split(";")])
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, data[: len(data) // 2] if item.filename == "xl/worksheets/sheet1.xml" else data)
    good.unlink()
    return path


ANSWERS_HEADER = "Tahun;Provinsi;Jenis Instansi;Nama Instansi;Kode Wilayah;Unit Layanan;Dimensi;Kode Indikator;Bobot;Skor"
ANSWER = "2023;Bengkulu;Pemerintah Kabupaten;Kabupaten Lebong;17.07;Dinas Sosial;Input;I{n};{bobot};3"

BAD_INPUT = [  # (case, file name, builder, expected "sheet", row, column, words of the message)
    ("name contradicts code", "a.csv", lambda p: csv_file(p, [
        HEADER, "2023;Maluku;Pemerintah Kota;Kota Ambon;81.01;DPMPTSP;80"]),
     None, 2, "Nama Instansi", ["'Kota Ambon' is Kota Ambon (81.71)", "81.01 is Kabupaten Maluku Tengah"]),
    ("type contradicts code", "a.csv", lambda p: csv_file(p, [
        HEADER, "2023;Maluku;Pemerintah Kota;Kota Ambon;81.01;DPMPTSP;80"]),
     None, 2, "Jenis Instansi", ["'Pemerintah Kota'", "81.01 is Kabupaten Maluku Tengah, a Pemerintah Kabupaten"]),
    ("province contradicts code", "a.csv", lambda p: csv_file(p, [
        HEADER, "2023;Bengkulu;;Maluku Tengah;81.01;DPMPTSP;80"]),
     None, 2, "Provinsi", ["'Bengkulu'", "81.01 is Kabupaten Maluku Tengah, in Maluku"]),
    ("duplicate header", "a.csv", lambda p: csv_file(p, [
        HEADER + ";Nilai", ROW.format(unit="RSUD", nilai=80) + ";90"]),
     None, None, None, ["2 columns meaning Nilai", "'Nilai Akhir' (column G) and 'Nilai' (column H)"]),
    ("synonym header", "a.csv", lambda p: csv_file(p, [
        "Tahun;Nama Instansi;Unit Layanan;Nilai;Nilai Akhir", "2023;Kabupaten Mukomuko;RSUD;80;90"]),
     None, None, None, ["'Nilai' (column D) and 'Nilai Akhir' (column E)"]),
    ("NUL byte", "a.csv", lambda p: csv_file(p, [
        HEADER, ROW.format(unit="RSUD", nilai=80), ROW.format(unit="DPMPT\x00SP", nilai=80)]),
     None, 3, "Unit Layanan", ["NUL byte"]),
    ("UTF-8 and cp1252 mixed", "a.csv", lambda p: csv_bytes(p, [
        HEADER, ROW.format(unit="Puskesmas Lubuk Pinang \u2013 Rawat Inap", nilai=80)],
        ROW.format(unit="Puskesmas Ipuh \u2013 Rawat Inap", nilai=80).encode("cp1252") + b"\n"),
     None, 3, "Unit Layanan", ["not UTF-8", "mixes encodings"]),
    ("space inside a number", "a.csv", lambda p: csv_file(p, [HEADER, ROW.format(unit="RSUD", nilai="8 5")]),
     None, 2, "Nilai Akhir", ["'8 5' is not a number"]),
    ("space inside a year", "a.csv", lambda p: csv_file(p, [
        HEADER, ROW.format(unit="RSUD", nilai=80).replace("2023", "2 024")]),
     None, 2, "Tahun", ["'2 024' is not a year"]),
    ("3.000 as a weight", "j.csv", lambda p: csv_file(p, [
        ANSWERS_HEADER, ANSWER.format(n=1, bobot="1"), ANSWER.format(n=2, bobot="3.000")]),
     None, 3, "Bobot", ["'3.000' is ambiguous", "3000 if the dot groups thousands", "3 if it is a decimal point"]),
    ("text over its limit", "a.csv", lambda p: csv_file(p, [HEADER, ROW.format(unit="Dinas " + "x" * 400, nilai=80)]),
     None, 2, "Unit Layanan", ["holds 406 characters; expected at most 300"]),
    ("formula without a saved value", "w.xlsx", lambda p: workbook(p, [
        HEADER.split(";"), ROW.format(unit="RSUD", nilai=80).split(";"), ROW.format(unit="DPMPTSP", nilai="").split(";")],
        formula_cell="G3"),
     "Rekap", 3, "Nilai Akhir", ["holds the formula =40+40 with no saved result"]),
    ("XML that does not parse", "w.xlsx", broken_xml, None, None, None, ["not a readable .xlsx workbook", "ParseError"]),
    ("a 5 MB cell", "a.csv", lambda p: csv_file(p, [
        HEADER, ROW.format(unit="RSUD", nilai=80), ROW.format(unit="x" * 5_000_000, nilai=80)]),
     None, None, None, ["line 3", "field larger than field limit"]),
]


@pytest.mark.parametrize("case, name, build, sheet, row, column, words", BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_matrix(tmp_path, capsys, case, name, build, sheet, row, column, words):
    path = build(tmp_path / name)
    good = csv_file(tmp_path / "good.csv", [HEADER, GOOD[0].replace("Mukomuko", "Kaur")])
    assert main(["validate", str(path), str(good)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err and captured.err == ""
    where = f"{path}[{sheet}]" if sheet else str(path)
    prefix = f"{where}:{row or ''}:{column or ''}: "
    (line,) = [line for line in captured.out.splitlines() if line.startswith(prefix) and words[0] in line]
    assert all(word in line for word in words), line
    lines = captured.out.splitlines()
    assert not any(line.startswith(str(good)) for line in lines)  # the other file goes on, untouched
    assert lines[-1].startswith("2 files") and "problems in 1 file" in lines[-1].replace("problem in", "problems in")
