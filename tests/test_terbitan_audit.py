"""Audit of the published edition on the bundled data: every published fact shown exactly, marked P,
with its footnote and source; every disagreement visible; no synthetic or computed figure.

The sections are the report notebooks' only calls, so their HTML is what a built report shows (the
end-to-end build of one report is in test_editions.py). Charts are skipped here: figures are audited
in the tables that carry them.
"""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from kepatuhan_lib import config
from kepatuhan_lib.reports import charts, data, fmt, sections

REGIONAL = ("Pemerintah Provinsi", "Pemerintah Kabupaten", "Pemerintah Kota")
MARK = re.compile(r'<sup class="tanda"[^>]*>([A-Z†])</sup>')


@pytest.fixture(scope="module")
def terbitan(processed_tree):
    """The published edition's processed tables, made by the real pipeline from the bundled data."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(config, "PROCESSED_DIR", processed_tree.processed_dir)
        loaded = data.load("terbitan")
    return processed_tree.processed_dir, loaded


@pytest.fixture
def render(terbitan, monkeypatch):
    """render(section, *args) -> the HTML the section shows in the published edition."""
    processed, _ = terbitan
    monkeypatch.setattr(config, "PROCESSED_DIR", processed)
    monkeypatch.setattr(charts, "figure_html", lambda *a, **k: "")
    for name in ("trajectory", "dumbbell", "heatmap", "rank_history", "zone_bars", "tile_map"):
        monkeypatch.setattr(charts, name, lambda *a, **k: None)
    flags = []
    monkeypatch.setattr("kepatuhan_lib.reports.emit.emit_synthetic", flags.append)

    def run(section, *args):
        parts = []
        monkeypatch.setattr("kepatuhan_lib.reports.sections.common.show", lambda *p: parts.extend(p))
        monkeypatch.setattr("kepatuhan_lib.reports.emit._display", lambda d: parts.append(d.get("text/html", "")))
        getattr(sections, section)(*args, "terbitan")
        assert not any(flags), f"{section}{args} says it shows synthetic data"
        return "\n".join(parts)

    return run


def sources_of(html: str) -> dict[str, str]:
    """Footnote number -> the source list item's text."""
    soup = BeautifulSoup(html, "html.parser")
    return {li["id"].removeprefix("sumber-"): li.get_text(" ", strip=True) for li in soup.select("ol.sumber li")}


def cited(cell_html: str) -> list[tuple[str, str, str]]:
    """(figure as shown, mark, footnote number) of every marked figure in a piece of HTML."""
    soup = BeautifulSoup(cell_html, "html.parser")
    found = []
    for sup in soup.select("sup.tanda"):
        figure = sup.previous_sibling
        text = figure.get_text() if hasattr(figure, "get_text") else str(figure or "")
        note = sup.find_next_sibling("sup", class_="rujukan")
        number = note.get_text().strip("[]") if note is not None and note.previous_sibling is sup else ""
        found.append((text.strip().split()[-1] if text.strip() else "", sup.get_text(), number))
    return found


def league_rows(html: str) -> dict[str, dict[str, str]]:
    """Entity -> {column: cell HTML} of the league table in a province report."""
    soup = BeautifulSoup(html, "html.parser")
    table = next(t for t in soup.find_all("table") if t.find("th", string="Peringkat"))
    headers = [th.get_text(strip=True) for th in table.select("thead th")]
    rows = {}
    for tr in table.select("tbody tr"):
        cells = dict(zip(headers, tr.find_all("td"), strict=True))
        rows[cells["Entitas"].get_text(strip=True)] = {h: c.decode_contents() for h, c in cells.items()}
    return rows


def source_matches(fact, item: str) -> bool:
    wanted = fact.source_url if not pd.isna(fact.source_url) else getattr(fact, "source_title", None)
    return isinstance(wanted, str) and wanted in item


