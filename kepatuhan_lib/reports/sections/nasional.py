"""The sections of the national summary (notebooks/reports/nasional.ipynb): one year of the nationally counted
entity types, by zone, province and dimension, against the published national counts."""

from __future__ import annotations

import pandas as pd
from markupsafe import escape

from ... import config, methodology
from ...i18n import _
from ...schemas import GRADES, ZONES
from .. import charts, data, emit, fmt, labels, tables
from . import common
from .common import (H, PUBLIC, bases, capital, counts, marks_legend, message, methodology_html,
                     notice, paragraph, per_report, round_name, strip, subtitle, unreadable, with_notes, zone_tiles)


def _national(year: int, edition: str):
    loaded = data.load(edition)
    scores = loaded.scores[loaded.scores["entity_type"].isin(data.NATIONAL_TYPES)]
    return loaded, scores, scores[scores["year"] == year]


@per_report
def _national_cites(loaded: data.ReportData, year: int) -> tuple[data.Citations, dict]:
    """Footnotes of a national summary: the published facts of the year on the nationally counted types."""
    published = loaded.national_counts
    return with_notes(loaded, data.citations(data.national_facts(loaded.published, [year]),
                                             extra=tuple(published.loc[published["year"] == year, "source"])))


def pembuka_nasional(year: int, edition: str = PUBLIC) -> None:
    loaded, scores, this_year = _national(year, edition)
    emit.emit_inputs(loaded.paths + data.published_sources())
    emit.emit_synthetic(bool(this_year["synthetic"].any()))
    parts = [subtitle(message(_("<b>Ringkasan nasional</b> · {round} {year}"), round=round_name(year), year=year))]
    if this_year.empty:
        parts.append(notice(_("Tidak ada penilaian pada {year} dalam data ini.").format(year=year)))
    elif loaded.public:
        parts.append(paragraph(_("Edisi terbitan: {n} entitas dengan hasil {year} yang dipublikasikan (sebagian kecil "
                                 "dari semua yang dinilai; tabel nasional per entitas tidak ditemukan di sumber "
                                 "publik).").format(n=fmt.bilangan(len(this_year)), year=year)))
    else:
        parts.append(paragraph(_("{n} entitas; dasar angka: {bases}.").format(n=fmt.bilangan(len(this_year)),
                                                                              bases=bases(this_year))))
    common.show(*parts, *unreadable(loaded), marks_legend(loaded.public))


