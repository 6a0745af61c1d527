"""`kepatuhan ingest`: data/raw/ (and the generated data/synthetic/) into data/processed/."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import config, storage
from .ingest import read_exports
from .published import load_published
from .ranking import rank_national, rank_provincial
from .reconcile import reconcile
from .scoring import entity_scores, unit_scores_from_answers

EXPORT_SUFFIXES = (".csv", ".xlsx")
ENTITY_KEY = ["year", "entity_code"]


@dataclass
class IngestSummary:
    """Row accounting of one ingest run: every row read is used, quarantined or skipped."""

    files: int
    rows_read: int
    rows_used: int
    rows_quarantined: int
    rows_skipped: int
    published_facts: int
    published_quarantined: int
    entities_scored: int
    discrepancies: int

    def lines(self) -> list[str]:
        return [
            f"exports: {self.files} files, {self.rows_read:,} rows read: {self.rows_used:,} used, "
            f"{self.rows_quarantined:,} quarantined ({self.rows_skipped:,} blank or footer rows skipped)",
            f"published results: {self.published_facts:,} facts, {self.published_quarantined:,} quarantined",
            f"scores: {self.entities_scored:,} entity-years; "
            f"{self.discrepancies:,} published/computed discrepancies beyond tolerance",
        ]


def export_files(directories: list[Path]) -> list[Path]:
    """Every export file under the given folders, in a stable order."""
    found = []
    for directory in directories:
        if directory.is_dir():
            found += sorted(
                p for p in directory.rglob("*")
                if p.suffix.lower() in EXPORT_SUFFIXES and not p.name.startswith((".", "~$"))
            )
    return found


def prefer_first(frames: list[pd.DataFrame], key: list[str]) -> pd.DataFrame:
    """Concatenate, keeping for each key only the rows of the first frame that has it.

    Analysts' own exports in data/raw/ take precedence over the generated example set.
    """
    kept, seen = [], None
    for frame in frames:
        if frame.empty:
            continue
        keys = pd.MultiIndex.from_frame(frame[key])
        if seen is not None:
            frame = frame[~keys.isin(seen)]
            keys = pd.MultiIndex.from_frame(frame[key])
        kept.append(frame)
        seen = keys if seen is None else seen.append(keys)
    return pd.concat(kept, ignore_index=True) if kept else pd.DataFrame()


def combine_scores(computed: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """One row per (year, entity): the published figure where one exists, else the computed one.

    A published figure is never replaced: ``basis`` says which figure ``score`` is, and the
    other stays beside it (``published_score``, ``computed_score``).
    """
    chosen = facts[facts["chosen"] & facts["unit"].isna()]
    published = chosen[ENTITY_KEY + ["entity_type", "province_code", "entity", "score", "zone", "category",
                                     "opinion", "rank_in_province", "source_url"]].rename(
        columns={"score": "published_score", "zone": "published_zone", "category": "published_category",
                 "opinion": "published_opinion", "rank_in_province": "published_rank_province"}
    )
    computed = computed.rename(columns={"score": "computed_score"})
    merged = computed.merge(published, on=ENTITY_KEY, how="outer", suffixes=("", "_pub"))
    for col in ["entity_type", "province_code", "entity"]:
        merged[col] = merged[col].fillna(merged.pop(f"{col}_pub"))
    has_published = merged["published_score"].notna()
    merged["score"] = merged["published_score"].where(has_published, merged["computed_score"])
    synthetic = merged["synthetic"].fillna(False).astype(bool)
    merged["basis"] = pd.Series(
        ["published" if p else ("synthetic" if s else "computed") for p, s in zip(has_published, synthetic)],
        index=merged.index, dtype="string",
    )
    merged.loc[merged["published_score"].isna() & merged["computed_score"].isna(), "basis"] = "published"
    merged["synthetic"] = synthetic
    return merged


def build_processed(raw_dirs: list[Path] | None = None, published_csv: Path | None = None) -> tuple[dict, IngestSummary]:
    """Read every input and return the processed tables (not yet written) and the row accounting."""
    raw_dirs = raw_dirs if raw_dirs is not None else [config.EXPORTS_RAW_DIR, config.SYNTHETIC_DIR]
    facts, facts_quarantine = load_published(published_csv or config.PUBLISHED_RAW_CSV)

    results = [read_exports(export_files([d])) for d in raw_dirs]
    unit_frames = []
    for result in results:
        from_answers = unit_scores_from_answers(result.answers) if not result.answers.empty else result.units.iloc[:0]
        unit_frames.append(pd.concat([f for f in (result.units, from_answers) if not f.empty], ignore_index=True)
                           if not (result.units.empty and from_answers.empty) else result.units)
    units = prefer_first(unit_frames, ENTITY_KEY)
    answers = pd.concat([r.answers for r in results if not r.answers.empty], ignore_index=True) \
        if any(not r.answers.empty for r in results) else results[0].answers
    quarantine = pd.concat([r.quarantine() for r in results], ignore_index=True)

    computed = entity_scores(units) if not units.empty else pd.DataFrame(columns=ENTITY_KEY + ["score"])
    scores = combine_scores(computed, facts)
    scores = rank_provincial(rank_national(scores))
    discrepancies = reconcile(facts, computed, units)
    scores = scores.merge(
        discrepancies.loc[~discrepancies["within_tolerance"], ENTITY_KEY].drop_duplicates().assign(discrepancy=True),
        on=ENTITY_KEY, how="left",
    )
    scores["discrepancy"] = scores["discrepancy"].fillna(False).astype(bool)

    summary = IngestSummary(
        files=sum(len(export_files([d])) for d in raw_dirs),
        rows_read=sum(r.rows_read for r in results),
        rows_used=len(units) if answers.empty else len(answers) + int(sum(len(r.units) for r in results)),
        rows_quarantined=int(quarantine.drop_duplicates(["file", "sheet", "row"])["row"].notna().sum()),
        rows_skipped=sum(r.rows_skipped for r in results),
        published_facts=len(facts),
        published_quarantined=len(facts_quarantine),
        entities_scored=len(computed),
        discrepancies=int((~discrepancies["within_tolerance"]).sum()),
    )
    tables = {
        config.PUBLISHED_PARQUET: facts,
        config.UNITS_PARQUET: units,
        config.ANSWERS_PARQUET: answers,
        config.QUARANTINE_PARQUET: pd.concat([quarantine, facts_quarantine], ignore_index=True),
        config.ENTITY_SCORES_PARQUET: computed,
        config.SCORES_PARQUET: scores,
    }
    return tables, summary, discrepancies


def ingest_command() -> int:
    """Write every processed table atomically and print the row accounting."""
    tables, summary, discrepancies = build_processed()
    for path, frame in tables.items():
        storage.write_parquet(frame, path)
    storage.write_csv(discrepancies, config.RECONCILIATION_CSV)
    for line in summary.lines():
        print(line, file=sys.stderr)
    print(f"processed tables written to {config.display_path(config.PROCESSED_DIR)}/", file=sys.stderr)
    return 0
