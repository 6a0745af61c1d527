"""An executed report notebook to one self-contained HTML page (custom nbconvert template)."""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser

from bs4 import BeautifulSoup

from .. import __version__, config, i18n, storage
from ..errors import ReportBuildError
from . import fmt
from .emit import Emitted

TEMPLATE_NAME = "kepatuhan"
# Cells a reader never sees: papermill's injected parameters, the defaults they override, and
# the error markers papermill adds to a failed run.
HIDDEN_CELL_TAGS = {"injected-parameters", "parameters", "papermill-error-cell-tag"}
# Where a page could load something: each (tag, attribute) below must stay local (data: or a
# relative file); plain <a href> links (sources cited in the data) load nothing and may point out.
LOADING_ATTRIBUTES = {
    "script": "src", "link": "href", "img": "src", "iframe": "src", "frame": "src", "embed": "src",
    "source": "src", "video": "src", "audio": "src", "track": "src", "object": "data", "input": "src",
}
REMOTE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
LONG_CELL = 40  # characters: a cell with more text keeps a readable width (class teks-panjang) when squeezed
CSS_REMOTE = re.compile(r"""(?:@import|url\(\s*['"]?)\s*(?:[a-z][a-z0-9+.-]*:)?//""", re.IGNORECASE)


CSS_PLAIN = re.compile(r"[A-Za-z0-9 .,:;()/-]")
SYNTHETIC_HEADER = i18n.N_("data sintetis")  # on every printed page of a report with synthetic figures


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string that is also inert HTML (in a <style>): every character but plain
    ones as a CSS escape, so no quote, backslash, '<' or '&' of a name can end the string or the element."""
    return '"' + "".join(c if CSS_PLAIN.fullmatch(c) else f"\\{ord(c):x} " for c in text) + '"'


def subject_line(subject: str, parameters: dict) -> str:
    """Whom and which year a report is about ('Kabupaten Mukomuko · 2024'): atop its first printed page and
    in the running header of every other."""
    return " · ".join(str(part) for part in (subject, parameters.get("year")) if part not in ("", None))


def script_hash(script: str) -> str:
    """The CSP source that allows exactly this inline script: 'sha256-<base64 digest of its text>'."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def content_security_policy(scripts: Iterable[str] = ()) -> str:
    """A page's Content-Security-Policy (in a <meta> tag): nothing is loaded from anywhere but its own
    inline styles, data: images and, by hash, the inline ``scripts`` given, so the browser itself
    refuses what remote_resources looks for."""
    policy = ["default-src 'none'", "style-src 'unsafe-inline'", "img-src data:", "base-uri 'none'",
              "form-action 'none'"]
    if scripts:
        policy.append("script-src " + " ".join(script_hash(s) for s in scripts))
    return "; ".join(policy)


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str


def _cell_headings(cell) -> list[Heading]:
    """The headings of a markdown cell, with the ids nbconvert gives them."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    if cell.cell_type != "markdown":
        return []
    found = []
    for h in BeautifulSoup(markdown2html_mistune(cell.source), "html.parser").find_all(["h1", "h2", "h3"]):
        for anchor in h.find_all("a", class_="anchor-link"):
            anchor.decompose()
        found.append(Heading(int(h.name[1]), h.get("id", ""), h.get_text().strip()))
    return found


def headings(nb) -> list[Heading]:
    """The markdown headings of the notebook, with the ids nbconvert gives them."""
    return [h for cell in nb.cells for h in _cell_headings(cell)]


def framed_tables(fragment: str, section: str, names: set[str]) -> str:
    """Each table of an HTML fragment in a frame of its own that scrolls sideways (a phone's page does
    not), its column headers scope="col", its long cells marked (LONG_CELL), and named for screen readers
    by its caption, else after the ``section`` heading it is under; ``names`` (the names given so far)
    keeps every frame's name unique."""
    soup = BeautifulSoup(fragment, "html.parser")
    for table in soup.find_all("table"):
        for th in table.select("thead th"):
            th["scope"] = th.get("scope", "col")
        for td in table.find_all("td"):
            if len(td.get_text(" ", strip=True)) > LONG_CELL:
                td["class"] = [*td.get("class", []), "teks-panjang"]
        caption = table.find("caption")
        name = caption.get_text(" ", strip=True) if caption else table.get("aria-label") \
            or i18n._("Tabel: {section}").format(section=section)
        base, n = name, 1
        while name in names:
            n += 1
            name = f"{base} ({n})"
        names.add(name)
        if caption is None:
            table["aria-label"] = name
        table.wrap(soup.new_tag("div", attrs={"class": "bingkai-tabel", "role": "region", "tabindex": "0",
                                              "aria-label": name}))
    return str(soup)


