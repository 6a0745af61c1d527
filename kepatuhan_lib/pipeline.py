"""The published results and each edition's exports into the processed tables of data/processed/<edition>/
(run by `kepatuhan ingest`, commands.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from . import config, methodology, schemas
from .ingest import ExportData, read_exports
from .methodology import classify_frame
from .published import disagreements, load_national_counts, load_published
from .ranking import changes, rank_national, rank_provincial
from .reconcile import reconcile
from .scoring import score_exports

EXPORT_SUFFIXES = (".csv", ".xlsx")
ENTITY_KEY = ["year", "entity_code"]


@dataclass
class IngestSummary:
    """Row accounting of one ingest run: every row read is used or quarantined."""

    edition: str
    files: int
    rows_read: int
    rows_quarantined: int
    rows_skipped: int
    published_facts: int
    published_quarantined: int
    entities_scored: int
    discrepancies: int
    problems: int = 0  # export problems (of rows or whole files); superseded rows are none
    entities_held_back: int = 0
    notices: tuple = ()  # how files were read (hidden sheets skipped, columns ignored)

    def lines(self) -> list[str]:
        used = self.rows_read - self.rows_quarantined
        return [
            *(str(n) for n in self.notices),
            f"exports: {self.files} files, {self.rows_read:,} rows read: {used:,} used, "
            f"{self.rows_quarantined:,} quarantined ({self.rows_skipped:,} blank or footer rows skipped); "
            f"{self.problems:,} problems",
            f"published results: {self.published_facts:,} facts, {self.published_quarantined:,} quarantined",
            f"scores: {self.entities_scored:,} entity-years computed, {self.entities_held_back:,} held back "
            f"(not scored: rejected rows); {self.discrepancies:,} published/computed differences beyond tolerance",
        ]


def export_files(directory: Path) -> list[Path]:
    """Every export file under a folder, in a stable order (editor lock files skipped)."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.rglob("*")
                  if p.suffix.lower() in EXPORT_SUFFIXES and not p.name.startswith((".", "~$")))


def _keys(frame: pd.DataFrame) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(frame[ENTITY_KEY].astype({"year": "Int64", "entity_code": "string"}))


def supersede(data: ExportData, covered: pd.MultiIndex, by: str) -> tuple[ExportData, pd.DataFrame]:
    """Drop rows of entity-years already ``covered`` by an earlier source, quarantining each with why.

    The committed example exports take precedence over the generated national example set.
    """
    moved, kept = [], {}
    for name in ("units", "answers"):
        frame = getattr(data, name)
        hit = _keys(frame).isin(covered) if len(frame) else pd.Series([], dtype=bool).to_numpy()
        kept[name] = frame[~hit]
        gone = frame[hit]
        moved.append(pd.DataFrame({
            "file": gone["source_file"].astype("string"), "sheet": gone["source_sheet"], "row": gone["source_row"],
            "column": pd.Series("Nama Instansi", index=gone.index, dtype="string"), "value": gone["entity"],
            "reason": pd.Series(f"superseded: the same entity and year is in {by}", index=gone.index,
                                dtype="string"),
        }))
    superseded = pd.concat(moved, ignore_index=True)
    remaining = replace(data, units=kept["units"], answers=kept["answers"])
    return remaining, superseded


def input_files(files_read: list[pd.DataFrame], quarantine: pd.DataFrame) -> pd.DataFrame:
    """Row accounting per export file (schemas.INPUT_FILES): of its data rows read, how many were used and
    how many quarantined (a row with several problems counts once; a superseded row is quarantined), and
    every reason with its count. ``files_read``: ``ExportData.files`` of each folder read."""
    read = pd.concat(files_read, ignore_index=True) if files_read else schemas.empty(schemas.INPUT_FILES)
    rows = quarantine[quarantine["row"].notna()].drop_duplicates(["file", "sheet", "row"])
    quarantined = rows.groupby("file").size()
    reasons = quarantine.groupby("file")["reason"].agg(
        lambda r: "; ".join(f"{reason} ({n})" for reason, n in r.value_counts().items()))
    table = pd.DataFrame({
        "file": read["file"],
        "rows_read": read["rows_read"],
        "rows_quarantined": read["file"].map(quarantined).fillna(0).astype("Int64"),
        "rows_skipped": read["rows_skipped"],
        "reasons": read["file"].map(reasons).astype("string"),
    })
    table.insert(2, "rows_used", table["rows_read"] - table["rows_quarantined"])
    return table.astype(schemas.dtypes(schemas.INPUT_FILES))


