"""Methodology eras declared in data/methodology/*.toml: classify scores, caps, half-up rounding."""

from __future__ import annotations

import functools
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from . import config
from .errors import MethodologyError
from .schemas import DIMENSIONS, ENTITY_TYPES, ZONES

CONFIDENCES = ("HIGH", "MED", "LOW")

# Half-up rounding is applied to floats, whose binary value can sit just below a decimal
# half (77.995 is stored as 77.99499999999999744...). Scores are below 1,000, where a float's
# error after scaling by 100 is under 1e-12 of a hundredth; nudging by 1e-9 hundredths
# restores the decimal a person typed, yet cannot move a genuinely different value (a mean
# would have to lie within 1e-11 points of a half to be affected). Tests check agreement with
# Decimal(repr(x)) rounding.
_HALF_UP_NUDGE = 1e-9


class Classification(NamedTuple):
    """Zone (2015-2024), grade (2022-2024) and opinion text of one score; None where the era has none."""

    zone: str | None
    category: str | None
    opinion: str | None


@dataclass(frozen=True)
class Band:
    """Scores from ``min`` (inclusive) up to the next band's ``min`` get this zone and opinion.

    ``zone`` is None in an era without zones (2025-); ``category`` is the entity's grade A-E
    (2022-2024); ``unit_category`` the category of a unit's score (2025-: Sangat Baik .. Sangat Kurang).
    """

    min: float
    zone: str | None
    opinion: str
    category: str | None
    as_published: str
    unit_category: str | None = None


@dataclass(frozen=True)
class Rule:
    """The confidence of one declared rule (bands, caps, scale) and where it comes from."""

    about: str
    confidence: str
    source: str
    years: tuple[int, ...]


@dataclass(frozen=True)
class Era:
    """One declared methodology: the years and entity types it covers and how it scores."""

    id: str
    label: str
    series: str
    years: tuple[int, ...]
    entity_types: tuple[str, ...] | None  # None: every entity type
    scale: float
    bands: tuple[Band, ...]
    caps: dict[str, float]
    rules: tuple[Rule, ...]
    source: str
    file: str
    components: dict[str, float] = field(default_factory=dict)  # 2025-: dimensi 70, kepercayaan 30
    tm_suffix: str | None = None  # 2025-: " Tanpa Maladministrasi", added to a flagged entity's opinion
    compliance_levels: tuple[str, ...] = ()  # 2025-: Tingkat Kepatuhan as published (shown, not scored)
    opinion_variants: tuple[str, ...] = ()  # opinions seen in published sources that no band gives, kept as published

    def confidence(self, about: str, year: int) -> str | None:
        """Confidence of the rule ``about`` ("bands", "caps", "scale") in ``year``, if declared."""
        for rule in self.rules:
            if rule.about == about and (not rule.years or year in rule.years):
                return rule.confidence
        return None

    def classify(self, score: float) -> Classification:
        if not self.bands:
            return Classification(None, None, None)
        band = self.bands[int(np.searchsorted(self._band_mins, score, side="right")) - 1]
        return Classification(band.zone, band.category, band.opinion)

    @functools.cached_property
    def _band_mins(self) -> np.ndarray:
        return np.array([b.min for b in self.bands])

    def opinion_labels(self) -> tuple[str, ...]:
        """Every opinion an entity of this era can get or a source printed: the bands' and the declared
        variants, each also with the TM suffix."""
        plain = tuple(b.opinion for b in self.bands) + self.opinion_variants
        return plain + (tuple(o + self.tm_suffix for o in plain) if self.tm_suffix else ())

    def unit_categories(self) -> tuple[str, ...]:
        """The unit categories of the bands, best first (empty before 2025)."""
        return tuple(b.unit_category for b in reversed(self.bands) if b.unit_category)

    def component_scale(self, component: str | None) -> float:
        """The maximum of the total score (``component`` None) or of one of its components."""
        return self.scale if component is None else self.components[component]


# --- loading and validating the declarations -------------------------------------------------

_ERA_KEYS = {"id", "label", "series", "years", "entity_types", "scale", "source", "bands", "caps", "rules",
             "components", "tm_suffix", "compliance_levels", "opinion_variants"}
_BAND_KEYS = {"min", "zone", "opinion", "category", "unit_category", "as_published"}
_RULE_KEYS = {"about", "confidence", "source", "years"}


def load_eras(directory: Path | None = None) -> tuple[Era, ...]:
    """Read and validate every era declaration; every problem of every file in one error."""
    directory = Path(directory or config.METHODOLOGY_DIR)
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise MethodologyError(f"no methodology declarations (*.toml) in {config.display_path(directory)}")
    eras, problems = [], []
    for path in files:
        try:
            with path.open("rb") as fh:
                raw = tomllib.load(fh)
        except tomllib.TOMLDecodeError as err:
            problems.append(f"{config.display_path(path)}: not valid TOML: {err}")
            continue
        era, found = _parse_era(raw, config.display_path(path))
        problems += found
        if era is not None:
            eras.append(era)
    problems += _overlaps(eras)
    if problems:
        raise MethodologyError("invalid methodology declarations:\n" + "\n".join(problems), problems=problems)
    return tuple(eras)


