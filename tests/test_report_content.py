"""Report content: formatting, league-table figures, escaping, sections' prose (kepatuhan_lib/reports/*)."""

import re
from datetime import date, datetime

from bs4 import BeautifulSoup

import pandas as pd
import pytest

from fixtures.report_data import EDITION
from kepatuhan_lib import config, pipeline, ranking, storage
from kepatuhan_lib.methodology import round_half_up
from kepatuhan_lib.reports import charts, data, fmt, palette, sections, tables

EVIL = '<script>alert("x")</script>'
NO_CITES = data.Citations({}, pd.DataFrame(columns=["nomor", "judul", "url"]))


@pytest.fixture(scope="module")
def tree(processed_tree):
    return processed_tree.root, processed_tree.tables(EDITION)


@pytest.fixture
def processed(tree, monkeypatch):
    """config pointed at the fixture tree, so data.load(EDITION) reads it."""
    root, frames = tree
    monkeypatch.setattr(config, "PROCESSED_DIR", root / "data" / "processed")
    return frames


@pytest.fixture
def shown(monkeypatch):
    """What sections display, as one HTML string per part."""
    parts = []
    monkeypatch.setattr("kepatuhan_lib.reports.sections.common.show", lambda *p: parts.extend(p))
    monkeypatch.setattr("kepatuhan_lib.reports.emit._display", lambda d: parts.append(d.get("text/html", "")))
    return parts


# --- fmt ---------------------------------------------------------------------------------------

def test_numbers_use_the_indonesian_decimal_comma():
    assert fmt.skor(90.02) == "90,02"
    assert fmt.skor(1234.5) == "1.234,50"
    assert fmt.bilangan(37357) == "37.357"
    assert fmt.selisih(29.67) == "+29,67"
    assert fmt.waktu(datetime(2026, 11, 23, 9, 7)) == "23 November 2026 09.07"
    assert fmt.selisih(-1.2) == "−1,20"
    assert fmt.selisih(0.0) == "0,00"
    assert fmt.persen(0.455) == "45,5%"
    assert fmt.tanggal(date(2024, 2, 2)) == "2 Februari 2024"


def test_missing_values_are_words_never_zero():
    for missing in (None, pd.NA, float("nan")):
        assert fmt.skor(missing) == "tidak tersedia"
        assert fmt.skor(missing, fmt.NOT_ASSESSED) == "tidak dinilai"
        assert fmt.selisih(missing) == "tidak tersedia"
    assert fmt.perubahan_peringkat(pd.NA) == "tidak tersedia"
    assert fmt.arah(None) == "tidak tersedia"


def test_change_sentence_reads_as_published():
    sentence = fmt.kalimat_perubahan("Kabupaten Mukomuko", 60.35, 90.02, 2022, 2023)
    assert sentence.startswith("Kabupaten Mukomuko naik dari 60,35 (2022) menjadi 90,02 (2023)")
    assert "29,67" in sentence
    assert "turun dari 90,02" in fmt.kalimat_perubahan("X", 90.02, 60.35, 2023, 2024)
    assert "tidak tersedia" in fmt.kalimat_perubahan("X", None, 90.02, 2022, 2023)
    assert fmt.perubahan_peringkat(2) == "naik 2 peringkat"
    assert fmt.perubahan_peringkat(-1) == "turun 1 peringkat"
    assert fmt.daftar(["a", "b", "c"]) == "a, b dan c"


# --- league table ------------------------------------------------------------------------------

