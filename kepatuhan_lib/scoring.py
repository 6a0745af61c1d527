"""Scoring: answers -> unit dimension points -> unit score -> entity score."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import schemas
from .errors import MethodologyError
from .keys import codes_of, combination_key, run_starts
from .reference import get_resolver
from .methodology import classify_frame, dimension_caps, era, round_half_up
from .schemas import DIMENSIONS

UNIT_KEY = ["year", "entity_type", "entity_code", "unit"]
ENTITY_KEY = ["year", "entity_type", "entity_code"]
PROVENANCE = ["source_file", "source_sha256", "source_sheet", "source_row"]
UNIT_COLUMNS = schemas.UNIT_COLUMNS
# tm: the entity is Tanpa Maladministrasi (2025-; <NA> where its rows do not say); its opinion then ends
# with " Tanpa Maladministrasi". category (A-E) and zone are empty from 2025.
ENTITY_SCORE_COLUMNS = list(schemas.ENTITY_SCORES.columns)
MAX_SKOR = 3  # indicator answers are scored 0-3


def unit_scores_from_answers(answers: pd.DataFrame) -> pd.DataFrame:
    """Canonical answers -> canonical units rows, with unrounded dimension points and nilai.

    The project's model (the instrument is not public in full): each indicator's score is the
    mean of its respondents' Skor; dimension points = cap x sum(weight x mean / 3) / sum(weight);
    nilai = the sum of the four dimensions. A dimension with no answers, or an indicator whose
    every answer is missing, leaves that dimension and nilai missing (never 0). In an era whose
    score has a part the answers lack (2025-: kepercayaan masyarakat), nilai is missing too.
    Provenance comes from the unit's first answer row; ``synthetic`` is true if any answer is.
    """
    if answers.empty:
        return _empty_units()
    # Rows come in runs of one (unit, dimension, indicator): what is hashed or sorted is one row per run.
    run_key = [*UNIT_KEY, "dimension", "indicator_code"]
    starts = run_starts(answers, run_key)
    heads = answers[run_key].iloc[starts]
    unit_of_run, first_run = _codes_and_first(combination_key(heads, UNIT_KEY))
    n_units = len(first_run)
    units = answers[[c for c in UNIT_COLUMNS if c in answers]].iloc[starts[first_run]].reset_index(drop=True)
    units = schemas.as_declared(units, schemas.UNITS)  # the answers' categorical texts as units' strings

    dimension = heads["dimension"].astype("category")  # as the answers table has it (a copy of nothing then)
    dimension_codes, dimension_names = dimension.cat.codes.to_numpy(), dimension.cat.categories
    unknown_dimensions = [str(d) for d in dimension_names if d not in DIMENSIONS] + (
        ["<NA>"] if (dimension_codes < 0).any() else [])
    if unknown_dimensions:
        raise MethodologyError(f"unknown dimension {unknown_dimensions[0]!r}; expected one of {', '.join(DIMENSIONS)}")
    dim_code = np.array([DIMENSIONS.index(d) for d in dimension_names], dtype=np.int64)[dimension_codes]
    indicator = codes_of(heads["indicator_code"]).astype(np.int64) + 1  # 0: missing
    unit_dim = unit_of_run * len(DIMENSIONS) + dim_code
    ind_of_run, ind_first_run = _sorted_codes_and_first(unit_dim * (int(indicator.max()) + 1) + indicator)

    # Mean Skor per indicator over the respondents who answered (sums of whole numbers: exact in any order).
    skor = answers["score"].to_numpy(dtype=float, na_value=np.nan)
    answered = ~np.isnan(skor)
    n_ind = len(ind_first_run)
    count = np.bincount(ind_of_run, weights=np.add.reduceat(answered, starts, dtype=np.int64), minlength=n_ind)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(ind_of_run, weights=np.add.reduceat(np.where(answered, skor, 0.0), starts),
                           minlength=n_ind) / count
    weight = answers["weight"].to_numpy(dtype=float, na_value=np.nan)[starts[ind_first_run]]
    ind_unit_dim = unit_dim[ind_first_run]

    # Weighted share of the maximum per (unit, dimension), then scaled by the dimension's cap.
    size = n_units * len(DIMENSIONS)
    weighted = np.bincount(ind_unit_dim, weights=weight * mean, minlength=size)
    total_weight = np.bincount(ind_unit_dim, weights=weight, minlength=size)
    unknown = np.bincount(ind_unit_dim, weights=np.isnan(weight * mean), minlength=size) > 0
    present = np.bincount(ind_unit_dim, minlength=size) > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        share = (weighted / (MAX_SKOR * total_weight)).reshape(n_units, len(DIMENSIONS))
    share[(unknown | ~present).reshape(n_units, len(DIMENSIONS))] = np.nan
    points = share * _caps_per_unit(units)

    for i, dimension in enumerate(DIMENSIONS):
        units[dimension.lower()] = pd.array(points[:, i], dtype="Float64")
    nilai = np.where(_other_parts(units), np.nan, points.sum(axis=1))  # NaN (missing) if any dimension is
    units["nilai"] = pd.array(nilai, dtype="Float64")
    for column, dtype in (("koreksi", "Float64"), ("kepercayaan", "Float64"), ("tingkat_kepatuhan", "string"),
                          ("tanpa_maladministrasi", "boolean")):
        units[column] = pd.Series(pd.NA, index=units.index, dtype=dtype)
    synthetic = answers["synthetic"].to_numpy(dtype=bool) if "synthetic" in answers else np.zeros(len(answers), bool)
    units["synthetic"] = np.bincount(unit_of_run, weights=np.logical_or.reduceat(synthetic, starts),
                                     minlength=n_units) > 0
    return units.reindex(columns=UNIT_COLUMNS)


def _codes_and_first(keys) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes of ``keys`` in order of appearance, and the position of each code's first row."""
    codes = pd.factorize(np.asarray(keys))[0].astype(np.int64, copy=False)
    # Numbered in order of appearance, a row holds its code first where it exceeds every code above it.
    return codes, np.flatnonzero(codes > np.concatenate([[-1], np.maximum.accumulate(codes)[:-1]]))


