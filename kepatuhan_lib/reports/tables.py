"""Report tables: the frames behind them (raw, for CSV/XLSX) and their pandas Styler views (escaped HTML)."""

from __future__ import annotations

import html

import pandas as pd

from .. import ranking
from . import fmt
from .data import previous_year

ZONE_STYLE = {  # background, text, border: dark text on light fill, readable in print and without colour
    "hijau": ("#d3f2dc", "#0b4f24", "#2e8b57"),
    "kuning": ("#fff1b8", "#5c4400", "#c99a00"),
    "merah": ("#fbd5d5", "#7a1212", "#c0392b"),
}
MISSING_STYLE = ("#eeeeee", "#444444", "#999999")
DIRECTION_COLOUR = {"naik": "#0b5cad", "turun": "#b34700", "tetap": "#59636e", "baru dinilai": "#6f42c1",
                    "tidak dinilai": "#59636e"}
TABLE_ATTRIBUTES = 'class="tabel-kepatuhan" style="border-collapse:collapse"'


# --- small HTML pieces (every data string escaped here) ----------------------------------------

def badge(zone, category=None, opinion=None) -> str:
    """Grade and zone as a coloured label that also reads without colour: 'A · hijau'."""
    if fmt.is_missing(zone) and fmt.is_missing(category):
        return f'<span style="color:{MISSING_STYLE[1]}">{fmt.NOT_AVAILABLE}</span>'
    bg, fg, border = ZONE_STYLE.get(zone, MISSING_STYLE)
    text = " · ".join(str(v) for v in (category, zone) if not fmt.is_missing(v))
    title = "" if fmt.is_missing(opinion) else f' title="{html.escape(str(opinion))}"'
    return (f'<span{title} style="background:{bg};color:{fg};border:1px solid {border};border-radius:3px;'
            f'padding:0 .35em;white-space:nowrap">{html.escape(text)}</span>')


def mark(basis) -> str:
    """The provenance mark after a figure: P dipublikasikan, H dihitung, S sintetis."""
    if fmt.is_missing(basis) or basis not in fmt.BASIS_MARK:
        return ""
    return (f'<sup title="{fmt.BASIS_LABEL[basis]}" style="font-size:.7em;color:#59636e;margin-left:.15em">'
            f"{fmt.BASIS_MARK[basis]}</sup>")


def marked_score(value, basis, missing: str = fmt.NOT_AVAILABLE) -> str:
    if fmt.is_missing(value):
        return f'<span style="color:#59636e">{missing}</span>'
    return f"{fmt.skor(value)}{mark(basis)}"


def direction_html(direction, delta=None) -> str:
    if fmt.is_missing(direction) or not direction:
        return f'<span style="color:#59636e">{fmt.NOT_AVAILABLE}</span>'
    colour = DIRECTION_COLOUR.get(direction, "#1f2328")
    amount = "" if fmt.is_missing(delta) else f" ({fmt.selisih(delta)})"
    return f'<span style="color:{colour};white-space:nowrap">{html.escape(fmt.arah(direction))}{amount}</span>'


def sparkline(history: pd.DataFrame, year: int, width: int = 96, height: int = 24) -> str:
    """An inline SVG of an entity's scores over the years (0-100 scale); this year's point filled.

    ``history``: columns year, score, one row per year of the axis (a missing score leaves a gap).
    The label lists every year with a score.
    """
    history = history.sort_values("year")
    years = [int(y) for y in history["year"]]
    label = "; ".join(f"{y}: {fmt.skor(s)}" for y, s in zip(years, history["score"], strict=True)
                      if not fmt.is_missing(s))
    if not years:
        return ""
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
        f'<polyline fill="none" stroke="#59636e" stroke-width="1.2" points="'
        f'{" ".join(f"{x:.1f},{y:.1f}" for x, y in seg)}"/>' for seg in parts
    )
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="{2.6 if y == year else 1.6}" fill="{"#0b5cad" if y == year else "#59636e"}"/>'
        for y, s in zip(years, history["score"], strict=True) if not fmt.is_missing(s)
        for x, yy in [xy(y, s)]
    )
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
            f'aria-label="{html.escape(label)}"><title>{html.escape(label)}</title>{lines}{dots}</svg>')


