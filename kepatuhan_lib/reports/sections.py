"""One function per report-notebook section: each reads the processed data and displays what the section shows,
in the report's language (i18n: every message through ``_``, every label from ``labels``)."""

from __future__ import annotations

import functools
import html

import pandas as pd

from .. import config, i18n, methodology
from ..i18n import _
from ..schemas import GRADES, ZONES
from . import charts, data, fmt, labels, tables
from .emit import emit_headline, emit_inputs, emit_synthetic, emit_table

PUBLIC = config.PUBLIC_EDITION
BOX = "border:1px solid #d1d9e0;border-radius:4px;padding:.6em 1em;margin:.6em 0 1em;background:#f6f8fa"
H = labels.header


def _show(*parts: str) -> None:
    """Display HTML fragments (tests replace this to read what a section shows)."""
    from IPython.display import HTML, display

    for part in parts:
        display(HTML(part))


_memo: dict = {}  # (function, arguments) -> (the scores frame it was computed from, result)


def _per_report(function):
    """Compute once per report: the sections of one report call ``function(loaded, *args)`` with the
    same arguments and the same processed frames (data.load's cached file versions), so they share
    the result; other data (a new file version) recomputes. Frames in results are copied on the
    way out, so no section can change what the next one reads. Results may hold text (footnote notes):
    the language is part of the key."""
    @functools.wraps(function)
    def shared(loaded: data.ReportData, *args):
        key = (function.__name__, i18n.language(), args)
        hit = _memo.get(key)
        if hit is None or hit[0] is not loaded.scores:
            if len(_memo) > 32:
                _memo.clear()
            hit = _memo[key] = (loaded.scores, function(loaded, *args))
        result = hit[1]
        return tuple(r.copy() if isinstance(r, pd.DataFrame) else r for r in result) \
            if isinstance(result, tuple) else (result.copy() if isinstance(result, pd.DataFrame) else result)
    return shared


