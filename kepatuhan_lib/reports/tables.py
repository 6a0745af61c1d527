"""Report tables: the frames behind them (raw, for CSV/XLSX) and their pandas Styler views (escaped HTML)."""

from __future__ import annotations

import hashlib
import html

import pandas as pd
from markupsafe import Markup

from .. import methodology
from ..i18n import _
from ..schemas import DIMENSION_KEYS
from . import fmt, labels
from .data import PROVINCE, REGIONAL
from .palette import css_name

VALIDATION_ANCHOR = "ringkasan-validasi"  # the validation summary in a report's data appendix
TABLE_ATTRIBUTES = 'class="tabel-kepatuhan" style="border-collapse:collapse"'
H = labels.header


# --- small HTML pieces (Markup: every data string escaped here; colours by class, kepatuhan.css) ------

def badge(zone, category=None) -> Markup:
    """Grade and zone as a coloured label that also reads without colour: 'A · hijau'."""
    if fmt.is_missing(zone) and fmt.is_missing(category):
        return Markup(f'<span class="tanpa-zona">{fmt.not_available()}</span>')
    colours = f"zona-{css_name(zone)}" if zone in labels.ZONE else "zona-tidak-ada"
    text = " · ".join(labels.value(labels.ZONE, v) if v in labels.ZONE else str(v)
                      for v in (category, zone) if not fmt.is_missing(v))
    return Markup(f'<span class="lencana {colours}">{html.escape(text)}</span>')


def mark(basis) -> Markup:
    """The provenance mark after a figure: P dipublikasikan, H dihitung, S sintetis."""
    if fmt.is_missing(basis) or basis not in fmt.BASIS_MARK:
        return Markup("")
    return Markup(f'<sup class="tanda" title="{html.escape(fmt.basis_label(basis))}">{fmt.BASIS_MARK[basis]}</sup>')


def derived(text: str) -> Markup:
    """A figure computed from the figures the report shows (a mean, a count, a change, a rank among them): †."""
    return Markup(f'{html.escape(text)}<sup class="tanda" title="{html.escape(fmt.derived_label())}">'
                  f'{fmt.DERIVED_MARK}</sup>')


def footnote(number) -> Markup:
    """A link to the report's source list: [3]."""
    if number is None:
        return Markup("")
    label = html.escape(_("sumber {n}").format(n=int(number)))
    return Markup(f'<sup class="rujukan"><a href="#sumber-{int(number)}" aria-label="{label}">[{int(number)}]</a></sup>')


def marked_score(value, basis, missing: str | None = None, note: int | None = None,
                 rejected=None) -> Markup:
    """A score with its mark and, for a published figure, its footnote; a missing one in words (an
    entity held back for ``rejected`` rows: "tidak dihitung", linked to the validation appendix)."""
    if fmt.is_missing(value) and not fmt.is_missing(rejected):
        return Markup(f'<span class="tidak-ada">{fmt.not_computed()}</span> (<a href="#{VALIDATION_ANCHOR}">'
                      + html.escape(_("{n} baris ditolak").format(n=int(rejected))) + "</a>)")
    if fmt.is_missing(value):
        if not fmt.is_missing(basis) and basis == "published":  # a published zone or rank without its score
            return Markup(f'<span class="tidak-ada">{fmt.not_published()}</span>{footnote(note)}')
        return Markup(f'<span class="tidak-ada">{fmt.not_available() if missing is None else missing}</span>')
    published = not fmt.is_missing(basis) and basis == "published"  # only a published figure has a source
    return Markup(f"{fmt.skor(value)}{mark(basis)}{footnote(note) if published else ''}")


def marked_rank(rank, basis, note: int | None = None) -> Markup:
    """A rank with what it is: published (P and its footnote), or computed among the figures shown (†)."""
    if fmt.is_missing(rank):
        return Markup(fmt.not_available())
    if not fmt.is_missing(basis) and basis == "published":
        return Markup(f"{int(rank)}{mark('published')}{footnote(note)}")
    return derived(str(int(rank)))


def direction_html(direction, delta=None) -> Markup:
    if fmt.is_missing(direction) or not direction:
        return Markup(f'<span class="redup">{fmt.not_available()}</span>')
    amount = "" if fmt.is_missing(delta) else f" ({fmt.selisih(delta)})"
    return Markup(f'<span class="arah arah-{css_name(direction)}">'  # wraps on paper (kepatuhan.css)
                  f'{html.escape(fmt.arah(direction))}{amount}</span>')


