"""Every path the project reads or writes, in one place."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# KEPATUHAN_ROOT lets tests and scheduled builds point the whole project at another tree.
ROOT = Path(os.environ.get("KEPATUHAN_ROOT", PACKAGE_DIR.parent)).resolve()

# Declarations shipped inside the package (read-only).
PACKAGE_DATA_DIR = PACKAGE_DIR / "data"
REFERENCE_DIR = PACKAGE_DATA_DIR / "reference"
REGIONS_CSV = REFERENCE_DIR / "regions.csv"
ENTITY_ALIASES_CSV = REFERENCE_DIR / "entity_aliases.csv"
UNIT_TYPES_CSV = REFERENCE_DIR / "unit_types.csv"
AGENCIES_CSV = REFERENCE_DIR / "agencies.csv"
COLUMN_MAPPINGS_DIR = PACKAGE_DATA_DIR / "column_mappings"
METHODOLOGY_DIR = PACKAGE_DATA_DIR / "methodology"
SYNTHETIC_DECLARATIONS_DIR = PACKAGE_DATA_DIR / "synthetic"  # the example-export generator's inputs
TEMPLATES_DIR = PACKAGE_DIR / "templates"
TILE_GRID_CSV = PACKAGE_DATA_DIR / "tile_grid.csv"  # the 38 provinces on the national map

# Data: raw is immutable input, processed is derived.
DATA_DIR = ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PUBLISHED_RAW_CSV = RAW_DIR / "published" / "published_results.csv"
EXPORTS_RAW_DIR = RAW_DIR / "exports"  # analysts drop their own exports here
SYNTHETIC_DIR = DATA_DIR / "synthetic"  # generated national example set (not committed)
RAW_SUBSET_BUILD_DIR = ROOT / "build" / "raw-subset"  # generated subset, copied by hand into data/raw/exports/
BENCH_DIR = ROOT / ".bench"  # benchmark archives (not committed)
PROCESSED_DIR = DATA_DIR / "processed"
UNITS_PARQUET = PROCESSED_DIR / "units.parquet"
ANSWERS_PARQUET = PROCESSED_DIR / "answers.parquet"
QUARANTINE_PARQUET = PROCESSED_DIR / "quarantine.parquet"
PUBLISHED_PARQUET = PROCESSED_DIR / "published.parquet"
ENTITY_SCORES_PARQUET = PROCESSED_DIR / "entity_scores.parquet"
HELD_BACK_PARQUET = PROCESSED_DIR / "held_back.parquet"  # entities not scored ("tidak dihitung") and why
SCORES_PARQUET = PROCESSED_DIR / "scores.parquet"  # published and computed, one chosen figure each
RECONCILIATION_CSV = PROCESSED_DIR / "reconciliation.csv"

# Notebooks and built output.
NOTEBOOKS_DIR = ROOT / "notebooks"
REPORT_NOTEBOOKS_DIR = NOTEBOOKS_DIR / "reports"
EXPLORATORY_NOTEBOOKS_DIR = NOTEBOOKS_DIR / "exploratory"
REPORTS_DIR = ROOT / "reports"
BUILD_STATE_JSON = REPORTS_DIR / ".build-state.json"


def display_path(path: Path | str) -> str:
    """A path as a user should read it: relative to the project root when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
