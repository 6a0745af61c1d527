"""Reports on paper: `kepatuhan build --pdf` prints the Bengkulu 2023 province report and Kabupaten
Mukomuko's profile (terbitan, made by the real pipeline) to A4 PDFs, read back with poppler-utils
(pdfinfo, pdftotext, pdftoppm): page size and count, the headline figures on page 1, the running header
on every page, no blank page and no table row cut across two pages. Then the PDF step of the incremental
build on fixture notebooks."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from kepatuhan_lib import config
from kepatuhan_lib.cli import main
from kepatuhan_lib.reports import build as b
from kepatuhan_lib.reports import pdf
from test_build import Job, run, uji
from test_editions import project  # noqa: F401 (the fixture: ingest on a temporary data/)


PROVINCE = Path("2023/provinsi-17-bengkulu.html")
PROFILE = Path("2024/entitas/17.06-kabupaten-mukomuko.html")  # Mukomuko's latest year in terbitan
A4_POINTS = (595, 842)  # 210 x 297 mm
PNG_DPI = 30


@pytest.fixture(scope="module")
def printing():
    if not config.CHROMIUM.is_file() or not shutil.which("pdftotext"):
        if os.environ.get("KEPATUHAN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"KEPATUHAN_REQUIRE_BROWSER=1 but {config.CHROMIUM} or poppler-utils is missing")
        pytest.skip(f"{config.CHROMIUM} or poppler-utils (pdftotext) not installed")


@pytest.fixture(scope="module")
def printed(project, printing):  # noqa: F811
    """The two reports built with --pdf: {html path: pdf path}. The province report through the command line;
    the profile alone through the same build (the command line selects no single entity)."""
    root, _ = project
    assert main(["build", "--edition", "terbitan", "--year", "2023", "--province", "17", "--report", "provinsi",
                 "--pdf", "--jobs", "2"]) == 0
    site = root / "reports" / "terbitan"
    profile = [job for job in b.select_jobs("terbitan", [2024], ["17"], ["entitas"])
               if job.params["entity_code"] == "17.06"]
    assert len(profile) == 1
    assert not b.build(profile, reports_dir=site, n_jobs=1, progress=False, pdf=True).failed
    return {site / page: (site / page).with_suffix(".pdf") for page in (PROVINCE, PROFILE)}


def page_texts(path: Path) -> list[str]:
    """The text of each page (pdftotext ends every page with a form feed)."""
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


def page_sizes(path: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(path)], check=True, capture_output=True,
                          text=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+) pts", info)]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def headline_tiles(html: Path) -> list[tuple[str, str]]:
    """(label, figure) of each headline tile in the report's first section (Ringkasan), as a reader sees them."""
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    heading = soup.find("h2", id="Ringkasan")
    strip = heading.find_next("div", class_="angka-utama")
    return [tuple(part.get_text(" ", strip=True) for part in tile.find_all("div", recursive=False))
            for tile in strip.find_all("div", recursive=False)]


def subject_line(html: Path) -> str:
    return BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").select_one(".kop-cetak").get_text(strip=True)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("page", [PROVINCE, PROFILE], ids=["provinsi", "entitas"])
