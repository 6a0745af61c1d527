"""What the published facts require of the synthetic set: each entity-year's score band, the
nearest published scores, and the provincial league tables' published ranks."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import methodology
from ..ranking import rank_provincial
from ..schemas import NATIONAL_TYPES
from .declarations import REGENCY_TYPES, Settings, _roster

# --- what the published facts require --------------------------------------------------------------

@dataclass
class Requirements:
    """Per (year, entity_code): a published score in cents, the interval its facts allow, its units,
    the interval near its published scores of other years; per (year, province_code): the published
    provincial ranks to reproduce, by entity_code."""

    score: dict[tuple[int, str], int]
    interval: dict[tuple[int, str], tuple[float, float]]
    units: dict[tuple[int, str], dict[str, int]]
    contradictions: dict[tuple[int, str], str]
    ranks: dict[tuple[int, str], dict[str, int]]
    near: dict[tuple[int, str], tuple[float, float]]


def requirements(facts: pd.DataFrame, years: tuple[int, ...], settings: Settings) -> Requirements:
    """Read the published facts of national entity types in ``years`` into calibration targets."""
    f = facts[facts["year"].isin(years) & facts["entity_type"].isin(NATIONAL_TYPES) & facts["entity_code"].notna()]
    req = Requirements({}, {}, {}, {}, {}, {})
    for (year, code), group in f[f["unit"].isna()].groupby(["year", "entity_code"], sort=True):
        key = (int(year), str(code))
        entity_type = str(group["entity_type"].iloc[0])
        score = _one_score(group, key, "entity", req.contradictions)
        lo, hi = 0.0, methodology.score_scale(key[0], entity_type)
        for zone, category, opinion in zip(group["zone"], group["category"], group["opinion"]):
            blo, bhi = _band(key[0], entity_type, zone=zone, category=category, opinion=opinion)
            lo, hi = max(lo, blo), min(hi, bhi)
        if score is not None:
            req.score[key] = score
            if not lo <= score / 100 < hi and key not in req.contradictions:
                req.contradictions[key] = f"published {score / 100:.2f} lies outside the zone or grade also published"
        elif lo >= hi:
            req.contradictions[key] = "the published zones or grades exclude one another"
        req.interval[key] = (lo, hi)
    for (year, code, unit), group in f[f["unit"].notna()].groupby(["year", "entity_code", "unit"], sort=True):
        key = (int(year), str(code))
        score = _one_score(group, key, f"unit {unit}", req.contradictions)
        if score is not None:
            req.units.setdefault(key, {})[str(unit)] = score
    s = settings.scores
    for key, units in req.units.items():
        entity_type = str(f.loc[(f["year"] == key[0]) & (f["entity_code"] == key[1]), "entity_type"].iloc[0])
        n = max(len(units), len(settings.unit_names(key[0], entity_type)))
        free, published = n - len(units), sum(units.values()) / 100
        mean = published / len(units)
        if not free and key in req.score and methodology.round_half_up(mean) != req.score[key] / 100:
            # Every unit published, and their mean is not the entity score: the units are reproduced.
            req.contradictions.setdefault(key, f"its {n} published units average {mean:.4f}, "
                                               f"published {req.score[key] / 100:.2f}")
            req.score[key] = _cents(methodology.round_half_up(mean))
        elif free and key not in req.score:  # an entity score the other units can make up
            lo, hi = req.interval.get(key, (0.0, methodology.score_scale(key[0], entity_type)))
            req.interval[key] = (max(lo, (published + free * s["unit_min"]) / n),
                                 min(hi, (published + free * s["unit_max"]) / n))
    _near_requirements(facts, years, s["max_from_nearest_published"], req)
    _rank_requirements(f[f["unit"].isna()], years, settings, req)  # after the scores are final
    return req


def _one_score(group: pd.DataFrame, key: tuple[int, str], what: str, contradictions: dict) -> int | None:
    """The chosen published score in cents (else the only one); two different scores are a contradiction."""
    scores = sorted({_cents(s) for s in group["score"].dropna()})
    if len(scores) > 1:
        contradictions.setdefault(key, f"{what}: sources publish {', '.join(f'{s / 100:.2f}' for s in scores)}")
    chosen = group[group["chosen"].fillna(False).astype(bool) & group["score"].notna()] \
        if "chosen" in group else group.iloc[:0]
    if len(chosen):
        return _cents(chosen["score"].iloc[0])
    return scores[0] if len(scores) == 1 else None


def _cents(score) -> int:
    return int(round(float(score) * 100))


def _band(year: int, entity_type: str, zone=None, category=None, opinion=None) -> tuple[float, float]:
    """[lo, hi) of the scores with this zone, grade and/or opinion in the era of (year, entity_type).

    An opinion counts where it names one of the era's ("A - Kualitas Tertinggi", "Kepatuhan Sedang").
    """
    era = methodology.era(year, entity_type)
    edges = [b.min for b in era.bands] + [era.scale]
    named = _band_opinion(opinion, era)
    inside = [(edges[i], edges[i + 1]) for i, b in enumerate(era.bands)
              if (pd.isna(zone) or b.zone == zone)
              and (pd.isna(category) or b.category is None or b.category == category)
              and (named is None or b.opinion == named)]
    if not inside:
        return (0.0, 0.0)
    return (min(lo for lo, _ in inside), max(hi for _, hi in inside))


def _band_opinion(opinion, era: methodology.Era) -> str | None:
    """The opinion of one of ``era``'s bands that a published opinion names, else None."""
    if pd.isna(opinion):
        return None
    text = str(opinion).split(" - ")[-1].casefold()
    return next((b.opinion for b in era.bands if b.opinion.casefold() == text), None)


