"""The sections of the entity profile (notebooks/reports/entitas.ipynb): one entity over every assessed year,
its units and ranks."""

from __future__ import annotations

import pandas as pd
from markupsafe import escape

from ... import methodology
from ...i18n import _
from .. import charts, data, emit, fmt, labels, tables
from . import common
from .common import (H, PUBLIC, capital, caps_text, change_sentence, dimension_names, entity_subtitle, dimension_shares, marks_legend,
                     message, methodology_html, notice, paragraph, per_report, strip, unreadable,
                     with_notes)


def _entity(entity_code: str, edition: str):
    loaded = data.load(edition)
    latest, history = _entity_rows(loaded, entity_code)
    return loaded, latest, history


@per_report
def _entity_rows(loaded: data.ReportData, entity_code: str) -> tuple[pd.Series, pd.DataFrame]:
    """The entity's latest row and every year's row, oldest first."""
    history = loaded.scores[loaded.scores["entity_code"] == entity_code].sort_values("year")
    return data.entity_row(history, entity_code), history


def _row_of(history: pd.DataFrame, year: int):
    rows = history[history["year"] == year]
    return None if rows.empty else rows.iloc[0]


@per_report
def _entity_cites(loaded: data.ReportData, entity_code: str) -> tuple[data.Citations, dict]:
    """Footnotes of an entity profile (every published fact on the entity) and the notes on disagreeing sources."""
    facts = loaded.published
    return with_notes(loaded, data.citations(facts[facts["entity_code"] == entity_code]))


def pembuka_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    loaded, latest, history = _entity(entity_code, edition)
    emit.emit_inputs(loaded.paths + data.published_sources())
    emit.emit_synthetic(bool(history["synthetic"].any()))
    where = "" if fmt.is_missing(latest["province_code"]) else " · " + _("Provinsi {name}").format(
        name=data.province_label(latest["province_code"]))
    parts = [entity_subtitle(str(latest["entity"]), entity_code, str(latest["entity_type"]), where)]
    if _row_of(history, year) is None:
        parts.append(notice(_("{entity} {not_assessed} pada {year}.").format(
            entity=latest["entity"], not_assessed=fmt.not_assessed(), year=year)))
    common.show(*parts, *unreadable(loaded), marks_legend(loaded.public))


def ringkasan_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    loaded, latest, history = _entity(entity_code, edition)
    row = _row_of(history, year)
    if row is None:
        common.show(notice(capital(_("{not_assessed} pada {year}; tahun yang dinilai: {years}.").format(
            not_assessed=fmt.not_assessed(), year=year, years=", ".join(map(str, data.assessed_years(history)))))))
        emit.emit_headline(nilai=None)
        return
    cites, notes = _entity_cites(loaded, entity_code)
    note = cites.of(row["published_fact_id"])
    prev = data.previous_year(history, year, str(row["entity_type"]))
    before = _row_of(history, prev) if prev else None
    classification = " · ".join(labels.value(labels.ZONE, v) if v in labels.ZONE else str(v)
                                for v in (row["category"], row["zone"]) if not fmt.is_missing(v))
    figures = [(_("nilai {year}").format(year=year), tables.marked_score(row["score"], row["basis"], note=note)),
               (_("opini"), row["opinion"] if not fmt.is_missing(row["opinion"]) else fmt.not_available())]
    if classification:
        figures.append((_("kategori / zona"), classification))
    for level, where in (("province", _("peringkat di provinsi")), ("national", _("peringkat nasional"))):
        basis = row[f"rank_{level}_basis"]
        among = "" if fmt.is_missing(basis) or basis == "published" else \
            (_(" (di antara nilai yang dipublikasikan)") if loaded.public else _(" (di antara nilai edisi ini)"))
        figures.append((f"{where}{among}", tables.marked_rank(row[f"rank_{level}"], basis,
                                                              cites.of(row[f"rank_{level}_fact_id"]))))
    sentences = [_("Dasar nilai {year}: {basis}.").format(year=year, basis=fmt.basis_label(row["basis"]))]
    if (year, entity_code) in notes:
        sentences.append(message(_("Sumber berbeda untuk {year}: {note}."), year=year, note=notes[(year, entity_code)]))
    if before is not None:
        flags = methodology.comparability(prev, year, row["entity_type"])
        sentences.insert(0, change_sentence(row["entity"], before["score"], before["basis"],
                                            cites.of(before["published_fact_id"]), row["score"], row["basis"], note,
                                            prev, year)
                         + (f" ({labels.flags('; '.join(flags))})" if flags else ""))
        if not fmt.is_missing(before["score"]) and not fmt.is_missing(row["score"]):
            figures.append((_("perubahan sejak {year}").format(year=prev),
                            tables.derived(fmt.selisih(float(row["score"]) - float(before["score"])))))
    if not fmt.is_missing(row["koreksi"]):
        sentences.append(_("Koreksi karena tindakan korektif yang diabaikan: −{points} poin.").format(
            points=fmt.skor(row["koreksi"])))
    common.show(strip(figures), *map(paragraph, sentences))
    emit.emit_headline(nilai=row["score"], zona=row["zone"], kategori=row["category"])


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
    common.show(charts.figure_html(fig, charts.trajectory_alt(latest["entity"], history),
                                   _("Garis putus-putus: metode berganti ({eras}). Tahun tanpa titik: tidak ada "
                                     "nilai.").format(eras="; ".join(f"{y}: {label}" for y, label in eras))))
    emit.emit_table(tables.trend_export(history, loaded.published),
                    "lintasan", tables.trend_styler(history, loaded.published, cites, notes))