def test_report_prints_to_a4_with_its_headline_on_page_1_and_its_header_on_every_page(printed, page, tmp_path):
    html, path = next((h, p) for h, p in printed.items() if h.as_posix().endswith(page.as_posix()))
    sizes = page_sizes(path)
    assert all(abs(w - A4_POINTS[0]) < 1.5 and abs(h - A4_POINTS[1]) < 1.5 for w, h in sizes)
    assert 3 <= len(sizes) <= 8 if page == PROVINCE else 2 <= len(sizes) <= 6
    texts = page_texts(path)
    assert len(texts) == len(sizes)
    subject = subject_line(html)
    title = "Laporan Kepatuhan Provinsi" if page == PROVINCE else "Profil Entitas"
    assert subject == ("Bengkulu · 2023" if page == PROVINCE else "Kabupaten Mukomuko · 2024")
    for number, text in enumerate(texts, 1):  # the running header and the page number, on every page
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert subject in lines and title in lines and re.fullmatch(rf"{number} ?/ ?{len(texts)}", lines[-1]), number
    tiles = headline_tiles(html)
    assert len(tiles) >= (8 if page == PROVINCE else 5)
    first = flat(texts[0])
    assert [tile for tile in tiles if not (flat(tile[0]) in first and flat(tile[1]) in first)] == []
    if page == PROFILE:  # the rapor: who and which year, then the score, its opinion and grade
        assert re.search(r"nilai 2024\s", texts[0]) and "90,64P[1]" in first and "A·hijau" in first
    pngs = tmp_path / "halaman"
    subprocess.run(["pdftoppm", "-r", str(PNG_DPI), "-gray", "-png", str(path), str(pngs)], check=True)
    images = sorted(tmp_path.glob("halaman-*.png"))
    assert len(images) == len(sizes)
    for image in images:  # A4 at 30 dpi, and something printed below the running header: no blank page
        with Image.open(image) as im:
            assert abs(im.width - 248) <= 1 and abs(im.height - 351) <= 1
            body = im.crop((0, int(im.height * 0.08), im.width, int(im.height * 0.93)))
            assert sum(body.histogram()[:200]) > 50, image.name  # pixels not white: not a blank page
    if os.environ.get("KEPATUHAN_SCREENSHOT_DIR"):  # to look at the pages by eye
        for image in images:
            shutil.copy(image, Path(os.environ["KEPATUHAN_SCREENSHOT_DIR"]) / f"{path.stem}-{image.name}")


# --- no table row cut across pages ---------------------------------------------------------------

# Each body row gets two markers that take no room (absolutely placed): one at its top edge, one at its
# bottom edge. Printed, a row cut across pages has its top marker on one page and its bottom one on the
# next. The markers change no layout, which the test checks: the marked PDF's pages read as the real PDF's.
MARK_ROWS = """() => {
  let n = 0;
  for (const tr of document.querySelectorAll("tbody tr")) {
    tr.style.position = "relative";
    for (const edge of ["top", "bottom"]) {
      const mark = document.createElement("span");
      mark.textContent = `QQ${n}${edge}QQ`;
      mark.style.cssText = `position:absolute;left:0;${edge}:0;font-size:3px;line-height:1`;
      tr.firstElementChild.append(mark);
    }
    n += 1;
  }
  return n;
}"""
MARKER = re.compile(r"QQ(\d+)(top|bottom)QQ")


def split_rows(html: Path, out: Path, extra_css: str = "") -> tuple[int, list[int], list[str]]:
    """Print ``html`` with its rows marked (and ``extra_css``): (rows, rows cut across pages, page texts)."""
    async def print_marked():
        from playwright.async_api import async_playwright

        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=str(config.CHROMIUM), args=pdf.LAUNCH_ARGS)
            page = await browser.new_page()
            await page.goto(html.as_uri(), wait_until="load")
            if extra_css:
                await page.add_style_tag(content=extra_css)
            rows = await page.evaluate(MARK_ROWS)
            await page.pdf(path=str(out), **pdf.PDF_OPTIONS)
            await browser.close()
            return rows

    rows = asyncio.run(print_marked())
    pages = {}
    texts = page_texts(out)
    for number, text in enumerate(texts):
        for row, edge in MARKER.findall(text):
            pages.setdefault(int(row), {})[edge] = number
    assert sorted(pages) == list(range(rows)) and all(len(p) == 2 for p in pages.values())
    return rows, sorted(r for r, p in pages.items() if p["top"] != p["bottom"]), texts


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("page", [PROVINCE, PROFILE], ids=["provinsi", "entitas"])
def test_no_table_row_is_cut_across_pages(printed, page, tmp_path):
    html, path = next((h, p) for h, p in printed.items() if h.as_posix().endswith(page.as_posix()))
    rows, cut, marked = split_rows(html, tmp_path / "bertanda.pdf")
    assert rows >= 10 and cut == []
    assert [sorted(MARKER.sub(" ", t).split()) for t in marked] == [sorted(t.split()) for t in page_texts(path)]


@pytest.mark.browser
@pytest.mark.slow
def test_the_row_check_finds_a_cut_row(printed, tmp_path):
    """Rows too tall to share a page, allowed to break: the check sees them cut; kept whole: it sees none."""
    tall = "tbody td { height: 11cm; }"
    html = next(h for h in printed if h.as_posix().endswith(PROVINCE.as_posix()))
    _, cut, _ = split_rows(html, tmp_path / "terpotong.pdf", tall + " tr { break-inside: auto !important; }")
    assert cut
    _, cut, _ = split_rows(html, tmp_path / "utuh.pdf", tall)
    assert cut == []