def nearest_published(published: dict[int, float], year: int, rounds: tuple[int, ...]) -> list[float]:
    """The published scores (by year) nearest in years to ``year``, if it lies between or next to them.

    ``rounds``: the assessment years of the series (2021 is next to 2019: there was no 2020 round).
    Empty when ``year`` is published, or no published year is on each side or in an adjacent round.
    """
    if year in published or not published:
        return []
    between = min(published) < year < max(published)
    adjacent = {rounds[i] for i in (rounds.index(year) - 1, rounds.index(year) + 1) if 0 <= i < len(rounds)}
    if not (between or adjacent & set(published)):
        return []
    distance = min(abs(y - year) for y in published)
    return [score for y, score in sorted(published.items()) if abs(y - year) == distance]


def _near_requirements(facts: pd.DataFrame, years: tuple[int, ...], gap: float, req: Requirements) -> None:
    """Fill ``req.near``: an entity-year without a published score stays within ``gap`` points of each
    ``nearest_published`` score of its series. Contradictions, noted: two as near lie more than twice
    ``gap`` apart (then the later counts); its published zone, grade or units allow nothing so near
    (they win, and the score keeps within ``gap`` of their edge nearest the published score).
    """
    scored = facts[facts["unit"].isna() & facts["chosen"] & facts["score"].notna()
                   & facts["entity_type"].isin(NATIONAL_TYPES) & facts["entity_code"].notna()]
    by_entity: dict[tuple[str, str], dict[int, float]] = {}
    for code, entity_type, year, score in zip(scored["entity_code"], scored["entity_type"], scored["year"],
                                              scored["score"]):
        by_entity.setdefault((str(code), str(entity_type)), {})[int(year)] = float(score)
    for (code, entity_type), scores in sorted(by_entity.items()):
        for year in years:
            rounds = methodology.series_years(year, entity_type)
            near = nearest_published({y: v for y, v in scores.items() if y in rounds}, year, rounds)
            key = (year, code)
            if not near:
                continue
            lo, hi = max(near) - gap, min(near) + gap
            if lo >= hi:
                req.contradictions.setdefault(key, f"its nearest published scores {_points(near)} lie more than "
                                                   f"twice {gap:g} points apart; it keeps near the later")
                lo, hi = near[-1] - gap, near[-1] + gap
            plo, phi = req.interval.get(key, (0.0, math.inf))
            if hi <= plo or lo >= phi:
                req.contradictions.setdefault(key, f"its published zone, grade or units allow no score within "
                                                   f"{gap:g} points of its nearest published {_points(near)}")
                lo, hi = (plo, plo + gap) if hi <= plo else (phi - gap, phi)
            req.near[key] = (lo, hi)


