"""reports/index.html: every report by year and province, with headline figures and status."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import jinja2
from markupsafe import Markup

from .. import __version__, config, i18n, storage
from ..i18n import N_, _
from ..reference import province_names
from . import fmt, labels
from .catalog import REPORTS, localized
from .render import content_security_policy

TEMPLATE = "daftar-laporan.html.j2"
EDITIONS_TEMPLATE = "edisi.html.j2"
FILTER_SCRIPT = config.TEMPLATES_DIR / "kepatuhan" / "static" / "daftar.js"  # the index's one inline script
KIND_ORDER = {"nasional": 0, "provinsi": 1, "entitas": 2}
EDITION_DESCRIPTION = {
    "terbitan": N_("Hanya hasil yang dipublikasikan Ombudsman RI dan perwakilannya, masing-masing dengan sumbernya. "
                   "Tidak ada angka sintetis atau hasil perhitungan dari ekspor."),
    "contoh": N_("Contoh: data sintetis yang dibuat program (seed tetap) bersama hasil yang dipublikasikan, untuk "
                 "menunjukkan isi laporan dengan data lengkap. Angka sintetis bukan hasil penilaian Ombudsman RI."),
    "ekspor": N_("Ekspor penilaian milik analis (data/raw/exports/) yang dihitung, bersama hasil yang dipublikasikan."),
}
INDEX = Path("index.html")  # an edition's index and reports/index.html; localized for another language


def _figure(value) -> str:
    """Counts as 1.234, scores with the two decimals they are published with (81,20)."""
    if isinstance(value, float):
        return fmt.skor(value)
    return fmt.bilangan(value) if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _figures(headline: dict) -> str:
    """'entitas 23 · rata-rata 81,20 · zona: hijau 10, kuning 3' from the emitted headline (in the index's language)."""
    parts = []
    for name, value in headline.items():
        label = labels.value(labels.HEADLINE, name).replace("_", "-")  # an undeclared rata_x -> rata-x
        if isinstance(value, dict):
            value = ", ".join(f"{labels.value(labels.ZONE, k)} {_figure(v)}" for k, v in value.items())
            parts.append(f"{label}: {value}")
        else:
            shown = labels.value(labels.ZONE, value) if isinstance(value, str) else _figure(value)
            parts.append(f"{label} {shown}")
    return " · ".join(parts)


def searchable(text: str) -> str:
    """A name as the index's filter compares it: lower case, accents and repeated spaces gone
    ("Kabupaten  Mukomuko" and "mukomuko" meet; daftar.js does the same to what is typed)."""
    letters = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.category(c).startswith("M"))
    return re.sub(r"\s+", " ", letters.lower()).strip()


def _groups(rows: list[dict]) -> list[dict]:
    """One year's reports by area: the national ones first, then each province (code order) with
    its province report before its entity profiles."""
    names = province_names()
    by_area = defaultdict(list)
    for row in rows:
        by_area[row["province_code"] or ""].append(row)
    return [
        {"code": code, "name": names.get(code, code) if code else _("Nasional"),
         "rows": sorted(members, key=lambda r: (KIND_ORDER.get(r["report"], 9), r["subject"]))}
        for code, members in sorted(by_area.items())
    ]


def _environment(other_language: dict | None = None) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(config.TEMPLATES_DIR / "kepatuhan"),
        autoescape=True,  # names come from the data: never markup
        undefined=jinja2.StrictUndefined,
    )
    env.globals |= {"_": _, "lang": i18n.language(), "other_language": other_language,
                    "index_page": localized(INDEX, i18n.language()).as_posix()}
    return env


def _other_index(lang: str, langs) -> dict | None:
    """The link from an index to the index in the other language, when that one is written too."""
    from .render import counterpart

    other = next((o for o in langs if o != lang), None)
    return counterpart(localized(INDEX, other).as_posix(), other) if other else None


def _edition(name: str) -> dict:
    return {"name": name, "description": _(EDITION_DESCRIPTION[name]) if name in EDITION_DESCRIPTION else "",
            "synthetic": name == "contoh"}


def _lang(entry: dict) -> str:
    return entry.get("params", {}).get("lang", i18n.DEFAULT)