def agrees(fact, chosen) -> bool:
    """A second source that says nothing against the chosen fact: score and rank equal where both give one
    (a rank only it gives must then be the rank shown: checked by the caller)."""
    return all(pd.isna(getattr(fact, f)) or pd.isna(getattr(chosen, f)) or getattr(fact, f) == getattr(chosen, f)
               for f in ("score", "rank_in_province"))


def check_figure(cell: str, fact, sources: dict[str, str], what: str) -> str | None:
    """None when ``cell`` shows the fact's score exactly, marked P, with a footnote to its source; for a
    fact without a score, "nilai tidak dipublikasikan" with that footnote."""
    if pd.isna(fact.score):
        soup = BeautifulSoup(cell, "html.parser")
        notes = [a.get_text().strip("[]") for a in soup.select("sup.rujukan a")]
        if fmt.NOT_PUBLISHED in soup.get_text() and any(source_matches(fact, sources.get(n, "")) for n in notes):
            return None
        return f"{what}: {fmt.NOT_PUBLISHED} (fact {fact.fact_id}) not shown with its source"
    for figure, mark, number in cited(cell):
        if mark == "P" and figure == fmt.skor(fact.score) and source_matches(fact, sources.get(number, "")):
            return None
    return f"{what}: {fmt.skor(fact.score)} (fact {fact.fact_id}) not shown with P and its source"


def check_zone(cell: str, fact, what: str) -> str | None:
    """None when the published zone (if any) is the one shown."""
    if pd.isna(fact.zone) or fact.zone in BeautifulSoup(cell, "html.parser").get_text():
        return None
    return f"{what}: zone {fact.zone} not shown"