def combine_scores(computed: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """One row per (year, entity): the published figure where one exists, else the computed one.

    A published figure is never replaced: ``basis`` says which figure ``score`` is, and both
    stay side by side (``published_score``, ``computed_score``). Zone, grade and opinion are
    shown as published where the source gives them (the opinion with its "Tanpa
    Maladministrasi"), else read off ``score`` by the era's bands. Only total scores are combined
    (a 2025 ``component`` fact is a sub-score); ``tm`` is true where the computed units or any
    published entity-level fact say Tanpa Maladministrasi (2025-).
    """
    totals = _total(facts)
    chosen = facts[facts["chosen"] & facts["unit"].isna() & totals]
    published = chosen[ENTITY_KEY + ["entity_type", "province_code", "entity", "score", "zone", "category",
                                     "opinion", "fact_id"]].rename(columns={
        "score": "published_score", "zone": "published_zone", "category": "published_category",
        "opinion": "published_opinion", "fact_id": "published_fact_id"})
    published = published.merge(published_ranks(facts), on=ENTITY_KEY, how="left")
    # Tanpa Maladministrasi (2025-) where any published fact of the entity-year says so.
    said = facts.loc[facts["unit"].isna() & totals & facts["tm"], ENTITY_KEY].drop_duplicates()
    computed = computed.drop(columns=["zone", "category", "opinion"]).rename(columns={"score": "computed_score"})
    merged = computed.merge(published, on=ENTITY_KEY, how="outer", suffixes=("", "_published"))
    for col in ["entity_type", "province_code", "entity"]:
        merged[col] = merged[col].fillna(merged.pop(f"{col}_published")).astype("string")
    has_published = merged["published_score"].notna() | merged["computed_score"].isna()
    merged["synthetic"] = merged["synthetic"].astype("boolean").fillna(False).astype(bool)
    merged["basis"] = pd.Series("computed", index=merged.index, dtype="string")
    merged.loc[merged["synthetic"], "basis"] = "synthetic"
    merged.loc[has_published, "basis"] = "published"
    merged["score"] = merged["published_score"].where(merged["published_score"].notna(), merged["computed_score"])
    # an entity whose sources give only unit figures or sub-scores still has its row (no score)
    identity = ["entity_type", "province_code", "entity"]
    others = facts.drop_duplicates(ENTITY_KEY)[ENTITY_KEY + identity]
    others = others[~_keys(others).isin(_keys(merged))]
    if len(others):
        merged = pd.concat([merged, others.assign(basis="published", synthetic=False)], ignore_index=True)
        merged[identity + ["basis"]] = merged[identity + ["basis"]].astype("string")
    published_tm = pd.MultiIndex.from_frame(merged[ENTITY_KEY].astype({"year": "Int64"})).isin(
        pd.MultiIndex.from_frame(said.astype({"year": "Int64"})))
    merged["tm"] = merged["tm"].astype("boolean").mask(published_tm, True)
    merged = classify_frame(merged)
    for col in ["zone", "category", "opinion"]:
        # a score without a published score (computed) takes its own classification
        own = merged["published_score"].notna() | merged["computed_score"].isna()
        published_value = merged[f"published_{col}"].astype("string").where(own)
        merged[col] = published_value.fillna(merged[col].astype("string"))
    return merged.sort_values(ENTITY_KEY, kind="stable").reset_index(drop=True)


def with_held_back(scores: pd.DataFrame, held_back: pd.DataFrame) -> pd.DataFrame:
    """Scores plus ``rows_rejected``: an entity not scored because rows of it were rejected keeps (or
    gets) its row, its computed score missing, with the count, so a report says "tidak dihitung"."""
    held = held_back[ENTITY_KEY + ["entity_type", "province_code", "entity", "rows_rejected"]]
    out = scores.merge(held[ENTITY_KEY + ["rows_rejected"]], on=ENTITY_KEY, how="left")
    new = held[~_keys(held).isin(_keys(scores))]
    if len(new):
        out = pd.concat([out, new.assign(basis="computed", synthetic=False)], ignore_index=True)
    out["rows_rejected"] = out["rows_rejected"].astype("Int64")
    for column in ("entity_type", "province_code", "entity", "basis"):
        out[column] = out[column].astype("string")
    return out.sort_values(ENTITY_KEY, kind="stable").reset_index(drop=True)


def published_ranks(facts: pd.DataFrame) -> pd.DataFrame:
    """Per entity-year: the published provincial and national rank and the fact that gives each
    (``rank_province_fact_id``, ``rank_national_fact_id``): the chosen fact's, else that of another
    source whose score agrees with the chosen one or is not given (a row that only adds a rank)."""
    entity = facts[facts["unit"].isna() & _total(facts)]
    chosen_score = entity[entity["chosen"]].set_index(ENTITY_KEY)["score"]
    theirs = chosen_score.reindex(pd.MultiIndex.from_frame(entity[ENTITY_KEY])).to_numpy(dtype=float, na_value=np.nan)
    own = entity["score"].to_numpy(dtype=float, na_value=np.nan)
    agrees = np.isnan(own) | np.isnan(theirs) | (own == theirs)
    out = entity[ENTITY_KEY].drop_duplicates()
    for column, level in (("rank_in_province", "province"), ("rank_national", "national")):
        ranked = entity[agrees & entity[column].notna().to_numpy()]
        ranked = ranked.sort_values(["chosen", "fact_id"], ascending=[False, True]).drop_duplicates(ENTITY_KEY)
        out = out.merge(ranked[ENTITY_KEY + [column, "fact_id"]].rename(columns={
            column: f"published_rank_{level}", "fact_id": f"rank_{level}_fact_id"}), on=ENTITY_KEY, how="left")
    return out


def _total(facts: pd.DataFrame) -> pd.Series:
    """Facts about a total score (not a 2025 sub-score such as kepercayaan)."""
    return facts["component"].isna()


def shown_ranks(scores: pd.DataFrame, edition: str) -> pd.DataFrame:
    """The provincial and national rank a report shows, and what each is (``rank_*_basis``).

    In the published edition a rank is the published one, else (provincial ranks only) computed
    among the province's published scores; elsewhere it is computed among all the edition's scores,
    the published rank kept beside it. ``rank_*_computed`` keep the computed ones in every edition.
    """
    out = scores.copy()
    out["rank_province_computed"] = out["rank_province"]
    out["rank_national_computed"] = out["rank_national"]
    for level in ("province", "national"):
        published = out[f"published_rank_{level}"]
        rank = out[f"rank_{level}"]
        basis = pd.Series(pd.NA, index=out.index, dtype="string").mask(rank.notna(), "computed")
        if edition == config.PUBLIC_EDITION:
            use = published.notna()
            # A national rank among the few published scores of a type would read as the real one.
            fallback = rank if level == "province" else pd.Series(pd.NA, index=out.index, dtype="Int64")
            out[f"rank_{level}"] = published.where(use, fallback).astype("Int64")
            basis = basis.mask(use, "published").mask(~use & fallback.isna(), pd.NA)
        out[f"rank_{level}_basis"] = basis
    return out


def unit_figures(units: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """The unit figures reports show, one row per (year, entity, unit): the published unit score where
    a source gives one, else the computed or synthetic unit.

    A published unit replaces the unit of the same name (case and spacing aside); its dimension
    points are kept only when they add up to the published score (within 0.01). Published units no
    export has are added.
    """
    published = facts[facts["chosen"] & facts["unit"].notna() & facts["score"].notna() & _total(facts)]
    published = published.assign(nilai=published["score"], basis="published",
                                 **{c: pd.NA for c in schemas.DIMENSION_KEYS})
    if len(published):  # the category as published, else the one its score falls in (2025-)
        published["unit_category"] = published["unit_category"].fillna(methodology.unit_categories(published))
    if len(units):
        own = units.assign(basis=units["synthetic"].map({True: "synthetic", False: "computed"}), fact_id=pd.NA)
    else:
        own = schemas.empty(schemas.UNIT_FIGURES)
    key = lambda f: f["year"].astype(int).astype(str) + "|" + f["entity_code"].astype(str) + "|" + \
        f["unit"].astype(str).str.casefold().str.split().str.join(" ")
    own_key, published_key = key(own), key(published)
    replaced = own_key.isin(set(published_key))
    dims = own.loc[replaced].set_index(own_key[replaced])[schemas.DIMENSION_KEYS]
    dims = dims[~dims.index.duplicated()]
    match = dims.reindex(published_key.to_numpy())
    adds_up = (match.astype(float).sum(axis=1, min_count=4).to_numpy() - published["score"].astype(float).to_numpy())
    keep = pd.Series(abs(adds_up) <= 0.01 + 1e-9, index=published.index)
    for column in schemas.DIMENSION_KEYS:
        published[column] = pd.array(match[column].to_numpy(), dtype="Float64")
        published.loc[~keep, column] = pd.NA
    own = own.assign(unit_category=methodology.unit_categories(own) if len(own) else pd.NA)
    columns = list(schemas.UNIT_FIGURES.columns)
    frames = [f[columns] for f in (own[~replaced], published) if len(f)]
    if not frames:
        return schemas.empty(schemas.UNIT_FIGURES)
    out = pd.concat(frames, ignore_index=True).astype(schemas.dtypes(schemas.UNIT_FIGURES))
    out = out.sort_values(["year", "entity_code", "unit"], kind="stable").reset_index(drop=True)
    return schemas.UNIT_FIGURES.validate(out)


def build_processed(edition: str, published: tuple[pd.DataFrame, pd.DataFrame] | None = None,
                    export_dirs: list[Path] | None = None):
    """Read an edition's inputs; return its processed tables (name -> frame), reconciliation and accounting.

    ``published`` is (facts, quarantine) of ``load_published`` (read here when not given);
    ``export_dirs`` default to the edition's (config.edition_export_dirs), earlier folders taking
    precedence over later ones for the same entity and year.
    """
    export_dirs = list(config.edition_export_dirs(edition) if export_dirs is None else export_dirs)
    facts, facts_quarantine = published if published is not None else load_published()

    units, answers, quarantines, rejected, notices, files_read = [], [], [], [], [], []
    covered = None
    for directory in export_dirs:
        data = read_exports(export_files(directory))
        files_read.append(data.files)
        rejected.append(data.quarantine())
        quarantines.append(rejected[-1][schemas.PROBLEM_COLUMNS])
        notices += data.notices
        if covered is not None and len(covered):
            data, superseded = supersede(data, covered, config.display_path(export_dirs[0]))
            quarantines.append(superseded)
        units += [data.units] if len(data.units) else []
        answers += [data.answers] if len(data.answers) else []
        found = pd.concat([_keys(f).to_frame(index=False) for f in (data.units, data.answers) if len(f)]
                          or [pd.DataFrame(columns=ENTITY_KEY)])
        covered = found if covered is None else pd.concat([covered.to_frame(index=False), found])
        covered = pd.MultiIndex.from_frame(covered.drop_duplicates().astype({"year": "Int64"}))

    rejected = pd.concat(rejected, ignore_index=True) if rejected else schemas.empty(schemas.QUARANTINE)
    scored = score_exports(schemas.concat(units) if units else schemas.empty(schemas.UNITS),
                           schemas.concat(answers) if answers else schemas.empty(schemas.ANSWERS), rejected)
    units, computed = scored.units, scored.scores
    scores = with_held_back(combine_scores(computed, facts), scored.held_back)
    scores = shown_ranks(rank_provincial(rank_national(scores)), edition)
    differences = reconcile(facts, computed, units if len(units) else None)
    beyond = differences.loc[~differences["within_tolerance"].astype(bool), ENTITY_KEY].drop_duplicates()
    scores = scores.merge(beyond.assign(discrepancy=True), on=ENTITY_KEY, how="left")
    scores["discrepancy"] = scores["discrepancy"].astype("boolean").fillna(False).astype(bool)

    exports_quarantine = pd.concat([q for q in quarantines if len(q)] or [schemas.empty(schemas.QUARANTINE_TABLE)],
                                   ignore_index=True)
    accounting = input_files(files_read, exports_quarantine)
    summary = IngestSummary(
        edition=edition, files=len(accounting), rows_read=int(accounting["rows_read"].sum()),
        rows_quarantined=int(accounting["rows_quarantined"].sum()),
        rows_skipped=int(accounting["rows_skipped"].sum()), published_facts=len(facts), published_quarantined=len(facts_quarantine),
        entities_scored=len(computed), discrepancies=len(beyond), problems=len(rejected),
        entities_held_back=len(scored.held_back), notices=tuple(notices),
    )
    tables = {
        "published": facts,
        "national_counts": load_national_counts(),
        "disagreements": disagreements(facts),
        "units": units if len(units) else schemas.empty(schemas.UNITS),
        "unit_figures": unit_figures(units, facts),
        "answers": schemas.concat(answers) if answers else schemas.empty(schemas.ANSWERS),
        "quarantine": pd.concat([q for q in (facts_quarantine, exports_quarantine) if len(q)] or [facts_quarantine],
                                ignore_index=True),
        "input_files": accounting,
        "entity_scores": computed,
        "held_back": scored.held_back,
        "scores": scores,
        "changes": changes(scores),
    }
    return {name: schemas.check_processed(name, frame) for name, frame in tables.items()}, differences, summary


def editions_to_build() -> list[str]:
    """The published edition always; the demo when its example exports exist; ekspor when data/raw/exports/ has files."""
    return [e for e in config.EDITIONS
            if e == config.PUBLIC_EDITION or any(export_files(d) for d in config.edition_export_dirs(e))]
