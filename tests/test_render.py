"""HTML rendering (render.py, the nbconvert template) and the emitted payloads (emit.py)."""

import base64
import hashlib
import json
from datetime import datetime

import nbformat
import openpyxl
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from kepatuhan_lib import __version__
from kepatuhan_lib.errors import ReportBuildError
from kepatuhan_lib.reports import emit
from kepatuhan_lib.reports.render import remote_resources, render_html

EVIL = "<script>alert(1)</script>"
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)).decode()


def table_output(frame, name):
    payload = {"name": name, "table": json.loads(frame.to_json(orient="table", index=False))}
    return new_output("display_data", {"text/html": frame.to_html(index=False), "text/plain": name, emit.TABLE: payload})


def executed_notebook(tmp_path, *, synthetic=False, extra_html=None):
    """A notebook as papermill leaves it: injected parameters, outputs of every kind."""
    data_file = tmp_path / "skor.csv"
    data_file.write_text("entity,score\nA,1\n")
    injected = new_code_cell(f"year = 2023\nentity_code = {EVIL!r}")
    injected.metadata["tags"] = ["injected-parameters"]
    params = new_code_cell("year = 2024\nentity_code = '17.06'")
    params.metadata["tags"] = ["parameters"]
    frame = pd.DataFrame({"entity": pd.array(["Kabupaten Mukomuko", EVIL], dtype="string"), "score": [90.02, -1.5]})
    outputs = [
        new_output("display_data", {"text/plain": "x", emit.INPUTS: {"paths": [str(data_file)]}}),
        new_output("display_data", {"text/plain": "x", emit.SYNTHETIC: {"synthetic": synthetic}}),
        new_output("display_data", {"text/plain": "ringkasan", emit.HEADLINE: {"entitas": 2, "rata_rata": 44.26}}),
        new_output("stream", name="stderr", text="UserWarning: secret warning text\n"),
        table_output(frame, "peringkat"),
        new_output("display_data", {"image/png": PNG, "text/plain": "<Figure>"}),
        new_output("execute_result", {"text/plain": "'hasil'"}, execution_count=7),
    ]
    if extra_html:
        outputs.append(new_output("display_data", {"text/html": extra_html}))
    code = new_code_cell("secret_source_code = 1", outputs=outputs, execution_count=7)
    broken = new_code_cell("1/0", execution_count=8, outputs=[
        new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                   traceback=["Traceback (most recent call last)", "ZeroDivisionError: division by zero"])
    ])
    nb = new_notebook(cells=[
        new_markdown_cell("# Profil Entitas"),
        params, injected,
        new_markdown_cell("## Lintasan skor\n\nSumber: [berita](https://example.org/berita)."),
        code,
        new_markdown_cell("### Unit layanan"),
        broken,
    ])
    nb.metadata["papermill"] = {"parameters": {"year": 2023, "entity_code": EVIL}}
    return nb, data_file


@pytest.fixture
def page(tmp_path):
    nb, data_file = executed_notebook(tmp_path)
    emitted = emit.collect(nb)
    html, title = render_html(nb, emitted, built_at=datetime(2026, 11, 23, 14, 5), downloads=["r.peringkat.csv"])
    return html, title, emitted, data_file


def test_no_inputs_prompts_injected_parameters_tracebacks_or_stderr(page):
    html, *_ = page
    soup = BeautifulSoup(html, "html.parser")
    main = str(soup.main)
    for hidden in ("secret_source_code", "year = 2023", "year = 2024", "1/0", "In [", "Out[", "In&nbsp;[", "Out&nbsp;["):
        assert hidden not in main, hidden  # (the footer lists the parameters on purpose)
    for hidden in ("Traceback", "ZeroDivisionError", "division by zero", "secret warning text"):
        assert hidden not in html, hidden
    assert soup.find("script") is None
    assert "'hasil'" in main  # an ordinary result is still shown


def test_table_of_contents_links_to_the_headings(page):
    html, title, *_ = page
    soup = BeautifulSoup(html, "html.parser")
    links = [(a.get_text(), a["href"]) for a in soup.select("nav.daftar-isi a")]
    assert links == [("Lintasan skor", "#Lintasan-skor"), ("Unit layanan", "#Unit-layanan")]
    for _, href in links:
        assert soup.find(id=href[1:]) is not None
    assert title == "Profil Entitas" and soup.title.get_text() == "Profil Entitas"


def test_images_are_embedded_and_nothing_is_loaded_from_another_host(page):
    html, *_ = page
    soup = BeautifulSoup(html, "html.parser")
    assert [img["src"][:22] for img in soup.find_all("img")] == ["data:image/png;base64,"]
    assert remote_resources(html) == []
    assert soup.find("link") is None  # CSS inline
    # a plain link cited from the data stays a link
    assert soup.find("a", href="https://example.org/berita") is not None


def test_the_page_has_a_policy_that_loads_nothing_from_elsewhere_and_runs_no_script(page):
    html, *_ = page
    head = BeautifulSoup(html, "html.parser").head
    meta = head.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert meta is head.find("meta", charset=True).find_next("meta")  # before any style it governs
    assert meta["content"] == ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
                               "form-action 'none'")  # scripts: none, by default-src


def test_tables_are_framed_named_and_their_headers_scoped(page):
    html, *_ = page
    soup = BeautifulSoup(html, "html.parser")
    tables = soup.main.find_all("table")
    assert tables
    for table in tables:
        frame = table.parent
        assert frame["class"] == ["bingkai-tabel"] and frame["role"] == "region" and frame["tabindex"] == "0"
        assert [th.get("scope") for th in table.select("thead th")] == ["col"] * len(table.select("thead th"))
    assert tables[0]["aria-label"] == tables[0].parent["aria-label"] == "Tabel: Lintasan skor"  # its section


