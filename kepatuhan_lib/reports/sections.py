"""One function per report-notebook section: each reads the processed data and displays what the section shows."""

from __future__ import annotations

import functools
import html

import pandas as pd

from .. import config, methodology
from . import charts, data, fmt, tables
from .emit import emit_headline, emit_inputs, emit_synthetic, emit_table

ZONES = ("hijau", "kuning", "merah")
GRADES = ("A", "B", "C", "D", "E")
PUBLIC = config.PUBLIC_EDITION
BOX = "border:1px solid #d1d9e0;border-radius:4px;padding:.6em 1em;margin:.6em 0 1em;background:#f6f8fa"


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
    way out, so no section can change what the next one reads."""
    @functools.wraps(function)
    def shared(loaded: data.ReportData, *args):
        key = (function.__name__, args)
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
    items = ", ".join(f"<b>{fmt.BASIS_MARK[b]}</b> {fmt.BASIS_LABEL[b]}" for b in bases)
    missing = (f'"{fmt.NOT_AVAILABLE}" (tidak ditemukan di sumber publik) atau "{fmt.NOT_PUBLISHED}" (sumber '
               "menyebut zona atau peringkat tanpa nilai)") if public else (
        f'"{fmt.NOT_ASSESSED}" (tidak ada penilaian) atau "{fmt.NOT_AVAILABLE}" (dinilai, angkanya tidak diketahui)')
    return (f'<p class="legenda">Tanda pada angka: {items} (nomor dalam kurung siku menunjuk sumbernya di bagian '
            f"Sumber); <b>{fmt.DERIVED_MARK}</b> {fmt.DERIVED_LABEL}. Nilai yang tidak ada ditulis {missing}, "
            "tidak pernah 0.</p>")


def _unreadable(loaded: data.ReportData) -> list[str]:
    """A notice naming each input file that could not be read at all: any report may miss its rows."""
    files = data.unreadable_files(loaded)
    return [_notice(f"Berkas masukan yang tidak dapat dibaca (isinya tidak ada dalam laporan ini): {r.file}: {r.reason}")
            for r in files.itertuples()]


def _derived(text: str) -> str:
    """A figure computed from the figures the report shows (a mean, a count, a change, a rank among them)."""
    return f'{html.escape(text)}<sup class="tanda" title="{fmt.DERIVED_LABEL}">{fmt.DERIVED_MARK}</sup>'


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


def _dictionary(entries: dict[str, str]) -> str:
    rows = "".join(f"<tr><td><code>{html.escape(k)}</code></td><td>{html.escape(v)}</td></tr>"
                   for k, v in entries.items())
    return f'<table class="tabel-kepatuhan"><thead><tr><th>kolom</th><th>arti</th></tr></thead><tbody>{rows}</tbody></table>'


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
    header = ("<th>rentang nilai</th>" + ("<th>kategori</th>" if graded else "") + "<th>opini/predikat</th>"
              + ("<th>zona</th>" if zoned else ""))
    bands = (f'<table class="tabel-kepatuhan"><thead><tr>{header}</tr></thead><tbody>{band_rows}</tbody></table>'
             if era.bands else _p("Rentang nilai untuk era ini belum dipublikasikan."))
    parts = [f"<p><b>Era:</b> {html.escape(era.label)} (skala 0-{fmt.angka(era.scale, 0)}; "
             f"sumber: {html.escape(era.source)}).</p>", bands]
    if era.caps:
        caps = ", ".join(f"{d} {fmt.skor(v)}" for d, v in era.caps.items())
        unit = "jumlah poin keempat dimensi"
        if era.components:
            unit = (f"poin keempat dimensi (bersama 0-{fmt.angka(era.components['dimensi'], 0)}) ditambah kepercayaan "
                    f"masyarakat (0-{fmt.angka(era.components['kepercayaan'], 0)})")
        parts.append(_p(f"Poin tiap dimensi dibatasi bobotnya: {caps}. Nilai unit = {unit}; "
                        "nilai entitas = rata-rata nilai unit, dibulatkan setengah ke atas ke 2 desimal."))
    if era.tm_suffix:
        parts.append(_p(f"Opini entitas mendapat tambahan \"{era.tm_suffix.strip()}\" bila entitas menindaklanjuti "
                        "produk Ombudsman; tambahan itu tidak mengubah nilai. Tidak ada zona dan kategori A-E."))
    confidence = [f"{fmt.RULE_LABEL.get(r.about, r.about)} {fmt.CONFIDENCE_LABEL.get(r.confidence, r.confidence)}"
                  for r in era.rules if not r.years or year in r.years]
    if confidence:
        parts.append(_p(f"Tingkat keyakinan aturan ({year}): {', '.join(confidence)}."))
    before = [e for e in methodology.load_eras() if e.series != era.series and min(e.years) < year
              and (e.entity_types is None or entity_type in e.entity_types)]
    if year_prev is None and before:
        last = max(before, key=lambda e: max(e.years))
        parts.append(_p(f"{year} memakai {era.label}, seri yang berbeda dari {last.label} ({max(last.years)} dan "
                        f"sebelumnya): seri berbeda, tidak dibandingkan (tanpa selisih dan perubahan peringkat)."))
    elif year_prev is None:
        parts.append(_p(f"Tidak ada penilaian sebelum {year} dalam data ini."))
    else:
        flags = methodology.comparability(year_prev, year, entity_type)
        prev_era = methodology.era(year_prev, entity_type)
        if flags:
            parts.append(_p(f"Dibanding {year_prev}: {'; '.join(flags)}. {year_prev} memakai {prev_era.label}, "
                            f"{year} memakai {era.label}: perubahan nilai mencerminkan perubahan metode, tidak "
                            "hanya kinerja, dan ditandai di setiap tabel."))
        else:
            parts.append(_p(f"Dibanding {year_prev}: metode sama ({era.label})."))
    parts.append(_p("Peringkat yang dihitung: nilai sama berbagi peringkat (1, 2, 2, 4). Angka yang dipublikasikan "
                    "selalu ditampilkan sebagaimana dipublikasikan, dengan tanda dan sumbernya; angka lain diberi "
                    "tanda yang mengatakan asalnya."))
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


def pembuka_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """Subtitle, what the report reads, and whether it shows synthetic figures."""
    loaded, rows, this_year = _province(year, province, edition)
    emit_inputs(loaded.paths + data.published_sources())
    prev = data.previous_year(rows, year)
    shown = rows[rows["year"].isin([year, prev])]
    emit_synthetic(bool(shown["synthetic"].any()))
    name = data.province_label(province)
    parts = [f'<p style="font-size:1.2em"><b>Provinsi {html.escape(name)}</b> · {html.escape(_round_name(year))} '
             f"{year}</p>"]
    if this_year.empty:
        parts.append(_notice(f"Provinsi {name} dan kabupaten/kotanya {fmt.NOT_ASSESSED} pada {year}."))
    elif loaded.public:
        parts.append(_p(f"Edisi terbitan: hanya hasil yang dipublikasikan. {fmt.bilangan(len(this_year))} entitas "
                        f"punya hasil {year} yang dipublikasikan; entitas lain tidak ditemukan di sumber publik."))
    else:
        counts = this_year["basis"].value_counts()
        parts.append(_p("Dasar angka tahun ini: " + ", ".join(
            f"{fmt.bilangan(counts.get(b, 0))} {fmt.BASIS_LABEL[b]}" for b in fmt.BASIS_MARK) + "."))
    _show(*parts, *_unreadable(loaded), _marks_legend(loaded.public))


def _round_name(year: int) -> str:
    """'penilaian kepatuhan' up to 2024, 'Opini Ombudsman (penilaian maladministrasi)' from 2025."""
    return "Opini Ombudsman (penilaian maladministrasi)" if methodology.era(
        year, "Pemerintah Kabupaten").series != methodology.era(2024, "Pemerintah Kabupaten").series \
        else "penilaian kepatuhan"


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


def ringkasan_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """Headline strip and the sentences a reader quotes, all from the table's figures, each marked."""
    loaded, rows, this_year = _province(year, province, edition)
    if this_year.empty:
        _show(_notice(f"{fmt.NOT_ASSESSED.capitalize()} pada {year}."))
        emit_headline(entitas=0)
        return
    cites, notes = _province_cites(loaded, year, province)
    table = _league(loaded, year, province)
    prev = table["year_prev"].iloc[0]
    prev = None if fmt.is_missing(prev) else int(prev)
    h = headline_figures(table, prev)
    counted = "dengan hasil dipublikasikan" if loaded.public else "dinilai"
    figures = [(f"kabupaten/kota {counted}", _derived(fmt.bilangan(h["entitas"]))),
               (f"rata-rata ({fmt.bilangan(h['bernilai'])} nilai)", _derived(fmt.skor(h["rata_rata"]))),
               ("median", _derived(fmt.skor(h["median"])))]
    figures += [(f"zona {z}", _derived(fmt.bilangan(n))) for z, n in h["zona"].items()]
    figures += [(f"kategori {g}", _derived(fmt.bilangan(n))) for g, n in h["kategori"].items()]
    sentences = []
    if prev is not None and h["rata_rata_sebelumnya_sama"] is not None:
        flags = methodology.comparability(prev, year, "Pemerintah Kabupaten")
        change = h["rata_rata_sekarang_sama"] - h["rata_rata_sebelumnya_sama"]
        figures.append((f"perubahan rata-rata sejak {prev}", _derived(fmt.selisih(change))))
        sentences.append(
            f"Bagi {_derived(fmt.bilangan(h['sebanding']))} kabupaten/kota dengan nilai {prev} dan {year}, rata-rata "
            f"nilai {'naik' if change > 0 else 'turun' if change < 0 else 'tetap'} dari "
            f"{_derived(fmt.skor(h['rata_rata_sebelumnya_sama']))} menjadi "
            f"{_derived(fmt.skor(h['rata_rata_sekarang_sama']))}"
            + (f" ({html.escape('; '.join(flags))}: bandingkan dengan hati-hati)." if flags else ".")
        )
        sentences.append(f"{_derived(fmt.bilangan(h['naik']))} naik dan {_derived(fmt.bilangan(h['turun']))} turun.")
        for row in tables.movers(table, 1).itertuples():
            sentences.append(_change_sentence(row.entity, row.score_prev, row.basis_prev, cites.of(row.fact_prev),
                                              row.score, row.basis, cites.of(row.published_fact_id),
                                              int(row.year_prev), year))
    elif prev is None:
        earlier = [y for y in data.assessed_years(rows) if y < year]
        why = (f"{year} memakai metode baru (seri berbeda): tidak dibandingkan dengan hasil sebelum {year}"
               if earlier else f"tidak ada hasil sebelum {year} dalam data ini")
        sentences.append(html.escape(f"Perubahan {fmt.NOT_AVAILABLE}: {why}."))
    top = table[~table["listed_apart"] & (table["rank_province"] == 1)]
    if not top.empty:
        names = "; ".join(f"{html.escape(r.entity)} ({tables.marked_score(r.score, r.basis, note=cites.of(r.published_fact_id))})"
                          for r in top.itertuples())
        ranked_by_source = (top["rank_province_basis"] == "published").all()
        lead = f"Peringkat pertama {year}" if ranked_by_source or not loaded.public else \
            f"Nilai tertinggi {year} di antara nilai yang dipublikasikan (sumber tidak menyebut peringkat)"
        sentences.insert(0, f"{lead}: {names}.")
    for row in table[table["listed_apart"]].itertuples():
        sentences.append(f"{html.escape(row.entity)} (dicantumkan terpisah): "
                         f"{tables.marked_score(row.score, row.basis, note=cites.of(row.published_fact_id))}"
                         f"{'' if fmt.is_missing(row.zone) else ', zona ' + html.escape(row.zone)}"
                         f"{'' if fmt.is_missing(row.opinion) else ', ' + html.escape(row.opinion)}.")
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
        return f"{name} tetap pada {now} ({year_from} dan {year_to})."
    return (f"{name} {'naik' if delta > 0 else 'turun'} dari {was} ({year_from}) menjadi {now} ({year_to}), "
            f"{'bertambah' if delta > 0 else 'berkurang'} {_derived(fmt.skor(abs(delta)))} poin.")