def _sorted_codes_and_first(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes of integer ``keys`` in key order, and the first row of each: by a stable sort, not a
    hash (millions of rows, as many keys as a tenth of them, mostly in order already)."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.ones(len(keys), dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    codes = np.empty(len(keys), dtype=np.int64)
    codes[order] = np.cumsum(starts) - 1
    return codes, order[starts]


def _caps_per_unit(units: pd.DataFrame) -> np.ndarray:
    """(n_units, 4) array of dimension caps; raises MethodologyError where an era has none."""
    caps = np.empty((len(units), len(DIMENSIONS)))
    keys = units[["year", "entity_type"]].astype({"year": int, "entity_type": str})
    for (year, entity_type), rows in keys.groupby(["year", "entity_type"]).indices.items():
        declared = dimension_caps(year, entity_type)
        if not declared:
            raise MethodologyError(
                f"{era(year, entity_type).label} has no dimensions: {year} {entity_type} answers "
                "cannot be scored (give a unit recap with Nilai instead)", year=year, entity_type=entity_type,
            )
        caps[rows] = [declared[d] for d in DIMENSIONS]
    return caps


def _other_parts(units: pd.DataFrame) -> np.ndarray:
    """True for units whose era adds a part to the dimensions that answers do not give (2025-: kepercayaan)."""
    keys = units[["year", "entity_type"]].astype({"year": int, "entity_type": str})
    other = np.zeros(len(units), dtype=bool)
    for (year, entity_type), rows in keys.groupby(["year", "entity_type"]).indices.items():
        other[rows] = set(era(year, entity_type).components) - {"dimensi"} != set()
    return other


def _mean_per_group(values: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Mean of each group's values in row order, NaN if any is missing: exactly Series.mean(skipna=False).

    numpy's mean of each group's slice (pairwise summation, as pandas uses), not a running sum:
    the same bits as scoring one entity at a time.
    """
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(n_groups + 1))
    sizes = np.diff(bounds)
    missing = np.bincount(group, weights=np.isnan(values), minlength=n_groups) > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        means = _pairwise_sums(values[order], bounds[:-1], sizes) / sizes
    return np.where(missing, np.nan, means)


_PAIRWISE_BLOCK = 128  # numpy sums a slice up to this long with eight running sums, a longer one in halves


def _pairwise_sums(ordered: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """``ordered[start:start + size].sum()`` of each group, the same bits as numpy's pairwise summation: in one
    pass per position for all groups at once (an entity has a few units; many entities, a slice each is slow).

    numpy adds fewer than 8 values one by one; up to 128, in 8 running sums over blocks of 8, combined
    pairwise, then the rest one by one; a longer slice is summed by numpy itself.
    """
    sums = np.zeros(len(sizes))
    for k in range(7):
        rows = np.flatnonzero((sizes < 8) & (sizes > k))
        sums[rows] += ordered[starts[rows] + k]
    rows = np.flatnonzero((sizes >= 8) & (sizes <= _PAIRWISE_BLOCK))
    first, blocks_end = starts[rows], starts[rows] + sizes[rows] - sizes[rows] % 8
    running = [ordered[first + j] for j in range(8)]
    for block in range(8, _PAIRWISE_BLOCK, 8):
        more = first + block < blocks_end
        for j in range(8):
            running[j][more] += ordered[first[more] + block + j]
    r = running
    part = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    for k in range(7):
        more = blocks_end + k < first + sizes[rows]
        part[more] += ordered[blocks_end[more] + k]
    sums[rows] = part
    for i in np.flatnonzero(sizes > _PAIRWISE_BLOCK):
        sums[i] = ordered[starts[i]:starts[i] + sizes[i]].sum()
    return sums


def _empty_units() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="Float64" if c in ("nilai", "koreksi", "kepercayaan") else object)
                         for c in UNIT_COLUMNS})


def entity_scores(units: pd.DataFrame) -> pd.DataFrame:
    """Canonical units -> entity_scores: mean of unrounded unit nilai minus koreksi, rounded at the end.

    Every unit counts equally. A unit without nilai leaves the entity score missing rather
    than silently dropping the unit. Zone, category and opinion are classified on the rounded
    score (77.995 -> 78.00 -> B, hijau); from 2025 there is no zone or grade, and ``tm`` (the
    units' Tanpa Maladministrasi flag, the same on each) adds " Tanpa Maladministrasi" to the opinion.
    """
    if units.empty:
        return schemas.empty(schemas.ENTITY_SCORES)
    frame = units.assign(
        nilai=units["nilai"].astype("Float64"),
        koreksi=units["koreksi"].astype("Float64") if "koreksi" in units else pd.NA,
        tm=units["tanpa_maladministrasi"].astype("boolean") if "tanpa_maladministrasi" in units else pd.NA,
        synthetic=units["synthetic"].astype(bool) if "synthetic" in units else False,
        unit_type=units["unit_type"].astype("string"),
    )
    grouped = frame.groupby(ENTITY_KEY, sort=True, dropna=False)
    out = grouped.agg(
        province_code=("province_code", "first"),
        entity=("entity", "first"),
        n_units=("unit", "size"),
        koreksi=("koreksi", "first"),
        tm=("tm", "first"),
        synthetic=("synthetic", "any"),
    ).reset_index()
    entity_of_unit = grouped.ngroup().to_numpy()
    out["mean"] = _mean_per_group(frame["nilai"].to_numpy(dtype=float, na_value=np.nan), entity_of_unit, len(out))
    types_of = [set() for _ in range(len(out))]
    for entity, unit_type in zip(entity_of_unit, frame["unit_type"].to_numpy(dtype=object, na_value=None)):
        if unit_type is not None:
            types_of[entity].add(unit_type)
    out["unit_types"] = pd.array([";".join(sorted(types)) for types in types_of], dtype="string")
    out["n_units"] = out["n_units"].astype("Int64")
    out["koreksi"] = out["koreksi"].astype("Float64")
    out["tm"] = out["tm"].astype("boolean")
    out["score_unrounded"] = out.pop("mean").astype("Float64") - out["koreksi"].fillna(0)
    out["score"] = round_half_up(out["score_unrounded"])
    return classify_frame(out)[ENTITY_SCORE_COLUMNS]


# --- held back: an entity with a rejected row is not scored (score and ingest alike) ---------------

HELD_BACK_COLUMNS = ["year", "entity_type", "province_code", "entity_code", "entity", "rows_rejected", "files", "reason"]
_ATTRIBUTES = ["year", "entity_code", "province_code", "entity_type"]  # what a rejected row can tell of its entity


@dataclass
class Scored:
    """Units and entity scores of canonical exports, and the entities held back from scoring."""

    units: pd.DataFrame  # recap units and units scored from answers, held-back entities' units included
    scores: pd.DataFrame  # entity_scores of the entities not held back
    held_back: pd.DataFrame  # HELD_BACK_COLUMNS, one row per (year, entity) not scored


def score_exports(units: pd.DataFrame, answers: pd.DataFrame, quarantine: pd.DataFrame) -> Scored:
    """Score canonical units and answers; hold back every entity whose rows are incomplete or doubtful.

    An entity is held back when a rejected row (``quarantine``, as `ExportData.quarantine` gives
    it) could be one of its rows: the row's own entity (and the entity its name names when that
    contradicts its code), else every entity of the year, province and entity type the row gives,
    as far as it gives them. An identical duplicate does not hold back (the first copy is used);
    a problem of a whole file holds back nothing (its rows were never read). Also held back: an
    entity of a year without a methodology (or, for answers, without dimensions), and one with a
    unit given twice (two rows, or a recap and answers).
    """
    rows = pd.concat([_entity_rows(units), _entity_rows(answers)], ignore_index=True)
    unscorable = _blocked_without_method(answers, need_caps=True)
    blocked = pd.concat([_held_back_by_rejects(quarantine, rows), _blocked_without_method(units, need_caps=False),
                         unscorable], ignore_index=True)
    parts = [f for f in (units, unit_scores_from_answers(_drop_entities(answers, unscorable))) if not f.empty]
    all_units = schemas.concat(parts) if parts else _empty_units()
    blocked = pd.concat([blocked, _blocked_units_twice(_drop_entities(all_units, blocked))], ignore_index=True)
    blocked = blocked.drop_duplicates(ENTITY_KEY).sort_values(ENTITY_KEY, kind="stable").reset_index(drop=True)
    blocked = blocked.astype({"year": "Int16", "rows_rejected": "Int64", **dict.fromkeys(
        ["entity_type", "province_code", "entity_code", "entity", "files", "reason"], "string")})
    return Scored(all_units, entity_scores(_drop_entities(all_units, blocked)),
                  schemas.HELD_BACK.validate(blocked[HELD_BACK_COLUMNS]))


def _entity_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Entity key, province, name and file of every accepted row (to attribute rejected rows)."""
    cols = ENTITY_KEY + ["province_code", "entity", "source_file"]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    return frame[cols].drop_duplicates().astype(dict.fromkeys(cols[1:], "string"))


def _held_back_by_rejects(quarantine: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Entities a rejected row could belong to, matched on every attribute the row tells (see `score_exports`)."""
    q = quarantine[quarantine["row"].notna() & quarantine["holds_back"].astype(bool)] if len(quarantine) else quarantine
    if q.empty or rows.empty:
        return _blocked_frame()
    q = q.assign(_row=pd.factorize(q["file"].astype(str) + "\0" + q["sheet"].fillna("").astype(str) + "\0"
                                   + q["row"].astype(str))[0])
    # A row with an entity names it (and the one its name names, if they contradict); else it tells what it can.
    named = q[q["entity_code"].notna()]
    other = q[q["other_entity_code"].notna()].assign(entity_code=lambda d: d["other_entity_code"])
    candidates = pd.concat([named, other], ignore_index=True).assign(province_code=pd.NA, entity_type=pd.NA)
    candidates = pd.concat([candidates.assign(_own=True), q[q["entity_code"].isna()].assign(_own=False)],
                           ignore_index=True)
    candidates = candidates[[*_ATTRIBUTES, "file", "_row", "_own"]].astype(
        {"year": "Int64", **dict.fromkeys(_ATTRIBUTES[1:], "string")})
    entities = rows.drop_duplicates(ENTITY_KEY).astype({"year": "Int64", **dict.fromkeys(_ATTRIBUTES[1:], "string")})
    entities = pd.concat([entities, _named_only(candidates[candidates["_own"]], entities)], ignore_index=True)
    known = candidates[_ATTRIBUTES].notna()
    matches = []
    for pattern, group in candidates.groupby([known[c] for c in _ATTRIBUTES], sort=False):
        on = [c for c, k in zip(_ATTRIBUTES, pattern) if k]
        left = group.drop(columns=[c for c in _ATTRIBUTES if c not in on])
        matches.append(left.merge(entities, on=on) if on else left.merge(entities, how="cross"))
    hit = pd.concat(matches, ignore_index=True)
    if hit.empty:
        return _blocked_frame()
    out = hit.groupby(ENTITY_KEY, sort=True).agg(
        province_code=("province_code", "first"), entity=("entity", "first"), rows_rejected=("_row", "nunique"),
        files=("file", lambda f: ";".join(sorted(set(map(str, f))))), own=("_own", "any")).reset_index()
    out["reason"] = np.where(out.pop("own"), "not scored: the entity has rejected rows",
                             "not scored: a rejected row whose entity is unknown could be one of its units "
                             "(same year, province and type as far as the row tells)")
    return out[HELD_BACK_COLUMNS]


def _named_only(named: pd.DataFrame, entities: pd.DataFrame) -> pd.DataFrame:
    """Entities whose rows were all rejected (no accepted row of theirs): as ``entities`` rows, from their codes."""
    codes = named[["year", "entity_code"]].drop_duplicates()
    codes = codes.merge(entities[["year", "entity_code"]], how="left", indicator=True)
    codes = codes[codes.pop("_merge") == "left_only"]
    resolver = get_resolver()
    found = [resolver.resolve_entity(None, code=code) for code in codes["entity_code"]]
    return codes.assign(entity_type=[e.entity_type for e in found], province_code=[e.province_code for e in found],
                        entity=[e.name for e in found]).astype({"year": "Int64", **dict.fromkeys(_ATTRIBUTES[1:], "string")})


def _blocked_without_method(frame: pd.DataFrame, need_caps: bool) -> pd.DataFrame:
    """Entities whose year has no declared methodology (or, for answers, no dimensions)."""
    if frame.empty:
        return _blocked_frame()
    entities = frame[ENTITY_KEY + ["province_code", "entity", "source_file"]].drop_duplicates(ENTITY_KEY)
    reasons = {}
    for year, entity_type in entities[["year", "entity_type"]].drop_duplicates().itertuples(index=False):
        try:
            if need_caps and not dimension_caps(year, entity_type):
                reasons[(year, entity_type)] = (f"not scored: {era(year, entity_type).label} has no dimensions, "
                                                "so answers cannot be scored; give a unit recap with Nilai")
            elif need_caps and set(era(year, entity_type).components) - {"dimensi"}:
                reasons[(year, entity_type)] = (f"not scored: {era(year, entity_type).label} adds "
                                                f"{', '.join(sorted(set(era(year, entity_type).components) - {'dimensi'}))}"
                                                " to the dimensions, which answers do not give; give a unit recap "
                                                "with Nilai (or the dimensions and Kepercayaan Masyarakat)")
        except MethodologyError as err:
            reasons[(year, entity_type)] = f"not scored: {err}"
    reason = [reasons.get(k) for k in zip(entities["year"], entities["entity_type"])]
    return _as_blocked(entities.assign(reason=reason).dropna(subset=["reason"]))


def _blocked_units_twice(units: pd.DataFrame) -> pd.DataFrame:
    """A unit given twice (two rows, or a recap and answers) would count twice in the mean."""
    if units.empty:
        return _blocked_frame()
    twice = units[units.duplicated(UNIT_KEY, keep=False)]
    return _as_blocked(twice.drop_duplicates(ENTITY_KEY).assign(
        reason=lambda d: "not scored: unit " + d["unit"].astype(str)
        + " appears more than once (pass either its recap or its answers)"))


def _as_blocked(entities: pd.DataFrame) -> pd.DataFrame:
    """Entities held back for a reason of their own (no rejected row): their own file is named."""
    return entities.assign(rows_rejected=0, files=entities["source_file"].astype(str)).reindex(
        columns=HELD_BACK_COLUMNS)


def _blocked_frame() -> pd.DataFrame:
    return pd.DataFrame(columns=HELD_BACK_COLUMNS)


def _drop_entities(frame: pd.DataFrame, blocked: pd.DataFrame) -> pd.DataFrame:
    if frame.empty or blocked.empty:
        return frame
    keys = pd.MultiIndex.from_frame(frame[ENTITY_KEY].astype({"year": int, "entity_type": str, "entity_code": str}))
    drop = pd.MultiIndex.from_frame(blocked[ENTITY_KEY].astype({"year": int, "entity_type": str, "entity_code": str}))
    return frame[~keys.isin(drop)].reset_index(drop=True)
