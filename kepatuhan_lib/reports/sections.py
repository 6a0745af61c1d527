"""One function per report-notebook section: each reads the processed data and displays what the section shows."""

from __future__ import annotations

import html

import pandas as pd

from .. import config, methodology, ranking
from . import charts, data, fmt, tables
from .emit import emit_headline, emit_inputs, emit_synthetic, emit_table

NATIONAL_TYPES = ("Kementerian", "Lembaga", "Pemerintah Provinsi", "Pemerintah Kota", "Pemerintah Kabupaten")
ZONES = ("hijau", "kuning", "merah")
GRADES = ("A", "B", "C", "D", "E")
BOX = "border:1px solid #d1d9e0;border-radius:4px;padding:.6em 1em;margin:.6em 0 1em;background:#f6f8fa"


def _show(*parts: str) -> None:
    """Display HTML fragments (tests replace this to read what a section shows)."""
    from IPython.display import HTML, display

    for part in parts:
        display(HTML(part))


def _p(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def _notice(text: str) -> str:
    return f'<p style="{BOX}">{html.escape(text)}</p>'


def _marks_legend() -> str:
    items = ", ".join(f"<b>{m}</b> {fmt.BASIS_LABEL[b]}" for b, m in fmt.BASIS_MARK.items())
    return (f'<p style="color:#59636e;font-size:.9em">Tanda pada angka: {items}. Nilai yang tidak ada ditulis '
            f'"{fmt.NOT_ASSESSED}" (tidak ada penilaian) atau "{fmt.NOT_AVAILABLE}" (dinilai, angkanya tidak '
            "diketahui), tidak pernah 0.</p>")


def _strip(figures: list[tuple[str, str]]) -> str:
    """A row of headline figures: label above, figure below."""
    cells = "".join(
        f'<div style="border:1px solid #d1d9e0;border-radius:4px;padding:.4em .8em;min-width:7em">'
        f'<div style="color:#59636e;font-size:.8em">{html.escape(label)}</div>'
        f'<div style="font-size:1.35em;font-weight:600">{html.escape(value)}</div></div>'
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
    band_rows = "".join(
        f"<tr><td>{html.escape(b.as_published)}</td><td>{html.escape(b.category or '')}</td>"
        f"<td>{html.escape(b.opinion)}</td><td>{tables.badge(b.zone)}</td></tr>" for b in reversed(era.bands)
    )
    bands = (f'<table class="tabel-kepatuhan"><thead><tr><th>rentang nilai</th><th>kategori</th><th>opini/predikat</th>'
             f"<th>zona</th></tr></thead><tbody>{band_rows}</tbody></table>") if era.bands else \
        _p("Rentang nilai untuk era ini belum dipublikasikan.")
    parts = [f"<p><b>Era:</b> {html.escape(era.label)} (skala 0-{fmt.angka(era.scale, 0)}; "
             f"sumber: {html.escape(era.source)}).</p>", bands]
    if era.caps:
        caps = ", ".join(f"{d} {fmt.skor(v)}" for d, v in era.caps.items())
        parts.append(_p(f"Poin tiap dimensi dibatasi bobotnya: {caps}. Nilai unit = jumlah poin keempat dimensi; "
                        "nilai entitas = rata-rata nilai unit, dibulatkan setengah ke atas ke 2 desimal."))
    confidence = [f"{fmt.RULE_LABEL.get(r.about, r.about)} {fmt.CONFIDENCE_LABEL.get(r.confidence, r.confidence)}"
                  for r in era.rules if not r.years or year in r.years]
    if confidence:
        parts.append(_p(f"Tingkat keyakinan aturan ({year}): {', '.join(confidence)}."))
    if year_prev is None:
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
    parts.append(_p("Peringkat: nilai sama berbagi peringkat (1, 2, 2, 4). Angka yang dipublikasikan selalu "
                    "ditampilkan sebagaimana dipublikasikan; angka dihitung atau sintetis diberi tanda."))
    parts += [_p(n) for n in notes]
    return f'<div style="{BOX}">{"".join(parts)}</div>'


# --- province report ---------------------------------------------------------------------------------

def _province(year: int, province: str):
    loaded = data.load()
    rows = data.province_scores(loaded.scores, province)
    return loaded, rows, rows[rows["year"] == year]


_last_league: dict = {}  # the latest league table built, with the scores frame it was built from


def _league(scores: pd.DataFrame, year: int, province: str) -> pd.DataFrame:
    """tables.league_frame, built once for the five sections of a report that show it (a copy each).

    The scores frame is the cached one of its file version (data.load), so its identity says the
    data are the same.
    """
    last = _last_league.get((year, province))
    if last is None or last[0] is not scores:
        _last_league.clear()
        last = _last_league[(year, province)] = (scores, tables.league_frame(scores, year, province))
    return last[1].copy()


def pembuka_provinsi(year: int, province: str) -> None:
    """Subtitle, what the report reads, and whether it shows synthetic figures."""
    loaded, rows, this_year = _province(year, province)
    emit_inputs(loaded.paths)
    prev = data.previous_year(rows, year)
    shown = rows[rows["year"].isin([year, prev])]
    emit_synthetic(bool(shown["synthetic"].any()))
    name = data.province_label(province)
    parts = [f'<p style="font-size:1.2em"><b>Provinsi {html.escape(name)}</b> · penilaian kepatuhan {year}</p>']
    if this_year.empty:
        parts.append(_notice(f"Provinsi {name} dan kabupaten/kotanya {fmt.NOT_ASSESSED} pada {year}."))
    else:
        counts = this_year["basis"].value_counts()
        parts.append(_p("Dasar angka tahun ini: " + ", ".join(
            f"{fmt.bilangan(counts.get(b, 0))} {fmt.BASIS_LABEL[b]}" for b in fmt.BASIS_MARK) + "."))
    _show(*parts, _marks_legend())


def headline_figures(table: pd.DataFrame, year_prev: int | None) -> dict:
    """Entities assessed, mean, median, zone and grade counts, and the change against the previous year."""
    ranked = table[~table["listed_apart"]]
    scored = ranked[ranked["score"].notna()]
    both = ranked[ranked["score"].notna() & ranked["score_prev"].notna()]
    return {
        "entitas": len(ranked),
        "rata_rata": None if scored.empty else round(float(scored["score"].mean()), 2),
        "median": None if scored.empty else round(float(scored["score"].median()), 2),
        "zona": _counts(ranked["zone"], ZONES),
        "kategori": _counts(ranked["category"], GRADES) if ranked["category"].notna().any() else {},
        "tahun_sebelumnya": year_prev,
        "rata_rata_sebelumnya_sama": None if both.empty else round(float(both["score_prev"].mean()), 2),
        "rata_rata_sekarang_sama": None if both.empty else round(float(both["score"].mean()), 2),
        "naik": int((ranked["direction"] == "naik").sum()),
        "turun": int((ranked["direction"] == "turun").sum()),
    }


def ringkasan_provinsi(year: int, province: str) -> None:
    """Headline strip and the sentences a reader quotes, all computed."""
    loaded, rows, this_year = _province(year, province)
    if this_year.empty:
        _show(_notice(f"{fmt.NOT_ASSESSED.capitalize()} pada {year}."))
        emit_headline(entitas=0)
        return
    table = _league(loaded.scores, year, province)
    prev = table["year_prev"].iloc[0]
    prev = None if fmt.is_missing(prev) else int(prev)
    h = headline_figures(table, prev)
    figures = [("kabupaten/kota dinilai", fmt.bilangan(h["entitas"])), ("rata-rata", fmt.skor(h["rata_rata"])),
               ("median", fmt.skor(h["median"]))]
    figures += [(f"zona {z}", fmt.bilangan(n)) for z, n in h["zona"].items()]
    figures += [(f"kategori {g}", fmt.bilangan(n)) for g, n in h["kategori"].items()]
    sentences = []
    if prev is not None and h["rata_rata_sebelumnya_sama"] is not None:
        flags = methodology.comparability(prev, year, "Pemerintah Kabupaten")
        change = h["rata_rata_sekarang_sama"] - h["rata_rata_sebelumnya_sama"]
        figures.append((f"perubahan rata-rata sejak {prev}", fmt.selisih(change)))
        sentences.append(
            f"Bagi {fmt.bilangan(int(((~table['listed_apart']) & table['score_prev'].notna() & table['score'].notna()).sum()))}"
            f" kabupaten/kota yang dinilai pada {prev} dan {year}, rata-rata nilai "
            f"{'naik' if change > 0 else 'turun' if change < 0 else 'tetap'} dari {fmt.skor(h['rata_rata_sebelumnya_sama'])}"
            f" menjadi {fmt.skor(h['rata_rata_sekarang_sama'])}"
            + (f" ({'; '.join(flags)}: bandingkan dengan hati-hati)." if flags else ".")
        )
        sentences.append(f"{fmt.bilangan(h['naik'])} naik dan {fmt.bilangan(h['turun'])} turun.")
        moved = tables.movers(table, 1)
        for row in moved.itertuples():
            sentences.append(fmt.kalimat_perubahan(row.entity, row.score_prev, row.score, int(row.year_prev), year))
    elif prev is None:
        sentences.append(f"Tidak ada penilaian sebelum {year} dalam data ini: perubahan {fmt.NOT_AVAILABLE}.")
    top = table[~table["listed_apart"] & (table["rank_province"] == 1)]
    if not top.empty:
        names = fmt.daftar(list(top["entity"]))
        sentences.insert(0, f"Peringkat pertama {year}: {names} ({fmt.skor(top['score'].iloc[0])}).")
    apart = table[table["listed_apart"]]
    for row in apart.itertuples():
        sentences.append(f"{row.entity} (dicantumkan terpisah): {fmt.skor(row.score)}"
                         f"{'' if fmt.is_missing(row.zone) else ', zona ' + row.zone}.")
    _show(_strip(figures), *(_p(s) for s in sentences))
    emit_headline(entitas=h["entitas"], rata_rata=h["rata_rata"], median=h["median"], zona=h["zona"])


def peringkat_provinsi(year: int, province: str) -> None:
    """The league table (kabupaten and kota ranked; the province itself apart), also as CSV and XLSX."""
    loaded, rows, this_year = _province(year, province)
    if this_year.empty:
        _show(_notice(f"Tidak ada tabel peringkat: {fmt.NOT_ASSESSED} pada {year}."))
        return
    table = _league(loaded.scores, year, province)
    styler = tables.league_styler(table, rows[["entity_code", "year", "score"]], year)
    emit_table(tables.league_export(table), "peringkat", styler)
    _show(_p("Tren: nilai setiap tahun yang dinilai (skala 0-100; titik biru = tahun ini). Perubahan dibandingkan "
             "dengan tahun penilaian sebelumnya; catatan menandai perbandingan yang tidak sebanding."))


def perubahan_provinsi(year: int, province: str) -> None:
    """Dumbbell chart: each entity from the previous assessed year to this year."""
    loaded, rows, this_year = _province(year, province)
    if this_year["score"].notna().sum() == 0:
        _show(_notice(f"Tidak ada nilai {year}."))
        return
    table = _league(loaded.scores, year, province)
    prev = table["year_prev"].iloc[0]
    prev = None if fmt.is_missing(prev) else int(prev)
    fig = charts.dumbbell(table, year, prev)
    flags = methodology.comparability(prev, year, "Pemerintah Kabupaten") if prev else []
    caption = (f"Nilai {prev} → {year}, diurutkan menurut nilai {year}; warna dan kata menunjukkan arah." +
               (f" Perhatian: {'; '.join(flags)}." if flags else ""))
    _show(charts.figure_html(fig, f"Grafik perubahan nilai {prev or ''} ke {year} per entitas", caption))


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


def unit_provinsi(year: int, province: str) -> None:
    """Heatmaps: unit scores (entity x unit) and, from 2022, dimension points against their caps."""
    loaded, rows, this_year = _province(year, province)
    units = data.unit_scores(loaded, year, this_year["entity_code"])
    if units.empty:
        _show(_notice(f"Nilai unit layanan {fmt.NOT_AVAILABLE} untuk {year}."))
        return
    matrix, labels, basis_note = _unit_matrix(units)
    fig = charts.heatmap(matrix, vmin=40, vmax=100, labels=labels, xlabel="unit layanan")
    parts = [charts.figure_html(fig, f"Peta panas nilai unit layanan per entitas, {year}",
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
                fig, f"Peta panas poin dimensi terhadap batasnya, {year}",
                "Persentase batas poin yang diraih, rata-rata unit. " + ", ".join(
                    f"{d} {fmt.skor(caps[d])}" for d in caps) + "."))
            parts.append(_p(f"Poin paling banyak hilang pada dimensi {lost.index[0]} (rata-rata "
                            f"{fmt.persen(lost.iloc[0])} dari batasnya tidak diraih)."))
            without = sorted(set(units["entity"]) - set(shares.index))
            if without:
                parts.append(_p(f"Poin dimensi {fmt.NOT_AVAILABLE}: {fmt.daftar(without)}."))
    _show(*parts)


def pergerakan_provinsi(year: int, province: str) -> None:
    """Largest rises and falls, each with its comparability flag."""
    loaded, rows, this_year = _province(year, province)
    table = _league(loaded.scores, year, province) if not this_year.empty else None
    if table is None or table["delta"].notna().sum() == 0:
        _show(_notice(f"Perubahan {fmt.NOT_AVAILABLE}: tidak ada entitas yang dinilai pada {year} dan tahun sebelumnya."))
        return
    moved = tables.movers(table)
    _show(tables.movers_styler(moved).to_html())
    new = table[table["direction"] == "baru dinilai"]
    if not new.empty:
        _show(_p(f"Baru dinilai pada {year}: {fmt.daftar(list(new['entity']))}."))


def metodologi_provinsi(year: int, province: str) -> None:
    loaded, rows, this_year = _province(year, province)
    prev = data.previous_year(rows, year)
    notes = []
    if not this_year.empty and prev is not None:
        table = _league(loaded.scores, year, province)
        unit_changed = table["flags"].fillna("").str.contains("unit berbeda")
        if unit_changed.any():
            notes.append(f"Himpunan unit yang dinilai berbeda dari {prev} untuk {fmt.bilangan(int(unit_changed.sum()))} "
                         "entitas (ditandai 'unit berbeda').")
    _show(methodology_html(year, "Pemerintah Kabupaten", prev, notes))


LEAGUE_DICTIONARY = {
    "peringkat": "peringkat di provinsi (kabupaten dan kota bersama; nilai sama berbagi peringkat)",
    "kode": "kode wilayah Kemendagri",
    "entitas": "nama pemerintah daerah",
    "nilai": "nilai kepatuhan, 2 desimal",
    "dasar_nilai": "published = dipublikasikan Ombudsman; computed = dihitung dari ekspor; synthetic = data contoh",
    "kategori": "kategori A-E (2022-2024)",
    "zona": "hijau / kuning / merah",
    "nilai_sebelumnya": "nilai pada tahun penilaian sebelumnya (kosong = tidak dinilai)",
    "selisih": "nilai - nilai_sebelumnya",
    "arah": "naik / turun / tetap / baru dinilai",
    "perubahan_peringkat": "peringkat sebelumnya - peringkat sekarang (positif = naik)",
    "catatan": "metode berbeda, unit berbeda, tidak dinilai, seri berbeda, nilai tidak tersedia",
}


def lampiran_provinsi(year: int, province: str) -> None:
    """Data appendix: unit scores as data, the data dictionary and the validation summary of the inputs."""
    loaded, rows, this_year = _province(year, province)
    units = data.unit_scores(loaded, year, this_year["entity_code"])
    export = units.rename(columns={"entity_code": "kode", "entity": "entitas", "unit_type": "jenis_unit",
                                   "basis": "dasar_nilai"})
    emit_table(export, "unit", tables.number_styler(
        export, scores=("nilai", *data.DIMENSION_COLUMNS), caption=f"Nilai unit layanan {year}"))
    files = data.source_files(loaded, this_year)
    published_file = config.display_path(config.PUBLISHED_RAW_CSV)
    summary = data.validation_summary(loaded, files)
    facts = loaded.published
    shown = facts[(facts["year"] == year) & facts["province_code"].eq(province)]
    _show("<h3>Kamus data</h3>", _dictionary(LEAGUE_DICTIONARY), "<h3>Ringkasan validasi masukan</h3>")
    emit_table(summary, "validasi", tables.number_styler(
        summary, counts=("baris_dibaca", "baris_dipakai", "baris_ditolak")))
    _show(_p(f"Hasil yang dipublikasikan ({published_file}): {fmt.bilangan(len(shown))} fakta tentang provinsi "
             f"ini pada {year}, dari {fmt.bilangan(len(facts))} fakta yang terbaca; satu angka per entitas dipilih "
             "bila sumber berbeda, yang lain tetap tercatat."))


# --- national summary -----------------------------------------------------------------------------

def _national(year: int):
    loaded = data.load()
    scores = loaded.scores[loaded.scores["entity_type"].isin(NATIONAL_TYPES)]
    return loaded, scores, scores[scores["year"] == year]


def pembuka_nasional(year: int) -> None:
    loaded, scores, this_year = _national(year)
    emit_inputs(loaded.paths)
    emit_synthetic(bool(this_year["synthetic"].any()))
    parts = [f'<p style="font-size:1.2em"><b>Ringkasan nasional</b> · penilaian kepatuhan {year}</p>']
    if this_year.empty:
        parts.append(_notice(f"Tidak ada penilaian pada {year} dalam data ini."))
    else:
        counts = this_year["basis"].value_counts()
        parts.append(_p(f"{fmt.bilangan(len(this_year))} entitas; dasar angka: " + ", ".join(
            f"{fmt.bilangan(counts.get(b, 0))} {fmt.BASIS_LABEL[b]}" for b in fmt.BASIS_MARK) + "."))
    _show(*parts, _marks_legend())


def zone_counts(this_year: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Count and share per entity type (and all types) and zone, beside the published national counts."""
    rows = []
    for entity_type in ("", *NATIONAL_TYPES):
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


def ringkasan_nasional(year: int) -> None:
    """Counts and shares by zone (and grade) per entity type, against the published national counts."""
    from ..synthetic import load_published_counts

    loaded, scores, this_year = _national(year)
    if this_year.empty:
        _show(_notice(f"{fmt.NOT_ASSESSED.capitalize()} pada {year}."))
        emit_headline(entitas=0)
        return
    published = load_published_counts()
    published = published[published["year"] == year]
    counts = zone_counts(this_year, published)
    scored = this_year[this_year["score"].notna()]
    zones = _counts(this_year["zone"], ZONES)
    figures = [("entitas dinilai", fmt.bilangan(len(this_year))), ("rata-rata", fmt.skor(scored["score"].mean()))]
    figures += [(f"zona {z}", fmt.bilangan(n)) for z, n in zones.items()]
    grades = _counts(this_year["category"], GRADES) if this_year["category"].notna().any() else {}
    figures += [(f"kategori {g}", fmt.bilangan(n)) for g, n in grades.items()]
    parts = [_strip(figures)]
    if published.empty:
        parts.append(_p(f"Jumlah nasional yang dipublikasikan untuk {year}: {fmt.NOT_AVAILABLE}."))
    else:
        total = counts[counts["jenis"] == "semua jenis"]
        known = total[total["jumlah_dipublikasikan"].notna()]
        text = ", ".join(f"{r.zona} {fmt.bilangan(r.jumlah)} (dipublikasikan {fmt.bilangan(r.jumlah_dipublikasikan)})"
                         for r in known.itertuples())
        parts.append(_p(f"Semua jenis, data ini dibanding angka nasional yang dipublikasikan: {text}. Angka "
                        "dipublikasikan adalah jumlah agregat; tabel per entitas nasional tidak ditemukan di "
                        "sumber publik."))
    _show(*parts)
    emit_table(counts, "zona", tables.number_styler(
        counts, counts=("jumlah", "jumlah_dipublikasikan"), shares=("pangsa", "pangsa_dipublikasikan")))
    emit_headline(entitas=len(this_year), rata_rata=round(float(scored["score"].mean()), 2) if len(scored) else None,
                  zona=zones)


def komposisi_zona(year: int) -> None:
    """Stacked bars: the share of each zone in every assessed year up to this one."""
    loaded, scores, _ = _national(year)
    upto = scores[(scores["year"] <= year) & scores["zone"].notna()]
    if upto.empty:
        _show(_notice(f"Zona {fmt.NOT_AVAILABLE}."))
        return
    shares = pd.crosstab(upto["year"].astype(int), upto["zone"], normalize="index")
    n = upto.groupby(upto["year"].astype(int)).size()
    fig = charts.zone_bars(shares)
    caption = "Pangsa zona per tahun (jumlah entitas: " + ", ".join(
        f"{y} {fmt.bilangan(c)}" for y, c in n.items()) + "). Skala dan rentang berbeda antar era."
    _show(charts.figure_html(fig, "Grafik batang bertumpuk pangsa zona hijau, kuning dan merah per tahun", caption))


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


def peta_provinsi(year: int) -> None:
    """The 38 provinces as a tile grid: mean score and share green of each province's entities."""
    loaded, scores, this_year = _national(year)
    grid = pd.read_csv(config.TILE_GRID_CSV, dtype={"province_code": str})
    summary = province_summary(this_year)
    tiles = grid.merge(summary, on="province_code", how="left")
    tiles["mean"] = tiles["rata_rata"]
    tiles["share_green"] = tiles["pangsa_hijau"]
    fig = charts.tile_map(tiles)
    assessed = int(tiles["mean"].notna().sum())
    _show(charts.figure_html(
        fig, f"Peta petak 38 provinsi: rata-rata nilai dan pangsa zona hijau, {year}",
        f"Setiap petak satu provinsi (pemerintah provinsi dan kabupaten/kotanya); {assessed} dari 38 provinsi "
        f"punya nilai {year}. Petak abu-abu: {fmt.NOT_ASSESSED}."))
    names = {code: data.province_label(code) for code in grid["province_code"]}
    export = tiles[["province_code", "entitas", "rata_rata", "pangsa_hijau"]].assign(
        provinsi=[names[c] for c in tiles["province_code"]]).rename(columns={"province_code": "kode"})
    export = export[["kode", "provinsi", "entitas", "rata_rata", "pangsa_hijau"]].astype(
        {"kode": "string", "provinsi": "string", "entitas": "Int64"}).sort_values("rata_rata", ascending=False)
    export["entitas"] = export["entitas"].fillna(0)  # a count: none assessed is 0 entities
    emit_table(export, "provinsi", tables.number_styler(
        export, scores=("rata_rata",), counts=("entitas",), shares=("pangsa_hijau",), missing=fmt.NOT_ASSESSED))


def teratas_terbawah(year: int, n: int = 5) -> None:
    """Top and bottom entities per entity type."""
    loaded, scores, this_year = _national(year)
    scored = this_year[this_year["score"].notna()]
    if scored.empty:
        _show(_notice(f"Nilai {fmt.NOT_AVAILABLE} untuk {year}."))
        return
    rows = []
    for entity_type in NATIONAL_TYPES:
        part = ranking.rank_national(scored[scored["entity_type"] == entity_type]).sort_values(
            ["rank_national", "entity"])
        if part.empty:
            continue
        top, bottom = part.head(n), part.tail(n)
        for group, frame in (("teratas", top), ("terbawah", bottom.iloc[::-1])):
            if group == "terbawah" and len(part) <= n:
                continue
            for r in frame.itertuples():
                rows.append({"Jenis": entity_type, "Kelompok": group, "Peringkat": str(int(r.rank_national)),
                             "Entitas": r.entity, "Nilai": tables.marked_score(r.score, r.basis),
                             "Kategori dan zona": tables.badge(r.zone, r.category, r.opinion)})
    display = pd.DataFrame(rows)
    _show(tables.styled(display, ["Nilai", "Kategori dan zona"]).to_html(),
          _p(f"Peringkat nasional dalam jenis entitas; {n} teratas dan {n} terbawah (nilai sama berbagi peringkat)."))


def dimensi_nasional(year: int) -> None:
    """Per-dimension mean points per entity type, as a share of the dimension's cap (2022 on)."""
    loaded, scores, this_year = _national(year)
    caps = methodology.dimension_caps(year, "Pemerintah Kabupaten") if not this_year.empty or year >= 2022 else {}
    units = loaded.units[(loaded.units["year"] == year) & loaded.units["entity_type"].isin(NATIONAL_TYPES)]
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


def metodologi_nasional(year: int) -> None:
    loaded, scores, _ = _national(year)
    _show(methodology_html(year, "Pemerintah Kabupaten", data.previous_year(scores, year), [
        "Jumlah nasional mencakup kementerian, lembaga, provinsi, kabupaten dan kota; Polres dan Kantor "
        "Pertanahan (sejak 2022) dinilai oleh perwakilan dan tidak termasuk.",
        "Kementerian dan lembaga 2017 memakai skala 0-110 (lihat deklarasi metodologi).",
    ]))


# --- entity profile ------------------------------------------------------------------------------

def _entity(entity_code: str):
    loaded = data.load()
    latest = data.entity_row(loaded.scores, entity_code)
    history = loaded.scores[loaded.scores["entity_code"] == entity_code].sort_values("year")
    return loaded, latest, history


def _row_of(history: pd.DataFrame, year: int):
    rows = history[history["year"] == year]
    return None if rows.empty else rows.iloc[0]


def pembuka_entitas(entity_code: str, year: int) -> None:
    loaded, latest, history = _entity(entity_code)
    emit_inputs(loaded.paths)
    emit_synthetic(bool(history["synthetic"].any()))
    where = "" if fmt.is_missing(latest["province_code"]) else f" · Provinsi {data.province_label(latest['province_code'])}"
    parts = [f'<p style="font-size:1.2em"><b>{html.escape(str(latest["entity"]))}</b> '
             f"({html.escape(entity_code)}) · {html.escape(str(latest['entity_type']))}{html.escape(where)}</p>"]
    if _row_of(history, year) is None:
        parts.append(_notice(f"{latest['entity']} {fmt.NOT_ASSESSED} pada {year}."))
    _show(*parts, _marks_legend())


def ringkasan_entitas(entity_code: str, year: int) -> None:
    loaded, latest, history = _entity(entity_code)
    row = _row_of(history, year)
    if row is None:
        _show(_notice(f"{fmt.NOT_ASSESSED.capitalize()} pada {year}; tahun yang dinilai: "
                      f"{', '.join(map(str, data.assessed_years(history)))}."))
        emit_headline(nilai=None)
        return
    prev = data.previous_year(history, year)
    before = _row_of(history, prev) if prev else None
    figures = [(f"nilai {year}", fmt.skor(row["score"])),
               ("kategori / zona", " · ".join(str(v) for v in (row["category"], row["zone"]) if not fmt.is_missing(v))
                or fmt.NOT_AVAILABLE),
               ("peringkat di provinsi", fmt.bilangan(row["rank_province"])),
               ("peringkat nasional", fmt.bilangan(row["rank_national"]))]
    sentences = [f"Dasar nilai {year}: {fmt.BASIS_LABEL.get(row['basis'], row['basis'])}."]
    if before is not None:
        flags = methodology.comparability(prev, year, row["entity_type"])
        sentences.insert(0, fmt.kalimat_perubahan(row["entity"], before["score"], row["score"], prev, year)
                         + (f" ({'; '.join(flags)})" if flags else ""))
        if not fmt.is_missing(before["score"]) and not fmt.is_missing(row["score"]):
            figures.append((f"perubahan sejak {prev}", fmt.selisih(float(row["score"]) - float(before["score"]))))
    if not fmt.is_missing(row["koreksi"]):
        sentences.append(f"Koreksi karena tindakan korektif yang diabaikan: −{fmt.skor(row['koreksi'])} poin.")
    _show(_strip(figures), *(_p(s) for s in sentences))
    emit_headline(nilai=row["score"], zona=row["zone"], kategori=row["category"])


def lintasan_entitas(entity_code: str, year: int) -> None:
    """Every assessed year's score, with the changes of method marked."""
    loaded, latest, history = _entity(entity_code)
    entity_type = str(latest["entity_type"])
    eras, seen = [], None
    for y in data.assessed_years(history):
        e = methodology.era(y, entity_type)
        if e.id != seen:
            eras.append((y, e.label))
            seen = e.id
    fig = charts.trajectory(history[["year", "score", "zone"]], eras, year)
    _show(charts.figure_html(fig, f"Grafik nilai {latest['entity']} per tahun",
                             "Garis putus-putus: metode berganti (" + "; ".join(f"{y}: {label}" for y, label in eras)
                             + "). Tahun tanpa titik: tidak dinilai."))
    export = pd.DataFrame({
        "tahun": history["year"], "nilai": history["score"], "dasar_nilai": history["basis"],
        "kategori": history["category"], "opini": history["opinion"], "zona": history["zone"],
        "era": [methodology.era(int(y), entity_type).label for y in history["year"]],
        "jumlah_unit": history["n_units"],
    }).astype({"era": "string"})
    display = pd.DataFrame({
        "Tahun": [str(int(y)) for y in history["year"]],
        "Nilai": [tables.marked_score(s, b) for s, b in zip(history["score"], history["basis"], strict=True)],
        "Kategori dan zona": [tables.badge(z, c, o) for z, c, o in
                              zip(history["zone"], history["category"], history["opinion"], strict=True)],
        "Era": list(export["era"]),
    })
    emit_table(export, "lintasan", tables.styled(display, ["Nilai", "Kategori dan zona"]))


def unit_entitas(entity_code: str, year: int) -> None:
    """Units and dimension points in the report's year (or the latest year with units)."""
    loaded, latest, history = _entity(entity_code)
    units = data.unit_scores(loaded, year, [entity_code])
    if units.empty:
        _show(_notice(f"Nilai unit layanan {fmt.NOT_AVAILABLE} untuk {year}."))
        return
    caps = methodology.dimension_caps(year, str(latest["entity_type"]))
    export = units.drop(columns=["entity_code", "entity"]).rename(
        columns={"unit_type": "jenis_unit", "basis": "dasar_nilai"}).sort_values("nilai", ascending=False)
    emit_table(export, "unit", tables.number_styler(
        export, scores=("nilai", *data.DIMENSION_COLUMNS),
        caption=f"Unit layanan {year}" + (" (batas poin: " + ", ".join(f"{d} {fmt.skor(v)}" for d, v in caps.items())
                                          + ")" if caps else "")))
    parts = [_p(f"{fmt.bilangan(len(units))} unit; rata-rata nilai unit {fmt.skor(units['nilai'].mean())}; "
                f"terendah {units.sort_values('nilai').iloc[0]['unit']} ({fmt.skor(units['nilai'].min())}).")]
    if caps and units[list(data.DIMENSION_COLUMNS)].notna().all(axis=1).any():
        shares = dimension_shares(units.assign(entity=units["unit"]), caps)
        fig = charts.heatmap(shares, vmin=.4, vmax=1, labels=shares.map(lambda v: fmt.persen(v, 0)),
                             xlabel="dimensi (poin / batas poin)")
        parts.append(charts.figure_html(fig, f"Peta panas poin dimensi per unit layanan, {year}",
                                        "Persentase batas poin yang diraih tiap unit pada tiap dimensi."))
    elif caps:
        parts.append(_p(f"Poin dimensi {fmt.NOT_AVAILABLE} (hanya nilai unit yang dipublikasikan)."))
    _show(*parts)


def peringkat_entitas(entity_code: str, year: int) -> None:
    """Provincial and national rank in every assessed year."""
    loaded, latest, history = _entity(entity_code)
    ranks = history[["year", "rank_province", "rank_national"]]
    if ranks[["rank_province", "rank_national"]].notna().any().any():
        _show(charts.figure_html(charts.rank_history(ranks), f"Grafik peringkat {latest['entity']} per tahun",
                                 "Peringkat 1 di atas. Peringkat nasional dihitung dalam jenis entitas."))
    display = pd.DataFrame({
        "Tahun": [str(int(y)) for y in ranks["year"]],
        "Peringkat di provinsi": [fmt.bilangan(v) for v in ranks["rank_province"]],
        "Peringkat nasional": [fmt.bilangan(v) for v in ranks["rank_national"]],
    })
    _show(tables.styled(display).to_html())


def perubahan_entitas(entity_code: str, year: int) -> None:
    """What moved since the previous assessed year: score, grade, rank, and unit by unit."""
    loaded, latest, history = _entity(entity_code)
    prev = data.previous_year(history, year)
    row, before = _row_of(history, year), (_row_of(history, prev) if prev else None)
    if row is None or before is None:
        _show(_notice(f"Perbandingan {fmt.NOT_AVAILABLE}: perlu penilaian pada {year} dan tahun sebelumnya."))
        return
    yoy = ranking.year_over_year(loaded.scores, prev, year)
    change = yoy[yoy["entity_code"] == entity_code].iloc[0]
    parts = [_p(fmt.kalimat_perubahan(row["entity"], before["score"], row["score"], prev, year))]
    if change["zone_change"]:
        parts.append(_p(f"Zona: {change['zone_change'].replace(' -> ', ' → ')}."))
    if not fmt.is_missing(change["grade_change"]) and change["grade_change"]:
        parts.append(_p(f"Kategori: {change['grade_change'].replace(' -> ', ' → ')}."))
    rank_change = (before["rank_province"] - row["rank_province"]) if not (
        fmt.is_missing(before["rank_province"]) or fmt.is_missing(row["rank_province"])) else None
    parts.append(_p(f"Peringkat di provinsi: {fmt.bilangan(before['rank_province'])} → "
                    f"{fmt.bilangan(row['rank_province'])} ({fmt.perubahan_peringkat(rank_change)})."))
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
            "Jenis unit": types,
            f"Rata-rata {prev}": [fmt.skor(a.get(t), fmt.NOT_ASSESSED) for t in types],
            f"Rata-rata {year}": [fmt.skor(b.get(t), fmt.NOT_ASSESSED) for t in types],
            "Selisih": [fmt.selisih(b.get(t) - a.get(t)) if t in a.index and t in b.index else fmt.NOT_AVAILABLE
                        for t in types],
        })
        parts.append(tables.styled(display).to_html())
    _show(*parts)


def metodologi_entitas(entity_code: str, year: int) -> None:
    loaded, latest, history = _entity(entity_code)
    years = data.assessed_years(history)
    shown = year if year in years else years[-1]
    _show(methodology_html(shown, str(latest["entity_type"]), data.previous_year(history, shown)))
