"""The checks of a table's rows: entity, unit, year and era; the numbers against the era's scale,
caps and parts; answers; cells too long or damaged; duplicate rows. Each check adds its problems
to a `Found`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import methodology, schemas
from ..errors import KepatuhanError, UnknownEntityError
from ..keys import dense_codes
from ..numbers import EXAMPLE, ambiguous_thousands, parse_numbers
from ..schemas import DIMENSION_NAMES, DIMENSIONS, STRING, UNIT_NUMBERS
from .cells import PerText, Table, coded

TRUTHY = ("ya", "y", "yes", "true", "benar", "1")
FALSY = ("tidak", "tdk", "no", "false", "salah", "0")

SUM_TOLERANCE = 0.01  # Nilai may differ from the sum of its dimensions by rounding of the parts
# Unit types an entity can have several of; any other type is one unit per entity, so two
# spellings of it ("DPMPTSP", "Dinas Penanaman Modal dan PTSP") are the same unit.
MANY_PER_ENTITY = ("Puskesmas", "RSUD", "Lainnya")


class Resolution:
    """Reference and methodology look-ups, each made once per distinct input over a whole run."""

    def __init__(self):
        self._resolver = None
        self._cache: dict[tuple, tuple] = {}

    @property
    def resolver(self):
        if self._resolver is None:
            from ..reference import get_resolver

            self._resolver = get_resolver()
        return self._resolver

    def _once(self, key: tuple, fn) -> tuple:
        """(result, None) or (None, the error), computed once per key."""
        if key not in self._cache:
            try:
                self._cache[key] = (fn(), None)
            except KepatuhanError as err:
                self._cache[key] = (None, err)
        return self._cache[key]

    def entity_type(self, raw: str) -> tuple:
        return self._once(("type", raw), lambda: self.resolver.canonical_entity_type(raw))

    def province(self, raw: str) -> tuple:
        return self._once(("province", raw), lambda: self.resolver.resolve_province(raw))

    def entity(self, name, entity_type, province_code, code) -> tuple:
        return self._once(("entity", name, entity_type, province_code, code), lambda: self.resolver.resolve_entity(
            name, entity_type=entity_type, province=province_code, code=code))

    def memo(self, key: tuple, fn):
        """``fn()``, computed once per key."""
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    def contradictions(self, entity, name, entity_type, province_code) -> list:
        return self.memo(("contradictions", entity.code, name, entity_type, province_code), lambda: (
            self.resolver.contradictions(entity, name=name, entity_type=entity_type, province=province_code)))

    def unit_type(self, unit: str) -> tuple:
        return self._once(("unit", unit), lambda: self.resolver.resolve_unit_type(unit))

    def era(self, year: int, entity_type: str) -> tuple:
        return self._once(("era", year, entity_type), lambda: methodology.era(year, entity_type))


class Found:
    """Row problems of one table: positions (into its data rows), canonical column, reasons."""

    def __init__(self, n: int):
        self.n = n
        # positions, canonical column, reasons, and whether the problem holds the row's entity back
        self.parts: list[tuple[np.ndarray, str | None, np.ndarray, bool]] = []

    def add(self, mask: np.ndarray, column: str | None, reasons, holds_back: bool = True) -> None:
        """A problem on every row of ``mask``; ``reasons`` is one text or one per row.

        ``holds_back=False``: the row is refused but its entity loses nothing (an identical duplicate).
        """
        positions = np.flatnonzero(mask)
        if len(positions):
            reasons = np.asarray(reasons, dtype=object)
            self.parts.append((positions, column, reasons[positions] if reasons.ndim
                               else np.full(len(positions), reasons, dtype=object), holds_back))

    def add_per_value(self, codes: np.ndarray, column: str | None, reasons: list, missing: str | None = None) -> None:
        """A problem on every row whose value (``codes`` into ``reasons``) has a reason; -1 gets ``missing``."""
        reasons = np.asarray([*reasons, missing], dtype=object)
        bad = np.asarray([r is not None for r in reasons])
        if not bad.any():  # no pass over the rows when no value has a reason (the common case)
            return
        positions = np.flatnonzero(bad[codes])
        if len(positions):
            self.parts.append((positions, column, reasons[codes[positions]], True))

    def rejected(self) -> np.ndarray:
        bad = np.zeros(self.n, dtype=bool)
        for positions, *_ in self.parts:
            bad[positions] = True
        return bad


def row_reasons(mask: np.ndarray, message, *arrays) -> np.ndarray:
    """A reason for each row of ``mask`` formatted from the rows' values (None elsewhere)."""
    rows = np.flatnonzero(mask)
    if not len(rows):  # no row to name (the common case): no array of a row each
        return np.full(0, None, dtype=object)
    out = np.full(len(mask), None, dtype=object)
    for i in rows:
        out[i] = message(*(a[i] for a in arrays))
    return out


