"""`kepatuhan build --pdf`: each report's page printed to an A4 PDF beside it (same name, .pdf) by headless
Chromium, laid out by the page's own print stylesheet (kepatuhan.css), as a browser's Print would."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from pathlib import Path

from .. import config, storage
from ..errors import UsageError

LAUNCH_ARGS = [  # a Chromium that prints local pages and talks to nothing
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
# A4 unless the page's @page says otherwise; backgrounds (zone colours) printed; tagged (its structure for
# screen readers) with the headings as bookmarks.
PDF_OPTIONS = {"format": "A4", "prefer_css_page_size": True, "print_background": True, "tagged": True, "outline": True}
PAGE_TIMEOUT = 120  # seconds to load and print one page; beyond it that report's PDF fails


def pdf_path(html: Path) -> Path:
    return html.with_suffix(".pdf")


def require() -> None:
    """Refuse --pdf up front, in one line naming what to install, when playwright or Chromium is missing."""
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        raise UsageError("--pdf needs playwright: pip install 'kepatuhan[pdf]'") from None
    if not config.CHROMIUM.is_file():
        raise UsageError(f"--pdf needs Chromium at {config.CHROMIUM}: apt-get install chromium "
                         "(or set KEPATUHAN_CHROMIUM to a Chromium's path)")


def print_pdfs(pages: Mapping[str, Path], n_jobs: int, done: Callable[[str, str], None]) -> None:
    """Print each HTML page to its PDF, ``n_jobs`` at a time in one Chromium; ``done(key, error)`` after
    each, ``error`` '' when its PDF was written (whole: a temporary file renamed onto it)."""
    if pages:
        asyncio.run(_print_all(pages, n_jobs, done))


async def _print_all(pages: Mapping[str, Path], n_jobs: int, done: Callable[[str, str], None]) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(config.CHROMIUM), args=LAUNCH_ARGS, headless=True)
        turns = asyncio.Semaphore(n_jobs)

        async def one(key: str, html: Path) -> None:
            async with turns:
                try:
                    await asyncio.wait_for(print_page(browser, html, pdf_path(html)), PAGE_TIMEOUT)
                except TimeoutError:
                    done(key, f"not printed within {PAGE_TIMEOUT} s")
                except Exception as err:  # this report's failure, not the build's
                    done(key, f"{type(err).__name__}: {(str(err).splitlines() or [''])[0]}")
                else:
                    done(key, "")

        try:
            await asyncio.gather(*(one(key, html) for key, html in pages.items()))
        finally:
            await browser.close()


async def print_page(browser, html: Path, target: Path) -> None:
    """One page to an A4 PDF: its @page rules give size, margins, running header and page numbers."""
    page = await browser.new_page()
    try:
        await page.goto(html.resolve().as_uri(), wait_until="load")
        with storage.atomic_path(target) as tmp:
            await page.pdf(path=str(tmp), **PDF_OPTIONS)
    finally:
        await page.close()
