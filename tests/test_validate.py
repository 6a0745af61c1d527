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


# --- workbooks whose size is absurd for the file: refused unopened, quickly, in little memory -------

def _rewritten(path, change):
    """The workbook at ``path`` with each part's bytes passed through ``change(name, data)``."""
    import zipfile

    original = path.read_bytes()
    with zipfile.ZipFile(__import__("io").BytesIO(original)) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, change(item.filename, zin.read(item.filename)))
    return path


def far_cell(path):
    """One cell at XFD1048576 in a 5 KB file: its <dimension ref> says A1:XFD1048576."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Rekap"
    wb.active.append(HEADER.split(";"))
    wb.active["XFD1048576"] = "x"
    wb.save(path)
    return path


def far_cell_undeclared(path):
    """The same cell with no <dimension> element: only the cells tell the used range."""
    import re

    return _rewritten(far_cell(path), lambda name, data: re.sub(rb"<dimension[^>]*/>", b"", data))


def merged_to_the_end(path):
    """A merged range over the whole sheet (openpyxl would make a cell object of each)."""
    return _rewritten(workbook(path, [HEADER.split(";")]), lambda name, data: data.replace(
        b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A2:XFD1048576"/></mergeCells>')
        if name == "xl/worksheets/sheet1.xml" else data)


def huge_shared_string(path):
    """A 200 MB text in the shared strings (packed to a few hundred KB)."""
    import zipfile

    workbook(path, [HEADER.split(";")])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("xl/sharedStrings.xml", "w") as part:
        part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
        for _ in range(200):
            part.write(b"x" * 1024**2)
        part.write(b"</t></si></sst>")
    return path


def zip_bomb(path):
    """A sheet part that declares it unpacks to 4 GB (the zip's directories say so)."""
    import struct

    data = bytearray(workbook(path, [HEADER.split(";")]).read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at, name_at in ((b"PK\x01\x02", 24, 46), (b"PK\x03\x04", 22, 30)):
        at = data.find(signature)
        while at >= 0:
            if data[at + name_at:at + name_at + len(name)] == name:
                struct.pack_into("<I", data, at + size_at, 0xFFFFFFF0)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


ABSURD_WORKBOOKS = [  # (case, builder, sheet named, words of the message)
    ("one cell at XFD1048576", far_cell, "Rekap", ["used range A1:XFD1048576", "17,179,869,184 cells",
                                                   "expected at most 1,000,000", "not opened"]),
    ("no dimension element", far_cell_undeclared, "Rekap", ["used range A1:XFD1048576", "expected at most 1,000,000"]),
    ("merged over the sheet", merged_to_the_end, "Rekap", ["used range A1:XFD1048576", "not opened"]),
    ("a 200 MB shared string", huge_shared_string, None, ["part xl/sharedStrings.xml would unpack to 200 MB",
                                                          "expected at most 64 MB a part"]),
    ("zip bomb", zip_bomb, "Rekap", ["part xl/worksheets/sheet1.xml would unpack to 4,096 MB", "not opened"]),
]

# The peak is this process's own (VmHWM): ru_maxrss is kept across exec on Linux, so a child started
# from a large pytest process would report the parent's peak.
_BOUNDED_RUN = """
import json, re, sys, time
import openpyxl  # imported before the clock starts: the bound is on reading the workbook
from kepatuhan_lib.cli import main
from kepatuhan_lib.ingest import read_exports
start = time.perf_counter()
read_exports(sys.argv[1:2])
seconds = time.perf_counter() - start
code = main(["validate", *sys.argv[1:]])
with open("/proc/self/status") as status:
    peak_kb = int(re.search(r"VmHWM:\\s+(\\d+) kB", status.read())[1])
print(json.dumps({"code": code, "seconds": seconds, "peak_mb": peak_kb / 1024}))
"""


@pytest.mark.parametrize("case, build, sheet, words", ABSURD_WORKBOOKS, ids=[c[0] for c in ABSURD_WORKBOOKS])
def test_an_absurd_workbook_is_refused_unopened_in_bounded_time_and_memory(tmp_path, case, build, sheet, words):
    import json
    import subprocess
    import sys

    path = build(tmp_path / "besar.xlsx")
    good = csv_file(tmp_path / "good.csv", [HEADER, GOOD[0]])
    out = subprocess.run([sys.executable, "-c", _BOUNDED_RUN, str(path), str(good)], capture_output=True, text=True,
                         timeout=120, check=False)
    *lines, last = out.stdout.splitlines()
    measured = json.loads(last)
    assert measured["code"] == 1 and "Traceback" not in out.stderr
    where = f"{path}[{sheet}]" if sheet else str(path)
    (line,) = [line for line in lines if line.startswith(f"{where}::: ")]
    assert all(word in line for word in words), line
    assert lines[-1] == "2 files, 1 row: 1 ok, 0 rejected; 1 problem in 1 file"  # the CSV was read
    assert measured["seconds"] < 2 and measured["peak_mb"] < 300, measured


def test_score_goes_on_with_the_other_files_of_an_absurd_workbook(tmp_path, capsys):
    import pandas as pd

    bad, good = far_cell(tmp_path / "besar.xlsx"), csv_file(tmp_path / "good.csv", [HEADER, *GOOD])
    assert main(["score", str(bad), str(good), "--out", str(tmp_path / "skor.csv")]) == 1
    assert pd.read_csv(tmp_path / "skor.csv")["entity"].tolist() == ["Kabupaten Mukomuko"]
    rejects = pd.read_csv(tmp_path / "skor.rejects.csv")
    assert rejects["file"].tolist() == [str(bad)] and rejects["sheet"].tolist() == ["Rekap"]
    assert "used range A1:XFD1048576" in rejects["reason"].iloc[0]
