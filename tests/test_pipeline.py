"""`kepatuhan ingest`: the same hold-back rule as `score`, bad files quarantined whole, exit codes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kepatuhan_lib import config, schemas
from kepatuhan_lib.errors import KepatuhanError
from kepatuhan_lib.cli import main
from kepatuhan_lib.commands import score_command
from kepatuhan_lib.pipeline import build_processed

HEADER = "Tahun;Provinsi;Jenis Instansi;Nama Instansi;Kode Wilayah;Unit Layanan;Nilai"
UNITS = ["DPMPTSP", "Dinas Sosial", "Dinas Kesehatan", "Dinas Pendidikan", "Dinas Dukcapil"]


def rows(entity: str, province: str, entity_type: str = "Pemerintah Kabupaten", year: int = 2023,
         nilai=(90, 90, 90, 80, 80)) -> list[str]:
    return [f"{year};{province};{entity_type};{entity};;{unit};{n}" for unit, n in zip(UNITS, nilai)]


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project tree in tmp_path: every data/ path of config points there but the real published results."""
    data, root, published = config.DATA_DIR, config.ROOT, config.PUBLISHED_RAW_DIR
    for name in dir(config):
        value = getattr(config, name)
        if isinstance(value, Path) and (value == data or data in value.parents) \
                and not (value == published or published in value.parents):
            monkeypatch.setattr(config, name, tmp_path / value.relative_to(root))
    config.EXPORTS_RAW_DIR.mkdir(parents=True)
    return config.EXPORTS_RAW_DIR


def table(name: str) -> pd.DataFrame:
    """A processed table of the analyst's-exports edition, as ingest wrote it."""
    return pd.read_parquet(config.processed("ekspor").table(name))


