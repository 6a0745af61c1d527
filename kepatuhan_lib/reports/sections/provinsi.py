"""The sections of the province report (notebooks/reports/provinsi.ipynb): a province's kabupaten and kota
in one year, ranked, against the previous assessed year."""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from ... import methodology
from ...i18n import _
from ...schemas import GRADES, ZONES
from .. import charts, data, emit, fmt, labels, tables
from . import common
from .common import (PUBLIC, bases, capital, caps_text, change_sentence, counts, dimension_names,
                     dimension_shares, heading, marks_legend, message, methodology_html, notice, paragraph,
                     per_report, round_name, strip, subtitle, unreadable, with_notes, zone_tiles)


def _province(year: int, province: str, edition: str):
    loaded = data.load(edition)
    rows = data.province_scores(loaded.scores, province)
    return loaded, rows, rows[rows["year"] == year]


@per_report
def _league(loaded: data.ReportData, year: int, province: str) -> pd.DataFrame:
    """tables.league_frame, built once for the sections of a report that show it."""
    return tables.league_frame(loaded.scores, loaded.changes, year, province, loaded.public)


@per_report
def _province_cites(loaded: data.ReportData, year: int, province: str) -> tuple[data.Citations, dict]:
    """Footnotes of a province report (the published facts on the province and its kabupaten/kota in
    this year and the previous one) and the notes on disagreeing sources."""
    rows = data.province_scores(loaded.scores, province)
    years = [y for y in (year, data.previous_year(rows, year)) if y is not None]
    return with_notes(loaded, data.citations(data.province_facts(loaded.published, province, years)))


def pembuka_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """Subtitle, what the report reads, and whether it shows synthetic figures."""
    loaded, rows, this_year = _province(year, province, edition)
    emit.emit_inputs(loaded.paths + data.published_sources())
    prev = data.previous_year(rows, year)
    shown = rows[rows["year"].isin([year, prev])]
    emit.emit_synthetic(bool(shown["synthetic"].any()))
    name = data.province_label(province)
    parts = [subtitle(message(_("<b>Provinsi {name}</b> · {round} {year}"), name=name, round=round_name(year),
                              year=year))]
    if this_year.empty:
        parts.append(notice(_("Provinsi {name} dan kabupaten/kotanya {not_assessed} pada {year}.").format(
            name=name, not_assessed=fmt.not_assessed(), year=year)))
    elif loaded.public:
        parts.append(paragraph(_("Edisi terbitan: hanya hasil yang dipublikasikan. {n} entitas punya hasil {year} "
                                 "yang dipublikasikan; entitas lain tidak ditemukan di sumber publik.").format(
            n=fmt.bilangan(len(this_year)), year=year)))
    else:
        parts.append(paragraph(_("Dasar angka tahun ini: {bases}.").format(bases=bases(this_year))))
    common.show(*parts, *unreadable(loaded), marks_legend(loaded.public))


def headline_figures(table: pd.DataFrame, year_prev: int | None) -> dict:
    """Entities assessed, mean, median, zone and grade counts, and the change against the previous year."""
    ranked = table[~table["listed_apart"]]
    scored = ranked[ranked["score"].notna()]
    both = ranked[ranked["score"].notna() & ranked["score_prev"].notna()]
    return {
        "entitas": len(ranked),
        "bernilai": len(scored),
        "rata_rata": None if scored.empty else round(float(scored["score"].mean()), 2),
        "median": None if scored.empty else round(float(scored["score"].median()), 2),
        "zona": counts(ranked["zone"], ZONES) if ranked["zone"].notna().any() else {},
        "kategori": counts(ranked["category"], GRADES) if ranked["category"].notna().any() else {},
        "tahun_sebelumnya": year_prev,
        "sebanding": len(both),
        "rata_rata_sebelumnya_sama": None if both.empty else round(float(both["score_prev"].mean()), 2),
        "rata_rata_sekarang_sama": None if both.empty else round(float(both["score"].mean()), 2),
        "naik": int((ranked["direction"] == "naik").sum()),
        "turun": int((ranked["direction"] == "turun").sum()),
    }


