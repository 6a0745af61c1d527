"""The rows each report reads (catalog.Rows), hashed once per build: a digest of just those rows per table,
for a report's key and its page's footer."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ... import keys as combination
from ..catalog import Rows


class TableRows:
    """One processed table, its rows hashed once (pandas' row hash, per set of columns read) and grouped
    once per set of ``by`` columns: the digest of a group is then a hash over a few row hashes."""

    def __init__(self, frame: pd.DataFrame | None):
        self.frame = frame  # None: the table is missing
        self._hashes: dict[tuple[str, ...], np.ndarray] = {}
        self._groups: dict[tuple[str, ...], Mapping[tuple, np.ndarray]] = {}
        self._columns: dict[Rows, tuple[str, ...]] = {}
        self._digests: dict[tuple[Rows, tuple], str | None] = {}
        self._values: dict[tuple, list] = {}
        self._arrays: dict[str, np.ndarray] = {}  # a column's values as Python objects, a missing one None

    @classmethod
    def read(cls, path: Path) -> TableRows:
        return cls(pd.read_parquet(path) if path.exists() else None)

    def groups(self, by: tuple[str, ...]) -> Mapping[tuple, np.ndarray]:
        """Key (the ``by`` values, a missing one None) -> positions of its rows, in table order."""
        if by not in self._groups:
            self._groups[by] = {} if self.frame is None else _groups(self.frame, by)
        return self._groups[by]

    def keys(self, by: tuple[str, ...]) -> list[tuple]:
        return list(self.groups(by))

    def values(self, by: tuple[str, ...], keys: Iterable[tuple], column: str) -> list:
        """The distinct values of ``column`` in the groups ``keys`` (missing values left out)."""
        keys = tuple(keys)
        memo = (by, keys, column)
        if memo not in self._values:
            groups = self.groups(by)
            rows = [groups[k] for k in keys if k in groups]
            if column not in self._arrays:
                self._arrays[column] = self.frame[column].to_numpy(dtype=object, na_value=None)
            found = self._arrays[column][np.concatenate(rows)] if rows else ()
            self._values[memo] = list(dict.fromkeys(v for v in found if v is not None))
        return self._values[memo]

    def digest(self, rows: Rows, key: tuple) -> str | None:
        """A hash of the group ``key`` of ``rows.by``: of the columns ``rows`` reads of its rows, or (reading
        none) of how many there are; None: no such rows."""
        memo = (rows, key)
        if memo not in self._digests:
            found = self.groups(rows.by).get(key)
            if found is None:
                self._digests[memo] = None
            else:
                columns = self.columns_read(rows)
                content = ("\0".join(columns).encode() + self._row_hashes(columns)[found].tobytes() if columns
                           else f"{len(found)} rows".encode())
                self._digests[memo] = hashlib.sha256(content).hexdigest()
        return self._digests[memo]

    def columns_read(self, rows: Rows) -> tuple[str, ...]:
        """The columns ``rows`` reads."""
        if rows not in self._columns:
            self._columns[rows] = rows.columns if rows.columns is not None else tuple(
                c for c in self.frame.columns if c not in rows.ignore)
        return self._columns[rows]

    def _row_hashes(self, columns: tuple[str, ...]) -> np.ndarray:
        if columns not in self._hashes:
            self._hashes[columns] = pd.util.hash_pandas_object(self.frame[list(columns)], index=False).to_numpy()
        return self._hashes[columns]


class _Groups(Mapping):
    """Key -> positions of its rows, in table order: slices of one sort of the table, taken when asked for."""

    def __init__(self, order: np.ndarray, bounds: np.ndarray, keys: list[tuple]):
        self._order, self._bounds = order, bounds
        self._index = {key: i for i, key in enumerate(keys)}

    def __getitem__(self, key: tuple) -> np.ndarray:
        i = self._index[key]
        return self._order[self._bounds[i]:self._bounds[i + 1]]

    def __iter__(self):
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def _groups(frame: pd.DataFrame, by: tuple[str, ...]) -> Mapping[tuple, np.ndarray]:
    """The positions of the rows of each distinct combination of ``by`` (a missing value None), keyed by it."""
    if not by:
        return {(): np.arange(len(frame))}
    if frame.empty:
        return {}
    codes, uniques = zip(*(pd.factorize(frame[c], use_na_sentinel=True) for c in by), strict=True)
    group = combination.mixed_radix(iter(codes))
    order = np.argsort(group, kind="stable")
    starts = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1]])
    firsts = order[starts]
    columns = [[None if c < 0 else values[c] for c in column[firsts]]
               for column, values in zip(codes, (list(u) for u in uniques), strict=True)]
    return _Groups(order, np.r_[starts, len(order)], list(zip(*columns, strict=True)))


def table_digests(reads: tuple[Rows, ...], params: dict, tables: Callable[[str], TableRows],
                  names: Iterable[str]) -> dict[str, str]:
    """Per processed table in ``names``: one digest over the rows a job reads of it (the digests of the
    groups read, with their keys): the same rows, the same digest, whatever else changes."""
    parts: dict[str, list] = {name: [] for name in names}
    for i, rows in enumerate(reads):
        table = tables(rows.table)
        for key in rows.keys(params, tables):
            parts[rows.table].append([i, [_plain(k) for k in key], table.digest(rows, tuple(key))])
    return {name: hashlib.sha256(json.dumps(found).encode()).hexdigest() for name, found in parts.items()}


def selections(reads: tuple[Rows, ...], params: dict, tables: Callable[[str], TableRows],
               name: str) -> list[tuple[np.ndarray, tuple[str, ...]]]:
    """What a job reads of table ``name``: per group of rows it selects, their positions and the columns
    it reads of them (the ``by`` columns among them)."""
    table = tables(name)
    return [(table.groups(rows.by)[key], (*rows.by, *table.columns_read(rows)))
            for rows in reads if rows.table == name
            for key in map(tuple, rows.keys(params, tables)) if key in table.groups(rows.by)]


def rows_read(reads: tuple[Rows, ...], params: dict, tables: Callable[[str], TableRows], name: str) -> int:
    """How many rows of table ``name`` a job reads (each once, whichever of ``reads`` selects it)."""
    found = [positions for positions, _columns in selections(reads, params, tables, name)]
    return len(np.unique(np.concatenate(found))) if found else 0


def _plain(value):
    """A key's value as JSON: numpy numbers as Python's."""
    return value.item() if hasattr(value, "item") else value
