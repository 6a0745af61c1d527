"""Report figures (matplotlib, Agg): small PNGs embedded as <img> with alt text, readable without colour."""

from __future__ import annotations

import base64
import html
import io

import matplotlib

matplotlib.use("Agg")  # files only, no display: also inside a kernel
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from markupsafe import Markup  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap  # noqa: E402

from ..i18n import _  # noqa: E402
from ..schemas import ZONES  # noqa: E402
from . import fmt, labels  # noqa: E402
from .palette import colour, css_name  # noqa: E402

ZONE_COLOUR = {zone: colour(f"zona-{zone}") for zone in ZONES}
ZONE_HATCH = {"hijau": "", "kuning": "..", "merah": "//"}  # tells zones apart in grey print
DPI = 96
SCORE_CMAP = LinearSegmentedColormap.from_list("skor", [colour(f"skala-{s}") for s in ("rendah", "tengah", "tinggi")])
TEXT, MUTED, GRID, LIGHT = colour("teks"), colour("redup"), colour("kisi"), colour("latar")
plt.rcParams.update({"font.size": 9, "axes.spines.top": False, "axes.spines.right": False,
                     "axes.formatter.use_locale": False})


def figure_html(fig, alt: str, caption: str | None = None) -> Markup:
    """The figure as an embedded PNG in a <figure>, with alt text and an optional caption; closes it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    figcaption = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return Markup(f'<figure class="grafik"><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'
                  f"{figcaption}</figure>")


def direction_colour(direction) -> str:
    """The colour of a change's direction (naik, turun, ...), as the text says it (kepatuhan.css)."""
    return MUTED if fmt.is_missing(direction) else colour(f"arah-{css_name(direction)}")


# --- alt texts: what a chart shows and its extremes, from the data it draws ------------------------

def extremes(labelled, text=fmt.skor, by_year: bool = False) -> str:
    """'tertinggi A 95,94, terendah B 79,14' over the (label, value) pairs with a value (the first of
    equals); ``by_year`` (labels are years): 'tertinggi 95,94 (2023), ...'; one value alone: 'A 95,94'."""
    known = [(label, float(v)) for label, v in labelled if not fmt.is_missing(v)]
    if not known:
        return _("tidak ada nilai")

    def one(pair):
        return f"{text(pair[1])} ({pair[0]})" if by_year else f"{pair[0]} {text(pair[1])}"

    top, bottom = max(known, key=lambda p: p[1]), min(known, key=lambda p: p[1])
    return one(top) if len(known) == 1 else _("tertinggi {top}, terendah {bottom}").format(top=one(top), bottom=one(bottom))


def dumbbell_alt(table: pd.DataFrame, year: int, year_prev: int) -> str:
    """Alt text of dumbbell(): this year's extremes and the largest rise and fall since ``year_prev``."""
    rows = table[table["score"].notna()]
    alt = _("Nilai {year} per entitas: {extremes}").format(
        year=year, extremes=extremes(zip(rows["entity"], rows["score"], strict=True)))
    delta = rows["delta"].astype("Float64")
    if (delta > 0).any():
        best = rows.loc[delta.idxmax()]
        alt += _("; naik terbesar sejak {year}: {entity} {delta}").format(
            year=year_prev, entity=best["entity"], delta=fmt.selisih(best["delta"]))
    if (delta < 0).any():
        worst = rows.loc[delta.idxmin()]
        alt += _("; turun terbesar: {entity} {delta}").format(entity=worst["entity"], delta=fmt.selisih(worst["delta"]))
    return alt + "."


def heatmap_alt(what: str, matrix: pd.DataFrame, text=fmt.skor) -> str:
    """Alt text of heatmap(): the highest and lowest cell (row, column) and how many cells have no value."""
    cells = [(f"{row}, {column}", matrix.at[row, column]) for row in matrix.index for column in matrix.columns]
    empty = sum(fmt.is_missing(v) for _, v in cells)
    return f"{what}: {extremes(cells, text)}" + (_("; {n} sel tanpa nilai.").format(n=empty) if empty else ".")