def _points(scores: list[float]) -> str:
    return " and ".join(f"{v:.2f}" for v in scores)


# --- provincial league tables: the published ranks -------------------------------------------------
# Kabupaten and kota of a province and year are ranked together on their scores, highest first,
# equal scores sharing the best rank (ranking.rank_provincial); the province is listed apart.

def _rank_requirements(entity_facts: pd.DataFrame, years: tuple[int, ...], settings: Settings,
                       req: Requirements) -> None:
    """Fill ``req.ranks`` with every published rank the generated scores can reproduce; note the others.

    An entity's rank is its chosen fact's (else the only one published).
    """
    ranked = entity_facts[entity_facts["rank_in_province"].notna()]
    for year in years:
        roster = _roster(year, settings)
        regional = roster[roster["entity_type"].isin(REGENCY_TYPES.values())]
        province_of = dict(zip(regional["entity_code"], regional["province_code"]))
        for code, group in ranked[ranked["year"] == year].groupby("entity_code", sort=True):
            key, code = (year, str(code)), str(code)
            published = sorted({int(r) for r in group["rank_in_province"]})
            chosen = group.loc[group["chosen"], "rank_in_province"].dropna()
            rank = int(chosen.iloc[0]) if len(chosen) else published[0] if len(published) == 1 else None
            if len(published) > 1:
                req.contradictions.setdefault(key, f"sources publish ranks {', '.join(map(str, published))}")
            if code in province_of and rank is not None:
                req.ranks.setdefault((year, province_of[code]), {})[code] = rank
            elif code not in province_of:
                entity_type = str(group["entity_type"].iloc[0])
                why = ("the province is listed apart and not ranked" if entity_type == "Pemerintah Provinsi"
                       else "it is not generated (generator.toml not_assessed)" if entity_type in REGENCY_TYPES.values()
                       else "only kabupaten and kota are ranked in a province's table")
                req.contradictions.setdefault(key, f"published rank {', '.join(map(str, published))}, but {why}")
        for (_, province), ranks in sorted((k, v) for k, v in req.ranks.items() if k[0] == year):
            codes = sorted(regional.loc[regional["province_code"] == province, "entity_code"])
            scored, own = _table_scores(year, codes, ranks, roster, req, settings)
            for code, why in _plan_table(ranks, scored, len(codes), own)[2].items():
                req.contradictions.setdefault((year, code), why)
                del ranks[code]
            _near_within_table(year, codes, ranks, roster, req, settings)


def _near_within_table(year, codes, ranks, roster, req, settings) -> None:
    """Where a table's published ranks leave an unscored entity no place near its published scores of
    other years (``req.near``): note it, and keep it within the gap of the nearest place they allow."""
    scored, own = _table_scores(year, codes, ranks, roster, req, settings)
    drawn, needs, _ = _plan_table(ranks, scored, len(codes), own)
    scored |= drawn
    free = [c for c in codes if c not in scored]
    places = [(lower, upper) for lower, upper, count in _table_regions(needs, scored, len(free)) if count]
    gap = settings.scores["max_from_nearest_published"]
    for code in free:
        lo, hi = own[code]
        if (year, code) not in req.near or any(max(lo, lower + 1) <= min(hi, upper - 1) for lower, upper in places):
            continue
        lower, upper = min(places, key=lambda p: max(lo - (p[1] - 1), (p[0] + 1) - hi))
        below = upper - 1 < lo
        edge = upper / 100 if below else (lower + 1) / 100
        req.near[(year, code)] = (edge - gap, edge) if below else (edge, edge + gap)
        req.contradictions.setdefault((year, code), f"its province's published ranks allow no score within "
                                                    f"{gap:g} points of its nearest published score; it keeps "
                                                    f"within {gap:g} points {'below' if below else 'from'} {edge:.2f}")