def _p(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def _notice(text: str) -> str:
    return f'<p style="{BOX}">{html.escape(text)}</p>'


def _marks_legend(public: bool) -> str:
    """What the marks on figures mean; the published edition has published figures only."""
    bases = ("published",) if public else tuple(fmt.BASIS_MARK)
    items = ", ".join(f"<b>{fmt.BASIS_MARK[b]}</b> {html.escape(fmt.basis_label(b))}" for b in bases)
    if public:
        missing = _('"{not_available}" (tidak ditemukan di sumber publik) atau "{not_published}" (sumber menyebut '
                    'zona atau peringkat tanpa nilai)').format(not_available=fmt.not_available(),
                                                               not_published=fmt.not_published())
    else:
        missing = _('"{not_assessed}" (tidak ada penilaian) atau "{not_available}" (dinilai, angkanya tidak '
                    'diketahui)').format(not_assessed=fmt.not_assessed(), not_available=fmt.not_available())
    return '<p class="legenda">' + _(
        "Tanda pada angka: {items} (nomor dalam kurung siku menunjuk sumbernya di bagian Sumber); <b>{derived_mark}</b> "
        "{derived}. Nilai yang tidak ada ditulis {missing}, tidak pernah 0.").format(
        items=items, derived_mark=fmt.DERIVED_MARK, derived=html.escape(fmt.derived_label()),
        missing=html.escape(missing)) + "</p>"


def _unreadable(loaded: data.ReportData) -> list[str]:
    """A notice naming each input file that could not be read at all: any report may miss its rows."""
    files = data.unreadable_files(loaded)
    return [_notice(_("Berkas masukan yang tidak dapat dibaca (isinya tidak ada dalam laporan ini): {file}: {reason}")
                    .format(file=r.file, reason=r.reason)) for r in files.itertuples()]


def _derived(text: str) -> str:
    """A figure computed from the figures the report shows (a mean, a count, a change, a rank among them)."""
    return f'{html.escape(text)}<sup class="tanda" title="{html.escape(fmt.derived_label())}">{fmt.DERIVED_MARK}</sup>'


def _strip(figures: list[tuple[str, str]]) -> str:
    """A row of headline figures: label above, figure (HTML, already marked) below."""
    cells = "".join(
        f'<div style="border:1px solid #d1d9e0;border-radius:4px;padding:.4em .8em;min-width:7em">'
        f'<div style="color:#59636e;font-size:.8em">{html.escape(label)}</div>'
        f'<div style="font-size:1.35em;font-weight:600">{value}</div></div>'
        for label, value in figures
    )
    return f'<div style="display:flex;flex-wrap:wrap;gap:.5em;margin:.6em 0">{cells}</div>'


def _counts(values: pd.Series, order) -> dict[str, int]:
    counts = values.value_counts()
    return {k: int(counts.get(k, 0)) for k in order}


def _code_spans(text: str) -> str:
    """A catalogue meaning, escaped, its `machine values` as <code>."""
    parts = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def data_dictionary(names) -> str:
    """The data dictionary of the data files ``names`` (labels.TABLES): each machine column, the header it
    has in the report's tables, what it means, and the files that have it."""
    files: dict[str, list[str]] = {}
    for name in names:
        for column in labels.TABLES[name]:
            files.setdefault(column, []).append(name)
    rows = "".join(
        f"<tr><td><code>{html.escape(column)}</code></td><td>{html.escape(H(column, year='…'))}</td>"
        f"<td>{_code_spans(labels.meaning(column))}</td><td>{', '.join(f'<code>{n}</code>' for n in found)}</td></tr>"
        for column, found in files.items())
    head = "".join(f'<th scope="col">{html.escape(H(h))}</th>' for h in ("kolom", "judul_kolom", "arti", "tabel"))
    caption = html.escape(_("Kamus data: kolom berkas CSV dan XLSX"))
    return (f'<table class="tabel-kepatuhan"><caption>{caption}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def _appendix(names) -> None:
    """The data dictionary of the report's data files, under its heading."""
    _show("<h3>" + html.escape(_("Kamus data")) + "</h3>",
          _p(_("Berkas data (CSV dan XLSX, di bagian Unduh data) memakai nama kolom dan nilai mesin di bawah.")),
          data_dictionary(names))


# --- shared: methodology ---------------------------------------------------------------------------

def methodology_html(year: int, entity_type: str, year_prev: int | None, notes: list[str] = ()) -> str:
    """Era and bands used, caps, confidence, and what differs from the previous assessed year."""
    era = methodology.era(year, entity_type)
    zoned = any(b.zone for b in era.bands)
    graded = any(b.category for b in era.bands)
    band_rows = "".join(
        f"<tr><td>{html.escape(b.as_published)}</td>"
        + (f"<td>{html.escape(b.category or '')}</td>" if graded else "")
        + f"<td>{html.escape(b.opinion)}</td>"
        + (f"<td>{tables.badge(b.zone)}</td>" if zoned else "") + "</tr>" for b in reversed(era.bands)
    )
    header = "".join(f"<th>{html.escape(H(h))}</th>" for h, shown in (
        ("rentang", True), ("kategori", graded), ("opini_predikat", True), ("zona", zoned)) if shown)
    bands = (f'<table class="tabel-kepatuhan"><thead><tr>{header}</tr></thead><tbody>{band_rows}</tbody></table>'
             if era.bands else _p(_("Rentang nilai untuk era ini belum dipublikasikan.")))
    parts = ["<p>" + _("<b>Era:</b> {era} (skala 0-{scale}; sumber: {source}).").format(
        era=html.escape(era.label), scale=fmt.angka(era.scale, 0), source=html.escape(era.source)) + "</p>", bands]
    if era.caps:
        caps = ", ".join(f"{labels.value(labels.DIMENSION, d)} {fmt.skor(v)}" for d, v in era.caps.items())
        unit = _("jumlah poin keempat dimensi")
        if era.components:
            unit = _("poin keempat dimensi (bersama 0-{dimensions}) ditambah kepercayaan masyarakat (0-{trust})").format(
                dimensions=fmt.angka(era.components["dimensi"], 0), trust=fmt.angka(era.components["kepercayaan"], 0))
        parts.append(_p(_("Poin tiap dimensi dibatasi bobotnya: {caps}. Nilai unit = {unit}; nilai entitas = "
                          "rata-rata nilai unit, dibulatkan setengah ke atas ke 2 desimal.").format(caps=caps, unit=unit)))
    if era.tm_suffix:
        parts.append(_p(_('Opini entitas mendapat tambahan "{suffix}" bila entitas menindaklanjuti produk Ombudsman; '
                          "tambahan itu tidak mengubah nilai. Tidak ada zona dan kategori A-E.").format(
            suffix=era.tm_suffix.strip())))
    confidence = [f"{labels.value(labels.RULE, r.about)} {labels.value(labels.CONFIDENCE, r.confidence)}"
                  for r in era.rules if not r.years or year in r.years]
    if confidence:
        parts.append(_p(_("Tingkat keyakinan aturan ({year}): {rules}.").format(year=year, rules=", ".join(confidence))))
    before = [e for e in methodology.load_eras() if e.series != era.series and min(e.years) < year
              and (e.entity_types is None or entity_type in e.entity_types)]
    if year_prev is None and before:
        last = max(before, key=lambda e: max(e.years))
        parts.append(_p(_("{year} memakai {era}, seri yang berbeda dari {last} ({last_year} dan sebelumnya): seri "
                          "berbeda, tidak dibandingkan (tanpa selisih dan perubahan peringkat).").format(
            year=year, era=era.label, last=last.label, last_year=max(last.years))))
    elif year_prev is None:
        parts.append(_p(_("Tidak ada penilaian sebelum {year} dalam data ini.").format(year=year)))
    else:
        flags = methodology.comparability(year_prev, year, entity_type)
        prev_era = methodology.era(year_prev, entity_type)
        if flags:
            parts.append(_p(_("Dibanding {year_prev}: {flags}. {year_prev} memakai {prev_era}, {year} memakai {era}: "
                              "perubahan nilai mencerminkan perubahan metode, tidak hanya kinerja, dan ditandai di "
                              "setiap tabel.").format(year_prev=year_prev, flags=labels.flags("; ".join(flags)),
                                                      prev_era=prev_era.label, year=year, era=era.label)))
        else:
            parts.append(_p(_("Dibanding {year_prev}: metode sama ({era}).").format(year_prev=year_prev, era=era.label)))
    parts.append(_p(_("Peringkat yang dihitung: nilai sama berbagi peringkat (1, 2, 2, 4). Angka yang dipublikasikan "
                      "selalu ditampilkan sebagaimana dipublikasikan, dengan tanda dan sumbernya; angka lain diberi "
                      "tanda yang mengatakan asalnya.")))
    parts += [_p(n) for n in notes]
    return f'<div style="{BOX}">{"".join(parts)}</div>'


# --- province report ---------------------------------------------------------------------------------

def _province(year: int, province: str, edition: str):
    loaded = data.load(edition)
    rows = data.province_scores(loaded.scores, province)
    return loaded, rows, rows[rows["year"] == year]


@_per_report
def _league(loaded: data.ReportData, year: int, province: str) -> pd.DataFrame:
    """tables.league_frame, built once for the sections of a report that show it."""
    return tables.league_frame(loaded.scores, loaded.changes, year, province, loaded.public)


@_per_report
def _province_cites(loaded: data.ReportData, year: int, province: str) -> tuple[data.Citations, dict]:
    """Footnotes of a province report (the published facts on the province and its kabupaten/kota in
    this year and the previous one) and the notes on disagreeing sources."""
    rows = data.province_scores(loaded.scores, province)
    years = [y for y in (year, data.previous_year(rows, year)) if y is not None]
    return _with_notes(loaded, data.citations(data.province_facts(loaded.published, province, years)))


def _with_notes(loaded: data.ReportData, cites: data.Citations) -> tuple[data.Citations, dict]:
    return cites, tables.disagreement_notes(loaded.disagreements, cites)


def _bases(this_year: pd.DataFrame) -> str:
    """'3 dipublikasikan, 5 dihitung, 0 sintetis': how many figures of each basis."""
    counts = this_year["basis"].value_counts()
    return ", ".join(f"{fmt.bilangan(counts.get(b, 0))} {fmt.basis_label(b)}" for b in fmt.BASIS_MARK)


def pembuka_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """Subtitle, what the report reads, and whether it shows synthetic figures."""
    loaded, rows, this_year = _province(year, province, edition)
    emit_inputs(loaded.paths + data.published_sources())
    prev = data.previous_year(rows, year)
    shown = rows[rows["year"].isin([year, prev])]
    emit_synthetic(bool(shown["synthetic"].any()))
    name = data.province_label(province)
    parts = ['<p style="font-size:1.2em">' + _("<b>Provinsi {name}</b> · {round} {year}").format(
        name=html.escape(name), round=html.escape(_round_name(year)), year=year) + "</p>"]
    if this_year.empty:
        parts.append(_notice(_("Provinsi {name} dan kabupaten/kotanya {not_assessed} pada {year}.").format(
            name=name, not_assessed=fmt.not_assessed(), year=year)))
    elif loaded.public:
        parts.append(_p(_("Edisi terbitan: hanya hasil yang dipublikasikan. {n} entitas punya hasil {year} yang "
                          "dipublikasikan; entitas lain tidak ditemukan di sumber publik.").format(
            n=fmt.bilangan(len(this_year)), year=year)))
    else:
        parts.append(_p(_("Dasar angka tahun ini: {bases}.").format(bases=_bases(this_year))))
    _show(*parts, *_unreadable(loaded), _marks_legend(loaded.public))


def _round_name(year: int) -> str:
    """'penilaian kepatuhan' up to 2024, 'Opini Ombudsman (penilaian maladministrasi)' from 2025."""
    return _("Opini Ombudsman (penilaian maladministrasi)") if methodology.era(
        year, "Pemerintah Kabupaten").series != methodology.era(2024, "Pemerintah Kabupaten").series \
        else _("penilaian kepatuhan")


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
        "zona": _counts(ranked["zone"], ZONES) if ranked["zone"].notna().any() else {},
        "kategori": _counts(ranked["category"], GRADES) if ranked["category"].notna().any() else {},
        "tahun_sebelumnya": year_prev,
        "sebanding": len(both),
        "rata_rata_sebelumnya_sama": None if both.empty else round(float(both["score_prev"].mean()), 2),
        "rata_rata_sekarang_sama": None if both.empty else round(float(both["score"].mean()), 2),
        "naik": int((ranked["direction"] == "naik").sum()),
        "turun": int((ranked["direction"] == "turun").sum()),
    }


def _zone_tiles(zones: dict, grades: dict) -> list[tuple[str, str]]:
    """Headline tiles of zone and grade counts: 'zona hijau' 12†, 'kategori A' 3†."""
    return ([(_("zona {zone}").format(zone=labels.value(labels.ZONE, z)), _derived(fmt.bilangan(n)))
             for z, n in zones.items()]
            + [(_("kategori {grade}").format(grade=g), _derived(fmt.bilangan(n))) for g, n in grades.items()])


def ringkasan_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """Headline strip and the sentences a reader quotes, all from the table's figures, each marked."""
    loaded, rows, this_year = _province(year, province, edition)
    if this_year.empty:
        _show(_notice(_capital(_("{not_assessed} pada {year}.").format(not_assessed=fmt.not_assessed(), year=year))))
        emit_headline(entitas=0)
        return
    cites, notes = _province_cites(loaded, year, province)
    table = _league(loaded, year, province)
    prev = table["year_prev"].iloc[0]
    prev = None if fmt.is_missing(prev) else int(prev)
    h = headline_figures(table, prev)
    counted = _("kabupaten/kota dengan hasil dipublikasikan") if loaded.public else _("kabupaten/kota dinilai")
    figures = [(counted, _derived(fmt.bilangan(h["entitas"]))),
               (_("rata-rata ({n} nilai)").format(n=fmt.bilangan(h["bernilai"])), _derived(fmt.skor(h["rata_rata"]))),
               (_("median"), _derived(fmt.skor(h["median"])))]
    figures += _zone_tiles(h["zona"], h["kategori"])
    sentences = []
    if prev is not None and h["rata_rata_sebelumnya_sama"] is not None:
        flags = methodology.comparability(prev, year, "Pemerintah Kabupaten")
        change = h["rata_rata_sekarang_sama"] - h["rata_rata_sebelumnya_sama"]
        figures.append((_("perubahan rata-rata sejak {year}").format(year=prev), _derived(fmt.selisih(change))))
        words = dict(n=_derived(fmt.bilangan(h["sebanding"])), prev=prev, year=year,
                     before=_derived(fmt.skor(h["rata_rata_sebelumnya_sama"])),
                     after=_derived(fmt.skor(h["rata_rata_sekarang_sama"])))
        if change > 0:
            sentence = _("Bagi {n} kabupaten/kota dengan nilai {prev} dan {year}, rata-rata nilai naik dari {before} "
                         "menjadi {after}").format(**words)
        elif change < 0:
            sentence = _("Bagi {n} kabupaten/kota dengan nilai {prev} dan {year}, rata-rata nilai turun dari {before} "
                         "menjadi {after}").format(**words)
        else:
            sentence = _("Bagi {n} kabupaten/kota dengan nilai {prev} dan {year}, rata-rata nilai tetap dari {before} "
                         "menjadi {after}").format(**words)
        sentences.append(sentence + (_(" ({flags}: bandingkan dengan hati-hati).").format(
            flags=html.escape(labels.flags("; ".join(flags)))) if flags else "."))
        sentences.append(_("{up} naik dan {down} turun.").format(up=_derived(fmt.bilangan(h["naik"])),
                                                                down=_derived(fmt.bilangan(h["turun"]))))
        for row in tables.movers(table, 1).itertuples():
            sentences.append(_change_sentence(row.entity, row.score_prev, row.basis_prev, cites.of(row.fact_prev),
                                              row.score, row.basis, cites.of(row.published_fact_id),
                                              int(row.year_prev), year))
    elif prev is None:
        earlier = [y for y in data.assessed_years(rows) if y < year]
        why = (_("{year} memakai metode baru (seri berbeda): tidak dibandingkan dengan hasil sebelum {year}")
               if earlier else _("tidak ada hasil sebelum {year} dalam data ini")).format(year=year)
        sentences.append(html.escape(_("Perubahan {not_available}: {why}.").format(
            not_available=fmt.not_available(), why=why)))
    top = table[~table["listed_apart"] & (table["rank_province"] == 1)]
    if not top.empty:
        names = "; ".join(f"{html.escape(r.entity)} ({tables.marked_score(r.score, r.basis, note=cites.of(r.published_fact_id))})"
                          for r in top.itertuples())
        ranked_by_source = (top["rank_province_basis"] == "published").all()
        lead = _("Peringkat pertama {year}") if ranked_by_source or not loaded.public else \
            _("Nilai tertinggi {year} di antara nilai yang dipublikasikan (sumber tidak menyebut peringkat)")
        sentences.insert(0, f"{lead.format(year=year)}: {names}.")
    for row in table[table["listed_apart"]].itertuples():
        zone = "" if fmt.is_missing(row.zone) else _(", zona {zone}").format(
            zone=html.escape(labels.value(labels.ZONE, row.zone)))
        sentences.append(_("{entity} (dicantumkan terpisah): {score}").format(
            entity=html.escape(row.entity),
            score=tables.marked_score(row.score, row.basis, note=cites.of(row.published_fact_id)))
            + zone + ("" if fmt.is_missing(row.opinion) else ", " + html.escape(row.opinion)) + ".")
    _show(_strip(figures), *(f"<p>{s}</p>" for s in sentences))
    emit_headline(entitas=h["entitas"], rata_rata=h["rata_rata"], median=h["median"], zona=h["zona"])


def _change_sentence(entity, before, basis_before, note_before, after, basis_after, note_after,
                     year_from: int, year_to: int) -> str:
    """'Kabupaten Mukomuko naik dari 60,35ᴾ[2] (2022) menjadi 90,02ᴾ[1] (2023), bertambah 29,67† poin' (HTML)."""
    name = html.escape(str(entity))
    if fmt.is_missing(after) or fmt.is_missing(before):
        return html.escape(fmt.kalimat_perubahan(str(entity), before, after, year_from, year_to))
    was = tables.marked_score(before, basis_before, note=note_before)
    now = tables.marked_score(after, basis_after, note=note_after)
    delta = round(float(after) - float(before), 2)
    if delta == 0:
        return _("{entity} tetap pada {score} ({year_from} dan {year_to}).").format(
            entity=name, score=now, year_from=year_from, year_to=year_to)
    words = dict(entity=name, before=was, after=now, year_from=year_from, year_to=year_to,
                 delta=_derived(fmt.skor(abs(delta))))
    if delta > 0:
        return _("{entity} naik dari {before} ({year_from}) menjadi {after} ({year_to}), bertambah {delta} poin.").format(
            **words)
    return _("{entity} turun dari {before} ({year_from}) menjadi {after} ({year_to}), berkurang {delta} poin.").format(
        **words)


def peringkat_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """The league table (kabupaten and kota ranked; the province apart unless its source ranks it), as CSV and XLSX."""
    loaded, rows, this_year = _province(year, province, edition)
    if this_year.empty:
        _show(_notice(_("Tidak ada tabel peringkat: {not_assessed} pada {year}.").format(
            not_assessed=fmt.not_assessed(), year=year)))
        return
    cites, notes = _province_cites(loaded, year, province)
    table = _league(loaded, year, province)
    styler = tables.league_styler(table, rows[["entity_code", "year", "score"]], year, cites, notes, loaded.public)
    emit_table(tables.league_export(table, loaded.published), "peringkat", styler)
    ranks = _("Peringkat bertanda P adalah peringkat yang dipublikasikan sumbernya; peringkat bertanda {mark} dihitung "
              "di antara nilai dalam tabel ini (nilai sama berbagi peringkat)").format(mark=fmt.DERIVED_MARK) + (
        _(", karena sumbernya tidak menyebut peringkat.") if loaded.public else ".")
    _show(_p(_("Tren: nilai setiap tahun (skala 0-100; titik biru = tahun ini). Perubahan dibandingkan dengan tahun "
               "sebelumnya dalam seri yang sama; catatan menandai perbandingan yang tidak sebanding dan sumber yang "
               "berbeda angkanya.") + " " + ranks))


def perubahan_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """Dumbbell chart: each entity from the previous assessed year to this year."""
    loaded, rows, this_year = _province(year, province, edition)
    if this_year["score"].notna().sum() == 0:
        _show(_notice(_("Tidak ada nilai {year}.").format(year=year)))
        return
    table = _league(loaded, year, province)
    prev = table["year_prev"].iloc[0]
    if fmt.is_missing(prev):
        _show(_notice(_("Perubahan {not_available}: tidak ada tahun sebelum {year} dalam seri yang sama.").format(
            not_available=fmt.not_available(), year=year)))
        return
    prev = int(prev)
    fig = charts.dumbbell(table, year, prev)
    flags = methodology.comparability(prev, year, "Pemerintah Kabupaten") if prev else []
    caption = _("Nilai {prev} → {year}, diurutkan menurut nilai {year}; warna dan kata menunjukkan arah.").format(
        prev=prev, year=year) + (" " + _("Perhatian: {flags}.").format(flags=labels.flags("; ".join(flags)))
                                 if flags else "")
    _show(charts.figure_html(fig, charts.dumbbell_alt(table, year, prev), caption))


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
    bases = set(units.loc[units["nilai"].notna(), "basis"].dropna())
    mixed = len(bases) > 1
    labels_ = matrix.copy().astype(object)
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            v = matrix.iat[i, j]
            mark = f" {fmt.BASIS_MARK.get(marks.iat[i, j], '')}" if mixed else ""
            labels_.iat[i, j] = "" if pd.isna(v) else f"{fmt.skor(v)}{mark}".rstrip()
    if mixed:
        note = _("huruf: {marks}").format(marks=", ".join(f"{m} {fmt.basis_label(b)}" for b, m in fmt.BASIS_MARK.items()
                                                          if b in bases))
    elif bases:
        note = _("semua nilai {basis}").format(basis=fmt.basis_label(next(iter(bases))))
    else:
        note = _("semua nilai tanpa keterangan asal")
    return matrix.astype(float), labels_, note


def dimension_shares(units: pd.DataFrame, caps: dict[str, float]) -> pd.DataFrame:
    """Per entity: mean points of each dimension over its units, as a share of the dimension's cap."""
    known = units.dropna(subset=list(data.DIMENSION_COLUMNS))
    means = known.groupby("entity")[list(data.DIMENSION_COLUMNS)].mean().astype(float)
    return pd.DataFrame({name: means[col] / caps[name] for col, name in data.DIMENSION_COLUMNS.items()})


def _dimension_names(shares: pd.DataFrame) -> pd.DataFrame:
    """Dimension columns named in the report's language (Input, Proses: Process, ...)."""
    return shares.rename(columns=lambda d: labels.value(labels.DIMENSION, d))


def unit_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """Heatmaps: unit scores (entity x unit) and, from 2022, dimension points against their caps."""
    loaded, rows, this_year = _province(year, province, edition)
    units = data.unit_scores(loaded, year, this_year["entity_code"])
    if units.empty:
        _show(_notice(_("Nilai unit layanan {not_available} untuk {year}.").format(
            not_available=fmt.not_available(), year=year)))
        return
    matrix, cell_labels, basis_note = _unit_matrix(units)
    fig = charts.heatmap(matrix, vmin=40, vmax=100, labels=cell_labels, xlabel=_("unit layanan"))
    parts = [charts.figure_html(fig, charts.heatmap_alt(_("Nilai unit layanan {year} per entitas dan unit").format(
        year=year), matrix), _("Nilai tiap unit layanan ({note}; – = unit tidak dinilai).").format(note=basis_note))]
    missing = sorted(set(this_year["entity"]) - set(units["entity"]))
    if missing:
        parts.append(_p(_("Nilai unit {not_available}: {entities}.").format(
            not_available=fmt.not_available(), entities=fmt.daftar(missing))))
    caps = methodology.dimension_caps(year, "Pemerintah Kabupaten")
    if not caps:
        parts.append(_p(_("Dimensi (Input, Proses, Output, Pengaduan) dinilai sejak 2022: {not_available} untuk "
                          "{year}.").format(not_available=fmt.not_available(), year=year)))
    else:
        shares = dimension_shares(units, caps)
        if shares.empty:
            parts.append(_p(_("Poin dimensi {not_available} untuk {year}.").format(
                not_available=fmt.not_available(), year=year)))
        else:
            shown = _dimension_names(shares)
            fig = charts.heatmap(shown, vmin=.4, vmax=1, labels=shown.map(lambda v: fmt.persen(v, 0)),
                                 xlabel=_("dimensi (rata-rata poin unit / batas poin)"))
            lost = (1 - shown).mean().sort_values(ascending=False)
            parts.append(charts.figure_html(
                fig, charts.heatmap_alt(_("Poin dimensi {year} sebagai persentase batasnya, rata-rata unit per "
                                          "entitas").format(year=year), shown, lambda v: fmt.persen(v, 0)),
                _("Persentase batas poin yang diraih, rata-rata unit.") + " " + ", ".join(
                    f"{labels.value(labels.DIMENSION, d)} {fmt.skor(caps[d])}" for d in caps) + "."))
            parts.append(_p(_("Poin paling banyak hilang pada dimensi {dimension} (rata-rata {share} dari batasnya "
                              "tidak diraih).").format(dimension=lost.index[0], share=fmt.persen(lost.iloc[0]))))
            without = sorted(set(units["entity"]) - set(shares.index))
            if without:
                parts.append(_p(_("Poin dimensi {not_available}: {entities}.").format(
                    not_available=fmt.not_available(), entities=fmt.daftar(without))))
    _show(*parts)


def pergerakan_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """Largest rises and falls, each with its comparability flag."""
    loaded, rows, this_year = _province(year, province, edition)
    table = _league(loaded, year, province) if not this_year.empty else None
    if table is None or table["delta"].notna().sum() == 0:
        _show(_notice(_("Perubahan {not_available}: tidak ada entitas yang dinilai pada {year} dan tahun "
                        "sebelumnya.").format(not_available=fmt.not_available(), year=year)))
        return
    moved = tables.movers(table)
    _show(tables.movers_styler(moved, _province_cites(loaded, year, province)[0]).to_html())
    new = table[table["direction"] == "baru dinilai"]
    if not new.empty:
        _show(_p(_("Baru dinilai pada {year}: {entities}.").format(year=year, entities=fmt.daftar(list(new["entity"])))))
    unknown = table[~table["assessed_prev"] & ~table["listed_apart"]] if loaded.public else table.iloc[:0]
    if not unknown.empty:
        _show(_p(_("Tanpa hasil {year} yang dipublikasikan: {entities}.").format(
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
    _show(methodology_html(year, "Pemerintah Kabupaten", prev, notes))


def lampiran_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """Data appendix: unit scores as data, the data dictionary and the validation summary of the inputs."""
    loaded, rows, this_year = _province(year, province, edition)
    cites, notes = _province_cites(loaded, year, province)
    units = data.unit_scores(loaded, year, this_year["entity_code"])
    caption = _("Nilai unit layanan {year}").format(year=year)
    if units.empty:
        _show(_p(f"{caption}: {fmt.not_available()}."))
    else:
        emit_table(tables.unit_export(units, loaded.published), "unit", tables.unit_styler(units, cites, caption))
    _appendix(("peringkat", "unit") if loaded.public else ("peringkat", "unit", "validasi"))
    facts = loaded.published
    shown = facts[(facts["year"] == year) & facts["province_code"].eq(province)]
    if not loaded.public:
        files = data.source_files(loaded, this_year)
        _show(f'<h3 id="{tables.VALIDATION_ANCHOR}">' + html.escape(_("Ringkasan validasi masukan")) + "</h3>")
        summary = data.validation_summary(loaded, files)
        emit_table(summary, "validasi", tables.number_styler(
            summary, counts=("baris_dibaca", "baris_dipakai", "baris_ditolak")))
    _show(_p(_("Hasil yang dipublikasikan: {n} fakta tentang provinsi ini pada {year}, dari {total} fakta yang "
               "terbaca; bila sumber berbeda, satu angka dipilih menurut aturan yang terdokumentasi dan angka lain "
               "ditampilkan di kolom catatan.").format(n=fmt.bilangan(len(shown)), year=year,
                                                     total=fmt.bilangan(len(facts)))))


def sumber_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """The sources the footnotes point to."""
    loaded, rows, this_year = _province(year, province, edition)
    _show(tables.sources_html(_province_cites(loaded, year, province)[0]))


# --- national summary -----------------------------------------------------------------------------

def _national(year: int, edition: str):
    loaded = data.load(edition)
    scores = loaded.scores[loaded.scores["entity_type"].isin(data.NATIONAL_TYPES)]
    return loaded, scores, scores[scores["year"] == year]


@_per_report
def _national_cites(loaded: data.ReportData, year: int) -> tuple[data.Citations, dict]:
    """Footnotes of a national summary: the published facts of the year on the nationally counted types."""
    counts = loaded.national_counts
    return _with_notes(loaded, data.citations(data.national_facts(loaded.published, [year]),
                                              extra=tuple(counts.loc[counts["year"] == year, "source"])))


def pembuka_nasional(year: int, edition: str = PUBLIC) -> None:
    loaded, scores, this_year = _national(year, edition)
    emit_inputs(loaded.paths + data.published_sources())
    emit_synthetic(bool(this_year["synthetic"].any()))
    parts = ['<p style="font-size:1.2em">' + _("<b>Ringkasan nasional</b> · {round} {year}").format(
        round=html.escape(_round_name(year)), year=year) + "</p>"]
    if this_year.empty:
        parts.append(_notice(_("Tidak ada penilaian pada {year} dalam data ini.").format(year=year)))
    elif loaded.public:
        parts.append(_p(_("Edisi terbitan: {n} entitas dengan hasil {year} yang dipublikasikan (sebagian kecil dari "
                          "semua yang dinilai; tabel nasional per entitas tidak ditemukan di sumber publik).").format(
            n=fmt.bilangan(len(this_year)), year=year)))
    else:
        parts.append(_p(_("{n} entitas; dasar angka: {bases}.").format(n=fmt.bilangan(len(this_year)),
                                                                       bases=_bases(this_year))))
    _show(*parts, *_unreadable(loaded), _marks_legend(loaded.public))


def zone_counts(this_year: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Count and share per entity type (and all types) and zone, beside the published national counts."""
    rows = []
    for entity_type in ("", *data.NATIONAL_TYPES):
        part = this_year if not entity_type else this_year[this_year["entity_type"] == entity_type]
        if entity_type and part.empty:
            continue
        counted = _counts(part["zone"], ZONES)
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
        _show(_notice(_capital(_("{not_assessed} pada {year}.").format(not_assessed=fmt.not_assessed(), year=year))))
        emit_headline(entitas=0)
        return
    published = loaded.national_counts[loaded.national_counts["year"] == year]
    counts = zone_counts(this_year, published)
    scored = this_year[this_year["score"].notna()]
    zones = _counts(this_year["zone"], ZONES)
    counted = _("entitas dengan hasil dipublikasikan") if loaded.public else _("entitas dinilai")
    figures = [(counted, _derived(fmt.bilangan(len(this_year)))),
               (_("rata-rata ({n} nilai)").format(n=fmt.bilangan(len(scored))), _derived(fmt.skor(scored["score"].mean())))]
    grades = _counts(this_year["category"], GRADES) if this_year["category"].notna().any() else {}
    figures += _zone_tiles(zones if this_year["zone"].notna().any() else {}, grades)
    parts = [_strip(figures)]
    cites, _notes = _national_cites(loaded, year)
    note = cites.of_source(published["source"].iloc[0]) if len(published) else None

    def count(value) -> str:  # a published national count, with its source
        return fmt.not_available() if fmt.is_missing(value) else \
            f"{fmt.bilangan(value)}{tables.mark('published')}{tables.footnote(note)}"

    if published.empty:
        parts.append(_p(_("Jumlah nasional yang dipublikasikan untuk {year}: {not_available}.").format(
            year=year, not_available=fmt.not_available())))
    else:
        total = counts[counts["jenis"] == labels.ALL_TYPES]
        known = total[total["jumlah_dipublikasikan"].notna()]
        text = ", ".join(_("{zone} {count} (dipublikasikan {published})").format(
            zone=labels.value(labels.ZONE, r.zona), count=_derived(fmt.bilangan(r.jumlah)),
            published=count(r.jumlah_dipublikasikan)) for r in known.itertuples())
        parts.append("<p>" + _("Semua jenis, data ini dibanding angka nasional yang dipublikasikan: {counts}. Angka "
                               "dipublikasikan adalah jumlah agregat; tabel per entitas nasional tidak ditemukan di "
                               "sumber publik.").format(counts=text) + "</p>")
    _show(*parts)
    display = pd.DataFrame({
        H("jenis"): [html.escape(_type_name(v)) for v in counts["jenis"]],
        H("zona"): [labels.value(labels.ZONE, v) for v in counts["zona"]],
        H("jumlah"): [_derived(fmt.bilangan(v)) for v in counts["jumlah"]],
        H("pangsa"): [_derived(fmt.persen(v)) if not fmt.is_missing(v) else fmt.not_available()
                      for v in counts["pangsa"]],
        H("jumlah_dipublikasikan"): [count(v) for v in counts["jumlah_dipublikasikan"]],
        H("pangsa_dipublikasikan"): [_derived(fmt.persen(v)) if not fmt.is_missing(v) else fmt.not_available()
                                     for v in counts["pangsa_dipublikasikan"]],
    })
    emit_table(counts.assign(sumber=published["source"].iloc[0] if len(published) else pd.NA), "zona",
               tables.styled(display, list(display.columns)))
    emit_headline(entitas=len(this_year), rata_rata=round(float(scored["score"].mean()), 2) if len(scored) else None,
                  zona=zones)


def _capital(text: str) -> str:
    """A sentence that starts with a word of the catalogue ('tidak dinilai pada 2023.'), capitalised."""
    return text[:1].upper() + text[1:]


def komposisi_zona(year: int, edition: str = PUBLIC) -> None:
    """Stacked bars: the share of each zone in every assessed year up to this one."""
    loaded, scores, _scores = _national(year, edition)
    upto = scores[(scores["year"] <= year) & scores["zone"].notna()]
    if upto.empty:
        _show(_notice(_("Zona {not_available}.").format(not_available=fmt.not_available())))
        return
    shares = pd.crosstab(upto["year"].astype(int), upto["zone"], normalize="index")
    n = upto.groupby(upto["year"].astype(int)).size()
    fig = charts.zone_bars(shares)
    caption = _("Pangsa zona per tahun (jumlah entitas: {counts}). Skala dan rentang berbeda antar era.").format(
        counts=", ".join(f"{y} {fmt.bilangan(c)}" for y, c in n.items()))
    _show(charts.figure_html(fig, charts.zone_bars_alt(shares), caption))


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
    _show(charts.figure_html(
        fig, charts.tile_map_alt([names[c] for c in tiles["province_code"]], tiles["mean"], year),
        _("Setiap petak satu provinsi (pemerintah provinsi dan kabupaten/kotanya); {n} dari 38 provinsi punya nilai "
          "{year}. Petak abu-abu: {not_assessed}.").format(n=assessed, year=year, not_assessed=fmt.not_assessed())))
    export = tiles[["province_code", "entitas", "rata_rata", "pangsa_hijau"]].assign(
        provinsi=[names[c] for c in tiles["province_code"]]).rename(
        columns={"province_code": "kode", "entitas": "jumlah_entitas"})
    export = export[list(labels.TABLES["provinsi"])].astype(
        {"kode": "string", "provinsi": "string", "jumlah_entitas": "Int64"}).sort_values("rata_rata", ascending=False)
    export["jumlah_entitas"] = export["jumlah_entitas"].fillna(0)  # a count: none assessed is 0 entities
    emit_table(export, "provinsi", tables.number_styler(
        export, scores=("rata_rata",), counts=("jumlah_entitas",), shares=("pangsa_hijau",),
        missing=fmt.not_assessed()))


def teratas_terbawah(year: int, edition: str = PUBLIC, n: int = 5) -> None:
    """Top and bottom entities per entity type, by score; a national rank shown as published, else computed."""
    loaded, scores, this_year = _national(year, edition)
    scored = this_year[this_year["score"].notna()]
    if scored.empty:
        _show(_notice(_("Nilai {not_available} untuk {year}.").format(not_available=fmt.not_available(), year=year)))
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
                row = {H("jenis"): html.escape(entity_type), H("kelompok"): labels.value(labels.GROUP, group),
                       H("peringkat"): tables.marked_rank(r.rank_national, r.rank_national_basis,
                                                          cites.of(r.rank_national_fact_id)),
                       H("entitas"): html.escape(r.entity), H("nilai"): tables.marked_score(r.score, r.basis, note=note),
                       H("opini"): html.escape(r.opinion) if not fmt.is_missing(r.opinion) else fmt.not_available()}
                if zoned:
                    row[H("kategori_zona")] = tables.badge(r.zone, r.category)
                rows.append(row)
    display = pd.DataFrame(rows)
    ranks = (_("Peringkat nasional ditampilkan hanya bila dipublikasikan (P): nilai yang dipublikasikan hanya "
               "sebagian dari semua yang dinilai.") if loaded.public else
             _("Peringkat nasional bertanda P dipublikasikan sumbernya; bertanda {mark} dihitung di antara semua nilai "
               "edisi ini (nilai sama berbagi peringkat).").format(mark=fmt.DERIVED_MARK))
    _show(tables.styled(display, list(display.columns)).to_html(),
          _p(_("Urut menurut nilai dalam jenis entitas; {n} teratas dan {n} terbawah.").format(n=n) + " " + ranks))


def sumber_nasional(year: int, edition: str = PUBLIC) -> None:
    """The sources the footnotes point to."""
    loaded, scores, this_year = _national(year, edition)
    _show(tables.sources_html(_national_cites(loaded, year)[0]))


def dimensi_nasional(year: int, edition: str = PUBLIC) -> None:
    """Per-dimension mean points per entity type, as a share of the dimension's cap (2022 on)."""
    loaded, scores, this_year = _national(year, edition)
    caps = methodology.dimension_caps(year, "Pemerintah Kabupaten") if not this_year.empty or year >= 2022 else {}
    units = loaded.units[(loaded.units["year"] == year) & loaded.units["entity_type"].isin(data.NATIONAL_TYPES)]
    units = units.dropna(subset=list(data.DIMENSION_COLUMNS))
    if not caps or units.empty:
        _show(_notice(_("Poin dimensi {not_available} untuk {year} (dimensi dinilai sejak 2022, dan hanya bila ekspor "
                        "memuatnya).").format(not_available=fmt.not_available(), year=year)))
        return
    means = units.groupby("entity_type")[list(data.DIMENSION_COLUMNS)].mean().astype(float)
    rows = []
    for entity_type, r in means.iterrows():
        for column, name in data.DIMENSION_COLUMNS.items():
            rows.append({"jenis": entity_type, "dimensi": name, "rata_rata_poin": r[column], "batas": caps[name],
                         "pangsa_batas": r[column] / caps[name]})
    frame = pd.DataFrame(rows).astype({"jenis": "string", "dimensi": "string"})
    emit_table(frame, "dimensi", tables.number_styler(
        frame.assign(dimensi=[labels.value(labels.DIMENSION, d) for d in frame["dimensi"]]),
        scores=("rata_rata_poin", "batas"), shares=("pangsa_batas",)))
    weakest = frame.sort_values("pangsa_batas").iloc[0]
    _show(_p(_("Berdasarkan {n} unit dengan poin dimensi. Pangsa terendah: {dimension} pada {type} ({share} dari "
               "batas).").format(n=fmt.bilangan(len(units)), dimension=labels.value(labels.DIMENSION, weakest["dimensi"]),
                                 type=weakest["jenis"], share=fmt.persen(weakest["pangsa_batas"]))))


def metodologi_nasional(year: int, edition: str = PUBLIC) -> None:
    loaded, scores, _scores = _national(year, edition)
    _show(methodology_html(year, "Pemerintah Kabupaten", data.previous_year(scores, year), [
        _("Jumlah nasional mencakup kementerian, lembaga, provinsi, kabupaten dan kota; Polres dan Kantor Pertanahan "
          "(sejak 2022) dinilai oleh perwakilan dan tidak termasuk."),
        _("Kementerian dan lembaga 2017 memakai skala 0-110 (lihat deklarasi metodologi)."),
    ]))


def lampiran_nasional(year: int, edition: str = PUBLIC) -> None:
    """Data appendix: the data dictionary of the summary's data files."""
    _appendix(("zona", "provinsi", "dimensi"))


# --- entity profile ------------------------------------------------------------------------------

def _entity(entity_code: str, edition: str):
    loaded = data.load(edition)
    latest, history = _entity_rows(loaded, entity_code)
    return loaded, latest, history


@_per_report
def _entity_rows(loaded: data.ReportData, entity_code: str) -> tuple[pd.Series, pd.DataFrame]:
    """The entity's latest row and every year's row, oldest first."""
    history = loaded.scores[loaded.scores["entity_code"] == entity_code].sort_values("year")
    return data.entity_row(history, entity_code), history


def _row_of(history: pd.DataFrame, year: int):
    rows = history[history["year"] == year]
    return None if rows.empty else rows.iloc[0]


@_per_report
def _entity_cites(loaded: data.ReportData, entity_code: str) -> tuple[data.Citations, dict]:
    """Footnotes of an entity profile (every published fact on the entity) and the notes on disagreeing sources."""
    facts = loaded.published
    return _with_notes(loaded, data.citations(facts[facts["entity_code"] == entity_code]))


def pembuka_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    loaded, latest, history = _entity(entity_code, edition)
    emit_inputs(loaded.paths + data.published_sources())
    emit_synthetic(bool(history["synthetic"].any()))
    where = "" if fmt.is_missing(latest["province_code"]) else " · " + _("Provinsi {name}").format(
        name=data.province_label(latest["province_code"]))
    parts = [f'<p style="font-size:1.2em"><b>{html.escape(str(latest["entity"]))}</b> '
             f"({html.escape(entity_code)}) · {html.escape(str(latest['entity_type']))}{html.escape(where)}</p>"]
    if _row_of(history, year) is None:
        parts.append(_notice(_("{entity} {not_assessed} pada {year}.").format(
            entity=latest["entity"], not_assessed=fmt.not_assessed(), year=year)))
    _show(*parts, *_unreadable(loaded), _marks_legend(loaded.public))


def ringkasan_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    loaded, latest, history = _entity(entity_code, edition)
    row = _row_of(history, year)
    if row is None:
        _show(_notice(_capital(_("{not_assessed} pada {year}; tahun yang dinilai: {years}.").format(
            not_assessed=fmt.not_assessed(), year=year, years=", ".join(map(str, data.assessed_years(history)))))))
        emit_headline(nilai=None)
        return
    cites, notes = _entity_cites(loaded, entity_code)
    note = cites.of(row["published_fact_id"])
    prev = data.previous_year(history, year, str(row["entity_type"]))
    before = _row_of(history, prev) if prev else None
    classification = " · ".join(labels.value(labels.ZONE, v) if v in labels.ZONE else str(v)
                                for v in (row["category"], row["zone"]) if not fmt.is_missing(v))
    figures = [(_("nilai {year}").format(year=year), tables.marked_score(row["score"], row["basis"], note=note)),
               (_("opini"), html.escape(row["opinion"]) if not fmt.is_missing(row["opinion"]) else fmt.not_available())]
    if classification:
        figures.append((_("kategori / zona"), html.escape(classification)))
    for level, where in (("province", _("peringkat di provinsi")), ("national", _("peringkat nasional"))):
        basis = row[f"rank_{level}_basis"]
        among = "" if fmt.is_missing(basis) or basis == "published" else \
            (_(" (di antara nilai yang dipublikasikan)") if loaded.public else _(" (di antara nilai edisi ini)"))
        figures.append((f"{where}{among}", tables.marked_rank(row[f"rank_{level}"], basis,
                                                              cites.of(row[f"rank_{level}_fact_id"]))))
    sentences = [html.escape(_("Dasar nilai {year}: {basis}.").format(year=year, basis=fmt.basis_label(row["basis"])))]
    if (year, entity_code) in notes:
        sentences.append(_("Sumber berbeda untuk {year}: {note}.").format(year=year, note=notes[(year, entity_code)]))
    if before is not None:
        flags = methodology.comparability(prev, year, row["entity_type"])
        sentences.insert(0, _change_sentence(row["entity"], before["score"], before["basis"],
                                             cites.of(before["published_fact_id"]), row["score"], row["basis"], note,
                                             prev, year)
                         + (f" ({html.escape(labels.flags('; '.join(flags)))})" if flags else ""))
        if not fmt.is_missing(before["score"]) and not fmt.is_missing(row["score"]):
            figures.append((_("perubahan sejak {year}").format(year=prev),
                            _derived(fmt.selisih(float(row["score"]) - float(before["score"])))))
    if not fmt.is_missing(row["koreksi"]):
        sentences.append(html.escape(_("Koreksi karena tindakan korektif yang diabaikan: −{points} poin.").format(
            points=fmt.skor(row["koreksi"]))))
    _show(_strip(figures), *(f"<p>{s}</p>" for s in sentences))
    emit_headline(nilai=row["score"], zona=row["zone"], kategori=row["category"])


def lintasan_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    """Every assessed year's score, with the changes of method marked."""
    loaded, latest, history = _entity(entity_code, edition)
    cites, notes = _entity_cites(loaded, entity_code)
    entity_type = str(latest["entity_type"])
    eras, seen = [], None
    for y in data.assessed_years(history):
        e = methodology.era(y, entity_type)
        if e.id != seen:
            eras.append((y, e.label))
            seen = e.id
    fig = charts.trajectory(history[["year", "score", "zone"]], eras, year)
    _show(charts.figure_html(fig, charts.trajectory_alt(latest["entity"], history),
                             _("Garis putus-putus: metode berganti ({eras}). Tahun tanpa titik: tidak ada nilai.").format(
                                 eras="; ".join(f"{y}: {label}" for y, label in eras))))
    emit_table(tables.trend_export(history, loaded.published),
               "lintasan", tables.trend_styler(history, loaded.published, cites, notes))


def unit_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    """Units and dimension points in the report's year."""
    loaded, latest, history = _entity(entity_code, edition)
    units = data.unit_scores(loaded, year, [entity_code]).sort_values("nilai", ascending=False)
    if units.empty:
        _show(_notice(_("Nilai unit layanan {not_available} untuk {year}.").format(
            not_available=fmt.not_available(), year=year)))
        return
    cites, notes = _entity_cites(loaded, entity_code)
    caps = methodology.dimension_caps(year, str(latest["entity_type"]))
    caption = _("Unit layanan {year}").format(year=year) + (
        " (" + _("batas poin: {caps}").format(caps=", ".join(
            f"{labels.value(labels.DIMENSION, d)} {fmt.skor(v)}" for d, v in caps.items())) + ")" if caps else "")
    emit_table(tables.unit_export(units, loaded.published), "unit", tables.unit_styler(units, cites, caption))
    lowest = units.iloc[-1]
    parts = ["<p>" + _("{n} unit; rata-rata nilai unit {mean}; terendah {unit} ({score}).").format(
        n=_derived(fmt.bilangan(len(units))), mean=_derived(fmt.skor(units["nilai"].mean())),
        unit=html.escape(str(lowest["unit"])),
        score=tables.marked_score(lowest["nilai"], lowest["basis"], note=cites.of(lowest["fact_id"]))) + "</p>"]
    if caps and units[list(data.DIMENSION_COLUMNS)].notna().all(axis=1).any():
        shares = _dimension_names(dimension_shares(units.assign(entity=units["unit"]), caps))
        fig = charts.heatmap(shares, vmin=.4, vmax=1, labels=shares.map(lambda v: fmt.persen(v, 0)),
                             xlabel=_("dimensi (poin / batas poin)"))
        parts.append(charts.figure_html(fig, charts.heatmap_alt(_("Poin dimensi {year} sebagai persentase batasnya per "
                                                                  "unit layanan").format(year=year), shares,
                                                                lambda v: fmt.persen(v, 0)),
                                        _("Persentase batas poin yang diraih tiap unit pada tiap dimensi.")))
    elif caps:
        parts.append(_p(_("Poin dimensi {not_available} (hanya nilai unit yang dipublikasikan).").format(
            not_available=fmt.not_available())))
    _show(*parts)


def peringkat_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    """Provincial and national rank in every assessed year, each as published or computed."""
    loaded, latest, history = _entity(entity_code, edition)
    cites, notes = _entity_cites(loaded, entity_code)
    ranks = history[["year", "rank_province", "rank_national"]]
    if ranks[["rank_province", "rank_national"]].notna().any().any():
        _show(charts.figure_html(charts.rank_history(ranks), charts.rank_history_alt(latest["entity"], ranks),
                                 _("Peringkat 1 di atas. Peringkat nasional dalam jenis entitas.")))
    display = pd.DataFrame({
        H("tahun"): [str(int(y)) for y in history["year"]],
        **{H(f"peringkat_{where}"): [tables.marked_rank(r, b, cites.of(f)) for r, b, f in
                                     zip(history[f"rank_{level}"], history[f"rank_{level}_basis"],
                                         history[f"rank_{level}_fact_id"], strict=True)]
           for level, where in (("province", "provinsi"), ("national", "nasional"))},
    })
    among = (_("di antara nilai provinsi yang dipublikasikan; peringkat nasional hanya bila dipublikasikan")
             if loaded.public else _("di antara semua nilai edisi ini"))
    _show(tables.styled(display, [H("peringkat_provinsi"), H("peringkat_nasional")]).to_html(),
          _p(_("Peringkat bertanda P dipublikasikan sumbernya; bertanda {mark} dihitung {among}.").format(
              mark=fmt.DERIVED_MARK, among=among)))


def perubahan_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    """What moved since the previous assessed year: score, grade, rank, and unit by unit."""
    loaded, latest, history = _entity(entity_code, edition)
    prev = data.previous_year(history, year, str(latest["entity_type"]))
    row, before = _row_of(history, year), (_row_of(history, prev) if prev else None)
    if row is None or before is None:
        _show(_notice(_("Perbandingan {not_available}: perlu hasil pada {year} dan tahun sebelumnya dalam seri yang "
                        "sama.").format(not_available=fmt.not_available(), year=year)))
        return
    cites, notes = _entity_cites(loaded, entity_code)
    changes = loaded.changes
    change = changes[(changes["scope"] == "entitas") & (changes["entity_code"] == entity_code)
                     & (changes["year_to"] == year)].iloc[0]
    parts = [f"<p>{_change_sentence(row['entity'], before['score'], before['basis'], cites.of(before['published_fact_id']), row['score'], row['basis'], cites.of(row['published_fact_id']), prev, year)}</p>"]
    if not fmt.is_missing(change["zone_change"]) and change["zone_change"]:
        zones = " → ".join(labels.value(labels.ZONE, z) for z in change["zone_change"].split(" -> "))
        parts.append(_p(_("Zona: {change}.").format(change=zones)))
    if not fmt.is_missing(change["grade_change"]) and change["grade_change"]:
        parts.append(_p(_("Kategori: {change}.").format(change=change["grade_change"].replace(" -> ", " → "))))
    comparable = not (fmt.is_missing(before["rank_province"]) or fmt.is_missing(row["rank_province"])) and (
        not loaded.public or before["rank_province_basis"] == row["rank_province_basis"] == "published")
    rank_change = before["rank_province"] - row["rank_province"] if comparable else None
    parts.append("<p>" + _("Peringkat di provinsi: {before} → {after} ({change}).").format(
        before=tables.marked_rank(before["rank_province"], before["rank_province_basis"],
                                  cites.of(before["rank_province_fact_id"])),
        after=tables.marked_rank(row["rank_province"], row["rank_province_basis"], cites.of(row["rank_province_fact_id"])),
        change=html.escape(fmt.perubahan_peringkat(rank_change))) + "</p>")
    if change["flags"]:
        parts.append(_p(_("Catatan keterbandingan: {flags}.").format(flags=labels.flags(change["flags"]))))
    units_now = data.unit_scores(loaded, year, [entity_code])
    units_before = data.unit_scores(loaded, prev, [entity_code])
    if units_now.empty or units_before.empty:
        parts.append(_p(_("Perbandingan per unit {not_available}: nilai unit {year} tidak ada dalam data.").format(
            not_available=fmt.not_available(), year=prev if units_before.empty else year)))
    else:
        a = units_before.groupby("unit_type")["nilai"].mean()
        b = units_now.groupby("unit_type")["nilai"].mean()
        types = sorted(set(a.index) | set(b.index))
        display = pd.DataFrame({
            H("jenis_unit"): [html.escape(t) for t in types],
            H("rata_rata_tahun", year=prev): [_derived(fmt.skor(a[t])) if t in a.index else fmt.not_available()
                                              for t in types],
            H("rata_rata_tahun", year=year): [_derived(fmt.skor(b[t])) if t in b.index else fmt.not_available()
                                              for t in types],
            H("selisih"): [_derived(fmt.selisih(b[t] - a[t])) if t in a.index and t in b.index else fmt.not_available()
                           for t in types],
        })
        parts.append(tables.styled(display, list(display.columns)).to_html())
    _show(*parts)


def metodologi_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    loaded, latest, history = _entity(entity_code, edition)
    years = data.assessed_years(history)
    shown = year if year in years else years[-1]
    _show(methodology_html(shown, str(latest["entity_type"]),
                           data.previous_year(history, shown, str(latest["entity_type"]))))


def lampiran_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    """Data appendix: the data dictionary of the profile's data files."""
    _appendix(("lintasan", "unit"))


def sumber_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    """The sources the footnotes point to."""
    loaded, latest, history = _entity(entity_code, edition)
    _show(tables.sources_html(_entity_cites(loaded, entity_code)[0]))
