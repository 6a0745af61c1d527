"""The synthetic set: entities (zone or grade, score), their units, and integer answers that score
each unit to its target cent (fixed seed)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import methodology
from ..errors import CalibrationError
from ..schemas import ENTITY_TYPES, NATIONAL_TYPES
from .calibration import Requirements, _band, _cent, _interval, _rank_problems, _table_bounds, requirements
from .declarations import (
    ANSWER_COLUMNS, CALIBRATION_EXCEPTIONS, DEFAULT_SEED, DIMENSION_COLUMNS, IDENTITY_COLUMNS, MAX_ATTEMPTS,
    NAME_PREFIXES, RECAP_COLUMNS, SYNTHETIC_FLAG, TOP_FROM, TUNING_OFFSET, UNIT_TOLERANCE, Settings,
    _roster, count_problems, instrument_steps, load_instrument, load_national_targets, load_published_counts,
    load_settings,
)

# --- the generated set --------------------------------------------------------------------------

@dataclass
class SyntheticSet:
    """Entities and units (with their target and generated scores) and the answer exports."""

    seed: int
    entities: pd.DataFrame  # year, entity_type, province_code, province, entity_code, entity, score, basis, class
    units: pd.DataFrame  # year, entity_code, unit, unit_type, target, published, input..pengaduan, nilai
    answers: dict[int, pd.DataFrame]  # export-shaped (ANSWER_COLUMNS) per answer year
    exceptions: dict[tuple[int, str], str]  # contradictions found in the published facts

    def recap(self, year: int) -> pd.DataFrame:
        """The unit recap export of ``year``: dimension points and Nilai rounded half-up to 2 dp."""
        units = self.units[self.units["year"] == year]
        frame = _identity_frame(units, self.entities)
        for column in [*DIMENSION_COLUMNS, "Nilai"]:
            frame[column] = methodology.round_half_up(units[column.lower()].to_numpy(dtype=float))
        frame["Data Sintetis"] = SYNTHETIC_FLAG
        return frame[RECAP_COLUMNS].reset_index(drop=True)


def generate(seed: int = DEFAULT_SEED, facts: pd.DataFrame | None = None, years: tuple[int, ...] | None = None,
             respondents: dict[str, tuple[int, str]] | None = None) -> SyntheticSet:
    """The national synthetic set: every published figure reproduced, national counts as declared.

    ``respondents`` overrides generator.toml's respondent counts (the benchmark asks for more).
    Raises CalibrationError naming every figure or count that cannot be honoured.
    """
    settings = load_settings()
    years = tuple(years or settings.years)
    if facts is None:
        from ..published import load_published

        facts, _ = load_published()
    targets, published_counts = load_national_targets(), load_published_counts()
    problems = count_problems(targets, published_counts)
    req = requirements(facts, years, settings)
    problems += _exception_problems(req.contradictions, years)
    if problems:
        raise CalibrationError(problems)

    instrument = load_instrument(respondents)
    entities, units, answers = [], [], {}
    for year in years:
        rng = np.random.default_rng([seed, year])
        year_entities = _entities(year, targets[targets["year"] == year], settings, req, rng)
        year_units = _units(year, year_entities, settings, req, rng)
        if year in settings.answer_years:
            year_units, answers[year] = _answers(year, year_entities, year_units, instrument, settings, rng)
        else:  # the survey era has no dimensions: Nilai only
            year_units = year_units.assign(**{c.lower(): np.nan for c in DIMENSION_COLUMNS},
                                           nilai=year_units["target"] / 100)
        entities.append(year_entities)
        units.append(year_units)
    return SyntheticSet(seed, pd.concat(entities, ignore_index=True), pd.concat(units, ignore_index=True), answers,
                        {k: v for k, v in req.contradictions.items() if k[0] in years})


def _exception_problems(found: dict[tuple[int, str], str], years: tuple[int, ...]) -> list[str]:
    listed = {k for k in CALIBRATION_EXCEPTIONS if k[0] in years}
    return ([f"{y} {c}: {found[(y, c)]}; add it to CALIBRATION_EXCEPTIONS with the reason"
             for y, c in sorted(set(found) - listed)]
            + [f"{y} {c} is listed in CALIBRATION_EXCEPTIONS but its published facts agree"
               for y, c in sorted(listed - set(found))])


# --- entities: roster, zone or grade, score ---------------------------------------------------------

def _entities(year: int, targets: pd.DataFrame, settings: Settings, req: Requirements,
              rng: np.random.Generator) -> pd.DataFrame:
    """This year's assessed entities, each with a zone or grade and a score in cents."""
    roster = _roster(year, settings)
    by_category = bool((targets["category"] != "").any())
    chosen = []
    drawn, bounds, problems = _table_bounds(year, roster, req, settings, rng)
    for entity_type in sorted(NATIONAL_TYPES, key=ENTITY_TYPES.index):  # the seed's draws follow this order
        wanted = targets[targets["entity_type"] == entity_type]
        labels = (wanted["category"] if by_category else wanted["zone"]).tolist()
        capacity = dict(zip(labels, wanted["count"].tolist()))
        candidates = roster[roster["entity_type"] == entity_type]
        published = [c for c in candidates["entity_code"] if (year, c) in req.interval]
        n = sum(capacity.values())
        if entity_type in ("Kementerian", "Lembaga"):  # those published that year, then by code
            rest = [c for c in candidates["entity_code"] if c not in published]
            candidates = candidates.set_index("entity_code").loc[(published + rest)[:n]].reset_index()
        if len(candidates) != n:
            problems.append(f"{year} {entity_type}: {len(candidates)} entities in the reference data "
                            f"(minus generator.toml's not_assessed), national_targets.csv counts {n}")
            continue
        bands = {label: _band(year, entity_type, **({"category": label} if by_category else {"zone": label}))
                 for label in labels}
        frame = candidates.assign(year=year)
        frame["class"], frame["score"], frame["basis"] = _classes_and_scores(
            year, frame, bands, capacity, req, drawn, bounds, settings, rng, problems)
        chosen.append(frame)
    if problems:
        raise CalibrationError(problems)
    out = pd.concat(chosen, ignore_index=True)
    out = out[["year", "entity_type", "province_code", "province", "entity_code", "entity", "score", "basis", "class"]]
    problems = _rank_problems(year, out, req)
    if problems:
        raise CalibrationError(problems)
    return out


