"""The report notebooks: thin shape, and each runs with papermill on the fixture tree with the key figures."""

import ast
import json

import nbformat
import papermill
import pytest

from fixtures.report_data import build_tree
from kepatuhan_lib import config

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
def fixture_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("root")
    build_tree(root)
    build_tree(root, "terbitan")
    return root


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
def test_exploratory_notebook_runs_with_its_defaults(fixture_root, tmp_path, monkeypatch):
    monkeypatch.setenv("KEPATUHAN_ROOT", str(fixture_root))
    nb = papermill.execute_notebook(EXPLORATORY, tmp_path / "tren.ipynb", progress_bar=False, kernel_name="python3")
    assert "Bengkulu" in outputs_text(nb)
