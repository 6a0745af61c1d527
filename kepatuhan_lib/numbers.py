"""Indonesian number parsing, vectorised: `90,02`, `1.234,5`, `90.02`, `85%`, NBSP around, `-`/`n/a` as missing."""

from __future__ import annotations

import numpy as np
import pandas as pd

EXAMPLE = "90,02"
# Cell texts that mean "no value" (compared after trimming, case-insensitively).
MISSING_TOKENS = ("", "-", "–", "—", "n/a", "na", "#n/a", "null")

# Accepted spellings, tried in this order on the text without surrounding spaces and `%`:
_COMMA_DECIMAL = r"[+-]?\d+(?:,\d+)?"  # 90,02 and 90 (Indonesian)
_DOT_THOUSANDS = r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?"  # 1.234,5 and 1.234 (Indonesian)
_DOT_DECIMAL = r"[+-]?(?:\d+\.\d*|\.\d+)"  # 90.02, 0.125 (what a non-Indonesian export writes)
_COMMA_THOUSANDS = r"[+-]?[1-9]\d{0,2}(?:,\d{3})+\.\d+"  # 1,234.5 (a dot after commas: English)
# One dot before three digits and no comma: 3.000 is 3000 by the Indonesian rule but 3 as a decimal.
_ONE_DOT_GROUP = r"[+-]?[1-9]\d{0,2}\.\d{3}"
_SPACES = "\\s\u00a0\u202f"


def is_missing(values: pd.Series) -> pd.Series:
    """True where a cell text is empty or a missing-value token (`-`, `n/a`...)."""
    text = _as_text(values).str.replace("[\\s\u00a0\u202f]+", "", regex=True)
    return (text.isna() | text.str.lower().isin(MISSING_TOKENS)).fillna(True).astype(bool)


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse cell texts as numbers the way an Indonesian spreadsheet writes them.

    Returns ``(numbers, unparseable)``: ``numbers`` is Float64 with <NA> for missing and for
    unparseable cells; ``unparseable`` is a boolean Series, True where a value is present but
    is not a number. A single dot is a decimal point unless it groups thousands the
    Indonesian way (``1.234`` is 1234, ``0.125`` and ``90.02`` are decimals); a comma is
    always a decimal comma unless a dot follows it (``1,234.5``). Spaces (NBSP too) may
    surround the number and precede ``%``; a space inside it (``8 5``, ``2 024``) makes it
    unparseable.
    Works on the distinct values only, so a column of millions of repeated cells is cheap.
    """
    codes, uniques = pd.factorize(_as_text(values), use_na_sentinel=True)
    parsed, bad = _parse_unique(pd.Series(uniques, dtype=pd.StringDtype()))
    taken = np.where(codes >= 0, codes, 0)
    present = codes >= 0
    numbers = np.where(present, parsed[taken], np.nan) if len(parsed) else np.full(len(codes), np.nan)
    unparseable = present & (bad[taken] if len(bad) else False)
    return (
        pd.Series(pd.array(numbers, dtype="Float64"), index=values.index, name=values.name),
        pd.Series(unparseable, index=values.index, name=values.name, dtype=bool),
    )


def ambiguous_thousands(values: pd.Series) -> pd.Series:
    """True where a number reads differently by the dot-thousands and the decimal-dot rule (``3.000``)."""
    return _compact(_as_text(values)).str.fullmatch(_ONE_DOT_GROUP).fillna(False).astype(bool)


def _compact(text: pd.Series) -> pd.Series:
    """The number's text: surrounding spaces and a trailing `%` removed, the typographic minus as `-`."""
    return (
        text.str.replace(f"^[{_SPACES}]+|[{_SPACES}]*%?[{_SPACES}]*$", "", regex=True)
        .str.replace("\u2212", "-", regex=False)
    )


def _parse_unique(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parsed float (NaN if missing or bad) and is-bad flag of each distinct cell text."""
    compact = _compact(text)
    missing = compact.str.lower().isin(MISSING_TOKENS).to_numpy(dtype=bool, na_value=True)
    comma_decimal = compact.str.fullmatch(_COMMA_DECIMAL).to_numpy(dtype=bool, na_value=False)
    dot_thousands = compact.str.fullmatch(_DOT_THOUSANDS).to_numpy(dtype=bool, na_value=False)
    dot_decimal = compact.str.fullmatch(_DOT_DECIMAL).to_numpy(dtype=bool, na_value=False) & ~dot_thousands
    comma_thousands = compact.str.fullmatch(_COMMA_THOUSANDS).to_numpy(dtype=bool, na_value=False)

    normal = pd.Series(pd.NA, index=text.index, dtype=pd.StringDtype())
    normal = normal.mask(comma_decimal, compact.str.replace(",", ".", regex=False))
    normal = normal.mask(dot_thousands, compact.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    normal = normal.mask(dot_decimal, compact)
    normal = normal.mask(comma_thousands, compact.str.replace(",", "", regex=False))
    parsed = pd.to_numeric(normal, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~missing & np.isnan(parsed)
    return parsed, bad


def _as_text(values: pd.Series) -> pd.Series:
    return values if isinstance(values.dtype, pd.StringDtype) else values.astype(pd.StringDtype())