def ringkasan_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """Headline strip and the sentences a reader quotes, all from the table's figures, each marked."""
    loaded, rows, this_year = _province(year, province, edition)
    if this_year.empty:
        common.show(notice(capital(_("{not_assessed} pada {year}.").format(not_assessed=fmt.not_assessed(),
                                                                            year=year))))
        emit.emit_headline(entitas=0)
        return
    cites, notes = _province_cites(loaded, year, province)
    table = _league(loaded, year, province)
    prev = table["year_prev"].iloc[0]
    prev = None if fmt.is_missing(prev) else int(prev)
    h = headline_figures(table, prev)
    counted = _("kabupaten/kota dengan hasil dipublikasikan") if loaded.public else _("kabupaten/kota dinilai")
    figures = [(counted, tables.derived(fmt.bilangan(h["entitas"]))),
               (_("rata-rata ({n} nilai)").format(n=fmt.bilangan(h["bernilai"])),
                tables.derived(fmt.skor(h["rata_rata"]))),
               (_("median"), tables.derived(fmt.skor(h["median"])))]
    figures += zone_tiles(h["zona"], h["kategori"])
    sentences = []
    if prev is not None and h["rata_rata_sebelumnya_sama"] is not None:
        flags = methodology.comparability(prev, year, "Pemerintah Kabupaten")
        change = h["rata_rata_sekarang_sama"] - h["rata_rata_sebelumnya_sama"]
        figures.append((_("perubahan rata-rata sejak {year}").format(year=prev), tables.derived(fmt.selisih(change))))
        words = dict(n=tables.derived(fmt.bilangan(h["sebanding"])), prev=prev, year=year,
                     before=tables.derived(fmt.skor(h["rata_rata_sebelumnya_sama"])),
                     after=tables.derived(fmt.skor(h["rata_rata_sekarang_sama"])))
        if change > 0:
            sentence = _("Bagi {n} kabupaten/kota dengan nilai {prev} dan {year}, rata-rata nilai naik dari {before} "
                         "menjadi {after}")
        elif change < 0:
            sentence = _("Bagi {n} kabupaten/kota dengan nilai {prev} dan {year}, rata-rata nilai turun dari {before} "
                         "menjadi {after}")
        else:
            sentence = _("Bagi {n} kabupaten/kota dengan nilai {prev} dan {year}, rata-rata nilai tetap dari {before} "
                         "menjadi {after}")
        sentences.append(message(sentence, **words) + (message(_(" ({flags}: bandingkan dengan hati-hati)."),
                                                               flags=labels.flags("; ".join(flags))) if flags else "."))
        sentences.append(message(_("{up} naik dan {down} turun."), up=tables.derived(fmt.bilangan(h["naik"])),
                                 down=tables.derived(fmt.bilangan(h["turun"]))))
        for row in tables.movers(table, 1).itertuples():
            sentences.append(change_sentence(row.entity, row.score_prev, row.basis_prev, cites.of(row.fact_prev),
                                             row.score, row.basis, cites.of(row.published_fact_id),
                                             int(row.year_prev), year))
    elif prev is None:
        earlier = [y for y in data.assessed_years(rows) if y < year]
        why = (_("{year} memakai metode baru (seri berbeda): tidak dibandingkan dengan hasil sebelum {year}")
               if earlier else _("tidak ada hasil sebelum {year} dalam data ini")).format(year=year)
        sentences.append(_("Perubahan {not_available}: {why}.").format(not_available=fmt.not_available(), why=why))
    top = table[~table["listed_apart"] & (table["rank_province"] == 1)]
    if not top.empty:
        names = Markup("; ").join(
            message("{entity} ({score})", entity=r.entity,
                    score=tables.marked_score(r.score, r.basis, note=cites.of(r.published_fact_id)))
            for r in top.itertuples())
        ranked_by_source = (top["rank_province_basis"] == "published").all()
        lead = _("Peringkat pertama {year}") if ranked_by_source or not loaded.public else \
            _("Nilai tertinggi {year} di antara nilai yang dipublikasikan (sumber tidak menyebut peringkat)")
        sentences.insert(0, message("{lead}: {names}.", lead=lead.format(year=year), names=names))
    for row in table[table["listed_apart"]].itertuples():
        zone = "" if fmt.is_missing(row.zone) else _(", zona {zone}").format(zone=labels.value(labels.ZONE, row.zone))
        sentences.append(message(_("{entity} (dicantumkan terpisah): {score}"), entity=row.entity,
                                 score=tables.marked_score(row.score, row.basis, note=cites.of(row.published_fact_id)))
                         + zone + ("" if fmt.is_missing(row.opinion) else ", " + row.opinion) + ".")
    common.show(strip(figures), *map(paragraph, sentences))
    emit.emit_headline(entitas=h["entitas"], rata_rata=h["rata_rata"], median=h["median"], zona=h["zona"])