def _classes_and_scores(year, frame, bands, capacity, req, drawn, bounds, settings, rng, problems):
    """A zone or grade for each entity so that the declared counts hold, then a score in cents in it.

    ``drawn``: scores already drawn (for a published rank); ``bounds``: [lo, hi) that ranks need.
    """
    keys = [(year, c) for c in frame["entity_code"]]
    fixed_score = [req.score.get(k, drawn.get(k)) for k in keys]
    allowed = []
    for key, score in zip(keys, fixed_score):
        if score is not None:
            allowed.append([lab for lab, (lo, hi) in bands.items() if lo <= score / 100 < hi])
        else:
            lo, hi = _interval(key, req, bounds)
            allowed.append([lab for lab, (blo, bhi) in bands.items() if blo < hi and lo < bhi])
    left = dict(capacity)
    label = [None] * len(keys)
    # Most constrained first; among equals, the allowed class with most room left.
    for i in sorted(range(len(keys)), key=lambda i: (len(allowed[i]), rng.random())):
        if len(allowed[i]) == len(bands):
            continue
        options = [lab for lab in allowed[i] if left[lab] > 0]
        if not options:
            problems.append(f"{year} {frame['entity'].iloc[i]}: its published figures need "
                            f"{' or '.join(allowed[i])}, but national_targets.csv leaves no room")
            continue
        label[i] = max(options, key=lambda lab: left[lab])
        left[label[i]] -= 1
    free = [i for i in range(len(keys)) if label[i] is None and len(allowed[i]) == len(bands)]
    pool = [lab for lab, k in left.items() for _ in range(k)]
    for i, lab in zip(rng.permutation(free), rng.permutation(pool)):
        label[i] = lab

    scores, basis = [], []
    s = settings.scores
    for key, lab, score in zip(keys, label, fixed_score):
        if score is not None:
            scores.append(score)
            basis.append("published" if key in req.score else "drawn for its published rank")
            continue
        lo, hi = bands[lab] if lab else (0.0, 0.0)
        plo, phi = _interval(key, req, bounds)
        lo, hi = max(lo, plo), min(hi, phi)
        clamped = (max(lo, s["entity_min"]), min(hi, s["entity_max"]))
        lo, hi = clamped if clamped[0] < clamped[1] else (lo, hi)
        lo_c, hi_c = _cent(lo), _cent(hi) - 1  # hi is exclusive
        scores.append(int(rng.integers(lo_c, hi_c + 1)))
        basis.append("drawn within published zone, grade, units, ranks or scores of other years"
                     if key in req.interval or key in req.near or key in bounds
                     else "drawn")
    return label, scores, basis