def test_every_published_fact_is_shown_with_its_source_and_no_figure_is_synthetic(terbitan, render, capsys):
    """Pins the published edition: each entity and unit fact shown exactly, marked P, footnoted to its
    source; disagreeing figures in a note; provincial ranks as published; no S or H mark."""
    _, loaded = terbitan
    facts = loaded.published
    entity_facts = facts[facts["unit"].isna()]
    counts, missing = Counter(), []
    pages = {}

    for (year, province), group in entity_facts[entity_facts["entity_type"].isin(REGIONAL)
                                                & entity_facts["component"].isna()].groupby(
            ["year", "province_code"]):
        year = int(year)
        page = render("peringkat_provinsi", year, province) + render("sumber_provinsi", year, province)
        pages[("provinsi", year, province)] = page
        rows, sources = league_rows(page), sources_of(page)
        for fact in group.itertuples():
            row = rows.get(fact.entity)
            if row is None:
                missing.append(f"{year} {fact.entity}: not in the league table")
                continue
            if fact.chosen:
                problem = check_figure(row["Nilai"], fact, sources, f"{year} {fact.entity}") or \
                    check_zone(row.get("Kategori dan zona", ""), fact, f"{year} {fact.entity}")
                if problem is None and not pd.isna(fact.rank_in_province):
                    rank = cited(row["Peringkat"])
                    if not any(f == str(int(fact.rank_in_province)) and m == "P" for f, m, _ in rank):
                        problem = f"{year} {fact.entity}: rank {fact.rank_in_province} not shown as published"
                counts["shown"] += problem is None
            else:  # a second source: the same figure, or a visible note beside the chosen one
                same = entity_facts[(entity_facts["year"] == year) & (entity_facts["entity_code"] == fact.entity_code)
                                    & entity_facts["chosen"]].iloc[0]
                if agrees(fact, same):  # the same score; a rank it adds is the rank shown
                    counts["same figure, other source"] += 1
                    if not pd.isna(fact.rank_in_province) and pd.isna(same.rank_in_province):
                        rank = cited(row["Peringkat"])
                        if not any(f == str(int(fact.rank_in_province)) and m == "P"
                                   and source_matches(fact, sources.get(n, "")) for f, m, n in rank):
                            missing.append(f"{year} {fact.entity}: the rank {fact.rank_in_province} another source "
                                           "adds is not shown with its source")
                    continue
                problem = check_figure(row["Catatan"], fact, sources, f"{year} {fact.entity} (other source)")
                if problem is None and not pd.isna(fact.rank_in_province) \
                        and f"peringkat {int(fact.rank_in_province)}" not in BeautifulSoup(row["Catatan"], "html.parser").get_text():
                    problem = f"{year} {fact.entity}: the other source's rank {fact.rank_in_province} not in the note"
                counts["explained in a note"] += problem is None
            if problem:
                missing.append(problem)

    components = entity_facts["component"].notna()
    others = entity_facts[~entity_facts["entity_type"].isin(REGIONAL) | components]
    for code, group in others.groupby("entity_code"):
        latest = int(loaded.scores.loc[loaded.scores["entity_code"] == code, "year"].max())
        page = render("lintasan_entitas", code, latest) + render("sumber_entitas", code, latest)
        pages[("entitas", latest, code)] = page
        soup = BeautifulSoup(page, "html.parser")
        table = soup.find("table")
        by_year = {tr.find("td").get_text(strip=True): tr.decode_contents() for tr in table.select("tbody tr")}
        sources = sources_of(page)
        for fact in group.itertuples():
            row = by_year.get(str(int(fact.year)), "")
            same = group[(group["year"] == fact.year) & group["chosen"]
                         & group["component"].fillna("").eq("" if pd.isna(fact.component) else fact.component)].iloc[0]
            if not fact.chosen and agrees(fact, same):
                counts["same figure, other source"] += 1
                continue
            problem = check_figure(row, fact, sources, f"{fact.year} {fact.entity} (profile)") or \
                (check_zone(row, fact, f"{fact.year} {fact.entity} (profile)") if fact.chosen else None)
            counts["shown" if fact.chosen else "explained in a note"] += problem is None
            if problem:
                missing.append(problem)

    unit_facts = facts[facts["unit"].notna() & facts["score"].notna() & facts["chosen"]]
    for (year, entity_code), group in unit_facts.groupby(["year", "entity_code"]):
        province = group["province_code"].iloc[0]
        if group["entity_type"].iloc[0] in REGIONAL:
            page = render("lampiran_provinsi", int(year), province) + render("sumber_provinsi", int(year), province)
        else:
            page = render("unit_entitas", entity_code, int(year)) + render("sumber_entitas", entity_code, int(year))
        pages[("unit", int(year), entity_code)] = page
        sources = sources_of(page)
        soup = BeautifulSoup(page, "html.parser")
        cells = {(tr.find_all("td")[0].get_text(strip=True), tr.find_all("td")[1].get_text(strip=True)):
                 tr.find_all("td")[2].decode_contents()
                 for t in soup.find_all("table") if t.find("th", string="Unit layanan") for tr in t.select("tbody tr")}
        for fact in group.itertuples():
            problem = check_figure(cells.get((fact.entity, fact.unit), ""), fact, sources, f"{year} {fact.unit}")
            counts["unit shown"] += problem is None
            if problem:
                missing.append(problem)

    marks = Counter(m for page in pages.values() for m in MARK.findall(page))
    with capsys.disabled():
        print(f"\npublished edition audit: {dict(counts)}, missing {len(missing)}; marks {dict(marks)}")
    assert not missing, "\n".join(missing[:30])
    assert set(marks) <= {"P", "†"}, marks
    assert counts["shown"] == len(entity_facts[entity_facts["chosen"]])
    assert counts["unit shown"] == len(unit_facts)


def test_lebong_2022_shows_both_sources(render):
    """Regression (silent substitutions): the chosen 84,23 rank 4 and, beside it, 84,22 rank 5 with its source."""
    page = render("peringkat_provinsi", 2022, "17") + render("sumber_provinsi", 2022, "17")
    row = league_rows(page)["Kabupaten Lebong"]
    text = BeautifulSoup(row["Nilai"] + " " + row["Catatan"], "html.parser").get_text()
    assert "84,23P" in text and "sumber lain: 84,22P" in text and "peringkat 5" in text
    sources = sources_of(page)
    other = cited(row["Catatan"])[0][2]
    assert "bengkulutoday.com" in sources[other]