def test_framed_tables_keep_captions_names_unique_and_data_escaped():
    from kepatuhan_lib.reports.render import framed_tables

    names = set()
    fragment = (f'<table><caption>Unit 2023</caption><thead><tr><th>a</th></tr></thead><tbody><tr><td>{"x" * 41}'
                "</td></tr></tbody></table><table><tr><td>&lt;script&gt;</td></tr></table>"
                "<table><tr><td>b</td></tr></table>")
    soup = BeautifulSoup(framed_tables(fragment, "Ringkasan", names), "html.parser")
    frames = soup.select("div.bingkai-tabel")
    assert [f["aria-label"] for f in frames] == ["Unit 2023", "Tabel: Ringkasan", "Tabel: Ringkasan (2)"]
    assert not frames[0].table.has_attr("aria-label")  # the caption names it
    assert frames[0].td["class"] == ["teks-panjang"] and frames[2].td.get("class") is None
    assert "&lt;script&gt;" in str(soup) and soup.find("script") is None
    assert names == {"Unit 2023", "Tabel: Ringkasan", "Tabel: Ringkasan (2)"}


@pytest.mark.parametrize("snippet", [
    '<script src="https://cdn.example/require.js"></script>',
    '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">',
    "<style>@import url(//fonts.example/x.css);</style>",
    '<img src="http://example.org/chart.png">',
    '<div style="background: url(https://example.org/bg.png)"></div>',
])
def test_a_page_that_would_load_from_another_host_is_refused(tmp_path, snippet):
    nb, _ = executed_notebook(tmp_path, extra_html=snippet)
    with pytest.raises(ReportBuildError, match="would load from another host"):
        render_html(nb, emit.collect(nb), built_at=datetime(2026, 11, 23))


def test_synthetic_banner_only_when_emitted(tmp_path, page):
    html, *_ = page
    assert BeautifulSoup(html, "html.parser").select_one(".banner-sintetis") is None
    nb, _ = executed_notebook(tmp_path, synthetic=True)
    html, _ = render_html(nb, emit.collect(nb), built_at=datetime(2026, 11, 23))
    banner = BeautifulSoup(html, "html.parser").select_one(".banner-sintetis")
    assert banner is not None and banner.get_text().startswith("Data sintetis")


def test_provenance_footer(page):
    html, _, _, data_file = page
    footer = BeautifulSoup(html, "html.parser").select_one("footer.asal-usul").get_text(" ", strip=True)
    assert hashlib.sha256(data_file.read_bytes()).hexdigest() in footer
    assert str(data_file) in footer
    assert "year = 2023" in footer
    assert f"kepatuhan_lib {__version__}" in footer
    assert "23 November 2026 14.05" in footer
    assert "r.peringkat.csv" in footer


def test_data_from_the_page_is_escaped(page):
    """A name like <script>alert(1)</script> (in a table or a parameter) never becomes markup."""
    html, *_ = page
    assert EVIL not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_collect_gathers_payloads_and_drops_machine_outputs(page):
    html, _, emitted, data_file = page
    assert emitted.inputs == [str(data_file)]
    assert emitted.headline == {"entitas": 2, "rata_rata": 44.26}
    assert emitted.synthetic is False
    table = emitted.tables["peringkat"]
    assert table["entity"].dtype == pd.StringDtype() and table["score"].tolist() == [90.02, -1.5]
    assert "vnd.kepatuhan" not in html and "ringkasan" not in html




def test_table_name_must_be_a_file_and_sheet_name():
    with pytest.raises(ValueError, match="table name"):
        emit.emit_table(pd.DataFrame({"a": [1]}), "Peringkat Provinsi/2024")


def test_csv_and_xlsx_neutralise_formulas_but_keep_numbers(tmp_path):
    """Pins formula injection: text starting with = + - @ is prefixed, negative numbers stay numbers."""
    frame = pd.DataFrame({
        "entity": pd.array(['=HYPERLINK("http://x","klik")', "+62 811", "-lalu", "@SUM(A1)", "Kota Bengkulu", None],
                           dtype="string"),
        "score": [-5.25, 1.0, 2.0, 3.0, 90.02, None],
        "rank": pd.array([1, 2, 3, 4, 5, None], dtype="Int64"),
    })
    files = emit.export_tables({"peringkat": frame}, tmp_path / "provinsi-17-bengkulu.html")
    assert [f.name for f in files] == ["provinsi-17-bengkulu.peringkat.csv", "provinsi-17-bengkulu.xlsx"]
    back = pd.read_csv(files[0], dtype={"entity": "string"})
    assert back["entity"].tolist()[:5] == ["'=HYPERLINK(\"http://x\",\"klik\")", "'+62 811", "'-lalu", "'@SUM(A1)", "Kota Bengkulu"]
    assert back["score"].iloc[0] == -5.25
    sheet = openpyxl.load_workbook(files[1])["peringkat"]
    assert sheet["A2"].value == "'=HYPERLINK(\"http://x\",\"klik\")" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -5.25 and sheet["B2"].data_type == "n"
    assert sheet["A7"].value is None and sheet["C7"].value is None  # missing stays missing, not 0


def test_notebook_roundtrip_of_emitted_outputs_is_json(tmp_path):
    """The emitted mimetypes survive nbformat's write/read (papermill stores notebooks as JSON)."""
    nb, _ = executed_notebook(tmp_path)
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    assert list(emit.collect(nbformat.read(path, as_version=4)).tables) == ["peringkat"]