def zone_counts(this_year: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Count and share per entity type (and all types) and zone, beside the published national counts."""
    rows = []
    for entity_type in ("", *data.NATIONAL_TYPES):
        part = this_year if not entity_type else this_year[this_year["entity_type"] == entity_type]
        if entity_type and part.empty:
            continue
        counted = counts(part["zone"], ZONES)
        total = sum(counted.values())
        pub = published[(published["entity_type"] == entity_type) & (published["category"] == "")]
        pub_counts = dict(zip(pub["zone"], pub["count"], strict=True))
        pub_total = sum(pub_counts.values()) if set(pub_counts) == set(ZONES) else None
        for zone in ZONES:
            p = pub_counts.get(zone)
            rows.append({
                "jenis": entity_type or labels.ALL_TYPES, "zona": zone, "jumlah": counted[zone],
                "pangsa": counted[zone] / total if total else None,
                "jumlah_dipublikasikan": p, "pangsa_dipublikasikan": p / pub_total if p is not None and pub_total else None,
            })
    frame = pd.DataFrame(rows)
    return frame.astype({"jumlah": "Int64", "jumlah_dipublikasikan": "Int64", "pangsa": "Float64",
                         "pangsa_dipublikasikan": "Float64", "jenis": "string", "zona": "string"})


def _type_name(entity_type: str) -> str:
    """An entity type as published ('Pemerintah Kota'); the 'all types' row in the reader's language."""
    return _(labels.ALL_TYPES) if entity_type == labels.ALL_TYPES else entity_type


def ringkasan_nasional(year: int, edition: str = PUBLIC) -> None:
    """Counts and shares by zone (and grade) per entity type, against the published national counts."""
    loaded, scores, this_year = _national(year, edition)
    if this_year.empty:
        common.show(notice(capital(_("{not_assessed} pada {year}.").format(not_assessed=fmt.not_assessed(),
                                                                            year=year))))
        emit.emit_headline(entitas=0)
        return
    published = loaded.national_counts[loaded.national_counts["year"] == year]
    by_zone = zone_counts(this_year, published)
    scored = this_year[this_year["score"].notna()]
    zones = counts(this_year["zone"], ZONES)
    counted = _("entitas dengan hasil dipublikasikan") if loaded.public else _("entitas dinilai")
    figures = [(counted, tables.derived(fmt.bilangan(len(this_year)))),
               (_("rata-rata ({n} nilai)").format(n=fmt.bilangan(len(scored))),
                tables.derived(fmt.skor(scored["score"].mean())))]
    grades = counts(this_year["category"], GRADES) if this_year["category"].notna().any() else {}
    figures += zone_tiles(zones if this_year["zone"].notna().any() else {}, grades)
    parts = [strip(figures)]
    cites, _notes = _national_cites(loaded, year)
    note = cites.of_source(published["source"].iloc[0]) if len(published) else None

    def count(value):  # a published national count, with its source
        return fmt.not_available() if fmt.is_missing(value) else \
            escape(fmt.bilangan(value)) + tables.mark("published") + tables.footnote(note)

    if published.empty:
        parts.append(paragraph(_("Jumlah nasional yang dipublikasikan untuk {year}: {not_available}.").format(
            year=year, not_available=fmt.not_available())))
    else:
        total = by_zone[by_zone["jenis"] == labels.ALL_TYPES]
        known = total[total["jumlah_dipublikasikan"].notna()]
        text = escape(", ").join(message(_("{zone} {count} (dipublikasikan {published})"),
                                         zone=labels.value(labels.ZONE, r.zona), count=tables.derived(fmt.bilangan(r.jumlah)),
                                         published=count(r.jumlah_dipublikasikan)) for r in known.itertuples())
        parts.append(paragraph(message(_("Semua jenis, data ini dibanding angka nasional yang dipublikasikan: {counts}. "
                                         "Angka dipublikasikan adalah jumlah agregat; tabel per entitas nasional tidak "
                                         "ditemukan di sumber publik."), counts=text)))
    common.show(*parts)
    display = pd.DataFrame({
        H("jenis"): [escape(_type_name(v)) for v in by_zone["jenis"]],
        H("zona"): [labels.value(labels.ZONE, v) for v in by_zone["zona"]],
        H("jumlah"): [tables.derived(fmt.bilangan(v)) for v in by_zone["jumlah"]],
        H("pangsa"): [tables.derived(fmt.persen(v)) if not fmt.is_missing(v) else fmt.not_available()
                      for v in by_zone["pangsa"]],
        H("jumlah_dipublikasikan"): [count(v) for v in by_zone["jumlah_dipublikasikan"]],
        H("pangsa_dipublikasikan"): [tables.derived(fmt.persen(v)) if not fmt.is_missing(v) else fmt.not_available()
                                     for v in by_zone["pangsa_dipublikasikan"]],
    })
    emit.emit_table(by_zone.assign(sumber=published["source"].iloc[0] if len(published) else pd.NA), "zona",
                    tables.styled(display, list(display.columns)))
    emit.emit_headline(entitas=len(this_year), rata_rata=round(float(scored["score"].mean()), 2) if len(scored)
                       else None, zona=zones)


def komposisi_zona(year: int, edition: str = PUBLIC) -> None:
    """Stacked bars: the share of each zone in every assessed year up to this one."""
    loaded, scores, _scores = _national(year, edition)
    upto = scores[(scores["year"] <= year) & scores["zone"].notna()]
    if upto.empty:
        common.show(notice(_("Zona {not_available}.").format(not_available=fmt.not_available())))
        return
    shares = pd.crosstab(upto["year"].astype(int), upto["zone"], normalize="index")
    n = upto.groupby(upto["year"].astype(int)).size()
    fig = charts.zone_bars(shares)
    caption = _("Pangsa zona per tahun (jumlah entitas: {counts}). Skala dan rentang berbeda antar era.").format(
        counts=", ".join(f"{y} {fmt.bilangan(c)}" for y, c in n.items()))
    common.show(charts.figure_html(fig, charts.zone_bars_alt(shares), caption))


def province_summary(this_year: pd.DataFrame) -> pd.DataFrame:
    """Per province: kabupaten/kota and the province itself assessed, mean score, share green."""
    regional = this_year[this_year["province_code"].notna()]
    grouped = regional.groupby("province_code")
    summary = pd.DataFrame({
        "entitas": grouped.size(),
        "rata_rata": grouped["score"].mean().astype("Float64").round(2),
        "pangsa_hijau": grouped["zone"].apply(lambda z: (z == "hijau").sum() / z.notna().sum() if z.notna().any()
                                              else None).astype("Float64"),
    })
    return summary.reset_index()


def peta_provinsi(year: int, edition: str = PUBLIC) -> None:
    """The 38 provinces as a tile grid: mean score and share green of each province's entities."""
    loaded, scores, this_year = _national(year, edition)
    grid = pd.read_csv(config.TILE_GRID_CSV, dtype={"province_code": str})
    summary = province_summary(this_year)
    tiles = grid.merge(summary, on="province_code", how="left")
    tiles["mean"] = tiles["rata_rata"]
    tiles["share_green"] = tiles["pangsa_hijau"]
    fig = charts.tile_map(tiles)
    assessed = int(tiles["mean"].notna().sum())
    names = {code: data.province_label(code) for code in grid["province_code"]}
    common.show(charts.figure_html(
        fig, charts.tile_map_alt([names[c] for c in tiles["province_code"]], tiles["mean"], year),
        _("Setiap petak satu provinsi (pemerintah provinsi dan kabupaten/kotanya); {n} dari 38 provinsi punya nilai "
          "{year}. Petak abu-abu: {not_assessed}.").format(n=assessed, year=year, not_assessed=fmt.not_assessed())))
    export = tiles[["province_code", "entitas", "rata_rata", "pangsa_hijau"]].assign(
        provinsi=[names[c] for c in tiles["province_code"]]).rename(
        columns={"province_code": "kode", "entitas": "jumlah_entitas"})
    export = export[list(labels.TABLES["provinsi"])].astype(
        {"kode": "string", "provinsi": "string", "jumlah_entitas": "Int64"}).sort_values("rata_rata", ascending=False)
    export["jumlah_entitas"] = export["jumlah_entitas"].fillna(0)  # a count: none assessed is 0 entities
    emit.emit_table(export, "provinsi", tables.number_styler(
        export, scores=("rata_rata",), counts=("jumlah_entitas",), shares=("pangsa_hijau",),
        missing=fmt.not_assessed()))


def teratas_terbawah(year: int, edition: str = PUBLIC, n: int = 5) -> None:
    """Top and bottom entities per entity type, by score; a national rank shown as published, else computed."""
    loaded, scores, this_year = _national(year, edition)
    scored = this_year[this_year["score"].notna()]
    if scored.empty:
        common.show(notice(_("Nilai {not_available} untuk {year}.").format(not_available=fmt.not_available(),
                                                                           year=year)))
        return
    cites, notes = _national_cites(loaded, year)
    zoned = scored["zone"].notna().any() or scored["category"].notna().any()
    rows = []
    for entity_type in data.NATIONAL_TYPES:
        part = scored[scored["entity_type"] == entity_type].sort_values(["rank_national_computed", "entity"])
        if part.empty:
            continue
        top, bottom = part.head(n), part.tail(n)
        for group, frame in (("teratas", top), ("terbawah", bottom.iloc[::-1])):
            if group == "terbawah" and len(part) <= n:
                continue
            for r in frame.itertuples():
                note = cites.of(r.published_fact_id)
                row = {H("jenis"): escape(entity_type), H("kelompok"): labels.value(labels.GROUP, group),
                       H("peringkat"): tables.marked_rank(r.rank_national, r.rank_national_basis,
                                                          cites.of(r.rank_national_fact_id)),
                       H("entitas"): escape(r.entity), H("nilai"): tables.marked_score(r.score, r.basis, note=note),
                       H("opini"): escape(r.opinion) if not fmt.is_missing(r.opinion) else fmt.not_available()}
                if zoned:
                    row[H("kategori_zona")] = tables.badge(r.zone, r.category)
                rows.append(row)
    display = pd.DataFrame(rows)
    ranks = (_("Peringkat nasional ditampilkan hanya bila dipublikasikan (P): nilai yang dipublikasikan hanya "
               "sebagian dari semua yang dinilai.") if loaded.public else
             _("Peringkat nasional bertanda P dipublikasikan sumbernya; bertanda {mark} dihitung di antara semua nilai "
               "edisi ini (nilai sama berbagi peringkat).").format(mark=fmt.DERIVED_MARK))
    common.show(tables.styled(display, list(display.columns)).to_html(),
                paragraph(_("Urut menurut nilai dalam jenis entitas; {n} teratas dan {n} terbawah.").format(n=n)
                          + " " + ranks))


def sumber_nasional(year: int, edition: str = PUBLIC) -> None:
    """The sources the footnotes point to."""
    loaded, scores, this_year = _national(year, edition)
    common.show(tables.sources_html(_national_cites(loaded, year)[0]))


def dimensi_nasional(year: int, edition: str = PUBLIC) -> None:
    """Per-dimension mean points per entity type, as a share of the dimension's cap (2022 on)."""
    loaded, scores, this_year = _national(year, edition)
    caps = methodology.dimension_caps(year, "Pemerintah Kabupaten") if not this_year.empty or year >= 2022 else {}
    units = loaded.units[(loaded.units["year"] == year) & loaded.units["entity_type"].isin(data.NATIONAL_TYPES)]
    units = units.dropna(subset=list(data.DIMENSION_COLUMNS))
    if not caps or units.empty:
        common.show(notice(_("Poin dimensi {not_available} untuk {year} (dimensi dinilai sejak 2022, dan hanya bila "
                             "ekspor memuatnya).").format(not_available=fmt.not_available(), year=year)))
        return
    means = units.groupby("entity_type")[list(data.DIMENSION_COLUMNS)].mean().astype(float)
    rows = []
    for entity_type, r in means.iterrows():
        for column, name in data.DIMENSION_COLUMNS.items():
            rows.append({"jenis": entity_type, "dimensi": name, "rata_rata_poin": r[column], "batas": caps[name],
                         "pangsa_batas": r[column] / caps[name]})
    frame = pd.DataFrame(rows).astype({"jenis": "string", "dimensi": "string"})
    emit.emit_table(frame, "dimensi", tables.number_styler(
        frame.assign(dimensi=[labels.value(labels.DIMENSION, d) for d in frame["dimensi"]]),
        scores=("rata_rata_poin", "batas"), shares=("pangsa_batas",)))
    weakest = frame.sort_values("pangsa_batas").iloc[0]
    common.show(paragraph(_("Berdasarkan {n} unit dengan poin dimensi. Pangsa terendah: {dimension} pada {type} "
                            "({share} dari batas).").format(
        n=fmt.bilangan(len(units)), dimension=labels.value(labels.DIMENSION, weakest["dimensi"]),
        type=weakest["jenis"], share=fmt.persen(weakest["pangsa_batas"]))))


def metodologi_nasional(year: int, edition: str = PUBLIC) -> None:
    loaded, scores, _scores = _national(year, edition)
    common.show(methodology_html(year, "Pemerintah Kabupaten", data.previous_year(scores, year), [
        _("Jumlah nasional mencakup kementerian, lembaga, provinsi, kabupaten dan kota; Polres dan Kantor Pertanahan "
          "(sejak 2022) dinilai oleh perwakilan dan tidak termasuk."),
        _("Kementerian dan lembaga 2017 memakai skala 0-110 (lihat deklarasi metodologi)."),
    ]))


def lampiran_nasional(year: int, edition: str = PUBLIC) -> None:
    """Data appendix: the data dictionary of the summary's data files."""
    common.appendix(("zona", "provinsi", "dimensi"))