def test_published_scores_are_never_hidden_as_not_assessed(render):
    """Regression (hidden as "tidak dinilai"): a province whose entities have no previous-year score
    (NTB 2017, Sumatera Utara 2018) shows every published score, and the previous-year column is its own."""
    for year, province, entity, score in ((2017, "52", "Kota Mataram", "96,14"), (2018, "12", None, None)):
        page = render("peringkat_provinsi", year, province)
        headers = [th.get_text(strip=True) for th in BeautifulSoup(page, "html.parser").select("table thead th")]
        assert len(headers) == len(set(headers)) and "Nilai" in headers  # no column overwrites the score
        rows = league_rows(page)
        if entity:
            assert BeautifulSoup(rows[entity]["Nilai"], "html.parser").get_text().startswith(score)
        for cells in rows.values():
            assert fmt.NOT_ASSESSED not in BeautifulSoup(cells["Nilai"], "html.parser").get_text()


def test_maluku_2024_ranks_as_published_with_the_province_in_the_table(render):
    """Regression (published ranks): the source ranks Provinsi Maluku 8th among its kabupaten/kota and
    Maluku Barat Daya 6th on the 77,69 it shares with Buru Selatan (5th)."""
    rows = league_rows(render("peringkat_provinsi", 2024, "81"))
    rank = {name: BeautifulSoup(cells["Peringkat"], "html.parser").get_text() for name, cells in rows.items()}
    assert rank["Provinsi Maluku"].startswith("8P")
    assert rank["Kabupaten Maluku Barat Daya"].startswith("6P")
    assert rank["Kabupaten Buru Selatan"].startswith("5P")
    assert rank["Kabupaten Kepulauan Tanimbar"].startswith("12P")


def test_bengkulu_2023_headline_prose_and_tiles_are_marked(render):
    """Regression (marks in prose and tiles): every number in the summary carries P (and a footnote) or †."""
    page = render("ringkasan_provinsi", 2023, "17")
    soup = BeautifulSoup(page, "html.parser")
    text = soup.get_text(" ")
    assert "Kabupaten Mukomuko naik dari 60,35 P [" in text and "menjadi 90,02 P [" in text
    bare = re.findall(r"(?<![\w\[])[+−]?\d+,\d\d(?!\d|<sup)", page)  # a score or change without its mark
    assert not bare, bare
    tiles = soup.select("div.angka-utama .nilai")
    assert tiles and all(t.find("sup", class_="tanda") for t in tiles), [t.get_text() for t in tiles]


def test_2025_reports_show_published_opinions_with_tm_and_no_zone(render):
    """The 2025 round (Opini Ombudsman): Lampung and Maluku Utara with their published scores and
    opinions, "Tanpa Maladministrasi" where a source says so, no zone or grade, no comparison with 2024."""
    lampung = render("peringkat_provinsi", 2025, "18") + render("ringkasan_provinsi", 2025, "18")
    rows = league_rows(lampung)
    metro = BeautifulSoup(rows["Kota Metro"]["Nilai"] + rows["Kota Metro"]["Opini"], "html.parser").get_text()
    assert metro.startswith("84,43P[") and metro.endswith("Kualitas Tinggi")
    province = BeautifulSoup(rows["Provinsi Lampung"]["Opini"], "html.parser").get_text()
    assert province == "Kualitas Tertinggi Tanpa Maladministrasi"  # lampost says TM, kupastuntas does not say
    maluku_utara = league_rows(render("peringkat_provinsi", 2025, "82"))
    assert BeautifulSoup(maluku_utara["Kota Tidore Kepulauan"]["Opini"], "html.parser").get_text() == \
        "Kualitas Sedang Tanpa Maladministrasi"
    for page_rows in (rows, maluku_utara):
        headers = set(next(iter(page_rows.values())))
        assert not headers & {"Kategori dan zona", "Perubahan", "Perubahan peringkat"}, headers
    text = BeautifulSoup(lampung, "html.parser").get_text()
    assert "hijau" not in text and "kuning" not in text and "seri berbeda" in text