class _LoadScanner(HTMLParser):
    """Collects, in one pass without building a tree, the addresses remote_resources looks for."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._style: list[str] | None = None  # text of the <style> element being read

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)  # a repeated attribute: the last one counts, as in browsers' DOM
        attr = LOADING_ATTRIBUTES.get(tag)
        if attr and values.get(attr) is not None and REMOTE.match(values[attr]):
            self.found.append(values[attr])
        if values.get("srcset") is not None and REMOTE.match(values["srcset"]):
            self.found.append(values["srcset"])
        if values.get("style"):
            self.found += [m.group(0) for m in CSS_REMOTE.finditer(values["style"])]
        if tag == "style":
            self._style = []

    def handle_endtag(self, tag):
        if tag == "style" and self._style is not None:
            self.found += [m.group(0) for m in CSS_REMOTE.finditer("".join(self._style))]
            self._style = None

    def handle_data(self, data):
        if self._style is not None:
            self._style.append(data)


def remote_resources(html: str) -> list[str]:
    """Every address at which the page would fetch something from another host."""
    scanner = _LoadScanner()
    scanner.feed(html)
    scanner.close()
    return scanner.found


@functools.cache
def _exporter():
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(config.TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


def _reader_cells(nb) -> None:
    """Drop what a reader must never see: hidden cells, error outputs, stderr (warnings)."""
    nb.cells = [c for c in nb.cells if not HIDDEN_CELL_TAGS & set(c.metadata.get("tags", []))]
    for cell in nb.cells:
        if "outputs" in cell:
            cell.outputs = [
                o for o in cell.outputs
                if o.output_type != "error" and not (o.output_type == "stream" and o.name == "stderr")
            ]


def _frame_tables(nb, title: str) -> None:
    """framed_tables on every HTML output, each table named after the heading above it."""
    section, names = title, set()
    for cell in nb.cells:
        section = next((h.text for h in reversed(_cell_headings(cell))), section)
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html")
            if isinstance(html, str) and "<table" in html:
                output.data["text/html"] = framed_tables(html, section, names)


def _translate_markdown(nb) -> None:
    """The notebook's markdown cells (headings, introductions) in the current language, block by block."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = i18n.translate_markdown(cell.source)


def counterpart(path: str, lang: str) -> dict:
    """The link from a page to its version in ``lang`` (``path`` relative to the page): href, lang, label."""
    return {"href": path, "lang": lang, "label": i18n.LANGUAGES[lang]}


def render_html(nb, emitted: Emitted, *, built_at: datetime, downloads: list[str] = (), subject: str = "",
                other_language: dict | None = None, provenance: dict | None = None) -> tuple[str, str]:
    """The page of an executed notebook whose emitted payloads were collected; returns (html, title).

    Written in the notebook's ``lang`` parameter (markdown cells through the catalogue). ``downloads``
    are the data files beside the page (names relative to it); ``subject`` is whom the report is about
    (its entity or province), named with its year on paper; ``other_language`` (``counterpart``) links
    the page to its version in the other language; ``provenance`` (build/plan.provenance) is what the build's
    key covers of each input, listed in the footer. Raises ReportBuildError if the page would load
    anything from another host.
    """
    lang = nb.metadata.get("papermill", {}).get("parameters", {}).get("lang", i18n.DEFAULT)
    with i18n.using(lang):
        return _render(nb, emitted, built_at, downloads, subject, other_language, lang, provenance or {})


def input_list(paths, provenance: dict) -> list[dict]:
    """The footer's list of the files a report read: a processed table with the rows read and their digest,
    any other file with its sha256, as the build's key has them (``provenance``, by resolved path); hashed here
    only where no build gave them (a page rendered on its own, package data)."""
    items = []
    for path in paths:
        found = provenance.get(str(path)) or {"sha256": storage.sha256_file(path)}
        rows = {"rows": fmt.bilangan(found["rows"])} if "rows" in found else {}
        items.append({**found, **rows, "path": config.display_path(path)})
    return items


def _render(nb, emitted: Emitted, built_at: datetime, downloads, subject: str, other_language,
            lang: str, provenance: dict) -> tuple[str, str]:
    _reader_cells(nb)
    _translate_markdown(nb)
    toc = headings(nb)
    title = next((h.text for h in toc if h.level == 1), nb.metadata.get("papermill", {}).get("input_path", ""))
    _frame_tables(nb, title)
    parameters = nb.metadata.get("papermill", {}).get("parameters", {})
    line = subject_line(subject, parameters)
    resources = {
        "kepatuhan": {
            "title": title,
            "toc": [h for h in toc if h.level in (2, 3)],
            "synthetic": emitted.synthetic,
            "parameters": parameters,
            "subject_line": line,
            "print_header": css_string(" · ".join(filter(None, (line, i18n._(SYNTHETIC_HEADER) if emitted.synthetic else "")))),
            "print_title": css_string(title),
            "inputs": input_list(emitted.inputs, provenance),
            "downloads": list(downloads),
            "version": __version__,
            "built_at": fmt.waktu(built_at),
            "csp": content_security_policy(),
            "lang": lang,
            "gettext": i18n._,
            "counterpart": other_language,
        }
    }
    html, _ = _exporter().from_notebook_node(nb, resources=resources)
    remote = remote_resources(html)
    if remote:
        raise ReportBuildError(f"the page would load from another host: {', '.join(remote[:3])}", report=title)
    return html, title