def peringkat_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """The league table (kabupaten and kota ranked; the province apart unless its source ranks it), as CSV and XLSX."""
    loaded, rows, this_year = _province(year, province, edition)
    if this_year.empty:
        common.show(notice(_("Tidak ada tabel peringkat: {not_assessed} pada {year}.").format(
            not_assessed=fmt.not_assessed(), year=year)))
        return
    cites, notes = _province_cites(loaded, year, province)
    table = _league(loaded, year, province)
    styler = tables.league_styler(table, rows[["entity_code", "year", "score"]], year, cites, notes, loaded.public)
    emit.emit_table(tables.league_export(table, loaded.published), "peringkat", styler)
    ranks = _("Peringkat bertanda P adalah peringkat yang dipublikasikan sumbernya; peringkat bertanda {mark} dihitung "
              "di antara nilai dalam tabel ini (nilai sama berbagi peringkat)").format(mark=fmt.DERIVED_MARK) + (
        _(", karena sumbernya tidak menyebut peringkat.") if loaded.public else ".")
    common.show(paragraph(_("Tren: nilai setiap tahun (skala 0-100; titik biru = tahun ini). Perubahan dibandingkan "
                            "dengan tahun sebelumnya dalam seri yang sama; catatan menandai perbandingan yang tidak "
                            "sebanding dan sumber yang berbeda angkanya.") + " " + ranks))


def perubahan_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """Dumbbell chart: each entity from the previous assessed year to this year."""
    loaded, rows, this_year = _province(year, province, edition)
    if this_year["score"].notna().sum() == 0:
        common.show(notice(_("Tidak ada nilai {year}.").format(year=year)))
        return
    table = _league(loaded, year, province)
    prev = table["year_prev"].iloc[0]
    if fmt.is_missing(prev):
        common.show(notice(_("Perubahan {not_available}: tidak ada tahun sebelum {year} dalam seri yang sama.").format(
            not_available=fmt.not_available(), year=year)))
        return
    prev = int(prev)
    fig = charts.dumbbell(table, year, prev)
    flags = methodology.comparability(prev, year, "Pemerintah Kabupaten") if prev else []
    caption = _("Nilai {prev} → {year}, diurutkan menurut nilai {year}; warna dan kata menunjukkan arah.").format(
        prev=prev, year=year) + (" " + _("Perhatian: {flags}.").format(flags=labels.flags("; ".join(flags)))
                                 if flags else "")
    common.show(charts.figure_html(fig, charts.dumbbell_alt(table, year, prev), caption))