def zone_bars_alt(shares: pd.DataFrame) -> str:
    """Alt text of zone_bars(): the years, the extremes of the green share, the last year's three shares."""
    years = [str(int(y)) for y in shares.index]
    shares = shares.reindex(columns=list(ZONES)).fillna(0)

    def percent(v):
        return fmt.persen(v, 0)

    return _("Pangsa zona per tahun, {first}-{last}: zona hijau {extremes}; {last}: {shares}.").format(
        first=years[0], last=years[-1], extremes=extremes(zip(years, shares["hijau"], strict=True), percent, by_year=True),
        shares=", ".join(f"{labels.value(labels.ZONE, zone)} {percent(v)}" for zone, v in shares.iloc[-1].items()))


def tile_map_alt(names, means, year: int) -> str:
    """Alt text of tile_map(): how many provinces have a mean score, and the highest and lowest."""
    pairs = list(zip(names, means, strict=True))
    assessed = sum(not fmt.is_missing(v) for _, v in pairs)
    return _("Rata-rata nilai {year} per provinsi ({n} dari {total} provinsi punya nilai): {extremes}.").format(
        year=year, n=assessed, total=len(pairs), extremes=extremes(pairs))


def trajectory_alt(entity: str, history: pd.DataFrame) -> str:
    """Alt text of trajectory(): the years shown and the highest and lowest score."""
    known = history[history["score"].notna()].sort_values("year")
    years = [str(int(y)) for y in known["year"]]
    span = f", {years[0]}-{years[-1]}" if years else ""
    return _("Nilai {entity} per tahun{span}: {extremes}.").format(
        entity=entity, span=span, extremes=extremes(zip(years, known["score"], strict=True), by_year=True))


def rank_history_alt(entity: str, ranks: pd.DataFrame) -> str:
    """Alt text of rank_history(): the best (lowest) and worst provincial and national rank, with their years."""
    parts = []
    for column, where in (("rank_province", _("di provinsi")), ("rank_national", _("nasional"))):
        known = ranks[ranks[column].notna()].astype({column: int})
        if not known.empty:
            best, worst = known.loc[known[column].idxmin()], known.loc[known[column].idxmax()]
            parts.append(_("{where} terbaik {best} ({best_year}), terburuk {worst} ({worst_year})").format(
                where=where, best=best[column], best_year=int(best["year"]), worst=worst[column],
                worst_year=int(worst["year"])))
    return _("Peringkat {entity} per tahun: {ranks}.").format(entity=entity, ranks="; ".join(parts) or _("tidak ada peringkat"))


def _decimal_axis(ax, axis: str = "x") -> None:
    formatter = matplotlib.ticker.FuncFormatter(lambda v, _: fmt.angka(v, 0))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)


def dumbbell(table: pd.DataFrame, year: int, year_prev: int | None):
    """Every entity from last assessed year's score to this year's, sorted, coloured by direction.

    ``table``: entity, score, score_prev, direction, delta. Each row is labelled with its change in
    words, so the chart reads without colour.
    """
    rows = table[table["score"].notna()].sort_values("score")
    fig, ax = plt.subplots(figsize=(7.2, 0.34 * len(rows) + 1.0))
    for i, row in enumerate(rows.itertuples()):
        shade = direction_colour(row.direction)
        if not fmt.is_missing(row.score_prev):
            ax.plot([row.score_prev, row.score], [i, i], color=shade, lw=2, alpha=.8)
            ax.plot(row.score_prev, i, "o", mfc=LIGHT, mec=shade, ms=6)
        ax.plot(row.score, i, "o", color=shade, ms=7)
        note = fmt.arah(row.direction) + ("" if fmt.is_missing(row.delta) else f" {fmt.selisih(row.delta)}")
        ax.annotate(f"{fmt.skor(row.score)}  {note}", (101, i), va="center", fontsize=8, color=shade,
                    annotation_clip=False)
    ax.set_yticks(range(len(rows)), [str(e) for e in rows["entity"]])
    ax.set_xlim(min(40, float(rows[["score", "score_prev"]].min().min() or 40) - 2), 100)
    _decimal_axis(ax)
    ax.set_xlabel(_("nilai {year_prev} (lingkaran kosong) → {year} (lingkaran penuh)").format(
        year_prev=year_prev or "", year=year).replace("  ", " "))
    ax.grid(axis="x", color=GRID)
    return fig


