"""Indonesian wording for reports (Babel, locale id): 90,02, dates, naik/turun, missing values."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

LOCALE = "id"
NOT_ASSESSED = "tidak dinilai"  # no assessment that year
NOT_AVAILABLE = "tidak tersedia"  # assessed, but the figure is not known
NOT_COMPUTED = "tidak dihitung"  # rows of the entity were rejected: no score from the rest
NOT_PUBLISHED = "nilai tidak dipublikasikan"  # a published zone or rank whose source gives no score
ARROWS = {"naik": "▲", "turun": "▼", "tetap": "▬", "baru dinilai": "●", "tidak dinilai": "–"}
BASIS_MARK = {"published": "P", "computed": "H", "synthetic": "S"}
BASIS_LABEL = {"published": "dipublikasikan", "computed": "dihitung", "synthetic": "sintetis"}
DERIVED_MARK = "†"
DERIVED_LABEL = "dihitung dari angka yang ditampilkan dalam laporan ini"
RULE_LABEL = {  # methodology TOML `about`
    "bands": "rentang nilai", "caps": "batas poin dimensi", "scale": "skala",
    "lowest-band": "label di bawah 32,00", "tm": "Tanpa Maladministrasi", "entity-score": "nilai entitas",
}
CONFIDENCE_LABEL = {"HIGH": "tinggi", "MED": "sedang", "LOW": "rendah"}


def is_missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def angka(value, digits: int = 2, missing: str = NOT_AVAILABLE) -> str:
    """A figure with a decimal comma and dot thousands: 90,02 and 1.234,50; missing -> ``missing``."""
    if is_missing(value):
        return missing
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(float(value), format=pattern, locale=LOCALE)


def skor(value, missing: str = NOT_AVAILABLE) -> str:
    """A score as published, two decimals: 90,02."""
    return angka(value, 2, missing)


def bilangan(value, missing: str = NOT_AVAILABLE) -> str:
    """A count: 1.234."""
    return angka(value, 0, missing)


def selisih(delta, missing: str = NOT_AVAILABLE) -> str:
    """A signed change: +29,67, −1,20 (true minus sign), 0,00."""
    if is_missing(delta):
        return missing
    return format_decimal(float(delta), format="+#,##0.00;−#,##0.00", locale=LOCALE).replace("+0,00", "0,00")


def persen(share, digits: int = 1, missing: str = NOT_AVAILABLE) -> str:
    """A share 0-1 as a percentage: 45,5%."""
    if is_missing(share):
        return missing
    return format_percent(float(share), format="#,##0." + "0" * digits + "%", locale=LOCALE)


def tanggal(moment: date | datetime) -> str:
    """A date as an Indonesian reader writes it: 2 Februari 2024."""
    return format_date(moment, "d MMMM y", locale=LOCALE)


def waktu(moment: datetime) -> str:
    """A date and time, as a build time: 23 November 2026 14.05."""
    return format_datetime(moment, "d MMMM y HH.mm", locale=LOCALE)


def arah(direction) -> str:
    """A direction with its arrow: '▲ naik'; missing -> 'tidak tersedia'."""
    if is_missing(direction) or not direction:
        return NOT_AVAILABLE
    return f"{ARROWS.get(direction, '')} {direction}".strip()


def perubahan_peringkat(change) -> str:
    """Rank change (positive = climbed): 'naik 2 peringkat', 'turun 1 peringkat', 'tetap'."""
    if is_missing(change):
        return NOT_AVAILABLE
    change = int(change)
    if change == 0:
        return "tetap"
    return f"{'naik' if change > 0 else 'turun'} {abs(change)} peringkat"


def kalimat_perubahan(entity: str, before, after, year_from: int, year_to: int) -> str:
    """'Kabupaten Mukomuko naik dari 60,35 (2022) menjadi 90,02 (2023)': the sentence a reader quotes."""
    if is_missing(after):
        return f"{entity}: nilai {year_to} {NOT_AVAILABLE if not is_missing(before) else NOT_ASSESSED}."
    if is_missing(before):
        return f"{entity} mendapat nilai {skor(after)} pada {year_to}; nilai {year_from} {NOT_AVAILABLE}."
    delta = round(float(after) - float(before), 2)
    if delta == 0:
        return f"{entity} tetap pada {skor(after)} ({year_from} dan {year_to})."
    verb = "naik" if delta > 0 else "turun"
    return (f"{entity} {verb} dari {skor(before)} ({year_from}) menjadi {skor(after)} ({year_to}), "
            f"{'bertambah' if delta > 0 else 'berkurang'} {skor(abs(delta))} poin.")


def daftar(items: list[str]) -> str:
    """'a, b dan c' as Indonesian joins a list."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " dan " + items[-1]
