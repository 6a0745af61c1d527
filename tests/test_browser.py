"""Built reports and the index opened in headless Chromium: no request elsewhere, no console error, the
index search, the Content-Security-Policy at work, phone and desktop widths."""

import os
import shutil
import time
from pathlib import Path

import pytest

from test_build import EVIL, Job, run, uji

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LOCAL_SCHEMES = ("file:", "data:")

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("KEPATUHAN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"KEPATUHAN_REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    (root / "skor.csv").write_text(f"entity,score\nKabupaten Mukomuko,90.02\n{EVIL},60.35\nKota Bengkulu,75.5\n")
    run(root, [uji(root, "17", synthetic=True), Job("gagal", {"year": 2024, "province": "17"}, "Gagal", "17")])
    return root / "reports"


@pytest.mark.parametrize("page_path", ["2024/uji-17.html", "index.html"])
def test_page_loads_nothing_from_elsewhere_and_logs_no_error(browser, site, page_path, tmp_path):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    requests, problems, dialogs = [], [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto((site / page_path).as_uri(), wait_until="load")
    page.wait_for_timeout(300)
    shot = tmp_path / (page_path.replace("/", "-") + ".png")
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("KEPATUHAN_SCREENSHOT_DIR"):  # to look at the page by eye
        shutil.copy(shot, Path(os.environ["KEPATUHAN_SCREENSHOT_DIR"]) / shot.name)
    elsewhere = [url for url in requests if not url.startswith(LOCAL_SCHEMES)]
    assert elsewhere == [] and problems == [] and dialogs == []
    assert shot.stat().st_size > 10_000
    if page_path != "index.html":
        assert page.locator(".banner-sintetis").is_visible()
        assert page.locator("img").first.evaluate("img => img.naturalWidth") > 0  # the embedded chart decodes
        assert page.get_by_text(EVIL).count() == 1  # shown as text, not run
    page.close()


# --- real reports of each kind and an index listing them ------------------------------------------

INDONESIAN = [  # the report notebooks built on the fixture tree (contoh, Bengkulu 2023: conftest.bengkulu_reports)
    "2023/provinsi-17-bengkulu.html", "2023/nasional.html", "2023/entitas/17.06-kabupaten-mukomuko.html"]
REAL = INDONESIAN + [page.removesuffix(".html") + ".en.html" for page in INDONESIAN]  # and each in English
INDEXES = ["index.html", "index.en.html"]
INDEX_ROWS = [  # (page, report, year, subject, province, headline): the real reports and a few more
    ("2023/nasional.html", "nasional", 2023, "Nasional", None, {"entitas": 587, "rata_rata": 77.5}),
    ("2023/provinsi-17-bengkulu.html", "provinsi", 2023, "Bengkulu", "17", {"entitas": 10, "rata_rata": 81.2}),
    ("2023/entitas/17.06-kabupaten-mukomuko.html", "entitas", 2023, "Kabupaten Mukomuko", "17",
     {"nilai": 90.02, "zona": "hijau", "kategori": "A"}),
    ("2022/entitas/17.06-kabupaten-mukomuko.html", "entitas", 2022, "Kabupaten Mukomuko", "17",
     {"nilai": 60.35, "zona": "kuning", "kategori": "C"}),
    ("2023/entitas/17.71-kota-bengkulu.html", "entitas", 2023, "Kota Bengkulu", "17", {"nilai": 84.2}),
    ("2023/provinsi-11-aceh.html", "provinsi", 2023, "Aceh", "11", {"entitas": 5, "rata_rata": 70.1}),
    ("2023/entitas/11.01-x.html", "entitas", 2023, EVIL, "11", {"nilai": 55.0}),
    ("2023/entitas/KEM.06-kementerian-agama.html", "entitas", 2023, "Kementerian Agama", None, {"nilai": 80.0}),
]


def index_entries(lang: str = "id") -> dict:
    return {path if lang == "id" else path.removesuffix(".html") + f".{lang}.html": {
        "report": report, "params": {"year": year, **({} if lang == "id" else {"lang": lang})}, "subject": subject,
        "province_code": province, "status": "ok", "title": subject, "headline": headline, "synthetic": False,
        "error": "", "section": "", "built_at": "2026-11-23T09:07:00"}
        for path, report, year, subject, province, headline in INDEX_ROWS}


@pytest.fixture(scope="module")
def reports_site(tmp_path_factory, bengkulu_reports):
    """The three reports in both languages, as `kepatuhan build` built them, and an index of INDEX_ROWS."""
    from datetime import datetime

    from kepatuhan_lib.reports.index import index_html
    from kepatuhan_lib.reports.render import counterpart

    site = tmp_path_factory.mktemp("real")
    for page in REAL:
        (site / page).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(bengkulu_reports.reports / "contoh" / page, site / page)
    entries = index_entries() | index_entries("en")
    for lang, index in zip(("id", "en"), INDEXES, strict=True):
        other = INDEXES[1 - INDEXES.index(index)]
        html = index_html(entries, datetime(2026, 11, 23), "contoh", lang=lang,
                          other_language=counterpart(other, "en" if lang == "id" else "id"))
        (site / index).write_text(html, encoding="utf-8")
    return site


def visible_rows(page) -> list[str]:
    """Subject of each index row shown, in page order."""
    return page.locator("tbody tr:visible td:nth-child(2)").all_inner_texts()


def expect_rows(page, expected: list[str], seconds: float = 5.0) -> None:
    """The rows shown are ``expected`` once the page's script has caught up with the last action."""
    deadline = time.monotonic() + seconds
    while (rows := visible_rows(page)) != expected and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert rows == expected


def test_index_search_finds_by_name_ignoring_case_and_accents_and_filters_by_year_and_kind(browser, reports_site):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto((reports_site / "index.html").as_uri(), wait_until="load")
    search = page.get_by_label("Cari entitas atau provinsi")
    everything = visible_rows(page)
    assert search.is_visible() and len(everything) == len(INDEX_ROWS)  # the script ran (its hash allowed it)
    search.press_sequentially("mukomuko")
    expect_rows(page, ["Kabupaten Mukomuko", "Kabupaten Mukomuko"])  # 2023, then 2022
    assert [t for t in page.locator("tbody tr:visible td.angka").all_inner_texts()] == [
        "nilai 90,02 · zona hijau · kategori A", "nilai 60,35 · zona kuning · kategori C"]  # the headline stays
    assert page.locator("#saring-hasil").inner_text() == f"2 dari {len(INDEX_ROWS)} laporan cocok."
    assert page.get_by_role("heading", name="Aceh 2023").is_hidden() and page.locator(".daftar-isi").is_hidden()
    page.get_by_label("Tahun").select_option("2023")
    expect_rows(page, ["Kabupaten Mukomuko"])
    assert page.get_by_role("heading", name="2022", exact=True).is_hidden()
    page.get_by_label("Tahun").select_option("")
    search.fill("")
    search.press_sequentially("MÛKOMUKO")  # case and accents ignored
    expect_rows(page, ["Kabupaten Mukomuko", "Kabupaten Mukomuko"])
    search.fill("bengkulu")  # a province name finds its reports, the entities' included
    expect_rows(page, ["Bengkulu", "Kabupaten Mukomuko", "Kota Bengkulu", "Kabupaten Mukomuko"])
    search.fill("kota bengkulu")
    expect_rows(page, ["Kota Bengkulu"])
    search.fill("")
    page.get_by_label("Jenis laporan").select_option("provinsi")
    expect_rows(page, ["Aceh", "Bengkulu"])
    search.fill("atlantis")
    expect_rows(page, [])
    assert page.locator("#saring-hasil").inner_text() == "Tidak ada laporan yang cocok."
    page.get_by_role("button", name="Hapus saringan").click()
    # a form's reset event comes before its fields are cleared: the script filters just after it
    expect_rows(page, everything)
    assert page.locator(".daftar-isi").is_visible()
    assert page.get_by_text(EVIL).count() == 1 and problems == []
    page.close()


def test_english_index_searches_in_english_and_links_to_english_reports(browser, reports_site):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto((reports_site / "index.en.html").as_uri(), wait_until="load")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_label("Search an entity or province").press_sequentially("mukomuko")
    expect_rows(page, ["Kabupaten Mukomuko", "Kabupaten Mukomuko"])
    assert page.locator("#saring-hasil").inner_text() == f"2 of {len(INDEX_ROWS)} reports match."
    assert page.locator("tbody tr:visible td.angka").first.inner_text() == "score 90.02 · zone green · grade A"
    assert page.locator("tbody tr:visible a").first.get_attribute("href").endswith("-kabupaten-mukomuko.en.html")
    assert page.get_by_role("link", name="Bahasa Indonesia").get_attribute("href") == "index.html"
    page.close()


def test_index_without_javascript_lists_every_report(browser, reports_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((reports_site / "index.html").as_uri(), wait_until="load")
    assert len(visible_rows(page)) == len(INDEX_ROWS)
    assert page.locator("#saring").is_hidden()  # a search box that could not search is not shown
    context.close()


@pytest.mark.parametrize("page_path", [*INDEXES, *REAL])
def test_the_browser_refuses_and_reports_anything_from_elsewhere(browser, reports_site, page_path):
    """The page's Content-Security-Policy: an image from another host added to its DOM is not fetched."""
    page = browser.new_page()
    failed, responses, console = [], [], []
    page.on("requestfailed", lambda r: failed.append((r.url, r.failure)))
    page.on("response", lambda r: responses.append(r.url))
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.goto((reports_site / page_path).as_uri(), wait_until="load")
    violation = page.evaluate("""() => new Promise(resolve => {
        document.addEventListener("securitypolicyviolation",
            e => resolve({uri: e.blockedURI, directive: e.effectiveDirective}));
        const img = document.createElement("img");
        img.src = "https://example.org/x.png";
        document.body.append(img);
        setTimeout(() => resolve(null), 3000);
    })""")
    assert violation == {"uri": "https://example.org/x.png", "directive": "img-src"}
    assert failed == [("https://example.org/x.png", "csp")]  # refused by the policy, not by a failed lookup
    assert not [url for url in responses if "example.org" in url]
    assert any("Content Security Policy" in text and "example.org" in text for text in console)
    page.close()


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("page_path", [*INDEXES, *REAL])
def test_pages_fit_a_phone_and_a_desktop(browser, reports_site, page_path, width):
    """No page-wide sideways scroll: tables scroll in their own frame, charts scale, headline tiles wrap."""
    page = browser.new_page(viewport={"width": width, "height": 844})
    page.goto((reports_site / page_path).as_uri(), wait_until="load")
    if os.environ.get("KEPATUHAN_SCREENSHOT_DIR"):  # to look at the page by eye
        name = f"{page_path.replace('/', '-').removesuffix('.html')}-{width}.png"
        page.screenshot(path=str(Path(os.environ["KEPATUHAN_SCREENSHOT_DIR"]) / name), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    layout = page.evaluate("""() => ({
        tables: [...document.querySelectorAll("main table")].map(t => t.closest(".bingkai-tabel, table.daftar") !== null),
        frames: [...document.querySelectorAll(".bingkai-tabel")].map(f => f.getBoundingClientRect().right),
        images: [...document.querySelectorAll("main img")].map(i => i.getBoundingClientRect().right),
    })""")
    assert all(layout["tables"])  # every report table in a frame of its own (the index's rows reflow instead)
    assert max(layout["frames"] + layout["images"], default=0) <= width
    if page_path not in INDEXES:
        assert len(layout["images"]) > 0
    page.close()


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("page_path", [*INDEXES, *REAL])
def test_axe_finds_no_accessibility_violation(browser, reports_site, page_path, width):
    """axe-core (from the axe-playwright-python test dependency, evaluated in the test page only)."""
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport={"width": width, "height": 844})
    page.goto((reports_site / page_path).as_uri(), wait_until="load")
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], v["help"], [n["html"][:120] for n in v["nodes"][:3]]) for v in violations] == []
    page.close()