def unit_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    """Units and dimension points in the report's year."""
    loaded, latest, history = _entity(entity_code, edition)
    units = data.unit_scores(loaded, year, [entity_code]).sort_values("nilai", ascending=False)
    if units.empty:
        common.show(notice(_("Nilai unit layanan {not_available} untuk {year}.").format(
            not_available=fmt.not_available(), year=year)))
        return
    cites, notes = _entity_cites(loaded, entity_code)
    caps = methodology.dimension_caps(year, str(latest["entity_type"]))
    caption = _("Unit layanan {year}").format(year=year) + (
        " (" + _("batas poin: {caps}").format(caps=caps_text(caps)) + ")" if caps else "")
    emit.emit_table(tables.unit_export(units, loaded.published), "unit", tables.unit_styler(units, cites, caption))
    lowest = units.iloc[-1]
    parts = [paragraph(message(_("{n} unit; rata-rata nilai unit {mean}; terendah {unit} ({score})."),
                               n=tables.derived(fmt.bilangan(len(units))),
                               mean=tables.derived(fmt.skor(units["nilai"].mean())), unit=str(lowest["unit"]),
                               score=tables.marked_score(lowest["nilai"], lowest["basis"],
                                                         note=cites.of(lowest["fact_id"]))))]
    if caps and units[list(data.DIMENSION_COLUMNS)].notna().all(axis=1).any():
        shares = dimension_names(dimension_shares(units.assign(entity=units["unit"]), caps))
        fig = charts.heatmap(shares, vmin=.4, vmax=1, labels=shares.map(lambda v: fmt.persen(v, 0)),
                             xlabel=_("dimensi (poin / batas poin)"))
        parts.append(charts.figure_html(fig, charts.heatmap_alt(_("Poin dimensi {year} sebagai persentase batasnya per "
                                                                  "unit layanan").format(year=year), shares,
                                                                lambda v: fmt.persen(v, 0)),
                                        _("Persentase batas poin yang diraih tiap unit pada tiap dimensi.")))
    elif caps:
        parts.append(paragraph(_("Poin dimensi {not_available} (hanya nilai unit yang dipublikasikan).").format(
            not_available=fmt.not_available())))
    common.show(*parts)