def test_league_table_2023_bengkulu_has_the_published_figures_and_ranks(tree):
    """Pins Lebong 92,00 rank 3 and Mukomuko 60,35 -> 90,02 (naik), as published for Bengkulu 2023."""
    _, frames = tree
    table = tables.league_frame(frames["scores"], frames["changes"], 2023, "17").set_index("entity")
    lebong, mukomuko = table.loc["Kabupaten Lebong"], table.loc["Kabupaten Mukomuko"]
    assert (lebong["score"], lebong["rank_province"], lebong["basis"]) == (92.00, 3, "published")
    assert (mukomuko["score_prev"], mukomuko["score"], mukomuko["rank_province"]) == (60.35, 90.02, 5)
    assert mukomuko["direction"] == "naik" and mukomuko["delta"] == pytest.approx(29.67)
    assert mukomuko["year_prev"] == 2022
    # The province is listed apart, after the ranked kabupaten and kota, without a rank.
    assert list(table["listed_apart"]) == [False] * 10 + [True]
    assert pd.isna(table.loc["Provinsi Bengkulu", "rank_province"])
    # Kaur 2022 was published at rank 1 without a score: the demo fills in a synthetic score that keeps it first.
    kaur = table.loc["Kabupaten Kaur"]
    assert kaur["assessed_prev"] and kaur["basis_prev"] == "synthetic" and kaur["rank_prev"] == 1


def test_league_table_html_shows_marks_arrows_and_missing_words(tree):
    _, frames = tree
    scores = frames["scores"]
    table = tables.league_frame(scores, ranking.changes(scores), 2023, "17")
    html = tables.league_styler(table, scores[scores["province_code"] == "17"], 2023, NO_CITES, {}, False).to_html()
    assert "92,00" in html and "60,35" in html and "90,02" in html
    assert "▲ naik (+29,67)" in html
    assert ">P</sup>" in html and ">S</sup>" in html
    assert "dicantumkan terpisah" in html
    assert "<svg" in html and "2023: 90,02" in html  # Mukomuko's sparkline lists its years


def test_entity_not_assessed_last_year_reads_baru_dinilai_and_tidak_dinilai(tree):
    _, frames = tree
    scores = frames["scores"]
    without = scores[~((scores["entity_code"] == "17.05") & (scores["year"] == 2022))]
    table = tables.league_frame(without, ranking.changes(without), 2023, "17")
    seluma = table[table["entity_code"] == "17.05"].iloc[0]
    assert seluma["direction"] == "baru dinilai" and pd.isna(seluma["score_prev"])
    html = tables.league_styler(table, without, 2023, NO_CITES, {}, False).to_html()
    assert "● baru dinilai" in html and "tidak dinilai" in html


def test_equal_scores_share_a_rank(tree):
    _, frames = tree
    scores = frames["scores"].copy()
    tie = (scores["year"] == 2023) & scores["entity_code"].isin(["17.01", "17.07"])
    scores.loc[tie, "score"] = 94.08
    scores = pipeline.shown_ranks(ranking.rank_provincial(scores), EDITION)  # ranks are decided in the pipeline
    table = tables.league_frame(scores, ranking.changes(scores), 2023, "17").set_index("entity_code")
    assert table.loc["17.01", "rank_province"] == table.loc["17.07", "rank_province"] == 2
    assert sorted(table["rank_province"].dropna())[:4] == [1, 2, 2, 4]


def test_entity_names_and_data_strings_are_escaped(tree):
    """Pins HTML escaping: a name from the data cannot inject markup into any table or label."""
    _, frames = tree
    scores = frames["scores"].copy()
    scores["entity"] = scores["entity"].mask(scores["entity_code"] == "17.06", EVIL)
    scores["opinion"] = scores["opinion"].mask(scores["entity_code"] == "17.06", EVIL)
    table = tables.league_frame(scores, ranking.changes(scores), 2023, "17")
    outputs = [
        tables.league_styler(table, scores, 2023, NO_CITES, {}, False).to_html(),
        tables.movers_styler(tables.movers(table), NO_CITES).to_html(),
        tables.number_styler(tables.league_export(table, frames["published"]), scores=("nilai",)).to_html(),
        tables.sparkline(pd.DataFrame({"year": [2023], "score": [1.0]}).assign(year=[2023]), 2023),
    ]
    for html in outputs:
        assert "<script>" not in html
    assert "&lt;script&gt;" in outputs[0] and "&lt;script&gt;" in outputs[1]
    fig = charts.dumbbell(table, 2023, 2022)
    assert "<script>" not in charts.figure_html(fig, EVIL, EVIL)