def styled(display: pd.DataFrame, html_columns=(), caption: str | None = None):
    """A Styler of preformatted strings: data text escaped, our own HTML columns passed through."""
    text_columns = [c for c in display.columns if c not in html_columns]
    styler = display.style.hide(axis="index").set_table_attributes(TABLE_ATTRIBUTES)
    if text_columns:
        styler = styler.format(escape="html", na_rep=fmt.NOT_AVAILABLE, subset=text_columns)
    if html_columns:
        styler = styler.format(lambda v: v, subset=list(html_columns))
    styler = styler.set_table_styles([
        {"selector": "th", "props": "text-align:left;padding:.3em .6em;border-bottom:2px solid #1f2328"},
        {"selector": "td", "props": "padding:.25em .6em;border-bottom:1px solid #d1d9e0;vertical-align:middle"},
    ])
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return styler


# --- the province league table ------------------------------------------------------------------

def league_frame(scores: pd.DataFrame, year: int, province: str) -> pd.DataFrame:
    """The league table's figures: this year's rows (ranked kabupaten/kota, then the province apart),
    last assessed year's score and rank beside each, change, direction and comparability flags."""
    table = ranking.league_table(scores, year, province)
    prov = scores[scores["province_code"] == province]
    prev = previous_year(prov, year)
    table = table.assign(year_prev=prev)
    if prev is None:
        table["score_prev"] = pd.array([pd.NA] * len(table), dtype="Float64")
        table["basis_prev"] = pd.array([pd.NA] * len(table), dtype="string")
        table["rank_prev"] = pd.array([pd.NA] * len(table), dtype="Int64")
        table["delta"] = pd.array([pd.NA] * len(table), dtype="Float64")
        table["direction"] = pd.array(["baru dinilai"] * len(table), dtype="string")
        table["flags"] = pd.array(["tidak dinilai"] * len(table), dtype="string")
        table["rank_change"] = pd.array([pd.NA] * len(table), dtype="Int64")
        table["assessed_prev"] = False
        return table
    before = ranking.league_table(scores, prev, province)[["entity_code", "score", "basis", "rank_province"]]
    before = before.rename(columns={"score": "score_prev", "basis": "basis_prev", "rank_province": "rank_prev"})
    before["assessed_prev"] = True
    yoy = ranking.year_over_year(prov, prev, year)[["entity_code", "delta", "direction", "flags"]]
    table = table.merge(before, on="entity_code", how="left").merge(yoy, on="entity_code", how="left")
    table["rank_change"] = (table["rank_prev"] - table["rank_province"]).astype("Int64")
    table["assessed_prev"] = table["assessed_prev"].fillna(False).astype(bool)
    return table


def league_export(table: pd.DataFrame) -> pd.DataFrame:
    """The league table as data (CSV/XLSX): plain values, Indonesian column names."""
    return pd.DataFrame({
        "peringkat": table["rank_province"],
        "kode": table["entity_code"],
        "entitas": table["entity"],
        "jenis": table["entity_type"],
        "tahun": table["year"],
        "nilai": table["score"],
        "dasar_nilai": table["basis"],
        "kategori": table["category"],
        "zona": table["zone"],
        "tahun_sebelumnya": table["year_prev"],
        "nilai_sebelumnya": table["score_prev"],
        "selisih": table["delta"],
        "arah": table["direction"],
        "perubahan_peringkat": table["rank_change"],
        "catatan": table["flags"],
        "dicantumkan_terpisah": table["listed_apart"],
    })


