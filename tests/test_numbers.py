"""Indonesian number parsing: what a regional office's spreadsheet writes, and what is refused."""

from __future__ import annotations

import pandas as pd
import pytest

from kepatuhan_lib.numbers import ambiguous_thousands, is_missing, parse_numbers


@pytest.mark.parametrize("text, expected", [
    ("90,02", 90.02),  # decimal comma
    ("1.234,5", 1234.5),  # dot thousands, decimal comma
    ("1.234.567,25", 1234567.25),
    ("90.02", 90.02),  # dot decimal: a dot not grouping three digits
    ("0.125", 0.125),  # a leading 0 never starts a thousands group
    ("1.234", 1234.0),  # Indonesian locale: the dot groups thousands
    ("1,234.5", 1234.5),  # English: a dot after comma groups
    ("85%", 85.0),
    ("85 %", 85.0),
    ("\u00a090,02\u00a0", 90.02),  # NBSP around the value
    ("  7 ", 7.0),
    ("-3,5", -3.5),
    ("\u22123,5", -3.5),  # typographic minus
    ("0", 0.0),
])
def test_parses_indonesian_and_plain_numbers(text, expected):
    numbers, bad = parse_numbers(pd.Series([text]))
    assert numbers.iloc[0] == pytest.approx(expected)
    assert not bad.iloc[0]


@pytest.mark.parametrize("text", ["", "-", "n/a", "N/A", "  -  ", "\u2013", None])
def test_missing_markers_are_missing_not_errors(text):
    numbers, bad = parse_numbers(pd.Series([text], dtype=object))
    assert pd.isna(numbers.iloc[0])
    assert not bad.iloc[0]
    assert is_missing(pd.Series([text], dtype=object)).iloc[0]


@pytest.mark.parametrize("text", ["abc", "1.2.3", "12,5,1", "90,02x", "sembilan puluh", "12,",
                                  "8 5", "2 024", "1\u00a0234,5", "90, 02", "8%5"])  # a space or % inside
def test_text_is_flagged_unparseable(text):
    numbers, bad = parse_numbers(pd.Series([text]))
    assert pd.isna(numbers.iloc[0])
    assert bad.iloc[0]


def test_vectorised_result_keeps_index_name_and_float64_dtype():
    """Parsing works on distinct values; pins that each row still gets its own value back."""
    values = pd.Series(["90,02", "abc", "90,02", None, "1.234,5", "abc"], index=list("abcdef"), name="Nilai")
    numbers, bad = parse_numbers(values)
    assert numbers.dtype == "Float64" and bad.dtype == bool
    assert list(numbers.index) == list("abcdef") and numbers.name == "Nilai"
    assert numbers.tolist()[0] == 90.02 and numbers.tolist()[2] == 90.02 and numbers.tolist()[4] == 1234.5
    assert numbers.isna().tolist() == [False, True, False, True, False, True]
    assert bad.tolist() == [False, True, False, False, False, True]


def test_string_dtype_input():
    numbers, bad = parse_numbers(pd.Series(["21,85", "<NA>", pd.NA], dtype=pd.StringDtype()))
    assert numbers.iloc[0] == 21.85
    assert bad.tolist() == [False, True, False]


def test_one_dot_before_three_digits_is_ambiguous():
    """Pins which texts two number rules read differently: 3.000 is 3000 (Indonesian) or 3 (decimal dot)."""
    texts = pd.Series(["3.000", " 1.234 ", "-2.024", "1.234,5", "1.234.567", "0.125", "90.02", "3,000", "3000"])
    assert ambiguous_thousands(texts).tolist() == [True, True, True, False, False, False, False, False, False]
