"""Editions end to end: ingest writes one processed set per edition, `kepatuhan build --edition` builds
each into reports/<edition>/ with its own index, and reports/index.html links them."""

from __future__ import annotations

import re
from datetime import datetime
import shutil

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from fixtures.report_data import use_project
from kepatuhan_lib import config
from kepatuhan_lib.cli import main
from kepatuhan_lib.reports import sections


@pytest.fixture(scope="module")
def project(tmp_path_factory, ingested_project):
    """A project tree whose data/ is temporary (the real published results), with one analyst export,
    ingested (conftest.ingested_project, copied: the module builds in it), and config pointed at it."""
    root = tmp_path_factory.mktemp("project") / "tree"
    shutil.copytree(ingested_project, root, symlinks=True)
    with pytest.MonkeyPatch.context() as mp:
        use_project(root, mp)
        yield root, mp


def test_ingest_writes_each_edition_from_its_own_inputs(project):
    root, _ = project
    editions = sorted(p.name for p in (root / "data" / "processed").iterdir() if p.is_symlink())
    assert editions == ["ekspor", "terbitan"]  # no example exports here: no contoh
    assert {config.current_generation(e).name.split(".")[0] for e in editions} == set(editions)
    terbitan = pd.read_parquet(config.processed("terbitan").table("scores"))
    ekspor = pd.read_parquet(config.processed("ekspor").table("scores"))
    assert set(terbitan["basis"]) == {"published"} and not terbitan["synthetic"].any()
    assert set(ekspor["basis"]) == {"published", "computed"}
    tarakan = ekspor[(ekspor["entity_code"] == "65.71") & (ekspor["year"] == 2023)].iloc[0]
    assert tarakan["basis"] == "computed" and tarakan["score"] == 80.2  # (83.10 + 79.40 + 77.30 + 73.80 + 87.40) / 5


def test_an_entity_with_a_rejected_row_reads_tidak_dihitung_with_its_count(project):
    """Kabupaten Malinau (Kalimantan Utara) 2023 has two rejected rows: not scored, and the report says so."""
    _, mp = project
    parts = []
    mp.setattr("kepatuhan_lib.reports.sections.common.show", lambda *p: parts.extend(p))
    mp.setattr("kepatuhan_lib.reports.emit._display", lambda d: parts.append(d.get("text/html", "")))
    sections.peringkat_provinsi(2023, "65", "ekspor")
    soup = BeautifulSoup("".join(parts), "html.parser")
    row = next(tr for tr in soup.select("tbody tr") if "Kabupaten Malinau" in tr.get_text())
    assert "tidak dihitung (2 baris ditolak)" in " ".join(row.get_text().split())
    assert row.find("a", href="#ringkasan-validasi") is not None


@pytest.mark.slow
def test_build_terbitan_bengkulu_2023_through_the_engine(project):
    """The published edition's Bengkulu 2023 report: Mukomuko 60,35 -> 90,02 at rank 5 and Lebong 92,00
    at rank 3, each with its source; nothing synthetic; the edition's index and the editions page."""
    root, _ = project
    assert main(["build", "--edition", "terbitan", "--year", "2023", "--province", "17", "--jobs", "1"]) == 0
    page = root / "reports" / "terbitan" / "2023" / "provinsi-17-bengkulu.html"
    soup = BeautifulSoup(page.read_text(), "html.parser")
    assert soup.select_one(".banner-sintetis") is None
    assert not re.search(r'class="tanda"[^>]*>[SH]<', page.read_text())
    rows = {tr.find_all("td")[1].get_text(strip=True): [td.get_text(strip=True) for td in tr.find_all("td")]
            for t in soup.find_all("table") if t.find("th", string="Peringkat") for tr in t.select("tbody tr")}
    mukomuko, lebong = rows["Kabupaten Mukomuko"], rows["Kabupaten Lebong"]
    assert re.fullmatch(r"5P\[\d+\]", mukomuko[0]) and re.fullmatch(r"90,02P\[\d+\]", mukomuko[2])
    assert re.fullmatch(r"60,35P\[\d+\]", mukomuko[5]) and "naik (+29,67)" in mukomuko[6]
    assert re.fullmatch(r"3P\[\d+\]", lebong[0]) and re.fullmatch(r"92,00P\[\d+\]", lebong[2])
    sources = {li["id"]: li.get_text(" ", strip=True) for li in soup.select("ol.sumber li")}
    number = re.search(r"\[(\d+)\]", mukomuko[2])[1]
    assert "Radar Mukomuko" in sources[f"sumber-{number}"] or "http" in sources[f"sumber-{number}"]
    export = pd.read_csv(page.with_suffix(".peringkat.csv"))
    assert export["source_url"].notna().sum() + export["source_title"].notna().sum() >= len(export)
    index = BeautifulSoup((root / "reports" / "terbitan" / "index.html").read_text(), "html.parser")
    assert index.find("a", href="2023/provinsi-17-bengkulu.html") is not None
    editions = BeautifulSoup((root / "reports" / "index.html").read_text(), "html.parser")
    assert editions.find("a", href="terbitan/index.html") is not None


