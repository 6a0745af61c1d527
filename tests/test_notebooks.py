"""The report notebooks: thin shape, and each runs with papermill on the fixture tree with the key figures;
the exploratory notebook runs top to bottom and shows the published figures with their sources."""

import ast
import json
import re

import nbformat
import pandas as pd
import papermill
import pytest
from bs4 import BeautifulSoup

from kepatuhan_lib import config
from kepatuhan_lib.reports import fmt

REPORTS = {
    "provinsi": ({"edition": "contoh", "year": 2023, "province": "17"},
                 ["90,02", "60,35", "Kabupaten Lebong", "92,00"]),
    "nasional": ({"edition": "contoh", "year": 2023}, ["Bengkulu", "hijau", "dipublikasikan 414", "Sumber"]),
    "entitas": ({"edition": "contoh", "entity_code": "17.06", "year": 2023},
                ["Kabupaten Mukomuko naik dari 60,35", "menjadi 90,02", "Opini Pengawasan"]),
}
EXPLORATORY = config.PACKAGE_DIR.parent / "notebooks" / "exploratory" / "tren.ipynb"


def report_notebook(name):
    return config.PACKAGE_DIR.parent / "notebooks" / "reports" / f"{name}.ipynb"


@pytest.fixture(scope="module")
def fixture_root(processed_tree):
    return processed_tree.root


@pytest.mark.parametrize("name", REPORTS)
def test_report_notebook_is_thin(name):
    """Pins the notebook shape: parameters cell, check_parameters, then one library call per heading."""
    nb = nbformat.read(report_notebook(name), as_version=4)
    first, second = nb.cells[0], nb.cells[1]
    assert first.metadata.get("tags") == ["parameters"]
    defaults = {n.target.id: ast.literal_eval(n.value) for n in ast.parse(first.source).body}
    assert set(defaults) == set(REPORTS[name][0]) | {"lang"}  # lang: the language of the report (id, en)
    assert f"check_parameters({name!r}" in second.source
    for cell in nb.cells[2:]:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        assert not any(isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda)) for n in ast.walk(tree))
        assert len(tree.body) == 1 and isinstance(tree.body[0].value, ast.Call), cell.source
    assert sum(c.cell_type == "markdown" and c.source.startswith("# ") for c in nb.cells) == 1


def outputs_text(nb) -> str:
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", output
            texts += [v if isinstance(v, str) else json.dumps(v) for v in output.get("data", {}).values()]
            texts.append(output.get("text", ""))
    return "\n".join(texts)


@pytest.mark.slow
@pytest.mark.parametrize("name", REPORTS)
def test_report_notebook_runs_on_the_fixture(name, fixture_root, tmp_path, monkeypatch):
    params, expected = REPORTS[name]
    monkeypatch.setenv("KEPATUHAN_ROOT", str(fixture_root))  # the kernel inherits it
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = papermill.execute_notebook(report_notebook(name), tmp_path / f"{name}.ipynb", parameters=params,
                                    progress_bar=False, kernel_name="python3")
    text = outputs_text(nb)
    for figure in expected:
        assert figure in text, figure
    assert "<script>" not in text
    stderr = [o for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stderr"]
    assert not stderr, stderr  # warnings would be hidden from readers, but should not happen


@pytest.mark.slow
def test_province_report_renders_under_the_size_budget(fixture_root, tmp_path, monkeypatch):
    """Pins the size budget: one province report's HTML stays under 1.5 MB."""
    from datetime import datetime

    from kepatuhan_lib.reports.emit import collect
    from kepatuhan_lib.reports.render import render_html

    monkeypatch.setenv("KEPATUHAN_ROOT", str(fixture_root))
    nb = papermill.execute_notebook(report_notebook("provinsi"), None, parameters=REPORTS["provinsi"][0],
                                    progress_bar=False, kernel_name="python3")
    emitted = collect(nb)
    assert set(emitted.tables) == {"peringkat", "unit", "validasi"}
    assert emitted.synthetic and emitted.headline["entitas"] == 10
    assert set(emitted.tables["peringkat"].columns) >= {"source_url", "source_title", "dasar_peringkat"}
    html, title = render_html(nb, emitted, built_at=datetime(2024, 2, 2))
    assert title == "Laporan Kepatuhan Provinsi"
    assert len(html.encode()) < 1_500_000


@pytest.mark.slow
def test_exploratory_notebook_walks_an_analyst_through_the_api(fixture_root, tmp_path, monkeypatch):
    """tren.ipynb top to bottom on the published edition: its first cell says what must have run; Mukomuko's
    trend shows 2022 and 2023 as published (P and a source number) with each source, as the published CSV
    gives it, in the Sumber list; then the Bengkulu 2023 league table, two years compared and a chart."""
    monkeypatch.setenv("KEPATUHAN_ROOT", str(fixture_root))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the chart shows inline, as in JupyterLab
    nb = papermill.execute_notebook(EXPLORATORY, tmp_path / "tren.ipynb", progress_bar=False, kernel_name="python3")
    first = nb.cells[0]
    assert first.cell_type == "markdown" and "make reports" in first.source and "kepatuhan ingest" in first.source
    outputs_text(nb)  # no cell failed
    shown = [BeautifulSoup(o["data"]["text/html"], "html.parser") for c in nb.cells for o in c.get("outputs", [])
             if "text/html" in o.get("data", {})]

    def table(caption: str):
        page = next(p for p in shown if p.find("caption") and caption in p.find("caption").get_text())
        rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in page.find("table").select("tbody tr")]
        return rows, {int(li["value"]): li.get_text(" ", strip=True) for li in page.select("ol.sumber li")}

    trend, sources = table("Kabupaten Mukomuko (17.06)")
    by_year = {row[0]: row for row in trend}
    release = pd.read_csv(config.PUBLISHED_RAW_CSV, dtype=str)
    for year in ("2022", "2023"):
        fact = release[(release["entity"] == "Kabupaten Mukomuko") & (release["year"] == year) & release["unit"].isna()]
        assert len(fact) == 1
        number = re.fullmatch(rf"{fmt.skor(float(fact['score'].iloc[0]))}P\[(\d+)\]", by_year[year][1])
        assert number, by_year[year]
        assert fact["source_url"].iloc[0] in sources[int(number[1])]
    league, _ = table("Peringkat 2023, Provinsi Bengkulu")
    mukomuko = next(row for row in league if row[1] == "Kabupaten Mukomuko")
    assert re.fullmatch(r"5P\[\d+\]", mukomuko[0]) and re.fullmatch(r"90,02P\[\d+\]", mukomuko[2])
    compared, _ = table("Perubahan 2022 → 2023, Provinsi Bengkulu")
    assert "naik (+29,67)" in next(row for row in compared if row[0] == "Kabupaten Mukomuko")[3]
    assert "image/png" in nb.cells[-1].outputs[-1]["data"]