def test_every_year_with_a_published_fact_has_its_reports(terbitan):
    """Regression (missing year in the index): a province report for every year and province with a
    published entity fact (2016 included, where only zones were published), a national summary for
    every year, and a profile for every entity with a published fact."""
    from kepatuhan_lib.reports.catalog import REPORTS, REGIONAL_TYPES

    _, loaded = terbitan
    facts, scores = loaded.published, loaded.scores
    jobs = {name: report.select(scores, "terbitan") for name, report in REPORTS.items()}
    regional = facts[facts["entity_type"].isin(REGIONAL_TYPES)]
    assert {(j.params["year"], j.params["province"]) for j in jobs["provinsi"]} == \
        {(int(y), p) for y, p in zip(regional["year"], regional["province_code"], strict=True)}
    assert {j.params["year"] for j in jobs["nasional"]} == set(facts["year"].astype(int)) >= {2015, 2016, 2025}
    assert {j.params["entity_code"] for j in jobs["entitas"]} == set(facts["entity_code"])


def test_every_report_of_the_published_edition_renders_every_section(terbitan, render):
    """Every section of every report the published edition builds runs on the bundled data (charts
    aside), so no reader meets a failed report."""
    from kepatuhan_lib.reports.catalog import REPORTS

    _, loaded = terbitan
    sections_of = {
        "provinsi": ["pembuka", "ringkasan", "peringkat", "perubahan", "unit", "pergerakan", "metodologi",
                     "lampiran", "sumber"],
        "nasional": ["pembuka", "ringkasan", "metodologi", "sumber"],
        "entitas": ["pembuka", "ringkasan", "lintasan", "unit", "peringkat", "perubahan", "metodologi", "sumber"],
    }
    failed, count = [], 0
    for name, report in REPORTS.items():
        for job in report.select(loaded.scores, "terbitan"):
            args = [job.params[p.name] for p in report.parameters if p.name not in ("edition", "lang")]
            for section in sections_of[name]:
                try:
                    render(f"{section}_{name}", *args)
                except Exception as err:  # noqa: BLE001 - every failure is listed
                    failed.append(f"{name} {args} {section}: {type(err).__name__}: {err}")
            count += 1
    extra = ["komposisi_zona", "peta_provinsi", "teratas_terbawah", "dimensi_nasional"]
    for job in REPORTS["nasional"].select(loaded.scores, "terbitan"):
        for section in extra:
            try:
                render(section, job.params["year"])
            except Exception as err:  # noqa: BLE001
                failed.append(f"nasional {job.params['year']} {section}: {type(err).__name__}: {err}")
    assert count > 500 and not failed, "\n".join(failed[:20])


def test_published_national_counts_are_marked_and_sourced(terbitan, render):
    """Every published national count of a year is shown marked P with a footnote to its source."""
    _, loaded = terbitan
    counts = loaded.national_counts
    for year, group in counts.groupby("year"):
        page = render("ringkasan_nasional", int(year)) + render("sumber_nasional", int(year))
        sources = sources_of(page)
        text = BeautifulSoup(page, "html.parser").get_text()
        totals = group[(group["entity_type"] == "") & (group["category"] == "")]
        for row in totals.itertuples():
            found = re.search(rf"{row.zone} \d+† \(dipublikasikan {fmt.bilangan(row.count)}P\[(\d+)\]\)", text)
            assert found and row.source in sources[found[1]], (year, row.zone)