@pytest.mark.slow
def test_a_warm_kernel_builds_the_same_html_as_a_fresh_one(project):
    """Reports built one after another in one worker's kernel read exactly as each built alone in a new
    kernel (papermill's own engine): no module cache or kernel state leaks from one report to the next."""
    import difflib
    import json

    import papermill

    from kepatuhan_lib.reports import build as b
    from kepatuhan_lib.reports.build.plan import footer_inputs
    from kepatuhan_lib.reports.catalog import REPORTS
    from kepatuhan_lib.reports.emit import collect, table_files
    from kepatuhan_lib.reports.render import render_html

    root, mp = project
    build = ["build", "--edition", "ekspor", "--year", "2023", "--jobs", "1", "--force"]
    assert main([*build, "--province", "65"]) == 0 and main([*build, "--report", "nasional"]) == 0
    out = root / "reports" / "ekspor"
    state = json.loads((out / config.BUILD_STATE_NAME).read_text())["reports"]
    by_kind = {}
    for entry in state.values():
        by_kind.setdefault(entry["report"], []).append(entry)
    assert set(by_kind) == {"provinsi", "nasional", "entitas"} and len(by_kind["entitas"]) >= 2
    # Of the province's reports, the last built ran after the others in the same kernel.
    last = max([*by_kind["provinsi"], *by_kind["entitas"]], key=lambda e: e["built_at"])
    chosen = [by_kind["nasional"][0], *{e["report"]: e for e in [*by_kind["provinsi"], *by_kind["entitas"]]
                                        if e is not last}.values(), last]
    for entry in chosen:
        html_path = out / entry["outputs"][0]
        notebook = config.REPORT_NOTEBOOKS_DIR / f"{entry['report']}.ipynb"
        nb = papermill.execute_notebook(notebook, None, parameters=entry["params"], kernel_name=b.KERNEL_NAME,
                                        cwd=notebook.parent, progress_bar=False)
        emitted = collect(nb)
        mp.setattr(config, "ROOT", root)  # as the build's workers see it (KEPATUHAN_ROOT): paths shown from there
        report = REPORTS[entry["report"]]  # the footer lists what the build's key covers of each input
        inputs = b.provenance(report, entry["params"], digests := b.Digests())
        fresh, _ = render_html(nb, emitted, built_at=datetime.fromisoformat(entry["built_at"]),
                               downloads=[f.name for f in table_files(html_path, emitted.tables)],
                               subject=entry["subject"],
                               provenance=footer_inputs(report, entry["params"], digests, inputs))
        warm = html_path.read_text(encoding="utf-8")
        diff = list(difflib.unified_diff(warm.splitlines(), fresh.splitlines(), "warm", "fresh", n=0, lineterm=""))
        assert fresh == warm, f"{entry['outputs'][0]}:\n" + "\n".join(line[:300] for line in diff[:12])