def fmt(x: float) -> str:
    """A number as a person would write it: 90,02 (decimal comma, no trailing zeros)."""
    return f"{x:.4f}".rstrip("0").rstrip(".").replace(".", ",")


def _first_rows(codes: np.ndarray) -> np.ndarray:
    """The first row of each code 0, 1, ... (codes as `keys.dense_codes` numbers them: in order of appearance).

    In that numbering a row holds a code first exactly where it exceeds every code above it.
    """
    return np.flatnonzero(codes > np.maximum.accumulate(np.concatenate([[-1], codes[:-1]])))


def _number_column(table: Table, column: str, found: Found, what: str) -> np.ndarray:
    """Floats of a number column (NaN when empty); text that is not a number is a problem."""
    cells = table.cells.get(column)
    if cells is None:
        return np.full(found.n, np.nan)
    numbers, bad, ambiguous = _parsed(cells.values)
    refused = table.refused.get(column, np.zeros(len(cells.values), dtype=bool))
    found.add_per_value(cells.codes, column, [
        None if r else _ambiguous(v, x) if a else f"{v!r} is not a number; expected {what} such as {EXAMPLE}" if b
        else None for v, x, b, a, r in zip(cells.values.tolist(), numbers, bad, ambiguous, refused)])
    return np.append(np.where(ambiguous | refused, np.nan, numbers), np.nan)[cells.codes]


def _parse(texts: pd.Series) -> list[tuple[float, bool, bool]]:
    numbers, bad = parse_numbers(texts)
    return list(zip(numbers.to_numpy(dtype=float, na_value=np.nan), bad, ambiguous_thousands(texts)))


_PARSED = PerText(_parse)