def heatmap(matrix: pd.DataFrame, *, vmin: float, vmax: float, labels: pd.DataFrame, xlabel: str = ""):
    """Rows x columns coloured by value (red-yellow-green), each cell labelled; missing cells say '–'."""
    values = matrix.to_numpy(dtype=float, na_value=np.nan)
    missing = np.isnan(values)
    fig, ax = plt.subplots(figsize=(1.0 + 0.95 * matrix.shape[1] + 1.6, 0.36 * matrix.shape[0] + 1.2))
    # seaborn picks each label's colour (dark or light) from its cell's colour; masked cells get none.
    sns.heatmap(pd.DataFrame(values, index=[str(r) for r in matrix.index], columns=[str(c) for c in matrix.columns]),
                mask=missing, cmap=SCORE_CMAP, vmin=vmin, vmax=vmax, annot=labels.to_numpy(dtype=object), fmt="",
                annot_kws={"fontsize": 8.5}, cbar=False, ax=ax)
    for i, j in zip(*np.nonzero(missing), strict=True):
        ax.text(j + .5, i + .5, "–", ha="center", va="center", fontsize=8.5, color=TEXT)
    ax.set_xticklabels(ax.get_xticklabels(), rotation=35, ha="right")
    ax.set_yticklabels(ax.get_yticklabels(), rotation=0)
    ax.set_facecolor(colour("zona-tidak-ada-latar"))  # a cell without a value
    ax.tick_params(length=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    return fig


def zone_bars(shares: pd.DataFrame):
    """Stacked bars of zone shares per year (rows: years; columns: hijau, kuning, merah; 0-1)."""
    fig, ax = plt.subplots(figsize=(7.0, 3.2))
    bottom = np.zeros(len(shares))
    x = np.arange(len(shares))
    for zone in ZONES:
        values = shares.get(zone, pd.Series(0.0, index=shares.index)).fillna(0).to_numpy(dtype=float)
        name = labels.value(labels.ZONE, zone)
        ax.bar(x, values, bottom=bottom, color=ZONE_COLOUR[zone], hatch=ZONE_HATCH[zone], edgecolor=LIGHT,
               label=name, width=.65)
        for xi, b, v in zip(x, bottom, values, strict=True):
            if v >= .10:  # two lines of 7 pt text need a tenth of the axis height
                ax.text(xi, b + v / 2, f"{name}\n{fmt.persen(v, 0)}", ha="center", va="center", fontsize=7,
                        color=LIGHT if zone != "kuning" else TEXT)
        bottom += values
    ax.set_xticks(x, [str(y) for y in shares.index])
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt.persen(v, 0)))
    ax.legend(ncols=3, loc="upper center", bbox_to_anchor=(.5, -0.1), frameon=False)
    return fig


