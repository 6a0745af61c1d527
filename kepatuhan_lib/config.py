"""Every path the project reads or writes, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
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
PUBLISHED_RAW_DIR = RAW_DIR / "published"  # real published results (data/raw/published/README.md)
# Every release of the published results, oldest first: `published.load_published` reads them all,
# in this order (which also orders the chosen-figure rule's "first in file order").
PUBLISHED_RELEASES: tuple[Path, ...] = (
    PUBLISHED_RAW_DIR / "published_results.csv",  # release 1 ("r1"): 2015-2024
    PUBLISHED_RAW_DIR / "2026-12" / "published_results_additions.csv",  # release 2 ("r2"), compiled 2026-12
)
PUBLISHED_RAW_CSV = PUBLISHED_RELEASES[0]  # release 1 alone (the reports' footer names it)
PUBLISHED_NATIONAL_COUNTS_CSV = PUBLISHED_RAW_DIR / "national_counts.csv"  # methodology.md "National counts"
EXPORTS_RAW_DIR = RAW_DIR / "exports"  # analysts drop their own exports here (real input only)
SYNTHETIC_EXAMPLES_DIR = DATA_DIR / "synthetic_examples"  # committed synthetic example exports (Bengkulu, Maluku)
SYNTHETIC_DIR = DATA_DIR / "synthetic"  # generated national example set (not committed)
RAW_SUBSET_BUILD_DIR = ROOT / "build" / "raw-subset"  # generated subset, copied by hand into SYNTHETIC_EXAMPLES_DIR
BENCH_DIR = ROOT / ".bench"  # benchmark archives (not committed)
PROCESSED_DIR = DATA_DIR / "processed"  # one folder per edition

# Editions: which inputs a set of reports is built from (data/processed/<edition>/, reports/<edition>/).
# terbitan: the published facts only; contoh: the synthetic example exports with the published facts;
# ekspor: the analyst's own exports in data/raw/exports/ with the published facts.
EDITIONS = ("terbitan", "contoh", "ekspor")
PUBLIC_EDITION = "terbitan"


def edition_export_dirs(edition: str) -> tuple[Path, ...]:
    """The export folders an edition is scored from, in order of precedence (earlier wins)."""
    return {"terbitan": (), "contoh": (SYNTHETIC_EXAMPLES_DIR, SYNTHETIC_DIR), "ekspor": (EXPORTS_RAW_DIR,)}[edition]


@dataclass(frozen=True)
class Processed:
    """The processed tables of one edition (looked up at call time: tests point PROCESSED_DIR elsewhere)."""

    edition: str

    @property
    def dir(self) -> Path:
        return PROCESSED_DIR / self.edition

    def table(self, name: str) -> Path:
        return self.dir / f"{name}.parquet"

    @property
    def reconciliation_csv(self) -> Path:
        return self.dir / "reconciliation.csv"


def processed(edition: str) -> Processed:
    if edition not in EDITIONS:
        raise ValueError(f"unknown edition {edition!r}; editions: {', '.join(EDITIONS)}")
    return Processed(edition)


# Notebooks and built output.
NOTEBOOKS_DIR = ROOT / "notebooks"
REPORT_NOTEBOOKS_DIR = NOTEBOOKS_DIR / "reports"
EXPLORATORY_NOTEBOOKS_DIR = NOTEBOOKS_DIR / "exploratory"
REPORTS_DIR = ROOT / "reports"  # reports/index.html links each edition's reports/<edition>/index.html
BUILD_STATE_NAME = ".build-state.json"  # in each edition's reports folder


def display_path(path: Path | str) -> str:
    """A path as a user should read it: relative to the project root when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