def sparkline(history: pd.DataFrame, year: int, width: int = 96, height: int = 24) -> Markup:
    """An inline SVG of an entity's scores over the years (0-100 scale); this year's point filled.

    ``history``: columns year, score, one row per year of the axis (a missing score leaves a gap).
    The label lists every year with a score.
    """
    history = history.sort_values("year")
    years = [int(y) for y in history["year"]]
    label = "; ".join(f"{y}: {fmt.skor(s)}" for y, s in zip(years, history["score"], strict=True)
                      if not fmt.is_missing(s))
    if not years:
        return Markup("")
    span = max(len(years) - 1, 1)
    pad = 3
    position = {y: i for i, y in enumerate(years)}  # assessed years evenly spaced (2020 had no survey)

    def xy(y, s):
        x = pad + position[y] / span * (width - 2 * pad)
        return x, pad + (1 - min(max(float(s), 0), 100) / 100) * (height - 2 * pad)

    parts, segment = [], []
    for y, s in zip(years, history["score"], strict=True):
        if fmt.is_missing(s):
            if len(segment) > 1:
                parts.append(segment)
            segment = []
            continue
        segment.append(xy(y, s))
    if len(segment) > 1:
        parts.append(segment)
    lines = "".join(
        f'<polyline fill="none" stroke-width="1.2" points="'
        f'{" ".join(f"{x:.1f},{y:.1f}" for x, y in seg)}"/>' for seg in parts
    )
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="2.6" class="tahun-ini"/>' if y == year else
        f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="1.6"/>'
        for y, s in zip(years, history["score"], strict=True) if not fmt.is_missing(s)
        for x, yy in [xy(y, s)]
    )
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" class="tren" width="{width}" height="{height}" '
                  f'viewBox="0 0 {width} {height}" role="img" '  # scales as a whole where CSS narrows it (print)
                  f'aria-label="{html.escape(label)}"><title>{html.escape(label)}</title>{lines}{dots}</svg>')


def sources_html(cites) -> Markup:
    """'[3] Judul. https://...' per source of ``cites`` (data.Citations): the address as text and as a link
    (nothing is fetched)."""
    if cites.sources.empty:
        return Markup("<p>" + html.escape(_("Laporan ini tidak memuat angka yang dipublikasikan.")) + "</p>")
    items = []
    for r in cites.sources.itertuples():
        title = "" if fmt.is_missing(r.judul) else f"{html.escape(str(r.judul))}. "
        if fmt.is_missing(r.url):
            where = html.escape(_("alamat tidak tersedia"))
        elif str(r.url).startswith(("http://", "https://")):
            where = f'<a href="{html.escape(str(r.url))}" rel="noreferrer">{html.escape(str(r.url))}</a>'
        else:  # a publication name where no address exists
            where = html.escape(str(r.url))
        items.append(f'<li id="sumber-{r.nomor}" value="{r.nomor}">{title}{where}</li>')
    return Markup(f'<ol class="sumber">{"".join(items)}</ol>')


def styled(display: pd.DataFrame, html_columns=(), caption: str | None = None):
    """A Styler of preformatted strings: data text escaped, our own HTML columns passed through."""
    text_columns = [c for c in display.columns if c not in html_columns]
    # The table's id (pandas draws a random one) from its content: a rebuild gives the same page.
    content = hashlib.sha256(f"{caption}\x00{display.to_csv()}".encode()).hexdigest()[:10]
    styler = display.style.hide(axis="index").set_table_attributes(TABLE_ATTRIBUTES).set_uuid(content)
    if text_columns:
        styler = styler.format(escape="html", na_rep=fmt.not_available(), subset=text_columns)
    if html_columns:
        styler = styler.format(lambda v: v, subset=list(html_columns))
    styler = styler.set_table_styles([
        {"selector": "th", "props": "text-align:left;padding:.3em .6em;border-bottom:2px solid var(--teks)"},
        {"selector": "td", "props": "padding:.25em .6em;border-bottom:1px solid var(--garis);vertical-align:middle"},
    ])
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return styler


# --- the province league table ------------------------------------------------------------------