def _parse_era(raw: dict, where: str) -> tuple[Era | None, list[str]]:
    problems = [f"{where}: unknown key {k!r}" for k in sorted(set(raw) - _ERA_KEYS)]
    missing = sorted({"id", "label", "series", "years", "entity_types", "scale", "source", "bands"} - set(raw))
    if missing:
        return None, problems + [f"{where}: missing key(s) {', '.join(missing)}"]

    years = raw["years"]
    if not (isinstance(years, list) and years and all(isinstance(y, int) for y in years)):
        problems.append(f"{where}: years must be a non-empty list of integers, got {years!r}")
        years = []
    elif len(set(years)) != len(years):
        problems.append(f"{where}: years {years} lists a year twice")

    types = raw["entity_types"]
    if types == "all":
        entity_types = None
    elif isinstance(types, list) and types and set(types) <= set(ENTITY_TYPES):
        entity_types = tuple(types)
    else:
        problems.append(f"{where}: entity_types must be \"all\" or a list of {', '.join(ENTITY_TYPES)}; got {types!r}")
        entity_types = ()

    scale = raw["scale"]
    if not (isinstance(scale, (int, float)) and scale > 0):
        problems.append(f"{where}: scale must be a positive number, got {scale!r}")
        scale = math.nan

    bands, band_problems = _parse_bands(raw["bands"], float(scale), where)
    components = {str(k): float(v) for k, v in raw.get("components", {}).items()}
    if components and round(sum(components.values()), 6) != round(float(scale), 6):
        problems.append(f"{where}: components sum to {sum(components.values()):.2f}, not the scale {scale:.2f}")
    if components and "dimensi" not in components:
        problems.append(f"{where}: components must include dimensi (the part the dimension caps sum to)")
    caps, cap_problems = _parse_caps(raw.get("caps", {}), components.get("dimensi", float(scale)), where)
    rules, rule_problems = _parse_rules(raw.get("rules", []), years, where)
    problems += band_problems + cap_problems + rule_problems
    era = Era(
        id=str(raw["id"]), label=str(raw["label"]), series=str(raw["series"]), years=tuple(years),
        entity_types=entity_types, scale=float(scale), bands=bands, caps=caps, rules=rules,
        source=str(raw["source"]), file=where, components=components, tm_suffix=raw.get("tm_suffix"),
        compliance_levels=tuple(raw.get("compliance_levels", ())),
        opinion_variants=tuple(raw.get("opinion_variants", ())),
    )
    return era, problems


def _parse_bands(raw: list, scale: float, where: str) -> tuple[tuple[Band, ...], list[str]]:
    """Bands ascending by ``min``, from 0 to below the scale: they tile the scale by construction."""
    if not isinstance(raw, list):
        return (), [f"{where}: bands must be a list of tables"]
    problems, bands = [], []
    for i, b in enumerate(raw, 1):
        at = f"{where}: band {i}"
        problems += [f"{at}: unknown key {k!r}" for k in sorted(set(b) - _BAND_KEYS)]
        if not {"min", "opinion", "as_published"} <= set(b):
            problems.append(f"{at}: needs min, opinion and as_published")
            continue
        if "zone" in b and b["zone"] not in ZONES:
            problems.append(f"{at}: zone {b['zone']!r} is not one of {', '.join(ZONES)}")
        bands.append(Band(float(b["min"]), b.get("zone"), b["opinion"], b.get("category"), b["as_published"],
                          b.get("unit_category")))
    if not bands:
        return (), problems
    mins = [b.min for b in bands]
    if mins[0] != 0:
        problems.append(f"{where}: the first band must start at 0, not {mins[0]}")
    if any(lo >= hi for lo, hi in zip(mins, mins[1:])):
        problems.append(f"{where}: band minimums {mins} must be strictly ascending (bands overlap)")
    if mins[-1] >= scale:
        problems.append(f"{where}: band minimum {mins[-1]} is not below the scale {scale}")
    for attribute in ("zone", "category", "unit_category"):
        if len({getattr(b, attribute) is None for b in bands}) > 1:
            problems.append(f"{where}: either every band has a {attribute} or none has")
    return tuple(bands), problems