def _base_name(entity: str) -> str:
    for prefix in NAME_PREFIXES:
        if entity.startswith(prefix):
            return entity[len(prefix):]
    return entity


def _units(year: int, entities: pd.DataFrame, settings: Settings, req: Requirements,
           rng: np.random.Generator) -> pd.DataFrame:
    """Units of every entity (published ones by their published name) with target scores in cents.

    Free units spread around the entity score and add up to exactly n x score, so that their mean
    is the entity score whatever the rounding; published units are taken as published.
    """
    from ..reference import get_resolver

    resolver = get_resolver()
    s = settings.scores
    rows, problems = [], []
    for e in entities.itertuples(index=False):
        key = (year, e.entity_code)
        base = _base_name(e.entity)
        names = [n.format(base=base) for n in settings.unit_names(year, e.entity_type)]
        published = req.units.get(key, {})
        names = _with_published(names, list(published), resolver)
        n = len(names)
        targets = np.array([published.get(name, -1) for name in names])
        free = targets < 0
        total = n * e.score - int(targets[~free].sum())
        if free.any():
            targets[free] = _spread(total, int(free.sum()), s, rng)
            if targets[free].min() < 0 or targets[free].max() > 10000:
                problems.append(f"{year} {e.entity}: its published units leave the others an impossible mean")
        elif methodology.round_half_up(targets.sum() / n / 100) != e.score / 100:
            problems.append(f"{year} {e.entity}: its published units average {targets.sum() / n / 100:.4f}, "
                            f"not {e.score / 100:.2f}")
        for name, target in zip(names, targets):
            rows.append((year, e.entity_code, name, resolver.resolve_unit_type(name), int(target), name in published))
    if problems:
        raise CalibrationError(problems)
    return pd.DataFrame(rows, columns=["year", "entity_code", "unit", "unit_type", "target", "published"])


def _with_published(names: list[str], published: list[str], resolver) -> list[str]:
    """The declared unit names with each published unit in the place of one of its type."""
    names = list(names)
    types = [resolver.resolve_unit_type(n) for n in names]
    extra = []
    for unit in published:
        unit_type = resolver.resolve_unit_type(unit)
        slot = next((i for i, t in enumerate(types) if t == unit_type), None)
        if slot is None:
            extra.append(unit)
        else:
            names[slot] = unit
            types[slot] = None
    return names + extra


def _spread(total: int, k: int, s: dict, rng: np.random.Generator) -> np.ndarray:
    """``k`` scores in cents adding up to ``total``, spread realistically within the unit range."""
    centre = total / k / 100
    room = min(s["unit_max"] - centre, centre - s["unit_min"])
    sd = max(0.05, min(s["unit_spread"], room / 2.5))
    for _ in range(50):
        points = centre + rng.normal(0, sd, k)
        cents = np.rint((points - points.mean() + centre) * 100).astype(np.int64)
        cents[rng.integers(k)] += total - cents.sum()
        if cents.min() >= s["unit_min"] * 100 and cents.max() <= s["unit_max"] * 100:
            return cents
        sd /= 2
    return cents  # out of range: the caller reports it


# --- answers: integer Skor that score each unit to its target cent -----------------------------------

