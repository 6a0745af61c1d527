"""`kepatuhan validate`: one located line per problem, a summary, exit codes 0/1/2, no traceback."""

from __future__ import annotations

import random

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
