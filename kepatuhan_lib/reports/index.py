"""reports/index.html: every report by year and province, with headline figures and status."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import jinja2
from markupsafe import Markup

from .. import __version__, config, storage
from . import fmt
from .catalog import REPORTS, province_names
from .render import content_security_policy

TEMPLATE = "daftar-laporan.html.j2"
EDITIONS_TEMPLATE = "edisi.html.j2"
FILTER_SCRIPT = config.TEMPLATES_DIR / "kepatuhan" / "static" / "daftar.js"  # the index's one inline script
KIND_ORDER = {"nasional": 0, "provinsi": 1, "entitas": 2}
EDITION_DESCRIPTION = {
    "terbitan": "Hanya hasil yang dipublikasikan Ombudsman RI dan perwakilannya, masing-masing dengan sumbernya. "
                "Tidak ada angka sintetis atau hasil perhitungan dari ekspor.",
    "contoh": "Contoh: data sintetis yang dibuat program (seed tetap) bersama hasil yang dipublikasikan, untuk "
              "menunjukkan isi laporan dengan data lengkap. Angka sintetis bukan hasil penilaian Ombudsman RI.",
    "ekspor": "Ekspor penilaian milik analis (data/raw/exports/) yang dihitung, bersama hasil yang dipublikasikan.",
}


def _figure(value) -> str:
    """Counts as 1.234, scores with the two decimals they are published with (81,20)."""
    if isinstance(value, float):
        return fmt.skor(value)
    return fmt.bilangan(value) if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _figures(headline: dict) -> str:
    """'entitas 23 · rata-rata 81,20 · zona: hijau 10, kuning 3' from the emitted headline."""
    parts = []
    for name, value in headline.items():
        label = name.replace("_", "-")  # rata_rata -> rata-rata
        if isinstance(value, dict):
            value = ", ".join(f"{k} {_figure(v)}" for k, v in value.items())
            parts.append(f"{label}: {value}")
        else:
            parts.append(f"{label} {_figure(value)}")
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
        {"code": code, "name": names.get(code, code) if code else "Nasional",
         "rows": sorted(members, key=lambda r: (KIND_ORDER.get(r["report"], 9), r["subject"]))}
        for code, members in sorted(by_area.items())
    ]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(config.TEMPLATES_DIR / "kepatuhan"),
        autoescape=True,  # names come from the data: never markup
        undefined=jinja2.StrictUndefined,
    )


def _edition(name: str) -> dict:
    return {"name": name, "description": EDITION_DESCRIPTION.get(name, ""), "synthetic": name == "contoh"}


def index_html(entries: dict, built_at: datetime, edition: str = config.PUBLIC_EDITION,
               unreadable: list[dict] = ()) -> str:
    """An edition's index page for the build state's entries (keyed by HTML path relative to its folder)."""
    env = _environment()
    env.filters["figures"] = _figures
    env.globals["area_id"] = lambda year, code: f"tahun-{year}-{code or 'nasional'}"
    env.filters["tanggal"] = lambda iso: fmt.waktu(datetime.fromisoformat(iso)) if iso else ""
    env.filters["searchable"] = searchable
    by_year = defaultdict(list)
    for path, entry in entries.items():
        by_year[entry["params"].get("year")].append({"path": path, **entry})
    years = [(year, _groups(rows)) for year, rows in sorted(by_year.items(), key=lambda item: -(item[0] or 0))]
    failed = [row for _, groups in years for group in groups for row in group["rows"] if row["status"] != "ok"]
    kinds = {name: r.title for name, r in REPORTS.items()}
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
    """reports/<edition>/index.html (the folder's name is the edition's)."""
    return storage.write_text(reports_dir / "index.html", index_html(entries, datetime.now(), reports_dir.name,
                                                                     _unreadable(reports_dir.name)))


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
    from .build import load_state

    editions = []
    for name in config.EDITIONS:
        state = reports_dir / name / config.BUILD_STATE_NAME
        if state.exists():
            entries = load_state(state)
            editions.append({**_edition(name), "total": len(entries),
                             "failed": sum(e.get("status") != "ok" for e in entries.values())})
    html = _environment().get_template(EDITIONS_TEMPLATE).render(
        editions=editions, built_at=fmt.waktu(datetime.now()), version=__version__, csp=content_security_policy())
    return storage.write_text(reports_dir / "index.html", html)