def league_styler(table: pd.DataFrame, history: pd.DataFrame, year: int):
    """The league table for readers: badges, marks, arrows and a sparkline per row."""
    years = sorted(int(y) for y in history.loc[history["score"].notna(), "year"].unique())
    published_rank = table.get("published_rank_province", pd.Series(pd.NA, index=table.index))
    rows = []
    for row, pub_rank in zip(table.itertuples(), published_rank, strict=True):
        if row.listed_apart:
            rank = "dicantumkan terpisah"
        elif not fmt.is_missing(row.rank_province):
            rank = str(int(row.rank_province))
        elif not fmt.is_missing(pub_rank):
            rank = f"{int(pub_rank)} (dipublikasikan)"
        else:
            rank = fmt.NOT_AVAILABLE
        entity_history = history[history["entity_code"] == row.entity_code][["year", "score"]]
        entity_history = entity_history.set_index("year").reindex(years).rename_axis("year").reset_index()
        rows.append({
            "Peringkat": rank,
            "Entitas": row.entity,
            "Nilai": marked_score(row.score, row.basis),
            "Kategori dan zona": badge(row.zone, row.category, row.opinion),
            f"Nilai {'' if fmt.is_missing(row.year_prev) else int(row.year_prev)}".strip(): marked_score(
                row.score_prev, row.basis_prev, fmt.NOT_AVAILABLE if row.assessed_prev else fmt.NOT_ASSESSED),
            "Perubahan": direction_html(row.direction, row.delta),
            "Perubahan peringkat": "" if row.listed_apart else fmt.perubahan_peringkat(row.rank_change),
            "Catatan": row.flags if not fmt.is_missing(row.flags) else "",
            "Tren": sparkline(entity_history, year),
        })
    display = pd.DataFrame(rows)
    html_columns = [c for c in display.columns if c not in ("Peringkat", "Entitas", "Perubahan peringkat", "Catatan")]
    return styled(display, html_columns)


def movers(table: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """The largest rises and falls among entities scored both years, with their comparability flags."""
    moved = table[table["delta"].notna() & ~table["listed_apart"]].sort_values("delta", ascending=False)
    rises = moved[moved["delta"] > 0].head(n)
    falls = moved[moved["delta"] < 0].sort_values("delta").head(n)
    return pd.concat([rises, falls])[
        ["entity_code", "entity", "year_prev", "score_prev", "basis_prev", "year", "score", "basis", "delta",
         "direction", "rank_change", "flags"]
    ].reset_index(drop=True)


def movers_styler(moved: pd.DataFrame):
    display = pd.DataFrame({
        "Entitas": moved["entity"],
        "Sebelumnya": [f"{marked_score(s, b)} ({int(y)})" for s, b, y in
                       zip(moved["score_prev"], moved["basis_prev"], moved["year_prev"], strict=True)],
        "Sekarang": [f"{marked_score(s, b)} ({int(y)})" for s, b, y in
                     zip(moved["score"], moved["basis"], moved["year"], strict=True)],
        "Perubahan": [direction_html(d, x) for d, x in zip(moved["direction"], moved["delta"], strict=True)],
        "Peringkat": [fmt.perubahan_peringkat(c) for c in moved["rank_change"]],
        "Keterbandingan": [f if f else "sebanding" for f in moved["flags"].fillna("")],
    })
    return styled(display, ["Sebelumnya", "Sekarang", "Perubahan"])


def number_styler(frame: pd.DataFrame, scores=(), counts=(), shares=(), caption: str | None = None,
                  missing: str = fmt.NOT_AVAILABLE):
    """A Styler of a plain frame with Indonesian numbers; a missing figure shows ``missing``, never 0."""
    display = frame.copy()
    for column in display.columns:
        if column in scores:
            display[column] = [fmt.skor(v, missing) for v in display[column]]
        elif column in counts:
            display[column] = [fmt.bilangan(v, missing) for v in display[column]]
        elif column in shares:
            display[column] = [fmt.persen(v, missing=missing) for v in display[column]]
        else:
            display[column] = [fmt.NOT_AVAILABLE if fmt.is_missing(v) else str(v) for v in display[column]]
    return styled(display, caption=caption)