def tile_map(tiles: pd.DataFrame, *, vmin: float = 50, vmax: float = 100):
    """The 38 provinces as a tile grid: colour = mean score, text = abbreviation, mean, share green.

    ``tiles``: abbrev, row, col, mean, share_green (missing mean: grey tile, 'tidak dinilai').
    """
    fig, ax = plt.subplots(figsize=(10.0, 5.8))
    for t in tiles.itertuples():
        known = not fmt.is_missing(t.mean)
        fill = SCORE_CMAP((float(t.mean) - vmin) / (vmax - vmin)) if known else colour("petak-kosong")
        ax.add_patch(plt.Rectangle((t.col, -t.row), .94, .94, color=fill, ec=LIGHT))
        dark = known and abs(float(t.mean) - (vmin + vmax) / 2) > (vmax - vmin) * 0.3
        body = (_("{mean}\n{share} hijau").format(mean=fmt.angka(t.mean, 1), share=fmt.persen(t.share_green, 0)) if known
                else fmt.not_assessed().replace(" ", "\n", 1))
        ax.text(t.col + .47, -t.row + .68, t.abbrev, ha="center", va="center", fontsize=7.5, weight="bold",
                color=LIGHT if dark else TEXT)
        ax.text(t.col + .47, -t.row + .3, body, ha="center", va="center", fontsize=6.5,
                color=LIGHT if dark else TEXT)
    ax.set_xlim(-.1, tiles["col"].max() + 1)
    ax.set_ylim(-tiles["row"].max() - .1, 1)
    ax.set_aspect("equal")
    ax.axis("off")
    scale = plt.cm.ScalarMappable(cmap=SCORE_CMAP, norm=plt.Normalize(vmin, vmax))
    bar = fig.colorbar(scale, cax=ax.inset_axes((.55, .12, .4, .035)), orientation="horizontal")
    bar.set_label(_("rata-rata nilai"))
    return fig


def trajectory(history: pd.DataFrame, eras: list[tuple[int, str]], year: int):
    """An entity's score over every assessed year; a dashed line and label where the method changes.

    ``history``: year, score, zone (missing years are gaps). ``eras``: (first year, label) per era.
    """
    history = history.sort_values("year")
    fig, ax = plt.subplots(figsize=(7.2, 3.0))
    known = history[history["score"].notna()]
    ax.plot(known["year"].astype(int), known["score"].astype(float), color=MUTED, lw=1.2, zorder=1)
    for row in known.itertuples():
        ax.plot(int(row.year), float(row.score), "o", ms=8 if row.year == year else 6,
                color=ZONE_COLOUR.get(row.zone, MUTED), mec=TEXT, zorder=2)
        ax.annotate(f"{fmt.skor(row.score)}\n{labels.value(labels.ZONE, row.zone) if not fmt.is_missing(row.zone) else ''}",
                    (int(row.year), float(row.score)), textcoords="offset points", xytext=(0, 8), ha="center",
                    fontsize=7)
    for first, label in eras[1:]:
        ax.axvline(first - .5, color=colour("era-garis"), ls="--", lw=1)
        ax.text(first - .45, 3, label, rotation=90, fontsize=7, color=colour("era-teks"), va="bottom")
    years = [int(y) for y in history["year"]]
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_ylim(0, 110)
    _decimal_axis(ax, "y")
    ax.set_ylabel(_("nilai"))
    ax.grid(axis="y", color=GRID)
    return fig


def rank_history(ranks: pd.DataFrame):
    """Provincial and national rank per year (1 at the top); rows: year, rank_province, rank_national."""
    fig, axes = plt.subplots(1, 2, figsize=(7.2, 2.6))
    for ax, column, title in zip(axes, ("rank_province", "rank_national"),
                                 (_("Peringkat di provinsi"), _("Peringkat nasional (per jenis)")), strict=True):
        known = ranks[ranks[column].notna()]
        ax.set_title(title, fontsize=9)
        if known.empty:  # said in words: an empty axis would show a scale of nothing
            ax.set_axis_off()
            ax.text(.5, .5, fmt.not_available(), transform=ax.transAxes, ha="center", va="center", color=MUTED)
            continue
        ax.plot(known["year"].astype(int), known[column].astype(int), "o-", color=colour("aksen"))
        for row in known.itertuples():
            ax.annotate(str(int(getattr(row, column))), (int(row.year), int(getattr(row, column))),
                        textcoords="offset points", xytext=(0, 6), ha="center", fontsize=7)
        ax.invert_yaxis()
        ax.set_xticks([int(y) for y in ranks["year"]], [str(int(y)) for y in ranks["year"]])
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    return fig