def peringkat_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """The league table (kabupaten and kota ranked; the province apart unless its source ranks it), as CSV and XLSX."""
    loaded, rows, this_year = _province(year, province, edition)
    if this_year.empty:
        _show(_notice(f"Tidak ada tabel peringkat: {fmt.NOT_ASSESSED} pada {year}."))
        return
    cites, notes = _province_cites(loaded, year, province)
    table = _league(loaded, year, province)
    styler = tables.league_styler(table, rows[["entity_code", "year", "score"]], year, cites, notes, loaded.public)
    emit_table(tables.league_export(table, loaded.published), "peringkat", styler)
    ranks = ("Peringkat bertanda P adalah peringkat yang dipublikasikan sumbernya; peringkat bertanda "
             f"{fmt.DERIVED_MARK} dihitung di antara nilai dalam tabel ini (nilai sama berbagi peringkat)"
             + (", karena sumbernya tidak menyebut peringkat." if loaded.public else "."))
    _show(_p("Tren: nilai setiap tahun (skala 0-100; titik biru = tahun ini). Perubahan dibandingkan "
             "dengan tahun sebelumnya dalam seri yang sama; catatan menandai perbandingan yang tidak sebanding "
             "dan sumber yang berbeda angkanya. " + ranks))


def perubahan_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """Dumbbell chart: each entity from the previous assessed year to this year."""
    loaded, rows, this_year = _province(year, province, edition)
    if this_year["score"].notna().sum() == 0:
        _show(_notice(f"Tidak ada nilai {year}."))
        return
    table = _league(loaded, year, province)
    prev = table["year_prev"].iloc[0]
    if fmt.is_missing(prev):
        _show(_notice(f"Perubahan {fmt.NOT_AVAILABLE}: tidak ada tahun sebelum {year} dalam seri yang sama."))
        return
    prev = int(prev)
    fig = charts.dumbbell(table, year, prev)
    flags = methodology.comparability(prev, year, "Pemerintah Kabupaten") if prev else []
    caption = (f"Nilai {prev} → {year}, diurutkan menurut nilai {year}; warna dan kata menunjukkan arah." +
               (f" Perhatian: {'; '.join(flags)}." if flags else ""))
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
    labels = matrix.copy().astype(object)
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            v = matrix.iat[i, j]
            mark = f" {fmt.BASIS_MARK.get(marks.iat[i, j], '')}" if mixed else ""
            labels.iat[i, j] = "" if pd.isna(v) else f"{fmt.skor(v)}{mark}".rstrip()
    if mixed:
        note = "huruf: " + ", ".join(f"{m} {fmt.BASIS_LABEL[b]}" for b, m in fmt.BASIS_MARK.items() if b in bases)
    else:
        note = f"semua nilai {fmt.BASIS_LABEL.get(next(iter(bases), ''), 'tanpa keterangan asal')}"
    return matrix.astype(float), labels, note


