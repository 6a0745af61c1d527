"""Declared export layouts (data/column_mappings/*.toml) and finding a table's header row among them."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass

from .. import config, schemas
from ..errors import KepatuhanError, Problem

HEADER_SEARCH_ROWS = 30  # a header row is looked for this far down (title rows sit above it)
MIN_HEADER_MATCHES = 3  # known column headers a row needs to count as a table's header

_KNOWN_COLUMNS = {
    "units": {"year", "province", "entity_type", "entity", "entity_code", "unit", "input", "proses", "output",
              "pengaduan", "nilai", "koreksi", "kepercayaan", "tingkat_kepatuhan", "tanpa_maladministrasi",
              "synthetic"},
    "answers": {"year", "province", "entity_type", "entity", "entity_code", "unit", "dimension", "variable",
                "indicator_code", "indicator", "respondent", "weight", "score", "synthetic"},
}


_INVISIBLE = re.compile(r"[\ufeff\u200b\u200c\u200d\u2060]")
_SPACING = re.compile(r"[\s\u00a0\u202f_]+")


def normalise_header(text: object) -> str:
    """A header as compared with the declared variants: case, spacing, NBSP, `_`, BOM and zero-width ignored."""
    text = str(text)
    return _normalised_header(text) if len(text) <= 200 else _normalise(text)


def _normalise(text: str) -> str:
    return _SPACING.sub(" ", _INVISIBLE.sub("", text)).strip().strip(":*").strip().casefold()


_normalised_header = functools.lru_cache(maxsize=4096)(_normalise)  # the rows searched repeat most of their cells


@dataclass(frozen=True)
class Layout:
    """One declared source layout: which headers mean which canonical column."""

    name: str
    kind: str  # "units" or "answers"
    title: str
    required: tuple[str, ...]
    required_any: tuple[tuple[str, ...], ...]
    variants: dict[str, tuple[str, ...]]  # canonical column -> header variants as declared

    @functools.cached_property
    def lookup(self) -> dict[str, str]:
        return {normalise_header(v): column for column, names in self.variants.items() for v in names}

    def label(self, column: str) -> str:
        """The column's header in the project's own format (its first declared variant)."""
        return self.variants[column][0]

    def missing(self, found: set[str]) -> list[str]:
        """Required columns (or the best required group) not among ``found``."""
        missing = [c for c in self.required if c not in found]
        if self.required_any and not any(set(group) <= found for group in self.required_any):
            group = min(self.required_any, key=lambda g: len(set(g) - found))
            missing += [c for c in group if c not in found]
        return missing


@functools.cache
def layouts() -> tuple[Layout, ...]:
    """Every declared layout, recaps first; a malformed declaration is an error of the project."""
    found = []
    for path in sorted(config.COLUMN_MAPPINGS_DIR.glob("*.toml")):
        where = config.display_path(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
            kind, columns = raw["kind"], raw["columns"]
            layout = Layout(
                name=path.stem, kind=kind, title=raw["title"], required=tuple(raw["required"]),
                required_any=tuple(tuple(g) for g in raw.get("required_any", [])),
                variants={c: tuple(v) for c, v in columns.items()},
            )
        except (tomllib.TOMLDecodeError, KeyError, TypeError) as err:
            raise KepatuhanError(f"{where}: invalid column mapping: {err}") from None
        unknown = set(layout.variants) - _KNOWN_COLUMNS.get(kind, set())
        if set(layout.variants) - unknown - set(schemas.MAX_CHARS):
            raise KepatuhanError(f"{where}: columns without a length limit in schemas.MAX_CHARS: "
                                 f"{sorted(set(layout.variants) - unknown - set(schemas.MAX_CHARS))}")
        needed = set(layout.required) | {c for g in layout.required_any for c in g}
        if kind not in _KNOWN_COLUMNS or unknown or not needed <= set(layout.variants):
            raise KepatuhanError(f"{where}: invalid column mapping: kind {kind!r}, unknown columns "
                                 f"{sorted(unknown)}, required but not mapped {sorted(needed - set(layout.variants))}")
        found.append(layout)
    if not found:
        raise KepatuhanError(f"no column mappings (*.toml) in {config.display_path(config.COLUMN_MAPPINGS_DIR)}")
    return tuple(sorted(found, key=lambda lay: (lay.kind != "units", lay.name)))


def header_cells(row: list) -> list[str | None]:
    return [None if v is None or str(v).strip() == "" else str(v).strip() for v in row]


def find_header(grid: list[list[str | None]]) -> tuple[int, Layout, dict[int, str], list[str]] | None:
    """The header row among the first rows: (index, layout, {column index: canonical}, headers).

    The row with the most known headers wins (at least MIN_HEADER_MATCHES); a row just below
    with as many (a two-row header whose labels are merged down) is taken instead. An empty
    cell takes the label above it (a two-row header whose single-row labels sit on top).
    """
    best = None
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        above = grid[i - 1] if i else []
        labels = [cell if cell else (above[j] if j < len(above) else None) for j, cell in enumerate(row)]
        normalised = [normalise_header(label) if label else None for label in labels]  # once, for every layout
        for layout in layouts():
            mapping = {}
            for j, label in enumerate(normalised):
                column = layout.lookup.get(label) if label else None
                if column and column not in mapping.values():
                    mapping[j] = column
            score = (not layout.missing(set(mapping.values())), len(mapping))
            if len(mapping) >= MIN_HEADER_MATCHES and (best is None or score > best[0]
                                                        or (score == best[0] and i == best[1] + 1)):
                best = (score, i, layout, mapping, labels)
    if best is None:
        return None
    _, i, layout, mapping, labels = best
    return i, layout, mapping, [label or "" for label in labels]


def not_a_table(file: str) -> Problem:
    expected = "; or ".join(
        f"{lay.title}: {', '.join(lay.label(c) for c in (*lay.required, *(g[0] for g in lay.required_any)))}"
        for lay in layouts())
    return Problem(file, f"no table of assessment exports found: no row among the first {HEADER_SEARCH_ROWS} "
                         f"has the expected column headers ({expected})")