def _table_scores(year, codes, ranks, roster, req, settings) -> tuple[dict[str, int], dict[str, tuple[int, int]]]:
    """A table's published scores in cents, and for the others the cents (inclusive) their facts allow.

    A ranked entity without a published score is kept inside the generator's entity range.
    """
    types = dict(zip(roster["entity_code"], roster["entity_type"]))
    s = settings.scores
    scored, own = {}, {}
    for code in codes:
        key = (year, code)
        if key in req.score:
            scored[code] = req.score[key]
            continue
        lo, hi = _interval(key, req, {})
        lo_c, hi_c = _cent(lo), _cent(min(hi, methodology.score_scale(year, types[code]))) - 1
        if code in ranks:
            lo_c, hi_c = max(lo_c, _cent(s["entity_min"]) + 1), min(hi_c, _cent(s["entity_max"]) - 1)
        own[code] = (lo_c, hi_c)
    return scored, own


def _cent(points: float) -> int:
    """The first whole cent at or above ``points`` (rounded first: 84.24 * 100 is 8424.000000000001)."""
    return math.ceil(round(points * 100, 6))


def _rank_needs(ranks: dict[str, int], scored: dict[str, int], size: int) -> tuple[dict[str, int], dict[str, str]]:
    """For each ranked entity with a score: how many of the table's unscored entities must score above it.

    Also the ranks that no scores of the unscored can give, with why (checked highest score first).
    """
    unscored = size - len(scored)
    values = np.sort(np.fromiter(scored.values(), dtype=np.int64, count=len(scored)))
    needs, bad, last = {}, {}, None
    for code in sorted((c for c in ranks if c in scored), key=lambda c: (-scored[c], ranks[c], c)):
        score, rank = scored[code], ranks[code]
        above = int(len(values) - np.searchsorted(values, score, side="right"))
        need = rank - 1 - above
        if not 0 <= need <= unscored:
            possible = f"{above + 1}" if not unscored else f"{above + 1} to {above + 1 + unscored}"
            bad[code] = (f"published rank {rank} with {score / 100:.2f}, but {above} of its table publish a higher "
                         f"score and {unscored} none, so it ranks {possible}")
        elif last and (need < last[2] or (score == last[1] and need != last[2])):
            bad[code] = (f"published rank {rank} with {score / 100:.2f} contradicts rank {last[0]} "
                         f"with {last[1] / 100:.2f}")
        else:
            needs[code] = need
            last = (rank, score, need)
    return needs, bad


def _plan_table(ranks, scored, size, own, rng=None) -> tuple[dict[str, int], dict[str, int], dict[str, str]]:
    """A score for each ranked entity without one, then what each ranked score needs above it.

    Returns (drawn scores, needs with the drawn scores, contradicted ranks with why). Without
    ``rng`` (checking the published facts) each takes the first score that works.
    """
    scored = dict(scored)
    needs, bad = _rank_needs(ranks, scored, size)
    drawn = {}
    for code in sorted((c for c in ranks if c not in scored), key=lambda c: (ranks[c], c)):
        valid = {c: ranks[c] for c in needs} | {code: ranks[code]}
        edges = [math.inf, *sorted(set(scored.values()), reverse=True), -math.inf]
        lo_own, hi_own = own[code]
        options = []
        for upper, lower in zip(edges, edges[1:]):  # between two published scores, one cent clear of each
            cents = np.arange(max(lower + 2, lo_own), min(upper - 2, hi_own) + 1, dtype=np.int64)
            if len(cents) and not _rank_needs(valid, scored | {code: int(cents[0])}, size)[1]:
                options.append(cents)
        if not options:
            bad[code] = (f"published rank {ranks[code]} without a score: no score its published zone or grade "
                         f"(or scores of other years) allows ranks it so")
            continue
        cents = np.concatenate(options)
        drawn[code] = scored[code] = int(cents[0] if rng is None else rng.choice(cents))
        needs = _rank_needs(valid, scored, size)[0]
    return drawn, needs, bad


