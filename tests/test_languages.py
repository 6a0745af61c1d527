"""Real reports built by `kepatuhan build`'s own build on the fixture tree (Bengkulu 2023: a province report, the
national summary and Kabupaten Mukomuko's profile, of the terbitan and contoh editions), in Indonesian and English:
labels from the catalogue (no machine column name, no English value in an Indonesian page, every data file
column in the report's data dictionary), the English pages in English, the links between the two."""

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from fixtures.report_data import BENGKULU_EDITIONS as EDITIONS
from fixtures.report_data import KINDS, jobs
from kepatuhan_lib import i18n
from kepatuhan_lib.errors import UsageError
from kepatuhan_lib.reports import build as b
from kepatuhan_lib.reports import labels
from kepatuhan_lib.reports.catalog import REPORTS

pytestmark = pytest.mark.slow

INDONESIAN_WORDS = re.compile(r"\b(dan|yang|tidak|dengan|nilai|peringkat|dipublikasikan|tahun|untuk)\b")
DECIMAL_COMMA = re.compile(r"(?<![\d.,])\d{1,3},\d{2}(?![\d,])")  # 90,02 (English writes 90.02; 1,234 stays)


@pytest.fixture(scope="module")
def site(bengkulu_reports):
    """The reports (report_data.build_bengkulu_reports, built once per run), and the builds' results."""
    results, again = bengkulu_reports.builds()
    return bengkulu_reports.reports, results, again


def pages(reports: Path, lang: str) -> list[Path]:
    """The report pages and the edition index in ``lang``."""
    suffix = ".en.html" if lang == "en" else ".html"
    found = [p for p in reports.rglob(f"*{suffix}") if lang == "en" or not p.name.endswith(".en.html")]
    return sorted(found)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def reader_text(page: BeautifulSoup) -> str:
    """What a reader reads: the text without machine names (<code>), styles and scripts, plus the charts' alt texts."""
    page = BeautifulSoup(str(page), "html.parser")
    alts = [img.get("alt", "") for img in page.find_all("img")]
    for tag in page(["code", "style", "script"]):
        tag.decompose()
    return page.get_text(" ") + " " + " ".join(alts)


def test_both_languages_built_each_on_its_own_page_and_a_rebuild_builds_nothing(site):
    reports, results, again = site
    for edition in EDITIONS:
        assert len(results[edition].built) == 2 * len(KINDS)
        assert len(pages(reports / edition, "id")) == len(pages(reports / edition, "en")) == len(KINDS) + 1
    assert soup(reports / "index.html").find("a", hreflang="en")["href"] == "index.en.html"
    assert [a["href"] for a in soup(reports / "index.en.html").select("h2 a")] == [
        f"{e}/index.en.html" for e in EDITIONS]
    assert again.built == [] and len(again.skipped) == 2 * len(KINDS)  # keys per language: no clobbering
    english = REPORTS["provinsi"].page(jobs("contoh", "en")[0]).as_posix()
    assert english == "2023/provinsi-17-bengkulu.en.html"
    key = b.job_key(REPORTS["nasional"], {"edition": "contoh", "year": 2023, "lang": "id"}, "lib", b.Digests())
    assert key != b.job_key(REPORTS["nasional"], {"edition": "contoh", "year": 2023, "lang": "en"}, "lib", b.Digests())


def test_select_jobs_makes_each_report_in_each_language(tmp_path):
    from test_build import scores_file

    path = scores_file(tmp_path)
    both = b.select_jobs("contoh", years=[2023], provinces=["17"], scores_path=path, langs=["id", "en"])
    indonesian = b.select_jobs("contoh", years=[2023], provinces=["17"], scores_path=path)
    assert [j for j in both if "lang" not in j.params] == indonesian  # the default: as before, no lang parameter
    english = [j for j in both if j.params.get("lang") == "en"]
    assert [REPORTS[j.report].page(j).as_posix().replace(".en.html", ".html") for j in english] == [
        REPORTS[j.report].page(j).as_posix() for j in indonesian]
    with pytest.raises(UsageError, match="unknown language fr; languages: id, en"):
        b.select_jobs("contoh", scores_path=path, langs=["fr"])