def test_movers_leave_out_the_province_and_keep_flags(tree):
    _, frames = tree
    table = tables.league_frame(frames["scores"], frames["changes"], 2022, "17")
    moved = tables.movers(table)
    assert "Provinsi Bengkulu" not in set(moved["entity"])
    assert len(moved) > 0 and all("metode berbeda" in f for f in moved["flags"])  # 2021 -> 2022
    assert (moved["delta"].iloc[0] >= moved["delta"]).all()


# --- data ----------------------------------------------------------------------------------------

def test_published_unit_scores_are_shown_as_published_never_synthetic(tree, processed):
    """Regression (published unit scores labelled synthetic): Lebong 2023's seven published units show
    as published (P) over the demo's synthetic units, and average to the published 92,00; the
    synthetic dimension points stay only where they add up to the published figure."""
    loaded = data.load(EDITION)
    units = data.unit_scores(loaded, 2023, ["17.07"])
    assert len(units) == 7 and set(units["basis"]) == {"published"} and units["fact_id"].notna().all()
    assert round_half_up(units["nilai"].mean()) == 92.00
    dims = units[list(data.DIMENSION_COLUMNS)].astype(float).sum(axis=1, min_count=4)
    assert ((dims - units["nilai"].astype(float)).abs().dropna() <= 0.01).all()
    published = loaded.published
    lebong = published[(published["year"] == 2023) & (published["entity_code"] == "17.07") & published["unit"].notna()]
    assert sorted(units["nilai"]) == sorted(lebong["score"])


def test_unit_heatmap_marks_the_basis_of_a_cell_only_when_bases_differ():
    units = pd.DataFrame({
        "entity": ["Kabupaten A", "Kabupaten A", "Kabupaten B"], "entity_code": ["17.01", "17.01", "17.02"],
        "unit_type": ["DPMPTSP", "Puskesmas", "DPMPTSP"], "unit": ["d", "p", "d"],
        "nilai": [94.98, 81.0, 70.5], "basis": ["synthetic"] * 3,
    })
    matrix, labels, note = sections.provinsi._unit_matrix(units)
    assert labels.loc["Kabupaten A", "DPMPTSP"] == "94,98" and note == "semua nilai sintetis"
    assert pd.isna(matrix.loc["Kabupaten B", "Puskesmas"])

    units.loc[2, "basis"] = "published"
    _, labels, note = sections.provinsi._unit_matrix(units)
    assert labels.loc["Kabupaten B", "DPMPTSP"] == "70,50 P" and labels.loc["Kabupaten A", "DPMPTSP"] == "94,98 S"
    assert note == "huruf: P dipublikasikan, S sintetis"


def test_validation_summary_counts_rows_used_and_rejected(tree, processed):
    loaded = data.load(EDITION)
    file = "tests/fixtures/exports/rekap_nilai_unit_2023_kaltara.csv"
    summary = data.validation_summary(loaded, [file]).iloc[0]
    used = loaded.units[loaded.units["source_file"] == file]
    assert summary["baris_dipakai"] == len(used) == 5
    assert summary["baris_ditolak"] == 2
    assert summary["baris_dibaca"] == 7
    assert "unknown entity '17.99'" in summary["alasan_penolakan"] and "'9O,5' is not a number" in summary["alasan_penolakan"]


def test_validation_summary_counts_an_answers_export_per_answer_row(tree, processed):
    file = "data/synthetic_examples/synthetic_jawaban_indikator_2023_bengkulu.csv"
    lines = (config.ROOT / file).read_text(encoding="utf-8").splitlines()
    summary = data.validation_summary(data.load(EDITION), [file]).iloc[0]
    assert summary["baris_dibaca"] == summary["baris_dipakai"] == len(lines) - 1  # every line but the header
    assert summary["baris_ditolak"] == 0 and summary["alasan_penolakan"] == ""


