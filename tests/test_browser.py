"""A built report and the index opened in headless Chromium: no request elsewhere, no console error."""

import os
import shutil
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
