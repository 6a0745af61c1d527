"""What the sections of every report kind share: how a section shows its HTML (``show``), results the
sections of one report share (``per_report``), the HTML pieces (jinja2 templates in templates/sections/,
autoescape on), the marks legend, notices, the methodology box and the data dictionary."""

from __future__ import annotations

import functools

import jinja2
import pandas as pd
from markupsafe import Markup, escape

from ... import config, i18n, methodology
from ...i18n import _
from .. import data, fmt, labels, tables

PUBLIC = config.PUBLIC_EDITION
H = labels.header


def show(*parts: str) -> None:
    """Display HTML fragments (tests replace this to read what a section shows)."""
    from IPython.display import HTML, display

    for part in parts:
        display(HTML(part))


_memo: dict = {}  # (function, arguments) -> (the scores frame it was computed from, result)


def per_report(function):
    """Compute once per report: the sections of one report call ``function(loaded, *args)`` with the
    same arguments and the same processed frames (data.load's cached file versions), so they share
    the result; other data (a new file version) recomputes. Frames in results are copied on the
    way out, so no section can change what the next one reads. Results may hold text (footnote notes):
    the language is part of the key."""
    @functools.wraps(function)
    def shared(loaded: data.ReportData, *args):
        key = (function.__module__, function.__qualname__, i18n.language(), args)
        hit = _memo.get(key)
        if hit is None or hit[0] is not loaded.scores:
            if len(_memo) > 32:
                _memo.clear()
            hit = _memo[key] = (loaded.scores, function(loaded, *args))
        result = hit[1]
        return tuple(r.copy() if isinstance(r, pd.DataFrame) else r for r in result) \
            if isinstance(result, tuple) else (result.copy() if isinstance(result, pd.DataFrame) else result)
    return shared


# --- HTML: the templates, and sentences with markup --------------------------------------------------

def message(text: str, **values) -> Markup:
    """``text`` (a message of the catalogue, ``_()``'s text: trusted, it may hold <b>) with ``values`` filled
    in, each escaped unless it is Markup (a marked figure, a footnote)."""
    return Markup(text).format(**values)


@functools.cache
def _templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(config.SECTION_TEMPLATES_DIR), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.globals |= {"_": _, "message": message, "header": H, "meaning": labels.meaning, "fmt": fmt,
                    "badge": tables.badge}
    return env


def render(template: str, **context) -> Markup:
    """templates/sections/<template>.html.j2 filled in with ``context`` (escaped unless Markup)."""
    return Markup(_templates().get_template(f"{template}.html.j2").render(**context))


def _part(name: str):
    """A macro of templates/sections/parts.html.j2, the small pieces every section uses."""
    return getattr(_templates().get_template("parts.html.j2").module, name)


def paragraph(text: str) -> Markup:
    return _part("paragraph")(text)


def notice(text: str) -> Markup:
    """A boxed notice: nothing to show, a file that could not be read."""
    return _part("notice")(text)


def subtitle(text: str) -> Markup:
    """What the report is about, under its title."""
    return _part("subtitle")(text)


def entity_subtitle(entity: str, code: str, entity_type: str, where: str) -> Markup:
    """An entity profile's subtitle: its name, code, type and province."""
    return _part("entity_subtitle")(entity, code, entity_type, where)


def heading(text: str, anchor: str | None = None) -> Markup:
    return _part("heading")(text, anchor)


def strip(figures: list[tuple[str, str]]) -> Markup:
    """A row of headline figures: label above, figure (Markup, already marked) below."""
    return _part("strip")(figures)


def marks_legend(public: bool) -> Markup:
    """What the marks on figures mean; the published edition has published figures only."""
    return _part("legend")(public)


def unreadable(loaded: data.ReportData) -> list[Markup]:
    """A notice naming each input file that could not be read at all: any report may miss its rows."""
    files = data.unreadable_files(loaded)
    return [notice(_("Berkas masukan yang tidak dapat dibaca (isinya tidak ada dalam laporan ini): {file}: {reason}")
                   .format(file=r.file, reason=r.reason)) for r in files.itertuples()]