def test_missing_processed_data_names_the_file_and_the_command(tmp_path, monkeypatch):
    from kepatuhan_lib.errors import ReportDataError

    monkeypatch.setattr(config, "PROCESSED_DIR", tmp_path)
    with pytest.raises(ReportDataError, match=f"edition '{EDITION}' has not been ingested yet.*kepatuhan ingest"):
        data.load(EDITION)
    storage.write_parquet(pd.DataFrame({"year": [2023]}), tmp_path / EDITION / "scores.parquet")
    with pytest.raises(ReportDataError, match="unit_figures.parquet.*kepatuhan ingest") as err:
        data.load(EDITION)
    assert "scores.parquet" not in str(err.value)


def test_unknown_entity_code_is_a_parameter_error(tree):
    from kepatuhan_lib.errors import ParameterError

    with pytest.raises(ParameterError, match="17.99.*17.06"):
        data.entity_row(tree[1]["scores"], "17.99")


# --- sections ------------------------------------------------------------------------------------

def test_province_summary_prose_is_computed(processed, shown):
    sections.ringkasan_provinsi(2023, "17", "terbitan")  # the published edition: Mukomuko is the largest rise
    text = BeautifulSoup("\n".join(shown), "html.parser").get_text()
    assert re.search(r"Kabupaten Mukomuko naik dari 60,35P\[\d+\] \(2022\) menjadi 90,02P\[\d+\] \(2023\)", text)
    assert re.search(r"Peringkat pertama 2023: Kabupaten Kaur \(95,94P\[\d+\]\)", text)


def test_headline_figures_count_zones_of_the_ranked_entities(tree):
    table = tables.league_frame(tree[1]["scores"], tree[1]["changes"], 2023, "17")
    h = sections.headline_figures(table, 2022)
    ranked = table[~table["listed_apart"]]
    assert h["entitas"] == 10
    assert h["zona"] == {z: int((ranked["zone"] == z).sum()) for z in ("hijau", "kuning", "merah")}
    assert h["rata_rata"] == round(float(ranked["score"].mean()), 2)


def test_year_without_assessment_says_tidak_dinilai(processed, shown):
    sections.ringkasan_provinsi(2020, "17", EDITION)
    sections.peringkat_provinsi(2020, "17", EDITION)
    assert all("tidak dinilai" in part.lower() for part in shown if part)


def test_zone_counts_compare_with_published_counts(tree):
    scores = tree[1]["scores"]
    this_year = scores[scores["year"] == 2023]
    published = pd.DataFrame({"year": 2023, "entity_type": "", "zone": ["hijau", "kuning", "merah"],
                              "category": "", "count": [414, 133, 39]})
    counts = sections.zone_counts(this_year, published).set_index(["jenis", "zona"])
    assert counts.loc[("semua jenis", "hijau"), "jumlah_dipublikasikan"] == 414
    assert counts.loc[("semua jenis", "hijau"), "pangsa_dipublikasikan"] == pytest.approx(414 / 586)
    assert counts.loc[("semua jenis", "hijau"), "jumlah"] == (this_year["zone"] == "hijau").sum()
    assert pd.isna(counts.loc[("Pemerintah Kota", "hijau"), "jumlah_dipublikasikan"])


def test_tile_grid_places_38_provinces_on_distinct_tiles():
    grid = pd.read_csv(config.TILE_GRID_CSV, dtype={"province_code": str})
    assert len(grid) == 38 and grid["province_code"].is_unique
    assert not grid.duplicated(["row", "col"]).any()
    if config.REGIONS_CSV.exists():
        regions = pd.read_csv(config.REGIONS_CSV, dtype=str)
        assert set(grid["province_code"]) == set(regions["province_code"])


def test_entity_change_section_explains_mukomuko(processed, shown):
    sections.perubahan_entitas("17.06", 2023, EDITION)
    text = BeautifulSoup("\n".join(shown), "html.parser").get_text()
    assert re.search(r"Kabupaten Mukomuko naik dari 60,35P\[\d+\] \(2022\) menjadi 90,02P\[\d+\] \(2023\)", text)
    assert "kuning → hijau" in text


def test_charts_are_small_embedded_pngs(tree):
    table = tables.league_frame(tree[1]["scores"], tree[1]["changes"], 2023, "17")
    html = charts.figure_html(charts.dumbbell(table, 2023, 2022), "alt")
    assert html.startswith("<figure") and 'src="data:image/png;base64,' in html
    assert len(html) < 150_000


