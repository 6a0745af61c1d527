"""The notebook API on the published edition made by the real pipeline: each result is the report's own table
(same rows, marks and Sumber list), its frame holds the published facts as published, and expected mistakes
are one clear message."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from kepatuhan_lib import config, explore
from kepatuhan_lib.errors import (AmbiguousEntityError, ParameterError, ReportDataError, UnknownEntityError,
                                  UnknownValueError)
from kepatuhan_lib.reports import data, fmt, sections

EDITION = "terbitan"


@pytest.fixture(scope="module")
def edition(processed_tree, tmp_path_factory):
    """The published edition alone (conftest.processed_tree's, copied): no other edition is ingested."""
    processed = tmp_path_factory.mktemp("root") / "data" / "processed"
    shutil.copytree(processed_tree.processed_dir / EDITION, processed / EDITION)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(config, "PROCESSED_DIR", processed)
        yield explore.open(EDITION)


def soup(result) -> BeautifulSoup:
    return BeautifulSoup(result._repr_html_(), "html.parser")


def rows(page: BeautifulSoup) -> list[list[str]]:
    """The cells' text of every body row of the (first) table."""
    return [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in page.find("table").select("tbody tr")]


def sources(page: BeautifulSoup) -> dict[int, str]:
    return {int(li["value"]): li.get_text(" ", strip=True) for li in page.select("ol.sumber li")}


def report_html(monkeypatch, section: str, *args) -> BeautifulSoup:
    """What a report section shows (its HTML parts), as the notebook would display it."""
    parts = []
    monkeypatch.setattr("kepatuhan_lib.reports.sections.common.show", lambda *p: parts.extend(p))
    monkeypatch.setattr("kepatuhan_lib.reports.emit._display", lambda d: parts.append(d.get("text/html", "")))
    getattr(sections, section)(*args)
    return BeautifulSoup("".join(parts), "html.parser")


def chosen_facts(edition, entity_code: str) -> pd.DataFrame:
    """The entity-level published facts a report shows (published.py's chosen figure), by year."""
    facts = edition.tables.published
    return facts[(facts["entity_code"] == entity_code) & facts["chosen"] & facts["unit"].isna()
                 & facts["component"].isna()].set_index("year")


def same(a, b) -> bool:
    """Equal, a missing value only to a missing value."""
    return bool(pd.isna(a) and pd.isna(b)) if pd.isna(a) or pd.isna(b) else bool(a == b)


def test_a_trend_by_code_name_or_words_is_one_entity(edition):
    by_code = edition.trend("17.06")
    for name in ("Kabupaten Mukomuko", "kabupaten  MUKOMUKO", "mukomuko"):
        pd.testing.assert_frame_equal(edition.trend(name), by_code)
    values = by_code.set_index("tahun")["nilai"]
    assert values[2022] == 60.35 and values[2023] == 90.02  # as published
    assert "Kabupaten Mukomuko (17.06)" in soup(by_code).find("caption").get_text()


def test_every_published_fact_in_a_trend_is_the_published_record(edition):
    """Every entity of Bengkulu: each year with a chosen published fact shows that fact's score, zone, grade,
    opinion and source, marked P with the footnote whose Sumber entry is that source."""
    codes = edition.tables.scores.loc[edition.tables.scores["province_code"] == "17", "entity_code"].unique()
    checked = 0
    for code in codes:
        trend = edition.trend(code)
        page = soup(trend)
        cited, shown = sources(page), dict(zip((r[0] for r in rows(page)), rows(page), strict=True))
        by_year = trend.set_index("tahun")
        for year, fact in chosen_facts(edition, code).iterrows():
            row = by_year.loc[year]
            assert row["dasar_nilai"] == "published"
            for column, published in (("nilai", "score"), ("source_url", "source_url"),
                                      ("source_title", "source_title")):
                assert same(row[column], fact[published]), (code, year, column)
            for column, published in (("zona", "zone"), ("kategori", "category"), ("opini", "opinion")):
                if not pd.isna(fact[published]):  # else read off the score (pipeline.combine_scores)
                    assert row[column] == fact[published], (code, year, column)
            cell = shown[str(year)][1]
            figure = fmt.NOT_PUBLISHED if pd.isna(fact["score"]) else f"{fmt.skor(fact['score'])}P"
            number = int(re.fullmatch(rf"{re.escape(figure)}\[(\d+)\]", cell)[1])
            assert str(fact["source_url"] if not pd.isna(fact["source_url"]) else fact["source_title"]) \
                in cited[number]
            checked += 1
        assert set(by_year.index[by_year["dasar_nilai"] == "published"]) >= set(chosen_facts(edition, code).index)
    assert checked >= 20


def test_the_league_table_is_the_province_reports_table(edition, monkeypatch):
    league = edition.league(2023, "Bengkulu")
    assert edition.league(2023, "17")._repr_html_().count("<tr") == league._repr_html_().count("<tr")
    report = report_html(monkeypatch, "peringkat_provinsi", 2023, "17", EDITION)
    shown = soup(league)
    assert rows(shown) == rows(report)
    assert sources(shown) == sources(report_html(monkeypatch, "sumber_provinsi", 2023, "17", EDITION))
    mukomuko = next(r for r in rows(shown) if r[1] == "Kabupaten Mukomuko")
    assert re.fullmatch(r"5P\[\d+\]", mukomuko[0]) and re.fullmatch(r"90,02P\[\d+\]", mukomuko[2])
    assert list(league["entitas"]) == [r[1] for r in rows(shown)]  # the frame is the table shown, row by row
    frame = league.set_index("kode")
    assert frame.loc["17.06", "peringkat"] == 5 and frame.loc["17.06", "nilai_sebelumnya"] == 60.35


def test_two_years_of_a_province_compared(edition):
    compared = edition.compare(2022, 2023, "Bengkulu")
    row = compared.set_index("kode").loc["17.06"]
    assert (row["nilai_sebelumnya"], row["nilai"], row["selisih"], row["arah"]) == (60.35, 90.02, 29.67, "naik")
    facts = chosen_facts(edition, "17.06")
    assert (row["source_url_sebelumnya"], row["source_url"]) == (facts.at[2022, "source_url"], facts.at[2023, "source_url"])
    page = soup(compared)
    shown = next(r for r in rows(page) if r[0] == "Kabupaten Mukomuko")
    before, now = (int(re.fullmatch(rf"{f}P\[(\d+)\]\({y}\)", cell)[1])
                   for f, y, cell in (("60,35", 2022, shown[1]), ("90,02", 2023, shown[2])))
    assert facts.at[2022, "source_url"] in sources(page)[before] and facts.at[2023, "source_url"] in sources(page)[now]
    assert "naik (+29,67)" in shown[3]


def test_compared_years_the_pipeline_compares_are_the_pipelines_changes(edition):
    """compare() applies the pipeline's rule to any two years: on the pair the league table shows, it gives
    the changes table's own delta, direction and flags, entity by entity."""
    changes = edition.tables.changes
    pipeline = changes[(changes["scope"] == "provinsi") & (changes["province_code"] == "17")
                       & (changes["year_to"] == 2023)].set_index("entity_code")
    assert set(pipeline["year_from"]) == {2022}
    compared = edition.compare(2022, 2023, "17").set_index("kode")
    for code, row in compared.iterrows():
        decided = pipeline.loc[code]
        assert same(row["selisih"], decided["delta"]) and same(row["catatan"], decided["flags"].replace(
            "tidak dinilai", "2022 tidak dipublikasikan")), code
        direction = decided["direction"]  # the published edition does not say "baru dinilai" (tables.with_previous)
        assert same(row["arah"], pd.NA if not pd.isna(direction) and direction == "baru dinilai" else direction), code


def test_two_years_nationally_compared_ranks_within_each_type(edition):
    compared = edition.compare(2022, 2023)
    scores = edition.tables.scores
    this_year = scores[(scores["year"] == 2023) & scores["entity_type"].isin(data.NATIONAL_TYPES)]
    assert sorted(compared["kode"]) == sorted(this_year["entity_code"])
    assert list(dict.fromkeys(compared["jenis"])) == [t for t in data.NATIONAL_TYPES if t in set(this_year["entity_type"])]
    both = compared[compared["nilai_sebelumnya"].notna() & compared["nilai"].notna()]
    assert len(both) > 10
    assert (both["selisih"] == (both["nilai"] - both["nilai_sebelumnya"]).round(2)).all()
    published_ranks = compared["perubahan_peringkat"].notna()
    assert (compared.loc[published_ranks, "perubahan_peringkat"]
            == compared.loc[published_ranks, "peringkat_sebelumnya"] - compared.loc[published_ranks, "peringkat"]).all()
    assert len(rows(soup(compared))) == len(compared)


def test_names_that_match_none_or_several_say_which_are_near(edition):
    with pytest.raises(UnknownEntityError, match=r"'mukomoko'.*did you mean Kabupaten Mukomuko \(17\.06\)\?"):
        edition.trend("mukomoko")
    with pytest.raises(AmbiguousEntityError) as err:
        edition.trend("bengkulu")
    assert {"Kota Bengkulu (17.71)", "Provinsi Bengkulu (17)", "Kabupaten Bengkulu Utara (17.03)"} <= set(
        err.value.candidates)
    assert "give the full name or the code" in str(err.value)
    with pytest.raises(AmbiguousEntityError, match=r"\d+ more"):
        edition.trend("kota")
    with pytest.raises(UnknownEntityError, match=r"did you mean Bengkulu \(17\)\?"):
        edition.league(2023, "Bengklu")
    with pytest.raises(ReportDataError, match="no figures for Provinsi Bengkulu in 2030; years with figures: .*2023"):
        edition.league(2030, "Bengkulu")
    with pytest.raises(ParameterError, match="year_from"):
        edition.compare(2023, 2022)


def test_an_unknown_or_not_ingested_edition_says_what_to_do(edition):
    with pytest.raises(UnknownValueError, match="unknown edition 'terbit'; expected one of: terbitan, contoh"):
        explore.open("terbit")
    with pytest.raises(ReportDataError, match="edition 'contoh' has not been ingested yet.*run `kepatuhan ingest`"):
        explore.open("contoh")


def test_in_ipython_an_expected_mistake_is_its_message_not_a_traceback(edition, capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    result = shell.run_cell("from kepatuhan_lib import explore\nexplore.open('terbit')")
    assert isinstance(result.error_in_exec, UnknownValueError)  # the cell still fails (a notebook run stops)
    shown = capsys.readouterr().out
    assert "UnknownValueError: unknown edition 'terbit'" in shown
    assert "Traceback" not in shown and "explore.py" not in shown


def test_a_result_is_a_frame_whose_derivations_are_plain_frames(edition):
    trend = edition.trend("17.06")
    assert isinstance(trend, pd.DataFrame) and "<table" in trend._repr_html_()
    later = trend[trend["tahun"] >= 2023]
    assert type(later) is pd.DataFrame and type(trend.copy()) is pd.DataFrame
    assert "Sumber" not in later._repr_html_() and len(later) == 2


def test_each_results_footnotes_link_to_its_own_sources(edition):
    """A notebook page holds many results: the footnote [1] of one never jumps to another's source 1."""
    ids = []
    for result in (edition.trend("17.06"), edition.league(2023, "17"), edition.compare(2022, 2023, "17")):
        page = soup(result)
        own = {li["id"] for li in page.select("ol.sumber li")}
        links = {a["href"].removeprefix("#") for a in page.select("sup.rujukan a")}
        assert links and links <= own
        ids.append(own)
    assert not (ids[0] & ids[1] or ids[1] & ids[2] or ids[0] & ids[2])