def test_no_machine_column_name_and_no_english_value_in_an_indonesian_page(site):
    reports, _, _ = site
    checked = 0
    for path in pages(reports, "id"):
        page = soup(path)
        assert page.html["lang"] == "id", path
        headers = [th.get_text(" ", strip=True) for th in page.find_all("th")]
        assert [h for h in headers if "_" in h] == [], path
        text = reader_text(page)
        found = [w for w in labels.ENGLISH_VALUES if re.search(rf"\b{w}\b", text, re.IGNORECASE)]
        assert found == [], path
        checked += 1
    assert checked == 2 * (len(KINDS) + 1) + 1


def test_english_pages_have_no_machine_column_name_either(site):
    reports, _, _ = site
    for path in pages(reports, "en"):
        assert [th for th in soup(path).find_all("th") if "_" in th.get_text()] == [], path


def test_every_column_of_a_data_file_is_in_its_report_data_dictionary(site):
    reports, _, _ = site
    for path in pages(reports, "id") + pages(reports, "en"):
        if path.name.startswith("index"):
            continue
        page = soup(path)
        explained = {td.get_text(strip=True) for td in page.select("table tbody td:first-child code")}
        files = sorted(path.parent.glob(path.name.removesuffix(".html") + ".*.csv"))
        files = [f for f in files if f.name.count(".") == path.name.count(".") + 1]  # x.unit.csv, not x.en.unit.csv
        assert files, path
        for csv in files:
            columns = set(pd.read_csv(csv, nrows=0).columns)
            assert columns <= explained, (csv.name, columns - explained)


def notebook_headings(name: str) -> list[str]:
    nb = nbformat.read(REPORTS[name].notebook, as_version=4)
    return [line.lstrip("#").strip() for cell in nb.cells if cell.cell_type == "markdown"
            for line in cell.source.splitlines() if line.startswith("#")]


def test_english_reports_are_in_english_with_decimal_points(site):
    reports, _, _ = site
    for edition in EDITIONS:
        for job in jobs(edition, "en"):
            path = reports / edition / REPORTS[job.report].page(job)
            page = soup(path)
            assert page.html["lang"] == "en"
            headings = [h.get_text(" ", strip=True).rstrip("¶").strip() for h in page.find_all(["h1", "h2"])]
            indonesian = notebook_headings(job.report)
            with i18n.using("en"):
                english = [i18n._("#" * 2 + " " + h).removeprefix("## ") for h in indonesian[1:]]
            assert [h for h in headings if h in indonesian] == [], path  # no Indonesian section title remains
            assert set(english) <= set(headings), path
            text = reader_text(page)
            assert DECIMAL_COMMA.findall(text) == [], (path, DECIMAL_COMMA.findall(text)[:5])
            assert re.search(r"\b\d+\.\d{2}\b", text), path  # scores with a decimal point
            prose = " ".join(p.get_text(" ") for p in page.select("main p, main figcaption, main th, main caption, main h3"))
            words = INDONESIAN_WORDS.findall(re.sub(r"(Kabupaten|Kota|Provinsi|Pemerintah) \w+", "", prose))
            assert len(words) <= 3, (path, words[:10])  # names and opinions as published aside
    mukomuko = reader_text(soup(reports / "contoh" / "2023" / "entitas" / "17.06-kabupaten-mukomuko.en.html"))
    assert "Kabupaten Mukomuko rose from 60.35" in mukomuko and "to 90.02" in mukomuko


def test_each_page_links_to_its_other_language_version(site):
    reports, _, _ = site
    for edition in EDITIONS:
        for job_id, job_en in zip(jobs(edition, "id"), jobs(edition, "en"), strict=True):
            id_page = reports / edition / REPORTS[job_id.report].page(job_id)
            en_page = reports / edition / REPORTS[job_en.report].page(job_en)
            to_en = soup(id_page).find("a", hreflang="en")
            to_id = soup(en_page).find("a", hreflang="id")
            assert (id_page.parent / to_en["href"]).resolve() == en_page.resolve() and to_en.get_text() == "English"
            assert (en_page.parent / to_id["href"]).resolve() == id_page.resolve()
        index, index_en = reports / edition / "index.html", reports / edition / "index.en.html"
        assert soup(index).find("a", hreflang="en")["href"] == "index.en.html"
        listed = [a["href"] for a in soup(index_en).select("tbody a")]
        assert sorted(listed) == sorted(REPORTS[j.report].page(j).as_posix() for j in jobs(edition, "en"))
        assert soup(index_en).html["lang"] == "en" and "reports" in soup(index_en).get_text()