def league_rows(scores: pd.DataFrame, year: int, province_code: str) -> pd.DataFrame:
    """One province's league table for a year, in order: kabupaten and kota by their rank (decided in
    pipeline.shown_ranks), those without a rank after them, the province itself listed apart unless
    it has a rank (a source that ranks it among its kabupaten and kota). Only entities with a row that
    year appear."""
    in_province = (scores["province_code"] == province_code).fillna(False).astype(bool)
    rows = scores[(scores["year"] == year) & in_province & scores["entity_type"].isin((*REGIONAL, PROVINCE))].copy()
    rows["listed_apart"] = (rows["entity_type"] == PROVINCE) & rows["rank_province"].isna()
    rows["_order"] = -rows["score"].astype("Float64")
    rows = rows.sort_values(["listed_apart", "rank_province", "_order", "entity"], na_position="last", kind="stable")
    return rows.drop(columns="_order").reset_index(drop=True)


def league_frame(scores: pd.DataFrame, changes: pd.DataFrame, year: int, province: str,
                 public: bool = False) -> pd.DataFrame:
    """The league table's figures: this year's rows (ranked kabupaten/kota, then the province apart),
    last assessed year's score and rank beside each, and the change, direction and comparability
    flags of the pipeline's comparison (``changes``, scope "provinsi"); see ``with_previous``."""
    yoy = changes[(changes["scope"] == "provinsi") & (changes["year_to"] == year)
                  & (changes["province_code"] == province).fillna(False)]
    prev = int(yoy["year_from"].iloc[0]) if len(yoy) else None
    return with_previous(league_rows(scores, year, province), scores, prev, yoy, public)


def with_previous(table: pd.DataFrame, scores: pd.DataFrame, year_prev: int | None, yoy: pd.DataFrame,
                  public: bool, level: str = "province") -> pd.DataFrame:
    """Beside each row of ``table`` (one year's score rows): its ``year_prev`` score and rank (``rank_<level>``,
    province or national) from ``scores``, and the change, direction and comparability flags of ``yoy``
    (``ranking.year_over_year`` rows of the two years).

    ``public`` (published facts only): a missing row means "not found in public sources", not "not
    assessed", and a rank change is shown only between two published ranks.
    """
    rank = f"rank_{level}"
    table = table.assign(year_prev=year_prev)
    if year_prev is None:
        for column, dtype in (("score_prev", "Float64"), ("basis_prev", "string"), ("fact_prev", "string"),
                              ("rank_prev", "Int64"), ("delta", "Float64"), ("rank_change", "Int64")):
            table[column] = pd.array([pd.NA] * len(table), dtype=dtype)
        table["direction"] = pd.array([pd.NA if public else "baru dinilai"] * len(table), dtype="string")
        table["flags"] = pd.array([""] * len(table), dtype="string")
        table["assessed_prev"] = False
        return table
    before = scores.loc[scores["year"] == year_prev,
                        ["entity_code", "score", "basis", "published_fact_id", rank, f"{rank}_basis"]]
    before = before.rename(columns={"score": "score_prev", "basis": "basis_prev", "published_fact_id": "fact_prev",
                                    rank: "rank_prev", f"{rank}_basis": "rank_prev_basis"})
    before["assessed_prev"] = True
    table = table.merge(before, on="entity_code", how="left").merge(
        yoy[["entity_code", "delta", "direction", "flags"]], on="entity_code", how="left")
    table["rank_change"] = (table["rank_prev"] - table[rank]).astype("Int64")
    table["assessed_prev"] = table["assessed_prev"].fillna(False).astype(bool)
    if public:
        both_published = (table[f"{rank}_basis"] == "published") & (table["rank_prev_basis"] == "published")
        table["rank_change"] = table["rank_change"].where(both_published.fillna(False).astype(bool))
        table["direction"] = table["direction"].mask(table["direction"] == "baru dinilai")
        table["flags"] = table["flags"].str.replace("tidak dinilai", labels.FLAG_NOT_PUBLISHED.format(year=year_prev),
                                                    regex=False)
    return table