def _table_regions(needs: dict[str, int], scored: dict[str, int], free: int) -> list[tuple[float, float, int]]:
    """Top down: (lower, upper) scores in cents (both excluded) and how many free entities lie between."""
    regions, upper, taken = [], math.inf, 0
    for code in sorted(needs, key=lambda c: (-scored[c], needs[c], c)):
        regions.append((scored[code], upper, needs[code] - taken))
        upper, taken = scored[code], needs[code]
    regions.append((-math.inf, upper, free - taken))
    return regions


def _table_bounds(year: int, roster: pd.DataFrame, req: Requirements, settings: Settings,
                  rng: np.random.Generator) -> tuple[dict, dict, list[str]]:
    """Scores that reproduce every rank in ``req.ranks`` for ``year``.

    Returns per (year, entity_code) the drawn score in cents of a ranked entity published without
    one, and the [lo, hi) bounds (points) of every other unscored kabupaten and kota of a ranked
    table: each lies between the ranked scores its place in the table needs.
    """
    drawn, bounds, problems = {}, {}, []
    regional = roster[roster["entity_type"].isin(REGENCY_TYPES.values())]
    for province, table in regional.groupby("province_code", sort=True):
        ranks = req.ranks.get((year, str(province)))
        if not ranks:
            continue
        codes = sorted(table["entity_code"])
        scored, own = _table_scores(year, codes, ranks, roster, req, settings)
        picked, needs, _ = _plan_table(ranks, scored, len(codes), own, rng)
        drawn.update({(year, c): v for c, v in picked.items()})
        scored |= picked
        free = [str(c) for c in rng.permutation([c for c in codes if c not in scored])]
        regions = _table_regions(needs, scored, len(free))
        fit = {c: [i for i, (lower, upper, _) in enumerate(regions)
                   if max(own[c][0], lower + 1) <= min(own[c][1], upper - 1)] for c in free}
        for i, (lower, upper, count) in enumerate(regions):
            # Those that fit no region further down first (then in random order): none is left without one.
            fits = sorted((c for c in free if i in fit[c]), key=lambda c: fit[c][-1])
            if len(fits) < count:
                span = " and ".join(f"{side} {c / 100:.2f}" for side, c in (("above", lower), ("below", upper))
                                    if abs(c) < math.inf)
                problems.append(f"{year} province {province}: the published ranks need {count} unscored kabupaten "
                                f"or kota {span}; their published zones, grades and scores of other years "
                                f"allow {len(fits)}")
                continue
            for code in fits[:count]:
                bounds[(year, code)] = ((lower + 1) / 100 if lower > -math.inf else 0.0, upper / 100)
                free.remove(code)
    return drawn, bounds, problems


def _rank_problems(year: int, entities: pd.DataFrame, req: Requirements) -> list[str]:
    """Every reproducible published rank that the generated scores do not give."""
    ranked = rank_provincial(entities.assign(score=entities["score"] / 100))
    got = {code: (int(r) if pd.notna(r) else None) for code, r in zip(ranked["entity_code"], ranked["rank_province"])}
    return [f"{year} {code}: the generated scores rank it {got.get(code)}, published rank {rank}"
            for (y, _), ranks in sorted(req.ranks.items()) if y == year
            for code, rank in sorted(ranks.items()) if got.get(code) != rank]


def _interval(key, req: Requirements, bounds: dict) -> tuple[float, float]:
    """[lo, hi) of an entity's score: what its published facts allow, near its published scores of
    other years, within what the ranks need."""
    limits = [d.get(key, (0.0, math.inf)) for d in (req.interval, req.near, bounds)]
    return max(lo for lo, _ in limits), min(hi for _, hi in limits)


# --- units: names and target scores ---------------------------------------------------------------