def dimension_shares(units: pd.DataFrame, caps: dict[str, float]) -> pd.DataFrame:
    """Per entity: mean points of each dimension over its units, as a share of the dimension's cap."""
    known = units.dropna(subset=list(data.DIMENSION_COLUMNS))
    means = known.groupby("entity")[list(data.DIMENSION_COLUMNS)].mean().astype(float)
    return pd.DataFrame({name: means[col] / caps[name] for col, name in data.DIMENSION_COLUMNS.items()})


def unit_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """Heatmaps: unit scores (entity x unit) and, from 2022, dimension points against their caps."""
    loaded, rows, this_year = _province(year, province, edition)
    units = data.unit_scores(loaded, year, this_year["entity_code"])
    if units.empty:
        _show(_notice(f"Nilai unit layanan {fmt.NOT_AVAILABLE} untuk {year}."))
        return
    matrix, labels, basis_note = _unit_matrix(units)
    fig = charts.heatmap(matrix, vmin=40, vmax=100, labels=labels, xlabel="unit layanan")
    parts = [charts.figure_html(fig, charts.heatmap_alt(f"Nilai unit layanan {year} per entitas dan unit", matrix),
                                f"Nilai tiap unit layanan ({basis_note}; – = unit tidak dinilai).")]
    missing = sorted(set(this_year["entity"]) - set(units["entity"]))
    if missing:
        parts.append(_p(f"Nilai unit {fmt.NOT_AVAILABLE}: {fmt.daftar(missing)}."))
    caps = methodology.dimension_caps(year, "Pemerintah Kabupaten")
    if not caps:
        parts.append(_p(f"Dimensi (Input, Proses, Output, Pengaduan) dinilai sejak 2022: {fmt.NOT_AVAILABLE} untuk {year}."))
    else:
        shares = dimension_shares(units, caps)
        if shares.empty:
            parts.append(_p(f"Poin dimensi {fmt.NOT_AVAILABLE} untuk {year}."))
        else:
            share_labels = shares.map(lambda v: fmt.persen(v, 0))
            fig = charts.heatmap(shares, vmin=.4, vmax=1, labels=share_labels,
                                 xlabel="dimensi (rata-rata poin unit / batas poin)")
            lost = (1 - shares).mean().sort_values(ascending=False)
            parts.append(charts.figure_html(
                fig, charts.heatmap_alt(f"Poin dimensi {year} sebagai persentase batasnya, rata-rata unit per "
                                        "entitas", shares, lambda v: fmt.persen(v, 0)),
                "Persentase batas poin yang diraih, rata-rata unit. " + ", ".join(
                    f"{d} {fmt.skor(caps[d])}" for d in caps) + "."))
            parts.append(_p(f"Poin paling banyak hilang pada dimensi {lost.index[0]} (rata-rata "
                            f"{fmt.persen(lost.iloc[0])} dari batasnya tidak diraih)."))
            without = sorted(set(units["entity"]) - set(shares.index))
            if without:
                parts.append(_p(f"Poin dimensi {fmt.NOT_AVAILABLE}: {fmt.daftar(without)}."))
    _show(*parts)