def _parse_caps(raw: dict, scale: float, where: str) -> tuple[dict[str, float], list[str]]:
    """Caps per dimension; they sum to ``scale`` (the era's, or its ``dimensi`` component)."""
    if not raw:
        return {}, []
    problems = []
    if set(raw) != set(DIMENSIONS):
        problems.append(f"{where}: caps must name exactly {', '.join(DIMENSIONS)}; got {', '.join(raw)}")
    caps = {k: float(v) for k, v in raw.items()}
    if any(v <= 0 for v in caps.values()):
        problems.append(f"{where}: every cap must be positive")
    if round(sum(caps.values()), 6) != round(scale, 6):
        problems.append(f"{where}: caps sum to {sum(caps.values()):.2f}, not {scale:.2f} (the scale, or the "
                        "dimensi component)")
    return caps, problems


def _parse_rules(raw: list, years: list[int], where: str) -> tuple[tuple[Rule, ...], list[str]]:
    problems, rules = [], []
    for i, r in enumerate(raw, 1):
        at = f"{where}: rule {i}"
        problems += [f"{at}: unknown key {k!r}" for k in sorted(set(r) - _RULE_KEYS)]
        if not {"about", "confidence", "source"} <= set(r):
            problems.append(f"{at}: needs about, confidence and source")
            continue
        if r["confidence"] not in CONFIDENCES:
            problems.append(f"{at}: confidence {r['confidence']!r} is not one of {', '.join(CONFIDENCES)}")
        rule_years = tuple(r.get("years", ()))
        if not set(rule_years) <= set(years):
            problems.append(f"{at}: years {list(rule_years)} are not all years of the era")
        rules.append(Rule(r["about"], r["confidence"], r["source"], rule_years))
    return tuple(rules), problems


def _overlaps(eras: list[Era]) -> list[str]:
    """Two declarations may cover one (year, entity type) only if one names the type and one does not."""
    claimed: dict[tuple[int, str, bool], Era] = {}
    problems = []
    for e in eras:
        for year in e.years:
            for entity_type in e.entity_types or ENTITY_TYPES:
                key = (year, entity_type, e.entity_types is not None)
                if key in claimed:
                    problems.append(
                        f"{e.file}: {year} {entity_type} is already declared by {claimed[key].file}"
                    )
                claimed[key] = e
    return problems


@functools.cache
def _eras() -> tuple[Era, ...]:
    return load_eras()


@functools.cache
def era(year: int, entity_type: str) -> Era:
    """The era that scores ``entity_type`` in ``year``; one naming the type wins over an all-types one."""
    year = int(year)
    specific = [e for e in _eras() if year in e.years and e.entity_types and entity_type in e.entity_types]
    general = [e for e in _eras() if year in e.years and e.entity_types is None]
    if entity_type not in ENTITY_TYPES:
        raise MethodologyError(
            f"unknown entity type {entity_type!r}; expected one of {', '.join(ENTITY_TYPES)}",
            entity_type=entity_type,
        )
    if not (specific or general):
        declared = sorted({y for e in _eras() for y in e.years})
        raise MethodologyError(
            f"no methodology declared for {year} (declared years: {', '.join(map(str, declared))}); "
            f"there was no assessment that year or its rules must be added under data/methodology/",
            year=year, entity_type=entity_type,
        )
    return (specific or general)[0]


@functools.cache
def series_years(year: int, entity_type: str) -> tuple[int, ...]:
    """The assessment years, in order, of the series that scores ``entity_type`` in ``year``."""
    series = era(year, entity_type).series
    return tuple(sorted({y for e in _eras() if e.series == series for y in e.years
                         if era(y, entity_type).series == series}))


def score_scale(year: int, entity_type: str) -> float:
    return era(year, entity_type).scale


def dimension_caps(year: int, entity_type: str) -> dict[str, float]:
    """Points cap per dimension; {} for eras without dimensions (before 2022)."""
    return dict(era(year, entity_type).caps)


# --- rounding and classifying ------------------------------------------------------------------

def round_half_up(x, ndigits: int = 2):
    """Round half away from zero as a person reading the decimals would (77.995 -> 78.00).

    Accepts a scalar (returns float, or the same missing value), a Series (returns Float64)
    or an ndarray (returns float ndarray).
    """
    if isinstance(x, pd.Series):
        values = x.astype("Float64")
        return pd.Series(_half_up(values.to_numpy(dtype=float, na_value=np.nan), ndigits),
                         index=x.index, name=x.name, dtype="Float64").mask(values.isna())
    if isinstance(x, np.ndarray):
        return _half_up(x.astype(float), ndigits)
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return x
    return float(_half_up(np.float64(x), ndigits))


def _half_up(values, ndigits: int):
    factor = 10.0 ** ndigits
    scaled = np.abs(values) * factor
    return np.sign(values) * np.floor(scaled + 0.5 + _HALF_UP_NUDGE) / factor


def _missing(score) -> bool:
    return score is None or score is pd.NA or (isinstance(score, float) and math.isnan(score))