def _parsed(texts: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Number (NaN: none), unparseable and ambiguous (`3.000`) of each distinct cell text."""
    parsed = _PARSED(texts)
    return (np.array([p[0] for p in parsed], dtype=float), np.array([p[1] for p in parsed], dtype=bool),
            np.array([p[2] for p in parsed], dtype=bool))


def _ambiguous(text: str, thousands: float) -> str:
    """Why ``3.000`` is refused in a number column: two rules read it differently."""
    decimal = fmt(thousands / 1000)
    return (f"{text!r} is ambiguous: {fmt(thousands)} if the dot groups thousands, {decimal} if it is a decimal "
            f"point; write {fmt(thousands)} or {decimal} (with a decimal comma)")


def _year(table: Table, found: Found) -> np.ndarray:
    """The year of each distinct year cell (NaN where refused)."""
    cells = table.cells["year"]
    values, bad, dotted = _parsed(cells.values)
    refused = table.refused.get("year", np.zeros(len(values), dtype=bool))
    reasons = [
        "" if cell_refused else f"{text!r} is not a year; expected a year such as 2023"
        if unparseable or dotted or not float(value).is_integer()
        else f"year {int(value)} is outside {schemas.YEAR_MIN}-{schemas.YEAR_MAX}"
        if not schemas.YEAR_MIN <= value <= schemas.YEAR_MAX else None
        for text, value, unparseable, dotted, cell_refused
        in zip(cells.values.tolist(), values, bad, dotted, refused)
    ]
    found.add_per_value(cells.codes, "year", [r or None for r in reasons],
                        missing=f"{cells.header} is empty; expected a year such as 2023")
    return np.where([r is None for r in reasons], values, np.nan)


def identity(table: Table, found: Found, res: Resolution) -> dict:
    """Year, entity and unit of every data row; each distinct entity is resolved once."""
    n = found.n
    no_cells = np.full(n, -1)
    year_of_cell = _year(table, found)
    year = np.append(year_of_cell, np.nan)[table.cells["year"].codes]

    def look_up(column: str, fn) -> tuple[list, np.ndarray]:
        cells = table.cells.get(column)
        if cells is None:
            return [], no_cells
        results = [fn(v) for v in cells.values.tolist()]
        found.add_per_value(cells.codes, column, [None if err is None else str(err) for _, err in results])
        return [value for value, _ in results], cells.codes

    types, type_codes = look_up("entity_type", res.entity_type)
    provinces, province_codes = look_up("province", res.province)
    names, code_cells = table.cells["entity"], table.cells.get("entity_code")
    code_codes = code_cells.codes if code_cells else no_cells

    keys = [names.codes, type_codes, province_codes, code_codes]
    combo = dense_codes(keys)
    firsts = _first_rows(combo)
    name_values, code_values = names.values.tolist(), code_cells.values.tolist() if code_cells else []
    headers = (names.header, code_cells.header if code_cells else None, *(table.header(c) for c in _ENTITY_CELLS))
    per_combo = []
    for row in firsts:
        name_i, type_i, province_i, code_i = (int(k[row]) for k in keys)
        given = (name_values[name_i] if name_i >= 0 else None, types[type_i] if type_i >= 0 else None,
                 provinces[province_i] if province_i >= 0 else None, code_values[code_i] if code_i >= 0 else None)
        per_combo.append(res.memo(("row entity", *given, headers), lambda: _row_entity(*given, headers, res)))
    reasons = {c: [r[0][i] for r in per_combo] for i, c in enumerate(_ENTITY_CELLS)}
    given_types = [r[1] for r in per_combo]
    resolved = {k: [r[2][i] for r in per_combo] for i, k in enumerate(_RESOLVED)}
    attribution = {k: [r[3][i] for r in per_combo] for i, k in enumerate(_ATTRIBUTED)}
    for column, texts in reasons.items():
        found.add_per_value(combo, column, texts)

    units = table.cells["unit"]
    unit_types = [res.unit_type(v) for v in units.values.tolist()]
    found.add_per_value(units.codes, "unit", [None if err is None else str(err) for _, err in unit_types],
                        missing=f"{units.header} is empty; expected a unit name such as Dinas Kesehatan")
    # Two spellings of a one-per-entity unit ("DPMPTSP", "Dinas Penanaman Modal dan PTSP") are one unit.
    unit_keys = [t if t is not None and t not in MANY_PER_ENTITY else v.casefold()
                 for v, (t, _) in zip(units.values.tolist(), unit_types)]
    return {
        "year": year,  # of every row; its code and the year of each code:
        "year_cell": table.cells["year"].codes, "year_of_cell": year_of_cell,
        # The entity's type, or the type a row gives when its entity is unknown: the era's scale and caps
        # still apply, so a row's other problems are found too.
        "era_type": pd.array([t if t is not None else given for t, given in zip(resolved["entity_type"], given_types)],
                             dtype=STRING),
        "combo": combo,
        "entity_key": pd.factorize(pd.Series(resolved["entity_code"], dtype=object))[0][combo],
        "unit_key": per_value_codes(unit_keys, units.codes),
        "resolved": {k: pd.array(v, dtype=STRING) for k, v in resolved.items()},
        "attribution": {k: np.asarray(v, dtype=object) for k, v in attribution.items()},  # per combo
        "unit_type": pd.array([t for t, _ in unit_types], dtype=STRING),
    }


_ENTITY_CELLS = ("entity", "entity_code", "entity_type", "province")  # the cells that tell a row's entity
_RESOLVED = ("entity_code", "entity", "entity_type", "province_code")
_ATTRIBUTED = ("province_code", "entity_type", "other_entity_code")


def _row_entity(name, entity_type, province, code, headers, res: Resolution) -> tuple:
    """What the entity cells of a row say: (reason per cell of _ENTITY_CELLS, the type given, the entity's
    _RESOLVED, whom the row could belong to: _ATTRIBUTED); ``headers``: entity's, code's, then _ENTITY_CELLS'."""
    name_header, code_header, *cell_headers = headers
    entity, reason, column, contradictions = None, None, "entity", []
    if name is None and code is None:
        reason = (f"{name_header} is empty" + (f" and so is {code_header}" if code_header else "")
                  + "; expected an entity name such as Kabupaten Mukomuko")
    else:
        entity, err = res.entity(name, entity_type, province[0] if province else None, code)
        if err is not None:
            reason = str(err)
            if code is not None and (name is None or isinstance(err, UnknownEntityError) and err.name == code):
                column = "entity_code"
        elif code is not None:  # the code gave the entity: what is written beside it must agree
            contradictions = res.contradictions(entity, name, entity_type, province[1] if province else None)
    reasons = []
    for c, header in zip(_ENTITY_CELLS, cell_headers):
        said = [f"{header} contradicts {code_header} {code!r}: {x.message}; correct one of them"
                for x in contradictions if x.field == c]
        reasons.append("; ".join(said) if said else reason if c == column else None)
    resolved = tuple(getattr(entity, attr) if entity is not None else None
                     for attr in ("code", "name", "entity_type", "province_code"))
    # Whom a refused row could belong to: its entity, else the province and type it gives.
    attribution = (entity.province_code if entity else province[0] if province else None,
                   entity.entity_type if entity else entity_type
                   or (res.resolver.entity_type_of_name(name) if name else None),
                   next((x.named.code for x in contradictions if x.named), None))
    return tuple(reasons), entity_type, resolved, attribution


@dataclass
class Eras:
    """The methodology era of each row whose year and entity type are known (code -1 elsewhere)."""

    codes: np.ndarray
    eras: list

    def values(self, attribute) -> np.ndarray:
        """``attribute(era)`` for each row (NaN where it has no era), computed once per era."""
        return np.asarray([*(attribute(e) if e else np.nan for e in self.eras), np.nan], dtype=object)[self.codes]


def eras_of(ident: dict, found: Found, res: Resolution) -> Eras:
    """Each row's era, looked up once per distinct (year cell, entity type) its rows hold."""
    type_codes, types = pd.factorize(ident["era_type"])  # per combo
    years = ident["year_of_cell"]
    # (year cell, type) numbered densely, -1 of either included: few, so counted rather than hashed.
    pair = (ident["year_cell"] + 1) * (len(types) + 1) + (type_codes[ident["combo"]] + 1)
    present = np.flatnonzero(np.bincount(pair, minlength=(len(years) + 1) * (len(types) + 1)))
    lookup = np.full((len(years) + 1) * (len(types) + 1), -1)
    looked_up = []
    for p in present:
        year_i, type_i = divmod(int(p), len(types) + 1)
        if year_i and type_i and not np.isnan(years[year_i - 1]):
            lookup[p] = len(looked_up)
            looked_up.append(res.era(int(years[year_i - 1]), types[type_i - 1]))
    codes = lookup[pair]
    found.add_per_value(codes, "year", [None if err is None else str(err) for _, err in looked_up])
    return Eras(codes, [era for era, _ in looked_up])


def clean_units(table: Table, found: Found, ident: dict, eras: Eras) -> dict:
    """Dimension points, Kepercayaan, Nilai and Koreksi of every row, checked against the era's scale,
    caps and parts; Tingkat Kepatuhan and Tanpa Maladministrasi where the era has them (2025-)."""
    scale = eras.values(lambda e: e.scale).astype(float)
    label = eras.values(lambda e: e.label)
    has_era = ~np.isnan(scale)
    header = table.header
    points = {c: _number_column(table, c, found, "points") for c in DIMENSION_NAMES}
    nilai = _number_column(table, "nilai", found, "a score")
    koreksi = _number_column(table, "koreksi", found, "points")
    kepercayaan = _number_column(table, "kepercayaan", found, "points")
    kepercayaan_cap = eras.values(lambda e: e.components.get("kepercayaan", np.nan)).astype(float)
    needs_kepercayaan = ~np.isnan(kepercayaan_cap)  # Nilai = dimensions + kepercayaan in this era
    no_part = has_era & ~np.isnan(kepercayaan) & ~needs_kepercayaan
    found.add(no_part, "kepercayaan", row_reasons(no_part, lambda lab: (
        f"{lab} has no kepercayaan masyarakat part; leave {header('kepercayaan')} empty"), label))
    outside = (kepercayaan < 0) | (kepercayaan > kepercayaan_cap)
    found.add(outside, "kepercayaan", row_reasons(outside, lambda x, cap, lab: (
        f"{fmt(x)} is outside the kepercayaan masyarakat part, 0-{fmt(cap)} ({lab})"), kepercayaan,
        kepercayaan_cap, label))

    given = np.stack([column_codes(table, c) >= 0 for c in DIMENSION_NAMES], axis=1)  # a typo is given, not empty
    some, every = given.any(axis=1), given.all(axis=1)
    for i, c in enumerate(DIMENSION_NAMES):
        found.add(some & ~given[:, i], c, f"{header(c)} is empty while other dimensions are given; "
                                          "expected all four dimensions or none")
    first = next(iter(DIMENSION_NAMES))
    caps = {c: eras.values(lambda e, name=name: e.caps.get(name, np.nan)).astype(float)
            for c, name in DIMENSION_NAMES.items()}
    no_dimensions = has_era & some & np.isnan(caps[first])
    found.add(no_dimensions, first, row_reasons(no_dimensions, lambda lab: (
        f"{lab} has no dimension points; leave {', '.join(header(c) for c in DIMENSION_NAMES)} empty"), label))
    for c, name in DIMENSION_NAMES.items():
        value = points[c]
        found.add(value < 0, c, row_reasons(value < 0, lambda x: f"{fmt(x)} is negative; expected 0 or more", value))
        over = value > caps[c]
        found.add(over, c, row_reasons(over, lambda x, cap, lab: (
            f"{fmt(x)} is above the cap of the {name} dimension, {fmt(cap)} ({lab})"), value, caps[c], label))

    dimensions = np.stack([points[c] for c in DIMENSION_NAMES], axis=1).sum(axis=1)
    total = np.where(needs_kepercayaan, dimensions + kepercayaan, dimensions)
    complete = every & (~needs_kepercayaan | ~np.isnan(kepercayaan))  # every part of Nilai is given
    given_nilai = ~np.isnan(nilai)
    found.add((column_codes(table, "nilai") < 0) & ~complete, "nilai", row_reasons(
        (column_codes(table, "nilai") < 0) & ~complete, lambda more: (
            f"{header('nilai')} is empty; expected a score such as {EXAMPLE} (or all four dimensions"
            + (f" and {header('kepercayaan')})" if more else ")")), needs_kepercayaan))
    disagree = given_nilai & complete & (np.abs(nilai - total) > SUM_TOLERANCE + 1e-9)
    found.add(disagree, "nilai", row_reasons(disagree, lambda x, t, more: (
        f"{fmt(x)} disagrees with the sum of its dimensions{' and ' + header('kepercayaan') if more else ''}, "
        f"{t:.2f}; they must agree within 0,01".replace(".", ",")), nilai, total, needs_kepercayaan))
    found.add(nilai < 0, "nilai", row_reasons(nilai < 0, lambda x: f"{fmt(x)} is negative; expected a score of 0 "
                                                                 "or more", nilai))
    above = has_era & (nilai > scale)
    found.add(above, "nilai", row_reasons(above, lambda x, s, lab: (
        f"{fmt(x)} is above the maximum score {fmt(s)} of {lab}"), nilai, scale, label))
    bad_koreksi = (koreksi < 0) | (koreksi > scale)
    found.add(bad_koreksi, "koreksi", row_reasons(bad_koreksi, lambda x: (
        f"{fmt(x)} is not a correction; expected the points subtracted, from 0 up to the maximum score"), koreksi))
    return {**points, "nilai": np.where(given_nilai, nilai, total), "koreksi": koreksi, "kepercayaan": kepercayaan,
            "tingkat_kepatuhan": _compliance_level(table, found, eras),
            "tanpa_maladministrasi": _tanpa_maladministrasi(table, found, eras)}


def _compliance_level(table: Table, found: Found, eras: Eras) -> pd.Categorical:
    """Tingkat Kepatuhan as the era declares its levels (Tinggi, Sedang, Rendah); shown, never scored."""
    cells = table.cells.get("tingkat_kepatuhan")
    if cells is None:
        return coded([], np.full(found.n, -1))
    canonical = [None] * len(cells.values)
    reasons = np.full(found.n, None, dtype=object)
    for i in np.flatnonzero((cells.codes >= 0) & (eras.codes >= 0)):  # a row without an era has its own problem
        text, scheme = cells.values.iloc[cells.codes[i]], eras.eras[eras.codes[i]]
        if scheme is None:
            continue
        match = next((level for level in scheme.compliance_levels if level.casefold() == text.casefold()), None)
        if match is None:
            reasons[i] = (f"{text!r} is not a compliance level; expected {', '.join(scheme.compliance_levels)}"
                          if scheme.compliance_levels else f"{scheme.label} has no {cells.header}; leave it empty")
        canonical[cells.codes[i]] = match
    found.add(np.array([r is not None for r in reasons], dtype=bool), "tingkat_kepatuhan", reasons)
    return coded(canonical, cells.codes)


def _tanpa_maladministrasi(table: Table, found: Found, eras: Eras) -> pd.arrays.BooleanArray:
    """The entity's Tanpa Maladministrasi flag (Ya / Tidak; <NA> when empty), in eras that have it (2025-)."""
    cells = table.cells.get("tanpa_maladministrasi")
    if cells is None:
        return pd.array([pd.NA] * found.n, dtype="boolean")
    folded = cells.values.str.casefold()
    truth = np.where(folded.isin(TRUTHY), 1, np.where(folded.isin(FALSY), 0, -1))
    found.add_per_value(cells.codes, "tanpa_maladministrasi", [
        None if t >= 0 else f"{v!r} is not a flag; expected Ya or Tidak" for v, t in zip(cells.values.tolist(), truth)])
    has_tm = np.array([e is None or bool(e.tm_suffix) for e in eras.eras] + [True])[eras.codes]  # True: no era
    no_flag = (cells.codes >= 0) & ~has_tm
    found.add(no_flag, "tanpa_maladministrasi", row_reasons(no_flag, lambda e: (
        f"{eras.eras[e].label} has no {cells.header} flag; leave it empty"), eras.codes))
    values = np.append(truth, -1)[cells.codes]
    return pd.array([None if v < 0 else bool(v) for v in values], dtype="boolean")


def clean_answers(table: Table, found: Found, ident: dict, eras: Eras) -> dict:
    """Dimension, weight and score of every answer row."""
    header = table.header
    cells = table.cells["dimension"]
    canonical = {d.casefold(): d for d in DIMENSIONS}
    dimensions = [canonical.get(v.casefold()) for v in cells.values.tolist()]
    expected = ", ".join(DIMENSIONS[:-1]) + " or " + DIMENSIONS[-1]
    found.add_per_value(cells.codes, "dimension", [None if d else f"{v!r} is not a dimension; expected {expected}"
                                                   for v, d in zip(cells.values.tolist(), dimensions)],
                        missing=f"{header('dimension')} is empty; expected {expected}")
    found.add(table.cells["indicator_code"].codes < 0, "indicator_code",
              f"{header('indicator_code')} is empty; expected the indicator's code")

    weight = _number_column(table, "weight", found, "a weight")
    found.add(table.cells["weight"].codes < 0, "weight", f"{header('weight')} is empty; expected a weight above 0 "
                                                          "such as 1,5")
    found.add(weight <= 0, "weight", row_reasons(weight <= 0, lambda x: f"weight {fmt(x)} must be above 0", weight))
    score = _number_column(table, "score", found, "a score")
    bad = ~np.isnan(score) & ~np.isin(score, schemas.SKOR_VALUES)
    found.add(bad, "score", row_reasons(bad, lambda x: f"{fmt(x)} is not an answer score; expected 0, 1, 2 or 3", score))
    return {"dimension": dimensions, "weight": weight, "score": score}  # dimension: per distinct cell text


DUPLICATE_RULES = {  # what makes a row the same as another, and what it says
    "units": (list(UNIT_NUMBERS), "nilai", "unit"),
    "answers": (["weight", "score"], "score", "answer (same unit, dimension, indicator and respondent)"),
}


def duplicates(key: np.ndarray, values: list[np.ndarray], where, what: str) -> list[tuple[int, str, bool]]:
    """Rows sharing a key: (position, reason, conflicting) for every row refused.

    Identical rows keep the first and refuse the others ("duplicate of row N"); rows whose
    values (``values``: columns) differ are all refused, each naming the others. ``where(position)`` locates a row
    as the messages name it ("row 7" or "f.csv[Sheet] row 7").
    """
    # By sorting, not hashing: rows come mostly in key order, which a stable sort passes over in one go.
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return []
    shared = np.zeros(len(key), dtype=bool)
    shared[1:] |= same
    shared[:-1] |= same
    twice = np.sort(order[shared])
    refused = []
    frame = pd.DataFrame({i: v[twice] for i, v in enumerate(values)}).assign(_key=key[twice], _pos=twice)
    value_columns = list(range(len(values)))
    for _, group in frame.groupby("_key", sort=False):
        positions = group["_pos"].to_numpy()
        if len(group[value_columns].drop_duplicates()) == 1:
            refused += [(p, f"duplicate of {where(positions[0])}", False) for p in positions[1:]]
        else:
            for p in positions:
                others = ", ".join(where(o) for o in positions if o != p)
                refused.append((p, f"{what} listed more than once with different values: see {others}", True))
    return refused


def check_cells(table: Table, found: Found) -> None:
    """Cells refused whatever their column: too long, a NUL byte, undecodable bytes, a formula without a value.

    A refused value is shortened, and marked in ``table.refused`` so that it is not refused twice.
    """
    formula_rows = {}
    for row, j in table.formulas:
        formula_rows.setdefault(j, []).append(row)
    for column, cells in table.cells.items():
        values, header, limit = cells.values, cells.header, schemas.MAX_CHARS[column]
        texts = values.tolist()  # a few hundred distinct texts: looked at one by one
        length = np.array([len(v) for v in texts], dtype=int)
        nul = np.array(["\x00" in v for v in texts], dtype=bool)
        lost = np.array(["\ufffd" in v for v in texts], dtype=bool) & table.mixed_encoding
        found.add_per_value(cells.codes, column, [
            f"{header} holds {n:,} characters; expected at most {limit}" if n > limit
            else f"{header} holds a NUL byte (\\x00), which no text has; the export is damaged" if z
            else f"{header} holds bytes that are not UTF-8 (shown as \ufffd) in a file that is otherwise UTF-8: "
                 "the file mixes encodings; save it again as UTF-8" if u else None
            for n, z, u in zip(length, nul, lost)])
        refused = (length > limit) | nul | lost
        formula = np.isin(table.rows, formula_rows[table.positions[column]]) if table.positions[column] in formula_rows \
            else np.zeros(0, dtype=bool)
        if formula.any():
            found.add(formula, column, row_reasons(formula, lambda v: (
                f"{header} holds the formula {v} with no saved result (a program wrote the file without "
                "calculating it); open and save it in Excel, or type the value"), cells.as_written(np.arange(found.n))))
            refused[np.unique(cells.codes[formula & (cells.codes >= 0)])] = True
        if refused.any():
            cells.values = values.where(~refused, values.str.slice(0, 40))
            table.refused[column] = refused


def per_value_codes(distinct, codes: np.ndarray) -> np.ndarray:
    """Each row's code into the distinct values of ``distinct`` (one per cell code; -1: missing): cells
    that mean the same (`2023` and `2023,0`, `input` and `Input`) get the same code."""
    return np.append(pd.factorize(pd.Series(distinct, dtype=object))[0], -1)[codes]


def column_codes(table: Table, column: str) -> np.ndarray:
    """Each row's code into the column's distinct values; -1 (empty) when the file lacks the column."""
    cells = table.cells.get(column)
    return cells.codes if cells else np.full(len(table.rows), -1)