def pergerakan_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """Largest rises and falls, each with its comparability flag."""
    loaded, rows, this_year = _province(year, province, edition)
    table = _league(loaded, year, province) if not this_year.empty else None
    if table is None or table["delta"].notna().sum() == 0:
        _show(_notice(f"Perubahan {fmt.NOT_AVAILABLE}: tidak ada entitas yang dinilai pada {year} dan tahun sebelumnya."))
        return
    moved = tables.movers(table)
    _show(tables.movers_styler(moved, _province_cites(loaded, year, province)[0]).to_html())
    new = table[table["direction"] == "baru dinilai"]
    if not new.empty:
        _show(_p(f"Baru dinilai pada {year}: {fmt.daftar(list(new['entity']))}."))
    unknown = table[~table["assessed_prev"] & ~table["listed_apart"]] if loaded.public else table.iloc[:0]
    if not unknown.empty:
        _show(_p(f"Tanpa hasil {int(table['year_prev'].iloc[0])} yang dipublikasikan: {fmt.daftar(list(unknown['entity']))}."))


def metodologi_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    loaded, rows, this_year = _province(year, province, edition)
    prev = data.previous_year(rows, year)
    notes = []
    if not this_year.empty and prev is not None:
        table = _league(loaded, year, province)
        unit_changed = table["flags"].fillna("").str.contains("unit berbeda")
        if unit_changed.any():
            notes.append(f"Himpunan unit yang dinilai berbeda dari {prev} untuk {fmt.bilangan(int(unit_changed.sum()))} "
                         "entitas (ditandai 'unit berbeda').")
    _show(methodology_html(year, "Pemerintah Kabupaten", prev, notes))


LEAGUE_DICTIONARY = {
    "peringkat": "peringkat di provinsi (kabupaten dan kota bersama; nilai sama berbagi peringkat)",
    "dasar_peringkat": "published = peringkat yang dipublikasikan; computed = dihitung di antara nilai dalam tabel",
    "kode": "kode wilayah Kemendagri",
    "entitas": "nama pemerintah daerah",
    "nilai": "nilai, 2 desimal (kosong = nilai tidak dipublikasikan atau tidak dinilai)",
    "dasar_nilai": "published = dipublikasikan Ombudsman; computed = dihitung dari ekspor; synthetic = data contoh",
    "kategori": "kategori A-E (2022-2024)",
    "zona": "hijau / kuning / merah (sampai 2024)",
    "opini": "opini atau predikat sebagaimana dipublikasikan (2025: dengan 'Tanpa Maladministrasi' bila disebut)",
    "nilai_sebelumnya": "nilai pada tahun sebelumnya dalam seri yang sama (kosong = tidak ada)",
    "selisih": "nilai - nilai_sebelumnya",
    "arah": "naik / turun / tetap / baru dinilai",
    "perubahan_peringkat": "peringkat sebelumnya - peringkat sekarang (positif = naik)",
    "catatan": "metode berbeda, unit berbeda, tidak dinilai, seri berbeda, nilai tidak tersedia",
    "source_url": "alamat sumber angka yang dipublikasikan (kosong bila hanya judul yang diketahui)",
    "source_title": "judul sumber",
}


