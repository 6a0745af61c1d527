"""`kepatuhan ingest`: data/raw/ (and the generated data/synthetic/) into data/processed/."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import config, schemas, storage
from .ingest import ExportData, read_exports
from .methodology import classify_frame
from .published import load_published
from .ranking import rank_national, rank_provincial
from .reconcile import reconcile
from .scoring import score_exports

EXPORT_SUFFIXES = (".csv", ".xlsx")
ENTITY_KEY = ["year", "entity_code"]
QUARANTINE_COLUMNS = ["file", "sheet", "row", "column", "value", "reason"]


@dataclass
class IngestSummary:
    """Row accounting of one ingest run: every row read is used or quarantined."""

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

    Analysts' exports in data/raw/exports/ take precedence over the generated example set.
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
    remaining = ExportData(kept["units"], kept["answers"], data.problems, data.rows_read, data.rows_skipped,
                           data.attribution, data.notices)
    return remaining, superseded


def combine_scores(computed: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """One row per (year, entity): the published figure where one exists, else the computed one.

    A published figure is never replaced: ``basis`` says which figure ``score`` is, and both
    stay side by side (``published_score``, ``computed_score``). Zone and grade follow
    ``score``; an entity published with a zone but no score keeps that zone.
    """
    chosen = facts[facts["chosen"] & facts["unit"].isna()]
    published = chosen[ENTITY_KEY + ["entity_type", "province_code", "entity", "score", "zone", "category",
                                     "opinion", "rank_in_province", "source_url"]].rename(columns={
        "score": "published_score", "zone": "published_zone", "category": "published_category",
        "opinion": "published_opinion", "rank_in_province": "published_rank_province"})
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
    merged = classify_frame(merged)
    for col in ["zone", "category", "opinion"]:
        merged[col] = merged[col].astype("string").fillna(merged[f"published_{col}"])
    return merged.sort_values(ENTITY_KEY, kind="stable").reset_index(drop=True)


def build_processed(export_dirs: list[Path] | None = None, published_csv: Path | None = None):
    """Read every input; return the processed tables (path -> frame), reconciliation and accounting."""
    export_dirs = export_dirs if export_dirs is not None else [config.EXPORTS_RAW_DIR, config.SYNTHETIC_DIR]
    facts, facts_quarantine = load_published(published_csv or config.PUBLISHED_RAW_CSV)

    units, answers, quarantines, rejected, notices = [], [], [facts_quarantine], [], []
    covered, files, rows_read, rows_quarantined, rows_skipped = None, 0, 0, 0, 0
    for directory in export_dirs:
        paths = export_files(directory)
        data = read_exports(paths)
        files, rows_read, rows_skipped = files + len(paths), rows_read + data.rows_read, rows_skipped + data.rows_skipped
        rows_quarantined += data.rows_quarantined
        rejected.append(data.quarantine())
        quarantines.append(rejected[-1][QUARANTINE_COLUMNS])
        notices += data.notices
        if covered is not None and len(covered):
            data, superseded = supersede(data, covered, config.display_path(export_dirs[0]))
            quarantines.append(superseded)
            rows_quarantined += len(superseded)
        units += [data.units] if len(data.units) else []
        answers += [data.answers] if len(data.answers) else []
        found = pd.concat([_keys(f).to_frame(index=False) for f in (data.units, data.answers) if len(f)]
                          or [pd.DataFrame(columns=ENTITY_KEY)])
        covered = found if covered is None else pd.concat([covered.to_frame(index=False), found])
        covered = pd.MultiIndex.from_frame(covered.drop_duplicates().astype({"year": "Int64"}))

    rejected = pd.concat(rejected, ignore_index=True)
    scored = score_exports(schemas.concat(units) if units else schemas.empty(schemas.UNITS),
                           schemas.concat(answers) if answers else schemas.empty(schemas.ANSWERS), rejected)
    units, computed = scored.units, scored.scores
    scores = rank_provincial(rank_national(combine_scores(computed, facts)))
    differences = reconcile(facts, computed, units if len(units) else None)
    beyond = differences.loc[~differences["within_tolerance"].astype(bool), ENTITY_KEY].drop_duplicates()
    scores = scores.merge(beyond.assign(discrepancy=True), on=ENTITY_KEY, how="left")
    scores["discrepancy"] = scores["discrepancy"].astype("boolean").fillna(False).astype(bool)

    summary = IngestSummary(
        files=files, rows_read=rows_read, rows_quarantined=rows_quarantined, rows_skipped=rows_skipped,
        published_facts=len(facts), published_quarantined=len(facts_quarantine), entities_scored=len(computed),
        discrepancies=len(beyond), problems=len(rejected), entities_held_back=len(scored.held_back),
        notices=tuple(notices),
    )
    tables = {
        config.PUBLISHED_PARQUET: facts,
        config.UNITS_PARQUET: units,
        config.ANSWERS_PARQUET: schemas.concat(answers) if answers else pd.DataFrame(),
        config.QUARANTINE_PARQUET: pd.concat([q for q in quarantines if len(q)] or quarantines[:1], ignore_index=True),
        config.ENTITY_SCORES_PARQUET: computed,
        config.HELD_BACK_PARQUET: scored.held_back,
        config.SCORES_PARQUET: scores,
    }
    return tables, differences, summary


def ingest_command() -> int:
    """Write every processed table atomically and print the row accounting.

    Exit code 1 when an export or a published fact had a problem (the tables are still written
    from everything else), 0 otherwise.
    """
    print("reading data/raw/ and data/synthetic/ ...", file=sys.stderr)
    tables, differences, summary = build_processed()
    for path, frame in tables.items():
        storage.write_parquet(frame, path)
    storage.write_csv(differences, config.RECONCILIATION_CSV)
    for line in summary.lines():
        print(line, file=sys.stderr)
    print(f"processed tables written to {config.display_path(config.PROCESSED_DIR)}/ "
          f"(reconciliation: {config.display_path(config.RECONCILIATION_CSV)})", file=sys.stderr)
    return 1 if summary.problems or summary.published_quarantined else 0
