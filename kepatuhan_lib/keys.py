"""Integer keys for combinations of coded columns: grouping millions of rows without tuples."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd


def mixed_radix(codes: Iterable[np.ndarray]) -> np.ndarray:
    """One integer (not dense) per distinct combination of several integer code arrays (-1 allowed).

    ``codes`` is consumed one array at a time, so a generator holds one column's codes at once.
    """
    key, radix, offset = None, 1, 0
    for k in codes:
        if key is None:
            key = np.zeros(len(k), dtype=np.int64)
        size = int(k.max(initial=-1)) + 2
        if size == 1:  # every code -1: the same in every row
            continue
        if radix * size >= 2**62:  # renumber before the mixed-radix number could overflow
            key = pd.factorize(key + offset)[0].astype(np.int64)
            radix, offset = int(key.max(initial=0)) + 1, 0
        key *= size
        key += k
        offset = offset * size + 1  # the +1 of every code (-1 -> 0), added once at the end
        radix *= size
    return key + offset if key is not None else np.zeros(0, dtype=np.int64)


def codes_of(column: pd.Series) -> np.ndarray:
    """An integer code per row, one per distinct value (-1: missing): a categorical's own codes, else factorized."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy()
    return pd.factorize(column, use_na_sentinel=True)[0]


def combination_key(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """One integer (not dense) per distinct combination of ``columns``; a missing value is a value of its own."""
    return mixed_radix(codes_of(frame[c]) for c in columns)


def run_starts(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Positions of the rows that differ from the row above in any of ``columns`` (0 included).

    The rows of one group mostly come together (a unit's answers, an indicator's respondents), so
    working on these runs rather than on every row leaves a fraction of the rows to hash or sort.
    """
    arrays = []
    for name in columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            arrays.append(column.cat.codes.to_numpy())
        elif pd.api.types.is_integer_dtype(column.dtype):  # compared as numbers, <NA> apart: no hashing
            arrays += [column.to_numpy(dtype=np.int64, na_value=0), column.isna().to_numpy()]
        else:
            arrays.append(pd.factorize(column, use_na_sentinel=True)[0])
    return _starts(arrays, len(frame))


def dense_codes(codes: list[np.ndarray]) -> np.ndarray:
    """One code per distinct combination of integer code arrays (-1 allowed), 0, 1, ... in order of first
    appearance: hashed once per run of rows that repeat the row above, not once per row."""
    n = len(codes[0]) if codes else 0
    starts = _starts(codes, n)
    per_run = pd.factorize(mixed_radix(k[starts] for k in codes))[0].astype(np.int64)
    return np.repeat(per_run, np.diff(np.append(starts, n)))


def _starts(arrays: list[np.ndarray], n: int) -> np.ndarray:
    change = np.zeros(n, dtype=bool)
    change[:1] = True
    for values in arrays:
        change[1:] |= values[1:] != values[:-1]
    return np.flatnonzero(change)