def lampiran_provinsi(year: int, province: str, edition: str = PUBLIC) -> None:
    """Data appendix: unit scores as data, the data dictionary and the validation summary of the inputs."""
    loaded, rows, this_year = _province(year, province, edition)
    cites, notes = _province_cites(loaded, year, province)
    units = data.unit_scores(loaded, year, this_year["entity_code"])
    caption = f"Nilai unit layanan {year}"
    if units.empty:
        _show(_p(f"{caption}: {fmt.NOT_AVAILABLE}."))
    else:
        emit_table(tables.unit_export(units, loaded.published), "unit", tables.unit_styler(units, cites, caption))
    _show("<h3>Kamus data</h3>", _dictionary(LEAGUE_DICTIONARY))
    facts = loaded.published
    shown = facts[(facts["year"] == year) & facts["province_code"].eq(province)]
    if not loaded.public:
        files = data.source_files(loaded, this_year)
        _show(f'<h3 id="{tables.VALIDATION_ANCHOR}">Ringkasan validasi masukan</h3>')
        summary = data.validation_summary(loaded, files)
        emit_table(summary, "validasi", tables.number_styler(
            summary, counts=("baris_dibaca", "baris_dipakai", "baris_ditolak")))
    _show(_p(f"Hasil yang dipublikasikan: {fmt.bilangan(len(shown))} fakta tentang provinsi ini pada {year}, dari "
             f"{fmt.bilangan(len(facts))} fakta yang terbaca; bila sumber berbeda, satu angka dipilih menurut "
             "aturan yang terdokumentasi dan angka lain ditampilkan di kolom catatan."))


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
    parts = [f'<p style="font-size:1.2em"><b>Ringkasan nasional</b> · {html.escape(_round_name(year))} {year}</p>']
    if this_year.empty:
        parts.append(_notice(f"Tidak ada penilaian pada {year} dalam data ini."))
    elif loaded.public:
        parts.append(_p(f"Edisi terbitan: {fmt.bilangan(len(this_year))} entitas dengan hasil {year} yang "
                        "dipublikasikan (sebagian kecil dari semua yang dinilai; tabel nasional per entitas tidak "
                        "ditemukan di sumber publik)."))
    else:
        counts = this_year["basis"].value_counts()
        parts.append(_p(f"{fmt.bilangan(len(this_year))} entitas; dasar angka: " + ", ".join(
            f"{fmt.bilangan(counts.get(b, 0))} {fmt.BASIS_LABEL[b]}" for b in fmt.BASIS_MARK) + "."))
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
                "jenis": entity_type or "semua jenis", "zona": zone, "jumlah": counted[zone],
                "pangsa": counted[zone] / total if total else None,
                "jumlah_dipublikasikan": p, "pangsa_dipublikasikan": p / pub_total if p is not None and pub_total else None,
            })
    frame = pd.DataFrame(rows)
    return frame.astype({"jumlah": "Int64", "jumlah_dipublikasikan": "Int64", "pangsa": "Float64",
                         "pangsa_dipublikasikan": "Float64", "jenis": "string", "zona": "string"})


def ringkasan_nasional(year: int, edition: str = PUBLIC) -> None:
    """Counts and shares by zone (and grade) per entity type, against the published national counts."""
    loaded, scores, this_year = _national(year, edition)
    if this_year.empty:
        _show(_notice(f"{fmt.NOT_ASSESSED.capitalize()} pada {year}."))
        emit_headline(entitas=0)
        return
    published = loaded.national_counts[loaded.national_counts["year"] == year]
    counts = zone_counts(this_year, published)
    scored = this_year[this_year["score"].notna()]
    zones = _counts(this_year["zone"], ZONES)
    counted = "entitas dengan hasil dipublikasikan" if loaded.public else "entitas dinilai"
    figures = [(counted, _derived(fmt.bilangan(len(this_year)))),
               (f"rata-rata ({fmt.bilangan(len(scored))} nilai)", _derived(fmt.skor(scored["score"].mean())))]
    if this_year["zone"].notna().any():
        figures += [(f"zona {z}", _derived(fmt.bilangan(n))) for z, n in zones.items()]
    grades = _counts(this_year["category"], GRADES) if this_year["category"].notna().any() else {}
    figures += [(f"kategori {g}", _derived(fmt.bilangan(n))) for g, n in grades.items()]
    parts = [_strip(figures)]
    cites, _ = _national_cites(loaded, year)
    note = cites.of_source(published["source"].iloc[0]) if len(published) else None

    def count(value) -> str:  # a published national count, with its source
        return fmt.NOT_AVAILABLE if fmt.is_missing(value) else \
            f"{fmt.bilangan(value)}{tables.mark('published')}{tables.footnote(note)}"

    if published.empty:
        parts.append(_p(f"Jumlah nasional yang dipublikasikan untuk {year}: {fmt.NOT_AVAILABLE}."))
    else:
        total = counts[counts["jenis"] == "semua jenis"]
        known = total[total["jumlah_dipublikasikan"].notna()]
        text = ", ".join(f"{r.zona} {_derived(fmt.bilangan(r.jumlah))} (dipublikasikan {count(r.jumlah_dipublikasikan)})"
                         for r in known.itertuples())
        parts.append(f"<p>Semua jenis, data ini dibanding angka nasional yang dipublikasikan: {text}. Angka "
                     "dipublikasikan adalah jumlah agregat; tabel per entitas nasional tidak ditemukan di "
                     "sumber publik.</p>")
    _show(*parts)
    display = pd.DataFrame({
        "Jenis": [html.escape(v) for v in counts["jenis"]], "Zona": list(counts["zona"]),
        "Jumlah (data ini)": [_derived(fmt.bilangan(v)) for v in counts["jumlah"]],
        "Pangsa (data ini)": [_derived(fmt.persen(v)) if not fmt.is_missing(v) else fmt.NOT_AVAILABLE
                              for v in counts["pangsa"]],
        "Jumlah dipublikasikan": [count(v) for v in counts["jumlah_dipublikasikan"]],
        "Pangsa dipublikasikan": [_derived(fmt.persen(v)) if not fmt.is_missing(v) else fmt.NOT_AVAILABLE
                                  for v in counts["pangsa_dipublikasikan"]],
    })
    emit_table(counts.assign(sumber=published["source"].iloc[0] if len(published) else pd.NA), "zona",
               tables.styled(display, list(display.columns)))
    emit_headline(entitas=len(this_year), rata_rata=round(float(scored["score"].mean()), 2) if len(scored) else None,
                  zona=zones)