def index_html(entries: dict, built_at: datetime, edition: str = config.PUBLIC_EDITION,
               unreadable: list[dict] = (), lang: str = i18n.DEFAULT, other_language: dict | None = None) -> str:
    """An edition's index page in ``lang``, of the build state's entries in that language (keyed by HTML path
    relative to its folder); ``other_language`` links it to the index in the other language."""
    with i18n.using(lang):
        return _index_html({p: e for p, e in entries.items() if _lang(e) == lang}, built_at, edition, unreadable,
                           other_language)


def _index_html(entries: dict, built_at: datetime, edition: str, unreadable, other_language) -> str:
    env = _environment(other_language)
    env.filters["figures"] = _figures
    env.globals["area_id"] = lambda year, code: f"tahun-{year}-{code or 'nasional'}"
    env.filters["tanggal"] = lambda iso: fmt.waktu(datetime.fromisoformat(iso)) if iso else ""
    env.filters["searchable"] = searchable
    by_year = defaultdict(list)
    for path, entry in entries.items():
        by_year[entry["params"].get("year")].append({"path": path, **entry})
    years = [(year, _groups(rows)) for year, rows in sorted(by_year.items(), key=lambda item: -(item[0] or 0))]
    failed = [row for _, groups in years for group in groups for row in group["rows"] if row["status"] != "ok"]
    kinds = {name: _(r.title) for name, r in REPORTS.items()}
    present = {entry["report"] for entry in entries.values()}
    script = FILTER_SCRIPT.read_text(encoding="utf-8")
    if "</" in script:
        raise ValueError(f"{FILTER_SCRIPT.name} may not contain '</': it is inlined in a <script> element")
    return env.get_template(TEMPLATE).render(
        years=years, kinds=kinds, kinds_present=sorted(present, key=lambda k: KIND_ORDER.get(k, 9)),
        total=len(entries), failed=failed, built_at=fmt.waktu(built_at), version=__version__,
        edition=_edition(edition), unreadable=list(unreadable),
        script=Markup(script), csp=content_security_policy([script]),  # our own file, not data: inlined as is
    )


def write_index(entries: dict, reports_dir: Path) -> Path:
    """reports/<edition>/index.html (the folder's name is the edition's), and index.en.html when the state
    holds English reports (or held them: an index without reports then says so)."""
    langs = [i18n.DEFAULT] + [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT and (
        any(_lang(e) == lang for e in entries.values()) or (reports_dir / localized(INDEX, lang)).exists())]
    unreadable = _unreadable(reports_dir.name)
    for lang in langs:
        written = storage.write_text(reports_dir / localized(INDEX, lang), index_html(
            entries, datetime.now(), reports_dir.name, unreadable, lang, _other_index(lang, langs)))
        if lang == i18n.DEFAULT:
            first = written
    return first


def _unreadable(edition: str) -> list[dict]:
    """Input files of the edition quarantined whole (file, reason), from its processed quarantine."""
    import pandas as pd

    path = config.processed(edition).table("quarantine") if edition in config.EDITIONS else None
    if path is None or not path.exists():
        return []
    quarantine = pd.read_parquet(path, columns=["file", "row", "reason"])
    whole = quarantine[quarantine["row"].isna()].drop_duplicates(["file", "reason"])
    return [{"file": r.file, "reason": r.reason} for r in whole.itertuples()]


def write_editions_index(reports_dir: Path) -> Path:
    """reports/index.html: each edition built so far, with its description and report count."""
    from .build.plan import load_state

    states = {name: load_state(reports_dir / name / config.BUILD_STATE_NAME) for name in config.EDITIONS
              if (reports_dir / name / config.BUILD_STATE_NAME).exists()}
    langs = [i18n.DEFAULT] + [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT
                              and any(_lang(e) == lang for entries in states.values() for e in entries.values())]
    for lang in langs:
        with i18n.using(lang):
            editions = []
            for name, entries in states.items():
                mine = [e for e in entries.values() if _lang(e) == lang]
                if mine or lang == i18n.DEFAULT:
                    editions.append({**_edition(name), "total": len(mine),
                                     "failed": sum(e.get("status") != "ok" for e in mine)})
            html = _environment(_other_index(lang, langs)).get_template(EDITIONS_TEMPLATE).render(
                editions=editions, built_at=fmt.waktu(datetime.now()), version=__version__,
                csp=content_security_policy())
        written = storage.write_text(reports_dir / localized(INDEX, lang), html)
        if lang == i18n.DEFAULT:
            first = written
    return first