def league_export(table: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """The league table as data (CSV/XLSX): plain values, Indonesian column names, each row's source.

    ``sources``: the published facts (fact_id, source_url, source_title).
    """
    source = source_of(table["published_fact_id"], sources)
    return pd.DataFrame({
        "peringkat": table["rank_province"],
        "dasar_peringkat": table["rank_province_basis"],
        "kode": table["entity_code"],
        "entitas": table["entity"],
        "jenis": table["entity_type"],
        "tahun": table["year"],
        "nilai": table["score"],
        "dasar_nilai": table["basis"],
        "kategori": table["category"],
        "zona": table["zone"],
        "opini": table["opinion"],
        "tahun_sebelumnya": table["year_prev"],
        "nilai_sebelumnya": table["score_prev"],
        "selisih": table["delta"],
        "arah": table["direction"],
        "perubahan_peringkat": table["rank_change"],
        "catatan": table["flags"],
        "dicantumkan_terpisah": table["listed_apart"],
        "source_url": source["source_url"],
        "source_title": source["source_title"],
    })


def source_of(fact_ids: pd.Series, facts: pd.DataFrame) -> pd.DataFrame:
    """source_url and source_title of each fact id (missing where the figure is not published)."""
    titles = facts["source_title"] if "source_title" in facts else pd.Series(pd.NA, index=facts.index)
    by_id = pd.DataFrame({"source_url": facts["source_url"].astype("string"), "source_title": titles.astype("string")})
    by_id.index = facts["fact_id"].astype("string")
    return by_id.reindex(fact_ids.astype("string").to_numpy()).reset_index(drop=True).set_axis(fact_ids.index)


def disagreement_notes(disagreements: pd.DataFrame, cites) -> dict[tuple[int, str], Markup]:
    """(year, entity_code) -> a visible note naming every other published figure of the report's scope
    (the facts ``cites`` numbers) and its source: 'sumber lain: 84,22ᴾ[2] peringkat 5' (HTML, escaped)."""
    parts: dict[tuple[int, str], list[str]] = {}
    for r in disagreements.itertuples():
        if r.chosen or not fmt.is_missing(r.unit) or cites.of(r.fact_id) is None:
            continue
        rank = "" if fmt.is_missing(r.rank_in_province) else " " + _("peringkat {n}").format(n=int(r.rank_in_province))
        parts.setdefault((int(r.year), str(r.entity_code)), []).append(
            f"{marked_score(r.score, 'published', note=cites.of(r.fact_id))}{rank}")
    return {key: Markup(_("sumber lain: {figures}").format(figures="; ".join(found))) for key, found in parts.items()}


def league_styler(table: pd.DataFrame, history: pd.DataFrame, year: int, cites, notes: dict, public: bool):
    """The league table for readers: ranks and figures with their marks and footnotes, opinion text,
    badges, arrows, a sparkline per row, and a note wherever sources disagree or a rank differs."""
    series = methodology.era(year, "Pemerintah Kabupaten").series  # a sparkline never crosses series
    years = sorted(int(y) for y in history.loc[history["score"].notna(), "year"].unique()
                   if methodology.era(int(y), "Pemerintah Kabupaten").series == series)
    missing_prev = fmt.not_available() if public else fmt.not_assessed()  # published: not found, not "not assessed"
    compared = table["year_prev"].notna().any()  # no previous year in this series: no columns about one
    prev_header = labels.header("nilai_sebelumnya", year=int(table["year_prev"].iloc[0])) if compared else ""
    zoned = table["zone"].notna().any() or table["category"].notna().any()
    rows = []
    for row in table.itertuples():
        rank = _("dicantumkan terpisah") if row.listed_apart else marked_rank(
            row.rank_province, row.rank_province_basis, cites.of(row.rank_province_fact_id))
        entity_history = history[history["entity_code"] == row.entity_code][["year", "score"]]
        entity_history = entity_history.set_index("year").reindex(years).rename_axis("year").reset_index()
        remarks = [html.escape(labels.flags(row.flags))] if not fmt.is_missing(row.flags) and row.flags else []
        if (int(row.year), row.entity_code) in notes:
            remarks.append(notes[(int(row.year), row.entity_code)])
        if not fmt.is_missing(row.year_prev) and (int(row.year_prev), row.entity_code) in notes:
            remarks.append(f"{int(row.year_prev)}: {notes[(int(row.year_prev), row.entity_code)]}")
        published_rank = row.published_rank_province
        if (fmt.is_missing(row.rank_province_basis) or row.rank_province_basis != "published") \
                and not fmt.is_missing(published_rank) \
                and (fmt.is_missing(row.rank_province) or published_rank != row.rank_province):
            remarks.append(_("peringkat dipublikasikan: {rank}").format(
                rank=f"{int(published_rank)}{mark('published')}{footnote(cites.of(row.rank_province_fact_id))}"))
        cells = {
            H("peringkat"): rank,
            H("entitas"): html.escape(str(row.entity)),
            H("nilai"): marked_score(row.score, row.basis, note=cites.of(row.published_fact_id),
                                     rejected=row.rows_rejected),
            H("opini"): html.escape(str(row.opinion)) if not fmt.is_missing(row.opinion) else fmt.not_available(),
        }
        if zoned:
            cells[H("kategori_zona")] = badge(row.zone, row.category)
        if compared:
            cells |= {
                prev_header: marked_score(row.score_prev, row.basis_prev,
                                          fmt.not_available() if row.assessed_prev else missing_prev,
                                          note=cites.of(row.fact_prev)),
                H("arah"): direction_html(row.direction, row.delta),
                H("perubahan_peringkat"): "" if row.listed_apart else html.escape(
                    fmt.perubahan_peringkat(row.rank_change)),
            }
        cells |= {H("catatan"): "; ".join(remarks), H("tren"): sparkline(entity_history, year)}
        rows.append(cells)
    display = pd.DataFrame(rows)
    return styled(display, list(display.columns))


# --- an entity's trend ---------------------------------------------------------------------------

def _eras(history: pd.DataFrame) -> list[str]:
    return [methodology.era(int(y), t).label for y, t in zip(history["year"], history["entity_type"], strict=True)]


def trend_export(history: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """An entity's score rows, every year (``history``), as data (CSV/XLSX), each published one with its source."""
    source = source_of(history["published_fact_id"], facts)
    return pd.DataFrame({
        "tahun": history["year"], "nilai": history["score"], "dasar_nilai": history["basis"],
        "kategori": history["category"], "opini": history["opinion"], "zona": history["zone"],
        "era": _eras(history), "jumlah_unit": history["n_units"], "source_url": source["source_url"].to_numpy(),
        "source_title": source["source_title"].to_numpy(),
    }).astype({"era": "string"})


def trend_styler(history: pd.DataFrame, facts: pd.DataFrame, cites, notes: dict):
    """An entity's trend for readers: each year's figure with its mark and footnote, opinion, badge, era, notes
    on disagreeing sources and, from 2025, the published sub-scores."""
    codes = set(history["entity_code"])
    parts = facts[facts["entity_code"].isin(codes) & facts["component"].notna() & facts["chosen"]]
    components = {int(y): "; ".join(f"{html.escape(r.component)} {marked_score(r.score, 'published', note=cites.of(r.fact_id))}"
                                    for r in group.itertuples()) for y, group in parts.groupby("year")}
    display = pd.DataFrame({
        H("tahun"): [str(int(y)) for y in history["year"]],
        H("nilai"): [marked_score(s, b, note=cites.of(f)) for s, b, f in
                     zip(history["score"], history["basis"], history["published_fact_id"], strict=True)],
        H("opini"): [html.escape(o) if not fmt.is_missing(o) else fmt.not_available() for o in history["opinion"]],
        H("kategori_zona"): [badge(z, c) for z, c in zip(history["zone"], history["category"], strict=True)],
        H("era"): [html.escape(e) for e in _eras(history)],
        H("catatan"): [notes.get((int(y), c), "") for y, c in zip(history["year"], history["entity_code"], strict=True)],
    })
    if components:  # 2025-: the published sub-scores (dimensi 0-70, kepercayaan 0-30)
        display.insert(2, H("komponen_nilai"), [components.get(int(y), "") for y in history["year"]])
    return styled(display, list(display.columns))


# --- two years compared ---------------------------------------------------------------------------

def movers(table: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """The largest rises and falls among entities scored both years, with their comparability flags."""
    moved = table[table["delta"].notna() & ~table["listed_apart"]].sort_values("delta", ascending=False)
    rises = moved[moved["delta"] > 0].head(n)
    falls = moved[moved["delta"] < 0].sort_values("delta").head(n)
    return pd.concat([rises, falls])[
        ["entity_code", "entity", "year_prev", "score_prev", "basis_prev", "fact_prev", "year", "score", "basis",
         "published_fact_id", "delta", "direction", "rank_change", "flags"]
    ].reset_index(drop=True)


def comparison_export(table: pd.DataFrame, facts: pd.DataFrame, level: str = "province") -> pd.DataFrame:
    """Two years of each entity (``with_previous``'s frame) as data: plain values, each year's basis and source."""
    before, now = source_of(table["fact_prev"], facts), source_of(table["published_fact_id"], facts)
    return pd.DataFrame({
        "kode": table["entity_code"], "entitas": table["entity"], "jenis": table["entity_type"],
        "tahun_sebelumnya": table["year_prev"], "nilai_sebelumnya": table["score_prev"],
        "dasar_nilai_sebelumnya": table["basis_prev"], "tahun": table["year"], "nilai": table["score"],
        "dasar_nilai": table["basis"], "selisih": table["delta"], "arah": table["direction"],
        "peringkat_sebelumnya": table["rank_prev"], "peringkat": table[f"rank_{level}"],
        "perubahan_peringkat": table["rank_change"], "catatan": table["flags"],
        "source_url_sebelumnya": before["source_url"], "source_title_sebelumnya": before["source_title"],
        "source_url": now["source_url"], "source_title": now["source_title"],
    })


def movers_styler(moved: pd.DataFrame, cites):
    display = pd.DataFrame({
        H("entitas"): moved["entity"],
        H("sebelumnya"): [f"{marked_score(s, b, note=cites.of(f))} ({int(y)})" for s, b, f, y in
                          zip(moved["score_prev"], moved["basis_prev"], moved["fact_prev"], moved["year_prev"],
                              strict=True)],
        H("sekarang"): [f"{marked_score(s, b, note=cites.of(f))} ({int(y)})" for s, b, f, y in
                        zip(moved["score"], moved["basis"], moved["published_fact_id"], moved["year"], strict=True)],
        H("arah"): [direction_html(d, x) for d, x in zip(moved["direction"], moved["delta"], strict=True)],
        H("peringkat"): [fmt.perubahan_peringkat(c) for c in moved["rank_change"]],
        H("keterbandingan"): [labels.flags(f) if f else _("sebanding") for f in moved["flags"].fillna("")],
    })
    return styled(display, [H("sebelumnya"), H("sekarang"), H("arah")])


def number_styler(frame: pd.DataFrame, scores=(), counts=(), shares=(), caption: str | None = None,
                  missing: str | None = None):
    """A Styler of a plain frame (machine columns, labels.COLUMNS) with its headers and numbers in the reader's
    language; a missing figure shows ``missing`` (default "tidak tersedia"), never 0."""
    missing = fmt.not_available() if missing is None else missing
    display = frame.copy()
    for column in display.columns:
        if column in scores:
            display[column] = [fmt.skor(v, missing) for v in display[column]]
        elif column in counts:
            display[column] = [fmt.bilangan(v, missing) for v in display[column]]
        elif column in shares:
            display[column] = [fmt.persen(v, missing=missing) for v in display[column]]
        else:
            display[column] = [missing if fmt.is_missing(v) else str(v) for v in display[column]]
    return styled(display.rename(columns=lambda c: H(c) if c in labels.COLUMNS else c), caption=caption)


def unit_export(units: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """Unit figures as data (CSV/XLSX), each published one with its source."""
    source = source_of(units["fact_id"], facts)
    return pd.DataFrame({
        "kode": units["entity_code"], "entitas": units["entity"], "unit": units["unit"],
        "jenis_unit": units["unit_type"], "nilai": units["nilai"], "kategori": units["unit_category"],
        **{c: units[c] for c in DIMENSION_KEYS},
        "dasar_nilai": units["basis"], "source_url": source["source_url"], "source_title": source["source_title"],
    })


def unit_styler(units: pd.DataFrame, cites, caption: str):
    """Unit figures for readers: each score with its mark and, when published, its footnote; dimension
    points where any unit has them."""
    display = pd.DataFrame({
        H("entitas"): [html.escape(str(v)) for v in units["entity"]],
        H("unit"): [html.escape(str(v)) for v in units["unit"]],
        H("nilai"): [marked_score(v, b, note=cites.of(f)) for v, b, f in
                     zip(units["nilai"], units["basis"], units["fact_id"], strict=True)],
        **{H(column): [fmt.skor(v) for v in units[column]] for column in DIMENSION_KEYS
           if units[column].notna().any()},
    })
    if units["unit_category"].notna().any():  # 2025-
        display.insert(3, H("kategori"), [html.escape(v) if not fmt.is_missing(v) else fmt.not_available()
                                          for v in units["unit_category"]])
    return styled(display, list(display.columns), caption=caption)