def komposisi_zona(year: int, edition: str = PUBLIC) -> None:
    """Stacked bars: the share of each zone in every assessed year up to this one."""
    loaded, scores, _ = _national(year, edition)
    upto = scores[(scores["year"] <= year) & scores["zone"].notna()]
    if upto.empty:
        _show(_notice(f"Zona {fmt.NOT_AVAILABLE}."))
        return
    shares = pd.crosstab(upto["year"].astype(int), upto["zone"], normalize="index")
    n = upto.groupby(upto["year"].astype(int)).size()
    fig = charts.zone_bars(shares)
    caption = "Pangsa zona per tahun (jumlah entitas: " + ", ".join(
        f"{y} {fmt.bilangan(c)}" for y, c in n.items()) + "). Skala dan rentang berbeda antar era."
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
        f"Setiap petak satu provinsi (pemerintah provinsi dan kabupaten/kotanya); {assessed} dari 38 provinsi "
        f"punya nilai {year}. Petak abu-abu: {fmt.NOT_ASSESSED}."))
    export = tiles[["province_code", "entitas", "rata_rata", "pangsa_hijau"]].assign(
        provinsi=[names[c] for c in tiles["province_code"]]).rename(columns={"province_code": "kode"})
    export = export[["kode", "provinsi", "entitas", "rata_rata", "pangsa_hijau"]].astype(
        {"kode": "string", "provinsi": "string", "entitas": "Int64"}).sort_values("rata_rata", ascending=False)
    export["entitas"] = export["entitas"].fillna(0)  # a count: none assessed is 0 entities
    emit_table(export, "provinsi", tables.number_styler(
        export, scores=("rata_rata",), counts=("entitas",), shares=("pangsa_hijau",), missing=fmt.NOT_ASSESSED))


def teratas_terbawah(year: int, edition: str = PUBLIC, n: int = 5) -> None:
    """Top and bottom entities per entity type, by score; a national rank shown as published, else computed."""
    loaded, scores, this_year = _national(year, edition)
    scored = this_year[this_year["score"].notna()]
    if scored.empty:
        _show(_notice(f"Nilai {fmt.NOT_AVAILABLE} untuk {year}."))
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
                row = {"Jenis": html.escape(entity_type), "Kelompok": group,
                       "Peringkat": tables.marked_rank(r.rank_national, r.rank_national_basis,
                                                       cites.of(r.rank_national_fact_id)),
                       "Entitas": html.escape(r.entity), "Nilai": tables.marked_score(r.score, r.basis, note=note),
                       "Opini": html.escape(r.opinion) if not fmt.is_missing(r.opinion) else fmt.NOT_AVAILABLE}
                if zoned:
                    row["Kategori dan zona"] = tables.badge(r.zone, r.category)
                rows.append(row)
    display = pd.DataFrame(rows)
    ranks = ("Peringkat nasional ditampilkan hanya bila dipublikasikan (P): nilai yang dipublikasikan hanya "
             "sebagian dari semua yang dinilai." if loaded.public else
             f"Peringkat nasional bertanda P dipublikasikan sumbernya; bertanda {fmt.DERIVED_MARK} dihitung di antara "
             "semua nilai edisi ini (nilai sama berbagi peringkat).")
    _show(tables.styled(display, list(display.columns)).to_html(),
          _p(f"Urut menurut nilai dalam jenis entitas; {n} teratas dan {n} terbawah. {ranks}"))


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
        _show(_notice(f"Poin dimensi {fmt.NOT_AVAILABLE} untuk {year} (dimensi dinilai sejak 2022, dan hanya "
                      "bila ekspor memuatnya)."))
        return
    means = units.groupby("entity_type")[list(data.DIMENSION_COLUMNS)].mean().astype(float)
    rows = []
    for entity_type, r in means.iterrows():
        for column, name in data.DIMENSION_COLUMNS.items():
            rows.append({"jenis": entity_type, "dimensi": name, "rata_rata_poin": r[column], "batas": caps[name],
                         "pangsa_batas": r[column] / caps[name]})
    frame = pd.DataFrame(rows).astype({"jenis": "string", "dimensi": "string"})
    emit_table(frame, "dimensi", tables.number_styler(
        frame, scores=("rata_rata_poin", "batas"), shares=("pangsa_batas",)))
    weakest = frame.sort_values("pangsa_batas").iloc[0]
    _show(_p(f"Berdasarkan {fmt.bilangan(len(units))} unit dengan poin dimensi. Pangsa terendah: {weakest['dimensi']} "
             f"pada {weakest['jenis']} ({fmt.persen(weakest['pangsa_batas'])} dari batas)."))