def capital(text: str) -> str:
    """A sentence that starts with a word of the catalogue ('tidak dinilai pada 2023.'), capitalised."""
    return text[:1].upper() + text[1:]


# --- figures several report kinds show ---------------------------------------------------------------

def counts(values: pd.Series, order) -> dict[str, int]:
    found = values.value_counts()
    return {k: int(found.get(k, 0)) for k in order}


def bases(this_year: pd.DataFrame) -> str:
    """'3 dipublikasikan, 5 dihitung, 0 sintetis': how many figures of each basis."""
    found = this_year["basis"].value_counts()
    return ", ".join(f"{fmt.bilangan(found.get(b, 0))} {fmt.basis_label(b)}" for b in fmt.BASIS_MARK)


def round_name(year: int) -> str:
    """'penilaian kepatuhan' up to 2024, 'Opini Ombudsman (penilaian maladministrasi)' from 2025."""
    return _("Opini Ombudsman (penilaian maladministrasi)") if methodology.era(
        year, "Pemerintah Kabupaten").series != methodology.era(2024, "Pemerintah Kabupaten").series \
        else _("penilaian kepatuhan")


def zone_tiles(zones: dict, grades: dict) -> list[tuple[str, Markup]]:
    """Headline tiles of zone and grade counts: 'zona hijau' 12†, 'kategori A' 3†."""
    return ([(_("zona {zone}").format(zone=labels.value(labels.ZONE, z)), tables.derived(fmt.bilangan(n)))
             for z, n in zones.items()]
            + [(_("kategori {grade}").format(grade=g), tables.derived(fmt.bilangan(n))) for g, n in grades.items()])


def with_notes(loaded: data.ReportData, cites: data.Citations) -> tuple[data.Citations, dict]:
    """A report's footnotes and the notes on the sources that disagree with its figures."""
    return cites, tables.disagreement_notes(loaded.disagreements, cites)


def change_sentence(entity, before, basis_before, note_before, after, basis_after, note_after,
                    year_from: int, year_to: int) -> Markup:
    """'Kabupaten Mukomuko naik dari 60,35ᴾ[2] (2022) menjadi 90,02ᴾ[1] (2023), bertambah 29,67† poin'."""
    if fmt.is_missing(after) or fmt.is_missing(before):
        return escape(fmt.kalimat_perubahan(str(entity), before, after, year_from, year_to))
    was = tables.marked_score(before, basis_before, note=note_before)
    now = tables.marked_score(after, basis_after, note=note_after)
    delta = round(float(after) - float(before), 2)
    if delta == 0:
        return message(_("{entity} tetap pada {score} ({year_from} dan {year_to})."),
                       entity=str(entity), score=now, year_from=year_from, year_to=year_to)
    words = dict(entity=str(entity), before=was, after=now, year_from=year_from, year_to=year_to,
                 delta=tables.derived(fmt.skor(abs(delta))))
    if delta > 0:
        return message(_("{entity} naik dari {before} ({year_from}) menjadi {after} ({year_to}), bertambah {delta} "
                         "poin."), **words)
    return message(_("{entity} turun dari {before} ({year_from}) menjadi {after} ({year_to}), berkurang {delta} "
                     "poin."), **words)


def dimension_shares(units: pd.DataFrame, caps: dict[str, float]) -> pd.DataFrame:
    """Per entity: mean points of each dimension over its units, as a share of the dimension's cap."""
    known = units.dropna(subset=list(data.DIMENSION_COLUMNS))
    means = known.groupby("entity")[list(data.DIMENSION_COLUMNS)].mean().astype(float)
    return pd.DataFrame({name: means[col] / caps[name] for col, name in data.DIMENSION_COLUMNS.items()})


def dimension_names(shares: pd.DataFrame) -> pd.DataFrame:
    """Dimension columns named in the report's language (Input, Proses: Process, ...)."""
    return shares.rename(columns=lambda d: labels.value(labels.DIMENSION, d))


def caps_text(caps: dict[str, float]) -> str:
    """'Input 20,00, Proses 30,00, ...': each dimension's cap."""
    return ", ".join(f"{labels.value(labels.DIMENSION, d)} {fmt.skor(v)}" for d, v in caps.items())