def classify(score, year: int, entity_type: str, tm: bool = False) -> Classification:
    """Zone, grade and opinion of a score rounded to 2 dp (rounded here half-up if it is not).

    ``tm`` (the entity is Tanpa Maladministrasi) adds the era's suffix to the opinion (2025-);
    it never changes the band. Raises MethodologyError for a year without a declaration, or a
    score outside the scale. A missing score, or an era without bands, gives all None.
    """
    e = era(year, entity_type)
    if _missing(score):
        return Classification(None, None, None)
    rounded = round_half_up(float(score))
    _check_in_scale(np.array([rounded]), e, year, entity_type)
    found = e.classify(rounded)
    if tm is True and e.tm_suffix and found.opinion:
        return found._replace(opinion=found.opinion + e.tm_suffix)
    return found


def unit_category(score, year: int, entity_type: str) -> str | None:
    """The category of a unit's score (2025-: Sangat Baik, Baik, Cukup, Kurang, Sangat Kurang); None before."""
    e = era(year, entity_type)
    if _missing(score) or not e.bands:
        return None
    rounded = round_half_up(float(score))
    _check_in_scale(np.array([rounded]), e, year, entity_type)
    return e.bands[int(np.searchsorted(e._band_mins, rounded, side="right")) - 1].unit_category


def unit_categories(units: pd.DataFrame, score: str = "nilai") -> pd.Series:
    """``unit_category`` of every row of ``units`` (year, entity_type, ``score``), as a string Series."""
    return classify_frame(units[["year", "entity_type", score]], score, columns=("unit_category",))["unit_category"]


def classify_frame(df: pd.DataFrame, score: str = "score",
                   columns: tuple[str, ...] = ("zone", "category", "opinion")) -> pd.DataFrame:
    """A copy of ``df`` (year, entity_type, ``score``) with zone, category and opinion columns.

    Vectorised per (year, entity type); a missing score gets missing classification. A true
    ``tm`` column in ``df`` adds the era's Tanpa Maladministrasi suffix to the opinion (2025-).
    ``columns`` names the Band attributes to add (``unit_category`` for units).
    """
    out = df.copy()
    columns = {name: np.full(len(df), None, dtype=object) for name in columns}
    tm = df["tm"].astype("boolean").fillna(False).to_numpy(dtype=bool) if "tm" in df else np.zeros(len(df), bool)
    scores = round_half_up(df[score].astype("Float64")).to_numpy(dtype=float, na_value=np.nan)
    keys = pd.MultiIndex.from_arrays([df["year"].astype(int), df["entity_type"].astype(str)])
    for (year, entity_type), positions in _group_positions(keys).items():
        e = era(year, entity_type)
        values = scores[positions]
        known = ~np.isnan(values)
        if not e.bands or not known.any():
            continue
        _check_in_scale(values[known], e, year, entity_type)
        idx = np.searchsorted(e._band_mins, values[known], side="right") - 1
        rows = positions[known]
        for name in columns:
            columns[name][rows] = np.array([getattr(e.bands[i], name) for i in idx], dtype=object)
        if "opinion" in columns and e.tm_suffix:
            flagged = rows[tm[rows]]
            columns["opinion"][flagged] = [o + e.tm_suffix for o in columns["opinion"][flagged]]
    for name, values in columns.items():
        out[name] = pd.array(values, dtype="string")
    return out


def _group_positions(keys: pd.MultiIndex) -> dict[tuple, np.ndarray]:
    codes, uniques = pd.factorize(keys)
    return {uniques[i]: np.flatnonzero(codes == i) for i in range(len(uniques))}


def _check_in_scale(values: np.ndarray, e: Era, year: int, entity_type: str) -> None:
    outside = values[(values < 0) | (values > e.scale)]
    if outside.size:
        raise MethodologyError(
            f"score {outside[0]:.2f} is outside the 0-{e.scale:g} scale of {e.label} "
            f"({year}, {entity_type})", year=year, entity_type=entity_type, score=float(outside[0]),
        )


def previous_year(assessed_years, year: int, entity_type: str = "Pemerintah Kabupaten") -> int | None:
    """The latest of ``assessed_years`` before ``year`` (2020 had no survey) in the same series: 2025
    onward (Opini Ombudsman) is never compared with 2024 or earlier."""
    series = era(year, entity_type).series
    earlier = [int(y) for y in assessed_years if int(y) < year and era(int(y), entity_type).series == series]
    return max(earlier) if earlier else None


def comparability(year_a: int, year_b: int, entity_type: str) -> list[str]:
    """Flags for comparing two years: "seri berbeda" across series, else "metode berbeda" across eras."""
    a, b = era(year_a, entity_type), era(year_b, entity_type)
    if a.series != b.series:
        return ["seri berbeda"]
    if a.id != b.id:
        return ["metode berbeda"]
    return []