def metodologi_nasional(year: int, edition: str = PUBLIC) -> None:
    loaded, scores, _ = _national(year, edition)
    _show(methodology_html(year, "Pemerintah Kabupaten", data.previous_year(scores, year), [
        "Jumlah nasional mencakup kementerian, lembaga, provinsi, kabupaten dan kota; Polres dan Kantor "
        "Pertanahan (sejak 2022) dinilai oleh perwakilan dan tidak termasuk.",
        "Kementerian dan lembaga 2017 memakai skala 0-110 (lihat deklarasi metodologi).",
    ]))


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
    where = "" if fmt.is_missing(latest["province_code"]) else f" · Provinsi {data.province_label(latest['province_code'])}"
    parts = [f'<p style="font-size:1.2em"><b>{html.escape(str(latest["entity"]))}</b> '
             f"({html.escape(entity_code)}) · {html.escape(str(latest['entity_type']))}{html.escape(where)}</p>"]
    if _row_of(history, year) is None:
        parts.append(_notice(f"{latest['entity']} {fmt.NOT_ASSESSED} pada {year}."))
    _show(*parts, *_unreadable(loaded), _marks_legend(loaded.public))


def ringkasan_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    loaded, latest, history = _entity(entity_code, edition)
    row = _row_of(history, year)
    if row is None:
        _show(_notice(f"{fmt.NOT_ASSESSED.capitalize()} pada {year}; tahun yang dinilai: "
                      f"{', '.join(map(str, data.assessed_years(history)))}."))
        emit_headline(nilai=None)
        return
    cites, notes = _entity_cites(loaded, entity_code)
    note = cites.of(row["published_fact_id"])
    prev = data.previous_year(history, year, str(row["entity_type"]))
    before = _row_of(history, prev) if prev else None
    classification = " · ".join(str(v) for v in (row["category"], row["zone"]) if not fmt.is_missing(v))
    figures = [(f"nilai {year}", tables.marked_score(row["score"], row["basis"], note=note)),
               ("opini", html.escape(row["opinion"]) if not fmt.is_missing(row["opinion"]) else fmt.NOT_AVAILABLE)]
    if classification:
        figures.append(("kategori / zona", html.escape(classification)))
    for level, where in (("province", "di provinsi"), ("national", "nasional")):
        basis = row[f"rank_{level}_basis"]
        among = "" if fmt.is_missing(basis) or basis == "published" else \
            (" (di antara nilai yang dipublikasikan)" if loaded.public else " (di antara nilai edisi ini)")
        figures.append((f"peringkat {where}{among}", tables.marked_rank(row[f"rank_{level}"], basis,
                                                                        cites.of(row[f"rank_{level}_fact_id"]))))
    sentences = [html.escape(f"Dasar nilai {year}: {fmt.BASIS_LABEL.get(row['basis'], row['basis'])}.")]
    if (year, entity_code) in notes:
        sentences.append(f"Sumber berbeda untuk {year}: {notes[(year, entity_code)]}.")
    if before is not None:
        flags = methodology.comparability(prev, year, row["entity_type"])
        sentences.insert(0, _change_sentence(row["entity"], before["score"], before["basis"],
                                             cites.of(before["published_fact_id"]), row["score"], row["basis"], note,
                                             prev, year) + (f" ({html.escape('; '.join(flags))})" if flags else ""))
        if not fmt.is_missing(before["score"]) and not fmt.is_missing(row["score"]):
            figures.append((f"perubahan sejak {prev}",
                            _derived(fmt.selisih(float(row["score"]) - float(before["score"])))))
    if not fmt.is_missing(row["koreksi"]):
        sentences.append(html.escape(f"Koreksi karena tindakan korektif yang diabaikan: −{fmt.skor(row['koreksi'])} poin."))
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
                             "Garis putus-putus: metode berganti (" + "; ".join(f"{y}: {label}" for y, label in eras)
                             + "). Tahun tanpa titik: tidak ada nilai."))
    emit_table(tables.trend_export(history, loaded.published),
               "lintasan", tables.trend_styler(history, loaded.published, cites, notes))


def unit_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    """Units and dimension points in the report's year."""
    loaded, latest, history = _entity(entity_code, edition)
    units = data.unit_scores(loaded, year, [entity_code]).sort_values("nilai", ascending=False)
    if units.empty:
        _show(_notice(f"Nilai unit layanan {fmt.NOT_AVAILABLE} untuk {year}."))
        return
    cites, notes = _entity_cites(loaded, entity_code)
    caps = methodology.dimension_caps(year, str(latest["entity_type"]))
    caption = f"Unit layanan {year}" + (" (batas poin: " + ", ".join(f"{d} {fmt.skor(v)}" for d, v in caps.items())
                                        + ")" if caps else "")
    emit_table(tables.unit_export(units, loaded.published), "unit", tables.unit_styler(units, cites, caption))
    lowest = units.iloc[-1]
    parts = [f"<p>{_derived(fmt.bilangan(len(units)))} unit; rata-rata nilai unit "
             f"{_derived(fmt.skor(units['nilai'].mean()))}; terendah {html.escape(str(lowest['unit']))} "
             f"({tables.marked_score(lowest['nilai'], lowest['basis'], note=cites.of(lowest['fact_id']))}).</p>"]
    if caps and units[list(data.DIMENSION_COLUMNS)].notna().all(axis=1).any():
        shares = dimension_shares(units.assign(entity=units["unit"]), caps)
        fig = charts.heatmap(shares, vmin=.4, vmax=1, labels=shares.map(lambda v: fmt.persen(v, 0)),
                             xlabel="dimensi (poin / batas poin)")
        parts.append(charts.figure_html(fig, charts.heatmap_alt(f"Poin dimensi {year} sebagai persentase "
                                                                "batasnya per unit layanan", shares,
                                                                lambda v: fmt.persen(v, 0)),
                                        "Persentase batas poin yang diraih tiap unit pada tiap dimensi."))
    elif caps:
        parts.append(_p(f"Poin dimensi {fmt.NOT_AVAILABLE} (hanya nilai unit yang dipublikasikan)."))
    _show(*parts)