def test_methodology_section_states_rule_confidence_in_indonesian():
    """2024 caps are assumed unchanged from 2023 (confidence MED in the methodology TOML)."""
    text = sections.methodology_html(2024, "Pemerintah Kabupaten", 2023)
    assert "Tingkat keyakinan aturan (2024): rentang nilai tinggi, batas poin dimensi sedang." in text
    assert "HIGH" not in text and "MED" not in text


def test_zone_bars_label_only_segments_tall_enough_for_their_text():
    import matplotlib.pyplot as plt

    shares = pd.DataFrame({"hijau": [0.7, 0.5], "kuning": [0.23, 0.3], "merah": [0.07, 0.2]}, index=[2022, 2023])
    fig = charts.zone_bars(shares)
    labels = [t.get_text() for t in fig.axes[0].texts]
    plt.close(fig)
    assert "merah\n20%" in labels and "hijau\n70%" in labels
    assert not any(text.startswith("merah\n7") for text in labels)  # 7% is too thin: the legend names it


def test_a_synthetic_score_never_carries_a_source_footnote(tree, processed, shown):
    """Kaur 2022 was published with a rank and no score: the demo's synthetic score for it is marked S
    and points to no source (a footnote would pass it off as published)."""
    sections.peringkat_provinsi(2022, "17", EDITION)
    soup = BeautifulSoup("\n".join(shown), "html.parser")
    kaur = next(tr for tr in soup.select("tbody tr") if "Kabupaten Kaur" in tr.get_text())
    score = kaur.find_all("td")[2]
    assert score.find("sup", class_="tanda").get_text() == "S" and score.find("sup", class_="rujukan") is None


def chart_alts(shown) -> list[str]:
    return [img["alt"] for part in shown for img in BeautifulSoup(part, "html.parser").find_all("img")]


def test_every_chart_has_an_alt_text_from_its_data(processed, shown):
    sections.perubahan_provinsi(2023, "17", "terbitan")
    sections.unit_provinsi(2023, "17", EDITION)
    sections.komposisi_zona(2023, EDITION)
    sections.peta_provinsi(2023, EDITION)
    sections.lintasan_entitas("17.06", 2023, EDITION)
    sections.unit_entitas("17.06", 2023, EDITION)
    sections.peringkat_entitas("17.06", 2023, EDITION)
    alts = chart_alts(shown)
    assert alts == [
        "Nilai 2023 per entitas: tertinggi Kabupaten Kaur 95,94, terendah Kabupaten Bengkulu Utara 79,14; "
        "naik terbesar sejak 2022: Kabupaten Mukomuko +29,67.",
        "Nilai unit layanan 2023 per entitas dan unit: tertinggi Kabupaten Mukomuko, DPMPTSP 98,37, terendah "
        "Kabupaten Bengkulu Utara, Puskesmas (1) 74,34; 13 sel tanpa nilai.",
        "Poin dimensi 2023 sebagai persentase batasnya, rata-rata unit per entitas: tertinggi Kabupaten Kaur, "
        "Pengaduan 97%, terendah Kabupaten Bengkulu Utara, Input 74%.",
        "Pangsa zona per tahun, 2015-2023: zona hijau tertinggi 71% (2023), terendah 0% (2015); 2023: hijau 71%, "
        "kuning 28%, merah 1%.",
        "Rata-rata nilai 2023 per provinsi (16 dari 38 provinsi punya nilai): tertinggi Sulawesi Utara 97,18, "
        "terendah Lampung 72,87.",
        "Nilai Kabupaten Mukomuko per tahun, 2021-2024: tertinggi 90,64 (2024), terendah 58,52 (2021).",
        "Poin dimensi 2023 sebagai persentase batasnya per unit layanan: tertinggi DPMPTSP, Output 100%, terendah "
        "Dinas Pendidikan, Output 71%.",
        "Peringkat Kabupaten Mukomuko per tahun: di provinsi terbaik 5 (2023), terburuk 9 (2022); nasional "
        "terbaik 20 (2023), terburuk 57 (2022).",
    ]