# --- the methodology box and the data appendix -------------------------------------------------------

def methodology_html(year: int, entity_type: str, year_prev: int | None, notes: list[str] = ()) -> Markup:
    """Era and bands used, caps, confidence, and what differs from the previous assessed year."""
    era = methodology.era(year, entity_type)
    paragraphs = []
    if era.caps:
        unit = _("jumlah poin keempat dimensi")
        if era.components:
            unit = _("poin keempat dimensi (bersama 0-{dimensions}) ditambah kepercayaan masyarakat (0-{trust})").format(
                dimensions=fmt.angka(era.components["dimensi"], 0), trust=fmt.angka(era.components["kepercayaan"], 0))
        paragraphs.append(_("Poin tiap dimensi dibatasi bobotnya: {caps}. Nilai unit = {unit}; nilai entitas = "
                            "rata-rata nilai unit, dibulatkan setengah ke atas ke 2 desimal.").format(
            caps=caps_text(era.caps), unit=unit))
    if era.tm_suffix:
        paragraphs.append(_('Opini entitas mendapat tambahan "{suffix}" bila entitas menindaklanjuti produk '
                            "Ombudsman; tambahan itu tidak mengubah nilai. Tidak ada zona dan kategori A-E.").format(
            suffix=era.tm_suffix.strip()))
    confidence = [f"{labels.value(labels.RULE, r.about)} {labels.value(labels.CONFIDENCE, r.confidence)}"
                  for r in era.rules if not r.years or year in r.years]
    if confidence:
        paragraphs.append(_("Tingkat keyakinan aturan ({year}): {rules}.").format(year=year, rules=", ".join(confidence)))
    paragraphs.append(_comparison(era, year, entity_type, year_prev))
    return render("methodology", era=era, graded=any(b.category for b in era.bands), zoned=any(b.zone for b in era.bands),
                  paragraphs=paragraphs, notes=notes)


def _comparison(era, year: int, entity_type: str, year_prev: int | None) -> str:
    """What the methodology of ``year`` changes from the previous assessed year (or that there is none)."""
    before = [e for e in methodology.load_eras() if e.series != era.series and min(e.years) < year
              and (e.entity_types is None or entity_type in e.entity_types)]
    if year_prev is None and before:
        last = max(before, key=lambda e: max(e.years))
        return _("{year} memakai {era}, seri yang berbeda dari {last} ({last_year} dan sebelumnya): seri "
                 "berbeda, tidak dibandingkan (tanpa selisih dan perubahan peringkat).").format(
            year=year, era=era.label, last=last.label, last_year=max(last.years))
    if year_prev is None:
        return _("Tidak ada penilaian sebelum {year} dalam data ini.").format(year=year)
    flags = methodology.comparability(year_prev, year, entity_type)
    if not flags:
        return _("Dibanding {year_prev}: metode sama ({era}).").format(year_prev=year_prev, era=era.label)
    return _("Dibanding {year_prev}: {flags}. {year_prev} memakai {prev_era}, {year} memakai {era}: perubahan nilai "
             "mencerminkan perubahan metode, tidak hanya kinerja, dan ditandai di setiap tabel.").format(
        year_prev=year_prev, flags=labels.flags("; ".join(flags)),
        prev_era=methodology.era(year_prev, entity_type).label, year=year, era=era.label)


def data_dictionary(names) -> Markup:
    """The data dictionary of the data files ``names`` (labels.TABLES): each machine column, the header it
    has in the report's tables, what it means, and the files that have it."""
    files: dict[str, list[str]] = {}
    for name in names:
        for column in labels.TABLES[name]:
            files.setdefault(column, []).append(name)
    return render("data_dictionary", files=files)


def appendix(names) -> None:
    """The data dictionary of the report's data files, under its heading."""
    show(heading(_("Kamus data")),
         paragraph(_("Berkas data (CSV dan XLSX, di bagian Unduh data) memakai nama kolom dan nilai mesin di bawah.")),
         data_dictionary(names))