def peringkat_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    """Provincial and national rank in every assessed year, each as published or computed."""
    loaded, latest, history = _entity(entity_code, edition)
    cites, notes = _entity_cites(loaded, entity_code)
    ranks = history[["year", "rank_province", "rank_national"]]
    if ranks[["rank_province", "rank_national"]].notna().any().any():
        _show(charts.figure_html(charts.rank_history(ranks), charts.rank_history_alt(latest["entity"], ranks),
                                 "Peringkat 1 di atas. Peringkat nasional dalam jenis entitas."))
    display = pd.DataFrame({
        "Tahun": [str(int(y)) for y in history["year"]],
        **{f"Peringkat {where}": [tables.marked_rank(r, b, cites.of(f)) for r, b, f in
                                  zip(history[f"rank_{level}"], history[f"rank_{level}_basis"],
                                      history[f"rank_{level}_fact_id"], strict=True)]
           for level, where in (("province", "di provinsi"), ("national", "nasional"))},
    })
    among = ("di antara nilai provinsi yang dipublikasikan; peringkat nasional hanya bila dipublikasikan"
             if loaded.public else "di antara semua nilai edisi ini")
    _show(tables.styled(display, ["Peringkat di provinsi", "Peringkat nasional"]).to_html(),
          _p(f"Peringkat bertanda P dipublikasikan sumbernya; bertanda {fmt.DERIVED_MARK} dihitung {among}."))


def perubahan_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    """What moved since the previous assessed year: score, grade, rank, and unit by unit."""
    loaded, latest, history = _entity(entity_code, edition)
    prev = data.previous_year(history, year, str(latest["entity_type"]))
    row, before = _row_of(history, year), (_row_of(history, prev) if prev else None)
    if row is None or before is None:
        _show(_notice(f"Perbandingan {fmt.NOT_AVAILABLE}: perlu hasil pada {year} dan tahun sebelumnya dalam seri "
                      "yang sama."))
        return
    cites, notes = _entity_cites(loaded, entity_code)
    changes = loaded.changes
    change = changes[(changes["scope"] == "entitas") & (changes["entity_code"] == entity_code)
                     & (changes["year_to"] == year)].iloc[0]
    parts = [f"<p>{_change_sentence(row['entity'], before['score'], before['basis'], cites.of(before['published_fact_id']), row['score'], row['basis'], cites.of(row['published_fact_id']), prev, year)}</p>"]
    if not fmt.is_missing(change["zone_change"]) and change["zone_change"]:
        parts.append(_p(f"Zona: {change['zone_change'].replace(' -> ', ' → ')}."))
    if not fmt.is_missing(change["grade_change"]) and change["grade_change"]:
        parts.append(_p(f"Kategori: {change['grade_change'].replace(' -> ', ' → ')}."))
    comparable = not (fmt.is_missing(before["rank_province"]) or fmt.is_missing(row["rank_province"])) and (
        not loaded.public or before["rank_province_basis"] == row["rank_province_basis"] == "published")
    rank_change = before["rank_province"] - row["rank_province"] if comparable else None
    parts.append(
        f"<p>Peringkat di provinsi: "
        f"{tables.marked_rank(before['rank_province'], before['rank_province_basis'], cites.of(before['rank_province_fact_id']))} → "
        f"{tables.marked_rank(row['rank_province'], row['rank_province_basis'], cites.of(row['rank_province_fact_id']))} "
        f"({html.escape(fmt.perubahan_peringkat(rank_change))}).</p>")
    if change["flags"]:
        parts.append(_p(f"Catatan keterbandingan: {change['flags']}."))
    units_now = data.unit_scores(loaded, year, [entity_code])
    units_before = data.unit_scores(loaded, prev, [entity_code])
    if units_now.empty or units_before.empty:
        parts.append(_p(f"Perbandingan per unit {fmt.NOT_AVAILABLE}: nilai unit {prev if units_before.empty else year} "
                        "tidak ada dalam data."))
    else:
        a = units_before.groupby("unit_type")["nilai"].mean()
        b = units_now.groupby("unit_type")["nilai"].mean()
        types = sorted(set(a.index) | set(b.index))
        display = pd.DataFrame({
            "Jenis unit": [html.escape(t) for t in types],
            f"Rata-rata {prev}": [_derived(fmt.skor(a[t])) if t in a.index else fmt.NOT_AVAILABLE for t in types],
            f"Rata-rata {year}": [_derived(fmt.skor(b[t])) if t in b.index else fmt.NOT_AVAILABLE for t in types],
            "Selisih": [_derived(fmt.selisih(b[t] - a[t])) if t in a.index and t in b.index else fmt.NOT_AVAILABLE
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


def sumber_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    """The sources the footnotes point to."""
    loaded, latest, history = _entity(entity_code, edition)
    _show(tables.sources_html(_entity_cites(loaded, entity_code)[0]))