def export(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_ingest_holds_back_an_entity_with_a_rejected_row_as_score_does(project, capsys):
    """Pins the issue's case: 3 of 5 units passed; ingest published 90,00 where score refused."""
    kaur = rows("Kabupaten Kaur", "Bengkulu", nilai=(90, 90, 90, 101, "9x"))
    export(project, "rekap.csv", kaur + rows("Kabupaten Lebong", "Bengkulu"))
    assert main(["ingest"]) == 1
    scores = table("entity_scores")
    assert scores["entity_code"].tolist() == ["17.07"]  # Lebong; Kaur not scored
    held = table("held_back")
    schemas.HELD_BACK.validate(held)
    assert held[["year", "entity_code", "rows_rejected", "files"]].values.tolist() == [
        [2023, "17.04", 2, str(project / "rekap.csv")]]
    assert table("units")["entity_code"].value_counts().to_dict() == {"17.07": 5, "17.04": 3}
    assert "1 held back" in capsys.readouterr().err

    out = project.parents[2] / "hasil.csv"
    assert score_command([project / "rekap.csv"], out) == 1
    assert pd.read_csv(out, dtype=str)["entity_code"].tolist() == ["17.07"]  # the same rule


def test_an_unknown_entity_holds_back_only_entities_of_its_year_province_and_type(project):
    """A stray unknown Bengkulu kabupaten row does not stop Kota Banjar (Jawa Barat) or OKU Timur."""
    export(project, "rekap.csv", [
        *rows("Kota Banjar", "Jawa Barat", "Pemerintah Kota"), *rows("OKU Timur", "Sumatera Selatan"),
        *rows("Kabupaten Kaur", "Bengkulu"), *rows("Kota Bengkulu", "Bengkulu", "Pemerintah Kota"),
        *rows("Kabupaten Kaur", "Bengkulu", year=2022),
        "2023;Bengkulu;Pemerintah Kabupaten;Kabupaten Mukomok;;RSUD;80",
    ])
    tables, _, _ = build_processed("ekspor")
    scored = tables["entity_scores"]
    assert sorted(zip(scored["year"], scored["entity_code"])) == [
        (2022, "17.04"), (2023, "16.08"), (2023, "17.71"), (2023, "32.79")]
    held = tables["held_back"]
    assert held["entity_code"].tolist() == ["17.04"] and held["rows_rejected"].tolist() == [1]
    assert "unknown" in held["reason"].iloc[0]

    out = project.parents[2] / "hasil.csv"
    assert score_command([project / "rekap.csv"], out) == 1
    assert sorted(pd.read_csv(out, dtype=str)["entity_code"]) == ["16.08", "17.04", "17.71", "32.79"]


def test_a_row_contradicting_its_code_holds_back_both_entities_it_names(project):
    export(project, "rekap.csv", [
        *rows("Kabupaten Maluku Tengah", "Maluku"), *rows("Kota Ambon", "Maluku", "Pemerintah Kota"),
        *rows("Kota Tual", "Maluku", "Pemerintah Kota"),
        "2023;Maluku;;Kota Ambon;81.01;RSUD;80",
    ])
    tables, _, summary = build_processed("ekspor")
    assert tables["entity_scores"]["entity_code"].tolist() == ["81.72"]  # Tual only
    assert sorted(tables["held_back"]["entity_code"]) == ["81.01", "81.71"]
    quarantine = tables["quarantine"]
    assert quarantine[["row", "column"]].values.tolist() == [[17, "Nama Instansi"]]
    assert summary.problems == 1


def test_a_malformed_file_is_quarantined_whole_and_the_rest_is_built(project, capsys):
    export(project, "rekap.csv", rows("Kabupaten Kaur", "Bengkulu"))
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER.split(";"))
    workbook.save(project.parent / "whole.xlsx")
    with zipfile.ZipFile(project.parent / "whole.xlsx") as zin, zipfile.ZipFile(project / "rusak.xlsx", "w") as zout:
        for item in zin.infolist():  # the sheet's XML cut in half: openpyxl's parser raises ParseError
            data = zin.read(item.filename)
            zout.writestr(item, data[: len(data) // 2] if item.filename.startswith("xl/worksheets/") else data)
    (project / "nul.csv").write_bytes(b"\x00" * 500)
    assert main(["ingest"]) == 1
    err = capsys.readouterr().err
    assert "internal error" not in err and "Traceback" not in err
    quarantine = table("quarantine")
    assert sorted(quarantine["file"]) == [str(project / "nul.csv"), str(project / "rusak.xlsx")]
    assert quarantine["row"].isna().all() and quarantine["reason"].str.contains("not").all()
    assert table("entity_scores")["entity_code"].tolist() == ["17.04"]


def test_ingest_exits_0_when_every_row_is_used(project):
    export(project, "rekap.csv", rows("Kabupaten Kaur", "Bengkulu"))
    assert main(["ingest"]) == 0
    assert table("held_back").empty


def test_ingest_refuses_a_workbook_whose_used_range_is_absurd_and_builds_the_rest(project):
    export(project, "rekap.csv", rows("Kabupaten Kaur", "Bengkulu"))
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER.split(";"))
    workbook.active["XFD1048576"] = "x"  # one far cell: a 5 KB file whose sheet spans 17 billion cells
    workbook.save(project / "besar.xlsx")
    assert main(["ingest"]) == 1
    quarantine = table("quarantine")
    assert quarantine["file"].tolist() == [str(project / "besar.xlsx")] and quarantine["sheet"].tolist() == ["Sheet"]
    assert quarantine["reason"].str.contains("used range A1:XFD1048576").all()
    assert table("entity_scores")["entity_code"].tolist() == ["17.04"]


# --- decisions made once, in the pipeline: year-over-year comparisons ----------------------------

@pytest.fixture(scope="module")
def terbitan_tables(processed_tree):
    """The published edition's tables as build_processed("terbitan", export_dirs=[]) makes them."""
    return processed_tree.tables("terbitan")


def test_changes_compare_each_entity_with_its_own_previous_year_in_the_series(terbitan_tables):
    """Mukomuko: 60,35 (2022) -> 90,02 (2023), as published: naik +29,67, zone kuning -> hijau."""
    changes = terbitan_tables["changes"]
    mukomuko = changes[(changes["scope"] == "entitas") & (changes["entity_code"] == "17.06")].set_index("year_to")
    row = mukomuko.loc[2023]
    assert (row["year_from"], row["delta"], row["direction"]) == (2022, 29.67, "naik")
    assert row["zone_change"] == "kuning -> hijau"
    # Each entity-year is compared once, with the latest earlier year the entity has in its series.
    scores = terbitan_tables["scores"]
    years = sorted(scores.loc[scores["entity_code"] == "17.06", "year"].astype(int))
    expected = {y: max((p for p in years if p < y and (p >= 2025) == (y >= 2025)), default=None) for y in years}
    assert mukomuko["year_from"].to_dict() == {y: p for y, p in expected.items() if p is not None}
    assert not changes.duplicated(["scope", "entity_code", "year_to"]).any()


def test_no_change_is_computed_across_the_2025_series_break(terbitan_tables):
    changes = terbitan_tables["changes"]
    across = changes[(changes["year_to"] >= 2025) & (changes["year_from"] < 2025)]
    assert across.empty


def test_province_changes_use_the_province_previous_year_for_every_entity(terbitan_tables):
    """The league table's change column: every row of Bengkulu 2023 compared with 2022, the deltas
    being the published scores' differences."""
    changes, scores = terbitan_tables["changes"], terbitan_tables["scores"]
    bengkulu = changes[(changes["scope"] == "provinsi") & (changes["province_code"] == "17")
                       & (changes["year_to"] == 2023)].set_index("entity_code")
    assert set(bengkulu["year_from"]) == {2022}
    score = scores[scores["province_code"] == "17"].set_index(["entity_code", "year"])["score"]
    both = 0
    for code, row in bengkulu.iterrows():
        if (code, 2022) in score.index and (code, 2023) in score.index and pd.notna(score[code, 2022]) \
                and pd.notna(score[code, 2023]):
            both += 1
            assert row["delta"] == round(score[code, 2023] - score[code, 2022], 2)
    assert bengkulu["delta"].notna().sum() == both >= 2  # Mukomuko and Rejang Lebong


def test_reports_only_read_decisions_they_import_no_scoring_ranking_or_synthetic_module():
    import ast

    forbidden = {"ranking", "scoring", "synthetic", "pipeline", "ingest", "published"}
    found = []
    for path in (config.PACKAGE_DIR / "reports").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [a.name for a in node.names if node.level and not node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            found += [(path.name, n) for n in names if n.split(".")[-1] in forbidden]
    assert found == []


# --- one contract per table -------------------------------------------------------------------------

def test_every_processed_table_has_a_schema_and_is_written_to_it(terbitan_tables):
    assert set(terbitan_tables) == set(schemas.PROCESSED)
    for name, frame in terbitan_tables.items():
        expected = schemas.dtypes(schemas.PROCESSED[name])
        assert list(frame.columns) == list(expected) or set(frame.columns) == set(expected), name
        for column, dtype in expected.items():
            assert schemas._same_dtype(frame[column].dtype, dtype), (name, column, frame[column].dtype)


@pytest.mark.parametrize(("name", "break_it", "said"), [
    ("national_counts", lambda f: f.astype({"count": "int64"}), "count: dtype int64, expected Int64"),
    ("changes", lambda f: f.assign(direction=f["direction"].mask(f.index == 0, "naik sekali")), "direction"),
    ("scores", lambda f: f.drop(columns="basis"), "basis"),
    ("scores", lambda f: pd.concat([f, f.iloc[:1]]), "year"),  # a second row for one (year, entity)
])
def test_a_table_that_breaks_its_schema_is_refused_naming_the_column(terbitan_tables, name, break_it, said):
    with pytest.raises(KepatuhanError, match=f"processed table {name} does not match its schema: .*{said}"):
        schemas.check_processed(name, break_it(terbitan_tables[name]))


def test_a_report_refuses_a_processed_table_an_older_ingest_wrote(project, terbitan_tables):
    from kepatuhan_lib import storage
    from kepatuhan_lib.errors import ReportDataError
    from kepatuhan_lib.reports import data

    tables = dict(terbitan_tables, national_counts=terbitan_tables["national_counts"].astype({"year": "int64"}))
    storage.write_generation("terbitan", tables, pd.DataFrame({"x": []}))
    with pytest.raises(ReportDataError, match=r"national_counts\.parquet: .*year: dtype int64.*run `kepatuhan ingest` again"):
        data.load("terbitan")


def test_row_accounting_per_file_counts_every_data_row_once_as_used_or_quarantined(project):
    """input_files: per export file, answers counted per answer row; a superseded row and a whole-file
    problem are accounted where they happened; blank and footer rows are skipped, not read."""
    first, second = project / "utama", project / "lain"
    first.mkdir(), second.mkdir()
    export(first, "rekap.csv", [*rows("Kabupaten Kaur", "Bengkulu", nilai=(90, 90, 90, 80, "9x")), ";;;;;;",
                                "Rata-rata;;;;;;86"])
    export(second, "ulang.csv", rows("Kabupaten Kaur", "Bengkulu") + rows("Kabupaten Lebong", "Bengkulu"))
    (second / "nul.csv").write_bytes(b"\x00" * 500)
    answers_file = config.PACKAGE_DIR.parent / "data" / "synthetic_examples" / "synthetic_jawaban_indikator_2023_bengkulu.csv"
    tables, _, summary = build_processed("ekspor", export_dirs=[first, second, answers_file.parent])
    accounting = tables["input_files"].set_index("file")
    schemas.INPUT_FILES.validate(tables["input_files"])

    rekap, ulang, nul = (str(p) for p in (first / "rekap.csv", second / "ulang.csv", second / "nul.csv"))
    assert accounting.loc[rekap, ["rows_read", "rows_used", "rows_quarantined", "rows_skipped"]].tolist() == [5, 4, 1, 2]
    assert accounting.loc[rekap, "reasons"] == "'9x' is not a number; expected a score such as 90,02 (1)"
    # Kaur 2023 is in the first folder: its 5 rows of the second are superseded, Lebong's 5 used
    assert accounting.loc[ulang, ["rows_read", "rows_used", "rows_quarantined"]].tolist() == [10, 5, 5]
    assert accounting.loc[ulang, "reasons"].startswith("superseded: the same entity and year is in ")
    assert accounting.loc[nul, ["rows_read", "rows_used", "rows_quarantined"]].tolist() == [0, 0, 0]
    assert pd.notna(accounting.loc[nul, "reasons"])

    # every used row is a row of answers, or of units read as such (units computed from answers carry
    # their answers file), counted once per spreadsheet row
    answer_files = set(tables["answers"]["source_file"].astype(str))
    units_read = tables["units"][~tables["units"]["source_file"].astype(str).isin(answer_files)]
    for frame in (units_read, tables["answers"]):
        for file, used in frame.drop_duplicates(["source_file", "source_sheet", "source_row"]).groupby(
                "source_file", observed=True).size().items():
            assert accounting.loc[str(file), "rows_used"] == used, file
    assert set(accounting.index[accounting["rows_used"] > 0]) == answer_files | set(units_read["source_file"].astype(str))
    answers = config.display_path(answers_file)
    assert accounting.loc[answers, "rows_used"] == (tables["answers"]["source_file"] == answers).sum()
    assert accounting.loc[answers, "rows_used"] > 10 * (tables["units"]["source_file"] == answers).sum()
    assert (summary.files, summary.rows_read, summary.rows_quarantined) == (
        len(accounting), accounting["rows_read"].sum(), accounting["rows_quarantined"].sum())
