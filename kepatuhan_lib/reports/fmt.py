"""Figures and words in the report's language (Babel, locale id or en): 90,02 or 90.02, dates, naik/turun, missing values."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from ..i18n import _, locale
from . import labels

# Message ids (Indonesian); the functions below give them in the report's language.
NOT_ASSESSED = labels.NOT_ASSESSED
NOT_AVAILABLE = labels.NOT_AVAILABLE
NOT_COMPUTED = labels.NOT_COMPUTED
NOT_PUBLISHED = labels.NOT_PUBLISHED
ARROWS = {"naik": "▲", "turun": "▼", "tetap": "▬", "baru dinilai": "●", "tidak dinilai": "–"}
BASIS_MARK = {"published": "P", "computed": "H", "synthetic": "S"}
DERIVED_MARK = "†"


def not_assessed() -> str:
    return _(NOT_ASSESSED)


def not_available() -> str:
    return _(NOT_AVAILABLE)


def not_computed() -> str:
    return _(NOT_COMPUTED)


def not_published() -> str:
    return _(NOT_PUBLISHED)


def derived_label() -> str:
    """What the mark † says."""
    return _(labels.DERIVED)


def basis_label(basis) -> str:
    """'dipublikasikan' for published, ...: what a mark P, H, S says."""
    return labels.value(labels.BASIS, basis)


def is_missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def angka(value, digits: int = 2, missing: str | None = None) -> str:
    """A figure in the report's language: 90,02 and 1.234,50 (Indonesian), 90.02 and 1,234.50 (English);
    missing -> ``missing`` (default: "tidak tersedia")."""
    if is_missing(value):
        return not_available() if missing is None else missing
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(float(value), format=pattern, locale=locale())


def skor(value, missing: str | None = None) -> str:
    """A score as published, two decimals: 90,02."""
    return angka(value, 2, missing)


def bilangan(value, missing: str | None = None) -> str:
    """A count: 1.234."""
    return angka(value, 0, missing)


def selisih(delta, missing: str | None = None) -> str:
    """A signed change: +29,67, −1,20 (true minus sign), 0,00."""
    if is_missing(delta):
        return not_available() if missing is None else missing
    zero = skor(0)
    return format_decimal(float(delta), format="+#,##0.00;−#,##0.00", locale=locale()).replace("+" + zero, zero)


def persen(share, digits: int = 1, missing: str | None = None) -> str:
    """A share 0-1 as a percentage: 45,5%."""
    if is_missing(share):
        return not_available() if missing is None else missing
    return format_percent(float(share), format="#,##0." + "0" * digits + "%", locale=locale())


def tanggal(moment: date | datetime) -> str:
    """A date as a reader writes it: 2 Februari 2024 (2 February 2024)."""
    return format_date(moment, "d MMMM y", locale=locale())


def waktu(moment: datetime) -> str:
    """A date and time, as a build time: 23 November 2026 14.05 (in English 14:05)."""
    return format_datetime(moment, "d MMMM y HH.mm" if locale() == "id" else "d MMMM y HH:mm", locale=locale())


def arah(direction) -> str:
    """A direction with its arrow: '▲ naik'; missing -> 'tidak tersedia'."""
    if is_missing(direction) or not direction:
        return not_available()
    return f"{ARROWS.get(direction, '')} {labels.value(labels.DIRECTION, direction)}".strip()


def perubahan_peringkat(change) -> str:
    """Rank change (positive = climbed): 'naik 2 peringkat', 'turun 1 peringkat', 'tetap'."""
    if is_missing(change):
        return not_available()
    change = int(change)
    if change == 0:
        return _("tetap")
    if change > 0:
        return _("naik {n} peringkat").format(n=change)
    return _("turun {n} peringkat").format(n=-change)


def kalimat_perubahan(entity: str, before, after, year_from: int, year_to: int) -> str:
    """'Kabupaten Mukomuko naik dari 60,35 (2022) menjadi 90,02 (2023)': the sentence a reader quotes."""
    if is_missing(after):
        return _("{entity}: nilai {year} {missing}.").format(
            entity=entity, year=year_to, missing=not_available() if not is_missing(before) else not_assessed())
    if is_missing(before):
        return _("{entity} mendapat nilai {score} pada {year}; nilai {year_from} {missing}.").format(
            entity=entity, score=skor(after), year=year_to, year_from=year_from, missing=not_available())
    delta = round(float(after) - float(before), 2)
    if delta == 0:
        return _("{entity} tetap pada {score} ({year_from} dan {year_to}).").format(
            entity=entity, score=skor(after), year_from=year_from, year_to=year_to)
    words = dict(entity=entity, before=skor(before), after=skor(after), year_from=year_from, year_to=year_to,
                 delta=skor(abs(delta)))
    if delta > 0:
        return _("{entity} naik dari {before} ({year_from}) menjadi {after} ({year_to}), bertambah {delta} poin.").format(
            **words)
    return _("{entity} turun dari {before} ({year_from}) menjadi {after} ({year_to}), berkurang {delta} poin.").format(
        **words)


def daftar(items: list[str]) -> str:
    """'a, b dan c' as the reader's language joins a list (English: 'a, b and c')."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + _(" dan ") + items[-1]