@pytest.mark.browser
@pytest.mark.slow
def test_tables_fit_the_paper_width(printed, printing):
    """With the print stylesheet at A4's width, no table is wider than the page (Chromium would otherwise
    shrink every page to fit it, or a reader's browser cut it)."""
    from playwright.sync_api import sync_playwright

    width = round((210 - 2 * 13) / 25.4 * 96)  # A4 less the @page side margins, in CSS px
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(config.CHROMIUM), args=pdf.LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": width, "height": 1000})
        page.emulate_media(media="print")
        for html in printed:
            page.goto(html.as_uri(), wait_until="load")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, html.name
            assert page.locator("table").count() >= 2
            assert page.locator(".daftar-isi").is_hidden() and page.locator(".kop-cetak").is_visible()
        browser.close()


# --- the PDF step of the incremental build (fixture notebooks) -----------------------------------

@pytest.mark.browser
@pytest.mark.slow
def test_pdfs_follow_their_html_and_a_failed_one_is_its_reports_failure(tmp_path, printing, monkeypatch):
    (tmp_path / "skor.csv").write_text("entity,score\nKabupaten Mukomuko,90.02\n")
    jobs = [uji(tmp_path, "17"), uji(tmp_path, "18")]
    site = tmp_path / "reports" / "2024"
    run(tmp_path, jobs)
    assert (site / "uji-17.html").exists() and not list(site.glob("*.pdf"))
    real = pdf.print_page

    async def fails_for_18(browser, html, target):
        if html.name == "uji-18.html":
            raise RuntimeError("printer on fire")
        await real(browser, html, target)

    monkeypatch.setattr(pdf, "print_page", fails_for_18)
    result = run(tmp_path, jobs, pdf=True)  # HTML up to date, PDF missing: printed
    assert sorted(result.skipped) == ["2024/uji-17.html", "2024/uji-18.html"]
    assert list(result.failed) == ["2024/uji-18.html"] and result.failed["2024/uji-18.html"].section == "PDF"
    assert "printer on fire" in result.failed["2024/uji-18.html"].error
    assert "Provinsi 17 · 2024" in page_texts(site / "uji-17.pdf")[0]  # the job's subject and year
    assert not (site / "uji-18.pdf").exists() and (site / "uji-18.html").exists()  # the page stays
    printed_at = (site / "uji-17.pdf").stat().st_mtime_ns
    monkeypatch.setattr(pdf, "print_page", real)
    result = run(tmp_path, jobs, pdf=True)  # the failed one tried again, alone
    assert not result.failed and (site / "uji-18.pdf").exists()
    assert (site / "uji-17.pdf").stat().st_mtime_ns == printed_at
    (tmp_path / "skor.csv").write_text("entity,score\nKabupaten Mukomuko,91.00\n")
    run(tmp_path, jobs)  # new HTML without --pdf: the PDFs of the old pages go
    assert (site / "uji-17.html").exists() and not list(site.glob("*.pdf")) and not list(site.glob(".*.tmp"))


@pytest.mark.parametrize("missing", ["playwright", "chromium"])
def test_pdf_without_playwright_or_chromium_is_one_line_naming_what_to_install(missing, monkeypatch, capsys,
                                                                                 tmp_path):
    if missing == "playwright":
        import builtins

        real_import = builtins.__import__

        def no_playwright(name, *args, **kwargs):
            if name.startswith("playwright"):
                raise ImportError(f"No module named {name!r}")
            return real_import(name, *args, **kwargs)

        monkeypatch.setattr(builtins, "__import__", no_playwright)
    else:
        monkeypatch.setattr(config, "CHROMIUM", tmp_path / "no-chromium")
    assert main(["build", "--pdf"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert ("pip install 'kepatuhan[pdf]'" in err) if missing == "playwright" else \
        (str(tmp_path / "no-chromium") in err and "apt-get install chromium" in err)


def test_a_subject_becomes_a_safe_css_string():
    from kepatuhan_lib.reports.render import css_string

    assert css_string("Kota Bengkulu · 2023") == '"Kota Bengkulu \\b7  2023"'
    hostile = css_string('"}</style><script>alert(1)</script>\\')
    assert re.fullmatch(r'"[A-Za-z0-9 .,:;()/\\-]*"', hostile) and "<" not in hostile and '"' not in hostile[1:-1]