def peringkat_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    """Provincial and national rank in every assessed year, each as published or computed."""
    loaded, latest, history = _entity(entity_code, edition)
    cites, notes = _entity_cites(loaded, entity_code)
    ranks = history[["year", "rank_province", "rank_national"]]
    if ranks[["rank_province", "rank_national"]].notna().any().any():
        common.show(charts.figure_html(charts.rank_history(ranks), charts.rank_history_alt(latest["entity"], ranks),
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
    common.show(tables.styled(display, [H("peringkat_provinsi"), H("peringkat_nasional")]).to_html(),
                paragraph(_("Peringkat bertanda P dipublikasikan sumbernya; bertanda {mark} dihitung {among}.").format(
                    mark=fmt.DERIVED_MARK, among=among)))


def perubahan_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    """What moved since the previous assessed year: score, grade, rank, and unit by unit."""
    loaded, latest, history = _entity(entity_code, edition)
    prev = data.previous_year(history, year, str(latest["entity_type"]))
    row, before = _row_of(history, year), (_row_of(history, prev) if prev else None)
    if row is None or before is None:
        common.show(notice(_("Perbandingan {not_available}: perlu hasil pada {year} dan tahun sebelumnya dalam seri "
                             "yang sama.").format(not_available=fmt.not_available(), year=year)))
        return
    cites, notes = _entity_cites(loaded, entity_code)
    changes = loaded.changes
    change = changes[(changes["scope"] == "entitas") & (changes["entity_code"] == entity_code)
                     & (changes["year_to"] == year)].iloc[0]
    parts = [paragraph(change_sentence(row["entity"], before["score"], before["basis"],
                                       cites.of(before["published_fact_id"]), row["score"], row["basis"],
                                       cites.of(row["published_fact_id"]), prev, year))]
    if not fmt.is_missing(change["zone_change"]) and change["zone_change"]:
        zones = " → ".join(labels.value(labels.ZONE, z) for z in change["zone_change"].split(" -> "))
        parts.append(paragraph(_("Zona: {change}.").format(change=zones)))
    if not fmt.is_missing(change["grade_change"]) and change["grade_change"]:
        parts.append(paragraph(_("Kategori: {change}.").format(change=change["grade_change"].replace(" -> ", " → "))))
    comparable = not (fmt.is_missing(before["rank_province"]) or fmt.is_missing(row["rank_province"])) and (
        not loaded.public or before["rank_province_basis"] == row["rank_province_basis"] == "published")
    rank_change = before["rank_province"] - row["rank_province"] if comparable else None
    parts.append(paragraph(message(
        _("Peringkat di provinsi: {before} → {after} ({change})."),
        before=tables.marked_rank(before["rank_province"], before["rank_province_basis"],
                                  cites.of(before["rank_province_fact_id"])),
        after=tables.marked_rank(row["rank_province"], row["rank_province_basis"], cites.of(row["rank_province_fact_id"])),
        change=fmt.perubahan_peringkat(rank_change))))
    if change["flags"]:
        parts.append(paragraph(_("Catatan keterbandingan: {flags}.").format(flags=labels.flags(change["flags"]))))
    units_now = data.unit_scores(loaded, year, [entity_code])
    units_before = data.unit_scores(loaded, prev, [entity_code])
    if units_now.empty or units_before.empty:
        parts.append(paragraph(_("Perbandingan per unit {not_available}: nilai unit {year} tidak ada dalam data.").format(
            not_available=fmt.not_available(), year=prev if units_before.empty else year)))
    else:
        a = units_before.groupby("unit_type")["nilai"].mean()
        b = units_now.groupby("unit_type")["nilai"].mean()
        types = sorted(set(a.index) | set(b.index))
        display = pd.DataFrame({
            H("jenis_unit"): [escape(t) for t in types],
            H("rata_rata_tahun", year=prev): [tables.derived(fmt.skor(a[t])) if t in a.index else fmt.not_available()
                                              for t in types],
            H("rata_rata_tahun", year=year): [tables.derived(fmt.skor(b[t])) if t in b.index else fmt.not_available()
                                              for t in types],
            H("selisih"): [tables.derived(fmt.selisih(b[t] - a[t])) if t in a.index and t in b.index
                           else fmt.not_available() for t in types],
        })
        parts.append(tables.styled(display, list(display.columns)).to_html())
    common.show(*parts)


def metodologi_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    loaded, latest, history = _entity(entity_code, edition)
    years = data.assessed_years(history)
    shown = year if year in years else years[-1]
    common.show(methodology_html(shown, str(latest["entity_type"]),
                                 data.previous_year(history, shown, str(latest["entity_type"]))))


def lampiran_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    """Data appendix: the data dictionary of the profile's data files."""
    common.appendix(("lintasan", "unit"))


def sumber_entitas(entity_code: str, year: int, edition: str = PUBLIC) -> None:
    """The sources the footnotes point to."""
    loaded, latest, history = _entity(entity_code, edition)
    common.show(tables.sources_html(_entity_cites(loaded, entity_code)[0]))