def _unit_matrix(units: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Entity x unit slot ('Puskesmas (2)' for a second Puskesmas) of nilai, its labels, and a caption note.

    Cells carry their basis letter (P, H, S) only when the bases differ; one basis for all is
    said once, in the note.
    """
    units = units.sort_values(["entity", "unit_type", "unit"]).copy()
    units["slot"] = units["unit_type"].fillna("Lainnya")
    nth = units.groupby(["entity_code", "slot"]).cumcount() + 1
    many = units.groupby("slot")["entity_code"].transform(lambda c: c.duplicated().any())
    units["slot"] = [f"{s} ({n})" if m else s for s, n, m in zip(units["slot"], nth, many, strict=True)]
    matrix = units.pivot_table(index="entity", columns="slot", values="nilai", aggfunc="first")
    marks = units.pivot_table(index="entity", columns="slot", values="basis", aggfunc="first")
    found = set(units.loc[units["nilai"].notna(), "basis"].dropna())
    mixed = len(found) > 1
    labels_ = matrix.copy().astype(object)
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            v = matrix.iat[i, j]
            mark = f" {fmt.BASIS_MARK.get(marks.iat[i, j], '')}" if mixed else ""
            labels_.iat[i, j] = "" if pd.isna(v) else f"{fmt.skor(v)}{mark}".rstrip()
    if mixed:
        note = _("huruf: {marks}").format(marks=", ".join(f"{m} {fmt.basis_label(b)}" for b, m in fmt.BASIS_MARK.items()
                                                          if b in found))
    elif found:
        note = _("semua nilai {basis}").format(basis=fmt.basis_label(next(iter(found))))
    else:
        note = _("semua nilai tanpa keterangan asal")
    return matrix.astype(float), labels_, note


def unit_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """Heatmaps: unit scores (entity x unit) and, from 2022, dimension points against their caps."""
    loaded, rows, this_year = _province(year, province, edition)
    units = data.unit_scores(loaded, year, this_year["entity_code"])
    if units.empty:
        common.show(notice(_("Nilai unit layanan {not_available} untuk {year}.").format(
            not_available=fmt.not_available(), year=year)))
        return
    matrix, cell_labels, basis_note = _unit_matrix(units)
    fig = charts.heatmap(matrix, vmin=40, vmax=100, labels=cell_labels, xlabel=_("unit layanan"))
    parts = [charts.figure_html(fig, charts.heatmap_alt(_("Nilai unit layanan {year} per entitas dan unit").format(
        year=year), matrix), _("Nilai tiap unit layanan ({note}; – = unit tidak dinilai).").format(note=basis_note))]
    missing = sorted(set(this_year["entity"]) - set(units["entity"]))
    if missing:
        parts.append(paragraph(_("Nilai unit {not_available}: {entities}.").format(
            not_available=fmt.not_available(), entities=fmt.daftar(missing))))
    caps = methodology.dimension_caps(year, "Pemerintah Kabupaten")
    if not caps:
        parts.append(paragraph(_("Dimensi (Input, Proses, Output, Pengaduan) dinilai sejak 2022: {not_available} "
                                 "untuk {year}.").format(not_available=fmt.not_available(), year=year)))
    else:
        shares = dimension_shares(units, caps)
        if shares.empty:
            parts.append(paragraph(_("Poin dimensi {not_available} untuk {year}.").format(
                not_available=fmt.not_available(), year=year)))
        else:
            shown = dimension_names(shares)
            fig = charts.heatmap(shown, vmin=.4, vmax=1, labels=shown.map(lambda v: fmt.persen(v, 0)),
                                 xlabel=_("dimensi (rata-rata poin unit / batas poin)"))
            lost = (1 - shown).mean().sort_values(ascending=False)
            parts.append(charts.figure_html(
                fig, charts.heatmap_alt(_("Poin dimensi {year} sebagai persentase batasnya, rata-rata unit per "
                                          "entitas").format(year=year), shown, lambda v: fmt.persen(v, 0)),
                _("Persentase batas poin yang diraih, rata-rata unit.") + " " + caps_text(caps) + "."))
            parts.append(paragraph(_("Poin paling banyak hilang pada dimensi {dimension} (rata-rata {share} dari "
                                     "batasnya tidak diraih).").format(dimension=lost.index[0],
                                                                       share=fmt.persen(lost.iloc[0]))))
            without = sorted(set(units["entity"]) - set(shares.index))
            if without:
                parts.append(paragraph(_("Poin dimensi {not_available}: {entities}.").format(
                    not_available=fmt.not_available(), entities=fmt.daftar(without))))
    common.show(*parts)


def pergerakan_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """Largest rises and falls, each with its comparability flag."""
    loaded, rows, this_year = _province(year, province, edition)
    table = _league(loaded, year, province) if not this_year.empty else None
    if table is None or table["delta"].notna().sum() == 0:
        common.show(notice(_("Perubahan {not_available}: tidak ada entitas yang dinilai pada {year} dan tahun "
                             "sebelumnya.").format(not_available=fmt.not_available(), year=year)))
        return
    moved = tables.movers(table)
    common.show(tables.movers_styler(moved, _province_cites(loaded, year, province)[0]).to_html())
    new = table[table["direction"] == "baru dinilai"]
    if not new.empty:
        common.show(paragraph(_("Baru dinilai pada {year}: {entities}.").format(
            year=year, entities=fmt.daftar(list(new["entity"])))))
    unknown = table[~table["assessed_prev"] & ~table["listed_apart"]] if loaded.public else table.iloc[:0]
    if not unknown.empty:
        common.show(paragraph(_("Tanpa hasil {year} yang dipublikasikan: {entities}.").format(
            year=int(table["year_prev"].iloc[0]), entities=fmt.daftar(list(unknown["entity"])))))


def metodologi_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    loaded, rows, this_year = _province(year, province, edition)
    prev = data.previous_year(rows, year)
    notes = []
    if not this_year.empty and prev is not None:
        table = _league(loaded, year, province)
        unit_changed = table["flags"].fillna("").str.contains("unit berbeda")
        if unit_changed.any():
            notes.append(_("Himpunan unit yang dinilai berbeda dari {prev} untuk {n} entitas (ditandai '{flag}').").format(
                prev=prev, n=fmt.bilangan(int(unit_changed.sum())), flag=labels.flags("unit berbeda")))
    common.show(methodology_html(year, "Pemerintah Kabupaten", prev, notes))


def lampiran_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """Data appendix: unit scores as data, the data dictionary and the validation summary of the inputs."""
    loaded, rows, this_year = _province(year, province, edition)
    cites, notes = _province_cites(loaded, year, province)
    units = data.unit_scores(loaded, year, this_year["entity_code"])
    caption = _("Nilai unit layanan {year}").format(year=year)
    if units.empty:
        common.show(paragraph(f"{caption}: {fmt.not_available()}."))
    else:
        emit.emit_table(tables.unit_export(units, loaded.published), "unit", tables.unit_styler(units, cites, caption))
    common.appendix(("peringkat", "unit") if loaded.public else ("peringkat", "unit", "validasi"))
    facts = loaded.published
    shown = facts[(facts["year"] == year) & facts["province_code"].eq(province)]
    if not loaded.public:
        files = data.source_files(loaded, this_year)
        common.show(heading(_("Ringkasan validasi masukan"), tables.VALIDATION_ANCHOR))
        summary = data.validation_summary(loaded, files)
        emit.emit_table(summary, "validasi", tables.number_styler(
            summary, counts=("baris_dibaca", "baris_dipakai", "baris_ditolak")))
    common.show(paragraph(_("Hasil yang dipublikasikan: {n} fakta tentang provinsi ini pada {year}, dari {total} fakta "
                            "yang terbaca; bila sumber berbeda, satu angka dipilih menurut aturan yang terdokumentasi "
                            "dan angka lain ditampilkan di kolom catatan.").format(
        n=fmt.bilangan(len(shown)), year=year, total=fmt.bilangan(len(facts)))))


def sumber_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """The sources the footnotes point to."""
    loaded, rows, this_year = _province(year, province, edition)
    common.show(tables.sources_html(_province_cites(loaded, year, province)[0]))