def test_chart_extremes_skip_missing_values_and_name_the_first_of_equals():
    assert charts.extremes([("A", 90.0), ("B", None), ("C", 90.0), ("D", float("nan")), ("E", 79.14)]) \
        == "tertinggi A 90,00, terendah E 79,14"
    assert charts.extremes([("A", 80.0), ("B", 80.0)]) == "tertinggi A 80,00, terendah A 80,00"
    assert charts.extremes([("2023", 0.5)], lambda v: fmt.persen(v, 0), by_year=True) == "50% (2023)"
    assert charts.extremes([("A", pd.NA)]) == "tidak ada nilai"


def test_a_section_shown_in_indonesian_then_english_is_all_english(processed, shown):
    """What sections of one report share (footnotes, notes on other sources) is computed per language:
    a kernel that served an Indonesian report serves the English one in English."""
    from kepatuhan_lib import i18n

    sections.peringkat_provinsi(2023, "17", "contoh")
    indonesian = "".join(shown)
    shown.clear()
    with i18n.using("en"):
        sections.peringkat_provinsi(2023, "17", "contoh")
    english = BeautifulSoup("".join(shown), "html.parser").get_text(" ")
    assert "sumber lain" in indonesian and "other sources" in english and "sumber lain" not in english
    assert re.findall(r"(?<![\d.,])\d{1,3},\d{2}(?![\d,])", english) == []


# --- colours ----------------------------------------------------------------------------------------

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b")


def test_every_colour_is_declared_once_in_the_stylesheet_root():
    """The pages use the colours by class (var(--name) in kepatuhan.css), the charts through palette.colour:
    no module, template or other CSS rule writes a colour of its own, and no two names hold the same colour."""
    css = config.STYLESHEET.read_text(encoding="utf-8")
    root = palette.ROOT_RULE.search(css)
    assert HEX_COLOUR.findall(css[:root.start()] + css[root.end():]) == []
    elsewhere = [f"{path.name}: {found}" for path in config.PACKAGE_DIR.rglob("*")
                 if path.suffix in (".py", ".j2", ".js", ".css") and path != config.STYLESHEET
                 for found in HEX_COLOUR.findall(path.read_text(encoding="utf-8"))]
    assert elsewhere == []
    colours = [v.lower() for v in palette.declared().values() if not v.startswith("var(")]
    assert colours and all(HEX_COLOUR.fullmatch(v) for v in colours) and len(colours) == len(set(colours))


def test_every_colour_a_page_or_chart_names_is_declared():
    """A var(--name) in a stylesheet or template, and each colour the charts read, resolves to a declared colour."""
    named = {m for path in config.TEMPLATES_DIR.rglob("*") if path.suffix in (".css", ".j2")
             for m in re.findall(r"var\(--([a-z0-9-]+)\)", path.read_text(encoding="utf-8"))}
    assert {"zona-hijau-latar", "arah-naik", "redup"} <= named
    assert all(HEX_COLOUR.fullmatch(palette.colour(name)) for name in named)
    assert palette.colour("arah-naik") == palette.colour("aksen")  # through the reference
    assert charts.ZONE_COLOUR == {z: palette.colour(f"zona-{z}") for z in ("hijau", "kuning", "merah")}
    assert charts.direction_colour("baru dinilai") == palette.colour("arah-baru-dinilai") != charts.MUTED


def test_badges_and_directions_are_coloured_by_class():
    soup = BeautifulSoup(tables.badge("kuning", "B") + tables.direction_html("baru dinilai", 1.5), "html.parser")
    badge, arrow = soup.find_all("span")
    assert badge["class"] == ["lencana", "zona-kuning"] and badge.get_text() == "B · kuning"
    assert arrow["class"] == ["arah", "arah-baru-dinilai"] and not badge.get("style") and not arrow.get("style")
    assert BeautifulSoup(tables.badge(None, "C"), "html.parser").span["class"] == ["lencana", "zona-tidak-ada"]