def _answers(year: int, entities: pd.DataFrame, units: pd.DataFrame, instrument: pd.DataFrame,
             settings: Settings, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Solve every unit's answers; return the units with their scores and the answers export.

    A free unit whose target cent the instrument cannot reach trades a cent with another free
    unit of its entity (their sum, hence the entity score, is unchanged) and both are solved again.
    """
    entity_type = units["entity_code"].map(dict(zip(entities["entity_code"], entities["entity_type"]))).to_numpy()
    tuning = (instrument["responden"] == settings.scores["tuning_respondents"]).to_numpy()
    dim_index = instrument["dimensi"].map({d: i for i, d in enumerate(DIMENSION_COLUMNS)}).to_numpy()
    maximum = 3 * instrument["n"].to_numpy()
    types = sorted(set(entity_type))  # sorted: set order varies between processes, and so would the draws
    steps = {t: instrument_steps(instrument, methodology.dimension_caps(year, t)) for t in types}
    units = units.copy()
    target = units["target"].to_numpy().copy()
    tolerance = _tolerances(units)
    sums = np.zeros((len(units), len(instrument)), dtype=np.int64)
    todo = np.ones(len(units), dtype=bool)
    free_by_entity = units[~units["published"]].groupby("entity_code").indices
    for _ in range(MAX_ATTEMPTS):
        for t in types:
            rows = np.flatnonzero(todo & (entity_type == t))
            if len(rows):
                solved, ok = _solve_sums(target[rows] / 100, tolerance[rows], steps[t], maximum, tuning, dim_index,
                                         settings.scores, rng)
                sums[rows[ok]] = solved[ok]
                todo[rows[ok]] = False
        if not todo.any():
            break
        for i in np.flatnonzero(todo):
            partners = [j for j in free_by_entity.get(units["entity_code"].iloc[i], []) if j != i]
            if units["published"].iloc[i] or not partners:
                raise CalibrationError([f"{year} {units['entity_code'].iloc[i]} {units['unit'].iloc[i]}: "
                                        f"the instrument cannot score {target[i] / 100:.2f}"])
            j, shift = rng.choice(partners), int(rng.choice([-1, 1]))
            target[i] += shift
            target[j] -= shift
            todo[j] = True
    else:
        raise CalibrationError([f"{year}: {int(todo.sum())} unit(s) could not be scored after {MAX_ATTEMPTS} rounds"])
    units["target"] = target
    points = np.zeros((len(units), len(DIMENSION_COLUMNS)))
    for t in types:
        rows = entity_type == t
        points[rows] = _dimension_points(sums[rows], steps[t], dim_index)
    for i, column in enumerate(DIMENSION_COLUMNS):
        units[column.lower()] = points[:, i]
    units["nilai"] = points.sum(axis=1)
    _check_entities(year, units, entities)
    return units, _answer_frame(year, entities, units, instrument, sums, rng)


def _dimension_points(sums: np.ndarray, steps: np.ndarray, dim_index: np.ndarray) -> np.ndarray:
    return np.stack([(sums * steps)[:, dim_index == d].sum(axis=1) for d in range(len(DIMENSION_COLUMNS))], axis=1)


def _tolerances(units: pd.DataFrame) -> np.ndarray:
    """Per unit: how far its unrounded score may stray so that it and its entity mean still round right.

    Free units add up to n x entity score exactly, so any deviation under half a cent is safe;
    where published units fix the sum, the mean's distance to its rounding edge is shared out.
    """
    total = units.groupby("entity_code")["target"].transform("sum").to_numpy()
    n = units.groupby("entity_code")["target"].transform("size").to_numpy()
    mean = total / n  # cents
    rounded = np.floor(mean + 0.5)
    margin = np.minimum(mean - (rounded - 0.5), (rounded + 0.5) - mean) / 100  # points
    return np.minimum(UNIT_TOLERANCE, 0.5 * margin)


def _solve_sums(target, tol, steps, maximum, tuning, dim_index, s, rng) -> tuple[np.ndarray, np.ndarray]:
    """(units x indicators) sums of respondents' Skor scoring each unit to ``target`` within ``tol``, and ok.

    Vectorised over units: draw answer levels around the target; set the tuning indicators to a
    base level; steer the other indicators (one answer at a time) until what is left for the
    tuning indicators lies within their reach; then look up, in the sorted table of every
    combination of tuning moves, the one nearest to what is left; units that miss are drawn
    again. Near the top of the scale every answer is near its maximum, so there the target's
    shortfall from 100 is looked up among every combination of answers below the maximum.
    """
    out = np.zeros((len(target), len(steps)), dtype=np.int64)
    ok = np.zeros(len(target), dtype=bool)
    top = target >= TOP_FROM
    if top.any():
        out[top], ok[top] = _solve_top(target[top], tol[top], steps, maximum, dim_index, rng)
    table, order = _tuning_table(tuple(steps[tuning]))
    reach = TUNING_OFFSET * steps[tuning].sum() / 2
    width = 2 * TUNING_OFFSET + 1
    m = int(tuning.sum())
    other = ~tuning
    todo = np.flatnonzero(~top)
    for _ in range(MAX_ATTEMPTS):
        if not len(todo):
            break
        t = target[todo]
        level = np.clip(t[:, None] / 100 + rng.normal(0, s["indicator_spread"], (len(todo), len(steps))), 0, 1)
        sums = rng.binomial(maximum, level)
        base = np.clip(np.rint(t[:, None] / 100 * maximum[tuning]), TUNING_OFFSET, maximum[tuning] - TUNING_OFFSET)
        sums[:, tuning] = base
        wanted = t - base @ steps[tuning]
        sums[:, other], steered = _steer(sums[:, other], steps[other], maximum[other], wanted, reach, rng)
        left = wanted - sums[:, other] @ steps[other]
        j = np.clip(np.searchsorted(table, left), 1, len(table) - 1)
        j = np.where(np.abs(table[j - 1] - left) <= np.abs(table[j] - left), j - 1, j)
        digits = (order[j][:, None] // width ** np.arange(m - 1, -1, -1)) % width
        sums[:, tuning] = base + digits - TUNING_OFFSET
        hit = steered & _hits(sums, steps, dim_index, t, tol[todo])
        out[todo[hit]] = sums[hit]
        ok[todo[hit]] = True
        todo = todo[~hit]
    return out, ok


def _hits(sums, steps, dim_index, target, tol) -> np.ndarray:
    """Within ``tol`` of the target, and a recap of it (dimensions, Nilai at 2 dp) passes ingest's sum check."""
    score = sums @ steps
    rounded_dims = methodology.round_half_up(_dimension_points(sums, steps, dim_index)).sum(axis=1)
    agrees = np.abs(rounded_dims - methodology.round_half_up(score)) <= 0.01 + 1e-9
    return (np.abs(score - target) <= tol) & agrees


def _solve_top(target, tol, steps, maximum, dim_index, rng) -> tuple[np.ndarray, np.ndarray]:
    """Every answer at its maximum less a combination of shortfalls, drawn among those that hit the target."""
    shortfall, combos = _shortfall_table(tuple(steps), tuple(maximum), 100 - TOP_FROM + 2 * UNIT_TOLERANCE)
    full = float(steps @ maximum)
    lo = np.searchsorted(shortfall, full - target - tol, side="left")
    hi = np.searchsorted(shortfall, full - target + tol, side="right")
    found = hi > lo
    pick = lo + np.floor(rng.random(len(target)) * np.maximum(hi - lo, 1)).astype(np.int64)
    sums = maximum[None, :] - combos[np.minimum(pick, len(combos) - 1)]
    return sums, found & _hits(sums, steps, dim_index, target, tol)


@functools.cache
def _shortfall_table(steps: tuple[float, ...], maximum: tuple[int, ...], limit: float) -> tuple[np.ndarray, np.ndarray]:
    """Sorted points below the maximum of combinations of answers under their maximum, up to ``limit``.

    One combination per value at 1e-6 points (finer than any tolerance used).
    """
    values, combos = np.zeros(1), np.zeros((1, 0), dtype=np.int64)
    for step, most in zip(steps, maximum):
        below = np.arange(most + 1)
        grown = (values[:, None] + step * below[None, :]).ravel()
        keep = grown <= limit
        parent = np.repeat(np.arange(len(values)), len(below))[keep]
        values = grown[keep]
        combos = np.column_stack([combos[parent], np.tile(below, len(combos))[keep]])
        _, first = np.unique(np.round(values, 6), return_index=True)
        values, combos = values[first], combos[first]
    order = np.argsort(values, kind="stable")
    return values[order], combos[order]


@functools.cache
def _tuning_table(steps: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Sorted score changes of every combination of tuning moves, and each one's combination index."""
    moves = np.arange(-TUNING_OFFSET, TUNING_OFFSET + 1)
    grid = np.zeros(1)
    for step in steps:
        grid = (grid[:, None] + step * moves[None, :]).ravel()
    order = np.argsort(grid, kind="stable")
    return grid[order], order


def _steer(sums, steps, maximum, wanted, reach, rng) -> tuple[np.ndarray, np.ndarray]:
    """Move one answer at a time (a random improving one) until each row's points are within ``reach``."""
    sums = sums.copy()
    rows = np.arange(len(sums))
    stuck = np.zeros(len(sums), dtype=bool)
    for _ in range(400):
        gap = wanted - sums @ steps
        need = (np.abs(gap) > reach) & ~stuck
        if not need.any():
            break
        direction = np.sign(gap)[:, None].astype(np.int64)
        moved = sums + direction
        better = (np.abs(gap[:, None] - direction * steps[None, :]) < np.abs(gap)[:, None])
        candidates = better & (moved >= 0) & (moved <= maximum[None, :]) & need[:, None]
        pick = np.argmax(np.where(candidates, rng.random(sums.shape), -1.0), axis=1)
        has = candidates.any(axis=1)
        stuck |= need & ~has
        sums[rows[has], pick[has]] += direction[has, 0]
    return sums, (np.abs(wanted - sums @ steps) <= reach) & ~stuck


def _check_entities(year: int, units: pd.DataFrame, entities: pd.DataFrame) -> None:
    """Every unit rounds to its target and every entity mean to its score (or the listed exception)."""
    unit_ok = np.rint(methodology.round_half_up(units["nilai"].to_numpy()) * 100) == units["target"].to_numpy()
    mean = units.groupby("entity_code", sort=False)["nilai"].mean()
    expected = entities.set_index("entity_code")["score"].reindex(mean.index) / 100
    entity_ok = np.isclose(methodology.round_half_up(mean.to_numpy()), expected.to_numpy())
    excepted = np.array([(year, c) in CALIBRATION_EXCEPTIONS for c in mean.index])
    problems = [f"{year} unit {u.entity_code} {u.unit}: {u.nilai:.6f} does not round to {u.target / 100:.2f}"
                for u in units[~unit_ok].itertuples()]
    problems += [f"{year} {c}: units average {m:.6f}, not {x:.2f}"
                 for c, m, x in zip(mean.index[~entity_ok & ~excepted], mean[~entity_ok & ~excepted],
                                    expected[~entity_ok & ~excepted])]
    if problems:
        raise CalibrationError(problems)


def _identity_frame(units: pd.DataFrame, entities: pd.DataFrame) -> pd.DataFrame:
    """Tahun .. Unit Layanan of each unit row, as an export names them."""
    e = entities[entities["year"].isin(units["year"].unique())].set_index(["year", "entity_code"])
    idx = pd.MultiIndex.from_arrays([units["year"], units["entity_code"]])
    looked = e.reindex(idx)
    return pd.DataFrame({
        "Tahun": units["year"].to_numpy(),
        "Provinsi": looked["province"].to_numpy(),
        "Jenis Instansi": looked["entity_type"].to_numpy(),
        "Nama Instansi": looked["entity"].to_numpy(),
        "Kode Wilayah": units["entity_code"].to_numpy(),
        "Unit Layanan": units["unit"].to_numpy(),
    })


def _answer_frame(year, entities, units, instrument, sums, rng) -> pd.DataFrame:
    """One row per (unit, indicator, respondent): each indicator's sum split over its respondents."""
    per_indicator = []
    for i, n in enumerate(instrument["n"]):
        base, extra = sums[:, i] // n, sums[:, i] % n
        rank = rng.random((len(sums), n)).argsort(axis=1)
        per_indicator.append(base[:, None] + (rank < extra[:, None]))
    skor = np.concatenate(per_indicator, axis=1)  # units x answer slots
    slot_indicator = np.repeat(np.arange(len(instrument)), instrument["n"].to_numpy())
    slot_respondent = [r for ids in instrument["ids"] for r in ids]
    n_units, n_slots = skor.shape
    unit_of_row = np.repeat(np.arange(n_units), n_slots)
    slot_of_row = np.tile(np.arange(n_slots), n_units)
    identity = _identity_frame(units, entities)
    frame = pd.DataFrame({c: _take(identity[c].to_numpy(), unit_of_row) for c in IDENTITY_COLUMNS})
    frame["Tahun"] = year
    ind_of_row = slot_indicator[slot_of_row]
    frame["Dimensi"] = _take(instrument["dimensi"].to_numpy(), ind_of_row)
    frame["Variabel"] = _take(instrument["variabel"].to_numpy(), ind_of_row)
    frame["Kode Indikator"] = _take(instrument["kode_indikator"].to_numpy(), ind_of_row)
    frame["Indikator"] = _take(instrument["indikator"].to_numpy(), ind_of_row)
    frame["Responden"] = _take(np.array(slot_respondent, dtype=object), slot_of_row)
    frame["Bobot"] = instrument["bobot"].to_numpy()[ind_of_row]
    frame["Skor"] = skor.ravel()
    frame["Data Sintetis"] = SYNTHETIC_FLAG
    return frame[ANSWER_COLUMNS]


def _take(values: np.ndarray, positions: np.ndarray) -> pd.Categorical:
    """values[positions] as a categorical: the national set has a million rows of a few thousand texts."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    return pd.Categorical.from_codes(codes[positions], categories=uniques)
